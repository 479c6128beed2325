"""Reliability on generated extremes: 10^5-deep brackets, 5000-digit integers, 10^4 unclosed tags, unpaired
surrogates, invalid UTF-8, NUL bytes, 1 MB completions, 10^5-element arrays, duplicate keys, NaN, odd
Python objects; deep arguments against deep ground truths; and the user's data nested too deeply.

Every input, under every preset and against an execute, a clarify, a refuse and a no-call truth: no exception, a
finite reward inside the preset's range, a known reason (non-"ok" when failing), well under a second.
"""

from __future__ import annotations

import contextlib
import gc
import io
import json
import logging
import random
import tracemalloc
import warnings
from typing import Any

import pytest

import rlvr_rewards as rr

from .helpers import hermes, openai_message
from .reliability_inputs import (
    BIG_LIMITS,
    GOOD_CALL,
    TOOLS,
    TRUTHS,
    check_each,
    nest_dict,
    nest_list,
    pathological_cases,
    random_completion,
)
from .timing import assert_bounded

CASES = pathological_cases()
#: The bound on one preset's batch (four truths, one parse) relative to decoding a megabyte of JSON with the
#: standard library (tests/timing.py). Measured: up to ~16x (1e5-element arrays in an OpenAI arguments
#: object, 10^4 calls in one block); a quadratic path at these sizes costs thousands.
FACTOR_PER_PRESET = 100.0

#: The violation each input must be flagged with (when scored against the execute truth).
EXPECTED_VIOLATION = {
    "brackets-in-tags": "nesting_too_deep",
    'brackets{"a":-in-tags': "nesting_too_deep",
    "brackets-in-arguments": "nesting_too_deep",
    "brackets-nemotron": "nesting_too_deep",
    "brackets-mistral": "nesting_too_deep",
    "brackets-mistral-args": "nesting_too_deep",
    "brackets-llama3": "nesting_too_deep",
    "brackets-fence": "nesting_too_deep",
    "brackets-pythonic": "nesting_too_deep",
    "brackets-openai-args-string": "nesting_too_deep",
    "brackets-openai-args-object": "nesting_too_deep",
    "brackets-openai-args-list": "nesting_too_deep",
    "int5000-argument": "number_too_large",
    "int5000-negative-argument": "number_too_large",
    "int5000-name": "number_too_large",
    "int5000-value-in-list": "number_too_large",
    "int5000-pythonic": "number_too_large",
    "int5000-openai-args-string": "number_too_large",
    "int4000-openai-args-object": "number_too_large",
    "int5000-mistral": "number_too_large",
    "int5000-float": "nonfinite_number",
    "int5000-exponent": "nonfinite_number",
    "unclosed-tags-1e4": "unclosed_tag",
    "unclosed-tags-1e4-with-json": "unclosed_tag",
    "stray-closing-tags-1e4": "stray_closing_tag",
    "think-unclosed-1e4": "unclosed_think",
    "surrogate-raw-in-call": "invalid_unicode",
    "surrogate-escaped-in-call": "invalid_unicode",
    "surrogate-escaped-low-in-call": "invalid_unicode",
    "surrogate-escaped-in-name": "invalid_unicode",
    "surrogate-escaped-key": "invalid_unicode",
    "surrogate-in-openai-args-string": "invalid_unicode",
    "surrogate-in-openai-args-object": "invalid_unicode",
    "surrogate-pythonic": "invalid_unicode",
    "bytes-invalid-utf8": "invalid_unicode",
    "bytes-invalid-utf8-in-call": "invalid_unicode",
    "bytes-overlong-encoding": "invalid_unicode",
    "bytes-encoded-surrogate": "invalid_unicode",
    "bytes-1MB": "too_long",
    "nul-raw-in-json-string": "invalid_json",
    "1MB-prose-default-limits": "too_long",
    "1MB-openai-content": "too_long",
    "1MB-openai-args-string": "too_long",
    "1MB-openai-reasoning": "too_long",
    "1MB-content-parts": "too_long",
    "calls-1e4-in-one-block": "too_many_calls",
    "calls-1e4-openai": "too_many_calls",
    "duplicate-keys-arguments": "duplicate_keys",
    "duplicate-keys-call": "duplicate_keys",
    "duplicate-keys-1e4": "duplicate_keys",
    "duplicate-keys-openai-string": "duplicate_keys",
    "duplicate-keys-pythonic": "duplicate_keys",
    "nan-argument": "nonfinite_number",
    "infinity-in-list": "nonfinite_number",
    "overflow-float": "nonfinite_number",
    "nan-openai-object": "nonfinite_number",
    "nan-openai-object-with-call-id": "nonfinite_number",
    "inf-openai-object": "nonfinite_number",
    "inf-pythonic-literal": "nonfinite_number",
    "nan-pythonic": "pythonic_not_call",
    "message-args-not-object": "arguments_not_object",
    "message-args-cyclic": "nesting_too_deep",
}
#: Inputs that hold the correct call and nothing wrong: they must earn the maximum.
EXPECTED_OK = {"bytes-valid-call", "bytearray-call"}


