"""Property checks for any TRL-style reward function, and a TRL-style wrapper of our presets.

Contract of :func:`check_reward_properties`:

- The reward function has TRL's signature: ``reward_fn(prompts=[...], completions=[...], **columns)
  -> list[float]``, one reward per completion. Completions are text or, for the ``openai`` format (and
  every format with ``conversational=True``), a list of messages ending with the assistant message.
  The ground truth of each item arrives in the ``truth_column`` keyword (default ``ground_truth``) and
  its tool specs in ``tools_column`` (default ``tools``; ``None`` to pass no tools), one entry per item,
  as native JSON values (or their JSON text with ``json_columns=True``).
- Hypothesis draws batches mixing several cases (tools, truth) with, for each, correct completions
  in several formats, semantic mutations and hostile texts, and checks, in this order:

  ========================  ===================================================================
  ``no_exceptions``          the function returns without raising
  ``shape``                  one real number per completion
  ``finite``                 no NaN, no infinity
  ``bounded``                every reward inside ``reward_range`` (when given)
  ``deterministic``          the same batch twice gives the same rewards
  ``permutation_invariant``  shuffling the batch shuffles the rewards the same way
  ``batch_equals_single``    each item scored alone gets its reward from the batch
  ``perfect_is_max``         a correct completion gets the maximum reward the function gave any
                             completion for that truth (``check_perfect``)
  ``mutations_lower``        every mutation scores strictly below every correct completion of
                             its truth (``check_mutations``)
  ========================  ===================================================================

  Rewards compare with an absolute ``tolerance`` (default 1e-9) except ``mutations_lower``, which is
  strict. The first violation raises :class:`AssertionError` whose message starts with
  ``reward property '<name>' failed`` and shows the (shrunk) offending completion, truncated, its
  truth and the values. A nondeterministic function's failure may not replay: it is still reported
  as an ``AssertionError`` (``deterministic``).
- Inputs are deep-copied for every call, so a function that mutates its arguments cannot poison later
  calls. No Hypothesis database is written unless ``hypothesis_settings`` asks for one.

:func:`as_trl_reward` wraps ``rr.score_batch`` into such a function (a plain ``list[float]`` result).
"""

from __future__ import annotations

import copy
import json
import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.errors import Flaky

from rlvr_rewards.combine.presets import Preset
from rlvr_rewards.testing.strategies import (
    BEHAVIORS,
    FORMATS,
    adversarial_texts,
    cases,
    correct_completions,
    formats_for,
    mutations,
)

__all__ = ["PROPERTIES", "PropertyReport", "RewardFunction", "as_trl_reward", "check_reward_properties"]

#: A TRL reward function: ``fn(prompts=..., completions=..., **columns) -> list[float]``.
RewardFunction = Callable[..., Any]

#: The properties, in the order they are checked on each example.
PROPERTIES: tuple[str, ...] = (
    "no_exceptions",
    "shape",
    "finite",
    "bounded",
    "deterministic",
    "permutation_invariant",
    "batch_equals_single",
    "perfect_is_max",
    "mutations_lower",
)

_PROMPT = "Use the available tools to help the user."


@dataclass(frozen=True)
class PropertyReport:
    """What a passing :func:`check_reward_properties` run checked."""

    properties: tuple[str, ...]
    examples: int  # batches drawn by Hypothesis
    completions: int  # completions scored over all batches (each several times)
    reward_calls: int  # calls of the reward function


def as_trl_reward(
    preset: str | Preset = "graded",
    *,
    truth_column: str = "ground_truth",
    tools_column: str = "tools",
    **score_kwargs: Any,
) -> RewardFunction:
    """A TRL reward function scoring with ``rr.score_batch(..., preset=preset, **score_kwargs)``.

    The ground truth of each item comes from the ``truth_column`` dataset column (any shape
    ``rr.score`` accepts: a native truth, its JSON text, a blog-dialect string, a veRL/SageMaker row)
    and its tools from ``tools_column`` when present. Returns a plain ``list[float]``; the function's
    ``__name__`` (what TRL logs) is ``rlvr_<preset>``.
    """
    import rlvr_rewards as rr

    name = preset.name if isinstance(preset, Preset) else str(preset)

    def reward(prompts: Any = None, completions: Sequence[Any] | None = None, **columns: Any) -> list[float]:
        if completions is None:
            raise TypeError("the reward function needs completions=[...]")
        if truth_column not in columns:
            raise TypeError(f"the reward function needs the {truth_column!r} dataset column; got {sorted(columns)}")
        tools = columns.get(tools_column)
        batch = rr.score_batch(
            list(completions), list(columns[truth_column]), tools=tools, preset=preset, **score_kwargs
        )
        return [float(r) for r in batch.rewards.tolist()]

    reward.__name__ = reward.__qualname__ = "rlvr_" + name.replace("-", "_")
    return reward


