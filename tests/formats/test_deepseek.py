"""DeepSeek tool-call formats: ``deepseek`` (V3 / V3.1 special tokens) and ``deepseek_dsml`` (V3.2 / V4 / V4.1).

V3 turns are rendered at test time with TRL's own ``deepseekv3.jinja``; V3.1 texts follow DeepSeek-V3.1's chat
template and the vLLM ``test_deepseekv31_tool_parser.py`` outputs; DSML texts are written as DeepSeek's
``encoding_dsv32.py`` / ``encoding_dsv4.py`` encoders lay them out (:func:`_dsml` below) and as the vLLM
``test_deepseekv32_tool_parser.py`` / ``test_deepseekv4_tool_parser.py`` outputs show.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

import rlvr_rewards as rr
from rlvr_rewards.limits import Limits
from rlvr_rewards.parsing import deepseek
from rlvr_rewards.parsing.deepseek import (
    CALL_BEGIN,
    CALL_END,
    CALLS_BEGIN,
    CALLS_END,
    DSML,
    EOS,
    SEP,
    parse_deepseek,
    parse_deepseek_dsml,
)
from tests.formats import harness
from tests.formats.harness import TOOLS, FormatCase

TRL_V3 = "TRL 1.16 trl/chat_templates/deepseekv3.jinja (rendered)"
V31 = "DeepSeek-V3.1 chat template; vLLM tests/tool_parsers/test_deepseekv31_tool_parser.py"
VLLM_V3 = "vLLM tests/tool_parsers/test_deepseekv3_tool_parser.py"
DSV32 = "DeepSeek-V3.2 encoding/encoding_dsv32.py; vLLM tests/tool_parsers/test_deepseekv32_tool_parser.py"
DSV4 = "DeepSeek-V4 encoding/encoding_dsv4.py; vLLM tests/tool_parsers/test_deepseekv4_tool_parser.py"
DSV41 = "DeepSeek-V4.1 encoding (leading-space DSML tag names)"
SGLANG_V32 = "SGLang python/sglang/srt/function_call/deepseekv32_detector.py (JSON invoke body)"
ASSISTANT = "<｜Assistant｜>"
LONG = Limits(max_chars=10**8)


@pytest.fixture(scope="module", autouse=True)
def _registered() -> Iterator[None]:
    """The DeepSeek parsers in the registry (until they are among the default plugins)."""
    from rlvr_rewards.plugins import get_registry, register_plugin, unregister_plugin

    if "deepseek" in {spec.name for spec in get_registry().parsers}:
        yield
        return
    register_plugin(deepseek, name="tests-deepseek")
    yield
    unregister_plugin("tests-deepseek")


# --------------------------------------------------------------------------------------------------
# Texts
# --------------------------------------------------------------------------------------------------


def v3_turn(calls: list[tuple[str, dict[str, Any]]], content: str | None = None) -> str:
    """The assistant turn TRL's deepseekv3.jinja renders for these calls (after ``<｜Assistant｜>``, without the
    end-of-sentence token a trainer decodes without)."""
    messages = [
        {"role": "user", "content": "What is the weather in Paris?"},
        {
            "role": "assistant",
            "content": content,
            "tool_calls": [harness.tool_call(name, args, as_string=True) for name, args in calls],
        },
    ]
    whole = harness.render_with_trl_template("deepseekv3.jinja", messages)
    turn = whole[whole.rindex(ASSISTANT) + len(ASSISTANT) :]
    return turn.removesuffix(EOS)


def v31_call(name: str, args: str) -> str:
    return f"{CALL_BEGIN}{name}{SEP}{args}{CALL_END}"


def _dsml(
    calls: list[tuple[str, dict[str, Any]]], block: str = "function_calls", space: str = "", content: str = ""
) -> str:
    """An assistant turn as DeepSeek's DSML encoders write it: the content, a blank line, the wrapper, one invoke
    a call, one parameter a line (``string="true"`` and the text for a string, else ``string="false"`` and
    JSON)."""
    tag = f"{DSML}{space}"
    invokes = []
    for name, args in calls:
        params = "\n".join(
            f'<{tag}parameter name="{key}" string="{"true" if isinstance(value, str) else "false"}">'
            f"{value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)}</{tag}parameter>"
            for key, value in args.items()
        )
        invokes.append(f'<{tag}invoke name="{name}">\n{params}\n</{tag}invoke>')
    return f"{content}\n\n<{tag}{block}>\n" + "\n".join(invokes) + f"\n</{tag}{block}>"


WEATHER_PARIS = ("get_weather", {"city": "Paris", "unit": "celsius"})
SEARCH_ARGS = {
    "query": "hotels in Tokyo",
    "limit": 5,
    "exact": True,
    "tags": ["cheap", "central"],
    "filters": {"stars": 4},
}


FOO = v31_call("foo", '{"x":1}')
BAR = v31_call("bar", '{"y":2}')


def _truncate(text: str, marker: str) -> str:
    """``text`` cut just after ``marker`` (the generation stopped there)."""
    return text[: text.index(marker) + len(marker)]


def deepseek_cases() -> list[FormatCase]:
    one = v3_turn([WEATHER_PARIS])
    two = v3_turn([WEATHER_PARIS, ("search", {"query": "museums in Paris", "limit": 3})])
    return [
        FormatCase("one", one, [WEATHER_PARIS], TRL_V3, id="v3 rendered", absent_violations=("text_with_call",)),
        FormatCase(
            "several", two, [WEATHER_PARIS, ("search", {"query": "museums in Paris", "limit": 3})], TRL_V3, id="v3 two"
        ),
        FormatCase(
            "prose",
            v3_turn([WEATHER_PARIS], content="Let me check the weather for you."),
            [WEATHER_PARIS],
            TRL_V3,
            violations=("text_with_call",),
            id="v3 content before the calls",
        ),
        FormatCase(
            "reasoning",
            "The user wants the weather in Paris, in celsius.\n</think>\n\n" + one,
            [WEATHER_PARIS],
            TRL_V3,
            think="weather in Paris",
            id="v3 after the template's <think> prompt",
        ),
        FormatCase(
            "truncated",
            _truncate(one, '"city": "Par'),
            [("get_weather", None)],
            TRL_V3,
            violations=("unclosed_tag", "invalid_json"),
            id="v3 cut inside the JSON",
        ),
        FormatCase(
            "zero", "How can I help you today? I can check weather for you.", [], VLLM_V3, id="no call (vLLM no_tool)"
        ),
        FormatCase(
            "one",
            f"{CALLS_BEGIN}{CALL_BEGIN}function{SEP}get_current_time\n```json\n{{}}\n```{CALL_END}{CALLS_END}",
            [("get_current_time", {})],
            VLLM_V3,
            id="v3 empty arguments",
        ),
        FormatCase(
            "one",
            f"{CALLS_BEGIN}{CALL_BEGIN}function{SEP}test_function\n```json\n"
            '{"string_field": "hello", "int_field": 42, "float_field": 3.14, "bool_field": true, "null_field": null, '
            '"array_field": ["a", "b", "c"], "object_field": {"nested": "value"}, '
            '"empty_array": [], "empty_object": {}}'
            f"\n```{CALL_END}{CALLS_END}",
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
            VLLM_V3,
            id="v3 every JSON type",
        ),
        FormatCase(
            "zero",
            f'{CALLS_BEGIN}function{SEP}get_weather\n```json\n{{"city": "Tokyo"}}\n```{CALLS_END}',
            [],
            VLLM_V3,
            violations=("empty_call_block",),
            id="v3 section without call markers (vLLM malformed)",
        ),
        FormatCase(
            "one",
            f"{CALLS_BEGIN}{v31_call('get_weather', json.dumps(WEATHER_PARIS[1]))}{CALLS_END}",
            [WEATHER_PARIS],
            V31,
            id="v3.1",
        ),
        FormatCase(
            "several",
            "some prefix text" + CALLS_BEGIN + FOO + BAR + CALLS_END + " some suffix text",
            [("foo", {"x": 1}), ("bar", {"y": 2})],
            V31,
            violations=("text_with_call",),
            id="v3.1 two calls, text around",
        ),
        FormatCase(
            "truncated",
            f"Let me look that up.{CALLS_BEGIN}get_weather",
            [],
            V31,
            violations=("unclosed_tag", "empty_call_block"),
            id="v3.1 cut after the section marker",
        ),
        FormatCase(
            "truncated",
            CALLS_BEGIN + FOO + CALL_BEGIN + "bar" + SEP + '{"y": ',
            [("foo", {"x": 1}), ("bar", None)],
            V31,
            violations=("unclosed_tag", "invalid_json"),
            id="v3.1 second call cut",
        ),
        FormatCase(
            "one",
            f"{CALLS_BEGIN}{v31_call('foo', json.dumps(json.dumps({'x': 1})))}{CALLS_END}",
            [("foo", {"x": 1})],
            "SGLang examples/chat_template/tool_chat_template_deepseekv31.jinja (arguments|tojson)",
            violations=("arguments_json_string",),
            id="v3.1 arguments as a JSON string",
        ),
    ]


def dsml_cases() -> list[FormatCase]:
    weather = ("get_weather", {"city": "Paris", "unit": "celsius", "days": 3})
    search = ("search", SEARCH_ARGS)
    one = _dsml([weather])
    return [
        FormatCase("one", one, [weather], DSV32, tools=TOOLS, id="v3.2", absent_violations=("text_with_call",)),
        FormatCase("several", _dsml([weather, search]), [weather, search], DSV32, tools=TOOLS, id="v3.2 two typed"),
        FormatCase("one", _dsml([search], block="tool_calls"), [search], DSV4, tools=TOOLS, id="v4 tool_calls"),
        FormatCase(
            "several",
            _dsml([("lookup", {"query": "first"}), ("lookup", {"query": "second"})], block="calls", space=" "),
            [("lookup", {"query": "first"}), ("lookup", {"query": "second"})],
            DSV41,
            id="v4.1 spaced tags",
        ),
        FormatCase(
            "prose",
            _dsml([weather], content="Sure, let me check!"),
            [weather],
            DSV32,
            tools=TOOLS,
            violations=("text_with_call",),
            id="content before",
        ),
        FormatCase(
            "reasoning",
            "I need the weather for Paris over three days.</think>" + _dsml([weather], block="tool_calls"),
            [weather],
            DSV4,
            tools=TOOLS,
            think="three days",
            id="v4 thinking mode",
        ),
        FormatCase(
            "truncated",
            _truncate(_dsml([weather, search]), "hotels in"),
            [weather, ("search", {"query": "hotels in"})],
            DSV32,
            tools=TOOLS,
            violations=("unclosed_tag",),
            id="cut inside a parameter",
        ),
        FormatCase(
            "truncated",
            _truncate(one, '<｜DSML｜invoke name="get_we'),
            [],
            DSV32,
            violations=("unclosed_tag",),
            id="cut inside the invoke tag",
        ),
        FormatCase("zero", "just some text", [], DSV32, id="no call"),
        FormatCase(
            "zero",
            f"<{DSML}function_calls>\n</{DSML}function_calls>",
            [],
            DSV32,
            violations=("empty_call_block",),
            id="empty wrapper",
        ),
        FormatCase(
            "one",
            f'<{DSML}function_calls>\n<{DSML}invoke name="get_time">\n</{DSML}invoke>\n</{DSML}function_calls>',
            [("get_time", {})],
            DSV32,
            id="no parameters",
        ),
        FormatCase(
            "one",
            f'<{DSML}function_calls>\n<{DSML}invoke name="toggle">\n'
            f'<{DSML}parameter name="enabled" string="false">true</{DSML}parameter>\n'
            f'<{DSML}parameter name="count" string="false">42</{DSML}parameter>\n'
            f"</{DSML}invoke>\n</{DSML}function_calls>",
            [("toggle", {"enabled": True, "count": 42})],
            DSV32,
            id="string=false JSON values",
        ),
        FormatCase(
            "one",
            f'<{DSML}function_calls>\n<{DSML}invoke name="get_weather">\n{{"city": "Paris"}}\n'
            f"</{DSML}invoke>\n</{DSML}function_calls>",
            [("get_weather", {"city": "Paris"})],
            SGLANG_V32,
            id="JSON body",
        ),
        FormatCase(
            "one",
            f'<{DSML}function_calls>\n<{DSML}invoke name="get_weather">\n'
            f'<{DSML}parameter name="days" string="false">three</{DSML}parameter>\n'
            f"</{DSML}invoke>\n</{DSML}function_calls>",
            [("get_weather", {"days": "three"})],
            DSV32,
            tools=TOOLS,
            violations=("invalid_json",),
            id="string=false value not JSON",
        ),
    ]


CASES: dict[str, list[FormatCase]] = {"deepseek": deepseek_cases(), "deepseek_dsml": dsml_cases()}


# --------------------------------------------------------------------------------------------------
# The shared checks
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("spec_name", sorted(CASES))
def test_cases(spec_name: str) -> None:
    harness.check_cases(spec_name, CASES[spec_name])


def test_v3_render_is_the_documented_layout() -> None:
    """TRL's template writes exactly the V3 layout the parser reads (type, separator, name, fenced JSON)."""
    turn = v3_turn([WEATHER_PARIS])
    assert turn == (
        f"{CALLS_BEGIN}{CALL_BEGIN}function{SEP}get_weather\n```json\n"
        f"{json.dumps(WEATHER_PARIS[1])}\n```{CALL_END}{CALLS_END}"
    )


