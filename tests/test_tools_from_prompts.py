"""Tools read from the prompt: the text each model's published chat template renders (tests/data/chat_templates/).

Covered: Qwen 2.5 / Qwen 3 and Hermes 2 Pro ``<tools>`` blocks, Llama 3.1 / 3.2 JSON tool lists (tools in the
first user message, the default, or in the system message), Mistral ``[AVAILABLE_TOOLS]`` blocks; the row-level
``tools`` / ``extra_info.tools`` precedence; the errors (never silent); the bundled blog rows and the SageMaker
Lambda scoring alike with tools only in the prompt and with ``extra_info.tools``; linear time.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

import rlvr_rewards as rr
from rlvr_rewards.aws_lambda import lambda_handler
from rlvr_rewards.groundtruth.toolspecs import (
    compile_tools,
    tools_from_messages,
    tools_from_prompt,
    tools_from_system_prompt,
)

from .helpers import hermes, resolve_item
from .timing import assert_linear

FIXTURES = Path(__file__).resolve().parent / "data" / "chat_templates"
TOOLS: list[dict[str, Any]] = json.loads((FIXTURES / "tools.json").read_text())
TRUTH = json.dumps([{"name": "get_weather", "arguments": {"city": "Paris"}}])
QWEN_SENTENCE = "You are provided with function signatures within <tools></tools> XML tags:\n"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


# --- cutting a rendered prompt into the chat messages a dataset row would carry ------------------------------------


def chatml_messages(text: str) -> list[dict[str, str]]:
    """Qwen / Hermes: ``<|im_start|>ROLE\\n...<|im_end|>`` turns; Hermes writes its system text before the first."""
    head, *turns = text.split("<|im_start|>")
    head = head.removeprefix("<|begin_of_text|>").removesuffix("<|im_end|>")
    messages = [{"role": "system", "content": head}] if head.strip() else []
    for turn in turns:
        role, _, rest = turn.partition("\n")
        content = rest.split("<|im_end|>")[0]
        if content:
            messages.append({"role": role, "content": content})
    return messages


def llama_messages(text: str) -> list[dict[str, str]]:
    """Llama 3.x: ``<|start_header_id|>ROLE<|end_header_id|>\\n\\n...<|eot_id|>`` turns."""
    messages = []
    for turn in text.split("<|start_header_id|>")[1:]:
        role, _, rest = turn.partition("<|end_header_id|>\n\n")
        content = rest.split("<|eot_id|>")[0]
        if content:
            messages.append({"role": role, "content": content})
    return messages


def mistral_messages(text: str) -> list[dict[str, str]]:
    """Mistral has no role headers: the row carries the rendered text as its user message."""
    return [{"role": "user", "content": text.removeprefix("<s>")}]


READABLE: dict[str, Callable[[str], list[dict[str, str]]]] = {
    "qwen2_5.txt": chatml_messages,
    "qwen3.txt": chatml_messages,
    "hermes_2_pro.txt": chatml_messages,
    "llama3_1_tools_in_user.txt": llama_messages,
    "llama3_1_tools_in_system.txt": llama_messages,
    "llama3_2_tools_in_user.txt": llama_messages,
    "llama3_2_tools_in_system.txt": llama_messages,
    "mistral_7b_v0_3.txt": mistral_messages,
    "mistral_nemo_2407.txt": mistral_messages,
}


def assert_same_tools(got: Any, name: str) -> None:
    """The tools rendered into fixture ``name`` came back. Hermes 2 Pro's template rewrites each description
    (signature + argument list), so there the names and parameter schemas must match and the description
    must hold the original one."""
    assert isinstance(got, list)
    if not name.startswith("hermes"):
        assert got == TOOLS
        return
    assert [t["function"]["name"] for t in got] == [t["function"]["name"] for t in TOOLS]
    assert [t["function"]["parameters"] for t in got] == [t["function"]["parameters"] for t in TOOLS]
    for g, t in zip(got, TOOLS, strict=True):
        assert t["function"]["description"] in g["function"]["description"]
    assert len(compile_tools(got) or ()) == len(TOOLS)


def row(prompt: Any, **extra: Any) -> dict[str, Any]:
    return {"prompt": prompt, "reward_model": {"ground_truth": TRUTH}, **extra}


# --- every template -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(READABLE))
def test_the_rendered_prompt_gives_back_the_tools(name: str) -> None:
    assert_same_tools(tools_from_prompt(fixture(name)), name)
    assert_same_tools(tools_from_system_prompt(fixture(name)), name)


@pytest.mark.parametrize("name", sorted(READABLE))
def test_a_row_carrying_the_prompt_as_messages_gives_back_the_tools(name: str) -> None:
    messages = READABLE[name](fixture(name))
    assert any(m["role"] == "user" for m in messages)
    assert_same_tools(tools_from_messages(messages), name)
    assert_same_tools(tools_from_prompt(messages), name)
    assert_same_tools(resolve_item(row(messages))[1], name)
    assert_same_tools(resolve_item({"messages": messages, "reference_answer": TRUTH})[1], name)


@pytest.mark.parametrize("name", sorted(READABLE))
def test_row_tools_then_extra_info_tools_then_the_prompt(name: str) -> None:
    """The row's own fields keep their precedence (and the prompt is then not read at all); without them the
    prompt's tools are used, whatever the template."""
    messages = READABLE[name](fixture(name))
    mine = [{"name": "mine", "parameters": {"type": "object", "properties": {}}}]
    extra = [{"name": "extra", "parameters": {"type": "object", "properties": {}}}]
    assert_same_tools(resolve_item(row(messages))[1], name)
    assert resolve_item(row(messages, tools=mine))[1] == mine
    assert resolve_item(row(messages, extra_info={"tools": extra}))[1] == extra
    assert resolve_item(row(messages, tools=mine, extra_info={"tools": extra}))[1] == mine
    broken = [{"role": "system", "content": "<tools>\n{not json}\n</tools>"}, *messages]
    assert resolve_item(row(broken, extra_info={"tools": extra}))[1] == extra  # not read, so no error
    with pytest.raises(rr.ToolSpecError):
        resolve_item(row(broken))


