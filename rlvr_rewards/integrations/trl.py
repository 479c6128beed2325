"""Reward functions for TRL's ``GRPOTrainer(reward_funcs=[...])``, including its tool mode.

Contract of the functions made by :func:`make_reward_func` (and of :data:`reward_func`, the ``graded``
one): called as ``fn(prompts=..., completions=[...], **dataset_columns)``; completions are strings or
message lists (conversational datasets); the truth comes from a ``ground_truth`` column (or
``reward_model`` / ``reference_answer`` / ``answer``), tools from ``tools`` or ``extra_info``, else from
the ``tools=`` given to :func:`make_reward_func` (Python callables as given to ``GRPOTrainer(tools=...)``
or JSON specs), else from the tool methods of the ``environments`` TRL passes with
``environment_factory``. Returns a plain ``list[float]``, one per completion, never raising on model
output. When TRL passes a ``log_metric`` callable, the mean of every component and the share of each
behaviour are logged under ``rlvr/...``. :func:`component_reward_funcs` returns one function per
component, for users of ``reward_weights``. Each function has a distinct ``__name__`` (TRL logs rewards
by function name).

Tool mode (``GRPOTrainer(tools=...)`` / ``environment_factory``): a completion is a message list
``[assistant(tool_calls), tool(result), assistant(...), ...]``. :func:`merge_tool_loop` turns it into
the one assistant message that is scored: the ``tool_calls`` of every assistant message, concatenated in
order, with the content and reasoning of those calling messages only. Assistant messages without
``tool_calls`` after a tool result (the final answer) are not scored (trajectory scoring is a later
issue) and counted in ``rlvr/tool_loop_unscored_answers``. A list in which no assistant message has
``tool_calls``, or whose only calling message is its last assistant message, is scored unchanged (the
last assistant message). The merge never raises: anything else is passed through to the parser.
"""

from __future__ import annotations

import inspect
import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rlvr_rewards.combine.presets import Preset
from rlvr_rewards.errors import ConfigError
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


def _score(
    completions: Sequence[Any],
    columns: dict[str, Any],
    preset: str | Preset,
    truth_column: str | None,
    tools: list[Any] | None,
    options: dict[str, Any],
) -> tuple[BatchScore, list[MergedCompletion]]:
    from rlvr_rewards.scoring.core import score_batch

    n = len(completions)
    truths = truths_from_columns(columns, n, truth_column)
    row_tools = _row_tools(columns, n, tools)
    merged = [merge_tool_loop(c) for c in completions]
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
        log_metric("rlvr/tool_loop_unscored_answers", sum(m.unscored_answers for m in loops) / len(loops))


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
    ``format``: the completions' tool-call format (docs/formats.md), else detected per completion."""
    default_tools = tool_specs(tools)
    funcs = []
    for component in components:

        def fn(
            prompts: Any = None, completions: Sequence[Any] = (), _c: str = component, **columns: Any
        ) -> list[float | None]:
            for key in ("completion_ids", "trainer_state", "log_extra", "log_metric"):
                columns.pop(key, None)
            batch, _ = _score(completions, columns, preset, truth_column, default_tools, {"format": format})
            return [None if not math.isfinite(v) else float(v) for v in batch.components[_c]]

        fn.__name__ = fn.__qualname__ = f"rlvr_{component}"
        funcs.append(fn)
    return funcs  # type: ignore[return-value]
