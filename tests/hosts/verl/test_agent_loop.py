"""veRL 0.9.1's own agent loop carries our turn rewards into its batch, for right and wrong trajectories.

Real (veRL's own code, unchanged): ``RLHFDataset`` and ``collate_fn`` (parquet rows with an ``agent_name``),
``RayPPOTrainer._get_gen_batch`` (the rollout batch the trainer sends), ``AgentLoopWorker.generate_sequences``
(one agent loop per row, ``_agent_loop_postprocess``, ``_compute_score``, ``_postprocess``), ``ToolAgentLoop``
(``tool_agent``: its state machine, the Hermes ``ToolParser``, a ``FunctionTool`` loaded by ``load_all_tools`` from
``multi_turn.function_tool_path`` and run on the parsed arguments, Continuous Token with the Qwen builder rendering
tool and user messages into the response tokens), ``RewardLoopWorker`` with the ``naive`` reward manager and our
``compute_score`` loaded from veRL's default trainer config (``reward_kwargs.trajectory_keys: true``), then
``extract_reward`` and ``process_validation_metrics`` as the trainer reads rewards.

Built here, and why:

- the model: :class:`ScriptedModel` stands in for veRL's ``LLMServerClient`` (vLLM / SGLang servers behind a Ray
  load balancer, GPU only): ``generate`` returns the token ids of the scripted assistant reply for the prompt it
  gets (chosen by the row's marker in the user request and the number of assistant turns so far). What it returns
  goes through veRL's code like a server's output;
- user turns: veRL 0.9.1 has no user simulation (``ToolAgentLoop`` ends a rollout when the model answers without
  a call), so a multi-turn conversation comes from a user's own agent loop. :class:`UserTurnsAgentLoop`,
  registered with veRL's ``register``, is ``ToolAgentLoop`` with one override: after an answer it appends the next
  of the row's ``extra_info.followups`` as a user message with veRL's ``ct_merge_context_msg`` (as
  ``ToolAgentLoop`` appends tool messages) and generates again;
- in process, the reward-loop worker handle: ``handle.compute_score.remote(data)`` returns the coroutine of veRL's
  ``RewardLoopWorker.compute_score``, which the agent loop awaits as it awaits a Ray ``ObjectRef``. The test marked
  slow uses real Ray actors instead (``RewardLoopManager(config).reward_loop_worker_handles``).

Every expected value is ``rr.score`` on the message list the agent loop built (written out here); the decoded
response veRL hands our function is checked to rebuild to that same list.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import rlvr_rewards as rr
from rlvr_rewards.integrations import verl as ours

from ...helpers import TOOLS, call, hermes
from .conftest import weather_result
from .test_reward_loop import verl_config  # (skips without veRL and its dependencies)


def require_agent_loop_dependencies() -> None:
    """veRL's agent loop imports these at import time (veRL's own ``verl-core`` extra, not its base requirements;
    the ``verl`` extra of pyproject.toml must install them): skip without them, fail in CI."""
    missing = []
    for module in ("cachetools", "uvicorn", "fastapi"):
        try:
            importlib.import_module(module)
        except ImportError:
            missing.append(module)
    if missing:
        message = f"veRL's agent loop needs {missing} (add them to the 'verl' extra of pyproject.toml)"
        if os.environ.get("CI"):
            raise ImportError(message)
        pytest.skip(message, allow_module_level=True)


require_agent_loop_dependencies()

from verl import DataProto  # noqa: E402
from verl.experimental.agent_loop.agent_loop import AgentLoopWorker, register  # noqa: E402
from verl.experimental.agent_loop.tool_agent_loop import AgentData, AgentState, ToolAgentLoop  # noqa: E402
from verl.workers.rollout.replica import TokenOutput  # noqa: E402

PROMPT_LENGTH = 256
RESPONSE_LENGTH = 1024


def called(city: str) -> dict[str, str]:
    return {"role": "assistant", "content": hermes(call("get_weather", city=city))}


def result(city: str) -> dict[str, str]:
    return {"role": "tool", "content": weather_result(city)}


def said(text: str) -> dict[str, str]:
    return {"role": "assistant", "content": text}


def asked(text: str) -> dict[str, str]:
    return {"role": "user", "content": text}


PARIS = {"calls": [call("get_weather", city="Paris")], "answer_contains": ["21"]}
ROME = {"calls": [call("get_weather", city="Rome")], "answer_contains": ["18"]}
TWO_TURNS = {"behavior": "trajectory", "turns": [PARIS, ROME]}
ONE_TURN = {"behavior": "trajectory", "turns": [PARIS]}
SINGLE_STEP = {"behavior": "execute", "calls": [call("get_weather", city="Paris")]}

#: name -> (agent loop, truth, the messages the agent loop builds after the prompt)
ROWS: dict[str, tuple[str, dict[str, Any], list[dict[str, str]]]] = {
    "two-right": (
        "rlvr_user_turns",
        TWO_TURNS,
        [
            called("Paris"),
            result("Paris"),
            said("It is 21 C in Paris."),
            asked("And in Rome?"),
            called("Rome"),
            result("Rome"),
            said("It is 18 C in Rome."),
        ],
    ),
    "two-wrong": (  # the first turn as above; the second calls for the wrong city and answers from it
        "rlvr_user_turns",
        TWO_TURNS,
        [
            called("Paris"),
            result("Paris"),
            said("It is 21 C in Paris."),
            asked("And in Rome?"),
            called("Lyon"),
            result("Lyon"),
            said("It is 15 C in Rome."),
        ],
    ),
    "one-right": ("tool_agent", ONE_TURN, [called("Paris"), result("Paris"), said("It is 21 C in Paris.")]),
    "one-wrong": ("tool_agent", ONE_TURN, [called("Lyon"), result("Lyon"), said("It is 15 C in Paris.")]),
    "single-step": ("tool_agent", SINGLE_STEP, [called("Paris"), result("Paris"), said("It is 21 C in Paris.")]),
}
NAMES = list(ROWS)


def replies(name: str) -> list[str]:
    return [m["content"] for m in ROWS[name][2] if m["role"] == "assistant"]


def followups(name: str) -> list[str]:
    return [m["content"] for m in ROWS[name][2] if m["role"] == "user"]


@register("rlvr_user_turns")
class UserTurnsAgentLoop(ToolAgentLoop):
    """veRL's tool agent loop with user turns: after an answer, the row's next follow-up is appended as a user
    message (rendered into the response by veRL's Continuous Token builder, mask 0) and the model generates again."""

    async def run(self, sampling_params: dict[str, Any], **kwargs: Any) -> Any:
        self.followups = list((kwargs.get("extra_info") or {}).get("followups") or [])
        return await super().run(sampling_params, **kwargs)

    async def _handle_generating_state(
        self, agent_data: AgentData, sampling_params: dict[str, Any], ignore_termination: bool = False
    ) -> AgentState:
        state = await super()._handle_generating_state(agent_data, sampling_params, ignore_termination)
        answered = not agent_data.tool_calls and agent_data.messages[-1]["role"] == "assistant"
        if state != AgentState.TERMINATED or not answered or not self.followups:
            return state
        previous = list(agent_data.messages)
        agent_data.messages.append({"role": "user", "content": self.followups.pop(0)})
        merged, mask, _ = await self.ct_merge_context_msg(
            previous,
            agent_data.messages,
            agent_data.prompt_ids,
            agent_data.response_mask,
            None,
            tools=agent_data._active_tool_schemas,
        )
        agent_data.prompt_ids, agent_data.response_mask = merged.token_ids, mask
        agent_data.user_turns += 1
        return AgentState.GENERATING


class ScriptedModel:
    """The model behind veRL's ``LLMServerClient.generate``: the scripted reply for the prompt, then ``<|im_end|>``
    (where a server stops), as token ids."""

    def __init__(self, tokenizer: Any) -> None:
        self.tokenizer = tokenizer

    async def generate(self, request_id: str, *, prompt_ids: list[int], **kwargs: Any) -> TokenOutput:
        prompt = self.tokenizer.decode(prompt_ids)
        found = re.search(r"\[([a-z-]+)\]", prompt)
        assert found is not None, prompt
        turn = prompt.count("<|im_start|>assistant") - 1  # the generation prompt opens the current one
        text = replies(found.group(1))[turn] + "<|im_end|>"
        return TokenOutput(token_ids=self.tokenizer.encode(text, add_special_tokens=False), stop_reason="completed")


class InProcessRewardHandle:
    """Ray's actor-call shape (``await handle.compute_score.remote(data)``) around veRL's own ``RewardLoopWorker``."""

    def __init__(self, worker: Any) -> None:
        self.worker = worker
        self.compute_score = self

    def remote(self, data: DataProto) -> Any:
        return self.worker.compute_score(data)


@pytest.fixture(scope="module")
def agent_parquet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One row per rollout, veRL's layout; truths and tools as JSON text, the follow-ups in ``extra_info``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = []
    for i, (name, (agent, truth, _)) in enumerate(ROWS.items()):
        extra: dict[str, Any] = {"index": i, "tools": json.dumps(TOOLS)}
        if followups(name):
            extra["followups"] = followups(name)
        table.append(
            {
                "data_source": "rlvr_rewards/agent",
                "agent_name": agent,
                "prompt": [{"role": "user", "content": f"[{name}] What is the weather in Paris?"}],
                "ability": "tool_use",
                "reward_model": {"style": "rule", "ground_truth": json.dumps(truth)},
                "extra_info": extra,
            }
        )
    path = tmp_path_factory.mktemp("agent") / "agent.parquet"
    pq.write_table(pa.Table.from_pylist(table), path)
    return path


def agent_config(model_dir: Path, tool_file: Path, **reward_kwargs: Any) -> Any:
    """veRL's default trainer config with our reward function and the tool agent loop's settings."""
    cfg = verl_config(model_dir, "naive", reward_kwargs=reward_kwargs or None)
    rollout = cfg.actor_rollout_ref.rollout
    rollout.name = "vllm"  # (mandatory in the config; no server is started)
    rollout.prompt_length = PROMPT_LENGTH
    rollout.response_length = RESPONSE_LENGTH
    rollout.multi_turn.format = "hermes"
    rollout.multi_turn.function_tool_path = str(tool_file)
    return cfg


def trainer_batch(config: Any, parquet: Path, tmp_path: Path) -> tuple[DataProto, DataProto]:
    """(the training batch, the rollout batch ``RayPPOTrainer._get_gen_batch`` makes of it)."""
    from omegaconf import OmegaConf
    from verl.trainer.ppo.ray_trainer import RayPPOTrainer
    from verl.utils import hf_tokenizer
    from verl.utils.dataset.rl_dataset import RLHFDataset, collate_fn

    tok = hf_tokenizer(config.actor_rollout_ref.model.tokenizer_path)
    data = OmegaConf.create(
        {"cache_dir": str(tmp_path / "cache"), "prompt_key": "prompt", "max_prompt_length": PROMPT_LENGTH}
    )
    ds = RLHFDataset(str(parquet), tok, data)
    batch = DataProto.from_single_dict(collate_fn([ds[i] for i in range(len(ds))]))
    batch.non_tensor_batch["uid"] = np.array([f"uid-{n}" for n in NAMES], dtype=object)
    gen = RayPPOTrainer._get_gen_batch(object.__new__(RayPPOTrainer), batch)
    gen.meta_info = {"global_steps": 1, "validate": False}
    return batch, gen


def run_agent_loop(config: Any, gen: DataProto, handles: list[Any] | None = None) -> DataProto:
    """veRL's ``AgentLoopWorker.generate_sequences`` on the rollout batch, in this process's event loop (veRL's
    workers capture it with ``get_event_loop`` when they are built)."""
    from verl.experimental.reward_loop.reward_loop import RewardLoopWorker
    from verl.utils import hf_tokenizer

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        if handles is None:
            handles = [InProcessRewardHandle(RewardLoopWorker(config, None))]
        model = ScriptedModel(hf_tokenizer(config.actor_rollout_ref.model.tokenizer_path))
        worker = AgentLoopWorker(config, model, None, handles)
        return loop.run_until_complete(worker.generate_sequences(gen))
    finally:
        loop.close()
        asyncio.set_event_loop(None)


def scored(name: str) -> Any:
    """What the adapter's contract scores for a row: the messages under a trajectory truth, else the calls made."""
    _, truth, messages = ROWS[name]
    if truth["behavior"] == "trajectory":
        return messages
    return "\n".join(m["content"] for m in messages if m["role"] == "assistant" and "<tool_call>" in m["content"])


def expected() -> list[rr.Score]:
    return [rr.score(scored(name), ROWS[name][1], tools=TOOLS) for name in NAMES]


def decoded_responses(out: DataProto, tokenizer: Any) -> list[str]:
    """The responses as veRL's naive reward manager decodes them for ``solution_str``."""
    width = out.batch["responses"].shape[-1]
    texts = []
    for i in range(len(out)):
        valid = int(out.batch["attention_mask"][i, -width:].sum())
        texts.append(tokenizer.decode(out.batch["responses"][i][:valid], skip_special_tokens=True))
    return texts


def check_turn_rewards(batch: DataProto, out: DataProto) -> None:
    """Our turn rewards where veRL's trainer reads rewards, equal to ``rr.score`` on the agent loop's messages."""
    from verl.trainer.ppo.metric_utils import process_validation_metrics
    from verl.trainer.ppo.reward import extract_reward

    want = expected()
    assert out.meta_info["reward_extra_keys"] == list(ours.result_keys(trajectory_keys=True))
    merged = batch.union(out)  # as the trainer does after the rollout
    reward_tensor, extra = extract_reward(merged)
    np.testing.assert_allclose(reward_tensor.sum(dim=-1).numpy(), [w.reward for w in want], rtol=1e-6)
    got_turns = [json.loads(t) for t in extra["turn_rewards"]]
    got_steps = [json.loads(t) for t in extra["step_rewards"]]
    trajectory = [w.expected == "trajectory" for w in want]
    assert got_turns == [list(w.turn_rewards) if t else [w.reward] for w, t in zip(want, trajectory, strict=True)]
    assert got_steps == [list(w.step_rewards) if t else [w.reward] for w, t in zip(want, trajectory, strict=True)]
    infos = merged.non_tensor_batch["reward_extra_info"]  # each row's own dict, kept whole by the agent loop
    assert [json.loads(info["turn_rewards"]) for info in infos] == got_turns
    np.testing.assert_allclose(extra["turns"].astype(float), [w.components.get("turns", 0.0) for w in want])

    by_name = dict(zip(NAMES, got_turns, strict=True))
    assert by_name["two-right"] == [1.0, 1.0]
    assert by_name["two-wrong"][0] == 1.0 and by_name["two-wrong"][1] < 1.0  # only the second turn went wrong
    assert by_name["one-right"] == [1.0] and by_name["one-wrong"][0] < 1.0
    single = want[NAMES.index("single-step")]
    assert by_name["single-step"] == [single.reward] and single.expected == "execute"
    rewards = dict(zip(NAMES, reward_tensor.sum(dim=-1).tolist(), strict=True))
    assert rewards["two-right"] > rewards["two-wrong"] and rewards["one-right"] > rewards["one-wrong"]
    # veRL's own per-turn field stays as its agent loop left it (0.9.1 never fills it)
    assert [list(s) for s in merged.non_tensor_batch["turn_scores"]] == [[]] * len(NAMES)
    # validation metrics take the numeric keys and skip the JSON text
    metrics = process_validation_metrics(
        list(merged.non_tensor_batch["data_source"]), list(merged.non_tensor_batch["uid"]), extra
    )
    variables = metrics["rlvr_rewards/agent"]
    assert "turns" in variables and "turn_rewards" not in variables


def test_agent_loop_rebuilds_the_messages(
    model_dir: Path, weather_tool_file: Path, agent_parquet: Path, tmp_path: Path
) -> None:
    """The response veRL decodes for our function (tool and user messages rendered by its chat template, special
    tokens skipped) rebuilds to the messages its agent loop built."""
    config = agent_config(model_dir, weather_tool_file, trajectory_keys=True)
    _, gen = trainer_batch(config, agent_parquet, tmp_path)
    out = run_agent_loop(config, gen)
    from verl.utils import hf_tokenizer

    texts = decoded_responses(out, hf_tokenizer(str(model_dir)))
    for name, text in zip(NAMES, texts, strict=True):
        assert ours.agent_messages(text) == ROWS[name][2], text
    # the response mask marks the model's tokens only (tool and user messages are context)
    mask = out.batch["response_mask"]
    valid = out.batch["attention_mask"][:, -mask.shape[-1] :].sum(dim=-1)
    assert bool(((mask.sum(dim=-1) > 0) & (mask.sum(dim=-1) < valid)).all())


def test_turn_rewards_reach_the_agent_loop_batch(
    model_dir: Path, weather_tool_file: Path, agent_parquet: Path, tmp_path: Path
) -> None:
    config = agent_config(model_dir, weather_tool_file, trajectory_keys=True)
    batch, gen = trainer_batch(config, agent_parquet, tmp_path)
    check_turn_rewards(batch, run_agent_loop(config, gen))


def test_without_trajectory_keys_the_key_set_is_the_single_step_one(
    model_dir: Path, weather_tool_file: Path, agent_parquet: Path, tmp_path: Path
) -> None:
    """Trajectory rows are still scored as trajectories; the keys are the preset's, whatever the row."""
    from verl.trainer.ppo.reward import extract_reward

    config = agent_config(model_dir, weather_tool_file)
    batch, gen = trainer_batch(config, agent_parquet, tmp_path)
    out = run_agent_loop(config, gen)
    assert out.meta_info["reward_extra_keys"] == list(ours.result_keys())
    reward_tensor, extra = extract_reward(batch.union(out))
    np.testing.assert_allclose(reward_tensor.sum(dim=-1).numpy(), [w.reward for w in expected()], rtol=1e-6)
    assert "turn_rewards" not in extra and "turns" not in extra


@pytest.mark.slow  # starts a local Ray cluster and a reward-loop actor (imports torch and veRL in it)
def test_turn_rewards_through_ray_reward_workers(
    model_dir: Path, weather_tool_file: Path, agent_parquet: Path, tmp_path: Path
) -> None:
    """The same, with the reward computed in veRL's reward-loop worker actors (the trainer's setup)."""
    import ray
    from verl.experimental.reward_loop.reward_loop import RewardLoopManager

    config = agent_config(model_dir, weather_tool_file, trajectory_keys=True)
    batch, gen = trainer_batch(config, agent_parquet, tmp_path)
    ray.init(num_cpus=2, include_dashboard=False, ignore_reinit_error=True, log_to_driver=False)
    try:
        manager = RewardLoopManager(config)
        handles = manager.reward_loop_worker_handles
        assert handles is not None
        out = run_agent_loop(config, gen, handles)
        for handle in manager.reward_loop_workers:
            ray.kill(handle)
    finally:
        ray.shutdown()
    check_turn_rewards(batch, out)
