"""Built-in argument matchers (an ordinary plugin): $any, $approx, $unordered, $optional, $text,
$regex, $literal. See :mod:`rlvr_rewards.groundtruth.matchers` for their semantics."""

from __future__ import annotations

from collections.abc import Callable

from rlvr_rewards.groundtruth.matchers import BUILTIN_MATCHERS, MatcherSpec
from rlvr_rewards.hookspecs import hookimpl


@hookimpl
def register_matchers(register: Callable[[MatcherSpec], None]) -> None:
    for spec in BUILTIN_MATCHERS:
        register(spec)
