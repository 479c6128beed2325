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
- Matchers are registered through the ``register_matchers`` hook, so plugins can add ``$keys``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rlvr_rewards.errors import GroundTruthError

__all__ = ["CompiledMatcher", "MatcherSpec", "compile_value", "json_equal", "normalize_text"]

#: Longest string a user regex is run against (a bounded input keeps even a poor pattern cheap).
REGEX_MAX_INPUT = 10_000


@dataclass(frozen=True, slots=True)
class CompiledMatcher:
    """A compiled truth value: ``match(value) -> bool``; ``optional`` allows absence."""

    match: Callable[[Any], bool]
    optional: bool = False
    plain: bool = True  # the truth value was plain JSON (no matcher anywhere inside)
    description: str = ""
    #: for ``$text``: ``(steps, normalised target)``, so ``$any`` of texts can normalise a value once
    text: tuple[tuple[str, ...], str] | None = None


#: A matcher compiler: ``compile(spec_object, compile_value, path) -> CompiledMatcher`` where
#: ``compile_value(value, path)`` compiles nested values and ``path`` locates errors.
MatcherCompiler = Callable[[dict[str, Any], Callable[[Any, str], CompiledMatcher], str], CompiledMatcher]


@dataclass(frozen=True, slots=True)
class MatcherSpec:
    """A matcher registered under ``key`` (which must start with ``$``)."""

    key: str
    compile: MatcherCompiler
    description: str = ""


def _is_number(v: Any) -> bool:
    return (isinstance(v, (int, float))) and not isinstance(v, bool)


def json_equal(a: Any, b: Any) -> bool:
    """Equality under JSON types: bool, number, string, null, array, object never cross-match."""
    ta = type(a)
    if ta is str or ta is int:  # the common cases, exact types (an int is never a bool here)
        tb = type(b)
        if tb is ta:
            return bool(a == b)
        if ta is str:
            return isinstance(b, str) and a == b
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a is b
    if _is_number(a):
        if not _is_number(b):
            return False
        if isinstance(a, float) and not math.isfinite(a):
            return False
        return a == b
    if isinstance(a, str):
        return isinstance(b, str) and a == b
    if a is None:
        return b is None
    if isinstance(a, list):
        if not isinstance(b, list) or len(a) != len(b):
            return False
        return all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        if not isinstance(b, dict) or len(a) != len(b):
            return False
        for k, v in a.items():
            if k not in b or not json_equal(v, b[k]):
                return False
        return True
    return False


_PUNCT_CHARS = ",./-_*^!?;:()[]{}'\"`"
_PUNCT = str.maketrans("", "", _PUNCT_CHARS)
_WS_RE = re.compile(r"\s+")
_QUOTES = str.maketrans({"\u2018": '"', "\u2019": '"', "\u201c": '"', "\u201d": '"', "'": '"'})
NORMALIZE_STEPS = ("case", "whitespace", "punctuation", "quotes")
#: Every step ``$text`` accepts: the default four plus ``"bfcl"`` (BFCL's ``standardize_string``, exactly).
TEXT_STEPS = (*NORMALIZE_STEPS, "bfcl")
_BFCL_DROP_CHARS = " ,./-_*^"
_BFCL_DROP = str.maketrans("", "", _BFCL_DROP_CHARS)
# the same deletions for ASCII text, as bytes.translate arguments
_PUNCT_BYTES = _PUNCT_CHARS.encode("ascii")
_BFCL_DROP_BYTES = _BFCL_DROP_CHARS.encode("ascii")


def _drop(value: str, table: dict[int, Any], chars: bytes, ascii_only: bool) -> str:
    """``value`` without the characters in ``chars`` (``table`` is the same deletion as a str table);
    ASCII text goes through ``bytes.translate``, which deletes in C without a per-character lookup."""
    if ascii_only:
        return value.encode("ascii").translate(None, chars).decode("ascii")
    return value.translate(table)


def normalize_text(value: str, steps: tuple[str, ...] = NORMALIZE_STEPS) -> str:
    """Apply normalisation ``steps`` to a string (see module docs)."""
    ascii_only = value.isascii()
    if "bfcl" in steps:
        value = _drop(value, _BFCL_DROP, _BFCL_DROP_BYTES, ascii_only).lower().replace("'", '"')
    if "quotes" in steps:
        value = value.translate(_QUOTES) if not ascii_only else value.replace("'", '"')
    if "punctuation" in steps:
        value = _drop(value, _PUNCT, _PUNCT_BYTES, ascii_only)
    if "whitespace" in steps:
        value = _WS_RE.sub("", value) if "punctuation" in steps else _WS_RE.sub(" ", value).strip()
    if "case" in steps:
        value = value.casefold()
    return value


