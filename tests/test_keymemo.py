"""The cross-call key memo (rlvr_rewards.util.keymemo): per-row copies of the same tools and truths skip the
exact-JSON walk, and the memo never changes what is accepted, refused or scored."""

from __future__ import annotations

import copy
import dataclasses
import datetime
import enum
import json
import math
import uuid
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rlvr_rewards as rr
from rlvr_rewards.errors import GroundTruthError, ToolSpecError
from rlvr_rewards.groundtruth import toolspecs as tools_module
from rlvr_rewards.groundtruth import truths as truth_module
from rlvr_rewards.util.jsonsafe import canonical_dumps, not_json_data
from rlvr_rewards.util.keymemo import KeyMemo

from .helpers import TOOLS, call, compile_truth, hermes


class Str(str):
    pass


class Dict(dict):  # type: ignore[type-arg]
    pass


def _count_walks(monkeypatch: pytest.MonkeyPatch, module: Any) -> list[int]:
    calls = [0]
    real = module.not_json_data

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(module, "not_json_data", counted)
    return calls


def test_a_copy_of_the_tools_skips_the_walk_and_gets_the_same_toolset(monkeypatch: pytest.MonkeyPatch) -> None:
    specs = [*copy.deepcopy(TOOLS), {"name": "unique_to_this_test_a", "parameters": {"type": "object"}}]
    first = tools_module.compile_tools(specs)
    walks = _count_walks(monkeypatch, tools_module)
    again = tools_module.compile_tools(copy.deepcopy(specs))
    assert again is first and walks == [0]
    # a different list is walked (and keyed) as before
    other = tools_module.compile_tools([*specs, {"name": "unique_to_this_test_b", "parameters": {"type": "object"}}])
    assert other is not first and walks == [1]


def test_a_copy_of_a_truth_skips_the_walk_and_gets_the_same_compiled_truth(monkeypatch: pytest.MonkeyPatch) -> None:
    truth = {"behavior": "execute", "calls": [call("get_weather", city="Memo-city")]}
    first = compile_truth(truth)
    walks = _count_walks(monkeypatch, truth_module)
    assert compile_truth(copy.deepcopy(truth)) is first and walks == [0]


def test_nan_after_an_accepted_null_is_still_refused() -> None:
    """NaN / Infinity where an accepted truth or spec has null: refused (orjson writes both as null)."""
    with_null = {"behavior": "execute", "calls": [{"name": "f", "arguments": {"x": None}}]}
    rr.score("x", with_null)
    with_nan = {"behavior": "execute", "calls": [{"name": "f", "arguments": {"x": math.nan}}]}
    with pytest.raises(GroundTruthError, match="not JSON data"):
        rr.score("x", with_nan)
    spec = {"name": "f", "parameters": {"type": "object", "properties": {"x": {"type": "number", "default": None}}}}
    tools_module.compile_tools([spec])
    nan_spec = copy.deepcopy(spec)
    nan_spec["parameters"]["properties"]["x"]["default"] = math.inf
    with pytest.raises(ToolSpecError, match="not JSON data"):
        tools_module.compile_tools([nan_spec])


class Colour(enum.Enum):
    RED = "x"


class Level(enum.IntEnum):
    ONE = 1


@dataclasses.dataclass
class Point:
    a: list[int]


def _memo_with(value: Any) -> KeyMemo:
    memo = KeyMemo()
    _, text = memo.lookup("d:", value)
    assert text is not None
    memo.put("d:", text, "key")
    return memo


