"""Inputs and measurements shared by the reliability tests (``tests/test_reliability_*.py``,
``tests/test_regex_safety.py``, ``tests/test_fuzz.py``) and ``tools/reliability_report.py``.

Nothing here imports pytest or hypothesis, so the report script runs with the runtime dependencies only.

- **Invariants** (:func:`problems_of`, :func:`check_family`): what must hold for *every* completion under
  *every* preset and truth: no exception, a finite reward inside the preset's range, a reason code from
  ``rr.REASONS``, a behaviour from ``BEHAVIORS``, and a non-``"ok"`` reason whenever the completion fails
  (floored, invalid, or below the maximum of a gated preset).
- **Corpora** (:func:`jsontestsuite_files`, :func:`blns_strings`, :func:`corpus_families`): JSONTestSuite and
  the Big List of Naughty Strings from ``../shared/corpora``, placed where a model would put them.
- **Pathological inputs** (:func:`pathological_cases`): generated extremes (deep brackets, huge integers,
  10^4 tags, surrogates, invalid UTF-8, NUL, 1 MB, 10^5-element arrays, duplicate keys, ...).
- **Shapes** (:data:`SHAPES`, :data:`ALLOCATION_BOUND_SHAPES`, :data:`WORD_DENSE_SHAPES`): completions of a
  requested length for the time budget and linearity measurements (:func:`best_time`,
  :func:`measure_budget`, :func:`linearity`, run in a fresh interpreter by :func:`measure_in_subprocess`).
- **Determinism** (:func:`mixed_batch`, :func:`batch_digest`, :func:`repeat_mismatches`,
  :func:`order_mismatches`, :func:`chunk_mismatches`, :func:`thread_mismatches`, :func:`hash_seed_digests`).
- **Random marker text** (:data:`FRAGMENTS`, :func:`random_marker_text`) for the fuzzers.
- **Regex safety** (:func:`package_patterns`, :func:`regex_risks`): a static analyser of compiled patterns.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import importlib
import inspect
import json
import math
import os
import pkgutil
import random
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

import rlvr_rewards as rr
from rlvr_rewards.vocabulary import BEHAVIORS

from .helpers import hermes, openai_message, tool_call_block, weather_tool

ROOT = Path(__file__).resolve().parents[1]
#: ``../shared/corpora`` next to the clone (also in CI: ``<clone>/../shared``).
CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"

# --------------------------------------------------------------------------------------------------
# Tools and truths
# --------------------------------------------------------------------------------------------------

WEATHER_TOOL: dict[str, Any] = weather_tool(units_default=None)  # ``units`` without a default
EMAIL_TOOL: dict[str, Any] = {
    "name": "send_email",
    "description": "Send an email.",
    "parameters": {
        "type": "object",
        "properties": {
            "to": {"type": "string", "description": "Recipient email address"},
            "subject": {"type": "string", "description": "Subject line"},
            "body": {"type": "string", "description": "Message body"},
        },
        "required": ["to", "subject", "body"],
    },
}
TOOLS: list[dict[str, Any]] = [WEATHER_TOOL, EMAIL_TOOL]

GOOD_CALL: dict[str, Any] = {"name": "get_weather", "arguments": {"city": "Paris"}}
TRUTHS: dict[str, Any] = {
    "execute": {"behavior": "execute", "calls": [GOOD_CALL]},
    "clarify": {"behavior": "clarify", "missing": ["city"]},
    "refuse": {"behavior": "refuse", "reason": "harmful"},
    # the AWS post's dialect: a reference text, for which clarifying and refusing are both accepted
    "no_call": "I'm sorry, but I can't help with that.",
}
#: Presets whose reward is below the maximum only for a reason: a gated or exact-match preset. (``toolrl``
#: withholds its format point from a correct answer without ``<think>``, and ``aws-blog`` compares with
#: Python ``==``; for those only the floor implies a failure.)
STRICT_PRESETS = ("graded", "binary")
FAILURE_REASONS_OF_INVALID = frozenset({"empty", "too_long", "unparseable"})


def presets() -> list[str]:
    return rr.list_presets()


# --------------------------------------------------------------------------------------------------
# Invariants
# --------------------------------------------------------------------------------------------------


def problems_of(reward: float, reason: str, behavior: str, preset: str) -> list[str]:
    """Every invariant one scored completion breaks (empty when it is fine)."""
    lo, hi = rr.get_preset(preset).reward_range
    out = []
    if not math.isfinite(reward):
        out.append(f"non-finite reward {reward!r}")
    elif not lo <= reward <= hi:
        out.append(f"reward {reward!r} outside [{lo}, {hi}]")
    if reason not in rr.REASONS:
        out.append(f"unknown reason {reason!r}")
    if behavior not in BEHAVIORS:
        out.append(f"unknown behaviour {behavior!r}")
    if reason == "ok":
        failing = behavior == "invalid" or reward <= lo or (preset in STRICT_PRESETS and reward < hi)
        if failing:
            out.append(f"reason 'ok' on a failing completion (reward {reward!r}, behaviour {behavior!r})")
    if behavior == "invalid" and reason not in FAILURE_REASONS_OF_INVALID:
        out.append(f"invalid completion with reason {reason!r}")
    return out


def short(value: Any, limit: int = 90) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass
class Tally:
    """What a family of inputs did: counts of scorings and of every broken invariant."""

    family: str
    inputs: int = 0
    scorings: int = 0
    exceptions: int = 0
    nonfinite: int = 0
    out_of_range: int = 0
    bad_reason: int = 0
    ok_on_failure: int = 0
    mismatches: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    max_seconds: float = 0.0

    def add_problem(self, text: str) -> None:
        if "non-finite" in text:
            self.nonfinite += 1
        elif "outside" in text:
            self.out_of_range += 1
        elif "unknown" in text or "invalid completion" in text:
            self.bad_reason += 1
        elif "'ok'" in text:
            self.ok_on_failure += 1
        elif "score_batch() gives" in text:
            self.mismatches += 1
        if len(self.problems) < 25:
            self.problems.append(text)

    def merge(self, other: Tally) -> None:
        self.inputs += other.inputs
        self.scorings += other.scorings
        self.exceptions += other.exceptions
        self.nonfinite += other.nonfinite
        self.out_of_range += other.out_of_range
        self.bad_reason += other.bad_reason
        self.ok_on_failure += other.ok_on_failure
        self.mismatches += other.mismatches
        self.reasons.update(other.reasons)
        self.problems.extend(other.problems[: max(0, 25 - len(self.problems))])
        self.max_seconds = max(self.max_seconds, other.max_seconds)

    @property
    def failures(self) -> int:
        return (
            self.exceptions
            + self.nonfinite
            + self.out_of_range
            + self.bad_reason
            + self.ok_on_failure
            + self.mismatches
        )


def _score_one(
    tally: Tally, completion: Any, truth: Any, preset: str, label: str, tools: Any, limits: rr.Limits
) -> rr.Score | None:
    try:
        s = rr.score(completion, truth, tools=tools, preset=preset, limits=limits)
    except Exception as exc:  # the point: report every exception, never stop at the first
        tally.exceptions += 1
        tally.add_problem(f"{label} [{preset}]: {type(exc).__name__}: {short(str(exc))}")
        return None
    return s


def check_family(
    family: str,
    completions: Sequence[Any],
    labels: Sequence[str] | None = None,
    *,
    truths: dict[str, Any] | None = None,
    preset_names: Sequence[str] | None = None,
    tools: Any = TOOLS,
    limits: rr.Limits = rr.DEFAULT_LIMITS,
    sample_one_by_one: int = 0,
) -> Tally:
    """Score ``completions`` with ``score_batch`` under every preset against every truth and tally every
    broken invariant. A batch that raises is re-scored one by one to name the culprit. ``sample_one_by_one``
    completions (a seeded sample) are also scored with ``rr.score`` and must agree with the batch exactly."""
    truths = TRUTHS if truths is None else truths
    preset_names = presets() if preset_names is None else preset_names
    labels = [f"{family}[{i}]" for i in range(len(completions))] if labels is None else labels
    tally = Tally(family, inputs=len(completions))
    sample = sorted(
        random.Random(len(completions)).sample(range(len(completions)), min(sample_one_by_one, len(completions)))
    )
    for preset in preset_names:
        for truth_name, truth in truths.items():
            tally.scorings += len(completions)
            try:
                b = rr.score_batch(completions, [truth] * len(completions), tools=tools, preset=preset, limits=limits)
            except Exception:
                for c, lab in zip(completions, labels, strict=True):
                    s = _score_one(tally, c, truth, preset, f"{lab}/{truth_name}", tools, limits)
                    if s is not None:
                        tally.reasons[s.reason] += 1
                        for p in problems_of(s.reward, s.reason, s.behavior, preset):
                            tally.add_problem(f"{lab}/{truth_name} [{preset}]: {p}")
                continue
            rewards = b.rewards.tolist()
            tally.reasons.update(b.reasons)
            for i, (r, reason, behavior) in enumerate(zip(rewards, b.reasons, b.behaviors, strict=True)):
                for p in problems_of(r, reason, behavior, preset):
                    tally.add_problem(f"{labels[i]}/{truth_name} [{preset}]: {p}")
            for i in sample:
                s = _score_one(tally, completions[i], truth, preset, f"{labels[i]}/{truth_name}", tools, limits)
                if s is None:
                    continue
                if np.float64(s.reward).tobytes() != b.rewards[i].tobytes() or s.reason != b.reasons[i]:
                    tally.add_problem(
                        f"{labels[i]}/{truth_name} [{preset}]: score() gives {s.reward!r}/{s.reason} "
                        f"but score_batch() gives {float(b.rewards[i])!r}/{b.reasons[i]}"
                    )
    return tally


def check_each(
    family: str,
    cases: Iterable[tuple[str, Any, rr.Limits]],
    *,
    truths: dict[str, Any] | None = None,
    preset_names: Sequence[str] | None = None,
    tools: Any = TOOLS,
) -> Tally:
    """Score each ``(label, completion, limits)`` under every preset against every truth (one small batch
    per preset, so the completion is parsed once per preset), timing each batch in ``max_seconds``."""
    truths = TRUTHS if truths is None else truths
    preset_names = presets() if preset_names is None else preset_names
    names = list(truths)
    tally = Tally(family)
    for label, completion, limits in cases:
        tally.inputs += 1
        for preset in preset_names:
            tally.scorings += len(names)
            t0 = time.perf_counter()
            try:
                b = rr.score_batch(
                    [completion] * len(names), [truths[k] for k in names], tools=tools, preset=preset, limits=limits
                )
            except Exception as exc:
                tally.exceptions += 1
                tally.add_problem(f"{label} [{preset}]: {type(exc).__name__}: {short(str(exc))}")
                continue
            finally:
                tally.max_seconds = max(tally.max_seconds, time.perf_counter() - t0)
            tally.reasons.update(b.reasons)
            for k, s in zip(names, b, strict=True):
                for p in problems_of(s.reward, s.reason, s.behavior, preset):
                    tally.add_problem(f"{label}/{k} [{preset}]: {p}")
    return tally


# --------------------------------------------------------------------------------------------------
# Corpora
# --------------------------------------------------------------------------------------------------


def corpora_dir() -> Path | None:
    return CORPORA if CORPORA.is_dir() else None


def jsontestsuite_files(root: Path = CORPORA) -> list[tuple[str, bytes]]:
    """``(name, raw bytes)`` of every JSONTestSuite file (``test_parsing`` then ``test_transform``)."""
    base = root / "jsontestsuite"
    files = sorted((base / "test_parsing").glob("*.json")) + sorted((base / "test_transform").glob("*.json"))
    return [(f"{p.parent.name}/{p.name}", p.read_bytes()) for p in files]


def blns_strings(root: Path = CORPORA) -> list[str]:
    return list(json.loads((root / "blns" / "blns.json").read_text(encoding="utf-8")))


def _decodings(raw: bytes) -> list[tuple[str, str]]:
    se = raw.decode("utf-8", "surrogateescape")
    rep = raw.decode("utf-8", "replace")
    return [("se", se)] if se == rep else [("se", se), ("replace", rep)]


def jsontestsuite_completions(files: Sequence[tuple[str, bytes]]) -> tuple[list[Any], list[str]]:
    """Each file (a) inside ``<tool_call>`` tags, (b) bare, (c) as OpenAI ``function.arguments`` (a string),
    for each decoding (``surrogateescape`` and ``replace``), plus the raw bytes bare and inside tags."""
    comps: list[Any] = []
    labels: list[str] = []
    for name, raw in files:
        for how, text in _decodings(raw):
            comps += ["<tool_call>" + text + "</tool_call>", text, openai_message(text)]
            labels += [f"{name}:tags:{how}", f"{name}:bare:{how}", f"{name}:openai-args:{how}"]
        comps += [raw, b"<tool_call>" + raw + b"</tool_call>"]
        labels += [f"{name}:bytes", f"{name}:bytes-in-tags"]
    return comps, labels


def blns_completions(strings: Sequence[str]) -> tuple[list[Any], list[str]]:
    """Each string (a) as the completion, (b) as an argument value inside a correct call (Hermes text and
    OpenAI object arguments), (c) as the content of an assistant message."""
    comps: list[Any] = []
    labels: list[str] = []
    for i, s in enumerate(strings):
        comps += [
            s,
            hermes({"name": "get_weather", "arguments": {"city": s}}),
            openai_message({"city": s}),
            {"role": "assistant", "content": s},
        ]
        labels += [f"blns[{i}]:text", f"blns[{i}]:hermes-arg", f"blns[{i}]:openai-arg", f"blns[{i}]:content"]
    return comps, labels


#: Correct completions, so that every corpus run also exercises the "ok" path.
CONTROLS: list[Any] = [
    hermes(GOOD_CALL),
    openai_message(json.dumps(GOOD_CALL["arguments"])),
    "Which city would you like the weather for?",
    "I'm sorry, but I can't help with that.",
]


def corpus_families(root: Path = CORPORA) -> dict[str, tuple[list[Any], list[str]]]:
    ctl = (list(CONTROLS), [f"control[{i}]" for i in range(len(CONTROLS))])
    jts = jsontestsuite_completions(jsontestsuite_files(root))
    bl = blns_completions(blns_strings(root))
    return {"jsontestsuite": (jts[0] + ctl[0], jts[1] + ctl[1]), "blns": (bl[0] + ctl[0], bl[1] + ctl[1])}


# --------------------------------------------------------------------------------------------------
# Pathological inputs
# --------------------------------------------------------------------------------------------------

BIG_LIMITS = rr.Limits(max_chars=2_000_000)


def nest_dict(depth: int, leaf: Any = "x") -> Any:
    value = leaf
    for _ in range(depth):
        value = {"a": value}
    return value


def nest_list(depth: int, leaf: Any = "x") -> Any:
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


#: A body in the tags, without the newlines :func:`hermes` puts around it.
_tag = functools.partial(tool_call_block, newlines=False)


def pathological_cases() -> list[tuple[str, Any, rr.Limits]]:
    """``(label, completion, limits)``: generated extremes. Each must score like any completion, fast."""
    n = 100_000
    digits = "9" * 5000
    d = rr.DEFAULT_LIMITS
    call_head = '{"name": "get_weather", "arguments": '
    cases: list[tuple[str, Any, rr.Limits]] = [
        # 10^5-deep brackets, bare and where calls are expected
        ("brackets[*1e5", "[" * n, d),
        ("brackets[*1e5-closed", "[" * n + "]" * n, BIG_LIMITS),
        ('brackets{"a":*1e5', '{"a":' * n, BIG_LIMITS),
        ("brackets-in-tags", _tag("[" * n), d),
        ('brackets{"a":-in-tags', _tag('{"a":' * n), BIG_LIMITS),
        ("brackets-in-arguments", _tag(call_head + '{"a":' * n), BIG_LIMITS),
        ("brackets-nemotron", "<TOOLCALL>" + "[" * n + "</TOOLCALL>", d),
        ("brackets-mistral", "[TOOL_CALLS]" + "[" * n, d),
        ("brackets-mistral-args", "[TOOL_CALLS]get_weather[ARGS]" + '{"a":' * n, BIG_LIMITS),
        ("brackets-llama3", "<|python_tag|>" + "[" * n, d),
        ("brackets-fence", "```json\n" + "[" * n + '"name"\n```', d),
        ("brackets-pythonic", "[get_weather(city=" + "[" * n + "]" * n + ")]", BIG_LIMITS),
        ("brackets-openai-args-string", openai_message('{"a":' * n), BIG_LIMITS),
        ("brackets-openai-args-object", openai_message(nest_dict(n)), BIG_LIMITS),
        ("brackets-openai-args-list", openai_message({"city": nest_list(n)}), BIG_LIMITS),
        # 5000-digit integers: in arguments, as names, as values, as keys, bare, pythonic, OpenAI
        ("int5000-argument", _tag(call_head + '{"city": ' + digits + "}}"), d),
        ("int5000-negative-argument", _tag(call_head + '{"city": -' + digits + "}}"), d),
        ("int5000-name", _tag('{"name": ' + digits + ', "arguments": {"city": "Paris"}}'), d),
        ("int5000-value-in-list", _tag(call_head + '{"city": [1, ' + digits + "]}}"), d),
        ("int5000-float", _tag(call_head + '{"city": ' + digits + ".5e3}}"), d),
        ("int5000-exponent", _tag(call_head + '{"city": 1e' + digits + "}}"), d),
        ("int5000-key", _tag(call_head + '{"' + digits + '": 1}}'), d),
        ("int5000-bare", digits, d),
        ("int5000-bare-list", "[" + digits + "]", d),
        ("int5000-pythonic", "[get_weather(city=" + digits + ")]", d),
        ("int5000-pythonic-name", "[f" + digits + "(city=1)]", d),
        ("int5000-openai-args-string", openai_message('{"city": ' + digits + "}"), d),
        ("int4000-openai-args-object", openai_message({"city": int("9" * 4000)}), d),
        ("int5000-mistral", '[TOOL_CALLS]get_weather[ARGS]{"city": ' + digits + "}", d),
        # 10^4 unclosed tags (and variants)
        ("unclosed-tags-1e4", "<tool_call>" * 10_000, d),
        ("unclosed-tags-1e4-with-json", (_tag(json.dumps(GOOD_CALL))[: -len("</tool_call>")]) * 10_000, BIG_LIMITS),
        ("stray-closing-tags-1e4", "</tool_call>" * 10_000, d),
        ("open-close-alternating-1e4", "<tool_call></tool_call>" * 10_000, BIG_LIMITS),
        ("nemotron-unclosed-1e4", "<TOOLCALL>" * 10_000, d),
        ("mistral-markers-1e4", "[TOOL_CALLS]" * 10_000, d),
        ("python-tags-1e4", "<|python_tag|>" * 10_000, d),
        ("think-unclosed-1e4", "<think>" * 10_000, d),
        ("think-closing-1e4", "</think>" * 10_000, d),
        ("fences-1e4", "```" * 10_000, d),
        # unpaired surrogates: raw in text, raw in JSON, escaped in JSON, in OpenAI messages
        ("surrogate-text", "\ud800 hello \udfff", d),
        ("surrogate-raw-in-call", _tag(call_head + '{"city": "\ud800"}}'), d),
        ("surrogate-escaped-in-call", _tag(call_head + '{"city": "\\ud800"}}'), d),
        ("surrogate-escaped-low-in-call", _tag(call_head + '{"city": "\\udfff\\ud800"}}'), d),
        ("surrogate-escaped-in-name", _tag('{"name": "\\ud800", "arguments": {}}'), d),
        ("surrogate-escaped-key", _tag(call_head + '{"\\ud800": 1}}'), d),
        ("surrogate-in-openai-args-string", openai_message('{"city": "\\ud800"}'), d),
        ("surrogate-in-openai-args-object", openai_message({"city": "\ud800"}), d),
        ("surrogate-in-openai-name", openai_message({"city": "Paris"}, name="get_\udfffweather"), d),
        ("surrogate-in-content", {"role": "assistant", "content": "Which \ud800 city?"}, d),
        ("surrogate-pythonic", "[get_weather(city='\ud800')]", d),
        # invalid UTF-8 as bytes
        ("bytes-invalid-utf8", b"\xff\xfe\xfd", d),
        (
            "bytes-invalid-utf8-in-call",
            b'<tool_call>{"name": "get_weather", "arguments": {"city": "\xc3\x28"}}</tool_call>',
            d,
        ),
        ("bytes-overlong-encoding", b"<tool_call>\xc0\xaf</tool_call>", d),
        ("bytes-encoded-surrogate", b"\xed\xa0\x80", d),
        ("bytes-valid-call", hermes(GOOD_CALL).encode(), d),
        ("bytes-1MB", b"\xff" * 1_000_000, d),
        ("bytearray-call", bytearray(hermes(GOOD_CALL).encode()), d),
        # NUL bytes
        ("nul-text", "\x00" * 1000, d),
        ("nul-around-call", "\x00" * 100 + hermes(GOOD_CALL) + "\x00" * 100, d),
        ("nul-raw-in-json-string", _tag(call_head + '{"city": "Pa\x00ris"}}'), d),
        ("nul-escaped-in-json-string", _tag(call_head + '{"city": "Pa\\u0000ris"}}'), d),
        ("nul-in-name", _tag('{"name": "get_weather\\u0000", "arguments": {"city": "Paris"}}'), d),
        ("nul-in-openai-args", openai_message({"city": "Pa\x00ris"}), d),
        # 1 MB completions
        ("1MB-prose-default-limits", "a" * 1_000_000, d),
        ("1MB-prose-raised-limits", ("The weather in Paris is mild. " * 40_000)[:1_000_000], BIG_LIMITS),
        (
            "1MB-call-argument-raised-limits",
            hermes({"name": "get_weather", "arguments": {"city": "x" * 999_900}}),
            BIG_LIMITS,
        ),
        ("1MB-question-marks-raised-limits", "?" * 1_000_000, BIG_LIMITS),
        ("1MB-openai-content", {"role": "assistant", "content": "a" * 1_000_000}, d),
        ("1MB-openai-args-string", openai_message('{"city": "' + "x" * 1_000_000 + '"}'), d),
        ("1MB-openai-reasoning", {"role": "assistant", "content": "Hi", "reasoning_content": "x" * 1_000_000}, d),
        ("1MB-content-parts", {"role": "assistant", "content": [{"type": "text", "text": "a" * 1000}] * 1000}, d),
        # huge arrays and many calls
        ("array-1e5-in-arguments", _tag(call_head + '{"city": [' + ",".join(["1"] * n) + "]}}"), BIG_LIMITS),
        ("array-1e5-strings-in-arguments", _tag(call_head + '{"city": [' + ",".join(['"a"'] * n) + "]}}"), BIG_LIMITS),
        ("array-1e5-openai-object", openai_message({"city": list(range(n))}), BIG_LIMITS),
        ("calls-1e4-in-one-block", _tag(json.dumps([GOOD_CALL] * 10_000)), BIG_LIMITS),
        (
            "calls-1e4-openai",
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}
                ]
                * 10_000,
            },
            d,
        ),
        ("keys-1e4-in-arguments", _tag(call_head + json.dumps({f"k{i}": i for i in range(10_000)}) + "}"), d),
        # duplicate keys
        ("duplicate-keys-arguments", _tag(call_head + '{"city": "Rome", "city": "Paris"}}'), d),
        ("duplicate-keys-call", _tag('{"name": "x", "name": "get_weather", "arguments": {"city": "Paris"}}'), d),
        ("duplicate-keys-1e4", _tag(call_head + "{" + ", ".join(['"city": "Paris"'] * 10_000) + "}}"), d),
        ("duplicate-keys-openai-string", openai_message('{"city": "Rome", "city": "Paris"}'), d),
        ("duplicate-keys-pythonic", "[get_weather(city='Rome', city='Paris')]", d),
        # NaN / Infinity everywhere
        ("nan-argument", _tag(call_head + '{"city": NaN}}'), d),
        ("infinity-in-list", _tag(call_head + '{"city": [1, -Infinity]}}'), d),
        ("overflow-float", _tag(call_head + '{"city": 1e400}}'), d),
        ("nan-openai-object", openai_message({"city": float("nan")}), d),
        ("nan-openai-object-with-call-id", openai_message({"city": float("nan")}, call_id="call_0"), d),
        ("int70bit-openai-object-with-call-id", openai_message({"city": 2**70}, call_id="call_0"), d),
        ("inf-openai-object", openai_message({"city": [float("inf")]}), d),
        ("nan-pythonic", "[get_weather(city=float('nan'))]", d),
        ("inf-pythonic-literal", "[get_weather(city=1e999)]", d),
        # odd Python objects where a message is expected
        ("message-tool-calls-not-list", {"role": "assistant", "content": "hi", "tool_calls": "get_weather"}, d),
        ("message-tool-calls-junk", {"role": "assistant", "content": None, "tool_calls": [1, None, "x", [], {}]}, d),
        ("message-function-not-dict", {"role": "assistant", "content": None, "tool_calls": [{"function": 3}]}, d),
        ("message-name-not-string", openai_message({"city": "Paris"}, name=12345), d),
        ("message-args-not-object", openai_message([1, 2, 3]), d),
        ("message-args-bytes", openai_message(b'{"city": "Paris"}'), d),
        ("message-args-set", openai_message({"city": {1, 2}}), d),
        ("message-args-non-string-keys", openai_message({1: "Paris", None: 2}), d),
        ("message-content-int", {"role": "assistant", "content": 42}, d),
        ("message-list-no-assistant", [{"role": "user", "content": "hi"}] * 3, d),
        ("message-list-mixed-junk", [None, 1, "x", {"role": "assistant", "content": "Which city?"}], d),
        ("not-a-completion-int", 12345, d),
        ("not-a-completion-none", None, d),
        ("not-a-completion-float-nan", float("nan"), d),
    ]
    cyclic: dict[str, Any] = {"city": "Paris"}
    cyclic["self"] = cyclic
    cases.append(("message-args-cyclic", openai_message(cyclic), d))
    cyc_msg: dict[str, Any] = {"role": "assistant", "content": "Which city?"}
    cyc_msg["me"] = cyc_msg
    cases.append(("message-cyclic", cyc_msg, d))
    return cases


# --------------------------------------------------------------------------------------------------
# Shapes for the time budget and linearity
# --------------------------------------------------------------------------------------------------


def fill(unit: str, n: int, pad: str = " ") -> str:
    """``unit`` repeated to exactly ``n`` characters (whole units, padded with ``pad``)."""
    k = max(1, n // len(unit))
    text = unit * k
    return text + pad * (n - len(text)) if len(text) < n else text


_PROSE = (
    "The weather in Paris is mild today, with light winds from the west and a chance of rain later. "
    "Temperatures should stay between 12 and 18 degrees. "
)
_CALL_JSON = json.dumps(GOOD_CALL)


def _hermes_arg(n: int) -> str:
    head = '<tool_call>\n{"name": "get_weather", "arguments": {"city": "'
    tail = '"}}\n</tool_call>'
    return head + "x" * max(0, n - len(head) - len(tail)) + tail


def _deep_allowed(n: int, unit_v: str = '{"level": ' * 60 + '"leaf"' + "}" * 60) -> str:
    """One call whose arguments hold many sibling values nested 60 levels deep (the cap is 64)."""
    head, tail = '<tool_call>\n{"name": "get_weather", "arguments": {', "}}\n</tool_call>"
    parts = []
    size = len(head) + len(tail)
    i = 0
    while True:
        part = f'"k{i}": {unit_v}'
        if size + len(part) + 2 > n:
            break
        parts.append(part)
        size += len(part) + 2
        i += 1
    text = head + ", ".join(parts) + tail
    return text + " " * (n - len(text))


def _pythonic_list(n: int) -> str:
    unit = "get_weather(city='Paris', units='metric'), "
    body = unit * max(1, (n - 2) // len(unit))
    text = "[" + body.rstrip(", ") + "]"
    return text + " " * (n - len(text))


def _pythonic_arg(n: int) -> str:
    head, tail = "[get_weather(city='", "')]"
    return head + "x" * (n - len(head) - len(tail)) + tail


def _fence(n: int) -> str:
    head = '```json\n{"name": "get_weather", "arguments": {"city": "Paris", "note": "'
    tail = '"}}\n```'
    return head + "y" * (n - len(head) - len(tail)) + tail


def _bare_json(n: int) -> str:
    head, tail = '{"name": "get_weather", "arguments": {"city": "Paris", "note": "', '"}}'
    return head + "z" * (n - len(head) - len(tail)) + tail


def _json_list(n: int) -> str:
    unit = _CALL_JSON + ", "
    text = "[" + (unit * max(1, (n - 2) // len(unit))).rstrip(", ") + "]"
    return text + " " * (n - len(text))


def _openai_arg(n: int) -> dict[str, Any]:
    return openai_message(json.dumps({"city": "Paris", "note": "q" * max(0, n - 32)}))


def _openai_many(n: int) -> dict[str, Any]:
    one = {"type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}
    k = max(1, n // len(json.dumps(one)))
    return {"role": "assistant", "content": None, "tool_calls": [dict(one, id=f"c{i}") for i in range(k)]}


def _openai_content(n: int) -> dict[str, Any]:
    return {"role": "assistant", "content": fill(_PROSE, n)}


def _openai_list(n: int) -> list[dict[str, Any]]:
    return [
        {"role": "user", "content": "What is the weather in Paris?"},
        {
            "role": "assistant",
            "content": fill("<think>hmm</think>", n // 2)
            + hermes(GOOD_CALL)
            + fill(" ok", n - n // 2 - len(hermes(GOOD_CALL))),
        },
    ]


def _nemotron(n: int) -> str:
    unit = _CALL_JSON + ", "
    head, tail = "<TOOLCALL>[", "]</TOOLCALL>"
    body = (unit * max(1, (n - len(head) - len(tail)) // len(unit))).rstrip(", ")
    text = head + body + tail
    return text + " " * (n - len(text))


def _think_call(n: int) -> str:
    call = "\n" + hermes(GOOD_CALL)
    return "<think>" + fill(_PROSE, n - len(call) - len("<think></think>")) + "</think>" + call


#: name -> function(n) -> a completion of about ``n`` characters. Realistic and adversarial shapes of
#: model output (every format, prose, reasoning, messages, markers); none should cost more than the
#: budget at 10^5 characters or grow faster than linearly.
SHAPES: dict[str, Callable[[int], Any]] = {
    "prose": lambda n: fill(_PROSE, n),
    "prose-lines": lambda n: fill("I think the answer is 42, but the forecast may change\n", n),
    "one-call-huge-argument": _hermes_arg,
    "many-small-calls": lambda n: fill(hermes(GOOD_CALL) + "\n", n),
    "many-open-tags": lambda n: fill("<tool_call>", n),
    "many-empty-blocks": lambda n: fill("<tool_call></tool_call>", n),
    "json-lines-in-one-block": lambda n: _tag("\n" + fill(_CALL_JSON + "\n", n - 24)),
    "deep-allowed-nesting": _deep_allowed,
    "think-then-call": _think_call,
    "many-think-blocks": lambda n: fill("<think>plan</think>", n - 80) + hermes(GOOD_CALL)[:80],
    "unclosed-think": lambda n: "<think>" + fill(_PROSE, n - 7),
    "pythonic-list": _pythonic_list,
    "pythonic-huge-string": _pythonic_arg,
    "json-code-fence": _fence,
    "many-json-fences": lambda n: fill("```json\n" + _CALL_JSON + "\n```\n", n),
    "bare-json-call": _bare_json,
    "json-list-of-calls": _json_list,
    "nemotron-list": _nemotron,
    "mistral-markers": lambda n: fill('[TOOL_CALLS]get_weather[ARGS]{"city": "Paris"}', n),
    "llama3-sequence": lambda n: "<|python_tag|>" + fill(_CALL_JSON + "; ", n - 14),
    "openai-huge-arguments": _openai_arg,
    "openai-many-tool-calls": _openai_many,
    "openai-prose-content": _openai_content,
    "message-list": _openai_list,
    "question-marks": lambda n: "?" * n,
    "clarifying-questions": lambda n: fill("Which city would you like the weather for? ", n),
    "refusals-repeated": lambda n: fill("I'm sorry, but I can't help with that. ", n),
    "whitespace": lambda n: fill(" \n\t", n),
    "whitespace-then-call": lambda n: " " * (n - len(hermes(GOOD_CALL))) + hermes(GOOD_CALL),
    "digits": lambda n: fill("1234567890", n),
    "cjk-and-emoji": lambda n: fill("天气很好。😀 ", n),
    "brackets-within-depth": lambda n: fill("[" * 60 + "]" * 60, n),
    "mixed-markers": lambda n: fill('<tool_call>[TOOL_CALLS]<|python_tag|><TOOLCALL>```json\n{"name": ', n),
}

#: Measured for the budget and reported, but not held to the linearity ratio: nothing but 60-deep lists
#: (~10^5 containers at 2*10^5 characters). Its ratio (10-14) tracks CPython allocating and freeing that many
#: nested lists (``orjson.loads`` alone on the same text: 10.5-11) and drifts up as the heap fragments in a
#: long process; the library's own walk over it scales 9.8x.
ALLOCATION_BOUND_SHAPES: dict[str, Callable[[int], Any]] = {
    "deep-allowed-nesting-packed-lists": lambda n: _deep_allowed(n, "[" * 60 + "1" + "]" * 60),
}

#: Word-dense text (one- or two-letter words, no sentence break): the behaviour classifier's regexes try
#: many alternatives at every word boundary. Measured separately from :data:`SHAPES`.
WORD_DENSE_SHAPES: dict[str, Callable[[int], Any]] = {
    "words-i": lambda n: fill("i ", n),
    "words-I-tab": lambda n: fill("I\t", n),
    "words-a": lambda n: fill("a ", n),
    "words-digit": lambda n: fill("1 ", n),
    "words-i-am": lambda n: fill("i am ", n),
    "words-i-dont-have": lambda n: fill("i don't have ", n),
}

#: A long run of spaces inside one sentence, after words the classifier's regexes key on: the text of
#: a completion that stalls mid-sentence (``cue + " " * n + "x"``). Scoring must stay linear in ``n``.
WHITESPACE_RUN_CUES: dict[str, str] = {
    "after-i-dont-have": "I don't have",
    "after-i-do-not-have": "i do not have",
    "after-you": "You",
}


def whitespace_run(cue: str, n: int) -> str:
    return cue + " " * n + "x"


BUDGET_SECONDS = 0.050  # p99 per completion at 10^5 characters: the figure docs/reliability.md reports against
#: The tests' form of the budget (they assert no absolute time): p99 per completion at 10^5 characters <= this
#: many times decoding a megabyte of JSON with the standard library, measured in the same process
#: (tests/timing.py). Measured here: p99 about 2x (23 ms against 11 ms); 5x is the 50 ms budget on this
#: machine's reference.
BUDGET_FACTOR = 5.0
LINEARITY_MAX_RATIO = 12.0  # 10x the input may cost at most 12x the time
LINEARITY_FLOOR_SECONDS = 0.0005  # times below this are timer noise: a ratio's denominator is at least this
LINEAR_LIMITS = rr.Limits(max_chars=1_000_000)


def size_of(completion: Any, cap: int = 10**6, chars_cap: int = 10**8) -> int:
    """Characters of model output in a completion (text, or the JSON of a message), or -1 for a message of
    more than ``cap`` nodes or ``chars_cap`` string characters counted with repetition (shared sub-structures:
    not writable as text at all, or only as gigabytes)."""
    if isinstance(completion, (str, bytes)):
        return len(completion)
    stack, visits, chars = [completion], 0, 0
    while stack:
        item = stack.pop()
        visits += 1
        if visits > cap:
            return -1
        if isinstance(item, dict):
            stack.extend(item.values())
            chars += sum(map(len, item))
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            chars += len(item)
        if chars > chars_cap:
            return -1
    return len(json.dumps(completion, ensure_ascii=False))


def best_time(fn: Callable[[], Any], repeats: int) -> float:
    """Best wall time of ``repeats`` calls (after one warm-up call), with the GC collected and disabled."""
    fn()
    was = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        best = math.inf
        for _ in range(repeats):
            t0 = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - t0)
    finally:
        if was:
            gc.enable()
    return best


def time_completion(
    completion: Any, repeats: int, limits: rr.Limits = rr.DEFAULT_LIMITS, preset: str = "graded"
) -> float:
    truth = TRUTHS["execute"]
    return best_time(lambda: rr.score(completion, truth, tools=TOOLS, preset=preset, limits=limits), repeats)


def percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=np.float64), q))


def measure_budget(shapes: dict[str, Callable[[int], Any]], n: int = 100_000, repeats: int = 3) -> dict[str, float]:
    """Best-of-``repeats`` seconds per shape at ``n`` characters (default limits, graded, execute truth)."""
    return {name: time_completion(make(n), repeats) for name, make in shapes.items()}


@dataclass
class Linearity:
    shape: str
    small: float
    big: float
    ratio: float
    remeasured: bool = False


def linearity(
    name: str,
    make: Callable[[int], Any],
    small_n: int = 20_000,
    big_n: int = 200_000,
    repeats: int = 5,
    max_ratio: float = LINEARITY_MAX_RATIO,
) -> Linearity:
    """Time at ``small_n`` and ``big_n`` characters (limits raised to 10^6); re-measured up to twice while the
    ratio exceeds ``max_ratio`` (keeping the best times of all rounds)."""
    small_c, big_c = make(small_n), make(big_n)

    def once() -> tuple[float, float]:
        return (time_completion(small_c, repeats, LINEAR_LIMITS), time_completion(big_c, repeats, LINEAR_LIMITS))

    small, big = once()
    ratio = big / max(small, LINEARITY_FLOOR_SECONDS)
    if ratio <= max_ratio:
        return Linearity(name, small, big, ratio)
    for _ in range(2):  # up to two more rounds, keeping each side's best (a busy neighbour slows one round)
        s2, b2 = once()
        small, big = min(small, s2), min(big, b2)
        ratio = big / max(small, LINEARITY_FLOOR_SECONDS)
        if ratio <= max_ratio:
            break
    return Linearity(name, small, big, ratio, remeasured=True)


def all_shapes() -> dict[str, Callable[[int], Any]]:
    return {**SHAPES, **ALLOCATION_BOUND_SHAPES, **WORD_DENSE_SHAPES}


def _timing_task(task: dict[str, Any]) -> dict[str, Any]:
    shapes = all_shapes()
    chosen = {name: shapes[name] for name in task["shapes"]}
    if task["kind"] == "budget":
        from tests.timing import best_times, reference_task

        reference = best_times({"reference": reference_task}, 5)["reference"]
        times = measure_budget(chosen, task.get("n", 100_000), repeats=task.get("repeats", 3))
        reference = min(reference, best_times({"reference": reference_task}, 5)["reference"])
        over = [k for k, t in times.items() if t > BUDGET_FACTOR * reference]
        if over:  # one re-measurement of the slow ones, to rule out a noisy neighbour
            again = measure_budget({k: chosen[k] for k in over}, task.get("n", 100_000), repeats=5)
            times.update({k: min(times[k], again[k]) for k in over})
        return {"times": times, "reference": reference}
    if task["kind"] == "linearity":
        out = {}
        for name, make in chosen.items():
            lin = linearity(name, make, repeats=task.get("repeats", 5))
            out[name] = {"small": lin.small, "big": lin.big, "ratio": lin.ratio, "remeasured": lin.remeasured}
        return out
    raise ValueError(f"unknown timing task {task['kind']!r}")


def measure_in_subprocess(kind: str, shapes: Iterable[str], **options: Any) -> dict[str, Any]:
    """Run a timing task (``"budget"``: ``{"times": seconds per shape at 10^5 characters, "reference":
    seconds of tests.timing.reference_task}``; ``"linearity"``: a :class:`Linearity` as a dict per shape) in
    a fresh interpreter. A long test process has a fragmented heap
    that makes allocating 10^5 objects measurably slower than in a fresh one, which would bias a 2*10^4 vs
    2*10^5 comparison; a training loop's reward worker resembles the fresh process."""
    import subprocess
    import sys

    task = {"kind": kind, "shapes": list(shapes), **options}
    proc = subprocess.run(
        [sys.executable, "-m", "tests.reliability_inputs"],
        input=json.dumps(task),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"timing subprocess failed:\n{proc.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


# --------------------------------------------------------------------------------------------------
# Determinism
# --------------------------------------------------------------------------------------------------

ADVERSARIAL_TEXTS: list[Any] = [
    "",
    "   \n\t",
    "<tool_call>",
    "<tool_call></tool_call>",
    "</tool_call>",
    '<tool_call>{"name": "get_weather", "arguments": {"city": NaN}}</tool_call>',
    '<tool_call>{"name": "get_weather", "arguments": {"city": "\\ud800"}}</tool_call>',
    '<tool_call>{"name": "get_weather", "arguments": {"city": "Paris", "city": "Rome"}}</tool_call>',
    "<tool_call>" + "[" * 5000 + "</tool_call>",
    "[" * 5000,
    '<tool_call>{"name": "get_weather", "arguments": {"city": ' + "9" * 500 + "}}</tool_call>",
    "[get_weather(city='Paris'), get_weather(city=__import__('os'))]",
    "```json\n" + _CALL_JSON + "\n```",
    '[TOOL_CALLS]get_weather[ARGS]{"city": "Paris"}',
    '<|python_tag|>{"name": "get_weather", "parameters": {"city": "Paris"}}',
    "<think>" * 50 + hermes(GOOD_CALL),
    hermes(GOOD_CALL) + "\nDoes that work for you?",
    "I can't help with that, but " + hermes(GOOD_CALL),
    "?" * 3000,
    "I'm sorry, but I can't help with that. " * 100,
    "Which city would you like the weather for?",
    "\x00\ud800\udfff\ufeff",
    b"\xff\xfe",
    hermes(GOOD_CALL).encode(),
    openai_message('{"city": "Paris"}'),
    openai_message({"city": float("nan")}),
    openai_message({"city": nest_dict(100)}),
    openai_message("not json"),
    {"role": "assistant", "content": None, "tool_calls": "oops"},
    [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "Which city do you mean?"}],
    "a" * 250_000,
    fill(_PROSE, 20_000),
    fill("i ", 5_000),
    12345,
    None,
]


