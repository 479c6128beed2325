"""CI ceilings on what hosts' call shapes cost (``benchmarks/bench_per_item.py``; ``floors.json``,
``per_item_ceilings``): every figure is a ratio of two timings measured in a fresh interpreter (what a long test
process holds, its heap and its full caches, moved the tool-copies ratio from 2.0 to 3.7), interleaved, so a
noisy machine moves it by 10-20 % and a real regression by much more; a figure over its ceiling is measured
again, up to three times, before the test fails. The ceilings sit above the figures in
benchmarks/README.md ("Per item"); lower them when the code gets cheaper."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest

from .helpers import BENCH_DIR, benchmark
from .timing import measured_until

_bench = benchmark("bench_per_item")
cold_import = _bench.cold_import


def _fresh(function: str, **kwargs: Any) -> Callable[[], dict[str, float]]:
    """``bench_per_item.<function>(**kwargs)`` run in a fresh interpreter: its figures."""
    code = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); import bench_per_item as b; "
        f"print(json.dumps(b.{function}(**json.loads(sys.argv[2]))))"
    )

    def run() -> dict[str, float]:
        done = subprocess.run(
            [sys.executable, "-c", code, str(BENCH_DIR), json.dumps(kwargs)],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
        return figures

    return run


pytestmark = pytest.mark.slow  # interleaved timings

CEILINGS = json.loads((BENCH_DIR / "floors.json").read_text(encoding="utf-8"))["per_item_ceilings"]


def _within(measure: Callable[[], dict[str, float]], ceiling: str) -> dict[str, float]:
    """``measure()``'s figures, measured again (up to three times) while the ratio is over its ceiling."""
    last: dict[str, float] = {}

    def ratio() -> float:
        last.clear()
        last.update(measure())
        return last["ratio"]

    measured_until(ratio, lambda r: r <= CEILINGS[ceiling])
    return last


def test_one_item_per_call_against_one_batch_call() -> None:
    got = _within(_fresh("per_item", prompts=60, repeats=5), "per_item")
    print(f"rr.score per item / score_batch per completion: {got['ratio']:.2f}x (ceiling {CEILINGS['per_item']})")
    assert got["ratio"] <= CEILINGS["per_item"], got


@pytest.mark.parametrize("k", [10, 100])
def test_a_copy_of_the_tools_per_row_against_one_shared_list(k: int) -> None:
    got = _within(_fresh("tools_copies", k=k, prompts=60, repeats=5), "tools_copies")
    print(f"{k} tools, copies / shared: {got['ratio']:.2f}x (ceiling {CEILINGS['tools_copies']})")
    assert got["ratio"] <= CEILINGS["tools_copies"], got


@pytest.mark.parametrize("k", [10, 100])
def test_a_json_text_copy_of_the_tools_per_row_against_one_shared_list(k: int) -> None:
    got = _within(_fresh("tools_copies", k=k, prompts=60, repeats=5, as_text=True), "tools_text_copies")
    print(f"{k} tools, JSON-text copies / shared: {got['ratio']:.2f}x (ceiling {CEILINGS['tools_text_copies']})")
    assert got["ratio"] <= CEILINGS["tools_text_copies"], got


def test_free_text_cues_against_the_reasoning_split() -> None:
    got = _within(_fresh("cue_per_char", repeats=5), "cue_per_char")
    print(f"free-text refusal / reasoning: {got['ratio']:.2f}x (ceiling {CEILINGS['cue_per_char']})")
    assert got["ratio"] <= CEILINGS["cue_per_char"], got


def test_cold_import_of_the_lambda_module() -> None:
    got = _within(lambda: cold_import(repeats=5), "cold_import")
    print(f"import rlvr_rewards.aws_lambda / bare interpreter: {got['ratio']:.2f}x (ceiling {CEILINGS['cold_import']})")
    assert got["ratio"] <= CEILINGS["cold_import"], got


def test_the_ceilings_are_above_the_published_figures() -> None:
    readme = (BENCH_DIR / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- per-item:start -->", 1)[1].split("<!-- per-item:end -->", 1)[0]
    assert "rr.score` per item" in block, "run python benchmarks/bench_per_item.py --update-readme"
    published = {
        "per_item": r"`rr.score` per item / `score_batch` per completion \| ([0-9.]+)x",
        "tools_copies": r"a copy of the tools per row / one shared list, 100 tools \| ([0-9.]+)x",
        "tools_text_copies": r"JSON-text copy of the tools per row / one shared list, 100 tools \| ([0-9.]+)x",
        "cue_per_char": r"the same text as reasoning \| ([0-9.]+)x",
        "cold_import": r"aws_lambda` / bare interpreter \| ([0-9.]+)x",
    }
    for key, pattern in published.items():
        found = re.search(pattern, block)
        assert found is not None, key
        assert float(found.group(1)) < CEILINGS[key], (key, found.group(1), CEILINGS[key])
