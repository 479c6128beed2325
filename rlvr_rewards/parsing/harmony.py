"""GPT-OSS tool calls in OpenAI's *harmony* response format (spec ``harmony``).

Followed: the OpenAI harmony format guide (openai-cookbook ``articles/openai-harmony.md``: messages, channels,
recipients, ``<|constrain|>``, preambles) and the GPT-OSS chat template TRL 1.16 ships
(``trl/chat_templates/gptoss.jinja``, which writes a call as
``<|start|>assistant to=functions.NAME<|channel|>commentary json<|message|>{...}<|call|>``). Which messages
are calls follows what vLLM's harmony tool parser reads (a ``functions.`` recipient). Our own code.

A completion is a run of messages ``[<|start|>ROLE] HEADER <|message|> BODY END``:

- the header holds the channel (``<|channel|>analysis`` / ``commentary`` / ``final``), the recipient
  (``to=functions.NAME``, written in the role part or after the channel) and the optional content type
  (``<|constrain|>json`` or a bare ``json``); the first message usually has no ``<|start|>assistant`` (the
  prompt ends with it), so a header may also begin at ``<|channel|>`` (its role part is the text before the
  token on the same line);
- END is ``<|end|>``, ``<|call|>`` or ``<|return|>``; a body the next header (``<|start|>`` or
  ``<|channel|>``) or the end of the text cuts off is *unclosed*.

Reading (contract of :func:`parse_harmony`, answer text in, ``ParseResult | None`` out, never raising, linear):

- a message whose recipient is ``functions.NAME`` is one call to ``NAME`` (whatever its channel), its body
  the JSON arguments (through ``loads_untrusted`` under the limits; not JSON: ``invalid_json`` and
  ``ParsedCall(NAME, None)``; empty: ``empty_call_block``; JSON followed by text: ``trailing_garbage``; a
  JSON string holding the object: ``arguments_json_string``; ``to=functions.`` alone: ``missing_name``). A
  call message cut off by the next header is still decoded and is ``unclosed_tag``; one that runs to the end
  of the text without ``<|call|>`` is not (inference servers drop that stop token; a call cut off mid-way
  fails as JSON: ``invalid_json``). Identical call messages are decoded once (``acc.decode_once``).
- any other ``analysis`` message (chain of thought, built-in ``python``/``browser`` use) is reasoning, never
  read for calls: returned as ``think``. :func:`split_analysis` removes these messages before any parser
  runs (the dispatcher calls it), so a ``<tool_call>`` written in the chain of thought is never a call.
- every other message body (``final`` answers, ``commentary`` preambles without a recipient, messages with
  another recipient) and any text outside messages is free text (``text_with_call`` beside a call). A
  text message cut off by the next header is ``unclosed_tag`` (one cut by the end of the text is not: the
  stop token ``<|return|>`` is often not decoded). A lone ``<|end|>``/``<|call|>``/``<|return|>`` outside a
  message is ``stray_closing_tag``.
- ``None`` unless some message has a ``<|channel|>`` header and a ``<|message|>`` body, or a
  ``to=functions.`` recipient (prose that merely mentions a token is left to the other parsers); so every
  text claimed holds one of ``MARKERS``.

The tokens are found in one pass (``re.split`` on the seven literal tokens: no repeat in the pattern), then
read in one walk; 10^5 copies of any token stay linear, and identical call messages are decoded once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Final

from rlvr_rewards.hookspecs import hookimpl
from rlvr_rewards.limits import Limits
from rlvr_rewards.parsing import toolkit
from rlvr_rewards.parsing.types import ParsedCall, ParseResult, ParserSpec

__all__ = ["MARKERS", "SPECS", "parse_harmony", "register_parsers", "split_analysis"]

FORMAT: Final = "harmony"

_FUNCTIONS: Final = "functions."
_RECIPIENT: Final = "to="

#: At least one of these occurs in every text :func:`parse_harmony` claims.
MARKERS: Final = ("<|channel|>", _RECIPIENT + _FUNCTIONS)

#: The harmony tokens, kept by ``split`` between the texts around them. No repeat anywhere: one way to match,
#: tried at each ``<|`` (linear).
_TOKEN_SPLIT: Final = re.compile(r"(<\|(?:start|end|message|channel|constrain|call|return)\|>)")
_K_START, _K_MESSAGE, _K_CHANNEL, _K_CONSTRAIN, _K_TERM = range(5)
_KINDS: Final = {
    "<|start|>": _K_START,
    "<|message|>": _K_MESSAGE,
    "<|channel|>": _K_CHANNEL,
    "<|constrain|>": _K_CONSTRAIN,
    "<|end|>": _K_TERM,
    "<|call|>": _K_TERM,
    "<|return|>": _K_TERM,
}

# how a message ended: its end token, cut off by the next header, cut off by the end of the text
_CLOSED, _CUT, _EOF = 0, 1, 2
# walk states
_OUT, _HEADER, _BODY = 0, 1, 2

#: A message: role part, channel part (``None``: no ``<|channel|>``), constrain part, body (``None``: no
#: ``<|message|>``), how it ended (``_CLOSED``/``_CUT``/``_EOF``) and its raw text as ``(prefix, lo, hi)``:
#: ``prefix + "".join(parts[lo:hi])`` (``prefix``: the role part of a header without ``<|start|>``).
_Message = tuple[str, "str | None", "str | None", "str | None", int, str, int, int]


class _Stray(str):
    """An end token outside any message."""

    __slots__ = ()


class _Walk:
    """The state of :func:`_walk`: the split text, the items so far and the open message."""

    __slots__ = ("body_lo", "channel", "constrain", "items", "lo", "out", "parts", "prefix", "role", "state")

    def __init__(self, parts: list[str]) -> None:
        self.parts = parts
        self.items: list[str | _Stray | _Message] = []
        self.state = _OUT
        self.out = parts[0]  # pending free text (state _OUT)
        self.role = self.prefix = ""
        self.channel: str | None = None
        self.constrain: str | None = None
        self.lo = self.body_lo = 0

    def emit(self, body: str | None, ended: int, hi: int) -> None:
        """The open message, its raw text ending before ``parts[hi]``."""
        self.items.append((self.role, self.channel, self.constrain, body, ended, self.prefix, self.lo, hi))

    def body(self, i: int) -> str:
        lo = self.body_lo
        return self.parts[lo] if i == lo + 1 else "".join(self.parts[lo:i])

    def in_body(self, i: int, kind: int) -> bool:
        """Token ``i`` inside a body; whether a new message starts at it."""
        if kind == _K_TERM:
            self.emit(self.body(i), _CLOSED, i + 1)
            self.state, self.out = _OUT, self.parts[i + 1]
            return False
        if kind != _K_START and kind != _K_CHANNEL:
            return False  # (<|message|> and <|constrain|> inside a body are text)
        self.emit(self.body(i), _CUT, i)
        return True

    def in_header(self, i: int, kind: int) -> bool:
        """Token ``i`` inside a header (the first channel and constrain parts count)."""
        if kind == _K_CHANNEL:
            if self.channel is None:
                self.channel = self.parts[i + 1]
        elif kind == _K_CONSTRAIN:
            if self.constrain is None:
                self.constrain = self.parts[i + 1]
        elif kind == _K_MESSAGE:
            self.state, self.body_lo = _BODY, i + 1
        elif kind == _K_TERM:
            self.emit(None, _CLOSED, i + 1)
            self.state, self.out = _OUT, self.parts[i + 1]
        else:
            self.emit(None, _CUT, i)
            return True
        return False

    def outside(self, i: int, kind: int) -> bool:
        """Token ``i`` outside messages: a stray end token, or a new message (a header without ``<|start|>``
        takes the text on its own line as its role part)."""
        out = self.out
        if kind == _K_TERM:
            if out:
                self.items.append(out)
            self.items.append(_Stray(self.parts[i]))
            self.out = self.parts[i + 1]
            return False
        if kind == _K_START:
            if out:
                self.items.append(out)
            self.prefix = ""
        else:
            nl = out.rfind("\n") + 1
            if nl:
                self.items.append(out[:nl])
            self.prefix = out[nl:]
        return True

    def open(self, i: int, kind: int) -> None:
        """A new message whose first token is ``parts[i]`` (``<|start|>`` or a header token)."""
        after = self.parts[i + 1]
        self.lo = i
        self.channel = self.constrain = None
        if self.state != _OUT:  # cut off the open message: no prefix
            self.prefix = ""
        self.role, self.state = self.prefix, _HEADER
        if kind == _K_START:
            self.role = after
        elif kind == _K_CHANNEL:
            self.channel = after
        elif kind == _K_CONSTRAIN:
            self.constrain = after
        else:
            self.state, self.body_lo = _BODY, i + 1

    def finish(self) -> list[str | _Stray | _Message]:
        n = len(self.parts)
        if self.state == _OUT:
            if self.out:
                self.items.append(self.out)
        else:
            self.emit(self.body(n) if self.state == _BODY else None, _EOF, n)
        return self.items


def _walk(text: str) -> tuple[list[str], list[str | _Stray | _Message]]:
    """The split text (texts at even indices, tokens at odd ones) and its items in order, in one pass over the
    tokens (see the module docstring for the rules)."""
    parts = _TOKEN_SPLIT.split(text)
    walk = _Walk(parts)
    kinds = _KINDS
    for i in range(1, len(parts), 2):
        kind = kinds[parts[i]]
        state = walk.state
        if state == _BODY:
            new = walk.in_body(i, kind)
        elif state == _HEADER:
            new = walk.in_header(i, kind)
        else:
            new = walk.outside(i, kind)
        if new:
            walk.open(i, kind)
    return parts, walk.finish()


def _header(
    msg: _Message, memo: dict[tuple[str, str | None, str | None], tuple[str, str | None]]
) -> tuple[str, str | None]:
    """The channel word (``""`` when none) and the recipient (``None`` when none) of a message."""
    key = (msg[0], msg[1], msg[2])
    found = memo.get(key)
    if found is not None:
        return found
    channel = ""
    recipient: str | None = None
    for part, is_channel in ((msg[0], False), (msg[1], True), (msg[2], False)):
        if not part:
            continue
        for word in part.split():
            if word.startswith(_RECIPIENT):
                if recipient is None:
                    recipient = word[len(_RECIPIENT) :]
            elif is_channel and not channel:
                channel = word
    found = memo[key] = (channel, recipient)
    return found


def _is_reasoning(channel: str, recipient: str | None) -> bool:
    return channel == "analysis" and not (recipient is not None and recipient.startswith(_FUNCTIONS))


class _Reasoning:
    """The analysis messages of a completion and their violations (shared by :func:`split_analysis` and
    :func:`parse_harmony`, so both read a completion alike)."""

    __slots__ = ("after_final", "found", "parts")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.found: set[str] = set()
        self.after_final = False  # a final message came before

    def take(self, msg: _Message) -> None:
        body = msg[3]
        if body is not None:
            body = body.strip()
            if body:
                self.parts.append(body)
        if msg[4] == _EOF:
            self.found.add("unclosed_think")
        elif msg[4] == _CUT:
            self.found.add("unclosed_tag")
        if self.after_final:
            self.found.add("think_after_answer")

    def think(self) -> str:
        return "\n".join(self.parts)


def split_analysis(text: str) -> tuple[str, str, tuple[str, ...]]:
    """Remove the harmony ``analysis`` messages (chain of thought) from a completion: ``(answer, analysis,
    violations)``.

    ``answer`` is ``text`` without those messages (headers and end tokens included), ``analysis`` their
    bodies joined by newlines (stripped), ``violations``: ``unclosed_think`` (an analysis message the end of
    the text cuts off), ``unclosed_tag`` (one the next header cuts off), ``think_after_answer`` (one after a
    ``final`` message). An analysis message addressed to ``functions.NAME`` is a call, not reasoning, and
    stays. Text with no ``<|channel|>`` or no ``analysis`` comes back unchanged (two ``in`` tests). Linear."""
    if "<|channel|>" not in text or "analysis" not in text:
        return text, "", ()
    parts, items = _walk(text)
    reasoning = _Reasoning()
    memo: dict[tuple[str, str | None, str | None], tuple[str, str | None]] = {}
    kept: list[str] = []
    removed = False
    for item in items:
        if isinstance(item, str):
            kept.append(item)
            continue
        channel, recipient = _header(item, memo)
        if _is_reasoning(channel, recipient):
            reasoning.take(item)
            removed = True
            continue
        if channel == "final":
            reasoning.after_final = True
        kept.append(item[5])
        kept.extend(parts[item[6] : item[7]])
    if not removed:
        return text, "", ()
    return "".join(kept), reasoning.think(), tuple(sorted(reasoning.found))


def _decode_call(acc: toolkit.Accumulator, key: str) -> None:
    """One call message: ``key`` is ``NAME + "\\n" + body`` (a name never holds whitespace)."""
    acc.blocks += 1
    nl = key.find("\n")
    name = key[:nl]
    body = key[nl + 1 :].strip()
    if not name:
        acc.violations.append("missing_name")
    if not body:
        acc.violations.append("empty_call_block")
        acc.add_call(ParsedCall(name, None))
        return
    value, err, found = toolkit.loads_untrusted(body, acc.limits, True)
    if err == "invalid_json":
        stop = toolkit.json_value_end(body, 0)
        if stop == -2:
            err = "nesting_too_deep"
        elif 0 < stop < len(body):
            value, err, found = toolkit.loads_untrusted(body[:stop], acc.limits, True)
            if err is None:
                acc.violations.append("trailing_garbage")
    if err is None and isinstance(value, str):  # the object written as a JSON string
        acc.violations.append("arguments_json_string")
        acc.violations.extend(found)
        value, err, found = toolkit.loads_untrusted(value, acc.limits, True)
    if err is not None:
        acc.violations.append(err)
        acc.add_call(ParsedCall(name, None))
        return
    acc.violations.extend(found)
    if isinstance(value, dict):
        acc.add_call(ParsedCall(name, value))
    else:
        acc.violations.append("arguments_not_object")
        acc.add_call(ParsedCall(name, None))


def parse_harmony(text: str, limits: Limits | None = None) -> ParseResult | None:
    """The calls, free text and reasoning of a harmony completion (see the module docstring); ``None`` when
    it holds no harmony message."""
    if "<|channel|>" not in text and _RECIPIENT + _FUNCTIONS not in text:
        return None
    acc = toolkit.Accumulator(limits or toolkit.current_limits())
    reasoning = _Reasoning()
    memo: dict[tuple[str, str | None, str | None], tuple[str, str | None]] = {}
    claimed = False
    texts = acc.texts
    try:
        for item in _walk(text)[1]:
            if type(item) is str:
                texts.append(item)
            elif isinstance(item, str):
                acc.violations.append("stray_closing_tag")
            elif _read_message(acc, reasoning, item, _header(item, memo)):
                claimed = True
    except toolkit.OverBudget:
        return toolkit.over_budget(FORMAT)
    if not claimed:
        return None
    acc.violations.extend(reasoning.found)
    result = acc.result(FORMAT)
    think = reasoning.think()
    return replace(result, think=think) if think else result


def _read_message(
    acc: toolkit.Accumulator, reasoning: _Reasoning, msg: _Message, header: tuple[str, str | None]
) -> bool:
    """One message into ``acc`` (or ``reasoning``); whether it makes the text harmony (a call, or a message
    with a channel and a body)."""
    channel, recipient = header
    _, channel_part, _, body, ended = msg[:5]
    if recipient is not None and recipient.startswith(_FUNCTIONS):
        if body is None and channel_part is None:
            return False  # (no channel, no body: a mention of a header, not a message)
        acc.attempted = True
        if ended == _CUT:  # (the end of the text is no violation: servers drop the <|call|> stop token)
            acc.violations.append("unclosed_tag")
        acc.decode_once(f"{recipient[len(_FUNCTIONS) :]}\n{body or ''}", _decode_call)
        return True
    if _is_reasoning(channel, recipient):
        reasoning.take(msg)
        return body is not None
    if channel == "final":
        reasoning.after_final = True
    if body is None:
        return False
    acc.texts.append(body)
    if ended == _CUT:
        acc.violations.append("unclosed_tag")
    return channel_part is not None


EXAMPLE: Final = (
    "<|channel|>analysis<|message|>The user wants the weather in Paris; call get_weather.<|end|>"
    "<|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>"
    '{"city": "Paris"}<|call|>'
)

SPECS: Final[tuple[ParserSpec, ...]] = (
    ParserSpec(
        FORMAT,
        parse_harmony,
        15,
        "harmony messages: <|channel|>commentary to=functions.NAME <|constrain|>json<|message|>{...}<|call|> "
        "(analysis channel = reasoning, final channel = answer)",
        markers=MARKERS,
        family="GPT-OSS",
        aliases=("gpt-oss", "gpt_oss", "harmony"),
        example=EXAMPLE,
        source="OpenAI harmony format guide (openai-cookbook articles/openai-harmony.md); TRL 1.16 "
        "trl/chat_templates/gptoss.jinja",
        split_reasoning=split_analysis,
    ),
)


@hookimpl
def register_parsers(register: Callable[[ParserSpec], None]) -> None:
    """Register the harmony format."""
    for spec in SPECS:
        register(spec)
