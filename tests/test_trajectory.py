"""Trajectory scoring (issue 19): truths validated at the edge, completions cut into turns, each turn scored by the
preset's step formula, environments replayed, and the correct trajectory strictly above every mutation of it."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rlvr_rewards as rr
from rlvr_rewards import hookimpl
from rlvr_rewards.environments import EnvironmentSpec, ObjectEnvironment
from rlvr_rewards.environments.objects import ToolError, json_state
from rlvr_rewards.environments.replay import compare_states, run_call
from rlvr_rewards.errors import GroundTruthError
from rlvr_rewards.parsing.trajectory import MAX_MESSAGES, split_trajectory
from rlvr_rewards.plugins import register_plugin, unregister_plugin


def call(name: str, **arguments: Any) -> dict[str, Any]:
    return {
        "role": "assistant",
        "content": None,
        "tool_calls": [{"type": "function", "function": {"name": name, "arguments": json.dumps(arguments)}}],
    }


def tool(content: Any) -> dict[str, Any]:
    return {"role": "tool", "content": content if isinstance(content, str) else json.dumps(content)}


def say(text: str) -> dict[str, Any]:
    return {"role": "assistant", "content": text}


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "content": text}


WEATHER = {
    "behavior": "trajectory",
    "turns": [
        {
            "calls": [
                {"name": "get_weather", "arguments": {"city": "Paris"}},
                {"name": "get_weather", "arguments": {"city": "Rome"}},
            ],
            "answer_contains": ["18", "24"],
        },
        {"behavior": "clarify", "missing": ["date"]},
        {"calls": [{"name": "book_flight", "arguments": {"to": "Rome", "date": "2026-12-24"}}]},
    ],
}

GOOD = [
    call("get_weather", city="Paris"),
    tool({"temp_c": 18}),
    call("get_weather", city="Rome"),
    tool({"temp_c": 24}),
    say("Paris is at 18 C and Rome at 24 C."),
    user("Book me a flight to the warmer one."),
    say("Which date would you like to fly on?"),
    user("December 24th."),
    call("book_flight", to="Rome", date="2026-12-24"),
    tool({"booked": True}),
    say("Booked your flight to Rome on December 24th."),
]


def mutations(good: list[dict[str, Any]]) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    yield "dropped call", [m for i, m in enumerate(good) if i not in (2, 3)]
    wrong = copy.deepcopy(good)
    wrong[8] = call("book_flight", to="Paris", date="2026-12-24")
    yield "wrong argument", wrong
    yield "extra call", [*good[:9], call("cancel_flight", to="Rome"), *good[9:]]
    yield "repeated call", [*good[:2], call("get_weather", city="Paris"), tool({"temp_c": 18}), *good[2:]]
    yield "missing turn", good[:8]
    yield "guessed instead of asking", [*good[:6], call("book_flight", to="Rome", date="2026-12-25"), *good[6:]]
    yield "hallucinated tool", [*good[:8], call("reserve_plane", to="Rome"), *good[9:]]
    yield "wrong answer", [*good[:4], say("Paris is at 31 C and Rome at 24 C."), *good[5:]]
    yield "ungrounded answer", [*good[:10], say("Booked your flight to Rome on December 24th for 450 euros.")]
    yield "extra turn", [*good, user("Thanks"), say("You're welcome.")]
    yield "no answer", [m for i, m in enumerate(good) if i != 4]
    yield "empty", []


def test_the_correct_trajectory_scores_the_maximum_with_a_reward_per_turn_and_per_message() -> None:
    got = rr.score(GOOD, WEATHER)
    assert got.reward == 1.0, got
    assert got.reason == "ok"
    assert got.expected == "trajectory"
    assert got.turn_rewards == (1.0, 1.0, 1.0)
    assert len(got.step_rewards) == sum(m["role"] == "assistant" for m in GOOD)
    assert all(v == 1.0 for v in got.step_rewards)


@pytest.mark.parametrize("preset", ["graded", "binary", "toolrl", "aws-blog"])
def test_the_correct_trajectory_scores_above_every_mutation(preset: str) -> None:
    named = list(mutations(GOOD))
    batch = rr.score_batch([GOOD] + [m for _, m in named], [WEATHER] * (len(named) + 1), preset=preset)
    best = batch.rewards[0]
    if preset != "toolrl":  # (ToolRL's format reward wants its own <think> template, which GOOD does not use)
        assert best == batch.reward_range[1]
    for (name, _), reward, reason in zip(named, batch.rewards[1:], batch.reasons[1:], strict=True):
        if preset != "graded" and name in ("ungrounded answer", "repeated call"):
            continue  # (a binary step formula sees no difference in a turn; the multipliers still apply)
        if preset == "toolrl" and name == "guessed instead of asking":
            continue  # (ToolRL scores a clarifying turn without its <think> template at the floor, as a wrong call)
        assert reward < best, (preset, name, reward, reason)


def test_each_mutation_names_what_cost_reward() -> None:
    named = dict(mutations(GOOD))
    reasons = {name: rr.score(completion, WEATHER).reason for name, completion in named.items()}
    assert reasons["missing turn"] == "trajectory_incomplete"
    assert reasons["extra turn"] == "trajectory_extra_turns"
    assert reasons["wrong argument"] == "bad_arguments"
    assert reasons["hallucinated tool"] == "wrong_tool"
    assert reasons["guessed instead of asking"] == "called_instead_of_clarify"
    assert reasons["ungrounded answer"] == "trajectory_ungrounded_answer"
    assert reasons["wrong answer"] == "trajectory_outcome"
    assert reasons["repeated call"] in ("extra_calls", "trajectory_wasted_calls")


def test_score_equals_the_batch_item_in_a_mixed_batch() -> None:
    single = {"behavior": "execute", "calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]}
    completions: list[Any] = [GOOD, '<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>']
    completions += [m for _, m in mutations(GOOD)]
    truths: list[Any] = [WEATHER, single] + [WEATHER] * (len(completions) - 2)
    batch = rr.score_batch(completions, truths)
    for i, (c, t) in enumerate(zip(completions, truths, strict=True)):
        one = rr.score(c, t)
        item = batch[i]
        assert one.reward == item.reward, i
        assert one.reason == item.reason
        assert one.turn_rewards == item.turn_rewards
        assert one.step_rewards == item.step_rewards
    assert batch[1].expected == "execute" and batch[1].turn_rewards == (batch.rewards[1],)
    assert np.isnan(batch.components["turns"][1]) and not np.isnan(batch.components["turns"][0])
    assert [len(t) for t in batch.turn_rewards][:2] == [3, 1]


def test_workers_give_the_same_result_on_a_mixed_batch() -> None:
    from rlvr_rewards.scoring.parallel import PARALLEL_MIN_ITEMS

    single = {"behavior": "execute", "calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]}
    n = 2 * PARALLEL_MIN_ITEMS + 4
    completions: list[Any] = [
        GOOD if i % 3 else '{"name": "get_weather", "arguments": {"city": "Paris"}}' for i in range(n)
    ]
    truths = [WEATHER if i % 3 else single for i in range(n)]
    one = rr.score_batch(completions, truths)
    two = rr.score_batch(completions, truths, workers=2)
    assert one.rewards.tolist() == two.rewards.tolist()
    assert [t.tolist() for t in one.turn_rewards] == [t.tolist() for t in two.turn_rewards]
    assert set(one.components) == set(two.components)


def test_a_reward_range_other_than_0_1_scales_turns_and_steps() -> None:
    got = rr.score(GOOD[:8], WEATHER, preset="toolrl")
    assert got.turn_rewards[-1] == -3.0  # the missing turn: the range's floor
    assert -3.0 <= got.reward < 4.0


# --- the truth, validated at the edge ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("truth", "field"),
    [
        ({"behavior": "trajectory", "turns": []}, "turns"),
        ({"behavior": "trajectory", "turns": [{"calls": []}]}, "turns"),
        ({"behavior": "trajectory", "turns": [{"behavior": "refuse", "calls": [{"name": "f"}]}]}, "turns"),
        ({"behavior": "trajectory", "turns": [{"calls": [{"arguments": {}}]}]}, "turns[0]"),
        (
            {"behavior": "trajectory", "turns": [{"calls": [{"name": "f", "arguments": {"x": {"$nope": 1}}}]}]},
            "turns[0]",
        ),
        ({"behavior": "trajectory", "turns": [{"behavior": "answer"}], "max_calls": 0}, "max_calls"),
        (
            {"behavior": "trajectory", "turns": [{"behavior": "answer"}], "outcome": {"state": {"a": 1}}},
            "outcome.state",
        ),
        ({"behavior": "trajectory", "turns": [{"behavior": "answer"}], "surprise": 1}, "surprise"),
        (
            {
                "behavior": "trajectory",
                "turns": [{"calls": [{"name": "f", "arguments": {"x": {"$regex": "a+"}}}]}],
                "environment": {"name": "bank"},
            },
            "turns[0].calls[0].arguments",
        ),
    ],
)
def test_a_bad_trajectory_truth_names_its_field_and_item(truth: dict[str, Any], field: str) -> None:
    with pytest.raises(GroundTruthError) as info:
        rr.score_batch(["x", "y"], [{"behavior": "refuse"}, truth])
    assert info.value.index == 1
    assert info.value.field is not None and info.value.field.startswith(field), info.value


def test_a_trajectory_truth_as_json_text_in_a_row_is_the_same_truth() -> None:
    row = {"prompt": [user("weather?")], "reward_model": {"ground_truth": json.dumps(WEATHER)}}
    assert rr.score(GOOD, row).reward == rr.score(GOOD, WEATHER).reward == 1.0


# --- the completion cut into turns ------------------------------------------------------------------------------


def test_turns_open_at_user_messages_and_results_attach_to_the_step_before() -> None:
    shape = split_trajectory(GOOD)
    assert [len(t) for t in shape.turns] == [3, 1, 2]
    assert shape.turns[0][0].results == ('{"temp_c": 18}',)
    assert shape.user_texts == ("Book me a flight to the warmer one.", "December 24th.")
    assert split_trajectory("text").turns[0][0].message == "text"
    leading = split_trajectory([user("hi"), say("hello")])
    assert [len(t) for t in leading.turns] == [0, 1]


def test_hostile_message_lists_never_raise_and_are_bounded() -> None:
    hostile: list[Any] = [None, 3, "x", {"role": 7}, tool("orphan result"), {"role": "assistant", "tool_calls": "no"}]
    shape = split_trajectory(hostile)
    assert shape.skipped == 5
    long = [say("a")] * (MAX_MESSAGES + 10)
    assert split_trajectory(long).truncated == 10
    for completion in (hostile, long, [{"role": "assistant", "content": [{"text": 1}]}], ({"role": "user"},)):
        got = rr.score(completion, WEATHER)
        assert got.reward < 1.0
        assert isinstance(got.reason, str)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.fixed_dictionaries({"role": st.sampled_from(["assistant", "tool", "user", "system", "x"])}).flatmap(
                lambda m: st.fixed_dictionaries(
                    {
                        "role": st.just(m["role"]),
                        "content": st.one_of(st.none(), st.text(max_size=40), st.just("<tool_call>{")),
                    }
                )
            ),
            st.none(),
            st.integers(),
        ),
        max_size=12,
    )
)
def test_any_message_list_scores_without_raising_within_the_range(completion: list[Any]) -> None:
    got = rr.score(completion, WEATHER)
    assert 0.0 <= got.reward <= 1.0
    assert len(got.turn_rewards) == 3
    assert all(0.0 <= v <= 1.0 for v in got.step_rewards)


# --- environments ---------------------------------------------------------------------------------------------


class Bank:
    def __init__(self, balance: int) -> None:
        self.balance = balance
        self.history: list[int] = []
        self._secret = "hidden"

    def deposit(self, amount: int) -> dict[str, int]:
        if amount <= 0:
            raise ValueError("amount must be positive")
        self.balance += amount
        self.history.append(amount)
        return {"balance": self.balance}

    def get_balance(self) -> dict[str, int]:
        return {"balance": self.balance}

    @property
    def owner(self) -> str:
        return "ann"


class _BankPlugin:
    @staticmethod
    @hookimpl
    def register_environments(register: Callable[[EnvironmentSpec], None]) -> None:
        register(EnvironmentSpec("bank", lambda config: ObjectEnvironment(Bank(config["balance"])), "a test bank"))


@pytest.fixture
def bank() -> Iterator[None]:
    register_plugin(_BankPlugin, "test-bank")
    try:
        yield
    finally:
        unregister_plugin("test-bank")


BANK = {
    "behavior": "trajectory",
    "turns": [
        {"calls": [{"name": "deposit", "arguments": {"amount": 50}}]},
        {"calls": [{"name": "get_balance", "arguments": {}}], "answer_contains": ["150"]},
    ],
    "outcome": {"state": {"balance": 150}},
    "environment": {"name": "bank", "config": {"balance": 100}},
}
BANK_GOOD = [
    call("deposit", amount=50),
    tool({"balance": 150}),
    say("Done."),
    user("What is my balance?"),
    call("get_balance"),
    tool({"balance": 150}),
    say("Your balance is 150."),
]


def test_the_end_state_is_compared_field_by_field_with_a_diff(bank: None) -> None:
    good = rr.score(BANK_GOOD, BANK)
    assert good.reward == 1.0 and good.components["state"] == 1.0 and good.components["outcome"] == 1.0
    twice = rr.score([call("deposit", amount=50), *BANK_GOOD], BANK)
    assert twice.components["state"] < 1.0
    assert {"field": "balance", "expected": 150, "got": 200} in twice.details["state_diff"]  # type: ignore[index]
    assert twice.reward < good.reward


def test_a_repeat_of_a_failed_call_is_wasted(bank: None) -> None:
    failed = [call("deposit", amount=-5), tool("Error: amount must be positive"), call("deposit", amount=-5)]
    got = rr.score([*failed, *BANK_GOOD], BANK)
    assert got.components["efficiency"] < 1.0
    assert got.details["wasted_calls"] == 1  # type: ignore[index]


def test_an_unknown_environment_or_a_bad_config_names_the_item(bank: None) -> None:
    unknown = {**BANK, "environment": {"name": "nope"}}
    with pytest.raises(GroundTruthError) as info:
        rr.score_batch(["x", BANK_GOOD], [{"behavior": "refuse"}, unknown])
    assert info.value.index == 1 and info.value.field == "environment.name"
    bad_config = {**BANK, "environment": {"name": "bank", "config": {}}}
    with pytest.raises(GroundTruthError) as info:
        rr.score_batch([BANK_GOOD], [bad_config])
    assert info.value.field == "environment.config" and "KeyError" in str(info.value)


def test_the_object_adapter_runs_public_methods_only() -> None:
    env = ObjectEnvironment(Bank(10))
    assert env.tools() == ["deposit", "get_balance"]
    for name in ("_secret", "__init__", "owner", "state", "balance", "nope", ""):
        with pytest.raises(ToolError):
            env.execute(name, {})
    with pytest.raises(ToolError):
        env.execute("deposit", {"amount": 1, "extra": 2})
    assert run_call(env, "deposit", {"amount": -1}) == (False, "Error: ValueError: amount must be positive")
    assert run_call(env, "deposit", None)[0] is False
    assert env.state() == {"balance": 10, "history": []}


def test_state_comparison_and_json_state() -> None:
    assert compare_states({"a": 1, "b": {"c": [1, 2]}}, {"a": 1.0, "b": {"c": [1, 2]}}) == (1.0, [])
    share, diff = compare_states({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 4})
    assert share == pytest.approx(1 / 3)
    assert [d["field"] for d in diff] == ["b", "c"]
    assert compare_states({"a": True}, {"a": 1})[0] == 0.0
    assert json_state({"s": {3, 1}, "t": (1, float("nan")), "o": Bank(1)}) == {
        "s": [1, 3],
        "t": [1, "nan"],
        "o": {"balance": 1, "history": []},
    }


def test_lists_that_write_the_same_json_are_not_confused() -> None:
    nan_args = [
        {
            "role": "assistant",
            "tool_calls": [{"function": {"name": "get_weather", "arguments": {"city": float("nan")}}}],
        }
    ]
    none_args = [
        {"role": "assistant", "tool_calls": [{"function": {"name": "get_weather", "arguments": {"city": None}}}]}
    ]
    truth = {"behavior": "trajectory", "turns": [{"calls": [{"name": "get_weather", "arguments": {"city": None}}]}]}
    batch = rr.score_batch([nan_args, none_args], [truth, truth])
    assert batch[0].reward == rr.score(nan_args, truth).reward
    assert batch[1].reward == rr.score(none_args, truth).reward
    assert batch[0].violations != batch[1].violations or batch[0].reward != batch[1].reward


def test_model_output_beyond_what_json_writes_never_raises() -> None:
    truth = {"behavior": "trajectory", "turns": [{"calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]}]}
    huge = [call("get_weather", city=2**70), tool("18 C"), say("It is 18 C.")]
    huge[0]["tool_calls"][0]["function"]["arguments"] = {"city": 2**70}
    got = rr.score(huge, truth)
    assert got.reason == "bad_arguments" and 0.0 <= got.reward < 1.0


def test_a_trajectory_longer_than_what_is_read_scores_the_floor() -> None:
    truth = {"behavior": "trajectory", "turns": [{"calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]}]}
    long = [call("get_weather", city="Paris"), tool("18 C")] + [say("ok")] * (MAX_MESSAGES - 2) + [call("x")] * 50
    got = rr.score(long, truth)
    assert (got.reward, got.reason) == (0.0, "trajectory_too_long")
    assert got.details["truncated_messages"] == 50  # type: ignore[index]


def test_a_question_in_a_turn_that_expects_a_call_gets_its_turn_reward_as_step_reward() -> None:
    truth = {"behavior": "trajectory", "turns": [{"calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]}]}
    got = rr.score([say("Which city?")], truth)
    assert got.step_rewards == got.turn_rewards and got.turn_rewards[0] < 0.5


def test_the_cost_of_failed_call_checks_is_linear_in_the_calls() -> None:
    from .timing import assert_linear

    truth = {"behavior": "trajectory", "turns": [{"calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]}]}

    def rollout(n: int) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for i in range(n):
            out += [call("get_weather", city=f"c{i}"), tool(f"Error: city {i} unknown")]
        return out

    small, big = rollout(40), rollout(400)
    assert_linear(lambda: rr.score_batch([small], [truth]), lambda: rr.score_batch([big], [truth]), 30, "failed calls")


def test_a_repeated_single_step_score_keeps_its_turn_and_step_rewards() -> None:
    truth = {"behavior": "execute", "calls": [{"name": "f", "arguments": {}}]}
    completion = '<tool_call>{"name": "f", "arguments": {}}</tool_call>'
    first, again = rr.score(completion, truth), rr.score(completion, truth)
    assert first == again
    assert again.turn_rewards == again.step_rewards == (again.reward,)


class _Node:
    def __init__(self, name: str, parent: Any = None) -> None:
        self.name = name
        self.parent = parent
        self.children: list[_Node] = []


def test_json_state_writes_back_links_once() -> None:
    root = _Node("root")
    for i in range(30):
        child = _Node(f"c{i}", root)
        root.children.append(child)
        child.children.append(_Node("leaf", child))
    state = json_state(root)
    assert state["children"][0]["parent"] == "<cycle: _Node>"
    assert state["children"][0]["children"][0]["parent"] == "<cycle: _Node>"


class Feed:
    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []

    def post(self, tags: list[str]) -> str:
        self.posts.append({"tags": tags})
        return "ok"

    def tag_all(self, tag: str) -> str:
        for p in self.posts:
            p["tags"].append(tag)
        return "ok"


def test_an_environment_that_keeps_its_arguments_never_changes_the_truth() -> None:
    class FeedPlugin:
        @staticmethod
        @hookimpl
        def register_environments(register: Callable[[EnvironmentSpec], None]) -> None:
            register(EnvironmentSpec("feed", lambda config: ObjectEnvironment(Feed())))

    truth = {
        "behavior": "trajectory",
        "turns": [
            {"calls": [{"name": "post", "arguments": {"tags": ["a"]}}, {"name": "tag_all", "arguments": {"tag": "b"}}]}
        ],
        "environment": {"name": "feed"},
    }
    good = [call("post", tags=["a"]), tool("ok"), call("tag_all", tag="b"), tool("ok"), say("Done.")]
    register_plugin(FeedPlugin, "test-feed")
    try:
        assert [rr.score(good, truth).reward for _ in range(3)] == [1.0, 1.0, 1.0]
        assert rr.score_batch([good, good], [truth, truth]).rewards.tolist() == [1.0, 1.0]
    finally:
        unregister_plugin("test-feed")


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.text(max_size=60),
        st.sampled_from(
            [
                '<tool_call>{"name": "f", "arguments": {"a": 1}}</tool_call>',
                "<think>hmm</think>[f(a=1)]",
                "<|python_tag|>f.call(a=1)",
                '[TOOL_CALLS][{"name": "f", "arguments": {}}]',
                "<tool_call>\n<function=f>\n<parameter=a>\n1\n</parameter>\n</function>\n</tool_call>",
                "x" * 300_000,
                "",
                "   ",
            ]
        ),
    )
)
def test_a_text_only_message_parses_as_its_text(text: str) -> None:
    """The trajectory scorer hands the parser a text-only message's text (its fast path): the same parse."""
    from rlvr_rewards.scoring.trajectory import _plain_text

    message = {"role": "assistant", "content": text}
    assert _plain_text(message) == text
    assert rr.parse(text) == rr.parse(message)
    assert _plain_text({**message, "reasoning_content": "r"}) is None
    assert _plain_text({**message, "tool_calls": []}) is None


def test_to_dicts_is_each_scores_to_dict_single_steps_and_trajectories_mixed() -> None:
    import orjson

    named = [GOOD, *(m for _, m in mutations(GOOD))]
    single = '<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>'
    completions = [*named, single, "Which city?", single]
    truths = [WEATHER] * len(named) + [
        {"behavior": "execute", "calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]},
        {"behavior": "clarify", "missing": ["city"]},
        {"behavior": "refuse"},
    ]
    for preset in ("graded", "binary"):
        batch = rr.score_batch(completions, truths, preset=preset)
        fast = list(batch.to_dicts())
        slow = [s.to_dict() for s in batch]
        assert orjson.dumps(fast) == orjson.dumps(slow)  # the same values and the same key order
        assert any(d["components"].get("clarify") is None for d in fast)  # NaN components become null
