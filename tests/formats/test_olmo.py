"""The ``olmo3`` format: pythonic calls, one a line, in ``<function_calls>...</function_calls>`` (OLMo 3).

Texts follow the OLMo 3 / 3.1 Instruct chat template (``allenai/Olmo-3.1-*``: it writes each call as
``name(key=<value | tojson>, ...)``, the calls joined by newlines, inside ``<function_calls>``; OLMo 3 Think's
generation prompt ends with ``<think>``) and the vLLM tests ``tests/tool_parsers/test_olmo3_tool_parser.py``.
The template does not ship in TRL, so nothing is rendered here.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import rlvr_rewards as rr
from rlvr_rewards.parsing import olmo as module
from rlvr_rewards.parsing.olmo import SPECS, parse_olmo3, python_constants
from rlvr_rewards.plugins import get_plugin_manager, register_plugin, unregister_plugin
from tests.formats.harness import TOOLS, FormatCase, calls_of, check_cases

TEMPLATE = "OLMo 3.1 Instruct chat template (allenai/Olmo-3.1-*): name(key=<value | tojson>) a line"
VLLM = "vLLM tests/tool_parsers/test_olmo3_tool_parser.py"

SIMPLE = "get_weather(city='San Francisco', metric='celsius')"
SIMPLE_ARGS = {"city": "San Francisco", "metric": "celsius"}
MORE_TYPES = (
    "register_user(name='John Doe', age=37, address={'city': 'San Francisco', 'state': 'CA'}, role=None, "
    "passed_test=True, aliases=['John', 'Johnny'])"
)
MORE_TYPES_JSON = MORE_TYPES.replace("None", "null").replace("True", "true")
USER = {
    "name": "John Doe",
    "age": 37,
    "address": {"city": "San Francisco", "state": "CA"},
    "role": None,
    "passed_test": True,
    "aliases": ["John", "Johnny"],
}


def block(*lines: str) -> str:
    return "<function_calls>" + "\n".join(lines) + "</function_calls>"


CASES: dict[str, list[FormatCase]] = {
    "olmo3": [
        FormatCase(
            "one",
            block('get_weather(city="Paris", days=2)'),
            [("get_weather", {"city": "Paris", "days": 2})],
            TEMPLATE,
            tools=TOOLS,
            absent_violations=("text_with_call",),
        ),
        FormatCase(
            "several",
            block(
                'get_weather(city="Paris", unit="celsius")',
                'search(query="rust async", limit=5, score=0.5, exact=true, tags=["a", "b"], '
                'filters={"lang": "en", "safe": false, "region": null})',
            ),
            [
                ("get_weather", {"city": "Paris", "unit": "celsius"}),
                (
                    "search",
                    {
                        "query": "rust async",
                        "limit": 5,
                        "score": 0.5,
                        "exact": True,
                        "tags": ["a", "b"],
                        "filters": {"lang": "en", "safe": False, "region": None},
                    },
                ),
            ],
            TEMPLATE,
            tools=TOOLS,
            id="JSON constants",
        ),
        FormatCase("one", block(SIMPLE), [("get_weather", SIMPLE_ARGS)], VLLM),
        FormatCase("one", block(MORE_TYPES), [("register_user", USER)], VLLM, id="Python literals"),
        FormatCase("one", block(MORE_TYPES_JSON), [("register_user", USER)], VLLM, id="JSON literals"),
        FormatCase("one", block("get_weather()"), [("get_weather", {})], VLLM, id="no arguments"),
        FormatCase(
            "one",
            block("do_something_cool(additional_data={})", ""),
            [("do_something_cool", {"additional_data": {}})],
            VLLM,
        ),
        FormatCase(
            "one",
            block(r"get_weather(city='Martha\'s Vineyard', metric='\"cool units\"')"),
            [("get_weather", {"city": "Martha's Vineyard", "metric": '"cool units"'})],
            VLLM,
            id="escaped strings",
        ),
        FormatCase(
            "several",
            block(SIMPLE, MORE_TYPES),
            [("get_weather", SIMPLE_ARGS), ("register_user", USER)],
            VLLM,
        ),
        FormatCase(
            "several",
            "<function_calls>get_weather(city='San Francisco', metric='celsius')\nget_weather()\n"
            "do_something_cool(steps=[])</function_calls>",
            [("get_weather", SIMPLE_ARGS), ("get_weather", {}), ("do_something_cool", {"steps": []})],
            VLLM,
            id="three lines",
        ),
        FormatCase(
            "reasoning",
            "The user wants the weather in Paris, so I call get_weather.</think>\n"
            + block('get_weather(city="Paris")'),
            [("get_weather", {"city": "Paris"})],
            TEMPLATE + "; OLMo 3 Think (its generation prompt ends with <think>)",
            think="weather in Paris",
        ),
        FormatCase(
            "prose",
            "I'll look that up for you.\n" + block('get_weather(city="Paris")'),
            [("get_weather", {"city": "Paris"})],
            TEMPLATE,
            violations=("text_with_call",),
        ),
        FormatCase("zero", "How can I help you today?", [], VLLM),
        FormatCase("zero", "<function_calls></function_calls>", [], TEMPLATE, violations=("empty_call_block",)),
        FormatCase(
            "zero",
            block("I will call get_weather for Paris"),
            [],
            TEMPLATE,
            violations=("pythonic_not_call",),
            id="prose inside the block",
        ),
        FormatCase(
            "truncated",
            '<function_calls>get_weather(city="Par',
            [],
            TEMPLATE,
            violations=("unclosed_tag", "pythonic_not_call"),
        ),
        FormatCase(
            "truncated",
            "<function_calls>get_weather(city='San Francisco', metric='celsius')\nget_weather()",
            [("get_weather", SIMPLE_ARGS), ("get_weather", {})],
            VLLM,
            violations=("unclosed_tag",),
            id="cut before </function_calls>",
        ),
    ]
}


@pytest.fixture(scope="module", autouse=True)
def _registered() -> Iterator[None]:
    """The format is registered (by the built-ins, or here for this module's tests)."""
    added = not get_plugin_manager().is_registered(module)
    if added:
        register_plugin(module)
    yield
    if added:
        unregister_plugin(module)


def test_cases() -> None:
    check_cases("olmo3", CASES["olmo3"])


@pytest.mark.parametrize("hint", ["olmo", "olmo3", "OLMo-3", "olmo-3.1"])
def test_hints(hint: str) -> None:
    result = rr.parse(block(SIMPLE), format=hint)
    assert result.format == "olmo3" and calls_of(result) == [("get_weather", SIMPLE_ARGS)]


def test_example_is_one_call() -> None:
    (spec,) = SPECS
    result = rr.parse(spec.example)
    assert result.format == spec.name and len(result.calls) == 1 and not result.violations


@pytest.mark.parametrize(
    "text",
    [
        "How can I help you today?",
        '<tool_call>\n{"name": "f", "arguments": {"a": 1}}\n</tool_call>',
        "[f(a=1)]",
        "f(a=1)",
        '{"name": "f", "arguments": {}}',
        '<function_calls>\n<invoke name="f">\n<parameter name="a">1</parameter>\n</invoke>\n</function_calls>',
        "<functions>[]</functions>",
    ],
)
def test_other_text_is_not_claimed(text: str) -> None:
    assert parse_olmo3(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("f(a=true, b=false, c=null)", "f(a=True, b=False, c=None)"),
        ('f(a="true", b=\'null\', c="""x\ntrue""")', 'f(a="true", b=\'null\', c="""x\ntrue""")'),
        ("f(a=x.true, true=1, b=[null])", "f(a=x.true, true=1, b=[None])"),
        ("f(a=trueish, b=nulls, c=_false)", "f(a=trueish, b=nulls, c=_false)"),
        ("f(a=1)  # true", "f(a=1)  # true"),
        ("f(a='it\\'s true', b=true)", "f(a='it\\'s true', b=True)"),
        ("f(a=r'\\\\', b=true)", "f(a=r'\\\\', b=True)"),
        ("f(a=r'\\', b=true)", "f(a=r'\\', b=true)"),  # r'\' never closes: left as it is
        ("f(a='never closed, b=true)", "f(a='never closed, b=true)"),
        ("f(a=true==true)", "f(a=True==True)"),
        ("f(a=1)", "f(a=1)"),
    ],
)
def test_python_constants(text: str, expected: str) -> None:
    assert python_constants(text) == expected


