"""DeepSeek tool calls: the special-token layouts of V3 / V3.1 (``deepseek``) and the DSML markup of V3.2 / V4 /
V4.1 (``deepseek_dsml``).

Contract (as every format parser, see :mod:`rlvr_rewards.parsing.formats`): the input is the answer text
(``<think>`` reasoning already removed by the dispatcher); ``None`` when the format's markers are absent; never
raises; linear in the text (markers located with ``str.find`` passes, DSML tags with one scan of a regex that
cannot backtrack); each distinct call block decoded once
(:meth:`~rlvr_rewards.parsing.toolkit.Accumulator.decode_once`).

``deepseek`` (DeepSeek-V3, V3-0324, V3.1, V3.1-Terminus). A section of calls::

    <｜tool▁calls▁begin｜><｜tool▁call▁begin｜>CALL<｜tool▁call▁end｜>...<｜tool▁calls▁end｜>

(fullwidth bars U+FF5C, U+2581 between words). V3 writes ``CALL`` as
``function<｜tool▁sep｜>NAME\\n```json\\n{...}\\n``` `` (TRL 1.16 ``trl/chat_templates/deepseekv3.jinja``, the
vLLM ``deepseek_v3`` parser tests), V3.1 as ``NAME<｜tool▁sep｜>{...}`` (DeepSeek-V3.1's chat template, the vLLM
``tests/tool_parsers/test_deepseekv31_tool_parser.py`` outputs). One parser reads both, told apart by what follows
``<｜tool▁sep｜>``: a JSON value (``{``, ``[`` or ``"``) is V3.1 (the name is before the separator), anything else
is V3 (the type is before it, the name is the rest of that line, then the fenced JSON). Arguments are JSON,
decoded with ``loads_untrusted`` (a JSON *string* holding the object, as a ``|tojson`` template variant writes
it, is read with ``arguments_json_string``). Text before, between and after the sections is free text; a
section never closed or a call never closed is ``unclosed_tag``; a closing marker with nothing open
``stray_closing_tag``; a section without any call ``empty_call_block``; a call without ``<｜tool▁sep｜>``
``missing_name``. A final ``<｜end▁of▁sentence｜>`` (the template's end of turn) is dropped.

``deepseek_dsml`` (DeepSeek-V3.2, V4, V4.1). DeepSeek's "DSML" markup (the model repos' ``encoding/encoding_dsv32.py``
/ ``encoding_dsv4.py``, the vLLM ``deepseekv32`` / ``deepseekv4`` parser tests, SGLang's ``DeepSeekV32Detector``)::

    <｜DSML｜function_calls>
    <｜DSML｜invoke name="NAME">
    <｜DSML｜parameter name="P" string="true">raw text</｜DSML｜parameter>
    <｜DSML｜parameter name="Q" string="false">JSON value</｜DSML｜parameter>
    </｜DSML｜invoke>
    </｜DSML｜function_calls>

V3.2 wraps the calls in ``function_calls``, V4 in ``tool_calls``, V4.1 in ``calls`` and writes every tag name
after one space (``<｜DSML｜ calls>``, ``<｜DSML｜ invoke name=..>``, ``<｜DSML｜ parameter ..>``); all are read. A
``string="true"`` value is raw text, kept exactly as written (the encoder adds nothing around it) and typed later
by the tool schema (:func:`~rlvr_rewards.parsing.toolkit.add_text_call`); a ``string="false"`` value is JSON
(not JSON: ``invalid_json``, the text is kept untyped). An invoke whose body is one JSON object instead of
parameter tags (SGLang's second layout) is read as that object. An invoke outside any wrapper is read (a
closing wrapper after it is then ``stray_closing_tag``); text inside an invoke outside its parameters is
``trailing_garbage``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from heapq import merge
from typing import Any, Final

from rlvr_rewards.hookspecs import hookimpl
from rlvr_rewards.limits import Limits
from rlvr_rewards.parsing import toolkit
from rlvr_rewards.parsing.types import ParsedCall, ParseResult, ParserSpec

Acc = toolkit.Accumulator

__all__ = [
    "SPECS",
    "add_json_arguments_call",
    "parse_deepseek",
    "parse_deepseek_dsml",
    "register_parsers",
    "scan_sectioned_calls",
]

_BAR: Final = "\uff5c"  # fullwidth vertical bar
_WS: Final = "\u2581"  # lower one eighth block (SentencePiece's space)


def _token(*words: str) -> str:
    return f"<{_BAR}{_WS.join(words)}{_BAR}>"


CALLS_BEGIN: Final = _token("tool", "calls", "begin")
CALLS_END: Final = _token("tool", "calls", "end")
CALL_BEGIN: Final = _token("tool", "call", "begin")
CALL_END: Final = _token("tool", "call", "end")
SEP: Final = _token("tool", "sep")
EOS: Final = _token("end", "of", "sentence")
_CALL_PREFIX: Final = f"<{_BAR}tool{_WS}call"  # the common start of the four call markers

DSML: Final = f"{_BAR}DSML{_BAR}"

# --------------------------------------------------------------------------------------------------
# Shared pieces (also used by the Kimi K2 parser, which has the same section / call layout)
# --------------------------------------------------------------------------------------------------


def add_json_arguments_call(acc: Acc, name: str, args_text: str) -> None:
    """Record the call ``name`` whose arguments are the JSON text ``args_text`` (stripped; empty: no
    arguments). Not JSON: the call with ``arguments=None`` and the error; text after the JSON value:
    ``trailing_garbage``; a JSON string holding the object: ``arguments_json_string``; not an object:
    ``arguments_not_object``; an empty name: ``missing_name``."""
    if not args_text:
        value: Any = {}
    else:
        value, err, found, end = toolkit.json_prefix(args_text, acc.limits)
        if err is not None:
            acc.violations.append(err)
            if not name.strip():
                acc.violations.append("missing_name")
            acc.add_call(ParsedCall(name.strip(), None))
            return
        acc.violations.extend(found)
        if end < len(args_text):
            acc.violations.append("trailing_garbage")
    call = toolkit.make_call({"name": name.strip(), "arguments": value}, acc.violations, acc.limits)
    if call is not None:
        acc.add_call(call)


_SECTION_OPEN, _SECTION_CLOSE, _CALL_OPEN, _CALL_CLOSE = range(4)


class _SectionWalk:
    """The walk of :func:`scan_sectioned_calls` over the markers, in text order."""

    __slots__ = ("acc", "call", "decode", "found", "pos", "section", "text")

    def __init__(self, acc: Acc, text: str, decode: Callable[[Acc, str], None]):
        self.acc = acc
        self.text = text
        self.decode = decode
        self.pos = 0  # where the pending free text starts
        self.call = -1  # where the inside of the open call starts (-1: no call open)
        self.section = False  # a section is open
        self.found = 0  # calls in the open section

    def run(self, events: Iterable[tuple[int, int, int]]) -> None:
        for start, end, kind in events:
            self._leave_call_or_text(start, kind == _CALL_CLOSE)
            if kind == _CALL_OPEN:
                self.call = end
                continue
            if kind == _SECTION_OPEN:
                if self.section:
                    self._end_section(False)
                self.section = True
                self.found = 0
            elif kind == _SECTION_CLOSE:
                if self.section:
                    self._end_section(True)
                else:
                    self.acc.violations.append("stray_closing_tag")
            self.pos = end
        self._leave_call_or_text(len(self.text), False)
        if self.section:
            self._end_section(False)

    def _leave_call_or_text(self, stop: int, closing_call: bool) -> None:
        """Up to ``stop`` (a marker or the end): the open call ends there (``unclosed_tag`` unless its closing
        marker is at ``stop``), or the pending free text does (a call closing marker there is stray)."""
        if self.call < 0:
            self.acc.texts.append(self.text[self.pos : stop])
            if closing_call:
                self.acc.violations.append("stray_closing_tag")
            return
        if not closing_call:
            self.acc.violations.append("unclosed_tag")
        self.acc.decode_once(self.text[self.call : stop], self.decode)
        self.call = -1
        self.found += 1

    def _end_section(self, closed: bool) -> None:
        if not closed:
            self.acc.violations.append("unclosed_tag")
        if not self.found:
            self.acc.violations.append("empty_call_block")
        self.section = False


def _marker_events(text: str, markers: Iterable[tuple[str, int]]) -> Iterator[tuple[int, int, int]]:
    """``(start, end, kind)`` of every marker occurrence, in text order (one ``find`` pass per marker and a
    merge of the sorted lists; the markers never overlap one another)."""
    lists = [[(i, i + len(marker), kind) for i in toolkit.find_all(text, marker)] for marker, kind in markers if marker]
    return merge(*lists)


def scan_sectioned_calls(
    text: str,
    fmt: str,
    section_open: tuple[str, ...],
    section_close: tuple[str, ...],
    call_open: str,
    call_close: str,
    decode: Callable[[Acc, str], None],
    limits: Limits | None = None,
) -> ParseResult:
    """Calls written as ``call_open CALL call_close`` inside sections ``section_open ... section_close`` (either
    spelling of each section marker). ``decode(acc, inside)`` reads one call's inside (once per distinct text;
    it counts the block). Free text is everything outside the calls (inside or outside the sections). A call
    left open ends at the next marker or the end (``unclosed_tag``), as does a section; a closing marker with
    nothing open is ``stray_closing_tag``; a section without calls ``empty_call_block``."""
    acc = toolkit.Accumulator(limits or toolkit.current_limits())
    acc.attempted = True
    markers = [
        *((m, _SECTION_OPEN) for m in section_open),
        *((m, _SECTION_CLOSE) for m in section_close),
        (call_open, _CALL_OPEN),
        (call_close, _CALL_CLOSE),
    ]
    try:
        _SectionWalk(acc, text, decode).run(_marker_events(text, markers))
    except toolkit.OverBudget:
        return toolkit.over_budget(fmt)
    return acc.result(fmt)


# --------------------------------------------------------------------------------------------------
# deepseek (V3 / V3.1 special tokens)
# --------------------------------------------------------------------------------------------------

_JSON_STARTS: Final = ("{", "[", '"')


def _unfence(acc: Acc, rest: str) -> str:
    """The JSON of a V3 call after its name line: inside a ```json fence (an unclosed fence is
    ``unclosed_tag``), or the text itself when there is no fence."""
    body = rest.strip()
    if not body.startswith("```"):
        return body
    nl = body.find("\n")
    body = "" if nl == -1 else body[nl + 1 :].rstrip()
    if body.endswith("```"):
        return body[:-3].strip()
    acc.violations.append("unclosed_tag")
    return body.strip()


