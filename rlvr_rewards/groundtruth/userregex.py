"""User regular expressions: the one guarded path from a pattern in the user's data to a bounded matcher.

Every regular expression that comes from the user's data goes through :func:`compile_user_regex`: ``$regex``
ground-truth matchers (``fullmatch``), tool-schema ``pattern`` and ``patternProperties`` keys (``search``, as JSON
Schema says), whichever validator runs them (:mod:`rlvr_rewards.groundtruth.fastschema` or jsonschema). A pattern is
checked once, when the truth or the tool list is compiled (results, refusals included, are cached per distinct pattern);
a completion is then matched by a plain call that costs a bounded number of steps of CPython's regex engine. A
pattern that cannot be bounded raises :class:`UnsafeRegex` (a ``ValueError``) with a stable ``code`` and a
``reason``; callers turn it into :class:`~rlvr_rewards.errors.GroundTruthError` (the path of the value) or
:class:`~rlvr_rewards.errors.ToolSpecError` (the tool and the field path, e.g. ``parameters.properties.code.pattern``).

Engine decision: Python's ``re`` plus a compile-time proof of bounded backtracking, no RE2
------------------------------------------------------------------------------------------
``google-re2`` (1.1.20251105) installs here for Python 3.11 and is linear by construction: ``(a+)+$`` searched in
10,000 ``a`` + ``!`` takes 0.004 ms, ``\\d+x`` in 10,000 digits 0.02 ms. It is not used, not even as an optional
extra, because a reward would then depend on whether an optional package is installed:

- its semantics differ from ``re`` on ordinary patterns: ``\\d`` does not match ``'٣'``, ``\\w`` does not match
  ``'é'``, ``\\s`` does not match U+2028, ``\\b`` ignores non-ASCII letters, ``b$`` does not match ``'ab\\n'``
  (``re`` lets ``$`` match before a final newline); jsonschema and every Python tool use ``re``, so the same row
  would score differently on two machines;
- it refuses lookarounds, backreferences, possessive repeats, atomic groups and repeat counts over 1,000, and
  logs each refusal to stderr (absl);
- it is slower on the common case: ``fullmatch`` of ``^[A-Z]{3}$`` on ``'ABC'`` costs 13 us against 0.27 us.

The analysis
------------
Each pattern is parsed by Python's own parser (``re._parser``; ``sre_parse`` on 3.10), so what is analysed is
what the engine runs (the parser merges ``\\w|\\d`` into one class ``[\\w\\d]``, which cannot backtrack,
and factors ``ab|ac`` into ``a[bc]``). The parse becomes a position automaton (Glushkov's construction) that
counts the epsilon paths between two positions, so ``(a*)*`` is seen as the two-way loop it is; each position
carries its exact set of characters (code-point intervals; ``\\d``/``\\w``/``\\s`` and case-insensitive sets
are computed by running the engine on the characters concerned, so ``(?i)`` and Unicode classes are exact). The
automaton is explored over the atoms of those sets, counting the runs (paths) that read the same text. On a
failing input a backtracking matcher explores exactly these runs, so:

- **ambiguity**: if some text can be read by more than :data:`MAX_AMBIGUITY` runs, the pattern is refused:
  ``code="exponential"`` when two different cycles read the same text (nested repeats ``(a+)+``, ``(\\w+\\s?)*``,
  ``(.*a){20}``, alternatives under a repeat ``(a|aa)*``), ``code="ambiguous"`` when the count only grows
  polynomially (``a.*b.*c``, ``[^@]+@[^@]+\\.[^@]+``, whose second repeat reads the ``.`` after it), unless a plan
  below bounds it. Otherwise at most ``MAX_AMBIGUITY`` runs are alive at any time and one match attempt reads each
  character at most that many times: linear. Bounded repeats are expanded exactly up to 16 iterations; larger
  counts are analysed as unbounded (an over-approximation: ``(a{1,100}){1,100}`` is refused like ``(a+)+``).
- backreferences and conditional groups are refused (matching with them is NP-hard), as is a repeat of something
  that can match the empty string (``(a*)*``, ``(a?)+``). A lookahead containing an unbounded repeat is accepted
  only at the start of the pattern (the password-rule form ``^(?=.*\\d)(?=.*[a-z]).{8,}$``), where it runs once
  per attempt. Lookaround bodies are analysed like patterns and their cost is counted.
- **fullmatch** (``$regex``): one attempt, linear. ``C{m,} A C{k,}`` where ``C`` is one character class holding
  every character ``A`` reads (``.*foo.*``, ``\\d+\\d+``) is polynomially ambiguous as written (and quadratic in
  ``re``) but equals "every character is in ``C``, and ``C{m} A C{k}`` occurs": it runs that way, as a search.
- **search** (JSON Schema ``pattern``): ``re.search`` tries every start, so a pattern that is linear for one attempt
  can cost quadratic time (``\\d+x`` in 10,000 digits: 3.4 ms at 1,000 digits, 44 ms at 4,000, 0.3 to 0.6 s at
  10,000). The search runs a reduced pattern that finds a match in exactly the same strings: leading and trailing
  parts that can match empty are dropped (``.*foo`` -> ``foo``), edge repeats keep their minimum (``\\d+x`` ->
  ``\\dx``, ``[a-z_]+`` -> ``[a-z_]``), edge groups are opened. A reduced pattern anchored by ``^`` or ``\\A``
  (with nothing but constant-time assertions before it) costs one attempt; one of bounded width ``W`` costs at most
  ``W`` steps per start; the rest (an unbounded repeat inside, ``a[a-z]*b``, or an unbounded lookahead tried at
  every start) cost up to ``n^2/2`` steps.

Cost model and bounds. The worst case of a plan on ``n`` characters is estimated in steps: (characters each run
can read: ``min(n, W)``) x (runs: the ambiguity) x (lookaround factor: 4 per lookaround entered, plus its own cost)
x (alternation factor: ``1 + branches // 2``, the engine tries alternatives in turn) x (4 if a repeat body is more
than one character class: the engine's general REPEAT allocates a context and saves marks), plus the unbounded
lookaheads' ``n`` per attempt, times ``n + 1`` attempts for an unanchored search. Each plan gets ``max_input``,
the longest input (at most :data:`MAX_INPUT`) whose worst case is within :data:`BUDGET_STEPS`; a plan that would
get less than :data:`MIN_INPUT` is refused (``code="quadratic"``: anchor the pattern). Calibration: the slowest
of 3,063 accepted pattern/mode pairs (real-world patterns and generated families, each on its worst pumped
adversarial input at its ``max_input``) and of hand-made worst cases measured 2 ms (4 ms on a loaded machine;
decoding a megabyte of JSON: 16 ms); ``tests/test_user_regex_timing.py`` holds this as a ratio.

Limits and what happens past them:

- refused: a pattern longer than :data:`MAX_PATTERN_LENGTH` characters, groups nested deeper than
  :data:`MAX_GROUP_DEPTH`, a repeat count Python cannot hold (``a{4294967295}``), and anything Python's parser
  raises on (``re.error``, ``RecursionError``, ``OverflowError``, ...);
- a string longer than the plan's ``max_input`` (:data:`MAX_INPUT`, 10,000 characters, for every linear plan;
  less for a few quadratic search plans, never under :data:`MIN_INPUT`) is never run: it **does not match**. For
  ``$regex`` the value fails its matcher; for a schema ``pattern`` the value is schema-invalid; a property name
  that long matches no ``patternProperties`` pattern.

Before this module (measured on HEAD in a subprocess): ``$regex`` ``(a+)+$`` on 9,999 ``a`` + ``!`` and the tool
``pattern`` ``(a+)+$`` on 10,000 characters never finished (killed after 60 s; 25 characters took 2.4 s and 4.5 s);
2,000 nested groups raised ``RecursionError`` and ``a{4294967295}`` ``OverflowError``. Now each is refused when the
truth or the tools are compiled, in 0.1 to 2 ms.
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from rlvr_rewards.util.locks import ForkSafeLock

try:  # Python 3.11+
    from re import _compiler as _sre_compile  # type: ignore[attr-defined]
    from re import _constants as _sre_c  # type: ignore[attr-defined]
    from re import _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python 3.10
    import sre_compile as _sre_compile
    import sre_constants as _sre_c
    import sre_parse as _sre_parse

__all__ = [
    "BUDGET_STEPS",
    "MAX_AMBIGUITY",
    "MAX_GROUP_DEPTH",
    "MAX_INPUT",
    "MAX_PATTERN_LENGTH",
    "MIN_INPUT",
    "UnsafeRegex",
    "UserRegex",
    "compile_user_regex",
    "regex_risks",
]

#: Longest pattern accepted (characters).
MAX_PATTERN_LENGTH = 1_000
#: Deepest nesting of groups (and lookarounds) accepted.
MAX_GROUP_DEPTH = 32
#: Longest string a user regex is ever run on; a longer string does not match.
MAX_INPUT = 10_000
#: Shortest ``max_input`` a quadratic search plan may have; a pattern that would need less is rejected.
MIN_INPUT = 200
#: Most runs (ways to read the same text) the position automaton may have; more is refused (``exponential`` or
#: ``ambiguous``) unless a plan bounds it.
MAX_AMBIGUITY = 16
#: Worst-case cost allowed for one call, in steps of the model (one character read by one run, times the
#: branching and lookaround factors). Calibrated so that the worst accepted plans measure under 10 ms here.
BUDGET_STEPS = 500_000

#: Bounded repeats up to this count are expanded exactly; larger ones are analysed as unbounded.
_EXACT_REPEAT = 16
#: Most positions (expanded characters) and automaton configurations explored before giving up.
_MAX_POSITIONS = 2_000
_MAX_CONFIGS = 5_000
_SATURATE = MAX_AMBIGUITY + 1
#: A step of a repeat over more than one character class (the engine's general REPEAT, which allocates a context
#: on entry and saves marks per iteration) costs about this many steps of a one-class repeat (measured: 25-30 ns
#: against 2-7 ns per character).
_COMPLEX_LOOP_WEIGHT = 4
#: Entering a lookaround costs about this many one-class steps (measured: about 20 ns).
_ASSERTION_ENTRY = 4

_MAXREPEAT = int(_sre_c.MAXREPEAT)
_LITERAL, _NOT_LITERAL, _ANY, _IN = _sre_c.LITERAL, _sre_c.NOT_LITERAL, _sre_c.ANY, _sre_c.IN
_SINGLE = (_LITERAL, _NOT_LITERAL, _ANY, _IN)
_REPEATS = (_sre_c.MAX_REPEAT, _sre_c.MIN_REPEAT)
_POSSESSIVE = getattr(_sre_c, "POSSESSIVE_REPEAT", None)
_ATOMIC = getattr(_sre_c, "ATOMIC_GROUP", None)
_ASSERTS = (_sre_c.ASSERT, _sre_c.ASSERT_NOT)
_F_IGNORECASE, _F_LOCALE, _F_MULTILINE, _F_DOTALL, _F_ASCII = (
    _sre_c.SRE_FLAG_IGNORECASE,
    _sre_c.SRE_FLAG_LOCALE,
    _sre_c.SRE_FLAG_MULTILINE,
    _sre_c.SRE_FLAG_DOTALL,
    _sre_c.SRE_FLAG_ASCII,
)


class UnsafeRegex(ValueError):
    """A user pattern that is not accepted: ``code`` says why (a stable word), ``reason`` says it in words.

    Codes: ``not_string``, ``too_long``, ``syntax``, ``nesting``, ``repeat_count``, ``backreference``,
    ``conditional``, ``empty_loop``, ``exponential``, ``ambiguous``, ``lookahead``, ``quadratic``, ``too_complex``,
    ``unsupported``."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True, slots=True)
