"""A cross-call memo from a value's JSON text to its canonical cache key, for truths and tool specs.

Why: rows of veRL / SageMaker data each carry their own copy of the same tools and truths, and per-item
callers (veRL's ``naive`` manager, OpenRLHF's executor, ``rr.score`` in a loop) hand us new objects on
every call. Their canonical key (:func:`rlvr_rewards.jsonsafe.canonical_dumps`, after the exact-JSON walk
:func:`rlvr_rewards.jsonsafe.not_json_data`) needs a Python walk over every node; the memo needs one call
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
  first. Thread-safe and fork-safe (a :class:`~rlvr_rewards.locks.ForkSafeLock`); a child keeps the
  parent's entries.
"""

from __future__ import annotations

from typing import Any

import orjson

from rlvr_rewards.locks import ForkSafeLock

__all__ = ["MAX_CHARS", "MAX_ENTRIES", "KeyMemo"]


#: Most entries one memo holds.
MAX_ENTRIES = 4096
#: Most characters of JSON text plus keys one memo holds, whatever the values.
MAX_CHARS = 8_000_000


class KeyMemo:
    """``(namespace, JSON text) -> (private copy, canonical key)`` (see the module contract)."""

    __slots__ = ("_chars", "_entries", "_lock", "max_chars", "max_entries")

    def __init__(self, max_entries: int = MAX_ENTRIES, max_chars: int = MAX_CHARS) -> None:
        self.max_entries = max_entries
        self.max_chars = max_chars
        self._entries: dict[tuple[str, bytes], tuple[Any, str]] = {}  # insertion order = recency (oldest first)
        self._chars = 0
        self._lock = ForkSafeLock()

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
        hit = self._entries.get(entry)  # one dict read: atomic, no lock needed
        if hit is None:
            return None, text
        try:
            same = bool(value == hit[0])
        except Exception:  # an __eq__ of the user's that raises: the walk decides
            same = False
        if not same:
            return None, text
        with self._lock:
            if self._entries.pop(entry, None) is not None:
                self._entries[entry] = hit  # most recently used
        return hit[1], text

    def put(self, namespace: str, text: bytes, key: str) -> None:
        """Remember ``key`` for the value written as ``text`` (which has passed the exact-JSON check)."""
        size = len(text) + len(key)
        if size > self.max_chars:
            return
        entry = (namespace, text)
        private = orjson.loads(text)
        with self._lock:
            old = self._entries.pop(entry, None)
            if old is not None:
                self._chars -= len(text) + len(old[1])
            while self._entries and (len(self._entries) >= self.max_entries or self._chars + size > self.max_chars):
                oldest = next(iter(self._entries))
                self._chars -= len(oldest[1]) + len(self._entries.pop(oldest)[1])
            self._entries[entry] = (private, key)
            self._chars += size

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._chars = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def chars(self) -> int:
        """Characters of JSON text plus keys held."""
        return self._chars
