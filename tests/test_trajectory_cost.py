"""CI ceiling on what scoring a trajectory costs (``benchmarks/bench_trajectory.py``; ``floors.json``,
``trajectory_ceilings``): a 10-step trajectory (nine calling steps with their tool results, then a final answer)
over one step of the standard workload, per completion, both through ``rr.score_batch`` on batches of the same
size. The figure is a ratio of two timings measured in this process, interleaved (median of per-round paired
ratios), so a noisy machine moves it by 10-20 % and a real regression by much more; a figure over its ceiling is
measured again, up to three times, before the test fails. The ceiling sits above the figure in
benchmarks/README.md ("Trajectories"); lower it when the code gets cheaper (issue 19's target is 12x)."""

from __future__ import annotations

import json
import re

import pytest

from .helpers import BENCH_DIR, benchmark
from .timing import measured_until

_bench = benchmark("bench_trajectory")

pytestmark = pytest.mark.slow  # interleaved timings

CEILINGS = json.loads((BENCH_DIR / "floors.json").read_text(encoding="utf-8"))["trajectory_ceilings"]


def test_a_ten_step_trajectory_against_one_step_of_the_standard_workload() -> None:
    last: dict[str, float] = {}

    def ratio() -> float:
        last.clear()
        last.update(_bench.trajectory_ratio(prompts=40, repeats=5))
        return last["ratio"]

    measured_until(ratio, lambda r: r <= CEILINGS["ten_steps"])
    print(f"10-step trajectory / single step, per completion: {last['ratio']:.2f}x (ceiling {CEILINGS['ten_steps']})")
    assert last["ratio"] <= CEILINGS["ten_steps"], last


def test_the_trajectories_are_built_as_described() -> None:
    """The benchmark measures what it says: ten assistant messages, a tool result after each call, one execute
    turn of nine expected calls, groups of eight with repeats."""
    completions, truths = _bench.make_trajectories(prompts=4, rollouts=8)
    assert len(completions) == len(truths) == 32
    for messages, truth in zip(completions, truths, strict=True):
        assert sum(m["role"] == "assistant" for m in messages) == _bench.STEPS
        (turn,) = truth["turns"]
        assert len(turn["calls"]) == _bench.STEPS - 1
    assert len({json.dumps(c) for c in completions}) < len(completions)  # repeats within groups, as in GRPO


def test_the_ceiling_is_above_the_published_figure() -> None:
    readme = (BENCH_DIR / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- trajectory:start -->", 1)[1].split("<!-- trajectory:end -->", 1)[0]
    found = re.search(
        r"a 10-step trajectory / a single step of the standard workload, per completion \| ([0-9.]+)x", block
    )
    assert found is not None, "run python benchmarks/bench_trajectory.py --update-readme"
    assert float(found.group(1)) < CEILINGS["ten_steps"], (found.group(1), CEILINGS["ten_steps"])
