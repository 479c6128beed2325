"""The pluggy registry: a throwaway plugin's scorer reaches components and, via a derived preset, the reward;
bad registrations name the plugin; the manager is built lazily."""

from __future__ import annotations

import json
import subprocess
import sys
import types
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

import rlvr_rewards as rr
from rlvr_rewards.builtin.presets import GRADED
from rlvr_rewards.parsing.types import ParsedCall, ParseResult, ParserSpec
from rlvr_rewards.plugins import get_registry, register_plugin, unregister_plugin
from rlvr_rewards.scoring.types import ScorerSpec, ScoringContext

from .helpers import TOOLS, call, execute, hermes


def politeness(ctx: ScoringContext) -> np.ndarray:
    return np.array([1.0 if "please" in p.text.lower() else 0.0 for p in ctx.parses])


class PolitenessPlugin:
    @rr.hookimpl
    def register_scorers(self, register: Callable[[ScorerSpec], None]) -> None:
        register(ScorerSpec("politeness", politeness, "says please"))


@pytest.fixture
def plugin() -> Iterator[PolitenessPlugin]:
    p = PolitenessPlugin()
    register_plugin(p, name="test-politeness")
    yield p
    unregister_plugin("test-politeness")


def test_third_party_scorer_reaches_components_and_reward(plugin: PolitenessPlugin) -> None:
    truth = {"behavior": "clarify", "missing": []}
    b = rr.score_batch(["Which city, please?", "Which city?"], [truth, truth])
    assert list(b.components["politeness"]) == [1.0, 0.0]
    assert list(b.rewards) == [1.0, 1.0]  # graded does not weight it
    polite = rr.get_preset("graded").derive("polite", weights={"clarify": {"politeness": 1.0}})
    b2 = rr.score_batch(["Which city, please?", "Which city?"], [truth, truth], preset=polite)
    assert b2.rewards[0] == 1.0 and b2.rewards[1] < 1.0
    assert b2.rewards[1] == pytest.approx((0.1 + 0.9) / 2.0)


def test_component_disappears_after_unregister() -> None:
    p = PolitenessPlugin()
    register_plugin(p, name="tmp")
    assert "politeness" in get_registry().scorers
    unregister_plugin("tmp")
    assert "politeness" not in get_registry().scorers


def test_a_plugin_parser_adds_a_format() -> None:
    def parse_xml(text: str) -> ParseResult | None:
        if not text.startswith("<call name="):
            return None
        name = text[len("<call name=") :].split("/>", 1)[0].strip("\"'")
        return ParseResult(calls=(ParsedCall(name, {}),), text="", format="xmlish", attempted_call=True)

    mod = types.ModuleType("xml_format_plugin")

    @rr.hookimpl
    def register_parsers(register: Callable[[ParserSpec], None]) -> None:
        register(ParserSpec("xmlish", parse_xml, priority=5))

    mod.register_parsers = register_parsers  # type: ignore[attr-defined]
    register_plugin(mod, name="xmlish")
    try:
        s = rr.score('<call name="list_files"/>', execute(call("list_files")))
        assert s.reward == 1.0
        assert rr.parse('<call name="list_files"/>').format == "xmlish"
    finally:
        unregister_plugin("xmlish")
    assert rr.score('<call name="list_files"/>', execute(call("list_files"))).reward < 1.0


def test_duplicate_names_fail_naming_both_plugins() -> None:
    class Dup:
        @rr.hookimpl
        def register_presets(self, register: Callable[[rr.Preset], None]) -> None:
            register(GRADED.derive("graded"))

    with pytest.raises(rr.PluginError) as info:
        register_plugin(Dup(), name="dup-plugin")
    msg = str(info.value)
    assert "dup-plugin" in msg and "rlvr_rewards.builtin.presets" in msg and "'graded'" in msg
    assert "graded" in get_registry().presets  # the registry recovered


def test_a_hook_that_reads_the_registry_gets_a_clear_error() -> None:
    class Reentrant:
        @rr.hookimpl
        def register_presets(self, register: Callable[[rr.Preset], None]) -> None:
            register(rr.get_preset("graded").derive("mine"))

    with pytest.raises(rr.PluginError) as info:
        register_plugin(Reentrant(), name="reentrant")
    assert "reentrant" in str(info.value) and "from rlvr_rewards.builtin.presets import GRADED" in str(info.value)
    assert "mine" not in get_registry().presets


def test_wrong_registration_type_names_the_plugin() -> None:
    class Bad:
        @rr.hookimpl
        def register_scorers(self, register: Callable[[object], None]) -> None:
            register(lambda ctx: ctx)

    with pytest.raises(rr.PluginError, match=r"bad-plugin.*expected a ScorerSpec"):
        register_plugin(Bad(), name="bad-plugin")


def test_a_raising_scorer_is_reported_as_a_plugin_bug() -> None:
    class Boom:
        @rr.hookimpl
        def register_scorers(self, register: Callable[[ScorerSpec], None]) -> None:
            register(ScorerSpec("boom", lambda ctx: 1 / 0))

    register_plugin(Boom(), name="boom-plugin")
    try:
        with pytest.raises(rr.PluginError, match=r"boom.*boom-plugin"):
            rr.score(hermes(call("get_weather", city="x")), execute(call("get_weather", city="x")), tools=TOOLS)
    finally:
        unregister_plugin("boom-plugin")


