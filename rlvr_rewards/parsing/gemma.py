"""Google Gemma tool calls: Gemma 4's ``<|tool_call>call:NAME{key:<|"|>text<|"|>,n:5}<tool_call|>`` and
FunctionGemma's ``<start_function_call>call:NAME{key:<escape>text<escape>,n:5}<end_function_call>``.

Contract of :func:`parse_gemma` (format ``gemma``):

- ``None`` unless a call marker of either form or Gemma 4's reasoning channel (``<|channel>`` /
  ``<channel|>``) occurs (a few ``in`` tests).
- Reasoning: Gemma 4 writes its thinking as ``<|channel>thought\\n...<channel|>`` (TRL's ``gemma4*.jinja``
  templates); those blocks are ``think`` (the ``thought`` channel name removed) and calls inside them are
  never calls, by the rules of the ``<think>`` split (a ``<channel|>`` with no opening before it ends a
  reasoning the prompt opened; ``unclosed_think``, ``repeated_think``, ``think_after_answer``,
  ``stray_closing_tag``). An answer with reasoning and no call marker is read as plain text (no call).
- Calls: one per block (Gemma 4's form when its markers occur, else FunctionGemma's); blocks are read like
  Hermes blocks (a block left open ends at the next opening marker or the end, ``unclosed_tag``; a closing
  marker alone is ``stray_closing_tag``; text outside the blocks is free text). Inside a block: ``call:``,
  the name (empty or holding whitespace: ``missing_name``), then the arguments object; text after it in the
  block is ``trailing_garbage``; a block that is not ``call:NAME{...}`` is ``invalid_json`` (the call is kept
  with arguments ``None`` when its name is readable); an empty block ``empty_call_block``.
- The arguments are not JSON: keys are bare (``key:``) or delimited like strings; strings are the text
  between two delimiters (``<|"|>`` for Gemma 4, ``<escape>`` for FunctionGemma) taken as written, so a
  string value is a string even when it reads as a number; ``true`` / ``false`` / ``null`` and numbers are
  bare (a bare ``None`` is a null too: TRL's ``gemma4.jinja`` .. ``gemma4_v4.jinja`` render Python's ``None``
  so); objects ``{...}`` and lists ``[...]`` nest. They are rewritten as JSON (:func:`decode_arguments`) and
  decoded by ``loads_untrusted``, so the JSON formats' rules and limits apply: deeper than
  ``Limits.max_depth`` is ``nesting_too_deep``, ``number_too_large``, ``nonfinite_number``,
  ``invalid_unicode``, a repeated key ``duplicate_keys`` (the last value kept). A bare word that is not a
  literal, a ``"`` outside the strings, a string never closed, a missing ``:`` or ``,`` is ``invalid_json``
  (the call is kept with arguments ``None``). Values come out typed (nothing is left for the tool schema).
- End-of-turn tokens at the end of the answer (``<turn|>``, ``<|tool_response>``, ``<eos>``,
  ``<end_of_turn>``, ``<start_function_response>``) are dropped.
- Linear: markers and strings located with ``str.find``, the rest of the arguments rewritten by anchored
  regex passes that never scan a stretch twice, JSON decoded at the JSON decoder's speed; each distinct
  block decoded once; never raises, never evaluates.

Followed: TRL 1.16 ``trl/chat_templates/gemma4.jinja`` (and ``gemma4_v2`` .. ``gemma4_v5``: assistant
``tool_calls`` rendered as ``<|tool_call>call:NAME{...}<tool_call|>`` with ``format_argument``, reasoning as
``<|channel>thought``) and TRL's ``gemma4_template`` response schema; vLLM
``vllm/tool_parsers/gemma4_tool_parser.py`` and ``functiongemma_tool_parser.py`` with their tests; Google's
FunctionGemma formatting guide (``<escape>``-delimited strings, ``<start_function_call>`` blocks).
Gemma 3 has no tool-call format of its own (TRL's ``gemma3.jinja`` renders no tool calls).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from itertools import chain
from json.encoder import encode_basestring as _escape  # (the C encoder: JSON string, non-ASCII kept)
from typing import Any, Final

from rlvr_rewards.hookspecs import hookimpl
from rlvr_rewards.limits import Limits
from rlvr_rewards.parsing import toolkit
from rlvr_rewards.parsing.reasoning import _split_think_walk
from rlvr_rewards.parsing.types import ParsedCall, ParseResult, ParserSpec

__all__ = ["SPECS", "decode_arguments", "parse_gemma", "register_parsers"]

FORMAT: Final = "gemma"
GEMMA4_OPEN: Final = "<|tool_call>"
GEMMA4_CLOSE: Final = "<tool_call|>"
GEMMA4_STRING: Final = '<|"|>'
FUNCTION_GEMMA_OPEN: Final = "<start_function_call>"
FUNCTION_GEMMA_CLOSE: Final = "<end_function_call>"
FUNCTION_GEMMA_STRING: Final = "<escape>"
CHANNEL_OPEN: Final = "<|channel>"
CHANNEL_CLOSE: Final = "<channel|>"
#: The reasoning channel as the Gemma 4 templates open it (the name line is not reasoning).
_THOUGHT_OPEN: Final = "<|channel>thought\n"
_END_TOKENS: Final = ("<turn|>", "<|tool_response>", "<eos>", "<end_of_turn>", "<start_function_response>")
_CALL: Final = "call:"

#: Where a string stood in the text between strings (a character the format never writes outside strings).
_PLACE: Final = "\x00"
#: A character of a bare key.
_KEY_CHAR: Final = r'[^\s:,{}\[\]"\x00]'
#: The rewrites of the text between strings into JSON, in order: whitespace next to a bracket, comma or colon
#: dropped (it never separates two words); a bare key quoted (an opening quote after ``{`` or ``,`` where a
#: key and its ``:`` follow, a closing one before a ``:`` after a key character); a bare ``None`` value
#: (Gemma 4 templates before ``gemma4_v5.jinja``) made ``null``. Every pattern starts at one position of a
#: run it cannot extend past, so none scans a stretch twice.
_REWRITES: Final = (
    (re.compile(r"(?<=[{}\[\],:])\s+"), ""),
    (re.compile(r"(?<!\s)\s+(?=[{}\[\],:])"), ""),
    (re.compile(rf"(?<=[{{,])(?={_KEY_CHAR}+:)"), '"'),
    (re.compile(rf"(?<={_KEY_CHAR})(?=:)"), '"'),
    (re.compile(r"(?<=[:\[,])None(?=[,}\]])"), "null"),
)


def parse_gemma(text: str, limits: Limits | None = None) -> ParseResult | None:
    """The Gemma calls of ``text`` (see the module docstring), or ``None`` without a Gemma marker."""
    calls_marked = ("tool_call" in text and (GEMMA4_OPEN in text or GEMMA4_CLOSE in text)) or (
        "function_call>" in text and (FUNCTION_GEMMA_OPEN in text or FUNCTION_GEMMA_CLOSE in text)
    )
    channel = "channel" in text and (CHANNEL_OPEN in text or CHANNEL_CLOSE in text)
    if not calls_marked and not channel:
        return None
    limits = limits or toolkit.current_limits()
    think = ""
    found: tuple[str, ...] = ()
    answer = text
    if channel:
        answer, think, found = _split_think_walk(text.replace(_THOUGHT_OPEN, CHANNEL_OPEN), CHANNEL_OPEN, CHANNEL_CLOSE)
    answer = toolkit.strip_end_tokens(answer, _END_TOKENS)
    if GEMMA4_OPEN in answer or GEMMA4_CLOSE in answer:
        result = toolkit.scan_blocks(answer, GEMMA4_OPEN, GEMMA4_CLOSE, FORMAT, _gemma4_block, limits)
    elif FUNCTION_GEMMA_OPEN in answer or FUNCTION_GEMMA_CLOSE in answer:
        result = toolkit.scan_blocks(answer, FUNCTION_GEMMA_OPEN, FUNCTION_GEMMA_CLOSE, FORMAT, _fg_block, limits)
    else:
        result = ParseResult(calls=(), text=answer, format=FORMAT)
    if not think and not found:
        return result
    violations = tuple(sorted({*result.violations, *found})) if found else result.violations
    return replace(result, think=think, violations=violations)


def _gemma4_block(acc: toolkit.Accumulator, inside: str) -> None:
    _call_block(acc, inside, GEMMA4_STRING)


def _fg_block(acc: toolkit.Accumulator, inside: str) -> None:
    _call_block(acc, inside, FUNCTION_GEMMA_STRING)


def _call_block(acc: toolkit.Accumulator, inside: str, delim: str) -> None:
    """One call block's inside: ``call:NAME{arguments}``."""
    acc.blocks += 1
    body = inside.strip()
    if not body:
        acc.violations.append("empty_call_block")
        return
    if not body.startswith(_CALL):
        acc.violations.append("invalid_json")
        return
    brace = body.find("{", len(_CALL))
    name = (body[len(_CALL) :] if brace < 0 else body[len(_CALL) : brace]).strip()
    if not name or any(ch.isspace() for ch in name):
        acc.violations.append("missing_name")
        name = ""
    if brace < 0:
        acc.violations.append("invalid_json")
        acc.add_call(ParsedCall(name, None))
        return
    arguments, found = decode_arguments(body[brace:], delim, acc.limits)
    acc.violations.extend(found)
    acc.add_call(ParsedCall(name, arguments))


