"""BFCL multi-turn entries (base, miss_func, miss_param, long_context) to rows with trajectory truths.

Contract: :func:`multiturn_row` (a pure function) takes a BFCL multi-turn question entry (``id``, ``question``:
one list of messages per turn, ``initial_config``, ``involved_classes``, optional ``excluded_function`` and
``missed_function``), its possible answer (``id``, ``ground_truth``: one list of call strings per turn, such as
``"cd(folder='document')"`` or ``"sort('final_report.pdf')"``) and the function docs by class (BFCL's
``data/multi_turn_func_doc/*.json``, read by :func:`load_func_docs`), and returns the row::

    {"id": ..., "data_source": "bfcl_multi_turn",
     "prompt": <the first turn's messages>,
     "reward_model": {"style": "rule", "ground_truth": <JSON text of the trajectory truth>},
     "extra_info": {"tools": <the function docs offered at the start>,
                    "turns": [<the messages of turn 1>, <of turn 2>, ...],      # to inject after each turn
                    "added_tools": {"<turn index>": [<function docs added at that turn>]}}}

- ``tools``: the docs of the involved classes, in their order, without the ``excluded_function`` names and
  without the functions held out until a later turn (``missed_function``, miss_func entries);
- a held-out turn's question is empty in BFCL's data: it gets BFCL's message
  :data:`ADDITIONAL_FUNCTION_PROMPT` (``DEFAULT_USER_PROMPT_FOR_ADDITIONAL_FUNCTION_FC``, as BFCL's inference loop
  in ``model_handler/base_handler.py`` sends it), and the docs it adds are listed under ``added_tools`` by the
  turn's index (0 is the prompt's turn; turn ``k`` is ``turns[k - 1]``);
- the truth: ``{"behavior": "trajectory", "turns": [...], "environment": {"name": "bfcl", "config":
  {"involved_classes", "initial_config", "long_context"}}}`` with one turn per BFCL turn: its calls in order
  (``"ordered": true``), or ``{"behavior": "no_call"}`` for a turn whose ground truth is empty. ``long_context``
  is BFCL's rule: the id's category (the id without its last ``_n``) names ``long_context`` or ``composite``;
- a call string is read with ``ast.parse`` (at most :data:`MAX_CALL_CHARS` characters; this is the benchmark's
  own data, never model output) as one call of a bare name with literal arguments only (each read by
  ``ast.literal_eval`` of its node: nothing is evaluated); positional arguments take the parameter names in the
  order of the backend method's signature when ``signatures`` gives it (BFCL runs the string as Python, so the
  signature decides; :func:`rlvr_rewards.environments.bfcl.signatures` reads them), else in the order the
  function doc lists them (the same order for every method but TravelAPI's ``purchase_insurance``); tuples
  become lists, an object argument with ``$``-keys is wrapped in ``$literal``.

Input that cannot be read raises :class:`~rlvr_rewards.errors.GroundTruthError` whose ``field`` names the entry's
field: ``ground_truth[...]`` for the possible answer, any other name for the question entry
(:func:`located_error` turns it into a ConfigError naming the file and line).
"""

from __future__ import annotations

import ast
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson

from rlvr_rewards.errors import ConfigError, GroundTruthError
from rlvr_rewards.util.jsonsafe import InvalidJSON, loads_trusted

__all__ = [
    "ADDITIONAL_FUNCTION_PROMPT",
    "FUNC_DOC_FILES",
    "MAX_CALL_CHARS",
    "is_multi_turn",
    "load_func_docs",
    "located_error",
    "multiturn_row",
    "parse_call",
]

#: Longest ground-truth call string read (characters); BFCL's longest is under 7,000.
MAX_CALL_CHARS = 100_000

#: The user message BFCL sends at a turn that adds held-out functions (constants/default_prompts.py,
#: DEFAULT_USER_PROMPT_FOR_ADDITIONAL_FUNCTION_FC).
ADDITIONAL_FUNCTION_PROMPT = "I have updated some more functions you can choose from. What about now?"

#: Each backend class's function-doc file in BFCL's data/multi_turn_func_doc/ (constants/executable_backend_config.py,
#: MULTI_TURN_FUNC_DOC_FILE_MAPPING).
FUNC_DOC_FILES: Mapping[str, str] = {
    "GorillaFileSystem": "gorilla_file_system.json",
    "MathAPI": "math_api.json",
    "MessageAPI": "message_api.json",
    "TwitterAPI": "posting_api.json",
    "TicketAPI": "ticket_api.json",
    "TradingBot": "trading_bot.json",
    "TravelAPI": "travel_booking.json",
    "VehicleControlAPI": "vehicle_control.json",
    "WebSearchAPI": "web_search.json",
    "MemoryAPI_kv": "memory_kv.json",
    "MemoryAPI_vector": "memory_vector.json",
    "MemoryAPI_rec_sum": "memory_rec_sum.json",
}

DATA_SOURCE = "bfcl_multi_turn"


def is_multi_turn(question: Mapping[str, Any]) -> bool:
    """A BFCL multi-turn question entry (it names backend classes instead of listing functions)."""
    return "involved_classes" in question


