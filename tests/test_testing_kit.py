"""The public testing kit (rlvr_rewards.testing): its strategies, the property checker on every preset and
every registered component, the checker catching broken reward functions, and the pytest plugin."""

from __future__ import annotations

import hashlib
import json
import math
import os
import random
import subprocess
import sys
import textwrap
from typing import Any

import jsonschema
import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import rlvr_rewards as rr
from rlvr_rewards.groundtruth.toolspecs import compile_tools
from rlvr_rewards.plugins import get_registry
from rlvr_rewards.testing import (
    FORMATS,
    MUTATION_KINDS,
    PROPERTIES,
    as_trl_reward,
    check_reward_properties,
    strategies,
)
from rlvr_rewards.testing import pytest_plugin as kit_plugin

pytest_plugins = ["pytester"]

FAST = settings(max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck))
NO_SHRINK = settings(database=None, phases=[Phase.explicit, Phase.generate])

# Which preset satisfies which property with these strategies, and why the others are exempt. Every
# exemption is checked to be real (test_exemptions_are_real), so this table cannot go stale silently.
EXEMPT: dict[str, dict[str, str]] = {
    "graded": {},
    "binary": {},
    # reproduces the AWS post's reward: tool names compared as sets (a duplicated or extra call of an
    # expected tool keeps 1.0), Python == (true == 1), format ignored (a call plus a question keeps 1.0), and
    # any answer without a call earns 1.0 for a clarify or refuse truth (a refusal where a question was due)
    "aws-blog": {"mutations_lower": "duplicated call / refusal instead of a question score 1.0 as published"},
    # reproduces ToolRL: its format point needs a <think> block and exactly one <tool_call> block, so a
    # correct answer without reasoning (or with parallel calls in two blocks) scores 1 below one with it;
    # free text beside a call is ignored; every answer to a no-call truth gets correctness 0
    # reproduces BFCL's checker: a no-call truth passes any completion without a call (a question where a
    # refusal was due keeps 1.0) and text beside a correct call is not seen (a call plus a question keeps 1.0)
    "bfcl": {"mutations_lower": "any no-call answer scores 1.0; text beside a correct call is ignored"},
    "toolrl": {
        "perfect_is_max": "the format point requires <think>: correct without it scores 3, with it 4",
        "mutations_lower": "a correct call plus a question keeps 3; any no-call answer gets correctness 0",
    },
}


def _preset_flags(name: str) -> dict[str, bool]:
    exempt = EXEMPT.get(name, {})
    return {"check_mutations": "mutations_lower" not in exempt, "check_perfect": "perfect_is_max" not in exempt}


# --------------------------------------------------------------------------------------------------
# The checker on every registered preset
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", rr.list_presets())
def test_every_preset_satisfies_its_properties(name: str) -> None:
    report = check_reward_properties(
        as_trl_reward(name),
        reward_range=rr.get_preset(name).reward_range,
        max_examples=40,
        seed=1,
        **_preset_flags(name),
    )
    assert report.examples == 40 and report.reward_calls > 3 * report.examples
    assert {"finite", "bounded", "deterministic", "permutation_invariant", "batch_equals_single"} <= set(
        report.properties
    )
    if name in ("graded", "binary"):
        assert set(report.properties) == set(PROPERTIES)


@pytest.mark.parametrize(("name", "prop"), [(n, p) for n, ps in EXEMPT.items() for p in ps])
def test_exemptions_are_real(name: str, prop: str) -> None:
    """An exempt preset really fails the property (the kit finds it within a few examples)."""
    flags = {"check_mutations": prop == "mutations_lower", "check_perfect": prop == "perfect_is_max"}
    with pytest.raises(AssertionError, match=f"reward property '{prop}' failed"):
        check_reward_properties(
            as_trl_reward(name),
            reward_range=rr.get_preset(name).reward_range,
            max_examples=100,
            seed=0,
            hypothesis_settings=NO_SHRINK,
            **flags,
        )


def test_graded_in_conversational_shape_and_with_json_columns() -> None:
    check_reward_properties(
        as_trl_reward("graded"),
        reward_range=(0.0, 1.0),
        max_examples=15,
        seed=2,
        conversational=True,
        json_columns=True,
    )


