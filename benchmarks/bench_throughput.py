"""The standard benchmark: throughput against baselines measured in the same run, parallel scaling,
memory at the Lambda payload limit and time against completion length. One command, every figure::

    python benchmarks/bench_throughput.py [--prompts 2500] [--rollouts 8] [--repeats 5]
                                          [--variant hermes|openai|both] [--sections all] [--seed 0]
                                          [--json out.json] [--update-readme] [--profile]

Sections (``--sections``, comma-separated; ``all`` by default; each runs in its own fresh subprocess):

- ``throughput`` (per variant): builds the standard workload (``workload.make_workload``: ``prompts``
  GRPO groups of ``rollouts`` completions, 60/25/15 % execute/clarify/refuse, ~30 % duplicates per
  group), times the cold first call, checks every reward (finite, in range, 1.0 on the correct execute
  rollouts, also for the baselines), then runs ``repeats`` round-robin rounds of: (a) ``floor`` (regex +
  orjson), (b) ``naive`` (AWS-post style reward), (c) ``jsonschema`` (the naive reward with
  ``jsonschema.validate`` on every call; timed on the first ``--schema-items`` completions because it is
  ~100x slower: per-sample cost does not depend on the batch), and ``rr.score_batch`` with each preset.
  Medians give completions/s; every ratio divides two figures of the same run.
- ``bfcl``: baseline (d), BFCL's ``ast_checker`` on pre-decoded calls against the ``bfcl`` preset on raw
  text (``bench_bfcl.py``; skipped, and said so, when bfcl-eval is not installed).
- ``workers``: ``score_batch(..., workers=2)`` against ``workers=1`` on the hermes workload (all of it and
  its first half), round-robin, results checked identical first.
- ``memory``: the reward Lambda on a batch just over 6 MiB (``lambda_payload.py``), peak RSS of a fresh
  process.
- ``length``: seconds per completion at 10^3 .. 10^5 characters for five shapes (long argument, long
  reasoning, long refusal, unclosed tag, unclosed think); the per-character cost at 10^5 is divided by
  the one at 10^4 (about 1 when linear, 10 when quadratic).

At the end the targets of the performance issue are checked (``TARGETS``) and the CI floor on the ratio
to the parse floor (``floors.json``) is reported. ``--update-readme`` rewrites the figures block of
``benchmarks/README.md``; ``--profile`` prints a pyinstrument (else cProfile) profile of one warm
``graded`` call on the hermes workload.
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

from baselines import naive_aws_blog, naive_jsonschema, parse_floor  # noqa: E402
from workload import Variant, Workload, make_workload  # noqa: E402

__all__ = [
    "FLOORS",
    "FUNCTIONS",
    "PRESETS",
    "SECTIONS",
    "TARGETS",
    "check_targets",
    "machine_info",
    "main",
    "run_variant",
]

PRESETS = ("graded", "binary", "aws-blog")
FUNCTIONS = ("floor", "naive", "jsonschema", *PRESETS)
SECTIONS = ("throughput", "bfcl", "workers", "memory", "length")
#: The CI floors on graded throughput / parse-floor throughput (tests/test_benchmark_floor.py).
FLOORS: dict[str, float] = json.loads((_HERE / "floors.json").read_text(encoding="utf-8"))["graded_vs_floor"]
#: The performance issue's targets: (description, section, how to read the figure, minimum).
TARGETS = (
    ("graded >= 0.33x the parse floor (a)", "throughput", "vs_floor", 0.33),
    ("graded >= 1x the naive reward (b)", "throughput", "vs_naive", 1.0),
    ("graded >= 100x the jsonschema-per-call reward (c)", "throughput", "vs_jsonschema", 100.0),
    ("bfcl preset >= 3x BFCL ast_checker (d)", "bfcl", "ratio", 3.0),
    ("workers=2 >= 1.6x workers=1 for >= 10k items", "workers", "speedup", 1.6),
    ("peak memory <= 256 MB for a 6 MB batch", "memory", "peak_rss_mb", 256.0),
    ("time linear in completion length (cost per char at 10^5 / at 10^4 <= 2)", "length", "worst_ratio", 2.0),
)
_LABELS = {
    "floor": "floor (regex + orjson.loads)",
    "naive": "naive AWS-blog reward",
    "jsonschema": "naive + jsonschema.validate",
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


def _sanity(
    wl: Workload, results: dict[str, Any], naive: list[float], floor: list[Any], schema: list[float]
) -> dict[str, Any]:
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
    _check(
        all(schema[i] == 1.0 for i in correct if i < len(schema)),
        "jsonschema baseline != 1.0 on a correct execute rollout",
    )
    _check(len(naive) == n and len(floor) == n, "a baseline returned the wrong number of results")
    _check(sum(1 for calls in floor if calls) > 0, "the parse floor found no tool calls")
    return {
        "correct_execute_rollouts": len(correct),
        "mean_reward": {p: float(np.mean(b.rewards)) for p, b in results.items()} | {"naive": float(np.mean(naive))},
    }


def run_variant(
    variant: Variant,
    prompts: int,
    rollouts: int,
    repeats: int,
    seed: int,
    out: Callable[[str], None] = print,
    schema_items: int = 2000,
) -> dict[str, Any]:
    """Build, check and time one variant in this process; print the report lines; return the figures."""
    fresh = "rlvr_rewards" not in sys.modules
    gen_s, wl = _timed(lambda: make_workload(prompts, rollouts, seed, variant))
    n = len(wl)
    st = wl.stats()
    tag = f"[{variant}]"
    out(
        f"{tag} workload: {prompts} prompts x {rollouts} rollouts = {n} completions (seed {seed}), "
        f"built in {gen_s:.2f} s"
    )
    out(
        f"{tag}   prompts {100 * st['prompts_execute']:.1f} / {100 * st['prompts_clarify']:.1f} / "
        f"{100 * st['prompts_refuse']:.1f} % execute / clarify / refuse; duplicates within groups "
        f"{100 * st['duplicate_share']:.1f} %; <think> {100 * st['think_share']:.1f} %; parallel calls in "
        f"{100 * st['parallel_share_of_execute']:.1f} % of execute prompts; correct rollouts "
        f"{100 * st['correct_share']:.1f} %"
    )

    t0 = time.perf_counter()
    import rlvr_rewards as rr

    import_s = time.perf_counter() - t0

    def rr_fn(preset: str) -> Callable[[], Any]:
        return lambda: rr.score_batch(wl.completions, wl.ground_truths, tools=wl.tools, preset=preset, groups=wl.groups)

    m = min(n, schema_items)
    sub_completions, sub_blog = wl.completions[:m], wl.blog_truths[:m]
    fns: dict[str, Callable[[], Any]] = {
        "floor": lambda: parse_floor(wl.completions),
        "naive": lambda: naive_aws_blog(wl.completions, wl.blog_truths),
        "jsonschema": lambda: naive_jsonschema(sub_completions, sub_blog, wl.tools),
        **{p: rr_fn(p) for p in PRESETS},
    }
    items = {k: (m if k == "jsonschema" else n) for k in fns}

    # cold: the first rr call of the process (registry build, truth/tool/validator compilation)
    cold_s, graded = _timed(fns["graded"])
    results = {"graded": graded, **{p: fns[p]() for p in PRESETS[1:]}}
    naive = fns["naive"]()
    floor = fns["floor"]()
    schema = fns["jsonschema"]()
    sanity = _sanity(wl, results, naive, floor, schema)
    del results, graded, naive, floor, schema
    means = ", ".join(f"{k} {v:.3f}" for k, v in sanity["mean_reward"].items())
    out(
        f"{tag} sanity: rewards finite and in [0, 1] for {', '.join(PRESETS)}; graded = 1.0 and naive = "
        f"1.0 on all {sanity['correct_execute_rollouts']} correct execute rollouts; mean reward: {means}"
    )
    if fresh:
        out(
            f"{tag} cold start (fresh process): import rlvr_rewards {import_s:.3f} s; first rr.score_batch "
            f"call (graded, empty caches) {cold_s:.3f} s = {n / cold_s:,.0f} completions/s"
        )
    else:
        out(
            f"{tag} cold start: not measured (rlvr_rewards was already loaded in this process); first "
            f"call here took {cold_s:.3f} s = {n / cold_s:,.0f} completions/s"
        )

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
    cps = {k: items[k] / med[k] for k in fns}
    out(
        f"{tag} steady state (warm caches), median of {repeats} interleaved repeat(s); jsonschema on the "
        f"first {m:,} completions:"
    )
    out(f"  {'function':<30} {'median s':>9} {'min s':>9} {'max s':>9} {'completions/s':>15}")
    for k in fns:
        out(
            f"  {_LABELS[k]:<30} {med[k]:>9.4f} {min(times[k]):>9.4f} {max(times[k]):>9.4f} "
            f"{cps[k]:>15,.0f} completions/s"
        )
    ratios = {
        p: {
            "vs_floor": cps[p] / cps["floor"],
            "vs_naive": cps[p] / cps["naive"],
            "vs_jsonschema": cps[p] / cps["jsonschema"],
        }
        for p in PRESETS
    }
    cold_vs_naive = (n / cold_s) / cps["naive"]
    out(f"{tag} ratios = rr throughput / baseline throughput, same run (> 1: rr is faster):")
    for p in PRESETS:
        vs_floor, vs_naive = _ratio(ratios[p]["vs_floor"]), _ratio(ratios[p]["vs_naive"])
        out(
            f"  rr {p:<9} vs floor: {vs_floor}   vs naive: {vs_naive}   vs jsonschema: "
            f"{_ratio(ratios[p]['vs_jsonschema'])}"
        )
    out(f"  rr graded cold (first call) vs naive: {_ratio(cold_vs_naive)}")
    return {
        "variant": variant,
        "n_completions": n,
        "workload": st
        | {"seed": seed, "prompts": prompts, "rollouts": rollouts, "build_s": gen_s, "jsonschema_items": m},
        "sanity": sanity,
        "cold": {
            "fresh_process": fresh,
            "import_s": import_s,
            "first_call_s": cold_s,
            "first_call_completions_per_s": n / cold_s,
            "first_call_vs_naive": cold_vs_naive,
        },
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


def run_bfcl(repeats: int, out: Callable[[str], None] = print) -> dict[str, Any]:
    """Baseline (d) (see ``bench_bfcl.py``), or ``{"skipped": why}`` without bfcl-eval."""
    try:
        import bench_bfcl
    except ImportError as exc:  # pragma: no cover - depends on the environment
        out(f"[bfcl] skipped: {exc}")
        return {"skipped": str(exc)}
    try:
        return bench_bfcl.run(repeats, out)
    except ImportError as exc:
        out(f"[bfcl] skipped: bfcl-eval is not installed ({exc})")
        return {"skipped": f"bfcl-eval is not installed ({exc})"}


def run_workers(
    prompts: int, rollouts: int, repeats: int, seed: int, out: Callable[[str], None] = print
) -> dict[str, Any]:
    """``workers=2`` against ``workers=1`` on the hermes workload and on its first half."""
    import rlvr_rewards as rr

    wl = make_workload(prompts, rollouts, seed, "hermes")
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    results: dict[str, Any] = {"usable_cpus": usable, "sizes": {}}
    sizes = (len(wl), 10_000) if len(wl) >= 20_000 else (len(wl), len(wl) // 2)
    for n in sizes:
        comps, truths, groups = wl.completions[:n], wl.ground_truths[:n], wl.groups[:n]

        def run(workers: int, comps: Any = comps, truths: Any = truths, groups: Any = groups) -> Any:
            return rr.score_batch(comps, truths, tools=wl.tools, groups=groups, workers=workers)

        one, two = run(1), run(2)
        _check(
            bool(np.array_equal(one.rewards, two.rewards))
            and list(one.reasons) == list(two.reasons)
            and all(np.array_equal(one.components[k], two.components[k], equal_nan=True) for k in one.components),
            f"workers=2 differs from workers=1 on {n} items",
        )
        times: dict[int, list[float]] = {1: [], 2: []}
        for _ in range(repeats):
            for w in (1, 2):
                dt, res = _timed(lambda w=w: run(w))
                times[w].append(dt)
                del res
        med = {w: statistics.median(v) for w, v in times.items()}
        speedup = med[1] / med[2]
        results["sizes"][str(n)] = {
            "times_s": {str(k): v for k, v in times.items()},
            "median_s": {str(k): v for k, v in med.items()},
            "speedup": speedup,
        }
        out(
            f"[workers] {n:,} items (hermes), identical results; median of {repeats}: workers=1 {med[1]:.4f} s, "
            f"workers=2 {med[2]:.4f} s -> {speedup:.2f}x ({usable} usable CPUs)"
        )
    large = [v["speedup"] for n, v in results["sizes"].items() if int(n) >= 10_000]
    if large:  # the target is about batches of 10k items or more
        results["speedup"] = min(large)
    return results


def run_memory(out: Callable[[str], None] = print) -> dict[str, Any]:
    """The reward Lambda at the 6 MB payload limit (``lambda_payload.py``): peak RSS per shape."""
    import lambda_payload

    shapes = {}
    for shape in lambda_payload.SHAPES:
        m = lambda_payload.measure(shape)
        shapes[shape] = m
        out(
            f"[memory] 6 MB Lambda batch, {shape}: {m['samples']:,} samples, {m['bytes']:,} bytes; warm call "
            f"{m['warm_s']:.2f} s; peak RSS {m['peak_rss_mib']:.0f} MiB (before scoring {m['baseline_rss_mib']:.0f} "
            f"MiB); peak traced Python allocation {m['peak_traced_mib']:.0f} MiB"
        )
    worst = max(m["peak_rss_mib"] for m in shapes.values())
    return {"shapes": shapes, "peak_rss_mb": worst * 2**20 / 1e6}


def _long_completions(size: int, k: int) -> dict[str, list[str]]:
    """``k`` distinct completions of about ``size`` characters for each length shape."""

    def filler(i: int) -> str:
        words = ("alpha", "beta", "gamma", "delta", "sigma", "omega", "kappa")
        text = " ".join(words[(i + j) % len(words)] for j in range(size // 6 + 1))
        return text[:size]

    out: dict[str, list[str]] = {
        "long argument": [],
        "long reasoning": [],
        "long refusal": [],
        "unclosed tag": [],
        "unclosed think": [],
    }
    for i in range(k):
        f = filler(i)
        args = {"to": "a@b.co", "subject": f"s{i}", "body": f}
        out["long argument"].append(
            f"<tool_call>\n{json.dumps({'name': 'send_email', 'arguments': args})}\n</tool_call>"
        )
        call = json.dumps({"name": "get_weather", "arguments": {"city": f"P{i}"}})
        out["long reasoning"].append(f"<think>{f}</think>\n<tool_call>\n{call}\n</tool_call>")
        out["long refusal"].append(f"I can't help with that. {f.replace('a', 'a. ', size // 400)}")
        out["unclosed tag"].append(f'<tool_call>\n{{"name": "get_weather", "arguments": {{"city": "{i} {f}')
        out["unclosed think"].append(f"<think>{i} {f}")
    return out


def run_length(out: Callable[[str], None] = print, k: int = 40, repeats: int = 5) -> dict[str, Any]:
    """Seconds per completion at 10^3, 10^4 and 10^5 characters for each shape, and the cost per character
    at 10^5 over the cost at 10^4 (about 1 when linear)."""
    from workload import load_tools

    import rlvr_rewards as rr

    tools = load_tools()
    truth = {"behavior": "execute", "calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]}
    sizes = (1_000, 10_000, 100_000)
    per: dict[str, dict[str, float]] = {}
    for size in sizes:
        for shape, comps in _long_completions(size, k).items():
            rr.score_batch(comps[:2], [truth] * 2, tools=tools)  # warm the caches
            best = min(
                _timed(lambda comps=comps: rr.score_batch(comps, [truth] * len(comps), tools=tools))[0]
                for _ in range(repeats)
            )
            per.setdefault(shape, {})[str(size)] = best / len(comps)
    # cost per character at 10^5 over the cost at 10^4: ~1 when linear, ~10 when quadratic (at 10^3 the
    # fixed per-completion cost dominates, so that size says little about growth)
    ratios = {shape: (v[str(sizes[-1])] / sizes[-1]) / (v[str(sizes[-2])] / sizes[-2]) for shape, v in per.items()}
    for shape, v in per.items():
        cells = "  ".join(f"{int(sz):>7,} chars {1e6 * t:>9.1f} us" for sz, t in v.items())
        out(f"[length] {shape:<15} {cells}   per-char cost 10^5 / 10^4: {ratios[shape]:.2f}")
    return {"seconds_per_completion": per, "per_char_ratio": ratios, "worst_ratio": max(ratios.values())}


def run_profile(prompts: int, rollouts: int, seed: int, out: Callable[[str], None] = print) -> None:
    """A profile of one warm ``graded`` call on the hermes workload (pyinstrument if installed)."""
    import rlvr_rewards as rr

    wl = make_workload(prompts, rollouts, seed, "hermes")

    def call() -> Any:
        return rr.score_batch(wl.completions, wl.ground_truths, tools=wl.tools, groups=wl.groups)

    call()
    try:
        from pyinstrument import Profiler
    except ImportError:
        import cProfile
        import io
        import pstats

        prof = cProfile.Profile()
        prof.runcall(call)
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(40)
        out(buf.getvalue())
        return
    profiler = Profiler(interval=0.0002)
    profiler.start()
    call()
    profiler.stop()
    out(profiler.output_text(unicode=False, color=False, show_all=False))


def check_targets(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target of the performance issue with the figure measured for it and whether it is met."""
    rows = []
    for label, section, key, minimum in TARGETS:
        if section == "throughput":
            values = {v: res["ratios"]["graded"][key] for v, res in report.get("variants", {}).items()}
        else:
            res = report.get(section) or {}
            values = {} if "skipped" in res or key not in res else {"": res[key]}
        if not values:
            rows.append({"target": label, "measured": None, "met": None})
            continue
        upper = key in ("peak_rss_mb", "worst_ratio")
        met = all((v <= minimum) if upper else (v >= minimum) for v in values.values())
        rows.append({"target": label, "measured": values, "met": met, "unit": _UNITS.get(key, "")})
    return rows


