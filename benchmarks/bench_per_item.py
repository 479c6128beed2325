"""Where hosts actually call us (issue 22): one item at a time, a tool list per row, free text, a cold Lambda.

Every figure is a ratio of two timings taken in the same run, interleaved, median of ``--repeats`` rounds
(absolute times on a shared machine are not evidence):

- ``per_item``: ``rr.score`` called once per completion (veRL's ``naive`` manager, OpenRLHF's executor) over
  one batch call's per-completion cost, on the standard workload (``workload.py``: GRPO groups, duplicates).
- ``tools_copies/<k>``: ``rr.score_batch`` where every row carries its own copy of a ``k``-tool list (rows
  loaded from JSONL) over the same batch sharing one list object (k = 1, 10, 100); ``tools_text_copies/<k>``:
  the same with each row's copy as JSON text (as a Parquet column written by ``convert --to parquet`` holds it).
- ``cue_per_char``: scoring a 10,000-character free-text refusal over scoring the same text as ``<think>``
  reasoning followed by a one-line refusal (the reasoning split's cost per character).
- ``cold_import``: ``python -c "import rlvr_rewards.aws_lambda"``, and the import plus a first event
  (``warm_up()``), over ``python -c "pass"`` (fresh processes).

``python benchmarks/bench_per_item.py --update-readme`` rewrites the "per item" block of benchmarks/README.md;
``tests/test_per_item_cost.py`` holds the CI ceilings (``floors.json``, ``per_item_ceilings``).
"""

from __future__ import annotations

import argparse
import copy
import gc
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
if str(_HERE) not in sys.path:
    sys.path.insert(0, str(_HERE))

from bench_throughput import update_readme  # noqa: E402
from workload import load_tools, make_workload  # noqa: E402

import rlvr_rewards as rr  # noqa: E402

__all__ = ["cold_import", "cue_per_char", "per_item", "tools_copies"]


def _rounds(fns: dict[str, Callable[[], Any]], repeats: int) -> dict[str, list[float]]:
    """Seconds of each function in each of ``repeats`` rounds, the functions interleaved in each round."""
    for fn in fns.values():  # warm: registry, caches, validators
        fn()
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            gc.collect()
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return times


def _interleaved(fns: dict[str, Callable[[], Any]], repeats: int) -> dict[str, float]:
    """Median seconds of each function over ``repeats`` interleaved rounds."""
    return {name: statistics.median(ts) for name, ts in _rounds(fns, repeats).items()}


def _paired_ratio(fns: dict[str, Callable[[], Any]], repeats: int) -> tuple[float, dict[str, float]]:
    """The median over rounds of the first function's time over the second's in the same round (a load spike
    moves both sides of a round, so it moves this less than a ratio of two medians), and the medians."""
    times = _rounds(fns, repeats)
    first, second = times.values()
    ratio = statistics.median(a / b for a, b in zip(first, second, strict=True))
    return ratio, {name: statistics.median(ts) for name, ts in times.items()}


def per_item(prompts: int = 100, rollouts: int = 8, repeats: int = 5) -> dict[str, float]:
    """Per-completion cost of ``rr.score`` in a loop over that of one ``rr.score_batch`` call."""
    wl = make_workload(prompts, rollouts, seed=0)
    items = list(zip(wl.completions, wl.ground_truths, strict=True))
    recent = _core()._recent
    tools = wl.tools

    def loop() -> list[float]:
        recent.clear()  # every round scores new completions, as each training step does (repeats only in groups)
        return [rr.score(c, t, tools=tools).reward for c, t in items]

    def batch() -> list[float]:
        return rr.score_batch(wl.completions, wl.ground_truths, tools=tools).rewards.tolist()

    if loop() != batch():
        raise AssertionError("rr.score in a loop and rr.score_batch disagree")
    ratio, t = _paired_ratio({"loop": loop, "batch": batch}, repeats)
    n = len(items)
    return {
        "items": n,
        "per_item_us": t["loop"] / n * 1e6,
        "batch_us": t["batch"] / n * 1e6,
        "ratio": ratio,
    }


def _core() -> Any:
    from rlvr_rewards.scoring import core

    return core


def _tool_list(k: int) -> list[dict[str, Any]]:
    base = load_tools()
    out = []
    for i in range(k):
        spec = copy.deepcopy(base[i % len(base)])
        fn = spec.get("function", spec)
        fn["name"] = f"{fn['name']}_{i}" if i >= len(base) else fn["name"]
        out.append(spec)
    return out