@pytest.mark.parametrize(("label", "completion", "limits"), CASES, ids=[c[0] for c in CASES])
def test_pathological_input_keeps_every_invariant(label: str, completion: Any, limits: rr.Limits) -> None:
    tally = check_each(label, [(label, completion, limits)])
    assert tally.failures == 0, "\n".join(tally.problems)
    # bounded: one preset's batch (4 truths) costs at most FACTOR_PER_PRESET x decoding a megabyte of JSON
    assert_bounded(
        lambda: check_each(label, [(label, completion, limits)], preset_names=["graded"]),
        FACTOR_PER_PRESET,
        label,
        measured=tally.max_seconds,
    )
    s = rr.score(completion, TRUTHS["execute"], tools=TOOLS, limits=limits)
    if label in EXPECTED_VIOLATION:
        assert EXPECTED_VIOLATION[label] in s.violations, (label, s.violations, s.reason)
        assert s.reason != "ok"
    if label in EXPECTED_OK:
        assert (s.reward, s.reason) == (1.0, "ok"), (label, s.violations)


def test_the_expectations_name_real_cases() -> None:
    labels = {c[0] for c in CASES}
    assert set(EXPECTED_VIOLATION) <= labels and EXPECTED_OK <= labels
    assert len(CASES) >= 100


def test_huge_arrays_in_arguments_are_decoded_not_refused() -> None:
    for label in ("array-1e5-in-arguments", "array-1e5-strings-in-arguments", "array-1e5-openai-object"):
        completion, limits = next((c, lim) for lab, c, lim in CASES if lab == label)
        s = rr.score(completion, TRUTHS["execute"], tools=TOOLS, limits=limits)
        assert s.behavior == "execute" and s.reason == "bad_arguments", (label, s.violations)


def test_one_megabyte_is_too_long_by_default_and_fast_when_allowed() -> None:
    text = ("The weather in Paris is mild. " * 40_000)[:1_000_000]
    for completion in (text, text.encode(), {"role": "assistant", "content": text}):
        assert rr.score(completion, TRUTHS["execute"]).reason == "too_long"
    # with the cap raised the same megabyte is read, at about the cost of decoding a megabyte of JSON
    s = rr.score(text, TRUTHS["execute"], limits=BIG_LIMITS)
    assert_bounded(lambda: rr.score(text, TRUTHS["execute"], limits=BIG_LIMITS), 10.0, "1 MB of prose, scored")
    assert s.reason == "answered_instead_of_execute"


# ------------------------------------------------------------------------------------------------
# Deep arguments against deep ground truths; user data nested too deeply
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("nest", [nest_dict, nest_list], ids=["objects", "arrays"])
def test_sixty_levels_of_arguments_match_a_sixty_level_truth(nest: Any) -> None:
    """60 levels of nesting (under the default max_depth of 64) are decoded and compared exactly in every
    format; one level more than the truth is a wrong value, not an error."""
    value = nest(60)
    truth = {"behavior": "execute", "calls": [{"name": "get_weather", "arguments": {"city": value}}]}
    call = {"name": "get_weather", "arguments": {"city": value}}
    completions = [
        hermes(call),
        openai_message(json.dumps(call["arguments"])),
        openai_message(call["arguments"]),
        json.dumps(call),
        "```json\n" + json.dumps(call) + "\n```",
        "<TOOLCALL>[" + json.dumps(call) + "]</TOOLCALL>",
        "[TOOL_CALLS][" + json.dumps(call) + "]",
    ]
    if nest is nest_list:
        completions.append(f"[get_weather(city={json.dumps(value)})]")
    for completion in completions:
        for preset in rr.list_presets():
            s = rr.score(completion, truth, preset=preset)
            assert s.reason == "ok", (preset, s.reason, s.violations, str(completion)[:60])
            assert s.reward == (3.0 if preset == "toolrl" else 1.0)  # toolrl: no <think>, no format point
        deeper = {"name": "get_weather", "arguments": {"city": nest(61)}}
        assert rr.score(hermes(deeper), truth).reason in ("bad_arguments", "unparseable")
    assert rr.score(hermes(call), json.dumps(truth)).reason == "ok"


def _deep_json_text(depth: int) -> str:
    return (
        '{"behavior": "execute", "calls": [{"name": "get_weather", "arguments": {"city": '
        + "[" * depth
        + "1"
        + "]" * depth
        + "}}]}"
    )


