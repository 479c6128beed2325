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
- Scoring runs in the worker processes (:mod:`rlvr_rewards.server.pool`), never on the event loop; a bad sample
  gets the floor and never fails its batch (:mod:`rlvr_rewards.server.work`).
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
from rlvr_rewards.util.jsonsafe import InvalidJSON, loads_trusted

__all__ = ["ApiError", "create_app", "serve"]

logger = logging.getLogger("rlvr_rewards.server")

_MISSING: Any = object()
_SCORE_ITEM_KEYS = frozenset({"completion", "ground_truth", "row", "tools"})
_VERL_KEYS = frozenset({"data_source", "solution_str", "ground_truth", "extra_info"})
RETRY_AFTER_S = 1
#: Sent with an answer given before the body was read to its end: the connection cannot carry another request.
_CLOSE = {"Connection": "close"}


class ApiError(Exception):
    """A request the server refuses: the HTTP status and the JSON error body."""

    def __init__(
        self,
        status: int,
        kind: str,
        message: str,
        *,
        item: int | None = None,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.kind, self.message = status, kind, message
        self.item, self.field, self.headers = item, field, headers

    def response(self) -> Response:
        body: dict[str, Any] = {"kind": self.kind, "message": self.message}
        if self.item is not None:
            body["item"] = self.item
        if self.field is not None:
            body["field"] = self.field
        return _json({"error": body}, self.status, self.headers)


def _json(obj: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(obj), status_code=status, headers=headers, media_type="application/json")


def _type(value: Any) -> str:
    return "null" if value is None else type(value).__name__


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


async def _read_json(request: Request, config: ServerConfig) -> Any:
    body = await _read_body(request, config)
    try:  # (exact: an integer beyond 64 bits keeps every digit, as in score_batch's files)
        return loads_trusted(body)
    except InvalidJSON as exc:
        raise ApiError(
            422, "invalid_json", f"the body is not JSON (RFC 8259, no NaN or Infinity): {exc.where}"
        ) from None


def _object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ApiError(422, "not_object", f"the body must be a JSON object, got {_type(body)}")
    return body


def _list(body: dict[str, Any], key: str, config: ServerConfig) -> list[Any]:
    value = body.get(key, _MISSING)
    if value is _MISSING:
        raise ApiError(422, "missing_field", f"the body has no {key!r} list", field=key)
    if not isinstance(value, list):
        raise ApiError(422, "bad_field", f"{key!r} must be a list, got {_type(value)}", field=key)
    if len(value) > config.max_batch:
        raise ApiError(
            413,
            "too_many_items",
            f"{key!r} has {len(value)} entries; the limit is {config.max_batch} (max_batch): split the request",
            field=key,
        )
    return value


def _completion_ok(value: Any) -> bool:
    if isinstance(value, (str, dict)):
        return True
    return isinstance(value, list) and all(isinstance(m, dict) for m in value)


_COMPLETION = "text, an OpenAI assistant message object, or a list of message objects"


def _check_completion(value: Any, item: int | None, field: str) -> None:
    if value is _MISSING:
        raise ApiError(422, "missing_field", f"no {field.rsplit('.', 1)[-1]!r}", item=item, field=field)
    if not _completion_ok(value):
        raise ApiError(422, "bad_field", f"{field} must be {_COMPLETION}, got {_type(value)}", item=item, field=field)


def _choice(body: dict[str, Any], key: str, default: str | None) -> str | None:
    value = body.get(key, default)
    if value is not None and not isinstance(value, str):
        raise ApiError(422, "bad_field", f"{key!r} must be a string, got {_type(value)}", field=key)
    return value


def _check_settings(preset: str, format: str | None) -> None:
    from rlvr_rewards.plugins import get_registry

    registry = get_registry()
    try:
        registry.preset(preset)
    except ConfigError as exc:
        raise ApiError(422, "unknown_preset", str(exc), field="preset") from None
    if format is not None:
        try:
            registry.parsers_for(format)
        except ConfigError as exc:
            raise ApiError(422, "unknown_format", str(exc), field="format") from None


def score_request(body: Any, config: ServerConfig) -> tuple[list[work.Item], str, str | None]:
    """The items, preset and format of a ``/score`` body (raises :class:`ApiError` naming item and field)."""
    body = _object(body)
    for key in body:
        if key not in ("items", "preset", "format", "tools"):
            raise ApiError(
                422, "unknown_field", f"unknown field {key[:60]!r}; expected items, preset, format, tools", field=key
            )
    raw = _list(body, "items", config)
    preset = _choice(body, "preset", config.preset) or config.preset
    fmt = _choice(body, "format", config.format)
    _check_settings(preset, fmt)
    batch_tools = body.get("tools")
    if batch_tools is not None and not isinstance(batch_tools, list):
        raise ApiError(422, "bad_field", f"tools must be a list of tool specs, got {_type(batch_tools)}", field="tools")
    batch_tools = shared(batch_tools)
    items: list[work.Item] = []
    for i, it in enumerate(raw):
        where = f"items[{i}]"
        if not isinstance(it, dict):
            raise ApiError(422, "bad_field", f"{where} must be an object, got {_type(it)}", item=i, field=where)
        extra = next((k for k in it if k not in _SCORE_ITEM_KEYS), None)
        if extra is not None:
            raise ApiError(
                422,
                "unknown_field",
                f"unknown field {extra[:60]!r}; an item has completion, ground_truth or row, and tools",
                item=i,
                field=f"{where}.{extra[:60]}",
            )
        completion = it.get("completion", _MISSING)
        _check_completion(completion, i, f"{where}.completion")
        if ("ground_truth" in it) == ("row" in it):
            both = "both" if "row" in it else "neither"
            raise ApiError(
                422,
                "missing_field" if both == "neither" else "bad_field",
                f"{where} has {both} of ground_truth and row: give exactly one (row: a whole veRL/SageMaker row)",
                item=i,
                field=f"{where}.ground_truth",
            )
        if "row" in it and not isinstance(it["row"], dict):
            raise ApiError(
                422, "bad_field", f"{where}.row must be an object, got {_type(it['row'])}", item=i, field=f"{where}.row"
            )
        truth = it["ground_truth"] if "ground_truth" in it else it["row"]
        items.append((completion, shared(truth), shared(it["tools"]) if "tools" in it else batch_tools))
    return items, preset, fmt


def shared(value: Any, _seen: dict[bytes, Any] | None = None) -> Any:
    """``value``, or an equal object already seen in this process (same JSON text). A batch's items repeat their
    truth (a GRPO group) and their tool list (every item): decoded from JSON each is a copy of its own, and sending
    the batch to a worker would pickle every copy (89 % of a 1,024-item batch of the standard workload was the same
    five tool specs). Equal values given as one object are pickled once, and the scorer's caches see them once.
    Values orjson cannot write (an integer beyond 64 bits) are kept as they are. Bounded: at most
    :data:`SHARED_MAX` values of at most :data:`SHARED_VALUE_BYTES` bytes of JSON each (16 MB in all) are held,
    then the table starts again."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    seen = _SHARED if _seen is None else _seen
    try:
        key = orjson.dumps(value)
    except (TypeError, orjson.JSONEncodeError):
        return value
    found = seen.get(key)
    if found is not None:
        return found
    if len(key) > SHARED_VALUE_BYTES:
        return value  # a large value is not worth holding
    if len(seen) >= SHARED_MAX:
        seen.clear()
    seen[key] = value
    return value


#: The most distinct truths / tool lists :func:`shared` holds (the table is per process; per batch would lose
#: the tool lists every batch repeats).
SHARED_MAX = 1024
SHARED_VALUE_BYTES = 16 * 1024
_SHARED: dict[bytes, Any] = {}


def openrlhf_request(body: Any, config: ServerConfig) -> tuple[list[Any], list[Any], list[Any]]:
    """``query``, ``prompts`` and ``labels`` of a ``/get_reward`` body."""
    body = _object(body)
    queries = _list(body, "query", config)
    prompts = _list(body, "prompts", config)
    labels = _list(body, "labels", config)
    if not len(queries) == len(prompts) == len(labels):
        raise ApiError(
            422,
            "length_mismatch",
            f"query, prompts and labels must pair up; got {len(queries)}, {len(prompts)}, {len(labels)} entries",
            field="labels",
        )
    for key, values in (("query", queries), ("prompts", prompts)):
        for i, v in enumerate(values):
            if not isinstance(v, str):
                raise ApiError(
                    422, "bad_field", f"{key}[{i}] must be text, got {_type(v)}", item=i, field=f"{key}[{i}]"
                )
    return queries, prompts, labels


def verl_request(body: Any, config: ServerConfig) -> tuple[list[dict[str, Any]], bool]:
    """The ``compute_score`` calls of a ``/verl/compute_score`` body, and whether it was a single object."""
    single = isinstance(body, dict)
    calls = [body] if single else body
    if not isinstance(calls, list):
        raise ApiError(422, "not_object", f"the body must be an object or a list of objects, got {_type(body)}")
    if len(calls) > config.max_batch:
        raise ApiError(413, "too_many_items", f"{len(calls)} calls; the limit is {config.max_batch} (max_batch)")
    for i, call in enumerate(calls):
        prefix = "" if single else f"[{i}]"
        item = None if single else i
        if not isinstance(call, dict):
            raise ApiError(422, "bad_field", f"{prefix or 'the body'} must be an object", item=item, field=prefix)
        extra = next((k for k in call if k not in _VERL_KEYS), None)
        if extra is not None:
            raise ApiError(
                422,
                "unknown_field",
                f"unknown field {extra[:60]!r}; expected data_source, solution_str, ground_truth, extra_info",
                item=item,
                field=f"{prefix}.{extra[:60]}".lstrip("."),
            )
        _check_completion(call.get("solution_str", _MISSING), item, f"{prefix}.solution_str".lstrip("."))
        if "ground_truth" not in call:
            raise ApiError(
                422, "missing_field", "no 'ground_truth'", item=item, field=f"{prefix}.ground_truth".lstrip(".")
            )
        info = call.get("extra_info")
        if info is not None and not isinstance(info, dict):
            raise ApiError(
                422,
                "bad_field",
                f"extra_info must be an object or null, got {_type(info)}",
                item=item,
                field=f"{prefix}.extra_info".lstrip("."),
            )
    return calls, single


def _responses_tool(tool: Any) -> Any:
    """A Responses-API function tool (``{"type": "function", "name", "parameters"}``) as a chat-completions one."""
    if isinstance(tool, dict) and tool.get("type") == "function" and "function" not in tool and "name" in tool:
        spec = {k: tool[k] for k in ("name", "description", "parameters") if k in tool}
        return {"type": "function", "function": spec}
    return tool


def _output_message(output: list[Any]) -> dict[str, Any]:
    """The Responses-API output items as one OpenAI assistant message: the text of its ``message`` items and the
    calls of its ``function_call`` items (``reasoning`` and other items are not scored)."""
    texts: list[str] = []
    calls: list[dict[str, Any]] = []
    for entry in output:
        if not isinstance(entry, dict):
            continue
        if entry.get("type") == "function_call":
            call = {"name": entry.get("name"), "arguments": entry.get("arguments", "{}")}
            calls.append({"id": entry.get("call_id") or f"call_{len(calls)}", "type": "function", "function": call})
        elif entry.get("type") == "message" and entry.get("role", "assistant") == "assistant":
            content = entry.get("content")
            if isinstance(content, str):
                texts.append(content)
            elif isinstance(content, list):
                texts += [p["text"] for p in content if isinstance(p, dict) and isinstance(p.get("text"), str)]
    message: dict[str, Any] = {"role": "assistant", "content": "".join(texts)}
    if calls:
        message["tool_calls"] = calls
    return message


def verify_request(body: Any) -> work.Item:
    """The (completion, truth, tools) of a NeMo Gym ``/verify`` body."""
    body = _object(body)
    response = body.get("response")
    if not isinstance(response, dict) or not isinstance(response.get("output"), list):
        raise ApiError(
            422, "bad_field", "response must be a Responses-API response with an output list", field="response.output"
        )
    truth = body.get("ground_truth", _MISSING)
    if truth is _MISSING:
        meta = body.get("verifier_metadata")
        truth = meta.get("ground_truth", _MISSING) if isinstance(meta, dict) else _MISSING
    if truth is _MISSING:
        raise ApiError(
            422,
            "missing_field",
            "no ground truth: put it in ground_truth or verifier_metadata.ground_truth",
            field="ground_truth",
        )
    tools = body.get("tools")
    params = body.get("responses_create_params")
    if tools is None and isinstance(params, dict) and isinstance(params.get("tools"), list):
        tools = [_responses_tool(t) for t in params["tools"]]
    return _output_message(response["output"]), truth, tools


# ------------------------------------------------------------------------------------------------------- the app


Handler = Callable[[Request], Awaitable[Response]]


class _Server:
    """The app's state and handlers: the config, the pool, the metrics."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.pool = ScoringPool(config.workers, config.max_pending)
        self.metrics = Metrics()

    async def scored(self, fn: Callable[..., Any], *args: Any) -> Any:
        try:
            return await self.pool.run(self.config.timeout_s, fn, *args)
        except Busy as exc:
            raise ApiError(429, "busy", f"{exc}; retry later", headers={"Retry-After": str(RETRY_AFTER_S)}) from None
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
                response = exc.response()
            except Exception as exc:  # a bug: its type only, never its message (it may quote a completion)
                logger.error("internal error on %s: %s", name, type(exc).__name__)
                metrics.count_error("internal_error")
                response = ApiError(500, "internal_error", f"the server raised {type(exc).__name__} (a bug)").response()
            metrics.request(name, response.status_code, time.perf_counter() - started)
            return response

        return handler

    def record(self, endpoint_name: str, scores: list[dict[str, Any]]) -> None:
        self.metrics.scored(endpoint_name, len(scores))
        for s in scores:
            self.metrics.reward(str(s["expected"]), str(s["behavior"]), float(s["reward"]))
            if "error" in s:
                self.metrics.count_error(s["error"]["kind"])

    async def score(self, request: Request) -> Response:
        config = self.config
        items, preset, fmt = score_request(await _read_json(request, config), config)
        scores: list[dict[str, Any]] = await self.scored(work.score_items, items, preset, fmt, config.delay_s)
        if len(scores) != len(items):  # (never: one result per item is the worker's contract)
            raise ApiError(500, "internal_error", "the worker returned a result of the wrong length (a bug)")
        self.record("/score", scores)
        return _json({"rewards": [s["reward"] for s in scores], "scores": scores})

    async def get_reward(self, request: Request) -> Response:
        config = self.config
        queries, prompts, labels = openrlhf_request(await _read_json(request, config), config)
        out = await self.scored(work.get_reward, queries, prompts, labels, config.preset, config.format, config.delay_s)
        self.metrics.scored("/get_reward", len(queries))
        errors = int(sum(out["extra_logs"].get("error", ())))
        if errors:
            self.metrics.count_error("floored", errors)
        return _json(out)

    async def verl(self, request: Request) -> Response:
        config = self.config
        calls, single = verl_request(await _read_json(request, config), config)
        results, errors = await self.scored(work.verl_scores, calls, config.preset, config.format, config.delay_s)
        self.metrics.scored("/verl/compute_score", len(calls))
        for kind in errors:
            self.metrics.count_error(kind)
        return _json(results[0] if single else results)

    async def verify(self, request: Request) -> Response:
        config = self.config
        body = await _read_json(request, config)
        item = verify_request(body)
        result: dict[str, Any] = await self.scored(work.verify_item, item, config.preset, config.format, config.delay_s)
        self.record("/verify", [result])
        out = {**body, "reward": result["reward"], "rlvr": result}
        if "error" in result:
            out["failure_reason"] = f"{result['error']['kind']}: {result['error']['message']}"
        return _json(out)

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
        return ApiError(status, kind, message).response()

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
        _check_settings(config.preset, config.format)
    except ApiError as exc:
        raise ConfigError(f"ServerConfig.{exc.field}: {exc.message}") from None
    server = _Server(config)
    routes = [
        Route("/score", server.endpoint("/score", server.score), methods=["POST"]),
        Route("/get_reward", server.endpoint("/get_reward", server.get_reward), methods=["POST"]),
        Route("/verl/compute_score", server.endpoint("/verl/compute_score", server.verl), methods=["POST"]),
        Route("/verify", server.endpoint("/verify", server.verify), methods=["POST"]),
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
