"""Every exception rlvr_rewards raises on purpose.

Contract: only the *user's* data or configuration raises (ground truths, tool specs, presets, plugins).
Model output never raises; it is scored at the floor with a reason code instead.

Messages name the culprit and the fix: the item index, the field, what was expected and what was got.

    RlvrRewardsError
    ├── GroundTruthError   a ground truth that cannot be understood
    ├── ToolSpecError      a tool specification that is not a usable JSON Schema
    ├── ConfigError        a bad preset, option or argument to a public function
    ├── PluginError        a plugin that registered something invalid or a duplicate name
    └── WorkerError        a worker process of ``score_batch(..., workers=N)`` died or sent nothing
"""

from __future__ import annotations

import reprlib
from typing import Any

__all__ = ["ConfigError", "GroundTruthError", "PluginError", "RlvrRewardsError", "ToolSpecError", "WorkerError"]


_MISSING: Any = object()


_REPR = reprlib.Repr()
_REPR.maxlevel = 4
_REPR.maxstring = 80
_REPR.maxother = 80


def _short(value: Any, limit: int = 120) -> str:
    """A bounded repr for error messages (never dump a whole row; safe on deeply nested values)."""
    try:
        text = _REPR.repr(value)
    except Exception:  # a hostile __repr__ or anything else: the type is enough
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


class RlvrRewardsError(Exception):
    """Base class of every error raised by rlvr_rewards."""


class _LocatedError(RlvrRewardsError):
    """An error about one item of the user's data: where it is, what was expected, what was got."""

    kind = "item"

    def __init__(
        self,
        message: str,
        *,
        index: int | None = None,
        field: str | None = None,
        expected: str | None = None,
        got: Any = _MISSING,
    ) -> None:
        self.message = message
        self.index = index
        self.field = field
        self.expected = expected
        self.got = got
        parts = []
        if index is not None:
            parts.append(f"item {index}")
        if field:
            parts.append(f"field {field!r}")
        where = (" at " + ", ".join(parts)) if parts else ""
        super().__init__(f"{self.kind}{where}: {self.detail}")

    @property
    def detail(self) -> str:
        """What is wrong, what was expected and what was got, without the location."""
        text = self.message
        if self.expected is not None:
            text += f"; expected {self.expected}"
        if self.got is not _MISSING:
            text += f", got {_short(self.got)}"
        return text

    def at(self, index: int) -> _LocatedError:
        """The same error located at batch item `index` (a cached compile is shared by many items)."""
        return type(self)(self.message, index=index, field=self.field, expected=self.expected, got=self.got)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle with the exact text (``score_batch(workers=N)`` sends errors between processes). ``got``
        travels when it is plain data; any other object arrives as ``None`` (the text still shows it)."""
        got = self.got if _plain_data(self.got) else None
        return (_rebuild_located, (type(self), str(self), self.message, self.index, self.field, self.expected, got))


def _plain_data(value: Any, depth: int = 0) -> bool:
    if value is None or isinstance(value, (str, int, float, bool)):
        return True
    if depth > 20:
        return False
    if isinstance(value, (list, tuple)):
        return all(_plain_data(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain_data(v, depth + 1) for k, v in value.items())
    return False


def _rebuild_located(
    cls: type[_LocatedError],
    text: str,
    message: str,
    index: int | None,
    field: str | None,
    expected: str | None,
    got: Any,
) -> _LocatedError:
    err = cls.__new__(cls)
    Exception.__init__(err, text)
    err.message, err.index, err.field, err.expected, err.got = message, index, field, expected, got
    return err


class GroundTruthError(_LocatedError):
    """A ground truth (the user's data) that cannot be understood."""

    kind = "ground truth"


class ToolSpecError(_LocatedError):
    """A tool specification that is not usable (no name, parameters not a valid JSON Schema, ...)."""

    kind = "tool spec"


class ConfigError(RlvrRewardsError):
    """A bad preset, option, or argument passed to a public function."""


class PluginError(RlvrRewardsError):
    """A plugin registered something invalid (names the plugin and the registration)."""


class WorkerError(RlvrRewardsError):
    """A worker process of ``score_batch(..., workers=N)`` ended without sending its chunk's result
    (killed, out of memory, or a result that could not be pickled). Names the chunk and exit code."""