class UserRegex:
    """A checked pattern and its bounded matcher for one ``mode`` (``"fullmatch"`` or ``"search"``).

    ``matches(s)`` is ``re.fullmatch(pattern, s)`` / ``re.search(pattern, s)`` as a bool, for strings of at most
    ``max_input`` characters; a longer string does not match. ``ambiguity``: most runs reading the same text in
    the plan that runs; ``worst_steps``: the model's cost of the worst input of ``max_input`` characters."""

    pattern: str
    mode: str
    max_input: int
    ambiguity: int
    worst_steps: int
    plan: str
    _run: Callable[[str], bool] = field(repr=False, compare=False)

    def matches(self, s: str) -> bool:
        """Does ``s`` match (``fullmatch`` or ``search``, as compiled)? Never raises on a ``str``."""
        return len(s) <= self.max_input and self._run(s)


_cache: dict[tuple[str, str], UserRegex | UnsafeRegex] = {}
_cache_lock = ForkSafeLock()
_MAX_CACHE = 16_384


def compile_user_regex(pattern: Any, mode: str = "fullmatch") -> UserRegex:
    """Check ``pattern`` and return its bounded matcher for ``mode`` (``"fullmatch"`` or ``"search"``).

    Raises :class:`UnsafeRegex` if the pattern is not a string, is not a valid Python regular expression, or cannot
    be matched within the budget (see the module documentation). Results and refusals are cached per pattern."""
    if mode not in ("fullmatch", "search"):
        raise ValueError(f"mode must be 'fullmatch' or 'search', not {mode!r}")
    if not isinstance(pattern, str):
        raise UnsafeRegex("not_string", f"a pattern must be a string, not {type(pattern).__name__}")
    key = (pattern, mode)
    hit = _cache.get(key)
    if hit is None:
        try:
            hit = _compile(pattern, mode)
        except UnsafeRegex as exc:
            hit = UnsafeRegex(exc.code, exc.reason)  # (without the traceback and the frames it holds)
        with _cache_lock:
            if len(_cache) >= _MAX_CACHE:
                _cache.clear()
            _cache[key] = hit
    if isinstance(hit, UnsafeRegex):
        raise UnsafeRegex(hit.code, hit.reason)
    return hit


