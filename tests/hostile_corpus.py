"""A corpus of hostile inputs, generated in families: each class of input that once cost superlinear time.

Every family is a function ``(n, rng) -> list[Case]`` building cases of about ``n`` characters of model
output (``n`` up to 200,000, the default ``Limits.max_chars``), varied by the seeded ``rng``: the shapes an
adversarial campaign found (f-strings, chains, ``<|python_tag|>`` runs, many same-name calls, ``$unordered``
lists, shared sub-structures, user regexes, ...) and their relatives, not only the examples that were
reported. A case is a completion with the truth and tools it is scored against; truths and tools are the
user's data, accepted by the library (a case whose truth the library refuses is not a case: see
:func:`accepted`).

Used by ``tests/test_hostile_corpus.py`` (every case scores, bounded in time, without sockets or files)
and ``benchmarks/bench_hostile.py`` (worst time per completion over the corpus, as a multiple of the
median). ``python -m tests.hostile_corpus`` reads a JSON task on stdin and prints timings (a fresh
interpreter, as the reliability timings).
"""

from __future__ import annotations

import functools
import json
import random
import string
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import rlvr_rewards as rr

from .helpers import execute, hermes, openai_message
from .reliability_inputs import best_time, size_of

#: The size of model output the time promise is made for (the default ``Limits.max_chars``).
MAX_CHARS = 200_000

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "days": {"type": "integer", "default": 1},
                "tags": {"type": "array", "items": {"type": "string"}},
            },
            "required": ["city"],
        },
    },
}


#: Every truth of the corpus says whether its calls are ordered (``ordered=False`` unless given).
_execute = functools.partial(execute, ordered=False)


_F = _execute({"name": "f", "arguments": {"a": 1}})


@dataclass
class Case:
    family: str
    label: str
    completion: Any
    truth: Any = field(default_factory=lambda: _F)
    tools: Any = None
    limits: rr.Limits = field(default_factory=rr.Limits)


