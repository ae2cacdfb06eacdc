"""The one-way import rule: dlviz.core never loads Qt, pyqtgraph or dlviz.ui."""

import ast
import pathlib
import subprocess
import sys

CORE = pathlib.Path(__file__).parents[1] / "dlviz" / "core"
FORBIDDEN = ("PySide6", "pyqtgraph", "superqt", "dlviz.ui", "shiboken6")


def test_importing_core_loads_no_qt():
    code = (
        "import sys, pkgutil, importlib, dlviz.core\n"
        "for m in pkgutil.walk_packages(dlviz.core.__path__, 'dlviz.core.'):\n"
        "    importlib.import_module(m.name)\n"
        f"bad = [m for m in sys.modules\n"
        f"       if m.split('.')[0] in {FORBIDDEN!r} or m.startswith('dlviz.ui')]\n"
        "print(bad); assert not bad, bad\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_core_sources_import_nothing_from_the_ui_side():
    for path in CORE.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith(FORBIDDEN), f"{path.name} imports {name}"


PACKAGE = CORE.parent


def _module_names() -> dict[str, pathlib.Path]:
    """Every module of the package by dotted name (``dlviz.ui.views`` for its __init__)."""
    names = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


def _imports(name: str, path: pathlib.Path, known: set[str]) -> set[str]:
    """The dlviz modules that ``name`` imports, anywhere in the file.

    Module level, inside functions, under ``TYPE_CHECKING``: a cycle through a
    lazy or type-only import is still two modules that must know each other.
    ``from a.b import c`` names the module ``a.b.c`` when it is one, else ``a.b``.
    """
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        targets = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against this module's package
                package = name.split(".") if is_package else name.split(".")[:-1]
                package = package[: len(package) - (node.level - 1)]
                base = ".".join([*package, base] if base else package)
            targets = [
                f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names
            ]
        for target in targets:
            while target and target not in known:  # `import a.b.c` where c is a function...
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_cycles() -> list[list[str]]:
    """Each strongly connected group of dlviz modules (a cycle), as a path around it."""
    modules = _module_names()
    known = set(modules)
    graph = {name: _imports(name, path, known) for name, path in modules.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return groups


def test_import_graph_is_found():
    # the check below is only as good as the graph it walks: a few edges every reader knows
    modules = _module_names()
    known = set(modules)
    ui = _imports("dlviz.ui.main_window", modules["dlviz.ui.main_window"], known)
    assert "dlviz.ui.session" in ui and "dlviz.core.network" in ui
    assert "dlviz.core.trainer" in _imports("dlviz.cli", modules["dlviz.cli"], known)


def test_no_import_cycles_anywhere():
    cycles = import_cycles()
    assert not cycles, "modules that import each other (directly or round a loop): " + "; ".join(
        " <-> ".join(group) for group in cycles
    )


def _redefinitions(tree: ast.AST) -> list[str]:
    """Functions or classes defined twice in one module or class body: the second silently
    replaces the first (a merge left four such methods once; ruff's F811 misses methods)."""
    found = []
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if not isinstance(node, ast.Module | ast.ClassDef) or not isinstance(body, list):
            continue
        seen: set[str] = set()
        for child in body:
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                decorators = {ast.unparse(d) for d in child.decorator_list}
                if decorators & {"overload", "typing.overload"} or any(
                    d.endswith((".setter", ".deleter")) for d in decorators
                ):
                    continue
                if child.name in seen:
                    found.append(
                        f"{getattr(node, 'name', 'module')}.{child.name} (line {child.lineno})"
                    )
                seen.add(child.name)
    return found


def test_no_function_or_class_is_defined_twice_in_one_body():
    root = PACKAGE.parent
    paths = [
        *PACKAGE.rglob("*.py"),
        *(root / "tests").rglob("*.py"),
        *(root / "benchmarks").rglob("*.py"),
    ]
    twice = {
        str(p.relative_to(root)): found
        for p in paths
        if (found := _redefinitions(ast.parse(p.read_text())))
    }
    assert not twice, f"defined twice (the later one wins): {twice}"
