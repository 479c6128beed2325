"""Augmentation: clarify and refuse rows derived from execute rows (``rlvr-rewards data augment``).

Contract: :func:`augment` ``(rows, *, seed=0, clarify=True, refuse=True)`` returns the rows, unchanged and in
order (the same objects), followed by the derived rows, in the order of their sources (a source's clarify row
before its refuse row). :func:`augment_report` returns the same rows with what was derived and what was skipped,
and why (:class:`Augmented`). Same rows and seed, same output.

- **Sources.** Every row is first loaded as scoring loads it (a row that would not score raises
  :class:`~rlvr_rewards.errors.GroundTruthError` / :class:`~rlvr_rewards.errors.ToolSpecError` with its
  ``index`` and ``field``, the message naming the row; so does an id used twice, since the derived ids would
  clash). Rows are derived from rows whose truth expects ``execute`` (native, blog dialect or BFCL), that have
  tools (as scoring reads them), and that are not themselves derived (``extra_info.derived``); a derived row whose
  id is already among the rows is not made again, so ``augment(augment(rows)) == augment(rows)``.
- **Clarify** (a parameter held out): the truth must expect one call (with several, the calls whose values the
  message still states could be made, so asking would not be the one right answer), and the prompt must be a
  list of messages ending with a user message. A *candidate* is a required parameter of the called tool
  without a schema default whose expected value is a string, or a number as JSON writes it (``50``, ``75.25``;
  ``"10,000"`` is not how ``10000`` is written), that occurs in the last user message exactly once
  (case-insensitively, on word boundaries: ``Paris`` is not in ``Parisian``, ``50`` is not in ``150`` or ``1,500``),
  there exactly as written, in no other message but the system messages, and as no other argument's value. One
  candidate is chosen by a generator seeded with ``seed`` and the source's id (so a row's choice does not depend
  on the other rows). Its occurrence is cut out of the message, and the text around the cut is tidied: an
  emptied pair of quotes or brackets goes too (``subject "Meeting notes"`` -> ``subject``), the spaces on
  both sides become one (none before ``,.;:!?)``), a comma or semicolon left doubled or leading is dropped
  (``Mozza, 2025-05-09, 7 pm`` -> ``Mozza, 7 pm``). Nothing else is rewritten (a preposition may be left
  without its object: ``weather in right now``). The truth becomes ``{"behavior": "clarify", "missing":
  [parameter]}``; ``extra_info.derived`` = ``{"from": source id, "how": "clarify", "parameter": name, "tool":
  tool, "cut": the text cut}`` (text, for a number too, so the rows stay one Parquet table).
- **Refuse** (the tool removed, When2Call's construction): every tool the truth calls is removed from the row's
  tools, so the request can no longer be served; the truth becomes ``{"behavior": "refuse"}`` and
  ``extra_info.derived`` = ``{"from", "how": "refuse", "removed_tools": [names]}``. Derived only when at least one
  other tool remains: a prompt offering no tool at all teaches nothing about choosing not to call, and many chat
  templates then drop their tool section, so the prompt would differ from the source in form as well. The tools
  are removed wherever the row lists them: ``tools`` and ``extra_info.tools`` (lists, a single spec or their JSON
  text, written back in the same form), and the prompt, since a chat template may have rendered the tools
  into it: a ``<tools>`` block holding one JSON object per line (Qwen 2.5 / 3, and Hermes when its objects are
  whole) in the system messages or the first user message loses the removed tools' lines. A prompt whose tools
  are rendered in another form (Llama 3.x, Mistral's ``[AVAILABLE_TOOLS]``, a Hermes 2 Pro block whose objects
  miss their closing brace), whose system messages still name a removed tool, or whose earlier messages call one,
  yields no refuse row (the model would still be offered, or shown, the tool). The request may still be one a
  model can answer without the tool (a mean of five numbers): the truth says to decline because no offered tool
  serves it, as When2Call labels such rows; filter the derived rows if that is not wanted.
- **Derived rows** are shallow copies of their source with ``id`` = ``f"{id}#clarify"`` / ``f"{id}#refuse"`` (a
  row without an id is named by its index), the new truth where the source holds its truth (JSON text when the
  source's truth is text), new prompt messages, and ``extra_info`` a new object holding ``derived`` (and
  ``behavior``, when the source's ``extra_info.behavior`` says ``execute``, set to the derived behaviour). Every
  derived row is loaded as scoring loads it before it is returned.
- **Target** (``target="60/25/15"``, execute/clarify/refuse shares as ``rlvr-rewards data stats`` reads them):
  every given row is kept, so its execute rows fix the size of the result (``execute / execute share``); of each
  kind's derived rows, as many are kept as bring that behaviour to its share (rounded; none when the given rows
  already reach it; all when there are too few: :attr:`Augmented.mix` then shows the mix reached), chosen by a
  generator seeded with ``seed`` and the kind, in their sources' order; the others are skipped with
  ``over_target``. A target without an execute share is a ConfigError.
- **Skipped** rows are reported per source and kind with a reason code of :data:`SKIP_REASONS`.
"""

