"""Helpers shared by the tests (and by ``tools/`` and the docs generator where they need the same things:
``tools/gen_docs.py`` imports this module through ``tools/_repo.py``, by its path, not through ``sys.path``).

Tool specs (the tool catalogue):

- :data:`WEATHER` (``get_weather``: ``city``, ``units`` with a default), :data:`STATS`
  (``calculate_statistics``), :data:`EMAIL` (``send_email``, a bare function spec without the OpenAI
  wrapper) and :data:`TOOLS`, the three; :func:`weather_tool` builds ``get_weather`` with or without the
  ``units`` default and description (the reliability inputs use it without the default);
- :func:`run_tools`: a one-tool list, ``run`` with the given parameters schema (schema and regex tests),
  :data:`RUN_TRUTH`, an execute truth calling it, and :func:`run_call`, a rendered call of it.

Truths and completions:

- :func:`call` / :func:`execute`: a call ``{"name", "arguments"}`` and an execute truth of calls;
- :func:`hermes`: calls rendered the way Hermes / Qwen 2.5 write them, one ``<tool_call>`` block each
  (optionally after a ``<think>`` block and a sentence; ``newlines=False`` writes the tags tight against the
  JSON); :func:`hermes_call`: one call of a name and arguments, rendered; :func:`tool_call_block`: any text in
  the tags (for hand-written, broken or several-call bodies);
- :func:`openai_message`: an assistant message with one OpenAI ``tool_calls`` entry.

The library with the registered matchers:

- :func:`compile_truth` / :func:`resolve_item`: the library's functions with the registered matchers, as
  scoring calls them (truth compilation takes its matchers as an argument and never looks the registry up);
- :func:`compile_matcher`: one value compiled to a matcher, with the registered matchers.

Files and scripts:

- :data:`ROOT`, :data:`DATA` (``tests/data``), :data:`BENCH_DIR` (``benchmarks/``);
- :func:`read_jsonl` / :func:`load_corpus`: the rows of a JSONL file / of a corpus under ``tests/data`` (the
  test skips when the corpus is not present);
- :func:`benchmark` / :func:`load_script`: a script of ``benchmarks/`` (a folder of scripts, not a package), or
  any script (the fuzz harness), imported by its path, once, under its file name (the name its sibling
  scripts import it by);
- :func:`require`: skip a test when an optional extra's module is not installed (fail in CI).

A real GRPO step on CPU (the TRL tests; nothing is downloaded):

- :func:`trained_tokenizer`: a byte-level BPE tokenizer trained on a corpus (with TRL's Qwen2.5 chat template
  and :data:`QWEN_SPECIAL_TOKENS` by default); :func:`tool_prompt_tokenizer`: one trained again with a prompt
  rendered with its tools, so that the prompt is short in tokens;
- :func:`tiny_qwen2`: a tiny randomly initialised Qwen2 for a tokenizer; :func:`tiny_grpo_config`: a one-step
  CPU ``GRPOConfig``;
- :func:`recording_weather`: a ``get_weather`` callable for ``GRPOTrainer(tools=[...])`` that records its calls;
- :class:`SequenceBias`: the scripted turns of a ``sequence_bias`` generation config (the random model samples
  them).

pytest, torch, tokenizers, transformers and trl are imported only inside the functions that use them, so the
scripts of ``tools/`` and ``tests/reliability_inputs.py`` use this module with the runtime dependencies only.
"""

from __future__ import annotations

import importlib.resources
import importlib.util
import json
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from rlvr_rewards.groundtruth import truths
from rlvr_rewards.groundtruth.matchers import compile_value
from rlvr_rewards.plugins import get_registry

if TYPE_CHECKING:
    from collections.abc import Callable
    from importlib.resources.abc import Traversable

__all__ = [
    "BENCH_DIR",
    "DATA",
    "EMAIL",
    "QWEN_SPECIAL_TOKENS",
    "ROOT",
    "RUN_TRUTH",
    "STATS",
    "TOOLS",
    "WEATHER",
    "SequenceBias",
    "benchmark",
    "call",
    "compile_matcher",
    "compile_truth",
    "execute",
    "hermes",
    "hermes_call",
    "load_corpus",
    "load_script",
    "openai_message",
    "read_jsonl",
    "recording_weather",
    "require",
    "resolve_item",
    "run_call",
    "run_tools",
    "tiny_grpo_config",
    "tiny_qwen2",
    "tool_call_block",
    "tool_prompt_tokenizer",
    "trained_tokenizer",
    "weather_tool",
]

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
BENCH_DIR = ROOT / "benchmarks"

# --------------------------------------------------------------------------------------------------
# Tool specs
# --------------------------------------------------------------------------------------------------


