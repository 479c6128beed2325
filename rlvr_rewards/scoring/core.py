"""The batch scorer: validate at the edge, deduplicate, compute component columns, combine once.

Contract of :func:`score_batch`:
1. Ground truths and tools (the user's data) are resolved and compiled once per distinct value
   (module caches); a bad one raises GroundTruthError / ToolSpecError naming the batch index.
2. Each distinct completion is parsed once (never raising) and its behaviour classified once.
3. Each distinct (completion, truth, tools) pair is scored once: every registered scorer produces one
   column over the unique pairs, stacked into a float64 matrix; the preset combines the columns
   (:func:`rlvr_rewards.combine.presets._combine`, on numpy columns).
4. Columns are expanded back to batch order. Model output never raises; the floor reward and a reason
   code are returned instead.

:func:`score` (one item: veRL's ``naive`` manager, OpenRLHF's executor, a user's loop) runs steps 1-3 on a
context of one pair with no deduplication and no numpy: the same scorers give plain floats and the same
formula combines them (:meth:`Preset.combine_one`), so ``score(c, t) == score_batch([c], [t])[0]``.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Hashable, Sequence
from operator import itemgetter
from typing import Any

import numpy as np
import orjson

from rlvr_rewards.classify.behavior import text_cue_memo
from rlvr_rewards.classify.stage import behavior_chain, classify_parses
from rlvr_rewards.combine.presets import Preset, done_index, expected_index
from rlvr_rewards.errors import ConfigError, GroundTruthError, PluginError, ToolSpecError
from rlvr_rewards.groundtruth.matchers import MatcherTable
from rlvr_rewards.groundtruth.toolspecs import ToolSet, compile_tools
from rlvr_rewards.groundtruth.truths import CompiledTruth, resolve_item
from rlvr_rewards.limits import DEFAULT_LIMITS, Limits
from rlvr_rewards.parsing import ParseResult, parse_many
from rlvr_rewards.parsing.types import ParserSpec
from rlvr_rewards.parsing.values import type_values
from rlvr_rewards.plugins import get_registry
from rlvr_rewards.scoring.budget import over_budget, over_budget_parse
from rlvr_rewards.scoring.parallel import check_workers, plan_chunks, score_in_workers
from rlvr_rewards.scoring.recent import RecentScores
from rlvr_rewards.scoring.result import BatchInputs, BatchScore, Score, ScoredInputs, concat_batches
from rlvr_rewards.scoring.trajectory import TRAJECTORY_COMPONENTS, StepScorer, score_trajectories
from rlvr_rewards.scoring.types import ScorerSpec, ScoringContext
from rlvr_rewards.util.jsonsafe import is_nonfinite
from rlvr_rewards.vocabulary import TRAJECTORY

__all__ = ["score", "score_batch"]

#: :func:`score`'s recent results (scoring/recent.py): one-at-a-time callers keep the batch's deduplication
_recent = RecentScores()
_UNSEEN: Any = object()


def _message_key(msg: dict[Any, Any]) -> Any:
    """The parts of an assistant message the parser reads: call ids (random per rollout in vLLM and
    OpenAI output) are left out, so identical rollouts still deduplicate."""
    calls = msg.get("tool_calls")
    if isinstance(calls, list) and any(isinstance(c, dict) and "id" in c for c in calls):
        msg = {
            **msg,
            "tool_calls": [{k: v for k, v in c.items() if k != "id"} if isinstance(c, dict) else c for c in calls],
        }
    return msg


#: Most nodes (counted with repetition) a message may hold to be keyed by its JSON text for deduplication; a
#: larger one (or one whose shared sub-structures would write out larger) is keyed by identity instead, which
#: is always exact, only not deduplicated. Bounds the walk below to a few milliseconds.
_KEY_MAX_NODES = 20_000


def _exactly_serialisable(value: Any) -> bool:
    """True when orjson's text identifies ``value`` exactly (no NaN/Infinity: orjson writes them as null;
    orjson itself refuses integers beyond 64 bits, lone surrogates and non-string keys) and writing it is
    bounded: at most ``_KEY_MAX_NODES`` nodes counted with repetition, so a list shared 2^40 times inside
    a message is never written out. Iterative; stops at the first problem."""
    stack = [value]
    pop, extend = stack.pop, stack.extend
    budget = _KEY_MAX_NODES
    while stack:
        item = pop()
        budget -= 1
        if budget < 0:
            return False
        kind = type(item)
        if kind is dict:
            extend(item.values())
        elif kind is list:
            extend(item)
        elif kind is float or kind is str or kind is int or item is None or kind is bool:
            if kind is float and not math.isfinite(item):
                return False
        elif isinstance(item, dict):
            extend(item.values())
        elif isinstance(item, list):
            extend(item)
        elif is_nonfinite(item):
            return False
    return True


_CALL_MARK: Any = object()  # separators inside a message key: never equal to a str or None
_FUNCTION_MARK: Any = object()


def _message_fast_key(msg: dict[Any, Any]) -> Hashable | None:
    """An exact key for the usual message shape (string fields, ``tool_calls`` of string fields plus a
    ``function`` object of string fields), or ``None`` for any other shape.

    The key is one flat tuple: ``"msg"``, then the message's keys and values in order, each call opened
    by a marker object and its function by another, call ids left out. Keys and values are all str or
    None, so the markers make the layout unambiguous: equal keys mean equal messages up to call ids,
    which nothing reads. (One flat tuple of strings: cheap to build and soon untracked by the garbage
    collector; nested tuples cost several times more under it.)"""
    parts: list[Any] = ["msg"]
    add = parts.append
    for k, v in msg.items():
        if type(k) is not str:
            return None
        if v is None or type(v) is str:
            add(k)
            add(v)
        elif k == "tool_calls" and type(v) is list:
            add(k)
            for call in v:
                if type(call) is not dict or not _add_call_parts(call, add):
                    return None
        else:
            return None
    return tuple(parts)


def _add_call_parts(call: dict[Any, Any], add: Callable[[Any], None]) -> bool:
    """Append one call's part of :func:`_message_fast_key` (its marker, its string fields but ``id``, the
    function's marker and string fields); False when the call is not of the usual shape."""
    add(_CALL_MARK)
    fn = None
    for ck, cv in call.items():
        if ck == "id":
            continue
        if ck == "function" and type(cv) is dict:
            fn = cv
            continue
        if type(ck) is not str or (cv is not None and type(cv) is not str):
            return False
        add(ck)
        add(cv)
    if fn is None:
        return False
    add(_FUNCTION_MARK)
    for fk, fv in fn.items():
        if type(fk) is not str or (fv is not None and type(fv) is not str):
            return False
        add(fk)
        add(fv)
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
        fast = _message_fast_key(completion)
        if fast is not None:
            return fast
        completion = _message_key(completion)
    if not _exactly_serialisable(completion):  # (checked first: it also bounds the size of the text)
        return ("id", id(original))
    try:
        key = orjson.dumps(completion, option=orjson.OPT_SORT_KEYS)
    except (TypeError, orjson.JSONEncodeError):
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


