"""An AST check: library code must not decide anything from an exception's *message text*.

A dependency's wording changes between releases (orjson 3.13 renamed its recursion error, so
``"recursion" in str(exc)`` silently stopped matching and a too-deep ground truth became a no-call
truth). Decisions are made from exception types, from attributes that are data (``exc.code``,
``exc.field``), or from the input itself. Message text may only flow into messages: an exception's
constructor, a log line, an error field of an output record.

:func:`find_message_branches` reports every place where text derived from a caught exception
(``str(exc)``, ``repr(exc)``, ``format(exc)``, ``f"{exc}"``, ``exc.args``, ``exc.msg``, ``exc.message``,
``traceback.format_exc()``, or a name assigned from one of these) is

- compared (``==``, ``in``, ``<``, ...), or part of a boolean test (``if``, ``while``, ``assert``,
  conditional expression, comprehension filter, ``and``/``or``/``not``, ``match`` subject);
- searched (``.startswith``, ``.endswith``, ``.find``, ``.index``, ``.count``, ``.split``, ``.partition``,
  ``re.*``), or used as a lookup key (``table[msg]``, ``table.get(msg)``);
- handed to a function of the scanned code that does one of these with the parameter it arrives in
  (followed three calls deep: this is how ``_classify_orjson_error(str(exc), text)`` branched).
"""

from __future__ import annotations

import ast
from pathlib import Path

#: attributes that hold an exception's message (``code``, ``field``, ``index`` are data, and allowed)
MESSAGE_ATTRIBUTES = frozenset({"args", "msg", "message", "strerror", "__str__", "__repr__", "__notes__"})
#: calls that turn their first argument into text
TEXT_OF = frozenset({"str", "repr", "format", "ascii"})
#: functions whose result is the text of the exception being handled
TRACEBACK_TEXT = frozenset({"format_exc", "format_exception", "format_exception_only", "print_exc"})
#: methods and ``re`` functions that search text
SEARCHES = frozenset(
    {
        "startswith",
        "endswith",
        "find",
        "rfind",
        "index",
        "rindex",
        "count",
        "split",
        "rsplit",
        "partition",
        "rpartition",
        "search",
        "match",
        "fullmatch",
        "findall",
        "finditer",
        "sub",
        "subn",
        "get",
        "casefold",
    }
)


class _Index:
    """Every function of the scanned code by name, with the parent map of its module."""

    def __init__(self) -> None:
        self.functions: dict[str, list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, dict[ast.AST, ast.AST]]]] = {}

    def add(self, tree: ast.AST, parents: dict[ast.AST, ast.AST]) -> None:
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.functions.setdefault(node.name, []).append((node, parents))


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _callee_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _is_message_of(node: ast.AST, names: set[str], tainted: set[str]) -> bool:
    """Is ``node`` (not its subtree) text derived from a caught exception (or a tainted name)?"""
    if isinstance(node, ast.Name) and node.id in tainted and isinstance(node.ctx, ast.Load):
        return True
    if isinstance(node, ast.Call):
        name = _callee_name(node)
        if name in TRACEBACK_TEXT:
            return True
        if name in TEXT_OF and node.args and isinstance(node.args[0], ast.Name) and node.args[0].id in names:
            return True
    if isinstance(node, ast.Attribute) and node.attr in MESSAGE_ATTRIBUTES:
        return isinstance(node.value, ast.Name) and node.value.id in names
    if isinstance(node, ast.FormattedValue):
        return isinstance(node.value, ast.Name) and node.value.id in names
    return False


def _parameter_for(call: ast.Call, argument: ast.AST, fn: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    """The parameter of ``fn`` that ``argument`` (an argument of ``call``) binds to."""
    params = [a.arg for a in (*fn.args.posonlyargs, *fn.args.args)]
    if params and params[0] in ("self", "cls") and isinstance(call.func, ast.Attribute):
        params = params[1:]
    for i, arg in enumerate(call.args):
        if arg is argument:
            if isinstance(arg, ast.Starred):
                return None
            return params[i] if i < len(params) else (fn.args.vararg.arg if fn.args.vararg else None)
    for kw in call.keywords:
        if kw.value is argument:
            return kw.arg
    return None


def _direct_use(child: ast.AST, parent: ast.AST) -> str | None:
    """How ``parent`` itself uses ``child`` for a decision, or None."""
    if isinstance(parent, (ast.Compare, ast.BoolOp)):
        return "compared"
    if isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.Not):
        return "used as a condition"
    if isinstance(parent, ast.IfExp) and child is parent.test:
        return "used as a condition"
    if isinstance(parent, ast.comprehension) and child in parent.ifs:
        return "used as a filter"
    if isinstance(parent, ast.Subscript) and child is parent.slice:
        return "used as a lookup key"
    return None