def _decode_deepseek_call(acc: Acc, inside: str) -> None:
    """One call's inside: ``TYPE<｜tool▁sep｜>NAME\\n```json ..``` `` (V3) or ``NAME<｜tool▁sep｜>{..}`` (V3.1)."""
    acc.blocks += 1
    body = inside.strip()
    if not body:
        acc.violations.append("empty_call_block")
        return
    sep = body.find(SEP)
    if sep == -1:
        acc.violations.append("missing_name")
        return
    head = body[:sep].strip()
    tail = body[sep + len(SEP) :].strip()
    if not tail or tail.startswith(_JSON_STARTS):  # V3.1: the name before the separator, JSON after it
        add_json_arguments_call(acc, head, tail)
        return
    nl = tail.find("\n")  # V3: the type before the separator, then the name line and the fenced JSON
    name = tail if nl == -1 else tail[:nl]
    add_json_arguments_call(acc, name, "" if nl == -1 else _unfence(acc, tail[nl + 1 :]))


_DEEPSEEK_MARKERS: Final = (CALLS_BEGIN, CALL_BEGIN, CALL_END, CALLS_END)


def parse_deepseek(text: str, limits: Limits | None = None) -> ParseResult | None:
    """DeepSeek V3 / V3.1 calls (see the module docstring); ``None`` without their markers."""
    if _CALL_PREFIX not in text or not any(m in text for m in _DEEPSEEK_MARKERS):
        return None
    return scan_sectioned_calls(
        toolkit.strip_final(text, EOS),
        "deepseek",
        (CALLS_BEGIN,),
        (CALLS_END,),
        CALL_BEGIN,
        CALL_END,
        _decode_deepseek_call,
        limits,
    )


