"""A compiled JSON Schema checker for the subset tool schemas use, with jsonschema as the fallback.

Contract: :func:`compile_fast` returns a function ``instance -> bool`` that gives exactly the answer of
``jsonschema.Draft202012Validator(schema).is_valid(instance)`` (no format assertion), or ``None`` when
the schema uses anything outside the supported subset, in which case the caller uses jsonschema.
Equivalence is checked by a differential hypothesis test against jsonschema. Two documented differences,
shared with the jsonschema validators :mod:`rlvr_rewards.groundtruth.toolspecs` builds: ``type: integer`` accepts
an ``int`` only, never a float such as ``10.0`` (one definition of numbers across the components,
docs/ground-truth.md#numbers); and ``pattern`` runs through
:func:`rlvr_rewards.groundtruth.userregex.compile_user_regex`, so a string longer than the pattern's ``max_input``
(10,000 characters, less for a few unanchored patterns) does not match and is invalid, and a pattern that
cannot be matched in bounded time is refused (``compile_fast`` returns ``None``; tools reports it).

Supported: boolean schemas; ``type`` (string or list); ``enum``; ``const``; ``properties``;
``required``; ``additionalProperties`` (bool or schema); ``items`` (a schema); ``minItems``,
``maxItems``, ``uniqueItems``; ``minLength``, ``maxLength``, ``pattern`` (``re.search``, as
jsonschema, guarded as above); ``minimum``, ``maximum``, ``exclusiveMinimum``, ``exclusiveMaximum``;
``minProperties``, ``maxProperties``. Annotations (``description``, ``title``, ``default``, ``examples``,
``format``, ``$comment``, ``deprecated``, ``readOnly``, ``writeOnly``) are ignored, as jsonschema ignores
them for validity.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from rlvr_rewards.groundtruth.matchers import json_equal
from rlvr_rewards.groundtruth.userregex import UnsafeRegex, compile_user_regex

__all__ = ["compile_fast", "is_integer_value", "unique_items"]

Check = Callable[[Any], bool]

_ANNOTATIONS = frozenset(
    {"description", "title", "default", "examples", "format", "$comment", "deprecated", "readOnly", "writeOnly"}
)
_SUPPORTED = _ANNOTATIONS | {
    "type",
    "enum",
    "const",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "minItems",
    "maxItems",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minProperties",
    "maxProperties",
    "pattern",
    "uniqueItems",
}


class _Unsupported(Exception):
    pass


def _is_int(v: Any) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, int):
        return True
    return isinstance(v, float) and v.is_integer()


def is_integer_value(v: Any) -> bool:
    """An instance of ``type: integer``: an ``int`` (not a bool). A float is not one, even ``10.0``: a number's
    type is its spelling (docs/ground-truth.md#numbers), where JSON Schema 2020-12 would accept ``10.0``."""
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


_TYPE_CHECKS: dict[str, Check] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": is_integer_value,
    "number": _is_num,
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def _num(schema: dict[str, Any], key: str) -> float | int | None:
    v = schema.get(key)
    if v is None:
        return None
    if not _is_num(v):
        raise _Unsupported
    number: float | int = v
    return number


def _count(schema: dict[str, Any], key: str) -> int | None:
    v = schema.get(key)
    if v is None:
        return None
    if not _is_int(v) or v < 0:
        raise _Unsupported
    return int(v)


def _freeze(v: Any) -> Hashable:
    """A hashable key equal exactly when jsonschema's ``equal`` says the values are equal."""
    if isinstance(v, bool):
        return ("b", v)
    if isinstance(v, (int, float)):
        return ("n", v)  # 1 and 1.0 are equal and hash alike, as in jsonschema
    if isinstance(v, str):
        return ("s", v)
    if v is None:
        return ("z",)
    if isinstance(v, list):
        return ("l", tuple(_freeze(x) for x in v))
    if isinstance(v, dict):
        return ("d", frozenset((k, _freeze(x)) for k, x in v.items()))
    return ("o", id(v))


def _unique(items: list[Any]) -> bool:
    return len({_freeze(x) for x in items}) == len(items)


def unique_items(items: list[Any]) -> bool:
    """Are the items of a JSON array pairwise different under jsonschema's ``equal`` (1 equals 1.0, never
    ``True``)? Linear: one hashable key per item (jsonschema's own check is quadratic on unhashable items)."""
    return _unique(items)


def _search(pattern: str) -> Callable[[str], bool]:
    """The guarded ``re.search`` of a schema ``pattern`` (a refused pattern makes the schema unsupported here;
    :mod:`rlvr_rewards.groundtruth.toolspecs` reports it, located, before this runs)."""
    try:
        return compile_user_regex(pattern, "search").matches
    except UnsafeRegex:
        raise _Unsupported from None


def _compile(schema: Any) -> Check:
    if schema is True:
        return lambda v: True
    if schema is False:
        return lambda v: False
    if not isinstance(schema, dict) or not set(schema) <= _SUPPORTED:
        raise _Unsupported
    # in keyword order: type, enum, const, numbers, strings, arrays, objects (each None when not constrained)
    found = (
        _type_check(schema),
        _enum_check(schema),
        _const_check(schema),
        _numeric_check(schema),
        _string_check(schema),
        _array_check(schema),
        _object_check(schema),
    )
    checks = [c for c in found if c is not None]
    if not checks:
        return lambda v: True
    if len(checks) == 1:
        return checks[0]
    return _all_of(tuple(checks))


def _type_check(schema: dict[str, Any]) -> Check | None:
    """``type``: one name or a list of names (any of them)."""
    t = schema.get("type")
    if t is None:
        return None
    names = [t] if isinstance(t, str) else t
    if not isinstance(names, list) or not all(isinstance(n, str) and n in _TYPE_CHECKS for n in names):
        raise _Unsupported
    fns = tuple(_TYPE_CHECKS[n] for n in names)
    return fns[0] if len(fns) == 1 else _any_of(fns)


def _enum_check(schema: dict[str, Any]) -> Check | None:
    """``enum``: equal (jsonschema's ``equal``) to one of the options."""
    if "enum" not in schema:
        return None
    options = schema["enum"]
    if not isinstance(options, list):
        raise _Unsupported
    opts = tuple(options)
    if opts and all(type(o) is str for o in opts):  # the usual enum: strings, a set lookup
        names_set = frozenset(opts)
        return lambda v: isinstance(v, str) and v in names_set
    return lambda v: any(json_equal(o, v) for o in opts)


def _const_check(schema: dict[str, Any]) -> Check | None:
    """``const``: equal (jsonschema's ``equal``) to it."""
    if "const" not in schema:
        return None
    const = schema["const"]
    return lambda v: json_equal(const, v)


def _numeric_check(schema: dict[str, Any]) -> Check | None:
    """``minimum``, ``maximum``, ``exclusiveMinimum``, ``exclusiveMaximum`` (numbers only; other values pass)."""
    lo, hi = _num(schema, "minimum"), _num(schema, "maximum")
    xlo, xhi = _num(schema, "exclusiveMinimum"), _num(schema, "exclusiveMaximum")
    if lo is None and hi is None and xlo is None and xhi is None:
        return None

    def numeric(v: Any) -> bool:
        if not _is_num(v):
            return True
        return (
            (lo is None or v >= lo)
            and (hi is None or v <= hi)
            and (xlo is None or v > xlo)
            and (xhi is None or v < xhi)
        )

    return numeric


def _string_check(schema: dict[str, Any]) -> Check | None:
    """``minLength``, ``maxLength``, ``pattern`` (strings only; other values pass)."""
    min_len, max_len = _count(schema, "minLength"), _count(schema, "maxLength")
    pattern = schema.get("pattern")
    if pattern is not None and not isinstance(pattern, str):
        raise _Unsupported
    search = _search(pattern) if pattern is not None else None
    if min_len is None and max_len is None and search is None:
        return None

    def string(v: Any) -> bool:
        if not isinstance(v, str):
            return True
        n = len(v)
        if (min_len is not None and n < min_len) or (max_len is not None and n > max_len):
            return False
        return search is None or search(v)

    return string


def _array_check(schema: dict[str, Any]) -> Check | None:
    """``minItems``, ``maxItems``, ``items``, ``uniqueItems`` (arrays only; other values pass)."""
    min_items, max_items = _count(schema, "minItems"), _count(schema, "maxItems")
    item_check = _compile(schema["items"]) if "items" in schema else None
    unique = schema.get("uniqueItems", False)
    if not isinstance(unique, bool):
        raise _Unsupported
    if min_items is None and max_items is None and item_check is None and not unique:
        return None

    def array(v: Any) -> bool:
        if not isinstance(v, list):
            return True
        n = len(v)
        if (min_items is not None and n < min_items) or (max_items is not None and n > max_items):
            return False
        if item_check is not None:
            for x in v:
                if not item_check(x):
                    return False
        return not unique or _unique(v)

    return array


def _object_check(schema: dict[str, Any]) -> Check | None:
    """``properties``, ``required``, ``additionalProperties``, ``minProperties``, ``maxProperties`` (objects only;
    other values pass)."""
    prop_checks = _property_checks(schema)
    req = _required(schema)
    addl = schema.get("additionalProperties", True)
    addl_check = None if addl is True else _compile(addl)
    min_p, max_p = _count(schema, "minProperties"), _count(schema, "maxProperties")
    if not prop_checks and not req and addl_check is None and min_p is None and max_p is None:
        return None

    def obj(v: Any) -> bool:
        if not isinstance(v, dict):
            return True
        for r in req:
            if r not in v:
                return False
        n = len(v)
        if (min_p is not None and n < min_p) or (max_p is not None and n > max_p):
            return False
        for k, x in v.items():
            c = prop_checks.get(k)
            if c is not None:
                if not c(x):
                    return False
            elif addl_check is not None and not addl_check(x):
                return False
        return True

    return obj


def _property_checks(schema: dict[str, Any]) -> dict[str, Check]:
    """``properties``: property name -> the compiled check of its schema."""
    props = schema.get("properties", {})
    if not isinstance(props, dict):
        raise _Unsupported
    checks: dict[str, Check] = {}
    for k, s in props.items():  # a loop, not a comprehension: one Python frame less per level of nesting
        checks[k] = _compile(s)
    return checks


def _required(schema: dict[str, Any]) -> tuple[str, ...]:
    """``required``: the names, each once, in order."""
    required = schema.get("required", [])
    if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
        raise _Unsupported
    return tuple(dict.fromkeys(required))


def _any_of(fns: tuple[Check, ...]) -> Check:
    def check(v: Any) -> bool:
        for f in fns:
            if f(v):
                return True
        return False

    return check


def _all_of(fns: tuple[Check, ...]) -> Check:
    """``fns`` in order, all true (two or three checks without a loop: the usual type + one keyword)."""
    if len(fns) == 2:
        a, b = fns
        return lambda v: a(v) and b(v)
    if len(fns) == 3:
        a, b, c = fns
        return lambda v: a(v) and b(v) and c(v)

    def check(v: Any) -> bool:
        for f in fns:
            if not f(v):
                return False
        return True

    return check


def compile_fast(schema: Any) -> Check | None:
    """A fast validity check equivalent to jsonschema's for ``schema``, or ``None`` if unsupported."""
    try:
        return _compile(schema)
    except (_Unsupported, RecursionError):
        return None