def test_as_trl_reward_returns_plain_floats_and_a_loggable_name() -> None:
    fn = as_trl_reward("aws-blog")
    truth = {"behavior": "refuse"}
    out = fn(prompts=["p"], completions=[strategies.REFUSAL], ground_truth=[truth], tools=[None])
    assert out == [1.0] and type(out) is list and type(out[0]) is float
    assert fn.__name__ == "rlvr_aws_blog"
    with pytest.raises(TypeError, match="ground_truth"):
        fn(prompts=["p"], completions=["x"], answer=[truth])


# --------------------------------------------------------------------------------------------------
# Every registered component (scorer)
# --------------------------------------------------------------------------------------------------

SCORERS = sorted(get_registry().scorers)


def _batch_items(case_batch: list[tuple[list[dict[str, Any]], dict[str, Any], Any]]) -> tuple[list[Any], ...]:
    comps = [c for _, _, c in case_batch]
    truths = [t for _, t, _ in case_batch]
    tools = [tl for tl, _, _ in case_batch]
    return comps, truths, tools


def _assert_components(comps: list[Any], truths: list[Any], tools: list[Any]) -> None:
    batch = rr.score_batch(comps, truths, tools=tools, components="all")
    again = rr.score_batch(comps, truths, tools=tools, components="all")
    assert set(SCORERS) <= set(batch.components)
    for name, spec in get_registry().scorers.items():
        col = batch.components[spec.name]
        assert col.shape == (len(comps),) and col.dtype == np.float64, name
        ok = np.isnan(col) | ((col >= 0.0) & (col <= 1.0))
        assert ok.all(), (name, col[~ok], [comps[i] for i in np.flatnonzero(~ok)][:2])
        np.testing.assert_array_equal(col, again.components[name], err_msg=f"{name}: not deterministic")
    for i in range(len(comps)):
        single = rr.score_batch([comps[i]], [truths[i]], tools=[tools[i]], components="all")
        for name in SCORERS:
            a, b = batch.components[name][i], single.components[name][0]
            assert (math.isnan(a) and math.isnan(b)) or a == b, (name, i, a, b, comps[i])


@st.composite
def _component_batches(draw: st.DrawFn) -> list[tuple[list[dict[str, Any]], dict[str, Any], Any]]:
    out = []
    for _ in range(draw(st.integers(1, 3))):
        tools, truth = draw(strategies.cases())
        out.append((tools, truth, draw(strategies.correct_completions(truth))))
        if draw(st.booleans()):
            out.append((tools, truth, draw(strategies.mutations(truth, tools))[0]))
        if draw(st.booleans()):
            out.append((tools, truth, draw(strategies.adversarial_texts(max_chars=5_000))))
    return out


@FAST
@given(items=_component_batches())
def test_every_component_is_in_range_deterministic_and_batch_independent(
    items: list[tuple[list[dict[str, Any]], dict[str, Any], Any]],
) -> None:
    _assert_components(*_batch_items(items))


@pytest.mark.parametrize("scorer", SCORERS)
def test_each_component_on_the_fixed_examples(scorer: str) -> None:
    cases = strategies.example_correct_cases()
    texts = strategies.example_adversarial_texts()
    comps = [c for _, _, c in cases] + texts
    truths = [t for _, t, _ in cases] + [cases[i % len(cases)][1] for i in range(len(texts))]
    tools = [tl for tl, _, _ in cases] + [cases[i % len(cases)][0] for i in range(len(texts))]
    batch = rr.score_batch(comps, truths, tools=tools, components="all")
    col = batch.components[scorer]
    assert (np.isnan(col) | ((col >= 0) & (col <= 1))).all()
    np.testing.assert_array_equal(col, rr.score_batch(comps, truths, tools=tools, components="all").components[scorer])
    alone = [
        rr.score_batch([c], [t], tools=[tl], components="all").components[scorer][0]
        for c, t, tl in zip(comps, truths, tools, strict=True)
    ]
    np.testing.assert_array_equal(col, np.array(alone))


