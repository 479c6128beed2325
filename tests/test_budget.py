"""The per-completion work budget (rlvr_rewards/scoring/budget.py): the estimate, the floor, and that
ordinary data never meets it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import rlvr_rewards as rr
from rlvr_rewards.groundtruth.truths import CompiledTruth
from rlvr_rewards.limits import MIN_BLOCK_BUDGET, block_budget
from rlvr_rewards.parsing import parse_completion
from rlvr_rewards.parsing.formats import PYTHONIC_MAX_CONTAINERS
from rlvr_rewards.parsing.pythonic import MAX_STRING_LITERALS
from rlvr_rewards.parsing.types import ParsedCall
from rlvr_rewards.scoring.budget import WORK_BUDGET, matching_work, over_budget

from .helpers import compile_truth, resolve_item

DATA = Path(__file__).resolve().parent / "data"


def _truth(n: int, name: str = "f", args: int = 1) -> CompiledTruth:
    return compile_truth(
        {
            "behavior": "execute",
            "calls": [{"name": name, "arguments": {f"k{j}": i for j in range(args)}} for i in range(n)],
        }
    )


def test_the_estimate_follows_the_documented_formula() -> None:
    truth = compile_truth(
        {
            "behavior": "execute",
            "calls": [
                {"name": "f", "arguments": {"a": 1, "b": {"$any": [1, 2]}}},
                {"name": "f", "arguments": {}},
                {"name": "g", "arguments": {"c": [1, 2, 3]}},
            ],
        }
    )
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


# --------------------------------------------------------------------------------------------------
# The parse budget: distinct call blocks (rlvr_rewards/limits.py block_budget)
# --------------------------------------------------------------------------------------------------

#: A call block per format, ``%d`` making each copy distinct (valid calls and broken ones alike).
BLOCK_UNITS = {
    "hermes": ('<tool_call>{"name": "f", "arguments": {"a": %d}}</tool_call>', "hermes"),
    "hermes broken": ('<tool_call>{"name": "f", "arguments": {"a": %d</tool_call>', "hermes"),
    "nemotron unclosed": ("<TOOLCALL>[%d", "nemotron"),
    "mistral args": ('[TOOL_CALLS]f[ARGS]{"a": %d}', "mistral"),
    "llama3 json": ('<|python_tag|>{"name": "f", "parameters": {"a": %d}}', "llama3"),
    "llama3 values in one segment": ("[%d];", "llama3"),
    "llama3 pythonic": ("<|python_tag|>f(a=%d)", "llama3"),
    "fence": ('```json\n{"name": "f", "arguments": {"a": %d}}\n```\n', "fence"),
}


def _blocks(unit: str, k: int) -> str:
    head = "<|python_tag|>" if unit == "[%d];" else ""
    return head + "".join(unit % i for i in range(k))


@pytest.mark.parametrize("label", list(BLOCK_UNITS))
def test_past_the_block_budget_a_completion_is_over_budget(label: str) -> None:
    unit, fmt = BLOCK_UNITS[label]
    limits = rr.Limits(max_chars=10**6)
    budget = block_budget(limits)
    assert budget == MIN_BLOCK_BUDGET == 1_024
    fits = budget - 1 if unit == "[%d];" else budget  # (there the segment after the tag is a block too)
    at = parse_completion(_blocks(unit, fits), limits=limits)
    assert at.format == fmt and "over_budget" not in at.violations
    over = parse_completion(_blocks(unit, fits + 1), limits=limits)
    assert (over.format, over.calls, over.violations, over.attempted_call) == (fmt, (), ("over_budget",), True)
    s = rr.score(
        _blocks(unit, fits + 1), {"behavior": "execute", "calls": [{"name": "f", "arguments": {"a": 1}}]}, limits=limits
    )
    assert (s.reward, s.reason) == (0.0, "over_budget")


def test_repeated_blocks_are_not_counted_twice() -> None:
    """A block repeated 20,000 times is one distinct text: decoded once, replayed, never over budget."""
    limits = rr.Limits(max_chars=10**6)
    text = '<tool_call>{"name": "f", "arguments": {"a": 1</tool_call>' * 15_000
    assert parse_completion(text, limits=limits).violations == ("invalid_json",)


def test_the_block_budget_grows_with_max_calls() -> None:
    assert block_budget(rr.Limits(max_calls=0)) == block_budget(rr.Limits()) == 1_024
    assert block_budget(rr.Limits(max_calls=100)) == 1_600
    limits = rr.Limits(max_calls=100, max_chars=10**6)
    unit = BLOCK_UNITS["hermes"][0]
    assert "over_budget" not in parse_completion(_blocks(unit, 1_600), limits=limits).violations
    assert parse_completion(_blocks(unit, 1_601), limits=limits).violations == ("over_budget",)


# --------------------------------------------------------------------------------------------------
# The pythonic decoder's budgets: adjacent string literals and containers
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("unit", ["'a' ", "r'a' ", "b'a' ", "f'a' ", "'\\n' ", "'a' \\\n", "'a' # c\n", '"a"'])
def test_past_ten_thousand_adjacent_string_literals_a_pythonic_answer_is_over_budget(unit: str) -> None:
    limits = rr.Limits(max_chars=10**6)
    assert MAX_STRING_LITERALS == 10_000
    at = parse_completion("[f(a=" + unit * MAX_STRING_LITERALS + ")]", limits=limits)
    assert at.format == "pythonic" and "over_budget" not in at.violations
    over = parse_completion("[f(a=" + unit * (MAX_STRING_LITERALS + 1) + ")]", limits=limits)
    assert (over.format, over.calls, over.violations) == ("pythonic", (), ("over_budget",))


def test_past_twenty_thousand_brackets_a_pythonic_answer_is_over_budget() -> None:
    limits = rr.Limits(max_chars=10**6)
    assert PYTHONIC_MAX_CONTAINERS == 20_000
    unit = "[" * 50 + "]" * 50 + ","  # (one comma per 50 containers: far below the node cap)
    k = (PYTHONIC_MAX_CONTAINERS - 2) // 50  # (the call list and the argument's list are two more)
    at = parse_completion("[f(a=[" + unit * k + "[]" * (PYTHONIC_MAX_CONTAINERS - 2 - 50 * k) + "])]", limits=limits)
    assert at.format == "pythonic" and "over_budget" not in at.violations
    over = parse_completion("[f(a=[" + unit * k + "[]" * (PYTHONIC_MAX_CONTAINERS - 1 - 50 * k) + "])]", limits=limits)
    assert (over.format, over.calls, over.violations) == ("pythonic", (), ("over_budget",))
