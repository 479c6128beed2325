"""Building the Lambda artifact, running it in a clean interpreter, and the SageMaker SDK's own checker.

Fast tests check the lock (every target, every transitive dependency, a sha256 each), the package files (never
an untracked file, never a test folder), the deterministic zip and the build's refusals, without the network.
The slow ones build the artifact for this interpreter's Python and architecture (so it can run here), which
downloads the locked wheels from the package index: outside CI, a build that cannot reach the index skips
them with the reason; in CI it fails them.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import platform
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

import rlvr_rewards.aws_lambda.build as build
from rlvr_rewards.aws_lambda import LambdaConfig, lock
from rlvr_rewards.aws_lambda.build import (
    ARCHES,
    TARGETS,
    BuildResult,
    LockedWheel,
    build_artifact,
    compile_bytecode,
    fetch_wheels,
    invoke_artifact,
    local_arch,
    locked_wheels,
    package_files,
    platform_tags,
    sam_template,
    write_zip,
)
from rlvr_rewards.errors import ConfigError

from .test_lambda import CALL, TRUTH, sample

PY = f"{sys.version_info[0]}.{sys.version_info[1]}"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def wheel_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The locked wheels, downloaded once per session and shared by every build."""
    return tmp_path_factory.mktemp("wheels")


def _build(out: Path, wheel_dir: Path, **kwargs: Any) -> BuildResult:
    try:
        return build_artifact(out, python=PY, arch=local_arch(), wheel_dir=wheel_dir, **kwargs)
    except ConfigError as exc:
        if not os.environ.get("CI"):
            pytest.skip(f"cannot build the artifact here (the package index is needed for the wheels): {exc}")
        raise


@pytest.fixture(scope="session")
def artifact(tmp_path_factory: pytest.TempPathFactory, wheel_dir: Path) -> BuildResult:
    return _build(tmp_path_factory.mktemp("lambda"), wheel_dir, config={"preset": "graded"}, sam=True)


# --------------------------------------------------------------------------------------------------------------------
# The lock (offline)
# --------------------------------------------------------------------------------------------------------------------


def test_the_lock_is_up_to_date_with_pyproject_and_the_targets() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "lock_lambda.py"), "--check"], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert set(lock.TARGETS) == {f"{p}-{a}" for p in TARGETS for a in ARCHES}


@pytest.mark.parametrize("target", sorted(lock.TARGETS))
def test_the_lock_pins_every_dependency_to_one_wheel_of_its_target(target: str) -> None:
    python, arch = target.split("-")
    wheels = locked_wheels(python, arch)
    names = [re.sub(r"[-_.]+", "-", w.name).lower() for w in wheels]
    assert len(names) == len(set(names))
    direct = {re.split(r"[<>=!~; \[]", r, maxsplit=1)[0].lower() for r in lock.REQUIREMENTS}
    assert direct <= set(names)
    # transitive ones too: pydantic's core and annotated-types, jsonschema's referencing and rpds-py
    assert {"pydantic-core", "annotated-types", "referencing", "rpds-py", "jsonschema-specifications"} <= set(names)
    nodot = python.replace(".", "")
    allowed = set(platform_tags(python, arch)) | {"any"}
    for w in wheels:
        assert re.fullmatch(r"[0-9a-f]{64}", w.sha256), w
        assert w.file.endswith(".whl") and w.file.split("-")[1] == w.version, w
        py_tag, abi_tag, plat_tag = w.file[:-4].split("-")[-3:]
        assert set(plat_tag.split(".")) & allowed, w.file  # a manylinux tag the target's glibc loads
        assert abi_tag in (f"cp{nodot}", "abi3", "none") and (
            f"cp{nodot}" in py_tag or "py3" in py_tag or abi_tag == "abi3"
        ), w.file


def test_platform_tags_follow_the_runtimes_glibc() -> None:
    assert platform_tags("3.11", "x86_64")[0] == "manylinux_2_26_x86_64"  # Amazon Linux 2
    assert platform_tags("3.12", "arm64")[0] == "manylinux_2_34_aarch64"  # Amazon Linux 2023
    assert "manylinux_2_28_x86_64" not in platform_tags("3.10", "x86_64")
    assert platform_tags("3.13", "x86_64")[-1] == "manylinux2014_x86_64"


