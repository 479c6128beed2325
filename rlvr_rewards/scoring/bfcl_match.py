"""BFCL's AST verdict as a pure function: does a parsed completion pass BFCL's checker for a truth?

Contract (``bfcl_verdict(parse, truth, tools) -> bool``, never raising on model output):
- No-call truths (BFCL irrelevance, and any clarify / refuse / blog text truth): pass iff the
  completion has no decoded call (BFCL decodes the output; an output that does not decode to a call
  list has no call). Text, questions, refusals and answers all pass.
- Execute truths: fail when any call block could not be decoded (``DECODE_FAILURES``: BFCL's decoder
  fails on the whole output); other format violations BFCL does not see (text next to a call, an
  unclosed tag, a hedging question beside the call, ...) are ignored. Then the calls must pair
  one-to-one with the expected calls (by position when ``ordered``, else any order, as BFCL's
  parallel checker; a perfect bipartite matching, found iteratively by Hopcroft-Karp), same count, and each
  pair must pass :func:`bfcl_call_accepted`:
  name equal; with a tool doc, every required parameter present and no parameter the doc does not
  declare; every argument present in the truth (BFCL: "unexpected parameter" otherwise) and accepted
  by its matcher; a float for a parameter the doc declares ``integer`` rejected (BFCL's type check;
  an int for a ``float`` parameter is accepted since numbers compare by value); every truth argument
  that is absent must be ``$optional``.
"""

from __future__ import annotations

from rlvr_rewards.groundtruth.toolspecs import Tool, ToolSet
from rlvr_rewards.groundtruth.truths import CompiledCall, CompiledTruth
from rlvr_rewards.parsing.types import ParsedCall, ParseResult
from rlvr_rewards.scoring.matching import has_perfect_matching

__all__ = ["DECODE_FAILURES", "bfcl_call_accepted", "bfcl_verdict"]

#: Violations meaning some call in the output could not be decoded: BFCL's decoder would fail.
DECODE_FAILURES = frozenset(
    {
        "too_long",
        "empty",
        "invalid_json",
        "nonfinite_number",
        "nesting_too_deep",
        "number_too_large",
        "invalid_unicode",
        "pythonic_not_call",
        "empty_call_block",
        "missing_name",
        "arguments_not_object",
        "trailing_garbage",
        "too_many_calls",
    }
)


def bfcl_call_accepted(pred: ParsedCall, expected: CompiledCall, tool: Tool | None) -> bool:
    """One predicted call against one expected call, under BFCL's simple-function rules."""
    args = pred.arguments
    if pred.name != expected.name or args is None:
        return False
    if tool is not None and (not tool.required.issubset(args) or any(k not in tool.properties for k in args)):
        return False
    matchers = expected.matchers
    integers = tool.integer_params if tool is not None else frozenset()
    for key, value in args.items():
        m = matchers.get(key)
        if m is None or (key in integers and isinstance(value, float)) or not m.match(value):
            return False
    return all(m.optional for key, m in matchers.items() if key not in args)


def bfcl_verdict(parse: ParseResult, truth: CompiledTruth, tools: ToolSet | None) -> bool:
    calls = parse.calls
    if truth.behavior != "execute":
        return not any(c.name for c in calls)
    if DECODE_FAILURES.intersection(parse.violations):
        return False
    expected = truth.calls
    if len(calls) != len(expected):
        return False

    def ok(p: ParsedCall, e: CompiledCall) -> bool:
        return bfcl_call_accepted(p, e, tools.get(e.name) if tools is not None else None)

    if truth.ordered:
        return all(ok(p, e) for p, e in zip(calls, expected, strict=True))
    return has_perfect_matching([[ok(p, e) for p in calls] for e in expected])
