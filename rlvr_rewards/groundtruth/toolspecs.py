"""Tool specifications: normalisation, BFCL type aliases, schema compilation (validated once, cached).

Contract:
- :func:`compile_tools` accepts OpenAI ``{"type": "function", "function": {...}}`` specs, bare
  ``{"name", "description", "parameters"}`` specs, or the JSON text of a list of either, and returns a
  :class:`ToolSet` (name -> :class:`Tool`). Identical tool lists are compiled once (cache); a JSON text already
  compiled (rows read from Parquet / JSONL columns each carry their own copy of the same text) is answered by
  its text alone, without decoding it again (``_text_toolsets``: bounded, least recently used first).
- BFCL's type names are accepted as aliases of JSON Schema types: ``dict`` -> ``object``,
  ``float`` -> ``number``, ``tuple`` -> ``array``, ``any`` -> no type constraint.
- Validity is checked by a compiled checker for the usual subset of JSON Schema
  (:mod:`rlvr_rewards.groundtruth.fastschema`), falling back to jsonschema for anything else; both agree. Every schema
  regex runs through :mod:`rlvr_rewards.groundtruth.userregex` in both; references resolve inside the schema only, and
  nothing is ever fetched or read (see ``_compile_validator``).
- Arrow's ``None`` fill (``datasets`` / Parquet merge the struct types of all rows and give every object every key
  any row has, as ``None``) is undone when the specs are native objects (never for JSON text, which Arrow does not
  touch): see :func:`drop_arrow_fill` for the exact rule. A ``const: null`` is refused (it cannot be told from a
  filled key); ``default: null`` is kept; ``enum`` / ``const`` / ``default`` / ``examples`` values are never touched.
- A spec that is not usable (no name, parameters not an object schema, invalid JSON Schema, a regex that cannot
  be matched in bounded time, a reference to another document, an unknown ``$schema``) raises
  :class:`ToolSpecError` naming the tool index and field. Model output never reaches this module.
- :func:`tools_from_prompt` (a rendered prompt string or chat messages), :func:`tools_from_messages` and
  :func:`tools_from_system_prompt` (one text) read the tool specs a chat template wrote into the prompt: Qwen 2.5 /
  Qwen 3 and Hermes 2 Pro ``<tools>`` blocks, Mistral ``[AVAILABLE_TOOLS]`` blocks, Llama 3.1 / 3.2 / 3.3 JSON tool
  lists. ``None``: the prompt declares no tools; ``[]``: only empty blocks (an empty ``<tools></tools>``, as in
  Qwen's sentence, never hides a later block). A block that is not closed or not JSON, and tools declared in more
  than one non-empty place, raise :class:`ToolSpecError` naming the message and line. Linear in the prompt's
  length; only system messages and the first user message are read.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jsonschema
import orjson
import referencing
import referencing.exceptions

from rlvr_rewards.errors import ToolSpecError
from rlvr_rewards.groundtruth.fastschema import compile_fast, is_integer_value, unique_items
from rlvr_rewards.groundtruth.userregex import UnsafeRegex, compile_user_regex
from rlvr_rewards.util.jsonsafe import InvalidJSON, canonical_dumps, decoded_exactly, loads_trusted, not_json_data
from rlvr_rewards.util.keymemo import KeyMemo
from rlvr_rewards.util.locks import ForkSafeLock
from rlvr_rewards.util.lru import BoundedLRU

__all__ = [
    "Tool",
    "ToolSet",
    "compile_tools",
    "drop_arrow_fill",
    "normalize_schema",
    "tools_from_messages",
    "tools_from_prompt",
    "tools_from_system_prompt",
]

_TYPE_ALIASES = {
    "dict": "object",
    "float": "number",
    "tuple": "array",
    "double": "number",
    "int": "integer",
    "str": "string",
    "bool": "boolean",
    "list": "array",
    "long": "integer",
}
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
                "unknown type name",
                index=tool_index,
                field=where,
                expected="a JSON Schema type or a BFCL alias (dict, float, tuple, any)",
                got=value,
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


# --- Schema validation: guarded regexes, local references only, known dialects ------------------------------------
#
# Every regular expression of a tool schema goes through rlvr_rewards.groundtruth.userregex (checked here, once,
# when the tools are compiled; run bounded per completion), whichever validator runs it: fastschema, or jsonschema
# with the keyword functions below in place of its own (jsonschema calls re.search on the raw pattern, and joins
# patternProperties into one new pattern for additionalProperties). References resolve inside the schema only: a
# reference to any other document is refused when the tools are compiled, and the registry the validators get
# refuses to retrieve anything (so nothing is fetched or read even if a reference were missed here).

#: Keywords whose value is a schema / a list of schemas / a map of schemas, in any dialect jsonschema knows.
_SUBSCHEMA = (
    "additionalProperties",
    "unevaluatedProperties",
    "additionalItems",
    "unevaluatedItems",
    "contains",
    "propertyNames",
    "not",
    "if",
    "then",
    "else",
    "items",
    "extends",
)
_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems", "items", "extends", "disallow", "type")
_SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "dependencies")
_REFERENCES = ("$ref", "$dynamicRef", "$recursiveRef")
_LEGACY_ID = (jsonschema.Draft3Validator, jsonschema.Draft4Validator)


def _refuse_retrieval(uri: str) -> Any:
    raise referencing.exceptions.NoSuchResource(ref=uri)  # type: ignore[call-arg]  # (an attrs class)


#: The registry every jsonschema validator of a tool gets: the schema itself (added by jsonschema as the root
#: resource, with the metaschemas it bundles), and a retrieval function that refuses every other URI.
_LOCAL_REGISTRY: referencing.Registry[Any] = referencing.Registry(retrieve=_refuse_retrieval)  # type: ignore[call-arg]


def _search(pattern: Any) -> Callable[[str], bool]:
    return compile_user_regex(pattern, "search").matches


def _pattern_keyword(validator: Any, pattern: Any, instance: Any, schema: Any) -> Any:
    if validator.is_type(instance, "string") and not _search(pattern)(instance):
        yield jsonschema.ValidationError(f"does not match {pattern!r}")


def _pattern_properties_keyword(validator: Any, patterns: Any, instance: Any, schema: Any) -> Any:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        search = _search(pattern)
        for k, v in instance.items():
            if search(k):
                yield from validator.descend(v, subschema, path=k, schema_path=pattern)


def _additional_properties_keyword(validator: Any, additional: Any, instance: Any, schema: Any) -> Any:
    """jsonschema's ``additionalProperties``, with each ``patternProperties`` pattern searched on its own through
    the guard (jsonschema joins them with ``|`` into one new pattern and runs ``re.search`` on it)."""
    if not validator.is_type(instance, "object"):
        return
    properties = schema.get("properties", {})
    searches = [_search(p) for p in schema.get("patternProperties", {})]
    extras = [k for k in instance if k not in properties and not any(search(k) for search in searches)]
    if validator.is_type(additional, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], additional, path=extra)
    elif not additional and extras:
        yield jsonschema.ValidationError(f"additional properties are not allowed ({len(extras)} unexpected)")


def _unique_items_keyword(validator: Any, unique: Any, instance: Any, schema: Any) -> Any:
    """jsonschema's ``uniqueItems`` in linear time (its own compares every pair of unhashable items)."""
    if unique and validator.is_type(instance, "array") and not unique_items(instance):
        yield jsonschema.ValidationError("has non-unique elements")


