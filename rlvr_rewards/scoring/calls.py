"""Comparing predicted calls with expected calls: argument scores, the best assignment, name F1.

Contract (all pure functions over plain values, never raising on model output):
- :func:`argument_score` scores one predicted call against one expected call of the *same* name in
  [0, 1]: the fraction of expected arguments matched (a float for a parameter the schema declares
  ``integer`` never matches, even ``1.0`` for ``1``; an expected optional argument equal to its schema
  default may be left out), where arguments the truth does not mention count
  against (as extra denominators) unless the tool's schema knows them and their value equals the
  schema default. Absent expected arguments match only when their matcher is ``$optional``.
- :func:`best_assignment` pairs predicted and expected calls one-to-one (same name only) maximising the
  summed argument score (exact, by dynamic programming over subsets for up to 12 calls per name; greedy
  beyond). ``ordered`` truths pair by position instead.
- :func:`name_f1` is the F1 of the two name multisets (hallucinated names count as false positives).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from rlvr_rewards.matchers import json_equal
from rlvr_rewards.parsing.types import ParsedCall
from rlvr_rewards.tools import Tool, ToolSet
from rlvr_rewards.truth import CompiledCall, CompiledTruth

__all__ = ["CallMatch", "argument_score", "best_assignment", "match_calls", "name_f1"]

_EXACT_LIMIT = 12


def argument_score(pred: ParsedCall, truth: CompiledCall, tool: Tool | None) -> float:
    args = pred.arguments
    if args is None:
        return 0.0
    matchers = truth.matchers
    matched = 0
    denominator = len(matchers)
    integers = tool.integer_params if tool is not None else ()
    for key, matcher in matchers.items():
        if key in args:
            value = args[key]
            # JSON Schema 2020-12 accepts 1.0 as an integer; a tool that declares an integer wants 1
            if matcher.match(value) and not (key in integers and isinstance(value, float)):
                matched += 1
        elif matcher.optional:
            matched += 1
        elif tool is not None and key not in tool.required and key in tool.defaults and matcher.match(
            tool.defaults[key]
        ):
            matched += 1  # the truth spells out an optional argument at its default: leaving it out is the same
    for key, value in args.items():
        if key in matchers:
            continue
        if tool is not None and key in tool.defaults and json_equal(tool.defaults[key], value):
            continue  # an optional argument spelled out at its default value: harmless
        denominator += 1  # unexpected argument (unknown to the schema, or a non-default optional)
    if denominator == 0:
        return 1.0
    return matched / denominator


@dataclass(frozen=True, slots=True)
class CallMatch:
    """The best pairing of predicted to expected calls for one item."""

    pairs: tuple[tuple[int, int, float], ...]  # (predicted index, expected index, argument score)
    total: float  # summed argument score of the pairs
    n_pred: int
    n_truth: int

    @property
    def arguments(self) -> float:
        """Summed pair scores over max(n_pred, n_truth): extra or missing calls dilute the score."""
        denom = max(self.n_pred, self.n_truth)
        return self.total / denom if denom else 1.0


def _assign(scores: list[list[float]]) -> tuple[float, list[tuple[int, int]]]:
    """Max-weight one-to-one assignment rows (pred) -> cols (truth) of a small dense matrix."""
    n_rows = len(scores)
    n_cols = len(scores[0]) if scores else 0
    if n_rows == 0 or n_cols == 0:
        return 0.0, []
    if min(n_rows, n_cols) > _EXACT_LIMIT:
        cells = sorted(((scores[r][c], r, c) for r in range(n_rows) for c in range(n_cols)), reverse=True)
        used_r: set[int] = set()
        used_c: set[int] = set()
        greedy: list[tuple[int, int]] = []
        total = 0.0
        for s, r, c in cells:
            if r not in used_r and c not in used_c:
                used_r.add(r)
                used_c.add(c)
                greedy.append((r, c))
                total += s
        return total, greedy
    transpose = n_rows > n_cols
    if transpose:
        scores = [list(col) for col in zip(*scores, strict=True)]
        n_rows, n_cols = n_cols, n_rows
    # DP over subsets of columns: rows (the smaller side) are assigned in order, each to a free column.
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


def best_assignment(preds: Sequence[ParsedCall], truth: CompiledTruth, tools: ToolSet | None) -> CallMatch:
    calls = truth.calls
    n_pred, n_truth = len(preds), len(calls)
    if n_pred == 0 or n_truth == 0:
        return CallMatch((), 0.0, n_pred, n_truth)
    if n_pred == 1 and n_truth == 1:  # the common case: one call each, paired when the names agree
        if preds[0].name != calls[0].name:
            return CallMatch((), 0.0, 1, 1)
        tool = tools.get(calls[0].name) if tools is not None else None
        score = argument_score(preds[0], calls[0], tool)
        return CallMatch(((0, 0, score),), score, 1, 1)
    if truth.ordered:
        by_position: list[tuple[int, int, float]] = []
        for i in range(min(n_pred, n_truth)):
            if preds[i].name == calls[i].name:
                tool = tools.get(calls[i].name) if tools is not None else None
                by_position.append((i, i, argument_score(preds[i], calls[i], tool)))
        return CallMatch(tuple(by_position), sum(p[2] for p in by_position), n_pred, n_truth)
    # Pair within each name group only: different names never earn argument credit.
    by_name_pred: dict[str, list[int]] = {}
    for i, p in enumerate(preds):
        by_name_pred.setdefault(p.name, []).append(i)
    by_name_truth: dict[str, list[int]] = {}
    for j, c in enumerate(calls):
        by_name_truth.setdefault(c.name, []).append(j)
    out: list[tuple[int, int, float]] = []
    for name, tj in by_name_truth.items():
        pi = by_name_pred.get(name)
        if not pi:
            continue
        tool = tools.get(name) if tools is not None else None
        matrix = [[argument_score(preds[i], calls[j], tool) for j in tj] for i in pi]
        _, assigned = _assign(matrix)
        out.extend((pi[r], tj[c], matrix[r][c]) for r, c in assigned)
    out.sort()
    return CallMatch(tuple(out), sum(p[2] for p in out), n_pred, n_truth)


def match_calls(preds: Sequence[ParsedCall], truth: CompiledTruth, tools: ToolSet | None) -> CallMatch:
    """Alias of :func:`best_assignment` (the name used by scorers)."""
    return best_assignment(preds, truth, tools)


def name_f1(pred_names: Sequence[str], truth_names: Sequence[str]) -> float:
    """F1 between two multisets of names; 1.0 when both are empty."""
    if len(pred_names) == 1 and len(truth_names) == 1:  # the common case: one call each
        return 1.0 if pred_names[0] == truth_names[0] else 0.0
    if not pred_names and not truth_names:
        return 1.0
    if not pred_names or not truth_names:
        return 0.0
    common = sum((Counter(pred_names) & Counter(truth_names)).values())
    if common == 0:
        return 0.0
    precision = common / len(pred_names)
    recall = common / len(truth_names)
    return 2 * precision * recall / (precision + recall)
