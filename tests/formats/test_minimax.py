"""MiniMax M2 / M2.1 ``<minimax:tool_call>`` format (``rlvr_rewards/parsing/minimax.py``): the shared family
cases and direct tests of the parser and of the shared invoke reader (``rlvr_rewards/parsing/xmlinvoke.py``).

No chat template of the family ships with TRL, so the texts are written as the sources named in each case
show them:

- the MiniMax-M2 chat template (``chat_template.jinja`` of the model repository), assistant ``tool_calls``
  branch as transformers renders it: ``"\\n<minimax:tool_call>\\n"`` after the content, then per call
  ``<invoke name="NAME">`` on its own line, one ``<parameter name="KEY">VALUE</parameter>`` line per
  argument (strings as they are, anything else ``tojson``), ``</invoke>``, then ``</minimax:tool_call>``;
  reasoning as ``<think>\\n..\\n</think>\\n\\n`` before the content;
- MiniMax's tool calling guide (``docs/tool_calling_guide.md`` of MiniMax-AI/MiniMax-M2 and MiniMax-M2.5):
  its model-output examples;
- vLLM ``tests/tool_parsers/test_minimax_m2_tool_parser.py`` and SGLang
  ``python/sglang/srt/function_call/minimax_m2.py``: their test texts and the format they parse.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import rlvr_rewards as rr
from rlvr_rewards.limits import Limits
from rlvr_rewards.parsing import minimax, toolkit
from rlvr_rewards.parsing.minimax import SPECS, parse_minimax
from rlvr_rewards.plugins import get_registry, register_plugin, unregister_plugin
from tests.formats import harness
from tests.formats.harness import FormatCase

TEMPLATE = "MiniMax-M2 chat_template.jinja, assistant tool_calls branch (as transformers renders it)"
GUIDE = "MiniMax-M2 docs/tool_calling_guide.md (model output examples)"
VLLM = "vLLM tests/tool_parsers/test_minimax_m2_tool_parser.py"
SGLANG = "SGLang python/sglang/srt/function_call/minimax_m2.py"

OPEN, CLOSE = "<minimax:tool_call>", "</minimax:tool_call>"


@pytest.fixture(scope="module", autouse=True)
def _minimax_registered() -> Iterator[None]:
    """The MiniMax parser among the registered formats (registered here until the built-ins list it)."""
    if any(spec.name == "minimax" for spec in get_registry().parsers):
        yield
        return
    register_plugin(minimax, name="test_minimax_parser")
    try:
        yield
    finally:
        unregister_plugin("test_minimax_parser")


def _value(value: Any) -> str:
    """How the template writes one argument value: a string as is, anything else as JSON (``tojson``)."""
    import json

    return value if isinstance(value, str) else json.dumps(value)


def _block(*calls: tuple[str, dict[str, Any]], content: str = "") -> str:
    """An assistant tool-call turn as the MiniMax-M2 template renders it (the content, then the block)."""
    lines = [OPEN]
    for name, args in calls:
        lines.append(f'<invoke name="{name}">')
        lines.extend(f'<parameter name="{k}">{_value(v)}</parameter>' for k, v in args.items())
        lines.append("</invoke>")
    return f"{content}\n" + "\n".join(lines) + f"\n{CLOSE}"


#: The guide's search tool (arrays of strings) and its get_weather tool (two strings).
SEARCH_WEB = harness.tool(
    "search_web",
    {"query_list": {"type": "array", "items": {"type": "string"}}, "query_tag": {"type": "array"}},
    ["query_list", "query_tag"],
)
GUIDE_WEATHER = harness.tool("get_weather", {"location": {"type": "string"}, "unit": {"type": "string"}})

PARIS = {"city": "Paris", "unit": "celsius", "days": 2}
LOUVRE = {"query": "louvre hours", "limit": 3, "score": 0.5, "exact": True, "tags": ["museum"], "filters": {"x": 1}}

GUIDE_TWO_SEARCHES = (
    f"{OPEN}\n"
    '<invoke name="search_web">\n'
    '<parameter name="query_tag">["technology", "events"]</parameter>\n'
    '<parameter name="query_list">["\\"OpenAI\\" \\"latest\\" \\"release\\""]</parameter>\n'
    "</invoke>\n"
    '<invoke name="search_web">\n'
    '<parameter name="query_tag">["technology", "events"]</parameter>\n'
    '<parameter name="query_list">["\\"Gemini\\" \\"latest\\" \\"release\\""]</parameter>\n'
    "</invoke>\n"
    f"{CLOSE}"
)
GUIDE_PROSE = (
    "Let me help you query the weather.\n"
    f"{OPEN}\n"
    '<invoke name="get_weather">\n'
    '<parameter name="location">San Francisco</parameter>\n'
    '<parameter name="unit">celsius</parameter>\n'
    "</invoke>\n"
    f"{CLOSE}"
)

CASES: dict[str, list[FormatCase]] = {
    "minimax": [
        FormatCase(
            "one",
            _block(("get_weather", PARIS)),
            [("get_weather", PARIS)],
            TEMPLATE,
            tools=harness.TOOLS,
            absent_violations=("text_with_call",),
            id="template, one call",
        ),
        FormatCase(
            "one",
            _block(("search", LOUVRE)),
            [("search", LOUVRE)],
            TEMPLATE,
            tools=harness.TOOLS,
            id="template, every JSON type written with tojson, typed by the schema",
        ),
        FormatCase(
            "one",
            f'{OPEN}<invoke name="get_weather"><parameter name="city">Seattle</parameter>'
            f'<parameter name="days">5</parameter></invoke>{CLOSE}',
            [("get_weather", {"city": "Seattle", "days": 5})],
            VLLM + " (test_multiple_params, one line)",
            tools=harness.TOOLS,
            id="no newlines",
        ),
        FormatCase(
            "one",
            f"{OPEN}\n<invoke name='get_weather'>\n<parameter name='city'>Oslo</parameter>\n</invoke>\n{CLOSE}",
            [("get_weather", {"city": "Oslo"})],
            GUIDE + " (its parser's extract_name accepts single-quoted names)",
            tools=harness.TOOLS,
            id="single quotes",
        ),
        FormatCase(
            "one",
            _block(("search", {"query": "  if a < b:\n    return a\n"})),
            [("search", {"query": "  if a < b:\n    return a\n"})],
            TEMPLATE + " (a string argument written as is, whitespace and '<' included)",
            tools=harness.TOOLS,
            id="raw string value kept exactly",
        ),
        FormatCase(
            "several",
            GUIDE_TWO_SEARCHES,
            [
                ("search_web", {"query_tag": ["technology", "events"], "query_list": ['"OpenAI" "latest" "release"']}),
                ("search_web", {"query_tag": ["technology", "events"], "query_list": ['"Gemini" "latest" "release"']}),
            ],
            GUIDE,
            tools=[SEARCH_WEB],
            id="guide, two invokes in one block",
        ),
        FormatCase(
            "several",
            f'{OPEN}<invoke name="fn_a"><parameter name="x">1</parameter></invoke>'
            f'<invoke name="fn_b"><parameter name="y">2</parameter></invoke>{CLOSE}',
            [("fn_a", {"x": 1}), ("fn_b", {"y": 2})],
            VLLM + " (test_two_invokes_in_single_delta; no tools: JSON numbers read as numbers)",
            id="two invokes, no tools",
        ),
        FormatCase(
            "several",
            _block(("get_weather", {"city": "NYC"})) + "\n" + _block(("search", {"query": "AAPL", "limit": 1})),
            [("get_weather", {"city": "NYC"}), ("search", {"query": "AAPL", "limit": 1})],
            SGLANG + " (reads every <minimax:tool_call> block in turn)",
            tools=harness.TOOLS,
            id="two blocks",
        ),
        FormatCase(
            "zero",
            "Hello world",
            [],
            VLLM + " (test_plain_content)",
            absent_violations=("empty_call_block",),
        ),
        FormatCase(
            "zero",
            f"{OPEN}\n{CLOSE}",
            [],
            SGLANG + " (a block with no invoke)",
            violations=("empty_call_block",),
            id="empty block",
        ),
        FormatCase(
            "reasoning",
            "<think>\nThe user wants the weather in Paris; get_weather takes a city.\n</think>\n\n"
            + _block(("get_weather", PARIS)).lstrip("\n"),
            [("get_weather", PARIS)],
            TEMPLATE + " (reasoning_content rendered as <think>\\n..\\n</think>\\n\\n)",
            think="weather in Paris",
            tools=harness.TOOLS,
            absent_violations=("text_with_call",),
        ),
        FormatCase(
            "truncated",
            f'{OPEN}\n<invoke name="get_weather">\n<parameter name="city">Seattle</parameter>\n<parameter name="da',
            [("get_weather", {"city": "Seattle"})],
            VLLM + " (test_header_and_params_in_separate_chunks, cut inside the second parameter tag)",
            violations=("unclosed_tag",),
            tools=harness.TOOLS,
            id="cut in a parameter tag",
        ),
        FormatCase(
            "truncated",
            f'{OPEN}\n<invoke name="get_weather">\n<parameter name="city">Seattle</parameter>\n</invoke>\n'
            '<invoke name="get_wea',
            [("get_weather", {"city": "Seattle"})],
            VLLM + " (test_two_invokes_incremental, cut inside the second invoke tag)",
            violations=("unclosed_tag",),
            tools=harness.TOOLS,
            id="cut in an invoke tag",
        ),
        FormatCase(
            "prose",
            GUIDE_PROSE,
            [("get_weather", {"location": "San Francisco", "unit": "celsius"})],
            GUIDE,
            violations=("text_with_call",),
            tools=[GUIDE_WEATHER],
        ),
        FormatCase(
            "prose",
            _block(("get_weather", {"city": "Tokyo"}), content="Let me check. ") + "\nI will report back.",
            [("get_weather", {"city": "Tokyo"})],
            VLLM + " (test_content_before_tool_call) and text after the block",
            violations=("text_with_call",),
            tools=harness.TOOLS,
        ),
    ]
}


def test_minimax_cases() -> None:
    harness.check_cases("minimax", CASES["minimax"])


# ------------------------------------------------------------------------------------------------------
# Direct tests of the parser
# ------------------------------------------------------------------------------------------------------


def _calls(text: str, limits: Limits | None = None) -> list[tuple[str, Any]]:
    result = parse_minimax(text, limits)
    assert result is not None
    return [(c.name, c.arguments) for c in result.calls]


def _violations(text: str) -> tuple[str, ...]:
    result = parse_minimax(text)
    assert result is not None
    return result.violations


@pytest.mark.parametrize(
    "text",
    [
        "",
        "plain answer",
        '<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>',
        '[get_weather(city="Paris")]',
        '{"name": "get_weather", "arguments": {"city": "Paris"}}',
        '<invoke name="get_weather"><parameter name="city">Paris</parameter></invoke>',  # no block: not claimed
        "the minimax:tool_call format",
        # MiniMax-M1's JSON-lines block (vLLM tests/tool_parsers/test_minimax_tool_parser.py): the
        # <tool_calls> parser's text, not this one's
        '<tool_calls>\n{"name": "get_current_weather", "arguments": {"city": "Dallas"}}\n</tool_calls>',
    ],
)
def test_other_texts_are_not_claimed(text: str) -> None:
    assert parse_minimax(text) is None


def test_values_are_raw_text_marked_untyped() -> None:
    result = parse_minimax(_block(("f", {"a": " x ", "b": "\n", "c": ""})))
    assert result is not None and result.untyped
    (call,) = result.calls
    assert call.arguments == {"a": " x ", "b": "\n", "c": ""}
    assert call.untyped == {"a", "b", "c"}


def test_an_invoke_without_parameters_is_a_call_with_no_arguments() -> None:
    assert _calls(f'{OPEN}\n<invoke name="refresh">\n</invoke>\n{CLOSE}') == [("refresh", {})]
    assert _calls(f'{OPEN}<invoke name="refresh"></invoke>{CLOSE}') == [("refresh", {})]


def test_unclosed_and_stray_tags() -> None:
    # a value cut short is kept as written, with unclosed_tag
    text = f'{OPEN}\n<invoke name="get_weather">\n<parameter name="city">Sea'
    assert _calls(text) == [("get_weather", {"city": "Sea"})]
    assert "unclosed_tag" in _violations(text)
    # an invoke never closed, then the block closes
    text = f'{OPEN}<invoke name="a"><parameter name="x">1</parameter>{CLOSE}'
    assert _calls(text) == [("a", {"x": "1"})]
    assert "unclosed_tag" in _violations(text)
    # an invoke left open before the next one: both read
    text = f'{OPEN}<invoke name="a"><parameter name="x">1</parameter><invoke name="b"></invoke>{CLOSE}'
    assert _calls(text) == [("a", {"x": "1"}), ("b", {})]
    assert "unclosed_tag" in _violations(text)
    # the block's closing tag alone
    result = parse_minimax(f"done{CLOSE}")
    assert result is not None and result.calls == () and result.attempted_call
    assert "stray_closing_tag" in result.violations
    # the opening tag alone
    assert set(_violations(OPEN)) >= {"unclosed_tag", "empty_call_block"}


def test_junk_inside_the_block_or_invoke_is_trailing_garbage() -> None:
    text = f'{OPEN}junk<invoke name="a"><parameter name="x">1</parameter>more junk</invoke>tail{CLOSE}'
    assert _calls(text) == [("a", {"x": "1"})]
    assert "trailing_garbage" in _violations(text)
    for text in (
        f"{OPEN}just words{CLOSE}",  # no invoke at all
        f'{OPEN}<invoke name="a" id="1"></invoke>{CLOSE}',  # another attribute after the name
        f'{OPEN}<invoke name="a"><parameter name="x" kind="s">1</parameter></invoke>{CLOSE}',
    ):
        assert "trailing_garbage" in _violations(text), text
    assert _calls(f"{OPEN}just words{CLOSE}") == []


def test_names_that_cannot_be_read_are_missing_name() -> None:
    for text in (
        f"{OPEN}<invoke name=get_weather></invoke>{CLOSE}",  # unquoted
        f'{OPEN}<invoke id="get_weather"></invoke>{CLOSE}',  # no name attribute
        f'{OPEN}<invoke name=""></invoke>{CLOSE}',
    ):
        result = parse_minimax(text)
        assert result is not None and "missing_name" in result.violations, text
        assert [c.name for c in result.calls] == [""], text
    # a parameter without a readable name is dropped
    text = f'{OPEN}<invoke name="a"><parameter name="">1</parameter><parameter name="y">2</parameter></invoke>{CLOSE}'
    assert _calls(text) == [("a", {"y": "2"})]
    assert "missing_name" in _violations(text)


def test_repeated_parameter_is_duplicate_keys_last_kept() -> None:
    text = _block(("a", {"x": "1"})).replace("</invoke>", '<parameter name="x">2</parameter>\n</invoke>')
    assert _calls(text) == [("a", {"x": "2"})]
    assert "duplicate_keys" in _violations(text)


def test_tag_names_must_end_at_whitespace() -> None:
    # <invoker ...> and <parameters ...> are not the family's tags
    text = f'{OPEN}<invoker name="a"></invoker>{CLOSE}'
    assert _calls(text) == []
    assert "trailing_garbage" in _violations(text)
    text = f'{OPEN}<invoke name="a"><parameters name="x">1</parameters></invoke>{CLOSE}'
    assert _calls(text) == [("a", {})]
    assert "trailing_garbage" in _violations(text)


def test_max_calls_cap() -> None:
    text = OPEN + '<invoke name="a"></invoke>' * 5 + CLOSE
    result = parse_minimax(text, Limits(max_calls=2))
    assert result is not None and len(result.calls) == 2 and "too_many_calls" in result.violations


def test_repeated_invoke_is_decoded_once_past_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = []
    real = toolkit.add_text_call

    def counting(*args: Any, **kwargs: Any) -> None:
        seen.append(1)
        real(*args, **kwargs)

    monkeypatch.setattr(toolkit, "add_text_call", counting)
    text = OPEN + '<invoke name="a"><parameter name="x">1</parameter></invoke>' * 10_000 + CLOSE
    result = parse_minimax(text)
    assert result is not None and len(result.calls) == Limits().max_calls
    assert len(seen) <= Limits().max_calls + 1


@pytest.mark.parametrize(
    "piece",
    [
        OPEN,
        CLOSE,
        '<invoke name="a">',
        "<invoke ",
        "</invoke>",
        '<parameter name="x">',
        "<parameter ",
        "</parameter>",
        'junk<parameter name="x">1</parameter>',
        '<invoke name="a"><parameter name="x">1</parameter></invoke>',
        "<",
        '"',
        ">",
    ],
)
def test_many_repeats_of_a_marker_complete(piece: str) -> None:
    """10^5 copies of each tag (fewer of the longer pieces: about a million characters) end, as every layout
    is read in one forward pass."""
    n = min(100_000, 1_000_000 // len(piece))
    for text in (OPEN + piece * n, piece * n + CLOSE, OPEN + '<invoke name="a">' + piece * n):
        result = parse_minimax(text)
        assert result is not None and result.attempted_call


def test_many_distinct_invokes_are_over_budget() -> None:
    text = OPEN + "".join(f'<invoke name="f{i}"></invoke>' for i in range(20_000)) + CLOSE
    result = parse_minimax(text)
    assert result is not None and result.violations == ("over_budget",)


def test_spec() -> None:
    (spec,) = SPECS
    assert (spec.name, spec.priority) == ("minimax", 13)
    assert spec.markers == (OPEN, CLOSE)
    assert _calls(spec.example) == [("get_weather", {"location": "San Francisco", "unit": "celsius"})]
    assert "minimax-m2" in spec.aliases and "minimax-m2.1" in spec.aliases
    assert rr.parse(spec.example, format="minimax-m2.1").format == "minimax"