_UNITS = {"vs_floor": "x", "vs_naive": "x", "vs_jsonschema": "x", "ratio": "x", "speedup": "x", "peak_rss_mb": " MB"}


def _fmt_measured(values: dict[str, float] | None, unit: str = "") -> str:
    if not values:
        return "not measured"
    return ", ".join(f"{k} {v:.3g}{unit}" if k else f"{v:.3g}{unit}" for k, v in values.items())


def markdown(report: dict[str, Any]) -> str:
    """The figures block of ``benchmarks/README.md`` for this run."""
    lines = _md_machine(report)
    lines += _md_throughput(report.get("variants", {}))
    lines += _md_bfcl(report.get("bfcl"))
    lines += _md_workers(report.get("workers"))
    lines += _md_memory(report.get("memory"))
    lines += _md_length(report.get("length"))
    lines += _md_targets(report)
    return "\n".join(lines) + "\n"


def _md_machine(report: dict[str, Any]) -> list[str]:
    m = report["machine"]
    return [
        f"Command: `{report['command']}` ({report.get('elapsed_s', 0):.0f} s).",
        "",
        f"Machine: {m['platform']}; {m['cpu']}, {m['cpus']} logical CPUs ({m['usable_cpus']} usable); Python "
        f"{m['python']}; numpy {m['numpy']}; orjson {m['orjson']}; rlvr_rewards {m['rlvr_rewards']}; "
        f"load average at start {' '.join(f'{x:.2f}' for x in m['loadavg'] or [])}.",
        "",
    ]


