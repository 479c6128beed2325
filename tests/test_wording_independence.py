"""What we decide must not depend on how a dependency words its errors.

orjson 3.13 renamed its "recursion limit" error to "depth limit exceeded"; the library used to read the
message, so a ground truth nested 2,000 deep became a no-call truth and deep model output became
``invalid_json`` instead of ``nesting_too_deep``. Here orjson is made to reword every error (or to reject
every input), and the outcomes must stay exactly the same: the codes come from the text (a linear
bracket-depth scan, the stdlib decoder's hooks, exception types), not from the message.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from typing import Any

import orjson
import pytest

import rlvr_rewards as rr
from rlvr_rewards.util.jsonsafe import loads_untrusted, text_too_deep

from .reliability_inputs import jsontestsuite_files
from .test_reliability_corpora import _corpora

REAL_LOADS = orjson.loads

#: Text orjson rejects, and the code each must get (whatever the installed orjson says).
REJECTED: dict[str, tuple[str, str]] = {
    "deep-2000": ("[" * 2000 + "]" * 2000, "nesting_too_deep"),
    "deep-1000-past-the-limit": ("[" * 1000 + "]" * 1000, "nesting_too_deep"),  # orjson accepts, we do not
    "deep-unclosed": ("[" * 5000, "nesting_too_deep"),
    "deep-objects": ('{"a":' * 3000 + "1" + "}" * 3000, "nesting_too_deep"),
    "nan": ('{"x": NaN}', "nonfinite_number"),
    "infinity": ("[-Infinity]", "nonfinite_number"),
    "float-overflow": ("[1e400]", "nonfinite_number"),
    "int-400-digits": ("[" + "7" * 400 + "]", "number_too_large"),
    "escaped-lone-surrogate": ('["\\ud800"]', "invalid_unicode"),
    "raw-lone-surrogate": ('["\ud800"]', "invalid_unicode"),
    "trailing-comma": ("[1,]", "invalid_json"),
    "trailing-text": ('{"a": 1} and more', "invalid_json"),
    "single-quotes": ("{'a': 1}", "invalid_json"),
    "brackets-in-a-string-are-not-depth": ('["' + "[" * 3000 + '", ]', "invalid_json"),
}


def _reworded(message: str) -> Callable[[Any], Any]:
    def loads(text: Any) -> Any:
        try:
            return REAL_LOADS(text)
        except orjson.JSONDecodeError as exc:
            raise orjson.JSONDecodeError(message, exc.doc, exc.pos) from None

    return loads


def _rejects_everything(text: Any) -> Any:
    raise orjson.JSONDecodeError("unexpected character", str(text)[:10], 0)


WORDINGS: dict[str, Callable[[Any], Any]] = {
    "installed": REAL_LOADS,
    "blank": _reworded(""),
    "misleading": _reworded("recursion limit reached; number is infinity; surrogates not allowed; NaN"),
    "orjson-3.13-style": _reworded("depth limit exceeded: line 1 column 1026 (char 1025)"),
}


@pytest.fixture(params=list(WORDINGS))
def wording(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setattr(orjson, "loads", WORDINGS[request.param])
    yield request.param


@pytest.mark.parametrize("name", list(REJECTED))
def test_untrusted_decoding_codes_do_not_depend_on_the_message(name: str, wording: str) -> None:
    text, code = REJECTED[name]
    assert loads_untrusted(text)[1] == code, (name, wording)
    assert loads_untrusted(text.encode("utf-8", "surrogatepass"))[1] in (code, "invalid_unicode")


def test_deep_model_output_is_nesting_too_deep_in_every_format(wording: str) -> None:
    deep = "[" * 2000 + "]" * 2000
    truth = {"behavior": "execute", "calls": [{"name": "f", "arguments": {"x": 1}}]}
    completions = {
        "hermes": f'<tool_call>{{"name": "f", "arguments": {{"x": {deep}}}}}</tool_call>',
        "openai-arguments-string": {
            "role": "assistant",
            "tool_calls": [{"type": "function", "function": {"name": "f", "arguments": '{"x": ' + deep + "}"}}],
        },
        "mistral": '[TOOL_CALLS][{"name": "f", "arguments": {"x": ' + deep + "}}]",
    }
    for fmt, completion in completions.items():
        s = rr.score(completion, truth)
        assert "nesting_too_deep" in s.violations, (fmt, wording, s.violations)


def _deep_text_truth(depth: int) -> str:
    return json.dumps({"behavior": "execute", "calls": [{"name": "get_weather", "arguments": {"city": None}}]}).replace(
        "null", "[" * depth + "1" + "]" * depth
    )


@pytest.mark.parametrize("depth", [101, 254, 1000, 1025, 2000, 100_000])
def test_a_too_deep_ground_truth_raises_under_any_wording(depth: int, wording: str) -> None:
    for truth in (
        _deep_text_truth(depth),
        "[" * depth + "]" * depth,
        {"reward_model": {"ground_truth": _deep_text_truth(depth)}},
    ):
        with pytest.raises(rr.GroundTruthError) as info:
            rr.score_batch(
                ['<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>'] * 2,
                [{"behavior": "refuse"}, truth],
            )
        err = info.value
        assert err.index == 1 and err.expected == "at most 100 levels", (depth, wording, str(err))
        assert "item 1" in str(err) and "100 levels" in str(err)


def test_a_ground_truth_at_the_depth_limit_compiles(wording: str) -> None:
    # 100 levels in all: the truth object, calls, the call, arguments (4) and 96 lists
    truth = _deep_text_truth(95)
    assert (
        rr.score('<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>', truth).reason
        == "bad_arguments"
    )


def test_the_stdlib_reading_agrees_with_orjson_on_jsontestsuite(monkeypatch: pytest.MonkeyPatch) -> None:
    """When orjson rejects a text, the stdlib decoder decides (its verdict is the reference). Forcing that path
    for every JSONTestSuite file gives the same codes and values as orjson's fast path, at the default
    limits and at limits raised beyond orjson's own (depth 1024, 64-bit integers)."""
    files = jsontestsuite_files(_corpora())
    assert len(files) >= 300
    for limits in (rr.Limits(), rr.Limits(max_depth=5000, max_int_digits=1000)):
        fast = [loads_untrusted(raw, limits) for _, raw in files]
        monkeypatch.setattr(orjson, "loads", _rejects_everything)
        slow = [loads_untrusted(raw, limits) for _, raw in files]
        monkeypatch.setattr(orjson, "loads", REAL_LOADS)
        for (name, _), a, b in zip(files, fast, slow, strict=True):
            assert a[1:] == b[1:], (name, limits, a[1:], b[1:])
            if a[1] is None:
                assert json.dumps(a[0]) == json.dumps(b[0]), name


