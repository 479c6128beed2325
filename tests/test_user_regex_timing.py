"""Every accepted user regex is fast on its worst inputs: families of patterns (real-world ones, generated ones,
and the shapes each plan exists for), each run on pumped adversarial inputs of its ``max_input`` characters.

Times are ratios to a reference task measured in the same test (``tests/timing.py``), never seconds. The inputs
are built from the pattern's own automaton: every atom of its character sets repeated, and random walks through
its positions pumped to the full length, each also followed by a character that fails the match (a failing
match is the one that explores every run). The figures (``-s``) are in docs/reliability.md.
"""

from __future__ import annotations

import gc
import random
import time
from typing import Any

import pytest

from rlvr_rewards.groundtruth import userregex
from rlvr_rewards.groundtruth.userregex import MAX_INPUT, UnsafeRegex, UserRegex, compile_user_regex

from .test_user_regex import REAL_WORLD
from .timing import assert_bounded, assert_linear

#: A user regex call costs at most this many times decoding a megabyte of JSON (measured: at most about 0.3x;
#: an exponential or quadratic regression at 10,000 characters costs 100x and more).
FACTOR = 3.0

MODES = ("fullmatch", "search")


def _automaton(pattern: str) -> tuple[Any, list[int], list[int]]:
    parsed = userregex._parse(pattern)
    b = userregex._Builder()
    root = b.seq(list(parsed), parsed.state.flags, at_start=True)
    b.follow[0] = dict(root.first)
    masks, reps = userregex._atoms(b.sets)
    return b, masks, reps


