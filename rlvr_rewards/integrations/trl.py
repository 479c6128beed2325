"""Reward functions for TRL's ``GRPOTrainer(reward_funcs=[...])``.

Contract of the functions made by :func:`make_reward_func` (and of :data:`reward_func`, the ``graded``
one): called as ``fn(prompts=..., completions=[...], **dataset_columns)``; completions are strings or
message lists (conversational datasets); the truth comes from a ``ground_truth`` column (or
``reward_model`` / ``reference_answer`` / ``answer``), tools from ``tools`` or ``extra_info``. Returns a
plain ``list[float]``, one per completion, never raising on model output. When TRL passes a
``log_metric`` callable, the mean of every component and the share of each behaviour are logged under
``rlvr/...``. :func:`component_reward_funcs` returns one function per component, for users of
``reward_weights``. Each function has a distinct ``__name__`` (TRL logs rewards by function name).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from rlvr_rewards.integrations._columns import tools_from_columns, truths_from_columns
from rlvr_rewards.presets import Preset
from rlvr_rewards.result import BatchScore

__all__ = ["component_reward_funcs", "make_reward_func", "reward_func"]

RewardFunc = Callable[..., list[float]]


def _score(completions: Sequence[Any], columns: dict[str, Any], preset: str | Preset, truth_column: str | None,
           options: dict[str, Any]) -> BatchScore:
    from rlvr_rewards.scoring.core import score_batch

    n = len(completions)
    truths = truths_from_columns(columns, n, truth_column)
    tools = tools_from_columns(columns, n)
    return score_batch(list(completions), truths, tools=tools, preset=preset, **options)


def _log(batch: BatchScore, log_metric: Any) -> None:
    if not callable(log_metric) or len(batch) == 0:
        return
    for name, column in batch.components.items():
        finite = [float(v) for v in column if math.isfinite(v)]
        if finite:
            log_metric(f"rlvr/{name}", sum(finite) / len(finite))
    for behavior, count in Counter(batch.behaviors).items():
        log_metric(f"rlvr/behavior_{behavior}", count / len(batch))


def make_reward_func(preset: str | Preset = "graded", *, truth_column: str | None = None,
                     name: str | None = None, **options: Any) -> RewardFunc:
    """A TRL reward function scoring with ``preset`` (``options`` go to ``rr.score_batch``)."""

    def fn(prompts: Any = None, completions: Sequence[Any] = (), **columns: Any) -> list[float]:
        log_metric = columns.pop("log_metric", None)
        for key in ("completion_ids", "trainer_state", "log_extra"):
            columns.pop(key, None)
        batch = _score(completions, columns, preset, truth_column, options)
        _log(batch, log_metric)
        return [float(r) for r in batch.rewards]

    label = name or f"rlvr_{preset if isinstance(preset, str) else preset.name}".replace("-", "_")
    fn.__name__ = fn.__qualname__ = label
    return fn


reward_func = make_reward_func("graded", name="rlvr_graded")


def component_reward_funcs(components: Sequence[str] = ("format", "tool_name", "arguments", "schema",
                                                          "clarify", "refuse"),
                           preset: str | Preset = "graded", *, truth_column: str | None = None
                           ) -> list[RewardFunc]:
    """One TRL reward function per component (NaN -> None, which TRL treats as "not applicable")."""
    funcs = []
    for component in components:

        def fn(prompts: Any = None, completions: Sequence[Any] = (), _c: str = component,
               **columns: Any) -> list[float | None]:
            for key in ("completion_ids", "trainer_state", "log_extra", "log_metric"):
                columns.pop(key, None)
            batch = _score(completions, columns, preset, truth_column, {})
            return [None if not math.isfinite(v) else float(v) for v in batch.components[_c]]

        fn.__name__ = fn.__qualname__ = f"rlvr_{component}"
        funcs.append(fn)
    return funcs  # type: ignore[return-value]