def regex_risks(pattern: str | re.Pattern[str]) -> list[str]:
    """Why ``pattern`` would be refused for ``fullmatch`` (empty when it is accepted): the analysis used for user
    regexes, usable on the package's own patterns (which run unanchored on whole completions, so a search-time
    bound is their own business: see ``tests/test_regex_safety.py``)."""
    if isinstance(pattern, re.Pattern):
        flags = pattern.flags & (_F_IGNORECASE | _F_MULTILINE | _F_DOTALL | _F_ASCII | re.VERBOSE)
        text = pattern.pattern
        inline = "".join(
            ch
            for f, ch in (
                (re.IGNORECASE, "i"),
                (re.MULTILINE, "m"),
                (re.DOTALL, "s"),
                (re.ASCII, "a"),
                (re.VERBOSE, "x"),
            )
            if flags & f
        )
        text = f"(?{inline}){text}" if inline else text
    else:
        text = pattern
    try:
        parsed = _parse(text)
        _analyse(list(parsed), parsed.state.flags, top=True)
    except UnsafeRegex as exc:
        return [f"{exc.code}: {exc.reason}"]
    return []


# --------------------------------------------------------------------------------------------------------------
# Parsing, guarded
# --------------------------------------------------------------------------------------------------------------


def _group_depth(pattern: str) -> int:
    """Deepest nesting of ``(`` in ``pattern`` (escapes and character classes skipped), in one pass."""
    depth = deepest = 0
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":
            i += 1
            if i < n and pattern[i] == "^":
                i += 1
            if i < n and pattern[i] == "]":
                i += 1
            while i < n and pattern[i] != "]":
                i += 2 if pattern[i] == "\\" else 1
        elif ch == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif ch == ")":
            depth = max(0, depth - 1)
        i += 1
    return deepest


def _parse(pattern: str) -> Any:
    depth = _group_depth(pattern[: 2 * MAX_PATTERN_LENGTH])  # (a bounded prefix: a long pattern is refused anyway)
    if depth > MAX_GROUP_DEPTH:
        raise UnsafeRegex("nesting", f"groups are nested {depth:,} levels deep or more (at most {MAX_GROUP_DEPTH})")
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise UnsafeRegex(
            "too_long", f"the pattern has {len(pattern):,} characters (at most {MAX_PATTERN_LENGTH:,} are accepted)"
        )
    try:
        parsed = _sre_parse.parse(pattern, 0)
        re.compile(pattern)  # the compiler's own checks (and the pattern matchers fall back to)
    except re.error as exc:
        raise UnsafeRegex("syntax", f"not a valid Python regular expression: {exc}") from None
    except RecursionError:
        raise UnsafeRegex("nesting", "the pattern is nested too deeply for Python's regex parser") from None
    except OverflowError:
        raise UnsafeRegex(
            "repeat_count", f"a repeat count is too large for Python's regex engine (at most {_MAXREPEAT - 1:,})"
        ) from None
    except Exception as exc:  # anything else Python's parser raises on odd input: the pattern is refused
        raise UnsafeRegex("syntax", f"Python's regex parser failed ({type(exc).__name__})") from None
    if parsed.state.flags & _F_LOCALE:
        raise UnsafeRegex("unsupported", "the LOCALE flag is not supported")
    return parsed


# --------------------------------------------------------------------------------------------------------------
# Sets of characters: sorted, disjoint, inclusive (lo, hi) intervals of code points
# --------------------------------------------------------------------------------------------------------------

Ranges = tuple[tuple[int, int], ...]
_MAXCHAR = sys.maxunicode
_EVERYTHING: Ranges = ((0, _MAXCHAR),)


def _normalize(pairs: Iterable[tuple[int, int]]) -> Ranges:
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(pairs):
        if out and lo <= out[-1][1] + 1:
            if hi > out[-1][1]:
                out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return tuple(out)


def _complement(r: Ranges) -> Ranges:
    out: list[tuple[int, int]] = []
    nxt = 0
    for lo, hi in r:
        if lo > nxt:
            out.append((nxt, lo - 1))
        nxt = hi + 1
    if nxt <= _MAXCHAR:
        out.append((nxt, _MAXCHAR))
    return tuple(out)


def _difference(a: Ranges, b: Ranges) -> Ranges:
    return _intersection(a, _complement(b))


def _intersection(a: Ranges, b: Ranges) -> Ranges:
    out: list[tuple[int, int]] = []
    i = j = 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo <= hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return tuple(out)


def _spans(positions: Iterable[int]) -> Ranges:
    return _normalize((p, p) for p in positions)


_CATEGORY_TEXT = {
    "CATEGORY_DIGIT": r"\d",
    "CATEGORY_NOT_DIGIT": r"\D",
    "CATEGORY_SPACE": r"\s",
    "CATEGORY_NOT_SPACE": r"\S",
    "CATEGORY_WORD": r"\w",
    "CATEGORY_NOT_WORD": r"\W",
}
_POSITIVE = {
    "CATEGORY_NOT_DIGIT": "CATEGORY_DIGIT",
    "CATEGORY_NOT_SPACE": "CATEGORY_SPACE",
    "CATEGORY_NOT_WORD": "CATEGORY_WORD",
}
_category_cache: dict[tuple[str, bool], Ranges] = {}
_cased_cache: list[tuple[Ranges, str]] = []


