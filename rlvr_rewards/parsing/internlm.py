"""InternLM2 / InternLM2.5 (Shanghai AI Lab): one JSON call object in an ``<|action_start|><|plugin|>`` action.

Format (InternLM's chat format document ``chat/chat_format.md`` of the InternLM repository, "Function Call";
vLLM ``vllm/tool_parsers/internlm2_tool_parser.py`` and ``tests/tool_parsers/test_internlm2_tool_parser.py``):
the assistant may speak first, then writes ``<|action_start|><|plugin|>``, one call object in JSON
(``parameters``, or ``arguments``, holds the arguments) and ``<|action_end|>``, e.g.
``Sure, I will search.<|action_start|><|plugin|>\\n{"name": "get_weather", "parameters": {"city": "Shanghai"}}
<|action_end|>``. ``<|action_start|><|interpreter|>`` opens a code-interpreter action instead (a fenced
Python block), which is not a function call.

Contract of :func:`parse_internlm2` (``docs/architecture.md`` section 2, ``/work/notes/parser_contract.md``):

- ``None`` unless ``<|action_start|>`` occurs, and when every action is an interpreter action (no
  ``<|plugin|>`` anywhere);
- a trailing ``<|im_end|>`` is dropped; actions are read by :func:`~rlvr_rewards.parsing.toolkit.scan_blocks`
  from ``<|action_start|>`` to ``<|action_end|>`` (unclosed: ``unclosed_tag``; an ``<|action_end|>`` outside
  an action: ``stray_closing_tag``);
- a plugin action's JSON is read as the Hermes parser reads a block (one object; a list, JSON Lines: several
  calls; ``trailing_garbage``, ``empty_call_block``, ``invalid_json`` ...); an action without a role token is
  read the same way; an interpreter action's code is free text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from rlvr_rewards.hookspecs import hookimpl
from rlvr_rewards.limits import Limits
from rlvr_rewards.parsing import toolkit
from rlvr_rewards.parsing.types import ParseResult, ParserSpec

if TYPE_CHECKING:  # (``toolkit.Accumulator`` is a ``Final`` name for this class, not usable as a type)
    from rlvr_rewards.parsing.formats import _Acc as Acc

__all__ = ["SPECS", "parse_internlm2", "register_parsers"]

NAME: Final = "internlm2"
ACTION_START: Final = "<|action_start|>"
ACTION_END: Final = "<|action_end|>"
PLUGIN: Final = "<|plugin|>"
INTERPRETER: Final = "<|interpreter|>"
_IM_END: Final = "<|im_end|>"


def _action(acc: Acc, inside: str) -> None:
    """The inside of one action (after ``<|action_start|>``)."""
    body = inside.lstrip()
    if body.startswith(PLUGIN):
        acc.decode_block(body[len(PLUGIN) :])
    elif body.startswith(INTERPRETER):
        acc.texts.append(body[len(INTERPRETER) :])  # code for the interpreter: not a function call
    else:
        acc.decode_block(body)


def parse_internlm2(text: str, limits: Limits | None = None) -> ParseResult | None:
    """``<|action_start|><|plugin|>{"name": .., "parameters": {..}}<|action_end|>``: see the module docstring."""
    if ACTION_START not in text:
        return None
    if PLUGIN not in text and INTERPRETER in text:
        return None  # code-interpreter actions only: no function call
    text = toolkit.strip_final(text, _IM_END)
    return toolkit.scan_blocks(text, ACTION_START, ACTION_END, NAME, _action, limits or toolkit.current_limits())


SPECS: Final[tuple[ParserSpec, ...]] = (
    ParserSpec(
        NAME,
        parse_internlm2,
        24,
        '<|action_start|><|plugin|>{"name": .., "parameters": {..}}<|action_end|> (InternLM2, InternLM2.5)',
        markers=(ACTION_START,),
        family="InternLM2 / InternLM2.5 (Shanghai AI Lab)",
        aliases=("internlm", "internlm2.5"),
        example='I will look it up.<|action_start|><|plugin|>\n{"name": "get_weather", "parameters": '
        '{"city": "Paris"}}<|action_end|>',
        source="InternLM chat/chat_format.md (Function Call); vLLM vllm/tool_parsers/internlm2_tool_parser.py "
        "and its tests",
    ),
)


@hookimpl
def register_parsers(register: Callable[[ParserSpec], None]) -> None:
    """Register the InternLM2 format."""
    for spec in SPECS:
        register(spec)
