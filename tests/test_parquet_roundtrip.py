"""Rows through the real Parquet / Arrow / ``datasets`` libraries score exactly as the original rows.

``datasets`` and Parquet merge the struct types of all rows and fill every missing key with ``None``; native
truths that mix matchers and plain values cannot be written at all. These tests write mixed rows with the real
libraries (``datasets.Dataset.from_list`` / ``to_parquet`` / ``load_dataset("parquet")``, ``pyarrow.parquet``,
``rlvr-rewards convert --to parquet``), read them back and compare ``rr.score_batch`` on what came back with
``rr.score_batch`` on the original rows. Nothing is downloaded: the data is ours and bfcl-eval's bundled files.
"""

from __future__ import annotations

import copy
import json
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import rlvr_rewards as rr
from rlvr_rewards.cli import main
from rlvr_rewards.errors import ToolSpecError
from rlvr_rewards.groundtruth.toolspecs import compile_tools, drop_arrow_fill
from rlvr_rewards.integrations.files import parquet_row, read_records, write_parquet

from .helpers import hermes_call, read_jsonl

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
datasets = pytest.importorskip("datasets")

DATA = resources.files("rlvr_rewards") / "data"


def _fn(name: str, properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    params: dict[str, Any] = {"type": "object", "properties": properties}
    if required is not None:
        params["required"] = required
    return {"type": "function", "function": {"name": name, "description": f"{name} tool", "parameters": params}}


#: Rows whose tools differ from the bundled ones in shape (nested schemas, anyOf, enum with null, a null
#: default, no `required`), so Arrow's fill reaches every schema position.
_CUSTOM_TOOLS = [
    _fn(
        "tag_items",
        {
            "items": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "label": {"type": "string", "enum": ["a", "b", None]},
                        "weight": {"anyOf": [{"type": "number", "minimum": 0}, {"type": "null"}]},
                    },
                    "required": ["label"],
                },
            },
            "mode": {"type": ["string", "null"], "default": None},
        },
        ["items"],
    ),
    _fn("ping", {"host": {"type": "string", "format": "hostname", "maxLength": 64}}),
]
_CUSTOM_ROWS = [
    {
        "id": "c-1",
        "prompt": [{"role": "user", "content": "Tag a as 2."}],
        "extra_info": {"tools": _CUSTOM_TOOLS},
        "reward_model": {
            "style": "rule",
            "ground_truth": {
                "behavior": "execute",
                "calls": [{"name": "tag_items", "arguments": {"items": [{"label": "a", "weight": 2}]}}],
            },
        },
    },
    {
        "id": "c-2",
        "prompt": [{"role": "user", "content": "Ping it."}],
        "extra_info": {"tools": _CUSTOM_TOOLS[1:]},
        "reward_model": {
            "style": "rule",
            "ground_truth": {"behavior": "clarify", "missing": ["host"], "reference": "Which host?"},
        },
    },
    {
        "id": "c-3",
        "prompt": [{"role": "user", "content": "Tag null."}],
        "extra_info": {"tools": _CUSTOM_TOOLS},
        "reward_model": {
            "style": "rule",
            "ground_truth": {
                "behavior": "execute",
                "calls": [
                    {"name": "tag_items", "arguments": {"items": [{"label": None}], "mode": {"$any": ["x", None]}}}
                ],
            },
        },
    },
]
_CUSTOM_COMPLETIONS = {
    "c-1": [
        hermes_call("tag_items", items=[{"label": "a", "weight": 2}]),
        hermes_call("tag_items", items=[{"label": "c"}]),
        "Which items?",
    ],
    "c-2": ["Which host should I ping?", hermes_call("ping", host="example.org"), hermes_call("ping", host=7)],
    "c-3": [
        hermes_call("tag_items", items=[{"label": None}], mode=None),
        hermes_call("tag_items", items=[{"label": None}]),
        hermes_call("tag_items", items=[{"label": "a"}], mode="x"),
    ],
}


def _mixed() -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """Bundled rows (execute / clarify / refuse, matchers), blog rows (text truths, tools in the prompt) and the
    custom rows; completions and their row ids."""
    rows = read_jsonl(DATA / "example_rows.jsonl") + read_jsonl(DATA / "blog_rows.jsonl") + copy.deepcopy(_CUSTOM_ROWS)
    completions: list[str] = []
    ids: list[str] = []
    for c in read_jsonl(DATA / "example_completions.jsonl"):
        completions.append(c["completion"])
        ids.append(c["id"])
    for r in read_jsonl(DATA / "blog_rows.jsonl"):
        truth = r["reward_model"]["ground_truth"]
        completions += [truth if not truth.startswith("[") else hermes_call(**json.loads(truth)[0]), "Sure, done."]
        ids += [r["id"]] * 2
    for rid, texts in _CUSTOM_COMPLETIONS.items():
        completions += texts
        ids += [rid] * len(texts)
    return rows, completions, ids


