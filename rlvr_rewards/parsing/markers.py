"""The ``mixed_formats`` rule over every registered format's markers, in one linear pass.

Contract: :class:`MarkerIndex` is built once per tuple of parsers (:func:`index_for`); ``foreign(answer, fmt)``
says whether ``answer`` (reasoning removed) holds a marker that the parser named ``fmt`` does not list
(``ParserSpec.markers``): call markers of another format beside the calls ``fmt`` read, i.e. ``mixed_formats``.
Formats that write a shared token list it too (``<tool_call>``: Hermes, Qwen3-Coder XML and GLM), so their own
texts are never mixed. ``formats(answer)`` names every format whose marker occurs (the last-resort
``attempted_call``).

Technique: per format, the markers it does not list that begin with ``<`` (almost all) are one alternation
behind a literal ``<`` (the regular expression engine jumps from one ``<`` to the next in C and tries the
alternatives only there: linear, no backtracking, as every alternative is a literal), searched once; the
others are looked for with ``in``. ``formats`` uses one alternation of every tagged marker. Imports nothing of
the package but the parser types.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from rlvr_rewards.parsing.types import ParserSpec

__all__ = ["MarkerIndex", "index_for"]


class MarkerIndex:
    """Which registered format writes which marker (see the module contract)."""

    __slots__ = ("by_marker", "foreign_checks", "other", "owned", "tagged")

    def __init__(self, specs: Sequence[ParserSpec]) -> None:
        self.owned: dict[str, frozenset[str]] = {spec.name: frozenset(spec.markers) for spec in specs}
        by_marker: dict[str, list[str]] = {}
        for spec in specs:
            for marker in spec.markers:
                by_marker.setdefault(marker, []).append(spec.name)
        self.by_marker: dict[str, tuple[str, ...]] = {m: tuple(names) for m, names in by_marker.items()}
        tagged = sorted((m[1:] for m in by_marker if m.startswith("<")), key=lambda m: (-len(m), m))
        self.tagged: re.Pattern[str] | None = (
            re.compile("<(?:" + "|".join(map(re.escape, tagged)) + ")") if tagged else None
        )
        self.other: tuple[str, ...] = tuple(sorted(m for m in by_marker if not m.startswith("<")))
        self.foreign_checks: dict[str, tuple[tuple[str, ...], re.Pattern[str] | None]] = {}

    def foreign(self, answer: str, fmt: str) -> bool:
        """``answer`` holds a marker the format ``fmt`` does not list (``mixed_formats``)."""
        check = self.foreign_checks.get(fmt)
        if check is None:
            check = self.foreign_checks[fmt] = self._foreign_check(fmt)
        others, tagged = check
        for marker in others:
            if marker in answer:
                return True
        return tagged is not None and tagged.search(answer) is not None

    def foreign_untagged(self, answer: str, fmt: str) -> bool:
        """:meth:`foreign` for an answer known to hold no tagged marker ``fmt`` does not list: only the
        markers that do not begin with ``<`` are looked for."""
        check = self.foreign_checks.get(fmt)
        if check is None:
            check = self.foreign_checks[fmt] = self._foreign_check(fmt)
        for marker in check[0]:
            if marker in answer:
                return True
        return False

    def _foreign_check(self, fmt: str) -> tuple[tuple[str, ...], re.Pattern[str] | None]:
        """The markers ``fmt`` does not list: those not beginning with ``<`` (looked for with ``in``) and one
        alternation of the others behind a literal ``<`` (one search in C)."""
        own = self.owned.get(fmt, frozenset())
        foreign = [m for m in self.by_marker if m not in own]
        tagged = sorted((m[1:] for m in foreign if m.startswith("<")), key=lambda m: (-len(m), m))
        pattern = re.compile("<(?:" + "|".join(map(re.escape, tagged)) + ")") if tagged else None
        return tuple(sorted(m for m in foreign if not m.startswith("<"))), pattern

    def formats(self, answer: str) -> list[str]:
        """The formats (in registration order, each once) whose markers occur in ``answer``."""
        found: dict[str, None] = {}
        for marker in self.other:
            if marker in answer:
                found.update(dict.fromkeys(self.by_marker[marker]))
        if self.tagged is not None:
            seen: set[str] = set()
            for match in self.tagged.finditer(answer):
                marker = match.group()
                if marker not in seen:
                    seen.add(marker)
                    found.update(dict.fromkeys(self.by_marker[marker]))
        order = list(self.owned)
        return sorted(found, key=order.index)


_INDEXES: dict[int, tuple[Sequence[ParserSpec], MarkerIndex]] = {}
_MAX: Final = 64


def index_for(specs: Sequence[ParserSpec]) -> MarkerIndex:
    """The :class:`MarkerIndex` of ``specs`` (kept per tuple: the registry's is stable)."""
    hit = _INDEXES.get(id(specs))
    if hit is not None and hit[0] is specs:
        return hit[1]
    index = MarkerIndex(specs)
    if len(_INDEXES) >= _MAX:
        _INDEXES.clear()
    _INDEXES[id(specs)] = (specs, index)
    return index
