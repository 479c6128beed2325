"""Tool specs: OpenAI and bare shapes, BFCL type aliases, per-item tools, and errors."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rlvr_rewards as rr
from rlvr_rewards.groundtruth.toolspecs import compile_tools, normalize_schema

from .helpers import TOOLS, call, execute, hermes


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
    code = {
        "name": "lookup",
        "parameters": {
            "type": "object",
            "properties": {"code": {"type": "string", "pattern": "^[A-Z]{3}$"}},
            "required": ["code"],
        },
    }
    truth = execute(call("lookup", code="EUR"))
    assert rr.score(hermes(call("lookup", code="EUR")), truth, tools=[code]).components["schema"] == 1.0
    assert rr.score(hermes(call("lookup", code="eur")), truth, tools=[code]).components["schema"] == 0.0


# --- Guarded schema regexes and keywords (groundtruth.userregex; the jsonschema fallback uses the same guard) ----

_GUARD_PARAMS = {"type": "object", "properties": {"code": {"type": "string", "pattern": "^a+$"}}}
#: the same constraint outside fastschema's subset: validated by jsonschema with the guarded keywords
_GUARD_PARAMS_FALLBACK = {**_GUARD_PARAMS, "anyOf": [{"required": ["code"]}, {"required": ["other"]}]}


@pytest.mark.parametrize("params", [_GUARD_PARAMS, _GUARD_PARAMS_FALLBACK], ids=["fastschema", "jsonschema"])
def test_schema_patterns_run_through_the_guard_in_both_validators(params: dict[str, Any]) -> None:
    from rlvr_rewards.groundtruth.userregex import MAX_INPUT

    ts = compile_tools([{"name": "f", "parameters": params}])
    assert ts is not None
    tool = ts.get("f")
    assert tool is not None
    assert tool.is_valid({"code": "aaa"})
    assert not tool.is_valid({"code": "ab"})
    assert tool.is_valid({"code": "a" * MAX_INPUT})
    assert not tool.is_valid({"code": "a" * (MAX_INPUT + 1)})  # longer than max_input: no match, so invalid


def test_pattern_properties_and_additional_properties_use_the_guard() -> None:
    from rlvr_rewards.groundtruth.userregex import MAX_INPUT

    params = {"type": "object", "patternProperties": {"^x_[a-z]+$": {"type": "integer"}}, "additionalProperties": False}
    ts = compile_tools([{"name": "f", "parameters": params}])
    assert ts is not None
    tool = ts.get("f")
    assert tool is not None
    assert tool.is_valid({"x_a": 1, "x_bc": 2})
    assert not tool.is_valid({"x_a": "1"})
    assert not tool.is_valid({"y": 1})
    long_key = "x_" + "a" * MAX_INPUT
    assert not tool.is_valid({long_key: 1})  # a name longer than max_input matches no pattern: an extra property


def _guarded(schema: Any, base: Any = None) -> Any:
    import jsonschema

    from rlvr_rewards.groundtruth import toolspecs as tools_module

    cls = tools_module._guarded_class(base or jsonschema.Draft202012Validator)
    return cls(schema, format_checker=None, registry=tools_module._LOCAL_REGISTRY)


_KEYS = st.sampled_from(["a", "ab", "b", "x_1", "x_", "A", ""])
_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-2, 2),
        st.sampled_from([1.0, 2.5]),
        st.sampled_from(["", "a", "ab", "x_1"]),
    ),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_KEYS, inner, max_size=3)),
    max_leaves=8,
)
_PATTERNS = st.sampled_from(["^a", "b$", "^x_\\d$", "a|b", "^$", "[A-Z]", "."])
_SUB = st.sampled_from([{}, {"type": "integer"}, {"type": "string"}, False, True, {"minLength": 1}])


def _keyword_schemas() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {},
        optional={
            "properties": st.dictionaries(_KEYS, _SUB, max_size=2),
            "patternProperties": st.dictionaries(_PATTERNS, _SUB, max_size=3),
            "additionalProperties": _SUB,
            "uniqueItems": st.booleans(),
            "pattern": _PATTERNS,
            "items": st.fixed_dictionaries({}, optional={"uniqueItems": st.booleans(), "pattern": _PATTERNS}),
            "propertyNames": st.fixed_dictionaries({"pattern": _PATTERNS}),
        },
    )


@settings(max_examples=200, deadline=None)
@given(schema=_keyword_schemas(), instance=_VALUES)
def test_guarded_keywords_agree_with_jsonschema(schema: dict[str, Any], instance: Any) -> None:
    """pattern, patternProperties, additionalProperties and uniqueItems replaced by the guarded versions give
    jsonschema's answers (on values shorter than max_input), in 2020-12, draft 7 and draft 4, under our one
    definition of ``integer`` (an int, never 1.0: docs/ground-truth.md#numbers), which the guarded classes use."""
    import jsonschema

    from rlvr_rewards.groundtruth.fastschema import is_integer_value

    for base in (jsonschema.Draft202012Validator, jsonschema.Draft7Validator, jsonschema.Draft4Validator):
        ints = base.TYPE_CHECKER.redefine("integer", lambda _checker, instance: is_integer_value(instance))
        reference = jsonschema.validators.extend(base, type_checker=ints)
        assert _guarded(schema, base).is_valid(instance) == reference(schema).is_valid(instance), base.__name__


def test_the_guarded_integer_is_an_int_only() -> None:
    import jsonschema

    for base in (jsonschema.Draft202012Validator, jsonschema.Draft7Validator, jsonschema.Draft4Validator):
        validator = _guarded({"type": "integer"}, base)
        assert validator.is_valid(1) and not validator.is_valid(1.0) and not validator.is_valid(True)


def test_unique_items_is_linear_in_the_jsonschema_fallback() -> None:
    from .timing import assert_linear

    params = {
        "type": "object",
        "properties": {"xs": {"type": "array", "uniqueItems": True}},
        "anyOf": [{"required": ["xs"]}, {"required": ["ys"]}],
    }
    ts = compile_tools([{"name": "f", "parameters": params}])
    assert ts is not None
    tool = ts.get("f")
    assert tool is not None
    small = {"xs": [{"k": i, "v": [i, str(i)]} for i in range(1_000)]}
    big = {"xs": [{"k": i, "v": [i, str(i)]} for i in range(10_000)]}
    assert tool.is_valid(big) and not tool.is_valid({"xs": [{"k": 1}, {"k": 1.0}]})
    assert_linear(lambda: tool.is_valid(small), lambda: tool.is_valid(big), 15, "uniqueItems of dicts (jsonschema)")


def test_unevaluated_properties_with_pattern_properties_is_refused() -> None:
    params = {"type": "object", "allOf": [{"patternProperties": {"^x": {}}}], "unevaluatedProperties": False}
    with pytest.raises(rr.ToolSpecError) as info:
        compile_tools([{"name": "f", "parameters": params}])
    assert info.value.field == "parameters.unevaluatedProperties"
    ok = compile_tools([{"name": "f", "parameters": {**params, "allOf": [{"properties": {"x": {}}}]}}])
    assert ok is not None
