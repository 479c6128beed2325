"""Every Python block of docs/trajectories.md runs, in order, in one namespace (the page's examples are tested)."""

from __future__ import annotations

import re
from pathlib import Path

from rlvr_rewards.plugins import unregister_plugin

DOC = Path(__file__).resolve().parents[1] / "docs" / "trajectories.md"


def test_the_python_examples_of_docs_trajectories_run() -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    assert len(blocks) >= 3
    namespace: dict[str, object] = {}
    try:
        for block in blocks:
            exec(compile(block, str(DOC), "exec"), namespace)  # our own documentation, not model output
    finally:
        try:
            unregister_plugin("bank")
        except Exception:  # (a block before the registration failed: nothing to undo)
            pass