def tools_copies(
    k: int, prompts: int = 100, rollouts: int = 8, repeats: int = 5, as_text: bool = False
) -> dict[str, float]:
    """``score_batch`` with one copy of a ``k``-tool list per row over the same batch sharing one list. The
    copies are objects as loaded from JSONL, or (``as_text``) JSON text as a Parquet column holds it."""
    wl = make_workload(prompts, rollouts, seed=1)
    shared = _tool_list(k)
    per_row: dict[Any, Any] = {  # (json.dumps makes a new string each time, as reading each row does)
        g: json.dumps(shared) if as_text else json.loads(json.dumps(shared)) for g in dict.fromkeys(wl.groups)
    }
    copies = [per_row[g] for g in wl.groups]
    same = [shared] * len(copies)

    def with_copies() -> Any:
        return rr.score_batch(wl.completions, wl.ground_truths, tools=copies)

    def with_shared() -> Any:
        return rr.score_batch(wl.completions, wl.ground_truths, tools=same)

    if with_copies().rewards.tolist() != with_shared().rewards.tolist():
        raise AssertionError("copies and a shared tool list score differently")
    ratio, _ = _paired_ratio({"copies": with_copies, "shared": with_shared}, repeats)
    return {"tools": k, "ratio": ratio}


def cue_per_char(chars: int = 10_000, repeats: int = 7, calls: int = 20) -> dict[str, float]:
    """A free-text refusal of ``chars`` characters over the same text as reasoning (cost per character)."""
    sentence = "I am sorry, but I cannot help with that request because it falls outside what I may do. "
    text = (sentence * (chars // len(sentence) + 1))[:chars]
    truth = {"behavior": "refuse"}
    free = text
    reasoning = f"<think>{text}</think>I cannot help with that."

    recent = _core()._recent

    def run(completion: str) -> Callable[[], Any]:
        def scored() -> list[Any]:
            out = []
            for _ in range(calls):
                recent.clear()  # score it each time: the recent-results memo would answer repeats
                out.append(rr.score(completion, truth))
            return out

        return scored

    ratio, _ = _paired_ratio({"free": run(free), "reasoning": run(reasoning)}, repeats)
    return {"chars": chars, "ratio": ratio}


def cold_import(repeats: int = 5, module: str = "rlvr_rewards.aws_lambda") -> dict[str, float]:
    """Wall time of a fresh interpreter importing ``module``, and importing it then handling a first event
    (``warm_up()``: one sample, every stage), over one that imports nothing."""

    def run(code: str) -> Callable[[], Any]:
        return lambda: subprocess.run([sys.executable, "-c", code], check=True)

    t = _interleaved(
        {"import": run(f"import {module}"), "first": run(f"import {module} as m; m.warm_up()"), "bare": run("pass")},
        repeats,
    )
    return {
        "import_ms": t["import"] * 1e3,
        "first_event_ms": t["first"] * 1e3,
        "bare_ms": t["bare"] * 1e3,
        "ratio": t["import"] / t["bare"],
        "first_event_ratio": t["first"] / t["bare"],
    }


def report(repeats: int = 5) -> dict[str, Any]:
    return {
        "per_item": per_item(repeats=repeats),
        "tools_copies": {str(k): tools_copies(k, repeats=repeats) for k in (1, 10, 100)},
        "tools_text_copies": {str(k): tools_copies(k, repeats=repeats, as_text=True) for k in (10, 100)},
        "cue_per_char": cue_per_char(repeats=repeats + 2),
        "cold_import": cold_import(repeats=repeats),
    }


def markdown(rep: dict[str, Any], command: str) -> str:
    p, c, i = rep["per_item"], rep["cue_per_char"], rep["cold_import"]
    lines = [
        f"Command: `{command}`.",
        "",
        "| what (same run, interleaved, median) | ratio | detail |",
        "|---|---:|---|",
        f"| `rr.score` per item / `score_batch` per completion | {p['ratio']:.2f}x | "
        f"{p['per_item_us']:.0f} us vs {p['batch_us']:.0f} us, {p['items']} completions of the standard workload |",
    ]
    for k, t in rep["tools_copies"].items():
        lines.append(
            f"| a copy of the tools per row / one shared list, {k} tools | {t['ratio']:.2f}x | "
            "score_batch, 800 completions in groups of 8 |"
        )
    for k, t in rep["tools_text_copies"].items():
        lines.append(
            f"| a JSON-text copy of the tools per row / one shared list, {k} tools | {t['ratio']:.2f}x | "
            "the same, each row's tools as a Parquet column holds them |"
        )
    lines += [
        f"| free-text refusal / the same text as reasoning | {c['ratio']:.2f}x | {c['chars']:,} characters |",
        f"| `import rlvr_rewards.aws_lambda` / bare interpreter | {i['ratio']:.2f}x | "
        f"{i['import_ms']:.0f} ms vs {i['bare_ms']:.0f} ms, fresh processes |",
        f"| the import and a first event (`warm_up()`) / bare interpreter | {i['first_event_ratio']:.2f}x | "
        f"{i['first_event_ms']:.0f} ms: what the first event pays for the import being light |",
        "",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None, help="also write every figure as JSON")
    parser.add_argument("--update-readme", action="store_true")
    args = parser.parse_args(argv)
    rep = report(args.repeats)
    command = "python benchmarks/bench_per_item.py" + (f" --repeats {args.repeats}" if args.repeats != 5 else "")
    block = markdown(rep, command)
    print(block)
    if args.json is not None:
        args.json.write_text(json.dumps(rep, indent=2), encoding="utf-8")
    if args.update_readme:
        update_readme(block, marker="per-item")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
