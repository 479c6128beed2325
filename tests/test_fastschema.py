"""The compiled schema checker agrees with jsonschema (differential test) and falls back when it must."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rlvr_rewards.groundtruth.fastschema import compile_fast

from .helpers import TOOLS

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.sampled_from([0.0, 1.0, 2.5, -1.5, 3.0]),
    st.sampled_from(["", "a", "ab", "abc", "metric"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), inner, max_size=4)
    ),
    max_leaves=8,
)
types = st.sampled_from(["object", "array", "string", "integer", "number", "boolean", "null"])


def schemas(depth: int = 2) -> st.SearchStrategy[Any]:
    leaf = st.one_of(
        st.just({}),
        st.booleans(),
        st.builds(lambda t: {"type": t}, types),
        st.builds(lambda ts: {"type": ts}, st.lists(types, min_size=1, max_size=3, unique=True)),
        st.builds(lambda e: {"enum": e}, st.lists(scalars, min_size=1, max_size=4)),
        st.builds(lambda c: {"const": c}, scalars),
        st.builds(
            lambda lo, hi: {"type": "number", "minimum": lo, "exclusiveMaximum": hi},
            st.integers(-3, 3),
            st.sampled_from([2, 2.5, 4]),
        ),
        st.builds(
            lambda a, b: {"minLength": a, "maxLength": b, "description": "x", "default": "y"},
            st.integers(0, 2),
            st.integers(1, 3),
        ),
        st.builds(lambda p: {"type": "string", "pattern": p}, st.sampled_from(["^a", "b$", "^[a-c]{2}$", "a|m"])),
        st.builds(lambda p: {"pattern": p}, st.sampled_from(["^a", "b"])),
        st.builds(lambda u: {"uniqueItems": u}, st.booleans()),
    )
    if depth == 0:
        return leaf
    sub = schemas(depth - 1)
    return st.one_of(
        leaf,
        st.builds(
            lambda it, lo, hi: {"type": "array", "items": it, "minItems": lo, "maxItems": hi},
            sub,
            st.integers(0, 2),
            st.integers(1, 4),
        ),
        st.builds(
            lambda props, req, addl: {
                "type": "object",
                "properties": props,
                "required": req,
                "additionalProperties": addl,
            },
            st.dictionaries(st.sampled_from(["a", "b", "c"]), sub, max_size=3),
            st.lists(st.sampled_from(["a", "b", "d"]), max_size=2, unique=True),
            st.one_of(st.booleans(), sub),
        ),
    )


#: jsonschema's Draft 2020-12 with the one definition of numbers (docs/ground-truth.md#numbers): ``integer`` is an
#: ``int``, never a float such as ``10.0`` (which JSON Schema itself would accept)
_REFERENCE = jsonschema.validators.extend(
    jsonschema.Draft202012Validator,
    type_checker=jsonschema.Draft202012Validator.TYPE_CHECKER.redefine(
        "integer", lambda _checker, v: isinstance(v, int) and not isinstance(v, bool)
    ),
)


def test_a_float_is_never_an_integer_on_either_path() -> None:
    """10.0 for ``integer``: invalid in the fast checker and in the jsonschema validators the tools build (a
    ``$schema`` other than 2020-12 takes the jsonschema path), as the arguments and bfcl components count it."""
    from rlvr_rewards.groundtruth.toolspecs import compile_tools

    for extra in (
        {},
        {"$schema": "http://json-schema.org/draft-07/schema#"},
        {"$schema": "http://json-schema.org/draft-04/schema#"},
    ):
        params = {"type": "object", "properties": {"n": {"type": "integer"}}, **extra}
        tool = compile_tools([{"name": "f", "parameters": params}]).get("f")
        assert tool is not None
        assert tool.is_valid({"n": 10}) and not tool.is_valid({"n": 10.0}) and not tool.is_valid({"n": True}), extra
    fast = compile_fast({"type": "integer"})
    assert fast is not None and fast(3) and not fast(3.0) and not fast(False)
    assert jsonschema.Draft202012Validator({"type": "integer"}).is_valid(3.0)  # (what JSON Schema alone says)


@settings(max_examples=600, deadline=None)
@given(schema=schemas(), instance=values)
def test_agrees_with_jsonschema(schema: Any, instance: Any) -> None:
    fast = compile_fast(schema)
    assert fast is not None
    assert fast(instance) == _REFERENCE(schema).is_valid(instance)


def test_unique_items_follows_jsonschema_equality() -> None:
    check = compile_fast({"uniqueItems": True})
    assert check is not None
    cases = [
        ([1, 1.0], False),
        ([1, True], True),
        ([0, False], True),
        ([[1], [1.0]], False),
        ([{"a": 1}, {"a": 1.0}], False),
        (["1", 1], True),
        ([None, None], False),
    ]
    for items, unique in cases:
        assert check(items) is unique
        assert jsonschema.Draft202012Validator({"uniqueItems": True}).is_valid(items) is unique


@pytest.mark.parametrize("tool", TOOLS)
@settings(max_examples=100, deadline=None)
@given(
    instance=st.dictionaries(
        st.sampled_from(["city", "units", "numbers", "operations", "to", "subject", "body", "count", "urgent", "x"]),
        values,
        max_size=5,
    )
)
def test_agrees_on_real_tool_schemas(tool: dict[str, Any], instance: Any) -> None:
    schema = tool.get("function", tool)["parameters"]
    fast = compile_fast(schema)
    assert fast is not None
    assert fast(instance) == _REFERENCE(schema).is_valid(instance)


@pytest.mark.parametrize(
    "schema",
    [
        {"pattern": "("},
        {"anyOf": [{"type": "string"}]},
        {"$ref": "#/$defs/x"},
        {"multipleOf": 2},
        {"uniqueItems": 1},
        {"patternProperties": {"^x": {}}},
        {"items": [{"type": "string"}]},
        {"properties": {"a": {"oneOf": []}}},
    ],
)
def test_unsupported_keywords_fall_back(schema: dict[str, Any]) -> None:
    assert compile_fast(schema) is None


def test_patterns_go_through_the_user_regex_guard() -> None:
    """A refused pattern makes the schema unsupported here (tools reports it, located); a string longer than the
    pattern's max_input does not match, as in the guarded jsonschema fallback."""
    from rlvr_rewards.groundtruth.userregex import MAX_INPUT, compile_user_regex

    assert compile_fast({"type": "string", "pattern": "(a+)+$"}) is None
    assert compile_fast({"type": "string", "pattern": "a{4294967295}"}) is None
    check = compile_fast({"type": "string", "pattern": "^a"})
    assert check is not None
    assert check("a" * MAX_INPUT) and not check("a" * (MAX_INPUT + 1))
    quadratic = compile_user_regex("a[a-z]*b", "search")
    check = compile_fast({"pattern": "a[a-z]*b"})
    assert check is not None
    assert check("ab" + "x" * (quadratic.max_input - 2)) and not check("ab" + "x" * (quadratic.max_input - 1))


def test_unique_items_helper_is_jsonschema_equality() -> None:
    from rlvr_rewards.groundtruth.fastschema import unique_items

    assert unique_items([{"a": [1, 2]}, {"a": [1, 3]}])
    assert not unique_items([{"a": [1, 2]}, {"a": [1.0, 2]}])
    assert unique_items([1, True, "1", None, [1], {"1": 1}])
