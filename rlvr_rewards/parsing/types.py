"""Plain, immutable results of parsing one completion (stage one of parse -> score).

Contract: a parser never raises on model output. Whatever it found is in a :class:`ParseResult`:
the calls it could decode, the free text, the reasoning, the format it recognised, and every
format violation as a stable code (see ``VIOLATIONS``). Scorers read these; they never re-parse.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rlvr_rewards.limits import Limits

__all__ = ["VIOLATIONS", "ParseResult", "ParsedCall", "ParserFn", "ParserSpec", "ReasoningFn", "StraightFn"]

#: Every violation code a built-in parser may record, with its meaning (documented in docs/reasons.md).
VIOLATIONS: dict[str, str] = {
    "too_long": "the completion exceeds Limits.max_chars and was not parsed",
    "over_budget": "parsing the completion (more distinct call blocks than limits.block_budget allows) or "
    "comparing its calls with the truth would exceed the per-completion work budget",
    "empty": "the completion is empty or whitespace only",
    "unclosed_tag": "a call block was opened and never closed (e.g. a last <tool_call> without </tool_call>)",
    "stray_closing_tag": "a closing tag with no opening tag",
    "empty_call_block": "a call block with nothing inside (e.g. <tool_call></tool_call>)",
    "text_with_call": "free text outside the call blocks, next to a call",
    "invalid_json": "a call block whose content is not valid JSON",
    "nonfinite_number": "NaN, Infinity or an overflowing float inside a call",
    "nesting_too_deep": "arguments nested deeper than Limits.max_depth",
    "number_too_large": "an integer literal longer than Limits.max_int_digits",
    "invalid_unicode": "unpaired surrogates or invalid UTF-8 inside a call",
    "duplicate_keys": "a JSON object repeats a key (the last value was kept)",
    "trailing_garbage": "text after the JSON of a call block, inside the block",
    "missing_name": "a call without a usable string name",
    "arguments_not_object": "a call whose arguments are not a JSON object",
    "arguments_json_string": "arguments given as a JSON string inside a format that expects an object",
    "both_arguments_and_parameters": "a call with both `arguments` and `parameters` keys",
    "unknown_call_keys": "a call object with keys other than name/arguments/parameters(/id/type)",
    "too_many_calls": "more calls than Limits.max_calls; the rest were dropped",
    "unclosed_think": "a <think> block that is never closed (everything after it is reasoning)",
    "repeated_think": "more than one <think> block",
    "think_after_answer": "a <think> block after answer text or a call",
    "mixed_formats": "call markers of more than one format in one completion",
    "pythonic_not_call": "a pythonic list whose items are not plain calls with literal arguments",
    "python_literal_json": "a call written as a Python literal (single quotes, True/None) where JSON was expected",
    "pythonic_bare_name": "a pythonic call with a bare name where a value goes (data=my_data, or data['sales']), read "
    "as the string it spells, as BFCL's decoder reads it",
    "call_with_question": "a call with a question or request to the user beside it (hedging)",
    "call_with_refusal": "a call with a refusal beside it (hedging)",
    "untyped_value": "a parameter written as text (an XML-style format) that does not read as the type its tool "
    "schema declares (it was kept as text)",
}


_NO_NAMES: frozenset[str] = frozenset()


# Both classes below are frozen dataclasses whose ``__init__`` is written out: it stores each field through its
# slot's own setter (bound once, below each class) instead of the generated frozen ``object.__setattr__`` per
# field, a third of the cost of building one, on the path every completion takes. Same fields, order and
# defaults as the generated one (tests/test_parse_types.py compares the signature with ``fields()``);
# equality, hashing, repr, ``replace`` and the frozen ``__setattr__`` are the dataclass's own.


@dataclass(frozen=True, slots=True, init=False)
class ParsedCall:
    """One decoded tool call. ``arguments`` is ``None`` when they could not be decoded to an object.

    ``untyped``: the names of the arguments whose value is the raw text a text-only format wrote (XML-style
    parameters: Qwen3-Coder, GLM, MiniMax, ...). Scoring types them by the tool's schema before anything
    reads them (:func:`rlvr_rewards.parsing.values.type_values`); every other value is already typed."""

    name: str
    arguments: dict[str, Any] | None
    untyped: frozenset[str] = _NO_NAMES

    def __init__(self, name: str, arguments: dict[str, Any] | None, untyped: frozenset[str] = _NO_NAMES) -> None:
        _CALL_NAME(self, name)
        _CALL_ARGUMENTS(self, arguments)
        _CALL_UNTYPED(self, untyped)


_CALL_NAME, _CALL_ARGUMENTS, _CALL_UNTYPED = (ParsedCall.__dict__[f].__set__ for f in ("name", "arguments", "untyped"))


@dataclass(frozen=True, slots=True, init=False)
class ParseResult:
    """What one completion did, as far as the syntax shows.

    - ``calls``: decoded calls, in the order written.
    - ``text``: free text outside call blocks and reasoning, stripped.
    - ``think``: the reasoning text (``<think>`` blocks), stripped.
    - ``format``: name of the parser that recognised the calls (``"none"`` when there are none).
    - ``violations``: sorted, de-duplicated violation codes (keys of ``VIOLATIONS`` or a plugin's own).
    - ``attempted_call``: a call syntax was present even if nothing could be decoded.
    - ``untyped``: some call has ``untyped`` arguments (typed by the tool schema when scored).
    """

    calls: tuple[ParsedCall, ...]
    text: str
    think: str = ""
    format: str = "none"
    violations: tuple[str, ...] = ()
    attempted_call: bool = False
    untyped: bool = False

    def __init__(
        self,
        calls: tuple[ParsedCall, ...],
        text: str,
        think: str = "",
        format: str = "none",
        violations: tuple[str, ...] = (),
        attempted_call: bool = False,
        untyped: bool = False,
    ) -> None:
        _RESULT_CALLS(self, calls)
        _RESULT_TEXT(self, text)
        _RESULT_THINK(self, think)
        _RESULT_FORMAT(self, format)
        _RESULT_VIOLATIONS(self, violations)
        _RESULT_ATTEMPTED(self, attempted_call)
        _RESULT_UNTYPED(self, untyped)


(
    _RESULT_CALLS,
    _RESULT_TEXT,
    _RESULT_THINK,
    _RESULT_FORMAT,
    _RESULT_VIOLATIONS,
    _RESULT_ATTEMPTED,
    _RESULT_UNTYPED,
) = (
    ParseResult.__dict__[f].__set__
    for f in ("calls", "text", "think", "format", "violations", "attempted_call", "untyped")
)


#: A format parser: given the answer text (reasoning already removed), return a ParseResult if the
#: text is in this format, else ``None`` so the next parser is tried. Must not raise.
ParserFn = Callable[[str], "ParseResult | None"]
#: A format's reasoning split (see ``ParserSpec.split_reasoning``).
ReasoningFn = Callable[[str], "tuple[str, str, tuple[str, ...]]"]
#: A parser's straight path (see ``ParserSpec.straight``): raw completion text and the limits in force.
StraightFn = Callable[[str, "Limits"], "ParseResult | None"]


@dataclass(frozen=True, slots=True)
class ParserSpec:
    """A registered completion format. Parsers are tried by ascending ``priority``, then name."""

    name: str
    parse: ParserFn
    priority: int = 100
    description: str = ""
    #: Optional: the whole-completion path for the shape this format alone decides, ``straight(raw text,
    #: limits)``: the final ``ParseResult`` (reasoning split, violations merged, exactly what the general
    #: path returns) or ``None`` to take the general path. Used only when this parser is tried first;
    #: one with a straight path needs a differential test against the general path. It declines (``None``)
    #: an answer (after the ``<think>`` split) holding a marker that the current marker index
    #: (``formats.current_markers()``) does not list for this format, as the general path flags that
    #: ``mixed_formats``; the dispatcher relies on it to skip the formats' reasoning splits (``split_reasoning``)
    #: for a straight result.
    straight: StraightFn | None = None
    #: Literal strings of which at least one occurs in any text this parser claims (``()``: none, e.g. bare
    #: JSON). Detection skips the parser when none occurs; ``mixed_formats`` and docs/formats.md read them.
    markers: tuple[str, ...] = ()
    #: The model families that write this format (docs/formats.md), e.g. ``"GPT-OSS"``.
    family: str = ""
    #: Other names accepted by the ``format=`` hint (model families, e.g. ``("gpt-oss", "gpt_oss")``).
    aliases: tuple[str, ...] = ()
    #: One completion in this format with one call (docs/formats.md; tests check it parses to a call).
    example: str = ""
    #: Where the format is specified (a chat template, a format document), for docs/formats.md.
    source: str = ""
    #: Other parsers (by name) a ``format=`` hint naming this one also tries, after it: what else the family
    #: writes (Llama 4 writes plain pythonic lists too: ``("pythonic",)``).
    hint_includes: tuple[str, ...] = ()
    #: Optional: the format's own reasoning split, ``split_reasoning(answer) -> (answer, reasoning,
    #: violations)`` (GPT-OSS's ``analysis`` channel). The dispatcher runs it on every answer after the
    #: ``<think>`` split and before any parser (so no parser reads reasoning for calls); it must return its
    #: input unchanged, fast, when the format's markers are absent. Never raises.
    split_reasoning: ReasoningFn | None = None