# --------------------------------------------------------------------------------------------------
# The checker catches broken reward functions
# --------------------------------------------------------------------------------------------------

_graded = as_trl_reward("graded")


def nan_for_refusals(prompts: Any = None, completions: Any = None, **kw: Any) -> list[float]:
    out = _graded(prompts=prompts, completions=completions, **kw)
    return [math.nan if t["behavior"] == "refuse" else r for r, t in zip(out, kw["ground_truth"], strict=True)]


def out_of_range(prompts: Any = None, completions: Any = None, **kw: Any) -> list[float]:
    return [1.5 * r for r in _graded(prompts=prompts, completions=completions, **kw)]


def noisy(prompts: Any = None, completions: Any = None, **kw: Any) -> list[float]:
    return [0.9 * r + 0.1 * random.random() for r in _graded(prompts=prompts, completions=completions, **kw)]


def position_dependent(prompts: Any = None, completions: Any = None, **kw: Any) -> list[float]:
    return [r * (1 - 0.01 * i) for i, r in enumerate(_graded(prompts=prompts, completions=completions, **kw))]


def names_only(prompts: Any = None, completions: Any = None, **kw: Any) -> list[float]:
    """1.0 whenever every call names an expected tool: ignores the arguments."""
    out = []
    for c, t, r in zip(
        completions, kw["ground_truth"], _graded(prompts=prompts, completions=completions, **kw), strict=True
    ):
        calls = rr.parse(c).calls
        if t["behavior"] == "execute" and calls:
            out.append(1.0 if {x.name for x in calls} <= {x["name"] for x in t["calls"]} else 0.0)
        else:
            out.append(r)
    return out


def batch_normalised(prompts: Any = None, completions: Any = None, **kw: Any) -> list[float]:
    """Divides by the best reward of the batch: permutation invariant, but not what one item alone gets."""
    out = _graded(prompts=prompts, completions=completions, **kw)
    top = max(out)
    return [r / top if top > 0 else 0.0 for r in out]


def returns_one_value(prompts: Any = None, completions: Any = None, **kw: Any) -> list[float]:
    return [1.0]


def crashes_on_messages(prompts: Any = None, completions: Any = None, **kw: Any) -> list[float]:
    """Fine on text, AttributeError on a message list (the openai format)."""
    out = _graded(prompts=prompts, completions=completions, **kw)
    return [r + 0 * len(c.strip()) for r, c in zip(out, completions, strict=True)]


@pytest.mark.parametrize(
    ("fn", "prop"),
    [
        (nan_for_refusals, "finite"),
        (out_of_range, "bounded"),
        (noisy, "deterministic"),
        (position_dependent, "permutation_invariant"),
        (batch_normalised, "batch_equals_single"),
        (names_only, "mutations_lower"),
        (returns_one_value, "shape"),
        (crashes_on_messages, "no_exceptions"),
    ],
)
def test_the_checker_catches_broken_reward_functions(fn: Any, prop: str) -> None:
    # without shrinking (fast); test_failures_are_shrunk_to_a_minimal_example covers the default
    with pytest.raises(AssertionError, match=f"reward property '{prop}' failed") as info:
        check_reward_properties(fn, reward_range=(0.0, 1.0), max_examples=100, seed=3, hypothesis_settings=NO_SHRINK)
    message = str(info.value)
    assert "for truth" in message or prop in ("shape", "no_exceptions")
    assert len(message) < 4_000  # completions and truths are truncated


@pytest.mark.slow  # hypothesis shrinking
def test_failures_are_shrunk_to_a_minimal_example() -> None:
    with pytest.raises(AssertionError) as info:
        check_reward_properties(position_dependent, reward_range=(0.0, 1.0), max_examples=60, seed=3)
    message = str(info.value)
    assert message.startswith("reward property 'permutation_invariant' failed: item moved from position")
    assert " of 2 scored " in message  # the smallest batch that shows it
    # hypothesis reports the shrunk example in the exception's notes (its wording varies by release: read
    # our own rendering of the batch, Batch.__repr__): one item per line, each truncated, all short
    notes = "\n".join(getattr(info.value, "__notes__", []))
    items = [line for line in notes.splitlines() if line.lstrip().startswith("[") and "] case " in line]
    assert 2 <= len(items) <= 3 and len(notes) < 2_000, notes


