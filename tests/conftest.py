"""Shared fixtures: a few realistic tool specs and helpers that render completions."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

#: benchmarks/ is a directory of scripts, not a package: the tests import its modules (workload,
#: baselines, bench_throughput) by path. conftest.py is loaded before any test module.
BENCH_DIR = Path(__file__).resolve().parent.parent / "benchmarks"
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

# Hypothesis profiles: "ci" (the default, also used locally) and "long" (opt-in, >= 10k examples per
# fuzz test): HYPOTHESIS_PROFILE=long python -m pytest tests/test_fuzz.py
settings.register_profile("ci", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "long", max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city.",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string", "description": "Name of the city"},
                "units": {
                    "type": "string",
                    "enum": ["metric", "imperial"],
                    "default": "metric",
                    "description": "Unit system",
                },
            },
            "required": ["city"],
        },
    },
}
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


def hermes(*calls: dict[str, Any], think: str | None = None, text: str = "") -> str:
    """Render calls the way Qwen 2.5 writes them."""
    parts = []
    if think is not None:
        parts.append(f"<think>{think}</think>\n")
    if text:
        parts.append(text + "\n")
    for c in calls:
        parts.append("<tool_call>\n" + json.dumps(c) + "\n</tool_call>")
    return "\n".join(parts)


def call(name: str, **arguments: Any) -> dict[str, Any]:
    return {"name": name, "arguments": arguments}


def execute(*calls: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"behavior": "execute", "calls": list(calls), **extra}


@pytest.fixture
def tools() -> list[dict[str, Any]]:
    return TOOLS
