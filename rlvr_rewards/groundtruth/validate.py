"""The one row checker: what ``rlvr-rewards score``, ``rlvr-rewards validate`` and the Lambda accept.

Contract:
- :func:`load_row` turns one dataset row (or a Lambda sample reshaped as a row) into its compiled truth and
  tools, exactly as scoring reads them (:func:`rlvr_rewards.groundtruth.truths.resolve_item`, then
  :func:`rlvr_rewards.groundtruth.toolspecs.compile_tools`); a bad truth or tool list raises ``GroundTruthError`` /
  ``ToolSpecError`` naming the field. Every entry point calls it, so they cannot disagree.
- :func:`inspect_rows` runs it over a dataset and returns the loaded rows and one :class:`Problem` per
  finding, never raising on bad data. *Fatal* problems (``Problem.fatal``) make ``score`` refuse the
  dataset; ``validate`` lists every problem:

  fatal:
  - ``bad_json``: a line that is not a JSON object (reported by the reader, see :mod:`rlvr_rewards.integrations.files`);
  - ``not_object``: a row that is not an object;
  - ``bad_truth`` / ``bad_tools``: the truth or the tools do not load (the error's text is kept);
  - ``duplicate_id``: a row id used by an earlier row (completions join rows by id, and GRPO groups
    are keyed by it);

  advisory (the row scores, but its truth cannot be satisfied as the tools describe it):
  - ``unknown_tool``: an expected call names a tool that is not among the row's tools;
  - ``missing_required``: an expected call leaves out a required parameter that has no schema default;
  - ``optional_required``: the truth lets a required parameter (with no schema default) be left out,
    so an answer the truth accepts violates the schema (e.g. a BFCL answer listing ``""`` for it);
  - ``unsatisfiable``: an expected argument accepts no value at all (``$none``, e.g. a BFCL answer
    with an empty list of acceptable values);
  - ``unknown_parameter``: an expected call passes a parameter the tool's schema does not declare;
  - ``wrong_type``: a plain expected value (or a plain option of ``$any`` / ``$optional`` / ``$text``)
    does not have the parameter's schema type (a string where the schema says integer, ...).

Rows without tools are only checked for loading. ``line`` is 1-based (the JSONL line or Parquet row; the
CLI passes real line numbers).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from rlvr_rewards.errors import GroundTruthError, ToolSpecError
from rlvr_rewards.groundtruth.matchers import MatcherTable
from rlvr_rewards.groundtruth.toolspecs import ToolSet, compile_tools
from rlvr_rewards.groundtruth.truths import CompiledTruth, resolve_item

__all__ = ["FATAL", "LoadedRow", "Problem", "inspect_rows", "load_row", "validate_rows"]

#: Problems that make ``score`` refuse the dataset (the others are advisory).
FATAL = frozenset({"bad_json", "not_object", "bad_truth", "bad_tools", "duplicate_id"})


@dataclass(frozen=True, slots=True)
class LoadedRow:
    """A row as scoring reads it: the compiled truth and the compiled tools (None: the row has none)."""

    truth: CompiledTruth
    toolset: ToolSet | None


def load_row(row: Any, matchers: MatcherTable | None = None) -> LoadedRow:
    """Load one row as every entry point does, its truth compiled with ``matchers`` (default: the registered
    ones); raises GroundTruthError / ToolSpecError naming the field."""
    if matchers is None:
        from rlvr_rewards.plugins import get_registry

        matchers = get_registry().matcher_table
    truth, tools = resolve_item(row, matchers)
    return LoadedRow(truth, compile_tools(tools))


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding: which row (``line``, ``id``), which expected call, which field, what is wrong."""

    line: int
    id: str | None
    kind: str
    message: str
    call: str | None = None
    field: str | None = None

    @property
    def fatal(self) -> bool:
        """Does this problem make ``score`` refuse the dataset? (See :data:`FATAL`.)"""
        return self.kind in FATAL

    def __str__(self) -> str:
        where = f"line {self.line}" + (f" (id {self.id!r})" if self.id is not None else "")
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


