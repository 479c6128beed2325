"""What the reward server (``rlvr-rewards serve``, docs/server.md) costs over scoring in-process, and how it
takes faults: loopback only (127.0.0.1), every request, fault and server start bounded by a timeout.

The server runs in a child process (this script with ``--serve-child``: ``create_app(ServerConfig(...))`` under
uvicorn on a socket bound to 127.0.0.1 port 0, as tests/test_server.py runs it, but out of this process so that
the client's threads do not share the server's GIL, and with ``IPPROTO_TCP`` so that asyncio sets ``TCP_NODELAY``
as under ``rlvr-rewards serve``: without it every kept-alive answer waits ~40 ms for a delayed ACK); it prints its
port and its scoring workers' pids, and stops gracefully when its stdin closes (killed after 30 s otherwise).

**Load.** The standard workload (``workload.make_workload``, Hermes text, seeded) as ``/score`` items
``{"completion", "ground_truth"}`` with the five tool specs once per request (``/score``'s top-level ``tools``,
as ``RewardClient.score_batch`` sends a list every item shares; per item they were 89 % of a 1,024-item body),
answered in the ``columns`` layout (as the trainer adapters ask for it with ``RLVR_REWARDS_URL``).
For each server ``--workers`` (1 and 2) and each ``--batch-sizes`` (1, 64, 1,024): ``requests`` POSTs of
consecutive batches of the workload
(200 of 1, 50 of 64, 10 of 1,024, times ``--requests-scale``), first one connection sending them one after the
other (sequential), then ``--concurrency`` connections (threads, ``http.client`` with keep-alive) sharing them.
Request bodies are encoded before the clock starts (a client's own JSON encoding is not charged to the server);
a request's latency runs from sending it to having read the whole answer. One batch is sent before timing (warm
caches on both sides). Every answer is checked after timing: status 200, one reward per item, equal item for
item to the in-process rewards. A row stops sending after ``--row-seconds`` (the requests done are reported).

Measured in the same run: ``rlvr_rewards.score_batch(completions, truths, tools=the five specs)`` on the same
batches in this process (after one warm-up batch). Printed, one row per (workers, batch, connections):
throughput in items/s, latency p50 / p99, and the server wall time per batch (the row's wall time / requests)
over the in-process time per batch (mean).

**The acceptance figure** (target <= 1.3x), for each server: ``--pairs`` paired runs at batch 1,024, each the same
batch scored in this process and then sent to the server on one kept-alive connection, one right after the other
(both halves of a pair under the same load of this shared machine); the figure is the median of the pairs'
ratios. What it includes: HTTP both ways, the JSON of a 0.36 MB body and its answer, the request checks, the
bytes to and from the worker processes. Printed for the columns layout (the acceptance figure: what the adapters
send) and the items layout, against ``score_batch`` in one process, and for a server of N > 1 workers also
against ``score_batch(workers=N)`` (like for like: a server of 2 workers splits a large batch on an idle pool over
both). Each answer's ``Server-Timing`` splits the server's time: ``worker`` (decode, check, score, write the
answer, the longest share) and ``pool`` (from handing the body to the pool to having the answer). Absolute
seconds on a shared machine are not evidence; the ratios are.

**Faults**, each against a fresh server (2 workers, ``body_timeout_s`` 1 s), each bounded by ``--fault-timeout``:
a client that leaves mid-body and one that leaves before the answer; a slowloris body (headers and half the body,
then stalled: 408 expected); a 10 MB body by ``Content-Length`` and chunked (413); invalid JSON (422); a worker
killed mid-batch (both workers' pids, as the child reported them, ``SIGKILL``-ed while a 1,024-item request is in
them; that server holds each task 0.5 s with the testing setting ``delay_s`` so that the kill lands mid-batch: 200
after the pool's one retry, or 503 ``workers_died``). Each row: the answer, whether ``GET /health`` answers ``ok``
afterwards, and whether results stayed complete (the fault's own answer if it was scored, and a 64-item request
sent afterwards: one reward per item, equal to the in-process rewards: nothing lost, nothing duplicated).

``--json PATH`` writes the figures.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

_HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(_HERE))
if (_HERE.parent / "rlvr_rewards" / "server").is_dir():  # this checkout's library (client, server, in-process alike)
    sys.path.insert(0, str(_HERE.parent))

from workload import make_workload  # noqa: E402

HOST = "127.0.0.1"
ROLLOUTS = 8
#: Requests per batch size at ``--requests-scale 1``.
BASE_REQUESTS = {1: 200, 64: 50, 1024: 10}
ACCEPTANCE_BATCH = 1024
ACCEPTANCE_TARGET = 1.3
CHECK_BATCH = 64
#: The fault server's body timeout (s) and the kill server's injected scoring time (s).
BODY_TIMEOUT_S = 1.0
KILL_DELAY_S = 0.5
KILL_BATCH = 1024

Items = list[dict[str, Any]]


# ------------------------------------------------------------------------------------------- the server (child)


def serve_child(config_json: str) -> int:
    """``--serve-child``: serve ``ServerConfig(**config)`` on 127.0.0.1:0; print ``{"port", "pids"}``; stop on EOF."""
    import uvicorn

    from rlvr_rewards.server import ServerConfig, create_app

    app = create_app(ServerConfig(**json.loads(config_json)))
    # proto IPPROTO_TCP, as uvicorn's own create_server(host, port) gets it from getaddrinfo: asyncio sets
    # TCP_NODELAY on accepted connections only then; with proto 0 every kept-alive answer waits ~40 ms (Nagle
    # and delayed ACK: uvicorn writes the head and the body apart).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, 0))
    cfg = uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=5, access_log=False)
    server = uvicorn.Server(cfg)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            print(json.dumps({"error": "the server did not start"}), flush=True)
            return 1
        time.sleep(0.02)
    print(json.dumps({"port": sock.getsockname()[1], "pids": app.state.pool.pids()}), flush=True)
    sys.stdin.read()  # until the parent closes our stdin (or dies)
    server.should_exit = True
    thread.join(30)
    return 0


class Server:
    """A server child process (see the module docs): ``port``, ``pids`` (its scoring workers at start)."""

    def __init__(self, **config: Any) -> None:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--serve-child", json.dumps(config)]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line: list[str] = []
        reader = threading.Thread(target=lambda: line.append(self.proc.stdout.readline()), daemon=True)  # type: ignore[union-attr]
        reader.start()
        reader.join(90)
        info = json.loads(line[0]) if line and line[0].strip() else {"error": "no port line (exited, or 90 s passed)"}
        if "port" not in info:
            self.stop()
            raise RuntimeError(f"server child {config}: {info.get('error')}")
        self.port: int = info["port"]
        self.pids: list[int] = info["pids"]

    def stop(self) -> None:
        try:
            self.proc.stdin.close()  # type: ignore[union-attr]
            self.proc.wait(30)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait(10)

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# ------------------------------------------------------------------------------------------------------ requests


def post(conn: http.client.HTTPConnection, body: bytes, path: str = "/score") -> tuple[int, bytes]:
    conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    return response.status, response.read()


def call(port: int, method: str, path: str, body: bytes | None = None, timeout: float = 60.0) -> tuple[int, Any]:
    """(status, JSON answer) of one request on a fresh connection; (0, error text) when no answer came."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        raw = response.read()
        try:
            return response.status, orjson.loads(raw)
        except orjson.JSONDecodeError:
            return response.status, raw.decode(errors="replace")
    except (OSError, http.client.HTTPException) as exc:
        return 0, f"{type(exc).__name__}: {exc}"
    finally:
        conn.close()


