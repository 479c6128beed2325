"""Trajectory ground truths: what must happen over a whole agent trajectory, validated once at the edge.

Contract: a native truth with ``"behavior": "trajectory"`` (a member of the tagged union in
:mod:`rlvr_rewards.groundtruth.truths`)::

    {"behavior": "trajectory",
     "turns": [                                   # one entry per user turn, in order
        {"calls": [{"name": ..., "arguments": {...}}], "ordered": false,   # execute (the default behaviour)
         "answer_contains": ["72"]},                                      # optional: the turn's last text
        {"behavior": "clarify", "missing": ["date"]},                    # or a step of another behaviour:
        {"behavior": "refuse"}, {"behavior": "no_call"},                  #   clarify / refuse / either /
        {"behavior": "answer", "answer_contains": ["Paris"]}],            #   a text answer without calls
     "outcome": {"answer_contains": [...], "answer": <matcher>,           # optional: the final answer and
                 "state": {"Class": {"field": <matcher>}}},               #   fields of the end state
     "max_calls": 20, "max_steps": 10,                                    # optional limits
     "environment": {"name": "bfcl", "config": {...}}}                    # optional: replay calls (below)

Each turn compiles to a :class:`~rlvr_rewards.groundtruth.truths.CompiledTruth` of one step (execute, clarify,
refuse, no_call) or an ``answer`` step, with the usual matchers; ``answer`` values and the ``state`` leaves are
matchers too (``$regex``, ``$text``, ``$approx``, ...). The environment's name is looked up when the trajectory
is scored (a truth never reads the plugin registry); its ``config`` must be JSON data. Compilation raises
:class:`~rlvr_rewards.errors.GroundTruthError` naming the field (``turns[2].calls[0].arguments.city``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from rlvr_rewards.errors import GroundTruthError
from rlvr_rewards.groundtruth.matchers import CompiledMatcher

__all__ = [
    "CompiledTrajectory",
    "CompiledTurn",
    "EnvironmentTruth",
    "OutcomeTruth",
    "TrajectoryTruth",
    "TurnTruth",
    "compile_trajectory",
    "state_paths",
]

#: Most turns a trajectory truth may list, and most expected calls over all its turns.
MAX_TURNS = 256
MAX_TRUTH_CALLS = 4096


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TurnTruth(_Strict):
    """What must happen in one user turn (see the module docstring)."""

    behavior: Literal["execute", "clarify", "refuse", "no_call", "answer"] = "execute"
    calls: list[dict[str, Any]] = Field(default_factory=list)
    ordered: bool = False
    missing: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)
    reference: str | None = None
    reason: str | None = None
    answer: Any = None
    answer_contains: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)

    @model_validator(mode="after")
    def _fields_fit_the_behavior(self) -> TurnTruth:
        if self.behavior == "execute" and not self.calls:
            raise ValueError("an execute turn lists at least one call (a turn without calls: 'no_call' or 'answer')")
        if self.behavior != "execute" and self.calls:
            raise ValueError(f"a {self.behavior!r} turn lists no calls")
        if self.missing and self.behavior != "clarify":
            raise ValueError("'missing' belongs to a 'clarify' turn")
        return self


class OutcomeTruth(_Strict):
    """What the trajectory must end with: its final answer, and fields of the environment's end state."""

    answer: Any = None
    answer_contains: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)
    state: dict[str, Any] | None = None


class EnvironmentTruth(_Strict):
    """An environment to replay calls in: a registered name and its JSON configuration."""

    name: Annotated[str, Field(min_length=1)]
    config: dict[str, Any] = Field(default_factory=dict)


class TrajectoryTruth(_Strict):
    behavior: Literal["trajectory"]
    turns: Annotated[list[TurnTruth], Field(min_length=1, max_length=MAX_TURNS)]
    outcome: OutcomeTruth | None = None
    max_calls: Annotated[int, Field(ge=1)] | None = None
    max_steps: Annotated[int, Field(ge=1)] | None = None
    environment: EnvironmentTruth | None = None


@dataclass(frozen=True, slots=True)
class CompiledTurn:
    """One turn: ``step`` is the step truth (a CompiledTruth of behaviour execute, clarify, refuse or no_call;
    ``None`` for an ``answer`` turn); ``answer`` and ``answer_contains`` check the turn's last text;
    ``replay`` is the expected calls as ``(name, arguments)`` with concrete values (:func:`concrete_value`), what
    an environment runs to build the expected state."""

    behavior: str
    step: Any  # CompiledTruth | None (truths.py imports this module)
    answer: CompiledMatcher | None = None
    answer_contains: tuple[str, ...] = ()
    replay: tuple[tuple[str, Mapping[str, Any]], ...] = ()


@dataclass(frozen=True, slots=True)
class CompiledTrajectory:
    """A validated trajectory truth as plain values."""

    turns: tuple[CompiledTurn, ...]
    answer: CompiledMatcher | None = None
    answer_contains: tuple[str, ...] = ()
    #: required end state: (path, matcher) per leaf of ``outcome.state`` (see :func:`state_paths`)
    state: tuple[tuple[tuple[str, ...], CompiledMatcher], ...] = ()
    max_calls: int | None = None
    max_steps: int | None = None
    environment: str | None = None
    environment_config: Mapping[str, Any] | None = None

    @property
    def has_outcome(self) -> bool:
        return self.answer is not None or bool(self.answer_contains) or bool(self.state)

    @property
    def expected_calls(self) -> int:
        return sum(len(t.step.calls) for t in self.turns if t.step is not None)