def test_llama_tools_in_the_first_user_message_and_assistant_messages_never_read() -> None:
    messages = llama_messages(fixture("llama3_1_tools_in_user.txt"))
    assert [m["role"] for m in messages] == ["system", "user"]
    assert "Given the following functions" in messages[1]["content"]
    # the completion (an assistant message, as in the Lambda's samples) is model output: never read, never an error
    with_reply = [
        *messages,
        {"role": "assistant", "content": "<tools>\n{broken"},
        {"role": "tool", "content": "[AVAILABLE_TOOLS] nope"},
    ]
    assert tools_from_messages(with_reply) == TOOLS
    parts = [{"role": m["role"], "content": [{"type": "text", "text": m["content"]}]} for m in messages]
    assert tools_from_messages(parts) == TOOLS  # OpenAI content parts


def test_qwen_sentence_does_not_hide_the_block_after_it() -> None:
    system = chatml_messages(fixture("qwen2_5.txt"))[0]["content"]
    assert system.count("<tools>") == 2 and QWEN_SENTENCE in system
    assert tools_from_system_prompt(system) == TOOLS
    # the sentence alone declares nothing (as an explicitly empty block always did)
    assert tools_from_system_prompt(QWEN_SENTENCE) == []
    assert tools_from_system_prompt("no tools here") is None


# --- errors: named, never silent --------------------------------------------------------------------------------------


def line(tool: dict[str, Any]) -> str:
    return json.dumps(tool)


@pytest.mark.parametrize(
    ("prompt", "field_part"),
    [
        # a real block after the sentence whose body is not JSON
        (QWEN_SENTENCE + "<tools>\n{not json}\n</tools>", "<tools> block line 1"),
        (QWEN_SENTENCE + "<tools>\n" + line(TOOLS[0]) + "\n{not json}\n</tools>", "<tools> block line 2"),
        (QWEN_SENTENCE + '<tools>\n{"name": "f", "x": NaN}\n</tools>', "<tools> block line 1"),
        # the block after the sentence is never closed
        (QWEN_SENTENCE + "<tools>\n" + line(TOOLS[0]) + "\n", "<tools> block at character"),
        ("[AVAILABLE_TOOLS] [" + line(TOOLS[0]) + "] [INST] hi [/INST]", "[AVAILABLE_TOOLS] block at character"),
        ("[AVAILABLE_TOOLS] [{not json}] [/AVAILABLE_TOOLS]", "[AVAILABLE_TOOLS] block line 1"),
        # Llama's instructions without the tools after them
        (
            "Given the following functions, please respond with a JSON for a function call. Thanks.",
            "Llama 3.x tool list at character",
        ),
        (
            "Given the following functions, please respond with a JSON for a function call with its proper arguments "
            'that best answers the given prompt.\n\nRespond in the format {...}.Do not use variables.\n\n{"name": ',
            "Llama 3.x tool list line",
        ),
        # two non-empty declarations: which did the model see?
        (
            "<tools>\n" + line(TOOLS[0]) + "\n</tools>\n<tools>\n" + line(TOOLS[1]) + "\n</tools>",
            "<tools> block at character",
        ),
        (
            "<tools>" + line(TOOLS[0]) + "</tools>[AVAILABLE_TOOLS][" + line(TOOLS[1]) + "][/AVAILABLE_TOOLS]",
            "[AVAILABLE_TOOLS] block at character",
        ),
    ],
)
def test_a_broken_declaration_is_an_error_naming_the_place(prompt: str, field_part: str) -> None:
    with pytest.raises(rr.ToolSpecError) as info:
        tools_from_prompt(prompt)
    assert field_part in (info.value.field or ""), info.value


