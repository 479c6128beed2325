"""Stage 3 as scoring runs it: what each parsed completion did, by the ``classify_behavior`` chain.

Contract (:func:`classify_parses`): before a parse is classified, a call with text beside it gets its hedges
added to its violations (``call_with_question``: a question, a request or an offer beside the call;
``call_with_refusal``: a refusal beside it; :func:`rlvr_rewards.classify.behavior.mixed_violations`), so every
later stage reads the parse with them. The chain (:func:`behavior_chain`) calls the plugins' implementations
in pluggy's order, the first non-``None`` result wins, the built-in classifier runs last; a plugin that raises
or answers something that is not a behaviour is a :class:`~rlvr_rewards.errors.PluginError` naming it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from rlvr_rewards.classify.behavior import classify as builtin_classify
from rlvr_rewards.classify.behavior import mixed_violations
from rlvr_rewards.errors import PluginError
from rlvr_rewards.parsing.types import ParseResult
from rlvr_rewards.vocabulary import BEHAVIORS

__all__ = ["BUILTIN_PLUGIN", "behavior_chain", "classify_parses"]

#: The plugin that registers the built-in classifier (rlvr_rewards.builtin.behavior).
BUILTIN_PLUGIN = "rlvr_rewards.builtin.behavior"


def behavior_chain(chain: tuple[tuple[str, Callable[..., object]], ...]) -> Callable[[ParseResult], str]:
    """One function for the ``classify_behavior`` chain ``(plugin name, implementation)`` in call order (the
    built-in classifier itself when it is the only one)."""
    if len(chain) == 1 and chain[0][0] == BUILTIN_PLUGIN:
        return builtin_classify

    def classify(parse: ParseResult) -> str:
        for plugin, fn in chain:
            try:
                result = fn(parse=parse)
            except Exception as exc:
                raise PluginError(f"classify_behavior of plugin {plugin!r} raised {exc!r}") from exc
            if result is None:
                continue
            if result not in BEHAVIORS:
                raise PluginError(
                    f"classify_behavior of plugin {plugin!r} returned {result!r}; expected one of {list(BEHAVIORS)} "
                    "or None"
                )
            return str(result)
        return builtin_classify(parse)

    return classify


def classify_parses(parses: list[ParseResult], classify: Callable[[ParseResult], str]) -> list[str]:
    """The behaviour of each parse; a call with text beside it first gets its hedges among its violations
    (``parses[k]`` is replaced by that parse)."""
    behaviors: list[str] = []
    for k, p in enumerate(parses):
        if p.calls and p.text:
            hedges = mixed_violations(p)
            if hedges:
                p = parses[k] = replace(p, violations=tuple(sorted({*p.violations, *hedges})))
        behaviors.append(classify(p))
    return behaviors
