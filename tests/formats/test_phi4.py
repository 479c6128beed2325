"""The ``phi4_mini`` format: Phi-4-mini ``functools[{"name": .., "arguments": {..}}, ...]``.

TRL's Phi templates (``phi3.jinja``, ``phi3_5.jinja``) render ``content`` only, never ``tool_calls``, so the
texts here follow the Phi-4-mini tool prompt of vLLM's ``examples/tool_chat_template_phi4_mini.jinja`` ("prefix
function calls with functools marker (no closing marker required)", "a single JSON list formatted as
functools[{"name": ..., "arguments": ...}, ...]") and the outputs of vLLM's parser test
(``tests/tool_parsers/test_phi4mini_tool_parser.py``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

import rlvr_rewards as rr
from rlvr_rewards.limits import Limits
from rlvr_rewards.parsing import phi4 as module
from rlvr_rewards.parsing.phi4 import SPECS, parse_phi4_mini
from rlvr_rewards.plugins import get_plugin_manager, register_plugin, unregister_plugin
from tests.formats.harness import TOOLS, FormatCase, calls_of, check_cases, trl_template

PARIS = {"city": "Paris", "days": 2}
SEARCH = {
    "query": "rust async",
    "limit": 5,
    "score": 0.5,
    "exact": True,
    "tags": ["tutorial", "beginner"],
    "filters": {"lang": "en", "safe": True, "region": None},
}
PROMPT = 'vLLM examples/tool_chat_template_phi4_mini.jinja (functools[{"name": .., "arguments": ..}, ...])'
VLLM = "vLLM tests/tool_parsers/test_phi4mini_tool_parser.py"


def functools(*calls: tuple[str, dict[str, object]]) -> str:
    return "functools" + json.dumps([{"name": name, "arguments": args} for name, args in calls])


CASES: dict[str, list[FormatCase]] = {
    "phi4_mini": [
        FormatCase(
            "one",
            'functools[{"name": "get_weather", "arguments": {"city": "Tokyo"}}]',
            [("get_weather", {"city": "Tokyo"})],
            VLLM,
            absent_violations=("text_with_call",),
        ),
        FormatCase(
            "one",
            functools(("get_weather", PARIS)) + "<|end|>",
            [("get_weather", PARIS)],
            PROMPT + " (decoded with its <|end|> token)",
            tools=TOOLS,
            absent_violations=("text_with_call",),
        ),
        FormatCase(
            "one",
            'functools[{"name": "get_weather", "parameters": {"city": "Tokyo"}}]',
            [("get_weather", {"city": "Tokyo"})],
            "vLLM vllm/tool_parsers/phi4mini_tool_parser.py (takes `parameters` for `arguments`)",
        ),
        FormatCase(
            "one",
            'functools[{"name": "refresh", "arguments": {}}]',
            [("refresh", {})],
            VLLM + " (empty arguments)",
        ),
        FormatCase(
            "one",
            'functools[{"name": "func", "arguments": "not a dict"}]',
            [("func", None)],
            VLLM + " (malformed: arguments not an object)",
            violations=("arguments_json_string", "invalid_json"),
        ),
        FormatCase(
            "several",
            'functools[\n  {"name": "get_weather", "arguments": {"city": "Tokyo"}},\n'
            '  {"name": "get_time", "arguments": {"timezone": "Asia/Tokyo"}}\n]',
            [("get_weather", {"city": "Tokyo"}), ("get_time", {"timezone": "Asia/Tokyo"})],
            VLLM + " (parallel calls)",
        ),
        FormatCase(
            "several",
            functools(("get_weather", PARIS), ("search", SEARCH)),
            [("get_weather", PARIS), ("search", SEARCH)],
            PROMPT,
            tools=TOOLS,
            absent_violations=("text_with_call",),
        ),
        FormatCase("zero", "This is a regular response without any tool calls.", [], VLLM),
        FormatCase("zero", "The capital of Poland is Warsaw.", [], PROMPT + " (answered from knowledge)"),
        FormatCase(
            "zero",
            "functools[] This is just text",
            [],
            VLLM + " (malformed: empty functools)",
            violations=("empty_call_block", "text_with_call"),
        ),
        FormatCase(
            "reasoning",
            "<think>The user asks for the weather; I should call the tool.</think>\n"
            + functools(("get_weather", PARIS)),
            [("get_weather", PARIS)],
            PROMPT + " after <think> reasoning (Phi-4-mini-reasoning)",
            think="call the tool",
            absent_violations=("text_with_call",),
        ),
        FormatCase(
            "truncated",
            'functools[{"name": "func", "arguments": {',
            [],
            VLLM + " (malformed: cut short)",
            violations=("invalid_json",),
        ),
        FormatCase(
            "truncated",
            "functools[ This is just text ]",
            [],
            VLLM + " (malformed: not JSON)",
            violations=("invalid_json",),
        ),
        FormatCase(
            "prose",
            'Let me check the weather for you.\nfunctools[{"name": "get_weather", "arguments": {"city": "Tokyo"}}]\n'
            "Would you like to know more?",
            [("get_weather", {"city": "Tokyo"})],
            VLLM + " (surrounding text)",
            violations=("text_with_call",),
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


def test_trl_phi_templates_render_no_tool_calls() -> None:
    """Why no case is rendered: TRL's Phi templates print ``message['content']`` and nothing else."""
    for name in ("phi3.jinja", "phi3_5.jinja"):
        assert "tool_calls" not in trl_template(name)


def test_cases() -> None:
    check_cases("phi4_mini", CASES["phi4_mini"])


def test_spec() -> None:
    (spec,) = SPECS
    assert spec.name == "phi4_mini" and spec.priority == 28 and spec.markers == ("functools[",)
    got = rr.parse(spec.example)
    assert got.format == "phi4_mini" and calls_of(got) == [("get_weather", {"city": "Paris"})]
    assert rr.parse(spec.example, format="phi-4-mini").calls == got.calls


def test_none_without_the_marker() -> None:
    for text in (
        "",
        "functools",
        'functools{"name": "func"}',
        "import functools\nfunctools.partial(f, 1)",
        '[{"name": "f", "arguments": {}}]',
        '<tool_call>{"name": "f", "arguments": {}}</tool_call>',
    ):
        assert parse_phi4_mini(text) is None, text


def test_segments() -> None:
    two = parse_phi4_mini('functools[{"name": "f", "arguments": {}}] functools[{"name": "g", "arguments": {}}]')
    assert two is not None and [c.name for c in two.calls] == ["f", "g"] and not two.violations
    no_args = parse_phi4_mini('functools[{"name": "func"}]')
    assert no_args is not None and calls_of(no_args) == [("func", {})]
    not_calls = parse_phi4_mini("functools[1, 2]")
    assert not_calls is not None and not not_calls.calls and "missing_name" in not_calls.violations


def test_repeats_stay_linear_and_capped() -> None:
    got = parse_phi4_mini("functools[" * 100_000)
    assert got is not None and not got.calls and got.violations == ("invalid_json",)
    block = 'functools[{"name": "f", "arguments": {"a": 1}}]'
    got = parse_phi4_mini(block * 10_000)
    assert got is not None and len(got.calls) == 64 and "too_many_calls" in got.violations
    distinct = "".join(f'functools[{{"name": "f", "arguments": {{"a": {i}}}}}]' for i in range(5_000))
    over = parse_phi4_mini(distinct, Limits(max_calls=8))
    assert over is not None and over.violations == ("over_budget",)
    deep = parse_phi4_mini("functools" + "[" * 100_000)
    assert deep is not None and not deep.calls and deep.violations in (("invalid_json",), ("nesting_too_deep",))