# --------------------------------------------------------------------------------------------------
# deepseek_dsml (V3.2 / V4 / V4.1 DSML markup)
# --------------------------------------------------------------------------------------------------

_BLOCK, _INVOKE, _PARAM = range(3)
#: Tag names after the DSML token (V4.1 writes one space first): the wrapper of the calls (V3.2, V4, V4.1),
#: a call, a parameter.
_TAG_KINDS: Final = {
    "function_calls": _BLOCK,
    "tool_calls": _BLOCK,
    "calls": _BLOCK,
    "invoke": _INVOKE,
    "parameter": _PARAM,
}
#: One DSML tag: ``<`` or ``</``, the token, an optional space, a known name (a word boundary after it), the
#: header (its attributes: anything but ``>``, ``<`` and the bar, so it stops before the next tag) and the ``>``
#: if written. Linear: one unbounded repeat, of a class its follower (``>``) is not in; matches never overlap.
_TAG_RE: Final = re.compile(
    f"<(/?){_BAR}DSML{_BAR} ?(function_calls|tool_calls|calls|invoke|parameter)(?!\\w)([^<>{_BAR}]*)(>?)"
)

#: One DSML tag: (start, end, kind, opening, header, complete). ``header``: an opening tag's text between its
#: name and ``>`` (its attributes); ``complete``: the tag's ``>`` was found.
_Tag = tuple[int, int, int, bool, str, bool]


