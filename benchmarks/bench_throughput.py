"""Throughput of ``rr.score_batch`` against two baselines measured in the same run.

Usage::

    python benchmarks/bench_throughput.py [--prompts 2500] [--rollouts 8] [--repeats 5]
                                          [--variant hermes|openai|both] [--seed 0] [--json out.json]

What it does, per variant (``both``, the default, runs each variant in its own fresh subprocess so
that each gets a true cold start, then prints a combined summary):

1. builds the standard workload once (``workload.make_workload``: ``prompts`` GRPO groups of
   ``rollouts`` completions, 60/25/15 % execute/clarify/refuse prompts, ~30 % duplicates per group);
2. cold start: times ``import rlvr_rewards`` and the first ``rr.score_batch`` call of the process
   (preset ``graded``), which also builds the plugin registry and compiles every ground truth, tool
   list and JSON-Schema validator (the library caches those across calls);
3. sanity checks, before any steady-state timing: every preset's rewards are finite and in [0, 1],
   the ``graded`` reward is 1.0 on every execute rollout labelled ``correct`` (so the benchmark
   measures real work on a correct workload) and so is the naive baseline's;
4. steady state: ``repeats`` rounds, each timing every function once in round-robin order (floor,
   naive, graded, binary, aws-blog, floor, ...) so that a noisy machine hurts all of them alike; the
   median time of each gives its completions/s, and each preset's throughput is divided by the
   floor's and the naive baseline's from the same run.

Timed functions: ``floor`` = ``baselines.parse_floor`` (regex + orjson, no scoring), ``naive`` =
``baselines.naive_aws_blog`` (a per-sample AWS-post style reward on the blog-dialect truths), and
``rr.score_batch(completions, native truths, tools=..., preset=P, groups=...)`` for each preset.
``gc.collect()`` runs before every timed call; a call's result is freed after its clock stops.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as dist_version
from pathlib import Path
from typing import Any

import numpy as np
import orjson

_HERE = Path(__file__).resolve().parent
if str(_HERE) not in sys.path:
    sys.path.insert(0, str(_HERE))

from baselines import naive_aws_blog, parse_floor  # noqa: E402
from workload import Variant, Workload, make_workload  # noqa: E402

__all__ = ["FUNCTIONS", "PRESETS", "machine_info", "main", "run_variant"]

PRESETS = ("graded", "binary", "aws-blog")
FUNCTIONS = ("floor", "naive", *PRESETS)
_LABELS = {
    "floor": "floor (regex + orjson.loads)",
    "naive": "naive AWS-blog reward",
    "graded": "rr.score_batch graded",
    "binary": "rr.score_batch binary",
    "aws-blog": "rr.score_batch aws-blog",
}


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_info() -> dict[str, Any]:
    """Platform, CPU model and count, interpreter and library versions, load average."""
    try:
        rr_version = dist_version("rlvr-rewards")
    except PackageNotFoundError:
        rr_version = "not installed"
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "cpus": os.cpu_count(),
        "usable_cpus": usable,
        "python": f"{platform.python_version()} ({platform.python_implementation()})",
        "numpy": np.__version__,
        "orjson": orjson.__version__,
        "rlvr_rewards": rr_version,
        "loadavg": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
    }


def _check(cond: bool, message: str) -> None:
    if not cond:
        raise AssertionError(f"sanity check failed: {message}")


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def _sanity(wl: Workload, results: dict[str, Any], naive: list[float], floor: list[Any]) -> dict[str, Any]:
    n = len(wl)
    correct = [i for i in range(n) if wl.expected[i] == "execute" and wl.labels[i] == "correct"]
    _check(len(correct) > 0, "the workload has no correct execute rollouts")
    for preset, batch in results.items():
        r = np.asarray(batch.rewards)
        _check(r.shape == (n,), f"{preset}: rewards shape {r.shape} != ({n},)")
        _check(bool(np.isfinite(r).all()), f"{preset}: non-finite rewards")
        _check(bool(((r >= 0.0) & (r <= 1.0)).all()), f"{preset}: rewards outside [0, 1]")
    graded = np.asarray(results["graded"].rewards)
    bad = [i for i in correct if graded[i] != 1.0]
    _check(not bad, f"graded reward != 1.0 on {len(bad)} correct execute rollouts, e.g. item {bad[:1]}")
    _check(all(naive[i] == 1.0 for i in correct), "naive baseline != 1.0 on a correct execute rollout")
    _check(len(naive) == n and len(floor) == n, "a baseline returned the wrong number of results")
    _check(sum(1 for calls in floor if calls) > 0, "the parse floor found no tool calls")
    return {
        "correct_execute_rollouts": len(correct),
        "mean_reward": {p: float(np.mean(b.rewards)) for p, b in results.items()} | {
            "naive": float(np.mean(naive))},
    }


def run_variant(variant: Variant, prompts: int, rollouts: int, repeats: int, seed: int,
                out: Callable[[str], None] = print) -> dict[str, Any]:
    """Build, check and time one variant in this process; print the report lines; return the figures."""
    fresh = "rlvr_rewards" not in sys.modules
    gen_s, wl = _timed(lambda: make_workload(prompts, rollouts, seed, variant))
    n = len(wl)
    st = wl.stats()
    tag = f"[{variant}]"
    out(f"{tag} workload: {prompts} prompts x {rollouts} rollouts = {n} completions (seed {seed}), "
        f"built in {gen_s:.2f} s")
    out(f"{tag}   prompts {100 * st['prompts_execute']:.1f} / {100 * st['prompts_clarify']:.1f} / "
        f"{100 * st['prompts_refuse']:.1f} % execute / clarify / refuse; duplicates within groups "
        f"{100 * st['duplicate_share']:.1f} %; <think> {100 * st['think_share']:.1f} %; parallel calls in "
        f"{100 * st['parallel_share_of_execute']:.1f} % of execute prompts; correct rollouts "
        f"{100 * st['correct_share']:.1f} %")

    t0 = time.perf_counter()
    import rlvr_rewards as rr

    import_s = time.perf_counter() - t0

    def rr_fn(preset: str) -> Callable[[], Any]:
        return lambda: rr.score_batch(wl.completions, wl.ground_truths, tools=wl.tools, preset=preset,
                                      groups=wl.groups)

    fns: dict[str, Callable[[], Any]] = {
        "floor": lambda: parse_floor(wl.completions),
        "naive": lambda: naive_aws_blog(wl.completions, wl.blog_truths),
        **{p: rr_fn(p) for p in PRESETS},
    }

    # cold: the first rr call of the process (registry build, truth/tool/validator compilation)
    cold_s, graded = _timed(fns["graded"])
    results = {"graded": graded, **{p: fns[p]() for p in PRESETS[1:]}}
    naive = fns["naive"]()
    floor = fns["floor"]()
    sanity = _sanity(wl, results, naive, floor)
    del results, graded, naive, floor
    means = ", ".join(f"{k} {v:.3f}" for k, v in sanity["mean_reward"].items())
    out(f"{tag} sanity: rewards finite and in [0, 1] for {', '.join(PRESETS)}; graded = 1.0 and naive = "
        f"1.0 on all {sanity['correct_execute_rollouts']} correct execute rollouts; mean reward: {means}")
    if fresh:
        out(f"{tag} cold start (fresh process): import rlvr_rewards {import_s:.3f} s; first rr.score_batch "
            f"call (graded, empty caches) {cold_s:.3f} s = {n / cold_s:,.0f} completions/s")
    else:
        out(f"{tag} cold start: not measured (rlvr_rewards was already loaded in this process); first "
            f"call here took {cold_s:.3f} s = {n / cold_s:,.0f} completions/s")

    # steady state: round-robin repeats
    times: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            gc.collect()
            t0 = time.perf_counter()
            res = fn()
            times[name].append(time.perf_counter() - t0)
            del res
    med = {k: statistics.median(v) for k, v in times.items()}
    cps = {k: n / med[k] for k in fns}
    out(f"{tag} steady state (warm caches), median of {repeats} interleaved repeat(s):")
    out(f"  {'function':<30} {'median s':>9} {'min s':>9} {'max s':>9} {'completions/s':>15}")
    for k in fns:
        out(f"  {_LABELS[k]:<30} {med[k]:>9.4f} {min(times[k]):>9.4f} {max(times[k]):>9.4f} "
            f"{cps[k]:>15,.0f} completions/s")
    ratios = {p: {"vs_floor": cps[p] / cps["floor"], "vs_naive": cps[p] / cps["naive"]} for p in PRESETS}
    cold_vs_naive = (n / cold_s) / cps["naive"]
    out(f"{tag} ratios = rr throughput / baseline throughput, same run (> 1: rr is faster):")
    for p in PRESETS:
        vs_floor, vs_naive = _ratio(ratios[p]["vs_floor"]), _ratio(ratios[p]["vs_naive"])
        out(f"  rr {p:<9} vs floor: {vs_floor}   vs naive: {vs_naive}")
    out(f"  rr graded cold (first call) vs naive: {_ratio(cold_vs_naive)}")
    return {
        "variant": variant,
        "n_completions": n,
        "workload": st | {"seed": seed, "prompts": prompts, "rollouts": rollouts, "build_s": gen_s},
        "sanity": sanity,
        "cold": {"fresh_process": fresh, "import_s": import_s, "first_call_s": cold_s,
                 "first_call_completions_per_s": n / cold_s, "first_call_vs_naive": cold_vs_naive},
        "times_s": times,
        "median_s": med,
        "completions_per_s": cps,
        "ratios": ratios,
    }


def _ratio(x: float) -> str:
    if not math.isfinite(x) or x <= 0:
        return f"{x}"
    slower = f"{1 / x:.1f}x slower" if x < 1 else f"{x:.1f}x faster"
    return f"{x:6.3f}x ({slower})"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--prompts", type=int, default=2500, help="prompts (GRPO groups) in the workload")
    p.add_argument("--rollouts", type=int, default=8, help="completions per prompt")
    p.add_argument("--repeats", type=int, default=5, help="timed rounds (the median is reported)")
    p.add_argument("--variant", choices=("hermes", "openai", "both"), default="both",
                   help="completion format: raw Hermes/Qwen text, OpenAI messages, or both (subprocesses)")
    p.add_argument("--seed", type=int, default=0, help="workload seed")
    p.add_argument("--json", dest="json_out", default=None, help="also write the figures to this file")
    return p


def _command(argv: Sequence[str]) -> str:
    try:
        script = os.path.relpath(__file__)
    except ValueError:
        script = __file__
    return shlex.join(["python", script, *argv])


def _run_child(variant: Variant, args: argparse.Namespace, out: Callable[[str], None]) -> dict[str, Any]:
    """Run one variant in a fresh interpreter (a true cold start); relay its output; return its figures."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{variant}.json"
        cmd = [sys.executable, str(Path(__file__).resolve()), "--variant", variant, "--prompts",
               str(args.prompts), "--rollouts", str(args.rollouts), "--repeats", str(args.repeats),
               "--seed", str(args.seed), "--json", str(path), "--child"]
        with subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True) as proc:
            assert proc.stdout is not None
            for line in proc.stdout:
                out(line.rstrip("\n"))
        if proc.returncode != 0:
            raise SystemExit(f"the {variant} run failed with exit code {proc.returncode}")
        return json.loads(path.read_text(encoding="utf-8"))["variants"][variant]