def _md_throughput(variants: dict[str, Any]) -> list[str]:
    if not variants:
        return []
    any_v = next(iter(variants.values()))
    lines = [
        f"### Throughput ({any_v['n_completions']:,} completions per variant, median of "
        f"{len(any_v['times_s']['floor'])} interleaved repeats; jsonschema on the first "
        f"{any_v['workload']['jsonschema_items']:,})",
        "",
        "| variant | " + " | ".join(FUNCTIONS) + " | graded, cold first call |",
        "|---|" + "---:|" * (len(FUNCTIONS) + 1),
    ]
    for v, res in variants.items():
        c = res["completions_per_s"]
        lines.append(
            f"| {v} (completions/s) | "
            + " | ".join(f"{c[k]:,.0f}" for k in FUNCTIONS)
            + f" | {res['cold']['first_call_completions_per_s']:,.0f} |"
        )
    lines += [
        "",
        "Ratios (rr throughput / baseline throughput, same run):",
        "",
        "| variant | preset | vs (a) floor | vs (b) naive | vs (c) jsonschema |",
        "|---|---|---:|---:|---:|",
    ]
    for v, res in variants.items():
        for p in PRESETS:
            r = res["ratios"][p]
            lines.append(f"| {v} | {p} | {r['vs_floor']:.3f}x | {r['vs_naive']:.3f}x | {r['vs_jsonschema']:.1f}x |")
    lines.append("")
    for v, res in variants.items():
        per = 1e6 / res["completions_per_s"]["graded"]
        lines.append(
            f"- {v}: `graded` costs {per:.1f} us per completion: a GRPO step of 128 x 8 rollouts is "
            f"scored in {1024 * per / 1000:.1f} ms on one core."
        )
    lines.append("")
    return lines


