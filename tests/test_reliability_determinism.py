"""Determinism: the same batch gets bit-identical rewards and identical reasons across repeats, hash seeds
(``PYTHONHASHSEED`` 0, 1, 12345 in subprocesses), batch order, batch size and threads.

The batch is realistic and mixed: the 240 bundled example completions against their 60 rows (tools from
the rows), plus adversarial texts (empty, deep brackets, NaN, surrogates, huge integers, 250k characters,
bytes, OpenAI messages, non-completions) paired with rows by a seeded draw.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest

import rlvr_rewards as rr

from .helpers import hermes, openai_message
from .reliability_inputs import (
    TOOLS,
    batch_fingerprint,
    chunk_mismatches,
    hash_seed_digests,
    mixed_batch,
    order_mismatches,
    repeat_mismatches,
    thread_mismatches,
)

PRESETS = rr.list_presets()


@pytest.fixture(scope="module")
def batch() -> tuple[list[Any], list[Any]]:
    comps, truths = mixed_batch()
    assert len(comps) >= 270
    return comps, truths


@pytest.mark.parametrize("preset", PRESETS)
def test_ten_repeats_are_bit_identical(batch: tuple[list[Any], list[Any]], preset: str) -> None:
    assert repeat_mismatches(*batch, preset, repeats=10) == []


@pytest.mark.slow  # interpreters with other hash seeds
def test_hash_seeds_do_not_change_anything() -> None:
    """Subprocesses with PYTHONHASHSEED 0, 1 and 12345 hash the batch's rewards and reasons (every preset)
    with sha256; all digests equal each other and this process's (whatever its seed)."""
    digests = hash_seed_digests(("0", "1", "12345"))
    assert not any(d.startswith("error") for d in digests.values()), digests
    assert len(set(digests.values())) == 1, digests


@pytest.mark.parametrize("preset", PRESETS)
def test_batch_order_does_not_matter(batch: tuple[list[Any], list[Any]], preset: str) -> None:
    assert order_mismatches(*batch, preset, seeds=(0, 1)) == []


@pytest.mark.parametrize("preset", PRESETS)
def test_batch_size_does_not_matter(batch: tuple[list[Any], list[Any]], preset: str) -> None:
    assert chunk_mismatches(*batch, preset, sizes=(1, 7, 64)) == []


def test_score_equals_score_batch_item_by_item(batch: tuple[list[Any], list[Any]]) -> None:
    comps, truths = batch
    for preset in PRESETS:
        b = rr.score_batch(comps, truths, preset=preset)
        for i in range(0, len(comps), 5):
            s = rr.score(comps[i], truths[i], preset=preset)
            assert np.float64(s.reward).tobytes() == b.rewards[i].tobytes() and s.reason == b.reasons[i], i


def _chunks(n: int, size: int) -> list[slice]:
    return [slice(i, i + size) for i in range(0, n, size)]


def test_threads_score_exactly_like_serial(batch: tuple[list[Any], list[Any]]) -> None:
    """Four threads scoring 16-item chunks concurrently (every preset at once, so caches and the
    per-parse limits context are shared), three rounds, give the serial results bit for bit."""
    assert thread_mismatches(*batch, PRESETS, workers=4, chunk=16, rounds=3) == []


def test_threads_with_fresh_truths_and_different_limits() -> None:
    """Never-seen truths compiled concurrently, and threads using different Limits at the same time: each
    result equals the serial one (the limits of one thread never leak into another)."""
    cities = [f"City{i:04d}" for i in range(400)]
    truths = [{"behavior": "execute", "calls": [{"name": "get_weather", "arguments": {"city": c}}]} for c in cities]
    comps = [
        hermes({"name": "get_weather", "arguments": {"city": c if i % 3 else c + "x"}})
        + ("?" if i % 5 == 0 else "")
        + " " * (i * 7)
        for i, c in enumerate(cities)
    ]
    limit_sets = [rr.DEFAULT_LIMITS, rr.Limits(max_chars=1_000), rr.Limits(max_depth=1), rr.Limits(max_calls=0)]
    jobs = [(k, sl) for k in range(len(limit_sets)) for sl in _chunks(len(comps), 25)]

    def run(job: tuple[int, slice]) -> tuple[int, slice, bytes]:
        k, sl = job
        b = rr.score_batch(comps[sl], truths[sl], tools=TOOLS, limits=limit_sets[k])
        return k, sl, batch_fingerprint(b)

    with ThreadPoolExecutor(max_workers=4) as pool:
        threaded = list(pool.map(run, jobs))
    for k, sl, fp in threaded:
        b = rr.score_batch(comps[sl], truths[sl], tools=TOOLS, limits=limit_sets[k])
        assert fp == batch_fingerprint(b), (k, sl)
    # and the limits really differ, so a leak would have shown
    fps = {batch_fingerprint(rr.score_batch(comps, truths, tools=TOOLS, limits=lim)) for lim in limit_sets}
    assert len(fps) == len(limit_sets)


def test_batch_composition_never_changes_a_score() -> None:
    """A completion's score may not depend on the other completions of its batch."""
    truth = {"behavior": "execute", "calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]}
    batches = [
        [openai_message({"city": None}, call_id="call_1"), openai_message({"city": float("nan")}, call_id="call_1")],
        [openai_message({"city": float("inf")}, call_id="call_1"), openai_message({"city": None}, call_id="call_1")],
        [openai_message({"city": "\ud800"}, call_id="call_1"), openai_message({"city": 2**70}, call_id="call_1")],
    ]
    wrong = []
    for k, comps in enumerate(batches):
        b = rr.score_batch(comps, [truth] * len(comps))
        for i, c in enumerate(comps):
            s = rr.score(c, truth)
            if (s.reward, s.reason, s.violations) != (float(b.rewards[i]), b.reasons[i], b.violations[i]):
                wrong.append((k, i, s.violations, b.violations[i]))
    assert not wrong, wrong
