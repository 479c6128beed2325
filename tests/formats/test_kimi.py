"""Kimi K2 tool calls (``kimi_k2``).

Kimi's chat template is not among TRL's, so the texts are written as Kimi-K2-Instruct's ``chat_template.jinja``
renders an assistant turn (the content, then ``<|tool_calls_section_begin|>``, each call as
``<|tool_call_begin|>ID<|tool_call_argument_begin|>ARGS<|tool_call_end|>``, ``<|tool_calls_section_end|>``; see
:func:`kimi_turn`) and as the vLLM ``tests/tool_parsers/test_kimi_k2_tool_parser.py`` outputs show.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

import rlvr_rewards as rr
from rlvr_rewards.limits import Limits
from rlvr_rewards.parsing import kimi
from rlvr_rewards.parsing.kimi import (
    ARGUMENT_BEGIN,
    CALL_BEGIN,
    CALL_END,
    SECTION_BEGIN,
    SECTION_BEGIN_SINGULAR,
    SECTION_END,
    SECTION_END_SINGULAR,
    kimi_call_name,
    parse_kimi_k2,
)
from tests.formats import harness
from tests.formats.harness import FormatCase

TEMPLATE = "Kimi-K2-Instruct chat_template.jinja (tool_calls rendering)"
VLLM = "vLLM tests/tool_parsers/test_kimi_k2_tool_parser.py"
LONG = Limits(max_chars=10**8)


@pytest.fixture(scope="module", autouse=True)
def _registered() -> Iterator[None]:
    """The Kimi parser in the registry (until it is among the default plugins)."""
    from rlvr_rewards.plugins import get_registry, register_plugin, unregister_plugin

    if "kimi_k2" in {spec.name for spec in get_registry().parsers}:
        yield
        return
    register_plugin(kimi, name="tests-kimi")
    yield
    unregister_plugin("tests-kimi")


def kimi_turn(calls: list[tuple[str, dict[str, Any]]], content: str = "") -> str:
    """An assistant turn as Kimi's template renders it: the content, then the section with each call's id
    ``functions.NAME:IDX`` (the index counts the calls) and its JSON arguments (``tojson``)."""
    body = "".join(
        f"{CALL_BEGIN}functions.{name}:{i}{ARGUMENT_BEGIN}{json.dumps(args, ensure_ascii=False)}{CALL_END}"
        for i, (name, args) in enumerate(calls)
    )
    return f"{content}{SECTION_BEGIN}{body}{SECTION_END}"


def vllm_tool(tool_id: str, args: str) -> str:
    """One call as the vLLM tests write it (a space between the id and the argument marker)."""
    return f"{CALL_BEGIN}{tool_id} {ARGUMENT_BEGIN}{args}{CALL_END}"


def vllm_wrap(*calls: str) -> str:
    return SECTION_BEGIN + "".join(calls) + SECTION_END


BEIJING = ("get_weather", {"city": "Beijing"})


def kimi_cases() -> list[FormatCase]:
    return [
        FormatCase("one", kimi_turn([BEIJING]), [BEIJING], TEMPLATE, absent_violations=("text_with_call",)),
        FormatCase(
            "several",
            kimi_turn([BEIJING, ("get_weather", {"city": "Shanghai"})]),
            [BEIJING, ("get_weather", {"city": "Shanghai"})],
            TEMPLATE,
            id="parallel",
        ),
        FormatCase(
            "several",
            "Multiple tasks. "
            + vllm_wrap(
                vllm_tool("functions.get_weather:0", '{"city": "New York"}'),
                vllm_tool("functions.get_news:1", '{"topic": "technology"}'),
                vllm_tool("functions.send_email:2", '{"to": "user@example.com", "subject": "Daily Update"}'),
            ),
            [
                ("get_weather", {"city": "New York"}),
                ("get_news", {"topic": "technology"}),
                ("send_email", {"to": "user@example.com", "subject": "Daily Update"}),
            ],
            VLLM,
            violations=("text_with_call",),
            id="three tools",
        ),
        FormatCase(
            "prose",
            kimi_turn([BEIJING], content="I'll check the weather in Beijing for you."),
            [BEIJING],
            TEMPLATE,
            violations=("text_with_call",),
            id="content before",
        ),
        FormatCase(
            "reasoning",
            "<think>The user asks about Beijing; I should call get_weather.</think>" + kimi_turn([BEIJING]),
            [BEIJING],
            TEMPLATE,
            think="call get_weather",
            id="K2-Thinking",
        ),
        FormatCase(
            "truncated",
            f'{SECTION_BEGIN}{CALL_BEGIN}functions.get_weather:0{ARGUMENT_BEGIN}{{"city": "Bei',
            [("get_weather", None)],
            TEMPLATE,
            violations=("unclosed_tag", "invalid_json"),
            id="cut inside the arguments",
        ),
        FormatCase(
            "truncated",
            kimi_turn([BEIJING])[: -len(SECTION_END)],
            [BEIJING],
            TEMPLATE,
            violations=("unclosed_tag",),
            id="section never closed",
        ),
        FormatCase("zero", "This is a test", [], VLLM, id="no tools"),
        FormatCase(
            "one",
            "No prefix. " + vllm_wrap(vllm_tool("get_weather:0", '{"city": "Tokyo"}')),
            [("get_weather", {"city": "Tokyo"})],
            VLLM,
            id="no functions. prefix",
        ),
        FormatCase(
            "one",
            "Empty args. " + vllm_wrap(vllm_tool("functions.test:0", "{}")),
            [("test", {})],
            VLLM,
            id="empty arguments",
        ),
        FormatCase(
            "one",
            "Formatted. " + vllm_wrap(vllm_tool("functions.process_data:0", '{\n  "name": "test",\n  "value": 123\n}')),
            [("process_data", {"name": "test", "value": 123})],
            VLLM,
            id="multiline JSON",
        ),
        FormatCase(
            "one",
            "Process HTML. " + vllm_wrap(vllm_tool("functions.process_html:0", '{"html": "<div>content</div>"}')),
            [("process_html", {"html": "<div>content</div>"})],
            VLLM,
            id="angle brackets in JSON",
        ),
        FormatCase(
            "several",
            "Help. "
            + vllm_wrap(
                vllm_tool("functions.bad:0", '{"city": "Beijing"'),
                vllm_tool("functions.good:1", '{"city": "Shanghai"}'),
            ),
            [("bad", None), ("good", {"city": "Shanghai"})],
            VLLM,
            violations=("invalid_json",),
            id="invalid JSON then a good call",
        ),
        FormatCase(
            "one",
            "Let me check. " + vllm_wrap(vllm_tool("0", '{"city": "Tokyo", "unit": "celsius"}')),
            [("", {"city": "Tokyo", "unit": "celsius"})],
            VLLM,
            violations=("missing_name",),
            id="bare counter id",
        ),
        FormatCase(
            "one",
            f"{SECTION_BEGIN_SINGULAR}{CALL_BEGIN}functions.ping:0{ARGUMENT_BEGIN}{{}}{CALL_END}{SECTION_END_SINGULAR}",
            [("ping", {})],
            "vLLM kimi_k2_tool_parser.py (singular section variants)",
            id="singular section markers",
        ),
    ]


CASES: dict[str, list[FormatCase]] = {"kimi_k2": kimi_cases()}


@pytest.mark.parametrize("spec_name", sorted(CASES))
def test_cases(spec_name: str) -> None:
    harness.check_cases(spec_name, CASES[spec_name])


def test_spec_example_and_markers() -> None:
    (spec,) = kimi.SPECS
    result = rr.parse(spec.example, format=spec.name)
    assert len(result.calls) == 1 and result.format == "kimi_k2"
    for case in CASES["kimi_k2"]:
        if spec.parse(case.text) is not None:
            assert any(m in case.text for m in spec.markers), case.id


@pytest.mark.parametrize("alias", ["kimi", "Kimi-K2", "kimi-k2-thinking", "kimi_k2.5"])
def test_aliases(alias: str) -> None:
    result = rr.parse(kimi_turn([BEIJING]), format=alias)
    assert result.format == "kimi_k2" and harness.calls_of(result) == [BEIJING]


@pytest.mark.parametrize(
    ("call_id", "name"),
    [
        ("functions.get_weather:0", "get_weather"),
        (" functions.get_weather:12 ", "get_weather"),
        ("get_weather:3", "get_weather"),
        ("functions.mcp.search:1", "mcp.search"),
        ("functions.get_weather", ""),
        ("functions.invalid.0", ""),
        ("0", ""),
        ("functions.:0", ""),
        ("functions.f:x", ""),
        ("functions.f:١", ""),  # a non-ASCII digit is no index
        ("", ""),
    ],
)
def test_call_name(call_id: str, name: str) -> None:
    assert kimi_call_name(call_id) == name


OTHER_FORMATS = [
    '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>',
    '[get_weather(city="Paris")]',
    '{"name": "get_weather", "arguments": {"city": "Paris"}}',
    '[TOOL_CALLS][{"name": "get_weather", "arguments": {"city": "Paris"}}]',
    '<|python_tag|>{"name": "get_weather", "parameters": {"city": "Paris"}}',
    "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>get_weather<｜tool▁sep｜>{}<｜tool▁call▁end｜><｜tool▁calls▁end｜>",
    '<｜DSML｜function_calls>\n<｜DSML｜invoke name="f">\n</｜DSML｜invoke>\n</｜DSML｜function_calls>',
    "I will use the tool_call feature; <|tool_call|> is not a Kimi marker.",
    "<|tool_call_start|>[get_weather(city='Paris')]<|tool_call_end|>",  # LFM2 shares the closing marker
    "",
]


@pytest.mark.parametrize("text", OTHER_FORMATS)
def test_other_formats_are_not_claimed(text: str) -> None:
    assert parse_kimi_k2(text) is None


@pytest.mark.parametrize(
    ("text", "calls", "violations"),
    [
        (f"{SECTION_BEGIN}{SECTION_END}", [], {"empty_call_block"}),
        (f"{SECTION_BEGIN}{CALL_BEGIN}{CALL_END}{SECTION_END}", [], {"empty_call_block"}),
        (f"{SECTION_BEGIN}{CALL_BEGIN}functions.f:0{CALL_END}{SECTION_END}", [("f", None)], {"invalid_json"}),
        (
            f"{SECTION_BEGIN}{CALL_BEGIN}{ARGUMENT_BEGIN}{{}}{CALL_END}{SECTION_END}",
            [("", {})],
            {"missing_name"},
        ),
        (
            f"{SECTION_BEGIN}{CALL_BEGIN}functions.f:0{ARGUMENT_BEGIN}[1]{CALL_END}{SECTION_END}",
            [("f", None)],
            {"arguments_not_object"},
        ),
        (
            f"{SECTION_BEGIN}{CALL_BEGIN}functions.f:0{ARGUMENT_BEGIN}{{}} and more{CALL_END}{SECTION_END}",
            [("f", {})],
            {"trailing_garbage"},
        ),
        (
            f'{SECTION_BEGIN}{CALL_BEGIN}functions.f:0{ARGUMENT_BEGIN}{{"a": 1, "a": 2}}{CALL_END}{SECTION_END}',
            [("f", {"a": 2})],
            {"duplicate_keys"},
        ),
        (f"{CALL_BEGIN}functions.f:0{ARGUMENT_BEGIN}{{}}{CALL_END}", [("f", {})], set()),  # no section: read
        (f"{CALL_END}{SECTION_END}", [], {"stray_closing_tag"}),
        (f"{SECTION_END}", [], {"stray_closing_tag"}),
        (
            f"{SECTION_BEGIN}{CALL_BEGIN}functions.f:0{ARGUMENT_BEGIN}{{}}{CALL_BEGIN}functions.g:1{ARGUMENT_BEGIN}{{}}"
            f"{CALL_END}{SECTION_END}",
            [("f", {}), ("g", {})],
            {"unclosed_tag"},
        ),
        (
            f"{SECTION_BEGIN}{CALL_BEGIN}functions.f:0{ARGUMENT_BEGIN}{{}}{CALL_END}{SECTION_END}<|im_end|>",
            [("f", {})],
            set(),
        ),
        (
            f"{SECTION_BEGIN}{CALL_BEGIN}functions.f:0{ARGUMENT_BEGIN}{{}}{CALL_END}\n{SECTION_END}\nDone.",
            [("f", {})],
            {"text_with_call"},
        ),
        (
            f'{SECTION_BEGIN}{CALL_BEGIN}functions.f:0{ARGUMENT_BEGIN}"{{\\"a\\": 1}}"{CALL_END}{SECTION_END}',
            [("f", {"a": 1})],
            {"arguments_json_string"},
        ),
    ],
)
def test_edges(text: str, calls: list[Any], violations: set[str]) -> None:
    result = parse_kimi_k2(text)
    assert result is not None and result.attempted_call
    assert harness.calls_of(result) == calls
    assert set(result.violations) == violations, result


_MANY = 100_000
_COPIES = 20_000


@pytest.mark.parametrize(
    "piece",
    [
        SECTION_BEGIN,
        SECTION_END,
        SECTION_BEGIN_SINGULAR,
        CALL_BEGIN,
        CALL_END,
        ARGUMENT_BEGIN,
        SECTION_BEGIN + CALL_BEGIN,
    ],
)
def test_repeated_markers_complete(piece: str) -> None:
    result = parse_kimi_k2(piece * _MANY, LONG)
    assert result is None or len(result.calls) <= LONG.max_calls


def test_unclosed_markers_complete() -> None:
    result = parse_kimi_k2(SECTION_BEGIN + CALL_BEGIN + "functions.f:0" + ARGUMENT_BEGIN + "[" * _MANY, LONG)
    assert result is not None and harness.calls_of(result) == [("f", None)]


@pytest.mark.parametrize("args", ['{"city": "Beijing"}', '{"city": '])
def test_repeated_blocks(args: str) -> None:
    block = f"{CALL_BEGIN}functions.get_weather:0{ARGUMENT_BEGIN}{args}{CALL_END}"
    result = parse_kimi_k2(SECTION_BEGIN + block * _COPIES + SECTION_END, LONG)
    assert result is not None
    assert len(result.calls) == LONG.max_calls and "too_many_calls" in result.violations
    assert len({id(call) for call in result.calls}) == len(result.calls)


def test_distinct_blocks_past_the_budget_are_over_budget() -> None:
    blocks = "".join(f"{CALL_BEGIN}functions.f:{i}{ARGUMENT_BEGIN}{{}}{CALL_END}" for i in range(5000))
    result = parse_kimi_k2(SECTION_BEGIN + blocks + SECTION_END, LONG)
    assert result is not None and "over_budget" in result.violations
