"""The report's inputs: rows and completion files read, checked and scored as ``rlvr-rewards score`` does, and two
completion files paired for ``report --compare``.

Contract: :func:`load_rows` reads ``--data`` with the one row checker (``inspect_rows``): a fatal problem is a
ConfigError naming the file, line and row id; advisory problems are counted on stderr and the rows still score.
:func:`read_completions` pairs a completion file with the rows (``pair_records``: by ``id``, or line by line when
no completion has one) and keeps, per completion, its row, its position in the row's group (0, 1, ... in file
order), its label and the completion itself. :func:`score_completions` scores them with GRPO groups keyed by row
id (as ``score`` does, so ``summary()`` is the one ``score`` prints); :meth:`ScoredRun.explain` explains any one
of them exactly as it was scored. :func:`score_run` is the two in one.

:func:`pair_runs` pairs two completion files on the same rows by (row, position in the row's group): both must
give every row the same number of completions, else a ConfigError names both files and the first row that
differs. It needs no scores, so a command checks the pairing before scoring anything.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from rlvr_rewards.errors import ConfigError
from rlvr_rewards.groundtruth.validate import LoadedRow, inspect_rows
from rlvr_rewards.integrations.files import Record, pair_records, read_records
from rlvr_rewards.scoring.core import score_batch
from rlvr_rewards.scoring.result import BatchScore
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
    ``source.records[rows[i]]`` at position ``positions[i]`` of that row's group (0, 1, ... in file order)."""

    path: str
    option: str
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


def load_rows(path: str) -> Rows:
    """Every row of ``path`` loaded by the row checker (see the module contract)."""
    records = read_records(path, "--data")
    if not records:
        raise ConfigError(f"--data {path}: holds no rows; expected one JSON object per line")
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


def read_completions(rows: Rows, path: str, option: str) -> Completions:
    """The completions of ``path`` paired with ``rows`` (see the module contract); ``option`` names the file's role
    in messages (``--completions``, ``--compare``)."""
    records = read_records(path, option)
    if not records:
        raise ConfigError(
            f"{option} {path}: holds no completions; expected one JSON object per line "
            "({'id': <row id>, 'completion': <text or messages>})"
        )
    position_of = {id(r): k for k, r in enumerate(rows.records)}
    triples = list(pair_records(rows.records, records))
    row_index = [position_of[id(row)] for row, _, _ in triples]
    seen: dict[int, int] = {}
    positions = []
    for r in row_index:
        positions.append(seen.get(r, 0))
        seen[r] = positions[-1] + 1
    labels = [None if "label" not in rec.value else str(rec.value["label"]) for _, rec, _ in triples]
    return Completions(path, option, row_index, positions, [c for _, _, c in triples], labels, rows)


def score_completions(found: Completions, preset: str, fmt: str | None = None) -> ScoredRun:
    """``found`` scored under ``preset`` as ``rlvr-rewards score`` scores (GRPO groups keyed by row id)."""
    records = found.source.records
    batch = score_batch(
        found.completions,
        [found.source.loaded[r].truth for r in found.rows],
        tools=[found.source.loaded[r].toolset for r in found.rows],
        preset=preset,
        groups=[str(records[r].value.get("id", i)) for i, r in enumerate(found.rows)],
        format=fmt,
    )
    return ScoredRun(
        path=found.path,
        option=found.option,
        rows=found.rows,
        positions=found.positions,
        completions=found.completions,
        labels=found.labels,
        source=found.source,
        preset=preset,
        format=fmt,
        batch=batch,
    )


def score_run(rows: Rows, path: str, option: str, preset: str, fmt: str | None = None) -> ScoredRun:
    """The completions of ``path`` read, paired with ``rows`` and scored (see the module contract)."""
    return score_completions(read_completions(rows, path, option), preset, fmt)


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
