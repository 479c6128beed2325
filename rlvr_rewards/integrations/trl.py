"""Reward functions for TRL's ``GRPOTrainer(reward_funcs=[...])``, including its tool mode.

Contract of the functions made by :func:`make_reward_func` (and of :data:`reward_func`, the ``graded``
one): called as ``fn(prompts=..., completions=[...], **dataset_columns)``; completions are strings or
message lists (conversational datasets); the truth comes from a ``ground_truth`` column (or
``reward_model`` / ``reference_answer`` / ``answer``), tools from ``tools`` or ``extra_info``, else from
the ``tools=`` given to :func:`make_reward_func` (Python callables as given to ``GRPOTrainer(tools=...)``
or JSON specs), else from the tool methods of the ``environments`` TRL passes with
``environment_factory``. Returns a plain ``list[float]``, one per completion, never raising on model
output (a ground truth that cannot be read raises ``GroundTruthError`` naming the batch item). When TRL
passes a ``log_metric`` callable, the mean of every component and the share of each behaviour are logged
under ``rlvr/...``. :func:`component_reward_funcs` returns one function per component, for users of
``reward_weights``. Each function has a distinct ``__name__`` (TRL logs rewards by function name).
With ``RLVR_REWARDS_URL`` set, the batch is scored on that reward server instead of in-process, with the same
result (:mod:`rlvr_rewards.integrations._remote`, docs/server.md "Remote scoring").

Tool mode (``GRPOTrainer(tools=...)`` / ``environment_factory``). TRL 1.16 builds each completion in
``trl/trainer/grpo_trainer.py``: ``GRPOTrainer._generate`` parses the first generation into
``[assistant]`` with ``transformers``' ``parse_response`` (``tool_calls`` entries
``{"type": "function", "function": {"name", "arguments": dict}}``), then ``GRPOTrainer._tool_call_loop`` runs
the calls, appends one ``{"role": "tool", "name", "content"}`` message per call (a failed call's content is
``str({"error": ...})``) and the next generation's parsed assistant message, until no call is made or
``max_tool_calling_iterations`` is reached; ``GRPOTrainer._calculate_rewards`` passes these lists as
``completions`` (and the per-rollout ``environments``). No user message is ever added: a TRL rollout is one
user turn. What is scored depends on the row's truth:

- **a trajectory truth** (``{"behavior": "trajectory", ...}``, docs/trajectories.md):
  the completion is passed to ``rr.score_batch`` unchanged, the whole message list, and scored by the
  trajectory path (:mod:`rlvr_rewards.scoring.trajectory`): the turn's calls against its expected calls, the
  final answer against ``outcome`` / ``answer_contains``, wasted calls, the answer's grounding in the tool
  results.
  With ``log_metric``, the turn and step rewards are logged too: ``rlvr/trajectory_share``,
  ``rlvr/turn_reward_mean`` / ``_min``, ``rlvr/step_reward_mean`` / ``_min``, ``rlvr/trajectory_steps`` (mean
  assistant messages), beside the trajectory components ``rlvr/turns``, ``rlvr/outcome``, ... ;
- **a single-step truth** (execute, clarify, refuse, ...): :func:`merge_tool_loop` turns the list into the one
  assistant message that is scored: the ``tool_calls`` of every assistant message, concatenated in order, with
  the content and reasoning of those calling messages only. Assistant messages without ``tool_calls`` after a
  tool result (the final answer) are not scored (a single-step truth says nothing about them) and counted in
  ``rlvr/tool_loop_unscored_answers``. A list in which no assistant message has ``tool_calls``, or whose only
  calling message is its last assistant message, is scored unchanged (the last assistant message). The merge
  never raises: anything else is passed through to the parser.
"""

from __future__ import annotations

import inspect
import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from rlvr_rewards.combine.presets import Preset
from rlvr_rewards.combine.trajectory import TRAJECTORY_COMPONENTS
from rlvr_rewards.errors import ConfigError, GroundTruthError
from rlvr_rewards.integrations._columns import tools_from_columns, truths_from_columns
from rlvr_rewards.scoring.result import BatchScore

