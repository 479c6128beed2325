"""Hypothesis properties of every built-in preset: bounded, finite, deterministic, perfect = max,
every semantic mutation of a correct call strictly lower under graded, order invariance, batch = single."""

from __future__ import annotations

import json
import math
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rlvr_rewards as rr

from .helpers import TOOLS, hermes

PRESETS = ("graded", "binary", "aws-blog")
DEFAULTS = {
    (t.get("function", t)["name"], k): v["default"]
    for t in TOOLS
    for k, v in t.get("function", t)["parameters"]["properties"].items()
    if "default" in v
}
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ABC", min_size=1, max_size=12).filter(lambda s: s.strip())
finite = st.one_of(st.integers(-10_000, 10_000), st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False))

ARGS = {
    "get_weather": st.fixed_dictionaries({"city": words}, optional={"units": st.sampled_from(["metric", "imperial"])}),
    "calculate_statistics": st.fixed_dictionaries(
        {"numbers": st.lists(finite, min_size=1, max_size=5)},
        optional={
            "operations": st.lists(st.sampled_from(["mean", "median", "max"]), min_size=1, max_size=3, unique=True)
        },
    ),
    "send_email": st.fixed_dictionaries(
        {"to": words, "subject": words, "body": words},
        optional={"count": st.integers(1, 9), "urgent": st.booleans()},
    ),
}


@st.composite
def calls(draw: st.DrawFn) -> list[dict[str, Any]]:
    n = draw(st.integers(1, 3))
    out = []
    for _ in range(n):
        name = draw(st.sampled_from(sorted(ARGS)))
        out.append({"name": name, "arguments": draw(ARGS[name])})
    # distinct calls: identical duplicates make "drop one" ambiguous
    uniq = {json.dumps(c, sort_keys=True): c for c in out}
    return list(uniq.values())


def render(cs: list[dict[str, Any]], key_order: list[int] | None = None) -> str:
    """``hermes``, each call's arguments written in reverse order when ``key_order`` starts with an odd number."""
    reverse = bool(key_order) and key_order[0] % 2 == 1
    return hermes(
        *(
            {"name": c["name"], "arguments": dict(reversed(c["arguments"].items())) if reverse else c["arguments"]}
            for c in cs
        )
    )


def truth_of(cs: list[dict[str, Any]]) -> dict[str, Any]:
    return {"behavior": "execute", "calls": cs}


def _different(value: Any) -> list[Any]:
    """Values that are semantically different from ``value`` (including type confusions)."""
    if isinstance(value, bool):
        return [not value, int(value), str(value).lower()]
    if isinstance(value, int):
        return [value + 1, str(value), float(value) + 0.5] + ([bool(value)] if value in (0, 1) else [])
    if isinstance(value, float):
        return [value + 1.0, str(value)]
    if isinstance(value, str):
        return [value + "x", value.upper() if value.upper() != value else value.lower() + "q", 1]
    if isinstance(value, list):
        return [value[:-1] if value else [1], ", ".join(map(str, value)), value + value[:1]]
    return ["?"]


@st.composite
def mutated(draw: st.DrawFn) -> tuple[list[dict[str, Any]], str, str]:
    cs = draw(calls())
    kinds = ["value", "drop_arg", "extra_arg", "rename", "duplicate", "extra_call"] + (
        ["drop_call"] if len(cs) > 1 else []
    )
    kind = draw(st.sampled_from(kinds))
    i = draw(st.integers(0, len(cs) - 1))
    new = json.loads(json.dumps(cs))
    target = new[i]
    args = target["arguments"]
    if kind == "value":
        k = draw(st.sampled_from(sorted(args)))
        args[k] = draw(st.sampled_from(_different(args[k])))
    elif kind == "drop_arg":
        # leaving out an optional argument that sits at its schema default is not a mutation
        droppable = sorted(k for k in args if DEFAULTS.get((target["name"], k), object()) != args[k])
        if not droppable:
            args["zz_unknown"] = "x"
        else:
            args.pop(draw(st.sampled_from(droppable)))
    elif kind == "extra_arg":
        args["zz_unknown"] = draw(words)
    elif kind == "rename":
        target["name"] = target["name"] + "_v2"
    elif kind == "duplicate":
        new.append(json.loads(json.dumps(target)))
    elif kind == "extra_call":
        new.append({"name": "get_weather", "arguments": {"city": "Nowhere" + draw(words)}})
    elif kind == "drop_call":
        new.pop(i)
    return cs, render(new), kind


