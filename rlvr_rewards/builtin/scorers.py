"""Built-in reward components (an ordinary plugin).

Components (each in [0, 1] or NaN when not applicable):

- ``format``: 1 minus the penalties of the parse violations (see ``FORMAT_PENALTIES``), floored at 0.
- ``decision``: 1 when the completion did an accepted behaviour for the truth, else 0.
- ``tool_name``: F1 of called vs expected tool names (multisets); NaN when neither side has calls.
- ``arguments``: best one-to-one assignment of predicted to expected calls (same name), summed argument
  scores over max(#predicted, #expected); NaN unless the truth is an execute truth.
- ``schema``: fraction of predicted calls whose arguments validate against their tool's JSON Schema
  (unknown tool -> invalid); NaN when there are no calls or no tools are known for the item.
- ``clarify``: clarify quality for clarify truths (0 unless the completion clarified); NaN otherwise.
- ``refuse``: refuse quality for refuse truths (0 unless the completion refused); NaN otherwise.
- ``exact_match``: Tool-N1 style binary: 1 for a violation-free completion whose calls equal the truth
  as a multiset (every argument matched, no extras) or, for no-call truths, an accepted behaviour.
- ``aws_blog``: the AWS post's tiered score, reproduced exactly (see docs/presets.md).
- ``bfcl_match``: BFCL's AST checker verdict as 0 / 1 (see :mod:`rlvr_rewards.scoring.bfcl_match`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from rlvr_rewards.combine.presets import DEFAULT_LENGTH_BUDGET
from rlvr_rewards.groundtruth.truths import CompiledCall
from rlvr_rewards.hookspecs import hookimpl
from rlvr_rewards.scoring import toolrl
from rlvr_rewards.scoring.bfcl_match import bfcl_verdict
from rlvr_rewards.scoring.calls import CallMatch, match_calls, name_f1
from rlvr_rewards.scoring.clarify import clarify_quality, reference_similarity, refuse_quality
from rlvr_rewards.scoring.types import ScorerSpec, ScoringContext
from rlvr_rewards.vocabulary import is_accepted

__all__ = ["BUILTIN_SCORERS", "FORMAT_PENALTIES"]

_MINOR, _MAJOR, _FATAL = 0.25, 0.5, 1.0

#: Penalty per violation code for the ``format`` component (unknown plugin codes cost ``_MINOR``).
FORMAT_PENALTIES: dict[str, float] = {
    "text_with_call": _MINOR,
    "arguments_json_string": _MINOR,
    "unknown_call_keys": _MINOR,
    "repeated_think": _MINOR,
    "think_after_answer": _MINOR,
    "duplicate_keys": _MAJOR,
    "trailing_garbage": _MAJOR,
    "python_literal_json": _MAJOR,  # decodable, but not the JSON the format asks for
    "pythonic_bare_name": _MAJOR,  # read as BFCL reads it, but a name is no value
    "unclosed_tag": _MAJOR,
    "stray_closing_tag": _MAJOR,
    "empty_call_block": _MAJOR,
    "mixed_formats": _MAJOR,
    "missing_name": _MAJOR,
    "arguments_not_object": _MAJOR,
    "both_arguments_and_parameters": _MAJOR,
    "unclosed_think": _MAJOR,
    "too_many_calls": _MAJOR,
    "call_with_question": _MAJOR,
    "call_with_refusal": _MAJOR,
    "invalid_json": _FATAL,
    "too_long": _FATAL,
    "over_budget": _FATAL,
    "empty": _FATAL,
    "nonfinite_number": _FATAL,
    "nesting_too_deep": _FATAL,
    "number_too_large": _FATAL,
    "invalid_unicode": _FATAL,
    "pythonic_not_call": _FATAL,
}


_NAN = float("nan")


def _column(n: int) -> list[float]:
    return [_NAN] * n


def _matches(ctx: ScoringContext) -> list[CallMatch | None]:
    return [
        match_calls(p.calls, t, ts) if t.behavior == "execute" else None
        for p, t, ts in zip(ctx.parses, ctx.truths, ctx.toolsets, strict=True)
    ]


def call_matches(ctx: ScoringContext) -> list[CallMatch | None]:
    """The per-item call assignment, computed once per batch and shared by scorers."""
    return ctx.shared("call_matches", _matches)


def format_score(ctx: ScoringContext) -> list[float]:
    out = [1.0] * len(ctx)
    for i, p in enumerate(ctx.parses):
        if p.violations:
            penalty = sum(FORMAT_PENALTIES.get(v, _MINOR) for v in p.violations)
            out[i] = max(0.0, 1.0 - penalty)
    return out


def decision_score(ctx: ScoringContext) -> list[float]:
    return [1.0 if is_accepted(t.behavior, d) else 0.0 for t, d in zip(ctx.truths, ctx.done, strict=True)]


def tool_name_score(ctx: ScoringContext) -> list[float]:
    out = _column(len(ctx))
    for i, (p, t) in enumerate(zip(ctx.parses, ctx.truths, strict=True)):
        if p.calls or t.calls:
            out[i] = name_f1([c.name for c in p.calls], t.names)
    return out


def arguments_score(ctx: ScoringContext) -> list[float]:
    out = _column(len(ctx))
    for i, m in enumerate(call_matches(ctx)):
        if m is not None:
            out[i] = m.arguments
    return out


def schema_score(ctx: ScoringContext) -> list[float]:
    out = _column(len(ctx))
    for i, (p, ts) in enumerate(zip(ctx.parses, ctx.toolsets, strict=True)):
        if not p.calls or ts is None or len(ts) == 0:
            continue
        ok = 0
        for call in p.calls:
            tool = ts.get(call.name)
            if tool is not None and call.arguments is not None and tool.is_valid(call.arguments):
                ok += 1
        out[i] = ok / len(p.calls)
    return out


def clarify_score(ctx: ScoringContext) -> list[float]:
    out = _column(len(ctx))
    for i, (p, t, ts, d) in enumerate(zip(ctx.parses, ctx.truths, ctx.toolsets, ctx.done, strict=True)):
        if t.behavior == "clarify":
            out[i] = clarify_quality(p.text, t.missing, ts) if d == "clarify" else 0.0
    return out


def refuse_score(ctx: ScoringContext) -> list[float]:
    out = _column(len(ctx))
    for i, (p, t, d) in enumerate(zip(ctx.parses, ctx.truths, ctx.done, strict=True)):
        if t.behavior == "refuse":
            out[i] = refuse_quality(p.text) if d == "refuse" else 0.0
    return out


def refuse_reference_score(ctx: ScoringContext) -> list[float]:
    out = _column(len(ctx))
    for i, (p, t, d) in enumerate(zip(ctx.parses, ctx.truths, ctx.done, strict=True)):
        if t.behavior == "refuse" and d == "refuse":
            sim = reference_similarity(p.text, t.reference or t.reason)
            if sim is not None:
                out[i] = sim
    return out


def completion_chars(raw: object) -> int:
    """Characters the model wrote: text, or a message's content, reasoning and call arguments."""
    if isinstance(raw, str):
        return len(raw)
    if isinstance(raw, list):
        last = next((m for m in reversed(raw) if isinstance(m, dict) and m.get("role") == "assistant"), None)
        return completion_chars(last) if last is not None else 0
    if isinstance(raw, dict):
        n = 0
        for key in ("content", "reasoning_content", "reasoning"):
            v = raw.get(key)
            if isinstance(v, str):
                n += len(v)
            elif isinstance(v, list):
                n += sum(
                    len(part.get("text", ""))
                    for part in v
                    if isinstance(part, dict) and isinstance(part.get("text"), str)
                )
        calls = raw.get("tool_calls")
        if isinstance(calls, list):
            for c in calls:
                fn = c.get("function") if isinstance(c, dict) else None
                args = fn.get("arguments") if isinstance(fn, dict) else None
                n += len(args) if isinstance(args, str) else 0
        return n
    return 0


