"""veRL reward functions (tested with veRL 0.9.1): ``reward.custom_reward_function.path`` = this module
(``pkg://rlvr_rewards.integrations.verl`` or its file path), ``name=compute_score``.

Contract:

- ``compute_score(data_source, solution_str, ground_truth, extra_info=None, **kwargs)`` is what veRL
  0.9.1's reward-loop managers call, one sample per call (``naive``, ``gdpo``; ``dapo`` and ``limited``
  call the same signature). It returns one dict with the fixed key set of :func:`result_keys` for the preset
  and the ``trajectory_keys`` setting: ``score``, every component of the preset (0.0 when it does not apply)
  and ``applies/<component>`` (1.0/0.0); with ``trajectory_keys``, also the trajectory components
  (``turns``, ``state``, ``outcome``, ``efficiency``, ``grounding``) with their ``applies/`` flags, and
  ``turn_rewards`` / ``step_rewards`` (below). Every call with the same settings returns the same keys in the
  same order, whatever the row (single-step or trajectory truth), because veRL stacks the keys of sample 0
  for the batch; numeric values are finite floats, because veRL averages them (validation metrics, GDPO's
  per-key advantages).
- GDPO (``algorithm.adv_estimator=gdpo``, ``reward.reward_manager.name=gdpo``): every returned float key is a
  reward component GDPO can normalise; list the ones to use in ``algorithm.gdpo_reward_keys``.
- Tools: ``extra_info["tools"]`` (a list of specs or its JSON text) when it is not ``None``; else the
  ``tool_schema`` entries of veRL's tool config (``tool_config_path`` keyword, i.e.
  ``reward.custom_reward_function.reward_kwargs.tool_config_path``, else ``RLVR_TOOL_CONFIG``), kept to
  ``extra_info["tool_selection"]`` when the row names one, as veRL's tool agent loop does; else none.
- Multi-turn agent-loop rollouts, single-step truth: veRL decodes everything after the prompt (assistant
  turns *and* the tool responses its chat template wrapped in ``<tool_response>...</tool_response>``) into one
  string. :func:`agent_turns` cuts it into the model's turns (tool responses and the bare role labels left by
  ``skip_special_tokens`` are dropped). A rollout with at least one tool response is scored on the turns
  that made the calls: every turn before the last tool response, plus the last turn if it holds a call
  (a rollout cut off after a call); the final answer after the last tool response is not scored. A
  rollout without a tool response is scored as it is.
- Agent-loop rollouts, trajectory truth (``{"behavior": "trajectory", ...}``, docs/trajectories.md): the decoded
  string is rebuilt into the rollout's message list by :func:`agent_messages` (assistant messages, ``tool``
  messages from the ``<tool_response>`` blocks, ``user`` messages where a ``user`` role label opens a message
  that is not a tool response) and scored as a whole trajectory: ``score`` is the trajectory reward. With
  ``trajectory_keys`` (the ``trajectory_keys`` keyword, i.e. ``reward_kwargs.trajectory_keys: true``, else
  ``RLVR_TRAJECTORY_KEYS``, else off), ``turn_rewards`` is the JSON text of the list of turn rewards (one per
  user turn of the truth, ``Score.turn_rewards``) and ``step_rewards`` that of the step rewards (one per
  assistant message); a single-step row gets ``[score]`` for both. JSON text, because veRL stacks each key
  over the batch with ``np.array``, which cannot stack lists of different lengths; veRL's validation metrics
  skip string values. A message list (a host that passes the messages) is scored as it is.
- Where veRL 0.9.1 carries them (``verl/experimental/agent_loop/``): ``ToolAgentLoop.run``
  (``tool_agent_loop.py``) keeps the messages in ``AgentData.messages`` and never hands them on; its
  ``extra_fields`` get ``turn_scores`` and ``tool_rewards`` (``turn_scores`` is never filled in 0.9.1, and
  nothing downstream reads it). ``AgentLoopWorker._agent_loop_postprocess`` calls ``_compute_score``
  (``agent_loop.py``), which sends a one-row ``DataProto`` (the response tokens, the row's fields,
  ``__num_turns__``, ``tool_extra_fields``) to a reward-loop worker's ``compute_score``; the ``naive``
  manager's ``run_single`` (``verl/experimental/reward_loop/reward_manager/naive.py``) decodes the response
  with ``skip_special_tokens=True`` into ``solution_str``, merges ``tool_extra_fields`` and ``num_turns`` into
  ``extra_info``, calls this function, and returns ``score`` as ``reward_score`` and the whole dict as
  ``reward_extra_info``. ``_compute_score`` stores them on the ``AgentLoopOutput`` (``reward_score``,
  ``extra_fields["reward_extra_info"]``); ``AgentLoopWorker._postprocess`` writes ``rm_scores`` (the score on
  the last response token), stacks every key of sample 0's ``reward_extra_info`` into ``non_tensor_batch``
  (``np.array``) and lists them in ``meta_info["reward_extra_keys"]``; the trainer reads them with
  ``verl.trainer.ppo.reward.extract_reward`` into ``non_tensor_batch`` (advantage estimators, rollout dumps)
  and ``_validate`` averages them (``metric_utils.process_validation_metrics``). So the turn rewards reach the
  batch as ``non_tensor_batch["turn_rewards"]`` (and in each row's ``non_tensor_batch["reward_extra_info"]``).
- Preset: the ``preset`` keyword (``reward_kwargs.preset``), else ``RLVR_PRESET``, else ``graded``.
- Format: the ``format`` keyword (``reward_kwargs.format``: a format name or model family, docs/formats.md),
  else ``RLVR_FORMAT``, else detected per completion.
- ``compute_score_batch`` (plural keyword arguments, one dict per item, same keys) serves veRL's legacy
  ``batch`` manager (``verl.workers.reward_manager``), which 0.9.1's trainer no longer uses; it scores
  with ``workers`` processes (``workers`` keyword, else ``RLVR_WORKERS``, else 1).
- Bad user data (ground truth, tool specs, tool config, settings) raises with the culprit named; model
  output never raises.
- Remote scoring: with ``RLVR_REWARDS_URL`` set, both functions score on that reward server (``POST /score``)
  instead of in-process, with the same result (:mod:`rlvr_rewards.integrations._remote`, docs/server.md).
- Loaded by its file path (veRL runs it as a module named ``custom_module_<hash>``), this module hands out the
  installed package's functions (``rlvr_rewards.integrations.verl``), so that veRL's ``remote`` reward manager
  can pickle ``compute_score`` to its Ray actors (see the end of the file).
"""

