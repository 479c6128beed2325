"""veRL 0.9.1's own reward loop scores a mixed parquet batch with our ``compute_score``.

Host code driven: ``RLHFDataset`` (parquet -> rows, with a tokenizer trained here), ``collate_fn`` and
``DataProto.from_single_dict`` (as the trainer builds a batch), ``RewardLoopWorker`` with the ``naive`` and
``gdpo`` reward managers loaded by veRL's ``load_reward_manager`` from its default trainer config, and
``RewardLoopManager.compute_rm_score`` (the code that stacks sample 0's keys over the batch), in process
and through Ray actors. Rewards must equal ``rr.score_batch`` on the same data, every sample must carry
the same keys, and GDPO's own advantage estimator must take our components as reward keys.

The generation step is the only thing built here: response token ids are what the chat template renders
for the assistant turns (and, for agent-loop rollouts, the tool messages in between), which is what veRL's
agent loop produces; everything downstream of generation is veRL's.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import rlvr_rewards as rr
from rlvr_rewards.integrations import verl as ours

from .conftest import rows

torch = pytest.importorskip("torch")
pytest.importorskip("tensordict")
pytest.importorskip("ray")
pytest.importorskip("verl")

import verl as verl_pkg  # noqa: E402
from omegaconf import OmegaConf  # noqa: E402
from verl import DataProto  # noqa: E402

MANAGERS = ["naive", "gdpo"]


def verl_config(
    tokenizer_dir: Path,
    manager: str,
    fn_path: str = ours.__file__,
    name: str = "compute_score",
    reward_kwargs: dict[str, Any] | None = None,
) -> Any:
    """veRL's own default trainer config, with the keys a user sets for our reward function."""
    cfg = OmegaConf.load(Path(verl_pkg.__file__).parent / "trainer" / "config" / "_generated_ppo_trainer.yaml")
    cfg.actor_rollout_ref.model.path = str(tokenizer_dir)
    cfg.actor_rollout_ref.model.tokenizer_path = str(tokenizer_dir)
    cfg.reward.num_workers = 1
    cfg.reward.custom_reward_function.path = fn_path
    cfg.reward.custom_reward_function.name = name
    if reward_kwargs:
        OmegaConf.set_struct(cfg, False)
        cfg.reward.custom_reward_function.reward_kwargs = reward_kwargs
    cfg.reward.reward_manager.name = manager
    return cfg


def trainer_batch(tokenizer_dir: Path, parquet_path: Path, tmp_path: Path) -> tuple[DataProto, Any]:
    """The rows as veRL's dataset/collate give them, with generation outputs unioned in as the trainer does."""
    from verl.utils import hf_tokenizer
    from verl.utils.dataset.rl_dataset import RLHFDataset, collate_fn

    tok = hf_tokenizer(str(tokenizer_dir))
    ds = RLHFDataset(
        str(parquet_path),
        tok,
        OmegaConf.create(
            {
                "cache_dir": str(tmp_path / "cache"),
                "prompt_key": "prompt",
                "max_prompt_length": 512,
                "filter_overlong_prompts": False,
            }
        ),
    )
    assert len(ds) == len(rows())
    batch = DataProto.from_single_dict(collate_fn([ds[i] for i in range(len(ds))]))
    batch.non_tensor_batch["uid"] = np.array([f"uid{i}" for i in range(len(batch))], dtype=object)

    prompts, responses = [], []
    for i, row in enumerate(rows()):
        raw_prompt = list(batch.non_tensor_batch["raw_prompt"][i])
        prompt_text = tok.apply_chat_template(raw_prompt, add_generation_prompt=True, tokenize=False)
        msgs = [m if isinstance(m, dict) else {"role": "assistant", "content": m} for m in row["response"]]
        full = tok.apply_chat_template(raw_prompt + msgs, tokenize=False)
        assert full.startswith(prompt_text)
        response_text = full[len(prompt_text) : full.rstrip().rfind("<|im_end|>") + len("<|im_end|>")]
        prompts.append(tok.encode(prompt_text, add_special_tokens=False))
        responses.append(tok.encode(response_text, add_special_tokens=False))
    p_len, r_len = max(map(len, prompts)), max(map(len, responses))
    pad = tok.pad_token_id
    p_ids = torch.tensor([[pad] * (p_len - len(p)) + p for p in prompts])
    p_mask = torch.tensor([[0] * (p_len - len(p)) + [1] * len(p) for p in prompts])
    r_ids = torch.tensor([r + [pad] * (r_len - len(r)) for r in responses])
    r_mask = torch.tensor([[1] * len(r) + [0] * (r_len - len(r)) for r in responses])
    mask = torch.cat([p_mask, r_mask], dim=1)
    gen = DataProto.from_dict(
        tensors={
            "prompts": p_ids,
            "responses": r_ids,
            "input_ids": torch.cat([p_ids, r_ids], dim=1),
            "attention_mask": mask,
            "position_ids": torch.clamp(torch.cumsum(mask, dim=1) - 1, min=0),
        }
    )
    return batch.union(gen), tok


