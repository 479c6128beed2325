"""Tool schemas resolve references inside themselves only, and name a known dialect.

A ``$ref`` / ``$dynamicRef`` / ``$recursiveRef`` to any other document (http, https, file, a relative URI, a urn)
is a ToolSpecError naming the tool and the field, when the tools are compiled; the registry the jsonschema
validators get refuses to retrieve anything at run time as well, so nothing is ever fetched or read: proved by
scoring with the network and ``open`` patched to fail. ``$schema`` must be a string naming a dialect jsonschema
knows; ``jsonschema.validators.validator_for`` never raises out.
"""

from __future__ import annotations

import builtins
import json
import socket
import urllib.request
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
import referencing.exceptions

import rlvr_rewards as rr
from rlvr_rewards.groundtruth import toolspecs as tools_module
from rlvr_rewards.groundtruth.toolspecs import compile_tools

from .helpers import RUN_TRUTH, run_call, run_tools


def _schema_valid(parameters: dict[str, Any], **arguments: Any) -> bool:
    s = rr.score(run_call(**arguments), RUN_TRUTH, tools=run_tools(parameters))
    return s.components["schema"] == 1.0


REMOTE = [
    "http://10.255.255.1/x",
    "https://example.com/schema.json",
    "https://json-schema.org/draft/2020-12/schema",
    "file:///etc/passwd",
    "file://localhost/etc/hosts#/a",
    "other.json",
    "other.json#/$defs/x",
    "../schemas/common.json",
    "//example.com/x",
    "urn:example:schema",
    "/absolute/path.json",
    "",
]

#: Where a reference can sit, as (parameters with {REF} in place of the reference object, field path of it).
PLACES: list[tuple[Any, str]] = [
    ({"type": "object", "properties": {"code": "REF"}}, "parameters.properties.code"),
    ({"type": "object", "REF": None}, "parameters"),
    ({"type": "object", "$defs": {"d": "REF"}}, "parameters.$defs.d"),
    ({"type": "object", "properties": {"xs": {"type": "array", "items": "REF"}}}, "parameters.properties.xs.items"),
    ({"type": "object", "anyOf": [{}, "REF"]}, "parameters.anyOf[1]"),
    ({"type": "object", "additionalProperties": "REF"}, "parameters.additionalProperties"),
    ({"type": "object", "patternProperties": {"^x": "REF"}}, "parameters.patternProperties.^x"),
    ({"type": "object", "if": {}, "then": "REF"}, "parameters.then"),
    ({"type": "object", "not": {"not": "REF"}}, "parameters.not.not"),
    ({"type": "object", "dependentSchemas": {"code": "REF"}}, "parameters.dependentSchemas.code"),
]


def _place(template: Any, ref_object: dict[str, Any]) -> Any:
    if template == "REF":
        return dict(ref_object)
    if isinstance(template, dict):
        out = {}
        for k, v in template.items():
            if k == "REF":
                out.update(ref_object)
            else:
                out[k] = _place(v, ref_object)
        return out
    if isinstance(template, list):
        return [_place(v, ref_object) for v in template]
    return template


@pytest.mark.parametrize("uri", REMOTE)
@pytest.mark.parametrize(("template", "where"), PLACES, ids=[w for _, w in PLACES])
@pytest.mark.parametrize("keyword", ["$ref", "$dynamicRef"])
def test_a_reference_to_another_document_is_a_located_tool_spec_error(
    uri: str, template: Any, where: str, keyword: str
) -> None:
    parameters = _place(template, {keyword: uri})
    with pytest.raises(rr.ToolSpecError) as info:
        rr.score(run_call(code="x"), RUN_TRUTH, tools=run_tools(parameters))
    assert info.value.field == f"{where}.{keyword}"
    assert "tool 'run'" in info.value.message


@pytest.mark.parametrize("uri", ["http://example.com/x", "other.json", "urn:x"])
def test_recursive_ref_to_another_document_is_refused_in_draft_2019(uri: str) -> None:
    parameters = {
        "$schema": "https://json-schema.org/draft/2019-09/schema",
        "type": "object",
        "properties": {"code": {"$recursiveRef": uri}},
    }
    with pytest.raises(rr.ToolSpecError) as info:
        compile_tools(run_tools(parameters))
    assert info.value.field == "parameters.properties.code.$recursiveRef"


