"""The example tables of docs/presets.md are copy-pasteable: each completion cell is a JSON string that decodes to
exactly the completion the generator scored, and scoring it (with the table's truth and tool) gives the printed
reward under every preset and the printed reason (issue 20: a copied "correct call" cell used to score 0.0)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pytest

import rlvr_rewards as rr

ROOT = Path(__file__).resolve().parents[1]
PRESETS = ["graded", "binary", "aws-blog", "toolrl", "bfcl"]


def _generator() -> Any:
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        spec = importlib.util.spec_from_file_location("gen_docs_for_tables", ROOT / "tools" / "gen_docs.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(ROOT / "tools"))


def _rows(block: str) -> list[list[str]]:
    text = (ROOT / "docs" / "presets.md").read_text(encoding="utf-8")
    body = text.split(f"<!-- BEGIN GENERATED: {block} -->", 1)[1].split(f"<!-- END GENERATED: {block} -->", 1)[0]
    rows = []
    for line in body.strip().splitlines()[2:]:  # (after the header and the rule)
        cells = [c.strip() for c in line.strip("|").replace("\\|", "\0").split("|")]
        rows.append([c.replace("\0", "|") for c in cells])
    return rows


@pytest.mark.parametrize(("block", "examples"), [("preset-examples", "EXAMPLES"), ("guard-examples", "GUARDS")])
def test_every_completion_cell_decodes_and_scores_as_printed(block: str, examples: str) -> None:
    gen = _generator()
    by_name = {name: (truth, completion) for name, truth, completion in getattr(gen, examples)}
    rows = _rows(block)
    assert len(rows) == len(by_name)
    checked = 0
    for name, _expected, cell, *printed, reason in rows:
        truth, completion = by_name[name]
        if cell.startswith("*("):  # a very long completion, summarised
            assert cell == f"*({len(completion):,} characters)*"
            continue
        assert cell.startswith("`") and cell.endswith("`"), cell
        copied = json.loads(cell[1:-1])
        assert copied == completion, name
        for preset, value in zip(PRESETS, printed, strict=True):
            assert f"{rr.score(copied, truth, tools=[gen.WEATHER], preset=preset).reward:.2f}" == value, (name, preset)
        assert f"`{rr.score(copied, truth, tools=[gen.WEATHER]).reason}`" == reason
        checked += 1
    assert checked >= len(rows) - 2


@pytest.mark.slow  # (the worked example runs its property check: about 25 s)
def test_the_printed_failure_in_docs_testing_is_what_the_worked_example_prints() -> None:
    """Run as a reader runs it: the block alone in a fresh interpreter (a pytest session's Hypothesis state
    draws other examples for the same seed)."""
    import re
    import subprocess

    text = (ROOT / "docs" / "testing.md").read_text(encoding="utf-8")
    example = text.split("## A worked example", 1)[1]
    code = re.search(r"```python\n(.*?)```", example, flags=re.S)
    printed = re.search(r"prints \(checked by `tests/test_doc_tables.py`\):\n\n```\n(.*?)```", example, flags=re.S)
    assert code is not None and printed is not None
    run = subprocess.run([sys.executable, "-c", code.group(1)], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert run.returncode == 0, run.stderr
    assert " ".join(run.stdout.split()) == " ".join(printed.group(1).split())
