"""Agreement between the ``bfcl`` preset and the official BFCL AST checker (shared by the test and the
report script).

The official checker comes from the ``bfcl-eval`` package, installed with ``--no-deps`` (its dependency set
is huge: model SDKs, vllm, faiss); only ``ast_checker`` is imported, with its model-config registry (which
imports every model handler) replaced by a stub, and ``BFCL_PROJECT_ROOT`` pointed at a temporary
directory so nothing is written into site-packages.

For each case of the Python AST categories we generate the correct output and semantic mutations, render
each as raw model text in several formats, and compare ``rr.score(..., preset="bfcl").reward == 1`` with the
checker's ``valid`` on the same decoded calls.
"""

from __future__ import annotations

import atexit
import copy
import json
import keyword
import os
import shutil
import sys
import tempfile
import types
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

from .helpers import hermes

CATEGORIES = (
    "simple_python",
    "multiple",
    "parallel",
    "parallel_multiple",
    "live_simple",
    "live_multiple",
    "live_parallel",
    "live_parallel_multiple",
    "irrelevance",
    "live_irrelevance",
)
FORMATS = ("hermes", "openai", "json", "pythonic")


def load_checker() -> Any:
    """``ast_checker`` and ``Language`` from bfcl-eval, or raise ImportError."""
    if "BFCL_PROJECT_ROOT" not in os.environ:  # (once: this runs for every text checked; removed at exit)
        root = tempfile.mkdtemp(prefix="bfcl-root-")
        atexit.register(shutil.rmtree, root, True)
        os.environ["BFCL_PROJECT_ROOT"] = root
    if "bfcl_eval.constants.model_config" not in sys.modules:
        stub = types.ModuleType("bfcl_eval.constants.model_config")

        class _Config:
            underscore_to_dot = False

        class _Mapping(dict):  # type: ignore[type-arg]
            def __missing__(self, key: str) -> _Config:
                return _Config()

        stub.MODEL_CONFIG_MAPPING = _Mapping()  # type: ignore[attr-defined]
        sys.modules["bfcl_eval.constants.model_config"] = stub
    from bfcl_eval.constants.enums import Language
    from bfcl_eval.eval_checker.ast_eval.ast_checker import ast_checker

    return ast_checker, Language


def _read(path: Any) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_category(category: str) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
    data = resources.files("bfcl_eval") / "data"
    questions = _read(data / f"BFCL_v4_{category}.json")
    if "irrelevance" in category:
        return [(q, None) for q in questions]
    answers = {a["id"]: a for a in _read(data / "possible_answer" / f"BFCL_v4_{category}.json")}
    return [(q, answers[q["id"]]) for q in questions]


def _pick(options: list[Any]) -> tuple[bool, Any]:
    """(present, value): the first acceptable value, or absent when only "" is allowed."""
    for o in options:
        if o != "":
            return True, _value_of(o)
    return False, None


def _is_spec(o: Any) -> bool:
    return isinstance(o, dict) and bool(o) and all(isinstance(v, list) for v in o.values())


def _value_of(o: Any) -> Any:
    """An acceptable value as the model would write it: nested specs ``{key: [values]}`` (also inside a
    list) are resolved to their first acceptable value, one level deep as BFCL does."""
    if _is_spec(o):
        picked = {k: _pick(v) for k, v in o.items()}
        return {k: v for k, (present, v) in picked.items() if present}
    if isinstance(o, list) and o and all(_is_spec(x) for x in o):
        return [_value_of(x) for x in o]
    return o


def correct_output(answer: dict[str, Any]) -> list[dict[str, dict[str, Any]]]:
    out = []
    for call in answer["ground_truth"]:
        ((name, params),) = call.items()
        args = {}
        for p, options in params.items():
            present, value = _pick(options)
            if present:
                args[p] = value
        out.append({name: args})
    return out


def _functions(question: dict[str, Any]) -> list[dict[str, Any]]:
    return question["function"]  # type: ignore[no-any-return]


def _schema_type(question: dict[str, Any], name: str, param: str) -> str | None:
    for f in _functions(question):
        if f["name"] == name:
            return f.get("parameters", {}).get("properties", {}).get(param, {}).get("type")  # type: ignore[no-any-return]
    return None


