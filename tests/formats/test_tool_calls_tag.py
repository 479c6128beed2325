"""The ``tool_calls_tag`` format: Hunyuan A13B and AI21 Jamba, ``<tool_calls>[{..}, ..]</tool_calls>``.

Texts follow the Hunyuan-A13B agent guide (``agent/README.md``: the answer frame ``<think>..</think>
<answer>..</answer>`` and its training examples) and chat template (``tencent/Hunyuan-A13B-Instruct``), and the
vLLM parser tests ``tests/tool_parsers/test_hunyuan_a13b_tool_parser.py`` / ``test_jamba_tool_parser.py``
(neither template ships in TRL, so nothing is rendered here).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import rlvr_rewards as rr
from rlvr_rewards.parsing import tool_calls_tag as module
from rlvr_rewards.parsing.tool_calls_tag import SPECS, parse_tool_calls_tag
from rlvr_rewards.plugins import get_plugin_manager, register_plugin, unregister_plugin
from tests.formats.harness import TOOLS, FormatCase, calls_of, check_cases

HUNYUAN_GUIDE = "Hunyuan-A13B agent guide (agent/README.md) and tencent/Hunyuan-A13B-Instruct chat template"
VLLM_HUNYUAN = "vLLM tests/tool_parsers/test_hunyuan_a13b_tool_parser.py"
VLLM_JAMBA = "vLLM tests/tool_parsers/test_jamba_tool_parser.py"
VLLM_MINIMAX = "vLLM tests/tool_parsers/test_minimax_tool_parser.py (MiniMax-M1: one call object a line)"

SF = {"city": "San Francisco", "metric": "celsius"}
USER = {
    "name": "John Doe",
    "age": 37,
    "address": {"city": "San Francisco", "state": "CA"},
    "role": None,
    "passed_test": True,
    "aliases": ["John", "Johnny"],
}
DALLAS = {"city": "Dallas", "state": "TX", "unit": "fahrenheit"}
ORLANDO = {"city": "Orlando", "state": "FL", "unit": "fahrenheit"}

CASES: dict[str, list[FormatCase]] = {
    "tool_calls_tag": [
        FormatCase(
            "reasoning",
            "<think>\n用户问深圳的天气，需要调用 get_weather。\n</think>\n<answer>\n"
            '<tool_calls>[{"name": "get_weather", "arguments": {"city": "Shenzhen"}}]</tool_calls>\n</answer>',
            [("get_weather", {"city": "Shenzhen"})],
            HUNYUAN_GUIDE,
            think="深圳的天气",
            absent_violations=("text_with_call",),
            id="hunyuan slow think",
        ),
        FormatCase(
            "several",
            '<think>\n\n</think>\n<answer><tool_calls>[{"name": "get_weather", "arguments": {"city": "Beijing"}}, '
            '{"name": "get_weather", "arguments": {"city": "Shanghai"}}]</tool_calls></answer>',
            [("get_weather", {"city": "Beijing"}), ("get_weather", {"city": "Shanghai"})],
            HUNYUAN_GUIDE,
            absent_violations=("text_with_call",),
            id="hunyuan fast think",
        ),
        FormatCase(
            "one",
            '<tool_calls>[{"name": "get_weather", "arguments": {"city": "San Francisco", "metric": "celsius"}}]'
            "</tool_calls>",
            [("get_weather", SF)],
            VLLM_HUNYUAN,
            tools=TOOLS,
            absent_violations=("text_with_call",),
        ),
        FormatCase(
            "several",
            '<tool_calls>[{"name": "get_weather", "arguments": {"city": "San Francisco", "metric": "celsius"}}, '
            '{"name": "register_user", "arguments": {"name": "John Doe", "age": 37, "address": {"city": '
            '"San Francisco", "state": "CA"}, "role": null, "passed_test": true, "aliases": ["John", "Johnny"]}}]'
            "</tool_calls>",
            [("get_weather", SF), ("register_user", USER)],
            VLLM_HUNYUAN,
        ),
        FormatCase(
            "one",
            '<tool_calls>[{"name": "complex_tool", "arguments": {"level1": {"level2": {"level3": {"value": 123}}}}}]'
            "</tool_calls>",
            [("complex_tool", {"level1": {"level2": {"level3": {"value": 123}}}})],
            VLLM_HUNYUAN,
            id="nested arguments",
        ),
        FormatCase(
            "prose",
            'I will call the tool now. <tool_calls>[{"name": "get_weather", "arguments": {"city": "Boston"}}]'
            "</tool_calls>",
            [("get_weather", {"city": "Boston"})],
            VLLM_HUNYUAN,
            violations=("text_with_call",),
        ),
        FormatCase(
            "prose",
            '<tool_calls>[{"name": "get_weather", "arguments": {"city": "Seattle"}}]</tool_calls>\nThank you!',
            [("get_weather", {"city": "Seattle"})],
            VLLM_HUNYUAN,
            violations=("text_with_call",),
        ),
        FormatCase(
            "zero",
            "<think>\n天气结果已经足够回答。\n</think>\n<answer>\n"
            "助手：Beijing and Shanghai have sunny weather.\n</answer>",
            [],
            HUNYUAN_GUIDE,
            think="天气结果",
            id="hunyuan plain answer",
        ),
        FormatCase("zero", "<tool_calls>[]</tool_calls>", [], VLLM_HUNYUAN, violations=("empty_call_block",)),
        FormatCase(
            "truncated",
            '<tool_calls>[{"name": "get_weather", "arguments": {"city": "Bos',
            [],
            VLLM_HUNYUAN,
            violations=("unclosed_tag", "invalid_json"),
        ),
        FormatCase(
            "truncated",
            '<answer>\n<tool_calls>[{"name": "get_weather", "arguments": {"city": "Boston"}}]',
            [("get_weather", {"city": "Boston"})],
            VLLM_HUNYUAN,
            violations=("unclosed_tag",),
            id="cut before </tool_calls>",
        ),
        FormatCase(
            "one",
            ' <tool_calls>[\n    {"name": "get_current_weather", "arguments": {"city": "Dallas", "state": "TX", '
            '"unit": "fahrenheit"}}\n]</tool_calls>',
            [("get_current_weather", DALLAS)],
            VLLM_JAMBA,
            absent_violations=("text_with_call",),
            id="jamba",
        ),
        FormatCase(
            "prose",
            ' Sure! let me call the tool for you.<tool_calls>[\n    {"name": "get_current_weather", "arguments": '
            '{"city": "Dallas", "state": "TX", "unit": "fahrenheit"}}\n]</tool_calls>',
            [("get_current_weather", DALLAS)],
            VLLM_JAMBA,
            violations=("text_with_call",),
            id="jamba",
        ),
        FormatCase(
            "several",
            ' <tool_calls>[\n    {"name": "get_current_weather", "arguments": {"city": "Dallas", "state": "TX", '
            '"unit": "fahrenheit"}},\n    {"name": "get_current_weather", "arguments": {"city": "Orlando", '
            '"state": "FL", "unit": "fahrenheit"}}\n]</tool_calls>',
            [("get_current_weather", DALLAS), ("get_current_weather", ORLANDO)],
            VLLM_JAMBA,
            id="jamba parallel",
        ),
        FormatCase("zero", "This is a test", [], VLLM_JAMBA, id="jamba no tools"),
        FormatCase(
            "several",
            '<tool_calls>\n{"name": "get_current_weather", "arguments": {"city": "Dallas", "state": "TX", "unit": '
            '"fahrenheit"}}\n{"name": "get_current_weather", "arguments": {"city": "Orlando", "state": "FL", '
            '"unit": "fahrenheit"}}\n</tool_calls>',
            [("get_current_weather", DALLAS), ("get_current_weather", ORLANDO)],
            VLLM_MINIMAX,
            id="minimax-m1",
        ),
        FormatCase(
            "reasoning",
            '<think>I should use a tool. <tool_calls>\n{"name": "ignored_tool", "arguments": {"should": "ignore"}}\n'
            "</tool_calls></think>\n\nLet me help you with the weather. <tool_calls>\n"
            '{"name": "get_current_weather", "arguments": {"city": "Miami", "state": "FL", "unit": "fahrenheit"}}\n'
            "</tool_calls>",
            [("get_current_weather", {"city": "Miami", "state": "FL", "unit": "fahrenheit"})],
            VLLM_MINIMAX,
            think="ignored_tool",
            violations=("text_with_call",),
            id="minimax-m1, a call inside the reasoning is no call",
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
    check_cases("tool_calls_tag", CASES["tool_calls_tag"])


@pytest.mark.parametrize("hint", ["hunyuan", "Hunyuan-A13B", "jamba", "minimax-m1", "tool_calls_tag"])
def test_hints(hint: str) -> None:
    result = rr.parse('<tool_calls>[{"name": "f", "arguments": {"a": 1}}]</tool_calls>', format=hint)
    assert result.format == "tool_calls_tag"
    assert calls_of(result) == [("f", {"a": 1})]


def test_example_is_one_call() -> None:
    (spec,) = SPECS
    result = rr.parse(spec.example)
    assert result.format == spec.name and len(result.calls) == 1 and not result.violations


@pytest.mark.parametrize(
    "text",
    [
        "How can I help you today?",
        '<tool_call>\n{"name": "f", "arguments": {"a": 1}}\n</tool_call>',  # Hermes
        '[{"name": "f", "arguments": {"a": 1}}]',  # bare JSON
        "[f(a=1)]",  # pythonic
        "<toolcalls>[]</toolcalls>",
        "",
    ],
)
def test_other_text_is_not_claimed(text: str) -> None:
    assert parse_tool_calls_tag(text) is None


def test_answer_frame_keeps_real_text() -> None:
    result = parse_tool_calls_tag(
        '<answer>\n助手：我来查一下。<tool_calls>[{"name": "f", "arguments": {}}]</tool_calls>\n</answer>'
    )
    assert result is not None
    assert result.text == "助手：我来查一下。"
    assert "text_with_call" in result.violations
    # an <answer> tag inside the free text (not its frame) stays
    inner = parse_tool_calls_tag('see <answer> here <tool_calls>[{"name": "f", "arguments": {}}]</tool_calls>')
    assert inner is not None and inner.text == "see <answer> here"


@pytest.mark.parametrize(
    ("text", "violations", "calls"),
    [
        ("</tool_calls>", {"stray_closing_tag"}, []),
        ("<tool_calls></tool_calls>", {"empty_call_block"}, []),
        ("<tool_calls>not json</tool_calls>", {"invalid_json"}, []),
        ('<tool_calls>[{"arguments": {}}]</tool_calls>', {"missing_name"}, [("", {})]),
        ('<tool_calls>[{"name": "f", "arguments": "x"}]</tool_calls>', {"arguments_json_string"}, [("f", None)]),
        ('<tool_calls>[{"name": "f", "arguments": {}}] junk</tool_calls>', {"trailing_garbage"}, [("f", {})]),
        ('<tool_calls>{"name": "f", "arguments": {"a": 1}}</tool_calls>', set(), [("f", {"a": 1})]),
        (
            '<tool_calls>[{"name": "f", "arguments": {"a": 1}}]</tool_calls>'
            '<tool_calls>[{"name": "g", "arguments": {}}]</tool_calls>',
            set(),
            [("f", {"a": 1}), ("g", {})],
        ),
    ],
)
def test_edges(text: str, violations: set[str], calls: list[tuple[str, object]]) -> None:
    result = parse_tool_calls_tag(text)
    assert result is not None and result.attempted_call and result.format == "tool_calls_tag"
    assert violations <= set(result.violations), result
    assert calls_of(result) == calls


@pytest.mark.parametrize(
    "text",
    [
        "<tool_calls>" * 100_000,
        "</tool_calls>" * 100_000,
        '<tool_calls>[{"name": "f", "arguments": {}}]</tool_calls>' * 100_000,
        "<tool_calls>[{" * 100_000,
        "<answer>" * 100_000 + "<tool_calls>[]</tool_calls>",
    ],
    ids=lambda text: f"{len(text)} chars",
)
def test_repeated_markers_complete(text: str) -> None:
    result = parse_tool_calls_tag(text)
    assert result is not None and len(result.calls) <= rr.Limits().max_calls
