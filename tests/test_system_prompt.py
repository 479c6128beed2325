"""``render_tools_into_prompt`` / ``render_tools_into_row`` (rlvr_rewards.data.system_prompt).

What is promised (the module's contract): for every family, rendering the rewritten messages with the family's
real chat template (TRL's copy) and no tools gives exactly the text of the original messages rendered with
``tools=`` (Llama 3: except the ``Environment: ipython`` header line, which no message can produce; GPT-OSS:
except the system header's "Calls to these tools ..." line and the developer message's "# Instructions" framing,
see ``_expected``); the input
is never mutated; unknown families, prompts that already declare tools, malformed prompts and non-text content
are refused with ConfigError naming the culprit; rewritten rows load and score exactly as before.
"""

from __future__ import annotations

import copy
import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import rlvr_rewards as rr
from rlvr_rewards.data import TOOL_PROMPT_FAMILIES, render_tools_into_prompt, render_tools_into_row
from rlvr_rewards.errors import ConfigError
from rlvr_rewards.groundtruth.toolspecs import compile_tools, tools_from_prompt
from rlvr_rewards.groundtruth.validate import inspect_rows

from .helpers import read_jsonl

#: family -> the TRL chat templates it must reproduce.
TEMPLATES: dict[str, list[str]] = {
    "qwen": ["qwen3", "qwen3_instruct_2507"],
    "qwen2_5": ["qwen2_5"],
    "qwen3_5": ["qwen3_5_think", "qwen3_5_nothink", "qwen3_6", "qwen3_8"],
    "qwen3_6": ["qwen3_6"],
    "llama3": ["llama3_1", "llama3_2"],
    "glm4moe": ["glm4moe"],
    "nemotron3": ["nemotron_3_nano", "nemotron_3_super", "nemotron_3_ultra", "nemotron_3_5_lightning"],
    "lfm2": ["lfm2", "lfm2_v2"],
    "lfm2_5": ["lfm2_2_5", "lfm2_2_5_v2"],
    "gptoss": ["gptoss", "gptoss_training"],
}
PAIRS = [(family, name) for family, names in TEMPLATES.items() for name in names]
LLAMA_ENV_LINE = "Environment: ipython\n"
GPTOSS_CALLS_LINE = "\nCalls to these tools must go to the commentary channel: 'functions'."
GPTOSS_END = "} // namespace functions<|end|>"
GPTOSS_TOOLS_ONLY = "<|start|>developer<|message|># Tools\n\n"

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Météo actuelle d'une ville — 天气 ✓",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string", "description": ' City name, e.g. "Paris". '},
                "units": {"type": "string", "enum": ["metric", "imperial"], "default": "metric"},
            },
            "required": ["city"],
        },
    },
}
NESTED = {
    "type": "function",
    "function": {
        "name": "book_trip",
        "description": "Book a trip with legs and travellers.",
        "parameters": {
            "type": "object",
            "properties": {
                "legs": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"from": {"type": "string"}, "to": {"type": "string"}},
                        "required": ["from", "to"],
                    },
                    "minItems": 1,
                },
                "traveller": {
                    "type": "object",
                    "properties": {"age": {"type": "integer", "minimum": 0}, "vip": {"type": "boolean"}},
                    "additionalProperties": False,
                },
                "class": {"type": ["string", "null"], "enum": ["eco", "business", None]},
            },
            "required": ["legs"],
            "additionalProperties": False,
        },
    },
}
BARE = {
    "name": "send_email",
    "description": "Send an e-mail.\nKeep it short.",
    "parameters": {"type": "object", "properties": {"to": {"type": "string", "format": "email"}}, "required": ["to"]},
}
BARE_NO_PARAMS = {"name": "ping", "description": "Ping the server.", "parameters": {"type": "object", "properties": {}}}

TOOL_LISTS = {
    "openai": [WEATHER, NESTED],
    "bare": [BARE, BARE_NO_PARAMS],
    "mixed": [WEATHER, BARE, NESTED],
}


def _wrapped(spec: dict[str, Any]) -> dict[str, Any]:
    return {"type": "function", "function": spec}


