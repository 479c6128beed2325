"""Runs: rows and completion files read, checked, paired and scored, the one way ``rlvr-rewards score``, ``demo``
and ``report`` do it; scores written by ``score --out`` read back; two completion files paired for
``report --compare``.

Contract: :func:`load_rows` reads ``--data`` with the one row checker (``inspect_rows``): a fatal problem is a
ConfigError naming the file, line and row id; advisory problems are counted on stderr and the rows still score.
:func:`read_completions` pairs a completion file with the rows (``pair_records``: by ``id``, or line by line when
no completion has one; its ``limit`` keeps the first N completions) and keeps, per completion, its record, its row,
its position in the row's group (0, 1, ... in file order), its label and the completion itself.
:func:`score_completions` scores them with GRPO groups keyed by row id (``summary()`` is the one ``score`` prints;
``workers`` and ``progress`` as :func:`~rlvr_rewards.scoring.core.score_batch`'s); :meth:`ScoredRun.explain`
explains any one of them exactly as it was scored. :func:`score_run` is the two in one.

:func:`read_scores` reads the per-completion scores ``score --out`` wrote (one JSON line per completion, in the
completions' order) back into a :class:`ScoredRun` without scoring again: the file must hold one line per
completion, each with the ``index`` and row ``id`` of that completion, else a ConfigError names the line.

:func:`pair_runs` pairs two completion files on the same rows by (row, position in the row's group): both must
give every row the same number of completions, else a ConfigError names both files and the first row that
differs. It needs no scores, so a command checks the pairing before scoring anything.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from rlvr_rewards.errors import ConfigError
from rlvr_rewards.groundtruth.validate import LoadedRow, inspect_rows
from rlvr_rewards.integrations.files import Record, pair_records, read_records
from rlvr_rewards.scoring.core import score_batch
from rlvr_rewards.scoring.result import BatchScore
from rlvr_rewards.util.progress import Progress
from rlvr_rewards.vocabulary import EXPECTED_BEHAVIORS, TRAJECTORY

_ORDER = {name: k for k, name in enumerate((*EXPECTED_BEHAVIORS, TRAJECTORY))}


def expected_order(names: Iterable[str]) -> list[str]:
    """Expected behaviours in the vocabulary's order (execute, clarify, refuse, no_call, trajectory), any other
    name after them, alphabetically."""
    return sorted(set(names), key=lambda name: (_ORDER.get(name, len(_ORDER)), name))


__all__ = [
    "Completions",
    "Rows",
    "ScoredRun",
    "expected_order",
    "load_rows",
    "pair_runs",
    "read_completions",
    "read_file",
    "read_scores",
    "row_label",
    "score_completions",
    "score_run",
]


@dataclass(frozen=True)
class Rows:
    """The rows of ``--data`` and each one's loaded form (truth and tools), by position."""

    path: str
    records: list[Record]
    loaded: list[LoadedRow]


@dataclass(frozen=True)
class Completions:
    """A completion file paired with the rows: completion ``i`` is ``completions[i]``, on the row
    ``source.records[rows[i]]`` at position ``positions[i]`` of that row's group (0, 1, ... in file order), read
    from ``records[i]``."""

    path: str
    option: str
    records: list[Record]
    rows: list[int]
    positions: list[int]
    completions: list[Any]
    labels: list[str | None]
    source: Rows

    def __len__(self) -> int:
        return len(self.rows)

    def row_record(self, i: int) -> Record:
        return self.source.records[self.rows[i]]


@dataclass(frozen=True)
class ScoredRun(Completions):
    """The completions scored: ``batch[i]`` is the score of completion ``i`` under ``preset`` (and ``format``)."""

    preset: str
    format: str | None
    batch: BatchScore

    def explain(self, i: int) -> str:
        """The text of ``rr.explain`` for completion ``i`` (the same score as ``batch[i]``)."""
        from rlvr_rewards.scoring.explain import explain

        loaded = self.source.loaded[self.rows[i]]
        return str(explain(self.completions[i], loaded.truth, loaded.toolset, self.preset, format=self.format))


