"""The ``rlvr-rewards data`` commands: ``data pivots --data IN --out OUT [--completions RECORDED]``.

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
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import orjson

from rlvr_rewards.data.pivots import pivots
from rlvr_rewards.errors import ConfigError, GroundTruthError, ToolSpecError
from rlvr_rewards.integrations.files import Record, check_writable, pair_records, read_records, write_parquet

__all__ = ["add_data_parser", "cmd_pivots"]

_PARQUET_SUFFIXES = (".parquet", ".pq")


def add_data_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Add ``data`` and its subcommands to ``subparsers`` (``parser.add_subparsers(...)`` of the command line);
    returns the ``data`` parser."""
    data = subparsers.add_parser("data", help="dataset tools: cut trajectory rows into single-step rows (pivots)")
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
    return data


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
    check_writable(args.out)
    parquet = Path(args.out).suffix.lower() in _PARQUET_SUFFIXES
    if parquet:
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise ConfigError(
                f"--out {args.out}: writing Parquet needs pyarrow (pip install pyarrow, or pip install "
                "'rlvr-rewards[parquet]'); or write JSON Lines (an --out not ending in .parquet / .pq)"
            ) from None
    records = read_records(args.data, "--data")
    if not records:
        raise ConfigError(f"--data {args.data}: holds no rows; expected one JSON object per line")
    recorded = _recorded(records, args.completions)
    try:
        out = pivots([r.value for r in records], completions=recorded)
    except (GroundTruthError, ToolSpecError) as exc:
        where = records[exc.index].where if exc.index is not None else f"{args.data}"
        raise ConfigError(f"--data {where}: {exc}") from None
    if parquet:
        write_parquet(out, args.out)
    else:
        with open(args.out, "wb") as fh:
            for row in out:
                fh.write(orjson.dumps(row) + b"\n")
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
