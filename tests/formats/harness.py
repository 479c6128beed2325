"""Shared checks for the tool-call format families (issue 17): one case list per parser, three checks each.

A :class:`FormatCase` is one completion as a model of the family writes it, with the calls it must score as.
:func:`check_cases` checks, for every case of a parser:

1. auto-detection (``rr.parse`` with every registered format) gives the expected calls (names and arguments,
   text values typed by the case's tools), the parser's name as ``format`` when there are calls, the
   expected violations (a subset) and the expected reasoning (a substring of ``think``);
2. the hinted parse (``format=<parser name>``) gives the same calls, format and violations as auto-detection;
3. the case list covers every kind in :data:`KINDS` (one, several and zero calls, with reasoning, truncated,
   mixed with prose).

``tests/formats/test_families.py`` collects every module's ``CASES`` for the cross-family checks (a parser's
cases never detected as another format, the docs table, linear time on each parser's markers).

:func:`render_with_trl_template` renders messages with a chat template TRL ships (installed with the test
extras): the family's own template, no download.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import rlvr_rewards as rr
from tests.helpers import require

KINDS = frozenset({"one", "several", "zero", "reasoning", "truncated", "prose"})


@dataclass(frozen=True)
class FormatCase:
    """One completion of a family and what it must parse to.

    ``calls``: ``(name, arguments)`` pairs as scored (``arguments`` ``None`` when they cannot be decoded).
    ``think``: a substring the reasoning must contain (``None``: not checked). ``violations``: codes that
    must be among the parse's violations. ``tools``: OpenAI-style tool list that types text values.
    ``source``: where the text's shape comes from (the chat template rendered, the format document, the
    parser tests of vLLM / SGLang it follows)."""

    kind: str
    text: Any
    calls: Sequence[tuple[str, dict[str, Any] | None]]
    source: str
    think: str | None = None
    violations: Sequence[str] = ()
    tools: list[dict[str, Any]] | None = None
    id: str = ""
    absent_violations: Sequence[str] = field(default_factory=tuple)


def calls_of(result: Any) -> list[tuple[str, Any]]:
    return [(c.name, c.arguments) for c in result.calls]


def _label(spec_name: str, i: int, case: FormatCase) -> str:
    return f"{spec_name} case {i} ({case.kind}{', ' + case.id if case.id else ''}): {str(case.text)[:160]!r}"


def check_case(spec_name: str, i: int, case: FormatCase) -> None:
    """The three checks of the module docstring for one case (1 and 2)."""
    label = _label(spec_name, i, case)
    assert case.kind in KINDS, f"{label}: unknown kind"
    auto = rr.parse(case.text, tools=case.tools)
    hinted = rr.parse(case.text, format=spec_name, tools=case.tools)
    want = [(name, args) for name, args in case.calls]
    assert calls_of(auto) == want, f"{label}\n auto-detected: {auto}"
    if want:
        assert auto.format == spec_name, f"{label}\n detected as {auto.format!r}: {auto}"
    assert set(case.violations) <= set(auto.violations), f"{label}\n violations {auto.violations}"
    assert not set(case.absent_violations) & set(auto.violations), f"{label}\n violations {auto.violations}"
    if case.think is not None:
        assert case.think in auto.think, f"{label}\n think {auto.think!r}"
    assert calls_of(hinted) == calls_of(auto), f"{label}\n hinted: {hinted}\n auto: {auto}"
    assert hinted.format == auto.format or not want, f"{label}\n hinted format {hinted.format!r}"
    assert hinted.violations == auto.violations, f"{label}\n hinted: {hinted.violations} auto: {auto.violations}"


def check_cases(spec_name: str, cases: Sequence[FormatCase]) -> None:
    """Every case of ``spec_name`` (module docstring checks 1-3)."""
    for i, case in enumerate(cases):
        check_case(spec_name, i, case)
    missing = KINDS - {c.kind for c in cases}
    assert not missing, f"{spec_name}: no case of kind(s) {sorted(missing)}"


def missing_trl_templates(*file_names: str) -> list[str]:
    """Those of ``file_names`` the installed TRL does not ship (older releases ship fewer templates)."""
    require("trl")
    import trl

    folder = os.path.join(os.path.dirname(trl.__file__), "chat_templates")
    return [name for name in file_names if not os.path.exists(os.path.join(folder, name))]


def require_trl_templates(*file_names: str) -> None:
    """Skip the calling test module, visibly, when the installed TRL lacks one of its templates (the
    minimum-versions run: TRL 1.10 ships fewer than 1.16; the newest run renders them all, and
    ``test_families.test_newest_trl_ships_every_template`` says which are missing where)."""
    import pytest

    require("trl")
    import trl

    missing = missing_trl_templates(*file_names)
    if missing:
        pytest.skip(
            f"TRL {trl.__version__} does not ship {', '.join(missing)}: this family's rendered cases need a newer TRL",
            allow_module_level=True,
        )


def trl_template(file_name: str) -> str:
    """The text of a chat template TRL ships (``trl/chat_templates/<file_name>``)."""
    require("trl")
    import trl

    path = os.path.join(os.path.dirname(trl.__file__), "chat_templates", file_name)
    with open(path, encoding="utf-8") as fh:
        return fh.read()


def render_with_trl_template(
    file_name: str,
    messages: list[dict[str, Any]],
    tools: list[dict[str, Any]] | None = None,
    add_generation_prompt: bool = False,
    **flags: Any,
) -> str:
    """``messages`` rendered by TRL's ``file_name`` template with transformers' own renderer."""
    require("transformers")
    from transformers.utils.chat_template_utils import render_jinja_template

    rendered = render_jinja_template(
        [messages],
        tools=tools,
        chat_template=trl_template(file_name),
        add_generation_prompt=add_generation_prompt,
        **flags,
    )
    return str(rendered[0][0])


def render_assistant_turn(
    file_name: str,
    prompt: list[dict[str, Any]],
    assistant: dict[str, Any],
    tools: list[dict[str, Any]] | None = None,
    strip: Sequence[str] = (),
    **flags: Any,
) -> str:
    """The text the model writes for ``assistant`` after ``prompt``: the conversation rendered with the
    assistant message, minus the prompt rendered with the generation prompt (the template's own split), with
    the end-of-turn tokens in ``strip`` removed from the end (a trainer decodes without them)."""
    before = render_with_trl_template(file_name, prompt, tools, add_generation_prompt=True, **flags)
    whole = render_with_trl_template(file_name, [*prompt, assistant], tools, **flags)
    assert whole.startswith(before), f"{file_name}: the prompt is not a prefix of the conversation"
    turn = whole[len(before) :]
    changed = True
    while changed:
        changed = False
        turn_stripped = turn.rstrip()
        for token in strip:
            if turn_stripped.endswith(token):
                turn = turn_stripped[: -len(token)]
                changed = True
    return turn


def tool_call(name: str, arguments: dict[str, Any], as_string: bool = False) -> dict[str, Any]:
    """An OpenAI-style ``tool_calls`` entry for a chat template."""
    return {
        "type": "function",
        "function": {"name": name, "arguments": json.dumps(arguments) if as_string else arguments},
    }


def tool(name: str, properties: dict[str, Any], required: Sequence[str] = ()) -> dict[str, Any]:
    """An OpenAI-style tool with these parameter schemas."""
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": f"{name} tool",
            "parameters": {"type": "object", "properties": properties, "required": list(required)},
        },
    }


#: Tools most cases use: strings, an integer, a number, a boolean, an enum, an array and an object.
WEATHER = tool(
    "get_weather",
    {
        "city": {"type": "string"},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        "days": {"type": "integer"},
    },
    ["city"],
)
SEARCH = tool(
    "search",
    {
        "query": {"type": "string"},
        "limit": {"type": "integer"},
        "score": {"type": "number"},
        "exact": {"type": "boolean"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "filters": {"type": "object"},
    },
    ["query"],
)
TOOLS = [WEATHER, SEARCH]
