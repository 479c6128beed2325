"""The parsers' shortcuts for many small blocks equal the general paths they skip.

- ``loads_untrusted(..., quick_refusal=True)``: a short text orjson refused and :func:`plainly_invalid` clears
  is ``invalid_json`` without the stdlib re-read; here the stdlib re-read (``_decode_rejected``) is run on
  the same texts and must say ``invalid_json`` too;
- ``_longest_prefix``: an array/object text without any closing bracket has no JSON prefix (the scanner is
  skipped); here the scanner runs on the same texts;
- ``_may_name_a_call``: a fence body (or a whole text) without ``name``, ``function`` or ``\\`` is skipped
  undecoded; here every body is decoded instead;
- ``_native_error``: walked level by level in bulk passes (and, with a huge budget, shared containers kept once
  with their number of copies); here the plain recursive walk of its rule (tests/test_parse_linear.py) reaches
  every copy, and explicit values pin the rule down (the string charge, the order of several problems).

Only outcomes are compared (no timing: the speed of these shapes is measured in ``benchmarks/``).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rlvr_rewards.limits import Limits
from rlvr_rewards.parsing import formats as fm
from rlvr_rewards.parsing import parse_completion
from rlvr_rewards.util import jsonsafe
from rlvr_rewards.util.jsonsafe import FAIL, loads_untrusted, plainly_invalid

from .test_parse_linear import (
    HostileDict,
    HostileFloat,
    HostileInt,
    HostileList,
    HostileStr,
    HostileTuple,
    _OddType,
    _reference_native_error,
)

LIMITS = [Limits(), Limits(max_depth=2), Limits(max_int_digits=1), Limits(max_int_digits=3), Limits(max_calls=1)]

#: Pieces of broken and valid JSON, with everything that makes the stdlib decoder's verdict differ from
#: ``invalid_json`` (constants, long and exponent numbers, escapes, surrogates, depth, duplicate keys).
JSON_PIECES = [
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
    " ",
    "\n",
    '"a"',
    '"name"',
    '"f"',
    "1",
    "12",
    "123",
    "0",
    "-",
    ".",
    "5",
    "9" * 16,
    "9" * 20,
    "1e5",
    "2E-3",
    "1.5",
    "NaN",
    "-Infinity",
    "Infinity",
    "null",
    "true",
    '"\\u00e9"',
    '"\\ud800"',
    "\\",
    '"\\n"',
    "é",
    "\ud800",
    "\x7f",
    "\x00",
    '"x:y"',
    ";",
    "t",
    "u",
]

json_texts = st.lists(st.sampled_from(JSON_PIECES), max_size=14).map("".join)


def _refused(text: str) -> bool:
    try:
        orjson.loads(text)
    except orjson.JSONDecodeError:
        return True
    return False


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=json_texts, limits=st.sampled_from(LIMITS))
def test_quick_refusal_equals_the_stdlib_reading(text: str, limits: Limits) -> None:
    assert loads_untrusted(text, limits, True)[1:] == loads_untrusted(text, limits)[1:]
    if _refused(text) and plainly_invalid(text, limits):
        assert jsonsafe._decode_rejected(text, limits) == (FAIL, "invalid_json", ())


@pytest.mark.parametrize("code", range(128))
def test_quick_refusal_on_every_ascii_character(code: int) -> None:
    ch = chr(code)
    for shape in ('"%s"', "[%s]", '{"a":%s}', "[1%s]", "%s1", '{"a"%s:1}', '"\\%s"', "[-%s1]", "[1.%s]", "[1e%s1]"):
        text = shape % ch
        for limits in LIMITS:
            assert loads_untrusted(text, limits, True) == loads_untrusted(text, limits), text


def test_plainly_invalid_leaves_the_other_codes_to_the_stdlib_reading() -> None:
    limits = Limits(max_depth=3, max_int_digits=3)
    for text, code in [
        ('{"a": NaN', "nonfinite_number"),
        ('{"a": 1e999}', "nonfinite_number"),
        ('{"a": 1234}', "number_too_large"),
        ("[[[[1]]]]", "nesting_too_deep"),
        ('{"a": "\\ud800"}', "invalid_unicode"),
        ('{"a": "\ud800"', "invalid_unicode"),
    ]:
        assert not plainly_invalid(text, limits), text
        assert loads_untrusted(text, limits, True)[1] == code, text
    assert plainly_invalid('{"name": "f", "arguments": {"a": 12', limits)


@settings(max_examples=400, deadline=None)
@given(text=json_texts)
def test_a_text_without_closing_brackets_has_no_prefix(text: str) -> None:
    for head in ("{", "["):
        body = head + text
        shortcut = "}" not in body and "]" not in body and body.count("{") + body.count("[") <= fm._SHALLOW
        if shortcut:
            assert fm._json_end(body, 0) == -1
        if loads_untrusted(body)[1] == "invalid_json":
            outcome = fm._longest_prefix(body, Limits())
            if shortcut:
                assert outcome == (FAIL, "invalid_json", (), len(body))


FENCE_PIECES = [
    "```json\n{}\n```",
    '```json\n{"name": "f", "arguments": {"a": 1}}\n```',
    "```\n[]\n```",
    '```json\n{"\\u006eame": "f"}\n```',
    '```json\n{"function": {"name": "g"}}\n```',
    "```json\n{oops\n```",
    '```json\n{"name": 1\n```',
    "```python\n{}\n```",
    "```",
    " text ",
    "\n",
    '```json\n[{"a": 2}]\n```',
    '```json\n{"nam": 1}\n```',
    '```json\n{"a": "\\\\"}\n```',
    '"name"',
]


def _every_body_decoded(text: str, limits: Limits) -> Any:
    with pytest.MonkeyPatch.context() as m:
        m.setattr(fm, "_may_name_a_call", lambda _text: True)
        return fm._parse_fences(text, limits, reuse=False)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pieces=st.lists(st.sampled_from(FENCE_PIECES), max_size=10),
    copies=st.integers(1, 20),
    limits=st.sampled_from(LIMITS),
)
def test_fences_skipped_undecoded_equal_decoding_every_body(pieces: list[str], copies: int, limits: Limits) -> None:
    text = "".join(pieces) * copies
    if "```" in text:
        expected = _every_body_decoded(text, limits)
        assert (fm.parse_fence(text, limits) if fm._may_name_a_call(text) else None) == expected
        assert fm._parse_fences(text, limits, reuse=True) == expected


def _shared_dicts(levels: int, leaf: Any) -> Any:
    d = leaf
    for _ in range(levels):
        d = {"l": d, "r": d}
    return d


def _shared_across_depths(levels: int) -> Any:
    d: Any = {"x": [1, "y"]}
    for _ in range(levels):
        d = {"a": d, "b": [d, {"c": d}]}
    return d


SHARED = [_shared_dicts(k, leaf) for k in (1, 3, 10, 30) for leaf in ({"x": "y" * 100}, [0] * 5, ["\ud800"], [])]


def _shared_shallow_first(levels: int) -> Any:
    d: Any = {"x": [1, "y"]}
    for _ in range(levels):
        d = {"a": [{"c": d}], "b": d}  # (the last child is walked first: reached shallow, then deeper)
    return d


SHARED += [_shared_across_depths(k) for k in (1, 3, 8, 20)] + [_shared_shallow_first(k) for k in (2, 4, 8, 20)]
SHARED += [functools.reduce(lambda d, _: [d, d, 1], range(k), [1.5, None]) for k in (2, 12, 40)]
SHARED += [[_shared_dicts(4, {"x": 1})] * 50, {"a": [[1, 2]] * 300, "b": [float("nan")]}]


@pytest.mark.parametrize("index", range(len(SHARED)))
@pytest.mark.parametrize(
    "limits",
    [
        Limits(),
        Limits(max_chars=50),
        Limits(max_chars=700),
        Limits(max_depth=6),
        Limits(max_depth=12, max_chars=5_000),
        Limits(max_int_digits=1),
    ],
)
def test_shared_arguments_equal_the_plain_stack_walk(index: int, limits: Limits) -> None:
    value = SHARED[index]
    assert fm._native_error(value, limits) == _reference_native_error(value, limits)


def test_a_dict_shared_2_to_the_30_is_too_long() -> None:
    message = {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {"type": "function", "function": {"name": "f", "arguments": _shared_dicts(30, {"x": "y" * 100})}}
        ],
    }
    result = parse_completion(message)
    assert result.violations == ("too_long",) and result.calls[0].arguments is None


def test_a_dict_shared_2_to_the_30_fits_a_budget_of_its_exact_charge() -> None:
    """Charged 116 * 2^30 - 9 (2^30 - 1 dicts of two keys at 9, 2^30 leaves at 5 + 102): the walk keeps each
    shared container once with its number of copies, so even a budget it fits in is a few dozen steps."""
    value = _shared_dicts(30, {"x": "y" * 100})
    total = 116 * 2**30 - 9
    assert fm._native_error(value, Limits(max_chars=total)) is None
    assert fm._native_error(value, Limits(max_chars=total - 1)) == "too_long"
    assert fm._native_error(value, Limits(max_chars=10**7)) == "too_long"


def test_strings_are_charged_their_length() -> None:
    """A string is charged ``len + 2`` (its JSON text's quotes): one long string, or a long string shared by
    reference many times, is ``too_long`` from its charge, unread (150,000 copies of a 1 MB string took 36 s
    when each copy cost 1 and was read)."""
    assert fm._native_error("x" * 10, Limits(max_chars=12)) is None
    assert fm._native_error("x" * 11, Limits(max_chars=12)) == "too_long"
    assert fm._native_error({"é" * 5: "é" * 5}, Limits(max_chars=16)) is None  # 1 + (5 + 3) + (5 + 2)
    assert fm._native_error({"é" * 5: "é" * 5}, Limits(max_chars=15)) == "too_long"
    assert fm._native_error({"a": "x" * 300_000}, Limits()) == "too_long"
    assert fm._native_error({"a": ["é" * 1_000_000] * 150_000}, Limits()) == "too_long"
    assert fm._native_error({"a": ["\ud800" * 1_000_000] * 150_000}, Limits()) == "too_long"
    message = {
        "role": "assistant",
        "content": None,
        "tool_calls": [{"type": "function", "function": {"name": "f", "arguments": {"a": "x" * 300_000}}}],
    }
    assert parse_completion(message).violations == ("too_long",)


def _nested(leaf: Any, depth: int) -> Any:
    """``leaf`` at depth ``depth`` (inside ``depth - 1`` lists)."""
    for _ in range(depth - 1):
        leaf = [leaf]
    return leaf


NATIVE_PROBLEMS = [
    (b"x", "invalid_json"),
    (1j, "invalid_json"),
    (_OddType(), "invalid_json"),
    (np.int64(1), "invalid_json"),
    ({1: "a"}, "invalid_json"),
    ({_OddType(): "a"}, "invalid_json"),
    ("a\ud800", "invalid_unicode"),
    ({"\udfff": 1}, "invalid_unicode"),
    (10**100, "number_too_large"),
    (-(10**100), "number_too_large"),
    (float("nan"), "nonfinite_number"),
    (float("-inf"), "nonfinite_number"),
    (np.float64("inf"), "nonfinite_number"),
]


@pytest.mark.parametrize(("leaf", "code"), NATIVE_PROBLEMS)
@pytest.mark.parametrize("depth", [1, 2, 30, 63, 64])
def test_each_native_problem_alone(leaf: Any, code: str, depth: int) -> None:
    value = _nested(leaf, depth)
    # (a dict leaf at depth 64 is within the default max_depth of 64: its key problem is reported)
    assert fm._native_error(value, Limits()) == code == _reference_native_error(value, Limits())
    assert fm._native_error([value, "x" * 200_000], Limits()) == "too_long"  # the budget comes first


@pytest.mark.parametrize("depth", [1, 2, 10])
def test_nesting_too_deep_alone(depth: int) -> None:
    for container in ([], {}, (), [1], {"a": 1}):
        value = _nested(container, depth + 1)
        assert fm._native_error(value, Limits(max_depth=depth)) == "nesting_too_deep"
        assert fm._native_error(value, Limits(max_depth=depth + 1)) is None
    cyclic: list[Any] = []
    cyclic.append(cyclic)
    assert fm._native_error(cyclic, Limits(max_depth=depth)) == "nesting_too_deep"


SEVERAL_PROBLEMS = [
    # the shallowest depth wins, whatever the kinds (a depth-first walk found the deeper one first here)
    ({"a": float("nan"), "b": [b"x"]}, "nonfinite_number"),
    ({"b": [b"x"], "a": float("nan")}, "nonfinite_number"),
    ([[["\ud800"]], 10**100], "number_too_large"),
    ([[[[]]], float("inf")], "nonfinite_number"),  # (with max_depth=2: the list at depth 3 is too deep)
    # one depth: nesting_too_deep, invalid_json, invalid_unicode, number_too_large, nonfinite_number
    ([float("nan"), 10**100, "\ud800", b"x"], "invalid_json"),
    ([float("nan"), 10**100, "\ud800"], "invalid_unicode"),
    ([float("nan"), {"\ud800": 1}], "invalid_unicode"),
    ([float("nan"), 10**100], "number_too_large"),
    ([{1: 1}, "\ud800"], "invalid_json"),
    # the budget before everything
    ([b"x", "y" * 200_000], "too_long"),
]


@pytest.mark.parametrize(("value", "code"), SEVERAL_PROBLEMS)
def test_several_native_problems_follow_the_rule(value: Any, code: str) -> None:
    limits = Limits(max_depth=2)  # (and the default limits: the same code, except the budget's)
    assert fm._native_error(value, limits) == code
    assert fm._native_error(value, Limits()) == _reference_native_error(value, Limits())
    assert fm._native_error(value, limits) == _reference_native_error(value, limits)


def test_nesting_too_deep_comes_first_within_a_depth() -> None:
    assert fm._native_error([[1], b"x", float("nan")], Limits(max_depth=1)) == "nesting_too_deep"
    assert fm._native_error([{1: 1}, "\ud800"], Limits(max_depth=1)) == "nesting_too_deep"


def test_hostile_values_never_raise() -> None:
    """Subclasses are read through their base type (no override is called); other types are not JSON, and
    a level whose types cannot even be hashed is walked item by item."""
    hostile_list = type("L", (list,), {"__len__": lambda s: -1, "__iter__": lambda s: iter(range(10**9))})
    hostile_dict = type(
        "D",
        (dict,),
        {
            "__len__": lambda s: 1 // 0,
            "keys": lambda s: 1 // 0,
            "values": lambda s: 1 // 0,
            "__iter__": lambda s: 1 // 0,
        },
    )
    hostile_str = type("S", (str,), {"__len__": lambda s: 10**9, "isascii": lambda s: 1 // 0})
    assert fm._native_error(hostile_list([1, 2]), Limits()) is None
    assert fm._native_error(hostile_dict({"a": [hostile_str("x")]}), Limits()) is None
    assert fm._native_error(hostile_dict({"a": hostile_str("\ud800")}), Limits()) == "invalid_unicode"
    assert fm._native_error(hostile_str("x" * 10), Limits(max_chars=11)) == "too_long"
    for value in ([_OddType()], {"a": [1, _OddType(), "x"]}, [[_OddType()] * 1000], {_OddType(): 1}):
        assert fm._native_error(value, Limits()) == "invalid_json" == _reference_native_error(value, Limits())
    assert fm._native_error([_OddType(), [float("nan")]] * 100_000, Limits()) == "too_long"
    assert fm._native_error([np.float64(1.5), np.str_("é"), [True, None]], Limits()) is None


@pytest.mark.parametrize("deep", [False, True])
def test_subclasses_are_read_in_bulk_through_their_base_type(deep: bool) -> None:
    """A level of subclasses whose every override raises is walked in bulk (no fall back to the item by item
    walk, which would hide an exception), with the item by item walk's charge, problem and next level."""
    level = [
        HostileStr("é"),
        HostileInt(-5),
        HostileFloat(1.5),
        HostileList([1, [2]]),
        HostileTuple((3,)),
        HostileDict({"k": 4, HostileStr("é"): 5}),
        "s",
        6,
        7.5,
        None,
        True,
    ]
    # charged 3 + 1 + 1 + 3 + 2 + (1 + 4 + 4) + 3 + 1 + 1 + 1 + 1 = 26
    for extra, charge, code in [
        ((), 26, None),
        ((HostileStr("\ud800"), HostileInt(10**100), HostileFloat("nan")), 31, "invalid_unicode"),
        ((HostileInt(-(10**100)), HostileFloat("nan")), 28, "number_too_large"),
        ((HostileFloat("-inf"),), 27, "nonfinite_number"),
        ((1j,), 27, "invalid_json"),
    ]:
        flat = fm._flat_level([*level, *extra], 1_000, 10**100, deep, True)
        merged = fm._merged_level([*level, *extra], None, 1_000, 10**100, deep, True)
        assert flat is not None
        assert flat[:2] == merged[:2] == (charge, "nesting_too_deep" if deep else code)
        following = [] if deep else ["1", "3", "4", "5", "[2]"]
        assert sorted(map(repr, flat[2])) == sorted(map(repr, merged[2])) == following


def test_cyclic_values_end_within_the_budget() -> None:
    wide: list[Any] = [0] * 1_000
    wide.append(wide)
    assert fm._native_error(wide, Limits()) == "nesting_too_deep"  # 65 levels of 2,002: within the budget
    wide.extend([0] * 9_000)
    assert fm._native_error(wide, Limits()) == "too_long"
    mutual: dict[str, Any] = {}
    mutual["a"] = [mutual, mutual, {"b": mutual}]
    assert fm._native_error(mutual, Limits()) == "too_long"
    assert (
        fm._native_error(mutual, Limits(max_depth=3))
        == "nesting_too_deep"
        == _reference_native_error(mutual, Limits(max_depth=3))
    )


def _distinct(unit: str, count: int) -> str:
    return "".join(unit % i for i in range(count))


DISTINCT_SHAPES = [
    '<tool_call>{"name": "f", "arguments": {"a": %d</tool_call>',
    "<tool_call>{%d</tool_call>",
    '<TOOLCALL>[{"name": "f", "arguments": {"a": %d</TOOLCALL>',
    "<TOOLCALL>[%d",
    '[TOOL_CALLS][{"name": "f", "arguments": {"a": %d',
    '[TOOL_CALLS]f[ARGS]{"a": %d',
    '<|python_tag|>{"a": %d',
    '```json\n{"name"%d\n```\n',
    '```json\n{"a": %d\n```\n',
    "```json\n{}\n```\n%d",
    '<tool_call>{"name": "f", "arguments": {"a": 1%d}}</tool_call>',
]


@pytest.mark.parametrize("unit", DISTINCT_SHAPES)
def test_distinct_broken_blocks_equal_the_general_path(unit: str) -> None:
    """The sweep's broken-block shapes, with the quick refusal and the fence skip switched off for reference."""
    text = _distinct(unit, 300)
    for limits in (Limits(), Limits(max_calls=1, max_int_digits=2)):
        fast = parse_completion(text, limits=limits)
        with pytest.MonkeyPatch.context() as m:
            m.setattr(jsonsafe, "plainly_invalid", lambda _text, _limits: False)
            m.setattr(fm, "_may_name_a_call", lambda _text: True)
            plain = parse_completion(text, limits=limits)
        assert fast == plain
