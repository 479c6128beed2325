"""The ``seed_oss`` format: ByteDance Seed-OSS (Seed-OSS-36B) tool calls.

Follows Seed-OSS's published ``chat_template.jinja`` (ByteDance-Seed/Seed-OSS-36B-Instruct) and the outputs
shown by vLLM's ``tests/tool_parsers/test_seed_oss_tool_parser.py``. Each call is one block, reasoning is a
``<seed:think>`` block (with ``<seed:cot_budget_reflect>`` notes inside it)::

    <seed:think>The user wants the weather.</seed:think>
    <seed:tool_call>
    <function=get_weather>
    <parameter=location>Barcelona, Spain</parameter>
    </function>
    </seed:tool_call>

Contract of :func:`parse_seed_oss` (input: the answer text, ``<think>`` reasoning already removed):

- ``None`` unless ``<seed:tool_call>`` or ``</seed:tool_call>`` occurs.
- ``<seed:think>`` blocks still in the text (the dispatcher's reasoning split normally removes them) are
  reasoning, split by the rules of :func:`~rlvr_rewards.parsing.reasoning.split_think` (``unclosed_think``,
  ``repeated_think``, ``think_after_answer``, a ``</seed:think>`` with no opening: what precedes it is
  reasoning); calls written inside reasoning are not calls. A text whose only Seed-OSS blocks are in its
  reasoning has no call (the result carries the reasoning and the answer).
- Every ``<seed:tool_call>`` block is read (unclosed, stray and repeated blocks as the Hermes scan does); a
  block may hold several ``<function=`` calls (the Seed-OSS system prompt allows it), each a call, read by
  :mod:`rlvr_rewards.parsing.xmlparams`. The template writes values inline (``<parameter=P>value</parameter>``);
  one leading and one trailing newline are removed as vLLM's ``seed_oss_tool_parser`` does (the newline-framed
  Qwen3-Coder layout the model also writes), nothing else. A block with no ``<function=`` is ``missing_name``,
  an empty one ``empty_call_block``.
- Linear in the text, never raises; a block whose text repeats is decoded once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from rlvr_rewards.hookspecs import hookimpl
from rlvr_rewards.limits import Limits
from rlvr_rewards.parsing import toolkit
from rlvr_rewards.parsing.types import ParseResult, ParserSpec
from rlvr_rewards.parsing.xmlparams import FUNCTION_OPEN, read_functions

__all__ = ["SPECS", "parse_seed_oss", "register_parsers", "split_seed_think"]

FORMAT: Final = "seed_oss"
_OPEN: Final = "<seed:tool_call>"
_CLOSE: Final = "</seed:tool_call>"
_THINK: Final = "<seed:think>"
_THINK_END: Final = "</seed:think>"


def parse_seed_oss(text: str, limits: Limits | None = None) -> ParseResult | None:
    """The ``seed_oss`` calls of ``text`` (see the module docstring), ``None`` when it is not this format."""
    if "seed:tool_call>" not in text or (_OPEN not in text and _CLOSE not in text):
        return None
    answer, think, found = split_seed_think(text) if "seed:think>" in text else (text, "", ())
    if _OPEN not in answer and _CLOSE not in answer:  # its blocks were all inside the reasoning
        return ParseResult(calls=(), text=answer.strip(), think=think, violations=tuple(sorted(set(found))))
    result = toolkit.scan_blocks(answer, _OPEN, _CLOSE, FORMAT, _decode_block, limits or toolkit.current_limits())
    if not think and not found:
        return result
    return ParseResult(
        calls=result.calls,
        text=result.text,
        think=think,
        format=result.format,
        violations=tuple(sorted({*result.violations, *found})),
        attempted_call=result.attempted_call,
        untyped=result.untyped,
    )


def _decode_block(acc: toolkit.Accumulator, content: str) -> None:
    """The inside of one ``<seed:tool_call>`` block."""
    acc.blocks += 1
    if FUNCTION_OPEN in content:
        read_functions(acc, content)
    elif not content.strip():
        acc.violations.append("empty_call_block")
    else:
        acc.violations.append("missing_name")


def split_seed_think(text: str) -> tuple[str, str, tuple[str, ...]]:
    """``(answer, reasoning, violations)`` of ``text`` with ``<seed:think>`` blocks as reasoning, by the rules of
    :func:`~rlvr_rewards.parsing.reasoning.split_think` (one linear walk)."""
    found: list[str] = []
    thinks: list[str] = []
    answers: list[str] = []
    first_open = text.find(_THINK)
    first_close = text.find(_THINK_END)
    pos = 0
    blocks = 0
    seen_answer = False
    if first_close != -1 and (first_open == -1 or first_close < first_open):
        thinks.append(text[:first_close])
        pos = first_close + len(_THINK_END)
        blocks = 1
    while first_open != -1:
        o = text.find(_THINK, pos)
        if o == -1:
            break
        seg = text[pos:o]
        answers.append(seg)
        seen_answer = seen_answer or not (not seg or seg.isspace())
        if seen_answer:
            found.append("think_after_answer")
        blocks += 1
        start = o + len(_THINK)
        c = text.find(_THINK_END, start)
        if c == -1:
            found.append("unclosed_think")
            thinks.append(text[start:])
            pos = -1
            break
        thinks.append(text[start:c])
        pos = c + len(_THINK_END)
    if pos != -1:
        answers.append(text[pos:])
    if blocks > 1:
        found.append("repeated_think")
    answer = "\n".join(answers)
    if _THINK_END in answer:
        found.append("stray_closing_tag")
    think = "\n".join(s for s in (t.strip() for t in thinks) if s)
    return answer, think, tuple(found)


_EXAMPLE: Final = (
    "<seed:tool_call>\n<function=get_weather>\n<parameter=city>Paris</parameter>\n"
    "<parameter=days>3</parameter>\n</function>\n</seed:tool_call>"
)

SPECS: Final[tuple[ParserSpec, ...]] = (
    ParserSpec(
        FORMAT,
        parse_seed_oss,
        14,
        "<seed:tool_call><function=NAME><parameter=P>value</parameter></function></seed:tool_call> (Seed-OSS)",
        markers=(_OPEN, _CLOSE, "<function="),  # (its calls are written like Qwen3-Coder's inside)
        family="ByteDance Seed-OSS",
        aliases=("seed-oss-36b", "bytedance-seed", "seed"),
        example=_EXAMPLE,
        source="Seed-OSS-36B-Instruct chat_template.jinja; vLLM tests/tool_parsers/test_seed_oss_tool_parser.py",
    ),
)


@hookimpl
def register_parsers(register: Callable[[ParserSpec], None]) -> None:
    """Register the ``seed_oss`` format."""
    for spec in SPECS:
        register(spec)