def _argument_use(child: ast.AST, call: ast.Call, index: _Index, depth: int) -> str | None:
    """Why ``child``, an argument of ``call``, is used for a decision: searched by the callee, or decided on
    inside a function of the scanned code (followed ``depth`` levels), or None."""
    name = _callee_name(call)
    if name in SEARCHES:
        return f"searched with {name}()"
    argument = child.value if isinstance(child, ast.keyword) else child
    for fn, fn_parents in index.functions.get(name, []) if depth > 0 else []:
        param = _parameter_for(call, argument, fn)
        if param is not None:
            inner = _scope_decides(fn, fn_parents, set(), {param}, index, depth - 1)
            if inner:
                line, why = inner[0]
                return f"handed to {name}(), where (line {line}) it is {why}"
    return None


def _searched_by_method(parent: ast.AST, parents: dict[ast.AST, ast.AST]) -> str | None:
    """``text.find(...)`` and the like: the text searched with one of its own methods, or None."""
    if isinstance(parent, ast.Attribute) and isinstance(parents.get(parent), ast.Call):
        call = parents[parent]
        if isinstance(call, ast.Call) and call.func is parent and parent.attr in SEARCHES:
            return f"searched with .{parent.attr}()"
    return None


def _statement_use(child: ast.AST, parent: ast.AST | None) -> str | None:
    """How the statement ``parent`` uses its expression ``child`` for a decision, or None."""
    if isinstance(parent, (ast.If, ast.While, ast.Assert)) and child is parent.test:
        return "used as a condition"
    if isinstance(parent, ast.Match) and child is parent.subject:
        return "matched on"
    return None


def _decides(node: ast.AST, parents: dict[ast.AST, ast.AST], index: _Index, depth: int) -> str | None:
    """Why the message text at ``node`` is used for a decision (walking up to its statement), or None.
    A call to a function of the scanned code is followed into that function (``depth`` levels)."""
    child, parent = node, parents.get(node)
    while parent is not None and not isinstance(parent, ast.stmt):
        why = _direct_use(child, parent)
        if why:
            return why
        if isinstance(parent, ast.keyword):
            child, parent = parent, parents.get(parent)
            continue
        if isinstance(parent, ast.Call) and child is not parent.func:
            why = _argument_use(child, parent, index, depth)
            if why:
                return why
        why = _searched_by_method(parent, parents)
        if why:
            return why
        child, parent = parent, parents.get(parent)
    return _statement_use(child, parent)


def _scope_decides(
    scope: ast.AST, parents: dict[ast.AST, ast.AST], names: set[str], tainted: set[str], index: _Index, depth: int
) -> list[tuple[int, str]]:
    """Every decision made in ``scope`` from the text of the exceptions bound to ``names`` or from
    ``tainted`` names; names assigned from such text are tainted too (to a fixed point)."""
    tainted = set(tainted)
    changed = True
    while changed:
        changed = False
        for node in ast.walk(scope):
            if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and node.value is not None:
                if any(_is_message_of(n, names, tainted) for n in ast.walk(node.value)):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    for target in targets:
                        for n in ast.walk(target):
                            if isinstance(n, ast.Name) and n.id not in tainted:
                                tainted.add(n.id)
                                changed = True
    found = []
    for node in ast.walk(scope):
        if _is_message_of(node, names, tainted):
            why = _decides(node, parents, index, depth)
            if why:
                found.append((getattr(node, "lineno", 0), why))
    return found


def _scan(tree: ast.AST, parents: dict[ast.AST, ast.AST], filename: str, index: _Index) -> list[str]:
    found: list[str] = []
    scopes = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))] + [tree]
    for scope in scopes:
        names = {h.name for h in ast.walk(scope) if isinstance(h, ast.ExceptHandler) and h.name}
        found += [
            f"{filename}:{line}: exception text {why}"
            for line, why in _scope_decides(scope, parents, names, set(), index, 3)
        ]
    return sorted(set(found))


def find_message_branches(source: str, filename: str = "<string>") -> list[str]:
    """``file:line: what`` for every decision made from exception message text in one module's source."""
    tree = ast.parse(source, filename)
    parents = _parents(tree)
    index = _Index()
    index.add(tree, parents)
    return _scan(tree, parents, filename, index)


def scan_package(root: Path) -> list[str]:
    """:func:`find_message_branches` over every module under ``root``, following calls across modules."""
    index = _Index()
    modules = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        parents = _parents(tree)
        index.add(tree, parents)
        modules.append((tree, parents, str(path.relative_to(root.parent))))
    found: list[str] = []
    for tree, parents, name in modules:
        found += _scan(tree, parents, name, index)
    return found
