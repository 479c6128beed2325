"""Llama 4 (Meta): pythonic calls wrapped in ``<|python_start|>...<|python_end|>``.

Format (vLLM ``vllm/tool_parsers/llama4_pythonic_tool_parser.py`` and its tests
``tests/tool_parsers/test_llama4_pythonic_tool_parser.py``; Meta's Llama 4 prompt format; the
``meta-llama/Llama-4-*-Instruct`` chat template): Llama 4 writes ``[get_weather(city='LA', metric='C')]``,
sometimes wrapped in ``<|python_start|>`` ... ``<|python_end|>``. Its Hub chat template renders an assistant
turn with calls as ``<|python_start|>`` + the message text + ``<|python_end|>`` followed by the calls as JSON
``{"name": .., "parameters": {..}}`` back to back, so a model tuned on it may write that.

This parser claims only text with the Llama 4 markers; a plain ``[f(a=1)]`` is the ``pythonic`` format.

Contract of :func:`parse_llama4` (``docs/architecture.md`` section 2, ``/work/notes/parser_contract.md``):

- ``None`` unless ``<|python_start|>`` or ``<|python_end|>`` occurs; trailing ``<|eot|>``/``<|eom|>`` are
  dropped;
- each ``<|python_start|>`` opens a block that runs to its ``<|python_end|>`` (none before the next opening
  marker or the end of the text: ``unclosed_tag``); a ``<|python_end|>`` outside a block is
  ``stray_closing_tag``; a repeated block is decoded once;
- a block's inside: a pythonic list (or lone call) read by the linear pythonic decoder, or JSON call
  objects (:func:`rlvr_rewards.parsing.lfm2.decode_call_body`); empty: ``empty_call_block``;
- the template's layout: when the block holds no call (it is empty or the message text) and a JSON object
  follows its ``<|python_end|>``, the JSON values there (separated by nothing, whitespace or ``;``) are the
  calls and the block's text is free text;
- text outside the blocks is free text (``text_with_call`` beside a call).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from rlvr_rewards.hookspecs import hookimpl
from rlvr_rewards.limits import Limits
from rlvr_rewards.parsing import toolkit
from rlvr_rewards.parsing.formats import _json_sequence, _pythonic_shape
from rlvr_rewards.parsing.lfm2 import decode_call_body
from rlvr_rewards.parsing.types import ParseResult, ParserSpec

Acc = toolkit.Accumulator

__all__ = ["SPECS", "parse_llama4", "register_parsers"]

NAME: Final = "llama4"
START: Final = "<|python_start|>"
END: Final = "<|python_end|>"
_END_TOKENS: Final = ("<|eot|>", "<|eom|>", "<|end_of_text|>")


def _free_text(acc: Acc, piece: str) -> None:
    """Free text outside a block; every ``<|python_end|>`` in it is ``stray_closing_tag`` (and dropped)."""
    if END in piece:
        acc.violations.append("stray_closing_tag")
        acc.texts.extend(piece.split(END))
    else:
        acc.texts.append(piece)


def _holds_calls(body: str) -> bool:
    """The (stripped) inside of a block is written as calls: pythonic or JSON."""
    return bool(body) and (body[0] in "[{" or _pythonic_shape(body))


def _segment(acc: Acc, seg: str) -> None:
    """What follows one ``<|python_start|>``, up to the next one (or the end of the text)."""
    e = seg.find(END)
    if e == -1:
        acc.violations.append("unclosed_tag")
        decode_call_body(acc, seg, json_constants=False)
        return
    body = seg[:e].strip()
    rest = seg[e + len(END) :]
    after = rest.lstrip()
    if after[:1] == "{" and not _holds_calls(body):
        # the chat template's layout: the block holds the message text, the calls follow as JSON objects
        acc.texts.append(body)
        acc.blocks += 1
        stray = after.find(END)
        _json_sequence(acc, after if stray == -1 else after[:stray])
        if stray != -1:
            _free_text(acc, after[stray:])
        return
    decode_call_body(acc, body, json_constants=False)
    _free_text(acc, rest)


def parse_llama4(text: str, limits: Limits | None = None) -> ParseResult | None:
    """``<|python_start|>[f(a=1)]<|python_end|>`` (Llama 4): see the module docstring."""
    if START not in text and END not in text:
        return None
    text = toolkit.strip_end_tokens(text, _END_TOKENS)  # (free text is stripped anyway)
    acc = toolkit.Accumulator(limits or toolkit.current_limits())
    acc.attempted = True
    starts = toolkit.find_all(text, START)
    step = len(START)
    if not starts:  # closing markers only
        _free_text(acc, text)
        return acc.result(NAME)
    _free_text(acc, text[: starts[0]])
    ends = [*starts[1:], len(text)]
    try:
        for s, stop in zip(starts, ends, strict=True):
            acc.decode_once(text[s + step : stop], _segment)
    except toolkit.OverBudget:
        return toolkit.over_budget(NAME)
    return acc.result(NAME)


SPECS: Final[tuple[ParserSpec, ...]] = (
    ParserSpec(
        NAME,
        parse_llama4,
        27,
        "<|python_start|>[f(a=1)]<|python_end|> pythonic calls, or JSON after the block (Llama 4)",
        markers=(START, END),
        family="Llama 4 (Meta)",
        aliases=("llama4", "llama-4"),
        hint_includes=("pythonic",),  # (Llama 4 also writes a plain [f(a=1)] list: format="llama4" reads it)
        example="<|python_start|>[get_weather(city='Paris', days=2)]<|python_end|>",
        source="vLLM vllm/tool_parsers/llama4_pythonic_tool_parser.py and its tests; "
        "meta-llama/Llama-4-*-Instruct chat template",
    ),
)


@hookimpl
def register_parsers(register: Callable[[ParserSpec], None]) -> None:
    """Register the Llama 4 format."""
    for spec in SPECS:
        register(spec)