def _every_character() -> str:
    """All code points 0 .. sys.maxunicode as one string (surrogates included), built in C."""
    import numpy as np

    order = "<u4" if sys.byteorder == "little" else ">u4"
    codec = "utf-32-le" if sys.byteorder == "little" else "utf-32-be"
    return np.arange(_MAXCHAR + 1, dtype=order).tobytes().decode(codec, "surrogatepass")


def _category(name: str, ascii_only: bool) -> Ranges:
    """The exact set of ``\\d``, ``\\w``, ``\\s`` (and complements) as Python's engine sees them."""
    positive = _POSITIVE.get(name, name)
    key = (positive, ascii_only)
    got = _category_cache.get(key)
    if got is None:
        flags = re.ASCII if ascii_only else 0
        text = "".join(map(chr, range(128))) if ascii_only else _every_character()
        for cat in ("CATEGORY_DIGIT", "CATEGORY_SPACE", "CATEGORY_WORD"):
            rx = re.compile(f"(?:{_CATEGORY_TEXT[cat]})+", flags)
            _category_cache[(cat, ascii_only)] = tuple((m.start(), m.end() - 1) for m in rx.finditer(text))
        got = _category_cache[key]
    return _complement(got) if positive != name else got


def _cased() -> tuple[Ranges, str]:
    """The characters whose matching can change under IGNORECASE: every cased character and its case images.

    A character outside this set matches a class or literal the same with and without IGNORECASE (it has no case,
    and no cased character folds to it), so only these are run through the engine."""
    if not _cased_cache:
        import _sre  # the engine's own notion of "cased"

        chars = {c for c in range(_MAXCHAR + 1) if _sre.unicode_iscased(c)}
        for c in list(chars):
            ch = chr(c)
            chars.add(_sre.unicode_tolower(c))
            for image in (ch.lower(), ch.upper(), ch.casefold(), ch.title()):
                if len(image) == 1:
                    chars.add(ord(image))
        ordered = sorted(chars)
        _cased_cache.append((_spans(ordered), "".join(map(chr, ordered))))
    return _cased_cache[0]


def _esc(c: int) -> str:
    return f"\\U{c:08x}"


def _class_text(op: Any, av: Any) -> str:
    if op is _LITERAL:
        return "[" + _esc(av) + "]"
    if op is _NOT_LITERAL:
        return "[^" + _esc(av) + "]"
    if op is _ANY:
        return "."
    parts = []
    negate = False
    for iop, iav in av:
        name = str(iop)
        if name == "NEGATE":
            negate = True
        elif name == "LITERAL":
            parts.append(_esc(iav))
        elif name == "RANGE":
            parts.append(_esc(iav[0]) + "-" + _esc(iav[1]))
        elif name == "CATEGORY":
            parts.append(_CATEGORY_TEXT[str(iav)])
        else:
            raise UnsafeRegex("unsupported", f"unsupported item {name} in a character class")
    return "[" + ("^" if negate else "") + "".join(parts) + "]"


_set_cache: dict[tuple[Any, ...], Ranges] = {}


def _freeze(av: Any) -> Any:
    if isinstance(av, (list, tuple)):
        return tuple(_freeze(x) for x in av)
    return str(av) if av is None or not isinstance(av, int) else int(av)


def _char_set(op: Any, av: Any, flags: int) -> Ranges:
    """The exact set of characters one single-character item matches under ``flags``."""
    relevant = flags & (_F_IGNORECASE | _F_DOTALL | _F_ASCII)
    key = (str(op), _freeze(av), relevant)
    got = _set_cache.get(key)
    if got is not None:
        return got
    if op is _LITERAL:
        base: Ranges = ((av, av),)
    elif op is _NOT_LITERAL:
        base = _complement(((av, av),))
    elif op is _ANY:
        base = _EVERYTHING if flags & _F_DOTALL else _complement(((10, 10),))
    else:
        base = _class_set(av, bool(flags & _F_ASCII))
    if flags & _F_IGNORECASE and op is not _ANY:
        cased, text = _cased()
        rx = re.compile(_class_text(op, av), relevant & ~_F_DOTALL)
        found = _spans(ord(m.group()) for m in rx.finditer(text))
        base = _normalize(_difference(base, cased) + found)
    with _cache_lock:
        if len(_set_cache) >= _MAX_CACHE:
            _set_cache.clear()
        _set_cache[key] = base
    return base


def _class_set(items: Any, ascii_only: bool) -> Ranges:
    """The characters a character class ``[...]`` (its parsed ``items``) matches, case-sensitively."""
    pairs: list[tuple[int, int]] = []
    negate = False
    for iop, iav in items:
        name = str(iop)
        if name == "NEGATE":
            negate = True
        elif name == "LITERAL":
            pairs.append((iav, iav))
        elif name == "RANGE":
            pairs.append((iav[0], iav[1]))
        elif name == "CATEGORY" and str(iav) in _CATEGORY_TEXT:
            pairs.extend(_category(str(iav), ascii_only))
        else:
            raise UnsafeRegex("unsupported", f"unsupported item {name} in a character class")
    base = _normalize(pairs)
    return _complement(base) if negate else base


# --------------------------------------------------------------------------------------------------------------
# The position automaton with path counts, and its analysis
# --------------------------------------------------------------------------------------------------------------


@dataclass
class _Frag:
    """A sub-expression: ways to match empty, weighted first and last positions, most characters read."""

    nullable: int
    first: dict[int, int]
    last: dict[int, int]
    width: int | None  # None: unbounded


def _sat(n: int) -> int:
    return n if n < _SATURATE else _SATURATE


def _add(into: dict[int, int], frm: dict[int, int], times: int = 1) -> None:
    if not times:
        return
    for k, v in frm.items():
        into[k] = _sat(into.get(k, 0) + v * times)


@dataclass
class _Cost:
    """What one match attempt of a (sub)pattern costs: at most ``ambiguity`` runs, each at most ``width`` steps
    (``None``: unbounded), times ``multiplier`` for bounded lookarounds, plus ``per_char`` steps per character
    of input for unbounded lookaheads at its start; ``branching``: most alternatives of one alternation."""

    ambiguity: int
    width: int | None
    multiplier: int
    per_char: int
    branching: int
    weight: int  # cost of one step in character-class steps: COMPLEX_LOOP_WEIGHT with a repeat of a group
    chars: Ranges  # every character the pattern can read (lookarounds excluded)


