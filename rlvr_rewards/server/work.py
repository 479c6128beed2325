"""What the reward server's worker processes run: a request's body in, its answer out.

Contract:

- :func:`answer` takes an endpoint's name, the request body's bytes and the :class:`ServerConfig`, and returns
  ``(status, JSON bytes, tally)``: the body is decoded and checked here (:mod:`rlvr_rewards.server.requests`; a
  refused request is its 4xx status and error body), scored, and the answer written here, so that the event loop
  only moves bytes and nothing but bytes crosses between the processes. The tally is what the metrics count:
  ``{"items": n, "errors": {kind: n}, "rewards": {(expected, behavior): (count, sum)}}`` (keys optional), and
  ``worker_s``: the seconds :func:`answer` took (the answer's ``Server-Timing``).
- ``/score`` is answered in parts (:func:`answer_part`, joined by :func:`merge_parts`): one part, or one per
  worker when the app splits a large batch over an idle pool; the parts joined are the bytes one part gives.
- The scoring functions below take the request's already-checked JSON data plus the preset, format and test
  delay, and return JSON-ready data (floats, strings, lists, dicts; NaN components as ``None``).
- **A bad sample never fails its batch.** The batch is scored with one library call; if that raises (a ground
  truth that does not load, unusable tools, any exception), its items are scored again one at a time and only
  the culprits get the preset's floor, with ``reason`` ``error_<code>``, behaviour ``invalid``, every component
  NaN (``null``) and an ``error`` object ``{"kind": code, "message"}``. The codes are the Lambda handler's
  (:data:`rlvr_rewards.aws_lambda.handler.ERROR_CODES`): ``bad_ground_truth``, ``bad_tools``, ``too_deep``,
  ``internal_error``. The message of a bad ground truth / tools names the field; for any other exception it names
  only its type (an exception's text may quote model output, which is never echoed or logged).
- Items that score fine are exactly what ``rlvr_rewards.score_batch`` gives for them (``BatchScore.to_dicts``).
- Imports only the library (never starlette): the workers are started by ``forkserver`` and stay light.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import orjson

from rlvr_rewards.aws_lambda.handler import ERROR_CODES
from rlvr_rewards.errors import GroundTruthError, ToolSpecError
from rlvr_rewards.server import requests
from rlvr_rewards.server.config import ServerConfig
from rlvr_rewards.server.requests import ApiError, Item

if TYPE_CHECKING:
    from rlvr_rewards.scoring.result import BatchScore

__all__ = [
    "Answer",
    "Scored",
    "answer",
    "answer_part",
    "get_reward",
    "init_worker",
    "merge_parts",
    "score",
    "score_columns",
    "score_items",
    "verify_item",
    "verl_scores",
    "warm",
]

#: ``(status, JSON body, tally)`` (see the module contract).
Answer = tuple[int, bytes, dict[str, Any]]
#: A batch's scores, and the errors of its floored items by index.
Scored = tuple["BatchScore", dict[int, dict[str, Any]]]


def _sleep(delay_s: float) -> None:
    if delay_s > 0:
        time.sleep(delay_s)


def init_worker() -> None:
    """Run once in every worker process as it starts: the garbage collector's thresholds of long runs
    (:data:`rlvr_rewards.util.gcsettings.GC_THRESHOLDS`: each request decodes and drops thousands of containers)."""
    import gc

    from rlvr_rewards.util.gcsettings import GC_THRESHOLDS

    gc.set_threshold(*GC_THRESHOLDS)


def warm(preset: str, format: str | None) -> int:
    """Import the library, build the registry and score one example with ``preset``; returns this pid."""
    from rlvr_rewards.scoring.core import score_batch

    truth = {"behavior": "execute", "calls": [{"name": "f", "arguments": {"x": 1}}]}
    score_batch(['<tool_call>\n{"name": "f", "arguments": {"x": 1}}\n</tool_call>'], [truth], preset=preset)
    time.sleep(0.05)  # hold this worker a moment so that the pool starts the next one for the next warm task
    return os.getpid()


def _floor_of(preset: str) -> float:
    from rlvr_rewards.plugins import get_registry

    return float(get_registry().preset(preset).floor)


def error_of(exc: BaseException) -> dict[str, Any]:
    """``{"kind", "message", "field"?}`` for an exception raised on one item (see the module contract)."""
    if isinstance(exc, (GroundTruthError, ToolSpecError)):
        kind = "bad_ground_truth" if isinstance(exc, GroundTruthError) else "bad_tools"
        out: dict[str, Any] = {"kind": kind, "message": exc.detail}
        if exc.field:
            out["field"] = exc.field
        return out
    if isinstance(exc, RecursionError):
        return {"kind": "too_deep", "message": ERROR_CODES["too_deep"]}
    return {"kind": "internal_error", "message": f"the library raised {type(exc).__name__} on this item (a bug)"}


def _floored(preset: str, error: dict[str, Any]) -> BatchScore:
    """A floored item as a batch of one: the preset's floor, ``error_<kind>``, behaviour ``invalid``."""
    import numpy as np

    from rlvr_rewards.plugins import get_registry
    from rlvr_rewards.scoring.result import BatchScore

    found = get_registry().preset(preset)
    return BatchScore(
        rewards=np.array([float(found.floor)]),
        components={},
        reasons=[f"error_{error['kind']}"],
        behaviors=["invalid"],
        expected=["unknown"],
        violations=[()],
        preset=preset,
        reward_range=found.reward_range,
    )


