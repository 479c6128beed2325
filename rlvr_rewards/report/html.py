"""HTML building blocks of the report: escaping, untrusted text, tables, numbers, embedded images, the page.

Contract: every piece of text that reaches the page goes through :func:`esc` (``html.escape`` with quotes, after
control characters and lone surrogates are made visible as ``\\xNN`` / ``\\udNNN`` escapes, so the page is valid
UTF-8 whatever a completion held), and model output or user data through :func:`untrusted`, which first cuts it
to ``limit`` characters and says how many more there were. Numbers go through :func:`num`: the cell shows them
rounded and carries the exact value in ``data-value`` (``repr`` of the float, so a test or a script reads back
the very number ``BatchScore.summary()`` gave). :func:`image` embeds PNG bytes as a ``data:image/png;base64,``
URI. :func:`page` writes one self-contained document: inline CSS, no script, no external URL.
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["esc", "image", "num", "page", "pre", "section", "table", "untrusted"]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto; max-width: 1180px;
  padding: 1.5em; color: #1d2327; background: #fff; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { border-bottom: 2px solid #dde3ea; padding-bottom: 0.2em;
  margin-top: 2em; } h3 { margin: 0.4em 0; font-size: 1.05em; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.92em; }
th, td { border: 1px solid #d0d7de; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #f3f5f8; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.up { color: #1a7f37; } td.down { color: #b42318; }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 0.86em; }
pre { background: #f6f8fa; border: 1px solid #d0d7de; padding: 0.6em; white-space: pre-wrap;
  overflow-wrap: anywhere; max-height: 28em; overflow: auto; margin: 0.3em 0; }
figure { margin: 0.8em 0; } figure img { max-width: 100%; height: auto; border: 1px solid #eef1f4; }
figcaption, .note { color: #57606a; font-size: 0.88em; }
.example { border: 1px solid #d0d7de; border-radius: 6px; padding: 0.6em 1em; margin: 1em 0; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 1em; }
.pair > div { min-width: 0; }
.label { font-weight: 600; color: #57606a; font-size: 0.85em; text-transform: uppercase; letter-spacing: 0.03em; }
"""


def _visible(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group()):02x}"


def esc(value: object) -> str:
    """``value`` as text safe inside an element or a quoted attribute (see the module contract)."""
    text = value if isinstance(value, str) else str(value)
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")  # lone surrogates cannot be written as UTF-8
    return html.escape(_CONTROL.sub(_visible, text), quote=True)


def as_text(value: Any) -> str:
    """A completion (text, a message, a list of messages) or any value as text: strings as they are, anything
    else as indented JSON (``str`` of what JSON cannot write)."""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False, indent=1, default=str)
    except (TypeError, ValueError, RecursionError):
        return repr(value)


def untrusted(value: Any, limit: int) -> str:
    """Model output or user data, cut to ``limit`` characters (the cut said in words) and escaped."""
    text = as_text(value)
    if len(text) > limit:
        text = f"{text[:limit]}\n… [{len(text) - limit:,} more characters not shown; {len(text):,} in all]"
    return esc(text)


def pre(value: Any, limit: int) -> str:
    """A ``<pre>`` block of untrusted text (see :func:`untrusted`)."""
    return f"<pre>{untrusted(value, limit)}</pre>"


def num(value: float | int | None, spec: str = ".3f", css: str = "num") -> str:
    """A table cell with a number rounded by ``spec`` and its exact value in ``data-value`` ("–" for None)."""
    if value is None:
        return f'<td class="{css}" data-value="">–</td>'
    exact = repr(int(value)) if isinstance(value, int) else repr(float(value))
    return f'<td class="{css}" data-value="{esc(exact)}">{format(value, spec)}</td>'


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], css_id: str = "") -> str:
    """A table: ``headers`` are plain text (escaped here); each row's cells are HTML: ``<td>`` elements as
    :func:`num` writes them, or text already escaped, which is wrapped in ``<td>``."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = "".join(c if c.startswith("<td") else f"<td>{c}</td>" for c in row)
        body.append(f"<tr>{cells}</tr>")
    ident = f' id="{esc(css_id)}"' if css_id else ""
    return f"<table{ident}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def image(png: bytes, alt: str, caption: str = "") -> str:
    """A figure with the PNG embedded as a base64 data URI, and its caption (plain text, escaped here)."""
    data = base64.b64encode(png).decode("ascii")
    cap = f"<figcaption>{esc(caption)}</figcaption>" if caption else ""
    return f'<figure><img src="data:image/png;base64,{data}" alt="{esc(alt)}">{cap}</figure>'


def section(ident: str, title: str, body: str) -> str:
    """A ``<section id=...>`` with its ``<h2>`` title (plain text) and ``body`` (HTML)."""
    return f'<section id="{esc(ident)}"><h2>{esc(title)}</h2>{body}</section>'


def page(title: str, subtitle: str, sections: Sequence[str]) -> str:
    """The whole document: inline CSS, the title (plain text), the sections (HTML), no script."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{_CSS}</style></head><body>"
        f'<header><h1>{esc(title)}</h1><p class="note">{esc(subtitle)}</p></header>'
        f"{''.join(sections)}</body></html>\n"
    )
