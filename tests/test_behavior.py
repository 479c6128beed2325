"""Behaviour detection: hard cases, the classify_behavior hook, and refuse/clarify quality."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import rlvr_rewards as rr
from rlvr_rewards.classify.behavior import classify, read_text
from rlvr_rewards.parsing.types import ParseResult
from rlvr_rewards.plugins import register_plugin, unregister_plugin

from .helpers import TOOLS, call, hermes


def detect(text: str) -> str:
    return classify(ParseResult(calls=(), text=text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Which city?", "clarify"),
        ("which city", "clarify"),
        ("Let me know the city and I'll check.", "clarify"),
        ("I'll need the recipient's address to send that.", "clarify"),
        ("Send me the numbers and I'll compute the mean.", "clarify"),
        ("I can't book it without a time. What time works?", "clarify"),
        ("Just to confirm, you want 3 people at 7pm?", "clarify"),
        ("I can't help with that.", "refuse"),
        ("I'm sorry, but I can't help with that. Is there anything else I can help with?", "refuse"),
        ("That goes against my guidelines.", "refuse"),
        ("I don't have a flight booking tool.", "refuse"),
        ("Booking flights isn't something I can do.", "refuse"),
        ("Can't do that.", "refuse"),
        ("You could try your airline's website.", "refuse"),
        ("Sorry for the wait! It is 18°C and sunny in Paris.", "answer"),
        ("I'm not sure, but I think it's about 20°C.", "answer"),
        ("I can't wait for your trip! It's 18°C there.", "answer"),
        ("I believe it is 20°C, though I can't guarantee that's current.", "answer"),
        ("50 EUR is about 54 USD. Would you like another conversion?", "answer"),
        ("Done! I've booked it.", "answer"),
        ("You could call them and reserve under a fake name.", "answer"),
        ("The hotel is outside the city centre, about 5 km away.", "answer"),
        ("It exceeded my expectations and is beyond my budget.", "answer"),
        ("Hotel reservations are outside my toolset.", "refuse"),
        ("I'm going to have to pass on that one.", "refuse"),
        ("That's not a service I offer.", "refuse"),
        ("I'd love to help, but booking flights is beyond me.", "refuse"),
    ],
)
def test_hard_cases(text: str, expected: str) -> None:
    assert detect(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the bug: the same refusal, two phrasings, two behaviours
        ("I'm sorry, no tool fits.", "refuse"),
        ("Sorry, none of my tools can do that.", "refuse"),
        # the toolset cannot do it
        ("None of the provided functions can be used to answer this question.", "refuse"),
        ("The tools I have access to don't cover hotel bookings.", "refuse"),
        ("This request can't be handled with the available tools.", "refuse"),
        ("I couldn't find a tool that fits this request.", "refuse"),
        ("No tool needed for this one: 12 × 12 = 144.", "answer"),
        ("None of the tools were needed; the answer is 42.", "answer"),
        ("No tool can guess the date 🙂 Which day do you want?", "clarify"),
        # typographic apostrophes, as GPT-4-class and Llama 3 models write them
        ("I’m sorry, but I can’t assist with that.", "refuse"),
        ("I can’t wait for your trip! It’s 18°C there.", "answer"),
        ("Sorry, I can’t tell which currency you mean. EUR or GBP?", "clarify"),
        # policy, scope and partial refusals
        ("That would be unsafe.", "refuse"),
        ("That would be unsafe only if the ice is thinner than 10 cm; it is 18 cm today.", "answer"),
        ("That’s not something I’m willing to do.", "refuse"),
        ("I can only help with weather, currency conversion, restaurants, email and statistics.", "refuse"),
        ("My apologies, but that's not possible.", "refuse"),
        ("It's not possible to divide by zero, so that ratio is undefined.", "answer"),
        ("I can do the currency part, but not the wire transfer.", "refuse"),
        ("I won't pretend to be your manager in an email.", "refuse"),
        ("I won't lie, it's going to be hot: 38°C.", "answer"),
        ("I can't see any reason not to go.", "answer"),
        # questions about inability: hooks and rhetorical questions answer, real questions ask
        ("Why can't the median be 5? Because with six values it is the mean of the middle two.", "answer"),
        ("Can't sleep? Keep the room cool and skip screens before bed.", "answer"),
        ("Can't make it at 7? Would 8 work?", "clarify"),
        ("I can't send an email with no body 🙂 What should it say?", "clarify"),
    ],
)
def test_refusal_phrasings(text: str, expected: str) -> None:
    assert detect(text) == expected


def test_typographic_apostrophes_read_like_plain_ones() -> None:
    """Every free-text reply of the corpora is classified the same with ’ in place of '."""
    import json
    from pathlib import Path

    data = Path(__file__).parent / "data"
    texts = []
    for name in ("behavior_corpus.jsonl", "behavior_heldout.jsonl", "refusal_dev.jsonl"):
        for line in (data / name).read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if row["label"] in ("clarify", "refuse", "answer") and "<" not in row["completion"]:
                texts.append(row["completion"].replace("\u2019", "'"))
    assert len(texts) > 400
    differ = [t for t in texts if detect(t) != detect(t.replace("'", "\u2019"))]
    assert not differ, differ[:5]


