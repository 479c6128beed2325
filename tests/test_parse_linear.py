"""Every built-in parser runs in time linear in the completion, on generated families of hostile inputs.

A family is a function ``n -> completion of about n characters`` built from one hostile unit (many tags, tags
never closed, separators, ``{`` runs, digit runs, deep-but-allowed nesting, markers of mixed formats, f-string
fields, operator chains, shared sub-structures, ...), plus seeded random mixtures of each parser's markers.
``parse_completion`` is timed at 2*10^4 and 2*10^5 characters (limits raised so neither is ``too_long``) with
``tests/timing.py`` (``best_times``: best of 5 interleaved runs, GC off) in a fresh interpreter: 10x the input
may cost at most ``PARSE_MAX_RATIO`` (16) times the time, re-measured while over (keeping each size's
best); no absolute time is asserted. Why 16: a linear parser measures 10-12.5 (the larger input's objects
outgrow the CPU caches, and a loaded machine adds to that: 12.5 seen in CI); n log n would be 12.3; n^1.5 is
31.6 and quadratic 100, so 16 separates linear from every superlinear cost that matters with a wide margin.
The times are printed (``-s``) for docs and reports.

The decoders' own shortcuts are also checked against the plain path here: ``_Acc.decode_once`` (a repeated
block decoded once) against decoding every block, the level-by-level native-arguments walk against a plain
recursive walk of its rule, and the bracket pre-scan against its former character loop.
"""

from __future__ import annotations

import json
import math
import random
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rlvr_rewards.limits import Limits
from rlvr_rewards.parsing import ParseResult, parse_completion
from rlvr_rewards.parsing import formats as fm
from rlvr_rewards.parsing.pythonic import int_bound
from rlvr_rewards.plugins import get_registry

from .helpers import openai_message
from .reliability_inputs import FRAGMENTS, random_marker_text
from .timing import TIMER_NOISE_SECONDS, best_times

BIG = Limits(max_chars=1_000_000)
SMALL_N = 20_000
#: 10x the input may cost at most this many times the time (module docstring: why 16).
PARSE_MAX_RATIO = 16.0
BIG_N = 200_000


