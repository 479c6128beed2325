"""What a 10-step trajectory costs to score, per completion, against one step of the standard workload (issue 19).

Both sides go through ``rr.score_batch``, on batches of the same number of completions (``--prompts`` GRPO groups
of ``--rollouts`` = 8), timed in the same run, interleaved; the figure is the median over ``--repeats`` rounds of
each round's trajectory time over its single-step time (a round times one trajectory batch and ten single-step
batches, so both sides take about as long and a load spike moves both). Absolute times on a shared machine are
not evidence and are not claimed.

- **single step**: the standard workload (``workload.py``: Hermes text, 60 / 25 / 15 % execute / clarify / refuse
  prompts, near misses, malformed calls, about 30 % duplicates within a group).
- **10-step trajectory** (no environment): per prompt, nine single-call execute prompts of another seed of the
  same workload; rollout r of the trajectory is rollout r of each of the nine prompts, in order, each as an
  assistant message (the same Hermes text as the single-step side) followed, when it calls, by a tool message
  with a JSON result; then a final text answer (10 assistant messages). The truth is one ``execute`` turn of the
  nine expected calls (unordered: the default) whose reply must contain "done". About 30 % of each group's
  rollouts repeat another rollout of the group, as in the standard workload; a step repeats the same step of
  another rollout as often as the workload's rollouts repeat (5,500 assistant messages in 550 distinct
  trajectories, 3,406 distinct messages, at 100 groups).
- the same with both sides' steps as the workload's OpenAI messages (``tool_calls``; ``variant="openai"``), a
  second figure: how much of the gap is the rendering's parse path.

The target (issue 19) is at most 12x: ten steps at most 20 % above ten single steps. ``--update-readme``
rewrites the "trajectory" block of benchmarks/README.md; ``tests/test_trajectory_cost.py`` holds the CI ceiling
(``floors.json``, ``trajectory_ceilings``). ``--profile`` prints a cProfile of the trajectory side instead.
"""

from __future__ import annotations

import argparse
import copy
import cProfile
import json
import os
import pstats
import random
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
if str(_HERE) not in sys.path:
    sys.path.insert(0, str(_HERE))

from bench_per_item import _paired_ratio  # noqa: E402
from bench_throughput import update_readme  # noqa: E402
from workload import DUPLICATE_SHARE, Variant, Workload, make_workload  # noqa: E402

import rlvr_rewards as rr  # noqa: E402

__all__ = ["STEPS", "TARGET", "make_trajectories", "report", "trajectory_ratio"]

#: assistant messages per trajectory: nine calling steps and a final answer
STEPS = 10
#: issue 19's target for the ratio
TARGET = 12.0
_TEXT_LABELS = ("asked_instead", "refused_instead", "answered")


def _single_call_prompts(wl: Workload) -> list[tuple[dict[str, Any], list[tuple[Any, str]]]]:
    """The workload's single-call execute prompts: (truth, [(completion, label)] of its rollouts)."""
    by_group: dict[int, list[int]] = {}
    for i, g in enumerate(wl.groups):
        by_group.setdefault(g, []).append(i)
    out = []
    for items in by_group.values():
        truth = wl.ground_truths[items[0]]
        if truth["behavior"] == "execute" and len(truth["calls"]) == 1:
            out.append((truth, [(wl.completions[i], wl.labels[i]) for i in items]))
    return out


def _result(rng: random.Random, label: str) -> str:
    if label.startswith("malformed"):
        return "Error: the tool call could not be parsed"
    return json.dumps({"status": "ok", "value": rng.randrange(10, 1000), "note": "done"})


def _message(completion: Any) -> dict[str, Any]:
    """A workload completion as an assistant message: a Hermes text as its content, an OpenAI message copied."""
    if isinstance(completion, dict):
        return copy.deepcopy(completion)
    return {"role": "assistant", "content": completion}


