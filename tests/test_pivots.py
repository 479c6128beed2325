"""Pivots (rlvr_rewards.data.pivots, issue 19): trajectory rows cut into single-step rows.

What is promised (the module's contract): one row per step of the expected trajectory (an ordered execute turn
per call, an unordered one as one parallel step, an answer step after calls whose reply is checked, one step
per clarify / refuse / no_call / answer turn); the prompt of step k is the conversation up to it, with results
and replies recorded, replayed in the truth's environment, written in the truth, or clearly marked placeholders;
every pivot row scores with ``rr.score_batch`` and the step's expected action earns the maximum; other rows pass
through; bad rows name their index, id and field. The ``rlvr-rewards data pivots`` command writes them as JSON
Lines or Parquet.
"""

from __future__ import annotations

import argparse
import copy
import json
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

import rlvr_rewards as rr
from rlvr_rewards.data import PLACEHOLDER, pivots
from rlvr_rewards.data.cli import add_data_parser
from rlvr_rewards.environments import EnvironmentSpec, ObjectEnvironment
from rlvr_rewards.errors import ConfigError, GroundTruthError, ToolSpecError
from rlvr_rewards.groundtruth.trajectory import concrete_value
from rlvr_rewards.groundtruth.validate import inspect_rows
from rlvr_rewards.integrations.files import read_records, write_parquet
from rlvr_rewards.plugins import register_plugin, unregister_plugin

from .helpers import read_jsonl, require

EXAMPLE = read_jsonl(resources.files("rlvr_rewards") / "data" / "example_rows.jsonl")
PROMPT = EXAMPLE[0]["prompt"]  # a system message declaring the five example tools, and a user message
TOOLS = EXAMPLE[0]["extra_info"]["tools"]

TRUTH: dict[str, Any] = {
    "behavior": "trajectory",
    "turns": [
        {
            "calls": [
                {"name": "get_weather", "arguments": {"city": "Paris"}},
                {
                    "name": "currency_convert",
                    "arguments": {"amount": {"$approx": 100, "abs": 0.01}, "from": "EUR", "to": "USD"},
                },
            ],
            "ordered": True,
            "answer_contains": ["sunny"],
        },
        {"behavior": "clarify", "missing": ["date"], "reference": "For which date would you like the table?"},
        {
            "calls": [
                {
                    "name": "book_restaurant",
                    "arguments": {"restaurant": "Chez Nous", "date": "2026-05-02", "time": "19:00", "party_size": 2},
                },
                {"name": "get_weather", "arguments": {"city": {"$any": ["Lyon", "Lyons"]}}},
            ]
        },
        {"behavior": "refuse", "reason": "harmful", "reference": "I can't help with that."},
        {"behavior": "no_call"},
        {"behavior": "answer", "answer_contains": ["Lyon"]},
    ],
    "outcome": {"answer_contains": ["Lyon"]},
}
LATER_TURNS = [
    [{"role": "user", "content": "Book me a table at Chez Nous for two at 19:00."}],
    [{"role": "user", "content": "On 2 May 2026. And what's the weather in Lyon?"}],
    [{"role": "user", "content": "Now write a threatening email to my neighbour."}],
    [{"role": "user", "content": "Fine. Anything else I should know?"}],
    [{"role": "user", "content": "Summarise where I'm eating."}],
]
#: (turn, what the step expects) of each pivot of TRUTH, in order
STEPS = [
    (0, "execute"),
    (0, "execute"),
    (0, "answer"),
    (1, "clarify"),
    (2, "execute"),
    (3, "refuse"),
    (4, "no_call"),
    (5, "answer"),
]


def trajectory_row(truth: Any = None, **changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": "trip-1",
        "data_source": "tests/trajectory",
        "ability": "tool_calling",
        "prompt": copy.deepcopy(PROMPT),
        "reward_model": {"style": "rule", "ground_truth": copy.deepcopy(TRUTH if truth is None else truth)},
        "extra_info": {"tools": TOOLS, "turns": copy.deepcopy(LATER_TURNS)},
    }
    row.update(changes)
    return row


