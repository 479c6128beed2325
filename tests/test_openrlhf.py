"""OpenRLHF 0.11.2: our reward file run by OpenRLHF's OWN ``SingleTurnAgentExecutor`` (``openrlhf.utils.agent``),
prompts built by OpenRLHF's own ``preprocess_data`` (``openrlhf.datasets.prompts_dataset``) through a chat
template, with a tokenizer trained inside the test; only the vLLM engine is a stand-in (it returns fixed
response tokens: vLLM needs a GPU). The executor truncates the prompt from the left exactly as in training
(``prompt_token_ids[-max_prompt_length:]``), decodes prompt + response with special tokens and calls
``reward_func([query], [prompt], [label])``; the reward it stores must equal ``rr.score_batch`` on the response.

Plus the split rules of :func:`split_response` on hand-made queries (no OpenRLHF needed).
"""

from __future__ import annotations

import asyncio
import json
import math
import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import rlvr_rewards as rr
from rlvr_rewards.integrations import openrlhf
from rlvr_rewards.integrations.openrlhf import split_response

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "rlvr_rewards" / "data"
REWARD_FILE = ROOT / "rlvr_rewards" / "integrations" / "openrlhf.py"
CALL = '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris", "units": "metric"}}\n</tool_call>'
SYSTEM = 'You are helpful.\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Berlin"}}\n</tool_call>\n'


# --- split rules ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prompt", "query", "response"),
    [
        # no truncation: the rest of the query (an assistant-turn marker inside the response does not matter)
        (
            "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n",
            "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\nA <|im_start|>assistant\nB<|im_end|>",
            "A <|im_start|>assistant\nB",
        ),
        # ChatML, cut from the left: after the last assistant turn start (and the prompt's "\n" after it)
        (
            "<|im_start|>system\n" + SYSTEM + "<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n",
            SYSTEM[20:] + "<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n" + CALL + "<|im_end|>\n",
            CALL,
        ),
        # Qwen 3 without thinking: the empty think block of the generation prompt is not response
        (
            "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n",
            "er\nhi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n" + CALL,
            CALL,
        ),
        # Llama 3
        (
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n" + SYSTEM + "<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\n",
            SYSTEM[5:] + "<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n" + CALL + "<|eot_id|>",
            CALL,
        ),
        # generic template: the part of the prompt the truncation kept, found as the prompt's longest end part
        ("SYSTEM: " + SYSTEM + "\nUSER: hi\nASSISTANT:", SYSTEM[9:] + "\nUSER: hi\nASSISTANT:" + CALL + "</s>", CALL),
        # a multi-byte character cut in two decodes as U+FFFD before the kept part
        ("USER: café " + SYSTEM + "ASSISTANT:", "\ufffd " + SYSTEM + "ASSISTANT:" + CALL, CALL),
        # the truncation removed the marker itself: the kept end part of the prompt
        ("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n", "rt|>assistant\n" + CALL, CALL),
        # cut from the left, an assistant-turn marker inside the response: the kept end part decides
        (
            "<|im_start|>system\n" + SYSTEM + "<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n",
            SYSTEM[20:]
            + "<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\nA<|im_start|>assistant\n"
            + CALL,
            "A<|im_start|>assistant\n" + CALL,
        ),
        # the decoded prompt differs from the prompt text (spaces cleaned up): the last assistant-turn marker
        (
            "<|im_start|>user\nhi , there<|im_end|>\n<|im_start|>assistant\n",
            "<|im_start|>user\nhi, there<|im_end|>\n<|im_start|>assistant\n" + CALL,
            CALL,
        ),
        # a kept part shorter than MIN_KEPT is taken when no assistant-turn marker says otherwise
        ("USER: hi\nASSISTANT:", "ANT:" + CALL, CALL),
        # ... and the marker wins over a short overlap that may be chance (the decoded prompt differs)
        (
            "<|im_start|>user\nhi , there<|im_end|>\n<|im_start|>assistant\n<",
            "<|im_start|>user\nhi, there<|im_end|>\n<|im_start|>assistant\n<" + CALL,
            CALL,
        ),
        # nothing of the prompt in the query: the whole query
        ("xyz", "abc", "abc"),
    ],
)
def test_split_response(prompt: str, query: str, response: str) -> None:
    assert split_response(query, prompt) == response


def test_split_response_used_to_score_the_whole_truncated_query() -> None:
    """The bug: a truncated ChatML prompt no longer prefixes the query; scoring the whole query counts the
    system prompt's example call (a wrong city) and a correct call scored less than 1."""
    prompt = (
        "<|im_start|>system\n" + SYSTEM + "<|im_end|>\n<|im_start|>user\nWeather in Paris?<|im_end|>\n"
        "<|im_start|>assistant\n"
    )
    query = prompt[12:] + CALL + "<|im_end|>"
    call = {"name": "get_weather", "arguments": {"city": "Paris", "units": "metric"}}
    truth = {"behavior": "execute", "calls": [call]}
    assert rr.score(query, truth).reward < 1.0  # what the old split (whole query) scored
    out = openrlhf.reward_func([query], [prompt], [truth])
    assert [float(x) for x in out["rewards"]] == [1.0]


# --- OpenRLHF's own executor ------------------------------------------------------------------------------

