"""Reading the user's JSONL files (rows and completions), with errors that name the file and line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from rlvr_rewards.errors import ConfigError

__all__ = ["pair_completions", "read_jsonl"]


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    """Every non-blank line of a JSONL file as an object; a bad line raises ConfigError with its number."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"{p}: no such file")
    out = []
    with p.open("rb") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                value = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise ConfigError(f"{p} line {n}: not valid JSON ({exc})") from None
            if not isinstance(value, dict):
                raise ConfigError(f"{p} line {n}: expected a JSON object, got {type(value).__name__}")
            out.append(value)
    return out


def _completion_of(record: dict[str, Any], where: str) -> Any:
    for key in ("completion", "response", "messages", "output"):
        if key in record:
            return record[key]
    raise ConfigError(f"{where}: no completion field; expected one of 'completion', 'response', 'messages'")


def pair_completions(
    rows: list[dict[str, Any]], records: list[dict[str, Any]], rows_name: str = "rows", comp_name: str = "completions"
) -> Iterator[tuple[dict[str, Any], dict[str, Any], Any]]:
    """(row, completion record, completion) triples: joined by ``id`` when the records carry ids,
    else paired line by line."""
    if records and all("id" in r for r in records):
        by_id: dict[Any, dict[str, Any]] = {}
        for n, row in enumerate(rows, 1):
            if "id" not in row:
                raise ConfigError(f"{rows_name} row {n}: no 'id' to join completions on")
            if row["id"] in by_id:
                raise ConfigError(f"{rows_name} row {n}: duplicate id {row['id']!r}")
            by_id[row["id"]] = row
        for n, rec in enumerate(records, 1):
            match = by_id.get(rec["id"])
            if match is None:
                raise ConfigError(f"{comp_name} line {n}: id {rec['id']!r} is not in {rows_name}")
            yield match, rec, _completion_of(rec, f"{comp_name} line {n}")
        return
    if len(rows) != len(records):
        raise ConfigError(
            f"{comp_name} has no ids, so it is paired line by line with {rows_name}, but they have "
            f"{len(records)} and {len(rows)} records; add an 'id' to each completion"
        )
    for n, (row, rec) in enumerate(zip(rows, records, strict=True), 1):
        yield row, rec, _completion_of(rec, f"{comp_name} line {n}")