def test_per_item_scorer_helper() -> None:
    spec = ScorerSpec.per_item("n_calls", lambda p, t, ts: min(1.0, len(p.calls) / 2) if p.calls else None)

    class P:
        @rr.hookimpl
        def register_scorers(self, register: Callable[[ScorerSpec], None]) -> None:
            register(spec)

    register_plugin(P(), name="per-item")
    try:
        b = rr.score_batch([hermes(call("f")), "hello"], [execute(call("f"))] * 2)
        assert b.components["n_calls"][0] == 0.5 and np.isnan(b.components["n_calls"][1])
    finally:
        unregister_plugin("per-item")


def test_import_builds_no_plugin_manager() -> None:
    code = "import rlvr_rewards, rlvr_rewards.plugins as p; print(p._pm is None, p._registry is None)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True True"


# --------------------------------------------------------------------------------------------------
# Nothing compiled against the registry outlives a plugin change
# --------------------------------------------------------------------------------------------------


def _parity_matcher_plugin(remainder: int) -> object:
    """A plugin registering ``$parity``: an integer whose remainder mod 2 is ``remainder``."""
    from rlvr_rewards.groundtruth.matchers import CompiledMatcher, MatcherSpec

    def compile_parity(spec: dict[str, Any], compile_value: Any, path: str) -> CompiledMatcher:
        def match(v: Any) -> bool:
            return isinstance(v, int) and not isinstance(v, bool) and v % 2 == remainder

        return CompiledMatcher(match=match, plain=False, description=f"n % 2 == {remainder}")

    class ParityPlugin:
        @rr.hookimpl
        def register_matchers(self, register: Callable[[MatcherSpec], None]) -> None:
            register(MatcherSpec("$parity", compile_parity, "parity"))

    return ParityPlugin()


PARITY_TRUTH = execute(call("count_items", n={"$parity": True}))
PARITY_FORMS = {
    "native": PARITY_TRUTH,
    "json-text": json.dumps(PARITY_TRUTH),
    "row": {"reward_model": {"ground_truth": json.dumps(PARITY_TRUTH)}},
    "blog-list": [{"name": "count_items", "arguments": {"n": {"$parity": True}}}],
}


@pytest.mark.parametrize("form", list(PARITY_FORMS))
def test_a_truth_compiled_with_a_plugin_matcher_is_not_reused_once_the_plugin_is_gone(form: str) -> None:
    from .helpers import compile_truth

    truth = PARITY_FORMS[form]
    even, odd = hermes(call("count_items", n=2)), hermes(call("count_items", n=3))
    register_plugin(_parity_matcher_plugin(0), name="parity")
    try:
        assert rr.score(even, truth).reward == 1.0
        assert rr.score(odd, truth).reason == "bad_arguments"
        held = compile_truth(truth if form != "row" else truth["reward_model"]["ground_truth"])
    finally:
        unregister_plugin("parity")
    # the cached compilation is not used: the truth fails exactly like a fresh one with that matcher
    fresh = execute(call("count_items", n={"$parity": False}))
    for t in (truth, fresh):
        with pytest.raises(rr.GroundTruthError, match=r"unknown matcher \$parity"):
            rr.score(even, t)
        with pytest.raises(rr.GroundTruthError, match=r"unknown matcher \$parity"):
            rr.score_batch([even, odd], [t, t])
    # nor is a compiled truth the caller held on to
    with pytest.raises(rr.GroundTruthError, match=r"unknown matcher \$parity"):
        compile_truth(held)
    # a new plugin under the same key is what the same truth now means
    register_plugin(_parity_matcher_plugin(1), name="parity-odd")
    try:
        assert rr.score(odd, truth).reward == 1.0
        assert rr.score(even, truth).reason == "bad_arguments"
        assert compile_truth(held).calls[0].matchers["n"].match(3)
    finally:
        unregister_plugin("parity-odd")


def test_a_compiled_truth_is_reused_while_the_plugins_do_not_change() -> None:
    from .helpers import compile_truth

    first = compile_truth(PARITY_TRUTH | {"calls": [call("count_items", n=2)]})
    assert compile_truth(first) is first
    assert compile_truth(PARITY_TRUTH | {"calls": [call("count_items", n=2)]}) is first
    register_plugin(PolitenessPlugin(), name="unrelated")
    unregister_plugin("unrelated")
    again = compile_truth(first)  # compiled again from its source, with the same meaning
    assert again is not first and (again.key, again.names) == (first.key, first.names)
    assert again.generation > first.generation and compile_truth(again) is again


def test_the_lambda_does_not_reuse_a_preset_from_an_unregistered_plugin() -> None:
    from rlvr_rewards.aws_lambda.config import LambdaConfig
    from rlvr_rewards.aws_lambda.handler import score_event

    def preset_plugin(clarify_weight: float) -> object:
        class P:
            @rr.hookimpl
            def register_presets(self, register: Callable[[Any], None]) -> None:
                register(GRADED.derive("mine", weights={"execute": {"format": 1.0, "arguments": clarify_weight}}))

        return P()

    sample = {
        "id": "s1",
        "messages": [
            {"role": "user", "content": "weather?"},
            {"role": "assistant", "content": hermes(call("get_weather", city="Rome"))},
        ],
        "reward_model": {"ground_truth": json.dumps(execute(call("get_weather", city="Paris")))},
    }
    config = LambdaConfig(preset="mine")
    rewards = []
    for i, weight in enumerate((0.0, 1.0)):
        register_plugin(preset_plugin(weight), name=f"mine-{i}")
        try:
            rewards.append(score_event([sample], config)[0]["aggregate_reward_score"])
        finally:
            unregister_plugin(f"mine-{i}")
    assert rewards[0] != rewards[1]
