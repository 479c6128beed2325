"""The ``granite`` format: Granite 3.x ``<|tool_call|>[{...}, ...]`` and Granite 20B FC ``<function_call> {...}``.

No chat template of the family ships with TRL. The Granite 3.x texts are what the Granite 3.3 chat template
renders for assistant ``tool_calls`` (``<|tool_call|>[`` + ``{"name": "<name>", "arguments": <tojson>}`` joined
by ``, `` + ``]``, then ``<|end_of_text|>``), built here with ``json.dumps`` as the template's ``tojson`` does;
the Granite 20B FC texts what vLLM's ``examples/tool_chat_template_granite_20b_fc.jinja`` renders
(``<function_call> `` + the call's JSON, per call). Others are the outputs of vLLM's parser tests
(``tests/tool_parsers/test_granite_tool_parser.py``, ``test_granite_20b_fc_tool_parser.py``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

import rlvr_rewards as rr
from rlvr_rewards.limits import Limits
from rlvr_rewards.parsing import granite as module
from rlvr_rewards.parsing.granite import SPECS, parse_granite
from rlvr_rewards.plugins import get_plugin_manager, register_plugin, unregister_plugin
from tests.formats.harness import TOOLS, FormatCase, calls_of, check_cases

PARIS = {"city": "Paris", "days": 2}
SEARCH = {
    "query": "rust async",
    "limit": 5,
    "score": 0.5,
    "exact": True,
    "tags": ["tutorial", "beginner"],
    "filters": {"lang": "en", "safe": True, "region": None},
}
TEMPLATE_33 = "Granite 3.3 chat template (ibm-granite/granite-3.3-2b-instruct): assistant tool_calls"
TEMPLATE_20B = "vLLM examples/tool_chat_template_granite_20b_fc.jinja: assistant tool_calls"
VLLM_3 = "vLLM tests/tool_parsers/test_granite_tool_parser.py"
VLLM_20B = "vLLM tests/tool_parsers/test_granite_20b_fc_tool_parser.py"


def granite3(calls: list[tuple[str, dict[str, Any]]], content: str = "") -> str:
    """An assistant turn as the Granite 3.3 template renders it, without the end-of-text token."""
    body = ", ".join(f'{{"name": "{name}", "arguments": {json.dumps(args)}}}' for name, args in calls)
    return f"{content}<|tool_call|>[{body}]"


def granite20b(calls: list[tuple[str, dict[str, Any]]]) -> str:
    """An assistant turn as vLLM's Granite 20B FC template renders it (one marker per call)."""
    return "".join("<function_call> " + json.dumps({"name": name, "arguments": args}) for name, args in calls)


