"""GPT-OSS harmony format (``rlvr_rewards/parsing/harmony.py``): the shared family cases and direct tests.

Real outputs come from TRL's ``gptoss.jinja`` (rendered at test time, sliced after the generation prompt
``<|start|>assistant``); the others follow the OpenAI harmony format guide's examples (preambles,
``<|constrain|>json``, the recipient after the channel).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest

import rlvr_rewards as rr
from rlvr_rewards.limits import Limits
from rlvr_rewards.parsing import harmony
from rlvr_rewards.parsing.harmony import SPECS, parse_harmony, split_analysis
from rlvr_rewards.plugins import get_registry, register_plugin, unregister_plugin
from tests.formats import harness
from tests.formats.harness import FormatCase

GUIDE = "OpenAI harmony format guide (openai-cookbook articles/openai-harmony.md)"
TRL = "TRL 1.16 trl/chat_templates/gptoss.jinja (rendered)"
TEMPLATE = "gptoss.jinja"
USER = [{"role": "user", "content": "What is the weather in Paris?"}]


@pytest.fixture(scope="module", autouse=True)
def _harmony_registered() -> Iterator[None]:
    """The harmony parser among the registered formats (registered here until the built-ins list it)."""
    if any(spec.name == "harmony" for spec in get_registry().parsers):
        yield
        return
    register_plugin(harmony, name="test_harmony_parser")
    try:
        yield
    finally:
        unregister_plugin("test_harmony_parser")


def _turn(*assistant: dict[str, Any]) -> str:
    """What GPT-OSS writes for the assistant message(s) after ``USER`` (TRL's template; the conversation
    minus the prompt rendered with its generation prompt ``<|start|>assistant``)."""
    before = harness.render_with_trl_template(TEMPLATE, USER, harness.TOOLS, add_generation_prompt=True)
    whole = harness.render_with_trl_template(TEMPLATE, [*USER, *assistant], harness.TOOLS)
    assert whole.startswith(before) and before.endswith("<|start|>assistant")
    return whole[len(before) :]


def _call_msg(name: str, args: dict[str, Any], as_string: bool = False, **extra: Any) -> dict[str, Any]:
    return {"role": "assistant", "tool_calls": [harness.tool_call(name, args, as_string)], **extra}


PARIS = {"city": "Paris", "unit": "celsius", "days": 2}
SEARCH = {"query": "louvre hours", "limit": 3, "score": 0.5, "exact": True, "tags": ["museum"], "filters": {"x": 1}}
ANALYSIS = "<|channel|>analysis<|message|>The user wants the weather in Paris. Use get_weather.<|end|>"
GUIDE_CALL = (
    "<|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>"
    '{"city":"San Francisco"}<|call|>'
)


def _cases() -> list[FormatCase]:
    return [
        FormatCase(
            "one",
            _turn(_call_msg("get_weather", PARIS)),
            [("get_weather", PARIS)],
            TRL,
            id="trl call, recipient in the role part",
            absent_violations=("text_with_call", "unclosed_tag"),
        ),
        FormatCase(
            "one",
            "<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>"
            '{"city":"San Francisco"}<|call|>',
            [("get_weather", {"city": "San Francisco"})],
            GUIDE,
            id="guide call, recipient after the channel",
            absent_violations=("text_with_call", "unclosed_tag"),
        ),
        FormatCase(
            "one",
            _turn(_call_msg("get_weather", PARIS, as_string=True)),
            [("get_weather", PARIS)],
            TRL + " with JSON-string arguments",
            violations=("arguments_json_string",),
            id="arguments rendered as a JSON string",
        ),
        FormatCase(
            "reasoning",
            _turn(_call_msg("get_weather", PARIS, thinking="Need the weather tool for Paris.")),
            [("get_weather", PARIS)],
            TRL,
            think="Need the weather tool for Paris.",
            id="trl thinking + call",
            absent_violations=("text_with_call",),
        ),
        FormatCase(
            "reasoning",
            "<|channel|>analysis<|message|>Need to use function get_weather.<|end|>" + GUIDE_CALL,
            [("get_weather", {"city": "San Francisco"})],
            GUIDE,
            think="Need to use function get_weather.",
            id="guide analysis + call",
        ),
        FormatCase(
            "reasoning",
            "<|channel|>analysis<|message|>Maybe <tool_call>"
            '{"name": "get_weather", "arguments": {"city": "Rome"}}</tool_call>? No, just answer.<|end|>'
            "<|start|>assistant<|channel|>final<|message|>It is sunny in Rome.<|return|>",
            [],
            GUIDE,
            think="No, just answer.",
            id="a <tool_call> inside the analysis channel is no call",
        ),
        FormatCase(
            "reasoning",
            _turn({"role": "assistant", "thinking": "Simple arithmetic.", "content": "2 + 2 = 4."}),
            [],
            TRL,
            think="Simple arithmetic.",
            id="trl thinking + final answer",
        ),
        FormatCase(
            "several",
            _turn(_call_msg("get_weather", PARIS), _call_msg("search", SEARCH)),
            [("get_weather", PARIS), ("search", SEARCH)],
            TRL + " (two assistant tool-call messages)",
            tools=harness.TOOLS,
            absent_violations=("text_with_call",),
        ),
        FormatCase(
            "several",
            ANALYSIS + "<|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>"
            '{"city": "Paris"}<|call|>'
            "<|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>"
            '{"city": "Lyon", "unit": "fahrenheit"}<|call|>',
            [("get_weather", {"city": "Paris"}), ("get_weather", {"city": "Lyon", "unit": "fahrenheit"})],
            GUIDE,
            think="Use get_weather.",
        ),
        FormatCase(
            "zero",
            _turn({"role": "assistant", "content": "Which city do you mean, Paris in France or in Texas?"}),
            [],
            TRL,
            id="trl final answer (a question)",
        ),
        FormatCase(
            "zero",
            '<|channel|>analysis<|message|>User asks: "What is 2 + 2?" Simple arithmetic.<|end|>\n'
            "<|start|>assistant<|channel|>final<|message|>2 + 2 = 4.<|return|>",
            [],
            GUIDE,
            think="Simple arithmetic.",
        ),
        FormatCase(
            "truncated",
            ANALYSIS + '<|start|>assistant<|channel|>commentary to=functions.get_weather json<|message|>{"city": "Par',
            [("get_weather", None)],
            GUIDE + " (cut mid-arguments)",
            violations=("invalid_json",),
        ),
        FormatCase(
            "truncated",
            _turn(_call_msg("get_weather", PARIS)).removesuffix("<|call|>"),
            [("get_weather", PARIS)],
            TRL + " without its <|call|> (servers drop the stop token: no violation)",
            absent_violations=("unclosed_tag",),
        ),
        FormatCase(
            "truncated",
            "<|channel|>analysis<|message|>The user wants the weather. I should call get_weather with",
            [],
            GUIDE + " (cut mid-reasoning)",
            think="I should call get_weather",
            violations=("unclosed_think",),
        ),
        FormatCase(
            "prose",
            "<|channel|>analysis<|message|>{long chain of thought}<|end|>"
            "<|start|>assistant<|channel|>commentary<|message|>**Action plan**:\n1. Generate an HTML file\n"
            "---\nWill start executing the plan step by step<|end|>"
            "<|start|>assistant<|channel|>commentary to=functions.generate_file<|constrain|>json<|message|>"
            '{"template": "basic_html", "path": "index.html"}<|call|>',
            [("generate_file", {"template": "basic_html", "path": "index.html"})],
            GUIDE + " (preamble)",
            violations=("text_with_call",),
            id="commentary preamble beside a call",
        ),
        FormatCase(
            "prose",
            "<|channel|>final<|message|>Let me check the weather for you.<|end|>" + GUIDE_CALL,
            [("get_weather", {"city": "San Francisco"})],
            GUIDE,
            violations=("text_with_call",),
            id="final message beside a call",
        ),
    ]


CASES: dict[str, list[FormatCase]] = {"harmony": _cases()}


def test_cases() -> None:
    harness.check_cases("harmony", CASES["harmony"])


def test_case_texts_hold_a_marker() -> None:
    for case in CASES["harmony"]:
        assert any(m in case.text for m in SPECS[0].markers), case.id


# --------------------------------------------------------------------------------------------------
# the spec
# --------------------------------------------------------------------------------------------------


def test_spec() -> None:
    (spec,) = SPECS
    assert (spec.name, spec.priority, spec.family) == ("harmony", 15, "GPT-OSS")
    assert {"gpt-oss", "gpt_oss", "harmony"} <= set(spec.aliases)
    assert spec.markers == ("<|channel|>", "to=functions.")
    result = spec.parse(spec.example)
    assert result is not None and [(c.name, c.arguments) for c in result.calls] == [("get_weather", {"city": "Paris"})]
    assert result.violations == () and result.think
    assert rr.parse(spec.example, format="gpt-oss").calls == result.calls


def _calls(result: Any) -> list[tuple[str, Any]]:
    assert result is not None
    return [(c.name, c.arguments) for c in result.calls]


# --------------------------------------------------------------------------------------------------
# header and body shapes
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        ' to=functions.f<|channel|>commentary json<|message|>{"a": 1}<|call|>',
        '<|start|>assistant to=functions.f<|channel|>commentary json<|message|>{"a": 1}<|call|>',
        '<|channel|>commentary to=functions.f <|constrain|>json<|message|>{"a": 1}<|call|>',
        '<|channel|>commentary to=functions.f<|constrain|>json<|message|>{"a": 1}<|end|>',
        '<|channel|>commentary to=functions.f<|message|>\n{"a": 1}\n<|call|>',
        'assistant<|channel|>commentary to=functions.f json<|message|>{"a": 1}<|call|>',
        '<|start|>assistant to=functions.f<|message|>{"a": 1}<|call|>',  # no channel
        '<|channel|>analysis to=functions.f<|message|>{"a": 1}<|call|>',  # the recipient makes the call
    ],
)
def test_header_shapes(text: str) -> None:
    result = parse_harmony(text)
    assert _calls(result) == [("f", {"a": 1})]
    assert result is not None and result.violations == () and result.text == "" and result.attempted_call


@pytest.mark.parametrize(
    ("body", "args", "codes"),
    [
        ("", None, {"empty_call_block"}),
        ("   ", None, {"empty_call_block"}),
        ("not json", None, {"invalid_json"}),
        ("[1, 2]", None, {"arguments_not_object"}),
        ('"{\\"a\\": 1}"', {"a": 1}, {"arguments_json_string"}),
        ('"nope"', None, {"arguments_json_string", "invalid_json"}),
        ('{"a": 1} and more', {"a": 1}, {"trailing_garbage"}),
        ('{"a": 1, "a": 2}', {"a": 2}, {"duplicate_keys"}),
        ("[" * 5000 + "]" * 5000, None, {"nesting_too_deep"}),
        ('{"a": 1e999}', None, {"nonfinite_number"}),
    ],
)
def test_bodies(body: str, args: Any, codes: set[str]) -> None:
    result = parse_harmony(f"<|channel|>commentary to=functions.f json<|message|>{body}<|call|>")
    assert _calls(result) == [("f", args)]
    assert result is not None and codes <= set(result.violations), result.violations


def test_missing_name_and_header_only_call() -> None:
    result = parse_harmony('<|channel|>commentary to=functions. json<|message|>{"a": 1}<|call|>')
    assert _calls(result) == [("", {"a": 1})]
    assert result is not None and "missing_name" in result.violations
    result = parse_harmony("<|start|>assistant to=functions.f<|channel|>commentary json<|call|>")
    assert _calls(result) == [("f", None)]
    assert result is not None and "empty_call_block" in result.violations
    result = parse_harmony("<|start|>assistant to=functions.f<|channel|>commentary json")  # cut in the header
    assert _calls(result) == [("f", None)]
    assert result is not None and {"empty_call_block"} <= set(result.violations)


def test_message_cut_by_the_next_header() -> None:
    text = (
        '<|channel|>commentary to=functions.f json<|message|>{"a": 1}'
        '<|start|>assistant<|channel|>commentary to=functions.g json<|message|>{"b": 2}<|call|>'
    )
    result = parse_harmony(text)
    assert _calls(result) == [("f", {"a": 1}), ("g", {"b": 2})]
    assert result is not None and "unclosed_tag" in result.violations
    result = parse_harmony(
        '<|channel|>final<|message|>Hi<|channel|>commentary to=functions.g<|message|>{"b": 2}<|call|>'
    )
    assert _calls(result) == [("g", {"b": 2})]
    assert result is not None and result.text == "Hi"
    assert {"unclosed_tag", "text_with_call"} <= set(result.violations)


def test_text_messages() -> None:
    result = parse_harmony("<|channel|>final<|message|>The answer is 4.")  # <|return|> not decoded
    assert result is not None and result.text == "The answer is 4." and result.violations == ()
    assert not result.calls and not result.attempted_call and result.format == "harmony"
    result = parse_harmony("<|channel|>commentary<|message|>Working on it.<|end|>")
    assert result is not None and result.text == "Working on it."


def test_other_recipients_are_not_calls() -> None:
    python = '<|channel|>analysis to=python<|message|>print("hi")<|call|>'
    result = parse_harmony(python)
    assert result is not None and not result.calls and result.think == 'print("hi")'
    browser = '<|channel|>commentary to=browser.search <|constrain|>json<|message|>{"query": "x"}<|call|>'
    result = parse_harmony(browser)
    assert result is not None and not result.calls and result.text == '{"query": "x"}'


def test_stray_end_tokens_and_text_outside_messages() -> None:
    text = 'Sure.<|end|>\n<|start|>assistant<|channel|>commentary to=functions.f<|message|>{"a": 1}<|call|> bye'
    result = parse_harmony(text)
    assert _calls(result) == [("f", {"a": 1})]
    assert result is not None and result.text == "Sure.\nbye"
    assert {"stray_closing_tag", "text_with_call"} <= set(result.violations)


def test_role_part_is_one_line() -> None:
    """Without ``<|start|>``, only the text on the header's own line is its role part."""
    text = 'I will look it up.\n to=functions.f<|channel|>commentary json<|message|>{"a": 1}<|call|>'
    result = parse_harmony(text)
    assert _calls(result) == [("f", {"a": 1})]
    assert result is not None and result.text == "I will look it up." and "text_with_call" in result.violations


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Plain prose.",
        '<tool_call>{"name": "f", "arguments": {}}</tool_call>',
        '[get_weather(city="Paris")]',
        '{"name": "f", "arguments": {"a": 1}}',
        '[TOOL_CALLS][{"name": "f", "arguments": {}}]',
        "The <|channel|> token starts the channel part of a header.",
        "A header looks like <|start|>assistant to=functions.f",
        "<|end|><|return|><|call|>",
        "<|message|>no channel here",
    ],
)
def test_not_claimed(text: str) -> None:
    assert parse_harmony(text) is None