@pytest.mark.parametrize("value", [1, None, ["#/a"], {"$ref": "#"}])
def test_a_reference_that_is_not_a_string_is_refused(value: Any) -> None:
    """(``None`` as JSON text: in a Python object it is Arrow's fill and dropped, docs/ground-truth.md.)"""
    tools = run_tools({"type": "object", "properties": {"code": {"$ref": value}}})
    with pytest.raises(rr.ToolSpecError) as info:
        compile_tools(json.dumps(tools) if value is None else tools)
    assert info.value.field == "parameters.properties.code.$ref"


@pytest.mark.parametrize(
    "ref", ["#/$defs/missing", "#/properties/nope/x", "#/items/5", "#missing-anchor", "#/$defs/a~2b"]
)
def test_a_local_reference_that_resolves_to_nothing_is_refused(ref: str) -> None:
    parameters = {"type": "object", "properties": {"code": {"$ref": ref}}, "$defs": {"a": {}}}
    with pytest.raises(rr.ToolSpecError) as info:
        compile_tools(run_tools(parameters))
    assert info.value.field == "parameters.properties.code.$ref"


def test_an_embedded_resource_is_refused_and_a_root_id_is_fine() -> None:
    embedded = {"type": "object", "$defs": {"d": {"$id": "https://example.com/d", "type": "string"}}}
    with pytest.raises(rr.ToolSpecError) as info:
        compile_tools(run_tools(embedded))
    assert info.value.field == "parameters.$defs.d.$id"
    rooted = {
        "$id": "https://example.com/tool.json",
        "type": "object",
        "properties": {"code": {"$ref": "#/$defs/c"}},
        "$defs": {"c": {"type": "string", "minLength": 2}},
    }
    assert not _schema_valid(rooted, code="x")
    assert _schema_valid(rooted, code="xy")


LOCAL: list[tuple[dict[str, Any], dict[str, Any], bool]] = [
    (
        {"type": "object", "properties": {"code": {"$ref": "#/$defs/c"}}, "$defs": {"c": {"type": "string"}}},
        {"code": "x"},
        True,
    ),
    (
        {"type": "object", "properties": {"code": {"$ref": "#/$defs/c"}}, "$defs": {"c": {"type": "string"}}},
        {"code": 1},
        False,
    ),
    (
        {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "type": "object",
            "properties": {"code": {"$ref": "#/definitions/c"}},
            "definitions": {"c": {"enum": ["x"]}},
        },
        {"code": "x"},
        True,
    ),
    (
        {
            "$schema": "http://json-schema.org/draft-04/schema#",
            "type": "object",
            "properties": {"code": {"$ref": "#/definitions/c"}},
            "definitions": {"c": {"enum": ["y"]}},
        },
        {"code": "x"},
        False,
    ),
    (
        {"type": "object", "properties": {"code": {"$ref": "#c"}}, "$defs": {"c": {"$anchor": "c", "maxLength": 1}}},
        {"code": "x"},
        True,
    ),
    (
        {"type": "object", "properties": {"code": {"$ref": "#/$defs/a%20b"}}, "$defs": {"a b": {"const": "x"}}},
        {"code": "x"},
        True,
    ),
    (
        {"type": "object", "properties": {"code": {"$ref": "#/$defs/a~1b"}}, "$defs": {"a/b": {"const": "y"}}},
        {"code": "x"},
        False,
    ),
    ({"type": "object", "properties": {"code": {"type": "string"}, "more": {"$ref": "#"}}}, {"code": "x"}, True),
    (
        {"type": "object", "properties": {"code": {"type": "string"}, "more": {"$ref": "#"}}},
        {"code": "x", "more": {"code": 3}},
        False,
    ),
    (
        {
            "type": "object",
            "$dynamicAnchor": "node",
            "properties": {"code": {"type": "string"}, "kids": {"items": {"$dynamicRef": "#node"}}},
        },
        {"code": "x"},
        True,
    ),
    (
        {
            "$schema": "https://json-schema.org/draft/2019-09/schema",
            "$recursiveAnchor": True,
            "type": "object",
            "properties": {"code": {"type": "string"}, "kids": {"items": {"$recursiveRef": "#"}}},
        },
        {"code": "x"},
        True,
    ),
    (
        {"type": "object", "properties": {"code": {"$ref": "#/x/y"}}, "x": {"y": {"pattern": "^x$"}}},
        {"code": "x"},
        True,
    ),
    (
        {"type": "object", "properties": {"code": {"$ref": "#/x/y"}}, "x": {"y": {"pattern": "^y$"}}},
        {"code": "x"},
        False,
    ),
]


