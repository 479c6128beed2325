"""Ground-truth shapes: native, JSON text, blog dialect, dataset rows; and their errors."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest

import rlvr_rewards as rr
from rlvr_rewards.groundtruth.toolspecs import tools_from_system_prompt

from .helpers import TOOLS, call, compile_truth, execute, hermes, resolve_item

GOOD = hermes(call("get_weather", city="Paris"))
NATIVE = execute(call("get_weather", city="Paris"))


def system_prompt(tools: list[dict[str, Any]]) -> str:
    lines = "\n".join(json.dumps(t) for t in tools)
    return f"You are a helpful assistant.\n\n# Tools\n\n<tools>\n{lines}\n</tools>\n\nCall tools in <tool_call> tags."


@pytest.mark.parametrize(
    "truth",
    [
        NATIVE,
        json.dumps(NATIVE),
        json.dumps([call("get_weather", city="Paris")]),  # blog dialect execute string
        [call("get_weather", city="Paris")],  # decoded call list
        [{"name": "get_weather", "parameters": {"city": "Paris"}}],  # parameters synonym
        [{"name": "get_weather", "arguments": json.dumps({"city": "Paris"})}],  # arguments as JSON text
        {"reward_model": {"ground_truth": NATIVE}},
        {"reward_model": {"ground_truth": json.dumps([call("get_weather", city="Paris")])}},
        {"reference_answer": NATIVE},
        {
            "id": 1,
            "prompt": [{"role": "user", "content": "hi"}],
            "reward_model": {"style": "rule", "ground_truth": NATIVE},
        },
    ],
)
def test_every_truth_shape_scores_the_same_correct_call(truth: Any) -> None:
    s = rr.score(GOOD, truth, tools=TOOLS)
    assert s.reward == 1.0
    assert s.reason == "ok"
    assert s.expected == "execute"


def test_blog_text_truth_is_no_call_and_accepts_clarify_or_refuse() -> None:
    truth = "To provide you with the weather information, could you please specify the location?"
    assert compile_truth(truth).behavior == "no_call"
    assert rr.score("Which city are you asking about?", truth).reward == 1.0
    assert rr.score("I'm sorry, but I can't help with that.", truth).reward == 1.0
    s = rr.score(GOOD, truth)
    assert s.reward == 0.0 and s.reason == "called_instead_of_no_call"


def test_native_clarify_and_refuse_truths() -> None:
    t = compile_truth({"behavior": "clarify", "missing": ["city"], "reference": "Which city?"})
    assert (t.behavior, t.missing, t.reference) == ("clarify", ("city",), "Which city?")
    r = compile_truth({"behavior": "refuse", "reason": "harmful"})
    assert (r.behavior, r.reason) == ("refuse", "harmful")


def test_compiled_truths_are_cached() -> None:
    a = compile_truth({"behavior": "refuse"})
    b = compile_truth({"behavior": "refuse"})
    assert a is b


def test_row_tools_come_from_extra_info_or_the_system_prompt() -> None:
    row = {"reward_model": {"ground_truth": NATIVE}, "extra_info": {"tools": TOOLS}}
    assert resolve_item(row)[1] == TOOLS
    row2 = {
        "prompt": [{"role": "system", "content": system_prompt(TOOLS)}, {"role": "user", "content": "x"}],
        "reward_model": {"ground_truth": NATIVE},
    }
    assert resolve_item(row2)[1] == TOOLS
    # the tools drive the schema component: an argument of the wrong type fails it
    bad = hermes(call("get_weather", city=7))
    assert rr.score(bad, row2).components["schema"] == 0.0
    assert rr.score(GOOD, row2).components["schema"] == 1.0


def test_tools_from_system_prompt_variants() -> None:
    assert tools_from_system_prompt("no tools here") is None
    assert tools_from_system_prompt("<tools>\n" + json.dumps(TOOLS) + "\n</tools>") == TOOLS
    with pytest.raises(rr.ToolSpecError) as info:
        tools_from_system_prompt("<tools>\n{not json}\n</tools>")
    assert "line 1" in str(info.value)


@pytest.mark.parametrize(
    ("truth", "field", "fragment"),
    [
        ({"behavior": "exec"}, "behavior", "unknown behavior"),
        ({"calls": [call("f")]}, "behavior", "'behavior': 'execute'"),
        ({"behavior": "execute", "calls": []}, "calls", "at least one"),
        ({"behavior": "execute", "calls": [{"name": "f", "argumentz": {}}]}, "calls.0.argumentz", "no such field"),
        ({"behavior": "execute", "calls": [{"name": "", "arguments": {}}]}, "calls.0.name", "at least 1"),
        ({"behavior": "clarify", "missing": "city"}, "missing", "valid list"),
        ({"behavior": "refuse", "reasons": "x"}, "reasons", "no such field"),
        ({"behavior": "execute", "calls": [call("f", x={"$any": []})]}, "calls[0].arguments.x", "non-empty"),
        ({"reward_model": {"style": "rule"}}, "reward_model", "ground_truth"),
        ({"reward_model": {"ground_truth": {"behavior": "nope"}}}, "reward_model.ground_truth.behavior", "unknown"),
        ("", None, "empty"),
        ('[{"arguments": {}}]', "ground_truth[0]", "name"),
        (42, None, "unsupported"),
    ],
)
def test_bad_truths_name_item_field_and_expectation(truth: Any, field: str | None, fragment: str) -> None:
    with pytest.raises(rr.GroundTruthError) as info:
        rr.score_batch([GOOD, GOOD, GOOD], [NATIVE, NATIVE, truth])
    err = info.value
    assert err.index == 2
    assert err.field == field
    assert fragment in str(err)
    assert str(err).startswith("ground truth at item 2")


def test_model_output_never_raises_even_when_the_truth_is_odd() -> None:
    s = rr.score(None, NATIVE)
    assert s.reward == 0.0 and s.behavior == "invalid"


def test_deeply_nested_truths_raise_a_ground_truth_error_not_recursion() -> None:
    deep: Any = 1
    for _ in range(2000):
        deep = [deep]
    for truth in (
        execute(call("f", a=deep)),
        [call("f", a=deep)],
        json.dumps([call("f", a=1)]).replace("1", "[" * 500 + "1" + "]" * 500),
    ):
        with pytest.raises(rr.GroundTruthError, match="nested too deeply"):
            rr.score("x", truth)


_NOT_JSON = [
    (
        "tuple of calls",
        lambda v: {"behavior": "execute", "calls": ({"name": "f", "arguments": {"a": [1, 2]}},)},
        "calls",
    ),
    (
        "tuple argument",
        lambda v: {"behavior": "execute", "calls": [{"name": "f", "arguments": {"a": (1, 2)}}]},
        "calls[0].arguments.a",
    ),
    ("NaN", lambda v: {"behavior": "execute", "calls": [{"name": "f", "arguments": {"a": v}}]}, "calls[0].arguments.a"),
    (
        "date",
        lambda v: {"behavior": "execute", "calls": [{"name": "f", "arguments": {"a": datetime.date(2020, 1, 1)}}]},
        "calls[0].arguments.a",
    ),
    (
        "set",
        lambda v: {"behavior": "execute", "calls": [{"name": "f", "arguments": {"a": {1}}}]},
        "calls[0].arguments.a",
    ),
    (
        "integer key",
        lambda v: {"behavior": "execute", "calls": [{"name": "f", "arguments": {1: 2}}]},
        "calls[0].arguments",
    ),
    ("infinite reference", lambda v: [{"name": "f", "arguments": {"a": -v}}], "[0].arguments.a"),
]
# what orjson writes each of the above as: compiled first, it used to make the refused value a cache hit
_LOOKALIKES = [
    {"behavior": "execute", "calls": [{"name": "f", "arguments": {"a": [1, 2]}}]},
    {"behavior": "execute", "calls": [{"name": "f", "arguments": {"a": None}}]},
    {"behavior": "execute", "calls": [{"name": "f", "arguments": {"a": "2020-01-01"}}]},
    {"behavior": "execute", "calls": [{"name": "f", "arguments": {"1": 2}}]},
    [{"name": "f", "arguments": {"a": None}}],
]


@pytest.mark.parametrize("label,make,field", _NOT_JSON, ids=[c[0] for c in _NOT_JSON])
@pytest.mark.parametrize("warm", [False, True], ids=["cold cache", "look-alike cached"])
def test_non_json_truths_are_refused_whatever_the_cache_holds(label: str, make: Any, field: str, warm: bool) -> None:
    if warm:
        for truth in _LOOKALIKES:
            rr.score("[f(a=[1, 2])]", truth)
    value = make(float("nan") if label == "NaN" else float("inf"))
    with pytest.raises(rr.GroundTruthError) as info:
        rr.score("[f(a=[1, 2])]", value)
    assert info.value.field == field, str(info.value)
    assert info.value.index == 0


def test_non_json_tool_specs_are_refused_with_the_tool_and_field() -> None:
    truth = {"behavior": "execute", "calls": [{"name": "f", "arguments": {"a": 1}}]}
    ok = [{"name": "g"}, {"name": "f", "parameters": {"type": "object", "required": ["a"]}}]
    rr.score("[f(a=1)]", truth, tools=ok)
    for bad, field in (
        (
            [{"name": "g"}, {"name": "f", "parameters": {"type": "object", "required": ("a",)}}],
            "tools[1].parameters.required",
        ),
        (
            [{"name": "f", "parameters": {"type": "object", "properties": {"a": {"default": float("nan")}}}}],
            "tools[0].parameters.properties.a.default",
        ),
    ):
        with pytest.raises(rr.ToolSpecError) as info:
            rr.score("[f(a=1)]", truth, tools=bad)
        assert info.value.field == field, str(info.value)


def test_subclasses_of_json_types_are_the_same_truth() -> None:
    class Text(str):
        pass

    class Mapping(dict):  # type: ignore[type-arg]
        pass

    plain = rr.score('[f(a="x")]', {"behavior": "execute", "calls": [{"name": "f", "arguments": {"a": "x"}}]})
    sub = rr.score('[f(a="x")]', {"behavior": "execute", "calls": [Mapping(name="f", arguments={"a": Text("x")})]})
    assert (plain.reward, plain.reason) == (sub.reward, sub.reason) == (1.0, "ok")
