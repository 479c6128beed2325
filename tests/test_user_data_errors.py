"""Never silent about the user's data: every bad input is an error naming the file, line, row id and what was
expected (exit code 2, never a traceback), or a listed problem (``validate``, exit 1), never a different meaning.

``CASES`` is the table of bad inputs a user can hand the command line; each names the fragments its message
must hold and its exit code. ``test_cases_print_their_table`` prints it (``-s``) as the closing note shows it.
"""

from __future__ import annotations

import gzip
import json
import os
import stat
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import rlvr_rewards as rr
from rlvr_rewards.cli import main

from .helpers import call, execute, hermes

DATA = Path(__file__).resolve().parent.parent / "rlvr_rewards" / "data"
GOOD = {"id": "r1", "reward_model": {"ground_truth": execute(call("get_weather", city="Paris"))}}
REFUSE = {"id": "r2", "reward_model": {"ground_truth": {"behavior": "refuse"}}}
COMPLETIONS = [
    {"id": "r1", "completion": hermes(call("get_weather", city="Paris"))},
    {"id": "r2", "completion": "I can't help with that."},
]


def _jsonl(rows: list[Any]) -> str:
    return "".join(json.dumps(r) + "\n" for r in rows)


def _truth_text_without_its_last_brace() -> dict[str, Any]:
    return {"id": "r2", "reward_model": {"ground_truth": json.dumps({"behavior": "refuse"})[:-1]}}


@dataclass
class Case:
    """A bad input: files to write (name -> text or bytes), the command, what the message must hold, the exit."""

    files: dict[str, str | bytes]
    argv: list[str]
    fragments: list[str]
    code: int = 2
    stream: str = "err"