def make_trajectories(
    prompts: int, rollouts: int = 8, seed: int = 1, variant: Variant = "hermes"
) -> tuple[list[Any], list[dict[str, Any]]]:
    """``prompts * rollouts`` 10-step trajectories and their truths (one truth object per group; see the module).
    ``variant``: the steps as the workload's Hermes texts (message content) or its OpenAI messages."""
    rng = random.Random(seed)
    pool = _single_call_prompts(make_workload(prompts * (STEPS - 1) * 2 + 20, rollouts, seed=seed, variant=variant))
    if len(pool) < prompts * (STEPS - 1):
        raise RuntimeError("the workload holds too few single-call execute prompts; raise its size")
    dup_p = min(1.0, DUPLICATE_SHARE * rollouts / (rollouts - 1)) if rollouts > 1 else 0.0
    completions: list[Any] = []
    truths: list[dict[str, Any]] = []
    for p in range(prompts):
        chosen = pool[p * (STEPS - 1) : (p + 1) * (STEPS - 1)]
        truth = {
            "behavior": "trajectory",
            "turns": [{"calls": [t["calls"][0] for t, _ in chosen], "answer_contains": ["done"]}],
        }
        group: list[list[dict[str, Any]]] = []
        for r in range(rollouts):
            if group and rng.random() < dup_p:
                group.append(copy.deepcopy(rng.choice(group)))  # an exact repeat, a new object
                continue
            messages: list[dict[str, Any]] = []
            for _, rolled in chosen:
                completion, label = rolled[r]
                messages.append(_message(completion))
                if label not in _TEXT_LABELS:
                    messages.append({"role": "tool", "content": _result(rng, label)})
            messages.append({"role": "assistant", "content": f"All {STEPS - 1} requests are done."})
            group.append(messages)
        completions += group
        truths += [truth] * rollouts
    return completions, truths


def trajectory_ratio(
    prompts: int = 100, rollouts: int = 8, repeats: int = 5, variant: Variant = "hermes"
) -> dict[str, float]:
    """Per-completion cost of 10-step trajectories over single steps of the standard workload (same batch size);
    ``variant``: both sides' steps as Hermes text (the standard) or as OpenAI messages."""
    single = make_workload(prompts, rollouts, seed=0, variant=variant)
    trajectories, truths = make_trajectories(prompts, rollouts, variant=variant)
    tools = single.tools

    def traj() -> Any:
        return rr.score_batch(trajectories, truths, tools=tools)

    def steps() -> Any:  # STEPS calls: both sides of a round take about as long, so a load spike hits both
        return [rr.score_batch(single.completions, single.ground_truths, tools=tools) for _ in range(STEPS)]

    scored = traj()
    if len(scored.rewards) != len(single.completions) or not 0.0 < float(scored.rewards.mean()) < 1.0:
        raise AssertionError("the trajectory batch did not score as built")
    paired, t = _paired_ratio({"trajectory": traj, "single": steps}, repeats)
    ratio = paired * STEPS
    n = len(trajectories)
    return {
        "completions": n,
        "trajectory_us": t["trajectory"] / n * 1e6,
        "single_us": t["single"] / STEPS / n * 1e6,
        "ratio": ratio,
        "per_step_ratio": ratio / STEPS,
        "mean_reward": float(scored.rewards.mean()),
    }


def profile(prompts: int = 100, rollouts: int = 8, top: int = 25) -> str:
    """A cProfile of one warm ``score_batch`` call on the trajectory side (cumulative and own time)."""
    trajectories, truths = make_trajectories(prompts, rollouts)
    tools = make_workload(1, 1).tools
    rr.score_batch(trajectories, truths, tools=tools)  # warm
    prof = cProfile.Profile()
    prof.enable()
    rr.score_batch(trajectories, truths, tools=tools)
    prof.disable()
    out: list[str] = []
    for key in ("cumulative", "tottime"):
        stream = _Lines()
        pstats.Stats(prof, stream=stream).sort_stats(key).print_stats(top)  # type: ignore[arg-type]
        out.append("".join(stream.lines))
    return "\n".join(out)


class _Lines:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def write(self, text: str) -> int:
        self.lines.append(text)
        return len(text)