_GUARDED_KEYWORDS = {
    "pattern": _pattern_keyword,
    "patternProperties": _pattern_properties_keyword,
    "additionalProperties": _additional_properties_keyword,
    "uniqueItems": _unique_items_keyword,
}
_guarded_classes: dict[Any, Any] = {}


def _guarded_class(base: Any) -> Any:
    """``base`` (a jsonschema validator class) with the guarded keyword functions and ``integer`` meaning an
    ``int`` only (:func:`~rlvr_rewards.groundtruth.fastschema.is_integer_value`; one class per dialect)."""
    cls = _guarded_classes.get(base)
    if cls is None:
        overrides = {k: f for k, f in _GUARDED_KEYWORDS.items() if k in base.VALIDATORS}
        integers = base.TYPE_CHECKER.redefine("integer", lambda _checker, instance: is_integer_value(instance))
        cls = jsonschema.validators.extend(base, overrides, type_checker=integers)
        with _cache_lock:
            _guarded_classes[base] = cls
    return cls


def _dialect(schema: Mapping[str, Any], tool_index: int, name: str) -> Any:
    """The jsonschema validator class for the schema's ``$schema`` (Draft 2020-12 without one); a ``$schema``
    that is not a string, or names a dialect jsonschema does not know, is a ToolSpecError."""
    if "$schema" not in schema:
        return jsonschema.Draft202012Validator
    dialect = schema["$schema"]
    expected = (
        "a string naming a JSON Schema dialect jsonschema knows, e.g. "
        "'https://json-schema.org/draft/2020-12/schema' or 'http://json-schema.org/draft-07/schema#'"
    )
    if not isinstance(dialect, str):
        raise ToolSpecError(
            f"tool {name!r}: `$schema` must be a string",
            index=tool_index,
            field="parameters.$schema",
            expected=expected,
            got=dialect,
        )
    try:
        cls = jsonschema.validators.validator_for(schema, default=None)
    except Exception:  # a string jsonschema's URI normalisation cannot read
        cls = None
    if cls is None:
        raise ToolSpecError(
            f"tool {name!r}: unknown JSON Schema dialect in `$schema`",
            index=tool_index,
            field="parameters.$schema",
            expected=expected,
            got=dialect,
        )
    return cls


