"""What the command line's long commands cost on a large run, against scoring the same completions in-process
(issue 20: "the commands with their timings on 200k completions").

The files: the standard workload (``workload.py``, Hermes text) at ``--prompts`` rows x 8 completions (25,000 x 8 =
200,000 by default), written as veRL rows (each with the five tool specs in ``extra_info.tools``; prompt text
``request <n>``), ``base.jsonl`` (the workload's completions) and ``tuned.jsonl`` (the same groups, a third of each
group's completions swapped for another of the group), seeded.

Measured in the same run, each command a fresh ``rlvr-rewards`` process (what a user runs, start-up included,
``--quiet``), ``--repeats`` rounds interleaved, the median per command:

- the **baseline**: ``rr.score_batch`` on the same completions, truths and tools in this process (the scoring
  every command below does at least once; reading the files is not in it);
- ``score --out``, ``report`` (scores again), ``report --scores`` (reads ``score --out``'s scores),
  ``report --compare`` (scores two files), ``data stats``, ``data augment --target 60/25/15``, ``data split``.

Printed: seconds and the ratio to the baseline. Absolute seconds on a shared machine are not evidence; the ratios
say what a command adds to scoring (reading and checking the rows, writing, drawing). ``--json`` writes the figures.
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
import time
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))

from workload import make_workload

ROLLOUTS = 8


def write_files(folder: Path, prompts: int, seed: int = 0) -> dict[str, Any]:
    """The rows and the two completion files (see the module docs); returns what the baseline needs."""
    wl = make_workload(prompts, ROLLOUTS, seed=seed)
    rng = random.Random(seed + 1)
    with (folder / "rows.jsonl").open("wb") as fh:
        for g in range(prompts):
            row = {
                "id": f"p{g}",
                "prompt": [{"role": "user", "content": f"request {g}"}],
                "reward_model": {"ground_truth": wl.ground_truths[g * ROLLOUTS]},
                "extra_info": {"tools": wl.tools},
            }
            fh.write(orjson.dumps(row) + b"\n")
    with (folder / "base.jsonl").open("wb") as fa, (folder / "tuned.jsonl").open("wb") as fb:
        for i, completion in enumerate(wl.completions):
            fa.write(orjson.dumps({"id": f"p{wl.groups[i]}", "completion": completion}) + b"\n")
        for g in range(prompts):
            group = wl.completions[g * ROLLOUTS : (g + 1) * ROLLOUTS]
            for k in range(ROLLOUTS):
                pick = group[k] if rng.random() < 2 / 3 else group[rng.randrange(ROLLOUTS)]
                fb.write(orjson.dumps({"id": f"p{g}", "completion": pick}) + b"\n")
    return {"completions": wl.completions, "truths": wl.ground_truths, "tools": wl.tools, "groups": wl.groups}


def commands() -> dict[str, list[str]]:
    """The commands timed, by label (run in the files' folder)."""
    return {
        "score --out": ["score", "--data", "rows.jsonl", "--completions", "base.jsonl", "--out", "base_scores.jsonl"],
        "report": ["report", "--data", "rows.jsonl", "--completions", "base.jsonl", "--out", "base.html"],
        "report --scores": [
            "report", "--data", "rows.jsonl", "--completions", "base.jsonl", "--scores", "base_scores.jsonl",
            "--out", "base_from_scores.html",
        ],
        "report --compare": [
            "report", "--data", "rows.jsonl", "--compare", "base.jsonl", "tuned.jsonl", "--out", "compare.html",
        ],
        "data stats": ["data", "stats", "--data", "rows.jsonl"],
        "data augment --target": [
            "data", "augment", "--data", "rows.jsonl", "--out", "balanced.jsonl", "--target", "60/25/15",
        ],
        "data split": [
            "data", "split", "--data", "rows.jsonl", "--train", "train.jsonl", "--held-out", "held_out.jsonl",
        ],
    }  # fmt: skip


def _executable() -> list[str]:
    found = shutil.which("rlvr-rewards", path=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
    return [found] if found else [sys.executable, "-m", "rlvr_rewards.cli"]


def run_command(folder: Path, argv: list[str]) -> float:
    started = time.perf_counter()
    proc = subprocess.run([*_executable(), *argv, "--quiet"], cwd=folder, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"rlvr-rewards {' '.join(argv)} exited {proc.returncode}: {proc.stderr[-2000:]}")
    return seconds


def baseline(inputs: dict[str, Any]) -> float:
    import rlvr_rewards as rr

    started = time.perf_counter()
    rr.score_batch(inputs["completions"], inputs["truths"], tools=inputs["tools"], groups=inputs["groups"])
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=25_000, help="rows (x 8 completions; default 25,000)")
    parser.add_argument("--repeats", type=int, default=3, help="rounds; the median is reported (default 3)")
    parser.add_argument("--json", help="write the figures here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as tmp:
        folder = Path(tmp)
        inputs = write_files(folder, args.prompts)
        times: dict[str, list[float]] = {"baseline: rr.score_batch in-process": []}
        for _ in range(args.repeats):
            times["baseline: rr.score_batch in-process"].append(baseline(inputs))
            for label, argv_ in commands().items():
                times.setdefault(label, []).append(run_command(folder, argv_))
    n = args.prompts * ROLLOUTS
    medians = {label: statistics.median(values) for label, values in times.items()}
    base = medians["baseline: rr.score_batch in-process"]
    print(f"{n:,} completions ({args.prompts:,} rows x {ROLLOUTS}), median of {args.repeats} round(s)")
    print(f"{'command':<40} {'seconds':>8} {'x baseline':>11}")
    for label, seconds in medians.items():
        print(f"{label:<40} {seconds:>8.1f} {seconds / base:>11.2f}")
    if args.json:
        figures = {"completions": n, "repeats": args.repeats, "seconds": medians, "ratios": {}}
        figures["ratios"] = {label: seconds / base for label, seconds in medians.items()}
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