def _is_matcher(value: Any) -> bool:
    return isinstance(value, dict) and any(isinstance(k, str) and k.startswith("$") for k in value)


def state_paths(value: Mapping[str, Any], prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """The leaves of a required state: objects are walked (a matcher object is a leaf), anything else is a
    leaf at its key path."""
    out: list[tuple[tuple[str, ...], Any]] = []
    for key, item in value.items():
        path = (*prefix, str(key))
        if isinstance(item, dict) and item and not _is_matcher(item):
            out.extend(state_paths(item, path))
        else:
            out.append((path, item))
    return out


class _NotConcrete(Exception):
    """A matcher with no one value to run (``$regex``, ``$none``)."""


_ABSENT: Any = object()


def concrete_value(value: Any) -> Any:
    """A value to run an expected call with: plain JSON as it is; ``$any`` its first option, ``$approx`` its
    number, ``$text`` its text, ``$unordered`` its items, ``$optional`` its value, ``$literal`` its value.
    Raises :class:`_NotConcrete` for ``$regex`` and ``$none`` (and a plugin's matchers)."""
    if isinstance(value, dict):
        keys = [k for k in value if isinstance(k, str) and k.startswith("$")]
        if not keys:
            return {k: concrete_value(v) for k, v in value.items()}
        key = keys[0]
        if key == "$any" and isinstance(value[key], list) and value[key]:
            return concrete_value(value[key][0])
        if key in ("$approx", "$text", "$literal"):
            return value[key]
        if key == "$unordered" and isinstance(value[key], list):
            return [concrete_value(v) for v in value[key]]
        if key == "$optional":
            return concrete_value(value[key])
        raise _NotConcrete(key)
    if isinstance(value, list):
        return [concrete_value(v) for v in value]
    return value


def _replay_calls(calls: list[dict[str, Any]], path: str) -> tuple[tuple[str, Mapping[str, Any]], ...]:
    out = []
    for i, call in enumerate(calls):
        args = call.get("arguments", call.get("parameters")) or {}
        if not isinstance(args, dict):  # (the step truth's own check names this better; it ran first)
            args = {}
        try:
            out.append((str(call.get("name")), {k: concrete_value(v) for k, v in args.items()}))
        except _NotConcrete as exc:
            raise GroundTruthError(
                f"an expected call uses {exc.args[0]}, which has no one value to run in the environment",
                field=f"{path}.calls[{i}].arguments",
                expected="values the environment can run: plain JSON, or $any / $approx / $text / $unordered / "
                "$optional (their first or given value is run)",
                got=args,
            ) from None
    return tuple(out)


def compile_trajectory(
    model: TrajectoryTruth,
    compile_step: Callable[[dict[str, Any], str], Any],
    compile_matcher: Callable[[Any, str], CompiledMatcher],
) -> CompiledTrajectory:
    """Compile a validated trajectory: ``compile_step(native step truth, path)`` gives each turn's
    CompiledTruth, ``compile_matcher(value, path)`` each answer and state matcher."""
    turns: list[CompiledTurn] = []
    total = 0
    for i, turn in enumerate(model.turns):
        path = f"turns[{i}]"
        step: Any = None
        if turn.behavior == "execute":
            total += len(turn.calls)
            if total > MAX_TRUTH_CALLS:
                raise GroundTruthError(
                    "too many expected calls in one trajectory",
                    field=path,
                    expected=f"at most {MAX_TRUTH_CALLS}",
                    got=total,
                )
            step = compile_step({"behavior": "execute", "calls": turn.calls, "ordered": turn.ordered}, path)
        elif turn.behavior == "clarify":
            step = compile_step({"behavior": "clarify", "missing": turn.missing, "reference": turn.reference}, path)
        elif turn.behavior == "refuse":
            step = compile_step({"behavior": "refuse", "reason": turn.reason, "reference": turn.reference}, path)
        elif turn.behavior == "no_call":
            step = compile_step({"behavior": "no_call", "reference": turn.reference}, path)
        answer = None if turn.answer is None else compile_matcher(turn.answer, f"{path}.answer")
        replay = _replay_calls(turn.calls, path) if model.environment is not None else ()
        turns.append(CompiledTurn(turn.behavior, step, answer, tuple(turn.answer_contains), replay))
    outcome = model.outcome
    answer = None
    contains: tuple[str, ...] = ()
    state: list[tuple[tuple[str, ...], CompiledMatcher]] = []
    if outcome is not None:
        if outcome.answer is not None:
            answer = compile_matcher(outcome.answer, "outcome.answer")
        contains = tuple(outcome.answer_contains)
        if outcome.state and model.environment is None:
            raise GroundTruthError(
                "a required end state needs an environment to replay the calls in",
                field="outcome.state",
                expected="an 'environment': {'name': ..., 'config': {...}} next to it",
                got=outcome.state,
            )
        for path_parts, leaf in state_paths(outcome.state or {}):
            state.append((path_parts, compile_matcher(leaf, "outcome.state." + ".".join(path_parts))))
    env = model.environment
    return CompiledTrajectory(
        turns=tuple(turns),
        answer=answer,
        answer_contains=contains,
        state=tuple(state),
        max_calls=model.max_calls,
        max_steps=model.max_steps,
        environment=None if env is None else env.name,
        environment_config=None if env is None else env.config,
    )
