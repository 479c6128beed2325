"""``score_batch(..., workers=N)``: identical results to one process, errors from workers surface here
with the batch index, a dead worker is a clear error, small batches never fork."""

from __future__ import annotations

import itertools
import multiprocessing
import os
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import rlvr_rewards as rr
from rlvr_rewards.plugins import register_plugin, unregister_plugin
from rlvr_rewards.scoring import parallel
from rlvr_rewards.scoring.parallel import PARALLEL_MIN_ITEMS, check_workers, plan_chunks
from rlvr_rewards.scoring.result import BatchScore
from rlvr_rewards.scoring.types import ScorerSpec, ScoringContext

from .helpers import BENCH_DIR, benchmark

_workload = benchmark("workload")
Workload, make_workload = _workload.Workload, _workload.make_workload

pytestmark = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="workers > 1 needs the fork start method"
)

N_PROMPTS = 2 * PARALLEL_MIN_ITEMS // 8 + 40  # just over two chunks' worth of items


@pytest.fixture(scope="module", params=["hermes", "openai"])
def workload(request: pytest.FixtureRequest) -> Workload:
    return make_workload(n_prompts=N_PROMPTS, rollouts=8, seed=3, variant=request.param)


def _score(wl: Workload, workers: int, **kw: Any) -> BatchScore:
    return rr.score_batch(wl.completions, wl.ground_truths, tools=wl.tools, groups=wl.groups, workers=workers, **kw)


def _assert_identical(a: BatchScore, b: BatchScore) -> None:
    assert np.array_equal(a.rewards, b.rewards)
    assert a.components.keys() == b.components.keys()
    for k in a.components:
        assert np.array_equal(a.components[k], b.components[k], equal_nan=True), k
    assert list(a.reasons) == list(b.reasons)
    assert list(a.behaviors) == list(b.behaviors)
    assert list(a.expected) == list(b.expected)
    assert list(a.violations) == list(b.violations)
    assert (a.preset, a.reward_range) == (b.preset, b.reward_range)
    assert a.summary() == b.summary()


@pytest.mark.parametrize("workers", [2, 3])
@pytest.mark.parametrize("components", ["preset", "all"])
def test_workers_give_identical_results(workload: Workload, workers: int, components: str) -> None:
    assert len(workload) >= 2 * PARALLEL_MIN_ITEMS
    one = _score(workload, 1, components=components)
    many = _score(workload, workers, components=components)
    _assert_identical(one, many)
    assert len(many) == len(workload)


def test_workers_really_fork(workload: Workload, monkeypatch: pytest.MonkeyPatch) -> None:
    worker_pid = multiprocessing.get_context("fork").Value("i", 0)  # shared memory, seen after the fork
    real = parallel._work

    def spy(score_chunk: Callable[[int, int], BatchScore], start: int, stop: int, conn: Any) -> None:
        worker_pid.value = os.getpid()
        real(score_chunk, start, stop, conn)

    monkeypatch.setattr(parallel, "_work", spy)
    got = parallel.score_in_workers(
        [(0, 10), (10, 20)],
        lambda a, b: rr.score_batch(workload.completions[a:b], workload.ground_truths[a:b], tools=workload.tools),
        None,
    )
    assert worker_pid.value not in (0, os.getpid())
    _assert_identical(got, rr.score_batch(workload.completions[:20], workload.ground_truths[:20], tools=workload.tools))


def test_plan_chunks_covers_the_batch_contiguously() -> None:
    for n in (0, 1, PARALLEL_MIN_ITEMS, 2 * PARALLEL_MIN_ITEMS - 1, 2 * PARALLEL_MIN_ITEMS, 10_001, 100_000):
        for workers in (1, 2, 3, 8):
            chunks = plan_chunks(n, workers)
            assert chunks[0][0] == 0 and chunks[-1][1] == n
            assert all(a[1] == b[0] for a, b in itertools.pairwise(chunks))
            assert len(chunks) <= workers
            if len(chunks) > 1:
                sizes = [b - a for a, b in chunks]
                assert min(sizes) >= PARALLEL_MIN_ITEMS and max(sizes) - min(sizes) <= 1
    assert plan_chunks(2 * PARALLEL_MIN_ITEMS - 1, 2) == [(0, 2 * PARALLEL_MIN_ITEMS - 1)]


