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


def main() -> int:
    print("rlvr_rewards reward Lambda at the 6 MB payload limit")
    print(f"machine: {platform.platform()}; Python {platform.python_version()}")
    print("| payload | samples | bytes | cold call s | warm call s (median of 2) | samples/s | "
          "peak RSS MiB | RSS before scoring MiB | peak traced MiB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for shape in ("full rows", "compact"):
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
        cells = [shape, f"{len(event):,}", f"{len(raw):,}", f"{r['times'][0]:.2f}", f"{warm:.2f}",
                 f"{len(event) / warm:,.0f}", f"{r['rss_kb'] / 1024:.0f}", f"{r['baseline_rss_kb'] / 1024:.0f}",
                 f"{r['peak_traced'] / 2**20:.0f}"]
        print("| " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
