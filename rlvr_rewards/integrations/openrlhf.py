"""OpenRLHF custom reward function (``--remote_rm_url path/to/this/file.py``): the
``reward_func(queries, prompts, labels, **kwargs)`` interface in its dict form (``rewards``, ``scores``,
``extra_logs``), matched against OpenRLHF 0.11.2 (its ``SingleTurnAgentExecutor`` loads the file, calls
the function once per sample with the query decoded *with* special tokens, reads ``scores`` falling back
to ``rewards``, and reduces each ``extra_logs`` value to its first element).

Contract: ``queries[i]`` is the prompt followed by the response (OpenRLHF concatenates them), so the
response is ``queries[i]`` with ``prompts[i]`` removed from its start (the whole query when it does not
start with the prompt); ``labels[i]`` is the ground truth (any form ``rr.score`` accepts). Returns
``{"rewards": list[float], "scores": list[float], "extra_logs": {component: list[float]}}`` where
``scores`` equals ``rewards`` (OpenRLHF uses it for dynamic filtering) and extra logs hold every
component (NaN replaced by 0.0, with a ``<component>_applies`` 0/1 column so means stay honest). When
torch is importable the three are returned as float32 tensors, as OpenRLHF's own examples do.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import Any

__all__ = ["reward_func", "split_response"]


#: End-of-turn tokens a query decoded with special tokens ends with (Qwen/ChatML, Llama 3, Llama 2, GPT-2).
END_TOKENS = ("<|im_end|>", "<|eot_id|>", "<|end_of_text|>", "<|endoftext|>", "</s>")


def split_response(query: str, prompt: str) -> str:
    """The response part of an OpenRLHF query (prompt + response [+ end-of-turn token])."""
    if not isinstance(query, str):
        return query
    response = query[len(prompt):] if isinstance(prompt, str) and query.startswith(prompt) else query
    stripped = response.rstrip()
    for token in END_TOKENS:
        if stripped.endswith(token):
            return stripped[: -len(token)]
    return response


def reward_func(queries: Sequence[str], prompts: Sequence[str], labels: Sequence[Any], **kwargs: Any) -> dict[str, Any]:
    from rlvr_rewards.scoring.core import score_batch

    responses = [split_response(q, p) for q, p in zip(queries, prompts, strict=True)]
    batch = score_batch(responses, list(labels), preset=os.environ.get("RLVR_PRESET", "graded"))
    rewards = [float(r) for r in batch.rewards]
    logs: dict[str, list[float]] = {}
    for name, column in batch.components.items():
        logs[name] = [float(v) if math.isfinite(v) else 0.0 for v in column]
        logs[f"{name}_applies"] = [1.0 if math.isfinite(v) else 0.0 for v in column]
    out: dict[str, Any] = {"rewards": rewards, "scores": list(rewards), "extra_logs": logs}
    try:
        import torch
    except ImportError:
        return out
    return {"rewards": torch.tensor(rewards, dtype=torch.float32), "scores": torch.tensor(rewards, dtype=torch.float32),
            "extra_logs": {k: torch.tensor(v, dtype=torch.float32) for k, v in logs.items()}}
