"""Pivots: trajectory rows cut into single-step rows, one per step of the expected trajectory (issue 19).

Contract: :func:`pivots` ``(rows, *, completions=None)`` returns a new list of rows; the input is not changed.

- **Which rows are cut.** A row whose truth (``reward_model.ground_truth``, an object or its JSON text; or a
  SageMaker ``reference_answer``) is a ``trajectory`` becomes one row per step, in order. Any other row (a
  single-step truth, or a row that is already a pivot: ``extra_info.pivot`` is set) is passed through
  unchanged, the same object, so ``pivots(pivots(rows)) == pivots(rows)``. Every row is first loaded as scoring
  loads it (:func:`rlvr_rewards.groundtruth.validate.load_row`): a row that would not score fails here.
- **The steps**, turn by turn:

  - an ``execute`` turn with ``"ordered": true``: one step per expected call, its truth that one call, the
    calls before it (with their results) in its prompt; an unordered ``execute`` turn (the default): one step
    holding all its calls (their order means nothing, so none comes "before" another: they are one parallel
    step, which is also how scoring reads the turn). Then, when the turn checks its reply (``answer`` /
    ``answer_contains``, or for the last turn the ``outcome``'s), one *answer step* after the results;
  - a ``clarify`` or ``refuse`` turn: one step, the native clarify / refuse truth;
  - a ``no_call`` or ``answer`` turn, and a clarify / refuse turn with reply checks: one step whose truth is a
    one-turn ``trajectory`` holding the turn as written (plus, on the last turn, the ``outcome``'s reply
    checks). No native single-step truth expects "no call: clarify or refuse" (``no_call`` exists only in the
    blog dialect, as reference text) or "a text reply with these checks"; the one-turn trajectory is native and
    scores a one-message completion exactly as the turn scores inside its trajectory (same step truth, same
    checks; with no tool result and one turn, the trajectory formula passes the turn's reward through);
  - an answer step's truth is a one-turn trajectory of one ``answer`` turn with those checks.

  End-state checks (``outcome.state``), the ``environment`` and ``max_calls`` / ``max_steps`` belong to the
  whole trajectory: no step truth carries them (score whole trajectories for them).
- **The prompt** of step k is the conversation up to it: the row's ``prompt`` (a list of messages); before the
  first step of each later turn, that turn's user messages from ``extra_info.turns`` (one entry per later turn,
  each a list of messages; required when the truth has several turns); and for each earlier step what the
  expected trajectory does there: an assistant message with the step's call(s) (OpenAI ``tool_calls``,
  ``arguments`` as JSON text, ``content`` ``""``) followed by one ``tool`` message per call with its result, or
  an assistant message with the turn's reply. An expected value written as a matcher is sent as its concrete
  value (the first ``$any`` option, the ``$approx`` number, the ``$text`` string, ...; ``$regex``, ``$none`` and
  plugin matchers have none: GroundTruthError when a later step's prompt needs the call, unless a recorded call
  supplies the value). The last step adds nothing: its calls are never written, its reply never looked for.
- **Results and replies** come from, first to last:

  1. the row's recorded trajectory, ``completions[i]`` (messages as scoring reads them; text or ``None``:
     nothing recorded): a call of the same turn that fully matches the expected call (same name, argument score
     1 with the row's tools) lends its arguments and its result (the j-th result after an assistant message
     belongs to its j-th call, as scoring pairs them), each recorded call once; the turn's last assistant
     message, when it makes no call and has text, is the turn's reply;
  2. the truth's ``environment``: its expected calls replayed in one fresh instance, turn by turn, as scoring
     replays them (a tool error's text is a result too);
  3. for a reply, the turn's ``reference`` (clarify, refuse, no_call) or its ``answer`` when that is plain text;
  4. else a placeholder: a message whose ``content`` starts with :data:`PLACEHOLDER`, its position in the
     prompt listed in ``extra_info.pivot.placeholders`` (filter on it to train only on real conversations).

  An execute turn without reply checks and without a recorded reply adds no reply message.
- **A pivot row** is a shallow copy of its row with ``id`` = ``f"{id}#step{k}"`` (k counts the row's steps
  from 0; a row without an ``id`` is named by its index), ``prompt`` as above (new message objects),
  ``reward_model.ground_truth`` the step's native truth (JSON text when the row's truth was text),
  ``extra_info`` without ``turns`` and with ``pivot`` = ``{"source_id", "turn", "step", "expects",
  "placeholders"}`` (``expects``: ``execute``, ``answer``, or the turn's behaviour); every other field
  (``data_source``, ``tools``, ``extra_info.tools``, ...) is kept.
- **Errors.** A row that cannot be cut raises :class:`~rlvr_rewards.errors.GroundTruthError` (a tool list that
  does not load: :class:`~rlvr_rewards.errors.ToolSpecError`, as when scoring) whose ``index`` is the row's
  index and whose ``field`` is the row's field (``reward_model.ground_truth.turns[2].calls[0].arguments.city``,
  ``extra_info.turns``, ``prompt``, ``id``); the message names the row's id and the fix. ``completions`` of
  another length than ``rows`` is a :class:`~rlvr_rewards.errors.ConfigError`.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from rlvr_rewards.environments.replay import result_text, run_call
from rlvr_rewards.errors import ConfigError, GroundTruthError, ToolSpecError
from rlvr_rewards.groundtruth.toolspecs import ToolSet
from rlvr_rewards.groundtruth.trajectory import CompiledTrajectory, CompiledTurn, _NotConcrete, concrete_value
from rlvr_rewards.groundtruth.truths import CompiledCall
from rlvr_rewards.groundtruth.validate import load_row
from rlvr_rewards.limits import DEFAULT_LIMITS
from rlvr_rewards.parsing.dispatch import parse_completion
from rlvr_rewards.parsing.trajectory import split_trajectory
from rlvr_rewards.parsing.types import ParsedCall
from rlvr_rewards.parsing.values import type_values
from rlvr_rewards.plugins import get_registry
from rlvr_rewards.scoring.calls import argument_score
from rlvr_rewards.scoring.trajectory import _build
from rlvr_rewards.util.jsonsafe import loads_trusted

__all__ = ["PLACEHOLDER", "pivots"]

#: How every placeholder message's ``content`` starts (a result or a reply the data does not hold).
PLACEHOLDER = "[rlvr-rewards placeholder]"
_NO_RESULT = PLACEHOLDER + " no recorded result for this call of {name}; give pivots() the row's recorded trajectory"
_NO_REPLY = PLACEHOLDER + " no recorded reply for this turn; give pivots() the row's recorded trajectory"
#: The reply-check keys of a turn, and the keys a native clarify / refuse truth takes from it.
_REPLY_CHECKS = ("answer", "answer_contains")
_NATIVE_KEYS = {"clarify": ("missing", "reference"), "refuse": ("reason", "reference")}


def pivots(rows: Sequence[Any], *, completions: Sequence[Any] | None = None) -> list[Any]:
    """The rows with each trajectory row cut into single-step rows (see the module contract). ``completions``:
    one recorded trajectory per row (or ``None``), where results and replies are taken from."""
    if completions is not None and len(completions) != len(rows):
        raise ConfigError(
            f"pivots(): {len(completions)} completions for {len(rows)} rows; give one recorded trajectory per row "
            "(None where a row has none), in the rows' order"
        )
    out: list[Any] = []
    first_of: dict[str, int] = {}
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise GroundTruthError(
                "a row is an object", index=i, expected="a veRL / SageMaker row (prompt, reward_model, ...)", got=row
            )
        source = _source_id(row, i, first_of)
        try:
            out.extend(_pivot_row(row, i, source, None if completions is None else completions[i]))
        except (GroundTruthError, ToolSpecError) as exc:
            raise type(exc)(
                f"row {source!r}: {exc.message}", index=i, field=exc.field, expected=exc.expected, got=exc.got
            ) from None
    return out


def _source_id(row: Mapping[str, Any], index: int, first_of: dict[str, int]) -> str:
    """The row's id as text (its index when it has none); a repeated id is an error (the pivots' ids would clash)."""
    if "id" not in row or row["id"] is None:
        return str(index)
    source = str(row["id"])
    if source in first_of:
        raise GroundTruthError(
            f"row {source!r}: the id of row {first_of[source]} too; pivot rows are named '<id>#step<k>'",
            index=index,
            field="id",
            expected="a unique id per row",
            got=row["id"],
        )
    first_of[source] = index
    return source


def _pivot_row(row: Mapping[str, Any], index: int, source: str, recorded: Any) -> list[Any]:
    extra = row.get("extra_info")
    if isinstance(extra, Mapping) and isinstance(extra.get("pivot"), Mapping):
        return [row]  # already a pivot
    loaded = load_row(dict(row))
    traj = loaded.truth.trajectory
    if traj is None:
        return [row]
    where, raw_truth = _truth_field(row)
    truth = _decoded(raw_truth)
    prompt = row.get("prompt")
    if not isinstance(prompt, list):
        raise GroundTruthError(
            "a trajectory row is cut into steps by appending messages to its prompt",
            field="prompt",
            expected="a list of chat messages",
            got=prompt,
        )
    cutter = _Cutter(
        row=row,
        source=source,
        traj=traj,
        turns=truth["turns"],
        outcome=_reply_checks(truth.get("outcome")),
        as_text=isinstance(raw_truth, str),
        where=where,
        conversation=copy.deepcopy(prompt),
        later=_later_turns(extra, len(traj.turns)),
        recorded=_recorded(recorded, loaded.toolset),
        environment=_environment_results(traj, index),
        tools=loaded.toolset,
    )
    for t in range(len(traj.turns)):
        cutter.cut_turn(t)
    return cutter.out


def _truth_field(row: Mapping[str, Any]) -> tuple[tuple[str, ...], Any]:
    """Where the row's truth is (as load_row found it) and its value."""
    rm = row.get("reward_model")
    if isinstance(rm, Mapping) and "ground_truth" in rm:
        return ("reward_model", "ground_truth"), rm["ground_truth"]
    return ("reference_answer",), row["reference_answer"]


