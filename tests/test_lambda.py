"""The SageMaker reward Lambda handler: contract, broken samples, bad events, configuration, deadline."""

from __future__ import annotations

import json
import logging
import math
import time
import tracemalloc
from typing import Any

import pytest

from rlvr_rewards.aws_lambda import ERROR_CODES, lambda_handler, load_config, make_handler
from rlvr_rewards.errors import ConfigError

from .timing import best_times

CALL = '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>'
TRUTH = json.dumps([{"name": "get_weather", "arguments": {"city": "Paris"}}])
SECRET = "SECRET-COMPLETION-TEXT-42"


def sample(sid: Any = "s1", content: Any = CALL, truth: Any = TRUTH, **extra: Any) -> dict[str, Any]:
    return {
        "id": sid,
        "messages": [{"role": "user", "content": "Weather in Paris?"}, {"role": "assistant", "content": content}],
        "reference_answer": truth,
        **extra,
    }


def body(response: Any) -> list[dict[str, Any]]:
    assert response["statusCode"] == 200
    assert response["headers"]["Content-Type"] == "application/json"
    return json.loads(response["body"])  # type: ignore[no-any-return]


def test_oss_and_nova_styles(monkeypatch: pytest.MonkeyPatch) -> None:
    results = body(lambda_handler([sample()], {}))
    assert results[0]["id"] == "s1" and results[0]["aggregate_reward_score"] == 1.0
    kinds = {m["name"]: m["type"] for m in results[0]["metrics_list"]}
    assert kinds["reward"] == "Reward" and kinds["arguments"] == "Metric" and kinds["format"] == "Metric"
    monkeypatch.setenv("RLVR_OUTPUT_STYLE", "nova")
    nova = lambda_handler([sample()], None)
    assert isinstance(nova, list) and nova == results


def test_every_accepted_truth_and_id_location() -> None:
    truth = TRUTH
    variants = [
        {"id": "a", "reference_answer": truth},
        {"metadata": {"key": "b", "reference_answer": truth}},
        {"id": "c", "ground_truth": truth},
        {"id": "d", "reward_model": {"ground_truth": truth}},
        {"id": "e", "extra_info": {"ground_truth": truth}},
        {"id": "f", "extra_info": {"reference_answer": truth}},
    ]
    event = [{"messages": [{"role": "assistant", "content": CALL}], **v} for v in variants]
    results = body(lambda_handler(event, {}))
    assert [r["id"] for r in results] == ["a", "b", "c", "d", "e", "f"]
    assert all(r["aggregate_reward_score"] == 1.0 for r in results)


def test_broken_samples_get_one_floored_result_each_in_order() -> None:
    event = [
        sample("ok"),
        {"messages": [{"role": "assistant", "content": CALL}], "reference_answer": TRUTH},  # missing id
        sample("no-assistant", messages=[{"role": "user", "content": "hi"}]),
        sample("non-string", content={"text": 5}),
        sample("number", content=42),
        sample("bad-truth", truth={"behavior": "nope"}),
        {"id": "no-truth", "messages": [{"role": "assistant", "content": CALL}]},
        {"id": "no-messages"},
        "not an object",
        sample("bad-tools", tools=[{"description": "no name"}]),
        sample("ok-2"),
    ]
    results = body(lambda_handler(event, {}))
    assert len(results) == len(event)
    assert [r["id"] for r in results] == [
        "ok",
        None,
        "no-assistant",
        "non-string",
        "number",
        "bad-truth",
        "no-truth",
        "no-messages",
        None,
        "bad-tools",
        "ok-2",
    ]
    errors = [{m["name"] for m in r["metrics_list"] if m["name"].startswith("error_")} for r in results]
    assert errors == [
        set(),
        {"error_missing_id"},
        {"error_no_assistant_message"},
        {"error_bad_content"},
        {"error_bad_content"},
        {"error_bad_ground_truth"},
        {"error_missing_ground_truth"},
        {"error_no_messages"},
        {"error_sample_not_object"},
        {"error_bad_tools"},
        set(),
    ]
    assert results[1]["aggregate_reward_score"] == 1.0  # scored, but flagged for its missing id
    assert [r["aggregate_reward_score"] for r in results[2:10]] == [0.0] * 8
    assert {n[len("error_") :] for e in errors for n in e} <= set(ERROR_CODES)


