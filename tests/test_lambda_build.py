"""Building the Lambda artifact, running it in a clean interpreter, and the SageMaker SDK's own checker.

The artifact is built once per session for this interpreter's Python and architecture (so it can run
here); building needs the package index (pip download). Outside CI, a build that cannot reach the
index skips these tests with the reason; in CI it fails them.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from rlvr_rewards.aws_lambda import LambdaConfig
from rlvr_rewards.aws_lambda.build import BuildResult, build_artifact, invoke_artifact, local_arch, sam_template
from rlvr_rewards.errors import ConfigError

from .test_lambda import CALL, TRUTH, sample

pytestmark = pytest.mark.slow  # builds the Lambda artifact and runs it in fresh interpreters

PY = f"{sys.version_info[0]}.{sys.version_info[1]}"


@pytest.fixture(scope="session")
def artifact(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    out = tmp_path_factory.mktemp("lambda")
    try:
        return build_artifact(out, python=PY, arch=local_arch(), config={"preset": "graded"}, sam=True)
    except ConfigError as exc:
        if "could not download" in str(exc) and not os.environ.get("CI"):
            pytest.skip(f"cannot reach the package index to download wheels: {exc}")
        raise


def event_file(tmp_path: Path, event: Any) -> Path:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event))
    return path


def test_zip_holds_handler_package_and_dependencies(artifact: BuildResult) -> None:
    with zipfile.ZipFile(artifact.zip_path) as zf:
        names = set(zf.namelist())
        info = json.loads(zf.read("rlvr_build.json"))
        stamps = {i.date_time for i in zf.infolist()}
    assert "lambda_function.py" in names and "rlvr_rewards/__init__.py" in names
    assert "rlvr_rewards/data/example_rows.jsonl" in names
    for top in ("numpy/__init__.py", "pydantic/__init__.py", "jsonschema/__init__.py", "pluggy/__init__.py",
                "orjson/__init__.py", "pydantic_core/__init__.py"):
        assert top in names, top
    assert not any(n.endswith(".pyc") or "__pycache__" in n for n in names)
    assert info["python"] == PY and info["config"] == {}  # graded is the default: nothing to bundle
    assert stamps == {(2020, 1, 1, 0, 0, 0)}  # deterministic
    assert artifact.zipped_bytes < 50 * 2**20 and artifact.unzipped_bytes < 250 * 2**20
    assert artifact.handler_path.read_text() == zipfile.ZipFile(artifact.zip_path).read("lambda_function.py").decode()


def test_artifact_runs_in_a_clean_interpreter_that_sees_only_the_zip(artifact: BuildResult, tmp_path: Path) -> None:
    event = [sample("a"), sample("b", content="Which city?"), {"messages": []}]
    out = invoke_artifact(artifact.zip_path, event_file(tmp_path, event))
    root = out["root"]
    assert all(path.startswith(root) for path in out["modules"].values()), out["modules"]
    assert not any("site-packages" in p for p in out["sys_path"])
    results = json.loads(out["result"]["body"])
    assert [r["id"] for r in results] == ["a", "b", None]
    assert results[0]["aggregate_reward_score"] == 1.0


def test_invoke_from_the_command_line(artifact: BuildResult, tmp_path: Path) -> None:
    ev = event_file(tmp_path, [sample("cli")])
    proc = subprocess.run([sys.executable, "-m", "rlvr_rewards.cli", "lambda", "invoke", "--artifact",
                           str(artifact.zip_path), "--event", str(ev)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(json.loads(proc.stdout)["body"])[0]["id"] == "cli"
    assert "clean interpreter" in proc.stderr


def test_invoke_refuses_an_artifact_for_another_python(artifact: BuildResult, tmp_path: Path) -> None:
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(artifact.zip_path) as src, zipfile.ZipFile(other, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "rlvr_build.json":
                info = json.loads(data)
                info["python"] = "3.99"
                data = json.dumps(info).encode()
            dst.writestr(item, data)
    with pytest.raises(ConfigError, match=r"built for Python 3\.99"):
        invoke_artifact(other, event_file(tmp_path, []))


def test_sam_template(artifact: BuildResult) -> None:
    assert artifact.template_path is not None
    text = artifact.template_path.read_text()
    assert re.search(r'FunctionName: !Sub "SageMaker-', text)
    timeout = int(re.search(r"Timeout: (\d+)", text).group(1))  # type: ignore[union-attr]
    memory = int(re.search(r"MemorySize: (\d+)", text).group(1))  # type: ignore[union-attr]
    assert 3 <= timeout <= 900 and 128 <= memory <= 10240
    actions = re.findall(r"(?:- |Action: )(\w+:\w+)", text)
    assert set(actions) == {"logs:CreateLogStream", "logs:PutLogEvents", "sts:AssumeRole"}
    assert "${RewardLogGroup.Arn}:*" in text  # scoped to its own log group, not "*"
    assert f"Runtime: python{PY}" in text and "Handler: lambda_function.lambda_handler" in text


@pytest.mark.parametrize("arch", ["x86_64", "arm64"])
def test_default_sam_template_passes_cfn_lint(tmp_path: Path, arch: str) -> None:
    # the template for the default runtime (the session artifact targets this interpreter's Python,
    # which AWS may already have deprecated as a Lambda runtime)
    if shutil.which("cfn-lint") is None:
        if os.environ.get("CI"):
            pytest.fail("cfn-lint is in the test extra but not installed")
        pytest.skip("cfn-lint (test extra) is not installed")
    path = tmp_path / "template.yaml"
    path.write_text(sam_template(LambdaConfig(), "3.12", arch))
    proc = subprocess.run(["cfn-lint", str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_build_rejects_bad_configuration(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="registered presets"):
        build_artifact(tmp_path, python=PY, config={"preset": "nope"})
    with pytest.raises(ConfigError, match="invalid Lambda configuration"):
        build_artifact(tmp_path, python=PY, config={"output_style": "xml"})
    with pytest.raises(ConfigError, match="--arch"):
        build_artifact(tmp_path, python=PY, arch="sparc")
    assert not (tmp_path / "reward.zip").exists()




@pytest.mark.parametrize("style", ["oss", "nova"])
def test_sagemaker_sdk_verifier_passes(artifact: BuildResult, style: str, monkeypatch: pytest.MonkeyPatch) -> None:
    mod = pytest.importorskip(
        "sagemaker.train.common_utils.rlvr_reward_verifier",
        reason="the 'sagemaker' extra (sagemaker-train) is not installed; CI installs it",
    )
    monkeypatch.setenv("RLVR_OUTPUT_STYLE", style)
    samples = [
        sample("a"),
        sample("b", content=CALL.replace("Paris", "Lyon")),
        {"id": "c", "messages": [{"role": "user", "content": "Weather?"},
                                 {"role": "assistant", "content": "Which city do you mean?"}],
         "reference_answer": "Could you please specify the location?"},
        {"id": "d", "messages": [{"role": "assistant", "content": 42}], "reference_answer": TRUTH},
    ]
    report = mod.verify_reward_function(str(artifact.handler_path), samples, is_nova=(style == "nova"))
    assert report["success"] is True
    assert report["total_samples"] == 4 and report["successful_samples"] == 4
    scores = [r["output"]["aggregate_reward_score"] for r in report["results"]]
    assert scores[0] == 1.0 and 0 < scores[1] < 1 and scores[2] == 1.0 and scores[3] == 0.0


def test_platform_is_known() -> None:
    assert local_arch() in ("x86_64", "arm64") and platform.machine()