def _md_bfcl(b: dict[str, Any] | None) -> list[str]:
    if not b:
        return []
    if "skipped" in b:
        return ["### BFCL (d)", "", f"Skipped: {b['skipped']}", ""]
    return [
        "### BFCL (d)",
        "",
        f"{b['n_cases']:,} cases ({100 * b['pass_share']:.1f} % pass), verdicts agree on {100 * b['agreement']:.3f} %:",
        "",
        "| checker | input | median s | cases/s |",
        "|---|---|---:|---:|",
        f"| BFCL ast_checker | pre-decoded calls | {b['median_s']['ast_checker']:.3f} | "
        f"{b['cases_per_s']['ast_checker']:,.0f} |",
        f"| rr.score_batch bfcl | raw Hermes text | {b['median_s']['rr_bfcl']:.3f} | "
        f"{b['cases_per_s']['rr_bfcl']:,.0f} |",
        "",
        f"Ratio rr / ast_checker: {b['ratio']:.2f}x.",
        "",
    ]


def _md_workers(w: dict[str, Any] | None) -> list[str]:
    if not w:
        return []
    lines = [
        "### Parallel scoring",
        "",
        "| items | workers=1 s | workers=2 s | speedup |",
        "|---:|---:|---:|---:|",
    ]
    for n, res in w["sizes"].items():
        lines.append(
            f"| {int(n):,} | {res['median_s']['1']:.4f} | {res['median_s']['2']:.4f} | {res['speedup']:.2f}x |"
        )
    lines.append("")
    return lines


