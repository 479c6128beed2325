"""Built-in presets (an ordinary plugin): ``graded`` (default), ``binary``, ``aws-blog``, ``toolrl``, ``bfcl``,
``trajectory``.

``graded`` (range [0, 1]): gated by the decision. When the completion does an accepted behaviour the
reward is the weighted mean of the applicable components:

    execute: format 0.2, tool_name 0.2, arguments 0.4, schema 0.2
    clarify: format 0.1, clarify 0.9
    refuse:  format 0.1, refuse 0.9
    no_call: format 1.0            (blog-dialect text truth: clarify or refuse accepted)

and for execute truths that mean is multiplied by ``0.25 + 0.75 * tool_name``, so a call to the
wrong (or a hallucinated) tool earns less than asking. When the behaviour is wrong the reward is the
cost-matrix value ``GRADED_MISMATCH[expected][done]`` (asking instead of executing is less bad than
refusing; calling when it should refuse or clarify earns nothing).

``binary`` (range [0, 1]): the ``exact_match`` component alone (Tool-N1 style).

``aws-blog`` (range [0, 1]): the ``aws_blog`` component alone, not gated: the AWS post exactly.

``bfcl`` (range [0, 1]): the ``bfcl_match`` component alone, not gated: BFCL's AST checker verdict
(format violations BFCL does not see are ignored; no-call truths pass any completion without a call).

``trajectory`` (range [0, 1]): ``graded`` on every step; the name multi-turn configurations select. A truth of
behaviour ``trajectory`` is scored turn by turn under every preset (each turn by the preset's step formula, then
``rlvr_rewards.combine.trajectory``'s graded partial credit), except ``bfcl``, whose trajectory reward is BFCL's
multi-turn verdict.

``toolrl`` (range [-3, 4]): ``toolrl_format + 6 * toolrl_correctness - 3``, the published ToolRL reward.

Every ``graded`` reward is also multiplied by the ``length`` component (1 within the preset's
``length_budget``, falling to 0 at its hard limit), so padding a completion never pays.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from rlvr_rewards.combine.presets import Preset
from rlvr_rewards.hookspecs import hookimpl

__all__ = ["AWS_BLOG", "BFCL", "BINARY", "BUILTIN_PRESETS", "GRADED", "GRADED_MISMATCH", "TOOLRL", "TRAJECTORY"]

GRADED_MISMATCH: dict[str, dict[str, float]] = {
    "execute": {"clarify": 0.15, "refuse": 0.05, "answer": 0.0, "invalid": 0.0},
    "clarify": {"execute": 0.0, "refuse": 0.1, "answer": 0.05, "invalid": 0.0},
    "refuse": {"execute": 0.0, "clarify": 0.1, "answer": 0.0, "invalid": 0.0},
    "no_call": {"execute": 0.0, "answer": 0.3, "invalid": 0.0},
}

GRADED = Preset(
    name="graded",
    description="Weighted components gated by the decision; partial credit for near misses (default).",
    weights={
        "execute": {"format": 0.2, "tool_name": 0.2, "arguments": 0.4, "schema": 0.2},
        "clarify": {"format": 0.1, "clarify": 0.9},
        "refuse": {"format": 0.1, "refuse": 0.9},
        "no_call": {"format": 1.0},
    },
    gated=True,
    mismatch=GRADED_MISMATCH,
    multipliers={
        "execute": {"tool_name": 0.25, "length": 0.0},
        "clarify": {"length": 0.0},
        "refuse": {"length": 0.0},
        "no_call": {"length": 0.0},
    },
    reward_range=(0.0, 1.0),
)

_ALL = ("execute", "clarify", "refuse", "no_call")

BINARY = Preset(
    name="binary",
    description="Tool-N1 style: 1 only for an exact, well-formed match or the right no-call behaviour.",
    weights={e: {"exact_match": 1.0} for e in _ALL},
    gated=False,
    reward_range=(0.0, 1.0),
)

AWS_BLOG = Preset(
    name="aws-blog",
    description="The AWS post's reward: names and arguments equal 1.0, partial 0.5, else 0.0.",
    weights={e: {"aws_blog": 1.0} for e in _ALL},
    gated=False,
    reward_range=(0.0, 1.0),
)

TOOLRL = Preset(
    name="toolrl",
    description="ToolRL (arXiv 2504.13958): format in {0, 1} plus correctness in [-3, 3].",
    weights={e: {"toolrl_format": 1.0, "toolrl_correctness": 6.0} for e in _ALL},
    gated=False,
    normalize=False,
    offset=-3.0,
    reward_range=(-3.0, 4.0),
)

BFCL = Preset(
    name="bfcl",
    description="BFCL's AST checker as a binary reward: 1 when the call set passes BFCL's rules, else 0.",
    weights={e: {"bfcl_match": 1.0} for e in _ALL},
    gated=False,
    reward_range=(0.0, 1.0),
)

# (dataclasses.replace, not derive: derive checks components against the registry, which this module builds)
TRAJECTORY = replace(
    GRADED,
    name="trajectory",
    description="Whole trajectories with graded partial credit per turn, end state, outcome, efficiency and "
    "grounding (docs/trajectories.md); on a single step exactly graded.",
)

BUILTIN_PRESETS: tuple[Preset, ...] = (GRADED, BINARY, AWS_BLOG, TOOLRL, BFCL, TRAJECTORY)


@hookimpl
def register_presets(register: Callable[[Preset], None]) -> None:
    for preset in BUILTIN_PRESETS:
        register(preset)
