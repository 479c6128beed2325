"""This checkout's folders for the scripts of ``tools/``, and its test modules imported by their path.

``tests/`` is a package of the checkout, not an installed one (and another distribution may install a
top-level ``tests`` package into site-packages): :func:`tests_module` imports ``tests/<name>.py`` as
``tests.<name>`` from this checkout's folder, without putting anything on ``sys.path``, so the scripts share
the tests' helpers and inputs (``tests/helpers.py``, ``tests/reliability_inputs.py``, ...).

A script of ``tools/`` imports this module as ``_repo``: run as ``python tools/<script>.py``, its own folder
is the first entry of ``sys.path``.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

__all__ = ["DOCS", "ROOT", "TESTS", "checkout_package", "tests_module"]

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
TESTS = ROOT / "tests"


def checkout_package(name: str) -> ModuleType:
    """The package ``ROOT/<name>`` of this checkout, imported by its path unless it already is."""
    folder = ROOT / name
    loaded = sys.modules.get(name)
    if loaded is not None and Path(getattr(loaded, "__file__", None) or "").resolve().parent == folder:
        return loaded
    spec = importlib.util.spec_from_file_location(
        name, folder / "__init__.py", submodule_search_locations=[str(folder)]
    )
    if spec is None or spec.loader is None:
        raise ImportError(f"no package at {folder}")
    for key in [k for k in sys.modules if k == name or k.startswith(name + ".")]:
        del sys.modules[key]  # another package of that name (site-packages): not this checkout's
    package = importlib.util.module_from_spec(spec)
    sys.modules[name] = package
    try:
        spec.loader.exec_module(package)
    except BaseException:
        del sys.modules[name]
        raise
    return package


def tests_module(name: str) -> ModuleType:
    """``tests/<name>.py`` of this checkout, as ``tests.<name>`` (its relative imports work)."""
    checkout_package("tests")
    return importlib.import_module(f"tests.{name}")
