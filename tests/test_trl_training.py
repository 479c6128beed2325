"""A real TRL GRPOTrainer step on CPU with our reward function: a tiny randomly initialised Qwen2 model
built from a config and a tokenizer trained here (nothing is downloaded)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .helpers import call, execute, require

pytestmark = pytest.mark.slow  # a GRPO training step


def test_grpo_step_with_our_reward_logs_our_components(tmp_path: Path) -> None:
    for module in ("torch", "transformers", "trl", "datasets"):
        require(module)
    import torch
    from datasets import Dataset
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM
    from trl import GRPOConfig, GRPOTrainer

    from rlvr_rewards.integrations.trl import reward_func

    torch.manual_seed(0)
    truth = execute(call("get_weather", city="Paris"))
    texts = [
        '<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>',
        "Which city?",
        "I can't help with that.",
        "Weather in Paris?",
    ] * 20
    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator(
        texts,
        trainers.BpeTrainer(
            vocab_size=400,
            special_tokens=["<unk>", "<pad>", "<|im_end|>"],
            initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        ),
    )
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=tok, unk_token="<unk>", pad_token="<pad>", eos_token="<|im_end|>"
    )
    model = Qwen2ForCausalLM(
        Qwen2Config(
            vocab_size=len(tokenizer),
            hidden_size=32,
            num_hidden_layers=1,
            num_attention_heads=2,
            num_key_value_heads=1,
            intermediate_size=64,
            max_position_embeddings=128,
            pad_token_id=tokenizer.pad_token_id,
            eos_token_id=tokenizer.eos_token_id,
        )
    )
    dataset = Dataset.from_list([{"prompt": "Weather in Paris?", "ground_truth": json.dumps(truth)}] * 8)
    args = GRPOConfig(
        output_dir=str(tmp_path),
        per_device_train_batch_size=4,
        num_generations=4,
        max_completion_length=12,
        max_steps=1,
        logging_steps=1,
        report_to=[],
        use_cpu=True,
        bf16=False,
        save_strategy="no",
        seed=0,
    )
    trainer = GRPOTrainer(
        model=model, processing_class=tokenizer, reward_funcs=[reward_func], args=args, train_dataset=dataset
    )
    trainer.train()
    logged = {k: v for entry in trainer.state.log_history for k, v in entry.items()}
    assert "rewards/rlvr_graded/mean" in logged
    for component in ("format", "decision", "tool_name", "arguments", "length"):
        assert f"rlvr/{component}" in logged, sorted(logged)
    assert 0.0 <= logged["rewards/rlvr_graded/mean"] <= 1.0