def mutations(question: dict[str, Any], answer: dict[str, Any]) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    base = correct_output(answer)
    yield "correct", base
    first = base[0]
    ((name, args),) = first.items()
    yield "wrong_name", [{name + "_x": args}, *base[1:]]
    fn = next((f for f in _functions(question) if f["name"] == name), None)
    required = fn.get("parameters", {}).get("required", []) if fn else []
    if required and required[0] in args:
        yield "missing_required", [{name: {k: v for k, v in args.items() if k != required[0]}}, *base[1:]]
    yield "extra_argument", [{name: {**args, "zz_unexpected": 1}}, *base[1:]]
    for k, v in args.items():
        t = _schema_type(question, name, k)
        if isinstance(v, str):
            yield "wrong_value", [{name: {**args, k: v + " zq"}}, *base[1:]]
            yield "case_change", [{name: {**args, k: v.upper() if v.upper() != v else v.lower()}}, *base[1:]]
            yield "wrong_type", [{name: {**args, k: 12345}}, *base[1:]]
            break
        if isinstance(v, bool):
            yield "wrong_value", [{name: {**args, k: not v}}, *base[1:]]
            yield "wrong_type", [{name: {**args, k: int(v)}}, *base[1:]]
            break
        if isinstance(v, (int, float)):
            yield "wrong_value", [{name: {**args, k: v + 1}}, *base[1:]]
            yield "wrong_type", [{name: {**args, k: str(v)}}, *base[1:]]
            if t == "float" and isinstance(v, float) and v.is_integer():
                yield "int_for_float", [{name: {**args, k: int(v)}}, *base[1:]]
            break
    yield from _type_rule_mutations(question, answer, base)
    optional_present = [k for k, v in answer["ground_truth"][0][name].items() if "" in v and k in args]
    if optional_present:
        yield "drop_optional", [{name: {k: v for k, v in args.items() if k != optional_present[0]}}, *base[1:]]
    if len(base) > 1:
        yield "drop_parallel_call", base[:-1]
        yield "reordered_parallel", list(reversed(base))
    yield "added_call", [*base, copy.deepcopy(base[-1])]


def _type_rule_mutations(
    question: dict[str, Any], answer: dict[str, Any], base: list[dict[str, dict[str, Any]]]
) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """Outputs BFCL's type rules decide (docs/bfcl.md#bfcls-type-rules): a float list written with ints (items
    are checked without promotion), and ``""`` written out for an optional parameter (``[]`` for an array)."""
    ((name, args),) = base[0].items()
    for k, v in args.items():
        if isinstance(v, list) and v and all(type(x) is float and x.is_integer() for x in v):
            yield "int_items_for_floats", [{name: {**args, k: [int(x) for x in v]}}, *base[1:]]
            break
    optional = [k for k, v in answer["ground_truth"][0][name].items() if "" in v]
    for k in optional[:1]:
        yield "explicit_empty_optional", [{name: {**args, k: ""}}, *base[1:]]
        if _schema_type(question, name, k) in ("array", "tuple"):
            yield "empty_list_optional", [{name: {**args, k: []}}, *base[1:]]


def render(output: list[dict[str, dict[str, Any]]], fmt: str) -> Any:
    calls = [{"name": n, "arguments": a} for c in output for n, a in c.items()]
    if fmt == "hermes":
        return hermes(*calls)
    if fmt == "openai":
        return {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": f"call_{i}",
                    "type": "function",
                    "function": {"name": c["name"], "arguments": json.dumps(c["arguments"])},
                }
                for i, c in enumerate(calls)
            ],
        }
    if fmt == "json":
        return json.dumps(calls)
    if fmt == "pythonic":
        parts = []
        for c in calls:
            kwargs = ", ".join(f"{k}={v!r}" for k, v in c["arguments"].items())
            parts.append(f"{c['name']}({kwargs})")
        return "[" + ", ".join(parts) + "]"
    raise ValueError(fmt)


@dataclass
class Outcome:
    category: str
    kind: str
    fmt: str
    official: bool
    ours: bool
    case_id: str


