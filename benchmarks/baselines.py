"""Baselines the throughput benchmark measures ``rlvr_rewards`` against, written the way users write them.

- :func:`parse_floor`: the bare parse floor. Extract each ``<tool_call>`` body with one precompiled,
  non-greedy regex (inputs are benign here) and ``orjson.loads`` it; nothing else (no scoring, no
  validation). For OpenAI messages, ``orjson.loads`` of each ``tool_calls[].function.arguments``.
  Any reward function has to do at least this much work.
- :func:`naive_aws_blog`: a naive per-sample reward in the style of the AWS post: per sample,
  regex-extract the calls and ``json.loads`` each, ``json.loads`` the blog-dialect truth; an execute
  truth (a JSON list of calls) scores 1.0 when the sets of tool names are equal and every expected
  call has a predicted call of that name with ``==`` arguments, 0.5 when the names are equal or
  overlap otherwise, 0.0 else; a text truth (clarify / refuse) scores 0.0 if there is any call, else
  1.0. Any exception (broken JSON, a call without ``name``) gives 0.0.
- :func:`naive_jsonschema`: the same per-sample reward, but every decoded call is first checked with
  ``jsonschema.validate(arguments, schema_of_its_tool)`` (the library's documented one-call API, which
  also checks the schema itself each time); an unknown tool or a failed validation gives 0.0.

Both are plain, unoptimised Python loops, but not sabotaged: the regex is compiled once and the
fast path is the obvious one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import jsonschema
import orjson

__all__ = ["naive_aws_blog", "naive_jsonschema", "parse_floor"]

_TOOL_CALL_RE = re.compile(r"<tool_call>\s*(.*?)\s*</tool_call>", re.DOTALL)


def parse_floor(completions: Sequence[Any]) -> list[list[Any]]:
    """The decoded tool-call JSON of each completion (``None`` for a block that does not decode)."""
    out: list[list[Any]] = []
    for completion in completions:
        calls: list[Any] = []
        if isinstance(completion, dict):
            for tc in completion.get("tool_calls") or ():
                try:
                    calls.append(orjson.loads(tc["function"]["arguments"]))
                except orjson.JSONDecodeError:
                    calls.append(None)
        else:
            for body in _TOOL_CALL_RE.findall(completion):
                try:
                    calls.append(orjson.loads(body))
                except orjson.JSONDecodeError:
                    calls.append(None)
        out.append(calls)
    return out


def _extract_calls(completion: Any) -> list[dict[str, Any]]:
    if isinstance(completion, dict):  # OpenAI assistant message
        return [
            {"name": tc["function"]["name"], "arguments": json.loads(tc["function"]["arguments"])}
            for tc in completion.get("tool_calls") or []
        ]
    return [json.loads(body) for body in _TOOL_CALL_RE.findall(completion)]


def _reward(completion: Any, truth: str) -> float:
    calls = _extract_calls(completion)
    try:
        expected = json.loads(truth)
    except json.JSONDecodeError:
        expected = None
    if not isinstance(expected, list):  # clarify / refuse: the reference reply as text
        return 0.0 if calls else 1.0
    if not calls:
        return 0.0
    pred_names = {c["name"] for c in calls}
    truth_names = {c["name"] for c in expected}
    if pred_names == truth_names:
        for want in expected:
            if not any(c["name"] == want["name"] and c["arguments"] == want["arguments"] for c in calls):
                return 0.5
        return 1.0
    if pred_names & truth_names:
        return 0.5
    return 0.0


def naive_aws_blog(completions: Sequence[Any], blog_truths: Sequence[str]) -> list[float]:
    """The AWS-post style reward of each completion against its blog-dialect truth (1.0 / 0.5 / 0.0)."""
    rewards: list[float] = []
    for completion, truth in zip(completions, blog_truths, strict=True):
        try:
            rewards.append(_reward(completion, truth))
        except Exception:
            rewards.append(0.0)
    return rewards


def _schemas(tools: Sequence[Any]) -> dict[str, Any]:
    out = {}
    for t in tools:
        fn = t.get("function", t)
        out[fn["name"]] = fn.get("parameters", {"type": "object"})
    return out


def naive_jsonschema(completions: Sequence[Any], blog_truths: Sequence[str], tools: Sequence[Any]) -> list[float]:
    """The AWS-post style reward with ``jsonschema.validate`` on every call (0.0 if any call fails it)."""
    rewards: list[float] = []
    for completion, truth in zip(completions, blog_truths, strict=True):
        try:
            schemas = _schemas(tools)
            for call in _extract_calls(completion):
                jsonschema.validate(call["arguments"], schemas[call["name"]])
            rewards.append(_reward(completion, truth))
        except Exception:  # invalid JSON, unknown tool, jsonschema.ValidationError
            rewards.append(0.0)
    return rewards
