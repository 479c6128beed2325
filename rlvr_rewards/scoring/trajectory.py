"""Scoring whole trajectories: each turn as a step, the end state by replay, one reward per trajectory.

Contract (docs/trajectories.md). For the items of a batch whose truth is a ``trajectory``:

1. each distinct completion is cut into turns and steps (:func:`rlvr_rewards.parsing.trajectory.split_trajectory`)
   and every assistant message is parsed once, with the batch's parsers and limits (never raising);
2. each turn the truth lists becomes one step: its calls are the calls of all its assistant messages in order,
   its text the last message's, its violations theirs together; it is classified and scored by the preset's
   step formula against the turn's step truth, with every other turn of the batch at once (the ``answer``
   turns by their answer checks); a turn the trajectory never reached scores the floor;
3. with an ``environment``, the expected calls and the trajectory's calls are replayed turn by turn on two fresh
   instances (:mod:`rlvr_rewards.environments.replay`); a turn's reward is then the mean of its step reward and
   the share of state fields matching after it, and the end states are compared field by field;
4. the components (:mod:`rlvr_rewards.combine.trajectory`) are combined into the reward; ``turn_rewards`` (one
   per truth turn) and ``step_rewards`` (one per assistant message: the mean argument score of its calls
   against its turn's expected calls, halved for a wasted call; a text message gets its turn's answer checks,
   or its turn's reward when the turn expects no call) come with it.

Model output never raises here; a truth whose environment is not registered, or whose environment cannot be
built from its config, raises GroundTruthError naming the item.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import orjson

from rlvr_rewards.combine.trajectory import TRAJECTORY_COMPONENTS, combine_trajectory
from rlvr_rewards.environments.replay import compare_states, result_text, run_call, state_fields
from rlvr_rewards.errors import ConfigError, GroundTruthError
from rlvr_rewards.groundtruth.trajectory import CompiledTrajectory, CompiledTurn
from rlvr_rewards.groundtruth.truths import CompiledTruth
from rlvr_rewards.parsing.trajectory import Trajectory, split_trajectory
from rlvr_rewards.parsing.types import ParsedCall, ParseResult
from rlvr_rewards.scoring.calls import CallMatch, best_assignment
from rlvr_rewards.util.jsonsafe import not_json_data

__all__ = ["StepScorer", "TrajectoryScore", "score_trajectories"]

#: Most calls of one trajectory replayed in an environment (the rest are not run and count as wasted).
MAX_REPLAYED_CALLS = 4096

#: score turns as steps: (parses, behaviours, truths, toolsets, raws) -> (rewards, components by name, reasons,
#: the call assignments the scorers computed or None); the driver (scoring/core.py) supplies it, so turns are
#: scored exactly as single completions are
StepScorer = Callable[
    [list[ParseResult], list[str], list[CompiledTruth], list[Any], list[Any]],
    tuple[np.ndarray, dict[str, np.ndarray], list[str], "list[CallMatch | None] | None"],
]


@dataclass(frozen=True, slots=True)
class TrajectoryScore:
    """One trajectory's result (an item of BatchScore)."""

    reward: float
    components: Mapping[str, float]
    reason: str
    behavior: str
    violations: tuple[str, ...]
    turn_rewards: np.ndarray
    step_rewards: np.ndarray
    details: Mapping[str, Any] = field(default_factory=dict)


_PLAIN_MARK: Any = object()  # opens the key of a {"role", "content": str} message: never equal to another key

#: Deepest message list keyed by its JSON text for deduplication (a deeper one is keyed by identity).
KEY_MAX_DEPTH = 256


