"""The combine formula has one implementation (``presets._combine``) run on numpy columns for a batch
(:meth:`Preset.combine`) and on plain floats for one item (:meth:`Preset.combine_one`). Both must give the
bits of the formula as a matrix expression (the oracle below, the module docstring's formula written
with numpy's row reductions), for every registered preset and for derived ones that use the other
switches (multipliers, no normalisation, an offset, a wider range, no gate)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rlvr_rewards as rr
from rlvr_rewards.combine.presets import Preset, pairwise_sum
from rlvr_rewards.plugins import get_registry
from rlvr_rewards.vocabulary import ACCEPTED, BEHAVIORS, EXPECTED_BEHAVIORS


def _oracle(p: Preset, x: np.ndarray, names: tuple[str, ...], e: np.ndarray, d: np.ndarray) -> np.ndarray:
    plan = p.plan(names)
    weights, floors = plan.weights[e], plan.floors[e]
    present = ~np.isnan(x)
    values = np.where(present, x, 0.0)
    num = (weights * values).sum(axis=1)
    if p.normalize:
        den = (weights * present).sum(axis=1)
        quality = np.divide(num, den, out=np.zeros_like(num), where=den > 0)
    else:
        quality = num
    factors = np.where(np.isnan(floors) | ~present, 1.0, floors + (1.0 - floors) * values)
    reward = p.offset + quality * factors.prod(axis=1)
    if p.gated:
        accepted = np.array([[dd in ACCEPTED[ee] for dd in BEHAVIORS] for ee in EXPECTED_BEHAVIORS])
        reward = np.where(accepted[e, d], reward, plan.mismatch[e, d])
    lo, hi = p.reward_range
    return np.clip(np.where(np.isfinite(reward), reward, lo), lo, hi)


def _presets() -> list[Preset]:
    registered = list(get_registry().presets.values())
    graded = rr.get_preset("graded")
    return [
        *registered,
        graded.derive("mult", multipliers={"execute": {"schema": 0.25, "format": 0.0}, "clarify": {"format": 0.5}}),
        graded.derive("sum", normalize=False, offset=-1.0, reward_range=(-1.0, 2.0)),
        graded.derive("ungated", gated=False),
    ]


NAMES = tuple(get_registry().scorers)
component = st.one_of(st.just(math.nan), st.just(0.0), st.just(1.0), st.floats(0.0, 1.0))


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.lists(component, min_size=len(NAMES), max_size=len(NAMES)),
            st.sampled_from(EXPECTED_BEHAVIORS),
            st.sampled_from(BEHAVIORS),
        ),
        min_size=1,
        max_size=12,
    ),
    which=st.integers(0, 7),
)
def test_batch_and_one_item_give_the_formulas_bits(rows: list[tuple[list[float], str, str]], which: int) -> None:
    presets = _presets()
    p = presets[which % len(presets)]
    x = np.array([r for r, _, _ in rows], dtype=np.float64)
    e = np.array([EXPECTED_BEHAVIORS.index(exp) for _, exp, _ in rows], dtype=np.intp)
    d = np.array([BEHAVIORS.index(done) for _, _, done in rows], dtype=np.intp)
    want = _oracle(p, x, NAMES, e, d)
    assert p.combine(x, NAMES, e, d).tobytes() == want.tobytes()
    one = np.array([p.combine_one(r, NAMES, exp, done) for r, exp, done in rows], dtype=np.float64)
    assert one.tobytes() == want.tobytes()


@pytest.mark.parametrize("n", [1, 7, 8, 9, 15, 16, 17, 64, 129, 300])
def test_pairwise_sum_adds_in_numpys_order(n: int) -> None:
    rng = np.random.default_rng(n)
    rows = rng.random((3, n)) * rng.choice([1e-9, 1.0, 1e9], (3, n))  # sums whose bits depend on the order
    want = np.add.reduce(rows, axis=1)
    assert [pairwise_sum(r) for r in rows.tolist()] == want.tolist()  # floats, one row at a time
    assert np.asarray(pairwise_sum([rows[:, j] for j in range(n)])).tobytes() == want.tobytes()  # columns


def test_a_scorer_returning_the_wrong_shape_fails_one_item_as_in_a_batch() -> None:
    from rlvr_rewards.scoring import core
    from rlvr_rewards.scoring.types import ScorerSpec, ScoringContext

    registry = get_registry()
    ctx = ScoringContext(parses=[], truths=[], toolsets=[], done=[])
    for bad in ([0.5, 0.5], [], np.zeros((1, 1)), [[0.5]]):
        spec = ScorerSpec("bad", lambda _ctx, bad=bad: bad)
        with pytest.raises(rr.PluginError, match="'bad'"):
            core._row(ctx, (spec,), registry)
