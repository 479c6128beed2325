"""IBM Granite tool calls: ``<|tool_call|>[{"name": .., "arguments": {..}}, ...]`` (Granite 3.x) and
``<function_call> {"name": .., "arguments": {..}}`` (Granite 20B FunctionCalling, as BFCL prompts it).

Contract of :func:`parse_granite` (format ``granite``):

- ``None`` unless ``<|tool_call|>`` or ``<function_call>`` occurs (two ``in`` tests).
- Each marker opens a segment that runs to the next marker of either kind or to the end of the text: the
  Granite 3.x chat templates (Granite 3.3's, as llama.cpp's template copy shows) write the marker then one
  JSON list of ``{"name", "arguments"}`` objects with no closing marker, the Granite 20B FC template (vLLM
  ``examples/tool_chat_template_granite_20b_fc.jinja``) writes ``<function_call> `` before each call object.
  A segment holds one JSON value, a call object or a list of them (either marker takes either); what follows
  the value in the segment is free text (``text_with_call``). A ``<|/tool_call|>`` right after the value
  (Phi-4 closes the same marker so) and the end-of-text tokens ``<|end_of_text|>`` / ``<|endoftext|>`` at
  the end of a segment are dropped.
- Text before the first marker is free text. An empty segment is ``empty_call_block``; one that does not
  start with JSON, or whose JSON is cut short, ``invalid_json`` (no call). Calls are normalised by the
  shared call-object rules (``missing_name``, ``arguments_not_object``, ``unknown_call_keys``, ...).
  A call to ``no_function`` (the 20B FC prompt's "no relevant function" answer) is a call like any other.
- Linear: markers are located with ``str.find``, each distinct segment text is decoded once
  (``Accumulator.decode_once``), JSON only through ``loads_untrusted``; never raises.

Followed: vLLM ``vllm/tool_parsers/granite_tool_parser.py`` and ``granite_20b_fc_tool_parser.py`` with their
tests (``tests/tool_parsers/test_granite_tool_parser.py``, ``test_granite_20b_fc_tool_parser.py``), the Granite
3.3 chat template (assistant ``tool_calls`` rendered as ``<|tool_call|>[...]``) and vLLM's Granite 20B FC
chat template.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from rlvr_rewards.hookspecs import hookimpl
from rlvr_rewards.limits import Limits
from rlvr_rewards.parsing import toolkit
from rlvr_rewards.parsing.types import ParseResult, ParserSpec

__all__ = ["SPECS", "parse_granite", "register_parsers"]

FORMAT: Final = "granite"
#: Granite 3.x: the ``<|tool_call|>`` special token before a JSON list of calls.
TOOL_CALL: Final = "<|tool_call|>"
#: Granite 20B FunctionCalling: ``<function_call>`` before each call object.
FUNCTION_CALL: Final = "<function_call>"
#: Phi-4's closing form of the same marker, dropped right after a call's JSON.
_CLOSE: Final = "<|/tool_call|>"
#: End-of-text tokens a decode may leave at the end of the answer.
_END_TOKENS: Final = ("<|end_of_text|>", "<|endoftext|>")


def parse_granite(text: str, limits: Limits | None = None) -> ParseResult | None:
    """The Granite calls of ``text`` (see the module docstring), or ``None`` without a Granite marker."""
    has_token = TOOL_CALL in text
    has_fc = FUNCTION_CALL in text
    if not has_token and not has_fc:
        return None
    acc = toolkit.Accumulator(limits or toolkit.current_limits())
    acc.attempted = True
    marks = _marks(text, has_token, has_fc)
    acc.texts.append(text[: marks[0][0]])
    try:
        for k, (start, step) in enumerate(marks):
            end = marks[k + 1][0] if k + 1 < len(marks) else len(text)
            acc.decode_once(text[start + step : end], _segment)
    except toolkit.OverBudget:
        return toolkit.over_budget(FORMAT)
    return acc.result(FORMAT)


def _marks(text: str, has_token: bool, has_fc: bool) -> list[tuple[int, int]]:
    """Every marker of ``text`` as ``(index, length)``, in order (two sorted runs merged)."""
    marks: list[tuple[int, int]] = []
    if has_token:
        marks.extend((i, len(TOOL_CALL)) for i in toolkit.find_all(text, TOOL_CALL))
    if has_fc:
        marks.extend((i, len(FUNCTION_CALL)) for i in toolkit.find_all(text, FUNCTION_CALL))
        if has_token:
            marks.sort()  # (two sorted runs: a linear merge)
    return marks


def _segment(acc: toolkit.Accumulator, segment: str) -> None:
    """What follows one marker, up to the next one."""
    acc.blocks += 1
    body = toolkit.strip_end_tokens(segment, _END_TOKENS)
    if not body:
        acc.violations.append("empty_call_block")
    elif body[0] not in "[{":
        acc.violations.append("invalid_json")
    else:
        toolkit.json_then_text(acc, body, (_CLOSE,))


SPECS: Final[tuple[ParserSpec, ...]] = (
    ParserSpec(
        FORMAT,
        parse_granite,
        21,
        '<|tool_call|>[{"name": .., "arguments": {..}}] (Granite 3.x) or <function_call> {..} (Granite 20B FC)',
        markers=(TOOL_CALL, FUNCTION_CALL),
        family="IBM Granite 3.0-3.3, Granite 20B FunctionCalling",
        aliases=(
            "granite-3",
            "granite-3.0",
            "granite-3.1",
            "granite-3.2",
            "granite-3.3",
            "granite-20b-fc",
            "granite-20b-functioncalling",
        ),
        example='<|tool_call|>[{"name": "get_weather", "arguments": {"city": "Paris"}}]',
        hint_includes=("hermes",),  # (Granite 3.1 may write the plain ``<tool_call>`` string: vLLM's parser)
        source="Granite 3.3 chat template; vLLM granite_tool_parser.py and granite_20b_fc_tool_parser.py "
        "(and their tests), vLLM examples/tool_chat_template_granite_20b_fc.jinja",
    ),
)


@hookimpl
def register_parsers(register: Callable[[ParserSpec], None]) -> None:
    """Register the ``granite`` format."""
    for spec in SPECS:
        register(spec)
