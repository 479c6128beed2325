"""What a completion did: ``execute``, ``clarify``, ``refuse``, ``answer`` or ``invalid``.

Contract: :func:`classify` reads only a :class:`ParseResult` (never the raw completion: text inside
tool-call arguments or reasoning is never read), runs in time linear in the free text, and never raises.

- ``invalid``: empty, too long, or call syntax with no decodable, named call.
- ``execute``: at least one decoded call (text next to it is a format matter: see
  :func:`mixed_violations`).
- Otherwise the free text is split into sentences (at end punctuation, line breaks and emoji) and each is
  read for three kinds of cue:

  * **declining**: a first-person inability or unwillingness ("I can't help with", "I'm not able to",
    "isn't something I can do", "I must decline", "I can only help with ..."), a toolset that cannot do it
    ("no tool fits", "none of my tools can ...", "the tools I have don't cover that", but not "no tool
    needed"), a policy ("goes against my guidelines", "That would be unsafe."), excluding idioms ("I can't
    wait", "I won't lie", "I can't see any reason not to");
  * **requesting**: a question to the user, or a request without a question mark ("Please tell me the
    date.", "Let me know which city", "I'll need the recipient's address"), excluding *offers*
    ("Is there anything else I can help with?") and rhetorical questions (answered by the next sentence,
    "Why? Because ...", or a subjectless hook, "Can't sleep?");
  * otherwise the sentence is content.

  A declining sentence makes ``refuse``, unless it is conditional on missing information ("I can't book
  it without a time") and the text also requests something, which makes ``clarify``. A request makes
  ``clarify``. Anything else is ``answer`` (an apology before an answer, or uncertainty, is an answer).
  A partial refusal ("I can't book the flight, but Rome will be 26°C") is ``refuse``.

  Cues accept the typographic apostrophe (``’``) wherever they accept ``'``.

The built-in classifier is the last ``classify_behavior`` hook implementation: plugins registered by
users run first and the first non-``None`` result wins.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from rlvr_rewards.parsing.types import ParseResult

__all__ = [
    "TextCues",
    "classify",
    "is_question",
    "is_refusal",
    "mixed_violations",
    "read_text",
    "request_sentences",
    "text_cue_memo",
]

_FATAL = frozenset({"empty", "too_long"})

# The cue patterns below are written in lower case and run on lower-cased text: sre's case-insensitive
# matching costs about three times more than lower-casing a sentence once (``_fold``). The test suite
# checks the classification is unchanged against case-insensitive patterns on every corpus.
_CASE = 0


def _fold(text: str) -> str:
    return text.lower()


# Models write the apostrophe both as ' and as the typographic U+2019 (GPT-4-class and Llama 3 output often do):
# the cue patterns are written with ' and compiled by ``_rx`` so that either matches.
_APOSTROPHE = "['\u2019]"


def _rx(pattern: str) -> re.Pattern[str]:
    """Compile a lower-case cue pattern in which every ``'`` also matches a typographic apostrophe."""
    return re.compile(pattern.replace("'", _APOSTROPHE), _CASE)


# Sentence boundaries: end punctuation followed by space, or line breaks; chat replies also end sentences with an
# emoji ("I can't send it with no body 🙂 What should it say?"). As first written, a split with a fixed-width
# look-behind (linear):
#   (?<=[.!?<emoji>])\s+|\n+
# ``_sentences`` finds the same cuts from the boundary's first character instead: an end mark followed by blanks
# (the cut is after the mark) or a run of line breaks. Both open with a character class of rare characters,
# which sre skips to in C; the look-behind form tried a match at every blank (about 1.4x slower, and a list of
# unstripped pieces to build).
_END_PUNCTUATION = r"[.!?\u2600-\u27bf\U0001f300-\U0001faff]"
_BOUNDARY = re.compile(r"[.!?\n\u2600-\u27bf\U0001f300-\U0001faff](?:(?<=\n)\n*|(\s+))")
_ASCII_BOUNDARY = re.compile(r"[.!?\n](?:(?<=\n)\n*|(\s+))")  # the same on ASCII text (a one-test class)
#: The split as first written: tests/test_behavior_gates.py checks ``_sentences`` cuts where it does.
SENTENCE_SPLIT_REFERENCE = re.compile(rf"(?<={_END_PUNCTUATION})\s+|\n+")


