"""Built-in plugin: registers the built-in completion formats (hermes, nemotron, mistral, llama3,
fence, json, pythonic) from :data:`rlvr_rewards.parsing.formats.BUILTIN_PARSERS`.

Contract: registers exactly those ``ParserSpec`` objects, in priority order; nothing else. The
structural OpenAI ``tool_calls`` path is handled by ``parse_completion`` itself, not by a parser.
"""

from __future__ import annotations

from collections.abc import Callable

from rlvr_rewards.hookspecs import hookimpl
from rlvr_rewards.parsing.formats import BUILTIN_PARSERS
from rlvr_rewards.parsing.types import ParserSpec

__all__ = ["register_parsers"]


@hookimpl
def register_parsers(register: Callable[[ParserSpec], None]) -> None:
    """Register every built-in format."""
    for spec in BUILTIN_PARSERS:
        register(spec)