def _batch(items: Sequence[Item], preset: str, format: str | None) -> BatchScore:
    from rlvr_rewards.scoring.core import score_batch

    return score_batch(
        [c for c, _, _ in items], [t for _, t, _ in items], tools=[x for _, _, x in items], preset=preset, format=format
    )


def score(items: Sequence[Item], preset: str, format: str | None, delay_s: float = 0.0) -> Scored:
    """The items scored as one batch, and the errors of the floored ones by index (see the module contract): one
    library call; if it raises, the items one at a time, the culprits floored (their components all NaN)."""
    from rlvr_rewards.scoring.result import concat_batches

    _sleep(delay_s)
    try:
        return _batch(items, preset, format), {}
    except Exception:  # scored again one at a time below: only the culprits are floored
        pass
    parts: list[BatchScore] = []
    errors: dict[int, dict[str, Any]] = {}
    for i, item in enumerate(items):
        try:
            parts.append(_batch([item], preset, format))
        except Exception as exc:
            errors[i] = error_of(exc)
            parts.append(_floored(preset, errors[i]))
    return concat_batches(parts, None), errors


def score_items(items: Sequence[Item], preset: str, format: str | None, delay_s: float = 0.0) -> list[dict[str, Any]]:
    """One score dict per item, in order (``/score`` with ``layout`` ``items``): ``BatchScore.to_dicts``, and
    ``error`` in a floored item's."""
    batch, errors = score(items, preset, format, delay_s)
    out = list(batch.to_dicts())
    for i, error in errors.items():
        out[i]["error"] = error
    return out


def _nulled(column: Any) -> list[Any]:
    """A float column as a list with ``None`` for NaN (a component that does not apply), in numpy's C loops."""
    import numpy as np

    missing = np.isnan(column)
    if not missing.any():
        return list(column.tolist())
    out = column.astype(object)
    out[missing] = None
    return list(out.tolist())