def test_a_stale_lock_or_an_unlocked_target_fails_the_build(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="supports Python"):
        build_artifact(tmp_path, python="3.9")
    monkeypatch.setattr(lock, "REQUIREMENTS", ("numpy>=1.24",))
    with pytest.raises(ConfigError, match=r"tools/lock_lambda\.py"):
        build_artifact(tmp_path, python="3.12")
    monkeypatch.setattr(lock, "TARGETS", {})
    with pytest.raises(ConfigError, match=r"no wheels for Python 3\.12"):
        locked_wheels("3.12", "x86_64")
    assert not (tmp_path / "reward.zip").exists()


def test_wheels_are_fetched_by_hash_only(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A cached file is used only with the locked hash; the others go to pip download --no-deps
    --require-hashes, whose requirements carry the hashes; a file with another hash fails the build."""
    good, bad = b"a wheel", b"not the wheel"
    wheels = [
        LockedWheel("a", "1.0", "a-1.0-py3-none-any.whl", hashlib.sha256(good).hexdigest()),
        LockedWheel("b", "2.0", "b-2.0-py3-none-any.whl", hashlib.sha256(good + b"b").hexdigest()),
    ]
    (tmp_path / wheels[0].file).write_bytes(good)
    (tmp_path / wheels[1].file).write_bytes(bad)
    calls: list[tuple[list[str], str]] = []

    def run_pip(args: list[str], what: str, env: Any = None) -> None:
        requirements = Path(args[args.index("-r") + 1]).read_text()
        calls.append((args, requirements))

    monkeypatch.setattr(build, "_run_pip", run_pip)
    with pytest.raises(ConfigError, match="has sha256"):
        fetch_wheels(wheels, "3.12", "x86_64", tmp_path)
    [(args, requirements)] = calls
    assert args[0] == "download" and {"--no-deps", "--require-hashes", "--only-binary=:all:"} <= set(args)
    assert requirements == f"b==2.0 --hash=sha256:{wheels[1].sha256}\n"  # only the missing one
    (tmp_path / wheels[1].file).write_bytes(good + b"b")
    calls.clear()
    assert set(fetch_wheels(wheels, "3.12", "x86_64", tmp_path)) == {w.file for w in wheels} and not calls


def test_pip_runs_without_local_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIP_FIND_LINKS", "/somewhere")
    monkeypatch.setenv("PIP_EXTRA_INDEX_URL", "file:///elsewhere")
    env = build.pip_environment()
    assert env["PIP_CONFIG_FILE"] == os.devnull and "PIP_FIND_LINKS" not in env and "PIP_EXTRA_INDEX_URL" not in env


# --------------------------------------------------------------------------------------------------------------------
# The package's files and the zip (offline)
# --------------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "skipped"),
    [
        ("numpy/_core/tests/test_x.py", True),
        ("jsonschema/tests/__init__.py", True),
        ("pkg/test/data.json", True),
        ("tests/conftest.py", True),
        ("rlvr_rewards/tests/x.py", True),
        ("a/__pycache__/b.cpython-312.pyc", True),
        ("a/b.pyc", True),
        ("rlvr_rewards/testing/strategies.py", True),
        ("numpy/testing/__init__.py", False),
        ("attestations/x.py", False),
        ("pkg/latest/x.py", False),
        ("rlvr_rewards/groundtruth/toolspecs.py", False),
    ],
)
def test_what_the_zip_leaves_out(name: str, skipped: bool) -> None:
    assert bool(build._SKIP.search(name)) == skipped


def _checkout(tmp: Path) -> Path:
    """A git checkout of this repository's tracked top-level and package files (their work-tree contents)."""
    tracked = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True, check=True)
    root = tmp / "checkout"
    for rel in tracked.stdout.decode().split("\0"):
        if rel and ("/" not in rel or rel.startswith("rlvr_rewards/")) and (ROOT / rel).is_file():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ROOT / rel, root / rel)
    subprocess.run(["git", "-C", str(root), "init", "-q"], check=True)
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    return root