def raw_exchange(port: int, data: bytes, timeout: float, *, read: bool = True, send_in_thread: bool = False) -> bytes:
    """Send ``data`` on a raw socket and read the answer until the server closes (or ``timeout``)."""
    sock = socket.create_connection((HOST, port), timeout=timeout)
    out = b""
    try:
        if send_in_thread:  # the server may answer (and close) before the body is all sent
            sender = threading.Thread(target=_send_quietly, args=(sock, data), daemon=True)
            sender.start()
        else:
            sock.sendall(data)
        if not read:
            return b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except (TimeoutError, OSError):
                break
            if not chunk:
                break
            out += chunk
            if b"\r\n\r\n" in out and _complete(out):
                break
    finally:
        sock.close()
    return out


def _send_quietly(sock: socket.socket, data: bytes) -> None:
    try:
        sock.sendall(data)
    except OSError:
        pass  # the server closed the connection after answering


def _complete(answer: bytes) -> bool:
    head, _, body = answer.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":", 1)[1])
    return False


def _status_of(answer: bytes) -> tuple[int, str]:
    """(status, error kind) of a raw HTTP answer; (0, "") for none."""
    if not answer.startswith(b"HTTP/1.1 "):
        return 0, ""
    status = int(answer[9:12])
    body = answer.partition(b"\r\n\r\n")[2]
    try:
        return status, str(orjson.loads(body)["error"]["kind"])
    except (orjson.JSONDecodeError, KeyError, TypeError):
        return status, ""


