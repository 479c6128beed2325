"""Repository contracts: the README's two set-up commands, .ci/run running the test one verbatim,
generated docs up to date, the bundled example data as documented, and lint/type checks."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

import rlvr_rewards as rr

ROOT = Path(__file__).resolve().parent.parent


def _readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Set up on a fresh machine", 1)[1].split("\n## ", 1)[0]
    return [b.strip() for b in re.findall(r"```bash\n(.*?)```", section, re.DOTALL)]


def test_readme_has_exactly_two_setup_commands() -> None:
    commands = _readme_commands()
    assert len(commands) == 2
    assert commands[0].endswith("rlvr-rewards demo")
    assert re.search(r"\[test[,\]]", commands[1]) and "pytest" in commands[1]


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert _readme_commands()[1] in ci


def test_generated_docs_are_up_to_date() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "gen_docs.py"), "--check"], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_example_data_matches_its_description() -> None:
    data = resources.files("rlvr_rewards") / "data"
    rows = [json.loads(x) for x in (data / "example_rows.jsonl").read_text().splitlines() if x.strip()]
    comps = [json.loads(x) for x in (data / "example_completions.jsonl").read_text().splitlines() if x.strip()]
    blog = [json.loads(x) for x in (data / "blog_rows.jsonl").read_text().splitlines() if x.strip()]
    kinds = [r["reward_model"]["ground_truth"]["behavior"] for r in rows]
    assert (len(rows), kinds.count("execute"), kinds.count("clarify"), kinds.count("refuse")) == (60, 36, 15, 9)
    tool_names = {t["function"]["name"] for r in rows for t in r["extra_info"]["tools"]}
    assert len(tool_names) == 5
    assert len(comps) == 240 and {c["id"] for c in comps} == {r["id"] for r in rows}
    assert len(blog) == 20 and all(isinstance(r["reward_model"]["ground_truth"], str) for r in blog)


@pytest.mark.parametrize(
    "script",
    [
        "build_example_data.py",
        "build_behavior_corpus.py",
        "build_behavior_heldout.py",
        "build_refusal_corpus.py",
        "build_refusal_blind.py",
    ],
)
def test_data_generators_are_in_sync(script: str) -> None:
    path = ROOT / "tools" / script
    if not path.exists():
        pytest.skip(f"{script} not present")
    proc = subprocess.run([sys.executable, str(path), "--check"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_bundled_correct_completions_earn_full_reward() -> None:
    data = resources.files("rlvr_rewards") / "data"
    rows = {r["id"]: r for r in map(json.loads, (data / "example_rows.jsonl").read_text().splitlines())}
    comps = [json.loads(x) for x in (data / "example_completions.jsonl").read_text().splitlines()]
    correct = [c for c in comps if c["label"] == "correct"]
    b = rr.score_batch([c["completion"] for c in correct], [rows[c["id"]] for c in correct])
    bad = [(c["id"], b.reasons[i]) for i, c in enumerate(correct) if b.rewards[i] != 1.0]
    assert not bad, bad
    wrong = [c for c in comps if c["label"] != "correct"]
    w = rr.score_batch([c["completion"] for c in wrong], [rows[c["id"]] for c in wrong])
    assert (w.rewards < 1.0).all(), [(c["id"], c["label"]) for i, c in enumerate(wrong) if w.rewards[i] >= 1.0]


def _require(module: str) -> None:
    """The linters are in the test extra (pinned, so every run lints alike): CI must have them."""
    try:
        __import__(module)
    except ImportError:
        import os

        if os.environ.get("CI"):
            pytest.fail(f"{module} is in the test extra and CI must install it")
        pytest.skip(f"{module} is in the test extra; not installed here")


def test_ruff_clean() -> None:
    _require("ruff")
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "rlvr_rewards", "tests", "tools", "benchmarks"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.slow
def test_mypy_clean() -> None:
    _require("mypy")
    proc = subprocess.run([sys.executable, "-m", "mypy", "rlvr_rewards"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruff_format_clean() -> None:
    _require("ruff")
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "."], cwd=ROOT, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_lint_config_holds_the_project_rules() -> None:
    """The complexity rule and strict typing are configured (so the two checks above enforce them)."""
    text = (ROOT / "pyproject.toml").read_text()
    assert re.search(r"(?m)^max-complexity = 12$", text), "ruff's mccabe max-complexity must be 12"
    assert re.search(r'(?m)^select = \[.*"C90".*\]$', text), "ruff must select C90 (complexity)"
    assert re.search(r"(?m)^strict = true$", text), "mypy must run strict"


def test_pre_commit_runs_the_checks_ci_runs() -> None:
    config = (ROOT / ".pre-commit-config.yaml").read_text()
    for entry in (
        "python -m ruff format --check",
        "python -m ruff check",
        "python -m mypy rlvr_rewards",
        "python tools/gen_docs.py --check",
    ):
        assert f"entry: {entry}\n" in config, entry


def test_the_version_is_written_once() -> None:
    """pyproject.toml holds it; the package reads the installed distribution's; the changelog's newest
    release is it."""
    from importlib.metadata import version

    declared = re.search(r'(?m)^version = "([^"]+)"$', (ROOT / "pyproject.toml").read_text())
    assert declared is not None
    assert rr.__version__ == version("rlvr-rewards") == declared.group(1)
    literal = re.compile(r"__version__\s*=\s*['\"]")
    assert not [p for p in (ROOT / "rlvr_rewards").rglob("*.py") if literal.search(p.read_text(encoding="utf-8"))]
    newest = re.search(r"(?m)^## \[([^\]]+)\]", (ROOT / "CHANGELOG.md").read_text())
    assert newest is not None and newest.group(1) == declared.group(1)
