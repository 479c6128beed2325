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
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from rlvr_rewards.parsing.types import ParseResult

__all__ = ["TextCues", "classify", "is_question", "is_refusal", "mixed_violations", "read_text", "request_sentences",
           "text_cue_memo"]

_FATAL = frozenset({"empty", "too_long"})

# The cue patterns below are written in lower case and run on lower-cased text: sre's case-insensitive
# matching costs about three times more than lower-casing a sentence once (``_fold``). The test suite
# checks the classification is unchanged against case-insensitive patterns on every corpus.
_CASE = 0


def _fold(text: str) -> str:
    return text.lower()


# Sentence boundaries: end punctuation followed by space, or line breaks. Fixed-width look-behind: linear.
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+")

_NEG = r"(?:can'?t|cannot|can\s+not|won'?t|will\s+not|wo\s+not)"
# "I can't wait", "I can't guarantee that's current": idioms and hedges, not refusals
_NOT_DECLINE = (
    r"(?!\s+(?:wait|believe|thank|stress|tell\s+you\s+how|guarantee|promise|be\s+(?:sure|certain)|say\s+for|"
    r"vouch|verify|confirm\s+(?:that|whether|if)|recommend\s+\w+\s+enough|help\s+(?:but|noticing)))"
)

_DECLINE_RE = re.compile(
    r"\b(?:"
    rf"i\s*{_NEG}\b{_NOT_DECLINE}|"
    r"i\s*(?:must|have\s+to|need\s+to|'ll\s+have\s+to)\s+(?:politely\s+|respectfully\s+)?(?:decline|refuse|pass)|"
    r"i\s*(?:am|'m|m)\s+(?:afraid\s+i\s+(?:can'?t|cannot)|unable|not\s+able|not\s+allowed|not\s+permitted|"
    r"not\s+authori[sz]ed|not\s+in\s+a\s+position|not\s+equipped|not\s+designed|not\s+going\s+to)|"
    r"i(?:'d|\s+would)\s+rather\s+not|i\s+(?:refuse|decline)\b|i\s+lack\s+(?:the\s+|any\s+)?(?:ability|access|means|tools?|capabilit)|"
    r"i\s*(?:do\s*n[o']t|don'?t|do\s+not)\s+have\s+(?:(?:a|an|any|the|access\s+to\s+(?:a|any))\s+)?(?:[\w-]+\s+){0,3}"
    r"(?:ability|access|tool|tools|way|means|capability|capabilities|function|functionality|connection|permission)\b|"
    r"i\s+have\s+no\s+(?:way|tool|tools|access|ability|means|function)|"
    r"(?:no|none\s+of\s+(?:my|the))\s+(?:available\s+)?(?:tools?|functions?)\s+(?:can|could|is|are|for|that|lets?|allows?|handles?)|"
    r"there(?:'s|\s+is)\s+no\s+(?:\w+\s+){0,3}(?:tool|function|way|option|capability)\s+(?:available\s+)?(?:to|for)\s+me|"
    r"(?:is\s*n'?t|is\s+not|are\s*n'?t|are\s+not|not)\s+something\s+(?:that\s+)?i\s*(?:can|could|am\s+able|'m\s+able|will|do)|"
    r"(?:is\s*n'?t|is\s+not|are\s*n'?t|are\s+not)\s+(?:among|one\s+of|part\s+of|included\s+in|covered\s+by)\s+"
    r"(?:them|my|the\s+(?:things|tools|functions)|what)|"
    r"(?:is\s*n'?t|is\s+not|not)\s+possible\s+for\s+me|"
    r"(?:can'?t|cannot|can\s+not)\s+be\s+\w+\s+(?:through|by|via|with)\s+me|"
    r"(?:outside|beyond)\s+(?:of\s+)?(?:my|the)\s+(?:scope|capabilities|abilities|remit|toolset|tools|skills)\b|"
    r"(?:outside|beyond)\s+what\s+i\s*(?:can|could|am\s+able|'m\s+able|do)\b|"
    r"out\s+of\s+(?:my\s+)?scope|"
    r"(?:against|violates?|violating|conflicts?\s+with)\s+(?:my|the|our)\s+(?:\w+\s+)?(?:guidelines|policy|policies|principles|rules)|"
    r"(?:guidelines|policy|policies|rules|principles)\s+(?:do\s*n[o']t|don'?t|do\s+not|does\s*n'?t|does\s+not)\s+(?:allow|permit|let)|"
    r"unable\s+to\s+(?:help|assist|comply|do|provide|fulfil+|complete|process|perform|book|send|access)|"
    r"(?:not|never)\s+(?:able|permitted|allowed)\s+to\s+(?:help|assist|comply|do|provide|fulfil+|book|send)|"
    r"(?:that|this|it)(?:'s|\s+is)\s+not\s+(?:possible|something)\s+(?:for\s+me|i\s+can)|"
    # broader families of declining language
    r"i(?:'m|\s+am)?\s*(?:going\s+to\s+|gonna\s+)?(?:have\s+to\s+|'ll\s+have\s+to\s+|must\s+)?"
    r"(?:pass\s+on|say\s+no|sit\s+this\s+one\s+out|refrain|steer\s+clear)\b|"
    r"i\s*(?:should\s*n'?t|should\s+not|shouldn'?t)\s+(?:help|assist|do|send|book|provide|write)|"
    r"not\s+(?:a\s+)?(?:service|something|task|thing|request)\s+(?:that\s+)?i\s*(?:offer|provide|do|handle|support|'ll|will|can)|"
    r"(?:falls?|is|are|lies?)\s+(?:well\s+)?(?:outside|beyond)\s+(?:what\s+i|the\s+scope|"
    r"my\s+(?:scope|abilities|capabilities|remit|tools|toolset|skills|purpose|role))\b|"
    r"(?:is|'s|are|'re)\s+beyond\s+(?:me|my\s+(?:abilities|capabilities|remit|scope|tools))\b|"
    r"not\s+(?:set\s+up|built|configured|designed|equipped|able)\s+(?:for|to)\b|"
    r"(?:not|isn'?t|is\s+not)\s+(?:within|in)\s+my\s+(?:power|abilities|capabilities|remit|wheelhouse|scope)|"
    r"no\s+can\s+do|that'?s\s+a\s+no\b|(?:can'?t|cannot)\s+be\s+done\s+(?:by|through|here)|"
    r"(?:not|isn'?t|aren'?t)\s+(?:available|supported|possible|offered)\s+(?:to|for|by|through)\s+me|"
    r"i\s*(?:have|'ve)\s+(?:got\s+)?no\s+(?:way|means|tool|ability|access)|"
    r"(?:love|like|want|happy|glad)\s+to\s+help,?\s+but\s+(?:i|that|this|it)"
    r")",
    _CASE,
)

