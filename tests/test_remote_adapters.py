"""The trainer adapters with ``RLVR_REWARDS_URL`` set (docs/server.md, "Remote scoring"): TRL's ``reward_func``,
veRL's ``compute_score`` / ``compute_score_batch`` and OpenRLHF's ``reward_func`` score on a live reward server
(uvicorn on 127.0.0.1 in a thread: tests/helpers.LiveServer) and return exactly what they return in-process,
on the bundled example (240 completions of 60 rows) and on TRL tool-loop trajectories; in-process scoring is made
to fail while the URL is set, so the equality cannot come from a silent fallback. An unreachable server raises the
client's error naming the URL, a bad ground truth what the in-process call raises.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("starlette")
uvicorn = pytest.importorskip("uvicorn")

from rlvr_rewards.errors import ConfigError, GroundTruthError  # noqa: E402
from rlvr_rewards.integrations import _remote, openrlhf, trl, verl  # noqa: E402
from rlvr_rewards.scoring import core  # noqa: E402
from rlvr_rewards.server import ServerConfig  # noqa: E402
from rlvr_rewards.server.client import RewardServerError  # noqa: E402

from .helpers import LiveServer, example_pairs  # noqa: E402

PROMPT = "<|im_start|>user\nWhat's the weather?<|im_end|>\n<|im_start|>assistant\n"


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    server = LiveServer(ServerConfig(workers=1))
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def remote(server_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Inside: RLVR_REWARDS_URL set, and in-process scoring raises (the adapters must not fall back to it)."""

    def in_process(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("scored in-process while RLVR_REWARDS_URL is set")

    with monkeypatch.context() as patch:
        patch.setenv("RLVR_REWARDS_URL", server_url)
        patch.setattr(core, "score_batch", in_process)
        patch.setattr(core, "score", in_process)
        yield


@pytest.fixture(autouse=True)
def _no_url(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("RLVR_REWARDS_URL", "RLVR_REWARDS_TIMEOUT", "RLVR_REWARDS_RETRIES", "RLVR_PRESET", "RLVR_FORMAT"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def example() -> tuple[list[Any], list[dict[str, Any]]]:
    return example_pairs()


def _plain(value: Any) -> Any:
    return value.tolist() if hasattr(value, "tolist") else value


# ------------------------------------------------------------------------------------------------------------- TRL


def _trl_call(fn: Any, completions: list[Any], rows: list[dict[str, Any]]) -> tuple[Any, list[tuple[str, float]]]:
    """``fn`` called as GRPOTrainer._calculate_rewards calls it: prompts, completions, completion_ids, the dataset's
    columns, trainer_state, log_metric / log_extra."""
    logged: list[tuple[str, float]] = []
    out = fn(
        prompts=[r["prompt"] for r in rows],
        completions=completions,
        completion_ids=[[1, 2]] * len(completions),
        reward_model=[r["reward_model"] for r in rows],
        extra_info=[r["extra_info"] for r in rows],
        data_source=[r["data_source"] for r in rows],
        trainer_state=None,
        log_metric=lambda name, value: logged.append((name, value)),
        log_extra=lambda *a: None,
    )
    return out, logged


def test_trl_reward_func_remote_equals_in_process(
    example: Any, server_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    completions, rows = example
    funcs = [trl.reward_func, trl.make_reward_func("binary"), *trl.component_reward_funcs(("arguments", "clarify"))]
    local = [_trl_call(fn, completions, rows) for fn in funcs]
    assert len(local[0][0]) == 240 and local[0][1]
    with monkeypatch.context() as patch:
        patch.setenv("RLVR_REWARDS_URL", server_url)
        patch.setattr(core, "score_batch", None)  # in-process scoring would fail
        assert [_trl_call(fn, completions, rows) for fn in funcs] == local
        patch.setattr(_remote, "MAX_ITEMS", 7)  # several requests, one batch
        assert _trl_call(trl.reward_func, completions, rows) == local[0]


def _tool_call(city: str) -> dict[str, Any]:  # TRL 1.16's parse_response shape
    return {"type": "function", "function": {"name": "get_weather", "arguments": {"city": city}}}


def test_trl_tool_loop_and_trajectory_rows_remote_equal_in_process(
    server_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    paris = {"name": "get_weather", "arguments": {"city": "Paris"}}
    trajectory = {"behavior": "trajectory", "turns": [{"calls": [paris]}], "outcome": {"answer_contains": ["Paris"]}}
    single = {"behavior": "execute", "calls": [paris]}
    calling = lambda city: {"role": "assistant", "content": "", "tool_calls": [_tool_call(city)]}  # noqa: E731
    result = lambda city: {"role": "tool", "name": "get_weather", "content": f"Sunny in {city}"}  # noqa: E731
    answer = {"role": "assistant", "content": "It is sunny in Paris."}
    completions = [
        [calling("Paris"), result("Paris"), answer],
        [calling("London"), result("London"), calling("Paris"), result("Paris"), answer],
        [{"role": "assistant", "content": "Which city?"}],
    ] * 2
    truths = [json.dumps(trajectory)] * 3 + [single] * 3

    def run() -> tuple[list[float], dict[str, float]]:
        logged: dict[str, float] = {}
        rewards = trl.reward_func(
            prompts=None, completions=completions, ground_truth=truths, log_metric=logged.__setitem__
        )
        return rewards, logged

    local = run()
    assert "rlvr/turn_reward_mean" in local[1] and "rlvr/tool_loop_unscored_answers" in local[1]
    with monkeypatch.context() as patch:
        patch.setenv("RLVR_REWARDS_URL", server_url)
        patch.setattr(core, "score_batch", None)
        assert run() == local
        patch.setattr(_remote, "MAX_ITEMS", 2)  # trajectory rows in some requests only: the same columns
        assert run() == local


# ------------------------------------------------------------------------------------------------------------ veRL


def _verl_calls(example: Any) -> list[dict[str, Any]]:
    completions, rows = example
    return [
        {"data_source": r["data_source"], "solution_str": c, "ground_truth": r["reward_model"]["ground_truth"],
         "extra_info": r["extra_info"]}
        for c, r in zip(completions, rows, strict=True)
    ]  # fmt: skip


def test_verl_compute_score_and_batch_remote_equal_in_process(
    example: Any, server_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _verl_calls(example)[::3]
    batch_args = {key: [c[key] for c in calls] for key in ("data_source", "solution_str", "ground_truth", "extra_info")}
    batch = {k + "s": v for k, v in batch_args.items()}

    def run() -> Any:
        return (
            [verl.compute_score(**c) for c in calls],
            [verl.compute_score(**c, preset="binary", trajectory_keys=True) for c in calls[:10]],
            verl.compute_score_batch(**batch),
            verl.compute_score_batch(**batch, trajectory_keys="true", workers=2),
        )

    local = run()
    assert len(local[0]) == 80 and list(local[0][0]) == list(verl.result_keys())
    with monkeypatch.context() as patch:
        patch.setenv("RLVR_REWARDS_URL", server_url)
        patch.setattr(core, "score_batch", None)
        patch.setattr(core, "score", None)
        got = run()
    assert got == local
    assert [list(d) for d in got[0]] == [list(d) for d in local[0]]  # the same keys in the same order


def test_verl_tools_as_json_text_in_extra_info_remote_equal_in_process(
    server_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """veRL rows carry their tools as JSON text in ``extra_info``: sent as text, scored as in-process."""
    from .helpers import TOOLS, hermes_call

    truth = {"behavior": "execute", "calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]}
    calls = [
        {"data_source": "d", "solution_str": text, "ground_truth": json.dumps(truth),
         "extra_info": {"tools": json.dumps(TOOLS)}}
        for text in (hermes_call("get_weather", city="Paris"), hermes_call("get_weather", city=7), "Which city?")
    ]  # fmt: skip
    local = [verl.compute_score(**c) for c in calls]
    assert local[1]["applies/schema"] == 1.0 and local[1]["schema"] < 1.0  # the tools were read
    with monkeypatch.context() as patch:
        patch.setenv("RLVR_REWARDS_URL", server_url)
        patch.setattr(core, "score", None)
        patch.setattr(core, "score_batch", None)
        assert [verl.compute_score(**c) for c in calls] == local


# -------------------------------------------------------------------------------------------------------- OpenRLHF


def test_openrlhf_reward_func_remote_equals_in_process(
    example: Any, server_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    completions, rows = example
    queries = [PROMPT + c + "<|im_end|>" for c in completions]
    labels = [r["reward_model"]["ground_truth"] for r in rows]
    prompts = [PROMPT] * len(queries)

    def run() -> dict[str, Any]:
        out = openrlhf.reward_func(queries, prompts, labels)
        return {
            "rewards": _plain(out["rewards"]),
            "scores": _plain(out["scores"]),
            "extra_logs": {k: _plain(v) for k, v in out["extra_logs"].items()},
            "types": (type(out["rewards"]).__name__, sorted(out["extra_logs"])),
        }

    monkeypatch.setenv("RLVR_PRESET", "binary")
    local = run()
    assert len(local["rewards"]) == 240
    with monkeypatch.context() as patch:
        patch.setenv("RLVR_REWARDS_URL", server_url)
        patch.setattr(core, "score_batch", None)
        assert run() == local


# ---------------------------------------------------------------------------------------------------------- errors


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again: nothing listens there


def test_an_unreachable_server_raises_naming_the_url(
    example: Any, closed_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"http://127.0.0.1:{closed_port}"
    monkeypatch.setenv("RLVR_REWARDS_URL", url)
    monkeypatch.setenv("RLVR_REWARDS_RETRIES", "0")
    monkeypatch.setenv("RLVR_REWARDS_TIMEOUT", "2")
    call = _verl_calls(example)[0]
    attempts = [
        lambda: _trl_call(trl.reward_func, example[0][:2], example[1][:2]),
        lambda: verl.compute_score(**call),
        lambda: verl.compute_score_batch([call["data_source"]], [call["solution_str"]], [call["ground_truth"]]),
        lambda: openrlhf.reward_func([PROMPT + "hi"], [PROMPT], [call["ground_truth"]]),
    ]
    started = time.monotonic()
    for attempt in attempts:
        with pytest.raises(RewardServerError) as caught:
            attempt()
        assert caught.value.status is None and f"{url}/score" in str(caught.value)
    assert time.monotonic() - started < 10


def test_a_bad_ground_truth_raises_as_in_process(remote: None) -> None:
    truths = [{"behavior": "clarify", "missing": ["city"]}, {"behavior": "no-such-behaviour"}]
    with pytest.raises(GroundTruthError) as caught:
        trl.reward_func(prompts=None, completions=["Which city?", "Which city?"], ground_truth=truths)
    assert caught.value.index == 1


@pytest.mark.parametrize(("name", "value"), [("RLVR_REWARDS_TIMEOUT", "soon"), ("RLVR_REWARDS_RETRIES", "-1")])
def test_bad_settings_name_the_variable(remote: None, monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        openrlhf.reward_func([PROMPT + "hi"], [PROMPT], [{"behavior": "refuse"}])


def test_options_the_server_cannot_take_raise(remote: None) -> None:
    fn = trl.make_reward_func(components="all")
    with pytest.raises(ConfigError, match="components"):
        fn(prompts=None, completions=["hi"], ground_truth=[{"behavior": "refuse"}])