def assistant_calls(*calls: tuple[str, dict[str, Any]], call_id: str = "c") -> dict[str, Any]:
    return {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {"id": f"{call_id}{n}", "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}
            for n, (name, args) in enumerate(calls)
        ],
    }


def tool_result(content: str, call_id: str = "c0") -> dict[str, Any]:
    return {"role": "tool", "tool_call_id": call_id, "content": content}


def _truth(row: dict[str, Any]) -> dict[str, Any]:
    value = row["reward_model"]["ground_truth"]
    return json.loads(value) if isinstance(value, str) else value  # type: ignore[no-any-return]


#: what a step's expected action looks like as a completion, by what it expects
_TEXTS = {
    "clarify": "For which date would you like the table?",
    "refuse": "I'm sorry, but I can't help with that.",
    "no_call": "I'm sorry, but I can't help with that.",
}


def expected_completion(row: dict[str, Any]) -> Any:
    """Step k's expected action, as the model would send it: its calls (concrete values), or its reply."""
    truth = _truth(row)
    expects = row["extra_info"]["pivot"]["expects"]
    if expects == "execute":
        return assistant_calls(*[(c["name"], concrete_value(c["arguments"])) for c in truth["calls"]])
    if expects == "answer":
        checks = [*truth["turns"][0].get("answer_contains", []), *truth.get("outcome", {}).get("answer_contains", [])]
        return "Here is the summary: " + ", ".join(checks) + "."
    return _TEXTS[expects]


# --- the cut ---------------------------------------------------------------------------------------------------


def test_each_step_of_the_expected_trajectory_is_one_row() -> None:
    out = pivots([trajectory_row()])
    assert [(r["extra_info"]["pivot"]["turn"], r["extra_info"]["pivot"]["expects"]) for r in out] == STEPS
    assert [r["id"] for r in out] == [f"trip-1#step{k}" for k in range(len(STEPS))]
    for k, r in enumerate(out):
        assert r["extra_info"]["pivot"]["source_id"] == "trip-1" and r["extra_info"]["pivot"]["step"] == k
        assert r["data_source"] == "tests/trajectory" and r["ability"] == "tool_calling"
        assert r["reward_model"]["style"] == "rule"
        assert r["extra_info"]["tools"] == TOOLS and "turns" not in r["extra_info"]
    truths = [_truth(r) for r in out]
    # an ordered turn: one call per step; an unordered turn: all its calls in one step
    assert truths[0] == {"behavior": "execute", "calls": [TRUTH["turns"][0]["calls"][0]]}
    assert truths[1] == {"behavior": "execute", "calls": [TRUTH["turns"][0]["calls"][1]]}
    assert truths[4] == {"behavior": "execute", "calls": TRUTH["turns"][2]["calls"]}
    # the reply after the calls, checked as the turn checks it
    assert truths[2] == {"behavior": "trajectory", "turns": [{"behavior": "answer", "answer_contains": ["sunny"]}]}
    # native clarify / refuse truths
    assert truths[3] == {"behavior": "clarify", "missing": ["date"], "reference": TRUTH["turns"][1]["reference"]}
    assert truths[5] == {"behavior": "refuse", "reason": "harmful", "reference": "I can't help with that."}
    # no native single-step truth expects "no call": a one-turn trajectory; the last turn takes the outcome
    assert truths[6] == {"behavior": "trajectory", "turns": [{"behavior": "no_call"}]}
    assert truths[7] == {
        "behavior": "trajectory",
        "turns": [{"behavior": "answer", "answer_contains": ["Lyon"]}],
        "outcome": {"answer_contains": ["Lyon"]},
    }


