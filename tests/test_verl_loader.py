"""veRL loads our functions with its own custom-reward loader and calls them the way its reward managers do.

verl is installed by the test command with ``--no-deps`` (its dependency set includes ray, vllm and
flash-attention). Its package ``__init__`` imports torch and ray, so we load only what the loader needs:
``verl/utils/import_utils.py`` (standard library only) by file path, then ``load_extern_object`` as
``verl.trainer.ppo.reward.get_custom_reward_fn`` does, and call the result with the keyword arguments
of the naive and batch reward managers, merged with ``reward_kwargs`` as veRL merges them.
"""

from __future__ import annotations

import importlib.util
import os
from functools import partial
from pathlib import Path
from typing import Any

import pytest

import rlvr_rewards as rr
from rlvr_rewards.integrations import verl as ours

from .helpers import TOOLS, call, execute, hermes

TRUTH = execute(call("get_weather", city="Paris"))


def verl_loader() -> Any:
    spec = importlib.util.find_spec("verl")  # finds the package without executing its __init__
    if spec is None or not spec.submodule_search_locations:
        if os.environ.get("CI"):
            raise AssertionError("verl is installed by the test command (--no-deps) but was not found")
        pytest.skip("verl is not installed (the test command installs it with --no-deps)")
    path = Path(next(iter(spec.submodule_search_locations))) / "utils" / "import_utils.py"
    module_spec = importlib.util.spec_from_file_location("verl_import_utils_standalone", path)
    assert module_spec is not None and module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module.load_extern_object


def call_with_kwargs(raw_fn: Any, extra_kwargs: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
    """veRL's merge: configured reward_kwargs take precedence over call-time kwargs."""
    return raw_fn(*args, **{**kwargs, **extra_kwargs})


@pytest.mark.parametrize("path", [ours.__file__, "pkg://rlvr_rewards.integrations.verl"])
def test_naive_manager_call(path: str) -> None:
    load = verl_loader()
    fn = partial(call_with_kwargs, load(module_path=path, object_name="compute_score"), {})
    out = fn(
        data_source="rlvr_rewards/example",
        solution_str=hermes(call("get_weather", city="Paris")),
        ground_truth=TRUTH,
        extra_info={"tools": TOOLS, "index": 0},
    )
    assert out["score"] == 1.0 and out["schema"] == 1.0
    miss = fn(data_source="x", solution_str="Which city?", ground_truth=TRUTH, extra_info=None)
    assert miss["score"] == rr.score("Which city?", TRUTH).reward


def test_batch_manager_call_with_reward_kwargs() -> None:
    load = verl_loader()
    fn = partial(
        call_with_kwargs, load(module_path=ours.__file__, object_name="compute_score_batch"), {"unused_option": 1}
    )
    sols = [hermes(call("get_weather", city="Paris")), "Which city?", "I can't help with that."]
    truths = [TRUTH, {"behavior": "clarify", "missing": ["city"]}, {"behavior": "refuse"}]
    out = fn(data_sources=["a"] * 3, solution_strs=sols, ground_truths=truths, extra_infos=[{"tools": TOOLS}] * 3)
    assert [o["score"] for o in out] == [1.0, 1.0, 1.0]
    assert all(isinstance(v, float) for o in out for v in o.values())


def test_every_call_returns_the_same_keys() -> None:
    """veRL stacks sample 0's keys over the batch: execute, clarify and refuse rows share one key set."""
    load = verl_loader()
    fn = partial(call_with_kwargs, load(module_path=ours.__file__, object_name="compute_score"), {})
    sols = [hermes(call("get_weather", city="Paris")), "Which city?", "I can't help with that.", "<tool_call>{"]
    truths = [TRUTH, {"behavior": "clarify", "missing": ["city"]}, {"behavior": "refuse"}, TRUTH]
    infos = [{"tools": TOOLS}, None, {}, {"tools": None}]
    outs = [
        fn(data_source="d", solution_str=s, ground_truth=t, extra_info=e)
        for s, t, e in zip(sols, truths, infos, strict=True)
    ]
    assert {tuple(o) for o in outs} == {ours.result_keys()}
    assert [o["score"] for o in outs] == rr.score_batch(sols, truths, tools=[TOOLS, None, None, None]).rewards.tolist()


def test_agent_loop_response_scores_the_calls_made() -> None:
    """A multi-turn response as veRL decodes it (tool responses included) is scored on the calls made."""
    good = hermes(call("get_weather", city="Paris"))
    wrong = hermes(call("get_weather", city="Lyon"))
    turn = '\nuser\n<tool_response>\n{"temperature": 21}\n</tool_response>\nassistant\n'
    assert ours.compute_score("d", good + turn + "It is 21 C.", TRUTH)["score"] == 1.0
    assert ours.rollout_completion(good + turn + "It is 21 C.") == good
    assert ours.rollout_completion(wrong + turn + good + turn + "Done.") == wrong + "\n" + good
    assert ours.rollout_completion(good + turn) == good  # cut off before the final answer
    assert ours.rollout_completion(good + '\nuser\n<tool_response>\n{"t": 1') == good  # cut inside a response
    assert ours.rollout_completion(good) == good  # single turn: unchanged
    # a rollout whose last turn calls again (cut off by max_assistant_turns): that call is scored too
    assert ours.rollout_completion(wrong + turn + good) == wrong + "\n" + good
    assert ours.agent_turns(good + turn + "It is 21 C.") == ([good, "It is 21 C."], 1)