def _trajectory_key(completion: Any, message_key: Callable[[Any], Hashable], keys: dict[int, Hashable]) -> Hashable:
    """Equal only for completions that score identically: a list of messages (and scalars) is the tuple of its
    messages' keys (``message_key``, recorded in ``keys`` by id for the parse's deduplication); anything else its
    JSON text when it is exactly JSON data (no tuple, NaN or other type orjson would write as something else),
    else the object's identity (never confused, not deduplicated)."""
    if isinstance(completion, str):
        return completion
    if type(completion) is list:
        parts: list[Hashable] = []
        for m in completion:
            if type(m) is dict:
                content, role = m.get("content"), m.get("role")
                if len(m) == 2 and type(content) is str and type(role) is str:  # the usual text or tool message
                    parts.append((_PLAIN_MARK, role, content))
                    continue
                key = keys.get(id(m))
                if key is None:
                    key = keys[id(m)] = message_key(m)
                parts.append(key)
            elif m is None or type(m) in (str, int, bool):
                parts.append((type(m).__name__, m))
            else:
                return _json_key(completion)
        return ("messages", tuple(parts))
    return _json_key(completion)


def _json_key(completion: Any) -> Hashable:
    if not_json_data(completion, KEY_MAX_DEPTH) is not None:
        return ("id", id(completion))
    try:
        return ("json", orjson.dumps(completion, option=orjson.OPT_SORT_KEYS))
    except (TypeError, orjson.JSONEncodeError):
        return ("id", id(completion))


def _merge(parses: Sequence[ParseResult]) -> ParseResult:
    """One turn's steps as one parse: their calls in order, the last step's text, their violations together."""
    if not parses:
        return ParseResult((), "", violations=("empty",))
    if len(parses) == 1:
        return parses[0]
    calls: list[ParsedCall] = []
    violations: set[str] = set()
    fmt = "none"
    for p in parses:
        calls.extend(p.calls)
        violations.update(p.violations)
        if fmt == "none" and p.format != "none":
            fmt = p.format
    violations.discard("empty")  # an empty step among others is not an empty turn
    last = parses[-1]
    return ParseResult(
        tuple(calls),
        last.text,
        think=last.think,
        format=fmt,
        violations=tuple(sorted(violations)),
        attempted_call=any(p.attempted_call for p in parses),
        untyped=any(p.untyped for p in parses),
    )


_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.]*\d)")
#: Longest answer text searched for numbers (characters).
MAX_GROUNDING_CHARS = 20_000


def _numbers(text: str) -> set[str]:
    """The numbers written in ``text`` (two digits or more: counts like "2 files" are not claims), normalised."""
    out = set()
    for m in _NUMBER.finditer(text[:MAX_GROUNDING_CHARS]):
        token = m.group(0).lstrip("-")
        digits = token.replace(".", "")
        if len(digits) < 2:
            continue
        try:
            out.add(repr(float(token)))
        except ValueError:
            continue
    return out


#: Most characters of context (tool results, arguments, user messages) searched for the answer's numbers.
MAX_GROUNDING_CONTEXT = 400_000


def _grounding(answer: str, context: Sequence[str]) -> float:
    """Share of the answer's numbers found in the context (1 when it states none or the context is empty). At
    most :data:`MAX_GROUNDING_CONTEXT` characters of context are read (the rest is not searched)."""
    claimed = _numbers(answer)
    if not claimed or not context:
        return 1.0
    known: set[str] = set()
    budget = MAX_GROUNDING_CONTEXT
    for text in context:
        if budget <= 0:
            break
        known |= _numbers(text[:budget])
        budget -= min(len(text), MAX_GROUNDING_CHARS)
    return sum(1 for n in claimed if n in known) / len(claimed)


def _looks_failed(result: str) -> bool:
    """A tool result that reports an error (without an environment: the host's own tool messages)."""
    head = result.lstrip()[:200].lower()
    return head.startswith(("error", '{"error"', "{'error'", "traceback"))


def _answer_score(turn_answer: Any, contains: Sequence[str], text: str) -> float:
    """The mean of the answer checks that apply (1 when none): the matcher, and each ``contains`` string."""
    parts: list[float] = []
    if turn_answer is not None:
        parts.append(1.0 if turn_answer.match(text) else 0.0)
    if contains:
        low = text.lower()
        parts.append(sum(1 for s in contains if s.lower() in low) / len(contains))
    return sum(parts) / len(parts) if parts else 1.0


