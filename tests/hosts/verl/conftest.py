"""Fixtures for veRL's own code paths: a tokenizer trained here, a mixed parquet dataset, DataProto batches.

Everything is built inside the test (no download): a byte-level BPE tokenizer trained with ``tokenizers``
on the test's own texts, with a Qwen-style chat template (tool messages wrapped in ``<tool_response>``),
saved to a tmp dir that veRL loads with its own ``hf_tokenizer``; :func:`model_dir` adds a model config
(``config.json``, no weights) for the agent loop's ``HFModelConfig``, and :func:`weather_tool_file` a veRL
function tool (``multi_turn.function_tool_path``). The test modules skip without veRL,
tensordict, ray or torch (the main venv installs verl ``--no-deps``, so ``import verl`` fails there); this
file imports none of them (a skip raised while a conftest loads ends the whole session on pytest 7).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from ...helpers import TOOLS, call, hermes

CHAT_TEMPLATE = (
    "{% for m in messages %}"
    "{% if m['role'] == 'tool' %}<|im_start|>user\n<tool_response>\n{{ m['content'] }}\n</tool_response><|im_end|>\n"
    "{% else %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endif %}"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
SPECIAL = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]

CALL = call("get_weather", city="Paris")
EXECUTE = {"behavior": "execute", "calls": [CALL]}
CLARIFY = {"behavior": "clarify", "missing": ["city"]}
REFUSE = {"behavior": "refuse"}
TOOL_RESULT = json.dumps({"temperature": 21, "unit": "C"})


def rows() -> list[dict[str, Any]]:
    """A mixed batch: execute/clarify/refuse, with and without tools, single- and multi-turn responses.

    ``response``: the assistant messages after the prompt (``tool`` messages in between for agent-loop
    rollouts); ``scored``: what rr.score_batch must get for the same reward (the calls of the rollout)."""
    good = hermes(CALL)
    wrong = hermes(call("get_weather", city="Lyon"))
    out = [
        dict(truth=EXECUTE, tools=TOOLS, response=[good], scored=good),
        dict(truth=EXECUTE, tools=None, response=[wrong], scored=wrong),
        dict(truth=CLARIFY, tools=TOOLS, response=["Which city do you mean?"], scored="Which city do you mean?"),
        dict(truth=REFUSE, tools=None, response=["I can't help with that."], scored="I can't help with that."),
        dict(
            truth=EXECUTE,
            tools=TOOLS,
            response=[good, {"role": "tool", "content": TOOL_RESULT}, "It is 21 C in Paris."],
            scored=good,
        ),
        dict(truth=CLARIFY, tools=TOOLS, response=[good], scored=good),
        dict(truth=REFUSE, tools=TOOLS, response=["<tool_call>{broken"], scored="<tool_call>{broken"),
        dict(
            truth=EXECUTE,
            tools=None,
            response=[
                wrong,
                {"role": "tool", "content": TOOL_RESULT},
                good,
                {"role": "tool", "content": TOOL_RESULT},
                "Done.",
            ],
            scored=wrong + "\n" + good,
        ),
    ]
    for i, r in enumerate(out):
        r["prompt"] = [
            {"role": "system", "content": "You can call tools."},
            {"role": "user", "content": f"Request {i}: what is the weather?"},
        ]
    return out


@pytest.fixture(scope="session")
def tokenizer_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    corpus = [json.dumps(r["prompt"]) + json.dumps(r["response"]) for r in rows()] * 4
    trainer = trainers.BpeTrainer(
        vocab_size=600, special_tokens=SPECIAL, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
    )
    tok.train_from_iterator(corpus, trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        additional_special_tokens=["<|im_start|>"],
    )
    fast.chat_template = CHAT_TEMPLATE
    path = tmp_path_factory.mktemp("tokenizer")
    fast.save_pretrained(path)
    return path


@pytest.fixture(scope="session")
def parquet_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """veRL's row layout; truths and tools as JSON text (parquet-safe), extra_info keys differing by row."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = []
    for i, r in enumerate(rows()):
        extra: dict[str, Any] = {"index": i}
        if r["tools"] is not None:
            extra["tools"] = json.dumps(r["tools"])
        table.append(
            {
                "data_source": "rlvr_rewards/mixed",
                "prompt": r["prompt"],
                "ability": "tool_use",
                "reward_model": {"style": "rule", "ground_truth": json.dumps(r["truth"])},
                "extra_info": extra,
            }
        )
    path = tmp_path_factory.mktemp("data") / "mixed.parquet"
    pq.write_table(pa.Table.from_pylist(table), path)
    return path


@pytest.fixture(scope="session")
def model_dir(tokenizer_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tokenizer with a model config and no weights: veRL's ``HFModelConfig`` (the agent loop worker's) reads
    ``config.json``; ``model_type`` qwen2 makes veRL pick its Qwen (ChatML) Continuous Token builder."""
    from transformers import Qwen2Config

    path = tmp_path_factory.mktemp("model")
    shutil.copytree(tokenizer_dir, path, dirs_exist_ok=True)
    Qwen2Config(
        vocab_size=1024,
        hidden_size=8,
        intermediate_size=16,
        num_hidden_layers=1,
        num_attention_heads=1,
        num_key_value_heads=1,
        architectures=["Qwen2ForCausalLM"],
    ).save_pretrained(path)
    return path


#: The temperatures the test's weather tool reports (15 for any other city).
TEMPERATURES = {"Paris": 21, "Rome": 18}

WEATHER_TOOL = f'''"""The weather tool veRL's tool agent loop runs (a veRL function tool, loaded by its own loader)."""

from verl.tools.function_tool import function_tool

TEMPERATURES = {TEMPERATURES!r}


@function_tool
def get_weather(city: str) -> dict:
    """Current weather for a city.

    Args:
        city: Name of the city
    """
    return {{"city": city, "temperature": TEMPERATURES.get(city, 15)}}
'''


def weather_result(city: str) -> str:
    """The text of the tool message veRL makes of the tool's result (``normalize_function_tool_return``)."""
    return json.dumps({"city": city, "temperature": TEMPERATURES.get(city, 15)}, ensure_ascii=False)


@pytest.fixture(scope="session")
def weather_tool_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A file for ``actor_rollout_ref.rollout.multi_turn.function_tool_path`` (veRL loads it once per process)."""
    path = tmp_path_factory.mktemp("tools") / "weather_tool.py"
    path.write_text(WEATHER_TOOL)
    return path