def score_columns(
    items: Sequence[Item], preset: str, format: str | None, delay_s: float = 0.0, offset: int = 0
) -> dict[str, Any]:
    """The scores as columns (``/score`` with ``layout`` ``columns``; docs/server.md): ``rewards``, ``components``
    (``{name: [value or null]}``), ``reasons``, ``behaviors``, ``expected``, ``violations``, ``trajectories``
    (``[{"item", "turn_rewards", "step_rewards", "details"}]`` for the items whose turns were scored) and
    ``errors`` (``[{"item", "kind", "message", "field"?}]`` for the floored items); ``item`` counts from
    ``offset`` (the first item's index in the request). Transposed, the same values as :func:`score_items`
    (tested)."""
    batch, errors = score(items, preset, format, delay_s)
    return {
        "rewards": batch.rewards.tolist(),
        "components": {k: _nulled(v) for k, v in batch.components.items()},
        "reasons": list(batch.reasons),
        "behaviors": list(batch.behaviors),
        "expected": list(batch.expected),
        "violations": list(batch.violations),  # (tuples: written as JSON arrays)
        "trajectories": [
            {
                "item": offset + i,
                "turn_rewards": t[0].tolist(),
                "step_rewards": t[1].tolist(),
                "details": dict(t[2] or {}),
            }
            for i, t in sorted((batch.trajectories or {}).items())
        ],
        "errors": [{"item": offset + i, **e} for i, e in sorted(errors.items())],
    }


def verify_item(item: Item, preset: str, format: str | None, delay_s: float = 0.0) -> dict[str, Any]:
    """One score dict (``/verify``)."""
    return score_items([item], preset, format, delay_s)[0]


def _plain(value: Any) -> Any:
    """A tensor or array as a list of floats (``reward_func`` returns torch tensors when torch is imported)."""
    return value.tolist() if hasattr(value, "tolist") else list(value)


def _openrlhf_call(queries: Sequence[Any], prompts: Sequence[Any], labels: Sequence[Any]) -> dict[str, Any]:
    from rlvr_rewards.integrations.openrlhf import reward_func

    # reward_func returns torch tensors when `import torch` succeeds; here the answer is JSON, and importing torch
    # would cost each worker seconds and hundreds of MB: it is made to fail for this call only.
    blocked = "torch" not in sys.modules
    if blocked:
        sys.modules["torch"] = None  # type: ignore[assignment]  # (a None entry makes `import torch` raise)
    try:
        out = reward_func(queries, prompts, labels)
    finally:
        if blocked:
            sys.modules.pop("torch", None)
    return {
        "rewards": _plain(out["rewards"]),
        "scores": _plain(out["scores"]),
        "extra_logs": {k: _plain(v) for k, v in out["extra_logs"].items()},
    }


def get_reward(
    queries: Sequence[Any],
    prompts: Sequence[Any],
    labels: Sequence[Any],
    preset: str,
    format: str | None,
    delay_s: float,
) -> dict[str, Any]:
    """OpenRLHF's remote reward answer (``/get_reward``): ``rlvr_rewards.integrations.openrlhf.reward_func`` with
    this server's preset and format; floored samples get the floor and every ``extra_logs`` key at 0.0, plus an
    ``error`` column (1.0 for them) present only when some sample was floored."""
    _sleep(delay_s)
    os.environ["RLVR_PRESET"] = preset  # reward_func reads its settings there (one task at a time per worker)
    if format:
        os.environ["RLVR_FORMAT"] = format
    else:
        os.environ.pop("RLVR_FORMAT", None)
    n = len(queries)
    if n == 0:
        return {"rewards": [], "scores": [], "extra_logs": {}}
    try:
        return _openrlhf_call(queries, prompts, labels)
    except Exception:  # scored again one at a time below: only the culprits are floored
        pass
    floor = _floor_of(preset)
    parts: list[dict[str, Any] | None] = []
    for i in range(n):
        try:
            parts.append(_openrlhf_call(queries[i : i + 1], prompts[i : i + 1], labels[i : i + 1]))
        except Exception:
            parts.append(None)
    keys = next((list(p["extra_logs"]) for p in parts if p is not None), [])
    rewards = [floor if p is None else p["rewards"][0] for p in parts]
    logs = {k: [0.0 if p is None else p["extra_logs"][k][0] for p in parts] for k in keys}
    logs["error"] = [1.0 if p is None else 0.0 for p in parts]
    return {"rewards": rewards, "scores": list(rewards), "extra_logs": logs}