#: JSON Schema features GPT-OSS's TypeScript rendering handles: unions (oneOf, type lists, nullable), arrays
#: of primitives / objects / arrays, nested objects with required keys, defaults next to enums and oneOf.
SCHEMA_ZOO = _wrapped(
    {
        "name": "search_flights",
        "description": "Cherche des vols ✈ — 航班",
        "parameters": {
            "type": "object",
            "properties": {
                "origin": {"type": "string", "description": 'IATA code, e.g. "ZRH"'},
                "dates": {"type": "array", "items": {"type": "string", "format": "date"}, "description": "días"},
                "passengers": {"type": "integer", "minimum": 1, "default": 1},
                "max_price": {"type": "number", "nullable": True},
                "direct": {"type": "boolean", "default": False},
                "cabin": {"type": "string", "enum": ["economy", "business", "first"], "default": "economy"},
                "note": {"type": "string", "nullable": True},
                "stops": {"oneOf": [{"type": "integer", "description": "count"}, {"type": "string"}], "default": "any"},
                "when": {
                    "oneOf": [
                        {"type": "string", "description": "ISO date", "default": "today"},
                        {"type": "object", "properties": {"from": {"type": "string"}, "to": {"type": "string"}}},
                    ]
                },
                "seat": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                "tags": {"type": ["string", "null"]},
                "matrix": {"type": "array", "items": {"type": "array", "items": {"type": "number"}}},
                "legs": {
                    "type": "array",
                    "items": {"type": "object", "properties": {"to": {"type": "string"}}, "required": ["to"]},
                },
                "options": {
                    "type": "object",
                    "description": "Extra options",
                    "properties": {
                        "lang": {"type": "string", "enum": ["de", "fr"]},
                        "meal": {"type": "object", "properties": {"veg": {"type": "boolean"}}, "required": ["veg"]},
                    },
                    "required": ["lang"],
                },
                "extra": {"type": "object", "default": {"k": ["v", 1]}},
                "raw": {},
            },
            "required": ["origin", "dates"],
        },
    }
)
#: GPT-OSS reads ``tool.function``: its lists are the OpenAI-wrapped specs (bare ones are refused).
GPTOSS_TOOL_LISTS = {
    "openai": [WEATHER, NESTED],
    "zoo": [SCHEMA_ZOO, _wrapped(BARE_NO_PARAMS)],
    "mixed": [WEATHER, _wrapped(BARE), NESTED, SCHEMA_ZOO],
}


def _tool_lists(family: str) -> dict[str, list[dict[str, Any]]]:
    return GPTOSS_TOOL_LISTS if family == "gptoss" else TOOL_LISTS


PROMPTS: dict[str, list[dict[str, Any]]] = {
    "system_user": [
        {"role": "system", "content": "You are a careful travel assistant. "},
        {"role": "user", "content": "What's the weather in Zürich?"},
    ],
    "user_only": [{"role": "user", "content": " Book me Paris -> Rome, please.\n"}],
    "multi_turn": [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello! How can I help?"},
        {"role": "user", "content": "Email bob@example.com about lunch."},
    ],
    "multi_turn_no_system": [
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello!"},
        {"role": "user", "content": "Weather in Oslo?"},
    ],
}


def _template(name: str) -> str:
    trl = pytest.importorskip("trl", reason="the reference chat templates are TRL's (trl not installed)")
    path = Path(trl.__file__).parent / "chat_templates" / f"{name}.jinja"
    if not path.is_file():
        pytest.skip(f"this trl has no chat_templates/{name}.jinja")
    return path.read_text(encoding="utf-8")


def _render(template: str, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None, **kw: Any) -> str:
    """What ``tokenizer.apply_chat_template(messages, tools=tools, tokenize=False, add_generation_prompt=True)``
    gives (transformers' own renderer, its jinja environment and ``tojson``)."""
    utils = pytest.importorskip(
        "transformers.utils.chat_template_utils", reason="transformers renders the reference text (not installed)"
    )
    kw = {"bos_token": "<s>", "date_string": "26 Jul 2024", **kw}
    rendered, _ = utils.render_jinja_template(
        [copy.deepcopy(messages)], tools=copy.deepcopy(tools), chat_template=template, add_generation_prompt=True, **kw
    )
    return str(rendered[0])


