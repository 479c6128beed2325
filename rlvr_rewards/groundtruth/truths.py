"""Ground truths: the tagged-union contract, the blog dialect, row extraction, and compilation.

Contract:
- :func:`resolve_item` turns whatever the user passed for one item (native dict, its JSON text, a
  blog-dialect string, a decoded call list, or a whole veRL/SageMaker row) into
  ``(CompiledTruth, tool specs or None)``.
- Native truths are validated by pydantic, discriminated by ``behavior``::

      {"behavior": "execute", "calls": [{"name": ..., "arguments": {...}}], "ordered": false}
      {"behavior": "clarify", "missing": ["city"], "reference": "Which city?"}
      {"behavior": "refuse", "reason": "harmful", "reference": "I can't help with that."}

- Blog dialect (the AWS post's data): a string. If it parses as a JSON list of ``{"name", "arguments"}``
  objects it is an execute truth; any other text is a ``no_call`` truth, for which clarify and
  refuse are both acceptable (every preset; see docs/ground-truth.md).
- BFCL dialect (:mod:`rlvr_rewards.groundtruth.bfcl`): a possible-answer row ``{"ground_truth": [{func: {param:
  [acceptable values]}}], "function": [...]}`` (or its call list) is converted by ``bfcl_to_native``;
  an irrelevance row (empty ``ground_truth``) is a ``no_call`` truth. Tools come from ``function``.
- Each distinct truth is validated and compiled once (cache keyed by its canonical JSON text);
  compiled truths are immutable plain values. Matchers are an argument (a
  :class:`~rlvr_rewards.groundtruth.matchers.MatcherTable`, which the caller takes from the plugin registry:
  this module never looks the registry up), and each compiled truth is stamped with the table's generation:
  the cache is emptied when a table of a newer generation arrives (a plugin was registered or unregistered),
  a cached truth of another generation is never returned, and a compiled truth from an older generation
  handed back to :func:`compile_truth` is compiled again from its source (an unregistered matcher then
  raises, exactly as for a fresh truth). Bad truths raise :class:`GroundTruthError` naming the
  field (the batch index is added by the caller).
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Annotated, Any, Literal, NoReturn

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from rlvr_rewards.errors import ConfigError, GroundTruthError, ToolSpecError
from rlvr_rewards.groundtruth.bfcl import bfcl_to_native, is_bfcl_answer, is_irrelevance_row
from rlvr_rewards.groundtruth.matchers import CompiledMatcher, MatcherTable, compile_value
from rlvr_rewards.groundtruth.toolspecs import tools_from_prompt
from rlvr_rewards.groundtruth.trajectory import CompiledTrajectory, TrajectoryTruth, compile_trajectory
from rlvr_rewards.util.jsonsafe import (
    InvalidJSON,
    canonical_dumps,
    loads_trusted,
    not_json_data,
    text_too_deep,
)
from rlvr_rewards.util.keymemo import KeyMemo
from rlvr_rewards.util.locks import ForkSafeLock
from rlvr_rewards.vocabulary import BEHAVIORS, EXPECTED_BEHAVIORS

__all__ = [
    "BEHAVIORS",
    "EXPECTED_BEHAVIORS",
    "ClarifyTruth",
    "CompiledCall",
    "CompiledTruth",
    "ExecuteTruth",
    "GroundTruth",
    "RefuseTruth",
    "compile_truth",
    "resolve_item",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CallTruth(_Strict):
    """One expected call. ``parameters`` is accepted as a synonym of ``arguments``."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    name: Annotated[str, Field(min_length=1)]
    arguments: dict[str, Any] = Field(default_factory=dict, validation_alias="arguments")


class ExecuteTruth(_Strict):
    behavior: Literal["execute"]
    calls: Annotated[list[CallTruth], Field(min_length=1)]
    ordered: bool = False


class ClarifyTruth(_Strict):
    behavior: Literal["clarify"]
    missing: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)
    reference: str | None = None