def decode_arguments(body: str, delim: str, limits: Limits) -> tuple[dict[str, Any] | None, list[str]]:
    """The arguments object at the start of ``body`` (a ``{``), strings delimited by ``delim``:
    ``(arguments, violations)``; ``arguments`` is ``None`` (the reason among the violations) when they cannot
    be read, text after the object is ``trailing_garbage``.

    Technique: the text is rewritten as JSON in one forward pass (each delimited string JSON-escaped, each
    bare key quoted, a bare ``None`` made ``null``; everything else is already JSON's own syntax: numbers,
    ``true``/``false``/``null``, brackets, commas) and decoded by ``loads_untrusted``, so the limits (depth,
    number size, duplicate keys, unicode) are the JSON formats' and the reading runs at the JSON decoder's
    speed. A ``"`` outside the strings or a string never closed is ``invalid_json``."""
    text = _to_json(body, delim)
    if text is None:
        return None, ["invalid_json"]
    if len(text) > limits.max_chars:  # (the JSON spelling is longer: its length is not the answer's)
        limits = replace(limits, max_chars=len(text))
    value, err, found = toolkit.loads_untrusted(text, limits, True)
    violations = list(found)
    if err == "invalid_json":  # text after the object, or broken
        end = toolkit.json_value_end(text, 0)
        if end < 0:
            return None, ["nesting_too_deep" if end == -2 else "invalid_json"]
        value, err, found = toolkit.loads_untrusted(text[:end], limits, True)
        violations = [*found, "trailing_garbage"]
    if err is not None:
        return None, [err]
    if not isinstance(value, dict):  # (the text starts with "{": defensive)
        return None, ["invalid_json"]
    return value, violations


