"""Linear decoder of pythonic tool calls: ``[f(a=1), g(b="x")]`` or a lone ``f(a=1)``.

Contract of :func:`decode_pythonic`: never raises on model text, never evaluates anything, reads the text
once left to right (no ``ast``, no ``compile``) and returns what the former ``ast.parse``-based decoder
returned for every text in the subset below (the test suite keeps that decoder as the reference and
compares the two: ``tests/test_pythonic_differential.py``).

The subset, exactly as CPython 3.11's tokenizer and parser read it:

- the whole text is ``[item, item, ...]`` (trailing comma allowed; ``[]`` is ``empty_call_block``) or one
  item; an item is a call ``dotted.name(...)`` (parenthesised names and calls as Python allows them: ``(f)(a=1)``,
  ``(f(a=1))``); names are NFKC-normalised like Python identifiers;
- arguments are keyword arguments ``name=value``; values are literals: ``None``/``True``/``False``; integers
  (``1_000``, ``0x..``/``0o..``/``0b..``; more digits than ``Limits.max_int_digits`` is ``number_too_large``,
  more than CPython converts (``sys.get_int_max_str_digits()``) fails the text as ``ast.parse`` did); floats
  (``1.``, ``.5``, ``1e-3``, underscores; infinite is ``nonfinite_number``); strings with every prefix
  (``r``, ``u``; ``b`` is bytes and ``f`` an f-string: valid, not literals), quote style and escape
  (``\\N{...}`` included), decoded by CPython's own ``unicode_escape`` codec, adjacent strings concatenated,
  escaped lone surrogates ``invalid_unicode``; unary ``+``/``-`` on a number; lists, tuples (``()``,
  ``(1,)``), dicts with string keys (repeated keys ``duplicate_keys``, the last one kept); comments,
  newlines and ``\\``-continuations between tokens inside brackets; a bare name where a value (or a dict key)
  goes, ``data=my_data``, or one subscripted by strings and integers, ``data['sales'][0]``, is the string it
  spells (as ``ast.unparse`` spells it) and records ``pythonic_bare_name`` (BFCL's decoder reads them so; a
  name in another expression, ``x.y``, ``x[k]`` or ``-x``, is no literal);
- outcomes and their order as ``ast`` + the old literal walk gave them: a call with a positional or ``*``
  argument, ``**kwargs`` or a value that is not a literal keeps its name with ``arguments=None`` and records
  ``pythonic_not_call``; the first failing value (in source order) decides the code; an item that is not
  such a call is ``pythonic_not_call`` and the other items still count; anything after the list or the
  call, or text that is not Python, is ``pythonic_not_call`` with no calls; a lone surrogate anywhere is
  ``invalid_unicode``; a text that fails only because of integer literals longer than CPython converts is
  ``number_too_large`` (decided as before: those digit runs become ``0`` and the text parses).

Deliberate differences from ``ast.parse`` (the subset is what we accept; the rest fails fast):

- **What is not a literal is skipped, not parsed.** Where a value, an item, a positional/``*``/``**``
  argument or what follows the list or the call is not a literal, the decoder only finds where it ends
  (strings, comments and brackets are tokenized; everything else is passed over by one regex step), and
  once a value is skipped the rest of its list, tuple, dict or argument list is skipped too (the outcome
  is decided there; a comma in ``lambda x, y: 1`` or ``{k: v for k, v in d}`` belongs to the skipped
  expression). So an *invalid* expression there (``f(a=1+)``, ``f(a=x, 1 2)``) still gives ``f`` with
  ``arguments=None`` where ``ast`` refused the whole text (no calls); an integer too long for CPython there
  is not seen (``ast``: ``number_too_large``, no calls); and an expression nested beyond CPython's own
  limits (about 3,000 chained operators or attributes, minus three per frame of the caller's stack:
  ``RecursionError``, ``nesting_too_deep``) is ``pythonic_not_call`` with the call kept, whatever the
  caller's stack. Both sides record a fatal code for every such text; the tests check that each
  difference disappears once those spans are replaced by a call ``_()``.
- **f-strings are not parsed** (never literals): an invalid replacement field is not seen. They are tokenized
  like Python 3.10/3.11 do (a quote of the f-string's kind ends it); Python 3.12 (PEP 701) reads a few more
  texts as one f-string.
- **Warnings**: invalid escapes (``"\\d"``) decode as ``ast`` decodes them, without the ``DeprecationWarning``
  or ``SyntaxWarning`` CPython emits (so ``-W error`` does not change the outcome either).

Linearity: the token, string and skip regexes have no nested or overlapping unbounded repeats (checked by
``tests/test_regex_safety.py``), and a repeat of alternatives is bounded (a string with escapes longer
than 512 characters, or never closed, is delimited by :func:`_string_end` in bounded regex steps; runs of
brackets and of comments are read 256 and 64 at a time); every token and every skipped character is read
once; a string token is decoded by a constant number of C-level passes over it (``str.replace``, one
``re.sub``, ``encode``, ``codecs.decode``: the codec reads ``\\N{`` up to the next ``}`` and fails or
consumes it, so those scans do not overlap), and a run of 2 to 256 adjacent strings is decoded as one
(their bodies joined by a lone surrogate, which ends an escape as the end of a body does); a list or dict
written in the subset JSON shares with Python is read by the C JSON scanner and checked by a constant number
of C passes over its span (a literal it cannot take costs what it read, and the fast path stops once those
costs exceed about one more reading of the text); nested containers are otherwise kept on an explicit stack
(no recursion), at most 200 deep (CPython's tokenizer refuses more) and bounded by ``Limits.max_depth``
before this runs. A failed text is read once more at most (with its long digit runs shortened, as before).
"""

from __future__ import annotations

import codecs
import json
import keyword
import math
import re
import sys
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from operator import itemgetter
from typing import Any, Final, TypeAlias

from rlvr_rewards.limits import Limits
from rlvr_rewards.util.jsonsafe import convertible_digits

__all__ = [
    "BARE_NAME",
    "MAX_LEVEL",
    "MAX_NAME_PARTS",
    "decode_pythonic",
    "int_bound",
    "json_like_literal",
    "long_digit_run",
    "top_level_statements",
]

#: CPython's tokenizer refuses more nested brackets than this (``MAXLEVEL`` in tokenizer.c).
MAX_LEVEL: Final = 200
#: A call's dotted name with more parts than this is ``nesting_too_deep``: CPython builds ``a.b.c`` as nested
#: ``Attribute`` nodes and its AST builder runs out of recursion at about 3,000 (less three per frame of the
#: caller's stack; ``ast.parse`` raised ``RecursionError``). A fixed bound here, below that.
MAX_NAME_PARTS: Final = 2_500

_NOT_CALL: Final = "pythonic_not_call"
#: A bare name where a value goes (``data=my_data``), read as the string it spells, as BFCL's decoder reads it.
BARE_NAME: Final = "pythonic_bare_name"

# -- tokens ----------------------------------------------------------------------------------------

_STRUCT, _STR, _LONG, _NUM, _NAME, _OP, _BLANK, _ERR = 1, 2, 3, 4, 5, 6, 7, 8
_EOF: Final = 0

