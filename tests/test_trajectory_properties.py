"""Property: for any trajectory truth, the trajectory that does exactly what it asks scores the maximum, and every
mutation of it (a dropped, changed, extra or repeated call, a missing or extra turn, a guess instead of a
question, a call instead of a refusal) scores strictly less, under the graded and binary presets; turn and step
rewards keep their shapes."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import rlvr_rewards as rr

NAMES = ("get_weather", "search_hotels", "book_table", "send_email")
PARAMS = ("city", "date", "people", "query")


@st.composite
def turns(draw: st.DrawFn) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["execute", "execute", "clarify", "refuse"]))
        if kind == "execute":
            calls = []
            for _ in range(draw(st.integers(1, 3))):
                name = draw(st.sampled_from(NAMES))
                keys = draw(st.lists(st.sampled_from(PARAMS), min_size=1, max_size=3, unique=True))
                args = {
                    k: draw(st.one_of(st.integers(0, 99), st.sampled_from(["Paris", "Rome", "2026-05-01"])))
                    for k in keys
                }
                calls.append({"name": name, "arguments": args})
            out.append({"calls": calls})
        elif kind == "clarify":
            out.append({"behavior": "clarify", "missing": [draw(st.sampled_from(PARAMS))]})
        else:
            out.append({"behavior": "refuse"})
    return out


def _call(c: dict[str, Any]) -> dict[str, Any]:
    return {
        "role": "assistant",
        "content": None,
        "tool_calls": [{"type": "function", "function": {"name": c["name"], "arguments": json.dumps(c["arguments"])}}],
    }


def _turn_messages(turn: dict[str, Any]) -> list[dict[str, Any]]:
    if "calls" in turn:
        msgs: list[dict[str, Any]] = []
        for c in turn["calls"]:
            msgs += [_call(c), {"role": "tool", "content": "ok"}]
        return [*msgs, {"role": "assistant", "content": "Done."}]
    if turn["behavior"] == "clarify":
        return [{"role": "assistant", "content": f"Which {turn['missing'][0]} would you like?"}]
    return [{"role": "assistant", "content": "I'm sorry, but I can't help with that request."}]


def _trajectory(ts: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    return [_turn_messages(t) for t in ts]


def _join(parts: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i, part in enumerate(parts):
        if i:
            out.append({"role": "user", "content": f"next request {i}"})
        out += part
    return out


def _mutations(ts: list[dict[str, Any]], k: int) -> list[tuple[str, list[dict[str, Any]]]]:
    """Mutations of the correct trajectory at turn ``k``."""
    good = _trajectory(ts)
    out: list[tuple[str, list[dict[str, Any]]]] = []
    turn = ts[k]
    if "calls" in turn:
        calls = turn["calls"]
        dropped = copy.deepcopy(ts)
        dropped[k]["calls"] = calls[1:]
        parts = copy.deepcopy(good)
        parts[k] = _turn_messages(dropped[k]) if dropped[k]["calls"] else [{"role": "assistant", "content": "Done."}]
        out.append(("dropped call", _join(parts)))
        changed = copy.deepcopy(ts)
        key = next(iter(changed[k]["calls"][0]["arguments"]))
        value = changed[k]["calls"][0]["arguments"][key]
        changed[k]["calls"][0]["arguments"][key] = "Berlin" if value != "Berlin" else "Oslo"
        out.append(("changed argument", _join([*good[:k], _turn_messages(changed[k]), *good[k + 1 :]])))
        extra = copy.deepcopy(ts)
        extra[k]["calls"] = [*calls, {"name": "delete_account", "arguments": {}}]
        out.append(("extra call", _join([*good[:k], _turn_messages(extra[k]), *good[k + 1 :]])))
        repeated = copy.deepcopy(ts)
        repeated[k]["calls"] = [calls[0], *calls]
        out.append(("repeated call", _join([*good[:k], _turn_messages(repeated[k]), *good[k + 1 :]])))
    else:
        guess = [_call({"name": NAMES[0], "arguments": {"city": "Paris"}}), {"role": "tool", "content": "ok"}]
        out.append(("called instead", _join([*good[:k], [*guess, *good[k]], *good[k + 1 :]])))
    out.append(("empty turn", _join([*good[:k], [], *good[k + 1 :]])))
    out.append(("stopped early", _join(good[:k]) if k else []))
    out.append(("extra turn", _join([*good, [{"role": "assistant", "content": "Anything else?"}]])))
    return out


@settings(max_examples=120, deadline=None)
@given(turns(), st.data())
def test_the_correct_trajectory_scores_strictly_above_each_mutation(
    ts: list[dict[str, Any]], data: st.DataObject
) -> None:
    truth = {"behavior": "trajectory", "turns": ts}
    k = data.draw(st.integers(0, len(ts) - 1))
    good = _join(_trajectory(ts))
    named = _mutations(ts, k)
    for preset in ("graded", "binary"):
        batch = rr.score_batch([good] + [m for _, m in named], [truth] * (len(named) + 1), preset=preset)
        assert batch.rewards[0] == 1.0, (preset, batch.reasons[0], batch[0].details)
        assert len(batch.turn_rewards[0]) == len(ts)
        assert len(batch.step_rewards[0]) == sum(m["role"] == "assistant" for m in good)
        for (name, _), reward, reason in zip(named, batch.rewards[1:], batch.reasons[1:], strict=True):
            assert reward < 1.0, (preset, name, k, reason, ts)
            assert reason != "ok", (preset, name)
