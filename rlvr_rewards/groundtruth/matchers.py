"""Argument matchers: how a ground-truth argument value is compared with what the model wrote.

Contract:
- A ground-truth value is either plain JSON (compared with :func:`json_equal`: JSON types are strict,
  so ``true`` never equals ``1`` and ``"1"`` never equals ``1``; numbers compare by value, so ``1``
  equals ``1.0``; objects compare key by key; arrays element by element, in order), or a *matcher*:
  an object with exactly one key starting with ``$`` (plus that matcher's options)::

      {"$any": [v1, v2, ...]}                      any of these values (each may be a matcher)
      {"$approx": 3.14, "abs": 0.01, "rel": 0.0}   numeric tolerance (|x - v| <= max(abs, rel*|v|))
      {"$unordered": [v1, v2]}                     an array equal to this one as a multiset
      {"$optional": v}                             may be absent; if present must match v
      {"$optional": v, "default_ok": true}         (same; absent counts as the default v)
      {"$text": "New York", "normalize": [...]}    string equal after normalisation; steps among
                                                   "case", "whitespace", "punctuation", "quotes"
                                                   (default: those four), or "bfcl": exactly BFCL's
                                                   standardize_string (drop spaces and ,./-_*^,
                                                   lowercase, ' -> ")
      {"$regex": "[A-Z]{3}"}                       the whole string matches (Python ``re.fullmatch``)
      {"$literal": {...}}                          this value verbatim, even if it has ``$`` keys
      {"$none": null}                              no value is acceptable, nor absence (``validate`` flags it)

- Compilation happens once per ground truth (errors raise :class:`GroundTruthError` with the path of the
  bad value); matching is a plain function call ``matcher(value) -> bool`` that never raises.
- Bounded work: each compiled matcher carries :attr:`CompiledMatcher.cost`, an upper bound (computed at
  compile time) of the work one ``match`` call takes on *any* value, in units of one node visit or one
  cheap comparison. A plain value costs its node count (:func:`json_equal` walks the truth, never more of
  the value than that); a container matcher checks the value's length before looking inside. ``$unordered``
  of n items is O(n) when every item is plain JSON (multiset equality of :func:`json_key` keys, the
  model's items never inserted into a hash table, so colliding hashes cannot slow it) and otherwise at
  most (distinct matcher items) x n matcher calls plus an iterative bipartite flow
  (:func:`rlvr_rewards.scoring.matching.max_b_matching`).
- Depth-safe: :func:`json_equal` and :func:`json_key` are iterative; a built-in matcher adds one Python
  frame per level of the truth's nesting (ground truths are at most ``TRUTH_MAX_DEPTH`` = 100 deep), so a
  match never comes near the interpreter's recursion limit.
- Matchers are registered through the ``register_matchers`` hook, so plugins can add ``$keys``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from rlvr_rewards.errors import GroundTruthError
from rlvr_rewards.groundtruth.userregex import MAX_INPUT as USER_REGEX_MAX_INPUT
from rlvr_rewards.groundtruth.userregex import UnsafeRegex, compile_user_regex
from rlvr_rewards.scoring.matching import b_matching_work, max_b_matching

__all__ = [
    "CompiledMatcher",
    "MatcherSpec",
    "MatcherTable",
    "compile_value",
    "json_equal",
    "json_key",
    "normalize_text",
]

#: Longest string a user regex is run against; a longer string never matches (some patterns get less, see
#: :mod:`rlvr_rewards.groundtruth.userregex`, which checks every user pattern).
REGEX_MAX_INPUT = USER_REGEX_MAX_INPUT


#: Regex engine steps per work unit: the ``cost`` of a ``$regex`` match is ``1 + worst_steps // this``, where
#: ``worst_steps`` is userregex's bound for the pattern's worst input (one unit, about 0.2 us, is about 50
#: steps of CPython's regex engine: 500,000 steps measured 2 ms).
REGEX_STEPS_PER_UNIT: Final = 50


@dataclass(frozen=True, slots=True)
class CompiledMatcher:
    """A compiled truth value: ``match(value) -> bool``; ``optional`` allows absence.

    ``cost`` is an upper bound of the work one ``match(value)`` call takes on *any* value, in work units (one
    node visit or one cheap comparison: comparing or hashing a string counts one unit; the one exception
    is ``$text``, whose normalisation of the value's string is linear in that string's length, see
    ``compile_text``). Built-in matchers set it (module docs); a third-party matcher that does not set it
    gets 1, so a plugin whose match does more than constant work should set it (typically 1 + the ``cost``
    of the values it compiled)."""

    match: Callable[[Any], bool]
    optional: bool = False
    plain: bool = True  # the truth value was plain JSON (no matcher anywhere inside)
    description: str = ""
    #: for ``$text``: ``(steps, normalised target)``, so ``$any`` of texts can normalise a value once
    text: tuple[tuple[str, ...], str] | None = None
    #: upper bound of the work units of one ``match`` on any value (see the class docs)
    cost: int = 1


#: A matcher compiler: ``compile(spec_object, compile_value, path) -> CompiledMatcher`` where
#: ``compile_value(value, path)`` compiles nested values and ``path`` locates errors.
MatcherCompiler = Callable[[dict[str, Any], Callable[[Any, str], CompiledMatcher], str], CompiledMatcher]


@dataclass(frozen=True, slots=True)
class MatcherSpec:
    """A matcher registered under ``key`` (which must start with ``$``)."""

    key: str
    compile: MatcherCompiler
    description: str = ""


@dataclass(frozen=True, slots=True)
class MatcherTable:
    """The matchers a ground truth is compiled with: ``$key -> MatcherSpec``, and the plugin generation they
    were registered under (:func:`rlvr_rewards.plugins.registry_generation`). The registry hands one to truth
    compilation (``Registry.matcher_table``); a truth compiled with one generation is never reused under
    another (:mod:`rlvr_rewards.groundtruth.truths`)."""

    specs: Mapping[str, MatcherSpec]
    generation: int


def _is_number(v: Any) -> bool:
    return (isinstance(v, (int, float))) and not isinstance(v, bool)


def json_equal(a: Any, b: Any) -> bool:
    """Equality under JSON types: bool, number, string, null, array, object never cross-match.

    Iterative (an explicit stack: any depth is safe); it visits at most the node count of ``a`` (containers
    are compared by length before their items), however large ``b`` is. The loop handles the usual nodes
    inline (a ``dict`` or ``list``; a ``str``, ``int``, ``bool`` or ``None`` equal to a value of the same exact
    type); every other node (a float, an int against a float, a subclass, a bool against a non-bool, a
    non-JSON value, two different leaves) goes to :func:`_json_node_equal`, which applies the full rules."""
    ta = type(a)
    if ta is str:  # the common cases first: a string, or a scalar against one of the same exact type
        return isinstance(b, str) and bool(a == b)
    if ta is type(b) and (ta is int or ta is bool or a is None):
        return bool(a == b)
    stack: list[tuple[Any, Any]] = [(a, b)]
    pop = stack.pop
    push = stack.append
    while stack:
        a, b = pop()
        ta = type(a)
        if ta is dict:
            if not isinstance(b, dict) or len(a) != len(b):
                return False
            for k, v in a.items():
                if k not in b:
                    return False
                push((v, b[k]))
        elif ta is list:
            if not isinstance(b, list) or len(a) != len(b):
                return False
            stack.extend(zip(a, b, strict=True))
        elif ta is type(b) and (ta is str or ta is int or ta is bool or a is None) and a == b:
            continue  # equal leaves of the same exact type, the usual case
        elif not _json_node_equal(a, b, stack):  # any other node, under the full rules (a mismatch ends here)
            return False
    return True


def _json_node_equal(a: Any, b: Any, stack: list[tuple[Any, Any]]) -> bool:
    """One node of :func:`json_equal`'s walk under the full rules: can ``a`` and ``b`` still be equal? The
    items of two containers (subclasses of ``list`` or ``dict`` arrive here) are pushed on ``stack``.

    A bool equals only the same bool; a number (int or float, never a bool) equals a number of the same value,
    a non-finite ``a`` nothing; a string equals an equal string; ``None`` only ``None``; arrays of the same
    length and objects of the same keys go on to their items; anything else equals nothing."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a is b
    if isinstance(a, (int, float)):  # neither is a bool here
        return isinstance(b, (int, float)) and (not isinstance(a, float) or math.isfinite(a)) and bool(a == b)
    if isinstance(a, str):
        return isinstance(b, str) and bool(a == b)
    if a is None:
        return b is None
    if isinstance(a, list):
        if not isinstance(b, list) or len(a) != len(b):
            return False
        stack.extend(zip(a, b, strict=True))
        return True
    if isinstance(a, dict):
        if not isinstance(b, dict) or len(a) != len(b):
            return False
        for k, v in a.items():
            if k not in b:
                return False
            stack.append((v, b[k]))
        return True
    return False