#: A string of up to 512 characters with escapes, or one without escape (one repeat of one class, whatever
#: its length). A longer one with escapes, or one never closed, is read by :func:`_string_end`: a repeat of
#: alternatives keeps a backtracking entry per character, slow past a few hundred thousand of them.
_QUOTED: Final = (
    r"'''(?:[^'\\]|\\[\s\S]|'(?!'')){0,512}'''"
    r'|"""(?:[^"\\]|\\[\s\S]|"(?!"")){0,512}"""'
    r"|'(?!'')[^'\\\n]*'"
    r'|"(?!"")[^"\\\n]*"'
    r"|'(?!'')(?:[^'\\\n]|\\[\s\S]){0,512}'"
    r'|"(?!"")(?:[^"\\\n]|\\[\s\S]){0,512}"'
)
_PREFIX: Final = r"(?:[bB][rR]?|[rR][bBfF]?|[fF][rR]?|[uU])?"
_NUMBER_CORE: Final = (  # (underscores are checked apart: a repeat of one class is much faster than `(?:_?\d)*`)
    r"0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+"
    r"|(?:[0-9][0-9_]*(?:\.(?:[0-9][0-9_]*)?)?|\.[0-9][0-9_]*)(?:[eE][-+]?[0-9][0-9_]*)?[jJ]?"
)
#: One token of CPython's tokenizer (maximal munch, as tokenizer.c reads it), by group: 1 brackets, commas,
#: colons, blanks and line continuations (one run), 2 a string with its prefix, 3 the start of a string the
#: pattern does not read (long with escapes, or never closed: see :func:`_string_end`), 4 a number, 5 a name
#: (any non-ASCII character is read as part of a name and checked with ``str.isidentifier``), 6 an operator,
#: 7 a comment or a line continuation, 8 anything else (not Python here).
_TOKEN: Final = re.compile(
    r"((?:[\[\](){},: \t\f\n]|\\\n){1,256})"
    r"|(" + _PREFIX + r"(?:" + _QUOTED + r"))"
    r"|(" + _PREFIX + r"['\"])"
    r"|(" + _NUMBER_CORE + r")"
    r"|([A-Za-z_\u0080-\U0010ffff][0-9A-Za-z_\u0080-\U0010ffff]*)"
    r"|(\*\*=?|//=?|>>=?|<<=?|\.\.\.|->|[-+*/%@&|^<>=!]=|[-+*/%@&|^~<>=.])"
    r"|((?:#[^\n]{0,120}\n[ \t\f]{0,16}){1,64}|#[^\n]*|\\\n)"
    r"|([\s\S])"
)
_QUOTED_AT: Final = re.compile(_QUOTED)

# Skipping a span that is not a literal: runs of characters that neither open/close a bracket, start a
# string or comment, nor end the span, plus short strings and bracket pairs without such characters inside,
# are consumed by one regex step; the rest is handled one character at a time.
_PLAIN: Final = r"[^'\"()\[\]{},:#\\]"
_SHORT_STRINGS: Final = r"|'(?:[^'\\\n]{1,64}'|'(?!'))|\"(?:[^\"\\\n]{1,64}\"|\"(?!\"))"
_SKIP: Final = re.compile(
    r"(?:" + _PLAIN + r"{1,256}|\[" + _PLAIN + r"{0,64}\]|\(" + _PLAIN + r"{0,64}\)" + _SHORT_STRINGS + r")+"
)
_SKIP_FLAT: Final = re.compile(r"(?:" + _PLAIN + r"{1,256}" + _SHORT_STRINGS + r")+")  # near MAX_LEVEL: every bracket

_BLANKS: Final = frozenset(" \t\f\n\\")  # (a backslash in a run of group 1 is a line continuation)
_NOT_BLANK: Final = re.compile(r"[^ \t\f\n\\]")
_OPENERS: Final = {"(": ")", "[": "]", "{": "}"}
# the fields of an open container (a frame of ``_Parser.element``): closer, kind ("[", "(", "{", "s" for a set),
# items, duplicate keys seen, first failure, pending dict key, no entry yet, comma seen, and the start, sign
# and stops of the element the container sits in
_F_CLOSER, _F_KIND, _F_ITEMS, _F_DUP, _F_FAIL, _F_KEY, _F_FIRST, _F_COMMA, _F_START, _F_SIGN, _F_STOPS = range(11)
#: The stops of the first element of a container, by its opening bracket.
_FIRST_STOPS: Final = {"[": ",]", "(": ",)", "{": ":,}"}
#: The stops of an element after a comma, by the kind of its container ("s": a set).
_NEXT_STOPS: Final = {"[": ",]", "(": ",)", "{": ":,}", "s": ",}"}
_KEYWORDS: Final = frozenset(keyword.kwlist)
_CONSTANTS: Final[dict[str, Any]] = {"None": None, "True": True, "False": False}
#: A number may touch these words (tokenizer.c ``verify_end_of_number``): ``1if x else 2``.
_NUMBER_THEN_KEYWORD: Final = ("and", "else", "for", "if", "in", "is", "or", "not")

_SURROGATE: Final = re.compile("[\ud800-\udfff]")
_INVALID_ESCAPE: Final = re.compile(r"\\(?=[^\n'\"abfnrtv0-7xNuU])")
_BIG_OCTAL: Final = re.compile(r"\\([4-7][0-7][0-7])")  # (split: the groups at odd indices)
_BIG_OCTAL_AS_U: Final = {f"{v:o}": f"\\U{v:08x}" for v in range(0o400, 0o1000)}
_BAD_HEX_ESCAPE: Final = re.compile(r"\\x(?![0-9a-fA-F]{2})")
_BAD_UNDERSCORE: Final = re.compile(r"_(?![0-9])")  # an underscore of a number must sit between two digits
_BAD_HEX_UNDERSCORE: Final = re.compile(r"_(?![0-9a-fA-F])")
#: Simple strings in a row (no prefix, no escape, up to 64 characters each, blanks between): one step.
_SIMPLE_STRINGS: Final = re.compile(r"(?:(?:'(?!'')[^'\\\n]{0,64}'|\"(?!\"\")[^\"\\\n]{0,64}\")[ \t\f\n]{0,16})+")
#: The bodies of such a run (the groups of ``split``: C-level, no template expansion per string).
_SIMPLE_BODY: Final = re.compile(r"'([^'\\\n]*)'[ \t\f\n]*|\"([^\"\\\n]*)\"[ \t\f\n]*")
_DOTTED: Final = re.compile(r"[\w.]+")

# Lists and dicts written in the JSON-like subset (see :meth:`_Parser.json_literal`) are read by the standard
# library's C JSON scanner from a copy of the text with quotes and constants spelt as JSON (same length).
_JSON_DECODER: Final = json.JSONDecoder()
#: A string of such a literal, opened and closed by the same quote with no quote inside (blanked out to
#: check the rest; a quote left over means the quotes do not pair as JSON's do).
_JSON_STRING: Final = re.compile(r"'[^'\"]*'|\"[^'\"]*\"")
_JSON_EXPONENT: Final = re.compile(r"[eE][-+]?[0-9]{3}")  # (a float that might not be finite)
_JSON_EMPTY_DICT: Final = re.compile(r"\{[ \t\n]*\}")
#: Charged against a text's fast-path budget for each literal the JSON scanner could not take.
_JSON_FAILURE_COST: Final = 2048

# Runs of adjacent strings of any prefix (implicit concatenation), read a chunk at a time: the string tokens
# of ``_TOKEN`` (the alternatives of ``_QUOTED``, a group per body) with up to 16 blanks, comments (ending a
# line, up to 120 characters) or line continuations after each; a chunk holds 2 to 256 strings.
_QUOTED_BODIES: Final = (
    r"'''((?:[^'\\]|\\[\s\S]|'(?!'')){0,512})'''"
    r'|"""((?:[^"\\]|\\[\s\S]|"(?!"")){0,512})"""'
    r"|'(?!'')([^'\\\n]*)'"
    r'|"(?!"")([^"\\\n]*)"'
    r"|'(?!'')((?:[^'\\\n]|\\[\s\S]){0,512})'"
    r'|"(?!"")((?:[^"\\\n]|\\[\s\S]){0,512})"'
)
_STRING_SEP: Final = r"(?:[ \t\f\n]|\\\n|#[^\n]{0,120}(?:\n|\Z)){0,16}"
_STRING_TOKEN: Final = re.compile("(" + _PREFIX + ")(?:" + _QUOTED_BODIES + ")" + _STRING_SEP)
_STRING_RUN: Final = re.compile("(?:" + _PREFIX + "(?:" + _QUOTED + ")" + _STRING_SEP + "){2,256}")
_STRING_BODIES: Final = itemgetter(1, 2, 3, 4, 5, 6)
#: What a string prefix makes of its string: text, raw text, bytes, raw bytes, f-string.
_PREFIX_KIND: Final = {
    p: (
        "f"
        if "f" in p.lower()
        else "rb"
        if "b" in p.lower() and "r" in p.lower()
        else "b"
        if "b" in p.lower()
        else "r"
        if "r" in p.lower()
        else "t"
    )
    for p in [
        "",
        "r",
        "u",
        "R",
        "U",
        "b",
        "B",
        "f",
        "F",
        *(a + b for a in "rR" for b in "bBfF"),
        *(a + b for a in "bBfF" for b in "rR"),
    ]
}
#: Joins the bodies of a chunk of strings for one decode, and is taken out after: a lone surrogate, which
#: the text never holds (``decode_pythonic`` answers ``invalid_unicode`` first) and which ends an escape
#: the way the end of a body does (no hex or octal digit, no ``}``).
_JOIN: Final = "\udfff"