class RefuseTruth(_Strict):
    behavior: Literal["refuse"]
    reason: str | None = None
    reference: str | None = None


GroundTruth = Annotated[ExecuteTruth | ClarifyTruth | RefuseTruth | TrajectoryTruth, Field(discriminator="behavior")]
_ADAPTER: TypeAdapter[Any] = TypeAdapter(GroundTruth)


@dataclass(frozen=True, slots=True)
class CompiledCall:
    """An expected call, compiled: argument name -> matcher; ``plain_arguments`` if no matcher used."""

    name: str
    matchers: Mapping[str, CompiledMatcher]
    plain_arguments: Mapping[str, Any] | None
    arguments: Mapping[str, Any]
    #: work units of comparing any one predicted call with this one: 1 + per argument 1 + its matcher's
    #: ``cost`` (see :mod:`rlvr_rewards.scoring.budget`)
    cost: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "cost", 1 + sum(1 + getattr(m, "cost", 1) for m in self.matchers.values()))


@dataclass(frozen=True, slots=True)
class CompiledTruth:
    """A validated ground truth as plain values (the hot path reads only this)."""

    behavior: str  # one of EXPECTED_BEHAVIORS
    calls: tuple[CompiledCall, ...] = ()
    ordered: bool = False
    missing: tuple[str, ...] = ()
    reference: str | None = None
    reason: str | None = None
    dialect: str = "native"  # "native" | "blog" | "bfcl"
    #: the cache key, which is also the source: "s:" + the text given, or "d:"/"l:" + canonical JSON
    key: str = ""
    #: the plugin-registry generation the matchers were taken from (see rlvr_rewards.plugins)
    generation: int = field(default=-1, compare=False)
    #: a BFCL truth's possible answers as written, per expected call: parameter -> its acceptable values (the
    #: ``bfcl`` preset's type rules read them: rlvr_rewards.scoring.bfcl_match); ``()`` for other dialects
    bfcl_answers: tuple[Mapping[str, tuple[Any, ...]], ...] = field(default=(), compare=False, repr=False)
    #: a ``trajectory`` truth's turns, outcome, limits and environment (groundtruth/trajectory.py); else None
    trajectory: CompiledTrajectory | None = field(default=None, compare=False, repr=False)
    #: the expected call names, in order (derived from ``calls``)
    names: tuple[str, ...] = field(init=False, repr=False, compare=False)
    #: per expected name: (how many calls, their summed ``cost``), for the work estimate (derived)
    name_costs: Mapping[str, tuple[int, int]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", tuple(c.name for c in self.calls))
        costs: dict[str, tuple[int, int]] = {}
        for c in self.calls:
            count, cost = costs.get(c.name, (0, 0))
            costs[c.name] = (count + 1, cost + c.cost)
        object.__setattr__(self, "name_costs", costs)


_cache: dict[str, CompiledTruth] = {}
#: JSON text of a truth already accepted -> its cache key (per-item callers pass a new copy of the same truth)
_key_memo = KeyMemo()
_cache_lock = ForkSafeLock()
_MAX_CACHE = 262_144
#: the matcher generation the cached truths were compiled under
_cache_generation = -1
#: per thread: the matcher table of the compile_truth call in progress (read where calls are compiled)
_compiling = threading.local()


def _pydantic_to_error(exc: ValidationError) -> GroundTruthError:
    first = exc.errors(include_url=False)[0]
    parts = list(first.get("loc", ()))
    if parts and parts[0] in ("execute", "clarify", "refuse", "trajectory"):
        parts = parts[1:]  # pydantic prefixes the union tag; the user's field path starts after it
    loc = ".".join(str(p) for p in parts)
    kind = first.get("type", "")
    expected = {
        "union_tag_invalid": "behavior one of 'execute', 'clarify', 'refuse', 'trajectory'",
        "union_tag_not_found": "a 'behavior' key ('execute', 'clarify', 'refuse' or 'trajectory')",
        "extra_forbidden": "no such field (check the spelling)",
        "missing": "this field to be present",
        "too_short": "at least one item",
    }.get(kind, None)
    msg = first.get("msg", "invalid")
    got = first.get("input")
    if kind == "extra_forbidden" and got is None:
        # a null under a key no truth has: the mark of Arrow's fill (Parquet / `datasets` give every object
        # every key any row has, as null)
        expected = (
            "no such field; a null there is what Parquet / Arrow / `datasets` insert when truths are "
            "stored as native objects (every key any row has, as null): store ground truths as JSON text "
            "(`rlvr-rewards convert --from rows --to parquet` or rlvr_rewards.integrations.files.write_parquet)"
        )
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        loc = "behavior"
        msg = "unknown behavior" if kind == "union_tag_invalid" else "no behavior"
        got = got.get("behavior") if isinstance(got, dict) else got
    return GroundTruthError(msg, field=loc or None, expected=expected, got=got)


def _compile_calls(calls: list[dict[str, Any]], path: str, matchers: Mapping[str, Any]) -> tuple[CompiledCall, ...]:
    out = []
    for i, call in enumerate(calls):
        args = call.get("arguments") or {}
        compiled = {k: compile_value(v, f"{path}[{i}].arguments.{k}", matchers) for k, v in args.items()}
        plain = args if all(m.plain for m in compiled.values()) else None
        out.append(CompiledCall(name=call["name"], matchers=compiled, plain_arguments=plain, arguments=args))
    return tuple(out)


def _registry_matchers() -> Mapping[str, Any]:
    table: MatcherTable = _compiling.table
    return table.specs


def _native(value: dict[str, Any], key: str) -> CompiledTruth:
    value = dict(value)
    if value.get("behavior") == "execute" and isinstance(value.get("calls"), list):
        value["calls"] = [_call_synonyms(c, f"calls[{i}]") for i, c in enumerate(value["calls"])]
    try:
        model = _ADAPTER.validate_python(value)
    except ValidationError as exc:
        raise _pydantic_to_error(exc) from None
    if isinstance(model, ExecuteTruth):
        calls = [c.model_dump() for c in model.calls]
        return CompiledTruth(
            "execute", _compile_calls(calls, "calls", _registry_matchers()), ordered=model.ordered, key=key
        )
    if isinstance(model, ClarifyTruth):
        return CompiledTruth("clarify", missing=tuple(model.missing), reference=model.reference, key=key)
    if isinstance(model, TrajectoryTruth):
        return CompiledTruth("trajectory", key=key, trajectory=_trajectory(model, key))
    return CompiledTruth("refuse", reason=model.reason, reference=model.reference, key=key)


def _trajectory(model: TrajectoryTruth, key: str) -> CompiledTrajectory:
    """A trajectory truth's turns compiled as step truths (keys ``key#turns[i]``), its matchers with the registry's."""
    matchers = _registry_matchers()

    def step(value: dict[str, Any], path: str) -> CompiledTruth:
        try:
            if value["behavior"] == "no_call":
                return CompiledTruth("no_call", reference=value.get("reference"), key=f"{key}#{path}")
            return _native(value, f"{key}#{path}")
        except GroundTruthError as exc:
            inner = f"{path}.{exc.field}" if exc.field else path
            raise GroundTruthError(exc.message, field=inner, expected=exc.expected, got=exc.got) from None

    return compile_trajectory(model, step, lambda v, path: compile_value(v, path, matchers))


def _call_synonyms(call: Any, path: str) -> Any:
    """Accept ``parameters`` for ``arguments`` and arguments as a JSON string, in truths too."""
    if not isinstance(call, dict):
        return call
    call = dict(call)
    if "parameters" in call:
        if "arguments" in call:
            raise GroundTruthError(
                "a call has both 'arguments' and 'parameters'", field=path, expected="only one of them"
            )
        call["arguments"] = call.pop("parameters")
    if isinstance(call.get("arguments"), str):
        text = call["arguments"]
        try:
            call["arguments"] = _truth_json(text)
        except InvalidJSON as exc:
            raise GroundTruthError(
                f"arguments given as a string must be JSON ({exc.where})",
                field=f"{path}.arguments",
                expected="a JSON object",
                got=text,
            ) from None
    return call


def _blog_calls(items: list[Any], key: str) -> CompiledTruth:
    if not items:
        return CompiledTruth("no_call", dialect="blog", key=key)
    calls = []
    for i, item in enumerate(items):
        item = _call_synonyms(item, f"ground_truth[{i}]")
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"]:
            raise GroundTruthError(
                "each call needs a string 'name'",
                field=f"ground_truth[{i}]",
                expected='{"name": ..., "arguments": {...}}',
                got=item,
            )
        args = item.get("arguments", {})
        if not isinstance(args, dict):
            raise GroundTruthError(
                "arguments must be an object", field=f"ground_truth[{i}].arguments", expected="a JSON object", got=args
            )
        extra = set(item) - {"name", "arguments", "id", "type"}
        if extra:
            raise GroundTruthError(
                f"unknown key(s) {sorted(extra)} in a call", field=f"ground_truth[{i}]", expected="name and arguments"
            )
        calls.append({"name": item["name"], "arguments": args})
    return CompiledTruth(
        "execute", _compile_calls(calls, "ground_truth", _registry_matchers()), dialect="blog", key=key
    )


def _store(key: str, truth: CompiledTruth) -> CompiledTruth:
    """Stamp ``truth`` with the generation of the matchers it was compiled with, and cache it if that is
    still the cache's generation (a newer table may have arrived meanwhile: the truth is then not cached)."""
    generation: int = _compiling.table.generation
    if truth.generation != generation:
        truth = replace(truth, generation=generation)
    with _cache_lock:
        if generation == _cache_generation:
            if len(_cache) >= _MAX_CACHE:
                _cache.clear()
            _cache[key] = truth
    return truth


#: Deepest nesting a ground truth may have (its values are compared recursively).
TRUTH_MAX_DEPTH = 100


def _raise_too_deep() -> NoReturn:
    raise GroundTruthError(
        "ground truth nested too deeply",
        expected=f"at most {TRUTH_MAX_DEPTH} levels",
        got=f"more than {TRUTH_MAX_DEPTH} levels",
    )


def _truth_json(text: str) -> Any:
    """JSON text inside a ground truth: bounded by a bracket scan before any decoder sees it (too deep is
    GroundTruthError), then decoded exactly (raises InvalidJSON)."""
    if text_too_deep(text, TRUTH_MAX_DEPTH):
        _raise_too_deep()
    return loads_trusted(text)


def _json_key(prefix: str, value: Any) -> str:
    """The cache key of a JSON-like truth: canonical JSON text, which identifies the truth exactly because
    the value is checked to be exactly JSON data first (a tuple, NaN, a date, ... would be written as
    something else), every time, before any cache look-up: the same truth is refused or accepted whatever
    the cache holds. Too deep is refused here too. A copy of a truth already accepted gets its key from
    :data:`_key_memo` without the walk (the same data: see :mod:`rlvr_rewards.util.keymemo`)."""
    known, text = _key_memo.lookup(prefix, value)
    if known is not None:
        return known
    problem = not_json_data(value, TRUTH_MAX_DEPTH)
    if problem is not None:
        if problem.kind == "depth":
            _raise_too_deep()
        expected = {"nonfinite": "finite numbers (JSON has no NaN or Infinity)", "tuple": "a list"}.get(
            problem.kind, "JSON data: dict (string keys), list, str, int, float, bool or None"
        )
        raise GroundTruthError(
            f"ground truth is not JSON data: {problem.message}",
            field=problem.path or None,
            expected=expected,
            got=problem.culprit,
        )
    try:
        key = prefix + canonical_dumps(value)
    except TypeError:  # a lone surrogate in a string (orjson refuses it)
        raise GroundTruthError(
            "ground truth must be JSON-serialisable (strings must be valid Unicode)", got=value
        ) from None
    if text is not None:
        _key_memo.put(prefix, text, key)
    return key


def compile_truth(value: Any, matchers: MatcherTable) -> CompiledTruth:
    """Validate and compile one ground truth (native dict, JSON text, blog string or call list) with
    ``matchers`` (``get_registry().matcher_table`` for the registered ones).

    A :class:`CompiledTruth` is returned as it is when it was compiled with matchers of the same
    generation, and compiled again from its source otherwise."""
    global _cache_generation
    generation = matchers.generation
    if generation != _cache_generation:
        with _cache_lock:
            if generation > _cache_generation:
                _cache.clear()
                _cache_generation = generation
    _compiling.table = matchers
    if isinstance(value, CompiledTruth):
        if value.generation == generation:
            return value
        return _compile(_source_of(value))
    return _compile(value)


def _source_of(truth: CompiledTruth) -> Any:
    """The value a compiled truth was compiled from, read back from its cache key."""
    prefix, body = truth.key[:2], truth.key[2:]
    if prefix == "s:":
        return body
    if prefix in ("d:", "l:"):
        return loads_trusted(body)
    raise ConfigError(
        "this CompiledTruth has no source to compile again from under the current plugins; "
        "pass the ground truth itself (compile_truth keeps the source of what it compiles)"
    )


def _compile(value: Any) -> CompiledTruth:
    """The compiled truth of ``value`` (a string, dict or list), from the cache when it holds one of the current
    generation (the look-up is here; the helpers below compile and store what it misses)."""
    if isinstance(value, str):
        key = "s:" + value
        hit = _cache.get(key)
        if hit is not None and hit.generation == _compiling.table.generation:
            return hit
        return _compile_text(value, key)
    if isinstance(value, dict):
        key = _json_key("d:", value)
        hit = _cache.get(key)
        if hit is not None and hit.generation == _compiling.table.generation:
            return hit
        return _compile_object(value, key)
    if isinstance(value, list):
        key = _json_key("l:", value)
        hit = _cache.get(key)
        if hit is not None and hit.generation == _compiling.table.generation:
            return hit
        if is_bfcl_answer(value):
            return _store(key, _from_bfcl(value, key))
        return _store(key, _blog_calls(value, key))
    raise GroundTruthError(
        "unsupported ground truth type",
        expected="a dict, JSON text, blog-dialect string, list of calls or a dataset row",
        got=value,
    )


def _compile_text(value: str, key: str) -> CompiledTruth:
    """A truth given as text (cache key ``key``): JSON text when it starts with ``{`` or ``[`` (an object, a BFCL
    answer or a blog call list), else a blog-dialect reference reply (a ``no_call`` truth)."""
    stripped = value.strip()
    decoded: Any = None
    if stripped[:1] in ("{", "["):
        try:
            decoded = _truth_json(stripped)
        except InvalidJSON as exc:
            raise GroundTruthError(
                f"ground truth text starts with {stripped[0]!r} but is not valid JSON ({exc.where})",
                expected="valid JSON (text starting with '{' or '[' is read as JSON), or plain text that does "
                "not start with '{' or '[' (a reference reply in the blog dialect)",
                got=value,
            ) from None
    if isinstance(decoded, dict):
        return _store(key, _compile(decoded))
    if isinstance(decoded, list):
        if is_bfcl_answer(decoded):
            return _store(key, _from_bfcl(decoded, key))
        return _store(key, _blog_calls(decoded, key))
    if not stripped:
        raise GroundTruthError("empty ground truth text", expected="a JSON truth or a reference response", got=value)
    return _store(key, CompiledTruth("no_call", reference=stripped, dialect="blog", key=key))


def _compile_object(value: dict[str, Any], key: str) -> CompiledTruth:
    """A truth given as an object (cache key ``key``): a BFCL possible-answer or irrelevance row, else a native
    truth (which needs its ``behavior``)."""
    if is_bfcl_answer(value) or is_irrelevance_row(value):
        return _store(key, _from_bfcl(value, key))
    if "behavior" not in value:
        raise _no_behavior(value)
    return _store(key, _native(value, key))


def _no_behavior(value: dict[str, Any]) -> GroundTruthError:
    """The error for an object that is neither a native truth (no ``behavior``) nor a BFCL row, with a hint."""
    hint = (
        "a native truth with a 'behavior' key ('execute', 'clarify' or 'refuse'), or a dataset row "
        "with 'reward_model': {'ground_truth': ...} or 'reference_answer'"
        if not {"reward_model", "reference_answer"} & set(value)
        else ""
    )
    if "calls" in value:
        hint = "'behavior': 'execute' next to 'calls'"
    return GroundTruthError(
        "cannot tell what this ground truth expects",
        field="behavior",
        expected=hint or "a 'behavior' key",
        got=value,
    )


def _from_bfcl(value: Any, key: str) -> CompiledTruth:
    native = bfcl_to_native(value)
    if isinstance(native, str):  # an irrelevance row: no call expected
        return CompiledTruth("no_call", reference=native, dialect="bfcl", key=key)
    calls: list[dict[str, dict[str, list[Any]]]] = value["ground_truth"] if isinstance(value, dict) else value
    answers = tuple(
        {p: tuple(copy.deepcopy(o)) for p, o in params.items()} for call in calls for params in call.values()
    )  # (bfcl_to_native checked the shape: one-key call dicts whose values are lists)
    return replace(_native(native, key), dialect="bfcl", bfcl_answers=answers)


def _is_row(value: Any) -> bool:
    return (
        isinstance(value, dict) and "behavior" not in value and ("reward_model" in value or "reference_answer" in value)
    )


def resolve_item(value: Any, matchers: MatcherTable, read_tools: bool = True) -> tuple[CompiledTruth, Any]:
    """``(compiled truth, tool specs from the row or None)`` for one user-supplied ground truth, compiled with
    ``matchers`` (see :func:`compile_truth`).

    A row's tools come from its ``tools``, else ``extra_info.tools``, else what a chat template wrote into its
    ``prompt`` / ``messages`` (a list of messages or one rendered string; see
    :func:`rlvr_rewards.groundtruth.toolspecs.tools_from_prompt`). ``read_tools=False`` (the caller has the tools)
    reads none of them, so a broken block in a prompt that does not matter raises nothing."""
    if not _is_row(value):
        truth = compile_truth(value, matchers)
        tools = value.get("function") if truth.dialect == "bfcl" and isinstance(value, dict) else None
        return truth, tools
    row = value
    if "reward_model" in row:
        rm = row["reward_model"]
        if not isinstance(rm, dict) or "ground_truth" not in rm:
            raise GroundTruthError(
                "the row's reward_model has no ground_truth",
                field="reward_model",
                expected="{'ground_truth': ...}",
                got=rm,
            )
        raw, field = rm["ground_truth"], "reward_model.ground_truth"
    else:
        raw, field = row["reference_answer"], "reference_answer"
    try:
        truth = compile_truth(raw, matchers)
    except GroundTruthError as exc:
        inner = f"{field}.{exc.field}" if exc.field else field
        raise GroundTruthError(exc.message, field=inner, expected=exc.expected, got=exc.got) from None
    if not read_tools:
        return truth, None
    tools = row.get("tools")
    extra = row.get("extra_info")
    if tools is None and isinstance(extra, dict):
        tools = extra.get("tools")
    if tools is None:
        for k in ("prompt", "messages"):
            prompt = row.get(k)
            if isinstance(prompt, (list, str)):
                try:
                    tools = tools_from_prompt(prompt)
                except ToolSpecError as exc:
                    raise ToolSpecError(
                        exc.message, field=f"{k}: {exc.field}" if exc.field else k, expected=exc.expected, got=exc.got
                    ) from None
                if tools is not None:
                    break
    return truth, tools
