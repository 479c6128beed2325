"""Amazon SageMaker RLVR reward Lambda: the handler, its configuration, and the artifact builder.

``from rlvr_rewards.aws_lambda import lambda_handler`` is a ready handler (configured by environment
variables); ``rlvr-rewards lambda build`` packages it with its dependencies. See docs/lambda.md.
"""

from __future__ import annotations

from rlvr_rewards.aws_lambda.config import LambdaConfig, load_config
from rlvr_rewards.aws_lambda.handler import ERROR_CODES, lambda_handler, make_handler, score_event

__all__ = ["ERROR_CODES", "LambdaConfig", "lambda_handler", "load_config", "make_handler", "score_event"]
