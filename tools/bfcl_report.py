"""Rewrite the agreement tables of docs/bfcl.md from a fresh run against the official BFCL checker.

python -m pip install --no-deps bfcl-eval==2026.3.23 tree_sitter==0.21.3 tree-sitter-java==0.21.0 \
    tree-sitter-javascript==0.21.4 tenacity==9.2.1 overrides==7.7.0   # once: its checker and decoders are used
python tools/bfcl_report.py
"""

from __future__ import annotations

import platform
import re
import sys
import time
from collections import Counter

from _repo import ROOT, tests_module

ba = tests_module("bfcl_agreement")


def main() -> int:
    started = time.perf_counter()
    outcomes = ba.run()
    s = ba.summarise(outcomes)
    lines = [
        f"Generated {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by `python tools/bfcl_report.py` in "
        f"{time.perf_counter() - started:.0f} s (bfcl-eval 2026.3.23, Python {platform.python_version()}).",
        "",
        f"**Overall: {s['agree']:,} of {s['n']:,} outputs agree ({100 * s['rate']:.3f} %).**",
        "",
        "| category | outputs | agree | agreement |",
        "|---|---:|---:|---:|",
    ]
    for cat, c in sorted(s["by_category"].items()):
        lines.append(f"| {cat} | {c['n']:,} | {c['agree']:,} | {100 * c['agree'] / c['n']:.3f} % |")
    lines += ["", "| output kind | outputs | agree | agreement |", "|---|---:|---:|---:|"]
    for kind, c in sorted(s["by_kind"].items()):
        lines.append(f"| {kind} | {c['n']:,} | {c['agree']:,} | {100 * c['agree'] / c['n']:.3f} % |")
    lines += [
        "",
        "For the record, the other presets judged the same way (a pass is the preset's maximum reward); they "
        "are not meant to agree (they also grade format and, with the tool schema, argument types):",
        "",
        "| preset | agreement with the official checker |",
        "|---|---:|",
    ]
    for other in ("binary", "graded"):
        o = ba.summarise(ba.run(preset=other))
        lines.append(f"| {other} | {100 * o['rate']:.2f} % |")
    classes = Counter((o.kind, o.official, o.ours, o.case_id) for o in outcomes if o.official != o.ours)
    lines += [
        "",
        "Disagreements (kind, official verdict, `bfcl` verdict, case): "
        + (
            ", ".join(
                f"`{k}` {'pass' if off else 'fail'}/{'pass' if ours else 'fail'} {cid} x{n}"
                for (k, off, ours, cid), n in sorted(classes.items())
            )
            or "none"
        )
        + ".",
    ]
    text_lines = _text_report()
    path = ROOT / "docs" / "bfcl.md"
    text = path.read_text()
    for marker, body in (("REPORT", lines), ("TEXT REPORT", text_lines)):
        text = re.sub(
            rf"(<!-- BEGIN {marker} -->\n).*?(<!-- END {marker} -->)",
            lambda m, body=body: m.group(1) + "\n".join(body) + "\n" + m.group(2),
            text,
            flags=re.DOTALL,
        )
    path.write_text(text)
    print("\n".join([*lines, "", *text_lines]))
    return 0


def _text_report() -> list[str]:
    """The agreement on text: BFCL's decoders and checker on each rendering (tests/bfcl_agreement.run_text)."""
    started = time.perf_counter()
    outcomes = ba.run_text()
    s = ba.summarise_text(outcomes)
    lines = [
        f"Generated {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by `python tools/bfcl_report.py` in "
        f"{time.perf_counter() - started:.0f} s (bfcl-eval 2026.3.23, Python {platform.python_version()}).",
        "",
        f"**Overall: {s['agree']:,} of {s['n']:,} texts agree ({100 * s['rate']:.3f} %).**",
        "",
        "| category | texts | agree | agreement |",
        "|---|---:|---:|---:|",
    ]
    for cat, c in sorted(s["by_category"].items()):
        lines.append(f"| {cat} | {c['n']:,} | {c['agree']:,} | {100 * c['agree'] / c['n']:.3f} % |")
    lines += ["", "| rendering (BFCL's decoder) | texts | agree | agreement |", "|---|---:|---:|---:|"]
    for rendering in ba.TEXT_RENDERINGS:
        c = s["by_rendering"][rendering]
        lines.append(
            f"| {rendering} ({ba.TEXT_DECODERS[rendering]}) | {c['n']:,} | {c['agree']:,} | "
            f"{100 * c['agree'] / c['n']:.3f} % |"
        )
    classes = Counter((o.rendering, o.kind, o.official, o.ours, o.case_id) for o in outcomes if o.official != o.ours)
    lines += [
        "",
        "Disagreements (rendering, kind, official verdict, `bfcl` verdict, case): "
        + (
            ", ".join(
                f"{r} `{k}` {'pass' if off else 'fail'}/{'pass' if ours else 'fail'} {cid} x{n}"
                for (r, k, off, ours, cid), n in sorted(classes.items())
            )
            or "none"
        )
        + ".",
    ]
    return lines


if __name__ == "__main__":
    sys.exit(main())
