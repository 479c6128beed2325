"""Reading the user's files (dataset rows, completions, BFCL files), with errors that name the file and line.

Contract:
- :func:`read_records` returns every record of a JSON Lines file (optionally gzip-compressed) or, when
  ``pyarrow`` is installed, of a Parquet file (veRL datasets are Parquet), each with its 1-based line
  (JSON Lines) or row (Parquet) number. The format is told by the file's first bytes, not its name.
- Anything it cannot read is a :class:`ConfigError` naming the file, the line and what was expected: a
  missing file, a directory, an unreadable file, a format it does not read (CSV/TSV, Excel or ZIP,
  one JSON document instead of JSON Lines, Parquet without ``pyarrow``), a line that is not UTF-8, not
  JSON or not an object. With ``on_bad_line`` a bad line is reported to it and skipped instead
  (``rlvr-rewards validate`` lists them all).
- Parquet columns may hold truths and tools as JSON text (the recommended form, what :func:`write_parquet`
  and ``rlvr-rewards convert --to parquet`` write) or as native (struct) values. A native
  ``reward_model.ground_truth`` column is Arrow-filled (every object gets every key any row has, as null):
  null-valued keys of the truth and of each call (``calls[i]`` / a call list's items) are dropped; a null
  argument value in such a column is a :class:`GroundTruthError` naming the row and field (expected null or
  a key only another row has? it cannot be told: write truths as JSON text). :func:`drop_truth_fill` is the
  rule. Tool specs' fill is undone by
  :func:`rlvr_rewards.groundtruth.toolspecs.compile_tools` (see
  :func:`rlvr_rewards.groundtruth.toolspecs.drop_arrow_fill`).
- :func:`parquet_row` / :func:`write_parquet` write rows to Parquet with ``reward_model.ground_truth``
  (unless already text), ``tools`` and ``extra_info.tools`` as JSON text, so any mix of truths, matchers and
  tools round-trips exactly through ``pyarrow``, ``datasets`` and pandas; without ``pyarrow`` a ConfigError
  says what to install.
- :func:`read_json_document` reads one JSON document (a config, an event) with the same checks.
- :func:`check_writable` refuses an output path before any work is done.
- :func:`pair_records` joins completions to rows by ``id`` when every completion has one, pairs them
  line by line when none has; a file where some have ids and some not is an error naming both kinds.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson

from rlvr_rewards.errors import ConfigError, GroundTruthError
from rlvr_rewards.util.jsonsafe import InvalidJSON, loads_trusted, not_json_data

__all__ = [
    "Record",
    "check_writable",
    "drop_truth_fill",
    "file_sha256",
    "pair_records",
    "parquet_row",
    "read_json_document",
    "read_records",
    "write_parquet",
]

_PARQUET_MAGIC = b"PAR1"
_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls
_TABULAR_SUFFIXES = {".csv": "CSV", ".tsv": "TSV"}


@dataclass(frozen=True, slots=True)
class Record:
    """One object read from a file: ``number`` is its 1-based line (JSON Lines) or row (Parquet)."""

    path: str
    number: int
    value: dict[str, Any]
    unit: str = "line"

    @property
    def where(self) -> str:
        """``rows.jsonl line 12`` (or ``rows.parquet row 12``), with the row id when it has one."""
        rid = self.value.get("id")
        return f"{self.path} {self.unit} {self.number}" + (f" (id {rid!r})" if rid is not None else "")


def _open_checked(p: Path, what: str, expected: str = "a JSON Lines file (one JSON object per line)") -> IO[bytes]:
    if not p.exists():
        raise ConfigError(f"{what} {p}: no such file")
    if p.is_dir():
        raise ConfigError(f"{what} {p}: is a directory; expected {expected}")
    try:
        return p.open("rb")
    except OSError as exc:
        raise ConfigError(f"{what} {p}: cannot be read ({exc.strerror})") from None


def _unsupported(p: Path, head: bytes, what: str) -> str | None:
    """Why ``p`` is not a format we read, judged from its first bytes and name (None: try JSON Lines)."""
    if head.startswith(_ZIP_MAGIC):
        return "a ZIP archive (an Excel .xlsx workbook or a .zip)"
    if head.startswith(_OLE_MAGIC):
        return "a legacy Excel/OLE file"
    kind = _TABULAR_SUFFIXES.get(p.suffix.lower())
    if kind is not None:
        return f"a {kind} file"
    return None


#: Records read between two ``progress`` calls of :func:`read_records`.
PROGRESS_LINES = 1024


def read_records(
    path: str | Path,
    what: str = "file",
    on_bad_line: Callable[[int, str], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[Record]:
    """Every record of a JSON Lines (or gzip JSON Lines, or Parquet) file; see the module contract.

    ``what`` names the file's role in messages (``--data``, ``--completions``). ``on_bad_line(number,
    message)``: report a bad line and go on instead of raising. ``progress(position)``: called every
    ``PROGRESS_LINES`` lines and at the end with the bytes of the file (as stored: compressed for gzip) read so
    far (the command line's progress bars); Parquet is read at once, then reported whole."""
    p = Path(path)
    with _open_checked(p, what) as fh:
        head = fh.read(4)
        fh.seek(0)
        if head == _PARQUET_MAGIC:
            records = _read_parquet(p, what)
            if progress is not None:
                progress(p.stat().st_size)
            return records
        why = _unsupported(p, head, what)
        if why is not None:
            raise ConfigError(
                f"{what} {p}: is {why}; expected JSON Lines (one JSON object per line, .jsonl), "
                "gzip-compressed JSON Lines, or Parquet"
            )
        stream: IO[bytes] = fh
        if head.startswith(_GZIP_MAGIC):
            stream = gzip.GzipFile(fileobj=fh)  # type: ignore[assignment]
        try:
            records = []
            for record in _jsonl_records(stream, p, what, on_bad_line):
                records.append(record)
                if progress is not None and len(records) % PROGRESS_LINES == 0:
                    progress(fh.tell())
            if progress is not None:
                progress(fh.tell())
            return records
        except (OSError, EOFError) as exc:  # a truncated or corrupt gzip stream
            raise ConfigError(f"{what} {p}: cannot be read as gzip-compressed JSON Lines ({exc!r})") from None


def _jsonl_records(
    stream: IO[bytes], p: Path, what: str, on_bad_line: Callable[[int, str], None] | None
) -> Iterator[Record]:
    name = str(p)
    first_content = True
    for n, raw in enumerate(stream, 1):
        if not raw.strip():
            continue
        problem: str | None = None
        value: Any = None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            problem = (
                f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at column {exc.start + 1}); expected JSON Lines in UTF-8"
            )
        else:
            stripped = text.strip()
            if first_content and stripped == "[":
                problem = (
                    "the file looks like one JSON document (a '[' array spread over lines), not JSON Lines; "
                    "expected one JSON object per line"
                )
            else:
                try:
                    value = loads_trusted(text)
                except InvalidJSON as exc:
                    where = exc.reason if exc.column is None else f"{exc.reason} at column {exc.column}"
                    problem = f"not valid JSON ({where}); expected one JSON object per line"
                else:
                    if not isinstance(value, dict):
                        problem = f"expected a JSON object, got {type(value).__name__}"
                        if first_content and isinstance(value, list):
                            problem += " (the whole file as one JSON array? JSON Lines holds one object per line)"
        first_content = False
        if problem is None:
            yield Record(name, n, value)
        elif on_bad_line is not None:
            on_bad_line(n, problem)
        else:
            raise ConfigError(f"{what} {p} line {n}: {problem}")