@pytest.mark.parametrize(
    ("event", "fragment"),
    [({"samples": []}, "JSON list"), ("not json", "not JSON"), (42, "JSON list"), ({"body": "{oops"}, "not JSON")],
)
def test_malformed_events_get_clear_error_responses(event: Any, fragment: str, monkeypatch: pytest.MonkeyPatch) -> None:
    r = lambda_handler(event, {})
    assert r["statusCode"] == 400
    payload = json.loads(r["body"])
    assert payload["error"] == "InvalidEvent" and fragment in payload["message"]
    monkeypatch.setenv("RLVR_OUTPUT_STYLE", "nova")
    n = lambda_handler(event, {})
    assert n["errorType"] == "InvalidEvent" and fragment in n["errorMessage"]


def test_any_json_id_comes_back_unchanged() -> None:
    ids: list[Any] = ["s1", 7, 2**70, -(2**64), 1.5, None, True, {"k": ["v"]}, "\u00e9\U0001f600"]
    results = body(lambda_handler([sample(sid=i) for i in ids], {}))
    assert [r["id"] for r in results] == ids
    assert [r["aggregate_reward_score"] for r in results] == [1.0] * len(ids)


def test_wrapped_and_text_events() -> None:
    assert body(lambda_handler({"body": json.dumps([sample()])}, {}))[0]["aggregate_reward_score"] == 1.0
    assert body(lambda_handler(json.dumps([sample()]), {}))[0]["aggregate_reward_score"] == 1.0
    assert body(lambda_handler([], {})) == []


def test_configuration_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    near = sample(content=CALL.replace("Paris", "Lyon"))
    assert body(lambda_handler([near], {}))[0]["aggregate_reward_score"] > 0.0
    monkeypatch.setenv("RLVR_PRESET", "binary")
    assert body(lambda_handler([near], {}))[0]["aggregate_reward_score"] == 0.0
    monkeypatch.setenv("RLVR_PRESET", "graded")
    monkeypatch.setenv("RLVR_WEIGHTS", json.dumps({"execute": {"arguments": 10.0}}))
    heavy = body(lambda_handler([near], {}))[0]["aggregate_reward_score"]
    monkeypatch.delenv("RLVR_WEIGHTS")
    assert heavy < body(lambda_handler([near], {}))[0]["aggregate_reward_score"]
    monkeypatch.setenv("RLVR_COMPONENT_METRICS", "0")
    assert [m["name"] for m in body(lambda_handler([sample()], {}))[0]["metrics_list"]] == ["reward"]


