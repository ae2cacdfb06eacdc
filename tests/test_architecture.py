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