def _expected(family: str, template: str, prompt: list[dict[str, Any]], tools: list[dict[str, Any]], **kw: Any) -> str:
    text = _render(template, prompt, tools, **kw)
    if family == "llama3":  # the one line no message can produce (module contract)
        assert text.count(LLAMA_ENV_LINE) == 1
        text = text.replace(LLAMA_ENV_LINE, "", 1)
    if family == "gptoss":  # the header line and the developer message's framing (module contract)
        assert text.count(GPTOSS_CALLS_LINE) == 1
        text = text.replace(GPTOSS_CALLS_LINE, "", 1)
        assert text.count(GPTOSS_END) == 1
        text = text.replace(GPTOSS_END, "} // namespace functions\n\n<|end|>")
        if not (prompt and prompt[0]["role"] in ("system", "developer") and prompt[0]["content"]):
            assert text.count(GPTOSS_TOOLS_ONLY) == 1
            text = text.replace(GPTOSS_TOOLS_ONLY, "<|start|>developer<|message|># Instructions\n\n# Tools\n\n")
        else:
            assert GPTOSS_TOOLS_ONLY not in text
    return text


def test_every_family_is_tested_and_described() -> None:
    assert set(TEMPLATES) == set(TOOL_PROMPT_FAMILIES)
    assert all(isinstance(d, str) and d for d in TOOL_PROMPT_FAMILIES.values())


@pytest.mark.parametrize(
    ("family", "template_name", "tools_name"),
    [(family, name, tools) for family, name in PAIRS for tools in _tool_lists(family)],
)
@pytest.mark.parametrize("prompt_name", list(PROMPTS))
def test_rendering_without_tools_matches_the_template_with_tools(
    family: str, template_name: str, prompt_name: str, tools_name: str
) -> None:
    template = _template(template_name)
    prompt, tools = PROMPTS[prompt_name], _tool_lists(family)[tools_name]
    new = render_tools_into_prompt(prompt, tools, family)
    assert _render(template, new, None) == _expected(family, template, prompt, tools)
    # the tools really are in the text (the test would pass vacuously if the template ignored them)
    assert _render(template, new, None) != _render(template, prompt, None)


@pytest.mark.parametrize(
    ("family", "template_name", "kwargs"),
    [
        ("qwen", "qwen3", {"enable_thinking": False}),
        ("qwen3_5", "qwen3_5_think", {"enable_thinking": False}),
        ("qwen3_5", "qwen3_8", {"reasoning_effort": "low"}),
        ("qwen3_5", "qwen3_8", {"enable_thinking": False}),
        ("glm4moe", "glm4moe", {"enable_thinking": False}),
        ("llama3", "llama3_1", {"date_string": "01 Feb 2026"}),
        ("gptoss", "gptoss", {"reasoning_effort": "low"}),
        ("gptoss", "gptoss", {"reasoning_effort": "high"}),
        ("gptoss", "gptoss", {"model_identity": "You are a tool-using assistant."}),
        ("gptoss", "gptoss", {"builtin_tools": ["browser", "python"], "reasoning_effort": "high"}),
    ],
)
def test_template_options_apply_equally(family: str, template_name: str, kwargs: dict[str, Any]) -> None:
    template = _template(template_name)
    tools = _tool_lists(family)["mixed"]
    for prompt in PROMPTS.values():
        new = render_tools_into_prompt(prompt, tools, family)
        assert _render(template, new, None, **kwargs) == _expected(family, template, prompt, tools, **kwargs)


def test_qwen2_5_creates_qwens_default_system_message() -> None:
    new = render_tools_into_prompt(PROMPTS["user_only"], [BARE], "qwen2_5")
    assert new[0]["role"] == "system"
    assert new[0]["content"].startswith(
        "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.\n\n# Tools"
    )
    assert render_tools_into_prompt(PROMPTS["user_only"], [BARE], "qwen")[0]["content"].startswith("# Tools")