from __future__ import annotations

import importlib
import json
import math
import os
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rlvr_rewards.scoring.result import Score

__all__ = [
    "TRAJECTORY_TEXT_KEYS",
    "agent_messages",
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
#: The role of the message a bare role-label line opens in a decoded rollout (system text is dropped).
_LABELS = {
    "assistant": "assistant",
    "user": "user",
    "tool": "tool",
    "ipython": "tool",
    "function": "tool",
    "system": "system",
}
#: The keys ``trajectory_keys`` adds after the components and flags: JSON text of a list of floats each.
TRAJECTORY_TEXT_KEYS = ("turn_rewards", "step_rewards")
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"", "0", "false", "no", "off"})


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


def _unmarked(text: str) -> str:
    for m in _MARKERS:
        text = text.replace(m, "")
    return text


def _flush(messages: list[dict[str, str]], role: str, lines: list[str]) -> None:
    content = _unmarked("\n".join(lines)).strip()
    if content and role != "system":
        messages.append({"role": role, "content": content})


def _add_span(messages: list[dict[str, str]], text: str) -> None:
    """Append the messages of ``text`` (no tool-response block in it), the first one the assistant's. A line
    that is only a role label (special tokens aside) opens a message of that role."""
    role = "assistant"
    lines: list[str] = []
    for line in text.split("\n"):
        label = _LABELS.get(_unmarked(line).strip())
        if label is None:
            lines.append(line)
            continue
        _flush(messages, role, lines)
        role, lines = label, []
    _flush(messages, role, lines)


