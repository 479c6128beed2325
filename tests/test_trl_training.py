"""A real TRL GRPOTrainer step on CPU with our reward function: a tiny randomly initialised Qwen2 model
built from a config and a tokenizer trained here (nothing is downloaded)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .helpers import call, execute, require, tiny_grpo_config, tiny_qwen2, trained_tokenizer

pytestmark = pytest.mark.slow  # a GRPO training step


def test_grpo_step_with_our_reward_logs_our_components(tmp_path: Path) -> None:
    for module in ("torch", "transformers", "trl", "datasets"):
        require(module)
    from datasets import Dataset
    from trl import GRPOTrainer

    from rlvr_rewards.integrations.trl import reward_func

    truth = execute(call("get_weather", city="Paris"))
    texts = [
        '<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>',
        "Which city?",
        "I can't help with that.",
        "Weather in Paris?",
    ] * 20
    tokenizer = trained_tokenizer(
        texts, vocab_size=400, special_tokens=["<unk>", "<pad>", "<|im_end|>"], qwen_chat_template=False
    )
    model = tiny_qwen2(tokenizer, max_position_embeddings=128)
    dataset = Dataset.from_list([{"prompt": "Weather in Paris?", "ground_truth": json.dumps(truth)}] * 8)
    args = tiny_grpo_config(tmp_path, per_device_train_batch_size=4, num_generations=4, max_completion_length=12)
    trainer = GRPOTrainer(
        model=model, processing_class=tokenizer, reward_funcs=[reward_func], args=args, train_dataset=dataset
    )
    trainer.train()
    logged = {k: v for entry in trainer.state.log_history for k, v in entry.items()}
    assert "rewards/rlvr_graded/mean" in logged
    for component in ("format", "decision", "tool_name", "arguments", "length"):
        assert f"rlvr/{component}" in logged, sorted(logged)
    assert 0.0 <= logged["rewards/rlvr_graded/mean"] <= 1.0
