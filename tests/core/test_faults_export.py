"""Generated code quotes what it embeds: hostile file names round-trip and execute nothing.

Each name is one a user can give to ``export -o`` (quotes, triple quotes, newlines,
backslashes, code): the script parses, its docstring shows the name as given, running
it computes the model's outputs, and the code in the name never runs.
"""

from __future__ import annotations

import ast
import os
import runpy
import subprocess
import sys

import numpy as np
import pytest

from dlviz.core.data import make_dataset
from dlviz.core.export import export_model
from dlviz.core.network import LayerSpec, build_spec
from dlviz.core.trainer import Trainer

#: Each would run ``touch INJECTED`` if pasted into the generated code unquoted.
PAYLOAD = '__import__("pathlib").Path("INJECTED").touch()'
HOSTILE = [
    'm"""+str(' + PAYLOAD + ')+""".py',  # the name
    "m'''+str(" + PAYLOAD.replace('"', "'") + ")+'''.py",
    'm"+str(' + PAYLOAD + ')+".py',
    "m'+str(" + PAYLOAD.replace('"', "'") + ")+'.py",
    'm\\\\"""\\n' + PAYLOAD + "\\n.py",  # backslashes before the quotes
    'trailing quote".py',
    "ends with backslash\\.py",
    "new\nline\n" + PAYLOAD + "\n.py",
    "tab\tand carriage\rreturn.py",
    "ünïcödé ☃ 模型.py",
    "{describe}{n_in}}{{.py",  # format fields in the name
]


@pytest.fixture(scope="module")
def model():
    data = make_dataset("circle", n=100, seed=0)
    spec = build_spec(
        kind="classify", n_classes=2, features=("x1", "x2"), hidden=(LayerSpec(4, "tanh"),)
    )
    trainer = Trainer(data, spec, normalise=True)
    trainer.run(samples=200)
    info = {"kind": "classify", "n_classes": 2, "bounds": list(data.bounds)}
    return trainer, info


@pytest.mark.parametrize("name", HOSTILE)
def test_numpy_code_from_a_hostile_name_round_trips_and_runs_nothing(name, model, tmp_path):
    trainer, info = model
    path = tmp_path / name
    export_model(path, trainer.spec, trainer.params, info, "numpy-code")
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    doc = ast.get_docstring(tree, clean=False)
    assert doc is not None and repr(name) in doc  # shown as given, quoted
    assert len(tree.body) > 5  # the code is still there after the docstring
    # run as a script (the way its docstring says) and as a module, in the folder
    points = np.array([[0.5, -1.0], [2.0, 3.0]], np.float32)
    (tmp_path / "points.csv").write_text("x1,x2\n0.5,-1\n2,3\n")
    result = subprocess.run(
        [sys.executable, str(path), "points.csv"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    printed = np.array([float(v) for v in result.stdout.split()])
    np.testing.assert_allclose(printed, trainer.predict(points)[:, 0], atol=1e-5)
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        out = runpy.run_path(str(path))["predict"](points)
    finally:
        os.chdir(cwd)
    np.testing.assert_allclose(out, trainer.predict(points), atol=1e-5)
    assert not (tmp_path / "INJECTED").exists()


@pytest.mark.parametrize("name", HOSTILE[:5] + HOSTILE[7:8])
def test_torch_code_from_a_hostile_name_parses_with_the_name_as_text(name, model, tmp_path):
    """Parsed, not run (PyTorch is optional here): the name is in the docstring only."""
    trainer, info = model
    path = tmp_path / (name[: -len(".py")] + ".torch.py")
    export_model(path, trainer.spec, trainer.params, info, "torch-code")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    doc = ast.get_docstring(tree, clean=False)
    assert doc is not None and repr(path.name) in doc
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == "__import__"]
    assert calls == []