def verl_scores(
    calls: Sequence[dict[str, Any]], preset: str, format: str | None, delay_s: float
) -> tuple[list[Any], list[str]]:
    """``rlvr_rewards.integrations.verl.compute_score(**call)`` per call (``/verl/compute_score``), and the error
    kinds of the calls that raised. Such a call gets the same keys as the others, all 0.0, with ``score`` at the
    floor (veRL stacks the keys of the first sample over the batch, so the key set never changes)."""
    from rlvr_rewards.integrations.verl import compute_score, result_keys

    _sleep(delay_s)
    out: list[Any] = []
    errors: list[str] = []
    for call in calls:
        try:
            out.append(compute_score(**call, preset=preset, format=format))
        except Exception as exc:
            floored: dict[str, Any] = dict.fromkeys(result_keys(preset), 0.0)
            floored["score"] = _floor_of(preset)
            out.append(floored)
            errors.append(error_of(exc)["kind"])
    return out, errors


# ------------------------------------------------------------------------------------------- a request's answer


def dumps(value: Any) -> bytes:
    """JSON bytes of an answer: orjson, or the stdlib where orjson cannot write a value (an integer beyond 64
    bits, which ``/verify`` echoes from the request)."""
    try:
        return orjson.dumps(value)
    except TypeError:  # (orjson.JSONEncodeError is one)
        return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


