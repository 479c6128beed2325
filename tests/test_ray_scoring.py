"""Ray Data scoring on a local 2-CPU cluster: >= 100k rows, order and ids preserved, results equal to
``rr.score_batch`` exactly, throughput reported against one process."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import rlvr_rewards as rr

pytestmark = pytest.mark.slow  # a local Ray cluster and 100,000 rows

DATA = Path(__file__).resolve().parent.parent / "rlvr_rewards" / "data"


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[Any]:
    try:
        import ray
    except ImportError:
        if os.environ.get("CI"):
            raise
        pytest.skip("ray is not installed (the 'ray' extra installs it)")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, ignore_reinit_error=True)
    yield ray
    ray.shutdown()


def rows(n: int) -> list[dict[str, Any]]:
    by_id = {r["id"]: r for r in map(json.loads, (DATA / "example_rows.jsonl").read_text().splitlines())}
    comps = [json.loads(x) for x in (DATA / "example_completions.jsonl").read_text().splitlines()]
    out = []
    for i in range(n):
        c = comps[i % len(comps)]
        out.append({"id": f"r{i}", "completion": c["completion"] + f" {i}",
                    "ground_truth": json.dumps(by_id[c["id"]]["reward_model"]["ground_truth"])})
    return out


def test_score_dataset_matches_score_batch_on_100k_rows(ray_cluster: Any) -> None:
    from rlvr_rewards.integrations.ray import score_dataset

    data = rows(100_000)
    started = time.perf_counter()
    reference = rr.score_batch([d["completion"] for d in data], [d["ground_truth"] for d in data])
    single = time.perf_counter() - started
    started = time.perf_counter()
    out = score_dataset(ray_cluster.data.from_items(data)).take_all()
    distributed = time.perf_counter() - started
    print(f"100,000 rows: one process {single:.2f} s ({len(data) / single:,.0f}/s); Ray Data on 2 CPUs "
          f"{distributed:.2f} s ({len(data) / distributed:,.0f}/s), ratio {single / distributed:.2f}x")
    assert [o["id"] for o in out] == [d["id"] for d in data]
    assert np.array_equal(np.array([o["reward"] for o in out]), reference.rewards)
    assert [o["reason"] for o in out] == reference.reasons
    assert [o["behavior"] for o in out] == reference.behaviors


def test_score_command_with_ray(ray_cluster: Any, tmp_path: Path) -> None:
    from rlvr_rewards.cli import main

    out = tmp_path / "scores.jsonl"
    code = main(["score", "--ray", "--data", str(DATA / "example_rows.jsonl"), "--completions",
                 str(DATA / "example_completions.jsonl"), "--out", str(out)])
    assert code == 0
    got = [json.loads(x) for x in out.read_text().splitlines()]
    plain = tmp_path / "plain.jsonl"
    assert main(["score", "--data", str(DATA / "example_rows.jsonl"), "--completions",
                 str(DATA / "example_completions.jsonl"), "--out", str(plain)]) == 0
    want = [json.loads(x) for x in plain.read_text().splitlines()]
    assert [g["index"] for g in got] == list(range(240))
    assert [g["reward"] for g in got] == [w["reward"] for w in want]
    assert [g["reason"] for g in got] == [w["reason"] for w in want]