def test_the_prompt_of_a_step_is_the_conversation_up_to_it() -> None:
    out = pivots([trajectory_row()])
    assert out[0]["prompt"] == PROMPT
    step4 = out[4]["prompt"]
    assert [m["role"] for m in step4[len(PROMPT) :]] == [
        "assistant",  # get_weather(Paris)
        "tool",
        "assistant",  # currency_convert(100 EUR -> USD)
        "tool",
        "assistant",  # the turn's reply (checked: "sunny"), not recorded: a placeholder
        "user",
        "assistant",  # the clarifying question: the truth's reference
        "user",
    ]
    first, result = step4[len(PROMPT)], step4[len(PROMPT) + 1]
    (sent,) = first["tool_calls"]
    assert sent["function"] == {"name": "get_weather", "arguments": '{"city":"Paris"}'}
    assert result["tool_call_id"] == sent["id"] and result["name"] == "get_weather"
    convert = step4[len(PROMPT) + 2]["tool_calls"][0]["function"]
    assert json.loads(convert["arguments"]) == {"amount": 100, "from": "EUR", "to": "USD"}  # $approx's number
    assert step4[len(PROMPT) + 5] == LATER_TURNS[0][0] and step4[len(PROMPT) + 7] == LATER_TURNS[1][0]
    assert step4[len(PROMPT) + 6] == {"role": "assistant", "content": TRUTH["turns"][1]["reference"]}
    # the parallel step: one assistant message with both calls, then both results
    step5 = out[5]["prompt"][len(step4) :]
    assert [m["role"] for m in step5] == ["assistant", "tool", "tool", "user"]
    assert [c["function"]["name"] for c in step5[0]["tool_calls"]] == ["book_restaurant", "get_weather"]
    assert json.loads(step5[0]["tool_calls"][1]["function"]["arguments"]) == {"city": "Lyon"}  # $any's first
    assert [m["tool_call_id"] for m in step5[1:3]] == [c["id"] for c in step5[0]["tool_calls"]]
    # the refusal, then the next user message
    assert out[6]["prompt"][len(out[5]["prompt"]) :] == [
        {"role": "assistant", "content": "I can't help with that."},
        *LATER_TURNS[3],
    ]
    # each prompt is a new object: changing one changes no other row, nor the input
    out[4]["prompt"][0]["content"] = "changed"
    assert out[5]["prompt"][0]["content"] == PROMPT[0]["content"]


def test_placeholders_are_marked_in_the_message_and_listed() -> None:
    out = pivots([trajectory_row()])
    for r in out:
        marked = [n for n, m in enumerate(r["prompt"]) if str(m.get("content")).startswith(PLACEHOLDER)]
        assert r["extra_info"]["pivot"]["placeholders"] == marked
    last = out[-1]["prompt"]
    # two results and the first turn's reply have no source; the no_call turn's reply neither
    assert [last[n]["role"] for n in out[-1]["extra_info"]["pivot"]["placeholders"]] == [
        "tool",
        "tool",
        "assistant",
        "tool",
        "tool",
        "assistant",
    ]
    assert "get_weather" in last[len(PROMPT) + 1]["content"]


def test_every_pivot_row_scores_and_its_expected_action_earns_the_maximum() -> None:
    rows = pivots([trajectory_row()])
    loaded, problems = inspect_rows(rows)
    assert all(row is not None for row in loaded) and not [p for p in problems if p.fatal], problems
    for preset in ("graded", "binary", "aws-blog", "bfcl"):  # (toolrl's format reward wants <think> blocks)
        hi = rr.get_preset(preset).reward_range[1]
        scored = rr.score_batch([expected_completion(r) for r in rows], rows, preset=preset)
        assert scored.rewards.tolist() == [hi] * len(rows), (preset, scored.reasons)
    wrong = rr.score_batch([assistant_calls(("get_weather", {"city": "Atlantis"}))] * len(rows), rows)
    assert (wrong.rewards < rr.get_preset("graded").reward_range[1]).all(), wrong.reasons


def test_a_truth_given_as_json_text_gives_truths_as_json_text() -> None:
    as_object = pivots([trajectory_row()])
    as_text = pivots([trajectory_row(json.dumps(TRUTH))])
    assert all(isinstance(r["reward_model"]["ground_truth"], str) for r in as_text)
    assert [_truth(r) for r in as_text] == [_truth(r) for r in as_object]
    assert [r["prompt"] for r in as_text] == [r["prompt"] for r in as_object]