def _pointer(root: Any, fragment: str) -> tuple[bool, Any, list[str]]:
    """Resolve a JSON pointer (``/a/b~1c``) in ``root``: (found, target, segments)."""
    node = root
    segments = [] if fragment == "" else [s.replace("~1", "/").replace("~0", "~") for s in fragment[1:].split("/")]
    for seg in segments:
        if isinstance(node, dict) and seg in node:
            node = node[seg]
        elif isinstance(node, list) and seg.isdigit() and int(seg) < len(node) and str(int(seg)) == seg:
            node = node[int(seg)]
        else:
            return False, None, segments
    return True, node, segments


class _SchemaWalk:
    """One pass over a tool schema, at schema positions only (a property *named* ``pattern`` is not a keyword):
    every ``pattern`` and ``patternProperties`` key through the regex guard, every reference checked to be local
    and to resolve (and its target walked too), embedded resources and patternProperties with
    unevaluatedProperties refused. Raises ToolSpecError naming the tool and the field path."""

    def __init__(self, root: Mapping[str, Any], cls: Any, tool_index: int, name: str) -> None:
        self.root = root
        self.id_key = "id" if cls in _LEGACY_ID else "$id"
        self.tool_index, self.name = tool_index, name
        self.seen: set[int] = set()
        self.anchors: set[str] = set()
        self.refs: list[tuple[str, str]] = []
        self.pattern_properties: str | None = None
        self.unevaluated: str | None = None

    def error(self, message: str, field: str, expected: str, got: Any) -> ToolSpecError:
        return ToolSpecError(
            f"tool {self.name!r}: {message}", index=self.tool_index, field=field, expected=expected, got=got
        )

    def regex(self, pattern: str, field: str) -> None:
        try:
            compile_user_regex(pattern, "search")
        except UnsafeRegex as exc:
            raise self.error(
                f"unusable regular expression: {exc.reason}",
                field,
                "a Python regular expression that cannot backtrack catastrophically "
                "(docs/reliability.md, user regexes)",
                pattern,
            ) from None

    def run(self) -> None:
        self.walk(self.root, "parameters", top=True)
        for ref, field in self.refs:
            self.resolve(ref, field)
        if self.pattern_properties is not None and self.unevaluated is not None:
            raise self.error(
                "`unevaluatedProperties` together with `patternProperties` is not supported (jsonschema matches "
                f"property names against the patterns itself, unguarded; patternProperties at "
                f"{self.pattern_properties})",
                self.unevaluated,
                "additionalProperties instead of unevaluatedProperties, or no patternProperties",
                "unevaluatedProperties",
            )

    def walk(self, node: Any, where: str, top: bool = False) -> None:
        """Check the schema ``node`` found at ``where`` (each node once), then walk its subschemas (recursively:
        one Python frame per level of schema nesting, the checks below run before it)."""
        if not isinstance(node, dict) or id(node) in self.seen:
            return
        self.seen.add(id(node))
        self.check_patterns(node, where)
        self.check_references(node, where)
        self.collect_identifiers(node, where, top)
        for keyword in _SUBSCHEMA:
            if isinstance(node.get(keyword), dict):
                self.walk(node[keyword], f"{where}.{keyword}")
        for keyword in _SUBSCHEMA_LISTS:
            if isinstance(node.get(keyword), list):
                for i, sub in enumerate(node[keyword]):
                    self.walk(sub, f"{where}.{keyword}[{i}]")
        for keyword in _SUBSCHEMA_MAPS:
            if isinstance(node.get(keyword), dict):
                for k, sub in node[keyword].items():
                    self.walk(sub, f"{where}.{keyword}.{k}")

    def check_patterns(self, node: dict[str, Any], where: str) -> None:
        """``pattern`` and every ``patternProperties`` key through the regex guard; where the first
        ``patternProperties`` and ``unevaluatedProperties`` are (refused together, see :meth:`run`)."""
        pattern = node.get("pattern")
        if isinstance(pattern, str):
            self.regex(pattern, f"{where}.pattern")
        patterns = node.get("patternProperties")
        if isinstance(patterns, dict):
            self.pattern_properties = self.pattern_properties or f"{where}.patternProperties"
            for key in patterns:
                if isinstance(key, str):
                    self.regex(key, f"{where}.patternProperties.{key}")
        if "unevaluatedProperties" in node:
            self.unevaluated = self.unevaluated or f"{where}.unevaluatedProperties"

    def check_references(self, node: dict[str, Any], where: str) -> None:
        """Every reference keyword must be local (``#...``); each is kept to be resolved after the walk."""
        for keyword in _REFERENCES:
            ref = node.get(keyword)
            if keyword in node and not (isinstance(ref, str) and ref.startswith("#")):
                raise self.error(
                    f"`{keyword}` to another document is not allowed (nothing is fetched or read while scoring)",
                    f"{where}.{keyword}",
                    "a reference inside the schema: '#/$defs/name' or '#anchor'",
                    ref,
                )
            if isinstance(ref, str):
                self.refs.append((ref, f"{where}.{keyword}"))

    def collect_identifiers(self, node: dict[str, Any], where: str, top: bool) -> None:
        """The anchors a reference may name (``$id: '#name'``, ``$anchor``, ``$dynamicAnchor``); an ``$id`` naming
        a resource below the top is refused (embedded resources are not supported)."""
        ident = node.get(self.id_key)
        if isinstance(ident, str):
            if ident.startswith("#"):
                self.anchors.add(ident[1:])
            elif not top:
                raise self.error(
                    f"an embedded schema resource (`{self.id_key}` inside the schema) is not supported",
                    f"{where}.{self.id_key}",
                    "`$defs` and '#/$defs/name' references",
                    ident,
                )
        for keyword in ("$anchor", "$dynamicAnchor"):
            if isinstance(node.get(keyword), str):
                self.anchors.add(node[keyword])

    def resolve(self, ref: str, field: str) -> None:
        fragment = urllib.parse.unquote(ref[1:])
        if fragment == "" or fragment.startswith("/"):
            found, target, segments = _pointer(self.root, fragment)
            if not found:
                raise self.error(
                    f"`{ref}` does not resolve inside the schema",
                    field,
                    "a JSON pointer to a part of this schema, e.g. '#/$defs/name'",
                    ref,
                )
            self.walk(target, "parameters" + "".join(f".{s}" for s in segments))
        elif fragment not in self.anchors:
            raise self.error(
                f"`{ref}` names no anchor of the schema",
                field,
                "an anchor defined by `$anchor` / `$dynamicAnchor` in this schema",
                ref,
            )