DEEP_TRUTHS = {
    "dict-2000": {"behavior": "execute", "calls": [{"name": "get_weather", "arguments": {"city": nest_dict(2000)}}]},
    "list-2000": {"behavior": "execute", "calls": [{"name": "get_weather", "arguments": {"city": nest_list(2000)}}]},
    "json-text-2000": _deep_json_text(2000),
    "json-text-100000": _deep_json_text(100_000),
    "blog-list-2000": [{"name": "get_weather", "arguments": {"city": nest_list(2000)}}],
    "blog-text-2000": '[{"name": "get_weather", "arguments": {"city": ' + "[" * 2000 + "1" + "]" * 2000 + "}}]",
    "row-2000": {
        "reward_model": {
            "ground_truth": {
                "behavior": "execute",
                "calls": [{"name": "get_weather", "arguments": {"city": nest_dict(2000)}}],
            }
        }
    },
    "matcher-any-2000": {
        "behavior": "execute",
        "calls": [{"name": "get_weather", "arguments": {"city": {"$any": [nest_list(2000)]}}}],
    },
    "matcher-literal-2000": {
        "behavior": "execute",
        "calls": [{"name": "get_weather", "arguments": {"city": {"$literal": nest_dict(2000)}}}],
    },
    "clarify-missing-2000": {"behavior": "clarify", "missing": nest_list(2000)},
    "whole-truth-2000": nest_dict(2000),
}


@pytest.mark.parametrize("truth", list(DEEP_TRUTHS.values()), ids=list(DEEP_TRUTHS))
def test_a_ground_truth_nested_2000_levels_raises_ground_truth_error(truth: Any) -> None:
    """Ground truth is the user's data: too deep is a GroundTruthError naming the item, never a
    RecursionError (which would kill the run from inside the reward function)."""
    for preset in rr.list_presets():
        with pytest.raises(rr.GroundTruthError) as info:
            rr.score(hermes(GOOD_CALL), truth, preset=preset)
        assert info.value.index == 0
    with pytest.raises(rr.GroundTruthError) as info:
        rr.score_batch([hermes(GOOD_CALL)] * 3, [TRUTHS["execute"], TRUTHS["refuse"], truth])
    assert info.value.index == 2


def _deep_schema(depth: int) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(depth):
        schema = {"type": "object", "properties": {"a": schema}}
    return schema


def test_a_tool_spec_nested_2000_levels_raises_tool_spec_error() -> None:
    """Tool specs are the user's data too: too deep must be a ToolSpecError, not a RecursionError (it once
    escaped from ``repr`` of the spec inside the error message)."""
    tools = [{"name": "get_weather", "parameters": _deep_schema(2000)}]
    with pytest.raises(rr.ToolSpecError):
        rr.score(hermes(GOOD_CALL), TRUTHS["execute"], tools=tools)


def test_a_tool_spec_nested_300_levels_raises_tool_spec_error() -> None:
    tools = [{"name": "get_weather", "parameters": _deep_schema(300)}]
    with pytest.raises(rr.ToolSpecError):
        rr.score(hermes(GOOD_CALL), TRUTHS["execute"], tools=tools)


# ------------------------------------------------------------------------------------------------
# Completions are never logged or printed
# ------------------------------------------------------------------------------------------------


def test_completions_are_never_logged_printed_or_warned_about(caplog: pytest.LogCaptureFixture) -> None:
    canary = "CANARY-7f3a9c-do-not-log"
    completions: list[Any] = [
        canary,
        hermes({"name": "get_weather", "arguments": {"city": canary}}),
        "<tool_call>{" + canary + "</tool_call>",
        openai_message('{"city": "' + canary + '"}'),
        openai_message({"city": canary}),
        {"role": "assistant", "content": f"<think>{canary}</think>I can't help with {canary}."},
        canary.encode() + b"\xff",
        "<tool_call>" + "[" * 5000 + canary,
        f"[get_weather(city='{canary}')]",
    ]
    out, err = io.StringIO(), io.StringIO()
    caplog.set_level(logging.DEBUG)
    with (
        warnings.catch_warnings(record=True) as caught,
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        warnings.simplefilter("always")
        for preset in rr.list_presets():
            rr.score_batch(completions, [TRUTHS["execute"]] * len(completions), tools=TOOLS, preset=preset)
            for c in completions:
                rr.score(c, TRUTHS["refuse"], preset=preset)
                rr.parse(c)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert canary not in logged
    assert canary not in out.getvalue() + err.getvalue()
    assert not any(canary in str(w.message) for w in caught)


# ------------------------------------------------------------------------------------------------
# Memory: scoring distinct completions for a long time must not grow (a leak also ends a run)
# ------------------------------------------------------------------------------------------------


@pytest.mark.slow  # tens of thousands of completions under tracemalloc
def test_scoring_many_distinct_completions_does_not_grow_memory() -> None:
    rng = random.Random(7)
    truths = list(TRUTHS.values())

    def round_of(k: int) -> None:
        comps = [random_completion(rng) for _ in range(k)]
        for preset in rr.list_presets():
            rr.score_batch(comps, [truths[i % len(truths)] for i in range(k)], tools=TOOLS, preset=preset)

    round_of(300)  # warm caches (compiled truths and tools, regex caches)
    gc.collect()
    tracemalloc.start()
    try:
        round_of(300)
        gc.collect()
        base = tracemalloc.get_traced_memory()[0]
        for _ in range(5):
            round_of(300)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    assert grown < 1_000_000, f"{grown} bytes retained after 1,500 more distinct completions (x 4 presets)"
