"""The command line: demo on the bundled data, score on user files, clear errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rlvr_rewards.cli import main

from .helpers import call, execute, hermes


def test_demo_prints_the_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "mean reward by expected behaviour" in out
    assert "confusion" in out and "GRPO groups" in out
    assert "aws-blog" in out and "correct" in out


def test_demo_runs_as_the_installed_command() -> None:
    proc = subprocess.run([sys.executable, "-m", "rlvr_rewards.cli", "demo"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "completions scored: 240" in proc.stdout


def _write(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return path


def test_score_writes_one_line_per_completion(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    truth = execute(call("get_weather", city="Paris"))
    data = _write(
        tmp_path / "rows.jsonl",
        [
            {"id": "r1", "reward_model": {"ground_truth": truth}},
            {"id": "r2", "reward_model": {"ground_truth": {"behavior": "refuse"}}},
        ],
    )
    comps = _write(
        tmp_path / "c.jsonl",
        [
            {"id": "r1", "completion": hermes(call("get_weather", city="Paris"))},
            {"id": "r1", "completion": "Which city?"},
            {"id": "r2", "completion": "I can't help with that."},
        ],
    )
    out = tmp_path / "scores.jsonl"
    assert main(["score", "--data", str(data), "--completions", str(comps), "--out", str(out)]) == 0
    out2 = tmp_path / "scores2.jsonl"
    assert main(["score", "--data", str(data), "--completions", str(comps), "--out", str(out2), "--workers", "2"]) == 0
    assert out2.read_text() == out.read_text()
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert [x["reward"] for x in lines] == [1.0, 0.15, 1.0]
    assert [x["id"] for x in lines] == ["r1", "r1", "r2"]
    assert lines[1]["reason"] == "clarified_instead_of_execute"
    assert "mean reward" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("rows", "comps", "fragment"),
    [
        (
            '{"id": "a", "reward_model": {"ground_truth": {"behavior": "refuse"}}}\nnot json\n',
            '{"id": "a", "completion": "x"}\n',
            "line 2: not valid JSON",
        ),
        (
            '{"id": "a", "reward_model": {"ground_truth": {"behavior": "refuse"}}}\n',
            '{"id": "b", "completion": "x"}\n',
            "line 1: id 'b' is not the id of any row of",
        ),
        (
            '{"id": "a", "reward_model": {"ground_truth": {"behavior": "nope"}}}\n',
            '{"id": "a", "completion": "x"}\n',
            "rows.jsonl line 1 (id 'a'), field 'reward_model.ground_truth.behavior'",
        ),
        (
            '{"id": "a", "reward_model": {"ground_truth": {"behavior": "refuse"}}}\n',
            '{"id": "a", "text": "x"}\n',
            "no completion field",
        ),
    ],
)
def test_score_errors_name_the_culprit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rows: str, comps: str, fragment: str
) -> None:
    (tmp_path / "rows.jsonl").write_text(rows)
    (tmp_path / "c.jsonl").write_text(comps)
    code = main(["score", "--data", str(tmp_path / "rows.jsonl"), "--completions", str(tmp_path / "c.jsonl")])
    assert code == 2
    assert fragment in capsys.readouterr().err


# --- convert ------------------------------------------------------------------------------------------------------


def _one_row(tmp_path: Path) -> Path:
    data = tmp_path / "rows.jsonl"
    data.write_text(json.dumps({"id": "r1", "reward_model": {"ground_truth": {"behavior": "refuse"}}}) + "\n")
    return data


def test_convert_to_parquet_without_pyarrow_says_what_to_install(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # `import pyarrow` raises ImportError
    out = tmp_path / "rows.parquet"
    assert main(["convert", "--from", "rows", "--data", str(_one_row(tmp_path)), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "--to parquet: writing Parquet needs pyarrow" in err and "rlvr-rewards[parquet]" in err
    assert not out.exists()


def test_convert_rows_to_jsonl_and_argument_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, out = _one_row(tmp_path), tmp_path / "out.jsonl"
    assert main(["convert", "--from", "rows", "--data", str(data), "--out", str(out)]) == 0
    assert [json.loads(x) for x in out.read_text().splitlines()] == [json.loads(data.read_text())]
    assert main(["convert", "--from", "rows", "--out", str(out)]) == 2
    assert "--from rows: --data is required" in capsys.readouterr().err
    assert main(["convert", "--from", "bfcl", "--out", str(out)]) == 2
    assert "--from bfcl: --questions is required" in capsys.readouterr().err
    assert main(["convert", "--from", "bfcl", "--data", str(data), "--out", str(out)]) == 2
    assert "--data is read by `convert --from rows`" in capsys.readouterr().err


def test_convert_rows_refuses_a_row_that_would_not_score(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "rows.jsonl"
    data.write_text(json.dumps({"id": "r1", "reward_model": {"ground_truth": {"behavior": "sing"}}}) + "\n")
    assert main(["convert", "--from", "rows", "--data", str(data), "--out", str(tmp_path / "o.parquet")]) == 2
    err = capsys.readouterr().err
    assert "line 1" in err and "behavior" in err
    assert not (tmp_path / "o.parquet").exists()
