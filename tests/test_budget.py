"""The per-completion work budget (rlvr_rewards/scoring/budget.py): the estimate, the floor, and that
ordinary data never meets it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import rlvr_rewards as rr
from rlvr_rewards.parsing.types import ParsedCall
from rlvr_rewards.scoring.budget import WORK_BUDGET, matching_work, over_budget
from rlvr_rewards.truth import CompiledTruth, compile_truth, resolve_item

DATA = Path(__file__).resolve().parent / "data"


def _truth(n: int, name: str = "f", args: int = 1) -> CompiledTruth:
    return compile_truth({"behavior": "execute", "calls": [
        {"name": name, "arguments": {f"k{j}": i for j in range(args)}} for i in range(n)]})


def test_the_estimate_follows_the_documented_formula() -> None:
    truth = compile_truth({"behavior": "execute", "calls": [
        {"name": "f", "arguments": {"a": 1, "b": {"$any": [1, 2]}}}, {"name": "f", "arguments": {}},
        {"name": "g", "arguments": {"c": [1, 2, 3]}}]})
    f_cost = sum(c.cost for c in truth.calls if c.name == "f")
    preds = [ParsedCall("f", {"a": 1, "x": 2, "y": 3}), ParsedCall("f", None), ParsedCall("h", {"z": 1})]
    # f: p = 2 predicted calls with 3 keys in all, t = 2 expected; h: not expected, never compared
    assert matching_work(preds, truth) == 2 * f_cost + 2 * 3 + 2 * 2 * 2
    assert matching_work([], truth) == 0
    assert matching_work(preds, compile_truth({"behavior": "refuse"})) == 0


def test_matcher_costs_grow_with_the_truth_values() -> None:
    small = _truth(1).calls[0].cost
    big = compile_truth({"behavior": "execute", "calls": [{"name": "f", "arguments": {"k0": list(range(1000))}}]})
    assert big.calls[0].cost > 100 * small


def test_a_pair_over_the_budget_gets_the_floor_and_the_reason() -> None:
    truth = {"behavior": "execute", "calls": [{"name": "f", "arguments": {"a": i}} for i in range(300)]}
    completion = "[" + ", ".join(f"f(a={i})" for i in range(64)) + "]"
    assert over_budget(rr.parse(completion).calls, compile_truth(truth))
    for preset in rr.list_presets():
        s = rr.score(completion, truth, preset=preset)
        assert s.reason == "over_budget" and "over_budget" in s.violations, preset
        assert s.reward == rr.get_preset(preset).floor, preset
    # the same calls against a small truth are compared as usual
    assert rr.score(completion, {"behavior": "execute", "calls": truth["calls"][:2]}).reason == "extra_calls"


def test_the_budget_depends_on_the_pair_not_the_batch() -> None:
    truth = {"behavior": "execute", "calls": [{"name": "f", "arguments": {"a": i}} for i in range(300)]}
    big = "[" + ", ".join(f"f(a={i})" for i in range(64)) + "]"
    small = "[f(a=1)]"
    batch = rr.score_batch([small, big, small], [truth] * 3)
    assert batch.reasons[1] == "over_budget"
    assert batch.reasons[0] == batch.reasons[2] == rr.score(small, truth).reason != "over_budget"


@pytest.mark.parametrize("corpus", ["behavior_corpus.jsonl", "behavior_heldout.jsonl", "bfcl_sample_answers.jsonl"])
def test_ordinary_data_is_far_below_the_budget(corpus: str) -> None:
    """Every truth of the bundled corpora against 64 calls of each expected name: under 10 % of the budget."""
    worst = 0
    for line in (DATA / corpus).read_text().splitlines():
        row = json.loads(line)
        value = row.get("ground_truth", row.get("truth", row))
        try:
            truth, _ = resolve_item(value)
        except rr.GroundTruthError:
            continue
        if not truth.calls:
            continue
        preds = [ParsedCall(name, {"a": 1, "b": 2}) for name in truth.names for _ in range(64 // len(truth.names))]
        worst = max(worst, matching_work(preds[:64], truth))
    assert worst < WORK_BUDGET // 10, worst
