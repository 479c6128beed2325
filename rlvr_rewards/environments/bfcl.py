"""BFCL's multi-turn backends (the file system, messaging, trading, travel, vehicle, ... classes) as an environment.

Contract: ``build(config)`` with ``config = {"involved_classes": [...], "initial_config": {...}, "long_context":
bool}`` (what ``rlvr-rewards convert --from bfcl`` writes into a multi-turn truth's ``environment.config``) returns
a fresh :class:`BfclEnvironment` holding one new instance of each involved class, set up as BFCL sets them up
(``bfcl_eval/eval_checker/multi_turn_eval/multi_turn_utils.py``, ``execute_multi_turn_func_call``):

- each class is looked up in BFCL's ``CLASS_FILE_PATH_MAPPING`` (``bfcl_eval/constants/executable_backend_config.py``),
  instantiated, and, unless it is one of BFCL's ``STATELESS_CLASSES``, loaded with
  ``_load_scenario(deepcopy(initial_config.get(class, {})), long_context=long_context)``;
- ``execute(name, arguments)`` runs the public method ``name`` (a bound method without a leading ``_``) of the
  instance that owns it; when two involved classes define the same name the later class in ``involved_classes``
  wins, as in BFCL's method map. Names BFCL refuses to run (``kill``, ``exit``, ``quit``, ``remove``, ``unlink``,
  ``popen``, ``Popen``, ``run``), private names and unknown names raise :class:`ToolError`, and whatever the
  method raises propagates (the replay records either as an error result). The method is called with a deep copy
  of ``**arguments`` (JSON values only, never ``eval``; a method may keep and later change a list it was given).
  The result is rendered as BFCL renders it: a ``str`` as it is, a ``dict`` as its ``json.dumps`` (its ``str``
  when that fails), anything else as its ``str``;
- ``state()`` is ``{class name: {public attribute: value}}`` for every involved class, the attributes BFCL's
  ``_compare_instances`` (``multi_turn_checker.py``) compares with ``!=``. Values are written as JSON data so that
  the field-by-field comparison (:func:`rlvr_rewards.environments.replay.compare_states`) agrees with ``!=``: the
  file system's ``File`` and ``Directory`` objects as the fields their ``__eq__`` compares (a file's ``name`` and
  ``content``, a directory's ``name`` and ``contents``; a directory's ``parent`` link is not compared, as BFCL does
  not), any other object as its public attributes, mappings with their keys as text (numeric keys Python finds
  equal, ``1``, ``1.0`` and ``True``, as the same text), tuples as lists, sets as sorted lists. Known differences
  from Python's ``!=``: the values ``True`` and ``1`` differ here (JSON types never cross-match; a required
  state's ``true`` stays a boolean), the key ``1`` and the key ``"1"`` do not, and a list equals a tuple.

``bfcl_eval`` is imported when an environment is built, never at import time; without it ``build`` raises
:class:`~rlvr_rewards.errors.ConfigError` naming the extra to install.
"""

from __future__ import annotations

import copy
import importlib
import inspect
import json
from collections.abc import Mapping, Sequence
from typing import Any

from rlvr_rewards.environments.objects import MAX_STATE_DEPTH, ToolError, json_state
from rlvr_rewards.errors import ConfigError

__all__ = ["REFUSED_NAMES", "BfclEnvironment", "build", "render_result", "signatures"]

#: Method names BFCL's executor refuses to run (multi_turn_utils.py, execute_multi_turn_func_call).
REFUSED_NAMES = frozenset({"kill", "exit", "quit", "remove", "unlink", "popen", "Popen", "run"})

#: The fields the file system's own ``__eq__`` compares (gorilla_file_system.py: File, Directory).
_EQ_FIELDS = {"File": ("name", "content"), "Directory": ("name", "contents")}
_FILE_SYSTEM_MODULE = "bfcl_eval.eval_checker.multi_turn_eval.func_source_code.gorilla_file_system"

_CONFIG_KEYS = frozenset({"involved_classes", "initial_config", "long_context"})


def render_result(result: Any) -> str:
    """A method's result as BFCL's executor writes it: ``str`` as it is, ``dict`` as ``json.dumps`` (else ``str``),
    anything else as ``str`` (exact types, as BFCL checks them)."""
    if type(result) is str:
        return result
    if type(result) is dict:
        try:
            return json.dumps(result)
        except Exception:  # BFCL falls back to str for anything json.dumps refuses
            return str(result)
    return str(result)


def _key(key: Any) -> str:
    """A mapping key as text; numeric keys Python finds equal (``1``, ``1.0``, ``True``) give the same text."""
    if isinstance(key, (bool, float)) and float(key).is_integer():
        return str(int(key))
    return str(key)


