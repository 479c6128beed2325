"""Built-in reason rules (an ordinary plugin): :data:`rlvr_rewards.scoring.reasons.BUILTIN_RULES`."""

from __future__ import annotations

from collections.abc import Callable

from rlvr_rewards.hookspecs import hookimpl
from rlvr_rewards.scoring.reasons import BUILTIN_RULES, ReasonRule


@hookimpl
def register_reasons(register: Callable[[ReasonRule], None]) -> None:
    for rule in BUILTIN_RULES:
        register(rule)