def run(
    categories: tuple[str, ...] = CATEGORIES, formats: tuple[str, ...] = FORMATS, preset: str = "bfcl"
) -> list[Outcome]:
    """Outcomes of ``preset`` (a pass is the preset's maximum reward) against the official checker."""
    import rlvr_rewards as rr

    ast_checker, language = load_checker()
    outcomes: list[Outcome] = []
    for category in categories:
        completions, truths, tools, meta = [], [], [], []
        for question, answer in load_category(category):
            functions = _functions(question)
            if answer is None:  # irrelevance: any call fails, no call passes
                if not functions:
                    continue
                some = [{functions[0]["name"]: {}}]
                for kind, output, official in (("call", some, False), ("no_call", [], True)):
                    for fmt in formats:
                        text = render(output, fmt) if output else "I cannot help with that with these tools."
                        completions.append(text)
                        truths.append({"id": question["id"], "ground_truth": []})
                        tools.append(functions)
                        meta.append((kind, fmt, official, question["id"]))
                continue
            for kind, output in mutations(question, answer):
                verdict = ast_checker(functions, output, answer["ground_truth"], language.PYTHON, category, "stub")
                for fmt in formats:
                    if fmt == "pythonic" and any("." in n for c in output for n in c):
                        continue  # dotted names are calls to attributes in Python syntax; covered by the others
                    completions.append(render(output, fmt))
                    truths.append(answer)
                    tools.append(functions)
                    meta.append((kind, fmt, bool(verdict["valid"]), question["id"]))
        batch = rr.score_batch(completions, truths, tools=tools, preset=preset)
        top = rr.get_preset(preset).reward_range[1]
        for (kind, fmt, official, cid), reward in zip(meta, batch.rewards, strict=True):
            outcomes.append(Outcome(category, kind, fmt, official, bool(reward == top), cid))
    return outcomes


def summarise(outcomes: list[Outcome] | list[TextOutcome], by: str = "kind") -> dict[str, Any]:
    """Agreement overall, by category, and by the outcomes' attribute ``by`` (``kind``, or ``rendering`` for the
    text agreement): ``{"n", "agree", "rate", "by_category", "by_<by>"}``."""
    by_cat: dict[str, Counter[str]] = defaultdict(Counter)
    by_other: dict[str, Counter[str]] = defaultdict(Counter)
    for o in outcomes:
        for table, key in ((by_cat, o.category), (by_other, getattr(o, by))):
            table[key]["n"] += 1
            table[key]["agree"] += o.official == o.ours
    total = len(outcomes)
    agree = sum(o.official == o.ours for o in outcomes)
    return {
        "n": total,
        "agree": agree,
        "rate": agree / total if total else 0.0,
        "by_category": {k: dict(v) for k, v in by_cat.items()},
        f"by_{by}": {k: dict(v) for k, v in by_other.items()},
    }


# -- agreement on text: BFCL's own decoders read what the model wrote ---------------------------------------------

#: How the outputs are written for the text agreement, and which of BFCL's decoders reads each: pythonic text
#: (``default_decode_ast_prompting``) as Python literals with single quotes (``repr``), with double quotes, as an
#: unbracketed call list, and with identifier strings written as bare names; Hermes blocks as Qwen's chat template
#: writes them (BFCL's ``QwenFCHandler.decode_ast``); OpenAI ``tool_calls`` (``OpenAICompletionsHandler``).
TEXT_RENDERINGS = (
    "pythonic_repr",
    "pythonic_double",
    "pythonic_unbracketed",
    "pythonic_bare_names",
    "hermes",
    "openai",
)
#: The BFCL function that decodes each rendering (docs/bfcl.md's table).
TEXT_DECODERS = {
    **{r: "`default_decode_ast_prompting`" for r in TEXT_RENDERINGS if r.startswith("pythonic")},
    "hermes": "`QwenFCHandler.decode_ast`",
    "openai": "`OpenAICompletionsHandler.decode_ast`",
}


def load_decoders() -> dict[str, Any]:
    """BFCL's decoders by rendering, or raise ImportError. Their modules import model clients the decoders never
    use (``openai``, ``tree_sitter`` for Java and JavaScript): those absent are stubbed."""
    load_checker()
    for name in ("openai",):
        if name not in sys.modules:
            try:
                __import__(name)
            except ImportError:
                stub = types.ModuleType(name)
                stub.OpenAI = object  # type: ignore[attr-defined]
                stub.RateLimitError = Exception  # type: ignore[attr-defined]
                sys.modules[name] = stub
    from bfcl_eval.constants.enums import ReturnFormat
    from bfcl_eval.model_handler.api_inference.openai_completion import OpenAICompletionsHandler
    from bfcl_eval.model_handler.local_inference.qwen_fc import QwenFCHandler
    from bfcl_eval.model_handler.utils import default_decode_ast_prompting

    qwen = types.SimpleNamespace(_extract_tool_calls=QwenFCHandler._extract_tool_calls)
    fc = types.SimpleNamespace(is_fc_model=True)

    def pythonic(text: Any) -> Any:
        return default_decode_ast_prompting(text, ReturnFormat.PYTHON, False)

    def hermes_decode(text: Any) -> Any:
        return QwenFCHandler.decode_ast(qwen, text, ReturnFormat.PYTHON, False)

    def openai_decode(message: Any) -> Any:
        raw = [{c["function"]["name"]: c["function"]["arguments"]} for c in message["tool_calls"]]
        return OpenAICompletionsHandler.decode_ast(fc, raw, ReturnFormat.PYTHON, False)

    decoders = {r: pythonic for r in TEXT_RENDERINGS if r.startswith("pythonic")}
    return {**decoders, "hermes": hermes_decode, "openai": openai_decode}


