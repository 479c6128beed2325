"""Resource limits applied to untrusted model output.

Contract: every limit is checked in linear time before or while parsing; exceeding one never raises,
it turns into a recorded violation (and usually the floor reward). Limits are configurable per call
through ``score(..., limits=Limits(...))``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_LIMITS", "Limits"]


@dataclass(frozen=True, slots=True)
class Limits:
    """Caps on what a completion may contain before it is declared invalid.

    - ``max_chars``: completions longer than this are not parsed (reason ``too_long``).
    - ``max_depth``: deepest allowed nesting of arrays/objects inside one tool call.
    - ``max_int_digits``: longest allowed integer literal (CPython refuses > 4300 digits anyway).
    - ``max_calls``: most tool calls parsed from one completion; more is a violation.
    """

    max_chars: int = 200_000
    max_depth: int = 64
    max_int_digits: int = 100
    max_calls: int = 64


DEFAULT_LIMITS = Limits()