def _md_memory(mem: dict[str, Any] | None) -> list[str]:
    if not mem:
        return []
    lines = [
        "### Memory (reward Lambda, batch just over 6 MiB)",
        "",
        "| payload | samples | warm call s | peak RSS MiB | RSS before scoring MiB |",
        "|---|---:|---:|---:|---:|",
    ]
    for shape, r in mem["shapes"].items():
        lines.append(
            f"| {shape} | {r['samples']:,} | {r['warm_s']:.2f} | {r['peak_rss_mib']:.0f} | "
            f"{r['baseline_rss_mib']:.0f} |"
        )
    lines.append("")
    return lines


def _md_length(ln: dict[str, Any] | None) -> list[str]:
    if not ln:
        return []
    sizes = list(next(iter(ln["seconds_per_completion"].values())))
    lines = [
        "### Time against completion length (us per completion, best of 5)",
        "",
        "| shape | " + " | ".join(f"{int(x):,} chars" for x in sizes) + " | per-char cost 10^5 / 10^4 |",
        "|---|" + "---:|" * (len(sizes) + 1),
    ]
    for shape, v in ln["seconds_per_completion"].items():
        lines.append(
            f"| {shape} | "
            + " | ".join(f"{1e6 * v[x]:,.1f}" for x in sizes)
            + f" | {ln['per_char_ratio'][shape]:.2f} |"
        )
    lines.append("")
    return lines