def located_error(exc: GroundTruthError, question_where: str, answer_where: str) -> ConfigError:
    """``exc`` from :func:`multiturn_row` as a ConfigError located in the file it came from."""
    source = answer_where if (exc.field or "").startswith("ground_truth") else question_where
    return ConfigError(f"{source}: {exc}")


def load_func_docs(directory: Path, classes: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """The function docs of ``classes`` from BFCL's doc directory (JSON Lines, one doc a line); a ConfigError
    names the file and line that cannot be read."""
    out: dict[str, list[dict[str, Any]]] = {}
    for cls in classes:
        file_name = FUNC_DOC_FILES.get(cls)
        if file_name is None:
            raise ConfigError(f"unknown BFCL class {cls!r} in 'involved_classes'; known: {sorted(FUNC_DOC_FILES)}")
        path = directory / file_name
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise ConfigError(
                f"--func-docs {directory}: cannot read {file_name} ({exc.strerror}); expected BFCL's "
                "data/multi_turn_func_doc directory"
            ) from None
        docs = []
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                doc = loads_trusted(line)
            except InvalidJSON as exc:
                raise ConfigError(f"{path} line {n}: not JSON ({exc.where})") from None
            if not isinstance(doc, dict) or not isinstance(doc.get("name"), str):
                raise ConfigError(f"{path} line {n}: expected a function doc object with a 'name'")
            docs.append(doc)
        out[cls] = docs
    return out


def _json_value(value: Any, field: str) -> Any:
    """A literal read from a call string as JSON data (tuples as lists); anything else raises."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise GroundTruthError("a non-finite number has no JSON form", field=field, got=value)
        return value
    if isinstance(value, (list, tuple)):
        return [_json_value(v, f"{field}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise GroundTruthError("an object argument needs text keys", field=field, got=value)
        out = {k: _json_value(v, f"{field}.{k}") for k, v in value.items()}
        return {"$literal": out} if any(k.startswith("$") for k in out) else out
    raise GroundTruthError(
        f"a {type(value).__name__} literal has no JSON form",
        field=field,
        expected="strings, numbers, booleans, None, lists, tuples and dicts",
        got=value,
    )


def _literal(node: ast.expr, field: str) -> Any:
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
        raise GroundTruthError(
            "an argument is not a literal", field=field, expected="a Python literal", got=ast.unparse(node)
        ) from None
    return _json_value(value, field)


def _call_node(text: Any, field: str) -> ast.Call:
    if not isinstance(text, str):
        raise GroundTruthError("a call is not text", field=field, expected="a call string like \"f(a='x')\"", got=text)
    if len(text) > MAX_CALL_CHARS:
        raise GroundTruthError("the call string is too long", field=field, expected=f"<= {MAX_CALL_CHARS} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise GroundTruthError("the call string is not Python", field=field, got=text) from None
    node = tree.body
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
        raise GroundTruthError("not one call of a function name", field=field, expected="f(a='x')", got=text)
    if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
        raise GroundTruthError("*args and **kwargs are not literal arguments", field=field, got=text)
    return node


def parse_call(text: Any, parameters: Mapping[str, Sequence[str]], field: str) -> dict[str, Any]:
    """``"f('x', b=2)"`` -> ``{"name": "f", "arguments": {"a": "x", "b": 2}}``; ``parameters`` gives each known
    function's parameter names in order (positional arguments take them in turn)."""
    node = _call_node(text, field)
    name = node.func.id  # type: ignore[attr-defined]  # (checked by _call_node)
    names = parameters.get(name)
    if names is None:
        raise GroundTruthError(
            f"the call names {name!r}, which no involved class's function doc defines",
            field=field,
            expected="a function of the entry's involved_classes",
            got=text,
        )
    if len(node.args) > len(names):
        raise GroundTruthError(
            f"{len(node.args)} positional arguments for {name!r}, which has {len(names)} parameters",
            field=field,
            got=text,
        )
    arguments: dict[str, Any] = {}
    for i, arg in enumerate(node.args):
        arguments[names[i]] = _literal(arg, f"{field}.{names[i]}")
    for kw in node.keywords:
        assert kw.arg is not None  # (checked by _call_node)
        if kw.arg in arguments:
            raise GroundTruthError(f"argument {kw.arg!r} is given twice", field=field, got=text)
        arguments[kw.arg] = _literal(kw.value, f"{field}.{kw.arg}")
    return {"name": name, "arguments": arguments}


def _names(value: Any, field: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise GroundTruthError("expected a list of names", field=field, got=value)
    return list(value)


def _question_turns(question: Mapping[str, Any]) -> list[list[dict[str, Any]]]:
    turns = question.get("question")
    if not isinstance(turns, list) or not turns:
        raise GroundTruthError("no turns", field="question", expected="a non-empty list of turns", got=turns)
    out = []
    for t, turn in enumerate(turns):
        if not isinstance(turn, list) or not all(isinstance(m, dict) and "role" in m for m in turn):
            raise GroundTruthError(
                "a turn is not a list of messages", field=f"question[{t}]", expected="[{'role': ..., ...}]", got=turn
            )
        out.append([dict(m) for m in turn])
    return out


def _held_out(question: Mapping[str, Any], n_turns: int) -> dict[int, list[str]]:
    """``missed_function`` as {turn index: names}; each held-out turn is in range."""
    missed = question.get("missed_function", {})
    if not isinstance(missed, dict):
        raise GroundTruthError("expected an object", field="missed_function", got=missed)
    out: dict[int, list[str]] = {}
    for key, names in missed.items():
        field = f"missed_function.{key}"
        if not (isinstance(key, str) and key.isdigit() and int(key) < n_turns):
            raise GroundTruthError("not a turn index", field=field, expected=f"'0' to '{n_turns - 1}'", got=key)
        out[int(key)] = _names(names, field)
    return out


def _docs(
    classes: list[str],
    func_docs: Mapping[str, Sequence[Mapping[str, Any]]],
    signatures: Mapping[str, Sequence[str]] | None,
) -> tuple[list[dict[str, Any]], dict[str, Sequence[str]]]:
    """The docs of ``classes`` in order, and each function's parameter names in positional order (the signature's
    when given, else the doc's; a later class's doc wins)."""
    docs: list[dict[str, Any]] = []
    params: dict[str, Sequence[str]] = {}
    for cls in classes:
        if cls not in func_docs:
            raise GroundTruthError(
                f"no function docs for class {cls!r}",
                field="involved_classes",
                expected=f"one of {sorted(func_docs)}",
                got=cls,
            )
        for doc in func_docs[cls]:
            docs.append(dict(doc))
            properties = (doc.get("parameters") or {}).get("properties") or {}
            name = str(doc.get("name"))
            params[name] = signatures[name] if signatures and name in signatures else [str(p) for p in properties]
    return docs, params


def _truth_turns(answer: Mapping[str, Any], params: Mapping[str, Sequence[str]], n_turns: int) -> list[dict[str, Any]]:
    ground_truth = answer.get("ground_truth")
    if not isinstance(ground_truth, list) or len(ground_truth) != n_turns:
        raise GroundTruthError(
            "the ground truth does not list one entry per turn of the question",
            field="ground_truth",
            expected=f"a list of {n_turns} lists of call strings",
            got=ground_truth,
        )
    turns: list[dict[str, Any]] = []
    for t, calls in enumerate(ground_truth):
        if not isinstance(calls, list):
            raise GroundTruthError("expected a list of call strings", field=f"ground_truth[{t}]", got=calls)
        parsed = [parse_call(c, params, f"ground_truth[{t}][{i}]") for i, c in enumerate(calls)]
        turns.append({"calls": parsed, "ordered": True} if parsed else {"behavior": "no_call"})
    return turns


def _long_context(entry_id: str) -> bool:
    category = entry_id.rsplit("_", 1)[0]
    return "long_context" in category or "composite" in category


def multiturn_row(
    question: Mapping[str, Any],
    answer: Mapping[str, Any],
    func_docs: Mapping[str, Sequence[Mapping[str, Any]]],
    signatures: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, Any]:
    """The row of one BFCL multi-turn entry (see the module contract); ``signatures``: each method's parameter
    names in signature order, by name (optional: the docs' order otherwise)."""
    entry_id = question.get("id")
    if not isinstance(entry_id, str) or not entry_id:
        raise GroundTruthError("no id", field="id", expected="the entry's id text", got=entry_id)
    turns = _question_turns(question)
    classes = _names(question.get("involved_classes"), "involved_classes")
    initial = question.get("initial_config", {})
    if not isinstance(initial, dict):
        raise GroundTruthError("expected an object", field="initial_config", got=initial)
    excluded = set(_names(question.get("excluded_function", []), "excluded_function"))
    held = _held_out(question, len(turns))
    docs, params = _docs(classes, func_docs, signatures)
    held_names = {n for names in held.values() for n in names}
    by_name = {d.get("name"): d for d in docs}
    for t, names in held.items():
        for n in names:
            if n not in by_name:
                raise GroundTruthError(
                    f"held-out function {n!r} has no doc in the involved classes", field=f"missed_function.{t}", got=n
                )
    added = {str(t): [by_name[n] for n in names] for t, names in sorted(held.items())}
    for t in held:
        if not turns[t]:
            turns[t] = [{"role": "user", "content": ADDITIONAL_FUNCTION_PROMPT}]
    truth = {
        "behavior": "trajectory",
        "turns": _truth_turns(answer, params, len(turns)),
        "environment": {
            "name": "bfcl",
            "config": {"involved_classes": classes, "initial_config": initial, "long_context": _long_context(entry_id)},
        },
    }
    tools = [d for d in docs if d.get("name") not in excluded and d.get("name") not in held_names]
    return {
        "id": entry_id,
        "data_source": DATA_SOURCE,
        "prompt": turns[0],
        "reward_model": {"style": "rule", "ground_truth": orjson.dumps(truth).decode()},
        "extra_info": {"tools": tools, "turns": turns[1:], "added_tools": added},
    }
