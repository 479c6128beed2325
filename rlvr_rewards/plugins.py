"""The plugin manager and the registry it produces (built lazily, never at import time).

Contract:
- :func:`get_registry` returns an immutable snapshot of everything registered: parsers (ordered by
  priority), scorers, matchers and presets by name. It is built on first use and rebuilt after
  :func:`register_plugin` / :func:`unregister_plugin`.
- A registration of the wrong type, or a name registered twice, raises :class:`PluginError` naming
  both plugins involved.
- :func:`registry_generation` counts the changes made through :func:`register_plugin` /
  :func:`unregister_plugin`. Everything compiled against the registry (compiled ground truths, whose
  matchers come from plugins; the Lambda's derived presets) is stamped with the generation it was built
  under and is rebuilt, never reused, once the generation moves on.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import pluggy

from rlvr_rewards import hookspecs
from rlvr_rewards.combine import presets as _presets
from rlvr_rewards.errors import ConfigError, PluginError
from rlvr_rewards.util.locks import ForkSafeLock

if TYPE_CHECKING:
    from rlvr_rewards.combine.presets import Preset
    from rlvr_rewards.environments import EnvironmentSpec
    from rlvr_rewards.groundtruth.matchers import MatcherSpec, MatcherTable
    from rlvr_rewards.parsing.types import ParserSpec
    from rlvr_rewards.scoring.reasons import Diagnosis, ReasonRule
    from rlvr_rewards.scoring.types import ScorerSpec

__all__ = [
    "DEFAULT_PLUGINS",
    "ENTRY_POINT_GROUP",
    "FORMAT_PLUGINS",
    "Registry",
    "get_plugin_manager",
    "get_registry",
    "register_plugin",
    "registered_components",
    "registry_generation",
    "unregister_plugin",
]

ENTRY_POINT_GROUP = "rlvr_rewards"

#: The format families beyond the built-in seven, one built-in plugin module each (docs/formats.md).
FORMAT_PLUGINS: tuple[str, ...] = tuple(
    f"rlvr_rewards.parsing.{name}"
    for name in (
        "qwen3_xml",
        "glm",
        "minimax",
        "seed_oss",
        "harmony",
        "step3",
        "deepseek",
        "kimi",
        "granite",
        "tool_calls_tag",
        "internlm",
        "olmo",
        "lfm2",
        "llama4",
        "phi4",
        "gemma",
        "xlam",
    )
)

DEFAULT_PLUGINS: tuple[str, ...] = (
    "rlvr_rewards.builtin.parsers",
    *FORMAT_PLUGINS,
    "rlvr_rewards.builtin.matchers",
    "rlvr_rewards.builtin.scorers",
    "rlvr_rewards.builtin.presets",
    "rlvr_rewards.builtin.behavior",
    "rlvr_rewards.builtin.reasons",
    "rlvr_rewards.builtin.environments",
)

_lock = ForkSafeLock(threading.RLock)
_pm: pluggy.PluginManager | None = None
_registry: Registry | None = None
_building = threading.local()
#: bumped by every register_plugin / unregister_plugin (see registry_generation)
_generation = 0


class _RegistryReentered(PluginError):
    """A hook asked for the registry while it was being built (told apart by type, not by message)."""


@dataclass(frozen=True)
class Registry:
    """Everything the plugins registered. Mappings are read-only."""

    parsers: tuple[ParserSpec, ...]
    scorers: MappingProxyType[str, ScorerSpec]
    matchers: MappingProxyType[str, MatcherSpec]
    presets: MappingProxyType[str, Preset]
    owners: MappingProxyType[tuple[str, str], str]
    classifiers: tuple[tuple[str, Callable[..., Any]], ...] = ()  # (plugin name, function), call order
    #: the plugin generation this snapshot was built under (see registry_generation)
    generation: int = 0
    #: the reason rules, built-in first, in registration order (see rlvr_rewards.scoring.reasons)
    reason_rules: tuple[ReasonRule, ...] = ()
    #: the environments trajectories are replayed in, by name (see rlvr_rewards.environments)
    environments: MappingProxyType[str, EnvironmentSpec] = field(default_factory=lambda: MappingProxyType({}))

    def environment(self, name: str) -> EnvironmentSpec:
        """The registered environment ``name``; ConfigError naming the registered ones if there is none."""
        try:
            return self.environments[name]
        except KeyError:
            known = ", ".join(sorted(self.environments)) or "none"
            raise ConfigError(
                f"unknown environment {name!r}; registered environments: {known} "
                "(the bfcl environment needs the bfcl extra: pip install 'rlvr-rewards[bfcl]')"
            ) from None

    @property
    def diagnosis(self) -> Diagnosis:
        """The reason-code diagnosis with this snapshot's rules (built once per snapshot)."""
        diagnosis: Diagnosis | None = self.__dict__.get("_diagnosis")
        if diagnosis is None:
            from rlvr_rewards.scoring.reasons import Diagnosis

            diagnosis = Diagnosis(self.reason_rules)
            object.__setattr__(self, "_diagnosis", diagnosis)
        return diagnosis

    @property
    def reasons(self) -> dict[str, str]:
        """Every reason code a score can carry with this snapshot: the built-in ones and the plugins' rules."""
        from rlvr_rewards.scoring.reasons import REASONS

        return {**REASONS, **{rule.code: rule.description for rule in self.reason_rules}}

    @property
    def matcher_table(self) -> MatcherTable:
        """The matchers with this snapshot's generation: what ground truths are compiled with."""
        table: MatcherTable | None = self.__dict__.get("_matcher_table")
        if table is None:
            from rlvr_rewards.groundtruth.matchers import MatcherTable

            table = MatcherTable(self.matchers, self.generation)
            object.__setattr__(self, "_matcher_table", table)
        return table

    @property
    def scorer_names(self) -> frozenset[str]:
        """The registered components (scorer names), computed once per registry snapshot."""
        names: frozenset[str] | None = self.__dict__.get("_scorer_names")
        if names is None:
            names = frozenset(self.scorers)
            object.__setattr__(self, "_scorer_names", names)
        return names

    def parsers_for(self, hint: str | None) -> tuple[ParserSpec, ...]:
        """The parsers a ``format=`` hint selects: every registered one in priority order (auto-detection) for
        ``None`` or ``"auto"``; the parser whose name or alias is ``hint`` (case and ``-``/``_``/``.``
        ignored), then the parsers its ``hint_includes`` names, otherwise; ``()`` for ``"openai"`` (only
        structured ``tool_calls`` give calls). Answers are kept per snapshot (the same tuple each time). An
        unknown hint raises ``ConfigError`` listing them."""
        if hint is None:
            return self.parsers
        table: dict[str, tuple[ParserSpec, ...]] | None = self.__dict__.get("_parsers_for")
        if table is None:
            table = {"auto": self.parsers, "openai": ()}
            for spec in reversed(self.parsers):  # the first in priority order wins a shared alias
                chosen = (spec, *(other for other in self.parsers if other.name in spec.hint_includes))
                for name in (*spec.aliases, spec.name):
                    table[_hint_key(name)] = chosen
            object.__setattr__(self, "_parsers_for", table)
        if not isinstance(hint, str):
            raise ConfigError(f"format must be a string (a format name or model family), got {type(hint).__name__}")
        found = table.get(_hint_key(hint))
        if found is None:
            known = sorted({spec.name for spec in self.parsers} | {a for spec in self.parsers for a in spec.aliases})
            raise ConfigError(
                f"unknown format {hint!r}; use 'auto' (detect), 'openai' (structured tool_calls only) or one of: "
                f"{', '.join(known)} (see docs/formats.md)"
            )
        return found

    def preset(self, name: str) -> Preset:
        try:
            return self.presets[name]
        except KeyError:
            raise ConfigError(
                f"unknown preset {name!r}; registered presets: {', '.join(sorted(self.presets))}"
            ) from None