def test_a_failure_that_does_not_replay_is_still_an_assertion_error() -> None:
    calls = {"n": 0}

    def once_off(prompts: Any = None, completions: Any = None, **kw: Any) -> list[float]:
        calls["n"] += 1  # the second call ever (the determinism re-run of the first batch) differs, then never
        out = _graded(prompts=prompts, completions=completions, **kw)
        return [0.5 * r for r in out] if calls["n"] == 2 else out

    with pytest.raises(AssertionError, match=r"reward property 'deterministic' failed.*did not replay"):
        check_reward_properties(
            once_off, reward_range=(0.0, 1.0), max_examples=10, seed=3, hypothesis_settings=NO_SHRINK
        )


def test_a_reward_that_ignores_arguments_passes_everything_but_mutations() -> None:
    check_reward_properties(names_only, reward_range=(0.0, 1.0), max_examples=20, check_mutations=False, seed=4)


def test_checker_rejects_bad_configuration() -> None:
    with pytest.raises(ValueError, match="reward_range"):
        check_reward_properties(_graded, reward_range=(1.0, 0.0))
    with pytest.raises(ValueError, match="formats"):
        check_reward_properties(_graded, formats=["xml"])
    with pytest.raises(TypeError):
        check_reward_properties("graded")  # type: ignore[arg-type]


def test_checker_on_user_tools_and_text_only_formats() -> None:
    tools = [
        {
            "type": "function",
            "function": {
                "name": "lookup-order",
                "description": "Find an order.",
                "parameters": {
                    "type": "object",
                    "required": ["order_id"],
                    "properties": {
                        "order_id": {"type": "string", "pattern": "^[0-9]{6}$"},
                        "include_items": {"type": "boolean", "default": False},
                    },
                },
            },
        }
    ]
    report = check_reward_properties(
        _graded, reward_range=(0, 1), tools=tools, formats=strategies.TEXT_FORMATS, max_examples=15, seed=5
    )
    assert report.examples == 15


# --------------------------------------------------------------------------------------------------
# Strategies
# --------------------------------------------------------------------------------------------------


@FAST
@given(tools=strategies.tool_schemas())
def test_tool_schemas_are_valid_realistic_specs(tools: list[dict[str, Any]]) -> None:
    assert 1 <= len(tools) <= 4
    compiled = compile_tools(tools)
    assert compiled is not None and len(compiled) == len(tools)
    for spec in tools:
        fn = spec.get("function", spec)
        params = fn["parameters"]
        jsonschema.Draft202012Validator.check_schema(params)
        assert params["required"] and set(params["required"]) <= set(params["properties"])
        for p in params["properties"].values():
            if "default" in p:
                assert jsonschema.Draft202012Validator(p).is_valid(p["default"])


@FAST
@given(case=strategies.cases())
def test_ground_truths_are_valid_and_their_arguments_validate(
    case: tuple[list[dict[str, Any]], dict[str, Any]],
) -> None:
    tools, truth = case
    by_name = {t.get("function", t)["name"]: t.get("function", t) for t in tools}
    rr.score("", truth, tools=tools)  # the library accepts the truth and tools
    if truth["behavior"] == "execute":
        assert 1 <= len(truth["calls"]) <= 3
        for call in truth["calls"]:
            schema = by_name[call["name"]]["parameters"]
            jsonschema.validate(call["arguments"], schema)  # independent of the library's validator
        keys = [json.dumps(c, sort_keys=True) for c in truth["calls"]]
        assert len(set(keys)) == len(keys)
    elif truth["behavior"] == "clarify":
        assert truth["missing"]
        assert any(set(truth["missing"]) <= set(f["parameters"]["required"]) for f in by_name.values())