@dataclass
class _Replay:
    """Per turn: the state after it, and each call's (ok, result text) in order."""

    states: list[Any]
    results: list[list[tuple[bool, str]]]


def _build(truth: CompiledTrajectory, registry: Any, index: int) -> Any:
    try:
        spec = registry.environment(truth.environment)
    except ConfigError as exc:
        raise GroundTruthError(str(exc), field="environment.name", got=truth.environment).at(index) from None
    try:
        return spec.build(dict(truth.environment_config or {}))
    except Exception as exc:  # the user's config did not build: their data, named
        raise GroundTruthError(
            f"environment {truth.environment!r} could not be built from its config: {type(exc).__name__}: {exc}",
            field="environment.config",
            got=truth.environment_config,
        ).at(index) from None


def _replay(env: Any, turns: Sequence[Sequence[tuple[str, Mapping[str, Any] | None]]]) -> _Replay:
    states: list[Any] = []
    results: list[list[tuple[bool, str]]] = []
    budget = MAX_REPLAYED_CALLS
    for calls in turns:
        out: list[tuple[bool, str]] = []
        for name, args in calls:
            if budget <= 0:
                out.append((False, "Error: not run (over the replay budget)"))
                continue
            budget -= 1
            ok, result = run_call(env, name, args)
            out.append((ok, result_text(result)))
        results.append(out)
        try:
            states.append(env.state())
        except Exception as exc:  # an environment bug: no state is comparable
            states.append({"<state error>": f"{type(exc).__name__}: {exc}"})
    return _Replay(states, results)


def bfcl_turn_verdicts(
    truth: CompiledTrajectory,
    turn_calls: Sequence[Sequence[ParsedCall]],
    expected: _Replay | None,
    got: _Replay | None,
    n_turns: int,
) -> list[bool]:
    """BFCL's multi-turn checker, turn by turn: the trajectory must have exactly the truth's turns; a turn with
    expected calls needs a call, the state after it equal to the expected state, and the expected calls'
    results among all the trajectory's results so far (as a multiset); a turn expecting no call is not checked
    (its calls still change the state the next turns see). A failed turn fails every later one."""
    verdicts: list[bool] = []
    failed = n_turns != len(truth.turns)
    so_far: list[str] = []
    for t, turn in enumerate(truth.turns):
        calls = turn_calls[t] if t < len(turn_calls) else ()
        if got is not None and t < len(got.results):
            so_far.extend(text for _, text in got.results[t])
        if failed:
            verdicts.append(False)
            continue
        wanted = turn.step.calls if turn.step is not None else ()
        if not wanted:
            verdicts.append(True)
            continue
        ok = bool(calls)
        if ok and expected is not None and got is not None:
            ok = compare_states(expected.states[t], got.states[t])[0] == 1.0
            if ok:
                pool = list(so_far)
                for _, text in expected.results[t]:
                    try:
                        pool.remove(text)
                    except ValueError:
                        ok = False
                        break
        elif ok and expected is None:  # no environment: the calls themselves, as the AST checker reads them
            ok = best_assignment(list(calls), turn.step, None).arguments == 1.0 and len(calls) == len(wanted)
        failed = not ok
        verdicts.append(ok)
    return verdicts


@dataclass
class _Turns:
    """Every turn of the batch scored as a step: where each (item, turn) landed and what it got."""

    step_parses: list[ParseResult]
    scored: dict[tuple[int, int], int]
    rewards: list[float]
    components: dict[str, list[float]]
    reasons: list[str]
    done: list[str]
    #: each scored turn's call assignment, as the step scorers computed it (None: not computed)
    matches: list[CallMatch | None] | None = None