def test_llama3_writes_into_the_first_user_message_and_the_only_difference_is_the_environment_line() -> None:
    template = _template("llama3_1")
    prompt = PROMPTS["system_user"]
    new = render_tools_into_prompt(prompt, [WEATHER], "llama3")
    assert new[0] == prompt[0]
    assert new[1]["content"].startswith("Given the following functions")
    assert new[1]["content"].endswith("What's the weather in Zürich?")
    with_tools = _render(template, prompt, [WEATHER])
    ours = _render(template, new, None)
    assert ours != with_tools
    assert with_tools.replace(LLAMA_ENV_LINE, "", 1) == ours


def test_gptoss_differs_only_by_the_header_line_and_the_developer_framing() -> None:
    template = _template("gptoss")
    for prompt_name, framing_edits in (("system_user", 2), ("user_only", 3)):
        prompt = PROMPTS[prompt_name]
        new = render_tools_into_prompt(prompt, [WEATHER], "gptoss")
        with_tools = _render(template, prompt, [WEATHER])
        ours = _render(template, new, None)
        assert ours != with_tools
        assert GPTOSS_CALLS_LINE in with_tools and GPTOSS_CALLS_LINE not in ours
        assert "} // namespace functions\n\n<|end|>" in ours
        assert ("<|start|>developer<|message|># Instructions\n\n# Tools" in ours) == (framing_edits == 3)
        # the tools section itself is the template's, character for character
        section = with_tools[
            with_tools.index("# Tools\n\n## functions") : with_tools.index(GPTOSS_END) + len("} // namespace functions")
        ]
        assert section in ours and section.endswith("} // namespace functions")
        assert _expected("gptoss", template, prompt, [WEATHER]) == ours
    new = render_tools_into_prompt(PROMPTS["system_user"], [WEATHER], "gptoss")
    assert new[0] == {"role": "system", "content": "You are a careful travel assistant. \n\n" + section}
    assert new[1:] == PROMPTS["system_user"][1:]
    assert render_tools_into_prompt(PROMPTS["user_only"], [WEATHER], "gptoss")[0] == {
        "role": "system",
        "content": section,
    }


def test_gptoss_typescript_text() -> None:
    """The TypeScript written for a known spec, without the template (its quirks spelled out)."""
    tool = _wrapped(
        {
            "name": "f",
            "description": "Do f.",
            "parameters": {
                "type": "object",
                "properties": {
                    "q": {"type": "string", "description": "query"},
                    "n": {"type": "integer", "default": 3},
                    "mode": {"type": "string", "enum": ["a", "b"], "default": "a"},
                    "ids": {"type": "array", "items": {"type": "integer"}, "nullable": True},
                    "u": {"oneOf": [{"type": "string", "description": "s"}, {"type": "number", "default": 0}]},
                    "o": {"type": "object", "properties": {"k": {"type": "boolean"}}, "required": ["k"]},
                },
                "required": ["q"],
            },
        }
    )
    text = render_tools_into_prompt(PROMPTS["user_only"], [tool, _wrapped(BARE_NO_PARAMS)], "gptoss")[0]["content"]
    assert text == (
        "# Tools\n\n## functions\n\nnamespace functions {\n\n// Do f.\ntype f = (_: {\n// query\nq: string,\n"
        'n?: number, // default: 3,\nmode?: "a" | "b", // default: a,\nids?: number[] | null,\n'
        "u?: string// s | \nnumber" + " " * 20 + "// default: 0,\n"
        "o?: {\nk: \n" + " " * 16 + "boolean},\n}) => any;\n\n"
        "// Ping the server.\ntype ping = () => any;\n\n} // namespace functions"
    )


@pytest.mark.parametrize(
    "prompt",
    [
        [{"role": "developer", "content": "Answer in French."}, {"role": "user", "content": "Météo à Lyon ?"}],
        [{"role": "system", "content": ""}, {"role": "user", "content": "hi"}],
        [{"role": "developer", "content": ""}, {"role": "user", "content": "hi"}],
        [{"role": "system", "content": "  \n"}, {"role": "user", "content": "hi"}],
        [{"role": "user", "content": "hi"}, {"role": "system", "content": "late system"}],
    ],
)
def test_gptoss_developer_and_empty_instructions(prompt: list[dict[str, Any]]) -> None:
    template = _template("gptoss")
    for tools in GPTOSS_TOOL_LISTS.values():
        new = render_tools_into_prompt(prompt, tools, "gptoss")
        assert _render(template, new, None) == _expected("gptoss", template, prompt, tools)
        if prompt[0]["role"] in ("system", "developer"):
            assert new[0]["role"] == prompt[0]["role"] and len(new) == len(prompt)
        with pytest.raises(ConfigError, match="already contains 'namespace functions"):
            render_tools_into_prompt(new, tools, "gptoss")