@pytest.mark.parametrize("fmt", FORMATS)
def test_correct_completions_in_every_format_score_one_under_graded(fmt: str) -> None:
    @FAST
    @given(case=strategies.cases(), data=st.data())
    def check(case: tuple[list[dict[str, Any]], dict[str, Any]], data: st.DataObject) -> None:
        tools, truth = case
        completion = data.draw(strategies.correct_completions(truth, format=fmt))
        if fmt == "openai":
            assert isinstance(completion, dict) and completion["role"] == "assistant"
            for call in completion.get("tool_calls") or []:
                assert isinstance(call["function"]["arguments"], str)
        s = rr.score(completion, truth, tools=tools)
        assert s.reward == 1.0 and s.reason == "ok", (s, completion)
        assert rr.score(completion, truth, tools=tools, preset="binary").reward == 1.0

    check()


def test_pythonic_uses_python_literals() -> None:
    truth = {"behavior": "execute", "calls": [{"name": "f", "arguments": {"a": True, "b": None, "c": [False, 1.5]}}]}
    text = strategies.format_calls(truth["calls"], "pythonic")
    assert text == "[f(a=True, b=None, c=[False, 1.5])]"
    assert rr.score(text, truth).reward == 1.0
    hyphen = {"behavior": "execute", "calls": [{"name": "get-x", "arguments": {}}]}
    assert "pythonic" not in strategies.formats_for(hyphen)


@pytest.mark.parametrize("kind", [k for ks in MUTATION_KINDS.values() for k in ks])
def test_every_mutation_kind_scores_strictly_lower(kind: str) -> None:
    behavior = next(b for b, ks in MUTATION_KINDS.items() if kind in ks)
    needs_two = kind == "missing_call"

    @settings(FAST, max_examples=15)
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        tools, truth = data.draw(
            strategies.cases(behavior=behavior).filter(lambda c: not needs_two or len(c[1]["calls"]) > 1)
        )
        good = data.draw(strategies.correct_completions(truth))
        bad, got = data.draw(strategies.mutations(truth, tools, kinds=[kind]))
        assert got == kind
        for preset in ("graded", "binary"):
            hi = rr.score(good, truth, tools=tools, preset=preset).reward
            lo = rr.score(bad, truth, tools=tools, preset=preset)
            assert lo.reward < hi, (preset, kind, hi, lo, bad)

    check()


def test_not_mutations_score_the_same() -> None:
    """Reordering parallel calls or keys, or spelling an optional argument at its default, is not a mutation."""
    tools = [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "parameters": {
                    "type": "object",
                    "required": ["city"],
                    "properties": {"city": {"type": "string"}, "units": {"type": "string", "default": "metric"}},
                },
            },
        }
    ]
    truth = {
        "behavior": "execute",
        "calls": [
            {"name": "get_weather", "arguments": {"city": "Paris"}},
            {"name": "get_weather", "arguments": {"city": "Oslo"}},
        ],
    }
    swapped = strategies.format_calls(truth["calls"][::-1], "hermes")
    at_default = strategies.format_calls(
        [{"name": "get_weather", "arguments": {"units": "metric", "city": "Paris"}}, truth["calls"][1]], "json"
    )
    for c in (swapped, at_default):
        assert rr.score(c, truth, tools=tools).reward == 1.0


