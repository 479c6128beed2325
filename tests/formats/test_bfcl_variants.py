"""The BFCL output variants of the built-in formats (``rlvr_rewards/parsing/formats.py``, ``pythonic.py``).

What real models write under BFCL prompting and BFCL's own decoders read (bfcl_eval's
``default_decode_ast_prompting`` wraps the stripped answer in ``[...]`` and reads it with ``ast``; its model
handlers split ``;``-separated calls, read GLM-4's ``name\\n{json}``, ...), which the parsers used to score as
no call:

- ``pythonic``: ``f(a=1); g(b=2)``, calls on lines of their own, a trailing ``;``, the unbracketed list
  ``f(a=1), g(b=2)``, a list of call strings, markdown-escaped names (``get\\_weather``), a list with prose
  before or after it, an answer in inline code or a code fence;
- ``hermes``: a ``<tool_call>`` block written as a Python literal (``python_literal_json``), and the Hermes
  parser declining a first block of Qwen3-Coder XML or GLM (read by ``qwen3_xml`` / ``glm``);
- ``glm_plain`` (new, priority 65): GLM-4 chat's ``NAME\\n{json arguments}``, rendered at test time with the
  glm-4-9b-chat chat template that bfcl_eval's GLM handler carries (when bfcl_eval is installed);
- the ``json`` and ``fence`` parsers no longer claim a pythonic list because it mentions ``"name"``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
from typing import Any

import pytest

import rlvr_rewards as rr
from rlvr_rewards.limits import Limits
from rlvr_rewards.parsing import formats
from rlvr_rewards.parsing.formats import (
    BUILTIN_PARSERS,
    parse_fence,
    parse_glm_plain,
    parse_hermes,
    parse_hermes_straight,
    parse_json,
    parse_pythonic,
    parse_pythonic_plain,
)
from rlvr_rewards.parsing.pythonic import decode_pythonic, json_like_literal, top_level_statements
from rlvr_rewards.parsing.types import VIOLATIONS
from tests.formats import harness
from tests.formats.harness import FormatCase

BFCL = "BFCL default_decode_ast_prompting (bfcl_eval model_handler/utils.py): the answer wrapped in [...]"
BFCL_PROMPT = "BFCL prompting format [func_name1(params_name1=params_value1, ...)] (bfcl_eval default_prompts.py)"
BFCL_LLAMA = "BFCL Llama 3.1 handler (bfcl_eval local_inference/llama_3_1.py): calls separated by ';'"
LLAMA32 = "Llama 3.2 pythonic tool calling (vLLM `pythonic` tool parser tests): calls on lines of their own"
MARKDOWN = "chat UIs' markdown escaping: a '\\_' in a name (get\\_weather), a list in inline code / a fence"
QWEN = "Hermes / Qwen 2.5 tool call blocks written with Python literals (single quotes, True/None)"
GLM4 = "glm-4-9b-chat chat template (as carried by bfcl_eval local_inference/glm.py), assistant turn"
GLM4_DECODE = "BFCL GLM handler decode_ast (bfcl_eval local_inference/glm.py): name line, then JSON arguments"

TOOLS = harness.TOOLS
PARIS = {"city": "Paris", "days": 3}
ROME = {"city": "Rome", "unit": "celsius"}
LOUVRE = {"query": "louvre hours", "limit": 3, "score": 0.5, "exact": True, "tags": ["museum"], "filters": {"x": 1}}


# --------------------------------------------------------------------------------------------------
# pythonic
# --------------------------------------------------------------------------------------------------


def _pythonic_cases() -> list[FormatCase]:
    one = [("get_weather", PARIS)]
    two = [("get_weather", PARIS), ("get_weather", ROME)]
    return [
        FormatCase("one", '[get_weather(city="Paris", days=3)]', one, BFCL_PROMPT, tools=TOOLS),
        FormatCase("one", 'get_weather(city="Paris", days=3);', one, BFCL_LLAMA, id="trailing ;"),
        FormatCase(
            "one",
            'get\\_weather(city="Paris", days=3)',
            one,
            MARKDOWN,
            id="escaped name",
            absent_violations=("pythonic_not_call",),
        ),
        FormatCase("one", "`[get_weather(city='Paris', days=3)]`", one, MARKDOWN, id="inline code"),
        FormatCase(
            "one",
            "```\nget_weather(city='Paris', days=3)\n```",
            one,
            BFCL,
            id="bare fence (BFCL strips backticks)",
            absent_violations=("text_with_call",),
        ),
        FormatCase(
            "several",
            "get_weather(city='Paris', days=3); get_weather(city='Rome', unit='celsius')",
            two,
            BFCL_LLAMA,
            id="; separated",
        ),
        FormatCase(
            "several",
            'get_weather(city="Paris", days=3)\nget_weather(city="Rome", unit="celsius")\n',
            two,
            LLAMA32,
            id="one call a line",
        ),
        FormatCase(
            "several",
            'get_weather(city="Paris", days=3), get_weather(city="Rome", unit="celsius")',
            two,
            BFCL,
            id="unbracketed list",
        ),
        FormatCase(
            "several",
            "['get_weather(city=\"Paris\", days=3)', \"get_weather(city='Rome', unit='celsius')\"]",
            two,
            BFCL,
            id="list of call strings",
        ),
        FormatCase(
            "several",
            '[get\\_weather(city="Paris", days=3), search(query="louvre hours", limit=3, score=0.5, exact=True, '
            'tags=["museum"], filters={"x": 1})]',
            [("get_weather", PARIS), ("search", LOUVRE)],
            MARKDOWN,
            tools=TOOLS,
        ),
        FormatCase(
            "several",
            "[get_weather(city='Paris', days=3)]\n[get_weather(city='Rome', unit='celsius')]",
            two,
            LLAMA32,
            id="a list a line",
        ),
        FormatCase("zero", "[]", [], BFCL_PROMPT, id="no call: an empty list"),
        FormatCase(
            "zero",
            "None of the functions can be used: the question lacks the city.",
            [],
            BFCL_PROMPT,
        ),
        FormatCase(
            "reasoning",
            "<think>Two cities, two calls.</think>\nget_weather(city='Paris', days=3); "
            "get_weather(city='Rome', unit='celsius')",
            two,
            BFCL_LLAMA,
            think="Two cities",
        ),
        FormatCase("truncated", "get_weather(city='Paris', days=3); get_weather(city='Ro", [], BFCL_LLAMA),
        FormatCase("truncated", '[get_weather(city="Paris", days=3), get_weather(city="Ro', [], BFCL_PROMPT),
        FormatCase(
            "prose",
            '[get_weather(city="Paris", days=3)]\n\nI called get_weather for Paris for you.',
            one,
            BFCL_PROMPT,
            violations=("text_with_call",),
        ),
        FormatCase(
            "prose",
            "Sure! Here is the call:\n[get\\_weather(city='Paris', days=3)]",
            one,
            MARKDOWN,
            violations=("text_with_call",),
        ),
        FormatCase("prose", "Call get_weather(city='Paris') to find out.", [], BFCL_PROMPT),
        FormatCase("prose", "Usage:\n[print(x)]\nprints x.", [], BFCL_PROMPT, id="not literal beside prose"),
    ]


# --------------------------------------------------------------------------------------------------
# hermes: Python-literal blocks
# --------------------------------------------------------------------------------------------------


def _block(body: str) -> str:
    return f"<tool_call>\n{body}\n</tool_call>"


def _hermes_cases() -> list[FormatCase]:
    paris = "{'name': 'get_weather', 'arguments': {'city': 'Paris', 'days': 3}}"
    louvre = (
        "{'name': 'search', 'arguments': {'query': 'louvre hours', 'limit': 3, 'score': 0.5, 'exact': True, "
        "'tags': ['museum'], 'filters': {'x': 1}}}"
    )
    py = ("python_literal_json",)
    return [
        FormatCase("one", _block(paris), [("get_weather", PARIS)], QWEN, violations=py),
        FormatCase(
            "one",
            _block(
                '{"name": "search", "arguments": {"query": "louvre hours", "limit": 3, "score": 0.5, '
                '"exact": True, "tags": ["museum"], "filters": {"x": 1}}}'
            ),
            [("search", LOUVRE)],
            QWEN,
            violations=py,
            id="double quotes, Python constant",
        ),
        FormatCase(
            "one",
            _block('{"name": "get_weather", "arguments": {"city": "Paris", "days": 3}}'),
            [("get_weather", PARIS)],
            QWEN,
            absent_violations=py,
            id="JSON: no violation",
        ),
        FormatCase(
            "several",
            _block(paris) + "\n" + _block(louvre),
            [("get_weather", PARIS), ("search", LOUVRE)],
            QWEN,
            violations=py,
        ),
        FormatCase(
            "several",
            _block(f"[{paris}, {louvre}]"),
            [("get_weather", PARIS), ("search", LOUVRE)],
            QWEN,
            violations=py,
            id="a list in one block",
        ),
        FormatCase("zero", _block("{'name': 'get_weather', 'arguments': {'city': 'Paris'}"), [], QWEN),
        FormatCase(
            "reasoning",
            "<think>\nThe user wants the weather.\n</think>\n\n" + _block(paris),
            [("get_weather", PARIS)],
            QWEN,
            think="wants the weather",
            violations=py,
        ),
        FormatCase(
            "truncated",
            "<tool_call>\n{'name': 'get_weather', 'arguments': {'city': 'Par",
            [],
            QWEN,
            violations=("unclosed_tag", "invalid_json"),
        ),
        FormatCase(
            "prose",
            "Let me check the weather.\n" + _block(paris),
            [("get_weather", PARIS)],
            QWEN,
            violations=("text_with_call", "python_literal_json"),
        ),
    ]


# --------------------------------------------------------------------------------------------------
# glm_plain
# --------------------------------------------------------------------------------------------------

#: What glm-4-9b-chat writes for one call (the template's assistant message: ``<|assistant|>`` + the name as
#: metadata + ``\n`` + the JSON arguments), as :func:`test_glm4_chat_template_renders_the_case` checks.
GLM_TURN = 'get_weather\n{"city": "Paris", "days": 3}'


def _glm_template() -> str | None:
    """The glm-4-9b-chat chat template bfcl_eval's GLM handler carries in its docstring (read from the file:
    importing the handler needs optional dependencies), or ``None`` without bfcl_eval."""
    spec = importlib.util.find_spec("bfcl_eval")
    if spec is None or spec.origin is None:
        return None
    path = os.path.join(os.path.dirname(spec.origin), "model_handler", "local_inference", "glm.py")
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as fh:
        found = re.search(r'"chat_template": (".*?[^\\]"),?\n', fh.read())
    return str(json.loads(found.group(1))) if found else None


def _glm_cases() -> list[FormatCase]:
    rome = '{"city": "Rome", "unit": "celsius"}'
    return [
        FormatCase("one", GLM_TURN, [("get_weather", PARIS)], GLM4, tools=TOOLS),
        FormatCase(
            "one",
            'search\n{"query": "louvre hours", "limit": 3, "score": 0.5, "exact": true, "tags": ["museum"], '
            '"filters": {"x": 1}}',
            [("search", LOUVRE)],
            GLM4,
        ),
        FormatCase("one", GLM_TURN + "<|observation|>", [("get_weather", PARIS)], GLM4, id="end token kept"),
        FormatCase("one", 'get_weather\n{\n  "city": "Paris",\n  "days": 3\n}', [("get_weather", PARIS)], GLM4_DECODE),
        FormatCase(
            "several",
            GLM_TURN + "<|assistant|>get_weather\n" + rome,
            [("get_weather", PARIS), ("get_weather", ROME)],
            GLM4,
            id="one assistant message a call",
        ),
        FormatCase("zero", "The weather in Paris is sunny, 21 degrees.", [], GLM4),
        FormatCase("zero", "get_weather", [], GLM4_DECODE, id="a name without arguments is a word"),
        FormatCase(
            "reasoning",
            "<think>The user asks about Paris.</think>\n" + GLM_TURN,
            [("get_weather", PARIS)],
            GLM4,
            think="asks about Paris",
        ),
        FormatCase("truncated", 'get_weather\n{"city": "Par', [], GLM4),
        FormatCase("prose", GLM_TURN + "\nI will check the weather.", [], GLM4, id="nothing may follow"),
        FormatCase("prose", 'Answer\n{"name": "get_weather", "arguments": {"city": "Paris"}}', [], GLM4_DECODE),
        FormatCase("prose", 'Result:\n{"city": "Paris"}', [], GLM4_DECODE),
    ]


CASES: dict[str, list[FormatCase]] = {
    "pythonic": _pythonic_cases(),
    "hermes": _hermes_cases(),
    "glm_plain": _glm_cases(),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_cases(name: str) -> None:
    harness.check_cases(name, CASES[name])


def test_glm4_chat_template_renders_the_case() -> None:
    template = _glm_template()
    if template is None:
        pytest.skip("bfcl_eval is not installed")
    from transformers.utils.chat_template_utils import render_jinja_template

    user = [{"role": "user", "content": "What is the weather in Paris for 3 days?"}]
    call = {"role": "assistant", "metadata": "get_weather", "content": json.dumps({"city": "Paris", "days": 3})}
    before = render_jinja_template([user], chat_template=template, add_generation_prompt=True)[0][0]
    whole = render_jinja_template([[*user, call]], chat_template=template)[0][0]
    assert whole.startswith(before)
    assert whole[len(before) :] == GLM_TURN


# --------------------------------------------------------------------------------------------------
# pythonic: direct tests
# --------------------------------------------------------------------------------------------------


def _calls(result: Any) -> list[tuple[str, Any]]:
    return [(c.name, c.arguments) for c in result.calls] if result is not None else []


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        ("f(a=1); g(b=2)", [("f", {"a": 1}), ("g", {"b": 2})]),
        ("f(a=1);", [("f", {"a": 1})]),
        ("f(a=1);;\n;", [("f", {"a": 1})]),
        ("f(a=1)\ng(b=2)", [("f", {"a": 1}), ("g", {"b": 2})]),
        ("f(a=1)\r\ng(b=2)\r\n", [("f", {"a": 1}), ("g", {"b": 2})]),
        ("f(a=1), f(a=2)", [("f", {"a": 1}), ("f", {"a": 2})]),
        ("f(a=1),\ng(b=2),", [("f", {"a": 1}), ("g", {"b": 2})]),
        (
            'f(a=\'x;y\')  # a comment; not a call\ng(b="""two\nlines""")',
            [("f", {"a": "x;y"}), ("g", {"b": "two\nlines"})],
        ),
        ("f(a=[1,\n2]); g()", [("f", {"a": [1, 2]}), ("g", {})]),
        ("['f(a=1)', \"g(b=2)\"]", [("f", {"a": 1}), ("g", {"b": 2})]),
        ('["f(a=1)"]', [("f", {"a": 1})]),
        ("['[f(a=1), g(b=2)]']", [("f", {"a": 1}), ("g", {"b": 2})]),
        ('get\\_weather(city="Paris")', [("get_weather", {"city": "Paris"})]),
        ("[a\\_b.c\\_d(e\\_f='g\\_h')]", [("a_b.c_d", {"e_f": "g\\_h"})]),
        ("[f(a=1)]\n\nI called f for you.", [("f", {"a": 1})]),
        ("Here you go:\n  [f(a=1), g(b=2)]  \nDone.", [("f", {"a": 1}), ("g", {"b": 2})]),
        ("[f(a=1)]\nI don't know why", [("f", {"a": 1})]),
        ("`f(a=1)`", [("f", {"a": 1})]),
        ("```\n[f(a=1)]\n```", [("f", {"a": 1})]),
    ],
)
def test_variants(text: str, calls: list[tuple[str, Any]]) -> None:
    got = parse_pythonic(text)
    assert got is not None and got.format == "pythonic" and _calls(got) == calls, got
    assert "pythonic_not_call" not in got.violations
    assert rr.parse(text).format == "pythonic"


def test_prose_beside_a_list_is_free_text() -> None:
    got = parse_pythonic("Sure.\n[f(a=1)]\n\nI called f.")
    assert got is not None
    assert got.text == "Sure.\nI called f." and got.violations == ("text_with_call",)


@pytest.mark.parametrize(
    "text",
    [
        "Hello, how can I help you today?",
        "[f(x)] is how you call it",
        "Use:\n[print(x)]\nto print.",
        "f(a=1)\nDone.",
        "f(a=1); and then some prose",
        "Call get_weather(city='Paris') to find out.",
        "f(x) = x^2 is a parabola",
        '["hello", "world"]',
        "['f(a=1)', 'not a call']",
        "[1, 2, 3]",
        "```python\nprint('hi')\n```",
        "```python\nx = f(a=1)\n```",
        "```python\nget_weather(city='Paris')\n```",  # (code of a language: BFCL's decoder fails on it too)
        "```tool_code\nget_weather(city='Paris')\n```",
        "`x`",
        "``` ```",
        "get\\_weather is the function to use",
        "[f(a=1)] [g(b=2)] are two lists on one line",
    ],
)
def test_prose_is_not_claimed(text: str) -> None:
    got = rr.parse(text)
    assert got.calls == () and got.format == "none" and not got.attempted_call, got


def test_the_plain_reading_is_unchanged() -> None:
    """Where the plain reading gives calls (or refuses the text unread), the variants are not tried."""
    for text in ["[f(a=1), 3]", "[f(a=x)]", "f(a=1)", "[f(a=" + "[" * 100 + "]" * 100 + ")]", "[]"]:
        assert parse_pythonic(text) == parse_pythonic_plain(text), text
    assert parse_pythonic_plain("f(a=1); g(b=2)") == parse_pythonic("f(a=1) + g(b=2)")  # (no calls, plain)
    assert parse_pythonic_plain("get\\_weather(city='x')") is None


def test_a_failing_rewrite_keeps_the_plain_outcome() -> None:
    text = "f(a=1), g(b=)"
    got = parse_pythonic(text)
    assert got == parse_pythonic_plain(text)
    assert got is not None and got.calls == () and got.violations == ("pythonic_not_call",)


def test_only_names_are_unescaped() -> None:
    got = parse_pythonic("f\\_g(a='x\\_y', b=\"\\_\")")
    assert _calls(got) == [("f_g", {"a": "x\\_y", "b": "\\_"})]
    got = parse_pythonic("f(a='\\_'); g\\_h()")
    assert _calls(got) == [("f", {"a": "\\_"}), ("g_h", {})]


def test_nul_bytes_are_never_rewritten_away() -> None:
    assert parse_pythonic("f(a=1) # \x00\n; g()") == parse_pythonic_plain("f(a=1) # \x00\n; g()")


def test_json_and_fence_leave_pythonic_lists_alone() -> None:
    assert parse_json('[f(a="name")]') is None
    assert parse_json("['f(a=\"name\")']") is None
    assert parse_fence('```\n[f(a="name")]\n```') is None
    got = rr.parse('[f(a="name")]\n\nI called f for you.')
    assert got.format == "pythonic" and _calls(got) == [("f", {"a": "name"})]
    got = rr.parse('[f(a="name")]')
    assert got.format == "pythonic" and got.violations == ()
    # (broken JSON that mentions "name" is still the json format's attempt)
    got = rr.parse('{"name": "f", "arguments": {')
    assert got.format == "json" and got.violations == ("invalid_json",)


def test_limits_apply_to_the_rewritings() -> None:
    many = "; ".join(["f(a=1)"] * 70)
    got = parse_pythonic(many)
    assert got is not None and len(got.calls) == 64 and "too_many_calls" in got.violations
    deep = "f(a=" + "[" * 70 + "]" * 70 + "); g()"
    got = parse_pythonic(deep)  # (refused unread by the plain reading: not rewritten either)
    assert got == parse_pythonic_plain(deep) and got is not None and got.violations == ("nesting_too_deep",)
    assert parse_pythonic("f(a=1)\n" + deep + ";") is None  # (no plain shape, and the pre-checks refuse it)
    assert parse_pythonic("f(a=1); g(b=1e999)") is not None
    assert _calls(parse_pythonic("f(a=1); g(b=1e999)")) == [("f", {"a": 1}), ("g", None)]


def test_top_level_statements() -> None:
    text = "a(x=';'); b()\nc()  # d; e\n"
    assert top_level_statements(text) == (["a(x=';')", "b()", "c()  ", ""], len(text))
    assert top_level_statements("[f(a=1)]\nrest", 0, until_close=True) == (["[f(a=1)]"], 8)
    assert top_level_statements("x\\_y\\\n(z)") == (["x_y\\\n(z)"], 9)
    assert top_level_statements("f(a='unclosed)") is None
    assert top_level_statements("f(a=1))") is None
    assert top_level_statements("[f(a=1)", 0, until_close=True) is None
    assert top_level_statements("f('''a;\nb''')") == (["f('''a;\nb''')"], 13)


@pytest.mark.parametrize(
    "text",
    [
        "f(a=1);" * 100_000,
        "f(a=1)\n" * 100_000,
        "\\_" * 100_000,
        "[f(a=1)]\n" * 50_000,
        "['f(a=1)', " * 50_000,
        "f(" + "'x'; " * 100_000,
        "[f(\n" * 50_000,
        "`" * 100_000,
        "a\n{}" * 100_000,
        "<|assistant|>" * 50_000,
        "<|assistant|>f\n{}" * 50_000,
    ],
)
def test_markers_repeated_complete(text: str) -> None:
    got = rr.parse(text, limits=Limits(max_chars=2_000_000))
    assert got.format in {"none", "pythonic", "glm_plain"}, got.format


# --------------------------------------------------------------------------------------------------
# hermes: direct tests
# --------------------------------------------------------------------------------------------------


def test_python_literal_violation_is_registered() -> None:
    assert "python_literal_json" in VIOLATIONS


@pytest.mark.parametrize(
    ("body", "calls", "violations"),
    [
        ("{'name': 'f', 'arguments': {'a': 1, 'b': True, 'c': None}}", [("f", {"a": 1, "b": True, "c": None})], ()),
        ("{'name': 'f', 'arguments': {'a': (1, 2)},}", [("f", {"a": [1, 2]})], ()),
        ("{'name': 'f', 'arguments': {'a': 1, 'a': 2}}", [("f", {"a": 2})], ("duplicate_keys",)),
        ("{'name': 'f', 'arguments': {'a': 1e999}}", [], ("nonfinite_number",)),
        ("{'name': 'f', 'arguments': {'a': " + "9" * 200 + "}}", [], ("number_too_large",)),
        ("{'name': 'f', 'arguments': {'a': '\\ud800'}}", [], ("invalid_unicode",)),
        ("{'name': 'f', 'arguments': 'x'}", [("f", None)], ("arguments_json_string", "invalid_json")),
        ("[{'name': 'f'}, {'name': 'g', 'arguments': {}}]", [("f", {}), ("g", {})], ()),
    ],
)
def test_python_literal_blocks(body: str, calls: list[tuple[str, Any]], violations: tuple[str, ...]) -> None:
    got = parse_hermes(_block(body))
    assert got is not None and _calls(got) == calls
    assert set(got.violations) == {"python_literal_json", *violations}, got.violations


@pytest.mark.parametrize(
    ("body", "violations"),
    [
        ("{'name': 'f', 'arguments': {a: 1}}", ("invalid_json",)),  # a name is not a literal
        ("{'name': f(x)}", ("invalid_json",)),
        ("{'name': 'f'} and more", ("invalid_json",)),
        ('{"name": "f", "arguments": {"a": 1}} x', ("trailing_garbage",)),  # JSON then text: as before
        ("{'name': 'f', 'arguments': {'a': " + "[" * 100 + "]" * 100 + "}}", ("invalid_json",)),  # too deep
    ],
)
def test_what_is_no_python_literal_keeps_its_json_outcome(body: str, violations: tuple[str, ...]) -> None:
    got = parse_hermes(_block(body))
    assert got is not None and "python_literal_json" not in got.violations
    assert set(violations) <= set(got.violations), got.violations


@pytest.mark.parametrize(
    "text",
    [
        "{'name': 'f', 'arguments': {'a': 1, 'b': True, 'c': None, 'd': [1.5, -2, 'x'], 'e': {}}}",
        "{'a': 1, 'a': 2}",
        "{\"a\": 'None of them', 'b': \"True\"}",
        "['x', \"y\", [], {}]",
        "{'a': 1e999}",
        "{'a': " + "9" * 300 + "}",
        "{'a': 'it\\'s'}",
        "{'a': (1, 2)}",
        "{'a': 1,}",
        "{'a': 1} x",
        "{'a': null}",
    ],
)
def test_the_quick_literal_reading_equals_the_decoder(text: str) -> None:
    """``json_like_literal`` (one C-level JSON decode) gives what the pythonic decoder gives, or leaves the text
    to it."""
    limits = Limits()
    quick = json_like_literal(text, limits)
    outcome = decode_pythonic("_(_=" + text + ")", limits)
    if quick is None:
        return
    assert isinstance(outcome, list) and outcome[0] is not None and outcome[0][1] is not None, outcome
    assert quick[0] == outcome[0][1]["_"]
    assert quick[1] == ("duplicate_keys" in outcome[0][2])


def test_json_lines_still_read() -> None:
    text = _block('{"name": "f", "arguments": {"a": "it\'s"}}\n{"name": "g", "arguments": {}}')
    got = parse_hermes(text)
    assert got is not None and _calls(got) == [("f", {"a": "it's"}), ("g", {})] and got.violations == ()


QWEN3_XML = "<tool_call>\n<function=get_weather>\n<parameter=city>\nParis\n</parameter>\n</function>\n</tool_call>"
GLM45 = "<tool_call>get_weather\n<arg_key>city</arg_key>\n<arg_value>Paris</arg_value>\n</tool_call>"


@pytest.mark.parametrize(
    "text",
    [
        QWEN3_XML,
        GLM45,
        "<tool_call>list_files</tool_call>",
        "Let me check.\n" + GLM45 + "\n" + _block('{"name": "f"}'),
        "<tool_call>\n<function=get_weather>",  # unclosed
        "</tool_call>" + GLM45,
    ],
)
def test_hermes_declines_xml_blocks(text: str) -> None:
    assert parse_hermes(text) is None
    assert parse_hermes_straight(text, Limits()) is None


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        ("<tool_call>7</tool_call>", []),  # a JSON scalar: Hermes's (missing_name)
        ("<tool_call>true</tool_call>", []),
        (_block('{"name": "f"}') + GLM45, [("f", {})]),  # the first block decides
        ("<tool_call>\n" + '{"name": "f"}', [("f", {})]),
    ],
)
def test_hermes_keeps_json_blocks(text: str, calls: list[tuple[str, Any]]) -> None:
    got = parse_hermes(text)
    assert got is not None and got.format == "hermes" and _calls(got) == calls


def test_the_hot_path_does_not_look_at_xml(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(content: str) -> bool:
        raise AssertionError("foreign_tool_call_block called")

    monkeypatch.setattr(formats, "foreign_tool_call_block", boom)
    one = _block('{"name": "get_weather", "arguments": {"city": "Paris"}}')
    assert _calls(parse_hermes_straight(one, Limits())) == [("get_weather", {"city": "Paris"})]
    assert _calls(parse_hermes(one)) == [("get_weather", {"city": "Paris"})]
    assert len(parse_hermes(one + one).calls) == 2  # type: ignore[union-attr]
    assert parse_hermes(_block("[{oops")) is not None  # (starts as JSON: not looked at either)


# --------------------------------------------------------------------------------------------------
# glm_plain: direct tests
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "calls", "violations"),
    [
        ('get_weather\n{"city": "Paris"}', [("get_weather", {"city": "Paris"})], ()),
        ('  math.factorial \n\n {"n": 5}  ', [("math.factorial", {"n": 5})], ()),
        ("get-weather\n{}", [("get-weather", {})], ()),
        ('f\n{"a": NaN}', [("f", None)], ("nonfinite_number",)),
        ('f\n{"a": 1, "a": 2}', [("f", {"a": 2})], ("duplicate_keys",)),
        ('f\n{"a": 1}<|assistant|>f\n{"a": 1}<|assistant|>g\n{}', [("f", {"a": 1}), ("f", {"a": 1}), ("g", {})], ()),
    ],
)
def test_glm_plain(text: str, calls: list[tuple[str, Any]], violations: tuple[str, ...]) -> None:
    got = parse_glm_plain(text)
    assert got is not None and got.format == "glm_plain" and _calls(got) == calls
    assert got.violations == violations


@pytest.mark.parametrize(
    "text",
    [
        "",
        "get_weather",
        '{"city": "Paris"}',
        'get weather\n{"city": "Paris"}',
        'The call:\n{"city": "Paris"}',
        'get_weather\n{"city": "Paris"}\nthanks',
        'get_weather\n{"city": "Paris"} {"x": 1}',
        'get_weather\n["Paris"]',
        "get_weather\n{city: Paris}",
        'get_weather\n{"name": "f", "arguments": {}}',
        'get_weather {"city": "Paris"}',
        'get_weather\n{"city": "Paris"}<|assistant|>',
        'get_weather\n{"city": "Paris"}<|assistant|>Sure, here it is.',
        '<tool_call>\n{"name": "f"}\n</tool_call>',
        '[f(a="x")]',
    ],
)
def test_glm_plain_declines(text: str) -> None:
    assert parse_glm_plain(text) is None


def test_glm_plain_segments_past_the_block_budget() -> None:
    text = "".join(f"<|assistant|>f{i}\n{{}}" for i in range(2000))
    got = parse_glm_plain(text, Limits(max_chars=1_000_000))
    assert got is not None and got.violations == ("over_budget",) and got.calls == ()


# --------------------------------------------------------------------------------------------------
# The registry
# --------------------------------------------------------------------------------------------------


def test_builtin_specs_are_described() -> None:
    specs = {s.name: s for s in BUILTIN_PARSERS}
    assert [(s.name, s.priority) for s in BUILTIN_PARSERS][-3:] == [("json", 60), ("glm_plain", 65), ("pythonic", 70)]
    hermes = specs["hermes"]
    assert hermes.markers == ("<tool_call>", "</tool_call>")
    assert hermes.family == "Hermes 2 Pro / Qwen 2.5 / Qwen 3"
    assert hermes.aliases == ("qwen", "qwen2.5", "qwen3", "hermes")
    assert specs["llama3"].aliases == ("llama3", "llama-3.1", "llama-3.2", "llama3.1")
    assert specs["glm_plain"].markers == () and specs["json"].markers == () and specs["pythonic"].markers == ()
    for spec in BUILTIN_PARSERS:
        assert spec.family and spec.example and spec.source and spec.description, spec.name
        got = rr.parse(spec.example, format=spec.name)
        assert got.format == spec.name and len(got.calls) == 1 and got.violations == (), spec.name
        for marker in spec.markers:
            assert marker in spec.example, spec.name
    assert "glm_plain" in (formats.__doc__ or "")
