"""One row per matcher behaviour: (truth value, what the model wrote, does it match?)."""

from __future__ import annotations

from typing import Any

import pytest

from rlvr_rewards.errors import GroundTruthError
from rlvr_rewards.groundtruth.matchers import json_equal, normalize_text

from .helpers import compile_matcher

CASES = [
    # plain values: strict JSON types
    ("Paris", "Paris", True),
    ("Paris", "paris", False),
    (1, 1, True),
    (1, 1.0, True),
    (1, True, False),
    (True, 1, False),
    ("1", 1, False),
    (1, "1", False),
    (None, None, True),
    (None, "null", False),
    ([1, 2], [1, 2], True),
    ([1, 2], [2, 1], False),
    ({"a": 1}, {"a": 1}, True),
    ({"a": 1}, {"a": 1, "b": 2}, False),
    # $any
    ({"$any": ["NYC", "New York"]}, "New York", True),
    ({"$any": ["NYC", "New York"]}, "Boston", False),
    ({"$any": [{"$approx": 1.0, "abs": 0.1}, "one"]}, 1.05, True),
    # $approx
    ({"$approx": 49.99, "abs": 0.01}, 50.0, True),
    ({"$approx": 49.99, "abs": 0.01}, 50.1, False),
    ({"$approx": 100, "rel": 0.05}, 104, True),
    ({"$approx": 100, "rel": 0.05}, 106, False),
    ({"$approx": 1.0, "abs": 0.5}, True, False),
    ({"$approx": 1.0, "abs": 0.5}, "1.0", False),
    # $unordered
    ({"$unordered": [1, 2, 3]}, [3, 1, 2], True),
    ({"$unordered": [1, 2, 2]}, [2, 1, 1], False),
    ({"$unordered": [1, 2]}, [1, 2, 3], False),
    ({"$unordered": ["mean", {"$any": ["max", "maximum"]}]}, ["maximum", "mean"], True),
    ({"$unordered": ["a", "a", {"$any": ["a", "b"]}]}, ["a", "b", "a"], True),
    ({"$unordered": ["a", "a", {"$any": ["a", "b"]}]}, ["b", "b", "a"], False),
    ({"$unordered": [1, True, None, [1, 2], {"k": "v"}]}, [{"k": "v"}, [1.0, 2], None, True, 1.0], True),
    ({"$unordered": [1, True]}, [1, 1], False),
    ({"$unordered": [{"$text": "New York"}, {"$text": "Boston"}]}, ["boston", "new-york"], True),
    # $text (BFCL-like standardisation by default)
    ({"$text": "New York"}, "new york", True),
    ({"$text": "New York"}, "New-York", True),
    ({"$text": "New York"}, "NewYork!", True),
    ({"$text": "New York"}, "Newark", False),
    ({"$text": "New York", "normalize": ["case"]}, "new york", True),
    ({"$text": "New York", "normalize": ["case"]}, "new-york", False),
    ({"$text": "a b", "normalize": ["whitespace"]}, "a   b", True),
    # $regex (full match)
    ({"$regex": "[A-Z]{3}"}, "EUR", True),
    ({"$regex": "[A-Z]{3}"}, "EURO", False),
    ({"$regex": "[A-Z]{3}"}, 123, False),
    # $literal
    ({"$literal": {"$any": 1}}, {"$any": 1}, True),
    ({"a": {"$literal": {"$x": 1}}}, {"a": {"$x": 1}}, True),  # nested: compared unwrapped
    ({"a": {"$literal": {"$x": 1}}}, {"a": {"$literal": {"$x": 1}}}, False),
    ([{"$literal": {"$x": 1}}, 2], [{"$x": 1}, 2], True),
    ({"$unordered": [{"$literal": {"$x": 1}}, 2]}, [2, {"$x": 1}], True),
    # nested matchers inside plain structures
    ({"city": {"$text": "Paris"}, "n": 1}, {"city": "PARIS", "n": 1}, True),
    ([{"$approx": 1.0, "abs": 0.1}, "x"], [1.05, "x"], True),
    ({"a": {"$optional": 1}, "b": 2}, {"b": 2}, True),
    ({"a": {"$optional": 1}, "b": 2}, {"a": 3, "b": 2}, False),
]


@pytest.mark.parametrize(("truth", "got", "expected"), CASES)
def test_matcher_table(truth: Any, got: Any, expected: bool) -> None:
    assert compile_matcher(truth).match(got) is expected


def test_optional_flag_and_plain_flag() -> None:
    assert compile_matcher({"$optional": "metric"}).optional
    assert not compile_matcher("metric").optional
    assert compile_matcher({"a": [1, 2]}).plain
    assert not compile_matcher({"a": {"$any": [1]}}).plain


@pytest.mark.parametrize(
    ("bad", "field_part"),
    [
        ({"$any": []}, "x"),
        ({"$any": 3}, "x"),
        ({"$approx": "a"}, "x.$approx"),
        ({"$approx": 1, "abs": -1}, "x.abs"),
        ({"$approx": 1, "tol": 1}, "x"),
        ({"$regex": "("}, "x"),
        ({"$text": 3}, "x"),
        ({"$text": "a", "normalize": ["stem"]}, "x.normalize"),
        ({"$nope": 1}, "x"),
        ({"$any": [1], "$text": "a"}, "x"),
        ({"k": {"$any": []}}, "x.k"),
        (float("nan"), "x"),
    ],
)
def test_bad_matchers_raise_with_the_path(bad: Any, field_part: str) -> None:
    with pytest.raises(GroundTruthError) as info:
        compile_matcher(bad)
    assert info.value.field == field_part


def test_regex_input_is_bounded() -> None:
    m = compile_matcher({"$regex": "a*"})
    assert m.match("a" * 100)
    assert not m.match("a" * 20_000)  # longer than REGEX_MAX_INPUT: refused, not scanned


def test_json_equal_and_normalize_text() -> None:
    assert json_equal({"a": [1, {"b": None}]}, {"a": [1.0, {"b": None}]})
    assert not json_equal({"a": [True]}, {"a": [1]})
    assert normalize_text("  New-York, NY ") == "newyorkny"
    assert normalize_text("It’s", ("quotes",)) == 'It"s'


def test_literal_is_a_matcher_not_plain_json() -> None:
    # the truth's text holds the wrapper: treating it as plain JSON compared values with {"$literal": ...}
    assert not compile_matcher({"$literal": {"$x": 1}}).plain
    assert not compile_matcher({"a": {"$literal": 1}}).plain


def test_every_builtin_matcher_has_a_cost_of_at_least_one() -> None:
    for truth, _, _ in CASES:
        assert compile_matcher(truth).cost >= 1
    assert compile_matcher(list(range(10))).cost == 11  # a plain value: its node count
    assert compile_matcher({"$unordered": list(range(10))}).cost == 1 + 10 * 2