@pytest.mark.parametrize("spec", deepseek.SPECS, ids=lambda s: s.name)
def test_spec_example_and_markers(spec: Any) -> None:
    result = rr.parse(spec.example, format=spec.name)
    assert len(result.calls) == 1 and result.format == spec.name
    assert not result.violations
    for case in CASES[spec.name]:
        if spec.parse(case.text) is not None:
            assert any(m in case.text for m in spec.markers), case.id


@pytest.mark.parametrize(
    ("alias", "text", "fmt"),
    [
        ("deepseek-v3", v3_turn([WEATHER_PARIS]), "deepseek"),
        ("DeepSeek-V3.1", f"{CALLS_BEGIN}{v31_call('f', '{}')}{CALLS_END}", "deepseek"),
        ("deepseek-v3.2", _dsml([WEATHER_PARIS]), "deepseek_dsml"),
        ("deepseek_v4", _dsml([WEATHER_PARIS], block="tool_calls"), "deepseek_dsml"),
        ("deepseek-v4.1", _dsml([WEATHER_PARIS], block="calls", space=" "), "deepseek_dsml"),
    ],
)
def test_aliases(alias: str, text: str, fmt: str) -> None:
    result = rr.parse(text, format=alias)
    assert result.format == fmt and len(result.calls) == 1


