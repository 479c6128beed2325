"""The scorer contract: a scorer turns a batch of unique (completion, truth, tools) pairs into one column.

Contract:
- ``ScorerSpec.compute(ctx) -> column``: ``len(ctx)`` floats (a list, or a numpy array of shape
  ``(len(ctx),)``), each value in [0, 1] or NaN ("not applicable"). Values outside that range are clipped
  by the core and NaN means the component is left out of the weighted combination for that row. The
  built-in scorers return plain lists: ``rr.score`` runs them on a context of one item and combines the
  floats without numpy; ``rr.score_batch`` stacks the columns into a matrix.
- A scorer must not raise on model output. The core treats an exception from a scorer as a plugin
  bug and raises :class:`PluginError` naming the scorer.
- :meth:`ScorerSpec.per_item` wraps a plain ``fn(parse, truth, tools) -> float`` for users who do not
  need to vectorize.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from rlvr_rewards.groundtruth.toolspecs import ToolSet
from rlvr_rewards.groundtruth.truths import CompiledTruth
from rlvr_rewards.parsing.types import ParseResult

__all__ = ["ScorerSpec", "ScoringContext"]

_NAN = float("nan")


_T = TypeVar("_T")


@dataclass(eq=False)
class ScoringContext:
    """The unique pairs of one batch, as plain sequences. ``cache`` is shared by the batch's scorers."""

    parses: Sequence[ParseResult]
    truths: Sequence[CompiledTruth]
    toolsets: Sequence[ToolSet | None]
    done: Sequence[str]
    raw: Sequence[Any] = ()  # the completions as given (text, message or messages), for format checks
    options: Mapping[str, Any] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.parses)

    def shared(self, name: str, build: Callable[[ScoringContext], _T]) -> _T:
        """A per-batch intermediate result computed once and shared between scorers."""
        hit: _T | None = self.cache.get(name)
        if hit is None:
            hit = self.cache[name] = build(self)
        return hit


@dataclass(frozen=True)
class ScorerSpec:
    """A reward component registered by a plugin."""

    name: str
    compute: Callable[[ScoringContext], Sequence[float] | np.ndarray]
    description: str = ""
    #: computed for every preset (True), or only when the preset weights it or ``components="all"``
    always: bool = True

    @classmethod
    def per_item(
        cls,
        name: str,
        fn: Callable[[ParseResult, CompiledTruth, ToolSet | None], float | None],
        description: str = "",
        always: bool = True,
    ) -> ScorerSpec:
        """A scorer from a plain per-item function (``None`` means not applicable -> NaN)."""

        def compute(ctx: ScoringContext) -> list[float]:
            out: list[float] = []
            for p, t, ts in zip(ctx.parses, ctx.truths, ctx.toolsets, strict=True):
                v = fn(p, t, ts)
                out.append(_NAN if v is None else float(v))
            return out

        return cls(name=name, compute=compute, description=description, always=always)
