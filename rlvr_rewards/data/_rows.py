"""What the dataset tools (stats, augment, split) share: rows loaded as scoring loads them, prompts as text.

Contract:

- :func:`load_rows` loads every row with :func:`rlvr_rewards.groundtruth.validate.load_row` (the one row checker
  of ``score``, ``validate`` and the Lambda) and returns the loaded rows in order. A row that is not an object,
  whose truth or tools do not load, raises :class:`~rlvr_rewards.errors.GroundTruthError` /
  :class:`~rlvr_rewards.errors.ToolSpecError` whose ``index`` is the row's index, whose ``field`` is the row's
  field and whose message starts with the row's name (``row 'ex-007': ...``), so a caller reading a file maps
  ``index`` to the file and line.
- :func:`row_name`: the row's ``id`` as text, else its index (the name :func:`rlvr_rewards.data.pivots` gives it).
- :func:`prompt_key` / :func:`user_key`: a prompt (a list of chat messages or one rendered string) as text
  with whitespace runs collapsed to one space and case folded: the whole prompt (every message's role, text and
  tool calls), or only what the user wrote (the user messages; the whole text for a rendered string).
- :func:`links`: the rows a row was made from: ``extra_info.derived.from`` (:mod:`rlvr_rewards.data.augmentation`)
  and ``extra_info.pivot.source_id`` (:mod:`rlvr_rewards.data.pivots`).
- :func:`truth_field` / :func:`with_truth`: where a row holds its truth, and a copy of the row with another truth
  (JSON text when the row's truth was text).
- :func:`tool_name`: the name of a tool spec (OpenAI ``{"type": "function", "function": {...}}`` or bare).
- :func:`canonical`: deterministic JSON text of any value (sorted keys; what is not JSON as its ``repr``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import orjson

from rlvr_rewards.errors import GroundTruthError, ToolSpecError
from rlvr_rewards.groundtruth.validate import LoadedRow, load_row

__all__ = [
    "canonical",
    "links",
    "load_rows",
    "message_text",
    "normalise",
    "prompt_key",
    "prompt_of",
    "row_name",
    "tool_name",
    "truth_field",
    "user_key",
    "with_truth",
]


def row_name(row: Mapping[str, Any], index: int) -> str:
    """The row's ``id`` as text, else its index."""
    rid = row.get("id")
    return str(index) if rid is None else str(rid)


def load_rows(rows: Sequence[Any]) -> list[LoadedRow]:
    """Every row loaded as scoring loads it (see the module contract)."""
    out: list[LoadedRow] = []
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise GroundTruthError(
                f"row {i} is not an object",
                index=i,
                expected="a veRL / SageMaker row (prompt, reward_model.ground_truth, ...)",
                got=row,
            )
        try:
            out.append(load_row(dict(row)))
        except (GroundTruthError, ToolSpecError) as exc:
            raise type(exc)(
                f"row {row_name(row, i)!r}: {exc.message}", index=i, field=exc.field, expected=exc.expected, got=exc.got
            ) from None
    return out


def normalise(text: str) -> str:
    """Whitespace runs collapsed to one space, the ends stripped, case folded."""
    return " ".join(text.split()).casefold()


def message_text(content: Any) -> str:
    """A message's text: its ``content`` string, or its text parts joined ("" for anything else)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            p if isinstance(p, str) else p["text"]
            for p in content
            if isinstance(p, str) or (isinstance(p, Mapping) and isinstance(p.get("text"), str))
        )
    return ""


def prompt_of(row: Mapping[str, Any]) -> Any:
    """The row's prompt: ``prompt``, else ``messages`` (None: neither)."""
    prompt = row.get("prompt")
    return row.get("messages") if prompt is None else prompt


def prompt_key(prompt: Any) -> str:
    """The whole prompt as normalised text (module contract)."""
    if isinstance(prompt, str):
        return normalise(prompt)
    if not isinstance(prompt, list):
        return ""
    parts = []
    for msg in prompt:
        if not isinstance(msg, Mapping):
            parts.append(normalise(str(msg)))
            continue
        text = f"[{msg.get('role')}] {normalise(message_text(msg.get('content')))}"
        calls = msg.get("tool_calls")
        if calls:
            text += " " + canonical(calls)
        parts.append(text)
    return "\n".join(parts)


def user_key(prompt: Any) -> str:
    """What the user wrote, as normalised text (module contract)."""
    if isinstance(prompt, str):
        return normalise(prompt)
    if not isinstance(prompt, list):
        return ""
    return "\n".join(
        normalise(message_text(m.get("content"))) for m in prompt if isinstance(m, Mapping) and m.get("role") == "user"
    )


def links(row: Mapping[str, Any]) -> list[str]:
    """The ids of the rows this row was made from (module contract)."""
    extra = row.get("extra_info")
    if not isinstance(extra, Mapping):
        return []
    out = []
    for key, sub in (("derived", "from"), ("pivot", "source_id")):
        info = extra.get(key)
        if isinstance(info, Mapping) and info.get(sub) is not None:
            out.append(str(info[sub]))
    return out


def truth_field(row: Mapping[str, Any]) -> tuple[str, Any]:
    """``("reward_model", truth)`` or ``("reference_answer", truth)``: where the row's truth is (as load_row read
    it) and its value."""
    rm = row.get("reward_model")
    if isinstance(rm, Mapping) and "ground_truth" in rm:
        return "reward_model", rm["ground_truth"]
    return "reference_answer", row.get("reference_answer")


def with_truth(row: Mapping[str, Any], truth: dict[str, Any]) -> dict[str, Any]:
    """A shallow copy of ``row`` holding ``truth`` where the row holds its own (JSON text when that was text)."""
    where, raw = truth_field(row)
    value: Any = orjson.dumps(truth).decode() if isinstance(raw, str) else truth
    out = dict(row)
    if where == "reward_model":
        out["reward_model"] = {**row["reward_model"], "ground_truth": value}
    else:
        out["reference_answer"] = value
    return out


def tool_name(spec: Any) -> str | None:
    """The name of a tool spec, OpenAI style or bare (None: it has none)."""
    if not isinstance(spec, Mapping):
        return None
    inner = spec.get("function")
    name = inner.get("name") if isinstance(inner, Mapping) else spec.get("name")
    return name if isinstance(name, str) else None


def canonical(value: Any) -> str:
    """Deterministic JSON text of ``value``: sorted keys, integers of any size, anything that is not JSON data
    (a non-string key, a set, ...) written as its ``repr``."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS, default=repr).decode()
    except orjson.JSONEncodeError:  # an integer beyond 64 bits, or nesting orjson refuses
        return json.dumps(value, sort_keys=True, default=repr, ensure_ascii=False)