@settings(FAST, max_examples=60)
@given(text=strategies.adversarial_texts(max_chars=20_000))
def test_adversarial_texts_are_bounded_and_never_break_a_preset(text: str) -> None:
    assert isinstance(text, str) and len(text) <= 20_000
    truth = {"behavior": "execute", "calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]}
    for name in rr.list_presets():
        lo, hi = rr.get_preset(name).reward_range
        r = rr.score(text, truth, preset=name).reward
        assert math.isfinite(r) and lo <= r <= hi


# --------------------------------------------------------------------------------------------------
# Fixed examples and the pytest plugin
# --------------------------------------------------------------------------------------------------


def _digest(texts: list[str], cases: list[Any]) -> str:
    return hashlib.sha256(repr((texts, cases)).encode("utf-8", "surrogatepass")).hexdigest()


def test_fixed_examples_are_deterministic_and_correct() -> None:
    texts = strategies.example_adversarial_texts()
    cases = strategies.example_correct_cases()
    assert len(texts) == 50 and len(set(texts)) == 50 and all(isinstance(t, str) for t in texts)
    assert len(cases) == 30
    assert {t["behavior"] for _, t, _ in cases} == {"execute", "clarify", "refuse"}
    assert texts == strategies.example_adversarial_texts() and cases == strategies.example_correct_cases()
    cases[0][1]["behavior"] = "mutated by a test"
    assert strategies.example_correct_cases()[0][1]["behavior"] != "mutated by a test"  # fresh copies
    b = rr.score_batch(
        [c for _, _, c in strategies.example_correct_cases()],
        [t for _, t, _ in strategies.example_correct_cases()],
        tools=[tl for tl, _, _ in strategies.example_correct_cases()],
    )
    assert (b.rewards == 1.0).all()


def test_plugin_fixture_functions_directly() -> None:
    assert kit_plugin.rlvr_check_reward_properties.__wrapped__() is check_reward_properties  # type: ignore[attr-defined]
    assert kit_plugin.rlvr_strategies.__wrapped__() is strategies  # type: ignore[attr-defined]
    assert kit_plugin.rlvr_adversarial_texts.__wrapped__() == strategies.example_adversarial_texts()  # type: ignore[attr-defined]


# Block the entry-point registration (present once pyproject declares it) so `-p` never registers twice.
_PLUGIN_ARGS = ("-p", "no:rlvr_rewards", "-p", "rlvr_rewards.testing.pytest_plugin", "-p", "no:cacheprovider")


@pytest.mark.slow  # a pytest session in a subprocess
def test_the_pytest_plugin_in_a_subprocess_session(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_user=textwrap.dedent("""
        import hashlib
        import rlvr_rewards as rr
        from rlvr_rewards.testing import as_trl_reward

        def test_fixtures(rlvr_check_reward_properties, rlvr_strategies, rlvr_adversarial_texts, rlvr_correct_cases):
            assert len(rlvr_adversarial_texts) == 50 and len(rlvr_correct_cases) == 30
            for tools, truth, completion in rlvr_correct_cases:
                assert rr.score(completion, truth, tools=tools).reward == 1.0
            for text in rlvr_adversarial_texts:
                assert 0.0 <= rr.score(text, rlvr_correct_cases[0][1]).reward <= 1.0
            report = rlvr_check_reward_properties(as_trl_reward("graded"), reward_range=(0.0, 1.0), max_examples=5)
            assert report.examples == 5 and "mutations_lower" in report.properties
            assert "hermes" in rlvr_strategies.FORMATS
            digest = hashlib.sha256(repr((rlvr_adversarial_texts, rlvr_correct_cases)).encode("utf-8", "surrogatepass"))
            open("digest.txt", "w").write(digest.hexdigest())
    """)
    )
    result = pytester.runpytest_subprocess(*_PLUGIN_ARGS)
    result.assert_outcomes(passed=1)
    # the same fixed examples in another process
    expected = _digest(strategies.example_adversarial_texts(), strategies.example_correct_cases())
    assert (pytester.path / "digest.txt").read_text() == expected


def test_the_plugin_never_breaks_a_session_without_hypothesis(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_plain="def test_plain():\n    assert True\n", test_kit="def test_kit(rlvr_strategies):\n    pass\n"
    )
    # Hypothesis "not installed": an import hook refuses it, and entry-point plugins (Hypothesis' own
    # among them, which would not exist either) are not autoloaded
    code = textwrap.dedent(f"""
        import sys

        class NoHypothesis:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] == "hypothesis":
                    raise ImportError("No module named 'hypothesis'")

        sys.meta_path.insert(0, NoHypothesis())
        import pytest
        sys.exit(pytest.main([*{list(_PLUGIN_ARGS)!r}, "-q"]))
    """)
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=pytester.path, capture_output=True, text=True, timeout=120, env=env
    )
    assert "1 passed, 1 error" in proc.stdout, proc.stdout + proc.stderr
    assert 'pip install "rlvr-rewards[testing]"' in proc.stdout
