"""Why one completion got its reward: the parse, the behaviour, each call against its expected call argument by
argument, each component and the preset's formula (``rr.explain``, ``rlvr-rewards explain``).

Contract: :func:`explain` scores the completion exactly as :func:`rlvr_rewards.score` does (the same reward, the
same components, the same reason) and returns an :class:`Explanation`: plain JSON data (``to_dict``) and a text
rendering (``str(explanation)``). It never raises on model output; a bad truth or tool list raises as ``score``
does. For a trajectory truth the explanation is the score's per-turn details (each turn's reason, the state
diff, wasted calls) and each turn's calls against that turn's expected calls.

Argument rows (``calls``): for each expected call, the predicted call paired with it by the scorer's assignment
(or none: ``missing``), and per argument ``expected`` (the truth's value, or its matcher as written), ``got``,
``status`` (``ok``, ``wrong_value``, ``missing``, ``unexpected``, ``default_ok``), the tool schema's declared
``type`` when there is one, and ``why`` in words. Predicted calls paired with nothing are listed as ``extra``
(with ``unknown_tool`` when the tools do not declare the name).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rlvr_rewards.combine.presets import Preset
from rlvr_rewards.groundtruth.matchers import json_equal
from rlvr_rewards.groundtruth.toolspecs import ToolSet, compile_tools
from rlvr_rewards.groundtruth.truths import CompiledCall, CompiledTruth, resolve_item
from rlvr_rewards.limits import DEFAULT_LIMITS, Limits
from rlvr_rewards.parsing.types import ParsedCall, ParseResult
from rlvr_rewards.scoring.calls import best_assignment
from rlvr_rewards.scoring.result import Score

__all__ = ["Explanation", "explain"]


@dataclass(frozen=True)
class Explanation:
    """An explained score: ``score`` (the Score ``rr.score`` gives) and the explanation as JSON data."""

    score: Score
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"score": self.score.to_dict(), **self.data}

    def __str__(self) -> str:
        return render(self)


def _argument_rows(pred: ParsedCall | None, truth: CompiledCall, tool: Any) -> list[dict[str, Any]]:
    """One row per argument of the expected call and per unexpected argument of the predicted one."""
    rows: list[dict[str, Any]] = []
    got_args = (pred.arguments or {}) if pred is not None else {}
    declared = dict(getattr(tool, "parameters", {}) or {}).get("properties", {}) if tool is not None else {}
    for name, matcher in truth.matchers.items():
        expected = truth.arguments.get(name)
        row: dict[str, Any] = {"argument": name, "expected": expected}
        spec = declared.get(name) if isinstance(declared, dict) else None
        if isinstance(spec, dict) and "type" in spec:
            row["type"] = spec["type"]
        if name in got_args:
            value = got_args[name]
            row["got"] = value
            integers = getattr(tool, "integer_params", ())
            if matcher.match(value) and not (name in integers and isinstance(value, float)):
                row["status"], row["why"] = "ok", "matches"
            elif name in integers and isinstance(value, float) and matcher.match(value):
                row["status"], row["why"] = "wrong_value", "the tool declares an integer; a float was given"
            else:
                row["status"] = "wrong_value"
                row["why"] = f"does not match {matcher.description or 'the expected value'}"
        elif matcher.optional:
            row["status"], row["why"] = "ok", "optional and absent"
        elif (
            tool is not None
            and name not in tool.required
            and name in tool.defaults
            and matcher.match(tool.defaults[name])
        ):
            row["status"], row["why"] = "default_ok", "absent; the schema's default is the expected value"
        else:
            row["status"], row["why"] = "missing", "required by the truth and not given"
        rows.append(row)
    for name, value in got_args.items():
        if name in truth.matchers:
            continue
        row = {"argument": name, "got": value, "status": "unexpected"}
        if tool is not None and name in tool.defaults and json_equal(tool.defaults[name], value):
            row["status"], row["why"] = "ok", "not in the truth, but the schema's default value: harmless"
        elif tool is not None and name not in tool.properties:
            row["why"] = "the tool's schema does not declare it"
        else:
            row["why"] = "the truth does not expect it"
        rows.append(row)
    return rows


def _calls(parse: ParseResult, truth: CompiledTruth, tools: ToolSet | None) -> dict[str, Any]:
    """Each expected call with the predicted call paired with it (the scorer's assignment) and the extras."""
    match = best_assignment(list(parse.calls), truth, tools)
    by_truth = {j: (i, s) for i, j, s in match.pairs}
    paired = {i for i, _, _ in match.pairs}
    expected_rows = []
    for j, tc in enumerate(truth.calls):
        tool = tools.get(tc.name) if tools is not None else None
        i, s = by_truth.get(j, (None, 0.0))
        pred = parse.calls[i] if i is not None else None
        expected_rows.append(
            {
                "expected": {"name": tc.name, "arguments": dict(tc.arguments)},
                "got": None if pred is None else {"name": pred.name, "arguments": pred.arguments},
                "status": "missing" if pred is None else ("ok" if s == 1.0 else "partial"),
                "argument_score": s if pred is not None else 0.0,
                "arguments": _argument_rows(pred, tc, tool),
            }
        )
    extra = []
    for i, pc in enumerate(parse.calls):
        if i in paired:
            continue
        row: dict[str, Any] = {"name": pc.name, "arguments": pc.arguments}
        if tools is not None and tools.get(pc.name) is None:
            row["status"] = "unknown_tool"
        elif pc.name not in truth.names:
            row["status"] = "wrong_tool"
        else:
            row["status"] = "extra"
        extra.append(row)
    return {"expected": expected_rows, "extra": extra, "ordered": truth.ordered, "score": match.arguments}


def _formula(preset: Any, expected: str, done: str, components: dict[str, float]) -> dict[str, Any]:
    """The preset's formula for this (expected, done) pair, with the values it combined."""
    out: dict[str, Any] = {"preset": preset.name, "reward_range": list(preset.reward_range)}
    if expected == "trajectory":
        out["formula"] = "trajectory: docs/trajectories.md#scoring (combine/trajectory.py)"
        return out
    weights = dict(preset.weights.get(expected, {}))
    out["weights"] = weights
    out["multipliers"] = dict(preset.multipliers.get(expected, {}))
    out["gated"] = preset.gated
    accepted = expected in ("execute", "clarify", "refuse", "no_call") and _accepted(expected, done)
    if preset.gated and not accepted:
        out["formula"] = f"mismatch[{expected}][{done}] = {preset.mismatch.get(expected, {}).get(done, 0.0)}"
        return out
    terms = [f"{w:g} * {name} ({components.get(name, float('nan')):.3f})" for name, w in weights.items()]
    formula = "(" + " + ".join(terms) + ")" + (" / the weights that apply" if preset.normalize else "")
    for name, floor in out["multipliers"].items():
        formula += f" * ({floor:g} + {1 - floor:g} * {name} ({components.get(name, float('nan')):.3f}))"
    if preset.offset:
        formula += f" + {preset.offset:g}"
    out["formula"] = formula
    return out


def _accepted(expected: str, done: str) -> bool:
    from rlvr_rewards.vocabulary import is_accepted

    return is_accepted(expected, done)


def explain(
    completion: Any,
    ground_truth: Any,
    tools: Any = None,
    preset: str | Preset = "graded",
    *,
    limits: Limits = DEFAULT_LIMITS,
    format: str | None = None,
) -> Explanation:
    """Explain ``rr.score(completion, ground_truth, tools, preset)`` (see the module contract)."""
    import rlvr_rewards as rr
    from rlvr_rewards.plugins import get_registry

    registry = get_registry()
    the_preset = preset if isinstance(preset, Preset) else registry.preset(preset)
    score = rr.score(completion, ground_truth, tools, preset=preset, limits=limits, format=format)
    truth, row_tools = resolve_item(ground_truth, registry.matcher_table, read_tools=tools is None)
    toolset = compile_tools(tools if tools is not None else row_tools)
    data: dict[str, Any] = {
        "expected": score.expected,
        "behavior": score.behavior,
        "reason": score.reason,
        "reason_description": registry.reasons.get(score.reason, ""),
        "formula": _formula(the_preset, score.expected, score.behavior, dict(score.components)),
    }
    if truth.trajectory is not None:
        data["trajectory"] = dict(score.details or {})
        data["turn_rewards"] = list(score.turn_rewards)
        data["step_rewards"] = list(score.step_rewards)
        return Explanation(score, data)
    parse = rr.parse(completion, limits=limits, format=format, tools=tools if tools is not None else row_tools)
    data["parse"] = {
        "format": parse.format,
        "calls": len(parse.calls),
        "text": parse.text[:500],
        "reasoning_chars": len(parse.think),
        "violations": list(parse.violations),
    }
    if truth.behavior == "execute":
        data["calls"] = _calls(parse, truth, toolset)
    return Explanation(score, data)


def _fmt(value: Any) -> str:
    import json

    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def render(ex: Explanation) -> str:
    """A plain-text rendering of an explanation (what ``rlvr-rewards explain`` prints)."""
    d, s = ex.data, ex.score
    lines = [
        f"reward {s.reward:.3f} ({d['formula']['preset']})   reason: {s.reason} - {d['reason_description']}",
        f"expected: {s.expected}   did: {s.behavior}",
    ]
    if "parse" in d:
        p = d["parse"]
        lines.append(
            f"parse: format {p['format']}, {p['calls']} call(s), reasoning {p['reasoning_chars']} chars, "
            f"violations: {', '.join(p['violations']) or 'none'}"
        )
    for row in d.get("calls", {}).get("expected", []):
        got = row["got"]["name"] if row["got"] else "-"
        lines.append(f"call {row['expected']['name']}: {row['status']} (paired with {got})")
        for a in row["arguments"]:
            extra = f" [{a['type']}]" if "type" in a else ""
            lines.append(
                f"  {a['argument']}{extra}: {a['status']} - expected {_fmt(a.get('expected', '-'))}, "
                f"got {_fmt(a.get('got', '-'))}: {a.get('why', '')}"
            )
    for row in d.get("calls", {}).get("extra", []):
        lines.append(f"extra call {row['name']}: {row['status']} {_fmt(row['arguments'])}")
    if "trajectory" in d:
        t = d["trajectory"]
        lines.append(f"turns: {t.get('turns')} of {t.get('expected_turns')}; turn rewards {d['turn_rewards']}")
        for k, reason in enumerate(t.get("turn_reasons", [])):
            lines.append(f"  turn {k + 1}: {reason}")
        for diff in t.get("state_diff", []):
            lines.append(f"  state {diff['field']}: expected {_fmt(diff['expected'])}, got {_fmt(diff['got'])}")
    lines.append("components: " + ", ".join(f"{k} {v:.3f}" for k, v in s.components.items() if v == v))
    lines.append(f"formula: {d['formula'].get('formula', '')}")
    return "\n".join(lines)
