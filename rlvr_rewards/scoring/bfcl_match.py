"""BFCL's AST verdict as a pure function: does a parsed completion pass BFCL's checker for a truth?

Contract (``bfcl_verdict(parse, truth, tools) -> bool``, never raising on model output):
- No-call truths (BFCL irrelevance, and any clarify / refuse / blog text truth): pass iff the
  completion has no call with a name and decoded arguments, or, in a format BFCL decodes as a whole
  (``WHOLE_OUTPUT_DECODING``: pythonic), some call in it could not be decoded (``UNDECODABLE``: BFCL's
  decoder then fails on the whole output, which leaves no call). Text, questions, refusals and answers pass.
- Execute truths: fail when any call block could not be decoded (``DECODE_FAILURES``: BFCL's decoder
  fails on the whole output); other format violations BFCL does not see (text next to a call, an
  unclosed tag, a hedging question beside the call, ...) are ignored. Then the calls must pair
  one-to-one with the expected calls (by position when ``ordered``, else any order, as BFCL's
  parallel checker; a perfect bipartite matching, found iteratively by Hopcroft-Karp), same count, and each
  pair must pass :func:`bfcl_call_accepted`:
  name equal; with a tool doc, every required parameter present and no parameter the doc does not
  declare; every argument present in the truth (BFCL: "unexpected parameter" otherwise) and accepted; every
  truth argument that is absent must be ``$optional``.
- An argument is accepted by BFCL's type rules first (:func:`_bfcl_type`, when the tool doc gives the parameter
  one type and the truth is a BFCL possible answer, whose values as written it reads), then by value:
  - its Python type must be the doc's (``integer`` int, ``number`` float, ``string`` and untyped str,
    ``boolean`` bool, ``array`` list, ``object`` dict; a bool is no int), an int standing for a ``number``
    (read as a float, at the top level only);
  - or, the *variable* rule, the type of the first acceptable value other than ``""``: then the value must
    equal one of the acceptable values exactly (no string standardisation), e.g. ``2.0`` for an ``integer``
    parameter whose answer lists ``2.0``;
  - an array's items must each have the items type (no int-to-float promotion there) or the type of that
    acceptable list's own first item, for at least one acceptable list (an acceptable value that is not a
    list, such as ``""``, lets any list through);
  - written out, ``""`` is accepted where it is among the acceptable values: a string that standardises to
    nothing, or the empty list for an array (BFCL's list checkers read ``""`` as no items);
  - otherwise the value matches the compiled matcher (BFCL's string, list and dict checkers, numbers by value).
  Without the BFCL answers or a single doc type, the matcher alone decides, and a float for an ``integer``
  parameter is refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final, cast

from rlvr_rewards.groundtruth.matchers import CompiledMatcher, normalize_text
from rlvr_rewards.groundtruth.toolspecs import Tool, ToolSet
from rlvr_rewards.groundtruth.truths import CompiledCall, CompiledTruth
from rlvr_rewards.parsing.types import ParsedCall, ParseResult
from rlvr_rewards.scoring.matching import has_perfect_matching

__all__ = [
    "DECODE_FAILURES",
    "UNDECODABLE",
    "WHOLE_OUTPUT_DECODING",
    "bfcl_call_accepted",
    "bfcl_verdict",
]

#: Violations meaning the output cannot be read as BFCL reads it: an execute truth fails.
DECODE_FAILURES = frozenset(
    {
        "too_long",
        "empty",
        "invalid_json",
        "nonfinite_number",
        "nesting_too_deep",
        "number_too_large",
        "invalid_unicode",
        "pythonic_not_call",
        "empty_call_block",
        "missing_name",
        "arguments_not_object",
        "trailing_garbage",
        "too_many_calls",
    }
)
#: Violations meaning some call in the output could not be decoded, so BFCL's decoder fails on the whole output
#: and finds no call: a no-call truth passes. (Not ``too_many_calls``: those calls decode; not ``too_long`` or
#: ``empty``: nothing was read.)
UNDECODABLE = DECODE_FAILURES - {"too_many_calls", "too_long", "empty"}
#: Formats BFCL decodes as a whole (its prompting decoder reads the output with ``ast``: one bad call and no call is
#: read). Its tag-based handlers read block by block and drop a block they cannot decode, as our parsers do.
WHOLE_OUTPUT_DECODING = frozenset({"pythonic"})


def bfcl_call_accepted(
    pred: ParsedCall, expected: CompiledCall, tool: Tool | None, answers: Mapping[str, tuple[Any, ...]] | None = None
) -> bool:
    """One predicted call against one expected call, under BFCL's simple-function rules (``answers``: the
    expected call's possible answers as written, for the type rules; see the module contract)."""
    args = pred.arguments
    if pred.name != expected.name or args is None:
        return False
    if tool is not None and (not tool.required.issubset(args) or any(k not in tool.properties for k in args)):
        return False
    matchers = expected.matchers
    integers = tool.integer_params if tool is not None else frozenset()
    properties = tool.parameters.get("properties") if tool is not None and answers is not None else None
    for key, value in args.items():
        m = matchers.get(key)
        if m is None:
            return False
        options = answers.get(key) if answers is not None else None
        schema = properties.get(key) if isinstance(properties, dict) else None
        if options is not None and isinstance(schema, dict):
            verdict = _bfcl_type(value, options, schema)
            if verdict is not None:
                if not _typed_value_accepted(verdict, options, m):
                    return False
                continue
        if (key in integers and isinstance(value, float)) or not m.match(value):  # (no single doc type)
            return False
    return all(m.optional for key, m in matchers.items() if key not in args)