# ----------------------------------------------------------------------------------------------------- the load


def make_items(n_items: int) -> tuple[Items, list[Any], list[Any], list[Any]]:
    """The workload's first ``n_items`` as ``/score`` items, and its completions, truths and tool specs."""
    wl = make_workload(max(1, math.ceil(n_items / ROLLOUTS)), ROLLOUTS, seed=0, variant="hermes")
    completions, truths = wl.completions[:n_items], wl.ground_truths[:n_items]
    items = [{"completion": c, "ground_truth": t, "tools": wl.tools} for c, t in zip(completions, truths, strict=True)]
    return items, completions, truths, wl.tools


def batches_of(n_items: int, batch: int, count: int) -> list[slice]:
    """``count`` consecutive batches of ``batch`` items (wrapping around the ``n_items``)."""
    out = []
    for k in range(count):
        start = (k * batch) % max(1, n_items - batch + 1)
        out.append(slice(start, start + batch))
    return out


def in_process(completions: list[Any], truths: list[Any], tools: Any, slices: list[slice]) -> dict[str, Any]:
    """``score_batch`` on each batch in this process: seconds per batch, and the rewards (the reference)."""
    import rlvr_rewards as rr

    rr.score_batch(completions[slices[0]], truths[slices[0]], tools=tools)  # warm-up
    seconds: list[float] = []
    rewards: list[list[float]] = []
    for s in slices:
        started = time.perf_counter()
        batch = rr.score_batch(completions[s], truths[s], tools=tools)
        seconds.append(time.perf_counter() - started)
        rewards.append(json.loads(json.dumps([d["reward"] for d in batch.to_dicts()])))
    return {"seconds": seconds, "rewards": rewards, "mean_s": statistics.fmean(seconds)}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


def drive(port: int, bodies: list[bytes], connections: int, row_seconds: float) -> dict[str, Any]:
    """Send ``bodies`` over ``connections`` keep-alive connections; latencies, answers (by index), wall time."""
    latencies: dict[int, float] = {}
    answers: dict[int, tuple[int, bytes]] = {}
    lock = threading.Lock()
    next_index = [0]
    deadline = time.monotonic() + row_seconds

    def client() -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=120)
        try:
            while time.monotonic() < deadline:
                with lock:
                    i = next_index[0]
                    next_index[0] += 1
                if i >= len(bodies):
                    return
                started = time.perf_counter()
                try:
                    answer = post(conn, bodies[i])
                except (OSError, http.client.HTTPException) as exc:
                    answer = (0, f"{type(exc).__name__}".encode())
                    conn.close()
                    conn = http.client.HTTPConnection(HOST, port, timeout=120)
                latencies[i] = time.perf_counter() - started
                answers[i] = answer
        finally:
            conn.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(connections)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(row_seconds + 180)
    return {"wall_s": time.perf_counter() - started, "latencies": latencies, "answers": answers}


def check_answers(answers: dict[int, tuple[int, bytes]], reference: list[list[float]]) -> tuple[int, int]:
    """(answers complete and equal to the in-process rewards, answers that are not)."""
    good = bad = 0
    for i, (status, raw) in answers.items():
        ok = status == 200
        if ok:
            body = orjson.loads(raw)
            n = len(body["scores"]) if "scores" in body else len(body["reasons"])  # the items or columns layout
            ok = len(body["rewards"]) == n == len(reference[i]) and body["rewards"] == reference[i]
        good, bad = (good + 1, bad) if ok else (good, bad + 1)
    return good, bad


def load_row(server: Server, workers: int, batch: int, connections: int, case: dict[str, Any], row_s: float) -> Any:
    run = drive(server.port, case["bodies"], connections, row_s)
    done = len(run["latencies"])
    good, bad = check_answers(run["answers"], case["reference"]["rewards"])
    lat = list(run["latencies"].values()) or [math.nan]
    per_batch = run["wall_s"] / done if done else math.nan
    return {
        "workers": workers,
        "batch": batch,
        "connections": connections,
        "requests": done,
        "requests_planned": len(case["bodies"]),
        "items_per_s": done * batch / run["wall_s"] if done else 0.0,
        "p50_ms": 1000 * percentile(lat, 50),
        "p99_ms": 1000 * percentile(lat, 99),
        "server_s_per_batch": per_batch,
        "in_process_s_per_batch": case["reference"]["mean_s"],
        "overhead": per_batch / case["reference"]["mean_s"],
        "answers_ok": good,
        "answers_bad": bad,
    }