def _hint_key(name: str) -> str:
    """A ``format=`` hint compared without case, spaces, ``-``, ``_`` or ``.``."""
    return "".join(ch for ch in name.lower() if ch.isalnum())


def get_plugin_manager() -> pluggy.PluginManager:
    """The process-wide plugin manager, created on first call with built-ins and entry points."""
    global _pm
    with _lock:
        if _pm is None:
            pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
            pm.add_hookspecs(hookspecs)
            for module_name in DEFAULT_PLUGINS:
                pm.register(importlib.import_module(module_name), name=module_name)
            pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
            _pm = pm
        return _pm


def registered_components() -> frozenset[str] | None:
    """The names of the registered scorers (the components a preset may weight), or None while the
    registry is being built (a hook deriving a preset cannot ask; the build checks every preset)."""
    if getattr(_building, "active", False):
        return None
    return frozenset(get_registry().scorers)


# Presets check a derived preset's components against the registered ones; the registry imports presets, so it
# hands them its answer instead of presets importing it.
_presets.set_component_source(registered_components)


def registry_generation() -> int:
    """How many times the plugin set changed through :func:`register_plugin` / :func:`unregister_plugin`.

    A cache of anything built from the registry keys on (or is cleared with) this number, so a plugin
    registered or unregistered later can never leave a stale compiled value behind."""
    return _generation