__all__ = [
    "MergedCompletion",
    "component_reward_funcs",
    "make_reward_func",
    "merge_tool_loop",
    "reward_func",
    "tool_specs",
]

RewardFunc = Callable[..., list[float]]


@dataclass(frozen=True)
class MergedCompletion:
    """What is scored for one completion, and what the merge did (for logging)."""

    scored: Any
    tool_loop: bool = False  # a tool-loop trajectory (a tool message or several assistant messages)
    tool_turns: int = 0  # assistant messages with tool_calls
    calls: int = 0  # tool_calls entries merged
    unscored_answers: int = 0  # assistant messages without tool_calls in a merged trajectory
    trajectory: bool = False  # the row's truth is a trajectory truth: ``scored`` is the completion, unmerged


def _is_assistant(msg: Any) -> bool:
    return isinstance(msg, Mapping) and msg.get("role") == "assistant"


def merge_tool_loop(completion: Any) -> MergedCompletion:
    """The assistant message to score for one TRL completion (see the module docstring)."""
    if not isinstance(completion, (list, tuple)):
        return MergedCompletion(completion)
    try:
        assistants = [m for m in completion if _is_assistant(m)]
        tool_loop = len(assistants) > 1 or any(isinstance(m, Mapping) and m.get("role") == "tool" for m in completion)
        calling = [m for m in assistants if m.get("tool_calls")]
    except Exception:  # a hostile message object: the parser decides (it never raises)
        return MergedCompletion(completion)
    if not calling or (len(calling) == 1 and calling[0] is assistants[-1]):
        calls = calling[0]["tool_calls"] if calling else ()
        return MergedCompletion(
            completion, tool_loop, len(calling), len(calls) if isinstance(calls, (list, tuple)) else 1 if calling else 0
        )
    merged_calls: list[Any] = []
    content: list[Any] = []
    reasoning: list[str] = []
    for msg in calling:
        value = msg["tool_calls"]
        # A tool_calls value that is not a list is kept as one entry: the parser reports it as invalid.
        if isinstance(value, (list, tuple)):
            merged_calls.extend(value)
        else:
            merged_calls.append(value)
        part = msg.get("content")
        if isinstance(part, (list, tuple)):
            content.extend(part)
        elif part is not None:
            content.append(part)
        for key in ("reasoning_content", "reasoning"):
            if isinstance(msg.get(key), str) and msg[key].strip():
                reasoning.append(msg[key])
                break
    scored: dict[str, Any] = {"role": "assistant", "content": content, "tool_calls": merged_calls}
    if reasoning:
        scored["reasoning_content"] = "\n".join(reasoning)
    return MergedCompletion(scored, True, len(calling), len(merged_calls), len(assistants) - len(calling))


def tool_specs(tools: Sequence[Any] | None) -> list[Any] | None:
    """JSON specs for ``tools``: callables (as given to ``GRPOTrainer(tools=...)``) go through transformers'
    ``get_json_schema`` (TRL renders them the same way); dicts and JSON text are kept as they are."""
    if tools is None:
        return None
    if isinstance(tools, (str, bytes, Mapping)) or not isinstance(tools, Sequence):
        raise ConfigError(f"tools must be a list of callables or tool specs, got {type(tools).__name__}")
    specs: list[Any] = []
    for i, tool in enumerate(tools):
        if not callable(tool):
            specs.append(tool)
            continue
        try:
            from transformers.utils import get_json_schema  # type: ignore[attr-defined, unused-ignore]
        except ImportError as exc:
            raise ConfigError(
                "tools given as Python callables need transformers (the 'trl' extra) to read their "
                "JSON schema; pass JSON specs instead"
            ) from exc
        try:
            specs.append(get_json_schema(tool))
        except Exception as exc:
            raise ConfigError(
                f"tools[{i}] ({getattr(tool, '__name__', type(tool).__name__)}): transformers' "
                f"get_json_schema cannot read it ({exc}); give it type hints and a docstring with an "
                "Args section, as GRPOTrainer(tools=...) requires"
            ) from exc
    return specs


_ENV_SPECS: dict[type, list[Any]] = {}


