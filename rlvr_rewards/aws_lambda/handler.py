"""The SageMaker RLVR reward Lambda handler.

Contract of :func:`lambda_handler` (``event`` is the job's batch, ``context`` the Lambda context, or
``{}`` / ``None`` when called locally, as the SageMaker SDK's verifier does):

- Input: a JSON list of samples ``{"id", "messages": [..., {"role": "assistant", ...}],
  "reference_answer"}``; also accepted: the list as JSON text or UTF-8 bytes, or wrapped as ``{"body": ...}``
  (at most :data:`MAX_BODY_WRAPPING` times). The ground truth is read from, in order, ``reference_answer``,
  ``metadata.reference_answer``, ``ground_truth``, ``reward_model.ground_truth``, ``extra_info.ground_truth``,
  ``extra_info.reference_answer``; the id from ``id`` or ``metadata.key``; tools from ``tools``,
  ``extra_info.tools``, ``metadata.tools`` or the tools a chat template wrote into the messages
  (:func:`rlvr_rewards.groundtruth.toolspecs.tools_from_prompt`).
- The completion scored: the last assistant message; or, when the ground truth is a trajectory truth
  (``{"behavior": "trajectory", ...}``, docs/trajectories.md), every message from the first assistant message on
  (the messages before it are the prompt), scored by the trajectory path. A trajectory sample is checked first:
  every entry a message object with a string ``role`` (else ``bad_message``), at most
  :data:`~rlvr_rewards.parsing.trajectory.MAX_MESSAGES` messages and at most ``max_chars`` bytes of JSON (else
  ``trajectory_too_large``), so that a sample stays within the per-sample time the deadline counts on.
- Output: exactly one result per input sample, in input order:
  ``{"id", "aggregate_reward_score", "metrics_list": [{"name", "value", "type"}]}`` with the reward as
  the ``Reward`` entry and each component as a ``Metric`` (components that do not apply are left out:
  JSON has no NaN); a trajectory sample's metrics also hold ``turn_reward_<t>`` (one per truth turn, from 0),
  ``step_reward_mean`` and ``step_reward_min``, as ``Metric`` entries (the contract has no other field: a
  result is ``id``, ``aggregate_reward_score`` and ``metrics_list`` only). ``oss`` style wraps the list as
  ``{"statusCode": 200, "headers", "body"}``; ``nova`` returns the bare list.
- **Nothing a sample contains raises out of the handler.** Each sample is read and scored inside its own
  exception boundary: a malformed sample (see :data:`ERROR_CODES`), or any exception the library raises on
  it, gives that sample the preset's floor and ``error`` / ``error_<code>`` metrics; an exception type the
  handler does not expect is ``internal_error``, logged with its type and where it was raised, never its
  message or the completion. Chunks are scored with ``score_batch``; a chunk that raises is scored again
  one sample at a time, so only the culprit is floored.
- **Malformed event** (bytes that are not UTF-8, text that is not JSON or nests deeper than the decoder
  goes, a body that is not a list, ...): an ``InvalidEvent`` error response (``statusCode`` 400 in ``oss``
  style, ``{"errorType", "errorMessage"}`` in ``nova`` style); bad configuration: ``ConfigError`` (500).
  Anything else going wrong outside the samples' boundaries: ``InternalError`` (500). Never an exception.
- **Deadline**: before each chunk the handler reads ``context.get_remaining_time_in_millis()`` and takes
  only as many samples as would end before the margin (``deadline_margin_ms``, plus
  :data:`~rlvr_rewards.aws_lambda.config.RESPONSE_US_PER_RESULT` per sample for writing the response) if
  each were as slow as the library's budget allows
  (:data:`~rlvr_rewards.aws_lambda.config.SLOWEST_SAMPLE_MS`). Samples not scored in time get the floor
  and ``error_deadline``. No timer, no signal (docs/reliability.md, guarantee 10): time is bounded by the
  library's per-completion budget, and the check is as fine as the time left requires.
- **Response size**: the response is measured as the Lambda runtime writes it and kept under
  :data:`RESPONSE_LIMIT_BYTES`. Over it, every result first loses its component metrics (``Reward`` and
  ``error*`` stay); if still over, results from the first on keep that form while the rest still fit in
  their smallest form, and the rest are cut down to id + reward + ``error_response_too_large``, or to
  id + reward. Ids go last: only when the ids themselves do not fit does a result (in input order) get a
  null id. If not even that fits, the response is a ``ResponseTooLarge`` error (413). See docs/lambda.md.
- Logs one JSON line per invocation (counts, timings, error, exception-type and reason histograms) and at
  most :data:`MAX_LOGGED_SAMPLE_ERRORS` lines about single samples. Never completions.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any

import orjson

from rlvr_rewards.aws_lambda.timing import RESPONSE_US_PER_RESULT, SLOWEST_SAMPLE_MS
from rlvr_rewards.errors import ConfigError, GroundTruthError, RlvrRewardsError, ToolSpecError

if TYPE_CHECKING:  # imported when the first event arrives: the module itself stays light (docs/lambda.md)
    from rlvr_rewards.aws_lambda.config import LambdaConfig
    from rlvr_rewards.combine.presets import Preset
    from rlvr_rewards.groundtruth.validate import LoadedRow

__all__ = [
    "ERROR_CODES",
    "EVENT_ERRORS",
    "MAX_BODY_WRAPPING",
    "MAX_LOGGED_SAMPLE_ERRORS",
    "MIN_RESULT_BYTES",
    "RESPONSE_LIMIT_BYTES",
    "lambda_handler",
    "make_handler",
    "score_event",
]

logger = logging.getLogger("rlvr_rewards.lambda")

#: Per-sample error codes reported as ``error_<code>`` metrics.
ERROR_CODES: dict[str, str] = {
    "sample_not_object": "the sample is not a JSON object",
    "missing_id": "no id (looked for id and metadata.key); the result's id is null",
    "bad_id": "the id cannot be written back as JSON (not a JSON value, NaN, invalid Unicode, nested too "
    "deep); the result's id is null",
    "no_messages": "no messages list",
    "no_assistant_message": "no message with role 'assistant'",
    "bad_content": "the assistant message's content (of a trajectory sample: any assistant message's) is neither "
    "text, null nor a list of text parts",
    "bad_message": "a trajectory sample has an entry after the prompt that is not a message object with a string "
    "role, or its messages are not JSON data (the log names the position)",
    "trajectory_too_large": "a trajectory sample has more messages after the prompt than the library reads (1,024), "
    "or more bytes of JSON in them than max_chars: floored, not scored on a part of it",
    "missing_ground_truth": "no ground truth in any of the accepted fields",
    "bad_ground_truth": "the ground truth could not be understood (see the logs for which field)",
    "bad_tools": "the sample's tool specs are not usable",
    "too_deep": "reading or scoring the sample recursed deeper than the interpreter allows (RecursionError)",
    "internal_error": "the library raised an unexpected exception on this sample; the log line names its type "
    "and where it was raised",
    "deadline": "not scored: the Lambda was about to time out",
    "response_too_large": "the response would exceed Lambda's 6 MB limit: this result was cut down to its id "
    "(or null) and reward",
}

#: Event-level errors: the ``error`` (``oss``) or ``errorType`` (``nova``) of an error response, and its status.
EVENT_ERRORS: dict[str, int] = {
    "InvalidEvent": 400,  # not a list of samples: bytes not UTF-8, text not JSON or nested too deep, ...
    "ResponseTooLarge": 413,  # not even one minimal result per sample fits in RESPONSE_LIMIT_BYTES
    "ConfigError": 500,  # the operator's configuration (a preset, a variable) is invalid
    "InternalError": 500,  # an exception outside any sample's boundary (a bug: the log names its type)
}

#: Lambda's limit on the response of a synchronous invocation: 6 MB, enforced on the JSON the runtime writes
#: ("Response payload size exceeded maximum allowed payload size (6291556 bytes)").
RESPONSE_LIMIT_BYTES = 6_291_556
#: The smallest result there is, ``{"id": null, "aggregate_reward_score": 0}`` with its separator, in either
#: style: a batch of more samples than the limit holds of these gets ``ResponseTooLarge`` without scoring.
MIN_RESULT_BYTES = 42
#: ``{"body": ...}`` wrappings accepted around the list (each may also be JSON text).
MAX_BODY_WRAPPING = 4
#: Lines logged about single samples per invocation (the summary line counts them all).
MAX_LOGGED_SAMPLE_ERRORS = 20

#: Exception types raised while reading or scoring a sample -> error code (first match; else internal_error).
_EXCEPTION_CODES: tuple[tuple[type[BaseException], str], ...] = (
    (GroundTruthError, "bad_ground_truth"),
    (ToolSpecError, "bad_tools"),
    (RecursionError, "too_deep"),
)

_TRUTH_PATHS = (
    ("reference_answer",),
    ("metadata", "reference_answer"),
    ("ground_truth",),
    ("reward_model", "ground_truth"),
    ("extra_info", "ground_truth"),
    ("extra_info", "reference_answer"),
    ("metadata", "ground_truth"),
)
_ID_PATHS = (("id",), ("metadata", "key"), ("metadata", "id"))
_TOOL_PATHS = (("tools",), ("extra_info", "tools"), ("metadata", "tools"))
_MISSING = object()
_HEADERS = {"Content-Type": "application/json"}


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
    return _first_with_path(obj, paths)[0]


def _first_with_path(obj: Any, paths: Sequence[Sequence[str]]) -> tuple[Any, str]:
    """The first present value and its dotted path (``_MISSING`` and ``""`` when none is)."""
    for p in paths:
        v = _get(obj, p)
        if v is not _MISSING and v is not None:
            return v, ".".join(p)
    return _MISSING, ""


def _id_ok(value: Any) -> bool:
    """Can ``value`` be written back as JSON by the Lambda runtime, in either of its modes (``ensure_ascii``
    on or off, then UTF-8)? Plain ids take the fast paths."""
    kind = type(value)
    if kind is str and value.isascii():
        return True
    if kind is int and -(2**63) <= value < 2**64:
        return True
    try:
        json.dumps(value, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except (ValueError, TypeError, RecursionError, OverflowError):  # NaN / lone surrogate / not JSON / too deep
        return False
    return True


@dataclass
class _Sample:
    index: int
    id: Any = None
    completion: Any = None
    errors: list[str] = field(default_factory=list)
    truth: Any = None  # the compiled truth and tools, resolved once here (None: the sample cannot be scored)
    tools: Any = None
    truth_field: str = ""  # where the sample holds its truth (``reference_answer``, ...), for log lines


def _content_ok(content: Any) -> bool:
    if content is None or isinstance(content, str):
        return True
    return isinstance(content, list) and all(
        isinstance(p, str) or (_is_map(p) and isinstance(p.get("text", ""), str)) for p in content
    )


def _extract(out: _Sample, sample: Any, stats: _Stats, max_chars: int) -> None:
    """Fill ``out`` from ``sample`` (its id first, so that a later exception still reports it)."""
    if not _is_map(sample):
        out.errors.append("sample_not_object")
        return
    sid = _first(sample, _ID_PATHS)
    if sid is _MISSING:
        out.errors.append("missing_id")
    elif _id_ok(sid):
        out.id = sid
    else:
        out.errors.append("bad_id")
    messages = sample.get("messages")
    if not isinstance(messages, list):
        out.errors.append("no_messages")
        return
    assistant = next((m for m in reversed(messages) if _is_map(m) and m.get("role") == "assistant"), None)
    if assistant is None:
        out.errors.append("no_assistant_message")
        return
    if not _content_ok(assistant.get("content")):
        out.errors.append("bad_content")
        return
    loaded = _load(out, sample, messages, stats)
    if loaded is None:
        return
    if loaded.truth.trajectory is not None:
        out.completion = _trajectory_completion(out, messages, stats, max_chars)
        if out.completion is None:
            return
    else:
        out.completion = dict(assistant)
    out.truth = loaded.truth
    out.tools = loaded.toolset


def _load(out: _Sample, sample: Any, messages: list[Any], stats: _Stats) -> LoadedRow | None:
    """The sample's compiled truth and tools; None, with the error code appended and a log line naming the field
    (in the sample's own terms: ``reference_answer.turns.1``), when they do not load."""
    from rlvr_rewards.groundtruth.validate import load_row

    truth, out.truth_field = _first_with_path(sample, _TRUTH_PATHS)
    if truth is _MISSING:
        out.errors.append("missing_ground_truth")
        return None
    row: dict[str, Any] = {"reward_model": {"ground_truth": truth}, "messages": messages}
    tools = _first(sample, _TOOL_PATHS)
    if tools is not _MISSING:
        row["tools"] = tools
    try:
        return load_row(row)  # the one row checker, as `rlvr-rewards score` and `validate` use it
    except GroundTruthError as exc:  # about the operator's data, not the completion: its message may be logged
        out.errors.append("bad_ground_truth")
        field = exc.field or ""  # load_row read the truth as reward_model.ground_truth
        field = out.truth_field + field[len(_ROW_TRUTH) :] if field.startswith(_ROW_TRUTH) else field
        line = {"event": "bad_ground_truth", "index": out.index, "id": _safe_id(out.id), "field": field}
        stats.log_sample({**line, "error": exc.message[:300]})
    except ToolSpecError as exc:
        out.errors.append("bad_tools")
        stats.log_sample({"event": "bad_tools", "index": out.index, "id": _safe_id(out.id), "error": str(exc)[:300]})
    return None


_ROW_TRUTH = "reward_model.ground_truth"


def _trajectory_completion(out: _Sample, messages: list[Any], stats: _Stats, max_chars: int) -> list[Any] | None:
    """The messages after the prompt (from the first assistant message on), checked (see the module contract);
    None, with the error code appended to ``out.errors`` and a log line, when they cannot be scored."""
    from rlvr_rewards.parsing.trajectory import MAX_MESSAGES

    start = next(i for i, m in enumerate(messages) if _is_map(m) and m.get("role") == "assistant")
    completion = messages[start:]
    problem: dict[str, Any] = {}
    if len(completion) > MAX_MESSAGES:
        problem = {"code": "trajectory_too_large", "messages": len(completion), "max_messages": MAX_MESSAGES}
    else:
        for k, m in enumerate(completion):
            if not _is_map(m) or not isinstance(m.get("role"), str):
                problem = {"code": "bad_message", "position": start + k, "got": type(m).__name__}
                break
            if m.get("role") == "assistant" and not _content_ok(m.get("content")):
                problem = {"code": "bad_content", "position": start + k}
                break
    if not problem:
        size = _json_size(completion)
        if size is None:
            problem = {"code": "bad_message", "position": None, "got": "not JSON data"}
        elif size > max_chars:
            problem = {"code": "trajectory_too_large", "bytes": size, "max_chars": max_chars}
    if not problem:
        return completion
    out.errors.append(problem["code"])
    stats.log_sample({"event": "bad_trajectory", "index": out.index, "id": _safe_id(out.id), **problem})
    return None


def _json_size(value: Any) -> int | None:
    """Bytes of ``value`` as compact JSON (orjson; the standard library for what orjson will not write: an integer
    beyond 64 bits, nesting deeper than 255, a lone surrogate); None when it is not JSON data at all (a set, an
    object: only a local caller can pass one, a Lambda event is parsed JSON)."""
    try:
        return len(orjson.dumps(value))
    except (TypeError, orjson.JSONEncodeError):
        pass
    try:
        return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass"))
    except (TypeError, ValueError, RecursionError):
        return None


def _safe_id(value: Any) -> Any:
    """The id for a log line: short, never the whole of a long one."""
    if isinstance(value, str):
        return value[:80]
    return value if isinstance(value, (int, float, bool)) or value is None else f"<{type(value).__name__}>"


def _raised_at(exc: BaseException) -> str:
    """``module.py:line in function`` of the innermost frame that raised ``exc`` (no message, no values)."""
    tb: TracebackType | None = exc.__traceback__
    last = None
    while tb is not None:
        last = tb
        tb = tb.tb_next
    if last is None:
        return "?"
    code = last.tb_frame.f_code
    return f"{code.co_filename.rsplit('/', 2)[-1]}:{last.tb_lineno} in {code.co_name}"


def _code_of(exc: BaseException) -> str:
    for kind, code in _EXCEPTION_CODES:
        if isinstance(exc, kind):
            return code
    return "internal_error"


def _remaining_ms(context: Any) -> float | None:
    fn = getattr(context, "get_remaining_time_in_millis", None)
    if not callable(fn):
        return None
    try:
        left = float(fn())
    except Exception:  # a context that cannot tell: no deadline
        return None
    return left if math.isfinite(left) else None


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


class _Stats:
    """What the invocation's log line reports, and the cap on lines about single samples."""

    def __init__(self) -> None:
        self.errors: Counter[str] = Counter()
        self.exceptions: Counter[str] = Counter()
        self.reasons: Counter[str] = Counter()
        self.scored = 0
        self.trajectories = 0
        self.fallback_chunks = 0
        self.logged = 0

    def log_sample(self, line: dict[str, Any]) -> None:
        if self.logged < MAX_LOGGED_SAMPLE_ERRORS:
            logger.warning(json.dumps(line))
        self.logged += 1

    def exception(self, sample: _Sample, exc: BaseException, stage: str) -> str:
        code = _code_of(exc)
        name = type(exc).__name__
        self.exceptions[name] += 1
        line = {
            "event": "sample_exception",
            "stage": stage,
            "index": sample.index,
            "id": _safe_id(sample.id),
            "code": code,
            "exception": name,
            "at": _raised_at(exc),
        }
        if isinstance(exc, GroundTruthError) and exc.field:  # the operator's truth (e.g. an unknown environment)
            line["field"] = f"{sample.truth_field}.{exc.field}" if sample.truth_field else exc.field
        self.log_sample(line)
        return code


def score_event(samples: Sequence[Any], config: LambdaConfig, context: Any = None) -> list[dict[str, Any]]:
    """One result per sample, in order (see the module contract). Raises only for bad configuration."""
    started = time.perf_counter()
    preset = _preset(config)
    if config.format is not None:  # an unknown format is the operator's error for the whole event
        from rlvr_rewards.plugins import get_registry

        get_registry().parsers_for(config.format)
    stats = _Stats()
    results: list[dict[str, Any] | None] = [None] * len(samples)
    _score_all(samples, config, context, preset, results, stats)
    floor = preset.floor
    for i, r in enumerate(results):
        if r is None:
            stats.errors["deadline"] += 1
            results[i] = _floor_result(_Sample(index=i, id=_id_of(samples[i])), floor, ["deadline"])
    final: list[dict[str, Any]] = results  # type: ignore[assignment]  # (every slot is filled above)
    logger.info(
        json.dumps(
            {
                "event": "scored",
                "samples": len(samples),
                "scored": stats.scored,
                "trajectories": stats.trajectories,
                "floored": len(samples) - stats.scored,
                "errors": dict(stats.errors),
                "exceptions": dict(stats.exceptions),
                "fallback_chunks": stats.fallback_chunks,
                "reasons": dict(stats.reasons.most_common()),
                "preset": preset.name,
                "seconds": round(time.perf_counter() - started, 4),
                "mean_reward": round(sum(r["aggregate_reward_score"] for r in final) / len(final), 6)
                if final
                else None,
            }
        )
    )
    return final


def _id_of(sample: Any) -> Any:
    """The id of a sample that was never read (deadline): the same lookup, no exception can leave."""
    try:
        sid = _first(sample, _ID_PATHS)
        return None if sid is _MISSING or not _id_ok(sid) else sid
    except Exception:
        return None


def _score_all(
    samples: Sequence[Any],
    config: LambdaConfig,
    context: Any,
    preset: Preset,
    results: list[dict[str, Any] | None],
    stats: _Stats,
) -> None:
    """Read and score the samples chunk by chunk until done or out of time (unscored slots stay None)."""
    margin = _margin_ms(config, len(samples))
    pos = 0
    while pos < len(samples):
        size = config.chunk_size
        left = _remaining_ms(context)
        if left is not None:
            spare = left - margin
            size = min(size, int(spare // SLOWEST_SAMPLE_MS))  # n samples at the slowest still end in time
            if size < 1:
                return
        stop = min(pos + size, len(samples))
        ready: list[_Sample] = []
        for i in range(pos, stop):
            s = _Sample(index=i)
            try:
                _extract(s, samples[i], stats, config.max_chars)
            except Exception as exc:  # whatever the sample holds: the floor and a code, never the batch
                s.errors.append(stats.exception(s, exc, "read"))
                s.truth = None
            stats.errors.update(s.errors)
            if s.truth is None:
                results[i] = _floor_result(s, preset.floor, s.errors)
            else:
                ready.append(s)
        if ready:
            _score_chunk(ready, config, context, margin, preset, results, stats)
        pos = stop


def _margin_ms(config: LambdaConfig, samples: int) -> float:
    """Time kept for after scoring: ``deadline_margin_ms`` plus the response's share that grows with the batch."""
    return config.deadline_margin_ms + samples * RESPONSE_US_PER_RESULT / 1000.0


def _score_chunk(
    chunk: list[_Sample],
    config: LambdaConfig,
    context: Any,
    margin: float,
    preset: Preset,
    results: list[dict[str, Any] | None],
    stats: _Stats,
) -> None:
    """Score a chunk at once; if that raises, score its samples one by one to floor only the culprits."""
    try:
        _score_batch(chunk, config, preset, results, stats)
        return
    except Exception:
        stats.fallback_chunks += 1
    for s in chunk:
        if results[s.index] is not None:
            continue
        left = _remaining_ms(context)
        if left is not None and left - margin < SLOWEST_SAMPLE_MS:
            return  # the rest of the chunk: error_deadline
        try:
            _score_batch([s], config, preset, results, stats)
        except Exception as exc:
            code = stats.exception(s, exc, "score")
            stats.errors[code] += 1
            results[s.index] = _floor_result(s, preset.floor, [*s.errors, code])


def _score_batch(
    chunk: list[_Sample], config: LambdaConfig, preset: Preset, results: list[dict[str, Any] | None], stats: _Stats
) -> None:
    from rlvr_rewards.scoring.core import score_batch

    batch = score_batch(
        [s.completion for s in chunk],
        [s.truth for s in chunk],
        tools=[s.tools for s in chunk],
        preset=preset,
        limits=config.limits,
        format=config.format,
    )
    rewards = batch.rewards.tolist()
    columns = [(name, column.tolist()) for name, column in batch.components.items()] if config.component_metrics else []
    if len(rewards) != len(chunk) or any(len(values) != len(chunk) for _, values in columns):
        raise ValueError("score_batch returned a result of the wrong length")  # (caught: scored one by one)
    trajectories = batch.trajectories or {}
    built: list[dict[str, Any]] = []
    for k, s in enumerate(chunk):
        reward = rewards[k]
        if not isinstance(reward, float) or not math.isfinite(reward):
            raise ValueError("score_batch returned a non-finite reward")  # (caught: scored one by one)
        metrics = [_metric("reward", reward, "Reward")]
        for name, values in columns:
            v = values[k]
            if isinstance(v, float) and math.isfinite(v):
                metrics.append(_metric(name, v))
        if k in trajectories and config.component_metrics:
            metrics += _trajectory_metrics(trajectories[k][0].tolist(), trajectories[k][1].tolist())
        if s.errors:  # e.g. a missing id: scored, but flagged
            metrics += _error_metrics(s.errors)
        built.append({"id": s.id, "aggregate_reward_score": reward, "metrics_list": metrics})
    for s, r in zip(chunk, built, strict=True):  # all or nothing: a chunk that raised above leaves no result behind
        results[s.index] = r
    stats.reasons.update(batch.reasons)
    stats.scored += len(chunk)
    stats.trajectories += len(trajectories)


def _trajectory_metrics(turns: list[float], steps: list[float]) -> list[dict[str, Any]]:
    """A trajectory's turn rewards (``turn_reward_<t>``) and its step rewards' mean and minimum, as ``Metric``
    entries (finite values only)."""
    out = [_metric(f"turn_reward_{t}", v) for t, v in enumerate(turns) if math.isfinite(v)]
    finite = [v for v in steps if math.isfinite(v)]
    if finite:
        out += [_metric("step_reward_mean", sum(finite) / len(finite)), _metric("step_reward_min", min(finite))]
    return out


# --------------------------------------------------------------------------------------------------------------------
# The event and the response
# --------------------------------------------------------------------------------------------------------------------


class _BadEvent(ValueError):
    pass


class _TooLarge(ValueError):
    pass


def _samples_of(event: Any) -> list[Any]:
    """The list of samples in ``event`` (see the module contract); :class:`_BadEvent` otherwise."""
    for _ in range(MAX_BODY_WRAPPING + 1):
        if isinstance(event, (bytes, bytearray, memoryview)):
            try:
                event = bytes(event).decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise _BadEvent(f"the event is bytes but not UTF-8 text (byte {exc.start} is invalid)") from None
        if isinstance(event, str):
            try:
                event = json.loads(event)
            except RecursionError:
                raise _BadEvent("the event's JSON is nested deeper than the decoder allows") from None
            except ValueError as exc:  # JSONDecodeError, or an integer of more digits than Python converts
                raise _BadEvent(f"the event is text but not JSON: {str(exc)[:200]}") from None
        if isinstance(event, list):
            return event
        if _is_map(event) and "body" in event:
            event = event["body"]
            continue
        raise _BadEvent(
            f"the event must be a JSON list of samples (or {{'body': <that list>}}), got {type(event).__name__}"
        )
    raise _BadEvent(f"the event wraps its list in more than {MAX_BODY_WRAPPING} levels of 'body'")


def _encode(obj: Any) -> str:
    """Compact JSON text: orjson, or the standard library (ASCII escapes) for what orjson will not write: an
    integer beyond 64 bits, or a string that is not valid Unicode (an id with one is ``bad_id``)."""
    try:
        return orjson.dumps(obj).decode()
    except (TypeError, orjson.JSONEncodeError):
        return json.dumps(obj, separators=(",", ":"))


def _dumps(results: list[dict[str, Any]]) -> str:
    """The ``oss`` body: ``"[" + ",".join(_encode(r) for r in results) + "]"`` (what orjson writes for the whole
    list; when it refuses one result, each result is written on its own)."""
    try:
        return orjson.dumps(results).decode()
    except (TypeError, orjson.JSONEncodeError):
        return "[" + ",".join(_encode(r) for r in results) + "]"


def _escaped_len(text: str) -> int:
    """Length of ``text`` inside a JSON string with ASCII escapes: the most any mode of the runtime writes
    (``ensure_ascii=False`` writes a non-ASCII character as 2-4 UTF-8 bytes, never more than its escape)."""
    return len(_ascii_string(text)) - 2


_ascii_string: Callable[[str], str] = json.encoder.encode_basestring_ascii  # (json.dumps of a str, minus overhead)
_runtime_json = json.JSONEncoder().encode  # json.dumps with its defaults: how the runtime writes the response


class _Sizer:
    """Sizes in the response of a style, in bytes as the runtime writes it (``json.dumps``: ASCII escapes,
    default separators): in ``oss`` style a result counts as its compact text inside the escaped body; in
    ``nova`` style as ``json.dumps`` writes it.

    Sizes add up: the response is its overhead, plus each result, plus a separator between two results; a
    result is a constant plus its id's text, its reward's text and its metrics (each measured once per
    distinct metric, they repeat), plus separators. :meth:`result` uses that to measure a result in a few
    dictionary look-ups; tests/test_lambda_hostile.py checks it against the encoders on random results."""

    def __init__(self, style: str) -> None:
        self.oss = style == "oss"
        self.sep = 1 if self.oss else 2  # "," in the body, ", " between items from json.dumps
        self.overhead = self.exact([])  # the response around the results
        self.base = self.size({"id": 0, "aggregate_reward_score": 0, "metrics_list": []}) - 2
        self.cut_base = self.size(_cut(0, 0, False)) - 2
        self.marked_base = self.size(_cut(0, 0, True)) - 2
        self.null = self.size(None)
        self._metrics: dict[tuple[Any, Any, str], int] = {}
        self._numbers: dict[str, int] = {}

    def size(self, obj: Any) -> int:
        """Any value as it counts in the response, measured by encoding it."""
        return _escaped_len(_encode(obj)) if self.oss else len(_runtime_json(obj))

    def part(self, obj: Any) -> int | None:
        """A value's share of a result it is part of; None when it would make the whole result fall back to the
        standard library's encoder (then the result is measured whole)."""
        kind = type(obj)
        if not self.oss:
            if kind is str:
                return len(_ascii_string(obj))
            return len(repr(obj)) if kind is int else len(_runtime_json(obj))
        try:
            return _escaped_len(orjson.dumps(obj).decode())
        except (TypeError, orjson.JSONEncodeError):
            return None

    def number(self, value: Any) -> int:
        key = repr(value)
        hit = self._numbers.get(key)
        if hit is None:
            hit = self._numbers[key] = self.size(value)
        return hit

    def metric(self, m: dict[str, Any]) -> int:
        key = (m["name"], m["type"], repr(m["value"]))
        hit = self._metrics.get(key)
        if hit is None:
            hit = self._metrics[key] = self.size(m)
        return hit

    def result(self, r: dict[str, Any], trim: bool = False) -> int:
        """A result of the handler's making (``trim``: as :func:`_trimmed` would make it)."""
        id_len = self.part(r["id"])
        if id_len is None:
            return self.size(_trimmed(r) if trim else r)
        total = self.base + id_len + self.number(r["aggregate_reward_score"])
        count = 0
        for m in r["metrics_list"]:
            if trim and m["type"] == "Metric" and m["name"][:5] != "error":
                continue
            total += self.metric(m)
            count += 1
        return total + self.sep * (count - 1) if count else total

    def envelope(self, body: str) -> dict[str, Any]:
        return {"statusCode": 200, "headers": dict(_HEADERS), "body": body}

    def exact(self, results: list[dict[str, Any]]) -> int:
        """The whole response, measured by encoding it as the runtime does."""
        if self.oss:
            return len(_runtime_json(self.envelope(_dumps(results))))
        return len(_runtime_json(results))


def _trimmed(result: dict[str, Any]) -> dict[str, Any]:
    """Without its component metrics (the handler built every metric: each has a name and a type)."""
    metrics = [m for m in result["metrics_list"] if m["type"] != "Metric" or m["name"][:5] == "error"]
    return {"id": result["id"], "aggregate_reward_score": result["aggregate_reward_score"], "metrics_list": metrics}


_TOO_LARGE_METRIC = _metric("error_response_too_large", 1.0)


def _cut(sid: Any, reward: Any, marked: bool) -> dict[str, Any]:
    out = {"id": sid, "aggregate_reward_score": reward}
    return {**out, "metrics_list": [_TOO_LARGE_METRIC]} if marked else out


def _fit(results: list[dict[str, Any]], sizer: _Sizer, limit: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Results whose response fits in ``limit`` bytes (they do not yet), and what was done; raises
    :class:`_TooLarge` when not even the smallest form of every result fits.

    In order of what is given up first: every result's component metrics (the trimmed form); then, from the
    first result that no longer fits on, each result is cut to id + reward + ``error_response_too_large``, or
    id + reward where that does not fit; ids go last, and only when the ids themselves do not fit (then, in
    input order, a result keeps its id while the rest still fit without theirs). Each choice reserves room
    for every later result in the smallest form it may still take, so one result per sample always fits."""
    n = len(results)
    budget = limit - sizer.overhead - sizer.sep * max(n - 1, 0)  # for the results themselves
    sizes = [sizer.result(r, trim=True) for r in results]
    info: dict[str, Any] = {"bytes_trimmed": limit - budget + sum(sizes)}
    if sum(sizes) <= budget:
        return [_trimmed(r) for r in results], info
    rewards = [sizer.number(r["aggregate_reward_score"]) for r in results]
    ids = [sizer.part(r["id"]) for r in results]

    def cut_size(i: int, marked: bool) -> int:
        id_len = ids[i]
        if id_len is None:  # an id that makes the whole result fall back to the standard library's encoder
            return sizer.size(_cut(results[i]["id"], results[i]["aggregate_reward_score"], marked))
        return (sizer.marked_base if marked else sizer.cut_base) + id_len + rewards[i]

    anonymous = [sizer.cut_base + sizer.null + rl for rl in rewards]
    bare = [anonymous[i] if r["id"] is None else cut_size(i, False) for i, r in enumerate(results)]
    keep_ids = sum(bare) <= budget
    smallest = bare if keep_ids else anonymous
    reserve = sum(smallest)
    if reserve > budget:
        raise _TooLarge(
            f"{n:,} results need at least {limit - budget + reserve:,} bytes, over Lambda's "
            f"response limit of {limit:,}: send fewer samples per invocation"
        )
    out: list[dict[str, Any]] = []
    used = 0
    counts: Counter[str] = Counter()
    whole = keep_ids  # with ids to spare, results keep their trimmed form from the first on while they fit
    for i, r in enumerate(results):
        reserve -= smallest[i]
        room = budget - used - reserve  # what this result may take, the rest still fitting in their smallest form
        if whole:
            if sizes[i] <= room:
                counts["kept"] += 1
                used += sizes[i]
                out.append(_trimmed(r))
                continue
            whole = False  # from the first result that does not fit on, every result is cut (input order)
        rid, reward = r["id"], r["aggregate_reward_score"]
        marked = cut_size(i, True) if keep_ids and rid is not None else room + 1
        if marked <= room:
            kind, cost, cut = "marked", marked, _cut(rid, reward, True)
        elif bare[i] <= room:
            kind, cost, cut = "bare", bare[i], _cut(rid, reward, False)
        else:
            kind, cost, cut = "anonymous", anonymous[i], _cut(None, reward, False)
        counts[kind] += 1
        used += cost
        out.append(cut)
    info["forms"] = dict(counts)
    return out, info


def _error_response(style: str, kind: str, message: str) -> Any:
    """An event-level error (``kind``: a key of :data:`EVENT_ERRORS`, or the class name of another library error,
    status 500)."""
    logger.error(json.dumps({"event": "error", "type": kind, "message": message[:500]}))
    if style == "nova":
        return {"errorType": kind, "errorMessage": message}
    return {
        "statusCode": EVENT_ERRORS.get(kind, 500),
        "headers": dict(_HEADERS),
        "body": json.dumps({"error": kind, "message": message}),
    }


def _respond(results: list[dict[str, Any]], style: str, limit: int | None = None) -> Any:
    """The response, measured; cut down to fit under ``limit`` (default :data:`RESPONSE_LIMIT_BYTES`) when it does
    not (see the module contract)."""
    limit = RESPONSE_LIMIT_BYTES if limit is None else limit
    sizer = _Sizer(style)
    body = _dumps(results)
    if sizer.oss:
        response: Any = sizer.envelope(body)
        size = len(_runtime_json(response))  # the body escaped: one pass in C
    else:
        response = results
        # json.dumps writes at least as much as orjson's compact text: past the limit already, skip the slow encoder
        size = len(body) if len(body) > limit else len(_runtime_json(results))
    if size <= limit:
        return response
    fitted, info = _fit(results, sizer, limit)
    response = sizer.envelope(_dumps(fitted)) if sizer.oss else fitted
    info["bytes_after"] = after = sizer.exact(fitted)
    logger.warning(json.dumps({"event": "response_trimmed", "limit": limit, "bytes_before": size, **info}))
    if after > limit:  # (the sizes above are exact: this only guards them)
        raise _TooLarge(f"the response takes {after:,} bytes after cutting it down, over Lambda's limit of {limit:,}")
    return response


def make_handler(bundled: Mapping[str, Any] | None = None) -> Callable[[Any, Any], Any]:
    """A ``lambda_handler(event, context)`` using ``bundled`` configuration (see :mod:`.config`)."""

    def lambda_handler(event: Any, context: Any = None) -> Any:
        style = "nova" if (bundled or {}).get("output_style") == "nova" else "oss"
        try:
            from rlvr_rewards.aws_lambda.config import load_config

            config = load_config(bundled)
            style = config.output_style
            samples = _samples_of(event)
            if len(samples) * MIN_RESULT_BYTES > RESPONSE_LIMIT_BYTES:
                raise _TooLarge(
                    f"{len(samples):,} samples cannot each get a result within Lambda's response "
                    f"limit of {RESPONSE_LIMIT_BYTES:,} bytes (at least {MIN_RESULT_BYTES} bytes a result)"
                    f": send at most {RESPONSE_LIMIT_BYTES // MIN_RESULT_BYTES:,} samples"
                )
            return _respond(score_event(samples, config, context), style)
        except _BadEvent as exc:
            return _error_response(style, "InvalidEvent", str(exc))
        except _TooLarge as exc:
            return _error_response(style, "ResponseTooLarge", str(exc))
        except RlvrRewardsError as exc:  # configuration (a preset, a plugin): the operator's, for the whole event
            kind = "ConfigError" if isinstance(exc, ConfigError) else type(exc).__name__
            return _error_response(style, kind, str(exc))
        except Exception as exc:  # outside every sample's boundary: a bug, reported by type
            logger.error(
                json.dumps({"event": "internal_error", "exception": type(exc).__name__, "at": _raised_at(exc)})
            )
            return _error_response(
                style, "InternalError", f"unexpected {type(exc).__name__} outside any sample; see the function's log"
            )

    return lambda_handler


#: What :func:`warm_up` scores: one execute sample with its tool, so every stage runs once.
_WARM_UP_SAMPLE: dict[str, Any] = {
    "id": "rlvr-rewards-warm-up",
    "messages": [
        {"role": "user", "content": "Weather in Paris?"},
        {
            "role": "assistant",
            "content": '<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>',
        },
    ],
    "reference_answer": {"behavior": "execute", "calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]},
    "tools": [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
            },
        }
    ],
}


def warm_up(bundled: Mapping[str, Any] | None = None) -> None:
    """Do now what the first event would: import the configuration, the presets and plugins, the parsers,
    the truth and tool validators and numpy, and score one built-in sample. For the function's init phase
    when it is snapshotted (SnapStart) or provisioned ahead of traffic; without it the first event pays
    (docs/lambda.md, "Cold start"). Raises ConfigError for a bad configuration."""
    from rlvr_rewards.aws_lambda.config import load_config

    score_event([_WARM_UP_SAMPLE], load_config(bundled))


#: The handler with no bundled configuration (environment variables and defaults only).
lambda_handler = make_handler()