@pytest.mark.parametrize(
    ("name", "field_part"),
    [
        ("hermes_2_pro_first_revision.txt", "<tools> block line 1 column 43"),  # {"name": get_weather", ...
        ("hermes_2_pro_quoted_description.txt", "<tools> block line 4 column 37"),  # e.g. "Paris" unescaped
    ],
)
def test_renderings_that_are_not_json_are_refused(name: str, field_part: str) -> None:
    with pytest.raises(rr.ToolSpecError) as info:
        tools_from_prompt(fixture(name))
    assert field_part in (info.value.field or ""), info.value
    messages = chatml_messages(fixture(name))
    with pytest.raises(rr.ToolSpecError) as info:
        resolve_item(row(messages))
    assert ("message 0 (system) " + field_part) in (info.value.field or ""), info.value


def test_tools_in_two_messages_is_an_error_naming_both() -> None:
    qwen = chatml_messages(fixture("qwen2_5.txt"))
    llama = llama_messages(fixture("llama3_1_tools_in_user.txt"))
    messages = [qwen[0], llama[1]]
    with pytest.raises(rr.ToolSpecError) as info:
        tools_from_messages(messages)
    assert "message 1 (user) Llama 3.x tool list" in (info.value.field or "")
    assert "message 0 (system) <tools> block" in str(info.value)


# --- the bundled blog rows and the SageMaker Lambda ------------------------------------------------------------------


def blog_rows() -> list[dict[str, Any]]:
    text = (resources.files("rlvr_rewards") / "data" / "blog_rows.jsonl").read_text()
    return [json.loads(x) for x in text.splitlines() if x.strip()]


def parsed_blog_tools(r: dict[str, Any]) -> list[Any]:
    """The row's tools, parsed here without the library: the Qwen block after the sentence, one object a line."""
    system = r["prompt"][0]["content"]
    body = system.split(QWEN_SENTENCE + "<tools>\n", 1)[1].split("\n</tools>", 1)[0]
    return [json.loads(x) for x in body.splitlines()]


def test_blog_rows_score_the_same_with_tools_only_in_the_prompt() -> None:
    rows = [r for r in blog_rows() if r["reward_model"]["ground_truth"].startswith("[")]
    assert len(rows) == 12 and all("tools" not in r and "tools" not in r["extra_info"] for r in rows)
    with_tools = copy.deepcopy(rows)
    for r in with_tools:
        r["extra_info"]["tools"] = parsed_blog_tools(r)
        assert len(r["extra_info"]["tools"]) == 5
    completions = [hermes(*json.loads(r["reward_model"]["ground_truth"])) for r in rows]
    # also a wrong-typed amount, which only the schema catches: the rewards must agree there too
    completions.append(hermes({"name": "currency_convert", "arguments": {"amount": "50", "from": "EUR", "to": "USD"}}))
    rows.append(rows[0])
    with_tools.append(with_tools[0])
    a, b = rr.score_batch(completions, rows), rr.score_batch(completions, with_tools)
    assert a.rewards.tolist() == b.rewards.tolist()
    assert a.reasons == b.reasons
    for name in a.components:
        assert [x if not math.isnan(x) else None for x in a.components[name]] == [
            x if not math.isnan(x) else None for x in b.components[name]
        ], name
    assert a.components["schema"][:-1].tolist() == [1.0] * 12
    assert a.components["schema"][-1] == 0.0


