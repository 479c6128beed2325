"""The reasoning split: ``<think>`` blocks (and Seed-OSS's ``<seed:think>`` blocks) are reasoning, the rest
is the answer the parsers read.

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
#: ByteDance Seed-OSS's reasoning block (its chat template), split by the same rule after ``<think>``.
_SEED_OPEN: Final = "<seed:think>"
_SEED_CLOSE: Final = "</seed:think>"


def split_think(text: str) -> tuple[str, str, tuple[str, ...]]:
    """Separate reasoning from the answer: ``(answer, think, violations)``.

    - ``<think>...</think>`` blocks are reasoning; calls inside them are not calls.
    - A ``</think>`` before any ``<think>`` (the template put ``<think>`` in the prompt): everything
      before it is reasoning, no violation.
    - More than one block: ``repeated_think``. A block after non-whitespace answer text:
      ``think_after_answer``. ``<think>`` never closed: ``unclosed_think`` and the rest is reasoning.
      A ``</think>`` left in the answer: ``stray_closing_tag``.
    - ``<seed:think>...</seed:think>`` blocks (Seed-OSS) by the same rules, after ``<think>`` blocks.
    """
    if "think>" not in text:
        return text, "", ()
    if "seed:think>" in text:
        return _split_seed(text)
    if text.startswith(_OPEN) and text.count("think>") == 2:  # one block at the very start: the usual case
        close = text.find(_CLOSE, len(_OPEN))
        if close != -1:  # what the walk below returns for it (answers "" and the rest, joined)
            return "\n" + text[close + len(_CLOSE) :], text[len(_OPEN) : close].strip(), ()
    return _split_think_walk(text)


def _split_seed(text: str) -> tuple[str, str, tuple[str, ...]]:
    """``<think>`` blocks, then ``<seed:think>`` blocks of what is left, by the same walk."""
    answer, think, found = _split_think_walk(text) if "<think>" in text or "</think>" in text else (text, "", ())
    answer, seed_think, seed_found = _split_think_walk(answer, _SEED_OPEN, _SEED_CLOSE)
    joined = "\n".join(t for t in (think, seed_think) if t)
    return answer, joined, (*found, *seed_found)


def _split_think_walk(text: str, open_tag: str = _OPEN, close_tag: str = _CLOSE) -> tuple[str, str, tuple[str, ...]]:
    """:func:`split_think` for any layout of blocks (one linear walk) of ``open_tag ... close_tag``."""
    found: list[str] = []
    thinks: list[str] = []
    answers: list[str] = []
    find = text.find
    first_open = find(open_tag)
    first_close = find(close_tag)
    pos = 0
    blocks = 0
    seen_answer = False
    if first_close != -1 and (first_open == -1 or first_close < first_open):
        thinks.append(text[:first_close])
        pos = first_close + len(close_tag)
        blocks = 1
    while True:
        o = find(open_tag, pos) if first_open != -1 else -1
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
        start = o + len(open_tag)
        c = find(close_tag, start)
        if c == -1:
            found.append("unclosed_think")
            thinks.append(text[start:])
            break
        thinks.append(text[start:c])
        pos = c + len(close_tag)
    if blocks > 1:
        found.append("repeated_think")
    answer = answers[0] if len(answers) == 1 else "\n".join(answers)
    if close_tag in answer:
        found.append("stray_closing_tag")
    think = thinks[0].strip() if len(thinks) == 1 else "\n".join(s for s in (t.strip() for t in thinks) if s)
    return answer, think, tuple(found)