@dataclass
class _Item:
    """One distinct trajectory item and what it holds."""

    u: int
    index: int
    shape: Trajectory
    traj: CompiledTrajectory
    truth: CompiledTruth
    tools: Any
    msg_ids: list[list[int]]
    calls_by_turn: list[list[ParsedCall]]

    @property
    def flat_parses_ids(self) -> list[int]:
        return [m for ids in self.msg_ids for m in ids]


def score_trajectories(
    completions: Sequence[Any],
    truths: Sequence[CompiledTruth],
    toolsets: Sequence[Any],
    indices: Sequence[int],
    *,
    parse: Callable[[list[Any]], tuple[list[ParseResult], list[str]]],
    classify: Callable[[list[ParseResult]], list[str]],
    step_scorer: StepScorer,
    message_key: Callable[[Any], Hashable],
    preset_name: str,
    reward_range: tuple[float, float],
    registry: Any,
) -> list[TrajectoryScore]:
    """Score each trajectory item (see the module contract). ``indices``: the items' batch indices (errors name
    them); ``parse`` parses messages and classifies them; ``classify`` classifies merged turn parses;
    ``message_key`` keys a message for deduplication (equal keys: messages that parse identically)."""
    # 1. distinct items; each distinct completion cut into turns, each message parsed (the parser deduplicates)
    item_uid: dict[Hashable, int] = {}
    uniq: list[int] = []
    inverse: list[int] = []
    keys: dict[int, Hashable] = {}  # id(message) -> its key (the messages stay alive in ``completions``)
    for k, c in enumerate(completions):
        ts = toolsets[k]
        key = (_trajectory_key(c, message_key, keys), truths[k].key, ts.key if ts is not None else None)
        uid = item_uid.get(key)
        if uid is None:
            uid = item_uid[key] = len(uniq)
            uniq.append(k)
        inverse.append(uid)
    # each distinct message is parsed once (a GRPO group's rollouts share most of their steps)
    messages: list[Any] = []
    message_uid: dict[Hashable, int] = {}
    items: list[_Item] = []
    for u, k in enumerate(uniq):
        shape = split_trajectory(completions[k])
        msg_ids = []
        for turn in shape.turns:
            ids = []
            for step in turn:
                text = _plain_text(step.message)
                readable = text if text is not None else step.message
                mkey = text if text is not None else keys.get(id(step.message)) or message_key(step.message)
                m = message_uid.get(mkey)
                if m is None:
                    m = message_uid[mkey] = len(messages)
                    messages.append(readable)
                ids.append(m)
            msg_ids.append(ids)
        traj = truths[k].trajectory
        assert traj is not None  # (the driver sends trajectory truths only)
        items.append(_Item(u, indices[k], shape, traj, truths[k], toolsets[k], msg_ids, []))
    step_parses, _ = parse(messages) if messages else ([], [])
    turns = _score_turns(items, step_parses, classify, step_scorer)
    # 3-4. replay, components, reward per distinct item (the expected replay shared by a truth's rollouts)
    memo: dict[str, _Replay] = {}
    lo, hi = reward_range
    out = [_score_one(item, turns, registry, memo, preset_name, lo, hi - lo) for item in items]
    return [out[u] for u in inverse]


def _score_turns(
    items: list[_Item],
    step_parses: list[ParseResult],
    classify: Callable[[list[ParseResult]], list[str]],
    step_scorer: StepScorer,
) -> _Turns:
    """Step 2: every truth turn of every item as one step, scored at once (fills each item's calls by turn)."""
    parses: list[ParseResult] = []
    truths: list[CompiledTruth] = []
    tools: list[Any] = []
    raws: list[Any] = []
    scored: dict[tuple[int, int], int] = {}
    for item in items:
        for t, ids in enumerate(item.msg_ids):
            merged = _merge([step_parses[m] for m in ids])
            item.calls_by_turn.append(list(merged.calls))
            if t < len(item.traj.turns) and item.traj.turns[t].step is not None:
                scored[(item.u, t)] = len(parses)
                parses.append(merged)
                truths.append(item.traj.turns[t].step)
                tools.append(item.tools)
                raws.append(max((s.message for s in item.shape.turns[t]), key=_chars, default=""))
    if not parses:
        return _Turns(step_parses, scored, [], {}, [], [])
    done = classify(parses)
    rewards, components, reasons, matches = step_scorer(parses, done, truths, tools, raws)
    columns = {name: np.asarray(col, dtype=np.float64).tolist() for name, col in components.items()}
    return _Turns(step_parses, scored, rewards.tolist(), columns, reasons, done, matches)


