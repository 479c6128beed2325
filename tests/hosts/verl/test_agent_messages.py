"""The adapter's trajectory contract on the response shapes veRL's agent loop decodes (no veRL needed: runs in the
main environment too; ``test_agent_loop.py`` gets these shapes from veRL's own code).

- :func:`agent_messages` on the other shapes veRL 0.9.1 produces: tool responses grouped in one user block (the
  Qwen 2.5 / Hermes template), a response cut inside a tool response (``response_length``), special-token text a
  tokenizer does not mark special, system and ``ipython`` headers;
- the fixed key set: with and without ``trajectory_keys``, single-step and trajectory rows give the same keys (veRL
  stacks sample 0's), ``compute_score_batch`` gives ``compute_score``'s dicts, and the setting is read from
  ``reward_kwargs`` or ``RLVR_TRAJECTORY_KEYS``.
"""

from __future__ import annotations

import json
import math

import pytest

import rlvr_rewards as rr
from rlvr_rewards.errors import ConfigError
from rlvr_rewards.integrations import verl as ours

from ...helpers import TOOLS, call, hermes

CALL = hermes(call("get_weather", city="Paris"))
TRUTH = {
    "behavior": "trajectory",
    "turns": [
        {"calls": [call("get_weather", city="Paris")], "answer_contains": ["21"]},
        {"behavior": "clarify", "missing": ["date"]},
    ],
}
#: a two-turn rollout as the naive manager decodes it (ChatML role headers left as bare lines)
DECODED = (
    CALL + '\nuser\n<tool_response>\n{"temperature": 21}\n</tool_response>\nassistant\nIt is 21 C in Paris.'
    "\nuser\nBook me a flight there.\nassistant\nWhich date would you like?"
)
MESSAGES = [
    {"role": "assistant", "content": CALL},
    {"role": "tool", "content": '{"temperature": 21}'},
    {"role": "assistant", "content": "It is 21 C in Paris."},
    {"role": "user", "content": "Book me a flight there."},
    {"role": "assistant", "content": "Which date would you like?"},
]


def test_agent_messages_shapes() -> None:
    assert ours.agent_messages(DECODED) == MESSAGES
    grouped = CALL + "\nuser\n<tool_response>\nA\n</tool_response>\n<tool_response>\nB\n</tool_response>\nassistant\nok"
    assert [m["role"] for m in ours.agent_messages(grouped)] == ["assistant", "tool", "tool", "assistant"]
    assert ours.agent_messages(CALL + '\nuser\n<tool_response>\n{"t": 1') == [
        {"role": "assistant", "content": CALL},
        {"role": "tool", "content": '{"t": 1'},
    ]
    marked = CALL + "<|im_end|>\n<|im_start|>user\n<tool_response>\nA\n</tool_response><|im_end|>\n"
    marked += "<|im_start|>assistant\nok"
    assert ours.agent_messages(marked) == [
        {"role": "assistant", "content": CALL},
        {"role": "tool", "content": "A"},
        {"role": "assistant", "content": "ok"},
    ]
    assert ours.agent_messages("a\nsystem\nhidden\nipython\nresult\nassistant\nb") == [
        {"role": "assistant", "content": "a"},
        {"role": "tool", "content": "result"},
        {"role": "assistant", "content": "b"},
    ]
    assert ours.agent_messages("") == [] and ours.agent_messages("  \nuser\n") == []


def test_a_trajectory_row_is_scored_on_its_messages() -> None:
    got = ours.compute_score("d", DECODED, json.dumps(TRUTH), {"tools": TOOLS}, trajectory_keys=True)
    want = rr.score(MESSAGES, TRUTH, tools=TOOLS)
    assert got["score"] == want.reward == 1.0
    assert json.loads(str(got["turn_rewards"])) == list(want.turn_rewards) == [1.0, 1.0]
    assert json.loads(str(got["step_rewards"])) == list(want.step_rewards)
    # a host that passes the message list: scored as it is
    assert ours.compute_score("d", MESSAGES, TRUTH, {"tools": TOOLS}, trajectory_keys=True) == got
    wrong = DECODED.replace("Which date would you like?", "Booked for tomorrow.")
    low = ours.compute_score("d", wrong, TRUTH, {"tools": TOOLS}, trajectory_keys=True)
    assert json.loads(str(low["turn_rewards"]))[0] == 1.0 and json.loads(str(low["turn_rewards"]))[1] < 1.0


@pytest.mark.parametrize("on", [False, True])
def test_one_key_set_for_single_step_and_trajectory_rows(on: bool) -> None:
    solutions = [DECODED, CALL, "I can't help with that.", DECODED.split("\nuser\nBook")[0]]
    execute = {"behavior": "execute", "calls": [call("get_weather", city="Paris")]}
    truths = [TRUTH, execute, {"behavior": "refuse"}, TRUTH]
    infos = [{"tools": TOOLS}, None, {}, {"tools": json.dumps(TOOLS)}]
    items = [
        ours.compute_score("d", s, t, e, trajectory_keys=on) for s, t, e in zip(solutions, truths, infos, strict=True)
    ]
    assert {tuple(i) for i in items} == {ours.result_keys(trajectory_keys=on)}
    numbers = [v for i in items for k, v in i.items() if k not in ours.TRAJECTORY_TEXT_KEYS]
    assert all(isinstance(v, float) and math.isfinite(v) for v in numbers)
    batch = ours.compute_score_batch(["d"] * 4, solutions, truths, infos, trajectory_keys=on)
    assert batch == items
    if on:
        assert json.loads(str(items[1]["turn_rewards"])) == [items[1]["score"]]
        assert items[1]["applies/turns"] == 0.0 and items[0]["applies/turns"] == 1.0
        assert json.loads(str(items[3]["turn_rewards"]))[1] == 0.0  # the turn never reached


def test_trajectory_keys_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RLVR_TRAJECTORY_KEYS", "1")
    assert "turn_rewards" in ours.compute_score("d", DECODED, TRUTH)
    assert "turn_rewards" not in ours.compute_score("d", DECODED, TRUTH, trajectory_keys=False)
    assert ours.result_keys() == ours.result_keys(trajectory_keys="true")
    monkeypatch.setenv("RLVR_TRAJECTORY_KEYS", "maybe")
    with pytest.raises(ConfigError, match="RLVR_TRAJECTORY_KEYS"):
        ours.compute_score("d", DECODED, TRUTH)
