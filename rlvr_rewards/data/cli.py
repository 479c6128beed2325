"""The ``rlvr-rewards data`` commands: ``data pivots --data IN --out OUT [--completions RECORDED]``, ``data stats
--data IN [--target 60/25/15] [--json]``, ``data augment --data IN --out OUT [--seed N] [--no-clarify]
[--no-refuse]``, ``data split --data IN --train A --held-out B [--fraction 0.1] [--seed N]``.

Contract: :func:`add_data_parser` adds the ``data`` command (and its subcommands) to the ``rlvr-rewards``
parser's subparsers; each subcommand sets ``func`` to its command function, which takes the parsed arguments,
returns the exit code and raises :class:`~rlvr_rewards.errors.RlvrRewardsError` (a ConfigError naming the file,
line or row, row id and field) for bad input, as every command of :mod:`rlvr_rewards.cli` does.

``data pivots`` (:func:`cmd_pivots`) reads rows (JSON Lines, gzip JSON Lines or Parquet, told by the file's
first bytes), cuts each trajectory row into single-step rows (:func:`rlvr_rewards.data.pivots.pivots`; other
rows pass through unchanged) and writes them to ``--out``: Parquet when its name ends in ``.parquet`` or ``.pq``
(truths and tools as JSON text, :func:`rlvr_rewards.integrations.files.write_parquet`), else JSON Lines. The
output is written only once every row was cut. ``--completions``: recorded trajectories (``{"id": <row id>,
"completion": [messages]}`` per line, joined to the rows by id, or one per row, line by line, when none has an
id), where the pivots' tool results and replies are taken from.

``data stats`` (:func:`cmd_stats`) prints :func:`rlvr_rewards.data.stats` of the rows (the behaviour mix against
``--target``, tool coverage, duplicate prompts, truth/schema contradictions) as text, or as JSON with ``--json``.
``data augment`` (:func:`cmd_augment`) writes the rows followed by the clarify and refuse rows
:func:`rlvr_rewards.data.augment` derives from their execute rows (``--no-clarify`` / ``--no-refuse`` leave a
kind out; ``--target 60/25/15`` keeps only as many as meet that mix) and prints what it derived, what it skipped,
and why, and the mix reached; ``--tools-in-system-prompt FAMILY`` then writes every row's tools into its prompt
(:func:`tools_into_prompts`, also used by ``convert``). ``data split`` (:func:`cmd_split`) writes
:func:`rlvr_rewards.data.split`'s two sides to ``--train`` and ``--held-out`` and prints their sizes. Every
``--data`` is read as for ``data pivots``; every output is written as ``--out`` is there, only once all the
work is done, and checked (writable, pyarrow for Parquet) before anything is read. A row that does not load is
a ConfigError naming the file, line, row id and field.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson

from rlvr_rewards.data.augmentation import augment_report
from rlvr_rewards.data.dataset_stats import parse_target, stats
from rlvr_rewards.data.pivots import pivots
from rlvr_rewards.data.splitting import split, split_groups
from rlvr_rewards.errors import ConfigError, GroundTruthError, ToolSpecError
from rlvr_rewards.integrations.files import Record, check_writable, pair_records, read_records, write_parquet
from rlvr_rewards.integrations.runs import read_file
from rlvr_rewards.util.progress import Progress, add_quiet_option, for_command

__all__ = ["add_data_parser", "cmd_augment", "cmd_pivots", "cmd_split", "cmd_stats"]

_PARQUET_SUFFIXES = (".parquet", ".pq")


def add_data_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Add ``data`` and its subcommands to ``subparsers`` (``parser.add_subparsers(...)`` of the command line);
    returns the ``data`` parser."""
    data = subparsers.add_parser(
        "data",
        help="dataset tools: pivots (trajectory rows cut into steps), stats, augment (clarify / refuse rows), split",
    )
    sub = data.add_subparsers(dest="data_command", required=True)
    p = sub.add_parser(
        "pivots",
        help="cut each trajectory row into one row per step of the expected trajectory (other rows pass through)",
    )
    p.add_argument("--data", required=True, help="rows: JSON Lines or Parquet (prompt, reward_model.ground_truth, ...)")
    p.add_argument("--out", required=True, help="rows to write: Parquet if it ends in .parquet or .pq, else JSON Lines")
    p.add_argument(
        "--completions",
        help="recorded trajectories, {'id': <row id>, 'completion': [messages]} per line: the pivots' tool "
        "results and replies are taken from them (else from the truth's environment, else placeholders)",
    )
    p.set_defaults(func=cmd_pivots)
    _add_dataset_tools(sub)
    for parser in (p, *(sub.choices[name] for name in ("stats", "augment", "split"))):
        add_quiet_option(parser)
    return data


