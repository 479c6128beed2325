"""The generic environment adapter: a Python object whose public methods are the tools.

Contract: ``ObjectEnvironment(obj).execute(name, arguments)`` calls ``obj.name(**arguments)`` when ``name`` is
a public method of ``obj`` (no leading underscore, a bound method, not a property or a class); anything else
raises :class:`ToolError` (an unknown tool). A ``TypeError`` from the call (missing or unexpected arguments) is
the tool's error too. ``state()`` is :func:`json_state` of the object's public attributes (``vars(obj)``
without ``_``-prefixed names), or of ``obj.state()`` if the object defines one.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Mapping
from typing import Any

__all__ = ["ObjectEnvironment", "ToolError", "json_state"]

#: Deepest nesting :func:`json_state` follows; deeper values are written as their ``repr`` type name.
MAX_STATE_DEPTH = 64


class ToolError(Exception):
    """A tool call the environment could not run (unknown tool, bad arguments)."""


#: Most nodes :func:`json_state` writes; past it, values are written as their type name.
MAX_STATE_NODES = 200_000


def json_state(value: Any) -> Any:
    """``value`` as JSON data: mappings with string keys, lists (tuples and sets too; sets sorted by their
    ``repr``), finite numbers, strings, booleans, null; an object with a ``__dict__`` as its public attributes;
    anything else as its ``str``. Non-finite floats become strings ("nan", "inf"). A container or object already
    on the path being written (a back-link: a directory's ``parent``) is written as ``"<cycle: Type>"``; nesting
    past :data:`MAX_STATE_DEPTH` and nodes past :data:`MAX_STATE_NODES` as ``"<Type>"``."""
    budget = [MAX_STATE_NODES]
    return _state(value, 0, set(), budget)


def _state(value: Any, depth: int, path: set[int], budget: list[int]) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    budget[0] -= 1
    if depth >= MAX_STATE_DEPTH or budget[0] < 0:
        return f"<{type(value).__name__}>"
    if id(value) in path:
        return f"<cycle: {type(value).__name__}>"
    path.add(id(value))
    try:
        if isinstance(value, Mapping):
            return {str(k): _state(v, depth + 1, path, budget) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [_state(v, depth + 1, path, budget) for v in value]
        if isinstance(value, (set, frozenset)):
            return sorted((_state(v, depth + 1, path, budget) for v in value), key=repr)
        if hasattr(value, "__dict__") and not inspect.isroutine(value) and not inspect.isclass(value):
            return {k: _state(v, depth + 1, path, budget) for k, v in vars(value).items() if not k.startswith("_")}
        return str(value)
    finally:
        path.discard(id(value))


class ObjectEnvironment:
    """An :class:`~rlvr_rewards.environments.Environment` over ``obj``'s public methods (see the module)."""

    def __init__(self, obj: Any) -> None:
        self.obj = obj

    def tools(self) -> list[str]:
        """The names of the public methods (the tools), sorted."""
        return sorted(
            name
            for name, member in inspect.getmembers(self.obj, predicate=inspect.ismethod)
            if not name.startswith("_") and name not in ("state",)
        )

    def execute(self, name: str, arguments: Mapping[str, Any]) -> Any:
        if not isinstance(name, str) or not name or name.startswith("_") or name == "state":
            raise ToolError(f"no tool named {name!r}")
        if isinstance(inspect.getattr_static(self.obj, name, None), (property, type)):
            raise ToolError(f"no tool named {name!r}")
        method = getattr(self.obj, name, None)
        if not inspect.ismethod(method):
            raise ToolError(f"no tool named {name!r}")
        try:
            inspect.signature(method).bind(**dict(arguments))
        except TypeError as exc:
            raise ToolError(f"{name}: {exc}") from None
        return method(**dict(arguments))

    def state(self) -> Any:
        own = getattr(self.obj, "state", None)
        if inspect.ismethod(own):
            return json_state(own())
        return json_state(self.obj)
