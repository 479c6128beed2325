"""Stage one of parse -> score: turn a completion into calls, free text, reasoning and violations.

Contract: :func:`parse_completion` never raises on model output; see :mod:`.dispatch` for the accepted
input shapes and :mod:`.formats` for the built-in formats. Results are plain frozen dataclasses
(:class:`ParseResult`, :class:`ParsedCall`); violation codes are the keys of :data:`VIOLATIONS`.
"""

from __future__ import annotations

from rlvr_rewards.parsing.dispatch import parse_completion, parse_many
from rlvr_rewards.parsing.types import VIOLATIONS, ParsedCall, ParseResult, ParserSpec

__all__ = ["VIOLATIONS", "ParseResult", "ParsedCall", "ParserSpec", "parse_completion", "parse_many"]