@pytest.mark.parametrize("bad", [0, -1, True, 1.5, "2", None])
def test_bad_workers_are_config_errors(bad: Any) -> None:
    with pytest.raises(rr.ConfigError, match="workers must be a positive int"):
        rr.score_batch(["x"], [{"behavior": "refuse"}], workers=bad)


def test_workers_without_fork_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    with pytest.raises(rr.ConfigError, match="fork"):
        check_workers(2)
    assert check_workers(1) == 1


def _check_in_daemon(conn: Any) -> None:
    try:
        check_workers(2)
        conn.send("accepted")
    except rr.ConfigError as exc:
        conn.send(str(exc))


def test_workers_inside_a_daemonic_process_is_a_config_error() -> None:
    ctx = multiprocessing.get_context("fork")
    receiver, sender = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_check_in_daemon, args=(sender,), daemon=True)
    proc.start()
    message = receiver.recv()
    proc.join()
    assert "daemonic process" in message and "workers=1" in message


def test_small_batches_never_fork(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fork(*args: Any, **kwargs: Any) -> BatchScore:
        raise AssertionError("a small batch must be scored in this process")

    monkeypatch.setattr("rlvr_rewards.scoring.core.score_in_workers", no_fork)
    got = rr.score_batch(["I can't help with that."] * 100, [{"behavior": "refuse"}] * 100, workers=8)
    assert len(got) == 100 and got.reasons[0] == "ok"


def test_bad_ground_truth_is_reported_with_its_batch_index(workload: Workload) -> None:
    truths = list(workload.ground_truths)
    bad_at = len(truths) - 5  # inside the last chunk (a worker's)
    truths[bad_at] = {"behavior": "execute", "calls": "not a list"}
    with pytest.raises(rr.GroundTruthError) as info:
        rr.score_batch(workload.completions, truths, tools=workload.tools, workers=2)
    assert info.value.index == bad_at


@pytest.fixture(scope="module")
def three_chunks() -> Workload:
    return make_workload(n_prompts=3 * PARALLEL_MIN_ITEMS // 8 + 20, rollouts=8, seed=4)


@pytest.mark.parametrize("where", ["first", "middle", "last", "two_workers", "all"])
def test_the_first_bad_ground_truth_in_batch_order_is_raised(three_chunks: Workload, where: str) -> None:
    wl = three_chunks
    truths = list(wl.ground_truths)
    n = len(truths)
    assert len(plan_chunks(n, 3)) == 3
    bad = {
        "first": [3],
        "middle": [n // 2],
        "last": [n - 5],
        "two_workers": [n - 5, n // 2 + 7],
        "all": [n - 1, n // 2, 11],
    }[where]
    for i in bad:
        truths[i] = {"behavior": "execute", "calls": "not a list"}
    with pytest.raises(rr.GroundTruthError) as info:
        rr.score_batch(wl.completions, truths, tools=wl.tools, workers=3)
    assert info.value.index == min(bad)
    assert f"ground truth at item {min(bad)}, field" in str(info.value)  # the exact text, once
    assert multiprocessing.active_children() == []  # the other workers were stopped and reaped


def test_errors_survive_the_trip_between_processes() -> None:
    import pickle

    for err in (
        rr.GroundTruthError("bad", index=3, field="calls", expected="a list", got={"calls": "x"}),
        rr.ToolSpecError("no name", index=1, got=lambda: 1),
        rr.GroundTruthError("m"),
    ):
        back = pickle.loads(pickle.dumps(err))
        assert type(back) is type(err) and str(back) == str(err)
        assert (back.index, back.field, back.expected, back.message) == (
            err.index,
            err.field,
            err.expected,
            err.message,
        )
    assert pickle.loads(pickle.dumps(rr.GroundTruthError("b", got={"k": [1]}))).got == {"k": [1]}


class _ChildOnly:
    """A plugin whose scorer misbehaves only inside a worker process."""

    def __init__(self, parent: int, action: Callable[[], None]) -> None:
        self.parent = parent
        self.action = action

    @rr.hookimpl
    def register_scorers(self, register: Callable[[ScorerSpec], None]) -> None:
        def compute(ctx: ScoringContext) -> np.ndarray:
            if os.getpid() != self.parent:
                self.action()
            return np.ones(len(ctx))

        register(ScorerSpec("child_only", compute, always=True))


def _with_plugin(plugin: object, body: Callable[[], None]) -> None:
    register_plugin(plugin, name="child-only")
    try:
        body()
    finally:
        unregister_plugin("child-only")


def test_an_exception_in_a_worker_is_raised_here(workload: Workload) -> None:
    def boom() -> None:
        raise ZeroDivisionError("in the worker")

    def body() -> None:
        with pytest.raises(rr.PluginError, match=r"child_only.*child-only.*in the worker"):
            _score(workload, 2)

    _with_plugin(_ChildOnly(os.getpid(), boom), body)
    assert len(multiprocessing.active_children()) == 0  # the worker was reaped


def test_a_dead_worker_is_a_worker_error(workload: Workload) -> None:
    def die() -> None:
        os._exit(3)

    def body() -> None:
        with pytest.raises(rr.WorkerError, match=r"ended without a result \(exit code 3\)"):
            _score(workload, 2)

    _with_plugin(_ChildOnly(os.getpid(), die), body)
    assert len(multiprocessing.active_children()) == 0


def _try_lock(lock: Any, conn: Any) -> None:
    conn.send(lock.acquire(timeout=2))


@pytest.mark.parametrize("where", ["truth", "tools", "clarify", "plugins"])
def test_a_lock_held_by_another_thread_is_free_in_a_forked_child(where: str) -> None:
    import threading

    from rlvr_rewards import plugins
    from rlvr_rewards.groundtruth import toolspecs as tools
    from rlvr_rewards.groundtruth import truths as truth
    from rlvr_rewards.scoring import clarify

    lock = {
        "truth": truth._cache_lock,
        "tools": tools._cache_lock,
        "clarify": clarify._index_lock,
        "plugins": plugins._lock,
    }[where]
    held, done = threading.Event(), threading.Event()

    def hold() -> None:
        with lock:
            held.set()
            done.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(5)
    try:
        ctx = multiprocessing.get_context("fork")
        receiver, sender = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_try_lock, args=(lock, sender), daemon=True)
        proc.start()
        assert receiver.recv() is True  # a fresh lock in the child, not the parent's held one
        proc.join()
    finally:
        done.set()
        holder.join()


_HELD_LOCK_SCRIPT = r"""
import importlib.util, sys, threading, time
spec = importlib.util.spec_from_file_location("workload", sys.argv[1])
workload = importlib.util.module_from_spec(spec)
sys.modules["workload"] = workload
spec.loader.exec_module(workload)
make_workload = workload.make_workload
import rlvr_rewards as rr
from rlvr_rewards.groundtruth import truths as truth
wl = make_workload(600, 8, seed=11)
truths = wl.ground_truths  # nothing compiled yet in this fresh process: both chunks miss the caches
held = threading.Event()
def hold():
    with truth._cache_lock:
        held.set()
        time.sleep(0.5)
threading.Thread(target=hold).start()
held.wait()
b = rr.score_batch(wl.completions, truths, tools=wl.tools, workers=2)
print("scored", len(b))
"""


def test_scoring_with_workers_while_another_thread_holds_a_cache_lock() -> None:
    import subprocess

    proc = subprocess.run(
        [sys.executable, "-c", _HELD_LOCK_SCRIPT, str(BENCH_DIR / "workload.py")],
        capture_output=True,
        text=True,
        timeout=60,
    )  # a deadlocked worker would hang here
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "scored 4800" in proc.stdout
