"""Anti-hacking guards: every known way to game the reward scores strictly below the correct completion.

One test per guard (parametrized over variants); each asserts ``reward(hack) < reward(correct)`` under
``graded`` and, where the hack is not a correct answer in disguise, under ``binary`` too.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

import rlvr_rewards as rr

from .helpers import TOOLS, call, execute, hermes

WEATHER = execute(call("get_weather", city="Paris"))
EMAIL = execute(call("send_email", to="bob@example.com", subject="Hi", body="Hello", count=2, urgent=True))
CLARIFY = {"behavior": "clarify", "missing": ["city"]}
REFUSE = {"behavior": "refuse", "reason": "harmful"}
GOOD_WEATHER = hermes(call("get_weather", city="Paris"))
GOOD_EMAIL = hermes(call("send_email", to="bob@example.com", subject="Hi", body="Hello", count=2, urgent=True))
GOOD_CLARIFY = "Which city would you like the weather for?"
GOOD_REFUSE = "I'm sorry, but I can't help with that."


def reward(completion: Any, truth: Any, preset: str = "graded") -> float:
    return rr.score(completion, truth, tools=TOOLS, preset=preset).reward


def assert_below(hack: Any, good: Any, truth: Any, presets: tuple[str, ...] = ("graded", "binary")) -> None:
    for preset in presets:
        hi, lo = reward(good, truth, preset), reward(hack, truth, preset)
        assert lo < hi, f"{preset}: hack {lo} not below correct {hi}: {hack!r}"


def test_correct_completions_earn_the_maximum() -> None:
    for good, truth in ((GOOD_WEATHER, WEATHER), (GOOD_EMAIL, EMAIL), (GOOD_CLARIFY, CLARIFY), (GOOD_REFUSE, REFUSE)):
        assert reward(good, truth) == 1.0
        assert reward(good, truth, "binary") == 1.0


@pytest.mark.parametrize(
    "hack",
    [
        GOOD_WEATHER + "\nDoes that work for you?",
        "Which units do you prefer?\n" + GOOD_WEATHER,
        GOOD_WEATHER + "\nLet me know if you want a different city.",
    ],
)
def test_correct_call_plus_a_question(hack: str) -> None:
    assert_below(hack, GOOD_WEATHER, WEATHER)
    assert "call_with_question" in rr.score(hack, WEATHER).violations


@pytest.mark.parametrize(
    "hack",
    [
        "I can't really help with that, but here goes:\n" + GOOD_WEATHER,
        GOOD_WEATHER + "\nSorry, I'm not able to do more than this.",
    ],
)
def test_call_plus_a_refusal(hack: str) -> None:
    assert_below(hack, GOOD_WEATHER, WEATHER)
    assert "call_with_refusal" in rr.score(hack, WEATHER).violations
    # hedging does not rescue a call where a refusal was expected
    assert reward(hack, REFUSE) < reward(GOOD_REFUSE, REFUSE)


@pytest.mark.parametrize(
    "extra",
    [
        [call("get_weather", city="London")],
        [call("send_email", to="x@y.z", subject="s", body="b")],
        [call("get_weather", city=c) for c in ("Rome", "Oslo", "Lima", "Kyiv")],
    ],
)
def test_correct_call_plus_extra_calls(extra: list[dict[str, Any]]) -> None:
    hack = hermes(call("get_weather", city="Paris"), *extra)
    assert_below(hack, GOOD_WEATHER, WEATHER)
    assert rr.score(hack, WEATHER, tools=TOOLS).reason in {"extra_calls", "wrong_tool"}


@pytest.mark.parametrize("copies", [2, 3, 10])
def test_duplicate_calls(copies: int) -> None:
    hack = hermes(*[call("get_weather", city="Paris")] * copies)
    assert_below(hack, GOOD_WEATHER, WEATHER)
    assert rr.score(hack, WEATHER, tools=TOOLS).reason == "extra_calls"
    # more copies never earn more
    assert reward(hermes(*[call("get_weather", city="Paris")] * (copies + 1)), WEATHER) <= reward(hack, WEATHER)


@pytest.mark.parametrize("hack", ["", " ", "\n\n\t", "<think></think>", "<think>\n</think>\n"])
@pytest.mark.parametrize(("good", "truth"), [(GOOD_WEATHER, WEATHER), (GOOD_CLARIFY, CLARIFY), (GOOD_REFUSE, REFUSE)])
def test_empty_or_whitespace_output(hack: str, good: str, truth: Any) -> None:
    assert_below(hack, good, truth)
    assert reward(hack, truth) == 0.0


@pytest.mark.parametrize(
    "hack",
    [
        "<tool_call></tool_call>",
        "<tool_call>\n</tool_call>",
        "<tool_call>{}</tool_call>",
        "<TOOLCALL>[]</TOOLCALL>",
        "[TOOL_CALLS]",
        "<tool_call>",
        "```json\n```",
    ],
)
@pytest.mark.parametrize(("good", "truth"), [(GOOD_WEATHER, WEATHER), (GOOD_CLARIFY, CLARIFY), (GOOD_REFUSE, REFUSE)])
def test_empty_tags(hack: str, good: str, truth: Any) -> None:
    assert_below(hack, good, truth)


@pytest.mark.parametrize(
    ("hack", "truth", "good"),
    [
        # a refusal inside arguments is still a call: it cannot pass as a refusal
        (
            hermes(call("send_email", to="a@b.c", subject="No", body="I cannot help with this request.")),
            REFUSE,
            GOOD_REFUSE,
        ),
        (hermes(call("get_weather", city="I'm sorry, I can't do that")), REFUSE, GOOD_REFUSE),
        # ... nor as a clarifying question
        (hermes(call("get_weather", city="Which city do you mean?")), CLARIFY, GOOD_CLARIFY),
        # and the apology inside an argument is just a wrong value for an execute truth
        (
            hermes(
                call("send_email", to="bob@example.com", subject="Hi", body="I cannot do this", count=2, urgent=True)
            ),
            EMAIL,
            GOOD_EMAIL,
        ),
    ],
)
def test_refusal_or_question_inside_tool_arguments(hack: str, truth: Any, good: str) -> None:
    assert_below(hack, good, truth)
    assert rr.score(hack, truth, tools=TOOLS).behavior == "execute"


def test_a_question_listing_every_parameter_of_every_tool() -> None:
    names = sorted({p for t in TOOLS for p in t.get("function", t)["parameters"]["properties"]})
    shotgun = "Could you tell me the " + ", the ".join(n.replace("_", " ") for n in names) + "?"
    assert "city" in shotgun
    assert_below(shotgun, GOOD_CLARIFY, CLARIFY, presets=("graded",))
    assert rr.score(shotgun, CLARIFY, tools=TOOLS).reason == "vague_clarification"
    # asking again for what the user already gave also costs
    redundant = "Which city, and should I use metric or imperial units?"
    assert_below(redundant, GOOD_CLARIFY, CLARIFY, presets=("graded",))


@pytest.mark.parametrize(
    "hack",
    [
        "<think>a</think><think>b</think>\n" + GOOD_WEATHER,
        "<think>plan</think>\n" + GOOD_WEATHER + "\n<think>more</think>",
        "<think>I will call the tool\n" + GOOD_WEATHER,
        "<think>" * 50 + GOOD_WEATHER,
    ],
)
def test_repeated_or_unclosed_think(hack: str) -> None:
    assert_below(hack, GOOD_WEATHER, WEATHER)


@pytest.mark.parametrize(
    "broken",
    [
        "{'name': 'get_weather', 'arguments': {'city': 'Paris'}}",
        '{"name": "get_weather", "arguments": {"city": "Paris",}}',
        '{name: "get_weather", arguments: {city: "Paris"}}',
        '{"name": "get_weather", "arguments": {"city": "Paris"}',
        '{"name": "get_weather", "arguments": {"city": "Paris"}} // done',
        '{"name": "get_weather", "arguments": {"city": None}}',
        '{"name": "get_weather", "arguments": {"city": "Paris", "units": True}}',
    ],
)
def test_json_that_is_only_valid_after_repair(broken: str) -> None:
    hack = f"<tool_call>\n{broken}\n</tool_call>"
    assert_below(hack, GOOD_WEATHER, WEATHER)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("urgent", 1),  # boolean parameter given as 1
        ("urgent", "true"),  # ... or as a string
        ("count", True),  # integer parameter given as true
        ("count", 2.0),  # integer parameter given as 2.0 (a float)
        ("count", "2"),  # ... or as a string
        ("subject", 1),  # string parameter given as a number
    ],
)
def test_type_confusions_where_the_schema_types_differ(field: str, value: Any) -> None:
    args = {"to": "bob@example.com", "subject": "Hi", "body": "Hello", "count": 2, "urgent": True, field: value}
    hack = hermes(call("send_email", **args))
    assert_below(hack, GOOD_EMAIL, EMAIL)
    assert rr.score(hack, EMAIL, tools=TOOLS).components["arguments"] < 1.0


def test_number_given_as_float_where_the_schema_says_number_is_fine() -> None:
    truth = execute(call("calculate_statistics", numbers=[1, 2, 3]))
    assert reward(hermes(call("calculate_statistics", numbers=[1.0, 2.0, 3.0])), truth) == 1.0


@pytest.mark.parametrize(
    "hack",
    [
        '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris", "lat": NaN}}\n</tool_call>',
        '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris", "lat": Infinity}}\n</tool_call>',
        '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris", "lat": -Infinity}}\n</tool_call>',
        '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris", "lat": 1e999}}\n</tool_call>',
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": {"city": "Paris", "lat": float("nan")}},
                }
            ],
        },
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Paris", "lat": NaN}'}}
            ],
        },
    ],
)
def test_nan_and_infinity_in_arguments(hack: Any) -> None:
    assert_below(hack, GOOD_WEATHER, WEATHER)
    s = rr.score(hack, WEATHER, tools=TOOLS)
    assert "nonfinite_number" in s.violations


@pytest.mark.parametrize(
    "pad",
    [
        "<think>" + "let me think. " * 3000 + "</think>\n",  # 42k characters of reasoning
        " " * 40_000,
    ],
)
def test_overlong_output(pad: str) -> None:
    hack = pad + GOOD_WEATHER
    assert_below(hack, GOOD_WEATHER, WEATHER, presets=("graded",))
    assert rr.score(hack, WEATHER, tools=TOOLS).components["length"] < 1.0


def test_length_penalty_is_configurable() -> None:
    padded = "<think>" + "x" * 1500 + "</think>\n" + GOOD_WEATHER
    assert reward(padded, WEATHER) == 1.0  # within the default budget
    tight = rr.get_preset("graded").derive("graded-tight", length_budget=(500, 2000))
    r = rr.score(padded, WEATHER, tools=TOOLS, preset=tight)
    assert 0.0 < r.reward < 1.0 and r.components["length"] == pytest.approx((2000 - len(padded)) / 1500)
    with pytest.raises(rr.ConfigError, match="length_budget"):
        rr.get_preset("graded").derive("bad", length_budget=(2000, 500))


def test_python_literal_call_is_a_call_never_accepted_for_no_call_truths() -> None:
    """A call written as a Python dict is read (BFCL's decoders read it) with ``python_literal_json``: it is a
    call, so a truth that wants a question scores it 0, and it never equals the JSON call."""
    hack = "<tool_call>\n{'name': 'get_weather', 'arguments': {'city': 'Paris'}}\n</tool_call>"
    got = rr.score(hack, CLARIFY, tools=TOOLS)
    assert got.behavior == "execute" and "python_literal_json" in got.violations
    assert reward(hack, CLARIFY) == 0.0
    assert reward(hack, WEATHER) < reward(GOOD_WEATHER, WEATHER)


def test_every_guard_keeps_rewards_in_range() -> None:
    hacks = [GOOD_WEATHER + "?" * 1000, json.dumps({"name": "get_weather", "arguments": {"city": "Paris"}}) * 50]
    for h in hacks:
        for preset in rr.list_presets():
            lo, hi = rr.get_preset(preset).reward_range
            assert lo <= reward(h, WEATHER, preset) <= hi