LEAKS = [
    "rlvr_rewards/.env.local",
    "rlvr_rewards/scratch.py",
    "rlvr_rewards/tests/test_leak.py",
    "rlvr_rewards/data/private.jsonl",
]


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs git and this repository's checkout")
    root = _checkout(tmp_path_factory.mktemp("repo"))
    for rel in LEAKS:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("AWS_SECRET_ACCESS_KEY=leak\n")
    (root / "rlvr_rewards" / "tests" / "test_tracked.py").write_text("x = 1\n")
    subprocess.run(["git", "-C", str(root), "add", "rlvr_rewards/tests/test_tracked.py"], check=True)
    return root


def test_package_files_from_a_checkout_are_the_tracked_ones(checkout: Path) -> None:
    """Untracked files in the package folder (an .env.local, a scratch module, a tests/ folder) never reach
    the artifact, nor does a tracked tests/ folder; the build reports the untracked ones."""
    found = package_files(root=checkout)
    names = set(found.files)
    assert not names & set(LEAKS) and "rlvr_rewards/tests/test_tracked.py" not in names
    assert not any(b"AWS_SECRET_ACCESS_KEY" in data for data in found.files.values())
    tracked = subprocess.run(
        ["git", "-C", str(checkout), "ls-files", "rlvr_rewards"], capture_output=True, text=True, check=True
    ).stdout.split()
    want = {
        t
        for t in tracked
        if not build._SKIP.search(t) and (t.endswith(".py") or t.endswith(".jsonl") or t.endswith("py.typed"))
    }
    assert names == want  # what the wheel of the tracked files holds: modules and package data
    assert {"rlvr_rewards/.env.local", "rlvr_rewards/scratch.py", "rlvr_rewards/data/private.jsonl"} <= set(
        found.untracked
    )
    assert found.files["rlvr_rewards/__init__.py"] == (checkout / "rlvr_rewards" / "__init__.py").read_bytes()


def test_package_files_of_an_installed_wheel_are_its_record(checkout: Path, tmp_path: Path) -> None:
    wheel = build._wheel_of_checkout(checkout, build._tracked_files(checkout) or [], tmp_path / "w")
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as wz:
        wz.extractall(site)
    (site / "rlvr_rewards" / ".env.local").write_text("leak")  # not in the RECORD
    (site / "rlvr_rewards" / "__pycache__").mkdir(exist_ok=True)
    dist = next(iter(metadata.distributions(path=[str(site)])))
    found = package_files(dist=dist)
    assert "rlvr_rewards/.env.local" not in found.files and "rlvr_rewards/__init__.py" in found.files
    assert found.files == package_files(root=checkout).files


def test_the_zip_is_deterministic(tmp_path: Path) -> None:
    entries = {"b/x.py": b"x" * 1000, "a.py": b"print(1)\n", "lambda_function.py": b"handler = 1\n"}
    one = write_zip(tmp_path / "one.zip", entries)
    two = write_zip(tmp_path / "two.zip", dict(reversed(list(entries.items()))))
    assert one == two == hashlib.sha256((tmp_path / "one.zip").read_bytes()).hexdigest()
    with zipfile.ZipFile(tmp_path / "one.zip") as zf:
        infos = zf.infolist()
    assert [i.filename for i in infos] == sorted(entries)
    assert {(i.date_time, i.external_attr, i.create_system, i.compress_type) for i in infos} == {
        ((2020, 1, 1, 0, 0, 0), 0o644 << 16, 3, zipfile.ZIP_DEFLATED)
    }


# --------------------------------------------------------------------------------------------------------------------
# The artifact (slow: downloads the locked wheels)
# --------------------------------------------------------------------------------------------------------------------


def event_file(tmp_path: Path, event: Any) -> Path:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event))
    return path