def _sentences(window: str) -> list[str]:
    """The non-empty, stripped pieces of ``SENTENCE_SPLIT_REFERENCE.split(window)``."""
    out = []
    start = 0
    for m in (_ASCII_BOUNDARY if window.isascii() else _BOUNDARY).finditer(window):
        cut = m.start(1)  # after the end mark; -1 for a run of line breaks, cut where it starts
        piece = window[start : cut if cut >= 0 else m.start()].strip()
        if piece:
            out.append(piece)
        start = m.end()
    piece = window[start:].strip()
    if piece:
        out.append(piece)
    return out


_NEG = r"(?:can'?t|cannot|can\s+not|won'?t|will\s+not|wo\s+not)"
# "I can't wait", "I won't lie", "I can't guarantee that's current": idioms and hedges, not refusals; "I can't tell
# which city you mean" is uncertainty (the question that follows decides)
_NOT_DECLINE = (
    r"(?!\s+(?:wait|believe|thank|stress|overstate|imagine|complain|argue|lie\b|pretend\b(?!\s+to\b)|keep\s+you|"
    r"get\s+over|tell\s+(?:you\s+how|which|what|whether|if|from|who|where|when|how\s+many)|guarantee|promise|"
    r"be\s+(?:sure|certain)|say\s+(?:for|i'm|i\s+am)|see\s+(?:any|a|why)\s+(?:reason|problem|issue|harm)|"
    r"vouch|verify|confirm\s+(?:that|whether|if)|recommend\s+(?:[\w-]+\s+){0,2}(?:enough|highly)|"
    r"speak\s+(?:[\w-]+\s+){0,2}highly|help\s+(?:but|noticing)))"
)


def _alts(heads: tuple[str, ...], tail: str) -> list[str]:
    r"""One alternative per head: ``_alts(("is", "are"), r"\s+x")`` is ``["is\s+x", "are\s+x"]``."""
    return [head + tail for head in heads]


def _by_first_letter(alternatives: list[str]) -> str:
    r"""``\b(?:a|b|...)`` with the alternatives grouped by their first (literal) character: sre then rejects a word
    start with one character test per group instead of entering every alternative. Same matches, less work."""
    groups: dict[str, list[str]] = {}
    for alt in alternatives:
        assert (alt[0].isalpha() or alt[0] == "'") and alt[1] not in "?*+{", alt  # a plain first character
        groups.setdefault(alt[0], []).append(alt[1:])
    return r"\b(?:" + "|".join(f"{first}(?:{'|'.join(rest)})" for first, rest in groups.items()) + ")"


_IS_NOT = ("is\\s*n't", "is\\s+not")
_ARE_NOT = ("are\\s*n't", "are\\s+not")
_TOOLS = r"(?:tools?|functions?|toolset|toolkit)"
# up to a few words inside one clause ("the tools [I have access to] can't"), not across "and", "but", ...
_GAP = r"(?:\s+(?!(?:and|but|so|or|because|though|while|it|this|that|which|they|you)\b)[\w-]+)"
# "no tool fits", "none of my tools can" -- but not "no tool needed", "none of the tools were needed"
_NO_TOOL = rf"{_GAP}{{0,2}}\s+{_TOOLS}\b(?!(?:\s+(?:call|calls|was|were|is|are|'s))?\s+(?:needed|necessary|required)\b)"
_SOMETHING_I = (
    r"\s+(?:really\s+|quite\s+)?something\s+(?:that\s+)?i\s*(?:can|could|will|do|have|'ll|"
    r"(?:am|'m)\s+(?:able|willing|comfortable|allowed|permitted|prepared))"
)
_BY_TOOLS = (
    r"\s+(?:be\s+)?(?:supported|handled|covered|done|possible|available|achievable|accomplished|fulfilled)\s+"
    rf"(?:by|with|using|through|via|in|among)\s+(?:any\s+of\s+)?(?:(?:the|my|any|these)\s+)?(?:[\w-]+\s+){{0,2}}"
    rf"{_TOOLS}\b"
)