#: :func:`json_key` of a value equal to no ground-truth value: an object equal only to itself, which is
#: never a key of a table built from ground-truth values.
NO_KEY: Final = object()


def json_key(value: Any, limit: int | None = None, depth: int | None = None) -> Hashable:
    """A hashable key that respects :func:`json_equal` exactly: for a finite JSON value ``a`` (any ground-truth
    value) and any value ``b``, ``json_key(a) == json_key(b)`` if and only if ``json_equal(a, b)``.

    Strings, numbers and null are their own keys (``1 == 1.0`` and ``hash(1) == hash(1.0)``, as in
    ``json_equal``); a bool is ``("b", value)`` (so ``true`` never meets ``1``); an array is ``("l", item keys)``
    and an object ``("d", frozenset of (key, value key))``. A value with a non-finite number or a non-JSON
    type gets :data:`NO_KEY` (it equals no ground-truth value), and so does one with more than ``limit``
    nodes or more than ``depth`` levels of nesting (a value equal to one within those bounds is within them
    too). Built iteratively, visiting at most ``limit`` nodes; a key nests as deeply as the value, and
    hashing or comparing it recurses in C once per level (harmless within ``depth`` <= 100)."""
    t = type(value)
    if t is str or t is int or value is None or (t is float and math.isfinite(value)):
        same: Hashable = value  # (the value itself: a typed name for mypy, no call on the hot path)
        return same
    out: list[Hashable] = []
    todo: list[tuple[Any, int]] = [(value, 1)]  # (value, its depth), or (container, 0) once its items are done
    budget = -1 if limit is None else limit - 1  # nodes left after the root
    deepest = -1 if depth is None else depth
    while todo:
        v, level = todo.pop()
        if not level:
            start = len(out) - len(v)
            if isinstance(v, list):
                key: Hashable = ("l", tuple(out[start:]))
            else:
                key = ("d", frozenset(zip(v, out[start:], strict=True)))
            del out[start:]
            out.append(key)
            continue
        t = type(v)
        if t is str or t is int or v is None:
            out.append(v)
        elif t is bool:
            out.append(("b", v))
        elif isinstance(v, (int, float)):
            if isinstance(v, float) and not math.isfinite(v):
                return NO_KEY
            out.append(int(v) if isinstance(v, int) else float(v))
        elif isinstance(v, str):
            out.append(str.__str__(v))
        elif isinstance(v, (list, dict)):
            budget -= len(v)  # each item is at least one node: refuse before walking a too-large container
            if (limit is not None and budget < 0) or (depth is not None and level > deepest):
                return NO_KEY
            todo.append((v, 0))
            level += 1
            todo.extend((c, level) for c in reversed(v if isinstance(v, list) else list(v.values())))
        else:
            return NO_KEY
    return out[0]


