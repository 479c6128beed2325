"""TRL's tool mode under trajectory truths: a row whose truth is ``{"behavior": "trajectory", ...}`` has its
whole rollout ``[assistant(tool_calls), tool(result), assistant(answer), ...]`` scored by the trajectory path
(the final answer included), not merged into one message; rows with single-step truths keep the merge
(tests/test_trl_tools.py).

The fast tests use completions of the shapes TRL 1.16's ``_tool_call_loop`` builds (``content`` ``''`` on a
calling message, ``arguments`` a dict, a failed call's result ``str({"error": ...})``). The slow test runs a real
``GRPOTrainer(tools=[...])`` step, as tests/test_trl_tools.py does: a tiny Qwen2 built from a config, a tokenizer
trained here with TRL's own Qwen2.5 chat template, and a ``sequence_bias`` generation config that makes the random
model sample scripted turns, here including two final answers after the same right call (tests/helpers.py builds
them for the three TRL test modules).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import rlvr_rewards as rr
from rlvr_rewards.errors import GroundTruthError
from rlvr_rewards.integrations.trl import component_reward_funcs, make_reward_func, merge_tool_loop

from .helpers import SequenceBias, call, execute, hermes_call, require

PARIS = call("get_weather", city="Paris")
SINGLE = execute(PARIS)
TRAJECTORY = {"behavior": "trajectory", "turns": [{"calls": [PARIS]}], "outcome": {"answer_contains": ["Paris"]}}


def _call(city: Any) -> dict[str, Any]:  # TRL's parse_response shape
    return {"type": "function", "function": {"name": "get_weather", "arguments": {"city": city}}}


def _calling(*cities: Any) -> dict[str, Any]:
    return {"role": "assistant", "tool_calls": [_call(c) for c in cities], "content": ""}


def _tool(city: str) -> dict[str, Any]:
    return {"role": "tool", "name": "get_weather", "content": f"Sunny in {city}"}


def _answer(text: str) -> dict[str, Any]:
    return {"role": "assistant", "content": text}


RIGHT = [_calling("Paris"), _tool("Paris"), _answer("It is sunny in Paris.")]
RIGHT_BAD_ANSWER = [_calling("Paris"), _tool("Paris"), _answer("It is raining.")]
WRONG = [_calling("London"), _tool("London"), _answer("It is sunny in Paris.")]
CORRECTED = [_calling("London"), _tool("London"), _calling("Paris"), _tool("Paris"), _answer("It is sunny in Paris.")]
QUESTION = [_answer("Which city?")]


def _rewards(completions: list[Any], truth: Any = TRAJECTORY, **kwargs: Any) -> list[float]:
    fn = make_reward_func(**kwargs)
    return fn(prompts=None, completions=completions, ground_truth=[json.dumps(truth)] * len(completions))


# ---------------------------------------------------------------------------------------------- fast


def test_trajectory_rows_are_scored_whole_by_the_trajectory_path() -> None:
    completions = [RIGHT, RIGHT_BAD_ANSWER, WRONG, CORRECTED, QUESTION]
    rewards = _rewards(completions)
    direct = rr.score_batch(completions, [TRAJECTORY] * len(completions))
    assert rewards == [float(r) for r in direct.rewards]
    assert set(direct.expected) == {"trajectory"}
    assert rewards[0] == 1.0 > rewards[1]  # the final answer counts: the same right call, a wrong answer
    assert rewards[0] > rewards[3] > rewards[4] and rewards[0] > rewards[2]
    # The merge (what a single-step truth gets) could not tell the two answers apart.
    merged = rr.score_batch([merge_tool_loop(c).scored for c in completions[:2]], [SINGLE] * 2)
    assert merged.rewards[0] == merged.rewards[1] == 1.0


def test_single_step_rows_keep_the_merge_in_the_same_batch() -> None:
    completions = [RIGHT_BAD_ANSWER, RIGHT_BAD_ANSWER, CORRECTED, CORRECTED]
    truths = [json.dumps(TRAJECTORY), SINGLE, TRAJECTORY, json.dumps(SINGLE)]
    rewards = make_reward_func()(prompts=None, completions=completions, ground_truth=truths)
    as_trajectory = rr.score_batch([RIGHT_BAD_ANSWER, CORRECTED], [TRAJECTORY] * 2).rewards
    as_merged = rr.score_batch([merge_tool_loop(c).scored for c in (RIGHT_BAD_ANSWER, CORRECTED)], [SINGLE] * 2).rewards
    assert rewards == [as_trajectory[0], as_merged[0], as_trajectory[1], as_merged[1]]
    assert rewards[0] < rewards[1] == 1.0  # the trajectory row is docked for its answer, the single-step row is not


def test_reward_model_column_and_row_shaped_truths_are_recognised() -> None:
    fn = make_reward_func()
    rows = [{"ground_truth": TRAJECTORY}, {"ground_truth": json.dumps(TRAJECTORY)}]
    got = fn(prompts=None, completions=[RIGHT_BAD_ANSWER] * 2, reward_model=rows)
    assert got == [float(rr.score_batch([RIGHT_BAD_ANSWER], [TRAJECTORY]).rewards[0])] * 2
    row = {"reward_model": {"ground_truth": TRAJECTORY}}  # a whole veRL row as the truth value
    assert fn(prompts=None, completions=[RIGHT_BAD_ANSWER], ground_truth=[row]) == got[:1]


def test_turn_and_step_statistics_are_logged() -> None:
    logged: dict[str, float] = {}
    completions = [RIGHT, CORRECTED, QUESTION, RIGHT]
    truths = [TRAJECTORY, TRAJECTORY, TRAJECTORY, SINGLE]
    make_reward_func()(prompts=None, completions=completions, ground_truth=truths, log_metric=logged.__setitem__)
    batch = rr.score_batch(completions[:3], truths[:3])
    turns = np.concatenate(batch.turn_rewards)
    steps = np.concatenate(batch.step_rewards)
    assert logged["rlvr/trajectory_share"] == 0.75
    assert logged["rlvr/trajectory_steps"] == len(steps) / 3 == 2.0  # 2 + 3 + 1 assistant messages
    assert math.isclose(logged["rlvr/turn_reward_mean"], float(turns.mean()))
    assert logged["rlvr/turn_reward_min"] == float(turns.min()) < 1.0
    assert math.isclose(logged["rlvr/step_reward_mean"], float(steps.mean()))
    assert logged["rlvr/step_reward_min"] == float(steps.min())
    for name in ("turns", "outcome", "efficiency", "grounding"):
        assert f"rlvr/{name}" in logged, sorted(logged)
    # the tool-loop shape counts every tool loop; unscored answers only the merged ones (the single-step row's)
    assert logged["rlvr/tool_loop_share"] == 0.75 and logged["rlvr/tool_loop_unscored_answers"] == 1.0


def test_no_trajectory_metrics_without_trajectory_rows() -> None:
    logged: dict[str, float] = {}
    make_reward_func()(prompts=None, completions=[RIGHT], ground_truth=[SINGLE], log_metric=logged.__setitem__)
    assert not [k for k in logged if "trajectory" in k or "turn_reward" in k or "step_reward" in k]
    assert "rlvr/turns" not in logged


def test_component_functions_report_trajectory_components() -> None:
    funcs = {f.__name__: f for f in component_reward_funcs(("arguments", "turns", "outcome"))}
    completions = [RIGHT_BAD_ANSWER, RIGHT_BAD_ANSWER]
    truths = [TRAJECTORY, SINGLE]
    got = {name: fn(prompts=None, completions=completions, ground_truth=truths) for name, fn in funcs.items()}
    assert got == {"rlvr_arguments": [1.0, 1.0], "rlvr_turns": [1.0, None], "rlvr_outcome": [0.0, None]}
    # a batch without trajectory rows has no trajectory columns: not applicable
    assert funcs["rlvr_turns"](prompts=None, completions=[RIGHT], ground_truth=[SINGLE]) == [None]


def test_a_bad_trajectory_truth_names_the_item_and_the_field() -> None:
    bad = {"behavior": "trajectory", "turns": [{"calls": [PARIS]}, {"behavior": "clarify", "calls": [PARIS]}]}
    with pytest.raises(GroundTruthError) as info:
        make_reward_func()(prompts=None, completions=[RIGHT, RIGHT], ground_truth=[TRAJECTORY, bad])
    text = str(info.value)
    assert "item 1" in text and "turns" in text, text


def test_hostile_trajectories_floor_and_never_raise() -> None:
    hostile: list[Any] = [
        [],
        [None, 42, "text", {"role": "assistant"}],
        [{"role": "assistant", "tool_calls": "get_weather(Paris)", "content": ""}, _tool("Paris")],
        [{"role": "tool", "content": {"error": "no call before me"}}],
        [_calling("Paris"), {"role": "tool", "name": "get_weather", "content": "{'error': 'boom'}"}] * 600,
        [{"role": "assistant", "content": [{"text": 5}], "tool_calls": [42]}],
    ]
    rewards = _rewards(hostile)
    assert rewards == [float(r) for r in rr.score_batch(hostile, [TRAJECTORY] * len(hostile)).rewards]
    assert all(0.0 <= r < 1.0 for r in rewards)


def test_an_integer_beyond_64_bits_in_the_arguments_does_not_raise() -> None:
    rollout = [_calling(2**70), _tool("Paris"), _answer("It is sunny in Paris.")]
    assert _rewards([rollout]) == [float(rr.score_batch([rollout], [TRAJECTORY]).rewards[0])]


# ---------------------------------------------------------------------------------------------- slow


PROMPT = [{"role": "user", "content": "Weather in Paris?"}]
FIRST_CALLS = [hermes_call("get_weather", city="Paris"), hermes_call("get_weather", city="London")]
ANSWERS = ["It is sunny in Paris.", "It is raining."]


def _scripted_bias(tokenizer: Any, tools: list[Any]) -> list[list[Any]]:
    """``sequence_bias`` entries for the scripted turns. First turn: a right call, a wrong call or a question
    (a little less likely, so that 12 rollouts show every shape); after a London result the model calls again
    with Paris; after a Paris result it answers right (names Paris) or wrong."""
    bias = SequenceBias(tokenizer, PROMPT, tools)
    return (
        bias.first_turn(FIRST_CALLS)
        + bias.first_turn(["Which city?"], 58.0)
        + bias.after_tool("Sunny in London", [hermes_call("get_weather", city="Paris")])
        + bias.after_tool("Sunny in Paris", ANSWERS)
    )


def _shape(completion: list[dict[str, Any]]) -> tuple[Any, ...]:
    """The cities called, in order, then the final assistant text (None when the rollout ends on a result)."""
    cities = [c["function"]["arguments"]["city"] for m in completion for c in m.get("tool_calls") or []]
    last = completion[-1]
    return (*cities, last.get("content") if last.get("role") == "assistant" else None)


@pytest.mark.slow
def test_real_grpo_tool_loop_step_scores_trajectories(tmp_path: Path) -> None:
    for module in ("torch", "transformers", "trl", "datasets"):
        require(module)
    from datasets import Dataset
    from transformers.utils import get_json_schema
    from trl import GRPOTrainer

    from .helpers import recording_weather, tiny_grpo_config, tiny_qwen2, tool_prompt_tokenizer

    executed: list[str] = []
    get_weather = recording_weather(executed)
    corpus = [*FIRST_CALLS, *ANSWERS, "Which city?", PROMPT[0]["content"]] * 10
    tokenizer = tool_prompt_tokenizer(corpus, PROMPT, [get_weather])
    dataset = Dataset.from_list([{"prompt": PROMPT, "ground_truth": json.dumps(TRAJECTORY)}] * 12)

    received: list[Any] = []
    returned: list[float] = []
    metrics: dict[str, list[float]] = {}
    ours = make_reward_func(tools=[get_weather])  # the trainer's own tools: no tools column in the dataset

    def rlvr_graded(**kwargs: Any) -> list[float]:
        received.extend(json.loads(json.dumps(kwargs["completions"])))  # (a copy: as TRL handed them over)
        log_metric = kwargs["log_metric"]

        def spy(name: str, value: float) -> None:
            metrics.setdefault(name, []).append(value)
            log_metric(name, value)

        rewards = ours(**{**kwargs, "log_metric": spy})
        returned.extend(rewards)
        return rewards

    args = tiny_grpo_config(
        tmp_path,
        per_device_train_batch_size=12,
        num_generations=12,
        max_completion_length=128,
        generation_kwargs={"sequence_bias": _scripted_bias(tokenizer, [get_weather])},
    )
    trainer = GRPOTrainer(
        model=tiny_qwen2(tokenizer),
        processing_class=tokenizer,
        reward_funcs=[rlvr_graded],
        args=args,
        train_dataset=dataset,
        tools=[get_weather],
    )
    trainer.train()

    # TRL's own loop ran the tool and handed us its whole rollouts (one group: one prompt, 12 generations).
    assert "Paris" in executed and "London" in executed, executed
    assert len(received) == len(returned) == 12

    # Our rewards are the trajectory path's on the unmerged message lists.
    spec = get_json_schema(get_weather)
    expected = rr.score_batch(received, [TRAJECTORY] * len(received), tools=[[spec]] * len(received))
    assert set(expected.expected) == {"trajectory"}
    assert returned == [float(r) for r in expected.rewards]

    by_shape: dict[tuple[Any, ...], set[float]] = {}
    for completion, reward in zip(received, returned, strict=True):
        by_shape.setdefault(_shape(completion), set()).add(reward)
    right, right_bad = by_shape[("Paris", ANSWERS[0])], by_shape[("Paris", ANSWERS[1])]
    corrected, corrected_bad = by_shape[("London", "Paris", ANSWERS[0])], by_shape[("London", "Paris", ANSWERS[1])]
    assert right == {1.0}, by_shape
    # The same right call followed by a wrong answer: docked on the trajectory path only (the merge scores 1.0).
    assert max(right_bad) < 1.0 and rr.score_batch([_calling("Paris")], [SINGLE]).rewards[0] == 1.0, by_shape
    question = by_shape[("Which city?",)]
    assert min(right_bad) > max(corrected) and min(corrected) > max(corrected_bad) > max(question), by_shape

    # The group is mixed: the rewards the trainer logged vary within it.
    logged = {k: v for entry in trainer.state.log_history for k, v in entry.items()}
    assert logged["rewards/rlvr_graded/std"] > 0 and logged["frac_reward_zero_std"] == 0
    assert math.isclose(logged["rewards/rlvr_graded/std"], float(np.std(returned, ddof=1)), rel_tol=1e-5), logged
    assert math.isclose(logged["rewards/rlvr_graded/mean"], float(np.mean(returned)), rel_tol=1e-5), logged
    # ... and the trajectory statistics reached the trainer's log.
    assert metrics["rlvr/trajectory_share"] == [1.0]
    for key in ("rlvr/turns", "rlvr/outcome", "rlvr/turn_reward_mean", "rlvr/turn_reward_min", "rlvr/step_reward_mean"):
        assert key in logged, sorted(logged)
        assert math.isclose(logged[key], metrics[key][0], rel_tol=1e-6)
    assert logged["rlvr/turn_reward_min"] < 1.0 and logged["rlvr/trajectory_steps"] > 1
    assert "rlvr/tool_loop_unscored_answers" not in logged  # nothing was merged