def _read_parquet(p: Path, what: str) -> list[Record]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise ConfigError(
            f"{what} {p}: is a Parquet file; reading Parquet needs pyarrow "
            "(pip install pyarrow, or pip install 'rlvr-rewards[parquet]'), or convert it to JSON "
            "Lines"
        ) from None
    try:
        table = pq.read_table(p)
        rows = table.to_pylist()
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{what} {p}: cannot be read as Parquet ({exc!r})") from None
    if _native_truth_column(table.schema):
        for n, row in enumerate(rows, 1):
            rm = row.get("reward_model")
            if isinstance(rm, dict) and rm.get("ground_truth") is not None:
                rm["ground_truth"] = drop_truth_fill(rm["ground_truth"], f"{what} {p} row {n}")
    return [Record(str(p), n, row, unit="row") for n, row in enumerate(rows, 1)]


def _native_truth_column(schema: Any) -> bool:
    """Whether ``reward_model.ground_truth`` is a struct or list column (native objects, Arrow-filled)."""
    import pyarrow as pa

    if "reward_model" not in schema.names:
        return False
    rm = schema.field("reward_model").type
    if not pa.types.is_struct(rm) or rm.get_field_index("ground_truth") < 0:
        return False
    gt = rm.field("ground_truth").type
    return bool(pa.types.is_struct(gt) or pa.types.is_list(gt) or pa.types.is_large_list(gt))


