"""The ``internlm2`` format: ``<|action_start|><|plugin|>\\n{"name": .., "parameters": {..}}<|action_end|>``.

Texts follow InternLM's chat format document (``chat/chat_format.md``, "Function Call" and "Code Interpreter")
and the vLLM parser tests ``tests/tool_parsers/test_internlm2_tool_parser.py`` (InternLM's template does not ship
in TRL, so nothing is rendered here).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import rlvr_rewards as rr
from rlvr_rewards.parsing import internlm as module
from rlvr_rewards.parsing.internlm import SPECS, parse_internlm2
from rlvr_rewards.plugins import get_plugin_manager, register_plugin, unregister_plugin
from tests.formats.harness import TOOLS, FormatCase, calls_of, check_cases

CHAT_FORMAT = "InternLM chat/chat_format.md (Function Call)"
VLLM = "vLLM tests/tool_parsers/test_internlm2_tool_parser.py"

TOKYO = '<|action_start|><|plugin|>{"name": "get_weather", "parameters": {"city": "Tokyo"}}<|action_end|>'
SHANGHAI = (
    '<|action_start|><|plugin|>\n{"name": "get_current_weather", "parameters": {"location": "Shanghai"}}<|action_end|>'
)
INTERPRETER = (
    "<|action_start|><|interpreter|>\n```python\nimport pandas as pd\ndf = pd.read_csv('data.csv')\n```<|action_end|>"
)

CASES: dict[str, list[FormatCase]] = {
    "internlm2": [
        FormatCase(
            "prose",
            "Sure, I will search for the weather of Shanghai." + SHANGHAI + "<|im_end|>",
            [("get_current_weather", {"location": "Shanghai"})],
            CHAT_FORMAT,
            violations=("text_with_call",),
        ),
        FormatCase("one", SHANGHAI, [("get_current_weather", {"location": "Shanghai"})], CHAT_FORMAT, tools=TOOLS),
        FormatCase("one", TOKYO, [("get_weather", {"city": "Tokyo"})], VLLM, absent_violations=("text_with_call",)),
        FormatCase(
            "one",
            '<|action_start|><|plugin|>{\n  "name": "test_function",\n  "parameters": {\n    "string_field": "hello",\n'
            '    "int_field": 42,\n    "float_field": 3.14,\n    "bool_field": true,\n    "null_field": null,\n'
            '    "array_field": ["a", "b", "c"],\n    "object_field": {"nested": "value"},\n    "empty_array": [],\n'
            '    "empty_object": {}\n  }\n}<|action_end|>',
            [
                (
                    "test_function",
                    {
                        "string_field": "hello",
                        "int_field": 42,
                        "float_field": 3.14,
                        "bool_field": True,
                        "null_field": None,
                        "array_field": ["a", "b", "c"],
                        "object_field": {"nested": "value"},
                        "empty_array": [],
                        "empty_object": {},
                    },
                )
            ],
            VLLM,
            id="various data types",
        ),
        FormatCase(
            "one",
            '<|action_start|><|plugin|>{\n  "name": "test_function",\n  "parameters": {\n'
            '    "quoted": "He said \\"hello\\"",\n    "path": "C:\\\\Users\\\\file.txt",\n'
            '    "newline": "line1\\nline2",\n    "unicode": "emoji: 🎉"\n  }\n}<|action_end|>',
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
            VLLM,
            id="escaped strings",
        ),
        FormatCase(
            "one",
            '<|action_start|><|plugin|>{"name": "refresh", "parameters": {}}<|action_end|>',
            [("refresh", {})],
            VLLM,
            id="empty arguments",
        ),
        FormatCase(
            "prose",
            "Let me check the weather for you. " + TOKYO,
            [("get_weather", {"city": "Tokyo"})],
            VLLM,
            violations=("text_with_call",),
        ),
        FormatCase(
            "several",
            TOKYO + "\n" + SHANGHAI,
            [("get_weather", {"city": "Tokyo"}), ("get_current_weather", {"location": "Shanghai"})],
            CHAT_FORMAT,
            absent_violations=("text_with_call",),
            id="two actions",
        ),
        FormatCase(
            "reasoning",
            "<think>The user wants Tokyo's weather; call get_weather.</think>\n" + TOKYO,
            [("get_weather", {"city": "Tokyo"})],
            CHAT_FORMAT + ", after a <think> block (the dispatcher's reasoning split)",
            think="Tokyo's weather",
        ),
        FormatCase("zero", "This is a regular response without any tool calls.", [], VLLM),
        FormatCase(
            "zero",
            "I have processed the data and visualized it for you.\n\n" + INTERPRETER,
            [],
            "InternLM chat/chat_format.md (Code Interpreter)",
            id="interpreter action only",
        ),
        FormatCase(
            "one",
            '<|action_start|><|plugin|>{"name": "func", "parameters": "not a dict"}<|action_end|>',
            [("func", None)],
            VLLM,
            violations=("arguments_json_string",),
            id="parameters not an object",
        ),
        FormatCase(
            "zero",
            "<|action_start|><|plugin|>not json<|action_end|>",
            [],
            VLLM,
            violations=("invalid_json",),
        ),
        FormatCase(
            "truncated",
            '<|action_start|><|plugin|>{"name": "func", "parameters": {',
            [],
            VLLM,
            violations=("unclosed_tag", "invalid_json"),
        ),
        FormatCase(
            "truncated",
            "<|action_start|><|plugin|>",
            [],
            VLLM,
            violations=("unclosed_tag", "empty_call_block"),
        ),
        FormatCase(
            "truncated",
            '<|action_start|>{"name": "func"}',
            [("func", {})],
            VLLM,
            violations=("unclosed_tag",),
            id="no role token, no end",
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
    check_cases("internlm2", CASES["internlm2"])


@pytest.mark.parametrize("hint", ["internlm", "InternLM2", "internlm2.5", "internlm2_5"])
def test_hints(hint: str) -> None:
    result = rr.parse(TOKYO, format=hint)
    assert result.format == "internlm2" and calls_of(result) == [("get_weather", {"city": "Tokyo"})]


def test_example_is_one_call() -> None:
    (spec,) = SPECS
    result = rr.parse(spec.example)
    assert result.format == spec.name and len(result.calls) == 1


@pytest.mark.parametrize(
    "text",
    [
        "How can I help you today?",
        '<tool_call>\n{"name": "f", "arguments": {"a": 1}}\n</tool_call>',
        '{"name": "f", "parameters": {"a": 1}}',
        "[f(a=1)]",
        "<|plugin|>" + '{"name": "f"}',
        "<|action_end|>",
        INTERPRETER,
        INTERPRETER + INTERPRETER,
    ],
)
def test_other_text_is_not_claimed(text: str) -> None:
    assert parse_internlm2(text) is None


def test_interpreter_code_beside_a_call_is_free_text() -> None:
    result = parse_internlm2(INTERPRETER + TOKYO)
    assert result is not None
    assert calls_of(result) == [("get_weather", {"city": "Tokyo"})]
    assert "pd.read_csv" in result.text and "text_with_call" in result.violations


@pytest.mark.parametrize(
    ("text", "violations", "calls"),
    [
        ("<|action_start|><|plugin|><|action_end|>", {"empty_call_block"}, []),
        ("<|action_end|>" + TOKYO, {"stray_closing_tag"}, [("get_weather", {"city": "Tokyo"})]),
        (
            '<|action_start|><|plugin|>{"name": "f", "arguments": {"a": 1}}<|action_end|>',
            set(),
            [("f", {"a": 1})],
        ),
        (
            '<|action_start|><|plugin|>{"name": "f", "parameters": {"a": 1}, "arguments": {}}<|action_end|>',
            {"both_arguments_and_parameters"},
            [("f", {})],
        ),
        (
            '<|action_start|><|plugin|>{"name": "f", "parameters": {}} and more<|action_end|>',
            {"trailing_garbage"},
            [("f", {})],
        ),
        (TOKYO + "<|im_end|>\n", set(), [("get_weather", {"city": "Tokyo"})]),
    ],
)
def test_edges(text: str, violations: set[str], calls: list[tuple[str, object]]) -> None:
    result = parse_internlm2(text)
    assert result is not None and result.attempted_call and result.format == "internlm2"
    assert violations <= set(result.violations), result
    assert calls_of(result) == calls
    assert "<|im_end|>" not in result.text


@pytest.mark.parametrize(
    "text",
    [
        "<|action_start|>" * 100_000,
        "<|action_start|><|plugin|>" * 100_000,
        "<|action_start|>" + "<|action_end|>" * 100_000,
        TOKYO * 100_000,
        "<|action_start|><|plugin|>{" * 100_000,
        "<|action_start|><|interpreter|>x<|action_end|>" * 100_000 + TOKYO,
    ],
    ids=lambda text: f"{len(text)} chars",
)
def test_repeated_markers_complete(text: str) -> None:
    result = parse_internlm2(text)
    assert result is not None and len(result.calls) <= rr.Limits().max_calls
