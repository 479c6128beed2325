"""The ``glm`` format: GLM 4.5 / 4.6 / 4.7 (Zhipu AI, ``glm4_moe``) tool calls.

Follows TRL 1.16 ``trl/chat_templates/glm4moe.jinja`` (GLM-4.5's template) and the outputs shown by vLLM's
``tests/tool_parsers/test_glm4_moe_tool_parser.py`` and ``test_glm47_moe_tool_parser.py``. Each call is one
block, the name first, then key/value pairs; GLM 4.7 writes no newlines between them::

    <tool_call>get_weather
    <arg_key>city</arg_key>
    <arg_value>Paris</arg_value>
    </tool_call>
    <tool_call>get_weather<arg_key>city</arg_key><arg_value>Paris</arg_value></tool_call>
    <tool_call>list_files</tool_call>

Contract of :func:`parse_glm` (input: the answer text, ``<think>`` reasoning already removed):

- ``None`` unless the first ``<tool_call>`` block is GLM-shaped (an identifier-like name, then
  ``<arg_key>`` or nothing: :func:`~rlvr_rewards.parsing.xmlshape.glm_shaped`) and not JSON (a scalar such as
  ``7`` or ``true`` stays Hermes's): the rule by which the Hermes parser declines such blocks, so Hermes
  ``<tool_call>{json}</tool_call>`` and Qwen3-XML blocks are never claimed.
- Every ``<tool_call>`` block is read (unclosed, stray and repeated blocks as the Hermes scan does). The name
  is the first line before the first ``<arg_key>``; values are the text between ``<arg_value>`` and
  ``</arg_value>`` as written (the template adds nothing around them: strings as they are, other values
  as JSON), recorded untyped (typed by the tool schema when scored); keys are stripped. An ``<arg_key>``
  or ``<arg_value>`` left open ends at the next ``<arg_key>`` or the end of the block (``unclosed_tag``);
  a key without a value, or text between the pairs, is ``trailing_garbage``; a name that is empty or holds
  whitespace is ``missing_name``. A later block in another format is read as that format and flagged
  ``mixed_formats`` (Hermes JSON, Qwen3-XML ``<function=``).
- Linear in the text, never raises; a block whose text repeats is decoded once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from rlvr_rewards.hookspecs import hookimpl
from rlvr_rewards.limits import Limits
from rlvr_rewards.parsing import toolkit
from rlvr_rewards.parsing.types import ParseResult, ParserSpec
from rlvr_rewards.parsing.xmlparams import FUNCTION_OPEN, blank, clean_name, first_block, glm_shaped, read_functions

__all__ = ["SPECS", "parse_glm", "read_glm_call", "register_parsers"]

FORMAT: Final = "glm"
_OPEN: Final = "<tool_call>"
_CLOSE: Final = "</tool_call>"
_KEY: Final = "<arg_key>"
_KEY_END: Final = "</arg_key>"
_VALUE: Final = "<arg_value>"
_VALUE_END: Final = "</arg_value>"


def parse_glm(text: str, limits: Limits | None = None) -> ParseResult | None:
    """The ``glm`` calls of ``text`` (see the module docstring), ``None`` when it is not this format."""
    if _OPEN not in text:
        return None
    first = first_block(text, _OPEN, _CLOSE)
    if first is None or not glm_shaped(first):
        return None
    limits = limits or toolkit.current_limits()
    if toolkit.loads_untrusted(first.strip(), limits, True)[1] is None:  # a JSON scalar (``7``, ``true``): Hermes's
        return None
    return toolkit.scan_blocks(text, _OPEN, _CLOSE, FORMAT, _decode_block, limits)


def _decode_block(acc: toolkit.Accumulator, content: str) -> None:
    """The inside of one ``<tool_call>`` block."""
    body = content.strip()
    if body[:1] in ("{", "["):  # a Hermes JSON block among GLM ones: read as Hermes reads it
        acc.decode_block(content)
        acc.violations.append("mixed_formats")
        return
    acc.blocks += 1
    if not body:
        acc.violations.append("empty_call_block")
    elif body.startswith(FUNCTION_OPEN):
        read_functions(acc, content)
        acc.violations.append("mixed_formats")
    else:
        read_glm_call(acc, content)


def read_glm_call(acc: toolkit.Accumulator, content: str) -> None:
    """One GLM call: ``content`` is the inside of its ``<tool_call>`` block (``NAME`` then the pairs)."""
    pieces = content.split(_KEY)
    head = pieces[0].strip()
    line_end = head.find("\n")
    if line_end != -1:  # more than the name before the first key
        acc.violations.append("trailing_garbage")
        head = head[:line_end]
    pairs: list[tuple[str, str]] = []
    for piece in pieces[1:]:
        pair = _read_pair(acc, piece)
        if pair is not None:
            pairs.append(pair)
    toolkit.add_text_call(acc, clean_name(head), pairs)


def _read_pair(acc: toolkit.Accumulator, piece: str) -> tuple[str, str] | None:
    """One ``k</arg_key><arg_value>v</arg_value>`` pair: ``piece`` is what follows ``<arg_key>`` up to the next
    one or the end of the block. ``None`` when the key is never closed or has no value."""
    key_end = piece.find(_KEY_END)
    if key_end == -1:
        acc.violations.append("unclosed_tag")
        return None
    after_key = key_end + len(_KEY_END)
    v = piece.find(_VALUE, after_key)
    if v == -1:  # a key without a value
        acc.violations.append("trailing_garbage")
        return None
    if not blank(piece, after_key, v):
        acc.violations.append("trailing_garbage")
    key = piece[:key_end].strip()
    value_start = v + len(_VALUE)
    value_end = piece.find(_VALUE_END, value_start)
    if value_end == -1:
        acc.violations.append("unclosed_tag")
        return key, piece[value_start:]
    if not blank(piece, value_end + len(_VALUE_END), len(piece)):
        acc.violations.append("trailing_garbage")
    return key, piece[value_start:value_end]


_EXAMPLE: Final = (
    "<tool_call>get_weather\n<arg_key>city</arg_key>\n<arg_value>Paris</arg_value>\n"
    "<arg_key>days</arg_key>\n<arg_value>3</arg_value>\n</tool_call>"
)

SPECS: Final[tuple[ParserSpec, ...]] = (
    ParserSpec(
        FORMAT,
        parse_glm,
        12,
        "<tool_call>NAME<arg_key>k</arg_key><arg_value>v</arg_value></tool_call> (GLM 4.5/4.6/4.7)",
        markers=(_KEY, _OPEN, "</tool_call>"),
        family="GLM 4.5, GLM 4.6, GLM 4.7",
        aliases=("glm4_moe", "glm4", "glm-4.5", "glm-4.6", "glm-4.7", "glm47"),
        example=_EXAMPLE,
        source="TRL 1.16 trl/chat_templates/glm4moe.jinja; vLLM tests/tool_parsers/test_glm4_moe_tool_parser.py, "
        "test_glm47_moe_tool_parser.py",
    ),
)


@hookimpl
def register_parsers(register: Callable[[ParserSpec], None]) -> None:
    """Register the ``glm`` format."""
    for spec in SPECS:
        register(spec)
