"""Presets: aws-blog reproduces the post; binary is Tool-N1 style; graded orders near misses; derive."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

import rlvr_rewards as rr

from .helpers import TOOLS, call, hermes

STATS_TRUTH = json.dumps([call("calculate_statistics", numbers=[10, 20, 30, 40, 50])])
FX_TRUTH = json.dumps([call("currency_convert", amount=50, **{"from": "EUR", "to": "USD"})])
TWO = json.dumps([call("get_weather", city="Paris"), call("get_weather", city="Rome")])
NO_CALL = "To provide you with the weather information, could you please specify the location?"

# (completion, blog-dialect truth, reward the AWS post gives)
AWS_BLOG_CASES = [
    (hermes(call("calculate_statistics", numbers=[10, 20, 30, 40, 50])), STATS_TRUTH, 1.0),
    # the post's near miss: the list given as one string -> same name, argument differs -> 0.5
    (hermes(call("calculate_statistics", numbers="10, 20, 30, 40, 50")), STATS_TRUTH, 0.5),
    (hermes(call("calculate_statistics")), STATS_TRUTH, 0.5),
    (hermes(call("get_weather", city="Paris")), STATS_TRUTH, 0.0),
    ("Could you tell me which numbers?", STATS_TRUTH, 0.0),
    (hermes(call("currency_convert", amount=50, **{"from": "EUR", "to": "USD"})), FX_TRUTH, 1.0),
    (hermes(call("currency_convert", to="USD", amount=50, **{"from": "EUR"})), FX_TRUTH, 1.0),  # key order
    (hermes(call("currency_convert", amount=50.0, **{"from": "EUR", "to": "USD"})), FX_TRUTH, 1.0),  # Python ==
    (hermes(call("currency_convert", amount=5, **{"from": "EUR", "to": "USD"})), FX_TRUTH, 0.5),
    # the name sets are equal but the Rome call has no equal predicted call -> 0.5
    (hermes(call("get_weather", city="Paris")), TWO, 0.5),
    # names only partly overlap -> 0.5
    (hermes(call("get_weather", city="Paris"), call("send_email", to="a")), TWO, 0.5),
    (hermes(call("get_weather", city="Paris"), call("get_weather", city="Rome")), TWO, 1.0),
    # no-call truths: any call -> 0, no call -> 1
    ("Which city?", NO_CALL, 1.0),
    ("I can't do that.", NO_CALL, 1.0),
    ("The weather is nice.", NO_CALL, 1.0),
    (hermes(call("get_weather", city="Paris")), NO_CALL, 0.0),
]


@pytest.mark.parametrize(("completion", "truth", "expected"), AWS_BLOG_CASES)
def test_aws_blog_reproduces_the_post(completion: str, truth: str, expected: float) -> None:
    assert rr.score(completion, truth, preset="aws-blog").reward == expected


def test_aws_blog_is_fooled_by_set_semantics_but_graded_is_not() -> None:
    # The post compares *sets* of names: a duplicated call still earns 1.0. graded penalises it.
    dup = hermes(call("get_weather", city="Paris"), call("get_weather", city="Paris"))
    one = json.dumps([call("get_weather", city="Paris")])
    assert rr.score(dup, one, preset="aws-blog").reward == 1.0
    assert rr.score(dup, one, preset="graded").reward < rr.score(hermes(call("get_weather", city="Paris")), one).reward
    assert rr.score(dup, one, preset="graded").reason == "extra_calls"


BINARY_CASES: list[tuple[str, Any, float]] = [
    (hermes(call("get_weather", city="Paris")), json.dumps([call("get_weather", city="Paris")]), 1.0),
    (hermes(call("get_weather", city="Paris"), text="Sure!"), json.dumps([call("get_weather", city="Paris")]), 0.0),
    (hermes(call("get_weather", city="paris")), json.dumps([call("get_weather", city="Paris")]), 0.0),
    (
        hermes(call("get_weather", city="Paris"), call("get_weather", city="Paris")),
        json.dumps([call("get_weather", city="Paris")]),
        0.0,
    ),
    (hermes(call("get_weather", city="Rome"), call("get_weather", city="Paris")), TWO, 1.0),
    ("Which city?", {"behavior": "clarify", "missing": ["city"]}, 1.0),
    ("I can't help.", {"behavior": "clarify", "missing": ["city"]}, 0.0),
    ("I can't help with that.", {"behavior": "refuse"}, 1.0),
    ("Which city?", NO_CALL, 1.0),
]


@pytest.mark.parametrize(("completion", "truth", "expected"), BINARY_CASES)
def test_binary(completion: str, truth: Any, expected: float) -> None:
    assert rr.score(completion, truth, tools=TOOLS, preset="binary").reward == expected


def test_graded_orders_outcomes_for_an_execute_truth() -> None:
    truth = {"behavior": "execute", "calls": [call("get_weather", city="Paris", units="metric")]}
    r = {
        name: rr.score(c, truth, tools=TOOLS).reward
        for name, c in {
            "perfect": hermes(call("get_weather", city="Paris", units="metric")),
            "text_next_to_call": hermes(call("get_weather", city="Paris", units="metric"), text="Let me check."),
            "one_arg_wrong": hermes(call("get_weather", city="Paris", units="imperial")),
            "wrong_tool": hermes(call("send_email", to="x", subject="y", body="z")),
            "asked": "Which city would you like?",
            "refused": "I'm sorry, but I can't help with that.",
            "answered": "It is sunny in Paris.",
            "garbage": "<tool_call>{not json</tool_call>",
        }.items()
    }
    assert r["perfect"] == 1.0
    assert r["perfect"] > r["text_next_to_call"] > r["one_arg_wrong"] > r["wrong_tool"]
    assert r["asked"] > r["refused"] > r["answered"] == r["garbage"] == 0.0


def test_presets_are_registered_data_and_derivable() -> None:
    assert {"graded", "binary", "aws-blog"} <= set(rr.list_presets())
    graded = rr.get_preset("graded")
    strict = graded.derive("strict-args", weights={"execute": {"arguments": 5.0}})
    assert strict.weights["execute"]["arguments"] == 5.0
    assert strict.weights["execute"]["format"] == graded.weights["execute"]["format"]
    truth = {"behavior": "execute", "calls": [call("get_weather", city="Paris", units="metric")]}
    near = hermes(call("get_weather", city="Paris", units="imperial"))
    assert rr.score(near, truth, tools=TOOLS, preset=strict).reward < rr.score(near, truth, tools=TOOLS).reward


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"weights": {"execute": {"format": -1}}}, ">= 0"),
        ({"weights": {"exec": {"format": 1}}}, "unknown expected behaviour"),
        ({"reward_range": (1, 0)}, "lo < hi"),
        ({"mismatch": {"execute": {"clarify": 7}}}, "outside the reward range"),
        ({"mismatch": {"execute": {"ask": 0.1}}}, "unknown behaviour"),
        ({"colour": "red"}, "cannot derive"),
    ],
)
def test_bad_presets_raise_config_errors(changes: dict[str, Any], fragment: str) -> None:
    with pytest.raises(rr.ConfigError) as info:
        rr.get_preset("graded").derive("bad", **changes)
    assert fragment in str(info.value)


def test_unknown_preset_and_unknown_component() -> None:
    with pytest.raises(rr.ConfigError, match="registered presets"):
        rr.score("x", {"behavior": "refuse"}, preset="nope")
    # a misspelt component fails where the preset is derived, listing the valid names
    for changes in (
        {"weights": {"refuse": {"politeness": 1.0}}},
        {"weights": {"execute": {"argumnts": 1.0}}},
        {"multipliers": {"execute": {"scheme": 0.5}}},
    ):
        with pytest.raises(rr.ConfigError) as info:
            rr.get_preset("graded").derive("ghost", **changes)
        message = str(info.value)
        assert "no plugin registered" in message and "'arguments'" in message and "'schema'" in message
    # a preset made directly (not derived) is still checked when it scores
    ghost = dataclasses.replace(rr.get_preset("graded"), name="ghost", weights={"refuse": {"politeness": 1.0}})
    with pytest.raises(rr.ConfigError, match="politeness"):
        rr.score("x", {"behavior": "refuse"}, preset=ghost)


def test_a_plugin_preset_weighting_an_unregistered_component_is_refused_when_registered() -> None:
    from rlvr_rewards.builtin.presets import GRADED
    from rlvr_rewards.plugins import get_registry, register_plugin

    class Bad:
        @rr.hookimpl
        def register_presets(self, register: Any) -> None:
            register(GRADED.derive("typo", weights={"execute": {"argumnts": 1.0}}))

    with pytest.raises(rr.PluginError, match=r"plugin 'typo-plugin'.*argumnts.*registered components"):
        register_plugin(Bad(), name="typo-plugin")
    assert "typo" not in get_registry().presets  # the registration was rolled back


@pytest.mark.parametrize(
    "broken",
    [
        '<tool_call>\n{"name": "get_weather", "arguments": {"city": </tool_call>',
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"type": "function", "function": {"name": "get_weather", "arguments": "{bad"}}],
        },
    ],
)
def test_aws_blog_scores_a_broken_call_attempt_as_a_call_in_every_format(broken: object) -> None:
    assert rr.score(broken, NO_CALL, preset="aws-blog").reward == 0.0