@pytest.mark.parametrize(
    ("tool", "match"),
    [
        (BARE, "tool 1 .*no 'function' dict; expected an OpenAI-wrapped spec"),
        (_wrapped({"name": "f", "parameters": {}}), "tool 1 .*'description' is .*expected a string"),
        (_wrapped({"name": 7, "description": "d"}), "tool 1 .*'name' is 7; expected a string"),
        (
            _wrapped({"name": "f", "description": "d", "parameters": {"properties": {"a": {"description": 1}}}}),
            "parameter 'a''s 'description'",
        ),
        (
            _wrapped(
                {
                    "name": "f",
                    "description": "d",
                    "parameters": {"properties": {"a": {"type": "integer", "enum": [1, 2], "default": 1}}},
                }
            ),
            "'default' \\(with an enum\\)",
        ),
    ],
)
def test_gptoss_refuses_tools_its_template_fails_on(tool: dict[str, Any], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        render_tools_into_prompt(PROMPTS["user_only"], [WEATHER, tool], "gptoss")
    with pytest.raises(Exception):  # noqa: B017 - the template's own error (jinja's UndefinedError or a TypeError)
        _render(_template("gptoss"), PROMPTS["user_only"], [WEATHER, tool])


def test_tools_from_prompt_does_not_read_gptoss_typescript() -> None:
    for prompt in PROMPTS.values():
        assert tools_from_prompt(render_tools_into_prompt(prompt, GPTOSS_TOOL_LISTS["mixed"], "gptoss")) is None


def test_input_is_not_mutated() -> None:
    for family in TOOL_PROMPT_FAMILIES:
        for prompt in PROMPTS.values():
            tools = _tool_lists(family)["mixed"]
            before_p, before_t = copy.deepcopy(prompt), copy.deepcopy(tools)
            new = render_tools_into_prompt(prompt, tools, family)
            assert prompt == before_p and tools == before_t, family
            assert all(m is not o for m in new for o in prompt), family
            new[-1]["content"] = "changed"
            assert prompt == before_p


def test_unknown_family_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError) as info:
        render_tools_into_prompt(PROMPTS["user_only"], [BARE], "mistral")
    text = str(info.value)
    assert "'mistral'" in text
    for family in TOOL_PROMPT_FAMILIES:
        assert family in text
    with pytest.raises(ConfigError, match="unknown tool prompt family"):
        render_tools_into_row({"prompt": PROMPTS["user_only"], "extra_info": {"tools": [BARE]}}, "qwen3.5")


@pytest.mark.parametrize("family", list(TEMPLATES))
def test_rendering_twice_is_refused(family: str) -> None:
    once = render_tools_into_prompt(PROMPTS["system_user"], [WEATHER], family)
    with pytest.raises(ConfigError, match="already"):
        render_tools_into_prompt(once, [WEATHER], family)
    for other in ("qwen", "llama3", "lfm2", "gptoss"):
        with pytest.raises(ConfigError, match="already"):
            render_tools_into_prompt(once, [WEATHER], other)


def test_a_prompt_with_a_qwen_tools_block_is_refused_for_every_family() -> None:
    row = read_jsonl(resources.files("rlvr_rewards") / "data" / "example_rows.jsonl")[0]
    assert tools_from_prompt(row["prompt"])  # the bundled rows carry a rendered block
    for family in TOOL_PROMPT_FAMILIES:
        with pytest.raises(ConfigError, match=r"already contains .<tools>."):
            render_tools_into_prompt(row["prompt"], row["extra_info"]["tools"], family)