# --------------------------------------------------------------------------------------------------
# The parser functions directly
# --------------------------------------------------------------------------------------------------

OTHER_FORMATS = [
    '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>',
    '[get_weather(city="Paris")]',
    '{"name": "get_weather", "arguments": {"city": "Paris"}}',
    '[TOOL_CALLS][{"name": "get_weather", "arguments": {"city": "Paris"}}]',
    '<|python_tag|>{"name": "get_weather", "parameters": {"city": "Paris"}}',
    "<|tool_calls_section_begin|><|tool_call_begin|>functions.get_weather:0<|tool_call_argument_begin|>{}"
    "<|tool_call_end|><|tool_calls_section_end|>",
    '<function_calls>\n<invoke name="get_weather">\n<parameter name="city">Paris</parameter>\n</invoke>\n'
    "</function_calls>",
    "The ｜ bar and the ▁ block are plain characters; <｜tool is not a marker, nor is ｜DSMLish.",
    "",
]


@pytest.mark.parametrize("text", OTHER_FORMATS)
def test_other_formats_are_not_claimed(text: str) -> None:
    assert parse_deepseek(text) is None
    assert parse_deepseek_dsml(text) is None


def test_dsml_token_outside_a_tag_is_text() -> None:
    assert parse_deepseek_dsml(f"the {DSML} token and <{DSML}unknown> tag") is None


