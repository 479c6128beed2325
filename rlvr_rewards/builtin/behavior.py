"""The built-in behaviour classifier (an ordinary plugin, registered to run last).

Users plug in their own classifier (a model, an LLM judge) by implementing ``classify_behavior``;
returning ``None`` defers to the next implementation and finally to this one.
"""

from __future__ import annotations

from rlvr_rewards.classify.behavior import classify
from rlvr_rewards.hookspecs import hookimpl
from rlvr_rewards.parsing.types import ParseResult


@hookimpl(trylast=True)
def classify_behavior(parse: ParseResult) -> str | None:
    return classify(parse)
