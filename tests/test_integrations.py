"""Trainer adapters called with the shapes their hosts pass (the hosts' own call paths are issue 7)."""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path
from typing import Any

import pytest

import rlvr_rewards as rr
from rlvr_rewards.integrations import openrlhf, trl, verl

from .helpers import TOOLS, call, execute, hermes

TRUTH = execute(call("get_weather", city="Paris"))
GOOD = hermes(call("get_weather", city="Paris"))
ROW_TRUTHS = [TRUTH, TRUTH, {"behavior": "clarify", "missing": ["city"]}]
COMPLETIONS = [GOOD, "Which city?", "Which city would you like?"]


def test_trl_reward_func_matches_score_batch_and_logs_components() -> None:
    logged: list[tuple[str, float]] = []
    rewards = trl.reward_func(
        prompts=["p1", "p1", "p2"],
        completions=COMPLETIONS,
        completion_ids=[[1], [2], [3]],
        trainer_state=None,
        ground_truth=ROW_TRUTHS,
        tools=[TOOLS] * 3,
        log_metric=lambda name, value: logged.append((name, value)),
        log_extra=lambda *a: None,
        some_other_column=[1, 2, 3],
    )
    expected = rr.score_batch(COMPLETIONS, ROW_TRUTHS, tools=[TOOLS] * 3).rewards
    assert rewards == [float(r) for r in expected] and all(isinstance(r, float) for r in rewards)
    names = dict(logged)
    assert names["rlvr/arguments"] == 0.5 and math.isclose(names["rlvr/behavior_clarify"], 2 / 3)
    assert trl.reward_func.__name__ == "rlvr_graded"


def test_trl_conversational_completions_and_reward_model_column() -> None:
    completions = [[{"role": "assistant", "content": GOOD}], [{"role": "assistant", "content": "It is sunny."}]]
    rewards = trl.make_reward_func("binary")(
        prompts=None, completions=completions, reward_model=[{"ground_truth": TRUTH}] * 2
    )
    assert rewards == [1.0, 0.0]


def test_trl_missing_truth_column_names_the_columns() -> None:
    with pytest.raises(rr.ConfigError, match=r"no ground-truth column.*\['answers'\]"):
        trl.reward_func(prompts=None, completions=[GOOD], answers=[TRUTH])
    fn = trl.make_reward_func(truth_column="answers")
    assert fn(prompts=None, completions=[GOOD], answers=[TRUTH]) == [1.0]


def test_trl_component_functions_use_none_for_not_applicable() -> None:
    funcs = {f.__name__: f for f in trl.component_reward_funcs()}
    args = funcs["rlvr_arguments"](prompts=None, completions=COMPLETIONS, ground_truth=ROW_TRUTHS)
    assert args[0] == 1.0 and args[2] is None
    assert set(funcs) == {
        "rlvr_format",
        "rlvr_tool_name",
        "rlvr_arguments",
        "rlvr_schema",
        "rlvr_clarify",
        "rlvr_refuse",
    }


def test_trl_reward_func_passes_the_property_checker() -> None:
    from rlvr_rewards.testing import check_reward_properties

    check_reward_properties(trl.reward_func, reward_range=(0.0, 1.0), max_examples=20)


def load_like_verl(path: str, name: str) -> Any:
    """veRL's custom-reward loader: import the module from its file path and take the function by name."""
    spec = importlib.util.spec_from_file_location("custom_module", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)


def test_verl_compute_score_and_batch() -> None:
    path = verl.__file__
    compute_score = load_like_verl(path, "compute_score")
    item = compute_score("rlvr_rewards/example", GOOD, TRUTH, {"tools": TOOLS})
    assert item["score"] == 1.0 and item["schema"] == 1.0 and all(math.isfinite(v) for v in item.values())
    assert compute_score("x", "Which city?", json.dumps([call("get_weather", city="Paris")]))["score"] == 0.15
    batch = load_like_verl(path, "compute_score_batch")(
        data_sources=["a"] * 3, solution_strs=COMPLETIONS, ground_truths=ROW_TRUTHS, extra_infos=[None] * 3
    )
    assert [b["score"] for b in batch] == [float(r) for r in rr.score_batch(COMPLETIONS, ROW_TRUTHS).rewards]
    # one fixed key set for every item: components that do not apply are 0.0 with applies/<name> = 0.0
    assert [list(b) for b in batch] == [list(verl.result_keys())] * 3
    assert batch[2]["applies/clarify"] == 1.0 and batch[2]["arguments"] == 0.0 and batch[2]["applies/arguments"] == 0.0
    assert all(math.isfinite(v) for b in batch for v in b.values())
    # the per-item function (rr.score's single-item path) gives each item's dict of the batch function
    assert [compute_score("a", c, t) for c, t in zip(COMPLETIONS, ROW_TRUTHS, strict=True)] == batch


def test_verl_batch_workers_from_reward_kwargs_or_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []
    real = rr.score_batch

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(kwargs["workers"])
        return real(*args, **kwargs)

    monkeypatch.setattr("rlvr_rewards.scoring.core.score_batch", spy)
    fn = verl.compute_score_batch
    kw = {"data_sources": ["a"] * 3, "solution_strs": COMPLETIONS, "ground_truths": ROW_TRUTHS}
    one = fn(**kw)
    assert fn(**kw, workers=2) == one  # a small batch: same results, scored in this process
    monkeypatch.setenv("RLVR_WORKERS", "3")
    assert fn(**kw) == one
    assert seen == [1, 2, 3]
    monkeypatch.setenv("RLVR_WORKERS", "many")
    with pytest.raises(rr.ConfigError, match="RLVR_WORKERS"):
        fn(**kw)


@pytest.mark.slow  # imports torch (float32 tensors)
def test_openrlhf_reward_func_shapes() -> None:
    prompts = ["<|im_start|>user\nWeather in Paris?<|im_end|>\n<|im_start|>assistant\n"] * 2
    queries = [prompts[0] + GOOD, prompts[1] + "Which city?"]
    out = openrlhf.reward_func(queries, prompts, [TRUTH, TRUTH])
    rewards = [float(x) for x in out["rewards"]]  # float32 tensors when torch is installed
    assert rewards == pytest.approx([1.0, 0.15], abs=1e-6)
    assert [float(x) for x in out["scores"]] == rewards
    logs = out["extra_logs"]
    assert [float(x) for x in logs["arguments"]] == [1.0, 0.0]
    assert [float(x) for x in logs["applies/clarify"]] == [0.0, 0.0]
    assert openrlhf.split_response("abc", "xyz") == "abc"
    # OpenRLHF 0.11 decodes the query with special tokens: the end-of-turn token must not count as text
    one = openrlhf.reward_func([prompts[0] + GOOD + "<|im_end|>\n"], [prompts[0]], [TRUTH])
    assert [float(x) for x in one["rewards"]] == [1.0]


def test_integration_modules_import_nothing_heavy() -> None:
    import subprocess
    import sys

    code = (
        "import sys, rlvr_rewards.integrations.trl, rlvr_rewards.integrations.verl, "
        "rlvr_rewards.integrations.openrlhf; print(sorted(m for m in ('torch', 'trl', 'verl', 'ray', "
        "'transformers') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=Path(__file__).parent
    )
    assert out.stdout.strip() == "[]"