CASES: dict[str, list[FormatCase]] = {
    "granite": [
        FormatCase(
            "one",
            granite3([("get_weather", PARIS)]),
            [("get_weather", PARIS)],
            TEMPLATE_33,
            tools=TOOLS,
            absent_violations=("text_with_call",),
        ),
        FormatCase(
            "one",
            granite3([("get_weather", PARIS)]) + "<|end_of_text|>",
            [("get_weather", PARIS)],
            TEMPLATE_33 + " (decoded with its end-of-text token)",
            absent_violations=("text_with_call",),
            id="end token",
        ),
        FormatCase(
            "one",
            '<function_call> {"name": "get_weather", "arguments": {"city": "Tokyo"}}',
            [("get_weather", {"city": "Tokyo"})],
            VLLM_20B,
            absent_violations=("text_with_call",),
        ),
        FormatCase(
            "one",
            '<|tool_call|> [{"name": "refresh", "arguments": {}}]',
            [("refresh", {})],
            VLLM_3 + " (empty arguments)",
        ),
        FormatCase(
            "one",
            '<|tool_call|>[{\n  "name": "test_function",\n  "arguments": {\n    "quoted": "He said \\"hello\\"",\n'
            '    "path": "C:\\\\Users\\\\file.txt",\n    "newline": "line1\\nline2",\n'
            '    "unicode": "emoji: 🎉"\n  }\n}]',
            [
                (
                    "test_function",
                    {
                        "quoted": 'He said "hello"',
                        "path": "C:\\Users\\file.txt",
                        "newline": "line1\nline2",
                        "unicode": "emoji: 🎉",
                    },
                )
            ],
            VLLM_3 + " (escaped strings)",
            id="escapes",
        ),
        FormatCase(
            "several",
            granite3([("get_weather", PARIS), ("search", SEARCH)]) + "<|end_of_text|>",
            [("get_weather", PARIS), ("search", SEARCH)],
            TEMPLATE_33,
            tools=TOOLS,
            absent_violations=("text_with_call",),
        ),
        FormatCase(
            "several",
            '<|tool_call|> [\n  {"name": "get_weather", "arguments": {"city": "Tokyo"}},\n'
            '  {"name": "get_time", "arguments": {"timezone": "Asia/Tokyo"}}\n]',
            [("get_weather", {"city": "Tokyo"}), ("get_time", {"timezone": "Asia/Tokyo"})],
            VLLM_3 + " (parallel calls)",
        ),
        FormatCase(
            "several",
            granite20b([("get_weather", PARIS), ("search", SEARCH)]) + "<|endoftext|>",
            [("get_weather", PARIS), ("search", SEARCH)],
            TEMPLATE_20B,
            absent_violations=("text_with_call",),
        ),
        FormatCase(
            "several",
            '<function_call> {"name": "get_weather", "arguments": {"city": "Tokyo"}}\n'
            '<function_call> {"name": "get_time", "arguments": {"timezone": "Asia/Tokyo"}}',
            [("get_weather", {"city": "Tokyo"}), ("get_time", {"timezone": "Asia/Tokyo"})],
            VLLM_20B + " (parallel calls)",
        ),
        FormatCase("zero", "This is a regular response without any tool calls.", [], VLLM_3),
        FormatCase(
            "zero",
            "I don't have a tool that books flights, so I can't do that for you.",
            [],
            TEMPLATE_33 + " (a plain answer: no marker)",
        ),
        FormatCase(
            "reasoning",
            "<think>The user wants the weather in Paris for two days.</think>" + granite3([("get_weather", PARIS)]),
            [("get_weather", PARIS)],
            TEMPLATE_33 + " with thinking (<think></think> before the answer)",
            think="weather in Paris",
            absent_violations=("text_with_call",),
        ),
        FormatCase(
            "truncated",
            '<|tool_call|> [{"name": "func", "arguments": {',
            [],
            VLLM_3 + " (malformed input)",
            violations=("invalid_json",),
        ),
        FormatCase(
            "truncated",
            '<function_call> {"name": "get_weather", "arguments": {"city": "Tok',
            [],
            VLLM_20B + " (cut short)",
            violations=("invalid_json",),
        ),
        FormatCase(
            "prose",
            'Let me check the weather for you.\n<|tool_call|> [{"name": "get_weather", "arguments": '
            '{"city": "Tokyo"}}]\nI\'ll get that information.',
            [("get_weather", {"city": "Tokyo"})],
            VLLM_3 + " (surrounding text)",
            violations=("text_with_call",),
        ),
        FormatCase(
            "prose",
            "Let me check the weather for you.\n"
            '<function_call> {"name": "get_weather", "arguments": {"city": "Tokyo"}}',
            [("get_weather", {"city": "Tokyo"})],
            VLLM_20B + " (surrounding text)",
            violations=("text_with_call",),
        ),
        FormatCase(
            "prose",
            granite3([("get_weather", PARIS)], content="Checking the forecast now."),
            [("get_weather", PARIS)],
            TEMPLATE_33 + " (content before the calls)",
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


def test_cases() -> None:
    check_cases("granite", CASES["granite"])


def test_spec() -> None:
    (spec,) = SPECS
    assert spec.name == "granite" and spec.priority == 21
    assert spec.markers == ("<|tool_call|>", "<function_call>")
    got = rr.parse(spec.example)
    assert got.format == "granite" and calls_of(got) == [("get_weather", {"city": "Paris"})]
    for alias in ("granite-3.3", "Granite-20B-FC"):
        assert rr.parse(spec.example, format=alias).calls == got.calls


def test_none_without_markers() -> None:
    for text in (
        "",
        "plain text",
        '<tool_call>{"name": "f", "arguments": {}}</tool_call>',
        '[{"name": "f", "arguments": {}}]',
        "[f(a=1)]",
        "functools[{}]",
        "<|tool_call>call:f{}<tool_call|>",
        "<|tool_call_begin|>",
        "<function=f>",
    ):
        assert parse_granite(text) is None, text


def test_segments() -> None:
    empty = parse_granite("<|tool_call|>")
    assert empty is not None and empty.calls == () and empty.violations == ("empty_call_block",)
    assert empty.attempted_call
    not_json = parse_granite("<|tool_call|>get_weather(city='Paris')")
    assert not_json is not None and not_json.violations == ("invalid_json",) and not not_json.calls
    one_object = parse_granite('<|tool_call|>{"name": "f", "arguments": {"a": 1}}')
    assert one_object is not None and calls_of(one_object) == [("f", {"a": 1})] and not one_object.violations
    both = parse_granite('<|tool_call|>[{"name": "f", "arguments": {}}]<function_call> {"name": "g", "arguments": {}}')
    assert both is not None and [c.name for c in both.calls] == ["f", "g"]
    after = parse_granite('<function_call> {"name": "f", "arguments": {}} and then some words')
    assert after is not None and after.text == "and then some words" and "text_with_call" in after.violations


def test_phi4_closing_marker_and_end_tokens_are_dropped() -> None:
    """Phi-4 (llama.cpp's tool-call support) closes the same marker: ``<|tool_call|>{..}<|/tool_call|>``."""
    got = parse_granite('<|tool_call|>{"name": "f", "arguments": {"a": 1}}<|/tool_call|>\n<|end_of_text|>')
    assert got is not None and calls_of(got) == [("f", {"a": 1})] and got.text == "" and not got.violations


def test_call_object_rules_apply() -> None:
    got = parse_granite('<|tool_call|>[{"name": "f", "arguments": "not a dict"}, {"arguments": {}}, 3]')
    assert got is not None
    assert calls_of(got) == [("f", None), ("", {})]
    assert {"arguments_json_string", "missing_name", "invalid_json"} <= set(got.violations)
    no_function = parse_granite('<function_call> {"name": "no_function", "arguments": {}}')
    assert no_function is not None and calls_of(no_function) == [("no_function", {})]


def test_repeats_stay_linear_and_capped() -> None:
    for marker in ("<|tool_call|>", "<function_call>"):
        got = parse_granite(marker * 100_000)
        assert got is not None and got.violations == ("empty_call_block",) and not got.calls
    block = '<|tool_call|>[{"name": "f", "arguments": {"a": 1}}]'
    got = parse_granite(block * 10_000)
    assert got is not None and len(got.calls) == 64 and "too_many_calls" in got.violations
    distinct = "".join(f'<function_call> {{"name": "f", "arguments": {{"a": {i}}}}}' for i in range(5_000))
    over = parse_granite(distinct, Limits(max_calls=8))
    assert over is not None and over.violations == ("over_budget",)
    deep = parse_granite("<|tool_call|>" + "[" * 100_000)
    assert deep is not None and not deep.calls and deep.violations in (("invalid_json",), ("nesting_too_deep",))


def test_granite_31_string_marker_reads_through_the_hint() -> None:
    """Granite 3.1 may write ``<tool_call>`` (vLLM's parser accepts it): the hint also tries hermes."""
    text = '<tool_call>[{"name": "get_weather", "arguments": {"city": "Tokyo"}}]'
    got = rr.parse(text, format="granite-3.1")
    assert calls_of(got) == [("get_weather", {"city": "Tokyo"})] and got.format == "hermes"
