"""BFCL's checker rules that real model outputs meet (issue 18), each from its minimal case.

Each case is a decoded output (what BFCL's decoder reads from the text), a possible answer and a function doc.
The expected verdict is BFCL's; where bfcl-eval is installed (CI installs it with ``--no-deps``) its own
``ast_checker`` confirms it on the same calls, so a case cannot drift from the checker it describes.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

import rlvr_rewards as rr

try:
    from . import bfcl_agreement as ba
except ImportError:  # pragma: no cover
    import bfcl_agreement as ba  # type: ignore[no-redef]


def _fn(**properties: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "name": "f",
            "description": "",
            "parameters": {"type": "dict", "properties": properties, "required": [next(iter(properties))]},
        }
    ]


#: (id, decoded call arguments, possible answer of f, function doc, BFCL's verdict)
CASES: list[tuple[str, dict[str, Any], dict[str, list[Any]], list[dict[str, Any]], bool]] = [
    (
        "int items in a float array",
        {"xs": [1, 2.5]},
        {"xs": [[1.0, 2.5]]},
        _fn(xs={"type": "array", "items": {"type": "float"}}),
        False,  # type_error:nested: items are not promoted
    ),
    (
        "float items in a float array",
        {"xs": [1.0, 2.5]},
        {"xs": [[1.0, 2.5]]},
        _fn(xs={"type": "array", "items": {"type": "float"}}),
        True,
    ),
    (
        "int items where the answer itself lists ints",
        {"xs": [1, 2]},
        {"xs": [[1, 2]]},
        _fn(xs={"type": "array", "items": {"type": "float"}}),
        True,  # the answer's own item type
    ),
    (
        "an int for a top-level float",
        {"x": 2},
        {"x": [2.0]},
        _fn(x={"type": "float"}),
        True,  # promoted at the top level
    ),
    (
        "explicit empty string for an optional string",
        {"a": 1, "b": ""},
        {"a": [1], "b": ["", "all"]},
        _fn(a={"type": "integer"}, b={"type": "string"}),
        True,
    ),
    (
        "explicit empty string for an optional integer",
        {"a": 1, "n": ""},
        {"a": [1], "n": ["", 5]},
        _fn(a={"type": "integer"}, n={"type": "integer"}),
        False,  # a type error
    ),
    (
        "the variable rule: a float the answer lists, for an integer",
        {"a": 2.0},
        {"a": [2.0]},
        _fn(a={"type": "integer"}),
        True,
    ),
    (
        "a float the answer does not list, for an integer",
        {"a": 2.0},
        {"a": [2]},
        _fn(a={"type": "integer"}),
        False,
    ),
    (
        "a variable compares exactly, without standardisation",
        {"a": "My_Data"},
        {"a": ["my_data"]},
        _fn(a={"type": "integer"}),
        False,
    ),
    (
        "a variable written as the answer spells it",
        {"a": "my_data"},
        {"a": ["my_data"]},
        _fn(a={"type": "integer"}),
        True,
    ),
    (
        "an empty list where the only option is the empty string",
        {"a": 1, "xs": []},
        {"a": [1], "xs": [""]},
        _fn(a={"type": "integer"}, xs={"type": "array", "items": {"type": "string"}}),
        True,
    ),
    (
        "a non-empty list where the only option is the empty string",
        {"a": 1, "xs": ["x"]},
        {"a": [1], "xs": [""]},
        _fn(a={"type": "integer"}, xs={"type": "array", "items": {"type": "string"}}),
        False,
    ),
    (
        "an empty list of dicts where the only option is the empty string",
        {"a": 1, "xs": []},
        {"a": [1], "xs": [""]},
        _fn(a={"type": "integer"}, xs={"type": "array", "items": {"type": "dict"}}),
        True,
    ),
    (
        "a boolean is no integer",
        {"a": True},
        {"a": [1]},
        _fn(a={"type": "integer"}),
        False,
    ),
    (
        "an untyped (any) parameter is a string to BFCL",
        {"a": "New York"},
        {"a": ["new york"]},
        _fn(a={"type": "any"}),
        True,
    ),
]


def _pythonic(arguments: dict[str, Any]) -> str:
    return "[f(" + ", ".join(f"{k}={v!r}" for k, v in arguments.items()) + ")]"


def _hermes(arguments: dict[str, Any]) -> str:
    return "<tool_call>" + json.dumps({"name": "f", "arguments": arguments}) + "</tool_call>"


@pytest.mark.parametrize(("case", "arguments", "answer", "functions", "verdict"), CASES, ids=[c[0] for c in CASES])
def test_the_bfcl_preset_follows_the_rule(
    case: str, arguments: dict[str, Any], answer: dict[str, list[Any]], functions: list[dict[str, Any]], verdict: bool
) -> None:
    truth = {"id": "simple_python_0", "ground_truth": [{"f": answer}]}
    for text in (_pythonic(arguments), _hermes(arguments)):
        assert (rr.score(text, truth, tools=functions, preset="bfcl").reward == 1.0) is verdict, text
    # the same with the doc inside the row (BFCL's question row shape)
    row = {**truth, "function": functions}
    assert (rr.score(_hermes(arguments), row, preset="bfcl").reward == 1.0) is verdict


@pytest.mark.parametrize(("case", "arguments", "answer", "functions", "verdict"), CASES, ids=[c[0] for c in CASES])
def test_the_official_checker_agrees(
    case: str, arguments: dict[str, Any], answer: dict[str, list[Any]], functions: list[dict[str, Any]], verdict: bool
) -> None:
    try:
        ast_checker, language = ba.load_checker()
    except ImportError:
        if os.environ.get("CI"):
            raise
        pytest.skip("bfcl-eval is not installed (the test command installs it with --no-deps)")
    got = ast_checker(functions, [{"f": arguments}], [{"f": answer}], language.PYTHON, "simple_python", "stub")
    assert bool(got["valid"]) is verdict, got


@pytest.mark.parametrize(
    "text",
    [
        "[f(a=x + 1)]",  # a value BFCL's decoder cannot read (a name in arithmetic): the whole output fails
        "[f(a=1), f(a=x + 1)]",  # (one bad call: still the whole output)
        "f(a=1, b=)",
        '<tool_call>{"name": "f", "arguments": {"a": 1</tool_call>',  # (the only block: no call either way)
    ],
)
def test_an_undecodable_call_on_an_irrelevance_row_passes(text: str) -> None:
    """BFCL's prompting decoder reads a pythonic output as a whole: one call it cannot read and it reads none, so
    the irrelevance entry passes."""
    row = {"id": "irrelevance_0", "ground_truth": []}
    assert rr.score(text, row, tools=_fn(a={"type": "integer"}), preset="bfcl").reward == 1.0
    assert rr.score("[f(a=1)]", row, tools=_fn(a={"type": "integer"}), preset="bfcl").reward == 0.0


@pytest.mark.parametrize(
    ("text", "arguments"),
    [
        ("[f(data=my_data)]", {"data": "my_data"}),
        ("f(data=my_data, n=2)", {"data": "my_data", "n": 2}),
        ("[f(data=[a, b])]", {"data": ["a", "b"]}),
        ("[f(data={key: value})]", {"data": {"key": "value"}}),
        ('[f(x=data["sales"])]', {"x": "data['sales']"}),  # (spelled as ast.unparse spells it, as BFCL)
        ("[f(x=rows[0]['id'])]", {"x": "rows[0]['id']"}),
    ],
)
def test_a_bare_name_is_the_string_it_spells(text: str, arguments: dict[str, Any]) -> None:
    """BFCL's decoder reads a bare name where a value goes as its name: the call is read, with the violation
    ``pythonic_bare_name`` (a format penalty elsewhere; the bfcl preset, like BFCL, does not mind it)."""
    parsed = rr.parse(text)
    assert [(c.name, c.arguments) for c in parsed.calls] == [("f", arguments)]
    assert "pythonic_bare_name" in parsed.violations and "pythonic_not_call" not in parsed.violations


@pytest.mark.parametrize("text", ["[f(data=my_data.x)]", "[f(data=-x)]", "[f(data=x[k])]", "[f(data=x + 1)]"])
def test_a_name_inside_an_expression_is_no_value(text: str) -> None:
    parsed = rr.parse(text)
    assert "pythonic_not_call" in parsed.violations and all(c.arguments is None for c in parsed.calls)


def test_bare_names_under_each_preset() -> None:
    """The bfcl preset accepts a variable written as a bare name (BFCL's answer lists its name); the others read
    the call but charge the format (graded), or cannot decode it (aws-blog, whose reference decodes JSON)."""
    functions = _fn(data={"type": "dict"})
    row = {"id": "simple_python_0", "ground_truth": [{"f": {"data": ["my_data"]}}]}
    text = "[f(data=my_data)]"
    assert rr.score(text, row, tools=functions, preset="bfcl").reward == 1.0
    graded = rr.score(text, row, tools=functions, preset="graded")
    assert graded.components["format"] < 1.0 and "pythonic_bare_name" in graded.violations
    assert rr.score(text, row, tools=functions, preset="aws-blog").reward == 0.0
    try:
        ast_checker, language = ba.load_checker()
    except ImportError:
        return
    got = ast_checker(
        functions,
        [{"f": {"data": "my_data"}}],
        [{"f": {"data": ["my_data"]}}],
        language.PYTHON,
        "simple_python",
        "stub",
    )
    assert got["valid"]


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        ('[f(a="name")]', [("f", {"a": "name"})]),  # (a pythonic list mentioning "name" is not broken JSON)
        ('[f(a="name", b={"name": 1})]', [("f", {"a": "name", "b": {"name": 1}})]),
        ("f(a=1), f(a=2)", [("f", {"a": 1}), ("f", {"a": 2})]),  # an unbracketed call list, which BFCL brackets
    ],
)
def test_pythonic_texts_bfcl_reads(text: str, calls: list[tuple[str, dict[str, Any]]]) -> None:
    parsed = rr.parse(text)
    assert parsed.format == "pythonic"
    assert [(c.name, c.arguments) for c in parsed.calls] == calls