def _resolve_preset(preset: str | Preset, registered: frozenset[str]) -> Preset:
    if isinstance(preset, Preset):
        p = preset
    elif isinstance(preset, str):
        p = get_registry().preset(preset)
    else:
        raise ConfigError(f"preset must be a name or a Preset, got {type(preset).__name__}")
    p.check_components(registered)  # a preset made without derive() (e.g. dataclasses.replace) is checked here
    return p


def _take(values: list[Any], index: list[int]) -> list[Any]:
    """``[values[k] for k in index]`` in C (``itemgetter`` of one index returns the item itself)."""
    if len(index) < 2:
        return [values[k] for k in index]
    return list(itemgetter(*index)(values))


#: Items per worker between two ``progress`` calls of :func:`score_batch`.
PROGRESS_SPAN = 8192


def score_batch(
    completions: Sequence[Any],
    ground_truths: Sequence[Any],
    tools: Any = None,
    preset: str | Preset = "graded",
    groups: Sequence[Hashable] | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
    components: str = "preset",
    workers: int = 1,
    format: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> BatchScore:
    """Score ``completions[i]`` against ``ground_truths[i]`` for every i (see the module contract).

    ``components="preset"`` computes the components every preset reports (``ScorerSpec.always``) plus
    those the preset uses; ``"all"`` computes every registered component (e.g. to compare presets).

    ``workers``: processes to score with (default 1, this process). With ``workers > 1`` a batch of at
    least ``2 * PARALLEL_MIN_ITEMS`` items is cut into contiguous chunks scored at once in forked worker
    processes (this process scores the first chunk); results are identical to ``workers=1``, and a bad
    ground truth or tool list raises with its batch index as usual (the first in batch order). Needs
    the ``fork`` start method (Linux; see :mod:`rlvr_rewards.scoring.parallel`).

    ``format``: the completions' tool-call format (a parser name or a model family, docs/formats.md):
    only that parser reads them, skipping detection; ``None`` or ``"auto"`` detects it per completion.

    ``progress``: called with the number of items just scored, after each span of
    ``PROGRESS_SPAN * workers`` consecutive items (the command line's progress bars). The spans are scored one
    after the other by the same steps and concatenated, so the result equals the one without ``progress``
    (tested); only deduplication across spans is lost."""
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
    _check_options(limits, components)
    check_workers(workers)
    registry, the_preset, scorers, names = _setup(preset, components)
    parsers = registry.parsers_for(format)

    item_tools = _per_item_tools(tools, n)

    def score_chunk(start: int, stop: int) -> BatchScore:
        truths, toolsets = _resolve(ground_truths[start:stop], item_tools[start:stop], start, registry.matcher_table)
        return _score_resolved(
            completions[start:stop],
            truths,
            toolsets,
            the_preset,
            scorers,
            names,
            None if groups is None else groups[start:stop],
            limits,
            registry,
            parsers,
        )

    def score_span(start: int, stop: int) -> BatchScore:
        chunks = [(start + a, start + b) for a, b in plan_chunks(stop - start, workers)]
        if len(chunks) > 1:  # each process resolves its own chunk's truths too: errors keep their batch index
            return score_in_workers(chunks, score_chunk, None if groups is None else groups[start:stop])
        return score_chunk(start, stop)

    if progress is None or n == 0:
        batch = score_span(0, n)
    else:
        span = PROGRESS_SPAN * workers
        parts = []
        for start in range(0, n, span):
            stop = min(n, start + span)
            parts.append(score_span(start, stop))
            progress(stop - start)
        batch = parts[0] if len(parts) == 1 else concat_batches(parts, groups)
    # what it was scored from, for batch[i].explain() (references to the caller's objects, no copies)
    return dataclasses.replace(
        batch, inputs=BatchInputs(completions, ground_truths, item_tools, preset, limits, format)
    )


def _check_options(limits: Any, components: str) -> None:
    """The options :func:`score` and :func:`score_batch` share, checked before anything is scored."""
    if not isinstance(limits, Limits):
        raise ConfigError(f"limits must be a rlvr_rewards.Limits, got {type(limits).__name__}")
    if components not in ("preset", "all"):
        raise ConfigError(f"components must be 'preset' or 'all', got {components!r}")


def _setup(preset: str | Preset, components: str) -> tuple[Any, Preset, tuple[ScorerSpec, ...], tuple[str, ...]]:
    """The registry, the preset, the scorers to run and their names (the matrix's column order). For a
    preset named by a string the answer is kept on the registry snapshot (it cannot change while that
    snapshot is current; a new plugin makes a new snapshot), so a per-item caller pays a dict lookup."""
    registry = get_registry()
    setups: dict[tuple[str, str], tuple[Preset, tuple[ScorerSpec, ...], tuple[str, ...]]] | None = None
    name = preset if type(preset) is str else None
    if name is not None:
        setups = registry.__dict__.setdefault("_setups", {})
        hit = setups.get((name, components))
        if hit is not None:
            return (registry, *hit)
    the_preset = _resolve_preset(preset, registry.scorer_names)
    used = set(the_preset.components)
    scorers = tuple(s for s in registry.scorers.values() if components == "all" or s.always or s.name in used)
    names = tuple(s.name for s in scorers)
    if setups is not None and name is not None and len(setups) < 256:
        setups[(name, components)] = (the_preset, scorers, names)
    return registry, the_preset, scorers, names


def _resolve(
    ground_truths: list[Any], item_tools: list[Any], offset: int, matchers: MatcherTable
) -> tuple[list[CompiledTruth], list[ToolSet | None]]:
    """Step 1 of the contract: the compiled truth (with ``matchers``) and tools of each item; errors name
    ``offset + i``."""
    truths: list[CompiledTruth] = []
    toolsets: list[ToolSet | None] = []
    # The same objects recur (a GRPO group shares one row): memoise by identity within this call; the
    # objects stay alive in the argument lists, so ids cannot be reused meanwhile.
    memo: dict[tuple[int, bool], tuple[CompiledTruth, Any]] = {}
    tool_memo: dict[int, ToolSet | None] = {}
    last_gt: Any = _UNSEEN
    last_spec: Any = _UNSEEN
    truth: CompiledTruth | None = None
    ts: ToolSet | None = None
    for i, gt in enumerate(ground_truths):
        given = item_tools[i]
        if gt is last_gt and given is last_spec:  # the rest of a GRPO group: same row, same tools
            truths.append(truth)  # type: ignore[arg-type]
            toolsets.append(ts)
            continue
        try:
            read_tools = given is None  # tools given by the caller: the row's own are not read
            hit = memo.get((id(gt), read_tools))
            if hit is None:
                hit = memo[(id(gt), read_tools)] = resolve_item(gt, matchers, read_tools)
            truth, row_tools = hit
            spec = given if given is not None else row_tools
            ts = tool_memo.get(id(spec), _UNSEEN)
            if ts is _UNSEEN:
                ts = tool_memo[id(spec)] = compile_tools(spec)
        except (GroundTruthError, ToolSpecError) as exc:
            raise exc.at(offset + i) from None
        last_gt, last_spec = gt, given
        truths.append(truth)
        toolsets.append(ts)
    return truths, toolsets


def _read(
    raws: list[Any], registry: Any, limits: Limits, parsers: tuple[ParserSpec, ...]
) -> tuple[list[ParseResult], list[str]]:
    """Steps 2 and 3: parse each completion with ``parsers`` (never raising), then classify what it did (the
    classify stage adds a call's hedges to its parse first). Call inside :func:`text_cue_memo` (the scorers
    read the same texts' cues again)."""
    parses = parse_many(raws, parsers, limits, markers=registry.parsers)
    return parses, classify_parses(parses, _chain(registry))


def _chain(registry: Any) -> Callable[[ParseResult], str]:
    """The classifier chain of a registry snapshot (built once per snapshot)."""
    chain = registry.__dict__.get("_behavior_chain")
    if chain is None:
        chain = behavior_chain(registry.classifiers)
        object.__setattr__(registry, "_behavior_chain", chain)
    return chain  # type: ignore[no-any-return]


def _context(
    parses: list[ParseResult],
    truths: list[CompiledTruth],
    toolsets: list[ToolSet | None],
    done: list[str],
    raws: list[Any],
    the_preset: Preset,
    limits: Limits,
) -> ScoringContext:
    """Step 3's input for (completion, truth, tools) pairs, shared by :func:`score_batch` (its distinct
    pairs) and :func:`score` (one pair). A pair too costly to compare is not compared (budget.py): its
    entries of ``parses`` / ``done`` are replaced first."""
    for k, truth in enumerate(truths):
        if parses[k].untyped:  # text-only argument values (XML-style formats): typed by this pair's tools
            parses[k] = type_values(parses[k], toolsets[k], limits)
        calls = parses[k].calls
        if calls and truth.calls and over_budget(calls, truth):
            parses[k] = over_budget_parse(parses[k])
            done[k] = "invalid"
    return ScoringContext(
        parses=parses,
        truths=truths,
        toolsets=toolsets,
        done=done,
        raw=raws,
        options={"limits": limits, "preset": the_preset},
    )


def _column(scorer: ScorerSpec, ctx: ScoringContext, registry: Any) -> Any:
    """One scorer's column; an exception is a plugin bug, raised as PluginError naming the scorer."""
    try:
        return scorer.compute(ctx)
    except Exception as exc:
        owner = registry.owners.get(("register_scorers", scorer.name), "?")
        raise PluginError(f"scorer {scorer.name!r} (plugin {owner!r}) raised {exc!r}") from exc


def _matrix(ctx: ScoringContext, scorers: tuple[ScorerSpec, ...], registry: Any) -> np.ndarray:
    """Many pairs: the (pairs x components) float64 matrix, each entry clipped to [0, 1] (NaN = not
    applicable passes through)."""
    m = len(ctx)
    matrix = np.empty((m, len(scorers)), dtype=np.float64)
    for j, scorer in enumerate(scorers):
        col = np.asarray(_column(scorer, ctx, registry), dtype=np.float64)
        if col.shape != (m,):
            raise PluginError(f"scorer {scorer.name!r} returned shape {col.shape}, expected ({m},)")
        matrix[:, j] = col
    np.clip(matrix, 0.0, 1.0, out=matrix)
    return matrix


def _row(ctx: ScoringContext, scorers: tuple[ScorerSpec, ...], registry: Any) -> list[float]:
    """One pair: its component values as plain floats, clipped like :func:`_matrix` does."""
    row: list[float] = []
    for scorer in scorers:
        col = _column(scorer, ctx, registry)
        shape = getattr(col, "shape", None)
        if (shape is not None and shape != (1,)) or (shape is None and len(col) != 1):
            got = shape if shape is not None else f"({len(col)},)"
            raise PluginError(f"scorer {scorer.name!r} returned shape {got}, expected (1,)")
        try:
            v = float(col[0])
        except (TypeError, ValueError) as exc:
            raise PluginError(f"scorer {scorer.name!r} returned {col[0]!r}, expected a float") from exc
        row.append(0.0 if v < 0.0 else 1.0 if v > 1.0 else v)  # np.clip's values; NaN passes through
    return row


def _score_resolved(
    completions: list[Any],
    truths: list[CompiledTruth],
    toolsets: list[ToolSet | None],
    the_preset: Preset,
    scorers: tuple[ScorerSpec, ...],
    names: tuple[str, ...],
    groups: list[Hashable] | None,
    limits: Limits,
    registry: Any,
    parsers: tuple[ParserSpec, ...],
) -> BatchScore:
    """Steps 2-4 for items whose truths and tools are compiled: single steps here, trajectories (a truth of
    behaviour ``trajectory``) by scoring/trajectory.py, each turn scored by the same step formula."""
    trajectory_items = [i for i, t in enumerate(truths) if t.trajectory is not None]
    if not trajectory_items:
        return _score_steps(
            completions, truths, toolsets, the_preset, scorers, names, groups, limits, registry, parsers
        )
    return _score_with_trajectories(
        trajectory_items, completions, truths, toolsets, the_preset, scorers, names, groups, limits, registry, parsers
    )


def _score_pairs(
    parses: list[ParseResult],
    truths: list[CompiledTruth],
    toolsets: list[ToolSet | None],
    done: list[str],
    raws: list[Any],
    the_preset: Preset,
    scorers: tuple[ScorerSpec, ...],
    names: tuple[str, ...],
    limits: Limits,
    registry: Any,
) -> tuple[ScoringContext, np.ndarray, np.ndarray, list[str]]:
    """Steps 3-4 for distinct pairs, shared by the batch and by trajectories' turns: the context (``parses`` and
    ``done`` are updated in place for over-budget pairs), the component matrix, the preset's rewards and the
    reasons."""
    ctx = _context(parses, truths, toolsets, done, raws, the_preset, limits)
    matrix = _matrix(ctx, scorers, registry)
    rewards = the_preset.combine(matrix, names, expected_index([t.behavior for t in truths]), done_index(done))
    reasons = registry.diagnosis.reasons(parses, truths, done, dict(zip(names, matrix.T.tolist(), strict=True)))
    return ctx, matrix, rewards, reasons


def _step_scorer(
    the_preset: Preset, scorers: tuple[ScorerSpec, ...], names: tuple[str, ...], limits: Limits, registry: Any
) -> StepScorer:
    """Turns of trajectories scored as single completions: stage 4's columns, the preset's formula, the reasons."""

    def score_steps(
        parses: list[ParseResult], done: list[str], truths: list[CompiledTruth], toolsets: list[Any], raws: list[Any]
    ) -> tuple[np.ndarray, dict[str, np.ndarray], list[str], list[Any] | None]:
        parses, done = list(parses), list(done)  # (_context replaces the entries of over-budget pairs)
        ctx, matrix, rewards, reasons = _score_pairs(
            parses, truths, toolsets, done, raws, the_preset, scorers, names, limits, registry
        )
        # the call assignments the scorers shared (builtin/scorers.call_matches), reused for the step rewards
        matches = ctx.cache.get("call_matches")
        return rewards, {name: matrix[:, j] for j, name in enumerate(names)}, reasons, matches

    return score_steps


def _score_with_trajectories(
    trajectory_items: list[int],
    completions: list[Any],
    truths: list[CompiledTruth],
    toolsets: list[ToolSet | None],
    the_preset: Preset,
    scorers: tuple[ScorerSpec, ...],
    names: tuple[str, ...],
    groups: list[Hashable] | None,
    limits: Limits,
    registry: Any,
    parsers: tuple[ParserSpec, ...],
) -> BatchScore:
    """A batch with trajectory items: the single steps scored as usual, the trajectories by
    :func:`rlvr_rewards.scoring.trajectory.score_trajectories`, merged back in batch order (the trajectory
    components are columns too, NaN for single steps; a trajectory's step components are its turns' means)."""
    n = len(completions)
    is_traj = set(trajectory_items)
    single = [i for i in range(n) if i not in is_traj]
    chain = _chain(registry)
    with text_cue_memo():
        found = score_trajectories(
            [completions[i] for i in trajectory_items],
            [truths[i] for i in trajectory_items],
            [toolsets[i] for i in trajectory_items],
            trajectory_items,
            parse=lambda raws: _read(raws, registry, limits, parsers),
            classify=lambda parses: classify_parses(parses, chain),
            step_scorer=_step_scorer(the_preset, scorers, names, limits, registry),
            message_key=_completion_key,
            preset_name=the_preset.name,
            reward_range=the_preset.reward_range,
            registry=registry,
        )
    columns = list(dict.fromkeys([*names, *TRAJECTORY_COMPONENTS]))
    rewards = np.empty(n, dtype=np.float64)
    components = {name: np.full(n, np.nan) for name in columns}
    reasons: list[str] = [""] * n
    behaviors: list[str] = [""] * n
    expected: list[str] = [""] * n
    violations: list[tuple[str, ...]] = [()] * n
    if single:
        part = _score_steps(
            [completions[i] for i in single],
            [truths[i] for i in single],
            [toolsets[i] for i in single],
            the_preset,
            scorers,
            names,
            None,
            limits,
            registry,
            parsers,
        )
        index = np.asarray(single, dtype=np.intp)
        rewards[index] = part.rewards
        for name, col in part.components.items():
            components[name][index] = col
        for k, i in enumerate(single):
            reasons[i], behaviors[i], expected[i], violations[i] = (
                part.reasons[k],
                part.behaviors[k],
                part.expected[k],
                part.violations[k],
            )
    details: dict[int, tuple[np.ndarray, np.ndarray, Any]] = {}
    for i, result in zip(trajectory_items, found, strict=True):
        rewards[i] = result.reward
        for name, value in result.components.items():
            if name in components:
                components[name][i] = value
        reasons[i], behaviors[i], expected[i], violations[i] = (
            result.reason,
            result.behavior,
            TRAJECTORY,
            result.violations,
        )
        details[i] = (result.turn_rewards, result.step_rewards, result.details)
    return BatchScore(
        rewards=rewards,
        components=components,
        reasons=reasons,
        behaviors=behaviors,
        expected=expected,
        violations=violations,
        preset=the_preset.name,
        reward_range=the_preset.reward_range,
        groups=groups,
        trajectories=details,
    )


def _score_steps(
    completions: list[Any],
    truths: list[CompiledTruth],
    toolsets: list[ToolSet | None],
    the_preset: Preset,
    scorers: tuple[ScorerSpec, ...],
    names: tuple[str, ...],
    groups: list[Hashable] | None,
    limits: Limits,
    registry: Any,
    parsers: tuple[ParserSpec, ...],
) -> BatchScore:
    """Steps 2-4 of the contract, for single-step items whose truths and tools are already compiled."""
    n = len(completions)

    # 2. parse each distinct completion once (raw text is its own key: the common case stays cheap)
    comp_uid: dict[Hashable, int] = {}
    raws: list[Any] = []
    item_comp: list[int] = [0] * n
    for i, c in enumerate(completions):
        key = c if type(c) is str else _completion_key(c)
        uid = comp_uid.get(key)
        if uid is None:
            uid = comp_uid[key] = len(raws)
            raws.append(c)
        item_comp[i] = uid
    del comp_uid
    with text_cue_memo():
        parses, behaviors = _read(raws, registry, limits, parsers)

        # 3. score each distinct (completion, truth, tools) pair once
        tt_uid: dict[tuple[str, str | None], int] = {}
        item_tt: list[int] = [0] * n
        tt_first: list[int] = []
        last_truth: Any = _UNSEEN
        last_ts: Any = _UNSEEN
        t = 0
        for i in range(n):
            ts = toolsets[i]
            truth = truths[i]
            if truth is not last_truth or ts is not last_ts:  # a GRPO group shares both objects
                key2 = (truth.key, ts.key if ts is not None else None)
                got = tt_uid.get(key2)
                if got is None:
                    got = tt_uid[key2] = len(tt_first)
                    tt_first.append(i)
                t, last_truth, last_ts = got, truth, ts
            item_tt[i] = t
        n_tt = max(len(tt_first), 1)
        pair_uid: dict[int, int] = {}
        u_comp: list[int] = []
        u_item: list[int] = []
        inverse_list: list[int] = [0] * n
        for i in range(n):
            c = item_comp[i]
            key3 = c * n_tt + item_tt[i]
            uid = pair_uid.get(key3)
            if uid is None:
                uid = pair_uid[key3] = len(u_comp)
                u_comp.append(c)
                u_item.append(tt_first[item_tt[i]])
            inverse_list[i] = uid
        u_parse = [parses[c] for c in u_comp]
        u_done = [behaviors[c] for c in u_comp]
        u_truth = [truths[i] for i in u_item]
        _, matrix, u_rewards, u_reasons = _score_pairs(
            u_parse,
            u_truth,
            [toolsets[i] for i in u_item],
            u_done,
            [raws[c] for c in u_comp],
            the_preset,
            scorers,
            names,
            limits,
            registry,
        )
    u_expected = [t.behavior for t in u_truth]

    # 4. back to batch order
    inverse = np.asarray(inverse_list, dtype=np.intp)
    expanded = matrix[inverse]
    u_violations = [p.violations for p in u_parse]
    return BatchScore(
        rewards=u_rewards[inverse],
        components={name: expanded[:, j] for j, name in enumerate(names)},
        reasons=_take(u_reasons, inverse_list),
        behaviors=_take(u_done, inverse_list),
        expected=_take(u_expected, inverse_list),
        violations=_take(u_violations, inverse_list),
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
    format: str | None = None,
) -> Score:
    """Score one completion against one ground truth: ``score_batch([completion], [ground_truth], ...)[0]``,
    computed by the same steps (:func:`_resolve`, :func:`_read`, :func:`_context`, the same scorers and
    :meth:`Preset.combine_one`: the batch's formula on plain floats) without the batch's
    deduplication and expansion (per-item callers: veRL's ``naive`` manager, OpenRLHF's executor). A
    repeat of a recent call (same completion text, truth, tools, preset, options and plugins) returns the
    recent result (:mod:`rlvr_rewards.scoring.recent`), as the batch scores a repeated pair once."""
    _check_options(limits, components)
    registry, the_preset, scorers, names = _setup(preset, components)
    parsers = registry.parsers_for(format)
    truths, toolsets = _resolve(
        [ground_truth], _per_item_tools(None if tools is None else [tools], 1), 0, registry.matcher_table
    )
    inputs = ScoredInputs(completion, ground_truth, tools, preset, limits, format)
    if truths[0].trajectory is not None:  # a trajectory: scored turn by turn, as in a batch
        scored = _score_resolved(
            [completion], truths, toolsets, the_preset, scorers, names, None, limits, registry, parsers
        )[0]
        return dataclasses.replace(scored, inputs=inputs)
    pinned = (truths[0], toolsets[0], the_preset, registry, parsers)
    key = _recent.key(completion, pinned, components, limits)
    if key is not None:
        hit = _recent.get(key, pinned, inputs)
        if hit is not None:  # a repeat of a recent call (a GRPO group's identical rollouts)
            return hit
    raws = [completion]
    with text_cue_memo():
        parses, done = _read(raws, registry, limits, parsers)
        row = _row(_context(parses, truths, toolsets, done, raws, the_preset, limits), scorers, registry)
    truth = truths[0]
    reward = the_preset.combine_one(row, names, truth.behavior, done[0])
    result = Score(
        reward=reward,
        components=dict(zip(names, row, strict=True)),
        reason=registry.diagnosis.reason(
            parses[0], truths[0], done[0], 0, {name: [v] for name, v in zip(names, row, strict=True)}
        ),
        behavior=done[0],
        expected=truth.behavior,
        violations=parses[0].violations,
        turn_rewards=(reward,),
        step_rewards=(reward,),
        inputs=inputs,
    )
    if key is not None:
        _recent.put(key, pinned, result)
    return result
