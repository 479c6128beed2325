"""Stable reason codes: one per scored completion, naming the main thing that cost it reward.

Contract: every ``Score.reason`` is a key of :data:`REASONS`; codes are never renamed (new ones may be
added). The reason is a diagnosis of the completion against its truth and does not depend on the preset.
Precedence: an invalid completion reports why it is invalid; a wrong behaviour reports
``<done>_instead_of_<expected>``; otherwise the first failing check in the order listed below.
"""

from __future__ import annotations

__all__ = ["REASONS", "mismatch_reason"]

_DONE_VERB = {"execute": "called", "clarify": "clarified", "refuse": "refused", "answer": "answered"}
_EXPECTED = ("execute", "clarify", "refuse", "no_call")

REASONS: dict[str, str] = {
    "ok": "the completion does what the truth expects, with nothing to penalise",
    # invalid completions
    "empty": "the completion is empty or whitespace only",
    "too_long": "the completion is longer than Limits.max_chars",
    "over_budget": "parsing the completion (over a thousand distinct call blocks) or comparing its calls with "
    "the truth (many calls against a large truth) would exceed the per-completion work budget; "
    "floor reward",
    "unparseable": "call syntax was present but no call could be decoded (bad JSON, NaN, too deep, ...)",
    # execute truths, right behaviour
    "wrong_tool": "a called tool is not one the truth expects (wrong or hallucinated name)",
    "extra_calls": "every expected tool was called, plus more calls (duplicates or extras)",
    "missing_calls": "some expected calls were not made",
    "bad_arguments": "the right tools were called but some argument is wrong, missing or unexpected",
    "schema_violation": "arguments match the truth but do not validate against the tool's JSON Schema",
    # clarify / refuse truths, right behaviour
    "vague_clarification": "asked a question that does not name the missing parameters",
    "weak_refusal": "declined, but also answered or otherwise fell short of a clean refusal",
    # any truth
    "overlong": "longer than the preset's soft length budget (the length component is below 1)",
    "format_violation": "the right content with format violations (text next to a call, unclosed tag, ...)",
}
for _done, _verb in _DONE_VERB.items():
    for _exp in _EXPECTED:
        if _done == _exp or (_exp == "no_call" and _done in ("clarify", "refuse")):
            continue
        REASONS[f"{_verb}_instead_of_{_exp}"] = f"the completion {_verb} where the truth expects {_exp}"


def mismatch_reason(done: str, expected: str) -> str:
    """The reason code for doing ``done`` where ``expected`` was wanted."""
    return f"{_DONE_VERB[done]}_instead_of_{expected}"
