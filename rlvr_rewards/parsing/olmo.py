"""OLMo 3 (Ai2): pythonic calls, one a line, inside ``<function_calls>...</function_calls>``.

Format (the OLMo 3 / 3.1 Instruct chat template, ``allenai/Olmo-3-*`` and ``Olmo-3.1-*`` on the Hub, and vLLM's
``vllm/tool_parsers/olmo3_tool_parser.py`` with its tests ``tests/tool_parsers/test_olmo3_tool_parser.py``)::

    <function_calls>get_weather(city="Paris", days=2)
    search(query="x", exact=true)</function_calls>

The template writes each call as ``name(key=<value as JSON>, ...)`` and joins the calls with newlines, so a
value is JSON: ``true``/``false``/``null`` where Python has ``True``/``False``/``None`` (vLLM reads both).

Contract of :func:`parse_olmo3` (see ``docs/architecture.md`` section 2 and ``/work/notes/parser_contract.md``):

- ``None`` unless ``<function_calls>`` or ``</function_calls>`` occurs (or when the block holds Anthropic-style
  XML ``<invoke ...>``, another format's text);
- the blocks are read by :func:`~rlvr_rewards.parsing.toolkit.scan_blocks` (unclosed, stray and repeated
  blocks as the Hermes parser treats them); each non-empty line of a block is one call (or a pythonic list
  of calls), decoded by the linear pythonic decoder
  (:func:`~rlvr_rewards.parsing.pythonic.decode_pythonic`, no ``ast``, nothing evaluated) after
  :func:`python_constants` turned the JSON constants into Python ones; a line that is not a call is
  ``pythonic_not_call``; a block with no line is ``empty_call_block``; a repeated line is decoded once;
- a call written over several lines is not read (the template never writes one): its lines are
  ``pythonic_not_call``.

This module also holds the two pythonic helpers the LFM2 and Llama 4 parsers share:
:func:`python_constants` and :func:`pythonic_calls`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from rlvr_rewards.hookspecs import hookimpl
from rlvr_rewards.limits import Limits
from rlvr_rewards.parsing import toolkit
from rlvr_rewards.parsing.formats import _pythonic_into, _pythonic_shape
from rlvr_rewards.parsing.pythonic import _string_end
from rlvr_rewards.parsing.types import ParseResult, ParserSpec

Acc = toolkit.Accumulator

__all__ = ["SPECS", "parse_olmo3", "python_constants", "pythonic_calls", "register_parsers"]

NAME: Final = "olmo3"
OPEN: Final = "<function_calls>"
CLOSE: Final = "</function_calls>"
#: The Anthropic-style XML calls some models write inside ``<function_calls>`` (not this format).
_INVOKE: Final = "<invoke"

# A quote or comment start (skipped whole), or a JSON constant as a whole word. One search a step: linear.
_QUOTE_OR_CONSTANT: Final = re.compile(r"[\"'#]|\b(?:null|true|false)\b")
#: After a constant: ``=`` (not ``==``), so it is a keyword argument's name, left as it is.
_KEYWORD_NAME: Final = re.compile(r"\s*=(?!=)")
_PYTHON_CONSTANT: Final = {"null": "None", "true": "True", "false": "False"}


def python_constants(text: str) -> str:
    """``text`` with every JSON constant ``null``/``true``/``false`` that stands as a value (not inside a string
    or a comment, not an attribute ``x.true``, not a keyword name ``true=``) written as Python's ``None``/
    ``True``/``False``. Strings are delimited as Python's tokenizer does (prefixes, triple quotes, escapes);
    a string never closed leaves ``text`` as it is (the decoder refuses it anyway). Linear: one regex
    search a step, each string read once."""
    if "null" not in text and "true" not in text and "false" not in text:
        return text
    out: list[str] = []
    pos = i = 0
    search = _QUOTE_OR_CONSTANT.search
    while (m := search(text, i)) is not None:
        start = m.start()
        ch = text[start]
        if ch == "'" or ch == '"':
            end = _string_end(text, start)
            if end < 0:
                return text
            i = end
        elif ch == "#":
            nl = text.find("\n", start)
            i = len(text) if nl < 0 else nl
        elif (start and text[start - 1] == ".") or _KEYWORD_NAME.match(text, m.end()) is not None:
            i = m.end()
        else:
            out.append(text[pos:start])
            out.append(_PYTHON_CONSTANT[m.group()])
            pos = i = m.end()
    if not out:
        return text
    out.append(text[pos:])
    return "".join(out)


def pythonic_calls(acc: Acc, text: str, json_constants: bool = False) -> None:
    """Decode ``text`` (stripped, already shape-checked: ``[f(..), ..]`` or ``f(..)``) as pythonic calls into
    ``acc`` with the linear decoder (length, bracket depth and size checked first, as the ``pythonic``
    format does); ``json_constants``: read ``null``/``true``/``false`` as Python's constants first."""
    _pythonic_into(acc, python_constants(text) if json_constants else text)


def _olmo_line(acc: Acc, line: str) -> None:
    """One non-empty line of a ``<function_calls>`` block: a call (or a list of calls)."""
    if _pythonic_shape(line):
        pythonic_calls(acc, line, json_constants=True)
    else:
        acc.violations.append("pythonic_not_call")


def _olmo_block(acc: Acc, inside: str) -> None:
    """The inside of one ``<function_calls>`` block: one call a line (each distinct line decoded once)."""
    acc.blocks += 1
    found = False
    for raw in inside.split("\n"):
        line = raw.strip()
        if line:
            found = True
            acc.decode_once(line, _olmo_line)
    if not found:
        acc.violations.append("empty_call_block")


def parse_olmo3(text: str, limits: Limits | None = None) -> ParseResult | None:
    """``<function_calls>f(a=1)\\ng(b="x")</function_calls>`` (OLMo 3): see the module docstring."""
    if OPEN not in text and CLOSE not in text:
        return None
    if _INVOKE in text:  # Anthropic-style <function_calls><invoke name=..> XML: not OLMo's pythonic lines
        return None
    return toolkit.scan_blocks(text, OPEN, CLOSE, NAME, _olmo_block, limits or toolkit.current_limits())


SPECS: Final[tuple[ParserSpec, ...]] = (
    ParserSpec(
        NAME,
        parse_olmo3,
        25,
        "pythonic calls, one a line, in <function_calls>...</function_calls> (OLMo 3)",
        markers=(OPEN, CLOSE),
        family="OLMo 3 / 3.1 (Ai2)",
        aliases=("olmo", "olmo-3", "olmo-3.1"),
        example='<function_calls>get_weather(city="Paris", days=2)</function_calls>',
        source="OLMo 3 Instruct chat template (allenai/Olmo-3-*, Olmo-3.1-*); vLLM "
        "vllm/tool_parsers/olmo3_tool_parser.py and its tests",
    ),
)


@hookimpl
def register_parsers(register: Callable[[ParserSpec], None]) -> None:
    """Register the OLMo 3 format."""
    for spec in SPECS:
        register(spec)
