"""GLM 4.5 / 4.6 / 4.7 tool calls (``rlvr_rewards/parsing/glm.py``): the shared family cases and direct tests.

Real outputs come from TRL's ``glm4moe.jinja`` (rendered at test time, the assistant turn sliced after the
generation prompt ``<|assistant|>``); GLM 4.7's compact layout (no newlines) and the other shapes follow the
outputs of vLLM's ``tests/tool_parsers/test_glm4_moe_tool_parser.py`` and ``test_glm47_moe_tool_parser.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import rlvr_rewards as rr
from rlvr_rewards.limits import Limits
from rlvr_rewards.parsing import glm, qwen3_xml, seed_oss
from rlvr_rewards.parsing.glm import SPECS, parse_glm
from rlvr_rewards.plugins import get_registry, register_plugin, unregister_plugin
from tests.formats import harness
from tests.formats.harness import FormatCase

TRL = "TRL 1.16 trl/chat_templates/glm4moe.jinja (rendered)"
VLLM47 = "vLLM tests/tool_parsers/test_glm47_moe_tool_parser.py outputs (GLM 4.7, no newlines)"
VLLM = "vLLM tests/tool_parsers/test_glm4_moe_tool_parser.py outputs"
USER = [{"role": "user", "content": "What is the weather in Paris?"}]
END = ("<|user|>", "<|endoftext|>")
LIST_FILES = harness.tool("list_files", {})
TOOLS = [*harness.TOOLS, LIST_FILES]


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


def _turn(**message: Any) -> str:
    """What GLM writes for one assistant message after ``USER`` (TRL's glm4moe.jinja, rendered)."""
    return harness.render_assistant_turn(
        "glm4moe.jinja", USER, {"role": "assistant", "content": "", **message}, TOOLS, strip=END
    )


PARIS = {"city": "Paris", "days": 3}
SEARCH = {"query": "louvre hours", "limit": 3, "score": 0.5, "exact": True, "tags": ["museum"], "filters": {"x": 1}}
COMPACT = "<tool_call>get_weather<arg_key>city</arg_key><arg_value>Paris</arg_value></tool_call>"


def _cases() -> list[FormatCase]:
    call = harness.tool_call
    return [
        FormatCase(
            "one",
            _turn(tool_calls=[call("get_weather", PARIS)]),
            [("get_weather", PARIS)],
            TRL,
            tools=TOOLS,
            id="rendered, values typed by the schema",
            absent_violations=("text_with_call", "unclosed_tag", "trailing_garbage", "mixed_formats"),
        ),
        FormatCase(
            "one",
            COMPACT,
            [("get_weather", {"city": "Paris"})],
            VLLM47,
            tools=TOOLS,
            absent_violations=("text_with_call", "mixed_formats"),
        ),
        FormatCase("one", _turn(tool_calls=[call("list_files", {})]), [("list_files", {})], TRL, tools=TOOLS),
        FormatCase(
            "one",
            "<tool_call>get_weather\n<arg_key>city</arg_key>\n<arg_value>New York, NY</arg_value>\n</tool_call>",
            [("get_weather", {"city": "New York, NY"})],
            VLLM,
            tools=TOOLS,
        ),
        FormatCase(
            "several",
            _turn(tool_calls=[call("get_weather", PARIS), call("search", SEARCH)]),
            [("get_weather", PARIS), ("search", SEARCH)],
            TRL,
            tools=TOOLS,
            id="JSON values for numbers, booleans, arrays, objects",
        ),
        FormatCase(
            "several",
            COMPACT + COMPACT.replace("Paris", "Lyon"),
            [("get_weather", {"city": "Paris"}), ("get_weather", {"city": "Lyon"})],
            VLLM47,
            tools=TOOLS,
        ),
        FormatCase(
            "several",
            _turn(tool_calls=[call("get_weather", {"city": "Paris"}), call("list_files", {})]),
            [("get_weather", {"city": "Paris"}), ("list_files", {})],
            TRL,
            tools=TOOLS,
            id="a call without arguments after one with",
        ),
        FormatCase(
            "reasoning",
            _turn(reasoning_content="The user wants the weather in Paris.", tool_calls=[call("get_weather", PARIS)]),
            [("get_weather", PARIS)],
            TRL,
            think="weather in Paris",
            tools=TOOLS,
            absent_violations=("text_with_call",),
        ),
        FormatCase(
            "reasoning",
            "<think>Use get_weather for Paris.</think>" + COMPACT,
            [("get_weather", {"city": "Paris"})],
            VLLM47,
            think="Use get_weather",
            tools=TOOLS,
        ),
        FormatCase(
            "truncated",
            "<tool_call>get_weather\n<arg_key>city</arg_key>\n<arg_value>Par",
            [("get_weather", {"city": "Par"})],
            VLLM + " (cut off)",
            tools=TOOLS,
            violations=("unclosed_tag",),
        ),
        FormatCase(
            "truncated",
            "<tool_call>get_weather<arg_key>city</arg_key><arg_value>Paris</arg_value><arg_key>days",
            [("get_weather", {"city": "Paris"})],
            VLLM47 + " (cut off)",
            tools=TOOLS,
            violations=("unclosed_tag",),
        ),
        FormatCase(
            "prose",
            _turn(content="Let me check the weather for you.", tool_calls=[call("get_weather", PARIS)]),
            [("get_weather", PARIS)],
            TRL,
            tools=TOOLS,
            violations=("text_with_call",),
        ),
        FormatCase("zero", _turn(content="It is sunny in Paris today."), [], TRL, tools=TOOLS),
        FormatCase(
            "zero",
            "<think>Nothing to call.</think>\nGLM writes <arg_key> and <arg_value> tags for arguments.",
            [],
            "prose naming the tags",
            tools=TOOLS,
        ),
    ]


CASES = {"glm": _cases()}


def test_cases() -> None:
    harness.check_cases("glm", CASES["glm"])


def test_spec() -> None:
    (spec,) = SPECS
    assert (spec.name, spec.priority, spec.markers) == ("glm", 12, ("<arg_key>", "<tool_call>", "</tool_call>"))
    got = parse_glm(spec.example)
    assert got is not None and [c.name for c in got.calls] == ["get_weather"]
    assert rr.parse(spec.example, format="glm-4.7").format == "glm"


def _parse(text: str) -> Any:
    got = parse_glm(text)
    assert got is not None, text
    return got


def test_values_are_kept_as_written() -> None:
    (call,) = _parse("<tool_call>f<arg_key> a </arg_key><arg_value>\n Paris \n</arg_value></tool_call>").calls
    assert call.arguments == {"a": "\n Paris \n"} and call.untyped == {"a"}
    tools = [harness.tool("f", {"a": {"type": "integer"}, "b": {"type": "string"}})]
    got = rr.parse(
        "<tool_call>f<arg_key>a</arg_key><arg_value> 7 </arg_value>"
        "<arg_key>b</arg_key><arg_value>007</arg_value></tool_call>",
        tools=tools,
        format="glm",
    )
    assert got.calls[0].arguments == {"a": 7, "b": "007"}


def test_not_claimed() -> None:
    for text in [
        "",
        "plain prose",
        '<tool_call>\n{"name": "f", "arguments": {}}\n</tool_call>',
        '<tool_call>[{"name": "f", "arguments": {}}]</tool_call>',
        "<tool_call>\n<function=f>\n<parameter=a>\n1\n</parameter>\n</function>\n</tool_call>",
        "<tool_call></tool_call>",
        "<tool_call>true</tool_call>",
        "<tool_call>7</tool_call>",
        "<tool_call>I will call the weather tool</tool_call>",
        "<tool_call>get_weather city=Paris</tool_call>",
        "<arg_key>city</arg_key><arg_value>Paris</arg_value>",
        "<seed:tool_call>\n<function=f>\n</function>\n</seed:tool_call>",
        "[f(a=1)]",
        '{"name": "f", "arguments": {}}',
    ]:
        assert parse_glm(text) is None, text


def test_first_block_decides() -> None:
    assert parse_glm('<tool_call>{"name": "f"}</tool_call><tool_call>g</tool_call>') is None
    got = _parse('<tool_call>g</tool_call><tool_call>{"name": "f", "arguments": {"x": 1}}</tool_call>')
    assert [(c.name, c.arguments) for c in got.calls] == [("g", {}), ("f", {"x": 1})]
    assert "mixed_formats" in got.violations
    got = _parse(
        "<tool_call>g</tool_call><tool_call>\n<function=h>\n<parameter=a>\n1\n</parameter>\n</function>\n</tool_call>"
    )
    assert [(c.name, c.arguments) for c in got.calls] == [("g", {}), ("h", {"a": "1"})]
    assert "mixed_formats" in got.violations


@pytest.mark.parametrize(
    ("text", "calls", "codes"),
    [
        ("<tool_call>f</tool_call>", [("f", {})], set()),
        ("<tool_call>f\n</tool_call>", [("f", {})], set()),
        ("<tool_call>  f  <arg_key>a</arg_key><arg_value>1</arg_value></tool_call>", [("f", {"a": "1"})], set()),
        (
            "<tool_call>mcp.server:do-it<arg_key>a</arg_key><arg_value>1</arg_value></tool_call>",
            [("mcp.server:do-it", {"a": "1"})],
            set(),
        ),
        ("<tool_call>f</tool_call><tool_call></tool_call>", [("f", {})], {"empty_call_block"}),
        ("<tool_call>f</tool_call><tool_call>two words</tool_call>", [("f", {}), ("", {})], {"missing_name"}),
        (
            "<tool_call>g</tool_call>"
            "<tool_call>f\nsome words\n<arg_key>a</arg_key><arg_value>1</arg_value></tool_call>",
            [("g", {}), ("f", {"a": "1"})],
            {"trailing_garbage"},
        ),
        ("<tool_call>f", [("f", {})], {"unclosed_tag"}),
        (
            "<tool_call>f<arg_key>a<arg_key>b</arg_key><arg_value>2</arg_value></tool_call>",
            [("f", {"b": "2"})],
            {"unclosed_tag"},
        ),
        (
            "<tool_call>f<arg_key>a</arg_key><arg_value>1<arg_key>b</arg_key><arg_value>2</arg_value></tool_call>",
            [("f", {"a": "1", "b": "2"})],
            {"unclosed_tag"},
        ),
        (
            "<tool_call>f<arg_key>a</arg_key><arg_key>b</arg_key><arg_value>2</arg_value></tool_call>",
            [("f", {"b": "2"})],
            {"trailing_garbage"},
        ),
        (
            "<tool_call>f<arg_key>a</arg_key> = <arg_value>1</arg_value></tool_call>",
            [("f", {"a": "1"})],
            {"trailing_garbage"},
        ),
        (
            "<tool_call>f<arg_key>a</arg_key><arg_value>1</arg_value> and "
            "<arg_key>b</arg_key><arg_value>2</arg_value></tool_call>",
            [("f", {"a": "1", "b": "2"})],
            {"trailing_garbage"},
        ),
        (
            "<tool_call>f<arg_key>a</arg_key><arg_value>1</arg_value><arg_key>a</arg_key><arg_value>2</arg_value></tool_call>",
            [("f", {"a": "2"})],
            {"duplicate_keys"},
        ),
        ("Sure.\n<tool_call>f</tool_call>\nDone.", [("f", {})], {"text_with_call"}),
        ("<tool_call>f</tool_call></tool_call>", [("f", {})], {"stray_closing_tag"}),
        ("<tool_call>f<tool_call>g</tool_call>", [("f", {}), ("g", {})], {"unclosed_tag"}),
    ],
)
def test_irregular_shapes(text: str, calls: list[tuple[str, Any]], codes: set[str]) -> None:
    got = _parse(text)
    assert [(c.name, c.arguments) for c in got.calls] == calls
    assert codes <= set(got.violations), got.violations
    assert got.attempted_call and got.format == "glm"


def test_too_many_calls_and_repeats() -> None:
    got = parse_glm(COMPACT * 100, Limits(max_calls=3))
    assert got is not None and len(got.calls) == 3 and "too_many_calls" in got.violations
    assert len({id(c) for c in got.calls}) == 3


def test_distinct_calls_past_the_block_budget() -> None:
    got = parse_glm("".join(f"<tool_call>f{i}</tool_call>" for i in range(3000)))
    assert got is not None and got.violations == ("over_budget",) and got.calls == ()


@pytest.mark.parametrize(
    ("prefix", "unit"),
    [
        ("", "<tool_call>"),
        ("", "<tool_call>f"),
        ("", "</tool_call>"),
        ("", COMPACT),
        ("<tool_call>f", "<arg_key>"),
        ("<tool_call>f", "</arg_key>"),
        ("<tool_call>f", "<arg_key>a</arg_key>"),
        ("<tool_call>f", "<arg_key>a</arg_key><arg_value>1</arg_value>"),
        ("<tool_call>f<arg_key>a</arg_key>", "<arg_value>"),
        ("<tool_call>f<arg_key>a</arg_key><arg_value>", "</arg_value>"),
        ("<tool_call>", "a"),
    ],
)
def test_markers_repeated_complete(prefix: str, unit: str) -> None:
    got = parse_glm(prefix + unit * 100_000)
    assert got is None or len(got.calls) <= Limits().max_calls
