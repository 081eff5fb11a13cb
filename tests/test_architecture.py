"""The shape of the code: small modules and functions, a slim window, no circles.

Imports are read from the source (``ast``), so the ones inside functions (lazy
imports) count too, and so do those under ``if TYPE_CHECKING:``: they never run, but
a circle through a type-only import still ties two modules that cannot be read, or
moved, one without the other.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "nnpad"
MAX_LINES = 400
MAX_FUNCTION_LINES = 80
MAX_WINDOW_LINES = 350
# Feature folders: only what every part shares sits directly in these packages.
MAX_LOOSE_MODULES = {"ui": 6, "core": 8}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(
    tree: ast.AST, *, type_only: bool = True
) -> list[ast.Import | ast.ImportFrom]:
    """Every import in ``tree``; without ``type_only``, those that run only."""
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if not type_only and isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.Import | ast.ImportFrom):
                found.append(child)
            visit(child)

    visit(tree)
    return found


def imports_of(name: str) -> set[str]:
    """The nnpad modules ``name`` imports: lazily, eagerly or for types only."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
            continue
        base = node.module or ""
        if node.level:
            anchor = package.split(".")
            anchor = anchor[: len(anchor) - (node.level - 1)]
            base = ".".join([*anchor, base] if base else anchor)
        for alias in node.names:
            child = f"{base}.{alias.name}"
            targets.add(child if child in MODULES else base)
    return {t for t in targets if t in MODULES and t != name}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
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

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def test_no_import_circles_lazy_and_type_only_imports_included() -> None:
    graph = {name: imports_of(name) for name in MODULES}
    assert "nnpad.core.model.store" in graph["nnpad.cli.info"]  # a lazy import
    assert (
        "nnpad.ui.session" in graph["nnpad.ui.evaluate.evaluate_panel"]
    )  # a type-only one
    assert cycles(graph) == []


def test_the_cycle_finder_finds_cycles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [["a", "b", "c"]]


@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_stay_small(name: str) -> None:
    lines = len(MODULES[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines"


def test_the_main_window_is_layout_and_wiring() -> None:
    lines = len((PACKAGE / "ui" / "window" / "main_window.py").read_text().splitlines())
    assert lines <= MAX_WINDOW_LINES


@pytest.mark.parametrize("package", sorted(MAX_LOOSE_MODULES))
def test_few_modules_sit_outside_the_feature_folders(package: str) -> None:
    loose = sorted(p.name for p in (PACKAGE / package).glob("*.py"))
    assert len(loose) <= MAX_LOOSE_MODULES[package], loose


def test_every_feature_folder_says_what_it_holds() -> None:
    folders = [p for p in PACKAGE.rglob("__init__.py") if p.parent != PACKAGE]
    undocumented = [
        str(p.parent.relative_to(PACKAGE))
        for p in folders
        if ast.get_docstring(ast.parse(p.read_text(encoding="utf-8"))) is None
    ]
    assert not undocumented


def test_only_the_qt_layer_imports_qt() -> None:
    qt = {"PySide6", "pyqtgraph", "shiboken6"}
    allowed = ("nnpad.ui", "nnpad.app", "nnpad.self_test")
    offenders = {}
    for name, path in MODULES.items():
        if name.startswith(allowed):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        used = set()
        for node in _imports(tree, type_only=False):
            if isinstance(node, ast.Import):
                used.update(a.name.split(".")[0] for a in node.names)
            elif node.module and not node.level:
                used.add(node.module.split(".")[0])
        if used & qt:
            offenders[name] = sorted(used & qt)
    assert offenders == {}


def long_functions(source: str, limit: int = MAX_FUNCTION_LINES) -> list[str]:
    """``name (n lines)`` for each function or method over ``limit`` lines."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            lines = (node.end_lineno or node.lineno) - first + 1
            if lines > limit:
                found.append(f"{node.name} ({lines} lines)")
    return found


def test_the_long_function_finder_counts_decorators_and_bodies() -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(4))
    source = f"@property\ndef f():\n{body}\n\ndef g():\n    pass\n"
    assert long_functions(source, limit=5) == ["f (6 lines)"]
    assert long_functions(source, limit=6) == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_functions_stay_short(name: str) -> None:
    source = MODULES[name].read_text(encoding="utf-8")
    assert long_functions(source) == [], f"{name} has functions over the limit"
