"""Time promises tested as ratios measured in the same test, never as absolute seconds.

A test here never says "under 0.5 s": on a shared machine whose cores are busy every absolute budget is
either too tight (the test fails for the neighbour's load) or too loose (it catches nothing). Absolute
figures belong to ``benchmarks/``. What a test can assert on any machine:

- **bounded**: the code under test costs at most ``factor`` times a *reference* task measured in the same
  test, interleaved with it (a busy machine slows both alike). The reference is decoding a fixed
  megabyte of JSON with the standard library (:func:`reference_task`): real, linear work that our own
  optimisations cannot move. Factors are set about 10x above the measured ratios (printed with ``-s``),
  so a failure means a change of complexity, not noise; a quadratic path at these sizes costs 1,000x.
- **linear**: ``cost(10 n) / cost(n) <= bound`` (:func:`assert_linear`).

Each measurement is the best of several runs with the garbage collector disabled (a preempted run
only makes one sample slower, and the best drops it); a ratio over its bound is measured
again (up to ``rounds`` times, keeping the best of each side) before the test fails.
"""

from __future__ import annotations

import gc
import json
import math
import time
from collections.abc import Callable
from functools import lru_cache
from typing import Any

#: Times below this count as this much in a ratio's denominator: below half a millisecond a ratio
#: measures the timer and the interpreter's warm-up, not the code.
TIMER_NOISE_SECONDS = 0.0005


@lru_cache(maxsize=1)
def _reference_document() -> str:
    """About a megabyte of ordinary JSON: 5,000 tool-call-like objects with strings, numbers and lists."""
    items = [
        {
            "name": f"tool_{i % 50}",
            "arguments": {
                "city": f"City number {i}",
                "days": i % 14,
                "ratio": i / 7.0,
                "tags": ["a", "b", str(i)],
                "nested": {"flag": i % 2 == 0, "note": "x" * 40},
            },
        }
        for i in range(5_000)
    ]
    return json.dumps(items)


def reference_task() -> None:
    """The yardstick: decode :func:`_reference_document` with the standard library."""
    json.loads(_reference_document())


def best_times(tasks: dict[str, Callable[[], Any]], repeats: int = 3) -> dict[str, float]:
    """Best wall time of each task over ``repeats`` interleaved rounds (after one warm-up call each)."""
    for fn in tasks.values():
        fn()
    best = dict.fromkeys(tasks, math.inf)
    was = gc.isenabled()
    gc.disable()  # (no gc.collect() first: in a long test process one full collection costs half a second)
    try:
        for _ in range(repeats):
            for name, fn in tasks.items():
                t0 = time.perf_counter()
                fn()
                best[name] = min(best[name], time.perf_counter() - t0)
    finally:
        if was:
            gc.enable()
    return best


def ratio_of(
    numerator: Callable[[], Any], denominator: Callable[[], Any], bound: float, *, repeats: int = 3, rounds: int = 3
) -> float:
    """``time(numerator) / max(time(denominator), TIMER_NOISE_SECONDS)``, best of ``repeats`` interleaved
    runs; measured again (keeping each side's best so far) while it exceeds ``bound``, up to ``rounds``."""
    best = {"num": math.inf, "den": math.inf}
    ratio = math.inf
    for _ in range(rounds):
        times = best_times({"num": numerator, "den": denominator}, repeats)
        best = {k: min(best[k], times[k]) for k in best}
        ratio = best["num"] / max(best["den"], TIMER_NOISE_SECONDS)
        if ratio <= bound:
            break
    return ratio


def assert_bounded(
    task: Callable[[], Any], factor: float, what: str, *, repeats: int = 3, measured: float | None = None
) -> float:
    """``task`` costs at most ``factor`` times :func:`reference_task` (decoding a megabyte of JSON).

    ``measured``: seconds the caller already timed for one run of ``task``; compared with a reference
    measured now, it settles the common case without running ``task`` again. Only a ratio over the bound
    is measured properly (interleaved, best of ``repeats``, up to three rounds) before the test fails."""
    if measured is not None:
        ratio = measured / max(best_times({"reference": reference_task}, 3)["reference"], TIMER_NOISE_SECONDS)
        if ratio <= factor:
            print(f"{what}: {ratio:.2f}x the reference (bound {factor}x)")
            return ratio
    ratio = ratio_of(task, reference_task, factor, repeats=repeats)
    print(f"{what}: {ratio:.2f}x the reference (bound {factor}x)")
    assert ratio <= factor, f"{what} costs {ratio:.1f}x decoding a megabyte of JSON (bound {factor}x)"
    return ratio


def assert_linear(
    small: Callable[[], Any], big: Callable[[], Any], bound: float, what: str, *, repeats: int = 3
) -> float:
    """``time(big) / time(small) <= bound`` (``big`` is ``small``'s input made 10x longer, say)."""
    ratio = ratio_of(big, small, bound, repeats=repeats)
    print(f"{what}: big / small = {ratio:.2f} (bound {bound})")
    assert ratio <= bound, f"{what}: 10x the input costs {ratio:.1f}x the time (bound {bound})"
    return ratio


def measured_until(measure: Callable[[], float], passes: Callable[[float], bool], *, attempts: int = 3) -> float:
    """Run ``measure`` (a same-run ratio) until ``passes`` accepts it, at most ``attempts`` times; return the
    first accepted figure, or the last. A neighbour's load spike rarely spans three measurements; a real
    regression fails every one."""
    figure = measure()
    for _ in range(attempts - 1):
        if passes(figure):
            break
        print(f"measured {figure:.3f}, outside its bound: measuring again")
        figure = measure()
    return figure
