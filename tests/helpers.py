"""Helpers shared by the tests (and by ``tools/`` and the docs generator where they need the same things).

- :func:`compile_truth` / :func:`resolve_item`: the library's functions with the registered matchers, as
  scoring calls them (truth compilation takes its matchers as an argument and never looks the registry up).
"""

from __future__ import annotations

from typing import Any

from rlvr_rewards.groundtruth import truths
from rlvr_rewards.plugins import get_registry

__all__ = ["compile_truth", "resolve_item"]


def compile_truth(value: Any) -> truths.CompiledTruth:
    """:func:`rlvr_rewards.groundtruth.truths.compile_truth` with the registered matchers."""
    return truths.compile_truth(value, get_registry().matcher_table)


def resolve_item(value: Any, read_tools: bool = True) -> tuple[truths.CompiledTruth, Any]:
    """:func:`rlvr_rewards.groundtruth.truths.resolve_item` with the registered matchers."""
    return truths.resolve_item(value, get_registry().matcher_table, read_tools)