# a curt refusal with the subject dropped, at the start of a sentence: "Can't do that.", "Not possible."
_CURT_DECLINE_RE = re.compile(
    r"^(?:(?:no|nope|sorry),?\s+)?(?:(?:can'?t|cannot|won'?t)\s+(?:do|help|order|book|send|make|provide|assist|"
    r"process|complete|handle)|not\s+possible|not\s+(?:sending|doing|booking|ordering|going\s+to|happening)|"
    r"no\s+can\s+do)\b",
    _CASE,
)

_CONDITIONAL_RE = re.compile(
    r"\b(?:without|unless|until|before\s+i|first|yet|need|needs|missing|don'?t\s+know|do\s+not\s+know|blank|empty|"
    r"not\s+sure\s+(?:which|what|where|when|who))\b",
    _CASE,
)

_REQUEST_RE = re.compile(
    r"\b(?:"
    r"(?:please|kindly)\s+(?:provide|specify|tell|let\s+me\s+know|share|confirm|clarify|give|send|say|"
    r"indicate|state|enter|choose|pick|select|supply|paste|list)|"
    r"(?:could|can|would|will)\s+you\s+(?:please\s+|kindly\s+)?(?:provide|specify|tell|share|confirm|clarify|"
    r"let\s+me\s+know|give|send|say|indicate|choose|pick|let\s+me|paste|list)|"
    r"let\s+me\s+know\s+(?:the|which|what|when|where|who|how|your)|"
    r"i\s*(?:will\s+|'ll\s+|would\s+|'d\s+|just\s+|still\s+|first\s+)?(?:need|require)\s+(?:to\s+know|to\s+have|"
    r"the|a|an|your|some|more|few|one|another|two|that|this|which|what|when|where|who|how)|"
    r"(?:once|if|when|as\s+soon\s+as)\s+you\s+(?:give|send|share|tell|provide|paste|let\s+me\s+know|confirm|specify)|"
    r"tell\s+me\s+(?:the|which|what|when|where|who|how|your)"
    r")",
    _CASE,
)

