"""``ParsedCall`` / ``ParseResult`` write their ``__init__`` out (rlvr_rewards/parsing/types.py): it must be the
one ``@dataclass`` would generate, field for field, and the classes must stay frozen dataclasses."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle
from typing import Any

import pytest

from rlvr_rewards.parsing.types import ParsedCall, ParseResult

CLASSES = (ParsedCall, ParseResult)
SAMPLE: dict[type, dict[str, Any]] = {
    ParsedCall: {"name": "get_weather", "arguments": {"city": "Paris"}, "untyped": frozenset({"city"})},
    ParseResult: {
        "calls": (ParsedCall("f", None),),
        "text": "free",
        "think": "why",
        "format": "hermes",
        "violations": ("text_with_call",),
        "attempted_call": True,
        "untyped": True,
    },
}


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_init_signature_is_the_fields(cls: type) -> None:
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    fields = dataclasses.fields(cls)
    assert [p.name for p in params] == [f.name for f in fields]
    for param, field in zip(params, fields, strict=True):
        if field.default is dataclasses.MISSING:
            assert param.default is inspect.Parameter.empty, field.name
        else:
            assert param.default == field.default and type(param.default) is type(field.default), field.name


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_every_field_is_stored(cls: type) -> None:
    values = SAMPLE[cls]
    assert set(values) == {f.name for f in dataclasses.fields(cls)}
    by_keyword = cls(**values)
    by_position = cls(*values.values())
    for name, value in values.items():
        assert getattr(by_keyword, name) is value
        assert getattr(by_position, name) is value
    assert by_keyword == by_position


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_still_a_frozen_dataclass(cls: type) -> None:
    obj = cls(**SAMPLE[cls])
    first = dataclasses.fields(cls)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(obj, first, None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        delattr(obj, first)
    assert pickle.loads(pickle.dumps(obj)) == obj
    assert copy.deepcopy(obj) == obj
    changed = dataclasses.replace(obj, **{first: SAMPLE[cls][first]})
    assert changed == obj and changed is not obj
    assert repr(obj).startswith(f"{cls.__name__}(")
    assert not hasattr(obj, "__dict__")


def test_hash_is_the_fields() -> None:
    assert hash(ParsedCall("f", None)) == hash(ParsedCall("f", None))
    assert hash(ParseResult((), "a")) == hash(ParseResult(calls=(), text="a"))


def test_defaults_and_missing_arguments() -> None:
    assert ParsedCall("f", None).untyped == frozenset()
    result = ParseResult(calls=(), text="")
    assert (result.think, result.format, result.violations, result.attempted_call, result.untyped) == (
        "",
        "none",
        (),
        False,
        False,
    )
    with pytest.raises(TypeError):
        ParsedCall("f")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        ParseResult(calls=(), text="", colour="red")  # type: ignore[call-arg]
