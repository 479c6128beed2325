"""One definition of numbers across the components (docs/ground-truth.md#numbers): values compare by value, a
number's type is its spelling, and a parameter declared ``integer`` takes integers only, in the ``schema``,
``arguments`` and ``bfcl_match`` components alike."""

from __future__ import annotations

import json
from typing import Any

import pytest

import rlvr_rewards as rr

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "area",
            "parameters": {
                "type": "object",
                "properties": {"base": {"type": "integer"}, "scale": {"type": "number"}},
                "required": ["base"],
            },
        },
    }
]
TRUTH = {"behavior": "execute", "calls": [{"name": "area", "arguments": {"base": 10, "scale": 2}}]}


def _call(arguments: dict[str, Any]) -> str:
    return f"<tool_call>{json.dumps({'name': 'area', 'arguments': arguments})}</tool_call>"


@pytest.mark.parametrize(
    ("arguments", "base_ok"),
    [
        ({"base": 10, "scale": 2}, True),
        ({"base": 10, "scale": 2.0}, True),  # number: 2.0 is 2
        ({"base": 10.0, "scale": 2}, False),  # integer: 10.0 is a float
        ({"base": 1e1, "scale": 2}, False),
        ({"base": True, "scale": 2}, False),  # a boolean is never a number
    ],
)
def test_schema_and_arguments_agree(arguments: dict[str, Any], base_ok: bool) -> None:
    score = rr.score(_call(arguments), TRUTH, tools=TOOLS, preset="graded")
    assert (score.components["schema"] == 1.0) is base_ok
    assert (score.components["arguments"] == 1.0) is base_ok
    assert (rr.score(_call(arguments), TRUTH, tools=TOOLS, preset="binary").reward == 1.0) is base_ok


def test_an_integral_float_is_a_type_error_even_where_the_value_is_right() -> None:
    wrong = rr.score(_call({"base": 10.0, "scale": 2}), TRUTH, tools=TOOLS, preset="graded")
    right = rr.score(_call({"base": 10, "scale": 2}), TRUTH, tools=TOOLS, preset="graded")
    assert wrong.components["schema"] == 0.0 and wrong.reward < right.reward


def test_xml_text_values_follow_the_same_rule() -> None:
    """Text parameters are typed by the schema: "10" reads as an integer, "10.0" as a float (a type error)."""
    xml = (
        "<tool_call>\n<function=area>\n<parameter=base>\n{}\n</parameter>\n"
        "<parameter=scale>\n2\n</parameter>\n</function>\n</tool_call>"
    )
    good = rr.score(xml.format("10"), TRUTH, tools=TOOLS, preset="graded")
    bad = rr.score(xml.format("10.0"), TRUTH, tools=TOOLS, preset="graded")
    assert good.components["schema"] == 1.0 and good.components["arguments"] == 1.0
    assert bad.components["schema"] == 0.0 and bad.components["arguments"] < 1.0