# Every alternative starts with a plain letter (or an apostrophe): see ``_by_first_letter``.
_DECLINE_ALTERNATIVES: list[str] = [
    # first person: "I can't", "I must decline", "I'm not able to", "I'd rather not", "I don't have a tool for"
    rf"i\s*{_NEG}\b{_NOT_DECLINE}",
    r"i\s*(?:must|have\s+to|need\s+to|'ll\s+have\s+to)\s+(?:politely\s+|respectfully\s+)?(?:decline|refuse|pass)",
    r"i\s*(?:am|'m|m)\s+(?:afraid\s+i\s+(?:can'?t|cannot)|unable|not\s+able|not\s+allowed|not\s+permitted|"
    r"not\s+authori[sz]ed|not\s+in\s+a\s+position|not\s+equipped|not\s+designed|not\s+going\s+to|not\s+comfortable|"
    r"not\s+willing|not\s+connected\s+to|not\s+the\s+right\s+(?:assistant|tool|one|place)|"
    r"only\s+(?:able|designed|set\s+up|built|equipped)\b)",
    r"i(?:'d|\s+would)\s+(?:rather|prefer)\s+not",
    r"i\s+(?:refuse|decline)\b",
    r"i\s+lack\s+(?:the\s+|any\s+)?(?:ability|access|means|tools?|capabilit)",
    r"i\s*(?:do\s*(?:not|n't)|don'?t|do\s+not)\s+have\s+(?:(?:a|an|any|the|access\s+to\s+(?:a|any))\s+)?"
    r"(?:[\w-]+\s+){0,3}(?:ability|access|tool|tools|way|means|capability|capabilities|function|functionality|"
    r"connection|permission|integrations?)\b",
    r"i\s+have\s+no\s+(?:way|tool|tools|access|ability|means|function)",
    r"i\s*(?:have|'ve)\s+(?:got\s+)?no\s+(?:way|means|tool|ability|access)",
    r"i(?:'m|\s+am)?\s*(?:going\s+to\s+|gonna\s+)?(?:have\s+to\s+|'ll\s+have\s+to\s+|must\s+)?"
    r"(?:pass\s+on|say\s+no|sit\s+this\s+one\s+out|refrain|steer\s+clear)\b",
    r"i\s*(?:should\s*n'?t|should\s+not|shouldn'?t)\s+(?:help|assist|do|send|book|provide|write)",
    r"i\s+(?:don't|do\s+not)\s+think\s+i\s+(?:should|can|could)\s+(?:help|assist|do|send|book|write|provide|share)\b",
    # limits stated as such: "I can only help with ...", "I can do the conversion, but not the transfer"
    r"i\s*(?:can|could)\s+only\s+(?:help|assist|do|handle)\b",
    r"i\s+only\s+have\s+(?:the\s+)?(?:tools?|functions?|access)\b",
    r"i\s*can\s+(?:do|help\s+with|handle|manage)\s+(?:[\w-]+\s+){0,4}[\w-]+,?\s+but\s+not\b",
    *_alts(
        ("designed", "built", "set\\s+up", "programmed", "meant"),
        r"\s+to\s+(?:help|assist)\s+(?:you\s+)?with\b[^?]{0,160}\bonly[.!]?$",
    ),
    r"which\s+i\s+(?:(?:do\s+not|don't)\s+have|lack)\b",
    # the toolset: "no tool fits", "none of my tools can", "the tools I have don't cover that", "I couldn't find a
    # tool for", "isn't supported by the available functions", "there isn't a tool for that"
    rf"no{_NO_TOOL}",
    rf"none\s+of\s+(?:my|the|these|those){_NO_TOOL}",
    r"none\s+of\s+(?:them|these|those)\s+(?:can|could|will|would|lets?\s+me|allows?\s+me|supports?|handles?|covers?)\b",
    *_alts(
        ("tools", "functions", "toolset", "toolkit"),
        rf"{_GAP}{{0,5}}\s+(?:can't|cannot|can\s+not|don't|do\s+not|doesn't|does\s+not|aren't|are\s+not|isn't|"
        r"is\s+not|won't|will\s+not|are\s+insufficient|lack)\b(?!\s+(?:need|needed|necessary|required)\b)",
    ),
    *_alts(("not", "isn't", "aren't", "can't", "cannot"), _BY_TOOLS),
    r"i\s*(?:could\s*n't|could\s+not|can't|cannot|don't|do\s+not|didn't|did\s+not)\s+(?:find|see|identify)\s+"
    rf"(?:a|an|any)\s+(?:[\w-]+\s+){{0,2}}{_TOOLS}\b",
    rf"there\s+(?:isn't|is\s+not|aren't|are\s+not)\s+(?:a|an|any)\s+(?:[\w-]+\s+){{0,2}}{_TOOLS}\b",
    r"there(?:'s|\s+is)\s+no\s+(?:\w+\s+){0,3}(?:tool|function|way|option|capability)\s+(?:available\s+)?(?:to|for)\s+me",
    # "isn't something I can do", "isn't among the things I can do", "isn't possible for me"
    *_alts((*_IS_NOT, *_ARE_NOT, "not"), _SOMETHING_I),
    *_alts(
        (*_IS_NOT, *_ARE_NOT),
        r"\s+(?:among|one\s+of|part\s+of|included\s+in|covered\s+by)\s+"
        r"(?:them|my|the\s+(?:things|tools|functions)|what)",
    ),
    *_alts((*_IS_NOT, "not"), r"\s+possible\s+for\s+me"),
    *_alts(
        ("isn'?t", "is\\s+not", "not"),
        r"\s+(?:within|in)\s+my\s+(?:power|abilities|capabilities|remit|wheelhouse|scope)",
    ),
    *_alts(("not", "isn'?t", "aren'?t"), r"\s+(?:available|supported|possible|offered)\s+(?:to|for|by|through)\s+me"),
    *_alts(("that", "this", "it"), r"(?:'s|\s+is)\s+not\s+(?:possible|something)\s+(?:for\s+me|i\s+can)"),
    # "that's not possible", "that won't be possible" (not "it's not possible to divide by zero")
    *_alts(
        ("that", "this"),
        r"(?:'s\s+not|\s+is\s+not|\s+isn't|\s+won't\s+be|\s+will\s+not\s+be|"
        r"'s\s+not\s+going\s+to\s+be)\s+(?:possible|supported|doable|feasible|an\s+option)\b"
        r"(?!\s+(?:to|if|when|unless|until|because|once|without)\b)",
    ),
    *_alts(("that's", "that\\s+is", "this\\s+is"), r"\s+a\s+(?:hard\s+|firm\s+)?no\b"),
    *_alts(
        ("would\\s*n't", "would\\s+not", *_IS_NOT, "'s\\s+not"),
        r"\s+(?:be\s+)?(?:appropriate|right|okay|ok)\s+for\s+me\b",
    ),
    r"can(?:'?t|not|\s+not)\s+be\s+\w+\s+(?:through|by|via|with)\s+me",
    r"can(?:'?t|not)\s+be\s+done\s+(?:by|through|here)",
    r"no\s+can\s+do",
    r"n(?:ot|ever)\s+(?:able|permitted|allowed)\s+to\s+(?:help|assist|comply|do|provide|fulfil+|book|send)",
    r"unable\s+to\s+(?:help|assist|comply|do|provide|fulfil+|complete|process|perform|book|send|access)",
    r"not\s+(?:a\s+|an\s+)?(?:service|something|task|thing|request|capability|feature|skill|function)\s+(?:that\s+)?"
    r"i\s*(?:offer|provide|do|handle|support|'ll|will|can|have)",
    r"not\s+(?:set\s+up|built|configured|designed|equipped|able)\s+(?:for|to)\b",
    r"not\s+(?:really\s+)?(?:my|in\s+my)\s+(?:area|department|wheelhouse|field|domain|forte|purview)\b",
    # scope: "outside my capabilities", "beyond what I can do", "falls outside the scope", "out of scope"
    *_alts(
        ("outside", "beyond"),
        r"\s+(?:of\s+)?(?:my|the)\s+(?:scope|capabilities|abilities|remit|toolset|tools|skills)\b",
    ),
    *_alts(("outside", "beyond"), r"\s+(?:of\s+)?my\s+(?:wheelhouse|purview|expertise|domain|capability|reach|area)\b"),
    *_alts(("outside", "beyond"), r"\s+what\s+i\s*(?:can|could|am\s+able|'m\s+able|do)\b"),
    *_alts(("outside", "beyond"), rf"\s+(?:what|the\s+scope\s+of)\s+(?:my|the|these)\s+(?:[\w-]+\s+)?{_TOOLS}\b"),
    r"out\s+of\s+(?:my\s+)?scope",
    *_alts(
        ("falls", "fall", "is", "are", "lies", "lie"),
        r"\s+(?:well\s+)?(?:outside|beyond)\s+(?:what\s+i|the\s+scope|"
        r"my\s+(?:scope|abilities|capabilities|remit|tools|toolset|skills|purpose|role))\b",
    ),
    *_alts(("is", "'s", "are", "'re"), r"\s+beyond\s+(?:me|my\s+(?:abilities|capabilities|remit|scope|tools))\b"),
    # policy: "against my guidelines", "my guidelines don't allow"
    *_alts(
        ("against", "violates", "violate", "violating", "conflicts\\s+with", "conflict\\s+with"),
        r"\s+(?:my|the|our)\s+(?:\w+\s+)?(?:guidelines|policy|policies|principles|rules)",
    ),
    *_alts(
        ("guidelines", "policy", "policies", "rules", "principles"),
        r"\s+(?:do\s*(?:not|n't)|don'?t|do\s+not|does\s*n'?t|does\s+not)\s+(?:allow|permit|let)",
    ),
    *_alts(("love", "like", "want", "happy", "glad"), r"\s+to\s+help,?\s+but\s+(?:i|that|this|it)"),
]