def drop_truth_fill(truth: Any, where: str, field: str = "reward_model.ground_truth") -> Any:
    """A truth read from a native (struct) Arrow column, with Arrow's null fill removed (module contract).

    Null-valued keys of the truth and of each call are dropped (no truth or call key takes null); a null
    argument value raises :class:`GroundTruthError` naming ``where`` (the row) and ``field``: it cannot be
    told from an argument only another row's call has. Used by :func:`read_records` (Parquet) and
    :func:`rlvr_rewards.integrations.ray.score_dataset` (Ray's Arrow readers)."""
    if isinstance(truth, list):  # a call list (blog dialect, decoded)
        return [_drop_call_fill(c, f"{field}[{i}]", where) for i, c in enumerate(truth)]
    if not isinstance(truth, dict):
        return truth
    out = {k: v for k, v in truth.items() if v is not None}
    if isinstance(out.get("calls"), list):
        out["calls"] = [_drop_call_fill(c, f"{field}.calls[{i}]", where) for i, c in enumerate(out["calls"])]
    return out


def _drop_call_fill(call: Any, field: str, where: str) -> Any:
    if not isinstance(call, dict):
        return call
    out = {k: v for k, v in call.items() if v is not None}
    for key in ("arguments", "parameters"):
        args = out.get(key)
        if isinstance(args, dict):
            for name, value in args.items():
                if value is None:
                    raise GroundTruthError(
                        f"{where}: {field}.{key}.{name} is null in a native (struct) ground-truth column; Parquet "
                        "/ Arrow give every object every key any row has, as null, so it cannot be told whether "
                        f"{name!r} is expected as null or belongs to another row's call",
                        field=f"{field}.{key}.{name}",
                        expected="the truths as JSON text: `rlvr-rewards convert --from rows --to parquet` (or "
                        "rlvr_rewards.integrations.files.write_parquet) writes them so; with Ray, "
                        "ray.data.read_json(path, lines=True) keeps native objects as written",
                        got=None,
                    )
    return out


#: Where a row holds its truth and its tools (``parquet_row`` writes these as JSON text).
_JSON_TEXT_FIELDS = (("reward_model", "ground_truth"), ("extra_info", "tools"), (None, "tools"))


def _json_text(value: Any, where: str) -> str:
    problem = not_json_data(value, 1_000)
    if problem is not None:
        raise ConfigError(
            f"{where}: {problem.message}; expected JSON data (got {problem.culprit!r} at {problem.path or 'the top'})"
        )
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # a lone surrogate in a string
        raise ConfigError(f"{where}: not JSON-serialisable (strings must be valid Unicode)") from None


def parquet_row(row: dict[str, Any], where: str = "row") -> dict[str, Any]:
    """A copy of ``row`` whose ``reward_model.ground_truth``, ``tools`` and ``extra_info.tools`` are JSON text
    (values already text, and ``None``, are left as they are); ``where`` names the row in errors."""
    out = dict(row)
    for parent, key in _JSON_TEXT_FIELDS:
        holder = out if parent is None else out.get(parent)
        if not isinstance(holder, dict) or holder.get(key) is None or isinstance(holder[key], str):
            continue
        if parent is not None:
            holder = out[parent] = dict(holder)
        holder[key] = _json_text(holder[key], f"{where} field {parent + '.' if parent else ''}{key}")
    return out