TEMPLATES = {  # name: (chat template, special tokens, end-of-turn token)
    "chatml": (
        "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
        "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}",
        ["<|im_start|>", "<|im_end|>", "<|endoftext|>"],
        "<|im_end|>",
    ),
    "llama3": (
        "<|begin_of_text|>{% for m in messages %}<|start_header_id|>{{ m['role'] }}<|end_header_id|>\n\n"
        "{{ m['content'] }}<|eot_id|>{% endfor %}{% if add_generation_prompt %}"
        "<|start_header_id|>assistant<|end_header_id|>\n\n{% endif %}",
        ["<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"],
        "<|eot_id|>",
    ),
    "generic": (
        "{% for m in messages %}{{ m['role'] | upper }}: {{ m['content'] }}\n\n{% endfor %}"
        "{% if add_generation_prompt %}ASSISTANT:{% endif %}",
        ["</s>"],
        "</s>",
    ),
}


def _require_openrlhf() -> Any:
    try:
        from openrlhf.utils import agent
    except ImportError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"OpenRLHF 0.11.2 is not importable ({exc}); pip install --no-deps openrlhf==0.11.2 pylatexenc")
    return agent


def _samples() -> list[tuple[list[dict[str, str]], Any, str]]:
    """(chat, label, completion) for rows of every behaviour in the bundled data and all their completions."""
    rows = {r["id"]: r for r in map(json.loads, (DATA / "example_rows.jsonl").read_text().splitlines())}
    wanted = ("ex-001", "ex-002", "ex-004")  # execute, clarify, refuse
    out = []
    for line in (DATA / "example_completions.jsonl").read_text().splitlines():
        c = json.loads(line)
        if c["id"] in wanted:
            row = rows[c["id"]]
            out.append((row["prompt"], json.dumps(row["reward_model"]["ground_truth"]), c["completion"]))
    return out


def _tokenizer(template: str, specials: list[str], eos: str, corpus: list[str]) -> Any:
    """A byte-level BPE tokenizer trained on ``corpus`` here (nothing downloaded), with the chat template."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator(
        corpus,
        trainers.BpeTrainer(
            vocab_size=600, special_tokens=specials, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
        ),
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, eos_token=eos, chat_template=template, clean_up_tokenization_spaces=False
    )


class Engine:
    """Stands in for vLLM's ``AsyncLLMEngine.generate``: answers the given response tokens."""

    def __init__(self, response_ids: list[int]) -> None:
        self.response_ids = response_ids
        self.prompt_ids: list[int] = []

    async def generate(self, prompt_ids: list[int], params: Any, multi_modal_data: Any = None) -> Any:
        self.prompt_ids = list(prompt_ids)
        out = SimpleNamespace(token_ids=self.response_ids, text="", finish_reason="stop", logprobs=None)
        return SimpleNamespace(outputs=[out])


@pytest.mark.slow  # imports torch and transformers, trains a tokenizer
@pytest.mark.parametrize("family", sorted(TEMPLATES))
def test_openrlhf_executor_scores_the_response_of_a_truncated_prompt(family: str) -> None:
    agent = _require_openrlhf()
    from openrlhf.datasets.prompts_dataset import preprocess_data

    template, specials, end = TEMPLATES[family]
    samples = _samples()
    corpus = [m["content"] for chat, _, _ in samples for m in chat] + [c for _, _, c in samples]
    tokenizer = _tokenizer(template, specials, end, corpus)
    # OpenRLHF's own loading: --reward.remote_url <file>.py is split on "," into a list
    executor = agent.SingleTurnAgentExecutor([str(REWARD_FILE)])
    assert executor.reward_func is not None

    got: list[dict[str, Any]] = []
    whole_query: list[float] = []
    labels = []
    for chat, label, completion in samples:
        prompt, label = preprocess_data(
            {"input": chat, "label": label}, None, "input", "label", tokenizer.apply_chat_template
        )
        prompt_ids = tokenizer(text=prompt, add_special_tokens=False)["input_ids"]
        engine = Engine(tokenizer(text=completion + end, add_special_tokens=False)["input_ids"])
        keep = len(prompt_ids) - 30  # cut the start of the system prompt: its <tool_call> example stays
        params = SimpleNamespace(max_tokens=64, logprobs=None)
        out = asyncio.run(executor.execute(prompt, label, params, keep + 64, tokenizer, engine))
        assert engine.prompt_ids == prompt_ids[-keep:]  # the executor truncated from the left
        query = tokenizer.decode(engine.prompt_ids + engine.response_ids, skip_special_tokens=False)
        assert not query.startswith(prompt) and query.endswith(completion + end)
        assert out["reward"] is not None, "the executor swallowed an exception from reward_func (see its log)"
        got.append(out)
        labels.append(label)
        whole_query.append(rr.score(query, label).reward)

    reference = rr.score_batch([c for _, _, c in samples], labels)
    rewards = [float(o["reward"][0]) for o in got]
    assert rewards == [float(x) for x in reference.rewards.astype("float32")]
    assert [float(o["scores"][0]) for o in got] == rewards
    assert whole_query != rewards  # scoring the whole (truncated) query, as before, differs
    keys = {tuple(o["extra_logs"]) for o in got}
    assert len(keys) == 1, keys  # every sample the same extra_logs keys
    for name, column in reference.components.items():
        assert [float(o["extra_logs"][name][0]) for o in got] == [float(v) if math.isfinite(v) else 0.0 for v in column]
        assert [float(o["extra_logs"][f"applies/{name}"][0]) for o in got] == [
            1.0 if math.isfinite(v) else 0.0 for v in column
        ]
