"""The one-to-one assignment of predicted to expected calls: exact (Hungarian method) for any size.

Differential tests against the subset dynamic programme the library used before (kept below as the
reference, exact for small matrices) and against brute force over permutations; families of same-name
calls up to ``Limits.max_calls`` = 64 predicted calls; time bounds as ratios (``tests/timing.py``).
"""

from __future__ import annotations

import itertools
import math
import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rlvr_rewards as rr
from rlvr_rewards.parsing.types import ParsedCall
from rlvr_rewards.scoring.calls import _assign, argument_score, best_assignment, match_calls
from rlvr_rewards.scoring.matching import max_weight_assignment

from .helpers import call, compile_truth, execute, hermes
from .timing import assert_bounded

TOL = 1e-9


def subset_dp_reference(scores: list[list[float]]) -> tuple[float, list[tuple[int, int]]]:
    """The assignment as computed before (exact dynamic programming over subsets of columns; its greedy
    fallback beyond 12 rows and columns is left out): the reference for small matrices."""
    n_rows = len(scores)
    n_cols = len(scores[0]) if scores else 0
    if n_rows == 0 or n_cols == 0:
        return 0.0, []
    transpose = n_rows > n_cols
    if transpose:
        scores = [list(col) for col in zip(*scores, strict=True)]
        n_rows, n_cols = n_cols, n_rows
    best: dict[int, tuple[float, tuple[tuple[int, int], ...]]] = {0: (0.0, ())}
    for r in range(n_rows):
        nxt: dict[int, tuple[float, tuple[tuple[int, int], ...]]] = {}
        for mask, (val, chosen) in best.items():
            for c in range(n_cols):
                if mask & (1 << c):
                    continue
                m2 = mask | (1 << c)
                v2 = val + scores[r][c]
                cur = nxt.get(m2)
                if cur is None or v2 > cur[0] + 1e-12:
                    nxt[m2] = (v2, (*chosen, (r, c)))
        best = nxt
    best_total, best_pairs = max(best.values(), key=lambda x: (x[0], tuple(-p[1] for p in x[1])))
    if transpose:
        return best_total, [(c, r) for r, c in best_pairs]
    return best_total, list(best_pairs)


def brute_force(scores: list[list[float]]) -> float:
    """Best total over every one-to-one pairing that covers the smaller side."""
    n, m = len(scores), len(scores[0])
    if n <= m:
        return max(sum(scores[i][p[i]] for i in range(n)) for p in itertools.permutations(range(m), n))
    return max(sum(scores[p[j]][j] for j in range(m)) for p in itertools.permutations(range(n), m))


def check_assignment(scores: list[list[float]], total: float, pairs: list[tuple[int, int]]) -> None:
    """One-to-one, covering the smaller side, sorted, and ``total`` is the pairs' summed score."""
    n, m = len(scores), len(scores[0]) if scores else 0
    assert len(pairs) == min(n, m)
    assert len({r for r, _ in pairs}) == len(pairs) == len({c for _, c in pairs})
    assert all(0 <= r < n and 0 <= c < m for r, c in pairs)
    assert pairs == sorted(pairs)
    assert total == sum(scores[r][c] for r, c in pairs)


#: scores as argument_score makes them (fractions matched / denominator) and arbitrary floats in [0, 1]
FRACTIONS = sorted({i / d for d in range(1, 8) for i in range(d + 1)})
score_values = st.one_of(st.sampled_from(FRACTIONS), st.floats(0.0, 1.0))


@st.composite
def matrices(draw: st.DrawFn, max_rows: int = 8, max_cols: int = 10) -> list[list[float]]:
    n = draw(st.integers(1, max_rows))
    m = draw(st.integers(1, max_cols))
    values = draw(st.one_of(st.just(score_values), st.just(st.sampled_from([0.0, 0.5, 1.0]))))
    return [[draw(values) for _ in range(m)] for _ in range(n)]


@settings(max_examples=300, deadline=None)
@given(scores=matrices())
def test_hungarian_equals_the_subset_dp(scores: list[list[float]]) -> None:
    total, pairs = max_weight_assignment(scores)
    check_assignment(scores, total, pairs)
    ref_total, ref_pairs = subset_dp_reference(scores)
    assert math.isclose(total, ref_total, rel_tol=0.0, abs_tol=TOL)
    assert len(ref_pairs) == len(pairs)


