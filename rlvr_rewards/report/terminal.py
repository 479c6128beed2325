"""An explanation drawn with rich on a terminal (``rlvr-rewards explain`` when standard output is one).

Contract: :func:`renderables` turns an :class:`~rlvr_rewards.scoring.explain.Explanation` into rich renderables
holding the same facts as its plain text (``str(explanation)``): the reward with the preset and the reason, the
expected and the detected behaviour, the parse, one table per expected call (argument, schema type, expected, got,
verdict, why), the extra calls, a trajectory's turns and state differences, the components and the formula.
Verdicts are coloured (green ``ok`` / ``default_ok``, red otherwise). Model output is shown as data, never as
rich markup (every cell is a :class:`rich.text.Text`, so ``[bold]`` in a completion prints as written) and cut
to :data:`CELL_CHARS` characters. :func:`print_explanation` prints them; it needs rich
(``pip install 'rlvr-rewards[cli]'``), and the command line falls back to the plain text without it.
"""

from __future__ import annotations

import json
from typing import Any

from rlvr_rewards.scoring.explain import Explanation

__all__ = ["CELL_CHARS", "print_explanation", "renderables"]

#: The most characters of a value shown in one cell (the JSON form of the value).
CELL_CHARS = 200

_GOOD = {"ok", "default_ok", "matched"}


def _value(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    text = json.dumps(text, ensure_ascii=False) if isinstance(value, str) else text
    return text if len(text) <= CELL_CHARS else text[: CELL_CHARS - 1] + "…"


def renderables(ex: Explanation) -> list[Any]:
    """The rich renderables of ``ex`` (see the module contract)."""
    from rich.table import Table
    from rich.text import Text

    d, s = ex.data, ex.score
    lo, hi = d["formula"].get("reward_range", (0.0, 1.0))
    colour = "green" if s.reward >= hi else ("red" if s.reward <= lo else "yellow")
    out: list[Any] = []
    head = Text()
    head.append(f"reward {s.reward:.3f}", style=f"bold {colour}")
    head.append(f" ({d['formula']['preset']})   reason: ")
    head.append(s.reason, style="bold")
    head.append(f" - {d['reason_description']}")
    out.append(head)
    out.append(Text(f"expected: {s.expected}   did: {s.behavior}"))
    if "parse" in d:
        p = d["parse"]
        out.append(
            Text(
                f"parse: format {p['format']}, {p['calls']} call(s), reasoning {p['reasoning_chars']} chars, "
                f"violations: {', '.join(p['violations']) or 'none'}"
            )
        )
    for row in d.get("calls", {}).get("expected", []):
        got = row["got"]["name"] if row["got"] else "-"
        table = Table(title=Text(f"call {row['expected']['name']}: {row['status']} (paired with {got})"))
        for name in ("argument", "type", "expected", "got", "verdict", "why"):
            table.add_column(name, overflow="fold")
        for a in row["arguments"]:
            verdict = Text(a["status"], style="green" if a["status"] in _GOOD else "red")
            table.add_row(
                Text(a["argument"]),
                Text(str(a.get("type", ""))),
                Text(_value(a["expected"]) if "expected" in a else "-"),
                Text(_value(a["got"]) if "got" in a else "-"),
                verdict,
                Text(a.get("why", "")),
            )
        out.append(table)
    for row in d.get("calls", {}).get("extra", []):
        line = Text("extra call ")
        line.append(row["name"], style="bold")
        line.append(f": {row['status']} {_value(row['arguments'])}", style="red")
        out.append(line)
    if "trajectory" in d:
        t = d["trajectory"]
        out.append(Text(f"turns: {t.get('turns')} of {t.get('expected_turns')}; turn rewards {d['turn_rewards']}"))
        for k, reason in enumerate(t.get("turn_reasons", [])):
            out.append(Text(f"  turn {k + 1}: {reason}", style="green" if reason == "ok" else "red"))
        for diff in t.get("state_diff", []):
            out.append(Text(f"  state {diff['field']}: expected {_value(diff['expected'])}, got {_value(diff['got'])}"))
    components = Table(title="components", show_header=False)
    components.add_column("component")
    components.add_column("value", justify="right")
    for name, value in s.components.items():
        if value == value:  # not NaN (a component that does not apply)
            components.add_row(name, f"{value:.3f}")
    out.append(components)
    out.append(Text(f"formula: {d['formula'].get('formula', '')}"))
    return out


def print_explanation(ex: Explanation, file: Any = None, width: int | None = None) -> None:
    """Print ``ex`` with rich on ``file`` (default: standard output)."""
    from rich.console import Console

    console = Console(file=file, width=width, highlight=False)
    for item in renderables(ex):
        console.print(item)