@pytest.mark.slow
def test_zip_holds_handler_package_and_locked_dependencies(artifact: BuildResult) -> None:
    with zipfile.ZipFile(artifact.zip_path) as zf:
        names = set(zf.namelist())
        info = json.loads(zf.read("rlvr_build.json"))
        stamps = {i.date_time for i in zf.infolist()}
    assert "lambda_function.py" in names and "rlvr_rewards/__init__.py" in names
    assert "rlvr_rewards/data/example_rows.jsonl" in names
    for top in (
        "numpy/__init__.py",
        "pydantic/__init__.py",
        "jsonschema/__init__.py",
        "pluggy/__init__.py",
        "orjson/__init__.py",
        "pydantic_core/__init__.py",
    ):
        assert top in names, top
    # the only bytecode is what the build compiled for this Python: a PEP 3147 file beside each source
    tag = sys.implementation.cache_tag
    compiled = {n for n in names if n.endswith(".pyc") or "__pycache__" in n}
    assert compiled and all(re.fullmatch(rf"(?:.*/)?__pycache__/[^/]+\.{tag}\.pyc", n) for n in compiled)
    assert {importlib.util.source_from_cache(n) for n in compiled} <= names
    for module in (
        "lambda_function",
        "rlvr_rewards/__init__",
        "rlvr_rewards/scoring/core",
        "numpy/__init__",
        "pydantic/__init__",
        "jsonschema/__init__",
    ):
        assert importlib.util.cache_from_source(module + ".py") in compiled, module
    assert info["bytecode"] == artifact.bytecode == tag
    assert not any(re.search(r"(?:^|/)tests?/", n) for n in names)  # no test folders, ours or the dependencies'
    assert not any(n.startswith("rlvr_rewards/testing/") for n in names)
    assert info["python"] == PY and info["config"] == {}  # graded is the default: nothing to bundle
    locked = locked_wheels(PY, local_arch())
    assert info["wheels"] == {w.file: w.sha256 for w in locked}
    assert info["requirements"] == [f"{w.name}=={w.version}" for w in locked] == list(artifact.requirements)
    assert stamps == {(2020, 1, 1, 0, 0, 0)}  # deterministic
    assert artifact.zipped_bytes < 50 * 2**20 and artifact.unzipped_bytes < 250 * 2**20
    assert artifact.handler_path.read_text() == zipfile.ZipFile(artifact.zip_path).read("lambda_function.py").decode()


@pytest.mark.slow
def test_artifact_runs_in_a_clean_interpreter_that_sees_only_the_zip(artifact: BuildResult, tmp_path: Path) -> None:
    event = [sample("a"), sample("b", content="Which city?"), {"messages": []}]
    out = invoke_artifact(artifact.zip_path, event_file(tmp_path, event))
    root = out["root"]
    assert all(path.startswith(root) for path in out["modules"].values()), out["modules"]
    assert not any("site-packages" in p for p in out["sys_path"])
    results = json.loads(out["result"]["body"])
    assert [r["id"] for r in results] == ["a", "b", None]
    assert results[0]["aggregate_reward_score"] == 1.0


@pytest.mark.slow
def test_the_artifact_imports_its_modules_from_the_bytecode(artifact: BuildResult) -> None:
    """Extracted read-only as Lambda's /var/task is, every module the handler imports from the zip comes from
    its compiled file (``-v``: "code object from '...pyc'"), none is compiled from source."""
    with tempfile.TemporaryDirectory(prefix="rlvr-ro-") as tmp:
        zipfile.ZipFile(artifact.zip_path).extractall(tmp)
        code = (
            "import sys; sys.path.insert(0, sys.argv[1]); import lambda_function; "
            "from rlvr_rewards.aws_lambda import warm_up; warm_up()"
        )
        proc = subprocess.run(
            [sys.executable, "-S", "-E", "-s", "-B", "-v", "-c", code, tmp],
            capture_output=True,
            text=True,
            cwd=tmp,
            env={"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8"},
        )
    assert proc.returncode == 0, proc.stderr[-2000:]
    loaded = re.findall(r"^# code object from (.+)$", proc.stderr, flags=re.M)
    ours = [x for x in loaded if tmp in x]
    from_source = [x for x in ours if not x.endswith(".pyc'")]
    assert len(ours) > 100 and not from_source, from_source[:5]