def _typed_value_accepted(verdict: tuple[Any, bool], options: tuple[Any, ...], m: CompiledMatcher) -> bool:
    """After BFCL's type rules (:func:`_bfcl_type`): a variable equals an acceptable value as written (Python
    equality, no standardisation); ``""`` written out is accepted where ``""`` is acceptable (a string that
    standardises to nothing, or the empty list); anything else is the matcher's."""
    if verdict is _NO:
        return False
    value, variable = verdict
    if variable:
        return value in options
    if "" in options and (value == [] or (type(value) is str and not normalize_text(value, _BFCL_TEXT))):
        return True
    return m.match(value)


#: The Python type BFCL's checker wants for each (normalised) doc type; a parameter without a type is BFCL's
#: ``any``, which its checker reads as a string.
_PY_TYPES: dict[str | None, type] = {
    "integer": int,
    "number": float,
    "string": str,
    None: str,
    "boolean": bool,
    "array": list,
    "object": dict,
}
#: BFCL's ``standardize_string``
_BFCL_TEXT: Final = ("bfcl",)
#: What :func:`_bfcl_type` returns for a value BFCL's type rules refuse.
_NO: Final[tuple[Any, bool]] = (None, False)


def _answer_type(options: Sequence[Any]) -> type | None:
    """The type of the first acceptable value other than ``""`` (``None``: only ``""``)."""
    for option in options:
        if option != "":
            return type(option)
    return None


def _bfcl_type(value: Any, options: tuple[Any, ...], schema: Mapping[str, Any]) -> tuple[Any, bool] | None:
    """BFCL's type rules for one argument: ``(value as compared, is a variable)`` when they accept it; ``None``
    when they do not apply (the doc gives several types or an unknown one); :data:`_NO` when they refuse it."""
    declared = schema.get("type")
    if isinstance(declared, list) or declared not in _PY_TYPES:
        return None
    wanted = _PY_TYPES[declared]
    if wanted is float and type(value) is int:
        value = float(value)  # (BFCL: Python's int-to-float promotion, at the top level)
    answer_type = _answer_type(options)
    variable = answer_type is not None and answer_type is not wanted
    if type(value) is wanted:
        items = schema.get("items") if wanted is list else None
        item_type = items.get("type") if isinstance(items, dict) else []
        if isinstance(item_type, list) or item_type not in _PY_TYPES:  # (no items, several types, unknown)
            return value, variable
        inner = _PY_TYPES[item_type]  # (no type: BFCL's any, a string)
        value_items = cast("list[Any]", value)
        for option in options:
            if type(option) is not list or all(_item_ok(item, option, inner) for item in value_items):
                return value, variable
        return _NO
    if answer_type is not None and type(value) is answer_type:
        return value, True
    return _NO


def _item_ok(item: Any, option: list[Any], wanted: type) -> bool:
    """One list item against one acceptable list: the items type, or that list's own first item's type."""
    if type(item) is wanted:
        return True
    answer_type = _answer_type(option)
    return answer_type is not None and type(item) is answer_type


def bfcl_verdict(parse: ParseResult, truth: CompiledTruth, tools: ToolSet | None) -> bool:
    calls = parse.calls
    if truth.behavior != "execute":
        if parse.format in WHOLE_OUTPUT_DECODING and not UNDECODABLE.isdisjoint(parse.violations):
            return True  # BFCL's decoder fails on the whole output: no call
        return not any(c.name and c.arguments is not None for c in calls)
    if DECODE_FAILURES.intersection(parse.violations):
        return False
    expected = truth.calls
    if len(calls) != len(expected):
        return False
    answers = truth.bfcl_answers or None

    def ok(p: ParsedCall, j: int) -> bool:
        e = expected[j]
        return bfcl_call_accepted(
            p, e, tools.get(e.name) if tools is not None else None, answers[j] if answers is not None else None
        )

    if truth.ordered:
        return all(ok(p, j) for j, p in enumerate(calls))
    return has_perfect_matching([[ok(p, j) for p in calls] for j in range(len(expected))])