def _py_value(value: Any, rendering: str) -> str:
    if isinstance(value, str):
        if rendering == "pythonic_bare_names" and value.isidentifier() and not keyword.iskeyword(value):
            return value
        return json.dumps(value) if rendering == "pythonic_double" else repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_py_value(v, rendering) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{"
            + ", ".join(f"{_py_value(k, 'pythonic_repr')}: {_py_value(v, rendering)}" for k, v in value.items())
            + "}"
        )
    return repr(value)


def render_text(output: list[dict[str, dict[str, Any]]], rendering: str) -> Any:
    """``output`` (decoded calls) written as a model writes it in ``rendering``."""
    calls = [(n, a) for c in output for n, a in c.items()]
    if rendering == "hermes":  # Qwen 2.5 / 3 chat template: one block per call, JSON inside, on lines of their own
        return "\n".join(
            "<tool_call>\n" + json.dumps({"name": n, "arguments": a}, ensure_ascii=False) + "\n</tool_call>"
            for n, a in calls
        )
    if rendering == "openai":
        return {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": f"call_{i}", "type": "function", "function": {"name": n, "arguments": json.dumps(a)}}
                for i, (n, a) in enumerate(calls)
            ],
        }
    items = [f"{n}(" + ", ".join(f"{k}={_py_value(v, rendering)}" for k, v in a.items()) + ")" for n, a in calls]
    return ", ".join(items) if rendering == "pythonic_unbracketed" else "[" + ", ".join(items) + "]"


@dataclass
class TextOutcome:
    category: str
    kind: str
    rendering: str
    official: bool
    ours: bool
    case_id: str


def _official_on_text(
    decode: Any, text: Any, functions: list[dict[str, Any]], answer: dict[str, Any] | None, category: str
) -> bool:
    """BFCL's verdict on the text: decode it with ``decode``, then the irrelevance rule or ``ast_checker``."""
    ast_checker, language = load_checker()
    from bfcl_eval.model_handler.utils import is_function_calling_format_output

    try:
        decoded = decode(text)
    except Exception:  # BFCL: an output its decoder cannot read
        return answer is None
    if answer is None:
        return not is_function_calling_format_output(decoded)
    if not is_function_calling_format_output(decoded):
        return False
    return bool(ast_checker(functions, decoded, answer["ground_truth"], language.PYTHON, category, "stub")["valid"])


def run_text(
    categories: tuple[str, ...] = CATEGORIES, renderings: tuple[str, ...] = TEXT_RENDERINGS
) -> list[TextOutcome]:
    """BFCL's decoder and checker on each rendering of each output, against ``preset="bfcl"`` on the same text."""
    import rlvr_rewards as rr

    decoders = load_decoders()
    outcomes: list[TextOutcome] = []
    for category in categories:
        completions, truths, tools, meta = [], [], [], []
        for question, answer in load_category(category):
            functions = _functions(question)
            if answer is None:
                if not functions:
                    continue
                outputs: list[tuple[str, list[dict[str, Any]]]] = [("call", [{functions[0]["name"]: {}}])]
                truth: dict[str, Any] = {"id": question["id"], "ground_truth": []}
            else:
                outputs = list(mutations(question, answer))
                truth = answer
            for kind, output in outputs:
                dotted = any("." in n for c in output for n in c)
                for rendering in renderings:
                    if dotted and rendering.startswith("pythonic"):
                        continue  # dotted names are attribute calls in Python syntax; the other renderings cover them
                    text = render_text(output, rendering)
                    official = _official_on_text(decoders[rendering], text, functions, answer, category)
                    completions.append(text)
                    truths.append(truth)
                    tools.append(functions)
                    meta.append((kind, rendering, official, question["id"]))
        batch = rr.score_batch(completions, truths, tools=tools, preset="bfcl")
        for (kind, rendering, official, cid), reward in zip(meta, batch.rewards, strict=True):
            outcomes.append(TextOutcome(category, kind, rendering, official, bool(reward == 1.0), cid))
    return outcomes


def summarise_text(outcomes: list[TextOutcome]) -> dict[str, Any]:
    """:func:`summarise` of the text agreement: by category and by rendering."""
    return summarise(outcomes, by="rendering")
