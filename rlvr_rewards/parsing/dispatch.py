"""``parse_completion``: stage one of parse -> score.

Contract: :func:`parse_completion` accepts *anything* as the completion and never raises because of
it; every problem becomes a violation code in the returned
:class:`~rlvr_rewards.parsing.types.ParseResult`. (A bad ``parsers`` or ``limits`` argument is the
caller's mistake and raises :class:`~rlvr_rewards.errors.ConfigError`.)

Accepted completions:

1. raw text (``str``);
2. an assistant message ``{"role": "assistant", "content": str | None | [parts], "tool_calls": [...]}``:
   a non-empty ``tool_calls`` list gives the calls (format ``"openai"``, JSON-string arguments are the
   norm there); the content text is the free text and is still scanned for ``<think>`` blocks. Without
   tool calls the content text is parsed as raw text. ``reasoning_content``/``reasoning`` strings are
   reasoning;
3. a list of messages (TRL conversational shape): the last ``assistant`` message is scored; none ->
   ``empty``; more than ``Limits.max_chars`` messages -> ``too_long``;
4. ``bytes`` are decoded as strict UTF-8 (``invalid_unicode`` otherwise); any other type -> ``empty``.

Text pipeline: ``too_long`` check (nothing else is scanned) -> ``empty`` check -> reasoning split
(:func:`split_think`) -> the parsers in the given order on the answer text, first non-``None`` wins ->
``mixed_formats`` check, ``max_calls`` cap, violations sorted and de-duplicated. Time is linear in the
length of the completion; no completion text is ever logged.

Python objects in a message (content parts, a message list, ``arguments`` given as an object) are walked
with a budget of ``Limits.max_chars`` visits, counted with repetition (a list shared a million times by
reference is a million visits): past it, ``too_long``. Nothing here serialises such an object.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from itertools import pairwise
from typing import Any, Final

from rlvr_rewards.errors import ConfigError
from rlvr_rewards.limits import DEFAULT_LIMITS, Limits
from rlvr_rewards.parsing.formats import (
    BUILTIN_PARSERS,
    call_from_object,
    current_limits,
    current_markers,
    marker_formats,
    mixed_markers,
    use_limits,
    use_markers,
)
from rlvr_rewards.parsing.markers import MarkerIndex, index_for
from rlvr_rewards.parsing.reasoning import split_think
from rlvr_rewards.parsing.types import ParsedCall, ParseResult, ParserSpec, ReasoningFn

__all__ = ["message_text", "parse_completion", "parse_many", "split_think"]

_EMPTY: Final = ParseResult(calls=(), text="", violations=("empty",))
_TOO_LONG: Final = ParseResult(calls=(), text="", violations=("too_long",))


def message_text(content: Any, max_chars: int) -> str | None:
    """Text of a message ``content`` (``str``, ``None``, a list of parts, one part dict).

    Text parts (``{"type": "text", "text": ..}`` or bare strings) are joined; other parts are ignored.
    Returns ``None`` when the joined text would exceed ``max_chars``, or when there are more than
    ``max_chars`` parts (each part is visited: a list of a million image parts is not walked).
    """
    if isinstance(content, str):
        return content if len(content) <= max_chars else None
    if isinstance(content, dict):
        content = [content]
    if not isinstance(content, (list, tuple)):
        return ""
    if len(content) > max_chars:
        return None
    parts: list[str] = []
    total = 0
    for part in content:
        if isinstance(part, str):
            piece = part
        elif isinstance(part, dict) and part.get("type", "text") == "text" and isinstance(part.get("text"), str):
            piece = part["text"]
        else:
            continue
        total += len(piece)
        if total > max_chars:
            return None
        parts.append(piece)
    return "".join(parts)


def _finish(
    result: ParseResult,
    fmt: str,
    think: str,
    extra: Sequence[str],
    answer: str,
    limits: Limits,
) -> ParseResult:
    """Merge think/extra violations, cap the calls, flag ``mixed_formats``, sort the violations."""
    calls = result.calls
    if not isinstance(calls, tuple):
        calls = tuple(calls)
    attempted = bool(result.attempted_call or calls)
    mixed = attempted and mixed_markers(answer, fmt)
    if result.think:
        think = f"{think}\n{result.think}" if think else result.think
    if not extra and not mixed and len(calls) <= limits.max_calls and isinstance(result.violations, tuple):
        violations: tuple[str, ...] = result.violations  # the common case: already sorted and unique
        if len(violations) > 1 and any(a >= b for a, b in pairwise(violations)):
            violations = tuple(sorted(set(violations)))
    else:
        found = set(result.violations)
        found.update(extra)
        if len(calls) > limits.max_calls:
            calls = calls[: limits.max_calls]
            found.add("too_many_calls")
        if mixed:
            found.add("mixed_formats")
        violations = tuple(sorted(found))
    if (
        calls is result.calls
        and violations is result.violations
        and think == result.think
        and fmt == result.format
        and attempted == result.attempted_call
    ):
        return result  # nothing to add: the parser's result is already final
    return ParseResult(
        calls=calls,
        text=result.text,
        think=think,
        format=fmt,
        violations=violations,
        attempted_call=attempted,
        untyped=result.untyped,
    )


#: The characters by which detection skips parsers cheaply: a parser none of whose markers' key characters
#: is in the answer cannot find a marker there. Almost every marker holds one of them (``<tool_call>``,
#: ``[TOOL_CALLS]``, ``functools[``, ``"tool_calls"`` inside ``{...}``).
_KEY_CHARS: Final = "<[{"


class _Plan:
    """How detection runs over one tuple of parsers: the key strings to look for in an answer, the parsers
    worth trying for each combination of keys present (a parser none of whose markers' keys is present would
    return ``None``; one without markers is always tried), and the formats' reasoning splits."""

    __slots__ = ("by_mask", "default_markers", "gates", "key_bits", "keys", "specs", "split_specs", "splitters")

    def __init__(self, specs: Sequence[ParserSpec]) -> None:
        self.specs = specs
        gates = [frozenset(_marker_key(m) for m in spec.markers) for spec in specs]
        self.keys: tuple[str, ...] = tuple(sorted(set().union(*gates))) if gates else ()
        self.key_bits = tuple((key, 1 << bit) for bit, key in enumerate(self.keys))
        self.gates = gates
        self.by_mask: dict[int, tuple[tuple[ParserSpec, ...], tuple[ReasoningFn, ...]]] = {}
        self.split_specs = tuple(spec for spec in specs if spec.split_reasoning is not None)
        self.splitters = tuple(spec.split_reasoning for spec in self.split_specs if spec.split_reasoning is not None)
        self.default_markers: MarkerIndex | None = None

    def default_index(self) -> MarkerIndex:
        """The markers that count when the caller names none: these parsers' and the built-in formats'."""
        if self.default_markers is None:
            names = {spec.name for spec in self.specs}
            self.default_markers = index_for((*self.specs, *(s for s in BUILTIN_PARSERS if s.name not in names)))
        return self.default_markers

    def splits_marked(self, index: MarkerIndex) -> bool:
        """``index`` knows every splitting format's markers. A straight path then needs no split check: it
        declines an answer holding a marker ``index`` does not list for its own format (``ParserSpec.straight``),
        and a split changes only an answer holding one of its format's markers (``ParserSpec.split_reasoning``)."""
        return all(spec.markers and index.owned.get(spec.name) == frozenset(spec.markers) for spec in self.split_specs)

    def splits_reasoning(self, text: str) -> bool:
        """One of the formats' reasoning splits would take something out of ``text`` (the general path then
        reads it: a straight path never sees another format's reasoning)."""
        for split in self.splitters:
            answer, reasoning, found = split(text)
            if answer is not text or reasoning or found:
                return True
        return False

    def candidates(self, answer: str) -> tuple[tuple[ParserSpec, ...], tuple[ReasoningFn, ...]]:
        """The parsers to try on ``answer``, in order, and the reasoning splits to run on it first (one ``in``
        scan per key). A split belongs to a format and changes only an answer holding one of its markers
        (``ParserSpec.split_reasoning``), so it is run when that format would be tried; and as a split only
        removes text, the parsers worth trying after it are among those found before it."""
        mask = 0
        for key, bit in self.key_bits:
            if key in answer:
                mask |= bit
        hit = self.by_mask.get(mask)
        if hit is None:
            present = {key for bit, key in enumerate(self.keys) if mask >> bit & 1}
            specs = tuple(spec for spec, gate in zip(self.specs, self.gates, strict=True) if not gate or gate & present)
            splits = tuple(spec.split_reasoning for spec in specs if spec.split_reasoning is not None)
            hit = self.by_mask[mask] = (specs, splits)
        return hit


