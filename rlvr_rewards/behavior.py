"""What a completion did: ``execute``, ``clarify``, ``refuse``, ``answer`` or ``invalid``.

Contract: :func:`classify` reads only a :class:`ParseResult` (never the raw completion: text inside
tool-call arguments or reasoning is never read), runs in time linear in the free text, and never raises.

- ``invalid``: empty, too long, or call syntax with no decodable, named call.
- ``execute``: at least one decoded call (text next to it is a format matter: see
  :func:`mixed_violations`).
- Otherwise the free text is split into sentences and each is read for three kinds of cue:

  * **declining**: a first-person inability or unwillingness ("I can't help with", "I'm not able to",
    "isn't something I can do", "I don't have a tool for", "goes against my guidelines", "I must
    decline"), excluding idioms ("I can't wait", "I can't believe");
  * **requesting**: a question to the user, or a request without a question mark ("Please tell me the
    date.", "Let me know which city", "I'll need the recipient's address"), excluding *offers*
    ("Is there anything else I can help with?") and rhetorical questions the text answers itself;
  * otherwise the sentence is content.

  A declining sentence makes ``refuse``, unless it is conditional on missing information ("I can't book
  it without a time") and the text also requests something, which makes ``clarify``. A request makes
  ``clarify``. Anything else is ``answer`` (an apology before an answer, or uncertainty, is an answer).

The built-in classifier is the last ``classify_behavior`` hook implementation: plugins registered by
users run first and the first non-``None`` result wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rlvr_rewards.parsing.types import ParseResult

__all__ = ["TextCues", "classify", "is_question", "is_refusal", "mixed_violations", "read_text"]

_FATAL = frozenset({"empty", "too_long"})

# Sentence boundaries: end punctuation followed by space, or line breaks. Fixed-width look-behind: linear.
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+")

_DECLINE_RE = re.compile(
    r"\b(?:"
    r"i\s*(?:can'?t|can\s*not|cannot|won'?t|will\s+not|am\s+not\s+going\s+to|'m\s+not\s+going\s+to|"
    r"must|have\s+to|need\s+to|'ll\s+have\s+to)\s+(?:politely\s+)?(?:decline|refuse|pass)|"
    r"i\s*(?:can'?t|cannot|can\s+not|won'?t|will\s+not|wo\s+not)\b(?!\s+(?:wait|believe|thank|stress|tell\s+you\s+how))|"
    r"i\s*(?:am|'m|m)\s+(?:afraid\s+i\s+(?:can'?t|cannot)|unable|not\s+able|not\s+allowed|not\s+permitted|"
    r"not\s+authori[sz]ed|not\s+in\s+a\s+position|not\s+equipped|not\s+designed)|"
    r"i\s*(?:do\s*n[o']t|don'?t|do\s+not)\s+have\s+(?:a|any|the|access\s+to\s+(?:a|any))?\s*"
    r"(?:ability|access|tool|tools|way|means|capability|capabilities|function|functionality)|"
    r"i\s+have\s+no\s+(?:way|tool|tools|access|ability|means)|"
    r"(?:no|none\s+of\s+(?:my|the))\s+(?:available\s+)?tools?\s+(?:can|could|is|are|for|that|lets?|allows?)|"
    r"(?:isn'?t|is\s+not|not)\s+something\s+(?:that\s+)?i\s+(?:can|could|am\s+able\s+to|'m\s+able\s+to|will)|"
    r"(?:outside|beyond)\s+(?:of\s+)?(?:my|the)\s+(?:scope|capabilities|abilities|remit)|out\s+of\s+(?:my\s+)?scope|"
    r"(?:against|violates?|violating)\s+(?:my|the|our)\s+(?:guidelines|policy|policies|principles|rules)|"
    r"unable\s+to\s+(?:help|assist|comply|do|provide|fulfil+|complete|process|perform|book|send|access)|"
    r"(?:not|never)\s+(?:able|permitted|allowed)\s+to\s+(?:help|assist|comply|do|provide|fulfil+|book|send)|"
    r"(?:that|this|it)(?:'s|\s+is)\s+not\s+(?:possible|something)\s+(?:for\s+me|i\s+can)"
    r")",
    re.IGNORECASE,
)

_CONDITIONAL_RE = re.compile(
    r"\b(?:without|unless|until|until\s+i\s+know|before\s+i|first|yet|need|needs|missing|don'?t\s+know|"
    r"do\s+not\s+know|not\s+sure\s+(?:which|what|where|when|who))\b",
    re.IGNORECASE,
)

_REQUEST_RE = re.compile(
    r"\b(?:"
    r"(?:please|kindly)\s+(?:provide|specify|tell|let\s+me\s+know|share|confirm|clarify|give|send|say|"
    r"indicate|state|enter|choose|pick|select|supply)|"
    r"(?:could|can|would|will)\s+you\s+(?:please\s+|kindly\s+)?(?:provide|specify|tell|share|confirm|clarify|"
    r"let\s+me\s+know|give|send|say|indicate|clarify|choose|pick|let\s+me)|"
    r"let\s+me\s+know|"
    r"i\s*(?:will\s+|'ll\s+|would\s+|'d\s+|just\s+|still\s+|first\s+)?(?:need|require)\s+(?:to\s+know|to\s+have|"
    r"the|a|an|your|some|more|few|that|this|which|what|when|where|who|how)|"
    r"(?:need|needs|require|requires)\s+(?:a|an|the|your|some|more|to\s+know)\s+\w+\s+(?:first|before)|"
    r"what\s+(?:is|are|was|would|should|time|date|day|city|amount|currency)\b.*\?|"
    r"tell\s+me\s+(?:the|which|what|when|where|who|how|your)"
    r")",
    re.IGNORECASE,
)

_OFFER_RE = re.compile(
    r"\b(?:anything\s+else|something\s+else|else\s+i\s+can|(?:can|may|could)\s+i\s+help|how\s+can\s+i\s+help|"
    r"help\s+(?:you\s+)?with\s+(?:anything|something)|another\s+(?:way|task|request)|"
    r"would\s+you\s+like\s+(?:help|me\s+to\s+help)\s+with\s+(?:something|anything)|is\s+there\s+another)",
    re.IGNORECASE,
)

_RHETORICAL_ANSWER_RE = re.compile(r"^(?:because|well,|the\s+answer|that'?s\s+because|it'?s\s+because)\b", re.I)
_ANSWER_CONTENT_RE = re.compile(
    r"[$€£¥]\s?\d|\d\s?(?:%|°|degrees?\b|dollars\b|euros?\b|pounds\b|yen\b|usd\b|eur\b|gbp\b|km\b|miles\b|"
    r"mph\b|kg\b|lbs?\b|percent\b)|\bhere\s+(?:is|are)\b|\bhere'?s\b|\bthe\s+answer\s+is\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class TextCues:
    """What the free text of a completion contains."""

    declines: bool  # an unconditional declining sentence
    conditional_decline: bool  # a declining sentence conditioned on missing information
    requests: bool  # a question or request for information (offers excluded)
    content: bool  # a sentence that carries answer content (quantities with units, "here is", ...)


def read_text(text: str) -> TextCues:
    """The cues of a free text (see module docs). Linear in ``len(text)``."""
    declines = conditional = requests = content = False
    sentences = [s.strip() for s in _SENTENCE_SPLIT.split(text)]
    sentences = [s for s in sentences if s]
    for k, s in enumerate(sentences):
        if _DECLINE_RE.search(s) is not None:
            if _CONDITIONAL_RE.search(s) is not None:
                conditional = True
                # "I can't book it without a time: what time works?" also asks, in the same sentence
                if "?" in s or _REQUEST_RE.search(s) is not None:
                    requests = True
            else:
                declines = True
            continue
        is_offer = _OFFER_RE.search(s) is not None
        if s.endswith("?"):
            follow = sentences[k + 1] if k + 1 < len(sentences) else ""
            if not is_offer and _RHETORICAL_ANSWER_RE.search(follow) is None:
                requests = True
            continue
        if not is_offer and _REQUEST_RE.search(s) is not None:
            requests = True
            continue
        if _ANSWER_CONTENT_RE.search(s) is not None:
            content = True
    return TextCues(declines=declines, conditional_decline=conditional, requests=requests, content=content)


def is_refusal(text: str) -> bool:
    """True when some sentence of ``text`` declines (conditionally or not)."""
    cues = read_text(text)
    return cues.declines or cues.conditional_decline


def is_question(text: str) -> bool:
    """True when ``text`` asks the user for something (offers excluded)."""
    return read_text(text).requests


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
    cues = read_text(text)
    if cues.declines:
        return "refuse"
    if cues.requests:
        return "clarify"
    if cues.conditional_decline:
        return "refuse"
    return "answer"


def mixed_violations(parse: ParseResult) -> tuple[str, ...]:
    """Violations for a call hedged with a question or a refusal in the text beside it."""
    if not parse.calls or not parse.text:
        return ()
    cues = read_text(parse.text)
    out = []
    if cues.requests:
        out.append("call_with_question")
    if cues.declines or cues.conditional_decline:
        out.append("call_with_refusal")
    return tuple(out)
