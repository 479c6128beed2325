"""Plugin hook specifications (markers and typed specs only).

The ``register_*`` hooks are *register callbacks*: the plugin receives a ``register`` function
and calls it once per thing it provides. ``classify_behavior`` is a first-result hook called once
per distinct completion. A plugin module looks like::

    from rlvr_rewards import ScorerSpec, hookimpl

    @hookimpl
    def register_scorers(register):
        register(ScorerSpec(name="politeness", compute=my_column_fn, description="..."))

Every type a hook takes or gives is importable from ``rlvr_rewards`` itself (``ScorerSpec``, ``ScoringContext``,
``ParserSpec``, ``ParseResult``, ``ParsedCall``, ``MatcherSpec``, ``CompiledMatcher``, ``Preset``, ``ReasonRule``,
``EnvironmentSpec``).
Third-party plugins are found through the ``rlvr_rewards`` entry-point group; built-ins are ordinary
plugins listed in :data:`rlvr_rewards.plugins.DEFAULT_PLUGINS`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:  # pragma: no cover
    from rlvr_rewards.combine.presets import Preset
    from rlvr_rewards.environments import EnvironmentSpec
    from rlvr_rewards.groundtruth.matchers import MatcherSpec
    from rlvr_rewards.parsing.types import ParseResult, ParserSpec
    from rlvr_rewards.scoring.reasons import ReasonRule
    from rlvr_rewards.scoring.types import ScorerSpec

__all__ = ["hookimpl", "hookspec"]

PROJECT_NAME = "rlvr_rewards"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def register_parsers(register: Callable[[ParserSpec], None]) -> None:
    """Register completion formats: ``register(ParserSpec(name, parse, priority))``."""


@hookspec
def register_scorers(register: Callable[[ScorerSpec], None]) -> None:
    """Register reward components: ``register(ScorerSpec(name, compute, description))``."""


@hookspec
def register_matchers(register: Callable[[MatcherSpec], None]) -> None:
    """Register argument matchers usable in ground truths: ``register(MatcherSpec(key, compile))``."""


@hookspec
def register_presets(register: Callable[[Preset], None]) -> None:
    """Register presets (weights, gates, range) by name: ``register(Preset(...))``."""


@hookspec
def register_reasons(register: Callable[[ReasonRule], None]) -> None:
    """Register reason codes: ``register(ReasonRule(code, component, description, expected, order))``: the
    code a completion gets when it did what its truth asks and ``component`` is below 1 (the first rule by
    ``order``; see :mod:`rlvr_rewards.scoring.reasons`)."""


@hookspec
def register_environments(register: Callable[[EnvironmentSpec], None]) -> None:
    """Register environments trajectories are replayed in: ``register(EnvironmentSpec(name, build, description))``;
    ``build(config)`` returns a fresh environment (``execute(name, arguments)``, ``state()``) per replay."""


@hookspec(firstresult=True)
def classify_behavior(parse: ParseResult) -> str | None:
    """What a parsed completion did: one of ``execute``, ``clarify``, ``refuse``, ``answer``, ``invalid``,
    or ``None`` to let the next implementation decide. The first non-``None`` result wins; the built-in
    classifier runs last. Called once per distinct completion; must not raise on model output."""