def test_too_many_calls_and_limits() -> None:
    call = '<|start|>assistant<|channel|>commentary to=functions.f json<|message|>{"a": 1}<|call|>'
    result = parse_harmony(call * 100)
    assert result is not None and len(result.calls) == Limits().max_calls
    assert "too_many_calls" in result.violations
    result = parse_harmony(call * 3, Limits(max_calls=1))
    assert result is not None and len(result.calls) == 1 and "too_many_calls" in result.violations
    result = parse_harmony(
        '<|channel|>commentary to=functions.f<|message|>{"a": "' + "x" * 50 + '"}', Limits(max_chars=20)
    )
    assert _calls(result) == [("f", None)]
    assert result is not None and "too_long" in result.violations


def test_distinct_calls_past_the_block_budget() -> None:
    text = "".join(f'<|channel|>commentary to=functions.f<|message|>{{"a": {i}}}<|call|>' for i in range(3000))
    result = parse_harmony(text)
    assert result is not None and result.violations == ("over_budget",) and not result.calls


# --------------------------------------------------------------------------------------------------
# split_analysis
# --------------------------------------------------------------------------------------------------


def test_split_analysis_untouched() -> None:
    text = '<tool_call>{"name": "f", "arguments": {}}</tool_call>'
    assert split_analysis(text)[0] is text
    text = '<|channel|>commentary to=functions.f<|message|>{"analysis": 1}<|call|>'
    assert split_analysis(text) == (text, "", ())