# -- nodes: (kind, value, findings, first failure code or None) ----------------------------------------
# findings: bits of what was met inside that is no failure: _DUP (a dict repeated a key: ``duplicate_keys``),
# _BARE (a bare name read as the string it spells: ``pythonic_bare_name``)

_NUMBER, _STRING, _CONST, _OTHER, _SIGNED, _LIST, _TUPLE, _DICT = range(8)
_DUP: Final = 1
_BARE: Final = 2
Node: TypeAlias = "tuple[int, Any, int, str | None]"
_NOT_LITERAL: Final[Node] = (_OTHER, None, False, _NOT_CALL)
#: The same outcome for an element that was skipped unparsed (told apart by identity): what follows it in its
#: container or argument list cannot change the outcome and is skipped too.
_SKIPPED: Final[Node] = (_OTHER, None, False, _NOT_CALL)
_UNPACKED: Final[Node] = (_OTHER, None, False, _NOT_CALL)  # a ``**`` entry of a dict (the rest skipped)
#: What :meth:`_Parser.fold_dict` returns for a key followed by its colon (told apart by identity).
_KEY_READ: Final[Node] = (_OTHER, None, False, None)
#: The node of each constant name (``None``, ``True``, ``False``).
_CONSTANT_NODES: Final[dict[str, Node]] = {name: (_CONST, value, False, None) for name, value in _CONSTANTS.items()}
#: The node kind of a container that ends with no outcome decided before, by its kind (a set: not a literal).
_CONTAINER_NODE_KIND: Final = {"[": _LIST, "(": _TUPLE, "{": _DICT}

#: One decoded item: ``(name, arguments or None, violation codes)``, or ``None`` for an item that is not a call.
Item: TypeAlias = "tuple[str, dict[str, Any] | None, list[str]] | None"


@lru_cache(maxsize=16)
def int_bound(digits: int) -> int:
    """Smallest integer with ``digits + 1`` digits."""
    return int(10 ** max(digits, 0))  # (int(): mypy types int ** int as Any)


@lru_cache(maxsize=16)
def long_digit_run(max_digits: int) -> re.Pattern[str]:
    """A run of more than ``max_digits`` decimal digits."""
    return re.compile(rf"\d{{{max_digits + 1},}}")


class _Fail(Exception):
    """The text is not Python as far as it was read: ``ast.parse`` refused it."""


class _OverBudget(Exception):
    """More adjacent string literals than ``MAX_STRING_LITERALS``: the outcome is ``over_budget``."""


#: Most string literals one text may hold in runs of implicit concatenation (``'a' 'b'``; a run of one does not
#: count): each costs 0.2-0.5 microseconds, so 100,000 of them took 20-50 ms. No model writes thousands.
MAX_STRING_LITERALS: Final = 10_000


#: The body of a string literal by its delimiter, up to 256 runs and escapes per step (see :func:`_string_end`).
_BODY_STEP: Final = {
    "'": re.compile(r"(?:[^'\\\n]+|\\[\s\S]){1,256}"),
    '"': re.compile(r'(?:[^"\\\n]+|\\[\s\S]){1,256}'),
    "'''": re.compile(r"(?:[^'\\]+|\\[\s\S]|'(?!'')){1,256}"),
    '"""': re.compile(r'(?:[^"\\]+|\\[\s\S]|"(?!"")){1,256}'),
}


def _string_end(text: str, q: int) -> int:
    """End of the string literal whose opening quote is at ``q`` (after any prefix), or -1 when it is never
    closed, as tokenizer.c reads it: a backslash escapes the next character, and a single-quoted string
    cannot hold an unescaped newline. Bounded regex steps (up to 256 runs of plain characters and escapes
    each, never backtracking): linear."""
    quote = text[q]
    delim = quote * 3 if text.startswith(quote * 3, q) else quote
    step = _BODY_STEP[delim]
    i = q + len(delim)
    while True:
        m = step.match(text, i)
        if m is None:
            break
        i = m.end()
    return i + len(delim) if text.startswith(delim, i) else -1


def _skip_quoted_or_comment(text: str, pos: int) -> int:
    """In a span skipped unparsed (:meth:`_Parser.skip`): the end of the string, comment or line continuation
    at ``pos``. A string never closed, or a backslash that continues no line, is :class:`_Fail`."""
    ch = text[pos]
    if ch == "'" or ch == '"':
        q = _QUOTED_AT.match(text, pos)
        end = q.end() if q is not None else _string_end(text, pos)
        if end < 0:
            raise _Fail
        return end
    if ch == "#":
        nl = text.find("\n", pos)
        return len(text) if nl < 0 else nl
    if text.startswith("\\\n", pos):
        return pos + 2
    raise _Fail


def _unescape(body: str) -> str:
    """Decode the escapes of a non-raw ``str`` literal's body exactly as CPython's parser does.

    CPython hands the body (non-ASCII characters as ``\\U`` escapes) to the ``unicode_escape`` codec, which
    keeps an invalid escape (``\\d``, ``\\é``) verbatim with a warning. Here escaped backslashes and the
    backslash of every invalid escape become ``\\\\`` first (NUL marks them in between: NUL never occurs
    in the text), octal escapes above 0o377 become ``\\U`` escapes (same value, no warning), non-ASCII
    characters ``\\x``/``\\u``/``\\U`` escapes, and the codec decodes the rest: no warning, same value, same
    errors. Each step is one pass in C."""
    # Every backslash left once NUL marks the escaped ones starts an escape: only those can be big octals
    # (``\\\\777`` is a backslash and ``777``).
    marked = _INVALID_ESCAPE.sub("\x00", body.replace("\\\\", "\x00"))
    if "\\" in marked and _BIG_OCTAL.search(marked) is not None:
        pieces = _BIG_OCTAL.split(marked)  # (no Python call per escape: a table lookup mapped in C)
        pieces[1::2] = map(_BIG_OCTAL_AS_U.__getitem__, pieces[1::2])
        marked = "".join(pieces)
    marked = marked.replace("\x00", "\\\\")
    try:
        return codecs.decode(marked.encode("ascii", "backslashreplace"), "unicode_escape")
    except UnicodeDecodeError:
        raise _Fail from None


def _without_underscores(tok: str) -> str:
    """The digits of a decimal number token written with underscores, each of which must sit between two
    digits (else "invalid decimal literal": :class:`_Fail`)."""
    if _BAD_UNDERSCORE.search(tok) is not None:
        raise _Fail
    return tok.replace("_", "")


def _identifier(name: str) -> str:
    """A NAME token as the parser stores it: checked like tokenizer.c, NFKC-normalised like pegen."""
    if name.isascii():
        return name
    if not name.isidentifier():
        raise _Fail
    return unicodedata.normalize("NFKC", name)


