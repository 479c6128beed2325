"""The reward server's ASGI app (Starlette) and its runner (uvicorn): ``rlvr-rewards serve`` (docs/server.md).

Contract of :func:`create_app`:

- ``POST /score``: ``{"items": [{"completion", "ground_truth" | "row", "tools"?}], "preset"?, "format"?, "tools"?}``
  (the top-level ``tools``: the tool list of every item that gives none, sent once) ->
  ``{"rewards": [...], "scores": [{"reward", "components", "reason", "behavior", "expected", "violations"}]}``,
  item for item what ``rlvr_rewards.score_batch`` gives (components not applicable: ``null``).
- ``POST /get_reward``: OpenRLHF's remote reward protocol, ``{"query", "prompts", "labels"}`` ->
  ``{"rewards", "scores", "extra_logs"}`` (``rlvr_rewards.integrations.openrlhf.reward_func``).
- ``POST /verl/compute_score``: one veRL custom-reward call ``{"data_source", "solution_str", "ground_truth",
  "extra_info"}`` or a list of them -> ``compute_score``'s dict, or the list of them.
- ``POST /verify``: a NeMo Gym resources-server verify request (``responses_create_params``, ``response``, the
  truth in ``ground_truth`` or ``verifier_metadata.ground_truth``) -> the request echoed with ``reward`` (and
  ``rlvr``: the score dict; ``failure_reason`` when the sample was floored).
- ``GET /health`` -> ``{"status": "ok", "version", "preset", "workers", "pending", "rebuilds"}``; ``GET /metrics``
  -> Prometheus text format 0.0.4 (:mod:`rlvr_rewards.server.metrics`).
- The event loop only moves bytes: it reads a body (within the size limit and the body timeout) and hands the
  bytes to a worker process (:mod:`rlvr_rewards.server.pool`), which decodes and checks it
  (:mod:`rlvr_rewards.server.requests`), scores it and writes the answer (:mod:`rlvr_rewards.server.work`); a
  bad sample gets the floor and never fails its batch.
- Every request the server refuses gets a 4xx/5xx JSON body ``{"error": {"kind", "message", "item"?, "field"?}}``
  (``field`` like ``items[3].completion``): 404/405 unknown route or method; 408 ``body_timeout``; 413
  ``body_too_large`` (``Content-Length`` over the limit: at once; a chunked body: as soon as the limit is passed,
  without reading the rest) and ``too_many_items``; 422 ``invalid_json``, ``not_object``, ``missing_field``,
  ``bad_field``, ``unknown_field``, ``length_mismatch``, ``unknown_preset``, ``unknown_format``; 429 ``busy``
  (``Retry-After``); 500 ``internal_error``; 503 ``workers_died``; 504 ``deadline``. Completions are never logged
  and never echoed in error messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from rlvr_rewards.errors import ConfigError
from rlvr_rewards.server import work
from rlvr_rewards.server.config import ServerConfig
from rlvr_rewards.server.metrics import Metrics
from rlvr_rewards.server.pool import Busy, DeadlineExceeded, PoolBroken, ScoringPool
from rlvr_rewards.server.requests import ApiError, check_settings

__all__ = ["ApiError", "create_app", "serve"]

logger = logging.getLogger("rlvr_rewards.server")

RETRY_AFTER_S = 1
#: A ``/score`` body of at least this many bytes, arriving while no other request is being scored, is split over
#: all the workers (each decodes and checks the whole body, and scores its share of the items): about 180 items of
#: the standard workload, where scoring outweighs a second decoding of the body.
SPLIT_MIN_BYTES = 64 * 1024
#: The endpoints answered by the workers (:func:`rlvr_rewards.server.work.answer`).
_POSTS = ("/score", "/get_reward", "/verl/compute_score", "/verify")
#: Sent with an answer given before the body was read to its end: the connection cannot carry another request.
_CLOSE = {"Connection": "close"}


def _busy(pending: int, max_pending: int, headers: dict[str, str]) -> ApiError:
    message = f"{pending} requests are being scored (max_pending={max_pending}); retry later"
    return ApiError(429, "busy", message, headers={"Retry-After": str(RETRY_AFTER_S), **headers})


def _error(exc: ApiError) -> Response:
    return _json(exc.body(), exc.status, exc.headers)


def _json(obj: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(obj), status_code=status, headers=headers, media_type="application/json")


# ---------------------------------------------------------------------------------------------- reading a request


async def _read_body(request: Request, config: ServerConfig) -> bytes:
    limit = config.max_body_bytes
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            size = int(declared)
        except ValueError:
            raise ApiError(400, "bad_header", f"Content-Length is not a number: {declared[:40]!r}") from None
        if size > limit:
            raise ApiError(
                413,
                "body_too_large",
                f"the body is {size} bytes; the limit is {limit} (max_body_bytes)",
                headers=_CLOSE,
            )
    buf = bytearray()

    async def read() -> None:
        async for chunk in request.stream():
            buf.extend(chunk)
            if len(buf) > limit:
                raise ApiError(
                    413,
                    "body_too_large",
                    f"the body is over the limit of {limit} bytes (max_body_bytes)",
                    headers=_CLOSE,
                )

    try:
        await asyncio.wait_for(read(), config.body_timeout_s)
    except asyncio.TimeoutError:
        raise ApiError(
            408,
            "body_timeout",
            f"the body was not received within {config.body_timeout_s:g} s (body_timeout_s)",
            headers=_CLOSE,
        ) from None
    except ClientDisconnect:
        raise ApiError(400, "client_disconnected", "the client disconnected before sending the whole body") from None
    return bytes(buf)


# ------------------------------------------------------------------------------------------------------- the app


Handler = Callable[[Request], Awaitable[Response]]


class _Server:
    """The app's state and handlers: the config, the pool, the metrics."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.pool = ScoringPool(config.workers, config.max_pending, work.init_worker)
        self.metrics = Metrics()

    async def scored(self, calls: list[tuple[Callable[..., Any], tuple[Any, ...]]]) -> list[Any]:
        """Each ``fn(*args)`` in a worker, all at once (one request); the pool's errors as API errors."""
        try:
            return await self.pool.run_all(self.config.timeout_s, calls)
        except Busy:
            raise _busy(self.pool.pending, self.pool.max_pending, {}) from None
        except DeadlineExceeded as exc:
            raise ApiError(
                504, "deadline", f"{exc} (timeout_s); the batch is dropped: split it or raise the timeout"
            ) from None
        except PoolBroken as exc:
            raise ApiError(503, "workers_died", f"{exc}; the pool was rebuilt: retry the request") from None

    def endpoint(self, name: str, fn: Handler) -> Handler:
        metrics = self.metrics

        async def handler(request: Request) -> Response:
            started = time.perf_counter()
            try:
                response = await fn(request)
            except ApiError as exc:
                metrics.count_error(exc.kind)
                response = _error(exc)
            except Exception as exc:  # a bug: its type only, never its message (it may quote a completion)
                logger.error("internal error on %s: %s", name, type(exc).__name__)
                metrics.count_error("internal_error")
                response = _error(ApiError(500, "internal_error", f"the server raised {type(exc).__name__} (a bug)"))
            metrics.request(name, response.status_code, time.perf_counter() - started)
            return response

        return handler

    async def answered(self, endpoint_name: str, request: Request) -> Response:
        """A POST endpoint: the body's bytes to a worker (:func:`rlvr_rewards.server.work.answer`), its answer back."""
        if self.pool.pending >= self.pool.max_pending:  # refused before its body is read (the pool checks again)
            raise _busy(self.pool.pending, self.pool.max_pending, _CLOSE)
        body = await _read_body(request, self.config)
        handed = time.perf_counter()
        parts = self.config.workers
        if endpoint_name == "/score" and parts > 1 and self.pool.pending == 0 and len(body) >= SPLIT_MIN_BYTES:
            # an idle pool and a large batch: every worker scores a share of it (work.answer_part)
            shares = await self.scored([(work.answer_part, (body, self.config, k, parts)) for k in range(parts)])
            status, payload, tally = work.merge_parts(shares)
        else:
            ((status, payload, tally),) = await self.scored([(work.answer, (endpoint_name, body, self.config))])
        pool_ms, worker_ms = 1000 * (time.perf_counter() - handed), 1000 * tally["worker_s"]
        self.metrics.tally(endpoint_name, tally)
        # Server-Timing (W3C): the worker's own time, and the time from handing the body to a worker to having
        # its answer back (the worker's time plus the queue and the bytes' trips between the processes)
        timing = f"worker;dur={worker_ms:.2f}, pool;dur={pool_ms:.2f}"
        return Response(payload, status_code=status, headers={"Server-Timing": timing}, media_type="application/json")

    async def health(self, request: Request) -> Response:
        import rlvr_rewards

        return _json(
            {
                "status": "ok",
                "version": rlvr_rewards.__version__,
                "preset": self.config.preset,
                "workers": self.config.workers,
                "pending": self.pool.pending,
                "rebuilds": self.pool.rebuilds,
            }
        )

    async def metrics_text(self, request: Request) -> Response:
        return Response(self.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")

    async def http_error(self, request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        kind = {404: "not_found", 405: "method_not_allowed"}.get(status, "http_error")
        what = "no such endpoint (POST /score, /get_reward, /verl/compute_score, /verify; GET /health, /metrics)"
        message = f"{request.method} {request.url.path[:200]}: " + (what if status == 404 else "method not allowed")
        self.metrics.count_error(kind)
        return _error(ApiError(status, kind, message))

    @contextlib.asynccontextmanager
    async def lifespan(self, app: Starlette) -> AsyncIterator[None]:
        config = self.config
        # the workers score here: an RLVR_REWARDS_URL inherited from the server's environment would make the
        # adapters they run (/get_reward, /verl/compute_score) post back to this server and wait on themselves
        os.environ.pop("RLVR_REWARDS_URL", None)
        await asyncio.to_thread(self.pool.start, work.warm if config.warm else None, config.preset, config.format)
        try:
            yield
        finally:
            await asyncio.to_thread(self.pool.close)


def create_app(config: ServerConfig | None = None) -> Starlette:
    """The ASGI app (see the module contract). Raises ConfigError for an unknown preset or format.
    ``app.state.pool`` is the :class:`~rlvr_rewards.server.pool.ScoringPool`, ``app.state.metrics`` the metrics."""
    config = config or ServerConfig()
    try:
        check_settings(config.preset, config.format)
    except ApiError as exc:
        raise ConfigError(f"ServerConfig.{exc.field}: {exc.message}") from None
    server = _Server(config)
    routes = [
        *(Route(path, server.endpoint(path, partial(server.answered, path)), methods=["POST"]) for path in _POSTS),
        Route("/health", server.endpoint("/health", server.health), methods=["GET"]),
        Route("/metrics", server.endpoint("/metrics", server.metrics_text), methods=["GET"]),
    ]
    app = Starlette(
        routes=routes,
        lifespan=server.lifespan,
        exception_handlers={404: server.http_error, 405: server.http_error},
    )
    app.state.config = config
    app.state.pool = server.pool
    app.state.metrics = server.metrics
    return app


def serve(
    config: ServerConfig | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    graceful_shutdown_s: float = 30.0,
    log_level: str = "info",
) -> None:
    """Run the app with uvicorn until SIGINT/SIGTERM; in-flight requests get ``graceful_shutdown_s`` to finish,
    then the pool is shut down (the app's lifespan)."""
    import uvicorn

    app = create_app(config)
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level=log_level,
        timeout_graceful_shutdown=int(graceful_shutdown_s),
        access_log=False,  # the access log has no completions, but nothing per request is needed: see /metrics
    )
