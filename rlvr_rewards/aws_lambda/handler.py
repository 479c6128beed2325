"""The SageMaker RLVR reward Lambda handler.

Contract of :func:`lambda_handler` (``event`` is the job's batch, ``context`` the Lambda context, or
``{}`` / ``None`` when called locally, as the SageMaker SDK's verifier does):

- Input: a JSON list of samples ``{"id", "messages": [..., {"role": "assistant", ...}],
  "reference_answer"}``; also accepted: the list as JSON text, or wrapped as ``{"body": ...}``. The
  ground truth is read from, in order, ``reference_answer``, ``metadata.reference_answer``,
  ``ground_truth``, ``reward_model.ground_truth``, ``extra_info.ground_truth``,
  ``extra_info.reference_answer``; the id from ``id`` or ``metadata.key``; tools from ``tools``,
  ``extra_info.tools``, ``metadata.tools`` or the tools a chat template wrote into the messages
  (:func:`rlvr_rewards.tools.tools_from_prompt`).
- Output: exactly one result per input sample, in input order:
  ``{"id", "aggregate_reward_score", "metrics_list": [{"name", "value", "type"}]}`` with the reward as
  the ``Reward`` entry and each component as a ``Metric`` (components that do not apply are left out:
  JSON has no NaN). ``oss`` style wraps the list as ``{"statusCode": 200, "headers", "body"}``;
  ``nova`` returns the bare list.
- A malformed sample (not an object, missing id, no assistant message, non-string content, missing or
  bad ground truth, bad tools) gets the preset's floor and ``error`` / ``error_<code>`` metrics; the
  batch always completes. A malformed event or configuration gets an error response instead.
- Deadline: scoring runs in chunks; when ``context.get_remaining_time_in_millis()`` is about to run
  out (less than the chunk's expected time plus ``deadline_margin_ms``), the remaining samples get the
  floor with ``error_deadline`` rather than the Lambda timing out and losing the batch.
- Logs one JSON line per invocation: counts, timings, error and reason histograms. Never completions.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from rlvr_rewards.aws_lambda.config import LambdaConfig, load_config
from rlvr_rewards.errors import ConfigError, GroundTruthError, RlvrRewardsError, ToolSpecError
from rlvr_rewards.presets import Preset

__all__ = ["ERROR_CODES", "lambda_handler", "make_handler", "score_event"]

logger = logging.getLogger("rlvr_rewards.lambda")

#: Per-sample error codes reported as ``error_<code>`` metrics.
ERROR_CODES: dict[str, str] = {
    "sample_not_object": "the sample is not a JSON object",
    "missing_id": "no id (looked for id and metadata.key); the result's id is null",
    "no_messages": "no messages list",
    "no_assistant_message": "no message with role 'assistant'",
    "bad_content": "the assistant message's content is neither text, null nor a list of text parts",
    "missing_ground_truth": "no ground truth in any of the accepted fields",
    "bad_ground_truth": "the ground truth could not be understood (see the logs for which field)",
    "bad_tools": "the sample's tool specs are not usable",
    "deadline": "not scored: the Lambda was about to time out",
}

_TRUTH_PATHS = (
    ("reference_answer",), ("metadata", "reference_answer"), ("ground_truth",), ("reward_model", "ground_truth"),
    ("extra_info", "ground_truth"), ("extra_info", "reference_answer"), ("metadata", "ground_truth"),
)
_ID_PATHS = (("id",), ("metadata", "key"), ("metadata", "id"))
_TOOL_PATHS = (("tools",), ("extra_info", "tools"), ("metadata", "tools"))
_MISSING = object()


def _is_map(obj: Any) -> bool:
    """A mapping (the exact-type test first: an ABC ``isinstance`` costs ten times more)."""
    return type(obj) is dict or isinstance(obj, Mapping)


def _get(obj: Any, path: Sequence[str]) -> Any:
    for key in path:
        if not _is_map(obj) or key not in obj:
            return _MISSING
        obj = obj[key]
    return obj


def _first(obj: Any, paths: Sequence[Sequence[str]]) -> Any:
    for p in paths:
        v = _get(obj, p)
        if v is not _MISSING and v is not None:
            return v
    return _MISSING


@dataclass
class _Sample:
    index: int
    id: Any = None
    completion: Any = None
    errors: list[str] = field(default_factory=list)
    truth: Any = None  # the compiled truth and tools, resolved once here (None: the sample cannot be scored)
    tools: Any = None


def _content_ok(content: Any) -> bool:
    if content is None or isinstance(content, str):
        return True
    return isinstance(content, list) and all(
        isinstance(p, str) or (_is_map(p) and isinstance(p.get("text", ""), str)) for p in content
    )


def _extract(index: int, sample: Any) -> _Sample:
    from rlvr_rewards.validate import load_row

    out = _Sample(index=index)
    if not _is_map(sample):
        out.errors.append("sample_not_object")
        return out
    sid = _first(sample, _ID_PATHS)
    if sid is _MISSING:
        out.errors.append("missing_id")
    else:
        out.id = sid
    messages = sample.get("messages")
    if not isinstance(messages, list):
        out.errors.append("no_messages")
        return out
    assistant = next((m for m in reversed(messages) if _is_map(m) and m.get("role") == "assistant"), None)
    if assistant is None:
        out.errors.append("no_assistant_message")
        return out
    if not _content_ok(assistant.get("content")):
        out.errors.append("bad_content")
        return out
    truth = _first(sample, _TRUTH_PATHS)
    if truth is _MISSING:
        out.errors.append("missing_ground_truth")
        return out
    row: dict[str, Any] = {"reward_model": {"ground_truth": truth}, "messages": messages}
    tools = _first(sample, _TOOL_PATHS)
    if tools is not _MISSING:
        row["tools"] = tools
    try:
        loaded = load_row(row)  # the one row checker, as `rlvr-rewards score` and `validate` use it
    except GroundTruthError as exc:
        out.errors.append("bad_ground_truth")
        logger.warning(json.dumps({"event": "bad_ground_truth", "index": index, "id": _safe_id(out.id),
                                   "field": exc.field, "error": exc.message[:300]}))
        return out
    except ToolSpecError as exc:
        out.errors.append("bad_tools")
        logger.warning(json.dumps({"event": "bad_tools", "index": index, "id": _safe_id(out.id),
                                   "error": str(exc)[:300]}))
        return out
    out.completion = dict(assistant)
    out.truth = loaded.truth
    out.tools = loaded.toolset
    return out


def _safe_id(value: Any) -> Any:
    return value if isinstance(value, (str, int, float, bool)) or value is None else repr(value)[:80]


def _remaining_ms(context: Any) -> float | None:
    fn = getattr(context, "get_remaining_time_in_millis", None)
    if not callable(fn):
        return None
    try:
        return float(fn())
    except Exception:
        return None


def _metric(name: str, value: float, kind: str = "Metric") -> dict[str, Any]:
    return {"name": name, "value": value, "type": kind}


def _error_metrics(codes: Sequence[str]) -> list[dict[str, Any]]:
    return [_metric("error", 1.0), *(_metric(f"error_{c}", 1.0) for c in codes)]


def _floor_result(sample: _Sample, floor: float, codes: Sequence[str]) -> dict[str, Any]:
    metrics = [_metric("reward", floor, "Reward"), *_error_metrics(codes)]
    return {"id": sample.id, "aggregate_reward_score": floor, "metrics_list": metrics}


#: (registry generation, preset name, weights) -> preset: a plugin change never reuses an old preset
_preset_cache: dict[tuple[int, str, str], Preset] = {}


def _preset(config: LambdaConfig) -> Preset:
    from rlvr_rewards.plugins import get_registry, registry_generation

    key = (registry_generation(), config.preset, json.dumps(config.weights, sort_keys=True))
    hit = _preset_cache.get(key)
    if hit is None:
        base = get_registry().preset(config.preset)
        hit = base.derive(f"{base.name}+lambda", weights=config.weights) if config.weights else base
        _preset_cache[key] = hit
    return hit


def score_event(samples: Sequence[Any], config: LambdaConfig, context: Any = None) -> list[dict[str, Any]]:
    """One result per sample, in order (see the module contract). Raises only for bad configuration."""
    from rlvr_rewards.scoring.core import score_batch

    started = time.perf_counter()
    preset = _preset(config)
    floor = preset.floor
    extracted = [_extract(i, s) for i, s in enumerate(samples)]
    results: list[dict[str, Any] | None] = [None] * len(extracted)
    errors: Counter[str] = Counter()
    for s in extracted:
        if s.errors:
            errors.update(s.errors)
            if s.truth is None:
                results[s.index] = _floor_result(s, floor, s.errors)
    todo = [s for s in extracted if s.truth is not None]
    reasons: Counter[str] = Counter()
    per_item_ms = 0.0
    scored = 0
    pos = 0
    while pos < len(todo):
        chunk = todo[pos : pos + config.chunk_size]
        left = _remaining_ms(context)
        if left is not None and left - config.deadline_margin_ms < per_item_ms * len(chunk):
            break
        t0 = time.perf_counter()
        batch = score_batch([s.completion for s in chunk], [s.truth for s in chunk],
                            tools=[s.tools for s in chunk], preset=preset, limits=config.limits)
        elapsed = (time.perf_counter() - t0) * 1000.0
        per_item_ms = max(per_item_ms, elapsed / len(chunk))
        rewards = batch.rewards.tolist()
        columns = [(name, column.tolist()) for name, column in batch.components.items()]
        for k, s in enumerate(chunk):
            reward = rewards[k]
            metrics = [_metric("reward", reward, "Reward")]
            if config.component_metrics:
                for name, values in columns:
                    v = values[k]
                    if math.isfinite(v):
                        metrics.append(_metric(name, v))
            if s.errors:  # e.g. a missing id: scored, but flagged
                metrics += _error_metrics(s.errors)
            results[s.index] = {"id": s.id, "aggregate_reward_score": reward, "metrics_list": metrics}
        reasons.update(batch.reasons)
        scored += len(chunk)
        pos += len(chunk)
    for s in todo[pos:]:
        errors["deadline"] += 1
        results[s.index] = _floor_result(s, floor, [*s.errors, "deadline"])
    final = [r for r in results if r is not None]
    logger.info(json.dumps({
        "event": "scored", "samples": len(extracted), "scored": scored, "floored": len(extracted) - scored,
        "errors": dict(errors), "reasons": dict(reasons.most_common()), "preset": preset.name,
        "seconds": round(time.perf_counter() - started, 4),
        "mean_reward": round(sum(r["aggregate_reward_score"] for r in final) / len(final), 6) if final else None,
    }))
    return final


def _samples_of(event: Any) -> list[Any]:
    if isinstance(event, (str, bytes)):
        try:
            event = json.loads(event)
        except json.JSONDecodeError as exc:
            raise _BadEvent(f"the event is text but not JSON: {exc}") from None
    if isinstance(event, Mapping) and "body" in event:
        return _samples_of(event["body"])
    if isinstance(event, list):
        return event
    raise _BadEvent(
        f"the event must be a JSON list of samples (or {{'body': <that list>}}), got {type(event).__name__}"
    )


def _dumps(results: list[dict[str, Any]]) -> str:
    """JSON text of the results: orjson (ten times faster); the stdlib for ids orjson cannot write (an
    integer beyond 64 bits)."""
    try:
        return orjson.dumps(results).decode()
    except (TypeError, orjson.JSONEncodeError):
        return json.dumps(results)


class _BadEvent(ValueError):
    pass


def _error_response(style: str, status: int, kind: str, message: str) -> Any:
    logger.error(json.dumps({"event": "error", "type": kind, "message": message[:500]}))
    if style == "nova":
        return {"errorType": kind, "errorMessage": message}
    return {"statusCode": status, "headers": {"Content-Type": "application/json"},
            "body": json.dumps({"error": kind, "message": message})}


def make_handler(bundled: Mapping[str, Any] | None = None) -> Callable[[Any, Any], Any]:
    """A ``lambda_handler(event, context)`` using ``bundled`` configuration (see :mod:`.config`)."""

    def lambda_handler(event: Any, context: Any = None) -> Any:
        style = str((bundled or {}).get("output_style", "oss"))
        try:
            config = load_config(bundled)
            style = config.output_style
            samples = _samples_of(event)
            results = score_event(samples, config, context)
        except _BadEvent as exc:
            return _error_response(style, 400, "InvalidEvent", str(exc))
        except RlvrRewardsError as exc:
            kind = "ConfigError" if isinstance(exc, ConfigError) else type(exc).__name__
            return _error_response(style, 500, kind, str(exc))
        if style == "nova":
            return results
        return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": _dumps(results)}

    return lambda_handler


#: The handler with no bundled configuration (environment variables and defaults only).
lambda_handler = make_handler()
