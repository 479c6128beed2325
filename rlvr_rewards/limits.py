"""Resource limits applied to untrusted model output.

Contract: every limit is checked in linear time before or while parsing; exceeding one never raises,
it turns into a recorded violation (and usually the floor reward). Limits are configurable per call
through ``score(..., limits=Limits(...))``; a limit that is not an integer in its range raises
:class:`ConfigError` when the ``Limits`` is made, naming every limit and its range.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from numbers import Integral

from rlvr_rewards.errors import ConfigError

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

    def __post_init__(self) -> None:
        for name, lowest in _LOWEST.items():
            value = getattr(self, name)
            if type(value) is not int and isinstance(value, Integral) and not isinstance(value, bool):
                value = int(value)  # numpy integers and the like
                object.__setattr__(self, name, value)
            if type(value) is not int or value < lowest:  # (a bool is not a limit, nor is 2.5)
                defaults = {f.name: f.default for f in fields(Limits)}
                raise ConfigError(
                    f"Limits({name}={value!r}): expected an integer >= {lowest}; the limits are "
                    + ", ".join(f"{n} (an integer >= {lo}, default {defaults[n]})" for n, lo in _LOWEST.items()))


#: The smallest value each limit takes (``max_calls=0``: any call is too many).
_LOWEST = {"max_chars": 1, "max_depth": 1, "max_int_digits": 1, "max_calls": 0}


DEFAULT_LIMITS = Limits()