# an imperative asking the user to supply something: "Send me the address and I'll ...", "Paste the numbers"
_IMPERATIVE_RE = re.compile(
    r"^(?:please\s+)?(?:send|give|paste|share|provide|tell|enter|type|list|specify|confirm|choose|pick|add)\s+"
    r"(?:me|us|the|your|a|an|which|what|when|where|who|how)\b",
    _CASE,
)

# a question without its question mark: "Which city are you asking about", "may I ask how many people"
_INTERROGATIVE_RE = re.compile(
    r"^(?:which|what|when|where|who|whom|whose|how\s+(?:many|much|long|often)|could\s+you|can\s+you|would\s+you|"
    r"will\s+you|do\s+you|did\s+you|are\s+you|may\s+i\s+ask|wondering|shall\s+i|should\s+i)\b(?!\s+a\b)",
    _CASE,
)

_OFFER_RE = re.compile(
    r"\b(?:(?:anything|something)\s+else\s+(?:i\s+can|you\s+(?:need|want|'d\s+like|would\s+like)|to\s+help|for\s+you)|"
    r"(?:can|may|could)\s+i\s+help|how\s+can\s+i\s+help|i\s+can\s+help(?:\s+you)?\s+with|help\s+you\s+with\s+(?:something|anything)|"
    r"help\s+(?:you\s+)?with\s+(?:anything|something)|another\s+(?:way|task|request)|is\s+there\s+another|"
    r"let\s+me\s+know\s+if|if\s+you\s+(?:want|need|would\s+like|'d\s+like))",
    _CASE,
)

# follow-up markers: after an answer or a refusal, "Want the forecast as well?" offers more; on their own
# ("Just the temperature, or also the wind?") they are part of a clarifying question
_FOLLOW_UP_RE = re.compile(
    r"\b(?:instead|as\s+well|too|also|another|any\s+other|other\s+(?:amounts?|cities|dates|ones|conversions?))\b",
    _CASE,
)

_REDIRECT_RE = re.compile(
    r"^(?:you(?:\s+(?:could|can|might|may|should|will\s+need\s+to|would\s+need\s+to|will\s+have\s+to)|"
    r"'ll\s+need\s+to|'d\s+need\s+to|'ll\s+have\s+to)\s+"
    r"(?:try|use|contact|visit|check|add|book|call|ask|go|reach|consult|see|do)|"
    r"(?:please\s+)?(?:contact|consult|see|visit|call|try)\s+(?:a|an|your|the)\b)",
    _CASE,
)

# ... towards a service elsewhere (so "You could call them and ..." advice is not a redirect)
_SERVICE_RE = re.compile(
    r"\b(?:website|web\s*site|site|app|application|service|provider|agent|agency|airline|bank|brokerage|doctor|"
    r"physician|professional|support|directly|yourself|platform|portal|office|hotline|emergency|calendar|outlook)\b",
    _CASE,
)

_ANSWER_CONTENT_RE = re.compile(
    r"[$€£¥]\s?\d|\d\s?(?:%|°|degrees?\b|dollars\b|euros?\b|pounds\b|yen\b|usd\b|eur\b|gbp\b|jpy\b|chf\b|km\b|"
    r"miles\b|mph\b|kg\b|lbs?\b|percent\b)|\bhere\s+(?:is|are)\b|\bhere'?s\b|\bthe\s+answer\s+is\b|"
    r"\b(?:mean|median|average|total|sum)\s*(?:is|:|=)\s*\d",
    _CASE,
)


@dataclass(frozen=True, slots=True)
class TextCues:
    """What the free text of a completion contains."""

    declines: bool  # an unconditional declining sentence
    conditional_decline: bool  # a declining sentence conditioned on missing information
    requests: bool  # a question or request for information (offers and rhetorical questions excluded)
    request_after_decline: bool  # a genuine request that follows a declining sentence
    content: bool  # a sentence that carries answer content (quantities with units, "here is", ...)
    redirect: bool  # points the user elsewhere ("You could try your airline's website.")


