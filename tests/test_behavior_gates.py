"""The behaviour cues' cheap paths read exactly what the plain ones read (rlvr_rewards/classify/behavior.py):

- the sentence split, which finds each boundary from its first character, cuts every text where the look-behind
  form does;
- the declining alternatives, split into a first-person pattern that opens with its literal ``i`` and the rest,
  match the sentences the single pattern matches;
- each literal prefilter (``_Gated``) holds every match of its pattern: a window where the prefilter is closed
  has no sentence the pattern matches, so :func:`read_text` gives the same cues with the prefilters as
  without them, over the corpora and over sentences generated from the patterns' own words;
- the openings that stand for the anchored request and redirect patterns hold every match, so skipping the
  sentences that can change no cue after a decline (``_changes_nothing``) reads the same cues.
"""

from __future__ import annotations

import re
from typing import Final

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rlvr_rewards.classify import behavior

from .test_fast_paths import _cue_texts

GATED: Final = {
    "conditional": behavior._CONDITIONAL,
    "answer_content": behavior._ANSWER_CONTENT,
    "request": behavior._REQUEST,
}
#: Anchored patterns and the openings that stand for them.
OPENINGS: Final = {
    "imperative": (behavior._IMPERATIVE_RE, behavior._REQUEST_OPENINGS),
    "interrogative": (behavior._INTERROGATIVE_RE, behavior._REQUEST_OPENINGS),
    "redirect": (behavior._REDIRECT_RE, behavior._REDIRECT_OPENINGS),
}

# words of the gated patterns (their literal runs), cue words around them, digits, units and punctuation
_VOCABULARY: Final = sorted(
    {w for g in GATED.values() for w in re.findall(r"[a-z']{2,}", g.pattern.pattern)}
    | {
        "i",
        "can't",
        "cannot",
        "help",
        "book",
        "it",
        "the",
        "city",
        "which",
        "what",
        "is",
        "here's",
        "5",
        "18",
        "°c",
        "$",
        "€4",
        "12%",
        "٣",
        "km",
        "with",
        "no",
        "without",
        "don't",
        "don’t",
        "know",
        "not",
        "sure",
        "?",
        ".",
        "send",
        "me",
        "could",
        "you",
        "contact",
        "your",
        "airline's",
        "website",
        "try",
        "please",
    }
)
_SEPARATORS: Final = [" ", "  ", "\n", ", ", ". ", "? ", "! ", "\t", " 🙂 ", "\n\n", "", ":"]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return _cue_texts()


def _sentences(text: str) -> list[str]:
    return behavior._sentences(behavior._fold(behavior._window(text)))


def _reference_sentences(window: str) -> list[str]:
    return [s for s in (x.strip() for x in behavior.SENTENCE_SPLIT_REFERENCE.split(window)) if s]


def test_split_equals_the_look_behind_form(texts: list[str]) -> None:
    windows = [behavior._fold(behavior._window(t)) for t in texts] + [t for t in texts]
    windows += ["a.  \n\nb", "a \n\nb", "a.\n", "\n\n", ". . .", "a!\u2028b", "ok 🙂  next", " .\t\n x", "", "x.\x1c y"]
    for w in windows:
        assert behavior._sentences(w) == _reference_sentences(w), w[:80]
    assert any(not w.isascii() for w in windows) and any(w.isascii() and "." in w for w in windows)


@given(
    st.lists(
        st.sampled_from(["a", ".", "!", "?", " ", "\n", "\t", "\u3000", "🙂", "☀", "\r", "b.", "\x1f"]), max_size=30
    )
)
def test_split_equals_the_look_behind_form_generated(parts: list[str]) -> None:
    w = "".join(parts)
    assert behavior._sentences(w) == _reference_sentences(w)


def _split_declines(s: str) -> bool:
    return behavior._DECLINE_I_RE.search(s) is not None or behavior._DECLINE_RE.search(s) is not None


def test_split_decline_patterns_match_where_the_single_one_does(texts: list[str]) -> None:
    matched = 0
    for text in texts:
        for s in _sentences(text):
            single = behavior.DECLINE_REFERENCE_RE.search(s) is not None
            matched += single
            assert _split_declines(s) == single, s[:120]
    assert matched > 100
    for s in [
        "i can't",
        "hi can't do",
        "xi cannot",
        "'i can't'",
        "i",
        "ai'm unable",
        "i'm unable",
        "i\tcan't",
        "no tool fits",
        "wifi can't connect",
        "i’m not able to",
    ]:
        assert _split_declines(s) == (behavior.DECLINE_REFERENCE_RE.search(s) is not None), s


