"""constraints/minimum.txt pins every dependency at the lower bound pyproject.toml declares, and nothing else.

.ci/run installs the project with those constraints in a second virtual environment and runs the `not slow`
tier there: this test keeps the two files from drifting apart, so that run proves the declared minimums.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
#: the extras .ci/run installs in both environments (and the testing kit's, a subset of test; parquet's and
#: report's, which the test extra holds too)
EXTRAS = ("test", "testing", "trl", "ray", "sagemaker", "parquet", "report")


def _declared() -> dict[str, Requirement]:
    if sys.version_info < (3, 11):
        pytest.skip("tomllib is Python 3.11+")
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = [Requirement(r) for r in project["dependencies"]]
    for extra in EXTRAS:
        reqs += [Requirement(r) for r in project["optional-dependencies"][extra]]
    out: dict[str, Requirement] = {}
    for r in reqs:
        out.setdefault(r.name.lower(), r)
    return out


def _lower_bound(req: Requirement) -> str:
    bounds = [s.version for s in req.specifier if s.operator in (">=", "==")]
    assert len(bounds) == 1, f"{req}: declare exactly one lower bound (>= or ==)"
    return bounds[0]


def _pinned() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / "constraints" / "minimum.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            req = Requirement(line)
            (spec,) = req.specifier
            assert spec.operator == "==", f"minimum.txt: {line!r} must pin with =="
            pins[req.name.lower()] = spec.version
    return pins


def test_every_declared_dependency_is_pinned_at_its_lower_bound() -> None:
    declared, pinned = _declared(), _pinned()
    wrong = {
        name: (_lower_bound(req), pinned.get(name))
        for name, req in declared.items()
        if pinned.get(name) is None or _release(pinned[name]) != _release(_lower_bound(req))
    }
    assert not wrong, f"declared lower bound vs minimum.txt pin: {wrong}"
    extra = set(pinned) - set(declared) - set(_test_command_pins())
    assert not extra, f"minimum.txt pins packages pyproject.toml does not declare: {sorted(extra)}"


def _test_command_pins() -> dict[str, str]:
    """Packages the README's test command pins itself (torch: the CPU build the tests run with, which no
    user-facing extra pins)."""
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Set up on a fresh machine", 1)[1].split("\n## ", 1)[0]
    test_command = re.findall(r"```bash\n(.*?)```", section, re.DOTALL)[1]
    first_install = test_command.split("&&")[0]
    return {m.group(1).lower(): m.group(2) for m in re.finditer(r"\b([A-Za-z][\w.-]*)==([\w.]+)", first_install)}


def test_torch_is_pinned_by_the_test_command_only() -> None:
    """No user-facing extra pins torch exactly (an exact pin resolves to a CUDA build and clashes with a
    user's GPU stack); the test command pins the CPU build, at the version minimum.txt runs with."""
    if sys.version_info < (3, 11):
        pytest.skip("tomllib is Python 3.11+")
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for extra, reqs in project["optional-dependencies"].items():
        for r in map(Requirement, reqs):
            assert not (r.name == "torch" and any(s.operator == "==" for s in r.specifier)), (extra, str(r))
    assert _test_command_pins().get("torch") == _pinned()["torch"]


def _release(version: str) -> tuple[int, ...]:
    """``1.24`` and ``1.24.0`` are the same lower bound."""
    parts = [int(p) for p in version.split(".")]
    while parts and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def test_ci_runs_the_not_slow_tier_against_the_minimums() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "constraints/minimum.txt" in ci and '-m "not slow"' in ci
