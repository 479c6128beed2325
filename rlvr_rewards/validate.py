"""Dataset checks: rows whose ground truth cannot satisfy its own tool schema.

Contract: :func:`validate_rows(rows)` loads every row as ``rr.score`` would (truth and tools through
:func:`rlvr_rewards.truth.resolve_item` and :func:`rlvr_rewards.tools.compile_tools`) and returns one
:class:`Problem` per finding, never raising on bad data:

- ``bad_truth`` / ``bad_tools``: the truth or the tools do not load (the error message is kept);
- ``unknown_tool``: an expected call names a tool that is not among the row's tools;
- ``missing_required``: an expected call leaves out a required parameter that has no schema default;
- ``optional_required``: the truth lets a required parameter (with no schema default) be left out,
  so an answer the truth accepts violates the schema (e.g. a BFCL answer listing ``""`` for it);
- ``unsatisfiable``: an expected argument accepts no value at all (``$none``, e.g. a BFCL answer
  with an empty list of acceptable values);
- ``unknown_parameter``: an expected call passes a parameter the tool's schema does not declare;
- ``wrong_type``: a plain expected value (or a plain option of ``$any`` / ``$optional`` / ``$text``)
  does not have the parameter's schema type (a string where the schema says integer, ...).

Rows without tools are only checked for loading. ``line`` is 1-based (the JSONL line when rows come
from :func:`rlvr_rewards.io.read_jsonl` without blank lines; the CLI passes real line numbers).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from rlvr_rewards.errors import GroundTruthError, ToolSpecError
from rlvr_rewards.tools import compile_tools
from rlvr_rewards.truth import resolve_item

__all__ = ["Problem", "validate_rows"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding: which row (``line``, ``id``), which expected call, which field, what is wrong."""

    line: int
    id: str | None
    kind: str
    message: str
    call: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = f"line {self.line}" + (f" (id {self.id})" if self.id is not None else "")
        if self.call is not None:
            where += f", call {self.call}"
        if self.field is not None:
            where += f", field {self.field!r}"
        return f"{where}: [{self.kind}] {self.message}"


_CHECKS: dict[str, Any] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
    "null": lambda v: v is None,
}


def _type_ok(value: Any, schema: Any) -> tuple[bool, str]:
    t = schema.get("type") if isinstance(schema, dict) else None
    types = [t] if isinstance(t, str) else (t if isinstance(t, list) else [])
    known = [x for x in types if x in _CHECKS]
    if not known:
        return True, ""
    return any(_CHECKS[x](value) for x in known), " or ".join(known)


def _plain_options(value: Any, path: str) -> Iterator[tuple[Any, str]]:
    """The plain values a truth value stands for, with their paths (matchers other than these are skipped)."""
    if isinstance(value, dict):
        keys = [k for k in value if isinstance(k, str) and k.startswith("$")]
        if len(keys) == 1:
            key = keys[0]
            inner = value[key]
            if key == "$any" and isinstance(inner, list):
                for i, v in enumerate(inner):
                    yield from _plain_options(v, f"{path}.$any[{i}]")
            elif key == "$optional":
                yield from _plain_options(inner, f"{path}.$optional")
            elif key in ("$text", "$literal", "$approx"):
                yield inner, path
            return
    yield value, path


def _has_none(value: Any, depth: int = 0) -> bool:
    """True when no value (and not the absence) satisfies ``value``: a ``$none`` that is not under an
    ``$optional`` (absence is then fine) and not one option among others of an ``$any``."""
    if depth > 100:
        return False
    if isinstance(value, dict):
        if "$none" in value:
            return True
        if "$optional" in value:
            return False
        if "$any" in value and isinstance(value["$any"], list):
            return all(_has_none(o, depth + 1) for o in value["$any"])
        if any(isinstance(k, str) and k.startswith("$") for k in value):
            return False
        return any(_has_none(v, depth + 1) for v in value.values())
    if isinstance(value, list):
        return any(_has_none(v, depth + 1) for v in value)
    return False


def _row_id(row: Any) -> str | None:
    return str(row["id"]) if isinstance(row, dict) and row.get("id") is not None else None


def _check_row(row: Any, line: int) -> list[Problem]:
    rid = _row_id(row)
    try:
        truth, row_tools = resolve_item(row)
    except GroundTruthError as exc:
        return [Problem(line, rid, "bad_truth", exc.message, field=exc.field)]
    try:
        ts = compile_tools(row_tools)
    except ToolSpecError as exc:
        return [Problem(line, rid, "bad_tools", exc.message, field=exc.field)]
    if ts is None or truth.behavior != "execute":
        return []
    out: list[Problem] = []
    for i, call in enumerate(truth.calls):
        label = f"#{i} {call.name}"
        base = f"calls[{i}].arguments"
        tool = ts.get(call.name)
        if tool is None:
            out.append(Problem(line, rid, "unknown_tool", f"expected call to {call.name!r}, which is not among the "
                               f"row's tools ({', '.join(sorted(ts.tools)) or 'none'})", call=label,
                               field=f"calls[{i}].name"))
            continue
        for req in sorted(tool.required):
            if req not in call.matchers and req not in tool.defaults:
                out.append(Problem(line, rid, "missing_required", f"required parameter {req!r} is missing from "
                                   "the expected call and has no default", call=label, field=f"{base}.{req}"))
            elif req in call.matchers and call.matchers[req].optional and req not in tool.defaults:
                out.append(Problem(line, rid, "optional_required", f"required parameter {req!r} is optional in the "
                                   "expected call (a correct answer may leave it out, which its schema forbids)",
                                   call=label, field=f"{base}.{req}"))
        props = tool.parameters.get("properties") or {}
        for name, raw in call.arguments.items():
            if _has_none(raw):
                out.append(Problem(line, rid, "unsatisfiable", f"no value of parameter {name!r} is acceptable "
                                   "($none: e.g. a BFCL answer with an empty list), so no answer can be right",
                                   call=label, field=f"{base}.{name}"))
                continue
            if name not in tool.properties:
                out.append(Problem(line, rid, "unknown_parameter", f"parameter {name!r} is not declared by tool "
                                   f"{call.name!r}", call=label, field=f"{base}.{name}"))
                continue
            for value, path in _plain_options(raw, f"{base}.{name}"):
                ok, want = _type_ok(value, props.get(name))
                if not ok:
                    out.append(Problem(line, rid, "wrong_type", f"expected value {value!r} is not of the schema "
                                       f"type {want}", call=label, field=path))
    return out


def validate_rows(rows: Iterable[Any], lines: Sequence[int] | None = None) -> list[Problem]:
    """Every problem found in ``rows`` (see module docs); ``lines`` gives each row's line number."""
    problems: list[Problem] = []
    for i, row in enumerate(rows):
        problems.extend(_check_row(row, lines[i] if lines is not None else i + 1))
    return problems
