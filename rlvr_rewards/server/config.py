"""The reward server's settings: :class:`ServerConfig`, frozen and checked when built.

Contract: every field is validated in ``__post_init__``; a bad value raises
:class:`~rlvr_rewards.errors.ConfigError` naming the field, what was given and what is accepted. The preset and
format are checked against the plugin registry when the app is created (:func:`rlvr_rewards.server.create_app`),
not here, so building a config stays cheap.
"""

from __future__ import annotations

from dataclasses import dataclass

from rlvr_rewards.errors import ConfigError

__all__ = ["ServerConfig"]


@dataclass(frozen=True)
class ServerConfig:
    """Settings of ``rlvr-rewards serve`` / :func:`rlvr_rewards.server.create_app` (docs/server.md).

    - ``preset`` / ``format``: the defaults a request may override (``"preset"`` / ``"format"`` in ``/score``).
    - ``workers``: scoring processes (a ``forkserver`` process pool; the event loop never scores).
    - ``max_batch``: items per request (more: 413 ``too_many_items``).
    - ``max_body_bytes``: request body size (more: 413 ``body_too_large``, before the rest is read).
    - ``timeout_s``: per-request deadline for scoring (504 ``deadline``; the worker finishes the batch in the
      background and its slot stays taken until it does).
    - ``max_pending``: requests admitted to scoring and not finished (including those past their deadline);
      one more: 429 ``busy`` with ``Retry-After``.
    - ``body_timeout_s``: time to receive the whole body once the headers are in (more: 408 ``body_timeout``;
      uvicorn has no such timeout of its own).
    - ``warm``: start and warm every worker before serving (import the library, score one example).
    - ``delay_s``: **testing only**: each scoring task sleeps this long in its worker first (slow scoring on
      demand, to test deadlines and back-pressure). Keep it 0.
    """

    preset: str = "graded"
    format: str | None = None
    workers: int = 1
    max_batch: int = 4096
    max_body_bytes: int = 8 * 1024 * 1024
    timeout_s: float = 60.0
    max_pending: int = 16
    body_timeout_s: float = 30.0
    warm: bool = True
    delay_s: float = 0.0

    def __post_init__(self) -> None:
        if not isinstance(self.preset, str) or not self.preset:
            raise ConfigError(f"ServerConfig.preset must be a preset name, got {self.preset!r}")
        if self.format is not None and (not isinstance(self.format, str) or not self.format):
            raise ConfigError(f"ServerConfig.format must be a format name or None, got {self.format!r}")
        for name in ("workers", "max_batch", "max_body_bytes", "max_pending"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"ServerConfig.{name} must be an integer >= 1, got {value!r}")
        for name in ("timeout_s", "body_timeout_s"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < float("inf"):
                raise ConfigError(f"ServerConfig.{name} must be a positive number of seconds, got {value!r}")
        if isinstance(self.delay_s, bool) or not isinstance(self.delay_s, (int, float)) or not 0 <= self.delay_s < 3600:
            raise ConfigError(f"ServerConfig.delay_s must be in [0, 3600) seconds (testing only), got {self.delay_s!r}")
