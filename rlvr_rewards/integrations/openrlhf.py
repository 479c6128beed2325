"""OpenRLHF custom reward function (``--reward.remote_url path/to/this/file.py`` in OpenRLHF 0.11.2): the
``reward_func(queries, prompts, labels, **kwargs)`` interface in its dict form (``rewards``, ``scores``,
``extra_logs``), matched against OpenRLHF 0.11.2 (its ``SingleTurnAgentExecutor`` loads the file, calls
the function once per sample with the query decoded *with* special tokens, reads ``scores`` falling back
to ``rewards``, and reduces each ``extra_logs`` value to its first element).

Contract: ``queries[i]`` is the prompt followed by the response, decoded from tokens; ``prompts[i]`` is the
prompt text; ``labels[i]`` is the ground truth (any form ``rr.score`` accepts). Only the response is
scored; :func:`split_response` finds it:

1. the query starts with the prompt (no truncation): the rest of the query;
2. otherwise OpenRLHF cut the prompt from the left (``prompt_token_ids[-max_prompt_length:]``) and the
   query starts with the prompt's end part only: after the longest end part of the prompt that starts the
   query (at least :data:`MIN_KEPT` characters; leading U+FFFD from a multi-byte character cut in two
   skipped);
3. the decoded prompt differs from the prompt text (a tokenizer's clean-up of spaces): after the query's
   *last* assistant-turn start of the prompt's chat-template family (:data:`ASSISTANT_TURNS`: ChatML/Qwen
   ``<|im_start|>assistant``, Llama 3 ``<|start_header_id|>assistant<|end_header_id|>``; the family is the
   one whose turn start comes last in the prompt), plus the text the prompt has after that turn start
   (``"\\n"``, an empty ``<think></think>`` block...) when the query has it there too;
4. nothing of the prompt found: the whole query.

A trailing end-of-turn token (:data:`END_TOKENS`) is dropped from the response.

Returns ``{"rewards": list[float], "scores": list[float], "extra_logs": {key: list[float]}}`` where
``scores`` equals ``rewards`` (OpenRLHF uses it for dynamic filtering) and ``extra_logs`` holds every
component of the preset for every sample (the same keys whatever the sample: NaN replaced by 0.0, with an
``applies/<component>`` 0/1 column so means stay honest; :mod:`rlvr_rewards.integrations._keys`). When
torch is importable the three are returned as float32 tensors, as OpenRLHF's own examples do. With
``RLVR_REWARDS_URL`` set, the responses are scored on that reward server instead of in-process, with the same
result (:mod:`rlvr_rewards.integrations._remote`, docs/server.md "Remote scoring").
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

__all__ = ["ASSISTANT_TURNS", "END_TOKENS", "MIN_KEPT", "reward_func", "split_response"]


#: End-of-turn tokens a query decoded with special tokens ends with (Qwen/ChatML, Llama 3, Llama 2, GPT-2).
END_TOKENS = ("<|im_end|>", "<|eot_id|>", "<|end_of_text|>", "<|endoftext|>", "</s>")

#: Assistant-turn starts of the chat-template families the split recognises.
ASSISTANT_TURNS = (
    "<|im_start|>assistant",  # ChatML: Qwen 1.5-3, and the many templates copied from it
    "<|start_header_id|>assistant<|end_header_id|>",  # Llama 3.x
)


def _kept_prompt_end(query: str, prompt: str) -> int:
    """Length of the longest end part of ``prompt`` that starts ``query`` (KMP over the prompt, O(n))."""
    pattern = query[: len(prompt)]
    if not pattern:
        return 0
    failure = [0] * len(pattern)
    k = 0
    for i in range(1, len(pattern)):
        while k and pattern[i] != pattern[k]:
            k = failure[k - 1]
        if pattern[i] == pattern[k]:
            k += 1
        failure[i] = k
    k = 0
    for ch in prompt:
        while k and (k == len(pattern) or ch != pattern[k]):
            k = failure[k - 1]
        if k < len(pattern) and ch == pattern[k]:
            k += 1
    return k


#: The shortest kept end part of the prompt that is trusted as the part the truncation kept; a shorter
#: overlap between the prompt's end and the query's start can be chance.
MIN_KEPT = 8


def _response_start(query: str, prompt: str) -> int:
    if query.startswith(prompt):
        return len(prompt)
    skipped = len(query) - len(query.lstrip("\ufffd"))  # a multi-byte character the truncation cut in two
    kept = _kept_prompt_end(query[skipped:], prompt)
    if kept >= min(MIN_KEPT, len(prompt)) and kept:  # the prompt's end, exactly as the truncation kept it
        return skipped + kept
    # the decoded prompt differs from the prompt text (a tokenizer's clean-up of spaces, say): the last
    # assistant-turn start of the prompt's template family, and what the prompt has after it
    found = [(prompt.rfind(turn), turn) for turn in ASSISTANT_TURNS]
    at, turn = max(found)
    if at >= 0:
        where = query.rfind(turn)
        if where >= 0:
            start = where + len(turn)
            after = prompt[at + len(turn) :]
            return start + len(after) if query.startswith(after, start) else start
    return skipped + kept


def split_response(query: str, prompt: str) -> str:
    """The response part of an OpenRLHF query (prompt, possibly cut from the left, + response [+ end token])."""
    if not isinstance(query, str):
        return query
    response = query[_response_start(query, prompt if isinstance(prompt, str) else "") :]
    stripped = response.rstrip()
    for token in END_TOKENS:
        if stripped.endswith(token):
            return stripped[: -len(token)]
    return response


def reward_func(queries: Sequence[str], prompts: Sequence[str], labels: Sequence[Any], **kwargs: Any) -> dict[str, Any]:
    from rlvr_rewards.integrations._keys import columns
    from rlvr_rewards.integrations._remote import score_batch  # in-process, or RLVR_REWARDS_URL's server

    responses = [split_response(q, p) for q, p in zip(queries, prompts, strict=True)]
    batch = score_batch(
        responses,
        list(labels),
        preset=os.environ.get("RLVR_PRESET", "graded"),
        format=os.environ.get("RLVR_FORMAT") or None,
    )
    logs = columns(batch)  # one key set for every sample (the _keys module's contract)
    rewards = logs.pop("score")
    out: dict[str, Any] = {"rewards": rewards, "scores": list(rewards), "extra_logs": logs}
    try:
        import torch
    except ImportError:
        return out
    return {
        "rewards": torch.tensor(rewards, dtype=torch.float32),
        "scores": torch.tensor(rewards, dtype=torch.float32),
        "extra_logs": {k: torch.tensor(v, dtype=torch.float32) for k, v in logs.items()},
    }
