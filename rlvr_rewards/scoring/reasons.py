"""Stable reason codes, and the diagnosis that picks one per scored completion: the main thing that cost it reward.

Contract: every ``Score.reason`` is a key of :data:`REASONS` or the code of a plugin's :class:`ReasonRule`;
codes are never renamed (new ones may be added). The reason is a diagnosis of the completion against its truth
and does not depend on the preset. Precedence (:meth:`Diagnosis.reason`):

1. an invalid completion reports why it is invalid (``empty``, ``too_long``, ``over_budget``, else
   ``unparseable``);
2. a behaviour the truth does not accept reports ``<done>_instead_of_<expected>`` (:func:`mismatch_reason`);
3. for an execute truth, the called names against the expected ones: ``wrong_tool`` (a name the truth does not
   expect), ``extra_calls`` (more calls of a name than expected);
4. the first :class:`ReasonRule` (by ``order``) for the truth's behaviour whose component is below 1 (a
   component not computed, or NaN, never is); the built-in rules are :data:`BUILTIN_RULES`, registered by
   the ``rlvr_rewards.builtin.reasons`` plugin; plugins add theirs with the ``register_reasons`` hook;
5. ``ok``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rlvr_rewards.vocabulary import EXPECTED_BEHAVIORS, is_accepted

if TYPE_CHECKING:
    from rlvr_rewards.groundtruth.truths import CompiledTruth
    from rlvr_rewards.parsing.types import ParseResult

__all__ = ["BUILTIN_RULES", "REASONS", "Diagnosis", "ReasonRule", "mismatch_reason"]

_DONE_VERB = {"execute": "called", "clarify": "clarified", "refuse": "refused", "answer": "answered"}


@dataclass(frozen=True, slots=True)
class ReasonRule:
    """When a completion did what its truth asks and component ``component`` is below 1, the reason is ``code``
    (the first rule that applies, by ``order``; ties keep registration order). ``expected``: the truth's
    behaviour the rule applies to (``None``: every behaviour)."""

    code: str
    component: str
    description: str
    expected: str | None = None
    order: int = 100


#: The built-in rules, in the order they are tried (step 4 of the module's precedence).
BUILTIN_RULES: tuple[ReasonRule, ...] = (
    ReasonRule("missing_calls", "tool_name", "some expected calls were not made", "execute", 10),
    ReasonRule(
        "bad_arguments",
        "arguments",
        "the right tools were called but some argument is wrong, missing or unexpected",
        "execute",
        20,
    ),
    ReasonRule(
        "schema_violation",
        "schema",
        "arguments match the truth but do not validate against the tool's JSON Schema",
        "execute",
        30,
    ),
    ReasonRule(
        "vague_clarification", "clarify", "asked a question that does not name the missing parameters", "clarify", 40
    ),
    ReasonRule(
        "weak_refusal", "refuse", "declined, but also answered or otherwise fell short of a clean refusal", "refuse", 50
    ),
    ReasonRule("overlong", "length", "longer than the preset's soft length budget (the length component is below 1)"),
    ReasonRule(
        "format_violation",
        "format",
        "the right content with format violations (text next to a call, unclosed tag, ...)",
        order=110,
    ),
)


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
    # trajectory truths (scoring/trajectory.py); a turn below full credit reports its own step reason first
    "trajectory_incomplete": "the trajectory stopped before the truth's last turn (the missing turns score 0)",
    "trajectory_extra_turns": "the trajectory has more user turns than the truth lists",
    "trajectory_over_limit": "more calls than the truth's max_calls, or more assistant messages than its max_steps; "
    "floor reward",
    "trajectory_too_long": "the trajectory has more messages than are read (parsing/trajectory.MAX_MESSAGES); "
    "floor reward",
    "trajectory_state": "the environment's state after a turn, or at the end, differs from the expected state",
    "trajectory_outcome": "the final answer (or a turn's answer) fails its checks, or a required end-state field "
    "differs",
    "trajectory_wasted_calls": "a call repeats an earlier call of its turn, or repeats unchanged a call that failed",
    "trajectory_ungrounded_answer": "the final answer states a number found in no tool result, argument or user "
    "message",
    "trajectory_no_answer": "an answer turn ended without text",
    "trajectory_called_instead_of_answer": "an answer turn (a reply without tools) made calls",
    "trajectory_turn": "a turn earned less than full credit, for a reason the step diagnosis does not name",
}
REASONS.update((rule.code, rule.description) for rule in BUILTIN_RULES)
for _done, _verb in _DONE_VERB.items():
    for _exp in EXPECTED_BEHAVIORS:
        if _done == _exp or (_exp == "no_call" and _done in ("clarify", "refuse")):
            continue
        REASONS[f"{_verb}_instead_of_{_exp}"] = f"the completion {_verb} where the truth expects {_exp}"


def mismatch_reason(done: str, expected: str) -> str:
    """The reason code for doing ``done`` where ``expected`` was wanted."""
    return f"{_DONE_VERB[done]}_instead_of_{expected}"


#: Why an invalid completion is invalid, in precedence order (step 1); else ``unparseable``.
INVALID_REASONS = ("empty", "too_long", "over_budget")
_NO_COLUMN: list[float] = []


def _call_name_reason(called: Sequence[str], expected: Sequence[str]) -> str | None:
    """Step 3: ``wrong_tool`` / ``extra_calls`` from the called and expected names, else ``None``."""
    if any(name not in expected for name in called):
        return "wrong_tool"
    if len(called) > len(expected) or any(called.count(nm) > expected.count(nm) for nm in set(called)):
        return "extra_calls"
    return None


class Diagnosis:
    """The reason code of each scored completion, from its parse, truth, behaviour and component values, by the
    module's precedence with ``rules`` (the registry's: built-in and plugins')."""

    __slots__ = ("_rules",)

    def __init__(self, rules: Iterable[ReasonRule]) -> None:
        ordered = sorted(rules, key=lambda r: r.order)  # stable: registration order among equal orders
        #: expected behaviour -> (component, code) pairs in the order they are tried
        self._rules: dict[str, tuple[tuple[str, str], ...]] = {
            expected: tuple((r.component, r.code) for r in ordered if r.expected in (None, expected))
            for expected in EXPECTED_BEHAVIORS
        }

    def reason(self, parse: ParseResult, truth: CompiledTruth, done: str, k: int, cols: dict[str, list[float]]) -> str:
        """The reason code of unique pair ``k`` (``cols``: each component's column as a list; a NaN component,
        not applicable, never counts as short since ``NaN < 1.0`` is False)."""
        if done == "invalid":
            for code in INVALID_REASONS:
                if code in parse.violations:
                    return code
            return "unparseable"
        behavior = truth.behavior
        if not is_accepted(behavior, done):
            return mismatch_reason(done, behavior)
        if behavior == "execute":
            want = truth.names
            calls = parse.calls
            if len(calls) != 1 or len(want) != 1 or calls[0].name != want[0]:
                by_name = _call_name_reason([c.name for c in calls], want)
                if by_name is not None:
                    return by_name
        for component, code in self._rules[behavior]:
            col = cols.get(component, _NO_COLUMN)
            if col and col[k] < 1.0:
                return code
        return "ok"

    def reasons(
        self,
        parses: list[ParseResult],
        truths: list[CompiledTruth],
        done: list[str],
        cols: dict[str, list[float]],
    ) -> list[str]:
        """One reason code per pair (``cols[name][k]``: component ``name`` of pair ``k``)."""
        reason = self.reason
        return [reason(parses[k], truths[k], done[k], k, cols) for k in range(len(parses))]