# --------------------------------------------------------------------------------------------------
# Scenarios
# --------------------------------------------------------------------------------------------------


def _short(value: Any, limit: int = 240) -> str:
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 40]}... ({len(text):,} characters) ...{text[-25:]}"


@dataclass(frozen=True)
class _Item:
    case: int
    role: str  # "correct" | "mutation" | "adversarial"
    kind: str  # the format of a correct completion, the mutation kind, or "adversarial"
    completion: Any
    truth: dict[str, Any]
    tools: list[dict[str, Any]]

    def describe(self) -> str:
        what = {
            "correct": f"correct completion ({self.kind})",
            "mutation": f"mutation '{self.kind}'",
            "adversarial": "adversarial text",
        }[self.role]
        return f"{what} {_short(self.completion)} for truth {_short(self.truth, 300)}"


class _Scenario:
    """One batch; its repr stays short (Hypothesis prints it in the falsifying example)."""

    def __init__(self, items: list[_Item], permutation: list[int]) -> None:
        self.items = items
        self.permutation = permutation

    def __repr__(self) -> str:
        return (
            "Batch(\n"
            + "\n".join(f"  [{i}] case {it.case}: {it.describe()}" for i, it in enumerate(self.items))
            + f"\n  permutation={self.permutation})"
        )

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(repr(self))


@st.composite
def _scenarios(
    draw: st.DrawFn,
    *,
    tools: Sequence[Mapping[str, Any]] | None,
    behaviors: Sequence[str],
    formats: Sequence[str],
    adversarial: bool,
    max_cases: int = 3,
) -> _Scenario:
    items: list[_Item] = []
    n_cases = draw(st.integers(1, max_cases))
    for k in range(n_cases):
        case_tools, truth = draw(cases(tools=tools, behavior=behaviors))
        usable = formats_for(truth, formats)
        assume(bool(usable))
        for _ in range(draw(st.integers(1, 2))):
            fmt = draw(st.sampled_from(usable))
            completion = draw(correct_completions(truth, format=fmt))
            label = fmt if truth["behavior"] == "execute" or fmt == "openai" else "text"
            items.append(_Item(k, "correct", label, completion, truth, case_tools))
        for _ in range(draw(st.integers(0, 3))):
            completion, kind = draw(mutations(truth, case_tools, format=formats))
            items.append(_Item(k, "mutation", kind, completion, truth, case_tools))
    if adversarial:
        for _ in range(draw(st.integers(0, 2))):
            k = draw(st.integers(0, n_cases - 1))
            base = next(it for it in items if it.case == k)
            text = draw(adversarial_texts(max_chars=draw(st.sampled_from([200, 5_000, 150_000]))))
            items.append(_Item(k, "adversarial", "adversarial", text, base.truth, base.tools))
    # a derangement (a conjugated rotation): every item moves, so a reward that depends on the batch
    # position is reported as not permutation invariant rather than as batch != one-by-one
    n = len(items)
    sigma = list(draw(st.permutations(range(n))))
    shift = draw(st.integers(1, n - 1)) if n > 1 else 0
    where = {v: i for i, v in enumerate(sigma)}
    return _Scenario(items, [sigma[(where[i] + shift) % n] for i in range(n)])


# --------------------------------------------------------------------------------------------------
# The checker
# --------------------------------------------------------------------------------------------------


def _fail(prop: str, detail: str) -> AssertionError:
    return AssertionError(f"reward property {prop!r} failed: {detail}")


