"""The work budget of comparing one completion's calls with one truth, estimated before any comparison.

Contract:
- Everything done to a completion on its own is linear in its length by construction: parsing (each
  parser's contract; ``tests/test_parse_linear.py``), behaviour cues (a bounded window), schema checks
  (linear validators, user regexes on bounded input: :mod:`rlvr_rewards.groundtruth.userregex`). What grows with the
  *truth* as well is comparing the predicted calls with the expected ones. :func:`matching_work` bounds
  that work in *units* (one unit: one node visit or one comparison, about 0.1-0.3 us) from sizes known
  before comparing anything::

      work = sum over call names n:
               p_n * C_n                   every predicted call named n against every expected one
             + t_n * K_n                   each expected call reads the predicted calls' argument keys
             + p_n * t_n * min(p_n, t_n)   the one-to-one assignment (Hungarian, O(n^2 m))

  where the completion made ``p_n`` calls named n with ``K_n`` argument keys in all, and the truth expects
  ``t_n`` calls named n whose summed :attr:`~rlvr_rewards.groundtruth.truths.CompiledCall.cost` is ``C_n`` (1 + per
  argument 1 + its matcher's :attr:`~rlvr_rewards.groundtruth.matchers.CompiledMatcher.cost`, an upper bound of one
  ``match`` on any value). Names the truth does not expect cost nothing (they are never compared).
- A pair whose work exceeds :data:`WORK_BUDGET` is not compared: the core gives it the violation and
  reason ``over_budget`` and the floor reward (``docs/reliability.md``). The budget is a constant, so the
  cost of scoring one completion stays O(its length) for any truth; a pair of ordinary size (dozens of
  calls, hundreds of argument values) uses well under 1 % of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from rlvr_rewards.groundtruth.truths import CompiledTruth
from rlvr_rewards.parsing.types import ParsedCall, ParseResult

__all__ = ["WORK_BUDGET", "matching_work", "over_budget", "over_budget_parse"]

#: Most work units comparing one completion's calls with one truth may take (about 10-30 ms).
WORK_BUDGET: Final = 100_000


def matching_work(calls: Sequence[ParsedCall], truth: CompiledTruth) -> int:
    """The work estimate of the module docstring (0 when either side has no calls)."""
    costs = truth.name_costs
    if not calls or not costs:
        return 0
    per_name: dict[str, tuple[int, int]] = {}  # name -> (predicted calls, their argument keys)
    for call in calls:
        if call.name in costs:
            count, keys = per_name.get(call.name, (0, 0))
            per_name[call.name] = (count + 1, keys + (len(call.arguments) if call.arguments else 0))
    work = 0
    for name, (p, keys) in per_name.items():
        t, cost = costs[name]
        work += p * cost + t * keys + p * t * min(p, t)
    return work


def over_budget(calls: Sequence[ParsedCall], truth: CompiledTruth) -> bool:
    """Does comparing ``calls`` with ``truth`` exceed :data:`WORK_BUDGET`?"""
    return matching_work(calls, truth) > WORK_BUDGET


def over_budget_parse(parse: ParseResult) -> ParseResult:
    """What the scorers see for a pair over budget: no calls (nothing to compare), the ``over_budget``
    violation, the format and text as parsed."""
    return ParseResult(
        calls=(),
        text=parse.text,
        think=parse.think,
        format=parse.format,
        violations=tuple(sorted({*parse.violations, "over_budget"})),
        attempted_call=True,
    )
