"""The CI performance check: ``graded`` throughput divided by the bare parse floor's, measured in the same
process and interleaved, must not fall below the floors in ``benchmarks/floors.json``.

The floors sit at about 70 % of the ratios in ``benchmarks/README.md`` (a noisy shared machine moves a
same-run ratio by 10-20 %, a real slowdown of the scorer by much more). A failure means the scorer got
slower relative to bare ``orjson`` parsing (a figure under its floor is measured again, up to three times:
a neighbour's load spike rarely spans three measurements, a regression fails each);
``python benchmarks/bench_throughput.py --profile`` shows where the time goes.
"""

from __future__ import annotations

import gc
import statistics
import time

import pytest

import rlvr_rewards as rr

from .helpers import BENCH_DIR, benchmark
from .timing import measured_until

parse_floor = benchmark("baselines").parse_floor
FLOORS = benchmark("bench_throughput").FLOORS
make_workload = benchmark("workload").make_workload

pytestmark = pytest.mark.slow  # a throughput benchmark (interleaved, 7 repeats)

PROMPTS = 1000  # 8,000 completions: large enough that per-call costs do not dominate
REPEATS = 7


@pytest.mark.parametrize("variant", sorted(FLOORS))
def test_graded_throughput_ratio_to_the_parse_floor(variant: str) -> None:
    wl = make_workload(PROMPTS, 8, seed=0, variant=variant)  # type: ignore[arg-type]

    def graded() -> object:
        return rr.score_batch(wl.completions, wl.ground_truths, tools=wl.tools, groups=wl.groups)

    def floor() -> object:
        return parse_floor(wl.completions)

    def measure() -> float:
        times: dict[str, list[float]] = {"graded": [], "floor": []}
        for _ in range(REPEATS):
            for name, fn in (("floor", floor), ("graded", graded)):
                gc.collect()
                t0 = time.perf_counter()
                fn()
                times[name].append(time.perf_counter() - t0)
        return statistics.median(times["floor"]) / statistics.median(times["graded"])

    graded()  # warm: registry, truths, tools, validators
    ratio = measured_until(measure, lambda r: r >= FLOORS[variant])
    print(f"{variant}: graded / floor throughput = {ratio:.3f} (floor {FLOORS[variant]})")
    assert ratio >= FLOORS[variant], (
        f"{variant}: graded throughput fell to {ratio:.3f}x the parse floor's, below the CI floor "
        f"{FLOORS[variant]} (benchmarks/floors.json); profile with "
        "`python benchmarks/bench_throughput.py --profile`"
    )


def test_floors_are_set_below_the_published_figures() -> None:
    readme = (BENCH_DIR / "README.md").read_text(encoding="utf-8")
    assert "CI floors (`floors.json`, graded / parse floor)" in readme
    for variant, floor in FLOORS.items():
        assert 0 < floor < 1, (variant, floor)