def _dsml_tags(text: str) -> list[_Tag]:
    """Every DSML tag of ``text`` in order (one linear regex scan, see ``_TAG_RE``)."""
    kinds = _TAG_KINDS
    return [(m.start(), m.end(), kinds[m[2]], not m[1], m[3], bool(m[4])) for m in _TAG_RE.finditer(text)]


def _attr(header: str, key: str) -> str | None:
    """The value of ``key="..."`` in a tag header (``None`` when absent; an unclosed quote runs to the end)."""
    needle = f'{key}="'
    i = header.find(needle)
    while i > 0 and not header[i - 1].isspace():
        i = header.find(needle, i + 1)
    if i == -1:
        return None
    start = i + len(needle)
    stop = header.find('"', start)
    return header[start:] if stop == -1 else header[start:stop]


class _DsmlWalk:
    """The walk of :func:`parse_deepseek_dsml` over the tags: wrappers, invokes (each one's text decoded by
    :func:`_decode_invoke`) and free text. Parameter tags inside an invoke are the invoke's business."""

    __slots__ = ("acc", "block", "explicit", "found", "invoke", "pos", "text")

    def __init__(self, acc: Acc, text: str) -> None:
        self.acc = acc
        self.text = text
        self.pos = 0  # where the pending free text starts
        self.invoke = -1  # where the open invoke's tag starts (-1: none open)
        self.block = False  # inside a wrapper (written, or implied by an invoke)
        self.explicit = False  # the wrapper's opening tag was written
        self.found = 0  # invokes in the wrapper

    def run(self, tags: list[_Tag]) -> None:
        for start, end, kind, opening, _header, complete in tags:
            if not complete:
                self.acc.violations.append("unclosed_tag")
            if kind == _PARAM and self.invoke >= 0:
                continue  # read by the invoke's decoding
            if kind == _INVOKE or (kind == _PARAM and opening):
                self._open_invoke(start, closing=kind == _INVOKE and not opening)
                self.pos = end
            elif kind == _BLOCK:
                self._leave(start, False)
                self._wrapper(opening)
                self.pos = end
            else:  # a parameter's closing tag outside any invoke
                self._leave(start, False)
                self.acc.violations.append("stray_closing_tag")
                self.pos = end
        self._leave(len(self.text), False)
        if self.block and self.explicit:
            self.acc.violations.append("unclosed_tag")
        self._check_empty()

    def _open_invoke(self, start: int, closing: bool) -> None:
        """An invoke tag at ``start`` (or a parameter opening tag outside any invoke: an invoke without its
        header): the open invoke ends there; an opening tag starts the next one."""
        if closing:
            if self.invoke < 0:
                self._leave(start, False)
                self.acc.violations.append("stray_closing_tag")
            else:
                self._leave(start, True)
            return
        self._leave(start, False)
        if not self.block:
            self.block = True
            self.explicit = False
            self.found = 0
        self.invoke = start

    def _leave(self, stop: int, closed: bool) -> None:
        """Up to ``stop``: the open invoke ends there (``unclosed_tag`` unless ``closed``), or the free text."""
        if self.invoke < 0:
            self.acc.texts.append(self.text[self.pos : stop])
            return
        if not closed:
            self.acc.violations.append("unclosed_tag")
        self.acc.decode_once(self.text[self.invoke : stop], _decode_invoke)
        self.invoke = -1
        self.found += 1

    def _wrapper(self, opening: bool) -> None:
        if opening:
            if self.block and self.explicit:
                self.acc.violations.append("unclosed_tag")
            self._check_empty()
            self.block = True
            self.explicit = True
            self.found = 0
            return
        if not (self.block and self.explicit):
            self.acc.violations.append("stray_closing_tag")
        self._check_empty()
        self.block = False

    def _check_empty(self) -> None:
        if self.block and self.explicit and not self.found:
            self.acc.violations.append("empty_call_block")


