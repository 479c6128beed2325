"""The fast paths added for throughput give exactly the results of the general paths they shortcut.

- ``loads_untrusted`` skips the stdlib re-parse unless a number is large enough to have come from a
  long integer literal, and skips the duplicate-key confirmation when the text's colons (or key ends)
  account for every key: checked against a reference decoder that always does the exact, hooked parse.
- ``score_batch`` keys usual OpenAI messages by a flat tuple of their fields (call ids left out) instead
  of serialising a normalised copy; messages that differ in anything but call ids never share a key.
- ``read_text`` remembers cues only inside ``text_cue_memo`` (one batch), and the memo changes nothing.
- ``parse_many`` equals ``parse_completion`` one by one.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import rlvr_rewards as rr
from rlvr_rewards.classify import behavior
from rlvr_rewards.limits import Limits
from rlvr_rewards.parsing import parse_completion, parse_many
from rlvr_rewards.scoring import core
from rlvr_rewards.util.jsonsafe import FAIL, loads_untrusted

from .helpers import benchmark, openai_message
from .reliability_inputs import CORPORA

# --------------------------------------------------------------------------------------------------
# loads_untrusted against an always-exact reference
# --------------------------------------------------------------------------------------------------


class _Bad(Exception):
    def __init__(self, code: str) -> None:
        self.code = code


def _reference(text: str, limits: Limits) -> tuple[Any, str | None, tuple[str, ...]]:
    """What loads_untrusted must return for text that orjson accepts: the exact stdlib parse with every
    check applied, no shortcuts."""
    dups = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(items)
        if len(out) != len(items):
            dups.append(1)
        return out

    def parse_int(s: str) -> int:
        if len(s.lstrip("-")) > limits.max_int_digits:
            raise _Bad("number_too_large")
        return int(s)

    def parse_float(s: str) -> float:
        f = float(s)
        if not math.isfinite(f):
            raise _Bad("nonfinite_number")
        return f

    try:
        value = json.loads(text, object_pairs_hook=pairs, parse_int=parse_int, parse_float=parse_float)
    except _Bad as bad:
        return FAIL, bad.code, ()
    return value, None, ("duplicate_keys",) if dups else ()


def _same(a: Any, b: Any) -> bool:
    """Equal values with equal JSON types (1 and 1.0 and True differ)."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True) and type(a) is type(b)


NUMBER_CASES = [
    "1",
    "-1",
    "123456789012345678",
    "9223372036854775807",
    "-9223372036854775808",
    "18446744073709551615",
    "18446744073709551616",
    "99999999999999999999",
    "-99999999999999999999",
    "-9223372036854775809",
    "9223372036854775808",
    "1" * 20,
    "1" * 30,
    "1" * 100,
    "1" * 101,
    "-" + "1" * 101,
    "1e19",
    "1e25",
    "-1e300",
    "1.5e18",
    "12345678901234567890.5",
    "0.12345678901234567890123",
    "1E+19",
    "10000000000000000000",
]


@pytest.mark.parametrize(
    "limits",
    [Limits(), Limits(max_int_digits=5), Limits(max_int_digits=19), Limits(max_int_digits=20)],
    ids=["default", "5", "19", "20"],
)
@pytest.mark.parametrize("literal", NUMBER_CASES)
def test_numbers_match_the_exact_reference(literal: str, limits: Limits) -> None:
    call = f'{{"name": "f", "arguments": {{"x": {literal}}}}}'
    for text in (literal, f'{{"a": {literal}}}', f"[1, [{literal}]]", call, f'{{"s": "{literal}", "n": {literal}}}'):
        got = loads_untrusted(text, limits)
        want = _reference(text, limits)
        assert got[1:] == want[1:], text
        if want[1] is None:
            assert _same(got[0], want[0]), text


