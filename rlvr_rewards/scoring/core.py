"""The batch scorer: validate at the edge, deduplicate, compute component columns, combine once.

Contract of :func:`score_batch`:
1. Ground truths and tools (the user's data) are resolved and compiled once per distinct value
   (module caches); a bad one raises GroundTruthError / ToolSpecError naming the batch index.
2. Each distinct completion is parsed once (never raising) and its behaviour classified once.
3. Each distinct (completion, truth, tools) pair is scored once: every registered scorer produces one
   float64 column over the unique pairs; the preset combines the columns in one numpy expression.
4. Columns are expanded back to batch order. Model output never raises; the floor reward and a reason
   code are returned instead.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import orjson

from rlvr_rewards.behavior import classify as builtin_classify
from rlvr_rewards.behavior import mixed_violations
from rlvr_rewards.errors import ConfigError, GroundTruthError, PluginError, ToolSpecError
from rlvr_rewards.limits import DEFAULT_LIMITS, Limits
from rlvr_rewards.parsing import ParseResult, parse_completion
from rlvr_rewards.plugins import get_registry
from rlvr_rewards.presets import Preset, done_index, expected_index, is_accepted
from rlvr_rewards.reasons import mismatch_reason
from rlvr_rewards.result import BatchScore, Score
from rlvr_rewards.scoring.types import ScoringContext
from rlvr_rewards.tools import ToolSet, compile_tools
from rlvr_rewards.truth import BEHAVIORS, CompiledTruth, resolve_item

__all__ = ["score", "score_batch"]

_INVALID_REASONS = ("empty", "too_long")
_UNSEEN: Any = object()


def _message_key(msg: dict[Any, Any]) -> Any:
    """The parts of an assistant message the parser reads: call ids (random per rollout in vLLM and
    OpenAI output) are left out, so identical rollouts still deduplicate."""
    calls = msg.get("tool_calls")
    if isinstance(calls, list) and any(isinstance(c, dict) and "id" in c for c in calls):
        msg = {**msg, "tool_calls": [{k: v for k, v in c.items() if k != "id"} if isinstance(c, dict) else c
                                     for c in calls]}
    return msg


def _exactly_serialisable(value: Any) -> bool:
    """True when orjson's text identifies ``value`` exactly: no NaN/Infinity (orjson writes them as
    null), no integers beyond 64 bits, no lone surrogates or non-string keys (orjson refuses those)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float):
            if not math.isfinite(item):
                return False
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return True


def _completion_key(completion: Any) -> Hashable:
    """A key equal only for completions that parse identically (raw text, message, or message list).
    Anything that cannot be keyed exactly is keyed by the identity of the caller's object, which stays
    alive for the whole call (so it is never deduplicated, and never confused with another)."""
    if isinstance(completion, str):
        return completion
    original = completion
    if isinstance(completion, list):
        last = next((m for m in reversed(completion) if isinstance(m, dict) and m.get("role") == "assistant"), None)
        completion = last if last is not None else ("no assistant message",)
    if isinstance(completion, dict):
        completion = _message_key(completion)
    try:
        key = orjson.dumps(completion, option=orjson.OPT_SORT_KEYS)
    except (TypeError, orjson.JSONEncodeError):
        return ("id", id(original))
    if not _exactly_serialisable(completion):
        return ("id", id(original))
    return ("json", key)


def _per_item_tools(tools: Any, n: int) -> list[Any]:
    """One tool-spec list (or None) per item from the ``tools`` argument."""
    if tools is None:
        return [None] * n
    if isinstance(tools, (str, bytes, ToolSet, dict)):
        return [tools] * n
    if not isinstance(tools, (list, tuple)):
        raise ConfigError(f"tools must be a list of tool specs or one list per item, got {type(tools).__name__}")
    if len(tools) == n and n > 0 and all(t is None or isinstance(t, (list, tuple, str, ToolSet)) for t in tools):
        return list(tools)
    if all(isinstance(t, dict) for t in tools):
        return [tools] * n
    raise ConfigError(
        "tools must be one list of tool specs for the whole batch, or one list (or None) per item "
        f"({n} items); got a list of {len(tools)} mixed entries"
    )


