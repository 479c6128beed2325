"""Graceful shutdown of the reward server (docs/server.md, "Graceful shutdown"), against a real server process.

What is proven, each on a server started as a subprocess of this interpreter and stopped with SIGTERM:

- **A request in flight is drained.** The server runs ``rlvr_rewards.server.app.serve`` (the function
  ``rlvr-rewards serve`` calls) from a ``python -c`` script, because the command line does not expose the
  testing-only ``ServerConfig.delay_s``: each scoring task sleeps ``DELAY_S`` in its worker, so a ``POST /score``
  is still being scored when SIGTERM arrives (``GET /health`` reports ``pending == 1`` first). Then: the server
  stops listening while that request is open (a new connection is refused), the request is answered 200 with
  exactly ``rlvr_rewards.score_batch``'s scores, the process exits on its own, the app's lifespan ran (the
  scoring pool was closed) and no process the server started (forkserver, resource tracker, worker) outlives it.
- **An idle server exits at once** (well within the 30 s graceful timeout), started with the real command line,
  ``python -m rlvr_rewards.cli serve --port N``, as a user does.

Two facts of uvicorn (0.55) the assertions rely on, both checked here:

- On SIGTERM uvicorn shuts down gracefully, restores the previous SIGTERM handler (the default one) and raises
  the signal again, so that the process ends "killed by SIGTERM" as a supervisor expects: the return code is
  ``-SIGTERM`` (143 in a shell), not 0, also after a complete, clean shutdown.
- uvicorn looks at its exit flag on a 0.1 s tick, so a connection made in the first moments after SIGTERM may
  still be accepted and answered. It closes the listening socket when it logs "Shutting down", then logs
  "Waiting for connections to close" (only while a connection is open): a connection attempted after that line
  is refused (``ECONNREFUSED``: nothing listens on the port), never answered 503.

The descendants of the server are read from ``/proc`` (Linux); elsewhere the tests are skipped.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

import rlvr_rewards as rr

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
if not Path("/proc/self/stat").exists():  # pragma: no cover
    pytest.skip("the server's child processes are read from /proc (Linux)", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[1]

GOOD = '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>'
WRONG_CITY = '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Lyon"}}\n</tool_call>'
TRUTH = {"behavior": "execute", "calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]}
COMPLETIONS = [GOOD, WRONG_CITY, "Which city do you mean?", GOOD]

#: Scoring time injected in the worker (``ServerConfig.delay_s``): the margin between seeing the request in the
#: worker and uvicorn starting its shutdown (normally about 0.2 s), so that the request is surely in flight then.
DELAY_S = 3.0
#: The graceful timeout of the drained server: far longer than DELAY_S, so that the drain is never cut short.
GRACEFUL_S = 60
#: Generous bounds for waits on a shared, noisy machine (none of them is a performance assertion).
START_S = 60.0
EXIT_S = 30.0
#: The idle server (the command line's default graceful timeout is 30 s) must exit before this: it never waits.
IDLE_EXIT_S = 20.0

SHUTTING_DOWN = "Shutting down"
WAITING_FOR_CONNECTIONS = "Waiting for connections to close"
LIFESPAN_DONE = "Application shutdown complete."


# ------------------------------------------------------------------------------------------------------ processes


def _stat(pid: int) -> tuple[str, int, int] | None:
    """(state, parent pid, start time in clock ticks) of a process from ``/proc/<pid>/stat``; None if gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = text[text.rindex(")") + 2 :].split()  # after "pid (comm) ": the comm may hold spaces
    return fields[0], int(fields[1]), int(fields[19])