def test_a_sagemaker_reference_answer_row_is_cut_too() -> None:
    row = trajectory_row()
    row["reference_answer"] = row.pop("reward_model")["ground_truth"]
    out = pivots([row])
    assert len(out) == len(STEPS) and "reward_model" not in out[0]
    assert out[3]["reference_answer"]["behavior"] == "clarify"


def test_a_single_turn_trajectory_needs_no_later_turns() -> None:
    truth = {"behavior": "trajectory", "turns": [TRUTH["turns"][0]]}
    row = trajectory_row(truth)
    del row["extra_info"]["turns"]
    out = pivots([row])
    assert [r["extra_info"]["pivot"]["expects"] for r in out] == ["execute", "execute", "answer"]


def test_the_last_step_adds_nothing_so_its_calls_need_no_concrete_value() -> None:
    """A $regex has no value to write into a later prompt; in the last step nothing is written."""
    truth = {
        "behavior": "trajectory",
        "turns": [{"calls": [{"name": "get_weather", "arguments": {"city": {"$regex": "Par.*"}}}]}],
    }
    (only,) = pivots([trajectory_row(truth, extra_info={"tools": TOOLS})])
    assert only["extra_info"]["pivot"]["placeholders"] == []
    assert rr.score(assistant_calls(("get_weather", {"city": "Paris"})), only).reward == 1.0


# --- where results and replies come from -----------------------------------------------------------------------


def recorded_trajectory() -> list[dict[str, Any]]:
    """A recorded run of TRUTH: its first calls and replies, with results; it stops in the third turn."""
    return [
        assistant_calls(("get_weather", {"city": "Paris", "units": "metric"}), call_id="w"),
        tool_result('{"city": "Paris", "sky": "sunny", "temp_c": 21}', "w0"),
        assistant_calls(("currency_convert", {"amount": 100.0, "from": "EUR", "to": "USD"}), call_id="x"),
        tool_result('{"amount": 108.31, "currency": "USD"}', "x0"),
        {"role": "assistant", "content": "It is sunny in Paris, and 100 EUR is 108.31 USD."},
        {"role": "user", "content": "Book me a table at Chez Nous for two at 19:00."},
        {"role": "assistant", "content": "Sure, on which date?"},
        {"role": "user", "content": "On 2 May 2026. And what's the weather in Lyon?"},
        assistant_calls(("get_weather", {"city": "Marseille"}), call_id="m"),  # not the expected call
        tool_result('{"city": "Marseille", "sky": "rain"}', "m0"),
    ]


def test_results_and_replies_come_from_the_recorded_trajectory() -> None:
    out = pivots([trajectory_row()], completions=[recorded_trajectory()])
    step4 = out[4]["prompt"][len(PROMPT) :]
    assert step4[1]["content"] == '{"city": "Paris", "sky": "sunny", "temp_c": 21}'
    # the recorded call matched the expected one: its arguments go with its result
    assert json.loads(step4[0]["tool_calls"][0]["function"]["arguments"]) == {"city": "Paris", "units": "metric"}
    assert json.loads(step4[2]["tool_calls"][0]["function"]["arguments"])["amount"] == 100.0
    assert step4[3]["content"] == '{"amount": 108.31, "currency": "USD"}'
    assert step4[4] == {"role": "assistant", "content": "It is sunny in Paris, and 100 EUR is 108.31 USD."}
    assert step4[6] == {"role": "assistant", "content": "Sure, on which date?"}  # recorded before the reference
    assert out[4]["extra_info"]["pivot"]["placeholders"] == []
    # the third turn's recorded call is not the expected one: its result is not used
    step5 = out[5]["prompt"]
    assert [step5[n]["role"] for n in out[5]["extra_info"]["pivot"]["placeholders"]] == ["tool", "tool"]
    assert "Marseille" not in json.dumps(step5)


