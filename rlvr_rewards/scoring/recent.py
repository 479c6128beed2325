"""The results of recent :func:`rlvr_rewards.score` calls, so one-at-a-time scoring keeps the batch's
deduplication.

Why: :func:`rlvr_rewards.score_batch` scores each distinct (completion, truth, tools) pair once, and GRPO
groups repeat completions (the standard workload: 493 distinct completions in 800). Per-item callers
(veRL's ``naive`` manager, OpenRLHF's executor, a user's loop) score the rollouts of a group one after the
other, so a repeat is usually a few calls back: a small memo of recent results finds it.

Contract:

- A result is found again only for the same completion text (an exact ``str``; other completions are
  not memoised), the same compiled truth and tool set (the objects the truth and tool caches hand out for
  equal values), the same preset (by name, or the same :class:`~rlvr_rewards.Preset` object), the same
  ``components`` and ``limits``, and the same plugin registry snapshot (a plugin registered since makes a
  new snapshot). Scoring is deterministic in exactly these, as :func:`score_batch`'s deduplication
  already assumes (a scorer plugin must be a function of its pair).
- The caller gets its own :class:`~rlvr_rewards.Score` (a fresh ``components`` dict), equal to what
  scoring again would return.
- Bounded: at most :data:`MAX_RESULTS` results and :data:`MAX_CHARS` characters of completions; the least
  recently used go first (a :class:`~rlvr_rewards.util.lru.BoundedLRU`: thread-safe and fork-safe).
"""

from __future__ import annotations

from typing import Any

from rlvr_rewards.scoring.result import Score, ScoredInputs
from rlvr_rewards.util.lru import BoundedLRU

__all__ = ["MAX_CHARS", "MAX_RESULTS", "RecentScores"]

#: Most results kept (a few GRPO groups of rollouts).
MAX_RESULTS = 1024
#: Most characters of completion text kept.
MAX_CHARS = 4_000_000


class RecentScores:
    """``(completion, truth, tools, preset, components, limits, registry) -> Score`` (see the module contract)."""

    __slots__ = ("_lru",)

    def __init__(self, max_results: int = MAX_RESULTS, max_chars: int = MAX_CHARS) -> None:
        self._lru = BoundedLRU(max_results, max_chars)  # key -> (the objects its ids stand for, the result)

    @staticmethod
    def key(completion: Any, pinned: tuple[Any, ...], components: str, limits: Any) -> tuple[Any, ...] | None:
        """The memo key, or ``None`` for a completion that is not memoised. ``pinned``: the truth, tool set,
        preset and registry, compared by identity (the entry keeps them alive, so their ids stay theirs)."""
        if type(completion) is not str:
            return None
        return (completion, *map(id, pinned), components, limits)

    def get(self, key: tuple[Any, ...], pinned: tuple[Any, ...], inputs: ScoredInputs | None = None) -> Score | None:
        """The held result as a fresh Score carrying this call's ``inputs`` (the cache keeps none)."""
        hit = self._lru.peek(key)
        if hit is None:
            return None
        self._lru.touch(key)
        held, result = hit
        if any(a is not b for a, b in zip(held, pinned, strict=True)):  # cannot happen while held; checked anyway
            return None
        return _copy(result, inputs)

    def put(self, key: tuple[Any, ...], pinned: tuple[Any, ...], result: Score) -> None:
        self._lru.put(key, (pinned, _copy(result)), len(key[0]))

    def clear(self) -> None:
        self._lru.clear()

    def __len__(self) -> int:
        return len(self._lru)


def _copy(result: Score, inputs: ScoredInputs | None = None) -> Score:
    """A Score with its own ``components`` dict (the caller may change the one it gets) and ``inputs``."""
    return Score(
        reward=result.reward,
        components=dict(result.components),
        reason=result.reason,
        behavior=result.behavior,
        expected=result.expected,
        violations=result.violations,
        turn_rewards=result.turn_rewards,
        step_rewards=result.step_rewards,
        details=None if result.details is None else dict(result.details),
        inputs=inputs,
    )
