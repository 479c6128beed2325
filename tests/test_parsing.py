"""Tests of stage one (parse): rlvr_rewards.parsing.{formats,dispatch} and the built-in parser plugin."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rlvr_rewards.errors import ConfigError
from rlvr_rewards.limits import DEFAULT_LIMITS, Limits
from rlvr_rewards.parsing import VIOLATIONS, ParsedCall, ParseResult, ParserSpec, parse_completion
from rlvr_rewards.parsing.formats import (
    BUILTIN_PARSERS,
    call_from_object,
    current_limits,
    marker_formats,
    parse_hermes,
    parse_json,
    parse_pythonic,
)
from rlvr_rewards.parsing.reasoning import split_think

from .helpers import tool_call_block as tc
from .timing import assert_bounded, assert_linear

C = ParsedCall


WEATHER = '{"name": "get_weather", "arguments": {"city": "Paris"}}'
TIME = '{"name": "get_time", "arguments": {"tz": "CET"}}'
W = C("get_weather", {"city": "Paris"})
T = C("get_time", {"tz": "CET"})


def check(
    result: ParseResult,
    calls: list[ParsedCall],
    violations: tuple[str, ...] | list[str] = (),
    fmt: str | None = None,
    text: str | None = None,
    attempted: bool | None = None,
) -> None:
    assert list(result.calls) == calls, result
    assert result.violations == tuple(sorted(violations)), result
    if fmt is not None:
        assert result.format == fmt, result
    if text is not None:
        assert result.text == text, result
    if attempted is not None:
        assert result.attempted_call is attempted, result


# --------------------------------------------------------------------------------------------------
# Format tables: (id, completion, calls, violations, text)
# --------------------------------------------------------------------------------------------------

HERMES_CASES: list[tuple[str, str, list[ParsedCall], tuple[str, ...], str]] = [
    ("single", tc(WEATHER), [W], (), ""),
    ("parallel", tc(WEATHER) + "\n" + tc(TIME), [W, T], (), ""),
    ("no_newlines", f"<tool_call>{WEATHER}</tool_call><tool_call>{TIME}</tool_call>", [W, T], (), ""),
    ("list_in_block", tc(f"[{WEATHER}, {TIME}]"), [W, T], (), ""),
    (
        "arguments_string",
        tc('{"name": "get_weather", "arguments": "{\\"city\\": \\"Paris\\"}"}'),
        [W],
        ("arguments_json_string",),
        "",
    ),
    (
        "arguments_string_invalid",
        tc('{"name": "get_weather", "arguments": "{city: Paris}"}'),
        [C("get_weather", None)],
        ("arguments_json_string", "invalid_json"),
        "",
    ),
    ("parameters_synonym", tc('{"name": "get_weather", "parameters": {"city": "Paris"}}'), [W], (), ""),
    (
        "both_keys",
        tc('{"name": "get_weather", "arguments": {"city": "Paris"}, "parameters": {"city": "Rome"}}'),
        [W],
        ("both_arguments_and_parameters",),
        "",
    ),
    ("no_arguments", tc('{"name": "ping"}'), [C("ping", {})], (), ""),
    (
        "args_not_object",
        tc('{"name": "f", "arguments": [1, 2]}'),
        [C("f", None)],
        ("arguments_not_object",),
        "",
    ),
    ("args_null", tc('{"name": "f", "arguments": null}'), [C("f", None)], ("arguments_not_object",), ""),
    ("missing_name", tc('{"arguments": {"a": 1}}'), [C("", {"a": 1})], ("missing_name",), ""),
    ("name_not_str", tc('{"name": 7, "arguments": {}}'), [C("", {})], ("missing_name",), ""),
    ("empty_name", tc('{"name": "  ", "arguments": {}}'), [C("", {})], ("missing_name",), ""),
    (
        "unknown_keys",
        tc('{"name": "f", "arguments": {}, "why": "x"}'),
        [C("f", {})],
        ("unknown_call_keys",),
        "",
    ),
    (
        "id_and_type_ok",
        tc('{"id": "c1", "type": "function", "name": "f", "arguments": {}}'),
        [C("f", {})],
        (),
        "",
    ),
    (
        "openai_shape",
        tc('{"type": "function", "function": {"name": "f", "arguments": "{\\"a\\": 1}"}}'),
        [C("f", {"a": 1})],
        ("arguments_json_string",),
        "",
    ),
    ("scalar_block", tc('"get_weather"'), [], ("missing_name",), ""),
    ("unclosed_last", tc(WEATHER) + "\n<tool_call>\n" + TIME, [W, T], ("unclosed_tag",), ""),
    ("unclosed_only", "<tool_call>" + WEATHER, [W], ("unclosed_tag",), ""),
    ("unclosed_invalid", '<tool_call>{"name": "f", ', [], ("invalid_json", "unclosed_tag"), ""),
    ("unclosed_then_open", "<tool_call>" + WEATHER + tc(TIME), [W, T], ("unclosed_tag",), ""),
    ("stray_close", WEATHER + "</tool_call>", [], ("stray_closing_tag",), WEATHER),
    ("stray_close_after", tc(WEATHER) + "</tool_call>", [W], ("stray_closing_tag",), ""),
    ("empty_block", "<tool_call></tool_call>", [], ("empty_call_block",), ""),
    ("empty_block_ws", "<tool_call>\n \n</tool_call>", [], ("empty_call_block",), ""),
    ("empty_list_block", tc("[]"), [], ("empty_call_block",), ""),
    ("invalid_json", tc('{"name": "f", "arguments": {a: 1}}'), [], ("invalid_json",), ""),
    ("invalid_and_valid", tc("{oops") + tc(WEATHER), [W], ("invalid_json",), ""),
    ("trailing_garbage", tc(WEATHER + " and more"), [W], ("trailing_garbage",), ""),
    ("extra_brace", tc(WEATHER + "}"), [W], ("trailing_garbage",), ""),
    (
        "duplicate_keys",
        tc('{"name": "f", "arguments": {"a": 1, "a": 2}}'),
        [C("f", {"a": 2})],
        ("duplicate_keys",),
        "",
    ),
    ("text_before", "Let me check.\n" + tc(WEATHER), [W], ("text_with_call",), "Let me check."),
    ("text_both_sides", "A\n" + tc(WEATHER) + "\nB", [W], ("text_with_call",), "A\nB"),
    ("nan", tc('{"name": "f", "arguments": {"x": NaN}}'), [], ("nonfinite_number",), ""),
    ("infinity", tc('{"name": "f", "arguments": {"x": -Infinity}}'), [], ("nonfinite_number",), ""),
    ("float_overflow", tc('{"name": "f", "arguments": {"x": 1e999}}'), [], ("nonfinite_number",), ""),
    ("huge_int", tc('{"name": "f", "arguments": {"x": ' + "9" * 200 + "}}"), [], ("number_too_large",), ""),
    (
        "huge_int_5000_rejected",
        tc('{"name": "f", "arguments": {"x": ' + "9" * 5000 + "}}"),
        [],
        ("number_too_large",),
        "",
    ),  # see test_hermes_5000_digit_int_code
    (
        "big_ok_int",
        tc('{"name": "f", "arguments": {"x": ' + "9" * 30 + "}}"),
        [C("f", {"x": 10**30 - 1})],
        (),
        "",
    ),
    ("deep", tc('{"name": "f", "arguments": ' + "[" * 100 + "]" * 100 + "}"), [], ("nesting_too_deep",), ""),
    ("surrogate", tc('{"name": "f", "arguments": {"s": "\\ud800"}}'), [], ("invalid_unicode",), ""),
    ("raw_surrogate", tc('{"name": "f", "arguments": {"s": "\ud800"}}'), [], ("invalid_unicode",), ""),
    (
        "nul_escaped_ok",
        tc('{"name": "f", "arguments": {"s": "a\\u0000b"}}'),
        [C("f", {"s": "a\x00b"})],
        (),
        "",
    ),
    ("raw_nul", tc('{"name": "f", "arguments": {"s": "a\x00b"}}'), [], ("invalid_json",), ""),
    (
        "nested_string_args_json",
        tc('{"name": "f", "arguments": "\\"x\\""}'),
        [C("f", None)],
        ("arguments_json_string", "arguments_not_object"),
        "",
    ),
]


@pytest.mark.parametrize(
    ("text", "calls", "violations", "free"), [c[1:] for c in HERMES_CASES], ids=[c[0] for c in HERMES_CASES]
)
def test_hermes(text: str, calls: list[ParsedCall], violations: tuple[str, ...], free: str) -> None:
    r = parse_completion(text)
    check(r, calls, violations, fmt="hermes", text=free, attempted=True)


def test_hermes_5000_digit_int_code() -> None:
    r = parse_completion(tc('{"name": "f", "arguments": {"x": ' + "9" * 5000 + "}}"))
    assert r.violations == ("number_too_large",)


NEMOTRON_CASES: list[tuple[str, str, list[ParsedCall], tuple[str, ...], str]] = [
    ("list", f"<TOOLCALL>[{WEATHER}, {TIME}]</TOOLCALL>", [W, T], (), ""),
    ("single_object", f"<TOOLCALL>{WEATHER}</TOOLCALL>", [W], (), ""),
    ("two_blocks", f"<TOOLCALL>[{WEATHER}]</TOOLCALL><TOOLCALL>[{TIME}]</TOOLCALL>", [W, T], (), ""),
    ("unclosed", f"<TOOLCALL>[{WEATHER}]", [W], ("unclosed_tag",), ""),
    ("empty", "<TOOLCALL></TOOLCALL>", [], ("empty_call_block",), ""),
    ("invalid", "<TOOLCALL>[{]</TOOLCALL>", [], ("invalid_json",), ""),
    ("text", f"ok <TOOLCALL>[{WEATHER}]</TOOLCALL>", [W], ("text_with_call",), "ok"),
    ("stray", "</TOOLCALL>", [], ("stray_closing_tag",), ""),
    (
        "args_string",
        '<TOOLCALL>[{"name": "f", "arguments": "{}"}]</TOOLCALL>',
        [C("f", {})],
        ("arguments_json_string",),
        "",
    ),
]


@pytest.mark.parametrize(
    ("text", "calls", "violations", "free"),
    [c[1:] for c in NEMOTRON_CASES],
    ids=[c[0] for c in NEMOTRON_CASES],
)
def test_nemotron(text: str, calls: list[ParsedCall], violations: tuple[str, ...], free: str) -> None:
    check(parse_completion(text), calls, violations, fmt="nemotron", text=free, attempted=True)


MISTRAL_CASES: list[tuple[str, str, list[ParsedCall], tuple[str, ...], str]] = [
    ("json_list", f"[TOOL_CALLS][{WEATHER}, {TIME}]", [W, T], (), ""),
    ("json_list_space", f"[TOOL_CALLS] [{WEATHER}]</s>", [W], ("text_with_call",), "</s>"),
    ("json_object", f"[TOOL_CALLS]{WEATHER}", [W], (), ""),
    ("args_form", '[TOOL_CALLS]get_weather[ARGS]{"city": "Paris"}', [W], (), ""),
    (
        "args_form_repeated",
        '[TOOL_CALLS]get_weather[ARGS]{"city": "Paris"}[TOOL_CALLS]get_time[ARGS]{"tz": "CET"}',
        [W, T],
        (),
        "",
    ),
    ("call_id", '[TOOL_CALLS]get_weather[CALL_ID]a1B2c3D4e[ARGS]{"city": "Paris"}', [W], (), ""),
    ("args_empty", "[TOOL_CALLS]ping[ARGS]", [C("ping", {})], (), ""),
    ("args_not_object", "[TOOL_CALLS]f[ARGS][1]", [C("f", None)], ("arguments_not_object",), ""),
    ("args_invalid", "[TOOL_CALLS]f[ARGS]{x}", [C("f", None)], ("invalid_json",), ""),
    ("no_name", '[TOOL_CALLS][ARGS]{"a": 1}', [C("", {"a": 1})], ("missing_name",), ""),
    ("text_before", f"Sure. [TOOL_CALLS][{WEATHER}]", [W], ("text_with_call",), "Sure."),
    ("text_after", f"[TOOL_CALLS][{WEATHER}] done", [W], ("text_with_call",), "done"),
    ("empty", "[TOOL_CALLS]", [], ("empty_call_block",), ""),
    ("garbage", "[TOOL_CALLS]hello", [], ("invalid_json",), ""),
    ("invalid_json", '[TOOL_CALLS][{"name": "f",', [], ("invalid_json",), ""),
    ("dup_keys", '[TOOL_CALLS]f[ARGS]{"a": 1, "a": 2}', [C("f", {"a": 2})], ("duplicate_keys",), ""),
    ("nan", '[TOOL_CALLS]f[ARGS]{"a": NaN}', [C("f", None)], ("nonfinite_number",), ""),
]


@pytest.mark.parametrize(
    ("text", "calls", "violations", "free"), [c[1:] for c in MISTRAL_CASES], ids=[c[0] for c in MISTRAL_CASES]
)
def test_mistral(text: str, calls: list[ParsedCall], violations: tuple[str, ...], free: str) -> None:
    check(parse_completion(text), calls, violations, fmt="mistral", text=free, attempted=True)


LW = '{"name": "get_weather", "parameters": {"city": "Paris"}}'
LT = '{"name": "get_time", "parameters": {"tz": "CET"}}'
LLAMA_CASES: list[tuple[str, str, list[ParsedCall], tuple[str, ...], str]] = [
    ("single", f"<|python_tag|>{LW}", [W], (), ""),
    ("eom", f"<|python_tag|>{LW}<|eom_id|>", [W], (), ""),
    ("semicolon", f"<|python_tag|>{LW}; {LT}", [W, T], (), ""),
    ("newline", f"<|python_tag|>{LW}\n{LT}", [W, T], (), ""),
    ("list", f"<|python_tag|>[{LW}, {LT}]", [W, T], (), ""),
    ("arguments_key", f"<|python_tag|>{WEATHER}", [W], (), ""),
    (
        "pythonic_builtin",
        '<|python_tag|>brave_search.call(query="x")',
        [C("brave_search.call", {"query": "x"})],
        (),
        "",
    ),
    ("text_after", f"<|python_tag|>{LW} thanks", [W], ("text_with_call",), "thanks"),
    ("text_before", f"Calling.<|python_tag|>{LW}", [W], ("text_with_call",), "Calling."),
    ("invalid", '<|python_tag|>{"name": "f", "parameters": {', [], ("invalid_json",), ""),
    ("second_invalid", f"<|python_tag|>{LW}; {{oops", [W], ("invalid_json",), ""),
    ("empty", "<|python_tag|>", [], ("empty_call_block",), ""),
    ("garbage", "<|python_tag|>hello", [], ("invalid_json",), ""),
    (
        "dup",
        '<|python_tag|>{"name": "f", "parameters": {"a": 1, "a": 2}}',
        [C("f", {"a": 2})],
        ("duplicate_keys",),
        "",
    ),
]


@pytest.mark.parametrize(
    ("text", "calls", "violations", "free"), [c[1:] for c in LLAMA_CASES], ids=[c[0] for c in LLAMA_CASES]
)
def test_llama3(text: str, calls: list[ParsedCall], violations: tuple[str, ...], free: str) -> None:
    check(parse_completion(text), calls, violations, fmt="llama3", text=free, attempted=True)


FENCE_CASES: list[tuple[str, str, list[ParsedCall], tuple[str, ...], str]] = [
    ("json_fence", f"```json\n{WEATHER}\n```", [W], (), ""),
    ("bare_fence", f"```\n{WEATHER}\n```", [W], (), ""),
    ("inline_fence", f"```{WEATHER}```", [W], (), ""),
    ("list", f"```json\n[{WEATHER}, {TIME}]\n```", [W, T], (), ""),
    ("two_fences", f"```json\n{WEATHER}\n```\n```json\n{TIME}\n```", [W, T], (), ""),
    ("text_around", f"Here:\n```json\n{WEATHER}\n```\nDone.", [W], ("text_with_call",), "Here:\nDone."),
    (
        "code_fence_kept_as_text",
        f"```python\nprint(1)\n```\n```json\n{WEATHER}\n```",
        [W],
        ("text_with_call",),
        "```python\nprint(1)\n```",
    ),
    ("unclosed", f"```json\n{WEATHER}\n", [W], ("unclosed_tag",), ""),
    ("invalid", '```json\n{"name": "f", arguments}\n```', [], ("invalid_json",), ""),
    ("trailing", f"```json\n{WEATHER} x\n```", [W], ("trailing_garbage",), ""),
    ("params", '```json\n{"name": "get_weather", "parameters": {"city": "Paris"}}\n```', [W], (), ""),
    (
        "dup",
        '```json\n{"name": "f", "arguments": {"a": 1, "a": 2}}\n```',
        [C("f", {"a": 2})],
        ("duplicate_keys",),
        "",
    ),
]


@pytest.mark.parametrize(
    ("text", "calls", "violations", "free"), [c[1:] for c in FENCE_CASES], ids=[c[0] for c in FENCE_CASES]
)
def test_fence(text: str, calls: list[ParsedCall], violations: tuple[str, ...], free: str) -> None:
    check(parse_completion(text), calls, violations, fmt="fence", text=free, attempted=True)


JSON_CASES: list[tuple[str, str, list[ParsedCall], tuple[str, ...], str]] = [
    ("object", WEATHER, [W], (), ""),
    ("padded", f"\n  {WEATHER}  \n", [W], (), ""),
    ("list", f"[{WEATHER}, {TIME}]", [W, T], (), ""),
    ("parameters", '{"name": "get_weather", "parameters": {"city": "Paris"}}', [W], (), ""),
    (
        "args_string",
        '{"name": "get_weather", "arguments": "{\\"city\\": \\"Paris\\"}"}',
        [W],
        ("arguments_json_string",),
        "",
    ),
    (
        "openai_shape",
        '{"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Paris"}}}',
        [W],
        (),
        "",
    ),
    (
        "openai_shape_extra",
        '{"function": {"name": "f", "arguments": {}, "x": 1}}',
        [C("f", {})],
        ("unknown_call_keys",),
        "",
    ),
    ("text_after", WEATHER + "\nLet me know.", [W], ("text_with_call",), "Let me know."),
    ("dup", '{"name": "f", "arguments": {"a": 1, "a": 2}}', [C("f", {"a": 2})], ("duplicate_keys",), ""),
    ("invalid_named", '{"name": "f", "arguments": {', [], ("invalid_json",), ""),
    ("nan_named", '{"name": "f", "arguments": {"a": NaN}}', [], ("nonfinite_number",), ""),
    ("list_with_scalar", f"[{WEATHER}, 3]", [W], ("missing_name",), ""),
]


@pytest.mark.parametrize(
    ("text", "calls", "violations", "free"), [c[1:] for c in JSON_CASES], ids=[c[0] for c in JSON_CASES]
)
def test_json(text: str, calls: list[ParsedCall], violations: tuple[str, ...], free: str) -> None:
    check(parse_completion(text), calls, violations, fmt="json", text=free, attempted=True)


PYTHONIC_CASES: list[tuple[str, str, list[ParsedCall], tuple[str, ...]]] = [
    ("list", '[get_weather(city="Paris"), get_time(tz="CET")]', [W, T], ()),
    ("single", 'get_weather(city="Paris")', [W], ()),
    ("padded", '  [ get_weather(city="Paris") ]\n', [W], ()),
    ("no_args", "[ping()]", [C("ping", {})], ()),
    ("dotted", "math.factorial(n=5)", [C("math.factorial", {"n": 5})], ()),
    (
        "nested_literals",
        "f(a=[1, 2.5, -3], b={'k': (True, None)}, c='s', d=+4, e=[{'x': [False]}])",
        [C("f", {"a": [1, 2.5, -3], "b": {"k": [True, None]}, "c": "s", "d": 4, "e": [{"x": [False]}]})],
        (),
    ),
    ("positional", "[f(1)]", [C("f", None)], ("pythonic_not_call",)),
    ("name_value", "[f(a=x)]", [C("f", {"a": "x"})], ("pythonic_bare_name",)),  # (as BFCL's decoder reads it)
    ("attribute_value", "[f(a=x.y)]", [C("f", None)], ("pythonic_not_call",)),
    ("call_value", "[f(a=g(b=1))]", [C("f", None)], ("pythonic_not_call",)),
    ("expr_value", "[f(a=1+2)]", [C("f", None)], ("pythonic_not_call",)),
    ("kwargs", "[f(**d)]", [C("f", None)], ("pythonic_not_call",)),
    ("lambda", "[f(a=lambda: 1)]", [C("f", None)], ("pythonic_not_call",)),
    ("set_literal", "[f(a={1, 2})]", [C("f", None)], ("pythonic_not_call",)),
    ("bytes", "[f(a=b'x')]", [C("f", None)], ("pythonic_not_call",)),
    ("complex", "[f(a=1j)]", [C("f", None)], ("pythonic_not_call",)),
    ("fstring", "[f(a=f'{x}')]", [C("f", None)], ("pythonic_not_call",)),
    ("non_str_key", "[f(a={1: 2})]", [C("f", None)], ("pythonic_not_call",)),
    ("item_not_call", "[f(a=1), 3]", [C("f", {"a": 1})], ("pythonic_not_call",)),
    ("call_of_call", "[f(a=1)(b=2)]", [], ("pythonic_not_call",)),
    ("syntax_error", "[f(a=1]", [], ("pythonic_not_call",)),
    ("repeated_kw", "[f(a=1, a=2)]", [C("f", {"a": 2})], ("duplicate_keys",)),
    ("dup_dict_key", "[f(a={'k': 1, 'k': 2})]", [C("f", {"a": {"k": 2}})], ("duplicate_keys",)),
    ("inf_float", "[f(a=1e999)]", [C("f", None)], ("nonfinite_number",)),
    ("huge_int", "[f(a=" + "9" * 200 + ")]", [C("f", None)], ("number_too_large",)),
    ("giant_int", "[f(a=" + "9" * 5000 + ")]", [], ("number_too_large",)),
    ("surrogate_escape", "[f(a='\\ud800')]", [C("f", None)], ("invalid_unicode",)),
    ("raw_surrogate", "[f(a='\ud800')]", [], ("invalid_unicode",)),
    ("nul", "[f(a='\x00')]", [], ("pythonic_not_call",)),
    ("deep", "[f(a=" + "[" * 100 + "]" * 100 + ")]", [], ("nesting_too_deep",)),
    # Not literals, skipped unparsed: the call is kept without arguments. (The former ast-based decoder said
    # nesting_too_deep here, from CPython's recursion limit; see rlvr_rewards/parsing/pythonic.py.)
    ("unary_chain", "f(a=" + "-" * 50_000 + "1)", [C("f", None)], ("pythonic_not_call",)),
    ("attr_chain", "f(a=" + "x." * 20_000 + "x)", [C("f", None)], ("pythonic_not_call",)),
]


@pytest.mark.parametrize(
    ("text", "calls", "violations"), [c[1:] for c in PYTHONIC_CASES], ids=[c[0] for c in PYTHONIC_CASES]
)
def test_pythonic(text: str, calls: list[ParsedCall], violations: tuple[str, ...]) -> None:
    check(parse_completion(text), calls, violations, fmt="pythonic", text="", attempted=True)


def test_pythonic_never_evaluates(tmp_path: Any) -> None:
    marker = tmp_path / "pwned"
    code = f"[f(a=__import__('pathlib').Path({str(marker)!r}).touch())]"
    r = parse_completion(code)
    assert not marker.exists()
    check(r, [C("f", None)], ("pythonic_not_call",), fmt="pythonic")


# --------------------------------------------------------------------------------------------------
# Prose and other non-calls
# --------------------------------------------------------------------------------------------------

PROSE = [
    "Sure! [see above] f(x) is a function.",
    "The answer is 42.",
    "[Note] this is important (really).",
    "Call get_weather(city='Paris') to find out.",
    "f(x) = x^2 is a parabola",
    "Paris (France)",
    "[1, 2, 3]",
    '{"city": "Paris"}',
    '[{"city": "Paris"}]',
    "42",
    '"just a string"',
    "null",
    "```python\nprint('hi')\n```",
    '```json\n{"city": "Paris"}\n```',
    "I cannot help with that request.",
    "{not json at all",
    "tool_call is what you need",
    "<toolcall> lowercase is not nemotron",
    "[d['k'](a=1)]",
]


@pytest.mark.parametrize("text", PROSE)
def test_prose_is_not_a_call(text: str) -> None:
    r = parse_completion(text)
    assert r.calls == ()
    assert r.format == "none"
    assert r.attempted_call is False
    assert r.violations == ()
    assert r.text == text.strip()


def test_direct_parsers_return_none_without_markers() -> None:
    for spec in BUILTIN_PARSERS:
        assert spec.parse("Hello, how can I help you today?") is None, spec.name
        assert spec.parse("") is None, spec.name


def test_builtin_priorities_and_order() -> None:
    assert [(s.name, s.priority) for s in BUILTIN_PARSERS] == [
        ("hermes", 10),
        ("nemotron", 20),
        ("mistral", 30),
        ("llama3", 40),
        ("fence", 50),
        ("json", 60),
        ("glm_plain", 65),
        ("pythonic", 70),
    ]
    assert all(isinstance(s, ParserSpec) and s.description for s in BUILTIN_PARSERS)


# --------------------------------------------------------------------------------------------------
# Think handling
# --------------------------------------------------------------------------------------------------

THINK_CASES: list[tuple[str, str, list[ParsedCall], tuple[str, ...], str, str]] = [
    # id, completion, calls, violations, text, think
    ("think_then_call", "<think>plan</think>\n" + tc(WEATHER), [W], (), "", "plan"),
    ("implicit_open", "I should call it.\n</think>\n" + tc(WEATHER), [W], (), "", "I should call it."),
    ("implicit_open_text", "reason</think>Hello!", [], (), "Hello!", "reason"),
    ("call_inside_think_not_counted", "<think>" + tc(TIME) + "</think>" + tc(WEATHER), [W], (), "", tc(TIME)),
    ("only_call_inside_think", "<think>" + tc(WEATHER) + "</think>Done.", [], (), "Done.", tc(WEATHER)),
    ("unclosed", "<think>thinking " + tc(WEATHER), [], ("unclosed_think",), "", "thinking " + tc(WEATHER)),
    (
        "unclosed_after_call",
        tc(WEATHER) + "<think>more",
        [W],
        ("think_after_answer", "unclosed_think"),
        "",
        "more",
    ),
    ("repeated", "<think>a</think><think>b</think>" + tc(WEATHER), [W], ("repeated_think",), "", "a\nb"),
    ("implicit_then_block", "a</think><think>b</think>Hi", [], ("repeated_think",), "Hi", "a\nb"),
    ("after_answer", tc(WEATHER) + "<think>oops</think>", [W], ("think_after_answer",), "", "oops"),
    ("after_text", "Hello <think>x</think> world", [], ("think_after_answer",), "Hello \n world", "x"),
    ("stray_think_close", "<think>a</think>b</think>c", [], ("stray_closing_tag",), "b</think>c", "a"),
    ("empty_think", "<think></think>" + tc(WEATHER), [W], (), "", ""),
    ("ws_before_think_ok", "\n\n<think>a</think>" + tc(WEATHER), [W], (), "", "a"),
]


@pytest.mark.parametrize(
    ("text", "calls", "violations", "free", "think"),
    [c[1:] for c in THINK_CASES],
    ids=[c[0] for c in THINK_CASES],
)
def test_think(text: str, calls: list[ParsedCall], violations: tuple[str, ...], free: str, think: str) -> None:
    r = parse_completion(text)
    check(r, calls, violations, text=free)
    assert r.think == think


def test_split_think_fast_path_returns_input() -> None:
    text = tc(WEATHER)
    answer, think, found = split_think(text)
    assert answer is text
    assert (think, found) == ("", ())


# --------------------------------------------------------------------------------------------------
# Mixed formats, caps, empties
# --------------------------------------------------------------------------------------------------


def test_mixed_formats_hermes_wins() -> None:
    r = parse_completion(tc(WEATHER) + f"\n[TOOL_CALLS][{TIME}]")
    assert r.format == "hermes"
    assert r.calls == (W,)
    assert r.violations == ("mixed_formats", "text_with_call")


def test_mixed_formats_nemotron_and_llama() -> None:
    r = parse_completion(f"<TOOLCALL>[{WEATHER}]</TOOLCALL><|python_tag|>{LT}")
    assert r.format == "nemotron"
    assert "mixed_formats" in r.violations


def test_marker_formats() -> None:
    assert marker_formats("x") == []
    assert marker_formats("<tool_call>[TOOL_CALLS]<|python_tag|></TOOLCALL>") == [
        "hermes",
        "nemotron",
        "mistral",
        "llama3",
    ]


def test_too_many_calls() -> None:
    text = "".join(tc(f'{{"name": "f{i}", "arguments": {{}}}}') for i in range(70))
    r = parse_completion(text)
    assert len(r.calls) == DEFAULT_LIMITS.max_calls
    assert r.calls[0].name == "f0" and r.calls[-1].name == f"f{DEFAULT_LIMITS.max_calls - 1}"
    assert r.violations == ("too_many_calls",)
    r = parse_completion(text, limits=Limits(max_calls=3))
    assert [c.name for c in r.calls] == ["f0", "f1", "f2"]
    assert r.violations == ("too_many_calls",)


def test_too_many_calls_in_one_list() -> None:
    body = "[" + ", ".join(f'{{"name": "f{i}"}}' for i in range(5)) + "]"
    r = parse_completion(tc(body), limits=Limits(max_calls=2))
    assert [c.name for c in r.calls] == ["f0", "f1"]
    assert r.violations == ("too_many_calls",)


def test_plugin_parser_calls_are_capped_by_dispatcher() -> None:
    def many(text: str) -> ParseResult | None:
        return ParseResult(calls=tuple(C(f"f{i}", {}) for i in range(10)), text="", attempted_call=True)

    r = parse_completion("x", parsers=[ParserSpec("many", many)], limits=Limits(max_calls=4))
    assert len(r.calls) == 4
    assert r.format == "many"
    assert r.violations == ("too_many_calls",)


@pytest.mark.parametrize("text", ["", "   ", "\n\t\n"])
def test_empty(text: str) -> None:
    check(parse_completion(text), [], ("empty",), fmt="none", text="", attempted=False)


def test_too_long_is_cheap_and_unscanned() -> None:
    text = tc(WEATHER) + "x" * DEFAULT_LIMITS.max_chars
    r = parse_completion(text)
    check(r, [], ("too_long",), fmt="none", text="", attempted=False)
    r = parse_completion(tc(WEATHER), limits=Limits(max_chars=10))
    assert r.violations == ("too_long",) and r.calls == ()


def test_limits_reach_the_parsers() -> None:
    body = tc('{"name": "f", "arguments": {"a": [[[1]]]}}')
    assert parse_completion(body).calls == (C("f", {"a": [[[1]]]}),)
    r = parse_completion(body, limits=Limits(max_depth=3))
    check(r, [], ("nesting_too_deep",))
    r = parse_completion(tc('{"name": "f", "arguments": {"a": ' + "1" * 30 + "}}"), limits=Limits(max_int_digits=25))
    check(r, [], ("number_too_large",))
    r = parse_completion("[f(a=123456)]", limits=Limits(max_int_digits=5))
    check(r, [C("f", None)], ("number_too_large",))
    assert current_limits() is DEFAULT_LIMITS  # restored after the parse


# --------------------------------------------------------------------------------------------------
# Messages (OpenAI / TRL shapes)
# --------------------------------------------------------------------------------------------------


def openai_call(name: str, arguments: Any, call_id: str = "call_1") -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


def test_openai_message_string_arguments_are_standard() -> None:
    msg = {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            openai_call("get_weather", '{"city": "Paris"}'),
            openai_call("get_time", {"tz": "CET"}),
        ],
    }
    check(parse_completion(msg), [W, T], (), fmt="openai", text="", attempted=True)


def test_openai_message_content_text_and_think() -> None:
    msg = {
        "role": "assistant",
        "content": "<think>plan</think>Checking now.",
        "tool_calls": [openai_call("get_weather", '{"city": "Paris"}')],
    }
    r = parse_completion(msg)
    check(r, [W], ("text_with_call",), fmt="openai", text="Checking now.")
    assert r.think == "plan"


def test_openai_message_reasoning_content() -> None:
    msg = {
        "role": "assistant",
        "content": "",
        "reasoning_content": " why ",
        "tool_calls": [openai_call("get_weather", '{"city": "Paris"}')],
    }
    r = parse_completion(msg)
    check(r, [W], (), fmt="openai")
    assert r.think == "why"


@pytest.mark.parametrize(
    ("arguments", "calls", "violations"),
    [
        ('{"city": "Paris"', [C("get_weather", None)], ("invalid_json",)),
        ("[1]", [C("get_weather", None)], ("arguments_not_object",)),
        ('{"a": NaN}', [C("get_weather", None)], ("nonfinite_number",)),
        ('{"a": 1, "a": 2}', [C("get_weather", {"a": 2})], ("duplicate_keys",)),
        ({"a": float("nan")}, [C("get_weather", None)], ("nonfinite_number",)),
        ({"a": 10**500}, [C("get_weather", None)], ("number_too_large",)),
        ({"a": "\ud800"}, [C("get_weather", None)], ("invalid_unicode",)),
        ({1: "x"}, [C("get_weather", None)], ("invalid_json",)),
        ({"a": object()}, [C("get_weather", None)], ("invalid_json",)),
        ({"a": [[[[1]]]]}, [C("get_weather", {"a": [[[[1]]]]})], ()),
        (None, [C("get_weather", None)], ("arguments_not_object",)),
    ],
)
def test_openai_message_bad_arguments(arguments: Any, calls: list[ParsedCall], violations: tuple[str, ...]) -> None:
    msg = {"role": "assistant", "content": None, "tool_calls": [openai_call("get_weather", arguments)]}
    check(parse_completion(msg), calls, violations, fmt="openai", attempted=True)


def test_openai_native_arguments_deep_and_cyclic() -> None:
    deep: Any = {}
    node = deep
    for _ in range(200):
        node["a"] = {}
        node = node["a"]
    cyclic: dict[str, Any] = {}
    cyclic["self"] = cyclic
    shared: Any = [1]
    for _ in range(60):
        shared = [shared, shared]  # 2**60 leaves if walked naively
    for args, code in [(deep, "nesting_too_deep"), (cyclic, "nesting_too_deep"), ({"x": shared}, "too_long")]:
        msg = {"role": "assistant", "tool_calls": [openai_call("f", args)]}
        r = parse_completion(msg)
        check(r, [C("f", None)], (code,), fmt="openai")
        # a shared sub-structure of 2**60 leaves is refused without being walked (measured: up to ~7x)
        assert_bounded(lambda m=msg: parse_completion(m), 50.0, f"openai arguments {code}")


def test_openai_bad_entries_and_cap() -> None:
    msg = {"role": "assistant", "tool_calls": ["junk", {"function": {"arguments": "{}"}}]}
    check(parse_completion(msg), [C("", {})], ("missing_name",), fmt="openai", attempted=True)
    many = [openai_call(f"f{i}", "{}") for i in range(10)]
    r = parse_completion({"role": "assistant", "tool_calls": many}, limits=Limits(max_calls=3))
    assert [c.name for c in r.calls] == ["f0", "f1", "f2"]
    assert r.violations == ("too_many_calls",)


def test_openai_content_with_markers_is_mixed() -> None:
    msg = {
        "role": "assistant",
        "content": tc(TIME),
        "tool_calls": [openai_call("get_weather", '{"city": "Paris"}')],
    }
    r = parse_completion(msg)
    check(r, [W], ("mixed_formats", "text_with_call"), fmt="openai")


def test_message_without_tool_calls_parses_content() -> None:
    r = parse_completion({"role": "assistant", "content": tc(WEATHER), "tool_calls": []})
    check(r, [W], (), fmt="hermes")
    r = parse_completion({"role": "assistant", "content": "Hello"})
    check(r, [], (), fmt="none", text="Hello", attempted=False)
    r = parse_completion({"role": "assistant", "content": None})
    check(r, [], ("empty",), fmt="none")


def test_message_tool_calls_not_a_list() -> None:
    r = parse_completion({"role": "assistant", "content": "Hi", "tool_calls": "oops"})
    check(r, [], ("invalid_json",), text="Hi", attempted=True)


def test_content_parts_are_joined() -> None:
    parts = [
        {"type": "text", "text": "<think>a</think>"},
        {"type": "image_url", "image_url": {"url": "x"}},
        {"type": "text", "text": tc(WEATHER)},
        "\nok",
    ]
    r = parse_completion({"role": "assistant", "content": parts})
    check(r, [W], ("text_with_call",), fmt="hermes", text="ok")
    assert r.think == "a"


def test_content_parts_too_long() -> None:
    parts = [{"type": "text", "text": "x" * 150_000}] * 2
    check(parse_completion({"role": "assistant", "content": parts}), [], ("too_long",))


def test_list_of_messages_uses_last_assistant() -> None:
    conv = [
        {"role": "user", "content": "weather?"},
        {"role": "assistant", "content": tc(TIME)},
        {"role": "tool", "content": "sunny"},
        {"role": "assistant", "content": tc(WEATHER)},
        {"role": "user", "content": tc(TIME)},
    ]
    check(parse_completion(conv), [W], (), fmt="hermes")
    check(parse_completion([{"role": "assistant", "content": "Hi"}]), [], (), text="Hi")


@pytest.mark.parametrize("conv", [[], [{"role": "user", "content": tc(WEATHER)}], ["text", 3, None]])
def test_list_without_assistant_is_empty(conv: list[Any]) -> None:
    check(parse_completion(conv), [], ("empty",), fmt="none", text="", attempted=False)


# --------------------------------------------------------------------------------------------------
# Odd inputs, safety
# --------------------------------------------------------------------------------------------------


class Hostile:
    def __str__(self) -> str:
        raise RuntimeError("no")

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("no")

    __hash__ = None  # type: ignore[assignment]


@pytest.mark.parametrize(
    "completion",
    [
        None,
        0,
        1.5,
        float("nan"),
        True,
        object(),
        Hostile(),
        {1, 2},
        frozenset(),
        range(3),
        Exception("x"),
        type,
    ],
    ids=repr,
)
def test_odd_types_never_raise(completion: Any) -> None:
    check(parse_completion(completion), [], ("empty",), fmt="none", text="", attempted=False)


def test_hostile_message_fields_never_raise() -> None:
    for msg in (
        {"role": "assistant", "content": Hostile()},
        {"role": "assistant", "content": [Hostile(), {"type": "text", "text": 5}]},
        {"role": "assistant", "tool_calls": [Hostile()]},
        {"role": "assistant", "tool_calls": [{"function": Hostile()}]},
        {"role": "assistant", "tool_calls": [{"function": {"name": Hostile(), "arguments": Hostile()}}]},
        {"role": Hostile()},
    ):
        r = parse_completion(msg)
        assert isinstance(r, ParseResult)
        assert set(r.violations) <= VIOLATIONS.keys()


def test_bytes() -> None:
    check(parse_completion(tc(WEATHER).encode()), [W], (), fmt="hermes")
    check(parse_completion(b"\xff\xfe<tool_call>"), [], ("invalid_unicode",), attempted=False)
    check(parse_completion(b""), [], ("empty",))


def test_nul_bytes_and_control_chars_in_text() -> None:
    r = parse_completion("a\x00b\x01" + tc(WEATHER) + "\x00")
    check(r, [W], ("text_with_call",), text="a\x00b\x01\n\x00")  # NUL is not whitespace


def test_unpaired_surrogate_in_free_text() -> None:
    r = parse_completion("hi \ud800")
    check(r, [], (), text="hi \ud800")


def test_internal_error_falls_back() -> None:
    def broken(text: str) -> ParseResult | None:
        raise ZeroDivisionError

    r = parse_completion(tc(WEATHER), parsers=[ParserSpec("broken", broken)])
    check(r, [], ("invalid_json",), fmt="none", attempted=True)
    r = parse_completion("plain", parsers=[ParserSpec("broken", broken)])
    check(r, [], ("invalid_json",), attempted=False)


def test_parsers_argument_order_and_validation() -> None:
    text = tc(WEATHER)
    only_json = [s for s in BUILTIN_PARSERS if s.name == "json"]
    check(parse_completion(text, parsers=only_json), [], (), fmt="none", text=text, attempted=False)
    check(parse_completion(WEATHER, parsers=only_json), [W], (), fmt="json")
    assert parse_completion(text, parsers=()).format == "none"
    with pytest.raises(ConfigError):
        parse_completion(text, parsers=[parse_hermes])  # type: ignore[list-item]
    with pytest.raises(ConfigError):
        parse_completion(text, parsers="hermes")  # type: ignore[arg-type]
    with pytest.raises(ConfigError):
        parse_completion(text, limits={"max_chars": 3})  # type: ignore[arg-type]


def test_call_from_object() -> None:
    assert call_from_object({"name": "f", "arguments": "{}"}) == (C("f", {}), ("arguments_json_string",))
    assert call_from_object({"name": "f", "arguments": "{}"}, arguments_string_ok=True) == (C("f", {}), ())
    assert call_from_object([1]) == (None, ("missing_name",))


def test_direct_parser_calls_use_given_limits() -> None:
    text = tc('{"name": "f", "arguments": {"a": [[1]]}}')
    r = parse_hermes(text, Limits(max_depth=2))
    assert r is not None and r.violations == ("nesting_too_deep",)
    assert parse_json('{"a": 1}') is None
    assert parse_pythonic("hello world") is None


def test_builtin_plugin_registers_all_parsers() -> None:
    from rlvr_rewards.builtin import parsers as plugin

    got: list[ParserSpec] = []
    plugin.register_parsers(got.append)
    assert tuple(got) == BUILTIN_PARSERS
    assert hasattr(plugin.register_parsers, "rlvr_rewards_impl")  # pluggy hookimpl marker


# --------------------------------------------------------------------------------------------------
# Adversarial sizes: time bounds and linearity
# --------------------------------------------------------------------------------------------------

BIG = Limits(max_chars=2_000_000)

ADVERSARIAL: list[tuple[str, str, tuple[str, ...]]] = [
    ("unclosed_tags", "<tool_call>" * 10_000, ("empty_call_block", "unclosed_tag")),
    ("unclosed_tags_200k", "<tool_call>" * 18_000, ("empty_call_block", "unclosed_tag")),
    ("stray_closes", "</tool_call>" * 16_000, ("stray_closing_tag",)),
    ("brackets", "[" * 100_000, ()),
    ("braces", "{" * 100_000, ()),
    ("hermes_deep", "<tool_call>" + "[" * 100_000, ("nesting_too_deep", "unclosed_tag")),
    ("json_name_deep", '{"name":' * 20_000, ("nesting_too_deep",)),
    ("pythonic_deep", "[f(a=" + "[" * 100_000 + "])]", ("nesting_too_deep",)),
    ("mistral_markers", "[TOOL_CALLS]" * 15_000, ("empty_call_block",)),
    ("llama_deep", "<|python_tag|>" + "[" * 100_000, ("nesting_too_deep",)),
    ("fences", "```" * 60_000, ()),
    ("think_opens", "<think>" * 25_000, ("unclosed_think",)),
    ("think_closes", "</think>" * 25_000, ("stray_closing_tag",)),
    ("think_pairs", "<think>a</think>" * 12_000, ("repeated_think",)),
    ("quotes", '"' * 190_000, ()),
    ("identifier", "a" * 190_000 + "(", ()),
]


@pytest.mark.parametrize(("text", "violations"), [c[1:] for c in ADVERSARIAL], ids=[c[0] for c in ADVERSARIAL])
def test_adversarial_is_fast(text: str, violations: tuple[str, ...]) -> None:
    r = parse_completion(text)
    assert r.violations == violations
    assert r.calls == ()
    # each is at most 200k characters (measured: up to ~2x decoding a megabyte of JSON)
    assert_bounded(lambda: parse_completion(text), 20.0, "adversarial text")


def test_one_megabyte() -> None:
    prose = "lorem ipsum dolor sit amet " * 40_000
    r = parse_completion(prose, limits=BIG)
    check(r, [], (), text=prose.strip())
    assert_bounded(lambda: parse_completion(prose, limits=BIG), 5.0, "1 MB of prose, read")  # measured ~0.3x
    r = parse_completion(prose)  # default limits: too long, rejected without scanning
    assert r.violations == ("too_long",)
    assert_bounded(lambda: parse_completion(prose), 0.05, "1 MB of prose, refused as too long")  # ~0.0001x
    calls = tc(WEATHER) * 20_000  # ~1.3 MB of valid blocks
    r = parse_completion(calls, limits=BIG)
    assert len(r.calls) == DEFAULT_LIMITS.max_calls and r.violations == ("too_many_calls",)
    assert_bounded(lambda: parse_completion(calls, limits=BIG), 50.0, "1.3 MB of tool-call blocks")  # ~8x


@pytest.mark.parametrize(
    "unit",
    [
        "<tool_call>",
        "</tool_call>",
        '<tool_call>{"name": "f", "arguments": {"a": 1}} x</tool_call>',
        "<tool_call>{oops</tool_call>",
        "[TOOL_CALLS]f[ARGS]{}",
        "<think>a</think>",
        '```json\n{"name": 1\n',
        "[",
    ],
)
def test_linear_scaling(unit: str) -> None:
    small = unit * 2_000
    large = unit * 20_000
    limits = Limits(max_chars=10 * len(large), max_calls=10**6)
    # linear is 10x; quadratic would be 100x
    assert_linear(
        lambda: parse_completion(small, limits=limits),
        lambda: parse_completion(large, limits=limits),
        25.0,
        f"{unit!r} repeated",
    )


# --------------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------------


def _assert_well_formed(r: Any) -> None:
    assert isinstance(r, ParseResult)
    assert isinstance(r.calls, tuple) and all(isinstance(c, ParsedCall) for c in r.calls)
    assert all(isinstance(c.name, str) and (c.arguments is None or isinstance(c.arguments, dict)) for c in r.calls)
    assert list(r.violations) == sorted(set(r.violations))
    assert set(r.violations) <= VIOLATIONS.keys()
    assert isinstance(r.text, str) and isinstance(r.think, str) and isinstance(r.format, str)
    assert len(r.calls) <= DEFAULT_LIMITS.max_calls
    if r.calls:
        assert r.attempted_call
        json.dumps([c.arguments for c in r.calls], allow_nan=False)  # plain, finite JSON values


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_property_any_text(text: str) -> None:
    _assert_well_formed(parse_completion(text))


# fmt: off
FRAGMENTS = [
    "<tool_call>", "</tool_call>", "<TOOLCALL>", "</TOOLCALL>", "[TOOL_CALLS]", "[ARGS]", "[CALL_ID]",
    "<|python_tag|>", "<|eom_id|>", "<think>", "</think>", "```", "```json\n", "{", "}", "[", "]", "(", ")",
    '"name"', '"arguments"', '"parameters"', ":", ",", ";", "\n", " ", '"f"', "f", "=", "1", "NaN",
    "Infinity", "1e999", "9" * 120, '"\\ud800"', "\x00", "null", "true", "a.b", "**", "'x'", WEATHER, TIME,
    '{"name": "f", "arguments": "{}"}', "f(a=1)", "[f(a=1)]", "lambda", "\ud800",
]
# fmt: on


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=30).map("".join))
def test_property_marker_soup(text: str) -> None:
    _assert_well_formed(parse_completion(text))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=10,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        json_values,
        st.dictionaries(st.sampled_from(["role", "content", "tool_calls", "reasoning_content"]), json_values),
        st.lists(st.dictionaries(st.sampled_from(["role", "content", "tool_calls"]), json_values), max_size=3),
        st.binary(max_size=50),
    )
)
def test_property_any_structure(completion: Any) -> None:
    _assert_well_formed(parse_completion(completion))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "name": st.from_regex(r"[a-z_][a-z0-9_]{0,10}", fullmatch=True),
                "arguments": st.dictionaries(
                    st.text(max_size=5), st.integers(-1000, 1000) | st.text(max_size=5), max_size=3
                ),
            }
        ),
        min_size=1,
        max_size=4,
    )
)
def test_property_hermes_roundtrip(calls: list[dict[str, Any]]) -> None:
    text = "\n".join(tc(json.dumps(c)) for c in calls)
    r = parse_completion(text)
    assert r.violations == ()
    assert r.calls == tuple(C(c["name"], c["arguments"]) for c in calls)
    openai = {
        "role": "assistant",
        "tool_calls": [openai_call(c["name"], json.dumps(c["arguments"])) for c in calls],
    }
    assert parse_completion(openai).calls == r.calls


def test_hermes_block_with_json_lines_holds_several_calls() -> None:
    a = '{"name": "a", "arguments": {"x": 1}}'
    b = '{"name": "b", "arguments": {"y": 2}}'
    r = parse_completion(f"<tool_call>\n{a}\n{b}\n</tool_call>")
    assert [c.name for c in r.calls] == ["a", "b"] and r.violations == ()
    r2 = parse_completion(f"<tool_call>\n{a}\n{b} and more\n</tool_call>")
    assert [c.name for c in r2.calls] == ["a", "b"] and r2.violations == ("trailing_garbage",)
    r3 = parse_completion(f"<tool_call>\n{a} {b}\n</tool_call>")
    assert [c.name for c in r3.calls] == ["a"] and r3.violations == ("trailing_garbage",)


def test_pythonic_node_count_is_still_bounded_and_ast_is_never_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """The node cap of the former ast-based decoder still applies (same outcomes); nothing calls ast.parse."""
    import ast

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("ast.parse called on model output")

    monkeypatch.setattr(ast, "parse", refuse)
    big = "[" + ", ".join(f"f(a={i})" for i in range(20_000)) + "]"
    r = parse_completion(big, limits=Limits(max_chars=1_000_000))
    assert r.calls == () and "pythonic_not_call" in r.violations and r.attempted_call
    small = "[" + ", ".join(f"f(a={i})" for i in range(3)) + "]"
    assert len(parse_completion(small).calls) == 3
    assert parse_completion("[f(a=f'{x}'), g(b=1)]").calls == (C("f", None), C("g", {"b": 1}))