class _Parser:
    """One pass over the text: a token at a time where literals are read, a regex step where they are not."""

    __slots__ = (
        "bound",
        "end",
        "int_cap",
        "it",
        "json_budget",
        "json_digits",
        "json_text",
        "kind",
        "level",
        "literals_left",
        "max_digits",
        "n",
        "ri",
        "rpos",
        "run",
        "spans",
        "text",
        "tok",
        "too_deep",
        "tstart",
    )

    def __init__(self, text: str, limits: Limits, spans: list[tuple[int, int, str]] | None) -> None:
        self.text = text
        self.n = len(text)
        self.max_digits = limits.max_int_digits
        self.bound = int_bound(limits.max_int_digits)
        self.int_cap = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 0
        self.level = 0
        self.too_deep = False
        # the JSON fast path: only where the caller's depth check keeps literals below MAX_LEVEL, and while the
        # literals it could not take have cost less than about one more reading of the text
        self.json_budget = self.n + 16 * _JSON_FAILURE_COST if limits.max_depth < MAX_LEVEL else -1
        self.json_digits = long_digit_run(min(limits.max_int_digits, 200))
        self.json_text: str | None = None
        self.literals_left = MAX_STRING_LITERALS  # (strings in runs of two or more)
        self.spans = spans
        self.kind = _EOF
        self.tok = ""
        self.tstart = self.end = 0
        self.seek(0)

    # -- tokens ------------------------------------------------------------------------------------

    def seek(self, pos: int) -> None:
        """Read tokens from ``pos`` on."""
        self.it = _TOKEN.finditer(self.text, pos)
        self.run = ""
        self.ri = 0
        self.rpos = pos
        self.advance()

    def advance(self) -> None:
        """Move to the next token that is not blank (a bracket, comma or colon of a run is one token)."""
        run = self.run
        ri = self.ri
        if ri < len(run):  # the common case: the next character of a run of brackets, commas and colons
            ch = run[ri]
            if ch not in _BLANKS:
                self.ri = ri + 1
                self.tok = ch
                return
        while True:
            if ri < len(run):
                m = _NOT_BLANK.search(run, ri)  # (one step over a long run of blanks)
                if m is not None:
                    self.ri = m.end()
                    self.kind = _STRUCT
                    self.tok = m.group()
                    return
            m = next(self.it, None)
            if m is None:
                self.run = ""
                self.kind = _EOF
                self.tok = ""
                self.tstart = self.end = self.n
                return
            kind = m.lastindex
            if kind == _STRUCT:
                run = m.group()
                ri = 0
                self.run = run
                self.rpos = m.start()
                continue
            if kind == _BLANK:
                continue
            if kind == _LONG:  # a long string with escapes, or one never closed
                self.run = ""
                self.ri = 0
                self.tstart = start = m.start()
                end = _string_end(self.text, m.end() - 1)
                if end < 0:
                    self.kind = _ERR
                    self.tok = m.group()
                    self.end = m.end()
                    return
                self.kind = _STR
                self.tok = self.text[start:end]
                self.end = end
                self.it = _TOKEN.finditer(self.text, end)
                return
            self.run = ""
            self.ri = 0
            self.kind = kind  # type: ignore[assignment]
            self.tok = m.group()
            self.tstart = m.start()
            self.end = m.end()
            return

    @property
    def start(self) -> int:
        """Where the current token starts."""
        return self.rpos + self.ri - 1 if self.kind == _STRUCT else self.tstart

    def at(self, ch: str) -> bool:
        return self.kind == _STRUCT and self.tok == ch

    def open(self) -> None:
        if self.level >= MAX_LEVEL:
            raise _Fail
        self.level += 1

    def close(self) -> None:
        self.level -= 1
        self.advance()

    # -- skipping what is not a literal -------------------------------------------------------------

    def skip(self, pos: int, stops: str, open_groups: int = 0) -> int:
        """End of the span starting at ``pos``: the first ``stops`` character outside brackets (strings and
        comments are read as tokens, brackets must match). An empty span is an error."""
        text = self.text
        n = self.n
        stack = [")"] * open_groups
        level = self.level - open_groups  # (the open groups are on the stack)
        begin = pos
        while True:
            m = (_SKIP if level + len(stack) < MAX_LEVEL else _SKIP_FLAT).match(text, pos)
            if m is not None:
                pos = m.end()
            if pos >= n:
                raise _Fail
            ch = text[pos]
            if not stack and ch in stops:  # (every stop is a comma, a colon or a closing bracket)
                break
            if ch in _OPENERS:
                if level + len(stack) >= MAX_LEVEL:
                    raise _Fail
                stack.append(_OPENERS[ch])
                pos += 1
            elif ch in ")]}":
                if not stack or stack.pop() != ch:
                    raise _Fail
                pos += 1
            elif ch == "," or ch == ":":
                pos += 1
            else:
                pos = _skip_quoted_or_comment(text, pos)
        if pos == begin:
            raise _Fail
        return pos

    def skip_element(self, start: int, stops: str) -> Node:
        """The element that began at ``start`` is not a literal: skip it from the current token."""
        end = self.skip(self.start, stops)
        if self.spans is not None:
            self.spans.append((start, end, "_()"))  # (a call: not a literal, nor a bare name)
        self.seek(end)
        return _SKIPPED

    def skip_rest(self, closer: str, stand_in: str = "") -> None:
        """After a skipped element: skip the rest of its container or argument list, up to ``closer``. (Its
        outcome is decided, and a comma there may belong to the skipped expression: ``lambda x, y: 1``,
        ``{k: v for k, v in d}``.) ``stand_in``: what the tests put in place of the rest."""
        if not self.at(closer):
            end = self.skip(self.start, closer)
            if self.spans is not None:
                self.spans.append((self.start, end, stand_in))
            self.seek(end)
        elif stand_in and self.spans is not None:
            self.spans.append((self.start, self.start, stand_in))

    # -- literals ----------------------------------------------------------------------------------

    def element(self, stops: str, star_ok: bool = False) -> Node:
        """One element (a value up to the next ``stops`` character): its literal node, or ``_NOT_LITERAL`` /
        ``_SKIPPED``. The current token is then that character.

        Iterative: ``frames`` holds the open lists, tuples and dicts, each with the state of the element it
        sits in (start, sign, stops), so nesting costs no recursion. A state machine split by state: here the
        start of an element (an optional sign, then an atom; a scalar, a constant or a literal the JSON scanner
        reads stays in this loop), :meth:`open_bracket` for a container read token by token,
        :meth:`other_atom` for what is not a literal, :meth:`operand_end` for an element that goes on past its
        atom or carries a sign, and :meth:`in_container` for what follows an element inside a container."""
        frames: list[list[Any]] = []
        spans = self.spans is not None  # (element starts matter only for the spans the tests read)
        start = self.start if spans else 0
        sign = ""
        while True:
            kind = self.kind
            if kind == _OP and (self.tok == "-" or self.tok == "+"):
                sign = self.tok
                self.advance()
                kind = self.kind
            tok = self.tok
            if kind == _STR:
                node = self.strings()
            elif kind == _NUM:
                node = self.number()
            elif kind == _NAME and tok in _CONSTANTS:
                node = _CONSTANT_NODES[tok]
                self.advance()
            elif kind == _STRUCT:
                fast = self.json_literal() if tok != "(" and self.json_budget > 0 else None
                if fast is None:
                    opened = self.open_bracket(tok, frames, start, sign, stops)
                    if opened is None:  # the first element of the container starts
                        start = self.start if spans else 0
                        sign = ""
                        stops = _FIRST_STOPS[tok]
                        star_ok = True
                        continue
                    node = opened
                else:
                    node = fast
            else:
                node = self.other_atom(kind, tok, frames, start, stops, star_ok, sign)
            # -- after an atom: the element ends here, or it is an expression (skipped) ---------------------
            if node is not _SKIPPED and (self.kind != _STRUCT or self.tok not in stops or sign):
                node = self.operand_end(node, start, stops, sign)
            if not frames:
                return node
            following = self.in_container(frames, node)
            if not isinstance(following, str):  # the outermost container ended: it was the element
                return following
            start = self.start if spans else 0
            sign = ""
            stops = following
            star_ok = frames[-1][_F_KIND] != "{"

    def open_bracket(self, tok: str, frames: list[list[Any]], start: int, sign: str, stops: str) -> Node | None:
        """The bracket ``tok`` opens a container read token by token: its node when it is empty (``[]``,
        ``()``, ``{}``), else ``None`` with its frame pushed on ``frames`` (which keeps the ``start``, ``sign``
        and ``stops`` of the element it sits in). Any other bracket, comma or colon is :class:`_Fail`."""
        closer = _OPENERS.get(tok)
        if closer is None:
            raise _Fail  # nothing where a value should be
        if self.level >= MAX_LEVEL:
            raise _Fail
        self.level += 1
        self.advance()
        if not (self.kind == _STRUCT and self.tok == closer):
            frames.append([closer, tok, {} if tok == "{" else [], 0, None, None, True, False, start, sign, stops])
            return None
        self.level -= 1
        self.advance()
        return (
            (_LIST, [], False, None)
            if tok == "["
            else (_TUPLE, [], False, None)
            if tok == "("
            else (_DICT, {}, False, None)
        )

    def other_atom(
        self, kind: int, tok: str, frames: list[list[Any]], start: int, stops: str, star_ok: bool, sign: str
    ) -> Node:
        """An atom that is not a literal: a ``**`` entry of a dict (``_UNPACKED``, the rest of the dict
        skipped), ``...`` (``_NOT_LITERAL``), a name, a keyword or an operator (the element skipped:
        ``_SKIPPED``); a misplaced ``*`` or ``**``, or what is not Python, is :class:`_Fail`."""
        if kind == _NAME:
            name = _identifier(tok)
            if not sign and tok not in _KEYWORDS:
                here = self.start
                self.advance()
                spelled = self.subscripts(name)
                if spelled is not None and self.kind == _STRUCT and self.tok in stops:
                    # a bare name, or one subscripted by literals: the string it spells, as BFCL reads it
                    return (_STRING, spelled, _BARE, None)
                self.seek(here)
            return self.skip_element(start, stops)  # a keyword (lambda, not, ...), a name in an expression
        if kind != _OP:
            raise _Fail
        if tok == "**" and not sign and frames and frames[-1][_F_KIND] == "{" and frames[-1][_F_KEY] is None:
            frame = frames[-1]  # {**d, ...}: a dict, not a literal
            self.advance()
            self.skip_element(self.start, ",}")
            self.skip_rest("}")
            if frame[_F_FAIL] is None:
                frame[_F_FAIL] = _NOT_CALL
            return _UNPACKED
        if tok == "**" or (tok == "*" and (sign or not star_ok)):
            raise _Fail
        if tok != "...":
            return self.skip_element(start, stops)  # starred, unary chains, ...
        self.advance()
        return _NOT_LITERAL  # Ellipsis: a constant, not a literal here

    def subscripts(self, name: str) -> str | None:
        """After a bare name: its subscripts by a string or an integer, ``data['sales'][0]``, as ``ast.unparse``
        spells them (what BFCL's decoder makes of a subscript), or ``None`` for any other subscript. The current
        token is then the one after them."""
        spelled = name
        while self.kind == _STRUCT and self.tok == "[":
            self.advance()
            kind = self.kind
            if kind == _STR:
                node = self.strings()
            elif kind == _NUM:
                node = self.number()
            else:
                return None
            if node[0] not in (_STRING, _NUMBER) or node[3] is not None or type(node[1]) not in (str, int):
                return None
            if not (self.kind == _STRUCT and self.tok == "]"):
                return None
            self.advance()
            spelled = f"{spelled}[{node[1]!r}]"
        return spelled

    def operand_end(self, node: Node, start: int, stops: str, sign: str) -> Node:
        """The element of the atom ``node`` (read, not skipped) when the current token is not one of its
        ``stops`` (an expression goes on: skipped; two operands in a row, or the end of the text:
        :class:`_Fail`) or when a sign came before it (a signed number, else ``_NOT_LITERAL``)."""
        kind = self.kind
        if kind != _STRUCT or self.tok not in stops:
            if kind == _NUM or kind == _STR or kind == _ERR or kind == _EOF:
                raise _Fail  # two operands in a row, or the text ends
            if kind == _NAME and self.tok not in _KEYWORDS:
                raise _Fail
            return self.skip_element(start, stops)  # an operator, a call, `if`, `for`, ...
        if node[0] != _NUMBER:  # -(1,), -True, - -1: a unary operation on something else
            return _NOT_LITERAL
        if sign == "-" and node[3] is None:
            return (_SIGNED, -node[1], False, None)
        return (_SIGNED, node[1], False, node[3])

    def in_container(self, frames: list[list[Any]], node: Node) -> Node | str:
        """After the element ``node`` of the innermost open container: the ``stops`` of the element that
        follows in a container (after a comma, or after a dict key and its colon), or, once the outermost
        container has ended, the node of the element it is. Each container that ends here becomes the atom of
        the element it sits in (checked by :meth:`operand_end` as such)."""
        while True:
            frame = frames[-1]
            closing = _FOLDS[frame[_F_KIND]](self, frame, node)  # the container's node when it ends here
            if closing is _KEY_READ:  # a dict key and its colon: the value follows
                return ",}"
            if closing is None and self.tok == ",":
                frame[_F_COMMA] = True
                self.advance()
                if not (self.kind == _STRUCT and self.tok == frame[_F_CLOSER]):
                    return _NEXT_STOPS[frame[_F_KIND]]
            if closing is None:
                node_kind = _CONTAINER_NODE_KIND.get(frame[_F_KIND])
                closing = (
                    _NOT_LITERAL if node_kind is None else (node_kind, frame[_F_ITEMS], frame[_F_DUP], frame[_F_FAIL])
                )
            # the container ends: its node is the atom of the element it sits in
            self.level -= 1
            self.advance()
            frames.pop()
            start, sign, stops = frame[_F_START], frame[_F_SIGN], frame[_F_STOPS]
            node = closing
            if self.kind != _STRUCT or self.tok not in stops or sign:
                node = self.operand_end(node, start, stops, sign)
            if not frames:
                return node

    def fold_dict(self, frame: list[Any], node: Node) -> Node | None:
        """Add the element ``node`` to the dict ``frame``: as a key (``_KEY_READ`` once its colon is read;
        :meth:`odd_dict_key` for the rest) or as the value of the pending key (the first failure in source
        order is kept). Returns the node of the container when it is decided here, else ``None``."""
        key = frame[_F_KEY]
        if key is None and node is not _UNPACKED:  # the element was a key
            if node is not _SKIPPED and self.tok == ":":
                frame[_F_KEY] = node
                self.advance()
                return _KEY_READ
            return self.odd_dict_key(frame, node)
        if key is not None:  # the element was the value of ``key``
            frame[_F_KEY] = None
            if node is _SKIPPED:
                self.skip_rest("}")
            if frame[_F_FAIL] is None:
                if key[0] != _STRING:
                    frame[_F_FAIL] = _NOT_CALL
                elif key[3] is not None:
                    frame[_F_FAIL] = key[3]
                else:
                    out = frame[_F_ITEMS]
                    frame[_F_DUP] |= node[2] | key[2] | (_DUP if key[1] in out else 0)
                    if node[3] is not None:
                        frame[_F_FAIL] = node[3]
                    else:
                        out[key[1]] = node[1]
        frame[_F_FIRST] = False
        return None

    def odd_dict_key(self, frame: list[Any], node: Node) -> Node | None:
        """A key of the dict ``frame`` not followed by a colon, or skipped: a set (``{1, 2}``; the frame
        becomes one), a dict or set that is not a literal (``{k: v for ...}``, ``{f(x)}``: ``_NOT_LITERAL``
        when it decides the container's node), or :class:`_Fail` (``{1: 2, 3}``)."""
        first = frame[_F_FIRST]
        closing = None
        if node is _SKIPPED:  # a dict, a set or a comprehension: not a literal either way
            self.skip_rest("}", ":_()" if not first or self.tok == ":" else "")
            if first:
                closing = _NOT_LITERAL
            elif frame[_F_FAIL] is None:  # (a dict: an earlier failure comes first)
                frame[_F_FAIL] = _NOT_CALL
        elif first:  # {1, 2}: a set (or a set comprehension), never a literal here
            frame[_F_KIND] = "s"
        else:  # {1: 2, 3}
            raise _Fail
        frame[_F_FIRST] = False
        return closing

    def fold_set(self, frame: list[Any], node: Node) -> None:
        """Add the element ``node`` to the set ``frame`` (never a literal: only its end is looked for)."""
        if node is _SKIPPED:
            self.skip_rest("}")

    def fold_sequence(self, frame: list[Any], node: Node) -> Node | None:
        """Add the element ``node`` to the list, tuple or group ``frame``; returns the node of the container
        when it is decided here (``(x)`` is ``x``; a skipped ``(x + y)`` is ``_NOT_LITERAL``), else ``None``."""
        if node is _SKIPPED:
            self.skip_rest(frame[_F_CLOSER])
            if frame[_F_KIND] == "(" and not frame[_F_COMMA]:
                return _NOT_LITERAL
        elif frame[_F_KIND] == "(" and not frame[_F_COMMA] and self.tok == ")":
            return node  # (x): x itself
        if frame[_F_FAIL] is None:
            frame[_F_DUP] |= node[2]
            if node[3] is not None:
                frame[_F_FAIL] = node[3]
            else:
                frame[_F_ITEMS].append(node[1])
        return None

    def json_literal(self) -> Node | None:
        """The list or dict that opens at the current token when it is written in the subset both languages
        read alike (lists and dicts, strings without prefix, backslash or the other quote inside, numbers as
        JSON writes them, ``None``/``True``/``False``: no tuple, no trailing comma); ``None`` otherwise, the
        token unmoved. The C JSON scanner reads it from ``json_text`` (the text with ``'`` as ``"`` and the
        constants as ``null``/``true``/``false``: same offsets); then the span it read is checked, with its
        strings blanked out: no backslash, every quote paired with its like, no ``null``/``true``/``false``
        name of the text, no constant inside a string (spelt anew there too), no digit run longer than the
        integer limit (or 200) and no three-digit exponent (so every float is finite); duplicate keys are
        looked for (a second read) only where some dict has two keys. Each check is a C pass over the span;
        a literal that fails costs what was read of it, charged to ``json_budget`` (the fast path stops once
        it is spent): linear."""
        start = self.start
        if self.json_text is None:
            self.json_text = (
                self.text.replace("'", '"').replace("None", "null").replace("True", "true").replace("False", "false")
            )
        try:
            value, end = _JSON_DECODER.raw_decode(self.json_text, start)
        except json.JSONDecodeError as exc:
            self.json_budget -= exc.pos - start + _JSON_FAILURE_COST
            return None
        except (ValueError, RecursionError):  # (an integer CPython does not convert; a caller deep in its stack)
            self.json_budget -= self.n
            return None
        span = self.text[start:end]
        blank = _JSON_STRING.sub("_", span) if ("'" in span or '"' in span) else span
        if (
            "\\" in span
            or "'" in blank
            or '"' in blank  # escapes; quotes that do not pair
            or "null" in blank
            or "true" in blank
            or "false" in blank  # names, not constants
            or ("None" in span and span.count("None") != blank.count("None"))  # constants inside strings
            or ("True" in span and span.count("True") != blank.count("True"))
            or ("False" in span and span.count("False") != blank.count("False"))
            or self.json_digits.search(blank) is not None
            or _JSON_EXPONENT.search(blank) is not None
        ):
            self.json_budget -= end - start + _JSON_FAILURE_COST
            return None
        dup = False
        if "{" in blank and blank.count(":") != blank.count("{") - len(_JSON_EMPTY_DICT.findall(blank)):
            seen: list[bool] = []

            def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
                out = dict(items)
                if len(out) < len(items):
                    seen.append(True)
                return out

            value = json.JSONDecoder(object_pairs_hook=pairs).raw_decode(self.json_text, start)[0]
            dup = bool(seen)
        self.seek(end)
        return (_LIST if type(value) is list else _DICT, value, dup, None)

    def strings(self) -> Node:
        """Adjacent string tokens (implicit concatenation). Runs that :meth:`string_run` reads are taken in one
        step; the others are read one token at a time (a string with a ``b`` or ``f`` prefix by
        :meth:`bytes_or_fstring`)."""
        parts: list[str] = []
        flags = [False, False, False]  # bytes, text, f-string seen
        slow = 0  # tokens read one at a time below
        while self.kind == _STR:
            tok = self.tok
            end = self.end
            lone = end < self.n and self.text[end] in ",)]}:"  # (the common case: no run to try)
            if not lone and self.string_run(parts, flags):
                continue
            i = 0
            while tok[i] not in "'\"":
                i += 1
            prefix = tok[:i].lower()
            q = 3 if tok.startswith(tok[i] * 3, i) and len(tok) - i >= 6 else 1
            body = tok[i + q : len(tok) - q]
            if "b" in prefix or "f" in prefix:
                self.bytes_or_fstring(prefix, body, flags)
            else:
                flags[1] = True
                parts.append(body if "r" in prefix or "\\" not in body else _unescape(body))
            self.advance()
            slow += 1
            if slow >= 2:  # (a run of one is not counted: the second counts for both)
                self.count_literals(2 if slow == 2 else 1)
        has_bytes, has_text, has_f = flags
        if has_bytes or has_f:
            if has_bytes and (has_text or has_f):  # "cannot mix bytes and nonbytes literals"
                raise _Fail
            return _NOT_LITERAL
        value = parts[0] if len(parts) == 1 else "".join(parts)
        if not value.isascii() and _SURROGATE.search(value) is not None:
            return (_STRING, value, False, "invalid_unicode")
        return (_STRING, value, False, None)

    def string_run(self, parts: list[str], flags: list[bool]) -> bool:
        """From the current string token, a run of adjacent strings read in one step, if there is one: several
        simple strings (no prefix, no escape: ``_SIMPLE_STRINGS``, their bodies joined at once), or 2 to 256
        strings that ``_STRING_RUN`` reads (:meth:`string_chunk`; not where the tests' spans record each
        f-string). Returns whether a run was read (the tokens then follow it)."""
        start = self.start
        if self.tok[0] in "'\"" and not flags[0]:
            run = _SIMPLE_STRINGS.match(self.text, start)
            pieces = _SIMPLE_BODY.split(run.group()) if run is not None and run.end() > self.end else []
            if len(pieces) > 4:  # several simple strings (3 pieces each): their bodies in one step
                self.count_literals(len(pieces) // 3)
                parts.append("".join(filter(None, pieces)))
                flags[1] = True
                self.seek(run.end())  # type: ignore[union-attr]
                return True
        if self.spans is None:
            chunk = _STRING_RUN.match(self.text, start)
            if chunk is not None:
                toks = _STRING_TOKEN.findall(self.text, start, chunk.end())
                self.count_literals(len(toks))
                self.string_chunk(toks, parts, flags)
                self.seek(chunk.end())
                return True
        return False

    def bytes_or_fstring(self, prefix: str, body: str, flags: list[bool]) -> None:
        """One string token with a ``b`` prefix (checked as tokenizer.c checks it: ASCII only, no broken
        ``\\x`` escape unless raw) or an ``f`` prefix (never parsed; its span recorded for the tests):
        neither is a literal here, ``flags`` records which was seen."""
        if "b" in prefix:
            flags[0] = True
            if not body.isascii():  # "bytes can only contain ASCII literal characters"
                raise _Fail
            if "r" not in prefix and "\\" in body and _BAD_HEX_ESCAPE.search(body.replace("\\\\", "\x00")):
                raise _Fail
        else:
            flags[2] = True
            if self.spans is not None:
                self.spans.append((self.start, self.end, "f''"))

    def count_literals(self, k: int) -> None:
        """``k`` more string literals in runs; past ``MAX_STRING_LITERALS``, :class:`_OverBudget`."""
        self.literals_left -= k
        if self.literals_left < 0:
            raise _OverBudget

    @staticmethod
    def string_chunk(toks: list[tuple[str, ...]], parts: list[str], flags: list[bool]) -> None:
        """A chunk of adjacent strings (``_STRING_TOKEN.findall``: prefix and bodies of each), checked and
        decoded as :meth:`strings` does one token at a time, in a constant number of C-level passes: the text
        bodies are joined by ``_JOIN`` and decoded at once (escapes never cross a body's end, and ``_JOIN`` ends
        one as that end does), then ``_JOIN`` is taken out."""
        prefixes = list(map(itemgetter(0), toks))
        distinct = set(prefixes)
        kinds = {_PREFIX_KIND[p] for p in distinct}
        bodies = list(map("".join, toks if distinct == {""} else map(_STRING_BODIES, toks)))
        if "b" in kinds or "rb" in kinds:
            flags[0] = True
            if not kinds <= {"b", "rb"} or flags[1] or flags[2]:
                raise _Fail  # "cannot mix bytes and nonbytes literals" (decided at the end: the same outcome)
            if not "".join(bodies).isascii():
                raise _Fail  # "bytes can only contain ASCII literal characters"
            cooked = (
                bodies
                if "rb" not in kinds
                else [b for p, b in zip(prefixes, bodies, strict=True) if _PREFIX_KIND[p] == "b"]
            )
            joined = " ".join(cooked)  # (a space ends a \x escape as the end of a body does)
            if "\\" in joined and _BAD_HEX_ESCAPE.search(joined.replace("\\\\", "\x00")):
                raise _Fail
            return
        if flags[0]:
            raise _Fail  # bytes, then text or f-strings
        if "f" in kinds:
            flags[2] = True
        if "t" not in kinds and "r" not in kinds:
            return
        flags[1] = True
        if kinds == {"r"}:
            parts.append("".join(bodies))
            return
        if kinds != {"t"}:  # raw bodies with their backslashes escaped decode to themselves; f-strings left out
            bodies = [
                b if k == "t" else b.replace("\\", "\\\\")
                for k, b in zip(map(_PREFIX_KIND.__getitem__, prefixes), bodies, strict=True)
                if k != "f"
            ]
        joined = _JOIN.join(bodies)
        if "\\" not in joined:
            parts.append("".join(bodies))
            return
        decoded = _unescape(joined)
        if decoded.count(_JOIN) == len(bodies) - 1:
            parts.append(decoded.replace(_JOIN, ""))
        else:  # an escape (\udfff) gave that surrogate too: invalid_unicode either way, and its value is not read
            parts.append(decoded)

    def number(self) -> Node:
        """A number token, checked as tokenizer.c checks it."""
        tok = self.tok
        end = self.end
        if end < self.n:
            c = self.text[end]
            if (c.isascii() and (c.isalnum() or c == "_")) or c >= "\x80":
                if not self.text.startswith(_NUMBER_THEN_KEYWORD, end):
                    raise _Fail  # "invalid decimal literal" and the like
        self.advance()
        if len(tok) > 1 and tok[0] == "0" and tok[1] in "xXoObB":
            return self.prefixed_integer(tok)
        if tok[-1] in "jJ":
            return _NOT_LITERAL  # an imaginary number: a constant, not a literal here
        digits = _without_underscores(tok) if "_" in tok else tok
        if "." in tok or "e" in tok or "E" in tok:
            f = float(digits)
            return (_NUMBER, f, False, None if math.isfinite(f) else "nonfinite_number")
        if digits[0] == "0":
            if digits.strip("0"):  # "leading zeros in decimal integer literals are not permitted"
                raise _Fail
            return (_NUMBER, 0, False, None)
        if 0 < self.int_cap < len(digits):
            raise _Fail  # CPython refuses to convert it: ast.parse failed
        if len(digits) > self.max_digits:
            return (_NUMBER, None, False, "number_too_large")
        return (_NUMBER, int(digits), False, None)

    def prefixed_integer(self, tok: str) -> Node:
        """A hexadecimal, octal or binary integer token (``0x1F``, ``0o17``, ``0b1_01``)."""
        if "_" in tok and _BAD_HEX_UNDERSCORE.search(tok, 2) is not None:
            raise _Fail
        value = int(tok.replace("_", ""), 0)
        return (_NUMBER, value, False, "number_too_large" if abs(value) >= self.bound else None)

    # -- calls -------------------------------------------------------------------------------------

    def name_part(self) -> str:
        if self.kind != _NAME or self.tok in _KEYWORDS:
            raise _Fail
        name = _identifier(self.tok)
        self.advance()
        return name

    def item(self, stops: str) -> Item:
        """One item of the list (``stops`` = ",]") or the lone call (``stops`` = ""): a decoded call, or
        ``None`` when it is not a call of a dotted name (then skipped to its end in a list)."""
        start = self.start
        if self.kind == _EOF or (self.kind == _STRUCT and self.tok in ",)]}:"):
            raise _Fail  # nothing where an item should be
        groups = 0
        while self.at("("):
            self.open()
            groups += 1
            self.advance()
        if self.kind == _NAME and self.tok not in _KEYWORDS:
            parts, groups = self.called_name(groups)
            if self.at("("):
                call = self.arguments(".".join(parts))
                while groups and self.at(")"):
                    groups -= 1
                    self.close()
                if not groups and (not stops or (self.kind == _STRUCT and self.tok in stops)):
                    return call
        if stops and not (groups == 0 and self.kind == _STRUCT and self.tok in stops):
            end = self.skip(self.start, stops, groups)
            self.level -= groups
            if self.spans is not None:
                self.spans.append((start, end, "_"))
            self.seek(end)
        return None

    def called_name(self, groups: int) -> tuple[list[str], int]:
        """The parts of the dotted name at the current token (a run written without blanks in one regex step,
        else part by part; parenthesised as Python allows: ``(f)``, ``(a.b).c``, with ``groups`` parentheses
        open before it) and the number of them left open after it. Two operands in a row are
        :class:`_Fail`; more parts than ``MAX_NAME_PARTS`` make the text ``nesting_too_deep``."""
        run = _DOTTED.match(self.text, self.start)
        parts = None
        if run is not None and run.end() > self.end:
            end = run.end()
            names = run.group().split(".")
            if (
                all(names)
                and all(p.isidentifier() for p in names)
                and _KEYWORDS.isdisjoint(names)
                and not (end < self.n and self.text[end] >= "\x80")
            ):
                self.seek(end)
                parts = names if run.group().isascii() else [unicodedata.normalize("NFKC", p) for p in names]
        if parts is None:
            parts = [self.name_part()]
        while True:
            if self.kind == _OP and self.tok == ".":
                self.advance()
                parts.append(self.name_part())
            elif groups and self.at(")"):
                groups -= 1
                self.close()
            else:
                break
        kind = self.kind
        if kind == _NUM or kind == _STR or (kind == _NAME and self.tok not in _KEYWORDS):
            raise _Fail  # two operands in a row
        if len(parts) > MAX_NAME_PARTS:  # CPython's AST builder would run out of recursion
            self.too_deep = True
        return parts, groups

    def arguments(self, name: str) -> Item:
        """The arguments of a call (the current token is its ``(``), evaluated as the old literal walk did
        (:func:`_call_outcome`)."""
        self.open()
        self.advance()
        keywords: list[tuple[str | None, Node]] = []
        positional = seen_keyword = seen_unpack = False
        while not self.at(")"):
            if self.kind == _OP and (self.tok == "**" or self.tok == "*"):
                if self.unpacked_argument(seen_unpack):
                    seen_unpack = True
                    keywords.append((None, _NOT_LITERAL))
                else:
                    positional = True
            else:
                start = self.start
                key = None
                if self.kind == _NAME:
                    word = self.tok
                    self.advance()
                    if self.kind == _OP and self.tok == "=":
                        if word in _KEYWORDS:  # f(if=1), f(True=1)
                            raise _Fail
                        key = _identifier(word)
                    else:
                        self.seek(start)
                if key is not None:
                    self.advance()
                    node = self.element(",)")
                    keywords.append((key, node))
                    seen_keyword = True
                    if node is _SKIPPED:
                        self.skip_rest(")")
                else:
                    if seen_keyword or seen_unpack:  # "positional argument follows keyword argument"
                        raise _Fail
                    positional = True
                    self.skip_argument(start)
            if self.tok == ",":
                self.advance()
        self.level -= 1  # (the call's ``)``)
        self.advance()
        return _call_outcome(name, keywords, positional)

    def unpacked_argument(self, seen_unpack: bool) -> bool:
        """A ``*`` or ``**`` argument (the current token), skipped with the rest of the arguments; whether it
        was ``**`` (``seen_unpack``: one came before, after which ``*`` is :class:`_Fail`)."""
        star = self.tok
        if star == "*" and seen_unpack:  # "iterable argument unpacking follows keyword argument unpacking"
            raise _Fail
        self.advance()
        self.skip_argument(self.start)
        return star == "**"

    def skip_argument(self, start: int) -> None:
        """Skip the argument that starts at ``start`` (not a keyword argument) and the rest of the arguments:
        the call's outcome is decided."""
        end = self.skip(start, ",)")
        if self.spans is not None:
            self.spans.append((start, end, "_"))
        self.seek(end)
        self.skip_rest(")")

    def parse(self) -> list[Item] | str:
        """The items of the text (one for a lone call), or the code of an outcome without calls."""
        if self.at("["):
            self.open()
            self.advance()
            items: list[Item] = []
            while not self.at("]"):
                items.append(self.item(",]"))
                if self.tok == ",":
                    self.advance()
            self.close()
        else:
            items = [self.item("")]
            if items[0] is None:
                if self.spans is not None:
                    self.spans.append((0, self.n, "_"))
                return _NOT_CALL
        if self.too_deep:
            return "nesting_too_deep"
        if self.kind != _EOF:  # the list or the call is part of a larger expression (or of no expression)
            if self.spans is not None:
                self.spans.append((self.start, self.n, "_"))
            return _NOT_CALL
        return items


def _call_outcome(name: str, keywords: list[tuple[str | None, Node]], positional: bool) -> Item:
    """The decoded call ``name`` from its keyword arguments in source order (``None``: a ``**`` argument),
    as the old literal walk gave it: a positional argument, a ``**`` or a failing value (the first in source
    order, after ``duplicate_keys`` of the names before it) gives ``arguments=None``."""
    if positional:
        return (name, None, [_NOT_CALL])
    codes: list[str] = []
    args: dict[str, Any] = {}
    for key, node in keywords:
        if key is None:
            codes.append(_NOT_CALL)
            return (name, None, codes)
        if key in args:
            codes.append("duplicate_keys")
        if node[2] & _DUP:
            codes.append("duplicate_keys")
        if node[2] & _BARE:
            codes.append(BARE_NAME)
        if node[3] is not None:
            codes.append(node[3])
            return (name, None, codes)
        args[key] = node[1]
    return (name, args, codes)


#: How :meth:`_Parser.in_container` adds an element to an open container, by the container's kind.
_FOLDS: Final[dict[str, Callable[[_Parser, list[Any], Node], Node | None]]] = {
    "{": _Parser.fold_dict,
    "s": _Parser.fold_set,
    "[": _Parser.fold_sequence,
    "(": _Parser.fold_sequence,
}


def _normalise_newlines(text: str) -> str:
    """CPython's parser reads ``\\r\\n`` and ``\\r`` as ``\\n`` (also inside string literals)."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _parses(text: str, limits: Limits, spans: list[tuple[int, int, str]] | None) -> list[Item] | str | None:
    """The parse of ``text``, or ``None`` when it is not Python (``ast.parse`` raised)."""
    text = _normalise_newlines(text)
    if "\x00" in text:  # "source code string cannot contain null bytes"
        return None
    try:
        return _Parser(text, limits, spans).parse()
    except _Fail:
        return None


def decode_pythonic(text: str, limits: Limits, spans: list[tuple[int, int, str]] | None = None) -> list[Item] | str:
    """Decode ``text`` (stripped; shape, length, bracket depth and node count already checked by the caller).

    Returns the items (``(name, arguments or None, violation codes)``, ``None`` for an item that is not a
    call), or one violation code when the text gives no calls at all. ``spans`` (tests only) receives the
    ``(start, end, stand-in)`` of every span that was skipped unparsed (see the module docstring)."""
    if not text.isascii() and _SURROGATE.search(text) is not None:  # ast.parse could not encode the text
        return "invalid_unicode"
    try:
        outcome = _parses(text, limits, spans)
        if outcome is not None:
            return outcome
        # ast.parse failed: an integer too long for CPython, or broken text? Decided as before from the text:
        # every digit run longer than the limit becomes 0; if the text parses then, the integers were the cause.
        shortened, runs = long_digit_run(convertible_digits(limits.max_int_digits)).subn("0", text)
        if runs and _parses(shortened, limits, None) not in (None, "nesting_too_deep"):
            return "number_too_large"
    except RecursionError:  # (defensive: the decoder does not recurse; only a caller at its stack limit gets this)
        return "nesting_too_deep"
    except _OverBudget:
        return "over_budget"
    return _NOT_CALL


def json_like_literal(text: str, limits: Limits) -> tuple[Any, bool] | None:
    """``text`` (stripped) when it is one list or dict written in the subset Python and JSON read alike (see
    :meth:`_Parser.json_literal`: quotes of either kind without escapes, ``True``/``False``/``None``, JSON
    numbers): its value and whether some dict repeated a key; ``None`` otherwise (for the caller's full
    reading). One C-level JSON decode and a constant number of C passes; the caller checks the pre-scans
    (length, bracket depth) as for :func:`decode_pythonic`."""
    if not text.startswith(("{", "[")) or (not text.isascii() and _SURROGATE.search(text) is not None):
        return None
    try:
        parser = _Parser(_normalise_newlines(text), limits, None)
        node = parser.json_literal() if parser.json_budget > 0 else None  # (as the parser gates it)
    except (_Fail, _OverBudget, RecursionError):
        return None
    if node is None or parser.kind != _EOF:
        return None
    return node[1], bool(node[2] & _DUP)


# -- statements (the BFCL output variants read by rlvr_rewards.parsing.formats) ---------------------

#: What :func:`top_level_statements` passes over in one regex step: runs of characters that are no statement
#: separator, quote, comment, bracket or backslash, and short strings (no newline; escapes allowed) that are not
#: the start of a triple-quoted one (a repeat of disjoint alternatives, each bounded: linear).
_STATEMENT_PLAIN: Final = re.compile(
    r"(?:[^;\n'\"#()\[\]{}\\]{1,256}"
    r"|'(?:(?:[^'\\\n]|\\[^\n]){1,64}'|'(?!'))"
    r'|"(?:(?:[^"\\\n]|\\[^\n]){1,64}"|"(?!"))'
    r")+"
)
_CLOSERS: Final = frozenset(")]}")
_PASSED: Final = frozenset("'\"#\\")
#: A run of name characters holding markdown-escaped underscores, from a ``\\_`` (one regex step).
_ESCAPED_NAME: Final = re.compile(r"(?:\\_|[\w.])+")
#: What follows a statement separator up to the next statement: separators, blanks and comments (one step).
_SEPARATORS: Final = re.compile(r"(?:[;\s]|#[^\n]*)*")


def _pass_over(text: str, i: int) -> tuple[int, str | None]:
    """At a quote, ``#`` or backslash ``text[i]`` in :func:`top_level_statements`: where the scan goes on (``-1``:
    a string never closed) and what stands for ``text[i:there]`` when it is not kept as written (``""`` for a
    comment; the run of name characters and ``\\_`` that starts there, unescaped)."""
    ch = text[i]
    if ch == "#":
        nl = text.find("\n", i)
        return (len(text) if nl < 0 else nl), ""
    if ch == "\\":
        if text.startswith("_", i + 1):
            run = _ESCAPED_NAME.match(text, i)
            end = run.end()  # type: ignore[union-attr]  # (matches: \_ is there)
            return end, text[i:end].replace("\\_", "_")
        return (i + 2 if text.startswith("\n", i + 1) else i + 1), None  # (a line continuation, or not Python)
    return _string_end(text, i), None


def top_level_statements(text: str, start: int = 0, until_close: bool = False) -> tuple[list[str], int] | None:
    """Cut ``text`` (from ``start``) into the statements it holds, as CPython's tokenizer delimits strings,
    comments and brackets: a ``;`` or a newline outside brackets, strings and comments ends a statement.
    Comments are dropped; a ``\\_`` outside strings and comments (a markdown-escaped underscore, which can
    only be part of a name there) reads as ``_``; what else the statements hold is kept as written (decoded
    afterwards by :func:`decode_pythonic`: nothing is evaluated here).

    ``until_close``: ``text[start]`` is an opening bracket and the scan stops after the bracket that closes it
    (one statement, whatever follows). Returns the statements (unstripped, possibly blank) and where the scan
    ended, or ``None`` when a string is never closed, a closing bracket has no opening one, or (``until_close``)
    the bracket at ``start`` is never closed. One left-to-right pass: plain runs and short strings a bounded regex
    step at a time (``_STATEMENT_PLAIN``), then one step per bracket, separator, comment or backslash, a longer
    string skipped by :func:`_string_end`: linear."""
    statements: list[str] = []
    pieces: list[str] = []  # of the statement in progress (cut where a comment or a backslash is dropped)
    depth = 0
    pos = piece = start
    n = len(text)
    plain = _STATEMENT_PLAIN.match
    while True:
        m = plain(text, pos)
        i = m.end() if m is not None else pos
        if i >= n:
            if until_close:
                return None
            break
        ch = text[i]
        pos = i + 1
        if ch in _PASSED:
            pos, kept = _pass_over(text, i)
            if pos < 0:
                return None
            if kept is not None:  # (the text from i to pos is dropped, or kept as ``kept``)
                pieces.append(text[piece:i])
                pieces.append(kept)
                piece = pos
        elif ch in _CLOSERS:
            depth -= 1
            if depth < 0:
                return None
            if until_close and depth == 0:
                break
        elif ch == ";" or ch == "\n":
            if depth == 0:  # (a run of separators, blanks and comments ends one statement: one step)
                pieces.append(text[piece:i])
                statements.append("".join(pieces))
                pieces = []
                pos = piece = _SEPARATORS.match(text, pos).end()  # type: ignore[union-attr]  # (always matches)
        else:  # an opening bracket
            depth += 1
    end = pos if until_close else n
    pieces.append(text[piece:end])
    statements.append("".join(pieces))
    return statements, end