def _state_value(value: Any, depth: int = 0) -> Any:
    """``value`` as JSON data compared as BFCL's ``!=`` compares it (see the module contract)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return json_state(value)
    if depth >= MAX_STATE_DEPTH:
        return f"<{type(value).__name__}>"
    if isinstance(value, Mapping):
        return {_key(k): _state_value(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_state_value(v, depth + 1) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((_state_value(v, depth + 1) for v in value), key=repr)
    kind = type(value)
    fields = _EQ_FIELDS.get(kind.__name__) if kind.__module__ == _FILE_SYSTEM_MODULE else None
    if fields is not None:
        return {f: _state_value(getattr(value, f, None), depth + 1) for f in fields}
    if hasattr(value, "__dict__") and not inspect.isroutine(value) and not inspect.isclass(value):
        return {k: _state_value(v, depth + 1) for k, v in vars(value).items() if not k.startswith("_")}
    return json_state(value)


class BfclEnvironment:
    """BFCL backend instances behind the environment protocol (see the module contract)."""

    def __init__(self, instances: Mapping[str, Any]) -> None:
        self.instances = dict(instances)
        self._methods: dict[str, Any] = {}
        for instance in self.instances.values():  # later classes override earlier ones, as in BFCL's map
            for name, method in inspect.getmembers(instance, predicate=inspect.ismethod):
                if not name.startswith("_"):
                    self._methods[name] = method

    def tools(self) -> list[str]:
        """The names of the methods a call can reach, sorted."""
        return sorted(n for n in self._methods if n not in REFUSED_NAMES)

    def execute(self, name: str, arguments: Mapping[str, Any]) -> str:
        if not isinstance(name, str) or name.startswith("_"):
            raise ToolError(f"no tool named {name!r}")
        if name in REFUSED_NAMES:
            raise ToolError(f"Function call {name} is not allowed.")
        method = self._methods.get(name)
        if method is None:
            raise ToolError(f"no tool named {name!r} in {', '.join(self.instances)}")
        # a copy: a method may keep (and later change) an argument's list or dict, and the caller's arguments are a
        # cached truth's or a parse's (BFCL reads fresh values from its call string on every run)
        return render_result(method(**copy.deepcopy(dict(arguments))))

    def state(self) -> dict[str, Any]:
        return {
            cls: {k: _state_value(v) for k, v in vars(instance).items() if not k.startswith("_")}
            for cls, instance in self.instances.items()
        }


def _check_config(config: Mapping[str, Any]) -> tuple[list[str], dict[str, Any], bool]:
    unknown = sorted(set(config) - _CONFIG_KEYS)
    if unknown:
        raise ConfigError(f"bfcl environment: unknown config key(s) {unknown}; expected only {sorted(_CONFIG_KEYS)}")
    classes = config.get("involved_classes")
    if not isinstance(classes, list) or not classes or not all(isinstance(c, str) for c in classes):
        raise ConfigError(
            f"bfcl environment: 'involved_classes' must be a non-empty list of BFCL class names, got {classes!r}"
        )
    initial = config.get("initial_config", {})
    if not isinstance(initial, Mapping):
        raise ConfigError(f"bfcl environment: 'initial_config' must be an object, got {type(initial).__name__}")
    long_context = config.get("long_context", False)
    if not isinstance(long_context, bool):
        raise ConfigError(f"bfcl environment: 'long_context' must be true or false, got {long_context!r}")
    return list(classes), dict(initial), long_context


def _backend() -> tuple[Mapping[str, str], Sequence[str]]:
    """BFCL's class -> module map and its stateless classes; ConfigError naming the extra without bfcl_eval."""
    try:
        from bfcl_eval.constants.executable_backend_config import CLASS_FILE_PATH_MAPPING, STATELESS_CLASSES
    except ImportError:
        raise ConfigError(
            "the bfcl environment runs BFCL's own backend classes, and bfcl_eval is not installed: "
            "pip install 'rlvr-rewards[bfcl]'"
        ) from None
    return CLASS_FILE_PATH_MAPPING, STATELESS_CLASSES


def _classes(names: Sequence[str]) -> dict[str, type]:
    """BFCL's backend class of each name, in order; ConfigError for a name BFCL does not know."""
    modules, _ = _backend()
    unknown = [c for c in names if c not in modules]
    if unknown:
        raise ConfigError(
            f"bfcl environment: unknown class(es) {unknown} in 'involved_classes'; BFCL's classes are {sorted(modules)}"
        )
    return {name: getattr(importlib.import_module(modules[name]), name) for name in names}


def signatures(classes: Sequence[str]) -> dict[str, list[str]]:
    """Each public method of ``classes`` with its parameter names in signature order (a later class wins, as in
    the method map): the order BFCL's positional call strings bind in."""
    out: dict[str, list[str]] = {}
    for cls in _classes(classes).values():
        for name, function in inspect.getmembers(cls, predicate=inspect.isfunction):
            if not name.startswith("_"):
                out[name] = [p for p in inspect.signature(function).parameters if p != "self"]
    return out


def build(config: Mapping[str, Any]) -> BfclEnvironment:
    """A fresh environment for ``config`` (see the module contract)."""
    classes, initial, long_context = _check_config(config)
    _, stateless = _backend()
    instances: dict[str, Any] = {}
    for name, cls in _classes(classes).items():
        instance = cls()
        if name not in stateless:
            instance._load_scenario(copy.deepcopy(initial.get(name, {})), long_context=long_context)
        instances[name] = instance
    return BfclEnvironment(instances)