def _md_targets(report: dict[str, Any]) -> list[str]:
    lines = ["### Targets", "", "| target | measured | met |", "|---|---|---|"]
    for row in report.get("targets", []):
        met = {True: "yes", False: "**no**", None: "not measured"}[row["met"]]
        lines.append(f"| {row['target']} | {_fmt_measured(row['measured'], row.get('unit', ''))} | {met} |")
    floors = report.get("floors")
    if floors:
        lines += [
            "",
            "CI floors (`floors.json`, graded / parse floor): "
            + ", ".join(
                f"{v} >= {f} (measured {floors['measured'].get(v, float('nan')):.3f})"
                for v, f in floors["floors"].items()
            ),
        ]
    return lines


def update_readme(block: str, path: Path = _HERE / "README.md", marker: str = "figures") -> None:
    """Replace the text between the ``<!-- {marker}:start -->`` and ``<!-- {marker}:end -->`` markers of
    ``path`` with ``block`` (every benchmark's README block is written by this)."""
    start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
    text = path.read_text(encoding="utf-8")
    if start not in text or end not in text:
        raise SystemExit(f"{path} has no {start} ... {end} block to update")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    path.write_text(f"{head}{start}\n{block}{end}{tail}", encoding="utf-8")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--prompts", type=int, default=2500, help="prompts (GRPO groups) in the workload")
    p.add_argument("--rollouts", type=int, default=8, help="completions per prompt")
    p.add_argument("--repeats", type=int, default=5, help="timed rounds (the median is reported)")
    p.add_argument(
        "--variant",
        choices=("hermes", "openai", "both"),
        default="both",
        help="completion format of the throughput section: Hermes/Qwen text, OpenAI messages, or both",
    )
    p.add_argument("--sections", default="all", help=f"comma-separated subset of {','.join(SECTIONS)} (or all)")
    p.add_argument("--schema-items", type=int, default=2000, help="completions the jsonschema baseline is timed on")
    p.add_argument("--seed", type=int, default=0, help="workload seed")
    p.add_argument("--json", dest="json_out", default=None, help="also write the figures to this file")
    p.add_argument("--update-readme", action="store_true", help="rewrite the figures block of benchmarks/README.md")
    p.add_argument("--profile", action="store_true", help="print a profile of one warm graded call and exit")
    return p


