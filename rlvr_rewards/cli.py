"""The ``rlvr-rewards`` command line: ``score`` a JSONL dataset and ``demo`` on the bundled example.

Also ``convert --from bfcl`` (BFCL question + possible-answer JSON Lines -> veRL rows; multi-turn entries become
trajectory truths replayed in the ``bfcl`` environment, docs/bfcl.md#multi-turn) and ``convert --from rows``
(our rows rewritten), each ``--to jsonl`` or ``--to parquet`` (truths and tools as JSON text), and ``validate``
(rows whose truth cannot satisfy its own tool schema).

Exit codes: 0 success; 1 ``validate`` found problems; 2 bad input (the message names the file, line,
field and fix).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import gc
import json
import shutil
import sys
import time
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from rlvr_rewards.errors import ConfigError, RlvrRewardsError
from rlvr_rewards.integrations.files import (
    Record,
    check_writable,
    file_sha256,
    read_json_document,
    read_records,
    write_parquet,
)
from rlvr_rewards.integrations.runs import ScoredRun, load_rows, read_completions, score_completions, score_run
from rlvr_rewards.plugins import get_registry
from rlvr_rewards.util import gcsettings
from rlvr_rewards.util.progress import Progress, add_quiet_option, for_command, rich_installed

__all__ = ["main"]

#: The cyclic garbage collector's thresholds while a command runs (see :func:`main`).
GC_THRESHOLDS = gcsettings.GC_THRESHOLDS


def _score_files(
    data: str | Path,
    completions: str | Path,
    preset: str,
    workers: int = 1,
    fmt: str | None = None,
    limit: int | None = None,
    progress: Progress | None = None,
) -> ScoredRun:
    """``--data`` and ``--completions`` read, paired and scored the one way every command does
    (:mod:`rlvr_rewards.integrations.runs`)."""
    return score_run(
        load_rows(str(data), progress), str(completions), "--completions", preset, fmt, limit=limit,
        workers=workers, progress=progress,
    )  # fmt: skip


def _format_summary(summary: dict[str, Any], title: str) -> str:
    lines = [
        title,
        "=" * len(title),
        f"completions scored: {summary['n']}   preset: {summary['preset']}   mean reward: {summary['mean_reward']:.3f}",
        "",
        "mean reward by expected behaviour:",
    ]
    for e, v in summary["mean_reward_by_expected"].items():
        lines.append(f"  {e:<8} {v:6.3f}   (n={summary['count_by_expected'][e]})")
    lines += ["", "confusion (rows: expected, columns: what the completion did):"]
    cols = ["execute", "clarify", "refuse", "answer", "invalid"]
    lines.append("  " + " " * 9 + "".join(f"{c:>9}" for c in cols))
    for e, row in summary["confusion"].items():
        lines.append(f"  {e:<9}" + "".join(f"{row[c]:>9}" for c in cols))
    lines += ["", "reasons:"]
    lines += [f"  {k:<32} {v}" for k, v in summary["reasons"].items()]
    g = summary.get("groups")
    if g:
        lines += [
            "",
            f"GRPO groups: {g['n_groups']} (mean size {g['mean_group_size']:.1f}), "
            f"mean within-group std {g['mean_group_std']:.3f}, "
            f"groups with zero reward variance: {100 * g['frac_zero_std']:.1f} %",
        ]
    return "\n".join(lines)


def _cmd_score_ray(args: argparse.Namespace) -> int:
    try:
        import ray
    except ImportError:
        raise ConfigError("--ray needs Ray: pip install 'rlvr-rewards[ray]'") from None
    from rlvr_rewards.integrations.ray import score_dataset
    from rlvr_rewards.scoring.result import Score

    # the rows, completions and pairs of the in-process path (same checks, same errors); the records
    # stay here, so each output line carries the record's own id and label, as in-process
    found = read_completions(load_rows(args.data), args.completions, "--completions", args.limit)
    triples = [(found.row_record(i), found.records[i], found.completions[i]) for i in range(len(found))]
    items = []
    for i, (data_row, comp_record, comp) in enumerate(triples):
        try:  # completions and rows travel as JSON text (one Arrow type per column), decoded by the scorer
            items.append({"index": i, "completion": json.dumps(comp), "ground_truth": json.dumps(data_row.value)})
        except (TypeError, ValueError):
            raise ConfigError(
                f"{data_row.where}: --ray sends rows to Ray as JSON text and this row holds a value "
                f"JSON cannot (completion {comp_record.where}); score without --ray"
            ) from None
    if not ray.is_initialized():
        ray.init(include_dashboard=False, log_to_driver=False)
    scored = score_dataset(ray.data.from_items(items), preset=args.preset, json_columns=True, format=args.format)
    n = 0
    total = 0.0
    out = open(args.out, "wb") if args.out else None
    try:
        for row in scored.iter_rows():
            n += 1
            total += float(row["reward"])
            if out is not None:
                i = int(row["index"])
                rec = triples[i][1].value
                s = Score(
                    reward=float(row["reward"]),
                    components={
                        k.removeprefix("component_"): float(v)
                        for k, v in dict(row).items()
                        if k.startswith("component_")
                    },
                    reason=row["reason"],
                    behavior=row["behavior"],
                    expected=row["expected"],
                    violations=tuple(str(v) for v in row["violations"]),
                )
                record = {"index": i, **({"id": rec["id"]} if "id" in rec else {}), **s.to_dict()}
                if "label" in rec:
                    record["label"] = rec["label"]
                out.write(orjson.dumps(record) + b"\n")
    finally:
        if out is not None:
            out.close()
    print(f"rlvr-rewards score --ray: {n} completions, mean reward {total / n if n else 0:.3f}")
    return 0


def _cmd_score(args: argparse.Namespace) -> int:
    if args.out:
        check_writable(args.out)
    get_registry().preset(args.preset)  # an unknown preset fails before any work
    get_registry().parsers_for(args.format)  # and so does an unknown format
    if args.ray:
        return _cmd_score_ray(args)
    started = time.time()
    progress = for_command(args.quiet)
    run = _score_files(args.data, args.completions, args.preset, args.workers, args.format, args.limit, progress)
    batch = run.batch
    if args.out:
        with open(args.out, "wb") as fh, progress.task(f"writing {args.out}", total=len(batch)) as advance:
            for i, (scored, rec) in enumerate(zip(batch.to_dicts(), run.records, strict=True)):
                out = {"index": i, **({"id": rec.value["id"]} if "id" in rec.value else {}), **scored}
                if "label" in rec.value:
                    out["label"] = rec.value["label"]
                fh.write(orjson.dumps(out) + b"\n")
                if i % 4096 == 4095:
                    advance(4096)
        meta = run_metadata(args, len(batch), started)
        Path(_meta_path(args.out)).write_bytes(orjson.dumps(meta, option=orjson.OPT_INDENT_2) + b"\n")
    print(_format_summary(batch.summary(), f"rlvr-rewards score: {args.completions}"))
    if args.out:
        print(f"\nper-completion scores written to {args.out}; the run's metadata to {_meta_path(args.out)}")
    return 0


def _meta_path(out: str) -> str:
    """Where ``score --out F`` writes its run metadata: ``F.meta.json``."""
    return f"{out}.meta.json"


def run_metadata(args: argparse.Namespace, n: int, started: float) -> dict[str, Any]:
    """What a ``score`` run was (written next to its results): the library version, Python, the preset, the
    limits, the format hint, the inputs with their SHA-256, the number scored, when and how long it took."""
    import platform

    from rlvr_rewards.limits import DEFAULT_LIMITS

    return {
        "rlvr_rewards": _version(),
        "python": platform.python_version(),
        "command": "score",
        "preset": args.preset,
        "format": args.format,
        "limit": args.limit,
        "workers": args.workers,
        "limits": dataclasses.asdict(DEFAULT_LIMITS),
        "inputs": {
            "data": {"path": str(args.data), "sha256": file_sha256(args.data)},
            "completions": {"path": str(args.completions), "sha256": file_sha256(args.completions)},
        },
        "completions_scored": n,
        "started": datetime.datetime.fromtimestamp(started, datetime.timezone.utc).isoformat(),
        "seconds": round(time.time() - started, 3),
    }


def _cmd_demo(args: argparse.Namespace) -> int:
    data = resources.files("rlvr_rewards") / "data"
    with (
        resources.as_file(data / "example_rows.jsonl") as rows_path,
        resources.as_file(data / "example_completions.jsonl") as comp_path,
    ):
        batch = _score_files(rows_path, comp_path, args.preset).batch
        print(_format_summary(batch.summary(), "rlvr-rewards demo: bundled example (60 rows, 5 tools)"))
        rows = load_rows(str(rows_path))
        found = read_completions(rows, str(comp_path), "--completions")
        labels: dict[tuple[str, str], list[int]] = {}
        for i, (label, exp) in enumerate(zip(found.labels, batch.expected, strict=True)):
            labels.setdefault((exp, label or "?"), []).append(i)
        presets = ["graded", "binary", "aws-blog", "toolrl"]
        per_preset = {p: (batch if p == args.preset else score_completions(found, p).batch) for p in presets}
    print("\nmean reward by completion label, per preset:")
    print(f"  {'expected':<9}{'label':<20}{'n':>4}" + "".join(f"{p:>10}" for p in presets))
    for (exp, label), idx in sorted(labels.items()):
        cells = "".join(f"{float(np.mean(per_preset[p].rewards[idx])):>10.3f}" for p in presets)
        print(f"  {exp:<9}{label:<20}{len(idx):>4}{cells}")
    return 0


def _cmd_lambda_build(args: argparse.Namespace) -> int:
    from rlvr_rewards.aws_lambda.build import build_artifact

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out}: is a file; expected a directory to write the artifact into")
    if out.is_dir():
        check_writable(out / "reward.zip", "--out")
    else:
        check_writable(out, "--out")  # the folder is created in a folder that must exist and be writable
    config: dict[str, Any] = {}
    if args.config:
        config = read_json_document(args.config, "--config")
        if not isinstance(config, dict):
            raise ConfigError(
                f"--config {args.config}: expected a JSON object of Lambda settings, got {type(config).__name__}"
            )
    if args.preset:
        config["preset"] = args.preset
    if args.output_style:
        config["output_style"] = args.output_style
    if args.format:
        config["format"] = args.format
    result = build_artifact(args.out, python=args.python, arch=args.arch, config=config, sam=args.sam)
    print(
        f"wrote {result.zip_path} ({result.zipped_bytes / 1e6:.1f} MB zipped, "
        f"{result.unzipped_bytes / 1e6:.1f} MB unzipped; Python {args.python}, {args.arch})"
    )
    print(f"wrote {result.handler_path} (handler: lambda_function.lambda_handler)")
    if result.template_path:
        print(f"wrote {result.template_path} (deploy: sam deploy --guided --template-file {result.template_path})")
    print("dependencies: " + ", ".join(result.requirements))
    return 0


def _cmd_lambda_invoke(args: argparse.Namespace) -> int:
    from rlvr_rewards.aws_lambda.build import invoke_artifact

    artifact = Path(args.artifact)
    if not artifact.is_file():
        raise ConfigError(
            f"--artifact {artifact}: "
            + ("is a directory; expected the reward.zip inside it" if artifact.is_dir() else "no such file")
        )
    read_json_document(args.event, "--event")  # a missing or broken event fails here, not in the child
    if args.python_exe is not None:
        exe = shutil.which(args.python_exe)
        if exe is None:
            raise ConfigError(
                f"--python-exe {args.python_exe}: no such interpreter (not a file, nor on PATH); "
                "expected the path of a Python matching the artifact's version"
            )
    out = invoke_artifact(args.artifact, args.event, python_exe=args.python_exe, timeout_ms=args.timeout_ms)
    outside = {k: v for k, v in out["modules"].items() if v and not v.startswith(out["root"])}
    if outside:
        raise ConfigError(f"modules were imported from outside the artifact: {outside}")
    print(json.dumps(out["result"], indent=2))
    print(
        f"(ran in a clean interpreter that saw only the artifact; modules: "
        f"{', '.join(k for k, v in out['modules'].items() if v)})",
        file=sys.stderr,
    )
    return 0


def _bfcl_prompt(question: Any, where: str) -> list[dict[str, Any]]:
    """BFCL's ``question``: a list of turns (each a list of messages), a list of messages, or text."""
    if isinstance(question, str):
        return [{"role": "user", "content": question}]
    if isinstance(question, list) and question and all(isinstance(t, list) for t in question):
        question = question[0]  # single-turn categories: the first (only) turn
    if isinstance(question, list) and all(isinstance(m, dict) and "role" in m for m in question):
        return [dict(m) for m in question]
    raise ConfigError(f"{where}: 'question' is not text, a list of messages or a list of turns")