class _Builder:
    def __init__(self, depth: int = 0) -> None:
        self.sets: list[Ranges] = [()]  # position 0: the start state
        self.follow: list[dict[int, int]] = [{}]
        self.multiplier = 1
        self.per_char = 0
        self.branching = 1
        self.complex_loops = False
        self.depth = depth

    def position(self, chars: Ranges) -> int:
        if len(self.sets) > _MAX_POSITIONS:
            raise UnsafeRegex(
                "too_complex",
                f"the pattern expands to more than {_MAX_POSITIONS:,} positions "
                "(bounded repeats are expanded): simplify it",
            )
        self.sets.append(chars)
        self.follow.append({})
        return len(self.sets) - 1

    def cat(self, a: _Frag, b: _Frag) -> _Frag:
        for p, wp in a.last.items():
            row = self.follow[p]
            for q, wq in b.first.items():
                row[q] = _sat(row.get(q, 0) + wp * wq)
        first = dict(a.first)
        _add(first, b.first, a.nullable)
        last = dict(b.last)
        _add(last, a.last, b.nullable)
        width = None if a.width is None or b.width is None else a.width + b.width
        return _Frag(_sat(a.nullable * b.nullable), first, last, width)

    @staticmethod
    def alt(frags: list[_Frag]) -> _Frag:
        first: dict[int, int] = {}
        last: dict[int, int] = {}
        nullable = 0
        widths = []
        for f in frags:
            _add(first, f.first)
            _add(last, f.last)
            nullable = _sat(nullable + f.nullable)
            widths.append(f.width)
        width = None if any(w is None for w in widths) else max(widths, default=0)  # type: ignore[type-var]
        return _Frag(nullable, first, last, width)

    def star(self, f: _Frag) -> _Frag:
        if f.nullable:
            raise UnsafeRegex(
                "empty_loop",
                "an unbounded repeat of something that can match the empty string "
                "(like (a*)* or (a?)+) backtracks exponentially",
            )
        for p, wp in f.last.items():
            row = self.follow[p]
            for q, wq in f.first.items():
                row[q] = _sat(row.get(q, 0) + wp * wq)
        return _Frag(1, dict(f.first), dict(f.last), None if f.first else 0)

    def seq(self, items: Iterable[tuple[Any, Any]], flags: int, at_start: bool = False) -> _Frag:
        frag = _Frag(1, {}, {}, 0)
        for op, av in items:
            item = self.item(op, av, flags, at_start)
            if at_start and not (op is _sre_c.AT or op in _ASSERTS):
                at_start = False
            frag = self.cat(frag, item)
        return frag

    def item(self, op: Any, av: Any, flags: int, at_start: bool) -> _Frag:
        if op in _SINGLE:
            pos = self.position(_char_set(op, av, flags))
            return _Frag(0, {pos: 1}, {pos: 1}, 1)
        if op is _sre_c.AT:
            return _Frag(1, {}, {}, 0)
        if op is _sre_c.SUBPATTERN:
            _, add, delete, body = av
            return self.nested(body, (flags | add) & ~delete)
        if op is _ATOMIC:
            return self.nested(av, flags)
        if op is _sre_c.BRANCH:
            self.branching = max(self.branching, len(av[1]))
            return self.alt([self.nested(alt, flags) for alt in av[1]])
        if op in _REPEATS or op is _POSSESSIVE:
            lo, hi, body = av
            return self.repeat(int(lo), int(hi), body, flags)
        if op in _ASSERTS:
            self.lookaround(av[0], av[1], flags, at_start)
            return _Frag(1, {}, {}, 0)
        if op is _sre_c.GROUPREF:
            raise UnsafeRegex(
                "backreference",
                "backreferences (\\1, (?P=name)) are not supported: matching with them can take exponential time",
            )
        if op is _sre_c.GROUPREF_EXISTS:
            raise UnsafeRegex("conditional", "conditional groups ((?(1)a|b)) are not supported")
        raise UnsafeRegex("unsupported", f"unsupported construct {op}")

    def nested(self, body: Any, flags: int) -> _Frag:
        self.depth += 1
        if self.depth > MAX_GROUP_DEPTH:
            raise UnsafeRegex("nesting", f"groups are nested more than {MAX_GROUP_DEPTH} levels deep")
        try:
            return self.seq(body, flags)
        finally:
            self.depth -= 1

    def repeat(self, lo: int, hi: int, body: Any, flags: int) -> _Frag:
        if hi == 0:
            return _Frag(1, {}, {}, 0)
        if hi > 1 and not (len(body) == 1 and _single_class(*body[0]) is not None):
            self.complex_loops = True  # the engine's general REPEAT: a context per entry, marks per iteration
        exact = hi < _MAXREPEAT and hi <= _EXACT_REPEAT
        if not exact:
            lo = min(lo, _EXACT_REPEAT)
        frag = _Frag(1, {}, {}, 0)
        for _ in range(lo):
            frag = self.cat(frag, self.nested(body, flags))
        if not exact:
            return self.cat(frag, self.star(self.nested(body, flags)))
        tail = _Frag(1, {}, {}, 0)
        for _ in range(hi - lo):
            tail = self.alt([_Frag(1, {}, {}, 0), self.cat(self.nested(body, flags), tail)])
        return self.cat(frag, tail)

    def lookaround(self, direction: int, body: Any, flags: int, at_start: bool) -> None:
        if self.depth + 1 > MAX_GROUP_DEPTH:
            raise UnsafeRegex("nesting", f"groups are nested more than {MAX_GROUP_DEPTH} levels deep")
        cost = _analyse(body, flags, top=True, depth=self.depth + 1)
        factor = _branch_factor(cost.branching) * cost.weight
        if cost.width is None or cost.per_char:
            if direction < 0 or not at_start:
                raise UnsafeRegex(
                    "lookahead",
                    "a lookahead containing an unbounded repeat (like (?=.*x)) is only "
                    "accepted at the start of the pattern, where it runs once; elsewhere "
                    "it runs at every position (quadratic time)",
                )
            self.per_char += (cost.ambiguity * cost.multiplier + cost.per_char) * factor
        else:  # each evaluation: entering the assertion, then its own bounded match
            self.multiplier += _ASSERTION_ENTRY + cost.width * cost.ambiguity * cost.multiplier * factor


