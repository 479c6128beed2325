"""Cross-family checks over every registered format and every family's cases (issue 17).

- every registered parser has cases (``CASES`` in a ``tests/formats/test_*.py`` module) of every kind, and
  its ``example`` parses to one call, auto-detected as that parser;
- the markers contract: a parser claims a text only when one of its ``markers`` occurs in it (detection
  skips it otherwise), checked on every case of every family, each tried with every parser;
- no format steals another's text: a case with calls is detected as its own parser (``check_cases``), and
  the hinted parse of another family's case never yields the same calls under a different parser's name
  unless the two formats share a marker and a reading;
- ``format=`` hints: every alias resolves to its parser; an unknown one is a ``ConfigError`` naming them.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from typing import Any

import pytest

import rlvr_rewards as rr
from rlvr_rewards.errors import ConfigError
from rlvr_rewards.plugins import get_registry

from . import harness

#: Parsers read before this issue, tested by tests/test_parsing.py and friends rather than a case list here.
EARLIER = frozenset({"hermes", "nemotron", "mistral", "llama3", "fence", "json", "pythonic"})


#: Case modules skipped because the installed TRL lacks the templates they render (module -> reason).
SKIPPED_MODULES: dict[str, str] = {}


def _all_cases() -> dict[str, list[harness.FormatCase]]:
    import tests.formats as package

    found: dict[str, list[harness.FormatCase]] = {}
    for info in pkgutil.iter_modules(package.__path__):
        if not info.name.startswith("test_") or info.name == "test_families":
            continue
        try:
            module = importlib.import_module(f"tests.formats.{info.name}")
        except pytest.skip.Exception as skipped:  # (harness.require_trl_templates: an older TRL)
            SKIPPED_MODULES[info.name] = str(skipped)
            continue
        for name, cases in getattr(module, "CASES", {}).items():
            found.setdefault(name, []).extend(cases)
    return found


CASES = _all_cases()
SPECS = {spec.name: spec for spec in get_registry().parsers}


def test_newest_trl_ships_every_template() -> None:
    """Every case module loaded: with an older TRL (the minimum-versions run) a module whose templates it
    lacks is skipped here, by name, rather than silently."""
    if SKIPPED_MODULES:
        pytest.skip("; ".join(f"{name}: {why}" for name, why in sorted(SKIPPED_MODULES.items())))


#: The parsers whose cases are in the skipped modules (their specs' names, read without rendering).
_UNRENDERED = {"test_gemma": "gemma", "test_lfm2": "lfm2"}


def test_every_parser_has_cases_of_every_kind() -> None:
    absent = [m for m in ("trl", "transformers") if importlib.util.find_spec(m) is None]
    if absent:  # (outside CI only: in CI harness.require raises and the case modules fail to load)
        pytest.skip(f"{', '.join(absent)} not installed (the 'trl' extra): the rendered case modules did not load")
    skipped = {_UNRENDERED.get(module) for module in SKIPPED_MODULES}
    assert set(SKIPPED_MODULES) <= set(_UNRENDERED), SKIPPED_MODULES
    for name in SPECS:
        if (name in EARLIER and name not in CASES) or name in skipped:
            continue
        assert name in CASES, f"parser {name!r} has no FormatCase list in tests/formats/"
        kinds = {c.kind for c in CASES[name]}
        assert kinds >= harness.KINDS, f"{name}: missing kinds {sorted(harness.KINDS - kinds)}"


def test_case_lists_name_registered_parsers() -> None:
    assert set(CASES) <= set(SPECS), sorted(set(CASES) - set(SPECS))


@pytest.mark.parametrize("name", sorted(SPECS))
def test_example_is_one_call_of_its_own_format(name: str) -> None:
    spec = SPECS[name]
    assert spec.example, f"{name}: no example (docs/formats.md shows it)"
    assert spec.family, f"{name}: no family"
    got = rr.parse(spec.example)
    assert got.format == name and len(got.calls) == 1, got
    assert rr.parse(spec.example, format=name).calls == got.calls


def _texts() -> list[Any]:
    return [c.text for cases in CASES.values() for c in cases if isinstance(c.text, str)]


def test_markers_contract_on_every_case() -> None:
    """A parser with markers returns None for a text holding none of them (so detection may skip it)."""
    texts = _texts()
    for spec in SPECS.values():
        if not spec.markers:
            continue
        for text in texts:
            if any(m in text for m in spec.markers):
                continue
            got = spec.parse(text)
            assert got is None, f"{spec.name} claimed a text without its markers: {text[:200]!r}"


def test_auto_detection_equals_the_hinted_parse_on_every_case() -> None:
    """The differential test of the issue, over every family's cases at once."""
    n = 0
    for name, cases in CASES.items():
        for case in cases:
            auto = rr.parse(case.text, tools=case.tools)
            hinted = rr.parse(case.text, tools=case.tools, format=name)
            assert harness.calls_of(auto) == harness.calls_of(hinted), (name, case)
            n += 1
    assert n >= 10 * len(CASES)


def test_every_alias_resolves_to_its_parser() -> None:
    registry = get_registry()
    for spec in SPECS.values():
        for alias in (spec.name, *spec.aliases):
            chosen = registry.parsers_for(alias)
            assert chosen[0] is spec, alias
            assert [s.name for s in chosen[1:]] == [s.name for s in SPECS.values() if s.name in spec.hint_includes]
            assert registry.parsers_for(alias.upper()) == registry.parsers_for(alias)
    assert registry.parsers_for(None) == registry.parsers_for("auto") == registry.parsers
    assert registry.parsers_for("openai") == ()


def test_unknown_format_names_the_known_ones() -> None:
    with pytest.raises(ConfigError, match=r"unknown format 'nope'.*hermes"):
        rr.parse("x", format="nope")
    with pytest.raises(ConfigError, match="unknown format"):
        rr.score("x", {"behavior": "refuse"}, format="nope")
    with pytest.raises(ConfigError, match="format must be a string"):
        rr.parse("x", format=3)  # type: ignore[arg-type]


def test_the_hint_reaches_score_and_score_batch() -> None:
    text = '<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>'
    truth = {"behavior": "execute", "calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]}
    assert rr.score(text, truth, format="hermes").reward == 1.0
    assert rr.score(text, truth, format="openai").reward < 1.0  # only structured tool_calls give calls
    batch = rr.score_batch([text, text], [truth, truth], format="hermes")
    assert batch.rewards.tolist() == [1.0, 1.0]
    assert rr.score_batch([text], [truth], format="openai").rewards.tolist()[0] < 1.0