from __future__ import annotations

import copy
import random
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import orjson

from rlvr_rewards.data._rows import canonical, load_rows, message_text, prompt_of, row_name, tool_name, with_truth
from rlvr_rewards.data.dataset_stats import parse_target
from rlvr_rewards.errors import ConfigError, GroundTruthError, ToolSpecError
from rlvr_rewards.groundtruth.toolspecs import Tool, tools_from_prompt
from rlvr_rewards.groundtruth.truths import CompiledCall
from rlvr_rewards.groundtruth.validate import LoadedRow, load_row
from rlvr_rewards.util.jsonsafe import InvalidJSON, loads_trusted

__all__ = ["KINDS", "SKIP_REASONS", "Augmented", "Skipped", "augment", "augment_report", "cut_span"]

#: The kinds of derived rows, in the order a source's derived rows are written.
KINDS = ("clarify", "refuse")

#: Why a row yields no derived row of a kind (reason code -> explanation).
SKIP_REASONS: dict[str, str] = {
    "derived": "the row is itself derived (extra_info.derived); rows are derived from original rows only",
    "exists": "a row with the derived row's id is already among the rows",
    "no_tools": "the row has no tools, so its required parameters and the tools to remove are unknown",
    "several_calls": "the truth expects several calls; the calls whose values the message still states could be "
    "made, so asking is not the one right answer",
    "prompt_shape": "the prompt is not a list of chat messages ending with a user message",
    "no_verbatim_value": "no required parameter's value (a string, or a number as JSON writes it) occurs in the "
    "last user message exactly once, on word boundaries, and in no other message but the system messages",
    "unknown_tool": "an expected call names a tool that is not among the row's tools (`rlvr-rewards validate`)",
    "no_other_tool": "removing the expected tools would leave no tool",
    "prompt_calls_tool": "an earlier message of the prompt calls a tool that would be removed",
    "tools_in_prompt": "the prompt renders the tools in a form augment does not edit (only <tools> blocks of one "
    "JSON object per line), or its system messages name a removed tool outside the tools block",
    "over_target": "derived, then left out so that the behaviour mix meets the target (augment's target)",
}

_WORD = re.compile(r"\w")
_PAIRS = {'"': '"', "'": "'", "“": "”", "‘": "’", "«": "»", "`": "`", "(": ")", "[": "]"}
_NO_SPACE_BEFORE = ",.;:!?)]}"
_SYSTEM_ROLES = ("system", "developer")


@dataclass(frozen=True, slots=True)
class Skipped:
    """A source row that yields no derived row of one kind: its name, the kind, a reason code of SKIP_REASONS."""

    source: str
    kind: str
    reason: str


@dataclass(frozen=True)
class Augmented:
    """What :func:`augment_report` made: the rows (the given ones, then the derived ones), how many of each kind
    were derived, and every source row skipped per kind, with why."""

    rows: list[Any]
    derived: dict[str, int]
    skipped: tuple[Skipped, ...]
    #: execute / clarify / refuse -> rows of that expected behaviour in ``rows``
    mix: dict[str, int] = field(default_factory=dict)
    #: execute / clarify / refuse -> the target share asked for (empty without a target)
    target: dict[str, float] = field(default_factory=dict)