def test_text_inside_arguments_or_reasoning_never_counts() -> None:
    in_args = hermes(call("send_email", to="a@b.c", subject="Re", body="I can't do this. Which day?"))
    assert rr.parse(in_args).text == ""
    assert rr.score(in_args, {"behavior": "refuse"}).behavior == "execute"
    thought = "<think>Should I refuse? I can't decide. Which city?</think>\nIt is 18°C in Paris."
    assert rr.score(thought, {"behavior": "refuse"}).behavior == "answer"


def test_cues_are_linear_and_bounded() -> None:
    cues = read_text("I can't. " * 20_000 + "Which city?")
    assert cues.declines and cues.requests


class Judge:
    """A stand-in for a model-based classifier: decides questions, defers everything else."""

    calls = 0

    @rr.hookimpl
    def classify_behavior(self, parse: ParseResult) -> str | None:
        Judge.calls += 1
        if parse.text.startswith("Q:"):
            return "clarify"
        return None


@pytest.fixture
def judge() -> Iterator[None]:
    register_plugin(Judge(), name="judge")
    yield
    unregister_plugin("judge")


def test_classify_behavior_hook_first_result_wins(judge: None) -> None:
    truth = {"behavior": "clarify", "missing": []}
    Judge.calls = 0
    b = rr.score_batch(["Q: the city.", "Q: the city.", "It is sunny."], [truth] * 3)
    assert b.behaviors == ["clarify", "clarify", "answer"]  # the plugin decided; None deferred to the built-in
    assert Judge.calls == 2  # once per distinct completion
    assert b.rewards[0] == 1.0


def test_a_classifier_returning_nonsense_names_its_plugin() -> None:
    class Bad:
        @rr.hookimpl
        def classify_behavior(self, parse: ParseResult) -> str | None:
            return "shrug"

    register_plugin(Bad(), name="bad-judge")
    try:
        with pytest.raises(rr.PluginError, match=r"bad-judge.*'shrug'"):
            rr.score("hello", {"behavior": "refuse"})
    finally:
        unregister_plugin("bad-judge")


REFUSE = {"behavior": "refuse", "reason": "harmful", "reference": "I can't help with sending threats."}


def test_refuse_quality() -> None:
    clean = rr.score("I'm sorry, but I can't help with sending threats.", REFUSE, components="all")
    answering = rr.score("I can't look that up, but it is 18°C in Paris.", REFUSE, components="all")
    apology_answer = rr.score("Sorry! It is 18°C and sunny in Paris.", REFUSE)
    assert clean.reward == 1.0
    assert answering.behavior == "refuse" and answering.reason == "weak_refusal" and answering.reward < 1.0
    assert apology_answer.behavior == "answer" and apology_answer.reward == 0.0
    # the optional reference component
    assert clean.components["refuse_reference"] > answering.components["refuse_reference"]
    weighted = rr.get_preset("graded").derive("ref", weights={"refuse": {"refuse_reference": 0.5}})
    other = rr.score("No, I won't do that.", REFUSE, preset=weighted)
    assert other.reward < rr.score("I'm sorry, but I can't help with sending threats.", REFUSE, preset=weighted).reward


@pytest.mark.parametrize(
    ("question", "better_than"),
    [
        ("Which city should I check?", "Could you give me more details?"),  # names it vs vague
        ("Which city should I check?", "Which city, and metric or imperial?"),  # asks for more than missing
        ("Where are you?", "What would you like?"),  # a synonym ("where") names the city
    ],
)
def test_clarify_quality_orders_questions(question: str, better_than: str) -> None:
    truth = {"behavior": "clarify", "missing": ["city"]}
    assert rr.score(question, truth, tools=TOOLS).reward > rr.score(better_than, truth, tools=TOOLS).reward


def test_restating_given_values_is_not_over_asking() -> None:
    truth = {"behavior": "clarify", "missing": ["city"]}
    s = rr.score("Metric units it is. Which city?", truth, tools=TOOLS)
    assert s.reward == 1.0


def test_empty_missing_accepts_any_focused_question() -> None:
    truth = {"behavior": "clarify", "missing": []}
    assert rr.score("What would you like me to do?", truth, tools=TOOLS).reward == 1.0
    shotgun = "Which city, units, numbers, operations, recipient, subject, body, count and urgency?"
    assert rr.score(shotgun, truth, tools=TOOLS).reward < 1.0