@pytest.mark.parametrize(
    ("prompt", "match"),
    [
        ("<|im_start|>user\nhi<|im_end|>", "expected a list of chat messages"),
        ([{"role": "user"}], "message 0 .*expected a dict with a string 'role' and a 'content'"),
        ([{"content": "hi"}], "message 0 .*expected a dict with a string 'role'"),
        (["hi"], "message 0 is 'hi'"),
        (
            [{"role": "system", "content": [{"type": "text", "text": "be nice"}]}, {"role": "user", "content": "hi"}],
            "message 0 \\(system\\) has content list; expected text content only",
        ),
    ],
)
def test_malformed_prompts_are_refused(prompt: Any, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        render_tools_into_prompt(prompt, [BARE], "qwen")


@pytest.mark.parametrize("tools", [[], None, "[]", [BARE, "ping"], {"name": "x"}])
def test_bad_tool_lists_are_refused(tools: Any) -> None:
    with pytest.raises(ConfigError, match="expected a non-empty list of tool specs"):
        render_tools_into_prompt(PROMPTS["user_only"], tools, "qwen")


def test_llama3_needs_a_user_message_after_the_system_message() -> None:
    with pytest.raises(ConfigError, match="message 1 is a 'assistant' message; expected a user message"):
        render_tools_into_prompt(
            [{"role": "system", "content": "s"}, {"role": "assistant", "content": "a"}], [BARE], "llama3"
        )
    with pytest.raises(ConfigError, match="message 1 is nothing"):
        render_tools_into_prompt([{"role": "system", "content": "s"}], [BARE], "llama3")
    with pytest.raises(ConfigError, match="message 0 \\(user\\) is empty"):
        render_tools_into_prompt([{"role": "user", "content": "  "}], [BARE], "llama3")
    with pytest.raises(ConfigError, match="text content only"):
        render_tools_into_prompt([{"role": "user", "content": [{"type": "text", "text": "hi"}]}], [BARE], "llama3")


def test_list_content_in_messages_not_edited_is_left_alone() -> None:
    prompt = [
        {"role": "system", "content": "s"},
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": [{"type": "text", "text": "hello"}]},
        {"role": "user", "content": "more"},
    ]
    new = render_tools_into_prompt(prompt, [BARE], "qwen")
    assert new[2] == prompt[2]


@pytest.mark.parametrize("family", ["qwen", "qwen2_5", "qwen3_5", "llama3", "glm4moe"])
@pytest.mark.parametrize("tools_name", list(TOOL_LISTS))
def test_tools_from_prompt_reads_the_same_tools_back(family: str, tools_name: str) -> None:
    tools = TOOL_LISTS[tools_name]
    for prompt in PROMPTS.values():
        assert tools_from_prompt(render_tools_into_prompt(prompt, tools, family)) == tools


_BIG_INTS = [-(2**63) - 1, 2**64, 10**30, -(10**40)]


@pytest.mark.parametrize("family", ["qwen", "llama3", "glm4moe"])
@pytest.mark.parametrize("big", _BIG_INTS)
def test_an_integer_beyond_64_bits_in_a_tool_block_is_read_back_exactly(family: str, big: int) -> None:
    tools = [
        {"name": "pick", "parameters": {"type": "object", "properties": {"n": {"type": "integer", "enum": [big]}}}}
    ]
    back = tools_from_prompt(render_tools_into_prompt(next(iter(PROMPTS.values())), tools, family))
    assert back == tools
    assert type(back[0]["parameters"]["properties"]["n"]["enum"][0]) is int


@pytest.mark.parametrize("big", _BIG_INTS)
def test_tools_given_as_text_keep_an_integer_beyond_64_bits(big: int) -> None:
    spec = {"name": "pick", "parameters": {"type": "object", "properties": {"n": {"type": "integer", "enum": [big]}}}}
    toolset = compile_tools(json.dumps([spec]))
    tool = toolset.get("pick") if toolset is not None else None
    assert tool is not None and tool.is_valid({"n": big})
    assert [type(v) for v in tool.enums["n"]] == [int] and tool.enums["n"] == (big,)


# Small JSON Schema-ish tool specs: names, descriptions with any text, nested properties, enums.
_text = st.text(min_size=0, max_size=12)
_name = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
_leaf = st.fixed_dictionaries(
    {"type": st.sampled_from(["string", "integer", "number", "boolean"])},
    optional={"description": _text, "enum": st.lists(st.one_of(_text, st.integers()), min_size=1, max_size=3)},
)
_schema = st.recursive(
    _leaf,
    lambda inner: st.fixed_dictionaries(
        {"type": st.just("object"), "properties": st.dictionaries(_name, inner, max_size=3)}
    ),
    max_leaves=5,
)
_function = st.fixed_dictionaries(
    {
        "name": _name,
        "parameters": st.fixed_dictionaries(
            {"type": st.just("object"), "properties": st.dictionaries(_name, _schema, max_size=3)}
        ),
    },
    optional={"description": _text},
)
_tool = st.one_of(_function, _function.map(lambda f: {"type": "function", "function": f}))
_prompt = st.sampled_from(list(PROMPTS.values()))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tools=st.lists(_tool, min_size=1, max_size=3), prompt=_prompt)
@example(  # orjson rounds an integer past 64 bits into a float (all versions past uint64; 3.10 past int64 too)
    tools=[
        {
            "name": "a",
            "parameters": {"type": "object", "properties": {"n": {"type": "integer", "enum": [-(2**63) - 1]}}},
        }
    ],
    prompt=next(iter(PROMPTS.values())),
)
def test_qwen_property_over_generated_tool_specs(tools: list[dict[str, Any]], prompt: list[dict[str, Any]]) -> None:
    new = render_tools_into_prompt(prompt, tools, "qwen")
    assert tools_from_prompt(new) == tools
    for name in TEMPLATES["qwen"]:
        template = _template(name)
        assert _render(template, new, None) == _render(template, prompt, tools)


