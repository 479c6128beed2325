"""Refusal detection on the refusal corpus: every class at least 95 % on the held-out half.

``refusal_dev.jsonl`` and ``refusal_heldout.jsonl`` are the two halves of one hand-written corpus of refusals
and look-alikes (short apologies, "no tool fits", policy refusals, partial refusals; apologies before answers or
questions, "I can't wait" idioms, "no tool needed"), split by label and hash by ``tools/build_refusal_corpus.py``.
The classifier was tuned on the development half only (see tests/data/README.md and docs/behaviour.md).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from rlvr_rewards.classify.evaluation import detection_report

from .helpers import load_corpus

ROOT = Path(__file__).resolve().parent.parent

# per-class recall floors; measured figures are in docs/behaviour.md
FLOORS = {
    "refusal_dev.jsonl": {"execute": 0.98, "clarify": 0.98, "refuse": 0.98, "answer": 0.98},
    "refusal_heldout.jsonl": {"execute": 0.95, "clarify": 0.95, "refuse": 0.95, "answer": 0.95},
    # written blind to the classifier by a second author and measured once (docs/behaviour.md); never tuned on
    "refusal_blind.jsonl": {"clarify": 0.95, "refuse": 0.95, "answer": 0.95},
}


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_every_class_meets_its_floor(name: str) -> None:
    rows = load_corpus(name)
    report = detection_report([r["completion"] for r in rows], [r["label"] for r in rows])
    misses = [(r["id"], r["label"], d) for r, d in zip(rows, report["detected"], strict=True) if r["label"] != d]
    for label, floor in FLOORS[name].items():
        assert report["per_class"][label]["support"] >= 5, label
        assert report["per_class"][label]["recall"] >= floor, (label, report["per_class"][label], misses)


def test_the_halves_are_disjoint_and_stratified() -> None:
    dev, held = load_corpus("refusal_dev.jsonl"), load_corpus("refusal_heldout.jsonl")
    assert not {r["completion"] for r in dev} & {r["completion"] for r in held}
    assert len(dev) + len(held) >= 300
    for label in ("execute", "clarify", "refuse", "answer"):
        n_dev, n_held = (sum(r["label"] == label for r in half) for half in (dev, held))
        assert 0 <= n_dev - n_held <= 1, (label, n_dev, n_held)


def test_the_corpus_matches_its_generator() -> None:
    script = ROOT / "tools" / "build_refusal_corpus.py"
    proc = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_blind_set_matches_its_generator() -> None:
    script = ROOT / "tools" / "build_refusal_blind.py"
    proc = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert len({r["completion"] for r in load_corpus("refusal_blind.jsonl")}) >= 150