def run_load(args: argparse.Namespace, data: tuple[Items, list[Any], list[Any], Any]) -> tuple[list[Any], Any]:
    items, completions, truths, tools = data
    cases: dict[int, dict[str, Any]] = {}
    for batch in args.batch_sizes:
        count = max(1, round(BASE_REQUESTS.get(batch, 10) * args.requests_scale))
        slices = batches_of(len(items), batch, count)
        # the tool list once per request (the top-level "tools" of /score, as RewardClient.score_batch sends a
        # list shared by every item), not once per item
        bare = [{"completion": it["completion"], "ground_truth": it["ground_truth"]} for it in items]
        # the columns layout, as the trainer adapters ask for it (RLVR_REWARDS_URL); the acceptance figure is also
        # measured with the items layout (one object per item)
        bodies = [orjson.dumps({"items": bare[s], "tools": tools, "layout": "columns"}) for s in slices]
        items_bodies = [orjson.dumps({"items": bare[s], "tools": tools}) for s in slices]
        reference = in_process(completions, truths, tools, slices)
        cases[batch] = {"bodies": bodies, "items_bodies": items_bodies, "reference": reference, "slices": slices}
    rows = []
    pairs: dict[int, dict[str, Any]] = {}
    for workers in args.workers:
        with Server(workers=workers) as server:
            for batch, case in cases.items():
                call(server.port, "POST", "/score", case["bodies"][0], timeout=120)  # warm-up
                for connections in dict.fromkeys((1, args.concurrency)):
                    rows.append(load_row(server, workers, batch, connections, case, args.row_seconds))
            if ACCEPTANCE_BATCH in cases:
                case = cases[ACCEPTANCE_BATCH]
                pairs[workers] = paired(server.port, case, case["bodies"], data, args.pairs)
                pairs[workers]["items_layout"] = paired(server.port, case, case["items_bodies"], data, args.pairs)
                if workers > 1:  # like for like: score_batch(workers=N) in this process
                    pairs[workers]["same_workers"] = paired(
                        server.port, case, case["bodies"], data, args.pairs, in_process_workers=workers
                    )
    in_proc = {str(b): {"mean_s": c["reference"]["mean_s"], "batches": len(c["bodies"])} for b, c in cases.items()}
    return rows, in_proc, pairs


def paired(
    port: int,
    case: dict[str, Any],
    bodies: list[bytes],
    data: tuple[Items, list[Any], list[Any], Any],
    n: int,
    in_process_workers: int = 1,
) -> dict[str, Any]:
    """The acceptance measurement: ``n`` pairs, each the same batch scored in this process and then sent to the
    server (one kept-alive connection), one right after the other, so that both halves of a pair run under the
    same load of this shared machine; the overhead is the median of the pairs' ratios (server / in-process)."""
    import rlvr_rewards as rr

    _, completions, truths, tools = data
    conn = http.client.HTTPConnection(HOST, port, timeout=120)
    ratios: list[float] = []
    local: list[float] = []
    remote: list[float] = []
    worker: list[float] = []
    pool: list[float] = []
    try:
        for k in range(n):
            s = case["slices"][k % len(case["slices"])]
            started = time.perf_counter()
            rr.score_batch(completions[s], truths[s], tools=tools, workers=in_process_workers)
            local.append(time.perf_counter() - started)
            started = time.perf_counter()
            conn.request("POST", "/score", body=bodies[k % len(bodies)])
            response = conn.getresponse()
            response.read()
            remote.append(time.perf_counter() - started)
            if response.status != 200:
                raise RuntimeError(f"paired request {k}: status {response.status}")
            ratios.append(remote[-1] / local[-1])
            timing = dict(
                (part.split(";dur=")[0].strip(), float(part.split(";dur=")[1]))
                for part in (response.headers.get("Server-Timing") or "").split(",")
                if ";dur=" in part
            )
            worker.append(timing.get("worker", math.nan))
            pool.append(timing.get("pool", math.nan))
    finally:
        conn.close()
    return {
        "pairs": n,
        "in_process_workers": in_process_workers,
        "overhead": statistics.median(ratios),
        "in_process_ms_median": 1000 * statistics.median(local),
        "server_ms_median": 1000 * statistics.median(remote),
        # from the answers' Server-Timing: the worker's own time (decode, check, score, write the answer) and the
        # time from handing the body to the pool to having the answer back
        "worker_ms_median": statistics.median(worker),
        "pool_ms_median": statistics.median(pool),
    }


