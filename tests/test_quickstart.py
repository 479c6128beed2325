"""docs/quickstart.md, run as written (issue 20): its five commands, read from the page, are run in a fresh folder
with BFCL's files from the installed ``bfcl-eval``; between the split and the report, two completion files for the
held-out rows stand in for a base and a tuned model. Checked: each command exits 0; the dataset meets its target
mix; the split leaks no prompt; the report's page holds both runs, the tuned one better; Chromium renders the page
and every figure in it.
"""

from __future__ import annotations

import json
import os
import random
import shlex
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from rlvr_rewards.cli import build_parser
from rlvr_rewards.testing.strategies import REFUSAL, clarifying_question, format_calls

from .browser import assert_renders, needs_chromium
from .helpers import read_jsonl

QUICKSTART = Path(__file__).resolve().parents[1] / "docs" / "quickstart.md"


def five_commands() -> list[str]:
    """The ``rlvr-rewards`` lines of the page's "The five commands" block."""
    text = QUICKSTART.read_text(encoding="utf-8")
    block = text.split("## The five commands", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    return [line.strip() for line in block.splitlines() if line.strip()]


def test_the_page_lists_five_commands_the_parser_accepts() -> None:
    commands = five_commands()
    assert len(commands) == 5
    parser = build_parser()
    for line in commands:
        words = shlex.split(line.replace("$BFCL", "/bfcl"))
        assert words[0] == "rlvr-rewards"
        parser.parse_args(words[1:])  # exits (SystemExit) on an option the command does not take


def _value(matcher: Any) -> tuple[bool, Any]:
    """(present, a value the matcher accepts) for a BFCL truth's argument."""
    if isinstance(matcher, dict) and len(matcher) == 1:
        ((key, inner),) = matcher.items()
        if key == "$optional":
            return False, None
        if key == "$any":
            return _value(inner[0])
        if key == "$text":
            return True, inner if isinstance(inner, str) else inner[0]
    return True, matcher


def _correct(truth: dict[str, Any]) -> str | dict[str, Any]:
    if truth["behavior"] == "clarify":
        return clarifying_question(truth["missing"])
    if truth["behavior"] == "refuse":
        return REFUSAL
    calls = []
    for call in truth["calls"]:
        arguments = {}
        for name, matcher in call["arguments"].items():
            present, value = _value(matcher)
            if present:
                arguments[name] = value
        calls.append({"name": call["name"], "arguments": arguments})
    return format_calls(calls, "hermes")


def _guess(row: dict[str, Any], rng: random.Random) -> str | dict[str, Any]:
    """What an untuned model does: call a tool with made-up arguments whatever the request."""
    tool = rng.choice(row["extra_info"]["tools"])
    required = tool.get("parameters", {}).get("required", [])
    return format_calls([{"name": tool["name"], "arguments": {p: "unknown" for p in required}}], "hermes")


def write_completions(held_out: Path, base: Path, tuned: Path, per_row: int = 4, seed: int = 0) -> None:
    """Two completion files for the held-out rows: the tuned model is right three times in four, the base model
    once in four (else it guesses a call); ``per_row`` completions per row, the same rows and counts in both."""
    rng = random.Random(seed)
    with base.open("w", encoding="utf-8") as fa, tuned.open("w", encoding="utf-8") as fb:
        for row in read_jsonl(held_out):
            right = _correct(row["reward_model"]["ground_truth"])
            for k in range(per_row):
                a = right if k == 0 else _guess(row, rng)
                b = right if k < 3 else _guess(row, rng)
                fa.write(json.dumps({"id": row["id"], "completion": a}) + "\n")
                fb.write(json.dumps({"id": row["id"], "completion": b}) + "\n")


def _bfcl_data() -> Path:
    pytest.importorskip("bfcl_eval", reason="bfcl-eval is installed by the README's test command")
    import bfcl_eval

    return Path(bfcl_eval.__file__).resolve().parent / "data"


def _rlvr_rewards() -> list[str]:
    found = shutil.which("rlvr-rewards", path=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
    return [found] if found else [sys.executable, "-m", "rlvr_rewards.cli"]


@pytest.mark.slow
@needs_chromium
def test_the_five_commands_run_as_written(tmp_path: Path) -> None:
    env = {**os.environ, "BFCL": str(_bfcl_data())}
    timings: dict[str, float] = {}
    outputs: dict[str, str] = {}
    for line in five_commands():
        if " report " in f" {line} ":
            write_completions(tmp_path / "held_out.jsonl", tmp_path / "base.jsonl", tmp_path / "tuned.jsonl")
        words = shlex.split(line.replace("$BFCL", env["BFCL"]))
        started = time.perf_counter()
        proc = subprocess.run(
            [*_rlvr_rewards(), *words[1:]], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600
        )
        timings[words[1] if words[1] != "data" else f"data {words[2]}"] = time.perf_counter() - started
        assert proc.returncode == 0, f"{line}\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
        assert "\r" not in proc.stderr  # not a terminal: no progress bar
        outputs[line] = proc.stdout
    print("quickstart timings (s): " + ", ".join(f"{k} {v:.1f}" for k, v in timings.items()))

    rows = read_jsonl(tmp_path / "rows.jsonl")
    balanced = read_jsonl(tmp_path / "balanced.jsonl")
    assert len(rows) == 200 and balanced[: len(rows)] != rows  # the tools were written into the prompts
    mix = Counter(r["reward_model"]["ground_truth"]["behavior"] for r in balanced)
    shares = {b: mix[b] / len(balanced) for b in ("execute", "clarify", "refuse")}
    assert abs(shares["execute"] - 0.60) < 0.01 and abs(shares["clarify"] - 0.25) < 0.01
    assert abs(shares["refuse"] - 0.15) < 0.01
    for row in balanced:  # the policy sees the tools: Qwen 3's <tools> block in the system message
        assert row["prompt"][0]["role"] == "system" and "<tools>" in row["prompt"][0]["content"]
        assert row["extra_info"]["tools_in_prompt"] == "qwen"

    train, held = read_jsonl(tmp_path / "train.jsonl"), read_jsonl(tmp_path / "held_out.jsonl")
    assert len(train) + len(held) == len(balanced) and 0.15 < len(held) / len(balanced) < 0.25

    def user_text(row: dict[str, Any]) -> str:
        return str([m["content"] for m in row["prompt"] if m["role"] == "user"])

    def source(row: dict[str, Any]) -> str:
        return str(row["id"]).split("#")[0]

    assert not {user_text(r) for r in train} & {user_text(r) for r in held}
    assert not {source(r) for r in train} & {source(r) for r in held}

    page = tmp_path / "compare.html"
    html = page.read_text(encoding="utf-8")
    for section in ("deltas", "confusion", "reasons", "better", "worse"):
        assert f'id="{section}"' in html
    from .test_report import Page

    deltas = Page(html).rows("deltas")  # expected, pairs, rows, mean A, mean B, B - A, low, high
    assert set(deltas) == {"all", "execute", "clarify", "refuse"}
    for expected, row in deltas.items():  # the tuned model is better, and the paired interval says so
        assert float(row[5][1] or "nan") > 0 and float(row[6][1] or "nan") > 0, (expected, row)
    embedded = Page(html).images
    assert len(embedded) >= 2
    assert len(assert_renders(page, tmp_path, min_images=len(embedded)).images) == len(embedded)
