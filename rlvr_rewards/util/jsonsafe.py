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

Every code is decided from the text and the decoded value (the stdlib decoder's hooks, exception *types*,
``JSONDecodeError.pos`` and a linear bracket-depth scan of the text up to it), never from a decoder's
error message, so the codes do not change with the installed orjson release: orjson only answers "valid
or not" and, when it says not, the text is re-read by :func:`_decode_rejected` (the stdlib decoder, whose
verdict is the reference; it also accepts what orjson cannot represent, such as a 400-digit integer under
a raised ``max_int_digits``). That costs what orjson's own failure costs: both stop where the text fails.
The parsers' many small blocks may skip that re-read (``quick_refusal``): a short text that
:func:`plainly_invalid` clears (ASCII, no ``\\u`` escape, constant, long or exponent number, nor deep
nesting) can only be ``invalid_json``, decided in a few C-level scans of the text.

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
import sys
from collections.abc import Callable
from functools import lru_cache
from itertools import accumulate
from typing import Any, Final, NamedTuple

import orjson

from rlvr_rewards.limits import DEFAULT_LIMITS, Limits

__all__ = [
    "FAIL",
    "InvalidJSON",
    "NotJSON",
    "any_leaf",
    "canonical_dumps",
    "convertible_digits",
    "decoded_exactly",
    "is_nonfinite",
    "loads_trusted",
    "loads_untrusted",
    "nesting_depth",
    "not_json_data",
    "plainly_invalid",
    "text_too_deep",
]

FAIL: Final = object()

# A JSON string literal (the closing quote optional, so an unclosed one runs to the end of the text and the
# match never fails or backtracks: linear), and a run of characters that are not brackets.
_STRING_LITERAL = re.compile(r'"[^"\\]*(?:\\[\s\S][^"\\]*)*"?')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_BRACKET_STEP: Final = {"[": 1, "{": 1, "]": -1, "}": -1}
_SURROGATE = re.compile("[\ud800-\udfff]")
_KEY_END = re.compile(r'"[ \t\r\n]*:')
#: Up to this length a text orjson refused may be tried with :func:`plainly_invalid` first (a few C passes
#: instead of a Python-level exception: worth it for short blocks; a long text costs the same either way).
_SHORT: Final = 4096


class _Reject(Exception):
    def __init__(self, code: str) -> None:
        self.code = code


def text_too_deep(text: str, max_depth: int) -> bool:
    """Does JSON-like ``text`` open more than ``max_depth`` arrays/objects at once? Linear, never raises.

    Brackets inside string literals do not count (an unclosed string hides the rest of the text); the
    depth is the running count of ``[``/``{`` minus ``]``/``}``, whether or not the text is valid JSON, so
    the answer depends on the text alone (no decoder is asked)."""
    if text.count("[") + text.count("{") <= max_depth:
        return False
    # The running depth over a prefix is the running depth of the whole text there (a string cut at the end
    # of the prefix is an unclosed string, whose brackets do not count either way), so prefixes growing 4x
    # answer a deep text after O(max_depth) characters and cost at most ~4/3 of one full scan otherwise.
    size = 8 * (max_depth + 1)
    while True:
        brackets = _NOT_BRACKET.sub("", _STRING_LITERAL.sub("", text[:size]))
        # running depth = prefix sums of +1 / -1 steps (C-level iteration)
        if max(accumulate(map(_BRACKET_STEP.__getitem__, brackets)), default=0) > max_depth:
            return True
        if size >= len(text):
            return False
        size *= 4


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
    return min(int(10 ** min(max_int_digits, 19)), 2**63)  # (int(): mypy types int ** int as Any)


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


def _parse_float(s: str) -> float:
    f = float(s)
    if not math.isfinite(f):
        raise _Reject("nonfinite_number")
    return f


def _parse_constant(s: str) -> Any:
    raise _Reject("nonfinite_number")


def _dup_checking_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _Reject("duplicate_keys")
    return out


def convertible_digits(max_int_digits: int) -> int:
    """The longest integer literal to convert: ``max_int_digits``, or CPython's integer-conversion cap
    (``sys.get_int_max_str_digits()``, 4300 by default) when that is lower. CPython 3.10.0-3.10.6 have no
    cap (and no getter); a cap of 0 means none."""
    cap = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 0
    return min(max_int_digits, cap) if cap > 0 else max_int_digits


