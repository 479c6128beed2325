"""The package layout (docs/architecture.md): folders are the stages of the data flow, at most eight modules
sit at the package root, no module imports itself back through others (counting imports inside functions and
under ``TYPE_CHECKING``), the shared vocabulary is a leaf, and every import path of the 0.1 layout still
gives its module, with a DeprecationWarning naming the new path (``rlvr_rewards._compat``).
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import rlvr_rewards
from rlvr_rewards import _compat

PACKAGE = Path(rlvr_rewards.__file__).resolve().parent
STAGES = ("groundtruth", "parsing", "classify", "scoring", "combine")
MAX_ROOT_MODULES = 8


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imported(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package's modules that ``name`` imports anywhere in its source (top level, functions, TYPE_CHECKING),
    with the packages each import runs on the way (``a.b.c`` runs ``a.b``'s ``__init__``)."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            targets = [f"{module}.{a.name}" if f"{module}.{a.name}" in modules else module for a in node.names]
        for target in targets:
            while target not in modules and "." in target:
                target = target.rsplit(".", 1)[0]
            if target not in modules or not target.startswith("rlvr_rewards"):
                continue
            parts = target.split(".")
            for i in range(1, len(parts) + 1):
                step = ".".join(parts[:i])
                if step != name and not name.startswith(step + "."):  # its own parents are already running
                    found.add(step)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imported(name, path, modules) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_at_most_eight_modules_at_the_root() -> None:
    root = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(root) <= MAX_ROOT_MODULES, root


def test_each_stage_has_its_folder() -> None:
    for stage in STAGES:
        assert (PACKAGE / stage / "__init__.py").is_file(), stage


def test_no_import_cycle() -> None:
    graph = import_graph()
    assert len(graph) > 50 and sum(map(len, graph.values())) > 100  # the graph was read
    assert cycles(graph) == []


def test_the_cycle_check_finds_a_cycle() -> None:
    """The check above can fail: a graph with a back edge has a component."""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    graph = import_graph()
    graph["rlvr_rewards.groundtruth.truths"].add("rlvr_rewards.plugins")  # the cycle this layout removed
    assert any("rlvr_rewards.plugins" in c and "rlvr_rewards.groundtruth.truths" in c for c in cycles(graph))


def test_the_vocabulary_is_a_leaf() -> None:
    graph = import_graph()
    assert graph["rlvr_rewards.vocabulary"] == set()
    assert graph["rlvr_rewards._compat"] == set()


def test_truth_compilation_never_looks_the_registry_up() -> None:
    graph = import_graph()
    for name in graph:
        if name.startswith("rlvr_rewards.groundtruth.") and name != "rlvr_rewards.groundtruth.validate":
            assert "rlvr_rewards.plugins" not in graph[name], name


@pytest.mark.parametrize("old", sorted(_compat.MOVED))
def test_an_old_import_path_gives_the_moved_module(old: str) -> None:
    new = importlib.import_module(_compat.MOVED[old])
    sys.modules.pop(old, None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        module = importlib.import_module(old)
    assert module is new
    assert getattr(sys.modules["rlvr_rewards"], old.rsplit(".", 1)[1]) is new
    assert any(issubclass(w.category, DeprecationWarning) and _compat.MOVED[old] in str(w.message) for w in caught)


def test_old_paths_work_in_a_fresh_interpreter() -> None:
    """``from rlvr_rewards import truth`` and ``import rlvr_rewards.presets`` before anything else is loaded."""
    code = (
        "import warnings; warnings.simplefilter('error', DeprecationWarning)\n"
        "try:\n"
        "    from rlvr_rewards import truth\n"
        "except DeprecationWarning as w:\n"
        "    print('warned', w)\n"
        "warnings.simplefilter('ignore')\n"
        "from rlvr_rewards import truth\n"
        "import rlvr_rewards.presets as p\n"
        "from rlvr_rewards.groundtruth import truths\n"
        "from rlvr_rewards.combine import presets\n"
        "assert truth is truths and p is presets\n"
        "print(truths.__name__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "warned rlvr_rewards.truth has moved to rlvr_rewards.groundtruth.truths" in out
    assert out.strip().endswith("rlvr_rewards.groundtruth.truths")


def test_unknown_paths_are_still_errors() -> None:
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("rlvr_rewards.no_such_module")


def test_an_old_module_is_an_attribute_of_the_package() -> None:
    """``rr.presets`` (attribute access, no import statement) as the 0.1 layout allowed once it was loaded."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert rlvr_rewards.presets is importlib.import_module("rlvr_rewards.combine.presets")  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        _ = rlvr_rewards.not_a_module  # type: ignore[attr-defined]