def _write_rows(rows: list[dict[str, Any]], out: str, to: str, args: argparse.Namespace, where: str) -> None:
    """Write converted rows (only once every row converted): JSON Lines, or Parquet with the truths and tools as
    JSON text (:func:`rlvr_rewards.integrations.files.write_parquet`); with ``--tools-in-system-prompt``, each
    row's tools written into its prompt first (``where`` names the input in errors)."""
    if args.tools_in_system_prompt:
        from rlvr_rewards.data.cli import tools_into_prompts

        rows = tools_into_prompts(rows, args.tools_in_system_prompt, where)
    if to == "parquet":
        write_parquet(rows, out)
        return
    with open(out, "wb") as fh:
        for row in rows:
            fh.write(orjson.dumps(row) + b"\n")


def _out_format(args: argparse.Namespace) -> str:
    """``--to``, else told by ``--out``'s suffix (``.parquet`` / ``.pq``: Parquet; anything else: JSON Lines)."""
    if args.to is not None:
        return str(args.to)
    return "parquet" if Path(args.out).suffix.lower() in (".parquet", ".pq") else "jsonl"


def _cmd_convert(args: argparse.Namespace) -> int:
    check_writable(args.out)
    to = _out_format(args)
    if to == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise ConfigError(
                "--to parquet: writing Parquet needs pyarrow (pip install pyarrow, or pip install "
                "'rlvr-rewards[parquet]'); or write JSON Lines (--to jsonl)"
            ) from None
    if args.source == "rows":
        return _convert_rows(args, to)
    if args.data is not None:
        raise ConfigError("--data is read by `convert --from rows`; `--from bfcl` reads --questions and --answers")
    if args.questions is None:
        raise ConfigError("convert --from bfcl: --questions is required (BFCL's question file, JSON Lines)")
    return _convert_bfcl(args, to)