_ts_leaf = st.fixed_dictionaries(
    {"type": st.sampled_from(["string", "integer", "number", "boolean", "null", "object", "array"])},
    optional={
        "description": _text,
        "enum": st.lists(_text, max_size=3),
        "nullable": st.booleans(),
        "default": st.one_of(st.none(), st.integers(), _text, st.lists(st.integers(), max_size=2)),
    },
)
_ts_schema = st.recursive(
    _ts_leaf,
    lambda inner: st.one_of(
        st.fixed_dictionaries(
            {"type": st.just("object"), "properties": st.dictionaries(_name, inner, max_size=3)},
            optional={"required": st.lists(_name, max_size=2), "description": _text},
        ),
        st.fixed_dictionaries({"type": st.just("array"), "items": inner}, optional={"nullable": st.booleans()}),
        st.fixed_dictionaries({"oneOf": st.lists(inner, max_size=3)}, optional={"description": _text}),
        st.fixed_dictionaries({"type": st.lists(st.sampled_from(["string", "integer", "null"]), max_size=3)}),
    ),
    max_leaves=6,
)
_ts_tool = st.fixed_dictionaries(
    {
        "name": _name,
        "description": _text,
        "parameters": st.fixed_dictionaries(
            {"type": st.just("object"), "properties": st.dictionaries(_name, _ts_schema, max_size=4)},
            optional={"required": st.lists(_name, max_size=3)},
        ),
    }
).map(_wrapped)


def _template_renders(template: str, tools: list[dict[str, Any]]) -> bool:
    try:
        _render(template, PROMPTS["user_only"], tools)
    except Exception:  # the template's own errors: Jinja's or a TypeError from its "+" on non-text
        return False
    return True


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tools=st.lists(_ts_tool, min_size=1, max_size=3), prompt=_prompt)
def test_gptoss_property_over_generated_tool_specs(tools: list[dict[str, Any]], prompt: list[dict[str, Any]]) -> None:
    """Our TypeScript is the template's for any spec it renders, and refused exactly where the template fails."""
    template = _template("gptoss")
    if not _template_renders(template, tools):
        with pytest.raises(ConfigError, match="cannot be rendered by GPT-OSS's template"):
            render_tools_into_prompt(prompt, tools, "gptoss")
        return
    new = render_tools_into_prompt(prompt, tools, "gptoss")
    assert _render(template, new, None) == _expected("gptoss", template, prompt, tools)


# ---- rows: the rewritten rows load and score exactly as before ----

EXAMPLE = read_jsonl(resources.files("rlvr_rewards") / "data" / "example_rows.jsonl")
COMPLETIONS = {
    c["id"]: c["completion"] for c in read_jsonl(resources.files("rlvr_rewards") / "data" / "example_completions.jsonl")
}


