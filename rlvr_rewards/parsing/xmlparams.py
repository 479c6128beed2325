"""The reader of ``<function=NAME><parameter=P>value</parameter>...</function>`` calls, shared by the
Qwen3-Coder / Qwen 3.5+ format (:mod:`rlvr_rewards.parsing.qwen3_xml`) and Seed-OSS
(:mod:`rlvr_rewards.parsing.seed_oss`), which wrap such calls in different blocks.

Contract:

- :func:`read_functions` reads every ``<function=...>`` call in the inside of one call block into an
  :class:`~rlvr_rewards.parsing.toolkit.Accumulator`, :func:`read_function` one call whose opening
  ``<function=`` is already consumed. Values are recorded as text (``toolkit.add_text_call``; the tool schema
  types them later), with one leading and one trailing newline removed, the newlines the Qwen3-Coder and
  Qwen 3.5/3.6 chat templates write around every value (``<parameter=P>\\nvalue\\n</parameter>``) and that
  vLLM's ``qwen3coder_tool_parser`` and ``seed_oss_tool_parser`` remove; nothing else is stripped.
- Lenient where the servers are, and every irregularity is a violation: a ``<function=`` or
  ``<parameter=`` whose ``>`` or closing tag is missing is ``unclosed_tag`` (a parameter left open ends
  at the next ``<parameter=`` or at the end of its function, a function left open at the next
  ``<function=`` or the end of the block); text inside a block but outside its calls, or inside a function
  but outside its parameters, is ``trailing_garbage``; a name that is empty or holds whitespace is
  ``missing_name`` (the call is kept with the name ``""``).
- Linear time: a block is cut at its ``<function=`` tags and a function at its ``<parameter=`` tags
  (``str.split``), and each piece is searched with ``str.find`` a fixed number of times, so no stretch of
  text is read more than a few times whatever the layout (``<parameter=`` ten thousand times without a
  closing tag stays linear); a function whose text repeats is read once (``acc.decode_once``). Never raises.

:func:`foreign_tool_call_block` (the rule of :mod:`rlvr_rewards.parsing.xmlshape`, re-exported here) tells a
``<tool_call>`` block of these formats or GLM's from a Hermes JSON one.
"""

from __future__ import annotations

from typing import Final

from rlvr_rewards.parsing import toolkit
from rlvr_rewards.parsing.xmlshape import foreign_tool_call_block, glm_shaped, qwen3_xml_shaped

__all__ = [
    "FUNCTION_CLOSE",
    "FUNCTION_OPEN",
    "PARAMETER_CLOSE",
    "PARAMETER_OPEN",
    "blank",
    "clean_name",
    "first_block",
    "foreign_tool_call_block",
    "glm_shaped",
    "qwen3_xml_shaped",
    "read_function",
    "read_functions",
    "strip_template_newlines",
]

FUNCTION_OPEN: Final = "<function="
FUNCTION_CLOSE: Final = "</function>"
PARAMETER_OPEN: Final = "<parameter="
PARAMETER_CLOSE: Final = "</parameter>"


def strip_template_newlines(value: str) -> str:
    """``value`` without one leading and one trailing ``\\n`` (those the templates write around it)."""
    if value.startswith("\n"):
        value = value[1:]
    if value.endswith("\n"):
        value = value[:-1]
    return value


def first_block(text: str, open_tag: str, close_tag: str) -> str | None:
    """The inside of the first ``open_tag`` block of ``text`` as the block scan reads it (up to the first
    ``close_tag`` after it, or the next ``open_tag``, or the end), ``None`` when there is no ``open_tag``."""
    o = text.find(open_tag)
    if o == -1:
        return None
    start = o + len(open_tag)
    c = text.find(close_tag, start)
    nxt = text.find(open_tag, start)
    if c == -1 or (nxt != -1 and nxt < c):
        c = nxt if nxt != -1 else len(text)
    return text[start:c]


def blank(text: str, start: int, stop: int) -> bool:
    """``text[start:stop]`` is empty or whitespace."""
    return start >= stop or text[start:stop].isspace()


def clean_name(name: str) -> str:
    """A call name as written (stripped), or ``""`` (``missing_name``) when it is empty or holds whitespace
    or a tag bracket."""
    words = name.split()
    if len(words) != 1 or "<" in words[0] or ">" in words[0]:
        return ""
    return words[0]


def read_functions(acc: toolkit.Accumulator, body: str, strip_newlines: bool = True) -> int:
    """Every ``<function=...>`` call in ``body`` (the inside of one call block) into ``acc``; the number of
    ``<function=`` openings read. Text around them that is not whitespace is ``trailing_garbage``. Each
    function's text goes through ``acc.decode_once`` (a function repeated thousands of times is read once)."""
    pieces = body.split(FUNCTION_OPEN)
    if not pieces[0].isspace() and pieces[0]:
        acc.violations.append("trailing_garbage")
    decode = _read_function_stripped if strip_newlines else _read_function_raw
    for piece in pieces[1:]:
        c = piece.find(FUNCTION_CLOSE)
        if c == -1:
            acc.violations.append("unclosed_tag")
            acc.decode_once(piece, decode)
            continue
        acc.decode_once(piece[:c], decode)
        if not blank(piece, c + len(FUNCTION_CLOSE), len(piece)):
            acc.violations.append("trailing_garbage")
    return len(pieces) - 1


def _read_function_stripped(acc: toolkit.Accumulator, inside: str) -> None:
    read_function(acc, inside, True)


def _read_function_raw(acc: toolkit.Accumulator, inside: str) -> None:
    read_function(acc, inside, False)


def read_function(acc: toolkit.Accumulator, inside: str, strip_newlines: bool = True) -> None:
    """One call: ``inside`` is what follows ``<function=`` up to its ``</function>`` (or where it was cut off):
    ``NAME>`` then the parameters."""
    pieces = inside.split(PARAMETER_OPEN)
    head = pieces[0]
    gt = head.find(">")
    lt = head.find("<", 0, gt if gt != -1 else len(head))
    if lt != -1 or gt == -1:  # the name's tag is never closed (cut off, or the next tag follows the name)
        acc.violations.append("unclosed_tag")
        name_end = lt if lt != -1 else len(head)
        rest_from = name_end
    else:
        name_end, rest_from = gt, gt + 1
    if not blank(head, rest_from, len(head)):
        acc.violations.append("trailing_garbage")
    params: list[tuple[str, str]] = []
    for piece in pieces[1:]:
        param = _read_parameter(acc, piece)
        if param is not None:
            params.append((param[0], strip_template_newlines(param[1]) if strip_newlines else param[1]))
    toolkit.add_text_call(acc, clean_name(head[:name_end]), params)


def _read_parameter(acc: toolkit.Accumulator, piece: str) -> tuple[str, str] | None:
    """One parameter: ``piece`` is what follows ``<parameter=`` up to the next one or the end of the
    function. ``None`` when its name's tag is never closed."""
    gt = piece.find(">")
    if gt == -1 or piece.find("<", 0, gt) != -1:
        acc.violations.append("unclosed_tag")
        return None
    c = piece.find(PARAMETER_CLOSE, gt + 1)
    if c == -1:
        acc.violations.append("unclosed_tag")
        return piece[:gt].strip(), piece[gt + 1 :]
    if not blank(piece, c + len(PARAMETER_CLOSE), len(piece)):
        acc.violations.append("trailing_garbage")
    return piece[:gt].strip(), piece[gt + 1 : c]
