"""The machinery the hand-labelled corpus builders share (``build_behavior_corpus.py``,
``build_behavior_heldout.py``, ``build_refusal_corpus.py``); the data stays in each script.

- writing replies: :func:`tool_call` (one Hermes / Qwen 2.5 call block, JSON written the way Qwen writes it,
  or indented, or compact);
- truths: :func:`execute_truth`, :func:`clarify_truth`, :func:`refuse_truth`;
- the JSONL: :func:`to_jsonl` (one object a line, UTF-8 as is);
- self-checks (standard library only, independent of the package under test): :data:`CALL_RE`,
  :func:`example_tools` (the parameter schemas of the five example tools) and :func:`check_truth`;
- the command line: :func:`parse_args` (``--check``), :func:`stale` / :func:`report_stale` (is a file on
  disk different from a fresh build?) and :func:`write` (the files, ``\\n`` line ends).

A builder imports this module as ``_corpus_build``: run as ``python tools/<script>.py``, its own folder is the
first entry of ``sys.path``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from _repo import ROOT

__all__ = [
    "BEHAVIOR_LABELS",
    "CALL_RE",
    "EXAMPLE_ROWS",
    "REFUSE_REASONS",
    "check_args",
    "check_truth",
    "clarify_truth",
    "example_tools",
    "execute_truth",
    "parse_args",
    "refuse_truth",
    "relative",
    "report_stale",
    "stale",
    "to_jsonl",
    "tool_call",
    "write",
]

#: What a reply did, for the behaviour corpora (the refusal corpus has no ``invalid`` replies).
BEHAVIOR_LABELS = ("execute", "clarify", "refuse", "answer", "invalid")
REFUSE_REASONS = ("harmful", "out_of_scope")
#: The bundled example rows: every line carries the five example tools.
EXAMPLE_ROWS = ROOT / "rlvr_rewards" / "data" / "example_rows.jsonl"
CALL_RE = re.compile(r"<tool_call>(.*?)</tool_call>", re.DOTALL)

# --------------------------------------------------------------------------------------------------
# Writing replies and truths
# --------------------------------------------------------------------------------------------------


def tool_call(name: str, arguments: dict[str, Any], *, indent: int | None = None, compact: bool = False) -> str:
    """One Hermes / Qwen 2.5 tool call block, JSON written the way Qwen writes it (non-ASCII as is); ``indent``
    pretty-prints the JSON, ``compact`` drops the spaces and the newlines inside the tags."""
    obj = {"name": name, "arguments": arguments}
    if compact:
        return "<tool_call>" + json.dumps(obj, separators=(",", ":"), ensure_ascii=False) + "</tool_call>"
    return "<tool_call>\n" + json.dumps(obj, indent=indent, ensure_ascii=False) + "\n</tool_call>"


def execute_truth(*calls: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    return {"behavior": "execute", "calls": [{"name": n, "arguments": a} for n, a in calls]}


def clarify_truth(*missing: str) -> dict[str, Any]:
    return {"behavior": "clarify", "missing": list(missing)}


def refuse_truth(reason: str) -> dict[str, Any]:
    return {"behavior": "refuse", "reason": reason}


def to_jsonl(rows: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in rows)


# --------------------------------------------------------------------------------------------------
# Self-checks (independent of the package under test)
# --------------------------------------------------------------------------------------------------


def example_tools() -> dict[str, dict[str, Any]]:
    """The parameter schema of each of the five example tools, by name."""
    tools: dict[str, dict[str, Any]] = {}
    for line in EXAMPLE_ROWS.read_text("utf-8").splitlines():
        for spec in json.loads(line)["extra_info"]["tools"]:
            tools[spec["function"]["name"]] = spec["function"]["parameters"]
    assert len(tools) == 5, sorted(tools)
    return tools


def check_args(name: str, args: dict[str, Any], tools: dict[str, dict[str, Any]], where: str) -> None:
    """The arguments of a call fit its tool: known names, every required one (and the schema, with jsonschema)."""
    schema = tools[name]
    assert set(args) <= set(schema["properties"]), (where, name, sorted(args))
    assert set(schema.get("required", [])) <= set(args), (where, name, sorted(args))
    try:
        import jsonschema
    except ImportError:  # pragma: no cover - optional extra check
        return
    jsonschema.Draft202012Validator(schema).validate(args)


def check_truth(truth: dict[str, Any], tools: dict[str, dict[str, Any]], where: str) -> None:
    """A native truth of the corpus is well formed: calls of known tools with fitting arguments, missing names
    that are required parameters of one tool, a known refusal reason."""
    behavior = truth.get("behavior")
    if behavior == "execute":
        assert set(truth) == {"behavior", "calls"} and truth["calls"], where
        for c in truth["calls"]:
            assert set(c) == {"name", "arguments"} and c["name"] in tools, (where, c)
            check_args(c["name"], c["arguments"], tools, where)
    elif behavior == "clarify":
        assert set(truth) == {"behavior", "missing"}, where
        missing = truth["missing"]
        assert missing and len(set(missing)) == len(missing), where
        # all missing names are required parameters of one and the same tool
        assert any(set(missing) <= set(s.get("required", [])) for s in tools.values()), (where, missing)
    elif behavior == "refuse":
        assert set(truth) == {"behavior", "reason"} and truth["reason"] in REFUSE_REASONS, where
    else:
        raise AssertionError(f"{where}: behavior {behavior!r}")


# --------------------------------------------------------------------------------------------------
# The command line
# --------------------------------------------------------------------------------------------------


def parse_args(doc: str | None, argv: list[str] | None) -> argparse.Namespace:
    """``--check`` only; the description is the first line of the script's docstring."""
    ap = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if a file on disk differs from a fresh build")
    return ap.parse_args(argv)


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def stale(texts: dict[Path, str]) -> list[Path]:
    """The files whose content on disk is not their fresh build (or that are missing)."""
    return [p for p, text in texts.items() if not p.exists() or p.read_text("utf-8") != text]


def report_stale(paths: list[Path], script: str) -> None:
    print(f"out of date: {', '.join(relative(p) for p in paths)} (run python tools/{script})", file=sys.stderr)


def write(texts: dict[Path, str]) -> None:
    for path, text in texts.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