def length_score(ctx: ScoringContext) -> list[float]:
    """1 up to the preset's soft length budget, falling linearly to 0 at the hard budget."""
    soft, hard = getattr(ctx.options.get("preset"), "length_budget", DEFAULT_LENGTH_BUDGET)
    span = max(hard - soft, 1)
    return [min(max((hard - float(completion_chars(r))) / span, 0.0), 1.0) for r in ctx.raw]


def toolrl_format_score(ctx: ScoringContext) -> list[float]:
    return [float(toolrl.format_reward(r, p, t)) for r, p, t in zip(ctx.raw, ctx.parses, ctx.truths, strict=True)]


def toolrl_correctness_score(ctx: ScoringContext) -> list[float]:
    return [(toolrl.correctness_reward(p, t) + 3.0) / 6.0 for p, t in zip(ctx.parses, ctx.truths, strict=True)]


def exact_match_score(ctx: ScoringContext) -> list[float]:
    out = [0.0] * len(ctx)
    for i, (p, t, d, m) in enumerate(zip(ctx.parses, ctx.truths, ctx.done, call_matches(ctx), strict=True)):
        if p.violations:
            continue
        if t.behavior != "execute":
            out[i] = 1.0 if is_accepted(t.behavior, d) else 0.0
        elif m is not None and m.n_pred == m.n_truth == len(m.pairs) and all(s == 1.0 for *_, s in m.pairs):
            out[i] = 1.0
    return out


