"""rlvr_rewards: verifiable, hard-to-game rewards for tool-calling agents.

    import rlvr_rewards as rr
    s = rr.score(completion, ground_truth, tools=None, preset="graded")        # -> rr.Score
    b = rr.score_batch(completions, ground_truths, tools=None, preset="graded", groups=None)

Importing the package builds no plugin manager and imports none of the scoring machinery (numpy,
pydantic, jsonschema, pluggy): ``rr.score`` and the other names load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
    from rlvr_rewards.hookspecs import hookimpl
    from rlvr_rewards.presets import Preset
    from rlvr_rewards.reasons import REASONS
    from rlvr_rewards.result import BatchScore, Score
    from rlvr_rewards.scoring.core import score, score_batch

#: Names imported on first use (PEP 562), so ``import rlvr_rewards`` (and the Lambda module, which imports it)
#: loads neither numpy, pydantic, jsonschema nor pluggy until something is scored: name -> defining module.
_LAZY = {
    "hookimpl": "rlvr_rewards.hookspecs",
    "Preset": "rlvr_rewards.presets",
    "REASONS": "rlvr_rewards.reasons",
    "BatchScore": "rlvr_rewards.result",
    "Score": "rlvr_rewards.result",
    "score": "rlvr_rewards.scoring.core",
    "score_batch": "rlvr_rewards.scoring.core",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'rlvr_rewards' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups are plain module attributes
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__version__ = "0.1.0"

__all__ = [
    "DEFAULT_LIMITS",
    "REASONS",
    "BatchScore",
    "ConfigError",
    "GroundTruthError",
    "Limits",
    "PluginError",
    "Preset",
    "RlvrRewardsError",
    "Score",
    "ToolSpecError",
    "WorkerError",
    "__version__",
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


def parse(completion: object, *, limits: Limits = DEFAULT_LIMITS):  # type: ignore[no-untyped-def]
    """Stage one alone: the :class:`ParseResult` of a completion with every registered format."""
    from rlvr_rewards.parsing import parse_completion
    from rlvr_rewards.plugins import get_registry

    return parse_completion(completion, parsers=get_registry().parsers, limits=limits)