def example_data() -> tuple[list[Any], list[Any]]:
    """The bundled 240 example completions with their 60 rows as ground truths."""
    data = resources.files("rlvr_rewards") / "data"
    rows = {r["id"]: r for r in map(json.loads, (data / "example_rows.jsonl").read_text().splitlines()) if r}
    comps = [json.loads(x) for x in (data / "example_completions.jsonl").read_text().splitlines() if x.strip()]
    return [c["completion"] for c in comps], [rows[c["id"]] for c in comps]


def mixed_batch() -> tuple[list[Any], list[Any]]:
    """The example completions with their rows, then the adversarial texts paired with rows (seeded)."""
    comps, truths = example_data()
    rng = random.Random(12345)
    rows = list(dict.fromkeys(map(id, truths)))
    by_id = {id(t): t for t in truths}
    for c in ADVERSARIAL_TEXTS:
        comps.append(c)
        truths.append(by_id[rng.choice(rows)])
    return comps, truths


def batch_fingerprint(b: rr.BatchScore) -> bytes:
    """The bits of every reward plus every reason, behaviour and violation list."""
    h = hashlib.sha256(b.rewards.tobytes())
    for reason, behavior, viol in zip(b.reasons, b.behaviors, b.violations, strict=True):
        h.update(f"{reason}|{behavior}|{','.join(viol)}\n".encode())
    return h.digest()