DUPLICATE_CASES = [
    '{"a": 1, "a": 2}',
    '{"a" : 1, "a" : 2}',
    '{"a":1,"a":2,"b":"\\u003a"}',  # an escaped colon must not hide the duplicate
    '{"a" :1,"a" :2,"b":"x\\":"}',  # a quote-colon inside a string must not hide it either
    '{"t": "20:30", "u": "http://x"}',  # colons in values, no duplicate
    '{"t": "20:30", "t": "21:00"}',
    '{"o": {"k": 1, "k": 2}, "p": "a:b"}',
    '[{"a": 1}, {"a": 1}]',  # same key in two objects is not a duplicate
    '{"a": {"a": {"a": 1}}}',
    '{"k\\"": 1, "k\\"": 2}',
    '{"a": "\\":", "b": 1}',
    "{}",
    "[]",
    '{"a": []}',
    '{"": 1, "": 2}',
]


@pytest.mark.parametrize("text", DUPLICATE_CASES)
def test_duplicate_keys_match_the_exact_reference(text: str) -> None:
    got = loads_untrusted(text)
    want = _reference(text, Limits())
    assert got[1:] == want[1:]
    assert _same(got[0], want[0])


_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**25), max_value=10**25)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=':"\\ab{}[] ,', max_size=6),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(["a", "b", ":", 'q"', "a:"]), inner, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(value=_json_values, dup=st.booleans(), spaced=st.booleans())
def test_random_json_matches_the_exact_reference(value: Any, dup: bool, spaced: bool) -> None:
    text = json.dumps(value, separators=(", ", " : ") if spaced else (",", ":"))
    if dup and text.startswith("{") and text != "{}":
        text = '{"a": 0, ' + text[1:] if '"a"' in text else text
    got = loads_untrusted(text)
    want = _reference(text, Limits())
    assert got[1:] == want[1:], text
    if want[1] is None:
        assert _same(got[0], want[0]), text


def test_jsontestsuite_accepted_files_match_the_exact_reference() -> None:
    folder = CORPORA / "jsontestsuite" / "test_parsing"
    if not folder.is_dir():
        pytest.skip(f"corpus not found at {folder}")
    checked = 0
    for path in sorted(folder.glob("y_*.json")):
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue
        got = loads_untrusted(text)
        if got[1] is not None:
            continue  # strictness beyond the stdlib (e.g. lone surrogates) is tested elsewhere
        want = _reference(text, Limits())
        assert got[2] == want[2], path.name
        assert _same(got[0], want[0]), path.name
        checked += 1
    assert checked > 50


# --------------------------------------------------------------------------------------------------
# message keys
# --------------------------------------------------------------------------------------------------


def _msg(args: str = '{"city": "Paris"}', call_id: Any = "call_1", content: Any = None, **extra: Any) -> dict[str, Any]:
    """:func:`openai_message` with this file's defaults: the Paris arguments as a string, call id ``call_1``."""
    return openai_message(args, call_id=call_id, content=content, **extra)


def test_message_keys_ignore_call_ids_only() -> None:
    key = core._completion_key
    assert key(_msg(call_id="a")) == key(_msg(call_id="b")) == key(_msg(call_id=7))
    assert isinstance(key(_msg()), tuple) and key(_msg())[0] == "msg"
    moved = {
        "role": "assistant",
        "content": None,
        "tool_calls": [{"type": "function", "function": {"name": "get_weather"}, "arguments": '{"city": "Paris"}'}],
    }
    different = [
        _msg(args='{"city": "Rome"}'),
        _msg(content=""),
        _msg(content="hi"),
        _msg(reasoning_content="x"),
        moved,
        {**_msg(), "role": "user"},
        {"role": "assistant", "content": None},
        {"role": "assistant", "content": None, "tool_calls": []},
    ]
    keys = [key(m) for m in [_msg(), *different]]
    assert len(set(keys)) == len(keys)


