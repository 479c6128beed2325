"""rlvr_rewards: verifiable, hard-to-game rewards for tool-calling agents.

    import rlvr_rewards as rr
    s = rr.score(completion, ground_truth, tools=None, preset="graded")        # -> rr.Score
    b = rr.score_batch(completions, ground_truths, tools=None, preset="graded", groups=None)

Importing the package builds no plugin manager and imports none of the scoring machinery (numpy,
pydantic, jsonschema, pluggy): ``rr.score`` and the other names load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rlvr_rewards import _compat
from rlvr_rewards.errors import (
    ConfigError,
    GroundTruthError,
    PluginError,
    RlvrRewardsError,
    ToolSpecError,
    WorkerError,
)
from rlvr_rewards.limits import DEFAULT_LIMITS, Limits

if TYPE_CHECKING:
    from rlvr_rewards.combine.presets import Preset
    from rlvr_rewards.environments import EnvironmentSpec, ObjectEnvironment
    from rlvr_rewards.groundtruth.matchers import CompiledMatcher, MatcherSpec
    from rlvr_rewards.groundtruth.toolspecs import ToolSet
    from rlvr_rewards.groundtruth.truths import CompiledCall, CompiledTruth
    from rlvr_rewards.hookspecs import hookimpl
    from rlvr_rewards.parsing.types import ParsedCall, ParseResult, ParserSpec
    from rlvr_rewards.scoring.core import score, score_batch
    from rlvr_rewards.scoring.explain import Explanation, explain
    from rlvr_rewards.scoring.reasons import REASONS, ReasonRule
    from rlvr_rewards.scoring.result import BatchScore, Score
    from rlvr_rewards.scoring.types import ScorerSpec, ScoringContext

#: Names imported on first use (PEP 562), so ``import rlvr_rewards`` (and the Lambda module, which imports it)
#: loads neither numpy, pydantic, jsonschema nor pluggy until something is scored: name -> defining module.
#: Plugin authors import every type a hook takes or returns from here (docs/plugins.md).
_LAZY = {
    "hookimpl": "rlvr_rewards.hookspecs",
    "Preset": "rlvr_rewards.combine.presets",
    "REASONS": "rlvr_rewards.scoring.reasons",
    "BatchScore": "rlvr_rewards.scoring.result",
    "Score": "rlvr_rewards.scoring.result",
    "score": "rlvr_rewards.scoring.core",
    "score_batch": "rlvr_rewards.scoring.core",
    "explain": "rlvr_rewards.scoring.explain",
    "Explanation": "rlvr_rewards.scoring.explain",
    # the types of the plugin hooks (rlvr_rewards.hookspecs)
    "ScorerSpec": "rlvr_rewards.scoring.types",
    "ScoringContext": "rlvr_rewards.scoring.types",
    "ParserSpec": "rlvr_rewards.parsing.types",
    "ParseResult": "rlvr_rewards.parsing.types",
    "ParsedCall": "rlvr_rewards.parsing.types",
    "MatcherSpec": "rlvr_rewards.groundtruth.matchers",
    "CompiledMatcher": "rlvr_rewards.groundtruth.matchers",
    "CompiledTruth": "rlvr_rewards.groundtruth.truths",
    "CompiledCall": "rlvr_rewards.groundtruth.truths",
    "ToolSet": "rlvr_rewards.groundtruth.toolspecs",
    "ReasonRule": "rlvr_rewards.scoring.reasons",
    "EnvironmentSpec": "rlvr_rewards.environments",
    "ObjectEnvironment": "rlvr_rewards.environments",
}


def __getattr__(name: str) -> Any:
    if name == "__version__":
        globals()[name] = value = _version()
        return value
    module = _LAZY.get(name)
    if module is None:
        if f"{__name__}.{name}" in _compat.MOVED:  # ``rr.presets``: a module of the 0.1 layout, by its old path
            import importlib

            return importlib.import_module(f"{__name__}.{name}")
        raise AttributeError(f"module 'rlvr_rewards' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups are plain module attributes
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


def _version() -> str:
    """The installed distribution's version (pyproject.toml is the one place it is written), read on first use
    of ``rr.__version__`` (importlib.metadata costs a cold Lambda start about as much as the package)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("rlvr-rewards")
    except PackageNotFoundError:  # a source tree on sys.path without an installed distribution
        return "0+unknown"


_compat.install()  # the import paths of the 0.1 layout, for one release (rlvr_rewards._compat)

__all__ = [
    "DEFAULT_LIMITS",
    "REASONS",
    "BatchScore",
    "CompiledCall",
    "CompiledMatcher",
    "CompiledTruth",
    "ConfigError",
    "EnvironmentSpec",
    "Explanation",
    "GroundTruthError",
    "Limits",
    "MatcherSpec",
    "ObjectEnvironment",
    "ParseResult",
    "ParsedCall",
    "ParserSpec",
    "PluginError",
    "Preset",
    "ReasonRule",
    "RlvrRewardsError",
    "Score",
    "ScorerSpec",
    "ScoringContext",
    "ToolSet",
    "ToolSpecError",
    "WorkerError",
    "__version__",
    "explain",
    "get_preset",
    "hookimpl",
    "list_presets",
    "parse",
    "score",
    "score_batch",
]


def get_preset(name: str) -> Preset:
    """A registered preset by name (derive your own with ``get_preset("graded").derive(...)``)."""
    from rlvr_rewards.plugins import get_registry

    return get_registry().preset(name)


def list_presets() -> list[str]:
    """Names of every registered preset."""
    from rlvr_rewards.plugins import get_registry

    return sorted(get_registry().presets)


def parse(  # type: ignore[no-untyped-def]
    completion: object, *, limits: Limits = DEFAULT_LIMITS, format: str | None = None, tools: object = None
):
    """Stage one alone: the :class:`ParseResult` of a completion with every registered format (``format``:
    one format name or model family instead, docs/formats.md). With ``tools`` (a tool list, as for
    :func:`score`), argument values a text-only format wrote are typed by the tools' schemas, as scoring
    does; without, by the no-schema rule of :mod:`rlvr_rewards.parsing.values`."""
    from rlvr_rewards.groundtruth.toolspecs import compile_tools
    from rlvr_rewards.parsing import parse_completion
    from rlvr_rewards.parsing.values import type_values
    from rlvr_rewards.plugins import get_registry

    registry = get_registry()
    result = parse_completion(completion, parsers=registry.parsers_for(format), limits=limits, markers=registry.parsers)
    if result.untyped:
        result = type_values(result, compile_tools(tools) if tools is not None else None, limits)
    return result
