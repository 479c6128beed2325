"""Built-in environments (an ordinary plugin): ``bfcl``, BFCL's multi-turn backend classes.

The environment's module (:mod:`rlvr_rewards.environments.bfcl`) imports ``bfcl_eval`` only when an environment
is built, so registering it costs nothing and needs no extra; building one without ``bfcl_eval`` installed raises
a ConfigError naming the extra (``pip install 'rlvr-rewards[bfcl]'``).
"""

from __future__ import annotations

from collections.abc import Callable

from rlvr_rewards.environments import EnvironmentSpec
from rlvr_rewards.environments.bfcl import build as build_bfcl
from rlvr_rewards.hookspecs import hookimpl

BFCL = EnvironmentSpec(
    "bfcl",
    build_bfcl,
    "BFCL's multi-turn backends (config: involved_classes, initial_config, long_context); needs the bfcl extra",
)


@hookimpl
def register_environments(register: Callable[[EnvironmentSpec], None]) -> None:
    register(BFCL)