@pytest.mark.parametrize(("parameters", "arguments", "valid"), LOCAL)
def test_references_inside_the_schema_resolve(
    parameters: dict[str, Any], arguments: dict[str, Any], valid: bool
) -> None:
    assert _schema_valid(parameters, **arguments) is valid


def test_a_reference_into_a_non_schema_place_is_checked_too() -> None:
    """A JSON pointer can point anywhere in the document (here into an unknown keyword): its target is checked
    like any subschema, located at the target's own path."""
    parameters = {"type": "object", "properties": {"code": {"$ref": "#/x/y"}}, "x": {"y": {"pattern": "(a+)+$"}}}
    with pytest.raises(rr.ToolSpecError) as info:
        compile_tools(run_tools(parameters))
    assert info.value.field == "parameters.x.y.pattern"


# --------------------------------------------------------------------------------------------------------------
# Nothing opened, nothing fetched
# --------------------------------------------------------------------------------------------------------------


@pytest.fixture
def no_io(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every way to reach the network or a file raises (and is recorded)."""
    attempts: list[str] = []

    def refuse(what: str) -> Any:
        def fail(*args: Any, **kwargs: Any) -> Any:
            attempts.append(f"{what}{args[:2]!r}")
            raise AssertionError(f"{what} called while scoring: {args[:2]!r}")

        return fail

    monkeypatch.setattr(socket.socket, "connect", refuse("socket.connect"))
    monkeypatch.setattr(socket, "create_connection", refuse("socket.create_connection"))
    monkeypatch.setattr(urllib.request, "urlopen", refuse("urlopen"))
    monkeypatch.setattr(builtins, "open", refuse("open"))
    yield attempts
    assert attempts == []


SCHEMAS_TO_SCORE: list[dict[str, Any]] = [
    {"type": "object", "properties": {"code": {"type": "string", "pattern": "^[a-z]+$"}}},
    {"type": "object", "properties": {"code": {"$ref": "#/$defs/c"}}, "$defs": {"c": {"pattern": "^x"}}},
    {
        "type": "object",
        "properties": {"code": {"anyOf": [{"type": "string", "pattern": "x$"}, {"type": "integer"}]}},
        "patternProperties": {"^c": {"minLength": 1}},
        "additionalProperties": False,
    },
    {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {"code": {"$ref": "#/definitions/c"}},
        "definitions": {"c": {"type": "string"}},
    },
    {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "id": "http://example.com/tool.json",
        "type": "object",
        "properties": {"code": {"$ref": "#/definitions/c"}},
        "definitions": {"c": {"type": "string"}},
    },
    {
        "type": "object",
        "properties": {
            "code": {"type": "string"},
            "tags": {"type": "array", "uniqueItems": True, "items": {"type": "object"}},
        },
        "unevaluatedProperties": False,
    },
    {
        "type": "object",
        "$dynamicAnchor": "n",
        "properties": {"code": {"type": "string"}, "kids": {"items": {"$dynamicRef": "#n"}}},
    },
]


@pytest.mark.parametrize("parameters", SCHEMAS_TO_SCORE)
def test_scoring_with_tool_schemas_opens_nothing(parameters: dict[str, Any], no_io: list[str]) -> None:
    s = rr.score(run_call(code="x", tags=[{"a": 1}, {"a": 2}]), RUN_TRUTH, tools=run_tools(parameters))
    assert s.components["schema"] in (0.0, 1.0)
    b = rr.score_batch([run_call(code="x"), run_call(code=1)], [RUN_TRUTH, RUN_TRUTH], tools=run_tools(parameters))
    assert len(b.rewards) == 2


@pytest.mark.parametrize("uri", ["http://10.255.255.1/x", "file:///etc/passwd", "other.json"])
def test_a_remote_reference_is_refused_without_opening_anything(uri: str, no_io: list[str]) -> None:
    with pytest.raises(rr.ToolSpecError):
        rr.score(
            run_call(code="x"), RUN_TRUTH, tools=run_tools({"type": "object", "properties": {"code": {"$ref": uri}}})
        )


@pytest.mark.parametrize("uri", ["http://10.255.255.1/x", "file:///etc/passwd", "other.json", "urn:x:y"])
def test_the_registry_refuses_to_retrieve_at_run_time(uri: str, no_io: list[str]) -> None:
    """Defence in depth: a validator built like the tools' ones, on a schema that skipped the compile-time check,
    fails to resolve the reference instead of fetching it."""
    cls = tools_module._guarded_class(jsonschema.Draft202012Validator)
    validator = cls({"$ref": uri}, format_checker=None, registry=tools_module._LOCAL_REGISTRY)
    with pytest.raises(referencing.exceptions.Unresolvable):
        validator.is_valid("x")
    with pytest.raises(referencing.exceptions.NoSuchResource):
        tools_module._LOCAL_REGISTRY.get_or_retrieve(uri)


# --------------------------------------------------------------------------------------------------------------
# $schema
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dialect", [{}, 123, [], None, True, 1.5, ["https://json-schema.org/draft/2020-12/schema"]])
def test_a_schema_keyword_that_is_not_a_string_is_a_located_error(dialect: Any) -> None:
    """(``None`` as JSON text: in a Python object it is Arrow's fill and dropped, docs/ground-truth.md.)"""
    tools = run_tools({"$schema": dialect, "type": "object"})
    with pytest.raises(rr.ToolSpecError) as info:
        rr.score(run_call(code="x"), RUN_TRUTH, tools=json.dumps(tools) if dialect is None else tools)
    assert info.value.field == "parameters.$schema"


@pytest.mark.parametrize(
    "dialect",
    [
        "",
        "http://example.com/my-dialect",
        "draft-07",
        "https://json-schema.org/",
        "http://[::1",
        "\x00",
        "https://json-schema.org/draft/2099-01/schema",
    ],
)
def test_an_unknown_dialect_is_a_located_error(dialect: str) -> None:
    with pytest.raises(rr.ToolSpecError) as info:
        rr.score(run_call(code="x"), RUN_TRUTH, tools=run_tools({"$schema": dialect, "type": "object"}))
    assert info.value.field == "parameters.$schema"


@pytest.mark.parametrize(
    "dialect",
    [
        "https://json-schema.org/draft/2020-12/schema",
        "https://json-schema.org/draft/2019-09/schema",
        "http://json-schema.org/draft-07/schema#",
        "http://json-schema.org/draft-07/schema",
        "http://json-schema.org/draft-06/schema#",
        "http://json-schema.org/draft-04/schema#",
        "http://json-schema.org/draft-03/schema#",
    ],
)
def test_every_dialect_jsonschema_knows_is_accepted(dialect: str) -> None:
    parameters = {"$schema": dialect, "type": "object", "properties": {"code": {"type": "string", "pattern": "^x"}}}
    assert _schema_valid(parameters, code="xy")
    assert not _schema_valid(parameters, code="yx")


def test_validator_for_never_raises_out() -> None:
    """The values that made jsonschema.validators.validator_for raise (an unhashable or non-string $schema)
    are refused before it is called, and anything it raises on a string becomes a ToolSpecError."""
    with pytest.raises(TypeError):
        jsonschema.validators.validator_for({"$schema": {}})  # the bug this guards against
    for dialect in [{}, [], 123, "http://[::1"]:
        with pytest.raises(rr.ToolSpecError):
            compile_tools(run_tools({"$schema": dialect, "type": "object"}))