#: JSON parameter values decoded so far in one invoke: text -> ``loads_untrusted`` outcome.
_Seen = dict[str, tuple[Any, "str | None", tuple[str, ...]]]


def _json_value(acc: Acc, text: str, seen: _Seen) -> tuple[Any, str | None, tuple[str, ...]]:
    """``loads_untrusted(text)`` for a parameter value. A text seen before in the invoke whose value is not a
    container is not decoded again; every decode counts against the block budget (``acc.new_block``), so a
    thousand parameters holding JSON cost no more than a thousand call blocks would."""
    hit = seen.get(text)
    if hit is not None and not isinstance(hit[0], (dict, list)):
        return hit
    acc.new_block()
    outcome = seen[text] = toolkit.loads_untrusted(text, acc.limits, True)
    return outcome


def _param_value(
    acc: Acc,
    header: str,
    value: str,
    out: tuple[list[Any], list[Any]],
    seen: _Seen,
    headers: dict[str, tuple[str | None, bool]],
) -> None:
    """One parameter into ``out`` (raw texts, typed values): raw text (``string="true"``, or no ``string``
    attribute) or a JSON value (``string="false"``; not JSON: the error, and the text kept raw)."""
    attrs = headers.get(header)  # (the headers of an invoke repeat: each is read once)
    if attrs is None:
        attrs = headers[header] = (_attr(header, "name"), _attr(header, "string") != "false")
    key, raw = attrs
    if key is None:
        acc.violations.append("missing_name")
        return
    params, typed = out
    if raw:
        params.append((key, value))
        return
    parsed, err, found = _json_value(acc, value.strip(), seen)
    if err is not None:
        acc.violations.append(err)
        params.append((key, value))
        return
    acc.violations.extend(found)
    typed.append((key, parsed))


def _decode_invoke(acc: Acc, seg: str) -> None:
    """One invoke: its opening tag (the name) and its parameters, up to (without) its closing tag."""
    acc.blocks += 1
    tags = _dsml_tags(seg)
    name = ""
    pos = 0
    if tags and tags[0][2] == _INVOKE:
        if not tags[0][5] and len(tags) == 1:  # cut off inside its opening tag: no name to read
            acc.violations.append("unclosed_tag")
            return
        name = _attr(tags[0][4], "name") or ""
        pos = tags[0][1]
        tags = tags[1:]
    if not tags:
        _invoke_body(acc, name, seg[pos:])
        return
    params: list[tuple[str, str]] = []
    typed: list[tuple[str, Any]] = []
    if _read_params(acc, seg, pos, tags, params, typed):
        acc.violations.append("trailing_garbage")
    toolkit.add_text_call(acc, name, params, typed)


def _read_params(acc: Acc, seg: str, pos: int, tags: list[_Tag], params: list[Any], typed: list[Any]) -> bool:
    """The parameter tags of an invoke (``tags``, after its opening tag ending at ``pos``) into ``params`` (raw
    text) and ``typed`` (JSON values); whether text other than whitespace lies outside them. A parameter
    never closed ends at the next tag (``unclosed_tag``); one cut off inside its opening tag is dropped."""
    garbage = False
    seen: _Seen = {}
    headers: dict[str, tuple[str | None, bool]] = {}
    i = 0
    while i < len(tags):
        start, end, _kind, opening, header, complete = tags[i]
        garbage = garbage or bool(seg[pos:start].strip())
        if not opening:
            acc.violations.append("stray_closing_tag")
            pos, i = end, i + 1
            continue
        closed = i + 1 < len(tags) and not tags[i + 1][3]
        stop = tags[i + 1][0] if i + 1 < len(tags) else len(seg)
        if not closed:
            acc.violations.append("unclosed_tag")
        if complete:
            _param_value(acc, header, seg[end:stop], (params, typed), seen, headers)
        pos, i = (tags[i + 1][1], i + 2) if closed else (max(stop, end), i + 1)
    return garbage or bool(seg[pos:].strip())


