"""The hostile corpus (tests/hostile_corpus.py): every case scores sanely, within the time budget, offline.

- Sanity (everyday tier, at 5,000 characters): every case of every family returns a finite reward in
  the preset's range and a documented reason; nothing raises.
- Offline: scoring (truth and tool compilation included) opens no socket and no file: sockets, ``open``
  and ``os.open`` are patched to fail while fresh truths and tools are compiled and scored.
- Budget (slow tier, at 200,000 characters, in a fresh interpreter): every case takes at most
  ``BUDGET_FACTOR`` (5) times decoding a megabyte of JSON with the standard library, measured in the same
  run (tests/timing.py): the 50 ms budget as a ratio that holds on a busy machine. The figures go to
  benchmarks/README.md through benchmarks/bench_hostile.py.
"""

from __future__ import annotations

import builtins
import io
import json
import math
import os
import socket
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import rlvr_rewards as rr

from . import hostile_corpus as hc
from .reliability_inputs import BUDGET_FACTOR

ROOT = Path(__file__).resolve().parents[1]
SMALL = 5_000


@pytest.fixture(scope="module")
def small_cases() -> list[hc.Case]:
    return hc.build(SMALL)


def test_every_family_has_cases_the_library_accepts(small_cases: list[hc.Case]) -> None:
    families = {c.family for c in small_cases}
    assert families == set(hc.FAMILIES), set(hc.FAMILIES) - families
    assert len(small_cases) >= 200


def test_every_case_scores_sanely(small_cases: list[hc.Case]) -> None:
    completions = [c.completion for c in small_cases]
    for preset in ("graded", "binary", "bfcl", "toolrl"):
        batch = rr.score_batch(
            completions, [c.truth for c in small_cases], tools=[c.tools for c in small_cases], preset=preset
        )
        low, high = batch.reward_range
        for case, reward, reason in zip(small_cases, batch.rewards, batch.reasons, strict=True):
            where = f"{preset}: {case.family}: {case.label}"
            assert math.isfinite(reward) and low <= reward <= high, where
            assert reason in rr.REASONS, where


def test_batch_and_single_item_scores_agree(small_cases: list[hc.Case]) -> None:
    cases = small_cases[::7]
    batch = rr.score_batch([c.completion for c in cases], [c.truth for c in cases], tools=[c.tools for c in cases])
    for case, reward, reason in zip(cases, batch.rewards, batch.reasons, strict=True):
        single = rr.score(case.completion, case.truth, tools=case.tools)
        assert (single.reward, single.reason) == (reward, reason), case.label


class _Opened(AssertionError):
    pass


def _refuse(*args: Any, **kwargs: Any) -> Any:
    raise _Opened(f"scoring tried to open {args[:1]!r}")


def test_scoring_opens_no_socket_and_no_file(monkeypatch: pytest.MonkeyPatch, small_cases: list[hc.Case]) -> None:
    """Fresh truths and tool schemas (never seen by the caches, with internal ``$ref``s, patterns and
    ``$schema``) are compiled and scored with every way of opening a socket or a file patched to fail."""
    rr.score(small_cases[0].completion, small_cases[0].truth)  # imports done: importing reads files
    tag = os.urandom(4).hex()  # values no cache has seen
    tools = [
        {
            "type": "function",
            "function": {
                "name": f"t_{tag}",
                "parameters": {
                    "$schema": "https://json-schema.org/draft/2020-12/schema",
                    "type": "object",
                    "$defs": {"city": {"type": "string", "pattern": "^[A-Z][a-z]+$"}},
                    "properties": {
                        "city": {"$ref": "#/$defs/city"},
                        "n": {"type": "integer", "minimum": 0},
                        "opt": {"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}]},
                    },
                    "patternProperties": {"^x_[a-z]+$": {"type": "integer"}},
                    "required": ["city"],
                },
            },
        }
    ]
    draft7 = [
        {
            "type": "function",
            "function": {
                "name": f"d_{tag}",
                "parameters": {
                    "$schema": "http://json-schema.org/draft-07/schema#",
                    "type": "object",
                    "definitions": {"n": {"type": "integer"}},
                    "properties": {"n": {"$ref": "#/definitions/n"}},
                },
            },
        }
    ]
    truths = [
        {
            "behavior": "execute",
            "calls": [{"name": f"t_{tag}", "arguments": {"city": {"$regex": "[A-Z][a-z]+"}, "n": 3}}],
        },
        {"behavior": "execute", "calls": [{"name": f"d_{tag}", "arguments": {"n": {"$any": [1, 2]}}}]},
        {"behavior": "clarify", "missing": [f"city_{tag}"]},
        {"behavior": "refuse", "reason": tag},
        f'[{{"name": "t_{tag}", "arguments": {{"city": "Paris"}}}}]',
    ]
    completions = [
        f'<tool_call>{{"name": "t_{tag}", "arguments": {{"city": "Paris", "n": 3}}}}</tool_call>',
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"type": "function", "function": {"name": f"d_{tag}", "arguments": '{"n": 2}'}}],
        },
        "Which city?",
        "I can't help with that.",
        f'[t_{tag}(city="Paris")]',
    ]
    for target, name in (
        (socket.socket, "connect"),
        (socket.socket, "connect_ex"),
        (socket, "create_connection"),
        (socket, "getaddrinfo"),
        (builtins, "open"),
        (io, "open"),
        (os, "open"),
    ):
        monkeypatch.setattr(target, name, _refuse)
    import urllib.request

    monkeypatch.setattr(urllib.request, "urlopen", _refuse)
    batch = rr.score_batch(completions, truths, tools=[tools, draft7, tools, None, tools])
    assert batch.reasons[0] == "ok" and batch.reasons[1] == "ok", batch.reasons
    for case in small_cases[::5]:
        rr.score(case.completion, case.truth, tools=case.tools)
    monkeypatch.undo()


@pytest.mark.slow  # about a minute: every case at 200,000 characters, best of 3, in a fresh interpreter
def test_worst_completion_is_within_the_budget() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "tests.hostile_corpus"],
        input=json.dumps({"n": hc.MAX_CHARS}),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout)
    reference, cases = result["reference"], result["cases"]
    times = [c["seconds"] for c in cases]
    worst = sorted(cases, key=lambda c: -c["seconds"])
    for c in worst[:10]:
        print(
            f"{c['family']:18s} {c['label'][:60]:60s} {c['chars']:>8} {c['seconds'] * 1000:8.2f} ms "
            f"{c['seconds'] / reference:5.2f}x"
        )
    print(
        f"{len(cases)} cases; median {statistics.median(times) * 1000:.2f} ms; worst / median "
        f"{max(times) / statistics.median(times):.1f}x; reference {reference * 1000:.2f} ms"
    )
    over = [
        f"{c['family']}: {c['label']}: {c['seconds'] / reference:.1f}x"
        for c in cases
        if c["seconds"] > BUDGET_FACTOR * reference
    ]
    assert not over, over
