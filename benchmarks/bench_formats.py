"""What reading many formats costs the standard Hermes workload: this tree against a baseline commit, same run.

    python benchmarks/bench_formats.py [--baseline REV] [--prompts 1000] [--rounds 7]

The baseline is the package as it was at ``REV`` (default :data:`BASELINE`, the commit before the formats of
issue 17), extracted with ``git archive`` into a temporary directory. Each round runs one fresh interpreter per
side, in a shuffled order (baseline, this tree, this tree with ``format="hermes"``), on the same seeded workload
(``benchmarks/workload.py``, which imports nothing of the package): one warm-up ``rr.score_batch`` call, then
the best of 3 timed calls. Reported: per side the best over the rounds, in microseconds per completion, the
ratio of the bests to the baseline's, and the median over the rounds of each side's time against the baseline
run of the same round (> 1: slower than the baseline; on a shared machine the two ratios bracket the truth).
``--instructions`` adds the instructions executed per completion under valgrind's cachegrind, which a busy
machine does not change. Two workloads: the standard one (60/25/15 execute /
clarify / refuse, Hermes text) and its text-only rollouts (clarifying questions, refusals, answers: the
completions that go through detection rather than the Hermes straight path).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Final

_HERE = Path(__file__).resolve().parent
ROOT = _HERE.parent
#: The last commit before issue 17 (the formats of every open model family).
BASELINE = "30543d1"

_CHILD = r"""
import gc, json, sys, time
sys.path.insert(0, {bench!r})
from workload import make_workload
wl = make_workload({prompts}, 8, 0, "hermes")
only_text = {only_text}
items = [i for i, c in enumerate(wl.completions) if not only_text or "<tool_call>" not in c]
comps = [wl.completions[i] for i in items]
truths = [wl.ground_truths[i] for i in items]
groups = [wl.groups[i] for i in items]
import rlvr_rewards as rr
kw = {{"format": {hint!r}}} if {hint!r} else {{}}
run = lambda: rr.score_batch(comps, truths, tools=wl.tools, preset="graded", groups=groups, **kw)
first = run()
best = float("inf")
gc.disable()
for _ in range({calls}):
    t0 = time.perf_counter(); run(); best = min(best, time.perf_counter() - t0)
out = {{"us": best / len(comps) * 1e6, "n": len(comps), "mean": float(first.rewards.mean())}}
print(json.dumps({{**out, "file": rr.__file__}}))
"""


def _side(path: Path, prompts: int, only_text: bool, hint: str | None, calls: int = 3) -> dict[str, Any]:
    code = _CHILD.format(bench=str(_HERE), prompts=prompts, only_text=only_text, hint=hint, calls=calls)
    env = {**os.environ, "PYTHONPATH": str(path), "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, cwd=tempfile.gettempdir()
    )
    out: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    assert Path(out["file"]).resolve().is_relative_to(path.resolve()), (out["file"], path)
    return out


_VALGRIND: Final = ("valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null")


#: No worker threads in the counted child: an idle BLAS / OpenMP thread spins, and its spinning would be counted
#: (how much depends on the machine's load; with it the count is no longer the same on a busy machine).
_ONE_THREAD: Final = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _instructions(path: Path, prompts: int, hint: str | None) -> tuple[float, int]:
    """Instructions executed per completion by one more ``score_batch`` call (valgrind's cachegrind ``I refs``:
    the same on a busy machine as on an idle one): a child making 2 timed calls minus one making none, both
    after the warm-up call, so imports and the warm-up cancel. ``(instructions, completions)``."""
    counts = []
    n = 0
    for calls in (0, 2):
        code = _CHILD.format(bench=str(_HERE), prompts=prompts, only_text=False, hint=hint, calls=calls)
        env = {
            **os.environ,
            "PYTHONPATH": str(path),
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONHASHSEED": "0",
            **_ONE_THREAD,
        }
        proc = subprocess.run(
            [*_VALGRIND, sys.executable, "-c", code],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            cwd=tempfile.gettempdir(),
        )
        refs = [line for line in proc.stderr.splitlines() if "I" in line and "refs:" in line]
        counts.append(int(refs[-1].rsplit(":", 1)[1].replace(",", "").strip()))
        n = json.loads(proc.stdout.strip().splitlines()[-1])["n"]
    return (counts[1] - counts[0]) / 2 / n, n


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--baseline", default=BASELINE, help="git revision to compare with")
    p.add_argument("--prompts", type=int, default=1000, help="prompts of 8 rollouts in the workload")
    p.add_argument("--rounds", type=int, default=7, help="rounds (fresh interpreters each, sides in a shuffled order)")
    p.add_argument(
        "--instructions",
        action="store_true",
        help="also count the instructions per completion of the standard workload under valgrind (a figure a "
        "busy machine does not change; a few minutes)",
    )
    args = p.parse_args(argv)
    shuffle = random.Random(17).shuffle
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        archive = subprocess.run(
            ["git", "archive", args.baseline, "rlvr_rewards"], cwd=ROOT, capture_output=True, check=True
        )
        subprocess.run(["tar", "-x", "-C", str(base)], input=archive.stdout, check=True)
        sides = {"baseline": (base, None), "this tree": (ROOT, None), "this tree, format='hermes'": (ROOT, "hermes")}
        report: dict[str, dict[str, Any]] = {}
        for only_text in (False, True):
            workload = "text-only rollouts" if only_text else "standard workload"
            best: dict[str, float] = {}
            paired: dict[str, list[float]] = {label: [] for label in sides}
            n = 0
            means: dict[str, float] = {}
            order = list(sides)
            for _ in range(args.rounds):
                this_round: dict[str, float] = {}
                shuffle(order)  # (no side always runs first, or right after another)
                for label in order:
                    path, hint = sides[label]
                    got = _side(path, args.prompts, only_text, hint)
                    this_round[label] = got["us"]
                    best[label] = min(best.get(label, float("inf")), got["us"])
                    n, means[label] = got["n"], got["mean"]
                for label, us in this_round.items():  # (each side against the baseline run in the same round)
                    paired[label].append(us / this_round["baseline"])
            base_us = best["baseline"]
            median = {label: statistics.median(ratios) for label, ratios in paired.items()}
            print(f"{workload}: {n:,} completions, best of {args.rounds} rounds x 3 calls, microseconds per completion")
            for label, us in best.items():
                print(
                    f"  {label:<28} {us:8.2f} us   ratio of the bests {us / base_us:.3f}   "
                    f"median ratio within a round {median[label]:.3f}   mean reward {means[label]:.4f}"
                )
            report[workload] = {
                "n": n,
                "us": best,
                "ratio": {k: v / base_us for k, v in best.items()},
                "median_paired_ratio": median,
                "mean": means,
            }
        if args.instructions:
            if shutil.which("valgrind") is None:
                print("--instructions: valgrind is not installed; skipped", file=sys.stderr)
            else:
                ir = {label: _instructions(path, args.prompts, hint) for label, (path, hint) in sides.items()}
                base_ir = ir["baseline"][0]
                print(f"standard workload, instructions per completion (valgrind cachegrind, {ir['baseline'][1]:,}):")
                for label, (count, _) in ir.items():
                    print(f"  {label:<28} {count:10,.0f}   ratio to baseline {count / base_ir:.3f}")
                report["instructions"] = {label: count for label, (count, _) in ir.items()}
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