@SETTINGS
@given(text=st.text(max_size=300), preset=st.sampled_from(PRESETS), cs=calls())
def test_bounded_finite_deterministic_on_arbitrary_text(text: str, preset: str, cs: list[dict[str, Any]]) -> None:
    p = rr.get_preset(preset)
    for truth in (truth_of(cs), {"behavior": "clarify", "missing": ["city"]}, {"behavior": "refuse"}):
        a = rr.score(text, truth, tools=TOOLS, preset=preset)
        b = rr.score(text, truth, tools=TOOLS, preset=preset)
        assert math.isfinite(a.reward)
        assert p.reward_range[0] <= a.reward <= p.reward_range[1]
        assert a == b or (a.reward == b.reward and a.reason == b.reason)
        assert a.reason in rr.REASONS


@SETTINGS
@given(cs=calls(), preset=st.sampled_from(PRESETS))
def test_perfect_completion_earns_the_maximum(cs: list[dict[str, Any]], preset: str) -> None:
    s = rr.score(render(cs), truth_of(cs), tools=TOOLS, preset=preset)
    assert s.reward == rr.get_preset(preset).reward_range[1]


@SETTINGS
@given(case=mutated())
def test_every_mutation_scores_strictly_lower_under_graded(case: tuple[list[dict[str, Any]], str, str]) -> None:
    cs, bad, kind = case
    perfect = rr.score(render(cs), truth_of(cs), tools=TOOLS).reward
    worse = rr.score(bad, truth_of(cs), tools=TOOLS)
    assert worse.reward < perfect, (kind, worse)
    assert worse.reason != "ok"


@SETTINGS
@given(cs=calls(), seed=st.integers(0, 10), preset=st.sampled_from(PRESETS), data=st.data())
def test_reordering_parallel_calls_or_keys_changes_nothing(
    cs: list[dict[str, Any]], seed: int, preset: str, data: st.DataObject
) -> None:
    truth = truth_of(cs)
    base = rr.score(render(cs), truth, tools=TOOLS, preset=preset)
    perm = data.draw(st.permutations(cs))
    other = rr.score(render(list(perm), key_order=[seed]), truth, tools=TOOLS, preset=preset)
    assert other.reward == base.reward
    assert other.components == base.components or all(
        (math.isnan(v) and math.isnan(other.components[k])) or v == other.components[k]
        for k, v in base.components.items()
    )


@SETTINGS
@given(
    items=st.lists(st.tuples(calls(), st.integers(0, 3), st.text(max_size=40)), min_size=1, max_size=8),
    preset=st.sampled_from(PRESETS),
)
def test_batch_equals_one_by_one(items: list[tuple[list[dict[str, Any]], int, str]], preset: str) -> None:
    comps, truths = [], []
    for cs, mode, text in items:
        truths.append(
            truth_of(cs)
            if mode < 2
            else ({"behavior": "clarify", "missing": ["city"]} if mode == 2 else {"behavior": "refuse"})
        )
        comps.append(render(cs) if mode == 0 else text)
    batch = rr.score_batch(comps, truths, tools=TOOLS, preset=preset)
    for i in range(len(items)):
        single = rr.score(comps[i], truths[i], tools=TOOLS, preset=preset)
        assert batch[i].reward == single.reward
        assert batch[i].reason == single.reason
        assert batch[i].behavior == single.behavior
