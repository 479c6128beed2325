"""Strict, bounded JSON decoding for untrusted text.

Contract of :func:`loads_untrusted`: never raises; returns ``(value, error, violations)`` where
``error`` is ``None`` on success or one reason code on failure:

- ``invalid_json``        not RFC 8259 JSON (orjson's strict grammar)
- ``nonfinite_number``    NaN, Infinity or a float literal that overflows to infinity
- ``nesting_too_deep``    more than ``Limits.max_depth`` levels of arrays/objects
- ``number_too_large``    an integer literal longer than ``Limits.max_int_digits``
- ``invalid_unicode``     unpaired surrogates or other text that is not valid Unicode

``violations`` lists non-fatal findings, currently only ``duplicate_keys`` (the last value wins,
as in every mainstream JSON library; the violation lets scorers penalize the ambiguity).

Fast path: one ``orjson.loads`` plus one iterative walk over the decoded containers (depth, key count,
number magnitudes). A number large enough to have come from an over-long or beyond-64-bit integer
literal (which orjson silently turns into a float) and suspected duplicate keys trigger a stdlib
re-parse with hooks. Duplicate keys are suspected only when the text holds more ``:`` than the value
has keys (every key occurrence is followed by its own colon), and then only when the stricter count of
``"``-then-``:`` key ends also disagrees.
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from typing import Any, Final

import orjson

from rlvr_rewards.limits import DEFAULT_LIMITS, Limits

__all__ = ["FAIL", "canonical_dumps", "loads_untrusted", "nesting_depth"]

FAIL: Final = object()

_LONG_DIGITS = re.compile(r"\d{20}")
_KEY_END = re.compile(r'"[ \t\r\n]*:')


class _Reject(Exception):
    def __init__(self, code: str) -> None:
        self.code = code


def nesting_depth(value: Any, max_depth: int) -> int:
    """Deepest nesting of dicts and lists in a trusted Python value (the user's truths and tool specs),
    without recursion; stops counting once it exceeds ``max_depth``. Decoded model output goes through
    :func:`_scan_decoded` instead (exact types, plus key count and number sizes)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    pop = stack.pop
    push = stack.append
    while stack:
        item, depth = pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > deepest:
            deepest = depth
            if deepest > max_depth:
                return deepest
        for v in children:
            if isinstance(v, (dict, list)):
                push((v, depth + 1))
    return deepest


@lru_cache(maxsize=16)
def _number_bound(max_int_digits: int) -> int:
    """Smallest magnitude of a decoded number that needs the exact re-parse: an integer literal longer
    than ``max_int_digits`` reaches ``10 ** max_int_digits``, and orjson turns integers outside
    [-2**63, 2**64) into floats of magnitude >= 2**63. A float that large is re-parsed too (to the same
    value)."""
    return min(10 ** min(max_int_digits, 19), 2**63)


def _scan_decoded(value: Any, max_depth: int, bound: int) -> tuple[int, int, bool]:
    """``(keys, depth, big_number)`` of an orjson result (only ``dict``/``list`` containers), iteratively.

    Stops early once ``depth`` exceeds ``max_depth``. ``big_number``: some int or float has magnitude
    >= ``bound`` (bools are not numbers here)."""
    keys = 0
    deepest = 0
    big = False
    stack: list[tuple[Any, int]] = [(value, 1)]
    pop = stack.pop
    push = stack.append
    while stack:
        item, depth = pop()
        if depth > deepest:
            deepest = depth
            if deepest > max_depth:
                return keys, deepest, big
        if type(item) is dict:
            keys += len(item)
            items: Any = item.values()
        else:
            items = item
        for v in items:
            t = type(v)
            if t is dict or t is list:
                push((v, depth + 1))
            elif (t is int or t is float) and not big and (v >= bound or v <= -bound):
                big = True
    return keys, deepest, big


def _stdlib_loads(text: str, limits: Limits, pairs_hook: Any = None) -> Any:
    max_digits = limits.max_int_digits

    def parse_int(s: str) -> int:
        if len(s.lstrip("-")) > max_digits:
            raise _Reject("number_too_large")
        return int(s)

    def parse_float(s: str) -> float:
        f = float(s)
        if not math.isfinite(f):
            raise _Reject("nonfinite_number")
        return f

    def parse_constant(s: str) -> Any:
        raise _Reject("nonfinite_number")

    try:
        return json.loads(
            text,
            parse_int=parse_int,
            parse_float=parse_float,
            parse_constant=parse_constant,
            object_pairs_hook=pairs_hook,
        )
    except _Reject:
        raise
    except RecursionError:
        raise _Reject("nesting_too_deep") from None
    except (ValueError, TypeError):
        raise _Reject("invalid_json") from None


def _dup_checking_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _Reject("duplicate_keys")
    return out


def _classify_orjson_error(message: str, text: str) -> str:
    low = message.lower()
    if "recursion" in low:
        return "nesting_too_deep"
    if "infinity" in low or "nan" in low:
        return "nonfinite_number"
    if "surrogate" in low or "utf-8" in low:
        return "invalid_unicode"
    if "NaN" in text or "Infinity" in text:
        return "nonfinite_number"
    return "invalid_json"


def loads_untrusted(text: str | bytes, limits: Limits = DEFAULT_LIMITS) -> tuple[Any, str | None, tuple[str, ...]]:
    """Decode untrusted JSON. Returns ``(value, None, violations)`` or ``(FAIL, code, ())``."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            return FAIL, "invalid_unicode", ()
    if len(text) > limits.max_chars:
        return FAIL, "too_long", ()
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        code = _classify_orjson_error(str(exc), text)
        if code == "nonfinite_number" and _LONG_DIGITS.search(text) is not None:
            # orjson reads a 400-digit integer as a double that overflows; find out which it is
            try:
                _stdlib_loads(text, limits)
            except _Reject as rej:
                code = rej.code
        return FAIL, code, ()
    except Exception:  # pragma: no cover - defensive: orjson raises only JSONDecodeError
        return FAIL, "invalid_json", ()
    if isinstance(value, float) and not math.isfinite(value):  # pragma: no cover - orjson rejects these
        return FAIL, "nonfinite_number", ()
    violations: tuple[str, ...] = ()
    bound = _number_bound(limits.max_int_digits)
    t = type(value)
    if t is dict or t is list:
        keys, depth, big = _scan_decoded(value, limits.max_depth, bound)
        if depth > limits.max_depth:
            return FAIL, "nesting_too_deep", ()
        if keys and text.count(":") != keys and len(_KEY_END.findall(text)) != keys:
            # Every key in the text ends with `"` + optional whitespace + `:`; a string value may also
            # contain that, so a mismatch only *suggests* duplicates: confirm with a checking re-parse.
            try:
                _stdlib_loads(text, limits, _dup_checking_hook)
            except _Reject as rej:
                if rej.code == "duplicate_keys":
                    violations = ("duplicate_keys",)
                else:
                    return FAIL, rej.code, ()
    else:
        big = (t is int or t is float) and (value >= bound or value <= -bound)
    if big:
        # orjson turns integers beyond 64 bits into floats, and knows no digit cap: re-parse exactly.
        try:
            value = _stdlib_loads(text, limits)
        except _Reject as rej:
            return FAIL, rej.code, ()
    return value, None, violations


def canonical_dumps(value: Any) -> str:
    """Deterministic JSON text for a trusted value (sorted keys), used as a cache key."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
