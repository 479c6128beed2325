"""StepFun Step-3 tool calls: ``<steptml:invoke>`` elements inside the Step-3 call markers (format ``step3``).

The format, as the vLLM and SGLang Step-3 parsers and their tests read model output::

    <｜tool_calls_begin｜>
    <｜tool_call_begin｜>function<｜tool_sep｜><steptml:invoke name="get_weather">
    <steptml:parameter name="city">Tokyo</steptml:parameter>
    <steptml:parameter name="days">3</steptml:parameter>
    </steptml:invoke><｜tool_call_end｜>
    <｜tool_calls_end｜>

The markers use FULLWIDTH VERTICAL LINE (U+FF5C) and underscores between words: they are not DeepSeek's
``<｜tool▁calls▁begin｜>`` (U+2581 between words), which :mod:`rlvr_rewards.parsing` reads elsewhere.
Because some readers accept the underscore spelling as a DeepSeek variant, this parser claims a text only
when a ``<steptml:invoke`` tag is in it (its one marker).

Each ``<｜tool_call_begin｜>...<｜tool_call_end｜>`` is one call: the call type ``function``, ``<｜tool_sep｜>``,
then one ``<steptml:invoke>`` (an optional copy of the function name before the invoke, as in vLLM's Step-3
whitespace tests, is accepted). Argument values are text, raw between ``>`` and ``</steptml:parameter>``
(not stripped: vLLM's Step-3 parser keeps string values' surrounding whitespace as data), typed later by the
tool schema (:mod:`rlvr_rewards.parsing.values`). Attribute values are double-quoted (the only quotes the
vLLM and SGLang parsers read). Reasoning ends with ``</think>`` (the prompt opens it), which the dispatcher
splits off before this parser runs.

Contract: :func:`parse_step3` returns ``None`` unless ``<steptml:invoke`` occurs. Otherwise:

- with ``<｜tool_calls_begin｜>``: its sections are read as :func:`~rlvr_rewards.parsing.toolkit.scan_blocks`
  reads blocks (a section left open, a truncated answer, is read with ``unclosed_tag``; a stray
  ``<｜tool_calls_end｜>`` is ``stray_closing_tag``); text outside the sections is free text;
- without it (the calls written with no section opening): the section is taken to start at the first call
  marker or invoke, up to ``<｜tool_calls_end｜>`` if there is one (then ``stray_closing_tag``: it closes a
  section that was never opened) or the end of the text;
- inside a section: text that is not a call (other than whitespace) is ``trailing_garbage``, as is a call
  type other than ``function`` or other text before the invoke; a call left open is ``unclosed_tag``; a call
  with nothing in it is ``empty_call_block``; invokes written without call markers are read all the same;
  the invokes themselves as :mod:`rlvr_rewards.parsing.xmlinvoke` reads them.

Never raises, linear in the text (``str.find`` from moving cursors; repeated call texts decoded once).

Sources: vLLM ``vllm/tool_parsers/step3_tool_parser.py`` and ``tests/tool_parsers/test_step3_tool_parser.py``;
SGLang ``python/sglang/srt/function_call/step3_detector.py`` and its Step-3 detector tests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from rlvr_rewards.hookspecs import hookimpl
from rlvr_rewards.limits import Limits
from rlvr_rewards.parsing import toolkit
from rlvr_rewards.parsing.types import ParseResult, ParserSpec
from rlvr_rewards.parsing.xmlinvoke import InvokeReader

__all__ = ["SPECS", "parse_step3", "register_parsers"]

FORMAT: Final = "step3"
# (U+FF5C FULLWIDTH VERTICAL LINE around each marker, ASCII underscores inside)
CALLS_BEGIN: Final = "<\uff5ctool_calls_begin\uff5c>"
CALLS_END: Final = "<\uff5ctool_calls_end\uff5c>"
CALL_BEGIN: Final = "<\uff5ctool_call_begin\uff5c>"
CALL_END: Final = "<\uff5ctool_call_end\uff5c>"
SEP: Final = "<\uff5ctool_sep\uff5c>"
CALL_TYPE: Final = "function"
MARKER: Final = "<steptml:invoke"

#: ``<steptml:invoke name="..">`` / ``<steptml:parameter name="..">``, double quotes only.
READER: Final = InvokeReader("steptml:invoke", "steptml:parameter", quotes='"')


def _check_head(acc: toolkit.Accumulator, head: str, names: list[str]) -> None:
    """What a call holds before its invoke: ``function<｜tool_sep｜>``, optionally followed by the function's
    name; anything else (another call type, other text) is ``trailing_garbage``. Nothing at all is
    accepted."""
    rest = head.strip()
    if not rest:
        return
    if rest.startswith(CALL_TYPE):
        rest = rest[len(CALL_TYPE) :].lstrip()
        if rest.startswith(SEP):
            rest = rest[len(SEP) :].strip()
            if not rest or rest in names:
                return
    acc.violations.append("trailing_garbage")


def _decode_call(acc: toolkit.Accumulator, call: str) -> None:
    """The inside of one ``<｜tool_call_begin｜> ... <｜tool_call_end｜>``."""
    first = call.find(MARKER)
    if first == -1:
        head = call.strip()
        if head.startswith(CALL_TYPE) and head[len(CALL_TYPE) :].lstrip().startswith(SEP):
            head = head[len(CALL_TYPE) :].lstrip()[len(SEP) :].strip()
        acc.violations.append("trailing_garbage" if head else "empty_call_block")
        return
    names = READER.read(acc, call[first:])
    _check_head(acc, call[:first], names)


def _decode_section(acc: toolkit.Accumulator, inside: str) -> None:
    """The inside of one ``<｜tool_calls_begin｜> ... <｜tool_calls_end｜>`` section: its calls."""
    acc.blocks += 1
    starts = toolkit.find_all(inside, CALL_BEGIN)
    if not starts:  # invokes written without call markers (or nothing)
        READER.read(acc, inside)
        return
    if inside[: starts[0]].strip():
        acc.violations.append("trailing_garbage")
    ends = [*starts[1:], len(inside)]
    step, close, close_len = len(CALL_BEGIN), CALL_END, len(CALL_END)
    for start, end in zip(starts, ends, strict=True):
        seg = inside[start + step : end]
        stop = seg.find(close)
        if stop == -1:
            acc.violations.append("unclosed_tag")
            acc.decode_once(seg, _decode_call)
            continue
        acc.decode_once(seg[:stop], _decode_call)
        if seg[stop + close_len :].strip():
            acc.violations.append("trailing_garbage")


def _unopened(text: str, limits: Limits) -> ParseResult:
    """Calls written without ``<｜tool_calls_begin｜>``: one section from the first call marker or invoke."""
    acc = toolkit.Accumulator(limits)
    acc.attempted = True
    first_call = text.find(CALL_BEGIN)
    first = text.find(MARKER) if first_call == -1 else min(first_call, text.find(MARKER))
    end = text.find(CALLS_END, first)
    acc.texts.append(text[:first])
    try:
        if end == -1:
            acc.decode_once(text[first:], _decode_section)
        else:
            acc.violations.append("stray_closing_tag")
            acc.decode_once(text[first:end], _decode_section)
            acc.texts.append(text[end + len(CALLS_END) :])
    except toolkit.OverBudget:
        return toolkit.over_budget(FORMAT)
    return acc.result(FORMAT)


def parse_step3(text: str, limits: Limits | None = None) -> ParseResult | None:
    """Step-3 ``<｜tool_calls_begin｜><｜tool_call_begin｜>function<｜tool_sep｜><steptml:invoke name="f">
    <steptml:parameter name="p">v</steptml:parameter></steptml:invoke><｜tool_call_end｜><｜tool_calls_end｜>``;
    ``None`` when no ``<steptml:invoke`` occurs."""
    if MARKER not in text:
        return None
    limits = limits or toolkit.current_limits()
    if CALLS_BEGIN in text:
        return toolkit.scan_blocks(text, CALLS_BEGIN, CALLS_END, FORMAT, _decode_section, limits)
    return _unopened(text, limits)


_EXAMPLE: Final = (
    f"{CALLS_BEGIN}\n"
    f'{CALL_BEGIN}{CALL_TYPE}{SEP}<steptml:invoke name="get_weather">\n'
    '<steptml:parameter name="city">Tokyo</steptml:parameter>\n'
    f"</steptml:invoke>{CALL_END}\n"
    f"{CALLS_END}"
)

SPECS: Final[tuple[ParserSpec, ...]] = (
    ParserSpec(
        FORMAT,
        parse_step3,
        16,
        '<｜tool_calls_begin｜><｜tool_call_begin｜>function<｜tool_sep｜><steptml:invoke name="f"><steptml:parameter'
        ' name="p">value</steptml:parameter></steptml:invoke><｜tool_call_end｜><｜tool_calls_end｜> (StepFun Step-3;'
        " values typed by the tool schema)",
        markers=(MARKER,),
        family="StepFun Step-3",
        aliases=("step-3", "step_3", "stepfun-step3", "stepfun-step-3"),
        example=_EXAMPLE,
        source="vLLM vllm/tool_parsers/step3_tool_parser.py and tests/tool_parsers/test_step3_tool_parser.py; "
        "SGLang python/sglang/srt/function_call/step3_detector.py",
    ),
)


@hookimpl
def register_parsers(register: Callable[[ParserSpec], None]) -> None:
    for spec in SPECS:
        register(spec)