def _blog_equal(args: dict[str, Any] | None, expected: CompiledCall) -> bool:
    if expected.plain_arguments is not None:
        return args == dict(expected.plain_arguments)  # the post compares decoded dicts with Python ==
    return (
        isinstance(args, dict)
        and set(args) <= set(expected.matchers)
        and all(
            (k in args and m.match(args[k])) or (k not in args and m.optional) for k, m in expected.matchers.items()
        )
    )


#: Violations of calls that decode here but not with ``json.loads`` (the AWS post's decoder).
_NOT_JSON: Final = frozenset({"python_literal_json", "pythonic_bare_name"})


def aws_blog_score(ctx: ScoringContext) -> list[float]:
    """1.0 / 0.5 / 0.0 exactly as the AWS post (Python equality on decoded arguments)."""
    out = [0.0] * len(ctx)
    for i, (p, t) in enumerate(zip(ctx.parses, ctx.truths, strict=True)):
        # the post decodes with json.loads: a call written as a Python literal, or with a bare name for a value,
        # does not decode there
        calls = [c for c in p.calls if c.name] if _NOT_JSON.isdisjoint(p.violations) else []
        if t.behavior != "execute":
            # a call attempt that does not decode still counts: the post's try/except scores it 0.0
            out[i] = 0.0 if (calls or p.attempted_call) else 1.0
            continue
        if not calls:
            continue
        pred_names = {c.name for c in calls}
        truth_names = set(t.names)
        if pred_names == truth_names:
            # every expected call must have a predicted call of that name with equal arguments
            equal = all(any(c.name == tc.name and _blog_equal(c.arguments, tc) for c in calls) for tc in t.calls)
            out[i] = 1.0 if equal else 0.5
        elif pred_names & truth_names:
            out[i] = 0.5
    return out


def bfcl_match_score(ctx: ScoringContext) -> list[float]:
    """1 when BFCL's checker would pass the completion (any order for parallel calls), else 0."""
    return [
        1.0 if bfcl_verdict(p, t, ts) else 0.0 for p, t, ts in zip(ctx.parses, ctx.truths, ctx.toolsets, strict=True)
    ]


BUILTIN_SCORERS: tuple[ScorerSpec, ...] = (
    ScorerSpec("format", format_score, "1 minus format-violation penalties"),
    ScorerSpec("decision", decision_score, "1 when the behaviour is one the truth accepts"),
    ScorerSpec("tool_name", tool_name_score, "F1 of called vs expected tool names"),
    ScorerSpec("arguments", arguments_score, "argument match under the best call assignment"),
    ScorerSpec("schema", schema_score, "fraction of calls valid against the tool's JSON Schema"),
    ScorerSpec("clarify", clarify_score, "quality of a clarifying question"),
    ScorerSpec("refuse", refuse_score, "quality of a refusal"),
    ScorerSpec(
        "refuse_reference", refuse_reference_score, "word overlap of a refusal with the truth's reference", always=False
    ),
    ScorerSpec("length", length_score, "1 within the preset's length budget, falling to 0 at its hard limit"),
    ScorerSpec("toolrl_format", toolrl_format_score, "ToolRL format reward (0 or 1)", always=False),
    ScorerSpec(
        "toolrl_correctness", toolrl_correctness_score, "ToolRL correctness, rescaled from [-3, 3]", always=False
    ),
    ScorerSpec("exact_match", exact_match_score, "Tool-N1 style binary exact match", always=False),
    ScorerSpec("aws_blog", aws_blog_score, "the AWS post's tiered 1 / 0.5 / 0 score", always=False),
    ScorerSpec("bfcl_match", bfcl_match_score, "BFCL's AST checker verdict (1 pass, 0 fail)", always=False),
)


@hookimpl
def register_scorers(register: Callable[[ScorerSpec], None]) -> None:
    for spec in BUILTIN_SCORERS:
        register(spec)