#: Free text longer than twice this is read at its start and its end only (where replies decline or
#: ask): cue reading stays bounded whatever the length, and the length budget penalises the rest.
TEXT_WINDOW = 4_000


def _window(text: str) -> str:
    if len(text) <= 2 * TEXT_WINDOW:
        return text
    return text[:TEXT_WINDOW] + "\n" + text[-TEXT_WINDOW:]


def _is_request(s: str, after_answer: bool = False) -> bool:
    """``s``: one sentence, already folded to lower case."""
    if _OFFER_RE.search(s) is not None:
        return False
    if after_answer and _FOLLOW_UP_RE.search(s) is not None:
        return False
    if s.endswith("?") or "?" in s:
        return True
    if _REQUEST_RE.search(s) is not None or _IMPERATIVE_RE.search(s) is not None:
        return True
    return not s.endswith((".", "!")) and _INTERROGATIVE_RE.search(s) is not None


_CUE_MEMO: ContextVar[dict[str, TextCues] | None] = ContextVar("rlvr_rewards_text_cues", default=None)


@contextmanager
def text_cue_memo() -> Iterator[None]:
    """Within this block (one ``score_batch`` call), :func:`read_text` remembers the cues of each text
    it has read: identical texts recur across a batch (a refusal, a question). The memo belongs to the
    current context (thread), lives only as long as the block, and holds only texts of that batch."""
    token = _CUE_MEMO.set({})
    try:
        yield
    finally:
        _CUE_MEMO.reset(token)


def read_text(text: str) -> TextCues:
    """The cues of a free text (see module docs). Linear in ``len(text)``."""
    memo = _CUE_MEMO.get()
    if memo is None:
        return _read_text(text)
    cues = memo.get(text)
    if cues is None:
        cues = memo[text] = _read_text(text)
    return cues


def _read_text(text: str) -> TextCues:
    declines = conditional = requests = after = content = redirect = False
    sentences = [s.strip() for s in _SENTENCE_SPLIT.split(_fold(_window(text)))]
    sentences = [s for s in sentences if s]
    for s in sentences:
        if _DECLINE_RE.search(s) is not None or _CURT_DECLINE_RE.search(s) is not None:
            if _CONDITIONAL_RE.search(s) is not None:
                conditional = True
                if _is_request(s):  # "I can't book it without a time: what time works?"
                    requests = True
            else:
                declines = True
            if _ANSWER_CONTENT_RE.search(s) is not None:  # "I can't look it up, but it is 18°C there."
                content = True
            continue
        if _is_request(s, after_answer=content or declines or conditional):
            requests = True
            after = after or declines or conditional
            continue
        if _ANSWER_CONTENT_RE.search(s) is not None:
            content = True
        elif _REDIRECT_RE.search(s) is not None and _SERVICE_RE.search(s) is not None:
            redirect = True
    return TextCues(declines=declines, conditional_decline=conditional, requests=requests,
                    request_after_decline=after, content=content, redirect=redirect)


def request_sentences(text: str) -> list[str]:
    """The sentences of ``text`` that ask the user for something (offers excluded)."""
    return [s for s in (x.strip() for x in _SENTENCE_SPLIT.split(_window(text))) if s and _is_request(_fold(s))]


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
        # "I can't send a blank email. What should the subject be?" declines only what it cannot do yet
        return "clarify" if cues.request_after_decline and not cues.content else "refuse"
    if cues.requests and not cues.content:
        return "clarify"
    if cues.conditional_decline:
        return "refuse"
    if cues.redirect and not cues.content and not cues.requests:
        return "refuse"
    return "answer"


def mixed_violations(parse: ParseResult) -> tuple[str, ...]:
    """Violations for a call hedged with a question (or an offer to change it) or a refusal beside it."""
    if not parse.calls or not parse.text:
        return ()
    text = parse.text
    cues = read_text(text)
    out = []
    if cues.requests or "?" in text or _OFFER_RE.search(_fold(_window(text))) is not None:
        out.append("call_with_question")
    if cues.declines or cues.conditional_decline:
        out.append("call_with_refusal")
    return tuple(out)
