"""Tool specs: OpenAI and bare shapes, BFCL type aliases, per-item tools, and errors."""

from __future__ import annotations

from typing import Any

import pytest

import rlvr_rewards as rr
from rlvr_rewards.tools import compile_tools, normalize_schema

from .conftest import TOOLS, call, execute, hermes


def test_openai_and_bare_specs_compile_to_the_same_facts() -> None:
    ts = compile_tools(TOOLS)
    assert ts is not None
    assert set(ts.tools) == {"get_weather", "calculate_statistics", "send_email"}
    w = ts.get("get_weather")
    assert w is not None and w.required == {"city"} and w.defaults == {"units": "metric"}
    assert w.enums["units"] == ("metric", "imperial")
    assert compile_tools(TOOLS) is ts  # cached


def test_bfcl_type_aliases() -> None:
    schema = {
        "type": "dict",
        "properties": {"x": {"type": "float"}, "t": {"type": "tuple", "items": {"type": "any"}}, "a": {"type": "any"}},
    }
    assert normalize_schema(schema) == {
        "type": "object",
        "properties": {"x": {"type": "number"}, "t": {"type": "array", "items": {}}, "a": {}},
    }
    ts = compile_tools([{"name": "f", "parameters": {**schema, "required": ["x"]}}])
    assert ts is not None
    tool = ts.get("f")
    assert tool is not None and tool.is_valid({"x": 1}) and not tool.is_valid({"x": "1"})


@pytest.mark.parametrize(
    ("specs", "fragment"),
    [
        ([{"description": "no name"}], "non-empty string name"),
        ([{"name": "f", "parameters": "x"}], "JSON Schema object"),
        ([{"name": "f", "parameters": {"type": "array"}}], "describe an object"),
        ([{"name": "f", "parameters": {"type": "object", "properties": {"a": {"type": "strng"}}}}], "unknown type"),
        ([{"name": "f", "parameters": {"type": "object", "required": "a"}}], "required"),
        ([{"name": "f"}, {"name": "f"}], "appears twice"),
        (
            [{"name": "f", "parameters": {"type": "object", "properties": {"a": {"minimum": "x"}}}}],
            "invalid JSON Schema",
        ),
        ("not json", "JSON list"),
        (3, "list of tool specs"),
    ],
)
def test_bad_tool_specs_raise(specs: Any, fragment: str) -> None:
    with pytest.raises(rr.ToolSpecError) as info:
        compile_tools(specs)
    assert fragment in str(info.value)


def test_bad_tools_in_a_batch_name_the_item() -> None:
    with pytest.raises(rr.ToolSpecError) as info:
        rr.score_batch(["a", "b"], [{"behavior": "refuse"}] * 2, tools=[TOOLS, [{"nope": 1}]])
    assert info.value.index == 1


def test_batch_level_and_per_item_tools() -> None:
    truth = execute(call("get_weather", city="Paris"))
    good = hermes(call("get_weather", city="Paris"))
    b = rr.score_batch([good, good], [truth, truth], tools=TOOLS)
    assert list(b.components["schema"]) == [1.0, 1.0]
    b2 = rr.score_batch([good, good], [truth, truth], tools=[TOOLS, None])
    assert b2.components["schema"][0] == 1.0
    assert b2.components["schema"][1] != b2.components["schema"][1]  # NaN: no tools for item 1
    with pytest.raises(rr.ConfigError):
        rr.score_batch([good], [truth], tools=[TOOLS[0], [TOOLS[1]]])


def test_unknown_tool_fails_schema_and_name() -> None:
    s = rr.score(hermes(call("get_wether", city="Paris")), execute(call("get_weather", city="Paris")), tools=TOOLS)
    assert s.components["schema"] == 0.0
    assert s.components["tool_name"] == 0.0
    assert s.reason == "wrong_tool"


def test_schemas_outside_the_fast_subset_still_validate_with_jsonschema() -> None:
    code = {"name": "lookup", "parameters": {"type": "object", "properties": {
        "code": {"type": "string", "pattern": "^[A-Z]{3}$"}}, "required": ["code"]}}
    truth = execute(call("lookup", code="EUR"))
    assert rr.score(hermes(call("lookup", code="EUR")), truth, tools=[code]).components["schema"] == 1.0
    assert rr.score(hermes(call("lookup", code="eur")), truth, tools=[code]).components["schema"] == 0.0