def _atoms(sets: list[Ranges]) -> tuple[list[int], list[int]]:
    """Split the characters into atoms (classes no set tells apart): a bit mask of atoms per set, and one
    representative character per atom."""
    distinct = sorted(set(sets))
    bounds = sorted({b for s in distinct for lo, hi in s for b in (lo, hi + 1)} | {0})
    los = [[lo for lo, _ in s] for s in distinct]
    signatures: dict[tuple[int, ...], int] = {}
    reps: list[int] = []
    set_masks = [0] * len(distinct)
    for start in bounds:
        if start > _MAXCHAR:
            continue
        sig = []
        for k, s in enumerate(distinct):
            i = bisect_right(los[k], start) - 1
            if i >= 0 and s[i][1] >= start:
                sig.append(k)
        if not sig:
            continue
        key = tuple(sig)
        atom = signatures.get(key)
        if atom is None:
            atom = signatures[key] = len(reps)
            reps.append(start)
        for k in sig:
            set_masks[k] |= 1 << atom
    by_set = dict(zip(distinct, set_masks, strict=True))
    return [by_set[s] if s else 0 for s in sets], reps


class _Ambiguous(Exception):
    """More than MAX_AMBIGUITY runs read ``witness`` (internal: classified by :func:`_exponential`)."""

    def __init__(self, witness: str) -> None:
        super().__init__(witness)
        self.witness = witness


def _runs(b: _Builder, masks: list[int], reps: list[int]) -> int:
    """Most runs of the automaton reading one text (every text, not only matches); raises :class:`_Ambiguous`
    with a witness text if more than ``MAX_AMBIGUITY``, UnsafeRegex if the exploration is too large.

    A configuration maps each position to the number of runs there (``((0, 1),)`` at the start); from it, each
    atom (character class of ``reps``) that some position can read next leads to the next configuration."""
    succ_masks = _successor_masks(b, masks)
    start: tuple[tuple[int, int], ...] = ((0, 1),)
    parent: dict[tuple[tuple[int, int], ...], tuple[tuple[tuple[int, int], ...], int] | None] = {start: None}
    todo = [start]
    worst = 1
    while todo:
        config = todo.pop()
        union = 0
        for p, _ in config:
            union |= succ_masks[p]
        atom = 0
        while union:
            if union & 1:
                nxt = _next_config(b, masks, config, 1 << atom)
                total = sum(nxt.values())
                key = tuple(sorted(nxt.items()))
                if key not in parent:
                    parent[key] = (config, atom)
                    if total > MAX_AMBIGUITY:
                        raise _Ambiguous(_witness(parent, key, reps))
                    if len(parent) > _MAX_CONFIGS:
                        raise UnsafeRegex(
                            "too_complex",
                            "the pattern is too complex to analyse (more than "
                            f"{_MAX_CONFIGS:,} automaton states): simplify it",
                        )
                    worst = max(worst, total)
                    todo.append(key)
            union >>= 1
            atom += 1
    return worst


def _successor_masks(b: _Builder, masks: list[int]) -> list[int]:
    """Per position, the atoms (a bit mask) some position following it can read."""
    succ_masks = [0] * len(b.sets)
    for p, row in enumerate(b.follow):
        m = 0
        for q in row:
            m |= masks[q]
        succ_masks[p] = m
    return succ_masks


def _next_config(b: _Builder, masks: list[int], config: tuple[tuple[int, int], ...], bit: int) -> dict[int, int]:
    """The positions reached from ``config`` (position -> runs) by reading one character of the atom ``bit``,
    each with its number of runs (saturated)."""
    nxt: dict[int, int] = {}
    for p, c in config:
        for q, w in b.follow[p].items():
            if masks[q] & bit:
                nxt[q] = _sat(nxt.get(q, 0) + c * w)
    return nxt


def _witness(parent: dict[Any, Any], key: Any, reps: list[int]) -> str:
    chars = []
    while parent[key] is not None:
        key, atom = parent[key]
        chars.append(chr(reps[atom]))
    witness = "".join(reversed(chars))
    return witness if len(witness) <= 40 else witness[:37] + "..."


def _components(nodes: Iterable[Any], succ: Callable[[Any], Iterable[Any]]) -> dict[Any, int]:
    """Strongly connected components (iterative Tarjan): node -> component number."""
    index: dict[Any, int] = {}
    low: dict[Any, int] = {}
    comp: dict[Any, int] = {}
    stack: list[Any] = []
    on_stack: set[Any] = set()
    count = 0
    for root in nodes:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(succ(root)))]
        while work:
            v, it = work[-1]
            descended = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(succ(w))))
                    descended = True
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            if descended:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])
            if low[v] == index[v]:
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp[w] = count
                    if w == v:
                        break
                count += 1
    return comp


_MAX_PAIRS = 250_000


def _exponential(b: _Builder, masks: list[int]) -> bool:
    """Is the automaton exponentially ambiguous: some position with two different cycles reading the same text?
    (Two epsilon paths between the same positions inside a cycle, or a component of the self-product holding both
    a pair (q, q) and a pair (p, r) with p != r.) Otherwise its ambiguity grows polynomially."""
    positions = range(len(b.sets))
    comp = _components(positions, lambda p: iter(b.follow[p]))
    for p in positions:
        for q, w in b.follow[p].items():
            if w >= 2 and comp[p] == comp[q]:
                return True
    members: dict[int, list[int]] = {}
    for p in positions:
        members.setdefault(comp[p], []).append(p)
    if sum(len(m) ** 2 for m in members.values()) > _MAX_PAIRS:
        return True  # too large to decide: treated as the worse case

    def succ(pair: tuple[int, int]) -> Iterable[tuple[int, int]]:
        p, r = pair
        c = comp[p]
        for q in b.follow[p]:
            if comp[q] != c:
                continue
            for s in b.follow[r]:
                if comp[s] == c and masks[q] & masks[s]:
                    yield (q, s)

    pairs = [(p, r) for m in members.values() for p in m for r in m]
    pair_comp = _components(pairs, succ)
    diagonal = {pair_comp[(p, p)] for p in positions if (p, p) in pair_comp}
    return any(p != r and pair_comp[(p, r)] in diagonal for p, r in pairs)


def _analyse(items: Any, flags: int, *, top: bool = False, depth: int = 0) -> _Cost:
    """The cost of one match attempt of ``items`` (a parsed sequence) under ``flags``; raises
    UnsafeRegex ``exponential`` or ``ambiguous`` when more than MAX_AMBIGUITY runs can read the same text."""
    b = _Builder(depth)
    root = b.seq(items, flags, at_start=top)
    b.follow[0] = dict(root.first)
    masks, reps = _atoms(b.sets)
    try:
        runs = _runs(b, masks, reps)
    except _Ambiguous as exc:
        if _exponential(b, masks):
            raise UnsafeRegex(
                "exponential",
                f"the text {exc.witness!r} can already be read in more than {MAX_AMBIGUITY} ways, and the number "
                "doubles as it grows: a failing match backtracks exponentially (nested repeats, or alternatives "
                "that can read the same text under a repeat, like (a+)+, (a|a)*, (\\w+\\s?)*, (.*a){20})",
            ) from None
        raise UnsafeRegex(
            "ambiguous",
            f"the text {exc.witness!r} can be read in more than {MAX_AMBIGUITY} ways, and the number grows with "
            "its length: a failing match backtracks in quadratic or worse time (repeats over the same characters "
            "next to each other or separated by a character both can read, like \\d+\\d+, a.*b.*c or "
            "[^@]+\\.[^@]+): make the repeats exclusive",
        ) from None
    chars = _normalize(pair for s in b.sets for pair in s)
    weight = _COMPLEX_LOOP_WEIGHT if b.complex_loops else 1
    return _Cost(runs, root.width, b.multiplier, b.per_char, b.branching, weight, chars)