@pytest.mark.parametrize(
    ("text", "violations", "calls"),
    [
        ("</function_calls>", {"stray_closing_tag"}, []),
        (
            block("[get_weather(city='Paris'), get_weather()]"),
            set(),
            [("get_weather", {"city": "Paris"}), ("get_weather", {})],
        ),
        (block("get_weather(city=x)"), {"pythonic_bare_name"}, [("get_weather", {"city": "x"})]),
        (block("get_weather(city=x + 1)"), {"pythonic_not_call"}, [("get_weather", None)]),
        (block("get_weather('Paris')"), {"pythonic_not_call"}, [("get_weather", None)]),
        (block("get_weather(city='Paris', city='Rome')"), {"duplicate_keys"}, [("get_weather", {"city": "Rome"})]),
        # a call over several lines (the template never writes one) is not read
        (block("get_weather(", "  city='Paris',", ")"), {"pythonic_not_call"}, []),
        (block(SIMPLE, "", "  " + SIMPLE + "  "), set(), [("get_weather", SIMPLE_ARGS)] * 2),
        (block(SIMPLE) + "\n" + block("get_weather()"), set(), [("get_weather", SIMPLE_ARGS), ("get_weather", {})]),
    ],
)
def test_edges(text: str, violations: set[str], calls: list[tuple[str, object]]) -> None:
    result = parse_olmo3(text)
    assert result is not None and result.attempted_call and result.format == "olmo3"
    assert violations <= set(result.violations), result
    assert calls_of(result) == calls


@pytest.mark.parametrize(
    "text",
    [
        "<function_calls>" * 100_000,
        "</function_calls>" * 100_000,
        block(*[SIMPLE] * 100_000),
        block(*["f(a=true, b=null)"] * 100_000),
        block(*[f"f(a={i})" for i in range(3_000)]),
        "<function_calls>get_weather(" * 100_000,
        block("f(a='" + "true " * 100_000 + "')"),
        block("f(a=[" + "true, " * 20_000 + "])"),
    ],
    ids=lambda text: f"{len(text)} chars",
)
def test_repeated_markers_complete(text: str) -> None:
    result = parse_olmo3(text)
    assert result is not None and len(result.calls) <= rr.Limits().max_calls