def _tally_dicts(scores: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """:func:`_tally` of score dicts (the items layout, ``/verify``)."""
    return _tally(
        [s["expected"] for s in scores],
        [s["behavior"] for s in scores],
        [s["reward"] for s in scores],
        [s["error"] for s in scores if "error" in s],
    )


def _tally(expected: Sequence[str], behaviors: Sequence[str], rewards: Sequence[float], errors: Any) -> dict[str, Any]:
    """What the metrics count of scored items: items, floored items by kind, rewards by expected and behaviour
    (count and sum of the finite rewards per cell)."""
    cells = list(zip(expected, behaviors, strict=True))
    sums: dict[tuple[str, str], float] = dict.fromkeys(cells, 0.0)
    for cell, reward in zip(cells, rewards, strict=True):
        if math.isfinite(reward):
            sums[cell] += reward
    counts = Counter(cells)
    kinds = dict(Counter(error["kind"] for error in errors))
    return {"items": len(cells), "errors": kinds, "rewards": {k: (counts[k], sums[k]) for k in sums}}


def answer_part(body: bytes, config: ServerConfig, part: int = 0, parts: int = 1) -> dict[str, Any] | None:
    """Part ``part`` (of ``parts``) of the answer to a ``/score`` body: every part decodes and checks the whole
    body; in the ``columns`` layout each scores its own consecutive share of the items
    (``[part * n // parts, (part + 1) * n // parts)``) and returns ``{"columns", "tally", "worker_s"}``; a refused
    request or the ``items`` layout is answered whole by part 0 (``{"answer", "worker_s"}``) and the other parts
    return ``None``. :func:`merge_parts` makes the answer of the parts."""
    started = time.perf_counter()
    try:
        items, preset, fmt, layout = requests.score_request(requests.decode(body), config)
    except ApiError as exc:
        whole: Answer = (exc.status, dumps(exc.body()), {"errors": {exc.kind: 1}})
        return None if part else {"answer": whole, "worker_s": time.perf_counter() - started}
    if layout != "columns":
        if part:
            return None
        scores = score_items(items, preset, fmt, config.delay_s)
        tally = _tally_dicts(scores)
        whole = (200, dumps({"rewards": [s["reward"] for s in scores], "scores": scores}), tally)
        return {"answer": whole, "worker_s": time.perf_counter() - started}
    n = len(items)
    lo, hi = part * n // parts, (part + 1) * n // parts
    columns = score_columns(items[lo:hi], preset, fmt, config.delay_s, offset=lo)
    tally = _tally(columns["expected"], columns["behaviors"], columns["rewards"], columns["errors"])
    return {"columns": columns, "tally": tally, "worker_s": time.perf_counter() - started}


def _merge_tallies(tallies: Sequence[dict[str, Any]]) -> dict[str, Any]:
    errors: Counter[str] = Counter()
    cells: dict[tuple[str, str], list[float]] = {}
    for t in tallies:
        errors.update(t.get("errors", {}))
        for key, (count, total) in t.get("rewards", {}).items():
            cell = cells.setdefault(key, [0, 0.0])
            cell[0] += count
            cell[1] += total
    items = sum(t.get("items", 0) for t in tallies)
    return {"items": items, "errors": dict(errors), "rewards": {k: tuple(v) for k, v in cells.items()}}


def merge_parts(parts: Sequence[dict[str, Any] | None]) -> Answer:
    """The ``/score`` answer of the parts :func:`answer_part` returned, in order: the whole answer one of them
    gave, or their columns joined (a component a part lacks is ``null`` for its items, as ``score_batch`` writes
    a component that does not apply). The tally's ``worker_s`` is the longest part's."""
    given = [p for p in parts if p is not None]
    worker_s = max(p["worker_s"] for p in given)
    whole = next((p["answer"] for p in given if "answer" in p), None)
    if whole is not None:
        status, payload, tally = whole
        return status, payload, {**tally, "worker_s": worker_s}
    cols = [p["columns"] for p in given]
    if len(cols) == 1:
        merged = cols[0]
    else:
        names = list(dict.fromkeys(k for c in cols for k in c["components"]))
        components = {k: [v for c in cols for v in c["components"].get(k, [None] * len(c["rewards"]))] for k in names}
        # the fields in score_columns' order, each the parts' lists one after the other
        merged = {f: components if f == "components" else [v for c in cols for v in c[f]] for f in cols[0]}
    tally = _merge_tallies([p["tally"] for p in given])
    return 200, dumps({"layout": "columns", **merged}), {**tally, "worker_s": worker_s}


def _get_reward_answer(body: Any, config: ServerConfig) -> Answer:
    queries, prompts, labels = requests.openrlhf_request(body, config)
    out = get_reward(queries, prompts, labels, config.preset, config.format, config.delay_s)
    floored = int(sum(out["extra_logs"].get("error", ())))
    return 200, dumps(out), {"items": len(queries), "errors": {"floored": floored} if floored else {}}


def _verl_answer(body: Any, config: ServerConfig) -> Answer:
    calls, single = requests.verl_request(body, config)
    results, errors = verl_scores(calls, config.preset, config.format, config.delay_s)
    return 200, dumps(results[0] if single else results), {"items": len(calls), "errors": dict(Counter(errors))}


def _verify_answer(body: Any, config: ServerConfig) -> Answer:
    item = requests.verify_request(body)
    result = verify_item(item, config.preset, config.format, config.delay_s)
    out = {**body, "reward": result["reward"], "rlvr": result}
    if "error" in result:
        out["failure_reason"] = f"{result['error']['kind']}: {result['error']['message']}"
    return 200, dumps(out), _tally_dicts([result])


_ANSWERS: dict[str, Callable[[Any, ServerConfig], Answer]] = {
    "/get_reward": _get_reward_answer,
    "/verl/compute_score": _verl_answer,
    "/verify": _verify_answer,
}


def answer(endpoint: str, body: bytes, config: ServerConfig) -> Answer:
    """The answer to ``body`` posted to ``endpoint`` (see the module contract); a refused request is its 4xx."""
    started = time.perf_counter()
    if endpoint == "/score":
        status, payload, tally = merge_parts([answer_part(body, config)])
        tally["worker_s"] = time.perf_counter() - started  # (the answer's writing included)
        return status, payload, tally
    try:
        status, payload, tally = _ANSWERS[endpoint](requests.decode(body), config)
    except ApiError as exc:
        status, payload, tally = exc.status, dumps(exc.body()), {"errors": {exc.kind: 1}}
    tally["worker_s"] = time.perf_counter() - started
    return status, payload, tally
