"""One fixed key set per batch: per-sample result dicts for hosts that stack per-sample dicts.

Hosts such as veRL take the keys of sample 0's dict and read the same keys from every other sample,
so every sample of a batch must carry the same keys, in the same order. :func:`sample_dicts` turns a
:class:`~rlvr_rewards.scoring.result.BatchScore` into such dicts.

Contract (``flags=True``, the default):

- keys, in this order: ``score``, then every component of the preset in the preset's column order
  (``BatchScore.components``), then ``applies/<component>`` for every component in the same order.
  The set depends only on the preset (and ``flags``), never on the data: :func:`result_keys` gives it.
- ``score``: the reward. ``<component>``: its value when it applies to the sample; when it does not
  (NaN in ``BatchScore``), :data:`NEUTRAL` (0.0) with ``missing="neutral"``, or NaN with
  ``missing="nan"`` (for hosts whose metrics skip NaN).
- ``applies/<component>``: 1.0 when the component applies to the sample, else 0.0, so a host that
  averages columns can still tell a 0.0 score from "does not apply" (mean of ``x * applies`` over the
  mean of ``applies``). ``flags=False`` leaves these keys out.
- every value is a Python ``float``; ``score`` is always finite.

Other adapters call it as ``sample_dicts(batch)`` (or ``missing="nan"``) and rename ``score`` if their
host wants another name; :func:`columns` gives the same data column-wise (one list per key), and
:func:`item_dict` the dict of one ``rr.score`` result (per-item hosts; ``sample_dicts`` is built from it).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Literal

from rlvr_rewards.errors import ConfigError
from rlvr_rewards.scoring.result import BatchScore

__all__ = ["APPLIES_PREFIX", "NEUTRAL", "columns", "item_dict", "result_keys", "sample_dicts"]

#: The value a component that does not apply gets with ``missing="neutral"``.
NEUTRAL = 0.0
#: ``applies/<component>``: 1.0 when the component applies to the sample, else 0.0.
APPLIES_PREFIX = "applies/"

Missing = Literal["neutral", "nan"]


def result_keys(components: Iterable[str], *, flags: bool = True, score_key: str = "score") -> tuple[str, ...]:
    """The fixed key order: ``score_key``, the components, then (``flags``) their ``applies/`` flags."""
    names = tuple(components)
    return (score_key, *names, *((APPLIES_PREFIX + n for n in names) if flags else ()))


def _fill(missing: str) -> float:
    if missing == "neutral":
        return NEUTRAL
    if missing == "nan":
        return math.nan
    raise ConfigError(f"missing must be 'neutral' or 'nan', got {missing!r}")


def item_dict(
    reward: float,
    components: Mapping[str, float],
    *,
    missing: Missing = "neutral",
    flags: bool = True,
    score_key: str = "score",
) -> dict[str, float]:
    """The dict of one sample (``rr.score``'s reward and components), with exactly :func:`result_keys`."""
    fill = _fill(missing)
    item: dict[str, float] = {score_key: float(reward)}
    applies: list[tuple[str, float]] = []
    for name, value in components.items():
        v = float(value)
        ok = math.isfinite(v)
        item[name] = v if ok else fill
        applies.append((APPLIES_PREFIX + name, 1.0 if ok else 0.0))
    if flags:
        item.update(applies)
    return item


def sample_dicts(
    batch: BatchScore, *, missing: Missing = "neutral", flags: bool = True, score_key: str = "score"
) -> list[dict[str, float]]:
    """One dict per sample, every dict with exactly :func:`result_keys` (see the module contract)."""
    _fill(missing)
    names = tuple(batch.components)
    rows = zip(*(batch.components[n].tolist() for n in names), strict=True) if names else ((),) * len(batch)
    return [
        item_dict(reward, dict(zip(names, row, strict=True)), missing=missing, flags=flags, score_key=score_key)
        for reward, row in zip(batch.rewards.tolist(), rows, strict=True)
    ]


def columns(
    batch: BatchScore, *, missing: Missing = "neutral", flags: bool = True, score_key: str = "score"
) -> dict[str, list[float]]:
    """The same data column-wise: ``{key: [value per sample]}`` for every key of :func:`result_keys`."""
    keys = result_keys(batch.components, flags=flags, score_key=score_key)
    rows = sample_dicts(batch, missing=missing, flags=flags, score_key=score_key)
    return {k: [r[k] for r in rows] for k in keys}