def test_split_analysis_removes_reasoning() -> None:
    text = (
        "<|channel|>analysis<|message|>first <tool_call>x</tool_call><|end|>"
        "<|start|>assistant<|channel|>analysis<|message|>second<|end|>"
        '<|start|>assistant<|channel|>commentary to=functions.f json<|message|>{"a": 1}<|call|>'
    )
    answer, think, found = split_analysis(text)
    assert answer == '<|start|>assistant<|channel|>commentary to=functions.f json<|message|>{"a": 1}<|call|>'
    assert think == "first <tool_call>x</tool_call>\nsecond" and found == ()


def test_split_analysis_violations() -> None:
    assert split_analysis("<|channel|>analysis<|message|>cut") == ("", "cut", ("unclosed_think",))
    answer, think, found = split_analysis(
        "<|channel|>analysis<|message|>a<|start|>assistant<|channel|>final<|message|>b"
    )
    assert (answer, think, found) == ("<|start|>assistant<|channel|>final<|message|>b", "a", ("unclosed_tag",))
    text = "<|channel|>final<|message|>b<|end|><|start|>assistant<|channel|>analysis<|message|>late<|end|>"
    assert split_analysis(text) == ("<|channel|>final<|message|>b<|end|>", "late", ("think_after_answer",))
    call = '<|channel|>analysis to=functions.f<|message|>{"a": 1}<|call|>'  # a call, not reasoning
    assert split_analysis(call) == (call, "", ())


