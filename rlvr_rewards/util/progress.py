"""Progress bars for the command line: shown on a terminal for work that takes more than a second.

Contract: ``Progress(enabled)`` (the command line builds it with :func:`for_command`: enabled unless ``--quiet``
was given or standard error is not a terminal, so logs, pipes and CI output never hold a bar). ``with
progress.task("scoring", total=n) as advance:`` runs a task; ``advance(k)`` says ``k`` more items are done.
A task's bar appears only once the task has run for ``delay`` seconds (1 s; a timer thread shows it even while
the task is in one long step): a quick command prints nothing. It is
drawn on standard error, never standard output (results and pipes stay clean), and removed when the task ends.
Drawing uses rich's progress bar when rich is installed (``pip install 'rlvr-rewards[cli]'``), else one plain line
rewritten in place at most ten times a second. A disabled ``Progress`` does nothing and costs a function call per
``advance``. Progress never changes what a command computes or prints on standard output.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO

__all__ = ["Progress", "add_quiet_option", "for_command", "rich_installed"]

#: Seconds a task runs before its bar is shown.
DELAY = 1.0
#: Seconds between redraws of the plain line.
_PLAIN_INTERVAL = 0.1


def add_quiet_option(parser: Any) -> None:
    """``--quiet`` / ``-q`` on a command's argparse parser (once): no progress bars."""
    if not any("--quiet" in action.option_strings for action in parser._actions):
        parser.add_argument("--quiet", "-q", action="store_true", help="no progress bars")


def for_command(quiet: bool, stream: TextIO | None = None) -> Progress:
    """The progress of a command: on unless ``quiet`` or ``stream`` (standard error) is not a terminal."""
    out = sys.stderr if stream is None else stream
    interactive = bool(getattr(out, "isatty", lambda: False)())
    return Progress(enabled=interactive and not quiet, stream=out)


class Progress:
    """Tasks with bars (see the module contract); ``delay`` defaults to :data:`DELAY`. ``clock`` and ``use_rich``
    are for tests."""

    def __init__(
        self,
        enabled: bool,
        stream: TextIO | None = None,
        *,
        delay: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        use_rich: bool | None = None,
    ) -> None:
        self.enabled = enabled
        self.stream = sys.stderr if stream is None else stream
        self.delay = DELAY if delay is None else delay
        self.clock = clock
        self.use_rich = rich_installed() if use_rich is None else use_rich

    @contextmanager
    def task(self, description: str, total: int | None) -> Iterator[Callable[[int], None]]:
        """Run a task of ``total`` items (``None``: unknown); yields ``advance(k)``."""
        if not self.enabled:
            yield _nothing
            return
        bar = _Bar(self, description, total)
        try:
            yield bar.advance
        finally:
            bar.close()


def _nothing(k: int = 1) -> None:
    return None


def rich_installed() -> bool:
    """Whether rich is importable (the ``cli`` extra): progress bars and ``explain``'s tables use it."""
    try:
        import rich.progress  # noqa: F401
    except ImportError:
        return False
    return True


class _Bar:
    """One task's bar: nothing until ``delay`` has passed (a timer thread then shows it, so a long step that never
    advances still shows its elapsed time), then rich's bar or the plain line."""

    def __init__(self, owner: Progress, description: str, total: int | None) -> None:
        self.owner = owner
        self.description = description
        self.total = total
        self.done = 0
        self.started = owner.clock()
        self.last_drawn = -1.0
        self.shown = False
        self.closed = False
        self.rich: Any = None
        self.rich_task: Any = None
        self.plain_width = 0
        self.lock = threading.Lock()
        self.timer: threading.Timer | None = None
        if owner.delay > 0:
            self.timer = threading.Timer(owner.delay, self._show)
            self.timer.daemon = True
            self.timer.start()
        else:
            self._show()

    def _show(self) -> None:
        with self.lock:
            if self.closed or self.shown:
                return
            self.shown = True
            self._draw(self.owner.clock())

    def advance(self, k: int = 1) -> None:
        self.done += k
        if not self.shown:
            if self.owner.clock() - self.started < self.owner.delay:
                return
            self._show()
            return
        with self.lock:
            self._draw(self.owner.clock())

    def _draw(self, now: float) -> None:
        if self.owner.use_rich:
            self._draw_rich()
        elif now - self.last_drawn >= _PLAIN_INTERVAL or (self.total is not None and self.done >= self.total):
            self.last_drawn = now
            self._draw_plain(now)

    def _draw_rich(self) -> None:
        if self.rich is None:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            console = Console(file=self.owner.stream, force_terminal=True)
            self.rich = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=console,
                transient=True,
            )
            self.rich.start()
            self.rich_task = self.rich.add_task(self.description, total=self.total, completed=self.done)
        self.rich.update(self.rich_task, completed=self.done)

    def _draw_plain(self, now: float) -> None:
        seconds = now - self.started
        if self.total:
            share = 100 * self.done / self.total
            text = f"{self.description} {self.done:,}/{self.total:,} ({share:.0f} %) {seconds:.0f} s"
        else:
            text = f"{self.description} {self.done:,} {seconds:.0f} s"
        pad = " " * max(0, self.plain_width - len(text))
        self.plain_width = len(text)
        self.owner.stream.write(f"\r{text}{pad}")
        self.owner.stream.flush()

    def close(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
        with self.lock:
            self.closed = True
            if self.rich is not None:
                self.rich.stop()
            elif self.plain_width:
                self.owner.stream.write("\r" + " " * self.plain_width + "\r")
                self.owner.stream.flush()