@settings(max_examples=200, deadline=None)
@given(scores=matrices(max_rows=6, max_cols=6))
def test_hungarian_equals_brute_force_and_its_transpose(scores: list[list[float]]) -> None:
    total, pairs = _assign(scores)
    check_assignment(scores, total, pairs)
    assert math.isclose(total, brute_force(scores), rel_tol=0.0, abs_tol=TOL)
    transposed = [list(col) for col in zip(*scores, strict=True)]
    t_total, t_pairs = max_weight_assignment(transposed)
    check_assignment(transposed, t_total, t_pairs)
    assert math.isclose(total, t_total, rel_tol=0.0, abs_tol=TOL)


def test_every_tiny_zero_one_matrix_against_brute_force() -> None:
    for n, m in itertools.product(range(1, 4), repeat=2):
        for bits in itertools.product((0.0, 1.0), repeat=n * m):
            scores = [list(bits[r * m : (r + 1) * m]) for r in range(n)]
            total, pairs = max_weight_assignment(scores)
            check_assignment(scores, total, pairs)
            assert total == brute_force(scores)


def test_empty_and_degenerate_matrices() -> None:
    assert max_weight_assignment([]) == (0.0, [])
    assert max_weight_assignment([[]]) == (0.0, [])
    assert max_weight_assignment([[0.25]]) == (0.25, [(0, 0)])
    assert max_weight_assignment([[0.0, 0.0]]) == (0.0, [(0, 0)])  # the smaller side is paired even at 0
    total, pairs = max_weight_assignment([[0.1], [0.9], [0.5]])
    assert (total, pairs) == (0.9, [(1, 0)])


def test_exact_where_greedy_is_not() -> None:
    # greedy takes the 1.0 first and is left with 0 + 0; the optimum pairs 0.9 + 0.9
    scores = [[1.0, 0.9], [0.9, 0.0]]
    assert max_weight_assignment(scores) == (1.8, [(0, 1), (1, 0)])
    # the same trap, 13 x 13 (beyond the old exact limit of 12, where the greedy fallback was used)
    n = 13
    big = [[1.0 if r == c else 0.0 for c in range(n)] for r in range(n)]
    for r in range(n - 1):
        big[r][r + 1] = 0.9
    big[n - 1][0] = 0.9
    big[0][0] = 1.0
    total, pairs = max_weight_assignment(big)
    check_assignment(big, total, pairs)
    assert math.isclose(total, float(n), abs_tol=TOL)


def test_ties_are_broken_deterministically() -> None:
    rng = random.Random(7)
    for _ in range(50):
        n, m = rng.randint(1, 12), rng.randint(1, 12)
        scores = [[rng.choice([0.0, 1 / 3, 2 / 3, 1.0]) for _ in range(m)] for _ in range(n)]
        first = max_weight_assignment(scores)
        again = max_weight_assignment([list(row) for row in scores])
        assert first == again
    equal = [[0.5] * 6 for _ in range(6)]
    assert max_weight_assignment(equal) == max_weight_assignment(equal)


@pytest.mark.parametrize("n", [13, 20, 40, 64])
def test_larger_square_matrices_match_an_independent_optimum(n: int) -> None:
    """Beyond the reach of the subset DP: the total equals the optimum of a top-k reduction for few
    columns, and is never below the greedy answer (which it replaces)."""
    rng = random.Random(n)
    scores = [[rng.choice(FRACTIONS) for _ in range(n)] for _ in range(n)]
    total, pairs = max_weight_assignment(scores)
    check_assignment(scores, total, pairs)
    cells = sorted(((scores[r][c], r, c) for r in range(n) for c in range(n)), reverse=True)
    used_r: set[int] = set()
    used_c: set[int] = set()
    greedy = 0.0
    for s, r, c in cells:
        if r not in used_r and c not in used_c:
            used_r.add(r)
            used_c.add(c)
            greedy += s
    assert total >= greedy - TOL


def top_k_reference(scores: list[list[float]]) -> float:
    """Exact optimum of a tall matrix (many rows, k <= 6 columns) by the subset DP on the rows that can
    matter: in an optimal assignment each column's row can be one of that column's k best rows (at most
    k - 1 of them are taken by the other columns; swapping in a free one never lowers the total)."""
    k = len(scores[0])
    keep = sorted({r for c in range(k) for r in sorted(range(len(scores)), key=lambda r: -scores[r][c])[:k]})
    return subset_dp_reference([scores[r] for r in keep])[0]