def batch_digest() -> str:
    """sha256 over the mixed batch scored under every preset (what a subprocess prints per hash seed)."""
    comps, truths = mixed_batch()
    h = hashlib.sha256()
    for preset in presets():
        b = rr.score_batch(comps, truths, preset=preset)
        h.update(preset.encode())
        h.update(batch_fingerprint(b))
    return h.hexdigest()


def _rewards_reasons(comps: list[Any], truths: list[Any], preset: str, **kw: Any) -> tuple[bytes, list[str]]:
    b = rr.score_batch(comps, truths, preset=preset, **kw)
    return b.rewards.tobytes(), list(b.reasons)


def repeat_mismatches(comps: list[Any], truths: list[Any], preset: str, repeats: int = 10) -> list[int]:
    """Indices of the repeats (1..) whose rewards (bits) or reasons differ from the first run."""
    first = _rewards_reasons(comps, truths, preset)
    return [k for k in range(1, repeats) if _rewards_reasons(comps, truths, preset) != first]


def order_mismatches(comps: list[Any], truths: list[Any], preset: str, seeds: Sequence[int] = (0, 1)) -> list[int]:
    """Seeds of the permutations whose un-permuted results differ from the batch in its own order."""
    base = _rewards_reasons(comps, truths, preset)
    bad = []
    for seed in seeds:
        perm = np.random.default_rng(seed).permutation(len(comps))
        b = rr.score_batch([comps[i] for i in perm], [truths[i] for i in perm], preset=preset)
        rewards = np.empty_like(b.rewards)
        rewards[perm] = b.rewards
        reasons = [""] * len(comps)
        for k, i in enumerate(perm):
            reasons[i] = b.reasons[k]
        if (rewards.tobytes(), reasons) != base:
            bad.append(seed)
    return bad


