"""Hypothesis strategies for testing tool-calling reward functions.

Contract (every strategy here is an ordinary, composable Hypothesis strategy that shrinks towards
the simplest case: the first tool of the catalog, one call, the ``hermes`` format, no reasoning):

- :func:`tool_schemas`: lists of 1-4 realistic tool specs (OpenAI ``{"type": "function", ...}`` or
  bare ``{"name", "description", "parameters"}``) with JSON Schema parameters of every common type
  (string, integer, number, boolean, enum, array), required and optional, some with defaults. Tool
  and parameter names come from a fixed vocabulary chosen so that a clarifying question naming one
  parameter never names another one by accident.
- :func:`ground_truths` / :func:`cases`: native ground truths (see ``docs/ground-truth.md``) of every
  behaviour. ``execute`` truths have 1-3 distinct calls whose arguments validate against the tool's
  schema; ``clarify`` truths list as ``missing`` a non-empty subset of the required parameters of one
  tool; ``refuse`` truths may carry a ``reason``. :func:`cases` draws ``(tools, truth)`` pairs. Both
  accept your own tool specs (values then come from :func:`values_for_schema`).
- :func:`correct_completions`: a completion that is *right* for a truth, in any supported format
  (:data:`FORMATS`), with harmless variation (key order, parallel-call order, JSON spacing, an
  optional ``<think>`` block). Under the ``graded`` preset every one of them scores exactly 1.0.
- :func:`mutations`: ``(completion, kind)`` pairs where the completion is a *semantic* mutation of
  the correct one (a wrong value, a dropped required argument, a duplicated call, a call where a
  question was expected, ...; :data:`MUTATION_KINDS`). Each must score strictly lower than the
  correct completion under any reward that judges tool calls. Changes that are not mutations
  (reordering parallel calls or keys, spelling an optional argument out at its schema default) are
  never produced.
- :func:`adversarial_texts`: hostile completion texts (unclosed, empty and repeated tags, deep
  brackets, huge numbers, NaN, unpaired surrogates, NUL bytes, mixed formats, markers in prose,
  refusals inside arguments, long padding) of at most ``max_chars`` characters (default 150,000).
- :func:`example_adversarial_texts`, :func:`example_correct_cases`: fixed lists made by the *same
  generators* driven by a seeded :class:`random.Random` instead of Hypothesis, so they are identical
  in every process, whatever else is loaded (Hypothesis' own draws also depend on constants it
  collects from the modules loaded at the time).

Truths and tools are plain JSON values (dicts and lists); completions are text, or an OpenAI
assistant message ``{"role": "assistant", "content": ..., "tool_calls": [...]}`` (format
``"openai"``, arguments as a JSON string) which ``rr.score`` accepts as is.
"""

from __future__ import annotations

import copy
import functools
import json
import keyword
import random
import re
import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, TypeAlias, TypeVar

from hypothesis import assume, reject
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from rlvr_rewards.groundtruth.matchers import json_equal
from rlvr_rewards.groundtruth.toolspecs import compile_tools, normalize_schema

__all__ = [
    "BEHAVIORS",
    "FOLLOW_UP",
    "FORMATS",
    "MUTATION_KINDS",
    "REFUSAL",
    "TEXT_FORMATS",
    "adversarial_texts",
    "applicable_mutations",
    "arguments_for",
    "cases",
    "clarifying_question",
    "correct_completions",
    "example_adversarial_texts",
    "example_correct_cases",
    "format_calls",
    "formats_for",
    "ground_truths",
    "mutations",
    "tool_schemas",
    "values_for_schema",
]

T = TypeVar("T")

#: Every completion format :func:`correct_completions` can write (``openai`` is a message dict).
FORMATS: Final[tuple[str, ...]] = ("hermes", "nemotron", "mistral", "llama3", "fence", "json", "pythonic", "openai")
#: The formats that are plain text.
TEXT_FORMATS: Final[tuple[str, ...]] = FORMATS[:-1]
#: The behaviours a native ground truth can expect.
BEHAVIORS: Final[tuple[str, ...]] = ("execute", "clarify", "refuse")
#: The refusal :func:`correct_completions` writes for refuse truths.
REFUSAL: Final = "I'm sorry, but I can't help with that."
#: The follow-up question of the ``call_with_question`` mutation.
FOLLOW_UP: Final = "Does that work for you?"

#: Every mutation :func:`mutations` can produce, by the behaviour of the truth it applies to.
MUTATION_KINDS: Final[dict[str, tuple[str, ...]]] = {
    "execute": (
        "wrong_value",  # an argument with a different value of the same type
        "wrong_type",  # an argument of another JSON type than its schema declares ("2" for 2)
        "missing_required_argument",  # a required argument left out
        "unknown_argument",  # an argument the tool does not have
        "extra_optional_argument",  # an optional argument the truth does not ask for, not at its default
        "wrong_tool_name",  # another tool's name, or a hallucinated one
        "duplicate_call",  # one call made twice
        "extra_call",  # an additional call the truth does not ask for
        "missing_call",  # one of several parallel calls left out
        "clarify_instead_of_execute",  # a question where a call was expected
        "refuse_instead_of_execute",  # a refusal where a call was expected
        "call_with_question",  # the correct call with a question beside it (hedging)
    ),
    "clarify": ("execute_instead_of_clarify", "refuse_instead_of_clarify"),
    "refuse": ("execute_instead_of_refuse", "clarify_instead_of_refuse"),
}

_TEXT_KINDS: Final = frozenset(
    {
        "clarify_instead_of_execute",
        "refuse_instead_of_execute",
        "refuse_instead_of_clarify",
        "clarify_instead_of_refuse",
    }
)
# formats where free text beside a call is still read as a call (json and pythonic must be the whole answer)
_TEXT_BESIDE_CALL: Final = frozenset({"hermes", "nemotron", "mistral", "llama3", "fence", "openai"})

# --------------------------------------------------------------------------------------------------
# Sources of choices: a Hypothesis draw function (strategies, shrinking) or a seeded Random (fixed examples)
# --------------------------------------------------------------------------------------------------

#: Where a generator's choices come from.
Source: TypeAlias = st.DrawFn | random.Random


def _pick(src: Source, seq: Sequence[T]) -> T:
    if isinstance(src, random.Random):
        return seq[src.randrange(len(seq))]
    return src(st.sampled_from(seq))


def _int(src: Source, lo: int, hi: int) -> int:
    return src.randint(lo, hi) if isinstance(src, random.Random) else src(st.integers(lo, hi))


def _bool(src: Source) -> bool:
    """False is the simple side (Hypothesis shrinks towards it)."""
    return src.random() < 0.5 if isinstance(src, random.Random) else src(st.booleans())


def _float(src: Source, lo: float, hi: float) -> float:
    if isinstance(src, random.Random):
        return round(src.uniform(lo, hi), 2)
    return src(st.floats(lo, hi, allow_nan=False, allow_infinity=False))


def _subset(src: Source, seq: Sequence[T], min_size: int = 0, max_size: int | None = None) -> list[T]:
    """Distinct items of ``seq`` in their original order."""
    hi = len(seq) if max_size is None else min(max_size, len(seq))
    if not seq:
        return []
    if isinstance(src, random.Random):
        chosen = set(src.sample(range(len(seq)), src.randint(min_size, hi)))
    else:
        chosen = set(src(st.lists(st.integers(0, len(seq) - 1), min_size=min_size, max_size=hi, unique=True)))
    return [x for i, x in enumerate(seq) if i in chosen]


def _shuffled(src: Source, seq: Sequence[T]) -> list[T]:
    if len(seq) < 2:
        return list(seq)
    if isinstance(src, random.Random):
        out = list(seq)
        src.shuffle(out)
        return out
    return list(src(st.permutations(list(seq))))