def json_size(value: Any) -> tuple[int, int]:
    """``(nodes, depth)`` of a (trusted) value: 1 node per scalar, array and object (object keys not
    counted); a scalar has depth 0, ``[]`` and ``[1]`` depth 1. Iterative."""
    count = deepest = 0
    todo: list[tuple[Any, int]] = [(value, 0)]
    while todo:
        v, level = todo.pop()
        count += 1
        if isinstance(v, (dict, list)):
            level += 1
            deepest = max(deepest, level)
            todo.extend((c, level) for c in (v.values() if isinstance(v, dict) else v))
    return count, deepest


_PUNCT_CHARS = ",./-_*^!?;:()[]{}'\"`"
_PUNCT = str.maketrans("", "", _PUNCT_CHARS)
_WS_RE = re.compile(r"\s+")
_QUOTES = str.maketrans({"\u2018": '"', "\u2019": '"', "\u201c": '"', "\u201d": '"', "'": '"'})
_UNICODE_QUOTES = ("\u2018", "\u2019", "\u201c", "\u201d")  # (and "'"): what the "quotes" step turns into '"'
NORMALIZE_STEPS = ("case", "whitespace", "punctuation", "quotes")
#: Every step ``$text`` accepts: the default four plus ``"bfcl"`` (BFCL's ``standardize_string``, exactly).
TEXT_STEPS = (*NORMALIZE_STEPS, "bfcl")
_BFCL_DROP_CHARS = " ,./-_*^"
_BFCL_DROP = str.maketrans("", "", _BFCL_DROP_CHARS)
# the same deletions as bytes.translate arguments (_PUNCT, _BFCL_DROP, _QUOTES, _WS_RE: the str.translate and
# regex forms of the steps, kept as the reference the tests compare normalize_text with)
_PUNCT_BYTES = _PUNCT_CHARS.encode("ascii")
_BFCL_DROP_BYTES = _BFCL_DROP_CHARS.encode("ascii")
_ASCII_SPACE_BYTES = bytes(c for c in range(128) if chr(c).isspace())  # what \s matches in ASCII text


def _drop(value: str, chars: bytes) -> str:
    """``value`` without the (ASCII) characters ``chars``, deleted in C by ``bytes.translate`` for any text: in
    UTF-8 an ASCII byte always is that character (every byte of a multi-byte sequence is >= 0x80), and
    ``surrogatepass`` carries lone surrogates through unchanged."""
    if value.isascii():
        return value.encode("ascii").translate(None, chars).decode("ascii")
    return value.encode("utf-8", "surrogatepass").translate(None, chars).decode("utf-8", "surrogatepass")