def augment(
    rows: Sequence[Any],
    *,
    seed: int = 0,
    clarify: bool = True,
    refuse: bool = True,
    target: str | Sequence[float | int | Fraction] | None = None,
) -> list[Any]:
    """The rows followed by the clarify and refuse rows derived from their execute rows (module contract)."""
    return augment_report(rows, seed=seed, clarify=clarify, refuse=refuse, target=target).rows


def augment_report(
    rows: Sequence[Any],
    *,
    seed: int = 0,
    clarify: bool = True,
    refuse: bool = True,
    target: str | Sequence[float | int | Fraction] | None = None,
) -> Augmented:
    """:func:`augment`, with what was derived and what was skipped, and why (module contract)."""
    shares = None if target is None else parse_target(target)
    if shares is not None and shares[0] == 0:
        raise ConfigError(
            f"target {target!r}: the execute share is 0, but augment keeps every given row and derives from the "
            "execute rows; give execute a share (e.g. 60/25/15)"
        )
    loaded = load_rows(rows)
    names = _unique_names(rows)
    taken = set(names)
    kinds = [k for k, wanted in zip(KINDS, (clarify, refuse), strict=True) if wanted]
    derived: list[Any] = []
    skipped: list[Skipped] = []
    for i, row in enumerate(rows):
        if loaded[i].truth.behavior != "execute":
            continue
        for kind in kinds:
            made = _derive(kind, row, loaded[i], names[i], seed, taken)
            if isinstance(made, str):
                skipped.append(Skipped(names[i], kind, made))
                continue
            _check_loads(made, i, names[i])
            derived.append(made)
    given = Counter(row.truth.behavior for row in loaded)
    if shares is not None:
        derived, left_out = _to_target(derived, given, shares, seed)
        skipped.extend(left_out)
    counts = {k: sum(1 for r in derived if r["extra_info"]["derived"]["how"] == k) for k in kinds}
    mix = {b: given.get(b, 0) + counts.get(b, 0) for b in ("execute", "clarify", "refuse")}
    wanted = (
        {} if shares is None else {b: float(x) for b, x in zip(("execute", "clarify", "refuse"), shares, strict=True)}
    )
    return Augmented([*rows, *derived], counts, tuple(skipped), mix, wanted)


def _to_target(
    derived: list[Any], given: Counter[str], shares: tuple[Fraction, Fraction, Fraction], seed: int
) -> tuple[list[Any], list[Skipped]]:
    """The derived rows kept so that the mix meets ``shares`` (module contract: *Target*), and those left out.

    Every given row is kept, so the execute rows fix the size: ``total = execute / share_execute``; a kind keeps
    ``round(share_kind * total) - given_kind`` of its derived rows (at least 0, at most all), chosen by a
    generator seeded with ``seed`` and the kind, kept in their sources' order."""
    total = given.get("execute", 0) / shares[0]
    keep: set[int] = set()
    left_out: list[Skipped] = []
    for kind, share in zip(("clarify", "refuse"), shares[1:], strict=True):
        mine = [k for k, row in enumerate(derived) if row["extra_info"]["derived"]["how"] == kind]
        wanted = max(0, min(len(mine), round(share * total) - given.get(kind, 0)))
        chosen = set(random.Random(f"rlvr-rewards augment target {seed} {kind}").sample(mine, wanted))
        keep |= chosen
        left_out += [
            Skipped(derived[k]["extra_info"]["derived"]["from"], kind, "over_target") for k in mine if k not in chosen
        ]
    return [row for k, row in enumerate(derived) if k in keep], left_out


def _unique_names(rows: Sequence[Any]) -> list[str]:
    """Each row's name (module contract); an id used twice raises GroundTruthError naming both rows."""
    first: dict[str, int] = {}
    names = []
    for i, row in enumerate(rows):
        name = row_name(row, i)
        if row.get("id") is not None:
            if name in first:
                raise GroundTruthError(
                    f"row {name!r}: the id of row {first[name]} too; derived rows are named '<id>#clarify' and "
                    "'<id>#refuse', so ids must be unique",
                    index=i,
                    field="id",
                    expected="a unique id per row",
                    got=row["id"],
                )
            first[name] = i
        names.append(name)
    return names


