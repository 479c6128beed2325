"""Rewrite the agreement tables of docs/bfcl.md from a fresh run against the official BFCL checker.

python -m pip install --no-deps bfcl-eval==2026.3.23   # once; only its AST checker is used
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
    path = ROOT / "docs" / "bfcl.md"
    text = path.read_text()
    new = re.sub(
        r"(<!-- BEGIN REPORT -->\n).*?(<!-- END REPORT -->)",
        lambda m: m.group(1) + "\n".join(lines) + "\n" + m.group(2),
        text,
        flags=re.DOTALL,
    )
    path.write_text(new)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