@pytest.mark.slow
def test_bytecode_makes_the_first_event_cheaper(artifact: BuildResult, tmp_path: Path) -> None:
    """The import and a first event of the artifact as built over the same artifact as sources only (both
    started as the runtime starts them, nothing written), interleaved: a ratio under the ceiling of
    floors.json (measured 0.42, benchmarks/README.md "lambda-cold")."""
    from .helpers import BENCH_DIR, benchmark

    bench = benchmark("bench_lambda_cold")
    extract, measure = bench.extract, bench.measure

    ceiling = json.loads((BENCH_DIR / "floors.json").read_text(encoding="utf-8"))["per_item_ceilings"][
        "lambda_cold_first_event"
    ]
    got = measure(
        extract(artifact.zip_path, tmp_path / "bytecode", bytecode=True),
        extract(artifact.zip_path, tmp_path / "sources", bytecode=False),
        repeats=3,
    )
    print(f"first event, bytecode / sources: {got['first_event_ratio']:.2f}x (ceiling {ceiling})")
    assert got["first_event_ratio"] <= ceiling, got


def test_compile_bytecode_writes_checked_hash_files_for_this_python_only() -> None:
    entries = {
        "pkg/__init__.py": b"X = {'a', 'b', 'c'}\n",
        "pkg/mod.py": b"def f():\n    return 'x'\n",
        "broken.py": b"def (:\n",
        "pkg/data.json": b"{}",
        "top.py": b"import pkg\n",
    }
    first = compile_bytecode(entries, PY)
    assert first is not None and first == compile_bytecode(entries, PY)  # the same bytes every time
    tag, files = first
    assert tag == sys.implementation.cache_tag
    assert sorted(files) == sorted(
        importlib.util.cache_from_source(n) for n in ("pkg/__init__.py", "pkg/mod.py", "top.py")
    )  # broken.py: source only
    for cfile, data in files.items():
        source = entries[importlib.util.source_from_cache(cfile)]
        assert data[:4] == importlib.util.MAGIC_NUMBER
        assert struct.unpack("<I", data[4:8])[0] == 0b11  # PEP 552: hash-based, checked against the source
        assert data[8:16] == importlib.util.source_hash(source)
    other = "3.10" if PY != "3.10" else "3.12"
    assert compile_bytecode(entries, other) is None


@pytest.mark.slow
def test_invoke_from_the_command_line(artifact: BuildResult, tmp_path: Path) -> None:
    ev = event_file(tmp_path, [sample("cli")])
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "rlvr_rewards.cli",
            "lambda",
            "invoke",
            "--artifact",
            str(artifact.zip_path),
            "--event",
            str(ev),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(json.loads(proc.stdout)["body"])[0]["id"] == "cli"
    assert "clean interpreter" in proc.stderr


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
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
        {
            "id": "c",
            "messages": [
                {"role": "user", "content": "Weather?"},
                {"role": "assistant", "content": "Which city do you mean?"},
            ],
            "reference_answer": "Could you please specify the location?",
        },
        {"id": "d", "messages": [{"role": "assistant", "content": 42}], "reference_answer": TRUTH},
    ]
    report = mod.verify_reward_function(str(artifact.handler_path), samples, is_nova=(style == "nova"))
    assert report["success"] is True
    assert report["total_samples"] == 4 and report["successful_samples"] == 4
    scores = [r["output"]["aggregate_reward_score"] for r in report["results"]]
    assert scores[0] == 1.0 and 0 < scores[1] < 1 and scores[2] == 1.0 and scores[3] == 0.0


@pytest.mark.slow
def test_the_same_inputs_build_the_same_bytes(
    artifact: BuildResult, wheel_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A second build (another directory, the wheels from the cache) gives the same sha256, printed and written
    beside the zip."""
    again = _build(tmp_path, wheel_dir, config={"preset": "graded"})
    assert again.sha256 == artifact.sha256 == hashlib.sha256(again.zip_path.read_bytes()).hexdigest()
    assert again.zip_path.read_bytes() == artifact.zip_path.read_bytes()
    assert f"sha256 {again.sha256}" in capsys.readouterr().out
    assert (tmp_path / "reward.zip.sha256").read_text() == f"{again.sha256}  reward.zip\n"


def test_platform_is_known() -> None:
    assert local_arch() in ("x86_64", "arm64") and platform.machine()
