"""Amazon SageMaker RLVR reward Lambda: the handler, its configuration, and the artifact builder.

``from rlvr_rewards.aws_lambda import lambda_handler`` is a ready handler (configured by environment
variables); ``rlvr-rewards lambda build`` packages it with its dependencies. See docs/lambda.md.

Importing this package loads none of the scoring machinery (numpy, pydantic, jsonschema): the first event
does (docs/lambda.md, "Cold start"); :func:`warm_up` does it at once, for SnapStart or provisioned
concurrency, where the init phase is the place for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rlvr_rewards.aws_lambda.handler import ERROR_CODES, lambda_handler, make_handler, score_event, warm_up

if TYPE_CHECKING:
    from rlvr_rewards.aws_lambda.config import LambdaConfig, load_config


def __getattr__(name: str) -> Any:
    """``LambdaConfig`` and ``load_config`` on first use: the configuration module imports pydantic."""
    if name in ("LambdaConfig", "load_config"):
        from rlvr_rewards.aws_lambda import config

        return getattr(config, name)
    raise AttributeError(f"module 'rlvr_rewards.aws_lambda' has no attribute {name!r}")


__all__ = ["ERROR_CODES", "LambdaConfig", "lambda_handler", "load_config", "make_handler", "score_event", "warm_up"]
