"""The reward server: ``rlvr-rewards serve`` (docs/server.md), for remote and asynchronous trainers.

``create_app``, ``serve`` and ``ServerConfig`` are loaded on first use, so that
``rlvr_rewards.server.client`` (stdlib only) imports without the ``server`` extra (starlette, uvicorn), and so
that the trainer adapters, which use the client and which the server's workers run, never import the server.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ServerConfig", "create_app", "serve"]

_LAZY = {
    "create_app": "rlvr_rewards.server.app",
    "serve": "rlvr_rewards.server.app",
    "ServerConfig": "rlvr_rewards.server.config",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'rlvr_rewards.server' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