# The first-person alternatives ("I can't", "I'm unable", ...: most refusals) are a pattern of their own that
# opens with its literal ``i`` and asserts the word start after it (``i(?<!\w.)`` is ``\bi``): sre finds each
# ``i`` in C instead of trying every word start, and a sentence that declines in the first person is settled
# before the other alternatives are tried. Together the two match where the single pattern did.
_DECLINE_I_RE = _rx("i(?<!\\w.)(?:" + "|".join(a[1:] for a in _DECLINE_ALTERNATIVES if a[0] == "i") + ")")
_DECLINE_RE = _rx(_by_first_letter([a for a in _DECLINE_ALTERNATIVES if a[0] != "i"]))
#: The alternatives as one pattern (tests/test_behavior_gates.py checks the split matches where it does).
DECLINE_REFERENCE_RE = _rx(_by_first_letter(_DECLINE_ALTERNATIVES))

# a curt refusal with the subject dropped, at the start of a sentence: "Can't do that.", "Not possible."
_CURT_DECLINE_RE = _rx(
    r"^(?:(?:no|nope|sorry),?\s+)?(?:(?:can'?t|cannot|won'?t)\s+(?:do|help|order|book|send|make|provide|assist|"
    r"process|complete|handle)|not\s+possible|not\s+(?:sending|doing|booking|ordering|going\s+to|happening)|"
    r"no\s+can\s+do)\b|^(?:sorry|i'm\s+sorry|apologies),?\s+(?:but\s+)?(?:no|nope)[.!]*$|"
    # "That would be unsafe.", "Sorry, doing that would be illegal, so ..." (not "That would be unsafe only if ...")
    r"^(?:(?:sorry|no|i'm\s+sorry|unfortunately),?\s+)?(?:that|this|doing\s+(?:that|this|so))\s+(?:would|could)\s+be\s+"
    r"(?:unsafe|dangerous|illegal|harmful|unethical|irresponsible|inappropriate)(?:\s+and\s+[\w-]+)?(?:[,;.!]|$)"
)

