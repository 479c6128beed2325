"""The ``lfm2`` format: Liquid LFM2 / LFM2.5, ``<|tool_call_start|>[f(a=1), g(b='x')]<|tool_call_end|>``.

The assistant turns are rendered at test time with the LFM2 templates TRL ships (``lfm2_v2.jinja``,
``lfm2_2_5.jinja``, ``lfm2_2_5_v2.jinja``, ``lfm2_2_5_vl.jinja``; ``lfm2.jinja`` never renders ``tool_calls``).
Other texts follow the LFM2 model card (``LiquidAI/LFM2-1.2B-Tool``), Liquid's tool-use guide (docs.liquid.ai:
JSON calls when asked) and the vLLM parser ``vllm/tool_parsers/lfm2_tool_parser.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import rlvr_rewards as rr
from rlvr_rewards.parsing import lfm2 as module
from rlvr_rewards.parsing.lfm2 import SPECS, parse_lfm2
from rlvr_rewards.plugins import get_plugin_manager, register_plugin, unregister_plugin
from tests.formats.harness import (
    TOOLS,
    FormatCase,
    calls_of,
    check_cases,
    render_assistant_turn,
    require_trl_templates,
    tool_call,
)

TEMPLATES = ("lfm2_v2.jinja", "lfm2_2_5.jinja", "lfm2_2_5_v2.jinja", "lfm2_2_5_vl.jinja")
require_trl_templates(*TEMPLATES)

PROMPT = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "What's the weather in Paris, and find me rust tutorials?"},
]
PARIS = {"city": "Paris", "days": 2}
SEARCH = {
    "query": "rust async",
    "limit": 5,
    "score": 0.5,
    "exact": True,
    "tags": ["tutorial", "beginner"],
    "filters": {"lang": "en", "safe": True, "region": None},
}
MODEL_CARD = "LFM2 model card (LiquidAI/LFM2-1.2B-Tool): tool use example"
GUIDE = 'docs.liquid.ai Tool Use: "Output function calls as JSON"'
VLLM = "vLLM vllm/tool_parsers/lfm2_tool_parser.py"


def turn(template: str, content: str = "", calls: list[dict[str, Any]] | None = None, **extra: Any) -> str:
    """The assistant turn the ``template`` (TRL's copy) renders, without its ``<|im_end|>``."""
    message: dict[str, Any] = {"role": "assistant", "content": content, **extra}
    if calls is not None:
        message["tool_calls"] = calls
    return render_assistant_turn(template, PROMPT, message, TOOLS, strip=("<|im_end|>",))


def source(template: str) -> str:
    return f"TRL 1.16 trl/chat_templates/{template} (rendered)"


WEATHER_CALL = tool_call("get_weather", PARIS)
SEARCH_CALL = tool_call("search", SEARCH)
ONE = turn("lfm2_v2.jinja", calls=[WEATHER_CALL])
BOTH_25 = turn("lfm2_2_5.jinja", calls=[WEATHER_CALL, SEARCH_CALL])

CASES: dict[str, list[FormatCase]] = {
    "lfm2": [
        FormatCase(
            "one", ONE, [("get_weather", PARIS)], source("lfm2_v2.jinja"), absent_violations=("text_with_call",)
        ),
        FormatCase(
            "several",
            BOTH_25,
            [("get_weather", PARIS), ("search", SEARCH)],
            source("lfm2_2_5.jinja"),
            tools=TOOLS,
            id="Python list repr, JSON object",
        ),
        FormatCase(
            "several",
            turn("lfm2_2_5_vl.jinja", calls=[SEARCH_CALL, WEATHER_CALL]),
            [("search", SEARCH), ("get_weather", PARIS)],
            source("lfm2_2_5_vl.jinja"),
            id="JSON list and object",
        ),
        FormatCase(
            "several",
            turn(
                "lfm2_v2.jinja",
                calls=[tool_call("search", {"query": 'it\'s "quoted"\nnext line', "tags": [True, None]})],
            ),
            [("search", {"query": 'it\'s "quoted"\nnext line', "tags": [True, None]})],
            source("lfm2_v2.jinja"),
            id="escaped string",
        ),
        FormatCase(
            "prose",
            turn("lfm2_v2.jinja", "Let me check the weather first.", [WEATHER_CALL]),
            [("get_weather", PARIS)],
            source("lfm2_v2.jinja"),
            violations=("text_with_call",),
        ),
        FormatCase(
            "prose",
            '<|tool_call_start|>[get_candidate_status(candidate_id="12345")]<|tool_call_end|>'
            "Checking the current status of candidate ID 12345.",
            [("get_candidate_status", {"candidate_id": "12345"})],
            MODEL_CARD,
            violations=("text_with_call",),
        ),
        FormatCase(
            "prose",
            '<|tool_call_start|>[get_weather(location="Paris")]<|tool_call_end|>[get_weather(location="Paris")]'
            "<|tool_call_end|>",
            [("get_weather", {"location": "Paris"})],
            VLLM + " (the echo of the call after the end token)",
            violations=("stray_closing_tag", "text_with_call"),
            id="echo",
        ),
        FormatCase(
            "reasoning",
            turn("lfm2_2_5_v2.jinja", calls=[WEATHER_CALL], thinking="The user wants the Paris forecast."),
            [("get_weather", PARIS)],
            source("lfm2_2_5_v2.jinja"),
            think="Paris forecast",
        ),
        FormatCase(
            "one",
            '<|tool_call_start|>[{"name": "get_candidate_status", "arguments": {"candidate_id": "12345"}}]'
            "<|tool_call_end|>",
            [("get_candidate_status", {"candidate_id": "12345"})],
            GUIDE,
            id="JSON calls",
        ),
        FormatCase(
            "zero",
            turn("lfm2_2_5.jinja", "The weather in Paris is sunny, 22 degrees."),
            [],
            source("lfm2_2_5.jinja"),
            id="plain answer",
        ),
        FormatCase("zero", "<|tool_call_start|>[]<|tool_call_end|>", [], VLLM, violations=("empty_call_block",)),
        FormatCase(
            "truncated",
            BOTH_25[: BOTH_25.index("score=")],
            [],
            source("lfm2_2_5.jinja") + ", cut",
            violations=("unclosed_tag", "pythonic_not_call"),
        ),
        FormatCase(
            "truncated",
            ONE[: -len("<|tool_call_end|>")],
            [("get_weather", PARIS)],
            source("lfm2_v2.jinja") + ", cut before <|tool_call_end|>",
            violations=("unclosed_tag",),
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
    assert ONE == "<|tool_call_start|>[get_weather(city='Paris', days=2)]<|tool_call_end|>"
    assert "exact=True" in BOTH_25 and '"safe": true' in BOTH_25  # Python bool at the top, JSON inside


def test_cases() -> None:
    check_cases("lfm2", CASES["lfm2"])


@pytest.mark.parametrize("hint", ["lfm2", "LFM2.5", "lfm", "liquid"])
def test_hints(hint: str) -> None:
    result = rr.parse(ONE, format=hint)
    assert result.format == "lfm2" and calls_of(result) == [("get_weather", PARIS)]


def test_example_is_one_call() -> None:
    (spec,) = SPECS
    result = rr.parse(spec.example)
    assert result.format == spec.name and len(result.calls) == 1 and not result.violations


def test_unescaped_quote_of_the_lfm2_5_template_is_not_read() -> None:
    """``lfm2_2_5.jinja`` writes a string as ``'`` + value + ``'`` without escaping: a value with an apostrophe
    is not Python, so no call is read from it (the v2 / VL templates escape it)."""
    text = turn("lfm2_2_5.jinja", calls=[tool_call("search", {"query": "it's"})])
    assert text == "<|tool_call_start|>[search(query='it's')]<|tool_call_end|>"
    result = parse_lfm2(text)
    assert result is not None and result.calls == () and "pythonic_not_call" in result.violations


@pytest.mark.parametrize(
    "text",
    [
        "How can I help you today?",
        '<tool_call>\n{"name": "f", "arguments": {"a": 1}}\n</tool_call>',
        "[f(a=1)]",
        '[{"name": "f", "arguments": {}}]',
        "List of tools: <|tool_list_start|>[]<|tool_list_end|>",
        "<|tool_response_start|>22<|tool_response_end|>",
    ],
)
def test_other_text_is_not_claimed(text: str) -> None:
    assert parse_lfm2(text) is None


@pytest.mark.parametrize(
    ("text", "violations", "calls"),
    [
        ("<|tool_call_end|>", {"stray_closing_tag"}, []),
        ("<|tool_call_start|><|tool_call_end|>", {"empty_call_block"}, []),
        ("<|tool_call_start|>get_weather(city='Paris')<|tool_call_end|>", set(), [("get_weather", {"city": "Paris"})]),
        ("<|tool_call_start|>get the weather<|tool_call_end|>", {"pythonic_not_call"}, []),
        # a bare name is the string it spells, as BFCL's decoder reads it (flagged)
        (
            "<|tool_call_start|>[get_weather(city=x)]<|tool_call_end|>",
            {"pythonic_bare_name"},
            [("get_weather", {"city": "x"})],
        ),
        ("<|tool_call_start|>[get_weather(city=x.y)]<|tool_call_end|>", {"pythonic_not_call"}, [("get_weather", None)]),
        ("<|tool_call_start|>[f(a=null, b='null')]<|tool_call_end|>", set(), [("f", {"a": None, "b": "null"})]),
        ('<|tool_call_start|>{"name": "f", "arguments": {"a": 1}}<|tool_call_end|>', set(), [("f", {"a": 1})]),
        ('<|tool_call_start|>[{"name": "f"}] x<|tool_call_end|>', {"trailing_garbage"}, [("f", {})]),
        ('<|tool_call_start|>[{"name": "f", "argu<|tool_call_end|>', {"invalid_json"}, []),
        (
            "<|tool_call_start|>[f()]<|tool_call_end|> then <|tool_call_start|>[g(x=1)]<|tool_call_end|>",
            {"text_with_call"},
            [("f", {}), ("g", {"x": 1})],
        ),
    ],
)
def test_edges(text: str, violations: set[str], calls: list[tuple[str, object]]) -> None:
    result = parse_lfm2(text)
    assert result is not None and result.attempted_call and result.format == "lfm2"
    assert violations <= set(result.violations), result
    assert calls_of(result) == calls


@pytest.mark.parametrize(
    "text",
    [
        "<|tool_call_start|>" * 100_000,
        "<|tool_call_end|>" * 100_000,
        ONE * 100_000,
        "<|tool_call_start|>[f(" * 100_000,
        "<|tool_call_start|>[f(a=[" + "null, " * 30_000 + "])]<|tool_call_end|>",
        "<|tool_call_start|>[" + "f(a=1), " * 20_000 + "]<|tool_call_end|>",
    ],
    ids=lambda text: f"{len(text)} chars",
)
def test_repeated_markers_complete(text: str) -> None:
    result = parse_lfm2(text)
    assert result is not None and len(result.calls) <= rr.Limits().max_calls