def test_lambda_scores_the_same_with_tools_only_in_the_qwen_system_prompt() -> None:
    r = blog_rows()[0]
    assert r["id"] == "blog-001"
    truth = r["reward_model"]["ground_truth"]
    replies = [
        hermes(*json.loads(truth)),
        hermes({"name": "currency_convert", "arguments": {"amount": "50", "from": "EUR", "to": "USD"}}),
    ]
    prompt_only = [
        {"id": f"p{i}", "messages": [*r["prompt"], {"role": "assistant", "content": c}], "reference_answer": truth}
        for i, c in enumerate(replies)
    ]
    with_tools = [
        {**s, "id": f"t{i}", "extra_info": {"tools": parsed_blog_tools(r)}} for i, s in enumerate(prompt_only)
    ]
    response = lambda_handler(prompt_only + with_tools, {})
    assert response["statusCode"] == 200
    results = json.loads(response["body"])
    assert not any(m["name"].startswith("error") for res in results for m in res["metrics_list"]), results
    a, b = results[:2], results[2:]
    assert [x["aggregate_reward_score"] for x in a] == [x["aggregate_reward_score"] for x in b]
    assert [x["metrics_list"] for x in a] == [x["metrics_list"] for x in b]
    assert a[0]["aggregate_reward_score"] == 1.0 and a[1]["aggregate_reward_score"] < 1.0


# --- linear time ------------------------------------------------------------------------------------------------------


def test_many_empty_blocks_then_the_real_one_linear_time() -> None:
    """A long prompt of empty blocks and Qwen sentences, then the real block: found, in time linear in the length."""
    qwen_system = chatml_messages(fixture("qwen2_5.txt"))[0]["content"]

    def prompt(n: int) -> str:
        return (QWEN_SENTENCE + "[AVAILABLE_TOOLS][/AVAILABLE_TOOLS] text { [ } ") * n + qwen_system

    small, big = prompt(2_000), prompt(20_000)
    assert tools_from_prompt(big) == TOOLS
    assert_linear(lambda: tools_from_prompt(small), lambda: tools_from_prompt(big), 25.0, "empty blocks x10")
    unclosed_small, unclosed_big = small + "<tools>" + "x" * 40_000, big + "<tools>" + "x" * 400_000
    with pytest.raises(rr.ToolSpecError):
        tools_from_prompt(unclosed_big)

    def refused(text: str) -> Callable[[], None]:
        def run() -> None:
            with pytest.raises(rr.ToolSpecError):
                tools_from_prompt(text)

        return run

    assert_linear(refused(unclosed_small), refused(unclosed_big), 25.0, "unclosed block after empty ones x10")


# --- which texts are read -------------------------------------------------------------------------------------------


def test_later_user_messages_are_the_users_words_and_are_not_read() -> None:
    qwen = chatml_messages(fixture("qwen2_5.txt"))
    asking = {"role": "user", "content": "In Qwen's template, what does an unclosed <tools> tag do?"}
    messages = [*qwen, {"role": "assistant", "content": "It opens a block."}, asking]
    assert_same_tools(tools_from_messages(messages), "qwen2_5.txt")
    assert_same_tools(resolve_item(row(messages))[1], "qwen2_5.txt")
    with pytest.raises(rr.ToolSpecError):  # the same text as the first user message is read, and refused
        tools_from_messages([asking])


@pytest.mark.parametrize("name", sorted(READABLE))
def test_a_row_whose_prompt_is_one_rendered_string_gives_back_the_tools(name: str) -> None:
    assert_same_tools(resolve_item(row(fixture(name)))[1], name)


def test_tools_given_to_score_mean_the_prompt_is_not_read() -> None:
    broken = [{"role": "system", "content": "<tools>\n{not json}\n</tools>"}, {"role": "user", "content": "Hi"}]
    with pytest.raises(rr.ToolSpecError) as info:
        rr.score("Which city?", row(broken))
    assert (info.value.field or "").startswith("prompt: message 0 (system) <tools> block")
    call = '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>'
    assert rr.score(call, row(broken), tools=TOOLS).reward == 1.0  # the prompt is not read: no error
    same = row(broken)  # one row object, tools given for one item only: that item alone reads the prompt
    with pytest.raises(rr.ToolSpecError) as info:
        rr.score_batch([call, call], [same, same], tools=[TOOLS, None])
    assert info.value.index == 1
    assert list(rr.score_batch([call, call], [same, same], tools=[TOOLS, TOOLS]).rewards) == [1.0, 1.0]
