"""A public testing kit for tool-calling reward functions (``pip install "rlvr-rewards[testing]"``).

    from rlvr_rewards.testing import as_trl_reward, check_reward_properties
    check_reward_properties(my_reward, reward_range=(0.0, 1.0))           # any TRL-style function
    check_reward_properties(as_trl_reward("graded"), reward_range=(0, 1))  # our presets

Contract:
- The kit needs Hypothesis. ``import rlvr_rewards`` never imports this package, and this package
  imports its modules (and Hypothesis) lazily, on first access to a name: so the pytest plugin
  :mod:`rlvr_rewards.testing.pytest_plugin`, which lives here, loads without Hypothesis. Accessing a
  name without Hypothesis installed raises :class:`ImportError` with the install command.
- :mod:`rlvr_rewards.testing.strategies`: Hypothesis strategies for tool specs, ground truths,
  correct completions in every format, semantic mutations and adversarial texts.
- :mod:`rlvr_rewards.testing.properties`: :func:`check_reward_properties` (bounded, finite,
  deterministic, permutation invariant, batch = one by one, perfect = max, mutations strictly lower)
  and :func:`as_trl_reward`.
- :mod:`rlvr_rewards.testing.pytest_plugin`: pytest fixtures (registered by the ``pytest11`` entry
  point ``rlvr_rewards``).

See ``docs/testing.md``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the type checker sees the real names; at run time they load on first access
    from rlvr_rewards.testing import strategies
    from rlvr_rewards.testing.properties import (
        PROPERTIES,
        PropertyReport,
        RewardFunction,
        as_trl_reward,
        check_reward_properties,
    )
    from rlvr_rewards.testing.strategies import (
        BEHAVIORS,
        FORMATS,
        MUTATION_KINDS,
        TEXT_FORMATS,
        adversarial_texts,
        cases,
        correct_completions,
        ground_truths,
        mutations,
        tool_schemas,
    )

_EXPORTS: dict[str, str] = {
    "PROPERTIES": "properties",
    "PropertyReport": "properties",
    "RewardFunction": "properties",
    "as_trl_reward": "properties",
    "check_reward_properties": "properties",
    "BEHAVIORS": "strategies",
    "FORMATS": "strategies",
    "MUTATION_KINDS": "strategies",
    "TEXT_FORMATS": "strategies",
    "adversarial_texts": "strategies",
    "cases": "strategies",
    "correct_completions": "strategies",
    "ground_truths": "strategies",
    "mutations": "strategies",
    "tool_schemas": "strategies",
}

__all__ = [
    "BEHAVIORS",
    "FORMATS",
    "MUTATION_KINDS",
    "PROPERTIES",
    "TEXT_FORMATS",
    "PropertyReport",
    "RewardFunction",
    "adversarial_texts",
    "as_trl_reward",
    "cases",
    "check_reward_properties",
    "correct_completions",
    "ground_truths",
    "mutations",
    "strategies",
    "tool_schemas",
]


def _load(module: str) -> Any:
    try:
        importlib.import_module("hypothesis")
    except ImportError as exc:
        raise ImportError('rlvr_rewards.testing needs Hypothesis: pip install "rlvr-rewards[testing]"') from exc
    return importlib.import_module(f"rlvr_rewards.testing.{module}")


def __getattr__(name: str) -> Any:
    if name == "strategies":
        return _load("strategies")
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'rlvr_rewards.testing' has no attribute {name!r}")
    value = getattr(_load(module), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