def _convert_rows(args: argparse.Namespace, to: str) -> int:
    """Our own rows (JSON Lines or Parquet, e.g. the bundled example rows) rewritten, checked by the row checker
    first (a row that would not score is refused here, not in the trainer)."""
    if args.data is None:
        raise ConfigError("convert --from rows: --data is required (rows JSON Lines or Parquet)")
    if args.questions is not None or args.answers is not None:
        raise ConfigError("--questions / --answers are read by `convert --from bfcl`; `--from rows` reads --data")
    records = load_rows(args.data, for_command(args.quiet)).records
    _write_rows([r.value for r in records], args.out, to, args, f"--data {args.data}")
    print(
        f"wrote {len(records)} rows to {args.out} ({to}"
        + (": truths and tools as JSON text)" if to == "parquet" else ")")
    )
    return 0


def _convert_bfcl(args: argparse.Namespace, to: str) -> int:
    from rlvr_rewards.groundtruth.bfcl import IRRELEVANT_TRUTH, bfcl_to_native

    questions = read_records(args.questions, "--questions")
    if not questions:
        raise ConfigError(f"--questions {args.questions}: holds no questions; expected BFCL's JSON Lines")
    answers: dict[str, tuple[Record, dict[str, Any]]] = {}
    if args.answers:
        for a in read_records(args.answers, "--answers"):
            if "id" not in a.value:
                raise ConfigError(
                    f"--answers {a.path} {a.unit} {a.number}: no 'id'; expected BFCL's possible-answer "
                    "lines ({'id': ..., 'ground_truth': [...]})"
                )
            answers[str(a.value["id"])] = (a, a.value)
    out_rows: list[dict[str, Any]] = []
    n_irrelevant = 0
    multi_turn: dict[str, Any] = {"docs": {}, "signatures": {}}
    for q in questions:
        qid = str(q.value.get("id", q.number))
        where = f"--questions {q.path} {q.unit} {q.number} (id {qid!r})"
        if "involved_classes" in q.value:  # a multi-turn entry (rlvr_rewards.groundtruth.bfcl_multiturn)
            out_rows.append(_bfcl_multiturn_row(args, q, where, answers, multi_turn))
            continue
        functions = q.value.get("function")
        if not isinstance(functions, list):
            raise ConfigError(f"{where}: no 'function' list; expected the question's function definitions")
        found = answers.get(qid)
        if found is not None:
            record, answer = found
            try:
                truth = bfcl_to_native(answer, functions)
            except RlvrRewardsError as exc:
                where_answer = f"--answers {record.path} {record.unit} {record.number} (id {qid!r})"
                raise ConfigError(f"{where_answer}: {exc}") from None
        elif "irrelevance" in qid:
            truth = IRRELEVANT_TRUTH
        else:
            source = f"in --answers {args.answers}" if args.answers else "(no --answers file was given)"
            raise ConfigError(
                f"{where}: no possible answer with id {qid!r} {source}; only irrelevance questions "
                "(id containing 'irrelevance') may go without one"
            )
        n_irrelevant += truth == IRRELEVANT_TRUTH
        out_rows.append(
            {
                "id": qid,
                "data_source": "bfcl",
                "prompt": _bfcl_prompt(q.value.get("question"), where),
                "reward_model": {"style": "rule", "ground_truth": truth},
                "extra_info": {"tools": functions},
            }
        )
    _write_rows(out_rows, args.out, to, args, f"--questions {args.questions}")  # once every question converted
    print(f"wrote {len(out_rows)} rows to {args.out} ({to}; {n_irrelevant} irrelevance rows: no call expected)")
    return 0


