"""Bootstrap confidence intervals for the report: a mean, and a paired difference of means.

Contract: :func:`bootstrap_mean` resamples *clusters* (the GRPO groups: the completions of one row are
correlated, so rows are the independent units) with replacement, ``resamples`` times, and takes the mean of
every completion in the resampled clusters; the interval is the ``(1 - level) / 2`` and ``(1 + level) / 2``
percentiles of those means (the percentile bootstrap). Without clusters every value is its own cluster.

- The estimate is the plain mean of the values (what ``BatchScore.summary()`` reports); the interval always
  holds it: a percentile interval that floating-point rounding (a constant sample) or a very skewed small
  sample leaves just beside the estimate is widened to it, never narrowed.
- Fewer than two clusters give no interval: ``low == high == estimate`` and ``degenerate`` is true.
- The random numbers are numpy's ``default_rng(seed)``: the same values, clusters, ``resamples``, ``level``
  and ``seed`` give the same interval, bit for bit, on every run and machine with the same numpy.
- Memory stays bounded (resamples are drawn in chunks of about two million cluster indices).

:func:`paired_bootstrap_delta` is the interval of ``mean(b) - mean(a)`` for paired values (``a[i]`` and
``b[i]`` scored on the same row and position): the bootstrap of the differences ``b - a``, resampling clusters,
so the pairing and the correlation within a row are both kept.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["DEFAULT_LEVEL", "DEFAULT_RESAMPLES", "Interval", "bootstrap_mean", "paired_bootstrap_delta"]

DEFAULT_RESAMPLES = 2000
DEFAULT_LEVEL = 0.95
#: cluster indices drawn per chunk of resamples (bounds the memory of a large dataset's bootstrap)
_CHUNK_CELLS = 2_000_000


@dataclass(frozen=True, slots=True)
class Interval:
    """A mean (``estimate``) with its bootstrap interval ``[low, high]`` over ``n`` values in ``clusters``
    clusters, at ``level`` (0.95: a 95 % interval) from ``resamples`` resamples."""

    estimate: float
    low: float
    high: float
    n: int
    clusters: int
    level: float
    resamples: int
    degenerate: bool = False

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high


def _cluster_ids(n: int, clusters: Sequence[Hashable] | None) -> np.ndarray:
    if clusters is None:
        return np.arange(n, dtype=np.intp)
    if len(clusters) != n:
        raise ValueError(f"clusters: expected one cluster key per value ({n}), got {len(clusters)}")
    index: dict[Hashable, int] = {}
    return np.fromiter((index.setdefault(c, len(index)) for c in clusters), dtype=np.intp, count=n)


def bootstrap_mean(
    values: np.ndarray | Sequence[float],
    clusters: Sequence[Hashable] | None = None,
    *,
    resamples: int = DEFAULT_RESAMPLES,
    level: float = DEFAULT_LEVEL,
    seed: int = 0,
) -> Interval:
    """The mean of ``values`` with its cluster-bootstrap percentile interval (see the module contract)."""
    if not 0.0 < level < 1.0:
        raise ValueError(f"level: expected a number between 0 and 1, got {level}")
    if resamples < 1:
        raise ValueError(f"resamples: expected at least 1, got {resamples}")
    x = np.asarray(values, dtype=np.float64)
    n = int(x.shape[0])
    if n == 0:
        raise ValueError("values: expected at least one value")
    ids = _cluster_ids(n, clusters)
    k = int(ids.max()) + 1
    estimate = float(x.mean())
    if k < 2 or float(np.ptp(x)) == 0.0:
        return Interval(estimate, estimate, estimate, n, k, level, resamples, degenerate=k < 2)
    sums = np.bincount(ids, weights=x, minlength=k)
    counts = np.bincount(ids, minlength=k).astype(np.float64)
    rng = np.random.default_rng(seed)
    chunk = max(1, _CHUNK_CELLS // k)
    means = np.empty(resamples, dtype=np.float64)
    for start in range(0, resamples, chunk):
        stop = min(resamples, start + chunk)
        drawn = rng.integers(0, k, size=(stop - start, k))
        means[start:stop] = sums[drawn].sum(axis=1) / counts[drawn].sum(axis=1)
    alpha = (1.0 - level) / 2.0
    low, high = (float(v) for v in np.quantile(means, [alpha, 1.0 - alpha]))
    return Interval(estimate, min(low, estimate), max(high, estimate), n, k, level, resamples)


def paired_bootstrap_delta(
    a: np.ndarray | Sequence[float],
    b: np.ndarray | Sequence[float],
    clusters: Sequence[Hashable] | None = None,
    *,
    resamples: int = DEFAULT_RESAMPLES,
    level: float = DEFAULT_LEVEL,
    seed: int = 0,
    estimate: float | None = None,
) -> Interval:
    """``mean(b) - mean(a)`` for paired values with the bootstrap interval of the paired differences;
    ``estimate``: that difference as the caller computed it (e.g. from two ``summary()`` means; default computed
    here), which the interval is made to hold."""
    xa = np.asarray(a, dtype=np.float64)
    xb = np.asarray(b, dtype=np.float64)
    if xa.shape != xb.shape:
        raise ValueError(f"a and b: expected paired values of one length, got {xa.shape[0]} and {xb.shape[0]}")
    interval = bootstrap_mean(xb - xa, clusters, resamples=resamples, level=level, seed=seed)
    if estimate is None:
        estimate = float(xb.mean()) - float(xa.mean())
    # the difference of the two means (what a reader computes from the two tables), which equals the mean of
    # the differences up to rounding; the interval is widened to hold it if rounding put it a hair outside
    return Interval(
        estimate,
        min(interval.low, estimate),
        max(interval.high, estimate),
        interval.n,
        interval.clusters,
        level,
        resamples,
        interval.degenerate,
    )