_CONDITIONAL_RE = _rx(
    r"\b(?:without|with\s+no|unless|until|before\s+i|first|yet|need|needs|missing|don'?t\s+know|do\s+not\s+know|"
    r"blank|empty|not\s+sure\s+(?:which|what|where|when|who))\b",
)

_REQUEST_RE = _rx(
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
)

# an imperative asking the user to supply something: "Send me the address and I'll ...", "Paste the numbers"
_IMPERATIVE_RE = _rx(
    r"^(?:please\s+)?(?:send|give|paste|share|provide|tell|enter|type|list|specify|confirm|choose|pick|add)\s+"
    r"(?:me|us|the|your|a|an|which|what|when|where|who|how)\b",
)

# a question without its question mark: "Which city are you asking about", "may I ask how many people"
_INTERROGATIVE_RE = _rx(
    r"^(?:which|what|when|where|who|whom|whose|how\s+(?:many|much|long|often)|could\s+you|can\s+you|would\s+you|"
    r"will\s+you|do\s+you|did\s+you|are\s+you|may\s+i\s+ask|wondering|shall\s+i|should\s+i)\b(?!\s+a\b)",
)

_OFFER_RE = _rx(
    r"\b(?:(?:anything|something)\s+else\s+(?:i\s+can|you\s+(?:need|want|'d\s+like|would\s+like)|to\s+help|for\s+you)|"
    r"(?:can|may|could)\s+i\s+help|how\s+can\s+i\s+help|i\s+can\s+help(?:\s+you)?\s+with|help\s+you\s+with\s+(?:something|anything)|"
    r"help\s+(?:you\s+)?with\s+(?:anything|something)|another\s+(?:way|task|request)|is\s+there\s+another|"
    r"let\s+me\s+know\s+if|if\s+you\s+(?:want|need|would\s+like|'d\s+like))",
)