@pytest.mark.parametrize(
    ("var", "value", "fragment"),
    [
        ("RLVR_PRESET", "nope", "registered presets"),
        ("RLVR_OUTPUT_STYLE", "xml", "output_style"),
        ("RLVR_WEIGHTS", "{bad", "RLVR_WEIGHTS"),
        ("RLVR_MAX_CHARS", "-3", "RLVR_MAX_CHARS"),
        ("RLVR_COMPONENT_METRICS", "maybe", "0 or 1"),
    ],
)
def test_bad_configuration_is_an_error_response(
    var: str, value: str, fragment: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(var, value)
    r = lambda_handler([sample()], {})
    assert r["statusCode"] == 500 and fragment in r["body"]
    if var != "RLVR_PRESET":  # preset names are checked against the registry when scoring
        with pytest.raises(ConfigError, match=var if var != "RLVR_OUTPUT_STYLE" else "output_style"):
            load_config(environ={var: value})


def test_bundled_configuration_and_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    handler = make_handler({"preset": "aws-blog", "output_style": "nova"})
    near = sample(content=CALL.replace("Paris", "Lyon"))
    assert handler([near], {})[0]["aggregate_reward_score"] == 0.5  # aws-blog: same name, wrong argument
    cfg = tmp_path / "c.json"
    cfg.write_text(json.dumps({"preset": "binary"}))
    monkeypatch.setenv("RLVR_CONFIG_FILE", str(cfg))
    assert handler([near], {})[0]["aggregate_reward_score"] == 0.0  # the file beats the bundle
    monkeypatch.setenv("RLVR_PRESET", "graded")
    assert 0.0 < handler([near], {})[0]["aggregate_reward_score"] < 1.0  # the variable beats the file


class Clock:
    """A Lambda context whose remaining time shrinks as the handler works."""

    def __init__(self, budget_ms: float) -> None:
        self.deadline = time.monotonic() + budget_ms / 1000

    def get_remaining_time_in_millis(self) -> int:
        return int((self.deadline - time.monotonic()) * 1000)


class RunsOut:
    """A Lambda context with plenty of time for the first ``checks`` deadline checks and none after:
    the handler checks once per chunk, so exactly that many chunks are scored, however fast it is."""

    def __init__(self, checks: int) -> None:
        self.left = checks

    def get_remaining_time_in_millis(self) -> int:
        self.left -= 1
        return 300_000 if self.left >= 0 else 0


def test_deadline_floors_the_rest_instead_of_timing_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RLVR_DEADLINE_MARGIN_MS", "1000")
    event = [sample(f"s{i}", content=CALL.replace("Paris", f"P{i}")) for i in range(3000)]
    # no time left beyond the margin: nothing is scored, every sample is floored at once, in order (the
    # real clock: whatever the machine's speed, less than the 1,000 ms margin is left when it first looks)
    results = body(lambda_handler(event, Clock(budget_ms=1000)))
    assert len(results) == 3000 and [r["id"] for r in results] == [f"s{i}" for i in range(3000)]
    skipped = [r for r in results if any(m["name"] == "error_deadline" for m in r["metrics_list"])]
    assert len(skipped) == 3000
    assert all(r["aggregate_reward_score"] == 0.0 for r in skipped)
    # part of a batch: a context that runs out after two chunks floors exactly the rest
    results = body(lambda_handler(event, RunsOut(checks=2)))
    assert [r["id"] for r in results] == [f"s{i}" for i in range(3000)]
    skipped = [r for r in results if any(m["name"] == "error_deadline" for m in r["metrics_list"])]
    assert 0 < len(skipped) < 3000
    assert [r["id"] for r in skipped] == [f"s{i}" for i in range(3000 - len(skipped), 3000)]
    assert all(r["aggregate_reward_score"] == 0.0 for r in skipped)
    # with time to spare, nothing is skipped
    results = body(lambda_handler(event[:50], Clock(budget_ms=60_000)))
    assert not any(m["name"] == "error_deadline" for r in results for m in r["metrics_list"])


def test_no_nan_and_floor_of_the_preset(monkeypatch: pytest.MonkeyPatch) -> None:
    results = body(lambda_handler([sample(content="Which city?", truth="Which city do you mean?")], {}))
    assert all(math.isfinite(m["value"]) for m in results[0]["metrics_list"])
    monkeypatch.setenv("RLVR_PRESET", "toolrl")
    broken = body(lambda_handler([sample(sid="x", content=42)], {}))
    assert broken[0]["aggregate_reward_score"] == -3.0  # the toolrl floor


def test_logs_counts_and_reasons_never_completions(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="rlvr_rewards.lambda")
    event = [sample("a", content=SECRET), sample("b"), sample("c", truth={"behavior": "nope"}, content=SECRET)]
    lambda_handler(event, {})
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert SECRET not in text
    line = json.loads(next(r.getMessage() for r in caplog.records if '"scored"' in r.getMessage()))
    assert line["samples"] == 3 and line["scored"] == 2 and line["errors"] == {"bad_ground_truth": 1}
    assert sum(line["reasons"].values()) == 2 and "seconds" in line


def make_payload(target_bytes: int, compact: bool = False) -> list[dict[str, Any]]:
    """A realistic batch: Qwen-style system prompt with tools, user turn, and varied completions."""
    rows = [
        json.loads(x)
        for x in open(__file__.rsplit("/tests/", 1)[0] + "/rlvr_rewards/data/example_rows.jsonl", encoding="utf-8")
    ]
    comps = [
        json.loads(x)
        for x in open(
            __file__.rsplit("/tests/", 1)[0] + "/rlvr_rewards/data/example_completions.jsonl", encoding="utf-8"
        )
    ]
    by_id = {r["id"]: r for r in rows}
    event: list[dict[str, Any]] = []
    size = 2
    i = 0
    while size < target_bytes:
        c = comps[i % len(comps)]
        row = by_id[c["id"]]
        turn = {"role": "assistant", "content": c["completion"]}
        s = {
            "id": f"{c['id']}-{i}",
            "messages": [turn] if compact else [*row["prompt"], turn],
            "reference_answer": row["reward_model"]["ground_truth"],
        }
        size += len(json.dumps(s)) + 2
        event.append(s)
        i += 1
    return event


@pytest.mark.slow
@pytest.mark.parametrize("compact", [False, True], ids=["full-rows", "compact"])
def test_a_6mb_batch_is_scored_within_time_and_memory_bounds(compact: bool) -> None:
    """Memory: peak traced memory under 512 MiB. Time: a sample of the 6 MB batch costs at most 3x what a
    sample of a 300-sample batch costs, both timed under tracemalloc (no superlinear path in batch size;
    the absolute figures are in docs/lambda.md)."""
    event = make_payload(6 * 1024 * 1024, compact=compact)
    raw = json.dumps(event)
    small_raw = json.dumps(event[:300])
    assert len(raw) >= 6 * 1024 * 1024
    tracemalloc.start()
    started = time.perf_counter()
    results = body(lambda_handler(json.loads(raw), {}))
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    small = best_times({"small": lambda: lambda_handler(json.loads(small_raw), {})}, 3)["small"]
    tracemalloc.stop()
    assert len(results) == len(event)
    per_sample_ratio = (seconds / len(event)) / (small / 300)
    print(
        f"6 MB batch: {len(event)} samples in {seconds:.2f} s, peak traced memory {peak / 2**20:.0f} MiB; "
        f"per sample {per_sample_ratio:.2f}x a 300-sample batch's"
    )
    assert peak < 512 * 2**20
    assert per_sample_ratio <= 3.0


_HEAVY = ("numpy", "pydantic", "jsonschema", "pluggy", "rlvr_rewards.scoring.core", "rlvr_rewards.groundtruth.truths")


def _loaded_after(code: str) -> list[str]:
    import subprocess
    import sys
    from pathlib import Path

    probe = f"{code}\nimport sys; print(sorted(m for m in {_HEAVY!r} if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=Path(__file__).parent
    )
    return json.loads(out.stdout.strip().splitlines()[-1].replace("'", '"'))  # type: ignore[no-any-return]


def test_importing_the_lambda_module_loads_no_scoring_machinery() -> None:
    """The cold start's import is light (docs/lambda.md, "Cold start"); the first event loads the rest."""
    assert _loaded_after("import rlvr_rewards") == []
    assert _loaded_after("import rlvr_rewards.aws_lambda") == []
    assert (
        _loaded_after(
            "from rlvr_rewards.aws_lambda import lambda_handler, make_handler\nmake_handler({'preset': 'binary'})"
        )
        == []
    )
    assert _loaded_after("import rlvr_rewards.aws_lambda as m\nm.warm_up()") == sorted(_HEAVY)


def test_warm_up_scores_its_sample_and_checks_the_configuration() -> None:
    from rlvr_rewards.aws_lambda import warm_up

    warm_up()
    warm_up({"preset": "binary"})
    with pytest.raises(ConfigError, match="preset"):
        warm_up({"preset": "no-such-preset"})