def test_the_stdlib_reading_decodes_what_orjson_cannot_represent() -> None:
    """A 400-digit integer under a raised digit limit is valid JSON: decoded exactly, not refused."""
    big = int("7" * 400)
    assert loads_untrusted('{"n": ' + str(big) + "}", rr.Limits(max_int_digits=500)) == ({"n": big}, None, ())
    value, code, found = loads_untrusted('{"n": 1, "n": ' + str(big) + "}", rr.Limits(max_int_digits=500))
    assert (value, code, found) == ({"n": big}, None, ("duplicate_keys",))


@pytest.mark.parametrize(
    ("text", "max_depth", "deep"),
    [
        ("[]", 0, True),
        ("[[]]", 1, True),
        ("[[]]", 2, False),
        ('["[[[[[["]', 2, False),  # brackets inside a string do not count
        ('["\\"[[[[[["]', 2, False),  # nor after an escaped quote
        ('["\\\\"[[[[[[', 2, True),  # an escaped backslash closes the string
        ('"[[[[[[', 2, False),  # an unclosed string hides the rest
        ("]]]][[", 2, False),  # the running depth, not the count of openers
        ("{[{[", 3, True),
    ],
)
def test_text_too_deep(text: str, max_depth: int, deep: bool) -> None:
    assert text_too_deep(text, max_depth) is deep


def test_text_too_deep_is_linear_on_hostile_strings() -> None:
    """Unclosed strings and runs of backslashes: the string pattern never backtracks (one pass)."""
    for text in ('"' + "\\" * 100_001, '"\\' * 50_000 + "[" * 100, '["' * 50_000 + "]" * 10):
        text_too_deep(text, 64)  # finishes (a backtracking pattern would not, at this size)


# --------------------------------------------------------------------------------------------------
# The pythonic parser: an integer too long for CPython is told from broken text by the text, not the message
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "limits", "code"),
    [
        ("[f(n=" + "7" * 5000 + ")]", rr.Limits(), "number_too_large"),  # past CPython's conversion cap
        ("[f(n=" + "7" * 5000 + ")]", rr.Limits(max_int_digits=10_000), "number_too_large"),
        ("[f(n=" + "7" * 150 + ")]", rr.Limits(), "number_too_large"),  # parses; over our limit
        ("[f(s='" + "7" * 5000 + "', n=)]", rr.Limits(), "pythonic_not_call"),  # digits in a string, text broken
        ("[f(n=" + "7" * 5000 + ", m=)]", rr.Limits(), "pythonic_not_call"),  # broken besides the integer
    ],
)
def test_pythonic_long_integers_are_told_from_broken_text(text: str, limits: rr.Limits, code: str) -> None:
    r = rr.parse(text, limits=limits)
    assert code in r.violations, (r.violations, r.format)


def test_pythonic_long_integer_without_a_conversion_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    if not hasattr(sys, "set_int_max_str_digits"):
        pytest.skip("this CPython has no integer conversion cap")
    old = sys.get_int_max_str_digits()
    try:
        sys.set_int_max_str_digits(0)
        r = rr.parse("[f(n=" + "7" * 5000 + ")]")
    finally:
        sys.set_int_max_str_digits(old)
    assert "number_too_large" in r.violations