# --------------------------------------------------------------------------------------------------------------
# Plans: what runs for fullmatch and search, and what it costs
# --------------------------------------------------------------------------------------------------------------


def _branch_factor(branching: int) -> int:
    """Cost of one step relative to a character-class step, for a pattern whose largest alternation has
    ``branching`` alternatives (the engine tries them in turn)."""
    return 1 + branching // 2


def _steps(cost: _Cost, n: int, attempts_per_char: bool) -> int:
    """Worst-case model steps on an input of ``n`` characters."""
    reach = n if cost.width is None else min(n, cost.width)
    per_attempt = reach * cost.ambiguity * cost.multiplier + n * cost.per_char
    per_attempt *= _branch_factor(cost.branching) * cost.weight
    if attempts_per_char:
        return (n + 1) * per_attempt + n
    return per_attempt


def _max_input(cost: _Cost, attempts_per_char: bool) -> int:
    """Longest input (at most MAX_INPUT) whose worst case stays within BUDGET_STEPS."""
    if _steps(cost, MAX_INPUT, attempts_per_char) <= BUDGET_STEPS:
        return MAX_INPUT
    lo, hi = 0, MAX_INPUT
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if _steps(cost, mid, attempts_per_char) <= BUDGET_STEPS:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _uncapture(items: Any, state: Any) -> Any:
    """``items`` with every capturing group made non-capturing (the boolean result is the same without
    backreferences, and the engine saves no group marks while backtracking)."""
    out = []
    for op, av in items:
        if op is _sre_c.SUBPATTERN:
            _, add, delete, body = av
            av = (None, add, delete, _uncapture(body, state))
        elif op in _REPEATS or op is _POSSESSIVE:
            av = (av[0], av[1], _uncapture(av[2], state))
        elif op is _sre_c.BRANCH:
            av = (av[0], [_uncapture(alt, state) for alt in av[1]])
        elif op is _ATOMIC:
            av = _uncapture(av, state)
        elif op in _ASSERTS:
            av = (av[0], _uncapture(av[1], state))
        out.append((op, av))
    return _sre_parse.SubPattern(state, out)


def _engine(items: Any, state: Any) -> re.Pattern[str] | None:
    """A compiled pattern for a parsed sequence (Python's own compiler), or None if this Python's internals
    differ from what this module knows (the caller then runs the original pattern)."""
    try:
        compiled: re.Pattern[str] = _sre_compile.compile(_uncapture(items, state), 0)
    except Exception:  # an internal API that changed: fall back to the plain pattern
        return None
    return compiled


def _unconditionally_nullable(op: Any, av: Any) -> bool:
    """Can this item match the empty string without testing anything (no assertion on that path)?
    Possessive repeats and atomic groups are never dropped (they change what the rest can match)."""
    if op in _REPEATS:
        return av[0] == 0 or all(_unconditionally_nullable(o, a) for o, a in av[2])
    if op is _sre_c.SUBPATTERN:
        return all(_unconditionally_nullable(o, a) for o, a in av[3])
    if op is _sre_c.BRANCH:
        return any(all(_unconditionally_nullable(o, a) for o, a in alt) for alt in av[1])
    return False


def _splice(op: Any, av: Any) -> list[tuple[Any, Any]] | None:
    """The items of a group without flags, or of a repeat of exactly one iteration, else ``None``."""
    if op is _sre_c.SUBPATTERN and not av[1] and not av[2]:
        return list(av[3])
    if op in _REPEATS and av[0] == av[1] == 1:
        return list(av[2])
    return None


def _reduce_for_search(items: list[tuple[Any, Any]], state: Any) -> list[tuple[Any, Any]] | None:
    """A sequence that finds a match in exactly the same strings (``re.search`` as a bool) with fewer steps:
    leading and trailing parts that can match empty are dropped, edge repeats keep their minimum count, edge groups
    are opened. ``None``: the pattern matches the empty string unconditionally, so every string contains a match.

    Why the result is the same: a match of ``N R`` (``N`` can match empty without testing anything) contains a
    match of ``R``, and ``R`` alone extends to one of ``N R`` with ``N`` empty; a match of ``X{m,n} R`` contains
    one of ``X{m} R`` (its last ``m`` iterations) and conversely. Every item still reads the same characters at the
    same places of the string, so assertions (``^``, ``\\b``, lookarounds) see the same text; nothing refers to a
    group (backreferences are refused); possessive repeats and atomic groups are left alone."""
    items = list(items)
    while True:
        if not items:
            return None
        if len(items) == 1 and items[0][0] is _sre_c.BRANCH:
            av = items[0][1]
            alts = []
            for alt in av[1]:
                reduced = _reduce_for_search(list(alt), state)
                if reduced is None:
                    return None
                alts.append(_sre_parse.SubPattern(state, reduced))
            return [(_sre_c.BRANCH, (av[0], alts))]
        head = _splice(*items[0])
        if head is not None:
            items = head + items[1:]
            continue
        tail = _splice(*items[-1])
        if tail is not None:
            items = items[:-1] + tail
            continue
        if _unconditionally_nullable(*items[0]):
            items.pop(0)
            continue
        if _unconditionally_nullable(*items[-1]):
            items.pop()
            continue
        if not _edge_repeats_to_minimum(items):
            return items


def _edge_repeats_to_minimum(items: list[tuple[Any, Any]]) -> bool:
    """Replace a variable repeat ``X{m,n}`` at either end of ``items`` by ``X{m}`` (in place); was one there?"""
    changed = False
    for k in (0, len(items) - 1):
        op, av = items[k]
        if op in _REPEATS and av[1] != av[0]:
            items[k] = (op, (av[0], av[0], av[2]))
            changed = True
    return changed


