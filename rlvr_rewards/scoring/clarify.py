"""Clarify and refuse quality: does a question ask for what is missing, and only that?

Contract (pure functions, linear in the text, never raising):

- A parameter is *named* by a text when the text contains one of its terms, on word boundaries,
  case-insensitively. Strong terms: its name (``party_size`` -> "party size", "party_size",
  "partysize"; names that are function words such as ``to`` or ``from`` do not count), its string
  ``enum`` values, and everyday words from :data:`SYNONYMS` ("message" for ``body``). Weak terms: the
  content words of its schema description ("Number of people in the party" -> "people").
- :func:`clarify_quality` in [0, 1]. With ``missing`` empty: 1 for a focused question, lower when it
  names more than two parameters. Otherwise ``0.25 + 0.75 * coverage * precision`` where coverage is
  the share of missing parameters named (strong or weak terms) and precision is named-missing over all
  parameters named, where other parameters count only through strong terms in the sentences that ask
  (asking again for what the user gave, or for every parameter of every tool, lowers it; restating
  what the user gave does not). A term that also names a missing
  parameter ("when" for a missing time) never counts as over-asking.
- :func:`refuse_quality` in [0, 1]: 1 for a clean refusal; 0.5 when the refusal also carries answer
  content (quantities with units or currency, "here is ...": an answer with a refusal in front).
- :func:`reference_similarity` in [0, 1]: word-set overlap with the truth's reference text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from rlvr_rewards.classify.behavior import read_text, request_sentences
from rlvr_rewards.groundtruth.toolspecs import ToolSet
from rlvr_rewards.util.locks import ForkSafeLock

__all__ = ["SYNONYMS", "clarify_quality", "parameter_terms", "reference_similarity", "refuse_quality"]

_WORD_RE = re.compile(r"[a-z0-9]+")
_CAMEL_RE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_STOP = frozenset(
    "the a an of in on for to and or with from by at as is are be this that which what when where who how "
    "your you user value values name number string e.g eg format optional required default iso "
    "should must will can may use used using into than then it its their there these those such each "
    "specified specify given provided like would could please more details detail information info "
    "about need know want list one two three code".split()
)

#: Words too common to count as naming a parameter even when they are its name ("to", "from", "id").
_FUNCTION_WORDS = frozenset("a an the to at in on by of for from as is it or and id with into".split())

#: Everyday words for common parameter concepts, so a natural question counts as naming the parameter.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "body": ("message", "content", "text", "say", "write"),
    "to": ("recipient", "address", "who", "whom"),
    "recipient": ("who", "whom", "address"),
    "subject": ("title", "topic"),
    "time": ("when", "hour", "clock"),
    "date": ("when", "day"),
    "city": ("where", "location", "place"),
    "location": ("where", "city", "place"),
    "amount": ("much", "many", "sum"),
    "quantity": ("many", "much"),
    "count": ("many",),
    "party_size": ("many", "people", "guests", "persons"),
    "numbers": ("values", "data", "figures"),
}


def _name_variants(name: str) -> list[str]:
    spaced = _CAMEL_RE.sub(" ", name).replace("_", " ").replace("-", " ").lower().strip()
    variants = [spaced, spaced.replace(" ", ""), name.lower()]
    return [v for v in dict.fromkeys(variants) if v and v not in _FUNCTION_WORDS and len(v) >= 2]


class Terms(NamedTuple):
    """What names a parameter: ``strong`` terms (name variants, enum values, synonyms) and ``weak`` ones
    (content words of its description). ``phrases`` are multi-word strong terms."""

    phrases: tuple[str, ...]
    strong: frozenset[str]
    weak: frozenset[str]


_index_cache: dict[str, Mapping[str, Terms]] = {}
_index_lock = ForkSafeLock()


def _terms(name: str, weak: set[str], enums: set[str]) -> Terms:
    variants = _name_variants(name) + sorted(enums)
    strong = {v for v in variants if " " not in v} | set(SYNONYMS.get(name, ()))
    phrases = tuple(v for v in variants if " " in v)
    return Terms(phrases, frozenset(strong), frozenset(weak - strong))


def _build_index(tools: ToolSet | None) -> dict[str, Terms]:
    """name -> terms for every parameter of every tool."""
    descs: dict[str, set[str]] = {}
    enums: dict[str, set[str]] = {}
    if tools is not None:
        for tool in tools.tools.values():
            for pname in tool.properties:
                words = descs.setdefault(pname, set())
                desc = tool.param_descriptions.get(pname)
                if desc:
                    words.update(w for w in _WORD_RE.findall(desc.lower()) if len(w) >= 3 and w not in _STOP)
                for v in tool.enums.get(pname, ()):
                    if isinstance(v, str) and v.strip():
                        enums.setdefault(pname, set()).add(v.lower().strip())
    return {p: _terms(p, words, enums.get(p, set())) for p, words in descs.items()}


def parameter_terms(name: str, tools: ToolSet | None) -> Terms:
    """The terms that count as naming parameter ``name`` given the tools."""
    return _index(tools).get(name) or _terms(name, set(), set())


def _index(tools: ToolSet | None) -> Mapping[str, Terms]:
    key = tools.key if tools is not None else ""
    hit = _index_cache.get(key)
    if hit is None:
        hit = _build_index(tools)
        with _index_lock:
            if len(_index_cache) > 4096:
                _index_cache.clear()
            _index_cache[key] = hit
    return hit


def _found(terms: Terms, low: str, tokens: set[str], weak: bool) -> set[str]:
    found = {p for p in terms.phrases if p in low} | (terms.strong & tokens)
    if weak:
        found |= terms.weak & tokens
    return found


def clarify_quality(text: str, missing: Iterable[str], tools: ToolSet | None) -> float:
    missing = tuple(dict.fromkeys(missing))
    low = text.lower()
    tokens = set(_WORD_RE.findall(low))
    # over-asking is read from the sentences that ask; restating what the user gave is not asking
    asked = " ".join(request_sentences(text)).lower()
    asked_tokens = set(_WORD_RE.findall(asked))
    missing_terms = {m: parameter_terms(m, tools) for m in missing}
    hit = sum(1 for t in missing_terms.values() if _found(t, low, tokens, weak=True))
    shared: set[str] = set()
    for t in missing_terms.values():
        shared |= t.strong | t.weak | set(t.phrases)
    over = sum(
        1
        for p, t in _index(tools).items()
        if p not in missing_terms and (_found(t, asked, asked_tokens, weak=False) - shared)
    )
    if not missing:
        return 1.0 if over <= 2 else max(0.4, 1.0 - 0.15 * (over - 2))
    coverage = hit / len(missing)
    precision = hit / (hit + over) if hit else 0.0
    return 0.25 + 0.75 * coverage * precision


def refuse_quality(text: str) -> float:
    if not text:
        return 0.0
    return 0.5 if read_text(text).content else 1.0


def reference_similarity(text: str, reference: str | None) -> float | None:
    """Share of the reference's content words the text uses (None when there is no reference)."""
    if not reference:
        return None
    ref = {w for w in _WORD_RE.findall(reference.lower()) if w not in _STOP and len(w) >= 3}
    if not ref:
        return None
    got = set(_WORD_RE.findall(text.lower()))
    return len(ref & got) / len(ref)
