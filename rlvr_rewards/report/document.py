"""The report's pages: one scored run (:func:`run_report`) and two runs on the same rows (:func:`compare_report`).

Contract: each function takes scored runs (:mod:`rlvr_rewards.integrations.runs`) and :class:`Settings`, and returns a
:class:`Report`: the HTML of one self-contained page (inline CSS, figures as base64 PNG, no script, no external
URL) and the figures' PNG bytes by name (what ``--png-dir`` writes). Every number shown comes from
``BatchScore.summary()`` or from :mod:`rlvr_rewards.report.stats` (bootstrap intervals resampling rows, the
GRPO groups) and carries its exact value in ``data-value``; every text from the data (completions, prompts, row
ids, labels, explanations, paths) is escaped, and completions, prompts and explanations are cut to a few thousand
characters (:func:`rlvr_rewards.report.html.untrusted`).

Sections (``<section id=...>``) of a run's page: ``meta`` (library and dependency versions, preset, inputs with
SHA-256, counts, bootstrap settings), ``rewards`` (mean reward overall and per expected behaviour, with
intervals; mean components), ``confusion`` (expected x done heatmap and table), ``histograms`` (reward
distribution per expected behaviour), ``reasons`` (reason-code bars and table), ``groups`` (GRPO group
statistics: zero-variance share, within-group std distribution) and ``worst`` (the lowest rewards with their
prompts, completions and ``rr.explain`` text). Of a comparison: ``meta``, ``deltas`` (per-behaviour means of A and
B, B - A with paired intervals), ``groups``, ``confusion`` (both heatmaps side by side), ``reasons`` (counts in A
and B), ``better`` and ``worse`` (the rows whose mean reward rose or fell most, with both completions explained).
"""

from __future__ import annotations

import datetime
import platform
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rlvr_rewards.integrations.files import file_sha256
from rlvr_rewards.integrations.runs import ScoredRun, expected_order, pair_runs, row_label
from rlvr_rewards.report import figures
from rlvr_rewards.report.html import esc, image, num, page, pre, section, table
from rlvr_rewards.report.stats import Interval, bootstrap_mean, paired_bootstrap_delta
from rlvr_rewards.scoring.result import group_statistics
from rlvr_rewards.vocabulary import BEHAVIORS

__all__ = ["Report", "Settings", "compare_report", "run_report"]

#: characters of a completion, a prompt and an explanation shown (the rest is counted, not shown)
COMPLETION_CHARS = 4000
PROMPT_CHARS = 1500
EXPLANATION_CHARS = 6000


@dataclass(frozen=True)
class Settings:
    """How the report is computed: the bootstrap (``resamples``, ``level``, ``seed``), the number of examples
    listed (``examples``: the worst completions; the most improved and most degraded rows), the command line
    shown in the metadata and other input files it lists with their SHA-256 (``inputs``: (option, path) pairs,
    e.g. the ``--scores`` files)."""

    resamples: int = 2000
    level: float = 0.95
    seed: int = 0
    examples: int = 10
    command: str = ""
    inputs: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Report:
    """A rendered report: the page and its figures' PNG bytes by name (``confusion``, ...)."""

    html: str
    figures: dict[str, bytes] = field(default_factory=dict)


# --- shared pieces ---------------------------------------------------------------------------------------------


def _versions() -> list[tuple[str, str]]:
    import matplotlib

    import rlvr_rewards

    return [
        ("rlvr-rewards", str(rlvr_rewards.__version__)),
        ("Python", platform.python_version()),
        ("numpy", np.__version__),
        ("matplotlib", str(matplotlib.__version__)),
    ]


