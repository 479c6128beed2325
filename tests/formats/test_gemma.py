"""The ``gemma`` format: Gemma 4 ``<|tool_call>call:NAME{key:<|"|>v<|"|>}<tool_call|>`` and FunctionGemma
``<start_function_call>call:NAME{key:<escape>v<escape>}<end_function_call>``.

The Gemma 4 assistant turns are rendered at test time with the Gemma 4 templates TRL ships (``gemma4.jinja``
and ``gemma4_v2.jinja`` .. ``gemma4_v5.jinja``): calls, reasoning (``<|channel>thought``) and content as the
templates write them. FunctionGemma has no TRL template: its texts follow Google's FunctionGemma formatting
guide and vLLM's parser test (``tests/tool_parsers/test_functiongemma_tool_parser.py``). Gemma 3 has no format
of its own (``gemma3.jinja`` renders no tool calls); its prompted ```tool_code fences are not read by any
format (see ``test_gemma3_tool_code_fences_are_not_calls``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import rlvr_rewards as rr
from rlvr_rewards.limits import Limits
from rlvr_rewards.parsing import gemma as module
from rlvr_rewards.parsing.gemma import SPECS, decode_arguments, parse_gemma
from rlvr_rewards.plugins import get_plugin_manager, register_plugin, unregister_plugin
from tests.formats.harness import (
    TOOLS,
    FormatCase,
    calls_of,
    check_cases,
    render_assistant_turn,
    require_trl_templates,
    tool_call,
    trl_template,
)

TEMPLATES = (
    "gemma3.jinja",
    "gemma4.jinja",
    "gemma4_v2.jinja",
    "gemma4_v3.jinja",
    "gemma4_v4.jinja",
    "gemma4_v5.jinja",
)
require_trl_templates(*TEMPLATES)

PROMPT = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "What's the weather in Paris, and find me rust tutorials?"},
]
PARIS = {"city": "Paris", "days": 2}
SEARCH = {
    "query": "rust async, {beginner}",
    "limit": 5,
    "score": 0.5,
    "exact": True,
    "tags": ["tutorial", "beginner"],
    "filters": {"lang": "en", "safe": True, "region": None},
}
THOUGHT = "The user wants the Paris forecast and some tutorials."
GUIDE = "Google FunctionGemma formatting guide (ai.google.dev/gemma/docs/functiongemma)"
VLLM_FG = "vLLM tests/tool_parsers/test_functiongemma_tool_parser.py"
VLLM_G4 = "vLLM tests/tool_parsers/test_gemma4_tool_parser.py"
END_TOKENS = ("<turn|>", "<|tool_response>")


def turn(template: str, content: str = "", calls: list[dict[str, Any]] | None = None, **extra: Any) -> str:
    """The assistant turn the Gemma 4 ``template`` (TRL's copy) renders."""
    message: dict[str, Any] = {"role": "assistant", "content": content, **extra}
    if calls is not None:
        message["tool_calls"] = calls
    return render_assistant_turn(template, PROMPT, message, TOOLS)


def source(template: str) -> str:
    return f"TRL 1.16 trl/chat_templates/{template} (rendered)"


WEATHER_CALL = tool_call("get_weather", PARIS)
SEARCH_CALL = tool_call("search", SEARCH)
ONE = turn("gemma4.jinja", calls=[WEATHER_CALL])
BOTH_V5 = turn("gemma4_v5.jinja", calls=[WEATHER_CALL, SEARCH_CALL])
BOTH_V2 = turn("gemma4_v2.jinja", calls=[WEATHER_CALL, SEARCH_CALL])
THINKING = turn("gemma4_v3.jinja", calls=[WEATHER_CALL], reasoning_content=THOUGHT)
CONTENT = turn("gemma4_v5.jinja", content="Let me check that for you.", calls=[WEATHER_CALL])
ANSWER = render_assistant_turn(
    "gemma4_v5.jinja", PROMPT, {"role": "assistant", "content": "It is sunny in Paris."}, TOOLS, strip=END_TOKENS
)
ANSWER_THINKING = turn("gemma4_v5.jinja", content="It is sunny in Paris.", reasoning_content=THOUGHT)

CASES: dict[str, list[FormatCase]] = {
    "gemma": [
        FormatCase("one", ONE, [("get_weather", PARIS)], source("gemma4.jinja"), absent_violations=("text_with_call",)),
        FormatCase(
            "one",
            turn("gemma4_v4.jinja", calls=[tool_call("get_weather", {"city": "Paris"})]),
            [("get_weather", {"city": "Paris"})],
            source("gemma4_v4.jinja"),
            absent_violations=("text_with_call",),
        ),
        FormatCase(
            "one",
            "<start_function_call>call:get_current_weather{location:<escape>Tokyo, Japan<escape>}<end_function_call>",
            [("get_current_weather", {"location": "Tokyo, Japan"})],
            GUIDE,
            absent_violations=("text_with_call",),
        ),
        FormatCase(
            "one",
            "<start_function_call>call:get_current_temperature{location:<escape>Paris<escape>,"
            "unit:<escape>celsius<escape>}<end_function_call>",
            [("get_current_temperature", {"location": "Paris", "unit": "celsius"})],
            GUIDE + " (two arguments)",
        ),
        FormatCase(
            "several",
            BOTH_V5,
            [("get_weather", PARIS), ("search", SEARCH)],
            source("gemma4_v5.jinja"),
            absent_violations=("text_with_call",),
        ),
        FormatCase(
            "several",
            BOTH_V2,
            [("get_weather", PARIS), ("search", SEARCH)],
            source("gemma4_v2.jinja") + " (a null rendered as None)",
            absent_violations=("text_with_call",),
        ),
        FormatCase(
            "several",
            "<start_function_call>call:get_weather{location:<escape>London<escape>}<end_function_call>"
            "<start_function_call>call:get_time{timezone:<escape>UTC<escape>}<end_function_call>",
            [("get_weather", {"location": "London"}), ("get_time", {"timezone": "UTC"})],
            VLLM_FG + " (parallel calls)",
        ),
        FormatCase("zero", ANSWER, [], source("gemma4_v5.jinja") + " (a plain answer)"),
        FormatCase(
            "zero",
            ANSWER_THINKING,
            [],
            source("gemma4_v5.jinja") + " (an answer after reasoning)",
            think=THOUGHT,
        ),
        FormatCase("zero", "Hello, how can I help you today?", [], VLLM_FG),
        FormatCase(
            "reasoning",
            THINKING,
            [("get_weather", PARIS)],
            source("gemma4_v3.jinja") + " (reasoning_content before the calls)",
            think=THOUGHT,
            absent_violations=("text_with_call",),
        ),
        FormatCase(
            "reasoning",
            turn("gemma4.jinja", calls=[WEATHER_CALL, SEARCH_CALL], reasoning_content=THOUGHT),
            [("get_weather", PARIS), ("search", SEARCH)],
            source("gemma4.jinja") + " (reasoning_content before the calls)",
            think=THOUGHT,
        ),
        FormatCase(
            "truncated",
            ONE[: ONE.index("Paris") + 3],
            [("get_weather", None)],
            source("gemma4.jinja") + ", cut inside a string",
            violations=("invalid_json", "unclosed_tag"),
        ),
        FormatCase(
            "truncated",
            '<|tool_call>call:get_weather{location:<|"|>London',
            [("get_weather", None)],
            VLLM_G4 + " (incomplete tool call)",
            violations=("invalid_json", "unclosed_tag"),
        ),
        FormatCase(
            "prose",
            CONTENT,
            [("get_weather", PARIS)],
            source("gemma4_v5.jinja") + " (content after the calls)",
            violations=("text_with_call",),
        ),
        FormatCase(
            "prose",
            "Let me check the weather for you. "
            "<start_function_call>call:get_weather{location:<escape>Paris<escape>}<end_function_call>",
            [("get_weather", {"location": "Paris"})],
            VLLM_FG + " (text before the call)",
            violations=("text_with_call",),
        ),
    ]
}


@pytest.fixture(scope="module", autouse=True)
def _registered() -> Iterator[None]:
    """The format is registered (by the built-ins, or here for this module's tests)."""
    added = not get_plugin_manager().is_registered(module)
    if added:
        register_plugin(module)
    yield
    if added:
        unregister_plugin(module)


def test_rendered_texts_are_the_templates_format() -> None:
    assert ONE == '<|tool_call>call:get_weather{city:<|"|>Paris<|"|>,days:2}<tool_call|><|tool_response>'
    assert "region:null" in BOTH_V5 and "region:None" in BOTH_V2  # (gemma4_v5 fixed the null)
    assert THINKING.startswith(f"<|channel>thought\n{THOUGHT}\n<channel|><|tool_call>")
    assert CONTENT.endswith("<tool_call|>Let me check that for you.<|tool_response>")
    assert ANSWER == "It is sunny in Paris."


def test_cases() -> None:
    check_cases("gemma", CASES["gemma"])


def test_spec() -> None:
    (spec,) = SPECS
    assert spec.name == "gemma" and spec.priority == 29
    assert {"<|tool_call>", "<tool_call|>", "<start_function_call>", "<end_function_call>"} <= set(spec.markers)
    got = rr.parse(spec.example)
    assert got.format == "gemma" and calls_of(got) == [("get_weather", {"city": "Paris", "days": 3})]
    for alias in ("gemma-4", "FunctionGemma"):
        assert rr.parse(spec.example, format=alias).calls == got.calls


def test_none_without_markers() -> None:
    for text in (
        "",
        "plain text",
        '<tool_call>{"name": "f", "arguments": {}}</tool_call>',
        "<|tool_call|>[]",
        "<|channel|>analysis<|message|>x<|end|>",
        'call:get_weather{city:<|"|>Paris<|"|>}',
        "```tool_code\nget_weather(city='Paris')\n```",
    ):
        assert parse_gemma(text) is None, text


def _args(body: str, delim: str = '<|"|>', limits: Limits | None = None) -> tuple[Any, list[str]]:
    return decode_arguments(body, delim, limits or Limits())


def test_argument_values() -> None:
    assert _args("{}") == ({}, [])
    assert _args('{a:<|"|>x, y {z}<|"|>,n:-5,f:1.5e3,t:true,u:false,z:null,p:None}') == (
        {"a": "x, y {z}", "n": -5, "f": 1500.0, "t": True, "u": False, "z": None, "p": None},
        [],
    )
    assert _args('{ a : [ 1 , <|"|>b<|"|> , [ ] , { } ] ,\n b : { c : { d : 1 } } }') == (
        {"a": [1, "b", [], {}], "b": {"c": {"d": 1}}},
        [],
    )
    assert _args('{<|"|>3<|"|>:<|"|>new text<|"|>,<|"|>a b<|"|>:1}') == ({"3": "new text", "a b": 1}, [])
    assert _args('{n:<|"|>42<|"|>}') == ({"n": "42"}, [])  # a delimited value is a string
    assert _args("{a:1,a:2}") == ({"a": 2}, ["duplicate_keys"])
    assert _args("{key:<escape>v<escape>}", "<escape>") == ({"key": "v"}, [])
    assert _args('{key:<|"|>v<|"|>}', "<escape>") == (None, ["invalid_json"])  # the other family's delimiter


def test_argument_errors() -> None:
    for body, code in (
        ("{a:Paris}", "invalid_json"),  # a bare word is not a literal
        ('{a:"Paris"}', "invalid_json"),  # nor a JSON string
        ("{a:1,}", "invalid_json"),
        ("{a 1}", "invalid_json"),
        ("{a:1 b:2}", "invalid_json"),
        ("{:1}", "invalid_json"),
        ('{a:<|"|>open', "invalid_json"),
        ("{a:[1,2}", "invalid_json"),
        ("{a:{b:1]}", "invalid_json"),
        ("{a:", "invalid_json"),
        ("{a:1e999}", "nonfinite_number"),
        ("{a:" + "9" * 200 + "}", "number_too_large"),
        ('{a:<|"|>\ud800<|"|>}', "invalid_unicode"),
        ("{\ud800:1}", "invalid_unicode"),
    ):
        value, found = _args(body)
        assert value is None and found == [code], (body, found)


def test_argument_depth_is_bounded() -> None:
    limits = Limits(max_depth=4)
    assert _args("{a:{b:{c:[1]}}}", limits=limits)[0] == {"a": {"b": {"c": [1]}}}
    assert _args("{a:{b:{c:[[1]]}}}", limits=limits) == (None, ["nesting_too_deep"])
    assert _args("{a:" * 50_000 + "1" + "}" * 50_000) == (None, ["nesting_too_deep"])
    assert _args("{a:" + "[" * 100_000) in ((None, ["nesting_too_deep"]), (None, ["invalid_json"]))


def test_a_longer_json_spelling_is_not_too_long() -> None:
    """Quoting keys and escaping quotes lengthens the text: a 190,000-character block still reads."""
    quotes = '"' * 40
    long = "{" + ",".join(f'k{i}:<|"|>{quotes}<|"|>' for i in range(3_500)) + "}"
    assert 180_000 < len(long) < 200_000
    value, found = decode_arguments(long, '<|"|>', Limits())
    assert value is not None and len(value) == 3_500 and value["k7"] == quotes and not found


def test_call_blocks() -> None:
    empty = parse_gemma("<|tool_call><tool_call|>")
    assert empty is not None and not empty.calls and empty.violations == ("empty_call_block",)
    no_call = parse_gemma('<|tool_call>{"name": "f"}<tool_call|>')
    assert no_call is not None and not no_call.calls and no_call.violations == ("invalid_json",)
    no_args = parse_gemma("<|tool_call>call:get_status<tool_call|>")
    assert (
        no_args is not None and calls_of(no_args) == [("get_status", None)] and no_args.violations == ("invalid_json",)
    )
    assert calls_of(parse_gemma("<|tool_call>call:get_status{}<tool_call|>")) == [("get_status", {})]  # type: ignore[arg-type]
    names = parse_gemma("<|tool_call>call:weather.get{}<tool_call|><|tool_call>call:get-weather{}<tool_call|>")
    assert names is not None and [c.name for c in names.calls] == ["weather.get", "get-weather"]
    bad_name = parse_gemma("<|tool_call>call:get weather{}<tool_call|><|tool_call>call:{}<tool_call|>")
    assert (
        bad_name is not None and calls_of(bad_name) == [("", {}), ("", {})] and bad_name.violations == ("missing_name",)
    )
    garbage = parse_gemma("<|tool_call>call:f{a:1} and more<tool_call|>")
    assert (
        garbage is not None and calls_of(garbage) == [("f", {"a": 1})] and garbage.violations == ("trailing_garbage",)
    )
    stray = parse_gemma("Done.<tool_call|>")
    assert (
        stray is not None and not stray.calls and stray.violations == ("stray_closing_tag",) and stray.text == "Done."
    )
    fg_end = parse_gemma("<start_function_call>call:f{a:<escape>x<escape>}<end_function_call><start_function_response>")
    assert fg_end is not None and calls_of(fg_end) == [("f", {"a": "x"})] and fg_end.text == ""
    gemma4_first = parse_gemma("<|tool_call>call:f{}<tool_call|><start_function_call>call:g{}<end_function_call>")
    assert (
        gemma4_first is not None
        and calls_of(gemma4_first) == [("f", {})]
        and "text_with_call" in gemma4_first.violations
    )


def test_reasoning_channel() -> None:
    prefilled = parse_gemma('I should look it up.\n<channel|><|tool_call>call:f{a:<|"|>x<|"|>}<tool_call|>')
    assert prefilled is not None and prefilled.think == "I should look it up." and not prefilled.violations
    unclosed = parse_gemma("<|channel>thought\nthinking <|tool_call>call:f{a:1}<tool_call|>")
    assert unclosed is not None and not unclosed.calls and unclosed.violations == ("unclosed_think",)
    assert "thinking" in unclosed.think and not unclosed.attempted_call
    twice = parse_gemma("<|channel>thought\na<channel|>b<|channel>thought\nc<channel|><|tool_call>call:f{}<tool_call|>")
    assert twice is not None and calls_of(twice) == [("f", {})] and twice.think == "a\nc"
    assert {"repeated_think", "think_after_answer", "text_with_call"} <= set(twice.violations)
    inside = parse_gemma("<|channel>thought\n<|tool_call>call:f{}<tool_call|><channel|>The answer is 4.")
    assert inside is not None and not inside.calls and inside.text == "The answer is 4." and not inside.attempted_call


def test_gemma3_tool_code_fences_are_not_calls() -> None:
    """Gemma 3's prompted ```tool_code fences (pythonic calls) are read by no format: stated here."""
    assert "tool_calls" not in trl_template("gemma3.jinja")
    got = rr.parse("```tool_code\nget_weather(city='Paris')\n```")
    assert not got.calls and got.format == "none"
    assert rr.parse("[get_weather(city='Paris')]").format == "pythonic"  # Gemma 3's bare pythonic list


def test_repeats_stay_linear_and_capped() -> None:
    for marker in ("<|tool_call>", "<tool_call|>", "<start_function_call>", "<end_function_call>", "<|channel>"):
        got = parse_gemma(marker * 100_000)
        assert got is not None and not got.calls
    for text in ('<|"|>' * 100_000, "call:" * 100_000, "{a:" * 100_000, "<escape>" * 100_000):
        got = parse_gemma("<|tool_call>call:f{a:" + text)
        assert got is not None and calls_of(got) == [("f", None)]
    block = '<|tool_call>call:f{a:<|"|>x<|"|>}<tool_call|>'
    got = parse_gemma(block * 10_000)
    assert got is not None and len(got.calls) == 64 and "too_many_calls" in got.violations
    distinct = "".join(f"<|tool_call>call:f{{a:{i}}}<tool_call|>" for i in range(5_000))
    over = parse_gemma(distinct, Limits(max_calls=8))
    assert over is not None and over.violations == ("over_budget",)
    end_tokens = parse_gemma("<|tool_call>call:f{}<tool_call|>" + "<turn|>\n" * 100_000)
    assert end_tokens is not None and calls_of(end_tokens) == [("f", {})] and end_tokens.text == ""