def load_rows(path: str, progress: Progress | None = None) -> Rows:
    """Every row of ``path`` loaded by the row checker (see the module contract); bars on ``progress`` while the
    file is read and its rows checked."""
    shown = progress if progress is not None else Progress(enabled=False)
    records = read_file(path, "--data", shown)
    if not records:
        raise ConfigError(f"--data {path}: holds no rows; expected one JSON object per line")
    with shown.task(f"checking {len(records):,} rows", total=None):
        loaded, problems = inspect_rows([r.value for r in records], [r.number for r in records])
    fatal = [p for p in problems if p.fatal]
    if fatal:
        more = ""
        if len(fatal) > 1:
            more = f" ({len(fatal) - 1} more row problem(s) like it: `rlvr-rewards validate --data {path}` lists all)"
        raise ConfigError(f"--data {path} {records[0].unit} {str(fatal[0]).removeprefix('line ')}{more}")
    advisory = [p for p in problems if not p.fatal]
    if advisory:
        print(
            f"rlvr-rewards: note: {len(advisory)} row problem(s) in {path} "
            f"({', '.join(sorted({p.kind for p in advisory}))}); `rlvr-rewards validate --data {path}` lists them",
            file=sys.stderr,
        )
    return Rows(path, records, [row for row in loaded if row is not None])


def read_file(path: str, option: str, progress: Progress) -> list[Record]:
    """:func:`~rlvr_rewards.integrations.files.read_records` of ``path`` with a bar (``reading <path>``, in bytes)."""
    try:
        size = os.stat(path).st_size
    except OSError:  # read_records names the problem
        return read_records(path, option)
    with progress.task(f"reading {path}", total=size) as advance:
        done = 0

        def at(position: int) -> None:
            nonlocal done
            advance(position - done)
            done = position

        return read_records(path, option, progress=at if progress.enabled else None)


def read_completions(
    rows: Rows, path: str, option: str, limit: int | None = None, progress: Progress | None = None
) -> Completions:
    """The completions of ``path`` (the first ``limit``) paired with ``rows`` (see the module contract); ``option``
    names the file's role in messages (``--completions``, ``--compare``)."""
    records = read_file(path, option, progress if progress is not None else Progress(enabled=False))
    if not records:
        raise ConfigError(
            f"{option} {path}: holds no completions; expected one JSON object per line "
            "({'id': <row id>, 'completion': <text or messages>})"
        )
    if limit is not None:
        records = records[:limit]
    position_of = {id(r): k for k, r in enumerate(rows.records)}
    triples = list(pair_records(rows.records, records))
    row_index = [position_of[id(row)] for row, _, _ in triples]
    seen: dict[int, int] = {}
    positions = []
    for r in row_index:
        positions.append(seen.get(r, 0))
        seen[r] = positions[-1] + 1
    labels = [None if "label" not in rec.value else str(rec.value["label"]) for _, rec, _ in triples]
    return Completions(
        path, option, [rec for _, rec, _ in triples], row_index, positions, [c for _, _, c in triples], labels, rows
    )


def _groups(found: Completions) -> list[str]:
    """GRPO groups keyed by row id (a row without an id by its position)."""
    records = found.source.records
    return [str(records[r].value.get("id", i)) for i, r in enumerate(found.rows)]


def score_completions(
    found: Completions,
    preset: str,
    fmt: str | None = None,
    workers: int = 1,
    progress: Progress | None = None,
) -> ScoredRun:
    """``found`` scored under ``preset`` as ``rlvr-rewards score`` scores (GRPO groups keyed by row id); a bar
    on ``progress`` (``scoring <file>``) while it runs."""
    shown = progress if progress is not None else Progress(enabled=False)
    with shown.task(f"scoring {found.path}", total=len(found)) as advance:
        batch = score_batch(
            found.completions,
            [found.source.loaded[r].truth for r in found.rows],
            tools=[found.source.loaded[r].toolset for r in found.rows],
            preset=preset,
            groups=_groups(found),
            workers=workers,
            format=fmt,
            progress=advance if shown.enabled else None,
        )
    return _scored(found, preset, fmt, batch)


def _scored(found: Completions, preset: str, fmt: str | None, batch: BatchScore) -> ScoredRun:
    """``found`` with its scores."""
    kept = {f.name: getattr(found, f.name) for f in fields(Completions)}
    return ScoredRun(**kept, preset=preset, format=fmt, batch=batch)


def score_run(
    rows: Rows,
    path: str,
    option: str,
    preset: str,
    fmt: str | None = None,
    *,
    limit: int | None = None,
    workers: int = 1,
    progress: Progress | None = None,
) -> ScoredRun:
    """The completions of ``path`` read, paired with ``rows`` and scored (see the module contract)."""
    return score_completions(read_completions(rows, path, option, limit, progress), preset, fmt, workers, progress)