def _meta(runs: Sequence[ScoredRun], settings: Settings) -> str:
    from rlvr_rewards.plugins import get_registry

    first = runs[0]
    options = (
        [first.option] if len(runs) == 1 else [f"{run.option} ({ab})" for run, ab in zip(runs, "AB", strict=False)]
    )
    preset = get_registry().preset(first.preset)
    lo, hi = preset.reward_range
    facts = [
        *_versions(),
        ("preset", f"{first.preset} [{lo:g}, {hi:g}]: {preset.description}"),
        ("format", first.format or "detected per completion"),
        ("rows in --data", str(len(first.source.records))),
        *[(f"completions scored ({option})", str(len(run))) for option, run in zip(options, runs, strict=True)],
        ("rows with completions (GRPO groups)", str(len(set(first.rows)))),
        (
            "bootstrap",
            f"{settings.resamples} resamples of the rows (GRPO groups), seed {settings.seed}, "
            f"{100 * settings.level:g} % percentile intervals",
        ),
        ("generated (UTC)", datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")),
    ]
    if settings.command:
        facts.append(("command", settings.command))
    inputs = [("--data", first.source.path), *[(option, run.path) for option, run in zip(options, runs, strict=True)]]
    inputs += settings.inputs
    files = table(
        ["input", "path", "SHA-256", "bytes"],
        [
            [esc(option), esc(path), f"<code>{file_sha256(path)}</code>", num(Path(path).stat().st_size, ",d")]
            for option, path in inputs
        ],
        "inputs",
    )
    return section("meta", "Run", table(["what", "value"], [[esc(k), esc(v)] for k, v in facts], "facts") + files)


def _by_expected(run: ScoredRun) -> dict[str, np.ndarray]:
    """Completion indices (ascending) per expected behaviour, behaviours in the vocabulary's order."""
    found: dict[str, list[int]] = {}
    for i, e in enumerate(run.batch.expected):
        found.setdefault(e, []).append(i)
    return {e: np.asarray(found[e], dtype=np.intp) for e in expected_order(found)}


def _interval_cells(interval: Interval) -> list[str]:
    return [num(interval.low), num(interval.high)]


def _interval(settings: Settings, values: np.ndarray, groups: Sequence[str]) -> Interval:
    return bootstrap_mean(values, groups, resamples=settings.resamples, level=settings.level, seed=settings.seed)


def _confusion_table(confusion: dict[str, dict[str, int]], css_id: str) -> str:
    rows = [
        [esc(e), *[num(confusion[e].get(d, 0), "d") for d in BEHAVIORS], num(sum(confusion[e].values()), "d")]
        for e in expected_order(confusion)
    ]
    return table(["expected \\ did", *BEHAVIORS, "total"], rows, css_id)


def _example_head(run: ScoredRun, i: int) -> str:
    s = run.batch
    label = run.labels[i]
    facts = [
        f"row {esc(row_label(run.row_record(i)))}, completion {run.positions[i] + 1} of its group",
        *([f"label {esc(label)}"] if label is not None else []),
        f"expected <b>{esc(s.expected[i])}</b>, did <b>{esc(s.behaviors[i])}</b>",
        f"reward <b>{float(s.rewards[i]):.3f}</b>",
        f"reason <code>{esc(s.reasons[i])}</code>",
    ]
    return " · ".join(facts)


def _last_user_text(row: dict[str, Any]) -> str:
    from rlvr_rewards.data._rows import message_text, prompt_of

    prompt = prompt_of(row)
    if isinstance(prompt, str):
        return prompt
    if isinstance(prompt, list):
        for message in reversed(prompt):
            if isinstance(message, dict) and message.get("role") == "user":
                return message_text(message.get("content"))
    return ""


def _prompt_block(run: ScoredRun, i: int) -> str:
    prompt = _last_user_text(run.row_record(i).value)
    return f'<p class="label">prompt (last user message)</p>{pre(prompt, PROMPT_CHARS)}'


def _completion_block(run: ScoredRun, i: int) -> str:
    """Completion ``i``: what it was scored, the completion (cut) and its explanation (cut), all escaped."""
    return (
        f"<p>{_example_head(run, i)}</p>"
        f'<p class="label">completion</p>{pre(run.completions[i], COMPLETION_CHARS)}'
        f'<p class="label">explanation (rr.explain)</p>{pre(run.explain(i), EXPLANATION_CHARS)}'
    )


# --- one run -----------------------------------------------------------------------------------------------------


def _rewards_section(run: ScoredRun, summary: dict[str, Any], settings: Settings) -> str:
    groups = [str(r) for r in run.rows]
    overall = _interval(settings, run.batch.rewards, groups)
    rows = [
        [
            "all",
            num(summary["n"], "d"),
            num(overall.clusters, "d"),
            num(summary["mean_reward"]),
            *_interval_cells(overall),
        ]
    ]
    for e, idx in _by_expected(run).items():
        interval = _interval(settings, run.batch.rewards[idx], [groups[i] for i in idx])
        rows.append(
            [
                esc(e),
                num(summary["count_by_expected"][e], "d"),
                num(interval.clusters, "d"),
                num(summary["mean_reward_by_expected"][e]),
                *_interval_cells(interval),
            ]
        )
    level = f"{100 * settings.level:g} %"
    means = table(["expected", "completions", "rows", "mean reward", f"{level} low", f"{level} high"], rows, "means")
    components = table(
        ["component", "mean (where it applies)"],
        [[esc(k), num(v)] for k, v in summary["mean_components"].items()],
        "components",
    )
    note = (
        f'<p class="note">The interval is a {level} percentile bootstrap: the rows (GRPO groups) are resampled '
        f"with replacement {settings.resamples} times (seed {settings.seed}) and the mean reward of each resample "
        "taken; the interval holds the middle of those means. A narrow interval means more rows would not move "
        "the mean much; two runs whose intervals overlap may still differ (compare them with report --compare, "
        "which pairs the completions).</p>"
    )
    return section("rewards", "Mean reward", means + note + "<h3>Mean components</h3>" + components)


def _group_rows(run: ScoredRun, summary: dict[str, Any]) -> list[list[str]]:
    groups = [str(r) for r in run.rows]
    found = [("all", summary["groups"])]
    found += [
        (e, group_statistics(run.batch.rewards[idx], [groups[i] for i in idx])) for e, idx in _by_expected(run).items()
    ]
    return [
        [
            esc(name),
            num(g["n_groups"], "d"),
            num(g["mean_group_size"], ".2f"),
            num(g["frac_zero_std"]),
            num(g["mean_group_std"]),
        ]
        for name, g in found
    ]


def _groups_section(run: ScoredRun, summary: dict[str, Any], figs: dict[str, bytes]) -> str:
    g = summary["groups"]
    figs["group_std"] = figures.group_std_figure(np.array(list(g["group_std"].values())), g["frac_zero_std"])
    body = table(
        ["expected", "groups", "mean group size", "zero-variance share", "mean within-group std"],
        _group_rows(run, summary),
        "group-stats",
    )
    body += (
        '<p class="note">A GRPO group is the completions of one row. A group whose rewards are all equal '
        "(zero variance) has zero advantage for every member: it gives no learning signal. A one-completion "
        "group always has zero variance.</p>"
    )
    body += image(figs["group_std"], "within-group reward std distribution", "Within-group reward std, per group")
    return section("groups", "GRPO groups", body)


def _reasons_section(summary: dict[str, Any], figs: dict[str, bytes]) -> str:
    from rlvr_rewards.plugins import get_registry

    described = get_registry().reasons
    figs["reasons"] = figures.reasons_figure(summary["reasons"])
    n = max(1, summary["n"])
    rows = [
        [f"<code>{esc(code)}</code>", num(count, "d"), num(100 * count / n, ".1f"), esc(described.get(code, ""))]
        for code, count in summary["reasons"].items()
    ]
    body = image(figs["reasons"], "reason-code counts", "Completions per reason code")
    body += table(["reason", "completions", "%", "what it means"], rows, "reason-table")
    return section("reasons", "Reason codes", body)


def _worst_section(run: ScoredRun, n: int) -> str:
    order = sorted(range(len(run)), key=lambda i: (float(run.batch.rewards[i]), i))[:n]
    items = [
        f'<div class="example"><h3>#{rank}</h3>{_prompt_block(run, i)}{_completion_block(run, i)}</div>'
        for rank, i in enumerate(order, 1)
    ]
    note = (
        f'<p class="note">The {len(order)} lowest rewards (ties in file order). Completions are model output: '
        f"shown as text, escaped, and cut after {COMPLETION_CHARS:,} characters.</p>"
    )
    return section("worst", f"Worst {len(order)} completions", note + "".join(items))


def run_report(run: ScoredRun, settings: Settings) -> Report:
    """The page of one scored run (see the module contract)."""
    summary = run.batch.summary()
    figs: dict[str, bytes] = {}
    sections = [_meta([run], settings), _rewards_section(run, summary, settings)]
    figs["confusion"] = figures.confusion_figure([("expected x done", summary["confusion"])])
    sections.append(
        section(
            "confusion",
            "Behaviour: expected x done",
            image(figs["confusion"], "confusion heatmap", "Counts; colour: share of the expected behaviour's row")
            + _confusion_table(summary["confusion"], "confusion-table"),
        )
    )
    by_expected = {e: run.batch.rewards[idx] for e, idx in _by_expected(run).items()}
    figs["histograms"] = figures.reward_histograms_figure(by_expected, run.batch.reward_range)
    sections.append(
        section(
            "histograms",
            "Reward distribution per expected behaviour",
            image(figs["histograms"], "reward histograms", "20 bins over the preset's reward range"),
        )
    )
    sections += [_reasons_section(summary, figs), _groups_section(run, summary, figs)]
    sections.append(_worst_section(run, settings.examples))
    title = f"rlvr-rewards report: {run.path}"
    subtitle = f"{summary['n']} completions on {len(set(run.rows))} rows, preset {run.preset}"
    return Report(page(title, subtitle, sections), figs)


# --- two runs ----------------------------------------------------------------------------------------------------


def _delta_rows(
    pair: tuple[ScoredRun, ScoredRun],
    summaries: tuple[dict[str, Any], dict[str, Any]],
    ib: np.ndarray,
    settings: Settings,
) -> tuple[list[list[str]], list[tuple[str, Interval]]]:
    (a, b), (sa, sb) = pair, summaries
    groups = [str(r) for r in a.rows]
    subsets: list[tuple[str, np.ndarray, float, float]] = [
        ("all", np.arange(len(a), dtype=np.intp), sa["mean_reward"], sb["mean_reward"])
    ]
    subsets += [
        (e, idx, sa["mean_reward_by_expected"][e], sb["mean_reward_by_expected"][e])
        for e, idx in _by_expected(a).items()
    ]
    rows, intervals = [], []
    for name, idx, mean_a, mean_b in subsets:
        interval = paired_bootstrap_delta(
            a.batch.rewards[idx],
            b.batch.rewards[ib[idx]],
            [groups[i] for i in idx],
            resamples=settings.resamples,
            level=settings.level,
            seed=settings.seed,
            estimate=mean_b - mean_a,
        )
        css = "num up" if interval.low > 0 else "num down" if interval.high < 0 else "num"
        rows.append(
            [
                esc(name),
                num(len(idx), "d"),
                num(interval.clusters, "d"),
                num(mean_a),
                num(mean_b),
                num(interval.estimate, "+.3f", css),
                *_interval_cells(interval),
            ]
        )
        intervals.append((name, interval))
    return rows, intervals


def _deltas_section(
    pair: tuple[ScoredRun, ScoredRun],
    summaries: tuple[dict[str, Any], dict[str, Any]],
    ib: np.ndarray,
    settings: Settings,
    figs: dict[str, bytes],
) -> str:
    a, b = pair
    rows, intervals = _delta_rows(pair, summaries, ib, settings)
    figs["deltas"] = figures.deltas_figure(intervals, ("A", "B"))
    level = f"{100 * settings.level:g} %"
    body = table(
        ["expected", "pairs", "rows", "mean A", "mean B", "B - A", f"{level} low", f"{level} high"], rows, "deltas"
    )
    body += (
        f'<p class="note">A: {esc(a.path)}; B: {esc(b.path)}. Each completion of B is paired with the completion '
        "of A on the same row at the same position in the row's group. The interval is a paired bootstrap: the "
        f"rows are resampled with replacement {settings.resamples} times (seed {settings.seed}) and the mean of "
        "the paired differences B - A taken; an interval that excludes 0 (green: B better; red: B worse) is a "
        "change the rows support, one that straddles 0 is not.</p>"
    )
    body += image(figs["deltas"], "mean reward deltas", "B - A per expected behaviour, with paired intervals")
    return section("deltas", "Mean reward: B - A", body)


def _compare_groups_section(summaries: tuple[dict[str, Any], dict[str, Any]]) -> str:
    ga, gb = summaries[0]["groups"], summaries[1]["groups"]
    rows = [
        [esc(name), num(x["n_groups"], "d"), num(x["frac_zero_std"]), num(x["mean_group_std"])]
        for name, x in (("A", ga), ("B", gb))
    ]
    body = table(["run", "groups", "zero-variance share", "mean within-group std"], rows, "group-stats")
    return section("groups", "GRPO groups", body)


def _compare_reasons_section(summaries: tuple[dict[str, Any], dict[str, Any]]) -> str:
    ra, rb = summaries[0]["reasons"], summaries[1]["reasons"]
    codes = sorted(set(ra) | set(rb), key=lambda c: (-abs(rb.get(c, 0) - ra.get(c, 0)), c))
    rows = [
        [
            f"<code>{esc(c)}</code>",
            *(num(n, "d") for n in (ra.get(c, 0), rb.get(c, 0))),
            num(rb.get(c, 0) - ra.get(c, 0), "+d"),
        ]
        for c in codes
    ]
    return section("reasons", "Reason codes", table(["reason", "A", "B", "B - A"], rows, "reason-table"))


def _row_changes(a: ScoredRun, b: ScoredRun, ib: np.ndarray) -> list[tuple[float, int, list[int]]]:
    """(mean B - mean A, row, a's completion indices) per row, in row order."""
    members: dict[int, list[int]] = {}
    for i, r in enumerate(a.rows):
        members.setdefault(r, []).append(i)
    out = []
    for r, idx in sorted(members.items()):
        delta = float(b.batch.rewards[ib[idx]].mean() - a.batch.rewards[idx].mean())
        out.append((delta, r, idx))
    return out


def _changed_section(a: ScoredRun, b: ScoredRun, ib: np.ndarray, n: int, better: bool) -> str:
    """The ``n`` rows whose mean reward rose (``better``) or fell the most, each with the pair of completions
    whose reward moved most that way (the first such pair in the group on a tie)."""
    sign = 1.0 if better else -1.0
    changes = sorted((c for c in _row_changes(a, b, ib) if sign * c[0] > 0), key=lambda c: (-sign * c[0], c[1]))[:n]
    moved = sign * (b.batch.rewards[ib] - a.batch.rewards)
    items = []
    for rank, (delta, _, idx) in enumerate(changes, 1):
        i = idx[int(np.argmax(moved[idx]))]
        head = (
            f"row {esc(row_label(a.row_record(i)))}, expected <b>{esc(a.batch.expected[i])}</b>: mean reward "
            f"{float(a.batch.rewards[idx].mean()):.3f} → {float(b.batch.rewards[ib[idx]].mean()):.3f} "
            f"({delta:+.3f}); the pair that changed most:"
        )
        pair = f"<div><h3>A</h3>{_completion_block(a, i)}</div><div><h3>B</h3>{_completion_block(b, int(ib[i]))}</div>"
        example = f"<h3>#{rank}</h3><p>{head}</p>{_prompt_block(a, i)}"
        items.append(f'<div class="example">{example}<div class="pair">{pair}</div></div>')
    word = "better" if better else "worse"
    note = (
        f'<p class="note">{len(changes)} row(s): the rows whose mean reward {"rose" if better else "fell"} the '
        "most from A to B, each with the pair of completions that moved most.</p>"
    )
    return section(word, f"Rows that got {word}", note + ("".join(items) or "<p>None.</p>"))


def compare_report(a: ScoredRun, b: ScoredRun, settings: Settings) -> Report:
    """The page comparing run ``b`` with run ``a`` on the same rows (see the module contract); a ConfigError
    names the files when they cannot be paired."""
    _, ib = pair_runs(a, b)
    figs: dict[str, bytes] = {}
    summaries = (a.batch.summary(), b.batch.summary())
    sections = [_meta([a, b], settings), _deltas_section((a, b), summaries, ib, settings, figs)]
    sections.append(_compare_groups_section(summaries))
    ca, cb = summaries[0]["confusion"], summaries[1]["confusion"]
    figs["confusion"] = figures.confusion_figure([("A", ca), ("B", cb)])
    tables = f'<div class="pair"><div><h3>A</h3>{_confusion_table(ca, "confusion-a")}</div>'
    tables += f"<div><h3>B</h3>{_confusion_table(cb, 'confusion-b')}</div></div>"
    sections.append(
        section(
            "confusion",
            "Behaviour: expected x done, A and B",
            image(figs["confusion"], "confusion heatmaps of A and B", "Counts; colour: share of the row") + tables,
        )
    )
    sections.append(_compare_reasons_section(summaries))
    sections += [_changed_section(a, b, ib, settings.examples, better) for better in (True, False)]
    title = f"rlvr-rewards report: {b.path} vs {a.path}"
    subtitle = f"A: {a.path}; B: {b.path}; {len(a)} paired completions on {len(set(a.rows))} rows, preset {a.preset}"
    return Report(page(title, subtitle, sections), figs)
