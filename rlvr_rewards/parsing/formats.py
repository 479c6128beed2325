"""The built-in completion formats: one parse function per format, and ``BUILTIN_PARSERS``.

Contract of every ``parse_*`` function here:

- input: the *answer* text of a completion (reasoning already removed by the dispatcher);
- output: ``None`` when the format's markers are absent (a couple of ``in``/``startswith`` tests),
  otherwise a :class:`~rlvr_rewards.parsing.types.ParseResult` with the calls it could decode, the
  free text outside the call blocks, ``format`` set to the parser name and every problem recorded as
  a violation code from :data:`~rlvr_rewards.parsing.types.VIOLATIONS`;
- never raises, never evaluates anything (no ``eval``/``exec``/``pickle``, no ``ast``), runs in time
  linear in the length of the text (tags are located with ``str.find`` loops, never with backtracking
  regexes; pythonic calls are read in one pass by :mod:`rlvr_rewards.parsing.pythonic`); a block, segment
  or value whose text repeats is decoded once (:meth:`_Acc.decode_once`: ``<tool_call>{</tool_call>``
  or ``{};`` ten thousand times cost one decode and ten thousand lookups);
- every JSON decode of model output goes through :func:`rlvr_rewards.util.jsonsafe.loads_untrusted`, so
  the resource :class:`~rlvr_rewards.limits.Limits` apply. The limits come from the optional
  ``limits`` argument, else from :func:`current_limits` (set by ``parse_completion`` for the duration
  of one parse, so the ``str -> ParseResult | None`` parser signature stays plain).

Formats (priority: lower is tried first; markers: at least one occurs in every text the format claims;
fence, json, glm_plain and pythonic have none and are always tried):

=========  ===  ==================================  ==============================================================
format     pri  markers                             shape
=========  ===  ==================================  ==============================================================
hermes      10  ``<tool_call>`` ``</tool_call>``    ``<tool_call>{json}</tool_call>`` blocks (Hermes 2 Pro,
                                                    Qwen 2.5 / 3); a block written as a Python literal is read
                                                    (``python_literal_json``); a first block of Qwen3-Coder XML
                                                    or GLM is declined (the ``qwen3_xml`` / ``glm`` formats)
nemotron    20  ``<TOOLCALL>`` ``</TOOLCALL>``      ``<TOOLCALL>[...]</TOOLCALL>`` (Llama 3.1 Nemotron)
mistral     30  ``[TOOL_CALLS]``                    ``[TOOL_CALLS][{...}]`` and ``[TOOL_CALLS]name[ARGS]{...}``
                                                    (repeatable)
llama3      40  ``<|python_tag|>``                  ``<|python_tag|>{"name": ..., "parameters": {...}}``
                                                    (``;``/newline separated)
fence       50  (none)                              a ```json fenced block holding a call object or a list of calls
json        60  (none)                              the whole answer is a call object (``name`` key) or a list of them
glm_plain   65  (none)                              GLM-4 chat: ``NAME`` on a line, then one JSON object of arguments,
                                                    nothing else
pythonic    70  (none)                              ``[f(a=1), g(b="x")]`` or a lone ``f(a=1)``, literal keyword
                                                    arguments only; and the BFCL variants: ``f(a=1); g(b=2)``,
                                                    calls on lines of their own, ``f(a=1), g(b=2)``,
                                                    ``['f(a=1)', "g(b=2)"]``, ``get\\_weather(...)``, a list on its
                                                    own line(s) with prose before or after it
=========  ===  ==================================  ==============================================================
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from itertools import chain, compress, filterfalse, repeat
from operator import attrgetter, is_
from typing import Any, Final, TypeVar

import numpy as np

from rlvr_rewards.limits import DEFAULT_LIMITS, Limits, block_budget
from rlvr_rewards.parsing.markers import MarkerIndex, index_for
from rlvr_rewards.parsing.pythonic import BARE_NAME, decode_pythonic, int_bound, json_like_literal, top_level_statements
from rlvr_rewards.parsing.reasoning import split_think
from rlvr_rewards.parsing.types import ParsedCall, ParseResult, ParserSpec
from rlvr_rewards.parsing.xmlshape import foreign_tool_call_block
from rlvr_rewards.util.jsonsafe import FAIL, loads_untrusted

__all__ = [
    "BUILTIN_PARSERS",
    "FORMAT_MARKERS",
    "call_from_object",
    "current_limits",
    "current_markers",
    "marker_formats",
    "mixed_markers",
    "parse_fence",
    "parse_glm_plain",
    "parse_hermes",
    "parse_hermes_straight",
    "parse_json",
    "parse_llama3",
    "parse_mistral",
    "parse_nemotron",
    "parse_pythonic",
    "parse_pythonic_plain",
    "use_limits",
    "use_markers",
]

# --------------------------------------------------------------------------------------------------
# Limits of the parse in progress
# --------------------------------------------------------------------------------------------------

_LIMITS: ContextVar[Limits] = ContextVar("rlvr_rewards_parse_limits", default=DEFAULT_LIMITS)
_T = TypeVar("_T")


def current_limits() -> Limits:
    """The limits of the parse in progress (``DEFAULT_LIMITS`` outside ``parse_completion``)."""
    return _LIMITS.get()


def use_limits(limits: Limits) -> Callable[[], None]:
    """Make ``limits`` current for this thread/task; returns a function restoring the previous ones."""
    token = _LIMITS.set(limits)
    return lambda: _LIMITS.reset(token)


# --------------------------------------------------------------------------------------------------
# Markers (for ``mixed_formats`` and the last-resort ``attempted_call``)
# --------------------------------------------------------------------------------------------------

#: Distinctive markers of the first tag-based formats (each spec's ``markers`` say the same). Fences, bare JSON
#: and pythonic calls have none. Every registered format's markers are in the current :class:`MarkerIndex`.
FORMAT_MARKERS: Final[dict[str, tuple[str, ...]]] = {
    "hermes": ("<tool_call>", "</tool_call>"),
    "nemotron": ("<TOOLCALL>", "</TOOLCALL>"),
    "mistral": ("[TOOL_CALLS]",),
    "llama3": ("<|python_tag|>",),
}

#: The markers of the formats of the parse in progress (every registered format when scoring: set by
#: ``parse_many``); ``None`` outside a parse: the built-in formats' (:func:`_builtin_index`).
_MARKERS: ContextVar[MarkerIndex | None] = ContextVar("rlvr_rewards_parse_markers", default=None)
_BUILTIN_INDEX: list[MarkerIndex] = []


def _builtin_index() -> MarkerIndex:
    if not _BUILTIN_INDEX:
        _BUILTIN_INDEX.append(index_for(BUILTIN_PARSERS))
    return _BUILTIN_INDEX[0]


def current_markers() -> MarkerIndex:
    """The marker index of the parse in progress (the built-in formats' outside ``parse_completion``)."""
    return _MARKERS.get() or _builtin_index()


def use_markers(index: MarkerIndex) -> Callable[[], None]:
    """Make ``index`` current for this thread/task; returns a function restoring the previous one."""
    token = _MARKERS.set(index)
    return lambda: _MARKERS.reset(token)


def marker_formats(text: str) -> list[str]:
    """Names of the formats whose markers occur in ``text``, in priority order (the current index)."""
    return current_markers().formats(text)


def mixed_markers(answer: str, fmt: str) -> bool:
    """The ``mixed_formats`` rule, for every path that reads calls: ``answer`` (the text the calls were read
    from, reasoning removed) holds a call marker that the format ``fmt``, the one that gave the calls, does
    not write (:class:`~rlvr_rewards.parsing.markers.MarkerIndex`; OpenAI ``tool_calls`` have no marker in the
    text: any marker there is another format's)."""
    return current_markers().foreign(answer, fmt)


# --------------------------------------------------------------------------------------------------
# Call objects
# --------------------------------------------------------------------------------------------------

_CALL_KEYS: Final = frozenset({"name", "arguments", "parameters", "id", "type"})
_OPENAI_OUTER_KEYS: Final = frozenset({"id", "type", "function"})
_OPENAI_INNER_KEYS: Final = frozenset({"name", "arguments", "parameters"})


#: The violations of native arguments, in the order one depth reports them (see :func:`_native_error`).
_NATIVE_PRIORITY: Final = (
    "nesting_too_deep",
    "invalid_json",
    "invalid_unicode",
    "number_too_large",
    "nonfinite_number",
)
_NONE_TYPE: Final = type(None)
#: The exact JSON types (:func:`_flat_level` reads their instances with ``len``, ``max`` ...).
_FLAT_TYPES: Final = frozenset({dict, list, tuple, str, int, float, bool, _NONE_TYPE})
_CONTAINER_TYPES: Final = (dict, list, tuple)
#: The types a JSON value may be an instance of (a subclass of), besides ``bool`` and ``None``.
_JSON_BASES: Final = (str, int, float, dict, list, tuple)
#: With more budget left than this, a level holding a container twice (shared by reference) and the levels
#: below it are walked by :func:`_merged_level`, which keeps it once, weighted by its copies: with a budget
#: this large, copies kept apart could be many (the dict shared 2^30 times); below it they are few enough.
_FLAT_MAX: Final = 1 << 20

#: One level of the walk: its charge, its problem (``None``: none or not looked for), the next level's
#: items and their weights (``None``: one copy each).
_Level = tuple[int, "str | None", list[Any], "list[int] | None"]


def _native_error(value: Any, limits: Limits) -> str | None:
    """Check a Python value that did not come out of ``loads_untrusted`` (OpenAI ``arguments`` given
    as an object): ``None`` or one violation code.

    JSON values are ``None``, ``bool`` and instances of ``str``, ``int``, ``float``, ``dict``, ``list`` and
    ``tuple``, subclasses included, read through the base type's own methods (an overridden ``__len__``,
    ``__iter__``, ``__abs__``, ``keys`` ... is never called); anything else is not JSON. The value is at
    depth 1, the items (dict values) of a container at depth d at depth d + 1. Each value reached is
    *charged* a lower bound of the characters it takes in JSON text: a string ``len + 2`` (its quotes), a
    list or tuple ``1 + len`` (brackets, commas), a dict ``1`` plus ``len(key) + 3`` a key (``"key":``;
    3 for a key that is not a string), anything else 1; a value shared by reference is charged each time
    it is reached, as its JSON text repeats it. The walk goes down to depth ``max_depth + 1`` (a container
    there is too deep: what is inside it is not walked, though its own charge counts). The rule:

    1. ``too_long`` if the charges add up to more than ``max_chars`` (whatever else is wrong);
    2. else the problem of the shallowest depth that has one; among the problems of one depth, the first
       of ``nesting_too_deep`` (a container deeper than ``max_depth``), ``invalid_json`` (a value that is
       not JSON, a dict key that is not a string), ``invalid_unicode`` (a string, value or key, with a
       lone surrogate), ``number_too_large`` (``abs(int) >= int_bound(max_int_digits)``),
       ``nonfinite_number`` (NaN, infinities);
    3. else ``None``.

    tests/test_parse_linear.py ``_reference_native_error`` spells the rule out as a plain recursive walk.

    Technique: breadth first, one depth (*level*) at a time, a value shared by reference kept once per
    copy; a level's charge is added up in bulk and checked against the budget *before* the next level is
    made, so no level holds more than ``max_chars`` items, the whole walk handles at most ``max_chars``
    items, strings included (a string is charged its length: 150,000 copies of a 1 MB string stop at
    the charge, unread), and a cyclic value ends in ``too_long`` or ``nesting_too_deep``. A level is
    split by exact type in C-level passes (``itertools.compress`` over ``map(type, ...)``) and checked in
    bulk (``str.isascii``, ``math.isfinite``, ``max``/``min``, key types), subclasses too (through the base
    type's methods: ``map(str.__len__, ...)``). With more than ``_FLAT_MAX`` of the budget left, a
    level that holds a container twice goes on in :func:`_merged_level`, which keeps a container shared by
    reference once with its number of copies (a dict shared 2^30 times that fits a huge budget costs a
    few dozen steps)."""
    too_big = int_bound(limits.max_int_digits)
    budget = limits.max_chars
    last = limits.max_depth + 1
    level: list[Any] = [value]
    weights: list[int] | None = None
    spent = 0
    found: str | None = None
    depth = 1
    while level:
        step: _Level | None = None
        if weights is None:
            try:
                step = _flat_level(level, budget - spent, too_big, depth >= last, found is None)
            except Exception:  # (a metaclass whose __hash__ or __eq__ raises: item by item instead)
                step = None
        if step is None:
            step = _merged_level(level, weights, budget - spent, too_big, depth >= last, found is None)
        cost, problem, level, weights = step
        spent += cost
        if spent > budget:
            return "too_long"
        if found is None:
            found = problem
        depth += 1
    return found


def _flat_level(items: list[Any], room: int, too_big: int, deep: bool, check: bool) -> _Level | None:
    """One level of :func:`_native_error` in bulk; ``None``: left to :func:`_merged_level` (a container
    shared by reference in it while ``room`` exceeds ``_FLAT_MAX``). A charge above ``room`` stops it early.
    ``deep``: the level is at ``max_depth + 1`` (no next level); ``check``: look for its problem.

    Each JSON type's items come in two lists: those of the exact type (read with ``len``, ``max``...) and
    those of its subclasses (read with the base type's methods: ``str.__len__``, ``int.__abs__``...)."""
    pick, subs, not_json = _split_by_type(items)
    strs, sub_strs = pick(str), subs[str]
    dicts, lists, tuples = pick(dict), pick(list), pick(tuple)
    all_dicts = dicts + subs[dict] if subs[dict] else dicts
    sub_lists, sub_tuples = subs[list], subs[tuple]
    n_nested = len(all_dicts) + len(lists) + len(tuples) + len(sub_lists) + len(sub_tuples)
    if (
        room > _FLAT_MAX
        and n_nested > 1
        and (len(set(map(id, chain(all_dicts, lists, tuples, sub_lists, sub_tuples)))) < n_nested)
    ):
        return None
    cost = len(items)  # (1 an item; the rest of each charge below)
    if strs:
        cost += sum(map(len, strs)) + len(strs)
    if sub_strs:
        cost += sum(map(str.__len__, sub_strs)) + len(sub_strs)
    size = sum(map(len, lists)) + sum(map(len, tuples))
    size += sum(map(list.__len__, sub_lists)) + sum(map(tuple.__len__, sub_tuples))
    n_keys = sum(map(len, dicts)) + (sum(map(dict.__len__, subs[dict])) if subs[dict] else 0)
    cost += size + 3 * n_keys
    if cost > room:
        return cost, None, [], None
    keys = list(chain.from_iterable(map(dict.keys, all_dicts) if subs[dict] else dicts)) if n_keys else []
    odd_keys: list[Any] = []
    if keys and set(map(type, keys)) != {str}:
        odd_keys = [k for k in keys if type(k) is not str]
        keys = [k for k in keys if type(k) is str]
        cost += sum(str.__len__(k) for k in odd_keys if issubclass(type(k), str))
    cost += sum(map(len, keys))
    if cost > room:
        return cost, None, [], None
    problem = None
    if check:
        strings = chain(strs, sub_strs, keys, odd_keys)
        problem = _flat_problem(pick, subs, strings, odd_keys, not_json, deep and n_nested > 0, too_big)
    if deep:
        return cost, problem, [], None
    following: list[Any] = []
    if size + n_keys:
        extend = following.extend  # (extend by extend, not chain(): no iterator made for each short list)
        any(map(extend, lists))
        any(map(extend, tuples))
        if n_keys:
            extend(chain.from_iterable(map(dict.values, all_dicts)))
        any(map(extend, map(list.__iter__, sub_lists)))
        any(map(extend, map(tuple.__iter__, sub_tuples)))
    return cost, problem, following, None


def _split_by_type(items: list[Any]) -> tuple[Callable[[type], list[Any]], dict[type, list[Any]], bool]:
    """The items of one level of :func:`_flat_level` by type: ``pick(kind)`` gives those of exactly the type
    ``kind`` (in C-level passes), ``subs[base]`` those of a subclass of the JSON type ``base``; and whether
    some item is of no JSON type."""
    types = list(map(type, items))
    kinds = set(types)
    if len(kinds) == 1:
        only = types[0]

        def pick(kind: type) -> list[Any]:
            return items if kind is only else []
    else:

        def pick(kind: type) -> list[Any]:
            return list(compress(items, map(is_, types, repeat(kind)))) if kind in kinds else []

    subs: dict[type, list[Any]] = {base: [] for base in _JSON_BASES}
    not_json = False
    for kind in kinds - _FLAT_TYPES:  # (subclasses of the JSON types, and the types JSON does not have)
        base = next((b for b in _JSON_BASES if issubclass(kind, b)), None)
        if base is None:
            not_json = True
        else:
            subs[base] += pick(kind)
    return pick, subs, not_json


def _flat_problem(
    pick: Callable[[type], list[Any]],
    subs: dict[type, list[Any]],
    strings: Iterable[Any],
    odd_keys: list[Any],
    not_json: bool,
    nested_too_deep: bool,
    too_big: int,
) -> str | None:
    """The problem of one level of :func:`_flat_level` (items by type as :func:`_split_by_type` gives them;
    ``strings``: its strings and keys, ``odd_keys`` its keys of another type than ``str``), the first of
    ``_NATIVE_PRIORITY``, each looked for in bulk only when none before it was found."""
    if nested_too_deep:
        return "nesting_too_deep"
    if not_json or any(not issubclass(type(k), str) for k in odd_keys):
        return "invalid_json"
    if any(map(_lone_surrogate, filterfalse(str.isascii, strings))):
        return "invalid_unicode"  # (odd_keys: all str subclasses here)
    if _too_large(pick(int), subs[int], too_big):
        return "number_too_large"
    if not all(map(math.isfinite, chain(pick(float), subs[float]))):  # (reads a float subclass directly)
        return "nonfinite_number"
    return None


def _too_large(ints: list[int], sub_ints: list[Any], too_big: int) -> bool:
    """An int of ``ints`` (exact) or ``sub_ints`` (subclasses) has ``abs >= too_big``."""
    if ints and (max(ints) >= too_big or min(ints) <= -too_big):
        return True
    return bool(sub_ints) and max(map(int.__abs__, sub_ints)) >= too_big


def _merged_level(
    items: list[Any], weights: list[int] | None, room: int, too_big: int, deep: bool, check: bool
) -> _Level:
    """One level of :func:`_native_error` item by item, each item counting ``weights[i]`` copies (``None``:
    one each, a container given twice then merged); in the next level a container reached from several
    items is kept once, its weights added."""
    if weights is None:
        items, weights = _merge(items, [1] * len(items))
    cost = 0
    for x, w in zip(items, weights, strict=True):
        cost += w * _item_charge(x, (room - cost) // w)
        if cost > room:
            return cost, None, [], None
    problem = None
    if check:
        codes = {_item_problem(x, too_big, deep) for x in items}
        problem = next((code for code in _NATIVE_PRIORITY if code in codes), None)
    following: list[Any] = []
    following_weights: list[int] = []
    if deep:
        return cost, problem, following, following_weights
    for x, w in zip(items, weights, strict=True):
        for child in _item_children(x):
            following.append(child)
            following_weights.append(w)
    return (cost, problem, *_merge(following, following_weights))


def _merge(items: list[Any], weights: list[int]) -> tuple[list[Any], list[int]]:
    """``items`` with each container kept once (by identity), its weights added up."""
    merged: list[Any] = []
    merged_weights: list[int] = []
    index: dict[int, int] = {}  # id of a container in ``merged`` -> its position
    for x, w in zip(items, weights, strict=True):
        if issubclass(type(x), _CONTAINER_TYPES):
            at = index.get(id(x))
            if at is not None:
                merged_weights[at] += w
                continue
            index[id(x)] = len(merged)
        merged.append(x)
        merged_weights.append(w)
    return merged, merged_weights


def _item_size(x: Any) -> int:
    """The number of items (dict values) of the container ``x``, through its base type."""
    kind = type(x)
    if issubclass(kind, dict):
        return dict.__len__(x)
    return list.__len__(x) if issubclass(kind, list) else tuple.__len__(x)


def _item_charge(x: Any, room: int) -> int:
    """What one value reached costs (see :func:`_native_error`); more than ``room``: possibly partial."""
    kind = type(x)
    if x is None or kind is bool:
        return 1
    if issubclass(kind, str):
        return str.__len__(x) + 2
    if issubclass(kind, dict):
        charge = 1 + 3 * dict.__len__(x)
        if charge > room:
            return charge
        return charge + sum(str.__len__(k) for k in dict.keys(x) if issubclass(type(k), str))
    if issubclass(kind, (list, tuple)):
        return 1 + _item_size(x)
    return 1


def _item_problem(x: Any, too_big: int, deep: bool) -> str | None:
    """The problem of one value reached (``deep``: at ``max_depth + 1``), by ``_NATIVE_PRIORITY``."""
    kind = type(x)
    if x is None or kind is bool:
        return None
    if issubclass(kind, str):
        return "invalid_unicode" if _lone_surrogate(x) else None
    if issubclass(kind, int):
        return "number_too_large" if int.__abs__(x) >= too_big else None
    if issubclass(kind, float):
        return None if math.isfinite(float.__float__(x)) else "nonfinite_number"
    if issubclass(kind, dict):
        if deep:
            return "nesting_too_deep"
        keys = list(dict.keys(x))
        if not all(issubclass(type(k), str) for k in keys):
            return "invalid_json"
        return "invalid_unicode" if any(map(_lone_surrogate, keys)) else None
    if issubclass(kind, (list, tuple)):
        return "nesting_too_deep" if deep else None
    return "invalid_json"


def _item_children(x: Any) -> Any:
    """The items (dict values) of one value reached, through its base type; none for a scalar."""
    kind = type(x)
    if issubclass(kind, dict):
        return dict.values(x)
    if issubclass(kind, list):
        return list.__iter__(x)
    if issubclass(kind, tuple):
        return tuple.__iter__(x)
    return ()


def _lone_surrogate(text: Any) -> bool:
    """The string (or ``str`` subclass) ``text`` holds a lone surrogate (it has no UTF-8 form)."""
    if str.isascii(text):
        return False
    try:
        str.encode(text, "utf-8")
    except UnicodeError:
        return True
    return False


def _make_call(
    obj: Any,
    out: list[str],
    limits: Limits,
    string_ok: bool = False,
    check_keys: bool = True,
    native: bool = False,
) -> ParsedCall | None:
    """Normalize one call object; appends violation codes to ``out``. ``None`` if ``obj`` is not a dict."""
    if not isinstance(obj, dict):
        out.append("missing_name")
        return None
    fn: Any = obj.get("function")
    # OpenAI shape: {"id": .., "type": "function", "function": {"name": .., "arguments": ..}}
    openai = isinstance(fn, dict) and "name" not in obj
    if check_keys and not (
        obj.keys() <= _OPENAI_OUTER_KEYS and fn.keys() <= _OPENAI_INNER_KEYS if openai else obj.keys() <= _CALL_KEYS
    ):
        out.append("unknown_call_keys")
    if openai:
        obj = fn
    name = obj.get("name")
    if not isinstance(name, str) or not name.strip():
        out.append("missing_name")
        name = ""
    if "arguments" in obj:
        args = obj["arguments"]
        if "parameters" in obj:
            out.append("both_arguments_and_parameters")
    elif "parameters" in obj:
        args = obj["parameters"]
    else:
        return ParsedCall(name, {})
    if isinstance(args, str):
        args = _string_arguments(args, out, limits, string_ok)
        if args is FAIL:
            return ParsedCall(name, None)
    elif native and (err := _native_error(args, limits)) is not None:
        out.append(err)
        return ParsedCall(name, None)
    if isinstance(args, dict):
        return ParsedCall(name, args)
    out.append("arguments_not_object")
    return ParsedCall(name, None)


def _string_arguments(args: str, out: list[str], limits: Limits, string_ok: bool) -> Any:
    """The value of arguments given as a JSON string (``arguments_json_string`` unless ``string_ok``), its
    violations appended to ``out``; ``FAIL`` when it does not decode."""
    if not string_ok:
        out.append("arguments_json_string")
    value, err, found = loads_untrusted(args, limits, True)
    if err is not None:
        out.append(err)
        return FAIL
    if found:
        out.extend(found)
    return value


def call_from_object(
    obj: Any,
    limits: Limits | None = None,
    *,
    arguments_string_ok: bool = False,
    check_keys: bool = True,
    native: bool = False,
) -> tuple[ParsedCall | None, tuple[str, ...]]:
    """Normalize one decoded call object to a :class:`ParsedCall` plus violation codes.

    Accepts ``{"name", "arguments"|"parameters"}`` and the OpenAI ``{"type", "function": {...}}`` shape.
    ``arguments_string_ok``: a JSON-string ``arguments`` is the norm (OpenAI ``tool_calls``), not a
    violation. ``native``: ``arguments`` given as an object did not come from ``loads_untrusted`` and is
    checked against the limits here. Returns ``(None, codes)`` when ``obj`` is not an object.
    """
    out: list[str] = []
    call = _make_call(obj, out, limits or _LIMITS.get(), arguments_string_ok, check_keys, native)
    return call, tuple(out)


def _is_call_shaped(value: Any) -> bool:
    """A dict with a ``name`` key or an OpenAI ``function`` object, or a list containing one."""
    if isinstance(value, dict):
        return "name" in value or isinstance(value.get("function"), dict)
    if isinstance(value, list):
        for item in value:
            if isinstance(item, dict) and ("name" in item or isinstance(item.get("function"), dict)):
                return True
    return False


# --------------------------------------------------------------------------------------------------
# Bounded JSON helpers
# --------------------------------------------------------------------------------------------------

# Purely syntactic scanner used only to find where a JSON value ends (numbers and constants are kept as
# strings so nothing can overflow); the value itself is then decoded again by loads_untrusted.
_SCANNER: Final = json.JSONDecoder(parse_float=str, parse_int=str, parse_constant=str)
_SEPARATORS: Final = re.compile(r"[\s;]*")
_SHALLOW: Final = 255  # brackets far from the interpreter's recursion limit


def _json_end(text: str, pos: int) -> int:
    """End index of the JSON value starting at ``text[pos]``; -1 if none, -2 if nested too deep."""
    try:
        return _SCANNER.raw_decode(text, pos)[1]
    except RecursionError:
        return -2
    except (ValueError, TypeError, MemoryError):
        return -1


def _decode_prefix(text: str, limits: Limits) -> tuple[Any, str | None, tuple[str, ...], int]:
    """Decode the JSON value at the start of ``text`` (no leading whitespace).

    Returns ``(value, error, violations, end)``; ``end < len(text)`` means text follows the value.
    One ``loads_untrusted`` call when the whole text is JSON; otherwise one syntactic scan to find the
    longest valid prefix and one ``loads_untrusted`` on it. Linear in ``len(text)``.
    """
    value, err, found = loads_untrusted(text, limits, True)
    if err != "invalid_json":
        return value, err, found, len(text)
    return _longest_prefix(text, limits)


def _longest_prefix(text: str, limits: Limits) -> tuple[Any, str | None, tuple[str, ...], int]:
    """After ``loads_untrusted(text)`` failed with ``invalid_json``: decode the longest JSON prefix.
    On success ``end < len(text)``.

    An array or object needs a closing bracket: with none in ``text`` (and too few opening ones to reach the
    recursion limit) there is no prefix, found without the scanner (a few C scans of this one text instead
    of a Python-level exception)."""
    if (
        text.startswith(("{", "["))
        and "}" not in text
        and "]" not in text
        and text.count("{") + text.count("[") <= _SHALLOW
    ):
        return FAIL, "invalid_json", (), len(text)
    end = _json_end(text, 0)
    if end == -2:
        return FAIL, "nesting_too_deep", (), len(text)
    if end <= 0 or end >= len(text):
        return FAIL, "invalid_json", (), len(text)
    value, err, found = loads_untrusted(text[:end], limits, True)
    return value, err, found, end


# --------------------------------------------------------------------------------------------------
# Accumulator shared by the parsers
# --------------------------------------------------------------------------------------------------


class _OverBudget(Exception):
    """More distinct call blocks than :func:`~rlvr_rewards.limits.block_budget` allows: the parser stops
    and returns :func:`_over_budget` (raised by :meth:`_Acc.new_block`, caught by every parser here)."""


def _over_budget(fmt: str) -> ParseResult:
    """The outcome of a completion with too many distinct call blocks: no call, ``over_budget``."""
    return ParseResult(calls=(), text="", format=fmt, violations=("over_budget",), attempted_call=True)


class _Acc:
    """Calls, violations and free-text segments collected while scanning one answer."""

    __slots__ = ("attempted", "blocks", "calls", "distinct_left", "limits", "memo", "texts", "violations")

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        #: distinct block texts that may still be decoded (:meth:`new_block`)
        self.distinct_left = block_budget(limits)
        self.calls: list[ParsedCall] = []
        self.violations: list[str] = []
        self.texts: list[str] = []
        self.attempted = False
        self.blocks = 0
        #: decode_once: (decode function, text) -> [result, violations still to record, free texts, blocks,
        #: had calls, too_many_calls recorded]
        self.memo: dict[tuple[Callable[..., Any], str], list[Any]] | None = None

    def capped(self) -> bool:
        """Every further call is dropped (``too_many_calls``)."""
        return len(self.calls) >= self.limits.max_calls

    def new_block(self) -> None:
        """Count one distinct block text about to be decoded; past the budget, :class:`_OverBudget`."""
        self.distinct_left -= 1
        if self.distinct_left < 0:
            raise _OverBudget

    def decode_once(self, key: str, decode: Callable[[_Acc, str], _T]) -> _T:
        """``decode(self, key)`` for one block, segment or value whose text is ``key``, remembered by ``key``.

        A text repeated thousands of times (``<tool_call>{</tool_call>`` or ``{};`` over and over) is decoded
        once and its outcome replayed: its violations once (they are a set), its free text and block count
        every time. An outcome with calls is replayed only past the cap (where its calls are dropped:
        ``too_many_calls``); below the cap such a text is decoded again, so that every call kept is its own
        object. The outcome always equals running ``decode`` here (tests/test_parse_linear.py compares)."""
        memo = self.memo
        if memo is None:
            memo = self.memo = {}
        capped = len(self.calls) >= self.limits.max_calls
        hit = memo.get((decode, key))
        if hit is not None and (capped or not hit[4]):
            if hit[2]:
                self.texts.extend(hit[2])
            self.blocks += hit[3]
            if hit[1]:  # violations not recorded yet (then never again)
                self.violations.extend(hit[1])
                hit[1] = ()
            if hit[4] and not hit[5]:  # its calls are dropped now
                self.violations.append("too_many_calls")
                hit[5] = True
            outcome: _T = hit[0]
            return outcome
        if hit is None:
            self.new_block()
        v0, t0, c0, b0 = len(self.violations), len(self.texts), len(self.calls), self.blocks
        result = decode(self, key)
        dropped = "too_many_calls" in self.violations[v0:]  # (add_call records it for each dropped call)
        memo[decode, key] = [
            result,
            (),
            tuple(self.texts[t0:]),
            self.blocks - b0,
            dropped or len(self.calls) > c0,
            dropped,
        ]
        return result

    def replay_is_idle(self, key: str, decode: Callable[[_Acc, str], Any]) -> bool:
        """:meth:`decode_once` of ``key`` again would be a replay adding no free text, no block and no call
        (copies of it after that one add nothing at all)."""
        hit = self.memo.get((decode, key)) if self.memo is not None else None
        return hit is not None and not hit[2] and not hit[3] and (not hit[4] or self.capped())

    def add_call(self, call: ParsedCall) -> None:
        if len(self.calls) < self.limits.max_calls:
            self.calls.append(call)
        else:
            self.violations.append("too_many_calls")

    def add_value(self, value: Any) -> None:
        """A decoded block: one call object or a list of them."""
        if isinstance(value, list):
            if not value:
                self.violations.append("empty_call_block")
            for item in value:
                call = _make_call(item, self.violations, self.limits)
                if call is not None:
                    self.add_call(call)
        else:
            call = _make_call(value, self.violations, self.limits)
            if call is not None:
                self.add_call(call)

    def decode_block(self, content: str) -> None:
        """The inside of a delimited call block: JSON, with ``trailing_garbage`` after it."""
        self.blocks += 1
        text = content.strip()
        if not text:
            self.violations.append("empty_call_block")
            return
        value, err, found = _block_json(text, self.limits)  # hot path: the whole block is JSON
        if err == "invalid_json":
            if not (_python_literal_hint(text) and self.take_python_literal(text)):
                self._decode_lines(text)
            return
        self.take(value, err, found)

    def take_python_literal(self, text: str) -> bool:
        """A block that is not JSON but a Python literal (single-quoted strings or ``True``/``False``/``None``:
        :func:`_python_literal_hint`; then tuples and trailing commas too): its call(s) and
        ``python_literal_json``; ``False`` (nothing recorded) when it is not one either."""
        got = _python_literal(text, self.limits)
        if got is None:
            return False
        self.violations.append("python_literal_json")
        self.take(*got)
        return True

    def take(self, value: Any, err: str | None, found: tuple[str, ...]) -> bool:
        """Record one decoding outcome: its error, or its violations and its call(s)."""
        if err is not None:
            self.violations.append(err)
            return False
        if found:
            self.violations.extend(found)
        self.add_value(value)
        return True

    def _decode_lines(self, text: str) -> None:
        """A block that is not one JSON value: JSON Lines (one call object per line, the ToolRL
        convention) are several calls; anything else after the first value is ``trailing_garbage``."""
        value, err, found, end = _longest_prefix(text, self.limits)
        if err is not None:
            self.violations.append(err)
            return
        values = [value]
        violations = list(found)
        pos = end
        n = len(text)
        while len(values) <= self.limits.max_calls:
            while pos < n and text[pos] in " \t\r":
                pos += 1
            if pos >= n or text[pos] != "\n":
                break
            nxt = pos
            while nxt < n and text[nxt] in " \t\r\n":
                nxt += 1
            if nxt >= n or text[nxt] != "{":
                break
            stop = _json_end(text, nxt)
            if stop <= 0:
                break
            v, e, f = loads_untrusted(text[nxt:stop], self.limits, True)
            if e is not None:
                self.violations.append(e)
                return
            values.append(v)
            violations.extend(f)
            pos = stop
        if text[pos:].strip():
            violations.append("trailing_garbage")
        self.violations.extend(violations)
        for v in values:
            self.add_value(v)

    def result(self, fmt: str) -> ParseResult:
        parts = [t for t in map(str.strip, self.texts) if t]
        text = "\n".join(parts)
        if text and self.blocks:
            self.violations.append("text_with_call")
        return ParseResult(
            calls=tuple(self.calls),
            text=text,
            format=fmt,
            violations=tuple(sorted(set(self.violations))),
            attempted_call=self.attempted,
            untyped=any(map(_UNTYPED, self.calls)),
        )


#: The last block text JSON decoding refused, its limits and the verdict. The Hermes path may read one block three
#: times (the straight path, the single-block shortcut of the general path, the scan); the verdict is a pure
#: function of the text and the limits, so a refused block is decoded once. (One tuple, replaced whole: any
#: thread reads a consistent entry.)
_last_refused: tuple[str, Limits | None, tuple[Any, str | None, tuple[str, ...]]] = ("", None, (FAIL, None, ()))


def _block_json(text: str, limits: Limits) -> tuple[Any, str | None, tuple[str, ...]]:
    """``loads_untrusted(text, limits, True)`` of a stripped call block, a refusal remembered
    (:data:`_last_refused`)."""
    global _last_refused
    last = _last_refused
    if last[1] is limits and last[0] == text:
        return last[2]
    got = loads_untrusted(text, limits, True)
    if got[1] is not None:
        _last_refused = (text, limits, got)
    return got


#: a call's ``untyped`` argument names (empty: falsy)
_UNTYPED: Final = attrgetter("untyped")


def _find_all(text: str, needle: str) -> list[int]:
    out: list[int] = []
    find = text.find
    step = len(needle)
    i = find(needle)
    while i != -1:
        out.append(i)
        i = find(needle, i + step)
    return out


def _single_block(text: str, open_tag: str, close_tag: str, fmt: str, limits: Limits) -> ParseResult | None:
    """The common case of :func:`_scan_tag_blocks` straight through: exactly one opening and one closing
    tag, in that order, around one JSON object. ``None`` for anything else (the general scan runs
    then); otherwise the result equals the general scan's (tested on every corpus)."""
    lo = len(open_tag)
    lc = len(close_tag)
    o = text.find(open_tag)
    if o == -1 or limits.max_calls < 1 or text.find(open_tag, o + lo) != -1:
        return None
    c = text.find(close_tag, o + lo)
    if c == -1 or text.find(close_tag, c + lc) != -1 or text.find(close_tag, 0, o) != -1:
        return None
    value, err, found = _block_json(text[o + lo : c].strip(), limits)
    if err is not None or type(value) is not dict:
        return None
    violations = list(found)
    call = _make_call(value, violations, limits)
    before = text[:o].strip()
    after = text[c + lc :].strip()
    free = f"{before}\n{after}" if before and after else before or after
    if free:
        violations.append("text_with_call")
    return ParseResult(
        calls=(call,) if call is not None else (),
        text=free,
        format=fmt,
        violations=tuple(sorted(set(violations))) if violations else (),
        attempted_call=True,
    )


def _scan_tag_blocks(text: str, open_tag: str, close_tag: str, fmt: str, limits: Limits) -> ParseResult:
    """``open ... close`` blocks located with two linear ``find`` passes and one merge walk.

    A block left open ends at the next opening tag or at the end of the text (``unclosed_tag``); a
    closing tag outside any block is ``stray_closing_tag`` and is dropped from the free text.
    """
    single = _single_block(text, open_tag, close_tag, fmt, limits)
    if single is not None:
        return single
    acc = _Acc(limits)
    try:
        return _scan_tag_blocks_into(acc, text, open_tag, close_tag, fmt)
    except _OverBudget:
        return _over_budget(fmt)


def _scan_tag_blocks_into(
    acc: _Acc,
    text: str,
    open_tag: str,
    close_tag: str,
    fmt: str,
    decode: Callable[[_Acc, str], None] = _Acc.decode_block,
) -> ParseResult:
    acc.attempted = True
    opens = _find_all(text, open_tag)
    closes = _find_all(text, close_tag)
    lo, lc = len(open_tag), len(close_tag)
    never = len(text) + 1
    no, nc = len(opens), len(closes)
    i = j = pos = 0
    while i < no or j < nc:
        o = opens[i] if i < no else never
        c = closes[j] if j < nc else never
        if c < o:
            acc.violations.append("stray_closing_tag")
            acc.texts.append(text[pos:c])
            pos = c + lc
            j += 1
            continue
        acc.texts.append(text[pos:o])
        start = o + lo
        i += 1
        nxt = opens[i] if i < no else never
        end = c if c < nxt else nxt if nxt != never else len(text)
        if c < nxt:
            pos = c + lc
            j += 1
        else:
            acc.violations.append("unclosed_tag")
            pos = end
        acc.decode_once(text[start:end], decode)
    acc.texts.append(text[pos:])
    return acc.result(fmt)


# --------------------------------------------------------------------------------------------------
# hermes / nemotron
# --------------------------------------------------------------------------------------------------


def parse_hermes(text: str, limits: Limits | None = None) -> ParseResult | None:
    """``<tool_call>{"name": .., "arguments": {..}}</tool_call>`` blocks (Qwen2.5/3, Hermes).

    Block content: a call object or a list of them (a Python literal where JSON fails:
    ``python_literal_json``). Last block unclosed: still decoded, ``unclosed_tag``. ``None`` when the first
    block is not JSON but Qwen3-Coder XML or GLM (:func:`~rlvr_rewards.parsing.xmlshape.foreign_tool_call_block`):
    the ``qwen3_xml`` / ``glm`` parsers read those. (The usual text, one block of JSON, is decided by
    :func:`_single_block` before that check.)
    """
    if _HERMES_OPEN not in text and _HERMES_CLOSE not in text:
        return None
    limits = limits or _LIMITS.get()
    single = _single_block(text, _HERMES_OPEN, _HERMES_CLOSE, "hermes", limits)
    if single is not None:
        return single
    if _foreign_first_block(text, limits):
        return None
    acc = _Acc(limits)
    try:
        return _scan_tag_blocks_into(acc, text, _HERMES_OPEN, _HERMES_CLOSE, "hermes")
    except _OverBudget:
        return _over_budget("hermes")


def _foreign_first_block(text: str, limits: Limits) -> bool:
    """The first ``<tool_call>`` block holds Qwen3-Coder XML or GLM, not JSON: its inside (up to the next
    closing or opening tag) starts with neither ``{`` nor ``[``, fails to decode as JSON (a JSON scalar such as
    ``7`` stays Hermes) and is :func:`foreign_tool_call_block`. A few ``find`` calls where it starts with a
    bracket (the JSON blocks); one decode of that block otherwise."""
    o = text.find(_HERMES_OPEN)
    if o == -1:
        return False
    start = o + len(_HERMES_OPEN)
    c = text.find(_HERMES_CLOSE, start)
    nxt = text.find(_HERMES_OPEN, start)
    end = len(text) if c == -1 else c
    if nxt != -1 and nxt < end:
        end = nxt
    content = text[start:end]
    head = content.lstrip()[:1]
    if not head or head in "{[":
        return False
    return foreign_tool_call_block(content) and _block_json(content.strip(), limits)[1] is not None


def parse_nemotron(text: str, limits: Limits | None = None) -> ParseResult | None:
    """``<TOOLCALL>[{"name": .., "arguments": {..}}, ...]</TOOLCALL>`` (a single object is accepted)."""
    if "<TOOLCALL>" not in text and "</TOOLCALL>" not in text:
        return None
    return _scan_tag_blocks(text, "<TOOLCALL>", "</TOOLCALL>", "nemotron", limits or _LIMITS.get())


# --------------------------------------------------------------------------------------------------
# mistral
# --------------------------------------------------------------------------------------------------

_MISTRAL: Final = "[TOOL_CALLS]"
_MISTRAL_ARGS: Final = "[ARGS]"
_MISTRAL_CALL_ID: Final = "[CALL_ID]"


def _json_then_text(acc: _Acc, seg: str, closers: tuple[str, ...] = ()) -> None:
    """A JSON value at the start of ``seg`` (no closing delimiter); what follows is free text, less a closing
    marker of ``closers`` right after the value (whitespace between allowed)."""
    value, err, found, end = _decode_prefix(seg, acc.limits)
    if not acc.take(value, err, found):
        return
    if end < len(seg):
        rest = seg[end:]
        if closers:
            rest = rest.lstrip()
            for closer in closers:
                if rest.startswith(closer):
                    rest = rest[len(closer) :]
                    break
        acc.texts.append(rest)


def _marker_segments(acc: _Acc, text: str, marker: str) -> list[str]:
    """Split ``text`` at every ``marker``: the text before the first goes to free text; returns the
    stripped segment after each marker (up to the next one), counting each as a block."""
    marks = _find_all(text, marker)
    acc.texts.append(text[: marks[0]])
    step = len(marker)
    ends = [*marks[1:], len(text)]
    acc.blocks += len(marks)
    return [text[m + step : e].strip() for m, e in zip(marks, ends, strict=True)]


def parse_mistral(text: str, limits: Limits | None = None) -> ParseResult | None:
    """``[TOOL_CALLS][{"name": .., "arguments": {..}}, ...]`` or ``[TOOL_CALLS]name[ARGS]{..}``.

    The marker may repeat (one call each); an optional ``[CALL_ID]id`` before ``[ARGS]`` is ignored.
    Text before the first marker or after a call's JSON is free text.
    """
    if _MISTRAL not in text:
        return None
    acc = _Acc(limits or _LIMITS.get())
    acc.attempted = True
    try:
        for seg in _marker_segments(acc, text, _MISTRAL):
            acc.decode_once(seg, _mistral_segment)
    except _OverBudget:
        return _over_budget("mistral")
    return acc.result("mistral")


def _mistral_segment(acc: _Acc, seg: str) -> None:
    """What follows one ``[TOOL_CALLS]`` (stripped, up to the next marker)."""
    if not seg:
        acc.violations.append("empty_call_block")
        return
    if seg[0] in "[{" and not seg.startswith((_MISTRAL_ARGS, _MISTRAL_CALL_ID)):
        _json_then_text(acc, seg)
        return
    a = seg.find(_MISTRAL_ARGS)
    if a == -1:
        acc.violations.append("invalid_json")
        return
    name = seg[:a]
    cid = name.find(_MISTRAL_CALL_ID)
    if cid != -1:
        name = name[:cid]
    name = name.strip()
    if not name:
        acc.violations.append("missing_name")
    body = seg[a + len(_MISTRAL_ARGS) :].lstrip()
    if not body:
        acc.add_call(ParsedCall(name, {}))
        return
    args, err, found, stop = _decode_prefix(body, acc.limits)
    if err is not None:
        acc.violations.append(err)
        acc.add_call(ParsedCall(name, None))
        return
    if found:
        acc.violations.extend(found)
    if isinstance(args, dict):
        acc.add_call(ParsedCall(name, args))
    else:
        acc.violations.append("arguments_not_object")
        acc.add_call(ParsedCall(name, None))
    if stop < len(body):
        acc.texts.append(body[stop:])


# --------------------------------------------------------------------------------------------------
# llama3
# --------------------------------------------------------------------------------------------------

_PYTHON_TAG: Final = "<|python_tag|>"
_LLAMA_END_TOKENS: Final = ("<|eom_id|>", "<|eot_id|>", "<|end_of_text|>")


def _json_sequence(acc: _Acc, seg: str) -> None:
    """JSON values separated by ``;`` or whitespace; anything else after them is free text.

    Each value goes through :meth:`_Acc.decode_once`; a run of copies of one value-and-separator unit whose
    outcome adds nothing more (no calls, or past the cap) is skipped in one ``str.startswith`` walk."""
    value, err, found = loads_untrusted(seg, acc.limits, True)
    if err != "invalid_json":  # fast path: exactly one value (or a fatal error)
        acc.take(value, err, found)
        return
    n = len(seg)
    pos = 0
    while True:
        pos = _SEPARATORS.match(seg, pos).end()  # type: ignore[union-attr]  # always matches
        if pos >= n:
            return
        if seg[pos] not in "[{":
            acc.texts.append(seg[pos:])
            return
        end = _json_end(seg, pos)
        if end < 0:
            acc.violations.append("nesting_too_deep" if end == -2 else "invalid_json")
            return
        item = seg[pos:end]
        if not acc.decode_once(item, _take_json):
            return
        nxt = _SEPARATORS.match(seg, end).end()  # type: ignore[union-attr]  # always matches
        if acc.replay_is_idle(item, _take_json):
            # another copy of this unit adds nothing that one more replay does not add: replay one, skip
            # the others
            after = _skip_repeats(seg, seg[pos:nxt], nxt)
            if after > nxt:
                acc.decode_once(item, _take_json)
                nxt = after
        pos = nxt


def _take_json(acc: _Acc, text: str) -> bool:
    return acc.take(*loads_untrusted(text, acc.limits, True))


def _skip_repeats(text: str, unit: str, pos: int) -> int:
    """End of the run of copies of ``unit`` starting at ``pos`` (blocks doubled while they match, halved
    when they do not: linear in the length of the run)."""
    block = unit
    size = len(unit)
    while True:
        if text.startswith(block, pos):
            pos += len(block)
            if len(block) < 1 << 16:
                block += block
        elif len(block) > size:
            block = block[: len(block) // 2]
        else:
            return pos


def parse_llama3(text: str, limits: Limits | None = None) -> ParseResult | None:
    """``<|python_tag|>{"name": .., "parameters": {..}}`` (several separated by ``;``/newlines).

    A pythonic call after the tag (Llama 3.1 built-in tools: ``brave_search.call(query="x")``) is
    decoded like the pythonic format. The bare JSON form without the tag is the ``json`` format.
    """
    if _PYTHON_TAG not in text:
        return None
    acc = _Acc(limits or _LIMITS.get())
    acc.attempted = True
    try:
        for seg in _marker_segments(acc, text, _PYTHON_TAG):
            acc.decode_once(seg, _llama_segment)
    except _OverBudget:
        return _over_budget("llama3")
    return acc.result("llama3")


def _llama_segment(acc: _Acc, seg: str) -> None:
    """What follows one ``<|python_tag|>`` (stripped, up to the next tag)."""
    for token in _LLAMA_END_TOKENS:
        if seg.endswith(token):
            seg = seg[: -len(token)].rstrip()
    if not seg:
        acc.violations.append("empty_call_block")
    elif seg[0] in "[{" and not _pythonic_shape(seg):
        _json_sequence(acc, seg)
    elif _pythonic_shape(seg):
        _pythonic_into(acc, seg)
    else:
        acc.violations.append("invalid_json")


# --------------------------------------------------------------------------------------------------
# fence
# --------------------------------------------------------------------------------------------------

_FENCE: Final = "```"
_FENCE_CALL_LANGS: Final = frozenset({"", "json", "tool_call", "tool_calls", "tool_code", "jsonc"})


def _fence_lang(first_line: str) -> str | None:
    """The info string of a fence if ``first_line`` looks like one (a short word), else ``None``."""
    word = first_line.strip()
    if not word:
        return ""
    if len(word) <= 32 and word.replace("_", "").replace("-", "").replace("+", "").isalnum():
        return word.lower()
    return None


def parse_fence(text: str, limits: Limits | None = None) -> ParseResult | None:
    """A ```json (or bare ```) fenced block whose content is a call object or a list of calls.

    Fences holding anything else (code, non-call JSON) stay free text; ``None`` when no fence is a call.
    A call fence that is never closed runs to the end of the text (``unclosed_tag``).
    """
    if _FENCE not in text or not _may_name_a_call(text):
        return None
    return _parse_fences(text, limits or _LIMITS.get(), reuse=True)


def _may_name_a_call(text: str) -> bool:
    """Could JSON in ``text`` hold a ``name`` or ``function`` key, or could broken JSON in it mention
    ``"name"``? Not without one of those words or a ``\\`` (a key written with escapes): a fence whose body
    has none of them is skipped undecoded (it is neither a call nor an attempt)."""
    return "name" in text or "function" in text or "\\" in text


def _parse_fences(text: str, limits: Limits, reuse: bool) -> ParseResult | None:
    """:func:`parse_fence`; ``reuse=False`` decodes every body (the tests compare the two)."""
    acc = _Acc(limits)
    try:
        return _fences_into(acc, text, reuse)
    except _OverBudget:
        return _over_budget("fence")


#: A fence body's decoding: value, error, violations found, end of the JSON value, and whether it is call-shaped.
_FenceDecoding = tuple[Any, "str | None", tuple[str, ...], int, bool]


def _fences_into(acc: _Acc, text: str, reuse: bool) -> ParseResult | None:
    marks = _find_all(text, _FENCE)
    step = len(_FENCE)
    pos = 0  # start of pending free text
    # body -> its decoding: a body repeated thousands of times is decoded once (reused when it is not a call,
    # or past the cap, where its calls are dropped)
    decoded: dict[str, _FenceDecoding] = {}
    for k in range(0, len(marks), 2):
        closed = k + 1 < len(marks)
        stop = marks[k + 1] if closed else len(text)
        lang, body = _fence_content(text, marks[k] + step, stop)
        if lang not in _FENCE_CALL_LANGS or not body or body[0] not in "[{" or not _may_name_a_call(body):
            continue
        value, err, found, end, call_shaped = _decode_fence_body(acc, decoded, body, reuse)
        if err is None:
            if not call_shaped:
                continue
        elif '"name"' not in body or _PY_LOOKALIKE.match(body) is not None:
            continue
        acc.texts.append(text[pos : marks[k]])
        pos = stop + step if closed else len(text)
        acc.attempted = True
        acc.blocks += 1
        if not closed:
            acc.violations.append("unclosed_tag")
        if err is not None:
            acc.violations.append(err)
            continue
        if found:
            acc.violations.extend(found)
        if end < len(body):
            acc.violations.append("trailing_garbage")
        acc.add_value(value)
    if not acc.blocks:
        return None
    acc.texts.append(text[pos:])
    return acc.result("fence")


def _fence_content(text: str, start: int, stop: int) -> tuple[str, str]:
    """The info string (``""`` when none) and the stripped body of the fence whose text runs from ``start``
    (after its opening backticks) to ``stop``: a first line that is not a short word is part of the body."""
    nl = text.find("\n", start, stop)
    lang = _fence_lang(text[start:nl]) if nl != -1 else None
    if lang is None:
        return "", text[start:stop].strip()
    return lang, text[nl + 1 : stop].strip()


def _decode_fence_body(acc: _Acc, decoded: dict[str, _FenceDecoding], body: str, reuse: bool) -> _FenceDecoding:
    """The decoding of a fence body, taken from ``decoded`` when the same body came before (unless ``reuse``
    is off, or its calls are kept and so need their own objects); each distinct body counts as a block."""
    hit = decoded.get(body)
    if hit is None:
        acc.new_block()  # (distinct bodies are counted on both paths)
    elif not reuse or (hit[4] and not acc.capped()):  # (a call kept gets its own decoded objects)
        hit = None
    if hit is None:
        value, err, found, end = _decode_prefix(body, acc.limits)
        hit = decoded[body] = (value, err, found, end, err is None and _is_call_shaped(value))
    return hit


# --------------------------------------------------------------------------------------------------
# json
# --------------------------------------------------------------------------------------------------


def parse_json(text: str, limits: Limits | None = None) -> ParseResult | None:
    """The whole answer (stripped) is a call object (``name`` key) or a list of call objects.

    JSON that is not call-shaped (no ``name``, a scalar) is free text: ``None``. Text after a call's
    JSON is free text (``text_with_call``). Undecodable JSON counts as an attempt only if it mentions
    ``"name"``.
    """
    body = text.strip()
    if not body or body[0] not in "[{":
        return None
    limits = limits or _LIMITS.get()
    value, err, found, end = _decode_prefix(body, limits)
    acc = _Acc(limits)
    if err is not None:
        if '"name"' not in body or _PY_LOOKALIKE.match(body) is not None:  # ([f(a="name")] is pythonic)
            return None
        acc.attempted = True
        acc.violations.append(err)
        return acc.result("json")
    if not _is_call_shaped(value):
        return None
    acc.attempted = True
    acc.blocks = 1
    if found:
        acc.violations.extend(found)
    acc.add_value(value)
    if end < len(body):
        acc.texts.append(body[end:])
    return acc.result("json")


# --------------------------------------------------------------------------------------------------
# pythonic
# --------------------------------------------------------------------------------------------------

_PY_LIST_HEAD: Final = re.compile(r"\[\s*[A-Za-z_][\w.]*\(")  # one anchored match: linear
_PY_CALL_HEAD: Final = re.compile(r"[A-Za-z_][\w.]*\(")
_BRACKET_STEP: Final = np.zeros(256, dtype=np.int8)  # byte -> depth step
_BRACKET_STEP[[ord(c) for c in "([{"]] = 1
_BRACKET_STEP[[ord(c) for c in ")]}"]] = -1


def _pythonic_shape(text: str) -> bool:
    """Cheap shape test (``text`` stripped): ``[ident(...) ...]`` or ``ident(...)`` spanning it all."""
    if text.startswith("["):
        return text.endswith("]") and _PY_LIST_HEAD.match(text) is not None
    return text.endswith(")") and _PY_CALL_HEAD.match(text) is not None


def _bracket_depth_ok(text: str, max_depth: int) -> bool:
    """Linear pre-scan: bracket nesting never exceeds ``max_depth`` (strings are not skipped). The running
    depth is the prefix sum of +1/-1 per bracket, computed by numpy over the text's UTF-8 bytes (brackets
    are ASCII; every other byte counts 0): a few C passes, about 10 ns a character."""
    if text.count("(") + text.count("[") + text.count("{") <= max_depth:
        return True
    steps = _BRACKET_STEP[np.frombuffer(text.encode("utf-8", "surrogatepass"), dtype=np.uint8)]
    return int(np.cumsum(steps, dtype=np.int64).max()) <= max_depth


#: Most commas + parentheses + ``=`` signs a pythonic answer may hold before it is refused unparsed (the
#: outcomes of the former ``ast``-based decoder are kept; the decoder itself is linear).
PYTHONIC_MAX_NODES: Final = 5_000

#: Most ``[`` and ``{`` a pythonic answer may hold (counted in the whole text, strings included, as the
#: depth pre-scan counts them) before it is ``over_budget`` unparsed: the decoder costs about a microsecond
#: per container, so 98,000 nested empty lists took 100 ms; 20,000 stay within the time budget.
PYTHONIC_MAX_CONTAINERS: Final = 20_000


def _pythonic_refusal(text: str, limits: Limits) -> str | None:
    """Why ``text`` is refused unread (a few C-level counts and the bracket-depth pre-scan), or ``None``."""
    if len(text) > limits.max_chars:
        return "too_long"
    if not _bracket_depth_ok(text, limits.max_depth):
        return "nesting_too_deep"
    if text.count(",") + text.count("(") + text.count("=") > PYTHONIC_MAX_NODES:
        return "pythonic_not_call"
    if text.count("[") + text.count("{") > PYTHONIC_MAX_CONTAINERS:
        return "over_budget"
    return None


def _pythonic_into(acc: _Acc, text: str) -> bool:
    """Decode ``text`` (already shape-checked) as pythonic calls into ``acc``; never evaluates. ``False`` when
    the pre-checks refused it unread (:func:`_pythonic_refusal`)."""
    acc.attempted = True
    limits = acc.limits
    refused = _pythonic_refusal(text, limits)
    if refused is not None:
        acc.violations.append(refused)
        return False
    outcome = decode_pythonic(text, limits)
    if isinstance(outcome, str):
        acc.violations.append(outcome)
        return True
    if not outcome:
        acc.violations.append("empty_call_block")
    for item in outcome:
        if item is None:
            acc.violations.append("pythonic_not_call")
            continue
        name, args, codes = item
        acc.violations.extend(codes)
        acc.add_call(ParsedCall(name, args))
    return True


def parse_pythonic(text: str, limits: Limits | None = None) -> ParseResult | None:
    """``[f(a=1), g(b="x")]`` or a single ``f(a=1)`` spanning the whole answer (stripped), and the variants
    BFCL's decoders read (:func:`_bfcl_variant`) where that gives no call; an answer wrapped in inline code or
    a fence without an info string (BFCL strips backticks) is read inside it, and counts only when it gives
    calls with literal arguments (else it is code, left as text). :func:`parse_pythonic_plain` is the plain
    reading alone.

    Only keyword arguments with literal values (numbers, strings, booleans, None, lists, tuples, dicts
    with string keys) make a call; anything else is ``pythonic_not_call`` (the call is kept with
    ``arguments=None`` when its name is readable). Read in one linear pass by
    :func:`~rlvr_rewards.parsing.pythonic.decode_pythonic` (no ``ast``, nothing evaluated) after a linear
    bracket-depth pre-scan; prose is rejected by a cheap shape test first.
    """
    body = text.strip()
    if not body:
        return None
    limits = limits or _LIMITS.get()
    if body[0] == "`":  # BFCL strips backticks: inline code or a fence around the whole answer
        inner = _unfenced(body)
        if not inner or inner[0] == "`":
            return None
        got = _parse_pythonic_body(inner, limits)
        return got if got is not None and _only_literal_calls(got) else None  # (else code, not calls)
    return _parse_pythonic_body(body, limits)


def _only_literal_calls(result: ParseResult) -> bool:
    """``result`` has calls, all with literal arguments (what a call beside prose or in a code block must be)."""
    return (
        bool(result.calls)
        and "pythonic_not_call" not in result.violations
        and BARE_NAME not in result.violations
        and all(c.arguments is not None for c in result.calls)
    )


def _parse_pythonic_body(body: str, limits: Limits) -> ParseResult | None:
    """:func:`parse_pythonic` of the stripped, non-empty ``body``."""
    if not _pythonic_shape(body):
        # (each variant holds a call: prose mostly has no parenthesis, and is done with here)
        return _bfcl_variant(body, limits, None) if "(" in body else None
    acc = _Acc(limits)
    acc.blocks = 1
    read = _pythonic_into(acc, body)
    strict = acc.result("pythonic")
    if not read or strict.calls or strict.violations != ("pythonic_not_call",):
        return strict  # (refused unread: a rewriting of the text would be refused too)
    return _bfcl_variant(body, limits, strict)


def parse_pythonic_plain(text: str, limits: Limits | None = None) -> ParseResult | None:
    """The plain pythonic reading alone, without the BFCL variants: ``[f(a=1), g(b="x")]`` or a lone ``f(a=1)``
    spanning the whole answer (stripped), else ``None``. What :func:`parse_pythonic` answers whenever this gives
    a call, or has no plain shape to read; the decoder's own contract (tests/test_pythonic_differential.py
    compares it with the former ``ast``-based decoder)."""
    body = text.strip()
    if not body or not _pythonic_shape(body):
        return None
    acc = _Acc(limits or _LIMITS.get())
    acc.blocks = 1
    _pythonic_into(acc, body)
    return acc.result("pythonic")


# The BFCL variants. BFCL's ``default_decode_ast_prompting`` strips the answer, wraps it in ``[...]`` unless
# it already starts / ends with a bracket, and reads the list with ``ast``; its model handlers split ``;``-
# separated calls, unescape markdown and read lists of call strings. Each variant below rewrites the answer
# into the Python list those decoders read (nothing else changes: the same linear decoder reads it) and is
# taken only when that list gives calls, so a text whose plain reading fails and none of whose rewritings
# gives a call keeps its plain outcome.

#: A call, possibly with markdown-escaped underscores in its name (``get\_weather(``).
_PY_ESC_CALL_HEAD: Final = re.compile(r"[A-Za-z_\\][\w.\\]*\(")
#: A list opening the text, its first item a call (possibly escaped): ``[get_weather(``.
_PY_LIST_LINE: Final = re.compile(r"[ \t]*(\[)[ \t]*[A-Za-z_\\][\w.\\]*\(")
#: The same list opening a later line (searched from its newline: linear, a literal first character).
_PY_LIST_AFTER_NEWLINE: Final = re.compile(r"\n[ \t]*(\[)[ \t]*[A-Za-z_\\][\w.\\]*\(")
#: A list of call strings: ``['f(a=1)', "g(b=2)"]``.
_PY_QUOTED_LIST_HEAD: Final = re.compile(r"\[\s*[rRuU]?['\"]\s*(?:\[\s*)?[A-Za-z_\\][\w.\\]*\(")
#: What a pythonic list (or a list of call strings) starts with: JSON that fails there is not a call of the JSON
#: formats even when it mentions ``"name"``.
_PY_LOOKALIKE: Final = re.compile(r"\[\s*(?:[rRuU]?['\"]\s*(?:\[\s*)?)?[A-Za-z_\\][\w.\\]*\(")


def _bfcl_variant(body: str, limits: Limits, strict: ParseResult | None) -> ParseResult | None:
    """The calls of ``body`` (stripped) read as BFCL's decoders read it, or ``None``:

    - a list of call strings, ``['f(a=1)', "g(b=2)"]`` (every item a string holding a pythonic call);
    - calls as statements or an unbracketed list, ``f(a=1); g(b=2)`` / ``f(a=1)\\ng(b=2)`` / ``f(a=1),
      g(b=2)`` / ``f(a=1);`` (read as ``[f(a=1), g(b=2)]``), the answer ending with a call;
    - a pythonic list on its own line(s) with prose before or after it, ``[f(a=1)]\\n\\nI called f.``: the
      calls, the prose as free text (``text_with_call``); taken only when every item is a call with literal
      arguments (so prose holding a bracketed call-like phrase stays prose);
    - in each, a ``\\_`` in a name (markdown escaping) reads as ``_`` (strings are left as written).

    ``strict``: the plain reading's result when ``body`` has the plain shape (it gave no call and was not refused
    by the pre-checks), returned when no rewriting gives a call; ``None`` otherwise (the pre-checks are then run
    here, only once a rewriting's shape is found)."""
    if "(" not in body:  # (each variant holds a call: prose mostly has no parenthesis)
        return strict
    if body[0] == "[" and _PY_QUOTED_LIST_HEAD.match(body) is not None:
        return (_call_strings(body, limits) if _rewritable(body, limits, strict) else None) or strict
    head = _PY_LIST_LINE.match(body)  # (a list opening the text)
    if (head is not None or (body[0] != "[" and _PY_ESC_CALL_HEAD.match(body) is not None)) and (
        body.rstrip(" \t\r\n;,").endswith((")", "]")) or "#" in body
    ):
        if not _rewritable(body, limits, strict):
            return strict
        got, more = _statements(body, limits)
        if got is not None or not more:
            return got or strict
    if head is None:
        head = _PY_LIST_AFTER_NEWLINE.search(body)
    if head is None or not _rewritable(body, limits, strict):
        return strict
    return _list_in_prose(body, head.start(1), limits) or strict


def _unfenced(body: str) -> str | None:
    """The inside of an answer wrapped in backticks (stripped) as BFCL reads it (it strips backticks and
    newlines from both ends), ``None`` when it is not: inline code (`` `[f(a=1)]` ``) or a fence without an info
    string. (A fence naming a language, ```` ```python ````, holds code of that language: BFCL's decoder fails
    on it, and so it stays text here.)"""
    if body[-1] != "`" or len(body) < 2:
        return None
    inner = body.strip("`")
    return inner.strip() if not body.startswith("```") or inner[:1] in ("\n", "\r") else None


def _rewritable(body: str, limits: Limits, strict: ParseResult | None) -> bool:
    """``body`` passes the pythonic pre-checks (known when the plain reading ran: ``strict``): a text they refuse
    unread is not rewritten either."""
    if "\x00" in body:  # (CPython refuses a NUL anywhere, in a comment too, which a rewriting drops)
        return False
    return strict is not None or _pythonic_refusal(body, limits) is None


def _decoded(text: str, limits: Limits, texts: Iterable[str] = ()) -> _Acc:
    """``text`` (a rewritten list) decoded into a fresh accumulator counting one block, with free ``texts``."""
    acc = _Acc(limits)
    acc.blocks = 1
    acc.texts.extend(texts)
    _pythonic_into(acc, text)
    return acc


def _statements(body: str, limits: Limits) -> tuple[ParseResult | None, bool]:
    """``f(a=1); g(b=2)``, calls on lines of their own, ``f(a=1), g(b=2)``: read as ``[f(a=1), g(b=2)]`` (a
    statement that is a list, ``[f(a=1)]\\n[g(b=2)]``, gives its items). Also whether a list with prose after
    it could still be read (not when the text is one statement: a list opening it reaches its end)."""
    got = top_level_statements(body)
    if got is None:
        return None, True
    items = [item for item in (s.strip().rstrip(",").rstrip() for s in got[0]) if item]
    more = len(items) > 1
    if not items or not items[-1].endswith((")", "]")):
        return None, more  # (the answer ends with a call, or with a list: not with prose)
    items = [item for item in map(_unbracketed, items) if item]
    if not all(_PY_ESC_CALL_HEAD.match(item) for item in items):
        return None, more  # (every statement is a call, or a list opening with one)
    listed = "[" + ", ".join(items) + "]"
    if listed == body:
        return None, more  # (nothing was rewritten: the plain reading already failed)
    acc = _decoded(listed, limits)
    return (acc.result("pythonic") if acc.calls else None), more


def _unbracketed(statement: str) -> str:
    """The items of a statement that is a list (``[f(a=1)]`` -> ``f(a=1)``), else the statement."""
    return statement[1:-1].strip() if statement[0] == "[" and statement[-1] == "]" else statement


def _list_in_prose(body: str, start: int, limits: Limits) -> ParseResult | None:
    """The list opening at ``body[start]`` (at the start of a line) up to its closing bracket, which must end
    its line; the text before and after is free text."""
    got = top_level_statements(body, start, until_close=True)
    if got is None:
        return None
    (listed,), end = got
    nl = body.find("\n", end)
    if body[end : nl if nl != -1 else len(body)].strip():
        return None  # (text after the list on its line: prose that holds brackets)
    before, after = body[:start], body[end:]
    prose = bool(before.strip() or after.strip())
    if not prose and len(listed) == len(body):
        return None  # (nothing was rewritten: the plain reading already failed)
    result = _decoded(listed, limits, (before, after)).result("pythonic")
    return result if result.calls and (not prose or _only_literal_calls(result)) else None


def _call_strings(body: str, limits: Limits) -> ParseResult | None:
    """``['f(a=1)', "g(b=2)"]``: a list literal whose items are all strings holding pythonic calls."""
    got = _python_literal(body, limits, checked=True)
    if got is None or got[1] is not None or type(got[0]) is not list or not got[0]:
        return None
    items = [item.strip() if type(item) is str else "" for item in got[0]]
    if not all(map(_pythonic_shape, items)):
        return None
    acc = _Acc(limits)
    acc.blocks = 1
    for item in items:
        _pythonic_into(acc, item)
    return acc.result("pythonic") if acc.calls else None


def _python_literal_hint(text: str) -> bool:
    """``text`` (not JSON) may be a Python literal: a single-quoted string or a Python constant right after a
    bracket, comma or colon (an apostrophe inside a JSON string, ``"I'm"``, is no hint). One regex search."""
    return ("'" in text or "True" in text or "False" in text or "None" in text) and (
        _PY_LITERAL_HINT.search(text) is not None
    )  # (four C-level scans first: most broken JSON has none of them)


#: Where a Python literal differs from JSON: a string opened by ``'`` or a constant, after ``{ [ , :``. (Each try
#: reads the blanks after one such character: linear.)
_PY_LITERAL_HINT: Final = re.compile(r"[{\[,:]\s*(?:'|True\b|False\b|None\b)")


def _python_literal(text: str, limits: Limits, checked: bool = False) -> tuple[Any, str | None, tuple[str, ...]] | None:
    """``text`` read as one Python literal (dicts, lists, tuples, strings, numbers, ``True``/``False``/``None``) by
    the linear pythonic decoder (as the value of a keyword argument: nothing evaluated, no ``ast``):
    ``(value, None, violations)``, ``(FAIL, error, violations)`` for a literal the limits refuse
    (``nonfinite_number``, ``number_too_large``, ``invalid_unicode``), ``None`` when it is no literal (or too
    large, deep or busy for the pythonic pre-checks; ``checked``: they were run on ``text`` already)."""
    if not checked and _pythonic_refusal(text, limits) is not None:
        return None
    quick = json_like_literal(text, limits)  # (the usual literal: one C-level JSON decode)
    if quick is not None:
        return quick[0], None, ("duplicate_keys",) if quick[1] else ()
    outcome = decode_pythonic("_(_=" + text + ")", limits)
    if isinstance(outcome, str) or len(outcome) != 1 or outcome[0] is None:
        return None
    _, args, codes = outcome[0]
    if BARE_NAME in codes:
        return None  # (a bare name is no literal: in a call block it is neither JSON nor a Python value)
    if args is not None:
        return args["_"], None, tuple(codes)
    if not codes or codes[-1] == "pythonic_not_call":
        return None
    return FAIL, codes[-1], tuple(codes[:-1])


# --------------------------------------------------------------------------------------------------
# glm_plain
# --------------------------------------------------------------------------------------------------

_GLM_NAME: Final = re.compile(r"[A-Za-z_][\w.\-]*")
#: The token GLM-4's chat template opens each assistant message with: one call each (``<|assistant|>NAME\n{..}``).
_GLM_TURN: Final = "<|assistant|>"
_GLM_END: Final = "<|observation|>"


def parse_glm_plain(text: str, limits: Limits | None = None) -> ParseResult | None:
    """GLM-4 chat (glm-4-9b-chat): the whole answer is the tool's name on a line of its own, then its arguments
    as one JSON object (``get_weather\\n{"city": "Paris"}``), nothing else. The chat template writes each call
    as an assistant message of its own (``<|assistant|>`` + name as metadata + ``\\n`` + JSON): several calls
    are such segments separated by ``<|assistant|>``; a final ``<|observation|>`` (the turn's end) is dropped.

    ``None`` for anything else, so prose is never claimed: in every segment the first line must be one
    identifier (letters, digits, ``_ . -``) and the rest one JSON object that decodes (the limits apart), with
    nothing after it, and that is not itself a call object (``{"name": .., "arguments": ..}`` after a word is
    a label and bare JSON). A JSON object the limits refuse (``nonfinite_number``, ``number_too_large``, ...)
    gives the call with ``arguments=None``. A segment repeated is decoded once.
    """
    if "}" not in text or "\n" not in text:  # (the usual prose: two C-level scans)
        return None
    body = text.strip()
    if body.endswith(_GLM_END):
        body = body[: -len(_GLM_END)].rstrip()
    if not body or body[-1] != "}" or "\n" not in body:
        return None
    acc = _Acc(limits or _LIMITS.get())
    acc.attempted = True
    segments = body.split(_GLM_TURN) if _GLM_TURN in body else [body]
    try:
        for segment in segments:
            if (segment.strip() or segment is not segments[0]) and not acc.decode_once(segment.strip(), _glm_call):
                return None
    except _OverBudget:
        return _over_budget("glm_plain")
    return acc.result("glm_plain") if acc.blocks else None


def _glm_call(acc: _Acc, segment: str) -> bool:
    """One ``NAME\\n{json}`` segment into ``acc``; ``False`` (nothing recorded) when it is not one."""
    nl = segment.find("\n")
    if nl <= 0 or not segment.endswith("}"):
        return False
    name = segment[:nl].strip()
    rest = segment[nl + 1 :].lstrip()
    if not rest.startswith("{") or _GLM_NAME.fullmatch(name) is None:
        return False
    value, err, found, end = _decode_prefix(rest, acc.limits)
    if err == "invalid_json" or end < len(rest):
        return False
    if err is None and (type(value) is not dict or _glm_call_object(value)):
        return False
    acc.blocks += 1
    acc.violations.extend(found)
    if err is not None:
        acc.violations.append(err)
        value = None
    acc.add_call(ParsedCall(name, value))
    return True


def _glm_call_object(value: dict[str, Any]) -> bool:
    """``value`` is a call object of the JSON formats (``name`` plus ``arguments``/``parameters``, nothing else)."""
    return "name" in value and ("arguments" in value or "parameters" in value) and value.keys() <= _CALL_KEYS


# --------------------------------------------------------------------------------------------------
# Registry of built-ins
# --------------------------------------------------------------------------------------------------

#: The built-in text formats, ordered by priority (the order ``parse_completion`` tries them in).
# --------------------------------------------------------------------------------------------------
# The Hermes straight path (the dominant completion, decided without the dispatch layers)
# --------------------------------------------------------------------------------------------------

_HERMES_OPEN: Final = "<tool_call>"
_HERMES_CLOSE: Final = "</tool_call>"


def parse_hermes_straight(text: str, limits: Limits) -> ParseResult | None:
    """The dominant completion (Qwen / Hermes) straight through, or ``None`` for the general path.

    Handles reasoning that :func:`split_think` separates without a violation, then exactly one
    ``<tool_call>`` block holding one JSON object, and no marker of another format. The ``straight`` path
    of the ``hermes`` spec, so ``parse_many`` takes it only when that parser is tried first (it decides
    such text). The result equals the general path's (tested on every corpus and on generated text:
    tests/test_fast_paths.py): it skips the dispatch layers and builds one ``ParseResult`` instead of two."""
    if len(text) > limits.max_chars or _HERMES_OPEN not in text:  # (no block: the general path, one split)
        return None
    answer, think, found = split_think(text)
    if found:
        return None
    result = _single_block(answer, _HERMES_OPEN, _HERMES_CLOSE, "hermes", limits)
    if result is None:
        return None
    # mixed_formats (the general path flags it): with one opening and one closing tag (what _single_block
    # found), two "<" in the answer leave no room for another format's tagged marker; only the untagged ones
    # remain to look for
    markers = _MARKERS.get() or _builtin_index()  # (current_markers(), inline on the hot path)
    if markers.foreign_untagged(answer, "hermes") if answer.count("<") == 2 else markers.foreign(answer, "hermes"):
        return None
    if not think:
        return result
    return ParseResult(
        calls=result.calls,
        text=result.text,
        think=think,
        format="hermes",
        violations=result.violations,
        attempted_call=True,
    )


BUILTIN_PARSERS: Final[tuple[ParserSpec, ...]] = (
    ParserSpec(
        "hermes",
        parse_hermes,
        10,
        "<tool_call>{json}</tool_call> blocks (Qwen, Hermes); a Python-literal block is read with "
        "python_literal_json; a first block holding Qwen3-Coder XML or GLM is left to those formats",
        straight=parse_hermes_straight,
        markers=(_HERMES_OPEN, _HERMES_CLOSE),
        family="Hermes 2 Pro / Qwen 2.5 / Qwen 3",
        aliases=("qwen", "qwen2.5", "qwen3", "hermes"),
        example='<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>',
        source="NousResearch Hermes 2 Pro function-calling format; Qwen 2.5 / Qwen 3 chat templates "
        "(TRL `trl/chat_templates/qwen2_5.jinja`, `qwen3.jinja`)",
    ),
    ParserSpec(
        "nemotron",
        parse_nemotron,
        20,
        "<TOOLCALL>[...]</TOOLCALL> (Nemotron)",
        markers=("<TOOLCALL>", "</TOOLCALL>"),
        family="Llama 3.1 Nemotron (Nano / Super / Ultra)",
        aliases=("nemotron", "llama-nemotron", "llama-3.1-nemotron"),
        example='<TOOLCALL>[{"name": "get_weather", "arguments": {"city": "Paris"}}]</TOOLCALL>',
        source="NVIDIA Llama-3.1-Nemotron system prompt format; BFCL `bfcl_eval/model_handler/api_inference/"
        "nemotron.py` (has_tool_call_tag)",
    ),
    ParserSpec(
        "mistral",
        parse_mistral,
        30,
        "[TOOL_CALLS][...] or [TOOL_CALLS]name[ARGS]{...} (Mistral)",
        markers=(_MISTRAL,),
        family="Mistral 7B v0.3 / Nemo / Small / Magistral",
        aliases=("mistral", "mistral-nemo", "mistral-small", "magistral", "ministral"),
        example='[TOOL_CALLS][{"name": "get_weather", "arguments": {"city": "Paris"}}]',
        source="mistral-common tokenizer formats (v3 `[TOOL_CALLS][...]`, v11+ `[TOOL_CALLS]name[ARGS]{...}`); "
        "Mistral 7B v0.3 and Nemo chat templates",
    ),
    ParserSpec(
        "llama3",
        parse_llama3,
        40,
        '<|python_tag|>{"name": .., "parameters": {..}} (Llama 3.x)',
        markers=(_PYTHON_TAG,),
        family="Llama 3.1 / 3.2 / 3.3",
        aliases=("llama3", "llama-3.1", "llama-3.2", "llama3.1"),
        example='<|python_tag|>{"name": "get_weather", "parameters": {"city": "Paris"}}',
        source="Meta Llama 3.1 / 3.2 prompt format (JSON tool calling, `<|python_tag|>`); TRL "
        "`trl/chat_templates/llama3_1.jinja`",
    ),
    ParserSpec(
        "fence",
        parse_fence,
        50,
        "a ```json fenced call object or list of calls",
        family="any model prompted for a JSON call in a markdown code block",
        example='```json\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n```',
        source="CommonMark fenced code blocks holding the `{name, arguments}` call object",
    ),
    ParserSpec(
        "json",
        parse_json,
        60,
        "the whole answer is a call object or a list of call objects",
        family="any model prompted for bare JSON calls (BFCL JSON prompting, ToolRL, Llama 3 JSON without the tag)",
        example='{"name": "get_weather", "arguments": {"city": "Paris"}}',
        source="the OpenAI-style `{name, arguments}` call object (BFCL `ReturnFormat.JSON` prompting)",
    ),
    ParserSpec(
        "glm_plain",
        parse_glm_plain,
        65,
        "GLM-4 chat: the tool's name on a line, then its JSON arguments, and nothing else",
        family="GLM-4 chat (glm-4-9b-chat)",
        aliases=("glm-4-9b-chat", "glm4-chat", "chatglm"),
        example='get_weather\n{"city": "Paris"}',
        source="THUDM glm-4-9b-chat chat template (tool answers as `name\\n{json}`); BFCL "
        "`bfcl_eval/model_handler/local_inference/glm.py` decode_ast",
    ),
    ParserSpec(
        "pythonic",
        parse_pythonic,
        70,
        '[f(a=1), g(b="x")] with literal keyword arguments; also the BFCL variants: f(a=1); g(b=2), calls on '
        "lines of their own, an unbracketed list, a list of call strings, markdown-escaped names (get\\_weather), "
        "a list with prose before or after it",
        family="BFCL prompting (Gorilla), Llama 3.2 / 3.3 pythonic tool calling",
        aliases=("bfcl", "gorilla", "bfcl-prompting"),
        example='[get_weather(city="Paris")]',
        source="BFCL `default_decode_ast_prompting` (bfcl_eval `model_handler/utils.py`) and its model handlers; "
        "vLLM `pythonic` / `llama4_pythonic` tool parsers",
    ),
)