def _load(row: Any, line: int, rid: str | None) -> tuple[LoadedRow | None, list[Problem]]:
    if not isinstance(row, dict):
        return None, [Problem(line, None, "not_object", f"a row must be a JSON object, got {type(row).__name__}")]
    try:
        loaded = load_row(row)
    except GroundTruthError as exc:
        return None, [Problem(line, rid, "bad_truth", exc.detail, field=exc.field)]
    except ToolSpecError as exc:
        return None, [Problem(line, rid, "bad_tools", exc.detail, field=exc.field)]
    return loaded, []


def _consistency(loaded: LoadedRow, line: int, rid: str | None) -> list[Problem]:
    truth, ts = loaded.truth, loaded.toolset
    if ts is None or truth.behavior != "execute":
        return []
    out: list[Problem] = []
    for i, call in enumerate(truth.calls):
        label = f"#{i} {call.name}"
        base = f"calls[{i}].arguments"
        tool = ts.get(call.name)
        if tool is None:
            out.append(
                Problem(
                    line,
                    rid,
                    "unknown_tool",
                    f"expected call to {call.name!r}, which is not among the "
                    f"row's tools ({', '.join(sorted(ts.tools)) or 'none'})",
                    call=label,
                    field=f"calls[{i}].name",
                )
            )
            continue
        for req in sorted(tool.required):
            if req not in call.matchers and req not in tool.defaults:
                out.append(
                    Problem(
                        line,
                        rid,
                        "missing_required",
                        f"required parameter {req!r} is missing from the expected call and has no default",
                        call=label,
                        field=f"{base}.{req}",
                    )
                )
            elif req in call.matchers and call.matchers[req].optional and req not in tool.defaults:
                out.append(
                    Problem(
                        line,
                        rid,
                        "optional_required",
                        f"required parameter {req!r} is optional in the "
                        "expected call (a correct answer may leave it out, which its schema forbids)",
                        call=label,
                        field=f"{base}.{req}",
                    )
                )
        props = tool.parameters.get("properties") or {}
        for name, raw in call.arguments.items():
            if _has_none(raw):
                out.append(
                    Problem(
                        line,
                        rid,
                        "unsatisfiable",
                        f"no value of parameter {name!r} is acceptable "
                        "($none: e.g. a BFCL answer with an empty list), so no answer can be right",
                        call=label,
                        field=f"{base}.{name}",
                    )
                )
                continue
            if name not in tool.properties:
                out.append(
                    Problem(
                        line,
                        rid,
                        "unknown_parameter",
                        f"parameter {name!r} is not declared by tool {call.name!r}",
                        call=label,
                        field=f"{base}.{name}",
                    )
                )
                continue
            for value, path in _plain_options(raw, f"{base}.{name}"):
                ok, want = _type_ok(value, props.get(name))
                if not ok:
                    out.append(
                        Problem(
                            line,
                            rid,
                            "wrong_type",
                            f"expected value {value!r} is not of the schema type {want}",
                            call=label,
                            field=path,
                        )
                    )
    return out


def inspect_rows(
    rows: Iterable[Any], lines: Sequence[int] | None = None
) -> tuple[list[LoadedRow | None], list[Problem]]:
    """Each row loaded (None where it does not load) and every problem found (see the module contract);
    ``lines`` gives each row's line number (default: 1, 2, ...)."""
    loaded_rows: list[LoadedRow | None] = []
    problems: list[Problem] = []
    first_line: dict[str, int] = {}
    for i, row in enumerate(rows):
        line = lines[i] if lines is not None else i + 1
        rid = _row_id(row)
        loaded, found = _load(row, line, rid)
        if rid is not None:
            if rid in first_line:
                found.append(
                    Problem(
                        line,
                        rid,
                        "duplicate_id",
                        f"id {rid!r} is also the id of line {first_line[rid]}; "
                        "expected a unique id per row (completions join rows by id, GRPO groups "
                        "are keyed by it)",
                        field="id",
                    )
                )
            else:
                first_line[rid] = line
        if loaded is not None:
            found += _consistency(loaded, line, rid)
        loaded_rows.append(loaded)
        problems += found
    return loaded_rows, problems


def validate_rows(rows: Iterable[Any], lines: Sequence[int] | None = None) -> list[Problem]:
    """Every problem found in ``rows`` (see module docs); ``lines`` gives each row's line number."""
    return inspect_rows(rows, lines)[1]