def _invoke_body(acc: Acc, name: str, body: str) -> None:
    """An invoke without parameter tags: no arguments, or (SGLang's second layout) one JSON object."""
    text = body.strip()
    if text.startswith("{"):
        add_json_arguments_call(acc, name, text)
        return
    if text:
        acc.violations.append("trailing_garbage")
    toolkit.add_text_call(acc, name, ())


def parse_deepseek_dsml(text: str, limits: Limits | None = None) -> ParseResult | None:
    """DeepSeek V3.2 / V4 / V4.1 DSML calls (see the module docstring); ``None`` without DSML tags."""
    if DSML not in text:
        return None
    text = toolkit.strip_final(text, EOS)
    tags = _dsml_tags(text)
    if not tags:
        return None
    acc = toolkit.Accumulator(limits or toolkit.current_limits())
    acc.attempted = True
    try:
        _DsmlWalk(acc, text).run(tags)
    except toolkit.OverBudget:
        return toolkit.over_budget("deepseek_dsml")
    return acc.result("deepseek_dsml")


# --------------------------------------------------------------------------------------------------
# Registration
# --------------------------------------------------------------------------------------------------

_V3_EXAMPLE: Final = (
    f'{CALLS_BEGIN}{CALL_BEGIN}function{SEP}get_weather\n```json\n{{"city": "Paris"}}\n```{CALL_END}{CALLS_END}'
)
_DSML_EXAMPLE: Final = (
    f"<{DSML}function_calls>\n"
    f'<{DSML}invoke name="get_weather">\n'
    f'<{DSML}parameter name="city" string="true">Paris</{DSML}parameter>\n'
    f"</{DSML}invoke>\n"
    f"</{DSML}function_calls>"
)

SPECS: Final[tuple[ParserSpec, ...]] = (
    ParserSpec(
        "deepseek",
        parse_deepseek,
        17,
        "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>..<｜tool▁call▁end｜><｜tool▁calls▁end｜> (DeepSeek V3 / V3.1)",
        markers=_DEEPSEEK_MARKERS,
        family="DeepSeek-V3, DeepSeek-V3.1",
        aliases=("deepseek-v3", "deepseek-v3-0324", "deepseek-v3.1", "deepseek-v3.1-terminus"),
        example=_V3_EXAMPLE,
        source="TRL 1.16 `trl/chat_templates/deepseekv3.jinja` (V3); DeepSeek-V3.1 chat template and vLLM "
        "`tests/tool_parsers/test_deepseekv31_tool_parser.py` (V3.1)",
    ),
    ParserSpec(
        "deepseek_dsml",
        parse_deepseek_dsml,
        18,
        '<｜DSML｜function_calls><｜DSML｜invoke name=".."><｜DSML｜parameter ..> (DeepSeek V3.2 / V4 / V4.1)',
        markers=(DSML,),
        family="DeepSeek-V3.2, DeepSeek-V4, DeepSeek-V4.1",
        aliases=(
            "deepseek-v3.2",
            "deepseek-v4",
            "deepseek-v4-flash",
            "deepseek-v4-pro",
            "deepseek-v4.1",
            "dsml",
        ),
        example=_DSML_EXAMPLE,
        source="DeepSeek-V3.2 `encoding/encoding_dsv32.py`, DeepSeek-V4 `encoding/encoding_dsv4.py`; vLLM "
        "`tests/tool_parsers/test_deepseekv32_tool_parser.py`, `test_deepseekv4_tool_parser.py`",
    ),
)


@hookimpl
def register_parsers(register: Callable[[ParserSpec], None]) -> None:
    for spec in SPECS:
        register(spec)