def _plain(value: Any) -> CompiledMatcher:
    """Equality under JSON types with ``value``; strings and numbers get a direct check (same result as
    :func:`json_equal`, one call less on the hot path)."""
    if type(value) is str:
        return CompiledMatcher(match=lambda got: isinstance(got, str) and got == value, plain=True)
    if type(value) is int or (type(value) is float and math.isfinite(value)):
        return CompiledMatcher(
            match=lambda got: isinstance(got, (int, float)) and not isinstance(got, bool) and got == value,
            plain=True,
        )

    def match(got: Any) -> bool:
        return json_equal(value, got)

    return CompiledMatcher(match=match, plain=True)


def _err(path: str, message: str, expected: str, got: Any) -> GroundTruthError:
    return GroundTruthError(message, field=path, expected=expected, got=got)


def _options(spec: dict[str, Any], key: str, allowed: set[str], path: str) -> None:
    extra = set(spec) - {key} - allowed
    if extra:
        raise _err(path, f"unknown option(s) {sorted(extra)} for matcher {key}",
                   f"only {sorted(allowed) or 'no options'}", spec)


def compile_any(spec: dict[str, Any], compile_value: Callable[[Any, str], CompiledMatcher],
                path: str) -> CompiledMatcher:
    _options(spec, "$any", set(), path)
    options = spec["$any"]
    if not isinstance(options, list) or not options:
        raise _err(path, "$any needs a non-empty list of acceptable values", "a non-empty list", options)
    subs = [compile_value(v, f"{path}.$any[{i}]") for i, v in enumerate(options)]
    texts = [s.text for s in subs]
    if all(t is not None for t in texts) and len({t[0] for t in texts if t is not None}) == 1:
        # only texts under the same steps (BFCL's string answers): normalise the value once, look it up
        steps = texts[0][0] if texts[0] is not None else ()
        wants = frozenset(t[1] for t in texts if t is not None)
        return CompiledMatcher(match=lambda got: isinstance(got, str) and normalize_text(got, steps) in wants,
                               plain=False, description="any of")
    fns = tuple(s.match for s in subs)
    return CompiledMatcher(match=lambda got: any(f(got) for f in fns), plain=False, description="any of")


def compile_approx(spec: dict[str, Any], compile_value: Callable[[Any, str], CompiledMatcher],
                   path: str) -> CompiledMatcher:
    _options(spec, "$approx", {"abs", "rel"}, path)
    target = spec["$approx"]
    abs_tol = spec.get("abs", 0.0)
    rel_tol = spec.get("rel", 1e-9 if "abs" not in spec else 0.0)
    for name, v in (("$approx", target), ("abs", abs_tol), ("rel", rel_tol)):
        if not _is_number(v) or not math.isfinite(v) or (name != "$approx" and v < 0):
            raise _err(f"{path}.{name}", f"{name} must be a finite{' non-negative' if name != '$approx' else ''} "
                       "number", "a number", v)
    tol = max(float(abs_tol), float(rel_tol) * abs(float(target)))

    def match(got: Any) -> bool:
        if not _is_number(got):
            return False
        try:
            return abs(float(got) - target) <= tol
        except OverflowError:
            return False

    return CompiledMatcher(match=match, plain=False, description="approximately")


def compile_unordered(spec: dict[str, Any], compile_value: Callable[[Any, str], CompiledMatcher],
                      path: str) -> CompiledMatcher:
    _options(spec, "$unordered", set(), path)
    items = spec["$unordered"]
    if not isinstance(items, list):
        raise _err(path, "$unordered needs a list", "a list", items)
    subs = tuple(compile_value(v, f"{path}.$unordered[{i}]").match for i, v in enumerate(items))

    def match(got: Any) -> bool:
        if not isinstance(got, list) or len(got) != len(subs):
            return False
        # Bipartite check (small lists): each truth item must take a distinct predicted item.
        return _perfect_matching([[f(g) for g in got] for f in subs])

    return CompiledMatcher(match=match, plain=False, description="in any order")


def _perfect_matching(adj: list[list[bool]]) -> bool:
    """Kuhn's augmenting paths: is there a perfect matching rows -> columns?"""
    n = len(adj)
    owner = [-1] * n

    def try_row(r: int, seen: list[bool]) -> bool:
        for c in range(n):
            if adj[r][c] and not seen[c]:
                seen[c] = True
                if owner[c] < 0 or try_row(owner[c], seen):
                    owner[c] = r
                    return True
        return False

    return all(try_row(r, [False] * n) for r in range(n))