def _compile_validator(schema: Mapping[str, Any], tool_index: int, name: str) -> Callable[[Any], bool]:
    key = canonical_dumps(schema)
    fn = _validator_cache.get(key)
    if fn is not None:
        return fn
    base = _dialect(schema, tool_index, name)
    _SchemaWalk(schema, base, tool_index, name).run()  # before check_schema: its `regex` format compiles patterns
    cls = _guarded_class(base)
    try:
        cls.check_schema(schema)
    except jsonschema.SchemaError as exc:
        path = ".".join(str(p) for p in exc.path)
        raise ToolSpecError(
            f"tool {name!r} has an invalid JSON Schema: {exc.message}",
            index=tool_index,
            field="parameters" + (f".{path}" if path else ""),
        ) from None
    fast = compile_fast(schema) if base is jsonschema.Draft202012Validator else None
    validator = cls(schema, format_checker=None, registry=_LOCAL_REGISTRY)
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
        function: dict[str, Any] = spec["function"]
        return function
    return spec


# --- Arrow's None fill -----------------------------------------------------------------------------------------
#
# A Parquet / Arrow / `datasets` column of tool specs has one struct type, the union of every object's keys at each
# position; an object that lacks a key gets it as None. At the positions below a JSON null is never a meaningful
# value, so a None there can only be the fill, and is dropped.

#: Keywords whose value is a schema (or a list of schemas).
_FILL_SUBSCHEMA = (
    "items",
    "additionalProperties",
    "unevaluatedProperties",
    "additionalItems",
    "unevaluatedItems",
    "contains",
    "propertyNames",
    "not",
    "if",
    "then",
    "else",
)
_FILL_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems", "items")
#: Keywords whose value maps names to schemas (a None schema in the map is a filled name: dropped).
_FILL_SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
#: Keywords whose value is an instance value: never walked into (a None inside is data, kept as given).
_FILL_VALUES = ("const", "default", "enum", "examples")


def _drop_schema_fill(node: Any, where: str, tool_index: int) -> Any:
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if value is None:
            if key == "const":
                raise ToolSpecError(
                    "`const: null` is refused in tool specs given as objects: Parquet / Arrow / `datasets` fill "
                    "every key another row has with null, so it cannot be told from a filled key",
                    index=tool_index,
                    field=f"{where}.const",
                    expected="`{'type': 'null'}` for a value that must be null, or the tools as JSON text "
                    "(`rlvr-rewards convert --to parquet` writes them so)",
                    got=None,
                )
            if key != "default":  # default: null is a meaningful JSON Schema value: kept
                continue
        if key in _FILL_VALUES:
            out[key] = value
        elif key in _FILL_SUBSCHEMA_MAPS and isinstance(value, dict):
            out[key] = {
                k: _drop_schema_fill(v, f"{where}.{key}.{k}", tool_index) for k, v in value.items() if v is not None
            }
        elif key in _FILL_SUBSCHEMA_LISTS and isinstance(value, list):
            out[key] = [_drop_schema_fill(v, f"{where}.{key}[{i}]", tool_index) for i, v in enumerate(value)]
        elif key in _FILL_SUBSCHEMA or key == "dependencies":
            if key == "dependencies" and isinstance(value, dict):  # a map of schemas or of name lists
                out[key] = {
                    k: _drop_schema_fill(v, f"{where}.{key}.{k}", tool_index) for k, v in value.items() if v is not None
                }
            else:
                out[key] = _drop_schema_fill(value, f"{where}.{key}", tool_index)
        else:
            out[key] = value
    return out