def _derive(kind: str, row: Mapping[str, Any], loaded: LoadedRow, source: str, seed: int, taken: set[str]) -> Any:
    """The derived row of ``kind``, or the reason code why there is none."""
    extra = row.get("extra_info")
    if isinstance(extra, Mapping) and extra.get("derived") is not None:
        return "derived"
    new_id = f"{source}#{kind}"
    if new_id in taken:
        return "exists"
    if loaded.toolset is None:
        return "no_tools"
    if kind == "clarify":
        made = _clarify(row, loaded, random.Random(f"rlvr-rewards augment {seed} {source}"))
    else:
        made = _refuse(row, loaded)
    if isinstance(made, str):
        return made
    out, info = made
    out["id"] = new_id
    base = out.get("extra_info")
    new_extra = dict(base) if isinstance(base, Mapping) else {}
    if new_extra.get("behavior") == "execute":
        new_extra["behavior"] = kind
    new_extra["derived"] = {"from": source, "how": kind, **info}
    out["extra_info"] = new_extra
    return out


def _check_loads(row: dict[str, Any], index: int, source: str) -> None:
    """A derived row must load as scoring loads it (the derivation keeps what loaded; this guards the promise)."""
    try:
        load_row(row)
    except (GroundTruthError, ToolSpecError) as exc:
        raise type(exc)(
            f"row {source!r}: its derived row {row['id']!r} does not load ({exc.message}); please report this",
            index=index,
            field=exc.field,
            expected=exc.expected,
            got=exc.got,
        ) from None


# --- clarify: a required parameter held out ------------------------------------------------------------------


def _needle(value: Any) -> tuple[str, bool] | None:
    """``(text, is a number)`` of an expected value as the user would write it verbatim (None: not plain)."""
    if isinstance(value, str):
        return (value, False) if value.strip() else None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return (str(value) if isinstance(value, int) else orjson.dumps(value).decode()), True  # (ints of any size)


def _bounded(text: str, start: int, end: int, number: bool) -> bool:
    """Whether ``text[start:end]`` stands on its own: word boundaries, and for a number no digits, sign, decimal
    point or thousands separator joining it to more digits."""
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    if number:
        if _WORD.match(before) or _WORD.match(after) or (before and before in "-+"):
            return False
        if before and before in ".," and start >= 2 and text[start - 2].isdigit():
            return False
        return not (after and after in ".," and end + 1 < len(text) and text[end + 1].isdigit())
    if _WORD.match(text[start]) and before and _WORD.match(before):
        return False
    return not (_WORD.match(text[end - 1]) and after and _WORD.match(after))


def _spots(text: str, needle: str, number: bool) -> list[int]:
    """Where ``needle`` occurs in ``text`` on its own, case-insensitively (overlapping occurrences too)."""
    pattern = re.compile("(?=" + re.escape(needle) + ")", re.IGNORECASE)
    return [m.start() for m in pattern.finditer(text) if _bounded(text, m.start(), m.start() + len(needle), number)]


def cut_span(text: str, start: int, end: int) -> str:
    """``text`` without ``text[start:end]``, tidied around the cut (module contract)."""
    left, right = text[:start], text[end:]
    if left and right and _PAIRS.get(left[-1]) == right[0]:
        left, right = left[:-1], right[1:]
    left, right = left.rstrip(" \t"), right.lstrip(" \t")
    if left.endswith((",", ";")) and (not right or right[0] in _NO_SPACE_BEFORE):
        left = left[:-1].rstrip(" \t")
    if (not left or left[-1] == "\n") and right[:1] in (",", ";"):
        right = right[1:].lstrip(" \t")
    joined = not left or not right or left[-1] in "\n([" or right[0] in _NO_SPACE_BEFORE + "\n"
    return left + ("" if joined else " ") + right


def _parts(content: Any) -> list[str] | None:
    """The texts of a message's content (one for a string, one per part), or None when it holds no text."""
    if isinstance(content, str):
        return [content]
    if isinstance(content, list):
        texts = [p if isinstance(p, str) else p.get("text") if isinstance(p, Mapping) else None for p in content]
        return [t if isinstance(t, str) else "" for t in texts]
    return None


def _replaced(content: Any, k: int, text: str) -> Any:
    """``content`` with its ``k``-th text (see :func:`_parts`) replaced by ``text``."""
    if isinstance(content, str):
        return text
    parts = list(content)
    parts[k] = text if isinstance(parts[k], str) else {**parts[k], "text": text}
    return parts


