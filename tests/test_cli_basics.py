"""The command line's basics (issue 20): ``--version``, help when run alone, ``presets``, ``score --limit`` and
the run metadata ``score --out`` writes next to its results."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pytest

import rlvr_rewards as rr
from rlvr_rewards.builtin.presets import GRADED
from rlvr_rewards.cli import main
from rlvr_rewards.hookspecs import hookimpl
from rlvr_rewards.plugins import register_plugin, unregister_plugin

DATA = resources.files("rlvr_rewards") / "data"


def test_version_prints_the_installed_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"rlvr-rewards {rr.__version__}"


def test_the_command_alone_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: rlvr-rewards") and "presets" in out and "score" in out


def test_presets_lists_every_registered_preset_with_its_range(capsys: pytest.CaptureFixture[str]) -> None:
    class Mine:
        @staticmethod
        @hookimpl
        def register_presets(register: Callable[..., None]) -> None:
            register(GRADED.derive("mine", description="a plugin's own preset"))

    register_plugin(Mine, "cli-test-presets")
    try:
        assert main(["presets"]) == 0
    finally:
        unregister_plugin("cli-test-presets")
    lines = capsys.readouterr().out.splitlines()
    names = [line.split()[0] for line in lines]
    assert names == sorted(names) and {"graded", "binary", "aws-blog", "toolrl", "bfcl", "trajectory", "mine"} <= set(
        names
    )
    assert any(line.startswith("toolrl") and "[-3, 4]" in line for line in lines)
    assert any("(plugin cli-test-presets)" in line for line in lines if line.startswith("mine"))


def test_score_limit_and_the_run_metadata(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "scores.jsonl"
    with (
        resources.as_file(DATA / "example_rows.jsonl") as rows,
        resources.as_file(DATA / "example_completions.jsonl") as completions,
    ):
        code = main(
            ["score", "--data", str(rows), "--completions", str(completions), "--limit", "7", "--out", str(out)]
        )
        assert code == 0
        lines = out.read_text(encoding="utf-8").splitlines()
        assert len(lines) == 7
        meta = json.loads(Path(f"{out}.meta.json").read_text(encoding="utf-8"))
        assert meta["completions_scored"] == 7 and meta["limit"] == 7 and meta["preset"] == "graded"
        assert meta["rlvr_rewards"] == rr.__version__
        assert meta["inputs"]["data"]["sha256"] == hashlib.sha256(Path(rows).read_bytes()).hexdigest()
        assert meta["inputs"]["completions"]["sha256"] == hashlib.sha256(Path(completions).read_bytes()).hexdigest()
        assert meta["limits"]["max_chars"] == rr.DEFAULT_LIMITS.max_chars
        assert meta["seconds"] >= 0 and meta["started"].endswith("+00:00")
    assert "metadata" in capsys.readouterr().out


@pytest.mark.parametrize("bad", ["0", "-3", "many"])
def test_a_limit_that_is_not_a_positive_count_is_a_usage_error(bad: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["score", "--data", "x", "--completions", "y", "--limit", bad])
    assert exited.value.code == 2
    assert "--limit" in capsys.readouterr().err