# Free text for string arguments: letters (any script), digits, spaces and punctuation that no call
# format uses as a marker (no < > [ ] { } ` |), so a value can never open or close a call block.
_PUNCTUATION: Final = " -_.,:;'\"/@#&()!?+=%$*\\"
_ALPHABET = st.one_of(st.characters(codec="utf-8", categories=("L", "N", "Zs")), st.sampled_from(list(_PUNCTUATION)))
_TEXT = st.text(alphabet=_ALPHABET, min_size=1, max_size=24)
_FIXED_ALPHABET: Final = string.ascii_letters + string.digits + _PUNCTUATION + "éüçßøłñ日本語Ωж"


def _text(src: Source) -> str:
    if isinstance(src, random.Random):
        return "".join(_pick(src, _FIXED_ALPHABET) for _ in range(src.randint(1, 16)))
    return src(_TEXT)


# --------------------------------------------------------------------------------------------------
# The tool catalog
# --------------------------------------------------------------------------------------------------

_CITIES = ("Paris", "New York", "Tokyo", "São Paulo", "Reykjavík", "Zürich", "Cape Town", "Mumbai", "Kraków")
_AIRPORTS = ("CDG", "JFK", "LHR", "NRT", "SFO", "GRU", "DXB", "SIN")
_PEOPLE = ("alice", "bob", "chen.wei", "dana_k", "e.ozturk", "f.silva")
_DOMAINS = ("example.com", "mail.example.org", "corp.example.net")
_EMAILS = tuple(f"{p}@{d}" for d in _DOMAINS for p in _PEOPLE)
_RESTAURANTS = ("Chez Janou", "Le Comptoir", "Sushi Saito", "Trattoria Da Enzo", "Dishoom")
_EVENTS = ("Team standup", "Quarterly review", "Dentist", "Book club", "Flight to Lisbon")
_QUERIES = ("wireless headphones", "usb-c cable", "running shoes size 42", "espresso machine", "desk lamp")
_LABELS = ("Call mum", "Pay rent", "Water the plants", "Renew passport", "Take medication")
_PASSAGES = ("Good morning, how are you?", "The meeting is moved to Friday.", "Where is the train station?")
_SUBJECTS = ("Hi", "Meeting notes", "Invoice #4521", "Re: your order", "Lunch tomorrow?")
_BODIES = ("Hello, see you at 10.", "Please find the report attached.", "Thanks for your help!")
_TICKERS = ("AAPL", "MSFT", "NVDA", "SAP")

#: A value generator: choices from a :data:`Source`.
Gen = Callable[[Source], Any]


def _words(*choices: str) -> Gen:
    """Realistic values (shrinking to the first), sometimes any text."""
    return lambda src: _text(src) if _bool(src) else _pick(src, choices)


def _codes(choices: Sequence[str], lo: int, hi: int) -> Gen:
    def gen(src: Source) -> str:
        if _bool(src):
            return "".join(_pick(src, string.ascii_uppercase) for _ in range(_int(src, lo, hi)))
        return _pick(src, choices)

    return gen


def _date(src: Source) -> str:
    return f"{_int(src, 2024, 2030)}-{_int(src, 1, 12):02d}-{_int(src, 1, 28):02d}"


def _datetime(src: Source) -> str:
    return f"{_date(src)}T{_int(src, 0, 23):02d}:{_pick(src, (0, 15, 30, 45)):02d}:00Z"


def _number(lo: float, hi: float) -> Gen:
    return lambda src: _float(src, lo, hi) if _bool(src) else _int(src, int(lo) + 1, int(hi))


def _from_schema(schema: Mapping[str, Any]) -> Gen:
    """A generator for the simple schemas of the catalog (enum, bounded integer, boolean)."""
    if "enum" in schema:
        return lambda src: _pick(src, schema["enum"])
    if schema["type"] == "integer":
        return lambda src: _int(src, schema["minimum"], schema["maximum"])
    if schema["type"] == "boolean":
        return _bool
    raise AssertionError(f"catalog parameter without a generator: {schema}")  # pragma: no cover


@dataclass(frozen=True, eq=False)
class _Param:
    name: str
    schema: Mapping[str, Any]
    gen: Gen
    default: Any = None
    has_default: bool = False


@dataclass(frozen=True, eq=False)
class _Tool:
    name: str
    description: str
    required: tuple[_Param, ...]
    optional: tuple[_Param, ...]


def _p(name: str, schema: dict[str, Any], gen: Gen | None = None, **default: Any) -> _Param:
    g = gen if gen is not None else _from_schema(schema)
    if "default" in default:
        return _Param(name, schema, g, default["default"], True)
    return _Param(name, schema, g)


def _s(description: str, **kw: Any) -> dict[str, Any]:
    return {"type": "string", "description": description, **kw}


def _enum(description: str, *values: str) -> dict[str, Any]:
    return {"type": "string", "enum": list(values), "description": description}


def _int_schema(description: str, lo: int, hi: int) -> dict[str, Any]:
    return {"type": "integer", "minimum": lo, "maximum": hi, "description": description}


def _bool_schema(description: str) -> dict[str, Any]:
    return {"type": "boolean", "description": description}


def _emails(lo: int, hi: int) -> Gen:
    return lambda src: _shuffled(src, _subset(src, _EMAILS, lo, hi))


def _numbers(src: Source) -> list[Any]:
    return [_float(src, -1e4, 1e4) if _bool(src) else _int(src, -1000, 1000) for _ in range(_int(src, 1, 8))]


_STATS = ["mean", "median", "stdev", "variance"]