def drop_arrow_fill(spec: Any, tool_index: int = 0) -> Any:
    """One tool spec (a native object) with the ``None`` values Arrow's schema merge inserted removed.

    Dropped: a ``None`` value of any key of the spec itself and of its ``function`` object (``strict``,
    ``description``, ``parameters`` ...); at every schema position (``parameters`` and every schema below it:
    the values of ``properties`` / ``patternProperties`` / ``$defs`` / ``definitions`` / ``dependentSchemas`` /
    ``dependencies``, ``items`` / ``additionalProperties`` / ``not`` / ``if`` / ``then`` / ``else`` / ``contains`` /
    ``propertyNames`` / ``unevaluated*`` / ``additionalItems``, the items of ``anyOf`` / ``oneOf`` / ``allOf`` /
    ``prefixItems`` / ``items``), a ``None`` value of any keyword except ``const`` and ``default``, and a
    ``None`` schema in a name -> schema map (a property name only another row has).
    Kept: ``default: None`` (null is a meaningful default); everything inside ``const``, ``default``, ``enum``
    and ``examples`` (instance values: an ``enum: [null]`` item is data). Refused: ``const: None`` (a
    :class:`ToolSpecError` naming the tool and field: it cannot be told from a filled key).
    Anything that is not a dict is returned as it is (the caller reports it)."""
    if not isinstance(spec, dict):
        return spec
    out = {k: v for k, v in spec.items() if v is not None}
    fn = out.get("function")
    if isinstance(fn, dict):
        fn = {k: v for k, v in fn.items() if v is not None}
        out["function"] = fn
    target = fn if isinstance(fn, dict) else out
    for key in ("parameters", "input_schema"):
        if key in target:
            target[key] = _drop_schema_fill(target[key], key, tool_index)
    return out


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
            f"tool {name!r}: parameters must be a JSON Schema object",
            index=index,
            field="parameters",
            expected="an object like {'type': 'object', 'properties': {...}}",
            got=params,
        )
    schema = normalize_schema(params, "parameters", index)
    if schema.get("type", "object") != "object":
        raise ToolSpecError(
            f"tool {name!r}: parameters must describe an object",
            index=index,
            field="parameters.type",
            expected="'object' (or BFCL 'dict')",
            got=params.get("type"),
        )
    props = schema.get("properties") or {}
    if not isinstance(props, dict):
        raise ToolSpecError(
            f"tool {name!r}: properties must be an object", index=index, field="parameters.properties", got=props
        )
    required = schema.get("required") or []
    if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
        raise ToolSpecError(
            f"tool {name!r}: required must be a list of names", index=index, field="parameters.required", got=required
        )
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
            k
            for k, v in props.items()
            if isinstance(v, dict)
            and (
                v.get("type") == "integer"
                or (isinstance(v.get("type"), list) and "integer" in v["type"] and "number" not in v["type"])
            )
        ),
        is_valid=_compile_validator(schema, index, name),
    )


#: JSON text of a tool list already accepted -> its cache key (veRL / SageMaker rows each carry a copy of the tools)
_key_memo = KeyMemo()
#: Tools given as JSON text (str or bytes) -> the ToolSet compiled from it: the same text decodes to the same
#: specs, so a copy of a text already compiled costs a hash and a comparison of the text, not a decode and the
#: key memo. At most 4,096 texts and 8 M characters (bytes) of text.
_text_toolsets = BoundedLRU(4096, 8_000_000)


def _toolset_key(specs: list[Any] | tuple[Any, ...], prefix: str) -> str:
    """The cache key of a tool list: its canonical JSON text, after the exact-JSON check (the key identifies
    the specs exactly only for exact JSON data: orjson writes a tuple as a list, NaN as null, a date as a
    string). A copy of a list already accepted gets its key from :data:`_key_memo` without the walk (the
    same data: see :mod:`rlvr_rewards.util.keymemo`)."""
    known, text = _key_memo.lookup(prefix, specs)
    if known is not None:
        return known
    problem = not_json_data(list(specs), TOOLS_MAX_DEPTH)
    if problem is not None:
        if problem.kind == "depth":
            raise ToolSpecError("tool specs nested too deeply", expected=f"at most {TOOLS_MAX_DEPTH} levels")
        raise ToolSpecError(
            f"tool specs are not JSON data: {problem.message}",
            field=f"tools{problem.path}",
            expected="JSON data: dict (string keys), list, str, int, finite float, bool or None",
            got=problem.culprit,
        )
    try:
        key = prefix + canonical_dumps(list(specs))
    except TypeError:  # a lone surrogate in a string (orjson refuses it)
        raise ToolSpecError("tools must be JSON-serialisable (strings must be valid Unicode)", got=specs) from None
    if text is not None:
        _key_memo.put(prefix, text, key)
    return key


def compile_tools(specs: Any) -> ToolSet | None:
    """Compile a list of tool specs (or its JSON text) into a :class:`ToolSet`; ``None`` stays ``None``."""
    if specs is None:
        return None
    if isinstance(specs, ToolSet):
        return specs
    text: str | bytes | None = None
    if type(specs) is str or type(specs) is bytes:  # (a subclass may compare or hash as it likes: not memoised)
        text = specs
        hit: ToolSet | None = _text_toolsets.peek(text)
        if hit is not None:
            _text_toolsets.touch(text)
            return hit
    toolset = _compile_tools(specs)
    if text is not None and toolset is not None:
        _text_toolsets.put(text, toolset, len(text))
    return toolset