def weather_tool(
    *, units_default: str | None = "metric", units_description: str | None = "Unit system"
) -> dict[str, Any]:
    """``get_weather(city, units)``, ``city`` required; ``None`` leaves the ``units`` default or description out."""
    units: dict[str, Any] = {"type": "string", "enum": ["metric", "imperial"]}
    if units_default is not None:
        units["default"] = units_default
    if units_description is not None:
        units["description"] = units_description
    return {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Current weather for a city.",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string", "description": "Name of the city"}, "units": units},
                "required": ["city"],
            },
        },
    }


WEATHER = weather_tool()
STATS = {
    "type": "function",
    "function": {
        "name": "calculate_statistics",
        "description": "Summary statistics of a list of numbers.",
        "parameters": {
            "type": "object",
            "properties": {
                "numbers": {"type": "array", "items": {"type": "number"}, "description": "The numbers"},
                "operations": {"type": "array", "items": {"type": "string", "enum": ["mean", "median", "max"]}},
            },
            "required": ["numbers"],
        },
    },
}
EMAIL = {
    "name": "send_email",
    "description": "Send an email.",
    "parameters": {
        "type": "object",
        "properties": {
            "to": {"type": "string", "description": "Recipient email address"},
            "subject": {"type": "string", "description": "Subject line"},
            "body": {"type": "string", "description": "Message body"},
            "count": {"type": "integer", "description": "How many copies"},
            "urgent": {"type": "boolean", "description": "Flag as urgent"},
        },
        "required": ["to", "subject", "body"],
    },
}
TOOLS: list[dict[str, Any]] = [WEATHER, STATS, EMAIL]


def run_tools(parameters: dict[str, Any]) -> list[dict[str, Any]]:
    """A one-tool list: ``run`` with the given parameters schema."""
    return [{"type": "function", "function": {"name": "run", "parameters": parameters}}]


RUN_TRUTH = {"behavior": "execute", "calls": [{"name": "run", "arguments": {"code": "x"}}]}


def run_call(**arguments: Any) -> str:
    """A call of ``run``, rendered with the tags tight against the JSON (``hermes(..., newlines=False)``)."""
    return hermes(call("run", **arguments), newlines=False)


# --------------------------------------------------------------------------------------------------
# Truths and completions
# --------------------------------------------------------------------------------------------------


def call(name: str, **arguments: Any) -> dict[str, Any]:
    return {"name": name, "arguments": arguments}


def execute(*calls: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"behavior": "execute", "calls": list(calls), **extra}


def tool_call_block(body: str, newlines: bool = True) -> str:
    """``body`` in one pair of ``<tool_call>`` tags, on its own line unless ``newlines`` is false."""
    return f"<tool_call>\n{body}\n</tool_call>" if newlines else f"<tool_call>{body}</tool_call>"


def hermes(*calls: Any, think: str | None = None, text: str = "", newlines: bool = True) -> str:
    """Render calls the way Qwen 2.5 writes them: one block per call, the blocks a line apart."""
    parts = []
    if think is not None:
        parts.append(f"<think>{think}</think>\n")
    if text:
        parts.append(text + "\n")
    parts.extend(tool_call_block(json.dumps(c), newlines) for c in calls)
    return "\n".join(parts)


def hermes_call(name: str, **arguments: Any) -> str:
    """One call, rendered: ``hermes(call(name, **arguments))``."""
    return hermes(call(name, **arguments))


def openai_message(
    arguments: Any, name: Any = "get_weather", content: Any = None, call_id: Any = None, **extra: Any
) -> dict[str, Any]:
    """An assistant message with one tool call (``extra``: more keys of the message). ``call_id`` adds the
    ``id`` vLLM/OpenAI put on each call (left out by default: see the batch-deduplication bug pinned in
    test_reliability_determinism.py)."""
    entry: dict[str, Any] = {"type": "function", "function": {"name": name, "arguments": arguments}}
    if call_id is not None:
        entry = {"id": call_id, **entry}
    return {"role": "assistant", "content": content, "tool_calls": [entry], **extra}


# --------------------------------------------------------------------------------------------------
# The library with the registered matchers
# --------------------------------------------------------------------------------------------------


def compile_truth(value: Any) -> truths.CompiledTruth:
    """:func:`rlvr_rewards.groundtruth.truths.compile_truth` with the registered matchers."""
    return truths.compile_truth(value, get_registry().matcher_table)


def resolve_item(value: Any, read_tools: bool = True) -> tuple[truths.CompiledTruth, Any]:
    """:func:`rlvr_rewards.groundtruth.truths.resolve_item` with the registered matchers."""
    return truths.resolve_item(value, get_registry().matcher_table, read_tools)


