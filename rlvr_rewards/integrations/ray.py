"""Scoring a Ray Dataset at scale with Ray Data (``pip install "rlvr-rewards[ray]"``).

Contract of :func:`score_dataset`: returns a new Ray Dataset with every input column kept and these
added: ``reward`` (float64), ``reason``, ``behavior``, ``expected`` and one float column per component
(``component_<name>``, NaN where it does not apply). Rows keep their order (``preserve_order`` is set on
the execution context), so ``ids`` stay attached; each Ray actor builds the scorer once (plugins,
registry) and scores whole batches with ``rr.score_batch``, so results equal ``rr.score_batch`` on the
same rows exactly. Columns: ``completion_column`` (text or messages), ``truth_column`` (any truth form,
or a whole row), optional ``tools_column``; with ``json_columns=True`` the completion and truth columns
hold JSON text (useful when their values have different shapes, which Arrow cannot put in one column).
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["RowScorer", "score_dataset"]


class RowScorer:
    """A Ray Data callable class: one per actor; scores a batch of rows (a dict of columns)."""

    def __init__(self, preset: Any = "graded", completion_column: str = "completion",
                 truth_column: str = "ground_truth", tools_column: str | None = None,
                 json_columns: bool = False) -> None:
        from rlvr_rewards.plugins import get_registry

        get_registry()  # build the plugin registry once per actor
        self.preset = preset
        self.completion_column = completion_column
        self.truth_column = truth_column
        self.tools_column = tools_column
        self.json_columns = json_columns

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        import numpy as np

        from rlvr_rewards.scoring.core import score_batch

        completions = [_plain(x) for x in batch[self.completion_column]]
        truths = [_plain(x) for x in batch[self.truth_column]]
        if self.json_columns:  # heterogeneous values travel as JSON text (Arrow needs one schema per column)
            completions = [json.loads(x) for x in completions]
            truths = [json.loads(x) for x in truths]
        tools = None
        if self.tools_column is not None:
            tools = [_plain(x) for x in batch[self.tools_column]]
        scored = score_batch(completions, truths, tools=tools, preset=self.preset)
        out = dict(batch)
        out["reward"] = scored.rewards
        out["reason"] = np.array(scored.reasons, dtype=object)
        out["behavior"] = np.array(scored.behaviors, dtype=object)
        out["expected"] = np.array(scored.expected, dtype=object)
        for name, column in scored.components.items():
            out[f"component_{name}"] = column
        return out


def _plain(value: Any) -> Any:
    """Arrow/numpy values back to plain Python (numpy arrays of objects -> lists, numpy scalars -> items)."""
    import numpy as np

    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def score_dataset(ds: Any, *, preset: Any = "graded", completion_column: str = "completion",
                  truth_column: str = "ground_truth", tools_column: str | None = None,
                  concurrency: int | None = None, batch_size: int = 4096, json_columns: bool = False) -> Any:
    """Score every row of a Ray Dataset (see the module contract)."""
    import ray

    ds.context.execution_options.preserve_order = True
    return ds.map_batches(
        RowScorer,
        fn_constructor_kwargs={"preset": preset, "completion_column": completion_column,
                               "truth_column": truth_column, "tools_column": tools_column,
                               "json_columns": json_columns},
        batch_size=batch_size,
        batch_format="numpy",
        concurrency=concurrency or max(1, int(ray.available_resources().get("CPU", 1))),
    )
