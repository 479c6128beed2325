"""pytest fixtures for testing reward functions, registered by the ``pytest11`` entry point ``rlvr_rewards``.

Fixtures:

- ``rlvr_check_reward_properties``: :func:`rlvr_rewards.testing.check_reward_properties`;
- ``rlvr_strategies``: the :mod:`rlvr_rewards.testing.strategies` module;
- ``rlvr_adversarial_texts``: a fixed list of 50 hostile completion texts (same seed, same list);
- ``rlvr_correct_cases``: a fixed list of 30 ``(tools, truth, correct completion)`` examples.

Contract: importing this module imports only pytest, so having the plugin registered (it is, in every
pytest session of an environment where rlvr-rewards is installed) costs nothing and never breaks a
session where Hypothesis is missing. A test that *uses* a fixture without Hypothesis installed fails
with the install command. The list fixtures return fresh copies: tests may mutate them.

Without the entry point, load it with ``-p rlvr_rewards.testing.pytest_plugin`` or ``pytest_plugins``
in a root ``conftest.py`` (not both: pytest refuses a plugin registered twice).
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

import pytest

__all__ = ["rlvr_adversarial_texts", "rlvr_check_reward_properties", "rlvr_correct_cases", "rlvr_strategies"]

_INSTALL = 'the rlvr_rewards testing fixtures need Hypothesis: pip install "rlvr-rewards[testing]"'


def _testing(module: str) -> ModuleType:
    try:
        importlib.import_module("hypothesis")
    except ImportError:
        pytest.fail(_INSTALL, pytrace=False)
    return importlib.import_module(f"rlvr_rewards.testing.{module}")


@pytest.fixture
def rlvr_check_reward_properties() -> Any:
    """:func:`rlvr_rewards.testing.check_reward_properties`: call it on your TRL reward function."""
    return _testing("properties").check_reward_properties


@pytest.fixture
def rlvr_strategies() -> ModuleType:
    """The :mod:`rlvr_rewards.testing.strategies` module (``tool_schemas``, ``cases``, ``mutations``, ...)."""
    return _testing("strategies")


@pytest.fixture
def rlvr_adversarial_texts() -> list[str]:
    """50 hostile completion texts, the same on every run (drawn once per session, seed fixed)."""
    return list(_testing("strategies").example_adversarial_texts())


@pytest.fixture
def rlvr_correct_cases() -> list[tuple[list[dict[str, Any]], dict[str, Any], Any]]:
    """30 ``(tools, truth, correct completion)`` examples, the same on every run (seed fixed)."""
    return list(_testing("strategies").example_correct_cases())