_CHILD = """
import json, sys
sys.path.insert(0, {bench!r})
import bench_trajectory as bt
import rlvr_rewards as rr
if {side!r} == "trajectory":
    completions, truths = bt.make_trajectories({prompts}, variant={variant!r})
else:
    wl = bt.make_workload({prompts}, 8, seed=0, variant={variant!r})
    completions, truths = wl.completions, wl.ground_truths
tools = bt.make_workload(1, 1).tools
rr.score_batch(completions, truths, tools=tools)
for _ in range({calls}):
    rr.score_batch(completions, truths, tools=tools)
print(json.dumps({{"n": len(completions)}}))
"""
_VALGRIND = ("valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null")
#: no worker threads in the counted child: an idle BLAS / OpenMP thread spins, and its spinning would be counted
_ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _instructions(side: str, prompts: int, variant: str) -> float:
    """Instructions per completion of one more ``score_batch`` call on ``side`` (valgrind cachegrind's ``I refs``,
    the same on a busy machine as on an idle one): a child making 2 calls minus one making none, both after the
    warm-up call, so imports, building the batch and the warm-up cancel (as ``bench_formats.py --instructions``)."""
    counts = []
    n = 1
    for calls in (0, 2):
        code = _CHILD.format(bench=str(_HERE), side=side, prompts=prompts, variant=variant, calls=calls)
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0", **_ONE_THREAD}
        proc = subprocess.run(
            [*_VALGRIND, sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        refs = [line for line in proc.stderr.splitlines() if "I" in line and "refs:" in line]
        counts.append(int(refs[-1].rsplit(":", 1)[1].replace(",", "").strip()))
        n = json.loads(proc.stdout.strip().splitlines()[-1])["n"]
    return (counts[1] - counts[0]) / 2 / n


def instruction_ratio(prompts: int = 25, variant: Variant = "hermes") -> dict[str, float]:
    """The same comparison counted in instructions per completion instead of timed (needs valgrind)."""
    traj = _instructions("trajectory", prompts, variant)
    single = _instructions("single", prompts, variant)
    return {"completions": prompts * 8, "trajectory": traj, "single": single, "ratio": traj / single}


def report(prompts: int = 100, rollouts: int = 8, repeats: int = 7) -> dict[str, dict[str, float]]:
    """The figure for both renderings of the steps: Hermes text (the standard workload) and OpenAI messages."""
    return {variant: trajectory_ratio(prompts, rollouts, repeats, variant) for variant in ("hermes", "openai")}


def markdown(rep: dict[str, Any], command: str) -> str:
    h, o = rep["hermes"], rep["openai"]
    status = "met" if h["ratio"] <= TARGET else "not met"
    counted = []
    for variant, what in (("hermes", "Hermes text"), ("openai", "OpenAI messages")):
        ir = rep.get("instructions", {}).get(variant)
        if ir is not None:
            counted.append(
                f"| the same in instructions per completion (valgrind), {what} | {ir['ratio']:.2f}x | "
                f"{ir['trajectory'] / 1e3:,.0f} k vs {ir['single'] / 1e3:,.0f} k, {ir['completions']:.0f} completions |"
            )
    return "\n".join(
        [
            f"Command: `{command}`.",
            "",
            "| what (same run, interleaved, median of paired ratios) | ratio | detail |",
            "|---|---:|---|",
            f"| a 10-step trajectory / a single step of the standard workload, per completion | {h['ratio']:.2f}x | "
            f"{h['completions']:.0f} completions each, groups of 8; {h['per_step_ratio']:.2f}x a single step per "
            f"assistant message; target <= {TARGET:.0f}x: {status} |",
            f"| the same, both sides' steps as OpenAI messages (`tool_calls`) | {o['ratio']:.2f}x | "
            f"{o['per_step_ratio']:.2f}x a single step per assistant message |",
            *counted,
            "",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--prompts", type=int, default=100, help="GRPO groups on each side")
    parser.add_argument("--rollouts", type=int, default=8, help="completions per group")
    parser.add_argument("--repeats", type=int, default=7, help="interleaved rounds (the median ratio is reported)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures as JSON")
    parser.add_argument("--update-readme", action="store_true", help="rewrite the trajectory block of the README")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the trajectory side and exit")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count instructions per completion under valgrind (25 groups a side; the same on a busy machine)",
    )
    args = parser.parse_args(argv)
    if args.profile:
        print(profile(args.prompts, args.rollouts))
        return 0
    rep: dict[str, Any] = report(args.prompts, args.rollouts, args.repeats)
    if args.instructions:
        if shutil.which("valgrind") is None:
            print("--instructions: valgrind is not installed; skipped", file=sys.stderr)
        else:
            rep["instructions"] = {v: instruction_ratio(variant=v) for v in ("hermes", "openai")}
    command = "python benchmarks/bench_trajectory.py" + (f" --repeats {args.repeats}" if args.repeats != 7 else "")
    command += " --instructions" if args.instructions else ""
    block = markdown(rep, command)
    print(block)
    if args.json is not None:
        args.json.write_text(json.dumps(rep, indent=2), encoding="utf-8")
    if args.update_readme:
        update_readme(block, marker="trajectory")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