def _score(rows: list[dict[str, Any]], completions: list[str], ids: list[str]) -> Any:
    by_id = {r["id"]: r for r in rows}
    assert len(by_id) == len(rows)
    return rr.score_batch(completions, [by_id[i] for i in ids], groups=ids)


def _assert_same(got: Any, want: Any) -> None:
    np.testing.assert_array_equal(got.rewards, want.rewards)
    assert list(got.reasons) == list(want.reasons)
    assert set(got.components) == set(want.components)
    for k in want.components:
        np.testing.assert_array_equal(got.components[k], want.components[k])


def _truths_as_text(row: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(row)
    gt = out["reward_model"]["ground_truth"]
    if not isinstance(gt, str):
        out["reward_model"]["ground_truth"] = json.dumps(gt)
    return out


# --- The facts this fixes ------------------------------------------------------------------------------------------


def test_native_truths_cannot_be_one_arrow_column() -> None:
    rows = read_jsonl(DATA / "example_rows.jsonl")
    with pytest.raises((pa.ArrowInvalid, pa.ArrowTypeError)):
        pa.Table.from_pylist(rows)
    pa.Table.from_pylist([parquet_row(r) for r in rows])  # JSON text: fine


def test_datasets_fills_tool_specs_with_none() -> None:
    back = datasets.Dataset.from_list([_truths_as_text(r) for r in _mixed()[0]]).to_list()
    weather = back[0]["extra_info"]["tools"][0]["function"]["parameters"]
    assert weather["properties"]["amount"] is None  # another tool's property, filled
    assert compile_tools(back[0]["extra_info"]["tools"]).get("get_weather").properties == {"city", "units"}


def test_native_truths_filled_by_datasets_are_an_error_that_names_arrow() -> None:
    """Plain-value truths of different shapes make one `datasets` column, filled with None: scoring them says
    so and names the fix (truths as JSON text), instead of a bare "extra inputs" error."""
    call = {"name": "get_weather", "arguments": {"city": "Paris"}}
    rows = [
        {"reward_model": {"ground_truth": {"behavior": "execute", "calls": [call]}}},
        {"reward_model": {"ground_truth": {"behavior": "execute", "calls": [dict(call, id="c1")]}}},
    ]
    back = datasets.Dataset.from_list(rows).to_list()
    assert back[0]["reward_model"]["ground_truth"]["calls"][0]["id"] is None  # the fill
    with pytest.raises(rr.GroundTruthError, match=r"calls\.0\.id.*Arrow.*JSON text"):
        rr.score_batch(["x"], [back[0]["reward_model"]["ground_truth"]])
    texts = datasets.Dataset.from_list([parquet_row(r) for r in rows]).to_list()
    assert rr.score_batch(
        [hermes_call("get_weather", city="Paris")], [texts[0]["reward_model"]["ground_truth"]]
    ).rewards.tolist() == [1.0]


# --- Round trips through the real libraries -----------------------------------------------------------------------


def test_datasets_parquet_roundtrip_with_native_tools_scores_the_same(tmp_path: Path) -> None:
    rows, completions, ids = _mixed()
    want = _score(rows, completions, ids)
    path = tmp_path / "rows.parquet"
    datasets.Dataset.from_list([_truths_as_text(r) for r in rows]).to_parquet(str(path))
    loaded = datasets.load_dataset("parquet", data_files=str(path), split="train").to_list()
    assert any(
        v is None for v in loaded[-1]["extra_info"]["tools"][1]["function"]["parameters"]["properties"].values()
    )  # the fill really is there
    _assert_same(_score(loaded, completions, ids), want)


def test_datasets_roundtrip_of_parquet_rows_scores_the_same(tmp_path: Path) -> None:
    rows, completions, ids = _mixed()
    want = _score(rows, completions, ids)
    path = tmp_path / "rows.parquet"
    datasets.Dataset.from_list([parquet_row(r) for r in rows]).to_parquet(str(path))
    loaded = datasets.load_dataset("parquet", data_files=str(path), split="train").to_list()
    assert all(isinstance(r["extra_info"]["tools"], (str, type(None))) for r in loaded)
    _assert_same(_score(loaded, completions, ids), want)


def test_pyarrow_roundtrip_scores_the_same(tmp_path: Path) -> None:
    rows, completions, ids = _mixed()
    want = _score(rows, completions, ids)
    path = tmp_path / "rows.parquet"
    write_parquet(rows, path)
    schema = pq.read_schema(path)
    assert schema.field("reward_model").type.field("ground_truth").type == pa.string()
    _assert_same(_score(pq.read_table(path).to_pylist(), completions, ids), want)
    _assert_same(_score([r.value for r in read_records(path)], completions, ids), want)
    # pandas, as veRL's and many users' loaders read Parquet
    frame = pq.read_table(path).to_pandas()
    assert isinstance(frame["reward_model"][0]["ground_truth"], str)


def test_bundled_rows_convert_to_parquet_and_back(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = read_jsonl(DATA / "example_rows.jsonl")
    completions = [c["completion"] for c in read_jsonl(DATA / "example_completions.jsonl")]
    ids = [c["id"] for c in read_jsonl(DATA / "example_completions.jsonl")]
    out = tmp_path / "example_rows.parquet"
    with resources.as_file(DATA / "example_rows.jsonl") as src:
        assert main(["convert", "--from", "rows", "--data", str(src), "--out", str(out)]) == 0
    assert "wrote 60 rows" in capsys.readouterr().out
    want = _score(rows, completions, ids)
    loaded = datasets.load_dataset("parquet", data_files=str(out), split="train").to_list()
    assert json.loads(loaded[0]["reward_model"]["ground_truth"]) == rows[0]["reward_model"]["ground_truth"]
    assert json.loads(loaded[0]["extra_info"]["tools"]) == rows[0]["extra_info"]["tools"]
    _assert_same(_score(loaded, completions, ids), want)


def _bfcl_files(tmp_path: Path) -> tuple[Path, Path]:
    bfcl_eval = pytest.importorskip("bfcl_eval")
    data = Path(bfcl_eval.__file__).parent / "data"
    questions, answers = [], []
    for category, n in (("multiple", 8), ("parallel_multiple", 6), ("simple_python", 6), ("irrelevance", 4)):
        q_lines = (data / f"BFCL_v4_{category}.json").read_text(encoding="utf-8").splitlines()[:n]
        questions += q_lines
        if category != "irrelevance":
            answers += (
                (data / "possible_answer" / f"BFCL_v4_{category}.json").read_text(encoding="utf-8").splitlines()[:n]
            )
    qp, ap = tmp_path / "questions.jsonl", tmp_path / "answers.jsonl"
    qp.write_text("\n".join(questions) + "\n", encoding="utf-8")
    ap.write_text("\n".join(answers) + "\n", encoding="utf-8")
    return qp, ap


def _first_option(value: Any) -> Any:
    if isinstance(value, dict) and "$any" in value:
        return _first_option(value["$any"][0])
    return value


def test_convert_bfcl_to_parquet_roundtrips(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    qp, ap = _bfcl_files(tmp_path)
    jsonl, parquet = tmp_path / "rows.jsonl", tmp_path / "rows.parquet"
    assert main(["convert", "--from", "bfcl", "--questions", str(qp), "--answers", str(ap), "--out", str(jsonl)]) == 0
    assert (
        main(
            [
                "convert",
                "--from",
                "bfcl",
                "--questions",
                str(qp),
                "--answers",
                str(ap),
                "--to",
                "parquet",
                "--out",
                str(parquet),
            ]
        )
        == 0
    )
    assert "parquet; 4 irrelevance rows" in capsys.readouterr().out
    rows = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    with pytest.raises((pa.ArrowInvalid, pa.ArrowTypeError)):  # what the JSONL rows would do in Parquet
        pa.Table.from_pylist(rows)
    completions: list[str] = []
    ids: list[str] = []
    for r in rows:
        truth = r["reward_model"]["ground_truth"]
        if isinstance(truth, dict):
            calls = [
                hermes_call(
                    c["name"],
                    **{
                        k: _first_option(v)
                        for k, v in c["arguments"].items()
                        if not (isinstance(v, dict) and "$optional" in v)
                    },
                )
                for c in truth["calls"]
            ]
            completions.append("\n".join(calls))
        else:
            completions.append("I cannot help with that using these functions.")
        completions.append(hermes_call(r["extra_info"]["tools"][0]["name"]))
        ids += [r["id"]] * 2
    want = _score(rows, completions, ids)
    assert float(np.mean(want.rewards)) > 0.3  # correct calls are among them
    loaded = datasets.load_dataset("parquet", data_files=str(parquet), split="train").to_list()
    _assert_same(_score(loaded, completions, ids), want)
    _assert_same(_score([r.value for r in read_records(parquet)], completions, ids), want)


# --- The None-fill rule -----------------------------------------------------------------------------------------


def _params(spec: dict[str, Any]) -> dict[str, Any]:
    return dict(drop_arrow_fill(spec)["function"]["parameters"])


def test_fill_is_dropped_where_null_never_means_anything() -> None:
    spec = {
        "type": "function",
        "strict": None,
        "function": {
            "name": "f",
            "description": None,
            "parameters": {
                "type": "object",
                "required": None,
                "additionalProperties": None,
                "properties": {
                    "a": {
                        "type": "string",
                        "enum": None,
                        "items": None,
                        "pattern": None,
                        "examples": None,
                        "description": None,
                    },
                    "b": None,
                    "c": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "x": None,
                                "y": {
                                    "anyOf": [{"type": "integer", "minimum": None}, {"type": "null", "format": None}]
                                },
                            },
                        },
                    },
                },
                "$defs": {"d": None},
            },
        },
    }
    assert drop_arrow_fill(spec)["function"].keys() == {"name", "parameters"}
    assert "strict" not in drop_arrow_fill(spec)
    assert _params(spec) == {
        "type": "object",
        "properties": {
            "a": {"type": "string"},
            "c": {
                "type": "array",
                "items": {"type": "object", "properties": {"y": {"anyOf": [{"type": "integer"}, {"type": "null"}]}}},
            },
        },
        "$defs": {},
    }
    tool = compile_tools([spec]).get("f")  # type: ignore[union-attr]
    assert tool is not None and tool.required == frozenset() and tool.properties == {"a", "c"}