@pytest.mark.parametrize("name", sorted(GATED))
def test_every_match_passes_its_prefilter(name: str, texts: list[str]) -> None:
    gate = GATED[name]
    matched = 0
    for text in texts:
        for s in _sentences(text):
            if gate.pattern.search(s) is not None:
                matched += 1
                assert gate.open(s), (name, s[:120])
    assert matched > 20  # the corpora exercise the pattern (else this test proves nothing)


@pytest.mark.parametrize("name", sorted(OPENINGS))
def test_every_anchored_match_starts_with_an_opening(name: str, texts: list[str]) -> None:
    pattern, openings = OPENINGS[name]
    matched = 0
    for text in texts:
        for s in _sentences(text):
            if pattern.search(s) is not None:
                matched += 1
                assert s.startswith(openings), (name, s[:120])
    assert matched > 5


def _cues_without_prefilters(monkeypatch: pytest.MonkeyPatch, text: str) -> behavior.TextCues:
    with monkeypatch.context() as m:
        m.setattr(behavior._Gated, "open", lambda self, window: True)  # (which also turns the skipping off)
        return behavior._read_text(text)


def test_cues_are_the_same_without_the_prefilters(monkeypatch: pytest.MonkeyPatch, texts: list[str]) -> None:
    differ = [t for t in texts if behavior._read_text(t) != _cues_without_prefilters(monkeypatch, t)]
    assert not differ, differ[:3]


@settings(max_examples=400, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(_VOCABULARY), st.sampled_from(_SEPARATORS)), min_size=1, max_size=24))
def test_generated_sentences_read_the_same_without_the_prefilters(
    monkeypatch: pytest.MonkeyPatch, words: list[tuple[str, str]]
) -> None:
    text = "".join(w + sep for w, sep in words)
    for name, gate in GATED.items():
        for s in _sentences(text):
            if gate.pattern.search(s) is not None:
                assert gate.open(s), (name, s)
    for name, (pattern, openings) in OPENINGS.items():
        for s in _sentences(text):
            if pattern.search(s) is not None:
                assert s.startswith(openings), (name, s)
    assert behavior._read_text(text) == _cues_without_prefilters(monkeypatch, text)
    for s in _sentences(text):
        assert _split_declines(s) == (behavior.DECLINE_REFERENCE_RE.search(s) is not None), s


def test_a_missing_needle_is_caught() -> None:
    """The property above can fail: a prefilter without its digit rule misses "It is 18°C today."."""
    s = "it is 18°c today."
    assert behavior._ANSWER_CONTENT_RE.search(s) is not None
    assert behavior._ANSWER_CONTENT.open(s)
    weakened = behavior._Gated(behavior._ANSWER_CONTENT_RE, behavior._ANSWER_CONTENT.needles)
    assert not weakened.open(s)


def test_has_digit_is_the_regex() -> None:
    for s in ["", "abc", "a1", "٣", "x\u0663y", "é9", "é", "¹", "½", "𝟘"]:
        assert behavior._has_digit(s) == (re.search(r"\d", s) is not None), s


def test_skipping_after_a_decline_is_exercised_and_a_missing_opening_is_caught(
    monkeypatch: pytest.MonkeyPatch, texts: list[str]
) -> None:
    """The skip fires on the corpora, and the differential tests above can fail: without ``wh`` among the
    openings, the question without its mark after a decline would be skipped."""
    calls = []
    real = behavior._changes_nothing
    with monkeypatch.context() as m:
        m.setattr(behavior, "_changes_nothing", lambda *a: calls.append(real(*a)) or calls[-1])
        for t in texts:
            behavior._read_text(t)
    assert sum(calls) > 50, sum(calls)  # sentences the corpora skip

    text = "I can't book that. Which city is it"
    assert behavior._read_text(text).request_after_decline
    with monkeypatch.context() as m:
        m.setattr(behavior, "_REQUEST_OPENINGS", tuple(o for o in behavior._REQUEST_OPENINGS if o != "wh"))
        assert not behavior._read_text(text).request_after_decline