def _descendants(pid: int) -> dict[int, int]:
    """Every process below ``pid``: pid -> start time (to tell a pid reused later from the same process). Read
    from the parent pids of all of ``/proc`` (``/proc/<pid>/task/*/children`` needs a kernel option)."""
    below: dict[int, list[tuple[int, int]]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            below.setdefault(stat[1], []).append((int(entry.name), stat[2]))
    found: dict[int, int] = {}
    todo = [pid]
    while todo:
        for child, started in below.get(todo.pop(), []):
            if child not in found:
                found[child] = started
                todo.append(child)
    return found


def _alive(pid: int, started: int) -> bool:
    """The process still runs: it exists, is the same process (same start time) and is not a zombie (a zombie
    has exited; whether its new parent reaps it is up to the machine's init)."""
    stat = _stat(pid)
    return stat is not None and stat[2] == started and stat[0] not in ("Z", "X")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerProcess:
    """A reward server in a subprocess of this interpreter: its output (stdout and stderr, uvicorn's log) read
    line by line in a thread, its health polled, and in :meth:`cleanup` never left running."""

    def __init__(self, argv: Sequence[str], port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self.proc = subprocess.Popen(
            list(argv), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True
        )
        self.descendants: dict[int, int] = {}
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()

    def read_to_end(self) -> None:
        """Wait for the whole output (once the process has exited, its pipe closes)."""
        self._reader.join(10)
        assert not self._reader.is_alive(), "the server's output was not closed 10 s after it exited"

    def tail(self, n: int = 30) -> str:
        with self._changed:
            return "\n".join(self.lines[-n:]) or "(no output)"

    def logged(self, text: str) -> bool:
        with self._changed:
            return any(text in line for line in self.lines)

    def wait_for_line(self, text: str, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        with self._changed:
            while not any(text in line for line in self.lines):
                left = deadline - time.monotonic()
                assert left > 0, f"the server did not log {text!r} within {timeout_s:g} s; its output:\n{self.tail()}"
                self._changed.wait(min(left, 0.1))

    def health(self) -> dict[str, Any]:
        with urllib.request.urlopen(self.url + "/health", timeout=10) as response:
            body: dict[str, Any] = json.loads(response.read())
            return body

    def wait_ready(self) -> None:
        """Poll ``GET /health`` until it answers (the pool started and warmed); fail with the output if the
        process dies or the bound passes."""
        deadline = time.monotonic() + START_S
        while True:
            code = self.proc.poll()
            assert code is None, f"the server exited with {code} before it was ready; its output:\n{self.tail()}"
            with contextlib.suppress(OSError):  # refused until uvicorn listens
                if self.health()["status"] == "ok":
                    break
            assert time.monotonic() < deadline, f"no GET /health answer within {START_S:g} s; output:\n{self.tail()}"
            time.sleep(0.05)
        self.descendants = _descendants(self.proc.pid)

    def described(self) -> list[str]:
        return [_describe(pid) for pid in self.descendants]

    def wait_exit(self, timeout_s: float) -> int:
        try:
            return self.proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"the server was still running {timeout_s:g} s after SIGTERM; its output:\n{self.tail()}"
            ) from None

    def left_running(self, timeout_s: float = 10.0) -> list[str]:
        """The recorded descendants still running once ``timeout_s`` has passed (they exit on their own when the
        server has gone: give them a moment)."""
        deadline = time.monotonic() + timeout_s
        while True:
            alive = [pid for pid, started in self.descendants.items() if _alive(pid, started)]
            if not alive or time.monotonic() > deadline:
                return [_describe(pid) for pid in alive]
            time.sleep(0.05)

    def cleanup(self) -> None:
        """Kill the server and everything it started that still runs (after a failed test)."""
        if self.proc.poll() is None:
            self.descendants.update(_descendants(self.proc.pid))
            self.proc.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(10)
        for pid, started in self.descendants.items():
            if _alive(pid, started):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        if self.proc.stdout is not None:
            self._reader.join(5)
            self.proc.stdout.close()


def _describe(pid: int) -> str:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        cmdline = "?"
    return f"{pid} ({cmdline[:120].strip()})"


@contextlib.contextmanager
def running(argv_for_port: Callable[[int], list[str]]) -> Iterator[ServerProcess]:
    """A started, ready server; ``argv_for_port(port)`` is its command. The free port is found by binding port 0
    and closing the socket: if another process takes it in between, the server cannot bind and a new port is
    tried (twice more)."""
    for attempt in range(3):
        port = _free_port()
        server = ServerProcess(argv_for_port(port), port)
        try:
            try:
                server.wait_ready()
            except AssertionError:
                if attempt < 2 and server.proc.poll() is not None and server.logged("address already in use"):
                    continue
                raise
            yield server
            return
        finally:
            server.cleanup()


def _drained_server_argv(port: int) -> list[str]:
    script = (
        "from rlvr_rewards.server.app import serve\n"
        "from rlvr_rewards.server.config import ServerConfig\n"
        f"serve(ServerConfig(workers=1, delay_s={DELAY_S!r}), host='127.0.0.1', port={port}, "
        f"graceful_shutdown_s={GRACEFUL_S}, log_level='info')\n"
    )
    return [sys.executable, "-c", script]


def _cli_argv(port: int) -> list[str]:
    return [sys.executable, "-m", "rlvr_rewards.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]


# ------------------------------------------------------------------------------------------------------- requests


class Request(threading.Thread):
    """One ``POST /score`` in a thread: ``status`` and ``body`` once answered, ``error`` if no answer came."""

    def __init__(self, url: str, payload: Any) -> None:
        super().__init__(daemon=True)
        self.url, self.payload = url, payload
        self.status: int | None = None
        self.body: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        request = urllib.request.Request(self.url, data=json.dumps(self.payload).encode(), method="POST")
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                self.status, self.body = response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            self.status, self.body = exc.code, exc.read().decode(errors="replace")
        except BaseException as exc:  # the connection dropped: what the test must show does not happen
            self.error = exc


def _wait_until_in_worker(server: ServerProcess, request: Request) -> None:
    """Poll ``GET /health`` until the request is being scored (``pending == 1``)."""
    deadline = time.monotonic() + START_S
    while True:
        assert request.is_alive(), (
            f"the request ended before it was seen in the worker: status {request.status}, error {request.error!r}"
        )
        pending = server.health()["pending"]
        if pending == 1:
            return
        assert pending == 0, f"expected 0 or 1 pending request, /health says {pending}"
        assert time.monotonic() < deadline, f"the request was not in a worker within {START_S:g} s"
        time.sleep(0.01)


# ---------------------------------------------------------------------------------------------------------- tests


def test_sigterm_drains_the_request_in_flight_then_exits_and_leaves_no_worker() -> None:
    expected = json.loads(json.dumps(list(rr.score_batch(COMPLETIONS, [TRUTH] * len(COMPLETIONS)).to_dicts())))
    with running(_drained_server_argv) as server:
        assert len(server.descendants) >= 2, (
            "expected the scoring pool's processes below the server (a worker and its forkserver), found "
            f"{server.described()}"
        )
        request = Request(
            server.url + "/score", {"items": [{"completion": c, "ground_truth": TRUTH} for c in COMPLETIONS]}
        )
        request.start()
        _wait_until_in_worker(server, request)
        assert request.is_alive(), "the request was answered before SIGTERM: it must be in flight"
        server.proc.send_signal(signal.SIGTERM)

        # uvicorn closes its listening socket, then waits for the open connection (ours) to finish
        server.wait_for_line(WAITING_FOR_CONNECTIONS, EXIT_S)
        assert request.is_alive(), (
            f"the request was answered before uvicorn began to wait for it: raise DELAY_S (now {DELAY_S:g} s)"
        )
        with pytest.raises(ConnectionRefusedError):  # nothing listens any more: no 503, no answer at all
            socket.create_connection(("127.0.0.1", server.port), timeout=10).close()

        request.join(EXIT_S + DELAY_S)
        assert not request.is_alive(), f"the request was not answered within {EXIT_S + DELAY_S:g} s after SIGTERM"
        assert request.error is None, f"the request in flight was cut off by the shutdown: {request.error!r}"
        assert request.status == 200, f"expected 200 for the drained request, got {request.status}: {request.body}"
        assert len(request.body["rewards"]) == len(COMPLETIONS), (
            f"expected {len(COMPLETIONS)} rewards, got {request.body['rewards']}"
        )
        assert request.body["scores"] == expected, "the drained answer differs from in-process score_batch"
        assert request.body["rewards"] == [s["reward"] for s in expected]

        code = server.wait_exit(EXIT_S)
        assert code == -signal.SIGTERM, (
            f"expected the server to end by its re-raised SIGTERM (return code {-signal.SIGTERM}) after a clean "
            f"shutdown, got {code}; its output:\n{server.tail()}"
        )
        server.read_to_end()
        assert server.logged(LIFESPAN_DONE), f"the app's lifespan (pool shutdown) did not finish:\n{server.tail()}"
        left = server.left_running()
        assert not left, f"processes of the server still running after it exited: {left}"


def test_sigterm_on_an_idle_server_from_the_command_line_exits_at_once() -> None:
    with running(_cli_argv) as server:
        assert len(server.descendants) >= 2, (
            f"expected the scoring pool's processes below the server, found {server.described()}"
        )
        assert server.health()["pending"] == 0
        server.proc.send_signal(signal.SIGTERM)
        # nothing to wait for: far sooner than the 30 s graceful timeout (this bound is only a hang guard)
        code = server.wait_exit(IDLE_EXIT_S)
        assert code == -signal.SIGTERM, (
            f"expected return code {-signal.SIGTERM} (uvicorn re-raises SIGTERM), got {code}:\n{server.tail()}"
        )
        server.read_to_end()
        assert server.logged(SHUTTING_DOWN) and server.logged(LIFESPAN_DONE), (
            f"expected a graceful shutdown in the log, got:\n{server.tail()}"
        )
        assert not server.logged(WAITING_FOR_CONNECTIONS), f"no connection was open to wait for:\n{server.tail()}"
        left = server.left_running()
        assert not left, f"processes of the server still running after it exited: {left}"