def _elsewhere(prompt: Sequence[Any]) -> str:
    """The text of every message but the system messages and the last one (what the user or the tools said)."""
    texts = []
    for msg in prompt[:-1]:
        if isinstance(msg, Mapping) and msg.get("role") not in _SYSTEM_ROLES:
            texts.append(message_text(msg.get("content")))
            if msg.get("tool_calls"):
                texts.append(canonical(msg["tool_calls"]))
    return "\n".join(texts)


def _candidates(call: CompiledCall, tool: Tool, texts: list[str], elsewhere: str) -> list[tuple[str, str, int, str]]:
    """``(parameter, text cut, part, new part text)`` for each parameter that can be held out (module contract)."""
    needles = {name: _needle(value) for name, value in call.arguments.items()}
    out = []
    for name in sorted(tool.required):
        found = needles.get(name)
        if name in tool.defaults or found is None:
            continue
        needle, number = found
        if any(other == found for key, other in needles.items() if key != name):
            continue
        spots = [(k, s) for k, text in enumerate(texts) for s in _spots(text, needle, number)]
        if len(spots) != 1 or _spots(elsewhere, needle, number):
            continue
        k, s = spots[0]
        if texts[k][s : s + len(needle)] != needle:
            continue
        new = cut_span(texts[k], s, s + len(needle))
        if not _WORD.search(new) or _spots(new, needle, number):
            continue
        out.append((name, needle, k, new))
    return out


def _clarify(row: Mapping[str, Any], loaded: LoadedRow, rng: random.Random) -> Any:
    """(the clarify row, its ``derived`` details), or the reason code why there is none."""
    calls = loaded.truth.calls
    if len(calls) != 1:
        return "several_calls"
    tool = loaded.toolset.get(calls[0].name) if loaded.toolset is not None else None
    if tool is None:
        return "unknown_tool"
    key = "prompt" if row.get("prompt") is not None else "messages"
    prompt = row.get(key)
    last = prompt[-1] if isinstance(prompt, list) and prompt else None
    texts = _parts(last.get("content")) if isinstance(last, Mapping) and last.get("role") == "user" else None
    if texts is None or not isinstance(last, Mapping) or not isinstance(prompt, list):
        return "prompt_shape"
    candidates = _candidates(calls[0], tool, texts, _elsewhere(prompt))
    if not candidates:
        return "no_verbatim_value"
    name, needle, k, new = rng.choice(candidates)
    messages = copy.deepcopy(prompt)
    messages[-1] = {**messages[-1], "content": _replaced(messages[-1]["content"], k, new)}
    out = with_truth(row, {"behavior": "clarify", "missing": [name]})
    out[key] = messages
    return out, {"parameter": name, "tool": tool.name, "cut": needle}


# --- refuse: the expected tools removed ----------------------------------------------------------------------


def _drop_lines(body: str, removed: set[str]) -> str | None:
    """A ``<tools>`` block's body without the removed tools' lines (None: not one JSON object per line)."""
    kept = []
    for line in body.split("\n"):
        if line.strip():
            try:
                spec = orjson.loads(line)
            except orjson.JSONDecodeError:
                return None
            if not isinstance(spec, dict):
                return None
            if tool_name(spec) in removed:
                continue
        kept.append(line)
    return "\n".join(kept)


def _drop_from_text(text: str, removed: set[str]) -> str | None:
    """``text`` with the removed tools' lines dropped from each ``<tools>`` block (None: a block it cannot edit)."""
    out = []
    pos = 0
    while (start := text.find("<tools>", pos)) >= 0:
        start += len("<tools>")
        end = text.find("</tools>", start)
        if end < 0:
            return None
        body = _drop_lines(text[start:end], removed)
        if body is None:
            return None
        out += [text[pos:start], body]
        pos = end
    return "".join([*out, text[pos:]])