@pytest.mark.parametrize(
    ("text", "calls", "violations"),
    [
        (f"{CALLS_BEGIN}{CALL_BEGIN}{CALL_END}{CALLS_END}", [], {"empty_call_block"}),
        (f"{CALLS_BEGIN}{CALLS_END}", [], {"empty_call_block"}),
        (f"{CALLS_BEGIN}{CALL_BEGIN}get_weather{CALL_END}{CALLS_END}", [], {"missing_name"}),
        (f"{CALLS_BEGIN}{v31_call('', '{}')}{CALLS_END}", [("", {})], {"missing_name"}),
        (f"{CALLS_BEGIN}{v31_call('f', '[1]')}{CALLS_END}", [("f", None)], {"arguments_not_object"}),
        (f"{CALLS_BEGIN}{v31_call('f', '{} junk')}{CALLS_END}", [("f", {})], {"trailing_garbage"}),
        (f"{CALLS_BEGIN}{v31_call('f', '{}')}{CALLS_END}{CALLS_END}", [("f", {})], {"stray_closing_tag"}),
        (f"{CALL_END}{CALLS_BEGIN}{v31_call('f', '{}')}{CALLS_END}", [("f", {})], {"stray_closing_tag"}),
        (f"{CALLS_BEGIN}{CALL_BEGIN}f{SEP}{{}}{CALLS_END}", [("f", {})], {"unclosed_tag"}),
        (f"{CALLS_BEGIN}{v31_call('f', '{}')}", [("f", {})], {"unclosed_tag"}),
        (
            f"{CALLS_BEGIN}{v31_call('f', '{}')}{CALLS_BEGIN}{CALLS_END}",
            [("f", {})],
            {"unclosed_tag", "empty_call_block"},
        ),
        (f"{v31_call('f', '{}')}", [("f", {})], set()),  # no section markers: read, as vLLM's V3 parser does
        (
            f'{CALLS_BEGIN}{CALL_BEGIN}function{SEP}f\n```json\n{{"a": 1}}{CALL_END}{CALLS_END}',
            [("f", {"a": 1})],
            {"unclosed_tag"},
        ),
        (f'{CALLS_BEGIN}{CALL_BEGIN}function{SEP}f\n{{"a": 1}}{CALL_END}{CALLS_END}', [("f", {"a": 1})], set()),
        (f"{CALLS_BEGIN}{v31_call('f', '{}')}{CALLS_END}{EOS}", [("f", {})], set()),
        (CALLS_BEGIN + v31_call("f", '{"a": 1, "a": 2}') + CALLS_END, [("f", {"a": 2})], {"duplicate_keys"}),
    ],
)
def test_deepseek_edges(text: str, calls: list[Any], violations: set[str]) -> None:
    result = parse_deepseek(text)
    assert result is not None and result.attempted_call
    assert harness.calls_of(result) == calls
    assert set(result.violations) == violations, result