def _summary(variants: dict[str, Any], out: Callable[[str], None]) -> None:
    out("summary: steady-state completions/s (median), and rr / baseline throughput ratios from the same run")
    out(f"  {'variant':<8}" + "".join(f"{k:>11}" for k in FUNCTIONS) + f"{'cold graded':>13}")
    for variant, res in variants.items():
        c = res["completions_per_s"]
        out(f"  {variant:<8}" + "".join(f"{c[k]:>11,.0f}" for k in FUNCTIONS)
            + f"{res['cold']['first_call_completions_per_s']:>13,.0f}")
    for variant, res in variants.items():
        for p in PRESETS:
            vs_floor, vs_naive = _ratio(res["ratios"][p]["vs_floor"]), _ratio(res["ratios"][p]["vs_naive"])
            out(f"  {variant:<8} rr {p:<9} vs floor: {vs_floor}   vs naive: {vs_naive}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark (see the module docs); return the exit code."""
    parser = _parser()
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    if args.prompts < 1 or args.rollouts < 1 or args.repeats < 1:
        parser.error("--prompts, --rollouts and --repeats must be positive")

    def out(line: str) -> None:
        print(line, flush=True)

    machine = machine_info()
    settings = {k: v for k, v in vars(args).items() if k not in ("json_out", "child")}
    command = _command([a for a in argv if a != "--child"])
    report: dict[str, Any] = {"command": command, "machine": machine, "settings": settings, "variants": {}}
    if not args.child:
        out("rlvr_rewards throughput benchmark")
        out(f"command : {report['command']}")
        out(f"settings: prompts={args.prompts} rollouts={args.rollouts} repeats={args.repeats} "
            f"variant={args.variant} seed={args.seed}")
        load = machine["loadavg"]
        out(f"machine : {machine['platform']}; CPU {machine['cpu']} ({machine['cpus']} logical, "
            f"{machine['usable_cpus']} usable); Python {machine['python']}; numpy {machine['numpy']}; "
            f"orjson {machine['orjson']}; rlvr_rewards {machine['rlvr_rewards']}"
            + (f"; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}" if load else ""))
    if args.variant == "both":
        for variant in ("hermes", "openai"):
            report["variants"][variant] = _run_child(variant, args, out)
        _summary(report["variants"], out)
    else:
        report["variants"][args.variant] = run_variant(
            args.variant, args.prompts, args.rollouts, args.repeats, args.seed, out
        )
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        if not args.child:
            out(f"figures written to {args.json_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
