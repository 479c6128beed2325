"""Smoke tests of the throughput benchmark: a tiny run, the workload's mix and the baselines."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from .helpers import BENCH_DIR, benchmark

bench_throughput = benchmark("bench_throughput")
_baselines = benchmark("baselines")
naive_aws_blog, parse_floor = _baselines.naive_aws_blog, _baselines.parse_floor
_workload = benchmark("workload")
Workload, completion_key, make_workload = _workload.Workload, _workload.completion_key, _workload.make_workload

pytestmark = pytest.mark.slow  # runs the benchmark script in subprocesses

FUNCTION_LABELS = (
    "floor (regex + orjson.loads)",
    "naive AWS-blog reward",
    "naive + jsonschema.validate",
    "rr.score_batch graded",
    "rr.score_batch binary",
    "rr.score_batch aws-blog",
)


@pytest.fixture(scope="module", params=["hermes", "openai"])
def workload(request: pytest.FixtureRequest) -> Workload:
    return make_workload(n_prompts=200, rollouts=8, seed=0, variant=request.param)


def test_tiny_run_prints_throughput_and_ratios(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out_json = tmp_path / "bench.json"
    argv = [
        "--prompts",
        "20",
        "--repeats",
        "1",
        "--variant",
        "hermes",
        "--sections",
        "throughput",
        "--schema-items",
        "50",
        "--json",
        str(out_json),
    ]
    assert bench_throughput.main(argv) == 0
    out = capsys.readouterr().out
    assert "command : python " in out and "machine : " in out and "numpy" in out
    assert "sanity: rewards finite and in [0, 1]" in out
    lines = out.splitlines()
    for label in FUNCTION_LABELS:
        assert any(label in line and line.rstrip().endswith("completions/s") for line in lines), label
    for preset in bench_throughput.PRESETS:
        assert any(f"rr {preset} " in line and "vs floor:" in line and "vs naive:" in line for line in lines)
    report = json.loads(out_json.read_text())
    res = report["variants"]["hermes"]
    assert res["n_completions"] == 160
    assert set(res["completions_per_s"]) == set(bench_throughput.FUNCTIONS)
    assert all(v > 0 for v in res["completions_per_s"].values())
    assert res["workload"]["jsonschema_items"] == 50
    assert set(res["ratios"]["graded"]) == {"vs_floor", "vs_naive", "vs_jsonschema"}
    targets = {row["target"]: row for row in report["targets"]}
    assert targets["graded >= 1x the naive reward (b)"]["measured"] == {"hermes": res["ratios"]["graded"]["vs_naive"]}
    assert targets["peak memory <= 256 MB for a 6 MB batch"]["met"] is None  # section not run: not measured
    assert "CI floors (graded / parse floor): hermes" in out


def test_other_sections_markdown_and_readme_update(tmp_path: Path) -> None:
    out_json = tmp_path / "sections.json"
    cmd = [
        sys.executable,
        str(BENCH_DIR / "bench_throughput.py"),
        "--prompts",
        "10",
        "--repeats",
        "1",
        "--sections",
        "workers,length",
        "--json",
        str(out_json),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "[workers] 80 items (hermes), identical results" in proc.stdout
    assert "[length] unclosed tag" in proc.stdout and "per-char cost 10^5 / 10^4" in proc.stdout
    report = json.loads(out_json.read_text())
    assert "speedup" not in report["workers"]  # 80 items: below the 10k the target is about
    rows = {row["target"]: row for row in report["targets"]}
    assert rows["workers=2 >= 1.6x workers=1 for >= 10k items"]["met"] is None
    length = rows["time linear in completion length (cost per char at 10^5 / at 10^4 <= 2)"]
    assert length["met"] is True and length["measured"][""] == report["length"]["worst_ratio"]
    block = bench_throughput.markdown(report)
    assert "### Time against completion length" in block and "### Parallel scoring" in block
    readme = tmp_path / "README.md"
    readme.write_text("intro\n<!-- figures:start -->\nold\n<!-- figures:end -->\noutro\n")
    bench_throughput.update_readme(block, readme)
    text = readme.read_text()
    assert text.startswith("intro\n<!-- figures:start -->\nCommand: `python ") and "### Time against" in text
    assert "old" not in text and text.endswith("<!-- figures:end -->\noutro\n")


def test_memory_and_bfcl_sections(tmp_path: Path) -> None:
    out_json = tmp_path / "mem.json"
    cmd = [
        sys.executable,
        str(BENCH_DIR / "bench_throughput.py"),
        "--repeats",
        "1",
        "--sections",
        "memory,bfcl",
        "--json",
        str(out_json),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(out_json.read_text())
    shapes = report["memory"]["shapes"]
    assert set(shapes) == {"full rows", "compact"}
    assert all(m["bytes"] > 6 * 2**20 and m["peak_rss_mib"] > 0 for m in shapes.values())
    rows = {row["target"]: row for row in report["targets"]}
    assert rows["peak memory <= 256 MB for a 6 MB batch"]["met"] is True
    bfcl = report["bfcl"]
    if "skipped" in bfcl:
        pytest.skip(bfcl["skipped"])
    assert bfcl["n_cases"] > 10_000 and bfcl["agreement"] >= 0.999
    assert "[bfcl]" in proc.stdout and "ratio rr / ast_checker" in proc.stdout


def test_profile_prints_the_call_tree() -> None:
    pytest.importorskip("pyinstrument")
    cmd = [sys.executable, str(BENCH_DIR / "bench_throughput.py"), "--profile", "--prompts", "30"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "score_batch" in proc.stdout and "parse_many" in proc.stdout and "Duration" in proc.stdout


def test_check_targets_reads_each_section() -> None:
    report = {
        "variants": {"hermes": {"ratios": {"graded": {"vs_floor": 0.5, "vs_naive": 0.9, "vs_jsonschema": 150}}}},
        "bfcl": {"skipped": "no bfcl-eval"},
        "workers": {"speedup": 1.7},
        "memory": {"peak_rss_mb": 300.0},
        "length": {"worst_ratio": 1.1},
    }
    rows = {r["target"].split(" (")[0]: r["met"] for r in bench_throughput.check_targets(report)}
    assert rows == {
        "graded >= 0.33x the parse floor": True,
        "graded >= 1x the naive reward": False,
        "graded >= 100x the jsonschema-per-call reward": True,
        "bfcl preset >= 3x BFCL ast_checker": None,
        "workers=2 >= 1.6x workers=1 for >= 10k items": True,
        "peak memory <= 256 MB for a 6 MB batch": False,
        "time linear in completion length": True,
    }


def test_both_variants_run_as_a_script(tmp_path: Path) -> None:
    out_json = tmp_path / "both.json"
    cmd = [
        sys.executable,
        str(BENCH_DIR / "bench_throughput.py"),
        "--prompts",
        "10",
        "--repeats",
        "1",
        "--variant",
        "both",
        "--sections",
        "throughput",
        "--schema-items",
        "20",
        "--json",
        str(out_json),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "[hermes] cold start (fresh process)" in proc.stdout
    assert "[openai] cold start (fresh process)" in proc.stdout
    assert "summary:" in proc.stdout and "completions/s" in proc.stdout
    assert "openai   rr graded    vs floor:" in proc.stdout
    report = json.loads(out_json.read_text())
    assert set(report["variants"]) == {"hermes", "openai"}
    assert report["variants"]["openai"]["cold"]["fresh_process"] is True


def test_workload_mix(workload: Workload) -> None:
    n_prompts, rollouts = workload.n_prompts, workload.rollouts
    assert len(workload) == n_prompts * rollouts
    sizes = Counter(workload.groups)
    assert len(sizes) == n_prompts and set(sizes.values()) == {8}
    # each group has one ground truth (one shared object) and one expected behaviour
    per_group: dict[int, set[str]] = {}
    for g, e, gt in zip(workload.groups, workload.expected, workload.ground_truths, strict=True):
        per_group.setdefault(g, set()).add(e)
        assert gt["behavior"] == e
    assert all(len(s) == 1 for s in per_group.values())
    mix = Counter(next(iter(s)) for s in per_group.values())
    for behavior, share in (("execute", 0.60), ("clarify", 0.25), ("refuse", 0.15)):
        assert abs(mix[behavior] / n_prompts - share) <= 0.05, (behavior, mix)
    keys = [completion_key(c) for c in workload.completions]
    unique = len({(g, k) for g, k in zip(workload.groups, keys, strict=True)})
    assert 0.20 <= (len(keys) - unique) / len(keys) <= 0.40
    assert 0.20 <= workload.stats()["think_share"] <= 0.40
    labels = Counter(label.split(":")[0] for label in workload.labels)
    for kind in (
        "correct",
        "near_miss",
        "wrong_tool",
        "hallucinated_tool",
        "malformed",
        "text_with_call",
        "asked_instead",
        "refused_instead",
        "answered",
        "vague_question",
        "complied_call",
    ):
        assert labels[kind] > 0, kind
    parallel = sum(1 for s in per_group if len(workload.ground_truths[s * rollouts].get("calls", ())) > 1)
    assert 0 < parallel / mix["execute"] < 0.25
    # blog-dialect truths: JSON call lists for execute, plain text otherwise
    for e, blog in zip(workload.expected, workload.blog_truths, strict=True):
        assert blog.startswith("[") == (e == "execute")


def test_workload_is_deterministic_per_seed() -> None:
    for variant in ("hermes", "openai"):
        a = make_workload(n_prompts=30, seed=1, variant=variant)
        b = make_workload(n_prompts=30, seed=1, variant=variant)
        c = make_workload(n_prompts=30, seed=2, variant=variant)
        assert a.completions == b.completions and a.ground_truths == b.ground_truths
        assert a.blog_truths == b.blog_truths and a.labels == b.labels and a.groups == b.groups
        assert a.completions != c.completions


def test_naive_baseline_scores_correct_and_near_misses(workload: Workload) -> None:
    rewards = naive_aws_blog(workload.completions, workload.blog_truths)
    correct = [
        i
        for i, (e, lab) in enumerate(zip(workload.expected, workload.labels, strict=True))
        if e == "execute" and lab == "correct"
    ]
    list_as_string = [i for i, lab in enumerate(workload.labels) if lab == "near_miss:list_as_string"]
    assert correct and list_as_string
    assert all(rewards[i] == 1.0 for i in correct)
    assert all(rewards[i] == 0.5 for i in list_as_string)
    assert all(r in (0.0, 0.5, 1.0) for r in rewards)


def test_naive_baseline_on_the_blogs_near_miss() -> None:
    truth = json.dumps(
        [{"name": "calculate_statistics", "arguments": {"numbers": [10, 20, 30, 40, 50], "operations": ["mean"]}}]
    )
    good = (
        '<tool_call>\n{"name": "calculate_statistics", "arguments": {"operations": ["mean"], '
        '"numbers": [10, 20, 30, 40, 50]}}\n</tool_call>'
    )
    near = good.replace("[10, 20, 30, 40, 50]", '"10, 20, 30, 40, 50"')
    broken = good[: -len("}\n</tool_call>")] + "\n</tool_call>"
    assert naive_aws_blog([good, near, broken, "Which numbers?"], [truth] * 3 + ["Which numbers?"]) == [
        1.0,
        0.5,
        0.0,
        1.0,
    ]


def test_parse_floor_decodes_the_calls(workload: Workload) -> None:
    parsed = parse_floor(workload.completions)
    assert len(parsed) == len(workload)
    for calls, e, lab in zip(parsed, workload.expected, workload.labels, strict=True):
        if e == "execute" and lab == "correct":
            assert calls and all(isinstance(c, dict) for c in calls)
        elif lab in ("asked_instead", "refused_instead", "vague_question"):
            assert calls == []


def test_the_command_line_benchmark_runs_every_command_and_prints_ratios(tmp_path: Path) -> None:
    out = tmp_path / "cli.json"
    proc = subprocess.run(
        [sys.executable, str(BENCH_DIR / "bench_cli.py"), "--prompts", "20", "--repeats", "1", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    figures = json.loads(out.read_text())
    commands = benchmark("bench_cli").commands()
    assert figures["completions"] == 160
    assert set(figures["seconds"]) == {"baseline: rr.score_batch in-process", *commands}
    assert figures["ratios"]["baseline: rr.score_batch in-process"] == 1.0
    assert all(v > 0 for v in figures["seconds"].values())
    for label in commands:
        assert label in proc.stdout


def test_the_server_benchmark_measures_overhead_and_survives_every_fault(tmp_path: Path) -> None:
    pytest.importorskip("starlette")
    pytest.importorskip("uvicorn")
    out = tmp_path / "server.json"
    cmd = [sys.executable, str(BENCH_DIR / "bench_server.py"), "--requests-scale", "0.02", "--batch-sizes", "1,64"]
    proc = subprocess.run([*cmd, "--json", str(out)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    figures = json.loads(out.read_text())
    assert set(figures) == {"command", "machine", "settings", "in_process", "load", "acceptance", "faults"}
    assert {(r["workers"], r["batch"], r["connections"]) for r in figures["load"]} == {
        (w, b, c) for w in (1, 2) for b in (1, 64) for c in (1, 4)
    }
    for row in figures["load"]:
        assert row["requests"] == row["requests_planned"] == row["answers_ok"] >= 1 and row["answers_bad"] == 0
        assert row["overhead"] > 0 and row["items_per_s"] > 0 and 0 < row["p50_ms"] <= row["p99_ms"]
    assert figures["acceptance"]["overhead_by_workers"] == {}  # batch 1,024 not run: not measured
    faults = {row["fault"]: row for row in figures["faults"]}
    assert len(faults) == 7 and "worker killed mid-batch" in faults and "slowloris body" in faults
    assert all(row["stayed_up"] and row["complete"] for row in faults.values()), faults
    assert faults["slowloris body"]["status"] == 408 and faults["invalid JSON"]["status"] == 422
    assert faults["10 MB body (Content-Length)"]["status"] == faults["10 MB body (chunked)"]["status"] == 413
    assert faults["worker killed mid-batch"]["status"] in (200, 503)
    assert "server/in-proc" in proc.stdout and "worker killed mid-batch" in proc.stdout