def _param(key: str, value: str, string: str = "true") -> str:
    return f'<{DSML}parameter name="{key}" string="{string}">{value}</{DSML}parameter>'


def _wrap(body: str) -> str:
    return f"<{DSML}function_calls>\n{body}\n</{DSML}function_calls>"


@pytest.mark.parametrize(
    ("text", "calls", "violations"),
    [
        (
            _wrap(f'<{DSML}invoke name="f">\n{_param("a", " two  spaces ")}\n</{DSML}invoke>'),
            [("f", {"a": " two  spaces "})],
            set(),
        ),
        (
            _wrap(f'<{DSML}invoke name="f">\n{_param("a", "x")}\n{_param("a", "y")}\n</{DSML}invoke>'),
            [("f", {"a": "y"})],
            {"duplicate_keys"},
        ),
        (
            _wrap(f'<{DSML}invoke name="f">\n{_param("a", "<b>x</b>")}\n</{DSML}invoke>'),
            [("f", {"a": "<b>x</b>"})],
            set(),
        ),
        (
            _wrap(f'<{DSML}invoke name="f">\nchatter\n{_param("a", "x")}\n</{DSML}invoke>'),
            [("f", {"a": "x"})],
            {"trailing_garbage"},
        ),
        (_wrap(f'<{DSML}invoke name="">\n{_param("a", "x")}\n</{DSML}invoke>'), [("", {"a": "x"})], {"missing_name"}),
        (_wrap(f"<{DSML}invoke>\n{_param('a', 'x')}\n</{DSML}invoke>"), [("", {"a": "x"})], {"missing_name"}),
        (
            _wrap(f'<{DSML}invoke name="f">\n<{DSML}parameter string="true">x</{DSML}parameter>\n</{DSML}invoke>'),
            [("f", {})],
            {"missing_name"},
        ),
        (
            _wrap(f'<{DSML}invoke name="f">\n{_param("a", "x")}\n</{DSML}parameter>\n</{DSML}invoke>'),
            [("f", {"a": "x"})],
            {"stray_closing_tag"},
        ),
        (
            _wrap(f'<{DSML}invoke name="f">\n<{DSML}parameter name="a" string="true">x\n</{DSML}invoke>'),
            [("f", {"a": "x\n"})],
            {"unclosed_tag"},
        ),
        (_wrap(f'<{DSML}invoke name="f">\n{_param("a", "x")}'), [("f", {"a": "x"})], {"unclosed_tag"}),
        (
            _wrap(f'<{DSML}invoke name="f">\n{_param("a", "[1, 2", "false")}\n</{DSML}invoke>'),
            [("f", {"a": "[1, 2"})],
            {"invalid_json"},
        ),
        (
            _wrap(f'<{DSML}invoke name="f">\n{_param("a", "null", "false")}\n</{DSML}invoke>'),
            [("f", {"a": None})],
            set(),
        ),
        (_wrap(f'<{DSML}invoke name="f">\nloose words\n</{DSML}invoke>'), [("f", {})], {"trailing_garbage"}),
        (_wrap(f'<{DSML}invoke name="f">\n[1]\n</{DSML}invoke>'), [("f", {})], {"trailing_garbage"}),
        (_wrap(f'<{DSML}invoke name="f">\n{{"a": 1,}}\n</{DSML}invoke>'), [("f", None)], {"invalid_json"}),
        (_wrap(f"{_param('a', 'x')}"), [("", {"a": "x"})], {"missing_name", "unclosed_tag"}),
        (_wrap(f"</{DSML}invoke>"), [], {"stray_closing_tag", "empty_call_block"}),
        (_wrap(f"</{DSML}parameter>"), [], {"stray_closing_tag", "empty_call_block"}),
        (f'<{DSML}invoke name="f">\n</{DSML}invoke>', [("f", {})], set()),  # no wrapper: read
        (f'<{DSML}invoke name="f">\n</{DSML}invoke>\n</{DSML}function_calls>', [("f", {})], {"stray_closing_tag"}),
        (f'<{DSML}function_calls>\n<{DSML}invoke name="f">\n</{DSML}invoke>', [("f", {})], {"unclosed_tag"}),
        (
            f'<{DSML}function_calls>\n<{DSML}invoke name="f">\n<{DSML}function_calls>\n</{DSML}function_calls>',
            [("f", {})],
            {"unclosed_tag", "empty_call_block"},
        ),
        (_wrap(f'<{DSML}invoke name="f">\n</{DSML}invoke>') + EOS, [("f", {})], set()),
        (_wrap(f'<{DSML}invoke name="f">\n</{DSML}invoke') + "\n", [("f", {})], {"unclosed_tag"}),
    ],
)
def test_dsml_edges(text: str, calls: list[Any], violations: set[str]) -> None:
    result = parse_deepseek_dsml(text)
    assert result is not None and result.attempted_call
    assert harness.calls_of(result) == calls
    assert set(result.violations) == violations, result


