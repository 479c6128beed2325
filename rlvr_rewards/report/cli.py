"""The ``rlvr-rewards report`` command: one scored run, or two compared, as one self-contained HTML page.

    rlvr-rewards report --data ROWS --completions C [--preset P] [--format F] --out report.html
        [--png-dir DIR] [--worst N] [--seed S] [--resamples R]
    rlvr-rewards report --data ROWS --compare A B [--preset P] [--format F] --out compare.html [...]

Contract: :func:`add_report_parser` adds ``report`` to the ``rlvr-rewards`` parser's subparsers, with
:func:`cmd_report` as its ``func``: it takes the parsed arguments, returns the exit code (0) and raises
:class:`~rlvr_rewards.errors.ConfigError` for bad input, as every command of :mod:`rlvr_rewards.cli` does (the
command line prints it and exits 2). Before any work it checks that matplotlib is installed (else the error
says ``pip install 'rlvr-rewards[report]'``), that ``--out`` can be written, that ``--png-dir`` is a folder or
can be made one, and that the preset and format exist. The rows and completions are read and scored as
``rlvr-rewards score`` reads and scores them (:mod:`rlvr_rewards.integrations.runs`); the page is
:mod:`rlvr_rewards.report.document`'s. ``--png-dir`` also writes each figure as ``DIR/<name>.png``. The page is
written only once everything is computed.
"""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rlvr_rewards.errors import ConfigError
from rlvr_rewards.integrations.files import check_writable

__all__ = ["add_report_parser", "cmd_report"]

INSTALL = "pip install 'rlvr-rewards[report]'"


def count_type(what: str) -> Callable[[str], int]:
    """An argparse type: a whole number, at least 1, of ``what``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number of {what}, got {text!r}") from None
        if value < 1:
            raise argparse.ArgumentTypeError(f"expected at least 1 {what}, got {value}")
        return value

    return parse


def add_report_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Add ``report`` to ``subparsers`` (``parser.add_subparsers(...)`` of the command line); returns its parser."""
    r = subparsers.add_parser(
        "report",
        help="an HTML report of a scored run (means with intervals, confusion, reasons, GRPO groups, worst "
        "examples), or of two runs compared (--compare A B)",
    )
    r.add_argument("--data", required=True, help="rows: JSON Lines or Parquet (prompt, reward_model.ground_truth, ...)")
    inputs = r.add_mutually_exclusive_group(required=True)
    inputs.add_argument(
        "--completions", help="completions JSONL: {'id': row id, 'completion': text or messages} per line"
    )
    inputs.add_argument(
        "--compare",
        nargs=2,
        metavar=("A", "B"),
        help="two completion files on the same rows (e.g. base and tuned model): B is compared with A, "
        "completions paired by row id and position within the row's group",
    )
    r.add_argument(
        "--scores",
        nargs="+",
        metavar="SCORES",
        help="the scores `rlvr-rewards score --out` wrote for --completions (or two, for the two --compare files, "
        "in order): read instead of scoring again; checked against the files through their .meta.json",
    )
    r.add_argument("--preset", help="the preset to score with (default graded; with --scores, the one they used)")
    r.add_argument("--format", help="the completions' tool-call format (docs/formats.md; default: detected)")
    r.add_argument("--out", required=True, help="the HTML page to write")
    r.add_argument("--png-dir", help="also write each figure as a PNG file in this folder (made if missing)")
    r.add_argument(
        "--worst",
        type=count_type("examples"),
        default=10,
        help="examples listed: the N lowest rewards; with --compare the N rows most improved and most degraded "
        "(default 10)",
    )
    r.add_argument("--seed", type=int, default=0, help="the bootstrap's random seed (default 0)")
    r.add_argument(
        "--resamples",
        type=count_type("resamples"),
        default=2000,
        help="bootstrap resamples (default 2000)",
    )
    from rlvr_rewards.util.progress import add_quiet_option

    add_quiet_option(r)
    r.set_defaults(func=cmd_report)
    return r


def _require_matplotlib() -> None:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise ConfigError(f"report draws its figures with matplotlib, which is not installed: {INSTALL}") from None


def _png_dir(path: str | None) -> Path | None:
    if path is None:
        return None
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"--png-dir {folder}: is a file; expected a folder to write the figures in")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"--png-dir {folder}: cannot be made ({exc.strerror})") from None
    check_writable(folder / "confusion.png", "--png-dir")
    return folder


def _command(args: argparse.Namespace) -> str:
    words = ["rlvr-rewards", "report", "--data", args.data]
    words += ["--compare", *args.compare] if args.compare else ["--completions", args.completions]
    words += ["--scores", *args.scores] if args.scores else []
    words += ["--preset", args.preset, *(["--format", args.format] if args.format else [])]
    words += ["--out", args.out, *(["--png-dir", args.png_dir] if args.png_dir else [])]
    words += ["--worst", str(args.worst), "--seed", str(args.seed), "--resamples", str(args.resamples)]
    return shlex.join(words)


