"""Microsoft Phi-4-mini tool calls: ``functools[{"name": .., "arguments": {..}}, ...]``.

Contract of :func:`parse_phi4_mini` (format ``phi4_mini``):

- ``None`` unless ``functools[`` occurs (one ``in`` test).
- The Phi-4-mini tool prompt (vLLM ``examples/tool_chat_template_phi4_mini.jinja``) asks for every call in
  one JSON list after the ``functools`` marker, with no closing marker. Each ``functools[`` starts a JSON
  list that runs at most to the next marker; its items are call objects (``arguments``, or ``parameters``
  as vLLM's parser also takes). What follows the list is free text (``text_with_call``), as is the text
  before the first marker; ``<|end|>`` / ``<|endoftext|>`` at the end of a segment are dropped.
- ``functools[]`` is ``empty_call_block``; a list cut short or not JSON (``functools[ some text ]``) is
  ``invalid_json`` (no call). Calls are normalised by the shared call-object rules (``missing_name``,
  ``arguments_not_object``, ...).
- Linear: markers located with ``str.find``, each distinct segment decoded once, JSON only through
  ``loads_untrusted``; never raises.

Followed: vLLM ``vllm/tool_parsers/phi4mini_tool_parser.py`` and its test
(``tests/tool_parsers/test_phi4mini_tool_parser.py``), vLLM ``examples/tool_chat_template_phi4_mini.jinja``.
TRL's ``phi3.jinja`` / ``phi3_5.jinja`` render no tool calls (they read ``content`` only).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from rlvr_rewards.hookspecs import hookimpl
from rlvr_rewards.limits import Limits
from rlvr_rewards.parsing import toolkit
from rlvr_rewards.parsing.types import ParseResult, ParserSpec

__all__ = ["SPECS", "parse_phi4_mini", "register_parsers"]

FORMAT: Final = "phi4_mini"
MARKER: Final = "functools["
#: The marker without its bracket: the JSON list starts at the bracket.
_WORD: Final = len("functools")
_END_TOKENS: Final = ("<|end|>", "<|endoftext|>")


def parse_phi4_mini(text: str, limits: Limits | None = None) -> ParseResult | None:
    """The Phi-4-mini calls of ``text`` (see the module docstring), or ``None`` without ``functools[``."""
    if MARKER not in text:
        return None
    acc = toolkit.Accumulator(limits or toolkit.current_limits())
    acc.attempted = True
    marks = toolkit.find_all(text, MARKER)
    acc.texts.append(text[: marks[0]])
    try:
        for k, start in enumerate(marks):
            end = marks[k + 1] if k + 1 < len(marks) else len(text)
            acc.decode_once(text[start + _WORD : end], _segment)
    except toolkit.OverBudget:
        return toolkit.over_budget(FORMAT)
    return acc.result(FORMAT)


def _segment(acc: toolkit.Accumulator, segment: str) -> None:
    """``[...`` after one marker, up to the next one."""
    acc.blocks += 1
    toolkit.json_then_text(acc, toolkit.strip_end_tokens(segment, _END_TOKENS))


SPECS: Final[tuple[ParserSpec, ...]] = (
    ParserSpec(
        FORMAT,
        parse_phi4_mini,
        28,
        'functools[{"name": .., "arguments": {..}}, ...] (Phi-4-mini)',
        markers=(MARKER,),
        family="Microsoft Phi-4-mini",
        aliases=("phi-4-mini", "phi-4-mini-instruct", "phi4-mini-json"),
        example='functools[{"name": "get_weather", "arguments": {"city": "Paris"}}]',
        source="vLLM phi4mini_tool_parser.py (and its test), vLLM examples/tool_chat_template_phi4_mini.jinja",
    ),
)


@hookimpl
def register_parsers(register: Callable[[ParserSpec], None]) -> None:
    """Register the ``phi4_mini`` format."""
    for spec in SPECS:
        register(spec)