@lru_cache(maxsize=16)
def _stdlib_decoder(max_int_digits: int, check_duplicates: bool) -> json.JSONDecoder:
    """The stdlib decoder with checking hooks (built once per digit limit)."""
    max_digits = convertible_digits(max_int_digits)

    def parse_int(s: str) -> int:
        if len(s) - (s[0] == "-") > max_digits:
            raise _Reject("number_too_large")
        return int(s)

    return json.JSONDecoder(
        parse_int=parse_int,
        parse_float=_parse_float,
        parse_constant=_parse_constant,
        object_pairs_hook=_dup_checking_hook if check_duplicates else None,
    )


def _stdlib_loads(text: str, limits: Limits, check_duplicates: bool = False) -> Any:
    """Decode with the stdlib decoder and checking hooks. Raises ``_Reject(code)``; a syntax error is
    ``_Reject("invalid_json")`` unless the text opened more than ``max_depth`` brackets before the point
    where it failed (``JSONDecodeError.pos``, a documented attribute), which is ``nesting_too_deep``."""
    try:
        return _stdlib_decoder(limits.max_int_digits, check_duplicates).decode(text)
    except _Reject:
        raise
    except RecursionError:  # deeper than the interpreter's recursion limit: deeper than any max_depth
        raise _Reject("nesting_too_deep") from None
    except json.JSONDecodeError as exc:
        # the failure point bounds the scan, so a failing decode costs what it read, like orjson's
        code = "nesting_too_deep" if text_too_deep(text[: exc.pos + 1], limits.max_depth) else "invalid_json"
        raise _Reject(code) from None
    except (ValueError, TypeError):
        raise _Reject("invalid_json") from None


def _holds_surrogate(value: Any) -> bool:
    """Does a decoded value hold a lone surrogate in any string or key? (Iterative; the depth is bounded.)"""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if not item.isascii() and _SURROGATE.search(item) is not None:
                return True
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


# ASCII byte -> b"0" for a digit, b"e" for an exponent mark, b" " otherwise (bytes.translate: a C table pass)
_NUMBER_MARKS: Final = bytes(48 if 48 <= b <= 57 else 101 if b in b"eE" else 32 for b in range(256))


def _risky_numbers(text: str, max_int_digits: int) -> bool:
    """Does ASCII ``text`` hold a digit run longer than what the stdlib decoder converts unchecked (at most 15
    digits: any longer integer may be ``number_too_large``, and a float needs 309 digits or an exponent to
    overflow), or a digit followed by an exponent mark? Two ``in`` scans of the text mapped by one
    ``bytes.translate`` pass (a regex over digit-dense text costs ten times more)."""
    marks = text.encode("ascii").translate(_NUMBER_MARKS)
    return b"0e" in marks or b"0" * (min(convertible_digits(max_int_digits), 15) + 1) in marks


def plainly_invalid(text: str, limits: Limits) -> bool:
    """orjson refused ``text``: is :func:`_decode_rejected`'s verdict certainly ``invalid_json``? Decided from
    the text in a few C-level scans, without the stdlib decoder (whose failure costs a Python-level
    exception): ``True`` only for ASCII text with no ``\\u`` escape (no lone surrogate, written or escaped),
    no ``NaN``/``Infinity`` (the only constants the stdlib decoder accepts), no digit run long enough for
    ``number_too_large`` or an overflow, no exponent, and at most ``max_depth`` (and 255) ``[``/``{`` (no
    ``nesting_too_deep``, far from the recursion limit and orjson's own nesting cap). Such text is outside
    everything the stdlib decoder accepts and orjson refuses, so the stdlib decoder fails too, with a syntax
    error: ``invalid_json`` (``duplicate_keys`` met on the way ends in the same syntax error).
    ``False`` means "decide the slow way", not "valid"."""
    return (
        text.isascii()
        and "\\u" not in text
        and "NaN" not in text
        and "Infinity" not in text
        and text.count("[") + text.count("{") <= min(limits.max_depth, 255)
        and not _risky_numbers(text, limits.max_int_digits)
    )