# follow-up markers: after an answer or a refusal, "Want the forecast as well?" offers more; on their own
# ("Just the temperature, or also the wind?") they are part of a clarifying question
_FOLLOW_UP_RE = _rx(
    r"\b(?:instead|as\s+well|too|also|another|any\s+other|other\s+(?:amounts?|cities|dates|ones|conversions?))\b",
)

_REDIRECT_RE = _rx(
    r"^(?:you(?:\s+(?:could|can|might|may|should|will\s+need\s+to|would\s+need\s+to|will\s+have\s+to)|"
    r"'ll\s+need\s+to|'d\s+need\s+to|'ll\s+have\s+to)\s+"
    r"(?:try|use|contact|visit|check|add|book|call|ask|go|reach|consult|see|do)|"
    r"(?:please\s+)?(?:contact|consult|see|visit|call|try)\s+(?:a|an|your|the)\b)",
)

# ... towards a service elsewhere (so "You could call them and ..." advice is not a redirect)
_SERVICE_RE = _rx(
    r"\b(?:website|web\s*site|site|app|application|service|provider|agent|agency|airline|bank|brokerage|doctor|"
    r"physician|professional|support|directly|yourself|platform|portal|office|hotline|emergency|calendar|outlook)\b",
)

# a question the text answers itself: the next sentence starts "Because ..." ("Why can't the median be 5? Because ...")
_ANSWERED_RE = _rx(r"^(?:because|'cause|cause)\b")

# a subjectless negated question that opens a reply ("Can't sleep?", "Can't decide?"): a hook, not a request (a
# request after it, "Can't make it at 7? Would 8 work?", still counts)
_HOOK_RE = _rx(
    r"^(?:can't|cannot|couldn't|won't|don't|didn't)\s+"
    r"(?!(?:you|i|we|they|he|she|it|this|that|there|u|the|a|an|my|your|our|his|her|its|their)\b)[\w-]+"
    r"(?:\s+[\w-]+){0,3}\?$"
)

_ANSWER_CONTENT_RE = _rx(
    r"[$€£¥]\s?\d|\d\s?(?:%|°|degrees?\b|dollars\b|euros?\b|pounds\b|yen\b|usd\b|eur\b|gbp\b|jpy\b|chf\b|km\b|"
    r"miles\b|mph\b|kg\b|lbs?\b|percent\b)|\bhere\s+(?:is|are)\b|\bhere'?s\b|\bthe\s+answer\s+is\b|"
    r"\b(?:mean|median|average|total|sum)\s*(?:is|:|=)\s*\d",
)


_ASCII_DIGITS = "0123456789"
_DIGIT = re.compile(r"\d")