#: specs tuple id -> (the tuple, its plan)
_PLANS: dict[int, tuple[Sequence[ParserSpec], _Plan]] = {}


def _marker_key(marker: str) -> str:
    """The character whose absence rules ``marker`` out: the first of ``_KEY_CHARS`` in it, else the marker."""
    for ch in _KEY_CHARS:
        if ch in marker:
            return ch
    return marker


def _plan(specs: Sequence[ParserSpec]) -> _Plan:
    """The :class:`_Plan` of ``specs`` (kept per specs tuple: the registry's is stable)."""
    hit = _PLANS.get(id(specs))
    if hit is not None and hit[0] is specs:
        return hit[1]
    plan = _Plan(specs)
    if len(_PLANS) >= 64:
        _PLANS.clear()
    _PLANS[id(specs)] = (specs, plan)
    return plan


def _parse_text(text: str, plan: _Plan, limits: Limits, reasoning: str = "") -> ParseResult:
    if len(text) > limits.max_chars:
        return _TOO_LONG
    if not text or text.isspace():
        if reasoning:
            return ParseResult(calls=(), text="", think=reasoning, violations=("empty",))
        return _EMPTY
    answer, think, found = split_think(text)
    specs, splits = plan.candidates(answer)  # (a parser none of whose markers can be here would return None)
    for split in splits:  # the formats' own reasoning (GPT-OSS analysis messages)
        answer, more, more_found = split(answer)
        if more:
            think = f"{think}\n{more}" if think else more
        if more_found:
            found = (*found, *more_found)
    if reasoning:
        think = f"{reasoning}\n{think}" if think else reasoning
    for spec in specs:
        result = spec.parse(answer)
        if result is None or not isinstance(result, ParseResult):
            continue
        fmt = result.format if result.format != "none" else spec.name
        return _finish(result, fmt, think, found, answer, limits)
    return ParseResult(calls=(), text=answer.strip(), think=think, violations=tuple(sorted(set(found))))