def _compile_tools(specs: Any) -> ToolSet | None:
    from_text = isinstance(specs, (str, bytes))
    if isinstance(specs, (str, bytes)):
        try:  # (exact str and bytes only: a subclass, an Enum's value or a numpy str, as its text)
            specs = loads_trusted(str(specs) if isinstance(specs, str) else bytes(specs))
        except InvalidJSON:
            raise ToolSpecError("tools given as text must be a JSON list of tool specs") from None
    if isinstance(specs, dict):
        specs = [specs]
    if not isinstance(specs, (list, tuple)):
        raise ToolSpecError("tools must be a list of tool specs", expected="a list", got=specs)
    key = _toolset_key(specs, "t:" if from_text else "o:")
    cached = _toolset_cache.get(key)
    if cached is not None:
        return cached
    compiled: dict[str, Tool] = {}
    for i, spec in enumerate(specs):
        tool = _compile_tool(spec if from_text else drop_arrow_fill(spec, i), i)
        if tool.name in compiled:
            raise ToolSpecError(f"tool name {tool.name!r} appears twice", index=i, field="name")
        compiled[tool.name] = tool
    toolset = ToolSet(tools=compiled, key=key)
    with _cache_lock:
        if len(_toolset_cache) >= _MAX_CACHE:
            _toolset_cache.clear()
        _toolset_cache[key] = toolset
    return toolset


# --- Tools written into the prompt by a chat template ------------------------------------------------------------
#
# One left-to-right scan of each text finds the next opener of every supported form (cached positions: each opener
# is searched for from a position past the last one found, so the whole scan is linear), consumes that declaration
# and goes on after it. No regular expression runs over the text; JSON is decoded at an index (no copies of the
# rest of the text) and only where a form says a value starts.

_TOOLS_OPEN, _TOOLS_CLOSE = "<tools>", "</tools>"
_MISTRAL_OPEN, _MISTRAL_CLOSE = "[AVAILABLE_TOOLS]", "[/AVAILABLE_TOOLS]"
#: What Hermes 2 Pro's template writes just before its ``<tools>`` block.
_HERMES_LEAD = "Here are the available tools: "
#: The sentences Meta's Llama 3.1 / 3.2 / 3.3 templates write before the tools' JSON: in the first user message
#: (``tools_in_user_message``, the default) or in the system message.
_LLAMA_INTROS = (
    "Given the following functions, please respond with a JSON for a function call",
    "You have access to the following functions. To call a function, please respond with JSON for a function call.",
)
#: The last sentence of the Llama instructions; the tools' JSON follows it. It must come within this many
#: characters of the intro (the templates put about 200 between them), so a lone intro never scans the prompt.
_LLAMA_LAST_SENTENCE = "Do not use variables."
_LLAMA_WINDOW = 1_000
_WHITESPACE = " \t\r\n"


class _NonFinite(ValueError):
    """NaN or Infinity in a tool block (not JSON)."""


def _reject_constant(name: str) -> Any:
    raise _NonFinite(name)


# ``strict=False``: control characters inside strings are accepted, because Hermes 2 Pro's template writes each
# tool's argument list into its description with raw newlines (the block is otherwise JSON).
_DECODER = json.JSONDecoder(strict=False, parse_constant=_reject_constant)


@dataclass(frozen=True, slots=True)
class _Declared:
    """Tool specs one prompt text declares at one place (``specs`` empty: an empty block, e.g. Qwen's sentence)."""

    specs: list[Any]
    kind: str
    where: str


def _skip_space(text: str, i: int, end: int) -> int:
    while i < end and text[i] in _WHITESPACE:
        i += 1
    return i


def _line_col(text: str, start: int, pos: int) -> tuple[int, int]:
    """1-based line and column of ``pos`` counted from ``start``."""
    line = text.count("\n", start, pos) + 1
    nl = text.rfind("\n", start, pos)
    return line, pos - (nl + 1 if nl >= 0 else start) + 1


def _bad_json(text: str, start: int, pos: int, kind: str, where: str, expected: str) -> ToolSpecError:
    line, col = _line_col(text, start, pos)
    eol = text.find("\n", pos)
    bol = text.rfind("\n", start, pos) + 1 or start
    return ToolSpecError(
        f"the {kind} in the prompt is not JSON tool specs",
        field=f"{where}{kind} line {line} column {col}",
        expected=expected,
        got=text[max(bol, start) : eol if eol >= 0 else len(text)].strip(),
    )