def _environment_specs(env: Any) -> list[Any]:
    """The tool specs of one TRL environment instance: its public methods except ``reset``/``get_reward``
    (TRL's own rule in ``GRPOTrainer.__init__``)."""
    kind = type(env)
    if kind not in _ENV_SPECS:
        methods = [
            getattr(env, name)
            for name, _ in inspect.getmembers(kind, predicate=inspect.isfunction)
            if name not in ("reset", "get_reward") and not name.startswith("_")
        ]
        _ENV_SPECS[kind] = tool_specs(methods) or []
    return _ENV_SPECS[kind]


def _row_tools(columns: Mapping[str, Any], n: int, default: list[Any] | None) -> list[Any] | None:
    """Per-row tools: the dataset's column where it has a value, else ``default`` plus the row's
    environment tools (``environment_factory``), else ``None``."""
    envs = columns.get("environments")
    fallback: list[Any] = [default] * n
    if isinstance(envs, Sequence) and not isinstance(envs, (str, bytes)) and len(envs) == n:
        fallback = [((default or []) + _environment_specs(e)) or None if e is not None else default for e in envs]
    tools = tools_from_columns(columns, n)
    if tools is None:
        return fallback if any(t is not None for t in fallback) else None
    return [t if t is not None else d for t, d in zip(tools, fallback, strict=True)]


def _trajectory_rows(truths: Sequence[Any]) -> list[bool]:
    """Which rows hold a trajectory truth. A truth that does not compile counts as not one: ``score_batch``
    compiles it again and raises, naming the item."""
    from rlvr_rewards.groundtruth.truths import resolve_item
    from rlvr_rewards.plugins import get_registry

    matchers = get_registry().matcher_table
    memo: dict[int, bool] = {}  # by identity: a GRPO group repeats its row's value (alive in ``truths``)
    out: list[bool] = []
    for value in truths:
        found = memo.get(id(value))
        if found is None:
            try:
                found = resolve_item(value, matchers, read_tools=False)[0].trajectory is not None
            except GroundTruthError:  # score_batch raises it again, naming the item
                found = False
            memo[id(value)] = found
        out.append(found)
    return out


def _prepare(completion: Any, trajectory: bool) -> MergedCompletion:
    """What is scored for one completion: unmerged under a trajectory truth, else :func:`merge_tool_loop`."""
    merged = merge_tool_loop(completion)
    if not trajectory:
        return merged
    return replace(merged, scored=completion, unscored_answers=0, trajectory=True)


def _score(
    completions: Sequence[Any],
    columns: dict[str, Any],
    preset: str | Preset,
    truth_column: str | None,
    tools: list[Any] | None,
    options: dict[str, Any],
) -> tuple[BatchScore, list[MergedCompletion]]:
    from rlvr_rewards.integrations._remote import score_batch  # in-process, or RLVR_REWARDS_URL's server

    n = len(completions)
    truths = truths_from_columns(columns, n, truth_column)
    row_tools = _row_tools(columns, n, tools)
    merged = [_prepare(c, t) for c, t in zip(completions, _trajectory_rows(truths), strict=True)]
    batch = score_batch([m.scored for m in merged], truths, tools=row_tools, preset=preset, **options)
    return batch, merged


def _log(batch: BatchScore, merged: list[MergedCompletion], log_metric: Any) -> None:
    if not callable(log_metric) or len(batch) == 0:
        return
    for name, column in batch.components.items():
        finite = [float(v) for v in column if math.isfinite(v)]
        if finite:
            log_metric(f"rlvr/{name}", sum(finite) / len(finite))
    for behavior, count in Counter(batch.behaviors).items():
        log_metric(f"rlvr/behavior_{behavior}", count / len(batch))
    loops = [m for m in merged if m.tool_loop]
    if loops:
        log_metric("rlvr/tool_loop_share", len(loops) / len(merged))
        log_metric("rlvr/tool_loop_tool_turns", sum(m.tool_turns for m in loops) / len(loops))
        log_metric("rlvr/tool_loop_calls", sum(m.calls for m in loops) / len(loops))
    merges = [m for m in loops if not m.trajectory]  # (a trajectory row's final answer is scored)
    if merges:
        log_metric("rlvr/tool_loop_unscored_answers", sum(m.unscored_answers for m in merges) / len(merges))
    _log_trajectories(batch, merged, log_metric)