def _add_dataset_tools(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``data stats``, ``data augment`` and ``data split``."""
    rows_help = "rows: JSON Lines or Parquet (prompt, reward_model.ground_truth, ...)"
    out_help = "rows to write: Parquet if it ends in .parquet or .pq, else JSON Lines"
    st = sub.add_parser(
        "stats",
        help="the behaviour mix against a target, tool coverage, duplicate prompts, truth/schema contradictions",
    )
    st.add_argument("--data", required=True, help=rows_help)
    st.add_argument(
        "--target",
        default="60/25/15",
        help="the execute/clarify/refuse shares to compare with (default 60/25/15; normalised to sum 1)",
    )
    st.add_argument("--json", action="store_true", help="print the statistics as JSON")
    st.set_defaults(func=cmd_stats)
    au = sub.add_parser(
        "augment",
        help="derive clarify rows (a required value cut from the request) and refuse rows (the tool removed) "
        "from execute rows; the given rows are kept",
    )
    au.add_argument("--data", required=True, help=rows_help)
    au.add_argument("--out", required=True, help=out_help)
    au.add_argument("--seed", type=int, default=0, help="which parameter a clarify row holds out (default 0)")
    au.add_argument("--no-clarify", dest="clarify", action="store_false", help="derive no clarify rows")
    au.add_argument("--no-refuse", dest="refuse", action="store_false", help="derive no refuse rows")
    au.add_argument(
        "--target",
        help="keep only as many derived rows as bring the execute/clarify/refuse mix to these shares (e.g. "
        "60/25/15; every given row is kept; default: keep every derived row)",
    )
    add_tools_in_prompt_option(au)
    au.set_defaults(func=cmd_augment)
    sp = sub.add_parser(
        "split",
        help="a train / held-out split keeping rows with the same user text or the same source on one side",
    )
    sp.add_argument("--data", required=True, help=rows_help)
    sp.add_argument("--train", required=True, help="the training rows to write (" + out_help + ")")
    sp.add_argument("--held-out", required=True, help="the held-out rows to write (" + out_help + ")")
    sp.add_argument("--fraction", type=float, default=0.1, help="the share of rows to hold out (default 0.1)")
    sp.add_argument("--seed", type=int, default=0, help="which groups are held out (default 0)")
    sp.set_defaults(func=cmd_split)


def _recorded(rows: list[Record], path: str | None) -> list[Any] | None:
    """One recorded trajectory per row (None where a row has none), from ``--completions``."""
    if path is None:
        return None
    records = read_records(path, "--completions")
    by_row: dict[int, Any] = {}
    for row, _, completion in pair_records(rows, records):
        by_row[id(row)] = completion
    return [by_row.get(id(r)) for r in rows]


def cmd_pivots(args: argparse.Namespace) -> int:
    """``rlvr-rewards data pivots``: see the module contract."""
    parquet = _writable(args.out, "--out")
    progress = for_command(args.quiet)
    records = _read(args.data, progress)
    recorded = _recorded(records, args.completions)
    try:
        with progress.task(f"cutting {len(records):,} rows", total=None):
            out = pivots([r.value for r in records], completions=recorded)
    except (GroundTruthError, ToolSpecError) as exc:
        raise _located(exc, records, args.data) from None
    _write(out, args.out, parquet, "--out")
    given = {id(r.value) for r in records}
    passed = sum(1 for row in out if id(row) in given)
    steps = len(out) - passed
    placeholders = sum(1 for row in out if id(row) not in given and _placeholders(row))
    note = f"; {placeholders} of them hold placeholder messages (extra_info.pivot.placeholders)" if placeholders else ""
    print(
        f"wrote {len(out)} rows to {args.out} ({'parquet' if parquet else 'jsonl'}): "
        f"{len(records) - passed} trajectory row(s) cut into {steps} step row(s){note}, {passed} row(s) passed through"
    )
    return 0


def _placeholders(row: Any) -> bool:
    """Whether a written row is a pivot whose prompt holds placeholder messages."""
    extra = row.get("extra_info") if isinstance(row, dict) else None
    pivot = extra.get("pivot") if isinstance(extra, dict) else None
    return isinstance(pivot, dict) and bool(pivot.get("placeholders"))


# --- shared by the commands ------------------------------------------------------------------------------------


def add_tools_in_prompt_option(parser: argparse.ArgumentParser) -> None:
    """``--tools-in-system-prompt FAMILY`` (``convert``, ``data augment``)."""
    from rlvr_rewards.data.system_prompt import TOOL_PROMPT_FAMILIES

    parser.add_argument(
        "--tools-in-system-prompt",
        metavar="FAMILY",
        choices=sorted(TOOL_PROMPT_FAMILIES),
        help="write each row's tools into its prompt as this model family's chat template does, for trainers that "
        "render prompts without tools= (veRL, SageMaker RLVR; not TRL): " + ", ".join(sorted(TOOL_PROMPT_FAMILIES)),
    )


def tools_into_prompts(rows: Sequence[Any], family: str, where: str) -> list[Any]:
    """Each row with its tools written into its prompt (:func:`rlvr_rewards.data.render_tools_into_row`); a row
    that cannot be is a ConfigError naming ``where`` (the input), the row's position and id."""
    from rlvr_rewards.data.system_prompt import render_tools_into_row

    out = []
    for i, row in enumerate(rows):
        try:
            out.append(render_tools_into_row(row, family))
        except ConfigError as exc:
            rid = row.get("id") if isinstance(row, dict) else None
            raise ConfigError(
                f"{where}: row {i + 1}{f' (id {rid!r})' if rid is not None else ''}: --tools-in-system-prompt "
                f"{family}: {exc}"
            ) from None
    return out


def _writable(path: str, option: str) -> bool:
    """Check an output path before any work; whether it is written as Parquet (else JSON Lines)."""
    check_writable(path, option)
    parquet = Path(path).suffix.lower() in _PARQUET_SUFFIXES
    if parquet:
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise ConfigError(
                f"{option} {path}: writing Parquet needs pyarrow (pip install pyarrow, or pip install "
                "'rlvr-rewards[parquet]'); or write JSON Lines (a name not ending in .parquet / .pq)"
            ) from None
    return parquet


def _read(path: str, progress: Progress) -> list[Record]:
    """The rows of ``--data`` (an empty file is an error), with a bar while the file is read."""
    records = read_file(path, "--data", progress)
    if not records:
        raise ConfigError(f"--data {path}: holds no rows; expected one JSON object per line")
    return records


def _located(exc: GroundTruthError | ToolSpecError, records: Sequence[Record], path: str) -> ConfigError:
    """A row's error, naming the file, the line and the row id (``exc.index`` is the row's index)."""
    where = records[exc.index].where if exc.index is not None and 0 <= exc.index < len(records) else path
    return ConfigError(f"--data {where}: {exc}")


def _write(rows: Sequence[Any], path: str, parquet: bool, option: str) -> None:
    """Write rows as Parquet (truths and tools as JSON text) or JSON Lines."""
    if parquet:
        write_parquet(list(rows), path, option)
        return
    with open(path, "wb") as fh:
        for row in rows:
            fh.write(orjson.dumps(row) + b"\n")


# --- stats, augment, split -------------------------------------------------------------------------------------


def cmd_stats(args: argparse.Namespace) -> int:
    """``rlvr-rewards data stats``: see the module contract."""
    target = parse_target(args.target)
    progress = for_command(args.quiet)
    records = _read(args.data, progress)
    try:
        with progress.task(f"checking {len(records):,} rows", total=None):
            found = stats([r.value for r in records], target, lines=[r.number for r in records])
    except (GroundTruthError, ToolSpecError) as exc:
        raise _located(exc, records, args.data) from None
    if args.json:
        print(json.dumps({"data": str(args.data), **found.to_dict()}, indent=2, ensure_ascii=False))
    else:
        print(f"{args.data}: {found}")
    return 0


def cmd_augment(args: argparse.Namespace) -> int:
    """``rlvr-rewards data augment``: see the module contract."""
    parquet = _writable(args.out, "--out")
    progress = for_command(args.quiet)
    records = _read(args.data, progress)
    try:
        with progress.task(f"augmenting {len(records):,} rows", total=None):
            made = augment_report(
                [r.value for r in records], seed=args.seed, clarify=args.clarify, refuse=args.refuse, target=args.target
            )
    except (GroundTruthError, ToolSpecError) as exc:
        raise _located(exc, records, args.data) from None
    out = made.rows
    if args.tools_in_system_prompt:
        out = tools_into_prompts(out, args.tools_in_system_prompt, f"--data {args.data}")
    _write(out, args.out, parquet, "--out")
    kinds = " and ".join(f"{n} {kind}" for kind, n in made.derived.items()) or "no"
    rendered = (
        f"; tools written into the prompts for {args.tools_in_system_prompt}" if args.tools_in_system_prompt else ""
    )
    print(
        f"wrote {len(out)} rows to {args.out} ({'parquet' if parquet else 'jsonl'}): the {len(records)} "
        f"given row(s), then {kinds} row(s) derived from their execute rows (extra_info.derived){rendered}"
    )
    total = sum(made.mix.values()) or 1
    reached = "/".join(f"{100 * made.mix[b] / total:.1f}" for b in ("execute", "clarify", "refuse"))
    asked = f" (target {'/'.join(f'{100 * x:.1f}' for x in made.target.values())})" if made.target else ""
    print(
        f"  execute/clarify/refuse: {made.mix['execute']}/{made.mix['clarify']}/{made.mix['refuse']} rows = "
        f"{reached} %{asked}"
    )
    for kind in made.derived:
        reasons = Counter(s.reason for s in made.skipped if s.kind == kind)
        if reasons:
            listed = ", ".join(f"{reason} {n}" for reason, n in sorted(reasons.items(), key=lambda x: (-x[1], x[0])))
            print(f"  no {kind} row from {sum(reasons.values())} execute row(s): {listed}")
    return 0


def cmd_split(args: argparse.Namespace) -> int:
    """``rlvr-rewards data split``: see the module contract."""
    if Path(args.train).resolve() == Path(args.held_out).resolve():
        raise ConfigError(f"--train and --held-out are the same file ({args.train}); give two paths")
    train_parquet = _writable(args.train, "--train")
    held_parquet = _writable(args.held_out, "--held-out")
    progress = for_command(args.quiet)
    records = _read(args.data, progress)
    rows = [r.value for r in records]
    try:
        with progress.task(f"splitting {len(rows):,} rows", total=None):
            train, held = split(rows, held_out=args.fraction, seed=args.seed)
    except (GroundTruthError, ToolSpecError) as exc:
        raise _located(exc, records, args.data) from None
    _write(train, args.train, train_parquet, "--train")
    _write(held, args.held_out, held_parquet, "--held-out")
    groups = len(set(split_groups(rows)))
    share = 100 * len(held) / len(rows)
    print(
        f"wrote {len(train)} rows to {args.train} (train) and {len(held)} rows to {args.held_out} (held-out: "
        f"{share:.1f}% of {len(rows)}, asked {100 * args.fraction:g}%); {groups} group(s) of rows sharing a user "
        "text or a source, each on one side"
    )
    if not held:
        print("  note: the held-out side is empty: every row is in one group")
    return 0
