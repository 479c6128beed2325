"""A trajectory completion cut into user turns and assistant steps (stage 2 for whole trajectories).

Contract: :func:`split_trajectory` never raises on model output. A completion is everything after the prompt:

- a list of messages: each ``user`` message opens a new turn (the first turn is the prompt's,
  so a trajectory that starts with a user message has an empty first turn); each ``assistant`` message is one
  step (its calls in ``tool_calls`` or written in its text, in any supported format); each ``tool`` message
  is a result, attached to the step before it, in order. Anything else (not a mapping, another role) is
  skipped and counted in :attr:`Trajectory.skipped`.
- text or one assistant message: one turn of one step.

At most :data:`MAX_MESSAGES` messages are read; the rest are counted in :attr:`Trajectory.truncated` (and the
trajectory scores the floor, reason ``trajectory_too_long``). Tool results are kept as text (a non-string content
is its JSON text), each cut at :data:`MAX_RESULT_CHARS`, so reading the trajectory stays linear in its size.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

__all__ = ["MAX_MESSAGES", "MAX_RESULT_CHARS", "Step", "Trajectory", "split_trajectory"]

#: Most messages of one trajectory that are read.
MAX_MESSAGES = 1024
#: Longest tool result kept (characters); results are read for the answer's grounding only.
MAX_RESULT_CHARS = 20_000

_TURN_ROLES = frozenset({"user"})


@dataclass(frozen=True, slots=True)
class Step:
    """One assistant message (what the parser reads) and the tool results that followed it."""

    message: Any
    results: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Trajectory:
    """The turns (each a tuple of steps), and what was not read."""

    turns: tuple[tuple[Step, ...], ...]
    skipped: int = 0
    truncated: int = 0
    #: the text of the user messages that opened turns 2, 3, ... (for the answer's grounding)
    user_texts: tuple[str, ...] = ()

    @property
    def steps(self) -> tuple[Step, ...]:
        return tuple(s for turn in self.turns for s in turn)


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content[:MAX_RESULT_CHARS]
    if isinstance(content, list):  # content parts
        parts = [p["text"] for p in content if isinstance(p, Mapping) and isinstance(p.get("text"), str)]
        if parts:
            return "".join(parts)[:MAX_RESULT_CHARS]
    if content is None:
        return ""
    try:
        return orjson.dumps(content, option=orjson.OPT_SORT_KEYS).decode()[:MAX_RESULT_CHARS]
    except (TypeError, orjson.JSONEncodeError):
        return ""


def is_message_list(completion: Any) -> bool:
    """Whether ``completion`` is a list of messages (the trajectory shape) rather than text or one message."""
    return isinstance(completion, (list, tuple))


def split_trajectory(completion: Any) -> Trajectory:
    """The turns and steps of ``completion`` (see the module contract)."""
    if not isinstance(completion, (list, tuple)):
        return Trajectory(turns=((Step(completion),),))
    turns: list[tuple[Step, ...]] = []
    current: list[tuple[Any, list[str]]] = []  # this turn's steps: (message, its results)
    users: list[str] = []
    skipped = 0
    messages: Sequence[Any] = completion
    truncated = max(len(messages) - MAX_MESSAGES, 0)
    for msg in messages[:MAX_MESSAGES]:
        role = msg.get("role") if type(msg) is dict or isinstance(msg, Mapping) else None
        if role == "assistant":
            current.append((msg, []))
        elif role == "tool":
            if current:
                current[-1][1].append(_text_of(msg.get("content")))
            else:
                skipped += 1  # a result with no call before it in this turn
        elif role in _TURN_ROLES:
            turns.append(tuple(Step(m, tuple(r)) for m, r in current))
            current = []
            users.append(_text_of(msg.get("content")))
        else:
            skipped += 1
    turns.append(tuple(Step(m, tuple(r)) for m, r in current))
    return Trajectory(turns=tuple(turns), skipped=skipped, truncated=truncated, user_texts=tuple(users))
