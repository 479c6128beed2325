"""What reading many formats costs the standard Hermes workload: this tree against a baseline commit, same run.

    python benchmarks/bench_formats.py [--baseline REV] [--prompts 1000] [--rounds 7]

The baseline is the package as it was at ``REV`` (default :data:`BASELINE`, the commit before the formats of
issue 17), extracted with ``git archive`` into a temporary directory. Each round runs one fresh interpreter per
side, alternating (baseline, this tree, this tree with ``format="hermes"``), on the same seeded workload
(``benchmarks/workload.py``, which imports nothing of the package): one warm-up ``rr.score_batch`` call, then
the best of 3 timed calls. Reported: per side the best over the rounds, in microseconds per completion, and
the ratios to the baseline (> 1: slower than the baseline). Two workloads: the standard one (60/25/15 execute /
clarify / refuse, Hermes text) and its text-only rollouts (clarifying questions, refusals, answers: the
completions that go through detection rather than the Hermes straight path).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

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
for _ in range(3):
    t0 = time.perf_counter(); run(); best = min(best, time.perf_counter() - t0)
out = {{"us": best / len(comps) * 1e6, "n": len(comps), "mean": float(first.rewards.mean())}}
print(json.dumps({{**out, "file": rr.__file__}}))
"""


def _side(path: Path, prompts: int, only_text: bool, hint: str | None) -> dict[str, Any]:
    code = _CHILD.format(bench=str(_HERE), prompts=prompts, only_text=only_text, hint=hint)
    env = {**os.environ, "PYTHONPATH": str(path), "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, cwd=tempfile.gettempdir()
    )
    out: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    assert Path(out["file"]).resolve().is_relative_to(path.resolve()), (out["file"], path)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--baseline", default=BASELINE, help="git revision to compare with")
    p.add_argument("--prompts", type=int, default=1000, help="prompts of 8 rollouts in the workload")
    p.add_argument("--rounds", type=int, default=7, help="alternating rounds (fresh interpreters each)")
    args = p.parse_args(argv)
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
            n = 0
            means: dict[str, float] = {}
            for _ in range(args.rounds):
                for label, (path, hint) in sides.items():
                    got = _side(path, args.prompts, only_text, hint)
                    best[label] = min(best.get(label, float("inf")), got["us"])
                    n, means[label] = got["n"], got["mean"]
            base_us = best["baseline"]
            print(f"{workload}: {n:,} completions, best of {args.rounds} rounds x 3 calls, microseconds per completion")
            for label, us in best.items():
                print(
                    f"  {label:<28} {us:8.2f} us   ratio to baseline {us / base_us:.3f}   "
                    f"mean reward {means[label]:.4f}"
                )
            report[workload] = {"n": n, "us": best, "ratio": {k: v / base_us for k, v in best.items()}, "mean": means}
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