def expected() -> Any:
    rs = rows()
    return rr.score_batch([r["scored"] for r in rs], [r["truth"] for r in rs], tools=[r["tools"] for r in rs])


class InProcessWorker:
    """Ray's actor-call shape (``worker.compute_score_batch.remote(chunk)``) around veRL's own worker."""

    def __init__(self, worker: Any) -> None:
        self.worker = worker
        self.compute_score_batch = self

    def remote(self, chunk: DataProto) -> Any:
        return self.worker.loop.run_until_complete(self.worker.compute_score_batch(chunk))


def rm_score_in_process(config: Any, data: DataProto, monkeypatch: pytest.MonkeyPatch) -> DataProto:
    """``RewardLoopManager.compute_rm_score`` (veRL's own) over a real ``RewardLoopWorker`` without Ray actors."""
    from verl.experimental.reward_loop import reward_loop
    from verl.trainer.ppo.reward import resolve_reward_manager_cls

    manager = object.__new__(reward_loop.RewardLoopManager)
    manager.config = config
    manager.reward_model_manager = None
    manager.reward_manager_cls = resolve_reward_manager_cls(config)
    manager.reward_loop_workers = [InProcessWorker(reward_loop.RewardLoopWorker(config, None))]
    monkeypatch.setattr(reward_loop.ray, "get", lambda refs: list(refs))
    return manager.compute_rm_score(data)


def check_output(out: DataProto, data: DataProto) -> None:
    want = expected()
    keys = out.meta_info["reward_extra_keys"]
    assert tuple(keys) == ours.result_keys("graded")
    assert all(len(out.non_tensor_batch[k]) == len(data) for k in keys)
    np.testing.assert_allclose(out.non_tensor_batch["score"].astype(float), want.rewards)
    for name, column in want.components.items():
        np.testing.assert_allclose(out.non_tensor_batch[f"applies/{name}"].astype(float), np.isfinite(column))
        np.testing.assert_allclose(out.non_tensor_batch[name].astype(float), np.nan_to_num(column, nan=0.0))
    # rm_scores: the reward on the last valid response token, as veRL's trainer reads it
    np.testing.assert_allclose(out.batch["rm_scores"].sum(dim=-1).numpy(), want.rewards, rtol=1e-6)