# The catalog. Parameter names, their words, enum values and the library's everyday synonyms are kept
# disjoint across the whole catalog, so "Could you tell me the party size?" names exactly one parameter.
_CATALOG: Final[tuple[_Tool, ...]] = (
    _Tool(
        "get_weather",
        "Current weather and optional forecast for a city.",
        (_p("city", _s("Name of the city, e.g. Paris"), _words(*_CITIES)),),
        (
            _p("units", _enum("Unit system", "metric", "imperial"), default="metric"),
            _p("days", _int_schema("Forecast length in days", 1, 14), default=1),
            _p("include_forecast", _bool_schema("Also return the forecast"), default=False),
        ),
    ),
    _Tool(
        "search_flights",
        "Search flights between two airports on a date.",
        (
            _p("origin", _s("IATA code of the departure airport", pattern="^[A-Z]{3}$"), _codes(_AIRPORTS, 3, 3)),
            _p(
                "destination",
                _s("IATA code of the arrival airport", pattern="^[A-Z]{3}$"),
                _codes(_AIRPORTS[::-1], 3, 3),
            ),
            _p("departure_date", _s("Departure day, YYYY-MM-DD", format="date"), _date),
        ),
        (
            _p("cabin_class", _enum("Cabin", "economy", "premium_economy", "business"), default="economy"),
            _p("passengers", _int_schema("Travellers", 1, 9), default=1),
            _p("nonstop_only", _bool_schema("Only direct flights"), default=False),
        ),
    ),
    _Tool(
        "book_restaurant",
        "Reserve a table at a restaurant.",
        (
            _p("restaurant_name", _s("Restaurant to book"), _words(*_RESTAURANTS)),
            _p("party_size", _int_schema("Number of guests", 1, 20)),
            _p("reservation_time", _s("Local date and time, ISO 8601", format="date-time"), _datetime),
        ),
        (
            _p("seating", _enum("Seating area", "indoor", "outdoor", "bar"), default="indoor"),
            _p("special_requests", _s("Allergies or occasions"), _words("window seat", "nut allergy", "birthday")),
        ),
    ),
    _Tool(
        "send_email",
        "Send an email.",
        (
            _p("recipient", _s("Recipient email address", format="email"), lambda src: _pick(src, _EMAILS)),
            _p("subject", _s("Subject line"), _words(*_SUBJECTS)),
            _p("body", _s("Message body"), _words(*_BODIES)),
        ),
        (
            _p(
                "cc",
                {"type": "array", "items": {"type": "string"}, "maxItems": 3, "description": "Copy to"},
                _emails(1, 3),
            ),
            _p("urgent", _bool_schema("Flag as urgent"), default=False),
        ),
    ),
    _Tool(
        "convert_currency",
        "Convert an amount between currencies.",
        (
            _p(
                "amount",
                {"type": "number", "exclusiveMinimum": 0, "description": "Amount to convert"},
                _number(0.01, 1e6),
            ),
            _p("from_currency", _enum("ISO 4217 code to convert from", "USD", "EUR", "GBP", "JPY", "CHF")),
            _p("to_currency", _enum("ISO 4217 code to convert into", "USD", "EUR", "GBP", "JPY", "CHF")),
        ),
        (_p("round_to", _int_schema("Decimals", 0, 4), default=2),),
    ),
    _Tool(
        "calculate_statistics",
        "Summary statistics of a list of numbers.",
        (
            _p(
                "numbers",
                {
                    "type": "array",
                    "items": {"type": "number"},
                    "minItems": 1,
                    "maxItems": 8,
                    "description": "The sample",
                },
                _numbers,
            ),
        ),
        (
            _p(
                "operations",
                {
                    "type": "array",
                    "uniqueItems": True,
                    "description": "Statistics to compute",
                    "items": {"type": "string", "enum": _STATS},
                },
                lambda src: _shuffled(src, _subset(src, _STATS, 1)),
                default=["mean"],
            ),
            _p("decimal_places", _int_schema("Rounding", 0, 6), default=2),
        ),
    ),
    _Tool(
        "create_event",
        "Create a calendar event.",
        (
            _p("event_name", _s("Short name of the event"), _words(*_EVENTS)),
            _p("start_time", _s("Start, ISO 8601", format="date-time"), _datetime),
        ),
        (
            _p("duration_minutes", _int_schema("Length", 5, 480), default=30),
            _p(
                "attendees",
                {"type": "array", "items": {"type": "string"}, "description": "Email addresses"},
                _emails(1, 4),
            ),
            _p("is_private", _bool_schema("Hide details from others"), default=False),
        ),
    ),
    _Tool(
        "search_products",
        "Search the product catalogue.",
        (_p("query", _s("Search terms"), _words(*_QUERIES)),),
        (
            _p("category", _enum("Department", "electronics", "books", "clothing", "garden")),
            _p(
                "max_price",
                {"type": "number", "minimum": 0, "description": "Upper bound in the shop currency"},
                _number(0.5, 5000),
            ),
            _p("sort_by", _enum("Ordering", "relevance", "newest", "rating"), default="relevance"),
            _p("in_stock_only", _bool_schema("Hide unavailable items"), default=False),
            _p("page", _int_schema("Result page", 1, 100), default=1),
        ),
    ),
    _Tool(
        "get_stock_quote",
        "Latest quote for a stock ticker.",
        (_p("ticker", _s("Ticker symbol", pattern="^[A-Z]{1,5}$"), _codes(_TICKERS, 1, 5)),),
        (
            _p("exchange", _enum("Listing venue", "NASDAQ", "NYSE", "LSE"), default="NASDAQ"),
            _p("include_history", _bool_schema("Add the last 30 closes"), default=False),
        ),
    ),
    _Tool(
        "set_reminder",
        "Set a reminder.",
        (
            _p("label", _s("What to be reminded of"), _words(*_LABELS)),
            _p("remind_at", _s("When, ISO 8601", format="date-time"), _datetime),
        ),
        (
            _p("repeat", _enum("Recurrence", "never", "daily", "weekly", "monthly"), default="never"),
            _p("priority", _enum("Importance", "low", "normal", "high"), default="normal"),
        ),
    ),
    _Tool(
        "translate",
        "Translate a passage into another language.",
        (
            _p("passage", _s("Text to translate"), _words(*_PASSAGES)),
            _p("target_language", _enum("Language code", "en", "fr", "de", "es", "ja")),
        ),
        (_p("formality", _enum("Register", "formal", "informal"), default="informal"),),
    ),
)


def _schema_key(name: str, schema: Mapping[str, Any]) -> str:
    return name + "\x00" + json.dumps({k: v for k, v in schema.items() if k != "default"}, sort_keys=True)


# generators of catalog parameters, found again by name and schema in any tool list
_CATALOG_GENS: Final[dict[str, Gen]] = {
    _schema_key(p.name, p.schema): p.gen for t in _CATALOG for p in (*t.required, *t.optional)
}

_HALLUCINATED_ARGS: Final = ("verbose", "api_version", "session_token", "confirm", "debug", "locale")


def _spec(tool: _Tool, optional: Sequence[_Param], defaults: bool, openai: bool) -> dict[str, Any]:
    props: dict[str, Any] = {}
    for p in (*tool.required, *optional):
        schema = dict(p.schema)
        if p.has_default and defaults:
            schema["default"] = copy.deepcopy(p.default)
        props[p.name] = copy.deepcopy(schema)
    fn = {
        "name": tool.name,
        "description": tool.description,
        "parameters": {"type": "object", "properties": props, "required": [p.name for p in tool.required]},
    }
    return {"type": "function", "function": fn} if openai else fn


def _tool_list(src: Source, min_size: int, max_size: int) -> list[dict[str, Any]]:
    out = []
    for tool in _subset(src, _CATALOG, min_size, max_size):
        optional = _subset(src, tool.optional)
        defaults = not _bool(src)  # shrinks towards specs that declare their defaults
        openai = not _bool(src)  # ... and towards the OpenAI wrapper
        out.append(_spec(tool, optional, defaults, openai))
    return out


@st.composite
def tool_schemas(draw: st.DrawFn, min_size: int = 1, max_size: int = 4) -> list[dict[str, Any]]:
    """1-4 distinct realistic tool specs (OpenAI-wrapped or bare), each with >= 1 required parameter."""
    if not 1 <= min_size <= max_size <= len(_CATALOG):
        raise InvalidArgument(f"need 1 <= min_size <= max_size <= {len(_CATALOG)}, got {min_size}, {max_size}")
    return _tool_list(draw, min_size, max_size)


# --------------------------------------------------------------------------------------------------
# Values that validate against a JSON Schema
# --------------------------------------------------------------------------------------------------


def _function(spec: Mapping[str, Any]) -> Mapping[str, Any]:
    fn = spec.get("function")
    return fn if isinstance(fn, Mapping) else spec


def _parameters(spec: Mapping[str, Any]) -> Mapping[str, Any]:
    params = _function(spec).get("parameters") or {}
    return normalize_schema(dict(params)) if isinstance(params, Mapping) else {}