def test_look_alikes_the_walk_refuses_or_keys_apart_miss() -> None:
    """orjson writes each look-alike as the same text as ``base`` (or as text with another number):
    equality or the text tells them apart, so the walk decides for each."""
    base = {
        "a": [1, 2],
        "b": None,
        "c": "x",
        "d": 1,
        "e": 1.0,
        "f": True,
        "g": 0.0,
        "h": "2024-01-01",
        "i": "00000000-0000-0000-0000-000000000005",
        "j": {"a": [1]},
    }
    memo = _memo_with(base)
    assert memo.lookup("d:", copy.deepcopy(base))[0] == "key"
    assert memo.lookup("d:", json.loads(json.dumps(base)))[0] == "key"
    look_alikes = [
        {**base, "a": (1, 2)},
        {**base, "b": math.nan},
        {**base, "b": math.inf},
        {**base, "d": True},
        {**base, "e": 1},
        {**base, "f": 1},
        {**base, "g": -0.0},
        {**base, "a": [1, 2.0]},
        {**base, "h": datetime.date(2024, 1, 1)},
        {**base, "i": uuid.UUID(int=5)},
        {**base, "c": Colour.RED},
        {**base, "j": Point([1])},
    ]
    for value in look_alikes:
        assert memo.lookup("d:", value)[0] is None, value


def test_subclasses_hit_as_the_walk_accepts_them() -> None:
    """A str / int / dict subclass (an IntEnum member too) means its base value to the walk: same key."""
    base = {"c": "x", "d": 1, "k": {"a": 1}}
    memo = _memo_with(base)
    for value in ({**base, "c": Str("x")}, {**base, "d": Level.ONE}, {**base, "k": Dict(a=1)}):
        assert memo.lookup("d:", value)[0] == "key" and not_json_data(value, 64) is None
        assert canonical_dumps(value) == canonical_dumps(base)


def test_what_orjson_cannot_write_is_not_memoised() -> None:
    assert KeyMemo.text({"a": lambda: 1}) is None
    assert KeyMemo.text({1: "a"}) is None  # a key that is not a string
    assert KeyMemo.text([2**70]) is None
    deep: list[Any] = []
    for _ in range(1_000):
        deep = [deep]
    assert KeyMemo.text(deep) is None
    assert KeyMemo.text(("a",)) is None and KeyMemo.text(Dict(a=1)) is None  # only an exact dict or list


def test_the_private_copy_is_not_the_callers_value() -> None:
    value = {"a": [1, 2]}
    memo = _memo_with(value)
    value["a"].append(3)  # the caller changes the value it was given: the memo is unaffected
    assert memo.lookup("d:", {"a": [1, 2]})[0] == "key" and memo.lookup("d:", value)[0] is None


def test_bounded_by_entries_and_size_least_recently_used_first() -> None:
    memo = KeyMemo(max_entries=3, max_chars=1_000)
    for i in range(3):
        memo.put("d:", f"[{i}]".encode(), f"key{i}")
    assert memo.lookup("d:", [0])[0] == "key0"  # now the most recently used
    memo.put("d:", b"[3]", "key3")
    assert len(memo) == 3 and memo.lookup("d:", [1])[0] is None and memo.lookup("d:", [0])[0] == "key0"
    big = "x" * 985
    memo.put("d:", orjson.dumps([big]), "k")  # too big for what is left: the oldest go until it fits
    assert memo.chars <= 1_000 and memo.lookup("d:", [big])[0] == "k"
    huge = "y" * 2_000
    memo.put("d:", orjson.dumps([huge]), "k")  # bigger than the whole memo: not kept
    assert memo.lookup("d:", [huge])[0] is None and memo.chars <= 1_000
    assert memo.lookup("l:", [big])[0] is None  # namespaces apart


_json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.text(max_size=5),
    st.floats(allow_nan=True, allow_infinity=True),
    st.tuples(st.integers(0, 3)),
    st.sampled_from([Colour.RED, Level.ONE, uuid.UUID(int=7), datetime.date(2024, 1, 1)]),
)
_json_like = st.recursive(
    st.one_of(_json_scalars, st.builds(Str, st.text(max_size=3))),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.text(max_size=3), inner, max_size=3),
        st.builds(Dict, st.dictionaries(st.text(max_size=3), inner, max_size=2)),
    ),
    max_leaves=12,
)


