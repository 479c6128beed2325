"""Measure the reward Lambda on a batch at the 6 MB synchronous-invocation payload limit.

    python benchmarks/lambda_payload.py

For two realistic payload shapes it builds a batch of just over 6 MiB of JSON, then, in a fresh
process per shape, times ``lambda_handler`` three times (the first call is cold: registry, truths and
tools compiled; the median of the other two is reported as warm), and reports the peak resident
memory of the process (``ru_maxrss``, which is what the Lambda memory setting must cover) and, in a
fourth, untimed call, the peak traced Python allocation. A baseline in the
same run: the same process's peak RSS after importing the package and decoding the event, before
scoring.

Shapes:
- ``full rows``: each sample carries the Qwen/Hermes system prompt with five tool schemas, the user turn
  and the completion (the shape the AWS post's data produces);
- ``compact``: each sample carries only the assistant turn and the ground truth.
"""

from __future__ import annotations

import json
import platform
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 6 * 1024 * 1024

CHILD = r"""
import json, resource, sys, time, tracemalloc
raw = open(sys.argv[1], "rb").read()
import rlvr_rewards.aws_lambda as lam
event = json.loads(raw)
baseline_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
times = []
for _ in range(3):
    t = time.perf_counter()
    out = lam.lambda_handler(event, {})
    times.append(time.perf_counter() - t)
tracemalloc.start()  # a separate, untimed call: tracing slows Python down several times
lam.lambda_handler(event, {})
_, peak = tracemalloc.get_traced_memory()
tracemalloc.stop()
n = len(json.loads(out["body"]))
print(json.dumps({"n": n, "times": times, "peak_traced": peak,
                  "rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "baseline_rss_kb": baseline_rss}))
"""


def build(shape: str) -> list[dict[str, object]]:
    data = ROOT / "rlvr_rewards" / "data"
    rows = {r["id"]: r for r in map(json.loads, (data / "example_rows.jsonl").read_text().splitlines())}
    comps = [json.loads(x) for x in (data / "example_completions.jsonl").read_text().splitlines()]
    event: list[dict[str, object]] = []
    size, i = 2, 0
    while size < LIMIT:
        c = comps[i % len(comps)]
        row = rows[c["id"]]
        turn = {"role": "assistant", "content": c["completion"]}
        messages = [*row["prompt"], turn] if shape == "full rows" else [turn]
        truth = row["reward_model"]["ground_truth"]
        sample = {"id": f"{c['id']}-{i}", "messages": messages, "reference_answer": truth}
        size += len(json.dumps(sample)) + 2
        event.append(sample)
        i += 1
    return event


def measure(shape: str) -> dict[str, float]:
    """Build the ``shape`` batch, score it in a fresh process; samples, bytes, times and memory figures."""
    event = build(shape)
    path = ROOT / "benchmarks" / f".payload-{shape.replace(' ', '-')}.json"
    raw = json.dumps(event)
    path.write_text(raw)
    try:
        proc = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, check=True)
    finally:
        path.unlink()
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    assert r["n"] == len(event)
    warm = statistics.median(r["times"][1:])
    return {
        "samples": len(event),
        "bytes": len(raw),
        "cold_s": r["times"][0],
        "warm_s": warm,
        "samples_per_s": len(event) / warm,
        "peak_rss_mib": r["rss_kb"] / 1024,
        "baseline_rss_mib": r["baseline_rss_kb"] / 1024,
        "peak_traced_mib": r["peak_traced"] / 2**20,
    }


SHAPES = ("full rows", "compact")


def main() -> int:
    print("rlvr_rewards reward Lambda at the 6 MB payload limit")
    print(f"machine: {platform.platform()}; Python {platform.python_version()}")
    print(
        "| payload | samples | bytes | cold call s | warm call s (median of 2) | samples/s | "
        "peak RSS MiB | RSS before scoring MiB | peak traced MiB |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for shape in SHAPES:
        m = measure(shape)
        cells = [
            shape,
            f"{m['samples']:,}",
            f"{m['bytes']:,}",
            f"{m['cold_s']:.2f}",
            f"{m['warm_s']:.2f}",
            f"{m['samples_per_s']:,.0f}",
            f"{m['peak_rss_mib']:.0f}",
            f"{m['baseline_rss_mib']:.0f}",
            f"{m['peak_traced_mib']:.0f}",
        ]
        print("| " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