def compile_optional(spec: dict[str, Any], compile_value: Callable[[Any, str], CompiledMatcher],
                     path: str) -> CompiledMatcher:
    _options(spec, "$optional", {"default_ok"}, path)
    inner = compile_value(spec["$optional"], f"{path}.$optional")
    return CompiledMatcher(match=inner.match, optional=True, plain=False, description="optional")


def compile_text(spec: dict[str, Any], compile_value: Callable[[Any, str], CompiledMatcher],
                 path: str) -> CompiledMatcher:
    _options(spec, "$text", {"normalize"}, path)
    target = spec["$text"]
    if not isinstance(target, str):
        raise _err(path, "$text needs a string", "a string", target)
    steps = spec.get("normalize", list(NORMALIZE_STEPS))
    if not isinstance(steps, list) or any(s not in TEXT_STEPS for s in steps):
        raise _err(f"{path}.normalize", "unknown normalisation step", f"a list drawn from {list(TEXT_STEPS)}",
                   steps)
    st = tuple(steps)
    want = normalize_text(target, st)
    return CompiledMatcher(
        match=lambda got: isinstance(got, str) and normalize_text(got, st) == want, plain=False,
        description="text", text=(st, want),
    )


def compile_regex(spec: dict[str, Any], compile_value: Callable[[Any, str], CompiledMatcher],
                  path: str) -> CompiledMatcher:
    _options(spec, "$regex", set(), path)
    pattern = spec["$regex"]
    if not isinstance(pattern, str):
        raise _err(path, "$regex needs a pattern string", "a string", pattern)
    try:
        rx = re.compile(pattern)
    except re.error as exc:
        raise _err(path, f"invalid regular expression: {exc}", "a Python regular expression", pattern) from None
    return CompiledMatcher(
        match=lambda got: isinstance(got, str) and len(got) <= REGEX_MAX_INPUT and rx.fullmatch(got) is not None,
        plain=False, description="regex",
    )


def compile_none(spec: dict[str, Any], compile_value: Callable[[Any, str], CompiledMatcher],
                 path: str) -> CompiledMatcher:
    _options(spec, "$none", set(), path)
    return CompiledMatcher(match=lambda got: False, plain=False, description="no acceptable value")


def compile_literal(spec: dict[str, Any], compile_value: Callable[[Any, str], CompiledMatcher],
                    path: str) -> CompiledMatcher:
    _options(spec, "$literal", set(), path)
    return _plain(spec["$literal"])


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
    """Compile one ground-truth value (plain JSON or matcher) found at ``path``."""

    def recurse(v: Any, p: str) -> CompiledMatcher:
        return compile_value(v, p, matchers)

    if isinstance(value, float) and not math.isfinite(value):
        raise _err(path, "ground-truth numbers must be finite", "a finite number", value)
    if isinstance(value, dict):
        key = _matcher_key(value)
        if key == "__many__":
            raise _err(path, "a matcher object has exactly one $-key", "e.g. {'$any': [...]}", value)
        if key is not None:
            spec = matchers.get(key)
            if spec is None:
                raise _err(path, f"unknown matcher {key}",
                           f"one of {sorted(matchers)} (or wrap a literal object in $literal)", value)
            return spec.compile(value, recurse, path)
        subs = {k: recurse(v, f"{path}.{k}") for k, v in value.items()}
        if all(s.plain for s in subs.values()):
            return _plain(value)
        required = {k for k, s in subs.items() if not s.optional}

        def match_obj(got: Any) -> bool:
            if not isinstance(got, dict):
                return False
            if not required.issubset(got) or any(k not in subs for k in got):
                return False
            return all(subs[k].match(v) for k, v in got.items())

        return CompiledMatcher(match=match_obj, plain=False)
    if isinstance(value, list):
        items = [recurse(v, f"{path}[{i}]") for i, v in enumerate(value)]
        if all(s.plain for s in items):
            return _plain(value)
        fns = tuple(s.match for s in items)

        def match_list(got: Any) -> bool:
            return isinstance(got, list) and len(got) == len(fns) and all(f(g) for f, g in zip(fns, got, strict=True))

        return CompiledMatcher(match=match_list, plain=False)
    if value is None or isinstance(value, (str, bool, int, float)):
        return _plain(value)
    raise _err(path, "ground-truth values must be JSON", "a JSON value", value)
