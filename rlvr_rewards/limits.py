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

__all__ = ["DEFAULT_LIMITS", "Limits", "block_budget"]


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
                    + ", ".join(f"{n} (an integer >= {lo}, default {defaults[n]})" for n, lo in _LOWEST.items())
                )


#: The smallest value each limit takes (``max_calls=0``: any call is too many).
_LOWEST = {"max_chars": 1, "max_depth": 1, "max_int_digits": 1, "max_calls": 0}


DEFAULT_LIMITS = Limits()

#: Distinct call blocks one completion may hold per allowed call (and at least ``MIN_BLOCK_BUDGET``): the
#: parsers decode each distinct block text once (a repeated block is replayed, not decoded again), at
#: 3-5 microseconds a block, so ten thousands of distinct blocks would cost 50-150 ms. Past the budget the
#: completion is ``over_budget`` (the floor): no model that means its calls writes a thousand call blocks.
BLOCKS_PER_CALL = 16
MIN_BLOCK_BUDGET = 1_024


def block_budget(limits: Limits) -> int:
    """How many distinct call blocks (texts) a completion may hold: ``max(1024, 16 * max_calls)``."""
    return max(MIN_BLOCK_BUDGET, BLOCKS_PER_CALL * limits.max_calls)
