"""Measuring behaviour detection against labels (for the built-in classifier or a plugin's).

Contract: :func:`detection_report` classifies every completion with the registered
``classify_behavior`` chain (exactly as scoring does) and returns per-class precision, recall and F1,
overall accuracy, macro-F1 and the confusion counts (label x detected), as plain JSON-ready values.
Labels outside the five behaviours raise :class:`ConfigError` naming the item.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rlvr_rewards.errors import ConfigError
from rlvr_rewards.vocabulary import BEHAVIORS

__all__ = ["detection_report"]


def detection_report(completions: Sequence[Any], labels: Sequence[str]) -> dict[str, Any]:
    """Per-class precision / recall / F1, accuracy, macro-F1 and confusion of detected vs labelled."""
    from rlvr_rewards.classify.stage import behavior_chain, classify_parses
    from rlvr_rewards.parsing import parse_completion
    from rlvr_rewards.plugins import get_registry

    if len(completions) != len(labels):
        raise ConfigError(f"got {len(completions)} completions but {len(labels)} labels")
    for i, label in enumerate(labels):
        if label not in BEHAVIORS:
            raise ConfigError(f"label at item {i} is {label!r}; expected one of {list(BEHAVIORS)}")
    registry = get_registry()
    parses = [parse_completion(c, parsers=registry.parsers) for c in completions]
    detected = classify_parses(parses, behavior_chain(registry.classifiers))
    confusion = {a: dict.fromkeys(BEHAVIORS, 0) for a in BEHAVIORS}
    for want, got in zip(labels, detected, strict=True):
        confusion[want][got] += 1
    per_class: dict[str, dict[str, float | int]] = {}
    for b in BEHAVIORS:
        tp = confusion[b][b]
        support = sum(confusion[b].values())
        predicted = sum(confusion[a][b] for a in BEHAVIORS)
        precision = tp / predicted if predicted else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[b] = {"support": support, "precision": precision, "recall": recall, "f1": f1}
    present = [b for b in BEHAVIORS if per_class[b]["support"]]
    correct = sum(confusion[b][b] for b in BEHAVIORS)
    return {
        "n": len(labels),
        "accuracy": correct / len(labels) if labels else 0.0,
        "macro_f1": sum(float(per_class[b]["f1"]) for b in present) / len(present) if present else 0.0,
        "per_class": per_class,
        "confusion": confusion,
        "detected": detected,
    }