def _as_spec_error(
    exc: Exception, text: str, start: int, i: int, kind: str, where: str, expected: str
) -> ToolSpecError:
    """The ToolSpecError for a value at ``text[i]`` that did not decode (by the exception's type)."""
    if isinstance(exc, json.JSONDecodeError):
        return _bad_json(text, start, exc.pos, kind, where, expected)
    if isinstance(exc, _NonFinite):
        return _bad_json(text, start, i, kind, where, "JSON numbers (NaN and Infinity are not JSON)")
    return ToolSpecError(
        "tool specs nested too deeply", field=f"{where}{kind}", expected=f"at most {TOOLS_MAX_DEPTH} levels"
    )


_DECODE_ERRORS = (json.JSONDecodeError, _NonFinite, RecursionError)


def _decode_at(text: str, i: int, start: int, kind: str, where: str, expected: str) -> tuple[Any, int]:
    """The JSON value starting at ``text[i]`` and the index after it; a ToolSpecError naming the place if none."""
    try:
        return _DECODER.raw_decode(text, i)
    except _DECODE_ERRORS as exc:
        raise _as_spec_error(exc, text, start, i, kind, where, expected) from None


def _close_hermes_tool(text: str, i: int, pos: int, end: int, close: int) -> tuple[Any, int] | None:
    """The tool object at ``text[i]`` read as if closed, when it is exactly one ``}`` short at ``pos`` (where the
    decoder stopped) and the next thing is the next tool's ``{`` or the closing tag; else ``None``."""
    k = _skip_space(text, pos, close)  # (the decoder reports the place before any whitespace)
    if text[i] != "{" or not (k == close or (k < end and text[k] == "{")):
        return None
    try:
        return _DECODER.decode(text[i:pos] + "}"), min(pos, end)
    except _DECODE_ERRORS:
        return None


def _decode_block(text: str, start: int, end: int, close: int, kind: str, where: str, hermes: bool) -> list[Any]:
    """The specs of a closed block ``text[start:end]`` (``close``: where its closing tag starts): one JSON list (or
    object), or JSON values one after another. ``hermes``: the block follows Hermes 2 Pro's sentence, whose template
    writes ``{"type": "function", "function": {...}`` and never closes the outer object; such an object, exactly one
    ``}`` short and followed by the next tool's ``{`` or by the closing tag, is read as if closed."""
    body = text[start:end]
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError:
        pass
    else:  # (unless orjson rounded an integer beyond 64 bits: then the stdlib reads the block below, exactly)
        if decoded_exactly(body, value):
            return value if isinstance(value, list) else [value]
    expected = "one JSON list, or JSON objects separated by whitespace (one per line in Qwen's template)"
    if hermes:
        expected = (
            "one JSON object per tool (Hermes 2 Pro's template copies descriptions unescaped, so a double "
            "quote in a description breaks the block: give the row's `tools` instead)"
        )
    specs: list[Any] = []
    i = _skip_space(text, start, end)
    while i < end:
        try:
            value, j = _DECODER.raw_decode(text, i)
        except _DECODE_ERRORS as exc:
            repaired = None
            if hermes and isinstance(exc, json.JSONDecodeError):
                repaired = _close_hermes_tool(text, i, exc.pos, end, close)
            if repaired is None:
                raise _as_spec_error(exc, text, start, i, kind, where, expected) from None
            value, j = repaired
        if j > end:  # a value running past the closing tag: the block itself is broken
            raise _bad_json(text, start, i, kind, where, expected)
        if isinstance(value, list):
            specs.extend(value)
        else:
            specs.append(value)
        i = _skip_space(text, j, end)
    return specs


def _closed_block(text: str, i: int, opener: str, closer: str, kind: str, where: str) -> tuple[_Declared, int]:
    body_start = i + len(opener)
    close = text.find(closer, body_start)
    if close < 0:
        raise ToolSpecError(
            f"a {kind} in the prompt is never closed",
            field=f"{where}{kind} at character {i}",
            expected=f"{closer!r} after the tool specs",
            got=text[i : i + 80],
        )
    start, end = _skip_space(text, body_start, close), close
    while end > start and text[end - 1] in _WHITESPACE:
        end -= 1
    hermes = opener == _TOOLS_OPEN and text.endswith(_HERMES_LEAD, 0, i)
    specs = _decode_block(text, start, end, close, kind, where, hermes) if start < end else []
    return _Declared(specs, kind, f"{where}{kind} at character {i}"), close + len(closer)


def _llama_tools(text: str, i: int, intro: str, where: str) -> tuple[_Declared, int]:
    kind = "Llama 3.x tool list"
    after = i + len(intro)
    last = text.find(_LLAMA_LAST_SENTENCE, after, after + _LLAMA_WINDOW)
    if last < 0:
        raise ToolSpecError(
            "the prompt has Llama 3.x's tool instructions but not the tools after them",
            field=f"{where}{kind} at character {i}",
            expected=f"{_LLAMA_LAST_SENTENCE!r} within {_LLAMA_WINDOW} characters, then each tool's JSON",
            got=text[i : i + 120],
        )
    start = last + len(_LLAMA_LAST_SENTENCE)
    expected = "each tool as a JSON object, separated by blank lines"
    specs: list[Any] = []
    j = end = _skip_space(text, start, len(text))
    while j < len(text) and text[j] == "{":  # the tools end where the user's text begins
        value, end = _decode_at(text, j, start, kind, where, expected)
        specs.append(value)
        j = _skip_space(text, end, len(text))
    return _Declared(specs, kind, f"{where}{kind} at character {i}"), end