def _to_json(body: str, delim: str) -> str | None:
    """``body`` rewritten as JSON text (see :func:`decode_arguments`); ``None``: a ``"`` outside the strings
    or a string never closed.

    The strings are cut out (``str.find``) and JSON-escaped (the C encoder of :mod:`json`); what lies between
    them, joined with a ``\\x00`` in place of each string, is rewritten by a few regex passes (literal
    replacements only, every pattern anchored so that no stretch is scanned twice: linear), then the
    strings are put back."""
    bare: list[str] = []
    strings: list[str] = []
    step = len(delim)
    pos = 0
    while True:
        i = body.find(delim, pos)
        if i < 0:
            bare.append(body[pos:])
            break
        j = body.find(delim, i + step)
        if j < 0:
            return None
        bare.append(body[pos:i])
        strings.append(_escape(body[i + step : j]))
        pos = j + step
    skeleton = _PLACE.join(bare)
    if '"' in skeleton or skeleton.count(_PLACE) != len(strings):
        return None
    for pattern, replacement in _REWRITES:
        skeleton = pattern.sub(replacement, skeleton)
    if not strings:
        return skeleton
    pieces = skeleton.split(_PLACE)
    return "".join(chain.from_iterable(zip(pieces, strings, strict=False))) + pieces[-1]  # (one piece more)


SPECS: Final[tuple[ParserSpec, ...]] = (
    ParserSpec(
        FORMAT,
        parse_gemma,
        29,
        '<|tool_call>call:NAME{key:<|"|>v<|"|>}<tool_call|> (Gemma 4) or '
        "<start_function_call>call:NAME{key:<escape>v<escape>}<end_function_call> (FunctionGemma)",
        markers=(GEMMA4_OPEN, GEMMA4_CLOSE, FUNCTION_GEMMA_OPEN, FUNCTION_GEMMA_CLOSE, CHANNEL_OPEN, CHANNEL_CLOSE),
        family="Google Gemma 4, FunctionGemma",
        aliases=("gemma-4", "gemma4", "functiongemma", "function-gemma", "functiongemma-270m"),
        example='<|tool_call>call:get_weather{city:<|"|>Paris<|"|>,days:3}<tool_call|>',
        source="TRL 1.16 trl/chat_templates/gemma4.jinja (and _v2.._v5); vLLM gemma4_tool_parser.py, "
        "functiongemma_tool_parser.py and their tests; Google's FunctionGemma formatting guide",
    ),
)


@hookimpl
def register_parsers(register: Callable[[ParserSpec], None]) -> None:
    """Register the ``gemma`` format."""
    for spec in SPECS:
        register(spec)
