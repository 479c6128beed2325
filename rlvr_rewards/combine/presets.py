"""Presets: how component columns become one reward. A preset is data, combined in one place.

Contract:
- A :class:`Preset` holds, per expected behaviour (``execute``, ``clarify``, ``refuse``, ``no_call``),
  the weights of the components; a ``gated`` flag; the reward for each wrong behaviour (the cost
  matrix, used when gated); an ``offset``; ``normalize`` (weighted mean vs weighted sum); and the
  reward range. :func:`_combine` is the only place rewards are computed from components (for a batch
  through :meth:`Preset.combine`, for one item through :meth:`Preset.combine_one`)::

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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

import numpy as np

from rlvr_rewards.errors import ConfigError
from rlvr_rewards.vocabulary import ACCEPTED, BEHAVIORS, EXPECTED_BEHAVIORS, is_accepted

__all__ = ["ACCEPTED", "DEFAULT_LENGTH_BUDGET", "Preset"]

#: Characters (soft, hard): the ``length`` component is 1 up to soft and falls linearly to 0 at hard.
DEFAULT_LENGTH_BUDGET: tuple[int, int] = (8_000, 32_000)


#: The registered component names, or None while the registry is being built: set by rlvr_rewards.plugins when
#: it is imported (the registry imports this module, so it hands the answer in). Before any registry exists
#: :meth:`Preset.derive` cannot check; scoring checks every preset against the registry it scores with.
_component_source: Callable[[], frozenset[str] | None] | None = None


def set_component_source(source: Callable[[], frozenset[str] | None]) -> None:
    """Where :meth:`Preset.derive` reads the registered components (called by rlvr_rewards.plugins)."""
    global _component_source
    _component_source = source


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
        self._check_range_and_budget()
        self._check_weights()
        self._check_mismatch()
        self._check_multipliers()
        object.__setattr__(self, "weights", _frozen(self.weights))
        object.__setattr__(self, "multipliers", _frozen(self.multipliers))
        object.__setattr__(self, "mismatch", _frozen(self.mismatch))
        # Derived once: a Preset is immutable (its mappings are read-only copies), and these are read on
        # every score_batch call (a per-item caller makes one call per completion).
        used = {c for ws in self.weights.values() for c, w in ws.items() if w > 0}
        used |= {c for fs in self.multipliers.values() for c in fs}
        object.__setattr__(self, "_components", tuple(sorted(used)))
        object.__setattr__(self, "_plans", {})

    def _check_range_and_budget(self) -> None:
        """``reward_range``: two finite numbers lo < hi; ``length_budget``: two integers 0 < soft < hard."""
        lo, hi = self.reward_range
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise ConfigError(
                f"preset {self.name!r}: reward_range must be two finite numbers lo < hi, got {self.reward_range!r}"
            )
        soft, hard = self.length_budget
        if not (isinstance(soft, int) and isinstance(hard, int) and 0 < soft < hard):
            raise ConfigError(
                f"preset {self.name!r}: length_budget must be two integers 0 < soft < hard "
                f"(characters), got {self.length_budget!r}"
            )

    def _check_weights(self) -> None:
        """Weights: rows of known expected behaviours, every weight a finite number >= 0."""
        for exp, ws in self.weights.items():
            if exp not in EXPECTED_BEHAVIORS:
                raise ConfigError(
                    f"preset {self.name!r}: weights for unknown expected behaviour {exp!r}; "
                    f"expected one of {list(EXPECTED_BEHAVIORS)}"
                )
            for comp, w in ws.items():
                if not isinstance(w, (int, float)) or not math.isfinite(w) or w < 0:
                    raise ConfigError(
                        f"preset {self.name!r}: weight {exp}.{comp} must be a finite number >= 0, got {w!r}"
                    )

    def _check_mismatch(self) -> None:
        """The cost matrix: rows of known expected behaviours, columns of known behaviours, every reward in the
        reward range (checked after it)."""
        lo, hi = self.reward_range
        for exp, row in self.mismatch.items():
            if exp not in EXPECTED_BEHAVIORS:
                raise ConfigError(f"preset {self.name!r}: mismatch row for unknown behaviour {exp!r}")
            for done, v in row.items():
                if done not in BEHAVIORS:
                    raise ConfigError(
                        f"preset {self.name!r}: mismatch {exp}.{done}: unknown behaviour "
                        f"{done!r}; expected one of {list(BEHAVIORS)}"
                    )
                if not isinstance(v, (int, float)) or not (lo <= v <= hi):
                    raise ConfigError(
                        f"preset {self.name!r}: mismatch {exp}.{done} = {v!r} is outside "
                        f"the reward range {self.reward_range}"
                    )

    def _check_multipliers(self) -> None:
        """Multiplier floors: rows of known expected behaviours, every floor in [0, 1]."""
        for exp, fs in self.multipliers.items():
            if exp not in EXPECTED_BEHAVIORS:
                raise ConfigError(f"preset {self.name!r}: multipliers for unknown behaviour {exp!r}")
            for comp, f in fs.items():
                if not isinstance(f, (int, float)) or not (0.0 <= f <= 1.0):
                    raise ConfigError(
                        f"preset {self.name!r}: multiplier floor {exp}.{comp} must be in [0, 1], got {f!r}"
                    )

    @property
    def floor(self) -> float:
        return float(self.reward_range[0])

    @property
    def components(self) -> tuple[str, ...]:
        """Every component this preset weights or multiplies by (sorted)."""
        components: tuple[str, ...] = self._components  # type: ignore[attr-defined]
        return components

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
        known = _component_source() if _component_source is not None else None
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
                "(register the plugin that provides a component before deriving a preset that weights it)"
            )

    def plan(self, component_names: tuple[str, ...]) -> CombinePlan:
        """The weight, multiplier-floor and mismatch tables for this column order, built once per
        ``component_names`` (a handful of component sets per preset in practice; at most 64 kept)."""
        plans: dict[tuple[str, ...], CombinePlan] = self._plans  # type: ignore[attr-defined]
        hit = plans.get(component_names)
        if hit is None:
            hit = self._build_plan(component_names)
            if len(plans) < 64:
                plans[component_names] = hit
        return hit

    def _build_plan(self, component_names: tuple[str, ...]) -> CombinePlan:
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
        for array in (w, f, m):
            array.setflags(write=False)
        multiplied = tuple(int(j) for j in np.flatnonzero(~np.isnan(f).all(axis=0)))
        return CombinePlan(w, f, m, w.tolist(), f.tolist(), m.tolist(), multiplied)

    def combine(
        self, components: np.ndarray, component_names: tuple[str, ...], expected: np.ndarray, done: np.ndarray
    ) -> np.ndarray:
        """Rewards from a (rows x components) matrix and the expected/done behaviour indices: the formula
        of :func:`_combine` on numpy columns (one array per component, one entry per row)."""
        plan = self.plan(component_names)
        weights = plan.weights[expected]
        floors = plan.floors[expected]
        columns = [components[:, j] for j in range(len(component_names))]
        multiplied = [(columns[j], floors[:, j]) for j in plan.multiplied]
        mismatch = plan.mismatch[expected, done] if self.gated else None
        accepted = _ACCEPT_TABLE[expected, done] if self.gated else None
        rewards = _combine(
            _ARRAY_OPS, columns, [weights[:, j] for j in range(len(columns))], multiplied, self, accepted, mismatch
        )
        return np.broadcast_to(np.asarray(rewards, dtype=np.float64), expected.shape).copy()

    def combine_one(self, components: list[float], component_names: tuple[str, ...], expected: str, done: str) -> float:
        """The reward of one item from its component values (plain floats, NaN = not applicable): the
        formula of :func:`_combine` on Python floats, so ``combine_one(row, ...) == combine(matrix, ...)[i]``
        bit for bit."""
        plan = self.plan(component_names)
        e = _EXP_INDEX[expected]
        floors = plan.floor_rows[e]
        multiplied = [(components[j], floors[j]) for j in plan.multiplied]
        mismatch = plan.mismatch_rows[e][_DONE_INDEX[done]] if self.gated else None
        accepted = is_accepted(expected, done) if self.gated else None
        return float(_combine(_FLOAT_OPS, components, plan.weight_rows[e], multiplied, self, accepted, mismatch))


@dataclass(frozen=True)
class CombinePlan:
    """A preset's tables for one column order: ``weights`` and ``floors`` (expected x component; floor NaN =
    not a multiplier), ``mismatch`` (expected x done) as read-only arrays and as nested lists, and the
    columns that are a multiplier for some expected behaviour."""

    weights: np.ndarray
    floors: np.ndarray
    mismatch: np.ndarray
    weight_rows: list[list[float]]
    floor_rows: list[list[float]]
    mismatch_rows: list[list[float]]
    multiplied: tuple[int, ...]


class _FloatOps:
    """The formula's elementwise operations on one item (Python floats)."""

    @staticmethod
    def split(x: list[Any]) -> tuple[list[Any], list[Any]]:
        """``([x_c is not NaN], [x_c, NaN -> 0])`` for every component c."""
        return [v == v for v in x], [v if v == v else 0.0 for v in x]

    @staticmethod
    def present(x: Any) -> Any:
        return x == x  # not NaN

    @staticmethod
    def where(cond: Any, a: Any, b: Any) -> Any:
        return a if cond else b

    @staticmethod
    def ratio_or_zero(num: Any, den: Any) -> Any:
        return num / den if den > 0 else 0.0

    @staticmethod
    def finite(x: Any) -> Any:
        return math.isfinite(x)

    @staticmethod
    def clip(x: Any, lo: float, hi: float) -> Any:
        return lo if x < lo else hi if x > hi else x