def adversarial_inputs(pattern: str, n: int, seed: int = 0, walks: int = 30) -> list[str]:
    """Inputs of ``n`` characters meant to make a backtracking matcher explore every run: each atom repeated;
    random walks through the automaton (words the pattern can read) pumped to ``n``, alone and after their
    first character; each with nothing, a NUL, a ``!`` or a newline at the end."""
    b, masks, reps = _automaton(pattern)
    atoms_of = [[i for i in range(len(reps)) if m >> i & 1] for m in masks]
    rng = random.Random(seed)
    words: set[str] = set()
    for _ in range(walks):
        p, word = 0, []
        for _ in range(rng.randint(1, 12)):
            succ = [q for q in b.follow[p] if atoms_of[q]]
            if not succ:
                break
            p = rng.choice(succ)
            word.append(chr(reps[rng.choice(atoms_of[p])]))
        if word:
            words.add("".join(word))
    out = []
    for tail in ("", "\x00", "!", "\n"):
        for r in reps:
            out.append(chr(r) * (n - len(tail)) + tail)
        for w in sorted(words):
            out.append((w * (n // len(w) + 1))[: n - len(tail)] + tail)
            if len(w) > 1:
                out.append((w[0] + w[1:] * n)[: n - len(tail)] + tail)
    return out


#: Shapes each plan exists for, with a hand-made worst input (a function of the length).
SHAPES: list[tuple[str, str, Any]] = [
    (r"a[a-z]*b", "search", lambda n: "a" * n),  # quadratic search: every start runs to the end
    (r"(\w+)@(\w+)\.com", "search", lambda n: "a" * (n // 2) + "@" + "a" * (n - n // 2 - 1)),
    (r"(?:ab|cd)(?:ab|cd)*y", "search", lambda n: "ab" * (n // 2)),
    (r"(?:(a)|(b)|(c)|(d))(?:(a)|(b)|(c)|(d))*!", "search", lambda n: "a" * n),  # alternatives tried per step
    (r"\S+@\S+\.\S+", "search", lambda n: "a@" * (n // 2)),
    (r"\S+@\S+\.\S+", "fullmatch", lambda n: "@" * (n - 1) + " "),
    (r"(?=.*\d)x", "search", lambda n: "x" * n),  # an unbounded lookahead at every start
    (r"^(?=.*\d)(?=.*[a-z])(?=.*[A-Z]).{8,}$", "fullmatch", lambda n: "A" * n),
    (r"(\w)[a-c]*?(?=\b)@", "search", lambda n: "a" * n),
    (r".*foo.*", "fullmatch", lambda n: "fo" * (n // 2 - 1) + "\n"),
    (r"(?i).*weather.*bar.*", "fullmatch", lambda n: "weather" * (n // 7)),
    (r"^(?:[a-z]+\.)*[a-z]+$", "fullmatch", lambda n: "a." * (n // 2 - 1) + "!"),
    (r"^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\.[a-zA-Z]{2,}$", "fullmatch", lambda n: "a@" + "a." * (n // 2 - 2) + "1"),
    (r"x(?:[a-z]{1,16}\d){1,16}y", "search", lambda n: ("x" + "a1" * 16) * (n // 33)),
    (r"(?i)(?:apple|banana|cherry|date|elder|fig|grape|honeydew)+!", "search", lambda n: "apple" * (n // 5)),
    (r"\d+x", "search", lambda n: "1" * n),  # quadratic in re as written; reduced to \dx
    (r"[^@\s]+@[^@\s]+\.[^@\s]+", "search", lambda n: "..@" * (n // 3)),
]

_ATOMS = ["a", "b", "ab", "x", r"\d", r"\w", r"\s", ".", "[a-c]", "[^a]", r"\.", "@", "[ab]", "(?i:A)", r"\b", "^", "$"]
_QUANTIFIERS = ["*", "+", "?", "{2}", "{1,3}", "{0,20}", "{2,}", "*?", "+?"]


def _random_pattern(rng: random.Random, depth: int = 0) -> str:
    k = rng.random()
    if depth > 3 or k < 0.35:
        return rng.choice(_ATOMS)
    if k < 0.55:
        return "".join(_random_pattern(rng, depth + 1) for _ in range(rng.randint(2, 3)))
    if k < 0.7:
        return "(?:" + "|".join(_random_pattern(rng, depth + 1) for _ in range(rng.randint(2, 3))) + ")"
    if k < 0.75:
        return "(" + _random_pattern(rng, depth + 1) + ")"
    if k < 0.8:
        return "(?=" + _random_pattern(rng, depth + 1) + ")"
    return "(?:" + _random_pattern(rng, depth + 1) + ")" + rng.choice(_QUANTIFIERS)


def generated_family(count: int, seed: int) -> list[tuple[str, str]]:
    """``(pattern, mode)`` for every accepted pattern among ``count`` random ones (fixed seed)."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        pattern = _random_pattern(rng)
        for mode in MODES:
            try:
                compile_user_regex(pattern, mode)
            except (UnsafeRegex, ValueError):
                continue
            out.append((pattern, mode))
    return out


def _once(rx: UserRegex, s: str) -> float:
    t0 = time.perf_counter()
    rx.matches(s)
    return time.perf_counter() - t0


def _worst(cases: list[tuple[UserRegex, str]], keep: int) -> list[tuple[float, UserRegex, str]]:
    """The ``keep`` slowest (pattern, input) pairs, each timed once (GC off), best of 3 for the slow ones."""
    was = gc.isenabled()
    gc.disable()
    try:
        timed = sorted(((_once(rx, s), rx, s) for rx, s in cases), key=lambda t: -t[0])[: keep * 3]
        best = [(min(_once(rx, s) for _ in range(3)), rx, s) for _, rx, s in timed]
    finally:
        if was:
            gc.enable()
    return sorted(best, key=lambda t: -t[0])[:keep]


def _check_family(family: list[tuple[str, str]], keep: int = 5) -> None:
    cases = []
    for i, (pattern, mode) in enumerate(family):
        rx = compile_user_regex(pattern, mode)
        cases += [(rx, s) for s in adversarial_inputs(pattern, rx.max_input, seed=i)]
    assert cases
    for seconds, rx, s in _worst(cases, keep):
        assert_bounded(
            lambda rx=rx, s=s: rx.matches(s),
            FACTOR,  # type: ignore[misc]
            f"{rx.pattern!r} ({rx.mode}, {rx.plan}, max_input {rx.max_input}) on {s[:12]!r}...",
            measured=seconds,
        )


def test_real_world_patterns_are_bounded_on_adversarial_inputs() -> None:
    _check_family([(p, m) for p in REAL_WORLD for m in MODES])


@pytest.mark.parametrize(("pattern", "mode", "worst"), SHAPES, ids=[f"{m}:{p}"[:50] for p, m, _ in SHAPES])
def test_each_plan_is_bounded_on_its_worst_input(pattern: str, mode: str, worst: Any) -> None:
    rx = compile_user_regex(pattern, mode)
    s = worst(rx.max_input)[: rx.max_input]
    assert_bounded(lambda: rx.matches(s), FACTOR, f"{pattern!r} ({mode}, {rx.plan}, max_input {rx.max_input})")


def test_a_generated_family_is_bounded_on_adversarial_inputs() -> None:
    family = generated_family(120, seed=1)
    assert len(family) > 100
    _check_family(family)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [2, 3, 4])
def test_large_generated_families_are_bounded_on_adversarial_inputs(seed: int) -> None:
    family = generated_family(1_000, seed=seed)
    assert len(family) > 1_000
    _check_family(family, keep=8)


@pytest.mark.parametrize(
    ("pattern", "mode", "worst"),
    [(p, m, w) for p, m, w in SHAPES if compile_user_regex(p, m).max_input == MAX_INPUT],
    ids=lambda v: str(v)[:30],
)
def test_linear_plans_are_linear(pattern: str, mode: str, worst: Any) -> None:
    """Plans with the full 10,000-character input are linear: 10x the input costs at most about 10x."""
    rx = compile_user_regex(pattern, mode)
    small, big = worst(1_000)[:1_000], worst(10_000)[:10_000]
    assert_linear(lambda: rx.matches(small), lambda: rx.matches(big), 15, f"{pattern!r} ({mode}, {rx.plan})")


def test_the_worst_cases_named_in_the_issue_are_refused_quickly() -> None:
    """Before: (a+)+$ never finished on 10,000 characters (25 took 2 s), 2,000 nested groups raised RecursionError
    and a{4294967295} OverflowError. Now each is refused when compiled, in a fraction of the reference."""
    patterns = [
        "(a+)+$",
        "(" * 2000 + "a" + ")" * 2000,
        "a{4294967295}",
        "(a|a)*",
        r"(\w+\s?)*",
        "(.*a){20}",
        "a" * 100_000,
    ]

    def refuse_all() -> None:
        for pattern in patterns:
            for mode in MODES:
                userregex._cache.clear()
                with pytest.raises(UnsafeRegex):
                    compile_user_regex(pattern, mode)

    assert_bounded(refuse_all, 3.0, f"refusing {len(patterns)} patterns twice")