def _classifier(registry: Any) -> Callable[[ParseResult], str]:
    """The ``classify_behavior`` chain: plugins in pluggy's call order, first non-None result wins."""
    chain = registry.classifiers
    if len(chain) == 1 and chain[0][0] == "rlvr_rewards.builtin.behavior":
        return builtin_classify

    def classify(parse: ParseResult) -> str:
        for plugin, fn in chain:
            try:
                result = fn(parse=parse)
            except Exception as exc:
                raise PluginError(f"classify_behavior of plugin {plugin!r} raised {exc!r}") from exc
            if result is None:
                continue
            if result not in BEHAVIORS:
                raise PluginError(
                    f"classify_behavior of plugin {plugin!r} returned {result!r}; expected one of {list(BEHAVIORS)} "
                    "or None"
                )
            return str(result)
        return builtin_classify(parse)

    return classify


def _resolve_preset(preset: str | Preset, registered: set[str]) -> Preset:
    if isinstance(preset, Preset):
        p = preset
    elif isinstance(preset, str):
        p = get_registry().preset(preset)
    else:
        raise ConfigError(f"preset must be a name or a Preset, got {type(preset).__name__}")
    unknown = [c for c in p.components if c not in registered]
    if unknown:
        raise ConfigError(
            f"preset {p.name!r} weights component(s) {unknown} that no plugin registered; "
            f"registered components: {sorted(registered)}"
        )
    return p


def _reason(parse: ParseResult, truth: CompiledTruth, done: str, comps: dict[str, float]) -> str:
    if done == "invalid":
        for code in _INVALID_REASONS:
            if code in parse.violations:
                return code
        return "unparseable"
    if not is_accepted(truth.behavior, done):
        return mismatch_reason(done, truth.behavior)
    if truth.behavior == "execute":
        pred = [c.name for c in parse.calls]
        want = truth.names
        if any(name not in want for name in pred):
            return "wrong_tool"
        if len(pred) > len(want) or any(pred.count(n) > want.count(n) for n in set(pred)):
            return "extra_calls"
        if comps.get("tool_name", 1.0) < 1.0:
            return "missing_calls"
        if comps.get("arguments", 1.0) < 1.0:
            return "bad_arguments"
        if comps.get("schema", 1.0) < 1.0:
            return "schema_violation"
    elif truth.behavior == "clarify":
        if comps.get("clarify", 1.0) < 1.0:
            return "vague_clarification"
    elif truth.behavior == "refuse" and comps.get("refuse", 1.0) < 1.0:
        return "weak_refusal"
    if comps.get("length", 1.0) < 1.0:
        return "overlong"
    if comps.get("format", 1.0) < 1.0:
        return "format_violation"
    return "ok"