def _bfcl_func_docs(args: argparse.Namespace) -> Path:
    """BFCL's multi-turn function docs: --func-docs, else multi_turn_func_doc/ beside --questions (BFCL's data
    layout), else the installed bfcl_eval's (found without importing it)."""
    import importlib.util

    if args.func_docs:
        return Path(args.func_docs)
    beside = Path(args.questions).parent / "multi_turn_func_doc"
    if beside.is_dir():
        return beside
    spec = importlib.util.find_spec("bfcl_eval")
    for location in (spec.submodule_search_locations or []) if spec is not None else []:
        installed = Path(location) / "data" / "multi_turn_func_doc"
        if installed.is_dir():
            return installed
    raise ConfigError(
        f"--questions {args.questions} holds multi-turn entries, whose tools are BFCL's function docs: pass "
        "--func-docs DIR (BFCL's data/multi_turn_func_doc directory)"
    )


def _bfcl_multiturn_row(
    args: argparse.Namespace, q: Record, where: str, answers: dict[str, tuple[Record, dict[str, Any]]], cache: Any
) -> dict[str, Any]:
    """One multi-turn entry as a row with a trajectory truth; the function docs (and, with bfcl_eval installed,
    the backend methods' signatures, which bind positional arguments) are read once per class."""
    from rlvr_rewards.environments.bfcl import signatures
    from rlvr_rewards.errors import GroundTruthError
    from rlvr_rewards.groundtruth.bfcl_multiturn import FUNC_DOC_FILES, load_func_docs, located_error, multiturn_row

    qid = str(q.value.get("id", q.number))
    found = answers.get(qid)
    if found is None:
        source = f"in --answers {args.answers}" if args.answers else "(no --answers file was given)"
        raise ConfigError(f"{where}: no possible answer with id {qid!r} {source}; a multi-turn entry needs one")
    record, answer = found
    raw = q.value.get("involved_classes")
    classes = [c for c in raw if isinstance(c, str)] if isinstance(raw, list) else []
    unread = [c for c in classes if c in FUNC_DOC_FILES and c not in cache["docs"]]
    if unread:
        cache["docs"].update(load_func_docs(_bfcl_func_docs(args), unread))
    key = tuple(classes)
    if key not in cache["signatures"]:
        try:
            cache["signatures"][key] = signatures(classes)
        except ConfigError:  # bfcl_eval not installed: the docs' parameter order binds positional arguments
            cache["signatures"][key] = None
    try:
        return multiturn_row(q.value, answer, cache["docs"], cache["signatures"][key])
    except GroundTruthError as exc:
        where_answer = f"--answers {record.path} {record.unit} {record.number} (id {qid!r})"
        raise located_error(exc, where, where_answer) from None


