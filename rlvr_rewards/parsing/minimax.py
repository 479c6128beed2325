"""MiniMax M2 / M2.1 tool calls: ``<minimax:tool_call>`` blocks of ``<invoke>`` elements (format ``minimax``).

The format, as the MiniMax-M2 chat template renders an assistant tool-call turn (and as MiniMax's tool
calling guide, ``MiniMax-AI/MiniMax-M2`` / ``MiniMax-M2.5`` ``docs/tool_calling_guide.md``, shows model
output)::

    <minimax:tool_call>
    <invoke name="search_web">
    <parameter name="query_tag">["technology", "events"]</parameter>
    <parameter name="query_list">["\\"OpenAI\\" \\"latest\\" \\"release\\""]</parameter>
    </invoke>
    <invoke name="search_web">
    ...
    </invoke>
    </minimax:tool_call>

Several invokes in one block are several calls; several blocks are read in order. Argument values are text:
the template writes a string as is and anything else as JSON (``tojson``) between ``>`` and ``</parameter>``
with nothing around it, so the value is the raw text between the tags (not stripped: vLLM keeps that
whitespace as data for MiniMax M2, as its Step-3 whitespace tests note) and is typed later by the tool schema
(:mod:`rlvr_rewards.parsing.values`). Attribute values are double-quoted in the template; single quotes are
accepted as MiniMax's own parsing guide accepts them. Reasoning is a ``<think>`` block, which the
dispatcher removes before this parser runs.

Contract: :func:`parse_minimax` returns ``None`` unless ``<minimax:tool_call>`` or ``</minimax:tool_call>``
occurs; otherwise the calls, the free text outside the blocks and the violations (blocks as
:func:`~rlvr_rewards.parsing.toolkit.scan_blocks` reads them: a last block left open is decoded with
``unclosed_tag``, a closing tag without an opening one is ``stray_closing_tag``; inside a block see
:mod:`rlvr_rewards.parsing.xmlinvoke`). Never raises, linear in the text.

MiniMax-M1's ``<tool_calls>`` block of JSON lines is not read here: its tags are the ones Hunyuan and Jamba
wrap a JSON list in, so nothing in the text tells the families apart, and the generic ``<tool_calls>``
parser's block decoder already reads JSON lines as several calls.

Sources: the MiniMax-M2 chat template (``chat_template.jinja`` of the MiniMax-M2 model repository, the
assistant ``tool_calls`` branch), MiniMax's tool calling guide, vLLM
``tests/tool_parsers/test_minimax_m2_tool_parser.py`` and SGLang
``python/sglang/srt/function_call/minimax_m2.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from rlvr_rewards.hookspecs import hookimpl
from rlvr_rewards.limits import Limits
from rlvr_rewards.parsing import toolkit
from rlvr_rewards.parsing.types import ParseResult, ParserSpec
from rlvr_rewards.parsing.xmlinvoke import InvokeReader

__all__ = ["SPECS", "parse_minimax", "register_parsers"]

FORMAT: Final = "minimax"
OPEN: Final = "<minimax:tool_call>"
CLOSE: Final = "</minimax:tool_call>"

#: ``<invoke name="..">`` / ``<parameter name="..">``, double or single quotes.
READER: Final = InvokeReader("invoke", "parameter", quotes="\"'")


def _decode_block(acc: toolkit.Accumulator, inside: str) -> None:
    """The inside of one ``<minimax:tool_call>`` block: its invokes."""
    acc.blocks += 1
    READER.read(acc, inside)


def parse_minimax(text: str, limits: Limits | None = None) -> ParseResult | None:
    """``<minimax:tool_call><invoke name="f"><parameter name="p">v</parameter></invoke></minimax:tool_call>``
    blocks (MiniMax M2 / M2.1); ``None`` when neither block tag occurs."""
    if "minimax:tool_call>" not in text or (OPEN not in text and CLOSE not in text):
        return None
    return toolkit.scan_blocks(text, OPEN, CLOSE, FORMAT, _decode_block, limits or toolkit.current_limits())


_EXAMPLE: Final = (
    "<minimax:tool_call>\n"
    '<invoke name="get_weather">\n'
    '<parameter name="location">San Francisco</parameter>\n'
    '<parameter name="unit">celsius</parameter>\n'
    "</invoke>\n"
    "</minimax:tool_call>"
)

SPECS: Final[tuple[ParserSpec, ...]] = (
    ParserSpec(
        FORMAT,
        parse_minimax,
        13,
        '<minimax:tool_call><invoke name="f"><parameter name="p">value</parameter></invoke>'
        "</minimax:tool_call> (MiniMax M2 / M2.1; values typed by the tool schema)",
        markers=(OPEN, CLOSE),
        family="MiniMax M2 / M2.1",
        aliases=("minimax-m2", "minimax_m2", "minimax-m2.1", "minimax_m2.1", "minimax-m2.5"),
        example=_EXAMPLE,
        source="MiniMax-M2 chat_template.jinja (assistant tool_calls) and MiniMax-M2 docs/tool_calling_guide.md",
    ),
)


@hookimpl
def register_parsers(register: Callable[[ParserSpec], None]) -> None:
    for spec in SPECS:
        register(spec)