def _scores_meta(scores: str) -> dict[str, Any] | None:
    """The run metadata ``score --out SCORES`` wrote beside its scores (``SCORES.meta.json``), if any."""
    from rlvr_rewards.integrations.files import read_json_document

    path = Path(f"{scores}.meta.json")
    if not path.is_file():
        return None
    meta = read_json_document(path, "--scores")
    if not isinstance(meta, dict):
        raise ConfigError(f"--scores {path}: expected the JSON object `rlvr-rewards score --out` writes")
    return meta


def _check_scores(args: argparse.Namespace, completions: list[str]) -> tuple[str, str | None]:
    """With ``--scores``: one scores file per completion file, each checked against its run metadata (when
    present: the same data and completions, by SHA-256); the preset and format they were scored with."""
    from rlvr_rewards.integrations.files import file_sha256

    if len(args.scores) != len(completions):
        raise ConfigError(
            f"--scores: got {len(args.scores)} file(s) for {len(completions)} completion file(s); give the "
            "scores of each (`rlvr-rewards score --out`), in the same order"
        )
    used: set[tuple[str, str | None]] = set()
    for scores, comp in zip(args.scores, completions, strict=True):
        meta = _scores_meta(scores)
        if meta is None:
            used.add((args.preset or "graded", args.format))
            continue
        inputs = meta.get("inputs") if isinstance(meta.get("inputs"), dict) else {}
        for option, path in (("--data", args.data), ("--completions", comp)):
            recorded = inputs.get(option.removeprefix("--"), {}) if isinstance(inputs, dict) else {}
            want = recorded.get("sha256") if isinstance(recorded, dict) else None
            if want is not None and want != file_sha256(path):
                raise ConfigError(
                    f"--scores {scores}: was scored from {recorded.get('path')!r} (SHA-256 {want[:12]}...), which "
                    f"is not {option} {path} as it is now (SHA-256 {file_sha256(path)[:12]}...); score the file "
                    "again or report without --scores"
                )
        preset = str(meta.get("preset") or "graded")
        if args.preset is not None and args.preset != preset:
            raise ConfigError(
                f"--preset {args.preset}: the scores in {scores} were made with preset {preset!r}; drop --preset "
                "or score again with it"
            )
        if meta.get("limit") is not None:
            raise ConfigError(
                f"--scores {scores}: scored only the first {meta['limit']} completions (score --limit); report "
                "needs the scores of the whole file"
            )
        used.add((preset, meta.get("format") if args.format is None else args.format))
    if len(used) > 1:
        raise ConfigError(
            f"--scores: the files were scored with different presets or formats ({sorted(map(str, used))})"
        )
    return used.pop()


def cmd_report(args: argparse.Namespace) -> int:
    """``report`` (see the module contract)."""
    _require_matplotlib()
    from rlvr_rewards.integrations.runs import (
        load_rows,
        pair_runs,
        read_completions,
        read_scores,
        score_completions,
    )
    from rlvr_rewards.plugins import get_registry
    from rlvr_rewards.report.document import Settings, compare_report, run_report
    from rlvr_rewards.util.progress import for_command

    check_writable(args.out, "--out")
    png_dir = _png_dir(args.png_dir)
    files = list(args.compare) if args.compare else [args.completions]
    if args.scores:
        preset, fmt = _check_scores(args, files)
    else:
        preset, fmt = args.preset or "graded", args.format
    get_registry().preset(preset)  # an unknown preset or format fails before any work
    get_registry().parsers_for(fmt)
    args.preset, args.format = preset, fmt
    scores = tuple(
        (f"--scores ({ab})" if len(args.scores) > 1 else "--scores", path)
        for ab, path in zip("AB", args.scores or (), strict=False)
    )
    settings = Settings(
        resamples=args.resamples, seed=args.seed, examples=args.worst, command=_command(args), inputs=scores
    )
    progress = for_command(args.quiet)
    rows = load_rows(args.data, progress)
    option = "--compare" if args.compare else "--completions"
    found = [read_completions(rows, path, option, progress=progress) for path in files]
    if args.compare:
        pair_runs(*found)  # files that cannot be paired fail before any scoring
    if args.scores:
        runs = [read_scores(f, path, "--scores", preset, fmt) for f, path in zip(found, args.scores, strict=True)]
    else:
        runs = [score_completions(f, preset, fmt, progress=progress) for f in found]
    with progress.task("drawing the report", total=None):
        if args.compare:
            report = compare_report(runs[0], runs[1], settings)
            what = f"{files[1]} (B) compared with {files[0]} (A), {len(runs[0])} paired completions"
        else:
            report = run_report(runs[0], settings)
            what = f"{files[0]}, {len(runs[0])} completions"
    Path(args.out).write_text(report.html, encoding="utf-8")
    print(f"rlvr-rewards report: {what}; wrote {args.out} ({len(report.html.encode('utf-8')) / 1024:.0f} KiB)")
    if png_dir is not None:
        for name, png in report.figures.items():
            (png_dir / f"{name}.png").write_bytes(png)
        print(f"figures written to {png_dir}: {', '.join(f'{name}.png' for name in report.figures)}")
    return 0