def _exact(value: Any) -> Any:
    """``value`` with every look-alike replaced by the JSON value orjson writes for it."""
    return orjson.loads(orjson.dumps(value, default=str))


@settings(max_examples=400, deadline=None)
@given(st.lists(_json_like, max_size=2))
def test_a_memo_hit_decides_as_the_walk_does(value: list[Any]) -> None:
    """Store the key of an accepted value; every value the memo then answers for (copies, look-alikes with
    the same JSON text) is accepted by the walk too, with the same canonical key."""
    memo = KeyMemo()
    try:
        base = _exact(value)
    except orjson.JSONEncodeError:
        return
    _, text = memo.lookup("l:", base)
    if text is None or not_json_data(base, 64) is not None:
        return
    key = canonical_dumps(base)
    memo.put("l:", text, key)
    for other in (value, copy.deepcopy(value), base):
        if memo.lookup("l:", other)[0] is not None:
            assert not_json_data(other, 64) is None and canonical_dumps(other) == key


def test_per_item_scores_equal_the_batch_with_copies_of_every_row() -> None:
    """The memo only skips work: scoring deep copies one at a time equals one batch call."""
    truth = {"behavior": "execute", "calls": [call("get_weather", city="Paris")]}
    completions = [hermes(call("get_weather", city="Paris")), hermes(call("get_weather", city="Lyon")), "Which city?"]
    batch = rr.score_batch(completions, [truth] * 3, tools=[TOOLS] * 3)
    one_by_one = [rr.score(c, copy.deepcopy(truth), tools=copy.deepcopy(TOOLS)) for c in completions]
    assert [s.reward for s in one_by_one] == batch.rewards.tolist()
    assert [s.reason for s in one_by_one] == batch.reasons


# --------------------------------------------------------------------------------------------------------------------
# tools given as JSON text (a Parquet / JSONL column): the text itself is the key
# --------------------------------------------------------------------------------------------------------------------


def _fresh(text: str) -> str:
    """An equal string that is another object (as reading each row gives)."""
    return "".join([text[:1], text[1:]])


def test_a_copy_of_a_tools_text_is_answered_by_its_text(monkeypatch: pytest.MonkeyPatch) -> None:
    specs = [*copy.deepcopy(TOOLS), {"name": "unique_to_the_text_test", "parameters": {"type": "object"}}]
    text = json.dumps(specs)
    first = tools_module.compile_tools(text)
    assert first is not None and "unique_to_the_text_test" in first.tools

    def no_decode(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("decoded again")

    with monkeypatch.context() as m:
        m.setattr(tools_module, "_compile_tools", no_decode)
        copy_of_text = _fresh(text)
        assert copy_of_text is not text
        assert tools_module.compile_tools(copy_of_text) is first
    # bytes are their own key (a str never equals bytes), compiled once, then answered the same way
    as_bytes = text.encode()
    from_bytes = tools_module.compile_tools(as_bytes)
    with monkeypatch.context() as m:
        m.setattr(tools_module, "_compile_tools", no_decode)
        assert tools_module.compile_tools(bytes(bytearray(as_bytes))) is from_bytes
    assert from_bytes is not None and sorted(from_bytes.tools) == sorted(first.tools)


def test_a_refused_tools_text_is_refused_every_time() -> None:
    bad = json.dumps([{"name": "x", "parameters": {"type": "object", "properties": {"a": {"type": "nope"}}}}])
    for _ in range(3):
        with pytest.raises(ToolSpecError):
            tools_module.compile_tools(_fresh(bad))
    assert tools_module._text_toolsets.peek(bad) is None


def test_a_str_subclass_text_is_not_memoised() -> None:
    text = Str(json.dumps([{"name": "subclass_text_tool", "parameters": {"type": "object"}}]))
    ts = tools_module.compile_tools(text)
    assert ts is not None and "subclass_text_tool" in ts.tools
    assert tools_module._text_toolsets.peek(str(text)) is None
