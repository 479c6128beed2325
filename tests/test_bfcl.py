"""The BFCL dialect, the ``bfcl`` preset, ``convert --from bfcl`` and ``validate``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import rlvr_rewards as rr
from rlvr_rewards.cli import main
from rlvr_rewards.errors import GroundTruthError
from rlvr_rewards.groundtruth.bfcl import IRRELEVANT_TRUTH, NEVER, bfcl_to_native, is_bfcl_answer
from rlvr_rewards.groundtruth.matchers import normalize_text
from rlvr_rewards.groundtruth.validate import validate_rows

from .helpers import compile_truth, hermes_call, resolve_item

DATA = Path(__file__).parent / "data"

TRI = [
    {
        "name": "calculate_triangle_area",
        "description": "Area of a triangle.",
        "parameters": {
            "type": "dict",
            "properties": {
                "base": {"type": "integer", "description": "Base length."},
                "height": {"type": "float", "description": "Height."},
                "unit": {"type": "string", "description": "Unit of length."},
                "exact": {"type": "boolean", "description": "Exact arithmetic."},
            },
            "required": ["base", "height"],
        },
    }
]
ROW = {
    "id": "simple_python_0",
    "ground_truth": [
        {"calculate_triangle_area": {"base": [10], "height": [5], "unit": ["units", "cm", ""], "exact": [True, ""]}}
    ],
}


def bfcl(completion: str, truth: Any = ROW, tools: Any = TRI) -> float:
    return rr.score(completion, truth, tools=tools, preset="bfcl").reward


# --------------------------------------------------------------------------------------------------
# detection and conversion
# --------------------------------------------------------------------------------------------------


def test_detection() -> None:
    assert is_bfcl_answer(ROW)
    assert is_bfcl_answer(ROW["ground_truth"])
    assert is_bfcl_answer({"id": "irrelevance_0", "ground_truth": []})
    assert is_bfcl_answer([{"get_time": {}}])
    assert not is_bfcl_answer([])  # the blog dialect's "[]" (also no call)
    assert not is_bfcl_answer([{"name": "get_weather", "arguments": {"city": "Paris"}}])  # blog call list
    assert not is_bfcl_answer([{"get_weather": {"city": "Paris"}}])  # values must be lists of options
    assert not is_bfcl_answer({"behavior": "execute", "calls": []})
    assert not is_bfcl_answer("text")


def test_conversion_rules() -> None:
    native = bfcl_to_native(ROW, TRI)
    assert native == {
        "behavior": "execute",
        "calls": [
            {
                "name": "calculate_triangle_area",
                "arguments": {
                    "base": 10,  # one option: a plain value
                    "height": 5,  # int for a float parameter: numbers compare by value, so 5.0 is accepted
                    "unit": {
                        "$optional": {
                            "$any": [{"$text": "units", "normalize": ["bfcl"]}, {"$text": "cm", "normalize": ["bfcl"]}]
                        }
                    },
                    "exact": {"$optional": True},
                },
            }
        ],
    }


def test_conversion_nested_lists_and_types() -> None:
    fns = [
        {
            "name": "f",
            "parameters": {
                "type": "dict",
                "properties": {
                    "opts": {"type": "dict"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "anything": {"type": "any"},
                    "only_empty": {"type": "string"},
                    "nothing": {"type": "string"},
                    "absent": {"type": "dict"},
                },
            },
        }
    ]
    native = bfcl_to_native(
        [
            {
                "f": {
                    "opts": [{"k": ["a", ""], "n": [1, 2]}, ""],
                    "tags": [["x y", 3]],
                    "anything": ["Raw"],
                    "only_empty": [""],
                    "nothing": [],
                    "absent": [""],
                }
            }
        ],
        fns,
    )
    assert not isinstance(native, str)
    args = native["calls"][0]["arguments"]
    assert args["opts"] == {
        "$optional": {"k": {"$optional": {"$text": "a", "normalize": ["bfcl"]}}, "n": {"$any": [1, 2]}}
    }
    assert args["tags"] == [{"$text": "x y", "normalize": ["bfcl"]}, 3]
    # BFCL standardises string and `any` parameters (its checker reads `any` as str); other types exactly
    assert args["anything"] == {"$text": "Raw", "normalize": ["bfcl"]}
    assert args["only_empty"] == {"$optional": {"$text": "", "normalize": ["bfcl"]}}
    assert args["nothing"] == NEVER
    assert args["absent"] == {"$optional": NEVER}  # [""] for a non-string parameter: only absence passes
    truth = compile_truth(native)
    m = truth.calls[0].matchers
    assert m["opts"].match({"n": 2}) and m["opts"].match({"k": "A", "n": 1}) and m["opts"].optional
    assert not m["opts"].match({"n": 3}) and not m["opts"].match({"k": "a"}) and not m["opts"].match({"n": 1, "z": 0})
    assert m["tags"].match(["X-Y", 3]) and not m["tags"].match([3, "xy"])
    assert m["anything"].match("Raw") and m["anything"].match("raw") and not m["anything"].match("Rawer")
    assert not m["nothing"].match("") and not m["nothing"].optional


def test_dollar_keys_in_literal_answers_stay_literal() -> None:
    native = bfcl_to_native([{"f": {"q": [{"$gt": 1}]}}])
    assert not isinstance(native, str)
    assert native["calls"][0]["arguments"]["q"] == {"$literal": {"$gt": 1}}


def test_bfcl_standardisation() -> None:
    assert normalize_text("April 1, 2024", ("bfcl",)) == normalize_text("april 1 2024", ("bfcl",)) == "april12024"
    assert normalize_text("It's A_B-C*D^E/F.", ("bfcl",)) == 'it"sabcdef'
    assert normalize_text("tab\there", ("bfcl",)) == "tab\there"  # only spaces are removed, as BFCL does
    assert (
        rr.score(
            hermes_call("f", s="NEW-york"),
            {
                "behavior": "execute",
                "calls": [{"name": "f", "arguments": {"s": {"$text": "New York", "normalize": ["bfcl"]}}}],
            },
        ).reward
        == 1.0
    )
    with pytest.raises(GroundTruthError, match="normalisation step"):
        compile_truth(
            {"behavior": "execute", "calls": [{"name": "f", "arguments": {"s": {"$text": "x", "normalize": ["bfc"]}}}]}
        )


def test_irrelevance_converts_to_a_no_call_truth() -> None:
    assert bfcl_to_native({"id": "irrelevance_3", "ground_truth": []}) == IRRELEVANT_TRUTH
    assert bfcl_to_native({"id": "irrelevance_3", "question": [], "function": TRI}) == IRRELEVANT_TRUTH
    t = compile_truth({"id": "irrelevance_3", "ground_truth": []})
    assert t.behavior == "no_call" and t.dialect == "bfcl"
    assert compile_truth(IRRELEVANT_TRUTH).behavior == "no_call"


def test_malformed_answers_name_the_field() -> None:
    with pytest.raises(GroundTruthError, match="not a BFCL possible answer") as info:
        bfcl_to_native({"ground_truth": [{"f": {"x": 1}}]})
    assert info.value.field == "ground_truth"


def test_compile_truth_and_resolve_item_accept_the_dialect() -> None:
    for value in (ROW, ROW["ground_truth"], json.dumps(ROW["ground_truth"])):
        t = compile_truth(value)
        assert t.behavior == "execute" and t.dialect == "bfcl" and t.names == ("calculate_triangle_area",)
    truth, tools = resolve_item({**ROW, "function": TRI})
    assert truth.dialect == "bfcl" and tools == TRI
    truth, tools = resolve_item(ROW)
    assert tools is None
    # the blog dialect is unchanged
    assert compile_truth([{"name": "f", "arguments": {}}]).dialect == "blog"


# --------------------------------------------------------------------------------------------------
# the bfcl preset: one accepted and one rejected case per rule
# --------------------------------------------------------------------------------------------------

GOOD = hermes_call("calculate_triangle_area", base=10, height=5)


@pytest.mark.parametrize(
    ("completion", "expected", "rule"),
    [
        (GOOD, 1.0, "optional parameters may be omitted"),
        (hermes_call("calculate_triangle_area", base=10, height=5, unit="Units"), 1.0, "strings are standardised"),
        (
            hermes_call("calculate_triangle_area", base=10, height=5, unit=" C-M."),
            1.0,
            "punctuation and spaces dropped",
        ),
        (
            hermes_call("calculate_triangle_area", base=10, height=5, unit="inches"),
            0.0,
            "a string not among the options",
        ),
        (
            hermes_call("calculate_triangle_area", base=10, height=5.0),
            1.0,
            "a float of equal value for a float parameter",
        ),
        (hermes_call("calculate_triangle_area", base=10.0, height=5), 0.0, "a float for an integer parameter"),
        (hermes_call("calculate_triangle_area", base=10, height=5, exact=True), 1.0, "a boolean option"),
        (hermes_call("calculate_triangle_area", base=10, height=5, exact=1), 0.0, "1 is not true"),
        (hermes_call("calculate_triangle_area", base="10", height=5), 0.0, "a string is not an integer"),
        (hermes_call("calculate_triangle_area", base=11, height=5), 0.0, "wrong value"),
        (hermes_call("calculate_triangle_area", base=10), 0.0, "missing required parameter"),
        (hermes_call("calculate_triangle_area", base=10, height=5, color="red"), 0.0, "unexpected parameter"),
        (hermes_call("triangle_area", base=10, height=5), 0.0, "function name must match exactly"),
        (GOOD + "\n" + GOOD, 0.0, "the number of calls must be equal"),
        ("I'd compute this for you.\n" + GOOD, 1.0, "text next to a call is not seen by BFCL"),
        (GOOD[: -len("</tool_call>")], 1.0, "an unclosed tag still decodes"),
        (
            '<tool_call>\n{"name": "calculate_triangle_area", "arguments": {"base": 10,</tool_call>',
            0.0,
            "unparseable output",
        ),
        ("The area is 25 units.", 0.0, "no call"),
        ("", 0.0, "empty output"),
    ],
)
def test_bfcl_rules(completion: str, expected: float, rule: str) -> None:
    assert bfcl(completion) == expected, rule


def test_truth_parameter_without_empty_option_is_required() -> None:
    row = {"ground_truth": [{"calculate_triangle_area": {"base": [10], "height": [5], "unit": ["cm"]}}]}
    assert bfcl(GOOD, row) == 0.0
    assert bfcl(hermes_call("calculate_triangle_area", base=10, height=5, unit="CM"), row) == 1.0


def test_unexpected_parameter_unknown_to_the_answer_fails_even_if_the_doc_has_it() -> None:
    row = {"ground_truth": [{"calculate_triangle_area": {"base": [10], "height": [5]}}]}
    assert bfcl(hermes_call("calculate_triangle_area", base=10, height=5, unit="cm"), row) == 0.0


def test_without_tools_the_truth_alone_decides() -> None:
    assert bfcl(GOOD, tools=None) == 1.0
    assert bfcl(hermes_call("calculate_triangle_area", base=10, height=5, color="red"), tools=None) == 0.0


def test_row_with_function_list_supplies_the_tools() -> None:
    row = {**ROW, "function": TRI}
    assert rr.score(hermes_call("calculate_triangle_area", base=10.0, height=5), row, preset="bfcl").reward == 0.0
    assert rr.score(GOOD, row, preset="bfcl").reward == 1.0


BOOK = [
    {
        "name": "book_table",
        "parameters": {
            "type": "dict",
            "properties": {
                "restaurant": {"type": "string"},
                "guests": {"type": "integer"},
                "options": {"type": "dict", "properties": {"terrace": {"type": "boolean"}, "note": {"type": "string"}}},
            },
            "required": ["restaurant", "guests"],
        },
    }
]
PARALLEL = {
    "id": "parallel_1",
    "ground_truth": [
        {"book_table": {"restaurant": ["Luigi's"], "guests": [2], "options": [""]}},
        {
            "book_table": {
                "restaurant": ["Chez Anna"],
                "guests": [4],
                "options": [{"terrace": [True], "note": ["", "window seat"]}, ""],
            }
        },
    ],
}


def test_parallel_calls_in_any_order() -> None:
    a = hermes_call("book_table", restaurant="luigi's", guests=2)
    b = hermes_call("book_table", restaurant="Chez Anna", guests=4, options={"terrace": True})
    assert bfcl(a + "\n" + b, PARALLEL, BOOK) == 1.0
    assert bfcl(b + "\n" + a, PARALLEL, BOOK) == 1.0
    assert bfcl(a, PARALLEL, BOOK) == 0.0  # one call missing
    assert bfcl(a + "\n" + a, PARALLEL, BOOK) == 0.0  # the same call twice does not cover both
    ordered = compile_truth(
        {
            "behavior": "execute",
            "ordered": True,
            "calls": [
                {"name": "book_table", "arguments": {"restaurant": "Luigi's", "guests": 2}},
                {"name": "book_table", "arguments": {"restaurant": "Chez Anna", "guests": 4}},
            ],
        }
    )
    a = hermes_call("book_table", restaurant="Luigi's", guests=2)
    c = hermes_call("book_table", restaurant="Chez Anna", guests=4)
    assert rr.score(a + "\n" + c, ordered, tools=BOOK, preset="bfcl").reward == 1.0
    assert rr.score(c + "\n" + a, ordered, tools=BOOK, preset="bfcl").reward == 0.0


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"terrace": True}, 1.0),
        ({"terrace": True, "note": "Window-Seat"}, 1.0),
        ({"terrace": False}, 0.0),
        ({"note": "window seat"}, 0.0),  # terrace has no "" option: the key is required
        ({"terrace": True, "wifi": True}, 0.0),  # unexpected key
    ],
)
def test_nested_dict_parameter(options: dict[str, Any], expected: float) -> None:
    a = hermes_call("book_table", restaurant="Luigi's", guests=2)
    b = hermes_call("book_table", restaurant="Chez Anna", guests=4, options=options)
    assert bfcl(a + "\n" + b, PARALLEL, BOOK) == expected


IRRELEVANT = {"id": "irrelevance_7", "ground_truth": []}


@pytest.mark.parametrize(
    ("completion", "expected"),
    [
        ("Michelangelo painted it.", 1.0),  # a direct answer: fine for BFCL (graded gives 0.3)
        ("Which wall do you mean?", 1.0),
        ("Sorry, I can't help with that.", 1.0),
        ("", 1.0),  # BFCL: no decodable call is a pass
        (hermes_call("calculate_triangle_area", base=10, height=5), 0.0),
    ],
)
def test_irrelevance_rows(completion: str, expected: float) -> None:
    assert bfcl(completion, IRRELEVANT) == expected
    assert rr.score(completion, IRRELEVANT, tools=TRI, preset="bfcl").expected == "no_call"


def test_irrelevance_under_other_presets() -> None:
    assert rr.score("Michelangelo painted it.", IRRELEVANT, tools=TRI).reward == pytest.approx(0.3)
    assert rr.score("Sorry, I can't help with that.", IRRELEVANT, tools=TRI).reward == 1.0


def test_native_clarify_and_refuse_truths_pass_any_no_call() -> None:
    for truth in ({"behavior": "clarify", "missing": ["base"]}, {"behavior": "refuse"}):
        assert bfcl("Sorry, no.", truth) == 1.0
        assert bfcl(GOOD, truth) == 0.0


def test_bfcl_vs_binary_on_text_next_to_a_call() -> None:
    text = "Sure, computing it.\n" + GOOD
    assert rr.score(text, ROW, tools=TRI, preset="bfcl").reward == 1.0
    assert rr.score(text, ROW, tools=TRI, preset="binary").reward == 0.0


def test_the_bfcl_preset_is_registered() -> None:
    assert "bfcl" in rr.list_presets()
    p = rr.get_preset("bfcl")
    assert p.components == ("bfcl_match",) and not p.gated and p.reward_range == (0.0, 1.0)


# --------------------------------------------------------------------------------------------------
# convert and validate
# --------------------------------------------------------------------------------------------------


def test_convert_from_bfcl(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "rows.jsonl"
    rc = main(
        [
            "convert",
            "--from",
            "bfcl",
            "--questions",
            str(DATA / "bfcl_sample_questions.jsonl"),
            "--answers",
            str(DATA / "bfcl_sample_answers.jsonl"),
            "--out",
            str(out),
        ]
    )
    assert rc == 0
    assert "3 rows" in capsys.readouterr().out
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["simple_python_900", "parallel_900", "irrelevance_900"]
    for r in rows:
        assert r["prompt"][0]["role"] == "user" and r["prompt"][0]["content"]
        assert isinstance(r["extra_info"]["tools"], list) and r["extra_info"]["tools"][0]["name"]
    assert rows[0]["reward_model"]["ground_truth"]["calls"][0]["arguments"]["width"] == 4.0
    assert rows[2]["reward_model"]["ground_truth"] == IRRELEVANT_TRUTH
    # the rows score with the tools they carry
    good = hermes_call("paint_needed", width=4, height=2.5, unit="Liters")
    assert rr.score(good, rows[0], preset="bfcl").reward == 1.0
    assert rr.score(hermes_call("paint_needed", width=4, height=2.5, coats=1.0), rows[0], preset="bfcl").reward == 0.0
    a = hermes_call("book_table", restaurant="Chez Anna", guests=4, city="nice", options={"terrace": True})
    b = hermes_call("book_table", restaurant="Luigi's", guests=2)
    assert rr.score(a + "\n" + b, rows[1], preset="bfcl").reward == 1.0
    assert rr.score("Michelangelo.", rows[2], preset="bfcl").reward == 1.0
    # and they validate cleanly
    assert validate_rows(rows) == []
    assert main(["validate", "--data", str(out)]) == 0
    assert "no problems" in capsys.readouterr().out


def test_convert_needs_an_answer_for_non_irrelevance_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "answers.jsonl"
    empty.write_text("")
    rc = main(
        [
            "convert",
            "--from",
            "bfcl",
            "--questions",
            str(DATA / "bfcl_sample_questions.jsonl"),
            "--answers",
            str(empty),
            "--out",
            str(tmp_path / "rows.jsonl"),
        ]
    )
    assert rc == 2
    assert "simple_python_900" in capsys.readouterr().err


def _row(rid: str, truth: Any, tools: Any = TRI) -> dict[str, Any]:
    return {
        "id": rid,
        "prompt": [{"role": "user", "content": "x"}],
        "reward_model": {"ground_truth": truth},
        "extra_info": {"tools": tools},
    }


def test_validate_flags_self_contradicting_truths(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ok = _row(
        "ok",
        {"behavior": "execute", "calls": [{"name": "calculate_triangle_area", "arguments": {"base": 10, "height": 5}}]},
    )
    wrong_type = _row(
        "wrong_type",
        {
            "behavior": "execute",
            "calls": [{"name": "calculate_triangle_area", "arguments": {"base": "ten", "height": 5}}],
        },
    )
    any_bad = _row("any_bad", [{"calculate_triangle_area": {"base": [10, "10"], "height": [5]}}])
    missing = _row(
        "missing", {"behavior": "execute", "calls": [{"name": "calculate_triangle_area", "arguments": {"base": 10}}]}
    )
    unknown = _row("unknown", {"behavior": "execute", "calls": [{"name": "area", "arguments": {}}]})
    extra = _row(
        "extra",
        {
            "behavior": "execute",
            "calls": [{"name": "calculate_triangle_area", "arguments": {"base": 1, "height": 2, "colour": "r"}}],
        },
    )
    bad = _row("bad", {"behavior": "exec"})
    rows = [ok, wrong_type, any_bad, missing, unknown, extra, bad]
    problems = validate_rows(rows)
    got = {(p.id, p.line, p.kind, p.field) for p in problems}
    assert got == {
        ("wrong_type", 2, "wrong_type", "calls[0].arguments.base"),
        ("any_bad", 3, "wrong_type", "calls[0].arguments.base.$any[1]"),
        ("missing", 4, "missing_required", "calls[0].arguments.height"),
        ("unknown", 5, "unknown_tool", "calls[0].name"),
        ("extra", 6, "unknown_parameter", "calls[0].arguments.colour"),
        ("bad", 7, "bad_truth", "reward_model.ground_truth.behavior"),
    }
    first = next(p for p in problems if p.id == "wrong_type")
    assert first.call == "#0 calculate_triangle_area" and "integer" in first.message
    path = tmp_path / "rows.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n{not json\n")
    assert main(["validate", "--data", str(path)]) == 1
    out = capsys.readouterr().out
    assert "line 2 (id 'wrong_type'), call #0 calculate_triangle_area, field 'calls[0].arguments.base'" in out
    assert "line 9" in out and "bad_json" in out
    assert "7 problem(s) in 7 row(s)" in out
