"""Coverage-guided fuzzing of ``rr.score`` with atheris (libFuzzer for Python).

Run (see tests/fuzz/README.md)::

    pip install atheris
    python tests/fuzz/fuzz_score.py -atheris_runs=100000 tests/fuzz/corpus

:func:`TestOneInput` turns the fuzzer's bytes into completions (the first byte picks the truth; the rest,
decoded as UTF-8 with ``surrogateescape``, becomes raw text, the raw bytes themselves, a ``<tool_call>``
block, OpenAI ``function.arguments``, and an assistant message's content) and scores them under every
preset. Any exception, a non-finite or out-of-range reward, an unknown reason, or ``"ok"`` on an invalid
completion is a crash. The module imports without atheris (``import atheris`` happens only when run as a
script), so tests/test_fuzz.py runs :func:`TestOneInput` on :data:`SEEDS` in plain CI.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

import numpy as np

import rlvr_rewards as rr

TOOLS: list[dict[str, Any]] = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Current weather for a city.",
            "parameters": {
                "type": "object",
                "properties": {
                    "city": {"type": "string", "description": "City"},
                    "units": {"type": "string", "enum": ["metric", "imperial"]},
                },
                "required": ["city"],
            },
        },
    }
]
TRUTHS: tuple[dict[str, Any], ...] = (
    {"behavior": "execute", "calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]},
    {"behavior": "clarify", "missing": ["city"]},
    {"behavior": "refuse", "reason": "harmful"},
)
PRESETS: tuple[str, ...] = tuple(rr.list_presets())
RANGES = {p: rr.get_preset(p).reward_range for p in PRESETS}
REASONS = frozenset(rr.REASONS)
INVALID_REASONS = frozenset({"empty", "too_long", "unparseable"})


def completions_from_bytes(data: bytes) -> tuple[dict[str, Any], list[Any]]:
    """``(truth, completions)`` for one fuzzer input."""
    truth = TRUTHS[data[0] % len(TRUTHS)] if data else TRUTHS[0]
    payload = data[1:]
    text = payload.decode("utf-8", "surrogateescape")
    return truth, [
        text,
        payload,
        "<tool_call>" + text + "</tool_call>",
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"type": "function", "function": {"name": "get_weather", "arguments": text}}],
        },
        [{"role": "user", "content": "Weather?"}, {"role": "assistant", "content": text}],
    ]


def check_invariants(completions: list[Any], truth: dict[str, Any]) -> None:
    """Raise AssertionError when a scored completion breaks an invariant (any exception propagates)."""
    for preset in PRESETS:
        lo, hi = RANGES[preset]
        b = rr.score_batch(completions, [truth] * len(completions), tools=TOOLS, preset=preset)
        if b.rewards.shape != (len(completions),) or not np.isfinite(b.rewards).all():
            raise AssertionError(f"{preset}: non-finite rewards {b.rewards!r}")
        if (b.rewards < lo).any() or (b.rewards > hi).any():
            raise AssertionError(f"{preset}: rewards {b.rewards!r} outside [{lo}, {hi}]")
        for i, (reason, behavior) in enumerate(zip(b.reasons, b.behaviors, strict=True)):
            if reason not in REASONS:
                raise AssertionError(f"{preset}: unknown reason {reason!r} for completion {i}")
            if behavior == "invalid" and reason not in INVALID_REASONS:
                raise AssertionError(f"{preset}: invalid completion {i} with reason {reason!r}")
            if reason == "ok" and b.rewards[i] <= lo:
                raise AssertionError(f"{preset}: reason 'ok' with the floor reward for completion {i}")
        one = rr.score(completions[0], truth, tools=TOOLS, preset=preset)
        if not (math.isfinite(one.reward) and one.reward == b.rewards[0] and one.reason == b.reasons[0]):
            raise AssertionError(f"{preset}: score() {one.reward!r}/{one.reason} differs from score_batch()")


def TestOneInput(data: bytes) -> None:  # the name atheris and libFuzzer expect
    truth, completions = completions_from_bytes(data)
    check_invariants(completions, truth)


#: Fixed seeds: the CI test runs each, and an empty corpus folder is filled with them.
SEEDS: tuple[bytes, ...] = tuple(
    s.encode("utf-8", "surrogatepass") if isinstance(s, str) else s
    for s in (
        b"",
        b"\x00",
        "\x00" + '<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>',
        "\x00" + '{"name": "get_weather", "arguments": {"city": "Paris"}}',
        "\x00" + '{"city": "Paris"}',
        "\x01Which city would you like the weather for?",
        "\x02I'm sorry, but I can't help with that.",
        "\x00<tool_call>",
        "\x00</tool_call>",
        "\x00<tool_call></tool_call>",
        "\x00" + "<tool_call>" * 200,
        "\x00" + "[" * 5000,
        "\x00" + '{"a":' * 2000,
        "\x00" + '{"name": "get_weather", "arguments": {"city": NaN}}',
        "\x00" + '{"name": "get_weather", "arguments": {"city": Infinity}}',
        "\x00" + '{"name": "get_weather", "arguments": {"city": 1e999}}',
        "\x00" + '{"name": "get_weather", "arguments": {"city": ' + "9" * 400 + "}}",
        "\x00" + '{"name": "get_weather", "arguments": {"city": "\\ud800"}}',
        "\x00" + '{"name": "get_weather", "arguments": {"city": "\ud800"}}',
        "\x00" + '{"name": "get_weather", "arguments": {"city": "Pa\\u0000ris"}}',
        "\x00" + '{"name": "get_weather", "arguments": {"city": "Rome", "city": "Paris"}}',
        "\x00" + '{"name": "get_weather", "parameters": {"city": "Paris"}, "arguments": {}}',
        "\x00" + '[{"name": "get_weather", "arguments": {"city": "Paris"}}, {"name": "get_weather"}]',
        "\x00<think>plan</think>" + '<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>',
        "\x00<think>" * 50,
        "\x00</think></think>",
        '\x00[TOOL_CALLS]get_weather[ARGS]{"city": "Paris"}',
        '\x00[TOOL_CALLS][{"name": "get_weather", "arguments": {"city": "Paris"}}]',
        '\x00<|python_tag|>{"name": "get_weather", "parameters": {"city": "Paris"}}<|eom_id|>',
        '\x00<TOOLCALL>[{"name": "get_weather", "arguments": {"city": "Paris"}}]</TOOLCALL>',
        '\x00```json\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n```',
        "\x00[get_weather(city='Paris')]",
        "\x00[get_weather(city=__import__('os').system('true'))]",
        "\x00[get_weather(city='x' * 10**9)]",
        "\x00get_weather(city=" + "(" * 300 + "1" + ")" * 300 + ")",
        "\x00<tool_call>[TOOL_CALLS]<|python_tag|><TOOLCALL>```json",
        '\x01<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>\nWhich city?',
        '\x02I can\'t help with that, but <tool_call>{"name": "get_weather", "arguments": {}}</tool_call>',
        "\x01" + "?" * 3000,
        "\x02" + "I'm sorry, I can't. " * 200,
        "\x01I don't have" + " " * 300 + "x",
        "\x01You" + " " * 300 + "x",
        "\x01" + "i " * 2000,
        b"\x00\xff\xfe\xfd",
        b"\x00<tool_call>\xc3\x28</tool_call>",
        b"\x00\xed\xa0\x80",
        b'\x00\xef\xbb\xbf{"name": "get_weather", "arguments": {"city": "Paris"}}',
        "\x00\ufeff\u2028\u2029\U0001f600\u200b",
        "\x01" + "😀" * 500,
        "\x02\\ud800\\udfff\\u0000",
        "\x00" + "\t \n" * 1000,
    )
)


def _seed_corpus(argv: list[str]) -> None:
    """Create each corpus folder named on the command line and fill an empty one with :data:`SEEDS`."""
    for arg in argv[1:]:
        folder = Path(arg)
        if arg.startswith("-") or folder.is_file():  # an option, or one input to reproduce
            continue
        folder.mkdir(parents=True, exist_ok=True)
        if not any(folder.iterdir()):
            for i, seed in enumerate(SEEDS):
                (folder / f"seed-{i:03d}").write_bytes(seed)


def main(argv: list[str]) -> None:
    import atheris

    _seed_corpus(argv)
    atheris.instrument_all()
    atheris.Setup(argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
