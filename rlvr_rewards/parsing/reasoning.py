"""The reasoning split: ``<think>`` blocks are reasoning, the rest is the answer the parsers read.

Contract (:func:`split_think`): linear in the text; calls written inside reasoning are never calls; every
irregular layout is named by a violation (``repeated_think``, ``think_after_answer``, ``unclosed_think``,
``stray_closing_tag``). Imports nothing of the package: the dispatcher and the formats' own fast paths both
use it.
"""

from __future__ import annotations

from typing import Final

__all__ = ["split_think"]

_OPEN: Final = "<think>"
_CLOSE: Final = "</think>"


def split_think(text: str) -> tuple[str, str, tuple[str, ...]]:
    """Separate reasoning from the answer: ``(answer, think, violations)``.

    - ``<think>...</think>`` blocks are reasoning; calls inside them are not calls.
    - A ``</think>`` before any ``<think>`` (the template put ``<think>`` in the prompt): everything
      before it is reasoning, no violation.
    - More than one block: ``repeated_think``. A block after non-whitespace answer text:
      ``think_after_answer``. ``<think>`` never closed: ``unclosed_think`` and the rest is reasoning.
      A ``</think>`` left in the answer: ``stray_closing_tag``.
    """
    if "think>" not in text:
        return text, "", ()
    if text.startswith(_OPEN) and text.count("think>") == 2:  # one block at the very start: the usual case
        close = text.find(_CLOSE, len(_OPEN))
        if close != -1:  # what the walk below returns for it (answers "" and the rest, joined)
            return "\n" + text[close + len(_CLOSE) :], text[len(_OPEN) : close].strip(), ()
    return _split_think_walk(text)


def _split_think_walk(text: str) -> tuple[str, str, tuple[str, ...]]:
    """:func:`split_think` for any layout of blocks (one linear walk)."""
    found: list[str] = []
    thinks: list[str] = []
    answers: list[str] = []
    find = text.find
    first_open = find(_OPEN)
    first_close = find(_CLOSE)
    pos = 0
    blocks = 0
    seen_answer = False
    if first_close != -1 and (first_open == -1 or first_close < first_open):
        thinks.append(text[:first_close])
        pos = first_close + len(_CLOSE)
        blocks = 1
    while True:
        o = find(_OPEN, pos) if first_open != -1 else -1
        if o == -1:
            answers.append(text[pos:])
            break
        seg = text[pos:o]
        answers.append(seg)
        if not seen_answer and seg and not seg.isspace():
            seen_answer = True
        if seen_answer:
            found.append("think_after_answer")
        blocks += 1
        start = o + len(_OPEN)
        c = find(_CLOSE, start)
        if c == -1:
            found.append("unclosed_think")
            thinks.append(text[start:])
            break
        thinks.append(text[start:c])
        pos = c + len(_CLOSE)
    if blocks > 1:
        found.append("repeated_think")
    answer = answers[0] if len(answers) == 1 else "\n".join(answers)
    if _CLOSE in answer:
        found.append("stray_closing_tag")
    think = thinks[0].strip() if len(thinks) == 1 else "\n".join(s for s in (t.strip() for t in thinks) if s)
    return answer, think, tuple(found)