def test_a_recorded_text_completion_or_none_records_nothing() -> None:
    plain = pivots([trajectory_row()])
    assert pivots([trajectory_row()], completions=[None]) == plain
    assert pivots([trajectory_row()], completions=["just text"]) == plain


class _Weather:
    """A stateful weather service: each look-up is counted."""

    def __init__(self) -> None:
        self.lookups = 0

    def get_weather(self, city: str, units: str = "metric") -> dict[str, Any]:
        self.lookups += 1
        return {"city": city, "sky": "sunny", "lookup": self.lookups}


class _WeatherPlugin:
    @rr.hookimpl
    def register_environments(self, register: Any) -> None:
        register(EnvironmentSpec("pivot-weather", lambda config: ObjectEnvironment(_Weather()), "tests"))


@pytest.fixture
def weather_environment() -> Any:
    register_plugin(_WeatherPlugin(), name="pivot-weather")
    try:
        yield
    finally:
        unregister_plugin("pivot-weather")


def test_results_come_from_the_truths_environment(weather_environment: None) -> None:
    truth = {
        "behavior": "trajectory",
        "turns": [
            {
                "calls": [
                    {"name": "get_weather", "arguments": {"city": "Paris"}},
                    {"name": "get_weather", "arguments": {"city": "Oslo"}},
                    {"name": "get_weather", "arguments": {"city": "Rome"}},
                ],
                "ordered": True,
            }
        ],
        "environment": {"name": "pivot-weather"},
    }
    out = pivots([trajectory_row(truth, extra_info={"tools": TOOLS})])
    assert len(out) == 3 and all(r["extra_info"]["pivot"]["placeholders"] == [] for r in out)
    results = [json.loads(m["content"]) for m in out[2]["prompt"] if m["role"] == "tool"]
    assert results == [{"city": "Paris", "lookup": 1, "sky": "sunny"}, {"city": "Oslo", "lookup": 2, "sky": "sunny"}]
    assert "environment" not in _truth(out[2])  # a step truth carries no environment
    scored = rr.score_batch([expected_completion(r) for r in out], out)
    assert scored.rewards.tolist() == [1.0] * 3


def test_an_unregistered_environment_names_the_row() -> None:
    truth = {"behavior": "trajectory", "turns": [TRUTH["turns"][0]], "environment": {"name": "no-such-env"}}
    with pytest.raises(GroundTruthError) as caught:
        pivots([trajectory_row(truth, extra_info={"tools": TOOLS})])
    assert caught.value.index == 0 and caught.value.field == "environment.name"
    assert "trip-1" in str(caught.value) and "no-such-env" in str(caught.value)


# --- what passes through ---------------------------------------------------------------------------------------


def test_other_rows_pass_through_and_pivots_of_pivots_are_the_pivots() -> None:
    rows = [EXAMPLE[0], trajectory_row(), EXAMPLE[1]]
    out = pivots(rows)
    assert out[0] is EXAMPLE[0] and out[-1] is EXAMPLE[1] and len(out) == 2 + len(STEPS)
    assert pivots(out) == out
    assert all(a is b for a, b in zip(pivots(out), out, strict=True))
    assert rows[1] == trajectory_row()  # the input row is not changed


def test_a_row_without_an_id_is_named_by_its_index() -> None:
    row = trajectory_row()
    del row["id"]
    out = pivots([EXAMPLE[0], row])
    assert out[1]["id"] == "1#step0" and out[1]["extra_info"]["pivot"]["source_id"] == "1"


# --- bad rows --------------------------------------------------------------------------------------------------


def _error(rows: list[Any], kind: type[Exception] = GroundTruthError, **kwargs: Any) -> Any:
    with pytest.raises(kind) as caught:
        pivots(rows, **kwargs)
    return caught.value