def write_parquet(rows: Sequence[dict[str, Any]], path: str | Path, what: str = "--out") -> None:
    """Write ``rows`` (each through :func:`parquet_row`) as one Parquet file; ConfigError without pyarrow, or
    when another column mixes types Arrow cannot hold in one column (naming the column)."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ConfigError(
            f"{what} {path}: writing Parquet needs pyarrow (pip install pyarrow, or pip install "
            "'rlvr-rewards[parquet]'); or write JSON Lines (--to jsonl)"
        ) from None
    converted = [
        parquet_row(r, f"row {n}" + (f" (id {r['id']!r})" if "id" in r else "")) for n, r in enumerate(rows, 1)
    ]
    try:
        table = pa.Table.from_pylist(converted)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise ConfigError(
            f"{what} {path}: the rows cannot be one Parquet table ({exc}); truths and tools are "
            "written as JSON text, so another field holds values of different kinds across rows: "
            "give it one kind (or JSON text) in every row"
        ) from None
    pq.write_table(table, str(path))


def read_json_document(path: str | Path, what: str = "file") -> Any:
    """One JSON document (``--config``, ``--event``), decoded exactly; a ConfigError naming the file and
    where it fails otherwise (the same missing/directory/unreadable checks as :func:`read_records`)."""
    p = Path(path)
    with _open_checked(p, what, "a JSON file") as fh:
        raw = fh.read()
    try:
        return loads_trusted(raw)
    except InvalidJSON as exc:
        raise ConfigError(f"{what} {p}: not valid JSON ({exc.where})") from None


def file_sha256(path: str | Path) -> str:
    """The SHA-256 of a file's bytes (hex), read in blocks of a megabyte."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_writable(path: str | Path, what: str = "--out") -> None:
    """Raise ConfigError unless ``path`` can be written (checked before any work: a path that cannot be
    written must not cost a whole scoring run)."""
    p = Path(path)
    if p.is_dir():
        raise ConfigError(f"{what} {p}: is a directory; expected a file path to write")
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise ConfigError(f"{what} {p}: the folder {parent} does not exist; create it first")
    if p.exists():
        if not os.access(p, os.W_OK):
            raise ConfigError(f"{what} {p}: the file is not writable")
    elif not os.access(parent, os.W_OK | os.X_OK):
        raise ConfigError(f"{what} {p}: cannot create a file in {parent} (no write permission)")


def _completion_of(record: Record, what: str) -> Any:
    for key in ("completion", "response", "messages", "output"):
        if key in record.value:
            return record.value[key]
    raise ConfigError(
        f"{what} {record.path} {record.unit} {record.number}: no completion field; expected one of "
        "'completion', 'response', 'messages', 'output'"
    )


def pair_records(rows: Sequence[Record], records: Sequence[Record]) -> Iterator[tuple[Record, Record, Any]]:
    """(row, completion record, completion) triples: joined by ``id`` when every record carries one,
    paired line by line when none does. Rows' ids are unique (checked by the row checker)."""
    with_id = [r for r in records if "id" in r.value]
    if with_id and len(with_id) != len(records):
        missing = next(r for r in records if "id" not in r.value)
        raise ConfigError(
            f"--completions {missing.path}: {missing.unit} {missing.number} has no 'id' but {with_id[0].unit} "
            f"{with_id[0].number} has one; give every completion the id of its row (joined by id) or none "
            "(paired line by line with the rows)"
        )
    if with_id:
        by_id = {r.value["id"]: r for r in rows if "id" in r.value}
        for rec in records:
            match = by_id.get(rec.value["id"])
            if match is None:
                raise ConfigError(
                    f"--completions {rec.path} {rec.unit} {rec.number}: id {rec.value['id']!r} is "
                    f"not the id of any row of {rows[0].path if rows else 'the rows'}"
                )
            yield match, rec, _completion_of(rec, "--completions")
        return
    if len(rows) != len(records):
        raise ConfigError(
            f"--completions {records[0].path if records else ''}: no completion has an 'id', so completions are "
            f"paired line by line with the rows, but there are {len(records)} completions and {len(rows)} "
            "rows; add to each completion the 'id' of its row"
        )
    for row, rec in zip(rows, records, strict=True):
        yield row, rec, _completion_of(rec, "--completions")