def test_split_then_parse_equals_parse() -> None:
    """What the dispatcher does (split first, merge its violations) reads like the parser alone."""
    for case in CASES["harmony"]:
        whole = parse_harmony(case.text)
        answer, think, found = split_analysis(case.text)
        part = parse_harmony(answer)
        if part is None:
            assert whole is not None and not whole.calls and not whole.text, case.id
            continue
        assert whole is not None, case.id
        assert (part.calls, part.text) == (whole.calls, whole.text), case.id
        assert set(part.violations) | set(found) == set(whole.violations), case.id
        assert think == whole.think and not part.think, case.id


# --------------------------------------------------------------------------------------------------
# robustness: never raises, linear on repeated markers
# --------------------------------------------------------------------------------------------------

_PIECES = (
    "<|start|>",
    "assistant",
    "<|channel|>",
    "analysis",
    "commentary",
    "final",
    " to=functions.f",
    " to=python",
    "<|constrain|>",
    "json",
    "<|message|>",
    '{"a": 1}',
    '{"a": ',
    "text",
    "\n",
    "<|end|>",
    "<|call|>",
    "<|return|>",
    "<tool_call>",
)


def test_random_token_soup_never_raises() -> None:
    rng = random.Random(17)
    for _ in range(2000):
        text = "".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 14)))
        result = parse_harmony(text)
        answer, _, _ = split_analysis(text)
        if result is not None:
            assert any(m in text for m in SPECS[0].markers)
            assert all(isinstance(c.name, str) for c in result.calls)
        assert len(answer) <= len(text)


@pytest.mark.parametrize(
    "unit",
    [
        "<|start|>",
        "<|channel|>",
        "<|message|>",
        "<|constrain|>",
        "<|end|>",
        "<|call|>",
        "<|return|>",
        "to=functions.",
        " to=functions.f",
        "<|channel|>analysis",
        "<|channel|>commentary to=functions.f<|message|>",
        '<|channel|>commentary to=functions.f<|message|>{"a": 1}<|call|>',
        "<|start|>assistant<|channel|>final<|message|>x",
        "<|channel|>analysis<|message|>x",
        "<|",
    ],
)
def test_repeated_markers_complete(unit: str) -> None:
    text = unit * 100_000
    result = parse_harmony(text)
    split_analysis(text)
    if result is not None:
        assert len(result.calls) <= Limits().max_calls
    # with an opening call header in front, and a body around the repeats
    parse_harmony("<|channel|>commentary to=functions.f<|message|>{" + text)
    parse_harmony(text + "<|channel|>commentary to=functions.f<|message|>{}")