def _anchored(items: Any, flags: int) -> bool:
    """Can a match only start at the beginning of the string (``\\A``, or ``^`` without MULTILINE), with nothing
    but constant-time assertions before it? (A lookaround before the anchor runs at every start: not anchored.)"""
    for op, av in items:
        if op is _sre_c.AT:
            if av is _sre_c.AT_BEGINNING_STRING or (av is _sre_c.AT_BEGINNING and not flags & _F_MULTILINE):
                return True
            continue  # \\b, $ ...: constant time at each start
        if op is _sre_c.SUBPATTERN:
            sub_flags = (flags | av[1]) & ~av[2]
            if _anchored(av[3], sub_flags):
                return True
            if all(o is _sre_c.AT for o, _ in av[3]):
                continue
            return False
        if op is _sre_c.BRANCH:
            return all(_anchored(alt, flags) for alt in av[1])
        return False
    return False


@dataclass
class _Plan:
    run: Callable[[str], bool]
    max_input: int
    ambiguity: int
    worst_steps: int
    name: str


def _search_plan(items: list[tuple[Any, Any]], state: Any, flags: int, fallback: re.Pattern[str] | None) -> _Plan:
    reduced = _reduce_for_search(items, state)
    if reduced is None:
        return _Plan(lambda s: True, MAX_INPUT, 1, 0, "always")
    engine = _engine(reduced, state)
    if engine is None:
        if fallback is None:
            raise UnsafeRegex("unsupported", "this Python's regex internals are not supported for this pattern")
        engine, reduced = fallback, items
    cost = _analyse(reduced, flags, top=True)
    anchored = _anchored(reduced, flags)
    max_input = _max_input(cost, not anchored)
    if max_input < MIN_INPUT:
        raise UnsafeRegex(
            "quadratic",
            "an unanchored search with this pattern backtracks quadratically (it tries "
            "every start, and a repeat inside runs to the end of the text each time); "
            f"it could only be run on {max_input} characters: anchor it with ^ or "
            "bound its repeats",
        )
    search = engine.search
    quadratic = not anchored and (cost.width is None or cost.per_char > 0)
    kind = "anchored search" if anchored else ("quadratic search" if quadratic else "bounded search")
    return _Plan(
        lambda s: search(s) is not None, max_input, cost.ambiguity, _steps(cost, max_input, not anchored), kind
    )


def _single_class(op: Any, av: Any) -> tuple[Any, Any] | None:
    """The single-character item a repeat body is, if it is one."""
    while op is _sre_c.SUBPATTERN and not av[1] and not av[2] and len(av[3]) == 1:
        op, av = av[3][0]
    return (op, av) if op in _SINGLE else None


def _edge_loop(item: tuple[Any, Any]) -> tuple[Any, Any, int] | None:
    """``(op, av, min)`` if ``item`` is ``C{min,}`` (greedy or lazy) of one character class ``C``."""
    op, av = item
    if op not in _REPEATS or av[1] < _MAXREPEAT or len(av[2]) != 1:
        return None
    single = _single_class(*av[2][0])
    return None if single is None else (*single, int(av[0]))


def _universal_plan(items: list[tuple[Any, Any]], state: Any, flags: int) -> _Plan | None:
    """fullmatch of ``C{m,} A C{k,}`` where ``C`` holds every character ``A`` reads, as "all characters in C and
    ``C{m} A C{k}`` occurs" (``.*foo.*``); one side may be absent (the search is then anchored at that end)."""
    while len(items) == 1 and items[0][0] is _sre_c.SUBPATTERN and not items[0][1][1] and not items[0][1][2]:
        items = list(items[0][1][3])
    if len(items) < 1:
        return None
    head, tail = _edge_loop(items[0]), _edge_loop(items[-1]) if len(items) > 1 else None
    if head is None and tail is None:
        return None
    chosen = head if head is not None else tail
    assert chosen is not None
    cset = _char_set(chosen[0], chosen[1], flags)
    if head is not None and tail is not None and _char_set(tail[0], tail[1], flags) != cset:
        tail = None
    middle = items[(1 if head is not None else 0) : (len(items) - 1 if tail is not None else len(items))]
    inner = _analyse(middle, flags)  # raises if the middle itself is unsafe
    if _difference(inner.chars, cset):
        return None
    core: list[tuple[Any, Any]] = []
    if head is not None:
        core.append((_sre_c.MAX_REPEAT, (head[2], head[2], _sre_parse.SubPattern(state, [head[:2]]))))
    else:
        core.append((_sre_c.AT, _sre_c.AT_BEGINNING_STRING))
    core += middle
    if tail is not None:
        core.append((_sre_c.MAX_REPEAT, (tail[2], tail[2], _sre_parse.SubPattern(state, [tail[:2]]))))
    else:
        core.append((_sre_c.AT, _sre_c.AT_END_STRING))
    every = _engine([(_sre_c.MAX_REPEAT, (0, _sre_c.MAXREPEAT, _sre_parse.SubPattern(state, [chosen[:2]])))], state)
    if every is None:
        return None
    inside = every.fullmatch
    plan = _search_plan(core, state, flags, None)
    found = plan.run
    return _Plan(
        lambda s: inside(s) is not None and found(s),
        plan.max_input,
        plan.ambiguity,
        plan.worst_steps + plan.max_input,
        "class check + " + plan.name,
    )


def _compile(pattern: str, mode: str) -> UserRegex:
    parsed = _parse(pattern)
    flags = parsed.state.flags
    state = parsed.state
    items = list(parsed)
    original = re.compile(pattern)
    # The pattern as written first: exponential backtracking is refused whatever the mode (such a pattern hangs
    # every other validator that meets it); polynomial ambiguity is left to a plan that can bound it.
    try:
        written: _Cost | None = _analyse(items, flags, top=True)
        refusal: UnsafeRegex | None = None
    except UnsafeRegex as exc:
        if exc.code != "ambiguous":
            raise
        written, refusal = None, exc
    if mode == "search":
        plan = _search_plan(items, state, flags, original)
    elif written is not None:
        engine = _engine(items, state) or original
        max_input = _max_input(written, False)
        full = engine.fullmatch
        plan = _Plan(
            lambda s: full(s) is not None, max_input, written.ambiguity, _steps(written, max_input, False), "fullmatch"
        )
    else:
        universal = _universal_plan(items, state, flags)
        if universal is None:
            assert refusal is not None
            raise refusal
        plan = universal
    return UserRegex(pattern, mode, plan.max_input, plan.ambiguity, plan.worst_steps, plan.name, plan.run)