def _drop_from_prompt(prompt: Any, removed: set[str]) -> Any:
    """The prompt with the removed tools' lines dropped from the messages a chat template renders tools into
    (the system messages and the first user message; or the one rendered string); None: it cannot be edited."""
    if isinstance(prompt, str):
        return _drop_from_text(prompt, removed)
    out = copy.deepcopy(prompt)
    seen_user = False
    for msg in out:
        role = msg.get("role") if isinstance(msg, dict) else None
        if role == "user":
            if seen_user:
                continue
            seen_user = True
        elif role not in _SYSTEM_ROLES:
            continue
        texts = _parts(msg.get("content")) or []
        for k, text in enumerate(texts):
            new = _drop_from_text(text, removed)
            if new is None:
                return None
            if new != text:
                msg["content"] = _replaced(msg["content"], k, new)
    return out


def _names_tool(prompt: Any, removed: set[str]) -> bool:
    """Whether the prompt's system text (the whole text of a rendered string) names a removed tool."""
    if isinstance(prompt, str):
        texts = [prompt]
    else:
        texts = [
            message_text(m.get("content")) for m in prompt if isinstance(m, Mapping) and m.get("role") in _SYSTEM_ROLES
        ]
    patterns = [re.compile(r"(?<!\w)" + re.escape(name) + r"(?!\w)") for name in sorted(removed)]
    return any(p.search(text) for p in patterns for text in texts)


def _calls_tool(prompt: Any, removed: set[str]) -> bool:
    """Whether an earlier message of the prompt calls (or holds the result of) a removed tool."""
    if not isinstance(prompt, list):
        return False
    for msg in prompt:
        if not isinstance(msg, Mapping):
            continue
        if msg.get("role") == "tool" and msg.get("name") in removed:
            return True
        for call in msg.get("tool_calls") or ():
            fn = call.get("function") if isinstance(call, Mapping) else None
            if isinstance(fn, Mapping) and fn.get("name") in removed:
                return True
    return False


def _prompt_without(prompt: Any, removed: set[str]) -> Any:
    """The prompt offering no removed tool, or None when it cannot be made so (module contract)."""
    try:
        declared = tools_from_prompt(prompt) or []
    except ToolSpecError:
        return None
    names = [tool_name(s) for s in declared]
    new = prompt
    if removed & set(names):
        new = _drop_from_prompt(prompt, removed)
        if new is None:
            return None
        try:
            after = [tool_name(s) for s in tools_from_prompt(new) or []]
        except ToolSpecError:
            return None
        if after != [n for n in names if n not in removed]:
            return None
    return None if _names_tool(new, removed) else new


def _tools_without(value: Any, removed: set[str]) -> Any:
    """A row's tool list (a list, one spec, or their JSON text) without the removed tools, in the same form."""
    specs = value
    if isinstance(value, (str, bytes)):
        try:
            specs = loads_trusted(value)
        except InvalidJSON:
            return value  # (not read by scoring when another list comes first; left as it is)
    single = isinstance(specs, Mapping)
    items = [specs] if single else list(specs) if isinstance(specs, (list, tuple)) else None
    if items is None:
        return value
    kept = [s for s in items if tool_name(s) not in removed]
    if isinstance(value, (str, bytes)):
        return orjson.dumps(kept).decode()
    return kept[0] if single and kept else kept


def _refuse(row: Mapping[str, Any], loaded: LoadedRow) -> Any:
    """(the refuse row, its ``derived`` details), or the reason code why there is none."""
    offered = set(loaded.toolset.tools) if loaded.toolset is not None else set()
    removed = set(loaded.truth.names)
    if not removed <= offered:
        return "unknown_tool"
    if not offered - removed:
        return "no_other_tool"
    key = "prompt" if row.get("prompt") is not None else "messages"
    prompt = prompt_of(row)
    if _calls_tool(prompt, removed):
        return "prompt_calls_tool"
    new_prompt = _prompt_without(prompt, removed) if prompt is not None else None
    if prompt is not None and new_prompt is None:
        return "tools_in_prompt"
    out = with_truth(row, {"behavior": "refuse"})
    if prompt is not None:
        out[key] = new_prompt
    if row.get("tools") is not None:
        out["tools"] = _tools_without(row["tools"], removed)
    extra = row.get("extra_info")
    if isinstance(extra, Mapping) and extra.get("tools") is not None:
        out["extra_info"] = {**extra, "tools": _tools_without(extra["tools"], removed)}
    return out, {"removed_tools": sorted(removed)}
