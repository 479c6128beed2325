"""Shared fixtures and the Hypothesis profiles (the tool specs and renderers the tests share are in helpers.py)."""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from .helpers import TOOLS

# Hypothesis profiles: "ci" (the default, also used locally) and "long" (opt-in, >= 10k examples per
# fuzz test): HYPOTHESIS_PROFILE=long python -m pytest tests/test_fuzz.py
settings.register_profile("ci", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "long", max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def tools() -> list[dict[str, Any]]:
    return TOOLS
