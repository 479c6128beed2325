"""Progress bars (rlvr_rewards/util/progress.py) and the pieces that feed them: ``score_batch(progress=...)`` gives
the result it gives without, ``read_records(progress=...)`` reports the bytes read; the command line draws bars only
on a terminal, on standard error, and not with ``--quiet``."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import rlvr_rewards as rr
from rlvr_rewards.cli import build_parser, main
from rlvr_rewards.integrations.files import read_records
from rlvr_rewards.scoring import core
from rlvr_rewards.util.progress import Progress, for_command

from .helpers import benchmark

EXAMPLE = Path(rr.__file__).resolve().parent / "data"
ROWS = EXAMPLE / "example_rows.jsonl"
COMPLETIONS = EXAMPLE / "example_completions.jsonl"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize("use_rich", [True, False])
def test_a_slow_task_draws_a_bar_on_the_stream_and_removes_it(use_rich: bool) -> None:
    stream, clock = Terminal(), Clock()
    progress = Progress(True, stream, delay=1.0, clock=clock, use_rich=use_rich)
    with progress.task("scoring f.jsonl", total=1000) as advance:
        advance(100)
        assert stream.getvalue() == ""  # nothing during the first second
        clock.now = 2.0
        advance(400)
        drawn = ANSI.sub("", stream.getvalue())
        assert "scoring f.jsonl" in drawn and "500" in drawn and "1,000" in drawn.replace("/1000", "/1,000")
    final = stream.getvalue()
    if not use_rich:  # the plain line is wiped at the end
        assert final.endswith("\r")


@pytest.mark.parametrize("use_rich", [True, False])
def test_a_quick_task_prints_nothing(use_rich: bool) -> None:
    stream = Terminal()
    progress = Progress(True, stream, delay=60.0, use_rich=use_rich)
    with progress.task("reading", total=10) as advance:
        advance(10)
    assert stream.getvalue() == ""


def test_a_long_step_without_advances_is_shown_by_the_timer() -> None:
    stream = Terminal()
    progress = Progress(True, stream, delay=0.05, use_rich=False)
    import time

    with progress.task("checking 25,000 rows", total=None):
        time.sleep(0.5)
    assert "checking 25,000 rows" in stream.getvalue()


def test_disabled_progress_writes_nothing_and_yields_a_no_op() -> None:
    stream, clock = Terminal(), Clock()
    progress = Progress(False, stream, delay=0.0, clock=clock)
    with progress.task("x", total=3) as advance:
        clock.now = 10.0
        advance(3)
    assert stream.getvalue() == ""


def test_bars_only_on_a_terminal_and_not_when_quiet() -> None:
    assert for_command(False, Terminal()).enabled
    assert not for_command(True, Terminal()).enabled
    assert not for_command(False, io.StringIO()).enabled  # a pipe, a log file, CI output


def _leaves(parser: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    import argparse

    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        return [(path, parser)]
    return [leaf for a in subs for name, child in a.choices.items() for leaf in _leaves(child, (*path, name))]


def test_every_command_takes_quiet() -> None:
    leaves = _leaves(build_parser())
    assert len(leaves) >= 12
    for path, parser in leaves:
        assert any("--quiet" in a.option_strings for a in parser._actions), path


def test_score_with_progress_equals_score_without() -> None:
    wl = benchmark("workload").make_workload(n_prompts=90, rollouts=8, seed=3)
    args = (wl.completions, wl.ground_truths)
    plain = rr.score_batch(*args, tools=[wl.tools] * len(wl), groups=wl.groups)
    seen: list[int] = []
    original = core.PROGRESS_SPAN
    core.PROGRESS_SPAN = 100  # several spans, the last one short
    try:
        spanned = rr.score_batch(*args, tools=[wl.tools] * len(wl), groups=wl.groups, progress=seen.append)
    finally:
        core.PROGRESS_SPAN = original
    assert seen == [100] * 7 + [20]
    assert np.array_equal(plain.rewards, spanned.rewards)
    assert list(plain.reasons) == list(spanned.reasons) and list(plain.behaviors) == list(spanned.behaviors)
    assert plain.components.keys() == spanned.components.keys()
    for k in plain.components:
        assert np.array_equal(plain.components[k], spanned.components[k], equal_nan=True)
    assert plain.summary() == spanned.summary()


def test_a_bad_truth_keeps_its_batch_index_across_spans() -> None:
    wl = benchmark("workload").make_workload(n_prompts=30, rollouts=8, seed=1)
    truths = list(wl.ground_truths)
    truths[150] = {"behavior": "execute", "calls": "not a list"}
    original = core.PROGRESS_SPAN
    core.PROGRESS_SPAN = 100
    try:
        with pytest.raises(rr.GroundTruthError) as caught:
            rr.score_batch(wl.completions, truths, tools=[wl.tools] * len(wl), progress=lambda k: None)
    finally:
        core.PROGRESS_SPAN = original
    assert caught.value.index == 150


def test_read_records_reports_the_bytes_read(tmp_path: Path) -> None:
    lines = [f'{{"id": {i}, "completion": "{"x" * (i % 7)}"}}\n' for i in range(3000)]
    path = tmp_path / "c.jsonl"
    path.write_text("".join(lines))
    positions: list[int] = []
    records = read_records(path, "--completions", progress=positions.append)
    assert len(records) == 3000
    assert positions == sorted(positions) and positions[-1] == path.stat().st_size
    assert len(positions) == 3000 // 1024 + 1


def test_the_score_command_draws_bars_on_stderr_only_on_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import rlvr_rewards.util.progress as progress_module

    monkeypatch.setattr(progress_module, "DELAY", 0.0)
    quiet_out = tmp_path / "q.jsonl"
    assert main(["score", "--data", str(ROWS), "--completions", str(COMPLETIONS), "--out", str(quiet_out)]) == 0
    piped = capsys.readouterr()
    assert "\r" not in piped.err and "scoring" not in piped.err  # stderr is not a terminal here

    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    shown_out = tmp_path / "s.jsonl"
    assert main(["score", "--data", str(ROWS), "--completions", str(COMPLETIONS), "--out", str(shown_out)]) == 0
    drawn = ANSI.sub("", terminal.getvalue())
    assert "reading" in drawn and "scoring" in drawn
    assert "\r" not in capsys.readouterr().out  # results stay clean
    assert quiet_out.read_bytes() == shown_out.read_bytes()

    terminal.seek(0)
    terminal.truncate()
    assert main(["score", "--data", str(ROWS), "--completions", str(COMPLETIONS), "--quiet"]) == 0
    assert terminal.getvalue() == ""


@pytest.mark.parametrize(
    ("argv", "shown"),
    [
        (["data", "stats", "--data", str(ROWS)], ["reading", "checking 60 rows"]),
        (
            ["data", "split", "--data", str(ROWS), "--train", "{tmp}/t.jsonl", "--held-out", "{tmp}/h.jsonl"],
            ["splitting"],
        ),
        (["data", "augment", "--data", str(ROWS), "--out", "{tmp}/a.jsonl"], ["augmenting 60 rows"]),
        (["data", "pivots", "--data", str(ROWS), "--out", "{tmp}/p.jsonl"], ["cutting 60 rows"]),
        (["validate", "--data", str(ROWS)], ["checking"]),
        (["convert", "--from", "rows", "--data", str(ROWS), "--out", "{tmp}/c.jsonl"], ["reading", "checking 60 rows"]),
        (
            ["report", "--data", str(ROWS), "--completions", str(COMPLETIONS), "--out", "{tmp}/r.html"],
            ["scoring", "drawing"],
        ),
    ],
    ids=["stats", "split", "augment", "pivots", "validate", "convert", "report"],
)
def test_every_long_command_draws_its_steps_on_a_terminal(
    argv: list[str],
    shown: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import rlvr_rewards.util.progress as progress_module

    if argv[0] == "report":
        pytest.importorskip("matplotlib")
    monkeypatch.setattr(progress_module, "DELAY", 0.0)
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    args = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    assert main(args) == 0
    drawn = ANSI.sub("", terminal.getvalue())
    for step in shown:
        assert step in drawn, (step, drawn[-500:])
    terminal.seek(0)
    terminal.truncate()
    assert main([*args, "--quiet"]) == 0
    assert terminal.getvalue() == ""
    assert "\r" not in capsys.readouterr().out