def _decoded(value: Any) -> dict[str, Any]:
    """A trajectory truth as an object (load_row accepted it, so its JSON text decodes)."""
    return dict(loads_trusted(value) if isinstance(value, str) else value)


def _reply_checks(outcome: Any) -> dict[str, Any]:
    """The reply checks of an ``outcome`` (its ``answer`` / ``answer_contains``), without the end state."""
    if not isinstance(outcome, Mapping):
        return {}
    return {k: outcome[k] for k in _REPLY_CHECKS if outcome.get(k) not in (None, [])}


def _later_turns(extra: Any, n_turns: int) -> list[list[Any]]:
    """The user messages of turns 2, 3, ... from ``extra_info.turns`` (checked against the truth's turns)."""
    needed = n_turns - 1
    later = extra.get("turns") if isinstance(extra, Mapping) else None
    if later is None and needed == 0:
        return []
    expected = (
        f"a list of {needed} entr{'y' if needed == 1 else 'ies'} (one per turn after the first, each a list of "
        "the user messages that open it, e.g. [{'role': 'user', 'content': ...}])"
    )
    if not isinstance(later, list) or len(later) != needed:
        got = f"{len(later)} entries" if isinstance(later, list) else later
        raise GroundTruthError(
            f"the truth lists {n_turns} turns, so each later turn's user messages must be in the row",
            field="extra_info.turns",
            expected=expected,
            got=got,
        )
    for t, messages in enumerate(later):
        if not isinstance(messages, list) or not all(isinstance(m, Mapping) and "role" in m for m in messages):
            raise GroundTruthError(
                f"turn {t + 1}'s user messages are not a list of messages",
                field=f"extra_info.turns[{t}]",
                expected="a list of chat messages ({'role': 'user', 'content': ...})",
                got=messages,
            )
    return later