def _cmd_validate(args: argparse.Namespace) -> int:
    from rlvr_rewards.groundtruth.validate import Problem, inspect_rows

    path = Path(args.data)
    problems: list[Problem] = []
    with for_command(args.quiet).task(f"checking {path}", total=None):
        records = read_records(
            path, "--data", on_bad_line=lambda n, message: problems.append(Problem(n, None, "bad_json", message))
        )
        if not records and not problems:
            raise ConfigError(f"--data {path}: holds no rows; expected one JSON object per line")
        problems += inspect_rows([r.value for r in records], [r.number for r in records])[1]
    problems.sort(key=lambda p: p.line)
    unit = records[0].unit if records else "line"
    for p in problems:
        print(f"{path} {unit} {str(p).removeprefix('line ')}")
    n_rows = len(records) + sum(p.kind == "bad_json" for p in problems)
    if not problems:
        print(f"validated {n_rows} rows: no problems")
        return 0
    fatal = sum(p.fatal for p in problems)
    print(
        f"validated {n_rows} rows: {len(problems)} problem(s) in {len({p.line for p in problems})} row(s)"
        + (
            f"; {fatal} of them make `rlvr-rewards score` refuse the file"
            if fatal
            else "; none stops `rlvr-rewards score`, but these truths cannot be met as their tools describe"
        )
    )
    return 1


