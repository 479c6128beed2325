"""Salesforce xLAM (v1) tool calls: one JSON object ``{"tool_calls": [{"name": .., "arguments": {..}}, ...]}``,
optionally with a ``"thought"`` key.

Contract of :func:`parse_xlam` (format ``xlam``):

- ``None`` unless ``"tool_calls"`` occurs (one ``in`` test), and ``None`` unless a JSON object whose first key
  is ``"tool_calls"`` or ``"thought"`` stands at the top level of the answer: the first ``{`` of the text, or
  the first after JSON values and prose braces that come before it (at most a few are looked at). So a bare
  call object or list (the ``json`` format, xLAM-2's output) and a call whose arguments hold a
  ``"tool_calls"`` key are never taken here.
- The object: ``tool_calls`` a list of call objects (the shared call-object rules apply: ``missing_name``,
  ``arguments_not_object``, ``arguments_json_string``, ...; a single call object is taken too); an empty list
  is the format's "no call" answer: no call, no violation, not an attempt. ``thought`` (a string) is the
  reasoning (``think``) beside calls; with no call it is the answer (``text``), as xLAM's own client makes
  it the message content. A ``tool_calls`` value of another type is ``missing_name``.
- The object may stand inside a fenced block (```json ... ```): the fence is not free text (a fence left
  open is ``unclosed_tag``). Text before or after the object is free text (``text_with_call`` beside calls);
  end-of-turn tokens (``<|EOT|>``, ``<|im_end|>``, ``<|eot_id|>``, ``<|endoftext|>``) at the end are dropped.
  An object cut short (``{"tool_calls": [{"name": "f", ...`` never closed) is ``invalid_json``.
- Linear: a bounded number of JSON scans of the text, JSON decoded only through ``loads_untrusted``; never
  raises.

Followed: the xLAM format instruction of xLAM-1b/7b-fc-r (their chat template and the format prompt in
``SalesforceAIResearch/xLAM`` ``xLAM/client/config.py``, which adds ``"thought"``; the client's
``parse_agent_action`` reads ``thought`` and ``tool_calls``). vLLM ``vllm/tool_parsers/xlam_tool_parser.py``
(and its test) reads the xLAM-2 bare list, which the ``json`` format already reads.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final

from rlvr_rewards.hookspecs import hookimpl
from rlvr_rewards.limits import Limits
from rlvr_rewards.parsing import toolkit
from rlvr_rewards.parsing.types import ParseResult, ParserSpec

__all__ = ["SPECS", "parse_xlam", "register_parsers"]

FORMAT: Final = "xlam"
MARKER: Final = '"tool_calls"'
#: How many ``{`` before the xLAM object are looked at (each costs at most one JSON scan).
_MAX_CANDIDATES: Final = 8
#: An object whose first key is one of the xLAM keys.
_XLAM_HEAD: Final = re.compile(r'\{\s*"(?:tool_calls|thought)"\s*:')
#: An object or a brace that opens JSON (a key or a closing brace next): not prose.
_JSON_HEAD: Final = re.compile(r'\{\s*["}]')
_FENCE: Final = "```"
_END_TOKENS: Final = ("<|EOT|>", "<|im_end|>", "<|eot_id|>", "<|endoftext|>", "</s>")


def parse_xlam(text: str, limits: Limits | None = None) -> ParseResult | None:
    """The xLAM calls of ``text`` (see the module docstring), or ``None`` when it holds no xLAM object."""
    if MARKER not in text:
        return None
    start = _object_start(text)
    if start < 0:
        return None
    acc = toolkit.Accumulator(limits or toolkit.current_limits())
    acc.attempted = True
    acc.blocks = 1
    end = toolkit.json_value_end(text, start)
    if end < 0:  # cut short or broken: the rest of the text is the attempt
        acc.violations.append("nesting_too_deep" if end == -2 else "invalid_json")
        acc.texts.append(_free_text(text, start, len(text), acc)[0])
        return acc.result(FORMAT)
    value, err, found = toolkit.loads_untrusted(text[start:end], acc.limits, True)
    if err is None and not (isinstance(value, dict) and "tool_calls" in value):
        return None  # an object with a "thought" key alone: not an xLAM answer
    before, after = _free_text(text, start, end, acc)
    if err is not None:
        acc.violations.append(err)
        acc.texts.extend((before, after))
        return acc.result(FORMAT)
    acc.violations.extend(found)
    thought = _take(acc, value)
    if not acc.attempted:  # the "no call" answer: its thought is the answer
        violations = tuple(sorted(set(acc.violations)))
        return ParseResult(calls=(), text=_join(before, thought, after), format=FORMAT, violations=violations)
    acc.texts.extend((before, after))
    result = acc.result(FORMAT)
    if not thought:
        return result
    return ParseResult(
        calls=result.calls,
        text=result.text,
        think=thought,
        format=FORMAT,
        violations=result.violations,
        attempted_call=True,
    )


def _object_start(text: str) -> int:
    """Index of the top-level xLAM object (see the module docstring), ``-1`` when there is none."""
    pos = 0
    for _ in range(_MAX_CANDIDATES):
        i = text.find("{", pos)
        if i < 0:
            return -1
        if _XLAM_HEAD.match(text, i):
            return i
        if not _JSON_HEAD.match(text, i):  # a brace of prose ("{city}"): look further
            pos = i + 1
            continue
        end = toolkit.json_value_end(text, i)
        if end < 0:  # broken JSON of another shape: not ours (the json format judges it)
            return -1
        pos = end
    return -1


def _free_text(text: str, start: int, end: int, acc: toolkit.Accumulator) -> tuple[str, str]:
    """The free text before ``text[start:end]`` (the object) and after it: a fence around the object and
    end-of-turn tokens at the end are not free text; a fence opened before it and never closed after it is
    ``unclosed_tag``."""
    head = text[:start].rstrip()
    tail = text[end:].lstrip()
    fence = head.rfind(_FENCE)
    if fence >= 0 and _fence_info(head[fence + len(_FENCE) :]):
        head = head[:fence]
        if tail.startswith(_FENCE):
            tail = tail[len(_FENCE) :]
        else:
            acc.violations.append("unclosed_tag")
    return head, toolkit.strip_end_tokens(tail, _END_TOKENS)


def _fence_info(info: str) -> bool:
    """``info`` (what follows a fence up to the object, trailing whitespace removed) is the info string of an
    opening fence: on the fence's own line, empty or one word."""
    word = info.strip()
    return "\n" not in info and len(word) <= 16 and (not word or word.replace("_", "").isalnum())