def read_scores(found: Completions, path: str, option: str, preset: str, fmt: str | None) -> ScoredRun:
    """The scores ``score --out`` wrote for ``found`` (under ``preset``), read back (see the module contract)."""
    from rlvr_rewards.plugins import get_registry

    records = read_records(path, option)
    if len(records) != len(found):
        raise ConfigError(
            f"{option} {path}: holds {len(records)} score line(s) for the {len(found)} completion(s) of "
            f"{found.path}; expected the file `rlvr-rewards score --out` wrote for those completions"
        )
    keys = ("reward", "components", "reason", "behavior", "expected", "violations")
    trajectories: dict[int, Any] = {}
    for i, rec in enumerate(records):
        value, completion = rec.value, found.records[i].value
        missing = [k for k in ("index", *keys) if k not in value]
        if missing:
            raise ConfigError(
                f"{option} {rec.where}: no {', '.join(map(repr, missing))}; expected a line of `score --out`"
            )
        if value["index"] != i or value.get("id") != completion.get("id"):
            raise ConfigError(
                f"{option} {rec.where}: is the score of completion index {value['index']!r} (id "
                f"{value.get('id')!r}), but line {i + 1} of {found.path} is completion {i} (id "
                f"{completion.get('id')!r}); expected the scores of these completions, in their order"
            )
        if "turn_rewards" in value:
            trajectories[i] = (
                np.asarray(value["turn_rewards"], dtype=np.float64),
                np.asarray(value["step_rewards"], dtype=np.float64),
                dict(value.get("details") or {}),
            )
    names = list(dict.fromkeys(k for rec in records for k in rec.value["components"]))
    values = [rec.value for rec in records]
    batch = BatchScore(
        rewards=np.asarray([v["reward"] for v in values], dtype=np.float64),
        components={
            k: np.asarray([np.nan if v["components"].get(k) is None else v["components"][k] for v in values])
            for k in names
        },
        reasons=[str(v["reason"]) for v in values],
        behaviors=[str(v["behavior"]) for v in values],
        expected=[str(v["expected"]) for v in values],
        violations=[tuple(v["violations"]) for v in values],
        preset=preset,
        reward_range=get_registry().preset(preset).reward_range,
        groups=_groups(found),
        trajectories=trajectories or None,
    )
    return _scored(found, preset, fmt, batch)


def row_label(record: Record) -> str:
    """``id 'ex-001'``, or ``line 3`` for a row without an id."""
    rid = record.value.get("id")
    return f"id {rid!r}" if rid is not None else f"{record.unit} {record.number}"


def pair_runs(a: Completions, b: Completions) -> tuple[np.ndarray, np.ndarray]:
    """Index arrays ``(ia, ib)``: ``a``'s completion ``ia[j]`` and ``b``'s ``ib[j]`` are on the same row at the same
    position in its group; ordered as ``a``'s file. A ConfigError names both files when they cannot be paired."""
    keys_b = {(r, p): i for i, (r, p) in enumerate(zip(b.rows, b.positions, strict=True))}
    if set(keys_b) != set(zip(a.rows, a.positions, strict=True)):
        _raise_unpaired(a, b)
    ia = np.arange(len(a), dtype=np.intp)
    ib = np.fromiter((keys_b[(r, p)] for r, p in zip(a.rows, a.positions, strict=True)), dtype=np.intp, count=len(a))
    return ia, ib


def _group_sizes(run: Completions) -> dict[int, int]:
    sizes: dict[int, int] = {}
    for r in run.rows:
        sizes[r] = sizes.get(r, 0) + 1
    return sizes


def _raise_unpaired(a: Completions, b: Completions) -> None:
    sa, sb = _group_sizes(a), _group_sizes(b)
    differ: Sequence[int] = sorted(r for r in set(sa) | set(sb) if sa.get(r, 0) != sb.get(r, 0))
    first = differ[0]
    raise ConfigError(
        f"--compare {b.path}: cannot be paired with {a.path}: row {row_label(a.source.records[first])} has "
        f"{sb.get(first, 0)} completion(s) in {b.path} and {sa.get(first, 0)} in {a.path} ({len(differ)} row(s) "
        "differ); completions are paired by row id and position within the row's group, so both files need the "
        "same number of completions for every row"
    )