def compile_matcher(value: Any) -> Any:
    """:func:`rlvr_rewards.groundtruth.matchers.compile_value` at path ``x`` with the registered matchers."""
    return compile_value(value, "x", get_registry().matchers)


# --------------------------------------------------------------------------------------------------
# Files and scripts
# --------------------------------------------------------------------------------------------------


def read_jsonl(path: Path | Traversable) -> list[dict[str, Any]]:
    """The rows of a JSONL file (a path, or a file of ``importlib.resources``); blank lines skipped."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def example_pairs() -> tuple[list[Any], list[dict[str, Any]]]:
    """The bundled example's 240 completions and, for each, its whole row (``rlvr_rewards/data/``)."""
    data = importlib.resources.files("rlvr_rewards") / "data"
    rows = {r["id"]: r for r in read_jsonl(data / "example_rows.jsonl")}
    completions = read_jsonl(data / "example_completions.jsonl")
    return [c["completion"] for c in completions], [rows[c["id"]] for c in completions]


def load_corpus(name: str) -> list[dict[str, Any]]:
    """The rows of ``tests/data/<name>``; the test skips when the file is not present."""
    import pytest

    path = DATA / name
    if not path.exists():
        pytest.skip(f"{path} is not present")
    return read_jsonl(path)


def load_script(path: Path) -> ModuleType:
    """The script at ``path`` imported by its path, once: registered in ``sys.modules`` under its file name,
    the name its sibling scripts import it by (so they share it, and pickle finds its classes)."""
    path = path.resolve()
    name = path.stem
    loaded = sys.modules.get(name)
    if loaded is not None:
        if Path(getattr(loaded, "__file__", "") or "").resolve() != path:
            raise ImportError(f"{name!r} is already imported from {getattr(loaded, '__file__', None)}, not {path}")
        return loaded
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def benchmark(name: str) -> ModuleType:
    """``benchmarks/<name>.py`` (see :func:`load_script`)."""
    return load_script(BENCH_DIR / f"{name}.py")


def require(module: str, extra: str = "trl") -> None:
    """Skip the test (or, called while a test module loads, the whole module) when ``module`` is not installed
    (the ``extra`` installs it); in CI, raise the ImportError."""
    import pytest

    try:
        __import__(module)
    except ImportError:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"{module} is not installed (the {extra!r} extra installs it)", allow_module_level=True)


# --------------------------------------------------------------------------------------------------
# A real GRPO step on CPU (the TRL tests: test_trl_training.py, test_trl_tools.py, test_trl_trajectory.py)
# --------------------------------------------------------------------------------------------------

QWEN_SPECIAL_TOKENS = [
    "<unk>",
    "<pad>",
    "<|im_start|>",
    "<|im_end|>",
    "<tool_call>",
    "</tool_call>",
    "<tool_response>",
    "</tool_response>",
]