def _declarations(text: str, where: str) -> list[_Declared]:
    """Every tool declaration in one prompt text, in order (empty ones too)."""
    openers = (_TOOLS_OPEN, _MISTRAL_OPEN, *_LLAMA_INTROS)
    nxt = [text.find(o) for o in openers]
    out: list[_Declared] = []
    pos = 0
    while True:
        for k, o in enumerate(openers):
            if 0 <= nxt[k] < pos:
                nxt[k] = text.find(o, pos)
        live = [(at, k) for k, at in enumerate(nxt) if at >= 0]
        if not live:
            return out
        at, k = min(live)
        if k == 0:
            decl, pos = _closed_block(text, at, _TOOLS_OPEN, _TOOLS_CLOSE, "<tools> block", where)
        elif k == 1:
            decl, pos = _closed_block(text, at, _MISTRAL_OPEN, _MISTRAL_CLOSE, "[AVAILABLE_TOOLS] block", where)
        else:
            decl, pos = _llama_tools(text, at, openers[k], where)
        out.append(decl)


def _one_declaration(declared: list[_Declared]) -> list[Any] | None:
    """The specs of the one non-empty declaration; ``[]`` if all are empty; ``None`` if there is none."""
    full = [d for d in declared if d.specs]
    if len(full) > 1:
        raise ToolSpecError(
            f"the prompt declares tools in more than one place (first: {full[0].where})",
            field=full[1].where,
            expected="one tool block per prompt (or give the row's `tools` / `extra_info.tools`, which take "
            "precedence over the prompt)",
            got=f"{len(full[0].specs)} tool(s) there and {len(full[1].specs)} here",
        )
    if full:
        return full[0].specs
    return [] if declared else None


def tools_from_system_prompt(text: str) -> list[Any] | None:
    """Tool specs written into one prompt text by a chat template, or ``None`` if it declares none.

    Same forms and rules as :func:`tools_from_prompt` (the name is historical: any prompt text works)."""
    if not isinstance(text, str):
        return None
    return _one_declaration(_declarations(text, ""))


def _message_text(content: Any) -> str | None:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # OpenAI content parts
        return "".join(
            p if isinstance(p, str) else p["text"]
            for p in content
            if isinstance(p, str) or (isinstance(p, Mapping) and isinstance(p.get("text"), str))
        )
    return None


def tools_from_messages(messages: Sequence[Any]) -> list[Any] | None:
    """Tool specs written into the system messages and the first user message of a chat by a chat template
    (Llama 3.x puts them in the first user message), or ``None``.

    Later user messages are the user's own words and are not read; assistant and tool messages are never read
    (model output never reaches this module). Same forms and rules as :func:`tools_from_prompt`; errors name
    the message (``message 0 (system) <tools> block line 3 ...``)."""
    declared: list[_Declared] = []
    seen_user = False
    for n, msg in enumerate(messages):
        if not isinstance(msg, Mapping):
            continue
        role = msg.get("role")
        if role == "user":
            if seen_user:
                continue
            seen_user = True
        elif role != "system":
            continue
        text = _message_text(msg.get("content"))
        if text:
            declared.extend(_declarations(text, f"message {n} ({role}) "))
    return _one_declaration(declared)


def tools_from_prompt(prompt: Any) -> list[Any] | None:
    """Tool specs a prompt declares, the prompt being one rendered string or a list of chat messages.

    Recognised forms (each as the model's published chat template renders it):

    - ``<tools>`` ... ``</tools>``: Qwen 2.5 / Qwen 3 (one JSON object per line) and Hermes 2 Pro (objects
      separated by newlines; raw newlines inside their strings are accepted). A block with nothing in it, such as
      the one in the sentence "...signatures within <tools></tools> XML tags", declares nothing and never hides
      a later block.
    - ``[AVAILABLE_TOOLS]`` ... ``[/AVAILABLE_TOOLS]``: Mistral (a JSON list).
    - Llama 3.1 / 3.2 / 3.3: the sentence "Given the following functions, please respond with a JSON for a
      function call ..." (first user message) or "You have access to the following functions. ..." (system
      message), then, after "Do not use variables.", each tool's JSON object; the list ends at the first text
      that does not start with ``{`` (the user's question).

    Returns ``None`` when the prompt declares no tools, ``[]`` when it declares only empty blocks.
    Raises :class:`ToolSpecError` naming the place when a block is not closed, its body is not JSON, Llama's
    instructions are not followed by the tools, or tools are declared in more than one non-empty place
    (ambiguous: which list would the model have seen?)."""
    if isinstance(prompt, str):
        return tools_from_system_prompt(prompt)
    if isinstance(prompt, Sequence) and not isinstance(prompt, (bytes, bytearray)):
        return tools_from_messages(prompt)
    return None