CASES: dict[str, Case] = {
    "truth JSON text missing its closing brace": Case(
        {"rows.jsonl": _jsonl([GOOD, _truth_text_without_its_last_brace()]), "c.jsonl": _jsonl(COMPLETIONS)},
        ["score", "--data", "rows.jsonl", "--completions", "c.jsonl"],
        [
            "--data rows.jsonl line 2 (id 'r2')",
            "field 'reward_model.ground_truth'",
            "not valid JSON",
            "at line 1, column",
            "expected valid JSON",
        ],
    ),
    "the same, validated": Case(
        {"rows.jsonl": _jsonl([GOOD, _truth_text_without_its_last_brace()])},
        ["validate", "--data", "rows.jsonl"],
        ["rows.jsonl line 2 (id 'r2')", "[bad_truth]", "not valid JSON", "1 of them make `rlvr-rewards score` refuse"],
        code=1,
        stream="out",
    ),
    "unknown behaviour on line 2": Case(
        {
            "rows.jsonl": _jsonl([GOOD, {"id": "r2", "reward_model": {"ground_truth": {"behavior": "exec"}}}]),
            "c.jsonl": _jsonl(COMPLETIONS * 3),
        },
        ["score", "--data", "rows.jsonl", "--completions", "c.jsonl"],
        ["--data rows.jsonl line 2 (id 'r2')", "field 'reward_model.ground_truth.behavior'", "got 'exec'"],
    ),
    "duplicate row ids, scored": Case(
        {"rows.jsonl": _jsonl([GOOD, GOOD]), "c.jsonl": _jsonl(COMPLETIONS[:1])},
        ["score", "--data", "rows.jsonl", "--completions", "c.jsonl"],
        ["--data rows.jsonl line 2 (id 'r1')", "[duplicate_id]", "also the id of line 1"],
    ),
    "duplicate row ids, validated": Case(
        {"rows.jsonl": _jsonl([GOOD, GOOD])},
        ["validate", "--data", "rows.jsonl"],
        ["rows.jsonl line 2 (id 'r1')", "[duplicate_id]"],
        code=1,
        stream="out",
    ),
    "duplicate row ids, completions without ids": Case(
        {"rows.jsonl": _jsonl([GOOD, GOOD]), "c.jsonl": _jsonl([{"completion": "x"}, {"completion": "y"}])},
        ["score", "--data", "rows.jsonl", "--completions", "c.jsonl"],
        ["line 2 (id 'r1')", "[duplicate_id]"],
    ),
    "an empty rows file, validated": Case(
        {"rows.jsonl": ""}, ["validate", "--data", "rows.jsonl"], ["--data rows.jsonl: holds no rows"]
    ),
    "an empty rows file, scored": Case(
        {"rows.jsonl": "\n\n", "c.jsonl": _jsonl(COMPLETIONS)},
        ["score", "--data", "rows.jsonl", "--completions", "c.jsonl"],
        ["--data rows.jsonl: holds no rows"],
    ),
    "an empty completions file": Case(
        {"rows.jsonl": _jsonl([GOOD]), "c.jsonl": ""},
        ["score", "--data", "rows.jsonl", "--completions", "c.jsonl"],
        ["--completions c.jsonl: holds no completions"],
    ),
    "a directory for --data": Case(
        {"c.jsonl": _jsonl(COMPLETIONS)},
        ["score", "--data", ".", "--completions", "c.jsonl"],
        ["--data .: is a directory; expected a JSON Lines file"],
    ),
    "a missing --data file": Case(
        {"c.jsonl": _jsonl(COMPLETIONS)},
        ["score", "--data", "nope.jsonl", "--completions", "c.jsonl"],
        ["--data nope.jsonl: no such file"],
    ),
    "a CSV file": Case(
        {"rows.csv": "id,ground_truth\nr1,x\n", "c.jsonl": _jsonl(COMPLETIONS)},
        ["score", "--data", "rows.csv", "--completions", "c.jsonl"],
        ["--data rows.csv: is a CSV file; expected JSON Lines", "Parquet"],
    ),
    "an Excel workbook": Case(
        {"rows.xlsx": b"PK\x03\x04" + b"\x00" * 64, "c.jsonl": _jsonl(COMPLETIONS)},
        ["score", "--data", "rows.xlsx", "--completions", "c.jsonl"],
        ["is a ZIP archive (an Excel .xlsx"],
    ),
    "one JSON array instead of JSON Lines": Case(
        {"rows.json": "[\n" + json.dumps(GOOD) + "\n]\n", "c.jsonl": _jsonl(COMPLETIONS)},
        ["score", "--data", "rows.json", "--completions", "c.jsonl"],
        ["--data rows.json line 1: the file looks like one JSON document", "expected one JSON object per line"],
    ),
    "a JSON array on one line": Case(
        {"rows.json": json.dumps([GOOD, REFUSE]) + "\n", "c.jsonl": _jsonl(COMPLETIONS)},
        ["score", "--data", "rows.json", "--completions", "c.jsonl"],
        ["line 1: expected a JSON object, got list", "one object per line"],
    ),
    "a line that is not UTF-8": Case(
        {"rows.jsonl": _jsonl([GOOD]).encode() + b'{"id": "r2\xff"}\n', "c.jsonl": _jsonl(COMPLETIONS)},
        ["score", "--data", "rows.jsonl", "--completions", "c.jsonl"],
        ["--data rows.jsonl line 2: not UTF-8 text (byte 0xff at column 11)"],
    ),
    "a line that is not JSON": Case(
        {"rows.jsonl": _jsonl([GOOD]) + "{'id': 'r2'}\n", "c.jsonl": _jsonl(COMPLETIONS)},
        ["score", "--data", "rows.jsonl", "--completions", "c.jsonl"],
        ["--data rows.jsonl line 2: not valid JSON (Expecting property name enclosed in double quotes at column 2)"],
    ),
    "completions where some lines have ids and some not": Case(
        {"rows.jsonl": _jsonl([GOOD, REFUSE]), "c.jsonl": _jsonl([COMPLETIONS[0], {"completion": "x"}])},
        ["score", "--data", "rows.jsonl", "--completions", "c.jsonl"],
        ["--completions c.jsonl: line 2 has no 'id' but line 1 has one"],
    ),
    "a completion for an id no row has": Case(
        {"rows.jsonl": _jsonl([GOOD]), "c.jsonl": _jsonl([{"id": "zz", "completion": "x"}])},
        ["score", "--data", "rows.jsonl", "--completions", "c.jsonl"],
        ["--completions c.jsonl line 1: id 'zz' is not the id of any row of rows.jsonl"],
    ),
    "a completion record without a completion field": Case(
        {"rows.jsonl": _jsonl([GOOD]), "c.jsonl": _jsonl([{"id": "r1", "text": "x"}])},
        ["score", "--data", "rows.jsonl", "--completions", "c.jsonl"],
        ["--completions c.jsonl line 1: no completion field"],
    ),
    "--out in a folder that does not exist": Case(
        {"rows.jsonl": _jsonl([GOOD]), "c.jsonl": _jsonl(COMPLETIONS[:1])},
        ["score", "--data", "rows.jsonl", "--completions", "c.jsonl", "--out", "missing/scores.jsonl"],
        ["--out missing/scores.jsonl: the folder missing does not exist"],
    ),
    "--out that is a directory": Case(
        {"rows.jsonl": _jsonl([GOOD]), "c.jsonl": _jsonl(COMPLETIONS[:1])},
        ["score", "--data", "rows.jsonl", "--completions", "c.jsonl", "--out", "."],
        ["--out .: is a directory"],
    ),
    "an unknown preset": Case(
        {"rows.jsonl": _jsonl([GOOD]), "c.jsonl": _jsonl(COMPLETIONS[:1])},
        ["score", "--data", "rows.jsonl", "--completions", "c.jsonl", "--preset", "gradde"],
        ["unknown preset 'gradde'; registered presets: aws-blog"],
    ),
    "convert: a question without an answer and no --answers": Case(
        {
            "q.jsonl": _jsonl(
                [
                    {
                        "id": "simple_1",
                        "question": "Weather in Paris?",
                        "function": [{"name": "get_weather", "parameters": {"type": "dict"}}],
                    }
                ]
            )
        },
        ["convert", "--from", "bfcl", "--questions", "q.jsonl", "--out", "rows.jsonl"],
        ["--questions q.jsonl line 1 (id 'simple_1'): no possible answer", "(no --answers file was given)"],
    ),
    "lambda invoke: a missing interpreter": Case(
        {"reward.zip": b"PK\x05\x06" + b"\x00" * 18, "event.json": "[]"},
        ["lambda", "invoke", "--artifact", "reward.zip", "--event", "event.json", "--python-exe", "/nope/python3"],
        ["--python-exe /nope/python3: no such interpreter"],
    ),
    "lambda invoke: a missing event file": Case(
        {"reward.zip": b"PK\x05\x06" + b"\x00" * 18},
        ["lambda", "invoke", "--artifact", "reward.zip", "--event", "event.json"],
        ["--event event.json: no such file"],
    ),
    "lambda invoke: an event that is not JSON": Case(
        {"reward.zip": b"PK\x05\x06" + b"\x00" * 18, "event.json": "[{'id': 1}]"},
        ["lambda", "invoke", "--artifact", "reward.zip", "--event", "event.json"],
        ["--event event.json: not valid JSON (Expecting property name enclosed in double quotes at line 1, column 3)"],
    ),
    "lambda build: a config that is not JSON": Case(
        {"config.json": "{preset: graded}"},
        ["lambda", "build", "--out", "build", "--config", "config.json"],
        ["--config config.json: not valid JSON"],
    ),
}