# --- recorded trajectories and environments -------------------------------------------------------------------


@dataclass
class _RecordedTurn:
    """One turn of a recorded trajectory: its calls with their results (None: no result), and its reply."""

    calls: list[tuple[ParsedCall, str | None]] = field(default_factory=list)
    reply: str = ""
    used: set[int] = field(default_factory=set)


def _recorded(completion: Any, tools: ToolSet | None) -> list[_RecordedTurn]:
    """A recorded trajectory's turns (empty when there is none), each assistant message parsed as scoring does."""
    if completion is None or isinstance(completion, str):
        return []
    registry = get_registry()
    parsers = registry.parsers_for(None)
    turns: list[_RecordedTurn] = []
    for steps in split_trajectory(completion).turns:
        turn = _RecordedTurn()
        for s, step in enumerate(steps):
            parsed = parse_completion(step.message, parsers, DEFAULT_LIMITS, markers=registry.parsers)
            if parsed.untyped:
                parsed = type_values(parsed, tools, DEFAULT_LIMITS)
            results = step.results
            turn.calls += [(c, results[j] if j < len(results) else None) for j, c in enumerate(parsed.calls)]
            if s == len(steps) - 1 and not parsed.calls:
                turn.reply = parsed.text
        turns.append(turn)
    return turns


