"""ByteDance Seed-OSS tool calls (``rlvr_rewards/parsing/seed_oss.py``): the shared family cases and direct tests.

TRL ships no Seed-OSS template, so the texts follow Seed-OSS-36B-Instruct's published ``chat_template.jinja``
(``<seed:tool_call>\\n<function=NAME>\\n<parameter=P>value</parameter>\\n</function>\\n</seed:tool_call>``, values
inline, reasoning in ``<seed:think>`` with ``<seed:cot_budget_reflect>`` notes) and the outputs of vLLM's
``tests/tool_parsers/test_seed_oss_tool_parser.py`` (the thinking-budget cases are taken from there).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import rlvr_rewards as rr
from rlvr_rewards.limits import Limits
from rlvr_rewards.parsing import glm, qwen3_xml, seed_oss
from rlvr_rewards.parsing.seed_oss import SPECS, parse_seed_oss, split_seed_think
from rlvr_rewards.plugins import get_registry, register_plugin, unregister_plugin
from tests.formats import harness
from tests.formats.harness import FormatCase

TEMPLATE = "Seed-OSS-36B-Instruct chat_template.jinja (tool-call turn as the template writes it)"
VLLM = "vLLM tests/tool_parsers/test_seed_oss_tool_parser.py outputs"
WEATHER = harness.tool(
    "get_weather",
    {"location": {"type": "string"}, "unit": {"type": "string"}},
    ["location"],
)
TOOLS = [WEATHER, harness.SEARCH]


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


def _call(name: str, **params: str) -> str:
    """One call as the Seed-OSS template writes it (values inline, one per line)."""
    body = "".join(f"<parameter={k}>{v}</parameter>\n" for k, v in params.items())
    return f"<seed:tool_call>\n<function={name}>\n{body}</function>\n</seed:tool_call>"


BARCELONA = _call("get_weather", location="Barcelona, Spain")
BUDGET_512 = (
    "<seed:think>The user's current thinking budget is 512.</seed:cot_budget_reflect>\nLet me analyze the question. "
    "The user wants to know the weather in Barcelona, Spain.\n<seed:cot_budget_reflect>I have used 131 tokens, and "
    "there are 381 tokens remaining for use.</seed:cot_budget_reflect>\n The unit parameter can be omitted since "
    "it's optional.</seed:think>\n"
)
UNLIMITED = (
    "<seed:think>\nGot it, let's see. The user asked for the weather in Barcelona, Spain. Let me format the function "
    "call correctly. The format is <seed:tool_call>\n<function=get_weather>\n<parameter=location>Barcelona, "
    "Spain</parameter>\n<parameter=unit>celsius</parameter>\n</function>\n</seed:tool_call>. Let me go with that."
    "</seed:think>"
)
SEARCH = {"query": "louvre hours", "limit": 3, "score": 0.5, "exact": True, "tags": ["museum"], "filters": {"x": 1}}


def _cases() -> list[FormatCase]:
    bcn = ("get_weather", {"location": "Barcelona, Spain"})
    return [
        FormatCase(
            "one",
            BARCELONA,
            [bcn],
            VLLM,
            tools=TOOLS,
            absent_violations=("text_with_call", "unclosed_tag", "trailing_garbage", "mixed_formats"),
        ),
        FormatCase(
            "one",
            _call(
                "search",
                query="louvre hours",
                limit="3",
                score="0.5",
                exact="True",
                tags='["museum"]',
                filters="{'x': 1}",
            ),
            [("search", {**SEARCH, "filters": "{'x': 1}"})],
            TEMPLATE + ": non-strings written with Jinja's `string` filter (an object as Python text)",
            tools=TOOLS,
            violations=("untyped_value",),
        ),
        FormatCase(
            "one",
            "<seed:tool_call>\n<function=get_weather>\n<parameter=location>\nBarcelona, Spain\n</parameter>\n"
            "</function>\n</seed:tool_call>",
            [bcn],
            "Seed-OSS system prompt's newline-framed example; vLLM seed_oss_tool_parser strips one newline a side",
            tools=TOOLS,
        ),
        FormatCase(
            "several",
            "\n" + BARCELONA + "\n" + _call("get_weather", location="Madrid, Spain", unit="celsius"),
            [bcn, ("get_weather", {"location": "Madrid, Spain", "unit": "celsius"})],
            TEMPLATE,
            tools=TOOLS,
        ),
        FormatCase(
            "several",
            "<seed:tool_call>\n<function=get_weather>\n<parameter=location>Paris</parameter>\n</function>\n"
            "<function=get_weather>\n<parameter=location>Lyon</parameter>\n</function>\n</seed:tool_call>",
            [("get_weather", {"location": "Paris"}), ("get_weather", {"location": "Lyon"})],
            "Seed-OSS system prompt: several functions in one tool call",
            tools=TOOLS,
        ),
        FormatCase("reasoning", BUDGET_512 + BARCELONA, [bcn], VLLM, think="thinking budget is 512", tools=TOOLS),
        FormatCase(
            "reasoning",
            UNLIMITED + _call("get_weather", location="Barcelona, Spain", unit="celsius"),
            [("get_weather", {"location": "Barcelona, Spain", "unit": "celsius"})],
            VLLM + " (a call written inside the reasoning is not a call)",
            think="Let me go with that",
            tools=TOOLS,
        ),
        FormatCase(
            "reasoning",
            "<seed:think>\n</seed:cot_budget_reflect>\n</seed:cot_budget_reflect>\nThe current thinking budget is 0, "
            "so I will directly start answering the question.\n</seed:think>\n" + BARCELONA,
            [bcn],
            VLLM + " (budget 0)",
            think="budget is 0",
            tools=TOOLS,
        ),
        FormatCase(
            "truncated",
            "<seed:tool_call>\n<function=get_weather>\n<parameter=location>Barcel",
            [("get_weather", {"location": "Barcel"})],
            TEMPLATE + " (cut off)",
            tools=TOOLS,
            violations=("unclosed_tag",),
        ),
        FormatCase(
            "truncated",
            "<seed:tool_call>\n<function=get_weather>\n<parameter=location>Barcelona, Spain</parameter>\n</function>\n",
            [bcn],
            TEMPLATE + " (cut off before </seed:tool_call>)",
            tools=TOOLS,
            violations=("unclosed_tag",),
        ),
        FormatCase(
            "prose",
            "Let me look up the weather in Barcelona.\n" + BARCELONA,
            [bcn],
            TEMPLATE,
            tools=TOOLS,
            violations=("text_with_call",),
        ),
        FormatCase("zero", "The weather in Barcelona is sunny and 24 degrees.", [], TEMPLATE, tools=TOOLS),
        FormatCase(
            "zero",
            "Seed-OSS wraps calls in <seed:tool_call> tags; I do not need one here.",
            [],
            "prose naming the tag",
            tools=TOOLS,
        ),
    ]


CASES = {"seed_oss": _cases()}


def test_cases() -> None:
    harness.check_cases("seed_oss", CASES["seed_oss"])


def test_spec() -> None:
    (spec,) = SPECS
    assert (spec.name, spec.priority) == ("seed_oss", 14)
    assert "<seed:tool_call>" in spec.markers
    got = parse_seed_oss(spec.example)
    assert got is not None and [c.name for c in got.calls] == ["get_weather"]
    assert rr.parse(spec.example, format="seed-oss").format == "seed_oss"


def _parse(text: str) -> Any:
    got = parse_seed_oss(text)
    assert got is not None, text
    return got


def test_not_claimed() -> None:
    for text in [
        "",
        "plain prose",
        '<tool_call>\n{"name": "f", "arguments": {}}\n</tool_call>',
        "<tool_call>\n<function=f>\n<parameter=a>\n1\n</parameter>\n</function>\n</tool_call>",
        "<function=f>\n<parameter=a>\n1\n</parameter>\n</function>",
        "<tool_call>f<arg_key>a</arg_key><arg_value>1</arg_value></tool_call>",
        "<seed:think>only reasoning</seed:think>The answer.",
        "[f(a=1)]",
    ]:
        assert parse_seed_oss(text) is None, text


def test_seed_think_is_reasoning() -> None:
    got = _parse(BUDGET_512 + BARCELONA)
    assert "thinking budget is 512" in got.think and "<seed:cot_budget_reflect>" in got.think
    assert got.text == "" and [c.name for c in got.calls] == ["get_weather"]
    got = _parse("<seed:think>Try <seed:tool_call><function=f></function></seed:tool_call></seed:think>Nothing to do.")
    assert got.calls == () and got.text == "Nothing to do." and "Try" in got.think and not got.attempted_call


@pytest.mark.parametrize(
    ("text", "answer", "think", "codes"),
    [
        ("no reasoning", "no reasoning", "", ()),
        ("<seed:think>a</seed:think>b", "\nb", "a", ()),
        ("a</seed:think>b", "b", "a", ()),
        ("<seed:think>a", "", "a", ("unclosed_think",)),
        ("x<seed:think>a</seed:think>b", "x\nb", "a", ("think_after_answer",)),
        ("<seed:think>a</seed:think><seed:think>b</seed:think>c", "\n\nc", "a\nb", ("repeated_think",)),
        ("<seed:think>a</seed:think>b</seed:think>", "\nb</seed:think>", "a", ("stray_closing_tag",)),
    ],
)
def test_split_seed_think(text: str, answer: str, think: str, codes: tuple[str, ...]) -> None:
    assert split_seed_think(text) == (answer, think, codes)


@pytest.mark.parametrize(
    ("text", "calls", "codes"),
    [
        ("<seed:tool_call></seed:tool_call>", [], {"empty_call_block"}),
        ("<seed:tool_call>get_weather</seed:tool_call>", [], {"missing_name"}),
        ("<seed:tool_call><function=f></function></seed:tool_call>", [("f", {})], set()),
        (
            "<seed:tool_call><function=f><parameter=a>\n\n1\n\n</parameter></function></seed:tool_call>",
            [("f", {"a": "\n1\n"})],
            set(),
        ),
        (
            "<seed:tool_call><function=f><parameter=a> 1 </parameter></function></seed:tool_call>",
            [("f", {"a": " 1 "})],
            set(),
        ),
        ("<seed:tool_call><function=f></function> junk</seed:tool_call>", [("f", {})], {"trailing_garbage"}),
        (
            "<seed:tool_call><function=f></function></seed:tool_call></seed:tool_call>",
            [("f", {})],
            {"stray_closing_tag"},
        ),
        ("</seed:tool_call>", [], {"stray_closing_tag"}),
        (
            "<seed:tool_call><function=f><parameter=a>1</parameter><parameter=a>2</parameter></function></seed:tool_call>",
            [("f", {"a": "2"})],
            {"duplicate_keys"},
        ),
        (
            "<seed:think>x</seed:think><seed:think>y</seed:think>" + BARCELONA,
            [("get_weather", {"location": "Barcelona, Spain"})],
            {"repeated_think"},
        ),
    ],
)
def test_irregular_shapes(text: str, calls: list[tuple[str, Any]], codes: set[str]) -> None:
    got = _parse(text)
    assert [(c.name, c.arguments) for c in got.calls] == calls
    assert codes <= set(got.violations), got.violations
    assert got.attempted_call and got.format == "seed_oss"


def test_too_many_calls_and_repeats() -> None:
    got = parse_seed_oss(BARCELONA * 100, Limits(max_calls=3))
    assert got is not None and len(got.calls) == 3 and "too_many_calls" in got.violations
    assert len({id(c) for c in got.calls}) == 3


@pytest.mark.parametrize(
    ("prefix", "unit"),
    [
        ("", "<seed:tool_call>"),
        ("", "</seed:tool_call>"),
        ("", BARCELONA),
        ("<seed:tool_call>", "<seed:think>"),
        ("<seed:tool_call>", "</seed:think>"),
        ("<seed:tool_call>\n", "<function=f>"),
        ("<seed:tool_call>\n<function=f>", "<parameter=a>1"),
    ],
)
def test_markers_repeated_complete(prefix: str, unit: str) -> None:
    got = parse_seed_oss(prefix + unit * 100_000)
    assert got is not None and len(got.calls) <= Limits().max_calls
