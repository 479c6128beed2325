"""Environments: stateful tools a trajectory's calls are replayed in, so its end state can be checked.

Contract (docs/trajectories.md#environments):

- an environment is any object with ``execute(name, arguments) -> result`` (raising for a tool error: a wrong
  argument, a failed operation) and ``state() -> JSON value`` (what is compared);
- a plugin registers a factory with the ``register_environments`` hook:
  ``register(EnvironmentSpec("name", build, "description"))``; ``build(config)`` is called with the truth's
  ``environment.config`` (JSON data) and returns a fresh environment: the scorer builds one per replay and never
  reuses it;
- :class:`ObjectEnvironment` wraps any Python object whose public methods are the tools (the generic adapter);
- :mod:`rlvr_rewards.environments.replay` replays calls and compares end states field by field.

A model's calls reach an environment only as a registered name and a JSON object of arguments: never ``eval``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from rlvr_rewards.environments.objects import ObjectEnvironment, json_state

__all__ = ["Environment", "EnvironmentSpec", "ObjectEnvironment", "json_state"]


@runtime_checkable
class Environment(Protocol):
    """What the trajectory scorer needs of an environment."""

    def execute(self, name: str, arguments: Mapping[str, Any]) -> Any:
        """Run tool ``name`` with ``arguments``; return its result, raise for a tool error."""

    def state(self) -> Any:
        """The environment's state as JSON data (objects, lists, strings, numbers, booleans, null)."""


@dataclass(frozen=True, slots=True)
class EnvironmentSpec:
    """A registered environment: ``build(config)`` returns a fresh :class:`Environment`."""

    name: str
    build: Callable[[Mapping[str, Any]], Environment]
    description: str = ""
