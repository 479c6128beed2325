"""veRL reward functions (tested with veRL 0.9.1): ``reward.custom_reward_function.path`` = this module
(``pkg://rlvr_rewards.integrations.verl`` or its file path), ``name=compute_score``.

Contract:

- ``compute_score(data_source, solution_str, ground_truth, extra_info=None, **kwargs)`` is what veRL
  0.9.1's reward-loop managers call, one sample per call (``naive``, ``gdpo``; ``dapo`` and ``limited``
  call the same signature). It returns one dict with the fixed key set of
  :func:`rlvr_rewards.integrations._keys.result_keys` for the preset: ``score``, every component of the
  preset (0.0 when it does not apply) and ``applies/<component>`` (1.0/0.0). Every call with the same
  preset returns the same keys in the same order, because veRL stacks the keys of sample 0 for the batch;
  values are finite floats, because veRL averages them (validation metrics, GDPO's per-key advantages).
- GDPO (``algorithm.adv_estimator=gdpo``, ``reward.reward_manager.name=gdpo``): every returned key is a
  reward component GDPO can normalise; list the ones to use in ``algorithm.gdpo_reward_keys``.
- Tools: ``extra_info["tools"]`` (a list of specs or its JSON text) when it is not ``None``; else the
  ``tool_schema`` entries of veRL's tool config (``tool_config_path`` keyword, i.e.
  ``reward.custom_reward_function.reward_kwargs.tool_config_path``, else ``RLVR_TOOL_CONFIG``), kept to
  ``extra_info["tool_selection"]`` when the row names one, as veRL's tool agent loop does; else none.
- Multi-turn agent-loop rollouts: veRL decodes everything after the prompt (assistant turns *and* the
  tool responses its chat template wrapped in ``<tool_response>...</tool_response>``) into one string.
  :func:`agent_turns` cuts it into the model's turns (tool responses and the bare role labels left by
  ``skip_special_tokens`` are dropped). A rollout with at least one tool response is scored on the turns
  that made the calls: every turn before the last tool response, plus the last turn if it holds a call
  (a rollout cut off after a call); the final answer after the last tool response is not scored. A
  rollout without a tool response is scored as it is.
- Preset: the ``preset`` keyword (``reward_kwargs.preset``), else ``RLVR_PRESET``, else ``graded``.
- Format: the ``format`` keyword (``reward_kwargs.format``: a format name or model family, docs/formats.md),
  else ``RLVR_FORMAT``, else detected per completion.
- ``compute_score_batch`` (plural keyword arguments, one dict per item, same keys) serves veRL's legacy
  ``batch`` manager (``verl.workers.reward_manager``), which 0.9.1's trainer no longer uses; it scores
  with ``workers`` processes (``workers`` keyword, else ``RLVR_WORKERS``, else 1).
- Bad user data (ground truth, tool specs, tool config, settings) raises with the culprit named; model
  output never raises.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

__all__ = [
    "agent_turns",
    "compute_score",
    "compute_score_batch",
    "result_keys",
    "rollout_completion",
    "tools_from_config",
]

_OPEN = "<tool_response>"
_CLOSE = "</tool_response>"
#: Role labels a chat template leaves around a tool response once its special tokens are skipped.
_ROLES = frozenset({"user", "tool", "ipython", "assistant", "system", "function"})
_MARKERS = ("<|im_start|>", "<|im_end|>", "<|eot_id|>", "<|start_header_id|>", "<|end_header_id|>", "<|endoftext|>")


def _workers(value: Any) -> int:
    """The ``workers`` keyword, else ``RLVR_WORKERS``, else 1; a value that is not a number is a ConfigError."""
    from rlvr_rewards.errors import ConfigError

    if value is None:
        value = os.environ.get("RLVR_WORKERS", "1")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"workers (reward_kwargs or RLVR_WORKERS) must be a positive int, got {value!r}") from None


def _strip_role_lines(text: str, *, leading: bool) -> str:
    """Drop bare role-label lines (``user``, ``assistant``, ...) at the start or end of a turn."""
    lines = text.split("\n")
    while lines:
        probe = lines[0] if leading else lines[-1]
        for m in _MARKERS:
            probe = probe.replace(m, "")
        if probe.strip() and probe.strip() not in _ROLES:
            break
        lines.pop(0 if leading else -1)
    return "\n".join(lines)


def agent_turns(text: str) -> tuple[list[str], int]:
    """``(turns, n_tool_responses)``: the model's turns of a decoded agent-loop response.

    ``<tool_response>...</tool_response>`` blocks (an unclosed one runs to the end) separate the turns;
    the bare role labels around them are dropped, and so are turns left empty."""
    turns: list[str] = []
    responses = 0
    pos = 0
    while True:
        start = text.find(_OPEN, pos)
        if start < 0:
            turns.append(text[pos:])
            break
        turns.append(text[pos:start])
        responses += 1
        end = text.find(_CLOSE, start + len(_OPEN))
        if end < 0:
            pos = len(text)
            turns.append("")
            break
        pos = end + len(_CLOSE)
    if responses == 0:
        return [text], 0
    cleaned = [_strip_role_lines(_strip_role_lines(t, leading=True), leading=False) for t in turns]
    return [t for t in cleaned if t.strip()], responses


def rollout_completion(solution: Any) -> Any:
    """What is scored for a decoded veRL response (see the module contract); non-strings pass through."""
    if not isinstance(solution, str) or _OPEN not in solution:
        return solution
    import rlvr_rewards as rr

    turns, _ = agent_turns(solution)
    close = solution.rfind(_CLOSE)
    tail = solution[close + len(_CLOSE) :] if close > solution.rfind(_OPEN) else ""
    tail = _strip_role_lines(_strip_role_lines(tail, leading=True), leading=False)
    if tail.strip() and turns and turns[-1] == tail and not rr.parse(tail).calls:
        turns = turns[:-1]  # the final answer after the last tool response
    return "\n".join(turns)


@lru_cache(maxsize=16)
def _config_schemas(path: str, mtime_ns: int) -> tuple[dict[str, Any], ...]:
    from rlvr_rewards.errors import ConfigError

    try:
        yaml = importlib.import_module("yaml")
    except ImportError:
        raise ConfigError(
            f"reading the veRL tool config {path!r} needs PyYAML (veRL installs it): pip install pyyaml"
        ) from None
    try:
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read the veRL tool config {path!r}: {exc}") from None
    tools = doc.get("tools") if isinstance(doc, Mapping) else None
    if not isinstance(tools, list):
        raise ConfigError(
            f"veRL tool config {path!r}: expected a mapping with a 'tools' list, got "
            f"{type(doc).__name__}{'' if not isinstance(doc, Mapping) else ' without tools'}"
        )
    out = []
    for i, tool in enumerate(tools):
        schema = tool.get("tool_schema") if isinstance(tool, Mapping) else None
        if not isinstance(schema, Mapping):
            raise ConfigError(
                f"veRL tool config {path!r}: tools[{i}] has no 'tool_schema' mapping "
                "(rlvr_rewards scores calls against it)"
            )
        out.append(dict(schema))
    return tuple(out)


def tools_from_config(path: str, selection: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """The ``tool_schema`` of every tool in a veRL tool config (YAML), kept to ``selection`` if given."""
    try:
        mtime = os.stat(path).st_mtime_ns
    except OSError as exc:
        from rlvr_rewards.errors import ConfigError

        raise ConfigError(f"veRL tool config {path!r} (tool_config_path or RLVR_TOOL_CONFIG): {exc}") from None
    schemas = list(_config_schemas(path, mtime))
    if selection:
        wanted = set(selection)
        schemas = [s for s in schemas if _schema_name(s) in wanted]
    return schemas


def _schema_name(schema: Mapping[str, Any]) -> Any:
    fn = schema.get("function")
    return fn.get("name") if isinstance(fn, Mapping) else schema.get("name")


def _item_tools(extra_info: Any, tool_config_path: str | None) -> Any:
    info = extra_info if isinstance(extra_info, Mapping) else {}
    tools = info.get("tools")
    if tools is not None:
        return tools
    path = tool_config_path or os.environ.get("RLVR_TOOL_CONFIG")
    if not path:
        return None
    selection = info.get("tool_selection")
    if isinstance(selection, str):
        selection = [selection]
    return tools_from_config(str(path), [str(s) for s in selection] if selection is not None else None)


def _results(
    solutions: Sequence[Any],
    truths: Sequence[Any],
    extra_infos: Sequence[Any],
    *,
    workers: int = 1,
    preset: str | None = None,
    tool_config_path: str | None = None,
    format: str | None = None,
) -> list[dict[str, float]]:
    from rlvr_rewards.integrations._keys import sample_dicts
    from rlvr_rewards.scoring.core import score_batch

    tools = [_item_tools(e, tool_config_path) for e in extra_infos]
    completions = [rollout_completion(s) for s in solutions]
    batch = score_batch(
        completions, list(truths), tools=tools, preset=_preset(preset), workers=workers, format=_format(format)
    )
    return sample_dicts(batch)


def _preset(preset: str | None) -> str:
    """The preset of the module contract: the ``preset`` keyword, else ``RLVR_PRESET``, else ``graded``."""
    return preset or os.environ.get("RLVR_PRESET", "graded")


def _format(hint: str | None) -> str | None:
    """The format hint of the module contract: the ``format`` keyword, else ``RLVR_FORMAT``, else detection."""
    return hint or os.environ.get("RLVR_FORMAT") or None


def result_keys(preset: str | None = None) -> tuple[str, ...]:
    """The keys every ``compute_score`` call returns for ``preset`` (default as in the contract), in order."""
    from rlvr_rewards.integrations._keys import result_keys as keys
    from rlvr_rewards.scoring.core import score_batch

    probe = score_batch([""], [{"behavior": "refuse"}], preset=_preset(preset))
    return keys(probe.components)


def compute_score(
    data_source: Any,
    solution_str: Any,
    ground_truth: Any,
    extra_info: Any = None,
    *,
    preset: str | None = None,
    tool_config_path: str | None = None,
    format: str | None = None,
    **kwargs: Any,
) -> dict[str, float]:
    """One sample, as veRL 0.9.1's reward-loop managers call it (see the module contract): ``rr.score``'s
    single-item path, so a call costs about what one item of a batch does."""
    from rlvr_rewards.integrations._keys import item_dict
    from rlvr_rewards.scoring.core import score

    result = score(
        rollout_completion(solution_str),
        ground_truth,
        tools=_item_tools(extra_info, tool_config_path),
        preset=_preset(preset),
        format=_format(format),
    )
    return item_dict(result.reward, result.components)


def compute_score_batch(
    data_sources: Sequence[Any],
    solution_strs: Sequence[Any],
    ground_truths: Sequence[Any],
    extra_infos: Sequence[Any] | None = None,
    *,
    preset: str | None = None,
    tool_config_path: str | None = None,
    format: str | None = None,
    **kwargs: Any,
) -> list[dict[str, float]]:
    """A batch, as veRL's legacy ``batch`` manager calls it: one dict per item, all with the same keys."""
    infos = list(extra_infos) if extra_infos is not None else [None] * len(solution_strs)
    return _results(
        solution_strs,
        ground_truths,
        infos,
        workers=_workers(kwargs.get("workers")),
        preset=preset,
        tool_config_path=tool_config_path,
        format=format,
    )
