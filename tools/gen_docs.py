"""Regenerate the generated sections of docs/*.md from the code (reasons, violations, preset tables).

    python tools/gen_docs.py          # rewrite the sections
    python tools/gen_docs.py --check  # exit 1 if any section is out of date (run by the test suite)

A generated section sits between ``<!-- BEGIN GENERATED: name -->`` and ``<!-- END GENERATED: name -->``.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from typing import Any

from _repo import DOCS, ROOT, tests_module

import rlvr_rewards as rr
from rlvr_rewards.builtin.scorers import BUILTIN_SCORERS, FORMAT_PENALTIES
from rlvr_rewards.parsing.types import VIOLATIONS
from rlvr_rewards.plugins import get_registry
from rlvr_rewards.vocabulary import ACCEPTED

_helpers = tests_module("helpers")  # the tests' tool catalogue and renderer (tests/helpers.py)
WEATHER = _helpers.WEATHER
hermes_call = _helpers.hermes_call


def _call(city: Any, **extra: Any) -> str:
    return hermes_call("get_weather", city=city, **extra)


EXECUTE = {"behavior": "execute", "calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]}
CLARIFY = {"behavior": "clarify", "missing": ["city"]}
REFUSE = {"behavior": "refuse"}
BLOG_TEXT = "Could you please specify the location?"

EXAMPLES: list[tuple[str, Any, str]] = [
    ("correct call", EXECUTE, _call("Paris")),
    ("correct call after a think block", EXECUTE, "<think>User wants Paris weather.</think>\n" + _call("Paris")),
    ("correct call + schema default spelled out", EXECUTE, _call("Paris", units="metric")),
    ("correct call + a sentence", EXECUTE, "Let me check that.\n" + _call("Paris")),
    ("correct call, unclosed tag", EXECUTE, _call("Paris")[: -len("</tool_call>")]),
    ("wrong city", EXECUTE, _call("London")),
    ("city as a number", EXECUTE, _call(75001)),
    ("extra unknown argument", EXECUTE, _call("Paris", country="FR")),
    ("duplicated call", EXECUTE, _call("Paris") + "\n" + _call("Paris")),
    (
        "hallucinated tool",
        EXECUTE,
        '<tool_call>\n{"name": "weather_now", "arguments": {"city": "Paris"}}\n</tool_call>',
    ),
    ("broken JSON", EXECUTE, '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"</tool_call>'),
    ("asks instead of calling", EXECUTE, "Which city do you mean?"),
    ("refuses instead of calling", EXECUTE, "Sorry, I can't help with that."),
    ("empty output", EXECUTE, ""),
    ("good clarifying question", CLARIFY, "Which city would you like the weather for?"),
    ("vague question", CLARIFY, "Could you give me more details?"),
    ("guesses a city", CLARIFY, _call("Paris")),
    ("polite refusal", REFUSE, "I'm sorry, but I can't help with that request."),
    ("complies with a call", REFUSE, _call("Paris")),
    ("blog text truth, question", BLOG_TEXT, "Which location do you mean?"),
    ("blog text truth, call", BLOG_TEXT, _call("Paris")),
]


GUARDS: list[tuple[str, Any, str]] = [
    ("correct call (reference)", EXECUTE, _call("Paris")),
    ("correct call + a question", EXECUTE, _call("Paris") + "\nDoes that work for you?"),
    ("call + a refusal", EXECUTE, "I can't really do this, but:\n" + _call("Paris")),
    ("correct call + an extra call", EXECUTE, _call("Paris") + "\n" + _call("London")),
    ("the same call three times", EXECUTE, "\n".join([_call("Paris")] * 3)),
    ("empty tags", EXECUTE, "<tool_call></tool_call>"),
    (
        "JSON valid only after repair",
        EXECUTE,
        "<tool_call>\n{'name': 'get_weather', 'arguments': {'city': 'Paris'}}\n</tool_call>",
    ),
    (
        "NaN in the arguments",
        EXECUTE,
        '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris", "lat": NaN}}\n</tool_call>',
    ),
    ("40k characters of padding", EXECUTE, " " * 40_000 + _call("Paris")),
    ("refusal inside the arguments", REFUSE, _call("I'm sorry, I can't do that")),
    ("question listing every parameter", CLARIFY, "Could you tell me the city and the units?"),
    ("apology, then a direct answer", REFUSE, "Sorry! It is 18°C and sunny in Paris."),
    ("refusal that also answers", REFUSE, "I can't look that up, but it is 18°C in Paris."),
]


def guard_examples() -> str:
    return _table(GUARDS)


def _cell(text: str) -> str:
    """The completion as a JSON string (copy it, ``json.loads`` it, and it scores as printed: the test
    tests/test_doc_tables.py does exactly that), ``|`` escaped for the table; a very long one is summarised."""
    if len(text) > 2000:
        return f"*({len(text):,} characters)*"
    return "`" + json.dumps(text, ensure_ascii=False).replace("|", "\\|") + "`"


def preset_examples() -> str:
    return _table(EXAMPLES)


def _table(examples: list[tuple[str, Any, str]]) -> str:
    presets = ["graded", "binary", "aws-blog", "toolrl", "bfcl"]
    head = "| case | expected | completion | " + " | ".join(presets) + " | reason |\n"
    head += "|---|---|---|" + "---:|" * len(presets) + "---|\n"
    rows = []
    for name, truth, completion in examples:
        scores = [rr.score(completion, truth, tools=[WEATHER], preset=p) for p in presets]
        rows.append(
            f"| {name} | {scores[0].expected} | {_cell(completion)} | "
            + " | ".join(f"{s.reward:.2f}" for s in scores)
            + f" | `{scores[0].reason}` |"
        )
    return head + "\n".join(rows) + "\n"


def _code(text: str, limit: int = 0) -> str:
    """``text`` as a code span inside a Markdown table cell (newlines shown as ⏎, ``|`` escaped)."""
    text = text.replace("\n", "⏎").replace("|", "\\|")
    if limit and len(text) > limit:
        text = text[:limit] + "…"
    return f"`{text}`" if text else ""


def formats_table() -> str:
    """docs/formats.md: one row per registered parser, in detection order, from the registry itself."""
    lines = [
        "| # | format (`format=`) | family | markers | example | reads as | also accepted as `format=` | notes |",
        "|---:|---|---|---|---|---|---|---|",
    ]
    for spec in get_registry().parsers:
        got = rr.parse(spec.example, format=spec.name) if spec.example else None
        reads = ", ".join(f"{c.name}({json.dumps(c.arguments)})" for c in got.calls) if got is not None else ""
        notes = spec.description + (f" Source: {spec.source}." if spec.source else "")
        notes = notes.replace("|", "\\|").replace("<", "&lt;")
        lines.append(
            f"| {spec.priority} | `{spec.name}` | {spec.family} | "
            + " ".join(_code(m) for m in spec.markers)
            + f" | {_code(spec.example, 160)} | {_code(reads)} | "
            + ", ".join(f"`{a}`" for a in spec.aliases)
            + f" | {notes} |"
        )
    return "\n".join(lines) + "\n"


def reasons_table() -> str:
    lines = ["| reason | meaning |", "|---|---|"]
    lines += [f"| `{k}` | {v} |" for k, v in rr.REASONS.items()]
    return "\n".join(lines) + "\n"


def violations_table() -> str:
    lines = ["| violation | meaning | `format` penalty |", "|---|---|---:|"]
    lines += [f"| `{k}` | {v} | {FORMAT_PENALTIES.get(k, 0.25):.2f} |" for k, v in VIOLATIONS.items()]
    return "\n".join(lines) + "\n"


def components_table() -> str:
    lines = ["| component | meaning |", "|---|---|"]
    lines += [f"| `{s.name}` | {s.description} |" for s in BUILTIN_SCORERS]
    return "\n".join(lines) + "\n"


def preset_weights() -> str:
    lines = []
    for name in ("graded", "binary", "aws-blog", "toolrl", "bfcl"):
        p = rr.get_preset(name)
        lines.append(f"**`{name}`** — {p.description} Range {list(p.reward_range)}, gated: {p.gated}.\n")
        lines.append("| expected | weights |")
        lines.append("|---|---|")
        for exp, ws in p.weights.items():
            lines.append(f"| {exp} | " + ", ".join(f"{c} {w:g}" for c, w in ws.items()) + " |")
        for exp, fs in p.multipliers.items():
            for comp, floor in fs.items():
                lines.append(
                    f"\nFor {exp} truths the weighted mean is multiplied by `{floor:g} + {1 - floor:g} × {comp}`."
                )
        if p.gated:
            lines.append("\nReward when the behaviour is wrong (expected → done):\n")
            lines.append("| expected | " + " | ".join(("execute", "clarify", "refuse", "answer", "invalid")) + " |")
            lines.append("|---|" + "---:|" * 5)
            for exp in ("execute", "clarify", "refuse", "no_call"):
                row = p.mismatch.get(exp, {})
                cells = [
                    ("✓" if d in ACCEPTED[exp] else f"{row.get(d, p.floor):g}")
                    for d in ("execute", "clarify", "refuse", "answer", "invalid")
                ]
                lines.append(f"| {exp} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def detection_accuracy() -> str:
    from rlvr_rewards.classify.evaluation import detection_report
    from rlvr_rewards.vocabulary import BEHAVIORS

    out = []
    for name, title in (
        ("behavior_corpus.jsonl", "development corpus (used while building the classifier)"),
        ("behavior_heldout.jsonl", "held-out corpus (written independently, never tuned on)"),
        ("refusal_dev.jsonl", "refusal corpus, development half (tuned on)"),
        ("refusal_heldout.jsonl", "refusal corpus, held-out half (not tuned on; see above)"),
        ("refusal_blind.jsonl", "refusal blind set (a second author, blind to the classifier; never tuned on)"),
    ):
        path = ROOT / "tests" / "data" / name
        if not path.exists():
            out.append(f"*{title}: not present.*\n")
            continue
        rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
        rep = detection_report([r["completion"] for r in rows], [r["label"] for r in rows])
        out.append(
            f"**{title}**: `tests/data/{name}`, {rep['n']} completions, accuracy "
            f"{rep['accuracy']:.3f}, macro-F1 {rep['macro_f1']:.3f}.\n"
        )
        out.append("| class | n | precision | recall | F1 |")
        out.append("|---|---:|---:|---:|---:|")
        for b in BEHAVIORS:
            pc = rep["per_class"][b]
            if not pc["support"] and not any(d == b for d in rep["detected"]):
                continue  # a class the corpus has no examples of, and never detected
            out.append(f"| {b} | {pc['support']} | {pc['precision']:.3f} | {pc['recall']:.3f} | {pc['f1']:.3f} |")
        out.append("")
    return "\n".join(out)


BFCL_FUNCTIONS = [
    {
        "name": "calculate_triangle_area",
        "description": "Calculate the area of a triangle given its base and height.",
        "parameters": {
            "type": "dict",
            "required": ["base", "height"],
            "properties": {
                "base": {"type": "integer", "description": "The base of the triangle."},
                "height": {"type": "integer", "description": "The height of the triangle."},
                "unit": {"type": "string", "description": "The unit of measure (defaults to 'units')."},
            },
        },
    }
]
BFCL_ROW = {
    "id": "simple_python_0",
    "ground_truth": [{"calculate_triangle_area": {"base": [10], "height": [5], "unit": ["units", ""]}}],
}
BFCL_IRRELEVANT = {"id": "irrelevance_0", "ground_truth": []}


def _bfcl_call(**args: Any) -> str:
    return hermes_call("calculate_triangle_area", **args)


def bfcl_examples() -> str:
    cases: list[tuple[str, Any, str]] = [
        ("`calculate_triangle_area(base=10, height=5)`", BFCL_ROW, _bfcl_call(base=10, height=5)),
        ('same, `unit="Units"` (case differs from `units`)', BFCL_ROW, _bfcl_call(base=10, height=5, unit="Units")),
        ("`Sure!` + the correct call", BFCL_ROW, "Sure!\n" + _bfcl_call(base=10, height=5)),
        ("`base=10.0` for an `integer` parameter", BFCL_ROW, _bfcl_call(base=10.0, height=5)),
        ("the correct call twice", BFCL_ROW, _bfcl_call(base=10, height=5) + "\n" + _bfcl_call(base=10, height=5)),
        ("irrelevance row, a direct answer (`Michelangelo.`)", BFCL_IRRELEVANT, "Michelangelo."),
        ("irrelevance row, a refusal", BFCL_IRRELEVANT, "I'm sorry, I can't help with that using these tools."),
        ("irrelevance row, any call", BFCL_IRRELEVANT, _bfcl_call(base=1, height=1)),
    ]
    presets = ["graded", "binary", "aws-blog", "bfcl"]
    lines = ["| completion | " + " | ".join(f"`{p}`" for p in presets) + " |", "|---|" + "---:|" * len(presets)]
    for name, truth, completion in cases:
        cells = [f"{rr.score(completion, truth, tools=BFCL_FUNCTIONS, preset=p).reward:.2f}" for p in presets]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


SECTIONS: dict[str, tuple[str, Callable[[], str]]] = {
    "bfcl-examples": ("presets.md", bfcl_examples),
    "detection-accuracy": ("behaviour.md", detection_accuracy),
    "reasons": ("reasons.md", reasons_table),
    "violations": ("formats.md", violations_table),
    "components": ("presets.md", components_table),
    "preset-weights": ("presets.md", preset_weights),
    "preset-examples": ("presets.md", preset_examples),
    "formats": ("formats.md", formats_table),
    "guard-examples": ("presets.md", guard_examples),
}


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for name, (filename, build) in SECTIONS.items():
        path = DOCS / filename
        text = path.read_text()
        pattern = re.compile(
            rf"(<!-- BEGIN GENERATED: {re.escape(name)} -->\n)(.*?)(<!-- END GENERATED: {re.escape(name)} -->)",
            re.DOTALL,
        )
        if not pattern.search(text):
            raise SystemExit(f"{path}: no generated section {name!r}")
        new = pattern.sub(lambda m: m.group(1) + build() + m.group(3), text)  # noqa: B023
        if new != text:
            stale.append(f"{filename}:{name}")
            if not check:
                path.write_text(new)
    if check and stale:
        print("out of date: " + ", ".join(stale) + " (run python tools/gen_docs.py)")
        return 1
    print("docs up to date" if not stale else "rewrote: " + ", ".join(stale))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
