"""A bounded least-recently-used map, shared by the cross-call memos (keymemo.py, scoring/recent.py).

Contract: at most ``max_entries`` entries and ``max_size`` units of size (the caller says what an entry
weighs: characters, bytes); an entry heavier than ``max_size`` is not kept; the least recently used go
first. A read is one dict look-up (atomic, no lock); writes and the recency update hold a
:class:`~rlvr_rewards.util.locks.ForkSafeLock`, so it is thread-safe and a forked child keeps the entries.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from rlvr_rewards.util.locks import ForkSafeLock

__all__ = ["BoundedLRU"]


class BoundedLRU:
    """``key -> value`` with a size per entry (see the module contract)."""

    __slots__ = ("_entries", "_lock", "_size", "max_entries", "max_size")

    def __init__(self, max_entries: int, max_size: int) -> None:
        self.max_entries = max_entries
        self.max_size = max_size
        self._entries: dict[Hashable, tuple[Any, int]] = {}  # insertion order = recency (oldest first)
        self._size = 0
        self._lock = ForkSafeLock()

    def peek(self, key: Hashable) -> Any | None:
        """The value, without making it the most recently used."""
        hit = self._entries.get(key)
        return None if hit is None else hit[0]

    def touch(self, key: Hashable) -> None:
        """Make ``key`` the most recently used (no effect when it is gone). A key that already is (the same
        value asked for again and again, as per-item callers do) costs one look at the newest entry."""
        entries = self._entries
        try:
            if next(reversed(entries)) == key:
                return
        except (StopIteration, RuntimeError):  # empty, or changed by another thread meanwhile: the locked path
            pass
        with self._lock:
            hit = self._entries.pop(key, None)
            if hit is not None:
                self._entries[key] = hit

    def put(self, key: Hashable, value: Any, size: int) -> None:
        if size > self.max_size:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._size -= old[1]
            while self._entries and (len(self._entries) >= self.max_entries or self._size + size > self.max_size):
                oldest = next(iter(self._entries))
                self._size -= self._entries.pop(oldest)[1]
            self._entries[key] = (value, size)
            self._size += size

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._size = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size(self) -> int:
        return self._size