def _command(argv: Sequence[str]) -> str:
    try:
        script = os.path.relpath(__file__)
    except ValueError:
        script = __file__
    return shlex.join(["python", script, *argv])


def _run_child(section: str, variant: str, args: argparse.Namespace, out: Callable[[str], None]) -> dict[str, Any]:
    """Run one section (one variant) in a fresh interpreter; relay its output; return its figures."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "child.json"
        cmd = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--child",
            section,
            "--variant",
            variant,
            "--prompts",
            str(args.prompts),
            "--rollouts",
            str(args.rollouts),
            "--repeats",
            str(args.repeats),
            "--seed",
            str(args.seed),
            "--schema-items",
            str(args.schema_items),
            "--json",
            str(path),
        ]
        with subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True) as proc:
            assert proc.stdout is not None
            for line in proc.stdout:
                out(line.rstrip("\n"))
        if proc.returncode != 0:
            raise SystemExit(f"the {section} ({variant}) run failed with exit code {proc.returncode}")
        return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _run_section(section: str, variant: str, args: argparse.Namespace, out: Callable[[str], None]) -> Any:
    if section == "throughput":
        return run_variant(
            variant,
            args.prompts,
            args.rollouts,
            args.repeats,
            args.seed,
            out,  # type: ignore[arg-type]
            args.schema_items,
        )
    if section == "bfcl":
        return run_bfcl(args.repeats, out)
    if section == "workers":
        return run_workers(args.prompts, args.rollouts, args.repeats, args.seed, out)
    if section == "memory":
        return run_memory(out)
    if section == "length":
        return run_length(out)
    raise SystemExit(f"unknown section {section!r}")


def _summary(variants: dict[str, Any], out: Callable[[str], None]) -> None:
    out("summary: steady-state completions/s (median), and rr / baseline throughput ratios from the same run")
    out(f"  {'variant':<8}" + "".join(f"{k:>11}" for k in FUNCTIONS) + f"{'cold graded':>13}")
    for variant, res in variants.items():
        c = res["completions_per_s"]
        out(
            f"  {variant:<8}"
            + "".join(f"{c[k]:>11,.0f}" for k in FUNCTIONS)
            + f"{res['cold']['first_call_completions_per_s']:>13,.0f}"
        )
    for variant, res in variants.items():
        for p in PRESETS:
            r = res["ratios"][p]
            out(
                f"  {variant:<8} rr {p:<9} vs floor: {_ratio(r['vs_floor'])}   vs naive: {_ratio(r['vs_naive'])}   "
                f"vs jsonschema: {_ratio(r['vs_jsonschema'])}"
            )


def _parse(argv: list[str]) -> tuple[argparse.Namespace, tuple[str, ...]]:
    """The arguments, checked, and the sections to run."""
    parser = _parser()
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.prompts < 1 or args.rollouts < 1 or args.repeats < 1 or args.schema_items < 1:
        parser.error("--prompts, --rollouts, --repeats and --schema-items must be positive")
    sections = SECTIONS if args.sections == "all" else tuple(s.strip() for s in args.sections.split(","))
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s) {unknown}; choose from {list(SECTIONS)}")
    return args, sections


def _shown_command(argv: list[str]) -> str:
    """The command that reproduces the figures: without the output options."""
    shown: list[str] = []
    skip = False
    for a in argv:
        if skip:
            skip = False
        elif a == "--json":
            skip = True
        elif a != "--update-readme" and not a.startswith("--json="):
            shown.append(a)
    return _command(shown)


def _print_header(
    report: dict[str, Any], args: argparse.Namespace, sections: tuple[str, ...], out: Callable[[str], None]
) -> None:
    machine = report["machine"]
    out("rlvr_rewards benchmark")
    out(f"command : {report['command']}")
    out(
        f"settings: prompts={args.prompts} rollouts={args.rollouts} repeats={args.repeats} variant={args.variant} "
        f"sections={','.join(sections)} seed={args.seed}"
    )
    load = machine["loadavg"]
    out(
        f"machine : {machine['platform']}; CPU {machine['cpu']} ({machine['cpus']} logical, "
        f"{machine['usable_cpus']} usable); Python {machine['python']}; numpy {machine['numpy']}; "
        f"orjson {machine['orjson']}; rlvr_rewards {machine['rlvr_rewards']}"
        + (f"; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}" if load else "")
    )


def _check_and_print_targets(report: dict[str, Any], out: Callable[[str], None]) -> None:
    """The targets of the performance issue and the CI floors, into ``report`` and printed."""
    report["targets"] = check_targets(report)
    measured = {v: res["ratios"]["graded"]["vs_floor"] for v, res in report["variants"].items()}
    report["floors"] = {
        "floors": FLOORS,
        "measured": measured,
        "ok": all(measured[v] >= f for v, f in FLOORS.items() if v in measured),
    }
    out("targets of the performance issue:")
    for row in report["targets"]:
        met = {True: "met", False: "NOT MET", None: "not measured"}[row["met"]]
        out(f"  {met:<13} {row['target']}: {_fmt_measured(row['measured'], row.get('unit', ''))}")
    out(
        "CI floors (graded / parse floor): "
        + ", ".join(
            f"{v} {measured[v]:.3f} >= {f}: {'ok' if measured[v] >= f else 'BELOW'}"
            for v, f in FLOORS.items()
            if v in measured
        )
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark (see the module docs); return the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args, sections = _parse(argv)

    def out(line: str) -> None:
        print(line, flush=True)

    if args.child:  # one section in this fresh process
        result = _run_section(args.child, args.variant, args, out)
        Path(args.json_out).write_text(json.dumps(result) + "\n", encoding="utf-8")
        return 0
    if args.profile:
        run_profile(args.prompts, args.rollouts, args.seed, out)
        return 0

    started = time.perf_counter()
    settings = {k: v for k, v in vars(args).items() if k not in ("json_out", "child", "update_readme", "profile")}
    report: dict[str, Any] = {
        "command": _shown_command(argv),
        "machine": machine_info(),
        "settings": settings,
        "variants": {},
    }
    _print_header(report, args, sections, out)
    variants = ("hermes", "openai") if args.variant == "both" else (args.variant,)
    for section in sections:
        if section == "throughput":
            for variant in variants:
                report["variants"][variant] = _run_child(section, variant, args, out)
            _summary(report["variants"], out)
        else:
            report[section] = _run_child(section, "hermes", args, out)
    report["elapsed_s"] = time.perf_counter() - started
    _check_and_print_targets(report, out)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        out(f"figures written to {args.json_out}")
    if args.update_readme:
        update_readme(markdown(report))
        out("benchmarks/README.md figures block updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
