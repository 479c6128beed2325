"""The shared vocabulary: what a completion can do, what a ground truth can expect, and which of the former
each of the latter accepts. A leaf: it imports nothing of the package, so every stage can name these.

``ACCEPTED[expected]`` is the set of behaviours that count as doing what the truth asked: an execute truth
accepts only ``execute``; a ``no_call`` truth (the blog dialect's text truths) accepts ``clarify`` or
``refuse``. Presets read it through :func:`is_accepted` (docs/presets.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["ACCEPTED", "BEHAVIORS", "EXPECTED_BEHAVIORS", "TRAJECTORY", "is_accepted"]

#: What a completion can do.
BEHAVIORS = ("execute", "clarify", "refuse", "answer", "invalid")
#: What a ground truth can expect (``no_call``: the blog dialect's text truths, clarify or refuse).
EXPECTED_BEHAVIORS = ("execute", "clarify", "refuse", "no_call")

#: What a whole-trajectory truth expects (``{"behavior": "trajectory", "turns": [...]}``): not one step's
#: behaviour; each of its turns expects one of ``EXPECTED_BEHAVIORS`` (or an ``answer``), and trajectories are
#: scored turn by turn (scoring/trajectory.py), never by a step preset's formula directly.
TRAJECTORY = "trajectory"

#: expected behaviour -> the behaviours that do what it asks
ACCEPTED: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "execute": frozenset({"execute"}),
        "clarify": frozenset({"clarify"}),
        "refuse": frozenset({"refuse"}),
        "no_call": frozenset({"clarify", "refuse"}),
    }
)


def is_accepted(expected: str, done: str) -> bool:
    """Whether a completion that did ``done`` did what a truth expecting ``expected`` asks."""
    return done in ACCEPTED[expected]
