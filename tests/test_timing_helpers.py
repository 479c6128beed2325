"""The re-measuring helper of tests/timing.py: it retries only a figure outside its bound, at most as many
times as it is told, and a figure that stays outside is what the test sees (so a real regression fails)."""

from __future__ import annotations

from .timing import measured_until


def test_a_passing_figure_is_measured_once() -> None:
    figures = iter([1.0, 9.0])
    calls: list[float] = []

    def measure() -> float:
        calls.append(0.0)
        return next(figures)

    assert measured_until(measure, lambda r: r <= 2.0) == 1.0
    assert len(calls) == 1


def test_a_spike_is_measured_again() -> None:
    figures = iter([5.0, 1.5, 9.0])
    assert measured_until(lambda: next(figures), lambda r: r <= 2.0) == 1.5


def test_a_regression_stays_outside_after_every_attempt() -> None:
    figures = iter([5.0, 6.0, 7.0, 1.0])
    assert measured_until(lambda: next(figures), lambda r: r <= 2.0, attempts=3) == 7.0
