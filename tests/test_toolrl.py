"""The ``toolrl`` preset reproduces ToolRL's reward (arXiv 2504.13958): format {0,1} + correctness [-3, 3]."""

from __future__ import annotations

import json
from typing import Any

import pytest

import rlvr_rewards as rr
from rlvr_rewards.scoring.toolrl import match_score

from .helpers import call, execute, tool_call_block

THINK = "<think>I should call the weather tool.</think>\n"


def block(*calls: dict[str, Any]) -> str:
    """Several calls in ONE block, a JSON object a line: the way ToolRL's prompt asks for them (``hermes`` writes
    a block per call)."""
    return tool_call_block("\n".join(json.dumps(c) for c in calls))


ONE = execute(call("get_weather", city="Paris"))
TWO = execute(call("a", x=1, y=2), call("b", z=3))

CASES = [
    # (completion, truth, expected reward, why)
    (THINK + block(call("get_weather", city="Paris")), ONE, 4.0, "format 1 + exact match 3"),
    (block(call("get_weather", city="Paris")), ONE, 3.0, "no think: format 0"),
    (THINK + block(call("get_weather", city="Rome")), ONE, 2.0, "S = 1 + 1 + 0 of 3 -> 6*2/3-3 = 1; +1"),
    (
        THINK + block(call("get_weather", city="Paris", units="metric")),
        ONE,
        1 + 6 * (1 + 0.5 + 1) / 3 - 3,
        "extra parameter: key Jaccard 1/2",
    ),
    (THINK + block(call("a", x=1)), TWO, 1 + 6 * (0.5 + 0.5 + 1) / 6 - 3, "names 1/2, keys 1/2, one value"),
    (THINK + block(call("b", z=3), call("a", x=1, y=2)), TWO, 4.0, "reordered: S = S_max"),
    (THINK + block(call("a", x=1, y=2), call("b", z=3)), TWO, 4.0, "in order: exact"),
    (THINK + block(call("c", q=1)), TWO, 1 - 3.0, "no overlap: correctness -3"),
    (THINK + "<tool_call>\n{not json}\n</tool_call>", ONE, 1 - 3.0, "unparseable: -3 (format still 1)"),
    ("I think it is sunny.", ONE, -3.0, "no call for a call truth"),
    (
        THINK + block(call("get_weather", city="Paris")) + "\n" + block(call("get_weather", city="Paris")),
        ONE,
        0 + 6 * (0.5 + 2) / 3 - 3,
        "two blocks: format 0; duplicate halves the name Jaccard",
    ),
    # no-call truths: correctness is 0 whatever the completion; format decides
    (THINK + "<response>Which city?</response>", {"behavior": "clarify", "missing": ["city"]}, 1.0, "response tags"),
    (THINK + "Which city?", {"behavior": "clarify", "missing": ["city"]}, 1.0, "adaptation: plain text"),
    ("Which city?", {"behavior": "clarify", "missing": ["city"]}, 0.0, "no think"),
    (THINK + block(call("get_weather", city="Paris")), {"behavior": "refuse"}, 0.0, "a call: format 0"),
]


@pytest.mark.parametrize(("completion", "truth", "expected", "why"), CASES)
def test_toolrl_reward(completion: str, truth: Any, expected: float, why: str) -> None:
    assert rr.score(completion, truth, preset="toolrl").reward == pytest.approx(expected), why


def test_python_equality_as_published() -> None:
    # ToolRL compares values with Python ==, so True == 1 passes (graded does not)
    truth = execute(call("f", flag=1))
    hack = THINK + block(call("f", flag=True))
    assert rr.score(hack, truth, preset="toolrl").reward == 4.0
    assert rr.score(hack, truth, preset="graded").reward < 1.0


def test_match_score() -> None:
    assert match_score(["a", "b"], ["a", "b"]) == 1.0
    assert match_score(["a", "a"], ["a"]) == 0.5
    assert match_score([], ["a"]) == 0.0
    assert match_score(["a", "b"], ["b", "a"]) == 1.0


def test_range() -> None:
    p = rr.get_preset("toolrl")
    assert p.reward_range == (-3.0, 4.0)
    assert rr.score("", ONE, preset="toolrl").reward == -3.0