def _log_trajectories(batch: BatchScore, merged: list[MergedCompletion], log_metric: Any) -> None:
    """The turn and step rewards of the rows scored as trajectories (see the module docstring)."""
    rows = [i for i, m in enumerate(merged) if m.trajectory]
    if not rows:
        return
    turn_rewards, step_rewards = batch.turn_rewards, batch.step_rewards
    turns = [float(v) for i in rows for v in turn_rewards[i].tolist()]
    steps = [float(v) for i in rows for v in step_rewards[i].tolist()]
    log_metric("rlvr/trajectory_share", len(rows) / len(merged))
    log_metric("rlvr/trajectory_steps", len(steps) / len(rows))
    if turns:
        log_metric("rlvr/turn_reward_mean", sum(turns) / len(turns))
        log_metric("rlvr/turn_reward_min", min(turns))
    if steps:
        log_metric("rlvr/step_reward_mean", sum(steps) / len(steps))
        log_metric("rlvr/step_reward_min", min(steps))


def make_reward_func(
    preset: str | Preset = "graded",
    *,
    truth_column: str | None = None,
    name: str | None = None,
    tools: Sequence[Any] | None = None,
    **options: Any,
) -> RewardFunc:
    """A TRL reward function scoring with ``preset`` (``options`` go to ``rr.score_batch``: e.g.
    ``format="glm"`` names the completions' tool-call format, docs/formats.md).

    ``tools``: the tools for rows without a ``tools`` / ``extra_info.tools`` column value, e.g. the same
    Python callables given to ``GRPOTrainer(tools=...)`` (read with transformers' ``get_json_schema``)."""
    default_tools = tool_specs(tools)

    def fn(prompts: Any = None, completions: Sequence[Any] = (), **columns: Any) -> list[float]:
        log_metric = columns.pop("log_metric", None)
        for key in ("completion_ids", "trainer_state", "log_extra"):
            columns.pop(key, None)
        batch, merged = _score(completions, columns, preset, truth_column, default_tools, options)
        _log(batch, merged, log_metric)
        return [float(r) for r in batch.rewards]

    label = name or f"rlvr_{preset if isinstance(preset, str) else preset.name}".replace("-", "_")
    fn.__name__ = fn.__qualname__ = label
    return fn


reward_func = make_reward_func("graded", name="rlvr_graded")


def component_reward_funcs(
    components: Sequence[str] = ("format", "tool_name", "arguments", "schema", "clarify", "refuse"),
    preset: str | Preset = "graded",
    *,
    truth_column: str | None = None,
    tools: Sequence[Any] | None = None,
    format: str | None = None,
) -> list[RewardFunc]:
    """One TRL reward function per component (NaN -> None, which TRL treats as "not applicable").
    ``format``: the completions' tool-call format (docs/formats.md), else detected per completion. The
    trajectory components (``turns``, ``state``, ``outcome``, ``efficiency``, ``grounding``) may be named too:
    ``None`` for rows whose truth is not a trajectory."""
    default_tools = tool_specs(tools)
    funcs = []
    for component in components:

        def fn(
            prompts: Any = None, completions: Sequence[Any] = (), _c: str = component, **columns: Any
        ) -> list[float | None]:
            for key in ("completion_ids", "trainer_state", "log_extra", "log_metric"):
                columns.pop(key, None)
            batch, _ = _score(completions, columns, preset, truth_column, default_tools, {"format": format})
            column = batch.components.get(_c)
            if column is None and _c in TRAJECTORY_COMPONENTS:  # a batch without trajectory rows
                return [None] * len(batch)
            if column is None:
                raise ConfigError(
                    f"component_reward_funcs: no component {_c!r}; the batch has {sorted(batch.components)} "
                    "(name one of those, or a registered plugin's component)"
                )
            return [None if not math.isfinite(v) else float(v) for v in column]

        fn.__name__ = fn.__qualname__ = f"rlvr_{component}"
        funcs.append(fn)
    return funcs  # type: ignore[return-value]
