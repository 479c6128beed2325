"""Scoring one batch in several processes: contiguous chunks, forked workers, results in batch order.

Contract:
- :func:`check_workers` accepts a positive ``int``; ``workers > 1`` needs the ``fork`` start method
  (Linux; also offered on macOS, where some system libraries do not survive a fork; Windows has only
  ``spawn``, which would have to pickle the whole batch and re-import everything) and a process that
  may have children (not a daemonic one). Anything else raises :class:`~rlvr_rewards.errors.ConfigError`.
- :func:`plan_chunks` cuts ``n`` items into ``min(workers, n // PARALLEL_MIN_ITEMS)`` contiguous,
  near-equal chunks; a small batch stays one chunk (a fork costs more than scoring a few thousand
  items). Contiguous chunks keep each GRPO group whole except at a boundary, so deduplication is
  barely affected; results never depend on it.
- :func:`score_in_workers` forks one process per chunk after the first, scores the first chunk in this
  process meanwhile, and concatenates the results in order. Workers inherit the batch, the registry
  and the compile caches from the fork (nothing is pickled on the way in); each resolves and scores
  its own chunk and sends its :class:`~rlvr_rewards.scoring.result.BatchScore` back through a pipe. The first
  exception in batch order is raised here (a bad ground truth keeps its batch index; chunk 0's own
  error first, then the workers' in chunk order) and the other workers are stopped; a worker that ends
  without a result raises :class:`~rlvr_rewards.errors.WorkerError` naming its chunk and exit code.

Forking a process that runs other threads: the library's own locks are re-created in the child
(:mod:`rlvr_rewards.util.locks`), so a cache lock held by another thread at the fork cannot deadlock a
worker (tested); workers run only rlvr_rewards code and exit without cleanup. Locks that other
libraries' threads hold are their own matter, as with any fork.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable, Hashable, Sequence
from multiprocessing.connection import Connection
from typing import Any

from rlvr_rewards.errors import ConfigError, WorkerError
from rlvr_rewards.scoring.result import BatchScore, concat_batches

__all__ = ["PARALLEL_MIN_ITEMS", "check_workers", "plan_chunks", "score_in_workers"]

#: Fewest items per worker: below ``2 * PARALLEL_MIN_ITEMS`` a batch is scored in this process.
PARALLEL_MIN_ITEMS = 2048


def check_workers(workers: Any) -> int:
    """``workers`` if it is a positive int usable here, else :class:`ConfigError`."""
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ConfigError(f"workers must be a positive int (1 = this process only), got {workers!r}")
    if workers > 1 and "fork" not in multiprocessing.get_all_start_methods():
        raise ConfigError(
            f"workers={workers} needs the 'fork' start method, which this platform lacks; use workers=1 "
            "(or score disjoint slices of the batch in your own processes)"
        )
    if workers > 1 and multiprocessing.current_process().daemon:
        raise ConfigError(
            f"workers={workers} cannot start processes from a daemonic process (e.g. a DataLoader or pool "
            "worker); use workers=1 there"
        )
    return workers


def plan_chunks(n: int, workers: int) -> list[tuple[int, int]]:
    """Contiguous ``(start, stop)`` chunks covering ``range(n)`` (see the module contract)."""
    k = max(1, min(workers, n // PARALLEL_MIN_ITEMS))
    bounds = [n * i // k for i in range(k + 1)]
    return [(bounds[i], bounds[i + 1]) for i in range(k)]


def _work(score_chunk: Callable[[int, int], BatchScore], start: int, stop: int, conn: Connection) -> None:
    """Body of a worker process: score one chunk, send ``("ok", result)`` or ``("error", exception)``."""
    # Everything inherited from the parent goes to the permanent generation: the collector would
    # otherwise walk (and so copy, page by page) the parent's whole heap in this short-lived process.
    gc.freeze()
    try:
        message: tuple[str, Any] = ("ok", score_chunk(start, stop))
    except Exception as exc:  # a plugin bug: raised again in the parent (anything else ends the worker)
        message = ("error", exc)
    try:
        conn.send(message)
    except Exception as exc:  # an exception (or result) that cannot be pickled
        conn.send(("error", WorkerError(f"worker for items {start}:{stop} could not send its result: {exc!r}")))
    finally:
        conn.close()


def score_in_workers(
    chunks: Sequence[tuple[int, int]],
    score_chunk: Callable[[int, int], BatchScore],
    groups: Sequence[Hashable] | None,
) -> BatchScore:
    """Score ``chunks[0]`` here and every other chunk in a forked worker; concatenate in order."""
    ctx = multiprocessing.get_context("fork")
    started: list[tuple[Any, Connection, tuple[int, int]]] = []
    done = False
    try:
        for start, stop in chunks[1:]:
            receiver, sender = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_work, args=(score_chunk, start, stop, sender), daemon=True)
            proc.start()
            sender.close()  # the worker holds its own copy; EOF here means the worker is gone
            started.append((proc, receiver, (start, stop)))
        parts = [score_chunk(*chunks[0])]
        for proc, receiver, (start, stop) in started:
            try:
                status, payload = receiver.recv()
            except EOFError:
                proc.join()
                raise WorkerError(
                    f"the worker scoring items {start}:{stop} ended without a result (exit code {proc.exitcode}); "
                    "it may have been killed (e.g. out of memory): retry with fewer workers or a smaller batch"
                ) from None
            if status == "error":
                raise payload
            parts.append(payload)
        done = True
    finally:
        for proc, receiver, _ in started:
            receiver.close()
            if not done:  # after an error: the other results are not needed, stop the workers now
                if proc.is_alive():
                    proc.kill()
                proc.join()
    # A worker that sent its result is exiting; multiprocessing reaps it at the next process start,
    # ``multiprocessing.active_children()`` or interpreter exit (waiting here would add its exit time).
    return concat_batches(parts, groups)
