"""The ``xlam`` format: xLAM v1 ``{"tool_calls": [{"name": .., "arguments": {..}}], "thought": ..}``.

No xLAM chat template ships with TRL. The texts follow the xLAM format instruction (xLAM-1b/7b-fc-r: "The
output MUST strictly adhere to the following JSON format ... {"tool_calls": [{"name": "func_name1",
"arguments": {...}}, ...]} ... If no function call is needed, please make tool_calls an empty list '[]'"),
the xLAM client's format instruction with ``"thought"`` (``SalesforceAIResearch/xLAM``
``xLAM/client/config.py``) and the fenced / prefaced outputs vLLM's xLAM parser test reads
(``tests/tool_parsers/test_xlam_tool_parser.py``). The xLAM-2 bare list is the ``json`` format's.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

import rlvr_rewards as rr
from rlvr_rewards.parsing import xlam as module
from rlvr_rewards.parsing.xlam import SPECS, parse_xlam
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
FC_R = 'xLAM-1b/7b-fc-r format instruction ({"tool_calls": [...]}, tool_calls [] when no call)'
CLIENT = 'SalesforceAIResearch/xLAM xLAM/client/config.py format instruction ({"thought": .., "tool_calls": [..]})'
VLLM = "vLLM tests/tool_parsers/test_xlam_tool_parser.py (fenced / prefaced outputs)"


def xlam(*calls: tuple[str, Any], thought: str | None = None) -> str:
    obj: dict[str, Any] = {} if thought is None else {"thought": thought}
    obj["tool_calls"] = [{"name": name, "arguments": args} for name, args in calls]
    return json.dumps(obj)


CASES: dict[str, list[FormatCase]] = {
    "xlam": [
        FormatCase(
            "one",
            xlam(("get_weather", PARIS)),
            [("get_weather", PARIS)],
            FC_R,
            tools=TOOLS,
            absent_violations=("text_with_call",),
        ),
        FormatCase(
            "one",
            xlam(("get_weather", PARIS)) + " <|EOT|>",
            [("get_weather", PARIS)],
            FC_R + " (decoded with its <|EOT|> token)",
            absent_violations=("text_with_call",),
        ),
        FormatCase(
            "one",
            '{\n  "tool_calls": [\n    {"name": "get_weather", "arguments": {"city": "Paris", "days": 2}}\n  ]\n}',
            [("get_weather", PARIS)],
            FC_R + " (indented)",
        ),
        FormatCase(
            "one",
            '{"tool_calls": [{"name": "get_weather", "arguments": "{\\"city\\": \\"Paris\\"}"}]}',
            [("get_weather", {"city": "Paris"})],
            "xLAM client history (arguments given as a JSON string)",
            violations=("arguments_json_string",),
        ),
        FormatCase(
            "several",
            xlam(("get_weather", PARIS), ("search", SEARCH)),
            [("get_weather", PARIS), ("search", SEARCH)],
            FC_R,
            tools=TOOLS,
            absent_violations=("text_with_call",),
        ),
        FormatCase(
            "several",
            xlam(
                ("get_current_weather", {"city": "Dallas", "state": "TX", "unit": "fahrenheit"}),
                ("get_current_weather", {"city": "Orlando", "state": "FL", "unit": "fahrenheit"}),
                thought="",
            ),
            [
                ("get_current_weather", {"city": "Dallas", "state": "TX", "unit": "fahrenheit"}),
                ("get_current_weather", {"city": "Orlando", "state": "FL", "unit": "fahrenheit"}),
            ],
            CLIENT + " (empty thought)",
        ),
        FormatCase(
            "zero", '{"tool_calls": []}', [], FC_R + " (no call needed)", absent_violations=("empty_call_block",)
        ),
        FormatCase(
            "zero",
            xlam(thought="Which city do you want the forecast for?"),
            [],
            CLIENT + " (no call: the thought is the answer)",
        ),
        FormatCase("zero", "Hello! How can I help you today?", [], FC_R + " (chit-chat in plain text)"),
        FormatCase(
            "reasoning",
            xlam(("get_weather", PARIS), thought="The user wants the Paris forecast, so I call get_weather."),
            [("get_weather", PARIS)],
            CLIENT,
            think="Paris forecast",
            absent_violations=("text_with_call",),
        ),
        FormatCase(
            "reasoning",
            "<think>I'll help you with that.</think>" + xlam(("get_weather", PARIS)),
            [("get_weather", PARIS)],
            VLLM + " (after a <think> block)",
            think="help you",
            absent_violations=("text_with_call",),
        ),
        FormatCase(
            "truncated",
            '{"tool_calls": [{"name": "get_weather", "arguments": {"city": "Par',
            [],
            FC_R + " (cut short)",
            violations=("invalid_json",),
        ),
        FormatCase(
            "prose",
            "I'll help you with that.\n```json\n" + xlam(("get_weather", PARIS)) + "\n```",
            [("get_weather", PARIS)],
            VLLM + " (the object in a json fence)",
            violations=("text_with_call",),
            absent_violations=("unclosed_tag",),
        ),
        FormatCase(
            "prose",
            "Sure, checking now. " + xlam(("get_weather", PARIS)),
            [("get_weather", PARIS)],
            VLLM + " (text before the object)",
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
    check_cases("xlam", CASES["xlam"])


def test_spec() -> None:
    (spec,) = SPECS
    assert spec.name == "xlam" and spec.priority == 55 and spec.markers == ('"tool_calls"',)
    got = rr.parse(spec.example)
    assert got.format == "xlam" and calls_of(got) == [("get_weather", {"city": "Paris"})]
    assert rr.parse(spec.example, format="xlam-7b-fc-r").calls == got.calls


def test_bare_lists_stay_the_json_formats() -> None:
    """xLAM-2's bare list (vLLM's xLAM parser) is read by ``json`` (and ``fence``), never by this parser."""
    bare = '[{"name": "get_weather", "arguments": {"city": "Dallas", "state": "TX"}}]'
    assert parse_xlam(bare) is None
    got = rr.parse(bare)
    assert got.format == "json" and calls_of(got) == [("get_weather", {"city": "Dallas", "state": "TX"})]
    fenced = "I'll help you with that.\n```json\n" + bare + "\n```"
    assert parse_xlam(fenced) is None and rr.parse(fenced).format == "fence"
    hinted = rr.parse(bare, format="xlam")  # the family hint also tries the bare list
    assert hinted.format == "json" and hinted.calls == got.calls


def test_none_unless_an_xlam_object_is_at_the_top() -> None:
    for text in (
        "",
        "no marker",
        'A "tool_calls" key is what xLAM writes.',
        '{"name": "f", "arguments": {"tool_calls": []}}',
        '[{"name": "f", "arguments": {"tool_calls": [1]}}]',
        '{"thought": "only a thought", "other": 1} "tool_calls"',
        '{"name": "f", "arguments": {"tool_calls": [',
        '<tool_call>{"name": "f", "arguments": {}}</tool_call>',
    ):
        assert parse_xlam(text) is None, text


def test_braces_of_prose_before_the_object() -> None:
    text = 'Use {city} and {unit}: {"tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]}'
    got = parse_xlam(text)
    assert got is not None and calls_of(got) == [("get_weather", {"city": "Paris"})]
    assert got.text == "Use {city} and {unit}:" and "text_with_call" in got.violations
    after_json = '{"note": 1}\n{"tool_calls": [{"name": "f", "arguments": {}}]}'
    got = parse_xlam(after_json)
    assert got is not None and calls_of(got) == [("f", {})] and got.text == '{"note": 1}'


def test_object_shapes() -> None:
    single = parse_xlam('{"tool_calls": {"name": "f", "arguments": {"a": 1}}}')
    assert single is not None and calls_of(single) == [("f", {"a": 1})]
    odd = parse_xlam('{"tool_calls": "get_weather"}')
    assert odd is not None and not odd.calls and odd.violations == ("missing_name",) and odd.attempted_call
    bad_item = parse_xlam('{"tool_calls": [{"arguments": {}}, 7]}')
    assert bad_item is not None and calls_of(bad_item) == [("", {})] and "missing_name" in bad_item.violations
    dup = parse_xlam('{"tool_calls": [], "tool_calls": []}')
    assert dup is not None and not dup.attempted_call and dup.violations == ("duplicate_keys",)
    unclosed = parse_xlam('```json\n{"tool_calls": [{"name": "f", "arguments": {}}]}')
    assert unclosed is not None and calls_of(unclosed) == [("f", {})] and unclosed.violations == ("unclosed_tag",)
    after = parse_xlam('{"tool_calls": [{"name": "f", "arguments": {}}]}\nDone.<|im_end|>')
    assert after is not None and after.text == "Done." and after.violations == ("text_with_call",)


def test_repeats_stay_linear() -> None:
    for text in (
        "{" * 100_000 + '"tool_calls"',
        '{"tool_calls": [' * 100_000,
        "{x} " * 100_000 + '{"tool_calls": []}',
        '{"a": 1}' * 100_000 + '"tool_calls"',
        '"tool_calls"' * 100_000,
    ):
        got = parse_xlam(text)
        assert got is None or not got.calls
    nested = parse_xlam('{"tool_calls": [' + "[" * 100_000)
    assert nested is not None and nested.violations in (("invalid_json",), ("nesting_too_deep",))
