"""Reliability on public adversarial corpora: JSONTestSuite and the Big List of Naughty Strings.

The corpora live in ``../shared/corpora`` (next to the clone, also in CI). Outside CI a missing folder
skips these tests with a message; in CI (``CI`` set) it fails them.

Every JSONTestSuite file (read as bytes) is scored (a) inside ``<tool_call>`` tags, (b) bare and (c) as
OpenAI ``function.arguments``, decoded with ``surrogateescape`` and with ``replace``, and also as raw
bytes (bare and inside tags); every BLNS string as the completion, as an argument value inside a correct
call (text and OpenAI) and as an assistant message's content. Under every preset and against an execute,
a clarify, a refuse and a no-call (AWS text dialect) truth: no exception, a finite reward inside the preset's
range, a known reason, and a non-"ok" reason for every failing completion (``reliability_inputs.problems_of``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import rlvr_rewards as rr
from rlvr_rewards.parsing.xmlshape import glm_shaped

from .reliability_inputs import (
    CORPORA,
    TOOLS,
    TRUTHS,
    blns_completions,
    blns_strings,
    check_family,
    jsontestsuite_completions,
    jsontestsuite_files,
)


def _corpora() -> Path:
    if CORPORA.is_dir():
        return CORPORA
    message = f"corpora folder {CORPORA} is absent (expected ../shared/corpora next to the clone)"
    if os.environ.get("CI"):
        pytest.fail(message + "; CI must provide it")
    pytest.skip(message + "; skipped outside CI")


@pytest.fixture(scope="module")
def jts_files() -> list[tuple[str, bytes]]:
    files = jsontestsuite_files(_corpora())
    assert len(files) >= 300, f"only {len(files)} JSONTestSuite files found"
    return files


@pytest.fixture(scope="module")
def blns() -> list[str]:
    strings = blns_strings(_corpora())
    assert len(strings) >= 400, f"only {len(strings)} BLNS strings found"
    return strings


def _assert_clean(tally) -> None:  # type: ignore[no-untyped-def]
    assert tally.failures == 0, f"{tally.failures} broken invariants, e.g.:\n" + "\n".join(tally.problems)


def test_jsontestsuite_every_file_every_placement_every_preset(jts_files: list[tuple[str, bytes]]) -> None:
    comps, labels = jsontestsuite_completions(jts_files)
    tally = check_family("jsontestsuite", comps, labels, sample_one_by_one=40)
    print(
        f"\njsontestsuite: {tally.inputs} completions, {tally.scorings} scorings, {len(tally.reasons)} distinct reasons"
    )
    _assert_clean(tally)
    assert tally.scorings == len(comps) * len(rr.list_presets()) * len(TRUTHS)


def test_blns_every_string_every_placement_every_preset(blns: list[str]) -> None:
    comps, labels = blns_completions(blns)
    tally = check_family("blns", comps, labels, sample_one_by_one=40)
    print(f"\nblns: {tally.inputs} completions, {tally.scorings} scorings, {len(tally.reasons)} distinct reasons")
    _assert_clean(tally)


def test_y_files_that_are_objects_or_arrays_decode_without_crashing(jts_files: list[tuple[str, bytes]]) -> None:
    """Valid JSON objects/arrays never crash and, inside tags, are decoded (never ``invalid_json``)."""
    ys = [(n, raw) for n, raw in jts_files if "/y_" in n and raw.lstrip()[:1] in (b"{", b"[")]
    assert len(ys) >= 80
    for name, raw in ys:
        text = raw.decode("utf-8")
        parsed = rr.parse("<tool_call>" + text + "</tool_call>")
        assert "invalid_json" not in parsed.violations, (name, parsed.violations)
        assert "invalid_unicode" not in parsed.violations, (name, parsed.violations)
        for completion in (text, raw, "<tool_call>" + text + "</tool_call>"):
            for preset in rr.list_presets():
                s = rr.score(completion, TRUTHS["execute"], tools=TOOLS, preset=preset)
                assert s.reason in rr.REASONS


def test_n_files_inside_tags_never_produce_a_decoded_call(jts_files: list[tuple[str, bytes]]) -> None:
    """Invalid JSON inside ``<tool_call>`` tags never yields a usable (named) call: the completion is
    ``invalid`` and its reason says why. (A valid prefix followed by garbage, e.g. ``{"a":"b"}#``, may be
    read as a nameless call object with ``trailing_garbage``: still no usable call.) The exception: a bare
    name such as ``abc`` is not JSON but is GLM 4.5-4.7's call without arguments (``<tool_call>NAME</tool_call>``,
    docs/formats.md), read as such."""
    ns = [(n, raw) for n, raw in jts_files if "/n_" in n]
    assert len(ns) >= 180
    problems = []
    glm_names = 0
    for name, raw in ns:
        if glm_shaped(raw.decode("utf-8", "replace")):
            parsed = rr.parse("<tool_call>" + raw.decode("utf-8", "replace") + "</tool_call>")
            assert parsed.format == "glm" and len(parsed.calls) == 1 and parsed.calls[0].arguments == {}, parsed
            glm_names += 1
            continue
        for errors in ("surrogateescape", "replace"):
            completion = "<tool_call>" + raw.decode("utf-8", errors) + "</tool_call>"
            parsed = rr.parse(completion)
            named = [c for c in parsed.calls if c.name]
            s = rr.score(completion, TRUTHS["execute"], tools=TOOLS)
            if named or s.behavior != "invalid" or s.reason not in ("unparseable", "too_long"):
                problems.append((name, errors, named, s.behavior, s.reason))
        b = rr.score(b"<tool_call>" + raw + b"</tool_call>", TRUTHS["execute"], tools=TOOLS)
        if b.behavior != "invalid":
            problems.append((name, "bytes", b.behavior, b.reason))
    assert not problems, problems[:10]
    assert glm_names <= 3, glm_names  # (abc, aå, å: nothing else in the suite is a bare name)


def test_transform_files_keep_their_limits(jts_files: list[tuple[str, bytes]]) -> None:
    """The edge cases of ``test_transform`` (huge numbers, duplicate keys, invalid code points) as
    argument values: never an exception, and the invalid ones are flagged."""
    ts = {n.split("/", 1)[1]: raw for n, raw in jts_files if n.startswith("test_transform/")}
    assert len(ts) >= 20
    for name, raw in ts.items():
        text = raw.decode("utf-8", "surrogateescape")
        completion = '<tool_call>{"name": "get_weather", "arguments": {"city": ' + text + "}}</tool_call>"
        s = rr.score(completion, TRUTHS["execute"], tools=TOOLS)
        assert s.reason in rr.REASONS, name
        if "invalid_codepoint" in name:  # lone surrogates, raw or escaped, are not text
            assert s.behavior == "invalid" and "invalid_unicode" in s.violations, (name, s.violations)
    dup = rr.parse(
        '<tool_call>{"name": "get_weather", "arguments": '
        + ts["object_same_key_different_values.json"].decode()
        + "}</tool_call>"
    )
    assert "duplicate_keys" in dup.violations
