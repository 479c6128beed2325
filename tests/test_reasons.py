"""The diagnosis is a table plugins extend (rlvr_rewards/scoring/reasons.py): a plugin's component gets its own
reason code at the place its ``order`` gives it, every code a score carries is in ``Registry.reasons``, and a
rule that cannot apply (unknown component or behaviour, a code the diagnosis gives itself, a code taken) is
refused when the registry is built, naming the plugin."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import pytest

import rlvr_rewards as rr
from rlvr_rewards.errors import PluginError
from rlvr_rewards.plugins import get_registry, register_plugin, unregister_plugin
from rlvr_rewards.scoring.reasons import BUILTIN_RULES, REASONS, Diagnosis

from .helpers import TOOLS, call, compile_truth, execute, hermes

WEATHER = execute(call("get_weather", city="Paris"))


def _says_please(ctx: rr.ScoringContext) -> np.ndarray:
    return np.array([1.0 if "please" in p.text.lower() else 0.0 for p in ctx.parses])


class _Plugin:
    def __init__(self, *rules: rr.ReasonRule, scorer: str = "politeness") -> None:
        self.rules = rules
        self.scorer = scorer

    @rr.hookimpl
    def register_scorers(self, register: Callable[[rr.ScorerSpec], None]) -> None:
        register(rr.ScorerSpec(self.scorer, _says_please, "says please"))

    @rr.hookimpl
    def register_reasons(self, register: Callable[[rr.ReasonRule], None]) -> None:
        for rule in self.rules:
            register(rule)


@pytest.fixture
def registered() -> Iterator[Callable[..., None]]:
    names: list[str] = []

    def register(*rules: rr.ReasonRule, scorer: str = "politeness") -> None:
        name = f"test-reasons-{len(names)}"
        register_plugin(_Plugin(*rules, scorer=scorer), name=name)
        names.append(name)

    yield register
    for name in names:
        unregister_plugin(name)


def test_builtin_rules_are_registered_by_a_plugin() -> None:
    registry = get_registry()
    assert registry.reason_rules == BUILTIN_RULES
    assert registry.owners[("register_reasons", "bad_arguments")] == "rlvr_rewards.builtin.reasons"
    assert registry.reasons == REASONS


def test_a_plugin_component_gets_its_own_reason(registered: Callable[..., None]) -> None:
    rule = rr.ReasonRule("impolite", "politeness", "did not say please", expected="execute", order=5)
    right_call = hermes(call("get_weather", city="Paris"))
    wrong_args = hermes(call("get_weather", city="Rome"))
    before = rr.score_batch([right_call, wrong_args], [WEATHER, WEATHER], tools=TOOLS).reasons
    assert before == ["ok", "bad_arguments"]
    registered(rule)
    after = rr.score_batch([right_call, wrong_args], [WEATHER, WEATHER], tools=TOOLS)
    assert after.reasons == ["impolite", "impolite"]  # order 5: before every built-in rule
    assert rr.score(right_call, WEATHER, tools=TOOLS).reason == "impolite"  # the single-item path reads it too
    assert get_registry().reasons["impolite"] == "did not say please"
    clarify = {"behavior": "clarify", "missing": ["city"]}
    assert rr.score("Which city?", clarify).reason == "ok"  # only for execute truths


def test_order_places_a_rule_among_the_builtin_ones(registered: Callable[..., None]) -> None:
    registered(rr.ReasonRule("impolite", "politeness", "did not say please", order=25))
    wrong_args = hermes(call("get_weather", city="Rome"))
    assert rr.score(wrong_args, WEATHER, tools=TOOLS).reason == "bad_arguments"  # order 20 comes first
    refuse_truth = {"behavior": "refuse"}
    assert rr.score("I can't help with that.", refuse_truth).reason == "impolite"  # before weak_refusal (50)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (rr.ReasonRule("odd", "no_such_component", "x"), "no plugin registered"),
        (rr.ReasonRule("odd", "politeness", "x", expected="answer"), "expected behaviour 'answer'"),
        (rr.ReasonRule("ok", "politeness", "x"), "a code the diagnosis gives itself"),
        (rr.ReasonRule("called_instead_of_refuse", "politeness", "x"), "a code the diagnosis gives itself"),
        (rr.ReasonRule("bad_arguments", "politeness", "x"), "already registered"),
    ],
)
def test_a_rule_that_cannot_apply_is_refused(
    registered: Callable[..., None], rule: rr.ReasonRule, message: str
) -> None:
    with pytest.raises(PluginError) as info:
        registered(rule)
    assert "test-reasons-" in str(info.value) and message in str(info.value)
    assert get_registry().reason_rules == BUILTIN_RULES  # the registry is back to the built-ins


def test_nan_and_absent_components_never_count_as_short() -> None:
    diagnosis = Diagnosis(BUILTIN_RULES)
    parse = rr.parse("Which city do you mean?")
    clarify = compile_truth({"behavior": "clarify", "missing": ["city"]})
    assert diagnosis.reason(parse, clarify, "clarify", 0, {"clarify": [float("nan")], "format": [1.0]}) == "ok"
    assert diagnosis.reason(parse, clarify, "clarify", 0, {}) == "ok"
    assert diagnosis.reason(parse, clarify, "clarify", 0, {"clarify": [0.5]}) == "vague_clarification"
