"""What a request to the reward server says: its body decoded and checked, endpoint by endpoint.

Contract:

- Runs in the scoring worker processes (:mod:`rlvr_rewards.server.work`), never on the event loop: the event loop
  only moves bytes. Imports no starlette.
- :func:`decode` reads a body exactly (:func:`rlvr_rewards.util.jsonsafe.loads_trusted`: an integer beyond 64 bits
  keeps every digit; NaN, Infinity and text that is not UTF-8 are refused).
- ``score_request``, ``openrlhf_request``, ``verl_request`` and ``verify_request`` return what the worker scores,
  or raise :class:`ApiError`: the HTTP status (413 ``too_many_items``; 422 ``invalid_json``, ``not_object``,
  ``missing_field``, ``bad_field``, ``unknown_field``, ``length_mismatch``, ``unknown_preset``,
  ``unknown_format``), and a message naming the item and field. A message never quotes a completion.
"""

from __future__ import annotations

from typing import Any

import orjson

from rlvr_rewards.errors import ConfigError
from rlvr_rewards.server.config import ServerConfig
from rlvr_rewards.util.jsonsafe import InvalidJSON, loads_trusted

__all__ = [
    "LAYOUTS",
    "ApiError",
    "Item",
    "check_settings",
    "decode",
    "openrlhf_request",
    "score_request",
    "verify_request",
    "verl_request",
]

#: One item to score: (completion, ground truth or whole row, tools or None).
Item = tuple[Any, Any, Any]

_MISSING: Any = object()
_SCORE_KEYS = frozenset({"items", "preset", "format", "tools", "layout"})
#: The answer's layouts of ``/score``: one object per item, or one list per field (work.score_columns).
LAYOUTS = ("items", "columns")
_SCORE_ITEM_KEYS = frozenset({"completion", "ground_truth", "row", "tools"})
_PLAIN_ITEM_KEYS = frozenset({"completion", "ground_truth", "tools"})
_VERL_KEYS = frozenset({"data_source", "solution_str", "ground_truth", "extra_info"})


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

    def body(self) -> dict[str, Any]:
        """The JSON error body: ``{"error": {"kind", "message", "item"?, "field"?}}``."""
        error: dict[str, Any] = {"kind": self.kind, "message": self.message}
        if self.item is not None:
            error["item"] = self.item
        if self.field is not None:
            error["field"] = self.field
        return {"error": error}


def _type(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def decode(body: bytes) -> Any:
    """The body's JSON value, exactly (an integer beyond 64 bits keeps every digit, as in score_batch's files)."""
    try:
        return loads_trusted(body)
    except InvalidJSON as exc:
        raise ApiError(
            422, "invalid_json", f"the body is not JSON (RFC 8259, no NaN or Infinity): {exc.where}"
        ) from None


def _known_keys(obj: dict[str, Any], known: frozenset[str], expected: str, item: int | None, where: str) -> None:
    """422 ``unknown_field`` for the first key of ``obj`` not in ``known`` (``where``: the object's path)."""
    extra = next((k for k in obj if k not in known), None)
    if extra is not None:
        raise ApiError(
            422,
            "unknown_field",
            f"unknown field {extra[:60]!r}; {expected}",
            item=item,
            field=f"{where}.{extra[:60]}".lstrip("."),
        )


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


def check_settings(preset: str, format: str | None) -> None:
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


def score_request(body: Any, config: ServerConfig) -> tuple[list[Item], str, str | None, str]:
    """The items, preset, format and layout of a ``/score`` body (raises :class:`ApiError` naming item and
    field)."""
    body = _object(body)
    _known_keys(body, _SCORE_KEYS, "expected items, preset, format, tools, layout", None, "")
    raw = _list(body, "items", config)
    preset = _choice(body, "preset", config.preset) or config.preset
    fmt = _choice(body, "format", config.format)
    check_settings(preset, fmt)
    batch_tools = body.get("tools")
    if batch_tools is not None and not isinstance(batch_tools, (list, str)):  # (text: the specs' JSON, as in rows)
        raise ApiError(
            422,
            "bad_field",
            f"tools must be a list of tool specs or its JSON text, got {_type(batch_tools)}",
            field="tools",
        )
    layout = _choice(body, "layout", "items")
    if layout not in LAYOUTS:
        raise ApiError(422, "bad_field", f"layout must be one of {', '.join(LAYOUTS)}, got {layout!r}", field="layout")
    items: list[Item] = []
    same: dict[bytes, Any] = {}
    for i, it in enumerate(raw):
        # an item with a text completion, a ground truth and no unknown key is checked by this one test; any
        # other goes through every check (which names what is wrong, or passes a message or a row)
        if not (
            type(it) is dict
            and it.keys() <= _PLAIN_ITEM_KEYS
            and type(it.get("completion")) is str
            and "ground_truth" in it
        ):
            _check_item(it, i)
        truth = _one_of_equal(it["ground_truth"] if "ground_truth" in it else it["row"], same)
        items.append((it["completion"], truth, _one_of_equal(it["tools"], same) if "tools" in it else batch_tools))
    return items, preset, fmt, layout


def _one_of_equal(value: Any, same: dict[bytes, Any]) -> Any:
    """``value``, or the equal value met earlier in this request: decoded from JSON, a GRPO group's items each
    hold their own copy of their row's truth (and tools), and the scorer resolves a truth once for a run of items
    holding the same object (for equal copies, once per item: 2 ms more per 1,024 items). Decoded JSON holds only
    dicts, lists, text, numbers, booleans and null, which orjson writes one way each (``1``, ``1.0`` and ``true``
    apart), so equal text is equal data. A value orjson cannot write (an integer beyond 64 bits) is kept."""
    if not isinstance(value, (dict, list)):
        return value
    try:
        return same.setdefault(orjson.dumps(value), value)
    except TypeError:  # (orjson.JSONEncodeError is one)
        return value


def _check_item(it: Any, i: int) -> None:
    """Raise :class:`ApiError` naming what is wrong with ``items[i]`` of a ``/score`` body, if anything is."""
    where = f"items[{i}]"
    if not isinstance(it, dict):
        raise ApiError(422, "bad_field", f"{where} must be an object, got {_type(it)}", item=i, field=where)
    _known_keys(it, _SCORE_ITEM_KEYS, "an item has completion, ground_truth or row, and tools", i, where)
    _check_completion(it.get("completion", _MISSING), i, f"{where}.completion")
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
        _known_keys(call, _VERL_KEYS, "expected data_source, solution_str, ground_truth, extra_info", item, prefix)
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


def verify_request(body: Any) -> Item:
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