def _has_digit(s: str) -> bool:
    """``re.search(r"\\d", s)``: one ``in`` per ASCII digit for ASCII text, the regex otherwise."""
    if s.isascii():
        return any(map(s.__contains__, _ASCII_DIGITS))
    return _DIGIT.search(s) is not None


@dataclass(frozen=True, slots=True)
class _Gated:
    """A cue pattern behind a literal prefilter: every match of ``pattern`` contains one of ``needles`` (or a
    decimal digit, with ``digit``, or a match of one of ``needle_patterns``), so when a text's whole window
    holds none of them no sentence of it is searched. The prefilter is one pass in C per needle over the
    window (``in``; ``memchr`` for one character); the pattern's alternatives, tried at every word start of
    every sentence, cost tens of times more per character. Which needles each pattern needs is checked in
    tests/test_behavior_gates.py (every match over the corpora and generated text contains one)."""

    pattern: re.Pattern[str]
    needles: tuple[str, ...]
    digit: bool = False
    #: needles too common as plain text ("with"), as patterns that open with a literal (sre finds it in C)
    needle_patterns: tuple[re.Pattern[str], ...] = ()

    def open(self, window: str) -> bool:
        """Whether some sentence of ``window`` (the folded text the sentences are cut from) may match."""
        return (
            any(map(window.__contains__, self.needles))
            or (self.digit and _has_digit(window))
            or any(p.search(window) is not None for p in self.needle_patterns)
        )


# "without", "with no"; "don't know", "do not know"; "before i"; "not sure which"
_CONDITIONAL = _Gated(
    _CONDITIONAL_RE,
    ("without", "unless", "until", "before", "first", "yet", "need", "missing", "know", "blank", "empty", "sure"),
    needle_patterns=(re.compile(r"with\s+no"),),
)
# a digit (amounts, units, "mean is 5"), "here is", "here's", "the answer is"
_ANSWER_CONTENT = _Gated(_ANSWER_CONTENT_RE, ("here", "answer"), digit=True)
# "please", "kindly", "could you", "let me know", "i need", "i require", "tell me"
_REQUEST = _Gated(_REQUEST_RE, ("please", "kindly", "you", "let", "need", "require", "tell"))
#: Openings every match of ``_IMPERATIVE_RE`` or ``_INTERROGATIVE_RE`` starts with (both are anchored).
_REQUEST_OPENINGS = (
    "please",
    "send",
    "give",
    "paste",
    "share",
    "provide",
    "tell",
    "enter",
    "type",
    "list",
    "specify",
    "confirm",
    "choose",
    "pick",
    "add",
    "wh",
    "how",
    "could",
    "can",
    "would",
    "will",
    "do",
    "did",
    "are",
    "may",
    "wondering",
    "shall",
    "should",
)
#: Openings every match of ``_REDIRECT_RE`` (anchored) starts with.
_REDIRECT_OPENINGS = ("you", "please", "contact", "consult", "see", "visit", "call", "try")


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


def _is_request(s: str, after_answer: bool = False, following: str = "") -> bool:
    """``s``: one sentence, already folded to lower case; ``following``: the (folded) sentence after it."""
    if _OFFER_RE.search(s) is not None:
        return False
    if after_answer and _FOLLOW_UP_RE.search(s) is not None:
        return False
    if s.endswith("?") or "?" in s:
        # a rhetorical question: answered by the next sentence, or a hook ("Can't sleep?")
        return _ANSWERED_RE.search(following) is None and _HOOK_RE.search(s) is None
    if _REQUEST_RE.search(s) is not None or _IMPERATIVE_RE.search(s) is not None:
        return True
    return not s.endswith((".", "!")) and _INTERROGATIVE_RE.search(s) is not None


def _declines(s: str) -> bool:
    """``s``: one sentence, already folded to lower case."""
    return (
        _DECLINE_I_RE.search(s) is not None
        or _DECLINE_RE.search(s) is not None
        or _CURT_DECLINE_RE.search(s) is not None
    )


_CUE_MEMO: ContextVar[dict[str, TextCues] | None] = ContextVar("rlvr_rewards_text_cues", default=None)


