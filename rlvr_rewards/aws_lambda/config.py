"""Configuration of the reward Lambda: validated once, from a bundled dict and environment variables.

Precedence (later wins): defaults < the config bundled into ``lambda_function.py`` at build time <
a JSON file named by ``RLVR_CONFIG_FILE`` < individual environment variables:

========================  ===========================================================================
``RLVR_PRESET``           preset name (``graded``, ``binary``, ``aws-blog``, ``toolrl`` or a plugin's)
``RLVR_WEIGHTS``          JSON merged into the preset's weights, e.g. ``{"execute": {"arguments": 0.6}}``
``RLVR_FORMAT``           the completions' tool-call format (a format name or model family, docs/formats.md;
                          unset or ``auto``: detected per completion)
``RLVR_OUTPUT_STYLE``     ``oss`` (``{"statusCode", "headers", "body"}``) or ``nova`` (the bare list)
``RLVR_MAX_CHARS``        ``Limits.max_chars`` (likewise ``RLVR_MAX_DEPTH``, ``RLVR_MAX_CALLS``)
``RLVR_DEADLINE_MARGIN_MS``  stop scoring when less than this is left before the Lambda timeout (default
                             :data:`DEADLINE_MARGIN_MS`; see docs/lambda.md, "Deadline")
``RLVR_COMPONENT_METRICS``   ``1`` (default) to report every component as a ``Metric``, ``0`` not to
========================  ===========================================================================

A bad value raises :class:`ConfigError` naming the variable; the handler turns that into an error
response for the whole event (configuration is the operator's data, not the policy's).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rlvr_rewards.aws_lambda.timing import (
    DEADLINE_MARGIN_MS,
    RESPONSE_RESERVE_MS,
    RESPONSE_US_PER_RESULT,
    SLOWEST_SAMPLE_MS,
)
from rlvr_rewards.errors import ConfigError
from rlvr_rewards.limits import Limits

__all__ = [
    "DEADLINE_MARGIN_MS",
    "ENV_VARS",
    "RESPONSE_RESERVE_MS",
    "RESPONSE_US_PER_RESULT",
    "SLOWEST_SAMPLE_MS",
    "LambdaConfig",
    "load_config",
]

ENV_VARS: dict[str, str] = {
    "RLVR_PRESET": "preset",
    "RLVR_WEIGHTS": "weights",
    "RLVR_FORMAT": "format",
    "RLVR_OUTPUT_STYLE": "output_style",
    "RLVR_MAX_CHARS": "max_chars",
    "RLVR_MAX_DEPTH": "max_depth",
    "RLVR_MAX_CALLS": "max_calls",
    "RLVR_DEADLINE_MARGIN_MS": "deadline_margin_ms",
    "RLVR_COMPONENT_METRICS": "component_metrics",
}


class LambdaConfig(BaseModel):
    """The Lambda's settings (see module docs)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    preset: str = "graded"
    weights: dict[str, dict[str, float]] = Field(default_factory=dict)
    output_style: Literal["oss", "nova"] = "oss"
    format: str | None = None
    max_chars: int = Field(default=Limits().max_chars, gt=0)
    max_depth: int = Field(default=Limits().max_depth, gt=0, le=1000)
    max_calls: int = Field(default=Limits().max_calls, gt=0)
    deadline_margin_ms: int = Field(default=DEADLINE_MARGIN_MS, ge=0)
    component_metrics: bool = True
    chunk_size: int = Field(default=512, gt=0)

    @property
    def limits(self) -> Limits:
        return Limits(max_chars=self.max_chars, max_depth=self.max_depth, max_calls=self.max_calls)


def _from_env(environ: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for var, field in ENV_VARS.items():
        raw = environ.get(var)
        if raw is None or raw == "":
            continue
        if field == "weights":
            try:
                out[field] = json.loads(raw)
            except (ValueError, RecursionError) as exc:  # not JSON, or nested deeper than the decoder goes
                raise ConfigError(f'{var} must be JSON like {{"execute": {{"arguments": 0.6}}}}: {exc}') from None
        elif field == "component_metrics":
            if raw.lower() not in ("0", "1", "true", "false"):
                raise ConfigError(f"{var} must be 0 or 1, got {raw!r}")
            out[field] = raw.lower() in ("1", "true")
        else:
            out[field] = raw
    return out


def load_config(bundled: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> LambdaConfig:
    """The effective configuration (see module docs for the precedence)."""
    env = os.environ if environ is None else environ
    merged: dict[str, Any] = dict(bundled or {})
    path = env.get("RLVR_CONFIG_FILE")
    if path:
        try:
            with open(path, encoding="utf-8") as fh:
                from_file = json.load(fh)
        except (OSError, ValueError, RecursionError) as exc:  # unreadable, not UTF-8, not JSON, nested too deep
            raise ConfigError(f"RLVR_CONFIG_FILE={path!r} could not be read as JSON: {exc}") from None
        if not isinstance(from_file, dict):
            raise ConfigError(f"RLVR_CONFIG_FILE={path!r} must hold a JSON object")
        merged.update(from_file)
    merged.update(_from_env(env))
    try:
        config = LambdaConfig.model_validate(merged)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        field = ".".join(str(p) for p in first["loc"])
        var = next((v for v, f in ENV_VARS.items() if f == field), None)
        where = f"{field}" + (f" (environment variable {var})" if var else "")
        raise ConfigError(f"Lambda configuration {where}: {first['msg']}, got {first.get('input')!r}") from None
    return config
