"""What a completion did: ``execute``, ``clarify``, ``refuse``, ``answer`` or ``invalid``.

Contract: :func:`classify` reads only a :class:`ParseResult` (never the raw completion), runs in time
linear in the free text, and never raises.

- ``invalid``: empty, too long, or call syntax with no decodable call.
- ``execute``: at least one decoded call (text next to it is a format violation, not a behaviour).
- otherwise the free text (outside calls and reasoning) is read: declining language makes ``refuse``;
  a question or a request for information makes ``clarify``; anything else is ``answer``.
Text inside tool-call arguments is never read here.
"""

from __future__ import annotations

import re

from rlvr_rewards.parsing.types import ParseResult

__all__ = ["classify", "is_question", "is_refusal"]

_FATAL = frozenset({"empty", "too_long"})

_REFUSAL_RE = re.compile(
    r"\b(?:i\s*(?:can'?t|cannot|can\s+not|won'?t|will\s+not|must\s+decline|have\s+to\s+decline|"
    r"am\s+(?:unable|not\s+able|not\s+allowed|not\s+permitted)|'m\s+(?:unable|not\s+able|not\s+allowed)|"
    r"m\s+(?:unable|not\s+able)|do\s*n[o']t\s+have\s+(?:the\s+|a\s+)?(?:ability|access|tool|way))|"
    r"(?:there\s+is|there'?s)\s+no\s+way\s+(?:for\s+me\s+)?to|no\s+way\s+for\s+me\s+to|"
    r"unable\s+to\s+(?:help|assist|comply|do\s+that|provide)|not\s+able\s+to\s+(?:help|assist)|"
    r"(?:can'?t|cannot|won'?t)\s+(?:help|assist|comply|do\s+that|provide)|"
    r"(?:outside|beyond)\s+(?:of\s+)?(?:my|the)\s+(?:scope|capabilities|abilities)|out\s+of\s+scope|"
    r"not\s+(?:something\s+)?(?:that\s+)?i\s+(?:can|am\s+able\s+to)\s+(?:help|do|assist)|"
    r"(?:isn'?t|is\s+not)\s+something\s+i\s+(?:can|am\s+able\s+to)|"
    r"against\s+(?:my|the)\s+(?:guidelines|policy|policies)|decline\s+(?:to|this))",
    re.IGNORECASE,
)

_REQUEST_RE = re.compile(
    r"\b(?:please\s+(?:provide|specify|tell|let\s+me\s+know|share|confirm|clarify|give)|"
    r"(?:could|can|would)\s+you\s+(?:please\s+)?(?:provide|specify|tell|share|confirm|clarify|let\s+me\s+know|give)|"
    r"i\s+(?:will\s+|'ll\s+)?need\s+(?:to\s+know|the|a|your|more)|let\s+me\s+know|what\s+(?:is|are)\s+the|"
    r"which\s+\w+)",
    re.IGNORECASE,
)


def is_refusal(text: str) -> bool:
    """True when the text declines (linear-time regex, no nested quantifiers)."""
    return _REFUSAL_RE.search(text) is not None


def is_question(text: str) -> bool:
    """True when the text asks the user something."""
    return "?" in text or _REQUEST_RE.search(text) is not None


def classify(parse: ParseResult) -> str:
    """The behaviour of one parsed completion (see module docs)."""
    if parse.calls:
        if all(not c.name for c in parse.calls):
            return "invalid"
        return "execute"
    if parse.attempted_call or _FATAL.intersection(parse.violations):
        return "invalid"
    text = parse.text
    if not text:
        return "invalid"
    if is_refusal(text):
        return "refuse"
    if is_question(text):
        return "clarify"
    return "answer"
