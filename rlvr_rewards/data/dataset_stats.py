"""Dataset statistics: the behaviour mix against a target, tool coverage, duplicate prompts, truth/schema
contradictions (``rlvr-rewards data stats``).

Contract: :func:`stats` ``(rows, target=(0.6, 0.25, 0.15), *, lines=None)`` returns a :class:`DatasetStats`
(``to_dict()``: JSON data; ``str()``: the text report); the rows are not changed.

- **Loading.** Every row is loaded as scoring loads it (:func:`rlvr_rewards.groundtruth.validate.load_row`): a
  row that would not score raises :class:`~rlvr_rewards.errors.GroundTruthError` /
  :class:`~rlvr_rewards.errors.ToolSpecError` with the row's ``index`` and ``field``, its message naming the row.
- **The mix.** Each row's expected behaviour (its compiled truth's): ``execute``, ``clarify``, ``refuse``,
  ``no_call`` (the blog dialect's reference replies) or ``trajectory``; counts and shares of all rows.
- **The target** is three shares for execute / clarify / refuse (``(0.6, 0.25, 0.15)``, or text ``"60/25/15"``:
  any three non-negative numbers, normalised to sum 1; :func:`parse_target`). It applies to the execute, clarify
  and refuse rows only: ``no_call`` and ``trajectory`` rows are counted but outside it. Three plans to reach it,
  each per behaviour: ``keep_size`` (rows to add, positive, or to drop, negative, keeping the number of
  targeted rows), ``add_only`` (the fewest rows to add, dropping none; ``None`` when a behaviour with a zero
  target has rows, since only dropping them reaches it) and ``drop_only`` (the fewest rows to drop, adding
  none). Target counts are apportioned exactly (fractions, largest remainder), so they sum to the size.
- **Tools.** Per tool name: how many rows offer it (their tools, as scoring reads them) and how many expect it
  (an expected call to it, in a single-step truth or any turn of a trajectory; a row counts once); the tools
  offered but never expected; how many rows have no tools.
- **Duplicates.** Rows are grouped by their whole prompt (:func:`rlvr_rewards.data._rows.prompt_key`: every
  message, whitespace and case normalised) and their tools: ``conflicting_prompts`` lists the groups whose rows
  expect different things (behaviour, and the calls for execute, the missing parameters for clarify;
  reference texts are ignored); ``repeated_prompts`` counts the groups of more than one row;
  ``exact_duplicates`` lists the rows equal in every field but ``id``; ``duplicate_ids`` the ids used twice.
- **Contradictions** are :func:`rlvr_rewards.groundtruth.validate.inspect_rows`'s advisory problems (a call to a
  tool not offered, a required parameter missing, the wrong type, ...), as ``Problem`` objects.

Rows are named by ``id`` (else ``line N``); ``lines`` gives each row's line (default 1, 2, ...).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from math import ceil, floor
from typing import Any

from rlvr_rewards.data._rows import canonical, load_rows, prompt_key, prompt_of
from rlvr_rewards.errors import ConfigError
from rlvr_rewards.groundtruth.truths import CompiledTruth
from rlvr_rewards.groundtruth.validate import LoadedRow, Problem, inspect_rows

__all__ = ["BEHAVIOURS", "TARGETED", "DatasetStats", "parse_target", "stats"]

#: The expected behaviours a row can have, in report order.
BEHAVIOURS = ("execute", "clarify", "refuse", "no_call", "trajectory")
#: The behaviours the target shares are for.
TARGETED = ("execute", "clarify", "refuse")
_DEFAULT_TARGET = (0.6, 0.25, 0.15)


def parse_target(target: str | Sequence[float | int | Fraction]) -> tuple[Fraction, Fraction, Fraction]:
    """Three shares for execute / clarify / refuse, normalised to sum 1: ``"60/25/15"`` (or ``"0.6/0.25/0.15"``)
    or a sequence of three numbers; ConfigError naming the value otherwise."""
    parts: Sequence[Any] = target.split("/") if isinstance(target, str) else target
    example = "three non-negative shares for execute/clarify/refuse, e.g. 60/25/15 or (0.6, 0.25, 0.15)"
    if isinstance(parts, (str, bytes)) or len(parts) != 3:
        raise ConfigError(f"target {target!r}: expected {example}")
    shares: list[Fraction] = []
    for part in parts:
        try:
            value = Fraction(part.strip()) if isinstance(part, str) else Fraction(part).limit_denominator(10**6)
        except (TypeError, ValueError, ZeroDivisionError):
            raise ConfigError(f"target {target!r}: {part!r} is not a number; expected {example}") from None
        if value < 0:
            raise ConfigError(f"target {target!r}: {part!r} is negative; expected {example}")
        shares.append(value)
    total = sum(shares, Fraction(0))
    if total == 0:
        raise ConfigError(f"target {target!r}: the shares sum to 0; expected {example}")
    return shares[0] / total, shares[1] / total, shares[2] / total


@dataclass(frozen=True)
class DatasetStats:
    """What :func:`stats` found (see the module contract). Counts are plain ints; rows are named by id."""

    rows: int
    #: expected behaviour -> rows (every behaviour of BEHAVIOURS, zeros included)
    mix: dict[str, int]
    #: execute / clarify / refuse -> target share
    target: dict[str, float]
    #: "keep_size" / "add_only" / "drop_only" -> behaviour -> rows to add (> 0) or drop (< 0); add_only None
    #: when only dropping reaches the target
    plans: dict[str, dict[str, int] | None]
    #: tool name -> (rows offering it, rows expecting it)
    tools: dict[str, tuple[int, int]]
    rows_without_tools: int
    conflicting_prompts: list[list[str]] = field(default_factory=list)
    repeated_prompts: int = 0
    exact_duplicates: list[list[str]] = field(default_factory=list)
    duplicate_ids: list[str] = field(default_factory=list)
    contradictions: list[Problem] = field(default_factory=list)

    @property
    def never_expected(self) -> list[str]:
        """The tools some row offers and no row expects."""
        return [name for name, (_, expected) in self.tools.items() if expected == 0]

    def to_dict(self) -> dict[str, Any]:
        """The statistics as JSON data (what ``rlvr-rewards data stats --json`` prints)."""
        n = self.rows
        return {
            "rows": n,
            "mix": {b: {"count": c, "share": c / n if n else 0.0} for b, c in self.mix.items()},
            "target": {
                "shares": dict(self.target),
                "rows": sum(self.mix[b] for b in TARGETED),
                "outside": {b: self.mix[b] for b in BEHAVIOURS if b not in TARGETED},
                **self.plans,
            },
            "tools": {
                "coverage": {name: {"offered": o, "expected": e} for name, (o, e) in self.tools.items()},
                "never_expected": self.never_expected,
                "rows_without_tools": self.rows_without_tools,
            },
            "duplicates": {
                "conflicting_prompts": self.conflicting_prompts,
                "repeated_prompts": self.repeated_prompts,
                "exact_duplicates": self.exact_duplicates,
                "duplicate_ids": self.duplicate_ids,
            },
            "contradictions": {
                "counts": dict(sorted(Counter(p.kind for p in self.contradictions).items())),
                "problems": [
                    {"line": p.line, "id": p.id, "kind": p.kind, "call": p.call, "field": p.field, "message": p.message}
                    for p in self.contradictions
                ],
            },
        }

    def __str__(self) -> str:
        return "\n".join([*self._mix_lines(), *self._tool_lines(), *self._duplicate_lines(), *self._problem_lines()])

    def _mix_lines(self) -> list[str]:
        n = self.rows
        shares = "/".join(_pct(self.target[b]) for b in TARGETED)
        out = [f"{n} rows; behaviour mix against the target {shares} (execute/clarify/refuse):"]
        for b in BEHAVIOURS:
            share = f"{100 * self.mix[b] / n:5.1f}%" if n else "    -"
            goal = f"target {100 * self.target[b]:5.1f}%" if b in TARGETED else "outside the target"
            out.append(f"  {b:<11}{self.mix[b]:>6}  {share}  {goal}")
        size = sum(self.mix[b] for b in TARGETED)
        out.append(f"  to reach it keeping {size} rows: {_plan_text(self.plans['keep_size'])}")
        add, drop = self.plans["add_only"], self.plans["drop_only"]
        add_text = "impossible (a behaviour with a zero target has rows)" if add is None else _plan_text(add, size)
        out.append(f"  adding only: {add_text}")
        out.append(f"  dropping only: {_plan_text(drop, size)}")
        return out

    def _tool_lines(self) -> list[str]:
        expected = sum(1 for _, e in self.tools.values() if e)
        out = [f"tools: {len(self.tools)} offered, {expected} expected by some row"]
        if self.tools:
            width = max(len(name) for name in self.tools)
            out += [f"  {name:<{width}}  offered {o:>5}  expected {e:>5}" for name, (o, e) in self.tools.items()]
        never = self.never_expected
        out.append(f"  offered but never expected: {', '.join(never) if never else 'none'}")
        if self.rows_without_tools:
            out.append(f"  rows without tools: {self.rows_without_tools}")
        return out

    def _duplicate_lines(self) -> list[str]:
        out = [
            f"duplicates: {len(self.conflicting_prompts)} prompt(s) with different truths, "
            f"{self.repeated_prompts} prompt(s) on several rows, {len(self.exact_duplicates)} group(s) of exact "
            f"duplicate rows, {len(self.duplicate_ids)} repeated id(s)"
        ]
        out += [f"  same prompt, different truths: {', '.join(group)}" for group in self.conflicting_prompts[:20]]
        out += [f"  exact duplicates: {', '.join(group)}" for group in self.exact_duplicates[:20]]
        if self.duplicate_ids:
            out.append(f"  repeated ids: {', '.join(self.duplicate_ids[:20])}")
        return out

    def _problem_lines(self) -> list[str]:
        if not self.contradictions:
            return ["contradictions (truth vs tool schema): none"]
        counts = Counter(p.kind for p in self.contradictions)
        kinds = ", ".join(f"{k} {c}" for k, c in sorted(counts.items()))
        out = [f"contradictions (truth vs tool schema): {len(self.contradictions)} ({kinds})"]
        out += [f"  {p}" for p in self.contradictions[:20]]
        if len(self.contradictions) > 20:
            out.append(f"  ... {len(self.contradictions) - 20} more (--json lists all)")
        return out


def _pct(share: float) -> str:
    return f"{100 * share:.1f}".removesuffix(".0")


def _plan_text(plan: Mapping[str, int] | None, size: int | None = None) -> str:
    """``add 3 clarify; drop 6 execute`` (with ``size``, the targeted rows before: and the number after)."""
    if not plan or not any(plan.values()):
        return "nothing to change"
    adds = [f"{d} {b}" for b, d in plan.items() if d > 0]
    drops = [f"{-d} {b}" for b, d in plan.items() if d < 0]
    parts = ([f"add {', '.join(adds)}"] if adds else []) + ([f"drop {', '.join(drops)}"] if drops else [])
    after = f" ({size + sum(plan.values())} rows)" if size is not None else ""
    return "; ".join(parts) + after


def _apportion(size: int, shares: Sequence[Fraction]) -> list[int]:
    """``size`` split by ``shares`` (summing to 1): floors, then the rest to the largest remainders (ties: order)."""
    exact = [s * size for s in shares]
    counts = [floor(x) for x in exact]
    order = sorted(range(len(shares)), key=lambda k: (-(exact[k] - counts[k]), k))
    for k in order[: size - sum(counts)]:
        counts[k] += 1
    return counts


def _deltas(counts: Sequence[int], size: int, shares: Sequence[Fraction]) -> dict[str, int]:
    """Per targeted behaviour: its target count at ``size`` rows minus its count."""
    goal = _apportion(size, shares)
    return {b: goal[k] - counts[k] for k, b in enumerate(TARGETED)}


def _plans(mix: Mapping[str, int], shares: Sequence[Fraction]) -> dict[str, dict[str, int] | None]:
    """The three plans of the module contract."""
    counts = [mix[b] for b in TARGETED]
    live = [k for k, s in enumerate(shares) if s > 0]
    grown = max((ceil(counts[k] / shares[k]) for k in live), default=0)
    shrunk = min((floor(counts[k] / shares[k]) for k in live), default=0)
    impossible = any(counts[k] and not shares[k] for k in range(len(TARGETED)))
    return {
        "keep_size": _deltas(counts, sum(counts), shares),
        "add_only": None if impossible else _deltas(counts, grown, shares),
        "drop_only": _deltas(counts, shrunk, shares),
    }


def _names(truth: CompiledTruth) -> set[str]:
    """The tools a truth expects a call to (any turn of a trajectory)."""
    if truth.trajectory is None:
        return set(truth.names)
    return {name for turn in truth.trajectory.turns if turn.step is not None for name in turn.step.names}


def _coverage(loaded: Sequence[LoadedRow]) -> tuple[dict[str, tuple[int, int]], int]:
    offered: Counter[str] = Counter()
    expected: Counter[str] = Counter()
    without = 0
    for row in loaded:
        if row.toolset is None:
            without += 1
        else:
            offered.update(row.toolset.tools.keys())
        expected.update(_names(row.truth))
    names = sorted(set(offered) | set(expected), key=lambda name: (-expected[name], -offered[name], name))
    return {name: (offered[name], expected[name]) for name in names}, without


def _meaning(truth: CompiledTruth) -> str:
    """What a truth expects, without its reference texts (two truths that differ here conflict)."""
    if truth.behavior == "execute":
        calls = [canonical([c.name, dict(c.arguments)]) for c in truth.calls]
        return "execute " + " ".join(calls if truth.ordered else sorted(calls))
    if truth.behavior == "clarify":
        return "clarify " + " ".join(sorted(truth.missing))
    if truth.trajectory is not None:
        return "trajectory " + truth.key
    return truth.behavior


def _duplicates(
    rows: Sequence[Mapping[str, Any]], loaded: Sequence[LoadedRow], names: Sequence[str]
) -> tuple[list[list[str]], int, list[list[str]]]:
    """(conflicting prompt groups, repeated prompt groups, exact duplicate groups), rows named by ``names``."""
    by_prompt: dict[tuple[str, str], list[int]] = defaultdict(list)
    by_row: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        tools = loaded[i].toolset
        by_prompt[(prompt_key(prompt_of(row)), "" if tools is None else tools.key)].append(i)
        by_row[canonical({k: v for k, v in row.items() if k != "id"})].append(i)
    conflicting = []
    repeated = 0
    for group in by_prompt.values():
        if len(group) < 2:
            continue
        repeated += 1
        if len({_meaning(loaded[i].truth) for i in group}) > 1:
            conflicting.append([f"{names[i]} ({loaded[i].truth.behavior})" for i in group])
    exact = [[names[i] for i in group] for group in by_row.values() if len(group) > 1]
    return conflicting, repeated, exact


def stats(
    rows: Sequence[Any],
    target: str | Sequence[float | int | Fraction] = _DEFAULT_TARGET,
    *,
    lines: Sequence[int] | None = None,
) -> DatasetStats:
    """The statistics of ``rows`` (see the module contract)."""
    shares = parse_target(target)
    loaded = load_rows(rows)
    numbers = list(lines) if lines is not None else list(range(1, len(rows) + 1))
    names = [str(row["id"]) if row.get("id") is not None else f"line {numbers[i]}" for i, row in enumerate(rows)]
    _, problems = inspect_rows(rows, numbers)
    mix = {b: 0 for b in BEHAVIOURS}
    for row in loaded:
        mix[row.truth.behavior] = mix.get(row.truth.behavior, 0) + 1
    tools, without = _coverage(loaded)
    conflicting, repeated, exact = _duplicates(rows, loaded, names)
    return DatasetStats(
        rows=len(rows),
        mix=mix,
        target={b: float(s) for b, s in zip(TARGETED, shares, strict=True)},
        plans=_plans(mix, shares),
        tools=tools,
        rows_without_tools=without,
        conflicting_prompts=conflicting,
        repeated_prompts=repeated,
        exact_duplicates=exact,
        duplicate_ids=sorted({p.id for p in problems if p.kind == "duplicate_id" and p.id is not None}),
        contradictions=[p for p in problems if not p.fatal],
    )