def _decode_rejected(text: str, limits: Limits) -> tuple[Any, str | None, tuple[str, ...]]:
    """orjson rejected ``text``: decide why from the text itself, or decode it anyway.

    1. a lone surrogate written into the text -> ``invalid_unicode`` (non-ASCII text only, where orjson too
       reads every character);
    2. the stdlib decoder with checking hooks (:func:`_stdlib_loads`), which stops where the text fails,
       as orjson does: NaN/Infinity or a float that overflows -> ``nonfinite_number``; an integer longer
       than ``limits.max_int_digits`` -> ``number_too_large``; more than ``limits.max_depth`` brackets
       open before the failure point, or deeper than the interpreter's recursion limit ->
       ``nesting_too_deep``; any other syntax error -> ``invalid_json``;
    3. it decoded: deeper than ``limits.max_depth`` -> ``nesting_too_deep``; an escaped lone surrogate in a
       string -> ``invalid_unicode``; otherwise the value is valid JSON that orjson cannot represent (say a
       400-digit integer under a raised digit limit) and is returned, with ``duplicate_keys`` checked as
       on the fast path.
    """
    if not text.isascii() and _SURROGATE.search(text) is not None:
        return FAIL, "invalid_unicode", ()
    violations: tuple[str, ...] = ()
    try:
        value = _stdlib_loads(text, limits, check_duplicates=True)
    except _Reject as rej:
        if rej.code != "duplicate_keys":
            return FAIL, rej.code, ()
        violations = ("duplicate_keys",)  # rare: decode again, keeping the last value of each key
        try:
            value = _stdlib_loads(text, limits)
        except _Reject as again:
            return FAIL, again.code, ()
    if nesting_depth(value, limits.max_depth) > limits.max_depth:
        return FAIL, "nesting_too_deep", ()
    if _holds_surrogate(value):
        return FAIL, "invalid_unicode", ()
    return value, None, violations


def loads_untrusted(
    text: str | bytes, limits: Limits = DEFAULT_LIMITS, quick_refusal: bool = False
) -> tuple[Any, str | None, tuple[str, ...]]:
    """Decode untrusted JSON. Returns ``(value, None, violations)`` or ``(FAIL, code, ())``.

    ``quick_refusal``: a text of at most ``_SHORT`` characters that orjson refused and that
    :func:`plainly_invalid` clears is ``invalid_json`` without the stdlib re-read (the parsers' many small
    blocks; the verdict is the same, tests/test_format_speed_shapes.py compares the two)."""
    if isinstance(text, bytes):
        return _loads_utf8(text, limits, quick_refusal)
    if len(text) > limits.max_chars:
        return FAIL, "too_long", ()
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return _refused(text, limits, quick_refusal)
    except Exception:  # pragma: no cover - defensive: orjson raises only JSONDecodeError
        return _decode_rejected(text, limits)
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
                _stdlib_loads(text, limits, check_duplicates=True)
            except _Reject as rej:
                if rej.code != "duplicate_keys":
                    return FAIL, rej.code, ()
                violations = ("duplicate_keys",)
    else:
        big = (t is int or t is float) and (value >= bound or value <= -bound)
    if big:
        return _exact_reparse(text, limits, violations)
    return value, None, violations