def _take(acc: toolkit.Accumulator, value: dict[str, Any]) -> str:
    """The calls of the decoded object into ``acc``; returns its thought. An empty ``tool_calls`` list turns
    ``acc.attempted`` off (the format's "no call" answer)."""
    thought = value.get("thought")
    thought = thought.strip() if isinstance(thought, str) else ""
    calls = value["tool_calls"]
    if isinstance(calls, list) and not calls:
        acc.attempted = False
        acc.blocks = 0
    elif isinstance(calls, (list, dict)):
        acc.add_value(calls)
    else:
        acc.violations.append("missing_name")
    return thought


def _join(*parts: str) -> str:
    return "\n".join(p for p in (part.strip() for part in parts) if p)


SPECS: Final[tuple[ParserSpec, ...]] = (
    ParserSpec(
        FORMAT,
        parse_xlam,
        55,
        '{"tool_calls": [{"name": .., "arguments": {..}}], "thought": ..} (xLAM v1)',
        markers=(MARKER,),
        family="Salesforce xLAM v1 (xLAM-1b/7b-fc-r, xLAM-7b/8x7b/8x22b-r)",
        aliases=("xlam-v1", "xlam-1b-fc-r", "xlam-7b-fc-r", "xlam-7b-r", "xlam-8x7b-r", "xlam-8x22b-r"),
        example='{"tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]}',
        hint_includes=("fence", "json"),  # (xLAM-2 writes a bare list of calls, also fenced: vLLM's parser)
        source="xLAM-1b/7b-fc-r format instruction and SalesforceAIResearch/xLAM xLAM/client (config.py, xLAM.py)",
    ),
)


@hookimpl
def register_parsers(register: Callable[[ParserSpec], None]) -> None:
    """Register the ``xlam`` format."""
    for spec in SPECS:
        register(spec)