def _fit(unit: str, n: int, head: str = "", tail: str = "") -> str:
    """``head + unit * k + tail`` with k as large as keeps it within ``n`` characters."""
    k = max(1, (n - len(head) - len(tail)) // max(1, len(unit)))
    return head + unit * k + tail


# --- pythonic text that ast.parse handled in superlinear time ------------------------------------------------------


def fstrings(n: int, rng: random.Random) -> list[Case]:
    out = []
    for prefix in ("f", "F", "rf", "fR"):
        for piece in ("{1}", "{x}", "{1:>{2}}", "{'a'}", "{{}}", "{x!r}"):
            q = rng.choice(["'", '"'])
            body = _fit(piece, n - 20)
            out.append(Case("pythonic_fstring", f"{prefix}{q}{piece}{q}", f"[f(a={prefix}{q}{body}{q})]", _F))
    out.append(Case("pythonic_fstring", "nested f-strings", _fit("f'{", n // 2, "[f(a=") + "}'" * 10 + ")]", _F))
    return out


def chains(n: int, rng: random.Random) -> list[Case]:
    units = {
        "comparison": "1<",
        "subscript": "[0]",
        "addition": "1+",
        "attribute": ".b",
        "power": "2**",
        "unary minus": "-",
        "not": "not ",
        "call": "(1)",
        "boolean": "1 and ",
        "bitwise": "1|",
        "implicit string concatenation": "'a' ",
        "conditional": "1 if 1 else ",
        "lambda": "lambda:",
        "tuple in parentheses": "(1,",
        "starred": "*",
        "walrus": "(a:=",
    }
    out = []
    for label, unit in units.items():
        head = rng.choice(["[f(a=", "f(a=", "[f(b=2, a="])
        tail = "1)]" if head.startswith("[") else "1)"
        out.append(Case("pythonic_chain", label, _fit(unit, n, head, tail), _F))
        out.append(Case("pythonic_chain", label + " as a call name", _fit(unit, n, "[x", "(a=1)]"), _F))
    return out


def pythonic_many(n: int, rng: random.Random) -> list[Case]:
    """Many small pythonic calls, literal-heavy arguments and separators."""

    def lit() -> str:
        return rng.choice(["1", "-2.5e3", "'s'", '"t"', "None", "True", "[1, 2]", "{'k': 1}", "(1,)", "0x1F", "1_000"])

    calls = ",".join(f"f(a={lit()})" for _ in range(64))
    return [
        Case("pythonic_many", "64 calls then padding", "[" + calls + "]" + " " * (n - len(calls) - 2), _F),
        Case("pythonic_many", "one huge list literal", _fit("1,", n, "[f(a=[", "1])]"), _F),
        Case(
            "pythonic_many",
            "one huge dict literal",
            "[f(a={" + ",".join(f"'k{i}':{i}" for i in range(n // 12)) + "})]",
            _F,
        ),
        Case("pythonic_many", "commas", _fit(",", n, "[f(a=1", ")]"), _F),
        Case("pythonic_many", "escapes in a string", _fit("\\x41\\n\\u00e9", n, "[f(a='", "')]"), _F),
        Case("pythonic_many", "triple-quoted newlines", _fit("a\n", n, "[f(a='''", "''')]"), _F),
        Case("pythonic_many", "long digit run", _fit("9", n, "[f(a=", ")]"), _F),
        Case("pythonic_many", "unclosed string", _fit("a", n, "[f(a='", ")]"), _F),
        Case("pythonic_many", "comments", _fit("# c\n", n, "[f(a=1,\n", ")]"), _F),
    ]


def pythonic_literals(n: int, rng: random.Random) -> list[Case]:
    """Runs of adjacent string literals of every prefix and separator, and containers nested to the depth
    limit, repeated (tuples, sets and skipped elements included: they are outside the JSON-like subset)."""
    strings = {
        "strings and comments": "'a' # c\n",
        "strings and continuations": "'a' \\\n",
        "raw strings": "r'a' ",
        "upper raw strings": "R'a' ",
        "unicode strings": "u'a' ",
        "escaped strings": "'\\n' ",
        "bytes": "b'a' ",
        "upper bytes": "B'a'",
        "raw bytes": "rb'a' ",
        "f-strings": "f'a' ",
        "empty triple strings": "''''''",
        "empty strings": "'' ",
        "triple-quoted strings": "'''a''' ",
    }
    out = [Case("pythonic_literals", label, _fit(unit, n, "[f(a=", ")]"), _F) for label, unit in strings.items()]
    nested = {
        "nested lists": "[" * 60 + "1" + "]" * 60 + ",",
        "nested empty lists": "[" * 60 + "]" * 60 + ",",
        "nested dicts": "{'k': " * 50 + "1" + "}" * 50 + ", ",
        "nested floats": "[" * 60 + "1.5" + "]" * 60 + ",",
        "nested empty dicts": "[" * 60 + "{}" + "]" * 60 + ",",
        "nested tuples": "[" * 60 + "()" + "]" * 60 + ",",
        "nested names": "[" * 60 + "x" + "]" * 60 + ",",
        "nested sets": "{" * 60 + "1" + "}" * 60 + ",",
        "lists then one bad item": "[1], ",
    }
    for label, unit in nested.items():
        tail = "x])]" if label == "lists then one bad item" else "])]"
        out.append(Case("pythonic_literals", label, _fit(unit, n, "[f(a=[", tail), _F))
    out.append(
        Case(
            "pythonic_literals", "long strings in a list", _fit("'" + "abcdefghij" * 4 + "', ", n, "[f(a=[", "])]"), _F
        )
    )
    out.append(
        Case(
            "pythonic_literals",
            "long numbers in a list",
            _fit("1234567890" * 3 + "1234567.5e3, ", n, "[f(a=[", "1])]"),
            _F,
        )
    )
    return out


# --- other text formats ----------------------------------------------------------------------------------------------


def python_tag(n: int, rng: random.Random) -> list[Case]:
    call = json.dumps({"name": "f", "parameters": {"a": 1}})
    return [
        Case("python_tag", "{};", _fit("{};", n, "<|python_tag|>")),
        Case("python_tag", "calls;", _fit(call + ";", n, "<|python_tag|>")),
        Case("python_tag", "{;", _fit("{;", n, "<|python_tag|>")),
        Case("python_tag", "; only", _fit(";", n, "<|python_tag|>")),
        Case("python_tag", "repeated tags", _fit("<|python_tag|>{}", n)),
        Case("python_tag", "unclosed braces", _fit('{"a":', n, "<|python_tag|>")),
        Case("python_tag", "quotes", _fit('"', n, "<|python_tag|>")),
    ]


def tag_floods(n: int, rng: random.Random) -> list[Case]:
    good = '<tool_call>{"name": "f", "arguments": {"a": 1}}</tool_call>'
    units = {
        "unclosed <tool_call>": "<tool_call>",
        "stray </tool_call>": "</tool_call>",
        "<think>": "<think>",
        "</think>": "</think>",
        "mixed markers": "[TOOL_CALLS]<tool_call><|python_tag|><TOOLCALL>```json\n",
        "<TOOLCALL>": "<TOOLCALL>",
        "[TOOL_CALLS]": "[TOOL_CALLS]",
        "[ARGS]": "[TOOL_CALLS]f[ARGS]",
        "good blocks": good,
        "empty blocks": "<tool_call></tool_call>",
        "fences": "```json\n{}\n```\n",
        "braces": "{",
        "brackets": "[",
        "quotes": '"',
        "backslashes": "\\",
        "question marks": "? ",
        "refusal words": "I can't help with that. ",
    }
    return [Case("tag_flood", label, _fit(unit, n), _F) for label, unit in units.items()]


def json_pathologies(n: int, rng: random.Random) -> list[Case]:
    deep = '{"a":' * 60 + "1" + "}" * 60
    head, end = '<tool_call>{"name":"f","arguments":', "}</tool_call>"
    return [
        Case("json", "duplicate keys", _fit('"a":1,', n, head + "{", '"a":1}' + end), _F),
        Case("json", "deep but allowed, repeated", _fit(deep + ",", n, head + '{"a":[', "1]}" + end), _F),
        Case("json", "long digit run", _fit("9", n, head + '{"a":', "}" + end), _F),
        Case("json", "unicode escapes", _fit("\\u00e9", n, head + '{"a":"', '"}' + end), _F),
        Case("json", "surrogate escapes", _fit("\\ud800", n, '{"name":"f","arguments":{"a":"', '"}}'), _F),
        Case("json", "many small calls", _fit('{"name":"f","arguments":{"a":1}},', n, "[", "{}]"), _F),
        Case("json", "nan", _fit("NaN,", n, '{"name":"f","arguments":{"a":[', "1]}}"), _F),
        Case("json", "bare list of numbers", _fit("1,", n, "[", "1]"), _F),
    ]


def _distinct(unit: str, n: int, head: str = "") -> str:
    """``head`` then copies of ``unit`` made distinct by their number (``unit % i``), up to ``n`` characters."""
    parts, size, i = [head], len(head), 0
    while True:
        piece = unit % i
        if size + len(piece) > n:
            return "".join(parts)
        parts.append(piece)
        size += len(piece)
        i += 1


def distinct_blocks(n: int, rng: random.Random) -> list[Case]:
    """Thousands of call blocks that all differ (a repeated block is decoded once; these cannot be): each
    costs a decode, so past ``limits.block_budget`` distinct blocks the completion is ``over_budget``."""
    units = {
        "hermes calls": '<tool_call>{"name": "f", "arguments": {"a": %d}}</tool_call>',
        "hermes broken": '<tool_call>{"name": "f", "arguments": {"a": %d</tool_call>',
        "hermes brace junk": "<tool_call>{%d</tool_call>",
        "hermes JSON lines": '<tool_call>{"name": "f"}\n{"a": %d}</tool_call>',
        "hermes unclosed": '<tool_call>{"a": %d}',
        "hermes too deep": "<tool_call>" + "[" * 70 + "%d</tool_call>",
        "nemotron unclosed": "<TOOLCALL>[%d",
        "mistral broken args": '[TOOL_CALLS]f[ARGS]{"a": %d',
        "mistral JSON then junk": '[TOOL_CALLS][{"name": "f"}] x%d',
        "llama3 broken tags": '<|python_tag|>{"a": %d',
        "llama3 pythonic": "<|python_tag|>f(a=%d)",
        "fence name junk": '```json\n{"name"%d\n```\n',
        "fence trailing garbage": '```json\n{"name": "f"} x%d\n```\n',
        "fence distinct calls": '```json\n{"name": "f", "arguments": {"a": %d}}\n```\n',
    }
    out = [Case("distinct_blocks", label, _distinct(unit, n), _F) for label, unit in units.items()]
    for label, unit in {
        "llama3 lists": "[%d];",
        "llama3 objects": '{"a": %d};',
        "llama3 calls": '{"name": "f", "parameters": {"a": %d}};',
    }.items():
        out.append(Case("distinct_blocks", label, _distinct(unit, n, "<|python_tag|>"), _F))
    return out


# --- matching: the cost that grows with the truth ------------------------------------------------------------------


def same_name_calls(n: int, rng: random.Random) -> list[Case]:
    """Up to 64 calls of one name (``Limits.max_calls``) against truths with k calls of that name."""
    out = []
    for k in (1, 2, 4, 5, 8, 16, 64):
        truth = _execute(
            *({"name": "f", "arguments": {"a": rng.randrange(100), "b": rng.choice(["x", "y"])}} for _ in range(k))
        )
        for n_calls in (64, 63):
            calls = [
                {"name": "f", "arguments": {"a": rng.randrange(100), "b": rng.choice(["x", "y", "z"])}}
                for _ in range(n_calls)
            ]
            text = hermes(*calls, newlines=False)
            out.append(
                Case("same_name_calls", f"{n_calls} calls vs {k} expected", text + " " * max(0, n - len(text)), truth)
            )
            py = "[" + ", ".join(f"f(a={c['arguments']['a']}, b='{c['arguments']['b']}')" for c in calls) + "]"
            out.append(Case("same_name_calls", f"{n_calls} pythonic calls vs {k} expected", py, truth))
    many = _execute(*({"name": "f", "arguments": {"a": i}} for i in range(300)))
    text = "[" + ", ".join(f"f(a={i})" for i in range(64)) + "]"
    out.append(Case("same_name_calls", "64 calls vs 300 expected", text, many))
    return out


def unordered(n: int, rng: random.Random) -> list[Case]:
    out = []
    for size in (1_100, 5_000, min(20_000, n // 3)):
        items = ["1"] * size
        text = hermes({"name": "f", "arguments": {"a": [1] * size}}, newlines=False)
        out.append(
            Case(
                "unordered",
                f"{size} equal items",
                text,
                _execute({"name": "f", "arguments": {"a": {"$unordered": [1] * size}}}),
            )
        )
        perm = list(range(size))
        rng.shuffle(perm)
        text = hermes({"name": "f", "arguments": {"a": perm}}, newlines=False)
        out.append(
            Case(
                "unordered",
                f"{size} distinct items, shuffled",
                text,
                _execute({"name": "f", "arguments": {"a": {"$unordered": list(range(size))}}}),
            )
        )
        del items
    for size in (200, 1_100):
        truth_items: list[Any] = [{"$approx": 1.0, "abs": 0.5} if i % 2 else 1 for i in range(size)]
        text = hermes({"name": "f", "arguments": {"a": [1.2] * size}}, newlines=False)
        out.append(
            Case(
                "unordered",
                f"{size} mixed approx/plain, no match",
                text,
                _execute({"name": "f", "arguments": {"a": {"$unordered": truth_items}}}),
            )
        )
        truth_items = [{"$any": [1, 2]}] * size
        text = hermes({"name": "f", "arguments": {"a": [2] * size}}, newlines=False)
        out.append(
            Case(
                "unordered",
                f"{size} $any items",
                text,
                _execute({"name": "f", "arguments": {"a": {"$unordered": truth_items}}}),
            )
        )
    nested = {"$unordered": [{"$unordered": [1, 2, 3]}] * 300}
    text = hermes({"name": "f", "arguments": {"a": [[3, 2, 1]] * 300}}, newlines=False)
    out.append(Case("unordered", "300 nested $unordered", text, _execute({"name": "f", "arguments": {"a": nested}})))
    return out


def big_truths(n: int, rng: random.Random) -> list[Case]:
    """Truths with large values, and completions that make the most of comparing against them."""
    big_list = list(range(5_000))
    truth = _execute({"name": "f", "arguments": {"a": big_list}})
    arg = json.dumps({"name": "f", "arguments": {"a": big_list}})
    per_call = max(1, min(64, n // len(arg)))
    text = "\n".join(f"<tool_call>{arg}</tool_call>" for _ in range(per_call))
    any_truth = _execute({"name": "f", "arguments": {"a": {"$any": [f"option {i}" for i in range(2_000)]}}})
    text_truth = _execute({"name": "f", "arguments": {"a": {"$text": "x" * 10_000}}})
    many_args = _execute({"name": "f", "arguments": {f"k{i}": i for i in range(3_000)}})
    pred_many = hermes({"name": "f", "arguments": {f"z{i}": i for i in range(n // 14)}}, newlines=False)
    return [
        Case("big_truth", f"{per_call} calls with a 5,000-item list", text, truth),
        Case(
            "big_truth",
            "$any of 2,000 options, 64 calls",
            "\n".join('<tool_call>{"name":"f","arguments":{"a":"option 1999"}}</tool_call>' for _ in range(64)),
            any_truth,
        ),
        Case(
            "big_truth",
            "$text of 10,000 characters vs a long string",
            hermes({"name": "f", "arguments": {"a": "X " * (n // 3)}}, newlines=False),
            text_truth,
        ),
        Case("big_truth", "3,000 expected arguments vs many unexpected", pred_many, many_args),
    ]


# --- native message output -----------------------------------------------------------------------------------------


_message = functools.partial(openai_message, name="f")


def native_arguments(n: int, rng: random.Random) -> list[Case]:
    """OpenAI messages whose ``arguments`` is an object of about ``n`` JSON characters made of many small
    distinct containers (each one visited), or of long strings."""
    return [
        Case("native_arguments", "distinct empty lists", _message({"a": [[] for _ in range(n // 4)]}), _F),
        Case("native_arguments", "distinct empty objects", _message({"a": [{} for _ in range(n // 4)]}), _F),
        Case("native_arguments", "distinct one-item lists", _message({"a": [[i] for i in range(n // 10)]}), _F),
        Case("native_arguments", "distinct nested lists", _message({"a": [[[[]]] for _ in range(n // 8)]}), _F),
        Case(
            "native_arguments",
            "distinct small objects",
            _message({"a": [{"k": i, "v": [i]} for i in range(n // 28)]}),
            _F,
        ),
        Case("native_arguments", "one-key objects", _message({"a": [{"a": 1} for _ in range(n // 10)]}), _F),
        Case(
            "native_arguments",
            "mixed leaves",
            _message({"a": [rng.choice([1, 2.5, "s", None, True, [1], {"b": 2}]) for _ in range(n // 6)]}),
            _F,
        ),
        Case("native_arguments", "a long string", _message({"a": "é" * (n - 20)}), _F),
        Case(
            "native_arguments", "a 10,000-character string shared", _message({"a": ["é" * 10_000] * (n // 10_000)}), _F
        ),
    ]


def shared_structures(n: int, rng: random.Random) -> list[Case]:
    out = []
    for depth in (20, 30, 40):
        a: Any = [0] * 10
        for _ in range(depth):
            a = [a, a]
        msg = {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"type": "function", "function": {"name": "f", "arguments": {"a": a}}}],
        }
        out.append(Case("shared_structure", f"a list shared 2^{depth} times", msg, _F))
    d: Any = {"x": "y" * 100}
    for _ in range(30):
        d = {"l": d, "r": d}
    call = {"type": "function", "function": {"name": "f", "arguments": d}}
    out.append(
        Case(
            "shared_structure",
            "a dict shared 2^30 times",
            {"role": "assistant", "content": None, "tool_calls": [call]},
            _F,
        )
    )
    out.append(
        Case(
            "shared_structure",
            "a 1,000,000-character string shared 150,000 times",
            _message({"a": ["é" * 1_000_000] * 150_000}),
            _F,
        )
    )
    many = [{"type": "function", "function": {"name": "f", "arguments": {"a": 1}}}] * 10_000
    out.append(
        Case(
            "shared_structure",
            "10,000 copies of one call object",
            {"role": "assistant", "content": None, "tool_calls": many},
            _F,
        )
    )
    return out


# --- user regexes ----------------------------------------------------------------------------------------------------

#: Patterns a user may write. Accepted ones are cases; the catastrophic ones (``(a+)+$``, ``(a|a)*``, ...) are
#: refused when the truth or tools are compiled (``accepted`` drops them; tests/test_user_regex.py checks the
#: refusals), so they stay here to prove that nothing refused slips through as a case.
REGEX_PATTERNS = (
    r"[A-Z]{3}",
    r"\d{4}-\d{2}-\d{2}",
    r"[a-z_]+",
    r"(?:red|green|blue)",
    r"[^@\s]+@[^@\s]+\.[a-z]{2,}",
    r"\+?\d[\d\s-]{6,14}\d",
    r"(a+)+$",
    r"(a|a)*",
    r"(\w+\s?)*",
    r"(.*a){20}",
    r".*.*.*x",
    r"(a|aa)+b",
    r"\d+x",
    r"[a-z]+\d+",
    r"(?:ab)*c",
)


def user_regexes(n: int, rng: random.Random) -> list[Case]:
    out = []
    pumps = ["a" * 10_000 + "!", "1" * 10_000, "ab" * 5_000, ("a " * 5_000) + "!", "x" * 9_999 + "\n"]
    for pattern in REGEX_PATTERNS:
        truth = _execute({"name": "f", "arguments": {"a": {"$regex": pattern}}})
        tools = [
            {
                "type": "function",
                "function": {
                    "name": "f",
                    "parameters": {"type": "object", "properties": {"a": {"type": "string", "pattern": pattern}}},
                },
            }
        ]
        pp_tools = [
            {
                "type": "function",
                "function": {
                    "name": "f",
                    "parameters": {"type": "object", "patternProperties": {pattern: {"type": "integer"}}},
                },
            }
        ]
        for pump in pumps:
            text = hermes({"name": "f", "arguments": {"a": pump}}, newlines=False)
            out.append(Case("user_regex", f"$regex {pattern!r} on {pump[:3]!r}...", text, truth))
            out.append(Case("user_regex", f"pattern {pattern!r} on {pump[:3]!r}...", text, _F, tools))
            key_text = hermes({"name": "f", "arguments": {pump: 1}}, newlines=False)
            out.append(Case("user_regex", f"patternProperties {pattern!r} on {pump[:3]!r}...", key_text, _F, pp_tools))
        long_arg = hermes({"name": "f", "arguments": {"a": "a" * (n - 60)}}, newlines=False)
        out.append(Case("user_regex", f"pattern {pattern!r} on {n} characters", long_arg, _F, tools))
    return out


def prose(n: int, rng: random.Random) -> list[Case]:
    words = ["sorry", "cannot", "which", "city", "?", "I", "help", "the", "weather", "is", "\n", "don't", "what"]
    text = " ".join(rng.choice(words) for _ in range(n // 5))[:n]
    letters = "".join(rng.choice(string.ascii_letters + " ") for _ in range(n))
    return [
        Case("prose", "cue words", text, {"behavior": "refuse"}),
        Case("prose", "cue words vs clarify", text, {"behavior": "clarify", "missing": ["city"]}),
        Case("prose", "letters", letters, _F),
        Case("prose", "one word", "a" * n, {"behavior": "clarify", "missing": ["city"]}),
    ]


FAMILIES: dict[str, Callable[[int, random.Random], list[Case]]] = {
    "pythonic_fstring": fstrings,
    "pythonic_chain": chains,
    "pythonic_many": pythonic_many,
    "pythonic_literals": pythonic_literals,
    "python_tag": python_tag,
    "tag_flood": tag_floods,
    "json": json_pathologies,
    "same_name_calls": same_name_calls,
    "unordered": unordered,
    "big_truth": big_truths,
    "distinct_blocks": distinct_blocks,
    "native_arguments": native_arguments,
    "shared_structure": shared_structures,
    "user_regex": user_regexes,
    "prose": prose,
}


def accepted(case: Case) -> bool:
    """Does the library accept the case's truth and tools (the user's data)? Refused data is not a case."""
    try:
        rr.score("", case.truth, tools=case.tools)
    except (rr.GroundTruthError, rr.ToolSpecError):
        return False
    return True


def build(n: int = MAX_CHARS, seed: int = 0, families: list[str] | None = None) -> list[Case]:
    """Every accepted case of the chosen families (all by default) at about ``n`` characters."""
    out: list[Case] = []
    for name in families or list(FAMILIES):
        rng = random.Random(f"{name}:{seed}")
        out.extend(c for c in FAMILIES[name](n, rng) if accepted(c))
    return out


def time_cases(cases: list[Case], repeats: int = 3) -> list[float]:
    """Best-of-``repeats`` seconds of ``rr.score`` for each case (after a warm-up call, which also compiles
    the truth and tools: they are the user's data, compiled once per distinct value), garbage collector off."""
    return [
        best_time(lambda c=case: rr.score(c.completion, c.truth, tools=c.tools, limits=c.limits), repeats)
        for case in cases
    ]


def _main() -> None:
    """A JSON task on stdin (``{"n", "seed", "families", "repeats"}``) -> per case ``{family, label, chars,
    seconds}`` and the reference time (tests/timing.py) as JSON on stdout."""
    from tests.timing import best_times, reference_task

    task = json.loads(sys.stdin.read())
    cases = build(task.get("n", MAX_CHARS), task.get("seed", 0), task.get("families"))
    times = time_cases(cases, task.get("repeats", 3))
    reference = best_times({"reference": reference_task}, repeats=5)["reference"]
    json.dump(
        {
            "reference": reference,
            "cases": [
                {"family": c.family, "label": c.label, "chars": size_of(c.completion), "seconds": t}
                for c, t in zip(cases, times, strict=True)
            ],
        },
        sys.stdout,
    )


if __name__ == "__main__":
    _main()