def normalize_text(value: str, steps: tuple[str, ...] = NORMALIZE_STEPS) -> str:
    """Apply normalisation ``steps`` to a string (see module docs). Linear: a few C-level passes over the
    string, never a per-character Python step or table look-up (``str.split`` splits on exactly the
    characters ``\\s`` matches, ``str.isspace``); about 1-5 ms on 200,000 characters, the longest
    completion (``tests/test_unordered_bounds.py`` measures it)."""
    if "bfcl" in steps:
        value = _drop(value, _BFCL_DROP_BYTES).lower().replace("'", '"')
    if "quotes" in steps:
        value = value.replace("'", '"')
        if not value.isascii():
            for quote in _UNICODE_QUOTES:
                value = value.replace(quote, '"')
    if "punctuation" in steps:
        value = _drop(value, _PUNCT_BYTES)
    if "whitespace" in steps:
        if "punctuation" not in steps:
            value = " ".join(value.split())
        elif value.isascii():
            value = _drop(value, _ASCII_SPACE_BYTES)
        else:
            value = "".join(value.split())
    if "case" in steps:
        value = value.casefold()
    return value


#: Recently normalised long strings: ``(id(value), steps) -> (value, normalised)``. A predicted string is compared
#: with every expected call of its name in turn (``scoring/calls.py``), so without this a 200,000-character
#: argument against 64 ``$text`` truths would be normalised 64 times; with it, once. The value itself is kept
#: (so its id is not reused while it is a key) and at most ``_MEMO_SLOTS`` entries live at a time.
_NORM_MEMO: dict[tuple[int, tuple[str, ...]], tuple[str, str]] = {}
_MEMO_SLOTS = 8
_MEMO_MIN_LENGTH = 256


def _normalized(value: str, steps: tuple[str, ...]) -> str:
    """:func:`normalize_text`, remembered for the last few long strings (see ``_NORM_MEMO``)."""
    if len(value) < _MEMO_MIN_LENGTH:
        return normalize_text(value, steps)
    key = (id(value), steps)
    hit = _NORM_MEMO.get(key)
    if hit is not None and hit[0] is value:
        return hit[1]
    out = normalize_text(value, steps)
    if len(_NORM_MEMO) >= _MEMO_SLOTS:
        _NORM_MEMO.clear()
    _NORM_MEMO[key] = (value, out)
    return out


def _plain(value: Any, cost: int | None = None) -> CompiledMatcher:
    """Equality under JSON types with ``value``; strings and numbers get a direct check (same result as
    :func:`json_equal`, one call less on the hot path). ``cost``: the node count of ``value`` if known."""
    if type(value) is str:
        return CompiledMatcher(match=lambda got: isinstance(got, str) and got == value, plain=True)
    if type(value) is int or (type(value) is float and math.isfinite(value)):
        return CompiledMatcher(
            match=lambda got: isinstance(got, (int, float)) and not isinstance(got, bool) and got == value,
            plain=True,
        )

    def match(got: Any) -> bool:
        return json_equal(value, got)

    return CompiledMatcher(match=match, plain=True, cost=json_size(value)[0] if cost is None else cost)


def _err(path: str, message: str, expected: str, got: Any) -> GroundTruthError:
    return GroundTruthError(message, field=path, expected=expected, got=got)


def _options(spec: dict[str, Any], key: str, allowed: set[str], path: str) -> None:
    extra = set(spec) - {key} - allowed
    if extra:
        raise _err(
            path,
            f"unknown option(s) {sorted(extra)} for matcher {key}",
            f"only {sorted(allowed) or 'no options'}",
            spec,
        )


def compile_any(
    spec: dict[str, Any], compile_value: Callable[[Any, str], CompiledMatcher], path: str
) -> CompiledMatcher:
    _options(spec, "$any", set(), path)
    options = spec["$any"]
    if not isinstance(options, list) or not options:
        raise _err(path, "$any needs a non-empty list of acceptable values", "a non-empty list", options)
    subs = [compile_value(v, f"{path}.$any[{i}]") for i, v in enumerate(options)]
    cost = 1 + sum(s.cost for s in subs)
    texts = [s.text for s in subs]
    if all(t is not None for t in texts) and len({t[0] for t in texts if t is not None}) == 1:
        # only texts under the same steps (BFCL's string answers): normalise the value once, look it up
        steps = texts[0][0] if texts[0] is not None else ()
        wants = frozenset(t[1] for t in texts if t is not None)
        return CompiledMatcher(
            match=lambda got: isinstance(got, str) and _normalized(got, steps) in wants,
            plain=False,
            description="any of",
            cost=cost,
        )
    fns = tuple(s.match for s in subs)

    def match(got: Any) -> bool:
        for f in fns:  # a loop, not any(genexpr): one Python frame per level of nesting
            if f(got):
                return True
        return False

    return CompiledMatcher(match=match, plain=False, description="any of", cost=cost)


