"""The trajectory formula: a trajectory's components -> its reward (stage 5 for whole trajectories).

Contract (docs/trajectories.md#rewards). Components are in [0, 1], NaN where not applicable:

- ``turns``: the mean turn reward over the truth's turns (a turn the trajectory never reached scores 0);
- ``state``: the share of the end state's fields equal to the expected end state (an environment only);
- ``outcome``: the final answer's checks and the required end-state fields (an ``outcome`` only);
- ``efficiency``: ``1 - wasted / calls`` (a call repeating an earlier call of its turn, or repeating unchanged
  a call that failed);
- ``grounding``: the share of the numbers in the final answer found in the tool results, the call arguments or
  the user's messages (1 when the answer states no number or no tool ran).

Graded partial credit (every preset but ``bfcl``), each turn scored by the preset's step formula::

    base   = (0.7 turns + 0.15 state + 0.15 outcome) / (the weights of the applicable ones)
    reward = base * (0.75 + 0.25 efficiency) * (0.9 + 0.1 grounding)

on the preset's reward range (``lo + (hi - lo) * reward``); a trajectory over its ``max_calls`` or
``max_steps`` gets ``lo``. Under ``bfcl`` the reward is BFCL's multi-turn verdict: ``hi`` when every turn passes
(:func:`rlvr_rewards.scoring.trajectory.bfcl_turn_verdicts`), else ``lo``.
"""

from __future__ import annotations

import math

__all__ = ["TRAJECTORY_COMPONENTS", "TRAJECTORY_WEIGHTS", "combine_trajectory"]

#: the trajectory components, in the order BatchScore reports them
TRAJECTORY_COMPONENTS = ("turns", "state", "outcome", "efficiency", "grounding")
#: weights of the base mean (over the applicable components)
TRAJECTORY_WEIGHTS = {"turns": 0.7, "state": 0.15, "outcome": 0.15}
#: multipliers: reward *= floor + (1 - floor) * component
TRAJECTORY_MULTIPLIERS = {"efficiency": 0.75, "grounding": 0.9}


def combine_trajectory(components: dict[str, float], over_limit: bool) -> float:
    """The graded trajectory reward in [0, 1] (see the module contract)."""
    if over_limit:
        return 0.0
    total = weight = 0.0
    for name, w in TRAJECTORY_WEIGHTS.items():
        value = components.get(name, math.nan)
        if not math.isnan(value):
            total += w * value
            weight += w
    base = total / weight if weight else 0.0
    for name, floor in TRAJECTORY_MULTIPLIERS.items():
        value = components.get(name, math.nan)
        if not math.isnan(value):
            base *= floor + (1.0 - floor) * value
    return min(max(base, 0.0), 1.0)