def _parse_openai(text: str, tool_calls: Sequence[Any], limits: Limits, reasoning: str) -> ParseResult:
    """Calls from structured ``tool_calls``; ``text`` is the content (think blocks removed)."""
    answer, think, found = split_think(text)
    if reasoning:
        think = f"{reasoning}\n{think}" if think else reasoning
    violations = set(found)
    calls: list[ParsedCall] = []
    codes: list[str] = []
    for entry in tool_calls[: limits.max_calls]:
        call, codes_one = call_from_object(entry, limits, arguments_string_ok=True, check_keys=False, native=True)
        codes.extend(codes_one)
        if call is not None:
            calls.append(call)
    if len(tool_calls) > limits.max_calls:
        violations.add("too_many_calls")
    violations.update(codes)
    free = answer.strip()
    if free:
        violations.add("text_with_call")
        if mixed_markers(answer, "openai"):
            violations.add("mixed_formats")
    return ParseResult(
        calls=tuple(calls),
        text=free,
        think=think,
        format="openai",
        violations=tuple(sorted(violations)),
        attempted_call=True,
    )


def _parse_message(msg: dict[Any, Any], plan: _Plan, limits: Limits) -> ParseResult:
    reasoning = ""
    for key in ("reasoning_content", "reasoning"):
        value = msg.get(key)
        if isinstance(value, str) and value.strip():
            if len(value) > limits.max_chars:
                return _TOO_LONG
            reasoning = value.strip()
            break
    text = message_text(msg.get("content"), limits.max_chars)
    if text is None:
        return _TOO_LONG
    tool_calls = msg.get("tool_calls")
    if isinstance(tool_calls, (list, tuple)) and tool_calls:
        return _parse_openai(text, tool_calls, limits, reasoning)
    if tool_calls is not None and not isinstance(tool_calls, (list, tuple)):
        # A tool_calls field that is not a list: a call was attempted but cannot be read.
        result = _parse_text(text, plan, limits, reasoning)
        violations = tuple(sorted({*result.violations, "invalid_json"}))
        return replace(result, violations=violations, attempted_call=True)
    return _parse_text(text, plan, limits, reasoning)