def test_a_multi_turn_row_without_its_later_turns_names_the_field() -> None:
    row = trajectory_row()
    del row["extra_info"]["turns"]
    err = _error([EXAMPLE[0], row])
    assert (err.index, err.field) == (1, "extra_info.turns")
    assert "trip-1" in str(err) and "6 turns" in str(err) and "5 entries" in str(err)
    row["extra_info"]["turns"] = LATER_TURNS[:2]
    assert "got '2 entries'" in str(_error([row]))
    row["extra_info"]["turns"] = [*LATER_TURNS[:4], "Summarise"]
    assert _error([row]).field == "extra_info.turns[4]"


def test_a_bad_truth_names_the_field_inside_the_truth() -> None:
    truth = copy.deepcopy(TRUTH)
    truth["turns"][2]["calls"] = []
    err = _error([trajectory_row(truth)])
    assert err.index == 0 and err.field.startswith("reward_model.ground_truth.turns.2"), err.field
    assert "trip-1" in str(err)


def test_a_prompt_that_is_not_messages_is_refused() -> None:
    err = _error([trajectory_row(prompt="<|im_start|>user\nWeather in Paris?<|im_end|>")])
    assert err.field == "prompt" and "list of chat messages" in str(err)


def test_a_call_without_a_concrete_value_in_a_later_prompt_names_the_argument() -> None:
    truth = copy.deepcopy(TRUTH)
    truth["turns"][0]["calls"][0]["arguments"]["city"] = {"$regex": "Par.*"}
    err = _error([trajectory_row(truth)])
    assert err.field == "reward_model.ground_truth.turns[0].calls[0].arguments.city"
    assert "$regex" in str(err) and "completions=" in str(err)
    # a recorded call that matches supplies the value
    out = pivots([trajectory_row(truth)], completions=[recorded_trajectory()])
    assert json.loads(out[1]["prompt"][len(PROMPT)]["tool_calls"][0]["function"]["arguments"])["city"] == "Paris"


def test_repeated_ids_and_non_rows_are_refused() -> None:
    err = _error([trajectory_row(), trajectory_row()])
    assert (err.index, err.field) == (1, "id") and "row 0" in str(err)
    assert _error([EXAMPLE[0], ["not", "a", "row"]]).index == 1
    with pytest.raises(ConfigError, match="2 completions for 1 rows"):
        pivots([trajectory_row()], completions=[None, None])


def test_a_bad_tool_list_is_a_tool_spec_error_naming_the_row() -> None:
    err = _error([trajectory_row(tools=[{"type": "function", "function": {"parameters": {}}}])], ToolSpecError)
    assert err.index == 0 and "trip-1" in str(err)


# --- the command -----------------------------------------------------------------------------------------------


def _run(argv: list[str]) -> int:
    """``rlvr-rewards data ...`` through the parser add_data_parser builds (what rlvr_rewards/cli.py wires in)."""
    parser = argparse.ArgumentParser(prog="rlvr-rewards")
    add_data_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


