"""The ``llama4`` format: Llama 4 pythonic calls in ``<|python_start|>...<|python_end|>``.

Texts follow the vLLM tests ``tests/tool_parsers/test_llama4_pythonic_tool_parser.py`` and the
``meta-llama/Llama-4-*-Instruct`` Hub chat template (its assistant turn with calls: ``<|python_start|>`` + the
message text + ``<|python_end|>`` + each call as ``{"name": .., "parameters": ..}``); that template does not
ship in TRL, so nothing is rendered here. A plain ``[f(a=1)]`` (no marker) is the ``pythonic`` format.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import rlvr_rewards as rr
from rlvr_rewards.parsing import llama4 as module
from rlvr_rewards.parsing.llama4 import SPECS, parse_llama4
from rlvr_rewards.plugins import get_plugin_manager, register_plugin, unregister_plugin
from tests.formats.harness import TOOLS, FormatCase, calls_of, check_cases

VLLM = "vLLM tests/tool_parsers/test_llama4_pythonic_tool_parser.py"
HUB = "meta-llama/Llama-4-Scout-17B-16E-Instruct chat template (calls as JSON after <|python_end|>)"

LA = {"city": "LA", "metric": "C"}
DOE = {"name": "Doe", "age": 9}
SIMPLE = "[get_weather(city='LA', metric='C')]"
MORE_TYPES = (
    "[register_user(name='Doe', age=9, address={'city': 'LA', 'state': 'CA'}, role=None, passed_test=True, "
    "aliases=['John', 'Johnny'])]"
)
USER = {
    "name": "Doe",
    "age": 9,
    "address": {"city": "LA", "state": "CA"},
    "role": None,
    "passed_test": True,
    "aliases": ["John", "Johnny"],
}
JSON_LA = '{"name": "get_weather", "parameters": {"city": "LA", "metric": "C"}}'


def wrapped(body: str) -> str:
    return f"<|python_start|>{body}<|python_end|>"


CASES: dict[str, list[FormatCase]] = {
    "llama4": [
        FormatCase("one", wrapped(SIMPLE), [("get_weather", LA)], VLLM, absent_violations=("text_with_call",)),
        FormatCase("one", wrapped(MORE_TYPES), [("register_user", USER)], VLLM, tools=TOOLS),
        FormatCase("one", wrapped("[get_weather()]") + "<|eot|>", [("get_weather", {})], VLLM, id="with <|eot|>"),
        FormatCase(
            "several",
            wrapped("[get_weather(city='LA', metric='C'), get_weather(), do_something_cool(steps=[])]"),
            [("get_weather", LA), ("get_weather", {}), ("do_something_cool", {"steps": []})],
            VLLM,
        ),
        FormatCase(
            "truncated",
            "<|python_start|>[get_weather(city='LA', metric='C'), register_user(name='Doe', age=9)]",
            [("get_weather", LA), ("register_user", DOE)],
            VLLM,
            violations=("unclosed_tag",),
            id="no <|python_end|>",
        ),
        FormatCase(
            "truncated",
            "<|python_start|>[get_weather(city='LA', met",
            [],
            VLLM,
            violations=("unclosed_tag", "pythonic_not_call"),
        ),
        FormatCase(
            "one",
            "<|python_start|><|python_end|>" + JSON_LA,
            [("get_weather", LA)],
            HUB,
            absent_violations=("text_with_call",),
            id="template layout",
        ),
        FormatCase(
            "several",
            "<|python_start|><|python_end|>" + JSON_LA + '{"name": "register_user", "parameters": '
            '{"name": "Doe", "age": 9}}<|eot|>',
            [("get_weather", LA), ("register_user", DOE)],
            HUB,
            id="template layout",
        ),
        FormatCase(
            "prose",
            "<|python_start|>Let me look up the weather.<|python_end|>" + JSON_LA,
            [("get_weather", LA)],
            HUB,
            violations=("text_with_call",),
            id="template layout with text",
        ),
        FormatCase(
            "prose",
            "I'll check the weather in LA.\n" + wrapped(SIMPLE),
            [("get_weather", LA)],
            VLLM,
            violations=("text_with_call",),
        ),
        FormatCase(
            "reasoning",
            "<think>Weather question: call get_weather for LA.</think>\n" + wrapped(SIMPLE),
            [("get_weather", LA)],
            VLLM + ", after a <think> block (the dispatcher's reasoning split)",
            think="call get_weather",
        ),
        FormatCase("zero", "How can I help you today?", [], VLLM),
        FormatCase("zero", "<|python_start|><|python_end|>", [], HUB + ", no call", violations=("empty_call_block",)),
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
    check_cases("llama4", CASES["llama4"])


@pytest.mark.parametrize("hint", ["llama4", "llama-4", "Llama 4"])
def test_hints(hint: str) -> None:
    result = rr.parse(wrapped(SIMPLE), format=hint)
    assert result.format == "llama4" and calls_of(result) == [("get_weather", LA)]
    plain = rr.parse(SIMPLE, format=hint)  # the family's plain list: the hint includes the pythonic parser
    assert plain.format == "pythonic" and calls_of(plain) == [("get_weather", LA)]


def test_example_is_one_call() -> None:
    (spec,) = SPECS
    result = rr.parse(spec.example)
    assert result.format == spec.name and len(result.calls) == 1 and not result.violations


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        (SIMPLE, [("get_weather", LA)]),
        (MORE_TYPES, [("register_user", USER)]),
        (
            "[get_weather(city='LA',metric='C'),register_user(name='Doe',age=9)]",
            [("get_weather", LA), ("register_user", DOE)],
        ),
        (
            r"[get_weather(city='Martha\'s Vineyard', metric='\"cool units\"')]",
            [("get_weather", {"city": "Martha's Vineyard", "metric": '"cool units"'})],
        ),
    ],
)
def test_plain_lists_stay_pythonic(text: str, calls: list[tuple[str, object]]) -> None:
    """Llama 4's plain ``[f(a=1)]`` (vLLM's test outputs without markers) is read by auto-detection, as the
    ``pythonic`` format; this parser does not claim it."""
    assert parse_llama4(text) is None
    result = rr.parse(text)
    assert result.format == "pythonic" and calls_of(result) == calls


@pytest.mark.parametrize(
    "text",
    [
        "How can I help you today?",
        '<|python_tag|>{"name": "f", "parameters": {"a": 1}}',  # Llama 3
        '<tool_call>\n{"name": "f", "arguments": {"a": 1}}\n</tool_call>',
        '{"name": "f", "parameters": {}}',
        "<|header_start|>assistant<|header_end|>\n\nhi<|eot|>",
    ],
)
def test_other_text_is_not_claimed(text: str) -> None:
    assert parse_llama4(text) is None


@pytest.mark.parametrize(
    ("text", "violations", "calls"),
    [
        ("<|python_end|>", {"stray_closing_tag"}, []),
        (SIMPLE + "<|python_end|>", {"stray_closing_tag"}, []),
        (wrapped(SIMPLE) + "<|python_end|>", {"stray_closing_tag"}, [("get_weather", LA)]),
        (wrapped("get_weather(city='LA')"), set(), [("get_weather", {"city": "LA"})]),
        (wrapped("print('hi')"), {"pythonic_not_call"}, [("print", None)]),
        (wrapped("import os"), {"pythonic_not_call"}, []),
        (wrapped(JSON_LA), set(), [("get_weather", LA)]),
        (wrapped("[" + JSON_LA + "]"), set(), [("get_weather", LA)]),
        ("<|python_start|><|python_end|>" + JSON_LA + " Done.", {"text_with_call"}, [("get_weather", LA)]),
        ("<|python_start|><|python_end|>{broken", {"invalid_json"}, []),
        ("<|python_start|><|python_end|>[f(a=1)]", {"empty_call_block", "text_with_call"}, []),
        (wrapped(SIMPLE) + wrapped("[get_weather()]"), set(), [("get_weather", LA), ("get_weather", {})]),
        (wrapped(SIMPLE) + "<|eom|>\n<|eot|>  ", set(), [("get_weather", LA)]),
        # JSON constants are not Llama 4's: `true` is a bare name, read as the string it spells (BFCL), flagged
        (wrapped("[f(a=true)]"), {"pythonic_bare_name"}, [("f", {"a": "true"})]),
    ],
)
def test_edges(text: str, violations: set[str], calls: list[tuple[str, object]]) -> None:
    result = parse_llama4(text)
    assert result is not None and result.attempted_call and result.format == "llama4"
    assert violations <= set(result.violations), result
    assert calls_of(result) == calls
    assert "<|eot|>" not in result.text and "<|python_end|>" not in result.text


@pytest.mark.parametrize(
    "text",
    [
        "<|python_start|>" * 100_000,
        "<|python_end|>" * 100_000,
        "<|python_start|><|python_end|>" * 100_000,
        wrapped(SIMPLE) * 50_000,
        "<|python_start|>[f(" * 100_000,
        "<|python_start|><|python_end|>" + "{}" * 100_000,
        "<|python_start|><|python_end|>" + JSON_LA * 10_000,
        wrapped(SIMPLE) + "<|eot|>" * 100_000,
    ],
    ids=lambda text: f"{len(text)} chars",
)
def test_repeated_markers_complete(text: str) -> None:
    result = parse_llama4(text)
    assert result is not None and len(result.calls) <= rr.Limits().max_calls
