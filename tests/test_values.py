"""Typing the argument values text-only formats write, by the tool schema (rlvr_rewards.parsing.values)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import rlvr_rewards as rr
from rlvr_rewards.groundtruth.toolspecs import compile_tools
from rlvr_rewards.limits import Limits
from rlvr_rewards.parsing.types import ParsedCall, ParseResult
from rlvr_rewards.parsing.values import declared_types, type_text, type_values


@pytest.mark.parametrize(
    ("text", "schema", "value", "ok"),
    [
        ("12", {"type": "integer"}, 12, True),
        (" -7\n", {"type": "integer"}, -7, True),
        ("12.0", {"type": "integer"}, "12.0", False),
        ("1" * 101, {"type": "integer"}, "1" * 101, False),
        ("٣", {"type": "integer"}, "٣", False),  # a non-ASCII digit is not an integer literal
        ("2.5", {"type": "number"}, 2.5, True),
        ("3", {"type": "number"}, 3, True),
        ("NaN", {"type": "number"}, "NaN", False),
        ("1e999", {"type": "number"}, "1e999", False),
        ("true", {"type": "boolean"}, True, True),
        ("False", {"type": "boolean"}, False, True),
        ("yes", {"type": "boolean"}, "yes", False),
        ("null", {"type": "null"}, None, True),
        ("None", {"type": ["string", "null"]}, None, True),
        ("none at all", {"type": ["string", "null"]}, "none at all", True),
        ('{"a": 1}', {"type": "object"}, {"a": 1}, True),
        ("[1, 2]", {"type": "array"}, [1, 2], True),
        ("[1, 2", {"type": "array"}, "[1, 2", False),
        ("  Paris  ", {"type": "string"}, "  Paris  ", True),
        ("02134", {"type": "string"}, "02134", True),
        ("5", {"anyOf": [{"type": "integer"}, {"type": "string"}]}, 5, True),
        ("x", {"anyOf": [{"type": "integer"}, {"type": "string"}]}, "x", True),
        ("celsius", {"enum": ["celsius", "fahrenheit"]}, "celsius", True),
        ("3", {"enum": [1, 2, 3]}, 3, True),
        # no declared type: JSON numbers / constants / containers, anything else text
        ("12", None, 12, True),
        ("02134", None, "02134", True),
        ("true", {}, True, True),
        ('"quoted"', None, '"quoted"', True),
        ("Paris", None, "Paris", True),
        ("[1]", {"description": "x"}, [1], True),
    ],
)
def test_type_text(text: str, schema: Any, value: Any, ok: bool) -> None:
    got, fine = type_text(text, schema)
    assert (got, fine) == (value, ok)
    assert type(got) is type(value)


def test_declared_types_order_and_branches() -> None:
    assert declared_types({"type": ["string", "integer", "null"]}) == ("null", "integer", "string")
    assert declared_types({"oneOf": [{"type": "number"}, {"anyOf": [{"type": "boolean"}]}]}) == ("boolean", "number")
    assert declared_types("not a schema") == ()


def test_limits_bound_the_decoding() -> None:
    deep = "[" * 70 + "]" * 70
    assert type_text(deep, {"type": "array"}, Limits(max_depth=64)) == (deep, False)
    assert type_text("9" * 50, {"type": "integer"}, Limits(max_int_digits=20)) == ("9" * 50, False)


TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "f",
            "parameters": {
                "type": "object",
                "properties": {"n": {"type": "integer"}, "s": {"type": "string"}, "b": {"type": "boolean"}},
            },
        },
    }
]


def _untyped(**args: str) -> ParseResult:
    call = ParsedCall("f", dict(args), frozenset(args))
    return ParseResult(calls=(call,), text="", format="x", attempted_call=True, untyped=True)


def test_type_values_by_the_toolset() -> None:
    got = type_values(_untyped(n="5", s="5", b="true", other="7"), compile_tools(TOOLS))
    assert got.calls[0].arguments == {"n": 5, "s": "5", "b": True, "other": 7}
    assert got.calls[0].untyped == frozenset() and not got.untyped and got.violations == ()
    bad = type_values(_untyped(n="five"), compile_tools(TOOLS))
    assert bad.calls[0].arguments == {"n": "five"} and bad.violations == ("untyped_value",)
    plain = ParseResult(calls=(ParsedCall("f", {"n": "5"}),), text="")
    assert type_values(plain, compile_tools(TOOLS)) is plain  # nothing untyped: unchanged


def test_scoring_types_values_by_each_items_tools() -> None:
    """The same completion, two rows with different schemas: each pair is typed by its own tools."""
    result = _untyped(n="5")
    assert result.untyped
    as_string = [
        {"type": "function", "function": {"name": "f", "parameters": {"properties": {"n": {"type": "string"}}}}}
    ]
    got_int = type_values(result, compile_tools(TOOLS))
    got_str = type_values(result, compile_tools(as_string))
    assert got_int.calls[0].arguments == {"n": 5} and got_str.calls[0].arguments == {"n": "5"}


@given(st.text(max_size=40), st.sampled_from(["integer", "number", "boolean", "null", "object", "array", "string"]))
def test_type_text_never_raises_and_keeps_text_when_refused(text: str, kind: str) -> None:
    value, ok = type_text(text, {"type": kind})
    if not ok:
        assert value == text
    else:
        assert kind == "string" or not isinstance(value, str)


def test_rr_parse_types_with_tools() -> None:
    # a registered XML format is needed for a real text; the typing itself is exercised above
    assert rr.parse("plain text", tools=TOOLS).calls == ()
