"""The Berkeley Function Calling Leaderboard (BFCL) dialect: possible answers -> native truths.

Contract:
- A BFCL *possible answer* is ``{"id": ..., "ground_truth": [{func_name: {param: [acceptable values]}}]}``
  (or that list alone): one one-key dict per expected call. :func:`is_bfcl_answer` detects it; an empty
  ``ground_truth`` list (an irrelevance row) counts too, a bare empty list does not (that is the blog
  dialect's ``"[]"``, which means the same thing anyway).
- :func:`bfcl_to_native` converts it to the native truth ``{"behavior": "execute", "calls": [...]}``
  (unordered, as BFCL's parallel checker) where each list of acceptable values becomes:

      [v]            -> v                         (one option)
      [v1, v2, ...]  -> {"$any": [v1, v2, ...]}   (several options)
      [..., ""]      -> {"$optional": ...}        ("" marks an optional parameter and is removed;
                                                   [""] alone -> {"$optional": {"$text": ""}} for a
                                                   string parameter, else {"$optional": NEVER})

  and each option is converted by BFCL's checker rules:
  - a string becomes ``{"$text": s, "normalize": ["bfcl"]}`` (BFCL's ``standardize_string`` on both
    sides: drop spaces and ``,./-_*^``, lowercase, ``'`` -> ``"``), unless the function doc gives the
    parameter a type other than string or ``any`` (a "variable": BFCL compares it exactly);
  - a list keeps its order; its string elements are standardised the same way;
  - a dict ``{key: [acceptable values]}`` (BFCL's nested-dict answer) converts key by key, one level
    deep, the same way (``""`` -> the key may be absent); other dicts are taken literally;
  - an empty list (no acceptable value; BFCL rejects both a value and the absence) becomes
    :data:`NEVER`, a matcher nothing matches;
  - numbers stay plain: native numbers compare by value, so an ``int`` option accepts the equal float
    (BFCL's int-for-float rule); a float written for an ``integer`` parameter is rejected by the
    scorers from the tool schema, as BFCL's type check does;
  - booleans and null stay plain (strict JSON types: ``true`` never equals ``1``).
- An irrelevance row (``ground_truth`` missing or empty) converts to :data:`IRRELEVANT_TRUTH`, a
  blog-dialect text truth, i.e. a ``no_call`` truth. BFCL's rule is "no call at all": the ``bfcl``
  preset gives 1 to *any* completion without a decoded call; other presets keep their own no-call
  rules (``graded``: clarify or refuse accepted, a direct answer 0.3).
- ``functions`` (the question row's ``function`` list) is optional; it is only used for parameter types.
- Malformed answers raise :class:`GroundTruthError` naming the field. Model output never reaches here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rlvr_rewards.errors import GroundTruthError

__all__ = ["IRRELEVANT_TRUTH", "bfcl_functions", "bfcl_to_native", "is_bfcl_answer", "is_irrelevance_row"]

#: The truth written for a BFCL irrelevance row: blog-dialect text, compiled to a ``no_call`` truth.
IRRELEVANT_TRUTH = "No function call: none of the available functions fits the request (BFCL irrelevance)."

#: Parameter types BFCL's checker compares as strings (standardised); ``any`` is one (its checker maps it to str)
_STRINGY = {None, "string", "str", "String", "any"}
#: Keys of a blog/OpenAI call object: a one-key dict keyed by one of these is a malformed call, not BFCL.
_CALL_KEYS = frozenset({"name", "arguments", "parameters", "function", "id", "type"})


def _is_call(item: Any) -> bool:
    if not isinstance(item, dict) or len(item) != 1:
        return False
    ((name, params),) = item.items()
    return (
        isinstance(name, str)
        and name not in _CALL_KEYS
        and isinstance(params, dict)
        and all(isinstance(v, list) for v in params.values())
    )


def _is_call_list(value: Any) -> bool:
    return isinstance(value, list) and all(_is_call(x) for x in value)


def is_bfcl_answer(value: Any) -> bool:
    """A BFCL possible-answer row (``ground_truth``: a list of one-key call dicts) or that list itself."""
    if isinstance(value, dict):
        return "behavior" not in value and _is_call_list(value.get("ground_truth"))
    return isinstance(value, list) and bool(value) and _is_call_list(value)


def is_irrelevance_row(value: Any) -> bool:
    """A BFCL row that expects no call: an empty ``ground_truth``, or a question row of an irrelevance
    category (its ``id`` contains ``irrelevance``) with no ``ground_truth``."""
    if not isinstance(value, dict) or "behavior" in value:
        return False
    gt = value.get("ground_truth", None)
    if gt == []:
        return True
    return gt is None and "function" in value and "irrelevance" in str(value.get("id", ""))


def _unwrap(fn: Any) -> Any:
    return fn["function"] if isinstance(fn, dict) and isinstance(fn.get("function"), dict) else fn


def bfcl_functions(functions: Any) -> dict[str, dict[str, Any]]:
    """Function name -> its parameter properties (from BFCL or OpenAI-style specs; bad entries skipped)."""
    out: dict[str, dict[str, Any]] = {}
    for fn in functions or ():
        fn = _unwrap(fn)
        if isinstance(fn, dict) and isinstance(fn.get("name"), str):
            params = fn.get("parameters")
            props = params.get("properties") if isinstance(params, dict) else None
            out[fn["name"]] = props if isinstance(props, dict) else {}
    return out


def _has_dollar(value: Any) -> bool:
    if isinstance(value, dict):
        return any(isinstance(k, str) and k.startswith("$") for k in value) or any(
            _has_dollar(v) for v in value.values()
        )
    if isinstance(value, list):
        return any(_has_dollar(v) for v in value)
    return False


def _literal(value: Any) -> Any:
    return {"$literal": value} if _has_dollar(value) else value


def _text(s: str) -> dict[str, Any]:
    return {"$text": s, "normalize": ["bfcl"]}


def _is_nested_answer(value: Any) -> bool:
    return isinstance(value, dict) and bool(value) and all(isinstance(v, list) for v in value.values())


#: A value no model output matches: what an empty list of acceptable values means to BFCL's checker
#: (a value is not among [], and the absence is not allowed since "" is not among []).
NEVER: dict[str, Any] = {"$none": None}


def _nested(value: dict[str, list[Any]], path: str) -> Any:
    return {k: _acceptable(v, None, f"{path}.{k}") for k, v in value.items()}


def _option(value: Any, ptype: Any, path: str) -> Any:
    if isinstance(value, str):
        return _text(value) if ptype in _STRINGY else value
    if isinstance(value, dict):
        return _nested(value, path) if _is_nested_answer(value) else _literal(value)
    if isinstance(value, list):
        out = []
        for i, x in enumerate(value):
            if isinstance(x, str):
                out.append(_text(x))
            elif _is_nested_answer(x):
                out.append(_nested(x, f"{path}[{i}]"))
            else:
                out.append(_literal(x))
        return out
    return value


def _acceptable(options: Any, ptype: Any, path: str) -> Any:
    if not isinstance(options, list):
        raise GroundTruthError(
            "a BFCL parameter needs a list of acceptable values",
            field=path,
            expected='a list such as [10] or ["units", ""]',
            got=options,
        )
    if not options:  # BFCL's checker rejects any value and the absence alike
        return NEVER
    kept = [o for o in options if o != ""]
    optional = len(kept) < len(options)
    if not kept:  # [""]: absent, or (a string parameter) a standardised empty string
        inner: Any = _text("") if ptype in _STRINGY else NEVER
    else:
        converted = [_option(o, ptype, f"{path}[{i}]") for i, o in enumerate(kept)]
        inner = converted[0] if len(converted) == 1 else {"$any": converted}
    return {"$optional": inner} if optional else inner


def bfcl_to_native(answer: Any, functions: Any = None) -> dict[str, Any] | str:
    """The native truth for a BFCL possible answer (row or call list); see the module docs.

    Returns :data:`IRRELEVANT_TRUTH` (a string: the blog dialect's no-call truth) for an irrelevance row.
    """
    calls: Any = answer
    if isinstance(answer, dict):
        if functions is None:
            functions = answer.get("function")
        calls = answer.get("ground_truth")
        if calls is None and is_irrelevance_row(answer):
            return IRRELEVANT_TRUTH
    if calls == []:
        return IRRELEVANT_TRUTH
    if not isinstance(calls, list) or not _is_call_list(calls):
        raise GroundTruthError(
            "not a BFCL possible answer",
            field="ground_truth",
            expected='a list of {"func_name": {"param": [acceptable values]}}',
            got=calls,
        )
    types: Mapping[str, dict[str, Any]] = bfcl_functions(functions)
    out = []
    for i, call in enumerate(calls):
        ((name, params),) = call.items()
        props = types.get(name, {})
        args = {}
        for p, options in params.items():
            pschema = props.get(p)
            ptype = pschema.get("type") if isinstance(pschema, dict) else None
            args[p] = _acceptable(options, ptype, f"ground_truth[{i}].{name}.{p}")
        out.append({"name": name, "arguments": args})
    return {"behavior": "execute", "calls": out}