_PLAIN_KEYS = frozenset({"role", "content", "name"})


def _plain_text(message: Any) -> str | None:
    """The text of a message that is only text (``role``, string ``content``, maybe ``name``): the parser reads it
    exactly as it reads that message (dispatch._parse_message: no calls, no reasoning field), on the text's own
    fast path. None for anything else."""
    if type(message) is dict and type(message.get("content")) is str and _PLAIN_KEYS.issuperset(message):
        return message["content"]  # type: ignore[no-any-return]
    return None


def _chars(message: Any) -> int:
    if type(message) is str:
        return len(message)
    if type(message) is dict or isinstance(message, Mapping):
        content = message.get("content")
        n = len(content) if isinstance(content, str) else 0
        calls = message.get("tool_calls")
        return n + (len(calls) if isinstance(calls, list) else 0)
    return 0


def _replays(item: _Item, registry: Any, memo: dict[str, _Replay]) -> tuple[_Replay | None, _Replay | None]:
    """(expected, actual) replays in the truth's environment, or (None, None) without one."""
    traj = item.traj
    if traj.environment is None:
        return None, None
    expected = memo.get(item.truth.key)
    if expected is None:
        expected = memo[item.truth.key] = _replay(_build(traj, registry, item.index), [t.replay for t in traj.turns])
    n_truth = len(traj.turns)
    actual: list[list[tuple[str, Mapping[str, Any] | None]]] = [
        [(c.name, c.arguments) for c in calls] for calls in item.calls_by_turn[:n_truth]
    ]
    actual += [[] for _ in range(n_truth - len(actual))]
    # calls in turns beyond the truth's still run (their effect on the state counts)
    extra = [(c.name, c.arguments) for calls in item.calls_by_turn[n_truth:] for c in calls]
    if extra:
        actual[-1] = [*actual[-1], *extra]
    return expected, _replay(_build(traj, registry, item.index), actual)


def _turn_rewards(
    item: _Item, turns: _Turns, expected: _Replay | None, got: _Replay | None, lo: float, span: float
) -> tuple[np.ndarray, list[str], dict[str, float]]:
    """Each truth turn's reward in [0, 1] and reason, and the step components' means over the turns."""
    n_truth = len(item.traj.turns)
    rewards = np.zeros(n_truth)
    reasons: list[str] = []
    sums: dict[str, list[float]] = {}
    for t, turn in enumerate(item.traj.turns):
        reason, value = _turn_reward(t, turn, item, turns, lo, span)
        j = turns.scored.get((item.u, t))
        if j is not None:
            for name, col in turns.components.items():
                sums.setdefault(name, []).append(col[j])
        if expected is not None and got is not None and t < len(item.shape.turns):
            share = compare_states(expected.states[t], got.states[t])[0]
            value = 0.5 * value + 0.5 * share
            if share < 1.0 and reason == "ok":
                reason = "trajectory_state"
        rewards[t] = value
        reasons.append(reason)
    means: dict[str, float] = {}
    for name, values in sums.items():
        finite = [v for v in values if not math.isnan(v)]
        means[name] = sum(finite) / len(finite) if finite else math.nan
    return rewards, reasons, means


