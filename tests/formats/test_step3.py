"""StepFun Step-3 ``<steptml:invoke>`` format (``rlvr_rewards/parsing/step3.py``): the shared family cases and
direct tests of the parser.

No chat template of the family ships with TRL, so the texts are written as the sources named in each case
show them:

- SGLang's Step-3 detector tests (``test/srt/function_call`` Step-3 streaming and detector tests): a section
  ``<｜tool_calls_begin｜>\\n``, each call ``<｜tool_call_begin｜>function<｜tool_sep｜><steptml:invoke
  name="NAME">\\n``, one ``<steptml:parameter name="KEY">VALUE</steptml:parameter>\\n`` per argument,
  ``</steptml:invoke><｜tool_call_end｜>\\n``, then ``<｜tool_calls_end｜>`` (``_call`` / ``_param`` there), or
  the same on one line (``_wrap``);
- SGLang ``python/sglang/srt/function_call/step3_detector.py`` (the format in its class docstring);
- vLLM ``tests/tool_parsers/test_step3_tool_parser.py`` (its test outputs, e.g. the whitespace tests with
  ``function<｜tool_sep｜>edit_file\\n`` before the invoke) and vLLM's Step-3 reasoning parser (reasoning is
  everything before ``</think>``; the model never writes ``<think>``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import rlvr_rewards as rr
from rlvr_rewards.limits import Limits
from rlvr_rewards.parsing import step3
from rlvr_rewards.parsing.step3 import CALL_BEGIN, CALL_END, CALLS_BEGIN, CALLS_END, SEP, SPECS, parse_step3
from rlvr_rewards.plugins import get_registry, register_plugin, unregister_plugin
from tests.formats import harness
from tests.formats.harness import FormatCase

SGL_STREAM = "SGLang Step-3 detector streaming tests (_call/_param: one parameter a line)"
SGL_WRAP = "SGLang Step-3 detector tests (_wrap: a call on one line)"
SGL_DOC = "SGLang python/sglang/srt/function_call/step3_detector.py (format in the class docstring)"
VLLM = "vLLM tests/tool_parsers/test_step3_tool_parser.py"
VLLM_REASONING = "vLLM vllm/reasoning/step3_reasoning_parser.py (reasoning ends at </think>)"


@pytest.fixture(scope="module", autouse=True)
def _step3_registered() -> Iterator[None]:
    """The Step-3 parser among the registered formats (registered here until the built-ins list it)."""
    if any(spec.name == "step3" for spec in get_registry().parsers):
        yield
        return
    register_plugin(step3, name="test_step3_parser")
    try:
        yield
    finally:
        unregister_plugin("test_step3_parser")


def _param(name: str, value: str) -> str:
    return f'<steptml:parameter name="{name}">{value}</steptml:parameter>\n'


def _call(name: str, params: str) -> str:
    return f'{CALL_BEGIN}function{SEP}<steptml:invoke name="{name}">\n{params}</steptml:invoke>{CALL_END}\n'


def _section(*calls: str) -> str:
    return CALLS_BEGIN + "\n" + "".join(calls) + CALLS_END


def _wrap(name: str, params: dict[str, str]) -> str:
    inner = "".join(f'<steptml:parameter name="{k}">{v}</steptml:parameter>' for k, v in params.items())
    call = f'{CALL_BEGIN}function{SEP}<steptml:invoke name="{name}">{inner}</steptml:invoke>{CALL_END}'
    return CALLS_BEGIN + call + CALLS_END


GET_TIME = harness.tool("get_time", {"tz": {"type": "string"}})
PING = harness.tool("ping", {})
RUN_CODE = harness.tool("run_code", {"code": {"type": "string"}, "lang": {"type": "string"}})
EDIT_FILE = harness.tool(
    "edit_file", {"old_string": {"type": "string"}, "indent": {"type": "integer"}, "enabled": {"type": "boolean"}}
)
TYPED = harness.tool(
    "test_function",
    {
        "string_field": {"type": "string"},
        "int_field": {"type": "integer"},
        "float_field": {"type": "number"},
        "bool_field": {"type": "boolean"},
        "null_field": {"type": "null"},
        "array_field": {"type": "array"},
        "object_field": {"type": "object"},
    },
)
TOOLS = [*harness.TOOLS, GET_TIME, PING, RUN_CODE, EDIT_FILE, TYPED]

SF_CALL = _call("get_weather", _param("city", "SF") + _param("days", "3"))

CASES: dict[str, list[FormatCase]] = {
    "step3": [
        FormatCase(
            "one",
            _section(SF_CALL),
            [("get_weather", {"city": "SF", "days": 3})],
            SGL_STREAM,
            tools=TOOLS,
            absent_violations=("text_with_call", "trailing_garbage"),
            id="one call",
        ),
        FormatCase(
            "one",
            _wrap(
                "test_function",
                {
                    "string_field": "hello",
                    "int_field": "42",
                    "float_field": "3.14",
                    "bool_field": "true",
                    "null_field": "null",
                    "array_field": '["a", "b", "c"]',
                    "object_field": '{"nested": "value"}',
                },
            ),
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
                    },
                )
            ],
            VLLM + " (various_data_types_output values) in " + SGL_WRAP,
            tools=TOOLS,
            id="every JSON type, typed by the schema",
        ),
        FormatCase(
            "one",
            f"{CALLS_BEGIN}{CALL_BEGIN}function{SEP}edit_file\n"
            '<steptml:invoke name="edit_file">'
            '<steptml:parameter name="old_string">    if x:\n        return 1\n</steptml:parameter>'
            '<steptml:parameter name="indent"> 4 </steptml:parameter>'
            '<steptml:parameter name="enabled"> true </steptml:parameter>'
            f"</steptml:invoke>{CALL_END}{CALLS_END}",
            [("edit_file", {"old_string": "    if x:\n        return 1\n", "indent": 4, "enabled": True})],
            VLLM + " (TestStep3ParameterWhitespace: string values keep their whitespace)",
            tools=TOOLS,
            absent_violations=("trailing_garbage",),
            id="name repeated after the separator, whitespace kept",
        ),
        FormatCase(
            "one",
            _wrap("run_code", {"code": "if a < b: print(a)", "lang": "python"}),
            [("run_code", {"code": "if a < b: print(a)", "lang": "python"})],
            "SGLang Step-3 detector tests (TestStep3DetectorParamValuesWithLt)",
            tools=TOOLS,
            id="value with '<'",
        ),
        FormatCase(
            "one",
            f'{CALLS_BEGIN}\n{CALL_BEGIN}function{SEP}<steptml:invoke name="ping"></steptml:invoke>{CALL_END}\n'
            f"{CALLS_END}",
            [("ping", {})],
            "SGLang Step-3 detector streaming tests (test_detect_and_parse_keeps_call_with_empty_invoke_body)",
            tools=TOOLS,
            id="no parameters",
        ),
        FormatCase(
            "several",
            _section(_call("get_weather", _param("city", "SF")), _call("get_time", _param("tz", "UTC"))),
            [("get_weather", {"city": "SF"}), ("get_time", {"tz": "UTC"})],
            SGL_STREAM + " (test_streaming_two_calls_in_one_increment_keep_their_own_parameters)",
            tools=TOOLS,
            id="two calls",
        ),
        FormatCase(
            "several",
            f"{CALLS_BEGIN}\n"
            f'{CALL_BEGIN}function{SEP}<steptml:invoke name="get_weather">\n'
            '<steptml:parameter name="city">Tokyo</steptml:parameter>\n'
            f"</steptml:invoke>{CALL_END}\n"
            f'{CALL_BEGIN}function{SEP}<steptml:invoke name="search">\n'
            '<steptml:parameter name="query">tokyo weather</steptml:parameter>\n'
            '<steptml:parameter name="limit">5</steptml:parameter>\n'
            '<steptml:parameter name="tags">["news", "weather"]</steptml:parameter>\n'
            f"</steptml:invoke>{CALL_END}\n"
            f"{CALLS_END}",
            [
                ("get_weather", {"city": "Tokyo"}),
                ("search", {"query": "tokyo weather", "limit": 5, "tags": ["news", "weather"]}),
            ],
            SGL_DOC,
            tools=TOOLS,
            id="two different tools",
        ),
        FormatCase(
            "zero",
            "This is a regular response without any tool calls.",
            [],
            VLLM + " (no_tool_calls_output)",
        ),
        FormatCase(
            "zero",
            "The price is 10<｜",
            [],
            SGL_STREAM + " (test_streaming_releases_text_that_looked_like_a_tool_marker)",
        ),
        FormatCase(
            "zero",
            f"{CALLS_BEGIN}\n{CALL_BEGIN}function{SEP}<steptml:invoke",
            [],
            SGL_STREAM + " (a call cut inside its invoke tag)",
            violations=("unclosed_tag",),
            id="cut before the name",
        ),
        FormatCase(
            "reasoning",
            "The user wants the weather in SF for three days, so call get_weather.\n</think>\n\n" + _section(SF_CALL),
            [("get_weather", {"city": "SF", "days": 3})],
            VLLM_REASONING + "; the call as in " + SGL_STREAM,
            think="weather in SF",
            tools=TOOLS,
            absent_violations=("text_with_call",),
        ),
        FormatCase(
            "truncated",
            "Let me check.\n"
            + CALLS_BEGIN
            + "\n"
            + _call("get_weather", _param("city", "SF"))
            + f'{CALL_BEGIN}function{SEP}<steptml:invoke name="get_ti',
            [("get_weather", {"city": "SF"})],
            SGL_STREAM + " (test_truncated_tool_block_is_markup_not_content)",
            violations=("unclosed_tag", "text_with_call"),
            tools=TOOLS,
        ),
        FormatCase(
            "truncated",
            _section(SF_CALL)[: -len(CALLS_END)],
            [("get_weather", {"city": "SF", "days": 3})],
            SGL_STREAM + " (the section end token never written)",
            violations=("unclosed_tag",),
            tools=TOOLS,
            id="no section end",
        ),
        FormatCase(
            "prose",
            "Sure.\n" + _section(SF_CALL) + "\nDone.",
            [("get_weather", {"city": "SF", "days": 3})],
            SGL_STREAM + " (test_streaming_text_call_and_text_in_one_increment)",
            violations=("text_with_call",),
            tools=TOOLS,
        ),
        FormatCase(
            "prose",
            "Let me check the weather for you.\n\n"
            + _wrap("get_weather", {"city": "Tokyo"})
            + "\n\nI'll get that information.",
            [("get_weather", {"city": "Tokyo"})],
            VLLM + " (surrounding_text_output) in " + SGL_WRAP,
            violations=("text_with_call",),
            tools=TOOLS,
        ),
    ]
}


def test_step3_cases() -> None:
    harness.check_cases("step3", CASES["step3"])


# ------------------------------------------------------------------------------------------------------
# Direct tests of the parser
# ------------------------------------------------------------------------------------------------------


def _parse(text: str, limits: Limits | None = None) -> Any:
    result = parse_step3(text, limits)
    assert result is not None
    return result


def _calls(text: str, limits: Limits | None = None) -> list[tuple[str, Any]]:
    return [(c.name, c.arguments) for c in _parse(text, limits).calls]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "plain answer",
        '<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>',
        '[get_weather(city="Paris")]',
        # DeepSeek V3's markers (U+2581 between words) and even Step-3's own markers without a steptml invoke
        "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n```json\n"
        '{"city": "Paris"}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>',
        f"{CALLS_BEGIN}{CALL_BEGIN}function{SEP}get_weather\n```json\n{{}}\n```{CALL_END}{CALLS_END}",
        '<minimax:tool_call><invoke name="a"></invoke></minimax:tool_call>',
    ],
)
def test_other_texts_are_not_claimed(text: str) -> None:
    assert parse_step3(text) is None


def test_values_are_raw_text_marked_untyped() -> None:
    result = _parse(_wrap("f", {"a": " x ", "b": "\n", "c": ""}))
    assert result.untyped
    (call,) = result.calls
    assert call.arguments == {"a": " x ", "b": "\n", "c": ""}
    assert call.untyped == {"a", "b", "c"}


def test_call_type_and_text_before_the_invoke() -> None:
    # another call type (SGLang drops such a call): read, with trailing_garbage
    text = _section(f'{CALL_BEGIN}custom{SEP}<steptml:invoke name="get_weather"></steptml:invoke>{CALL_END}')
    assert _calls(text) == [("get_weather", {})]
    assert "trailing_garbage" in _parse(text).violations
    # the name repeated after the separator is accepted, anything else is not
    ok = _section(
        f'{CALL_BEGIN}function{SEP}get_weather\n<steptml:invoke name="get_weather"></steptml:invoke>{CALL_END}'
    )
    assert _parse(ok).violations == ()
    bad = _section(f'{CALL_BEGIN}function{SEP}other\n<steptml:invoke name="get_weather"></steptml:invoke>{CALL_END}')
    assert "trailing_garbage" in _parse(bad).violations
    # no type at all (vLLM's common test outputs): read
    bare = _section(f'{CALL_BEGIN}<steptml:invoke name="get_weather"></steptml:invoke>{CALL_END}')
    assert _calls(bare) == [("get_weather", {})]


def test_junk_in_the_section() -> None:
    text = CALLS_BEGIN + "hmm" + _call("a", "") + "and" + _call("b", "") + CALLS_END
    assert _calls(text) == [("a", {}), ("b", {})]
    assert "trailing_garbage" in _parse(text).violations
    # an empty call, a call holding only its type
    text = _section(CALL_BEGIN + CALL_END, CALL_BEGIN + "function" + SEP + CALL_END, _call("a", ""))
    assert _calls(text) == [("a", {})]
    assert "empty_call_block" in _parse(text).violations
    # invokes without call markers inside the section are read
    text = _section('<steptml:invoke name="a"></steptml:invoke>')
    assert _calls(text) == [("a", {})]


def test_calls_without_the_section_opening() -> None:
    # vLLM malformed_input_outputs: a call outside any section
    text = f'{CALL_BEGIN}<steptml:invoke name="func"></steptml:invoke>{CALL_END}'
    result = _parse(text)
    assert [(c.name, c.arguments) for c in result.calls] == [("func", {})] and result.attempted_call
    # the section's end without its beginning: stray_closing_tag, the text after it is free text
    text = "Checking. " + _call("a", _param("x", "1")) + CALLS_END + " done"
    result = _parse(text)
    assert [(c.name, c.arguments) for c in result.calls] == [("a", {"x": "1"})]
    assert "stray_closing_tag" in result.violations and result.text == "Checking.\ndone"
    # an invoke with no Step-3 token at all
    assert _calls('<steptml:invoke name="a"><steptml:parameter name="x">1</steptml:parameter></steptml:invoke>') == [
        ("a", {"x": "1"})
    ]


def test_unclosed_tags() -> None:
    # vLLM malformed_input_outputs: a call never closed
    text = f'{CALLS_BEGIN}{CALL_BEGIN}<steptml:invoke name="func">'
    result = _parse(text)
    assert [(c.name, c.arguments) for c in result.calls] == [("func", {})]
    assert "unclosed_tag" in result.violations
    # a value cut short is kept as written
    text = f'{CALLS_BEGIN}{CALL_BEGIN}function{SEP}<steptml:invoke name="a"><steptml:parameter name="x">Par'
    assert _calls(text) == [("a", {"x": "Par"})]
    assert "unclosed_tag" in _parse(text).violations


def test_single_quotes_are_not_step3() -> None:
    text = _section(f"{CALL_BEGIN}function{SEP}<steptml:invoke name='a'></steptml:invoke>{CALL_END}")
    result = _parse(text)
    assert [c.name for c in result.calls] == [""] and "missing_name" in result.violations


def test_max_calls_cap() -> None:
    text = _section(*[_call("a", _param("x", "1"))] * 5)
    result = _parse(text, Limits(max_calls=2))
    assert len(result.calls) == 2 and "too_many_calls" in result.violations


@pytest.mark.parametrize(
    "piece",
    [
        CALLS_BEGIN,
        CALLS_END,
        CALL_BEGIN,
        CALL_END,
        SEP,
        "function",
        '<steptml:invoke name="a">',
        "<steptml:invoke ",
        "</steptml:invoke>",
        '<steptml:parameter name="x">',
        "</steptml:parameter>",
        _call("a", _param("x", "1")),
        "<",
    ],
)
def test_many_repeats_of_a_marker_complete(piece: str) -> None:
    """10^5 copies of each marker (fewer of the longer pieces: about a million characters) end."""
    n = min(100_000, 1_000_000 // len(piece))
    head = '<steptml:invoke name="a">'
    for text in (
        CALLS_BEGIN + head + piece * n,
        piece * n + head,
        head + piece * n + CALLS_END,
        CALLS_BEGIN + CALL_BEGIN + piece * n + head,
    ):
        result = parse_step3(text)
        assert result is not None and result.attempted_call


def test_many_distinct_calls_are_over_budget() -> None:
    text = _section(*[_call(f"f{i}", "") for i in range(20_000)])
    assert _parse(text).violations == ("over_budget",)
    text = "".join(_call(f"f{i}", "") for i in range(20_000))  # no section opening
    assert _parse(text).violations == ("over_budget",)


def test_spec() -> None:
    (spec,) = SPECS
    assert (spec.name, spec.priority) == ("step3", 16)
    assert spec.markers == ("<steptml:invoke",)
    assert _calls(spec.example) == [("get_weather", {"city": "Tokyo"})]
    assert rr.parse(spec.example, format="step-3").format == "step3"
    # the markers are the fullwidth-bar, underscore spelling
    assert CALLS_BEGIN == "<\uff5ctool_calls_begin\uff5c>" and "\u2581" not in CALLS_BEGIN