def _parse_any(completion: Any, plan: _Plan, limits: Limits) -> ParseResult:
    if isinstance(completion, str):
        return _parse_text(completion, plan, limits)
    if isinstance(completion, dict):
        return _parse_message(completion, plan, limits)
    if isinstance(completion, (list, tuple)):
        if len(completion) > limits.max_chars:  # (every message is visited: more than max_chars is too long)
            return _TOO_LONG
        for msg in reversed(completion):
            if isinstance(msg, dict) and msg.get("role") == "assistant":
                return _parse_message(msg, plan, limits)
        return _EMPTY
    if isinstance(completion, (bytes, bytearray, memoryview)):
        raw = bytes(completion)
        if len(raw) > 4 * limits.max_chars:
            return _TOO_LONG
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return ParseResult(calls=(), text="", violations=("invalid_unicode",))
        return _parse_text(text, plan, limits)
    return _EMPTY


def _fallback(completion: Any, limits: Limits) -> ParseResult:
    """Last resort after an unexpected internal error: no calls, ``invalid_json``."""
    attempted = False
    try:
        if isinstance(completion, dict):
            attempted = bool(completion.get("tool_calls"))
            completion = completion.get("content")
        if isinstance(completion, str) and len(completion) <= limits.max_chars:
            attempted = attempted or bool(marker_formats(completion))
    except Exception:  # a completion object may have a hostile __eq__/__hash__
        pass
    return ParseResult(calls=(), text="", violations=("invalid_json",), attempted_call=attempted)


def _check_args(parsers: Sequence[ParserSpec] | None, limits: Limits) -> Sequence[ParserSpec]:
    if not isinstance(limits, Limits):
        raise ConfigError(f"limits must be a rlvr_rewards.limits.Limits, got {type(limits).__name__}")
    if parsers is None:
        return BUILTIN_PARSERS
    if isinstance(parsers, (str, bytes)) or not isinstance(parsers, Sequence):
        raise ConfigError(f"parsers must be a sequence of ParserSpec, got {type(parsers).__name__}")
    for spec in parsers:
        if not isinstance(spec, ParserSpec):
            raise ConfigError(f"parsers must contain ParserSpec objects, got {type(spec).__name__}")
    return parsers


def parse_many(
    completions: Sequence[Any],
    parsers: Sequence[ParserSpec] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    *,
    markers: Sequence[ParserSpec] | None = None,
) -> list[ParseResult]:
    """:func:`parse_completion` of each completion, with the arguments checked once for the batch.

    ``markers``: the formats whose markers count for ``mixed_formats`` (default: ``parsers`` and the built-in
    formats; scoring passes every registered format, so a ``format=`` hint changes which parser reads, not what
    counts as mixed)."""
    specs = _check_args(parsers, limits)
    plan = _plan(specs)
    index = plan.default_index() if markers is None else index_for(_check_args(markers, limits))
    restore_markers = use_markers(index) if current_markers() is not index else None
    restore = use_limits(limits) if current_limits() is not limits else None
    out: list[ParseResult] = []
    append = out.append
    straight = specs[0].straight if specs else None  # the first parser's own path for its usual shape
    splits = plan.splits_reasoning if plan.splitters and not plan.splits_marked(index) else None
    try:
        for completion in completions:
            try:
                if straight is not None and type(completion) is str:
                    fast = straight(completion, limits)
                    # (a straight path never sees another format's reasoning: where a split would take something
                    # out, the general path reads the text)
                    if fast is not None and (splits is None or not splits(completion)):
                        append(fast)
                        continue
                append(_parse_any(completion, plan, limits))
            except Exception:  # last resort: model output must never raise
                append(_fallback(completion, limits))
    finally:
        if restore is not None:
            restore()
        if restore_markers is not None:
            restore_markers()
    return out


def parse_completion(
    completion: Any,
    parsers: Sequence[ParserSpec] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    *,
    markers: Sequence[ParserSpec] | None = None,
) -> ParseResult:
    """Parse one completion into calls, free text, reasoning and violation codes. Never raises on
    the completion (any type, any text).

    ``parsers``: the formats to try, in this order (first non-``None`` result wins); default
    :data:`~rlvr_rewards.parsing.formats.BUILTIN_PARSERS`. ``limits``: resource caps (also made
    current for the parsers via :func:`~rlvr_rewards.parsing.formats.current_limits`).
    """
    return parse_many((completion,), parsers, limits, markers=markers)[0]
