"""TRL's tool mode: ``GRPOTrainer(tools=[...])`` hands reward functions message lists
``[assistant(tool_calls), tool(result), assistant(answer), ...]``; our adapter scores the calls made in the
whole rollout (merged in order), not the last message.

The fast tests use completions captured from TRL 1.16's ``_tool_call_loop`` (its exact shapes: ``content``
``''`` on a calling message, ``arguments`` a dict). The slow test runs a real ``GRPOTrainer(tools=[...])``
step: a tiny Qwen2 built from a config, a tokenizer trained here with TRL's own Qwen2.5 chat template (so
TRL's ``add_response_schema`` / ``parse_response`` parse the calls), and a ``sequence_bias`` generation
config (a stock transformers logits processor, through ``GRPOConfig(generation_kwargs=...)``) that makes the
random model sample scripted turns (tests/helpers.py builds them). TRL's own loop parses the calls, runs the
tool, appends the result and generates again; our reward function receives TRL's own completion objects.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import rlvr_rewards as rr
from rlvr_rewards.errors import ConfigError
from rlvr_rewards.integrations.trl import component_reward_funcs, make_reward_func, merge_tool_loop

from .helpers import call, execute, hermes, hermes_call, require

TRUTH = execute(call("get_weather", city="Paris"))


def get_weather(city: str) -> str:
    """Get the current weather in a city.

    Args:
        city: The city name.
    """
    return f"Sunny in {city}"


def _call(city: Any) -> dict[str, Any]:  # TRL's parse_response shape
    return {"type": "function", "function": {"name": "get_weather", "arguments": {"city": city}}}


def _calling(*cities: Any) -> dict[str, Any]:
    return {"role": "assistant", "tool_calls": [_call(c) for c in cities], "content": ""}


def _tool(city: str) -> dict[str, Any]:
    return {"role": "tool", "name": "get_weather", "content": f"Sunny in {city}"}


ANSWER = {"role": "assistant", "content": "It is sunny."}


def _rewards(completions: list[Any], **kwargs: Any) -> list[float]:
    fn = make_reward_func(**kwargs)
    return fn(prompts=None, completions=completions, ground_truth=[json.dumps(TRUTH)] * len(completions))


def _score(completions: list[Any], **kwargs: Any) -> list[float]:
    return [float(r) for r in rr.score_batch(completions, [TRUTH] * len(completions), **kwargs).rewards]


# ---------------------------------------------------------------------------------------------- fast


def test_tool_loop_completions_score_the_calls_not_the_final_answer() -> None:
    good = [_calling("Paris"), _tool("Paris"), ANSWER]
    wrong = [_calling("London"), _tool("London"), ANSWER]
    cut = [_calling("Paris"), _tool("Paris")]
    clarify = [{"role": "assistant", "content": "Which city?"}]
    rewards = _rewards([good, wrong, cut, clarify])
    assert rewards == _score(
        [
            hermes(call("get_weather", city="Paris")),
            hermes(call("get_weather", city="London")),
            hermes(call("get_weather", city="Paris")),
            "Which city?",
        ]
    )
    assert rewards[0] == rewards[2] == 1.0 > rewards[1] > rewards[3]
    # Before: the last assistant message ("It is sunny.") was scored, the same for a right and a wrong call.
    old = _score([good, wrong, cut])
    assert old[0] == old[1] and rewards[0] != old[0]


def test_calls_of_every_turn_are_merged_in_order() -> None:
    two_turns = [_calling("London"), _tool("London"), _calling("Paris"), _tool("Paris"), ANSWER]
    merged = merge_tool_loop(two_turns)
    assert merged.tool_loop and merged.tool_turns == 2 and merged.calls == 2 and merged.unscored_answers == 1
    assert merged.scored["tool_calls"] == [_call("London"), _call("Paris")]
    assert _rewards([two_turns]) == _score([_calling("London", "Paris")])


def test_final_answer_is_not_text_with_call_but_text_in_the_calling_turn_is() -> None:
    batch = rr.score_batch([merge_tool_loop([_calling("Paris"), _tool("Paris"), ANSWER]).scored], [TRUTH])
    assert batch.rewards[0] == 1.0 and batch.reasons[0] == "ok"
    chatty = [{**_calling("Paris"), "content": "Let me look."}, _tool("Paris"), ANSWER]
    assert _rewards([chatty]) == _score([{**_calling("Paris"), "content": "Let me look."}])


def test_single_message_and_plain_lists_are_unchanged() -> None:
    for completion in (
        [_calling("Paris")],
        [ANSWER],
        "text",
        {"role": "assistant", "content": "x"},
        [],
        [{"role": "user", "content": "hi"}, ANSWER],
    ):
        merged = merge_tool_loop(completion)
        assert merged.scored is completion and not merged.tool_loop


def test_malformed_trajectories_floor_and_never_raise() -> None:
    bad = [{"role": "assistant", "tool_calls": "get_weather(Paris)", "content": ""}, _tool("Paris"), ANSWER]
    odd = [_calling("Paris"), "not a message", None, _tool("Paris"), {"role": "assistant", "tool_calls": [42]}]
    rewards = _rewards([bad, odd])
    assert rewards == _score([merge_tool_loop(bad).scored, merge_tool_loop(odd).scored])
    assert all(r < 1.0 for r in rewards)


def test_tool_loop_metrics_are_logged() -> None:
    logged: dict[str, float] = {}
    fn = make_reward_func()
    fn(
        prompts=None,
        completions=[[_calling("Paris"), _tool("Paris"), ANSWER], [ANSWER]],
        ground_truth=[TRUTH, TRUTH],
        log_metric=logged.__setitem__,
    )
    assert logged["rlvr/tool_loop_share"] == 0.5
    assert logged["rlvr/tool_loop_tool_turns"] == logged["rlvr/tool_loop_calls"] == 1.0
    assert logged["rlvr/tool_loop_unscored_answers"] == 1.0


def test_trainer_tools_as_callables_and_from_environments() -> None:
    pytest.importorskip("transformers")
    from transformers.utils import get_json_schema

    bad_type = [_calling(5), _tool("5"), ANSWER]
    spec = get_json_schema(get_weather)
    with_tools = _rewards([bad_type], tools=[get_weather])
    assert with_tools == _score([_calling(5)], tools=[[spec]]) != _score([_calling(5)])
    # a tools column wins where it has a value; the function's tools fill the rows without one
    fn = make_reward_func(tools=[get_weather])
    assert fn(prompts=None, completions=[bad_type, bad_type], ground_truth=[TRUTH, TRUTH], tools=[[], None]) == _score(
        [_calling(5)] * 2, tools=[[], [spec]]
    )

    class WeatherEnv:
        def reset(self, **kwargs: Any) -> None:
            return None

        def get_weather(self, city: str) -> str:
            """Get the current weather in a city.

            Args:
                city: The city name.
            """
            return city

    rewards = make_reward_func()(
        prompts=None, completions=[bad_type], ground_truth=[TRUTH], environments=[WeatherEnv()]
    )
    assert rewards == with_tools
    comps = {f.__name__: f for f in component_reward_funcs(tools=[get_weather])}
    assert comps["rlvr_schema"](prompts=None, completions=[bad_type], ground_truth=[TRUTH]) == [0.0]


def test_uninterpretable_tools_name_the_item() -> None:
    pytest.importorskip("transformers")  # (reading a callable's schema needs it: the 'trl' extra)

    def no_doc(city: str) -> str:
        return city

    with pytest.raises(ConfigError, match=r"tools\[0\] \(no_doc\)"):
        make_reward_func(tools=[no_doc])
    with pytest.raises(ConfigError, match="list of callables"):
        make_reward_func(tools=get_weather)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------- slow


@pytest.mark.slow
def test_real_grpo_tool_loop_step_scores_the_calls(tmp_path: Path) -> None:
    for module in ("torch", "transformers", "trl", "datasets"):
        require(module)
    from datasets import Dataset
    from transformers.utils import get_json_schema
    from trl import GRPOTrainer

    from .helpers import SequenceBias, recording_weather, tiny_grpo_config, tiny_qwen2, tool_prompt_tokenizer

    executed: list[str] = []
    get_weather = recording_weather(executed)
    prompt = [{"role": "user", "content": "Weather in Paris?"}]
    weather = [hermes_call("get_weather", city="Paris"), hermes_call("get_weather", city="London")]
    corpus = [*weather, "It is sunny.", "Which city?", prompt[0]["content"]] * 10
    tokenizer = tool_prompt_tokenizer(corpus, prompt, [get_weather])

    # First turn: a right call, a wrong call or a question; after a London result the model calls again with
    # Paris; after a Paris result it answers.
    bias = SequenceBias(tokenizer, prompt, [get_weather])
    sequence_bias = (
        bias.first_turn([*weather, "Which city?"])
        + bias.after_tool("Sunny in London", [hermes_call("get_weather", city="Paris")])
        + bias.after_tool("Sunny in Paris", ["It is sunny."])
    )
    model = tiny_qwen2(tokenizer)
    dataset = Dataset.from_list([{"prompt": prompt, "ground_truth": json.dumps(TRUTH)}] * 12)

    received: list[Any] = []
    returned: list[float] = []
    ours = make_reward_func(tools=[get_weather])  # the trainer's own tools: no tools column in the dataset

    def rlvr_graded(**kwargs: Any) -> list[float]:
        received.extend(kwargs["completions"])
        rewards = ours(**kwargs)
        returned.extend(rewards)
        return rewards

    args = tiny_grpo_config(
        tmp_path,
        per_device_train_batch_size=12,
        num_generations=12,
        max_completion_length=128,
        generation_kwargs={"sequence_bias": sequence_bias},
    )
    trainer = GRPOTrainer(
        model=model,
        processing_class=tokenizer,
        reward_funcs=[rlvr_graded],
        args=args,
        train_dataset=dataset,
        tools=[get_weather],
    )
    trainer.train()

    # TRL's own loop ran the tool and handed us its trajectories.
    assert "Paris" in executed and "London" in executed, executed
    loops = [c for c in received if any(m.get("role") == "tool" for m in c)]
    assert loops and len(loops) < len(received), received  # some rollouts called, some asked

    # Our rewards equal rr.score_batch on the calls those completions hold (every assistant turn's calls, in order).
    def calls_of(completion: list[dict[str, Any]]) -> Any:
        calls = [c for m in completion if m.get("role") == "assistant" for c in m.get("tool_calls") or []]
        return {"role": "assistant", "content": "", "tool_calls": calls} if calls else completion[-1]["content"]

    spec = get_json_schema(get_weather)
    expected = rr.score_batch([calls_of(c) for c in received], [TRUTH] * len(received), tools=[[spec]] * len(received))
    assert returned == [float(r) for r in expected.rewards]

    by_first_city = {}
    for completion, reward in zip(received, returned, strict=True):
        first = completion[0].get("tool_calls")
        by_first_city.setdefault(first[0]["function"]["arguments"]["city"] if first else None, set()).add(reward)
    assert by_first_city["Paris"] == {1.0}
    assert max(by_first_city["London"]) < 1.0  # wrong, then corrected: two calls for one expected
    assert max(by_first_city.get(None, {0.0})) < 1.0
    logged = {k: v for entry in trainer.state.log_history for k, v in entry.items()}
    assert logged["rewards/rlvr_graded/std"] > 0 and logged["frac_reward_zero_std"] == 0
    assert logged["tools/call_frequency"] > 0
    for key in ("rlvr/tool_loop_share", "rlvr/tool_loop_tool_turns", "rlvr/tool_loop_calls", "rlvr/schema"):
        assert key in logged, sorted(logged)
    assert logged["rlvr/tool_loop_tool_turns"] > 1  # the London rollouts made two calling turns