def compile_approx(
    spec: dict[str, Any], compile_value: Callable[[Any, str], CompiledMatcher], path: str
) -> CompiledMatcher:
    _options(spec, "$approx", {"abs", "rel"}, path)
    target = spec["$approx"]
    abs_tol = spec.get("abs", 0.0)
    rel_tol = spec.get("rel", 1e-9 if "abs" not in spec else 0.0)
    for name, v in (("$approx", target), ("abs", abs_tol), ("rel", rel_tol)):
        if not _is_number(v) or not math.isfinite(v) or (name != "$approx" and v < 0):
            raise _err(
                f"{path}.{name}",
                f"{name} must be a finite{' non-negative' if name != '$approx' else ''} number",
                "a number",
                v,
            )
    tol = max(float(abs_tol), float(rel_tol) * abs(float(target)))

    def match(got: Any) -> bool:
        if not _is_number(got):
            return False
        try:
            within: bool = abs(float(got) - target) <= tol
            return within
        except OverflowError:
            return False

    return CompiledMatcher(match=match, plain=False, description="approximately", cost=1)


def compile_unordered(
    spec: dict[str, Any], compile_value: Callable[[Any, str], CompiledMatcher], path: str
) -> CompiledMatcher:
    """``$unordered``: is there a perfect matching between the truth's items and the value's items?

    - Every item plain JSON: multiset equality of :func:`json_key` keys, O(n) (each of the value's items is
      keyed with at most as many nodes as the largest truth item, then looked up in the truth's table).
    - Otherwise the truth's items are grouped into *truth groups* of identical items: plain items by key,
      ``$text`` items by (steps, normalised target), other matcher items by their source text (identical
      specs compile to the same matcher, assuming, as everywhere, that a matcher's verdict depends on its
      spec and the value only). Each of the value's items gets the set of truth groups that accept it: one
      table look-up for the plain groups, one normalisation and look-up per set of ``$text`` steps, and one
      call per other group (so at most n * n matcher calls, n for n equal items). Value items accepted by
      the same groups are interchangeable and merge into one *kind* counted with its multiplicity. The
      answer is whether the bipartite graph (truth groups, capacity = their sizes) x (kinds, capacity =
      their counts) carries a flow of n (:func:`~rlvr_rewards.scoring.matching.max_b_matching`): exactly
      the perfect-matching question of the uncompressed n x n graph, since splitting every node back into
      its units turns any such flow into a perfect matching and back. When every kind has a single
      accepting group (plain items and ``$text`` items of one set of steps, say) no flow is needed: each
      group must receive exactly its size.
    """
    _options(spec, "$unordered", set(), path)
    items = spec["$unordered"]
    if not isinstance(items, list):
        raise _err(path, "$unordered needs a list", "a list", items)
    groups = _group_unordered(items, compile_value, path)
    if not groups.text_caps and not groups.other_caps:
        return _multiset_matcher(groups, len(items))
    return _flow_matcher(groups, len(items))


@dataclass(slots=True)
class _TruthGroups:
    """The items of one ``$unordered`` truth grouped into truth groups of identical items: plain, ``$text`` and
    other groups, each numbered from 0 in order of first appearance (``*_caps[g]``: how many truth items
    group ``g`` holds)."""

    plain_index: dict[Hashable, int] = field(default_factory=dict)  # plain item key -> plain group
    plain_caps: list[int] = field(default_factory=list)
    limit: int = 0  # nodes and nesting of the largest plain item: a larger value item equals none of them
    depth: int = 0
    #: $text steps -> normalised target -> text group
    text_index: dict[tuple[str, ...], dict[str, int]] = field(default_factory=dict)
    text_caps: list[int] = field(default_factory=list)
    text_cost: int = 0  # the largest cost of one $text item
    by_source: dict[str, int] = field(default_factory=dict)  # other matcher item's source text -> other group
    other_fns: list[Callable[[Any], bool]] = field(default_factory=list)
    other_caps: list[int] = field(default_factory=list)
    other_cost: int = 0  # the largest cost of one other matcher item