def _rows_without_rendered_tools() -> list[dict[str, Any]]:
    """The bundled rows with the ``<tools>`` block taken out of their prompt (as a converted dataset has them)."""
    rows = []
    for row in EXAMPLE:
        if row["id"] not in COMPLETIONS:
            continue
        row = copy.deepcopy(row)
        system = row["prompt"][0]
        assert system["role"] == "system" and "\n\n# Tools" in system["content"]
        system["content"] = system["content"].split("\n\n# Tools")[0]
        assert tools_from_prompt(row["prompt"]) is None
        rows.append(row)
    assert len(rows) >= 5
    return rows


@pytest.mark.parametrize("family", list(TOOL_PROMPT_FAMILIES))
def test_rewritten_rows_load_and_score_as_before(family: str) -> None:
    rows = _rows_without_rendered_tools()
    before_rows = copy.deepcopy(rows)
    new_rows = [render_tools_into_row(r, family) for r in rows]
    assert rows == before_rows  # not mutated
    for old, new in zip(rows, new_rows, strict=True):
        assert new["extra_info"]["tools_in_prompt"] == family
        assert new["extra_info"]["tools"] == old["extra_info"]["tools"]
        assert new["prompt"] != old["prompt"]
    completions = [COMPLETIONS[r["id"]] for r in rows]
    before = rr.score_batch(completions, rows)
    after = rr.score_batch(completions, new_rows)
    assert list(after.rewards) == list(before.rewards)
    assert list(after.reasons) == list(before.reasons)
    assert len(set(before.rewards)) > 1  # a mix of right and wrong answers, not a constant
    loaded_before, problems_before = inspect_rows(rows)
    loaded_after, problems_after = inspect_rows(new_rows)
    assert problems_after == problems_before
    for a, b in zip(loaded_before, loaded_after, strict=True):
        assert a is not None and b is not None
        assert a.toolset is not None and b.toolset is not None
        assert a.toolset.key == b.toolset.key


def test_row_tools_given_as_json_text_and_rows_without_tools() -> None:
    row = _rows_without_rendered_tools()[0]
    as_text = {**row, "extra_info": {**row["extra_info"], "tools": json.dumps(row["extra_info"]["tools"])}}
    assert render_tools_into_row(as_text, "qwen")["prompt"] == render_tools_into_row(row, "qwen")["prompt"]
    assert render_tools_into_row(as_text, "qwen")["extra_info"]["tools"] == as_text["extra_info"]["tools"]
    for no_tools in (
        {"prompt": PROMPTS["user_only"]},
        {"prompt": PROMPTS["user_only"], "extra_info": {}},
        {"prompt": PROMPTS["user_only"], "extra_info": {"tools": []}},
        {"prompt": PROMPTS["user_only"], "extra_info": {"tools": None}},
    ):
        assert render_tools_into_row(no_tools, "qwen") is no_tools
    with pytest.raises(ConfigError, match=r"extra_info\.tools is text that is not JSON"):
        render_tools_into_row({"prompt": PROMPTS["user_only"], "extra_info": {"tools": "[{"}}, "qwen")
    with pytest.raises(ConfigError, match="the row has no 'prompt'"):
        render_tools_into_row({"messages": PROMPTS["user_only"], "extra_info": {"tools": [BARE]}}, "qwen")


def test_tools_declared_in_another_templates_form_are_refused() -> None:
    mistral = json.dumps([WEATHER])
    declared = [{"role": "user", "content": f"[AVAILABLE_TOOLS]{mistral}[/AVAILABLE_TOOLS][INST]hi[/INST]"}]
    with pytest.raises(ConfigError, match="already declares tools"):
        render_tools_into_prompt(declared, [WEATHER], "qwen")
    broken = [
        {"role": "system", "content": "[AVAILABLE_TOOLS][{oops[/AVAILABLE_TOOLS]"},
        {"role": "user", "content": "hi"},
    ]
    with pytest.raises(ConfigError, match="already has a tool block, and a broken one"):
        render_tools_into_prompt(broken, [WEATHER], "llama3")