class _Runner:
    def __init__(
        self,
        reward_fn: RewardFunction,
        *,
        reward_range: tuple[float, float] | None,
        truth_column: str,
        tools_column: str | None,
        conversational: bool,
        json_columns: bool,
        tolerance: float,
    ) -> None:
        self.fn = reward_fn
        self.range = reward_range
        self.truth_column = truth_column
        self.tools_column = tools_column
        self.conversational = conversational
        self.json_columns = json_columns
        self.tol = tolerance
        self.calls = 0
        self.examples = 0
        self.completions = 0

    def _completion(self, c: Any) -> Any:
        if isinstance(c, dict):  # an assistant message: TRL passes message lists
            return [copy.deepcopy(c)]
        if self.conversational:
            return [{"role": "assistant", "content": c}]
        return c

    def call(self, items: Sequence[_Item]) -> list[float]:
        columns: dict[str, Any] = {
            self.truth_column: [json.dumps(it.truth) if self.json_columns else copy.deepcopy(it.truth) for it in items]
        }
        if self.tools_column is not None:
            columns[self.tools_column] = [
                json.dumps(it.tools) if self.json_columns else copy.deepcopy(it.tools) for it in items
            ]
        prompts = [[{"role": "user", "content": _PROMPT}] if self.conversational else _PROMPT for _ in items]
        completions = [self._completion(it.completion) for it in items]
        self.calls += 1
        try:
            out = self.fn(prompts=prompts, completions=completions, **columns)
        except Exception as exc:
            raise _fail(
                "no_exceptions",
                f"the reward function raised {exc!r} on a batch of {len(items)}: "
                + "; ".join(it.describe() for it in items[:3]),
            ) from exc
        return self._floats(out, items)

    def _floats(self, out: Any, items: Sequence[_Item]) -> list[float]:
        try:
            values = list(out)
        except TypeError:
            raise _fail("shape", f"expected a list of {len(items)} rewards, got {_short(out)}") from None
        if len(values) != len(items):
            raise _fail(
                "shape", f"expected {len(items)} rewards (one per completion), got {len(values)}: {_short(values)}"
            )
        floats = []
        for it, v in zip(items, values, strict=True):
            if isinstance(v, bool) or not isinstance(v, numbers.Real):
                raise _fail("shape", f"reward {v!r} ({type(v).__name__}) is not a real number, for {it.describe()}")
            floats.append(float(v))
        return floats

    def check(self, sc: _Scenario, check_perfect: bool, check_mutations: bool) -> None:
        self.examples += 1
        items = sc.items
        self.completions += len(items)
        first = self.call(items)
        self._check_values(items, first)
        self._check_consistency(sc, first)
        for k in sorted({it.case for it in items}):
            idx = [i for i, it in enumerate(items) if it.case == k]
            if check_perfect:
                self._check_perfect(items, first, idx)
            if check_mutations:
                self._check_mutations(items, first, idx)

    def _check_values(self, items: Sequence[_Item], first: list[float]) -> None:
        """``finite`` and ``bounded``: each reward of the batch on its own."""
        for it, r in zip(items, first, strict=True):
            if not math.isfinite(r):
                raise _fail("finite", f"reward {r} for {it.describe()}")
        if self.range is not None:
            lo, hi = self.range
            for it, r in zip(items, first, strict=True):
                if not lo - self.tol <= r <= hi + self.tol:
                    raise _fail("bounded", f"reward {r} outside reward_range [{lo}, {hi}] for {it.describe()}")

    def _check_consistency(self, sc: _Scenario, first: list[float]) -> None:
        """``deterministic``, ``permutation_invariant`` and ``batch_equals_single``: the batch scored again,
        shuffled, and item by item gives the rewards ``first`` it gave."""
        items = sc.items
        again = self.call(items)
        for it, a, b in zip(items, first, again, strict=True):
            if not self._same(a, b):
                raise _fail("deterministic", f"the same batch scored twice gave {a} then {b} for {it.describe()}")
        perm = sc.permutation
        shuffled = self.call([items[i] for i in perm])
        for pos, i in enumerate(perm):
            if not self._same(shuffled[pos], first[i]):
                raise _fail(
                    "permutation_invariant",
                    f"item moved from position {i} to {pos} of {len(items)} scored {shuffled[pos]} instead of "
                    f"{first[i]}: {items[i].describe()}",
                )
        for i, it in enumerate(items):
            alone = self.call([it])[0]
            if not self._same(alone, first[i]):
                raise _fail(
                    "batch_equals_single",
                    f"scored alone {alone}, in a batch of {len(items)} (position {i}) {first[i]}: {it.describe()}",
                )

    def _check_perfect(self, items: Sequence[_Item], first: list[float], idx: list[int]) -> None:
        """``perfect_is_max`` among the items ``idx`` of one case."""
        best = max(idx, key=lambda i: first[i])
        for i in idx:
            if items[i].role == "correct" and first[i] < first[best] - self.tol:
                raise _fail(
                    "perfect_is_max",
                    f"{items[i].describe()} scored {first[i]}, below the {first[best]} of {items[best].describe()}",
                )

    def _check_mutations(self, items: Sequence[_Item], first: list[float], idx: list[int]) -> None:
        """``mutations_lower`` among the items ``idx`` of one case (when it has a correct completion)."""
        correct = [i for i in idx if items[i].role == "correct"]
        if not correct:
            return
        floor = min(correct, key=lambda i: first[i])
        for i in idx:
            if items[i].role == "mutation" and not first[i] < first[floor]:
                raise _fail(
                    "mutations_lower",
                    f"{items[i].describe()} scored {first[i]}, not strictly below the {first[floor]} "
                    f"of the {items[floor].describe()}; a policy could collect this reward without "
                    "doing the task right",
                )

    def _same(self, a: float, b: float) -> bool:
        return a == b or abs(a - b) <= self.tol