def _group_unordered(items: list[Any], compile_value: Callable[[Any, str], CompiledMatcher], path: str) -> _TruthGroups:
    """Compile the items of ``$unordered`` (at ``path``) and group them (see :func:`compile_unordered`)."""
    groups = _TruthGroups()
    for i, v in enumerate(items):
        sub = compile_value(v, f"{path}.$unordered[{i}]")
        key = json_key(v) if sub.plain else NO_KEY
        if key is not NO_KEY:
            caps, g = groups.plain_caps, groups.plain_index.setdefault(key, len(groups.plain_caps))
            nodes, levels = json_size(v)
            groups.limit, groups.depth = max(groups.limit, nodes), max(groups.depth, levels)
        elif sub.text is not None:
            table = groups.text_index.setdefault(sub.text[0], {})
            caps, g = groups.text_caps, table.setdefault(sub.text[1], len(groups.text_caps))
            groups.text_cost = max(groups.text_cost, sub.cost)
        else:
            caps, g = groups.other_caps, groups.by_source.setdefault(repr(v), len(groups.other_caps))
            if g == len(groups.other_fns):
                groups.other_fns.append(sub.match)
            groups.other_cost = max(groups.other_cost, sub.cost)
        if g == len(caps):
            caps.append(0)
        caps[g] += 1
    return groups


def _multiset_matcher(groups: _TruthGroups, n: int) -> CompiledMatcher:
    """``$unordered`` of ``n`` plain items: multiset equality of :func:`json_key` keys, O(n)."""
    counts = {k: groups.plain_caps[g] for k, g in groups.plain_index.items()}
    limit, depth = groups.limit, groups.depth

    def match_plain(got: Any) -> bool:
        if not isinstance(got, list) or len(got) != n:
            return False
        left = dict(counts)  # only looked up with the value's keys, never grown by them
        for g in got:
            t = type(g)
            k = g if t is str or t is int else json_key(g, limit, depth)
            c = left.get(k, 0)
            if not c:
                return False
            left[k] = c - 1
        return True

    return CompiledMatcher(match=match_plain, plain=False, description="in any order", cost=1 + n * (limit + 1))


def _flow_matcher(groups: _TruthGroups, n: int) -> CompiledMatcher:
    """``$unordered`` of ``n`` items, some of them matchers: the value's items grouped into kinds by the truth
    groups accepting them, then :func:`_fills_groups` (see :func:`compile_unordered`)."""
    # left nodes: plain groups, then text groups, then other groups
    n_plain, n_text = len(groups.plain_caps), len(groups.text_caps)
    caps_all = groups.plain_caps + groups.text_caps + groups.other_caps
    text_tables = tuple(
        (steps, {want: n_plain + g for want, g in table.items()}) for steps, table in groups.text_index.items()
    )
    others = tuple(enumerate(groups.other_fns, start=n_plain + n_text))
    plain_index, limit, depth = groups.plain_index, groups.limit, groups.depth

    def match_general(got: Any) -> bool:
        if not isinstance(got, list) or len(got) != n:
            return False
        kinds: dict[tuple[int, ...], int] = {}  # accepting truth groups -> how many of the value's items
        for g in got:
            accepting: list[int] = []
            if n_plain:
                p = plain_index.get(json_key(g, limit, depth), -1)
                if p >= 0:
                    accepting.append(p)
            if text_tables and isinstance(g, str):
                for steps, table in text_tables:
                    t = table.get(_normalized(g, steps), -1)
                    if t >= 0:
                        accepting.append(t)
            for a, f in others:
                if f(g):
                    accepting.append(a)
            if not accepting:
                return False  # no truth item accepts it
            kind = tuple(accepting)
            kinds[kind] = kinds.get(kind, 0) + 1
        return _fills_groups(kinds, caps_all, n)

    cost = _flow_matcher_cost(groups, n)
    return CompiledMatcher(match=match_general, plain=False, description="in any order", cost=cost)


def _fills_groups(kinds: dict[tuple[int, ...], int], caps: list[int], n: int) -> bool:
    """Can the ``n`` items of the value, ``kinds`` (accepting truth groups -> how many items), fill every truth
    group to exactly its size ``caps[g]`` (``sum(caps) == n``): a flow of ``n`` in the bipartite graph?"""
    if all(len(kind) == 1 for kind in kinds):  # every item has one place to go: fill each group exactly
        received = [0] * len(caps)
        for kind, count in kinds.items():
            received[kind[0]] += count
        return received == caps
    return max_b_matching(caps, list(kinds.values()), _adjacency(len(caps), kinds)) == n


