"""Time: a p99 budget per completion at 10^5 characters, and linear growth, over many shapes of output.

- Budget: every shape in ``SHAPES`` (>= 20: prose, a huge argument, many calls, many tags, deep-but-allowed
  nesting, reasoning blocks, pythonic lists, JSON fences, OpenAI messages, question marks, refusals,
  whitespace, ...) is built at 10^5 characters and scored (graded, execute truth, tools, default limits);
  best of 3 after a warm-up, GC collected and disabled, in a fresh interpreter (a long test process has a
  fragmented heap). p99 over the shapes <= ``BUDGET_FACTOR`` (5) times decoding a megabyte of JSON with the
  standard library in the same interpreter (tests/timing.py): the 50 ms budget that docs/reliability.md
  reports, as a ratio that holds on a busy or slower machine.
- Linearity: each shape at 2*10^4 and 2*10^5 characters (limits raised to 10^6, best of 5): 10x the input
  costs at most 12x the time (times under 0.5 ms count as 0.5 ms); a failing ratio is re-measured up to
  twice.
  ``ALLOCATION_BOUND_SHAPES`` (nothing but 60-deep lists) count for the budget only: see their definition.
- Word-dense text and long whitespace runs inside one sentence are measured apart.

Figures are printed (``-s``) and written to docs/reliability.md by tools/reliability_report.py.
"""

from __future__ import annotations

from typing import Any

import pytest

import rlvr_rewards as rr

from .reliability_inputs import (
    ALLOCATION_BOUND_SHAPES,
    BUDGET_FACTOR,
    LINEARITY_MAX_RATIO,
    SHAPES,
    TRUTHS,
    WHITESPACE_RUN_CUES,
    WORD_DENSE_SHAPES,
    measure_in_subprocess,
    percentile,
    size_of,
    whitespace_run,
)
from .timing import assert_linear

N = 100_000


@pytest.fixture(scope="module")
def linear() -> dict[str, dict[str, Any]]:
    """Linearity of every shape, measured in one fresh interpreter (see measure_in_subprocess)."""
    return measure_in_subprocess("linearity", list(SHAPES) + list(WORD_DENSE_SHAPES))


def test_there_are_enough_shapes_of_the_right_size() -> None:
    assert len(SHAPES) >= 20
    for name, make in {**SHAPES, **WORD_DENSE_SHAPES, **ALLOCATION_BOUND_SHAPES}.items():
        size = size_of(make(N))
        assert 0.95 * N <= size <= 1.2 * N, (name, size)


@pytest.mark.slow  # timed in a fresh interpreter
def test_p99_per_completion_at_1e5_characters_is_within_budget() -> None:
    measured = measure_in_subprocess("budget", list(SHAPES) + list(ALLOCATION_BOUND_SHAPES))
    times, reference = measured["times"], measured["reference"]
    for name, t in sorted(times.items(), key=lambda kv: -kv[1]):
        print(f"{name:34s} {t * 1000:8.2f} ms  {t / reference:6.2f}x")
    p99 = percentile(list(times.values()), 99)
    print(
        f"p50 {percentile(list(times.values()), 50) * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms, "
        f"max {max(times.values()) * 1000:.2f} ms over {len(times)} shapes; reference {reference * 1000:.2f} ms"
    )
    bound = BUDGET_FACTOR * reference
    assert p99 <= bound, {k: f"{v / reference:.1f}x" for k, v in times.items() if v > bound}


@pytest.mark.slow  # timed in a fresh interpreter
@pytest.mark.parametrize("name", list(SHAPES))
def test_time_is_linear_in_the_length(name: str, linear: dict[str, dict[str, Any]]) -> None:
    lin = linear[name]
    print(
        f"{name}: {lin['small'] * 1000:.2f} ms at 2e4, {lin['big'] * 1000:.2f} ms at 2e5, ratio {lin['ratio']:.2f}"
        + (" (re-measured)" if lin["remeasured"] else "")
    )
    assert lin["ratio"] <= LINEARITY_MAX_RATIO, lin


@pytest.mark.slow  # timed in a fresh interpreter
@pytest.mark.parametrize("name", list(WORD_DENSE_SHAPES))
def test_word_dense_text_is_linear(name: str, linear: dict[str, dict[str, Any]]) -> None:
    assert linear[name]["ratio"] <= LINEARITY_MAX_RATIO, linear[name]


@pytest.mark.slow  # timed in a fresh interpreter
def test_word_dense_text_is_within_budget() -> None:
    measured = measure_in_subprocess("budget", list(WORD_DENSE_SHAPES))
    times, reference = measured["times"], measured["reference"]
    print({k: f"{v * 1000:.1f} ms, {v / reference:.2f}x" for k, v in times.items()})
    assert max(times.values()) <= BUDGET_FACTOR * reference, {k: v / reference for k, v in times.items()}


@pytest.mark.parametrize("cue", list(WHITESPACE_RUN_CUES))
def test_a_long_whitespace_run_after_a_cue_word_is_linear(cue: str) -> None:
    """``"I don't have" + " " * n + "x"``: one sentence the classifier reads. 4x the run must cost about 4x.
    (Regression test: ``behavior._DECLINE_RE`` and ``_REDIRECT_RE`` once backtracked quadratically here,
    ~7 s at n = 8000 and ~20 min at 10^5; measured at n = 500 and 2000 only, so a regression stays cheap.)"""
    text = WHITESPACE_RUN_CUES[cue]
    truth = TRUTHS["refuse"]
    # linear is 4x (less: a fixed cost dominates at 500); quadratic would be 16x
    assert_linear(
        lambda: rr.score(whitespace_run(text, 500), truth),
        lambda: rr.score(whitespace_run(text, 2000), truth),
        8.0,
        f"{cue}: 2000 spaces / 500 spaces",
    )