def _call_key(call: ParsedCall) -> Hashable | None:
    """A key equal for the same call written the same way: its name and its arguments' JSON text with sorted keys
    (``1``, ``1.0`` and ``true`` differ: a repeat is the call unchanged); None for arguments that did not decode
    or that JSON cannot write (never the same as another call)."""
    if call.arguments is None:
        return None
    try:
        return (call.name, orjson.dumps(call.arguments, option=orjson.OPT_SORT_KEYS))
    except (TypeError, orjson.JSONEncodeError):
        return None


def _expected_times(key: Hashable, turn: CompiledTurn | None) -> int:
    """How many times the turn's truth expects exactly the call of ``key`` (among its plain expected calls)."""
    if turn is None or turn.step is None:
        return 0
    return sum(
        1
        for c in turn.step.calls
        if c.plain_arguments is not None and _call_key(ParsedCall(c.name, dict(c.plain_arguments))) == key
    )


def _waste(item: _Item, got: _Replay | None) -> tuple[int, list[list[bool]]]:
    """Wasted calls: a repeat of an earlier call of the same turn (beyond the times the truth expects that exact
    call), or an unchanged repeat of a call that failed. Only a call whose name came before (in its turn, or in a
    failed call) can repeat one: the others are not keyed."""
    failed: set[Hashable] = set()
    failed_names: set[str] = set()
    flags_by_turn: list[list[bool]] = []
    wasted = 0
    for t, calls in enumerate(item.calls_by_turn):
        failures = _failures(t, item.shape, got)
        turn = item.traj.turns[t] if t < len(item.traj.turns) else None
        first: dict[str, ParsedCall | None] = {}  # name -> its first call, until a second one keys it
        seen: dict[Hashable, int] = {}
        flags = []
        for c_i, call in enumerate(calls):
            failed_here = c_i < len(failures) and failures[c_i]
            waste = False
            if call.name in first or call.name in failed_names or failed_here:
                earlier = first.get(call.name)
                if earlier is not None:  # the first of this name, keyed now that it may be repeated
                    earlier_key = _call_key(earlier)
                    if earlier_key is not None:
                        seen[earlier_key] = seen.get(earlier_key, 0) + 1
                first[call.name] = None
                key = _call_key(call)
                if key is not None:
                    times = seen.get(key, 0)
                    waste = key in failed or (times > 0 and times >= max(_expected_times(key, turn), 1))
                    seen[key] = times + 1
                    if failed_here:
                        failed.add(key)
                        failed_names.add(call.name)
            else:
                first[call.name] = call
            flags.append(waste)
            wasted += waste
        flags_by_turn.append(flags)
    return wasted, flags_by_turn


def _final_grounding(item: _Item, final_text: str, got: _Replay | None) -> float:
    """The final answer's grounding (1 when no tool ran, or the answer states no number)."""
    if not _NUMBER.search(final_text[:MAX_GROUNDING_CHARS]):
        return 1.0
    shape = item.shape
    context = [r for turn in shape.turns for s in turn for r in s.results]
    if got is not None:
        context += [text for turn in got.results for ok, text in turn if ok]
    if not context:
        return 1.0
    context += [_json_text(c.arguments) for calls in item.calls_by_turn for c in calls if c.arguments]
    return _grounding(final_text, [*context, *shape.user_texts])


def _json_text(value: Any) -> str:
    """JSON text of decoded model output, never raising (an integer beyond 64 bits, say: its ``repr``)."""
    try:
        return orjson.dumps(value).decode()
    except (TypeError, orjson.JSONEncodeError):
        return repr(value)[:MAX_GROUNDING_CHARS]


def _outcome(item: _Item, final_text: str, got: _Replay | None) -> float:
    """The outcome checks' mean: the final answer's, and the required end-state fields (NaN: no outcome)."""
    traj = item.traj
    parts: list[float] = []
    if traj.answer is not None or traj.answer_contains:
        parts.append(_answer_score(traj.answer, traj.answer_contains, final_text))
    if traj.state and got is not None:
        end = state_fields(got.states[-1] if got.states else {})
        parts.append(sum(1 for path, m in traj.state if path in end and m.match(end[path])) / len(traj.state))
    return sum(parts) / len(parts) if parts else math.nan