def test_values_where_null_is_meaningful_are_kept() -> None:
    spec = _fn(
        "f",
        {
            "a": {"type": ["string", "null"], "default": None, "enum": ["x", None], "examples": [None, "x"]},
            "b": {"type": "object", "default": {"k": None}, "properties": {"k": {"type": "null"}}},
        },
    )
    params = _params(spec)
    assert params["properties"]["a"] == {
        "type": ["string", "null"],
        "default": None,
        "enum": ["x", None],
        "examples": [None, "x"],
    }
    assert params["properties"]["b"]["default"] == {"k": None}
    tool = compile_tools([spec]).get("f")  # type: ignore[union-attr]
    assert tool is not None and tool.defaults["a"] is None and tool.enums["a"] == ("x", None)
    assert tool.is_valid({"a": None}) and not tool.is_valid({"a": "y"})


def test_const_null_is_an_error_naming_tool_and_field() -> None:
    spec = _fn("ok", {"a": {"type": "string"}})
    bad = _fn("f", {"a": {"type": "string", "const": None}})
    with pytest.raises(ToolSpecError) as err:
        compile_tools([spec, bad])
    assert err.value.index == 1 and err.value.field == "parameters.properties.a.const"
    assert "JSON text" in str(err.value)


def test_json_text_tools_are_read_exactly() -> None:
    text = json.dumps([_fn("f", {"a": {"type": "string"}}, None) | {"strict": None}])
    assert compile_tools(text) is not None  # a null outside the schema is harmless either way
    filled = json.dumps([{"name": "f", "parameters": {"type": "object", "properties": {}, "required": None}}])
    with pytest.raises(ToolSpecError) as err:  # no Arrow fill in text: a null `required` is the user's error
        compile_tools(filled)
    assert err.value.field == "parameters.required"
    assert compile_tools(json.loads(filled)) is not None  # the same as objects: the fill is dropped