class _ArrayOps:
    """The same operations on numpy columns (one entry per row)."""

    @staticmethod
    def split(x: list[Any]) -> tuple[list[Any], list[Any]]:
        present = [~np.isnan(v) for v in x]
        return present, [np.where(p, v, 0.0) for p, v in zip(present, x, strict=True)]

    @staticmethod
    def present(x: Any) -> Any:
        return ~np.isnan(x)

    where = staticmethod(np.where)

    @staticmethod
    def ratio_or_zero(num: Any, den: Any) -> Any:
        num = np.asarray(num, dtype=np.float64)
        return np.divide(num, den, out=np.zeros_like(num), where=den > 0)

    finite = staticmethod(np.isfinite)

    @staticmethod
    def clip(x: Any, lo: float, hi: float) -> Any:
        return np.clip(x, lo, hi)


_FLOAT_OPS = _FloatOps()
_ARRAY_OPS = _ArrayOps()


def pairwise_sum(terms: list[Any]) -> Any:
    """``sum(terms)`` added in numpy's pairwise order (``np.add.reduce`` over a row: eight running sums from
    eight terms on, halves past 128), so the same terms give the same bits as floats or as numpy columns."""
    n = len(terms)
    if n < 8:
        total: Any = -0.0
        for t in terms:
            total = total + t
        return total
    if n > 128:
        half = n // 2
        half -= half % 8
        return pairwise_sum(terms[:half]) + pairwise_sum(terms[half:])
    r = list(terms[:8])
    i = 8
    while i < n - n % 8:
        for k in range(8):
            r[k] = r[k] + terms[i + k]
        i += 8
    total = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
    while i < n:
        total = total + terms[i]
        i += 1
    return total