class text_cue_memo:
    """Within this block (one ``score_batch`` call), :func:`read_text` remembers the cues of each text
    it has read: identical texts recur across a batch (a refusal, a question). The memo belongs to the
    current context (thread), lives only as long as the block, and holds only texts of that batch.
    (A class rather than a generator-based context manager: ``rr.score`` enters one per call.)"""

    __slots__ = ("_token",)

    def __enter__(self) -> None:
        self._token = _CUE_MEMO.set({})

    def __exit__(self, *exc: object) -> None:
        _CUE_MEMO.reset(self._token)


def read_text(text: str) -> TextCues:
    """The cues of a free text (see module docs). Linear in ``len(text)``."""
    memo = _CUE_MEMO.get()
    if memo is None:
        return _read_text(text)
    cues = memo.get(text)
    if cues is None:
        cues = memo[text] = _read_text(text)
    return cues


class _OpenGates:
    """The prefilters (``_Gated``) of one text's window, each read once, when first needed."""

    __slots__ = ("_opened", "_window")

    def __init__(self, window: str) -> None:
        self._window = window
        self._opened: dict[int, bool] = {}

    def is_open(self, gate: _Gated) -> bool:
        was = self._opened.get(id(gate))
        if was is None:
            was = self._opened[id(gate)] = gate.open(self._window)
        return was

    def found(self, gate: _Gated, s: str) -> bool:
        """Whether ``gate``'s pattern matches sentence ``s`` (searched only when the window's prefilter is open)."""
        return self.is_open(gate) and gate.pattern.search(s) is not None


def _read_text(text: str) -> TextCues:
    declines = conditional = requests = after = content = redirect = False
    window = _fold(_window(text))
    sentences = _sentences(window)
    gates = _OpenGates(window)
    is_open, found = gates.is_open, gates.found
    for i, s in enumerate(sentences):
        if declines and _changes_nothing(s, is_open, requests and after, content, redirect):
            continue
        if _declines(s):
            if found(_CONDITIONAL, s):
                conditional = True
                if _is_request(s):  # "I can't book it without a time: what time works?"
                    requests = True
            else:
                declines = True
            if found(_ANSWER_CONTENT, s):  # "I can't look it up, but it is 18°C there."
                content = True
            continue
        following = sentences[i + 1] if i + 1 < len(sentences) else ""
        if _is_request(s, after_answer=content or declines or conditional, following=following):
            requests = True
            after = after or declines or conditional
            continue
        if found(_ANSWER_CONTENT, s):
            content = True
        elif _REDIRECT_RE.search(s) is not None and _SERVICE_RE.search(s) is not None:
            redirect = True
    return TextCues(
        declines=declines,
        conditional_decline=conditional,
        requests=requests,
        request_after_decline=after,
        content=content,
        redirect=redirect,
    )


def _changes_nothing(
    s: str, is_open: Callable[[_Gated], bool], asked_after: bool, content: bool, redirect: bool
) -> bool:
    """Whether sentence ``s`` leaves every cue as it is, once a sentence has declined (so the loop need not ask
    whether ``s`` declines, the costliest question): as a declining sentence it adds nothing unless it may be
    conditional or carry content; otherwise nothing unless it may be a request (``_is_request`` is true only
    with a question mark, a ``_REQUEST`` match or an opening of ``_REQUEST_OPENINGS``; a request already
    followed a decline when ``asked_after``), content, or a redirect (which opens with ``_REDIRECT_OPENINGS``).
    Every test here is a superset of the pattern it stands for (tests/test_behavior_gates.py)."""
    return (
        not is_open(_CONDITIONAL)
        and (content or not is_open(_ANSWER_CONTENT))
        and (redirect or not s.startswith(_REDIRECT_OPENINGS))
        and (asked_after or ("?" not in s and not s.startswith(_REQUEST_OPENINGS) and not is_open(_REQUEST)))
    )


def request_sentences(text: str) -> list[str]:
    """The sentences of ``text`` that ask the user for something (offers and rhetorical questions excluded)."""
    sentences = _sentences(_window(text))
    folded = [_fold(s) for s in sentences] + [""]
    return [s for i, s in enumerate(sentences) if _is_request(folded[i], following=folded[i + 1])]


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
