"""Replaying calls in an environment, and comparing end states field by field.

Contract:
- :func:`run_call` runs one call on a deep copy of its arguments and never raises: ``(ok, result)``; a tool error
  (any exception the environment raises) is ``(False, "Error: <type>: <message>")``.
- :func:`state_fields` flattens a JSON state into ``{path: leaf}``: objects are walked key by key (a path is a
  tuple of keys), anything else (a list, a scalar, an empty object) is a leaf compared whole.
- :func:`compare_states` gives the share of fields that match: fields of the expected state the other has equal
  (exact JSON equality: ``1 == 1.0``, ``True != 1``) over the expected fields plus the fields only the other
  has; and the differing fields (the diff shown in explanations, at most :data:`MAX_DIFF`).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import orjson

from rlvr_rewards.groundtruth.matchers import json_equal

__all__ = ["compare_states", "result_text", "run_call", "state_fields"]

#: Longest result text kept per call.
MAX_RESULT_CHARS = 20_000
#: Most differing fields listed in a diff.
MAX_DIFF = 20


def result_text(result: Any) -> str:
    """A tool's result as text: a string as it is, anything else as its JSON text (else its ``str``)."""
    if isinstance(result, str):
        return result[:MAX_RESULT_CHARS]
    try:
        return orjson.dumps(result, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS).decode()[:MAX_RESULT_CHARS]
    except (TypeError, orjson.JSONEncodeError):
        return str(result)[:MAX_RESULT_CHARS]


def run_call(env: Any, name: str, arguments: Mapping[str, Any] | None) -> tuple[bool, Any]:
    """Run ``name(**arguments)`` in ``env``: ``(True, result)`` or ``(False, error text)``; never raises."""
    if arguments is None:
        return False, "Error: arguments could not be decoded"
    try:
        # a copy: an environment may keep a list it was given and change it later (BFCL's post_tweet keeps its
        # mentions), which must never reach the truth's cached arguments or the parse of a completion
        return True, env.execute(name, copy.deepcopy(dict(arguments)))
    except Exception as exc:  # a tool error, whatever the environment raises
        return False, f"Error: {type(exc).__name__}: {exc}"[:MAX_RESULT_CHARS]


def state_fields(state: Any, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    """``{path: leaf}`` of a JSON state (see the module contract). Iterative."""
    out: dict[tuple[str, ...], Any] = {}
    stack: list[tuple[tuple[str, ...], Any]] = [(prefix, state)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, Mapping) and value:
            stack.extend(((*path, str(k)), v) for k, v in value.items())
        else:
            out[path] = value
    return out


def compare_states(expected: Any, got: Any) -> tuple[float, list[dict[str, Any]]]:
    """``(share of matching fields, diff)`` (see the module contract); 1.0 when neither state has fields."""
    want = state_fields(expected)
    have = state_fields(got)
    if not want and not have:
        return 1.0, []
    diff: list[dict[str, Any]] = []
    equal = 0
    for path in sorted(want):
        if path in have and json_equal(want[path], have[path]):
            equal += 1
        elif len(diff) < MAX_DIFF:
            diff.append({"field": ".".join(path), "expected": want[path], "got": have.get(path, "<absent>")})
    for path in sorted(set(have) - set(want)):  # a field the expected state lacks: a difference too
        if len(diff) < MAX_DIFF:
            diff.append({"field": ".".join(path), "expected": "<absent>", "got": have[path]})
    extra = len(set(have) - set(want))
    return equal / (len(want) + extra), diff
