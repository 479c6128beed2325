"""Liquid AI LFM2 / LFM2.5: ``<|tool_call_start|>[f(a=1), g(b="x")]<|tool_call_end|>``.

Format (TRL 1.16 ``trl/chat_templates/lfm2_v2.jinja``, ``lfm2_2_5.jinja``, ``lfm2_2_5_v2.jinja``,
``lfm2_2_5_vl.jinja``, the ``LiquidAI/LFM2-*`` / ``LFM2.5-*`` templates; vLLM
``vllm/tool_parsers/lfm2_tool_parser.py``; Liquid's tool-use guide, docs.liquid.ai "Tool Use"): the calls are
one pythonic list between the two special tokens, a string value in single quotes, a number or a boolean as
Python writes it (``True``), a list or an object as JSON (``tojson``: ``true``/``null`` inside), e.g.
``<|tool_call_start|>[get_weather(city='Paris', days=2)]<|tool_call_end|>``. Text may come before or after
the block. With "Output function calls as JSON" in the system prompt the models write JSON instead (the
guide): the block then holds a call object ``{"name": .., "arguments": {..}}`` or a list of them.

Contract of :func:`parse_lfm2` (``docs/architecture.md`` section 2, ``/work/notes/parser_contract.md``):

- ``None`` unless ``<|tool_call_start|>`` or ``<|tool_call_end|>`` occurs;
- blocks read by :func:`~rlvr_rewards.parsing.toolkit.scan_blocks` (an unclosed block runs to the end,
  ``unclosed_tag``; a second ``<|tool_call_end|>``, as LFM2 writes when it echoes a call, is
  ``stray_closing_tag`` and the echo free text);
- a block's inside (:func:`decode_call_body`): a pythonic list (or lone call) decoded by the linear pythonic
  decoder with JSON's constants read as Python's, or JSON (an object, or a list starting with ``{`` or
  empty) decoded as call objects (``trailing_garbage`` after it); anything else ``pythonic_not_call``; an
  empty block ``empty_call_block``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from rlvr_rewards.hookspecs import hookimpl
from rlvr_rewards.limits import Limits
from rlvr_rewards.parsing import toolkit
from rlvr_rewards.parsing.formats import _pythonic_shape
from rlvr_rewards.parsing.olmo import pythonic_calls
from rlvr_rewards.parsing.types import ParseResult, ParserSpec

Acc = toolkit.Accumulator

__all__ = ["SPECS", "decode_call_body", "parse_lfm2", "register_parsers"]

NAME: Final = "lfm2"
OPEN: Final = "<|tool_call_start|>"
CLOSE: Final = "<|tool_call_end|>"
#: A JSON body: an object, or a list that is empty or starts with an object (``[f(..)]`` is pythonic).
_JSON_BODY: Final = re.compile(r"\{|\[\s*[{\]]")


def decode_call_body(acc: Acc, inside: str, json_constants: bool) -> None:
    """The inside of one delimited block that holds pythonic calls or JSON call objects (counted as a block):
    see the module docstring. ``json_constants``: read ``null``/``true``/``false`` in pythonic calls as
    ``None``/``True``/``False`` (templates that write values with ``tojson``)."""
    body = inside.strip()
    if _JSON_BODY.match(body) is not None:
        acc.decode_block(body)  # (counts the block; JSON, JSON Lines, trailing_garbage)
        return
    acc.blocks += 1
    if not body:
        acc.violations.append("empty_call_block")
    elif _pythonic_shape(body):
        pythonic_calls(acc, body, json_constants)
    else:
        acc.violations.append("pythonic_not_call")


def _lfm2_block(acc: Acc, inside: str) -> None:
    decode_call_body(acc, inside, json_constants=True)


def parse_lfm2(text: str, limits: Limits | None = None) -> ParseResult | None:
    """``<|tool_call_start|>[f(a=1)]<|tool_call_end|>`` (LFM2 / LFM2.5): see the module docstring."""
    if OPEN not in text and CLOSE not in text:
        return None
    return toolkit.scan_blocks(text, OPEN, CLOSE, NAME, _lfm2_block, limits or toolkit.current_limits())


SPECS: Final[tuple[ParserSpec, ...]] = (
    ParserSpec(
        NAME,
        parse_lfm2,
        26,
        "<|tool_call_start|>[f(a=1), g(b='x')]<|tool_call_end|> pythonic list, or JSON calls (LFM2, LFM2.5)",
        markers=(OPEN, CLOSE),
        family="Liquid AI LFM2 / LFM2.5",
        aliases=("lfm", "lfm2.5", "liquid"),
        example="<|tool_call_start|>[get_weather(city='Paris', days=2)]<|tool_call_end|>",
        source="TRL 1.16 trl/chat_templates/lfm2_v2.jinja, lfm2_2_5.jinja, lfm2_2_5_v2.jinja, lfm2_2_5_vl.jinja; "
        "vLLM vllm/tool_parsers/lfm2_tool_parser.py; docs.liquid.ai Tool Use (JSON calls)",
    ),
)


@hookimpl
def register_parsers(register: Callable[[ParserSpec], None]) -> None:
    """Register the LFM2 format."""
    for spec in SPECS:
        register(spec)