def chunk_mismatches(comps: list[Any], truths: list[Any], preset: str, sizes: Sequence[int] = (1, 7, 64)) -> list[int]:
    """Chunk sizes whose concatenated results differ from scoring the batch at once."""
    whole = _rewards_reasons(comps, truths, preset)
    bad = []
    for size in sizes:
        rewards: list[np.ndarray] = []
        reasons: list[str] = []
        for start in range(0, len(comps), size):
            b = rr.score_batch(comps[start : start + size], truths[start : start + size], preset=preset)
            rewards.append(b.rewards)
            reasons += b.reasons
        if (np.concatenate(rewards).tobytes(), reasons) != whole:
            bad.append(size)
    return bad


def thread_mismatches(
    comps: list[Any], truths: list[Any], preset_names: Sequence[str], workers: int = 4, chunk: int = 16, rounds: int = 3
) -> list[str]:
    """Chunks scored by ``workers`` threads concurrently (every preset at once) that differ from serial."""
    from concurrent.futures import ThreadPoolExecutor

    serial = {p: rr.score_batch(comps, truths, preset=p) for p in preset_names}
    jobs = [(p, slice(i, i + chunk)) for p in preset_names for i in range(0, len(comps), chunk)]

    def run(job: tuple[str, slice]) -> tuple[str, slice, bytes, list[str]]:
        p, sl = job
        b = rr.score_batch(comps[sl], truths[sl], preset=p)
        return p, sl, b.rewards.tobytes(), list(b.reasons)

    bad = []
    for _ in range(rounds):
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for p, sl, rewards, reasons in pool.map(run, jobs):
                if rewards != serial[p].rewards[sl].tobytes() or reasons != list(serial[p].reasons[sl]):
                    bad.append(f"{p}[{sl.start}:{sl.stop}]")
    return bad