def _reason(item: _Item, over_limit: bool, turn_reasons: list[str], components: Mapping[str, float]) -> str:
    """The first thing that cost reward (docs/reasons.md)."""
    n_turns, n_truth = len(item.shape.turns), len(item.traj.turns)
    if item.shape.truncated:
        return "trajectory_too_long"
    if over_limit:
        return "trajectory_over_limit"
    if n_turns < n_truth:
        return "trajectory_incomplete"
    if n_turns > n_truth:
        return "trajectory_extra_turns"
    first = next((r for r in turn_reasons if r != "ok"), None)
    if first is not None:
        return first
    for name, code in (
        ("state", "trajectory_state"),
        ("outcome", "trajectory_outcome"),
        ("efficiency", "trajectory_wasted_calls"),
        ("grounding", "trajectory_ungrounded_answer"),
    ):
        if components[name] < 1.0:  # (NaN compares False: not applicable)
            return code
    return "ok"


def _score_one(
    item: _Item, turns: _Turns, registry: Any, memo: dict[str, _Replay], preset_name: str, lo: float, span: float
) -> TrajectoryScore:
    """Steps 3-4 for one distinct item."""
    traj, shape = item.traj, item.shape
    steps_total = sum(len(t) for t in shape.turns)
    calls_total = sum(len(c) for c in item.calls_by_turn)
    over_limit = (
        (traj.max_calls is not None and calls_total > traj.max_calls)
        or (traj.max_steps is not None and steps_total > traj.max_steps)
        or shape.truncated > 0  # messages past MAX_MESSAGES were not read: never scored as if they were absent
    )
    expected, got = _replays(item, registry, memo)
    turn_rewards, turn_reasons, step_means = _turn_rewards(item, turns, expected, got, lo, span)
    wasted, wasted_flags = _waste(item, got)
    flat = [turns.step_parses[m] for m in item.flat_parses_ids]
    final_text = flat[-1].text if flat else ""
    state, diff = math.nan, list[dict[str, Any]]()
    if expected is not None and got is not None:
        state, diff = compare_states(expected.states[-1], got.states[-1])
    components: dict[str, float] = {
        # turns past the truth's dilute the mean: sum over max(truth turns, trajectory turns)
        "turns": float(turn_rewards.sum()) / max(len(traj.turns), len(shape.turns)),
        "state": state,
        "outcome": _outcome(item, final_text, got),
        "efficiency": 1.0 - wasted / calls_total if calls_total else 1.0,
        "grounding": _final_grounding(item, final_text, got),
        **step_means,
    }
    if preset_name == "bfcl":
        verdicts = bfcl_turn_verdicts(traj, item.calls_by_turn, expected, got, len(shape.turns))
        turn_rewards = np.asarray([1.0 if v else 0.0 for v in verdicts], dtype=np.float64)
        reward = 1.0 if all(verdicts) and not over_limit else 0.0
    else:
        reward = combine_trajectory(components, over_limit)
    reason = _reason(item, over_limit, turn_reasons, components)
    if reward < 1.0 and reason == "ok":
        reason = "trajectory_turn"
    done = [turns.done[turns.scored[(item.u, t)]] for t in range(len(traj.turns)) if (item.u, t) in turns.scored]
    behavior = "execute" if calls_total else (done[-1] if done else ("answer" if final_text else "invalid"))
    return TrajectoryScore(
        reward=lo + span * reward,
        components=components,
        reason=reason,
        behavior=behavior,
        violations=tuple(sorted({v for p in flat for v in p.violations})),
        turn_rewards=lo + span * turn_rewards,
        step_rewards=lo + span * _step_rewards(item, wasted_flags, turns, turn_rewards),
        details={
            "turns": len(shape.turns),
            "expected_turns": len(traj.turns),
            "turn_reasons": turn_reasons,
            "state_diff": diff,
            "wasted_calls": wasted,
            "skipped_messages": shape.skipped,
            "truncated_messages": shape.truncated,
        },
    )


