"""The reward Lambda on trajectory samples (docs/lambda.md, "Trajectories"), through the real handler entry point.

A sample whose ground truth is a trajectory truth has everything from its first assistant message on scored by
the trajectory path; its result stays within the SageMaker contract (turn and step rewards as ``Metric``
entries); a bad trajectory truth floors its sample with a log line naming the sample and the field; hostile
messages floor with a reason code, never an exception.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

import rlvr_rewards as rr
from rlvr_rewards.aws_lambda import ERROR_CODES, lambda_handler
from rlvr_rewards.parsing.trajectory import MAX_MESSAGES

from .test_lambda import CALL, TRUTH, sample
from .test_lambda_hostile import both_styles, check, codes

PARIS = {"name": "get_weather", "arguments": {"city": "Paris"}}
TRAJECTORY: dict[str, Any] = {
    "behavior": "trajectory",
    "turns": [{"calls": [PARIS]}, {"behavior": "clarify", "missing": ["date"]}],
    "outcome": {"answer_contains": ["date"]},
}
PROMPT = [
    {"role": "system", "content": "You are a travel assistant."},
    {"role": "user", "content": "What's the weather in Paris?"},
]


def _calling(city: Any) -> dict[str, Any]:
    return {
        "role": "assistant",
        "content": "",
        "tool_calls": [{"type": "function", "function": {"name": "get_weather", "arguments": {"city": city}}}],
    }


def _tool(city: str) -> dict[str, Any]:
    return {"role": "tool", "content": f"18 C, sunny in {city}"}


def _text(role: str, content: str) -> dict[str, Any]:
    return {"role": role, "content": content}


def _trajectory(city: str = "Paris", last: str = "For which date?") -> list[dict[str, Any]]:
    return [
        _calling(city),
        _tool(city),
        _text("assistant", f"It is 18 C and sunny in {city}."),
        _text("user", "Book me a flight there."),
        _text("assistant", last),
    ]


RIGHT = _trajectory()
WRONG_CITY = _trajectory("London")
NO_QUESTION = _trajectory(last="Booked.")
CUT = RIGHT[:3]


def _sample(sid: str, completion: list[Any], truth: Any = TRAJECTORY, **extra: Any) -> dict[str, Any]:
    return {"id": sid, "messages": [*PROMPT, *completion], "reference_answer": truth, **extra}


def _metrics(result: dict[str, Any]) -> dict[str, float]:
    return {m["name"]: m["value"] for m in result["metrics_list"]}


def _log_lines(caplog: pytest.LogCaptureFixture, event: str) -> list[dict[str, Any]]:
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.getMessage().startswith("{")]
    return [line for line in lines if line.get("event") == event]


# --------------------------------------------------------------------------------------------------------------------
# Scored by the trajectory path
# --------------------------------------------------------------------------------------------------------------------


def test_a_trajectory_sample_is_scored_whole_by_the_trajectory_path(monkeypatch: pytest.MonkeyPatch) -> None:
    completions = [RIGHT, WRONG_CITY, NO_QUESTION, CUT]
    event = [_sample(f"t{i}", c, json.dumps(TRAJECTORY) if i % 2 else TRAJECTORY) for i, c in enumerate(completions)]
    results = both_styles(event, len(event), monkeypatch)
    assert results is not None
    expected = rr.score_batch(completions, [TRAJECTORY] * len(completions))
    assert set(expected.expected) == {"trajectory"}
    assert [r["aggregate_reward_score"] for r in results] == [float(v) for v in expected.rewards]
    assert results[0]["aggregate_reward_score"] == 1.0 > max(r["aggregate_reward_score"] for r in results[1:])
    for result, turns, steps in zip(results, expected.turn_rewards, expected.step_rewards, strict=True):
        metrics = _metrics(result)
        assert [metrics[f"turn_reward_{t}"] for t in range(2)] == turns.tolist()
        assert metrics["step_reward_mean"] == pytest.approx(float(steps.mean()))
        assert metrics["step_reward_min"] == float(steps.min())
        for name in ("turns", "outcome", "efficiency", "grounding"):
            assert metrics[name] == pytest.approx(float(expected.components[name][results.index(result)]))
    # The last assistant message alone ("For which date?" against the trajectory's first turn) would not say
    # whether the calls were right: the wrong city is docked in its first turn.
    assert _metrics(results[1])["turn_reward_0"] < 1.0 == _metrics(results[1])["turn_reward_1"]
    assert _metrics(results[3])["turn_reward_1"] == 0.0  # the trajectory stopped before the second turn


def test_single_step_samples_in_the_same_event_keep_the_last_assistant_message() -> None:
    long_history = [*PROMPT, *WRONG_CITY, _text("assistant", CALL)]
    event = [
        _sample("traj", RIGHT),
        sample("single"),
        {"id": "single-after-history", "messages": long_history, "reference_answer": TRUTH},
    ]
    results = check(lambda_handler(event, {}), 3)
    assert results is not None
    assert [r["aggregate_reward_score"] for r in results] == [1.0, 1.0, 1.0]
    assert "turn_reward_0" in _metrics(results[0])
    assert not any(name.startswith(("turn_reward", "step_reward")) for r in results[1:] for name in _metrics(r))


def test_the_docs_example_scores_as_documented() -> None:
    text = (Path(__file__).resolve().parent.parent / "docs" / "lambda.md").read_text(encoding="utf-8")
    section = text[text.index("## Trajectories") :]
    start = section.index("```json") + len("```json")
    example = json.loads(section[start : section.index("```", start)])
    results = check(lambda_handler([example], {}), 1)
    assert results is not None
    metrics = _metrics(results[0])
    assert results[0]["aggregate_reward_score"] == 1.0
    assert metrics["turn_reward_0"] == metrics["turn_reward_1"] == metrics["step_reward_min"] == 1.0


def test_the_sagemaker_verifier_accepts_trajectory_results(tmp_path: Path) -> None:
    pytest.importorskip("sagemaker.train.common_utils.rlvr_reward_verifier")
    from sagemaker.train.common_utils.rlvr_reward_verifier import verify_reward_function

    handler = tmp_path / "lambda_function.py"
    handler.write_text("from rlvr_rewards.aws_lambda import lambda_handler\n", encoding="utf-8")
    samples = [_sample("ok", RIGHT), _sample("wrong", WRONG_CITY), _sample("bad", [*RIGHT, 5])]
    report = verify_reward_function(str(handler), samples, is_nova=False)
    assert report["success"] and report["total_samples"] == report["successful_samples"] == 3, report


def test_component_metrics_off_leaves_the_turn_metrics_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RLVR_COMPONENT_METRICS", "0")
    results = check(lambda_handler([_sample("t", WRONG_CITY)], {}), 1)
    assert results is not None
    assert [m["name"] for m in results[0]["metrics_list"]] == ["reward"]


def test_the_log_line_counts_trajectories(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="rlvr_rewards.lambda")
    lambda_handler([_sample("a", RIGHT), sample("b"), _sample("c", NO_QUESTION)], {})
    (line,) = _log_lines(caplog, "scored")
    assert line["samples"] == line["scored"] == 3 and line["trajectories"] == 2


# --------------------------------------------------------------------------------------------------------------------
# A bad trajectory truth: the sample is floored, the log names it and the field
# --------------------------------------------------------------------------------------------------------------------


def test_a_bad_trajectory_truth_names_the_sample_and_the_field(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="rlvr_rewards.lambda")
    clarify_with_calls = {**TRAJECTORY, "turns": [{"calls": [PARIS]}, {"behavior": "clarify", "calls": [PARIS]}]}
    state_without_environment = {**TRAJECTORY, "outcome": {"state": {"Bank": {"balance": 10}}}}
    unknown_environment = {**TRAJECTORY, "environment": {"name": "no-such-environment"}}
    event = [
        _sample("good", RIGHT),
        _sample("calls-in-clarify", RIGHT, clarify_with_calls),
        {"metadata": {"key": "no-env", "reference_answer": json.dumps(state_without_environment)}, "messages": RIGHT},
        _sample("unknown-env", RIGHT, unknown_environment),
        _sample("good-2", WRONG_CITY),
    ]
    results = check(lambda_handler(event, {}), len(event))
    assert results is not None
    assert [r["id"] for r in results] == ["good", "calls-in-clarify", "no-env", "unknown-env", "good-2"]
    assert [codes(r) for r in results] == [
        set(),
        {"bad_ground_truth"},
        {"bad_ground_truth"},
        {"bad_ground_truth"},
        set(),
    ]
    assert [r["aggregate_reward_score"] for r in results[1:4]] == [0.0] * 3
    assert results[0]["aggregate_reward_score"] == 1.0 and 0.0 < results[4]["aggregate_reward_score"] < 1.0

    loaded = {line["id"]: line for line in _log_lines(caplog, "bad_ground_truth")}
    assert loaded["calls-in-clarify"]["index"] == 1
    assert loaded["calls-in-clarify"]["field"] == "reference_answer.turns.1"
    assert "clarify" in loaded["calls-in-clarify"]["error"]
    assert loaded["no-env"]["field"] == "metadata.reference_answer.outcome.state"
    assert "environment" in loaded["no-env"]["error"]
    # An unknown environment is found while scoring: only its sample is floored, and the line names the field.
    (raised,) = _log_lines(caplog, "sample_exception")
    assert raised["id"] == "unknown-env" and raised["index"] == 3 and raised["code"] == "bad_ground_truth"
    assert raised["field"] == "reference_answer.environment.name" and raised["exception"] == "GroundTruthError"


# --------------------------------------------------------------------------------------------------------------------
# Hostile messages: floored with a reason, never an exception
# --------------------------------------------------------------------------------------------------------------------


class _Unwritable:
    """Not JSON data (only a local caller can pass one: a Lambda event is parsed JSON)."""


def _deep(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = {"k": value}
    return value


HOSTILE: dict[str, tuple[Any, str]] = {
    # name: (the sample's messages, the error code)
    "messages a string": ("[{'role': 'assistant'}]", "no_messages"),
    "messages an object": ({"role": "assistant", "content": "x"}, "no_messages"),
    "messages null": (None, "no_messages"),
    "no assistant message": ([*PROMPT, _text("user", "again")], "no_assistant_message"),
    "10^4 messages": ([*PROMPT, *([_calling("Paris"), _tool("Paris")] * 5_000)], "trajectory_too_large"),
    "an integer entry": ([*PROMPT, _calling("Paris"), 7, *RIGHT[1:]], "bad_message"),
    "a null entry": ([*PROMPT, *RIGHT[:2], None, *RIGHT[2:]], "bad_message"),
    "a string entry": ([*PROMPT, *RIGHT, "assistant: done"], "bad_message"),
    "a list entry": ([*PROMPT, *RIGHT[:3], [RIGHT[3]], *RIGHT[4:]], "bad_message"),
    "a role that is not text": ([*PROMPT, *RIGHT[:2], {"role": 5, "content": "x"}, *RIGHT[2:]], "bad_message"),
    "an entry without a role": ([*PROMPT, *RIGHT[:2], {"content": "x"}, *RIGHT[2:]], "bad_message"),
    "content an object mid-trajectory": ([*PROMPT, {**RIGHT[0], "content": {"text": 5}}, *RIGHT[1:]], "bad_content"),
    "content a number at the end": ([*PROMPT, *RIGHT[:4], {"role": "assistant", "content": 42}], "bad_content"),
    "a set in the arguments": (
        [*PROMPT, {**RIGHT[0], "tool_calls": [{"type": "function", "function": {"arguments": {1, 2}}}]}, *RIGHT[1:]],
        "bad_message",
    ),
    "an object that is not data": ([*PROMPT, *RIGHT[:2], {**RIGHT[2], "extra": _Unwritable()}], "bad_message"),
    "over max_chars of JSON": ([*PROMPT, *RIGHT[:2], _tool("x" * 250_000), *RIGHT[2:]], "trajectory_too_large"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_messages_floor_with_a_reason(name: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="rlvr_rewards.lambda")
    messages, code = HOSTILE[name]
    event = [_sample("good", RIGHT), {"id": "hostile", "messages": messages, "reference_answer": TRAJECTORY}]
    results = check(lambda_handler(event, {}), 2)
    assert results is not None
    assert results[0]["aggregate_reward_score"] == 1.0 and not codes(results[0])
    assert results[1]["id"] == "hostile" and results[1]["aggregate_reward_score"] == 0.0
    assert codes(results[1]) == {code}, results[1]
    if code in ("bad_message", "trajectory_too_large") or name.startswith("content an object"):
        (line,) = _log_lines(caplog, "bad_trajectory")
        assert line["id"] == "hostile" and line["index"] == 1 and line["code"] == code
    (summary,) = _log_lines(caplog, "scored")
    assert summary["scored"] == 1 and summary["errors"] == {code: 1}


@pytest.mark.parametrize(
    "completion",
    [
        [RIGHT[0], {"role": "tool", "content": _deep(300)}, *RIGHT[2:]],  # deeper than orjson writes
        [_calling(2**70), *RIGHT[1:]],  # an integer beyond 64 bits
        [*RIGHT[:2], _text("assistant", "It is sunny \ud800"), *RIGHT[3:]],  # a lone surrogate
    ],
    ids=["nested 300 deep", "integer beyond 64 bits", "lone surrogate"],
)
def test_json_that_orjson_cannot_write_is_still_measured_and_scored(completion: list[Any]) -> None:
    results = check(lambda_handler([_sample("odd", completion)], {}), 1)
    assert results is not None and not codes(results[0])
    assert "turn_reward_0" in _metrics(results[0])


def test_the_log_names_the_position_of_a_bad_entry(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="rlvr_rewards.lambda")
    lambda_handler([{"id": "x", "messages": HOSTILE["an integer entry"][0], "reference_answer": TRAJECTORY}], {})
    (line,) = _log_lines(caplog, "bad_trajectory")
    assert line["position"] == len(PROMPT) + 1 and line["got"] == "int"


def test_at_the_bounds_a_trajectory_is_scored_and_one_past_them_is_floored(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = [_calling("Paris"), _tool("Paris")] * (MAX_MESSAGES // 2)
    at_count = [*PROMPT, *calls]
    past_count = [*at_count, _text("assistant", "Done.")]
    assert len(at_count) - len(PROMPT) == MAX_MESSAGES
    size = len(json.dumps(RIGHT, separators=(",", ":")))
    monkeypatch.setenv("RLVR_MAX_CHARS", str(size))
    at_bytes = [*PROMPT, *RIGHT]
    past_bytes = [*PROMPT, *RIGHT[:-1], _text("assistant", "For which date??")]
    event = [{"id": i, "messages": m, "reference_answer": TRAJECTORY} for i, m in enumerate([at_bytes, past_bytes])]
    results = check(lambda_handler(event, {}), 2)
    assert results is not None
    assert results[0]["aggregate_reward_score"] == 1.0 and codes(results[1]) == {"trajectory_too_large"}
    monkeypatch.delenv("RLVR_MAX_CHARS")
    monkeypatch.setenv("RLVR_MAX_CHARS", str(10**8))
    event = [{"id": i, "messages": m, "reference_answer": TRAJECTORY} for i, m in enumerate([at_count, past_count])]
    results = check(lambda_handler(event, {}), 2)
    assert results is not None
    assert not codes(results[0]) and 0.0 < results[0]["aggregate_reward_score"] < 1.0  # scored (wasted calls)
    assert codes(results[1]) == {"trajectory_too_large"}


def test_single_step_samples_with_10k_messages_are_unchanged() -> None:
    messages = [*([_text("user", "hi"), _text("assistant", "hello")] * 5_000), _text("assistant", CALL)]
    results = check(lambda_handler([{"id": "x", "messages": messages, "reference_answer": TRUTH}], {}), 1)
    assert results is not None and results[0]["aggregate_reward_score"] == 1.0 and not codes(results[0])


def test_the_error_codes_state_the_bound() -> None:
    text = (Path(__file__).resolve().parent.parent / "docs" / "lambda.md").read_text(encoding="utf-8")
    assert f"({MAX_MESSAGES:,})" in ERROR_CODES["trajectory_too_large"]
    assert f"more than {MAX_MESSAGES:,} messages after the prompt" in text