def _plugins_changed() -> None:
    global _registry, _generation
    _registry = None
    _generation += 1


def register_plugin(plugin: object, name: str | None = None) -> None:
    """Register a plugin object or module at run time (tests, notebooks). Rebuilds the registry."""
    with _lock:
        get_plugin_manager().register(plugin, name=name)
        _plugins_changed()
        try:
            get_registry()
        except Exception:
            get_plugin_manager().unregister(plugin)
            _plugins_changed()
            raise


def unregister_plugin(plugin_or_name: object) -> None:
    """Remove a plugin registered with :func:`register_plugin` (by object or name)."""
    with _lock:
        pm = get_plugin_manager()
        if isinstance(plugin_or_name, str):
            pm.unregister(name=plugin_or_name)
        else:
            pm.unregister(plugin_or_name)
        _plugins_changed()


def _collect(
    pm: pluggy.PluginManager, hook_name: str, expected_type: type, key: Callable[[Any], str]
) -> tuple[dict[str, Any], dict[tuple[str, str], str]]:
    items: dict[str, Any] = {}
    owners: dict[tuple[str, str], str] = {}
    hook = getattr(pm.hook, hook_name)
    # get_hookimpls() is in call order (last registered first); reverse so built-ins come first.
    for impl in reversed(hook.get_hookimpls()):
        plugin_name = impl.plugin_name

        def register(item: Any, _plugin: str = plugin_name) -> None:
            if not isinstance(item, expected_type):
                raise PluginError(
                    f"plugin {_plugin!r} passed {type(item).__name__} to {hook_name}; "
                    f"expected a {expected_type.__name__}"
                )
            name = key(item)
            if not isinstance(name, str) or not name:
                raise PluginError(f"plugin {_plugin!r} registered a {expected_type.__name__} with no name")
            if name in items:
                first = owners[(hook_name, name)]
                raise PluginError(
                    f"plugin {_plugin!r} registers {expected_type.__name__} {name!r} in {hook_name}, "
                    f"which plugin {first!r} already registered; choose another name"
                )
            items[name] = item
            owners[(hook_name, name)] = _plugin

        try:
            impl.function(register=register)
        except _RegistryReentered as exc:
            raise PluginError(f"plugin {plugin_name!r} in {hook_name}: {exc}") from None
        except PluginError:
            raise
        except Exception as exc:
            raise PluginError(f"plugin {plugin_name!r} failed in {hook_name}: {exc!r}") from exc
    return items, owners


