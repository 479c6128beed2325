"""What the reward server's worker processes run: plain, picklable functions of plain data.

Contract:

- Each function takes the request's already-validated JSON data plus the preset, format and test delay, and
  returns JSON-ready data (floats, strings, lists, dicts; NaN components as ``None``).
- **A bad sample never fails its batch.** The batch is scored with one library call; if that raises (a ground
  truth that does not load, unusable tools, any exception), its items are scored again one at a time and only
  the culprits get the preset's floor, with ``reason`` ``error_<code>`` and an ``error`` object
  ``{"kind": code, "message"}``. The codes are the Lambda handler's
  (:data:`rlvr_rewards.aws_lambda.handler.ERROR_CODES`): ``bad_ground_truth``, ``bad_tools``, ``too_deep``,
  ``internal_error``. The message of a bad ground truth / tools names the field; for any other exception it names
  only its type (an exception's text may quote model output, which is never echoed or logged).
- Items that score fine are exactly what ``rlvr_rewards.score_batch`` gives for them (``BatchScore.to_dicts``).
- Imports only the library (never starlette): the workers are started by ``forkserver`` and stay light.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from rlvr_rewards.aws_lambda.handler import ERROR_CODES
from rlvr_rewards.errors import GroundTruthError, ToolSpecError

__all__ = ["get_reward", "score_items", "verify_item", "verl_scores", "warm"]

#: One item to score: (completion, ground truth or whole row, tools or None).
Item = tuple[Any, Any, Any]


def _sleep(delay_s: float) -> None:
    if delay_s > 0:
        time.sleep(delay_s)


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


def _floored(floor: float, error: dict[str, Any]) -> dict[str, Any]:
    return {
        "reward": floor,
        "components": {},
        "reason": f"error_{error['kind']}",
        "behavior": "invalid",
        "expected": "unknown",
        "violations": [],
        "error": error,
    }


def _batch(items: Sequence[Item], preset: str, format: str | None) -> list[dict[str, Any]]:
    from rlvr_rewards.scoring.core import score_batch

    batch = score_batch(
        [c for c, _, _ in items], [t for _, t, _ in items], tools=[x for _, _, x in items], preset=preset, format=format
    )
    return list(batch.to_dicts())


def _with_fallback(
    n: int, whole: Callable[[], list[Any]], one: Callable[[int], Any], floored: Callable[[dict[str, Any]], Any]
) -> list[Any]:
    """``whole()``; if it raises, ``one(i)`` for each item, ``floored(error)`` for the items that raise."""
    try:
        return whole()
    except Exception:  # scored again one at a time below: only the culprits are floored
        pass
    out = []
    for i in range(n):
        try:
            out.append(one(i))
        except Exception as exc:
            out.append(floored(error_of(exc)))
    return out


def score_items(items: Sequence[Item], preset: str, format: str | None, delay_s: float = 0.0) -> list[dict[str, Any]]:
    """One score dict per item, in order (``/score``)."""
    _sleep(delay_s)
    if not items:
        return []
    floor = _floor_of(preset)
    return _with_fallback(
        len(items),
        lambda: _batch(items, preset, format),
        lambda i: _batch([items[i]], preset, format)[0],
        lambda error: _floored(floor, error),
    )


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
