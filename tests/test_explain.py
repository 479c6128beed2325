"""``rr.explain`` / ``rlvr-rewards explain`` (issue 20): the same score as ``rr.score``, each argument's verdict
with what was expected and got, the extras, the formula; trajectories explained turn by turn; JSON out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rlvr_rewards as rr
from rlvr_rewards.cli import main

EXAMPLE_ROWS = Path(rr.__file__).resolve().parent / "data" / "example_rows.jsonl"
EXAMPLE_COMPLETIONS = EXAMPLE_ROWS.with_name("example_completions.jsonl")

TRUTH = {
    "behavior": "execute",
    "calls": [{"name": "get_weather", "arguments": {"city": "Paris", "unit": {"$any": ["c", "celsius"]}, "days": 3}}],
}
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "parameters": {
                "type": "object",
                "properties": {
                    "city": {"type": "string"},
                    "unit": {"type": "string"},
                    "days": {"type": "integer"},
                    "lang": {"type": "string", "default": "en"},
                },
                "required": ["city"],
            },
        },
    }
]


def _call(**arguments: Any) -> str:
    return f'<tool_call>{{"name": "get_weather", "arguments": {json.dumps(arguments)}}}</tool_call>'


def _rows(ex: rr.Explanation) -> dict[str, dict[str, Any]]:
    (call,) = ex.data["calls"]["expected"]
    return {a["argument"]: a for a in call["arguments"]}


def test_the_explained_score_is_rr_score() -> None:
    completion = _call(city="Rome", days=3.0, extra=1)
    ex = rr.explain(completion, TRUTH, TOOLS)
    assert ex.score == rr.score(completion, TRUTH, TOOLS)
    json.dumps(ex.to_dict())  # JSON data


def test_each_argument_says_what_was_expected_and_got() -> None:
    rows = _rows(rr.explain(_call(city="Rome", days=3.0, extra=1, lang="en"), TRUTH, TOOLS))
    assert rows["city"] == {
        "argument": "city",
        "expected": "Paris",
        "got": "Rome",
        "type": "string",
        "status": "wrong_value",
        "why": "does not match the expected value",
    }
    assert rows["unit"]["status"] == "missing" and rows["unit"]["expected"] == {"$any": ["c", "celsius"]}
    assert rows["days"]["status"] == "wrong_value" and "integer" in rows["days"]["why"]
    assert rows["extra"]["status"] == "unexpected" and "does not declare" in rows["extra"]["why"]
    assert rows["lang"]["status"] == "ok"  # the schema's default, spelled out: harmless
    good = _rows(rr.explain(_call(city="Paris", unit="celsius", days=3), TRUTH, TOOLS))
    assert {a["status"] for a in good.values()} == {"ok"}


def test_extra_and_hallucinated_calls_are_listed() -> None:
    completion = _call(city="Paris", unit="c", days=3) + '<tool_call>{"name": "book_taxi", "arguments": {}}</tool_call>'
    ex = rr.explain(completion, TRUTH, TOOLS)
    assert ex.data["calls"]["extra"] == [{"name": "book_taxi", "arguments": {}, "status": "unknown_tool"}]
    assert ex.score.reason == "wrong_tool"
    assert "extra call book_taxi: unknown_tool" in str(ex)


def test_a_missing_call_and_a_mismatched_behaviour() -> None:
    ex = rr.explain("Which city do you mean?", TRUTH, TOOLS)
    assert ex.data["calls"]["expected"][0]["status"] == "missing"
    assert ex.data["formula"]["formula"].startswith("mismatch[execute][clarify]")
    assert ex.score.reason == "clarified_instead_of_execute"


def test_the_formula_names_the_weights_and_multipliers() -> None:
    text = rr.explain(_call(city="Paris", unit="c", days=3), TRUTH, TOOLS).data["formula"]["formula"]
    assert "0.4 * arguments (1.000)" in text and "(0.25 + 0.75 * tool_name (1.000))" in text


def test_a_trajectory_is_explained_turn_by_turn() -> None:
    truth = {
        "behavior": "trajectory",
        "turns": [
            {"calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]},
            {"behavior": "clarify", "missing": ["date"]},
        ],
    }
    completion = [
        {"role": "assistant", "tool_calls": [{"function": {"name": "get_weather", "arguments": {"city": "Rome"}}}]},
        {"role": "user", "content": "and a flight?"},
        {"role": "assistant", "content": "Which date?"},
    ]
    ex = rr.explain(completion, truth)
    assert ex.data["trajectory"]["turn_reasons"] == ["bad_arguments", "ok"]
    assert len(ex.data["turn_rewards"]) == 2
    assert "turn 1: bad_arguments" in str(ex)


@settings(max_examples=80, deadline=None)
@given(st.one_of(st.text(max_size=80), st.sampled_from(["<tool_call>{", "[f(", '{"name": 1}', ""])))
def test_model_output_never_raises(completion: str) -> None:
    ex = rr.explain(completion, TRUTH, TOOLS)
    assert ex.score == rr.score(completion, TRUTH, TOOLS)
    str(ex)


def test_the_command_line_prints_text_or_json(capsys: pytest.CaptureFixture[str], tmp_path: Any) -> None:
    truth_file = tmp_path / "truth.json"
    truth_file.write_text(json.dumps(TRUTH), encoding="utf-8")
    completion = _call(city="Rome")
    assert main(["explain", "--completion", completion, "--truth", f"@{truth_file}", "--tools", json.dumps(TOOLS)]) == 0
    assert "city [string]: wrong_value" in capsys.readouterr().out
    assert main(["explain", "--completion", completion, "--truth", json.dumps(TRUTH), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["score"]["reason"] == "bad_arguments" and printed["calls"]["expected"][0]["status"] == "partial"
    assert main(["explain", "--completion", "x", "--truth", "{bad"]) == 2
    assert "--truth: not valid JSON" in capsys.readouterr().err
    assert main(["explain", "--completion", "x", "--truth", "@/nonexistent/file.json"]) == 2


def test_the_printed_example_in_docs_cli_is_what_the_command_prints(capsys: pytest.CaptureFixture[str]) -> None:
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[1] / "docs" / "cli.md").read_text(encoding="utf-8")
    block = doc.split("$ rlvr-rewards explain", 1)[1].split("```", 1)[0]
    printed = block.split("\n", 2)[2].rstrip("\n")  # after the two command lines
    completion = '<tool_call>{"name": "get_weather", "arguments": {"city": "Rome"}}</tool_call>'
    truth = '{"behavior": "execute", "calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]}'
    assert main(["explain", "--completion", completion, "--truth", truth]) == 0
    assert capsys.readouterr().out.rstrip("\n") == printed


# --- Score.explain(): the explanation of a score from the inputs it keeps ----------------------------------------


def test_score_explain_is_rr_explain_of_its_inputs() -> None:
    import rlvr_rewards as rr

    rows = [json.loads(line) for line in EXAMPLE_ROWS.read_text(encoding="utf-8").splitlines()]
    by_id = {r["id"]: r for r in rows}
    completions = [json.loads(line) for line in EXAMPLE_COMPLETIONS.read_text(encoding="utf-8").splitlines()]
    for preset in ("graded", "binary", "toolrl"):
        batch = rr.score_batch(
            [c["completion"] for c in completions], [by_id[c["id"]] for c in completions], preset=preset
        )
        for i in range(0, len(completions), 7):
            c = completions[i]
            explained = batch[i].explain()
            direct = rr.explain(c["completion"], by_id[c["id"]], preset=preset)
            assert explained.to_dict() == direct.to_dict()
            assert explained.score.reward == batch[i].reward and explained.score.reason == batch[i].reason
            single = rr.score(c["completion"], by_id[c["id"]], preset=preset)
            assert single.explain().to_dict() == direct.to_dict()
            assert str(single.explain()) == str(direct)


def test_score_explain_with_tools_format_and_progress_spans() -> None:
    import rlvr_rewards as rr

    row = json.loads(EXAMPLE_ROWS.read_text(encoding="utf-8").splitlines()[0])
    tools = row["extra_info"]["tools"]
    truth = row["reward_model"]["ground_truth"]
    text = '<tool_call>{"name": "get_weather", "arguments": {"city": "Pariss"}}</tool_call>'
    batch = rr.score_batch([text, text], [truth, truth], tools=tools, format="hermes", progress=lambda k: None)
    assert batch[1].explain().to_dict() == rr.explain(text, truth, tools, format="hermes").to_dict()
    assert batch[-1].explain().score.reward == batch[1].reward


def test_a_score_built_by_hand_cannot_be_explained_and_says_what_to_use() -> None:
    import rlvr_rewards as rr

    score = rr.Score(reward=1.0, components={}, reason="ok", behavior="execute", expected="execute")
    with pytest.raises(rr.ConfigError, match=r"rr\.explain\(completion, ground_truth, tools, preset\)"):
        score.explain()
    kept = rr.score("Which city?", {"behavior": "clarify", "missing": ["city"]})
    assert kept == rr.Score(**{**{f: getattr(kept, f) for f in ("reward", "components", "reason", "behavior",
        "expected", "violations", "turn_rewards", "step_rewards", "details")}})  # fmt: skip
    assert "inputs" not in kept.to_dict() and "Which city" not in repr(kept)


def test_the_terminal_rendering_holds_the_plain_texts_facts_and_no_markup_from_the_model() -> None:
    import io

    from rlvr_rewards.report.terminal import print_explanation

    completion = _call(city="[bold red]Lyon", days=2.0) + '<tool_call>{"name": "nope", "arguments": {}}</tool_call>'
    ex = rr.explain(completion, TRUTH, TOOLS)
    out = io.StringIO()
    print_explanation(ex, file=out, width=200)
    drawn = out.getvalue()
    assert "\x1b[" not in drawn  # not a terminal: no colour codes
    assert '"[bold red]Lyon"' in drawn  # the model's text as written, not as markup
    assert f"reward {ex.score.reward:.3f}" in drawn and ex.score.reason in drawn
    for row in ex.data["calls"]["expected"]:
        for a in row["arguments"]:
            assert a["argument"] in drawn and a["status"] in drawn and a["why"] in drawn
    assert "extra call nope: unknown_tool" in drawn
    for name, value in ex.score.components.items():
        if value == value:
            assert name in drawn and f"{value:.3f}" in drawn
    assert ex.data["formula"]["formula"] in drawn.replace("\n", "")