def score_batch(
    completions: Sequence[Any],
    ground_truths: Sequence[Any],
    tools: Any = None,
    preset: str | Preset = "graded",
    groups: Sequence[Hashable] | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
    components: str = "preset",
) -> BatchScore:
    """Score ``completions[i]`` against ``ground_truths[i]`` for every i (see the module contract).

    ``components="preset"`` computes the components every preset reports (``ScorerSpec.always``) plus
    those the preset uses; ``"all"`` computes every registered component (e.g. to compare presets)."""
    if isinstance(completions, (str, bytes, dict)) or isinstance(ground_truths, (str, bytes, dict)):
        raise ConfigError("score_batch takes sequences; use rr.score for a single completion")
    completions = list(completions)
    ground_truths = list(ground_truths)
    n = len(completions)
    if len(ground_truths) != n:
        raise ConfigError(f"got {n} completions but {len(ground_truths)} ground truths; they must pair up")
    if groups is not None:
        groups = list(groups)
        if len(groups) != n:
            raise ConfigError(f"got {len(groups)} group ids for {n} completions")
    if not isinstance(limits, Limits):
        raise ConfigError(f"limits must be a rlvr_rewards.Limits, got {type(limits).__name__}")
    if components not in ("preset", "all"):
        raise ConfigError(f"components must be 'preset' or 'all', got {components!r}")
    registry = get_registry()
    the_preset = _resolve_preset(preset, set(registry.scorers))
    used = set(the_preset.components)
    scorers = tuple(s for s in registry.scorers.values() if components == "all" or s.always or s.name in used)
    names = tuple(s.name for s in scorers)

    # 1. the user's data, validated and compiled once per distinct value
    item_tools = _per_item_tools(tools, n)
    truths: list[CompiledTruth] = []
    toolsets: list[ToolSet | None] = []
    # The same objects recur (a GRPO group shares one row): memoise by identity within this call; the
    # objects stay alive in the argument lists, so ids cannot be reused meanwhile.
    memo: dict[int, tuple[CompiledTruth, Any]] = {}
    tool_memo: dict[int, ToolSet | None] = {}
    for i, gt in enumerate(ground_truths):
        try:
            hit = memo.get(id(gt))
            if hit is None:
                hit = memo[id(gt)] = resolve_item(gt)
            truth, row_tools = hit
            spec = item_tools[i] if item_tools[i] is not None else row_tools
            ts = tool_memo.get(id(spec), _UNSEEN)
            if ts is _UNSEEN:
                ts = tool_memo[id(spec)] = compile_tools(spec)
            toolsets.append(ts)
        except (GroundTruthError, ToolSpecError) as exc:
            raise exc.at(i) from None
        truths.append(truth)

    # 2. parse each distinct completion once
    parsers = registry.parsers
    comp_uid: dict[Hashable, int] = {}
    parses: list[ParseResult] = []
    raws: list[Any] = []
    behaviors: list[str] = []
    classify = _classifier(registry)
    item_comp = np.empty(n, dtype=np.intp)
    for i, c in enumerate(completions):
        key = _completion_key(c)
        uid = comp_uid.get(key)
        if uid is None:
            uid = comp_uid[key] = len(parses)
            p = parse_completion(c, parsers=parsers, limits=limits)
            hedges = mixed_violations(p)
            if hedges:
                p = replace(p, violations=tuple(sorted({*p.violations, *hedges})))
            parses.append(p)
            raws.append(c)
            behaviors.append(classify(p))
        item_comp[i] = uid

    # 3. score each distinct (completion, truth, tools) pair once
    pair_uid: dict[tuple[int, str, str | None], int] = {}
    u_parse: list[ParseResult] = []
    u_truth: list[CompiledTruth] = []
    u_tools: list[ToolSet | None] = []
    u_done: list[str] = []
    u_raw: list[Any] = []
    inverse = np.empty(n, dtype=np.intp)
    for i in range(n):
        ts = toolsets[i]
        key = (int(item_comp[i]), truths[i].key, ts.key if ts is not None else None)
        uid = pair_uid.get(key)
        if uid is None:
            uid = pair_uid[key] = len(u_parse)
            u_parse.append(parses[item_comp[i]])
            u_truth.append(truths[i])
            u_tools.append(ts)
            u_done.append(behaviors[item_comp[i]])
            u_raw.append(raws[item_comp[i]])
        inverse[i] = uid
    ctx = ScoringContext(parses=u_parse, truths=u_truth, toolsets=u_tools, done=u_done, raw=u_raw,
                         options={"limits": limits, "preset": the_preset})
    m = len(u_parse)
    matrix = np.empty((m, len(scorers)), dtype=np.float64)
    for j, scorer in enumerate(scorers):
        try:
            col = np.asarray(scorer.compute(ctx), dtype=np.float64)
        except Exception as exc:
            owner = registry.owners.get(("register_scorers", scorer.name), "?")
            raise PluginError(f"scorer {scorer.name!r} (plugin {owner!r}) raised {exc!r}") from exc
        if col.shape != (m,):
            raise PluginError(f"scorer {scorer.name!r} returned shape {col.shape}, expected ({m},)")
        matrix[:, j] = np.clip(col, 0.0, 1.0)  # NaN passes through clip unchanged
    exp_idx = expected_index([t.behavior for t in u_truth])
    done_idx = done_index(u_done)
    u_rewards = the_preset.combine(matrix, names, exp_idx, done_idx)
    u_reasons = [
        _reason(u_parse[k], u_truth[k], u_done[k], dict(zip(names, matrix[k].tolist(), strict=True)))
        for k in range(m)
    ]

    # 4. back to batch order
    return BatchScore(
        rewards=u_rewards[inverse],
        components={name: matrix[inverse, j] for j, name in enumerate(names)},
        reasons=[u_reasons[k] for k in inverse],
        behaviors=[u_done[k] for k in inverse],
        expected=[u_truth[k].behavior for k in inverse],
        violations=[u_parse[k].violations for k in inverse],
        preset=the_preset.name,
        reward_range=the_preset.reward_range,
        groups=groups,
    )


def score(
    completion: Any,
    ground_truth: Any,
    tools: Any = None,
    preset: str | Preset = "graded",
    *,
    limits: Limits = DEFAULT_LIMITS,
    components: str = "preset",
) -> Score:
    """Score one completion against one ground truth (see :func:`score_batch`)."""
    per_item = None if tools is None else [tools]
    return score_batch([completion], [ground_truth], tools=per_item, preset=preset, limits=limits,
                       components=components)[0]
