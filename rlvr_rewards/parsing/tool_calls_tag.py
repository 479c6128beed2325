"""Hunyuan (A13B), AI21 Jamba and MiniMax-M1: JSON calls in ``<tool_calls>...</tool_calls>``.

Format: ``<tool_calls>[{"name": "get_weather", "arguments": {"city": "Paris"}}, ...]</tool_calls>``.

- Tencent Hunyuan-A13B-Instruct: its chat template (``tencent/Hunyuan-A13B-Instruct`` ``tokenizer_config.json``)
  asks for exactly that list and renders past calls so; the model card's agent guide (``agent/README.md`` of
  the Hunyuan-A13B repository) shows the answer as ``<think>\\n..\\n</think>\\n<answer>\\n<tool_calls>[..]
  </tool_calls>\\n</answer>``; vLLM ``vllm/tool_parsers/hunyuan_a13b_tool_parser.py`` and its tests.
- AI21 Jamba 1.5 / 1.6: ``<tool_calls>`` and ``</tool_calls>`` are special tokens around the same JSON list
  (vLLM ``vllm/tool_parsers/jamba_tool_parser.py`` and ``tests/tool_parsers/test_jamba_tool_parser.py``:
  ``<tool_calls>[\\n    {"name": .., "arguments": {..}}\\n]</tool_calls>``).
- MiniMax-M1: one call object a line in the same tags (vLLM ``vllm/tool_parsers/minimax_tool_parser.py`` and
  ``tests/tool_parsers/test_minimax_tool_parser.py``; MiniMax-M2's XML calls are the ``minimax`` format).

Contract of :func:`parse_tool_calls_tag` (``docs/architecture.md`` section 2, ``/work/notes/parser_contract.md``):

- ``None`` unless ``<tool_calls>`` or ``</tool_calls>`` occurs (Hermes' ``<tool_call>`` is another format);
- blocks read by :func:`~rlvr_rewards.parsing.toolkit.scan_blocks` as the Hermes parser reads its blocks: the
  inside is JSON, a list of call objects (a single object is accepted), JSON Lines are several calls, text
  after the JSON ``trailing_garbage``, an empty list or block ``empty_call_block``, an unclosed last block
  decoded with ``unclosed_tag``, a closing tag outside a block ``stray_closing_tag``;
- the reasoning (``<think>``) is split off before, by the dispatcher; Hunyuan's ``<answer>`` and
  ``</answer>`` around the free text are dropped (they are the answer's frame, not text beside the call).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Final

from rlvr_rewards.hookspecs import hookimpl
from rlvr_rewards.limits import Limits
from rlvr_rewards.parsing import toolkit
from rlvr_rewards.parsing.types import ParseResult, ParserSpec

__all__ = ["SPECS", "parse_tool_calls_tag", "register_parsers"]

NAME: Final = "tool_calls_tag"
OPEN: Final = "<tool_calls>"
CLOSE: Final = "</tool_calls>"
_ANSWER_OPEN: Final = "<answer>"
_ANSWER_CLOSE: Final = "</answer>"


def _without_answer_frame(text: str) -> str:
    """The free text without Hunyuan's ``<answer>`` at its start and ``</answer>`` at its end (as often as
    they repeat; one slice at the end: linear)."""
    start, end = 0, len(text)
    moved = True
    while moved:
        moved = False
        if text.startswith(_ANSWER_OPEN, start, end):
            start += len(_ANSWER_OPEN)
            while start < end and text[start].isspace():
                start += 1
            moved = True
        if end - start >= len(_ANSWER_CLOSE) and text.endswith(_ANSWER_CLOSE, start, end):
            end -= len(_ANSWER_CLOSE)
            while end > start and text[end - 1].isspace():
                end -= 1
            moved = True
    return text[start:end]


def parse_tool_calls_tag(text: str, limits: Limits | None = None) -> ParseResult | None:
    """``<tool_calls>[{"name": .., "arguments": {..}}]</tool_calls>`` (Hunyuan, Jamba): see the module docstring."""
    if OPEN not in text and CLOSE not in text:
        return None
    limits = limits or toolkit.current_limits()
    result = toolkit.scan_blocks(text, OPEN, CLOSE, NAME, toolkit.Accumulator.decode_block, limits)
    if "answer>" not in result.text:
        return result
    free = _without_answer_frame(result.text)
    violations = result.violations
    if not free:
        violations = tuple(v for v in violations if v != "text_with_call")
    return replace(result, text=free, violations=violations)


SPECS: Final[tuple[ParserSpec, ...]] = (
    ParserSpec(
        NAME,
        parse_tool_calls_tag,
        22,
        '<tool_calls>[{"name": .., "arguments": {..}}]</tool_calls> (Hunyuan A13B, AI21 Jamba, MiniMax-M1)',
        markers=(OPEN, CLOSE),
        family="Tencent Hunyuan-A13B, AI21 Jamba 1.5 / 1.6, MiniMax-M1",
        aliases=("hunyuan", "hunyuan-a13b", "jamba", "minimax-m1"),
        example='<tool_calls>[{"name": "get_weather", "arguments": {"city": "Paris", "days": 2}}]</tool_calls>',
        source="tencent/Hunyuan-A13B-Instruct chat template and agent guide; vLLM "
        "vllm/tool_parsers/hunyuan_a13b_tool_parser.py, jamba_tool_parser.py, minimax_tool_parser.py and their tests",
    ),
)


@hookimpl
def register_parsers(register: Callable[[ParserSpec], None]) -> None:
    """Register the ``<tool_calls>`` format."""
    for spec in SPECS:
        register(spec)
