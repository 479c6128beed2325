"""The reward server's scoring processes: a bounded, self-healing ``ProcessPoolExecutor``.

Contract of :class:`ScoringPool`:

- ``workers`` processes started by ``forkserver`` (``spawn`` where forkserver does not exist): never ``fork``,
  because uvicorn's process runs threads, and a fork taken while one of them holds a lock inherits the lock held.
  :meth:`start` warms every worker (imports the library, scores one example) before the server answers;
  ``initializer`` runs in each worker as it starts (also in the workers of a rebuilt pool).
- :meth:`run` (one task) and :meth:`run_all` (a request's tasks, e.g. the shards of a large batch, run at once)
  admit a request only while fewer than ``max_pending`` are admitted and unfinished (else :class:`Busy`); a
  request keeps its one slot until all its tasks have finished in the workers, also after its deadline passed,
  so ``max_pending`` bounds the work queued on the pool.
- The deadline: past ``timeout_s`` :meth:`run` raises :class:`DeadlineExceeded`; the worker finishes the task in
  the background (a process cannot be interrupted safely mid-batch), and its result is dropped.
- A worker that dies mid-task (killed, out of memory) breaks the whole pool (``BrokenProcessPool``): the pool is
  replaced once by the first request that sees it broken, every request that was on it is submitted again, once;
  a second break raises :class:`PoolBroken`. The server stays up either way.
- :meth:`close` shuts the pool down, cancelling tasks not yet started and waiting for the running ones.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

__all__ = ["Busy", "DeadlineExceeded", "PoolBroken", "ScoringPool"]

T = TypeVar("T")


class Busy(Exception):
    """``max_pending`` requests are already admitted."""


class DeadlineExceeded(Exception):
    """The task did not finish within the request's deadline (it goes on in the worker)."""


class PoolBroken(Exception):
    """The pool broke again after it was rebuilt for this request."""


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


class ScoringPool:
    """See the module contract."""

    def __init__(self, workers: int, max_pending: int, initializer: Callable[[], Any] | None = None) -> None:
        self.workers = workers
        self.initializer = initializer
        self.max_pending = max_pending
        self.pending = 0
        self.rebuilds = 0
        self._executor: ProcessPoolExecutor | None = None
        self._generation = 0

    def _new_executor(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=_context(), initializer=self.initializer)

    @property
    def executor(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = self._new_executor()
        return self._executor

    def start(self, warm: Callable[..., Any] | None = None, *args: Any) -> list[Any]:
        """Create the pool; with ``warm``, run ``warm(*args)`` once per worker (waits for all)."""
        executor = self.executor
        if warm is None:
            return []
        futures = [executor.submit(warm, *args) for _ in range(self.workers)]
        return [f.result() for f in futures]

    def pids(self) -> list[int]:
        """The worker processes' ids (for operators and tests)."""
        processes = getattr(self._executor, "_processes", None) or {}
        return sorted(processes)

    def _rebuild(self, generation: int) -> None:
        if generation != self._generation or self._executor is None:
            return  # another request already replaced the broken pool
        old = self._executor
        self._executor = self._new_executor()
        self._generation += 1
        self.rebuilds += 1
        old.shutdown(wait=False, cancel_futures=True)

    def _release_when_done(self, futures: list[asyncio.Future[Any]]) -> None:
        """Free the request's slot once all its tasks have finished (past the deadline: in the background)."""
        left = [f for f in futures if not f.done()]
        if not left:
            self.pending -= 1
            for f in futures:
                if not f.cancelled():
                    f.exception()  # retrieved: an abandoned task's error is not reported as never retrieved
            return
        left[0].add_done_callback(lambda _: self._release_when_done(left))

    async def run(self, timeout_s: float, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in a worker (see the module contract for the errors)."""
        result: T = (await self.run_all(timeout_s, [(fn, args)]))[0]
        return result

    async def run_all(self, timeout_s: float, calls: Sequence[tuple[Callable[..., Any], tuple[Any, ...]]]) -> list[Any]:
        """Each ``fn(*args)`` of ``calls`` in a worker, all at once, for one request: one ``max_pending`` slot, one
        deadline; if the pool breaks, all of them again once on the new pool (the answer is built from one
        attempt's results only: nothing lost, nothing twice). See the module contract for the errors."""
        if self.pending >= self.max_pending:
            raise Busy(f"{self.pending} requests are being scored (max_pending={self.max_pending})")
        self.pending += 1
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        futures: list[asyncio.Future[Any]] = []
        try:
            for _attempt in range(2):
                generation = self._generation
                try:
                    futures = [asyncio.wrap_future(self.executor.submit(fn, *args)) for fn, args in calls]
                except (BrokenProcessPool, RuntimeError):  # broken, or shut down by a rebuild a moment ago
                    futures = []
                    self._rebuild(generation)
                    continue
                try:
                    return await asyncio.wait_for(
                        asyncio.shield(asyncio.gather(*futures)), max(deadline - loop.time(), 0.0)
                    )
                except asyncio.TimeoutError:
                    raise DeadlineExceeded(f"not scored within {timeout_s:g} s") from None
                except BrokenProcessPool:
                    self._rebuild(generation)
            raise PoolBroken("a scoring process died twice while this request was being scored")
        finally:
            self._release_when_done(futures)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
