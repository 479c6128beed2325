"""Tool specifications: normalisation, BFCL type aliases, schema compilation (validated once, cached).

Contract:
- :func:`compile_tools` accepts OpenAI ``{"type": "function", "function": {...}}`` specs, bare
  ``{"name", "description", "parameters"}`` specs, or the JSON text of a list of either, and returns a
  :class:`ToolSet` (name -> :class:`Tool`). Identical tool lists are compiled once (cache).
- BFCL's type names are accepted as aliases of JSON Schema types: ``dict`` -> ``object``,
  ``float`` -> ``number``, ``tuple`` -> ``array``, ``any`` -> no type constraint.
- Validity is checked by a compiled checker for the usual subset of JSON Schema
  (:mod:`rlvr_rewards.fastschema`), falling back to jsonschema for anything else; both agree.
- A spec that is not usable (no name, parameters not an object schema, invalid JSON Schema) raises
  :class:`ToolSpecError` naming the tool index and field. Model output never reaches this module.
- :func:`tools_from_system_prompt` extracts the specs from a ``<tools>...</tools>`` block (the
  Qwen/Hermes chat template), one JSON object per line or one JSON list.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jsonschema
import orjson

from rlvr_rewards.errors import ToolSpecError
from rlvr_rewards.fastschema import compile_fast
from rlvr_rewards.jsonsafe import canonical_dumps, nesting_depth
from rlvr_rewards.locks import ForkSafeLock

__all__ = ["Tool", "ToolSet", "compile_tools", "normalize_schema", "tools_from_system_prompt"]

_TYPE_ALIASES = {"dict": "object", "float": "number", "tuple": "array", "double": "number", "int": "integer",
                 "str": "string", "bool": "boolean", "list": "array", "long": "integer"}
_JSON_TYPES = frozenset({"object", "array", "string", "number", "integer", "boolean", "null"})
_SCHEMA_KEYS_WITH_SCHEMAS = ("items", "additionalProperties", "not", "contains", "propertyNames")
_SCHEMA_KEYS_WITH_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
_SCHEMA_KEYS_WITH_MAPS = ("properties", "patternProperties", "$defs", "definitions")


def _normalize_type(value: Any, where: str, tool_index: int | None) -> Any:
    if isinstance(value, str):
        t = _TYPE_ALIASES.get(value, value)
        if t == "any":
            return None
        if t not in _JSON_TYPES:
            raise ToolSpecError(
                "unknown type name", index=tool_index, field=where,
                expected="a JSON Schema type or a BFCL alias (dict, float, tuple, any)", got=value,
            )
        return t
    if isinstance(value, list):
        out = []
        for v in value:
            t = _normalize_type(v, where, tool_index)
            if t is None:
                return None
            out.append(t)
        return out
    raise ToolSpecError("`type` must be a string or a list of strings", index=tool_index, field=where, got=value)


def normalize_schema(schema: Any, where: str = "parameters", tool_index: int | None = None) -> Any:
    """A copy of ``schema`` with BFCL type aliases replaced by JSON Schema types (recursively)."""
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "type":
            t = _normalize_type(value, f"{where}.type", tool_index)
            if t is not None:
                out["type"] = t
        elif key in _SCHEMA_KEYS_WITH_SCHEMAS and isinstance(value, dict):
            out[key] = normalize_schema(value, f"{where}.{key}", tool_index)
        elif key in _SCHEMA_KEYS_WITH_LISTS and isinstance(value, list):
            out[key] = [normalize_schema(v, f"{where}.{key}[{i}]", tool_index) for i, v in enumerate(value)]
        elif key == "items" and isinstance(value, list):
            out[key] = [normalize_schema(v, f"{where}.items[{i}]", tool_index) for i, v in enumerate(value)]
        elif key in _SCHEMA_KEYS_WITH_MAPS and isinstance(value, dict):
            out[key] = {k: normalize_schema(v, f"{where}.{key}.{k}", tool_index) for k, v in value.items()}
        else:
            out[key] = value
    return out


@dataclass(frozen=True, slots=True)
class Tool:
    """One compiled tool: its schema facts as plain values plus a cached validity check."""

    name: str
    description: str
    parameters: Mapping[str, Any]
    properties: frozenset[str]
    required: frozenset[str]
    defaults: Mapping[str, Any]
    param_descriptions: Mapping[str, str]
    enums: Mapping[str, tuple[Any, ...]]
    is_valid: Callable[[Any], bool]
    integer_params: frozenset[str] = frozenset()  # declared integer (not number): 1.0 is not accepted


@dataclass(frozen=True, slots=True)
class ToolSet:
    """The tools available to one item, by name. ``key`` identifies the list (for caches)."""

    tools: Mapping[str, Tool]
    key: str

    def get(self, name: str) -> Tool | None:
        return self.tools.get(name)

    def __len__(self) -> int:
        return len(self.tools)


_validator_cache: dict[str, Callable[[Any], bool]] = {}
_toolset_cache: dict[str, ToolSet] = {}
_cache_lock = ForkSafeLock()
_MAX_CACHE = 65_536
#: Deepest nesting a list of tool specs may have (schemas are normalised recursively).
TOOLS_MAX_DEPTH = 100


def _compile_validator(schema: Mapping[str, Any], tool_index: int, name: str) -> Callable[[Any], bool]:
    key = canonical_dumps(schema)
    fn = _validator_cache.get(key)
    if fn is not None:
        return fn
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    try:
        cls.check_schema(schema)
    except jsonschema.SchemaError as exc:
        path = ".".join(str(p) for p in exc.path)
        raise ToolSpecError(
            f"tool {name!r} has an invalid JSON Schema: {exc.message}",
            index=tool_index, field="parameters" + (f".{path}" if path else ""),
        ) from None
    fast = compile_fast(schema) if cls is jsonschema.Draft202012Validator else None
    validator = cls(schema, format_checker=None)
    is_valid = fast if fast is not None else validator.is_valid

    def check(instance: Any) -> bool:
        try:
            return bool(is_valid(instance))
        except Exception:  # a pathological instance (e.g. recursion) is simply invalid
            return False

    with _cache_lock:
        if len(_validator_cache) >= _MAX_CACHE:
            _validator_cache.clear()
        _validator_cache[key] = check
    return check


def _unwrap(spec: Any, index: int) -> dict[str, Any]:
    if not isinstance(spec, dict):
        raise ToolSpecError("a tool spec must be an object", index=index, got=spec)
    if isinstance(spec.get("function"), dict):
        return spec["function"]
    return spec


def _compile_tool(spec: Any, index: int) -> Tool:
    fn = _unwrap(spec, index)
    name = fn.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ToolSpecError("a tool needs a non-empty string name", index=index, field="name", got=name)
    params = fn.get("parameters", fn.get("input_schema", {"type": "object", "properties": {}}))
    if params is None:
        params = {"type": "object", "properties": {}}
    if not isinstance(params, dict):
        raise ToolSpecError(
            f"tool {name!r}: parameters must be a JSON Schema object", index=index, field="parameters",
            expected="an object like {'type': 'object', 'properties': {...}}", got=params,
        )
    schema = normalize_schema(params, "parameters", index)
    if schema.get("type", "object") != "object":
        raise ToolSpecError(
            f"tool {name!r}: parameters must describe an object", index=index, field="parameters.type",
            expected="'object' (or BFCL 'dict')", got=params.get("type"),
        )
    props = schema.get("properties") or {}
    if not isinstance(props, dict):
        raise ToolSpecError(f"tool {name!r}: properties must be an object", index=index,
                            field="parameters.properties", got=props)
    required = schema.get("required") or []
    if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
        raise ToolSpecError(f"tool {name!r}: required must be a list of names", index=index,
                            field="parameters.required", got=required)
    defaults: dict[str, Any] = {}
    descriptions: dict[str, str] = {}
    enums: dict[str, tuple[Any, ...]] = {}
    for pname, pschema in props.items():
        if not isinstance(pschema, dict):
            continue
        if "default" in pschema:
            defaults[pname] = pschema["default"]
        if isinstance(pschema.get("description"), str):
            descriptions[pname] = pschema["description"]
        if isinstance(pschema.get("enum"), list):
            enums[pname] = tuple(pschema["enum"])
    # BFCL writes "optional" defaults that are not valid JSON Schema keywords for some types; keep them.
    return Tool(
        name=name,
        description=str(fn.get("description") or ""),
        parameters=schema,
        properties=frozenset(props),
        required=frozenset(required),
        defaults=defaults,
        param_descriptions=descriptions,
        enums=enums,
        integer_params=frozenset(
            k for k, v in props.items()
            if isinstance(v, dict) and (v.get("type") == "integer" or (
                isinstance(v.get("type"), list) and "integer" in v["type"] and "number" not in v["type"]))
        ),
        is_valid=_compile_validator(schema, index, name),
    )


def compile_tools(specs: Any) -> ToolSet | None:
    """Compile a list of tool specs (or its JSON text) into a :class:`ToolSet`; ``None`` stays ``None``."""
    if specs is None:
        return None
    if isinstance(specs, ToolSet):
        return specs
    if isinstance(specs, (str, bytes)):
        try:
            specs = orjson.loads(specs)
        except orjson.JSONDecodeError:
            raise ToolSpecError("tools given as text must be a JSON list of tool specs") from None
    if isinstance(specs, dict):
        specs = [specs]
    if not isinstance(specs, (list, tuple)):
        raise ToolSpecError("tools must be a list of tool specs", expected="a list", got=specs)
    depth = nesting_depth(specs, TOOLS_MAX_DEPTH)
    if depth > TOOLS_MAX_DEPTH:
        raise ToolSpecError("tool specs nested too deeply", expected=f"at most {TOOLS_MAX_DEPTH} levels")
    try:
        key = canonical_dumps(list(specs))
    except TypeError:
        raise ToolSpecError("tools must be JSON-serialisable", got=specs) from None
    cached = _toolset_cache.get(key)
    if cached is not None:
        return cached
    compiled: dict[str, Tool] = {}
    for i, spec in enumerate(specs):
        tool = _compile_tool(spec, i)
        if tool.name in compiled:
            raise ToolSpecError(f"tool name {tool.name!r} appears twice", index=i, field="name")
        compiled[tool.name] = tool
    toolset = ToolSet(tools=compiled, key=key)
    with _cache_lock:
        if len(_toolset_cache) >= _MAX_CACHE:
            _toolset_cache.clear()
        _toolset_cache[key] = toolset
    return toolset


def tools_from_system_prompt(text: str) -> list[Any] | None:
    """Tool specs from the first ``<tools>...</tools>`` block of a system prompt, or ``None``."""
    if not isinstance(text, str):
        return None
    start = text.find("<tools>")
    if start < 0:
        return None
    end = text.find("</tools>", start)
    if end < 0:
        return None
    body = text[start + len("<tools>"):end].strip()
    if not body:
        return []
    try:
        value = orjson.loads(body)
        return value if isinstance(value, list) else [value]
    except orjson.JSONDecodeError:
        pass
    specs: list[Any] = []
    for n, line in enumerate(body.splitlines()):
        line = line.strip()
        if not line:
            continue
        try:
            specs.append(orjson.loads(line))
        except orjson.JSONDecodeError:
            raise ToolSpecError(
                "the <tools> block of the system prompt is not one JSON object per line",
                field=f"<tools> line {n + 1}", got=line,
            ) from None
    return specs


def tools_from_messages(messages: Sequence[Any]) -> list[Any] | None:
    """Tool specs from the ``<tools>`` block of the first system message of a chat, or ``None``."""
    for msg in messages:
        if isinstance(msg, dict) and msg.get("role") == "system":
            content = msg.get("content")
            if isinstance(content, list):
                content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
            return tools_from_system_prompt(content) if isinstance(content, str) else None
    return None
