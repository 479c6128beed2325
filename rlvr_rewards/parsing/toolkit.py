"""The pieces every format parser is built from (for the built-in family modules and for plugins).

Contract: everything here is linear in the text it is given, never raises on model output (a parser that
uses :func:`scan_blocks` or :class:`Accumulator` gets ``over_budget`` instead of unbounded work) and decodes
JSON only through :func:`loads_untrusted` (the :class:`~rlvr_rewards.limits.Limits` apply).

- :class:`Accumulator` collects the calls, violations, free-text pieces and blocks of one answer;
  ``acc.result(fmt)`` is the :class:`~rlvr_rewards.parsing.types.ParseResult` (``text_with_call`` added when
  there is free text beside a block).
- :func:`scan_blocks` reads ``OPEN ... CLOSE`` blocks (unclosed, stray and repeated blocks handled as the
  Hermes parser does) and hands each block's inside to a decode function, once per distinct text.
- :func:`add_json_call` reads one JSON call object (or list of them) into the accumulator;
  :func:`add_text_call` records a call whose arguments the format wrote as text (typed later by the tool
  schema: :mod:`rlvr_rewards.parsing.values`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Final

from rlvr_rewards.limits import Limits
from rlvr_rewards.parsing.formats import (
    _Acc,
    _decode_prefix,
    _find_all,
    _json_end,
    _json_then_text,
    _make_call,
    _over_budget,
    _OverBudget,
    _scan_tag_blocks_into,
    current_limits,
)
from rlvr_rewards.parsing.types import ParsedCall, ParseResult
from rlvr_rewards.util.jsonsafe import FAIL, loads_untrusted

__all__ = [
    "FAIL",
    "Accumulator",
    "OverBudget",
    "add_json_call",
    "add_text_call",
    "current_limits",
    "find_all",
    "json_prefix",
    "json_then_text",
    "json_value_end",
    "loads_untrusted",
    "make_call",
    "over_budget",
    "scan_blocks",
    "strip_end_tokens",
    "strip_final",
]

#: The accumulator of one answer (see the module docstring); usable in annotations.
Accumulator = _Acc
#: Raised by ``Accumulator.new_block`` past the block budget; :func:`scan_blocks` catches it.
OverBudget: Final = _OverBudget
#: ``over_budget(fmt)``: the result of an answer with too many distinct blocks (no call, ``over_budget``).
over_budget: Final = _over_budget
#: ``find_all(text, needle)``: every start index of ``needle`` in ``text`` (non-overlapping), in order.
find_all: Final = _find_all
#: ``make_call(obj, violations, limits)``: a decoded call object to a ``ParsedCall`` (violations appended).
make_call: Final = _make_call
#: ``json_prefix(text, limits)``: the JSON value at the start of ``text`` as ``(value, error, violations,
#: end)``; ``end < len(text)`` when text follows it (one decode when the whole text is JSON).
json_prefix: Final = _decode_prefix
#: ``json_then_text(acc, segment, closers=())``: the JSON value at the start of ``segment`` as call(s) into
#: ``acc``, what follows it free text (less a closing marker of ``closers`` right after the value).
json_then_text: Final = _json_then_text


def strip_end_tokens(text: str, tokens: tuple[str, ...]) -> str:
    """``text`` stripped, without any run of ``tokens`` (and whitespace) at its end (one slice: linear)."""
    end = len(text)
    changed = True
    while changed:
        changed = False
        while end and text[end - 1].isspace():
            end -= 1
        for token in tokens:
            if text.endswith(token, 0, end):
                end -= len(token)
                changed = True
    return text[:end].strip()


def strip_final(text: str, token: str) -> str:
    """``text`` without one ``token`` at its very end (after trailing whitespace), the end-of-turn token a
    template writes after the calls; ``text`` itself when it does not end so."""
    end = text.rstrip()
    return end[: -len(token)] if end.endswith(token) else text


def json_value_end(text: str, pos: int) -> int:
    """End index of the JSON value starting at ``text[pos]``; ``-1`` if none, ``-2`` if nested too deep."""
    return _json_end(text, pos)


def scan_blocks(
    text: str,
    open_tag: str,
    close_tag: str,
    fmt: str,
    decode: Callable[[_Acc, str], None],
    limits: Limits | None = None,
) -> ParseResult:
    """``open_tag ... close_tag`` blocks of ``text``, each block's inside given to ``decode(acc, inside)``
    (once per distinct inside; ``decode`` must count the block with ``acc.blocks += 1``). The free text is
    what lies outside the blocks; a block left open ends at the next opening tag or at the end of the text
    (``unclosed_tag``); a closing tag outside any block is ``stray_closing_tag``."""
    acc = _Acc(limits or current_limits())
    try:
        return _scan_tag_blocks_into(acc, text, open_tag, close_tag, fmt, decode)
    except _OverBudget:
        return _over_budget(fmt)


def add_json_call(acc: _Acc, text: str) -> bool:
    """Decode ``text`` as one JSON call object or a list of them into ``acc``; ``False`` (and the error
    recorded) when it is not JSON."""
    value, err, found = loads_untrusted(text, acc.limits, True)
    return acc.take(value, err, found)


def add_text_call(
    acc: _Acc, name: str, params: Iterable[tuple[str, str]], typed: Iterable[tuple[str, Any]] = ()
) -> None:
    """Record a call whose argument values the format wrote as text: ``params`` are ``(name, raw text)``
    pairs (typed later by the tool's schema), ``typed`` are ``(name, value)`` pairs the format already typed
    (e.g. a JSON value). A repeated parameter name is ``duplicate_keys`` (the last value is kept); an empty
    or non-identifier-like name ``missing_name``."""
    name = name.strip()
    if not name:
        acc.violations.append("missing_name")
    arguments: dict[str, Any] = {}
    raw: set[str] = set()
    for key, value in params:
        if key in arguments:
            acc.violations.append("duplicate_keys")
        arguments[key] = value
        raw.add(key)
    for key, value in typed:
        if key in arguments:
            acc.violations.append("duplicate_keys")
        arguments[key] = value
        raw.discard(key)
    acc.add_call(ParsedCall(name, arguments, frozenset(raw)))
