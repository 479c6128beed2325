"""No decision in the library may depend on an exception's message text (see tests/exception_text.py).

The check is tested on the patterns it exists for (each of which once shipped: orjson's recursion message,
the pythonic parser's integer-conversion message, the plugin registry's re-entry message) and on the uses
of message text that are fine (building another error's message, logging, an output record's field).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from .exception_text import find_message_branches, scan_package

PACKAGE = Path(__file__).resolve().parent.parent / "rlvr_rewards"


def test_the_library_never_branches_on_exception_text() -> None:
    found = scan_package(PACKAGE)
    assert found == [], "decide from exception types, attributes that are data, or the input itself:\n" + "\n".join(
        found
    )


BRANCHES = {
    "in-str": """
        try:
            decoded = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            if "recursion" in str(exc):
                raise GroundTruthError("too deep")
    """,
    "conditional-expression": """
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError) as exc:
            code = "number_too_large" if "integer string conversion" in str(exc) else "pythonic_not_call"
    """,
    "classifier-function": """
        def _classify(message, text):
            low = message.lower()
            if "recursion" in low:
                return "nesting_too_deep"
            return "invalid_json"

        def loads(text):
            try:
                return orjson.loads(text)
            except orjson.JSONDecodeError as exc:
                return _classify(str(exc), text)
    """,
    "keyword-argument-to-classifier": """
        def _classify(text, *, message):
            return CODES.get(message)

        def loads(text):
            try:
                return orjson.loads(text)
            except ValueError as exc:
                return _classify(text, message=str(exc))
    """,
    "assigned-then-compared": """
        try:
            build()
        except PluginError as exc:
            text = str(exc)
            low = text.lower()
            if low == "while the registry is being built":
                raise
    """,
    "startswith": """
        try:
            f()
        except ValueError as e:
            ok = str(e).startswith("Exceeds the limit")
    """,
    "fstring-searched": """
        try:
            f()
        except ValueError as e:
            m = re.search("digits", f"{e}")
    """,
    "args": """
        try:
            f()
        except KeyError as e:
            if e.args[0] == "tool_name":
                pass
    """,
    "message-attribute": """
        try:
            f()
        except GroundTruthError as e:
            assert e.message
    """,
    "lookup-key": """
        try:
            f()
        except OSError as e:
            code = CODES[e.strerror]
    """,
    "traceback-text": """
        import traceback
        try:
            f()
        except Exception:
            if "RecursionError" in traceback.format_exc():
                pass
    """,
    "repr-filter": """
        try:
            f()
        except Exception as e:
            kinds = [k for k in KINDS if k in repr(e)]
    """,
    "match-subject": """
        try:
            f()
        except Exception as e:
            match str(e):
                case "x":
                    pass
    """,
}


@pytest.mark.parametrize("source", list(BRANCHES.values()), ids=list(BRANCHES))
def test_the_check_finds_each_way_of_branching_on_a_message(source: str) -> None:
    assert find_message_branches(textwrap.dedent(source)), source


ALLOWED = {
    "another-errors-message": """
        try:
            f()
        except orjson.JSONDecodeError as exc:
            raise ConfigError(f"{where}: not JSON ({exc})") from None
    """,
    "output-field": """
        try:
            f()
        except GroundTruthError as exc:
            out.append({"error": exc.message[:300], "field": exc.field})
    """,
    "log-line": """
        try:
            f()
        except Exception as exc:
            logger.error(json.dumps({"error": str(exc)[:300]}))
    """,
    "message-builder-function": """
        def _error_response(kind, message):
            return {"errorType": kind, "errorMessage": message[:500]}

        def handle():
            try:
                f()
            except ValueError as exc:
                return _error_response("InvalidEvent", str(exc))
    """,
    "data-attributes": """
        try:
            f()
        except _Reject as rej:
            if rej.code == "duplicate_keys":
                pass
        except GroundTruthError as exc:
            inner = f"{field}.{exc.field}" if exc.field else field
    """,
    "exception-types": """
        try:
            f()
        except RecursionError:
            code = "nesting_too_deep"
        except (SyntaxError, ValueError) as exc:
            code = "pythonic_not_call"
            if isinstance(exc, SyntaxError):
                pass
    """,
}


@pytest.mark.parametrize("source", list(ALLOWED.values()), ids=list(ALLOWED))
def test_the_check_allows_message_text_that_only_becomes_a_message(source: str) -> None:
    assert find_message_branches(textwrap.dedent(source)) == [], source