def get_registry() -> Registry:
    """The current registry snapshot (built lazily, cached until plugins change)."""
    global _registry
    reg = _registry
    if reg is not None:
        return reg
    with _lock:
        if _registry is not None:
            return _registry
        if getattr(_building, "active", False):
            raise _RegistryReentered(
                "a plugin hook asked for the registry (get_registry / get_preset / score) while the registry "
                "is being built; hooks may only call `register`. To derive from a built-in preset, import it: "
                "`from rlvr_rewards.builtin.presets import GRADED; register(GRADED.derive('mine', ...))`"
            )
        _building.active = True
        try:
            return _build()
        finally:
            _building.active = False


def _build() -> Registry:
    global _registry
    from rlvr_rewards.combine.presets import Preset
    from rlvr_rewards.environments import EnvironmentSpec
    from rlvr_rewards.groundtruth.matchers import MatcherSpec
    from rlvr_rewards.parsing.types import ParserSpec
    from rlvr_rewards.scoring.reasons import ReasonRule
    from rlvr_rewards.scoring.types import ScorerSpec

    pm = get_plugin_manager()
    parsers, o1 = _collect(pm, "register_parsers", ParserSpec, lambda p: p.name)
    scorers, o2 = _collect(pm, "register_scorers", ScorerSpec, lambda s: s.name)
    matchers, o3 = _collect(pm, "register_matchers", MatcherSpec, lambda m: m.key)
    presets, o4 = _collect(pm, "register_presets", Preset, lambda p: p.name)
    rules, o5 = _collect(pm, "register_reasons", ReasonRule, lambda r: r.code)
    environments, o6 = _collect(pm, "register_environments", EnvironmentSpec, lambda e: e.name)
    # pluggy calls hook implementations from the end of get_hookimpls(): keep that order
    classifiers = tuple((i.plugin_name, i.function) for i in reversed(pm.hook.classify_behavior.get_hookimpls()))
    known = frozenset(scorers)
    for preset in presets.values():
        try:
            preset.check_components(known, owner=o4[("register_presets", preset.name)])
        except ConfigError as exc:
            raise PluginError(str(exc)) from None
    _registry = Registry(
        classifiers=classifiers,
        parsers=tuple(sorted(parsers.values(), key=lambda p: (p.priority, p.name))),
        scorers=MappingProxyType(scorers),
        matchers=MappingProxyType(matchers),
        presets=MappingProxyType(presets),
        owners=MappingProxyType({**o1, **o2, **o3, **o4, **o5, **o6}),
        environments=MappingProxyType(environments),
        generation=_generation,
        reason_rules=_checked_rules(rules, known, o5),
    )
    return _registry


def _checked_rules(
    rules: dict[str, ReasonRule], components: frozenset[str], owners: dict[tuple[str, str], str]
) -> tuple[ReasonRule, ...]:
    """The registered reason rules, each checked: a registered component, a behaviour a truth can expect, and a
    code that is not one of the fixed codes (``ok``, the invalid and mismatch codes, ``wrong_tool``, ...)."""
    from rlvr_rewards.scoring.reasons import BUILTIN_RULES, REASONS
    from rlvr_rewards.vocabulary import EXPECTED_BEHAVIORS

    fixed = set(REASONS) - {rule.code for rule in BUILTIN_RULES}
    for code, rule in rules.items():
        owner = owners[("register_reasons", code)]
        if rule.component not in components:
            raise PluginError(
                f"plugin {owner!r} registers reason {code!r} for component {rule.component!r}, which no plugin "
                f"registered; registered components: {sorted(components)}"
            )
        if rule.expected is not None and rule.expected not in EXPECTED_BEHAVIORS:
            raise PluginError(
                f"plugin {owner!r} registers reason {code!r} for expected behaviour {rule.expected!r}; "
                f"expected one of {list(EXPECTED_BEHAVIORS)} or None (every behaviour)"
            )
        if code in fixed:
            raise PluginError(
                f"plugin {owner!r} registers reason {code!r}, a code the diagnosis gives itself; choose another code"
            )
    return tuple(rules.values())