def _combine(
    ops: Any,
    x: list[Any],
    w: list[Any],
    multiplied: list[tuple[Any, Any]],
    preset: Preset,
    accepted: Any,
    mismatch: Any,
) -> Any:
    """The one implementation of the module docstring's formula, for one item (floats) or many (numpy
    columns). ``x[c]``, ``w[c]``: component c's values (NaN = not applicable) and weights; ``multiplied``:
    (values, floor) of the multiplier components (floor NaN where c is not one for this row's behaviour);
    ``accepted`` / ``mismatch``: the gate (None when the preset is not gated)::

        v_c = x_c if x_c is not NaN else 0                  p_c = [x_c is not NaN]
        quality = sum_c w_c v_c / sum_c w_c p_c   (0 when the denominator is 0; the sum alone if not normalized)
        reward = offset + quality * prod_c (f_c + (1 - f_c) v_c   for multipliers with x_c present, else 1)
        reward = mismatch if gated and not accepted; non-finite -> lo; clipped to [lo, hi]
    """
    present, values = ops.split(x)
    num = pairwise_sum([wc * vc for wc, vc in zip(w, values, strict=True)])
    if preset.normalize:
        quality = ops.ratio_or_zero(num, pairwise_sum([wc * pc for wc, pc in zip(w, present, strict=True)]))
    else:
        quality = num
    factor: Any = 1.0
    for v, f in multiplied:
        p = ops.present(v)
        factor = factor * ops.where(ops.present(f) & p, f + (1.0 - f) * ops.where(p, v, 0.0), 1.0)
    reward = preset.offset + quality * factor
    if accepted is not None:
        reward = ops.where(accepted, reward, mismatch)
    lo, hi = preset.reward_range
    return ops.clip(ops.where(ops.finite(reward), reward, lo), lo, hi)


def expected_index(names: list[str]) -> np.ndarray:
    return np.fromiter((_EXP_INDEX[n] for n in names), dtype=np.intp, count=len(names))


def done_index(names: list[str]) -> np.ndarray:
    return np.fromiter((_DONE_INDEX[n] for n in names), dtype=np.intp, count=len(names))