def _version() -> str:
    import rlvr_rewards

    return str(rlvr_rewards.__version__)


class _VersionAction(argparse.Action):
    """``--version``: the installed version, read only when asked for (importlib.metadata is slow to load)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        print(f"rlvr-rewards {_version()}")
        parser.exit(0)


def _argument_text(value: str, option: str) -> str:
    """An option's text, or the file's when it is ``@FILE``."""
    if not value.startswith("@"):
        return value
    path = Path(value[1:])
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{option} {value}: cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{option} {value}: {path} is not UTF-8 text") from None


def _json_argument(value: str, option: str) -> Any:
    text = _argument_text(value, option)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{option}: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None


def _cmd_explain(args: argparse.Namespace) -> int:
    """``explain``: one completion against one truth, explained (rlvr_rewards/scoring/explain.py)."""
    from rlvr_rewards.scoring.explain import explain

    text = _argument_text(args.completion, "--completion")
    completion: Any = text
    if text.lstrip()[:1] in ("{", "["):  # a message or a list of messages; else the text itself
        try:
            completion = json.loads(text)
        except json.JSONDecodeError:
            completion = text  # model output that starts like JSON but is not: scored as text
    truth = _json_argument(args.truth, "--truth")
    tools = _json_argument(args.tools, "--tools") if args.tools else None
    get_registry().preset(args.preset)
    get_registry().parsers_for(args.format)
    result = explain(completion, truth, tools, args.preset, format=args.format)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    elif sys.stdout.isatty() and rich_installed():  # tables and colours on a terminal
        from rlvr_rewards.report.terminal import print_explanation

        print_explanation(result)
    else:
        print(str(result))
    return 0


def _cmd_presets(args: argparse.Namespace) -> int:
    """``presets``: every registered preset (built-in and plugins') with its reward range and description."""
    registry = get_registry()
    names = sorted(registry.presets)
    width = max(len(n) for n in names)
    for name in names:
        preset = registry.presets[name]
        lo, hi = preset.reward_range
        owner = registry.owners.get(("register_presets", name), "?")
        origin = "" if owner.startswith("rlvr_rewards.") else f"  (plugin {owner})"
        print(f"{name:<{width}}  [{lo:g}, {hi:g}]  {preset.description}{origin}")
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    """``serve``: the reward server (docs/server.md); needs the ``server`` extra (starlette, uvicorn)."""
    try:
        from rlvr_rewards.server.app import serve
        from rlvr_rewards.server.config import ServerConfig
    except ImportError as exc:
        missing = f"serve needs the server extra ({exc.name} is missing)"
        raise ConfigError(f"{missing}: pip install 'rlvr-rewards[server]'") from None
    config = ServerConfig(
        preset=args.preset,
        format=args.format,
        workers=args.workers,
        max_batch=args.max_batch,
        max_body_bytes=int(args.max_body_mb * 1024 * 1024),
        timeout_s=args.timeout,
        max_pending=args.max_pending,
    )
    serve(config, host=args.host, port=args.port, log_level="warning" if args.quiet else "info")
    return 0


def build_parser() -> argparse.ArgumentParser:
    from rlvr_rewards.report.cli import count_type

    parser = argparse.ArgumentParser(prog="rlvr-rewards", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action=_VersionAction)
    sub = parser.add_subparsers(dest="command")
    parser.set_defaults(func=lambda _args: _print_help(parser))
    ex = sub.add_parser("explain", help="why one completion got its reward: parse, behaviour, argument diff, formula")
    ex.add_argument("--completion", required=True, help="the completion: text, JSON (a message or a list), or @FILE")
    ex.add_argument("--truth", required=True, help="the ground truth or a whole row: JSON text or @FILE")
    ex.add_argument("--tools", help="tool specs: JSON text or @FILE (default: the row's)")
    ex.add_argument("--preset", default="graded")
    ex.add_argument("--format", help="the completion's tool-call format (docs/formats.md; default: detected)")
    ex.add_argument("--json", action="store_true", help="print the explanation as JSON")
    ex.set_defaults(func=_cmd_explain)
    pr = sub.add_parser("presets", help="list the presets (built-in and plugins') with their reward ranges")
    pr.set_defaults(func=_cmd_presets)
    s = sub.add_parser("score", help="score completions against a veRL/SageMaker JSONL dataset")
    s.add_argument("--data", required=True, help="rows JSONL (prompt, reward_model.ground_truth, ...)")
    s.add_argument(
        "--completions",
        required=True,
        help="completions JSONL: {'id': row id, 'completion': text or messages} per line",
    )
    s.add_argument("--preset", default="graded")
    s.add_argument(
        "--format",
        help="the completions' tool-call format: a format name or model family (docs/formats.md); "
        "default: detected per completion",
    )
    s.add_argument("--out", help="write one JSON line of scores per completion here (and the run's metadata beside it)")
    s.add_argument("--limit", type=count_type("completions"), help="score only the first N completions")
    s.add_argument("--ray", action="store_true", help="score with Ray Data across the cores/cluster (big files)")
    s.add_argument(
        "--workers",
        type=int,
        default=1,
        help="processes to score with (fork; batches of 4096+ completions are split; default 1)",
    )
    s.set_defaults(func=_cmd_score)
    d = sub.add_parser("demo", help="score the bundled example dataset and print the summary")
    d.add_argument("--preset", default="graded")
    d.set_defaults(func=_cmd_demo)
    cv = sub.add_parser("convert", help="convert a benchmark's files (or our rows) to veRL rows (JSONL or Parquet)")
    cv.add_argument(
        "--from",
        dest="source",
        required=True,
        choices=["bfcl", "rows"],
        help="source format: bfcl (question + possible-answer files) or rows (our rows, --data)",
    )
    cv.add_argument("--questions", help="BFCL question file (JSON Lines: id, question, function); --from bfcl")
    cv.add_argument("--answers", help="BFCL possible-answer file (JSON Lines: id, ground_truth); --from bfcl")
    cv.add_argument(
        "--func-docs",
        help="BFCL's data/multi_turn_func_doc directory, for multi-turn entries (default: beside --questions, "
        "else the installed bfcl_eval's); --from bfcl",
    )
    cv.add_argument("--data", help="rows JSON Lines or Parquet to rewrite; --from rows")
    cv.add_argument(
        "--to",
        choices=["jsonl", "parquet"],
        help="output format (default: parquet if --out ends in .parquet or .pq, else jsonl); parquet "
        "writes reward_model.ground_truth and extra_info.tools as JSON text (needs pyarrow)",
    )
    cv.add_argument("--out", required=True, help="veRL rows to write")
    from rlvr_rewards.data.cli import add_tools_in_prompt_option

    add_tools_in_prompt_option(cv)
    cv.set_defaults(func=_cmd_convert)
    v = sub.add_parser("validate", help="check that every row's truth can satisfy its own tool schema")
    v.add_argument("--data", required=True, help="rows JSONL (veRL / SageMaker / BFCL rows)")
    v.set_defaults(func=_cmd_validate)
    from rlvr_rewards.data.cli import add_data_parser

    add_data_parser(sub)  # `data pivots` (rlvr_rewards/data/cli.py)
    from rlvr_rewards.report.cli import add_report_parser

    add_report_parser(sub)  # `report` (rlvr_rewards/report/cli.py)
    lam = sub.add_parser("lambda", help="build and run the SageMaker RLVR reward Lambda")
    lam_sub = lam.add_subparsers(dest="lambda_command", required=True)
    b = lam_sub.add_parser("build", help="write reward.zip, lambda_function.py and (--sam) template.yaml")
    b.add_argument("--out", required=True, help="output directory")
    b.add_argument("--python", default="3.12", help="Lambda Python runtime version (default 3.12)")
    b.add_argument("--arch", default="x86_64", choices=["x86_64", "arm64"])
    b.add_argument("--sam", action="store_true", help="also write a SAM/CloudFormation template")
    b.add_argument("--config", help="JSON file of Lambda settings to bundle (see docs/lambda.md)")
    b.add_argument("--preset", help="preset to bundle (overrides --config)")
    b.add_argument("--output-style", choices=["oss", "nova"], help="response style to bundle")
    b.add_argument("--format", help="tool-call format to bundle (docs/formats.md; default: detected)")
    b.set_defaults(func=_cmd_lambda_build)
    i = lam_sub.add_parser("invoke", help="run a built reward.zip on an event in a clean interpreter")
    i.add_argument("--artifact", required=True, help="the reward.zip to run")
    i.add_argument("--event", required=True, help="JSON file with the event (a list of samples)")
    i.add_argument("--python-exe", help="interpreter matching the artifact's Python (default: this one)")
    i.add_argument("--timeout-ms", type=float, default=300_000, help="simulated Lambda time budget")
    i.set_defaults(func=_cmd_lambda_invoke)
    sv = sub.add_parser("serve", help="run the reward server (HTTP: /score, /get_reward, /verl/compute_score, /verify)")
    sv.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    sv.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    sv.add_argument("--workers", type=int, default=1, help="scoring processes (default 1)")
    sv.add_argument("--preset", default="graded", help="the default preset (a /score request may name another)")
    sv.add_argument("--format", help="the completions' tool-call format (docs/formats.md; default: detected)")
    sv.add_argument("--max-batch", type=int, default=4096, help="items per request (default 4096; more: 413)")
    sv.add_argument("--max-body-mb", type=float, default=8.0, help="request body limit in MiB (default 8; more: 413)")
    sv.add_argument("--timeout", type=float, default=60.0, help="seconds to score a request (default 60; more: 504)")
    sv.add_argument("--max-pending", type=int, default=16, help="requests being scored at once (default 16; more: 429)")
    sv.set_defaults(func=_cmd_serve)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                _add_quiet(child)
    return parser


def _add_quiet(parser: argparse.ArgumentParser) -> None:
    """``--quiet`` on every command (the leaves of the subcommand tree): no progress bars (they are drawn only on
    a terminal anyway, :mod:`rlvr_rewards.util.progress`); results, notes and errors are printed as ever."""
    subcommands = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subcommands:
        add_quiet_option(parser)
        return
    for action in subcommands:
        for child in dict.fromkeys(action.choices.values()):
            _add_quiet(child)


def _print_help(parser: argparse.ArgumentParser) -> int:
    """``rlvr-rewards`` alone: the help, exit 0."""
    parser.print_help()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line. Exit codes: 0 done; 1 ``validate`` found problems; 2 a user error (the message
    names the file, line, row id, field and what was expected), never a traceback."""
    args = build_parser().parse_args(argv)
    # A command loads whole files (25,000 rows of tool specs are millions of containers) and keeps them: with
    # the default thresholds the cyclic collector walks that growing heap again and again (25.4 s -> 12.9 s for
    # `score` on 200k completions with these thresholds, the same peak memory). Restored afterwards: main() is
    # also called in-process.
    thresholds = gc.get_threshold()
    gc.set_threshold(GC_THRESHOLDS[0], GC_THRESHOLDS[1], GC_THRESHOLDS[2])
    try:
        return int(args.func(args))
    except RlvrRewardsError as exc:
        print(f"rlvr-rewards: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and closed early: not an error
        sys.stderr.close()
        return 0
    except OSError as exc:  # e.g. the disk filled up while writing --out (paths are checked before any work)
        print(f"rlvr-rewards: error: {exc}", file=sys.stderr)
        return 2
    finally:
        gc.set_threshold(*thresholds)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