def trained_tokenizer(
    corpus: list[str],
    *,
    vocab_size: int = 600,
    special_tokens: list[str] = QWEN_SPECIAL_TOKENS,
    qwen_chat_template: bool = True,
) -> Any:
    """A byte-level BPE tokenizer trained on ``corpus`` (``<unk>``, ``<pad>`` and ``<|im_end|>``, its eos, must be
    among ``special_tokens``). With ``qwen_chat_template``, TRL's Qwen2.5 chat template (so TRL's
    ``add_response_schema`` / ``parse_response`` parse its tool calls)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator(
        corpus,
        trainers.BpeTrainer(
            vocab_size=vocab_size, special_tokens=special_tokens, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
        ),
    )
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="<unk>", pad_token="<pad>", eos_token="<|im_end|>")
    if qwen_chat_template:
        from trl.chat_template_utils import qwen2_5_chat_template

        fast.chat_template = qwen2_5_chat_template
    return fast


def tool_prompt_tokenizer(corpus: list[str], prompt: list[dict[str, Any]], tools: list[Any], repeats: int = 5) -> Any:
    """:func:`trained_tokenizer` on ``corpus`` and, ``repeats`` times, ``prompt`` rendered with ``tools`` (as a
    generation prompt, by a tokenizer trained on ``corpus`` alone): so that the prompt is short in tokens."""
    rendered = trained_tokenizer(corpus).apply_chat_template(
        prompt, tools=tools, add_generation_prompt=True, tokenize=False
    )
    return trained_tokenizer(corpus + [rendered] * repeats)


def tiny_qwen2(tokenizer: Any, *, max_position_embeddings: int = 1024, seed: int = 0) -> Any:
    """A tiny randomly initialised Qwen2 (one layer, hidden size 32) for ``tokenizer``, built after
    ``torch.manual_seed(seed)``."""
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    torch.manual_seed(seed)
    return Qwen2ForCausalLM(
        Qwen2Config(
            vocab_size=len(tokenizer),
            hidden_size=32,
            num_hidden_layers=1,
            num_attention_heads=2,
            num_key_value_heads=1,
            intermediate_size=64,
            max_position_embeddings=max_position_embeddings,
            pad_token_id=tokenizer.pad_token_id,
            eos_token_id=tokenizer.eos_token_id,
        )
    )


def tiny_grpo_config(tmp_path: Path, **overrides: Any) -> Any:
    """A ``GRPOConfig`` for one step on CPU writing under ``tmp_path`` (logged every step, nothing reported or
    saved, seed 0); ``overrides`` set the rest (batch size, generations, completion length, ...)."""
    from trl import GRPOConfig

    settings: dict[str, Any] = {
        "output_dir": str(tmp_path),
        "max_steps": 1,
        "logging_steps": 1,
        "report_to": [],
        "use_cpu": True,
        "bf16": False,
        "save_strategy": "no",
        "seed": 0,
    }
    return GRPOConfig(**{**settings, **overrides})


def recording_weather(executed: list[str]) -> Callable[[str], str]:
    """A ``get_weather(city)`` tool for ``GRPOTrainer(tools=[...])`` (its docstring is its schema) that appends
    each city it is called with to ``executed`` and returns ``"Sunny in <city>"``."""

    def get_weather(city: str) -> str:
        """Get the current weather in a city.

        Args:
            city: The city name.
        """
        executed.append(city)
        return f"Sunny in {city}"

    return get_weather


class SequenceBias:
    """Scripted turns of TRL's tool loop for a random model, as ``sequence_bias`` entries (a stock transformers
    logits processor, through ``GRPOConfig(generation_kwargs={"sequence_bias": ...})``): after a context the model
    samples one of the given texts, then ``<|im_end|>``. :meth:`first_turn` is after ``prompt`` rendered with
    ``tools`` as a generation prompt (its last six tokens), :meth:`after_tool` after a tool result."""

    def __init__(self, tokenizer: Any, prompt: list[dict[str, Any]], tools: list[Any]) -> None:
        self.tokenizer = tokenizer
        prompt_ids = tokenizer.apply_chat_template(
            prompt, tools=tools, add_generation_prompt=True, tokenize=True, return_dict=True
        )["input_ids"]
        self.start = list(prompt_ids[-6:])
        self.end = tokenizer.convert_tokens_to_ids("<|im_end|>")
        self.turn = tokenizer.encode("<|im_end|>\n<|im_start|>assistant\n")

    def first_turn(self, texts: list[str], strength: float = 60.0) -> list[list[Any]]:
        """After the generation prompt, one of ``texts``."""
        return self.script(self.start, texts, strength)

    def after_tool(self, result: str, texts: list[str], strength: float = 60.0) -> list[list[Any]]:
        """After a tool returned ``result`` (the tail of TRL's tool suffix for it), one of ``texts``."""
        response_end = self.tokenizer.convert_tokens_to_ids("</tool_response>")
        return self.script([*self.tokenizer.encode(f"\n{result}\n"), response_end, *self.turn], texts, strength)

    def script(self, context: list[int], texts: list[str], strength: float = 60.0) -> list[list[Any]]:
        """After ``context``, one of ``texts``."""
        bias: dict[tuple[int, ...], float] = {}
        for text in texts:
            ids = [*self.tokenizer.encode(text), self.end]
            for i in range(len(ids)):
                bias[tuple(context + ids[: i + 1])] = strength
        return [[list(k), v] for k, v in bias.items()]


class LiveServer:
    """The reward server (``create_app(config)``) under uvicorn in a daemon thread, on a socket bound to a free
    port of 127.0.0.1 (``url``, ``port``; ``app.state.pool`` is its scoring pool). ``stop()`` shuts it down
    gracefully. Needs the ``server`` extra (starlette, uvicorn): callers skip without it."""

    def __init__(self, config: Any = None) -> None:
        import socket
        import threading
        import time

        import uvicorn

        from rlvr_rewards.server import ServerConfig, create_app

        self.app = create_app(config if config is not None else ServerConfig(workers=1))
        # IPPROTO_TCP, as uvicorn's own create_server gets it: asyncio then sets TCP_NODELAY on its connections
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = int(sock.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        cfg = uvicorn.Config(self.app, log_level="warning", timeout_graceful_shutdown=5, access_log=False)
        self.server = uvicorn.Server(cfg)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [sock]}, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            assert self.thread.is_alive() and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(30)
        assert not self.thread.is_alive(), "the server did not stop within 30 s"
