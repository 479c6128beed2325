"""User regexes (``rlvr_rewards.groundtruth.userregex``): what is refused (with a located error, through
``score``), what is accepted (with exactly ``re``'s answers), and what happens past a pattern's ``max_input``.

Timing of accepted patterns on adversarial inputs: ``tests/test_user_regex_timing.py``."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rlvr_rewards as rr
from rlvr_rewards.groundtruth import userregex
from rlvr_rewards.groundtruth.toolspecs import compile_tools
from rlvr_rewards.groundtruth.userregex import MAX_INPUT, MIN_INPUT, UnsafeRegex, compile_user_regex, regex_risks

from .helpers import RUN_TRUTH, run_call, run_tools

MODES = ("fullmatch", "search")

# --------------------------------------------------------------------------------------------------------------
# Refused: families of catastrophic shapes
# --------------------------------------------------------------------------------------------------------------

_BODIES = ["a", r"\w", r"\d", ".", "[a-z]", r"\s", "(?:ab)", "[^x]", r"(?i:k)", r"\S"]


def _nested_family() -> list[str]:
    """A repeat of a repeat over the same characters: exponential in any mode (``(a+)+`` and relatives)."""
    out = []
    for body in _BODIES:
        for inner in ("+", "{1,}", "{2,50}", "+?"):
            for outer in ("+", "*", "{2,}", "{1,100}", "{20}"):
                for suffix in ("", "$", "!"):
                    out.append(f"(?:{body}{inner}){outer}{suffix}")
    return out


def _alternation_family() -> list[str]:
    """Alternatives that can read the same text under a repeat: ``(a|a)*`` and relatives."""
    # (alternatives that are all single characters, like \w|\d, are merged by Python's parser into one class,
    # [\w\d], which does not backtrack: those are accepted)
    pairs = [
        ("a", "a"),
        ("a", "aa"),
        (".", "a"),
        ("[^x]", "y"),
        ("a", "b|ab"),
        ("(?i:a)", "A"),
        (r"\w\w", r"\d\d"),
        (r"\s\S", " x"),
        ("x.", "xa"),
    ]
    return [f"(?:{x}|{y}){q}{s}" for x, y in pairs for q in ("*", "+", "{2,}", "{0,64}") for s in ("", "$", "c")]


#: Refused in both modes, with the code of the reason.
REFUSED: list[tuple[str, str]] = (
    [(p, "exponential") for p in _nested_family()]
    + [(p, "exponential") for p in _alternation_family()]
    + [
        (r"(a+)+$", "exponential"),
        (r"^(a+)+$", "exponential"),
        (r"(a|a)*", "exponential"),
        (r"(\w+\s?)*", "exponential"),
        (r"(\w+\s?)*$", "exponential"),
        (r"(.*a){20}", "exponential"),
        (r"(.*a){2,}x", "exponential"),
        (r"(a{1,100}){1,100}", "exponential"),
        (r"(x+x+)+y", "exponential"),
        (r"(\d+)*x", "exponential"),
        (r"(a|b|ab)*c", "exponential"),
        (
            r"^([a-zA-Z0-9])(([\-.]|[_]+)?([a-zA-Z0-9]+))*(@){1}[a-z0-9]+[.]{1}(([a-z]{2,3})|([a-z]{2,3}[.]{1}[a-z]{2,3}))$",
            "exponential",
        ),  # a well-known ReDoS email pattern
        (r"(a*)*", "empty_loop"),
        (r"(a?)+b", "empty_loop"),
        (r"(?:x|)*y", "empty_loop"),
        (r"(a*b*)*", "empty_loop"),
        (r"(a)\1", "backreference"),
        (r"(?P<w>\w+) (?P=w)", "backreference"),
        (r"(a)?(?(1)b|c)", "conditional"),
        (r"a.*b.*c", "ambiguous"),
        (r"x(?=.*y)z", "lookahead"),
        ("(" * 2000 + ")" * 2000, "nesting"),
        ("(" * 2000 + "a" + ")" * 2000, "nesting"),
        ("(?:" * 33 + "a" + ")" * 33, "nesting"),
        ("a" * (userregex.MAX_PATTERN_LENGTH + 1), "too_long"),
        ("[a-z]" * 1000, "too_long"),
        ("a{4294967295}", "repeat_count"),
        ("a{99999999999999999999}", "repeat_count"),
        ("(", "syntax"),
        ("[a", "syntax"),
        ("a**", "syntax"),
        (r"(?<=a+)b", "syntax"),
        (r"\p{L}", "syntax"),
    ]
)

#: Refused for fullmatch only (a search runs a reduced pattern that is safe).
REFUSED_FULLMATCH: list[tuple[str, str, str]] = [
    (r"[^@\s]+@[^@\s]+\.[^@\s]+", "ambiguous", "x@y.z"),  # polynomial: the middle repeat reads the '.' after it
    (r"\d+\.\d*\d+", "ambiguous", "v1.25"),
]


def _quadratic_search_refused() -> list[str]:
    """Unanchored patterns whose search would be quadratic on fewer than MIN_INPUT characters (a repeat of a
    16-way alternation inside: each step tries the alternatives in turn)."""
    alts = "|".join(["ab", "cd", "ef", "gh", "ij", "kl", "mn", "op", "qr", "st", "uv", "wx", "yz", "AB", "CD", "EF"])
    return [rf"x(?:{alts})*y", rf"x(?:(?:{alts})z)*y"]


@pytest.mark.parametrize(("pattern", "code"), REFUSED, ids=lambda v: repr(v)[:40])
@pytest.mark.parametrize("mode", MODES)
def test_catastrophic_patterns_are_refused_with_a_reason(pattern: str, code: str, mode: str) -> None:
    with pytest.raises(UnsafeRegex) as info:
        compile_user_regex(pattern, mode)
    assert info.value.code == code, info.value.reason
    assert isinstance(info.value, ValueError)
    assert info.value.reason


@pytest.mark.parametrize(("pattern", "code", "found"), REFUSED_FULLMATCH)
def test_polynomial_patterns_are_refused_for_fullmatch(pattern: str, code: str, found: str) -> None:
    with pytest.raises(UnsafeRegex) as info:
        compile_user_regex(pattern, "fullmatch")
    assert info.value.code == code
    assert compile_user_regex(pattern, "search").matches(found)


@pytest.mark.parametrize("pattern", _quadratic_search_refused())
def test_quadratic_search_below_the_minimum_input_is_refused(pattern: str) -> None:
    with pytest.raises(UnsafeRegex) as info:
        compile_user_regex(pattern, "search")
    assert info.value.code == "quadratic"
    assert compile_user_regex("^" + pattern, "search").max_input > 10 * MIN_INPUT  # anchoring it is the fix
    assert compile_user_regex(pattern, "fullmatch").max_input > 10 * MIN_INPUT


@pytest.mark.parametrize("value", [None, 3, b"a+", ["a"], {"a": 1}])
def test_a_pattern_must_be_a_string(value: Any) -> None:
    with pytest.raises(UnsafeRegex) as info:
        compile_user_regex(value)
    assert info.value.code == "not_string"


def test_the_mode_is_checked() -> None:
    with pytest.raises(ValueError, match="mode"):
        compile_user_regex("a", "match")


def test_refusals_are_cached_and_raised_afresh() -> None:
    first = second = None
    for _ in range(2):
        try:
            compile_user_regex("(b+)+c")
        except UnsafeRegex as exc:
            first, second = second, exc
    assert first is not None and second is not None and first is not second
    assert first.code == second.code == "exponential"


# --------------------------------------------------------------------------------------------------------------
# Refused through score(): $regex (GroundTruthError at the value's path), pattern / patternProperties
# (ToolSpecError naming the tool and the field)
# --------------------------------------------------------------------------------------------------------------

#: A sample of every family (all of them take a few seconds: the families are checked above).
THROUGH_SCORE = [p for i, (p, _) in enumerate(REFUSED) if i % 7 == 0 or i >= len(REFUSED) - 30]


@pytest.mark.parametrize("pattern", THROUGH_SCORE, ids=lambda v: repr(v)[:40])
def test_a_refused_regex_in_a_truth_raises_ground_truth_error_at_its_path(pattern: str) -> None:
    truth = {"behavior": "execute", "calls": [{"name": "run", "arguments": {"x": 1, "code": {"$regex": pattern}}}]}
    with pytest.raises(rr.GroundTruthError) as info:
        rr.score(run_call(code="aaaa!"), truth)
    assert info.value.field == "calls[0].arguments.code"
    assert "unusable regular expression" in info.value.message


@pytest.mark.parametrize("pattern", THROUGH_SCORE, ids=lambda v: repr(v)[:40])
def test_a_refused_schema_pattern_raises_tool_spec_error_naming_the_field(pattern: str) -> None:
    tools = run_tools({"type": "object", "properties": {"code": {"type": "string", "pattern": pattern}}})
    with pytest.raises(rr.ToolSpecError) as info:
        rr.score(run_call(code="aaaa!"), RUN_TRUTH, tools=tools)
    assert info.value.field == "parameters.properties.code.pattern"
    assert info.value.index == 0


@pytest.mark.parametrize("pattern", THROUGH_SCORE, ids=lambda v: repr(v)[:40])
def test_a_refused_pattern_properties_key_raises_tool_spec_error_naming_the_field(pattern: str) -> None:
    tools = [
        {"name": "ok", "parameters": {"type": "object"}},
        {"name": "run", "parameters": {"type": "object", "patternProperties": {pattern: {"type": "string"}}}},
    ]
    with pytest.raises(rr.ToolSpecError) as info:
        rr.score(run_call(code="aaaa!"), RUN_TRUTH, tools=tools)
    assert info.value.field == f"parameters.patternProperties.{pattern}"
    assert "tool 'run'" in info.value.message  # (score locates the error at the batch item; the message names the tool)
    with pytest.raises(rr.ToolSpecError) as direct:
        compile_tools(tools)
    assert direct.value.index == 1 and direct.value.field == info.value.field


def test_refused_patterns_deep_inside_a_schema_are_located() -> None:
    bad = "(a|a)*"
    cases = {
        "parameters.properties.a.items.pattern": {"properties": {"a": {"items": {"pattern": bad}}}},
        "parameters.anyOf[1].properties.b.pattern": {"anyOf": [{}, {"properties": {"b": {"pattern": bad}}}]},
        "parameters.$defs.d.pattern": {"$defs": {"d": {"pattern": bad}}},
        "parameters.properties.m.additionalProperties.pattern": {
            "properties": {"m": {"additionalProperties": {"pattern": bad}}}
        },
        "parameters.propertyNames.pattern": {"propertyNames": {"pattern": bad}},
        "parameters.not.patternProperties.^x|(a|a)*": {"not": {"patternProperties": {"^x|" + bad: {}}}},
    }
    for field, schema in cases.items():
        with pytest.raises(rr.ToolSpecError) as info:
            rr.score(run_call(code="x"), RUN_TRUTH, tools=run_tools({"type": "object", **schema}))
        assert info.value.field == field


def test_a_property_named_pattern_is_not_a_keyword() -> None:
    tools = run_tools(
        {
            "type": "object",
            "properties": {"pattern": {"type": "string"}, "code": {"type": "string"}},
            "enum": [{"pattern": "(a|a)*"}, {"code": "x"}],
        }
    )
    s = rr.score(run_call(code="x"), RUN_TRUTH, tools=tools)
    assert s.components["schema"] == 1.0


# --------------------------------------------------------------------------------------------------------------
# Accepted: real-world patterns keep re's semantics exactly
# --------------------------------------------------------------------------------------------------------------

REAL_WORLD: dict[str, list[str]] = {
    r"^[A-Z]{3}$": ["EUR", "eur", "EURO", "E", "", "EU\n", "EUR\n"],
    r"[A-Z]{3}": ["EUR", "xEURx", "eu"],
    r"\d{4}-\d{2}-\d{2}": ["2024-01-31", "2024-1-31", "x2024-01-31y", "٢٠٢٤-٠١-٣١"],
    r"^\d{4}-\d{2}-\d{2}$": ["2024-01-31", "2024-01-31\n", "2024-01-311"],
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$": [
        "2024-01-31T10:00:00Z",
        "2024-01-31T10:00:00.123+02:00",
        "2024-01-31 10:00:00",
    ],
    r"[a-z_]+": ["snake_case", "CAPS", "", "a"],
    r"^[a-z_][a-z0-9_]*$": ["get_weather", "9lives", "_x", "x-y"],
    r"^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\.[a-zA-Z]{2,}$": [
        "ana@example.com",
        "a.b@c.d.io",
        "a@b",
        "a@b.c",
        "a b@c.io",
        "@b.co",
    ],
    r"^[^@\s]+@[^@\s.]+\.[^@\s]+$": ["a@b.c", "a@b", "a @b.c", "a@b.c.d"],
    r"\S+@\S+\.\S+": ["say a@b.c now", "a@b", "x@y.z@w"],
    r"^\+?[1-9]\d{1,14}$": ["+14155552671", "0123", "+1", "12"],
    r"^\(?\d{3}\)?[-.\s]?\d{3}[-.\s]?\d{4}$": ["(415) 555-2671", "415.555.2671", "4155552671", "415-555-267"],
    r"^[A-Z]{2}$": ["US", "us", "USA"],
    r"^[a-z]{2}(?:-[A-Z]{2})?$": ["en", "en-US", "en-us"],
    r"^(?:USD|EUR|GBP|JPY)$": ["USD", "usd", "USDX", "GBP"],
    r"^(?:metric|imperial)$": ["metric", "imperial", "Metric"],
    r"(?i)^(?:yes|no|true|false)$": ["Yes", "NO", "maybe", "TRUE"],
    r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$": [
        "123e4567-e89b-12d3-a456-426614174000",
        "123E4567-e89b-12d3-a456-426614174000",
    ],
    r"^(?:\d{1,3}\.){3}\d{1,3}$": ["192.168.0.1", "1.2.3", "1234.1.1.1"],
    r"^(?:[01]\d|2[0-3]):[0-5]\d$": ["23:59", "24:00", "9:00"],
    r"^https?://[^\s/$.?#].[^\s]*$": ["https://example.com/a?b=c", "ftp://x", "http:// x"],
    r"^(?=.*\d)(?=.*[a-z])(?=.*[A-Z]).{8,}$": ["Passw0rd", "password", "PASSW0RD!", "Pa0"],
    r"^#[0-9a-fA-F]{6}$": ["#00ff00", "#00FF0", "00ff00"],
    r"^-?\d+(?:\.\d+)?$": ["-1.5", "1.", "42", "--1"],
    r"^[A-Z][a-z]+(?: [A-Z][a-z]+)*$": ["New York", "new york", "San Francisco Bay"],
    r".*weather.*": ["the weather today", "weather", "WEATHER", "line\nweather"],
    r"(?i).*new york.*": ["Flights to NEW YORK", "york new"],
    r"(?s).*\bparis\b.*": ["to paris\n", "comparison"],
    r"\d+": ["123", "12a", "", "١٢٣"],
    r"\d+x": ["12x", "x", "123", "a1xb"],
    r"foo.*bar": ["foo bar", "foobar", "bar foo", "foo\nbar"],
    r"^\s*$": ["", "   ", " x "],
    r"\bcat\b": ["a cat!", "concatenate", "cat"],
    r"[^\x00-\x1f]+": ["plain", "bell\x07", ""],
    r"^[\w.-]+$": ["file-name.txt", "a b", "ünïcödé"],
    r"(?:a|b)*c": ["ababc", "abab", "c"],
}


@pytest.mark.parametrize("pattern", list(REAL_WORLD))
@pytest.mark.parametrize("mode", MODES)
def test_real_world_patterns_are_accepted_with_re_semantics(pattern: str, mode: str) -> None:
    rx = compile_user_regex(pattern, mode)
    ref = getattr(re.compile(pattern), mode)
    for s in REAL_WORLD[pattern]:
        assert rx.matches(s) == (ref(s) is not None), (pattern, mode, s)
    assert rx.max_input >= MIN_INPUT
    assert compile_user_regex(pattern, mode) is rx  # compiled once per distinct pattern


@pytest.mark.parametrize("pattern", list(REAL_WORLD))
def test_real_world_patterns_are_accepted_by_score(pattern: str) -> None:
    value = REAL_WORLD[pattern][0]
    truth = {"behavior": "execute", "calls": [{"name": "run", "arguments": {"code": {"$regex": pattern}}}]}
    tools = run_tools(
        {
            "type": "object",
            "properties": {"code": {"type": "string", "pattern": pattern}},
            "patternProperties": {pattern: {}},
        }
    )
    s = rr.score(run_call(code=value), truth, tools=tools)
    assert s.components["schema"] == (1.0 if re.search(pattern, value) else 0.0)
    assert (s.reason == "ok") == bool(re.fullmatch(pattern, value))


def _text_for(pattern: str) -> st.SearchStrategy[str]:
    """Strings over the characters the pattern talks about (one per atom of its sets) plus a few others."""
    alphabet = sorted(set(_representatives(pattern)) | set("aZ9 .\n!é٣"))
    return st.text(alphabet=alphabet, max_size=24)


def _representatives(pattern: str) -> list[str]:
    parsed = userregex._parse(pattern)
    b = userregex._Builder()
    b.seq(list(parsed), parsed.state.flags, at_start=True)
    _, reps = userregex._atoms(b.sets)
    return [chr(r) for r in reps]


@pytest.mark.parametrize("pattern", list(REAL_WORLD))
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_real_world_patterns_agree_with_re_on_generated_strings(pattern: str, data: st.DataObject) -> None:
    s = data.draw(_text_for(pattern))
    for mode in MODES:
        rx = compile_user_regex(pattern, mode)
        assert rx.matches(s) == (getattr(re.compile(pattern), mode)(s) is not None), (pattern, mode, s)


# Random patterns from a small grammar: whenever one is accepted, its answers are re's.

_ATOMS = [
    "a",
    "b",
    "ab",
    "x",
    r"\d",
    r"\w",
    r"\s",
    ".",
    "[a-c]",
    "[^a]",
    r"\.",
    "@",
    "[ab]",
    "(?i:A)",
    r"\b",
    "^",
    "$",
    r"\A",
    r"\Z",
]
_QUANTIFIERS = ["*", "+", "?", "{2}", "{1,3}", "{0,20}", "{2,}", "*?", "+?", "{17,40}"]


def _patterns() -> st.SearchStrategy[str]:
    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.lists(inner, min_size=2, max_size=3).map("".join),
            st.lists(inner, min_size=2, max_size=3).map(lambda xs: "(?:" + "|".join(xs) + ")"),
            inner.map(lambda x: "(" + x + ")"),
            inner.map(lambda x: "(?=" + x + ")"),
            inner.map(lambda x: "(?!" + x + ")"),
            st.tuples(inner, st.sampled_from(_QUANTIFIERS)).map(lambda t: "(?:" + t[0] + ")" + t[1]),
        )

    return st.recursive(st.sampled_from(_ATOMS), extend, max_leaves=8)


@settings(max_examples=300, deadline=None)
@given(pattern=_patterns(), data=st.data())
def test_every_accepted_random_pattern_answers_like_re(pattern: str, data: st.DataObject) -> None:
    for mode in MODES:
        try:
            rx = compile_user_regex(pattern, mode)
        except UnsafeRegex:
            continue
        ref = getattr(re.compile(pattern), mode)
        for s in data.draw(st.lists(_text_for(pattern), min_size=5, max_size=5)):
            assert rx.matches(s) == (ref(s) is not None), (pattern, mode, s, rx.plan)


# --------------------------------------------------------------------------------------------------------------
# Inputs longer than max_input do not match
# --------------------------------------------------------------------------------------------------------------


def test_a_string_longer_than_max_input_never_matches() -> None:
    full = compile_user_regex(".*", "fullmatch")
    assert full.max_input == MAX_INPUT
    assert full.matches("x" * MAX_INPUT)
    assert not full.matches("x" * (MAX_INPUT + 1))
    search = compile_user_regex("a", "search")
    assert search.matches("a" + "b" * (MAX_INPUT - 1))
    assert not search.matches("a" + "b" * MAX_INPUT)


def test_a_quadratic_search_has_a_smaller_documented_cap() -> None:
    rx = compile_user_regex("a[a-z]*b", "search")
    assert rx.plan == "quadratic search"
    assert MIN_INPUT <= rx.max_input < MAX_INPUT
    assert rx.matches("x" * (rx.max_input - 2) + "ab")
    assert not rx.matches("x" * (rx.max_input - 1) + "ab")  # one character too long: no match, hence invalid
    assert compile_user_regex("^a[a-z]*b", "search").max_input == MAX_INPUT


def test_long_values_do_not_match_through_score() -> None:
    truth = {"behavior": "execute", "calls": [{"name": "run", "arguments": {"code": {"$regex": "a+"}}}]}
    tools = run_tools({"type": "object", "properties": {"code": {"type": "string", "pattern": "^a+$"}}})
    ok = rr.score(run_call(code="a" * MAX_INPUT), truth, tools=tools, limits=rr.Limits(max_chars=10**6))
    assert ok.components["arguments"] == 1.0 and ok.components["schema"] == 1.0
    long = rr.score(run_call(code="a" * (MAX_INPUT + 1)), truth, tools=tools, limits=rr.Limits(max_chars=10**6))
    assert long.components["arguments"] == 0.0 and long.components["schema"] == 0.0


def test_search_reduction_keeps_the_answer() -> None:
    """The reduced search patterns (edge repeats cut to their minimum, nullable edges dropped) find a match in
    exactly the strings the original finds one in."""
    for pattern in [
        r"\d+x",
        r"[a-z_]+",
        r".*foo",
        r"foo.*",
        r"(?:ab)+c",
        r"x(?:ab){2,}",
        r"(\d+)",
        r"a*",
        r"a*|b",
        r"(?:a+|b+)c",
        r"\b\w+@",
        r"(?=a)a+b",
        r"a+(?<=aa)b",
        r"a{3,5}",
        r"(?:a|b){2,9}$",
    ]:
        rx = compile_user_regex(pattern, "search")
        for s in [
            "",
            "a",
            "ab",
            "aab",
            "aaab",
            "12x",
            "foo",
            "xfoo",
            "abab c",
            "ababc",
            "xababab",
            "b",
            "aaaaab",
            "x@",
            "ba",
            "aaaa",
            "abba",
        ]:
            assert rx.matches(s) == (re.search(pattern, s) is not None), (pattern, s, rx.plan)


# --------------------------------------------------------------------------------------------------------------
# The analyser on its own
# --------------------------------------------------------------------------------------------------------------


def test_regex_risks_names_the_problem_or_nothing() -> None:
    assert regex_risks(r"(a+)+$")[0].startswith("exponential")
    assert regex_risks(re.compile(r"(?:\s*\s)+"))[0].startswith("exponential")
    assert regex_risks(re.compile(r"(?:\s*x)*")) == []  # each repetition ends at its 'x': one way to match
    assert regex_risks(r"^[a-z]+\.[a-z]+$") == []
    assert regex_risks(re.compile(r"[a-z]+", re.IGNORECASE)) == []


def test_case_insensitive_and_unicode_sets_are_exact() -> None:
    """(?i) and \\d/\\w/\\s are computed by the engine itself: disjoint sets stay disjoint (no false refusal),
    overlapping ones are seen (no false acceptance), also outside ASCII. (Alternatives of single characters are
    merged into one class by Python's parser, so the alternatives here read two characters.)"""
    compile_user_regex(r"(?i)^[a-z]+\d+$")  # letters then digits: exclusive
    compile_user_regex(r"^\d+[^\W\d]+$")
    compile_user_regex(r"(?:\u212ax|kx)*$")  # the Kelvin sign is not a 'k' ...
    with pytest.raises(UnsafeRegex):
        compile_user_regex(r"(?i)(?:\u212ax|kx)*$")  # ... except under IGNORECASE
    with pytest.raises(UnsafeRegex):
        compile_user_regex(r"(?:\dx|[\u0660-\u0669]x)*$")  # Arabic-Indic digits are \d
    compile_user_regex(r"(?a)(?:\dx|[\u0660-\u0669]x)*$")  # but not under ASCII
    with pytest.raises(UnsafeRegex):
        compile_user_regex(r"(?:\wx|\u00e9x)*$")
    compile_user_regex(r"(?a)(?:\wx|\u00e9x)*$")