def test_dsml_values_are_untyped_text_until_scored() -> None:
    """``string="true"`` values are raw text (typed by the schema when scored); JSON values are typed already."""
    text = _wrap(
        f'<{DSML}invoke name="get_weather">\n{_param("city", "Paris")}\n{_param("days", "3", "false")}\n</{DSML}invoke>'
    )
    result = parse_deepseek_dsml(text)
    assert result is not None and result.untyped
    assert result.calls[0].untyped == frozenset({"city"})
    assert result.calls[0].arguments == {"city": "Paris", "days": 3}


# --------------------------------------------------------------------------------------------------
# Linear time and repeated blocks (no wall-clock asserts: these complete, and quickly)
# --------------------------------------------------------------------------------------------------

_MANY = 100_000
#: Copies of one whole call block (each a few times longer than a marker).
_COPIES = 20_000

DEEPSEEK_PIECES = [CALLS_BEGIN, CALLS_END, CALL_BEGIN, CALL_END, SEP, f"{CALLS_BEGIN}{CALL_BEGIN}", "<｜tool▁call"]
DSML_PIECES = [
    f"<{DSML}function_calls>",
    f"</{DSML}function_calls>",
    f'<{DSML}invoke name="f">',
    f"</{DSML}invoke>",
    f'<{DSML}parameter name="a" string="true">',
    f"</{DSML}parameter>",
    f'<{DSML}parameter name="a" string="false">[',
    f"<{DSML} calls>",
    f"<{DSML}",
    DSML,
]


