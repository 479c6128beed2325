"""Kimi K2 tool calls (Moonshot AI Kimi-K2-Instruct, K2-Thinking, K2.5): ``kimi_k2``.

Contract (as every format parser, see :mod:`rlvr_rewards.parsing.formats`): the input is the answer text
(``<think>`` reasoning already removed by the dispatcher); ``None`` when the format's markers are absent; never
raises; linear in the text; each distinct call block decoded once.

The format (Kimi-K2-Instruct's ``chat_template.jinja``, MoonshotAI/Kimi-K2 ``docs/tool_call_guidance.md``, the
vLLM ``tests/tool_parsers/test_kimi_k2_tool_parser.py`` outputs)::

    text<|tool_calls_section_begin|><|tool_call_begin|>functions.NAME:IDX<|tool_call_argument_begin|>{json}<|tool_call_end|>...<|tool_calls_section_end|>

The call id before ``<|tool_call_argument_begin|>`` is ``functions.NAME:IDX``: the name is what lies between the
``functions.`` prefix (optional: vLLM also reads ``NAME:IDX``) and the last ``:``, which must be followed by the
digits of the index. An id without ``:IDX`` (vLLM skips such a call) or a bare counter (``0``, whose name vLLM
guesses from the tools) names no function: the call is kept with an empty name, ``missing_name``. Arguments are
JSON (:func:`~rlvr_rewards.parsing.deepseek.add_json_arguments_call`); a call without
``<|tool_call_argument_begin|>`` has unreadable arguments (``invalid_json``). The singular section markers
``<|tool_call_section_begin|>`` / ``<|tool_call_section_end|>`` some checkpoints write are read too (vLLM's
variants). A text is claimed by a section marker or ``<|tool_call_begin|>``, never by a lone
``<|tool_call_end|>`` (LFM2's closing marker too). Sections, unclosed and stray markers, free text: as
:func:`~rlvr_rewards.parsing.deepseek.scan_sectioned_calls` reads them. A final ``<|im_end|>`` (the template's end
of turn) is dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from rlvr_rewards.hookspecs import hookimpl
from rlvr_rewards.limits import Limits
from rlvr_rewards.parsing import toolkit
from rlvr_rewards.parsing.deepseek import add_json_arguments_call, scan_sectioned_calls
from rlvr_rewards.parsing.types import ParsedCall, ParseResult, ParserSpec

Acc = toolkit.Accumulator

__all__ = ["SPECS", "kimi_call_name", "parse_kimi_k2", "register_parsers"]

SECTION_BEGIN: Final = "<|tool_calls_section_begin|>"
SECTION_END: Final = "<|tool_calls_section_end|>"
SECTION_BEGIN_SINGULAR: Final = "<|tool_call_section_begin|>"
SECTION_END_SINGULAR: Final = "<|tool_call_section_end|>"
CALL_BEGIN: Final = "<|tool_call_begin|>"
CALL_END: Final = "<|tool_call_end|>"
ARGUMENT_BEGIN: Final = "<|tool_call_argument_begin|>"
IM_END: Final = "<|im_end|>"
_PREFIX: Final = "functions."

#: What claims a text: the section markers and the call's opening marker. Not ``<|tool_call_end|>`` alone, which
#: LFM2 (``<|tool_call_start|>[...]<|tool_call_end|>``) writes too.
_MARKERS: Final = (SECTION_BEGIN, SECTION_BEGIN_SINGULAR, CALL_BEGIN, SECTION_END, SECTION_END_SINGULAR)


def kimi_call_name(call_id: str) -> str:
    """The function name a Kimi call id ``functions.NAME:IDX`` (or ``NAME:IDX``) names; ``""`` when the id has
    no ``:IDX`` suffix (a bare counter, a malformed id)."""
    cid = call_id.strip()
    colon = cid.rfind(":")
    index = cid[colon + 1 :].strip() if colon != -1 else ""
    if not index.isdigit() or not index.isascii():
        return ""
    name = cid[:colon].strip()
    return name[len(_PREFIX) :].strip() if name.startswith(_PREFIX) else name


def _decode_kimi_call(acc: Acc, inside: str) -> None:
    """One call's inside: ``ID<|tool_call_argument_begin|>{json}``."""
    acc.blocks += 1
    body = inside.strip()
    if not body:
        acc.violations.append("empty_call_block")
        return
    a = body.find(ARGUMENT_BEGIN)
    if a == -1:
        name = kimi_call_name(body)
        if not name:
            acc.violations.append("missing_name")
        acc.violations.append("invalid_json")
        acc.add_call(ParsedCall(name, None))
        return
    add_json_arguments_call(acc, kimi_call_name(body[:a]), body[a + len(ARGUMENT_BEGIN) :].strip())


def parse_kimi_k2(text: str, limits: Limits | None = None) -> ParseResult | None:
    """Kimi K2 calls (see the module docstring); ``None`` without their markers."""
    if "tool_call" not in text or not any(m in text for m in _MARKERS):
        return None
    return scan_sectioned_calls(
        toolkit.strip_final(text, IM_END),
        "kimi_k2",
        (SECTION_BEGIN, SECTION_BEGIN_SINGULAR),
        (SECTION_END, SECTION_END_SINGULAR),
        CALL_BEGIN,
        CALL_END,
        _decode_kimi_call,
        limits,
    )


SPECS: Final[tuple[ParserSpec, ...]] = (
    ParserSpec(
        "kimi_k2",
        parse_kimi_k2,
        19,
        "<|tool_calls_section_begin|><|tool_call_begin|>functions.NAME:IDX<|tool_call_argument_begin|>{json}"
        "<|tool_call_end|><|tool_calls_section_end|> (Kimi K2)",
        markers=(*_MARKERS, "<|tool_call_end|>"),  # (LFM2 closes its calls with that token too)
        family="Kimi K2 (Instruct, Thinking), Kimi K2.5",
        aliases=("kimi", "kimi-k2", "kimi-k2-instruct", "kimi-k2-thinking", "kimi-k2.5", "moonshot"),
        example=(
            "I'll check the weather.<|tool_calls_section_begin|><|tool_call_begin|>functions.get_weather:0"
            '<|tool_call_argument_begin|>{"city": "Beijing"}<|tool_call_end|><|tool_calls_section_end|>'
        ),
        source="Kimi-K2-Instruct `chat_template.jinja`; MoonshotAI/Kimi-K2 `docs/tool_call_guidance.md`; vLLM "
        "`tests/tool_parsers/test_kimi_k2_tool_parser.py`",
    ),
)


@hookimpl
def register_parsers(register: Callable[[ParserSpec], None]) -> None:
    for spec in SPECS:
        register(spec)
