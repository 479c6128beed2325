"""Baseline (d): BFCL's official ``ast_checker`` against ``rr.score_batch(..., preset="bfcl")`` on the same cases.

Cases: every question of the BFCL v4 Python AST categories with a possible answer (simple_python,
multiple, parallel, parallel_multiple and their live_ variants), each with its correct output and the
semantic mutations of ``tests/bfcl_agreement.py`` (wrong name, missing/extra argument, wrong value or
type, dropped optional, dropped/reordered/added parallel call), so about a third pass.

- official: ``ast_checker(functions, decoded_output, possible_answer, Language.PYTHON, category, model)``
  per case, given the calls **already decoded** (BFCL decodes model text in a separate step, not timed);
- ours: one ``rr.score_batch`` per category on the same outputs as **raw Hermes text** (parsing
  included) with the BFCL answers as truths and the question's functions as tools.

Needs ``bfcl-eval`` (installed ``--no-deps`` by the test command); the checker is loaded the way the
agreement test loads it (model registry stubbed, ``BFCL_PROJECT_ROOT`` in a temporary directory).
Before timing, both sides' verdicts are compared: they must agree on at least 99.9 % of the cases.
"""

from __future__ import annotations

import gc
import importlib
import importlib.util
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _agreement_module() -> ModuleType:
    """``tests/bfcl_agreement.py`` of this checkout as ``tests.bfcl_agreement``, imported by its path: tests/ is
    a package of the checkout, not on ``sys.path`` (and an installed distribution may bring its own ``tests``).
    tools/_repo.py does the same for the scripts of tools/."""
    folder = ROOT / "tests"
    tests = sys.modules.get("tests")
    if tests is None or Path(getattr(tests, "__file__", None) or "").resolve().parent != folder:
        spec = importlib.util.spec_from_file_location(
            "tests", folder / "__init__.py", submodule_search_locations=[str(folder)]
        )
        assert spec is not None and spec.loader is not None, folder
        for key in [k for k in sys.modules if k == "tests" or k.startswith("tests.")]:
            del sys.modules[key]
        tests = importlib.util.module_from_spec(spec)
        sys.modules["tests"] = tests
        spec.loader.exec_module(tests)
    return importlib.import_module("tests.bfcl_agreement")


ba = _agreement_module()

__all__ = ["AST_CATEGORIES", "build_cases", "run"]

#: The agreement test's categories whose answers are calls (the AST checker's), in its order.
AST_CATEGORIES = tuple(c for c in ba.CATEGORIES if not c.endswith("irrelevance"))


def build_cases() -> dict[str, dict[str, list[Any]]]:
    """Per category: decoded outputs, raw Hermes texts, possible answers and function lists."""
    cases: dict[str, dict[str, list[Any]]] = {}
    for category in AST_CATEGORIES:
        c: dict[str, list[Any]] = {"outputs": [], "texts": [], "answers": [], "functions": []}
        for question, answer in ba.load_category(category):
            assert answer is not None
            for _, output in ba.mutations(question, answer):
                c["outputs"].append(output)
                c["texts"].append(ba.render(output, "hermes"))
                c["answers"].append(answer)
                c["functions"].append(question["function"])
        cases[category] = c
    return cases


def run(repeats: int = 5, out: Callable[[str], None] = print) -> dict[str, Any]:
    """Check agreement, then time both sides ``repeats`` times, interleaved; return the figures."""
    import rlvr_rewards as rr

    ast_checker, language = ba.load_checker()
    cases = build_cases()
    n = sum(len(c["texts"]) for c in cases.values())

    def official() -> list[bool]:
        verdicts = []
        for category, c in cases.items():
            for functions, output, answer in zip(c["functions"], c["outputs"], c["answers"], strict=True):
                result = ast_checker(functions, output, answer["ground_truth"], language.PYTHON, category, "stub")
                verdicts.append(bool(result["valid"]))
        return verdicts

    def ours() -> list[bool]:
        verdicts: list[bool] = []
        for c in cases.values():
            batch = rr.score_batch(c["texts"], c["answers"], tools=c["functions"], preset="bfcl")
            verdicts.extend(bool(r == 1.0) for r in batch.rewards)
        return verdicts

    first_official, first_ours = official(), ours()
    agree = sum(a == b for a, b in zip(first_official, first_ours, strict=True)) / n
    passed = sum(first_official) / n
    if agree < 0.999:
        raise AssertionError(f"bfcl preset and ast_checker agree on only {100 * agree:.3f} % of {n} cases")
    if official() != first_official:
        raise AssertionError("ast_checker gave different verdicts on a second run (it mutated its inputs)")
    times: dict[str, list[float]] = {"ast_checker": [], "rr_bfcl": []}
    for _ in range(repeats):
        for name, fn in (("ast_checker", official), ("rr_bfcl", ours)):
            gc.collect()
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    med = {k: statistics.median(v) for k, v in times.items()}
    cps = {k: n / med[k] for k in med}
    ratio = cps["rr_bfcl"] / cps["ast_checker"]
    out(
        f"[bfcl] {n} cases over {len(cases)} categories ({100 * passed:.1f} % pass); verdicts agree on "
        f"{100 * agree:.3f} %; median of {repeats} interleaved repeats:"
    )
    out(f"  ast_checker (pre-decoded calls)  {med['ast_checker']:.4f} s  {cps['ast_checker']:>12,.0f} cases/s")
    out(f"  rr.score_batch bfcl (raw text)   {med['rr_bfcl']:.4f} s  {cps['rr_bfcl']:>12,.0f} cases/s")
    out(f"  ratio rr / ast_checker: {ratio:.2f}x")
    return {
        "n_cases": n,
        "pass_share": passed,
        "agreement": agree,
        "times_s": times,
        "median_s": med,
        "cases_per_s": cps,
        "ratio": ratio,
    }