def _environment_results(traj: CompiledTrajectory, index: int) -> list[list[str]] | None:
    """Each expected call's result when the truth's environment replays them (None without an environment)."""
    if traj.environment is None:
        return None
    env = _build(traj, get_registry(), index)
    out: list[list[str]] = []
    for turn in traj.turns:
        results = []
        for name, args in turn.replay:
            _, result = run_call(env, name, args)
            results.append(result_text(result))
        out.append(results)
    return out


# --- cutting ---------------------------------------------------------------------------------------------------


@dataclass
class _Cutter:
    """One trajectory row being cut: the conversation so far, and the pivot rows made."""

    row: Mapping[str, Any]
    source: str
    traj: CompiledTrajectory
    turns: list[dict[str, Any]]
    outcome: dict[str, Any]
    as_text: bool
    where: tuple[str, ...]
    conversation: list[Any]
    later: list[list[Any]]
    recorded: list[_RecordedTurn]
    environment: list[list[str]] | None
    tools: ToolSet | None
    placeholders: list[int] = field(default_factory=list)
    out: list[dict[str, Any]] = field(default_factory=list)
    pending: list[Callable[[], Any]] = field(default_factory=list)

    def cut_turn(self, t: int) -> None:
        """Turn ``t``'s steps (what each adds to the conversation is added when a later step needs it, so the
        last step's calls need no concrete values and leave no placeholder)."""
        if t > 0:
            self._defer(self.conversation.extend, copy.deepcopy(self.later[t - 1]))
        turn, raw = self.traj.turns[t], self.turns[t]
        checks = {k: raw[k] for k in _REPLY_CHECKS if raw.get(k) not in (None, [])}
        outcome = self.outcome if t == len(self.traj.turns) - 1 else {}
        if turn.behavior == "execute":
            self._execute(t, turn)
            if checks or outcome:
                answer = {"behavior": "answer", **checks}
                self._emit(t, "answer", _one_turn(answer, outcome))
                self._defer(self._reply, t, _text_answer(raw))
            elif self._recorded_turn(t).reply:
                self._defer(self._reply, t, None)
            return
        if turn.behavior in _NATIVE_KEYS and not checks and not outcome:
            native = {"behavior": turn.behavior, **{k: raw[k] for k in _NATIVE_KEYS[turn.behavior] if k in raw}}
            self._emit(t, turn.behavior, native)
        else:
            self._emit(t, turn.behavior, _one_turn(raw, outcome))
        reference = raw.get("reference")
        self._defer(self._reply, t, reference if isinstance(reference, str) and reference else _text_answer(raw))

    def _execute(self, t: int, turn: CompiledTurn) -> None:
        """An execute turn's call steps: one per call when ordered, else one for all (module contract)."""
        calls: tuple[CompiledCall, ...] = turn.step.calls
        ordered = bool(turn.step.ordered) and len(calls) > 1
        groups = [[j] for j in range(len(calls))] if ordered else [list(range(len(calls)))]
        for group in groups:
            expected = [{"name": calls[j].name, "arguments": dict(calls[j].arguments)} for j in group]
            k = self._emit(t, "execute", {"behavior": "execute", "calls": expected})
            self._defer(self._calls, t, k, [(j, calls[j]) for j in group])

    def _defer(self, action: Callable[..., Any], *args: Any) -> None:
        """Add to the conversation later: ``action(*args)`` runs before the next step is emitted (never after
        the last one)."""
        self.pending.append(functools.partial(action, *args))

    def _emit(self, t: int, expects: str, truth: dict[str, Any]) -> int:
        """One pivot row: the conversation so far as its prompt, ``truth`` as its truth; its step number."""
        for action in self.pending:
            action()
        self.pending.clear()
        k = len(self.out)
        row = dict(self.row)
        row["id"] = f"{self.source}#step{k}"
        row["prompt"] = copy.deepcopy(self.conversation)
        value: Any = orjson.dumps(truth).decode() if self.as_text else truth
        if self.where == ("reference_answer",):
            row["reference_answer"] = value
        else:
            row["reward_model"] = {**self.row["reward_model"], "ground_truth": value}
        extra = self.row.get("extra_info")
        info = {key: v for key, v in extra.items() if key != "turns"} if isinstance(extra, Mapping) else {}
        info["pivot"] = {
            "source_id": self.source,
            "turn": t,
            "step": k,
            "expects": expects,
            "placeholders": list(self.placeholders),
        }
        row["extra_info"] = info
        self.out.append(row)
        return k

    def _recorded_turn(self, t: int) -> _RecordedTurn:
        return self.recorded[t] if t < len(self.recorded) else _RecordedTurn()

    def _calls(self, t: int, k: int, calls: list[tuple[int, CompiledCall]]) -> None:
        """Step ``k``'s expected calls ``(index in the turn, call)`` as taken: one assistant message, then one
        tool message per call with its result."""
        sent: list[dict[str, Any]] = []
        results: list[str | None] = []
        for j, call in calls:
            found = self._recorded_call(t, call)
            result: str | None
            if found is not None:
                (name, args), result = found
            else:
                name, args = call.name, self._concrete(t, j, call)
                result = self.environment[t][j] if self.environment is not None else None
            sent.append({"name": name, "arguments": args})
            results.append(result)
        ids = [f"call_{k}_{n}" for n in range(len(sent))]
        self.conversation.append(
            {
                "role": "assistant",
                "content": "",
                "tool_calls": [
                    {
                        "id": ids[n],
                        "type": "function",
                        "function": {"name": c["name"], "arguments": orjson.dumps(c["arguments"]).decode()},
                    }
                    for n, c in enumerate(sent)
                ],
            }
        )
        for n, (c, got) in enumerate(zip(sent, results, strict=True)):
            if got is None:
                self.placeholders.append(len(self.conversation))
            content = _NO_RESULT.format(name=c["name"]) if got is None else got
            self.conversation.append({"role": "tool", "tool_call_id": ids[n], "name": c["name"], "content": content})

    def _recorded_call(self, t: int, call: CompiledCall) -> tuple[tuple[str, dict[str, Any]], str] | None:
        """``((name, arguments), result)`` of the first unused recorded call of turn ``t`` that fully matches
        ``call`` and has a result (None: there is none)."""
        turn = self._recorded_turn(t)
        tool = self.tools.get(call.name) if self.tools is not None else None
        for n, (parsed, result) in enumerate(turn.calls):
            if n in turn.used or result is None or parsed.name != call.name or parsed.arguments is None:
                continue
            if argument_score(parsed, call, tool) == 1.0:
                turn.used.add(n)
                return (parsed.name, parsed.arguments), result
        return None

    def _concrete(self, t: int, j: int, call: CompiledCall) -> dict[str, Any]:
        """The expected arguments as values to send (see the module contract)."""
        args: dict[str, Any] = {}
        for name, value in call.arguments.items():
            try:
                args[name] = concrete_value(value)
            except _NotConcrete as exc:
                raise GroundTruthError(
                    f"the expected call is in the prompt of a later step, and {exc.args[0]} has no one value to "
                    "write there",
                    field=".".join(self.where) + f".turns[{t}].calls[{j}].arguments.{name}",
                    expected="a recorded trajectory (pivots(..., completions=...)) with a call matching it, or a "
                    "value that has one: plain JSON, $any / $approx / $text / $unordered / $optional / $literal",
                    got=value,
                ) from None
        return args

    def _reply(self, t: int, written: str | None) -> None:
        """The turn's reply as taken: recorded, else ``written`` (from the truth), else a placeholder."""
        text = self._recorded_turn(t).reply or written
        if text is None:
            self.placeholders.append(len(self.conversation))
        self.conversation.append({"role": "assistant", "content": _NO_REPLY if text is None else text})


def _text_answer(raw: Mapping[str, Any]) -> str | None:
    """A reply the truth spells out: a plain-text ``answer`` (None: the truth has none)."""
    answer = raw.get("answer")
    return answer if isinstance(answer, str) and answer else None


def _one_turn(turn: Mapping[str, Any], outcome: Mapping[str, Any]) -> dict[str, Any]:
    """A one-turn trajectory truth holding ``turn`` (and the outcome's reply checks)."""
    truth: dict[str, Any] = {"behavior": "trajectory", "turns": [dict(turn)]}
    if outcome:
        truth["outcome"] = dict(outcome)
    return truth