@pytest.mark.parametrize("manager", MANAGERS)
def test_reward_loop_in_process(
    manager: str, tokenizer_dir: Path, parquet_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, _ = trainer_batch(tokenizer_dir, parquet_path, tmp_path)
    out = rm_score_in_process(verl_config(tokenizer_dir, manager), data, monkeypatch)
    check_output(out, data)


def test_a_function_that_leaves_keys_out_fails_in_verl(
    tokenizer_dir: Path, parquet_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The harness can fail: the former behaviour (components that do not apply left out) raises KeyError."""
    legacy = tmp_path / "legacy_reward.py"
    legacy.write_text(
        "import math\nimport rlvr_rewards as rr\n"
        "def compute_score(data_source, solution_str, ground_truth, extra_info=None, **kw):\n"
        "    s = rr.score(solution_str, ground_truth, tools=(extra_info or {}).get('tools'))\n"
        "    return {'score': s.reward, **{k: v for k, v in s.components.items() if math.isfinite(v)}}\n"
    )
    data, _ = trainer_batch(tokenizer_dir, parquet_path, tmp_path)
    with pytest.raises(KeyError):
        rm_score_in_process(verl_config(tokenizer_dir, "naive", fn_path=str(legacy)), data, monkeypatch)


def test_gdpo_advantage_takes_our_components(
    tokenizer_dir: Path, parquet_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """veRL's own GDPO advantage estimator, fed the rm scores and per-key columns our function returned."""
    from verl.trainer.ppo.core_algos import compute_gdpo_outcome_advantage

    data, _ = trainer_batch(tokenizer_dir, parquet_path, tmp_path)
    out = rm_score_in_process(verl_config(tokenizer_dir, "gdpo"), data, monkeypatch)
    data = data.union(out)
    keys = ["decision", "format", "arguments", "refuse", "clarify"]
    config = OmegaConf.create({"gdpo_reward_keys": keys, "norm_adv_by_std_in_grpo": True})
    response_mask = data.batch["attention_mask"][:, data.batch["prompts"].size(1) :]
    groups = np.array([f"g{i // 2}" for i in range(len(data))], dtype=object)  # pairs share a prompt group
    adv, _ = compute_gdpo_outcome_advantage(
        token_level_rewards=data.batch["rm_scores"],
        response_mask=response_mask,
        index=groups,
        config=config,
        non_tensor_batch=data.non_tensor_batch,
        batch=data.batch,
    )
    assert torch.isfinite(adv).all() and adv.abs().sum() > 0


@pytest.mark.slow  # starts a local Ray cluster and a reward-loop actor (imports torch and veRL in it)
@pytest.mark.parametrize("manager", MANAGERS)
def test_reward_loop_manager_with_ray(manager: str, tokenizer_dir: Path, parquet_path: Path, tmp_path: Path) -> None:
    import ray
    from verl.experimental.reward_loop.reward_loop import RewardLoopManager

    data, _ = trainer_batch(tokenizer_dir, parquet_path, tmp_path)
    ray.init(num_cpus=2, include_dashboard=False, ignore_reinit_error=True, log_to_driver=False)
    try:
        manager_obj = RewardLoopManager(verl_config(tokenizer_dir, manager))
        out = manager_obj.compute_rm_score(data)
        for handle in manager_obj.reward_loop_workers:
            ray.kill(handle)
    finally:
        ray.shutdown()
    check_output(out, data)


def _remote_rm_score(config: Any, data: DataProto, env: dict[str, str]) -> DataProto:
    """veRL's ``RewardLoopManager.compute_rm_score`` on a local Ray cluster whose processes carry ``env``."""
    import ray
    from verl.experimental.reward_loop.reward_loop import RewardLoopManager

    # logical CPUs: the reward-loop actor and the remote manager's RewardComputeWorker (num_cpus=1) each take one
    ray.init(
        num_cpus=4,
        include_dashboard=False,
        ignore_reinit_error=True,
        log_to_driver=False,
        runtime_env={"env_vars": env},
    )
    try:
        manager_obj = RewardLoopManager(config)
        out = manager_obj.compute_rm_score(data)
        for handle in manager_obj.reward_loop_workers:
            ray.kill(handle)
        return out
    finally:
        ray.shutdown()


@pytest.mark.slow  # a local Ray cluster, veRL's reward-loop actor and the remote manager's compute workers
@pytest.mark.parametrize("fn_path", ["pkg://rlvr_rewards.integrations.verl", ours.__file__], ids=["pkg", "file"])
def test_remote_reward_manager_scores_on_our_server(
    fn_path: str, tokenizer_dir: Path, parquet_path: Path, tmp_path: Path
) -> None:
    """veRL's ``remote`` reward manager (RemoteRewardManager: our compute_score in its RewardComputeWorker Ray
    actors) with RLVR_REWARDS_URL set: every sample is scored by our reward server (its /metrics count them), and
    the rewards and keys are what in-process scoring gives. With the server gone, the step fails naming the URL
    instead of scoring in-process."""
    pytest.importorskip("starlette")
    pytest.importorskip("uvicorn")
    from rlvr_rewards.server import ServerConfig

    from ...helpers import LiveServer

    data, _ = trainer_batch(tokenizer_dir, parquet_path, tmp_path)
    config = verl_config(tokenizer_dir, "remote", fn_path=fn_path)
    server = LiveServer(ServerConfig(workers=1))
    try:
        out = _remote_rm_score(config, data, {"RLVR_REWARDS_URL": server.url})
        scored = server.app.state.metrics.items.get((("endpoint", "/score"),), 0)
    finally:
        server.stop()
    check_output(out, data)
    assert scored == len(data), f"the server scored {scored} items; veRL's remote manager sent {len(data)} samples"

    dead = server.url  # nothing listens there now
    env = {"RLVR_REWARDS_URL": dead, "RLVR_REWARDS_RETRIES": "0", "RLVR_REWARDS_TIMEOUT": "5"}
    with pytest.raises(Exception, match=re.escape(dead)):
        _remote_rm_score(config, data, env)


def test_tools_from_verl_tool_config(tmp_path: Path) -> None:
    """A tool config veRL's own loader accepts gives the tools we score with (kept to ``tool_selection``)."""
    from verl.tools.tool_registry import initialize_tools_from_config

    from ...helpers import TOOLS

    config = tmp_path / "tools.yaml"
    config.write_text(
        json.dumps(
            {
                "tools": [
                    {"class_name": "verl.tools.base_tool.BaseTool", "config": {"type": "native"}, "tool_schema": t}
                    for t in TOOLS
                    if "function" in t
                ]
            }
        )
    )  # JSON is YAML; veRL's schema wants the OpenAI wrapper
    theirs = [
        t.tool_schema.model_dump(exclude_unset=True, exclude_none=True)
        for t in initialize_tools_from_config(str(config))
    ]
    names = [t["function"]["name"] for t in theirs]
    assert names == [t["function"]["name"] for t in ours.tools_from_config(str(config))]
    good = rows()[0]["scored"]
    bad_args = good.replace('"Paris"', "42")
    truth = rows()[0]["truth"]
    for completion in (good, bad_args):
        got = ours.compute_score("d", completion, json.dumps(truth), {"index": 0}, tool_config_path=str(config))
        want = rr.score(completion, truth, tools=theirs)
        assert got["score"] == want.reward and got["applies/schema"] == 1.0
    # tool_selection without get_weather: the call is to an unknown tool
    other = [n for n in names if n != "get_weather"][:1]
    got = ours.compute_score("d", good, truth, {"tool_selection": other}, tool_config_path=str(config))
    want = rr.score(good, truth, tools=[t for t in theirs if t["function"]["name"] in other])
    assert got["score"] == want.reward