def _flow_matcher_cost(groups: _TruthGroups, n: int) -> int:
    """The ``cost`` of :func:`_flow_matcher`'s match on ``n`` items: per item, the plain key, one look-up per
    set of text steps, one call per other group; then the flow on at most ``min(n, choices)`` kinds."""
    n_plain, n_text_tables, n_others = len(groups.plain_caps), len(groups.text_index), len(groups.other_fns)
    n_groups = n_plain + len(groups.text_caps) + len(groups.other_caps)
    degree = (1 if n_plain else 0) + n_text_tables + n_others  # most truth groups accepting one item
    per_item = (
        (groups.limit + 1 if n_plain else 0)
        + n_text_tables * (groups.text_cost + 1)
        + n_others * (groups.other_cost + 1)
    )
    # distinct kinds: one plain group or none, one group of each text table or none, any subset of the others
    choices = n_plain + 1
    for table in groups.text_index.values():
        choices *= len(table) + 1
    choices *= 2 ** min(n_others, 64)
    n_kinds = min(n, choices)
    n_edges = n_kinds * degree
    flow = n_kinds if degree <= 1 else b_matching_work(n, n_groups, n_kinds, n_edges)
    return 1 + n * (per_item + degree + 2) + flow


def _adjacency(n_left: int, kinds: dict[tuple[int, ...], int]) -> list[list[int]]:
    """Left node -> the kinds (numbered in the dict's order) it accepts."""
    adj: list[list[int]] = [[] for _ in range(n_left)]
    for r, kind in enumerate(kinds):
        for a in kind:
            adj[a].append(r)
    return adj


def compile_optional(
    spec: dict[str, Any], compile_value: Callable[[Any, str], CompiledMatcher], path: str
) -> CompiledMatcher:
    _options(spec, "$optional", {"default_ok"}, path)
    inner = compile_value(spec["$optional"], f"{path}.$optional")
    return CompiledMatcher(match=inner.match, optional=True, plain=False, description="optional", cost=inner.cost)


def compile_text(
    spec: dict[str, Any], compile_value: Callable[[Any, str], CompiledMatcher], path: str
) -> CompiledMatcher:
    """``$text``. ``cost``: the target's length + 1, the comparison of the normalised strings. Not counted in
    it: a string value is normalised first, a few C-level passes linear in *the value's* length (5-25 ns a
    character: on 200,000 characters, the longest completion, about 1 ms for ASCII text and 5 ms for other
    text with the default steps; ``tests/test_unordered_bounds.py`` measures it), bounded by the
    completion's length rather than by the truth. Anything but a string is refused in one check."""
    _options(spec, "$text", {"normalize"}, path)
    target = spec["$text"]
    if not isinstance(target, str):
        raise _err(path, "$text needs a string", "a string", target)
    steps = spec.get("normalize", list(NORMALIZE_STEPS))
    if not isinstance(steps, list) or any(s not in TEXT_STEPS for s in steps):
        raise _err(f"{path}.normalize", "unknown normalisation step", f"a list drawn from {list(TEXT_STEPS)}", steps)
    st = tuple(steps)
    want = normalize_text(target, st)
    return CompiledMatcher(
        match=lambda got: isinstance(got, str) and _normalized(got, st) == want,
        plain=False,
        description="text",
        text=(st, want),
        cost=len(target) + 1,
    )


def compile_regex(
    spec: dict[str, Any], compile_value: Callable[[Any, str], CompiledMatcher], path: str
) -> CompiledMatcher:
    _options(spec, "$regex", set(), path)
    pattern = spec["$regex"]
    if not isinstance(pattern, str):
        raise _err(path, "$regex needs a pattern string", "a string", pattern)
    try:
        rx = compile_user_regex(pattern, "fullmatch")
    except UnsafeRegex as exc:
        raise _err(
            path,
            f"unusable regular expression: {exc.reason}",
            "a Python regular expression that cannot backtrack catastrophically (docs/ground-truth.md, $regex)",
            pattern,
        ) from None
    matches = rx.matches  # bounded: at most rx.max_input characters, a proven number of engine steps
    return CompiledMatcher(
        match=lambda got: isinstance(got, str) and matches(got),
        plain=False,
        description="regex",
        cost=1 + rx.worst_steps // REGEX_STEPS_PER_UNIT,
    )


def compile_none(
    spec: dict[str, Any], compile_value: Callable[[Any, str], CompiledMatcher], path: str
) -> CompiledMatcher:
    _options(spec, "$none", set(), path)
    return CompiledMatcher(match=lambda got: False, plain=False, description="no acceptable value", cost=1)


def compile_literal(
    spec: dict[str, Any], compile_value: Callable[[Any, str], CompiledMatcher], path: str
) -> CompiledMatcher:
    """``$literal``: equality with the wrapped value. Not ``plain``: the truth's text holds the ``$literal``
    wrapper, so code that compares plain truth values directly (an enclosing object or array, ``$unordered``,
    the blog and ToolRL scorers' ``plain_arguments``) must go through this matcher instead."""
    _options(spec, "$literal", set(), path)
    inner = _plain(spec["$literal"])
    return CompiledMatcher(match=inner.match, plain=False, description="literal", cost=inner.cost)