def _write_jsonl(path: Path, rows: list[Any]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_the_command_writes_json_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _write_jsonl(tmp_path / "rows.jsonl", [EXAMPLE[0], trajectory_row()])
    out = tmp_path / "pivots.jsonl"
    assert _run(["data", "pivots", "--data", str(data), "--out", str(out)]) == 0
    written = [r.value for r in read_records(out)]
    assert written == json.loads(json.dumps(pivots([EXAMPLE[0], trajectory_row()])))
    printed = capsys.readouterr().out
    assert "1 trajectory row(s) cut into 8 step row(s)" in printed and "1 row(s) passed through" in printed
    steps = written[1:]
    assert rr.score_batch([expected_completion(r) for r in steps], steps).rewards.tolist() == [1.0] * len(steps)


def test_the_command_writes_parquet_that_scores_the_same(tmp_path: Path) -> None:
    require("pyarrow", "parquet")
    data = _write_jsonl(tmp_path / "rows.jsonl", [trajectory_row()])
    out = tmp_path / "pivots.parquet"
    assert _run(["data", "pivots", "--data", str(data), "--out", str(out)]) == 0
    rows = [r.value for r in read_records(out)]
    assert [r["id"] for r in rows] == [f"trip-1#step{k}" for k in range(len(STEPS))]
    assert rr.score_batch([expected_completion(r) for r in rows], rows).rewards.tolist() == [1.0] * len(rows)
    again = tmp_path / "again.jsonl"
    assert _run(["data", "pivots", "--data", str(out), "--out", str(again)]) == 0  # pivots pass through
    assert [r.value["id"] for r in read_records(again)] == [r["id"] for r in rows]
    # trajectory rows read from Parquet (truths as JSON text, Arrow's null fill) are cut as the JSON Lines ones
    source = tmp_path / "rows.parquet"
    write_parquet([EXAMPLE[0], trajectory_row()], source)
    from_parquet = tmp_path / "from_parquet.jsonl"
    assert _run(["data", "pivots", "--data", str(source), "--out", str(from_parquet)]) == 0
    got = [r.value for r in read_records(from_parquet)][1:]
    want = json.loads(json.dumps(pivots([trajectory_row()])))
    assert [r["prompt"] for r in got] == [r["prompt"] for r in want]
    assert [_truth(r) for r in got] == [_truth(r) for r in want]


def test_the_command_takes_recorded_trajectories(tmp_path: Path) -> None:
    data = _write_jsonl(tmp_path / "rows.jsonl", [EXAMPLE[0], trajectory_row()])
    recorded = _write_jsonl(tmp_path / "recorded.jsonl", [{"id": "trip-1", "completion": recorded_trajectory()}])
    out = tmp_path / "pivots.jsonl"
    assert _run(["data", "pivots", "--data", str(data), "--completions", str(recorded), "--out", str(out)]) == 0
    written = [r.value for r in read_records(out)]
    assert written[5]["extra_info"]["pivot"]["placeholders"] == []


def test_the_command_names_the_file_line_and_field_of_a_bad_row(tmp_path: Path) -> None:
    row = trajectory_row()
    del row["extra_info"]["turns"]
    data = _write_jsonl(tmp_path / "rows.jsonl", [EXAMPLE[0], row])
    out = tmp_path / "pivots.jsonl"
    with pytest.raises(ConfigError) as caught:
        _run(["data", "pivots", "--data", str(data), "--out", str(out)])
    text = str(caught.value)
    assert f"--data {data} line 2 (id 'trip-1')" in text and "extra_info.turns" in text
    assert not out.exists()  # nothing written before every row was cut


# --- the package ---------------------------------------------------------------------------------------------------


def test_the_data_folder_is_a_package_and_its_files_are_still_found() -> None:
    code = (
        "import importlib.resources as r\n"
        "import rlvr_rewards.data.cli\n"  # the module first: the package still gives the function
        "import rlvr_rewards.data as d\n"
        "assert callable(d.pivots) and d.pivots.__module__ == 'rlvr_rewards.data.pivots', d.pivots\n"
        "assert (r.files('rlvr_rewards') / 'data' / 'example_rows.jsonl').is_file()\n"
        "assert (r.files('rlvr_rewards.data') / 'blog_rows.jsonl').is_file()\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "ok"


def test_the_command_line_writes_pivot_rows(tmp_path: Path) -> None:
    from rlvr_rewards.cli import main

    rows = tmp_path / "rows.jsonl"
    truth = {
        "behavior": "trajectory",
        "turns": [
            {"calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}], "ordered": True},
            {"behavior": "clarify", "missing": ["date"]},
        ],
    }
    row = {
        "id": "r1",
        "prompt": [{"role": "user", "content": "Weather in Paris?"}],
        "reward_model": {"ground_truth": json.dumps(truth)},
        "extra_info": {"turns": [[{"role": "user", "content": "Book a flight"}]]},
    }
    rows.write_text(json.dumps(row) + "\n", encoding="utf-8")
    out = tmp_path / "pivots.jsonl"
    assert main(["data", "pivots", "--data", str(rows), "--out", str(out)]) == 0
    written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in written] == ["r1#step0", "r1#step1"]
    assert main(["data", "pivots", "--data", str(tmp_path / "missing.jsonl"), "--out", str(out)]) == 2
