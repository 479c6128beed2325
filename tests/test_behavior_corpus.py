"""Behaviour detection on the hand-labelled corpora: a per-class floor, and the report the docs show.

``behavior_corpus.jsonl`` was written for this project and used while developing the classifier;
``behavior_heldout.jsonl`` was written independently afterwards and never used for tuning (see
tests/data/README.md). Both are held to floors; the held-out figures are the honest estimate.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import rlvr_rewards as rr
from rlvr_rewards.classify.evaluation import detection_report
from rlvr_rewards.vocabulary import BEHAVIORS

from .helpers import load_corpus

ROWS = Path(__file__).parent.parent / "rlvr_rewards" / "data" / "example_rows.jsonl"

# floors: per-class recall on each corpus (measured figures are in docs/behaviour.md)
FLOORS = {
    "behavior_corpus.jsonl": {"execute": 0.98, "clarify": 0.95, "refuse": 0.95, "answer": 0.93, "invalid": 0.98},
    "behavior_heldout.jsonl": {"execute": 0.95, "clarify": 0.90, "refuse": 0.80, "answer": 0.85, "invalid": 0.95},
}


def example_tools() -> list[dict[str, Any]]:
    return json.loads(ROWS.read_text().splitlines()[0])["extra_info"]["tools"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_detection_floor_per_class(name: str) -> None:
    rows = load_corpus(name)
    report = detection_report([r["completion"] for r in rows], [r["label"] for r in rows])
    lines = [f"{name}: accuracy {report['accuracy']:.3f}, macro-F1 {report['macro_f1']:.3f}"]
    for b in BEHAVIORS:
        pc = report["per_class"][b]
        lines.append(f"  {b:<8} n={pc['support']:>4} precision {pc['precision']:.3f} recall {pc['recall']:.3f}")
    print("\n".join(lines))
    misses = [(r["id"], r["label"], d) for r, d in zip(rows, report["detected"], strict=True) if r["label"] != d]
    for b, floor in FLOORS[name].items():
        assert report["per_class"][b]["recall"] >= floor, (b, misses)


def test_corpus_truths_score_and_labels_drive_rewards() -> None:
    """Scoring the corpus end to end: every reward is in range, and a completion whose label is the
    truth's behaviour (and nothing else went wrong) is rewarded above one whose label is not."""
    rows = load_corpus("behavior_corpus.jsonl")
    tools = example_tools()
    b = rr.score_batch([r["completion"] for r in rows], [r["truth"] for r in rows], tools=tools)
    assert ((b.rewards >= 0) & (b.rewards <= 1)).all()

    def rewards(keep: Any) -> np.ndarray:
        return np.array([b.rewards[i] for i, r in enumerate(rows) if keep(r)])

    for behavior, floor in (("execute", 0.9), ("clarify", 0.85), ("refuse", 0.95)):
        right = rewards(lambda r, b=behavior: r["label"] == b == r["truth"]["behavior"])
        assert right.mean() >= floor, (behavior, right.mean())
    wrong = rewards(lambda r: r["label"] != r["truth"]["behavior"])
    assert wrong.mean() <= 0.05 and wrong.max() <= 0.15


def test_detection_report_validates_labels() -> None:
    with pytest.raises(rr.ConfigError, match="item 1"):
        detection_report(["a", "b"], ["answer", "question"])
