"""Reading per-item ground truths and tools from the keyword columns trainers pass.

Contract: :func:`truths_from_columns` returns one ground truth per completion from the first present
column among ``ground_truth``, ``reward_model`` (veRL rows: its ``ground_truth``), ``reference_answer``
and ``answer``; a missing column raises :class:`ConfigError` naming the columns looked for and the ones
given. Tools come from ``tools`` (one list per item, or one for all) or ``extra_info`` (``tools``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rlvr_rewards.errors import ConfigError

__all__ = ["TRUTH_COLUMNS", "tools_from_columns", "truths_from_columns"]

TRUTH_COLUMNS = ("ground_truth", "reward_model", "reference_answer", "answer")


def _per_item(value: Any, n: int, name: str) -> list[Any]:
    if isinstance(value, (list, tuple)) and len(value) == n:
        return list(value)
    raise ConfigError(
        f"column {name!r} must hold one value per completion ({n}), got "
        f"{type(value).__name__}{f' of length {len(value)}' if hasattr(value, '__len__') else ''}"
    )


def truths_from_columns(columns: Mapping[str, Any], n: int, truth_column: str | None = None) -> list[Any]:
    names = (truth_column,) if truth_column else TRUTH_COLUMNS
    for name in names:
        if name in columns and columns[name] is not None:
            values = _per_item(columns[name], n, name)
            if name == "reward_model":
                return [v.get("ground_truth") if isinstance(v, Mapping) else v for v in values]
            return values
    raise ConfigError(
        f"no ground-truth column among {list(names)}; the trainer passed {sorted(columns)}. Add a ground_truth "
        "column to the dataset (a native truth, its JSON text, or the AWS post's string), or name yours with "
        "truth_column=..."
    )


def tools_from_columns(columns: Mapping[str, Any], n: int) -> list[Any] | None:
    tools = columns.get("tools")
    if tools is not None:
        if (
            isinstance(tools, (list, tuple))
            and len(tools) == n
            and all(t is None or isinstance(t, (list, tuple, str)) for t in tools)
        ):
            return list(tools)
        return [tools] * n
    extra = columns.get("extra_info")
    if isinstance(extra, Sequence) and not isinstance(extra, (str, bytes)) and len(extra) == n:
        return [e.get("tools") if isinstance(e, Mapping) else None for e in extra]
    return None
