"""Module-level locks that stay usable in a forked child.

Contract: :class:`ForkSafeLock` behaves like the lock it wraps (``with``, ``acquire``, ``release``).
In a child created by ``fork`` (``score_batch(..., workers=N)`` forks; so may the user's own code) every
such lock is replaced by a fresh, unlocked one before the child runs: a lock that another thread of the
parent held at the moment of the fork would otherwise stay held forever in the child, and the child's
first cache miss would deadlock. The caches these locks guard are plain dicts, consistent at any
bytecode boundary, so the child keeps their contents.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Callable
from typing import Any

__all__ = ["ForkSafeLock"]

_LOCKS: weakref.WeakSet[ForkSafeLock] = weakref.WeakSet()


class ForkSafeLock:
    """A ``threading.Lock`` (or ``RLock``, via ``factory``) that a forked child re-creates unlocked."""

    __slots__ = ("__weakref__", "_factory", "_lock")

    def __init__(self, factory: Callable[[], Any] = threading.Lock) -> None:
        self._factory = factory
        self._lock = factory()
        _LOCKS.add(self)

    def __enter__(self) -> bool:
        return bool(self._lock.__enter__())

    def __exit__(self, *exc: object) -> None:
        self._lock.__exit__(*exc)

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        return bool(self._lock.acquire(blocking, timeout))

    def release(self) -> None:
        self._lock.release()

    def _renew(self) -> None:
        self._lock = self._factory()


def _renew_all_in_child() -> None:
    for lock in list(_LOCKS):
        lock._renew()


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_renew_all_in_child)
