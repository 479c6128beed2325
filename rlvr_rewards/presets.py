"""Presets: how component columns become one reward. A preset is data, combined in one place.

Contract:
- A :class:`Preset` holds, per expected behaviour (``execute``, ``clarify``, ``refuse``, ``no_call``),
  the weights of the components; a ``gated`` flag; the reward for each wrong behaviour (the cost
  matrix, used when gated); an ``offset``; ``normalize`` (weighted mean vs weighted sum); and the
  reward range. :meth:`Preset.combine` is the only place rewards are computed from components::

      quality = sum_c w[e, c] * x_c / sum_c w[e, c] * [x_c is not NaN]     (normalize=True)
      quality = sum_c w[e, c] * x_c                                           (normalize=False)
      quality = quality * prod_c (f[e, c] + (1 - f[e, c]) * x_c)              (multipliers: c -> floor f)
      reward  = where(gated & not accepted[e, done], mismatch[e, done], offset + quality)
      reward  = clip(reward, *reward_range); non-finite -> floor

- Accepted behaviours: execute -> {execute}, clarify -> {clarify}, refuse -> {refuse},
  no_call -> {clarify, refuse}.
- :meth:`Preset.derive` makes a user preset from a registered one; bad values raise ConfigError, and so
  does a component name no registered scorer provides (checked when the preset is derived; a preset
  derived inside a plugin hook is checked when the registry is built).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

import numpy as np

from rlvr_rewards.errors import ConfigError
from rlvr_rewards.truth import BEHAVIORS, EXPECTED_BEHAVIORS

__all__ = ["ACCEPTED", "DEFAULT_LENGTH_BUDGET", "Preset"]

#: Characters (soft, hard): the ``length`` component is 1 up to soft and falls linearly to 0 at hard.
DEFAULT_LENGTH_BUDGET: tuple[int, int] = (8_000, 32_000)

ACCEPTED: Mapping[str, frozenset[str]] = MappingProxyType({
    "execute": frozenset({"execute"}),
    "clarify": frozenset({"clarify"}),
    "refuse": frozenset({"refuse"}),
    "no_call": frozenset({"clarify", "refuse"}),
})

_EXP_INDEX = {e: i for i, e in enumerate(EXPECTED_BEHAVIORS)}
_DONE_INDEX = {d: i for i, d in enumerate(BEHAVIORS)}
_ACCEPT_TABLE = np.array([[d in ACCEPTED[e] for d in BEHAVIORS] for e in EXPECTED_BEHAVIORS], dtype=bool)


def _frozen(mapping: Mapping[str, Mapping[str, float]]) -> Mapping[str, Mapping[str, float]]:
    return MappingProxyType({k: MappingProxyType(dict(v)) for k, v in mapping.items()})


@dataclass(frozen=True)
class Preset:
    """Weights, gates and range that turn components into a reward (see module docs)."""

    name: str
    weights: Mapping[str, Mapping[str, float]]
    description: str = ""
    gated: bool = True
    mismatch: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    normalize: bool = True
    multipliers: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    offset: float = 0.0
    reward_range: tuple[float, float] = (0.0, 1.0)
    length_budget: tuple[int, int] = DEFAULT_LENGTH_BUDGET

    def __post_init__(self) -> None:
        lo, hi = self.reward_range
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise ConfigError(f"preset {self.name!r}: reward_range must be two finite numbers lo < hi, "
                              f"got {self.reward_range!r}")
        soft, hard = self.length_budget
        if not (isinstance(soft, int) and isinstance(hard, int) and 0 < soft < hard):
            raise ConfigError(f"preset {self.name!r}: length_budget must be two integers 0 < soft < hard "
                              f"(characters), got {self.length_budget!r}")
        for exp, ws in self.weights.items():
            if exp not in EXPECTED_BEHAVIORS:
                raise ConfigError(f"preset {self.name!r}: weights for unknown expected behaviour {exp!r}; "
                                  f"expected one of {list(EXPECTED_BEHAVIORS)}")
            for comp, w in ws.items():
                if not isinstance(w, (int, float)) or not math.isfinite(w) or w < 0:
                    raise ConfigError(f"preset {self.name!r}: weight {exp}.{comp} must be a finite number "
                                      f">= 0, got {w!r}")
        for exp, row in self.mismatch.items():
            if exp not in EXPECTED_BEHAVIORS:
                raise ConfigError(f"preset {self.name!r}: mismatch row for unknown behaviour {exp!r}")
            for done, v in row.items():
                if done not in BEHAVIORS:
                    raise ConfigError(f"preset {self.name!r}: mismatch {exp}.{done}: unknown behaviour "
                                      f"{done!r}; expected one of {list(BEHAVIORS)}")
                if not isinstance(v, (int, float)) or not (lo <= v <= hi):
                    raise ConfigError(f"preset {self.name!r}: mismatch {exp}.{done} = {v!r} is outside "
                                      f"the reward range {self.reward_range}")
        for exp, fs in self.multipliers.items():
            if exp not in EXPECTED_BEHAVIORS:
                raise ConfigError(f"preset {self.name!r}: multipliers for unknown behaviour {exp!r}")
            for comp, f in fs.items():
                if not isinstance(f, (int, float)) or not (0.0 <= f <= 1.0):
                    raise ConfigError(f"preset {self.name!r}: multiplier floor {exp}.{comp} must be in [0, 1], "
                                      f"got {f!r}")
        object.__setattr__(self, "weights", _frozen(self.weights))
        object.__setattr__(self, "multipliers", _frozen(self.multipliers))
        object.__setattr__(self, "mismatch", _frozen(self.mismatch))

    @property
    def floor(self) -> float:
        return float(self.reward_range[0])

    @property
    def components(self) -> tuple[str, ...]:
        """Every component this preset weights or multiplies by (sorted)."""
        used = {c for ws in self.weights.values() for c, w in ws.items() if w > 0}
        used |= {c for fs in self.multipliers.values() for c in fs}
        return tuple(sorted(used))

    def derive(self, name: str, **changes: Any) -> Preset:
        """A new preset from this one. ``weights``/``mismatch`` given as partial mappings are merged."""
        for key in ("weights", "mismatch", "multipliers"):
            if key in changes:
                merged = {k: dict(v) for k, v in getattr(self, key).items()}
                for exp, ws in changes[key].items():
                    merged.setdefault(exp, {}).update(ws)
                changes[key] = merged
        for key in ("reward_range", "length_budget"):
            if key in changes:
                changes[key] = tuple(changes[key])
        try:
            derived = replace(self, name=name, **changes)
        except TypeError as exc:
            raise ConfigError(f"cannot derive preset {name!r} from {self.name!r}: {exc}") from None
        from rlvr_rewards.plugins import registered_components

        known = registered_components()
        if known is not None:  # (None while plugins are being registered: the registry checks them when built)
            derived.check_components(known)
        return derived

    def check_components(self, known: frozenset[str], owner: str = "") -> None:
        """Raise ConfigError naming every component this preset weights (or multiplies by) that is not in
        ``known`` (the registered scorers), with the valid names."""
        unknown = [c for c in self.components if c not in known]
        if unknown:
            raise ConfigError(
                f"preset {self.name!r}{f' (registered by plugin {owner!r})' if owner else ''} weights "
                f"component(s) {unknown} that no plugin registered; registered components: {sorted(known)} "
                "(register the plugin that provides a component before deriving a preset that weights it)")

    def table(self, component_names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Weight and multiplier-floor tables (expected x component; floor NaN = not a multiplier) and the
        mismatch table (expected x done), as arrays."""
        w = np.zeros((len(EXPECTED_BEHAVIORS), len(component_names)), dtype=np.float64)
        col = {c: j for j, c in enumerate(component_names)}
        for exp, ws in self.weights.items():
            for comp, v in ws.items():
                if comp in col:
                    w[_EXP_INDEX[exp], col[comp]] = v
        f = np.full_like(w, np.nan)
        for exp, fs in self.multipliers.items():
            for comp, v in fs.items():
                if comp in col:
                    f[_EXP_INDEX[exp], col[comp]] = v
        m = np.full((len(EXPECTED_BEHAVIORS), len(BEHAVIORS)), self.floor, dtype=np.float64)
        for exp, row in self.mismatch.items():
            for done, v in row.items():
                m[_EXP_INDEX[exp], _DONE_INDEX[done]] = v
        return w, f, m

    def combine(
        self, components: np.ndarray, component_names: tuple[str, ...], expected: np.ndarray, done: np.ndarray
    ) -> np.ndarray:
        """Rewards from a (rows x components) matrix and the expected/done behaviour indices."""
        w_table, f_table, m_table = self.table(component_names)
        weights = w_table[expected]
        present = ~np.isnan(components)
        values = np.where(present, components, 0.0)
        num = (weights * values).sum(axis=1)
        if self.normalize:
            den = (weights * present).sum(axis=1)
            quality = np.divide(num, den, out=np.zeros_like(num), where=den > 0)
        else:
            quality = num
        floors = f_table[expected]
        factors = np.where(np.isnan(floors) | ~present, 1.0, floors + (1.0 - floors) * values)
        reward = self.offset + quality * factors.prod(axis=1)
        if self.gated:
            accepted = _ACCEPT_TABLE[expected, done]
            reward = np.where(accepted, reward, m_table[expected, done])
        lo, hi = self.reward_range
        reward = np.where(np.isfinite(reward), reward, lo)
        return np.clip(reward, lo, hi)


def expected_index(names: list[str]) -> np.ndarray:
    return np.fromiter((_EXP_INDEX[n] for n in names), dtype=np.intp, count=len(names))


def done_index(names: list[str]) -> np.ndarray:
    return np.fromiter((_DONE_INDEX[n] for n in names), dtype=np.intp, count=len(names))


def is_accepted(expected: str, done: str) -> bool:
    return done in ACCEPTED[expected]
