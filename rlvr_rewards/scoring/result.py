"""Result types: :class:`Score` for one completion and :class:`BatchScore` for a batch.

Contract: results are plain values (floats, numpy arrays, strings). ``BatchScore[i]`` equals
``score(completions[i], ground_truths[i], ...)`` for every ``i``; ``summary()`` is JSON-serialisable.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from rlvr_rewards.vocabulary import BEHAVIORS, TRAJECTORY

if TYPE_CHECKING:
    import rlvr_rewards

__all__ = ["BatchInputs", "BatchScore", "Score", "ScoredInputs", "concat_batches"]


@dataclass(frozen=True, slots=True)
class Score:
    """The reward of one completion, with the components it came from and why it is not higher.

    ``turn_rewards``: one reward per user turn (a single-step completion has one turn: ``(reward,)``);
    ``step_rewards``: one per assistant message (docs/trajectories.md#rewards). ``details``: for a trajectory,
    what its reason summarises (each turn's reason, the state diff, wasted calls); else empty.

    :meth:`explain` explains the score from the inputs it was scored from, which a score made by ``rr.score``
    or taken from a ``BatchScore`` keeps (``inputs``: not compared, not printed, not in ``to_dict``)."""

    reward: float
    components: Mapping[str, float]
    reason: str
    behavior: str
    expected: str
    violations: tuple[str, ...] = ()
    turn_rewards: tuple[float, ...] = ()
    step_rewards: tuple[float, ...] = ()
    details: Mapping[str, Any] | None = None
    inputs: ScoredInputs | None = field(default=None, repr=False, compare=False)

    def explain(self) -> rlvr_rewards.Explanation:
        """Why this score: :func:`rlvr_rewards.explain` on the completion, truth, tools, preset, limits and format
        it was scored with (the same reward, components and reason), as an
        :class:`~rlvr_rewards.scoring.explain.Explanation` (``str()`` for text, ``to_dict()`` for JSON).
        A Score built by hand has no inputs: ConfigError, use ``rr.explain(completion, truth, tools, preset)``."""
        import rlvr_rewards  # the package, not scoring.explain: that module reads this one
        from rlvr_rewards.errors import ConfigError

        if self.inputs is None:
            raise ConfigError(
                "this Score keeps no inputs (it was not made by rr.score or taken from a BatchScore); use "
                "rr.explain(completion, ground_truth, tools, preset)"
            )
        i = self.inputs
        return rlvr_rewards.explain(i.completion, i.ground_truth, i.tools, i.preset, limits=i.limits, format=i.format)

    def to_dict(self) -> dict[str, Any]:
        out = {
            "reward": self.reward,
            "components": {k: (None if np.isnan(v) else v) for k, v in self.components.items()},
            "reason": self.reason,
            "behavior": self.behavior,
            "expected": self.expected,
            "violations": list(self.violations),
        }
        if self.expected == TRAJECTORY:
            out["turn_rewards"] = list(self.turn_rewards)
            out["step_rewards"] = list(self.step_rewards)
            out["details"] = dict(self.details or {})
        return out


@dataclass(frozen=True, slots=True)
class ScoredInputs:
    """What one score was computed from (kept by :class:`Score` for :meth:`Score.explain`): the caller's own
    objects, not copies."""

    completion: Any
    ground_truth: Any
    tools: Any
    preset: Any
    limits: Any
    format: str | None


@dataclass(frozen=True, slots=True)
class BatchInputs:
    """What a batch was scored from (kept by :class:`BatchScore` so that ``batch[i].explain()`` works):
    ``tools[i]`` is item ``i``'s tool list (``None``: the row's own)."""

    completions: Sequence[Any]
    ground_truths: Sequence[Any]
    tools: Sequence[Any]
    preset: Any
    limits: Any
    format: str | None

    def item(self, i: int) -> ScoredInputs:
        return ScoredInputs(
            self.completions[i], self.ground_truths[i], self.tools[i], self.preset, self.limits, self.format
        )


@dataclass(frozen=True, eq=False)
class BatchScore:
    """Rewards and components of a batch, as numpy columns. ``inputs``: what it was scored from (set by
    ``score_batch``; ``None`` for a batch read back from a file), for ``batch[i].explain()``."""

    rewards: np.ndarray
    components: Mapping[str, np.ndarray]
    reasons: Sequence[str]
    behaviors: Sequence[str]
    expected: Sequence[str]
    violations: Sequence[tuple[str, ...]]
    preset: str
    reward_range: tuple[float, float]
    groups: Sequence[Hashable] | None = None
    #: batch index -> (turn rewards, step rewards, details) of each trajectory item (scoring/trajectory.py)
    trajectories: Mapping[int, tuple[np.ndarray, np.ndarray, Mapping[str, Any]]] | None = None
    inputs: BatchInputs | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return int(self.rewards.shape[0])

    @property
    def turn_rewards(self) -> list[np.ndarray]:
        """One array per item: a reward per user turn (a single-step item's is its reward alone)."""
        found = self.trajectories or {}
        return [found[i][0] if i in found else self.rewards[i : i + 1] for i in range(len(self))]

    @property
    def step_rewards(self) -> list[np.ndarray]:
        """One array per item: a reward per assistant message (a single-step item's is its reward alone)."""
        found = self.trajectories or {}
        return [found[i][1] if i in found else self.rewards[i : i + 1] for i in range(len(self))]

    def __getitem__(self, i: int) -> Score:
        n = len(self)
        if not -n <= i < n:
            raise IndexError(f"BatchScore index {i} out of range for {n} items")
        reward = float(self.rewards[i])
        found = (self.trajectories or {}).get(i % n)
        return Score(
            reward=reward,
            components={k: float(v[i]) for k, v in self.components.items()},
            reason=self.reasons[i],
            behavior=self.behaviors[i],
            expected=self.expected[i],
            violations=self.violations[i],
            turn_rewards=(reward,) if found is None else tuple(found[0].tolist()),
            step_rewards=(reward,) if found is None else tuple(found[1].tolist()),
            details=None if found is None else found[2],
            inputs=None if self.inputs is None else self.inputs.item(i % n),
        )

    def __iter__(self):  # type: ignore[no-untyped-def]
        return (self[i] for i in range(len(self)))

    def to_dicts(self) -> Iterator[dict[str, Any]]:
        """``self[i].to_dict()`` for every ``i``, in order, read straight from the columns (``score --out`` writes
        200,000 of them: no Score objects on the way)."""
        columns = [(k, v.tolist()) for k, v in self.components.items()]
        rewards = self.rewards.tolist()
        found = self.trajectories or {}
        for i, reward in enumerate(rewards):
            out: dict[str, Any] = {
                "reward": reward,
                "components": {k: (None if v[i] != v[i] else v[i]) for k, v in columns},  # NaN -> None
                "reason": self.reasons[i],
                "behavior": self.behaviors[i],
                "expected": self.expected[i],
                "violations": list(self.violations[i]),
            }
            if self.expected[i] == TRAJECTORY:
                turns = found.get(i)
                out["turn_rewards"] = [reward] if turns is None else turns[0].tolist()
                out["step_rewards"] = [reward] if turns is None else turns[1].tolist()
                out["details"] = {} if turns is None else dict(turns[2] or {})
            yield out

    def summary(self) -> dict[str, Any]:
        """Mean reward per expected behaviour, confusion counts, reasons, and GRPO group statistics."""
        rewards = self.rewards
        out: dict[str, Any] = {
            "n": len(self),
            "preset": self.preset,
            "reward_range": list(self.reward_range),
            "mean_reward": float(rewards.mean()) if len(self) else None,
        }
        by_exp: dict[str, list[int]] = {}
        for i, e in enumerate(self.expected):
            by_exp.setdefault(e, []).append(i)
        out["mean_reward_by_expected"] = {e: float(rewards[idx].mean()) for e, idx in sorted(by_exp.items())}
        out["count_by_expected"] = {e: len(idx) for e, idx in sorted(by_exp.items())}
        confusion: dict[str, dict[str, int]] = {}
        for e, d in zip(self.expected, self.behaviors, strict=True):
            confusion.setdefault(e, dict.fromkeys(BEHAVIORS, 0))[d] += 1
        out["confusion"] = dict(sorted(confusion.items()))
        out["reasons"] = dict(Counter(self.reasons).most_common())
        out["mean_components"] = {
            k: (float(np.nanmean(v)) if np.any(~np.isnan(v)) else None) for k, v in self.components.items()
        }
        if self.groups is not None:
            out["groups"] = group_statistics(rewards, self.groups)
        return out


def group_statistics(rewards: np.ndarray, groups: Sequence[Hashable]) -> dict[str, Any]:
    """Per-group mean and (population) std of rewards, and the share of groups with zero variance."""
    keys = list(dict.fromkeys(groups))
    index = {k: i for i, k in enumerate(keys)}
    ids = np.fromiter((index[g] for g in groups), dtype=np.intp, count=len(groups))
    counts = np.bincount(ids, minlength=len(keys)).astype(np.float64)
    sums = np.bincount(ids, weights=rewards, minlength=len(keys))
    means = sums / counts
    sq = np.bincount(ids, weights=(rewards - means[ids]) ** 2, minlength=len(keys))
    stds = np.sqrt(sq / counts)
    zero = stds <= 1e-12
    return {
        "n_groups": len(keys),
        "mean_group_size": float(counts.mean()) if len(keys) else None,
        "frac_zero_std": float(zero.mean()) if len(keys) else None,
        "mean_group_std": float(stds.mean()) if len(keys) else None,
        "group_mean": {str(k): float(means[i]) for i, k in enumerate(keys)},
        "group_std": {str(k): float(stds[i]) for i, k in enumerate(keys)},
    }


def concat_batches(parts: Sequence[BatchScore], groups: Sequence[Hashable] | None) -> BatchScore:
    """One :class:`BatchScore` from consecutive chunks of one batch (same preset and components)."""
    first = parts[0]
    trajectories: dict[int, Any] = {}
    offset = 0
    for p in parts:
        for i, value in (p.trajectories or {}).items():
            trajectories[offset + i] = value
        offset += len(p)
    names = list(dict.fromkeys(k for p in parts for k in p.components))  # (a chunk with trajectories has more)
    return BatchScore(
        rewards=np.concatenate([p.rewards for p in parts]),
        components={k: np.concatenate([p.components.get(k, np.full(len(p), np.nan)) for p in parts]) for k in names},
        reasons=[r for p in parts for r in p.reasons],
        behaviors=[b for p in parts for b in p.behaviors],
        expected=[e for p in parts for e in p.expected],
        violations=[v for p in parts for v in p.violations],
        preset=first.preset,
        reward_range=first.reward_range,
        groups=groups,
        trajectories=trajectories or None,
    )
