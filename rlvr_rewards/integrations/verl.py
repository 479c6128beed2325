"""veRL reward functions: ``custom_reward_function.path=<this file>`` with ``name=compute_score`` (the
naive reward manager, one item per call) or ``name=compute_score_batch`` (the batch reward manager).

Contract: ``compute_score(data_source, solution_str, ground_truth, extra_info=None, **kwargs)`` returns
``{"score": float, <component>: float, ...}`` (components that do not apply are left out, so every
value is finite; veRL turns the extra keys into ``reward_extra_info``). ``compute_score_batch`` takes the
plural keyword arguments veRL's batch manager passes and returns one such dict per item. Tools come from
``extra_info["tools"]`` when present. The preset is ``graded`` unless ``RLVR_PRESET`` is set.
``compute_score_batch`` scores with ``workers`` processes (``score_batch(..., workers=N)``): the
``workers`` keyword (``custom_reward_function.reward_kwargs.workers``), else ``RLVR_WORKERS``, else 1.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import Any

__all__ = ["compute_score", "compute_score_batch"]


def _workers(value: Any) -> int:
    """The ``workers`` keyword, else ``RLVR_WORKERS``, else 1; a value that is not a number is a ConfigError."""
    from rlvr_rewards.errors import ConfigError

    if value is None:
        value = os.environ.get("RLVR_WORKERS", "1")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"workers (reward_kwargs or RLVR_WORKERS) must be a positive int, got {value!r}") from None


def _results(solutions: Sequence[Any], truths: Sequence[Any], extra_infos: Sequence[Any],
             workers: int = 1) -> list[dict[str, float]]:
    from rlvr_rewards.scoring.core import score_batch

    tools = [e.get("tools") if isinstance(e, dict) else None for e in extra_infos]
    batch = score_batch(list(solutions), list(truths), tools=tools, preset=os.environ.get("RLVR_PRESET", "graded"),
                        workers=workers)
    out = []
    for i in range(len(batch)):
        item = {"score": float(batch.rewards[i])}
        for name, column in batch.components.items():
            v = float(column[i])
            if math.isfinite(v):
                item[name] = v
        out.append(item)
    return out


def compute_score(data_source: Any, solution_str: Any, ground_truth: Any, extra_info: Any = None,
                  **kwargs: Any) -> dict[str, float]:
    return _results([solution_str], [ground_truth], [extra_info])[0]


def compute_score_batch(data_sources: Sequence[Any], solution_strs: Sequence[Any], ground_truths: Sequence[Any],
                        extra_infos: Sequence[Any] | None = None, **kwargs: Any) -> list[dict[str, float]]:
    infos = list(extra_infos) if extra_infos is not None else [None] * len(solution_strs)
    return _results(solution_strs, ground_truths, infos, _workers(kwargs.get("workers")))
