"""Typing the argument values that a text-only format wrote (XML-style parameters) by the tool's schema.

Qwen3-Coder, GLM, MiniMax, Seed-OSS, Step-3 and DeepSeek's DSML write each argument as text between tags;
their parsers record such values as ``ParsedCall.untyped``. :func:`type_values` gives them the type the
tool's JSON Schema declares for the parameter, as those families' own servers do, before any scorer reads
them. The rule, for the raw text ``t`` of parameter ``p`` of tool ``name``:

- the declared types of ``p`` (``type`` as a string or a list; the types of ``anyOf``/``oneOf`` branches)
  are tried in this order: ``null``, ``boolean``, ``integer``, ``number``, ``object``, ``array``,
  ``string``; the first that reads ``t`` gives the value:

  - ``null``: ``null``, ``None`` (any case) -> ``None``;
  - ``boolean``: ``true`` / ``false`` (any case, so Python's ``True``/``False`` too) -> ``bool``;
  - ``integer``: an optional sign and 1 to ``Limits.max_int_digits`` digits -> ``int``;
  - ``number``: a JSON number (finite) -> ``int`` or ``float`` as JSON reads it;
  - ``object`` / ``array``: JSON text of that kind (decoded under the limits);
  - ``string``: the text as is;
- when ``p`` declares no type (or the tool or the parameter is unknown, or no tools were given): JSON
  text of a number, ``true``/``false``/``null``, an object or an array gives that value, anything else
  stays text (a zip code ``02134`` is not a JSON number: it stays ``"02134"``);
- when ``p`` declares types and none of them reads ``t``: the text is kept and the parse records
  ``untyped_value`` (the schema check then reports the wrong type: a violation, never a crash).

All decoding is bounded by the :class:`~rlvr_rewards.limits.Limits` (``loads_untrusted``); nothing is
evaluated. Surrounding whitespace of ``t`` is ignored except for ``string`` (kept as written).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Final

from rlvr_rewards.limits import DEFAULT_LIMITS, Limits
from rlvr_rewards.parsing.types import ParsedCall, ParseResult
from rlvr_rewards.util.jsonsafe import loads_untrusted

if TYPE_CHECKING:
    from rlvr_rewards.groundtruth.toolspecs import ToolSet

__all__ = ["declared_types", "type_text", "type_values"]

_ORDER: Final = ("null", "boolean", "integer", "number", "object", "array", "string")
_MISS: Final = object()


def declared_types(schema: Any) -> tuple[str, ...]:
    """The JSON types a parameter schema declares (``type`` and the ``anyOf``/``oneOf`` branches' types),
    in :data:`_ORDER`; ``()`` when it declares none."""
    found: set[str] = set()
    stack = [schema]
    seen = 0
    while stack and seen < 64:  # schemas are validated at the edge; this only bounds odd nesting
        s = stack.pop()
        seen += 1
        if not isinstance(s, Mapping):
            continue
        t = s.get("type")
        if isinstance(t, str):
            found.add(t)
        elif isinstance(t, list):
            found.update(x for x in t if isinstance(x, str))
        if "enum" in s and not t and isinstance(s["enum"], list):
            found.update(_json_type(v) for v in s["enum"])
        for key in ("anyOf", "oneOf"):
            branches = s.get(key)
            if isinstance(branches, list):
                stack.extend(branches)
    return tuple(t for t in _ORDER if t in found)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "object" if isinstance(value, dict) else "array"


def _read(kind: str, text: str, limits: Limits) -> Any:
    """``text`` read as JSON type ``kind``, or ``_MISS``."""
    s = text.strip()
    if kind == "string":
        return text
    if kind == "null":
        return None if s.lower() in ("null", "none") else _MISS
    if kind == "boolean":
        low = s.lower()
        return True if low == "true" else False if low == "false" else _MISS
    if kind == "integer":
        digits = s[1:] if s[:1] in "+-" else s
        if not (0 < len(digits) <= limits.max_int_digits and digits.isascii() and digits.isdigit()):
            return _MISS
        return int(s)
    value, err, _ = loads_untrusted(s, limits)
    if err is not None:
        return _MISS
    if kind == "number":
        return value if isinstance(value, (int, float)) and not isinstance(value, bool) else _MISS
    if kind == "object":
        return value if isinstance(value, dict) else _MISS
    return value if isinstance(value, list) else _MISS


def type_text(text: str, schema: Any, limits: Limits = DEFAULT_LIMITS) -> tuple[Any, bool]:
    """``(value, ok)``: the raw ``text`` of one parameter typed by its ``schema`` (module rule); ``ok`` is
    ``False`` when the schema declares types and none reads the text (the text is returned)."""
    kinds = declared_types(schema)
    if not kinds:
        s = text.strip()
        if s and (s[0] in "-0123456789[{" or s in ("true", "false", "null")):
            value, err, _ = loads_untrusted(s, limits)
            if err is None and not isinstance(value, str):
                return value, True
        return text, True
    for kind in kinds:
        value = _read(kind, text, limits)
        if value is not _MISS:
            return value, True
    return text, False


def _typed_call(call: ParsedCall, toolset: ToolSet | None, limits: Limits) -> tuple[ParsedCall, bool]:
    args = call.arguments
    if not call.untyped or args is None:
        return call, True
    tool = toolset.get(call.name) if toolset is not None else None
    props = tool.parameters.get("properties") if tool is not None else None
    if not isinstance(props, Mapping):
        props = {}
    out = dict(args)
    ok = True
    for key in call.untyped:
        raw = out.get(key)
        if not isinstance(raw, str):
            continue
        value, fine = type_text(raw, props.get(key), limits)
        out[key] = value
        ok = ok and fine
    return ParsedCall(call.name, out), ok


def type_values(parse: ParseResult, toolset: ToolSet | None, limits: Limits = DEFAULT_LIMITS) -> ParseResult:
    """``parse`` with every untyped argument typed by ``toolset`` (module rule); ``parse`` itself when it has
    none. The result has ``untyped=False``; a value no declared type reads adds ``untyped_value``."""
    if not parse.untyped:
        return parse
    calls: list[ParsedCall] = []
    all_ok = True
    for call in parse.calls:
        typed, ok = _typed_call(call, toolset, limits)
        calls.append(typed)
        all_ok = all_ok and ok
    violations = parse.violations if all_ok else tuple(sorted({*parse.violations, "untyped_value"}))
    return replace(parse, calls=tuple(calls), violations=violations, untyped=False)