def _as_assertion(exc: BaseException | None, depth: int = 0) -> AssertionError | None:
    """The first AssertionError inside a Hypothesis error: grouped (``FlakyFailure.exceptions``, Hypothesis
    >= 6.100) or chained (``Flaky.__cause__``, older releases)."""
    if exc is None or depth > 8:
        return None
    if isinstance(exc, AssertionError):
        return exc
    for sub in getattr(exc, "exceptions", ()) or ():
        found = _as_assertion(sub, depth + 1)
        if found is not None:
            return found
    return _as_assertion(exc.__cause__, depth + 1)


def check_reward_properties(
    reward_fn: RewardFunction,
    *,
    reward_range: tuple[float, float] | None = None,
    truth_column: str = "ground_truth",
    tools_column: str | None = "tools",
    max_examples: int = 100,
    check_mutations: bool = True,
    check_perfect: bool = True,
    tools: Sequence[Mapping[str, Any]] | None = None,
    behaviors: Sequence[str] = BEHAVIORS,
    formats: Sequence[str] = FORMATS,
    conversational: bool = False,
    json_columns: bool = False,
    adversarial: bool = True,
    tolerance: float = 1e-9,
    seed: int | None = None,
    hypothesis_settings: settings | None = None,
) -> PropertyReport:
    """Check the properties of the module contract on ``reward_fn``; raise ``AssertionError`` on the
    first violation (after Hypothesis shrinks it), return a :class:`PropertyReport` otherwise.

    ``tools``: check on your own tool specs instead of the built-in catalog. ``behaviors`` / ``formats``:
    restrict the truths and completion formats drawn (e.g. ``formats=TEXT_FORMATS`` for a function that
    only reads text). ``seed``: a fixed Hypothesis seed (same examples every run).
    ``hypothesis_settings``: a base :class:`hypothesis.settings` (``max_examples`` still wins).
    """
    if not callable(reward_fn):
        raise TypeError(f"reward_fn must be callable, got {type(reward_fn).__name__}")
    if reward_range is not None:
        lo, hi = (float(x) for x in reward_range)
        if not lo <= hi:
            raise ValueError(f"reward_range must be (low, high) with low <= high, got {reward_range!r}")
        reward_range = (lo, hi)
    if max_examples < 1:
        raise ValueError("max_examples must be >= 1")
    behaviors = tuple(behaviors)
    formats = tuple(formats)
    bad = [f for f in formats if f not in FORMATS] + [b for b in behaviors if b not in BEHAVIORS]
    if bad or not formats or not behaviors:
        raise ValueError(f"unknown or empty formats/behaviors {bad}; formats are {FORMATS}, behaviors {BEHAVIORS}")
    runner = _Runner(
        reward_fn,
        reward_range=reward_range,
        truth_column=truth_column,
        tools_column=tools_column,
        conversational=conversational,
        json_columns=json_columns,
        tolerance=tolerance,
    )
    base = hypothesis_settings if hypothesis_settings is not None else settings(database=None)
    config = settings(
        base,
        max_examples=max_examples,
        deadline=None,
        report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
    )
    strategy = _scenarios(tools=tools, behaviors=behaviors, formats=formats, adversarial=adversarial)

    @config
    @given(batch=strategy)
    def run(batch: _Scenario) -> None:
        runner.check(batch, check_perfect, check_mutations)

    test = hypothesis_seed(seed)(run) if seed is not None else run
    try:
        test()
    except Flaky as exc:
        inner = _as_assertion(exc)
        if inner is None:
            raise
        raise AssertionError(
            f"{inner} (the failure did not replay: the reward function is probably not deterministic)"
        ) from exc
    checked = tuple(
        p
        for p in PROPERTIES
        if (p != "bounded" or reward_range is not None)
        and (p != "perfect_is_max" or check_perfect)
        and (p != "mutations_lower" or check_mutations)
    )
    return PropertyReport(
        properties=checked, examples=runner.examples, completions=runner.completions, reward_calls=runner.calls
    )
