"""Every Python block of docs/trajectories.md runs, in order, in one namespace (the page's examples are tested)."""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path

import pytest

from rlvr_rewards.plugins import unregister_plugin

DOC = Path(__file__).resolve().parents[1] / "docs" / "trajectories.md"
#: Modules a block imports that the `test` extra does not install (the README's test command does, with
#: --no-deps), and the extra that installs each.
OPTIONAL = {"bfcl_eval": "bfcl"}


def test_the_python_examples_of_docs_trajectories_run() -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    assert len(blocks) >= 3
    namespace: dict[str, object] = {}
    unrun: list[str] = []
    try:
        for block in blocks:
            absent = [m for m in OPTIONAL if f"import {m}" in block and importlib.util.find_spec(m) is None]
            if absent and not os.environ.get("CI"):  # (in CI the block runs, and fails without them)
                unrun += [f"the block importing {m} (the {OPTIONAL[m]!r} extra installs it)" for m in absent]
                continue
            exec(compile(block, str(DOC), "exec"), namespace)  # our own documentation, not model output
    finally:
        try:
            unregister_plugin("bank")
        except Exception:  # (a block before the registration failed: nothing to undo)
            pass
    if unrun:
        pytest.skip("not run: " + "; ".join(unrun))