def _run(case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    for name, content in case.files.items():
        (tmp_path / name).write_bytes(content if isinstance(content, bytes) else content.encode())
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        code = main(case.argv)
    finally:
        os.chdir(cwd)
    captured = capsys.readouterr()
    return code, captured.err if case.stream == "err" else captured.out


@pytest.mark.parametrize("name", list(CASES))
def test_each_bad_input_is_named_with_its_file_line_and_fix(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = CASES[name]
    code, text = _run(case, tmp_path, capsys)
    assert code == case.code, (name, code, text)
    for fragment in case.fragments:
        assert fragment in text, (name, fragment, text)
    assert "Traceback" not in text


def test_cases_print_their_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = []
    for i, (name, case) in enumerate(CASES.items()):
        folder = tmp_path / str(i)
        folder.mkdir()
        code, text = _run(case, folder, capsys)
        line = next((x for x in text.splitlines() if "error" in x or "[" in x), text.strip().splitlines()[0])
        rows.append(f"| {name} | `rlvr-rewards {' '.join(case.argv)}` | {line.strip()} | {code} |")
    with capsys.disabled():
        print("\n| input | command | message | exit |\n|---|---|---|---|\n" + "\n".join(rows))


def test_unwritable_out_fails_before_any_scoring(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import rlvr_rewards.integrations.runs as runs

    def no_scoring(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("scored before checking --out")

    monkeypatch.setattr(runs, "score_batch", no_scoring)
    (tmp_path / "rows.jsonl").write_text(_jsonl([GOOD]))
    (tmp_path / "c.jsonl").write_text(_jsonl(COMPLETIONS[:1]))
    locked = tmp_path / "locked.jsonl"
    locked.write_text("")
    locked.chmod(stat.S_IRUSR)
    if os.access(locked, os.W_OK):  # root ignores file modes
        pytest.skip("running as root: a read-only file is still writable")
    code = main(
        [
            "score",
            "--data",
            str(tmp_path / "rows.jsonl"),
            "--completions",
            str(tmp_path / "c.jsonl"),
            "--out",
            str(locked),
        ]
    )
    assert code == 2 and "the file is not writable" in capsys.readouterr().err


def test_an_out_path_that_fails_while_writing_is_exit_2_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import builtins

    real_open = builtins.open

    def full_disk(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if str(file).endswith("scores.jsonl") and "w" in mode:
            raise OSError(28, "No space left on device", str(file))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", full_disk)
    (tmp_path / "rows.jsonl").write_text(_jsonl([GOOD]))
    (tmp_path / "c.jsonl").write_text(_jsonl(COMPLETIONS[:1]))
    code = main(
        [
            "score",
            "--data",
            str(tmp_path / "rows.jsonl"),
            "--completions",
            str(tmp_path / "c.jsonl"),
            "--out",
            str(tmp_path / "scores.jsonl"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and "No space left on device" in err and "scores.jsonl" in err


def test_the_installed_command_prints_no_traceback_for_a_user_error(tmp_path: Path) -> None:
    (tmp_path / "rows.jsonl").write_text(_jsonl([GOOD, _truth_text_without_its_last_brace()]))
    (tmp_path / "c.jsonl").write_text(_jsonl(COMPLETIONS))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "rlvr_rewards.cli",
            "score",
            "--data",
            "rows.jsonl",
            "--completions",
            "c.jsonl",
            "--out",
            "missing/x.jsonl",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "--out missing/x.jsonl" in proc.stderr


# --------------------------------------------------------------------------------------------------
# Other formats are read, or named
# --------------------------------------------------------------------------------------------------


def _bundled(n: int = 12) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rows = [json.loads(x) for x in (DATA / "example_rows.jsonl").read_text().splitlines()][:n]
    ids = {r["id"] for r in rows}
    comps = [
        c for c in map(json.loads, (DATA / "example_completions.jsonl").read_text().splitlines()) if c["id"] in ids
    ]
    return rows, comps


def _scores(tmp_path: Path, data: Path, comps: Path, name: str) -> list[dict[str, Any]]:
    out = tmp_path / f"{name}.out.jsonl"
    assert main(["score", "--data", str(data), "--completions", str(comps), "--out", str(out)]) == 0
    return [json.loads(x) for x in out.read_text().splitlines()]


def test_gzip_and_parquet_rows_score_like_json_lines(tmp_path: Path) -> None:
    rows, comps = _bundled()
    plain = tmp_path / "rows.jsonl"
    plain.write_text(_jsonl(rows))
    c = tmp_path / "c.jsonl"
    c.write_text(_jsonl(comps))
    gz = tmp_path / "rows.jsonl.gz"
    gz.write_bytes(gzip.compress(plain.read_bytes()))
    expected = _scores(tmp_path, plain, c, "plain")
    assert _scores(tmp_path, gz, c, "gz") == expected
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    # veRL writes the truth and the tools as JSON text columns (one Arrow type per column)
    flat = [
        {
            **r,
            "reward_model": {"ground_truth": json.dumps(r["reward_model"]["ground_truth"])},
            "extra_info": {"tools": json.dumps(r["extra_info"]["tools"])},
        }
        for r in rows
    ]
    parquet = tmp_path / "rows.parquet"
    pq.write_table(pa.Table.from_pylist(flat), parquet)
    assert _scores(tmp_path, parquet, c, "parquet") == expected


def test_parquet_without_pyarrow_says_what_to_install(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    (tmp_path / "rows.parquet").write_bytes(b"PAR1" + b"\x00" * 32)
    (tmp_path / "c.jsonl").write_text(_jsonl(COMPLETIONS))
    code = main(["score", "--data", str(tmp_path / "rows.parquet"), "--completions", str(tmp_path / "c.jsonl")])
    err = capsys.readouterr().err
    assert (
        code == 2
        and "reading Parquet needs pyarrow (pip install pyarrow, or pip install 'rlvr-rewards[parquet]')" in err
    )


# --------------------------------------------------------------------------------------------------
# score, validate and the Lambda use one row checker, so they agree
# --------------------------------------------------------------------------------------------------

ROW_VARIANTS: dict[str, Callable[[], list[Any]]] = {
    "good": lambda: [GOOD, REFUSE],
    "bad truth text": lambda: [GOOD, _truth_text_without_its_last_brace()],
    "unknown behaviour": lambda: [GOOD, {"id": "r2", "reward_model": {"ground_truth": {"behavior": "exec"}}}],
    "bad tools": lambda: [{**GOOD, "extra_info": {"tools": [{"description": "no name"}]}}, REFUSE],
    "duplicate id": lambda: [GOOD, {**REFUSE, "id": "r1"}],
    "not an object": lambda: [GOOD, [1, 2]],
    "no truth": lambda: [GOOD, {"id": "r2", "prompt": []}],
    "unknown tool (advisory)": lambda: [
        {**GOOD, "extra_info": {"tools": [{"name": "get_time", "parameters": {"type": "object"}}]}},
        REFUSE,
    ],
}


@pytest.mark.parametrize("variant", list(ROW_VARIANTS))
def test_score_refuses_exactly_what_validate_calls_fatal(
    variant: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = ROW_VARIANTS[variant]()
    (tmp_path / "rows.jsonl").write_text(_jsonl(rows))
    (tmp_path / "c.jsonl").write_text(_jsonl([{"completion": "I can't help with that."}] * len(rows)))
    validated = main(["validate", "--data", str(tmp_path / "rows.jsonl")])
    out = capsys.readouterr().out
    scored = main(["score", "--data", str(tmp_path / "rows.jsonl"), "--completions", str(tmp_path / "c.jsonl")])
    err = capsys.readouterr().err
    fatal = "make `rlvr-rewards score` refuse" in out
    assert (scored == 2) == fatal, (variant, out, err)
    assert validated == (0 if variant == "good" else 1), (variant, out)
    if variant == "unknown tool (advisory)":
        assert scored == 0 and "note: 1 row problem(s)" in err and "unknown_tool" in err


def test_the_lambda_floors_a_sample_whose_truth_text_does_not_decode() -> None:
    from rlvr_rewards.aws_lambda import lambda_handler

    broken = json.dumps({"behavior": "refuse"})[:-1]
    event = [
        {
            "id": "a",
            "messages": [{"role": "assistant", "content": "I can't help with that."}],
            "reference_answer": json.dumps({"behavior": "refuse"}),
        },
        {
            "id": "b",
            "messages": [{"role": "assistant", "content": "I can't help with that."}],
            "reference_answer": broken,
        },
    ]
    results = json.loads(lambda_handler(event, {})["body"])
    assert results[0]["aggregate_reward_score"] == 1.0
    names = {m["name"] for m in results[1]["metrics_list"]}
    assert results[1]["aggregate_reward_score"] == 0.0 and "error_bad_ground_truth" in names


# --------------------------------------------------------------------------------------------------
# Ground truth text: JSON when it looks like JSON, exactly; never a silent no-call truth
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '{"behavior": "refuse"',
        '  {"behavior": "refuse",}',
        "[{'name': 'get_weather', 'arguments': {'city': 'Paris'}}]",
        '[{"name": "get_weather", "arguments": {"city": NaN}}]',
        '[{"name": "get_weather", "arguments": {"city": "Paris"}}',
        "{behavior: refuse}",
        "[Refuse] I can't help with that.",
    ],
)
def test_json_looking_truth_text_that_does_not_decode_raises(text: str) -> None:
    with pytest.raises(rr.GroundTruthError) as info:
        rr.score(hermes(call("get_weather", city="Paris")), text)
    message = str(info.value)
    assert "is not valid JSON" in message and "expected valid JSON" in message, message
    assert info.value.index == 0


def test_prose_truth_text_is_a_no_call_truth() -> None:
    for text in ("Which city do you mean?", "I can't help with that [policy].", '"quoted" reply'):
        assert rr.score("Which city?", text).expected == "no_call"


def test_integers_beyond_64_bits_in_truth_text_are_exact() -> None:
    big = 123456789012345678901234
    text = json.dumps(execute(call("lookup", n=big)))
    assert rr.score(hermes(call("lookup", n=big)), text).reward == 1.0
    assert rr.score(hermes(call("lookup", n=big + 1)), text).reason == "bad_arguments"
    row = {"reward_model": {"ground_truth": text}}
    assert rr.score(hermes(call("lookup", n=big + 1)), row).reason == "bad_arguments"


def test_a_nan_truth_never_reuses_the_compilation_of_a_null_truth() -> None:
    assert rr.score(hermes(call("f", x=None)), execute(call("f", x=None))).reward == 1.0
    with pytest.raises(rr.GroundTruthError) as info:
        rr.score(hermes(call("f", x=None)), execute(call("f", x=float("nan"))))
    assert info.value.field == "calls[0].arguments.x" and "finite" in str(info.value)


def test_limits_are_checked_when_made() -> None:
    for kwargs in (
        {"max_chars": -1},
        {"max_depth": 0},
        {"max_int_digits": 0},
        {"max_calls": -1},
        {"max_calls": True},
        {"max_chars": 2.5},
        {"max_depth": "64"},
    ):
        with pytest.raises(rr.ConfigError) as info:
            rr.Limits(**kwargs)
        message = str(info.value)
        assert "max_chars (an integer >= 1, default 200000)" in message and "max_calls (an integer >= 0" in message
    assert rr.Limits(max_calls=0).max_calls == 0


def test_the_bundled_blog_rows_validate_clean(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--data", str(DATA / "blog_rows.jsonl")]) == 0, capsys.readouterr().out