BUILTIN_MATCHERS: tuple[MatcherSpec, ...] = (
    MatcherSpec("$any", compile_any, "any of several acceptable values"),
    MatcherSpec("$approx", compile_approx, "numeric tolerance (abs / rel)"),
    MatcherSpec("$unordered", compile_unordered, "array compared as a multiset"),
    MatcherSpec("$optional", compile_optional, "argument may be absent"),
    MatcherSpec("$text", compile_text, "string equal after normalisation"),
    MatcherSpec("$regex", compile_regex, "string fully matching a regular expression"),
    MatcherSpec("$literal", compile_literal, "a value taken verbatim"),
    MatcherSpec("$none", compile_none, "no value is acceptable (an unsatisfiable truth, e.g. BFCL's empty list)"),
)


def _matcher_key(value: dict[str, Any]) -> str | None:
    keys = [k for k in value if isinstance(k, str) and k.startswith("$")]
    if not keys:
        return None
    return keys[0] if len(keys) == 1 else "__many__"


def compile_value(value: Any, path: str, matchers: dict[str, MatcherSpec] | Any) -> CompiledMatcher:
    """Compile one ground-truth value (plain JSON or matcher) found at ``path``. A plain value's ``cost`` is
    its node count; an object or array holding matchers costs 1 (+ 1 per key for objects) + its values'.
    Nested values are compiled from this frame (the helpers run before or after, never in between, so they add
    no Python frame per level of nesting)."""

    def recurse(v: Any, p: str) -> CompiledMatcher:
        return compile_value(v, p, matchers)

    if isinstance(value, float) and not math.isfinite(value):
        raise _err(path, "ground-truth numbers must be finite", "a finite number", value)
    if isinstance(value, dict):
        key = _matcher_key(value)
        if key is not None:
            return _matcher_spec(key, value, path, matchers).compile(value, recurse, path)
        subs: dict[str, CompiledMatcher] = {}
        for k, v in value.items():  # loops, not comprehensions: fewer Python frames per nesting level
            subs[k] = recurse(v, f"{path}.{k}")
        return _object_matcher(value, subs)
    if isinstance(value, list):
        items: list[CompiledMatcher] = []
        for i, v in enumerate(value):
            items.append(recurse(v, f"{path}[{i}]"))
        return _array_matcher(value, items)
    if value is None or isinstance(value, (str, bool, int, float)):
        return _plain(value)
    raise _err(path, "ground-truth values must be JSON", "a JSON value", value)


def _matcher_spec(key: str, value: dict[str, Any], path: str, matchers: dict[str, MatcherSpec] | Any) -> MatcherSpec:
    """The registered matcher of a matcher object's ``$key`` (``"__many__"``: more than one ``$``-key, refused)."""
    if key == "__many__":
        raise _err(path, "a matcher object has exactly one $-key", "e.g. {'$any': [...]}", value)
    spec: MatcherSpec | None = matchers.get(key)
    if spec is None:
        raise _err(
            path,
            f"unknown matcher {key}",
            f"one of {sorted(matchers)} (or wrap a literal object in $literal)",
            value,
        )
    return spec


def _object_matcher(value: dict[str, Any], subs: dict[str, CompiledMatcher]) -> CompiledMatcher:
    """The matcher of a truth object ``value`` whose values compiled to ``subs``: plain equality when every
    value is plain JSON, else key by key (every key of the value must be a truth key; optional ones may be
    absent)."""
    cost = 1 + sum(s.cost for s in subs.values())
    if all(s.plain for s in subs.values()):
        return _plain(value, cost)
    required = frozenset(k for k, s in subs.items() if not s.optional)
    n_keys = len(subs)

    def match_obj(got: Any) -> bool:
        # every key of the value must be a truth key: more keys than the truth has is refused unread
        if not isinstance(got, dict) or len(got) > n_keys or not required.issubset(got):
            return False
        for k, v in got.items():
            sub = subs.get(k)
            if sub is None or not sub.match(v):
                return False
        return True

    return CompiledMatcher(match=match_obj, plain=False, cost=cost + n_keys)


def _array_matcher(value: list[Any], items: list[CompiledMatcher]) -> CompiledMatcher:
    """The matcher of a truth array ``value`` whose items compiled to ``items``: plain equality when every item
    is plain JSON, else item by item, in order."""
    cost = 1 + sum(s.cost for s in items)
    if all(s.plain for s in items):
        return _plain(value, cost)
    fns = tuple(s.match for s in items)
    n_items = len(fns)

    def match_list(got: Any) -> bool:
        if not isinstance(got, list) or len(got) != n_items:
            return False
        for f, g in zip(fns, got, strict=True):
            if not f(g):
                return False
        return True

    return CompiledMatcher(match=match_list, plain=False, cost=cost)