def agent_messages(text: str) -> list[dict[str, str]]:
    """The message list of a decoded agent-loop response: what is scored for a trajectory truth.

    The response starts in the assistant's message (the generation prompt is the prompt's); each
    ``<tool_response>...</tool_response>`` block (an unclosed one runs to the end) is one ``tool`` message, and the
    text after it belongs to the assistant unless a role label says otherwise; a line holding only a role label
    (``assistant``, ``user``, ``tool``, ``ipython``, ``function``, ``system``: what a ChatML / Hermes template
    leaves of a message header once ``skip_special_tokens`` dropped its special tokens) opens a message of that
    role. Contents are stripped of surrounding whitespace and of leftover special-token text; empty messages
    and system text are dropped. Never raises."""
    messages: list[dict[str, str]] = []
    pos = 0
    while True:
        start = text.find(_OPEN, pos)
        if start < 0:
            _add_span(messages, text[pos:])
            return messages
        _add_span(messages, text[pos:start])
        end = text.find(_CLOSE, start + len(_OPEN))
        body = text[start + len(_OPEN) : end if end >= 0 else len(text)]
        messages.append({"role": "tool", "content": body.strip()})
        if end < 0:
            return messages
        pos = end + len(_CLOSE)


def _is_trajectory(ground_truth: Any) -> bool:
    """Whether the truth is a trajectory truth. A truth that does not compile counts as not one: scoring
    compiles it again and raises, naming the field."""
    from rlvr_rewards.errors import RlvrRewardsError
    from rlvr_rewards.groundtruth.truths import resolve_item
    from rlvr_rewards.plugins import get_registry

    try:
        return resolve_item(ground_truth, get_registry().matcher_table, read_tools=False)[0].trajectory is not None
    except (RlvrRewardsError, RecursionError):
        return False


def _completion(solution: Any, ground_truth: Any) -> Any:
    """What is scored for one sample (see the module contract)."""
    if isinstance(solution, str) and _is_trajectory(ground_truth):
        return agent_messages(solution)
    return rollout_completion(solution)


def _trajectory_keys(value: Any) -> bool:
    """The ``trajectory_keys`` keyword, else ``RLVR_TRAJECTORY_KEYS``, else off; a value that is not a boolean
    is a ConfigError."""
    if value is None:
        value = os.environ.get("RLVR_TRAJECTORY_KEYS", "")
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    from rlvr_rewards.errors import ConfigError

    raise ConfigError(
        f"trajectory_keys (reward_kwargs or RLVR_TRAJECTORY_KEYS) must be a boolean (true/false, 1/0), got {value!r}"
    )


def _item(result: Score, trajectory_keys: bool) -> dict[str, float | str]:
    """One sample's dict with the fixed keys of :func:`result_keys` (see the module contract)."""
    from rlvr_rewards.combine.trajectory import TRAJECTORY_COMPONENTS
    from rlvr_rewards.integrations._keys import item_dict
    from rlvr_rewards.vocabulary import TRAJECTORY

    names = [n for n in result.components if n not in TRAJECTORY_COMPONENTS]
    if trajectory_keys:
        names += TRAJECTORY_COMPONENTS
    out: dict[str, float | str] = dict(item_dict(result.reward, {n: result.components.get(n, math.nan) for n in names}))
    if trajectory_keys:
        whole = result.expected == TRAJECTORY
        out["turn_rewards"] = json.dumps([float(v) for v in result.turn_rewards] if whole else [result.reward])
        out["step_rewards"] = json.dumps([float(v) for v in result.step_rewards] if whole else [result.reward])
    return out


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
    trajectory_keys: bool = False,
) -> list[dict[str, float | str]]:
    from rlvr_rewards.integrations._remote import score_batch  # in-process, or RLVR_REWARDS_URL's server

    tools = [_item_tools(e, tool_config_path) for e in extra_infos]
    completions = [_completion(s, t) for s, t in zip(solutions, truths, strict=True)]
    batch = score_batch(
        completions, list(truths), tools=tools, preset=_preset(preset), workers=workers, format=_format(format)
    )
    return [_item(batch[i], trajectory_keys) for i in range(len(batch))]