def test_unusual_messages_take_the_general_key() -> None:
    key = core._completion_key
    nested = _msg()
    nested["tool_calls"][0]["function"]["arguments"] = {"city": "Paris"}  # arguments as an object
    assert key(nested)[0] == "json"
    assert key(nested) != key(_msg())
    parts = {"role": "assistant", "content": [{"type": "text", "text": "hi"}]}
    assert key(parts)[0] == "json"
    no_function = {"role": "assistant", "content": None, "tool_calls": [{"id": "x", "type": "function"}]}
    assert key(no_function)[0] == "json"
    text_key = key('{"role": "assistant"}')
    assert text_key not in {key(_msg()), key(parts)}


def test_message_batches_score_like_one_by_one(tools: list[dict[str, Any]]) -> None:
    truth = {"behavior": "execute", "calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]}
    nested = _msg()
    nested["tool_calls"][0]["function"]["arguments"] = {"city": "Paris"}
    batch = [
        _msg(call_id="a"),
        _msg(call_id="b"),
        _msg(args='{"city": "Rome"}'),
        nested,
        _msg(content="ok?"),
        [{"role": "user", "content": "weather?"}, _msg()],
    ]
    scored = rr.score_batch(batch, [truth] * len(batch), tools=tools)
    for i, m in enumerate(batch):
        one = rr.score(m, truth, tools=tools)
        assert scored.rewards[i] == one.reward
        assert scored.reasons[i] == one.reason


# --------------------------------------------------------------------------------------------------
# text cue memo, parse_many
# --------------------------------------------------------------------------------------------------


def test_text_cue_memo_is_scoped_to_the_block(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = behavior._read_text

    def counting(text: str) -> behavior.TextCues:
        calls.append(text)
        return real(text)

    monkeypatch.setattr(behavior, "_read_text", counting)
    text = "I can't help with that. Which city do you mean?"
    assert behavior.read_text(text) == behavior.read_text(text)
    assert len(calls) == 2  # no memo outside a batch
    with behavior.text_cue_memo():
        first = behavior.read_text(text)
        assert behavior.read_text(text) is first
        assert len(calls) == 3
    behavior.read_text(text)
    assert len(calls) == 4  # the memo ended with the block


def test_parse_many_equals_parse_completion() -> None:
    completions: list[Any] = [
        '<tool_call>{"name": "f", "arguments": {"a": 1}}</tool_call>',
        "<think>x</think>Which city?",
        "",
        _msg(),
        [{"role": "assistant", "content": "no"}],
        b"\xff",
        42,
        '<tool_call>{"name": "f"',
        None,
        '<think>a</think><tool_call>{"name": "f", "arguments": {}}</tool_call> extra',
        '{"name": "f", "arguments": {"a": 1, "a": 2}}',
    ]
    limits = Limits(max_calls=2)
    assert parse_many(completions, limits=limits) == [parse_completion(c, limits=limits) for c in completions]


# --------------------------------------------------------------------------------------------------
# text normalisation and $any of texts
# --------------------------------------------------------------------------------------------------


def _normalize_reference(value: str, steps: tuple[str, ...]) -> str:
    """normalize_text with str.translate only (no ASCII shortcut)."""
    from rlvr_rewards.groundtruth import matchers as m

    if "bfcl" in steps:
        value = value.translate(m._BFCL_DROP).lower().replace("'", '"')
    if "quotes" in steps:
        value = value.translate(m._QUOTES)
    if "punctuation" in steps:
        value = value.translate(m._PUNCT)
    if "whitespace" in steps:
        value = m._WS_RE.sub("", value) if "punctuation" in steps else m._WS_RE.sub(" ", value).strip()
    if "case" in steps:
        value = value.casefold()
    return value


@settings(max_examples=400, deadline=None)
@given(
    value=st.text(alphabet=st.sampled_from(list(" ,./-_*^!?;:()[]{}'\"`aZ\u2019\u201cé\t")), max_size=12),
    steps=st.lists(st.sampled_from(["case", "whitespace", "punctuation", "quotes", "bfcl"]), unique=True),
)
def test_normalize_text_ascii_shortcut_is_exact(value: str, steps: list[str]) -> None:
    from rlvr_rewards.groundtruth.matchers import normalize_text

    assert normalize_text(value, tuple(steps)) == _normalize_reference(value, tuple(steps))


@pytest.mark.parametrize("got", ["Paris", "paris!", "PARIS", "Rome", "rome", 3, None, "", "São Paulo", "sao paulo"])
def test_any_of_texts_matches_like_each_text(got: Any) -> None:
    from rlvr_rewards.groundtruth.matchers import compile_any, compile_text

    def compile_value(v: Any, path: str) -> Any:
        return compile_text(v, compile_value, path) if isinstance(v, dict) and "$text" in v else None

    options = [{"$text": "Paris"}, {"$text": "São Paulo"}, {"$text": "rome", "normalize": ["case"]}]
    mixed = compile_any({"$any": options}, compile_value, "p")  # different steps: the general path
    same = compile_any({"$any": options[:2]}, compile_value, "p")  # same steps: one normalisation
    each = [compile_text(o, compile_value, "p") for o in options]
    assert mixed.match(got) == any(m.match(got) for m in each)
    assert same.match(got) == any(m.match(got) for m in each[:2])


@pytest.mark.parametrize(
    "schema",
    [
        {"enum": ["a", "b"]},
        {"type": "string", "enum": ["a", "b", ""]},
        {"enum": ["1", 1]},
        {"type": ["string", "null"]},
        {"type": "array", "items": {"enum": ["x", "y"]}},
        {"type": "object", "properties": {"u": {"type": "string", "enum": ["c", "f"]}}, "required": ["u"]},
    ],
)
@pytest.mark.parametrize(
    "value", ["a", "b", "", "c", 1, 1.0, True, None, ["x"], ["x", "z"], [], {"u": "c"}, {"u": "k"}, {}]
)
def test_compiled_schema_shortcuts_agree_with_jsonschema(schema: dict[str, Any], value: Any) -> None:
    import jsonschema

    from rlvr_rewards.groundtruth.fastschema import compile_fast

    check = compile_fast(schema)
    assert check is not None
    assert bool(check(value)) == jsonschema.Draft202012Validator(schema).is_valid(value)


# --------------------------------------------------------------------------------------------------
# the one-block shortcut of the tag scanner
# --------------------------------------------------------------------------------------------------

_BLOCK_PIECES = [
    "<tool_call>",
    "</tool_call>",
    '{"name": "f", "arguments": {"a": 1}}',
    '{"name": "f"}',
    "[",
    "]",
    '{"a": 1, "a": 2}',
    "{",
    "}",
    "NaN",
    " ",
    "\n",
    "text",
    "Which city?",
    '"x"',
    ",",
    "1e999",
    '{"name": "g", "parameters": {}, "extra": 1}',
    '{"name": 3}',
    "<tool_call>\n\n</tool_call>",
]


def _general_scan(text: str, limits: Limits) -> Any:
    from rlvr_rewards.parsing import formats

    real = formats._single_block
    formats._single_block = lambda *a: None  # type: ignore[assignment]
    try:
        return formats._scan_tag_blocks(text, "<tool_call>", "</tool_call>", "hermes", limits)
    finally:
        formats._single_block = real


_CALL_TEXT = '<tool_call>{"name": "f", "arguments": {"a": 1}}</tool_call>'


@pytest.mark.parametrize(
    "text",
    [
        f"Sure.{_CALL_TEXT}Done?",
        f"  Sure. \n{_CALL_TEXT}\n  ",
        f"{_CALL_TEXT} Which one?",
        _CALL_TEXT,
        f"</tool_call>{_CALL_TEXT}",
        f"{_CALL_TEXT}</tool_call>",
        f"{_CALL_TEXT}{_CALL_TEXT}",
        '<tool_call>{"name": "f", "arguments": {"a": 1, "a": 2}}</tool_call> ok',
        '<tool_call>[{"name": "f", "arguments": {}}]</tool_call>',
        "<tool_call>{}</tool_call>",
    ],
)
def test_single_block_shortcut_examples(text: str) -> None:
    from rlvr_rewards.parsing import formats

    assert formats._scan_tag_blocks(text, "<tool_call>", "</tool_call>", "hermes", Limits()) == _general_scan(
        text, Limits()
    )


@settings(max_examples=600, deadline=None)
@given(
    pieces=st.lists(st.sampled_from(_BLOCK_PIECES), max_size=7),
    limits=st.sampled_from([Limits(), Limits(max_calls=0), Limits(max_depth=1), Limits(max_int_digits=1)]),
)
def test_single_block_shortcut_equals_the_general_scan(pieces: list[str], limits: Limits) -> None:
    from rlvr_rewards.parsing import formats

    text = "".join(pieces)
    fast = formats._scan_tag_blocks(text, "<tool_call>", "</tool_call>", "hermes", limits)
    assert fast == _general_scan(text, limits)


def test_single_block_shortcut_on_the_benchmark_workload() -> None:
    make_workload = benchmark("workload").make_workload

    from rlvr_rewards.parsing import formats
    from rlvr_rewards.parsing.dispatch import split_think

    hits = 0
    for completion in dict.fromkeys(make_workload(300, 8, seed=5).completions):
        answer = split_think(completion)[0]
        if "<tool_call>" not in answer and "</tool_call>" not in answer:
            continue
        hits += formats._single_block(answer, "<tool_call>", "</tool_call>", "hermes", Limits()) is not None
        assert formats._scan_tag_blocks(answer, "<tool_call>", "</tool_call>", "hermes", Limits()) == _general_scan(
            answer, Limits()
        )
    assert hits > 500


# --------------------------------------------------------------------------------------------------
# behaviour cues: lower-cased text with lower-case patterns == case-insensitive patterns
# --------------------------------------------------------------------------------------------------


def _cue_texts() -> list[str]:
    from .reliability_inputs import blns_strings

    data = Path(__file__).resolve().parent / "data"
    texts: list[str] = []
    for name in ("behavior_corpus.jsonl", "behavior_heldout.jsonl", "refusal_dev.jsonl", "refusal_heldout.jsonl"):
        for line in (data / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                completion = json.loads(line)["completion"]
                texts.append(completion if isinstance(completion, str) else json.dumps(completion))
    examples = Path(rr.__file__).resolve().parent / "data" / "example_completions.jsonl"
    texts += [str(json.loads(x)["completion"]) for x in examples.read_text(encoding="utf-8").splitlines() if x]
    naughty = blns_strings()
    texts += naughty + [f"I can't help with {s}. Which {s} do you mean?" for s in naughty]
    texts += ["ſorry, I can't", "I CAN'T HELP WITH THAT.", "WHICH CITY?", "İ can't do that", "Kelvin: I \u212aNOW"]
    return texts


def test_folded_cues_equal_case_insensitive_cues(monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses
    import re

    texts = _cue_texts()
    assert len(texts) > 1000
    folded = [(behavior.read_text(t), behavior.request_sentences(t)) for t in texts]
    for name in dir(behavior):
        rx = getattr(behavior, name)
        if isinstance(rx, re.Pattern) and name.endswith("_RE"):
            monkeypatch.setattr(behavior, name, re.compile(rx.pattern, rx.flags | re.IGNORECASE))
    monkeypatch.setattr(behavior, "_fold", lambda text: text)
    for name in dir(behavior):  # the prefilters' patterns too, with their (lower-case) needles left out
        gate = getattr(behavior, name)
        if isinstance(gate, behavior._Gated):
            ignoring_case = re.compile(gate.pattern.pattern, gate.pattern.flags | re.IGNORECASE)
            monkeypatch.setattr(behavior, name, dataclasses.replace(gate, pattern=ignoring_case))
    monkeypatch.setattr(behavior._Gated, "open", lambda self, window: True)
    reference = [(behavior.read_text(t), behavior.request_sentences(t)) for t in texts]
    differ = [t for t, a, b in zip(texts, folded, reference, strict=True) if a != b]
    # Only text whose lower-casing differs from case-insensitive matching may differ: the long s and
    # the Kelvin sign (case-insensitive matches for s and k) and the dotted capital I.
    assert all(any(c in t for c in "\u017f\u212a\u0130") for t in differ), differ[:3]


@pytest.mark.parametrize("want", ["Paris", "", "1", 1, 0, -3, 1.5, 0.0, 2**70, True, False, None, [1], {"a": 1}])
@pytest.mark.parametrize(
    "got",
    [
        "Paris",
        "",
        "1",
        1,
        0,
        1.0,
        -3,
        -3.0,
        1.5,
        0.0,
        2**70,
        float(2**70),
        True,
        False,
        None,
        [1],
        {"a": 1},
        float("nan"),
        float("inf"),
    ],
)
def test_plain_matchers_equal_json_equal(want: Any, got: Any) -> None:
    from rlvr_rewards.groundtruth.matchers import _plain, json_equal

    assert _plain(want).match(got) == json_equal(want, got)


# --------------------------------------------------------------------------------------------------
# the straight-through Hermes path of parse_many
# --------------------------------------------------------------------------------------------------

_THINK_PIECES = [
    "<think>",
    "</think>",
    "reasoning",
    " ",
    "\n",
    "think>",
    "<tool_call>",
    "</tool_call>",
    '{"name": "f", "arguments": {"a": 1}}',
    "[TOOL_CALLS]",
    "<TOOLCALL>",
    "ok",
    '{"name": 1}',
]


def _general(text: str, limits: Limits) -> Any:
    """The general parse, with ``limits`` made current for the parsers as parse_many does."""
    from rlvr_rewards.parsing import dispatch, formats

    restore = formats.use_limits(limits)
    try:
        return dispatch._parse_any(text, dispatch._plan(formats.BUILTIN_PARSERS), limits)
    finally:
        restore()


@settings(max_examples=400, deadline=None)
@given(pieces=st.lists(st.sampled_from(_THINK_PIECES), max_size=8))
def test_split_think_shortcut_equals_the_walk(pieces: list[str]) -> None:
    from rlvr_rewards.parsing import reasoning

    text = "".join(pieces)
    if "think>" in text:
        assert reasoning.split_think(text) == reasoning._split_think_walk(text)


@pytest.mark.parametrize(
    "text",
    [
        "<think> plan </think>\nanswer",
        "<think></think>",
        "<think>a</think>b</think>",
        "<think>a</think><think>b</think>",
        "<think>I think> so</think>x",
    ],
)
def test_split_think_shortcut_examples(text: str) -> None:
    from rlvr_rewards.parsing import reasoning

    assert reasoning.split_think(text) == reasoning._split_think_walk(text)
    assert reasoning.split_think("<think> plan </think>\nanswer") == ("\n\nanswer", "plan", ())


@example(pieces=["<tool_call>", '{"name": 1}', "\n", '{"name": 1}'], limits=Limits(max_calls=0))
@settings(max_examples=600, deadline=None)
@given(
    pieces=st.lists(st.sampled_from(_THINK_PIECES), max_size=8),
    limits=st.sampled_from([Limits(), Limits(max_calls=0), Limits(max_chars=30)]),
)
def test_hermes_straight_path_equals_the_general_parse(pieces: list[str], limits: Limits) -> None:
    from rlvr_rewards.parsing.formats import parse_hermes_straight

    text = "".join(pieces)
    fast = parse_hermes_straight(text, limits)
    if fast is not None:
        assert fast == _general(text, limits)
    assert parse_many([text], limits=limits) == [_general(text, limits)]


@pytest.mark.parametrize(
    "text",
    [
        f"<think>plan</think>{_CALL_TEXT}",
        f"<think>\n plan \n</think>\n\n{_CALL_TEXT}\n",
        f"<think></think>{_CALL_TEXT}",
        f" <think>plan</think>{_CALL_TEXT}",
        f"<think>a</think><think>b</think>{_CALL_TEXT}",
        f"{_CALL_TEXT}<think>x</think>",
        f"<think>I think> so</think>{_CALL_TEXT}",
        f"<think>plan{_CALL_TEXT}",
        f"</think>{_CALL_TEXT}",
        f"<think>plan</think>Sure! {_CALL_TEXT} [TOOL_CALLS]",
        f"<think>plan</think>{_CALL_TEXT} Which city?",
    ],
)
def test_hermes_straight_path_examples(text: str) -> None:
    from rlvr_rewards.parsing.formats import parse_hermes_straight

    fast = parse_hermes_straight(text, Limits())
    general = _general(text, Limits())
    assert fast is None or fast == general
    assert parse_many([text]) == [general]


def test_hermes_straight_path_on_the_benchmark_workload() -> None:
    make_workload = benchmark("workload").make_workload

    from rlvr_rewards.parsing.formats import parse_hermes_straight

    texts = list(dict.fromkeys(make_workload(300, 8, seed=6).completions))
    straight = [parse_hermes_straight(t, Limits()) for t in texts]
    assert sum(s is not None for s in straight) > 400
    assert parse_many(texts) == [_general(t, Limits()) for t in texts]
    assert all(s is None or s == _general(t, Limits()) for s, t in zip(straight, texts, strict=True))


def test_a_plugin_parser_first_disables_the_straight_path() -> None:
    from rlvr_rewards.parsing import formats
    from rlvr_rewards.parsing.types import ParseResult, ParserSpec

    first = ParserSpec("everything", lambda text: ParseResult(calls=(), text="mine", format="everything"), priority=1)
    got = parse_many([_CALL_TEXT], parsers=(first, *formats.BUILTIN_PARSERS))
    assert got[0].format == "everything" and got[0].text == "mine"


def test_the_straight_path_is_the_first_parsers_own() -> None:
    """parse_many takes the first spec's declared straight path (not a parser it recognises by identity): a
    spec of the same parse function without one is parsed by the general path, with the same result."""
    from dataclasses import replace

    from rlvr_rewards.parsing import formats

    hermes = formats.BUILTIN_PARSERS[0]
    assert hermes.name == "hermes" and hermes.straight is formats.parse_hermes_straight
    calls: list[str] = []

    def counted(text: str, limits: Limits) -> Any:
        calls.append(text)
        return formats.parse_hermes_straight(text, limits)

    plain = (replace(hermes, straight=None), *formats.BUILTIN_PARSERS[1:])
    traced = (replace(hermes, straight=counted), *formats.BUILTIN_PARSERS[1:])
    assert parse_many([_CALL_TEXT], parsers=plain) == parse_many([_CALL_TEXT], parsers=traced)
    assert calls == [_CALL_TEXT]


def test_a_straight_result_never_hides_another_formats_reasoning() -> None:
    """A straight result skips the formats' reasoning splits only when the marker index knows the splitting
    formats' markers (the straight path declines an answer holding them); told of fewer markers, parse_many
    checks the splits itself. Either way it equals the general path."""
    from rlvr_rewards.parsing import dispatch, formats
    from rlvr_rewards.parsing.harmony import split_analysis
    from rlvr_rewards.plugins import get_registry

    specs = get_registry().parsers
    hermes = specs[0]
    harmony = next(s for s in specs if s.split_reasoning is split_analysis)
    text = f"<|channel|>analysis<|message|>first a plan<|end|>{_CALL_TEXT}"
    for parsers, markers in (((hermes, harmony), None), ((hermes, harmony), (hermes,)), (specs, specs)):
        plan = dispatch._plan(parsers)
        index = plan.default_index() if markers is None else formats.index_for(markers)
        assert plan.splits_marked(index) is (markers != (hermes,))
        restore = formats.use_markers(index)
        try:
            general = _general_with(text, parsers)
        finally:
            restore()
        got = parse_many([text], parsers=parsers, markers=markers)
        assert got == [general]
        assert got[0].think == "first a plan" and [c.name for c in got[0].calls] == ["f"]


def _general_with(text: str, parsers: Any) -> Any:
    from rlvr_rewards.parsing import dispatch, formats

    restore = formats.use_limits(Limits())
    try:
        return dispatch._parse_any(text, dispatch._plan(parsers), Limits())
    finally:
        restore()


def test_a_refused_block_is_decoded_once_and_its_verdict_is_its_own() -> None:
    """formats._block_json remembers the last refused block (the Hermes path reads one block up to three times):
    the verdict it returns is always loads_untrusted's for that text and those limits."""
    from rlvr_rewards.parsing import formats
    from rlvr_rewards.util.jsonsafe import loads_untrusted

    shallow = Limits(max_depth=2)
    texts = ["{", "[[[1]]]", "{", '{"a": NaN}', "[[[1]]]", '{"name": "f"}', "{"]
    for limits in (Limits(), shallow, Limits(), shallow):
        for text in texts:
            assert formats._block_json(text, limits) == loads_untrusted(text, limits, True), (text, limits)
    assert formats._block_json("[[[1]]]", shallow)[1] == "nesting_too_deep"
    assert formats._block_json("[[[1]]]", Limits())[1] is None

    seen: list[str] = []
    real = formats.loads_untrusted

    def counted(text: str, limits: Limits, quick: bool = False) -> Any:
        seen.append(text)
        return real(text, limits, quick)

    formats.loads_untrusted = counted  # type: ignore[assignment]
    try:
        broken = '<tool_call>\n{"name": "f", "arguments": {"a": 1}\n</tool_call>'
        got = parse_many([broken])
    finally:
        formats.loads_untrusted = real  # type: ignore[assignment]
    assert got[0].violations == ("invalid_json",)
    assert seen.count('{"name": "f", "arguments": {"a": 1}') == 1  # (straight path, shortcut and scan: one decode)


# --- loads_trusted: orjson's value is kept only where it is exact (the text-shape check, then the number walk) ---


def _stdlib_exact(text: str) -> Any:
    return json.loads(text)


@pytest.mark.parametrize("literal", NUMBER_CASES)
def test_loads_trusted_numbers_are_the_stdlibs(literal: str) -> None:
    from rlvr_rewards.util.jsonsafe import loads_trusted

    for text in (literal, f'{{"a": {literal}}}', f"[1, [{literal}]]", f'{{"s": "{literal}", "n": {literal}}}'):
        want = _stdlib_exact(text)
        for form in (text, text.encode()):
            got = loads_trusted(form)
            assert _same(got, want), text


@settings(max_examples=300, deadline=None)
@given(
    value=_json_values,
    wide=st.integers(min_value=2**63 - 3, max_value=2**70) | st.integers(max_value=-(2**63) + 3, min_value=-(2**70)),
)
def test_loads_trusted_keeps_every_digit(value: Any, wide: int) -> None:
    from rlvr_rewards.util.jsonsafe import loads_trusted

    for v in (value, [value, wide], {"k": wide, "v": value}, wide):
        text = json.dumps(v)
        want = json.loads(text)
        assert _same(loads_trusted(text), want), text
        assert _same(loads_trusted(text.encode()), want), text


def test_the_text_shape_check_sees_every_form_of_a_big_number() -> None:
    from rlvr_rewards.util.jsonsafe import _might_be_big

    bigs = ["9223372036854775808", "-9223372036854775809", "18446744073709551616", "1E+300", "1e400", "1e+100"]
    bigs += ["12345678901234567890.5", "0.0016666666666666668"]  # (19 digits in a row: looked at, found exact)
    for big in bigs:
        assert _might_be_big(f'{{"x": {big}}}') and _might_be_big(f"[{big}]".encode()), big
    for small in ("922337203685477580", "1e99", "1e19", "1.5", "-1e-5", "1e-300"):
        assert not _might_be_big(f"[{small}]"), small
