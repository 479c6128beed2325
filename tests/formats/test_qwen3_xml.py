"""Qwen3-Coder / Qwen 3.5 / 3.6 XML tool calls (``rlvr_rewards/parsing/qwen3_xml.py``): the shared family cases
and direct tests.

Real outputs come from TRL's ``qwen3_6.jinja``, ``qwen3_5_think.jinja`` and ``qwen3_5_nothink.jinja`` (rendered at
test time, the assistant turn sliced after the generation prompt); the others follow the outputs of vLLM's
``tests/tool_parsers/test_qwen3coder_tool_parser.py`` (inline values, a bare ``<function=`` without
``<tool_call>``, a JSON object spanning lines in a parameter).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import rlvr_rewards as rr
from rlvr_rewards.limits import Limits
from rlvr_rewards.parsing import glm, qwen3_xml, seed_oss, xmlparams
from rlvr_rewards.parsing.qwen3_xml import SPECS, parse_qwen3_xml
from rlvr_rewards.plugins import get_registry, register_plugin, unregister_plugin
from tests.formats import harness
from tests.formats.harness import FormatCase

VLLM = "vLLM tests/tool_parsers/test_qwen3coder_tool_parser.py outputs"
TRL36 = "TRL 1.16 trl/chat_templates/qwen3_6.jinja (rendered)"
TRL35 = "TRL 1.16 trl/chat_templates/qwen3_5_think.jinja / qwen3_5_nothink.jinja (rendered)"
USER = [{"role": "user", "content": "What is the weather in Paris?"}]
END = ("<|im_end|>",)
AREA = harness.tool(
    "calculate_area",
    {"shape": {"type": "string"}, "dimensions": {"type": "object"}, "precision": {"type": "integer"}},
)
TOOLS = [*harness.TOOLS, AREA]


@pytest.fixture(scope="module", autouse=True)
def _registered() -> Iterator[None]:
    """The XML-parameter parsers among the registered formats (registered here until the built-ins list them)."""
    added = []
    names = {spec.name for spec in get_registry().parsers}
    for module, name in ((qwen3_xml, "qwen3_xml"), (glm, "glm"), (seed_oss, "seed_oss")):
        if name not in names:
            register_plugin(module, name=f"test_{name}_parser")
            added.append(f"test_{name}_parser")
    try:
        yield
    finally:
        for name in added:
            unregister_plugin(name)


def _turn(template: str, **message: Any) -> str:
    """What the model writes for one assistant message after ``USER`` (TRL's template, rendered)."""
    flags = {k: message.pop(k) for k in ("enable_thinking",) if k in message}
    return harness.render_assistant_turn(
        template, USER, {"role": "assistant", "content": "", **message}, TOOLS, strip=END, **flags
    )


PARIS = {"city": "Paris", "days": 3}
SEARCH = {"query": "louvre hours", "limit": 3, "score": 0.5, "exact": True, "tags": ["museum"], "filters": {"x": 1}}
DALLAS = (
    "<tool_call>\n<function=get_weather>\n<parameter=city>\nDallas\n</parameter>\n<parameter=unit>\nfahrenheit\n"
    "</parameter>\n</function>\n</tool_call>"
)


def _cases() -> list[FormatCase]:
    call = harness.tool_call
    return [
        FormatCase(
            "one",
            _turn("qwen3_6.jinja", tool_calls=[call("get_weather", PARIS)]),
            [("get_weather", PARIS)],
            TRL36,
            tools=TOOLS,
            id="rendered, values typed by the schema",
            absent_violations=("text_with_call", "unclosed_tag", "trailing_garbage", "mixed_formats"),
        ),
        FormatCase(
            "one",
            DALLAS,
            [("get_weather", {"city": "Dallas", "unit": "fahrenheit"})],
            VLLM,
            tools=TOOLS,
            absent_violations=("text_with_call", "mixed_formats"),
        ),
        FormatCase(
            "one",
            "<tool_call>\n<function=calculate_area>\n<parameter=shape>\nrectangle\n</parameter>\n"
            '<parameter=dimensions>\n{"width": 10, \n "height": 20}\n</parameter>\n<parameter=precision>\n2\n'
            "</parameter>\n</function>\n</tool_call>",
            [("calculate_area", {"shape": "rectangle", "dimensions": {"width": 10, "height": 20}, "precision": 2})],
            VLLM,
            tools=TOOLS,
            id="object over two lines",
        ),
        FormatCase(
            "one",
            "<tool_call><function=get_weather><parameter=city>Paris</parameter></function></tool_call>",
            [("get_weather", {"city": "Paris"})],
            VLLM,
            tools=TOOLS,
            id="inline values",
        ),
        FormatCase(
            "one",
            "<function=get_weather>\n<parameter=city>\nDallas\n</parameter>\n</function>",
            [("get_weather", {"city": "Dallas"})],
            VLLM + " (no <tool_call> around it: the fallback test)",
            tools=TOOLS,
        ),
        FormatCase(
            "several",
            _turn("qwen3_5_think.jinja", tool_calls=[call("get_weather", PARIS), call("search", SEARCH)]),
            [("get_weather", PARIS), ("search", SEARCH)],
            TRL35,
            tools=TOOLS,
            id="booleans written True by the template",
        ),
        FormatCase(
            "several",
            DALLAS + "\n" + DALLAS.replace("Dallas", "Orlando"),
            [
                ("get_weather", {"city": "Dallas", "unit": "fahrenheit"}),
                ("get_weather", {"city": "Orlando", "unit": "fahrenheit"}),
            ],
            VLLM,
            tools=TOOLS,
        ),
        FormatCase(
            "several",
            "<tool_call>\n<function=get_weather>\n<parameter=city>\nParis\n</parameter>\n</function>\n"
            "<function=get_weather>\n<parameter=city>\nLyon\n</parameter>\n</function>\n</tool_call>",
            [("get_weather", {"city": "Paris"}), ("get_weather", {"city": "Lyon"})],
            VLLM + " (two in one block)",
            tools=TOOLS,
        ),
        FormatCase(
            "several",
            _turn("qwen3_6.jinja", tool_calls=[call("get_weather", PARIS)])
            + '\n<tool_call>\n{"name": "search", "arguments": {"query": "x"}}\n</tool_call>',
            [("get_weather", PARIS), ("search", {"query": "x"})],
            TRL36 + " + a Hermes JSON block",
            tools=TOOLS,
            violations=("mixed_formats",),
        ),
        FormatCase(
            "reasoning",
            _turn(
                "qwen3_6.jinja",
                reasoning_content="The user wants Paris weather; call get_weather.",
                tool_calls=[call("get_weather", PARIS)],
                enable_thinking=True,
            ),
            [("get_weather", PARIS)],
            TRL36,
            think="call get_weather",
            tools=TOOLS,
            absent_violations=("text_with_call",),
        ),
        FormatCase(
            "reasoning",
            _turn("qwen3_5_think.jinja", reasoning_content="Use get_weather.", tool_calls=[call("get_weather", PARIS)]),
            [("get_weather", PARIS)],
            TRL35,
            think="Use get_weather",
            tools=TOOLS,
        ),
        FormatCase(
            "truncated",
            "<tool_call>\n<function=get_weather>\n<parameter=city>\nPar",
            [("get_weather", {"city": "Par"})],
            VLLM + " (cut off)",
            tools=TOOLS,
            violations=("unclosed_tag",),
        ),
        FormatCase(
            "truncated",
            "<tool_call>\n<function=get_weather>\n<parameter=city>\nParis\n</parameter>\n",
            [("get_weather", {"city": "Paris"})],
            VLLM + " (cut off)",
            tools=TOOLS,
            violations=("unclosed_tag",),
        ),
        FormatCase(
            "prose",
            _turn(
                "qwen3_6.jinja", content="Let me check the weather for you.", tool_calls=[call("get_weather", PARIS)]
            ),
            [("get_weather", PARIS)],
            TRL36,
            tools=TOOLS,
            violations=("text_with_call",),
        ),
        FormatCase(
            "zero", _turn("qwen3_5_nothink.jinja", content="It is sunny in Paris today."), [], TRL35, tools=TOOLS
        ),
        FormatCase(
            "zero",
            "Call a tool by writing <function=NAME> followed by its parameters.",
            [],
            "prose naming the tag",
            tools=TOOLS,
        ),
    ]


CASES = {"qwen3_xml": _cases()}


def test_cases() -> None:
    harness.check_cases("qwen3_xml", CASES["qwen3_xml"])


def test_spec() -> None:
    (spec,) = SPECS
    assert (spec.name, spec.priority, spec.markers) == ("qwen3_xml", 11, ("<function=", "<tool_call>", "</tool_call>"))
    got = parse_qwen3_xml(spec.example)
    assert got is not None and [c.name for c in got.calls] == ["get_weather"]
    assert rr.parse(spec.example, format="qwen3-coder").format == "qwen3_xml"


def _parse(text: str) -> Any:
    got = parse_qwen3_xml(text)
    assert got is not None, text
    return got


def _args(text: str) -> list[tuple[str, Any]]:
    return [(c.name, c.arguments) for c in _parse(text).calls]


@pytest.mark.parametrize(
    ("value", "raw"),
    [
        ("\nParis\n", "Paris"),
        ("Paris", "Paris"),
        ("\n\nParis\n\n", "\nParis\n"),  # one newline each side, no more
        ("\n  Paris  \n", "  Paris  "),
        ("\n\n", ""),
        ("", ""),
        ("\nline one\nline two\n", "line one\nline two"),
    ],
)
def test_values_lose_the_template_newlines_only(value: str, raw: str) -> None:
    got = _parse(f"<tool_call>\n<function=f>\n<parameter=a>{value}</parameter>\n</function>\n</tool_call>")
    (call,) = got.calls
    assert call.arguments == {"a": raw} and call.untyped == {"a"}
    assert got.violations == () and got.untyped


def test_values_are_typed_by_the_schema_when_scored() -> None:
    text = (
        "<tool_call>\n<function=search>\n<parameter=query>\n007\n</parameter>\n"
        "<parameter=limit>\n007\n</parameter>\n</function>\n</tool_call>"
    )
    assert rr.parse(text, tools=TOOLS, format="qwen3_xml").calls[0].arguments == {"query": "007", "limit": 7}


def test_not_claimed() -> None:
    for text in [
        "",
        "plain prose",
        '<tool_call>\n{"name": "f", "arguments": {}}\n</tool_call>',
        '<tool_call>{"name": "f", "arguments": {"code": "<function=x>"}}</tool_call>',
        "<tool_call>get_weather\n<arg_key>city</arg_key>\n<arg_value>Paris</arg_value>\n</tool_call>",
        "<seed:tool_call>\n<function=f>\n<parameter=a>1</parameter>\n</function>\n</seed:tool_call>",
        '<function=spotify_trending_songs>{"n": "5"}</function>',  # Llama 3.1's custom tool format
        "[f(a=1)]",
        '{"name": "f", "arguments": {}}',
        "write <function=name> then the parameters",
        "<function=",
    ]:
        assert parse_qwen3_xml(text) is None, text


def test_first_block_decides() -> None:
    # a Hermes block first: Hermes's text, even with an XML block after it
    assert parse_qwen3_xml('<tool_call>{"name": "f"}</tool_call><tool_call><function=g></function></tool_call>') is None
    got = _parse('<tool_call><function=g></function></tool_call><tool_call>{"name": "f", "arguments": {}}</tool_call>')
    assert [(c.name, c.arguments) for c in got.calls] == [("g", {}), ("f", {})]
    assert "mixed_formats" in got.violations
    got = _parse(
        "<tool_call><function=g></function></tool_call><tool_call>h<arg_key>a</arg_key><arg_value>1</arg_value></tool_call>"
    )
    assert [(c.name, c.arguments) for c in got.calls] == [("g", {}), ("h", {"a": "1"})]
    assert "mixed_formats" in got.violations


@pytest.mark.parametrize(
    ("text", "calls", "codes"),
    [
        ("<tool_call>\n<function=f>\n</function>\n</tool_call>", [("f", {})], set()),
        (
            "<tool_call>\n<function=f>\n</function>\n</tool_call><tool_call></tool_call>",
            [("f", {})],
            {"empty_call_block"},
        ),
        (
            "<tool_call>\n<function=f>\n</function>\n</tool_call><tool_call>hello there</tool_call>",
            [("f", {})],
            {"missing_name"},
        ),
        ("<tool_call>\n<function=f>\n</function>", [("f", {})], {"unclosed_tag"}),
        ("<tool_call>\n<function=f>", [("f", {})], {"unclosed_tag"}),
        ("<tool_call>\n<function=get_wea", [("get_wea", {})], {"unclosed_tag"}),
        (
            "<tool_call>\n<function=f\n<parameter=a>1</parameter>\n</function></tool_call>",
            [("f", {"a": "1"})],
            {"unclosed_tag"},
        ),
        (
            "<tool_call>\n<function=f>\n<parameter=a\n1</parameter>\n</function></tool_call>",
            [("f", {})],
            {"unclosed_tag"},
        ),
        (
            "<tool_call>\n<function=f>\n<parameter=a>1<parameter=b>2</parameter></function></tool_call>",
            [("f", {"a": "1", "b": "2"})],
            {"unclosed_tag"},
        ),
        (
            "<tool_call>\n<function=f>\njunk\n<parameter=a>1</parameter>\n</function>\n</tool_call>",
            [("f", {"a": "1"})],
            {"trailing_garbage"},
        ),
        (
            "<tool_call>\n<function=f>\n<parameter=a>1</parameter> junk\n</function>\n</tool_call>",
            [("f", {"a": "1"})],
            {"trailing_garbage"},
        ),
        ("<tool_call>\n<function=f>\n</function> junk\n</tool_call>", [("f", {})], {"trailing_garbage"}),
        (
            "<tool_call><function=g></function></tool_call><tool_call>\nnote <function=f>\n</function>\n</tool_call>",
            [("g", {}), ("f", {})],
            {"trailing_garbage"},
        ),
        (
            "<tool_call>\n<function=f>\n<parameter=a>1</parameter><parameter=a>2</parameter></function></tool_call>",
            [("f", {"a": "2"})],
            {"duplicate_keys"},
        ),
        ("<tool_call>\n<function=>\n</function>\n</tool_call>", [("", {})], {"missing_name"}),
        ("<tool_call>\n<function=get weather>\n</function>\n</tool_call>", [("", {})], {"missing_name"}),
        ("<tool_call>\n<function=f>\n</function>\n</tool_call>\n</tool_call>", [("f", {})], {"stray_closing_tag"}),
        (
            "Sure.\n<function=f>\n<parameter=a>\n1\n</parameter>\n</function>\nDone.",
            [("f", {"a": "1"})],
            {"text_with_call"},
        ),
        ("<function=f>\n<parameter=a>\n1\n</parameter>\n", [("f", {"a": "1"})], {"unclosed_tag"}),
        ("<function=f>\n</function>\n</function>", [("f", {})], {"stray_closing_tag"}),
    ],
)
def test_irregular_shapes(text: str, calls: list[tuple[str, Any]], codes: set[str]) -> None:
    got = _parse(text)
    assert [(c.name, c.arguments) for c in got.calls] == calls
    assert codes <= set(got.violations), got.violations
    assert got.attempted_call and got.format == "qwen3_xml"


def test_code_in_a_value_is_kept() -> None:
    code = 'def f(x):\n    return x < 3 and x > 1  # "<tag>"\n'
    (call,) = _parse(
        f"<tool_call>\n<function=write>\n<parameter=code>\n{code}\n</parameter>\n</function>\n</tool_call>"
    ).calls
    assert call.arguments == {"code": code}


def test_too_many_calls_and_repeats() -> None:
    block = "<tool_call>\n<function=f>\n<parameter=a>\n1\n</parameter>\n</function>\n</tool_call>\n"
    got = parse_qwen3_xml(block * 100, Limits(max_calls=3))
    assert got is not None and len(got.calls) == 3 and "too_many_calls" in got.violations
    one_block = "<tool_call>\n" + "<function=f>\n</function>\n" * 100 + "</tool_call>"
    got = parse_qwen3_xml(one_block, Limits(max_calls=3))
    assert got is not None and len(got.calls) == 3 and "too_many_calls" in got.violations
    assert len({id(c) for c in got.calls}) == 3  # every call kept is its own object


def test_distinct_functions_past_the_block_budget() -> None:
    text = "<tool_call>\n" + "".join(f"<function=f{i}>\n</function>\n" for i in range(3000)) + "</tool_call>"
    got = parse_qwen3_xml(text)
    assert got is not None and got.violations == ("over_budget",) and got.calls == ()


@pytest.mark.parametrize(
    ("prefix", "unit"),
    [
        ("", "<tool_call>"),
        ("", "</tool_call>"),
        ("", "<tool_call><function="),
        ("", "<function=f>\n</function>"),
        ("", "<function=f>\n<parameter=a>x"),
        ("", "<tool_call>\n<function=f>\n</function>\n</tool_call>"),
        ("<tool_call>\n", "<function="),
        ("<tool_call>\n<function=f>\n", "<parameter="),
        ("<tool_call>\n<function=f>\n", "<parameter=a>\n1\n</parameter>\n"),
        ("<tool_call>\n<function=f>\n", "</parameter>"),
        ("<tool_call>\n<function=f>\n", "</function>"),
        ("<tool_call>\n<function=", ">"),
        ("<tool_call>\n<function=", "<"),
    ],
)
def test_markers_repeated_complete(prefix: str, unit: str) -> None:
    got = parse_qwen3_xml(prefix + unit * 100_000)
    assert got is None or len(got.calls) <= Limits().max_calls


def test_foreign_block_rule_is_shared() -> None:
    assert xmlparams.foreign_tool_call_block("\n<function=f>\n</function>\n")
    assert xmlparams.foreign_tool_call_block("get_weather\n<arg_key>city</arg_key>")
    assert xmlparams.foreign_tool_call_block("list_files\n")
    assert not xmlparams.foreign_tool_call_block('\n{"name": "f", "arguments": {}}\n')
    assert not xmlparams.foreign_tool_call_block("")
