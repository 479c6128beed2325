"""Static safety of the package: no catastrophic-backtracking regex, nothing evaluated, no signals.

Regexes: every module under ``rlvr_rewards`` is imported (pkgutil walk) and every compiled ``re.Pattern``
in module globals (also inside dicts/lists/tuples there) and class attributes is parsed with Python's own
regex parser (``re._parser``, ``sre_parse`` before 3.11) and checked for

(a) nested unbounded quantifiers: an unbounded repeat whose body holds another one (``(a+)+``,
    ``(?:\\s*x)*``);
(b) adjacent unbounded repeats whose characters can overlap, also across optional items in between and
    across the iterations of a repeat (``\\s*\\s+``, ``.*\\d+``, ``\\s+(?:x)?\\s*``);
(c) ambiguous alternation under an unbounded repeat (``(a|aa)*``).

A bounded repeat (``{0,3}``) is bounded; possessive repeats and atomic groups never backtrack. The
analyser is deliberately conservative (it may flag a pattern that is in fact linear); a flagged pattern is
rewritten, or reviewed and listed in ``REVIEWED_SAFE`` with the argument why it is linear.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import rlvr_rewards as rr

from .reliability_inputs import package_modules, package_patterns, regex_risks

PATTERNS = package_patterns()

#: Flagged by the conservative analyser, reviewed, and linear: where -> why.
REVIEWED_SAFE: dict[str, str] = {
    "rlvr_rewards.testing.strategies._PY_NAME": (
        "[A-Za-z_][A-Za-z0-9_]*(?:\\.[A-Za-z_][A-Za-z0-9_]*)*: every repetition starts with a literal '.' the "
        "inner class cannot match, so there is one way to match; and it only reads tool names (user data)"
    ),
    "rlvr_rewards.parsing.pythonic._SEPARATORS": (
        "(?:[;\\s]|#[^\\n]*)*, used only with .match(...).end(): nothing follows the repeat, so the first "
        "(greedy) way to match succeeds at once and the engine never backtracks into it; each comment runs to "
        "the newline in one step: one pass over the text"
    ),
    "rlvr_rewards.util.jsonsafe._STRING_LITERAL": (
        "the unrolled string loop (a quote, non-quote non-backslash characters, then repetitions of an escape "
        "and more such characters, then an optional quote): every repetition starts with a backslash, which the "
        "inner class cannot match, so there is one way to match; the closing quote is optional, so the match "
        "never fails and never backtracks (Python 3.10 has no possessive repeats)"
    ),
}

#: Flagged and genuinely quadratic (library bugs, reported and pinned here until fixed): where -> xfail reason.
#: (Fixed: behavior._DECLINE_RE 'have\s+(?:a|...)?\s*' and behavior._REDIRECT_RE 'you\s*(?:...|\s+will...)'.)
KNOWN_BAD: dict[str, str] = {}


def _params() -> list[object]:
    out = []
    for where, pattern in PATTERNS:
        marks = [pytest.mark.xfail(strict=True, reason=KNOWN_BAD[where])] if where in KNOWN_BAD else []
        out.append(pytest.param(where, pattern, id=where, marks=marks))
    return out


def test_patterns_were_found() -> None:
    modules, skipped = package_modules()
    print(
        f"\n{len(PATTERNS)} distinct compiled patterns inspected in {len(modules)} modules"
        + (f"; skipped (optional dependency missing): {skipped}" if skipped else "")
    )
    assert len(PATTERNS) >= 15
    assert any(where.startswith("rlvr_rewards.classify.behavior.") for where, _ in PATTERNS)


@pytest.mark.parametrize(("where", "pattern"), _params())
def test_package_pattern_cannot_backtrack_catastrophically(where: str, pattern: object) -> None:
    risks = regex_risks(pattern)  # type: ignore[arg-type]
    if where in REVIEWED_SAFE and risks:
        return
    assert not risks, f"{where}: {risks}\n{pattern.pattern!r}"  # type: ignore[attr-defined]


def test_reviewed_entries_are_still_present_and_still_flagged() -> None:
    """An allow-list entry whose pattern was removed or made plainly safe must be deleted."""
    by_where = dict(PATTERNS)
    for where in REVIEWED_SAFE:
        if where in by_where:
            assert regex_risks(by_where[where]), f"{where} is no longer flagged: drop it from REVIEWED_SAFE"


@pytest.mark.parametrize(
    ("pattern", "kind"),
    [
        (r"(a+)+", "nested"),
        (r"(?:\s*x)*", "nested"),
        (r"(\w+)*", "nested"),
        (r"(?:(?:ab)+c)*", "nested"),
        (r"(a|aa)*", "ambiguous"),
        (r"(?:foo|fo|o)+", "ambiguous"),
        (r"(?:ab|[a-c]b)*", "ambiguous"),
        (r"\s*\s*", "adjacent"),
        (r"\s*\s+", "adjacent"),
        (r".*.*", "adjacent"),
        (r".*\d+", "adjacent"),
        (r"x*(?:y|x+)", "adjacent"),
        (r"\s+(?:foo)?\s*", "adjacent"),
        (r"\s+(?:foo\s+)?bar", None),  # \s+ then 'foo' or 'bar': not adjacent repeats
        (r"(?i)A*a+", "adjacent"),
        (r"[^x]*[^y]*", "adjacent"),
    ],
)
def test_the_analyser_catches_known_bad_patterns(pattern: str, kind: str | None) -> None:
    risks = regex_risks(pattern)
    if kind is None:
        assert not risks, risks
    else:
        assert any(
            r.startswith({"nested": "nested", "ambiguous": "ambiguous", "adjacent": "adjacent"}[kind]) for r in risks
        ), (pattern, risks)


@pytest.mark.parametrize(
    "pattern",
    [
        r"[a-z]+\s+\d+",
        r"\s{0,3}\s+",
        r"(?:[\w-]+\s+){0,3}",
        r"(?:ab|ac)*",
        r"(?:x(?:ab|))*",
        r"\d{20}",
        r'"[ \t\r\n]*:',
        r"(?<=[.!?])\s+|\n+",
        r'"[^"]*"\s*:',
        r"a*+a*",
        r"(?>a*)a*",
        r"\b(?:can'?t|cannot)\s+(?:help|assist)\b",
        rb"[\x00-\x1f]+\s",
    ],
)
def test_the_analyser_accepts_safe_patterns(pattern: str | bytes) -> None:
    assert regex_risks(pattern) == []


# ------------------------------------------------------------------------------------------------
# Nothing evaluated, no signals
# ------------------------------------------------------------------------------------------------

_PACKAGE_DIR = Path(rr.__file__).resolve().parent
_FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__", "breakpoint"}
_FORBIDDEN_MODULES = {"pickle", "marshal", "shelve", "signal", "dill", "cloudpickle", "ctypes"}
#: The Lambda build tool (not on the scoring path) runs pip, and ``score_batch(..., workers=N)`` forks
#: workers (model output reaches them through the fork, never through pickle; only their results, the
#: library's own codes and numbers, come back pickled over a pipe from a process this one started).
#: The reward server's scoring processes (server/pool.py) receive the items the server decoded from JSON itself
#: (plain dicts, lists, strings and numbers, pickled by this process for its own children; no bytes from a client
#: are ever unpickled). Nothing else may start a process.
_SUBPROCESS_OK = {"aws_lambda/build.py", "scoring/parallel.py", "server/pool.py"}


def _sources() -> list[Path]:
    files = sorted(_PACKAGE_DIR.rglob("*.py"))
    assert len(files) >= 20
    return files


def test_no_eval_exec_pickle_or_signals_in_the_package() -> None:
    problems = []
    for path in _sources():
        rel = path.relative_to(_PACKAGE_DIR).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FORBIDDEN_CALLS:
                problems.append(f"{rel}:{node.lineno}: call to {node.func.id}()")
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                for name in names:
                    top = name.split(".")[0]
                    if top in _FORBIDDEN_MODULES:
                        problems.append(f"{rel}:{node.lineno}: imports {name}")
                    if top in ("subprocess", "multiprocessing") and rel not in _SUBPROCESS_OK:
                        problems.append(f"{rel}:{node.lineno}: imports {name}")
            elif (
                isinstance(node, ast.Attribute)
                and node.attr in ("system", "popen", "fork", "kill")
                and isinstance(node.value, ast.Name)
                and node.value.id == "os"
            ):
                problems.append(f"{rel}:{node.lineno}: os.{node.attr}")
    assert not problems, problems


def test_scoring_installs_no_signal_handler() -> None:
    import signal

    before = {s: signal.getsignal(s) for s in (signal.SIGALRM, signal.SIGINT, signal.SIGTERM)}
    rr.score_batch(["<tool_call>" + "[" * 3000, "I can't help.", "[f(a=1)]"], [{"behavior": "refuse"}] * 3)
    assert {s: signal.getsignal(s) for s in before} == before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