def test_native_truth_column_fill_is_dropped(tmp_path: Path) -> None:
    rows = [
        r for r in read_jsonl(DATA / "example_rows.jsonl") if r["reward_model"]["ground_truth"]["behavior"] != "execute"
    ]
    path = tmp_path / "native.parquet"
    pq.write_table(
        pa.Table.from_pylist([{**r, "extra_info": {"tools": json.dumps(r["extra_info"]["tools"])}} for r in rows]), path
    )
    raw = pq.read_table(path).to_pylist()[0]["reward_model"]["ground_truth"]
    assert None in raw.values()  # clarify truths got `reason: None`, refuse truths `missing: None`
    loaded = [r.value for r in read_records(path)]
    assert [r["reward_model"]["ground_truth"] for r in loaded] == [r["reward_model"]["ground_truth"] for r in rows]


def test_native_truth_column_null_argument_is_an_error(tmp_path: Path) -> None:
    rows = [
        {
            "id": "a",
            "reward_model": {
                "ground_truth": {
                    "behavior": "execute",
                    "calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}],
                }
            },
        },
        {
            "id": "b",
            "reward_model": {
                "ground_truth": {
                    "behavior": "execute",
                    "calls": [{"name": "currency_convert", "arguments": {"amount": 5, "from": "EUR", "to": "USD"}}],
                }
            },
        },
    ]
    path = tmp_path / "native.parquet"
    pq.write_table(pa.Table.from_pylist(rows), path)
    with pytest.raises(rr.GroundTruthError) as err:
        read_records(path, "--data")
    assert "row 1" in str(err.value) and err.value.field == "reward_model.ground_truth.calls[0].arguments.amount"
    assert "JSON text" in str(err.value)