def _failures(t: int, shape: Trajectory, got: _Replay | None) -> list[bool]:
    """Whether each call of turn ``t`` failed, in order: the replay's verdicts with an environment, else the
    host's tool messages of the turn (a result reporting an error, :func:`_looks_failed`)."""
    if got is not None:
        return [not ok for ok, _ in got.results[t]] if t < len(got.results) else []
    if t >= len(shape.turns):
        return []
    return [_looks_failed(r) for step in shape.turns[t] for r in step.results]


def _turn_reward(t: int, turn: CompiledTurn, item: _Item, turns: _Turns, lo: float, span: float) -> tuple[str, float]:
    """(reason, reward in [0, 1]) of truth turn ``t``, before the state check."""
    if t >= len(item.shape.turns) or not item.msg_ids[t]:  # never reached, or no assistant message in it
        return "trajectory_incomplete", 0.0
    parsed = [turns.step_parses[m] for m in item.msg_ids[t]]
    text = parsed[-1].text if parsed else ""
    answer = _answer_score(turn.answer, turn.answer_contains, text)
    if turn.step is None:  # an answer turn: no call, and the answer's checks
        if any(p.calls for p in parsed) or not text:
            return ("trajectory_no_answer" if not text else "trajectory_called_instead_of_answer"), 0.0
        return ("ok" if answer == 1.0 else "trajectory_outcome"), answer
    j = turns.scored[(item.u, t)]
    value = (turns.rewards[j] - lo) / span if span else 0.0
    reason = turns.reasons[j]
    if turn.answer is not None or turn.answer_contains:
        value *= 0.5 + 0.5 * answer
        if answer < 1.0 and reason == "ok":
            reason = "trajectory_outcome"
    return reason, min(max(value, 0.0), 1.0)


def _turn_match(item: _Item, t: int, turns: _Turns) -> CallMatch:
    """Turn ``t``'s call assignment: the step scorers' (the same parse, truth and tools), else computed."""
    j = turns.scored.get((item.u, t))
    found = turns.matches[j] if turns.matches is not None and j is not None else None
    if found is not None:
        return found
    return best_assignment(item.calls_by_turn[t], item.traj.turns[t].step, item.tools)


def _step_rewards(item: _Item, wasted_flags: list[list[bool]], turns: _Turns, turn_rewards: np.ndarray) -> np.ndarray:
    """One value in [0, 1] per assistant message (see the module contract)."""
    step_parses = turns.step_parses
    values: list[float] = []
    for t, ids in enumerate(item.msg_ids):
        turn = item.traj.turns[t] if t < len(item.traj.turns) else None
        pair_score: dict[int, float] = {}
        if turn is not None and turn.step is not None and turn.step.calls:
            pair_score = {i: s for i, _, s in _turn_match(item, t, turns).pairs}
        c_i = 0
        for m in ids:
            p = step_parses[m]
            if p.calls:
                scores = []
                for _ in p.calls:
                    scores.append(pair_score.get(c_i, 0.0) * (0.5 if wasted_flags[t][c_i] else 1.0))
                    c_i += 1
                values.append(sum(scores) / len(scores))
            elif turn is None:
                values.append(0.0)
            elif turn.step is not None and turn.step.calls and item.calls_by_turn[t]:
                # the answer after the turn's calls: its checks
                values.append(_answer_score(turn.answer, turn.answer_contains, p.text) if p.text else 0.0)
            else:
                values.append(float(turn_rewards[t]))
    return np.asarray(values, dtype=np.float64)


__all__ += ["TRAJECTORY_COMPONENTS", "bfcl_turn_verdicts"]
