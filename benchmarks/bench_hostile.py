"""Worst time per completion over the hostile corpus, as a multiple of the median (and in milliseconds).

    python benchmarks/bench_hostile.py                  # measure and print
    python benchmarks/bench_hostile.py --update-readme  # ... and rewrite the section in benchmarks/README.md

The corpus is ``tests/hostile_corpus.py``: families of generated hostile inputs at 200,000 characters
(the default ``Limits.max_chars``), each scored against the truth and tools it was built for (compiled
beforehand: they are the user's data, compiled once per distinct value). Each case is timed with
``rr.score`` (one call per item, the costliest way hosts call us), best of 3, garbage collector off, in a
fresh interpreter. Printed: per family the number of cases, median and worst; overall the median, the
worst, the worst as a multiple of the median, and the worst as a multiple of decoding a megabyte of JSON
with the standard library measured in the same run (``tests/timing.py``; 5x is the 50 ms budget).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "benchmarks") not in sys.path:
    sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_throughput import update_readme  # noqa: E402


def measure(n: int, seed: int, repeats: int, families: list[str] | None = None) -> dict[str, Any]:
    task = {"n": n, "seed": seed, "repeats": repeats, "families": families}
    proc = subprocess.run(
        [sys.executable, "-m", "tests.hostile_corpus"],
        input=json.dumps(task),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"measurement failed:\n{proc.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def report(result: dict[str, Any], seconds: float) -> str:
    cases = result["cases"]
    reference = result["reference"]
    times = [c["seconds"] for c in cases]
    median = statistics.median(times)
    worst = max(cases, key=lambda c: c["seconds"])
    lines = [
        f"Command: `python benchmarks/bench_hostile.py` ({seconds:.0f} s). Machine: {platform.platform()}, "
        f"Python {platform.python_version()}.",
        "",
        f"{len(cases)} cases in {len({c['family'] for c in cases})} families, one `rr.score` call each, best of "
        "3. Reference: decoding a megabyte of JSON with the standard library, "
        f"{reference * 1000:.1f} ms in this run (the 50 ms budget is 5x the reference).",
        "",
        "| family | cases | median ms | worst ms | worst case |",
        "|---|---:|---:|---:|---|",
    ]
    for family in dict.fromkeys(c["family"] for c in cases):
        fam = [c for c in cases if c["family"] == family]
        top = max(fam, key=lambda c: c["seconds"])
        lines.append(
            f"| {family} | {len(fam)} | {statistics.median(c['seconds'] for c in fam) * 1000:.2f} | "
            f"{top['seconds'] * 1000:.2f} | {top['label']} |"
        )
    lines += [
        "",
        f"- median {median * 1000:.2f} ms, worst {worst['seconds'] * 1000:.2f} ms ({worst['family']}: "
        f"{worst['label']}).",
        f"- **worst / median: {worst['seconds'] / median:.1f}x**; worst / reference: "
        f"{worst['seconds'] / reference:.2f}x (budget 5x).",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chars", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--families", default=None, help="comma-separated subset")
    parser.add_argument("--update-readme", action="store_true")
    args = parser.parse_args()
    t0 = time.perf_counter()
    result = measure(args.chars, args.seed, args.repeats, args.families.split(",") if args.families else None)
    text = report(result, time.perf_counter() - t0)
    print(text)
    if args.update_readme:
        update_readme(text + "\n", marker="hostile")


if __name__ == "__main__":
    main()
