"""The ToolRL reward (Qian et al., "ToolRL: Reward is All Tool Learning Needs", arXiv 2504.13958).

Contract (pure functions, never raising):

- :func:`format_reward` in {0, 1}. For raw text, as published: the completion is exactly
  ``<think>...</think>\\n<tool_call>\\n...\\n</tool_call>`` with one ``<tool_call>`` block when the truth
  calls tools, and ``<think>...</think>\\n<response>...</response>`` with one ``<response>`` block when
  it does not. Adaptation: for a no-call truth, ``<think>...</think>\\n`` followed by plain text with no
  call also passes (this project's data has no ``<response>`` tags). For an OpenAI message, the same
  rule on its parts: reasoning present, and only calls (execute truth) or only text (no-call truth).
- :func:`correctness_reward` in [-3, 3]: 0 for a truth without calls (as published); -3 when the
  completion has no decodable call or a fatal parse error; 3 for an exact, in-order match; otherwise
  ``6 * S / S_max - 3`` where ``S`` is the frequency-aware Jaccard of the tool-name lists plus, for each
  expected call in order, the best still-unused predicted call of the same name scored as the Jaccard
  of the parameter-name lists plus the number of expected values it equals (Python ``==``, or the
  matcher), and ``S_max = 1 + sum(1 + #parameters)`` over the expected calls.

The published reward is ``format + correctness`` in [-3, 4]; the ``toolrl`` preset reproduces it from the
components ``toolrl_format`` (= format) and ``toolrl_correctness`` (= (correctness + 3) / 6).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from rlvr_rewards.groundtruth.truths import CompiledCall, CompiledTruth
from rlvr_rewards.parsing.types import ParsedCall, ParseResult

__all__ = ["correctness_reward", "format_reward", "match_score"]

_FATAL = frozenset(
    {
        "invalid_json",
        "nonfinite_number",
        "nesting_too_deep",
        "number_too_large",
        "invalid_unicode",
        "too_long",
        "over_budget",
        "empty",
        "pythonic_not_call",
        "python_literal_json",  # ToolRL decodes each call with json.loads: a Python literal fails there
        "pythonic_bare_name",  # (and a bare name for a value)
    }
)


def match_score(a: Sequence[Any], b: Sequence[Any]) -> float:
    """Frequency-aware Jaccard of two lists (1.0 when equal, 0.0 when either is empty)."""
    if list(a) == list(b):
        return 1.0
    if not a or not b:
        return 0.0
    inter = sum((Counter(a) & Counter(b)).values())
    union = len(a) + len(b) - inter
    return inter / union if union else 0.0


def _text_format(s: str, expects_call: bool) -> bool:
    if not s.startswith("<think>"):
        return False
    if expects_call:
        head = "</think>\n<tool_call>\n"
        at = s.find(head)
        return (
            at >= 0
            and s.count("<tool_call>") == 1
            and s.count("</tool_call>") == 1
            and s.endswith("\n</tool_call>")
            and at + len(head) <= len(s) - len("\n</tool_call>")
        )
    if (
        s.endswith("</response>")
        and s.count("<response>") == 1
        and s.count("</response>") == 1
        and "</think>\n<response>" in s
    ):
        return True
    at = s.find("</think>\n")
    return at >= 0 and "<tool_call>" not in s and bool(s[at + len("</think>\n") :].strip())


def format_reward(raw: Any, parse: ParseResult, truth: CompiledTruth) -> float:
    expects_call = truth.behavior == "execute"
    if isinstance(raw, str):
        return 1.0 if _text_format(raw, expects_call) else 0.0
    if not parse.think or _FATAL.intersection(parse.violations):
        return 0.0
    if expects_call:
        return 1.0 if parse.calls and not parse.text else 0.0
    return 1.0 if parse.text and not parse.calls and not parse.attempted_call else 0.0


def _value_equal(expected: CompiledCall, key: str, value: Any) -> bool:
    if expected.plain_arguments is not None:
        return bool(value == expected.plain_arguments[key])  # the paper's Python equality
    return expected.matchers[key].match(value)


def _exact(preds: Sequence[ParsedCall], calls: Sequence[CompiledCall]) -> bool:
    if len(preds) != len(calls):
        return False
    for p, c in zip(preds, calls, strict=True):
        if p.name != c.name or p.arguments is None or set(p.arguments) != set(c.arguments):
            return False
        if not all(_value_equal(c, k, v) for k, v in p.arguments.items()):
            return False
    return True


def correctness_reward(parse: ParseResult, truth: CompiledTruth) -> float:
    if truth.behavior != "execute":
        return 0.0
    preds = parse.calls
    if not preds or _FATAL.intersection(parse.violations):
        return -3.0
    calls = truth.calls
    if _exact(preds, calls):
        return 3.0
    score = match_score([c.name for c in calls], [p.name for p in preds])
    s_max = 1.0
    used: set[int] = set()
    for c in calls:
        s_max += 1.0 + len(c.arguments)
        best, best_i = 0.0, -1
        for i, p in enumerate(preds):
            if i in used or p.name != c.name:
                continue
            args = p.arguments or {}
            total = match_score(list(c.arguments), list(args)) + sum(
                1.0 for k in c.arguments if k in args and _value_equal(c, k, args[k])
            )
            if total > best:
                best, best_i = total, i
        if best_i >= 0:
            used.add(best_i)
            score += best
    return 6.0 * score / s_max - 3.0