# --------------------------------------------------------------------------------------------------------- faults


def _score_check(port: int, items: Items, reference: list[float], timeout: float) -> bool:
    """A ``/score`` of ``items`` answers 200 with one reward per item, equal to ``reference``."""
    status, body = call(port, "POST", "/score", orjson.dumps({"items": items}), timeout)
    return status == 200 and len(body["rewards"]) == len(body["scores"]) == len(items) and body["rewards"] == reference


def _health(port: int, timeout: float) -> bool:
    status, body = call(port, "GET", "/health", timeout=timeout)
    return status == 200 and isinstance(body, dict) and body.get("status") == "ok"


def _pending(port: int, timeout: float) -> Any:
    body = call(port, "GET", "/health", timeout=timeout)[1]
    return body.get("pending") if isinstance(body, dict) else None


def _head(length: int | None = None, chunked: bool = False) -> bytes:
    framing = b"Transfer-Encoding: chunked" if chunked else b"Content-Length: %d" % (length or 0)
    return b"POST /score HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n" + framing + b"\r\n\r\n"


def fault_disconnect_mid_body(port: int, body: bytes, timeout: float) -> dict[str, Any]:
    raw_exchange(port, _head(len(body)) + body[: len(body) // 2], timeout, read=False)
    return {"answer": "none expected (the client left)", "status": None, "expected": "no answer; server up"}


def fault_disconnect_before_answer(port: int, body: bytes, timeout: float) -> dict[str, Any]:
    raw_exchange(port, _head(len(body)) + body, timeout, read=False)
    time.sleep(0.3)  # the batch is being scored for nobody
    return {"answer": "none expected (the client left)", "status": None, "expected": "no answer; server up"}


def fault_slowloris(port: int, body: bytes, timeout: float) -> dict[str, Any]:
    started = time.monotonic()
    answer = raw_exchange(port, _head(len(body)) + body[: len(body) // 2], timeout)
    status, kind = _status_of(answer)
    return {"status": status, "answer": f"{status} {kind} after {time.monotonic() - started:.1f} s", "expected": 408}


def _too_large(port: int, chunked: bool, timeout: float) -> dict[str, Any]:
    size = 10 * 1024 * 1024
    if chunked:
        piece = b"x" * 65536
        data = _head(chunked=True) + b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for _ in range(size // len(piece)))
    else:
        data = _head(size) + b"x" * size
    started = time.monotonic()
    status, kind = _status_of(raw_exchange(port, data, timeout, send_in_thread=True))
    return {"status": status, "answer": f"{status} {kind} after {time.monotonic() - started:.2f} s", "expected": 413}


def fault_big_body(port: int, body: bytes, timeout: float) -> dict[str, Any]:
    return _too_large(port, False, timeout)


def fault_big_chunked(port: int, body: bytes, timeout: float) -> dict[str, Any]:
    return _too_large(port, True, timeout)


def fault_invalid_json(port: int, body: bytes, timeout: float) -> dict[str, Any]:
    status, answer = call(port, "POST", "/score", body[: len(body) // 2], timeout)
    kind = answer.get("error", {}).get("kind") if isinstance(answer, dict) else answer
    return {"status": status, "answer": f"{status} {kind}", "expected": 422}


FAULTS: dict[str, tuple[str, Callable[[int, bytes, float], dict[str, Any]]]] = {
    "client disconnects mid-body": ("headers + half of a 64-item body, then close", fault_disconnect_mid_body),
    "client disconnects before the answer": ("a whole 1,024-item request, then close", fault_disconnect_before_answer),
    "slowloris body": (f"headers + half the body, then stall (body_timeout_s {BODY_TIMEOUT_S:g})", fault_slowloris),
    "10 MB body (Content-Length)": ("Content-Length: 10 MiB and the body", fault_big_body),
    "10 MB body (chunked)": ("10 MiB in 64 KiB chunks, no Content-Length", fault_big_chunked),
    "invalid JSON": ("half of a 64-item body as the whole body", fault_invalid_json),
}


def fault_worker_killed(data: tuple[Items, list[Any], list[Any], Any], timeout: float) -> dict[str, Any]:
    """SIGKILL both workers while a 1,024-item request is in them (see the module docs)."""
    items, completions, truths, tools = data
    n = min(KILL_BATCH, len(items))
    reference = in_process(completions, truths, tools, [slice(0, n)])["rewards"][0]
    with Server(workers=2, delay_s=KILL_DELAY_S, timeout_s=30.0) as server:
        result: list[tuple[int, Any]] = []
        sender = threading.Thread(
            target=lambda: result.append(call(server.port, "POST", "/score", orjson.dumps({"items": items[:n]}))),
            daemon=True,
        )
        sender.start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _pending(server.port, timeout) != 1:
            time.sleep(0.01)
        time.sleep(KILL_DELAY_S / 3)  # inside the worker's held time
        for pid in server.pids:
            os.kill(pid, signal.SIGKILL)
        sender.join(timeout + 30)
        status, body = result[0] if result else (0, "no answer within the timeout")
        own_ok = status == 503 or (status == 200 and len(body["rewards"]) == n and body["rewards"] == reference)
        up = _health(server.port, timeout)
        health = call(server.port, "GET", "/health", timeout=timeout)[1]
        after = _score_check(server.port, items[:CHECK_BATCH], reference[:CHECK_BATCH], timeout)
        kind = body.get("error", {}).get("kind", "") if isinstance(body, dict) else body
        answer = f"{status} {kind}".strip() + (f", {n} rewards" if status == 200 else "")
    return {
        "fault": "worker killed mid-batch",
        "done": f"SIGKILL both workers during a {n}-item request (each task held {KILL_DELAY_S:g} s)",
        "status": status,
        "answer": f"{answer}; rebuilds {health.get('rebuilds') if isinstance(health, dict) else '?'}",
        "expected": "200 (retried once) or 503",
        "as_expected": status in (200, 503),
        "stayed_up": up,
        "complete": own_ok and after,
    }


def run_faults(args: argparse.Namespace, data: tuple[Items, list[Any], list[Any], Any]) -> list[dict[str, Any]]:
    items, completions, truths, tools = data
    check_items = items[:CHECK_BATCH]
    check_reference = in_process(completions, truths, tools, [slice(0, len(check_items))])["rewards"][0]
    bodies = {
        "client disconnects before the answer": orjson.dumps({"items": items[:KILL_BATCH]}),
    }
    small = orjson.dumps({"items": check_items})
    rows = []
    with Server(workers=2, body_timeout_s=BODY_TIMEOUT_S) as server:
        for name, (done, fn) in FAULTS.items():
            out = fn(server.port, bodies.get(name, small), args.fault_timeout)
            up = _health(server.port, args.fault_timeout)
            complete = _score_check(server.port, check_items, check_reference, args.fault_timeout)
            expected = out["expected"]
            as_expected = out["status"] is None or out["status"] == expected
            rows.append(
                {"fault": name, "done": done, **out, "as_expected": as_expected, "stayed_up": up, "complete": complete}
            )
    rows.append(fault_worker_killed(data, args.fault_timeout))
    return rows


# ---------------------------------------------------------------------------------------------------- reporting


def print_load(rows: list[dict[str, Any]]) -> None:
    print(
        f"{'workers':>7} {'batch':>6} {'conns':>5} {'requests':>8} {'items/s':>10} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'in-proc ms/batch':>16} {'server/in-proc':>14} {'answers ok':>10}"
    )
    for r in rows:
        print(
            f"{r['workers']:>7} {r['batch']:>6,} {r['connections']:>5} {r['requests']:>8} {r['items_per_s']:>10,.0f} "
            f"{r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} {1000 * r['in_process_s_per_batch']:>16.3f} "
            f"{r['overhead']:>13.2f}x {r['answers_ok']:>6}/{r['requests']}"
        )


def acceptance(pairs: dict[int, dict[str, Any]]) -> dict[str, Any]:
    seq = {w: p["overhead"] for w, p in pairs.items()}
    met = all(v <= ACCEPTANCE_TARGET for v in seq.values()) if seq else None
    return {
        "batch": ACCEPTANCE_BATCH,
        "target": ACCEPTANCE_TARGET,
        "overhead_by_workers": seq,
        "met": met,
        "pairs": {str(w): p for w, p in pairs.items()},
    }


def print_faults(rows: list[dict[str, Any]]) -> None:
    print(f"{'fault':<38} {'answer':<44} {'expected':<26} {'up':>3} {'complete':>8}  what was done")
    for r in rows:
        yes = lambda v: "yes" if v else "NO"  # noqa: E731
        print(
            f"{r['fault']:<38} {r['answer']:<44} {r['expected']!s:<26} {yes(r['stayed_up']):>3} "
            f"{yes(r['complete']):>8}  {r['done']}"
        )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests-scale", type=float, default=1.0, help="x the requests per batch size (200/50/10)")
    parser.add_argument("--batch-sizes", default="1,64,1024", help="comma-separated (default 1,64,1024)")
    parser.add_argument("--workers", default="1,2", help="server worker counts, comma-separated (default 1,2)")
    parser.add_argument("--concurrency", type=int, default=4, help="connections of the concurrent rows (default 4)")
    parser.add_argument("--row-seconds", type=float, default=60.0, help="a load row stops sending after this")
    parser.add_argument("--fault-timeout", type=float, default=20.0, help="seconds each fault may take")
    parser.add_argument("--pairs", type=int, default=30, help="paired runs of the acceptance figure (default 30)")
    parser.add_argument("--skip-faults", action="store_true", help="the load table only")
    parser.add_argument("--json", help="write the figures here")
    parser.add_argument("--serve-child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.batch_sizes = [int(b) for b in args.batch_sizes.split(",") if b.strip()]
    args.workers = [int(w) for w in args.workers.split(",") if w.strip()]
    if not args.batch_sizes or min(args.batch_sizes) < 1 or max(args.batch_sizes) > 4096:
        parser.error("--batch-sizes: integers in 1..4096")
    if args.requests_scale <= 0 or args.concurrency < 1 or not args.workers or min(args.workers) < 1 or args.pairs < 1:
        parser.error("--requests-scale > 0, --concurrency >= 1, --workers >= 1, --pairs >= 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.serve_child:
        return serve_child(args.serve_child)
    needed = max(
        max(b * max(1, round(BASE_REQUESTS.get(b, 10) * args.requests_scale)) for b in args.batch_sizes),
        KILL_BATCH,
    )
    data = make_items(needed)
    print(f"command : python {' '.join([Path(__file__).name, *(argv if argv is not None else sys.argv[1:])])}")
    print(f"machine : {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"workload: {len(data[0]):,} items (hermes, seed 0), tools on every item; loopback {HOST}\n")
    rows, in_proc, pairs = run_load(args, data)
    print_load(rows)
    acc = acceptance(pairs)
    if pairs:
        what = f"batch {ACCEPTANCE_BATCH:,}, median of {args.pairs} paired runs, server / in-process"
        print(f"\nacceptance ({what}; target <= {ACCEPTANCE_TARGET}x):")
        for w, p in pairs.items():
            figures = [("columns", p), ("items", p["items_layout"])]
            if "same_workers" in p:
                figures.append((f"columns, against score_batch(workers={w})", p["same_workers"]))
            for layout, q in figures:
                print(
                    f"  workers={w} layout={layout:<7} {q['overhead']:.2f}x  ({q['server_ms_median']:.1f} ms / "
                    f"{q['in_process_ms_median']:.1f} ms; in the worker {q['worker_ms_median']:.1f} ms, "
                    f"handed to the pool and back {q['pool_ms_median']:.1f} ms)"
                )
        verdict = "met" if acc["met"] else "NOT met"
        print(f"  {verdict} (columns layout against score_batch in one process: every server <= {ACCEPTANCE_TARGET}x)")
    faults = [] if args.skip_faults else run_faults(args, data)
    if faults:
        print()
        print_faults(faults)
    if args.json:
        report = {
            "command": ["bench_server.py", *(argv if argv is not None else sys.argv[1:])],
            "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "python": platform.python_version()},
            "settings": {k: v for k, v in vars(args).items() if k not in ("json", "serve_child")},
            "in_process": in_proc,
            "load": rows,
            "acceptance": acc,
            "faults": faults,
        }
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    bad = [r for r in rows if r["answers_bad"]] + [r for r in faults if not (r["stayed_up"] and r["complete"])]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
