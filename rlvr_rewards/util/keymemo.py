"""A cross-call memo from a value's JSON text to its canonical cache key, for truths and tool specs.

Why: rows of veRL / SageMaker data each carry their own copy of the same tools and truths, and per-item
callers (veRL's ``naive`` manager, OpenRLHF's executor, ``rr.score`` in a loop) hand us new objects on
every call. Their canonical key (:func:`rlvr_rewards.util.jsonsafe.canonical_dumps`, after the exact-JSON walk
:func:`rlvr_rewards.util.jsonsafe.not_json_data`) needs a Python walk over every node; the memo needs one call
into C to write the value (``orjson.dumps``) and one to compare it (``==``). Measured on 100 tool specs
(55 KB of JSON): walk + canonical text 7-9x the cost of writing + comparing.

Contract:

- :meth:`KeyMemo.lookup` writes an exact top-level ``dict`` or ``list`` with ``orjson.dumps`` (no other
  type, and ``None`` when orjson cannot write it). The text alone would confuse values the exact-JSON walk
  tells apart (orjson writes a tuple as a list, NaN and infinity as ``null``, a UUID or a date as a
  string, an Enum as its value), so an entry found by the text also holds a private copy of the accepted
  value (``orjson.loads`` of that text: exact JSON data nobody else can change) and answers only when
  ``value == copy``. Python equality tells those look-alikes apart (a tuple is never equal to a list, NaN
  to ``None``, a UUID or a date to a string, a plain Enum member to its value), while the text tells apart
  what equality does not (``1``, ``1.0`` and ``True``; ``0.0`` and ``-0.0``). What passes both is either
  the same data or differs only by subclasses of dict, list, str, int or float (an ``IntEnum``, a
  ``StrEnum``), which the walk accepts as their base types too, with the same canonical text.
- :meth:`KeyMemo.put` is called only with the key of a value that has just passed the exact-JSON check; a
  later value that matches it gets that key from :meth:`KeyMemo.lookup` without the walk. A value that
  fails the check is never stored, so it is refused every time whatever the memo holds.
- Bounded: at most :data:`MAX_ENTRIES` entries and :data:`MAX_CHARS` characters of JSON text plus keys
  together (the private copies take a few times their text in memory); the least recently used entries go
  first (a :class:`~rlvr_rewards.util.lru.BoundedLRU`: thread-safe and fork-safe).
"""

from __future__ import annotations

from typing import Any

import orjson

from rlvr_rewards.util.lru import BoundedLRU

__all__ = ["MAX_CHARS", "MAX_ENTRIES", "KeyMemo"]


#: Most entries one memo holds.
MAX_ENTRIES = 4096
#: Most characters of JSON text plus keys one memo holds, whatever the values.
MAX_CHARS = 8_000_000


class KeyMemo:
    """``(namespace, JSON text) -> (private copy, canonical key)`` (see the module contract)."""

    __slots__ = ("_lru",)

    def __init__(self, max_entries: int = MAX_ENTRIES, max_chars: int = MAX_CHARS) -> None:
        self._lru = BoundedLRU(max_entries, max_chars)  # (namespace, text) -> (private copy, key)

    @staticmethod
    def text(value: Any) -> bytes | None:
        """``orjson.dumps(value)`` of an exact ``dict`` or ``list``, else ``None``."""
        if type(value) is not dict and type(value) is not list:
            return None
        try:
            return orjson.dumps(value)
        except orjson.JSONEncodeError:  # a type orjson does not write, a big integer, too deep, a lone surrogate
            return None

    def lookup(self, namespace: str, value: Any) -> tuple[str | None, bytes | None]:
        """``(key, text)``: the key stored for a value equal to ``value`` with the same text (else ``None``),
        and ``value``'s text for a later :meth:`put` (``None``: not memoised)."""
        text = self.text(value)
        if text is None:
            return None, None
        entry = (namespace, text)
        hit = self._lru.peek(entry)
        if hit is None:
            return None, text
        try:
            same = bool(value == hit[0])
        except Exception:  # an __eq__ of the user's that raises: the walk decides
            same = False
        if not same:
            return None, text
        self._lru.touch(entry)
        return hit[1], text

    def put(self, namespace: str, text: bytes, key: str) -> None:
        """Remember ``key`` for the value written as ``text`` (which has passed the exact-JSON check)."""
        size = len(text) + len(key)
        if size <= self._lru.max_size:
            self._lru.put((namespace, text), (orjson.loads(text), key), size)

    def clear(self) -> None:
        self._lru.clear()

    def __len__(self) -> int:
        return len(self._lru)

    @property
    def chars(self) -> int:
        """Characters of JSON text plus keys held."""
        return self._lru.size