def fill(unit: str, n: int, head: str = "", tail: str = "") -> str:
    """``head`` + copies of ``unit`` + ``tail``, about ``n`` characters."""
    return head + unit * max(1, (n - len(head) - len(tail)) // len(unit)) + tail


def py(unit: str, pre: str = "", post: str = "") -> Callable[[int], str]:
    """A pythonic call whose one argument is ``pre`` + copies of ``unit`` + ``post``."""
    return lambda n: fill(unit, n, "[f(a=" + pre, post + ")]")


def tag(open_: str, close: str) -> Callable[[str], str]:
    return lambda body: open_ + body + close


HERMES = tag("<tool_call>", "</tool_call>")
CALL = '{"name": "f", "arguments": {"a": 1}}'
LLAMA_CALL = '{"name": "f", "parameters": {"a": 1}}'


def _shared(n: int) -> dict[str, Any]:
    """OpenAI arguments given as an object: a list shared by reference, at most ``n`` visits in all."""
    leaf: Any = [0] * 100
    visits = 101
    while 2 * visits + 1 <= n:
        leaf = [leaf, leaf]
        visits = 2 * visits + 1
    return openai_message({"a": leaf}, name="f")


def _exponential(n: int) -> dict[str, Any]:
    """2**60 leaves if walked naively, whatever ``n``: the walk stops at the visit budget."""
    leaf: Any = [0] * 100
    for _ in range(60):
        leaf = [leaf, leaf]
    return openai_message({"a": leaf, "pad": "x" * (n // 100)}, name="f")


def _random_family(seed: int, pieces: list[str]) -> Callable[[int], str]:
    """Copies of one random unit of 2-12 of ``pieces`` (fixed by ``seed``)."""
    rng = random.Random(seed)
    unit = "".join(rng.choice(pieces) for _ in range(rng.randint(2, 12)))
    return lambda n: fill(unit, n)


PY_PIECES = [
    "f(",
    "a=",
    "1",
    "'x'",
    '"y"',
    "[",
    "]",
    "(",
    ")",
    "{",
    "}",
    ",",
    ":",
    " ",
    "\n",
    "#c\n",
    "-",
    "+",
    "f'{x}'",
    "'''",
    "\\\n",
    "1e9",
    "0x1f",
    "True",
    "None",
    "x.y",
    "[0]",
    "lambda:",
    " if ",
    "**",
    "*",
]
JSON_PIECES = ["{", "}", "[", "]", '"name"', ":", ",", '"f"', "1", "9" * 30, "NaN", " ", "\n", ";", '"\\u00e9"']

#: name -> (parser exercised, family)
FAMILIES: dict[str, tuple[str, Callable[[int], Any]]] = {
    # hermes / nemotron: tags never closed, stray closings, many (empty, broken) blocks, JSON lines, deep
    "hermes-open-tags": ("hermes", lambda n: fill("<tool_call>", n)),
    "hermes-close-tags": ("hermes", lambda n: fill("</tool_call>", n)),
    "hermes-empty-blocks": ("hermes", lambda n: fill(HERMES("{}"), n)),
    "hermes-call-blocks": ("hermes", lambda n: fill(HERMES(CALL) + "\n", n)),
    "hermes-broken-blocks": ("hermes", lambda n: fill(HERMES("{oops"), n)),
    "hermes-open-brace-tags": ("hermes", lambda n: fill("<tool_call>{", n)),
    "hermes-numbered-broken-blocks": ("hermes", lambda n: "".join(HERMES(f"{{{i}") for i in range(n // 29))),
    "hermes-json-lines": ("hermes", lambda n: HERMES(fill(CALL + "\n", n - 24))),
    "hermes-values-then-garbage": ("hermes", lambda n: HERMES(fill('{"a": 1} ', n - 24))),
    "hermes-deep": ("hermes", lambda n: "<tool_call>" + "[" * (n - 11)),
    "hermes-digits": ("hermes", lambda n: HERMES('{"name": "f", "arguments": {"a": ' + "9" * (n - 60) + "}}")),
    "nemotron-open-tags": ("nemotron", lambda n: fill("<TOOLCALL>[", n)),
    "nemotron-blocks": ("nemotron", lambda n: fill("<TOOLCALL>[" + CALL + "]</TOOLCALL>", n)),
    # mistral: markers, [ARGS] runs, JSON then junk, braces
    "mistral-markers": ("mistral", lambda n: fill("[TOOL_CALLS]", n)),
    "mistral-args": ("mistral", lambda n: fill('[TOOL_CALLS]f[ARGS]{"a": 1}', n)),
    "mistral-call-ids": ("mistral", lambda n: fill("[TOOL_CALLS]f[CALL_ID]x[ARGS]{}", n)),
    "mistral-json-junk": ("mistral", lambda n: fill('[TOOL_CALLS][{"name": "f"}] junk', n)),
    "mistral-args-braces": ("mistral", lambda n: "[TOOL_CALLS]f[ARGS]" + "{" * (n - 19)),
    "mistral-values": ("mistral", lambda n: "[TOOL_CALLS]" + fill("{}", n - 12)),
    # llama3: values and separators, tags, end tokens, pythonic after the tag
    "llama3-objects-semicolons": ("llama3", lambda n: fill("{};", n, "<|python_tag|>")),
    "llama3-objects": ("llama3", lambda n: fill("{}", n, "<|python_tag|>")),
    "llama3-lists": ("llama3", lambda n: fill("[];", n, "<|python_tag|>")),
    "llama3-alternating": ("llama3", lambda n: fill("{};[];", n, "<|python_tag|>")),
    "llama3-numbered": ("llama3", lambda n: "<|python_tag|>" + "".join(f'{{"a":{i}}};' for i in range(n // 10))),
    "llama3-calls": ("llama3", lambda n: fill(LLAMA_CALL + ";", n, "<|python_tag|>")),
    "llama3-calls-then-unclosed": ("llama3", lambda n: fill(LLAMA_CALL + ";", n, "<|python_tag|>", "{")),
    "llama3-separators": ("llama3", lambda n: fill("; \n", n, "<|python_tag|>{}", "{}")),
    "llama3-tags": ("llama3", lambda n: fill("<|python_tag|>{}", n)),
    "llama3-bare-tags": ("llama3", lambda n: fill("<|python_tag|>", n)),
    "llama3-end-tokens": ("llama3", lambda n: fill("<|python_tag|>{}<|eom_id|>", n)),
    "llama3-open-braces": ("llama3", lambda n: fill("{", n, "<|python_tag|>")),
    "llama3-pythonic-fstring": ("llama3", lambda n: "<|python_tag|>" + py("{1}", "f'", "'")(n - 14)),
    # fence and json
    "fence-marks": ("fence", lambda n: fill("```", n)),
    "fence-empty-json": ("fence", lambda n: fill("```json\n{}\n```", n)),
    "fence-call-blocks": ("fence", lambda n: fill("```json\n" + CALL + "\n```\n", n)),
    "fence-unclosed-name": ("fence", lambda n: fill('{"name":', n, "```json\n")),
    "fence-long-info": ("fence", lambda n: fill("```" + "a" * 40 + "\n", n)),
    "json-list-of-non-calls": ("json", lambda n: fill("{}, ", n, "[", "{}]")),
    "json-list-of-calls": ("json", lambda n: fill(CALL + ", ", n, "[", CALL + "]")),
    "json-call-then-text": ("json", lambda n: fill(" x", n, '{"name": "f"}')),
    "json-open-brackets": ("json", lambda n: "[" * n),
    "json-name-keys": ("json", lambda n: fill('{"name":', n)),
    # pythonic: f-strings, operator chains, strings, numbers, deep-but-allowed literals, names
    "pythonic-fstring-fields": ("pythonic", py("{1}", "f'", "'")),
    "pythonic-fstring-spec-fields": ("pythonic", py("{x!r:>{w}}", "f'", "'")),
    "pythonic-fstring-nested": ("pythonic", py('{f"{x}"}', "f'", "'")),
    "pythonic-compare-chain": ("pythonic", py("<1", "1")),
    "pythonic-subscript-chain": ("pythonic", py("[0]", "x")),
    "pythonic-plus-chain": ("pythonic", py("+1", "1")),
    "pythonic-mixed-operators": ("pythonic", py("+1*1", "1")),
    "pythonic-attribute-chain": ("pythonic", py(".x", "x")),
    "pythonic-unary-chain": ("pythonic", py("-", "", "1")),
    "pythonic-not-chain": ("pythonic", py("not ", "", "1")),
    "pythonic-and-chain": ("pythonic", py(" and 1", "1")),
    "pythonic-ternary-chain": ("pythonic", py(" if 1 else 1", "1")),
    "pythonic-lambda-chain": ("pythonic", py("lambda:", "", "1")),
    "pythonic-power-chain": ("pythonic", py("**1", "1")),
    "pythonic-string-concat": ("pythonic", py("'a' ")),
    "pythonic-empty-triple-strings": ("pythonic", py("''")),
    "pythonic-quote-soup": ("pythonic", py("'\"")),
    "pythonic-escapes": ("pythonic", py("\\n", "'", "'")),
    "pythonic-named-escapes": ("pythonic", py("\\N{DASH}", "'", "'")),
    "pythonic-hex-escapes": ("pythonic", py("\\x41\\u0041\\d\\777", "'", "'")),
    "pythonic-unclosed-named-escapes": ("pythonic", py("\\N{", "'", "'")),
    "pythonic-unclosed-triple": ("pythonic", py("x", "'''")),
    "pythonic-bytes-concat": ("pythonic", py("b'\\x41' ")),
    "pythonic-long-int": ("pythonic", py("1")),
    "pythonic-long-float": ("pythonic", py("1", "1.")),
    "pythonic-long-exponent": ("pythonic", py("1", "1e")),
    "pythonic-long-hex": ("pythonic", py("f", "0x")),
    "pythonic-underscored-int": ("pythonic", py("_1", "1")),
    "pythonic-digits-in-broken-string": ("pythonic", lambda n: "[f(s='" + "7" * (n - 14) + "', n=)]"),
    "pythonic-deep-allowed-literals": ("pythonic", py("[" * 60 + "1" + "]" * 60 + ",", "[", "]")),
    "pythonic-nested-dicts": ("pythonic", py("{'k': " * 50 + "1" + "}" * 50 + ", ", "[", "]")),
    "pythonic-string-list": ("pythonic", lambda n: fill("'ab', ", n, "[f(a=[", "])]")),
    "pythonic-many-calls": ("pythonic", lambda n: fill("f(a=1), ", n, "[", "f(a=1)]")),
    "pythonic-comment-lines": ("pythonic", py("#xxxxxxxx\n", "1 ")),
    "pythonic-blank-run": ("pythonic", py(" ", "", "1")),
    "pythonic-continuations": ("pythonic", py("\\\n", "1")),
    "pythonic-long-name": ("pythonic", py("x")),
    "pythonic-dotted-call-name": ("pythonic", lambda n: fill("f.", n, "[", "f(a=1)]")),
    "pythonic-unicode-name": ("pythonic", py("é")),
    "pythonic-lone-call-string": ("pythonic", lambda n: "f(a='" + "x" * (n - 8) + "')"),
    "pythonic-skipped-brackets": ("pythonic", py("[[0]]", "x")),
    "pythonic-skipped-strings": ("pythonic", py("+'a'", "x")),
    # think splitting and markers of several formats
    "think-opens": ("think", lambda n: fill("<think>", n)),
    "think-closes": ("think", lambda n: fill("</think>", n)),
    "think-pairs": ("think", lambda n: fill("<think>a</think>", n)),
    "think-fragments": ("think", lambda n: fill("think>", n)),
    "think-close-open": ("think", lambda n: fill("</think><think>", n)),
    "mixed-markers": ("mixed", lambda n: fill('<tool_call>[TOOL_CALLS]<|python_tag|><TOOLCALL>```json\n{"name": ', n)),
    "mixed-pythonic-and-llama3": ("mixed", lambda n: fill("[f(a=1)]<|python_tag|>", n)),
    # OpenAI messages: arguments as objects with shared sub-structures, many parts, many messages
    "openai-shared-arguments": ("openai", _shared),
    "openai-exponential-arguments": ("openai", _exponential),
    "openai-wide-arguments": (
        "openai",
        lambda n: openai_message({"a": ["x" * 10] * (n // 20), "b": [1.5] * (n // 20)}, name="f"),
    ),
    "openai-content-parts": ("openai", lambda n: {"role": "assistant", "content": [{"type": "image"}] * (n // 16)}),
    "openai-text-parts": ("openai", lambda n: {"role": "assistant", "content": ["ab"] * (n // 6)}),
    "openai-message-list": ("openai", lambda n: [{"role": "user", "content": ""}] * (n // 28)),
    "openai-many-tool-calls": (
        "openai",
        lambda n: {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"type": "function", "function": {"name": "f", "arguments": '{"a": 1}'}}] * (n // 60),
        },
    ),
}
for _seed in range(3):
    FAMILIES[f"random-pythonic-{_seed}"] = (
        "pythonic",
        lambda n, s=_seed: "[f(a=" + _random_family(s, PY_PIECES)(n - 8) + ")]",
    )
    FAMILIES[f"random-json-{_seed}"] = ("json", _random_family(100 + _seed, JSON_PIECES))
    FAMILIES[f"random-markers-{_seed}"] = ("mixed", _random_family(200 + _seed, FRAGMENTS))
    FAMILIES[f"random-llama3-{_seed}"] = (
        "llama3",
        lambda n, s=_seed: "<|python_tag|>" + _random_family(300 + s, JSON_PIECES)(n - 14),
    )


def _format_families() -> dict[str, tuple[str, Callable[[int], Any]]]:
    """Families for every registered format this file does not spell out above (issue 17's parsers), made
    from its spec: each marker repeated (tags never closed), its example repeated, its example cut at two
    thirds and repeated (every block truncated), and seeded random units of its markers mixed with JSON and
    pythonic pieces."""
    from rlvr_rewards.plugins import get_registry

    spelled = {parser for parser, _ in FAMILIES.values()}
    out: dict[str, tuple[str, Callable[[int], Any]]] = {}
    for k, spec in enumerate(get_registry().parsers):
        if spec.name in spelled:
            continue
        for i, marker in enumerate(spec.markers):
            out[f"{spec.name}-marker-{i}"] = (spec.name, lambda n, m=marker: fill(m, n))
        example = spec.example
        out[f"{spec.name}-examples"] = (spec.name, lambda n, ex=example: fill(ex + "\n", n))
        out[f"{spec.name}-truncated-examples"] = (spec.name, lambda n, ex=example: fill(ex[: len(ex) * 2 // 3], n))
        pieces = [*spec.markers, *JSON_PIECES, *PY_PIECES[:12], "\n", "=", ">", "<"]
        for seed in range(2):
            out[f"{spec.name}-random-{seed}"] = (spec.name, _random_family(1000 + 10 * k + seed, pieces))
    return out


FAMILIES.update(_format_families())
REGISTERED = get_registry().parsers

#: Families sized in visits of shared objects, not in characters.
VISIT_SIZED = ("openai-shared-arguments", "openai-exponential-arguments")

#: Families whose time follows CPython allocating and walking the thousands of objects orjson returns, not a
#: loop of ours: the JSON list of 6,500 call objects costs 47 ns a character at 2*10^4 and 67 at 2*10^5,
#: flat beyond (60 at 8*10^5): the cache, not the algorithm (the reliability tests set such shapes apart too,
#: ALLOCATION_BOUND_SHAPES). Held to this looser ratio.
ALLOCATION_BOUND = {
    "json-list-of-calls": 20.0,
    # 10^5 nested literal lists / string objects allocated and freed: measured 12.1-12.4 in a
    # clean-clone CI run on a loaded machine (a quadratic path would be about 100)
    "pythonic-deep-allowed-literals": 20.0,
    "pythonic-empty-triple-strings": 20.0,
}

#: Families checked in the everyday (not slow) run: one per parser, among those that once were superlinear
#: or took seconds at 2*10^5 characters.
QUICK = [
    "hermes-broken-blocks",
    "mistral-json-junk",
    "llama3-objects-semicolons",
    "fence-call-blocks",
    "json-list-of-non-calls",
    "pythonic-fstring-fields",
    "pythonic-compare-chain",
    "think-pairs",
    "openai-shared-arguments",
    # issue 17's formats: one hostile shape each of the XML-parameter, special-token and JSON-list families
    "qwen3_xml-truncated-examples",
    "harmony-random-0",
    "deepseek_dsml-truncated-examples",
    "gemma-random-0",
]


def _size(completion: Any) -> int:
    return len(completion) if isinstance(completion, str) else len(json.dumps(completion))


def _measure(names: list[str]) -> dict[str, dict[str, Any]]:
    """Times and ratios of ``names`` (run in a fresh interpreter by :func:`_measure_in_subprocess`): for each
    family, the best of 5 interleaved runs at each size, re-measured up to three times while over."""
    out: dict[str, dict[str, Any]] = {}
    for name in names:
        _parser, make = FAMILIES[name]
        small, big = make(SMALL_N), make(BIG_N)
        tasks = {  # every registered format, as scoring parses
            "small": lambda c=small: parse_completion(c, REGISTERED, limits=BIG),
            "big": lambda c=big: parse_completion(c, REGISTERED, limits=BIG),
        }
        best = best_times(tasks, 5)
        ratio = best["big"] / max(best["small"], TIMER_NOISE_SECONDS)
        for _ in range(3):  # (under load the short runs are the lucky ones: a ratio errs high, rarely low)
            if ratio <= ALLOCATION_BOUND.get(name, PARSE_MAX_RATIO):
                break
            again = best_times(tasks, 5)
            best = {k: min(best[k], again[k]) for k in best}
            ratio = best["big"] / max(best["small"], TIMER_NOISE_SECONDS)
        r = parse_completion(big, REGISTERED, limits=BIG)
        size = 0 if name in VISIT_SIZED else _size(big)  # (json.dumps would write 2**60 leaves out)
        out[name] = {**best, "ratio": ratio, "size": size, "outcome": f"{r.format}/{','.join(r.violations)}"}
    return out


def _measure_in_subprocess(names: list[str]) -> dict[str, dict[str, Any]]:
    """:func:`_measure` in a fresh interpreter: a long test process has a fragmented heap that slows the
    larger input's allocations (the reliability tests measure the same way)."""
    proc = subprocess.run(
        [sys.executable, "-m", "tests.test_parse_linear"],
        input=json.dumps(names),
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"timing subprocess failed:\n{proc.stderr[-3000:]}")
    result: dict[str, dict[str, Any]] = json.loads(proc.stdout)
    return result


@pytest.fixture(scope="module")
def quick() -> dict[str, dict[str, Any]]:
    return _measure_in_subprocess(QUICK)


@pytest.fixture(scope="module")
def every() -> dict[str, dict[str, Any]]:
    return _measure_in_subprocess(sorted(FAMILIES))


def _check(name: str, m: dict[str, Any]) -> None:
    parser = FAMILIES[name][0]
    print(
        f"{parser:9s} {name:36s} {m['small'] * 1000:8.2f} ms at 2e4  {m['big'] * 1000:8.2f} ms at 2e5  "
        f"ratio {m['ratio']:5.2f}  {m['outcome']}"
    )
    if name not in VISIT_SIZED:
        assert 0.5 * BIG_N <= m["size"] <= 1.5 * BIG_N, (name, m["size"])
    bound = ALLOCATION_BOUND.get(name, PARSE_MAX_RATIO)
    assert m["ratio"] <= bound, f"{name}: 10x the input costs {m['ratio']:.1f}x the time (bound {bound})"


@pytest.mark.slow  # timed in a fresh interpreter
@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_every_family_is_linear(name: str, every: dict[str, dict[str, Any]]) -> None:
    _check(name, every[name])


@pytest.mark.parametrize("name", QUICK)
def test_key_families_are_linear(name: str, quick: dict[str, dict[str, Any]]) -> None:
    _check(name, quick[name])


def test_families_cover_every_builtin_parser() -> None:
    from rlvr_rewards.plugins import get_registry

    covered = {parser for parser, _ in FAMILIES.values()}
    registered = {s.name for s in get_registry().parsers}
    assert {s.name for s in fm.BUILTIN_PARSERS} | registered | {"openai", "think", "mixed"} <= covered


def test_exponential_arguments_are_refused_within_the_budget() -> None:
    r = parse_completion(_exponential(1000))
    assert r.calls[0].arguments is None and r.violations == ("too_long",)
    r = parse_completion(_shared(10_000))  # within the budget: checked, kept
    assert r.calls[0].arguments is not None and r.violations == ()


def test_message_objects_are_walked_within_the_budget() -> None:
    limits = Limits(max_chars=1_000)
    assert parse_completion(
        {"role": "assistant", "content": [{"type": "image"}] * 1_001}, limits=limits
    ).violations == ("too_long",)
    assert parse_completion(
        {"role": "assistant", "content": [{"type": "image"}] * 1_000}, limits=limits
    ).violations == ("empty",)
    assert parse_completion([{"role": "user", "content": "x"}] * 1_001, limits=limits).violations == ("too_long",)
    assert parse_completion([{"role": "user", "content": "x"}] * 1_000, limits=limits).violations == ("empty",)


# --------------------------------------------------------------------------------------------------
# The shortcuts equal the plain paths
# --------------------------------------------------------------------------------------------------


def _plain_decode_once(self: Any, key: str, decode: Callable[[Any, str], Any]) -> Any:
    return decode(self, key)


def _both(text: str, limits: Limits) -> tuple[ParseResult, ParseResult]:
    fast = parse_completion(text, limits=limits)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(fm._Acc, "decode_once", _plain_decode_once)
        plain = parse_completion(text, limits=limits)
    return fast, plain


BLOCK_PIECES = [
    HERMES("{}"),
    HERMES(CALL),
    HERMES("{oops"),
    HERMES("[]"),
    HERMES(""),
    "<tool_call>",
    "</tool_call>",
    "<tool_call>{",
    "[TOOL_CALLS]f[ARGS]{}",
    "[TOOL_CALLS]{}",
    "[TOOL_CALLS] junk",
    "[TOOL_CALLS][]",
    "<|python_tag|>{}",
    "<|python_tag|>" + LLAMA_CALL,
    "<|python_tag|>[]",
    "<|python_tag|>{};{} x",
    "<|python_tag|>f(a=1)",
    "<TOOLCALL>[{}]</TOOLCALL>",
    "<TOOLCALL>[",
    "{};",
    "[];",
    "{}",
    "{oops};",
    LLAMA_CALL + ";",
    " x ",
    "\n",
    "<|eom_id|>",
    '{"name": "f", "a": 1}\n',
    '{"name": NaN};',
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pieces=st.lists(st.sampled_from(BLOCK_PIECES), max_size=12),
    copies=st.integers(1, 200),
    max_calls=st.sampled_from([0, 1, 3, 64]),
)
def test_decode_once_equals_decoding_every_block(pieces: list[str], copies: int, max_calls: int) -> None:
    text = "".join(pieces) * copies
    fast, plain = _both(text, Limits(max_calls=max_calls, max_chars=1_000_000))
    assert fast == plain, text[:300]


@pytest.mark.slow
@settings(max_examples=4000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pieces=st.lists(st.sampled_from(BLOCK_PIECES), max_size=16),
    copies=st.integers(1, 300),
    max_calls=st.sampled_from([0, 1, 2, 3, 5, 64]),
)
def test_decode_once_equals_decoding_every_block_campaign(pieces: list[str], copies: int, max_calls: int) -> None:
    text = "".join(pieces) * copies
    fast, plain = _both(text, Limits(max_calls=max_calls, max_chars=1_000_000))
    assert fast == plain, text[:300]


@pytest.mark.parametrize("seed", range(40))
def test_decode_once_equals_decoding_every_block_on_marker_soup(seed: int) -> None:
    rng = random.Random(seed)
    text = random_marker_text(rng) * rng.randint(1, 80)
    for limits in (Limits(max_calls=2, max_chars=10**6), Limits(max_chars=10**6)):
        fast, plain = _both(text, limits)
        assert fast == plain


@pytest.mark.parametrize(
    "name", [k for k, (p, _) in FAMILIES.items() if p in ("hermes", "nemotron", "mistral", "llama3", "mixed")]
)
def test_decode_once_equals_decoding_every_block_on_the_families(name: str) -> None:
    text = FAMILIES[name][1](3_000)
    fast, plain = _both(text, BIG)
    assert fast == plain


FENCE_PIECES = [
    "```json\n{}\n```",
    "```json\n" + CALL + "\n```",
    "```\n[]\n```",
    "```json\n{oops\n```",
    '```json\n{"name": 1}\n```',
    "```python\n{}\n```",
    "```",
    " text ",
    "\n",
    "```json\n[" + CALL + ", 3]\n```",
    "```json\n" + CALL + " junk\n```",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pieces=st.lists(st.sampled_from(FENCE_PIECES), max_size=10),
    copies=st.integers(1, 100),
    max_calls=st.sampled_from([0, 1, 3, 64]),
)
def test_fence_bodies_decoded_once_equal_decoding_every_body(pieces: list[str], copies: int, max_calls: int) -> None:
    text = "".join(pieces) * copies
    limits = Limits(max_calls=max_calls, max_chars=1_000_000)
    if "```" in text:
        assert fm._parse_fences(text, limits, reuse=True) == fm._parse_fences(text, limits, reuse=False)


#: The order in which one depth reports its problems (the rule of ``fm._native_error``).
NATIVE_PRIORITY = ("nesting_too_deep", "invalid_json", "invalid_unicode", "number_too_large", "nonfinite_number")


class _Spent(Exception):
    pass


def _reference_native_error(value: Any, limits: Limits) -> str | None:
    """The rule of ``fm._native_error`` spelled out: a plain recursive walk down to depth ``max_depth + 1``
    that charges every value it reaches (a string ``len + 2``, a list or tuple ``1 + len``, a dict ``1 +
    sum(len(key) + 3)``, with 3 for a key that is not a string, anything else 1), stops with ``too_long``
    once the charges pass ``max_chars`` and otherwise collects every problem with its depth; the answer is
    the shallowest problem, the first in ``NATIVE_PRIORITY`` among those of that depth. JSON types are
    ``None``, ``bool`` and subclasses of ``str``, ``int``, ``float``, ``dict``, ``list``, ``tuple``, read
    through the base type's methods (no override is called)."""
    walk = _ReferenceWalk(limits)
    try:
        walk.walk(value, 1)
    except _Spent:
        return "too_long"
    return NATIVE_PRIORITY[min(walk.problems)[1]] if walk.problems else None


def _lone_surrogate(text: Any) -> bool:
    try:
        str.encode(text, "utf-8")
    except UnicodeEncodeError:
        return True
    return False


class _ReferenceWalk:
    """The walk of :func:`_reference_native_error`: what it has charged, and the problems with their depth."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.too_big = int_bound(limits.max_int_digits)
        self.spent = 0
        self.problems: list[tuple[int, int]] = []  # (depth, rank in NATIVE_PRIORITY)

    def charge(self, n: int) -> None:
        self.spent += n
        if self.spent > self.limits.max_chars:
            raise _Spent

    def note(self, depth: int, code: str) -> None:
        self.problems.append((depth, NATIVE_PRIORITY.index(code)))

    def walk(self, x: Any, depth: int) -> None:
        if self.scalar(x, depth):
            return
        if issubclass(type(x), (dict, list, tuple)):
            self.container(x, depth)
        else:
            self.charge(1)
            self.note(depth, "invalid_json")

    def scalar(self, x: Any, depth: int) -> bool:
        """Charge and check ``x`` if it is ``None``, a bool, a string or a number; False for anything else."""
        kind = type(x)
        if x is None or kind is bool:
            self.charge(1)
        elif issubclass(kind, str):
            self.charge(str.__len__(x) + 2)
            if _lone_surrogate(x):
                self.note(depth, "invalid_unicode")
        elif issubclass(kind, int):
            self.charge(1)
            if int.__abs__(x) >= self.too_big:
                self.note(depth, "number_too_large")
        elif issubclass(kind, float):
            self.charge(1)
            if not math.isfinite(float.__float__(x)):
                self.note(depth, "nonfinite_number")
        else:
            return False
        return True

    def container(self, x: Any, depth: int) -> None:
        kind = type(x)
        if issubclass(kind, dict):
            keys, items = list(dict.keys(x)), list(dict.values(x))
            self.charge(1 + sum(3 + (str.__len__(k) if issubclass(type(k), str) else 0) for k in keys))
            for k in keys:
                if not issubclass(type(k), str):
                    self.note(depth, "invalid_json")
                elif _lone_surrogate(k):
                    self.note(depth, "invalid_unicode")
        else:
            items = list(list.__iter__(x) if issubclass(kind, list) else tuple.__iter__(x))
            self.charge(1 + len(items))
        if depth > self.limits.max_depth:
            self.note(depth, "nesting_too_deep")
            return
        for item in items:
            self.walk(item, depth + 1)


class _HostileMeta(type):
    def __hash__(cls) -> int:
        raise RuntimeError("hash")

    def __eq__(cls, other: object) -> bool:
        raise RuntimeError("eq")


class _OddType(metaclass=_HostileMeta):
    pass


def _raise(*_: Any) -> Any:
    raise RuntimeError("hostile")


#: Subclasses whose every override raises: the walks read them through the base type.
HostileStr = type("HostileStr", (str,), {"__len__": _raise, "isascii": _raise, "encode": _raise, "__iter__": _raise})
HostileInt = type("HostileInt", (int,), {"__abs__": _raise, "__ge__": _raise, "__lt__": _raise, "__index__": _raise})
HostileFloat = type("HostileFloat", (float,), {"__float__": _raise, "__eq__": _raise, "__hash__": _raise})
HostileList = type("HostileList", (list,), {"__len__": _raise, "__iter__": _raise, "__getitem__": _raise})
HostileTuple = type("HostileTuple", (tuple,), {"__len__": _raise, "__iter__": _raise, "__getitem__": _raise})
HostileDict = type(
    "HostileDict",
    (dict,),
    {"__len__": _raise, "__iter__": _raise, "keys": _raise, "values": _raise, "items": _raise, "__getitem__": _raise},
)


class _Unhashable:
    __hash__ = None  # type: ignore[assignment]

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("eq")


def _cyclic(value: Any) -> Any:
    out: list[Any] = [value]
    out.append(out)
    return out


def _cyclic_dict(value: Any) -> Any:
    out: dict[str, Any] = {"v": value}
    out["self"] = [out]
    return out


LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**120), 10**120),
    st.floats(),
    st.text(max_size=3),
    st.text(max_size=40),
    st.sampled_from(["\ud800", "é\udfff", "x" * 30]),
    st.sampled_from([b"x", 1j, {1, 2}, 10**100, -(10**100), _Unhashable(), object()]),
    st.builds(HostileStr, st.text(max_size=4)),
    st.builds(HostileInt, st.integers(-(10**110), 10**110)),
    st.builds(HostileFloat, st.floats()),
    st.sampled_from([HostileStr("\ud800"), np.float64("nan"), np.float64(1.5), np.int64(3), np.str_("é")]),
)
KEYS = st.one_of(
    st.text(max_size=2),
    st.just("\udc00"),
    st.integers(0, 3),
    st.builds(HostileStr, st.text(max_size=2)),
    st.just(HostileStr("\ud800")),
    st.just(2.5),
)
NATIVE = st.recursive(
    LEAVES,
    lambda sub: st.one_of(
        st.lists(sub, max_size=6),
        st.lists(sub, max_size=3).map(tuple),
        st.dictionaries(KEYS, sub, max_size=4),
        st.lists(sub, max_size=4).map(HostileList),
        st.lists(sub, max_size=3).map(HostileTuple),
        st.dictionaries(KEYS, sub, max_size=3).map(HostileDict),
        sub.map(lambda v: [v, v, {"a": v, "b": [v]}]),  # shared by reference, at several depths
        sub.map(lambda v: [v] * 5),
        sub.map(_cyclic),
        sub.map(_cyclic_dict),
    ),
    max_leaves=40,
)
NATIVE_LIMITS = [
    Limits(),
    Limits(max_chars=5),
    Limits(max_chars=25, max_depth=2),
    Limits(max_int_digits=2),
    Limits(max_chars=120, max_depth=4),
    Limits(max_depth=1),
    Limits(max_chars=400, max_depth=3),
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(NATIVE, st.sampled_from(NATIVE_LIMITS))
def test_native_walk_equals_the_plain_stack_walk(value: Any, limits: Limits) -> None:
    _check_native_walk(value, limits)


@pytest.mark.slow
@settings(max_examples=3_000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(NATIVE, st.sampled_from(NATIVE_LIMITS))
def test_native_walk_equals_the_plain_stack_walk_campaign(value: Any, limits: Limits) -> None:
    _check_native_walk(value, limits)


def _check_native_walk(value: Any, limits: Limits) -> None:
    """The level walk (bulk passes, subclasses through their base type) equals the plain recursive walk of the
    rule, without falling back on the item by item walk; so does the merged walk (containers shared by
    reference kept once, weighted) from the first level."""
    expected = _reference_native_error(value, limits)
    raised: list[Exception] = []
    flat_level = fm._flat_level

    def flat_level_noting(*args: Any) -> Any:  # (an exception there would pass unseen: item by item instead)
        try:
            return flat_level(*args)
        except Exception as exc:
            raised.append(exc)
            raise

    with pytest.MonkeyPatch.context() as m:
        m.setattr(fm, "_flat_level", flat_level_noting)
        assert fm._native_error(value, limits) == expected
    assert not raised
    with pytest.MonkeyPatch.context() as m:
        m.setattr(fm, "_flat_level", lambda *_: None)
        assert fm._native_error(value, limits) == expected


def _reference_depth_ok(text: str, max_depth: int) -> bool:
    depth = 0
    for ch in text:
        if ch in "([{":
            depth += 1
            if depth > max_depth:
                return False
        elif ch in ")]}":
            depth -= 1
    return True


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="([{}])x'\"", max_size=60), st.integers(1, 8))
def test_bracket_prescan_equals_the_character_loop(text: str, max_depth: int) -> None:
    assert fm._bracket_depth_ok(text, max_depth) is _reference_depth_ok(text, max_depth)


if __name__ == "__main__":  # the timing subprocess: family names on stdin, measurements on stdout
    print(json.dumps(_measure(json.loads(sys.stdin.read()))))