def _properties(spec: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    props = _parameters(spec).get("properties") or {}
    return {k: v for k, v in props.items() if isinstance(v, Mapping)} if isinstance(props, Mapping) else {}


def _required(spec: Mapping[str, Any]) -> list[str]:
    req = _parameters(spec).get("required") or []
    props = _properties(spec)
    return [r for r in req if isinstance(r, str) and r in props] if isinstance(req, list) else []


def _tool_name(spec: Mapping[str, Any]) -> str:
    return str(_function(spec).get("name", ""))


def _validator(spec: Mapping[str, Any]) -> Callable[[Any], bool]:
    ts = compile_tools([dict(spec)])
    tool = ts.get(_tool_name(spec)) if ts is not None else None
    if tool is None:  # pragma: no cover - compile_tools raises on a bad spec
        raise InvalidArgument(f"not a usable tool spec: {spec!r}")
    return tool.is_valid


_json_scalars: st.SearchStrategy[Any] = st.one_of(
    _TEXT, st.integers(-10_000, 10_000), st.booleans(), st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
)


def _string_values(schema: Mapping[str, Any]) -> st.SearchStrategy[str]:
    fmt = schema.get("format")
    if isinstance(schema.get("pattern"), str):
        return st.from_regex(schema["pattern"], fullmatch=True)
    if fmt == "date":
        return st.composite(lambda draw: _date(draw))()
    if fmt == "date-time":
        return st.composite(lambda draw: _datetime(draw))()
    if fmt == "email":
        return st.sampled_from(_EMAILS)
    lo = int(schema.get("minLength", 1))
    hi = int(schema.get("maxLength", max(lo, 24)))
    return st.text(alphabet=_ALPHABET, min_size=lo, max_size=hi)


def _number_bounds(schema: Mapping[str, Any], default: float) -> tuple[float, float, bool, bool]:
    lo, hi, xlo, xhi = -default, default, False, False

    def num(key: str) -> float | None:
        v = schema.get(key)
        return v if isinstance(v, (int, float)) and not isinstance(v, bool) else None

    if (v := num("minimum")) is not None:
        lo = v
    if (v := num("exclusiveMinimum")) is not None:
        lo, xlo = v, True
    if (v := num("maximum")) is not None:
        hi = v
    if (v := num("exclusiveMaximum")) is not None:
        hi, xhi = v, True
    return lo, hi, xlo, xhi


def values_for_schema(schema: Mapping[str, Any] | bool, *, _depth: int = 0) -> st.SearchStrategy[Any]:
    """Values for a JSON Schema: the common subset of tool schemas (``type`` or a list of types,
    ``enum``, ``const``, ``anyOf``/``oneOf``, string ``pattern``/``format``/lengths, numeric bounds,
    arrays with ``items``/``minItems``/``maxItems``/``uniqueItems``, objects with ``properties``/
    ``required``). BFCL type names are accepted. Values outside the schema are possible for keywords
    this does not know; :func:`arguments_for` keeps only argument sets that validate."""
    if schema is True or schema == {}:
        return _json_scalars
    if not isinstance(schema, Mapping):
        return st.nothing()
    return _values(normalize_schema(dict(schema)), _depth)


def _values(schema: dict[str, Any], _depth: int) -> st.SearchStrategy[Any]:
    if "const" in schema:
        return st.just(copy.deepcopy(schema["const"]))
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return st.sampled_from(schema["enum"]).map(copy.deepcopy)
    for key in ("anyOf", "oneOf"):
        if isinstance(schema.get(key), list) and schema[key]:
            return st.one_of(*(values_for_schema(s, _depth=_depth) for s in schema[key]))
    t = schema.get("type")
    if isinstance(t, list):
        return st.one_of(*(values_for_schema({**schema, "type": x}, _depth=_depth) for x in t)) if t else st.nothing()
    if t is None:
        t = "object" if "properties" in schema else "array" if "items" in schema else None
    if t is None:
        return _json_scalars
    typed = _TYPED_VALUES.get(t) if isinstance(t, str) else None
    return st.nothing() if typed is None else typed(schema, _depth)


def _integer_values(schema: dict[str, Any], _depth: int) -> st.SearchStrategy[Any]:
    lo, hi, xlo, xhi = _number_bounds(schema, 10_000)
    return st.integers(int(lo) + (1 if xlo and lo == int(lo) else 0), int(hi) - (1 if xhi and hi == int(hi) else 0))


def _number_values(schema: dict[str, Any], _depth: int) -> st.SearchStrategy[Any]:
    lo, hi, xlo, xhi = _number_bounds(schema, 1e6)
    floats = st.floats(lo, hi, allow_nan=False, allow_infinity=False, exclude_min=xlo, exclude_max=xhi)
    ints = st.integers(int(lo) + 1, int(hi) - 1) if hi - lo > 2 else st.nothing()
    return st.one_of(ints, floats)


def _array_values(schema: dict[str, Any], _depth: int) -> st.SearchStrategy[Any]:
    items = schema.get("items", {})
    lo = int(schema.get("minItems", 0))
    hi = int(schema.get("maxItems", lo + 4))
    if _depth > 3:
        return st.just([]) if lo == 0 else st.nothing()
    elems = values_for_schema(items if isinstance(items, (Mapping, bool)) else {}, _depth=_depth + 1)
    if schema.get("uniqueItems"):
        return st.lists(elems, min_size=lo, max_size=hi, unique_by=lambda v: json.dumps(v, sort_keys=True))
    return st.lists(elems, min_size=lo, max_size=hi)


def _object_values(schema: dict[str, Any], _depth: int) -> st.SearchStrategy[Any]:
    if _depth > 3:
        return st.just({})
    props = schema.get("properties") or {}
    req = [r for r in (schema.get("required") or []) if r in props]
    return st.fixed_dictionaries(
        {k: values_for_schema(props[k], _depth=_depth + 1) for k in req},
        optional={k: values_for_schema(props[k], _depth=_depth + 1) for k in props if k not in req},
    )


#: The values of a schema by its (JSON Schema) type, from the schema and the nesting depth.
_TYPED_VALUES: Final[dict[str, Callable[[dict[str, Any], int], st.SearchStrategy[Any]]]] = {
    "string": lambda schema, _depth: _string_values(schema),
    "integer": _integer_values,
    "number": _number_values,
    "boolean": lambda schema, _depth: st.booleans(),
    "null": lambda schema, _depth: st.none(),
    "array": _array_values,
    "object": _object_values,
}


def _value(src: Source, name: str, schema: Mapping[str, Any]) -> Any:
    gen = _CATALOG_GENS.get(_schema_key(name, schema))
    if gen is not None:
        return gen(src)
    if isinstance(src, random.Random):  # pragma: no cover - fixed examples only use the catalog
        raise InvalidArgument(f"no fixed generator for parameter {name!r}")
    return src(values_for_schema(schema))


def _default_free(spec: Mapping[str, Any] | None, args: Mapping[str, Any]) -> dict[str, Any]:
    """``args`` without arguments spelled out at their schema default (an equivalent call)."""
    if spec is None:
        return dict(args)
    props = _properties(spec)
    return {k: v for k, v in args.items() if not ("default" in props.get(k, {}) and json_equal(props[k]["default"], v))}


def _arguments(src: Source, tool: Mapping[str, Any]) -> dict[str, Any]:
    props = _properties(tool)
    required = set(_required(tool))
    valid = _validator(tool)
    for _ in range(1 if not isinstance(src, random.Random) else 20):
        chosen = required | set(_subset(src, [k for k in props if k not in required]))
        args = {k: _value(src, k, props[k]) for k in props if k in chosen}
        if valid(args):
            return args
        if not isinstance(src, random.Random):
            reject()  # Hypothesis: discard this example (a seeded Random retries instead)
    raise InvalidArgument(f"could not draw valid arguments for tool {_tool_name(tool)!r}")  # pragma: no cover


@st.composite
def arguments_for(draw: st.DrawFn, tool: Mapping[str, Any]) -> dict[str, Any]:
    """Arguments for one tool spec that validate against its schema: every required parameter and a
    subset of the optional ones, in schema order."""
    return _arguments(draw, tool)


# --------------------------------------------------------------------------------------------------
# Ground truths
# --------------------------------------------------------------------------------------------------


def _choices(value: str | Sequence[str] | None, allowed: tuple[str, ...], name: str) -> tuple[str, ...]:
    """``value`` as a non-empty tuple drawn from ``allowed`` (``None``: all of them)."""
    if value is None:
        return allowed
    chosen = (value,) if isinstance(value, str) else tuple(value)
    if not chosen or any(c not in allowed for c in chosen):
        raise InvalidArgument(f"{name} must be one or more of {allowed}, got {value!r}")
    return chosen


def _behaviors(behavior: str | Sequence[str] | None) -> tuple[str, ...]:
    return _choices(behavior, BEHAVIORS, "behavior")


def _call_key(call: Mapping[str, Any], spec: Mapping[str, Any] | None) -> str:
    return json.dumps([call["name"], _default_free(spec, call["arguments"])], sort_keys=True)


def _truth(src: Source, tools: list[dict[str, Any]], behaviors: tuple[str, ...]) -> dict[str, Any]:
    kind = _pick(src, behaviors)
    if kind == "execute":
        if not tools:
            raise InvalidArgument("an execute truth needs at least one tool")
        calls: dict[str, dict[str, Any]] = {}
        for _ in range(_int(src, 1, 3)):
            spec = _pick(src, tools)
            call = {"name": _tool_name(spec), "arguments": _arguments(src, spec)}
            calls.setdefault(_call_key(call, spec), call)  # distinct calls only (defaults aside)
        return {"behavior": "execute", "calls": list(calls.values())}
    if kind == "clarify":
        askable = [t for t in tools if _required(t)]
        truth: dict[str, Any] = {"behavior": "clarify", "missing": []}
        if askable:
            truth["missing"] = _subset(src, _required(_pick(src, askable)), 1)
        if _bool(src):
            truth["reference"] = clarifying_question(truth["missing"])
        return truth
    truth = {"behavior": "refuse"}
    reason = _pick(src, (None, "harmful", "out_of_scope", "privacy"))
    if reason is not None:
        truth["reason"] = reason
    return truth


@st.composite
def ground_truths(
    draw: st.DrawFn,
    tools: Sequence[Mapping[str, Any]] | st.SearchStrategy[list[dict[str, Any]]] | None = None,
    behavior: str | Sequence[str] | None = None,
) -> dict[str, Any]:
    """A native ground truth for ``tools`` (drawn with :func:`tool_schemas` when ``None``; a strategy
    is drawn from). ``behavior``: one behaviour or several to choose from (default: all three)."""
    chosen = _behaviors(behavior)
    if tools is None:
        tools = tool_schemas()
    listed = draw(tools) if isinstance(tools, st.SearchStrategy) else [dict(t) for t in tools]
    return _truth(draw, listed, chosen)


@st.composite
def cases(
    draw: st.DrawFn,
    tools: Sequence[Mapping[str, Any]] | st.SearchStrategy[list[dict[str, Any]]] | None = None,
    behavior: str | Sequence[str] | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """``(tools, truth)``: a tool list (drawn with :func:`tool_schemas` unless given) and a truth for it."""
    chosen = _behaviors(behavior)
    if tools is None:
        tools = tool_schemas()
    listed = draw(tools) if isinstance(tools, st.SearchStrategy) else [dict(t) for t in tools]
    return listed, _truth(draw, listed, chosen)


# --------------------------------------------------------------------------------------------------
# Rendering calls in every format
# --------------------------------------------------------------------------------------------------

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_PY_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")


def _spaced(name: str) -> str:
    return _CAMEL.sub(" ", name).replace("_", " ").replace("-", " ").lower().strip()


def clarifying_question(missing: Sequence[str]) -> str:
    """A question naming every missing parameter: "Could you tell me the party size and the date?"."""
    names = [f"the {_spaced(m)}" for m in missing]
    if not names:
        return "Could you tell me a bit more about what you need?"
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"Could you tell me {listed}?"


def _pythonic_ok(calls: Sequence[Mapping[str, Any]]) -> bool:
    """Every name is a (dotted) Python identifier and every argument name a non-keyword identifier."""
    for c in calls:
        if not _PY_NAME.fullmatch(c["name"]) or any(keyword.iskeyword(part) for part in c["name"].split(".")):
            return False
        if any(not k.isidentifier() or not k.isascii() or keyword.iskeyword(k) for k in c["arguments"]):
            return False
    return True


@dataclass(frozen=True)
class _Style:
    """Harmless presentation choices of one rendering."""

    indent: int | None = None  # JSON spacing
    single_object: bool = False  # json/fence: a lone call as an object rather than a one-item list
    mistral_args: bool = False  # mistral: name[ARGS]{...} segments rather than a JSON list
    separator: str = "\n"  # between hermes blocks (whitespace only) and llama3 calls
    think: str | None = None


def format_calls(
    calls: Sequence[Mapping[str, Any]], format: str = "hermes", *, think: str | None = None, text: str | None = None
) -> str | dict[str, Any]:
    """Render ``[{"name", "arguments"}]`` calls in one of :data:`FORMATS` (deterministic).

    ``think``: a reasoning block before the calls (``reasoning_content`` for ``openai``). ``text``: free
    text after the calls (message content for ``openai``; refused for ``json`` and ``pythonic``, where
    the call must be the whole answer). ``pythonic`` needs identifier names and writes Python literals
    (``True``/``False``/``None``).
    """
    return _render(calls, format, _Style(think=think), text)


def _render(
    calls: Sequence[Mapping[str, Any]], fmt: str, style: _Style, text: str | None = None
) -> str | dict[str, Any]:
    if fmt not in FORMATS:
        raise InvalidArgument(f"unknown format {fmt!r}; expected one of {FORMATS}")
    if text is not None and fmt not in _TEXT_BESIDE_CALL:
        raise InvalidArgument(f"format {fmt!r} cannot carry text beside a call")
    if fmt == "openai":
        return _openai_message(calls, style, text)
    body = _call_body(calls, fmt, style)
    if text is not None:
        body = f"{body}\n{text}"
    return body if style.think is None else f"<think>{style.think}</think>\n{body}"


def _openai_message(calls: Sequence[Mapping[str, Any]], style: _Style, text: str | None) -> dict[str, Any]:
    """The OpenAI assistant message of ``calls`` (arguments as JSON strings), ``text`` as its content."""
    msg: dict[str, Any] = {
        "role": "assistant",
        "content": text,
        "tool_calls": [
            {
                "id": f"call_{i}",
                "type": "function",
                "function": {"name": c["name"], "arguments": json.dumps(c["arguments"], ensure_ascii=False)},
            }
            for i, c in enumerate(calls)
        ],
    }
    if style.think is not None:
        msg["reasoning_content"] = style.think
    return msg


def _call_body(calls: Sequence[Mapping[str, Any]], fmt: str, style: _Style) -> str:
    """``calls`` written in the text format ``fmt`` (not ``openai``), without reasoning or text beside."""

    def dumps(v: Any) -> str:
        return json.dumps(v, ensure_ascii=False, indent=style.indent)

    objs = [{"name": c["name"], "arguments": c["arguments"]} for c in calls]
    if fmt == "hermes":
        sep = style.separator if style.separator.isspace() else "\n"
        return sep.join(f"<tool_call>\n{dumps(o)}\n</tool_call>" for o in objs)
    if fmt == "nemotron":
        return f"<TOOLCALL>{dumps(objs)}</TOOLCALL>"
    if fmt == "mistral":
        if style.mistral_args:
            return "".join(f"[TOOL_CALLS]{o['name']}[ARGS]{dumps(o['arguments'])}" for o in objs)
        return f"[TOOL_CALLS]{dumps(objs)}"
    if fmt == "llama3":
        sep = style.separator if style.separator in ("\n", "; ") else "\n"
        return "<|python_tag|>" + sep.join(dumps({"name": o["name"], "parameters": o["arguments"]}) for o in objs)
    if fmt in ("fence", "json"):
        payload = dumps(objs[0] if style.single_object and len(objs) == 1 else objs)
        return f"```json\n{payload}\n```" if fmt == "fence" else payload
    # pythonic: Python literals (True/False/None), never evaluated by the parser
    if not _pythonic_ok(calls):
        raise InvalidArgument("pythonic calls need identifier tool and argument names")
    return (
        "["
        + ", ".join(c["name"] + "(" + ", ".join(f"{k}={v!r}" for k, v in c["arguments"].items()) + ")" for c in calls)
        + "]"
    )


def _text_completion(text: str, fmt: str, think: str | None) -> str | dict[str, Any]:
    if fmt == "openai":
        msg: dict[str, Any] = {"role": "assistant", "content": text}
        if think is not None:
            msg["reasoning_content"] = think
        return msg
    return text if think is None else f"<think>{think}</think>\n{text}"


_THINKS: Final = (
    "The user wants this done and I have a tool for it.",
    "Let me work out which tool fits and what the arguments are.",
    "Checking what the request needs before answering.",
)


def _formats(format: str | Sequence[str] | None) -> tuple[str, ...]:
    return _choices(format, FORMATS, "format")


def _check_truth(truth: Any) -> Mapping[str, Any]:
    if not isinstance(truth, Mapping) or truth.get("behavior") not in BEHAVIORS:
        raise InvalidArgument(f"expected a native ground truth dict with behavior in {BEHAVIORS}, got {truth!r}")
    return truth


def _calls(truth: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        {"name": c["name"], "arguments": copy.deepcopy(c.get("arguments", c.get("parameters", {})))}
        for c in truth["calls"]
    ]


def formats_for(truth: Mapping[str, Any], formats: str | Sequence[str] | None = None) -> tuple[str, ...]:
    """The formats (among ``formats``, default all) a correct completion of ``truth`` can be written in:
    ``pythonic`` needs identifier names; answers without a call fit every format."""
    chosen = _formats(formats)
    truth = _check_truth(truth)
    if truth["behavior"] == "execute" and not _pythonic_ok(_calls(truth)):
        return tuple(f for f in chosen if f != "pythonic")
    return chosen


def _style(src: Source, think: bool | None) -> _Style:
    use_think = _bool(src) if think is None else think
    return _Style(
        indent=_pick(src, (None, 2)),
        single_object=_bool(src),
        mistral_args=_bool(src),
        separator=_pick(src, ("\n", "; ", "\n\n")),
        think=_pick(src, _THINKS) if use_think else None,
    )


def _rendered(
    src: Source,
    calls: Sequence[Mapping[str, Any]],
    formats: Sequence[str],
    think: bool | None,
    text: str | None = None,
    shuffle: bool = True,
    strict: bool = False,
) -> str | dict[str, Any]:
    allowed = [
        f for f in formats if (f != "pythonic" or _pythonic_ok(calls)) and (text is None or f in _TEXT_BESIDE_CALL)
    ]
    if not allowed:
        if strict or isinstance(src, random.Random):  # the caller asked for an impossible format
            raise InvalidArgument(f"these calls cannot be written in formats {list(formats)}: {list(calls)!r}")
        reject()  # a mutation that no allowed format can express: discard the example
    fmt = _pick(src, allowed)
    if shuffle:  # parallel calls and argument keys in any order: not a change of meaning
        calls = [
            {"name": c["name"], "arguments": {k: c["arguments"][k] for k in _shuffled(src, list(c["arguments"]))}}
            for c in _shuffled(src, calls)
        ]
    return _render(calls, fmt, _style(src, think), text)


def _correct(src: Source, truth: Mapping[str, Any], formats: Sequence[str], think: bool | None) -> str | dict[str, Any]:
    if truth["behavior"] == "execute":
        return _rendered(src, _calls(truth), formats, think, strict=True)
    fmt = _pick(src, formats)
    use_think = _bool(src) if think is None else think
    reasoning = _pick(src, _THINKS) if use_think else None
    text = clarifying_question(truth.get("missing") or []) if truth["behavior"] == "clarify" else REFUSAL
    return _text_completion(text, fmt, reasoning)


@st.composite
def correct_completions(
    draw: st.DrawFn, truth: Mapping[str, Any], format: str | Sequence[str] | None = None, *, think: bool | None = None
) -> str | dict[str, Any]:
    """A completion that is right for ``truth`` (a native truth dict).

    execute: the truth's calls in ``format`` (one name, several to choose from, or ``None`` for any of
    :data:`FORMATS`; ``pythonic`` only when every name is an identifier, see :func:`formats_for`),
    parallel calls and keys in any order. clarify: :func:`clarifying_question` of ``missing``. refuse:
    :data:`REFUSAL`. ``think``: add a ``<think>`` block (True), never (False) or sometimes (None)."""
    return _correct(draw, _check_truth(truth), _formats(format), think)


# --------------------------------------------------------------------------------------------------
# Mutations
# --------------------------------------------------------------------------------------------------


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _declared_types(schema: Mapping[str, Any] | None, value: Any) -> set[str]:
    """The JSON types a parameter accepts (its schema's ``type``, else the type of its value)."""
    t = normalize_schema(dict(schema)).get("type") if schema else None
    if isinstance(t, str):
        types = {t}
    elif isinstance(t, list) and t:
        types = set(t)
    else:
        types = {_json_type(value)}
    if "number" in types:
        types.add("integer")
    return types


def _retyped(value: Any) -> list[Any]:
    """The same content as other JSON types (the classic confusions: "2" for 2, 1 for true)."""
    if isinstance(value, bool):
        return [int(value), str(value).lower()]
    if isinstance(value, (int, float)):
        return [str(value)]
    if isinstance(value, str):
        return [int(value)] if re.fullmatch(r"-?[0-9]{1,9}", value) else [len(value), [value]]
    if isinstance(value, list):
        return [", ".join(map(str, value))]
    if isinstance(value, dict):
        return [json.dumps(value)]
    return ["null"]


def _other_value(draw: st.DrawFn, value: Any, schema: Mapping[str, Any] | None, name: str) -> Any:
    """A value of the same JSON type as ``value`` that differs from it (valid for the schema if possible)."""
    if isinstance(value, bool):
        return not value
    if schema is not None:
        enum = normalize_schema(dict(schema)).get("enum")
        if isinstance(enum, list):
            others = [v for v in enum if not json_equal(v, value)]
            if others:
                return copy.deepcopy(_pick(draw, others))
        candidate = _value(draw, name, schema)
        if _json_type(candidate) == _json_type(value) and not json_equal(candidate, value):
            return candidate
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        return value + 1.0 if value + 1.0 != value else value * 2 + 1
    if isinstance(value, str):
        return value + "x"
    if isinstance(value, list):
        return value[:-1] if len(value) > 1 else [*value, *value] if value else ["x"]
    if isinstance(value, dict):
        return {**value, "zz": 1}
    return "x"


def _specs_by_name(tools: Sequence[Mapping[str, Any]] | None) -> dict[str, Mapping[str, Any]]:
    return {_tool_name(t): t for t in (tools or [])}


def _guess_call(draw: st.DrawFn, specs: Mapping[str, Mapping[str, Any]], prefer: Sequence[str] = ()) -> dict[str, Any]:
    """A plausible call to one of the tools (a guess: what a model does instead of asking)."""
    if not specs:
        return {"name": "lookup", "arguments": {p: "unknown" for p in prefer} or {"query": "anything"}}
    fits = [n for n, s in specs.items() if prefer and set(prefer) <= set(_properties(s))]
    name = _pick(draw, fits or sorted(specs))
    return {"name": name, "arguments": _arguments(draw, specs[name])}


def _type_targets(calls: list[dict[str, Any]], specs: Mapping[str, Mapping[str, Any]]) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for i, c in enumerate(calls):
        props = _properties(specs[c["name"]]) if c["name"] in specs else {}
        for k, v in c["arguments"].items():
            allowed = _declared_types(props.get(k), v)
            if any(_json_type(r) not in allowed for r in _retyped(v)):
                out.append((i, k))
    return out


def _required_targets(calls: list[dict[str, Any]], specs: Mapping[str, Mapping[str, Any]]) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for i, c in enumerate(calls):
        # without a schema every argument the truth names counts as required
        required = _required(specs[c["name"]]) if c["name"] in specs else list(c["arguments"])
        out.extend((i, k) for k in required if k in c["arguments"])
    return out


def _optional_targets(calls: list[dict[str, Any]], specs: Mapping[str, Mapping[str, Any]]) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for i, c in enumerate(calls):
        if c["name"] in specs:
            spec = specs[c["name"]]
            req = set(_required(spec))
            out.extend((i, k) for k in _properties(spec) if k not in req and k not in c["arguments"])
    return out


def applicable_mutations(
    truth: Mapping[str, Any],
    tools: Sequence[Mapping[str, Any]] | None = None,
    *,
    format: str | Sequence[str] | None = None,
) -> list[str]:
    """The mutation kinds :func:`mutations` can apply to ``truth`` (e.g. ``missing_call`` needs two
    parallel calls, ``extra_optional_argument`` an optional parameter the truth leaves out)."""
    truth = _check_truth(truth)
    behavior = truth["behavior"]
    if behavior != "execute":
        return list(MUTATION_KINDS[behavior])
    calls, specs, formats = _calls(truth), _specs_by_name(tools), _formats(format)
    skip = {
        "wrong_value": not any(c["arguments"] for c in calls),
        "wrong_type": not _type_targets(calls, specs),
        "missing_required_argument": not _required_targets(calls, specs),
        "extra_optional_argument": not _optional_targets(calls, specs),
        "missing_call": len(calls) < 2,
        "call_with_question": not set(formats) & _TEXT_BESIDE_CALL,
    }
    return [k for k in MUTATION_KINDS["execute"] if not skip.get(k, False)]


def _mutate_calls(
    draw: st.DrawFn, kind: str, calls: list[dict[str, Any]], specs: Mapping[str, Mapping[str, Any]]
) -> list[dict[str, Any]]:
    new = copy.deepcopy(calls)
    if kind == "wrong_value":
        i, k = _pick(draw, [(i, k) for i, c in enumerate(calls) for k in c["arguments"]])
        spec = specs.get(calls[i]["name"])
        schema = _properties(spec).get(k) if spec is not None else None
        new[i]["arguments"][k] = _other_value(draw, calls[i]["arguments"][k], schema, k)
    elif kind == "wrong_type":
        i, k = _pick(draw, _type_targets(calls, specs))
        spec = specs.get(calls[i]["name"])
        value = calls[i]["arguments"][k]
        allowed = _declared_types(_properties(spec).get(k) if spec is not None else None, value)
        new[i]["arguments"][k] = _pick(draw, [r for r in _retyped(value) if _json_type(r) not in allowed])
    elif kind == "missing_required_argument":
        i, k = _pick(draw, _required_targets(calls, specs))
        del new[i]["arguments"][k]
    elif kind == "unknown_argument":
        i = _int(draw, 0, len(calls) - 1)
        known = set(_properties(specs[calls[i]["name"]])) if calls[i]["name"] in specs else set()
        known |= set(calls[i]["arguments"])
        key = _pick(draw, [k for k in _HALLUCINATED_ARGS if k not in known] or ["zz_unknown"])
        new[i]["arguments"][key] = _pick(draw, (True, "yes", 1))
    elif kind == "extra_optional_argument":
        i, k = _pick(draw, _optional_targets(calls, specs))
        schema = _properties(specs[calls[i]["name"]])[k]
        value = _value(draw, k, schema)
        if "default" in schema and json_equal(schema["default"], value):
            value = _other_value(draw, value, schema, k)  # at its default it would not be a mutation
        assume(not ("default" in schema and json_equal(schema["default"], value)))
        new[i]["arguments"][k] = value
    elif kind == "wrong_tool_name":
        i = _int(draw, 0, len(calls) - 1)
        name = calls[i]["name"]
        new[i]["name"] = _pick(draw, [*(n for n in specs if n != name), f"{name}_v2", f"legacy_{name}"])
    elif kind == "duplicate_call":
        i = _int(draw, 0, len(calls) - 1)
        new.insert(i + 1, copy.deepcopy(calls[i]))
    elif kind == "extra_call":
        keys = {_call_key(c, specs.get(c["name"])) for c in calls}
        extra = _extra_call(draw, calls, specs)
        assume(_call_key(extra, specs.get(extra["name"])) not in keys)
        new.insert(_int(draw, 0, len(new)), extra)
    elif kind == "missing_call":
        del new[_int(draw, 0, len(calls) - 1)]
    else:  # pragma: no cover - guarded by applicable_mutations
        raise InvalidArgument(f"unknown mutation kind {kind!r}")
    return new


def _extra_call(draw: st.DrawFn, calls: list[dict[str, Any]], specs: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """A call to add for ``extra_call``: a guessed call of one of the tools, or without tools a copy of the
    first call with one value changed (or an argument added)."""
    if specs:
        return _guess_call(draw, specs)
    extra = copy.deepcopy(calls[0])
    if extra["arguments"]:
        k = _pick(draw, sorted(extra["arguments"]))
        extra["arguments"][k] = _other_value(draw, extra["arguments"][k], None, k)
    else:
        extra["arguments"]["zz_extra"] = 1
    return extra


@st.composite
def mutations(
    draw: st.DrawFn,
    truth: Mapping[str, Any],
    tools: Sequence[Mapping[str, Any]] | None = None,
    *,
    format: str | Sequence[str] | None = None,
    kinds: Sequence[str] | None = None,
) -> tuple[str | dict[str, Any], str]:
    """``(completion, kind)``: a semantic mutation of the correct completion for ``truth`` that a sound
    reward must score strictly lower (see :data:`MUTATION_KINDS`). ``tools`` (the item's specs, or
    ``None``) decide what is required, optional, another tool, or a wrong type. ``kinds`` restricts the
    kinds drawn; when none of them applies to this truth (:func:`applicable_mutations`) the example is
    discarded (like ``assume``)."""
    truth = _check_truth(truth)
    behavior = truth["behavior"]
    specs = _specs_by_name(tools)
    formats = _formats(format)
    calls = _calls(truth) if behavior == "execute" else []
    applicable = applicable_mutations(truth, tools, format=formats)
    if kinds is not None:
        unknown = set(kinds) - {k for ks in MUTATION_KINDS.values() for k in ks}
        if unknown:
            raise InvalidArgument(f"unknown mutation kinds {sorted(unknown)}")
        applicable = [k for k in applicable if k in kinds]
    if not applicable:
        reject()
    kind = _pick(draw, applicable)
    think = _bool(draw)
    if kind in _TEXT_KINDS:
        if kind == "clarify_instead_of_execute":
            named = [k for c in calls for k in (_required(specs[c["name"]]) if c["name"] in specs else c["arguments"])]
            text = clarifying_question(named[:1])
        elif kind == "clarify_instead_of_refuse":
            text = clarifying_question(["details"])
        else:
            text = REFUSAL
        return _text_completion(text, _pick(draw, formats), _pick(draw, _THINKS) if think else None), kind
    if kind.startswith("execute_instead"):
        guess = _guess_call(draw, specs, truth.get("missing") or [])
        return _rendered(draw, [guess], formats, think), kind
    if kind == "call_with_question":
        return _rendered(draw, calls, [f for f in formats if f in _TEXT_BESIDE_CALL], think, text=FOLLOW_UP), kind
    new = _mutate_calls(draw, kind, calls, specs)
    return _rendered(draw, new, formats, think, shuffle=kind != "duplicate_call"), kind


# --------------------------------------------------------------------------------------------------
# Adversarial texts
# --------------------------------------------------------------------------------------------------

_CALL = '{"name": "get_weather", "arguments": {"city": "Paris"}}'
_OPENERS: Final = ("<tool_call>", "<TOOLCALL>", "[TOOL_CALLS]", "<|python_tag|>", "```json\n", "<think>", "<response>")
_CLOSERS: Final = ("</tool_call>", "</TOOLCALL>", "</think>", "```", "</response>")
_REFUSALS: Final = ("I'm sorry, I can't help with that.", "I cannot do this.", "As an AI I must decline.")
_PROSE: Final = (
    "To call a tool I would write <tool_call> and then JSON, but I won't.",
    "The [TOOL_CALLS] marker starts a Mistral call; <TOOLCALL> is Nemotron's.",
    "Use <|python_tag|> for Llama, and </think> ends reasoning.",
    "Here is the answer: 42 degrees. Does that help?",
)
_HOSTILE_KINDS: Final = (
    "empty",
    "unclosed",
    "repeated",
    "deep",
    "huge_number",
    "nonfinite",
    "surrogate",
    "nul",
    "mixed",
    "refusal_in_args",
    "prose",
    "long",
    "pythonic",
    "json_oddities",
    "random",
)


def _random_text(src: Source) -> str:
    if isinstance(src, random.Random):
        pools = ((0x20, 0x7E), (0xA0, 0x2FF), (0x4E00, 0x4FFF), (0x1F300, 0x1F5FF), (0xD800, 0xDFFF), (0, 0x1F))
        return "".join(chr(src.randint(*pools[src.randrange(len(pools))])) for _ in range(src.randint(0, 80)))
    return src(st.text(max_size=200))


#: The hostile kinds that are one of a few fixed texts.
_HOSTILE_CHOICES: Final[dict[str, tuple[str, ...]]] = {
    "empty": (
        "",
        " ",
        "\n\t",
        "<tool_call></tool_call>",
        "<TOOLCALL>[]</TOOLCALL>",
        "[TOOL_CALLS]",
        "[TOOL_CALLS][]",
        "<|python_tag|>",
        "```json\n```",
        "[]",
        "{}",
        "<think></think>",
        "<tool_call>{}</tool_call>",
        "[]()",
    ),
    "nul": (
        "\x00",
        "I'm sorry\x00, I can't help.",
        '<tool_call>{"name": "get_weather\x00", "arguments": {}}</tool_call>',
        '<tool_call>\x00{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>',
    ),
    "mixed": (
        f"<tool_call>{_CALL}</tool_call>[TOOL_CALLS][{_CALL}]",
        f"<TOOLCALL>[{_CALL}]</TOOLCALL>\n<|python_tag|>{_CALL}",
        f"```json\n{_CALL}\n```\n<tool_call>{_CALL}</tool_call>",
        f"[get_weather(city='Paris')]\n<tool_call>{_CALL}</tool_call>",
    ),
    "prose": _PROSE,
    "pythonic": (
        "[__import__('os').system('echo hi')]",
        "[f(*args)]",
        "[f(**{'a': 1})]",
        "[f(x=lambda: 1)]",
        "[f(x=1+1)]",
        "[f(x=f(y=1))]",
        "f(x={1, 2})",
        "[open(file='/etc/passwd')]",
        "[f(x=b'bytes')]",
    ),
    "json_oddities": (
        '{"name": "get_weather", "arguments": "{\\"city\\": \\"Paris\\"}"}',
        '{"name": "get_weather", "arguments": {"city": "Paris", "city": "Rome"}}',
        '{"name": "get_weather", "arguments": {"city": "Paris"}, "parameters": {"city": "Rome"}}',
        '{"name": "", "arguments": {}}',
        '{"name": 42, "arguments": []}',
        "{'name': 'get_weather', 'arguments': {'city': 'Paris'}}",
        '<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}} trailing</tool_call>',
    ),
}


def _hostile_piece(src: Source, max_chars: int) -> str:
    kind = _pick(src, _HOSTILE_KINDS)
    n = _int(src, 0, max(0, max_chars))
    choices = _HOSTILE_CHOICES.get(kind)
    if choices is not None:  # a fixed text of its kind
        return _pick(src, choices)
    if kind == "unclosed":
        return _pick(src, _OPENERS) + _pick(src, ("", _CALL, _CALL[: len(_CALL) // 2], '{"name": "get_weather"'))
    if kind == "repeated":
        tag = _pick(src, (*_OPENERS, *_CLOSERS, f"<tool_call>{_CALL}</tool_call>"))
        return tag * max(2, min(_int(src, 2, 5000), n // len(tag) or 2))
    if kind == "deep":
        depth = max(1, min(_int(src, 10, 20_000), n // 8 or 1))
        inner = _pick(src, ("[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth))
        wrap = _pick(src, ("{}", '<tool_call>{{"name": "f", "arguments": {{"x": {}}}}}</tool_call>', "[f(x={})]"))
        return wrap.format(inner)
    if kind == "huge_number":
        digits = max(20, min(_int(src, 20, 10_000), n or 20))
        number = _pick(src, ("9" * digits, "-" + "1" * digits, "1e999", "-1e999", "1" + "0" * digits + ".5"))
        return (
            _pick(
                src,
                (
                    '<tool_call>{"name": "f", "arguments": {"x": %s}}</tool_call>',
                    '[{"name": "f", "arguments": {"x": %s}}]',
                    "[f(x=%s)]",
                ),
            )
            % number
        )
    if kind == "nonfinite":
        bad = _pick(src, ("NaN", "Infinity", "-Infinity", "nan", "inf", "1e400"))
        return (
            _pick(
                src,
                (
                    '<tool_call>{"name": "get_weather", "arguments": {"city": "Paris", "lat": %s}}</tool_call>',
                    '[TOOL_CALLS][{"name": "get_weather", "arguments": {"lat": %s}}]',
                    "[get_weather(lat=float('%s'))]",
                ),
            )
            % bad
        )
    if kind == "surrogate":
        s = _pick(src, ("\ud800", "\udfff", "\udc00x\ud83d"))
        return _pick(
            src,
            (
                f"Which city{s}?",
                '<tool_call>{"name": "get_weather", "arguments": {"city": "' + s + '"}}</tool_call>',
                '<tool_call>{"name": "get_weather", "arguments": {"city": "\\ud800"}}</tool_call>',
                s,
            ),
        )
    if kind == "refusal_in_args":
        refusal = json.dumps(_pick(src, _REFUSALS))
        return '<tool_call>{"name": "get_weather", "arguments": {"city": ' + refusal + "}}</tool_call>"
    if kind == "long":
        size = max(1, min(n, max_chars))
        return _pick(
            src,
            (
                "a" * size,
                " " * size,
                "<think>" + "hmm " * (size // 4) + "</think>",
                "?" * size,
                (f"<tool_call>{_CALL}</tool_call>" * (size // 80 + 1))[:size],
            ),
        )
    return _random_text(src)


def _adversarial(src: Source, max_chars: int) -> str:
    pieces = [_hostile_piece(src, max_chars) for _ in range(_int(src, 1, 3))]
    return _pick(src, ("", "\n", " ")).join(pieces)[:max_chars]


@st.composite
def adversarial_texts(draw: st.DrawFn, max_chars: int = 150_000) -> str:
    """A hostile completion text of at most ``max_chars`` characters: one to three hostile pieces
    (tags, brackets, numbers, encodings, prose, padding) joined together."""
    if max_chars < 1:
        raise InvalidArgument("max_chars must be >= 1")
    return _adversarial(draw, max_chars)


# --------------------------------------------------------------------------------------------------
# Fixed examples (the same generators, driven by a seeded Random: identical in every process)
# --------------------------------------------------------------------------------------------------

_SEED: Final = 20_240_601


@functools.lru_cache(maxsize=8)
def _adversarial_cached(n: int, seed: int, max_chars: int) -> tuple[str, ...]:
    rng = random.Random(seed)
    out: dict[str, None] = {}
    while len(out) < n:
        out.setdefault(_adversarial(rng, _pick(rng, (200, 2_000, max_chars))), None)
    return tuple(out)


def example_adversarial_texts(n: int = 50, *, seed: int = _SEED, max_chars: int = 50_000) -> list[str]:
    """``n`` distinct hostile texts from the :func:`adversarial_texts` generator (fixed ``seed``)."""
    return list(_adversarial_cached(n, seed, max_chars))


@functools.lru_cache(maxsize=8)
def _correct_cached(n: int, seed: int) -> tuple[tuple[list[dict[str, Any]], dict[str, Any], Any], ...]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        tools = _tool_list(rng, 1, 4)
        truth = _truth(rng, tools, (BEHAVIORS[i % 3],))  # every behaviour, in turn
        out.append((tools, truth, _correct(rng, truth, formats_for(truth), None)))
    return tuple(out)


def example_correct_cases(
    n: int = 30, *, seed: int = _SEED
) -> list[tuple[list[dict[str, Any]], dict[str, Any], str | dict[str, Any]]]:
    """``n`` ``(tools, truth, correct completion)`` examples from the same generators as :func:`cases`
    and :func:`correct_completions` (fixed ``seed``; fresh copies on every call)."""
    return copy.deepcopy(list(_correct_cached(n, seed)))
