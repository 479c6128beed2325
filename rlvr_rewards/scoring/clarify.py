"""Clarify and refuse quality (first version; the decision issue refines it).

Contract:
- :func:`mentions_parameter` is True when the text names a parameter: its name (``party_size`` ->
  "party size", "party_size", "partysize"; names that are function words like ``to`` do not count),
  a content word of its schema description ("Number of people in the party" -> "people"), or an
  everyday word from :data:`SYNONYMS` ("message" for ``body``), case-insensitively on word boundaries.
- :func:`clarify_quality` in [0, 1]: a question with an empty ``missing`` list scores 1; otherwise
  0.25 + 0.75 * (fraction of missing parameters mentioned).
- :func:`refuse_quality` in [0, 1]: 1 for a refusal without calls.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rlvr_rewards.tools import ToolSet

__all__ = ["clarify_quality", "mentions_parameter", "parameter_terms", "refuse_quality"]

_WORD_RE = re.compile(r"[a-z0-9]+")
_CAMEL_RE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_STOP = frozenset(
    "the a an of in on for to and or with from by at as is are be this that which what when where who how "
    "your you user value values name number string date time e.g eg format optional required default "
    "should must will can may use used using into than then it its their there these those such each "
    "specified specify given provided like would could please more details detail information info "
    "about need know want".split()
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
    "amount": ("much", "sum"),
    "quantity": ("many", "much"),
    "count": ("many",),
    "party_size": ("many", "people", "guests", "persons"),
    "numbers": ("values", "data", "list"),
}


def _name_variants(name: str) -> list[str]:
    spaced = _CAMEL_RE.sub(" ", name).replace("_", " ").replace("-", " ").lower().strip()
    return list(dict.fromkeys([spaced, spaced.replace(" ", ""), name.lower()]))


def parameter_terms(name: str, tools: ToolSet | None) -> tuple[tuple[str, ...], frozenset[str]]:
    """(phrases, keywords) that count as naming ``name``: name variants and description words."""
    phrases = tuple(_name_variants(name))
    words: set[str] = set(SYNONYMS.get(name, ()))
    if tools is not None:
        for tool in tools.tools.values():
            desc = tool.param_descriptions.get(name)
            if desc:
                words.update(w for w in _WORD_RE.findall(desc.lower()) if len(w) >= 4 and w not in _STOP)
    return phrases, frozenset(words)


def _tokens(text: str) -> set[str]:
    return set(_WORD_RE.findall(text.lower()))


def mentions_parameter(text_lower: str, tokens: set[str], name: str, tools: ToolSet | None) -> bool:
    phrases, words = parameter_terms(name, tools)
    for p in phrases:
        if p in _FUNCTION_WORDS or len(p) < 2:
            continue  # a name like "to" or "from" is too common a word to count as naming it
        if " " in p:
            if p in text_lower:
                return True
        elif p in tokens:
            return True
    return bool(words & tokens)


def clarify_quality(text: str, missing: Iterable[str], tools: ToolSet | None) -> float:
    missing = tuple(missing)
    if not missing:
        return 1.0
    low = text.lower()
    toks = _tokens(low)
    hit = sum(1 for m in missing if mentions_parameter(low, toks, m, tools))
    return 0.25 + 0.75 * hit / len(missing)


def refuse_quality(text: str) -> float:
    return 1.0 if text else 0.0