def hash_seed_digests(seeds: Sequence[str] = ("0", "1", "12345")) -> dict[str, str]:
    """:func:`batch_digest` computed in a subprocess per ``PYTHONHASHSEED`` value, plus in this process."""
    import subprocess
    import sys

    out = {}
    for seed in seeds:
        proc = subprocess.run(
            [sys.executable, "-c", "from tests.reliability_inputs import batch_digest; print(batch_digest())"],
            cwd=ROOT,
            env=dict(os.environ, PYTHONHASHSEED=seed),
            capture_output=True,
            text=True,
            timeout=600,
        )
        out[f"PYTHONHASHSEED={seed}"] = proc.stdout.strip() if proc.returncode == 0 else f"error: {proc.stderr[-300:]}"
    out["this process"] = batch_digest()
    return out


# --------------------------------------------------------------------------------------------------
# Random marker text for fuzzers
# --------------------------------------------------------------------------------------------------

FRAGMENTS: tuple[str, ...] = (
    "<tool_call>",
    "</tool_call>",
    "<tool_call>\n",
    "\n</tool_call>",
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
    '"',
    '"name"',
    '"arguments"',
    '"parameters"',
    '"function"',
    '"type": "function"',
    '"get_weather"',
    '"city"',
    '"Paris"',
    '{"name": "get_weather", "arguments": {"city": "Paris"}}',
    "<think>",
    "</think>",
    "[TOOL_CALLS]",
    "[ARGS]",
    "[CALL_ID]",
    "<|python_tag|>",
    "<|eom_id|>",
    "<TOOLCALL>",
    "</TOOLCALL>",
    "```json\n",
    "```",
    "\n```",
    "NaN",
    "-Infinity",
    "Infinity",
    "1e999",
    "-",
    "0",
    "7",
    "3.14",
    "12345678901234567890123",
    "true",
    "null",
    "get_weather(",
    "city=",
    "'Paris'",
    ")",
    "=",
    "__import__",
    "\\",
    "\\u",
    "\\ud800",
    "\\udfff",
    "\\u0000",
    "\ud800",
    "\udfff",
    "\x00",
    "\ufeff",
    "\u2028",
    "é",
    "😀",
    "天",
    " ",
    "\n",
    "\t",
    "?",
    ".",
    ";",
    "I can't help with that.",
    "Which city?",
    "Please tell me ",
    "I'm sorry",
    "Here is ",
    "18°C",
)


