"""The report's figures, each drawn with matplotlib's Agg canvas and returned as PNG bytes.

Contract: every function takes plain data (numbers, and names the library owns: behaviours, reason codes,
presets; never completion text or row ids) and returns the bytes of one PNG image. Figures are built on
``matplotlib.figure.Figure`` with ``FigureCanvasAgg`` directly: no pyplot, no global backend switch, no state
left behind, so they can be drawn inside any program (a notebook, a trainer). Importing this module imports
matplotlib: callers check it is installed first (``rlvr_rewards.report.cli`` exits 2 with the install advice).
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from rlvr_rewards.integrations.runs import expected_order
from rlvr_rewards.report.stats import Interval
from rlvr_rewards.vocabulary import BEHAVIORS

__all__ = [
    "confusion_figure",
    "deltas_figure",
    "group_std_figure",
    "reasons_figure",
    "reward_histograms_figure",
]

_DPI = 100
_BAR = "#4c72b0"
_ZERO = "#c44e52"


def _png(fig: Figure) -> bytes:
    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=_DPI, metadata={"Software": None})
    return buffer.getvalue()


def confusion_figure(panels: Sequence[tuple[str, Mapping[str, Mapping[str, int]]]]) -> bytes:
    """One heatmap per ``(title, confusion)`` panel, side by side: rows the expected behaviour, columns what the
    completions did (``BatchScore.summary()["confusion"]``); each cell shows its count, its colour the share of
    its row (so rows of different sizes read alike)."""
    expected = expected_order(e for _, confusion in panels for e in confusion)
    fig = Figure(figsize=(1.2 + 4.6 * len(panels), 1.4 + 0.55 * max(1, len(expected))), layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    image = None
    for ax, (title, confusion) in zip(axes, panels, strict=True):
        counts = np.array([[confusion.get(e, {}).get(d, 0) for d in BEHAVIORS] for e in expected], dtype=np.float64)
        totals = counts.sum(axis=1, keepdims=True)
        share = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
        image = ax.imshow(share, cmap="Blues", vmin=0.0, vmax=1.0, aspect="auto")
        for (r, c), n in np.ndenumerate(counts):
            ax.text(c, r, f"{int(n)}", ha="center", va="center", color="white" if share[r, c] > 0.6 else "black")
        ax.set_xticks(range(len(BEHAVIORS)), labels=list(BEHAVIORS), rotation=30, ha="right")
        ax.set_yticks(range(len(expected)), labels=expected)
        ax.set_xlabel("what the completion did")
        ax.set_ylabel("expected")
        ax.set_title(title)
    if image is not None:
        fig.colorbar(image, ax=list(axes), label="share of the row", shrink=0.9)
    return _png(fig)


def reward_histograms_figure(by_expected: Mapping[str, np.ndarray], reward_range: tuple[float, float]) -> bytes:
    """One reward histogram per expected behaviour (20 bins over the preset's reward range), stacked, sharing
    the reward axis; each panel's title gives its count and mean."""
    names = list(by_expected) or ["(none)"]
    lo, hi = float(reward_range[0]), float(reward_range[1])
    if hi <= lo:
        hi = lo + 1.0
    fig = Figure(figsize=(7.0, 0.6 + 1.7 * len(names)), layout="constrained")
    axes = fig.subplots(len(names), 1, sharex=True, squeeze=False)[:, 0]
    for ax, name in zip(axes, names, strict=True):
        values = np.clip(np.asarray(by_expected.get(name, np.empty(0)), dtype=np.float64), lo, hi)
        ax.hist(values, bins=20, range=(lo, hi), color=_BAR, edgecolor="white")
        mean = f", mean {values.mean():.3f}" if values.size else ""
        ax.set_title(f"expected {name}: {values.size} completion(s){mean}", fontsize=10, loc="left")
        ax.set_ylabel("completions")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes[-1].set_xlabel("reward")
    axes[-1].set_xlim(lo, hi)
    return _png(fig)


def reasons_figure(reasons: Mapping[str, int], top: int = 25) -> bytes:
    """Horizontal bars of the ``top`` most frequent reason codes (the rest summed as ``(other codes)``)."""
    items = sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))
    if len(items) > top:
        rest = sum(n for _, n in items[top - 1 :])
        items = [*items[: top - 1], (f"({len(items) - top + 1} other codes)", rest)]
    items = items or [("(none)", 0)]
    fig = Figure(figsize=(7.0, max(2.4, 0.8 + 0.32 * len(items))), layout="constrained")
    ax = fig.subplots()
    y = np.arange(len(items))
    ax.barh(y, [n for _, n in items], color=_BAR)
    ax.set_yticks(y, labels=[name for name, _ in items])
    ax.invert_yaxis()
    ax.set_xlabel("completions")
    for k, (_, n) in enumerate(items):
        ax.text(n, k, f" {n}", va="center", fontsize=8)
    return _png(fig)


def group_std_figure(stds: np.ndarray, frac_zero: float) -> bytes:
    """The distribution of the within-group reward standard deviation (one value per GRPO group); the groups
    whose rewards are all equal (no learning signal) are the red bar at zero."""
    values = np.asarray(stds, dtype=np.float64)
    zero = values <= 1e-12
    top = float(values.max()) if values.size and values.max() > 0 else 1.0
    fig = Figure(figsize=(7.0, 3.2), layout="constrained")
    ax = fig.subplots()
    ax.hist(values[~zero], bins=20, range=(0.0, top), color=_BAR, edgecolor="white", label="groups with variance")
    ax.bar([0.0], [int(zero.sum())], width=top / 40, color=_ZERO, label="zero variance", align="edge")
    ax.set_xlabel("within-group reward std (population)")
    ax.set_ylabel("groups")
    ax.set_title(f"{values.size} group(s); zero variance: {100 * frac_zero:.1f} %", fontsize=10, loc="left")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="upper left", fontsize=8)
    return _png(fig)


def deltas_figure(deltas: Sequence[tuple[str, Interval]], names: tuple[str, str]) -> bytes:
    """The change of mean reward (``names[1]`` minus ``names[0]``) per expected behaviour with its paired
    bootstrap interval, as points with error bars around a zero line."""
    labels = [label for label, _ in deltas] or ["(none)"]
    fig = Figure(figsize=(7.0, max(2.4, 1.0 + 0.45 * len(labels))), layout="constrained")
    ax = fig.subplots()
    y = np.arange(len(deltas))
    est = np.array([d.estimate for _, d in deltas], dtype=np.float64)
    err = np.array([[d.estimate - d.low for _, d in deltas], [d.high - d.estimate for _, d in deltas]])
    colors = [_BAR if d.low > 0 else _ZERO if d.high < 0 else "gray" for _, d in deltas]
    ax.axvline(0.0, color="black", linewidth=0.8)
    if len(deltas):
        ax.errorbar(est, y, xerr=err, fmt="none", ecolor="gray", capsize=4)
        ax.scatter(est, y, color=colors, zorder=3)
    ax.set_yticks(np.arange(len(labels)), labels=labels)
    ax.invert_yaxis()
    level = f"{100 * deltas[0][1].level:g} % " if deltas else ""
    ax.set_xlabel(f"mean reward: {names[1]} minus {names[0]} ({level}paired bootstrap interval)")
    return _png(fig)
