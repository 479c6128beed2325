"""The ``format=`` hint wherever a user can give it: the CLI, the Lambda configuration and handler, the veRL,
OpenRLHF, TRL and Ray adapters (docs/formats.md). Each reads a GLM completion correctly with ``format="glm"``,
and an unknown name is a configuration error that names the known formats, before any work."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import rlvr_rewards as rr
from rlvr_rewards.aws_lambda.config import load_config
from rlvr_rewards.aws_lambda.handler import score_event
from rlvr_rewards.cli import main
from rlvr_rewards.errors import ConfigError

GLM = "<tool_call>get_weather\n<arg_key>city</arg_key>\n<arg_value>Paris</arg_value>\n</tool_call>"
TRUTH = {"behavior": "execute", "calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]}
HERMES = '<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>'


def _rows(tmp_path: Path) -> tuple[Path, Path]:
    data = tmp_path / "rows.jsonl"
    data.write_text(json.dumps({"id": "r1", "reward_model": {"ground_truth": TRUTH}}) + "\n")
    comps = tmp_path / "c.jsonl"
    comps.write_text("".join(json.dumps({"id": "r1", "completion": c}) + "\n" for c in (GLM, HERMES)))
    return data, comps


def test_cli_score_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, comps = _rows(tmp_path)
    out = tmp_path / "s.jsonl"
    assert main(["score", "--data", str(data), "--completions", str(comps), "--format", "glm", "--out", str(out)]) == 0
    rewards = [json.loads(line)["reward"] for line in out.read_text().splitlines()]
    assert rewards[0] == 1.0 and rewards[1] < 1.0  # only the GLM parser reads: the Hermes text has no call
    assert main(["score", "--data", str(data), "--completions", str(comps), "--format", "nope"]) == 2
    err = capsys.readouterr().err
    assert "unknown format 'nope'" in err and "glm" in err


def test_lambda_config_and_event(tmp_path: Path) -> None:
    config = load_config({}, {"RLVR_FORMAT": "glm"})
    assert config.format == "glm"
    event = [
        {
            "id": i,
            "messages": [{"role": "user", "content": "Weather?"}, {"role": "assistant", "content": c}],
            "ground_truth": TRUTH,
        }
        for i, c in (("a", GLM), ("b", HERMES))
    ]
    results = score_event(event, config)
    assert results[0]["aggregate_reward_score"] == 1.0
    assert results[1]["aggregate_reward_score"] < 1.0
    assert score_event(event, load_config({}, {}))[1]["aggregate_reward_score"] == 1.0  # detected
    with pytest.raises(ConfigError, match="unknown format"):
        score_event(event, load_config({"format": "nope"}, {}))


def test_lambda_build_refuses_an_unknown_format(tmp_path: Path) -> None:
    from rlvr_rewards.aws_lambda.build import build_artifact

    with pytest.raises(ConfigError, match="unknown format"):
        build_artifact(tmp_path / "out", config={"format": "nope"})


def test_verl_format_keyword_and_env(monkeypatch: pytest.MonkeyPatch) -> None:
    from rlvr_rewards.integrations.verl import compute_score, compute_score_batch

    assert compute_score("tool", GLM, TRUTH, format="glm")["score"] == 1.0
    assert compute_score("tool", HERMES, TRUTH, format="glm")["score"] < 1.0
    monkeypatch.setenv("RLVR_FORMAT", "glm")
    assert compute_score("tool", HERMES, TRUTH)["score"] < 1.0
    batch = compute_score_batch(["tool"] * 2, [GLM, HERMES], [TRUTH, TRUTH])
    assert batch[0]["score"] == 1.0 and batch[1]["score"] < 1.0
    monkeypatch.setenv("RLVR_FORMAT", "nope")
    with pytest.raises(ConfigError):
        compute_score("tool", GLM, TRUTH)


def test_openrlhf_env(monkeypatch: pytest.MonkeyPatch) -> None:
    from rlvr_rewards.integrations.openrlhf import reward_func

    monkeypatch.setenv("RLVR_FORMAT", "hermes")
    out = reward_func([GLM, HERMES], ["", ""], [json.dumps(TRUTH)] * 2)
    rewards = [float(x) for x in out["rewards"]]
    assert rewards[0] < 1.0 and rewards[1] == 1.0


def test_trl_reward_functions() -> None:
    from rlvr_rewards.integrations.trl import component_reward_funcs, make_reward_func

    fn = make_reward_func("graded", format="glm")
    assert fn(prompts=[[], []], completions=[GLM, HERMES], ground_truth=[TRUTH, TRUTH])[0] == 1.0
    (args,) = component_reward_funcs(("arguments",), format="hermes")
    got = args(prompts=[[], []], completions=[GLM, HERMES], ground_truth=[TRUTH, TRUTH])
    assert got[1] == 1.0 and got[0] != 1.0


def test_score_and_parse_agree_on_the_hint() -> None:
    assert rr.parse(GLM, format="GLM-4.7").calls == rr.parse(GLM).calls
    assert rr.score(GLM, TRUTH, format="glm4_moe").reward == rr.score(GLM, TRUTH).reward == 1.0
