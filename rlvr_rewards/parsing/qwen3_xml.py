"""The ``qwen3_xml`` format: Qwen3-Coder and Qwen 3.5 / 3.6 XML tool calls.

Follows the chat templates that write it: TRL 1.16 ``trl/chat_templates/qwen3_5_think.jinja``,
``qwen3_5_nothink.jinja`` and ``qwen3_6.jinja``, and Qwen3-Coder's published ``chat_template.jinja``
(Qwen/Qwen3-Coder-30B-A3B-Instruct); the outputs shown by vLLM's ``tests/tool_parsers/test_qwen3coder_tool_parser.py``.
Each call is one block::

    <tool_call>
    <function=get_weather>
    <parameter=city>
    Paris
    </parameter>
    </function>
    </tool_call>

Contract of :func:`parse_qwen3_xml` (input: the answer text, ``<think>`` reasoning already removed):

- ``None`` unless ``<function=`` occurs and either the first ``<tool_call>`` block is Qwen3-XML shaped (its
  inside starts, after whitespace, with ``<function=``: :func:`~rlvr_rewards.parsing.xmlshape.qwen3_xml_shaped`,
  the rule the Hermes parser declines such blocks by), or there is no ``<tool_call>`` (nor Seed-OSS block) at
  all and the first ``<function=NAME>`` is followed by ``<parameter=`` or ``</function>`` (the bare calls
  vLLM's parser also accepts; a Llama 3.1 ``<function=f>{json}</function>`` or prose is not claimed).
- Every ``<tool_call>`` block is read (unclosed, stray and repeated blocks as the Hermes scan does); a block
  may hold several ``<function=`` calls, each a call. Values are text (``ParsedCall.untyped``, typed by the
  tool schema when scored) without the one leading and one trailing newline the template writes around
  them (:mod:`rlvr_rewards.parsing.xmlparams`). A later block in another format is still read and flagged
  ``mixed_formats``: Hermes JSON as the Hermes parser reads it, a GLM call as :mod:`~rlvr_rewards.parsing.glm`
  does; a block with no call in any of them is ``missing_name``; an empty one ``empty_call_block``.
- Linear in the text, never raises; a block whose text repeats is decoded once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from rlvr_rewards.hookspecs import hookimpl
from rlvr_rewards.limits import Limits
from rlvr_rewards.parsing import toolkit
from rlvr_rewards.parsing.glm import read_glm_call
from rlvr_rewards.parsing.types import ParseResult, ParserSpec
from rlvr_rewards.parsing.xmlparams import (
    FUNCTION_CLOSE,
    FUNCTION_OPEN,
    PARAMETER_OPEN,
    clean_name,
    first_block,
    glm_shaped,
    qwen3_xml_shaped,
    read_function,
    read_functions,
)

__all__ = ["SPECS", "parse_qwen3_xml", "register_parsers"]

FORMAT: Final = "qwen3_xml"
_OPEN: Final = "<tool_call>"
_CLOSE: Final = "</tool_call>"
_SEED_MARK: Final = "seed:tool_call>"


def parse_qwen3_xml(text: str, limits: Limits | None = None) -> ParseResult | None:
    """The ``qwen3_xml`` calls of ``text`` (see the module docstring), ``None`` when it is not this format."""
    if FUNCTION_OPEN not in text:
        return None
    limits = limits or toolkit.current_limits()
    first = first_block(text, _OPEN, _CLOSE)
    if first is not None:
        if not qwen3_xml_shaped(first):
            return None
        return toolkit.scan_blocks(text, _OPEN, _CLOSE, FORMAT, _decode_block, limits)
    if _CLOSE in text or _SEED_MARK in text or not _bare_call_shaped(text):
        return None
    return toolkit.scan_blocks(text, FUNCTION_OPEN, FUNCTION_CLOSE, FORMAT, _decode_bare, limits)


def _bare_call_shaped(text: str) -> bool:
    """The first ``<function=NAME>`` of ``text`` has a clean name and is followed (after whitespace) by
    ``<parameter=``, ``</function>`` or the end of the text."""
    o = text.find(FUNCTION_OPEN)
    start = o + len(FUNCTION_OPEN)
    gt = text.find(">", start)
    if gt == -1 or not clean_name(text[start:gt]):
        return False
    rest = text[gt + 1 :].lstrip()
    return not rest or rest.startswith((PARAMETER_OPEN, FUNCTION_CLOSE))


def _decode_block(acc: toolkit.Accumulator, content: str) -> None:
    """The inside of one ``<tool_call>`` block."""
    if FUNCTION_OPEN in content:
        acc.blocks += 1
        read_functions(acc, content)
        return
    body = content.strip()
    if body[:1] in ("{", "["):  # a Hermes JSON block among XML ones: read as Hermes reads it
        acc.decode_block(content)
        acc.violations.append("mixed_formats")
        return
    acc.blocks += 1
    if not body:
        acc.violations.append("empty_call_block")
    elif glm_shaped(body):
        read_glm_call(acc, content)
        acc.violations.append("mixed_formats")
    else:
        acc.violations.append("missing_name")


def _decode_bare(acc: toolkit.Accumulator, inside: str) -> None:
    """What follows one bare ``<function=`` (no ``<tool_call>`` around it) up to its ``</function>``."""
    acc.blocks += 1
    read_function(acc, inside)


_EXAMPLE: Final = (
    "I'll check the weather.\n\n<tool_call>\n<function=get_weather>\n<parameter=city>\nParis\n</parameter>\n"
    "<parameter=days>\n3\n</parameter>\n</function>\n</tool_call>"
)

SPECS: Final[tuple[ParserSpec, ...]] = (
    ParserSpec(
        FORMAT,
        parse_qwen3_xml,
        11,
        "<tool_call><function=NAME><parameter=P>value</parameter></function></tool_call> (Qwen3-Coder, Qwen 3.5/3.6)",
        markers=(FUNCTION_OPEN, "<tool_call>", "</tool_call>"),  # (the shared tags: never mixed with itself)
        family="Qwen3-Coder, Qwen 3.5, Qwen 3.6",
        aliases=("qwen3-coder", "qwen3.5", "qwen3.6", "qwen3-xml", "qwen3-coder-xml"),
        example=_EXAMPLE,
        source="TRL 1.16 trl/chat_templates/qwen3_5_think.jinja, qwen3_6.jinja; Qwen3-Coder chat_template.jinja; "
        "vLLM tests/tool_parsers/test_qwen3coder_tool_parser.py",
    ),
)


@hookimpl
def register_parsers(register: Callable[[ParserSpec], None]) -> None:
    """Register the ``qwen3_xml`` format."""
    for spec in SPECS:
        register(spec)