def _preset(preset: str | None) -> str:
    """The preset of the module contract: the ``preset`` keyword, else ``RLVR_PRESET``, else ``graded``."""
    return preset or os.environ.get("RLVR_PRESET", "graded")


def _format(hint: str | None) -> str | None:
    """The format hint of the module contract: the ``format`` keyword, else ``RLVR_FORMAT``, else detection."""
    return hint or os.environ.get("RLVR_FORMAT") or None


def result_keys(preset: str | None = None, trajectory_keys: bool | str | None = None) -> tuple[str, ...]:
    """The keys every ``compute_score`` call returns for ``preset`` and ``trajectory_keys`` (defaults as in the
    contract), in order."""
    from rlvr_rewards.combine.trajectory import TRAJECTORY_COMPONENTS
    from rlvr_rewards.integrations._keys import result_keys as keys
    from rlvr_rewards.scoring.core import score_batch

    probe = score_batch([""], [{"behavior": "refuse"}], preset=_preset(preset))
    if not _trajectory_keys(trajectory_keys):
        return keys(probe.components)
    names = [n for n in probe.components if n not in TRAJECTORY_COMPONENTS]
    return (*keys([*names, *TRAJECTORY_COMPONENTS]), *TRAJECTORY_TEXT_KEYS)


def compute_score(
    data_source: Any,
    solution_str: Any,
    ground_truth: Any,
    extra_info: Any = None,
    *,
    preset: str | None = None,
    tool_config_path: str | None = None,
    format: str | None = None,
    trajectory_keys: bool | str | None = None,
    **kwargs: Any,
) -> dict[str, float | str]:
    """One sample, as veRL 0.9.1's reward-loop managers call it (see the module contract): ``rr.score``'s
    single-item path, so a call costs about what one item of a batch does."""
    from rlvr_rewards.integrations._remote import score  # in-process, or RLVR_REWARDS_URL's server

    on = _trajectory_keys(trajectory_keys)
    result = score(
        _completion(solution_str, ground_truth),
        ground_truth,
        tools=_item_tools(extra_info, tool_config_path),
        preset=_preset(preset),
        format=_format(format),
    )
    return _item(result, on)


def compute_score_batch(
    data_sources: Sequence[Any],
    solution_strs: Sequence[Any],
    ground_truths: Sequence[Any],
    extra_infos: Sequence[Any] | None = None,
    *,
    preset: str | None = None,
    tool_config_path: str | None = None,
    format: str | None = None,
    trajectory_keys: bool | str | None = None,
    **kwargs: Any,
) -> list[dict[str, float | str]]:
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
        trajectory_keys=_trajectory_keys(trajectory_keys),
    )


# Loaded by its file path (``custom_reward_function.path: .../rlvr_rewards/integrations/verl.py``), this file runs
# as a module veRL names ``custom_module_<hash>``, which no other process can import: veRL's ``remote`` reward
# manager pickles ``compute_score`` to send it to its Ray actors, and pickling a function of that module fails
# (``Can't pickle <functools._lru_cache_wrapper ...>: import of module 'custom_module_...' failed``). So the module
# hands out the installed package's functions instead (the same code, pickled by reference).
if __name__ != "rlvr_rewards.integrations.verl":
    try:
        _installed = importlib.import_module("rlvr_rewards.integrations.verl")
    except ImportError:  # (a copy of this file without the package installed: its own functions)
        pass
    else:
        globals().update({_name: getattr(_installed, _name) for _name in __all__})
