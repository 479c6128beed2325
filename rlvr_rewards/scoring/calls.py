"""Comparing predicted calls with expected calls: argument scores, the best assignment, name F1.

Contract (all pure functions over plain values, never raising on model output):
- :func:`argument_score` scores one predicted call against one expected call of the *same* name in
  [0, 1]: the fraction of expected arguments matched (a float for a parameter the schema declares
  ``integer`` never matches, even ``1.0`` for ``1``; an expected optional argument equal to its schema
  default may be left out), where arguments the truth does not mention count
  against (as extra denominators) unless the tool's schema knows them and their value equals the
  schema default. Absent expected arguments match only when their matcher is ``$optional``.
- :func:`best_assignment` pairs predicted and expected calls one-to-one (same name only) maximising the
  summed argument score, exactly, for any number of calls: within each name, the Hungarian method with
  potentials (:func:`rlvr_rewards.scoring.matching.max_weight_assignment`, O(n^2 * m) for n <= m calls of
  that name on the two sides, iterative) pairs every call of the side that has fewer, even at score 0.
  Ties between equally good assignments are broken deterministically (the same calls always pair the same
  way); the summed score is optimal up to floating-point rounding. ``ordered`` truths pair by position
  instead.
- :func:`name_f1` is the F1 of the two name multisets (hallucinated names count as false positives).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from rlvr_rewards.groundtruth.matchers import json_equal
from rlvr_rewards.groundtruth.toolspecs import Tool, ToolSet
from rlvr_rewards.groundtruth.truths import CompiledCall, CompiledTruth
from rlvr_rewards.parsing.types import ParsedCall
from rlvr_rewards.scoring.matching import max_weight_assignment

__all__ = ["CallMatch", "argument_score", "best_assignment", "match_calls", "name_f1"]


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
        elif (
            tool is not None and key not in tool.required and key in tool.defaults and matcher.match(tool.defaults[key])
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
    """Max-weight one-to-one assignment rows (pred) -> cols (truth) of a dense score matrix (exact)."""
    return max_weight_assignment(scores)


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