@settings(max_examples=60, deadline=None)
@given(n_pred=st.integers(1, 64), k=st.integers(1, 6), seed=st.integers(0, 2**32 - 1))
def test_same_name_families_up_to_64_predicted_calls(n_pred: int, k: int, seed: int) -> None:
    """k expected calls of one name against up to 64 predicted calls of that name (random arguments)."""
    rng = random.Random(seed)
    truth = compile_truth(
        execute(*(call("f", a=rng.randint(0, 3), b=rng.choice("xyz"), c={"$optional": 1}) for _ in range(k)))
    )
    preds = [
        ParsedCall(
            "f",
            {
                key: rng.randint(0, 3) if key != "b" else rng.choice("xyz")
                for key in rng.sample(["a", "b", "c", "d"], rng.randint(0, 4))
            },
        )
        for _ in range(n_pred)
    ]
    m = best_assignment(preds, truth, None)
    scores = [[argument_score(p, c, None) for c in truth.calls] for p in preds]
    check_assignment(scores, m.total, [(p, t) for p, t, _ in m.pairs])
    assert all(s == scores[p][t] for p, t, s in m.pairs)
    assert math.isclose(m.total, top_k_reference(scores), abs_tol=TOL)
    assert (m.n_pred, m.n_truth) == (n_pred, k)


def test_pairs_stay_within_names_and_sorted() -> None:
    truth = compile_truth(execute(call("f", a=1), call("g", a=2), call("f", a=3)))
    preds = [ParsedCall("g", {"a": 2}), ParsedCall("f", {"a": 3}), ParsedCall("h", {}), ParsedCall("f", {"a": 1})]
    m = match_calls(preds, truth, None)
    assert m.pairs == ((0, 1, 1.0), (1, 2, 1.0), (3, 0, 1.0))
    assert m.total == 3.0 and m.arguments == 3.0 / 4


def _many_calls_case(k: int, n_pred: int = 64) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The campaign's case: ``n_pred`` same-name calls against a truth with ``k`` calls of that name."""
    truth = execute(*(call("f", a=i, b="x") for i in range(k)))
    return [call("f", a=i % 7, b="y" if i % 3 else "x") for i in range(n_pred)], truth


def test_64_calls_against_4_expected_calls_is_fast_and_exact() -> None:
    calls, truth = _many_calls_case(4)
    completion = hermes(*calls)
    compiled = compile_truth(truth)
    preds = [ParsedCall(c["name"], c["arguments"]) for c in calls]
    m = best_assignment(preds, compiled, None)
    scores = [[argument_score(p, c, None) for c in compiled.calls] for p in preds]
    assert math.isclose(m.total, top_k_reference(scores), abs_tol=TOL)
    assert m.total == 4.0  # a = 0..3 with b = "x" are all among the predictions (i = 0, 15, 9, 3)
    s = rr.score(completion, truth)
    assert math.isclose(s.components["arguments"], m.total / 64, abs_tol=TOL)  # diluted over 64 calls
    # before: 3.8 s here (16-22 s in the campaign; k = 5 ran past 300 s); now ~1.5 ms, ~0.2x the reference
    assert_bounded(lambda: rr.score(completion, truth), 5.0, "score: 64 calls vs 4 expected")
    assert_bounded(lambda: best_assignment(preds, compiled, None), 5.0, "assignment: 64 calls vs 4 expected")


@pytest.mark.parametrize("k", [5, 8, 16, 64])
def test_64_calls_against_k_expected_calls_is_bounded(k: int) -> None:
    calls, truth = _many_calls_case(k)
    compiled = compile_truth(truth)
    preds = [ParsedCall(c["name"], c["arguments"]) for c in calls]
    m = best_assignment(preds, compiled, None)
    assert len(m.pairs) == k
    assert_bounded(lambda: best_assignment(preds, compiled, None), 5.0, f"assignment: 64 calls vs {k} expected")


def test_the_slowest_64_by_64_matrix_is_bounded() -> None:
    """Scores i + j: every assignment has the same total, and each new row's search visits every row already
    placed (the O(n^2 m) worst case: 2,080 search steps for 64 x 64)."""
    n = 64
    scores = [[(i + j) / 128 for j in range(n)] for i in range(n)]
    total, pairs = max_weight_assignment(scores)
    check_assignment(scores, total, pairs)
    assert total == sum((i + i) / 128 for i in range(n))  # (every assignment: sum of all i and all j) / 128
    assert_bounded(lambda: max_weight_assignment(scores), 5.0, "64 x 64 Hungarian, worst case")  # ~1-2x