def _loads_utf8(data: bytes, limits: Limits, quick_refusal: bool) -> tuple[Any, str | None, tuple[str, ...]]:
    """:func:`loads_untrusted` of bytes: ``invalid_unicode`` unless they are UTF-8."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return FAIL, "invalid_unicode", ()
    return loads_untrusted(text, limits, quick_refusal)


def _refused(text: str, limits: Limits, quick_refusal: bool) -> tuple[Any, str | None, tuple[str, ...]]:
    """orjson refused ``text``: ``invalid_json`` at once where ``quick_refusal`` allows and
    :func:`plainly_invalid` clears it, else the verdict of :func:`_decode_rejected`."""
    if quick_refusal and len(text) <= _SHORT and plainly_invalid(text, limits):
        return FAIL, "invalid_json", ()
    return _decode_rejected(text, limits)


def _exact_reparse(text: str, limits: Limits, violations: tuple[str, ...]) -> tuple[Any, str | None, tuple[str, ...]]:
    """The value of ``text`` read again by the stdlib decoder: orjson turns integers beyond 64 bits into
    floats, and knows no digit cap."""
    try:
        return _stdlib_loads(text, limits), None, violations
    except _Reject as rej:
        return FAIL, rej.code, ()


class InvalidJSON(ValueError):
    """The user's JSON text is not strict JSON: ``reason`` says why, ``line``/``column`` (1-based) where when
    known (taken from the stdlib decoder's documented attributes, whose wording is stable)."""

    def __init__(self, reason: str, line: int | None = None, column: int | None = None) -> None:
        self.reason, self.line, self.column = reason, line, column
        super().__init__(self.where)

    @property
    def where(self) -> str:
        """``Expecting ',' delimiter at line 1, column 57``."""
        if self.line is None:
            return self.reason
        return f"{self.reason} at line {self.line}, column {self.column}"


def _digit_shape_table() -> bytes:
    """A ``bytes.translate`` table: ASCII digits -> ``0``, ``e`` / ``E`` -> ``e``, else space (``+`` is deleted by
    the translation itself, so that ``1e+100`` and ``1e100`` take the same shape)."""
    table = bytearray(b" " * 256)
    for c in b"0123456789":
        table[c] = ord("0")
    table[ord("e")] = table[ord("E")] = ord("e")
    return bytes(table)


_DIGIT_SHAPE = _digit_shape_table()


def _might_be_big(text: str | bytes) -> bool:
    """Whether ``text`` holds a run of 19 digits or an exponent of 3 digits or more: what a number of magnitude
    2**63 or more is written with (see :func:`loads_trusted`). One ``translate`` (``+`` deleted) and two substring
    searches, in C: linear, no regular expression. (A ``+`` deleted elsewhere can only join digits into a longer
    run: a false alarm, which costs the exact check, never a miss.)"""
    shape = (text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text).translate(_DIGIT_SHAPE, b"+")
    return b"0000000000000000000" in shape or b"e000" in shape


def decoded_exactly(text: str | bytes, value: Any) -> bool:
    """Whether orjson's ``value`` of ``text`` is exact: ``False`` when orjson may have rounded an integer of 2**63
    or more into a float (older orjson does; see :func:`loads_trusted`). A caller decoding with orjson itself
    re-decodes with the stdlib when this is ``False``."""
    if not _might_be_big(text):
        return True
    t = type(value)
    if t is dict or t is list:
        return not _scan_decoded(value, sys.maxsize, 2**63)[2]
    return not ((t is int or t is float) and (value >= 2**63 or value <= -(2**63)))


def loads_trusted(text: str | bytes) -> Any:
    """Decode the user's JSON text (dataset lines, ground truths and tools given as text), exactly.

    orjson decodes; when it refuses the text, or turns an integer beyond 64 bits into a float (which would
    change what a ground truth means), the stdlib decoder decides instead and keeps every digit. NaN and
    Infinity are refused. Raises :class:`InvalidJSON`. Nesting is the caller's to bound first
    (:func:`text_too_deep`); past the interpreter's recursion limit it is ``InvalidJSON("nested too
    deeply")``."""
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        pass
    else:
        # orjson's result is exact unless the text holds a number orjson may have rounded or overflowed: an
        # integer of 2**63 or more (19 digits at least) or an exponent of 100 or more (a float beyond 2**63 is
        # written with one of the two). One pass in C over the text says whether it might; only then are the
        # decoded numbers looked at (the exact check, as before), and the stdlib decides.
        if decoded_exactly(text, value):
            return value
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        return json.loads(text, parse_float=_parse_float, parse_constant=_parse_constant)
    except UnicodeDecodeError as exc:
        raise InvalidJSON(f"not UTF-8 (byte 0x{exc.object[exc.start]:02x} at offset {exc.start})") from None
    except _Reject:
        raise InvalidJSON("NaN, Infinity or a number too large for a float, which JSON does not allow") from None
    except json.JSONDecodeError as exc:
        raise InvalidJSON(exc.msg, exc.lineno, exc.colno) from None
    except RecursionError:
        raise InvalidJSON("nested too deeply") from None
    except ValueError:  # CPython's integer-conversion cap (4300 digits)
        raise InvalidJSON("an integer too long to convert") from None


def canonical_dumps(value: Any) -> str:
    """Deterministic JSON text for a trusted value (sorted keys), used as a cache key.

    orjson writes it; a value orjson cannot write exactly (an integer beyond 64 bits) is written by the
    stdlib instead (the same value always takes the same path, so keys stay deterministic). Raises
    ``TypeError`` for what is not JSON data (and for nesting orjson refuses, 255 levels). orjson writes
    NaN and Infinity as ``null``: callers that must tell them apart check for them."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    except orjson.JSONEncodeError:
        if not any_leaf(value, _is_big_int):
            raise
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def any_leaf(value: Any, test: Callable[[Any], bool]) -> bool:
    """Does ``test`` hold for some non-container value inside a trusted value (dict values, list and tuple
    items, iteratively)?"""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif test(item):
            return True
    return False


_SCALARS: Final = frozenset({str, int, bool, type(None)})


class NotJSON(NamedTuple):
    """Where and why a trusted value is not exactly JSON data (see :func:`not_json_data`)."""

    path: str  # "" for the value itself, else like "calls[0].arguments.a"
    kind: str  # "tuple", "nonfinite", "key", "type" or "depth"
    message: str
    culprit: Any


def _not_json_node(item: Any) -> tuple[str, str] | None:
    """``(kind, message)`` when one node is not JSON data (``None`` for a dict, list, string, integer, bool,
    null or finite float, subclasses included: they mean the same value)."""
    if isinstance(item, float):
        return None if math.isfinite(item) else ("nonfinite", "a NaN or infinite number (JSON has neither)")
    if isinstance(item, (str, int, dict, list)) or item is None:
        return None
    if isinstance(item, tuple):
        return "tuple", "a tuple (JSON arrays are lists: pass a list)"
    return "type", f"a {type(item).__name__} (not a JSON type: dict, list, str, int, float, bool or None)"


def _locate_not_json(value: Any, max_depth: int) -> NotJSON:
    """The first node :func:`not_json_data` refused, with its path (a second, slower walk)."""
    stack: list[tuple[Any, str, int]] = [(value, "", 1)]
    while stack:
        item, path, depth = stack.pop()
        if type(item) not in _SCALARS:
            problem = _not_json_node(item)
            if problem is not None:
                return NotJSON(path, problem[0], problem[1], item)
        if isinstance(item, (dict, list)) and depth > max_depth:
            return NotJSON(path, "depth", f"nesting deeper than {max_depth} levels", None)
        if isinstance(item, dict):
            for key, child in reversed(item.items()):
                if not isinstance(key, str):
                    return NotJSON(
                        path, "key", f"a {type(key).__name__} key {key!r} (JSON object keys are strings)", key
                    )
                stack.append((child, f"{path}.{key}" if path else key, depth + 1))
        elif isinstance(item, list):
            stack.extend((child, f"{path}[{i}]", depth + 1) for i, child in reversed(list(enumerate(item))))
    raise AssertionError("not_json_data found a problem that _locate_not_json does not")  # pragma: no cover


def not_json_data(value: Any, max_depth: int) -> NotJSON | None:
    """``None`` when a trusted value (a user's truth or tool specs) is exactly JSON data, else a
    :class:`NotJSON` naming its first offending node: a tuple (orjson writes it as a list, so a cache keyed
    by orjson's text would confuse it with one), a NaN or infinity (written as ``null``), a key that is
    not a string, a value of any other type (dates, sets, bytes, ...; orjson writes some of them as
    strings), or nesting deeper than ``max_depth``. Iterative; one pass over the value, exact-type tests
    first (the common case), the path is worked out only when something is wrong."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    pop = stack.pop
    push = stack.append
    scalars = _SCALARS
    while stack:
        item, depth = pop()
        kind = type(item)
        if kind is dict or kind is list:
            if depth > max_depth:
                return _locate_not_json(value, max_depth)
            if kind is dict:
                for key, child in item.items():
                    if type(key) is not str and not isinstance(key, str):
                        return _locate_not_json(value, max_depth)
                    if type(child) not in scalars:
                        push((child, depth + 1))
            else:
                for child in item:
                    if type(child) not in scalars:
                        push((child, depth + 1))
        elif kind in scalars or (kind is float and math.isfinite(item)):
            continue
        elif _other_node_refused(item, depth, push):
            return _locate_not_json(value, max_depth)
    return None


def _other_node_refused(item: Any, depth: int, push: Callable[[tuple[Any, int]], None]) -> bool:
    """For :func:`not_json_data`, a node of no exact JSON type (or a float that is not finite): is it
    refused? A subclass of dict or list is not: it is walked as its base type (``push``)."""
    if _not_json_node(item) is not None:
        return True
    if isinstance(item, (dict, list)):
        push((dict(item) if isinstance(item, dict) else list(item), depth))
    return False


def is_nonfinite(item: Any) -> bool:
    """A float NaN or infinity (which orjson writes as ``null``)."""
    return isinstance(item, float) and not math.isfinite(item)


def _is_big_int(item: Any) -> bool:
    """An integer outside orjson's 64-bit range."""
    return isinstance(item, int) and not isinstance(item, bool) and not -(2**63) <= item < 2**64