def random_marker_text(rng: random.Random, max_parts: int = 40) -> str:
    """Fragments and random code points (surrogates included), joined."""
    parts = []
    for _ in range(rng.randint(0, max_parts)):
        if rng.random() < 0.8:
            parts.append(rng.choice(FRAGMENTS))
        else:
            parts.append(
                "".join(
                    chr(rng.randint(0, 0x10FFFF) if rng.random() < 0.3 else rng.randint(0, 0x7F))
                    for _ in range(rng.randint(1, 5))
                )
            )
    return "".join(parts)


def random_json_value(rng: random.Random, depth: int = 0) -> Any:
    """A JSON-ish Python value: odd numbers (huge, NaN, infinite), surrogate strings, nesting."""
    r = rng.random()
    if depth > 6 or r < 0.45:
        return rng.choice(
            [
                None,
                True,
                False,
                0,
                -1,
                2**64,
                10**150,
                -(10**120),
                1.5,
                float("nan"),
                float("inf"),
                -float("inf"),
                1e308,
                "",
                "Paris",
                "\ud800",
                "\x00",
                "é😀",
                rng.random(),
                rng.randint(-(10**30), 10**30),
                random_marker_text(rng, 4),
            ]
        )
    if r < 0.7:
        return [random_json_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {
        rng.choice(
            ["city", "units", "name", "arguments", "\ud800", "", "$any", random_marker_text(rng, 2)]
        ): random_json_value(rng, depth + 1)
        for _ in range(rng.randint(0, 4))
    }


def random_completion(rng: random.Random) -> Any:
    """A random completion: marker text, or an OpenAI message with random arguments (object or JSON text)."""
    r = rng.random()
    if r < 0.6:
        return random_marker_text(rng)
    value = random_json_value(rng)
    call_id = f"call_{rng.randrange(10**6)}" if rng.random() < 0.5 else None
    if r < 0.75:
        return openai_message(value, call_id=call_id)
    if r < 0.9:
        return openai_message(json.dumps(value, ensure_ascii=rng.random() < 0.5), call_id=call_id)
    return [{"role": "user", "content": "hi"}, {"role": "assistant", "content": random_marker_text(rng)}]


def random_family(seed: int, count: int) -> tuple[list[Any], list[str]]:
    rng = random.Random(seed)
    comps = [random_completion(rng) for _ in range(count)]
    return comps, [f"random[{seed}:{i}]" for i in range(count)]


# --------------------------------------------------------------------------------------------------
# Regex safety: a static analyser of compiled patterns
# --------------------------------------------------------------------------------------------------

try:  # Python 3.11+
    from re import _constants as _sre_c  # type: ignore[attr-defined]
    from re import _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as _sre_c  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

_MAXREPEAT = _sre_c.MAXREPEAT
_REPEATS = {_sre_c.MAX_REPEAT, _sre_c.MIN_REPEAT}
_POSSESSIVE = getattr(_sre_c, "POSSESSIVE_REPEAT", None)
_ATOMIC = getattr(_sre_c, "ATOMIC_GROUP", None)
_ZERO_WIDTH = {_sre_c.AT, _sre_c.ASSERT, _sre_c.ASSERT_NOT}
_SINGLE_CHAR = {_sre_c.LITERAL, _sre_c.NOT_LITERAL, _sre_c.ANY, _sre_c.IN}

#: Characters every character class is probed with: ASCII, Latin-1 and a few other scripts and spaces.
_PROBE = [chr(i) for i in range(256)] + list("ĀſƀΣσЖ中日한😀٣߀\u2000\u2028\u2029\u3000\u1680\ufeff\U0001d7ce")
_CATEGORY = {
    "CATEGORY_DIGIT": r"\d",
    "CATEGORY_NOT_DIGIT": r"\D",
    "CATEGORY_SPACE": r"\s",
    "CATEGORY_NOT_SPACE": r"\S",
    "CATEGORY_WORD": r"\w",
    "CATEGORY_NOT_WORD": r"\W",
}


def _in_class(c: str, items: Any, flags: int) -> bool:
    negate = False
    hit = False
    for op, av in items:
        name = str(op)
        if name == "NEGATE":
            negate = True
        elif name == "LITERAL":
            hit = hit or _same_char(c, chr(av), flags)
        elif name == "RANGE":
            lo, hi = av
            hit = (
                hit
                or lo <= ord(c) <= hi
                or (bool(flags & re.IGNORECASE) and any(lo <= ord(x) <= hi for x in (c.lower(), c.upper())))
            )
        elif name == "CATEGORY":
            pat = _CATEGORY.get(str(av))
            hit = hit or (pat is not None and re.fullmatch(pat, c, flags & re.ASCII) is not None)
        else:  # unknown class item: assume it can match
            hit = True
    return hit != negate


def _same_char(a: str, b: str, flags: int) -> bool:
    return a == b or (bool(flags & re.IGNORECASE) and (a.lower() == b.lower() or a.upper() == b.upper()))


def _char_matches(c: str, op: Any, av: Any, flags: int) -> bool:
    name = str(op)
    if name == "LITERAL":
        return _same_char(c, chr(av), flags)
    if name == "NOT_LITERAL":
        return not _same_char(c, chr(av), flags)
    if name == "ANY":
        return c != "\n" or bool(flags & re.DOTALL)
    if name == "IN":
        return _in_class(c, av, flags)
    return True


@dataclass(frozen=True)
class _Chars:
    """A set of characters, as the probe characters it contains."""

    probes: frozenset[str]

    def overlaps(self, other: _Chars) -> bool:
        return bool(self.probes & other.probes)


_NOTHING = _Chars(frozenset())
_EVERYTHING = _Chars(frozenset(_PROBE))


def _single_char_set(op: Any, av: Any, flags: int) -> _Chars:
    return _Chars(frozenset(c for c in _PROBE if _char_matches(c, op, av, flags)))


def _union(sets: Iterable[_Chars]) -> _Chars:
    out: set[str] = set()
    for s in sets:
        out |= s.probes
    return _Chars(frozenset(out))


def _sub_flags(av: Any, flags: int) -> tuple[Any, int]:
    """(body, flags) of a SUBPATTERN or ATOMIC_GROUP."""
    if isinstance(av, tuple) and len(av) == 4:  # SUBPATTERN: (group, add_flags, del_flags, p)
        _, add, delete, body = av
        return body, (flags | add) & ~delete
    return av, flags


def _nullable_seq(seq: Any, flags: int) -> bool:
    return all(_nullable(op, av, flags) for op, av in seq)


def _nullable(op: Any, av: Any, flags: int) -> bool:
    if op in _SINGLE_CHAR:
        return False
    if op in _ZERO_WIDTH:
        return True
    if op in _REPEATS or op == _POSSESSIVE:
        lo, _, body = av
        return lo == 0 or _nullable_seq(body, flags)
    if op == _sre_c.BRANCH:
        return any(_nullable_seq(alt, flags) for alt in av[1])
    if op == _sre_c.SUBPATTERN or op == _ATOMIC:
        body, f = _sub_flags(av, flags)
        return _nullable_seq(body, f)
    return True  # GROUPREF and anything unknown: conservative


def _first_seq(seq: Any, flags: int) -> _Chars:
    sets = []
    for op, av in seq:
        sets.append(_first(op, av, flags))
        if not _nullable(op, av, flags):
            break
    return _union(sets)


def _first(op: Any, av: Any, flags: int) -> _Chars:
    if op in _SINGLE_CHAR:
        return _single_char_set(op, av, flags)
    if op in _ZERO_WIDTH:
        return _NOTHING
    if op in _REPEATS or op == _POSSESSIVE:
        return _first_seq(av[2], flags)
    if op == _sre_c.BRANCH:
        return _union(_first_seq(alt, flags) for alt in av[1])
    if op == _sre_c.SUBPATTERN or op == _ATOMIC:
        body, f = _sub_flags(av, flags)
        return _first_seq(body, f)
    return _EVERYTHING


def _all_chars_seq(seq: Any, flags: int) -> _Chars:
    return _union(_all_chars(op, av, flags) for op, av in seq)


def _all_chars(op: Any, av: Any, flags: int) -> _Chars:
    """Every character an item can consume (anywhere in its match)."""
    if op in _SINGLE_CHAR:
        return _single_char_set(op, av, flags)
    if op in _ZERO_WIDTH:
        return _NOTHING
    if op in _REPEATS or op == _POSSESSIVE:
        return _all_chars_seq(av[2], flags)
    if op == _sre_c.BRANCH:
        return _union(_all_chars_seq(alt, flags) for alt in av[1])
    if op == _sre_c.SUBPATTERN or op == _ATOMIC:
        body, f = _sub_flags(av, flags)
        return _all_chars_seq(body, f)
    return _EVERYTHING


def _is_unbounded(op: Any, av: Any) -> bool:
    return op in _REPEATS and av[1] == _MAXREPEAT  # possessive repeats never backtrack: not counted


def _edge_repeats(op: Any, av: Any, flags: int, leading: bool) -> list[tuple[Any, int]]:
    """Unbounded repeats that can be the first (``leading``) or last item an item matches with."""
    if _is_unbounded(op, av):
        return [((op, av), flags)]
    if op in _REPEATS and av[1] != 0:
        return _edge_repeats_seq(av[2], flags, leading)
    if op == _sre_c.BRANCH:
        return [r for alt in av[1] for r in _edge_repeats_seq(alt, flags, leading)]
    if op == _sre_c.SUBPATTERN:
        body, f = _sub_flags(av, flags)
        return _edge_repeats_seq(body, f, leading)
    return []


def _edge_repeats_seq(seq: Any, flags: int, leading: bool) -> list[tuple[Any, int]]:
    items = list(seq) if leading else list(reversed(list(seq)))
    out: list[tuple[Any, int]] = []
    for op, av in items:
        out += _edge_repeats(op, av, flags, leading)
        if not _nullable(op, av, flags):
            break
    return out


def _contains_unbounded(seq: Any) -> bool:
    for op, av in seq:
        if _is_unbounded(op, av):
            return True
        for sub in _children(op, av):
            if _contains_unbounded(sub):
                return True
    return False


def _children(op: Any, av: Any) -> list[Any]:
    """The sub-sequences of an item."""
    if op in _REPEATS or op == _POSSESSIVE:
        return [av[2]]
    if op == _sre_c.BRANCH:
        return list(av[1])
    if op == _sre_c.SUBPATTERN:
        return [av[3]]
    if op == _ATOMIC:
        return [av]
    if op in (_sre_c.ASSERT, _sre_c.ASSERT_NOT):
        return [av[1]]
    if op == _sre_c.GROUPREF_EXISTS:
        return [x for x in av[1:] if x is not None]
    return []


def _describe(seq_item: tuple[Any, Any]) -> str:
    op, av = seq_item
    lo, hi, _ = av
    return f"{str(op).lower()}{{{lo},{'inf' if hi == _MAXREPEAT else hi}}}"


def _check_seq(seq: Any, flags: int, out: list[str], inside_unbounded: bool) -> None:
    items = list(seq)
    _check_adjacent(items, flags, out)
    for op, av in items:
        f = flags
        if op == _sre_c.SUBPATTERN:
            f = _sub_flags(av, flags)[1]
        if _is_unbounded(op, av):
            _check_unbounded(op, av, flags, out)
        for sub in _children(op, av):
            _check_seq(sub, f, out, inside_unbounded or _is_unbounded(op, av))


def _check_adjacent(items: list[Any], flags: int, out: list[str]) -> None:
    """(b) adjacent unbounded repeats over overlapping characters (skipping nullable items in between)."""
    for i, (op, av) in enumerate(items):
        tails = _edge_repeats(op, av, flags, leading=False)
        if not tails:
            continue
        for j in range(i + 1, len(items)):
            op2, av2 = items[j]
            for t, tf in tails:
                for h, hf in _edge_repeats(op2, av2, flags, leading=True):
                    if _all_chars_seq(t[1][2], tf).overlaps(_first_seq(h[1][2], hf)):
                        out.append(
                            f"adjacent unbounded repeats over overlapping characters: {_describe(t)} then "
                            f"{_describe(h)}"
                        )
            if not _nullable(op2, av2, flags):
                break


def _check_unbounded(op: Any, av: Any, flags: int, out: list[str]) -> None:
    """The risks of one unbounded repeat: (a), (c) and (b') below."""
    body = av[2]
    # (a) nested unbounded quantifiers
    if _contains_unbounded(body):
        out.append(f"nested unbounded quantifiers: {_describe((op, av))} over a body with an unbounded repeat")
    # (c) ambiguous alternation under an unbounded repeat: alternatives that can start alike
    _check_branches(body, flags, _first_seq(body, flags), out)
    # (b') the body's end next to its own start, across iterations
    for t, tf in _edge_repeats_seq(body, flags, leading=False):
        for h, hf in _edge_repeats_seq(body, flags, leading=True):
            if _all_chars_seq(t[1][2], tf).overlaps(_first_seq(h[1][2], hf)):
                out.append(
                    f"unbounded repeat whose body ends and starts with overlapping unbounded repeats: "
                    f"{_describe(t)} / {_describe(h)}"
                )


def _check_branches(seq: Any, flags: int, loop_first: _Chars, out: list[str]) -> None:
    items = list(seq)
    for k, (op, av) in enumerate(items):
        if op == _sre_c.BRANCH:
            follow = (
                _union([_first_seq(items[k + 1 :], flags), loop_first])
                if _nullable_seq(items[k + 1 :], flags)
                else _first_seq(items[k + 1 :], flags)
            )
            firsts = []
            for alt in av[1]:
                first = _first_seq(alt, flags)
                if _nullable_seq(alt, flags):
                    first = _union([first, follow])
                firsts.append(first)
            for x in range(len(firsts)):
                for y in range(x + 1, len(firsts)):
                    if firsts[x].overlaps(firsts[y]):
                        out.append(
                            "ambiguous alternation under an unbounded repeat: two alternatives can start "
                            "with the same character"
                        )
                        return
        for sub in _children(op, av):
            if op in (_sre_c.ASSERT, _sre_c.ASSERT_NOT) or _is_unbounded(op, av):
                continue  # a nested unbounded repeat is reported by (a); lookarounds do not loop
            _check_branches(sub, flags, loop_first, out)


def regex_risks(pattern: str | bytes | re.Pattern[Any], flags: int = 0) -> list[str]:
    """The backtracking risks of a pattern (empty when none): (a) nested unbounded quantifiers, (b) adjacent
    unbounded repeats whose characters overlap, (c) ambiguous alternation under an unbounded repeat."""
    if isinstance(pattern, re.Pattern):
        flags, pattern = pattern.flags, pattern.pattern
    if isinstance(pattern, bytes):
        pattern = pattern.decode("latin-1")
        flags |= re.ASCII
    parsed = _sre_parse.parse(pattern, flags)
    out: list[str] = []
    _check_seq(parsed, parsed.state.flags, out, False)
    return list(dict.fromkeys(out))


def package_modules(package: Any = rr) -> tuple[list[Any], list[str]]:
    """Every module of ``package`` (imported), and the names of those skipped because an optional
    third-party dependency (not the package itself) is not installed."""
    modules = [package]
    skipped: list[str] = []
    prefix = package.__name__ + "."
    for info in pkgutil.walk_packages(package.__path__, prefix, onerror=lambda name: skipped.append(name)):
        try:
            modules.append(importlib.import_module(info.name))
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.split(".")[0] == package.__name__:
                raise
            skipped.append(f"{info.name} (needs {exc.name})")
    return modules, skipped


def package_patterns(package: Any = rr) -> list[tuple[str, re.Pattern[Any]]]:
    """``(where, pattern)`` for every distinct compiled pattern in the module globals of ``package`` (also
    inside dicts/lists/tuples held there) and in the attributes of its classes."""
    found: dict[tuple[str, int], tuple[str, re.Pattern[Any]]] = {}
    for mod in package_modules(package)[0]:
        modname = mod.__name__
        candidates: list[tuple[str, Any]] = []
        for name, value in vars(mod).items():
            candidates.append((f"{modname}.{name}", value))
            if inspect.isclass(value) and value.__module__ == modname:
                candidates += [(f"{modname}.{name}.{attr}", v) for attr, v in vars(value).items()]
        for where, value in candidates:
            values: Iterable[Any] = [value]
            if isinstance(value, dict):
                values = value.values()
            elif isinstance(value, (list, tuple, frozenset, set)):
                values = value
            for v in values:
                if isinstance(v, re.Pattern):
                    found.setdefault(
                        (v.pattern if isinstance(v.pattern, str) else repr(v.pattern), v.flags), (where, v)
                    )
    return sorted(found.values(), key=lambda x: x[0])


def machine_description() -> str:
    import platform

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} logical cores, Python {platform.python_version()} "
        f"({platform.python_implementation()}), {platform.system()} {platform.release()}"
    )


if __name__ == "__main__":  # the timing worker of measure_in_subprocess: a JSON task on stdin, JSON on stdout
    import sys

    print(json.dumps(_timing_task(json.loads(sys.stdin.read()))))