@pytest.mark.parametrize("piece", DEEPSEEK_PIECES + DSML_PIECES)
def test_repeated_markers_complete(piece: str) -> None:
    text = piece * _MANY
    for parse in (parse_deepseek, parse_deepseek_dsml):
        result = parse(text, LONG)
        assert result is None or len(result.calls) <= LONG.max_calls


def test_unclosed_markers_complete() -> None:
    for text in (
        CALLS_BEGIN + CALL_BEGIN + "f" + SEP + "[" * _MANY,
        f'<{DSML}function_calls><{DSML}invoke name="f"><{DSML}parameter name="a" string="false">' + "[" * _MANY,
        f"<{DSML}invoke name=" + '"' * _MANY,
    ):
        for parse in (parse_deepseek, parse_deepseek_dsml):
            parse(text, LONG)


@pytest.mark.parametrize(
    "block",
    [
        v31_call("f", '{"a": 1}'),
        f"{CALL_BEGIN}function{SEP}f\n```json\n{{}}\n```{CALL_END}\n",
        v31_call("f", '{"a": '),
    ],
)
def test_repeated_deepseek_blocks(block: str) -> None:
    result = parse_deepseek(CALLS_BEGIN + block * _COPIES + CALLS_END, LONG)
    assert result is not None
    assert len(result.calls) == LONG.max_calls or not result.calls
    if result.calls:
        assert "too_many_calls" in result.violations
        assert len({id(call) for call in result.calls}) == len(result.calls)


@pytest.mark.parametrize("args", [{"a": "x"}, {"a": 1}])
def test_repeated_dsml_invokes(args: dict[str, Any]) -> None:
    one = _dsml([("f", args)])
    invoke = one[one.index(f"<{DSML}invoke") : one.index(f"</{DSML}function_calls>")]
    result = parse_deepseek_dsml(f"<{DSML}function_calls>\n" + invoke * _COPIES + f"</{DSML}function_calls>", LONG)
    assert result is not None
    assert len(result.calls) == LONG.max_calls and "too_many_calls" in result.violations


def test_distinct_blocks_past_the_budget_are_over_budget() -> None:
    blocks = "".join(v31_call(f"f{i}", "{}") for i in range(5000))
    result = parse_deepseek(CALLS_BEGIN + blocks + CALLS_END, LONG)
    assert result is not None and "over_budget" in result.violations
    invokes = "".join(f'<{DSML}invoke name="f{i}">\n</{DSML}invoke>\n' for i in range(5000))
    result = parse_deepseek_dsml(_wrap(invokes), LONG)
    assert result is not None and "over_budget" in result.violations
