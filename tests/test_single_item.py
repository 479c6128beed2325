"""``rr.score`` (the single-item path: no deduplication, no expansion) equals ``rr.score_batch`` item by item on
the standard workload (both variants, every preset), the behaviour and refusal corpora, and the bundled rows
with their own tools: the same reward, components (NaN where not applicable), reason, behaviour, expected
behaviour and violations."""

from __future__ import annotations

import json
import math
import types
from pathlib import Path
from typing import Any

import pytest

import rlvr_rewards as rr
from rlvr_rewards.plugins import register_plugin, unregister_plugin
from rlvr_rewards.scoring import core
from rlvr_rewards.scoring.types import ScorerSpec

from .helpers import benchmark

make_workload = benchmark("workload").make_workload

DATA = Path(__file__).parent / "data"
ROWS = Path(__file__).parent.parent / "rlvr_rewards" / "data"


def _same(one: rr.Score, other: rr.Score) -> None:
    assert (one.reward, one.reason, one.behavior, one.expected, one.violations) == (
        other.reward,
        other.reason,
        other.behavior,
        other.expected,
        other.violations,
    )
    assert list(one.components) == list(other.components)
    for name, value in one.components.items():
        theirs = other.components[name]
        assert value == theirs or (math.isnan(value) and math.isnan(theirs)), name


def _check(completions: list[Any], truths: list[Any], tools: Any = None, **options: Any) -> None:
    batch = rr.score_batch(completions, truths, tools=tools, **options)
    per_item_tools = (
        tools
        if isinstance(tools, list)
        and len(tools) == len(completions)
        and all(t is None or isinstance(t, list) for t in tools)
        else [tools] * len(completions)
    )
    for i, (c, t) in enumerate(zip(completions, truths, strict=True)):
        _same(rr.score(c, t, tools=per_item_tools[i], **options), batch[i])  # repeats from the recent-results memo
        core._recent.clear()
        _same(rr.score(c, t, tools=per_item_tools[i], **options), batch[i])  # computed


@pytest.mark.parametrize("variant", ["hermes", "openai"])
@pytest.mark.parametrize("preset", ["graded", "binary", "aws-blog", "toolrl", "bfcl"])
def test_the_standard_workload(variant: str, preset: str) -> None:
    wl = make_workload(40, 8, seed=3, variant=variant)  # type: ignore[arg-type]
    _check(wl.completions, wl.ground_truths, [wl.tools] * len(wl.completions), preset=preset)


def test_every_component_of_the_standard_workload() -> None:
    wl = make_workload(20, 8, seed=4)
    _check(wl.completions, wl.ground_truths, [wl.tools] * len(wl.completions), components="all")


@pytest.mark.parametrize(
    "name",
    [
        "behavior_corpus.jsonl",
        "behavior_heldout.jsonl",
        "refusal_dev.jsonl",
        "refusal_heldout.jsonl",
        "refusal_blind.jsonl",
    ],
)
def test_the_behaviour_corpora(name: str) -> None:
    tools = json.loads((ROWS / "example_rows.jsonl").read_text().splitlines()[0])["extra_info"]["tools"]
    rows = [json.loads(line) for line in (DATA / name).read_text().splitlines() if line.strip()]
    default = {
        "execute": {"behavior": "execute", "calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]},
        "clarify": {"behavior": "clarify", "missing": ["city"]},
    }
    truths = [r.get("truth") or default.get(r["label"], {"behavior": "refuse"}) for r in rows]
    _check([r["completion"] for r in rows], truths, tools)


def test_the_bundled_rows_with_their_own_tools() -> None:
    rows = {r["id"]: r for r in map(json.loads, (ROWS / "example_rows.jsonl").read_text().splitlines())}
    comps = [json.loads(line) for line in (ROWS / "example_completions.jsonl").read_text().splitlines()]
    _check([c["completion"] for c in comps], [rows[c["id"]] for c in comps])


def test_errors_are_the_same_with_the_same_location() -> None:
    bad_truth = {"behavior": "execute", "calls": []}
    with pytest.raises(rr.GroundTruthError) as one:
        rr.score("x", bad_truth)
    with pytest.raises(rr.GroundTruthError) as batch:
        rr.score_batch(["x"], [bad_truth])
    assert str(one.value) == str(batch.value)
    for kwargs in ({"preset": "nope"}, {"components": "some"}, {"limits": 3}, {"tools": 5}):
        with pytest.raises(rr.ConfigError) as one_c:
            rr.score("x", {"behavior": "refuse"}, **kwargs)
        with pytest.raises(rr.ConfigError) as batch_c:
            batch_kwargs = {**kwargs, **({"tools": [5]} if "tools" in kwargs else {})}
            rr.score_batch(["x"], [{"behavior": "refuse"}], **batch_kwargs)
        assert str(one_c.value) == str(batch_c.value), kwargs


def test_a_repeat_comes_from_the_recent_results_and_is_the_callers_own() -> None:
    truth = {"behavior": "clarify", "missing": ["city"]}
    core._recent.clear()
    first = rr.score("Which city do you mean?", truth)
    assert len(core._recent) == 1
    first.components["clarify"] = -1.0  # the caller's copy: what the memo holds is unchanged
    again = rr.score("Which city do you mean?", dict(truth))
    assert len(core._recent) == 1 and again.components["clarify"] != -1.0
    core._recent.clear()
    _same(again, rr.score("Which city do you mean?", truth))


def test_a_repeat_with_anything_else_different_is_scored_again() -> None:
    text, truth = "Which city do you mean?", {"behavior": "clarify", "missing": ["city"]}
    core._recent.clear()
    rr.score(text, truth)
    rr.score(text, {"behavior": "clarify", "missing": ["date"]})  # another truth
    rr.score(text, truth, tools=[{"name": "get_weather", "parameters": {"type": "object"}}])  # tools
    rr.score(text, truth, preset="binary")
    rr.score(text, truth, preset=rr.get_preset("graded").derive("graded-copy"))  # another Preset object
    rr.score(text, truth, components="all")
    rr.score(text, truth, limits=rr.Limits(max_chars=10_000))
    rr.score({"role": "assistant", "content": text}, truth)  # a message: not memoised
    assert len(core._recent) == 7


def test_a_plugin_registered_since_is_not_skipped() -> None:
    """A new plugin makes a new registry snapshot: the same call is scored again, with its component."""
    truth = {"behavior": "clarify", "missing": ["city"]}
    before = rr.score("Which city, please?", truth)
    assert "polite" not in before.components
    register_plugin(
        types.SimpleNamespace(
            register_scorers=rr.hookimpl(lambda register: register(ScorerSpec("polite", lambda ctx: [1.0] * len(ctx))))
        ),
        name="test-recent-polite",
    )
    try:
        assert rr.score("Which city, please?", truth).components["polite"] == 1.0
    finally:
        unregister_plugin("test-recent-polite")
    assert "polite" not in rr.score("Which city, please?", truth).components
