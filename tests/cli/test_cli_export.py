"""`dlviz export` and `dlviz train --export` as a user runs them: every format, the format
chosen from the file name, weights files as the source, and the mistakes that exit 2."""

from __future__ import annotations

import json
import runpy
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from dlviz.cli import main
from dlviz.core.project import load_project
from dlviz.core.trainer import Trainer
from dlviz.core.weights import load_weights, save_weights

ATOL = 1e-5
#: one 2-D classifier and one 1-D curve, each saved as a project by `dlviz train`
TRAIN_ARGS = {
    "spiral": ["--dataset", "spiral", "--classes", "3", "--points", "150", "--hidden", "6",
               "--activation", "gelu", "--features", "x1,x2,sinx1", "--normalise"],
    "sine": ["--dataset", "sine", "--points", "60", "--hidden", "5", "--features", "x1,sinx1"],
}  # fmt: skip


class Run:
    """What `dlviz train --project p.dlviz --export model.onnx --out w.npz` left behind."""

    def __init__(self, folder: Path, dataset: str) -> None:
        self.folder = folder
        self.project = folder / "p.dlviz"
        self.onnx = folder / "model.onnx"
        self.weights = folder / "w.npz"
        args = ["train", *TRAIN_ARGS[dataset], "--epochs", "3", "--seed", "4",
                "--project", str(self.project), "--export", str(self.onnx),
                "--out", str(self.weights)]  # fmt: skip
        assert main(args) == 0
        self.trainer: Trainer = load_project(self.project)[0]
        self.inputs = self.trainer.grid_inputs(30)
        self.expected = self.trainer.predict(self.inputs)


@pytest.fixture(scope="module", params=TRAIN_ARGS)
def run(request, tmp_path_factory) -> Run:
    return Run(tmp_path_factory.mktemp(request.param), request.param)


def outputs_of(path: Path, fmt: str, inputs: np.ndarray, trainer: Trainer) -> np.ndarray:
    """The model in ``path`` applied to ``inputs`` by the tool that reads ``fmt``."""
    if fmt == "onnx":
        ort = pytest.importorskip("onnxruntime")
        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        out: np.ndarray = session.run(None, {"x": inputs})[0]
        return out
    if fmt == "numpy-code":
        out = runpy.run_path(str(path))["predict"](inputs)
        return out
    if fmt == "torch-code":
        torch = pytest.importorskip("torch")
        with torch.no_grad():
            out = runpy.run_path(str(path))["DlvizNet"]()(torch.from_numpy(inputs)).numpy()
        return out
    # a weights file: read it with its own library, then compute with dlviz's engine
    if fmt == "npz":
        with np.load(path, allow_pickle=False) as z:
            assert str(z["format"]) == "dlviz-weights"
            arrays = {k: z[k] for k in z.files if k[0] in "Wb"}
    elif fmt == "json":
        doc = json.loads(path.read_text())
        assert doc["format"] == "dlviz-weights"
        arrays = {}
        for i, layer in enumerate(doc["layers"]):
            arrays[f"W{i}"], arrays[f"b{i}"] = np.array(layer["W"]), np.array(layer["b"])
    else:
        assert fmt == "safetensors"
        safetensors_numpy = pytest.importorskip("safetensors.numpy")
        arrays = safetensors_numpy.load_file(str(path))
    layout = trainer.layout
    for i in range(layout.n_layers):
        np.testing.assert_array_equal(arrays[f"W{i}"], layout.weight(trainer.params, i))
        np.testing.assert_array_equal(arrays[f"b{i}"], layout.bias(trainer.params, i))
    spec, params, _ = load_weights(path)  # and dlviz reads back what it wrote
    assert spec == trainer.spec
    np.testing.assert_array_equal(params, trainer.params)
    return trainer.predict(inputs)


def export(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["export", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# ---------------------------------------------------------------- every format


FLAG_NAMES = {
    "onnx": "model.onnx",
    "npz": "w.npz",
    "json": "w.json",
    "safetensors": "w.safetensors",
    "numpy-code": "model.py",
    "torch-code": "spiral_net.py",  # the README's example: the flag wins over the name
}


@pytest.mark.parametrize("fmt", FLAG_NAMES)
def test_export_with_format_flag_writes_each_format(run, tmp_path, capsys, fmt):
    out = tmp_path / FLAG_NAMES[fmt]
    code, stdout, err = export(capsys, str(run.project), "--format", fmt, "-o", str(out))
    assert code == 0, err
    assert err.strip() == f"wrote {out} ({fmt}, {run.trainer.spec.describe()})"
    got = outputs_of(out, fmt, run.inputs, run.trainer)
    np.testing.assert_allclose(got, run.expected, atol=ATOL, rtol=0)


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("model.onnx", "onnx"),
        ("w.npz", "npz"),
        ("w.json", "json"),
        ("w.safetensors", "safetensors"),
        ("model.py", "numpy-code"),
        ("net.torch.py", "torch-code"),
        ("MODEL.ONNX", "onnx"),
    ],
)
def test_export_takes_the_format_from_the_output_name(run, tmp_path, capsys, name, fmt):
    out = tmp_path / name
    code, _, err = export(capsys, str(run.project), "-o", str(out))
    assert code == 0, err
    assert f"({fmt}, " in err
    got = outputs_of(out, fmt, run.inputs, run.trainer)
    np.testing.assert_allclose(got, run.expected, atol=ATOL, rtol=0)


@pytest.mark.parametrize("suffix", [".npz", ".json", ".safetensors"])
@pytest.mark.parametrize("target", ["model.onnx", "model.py"])
def test_export_from_a_weights_file(run, tmp_path, capsys, suffix, target):
    source = tmp_path / f"weights{suffix}"
    if suffix == ".npz":
        source = run.weights  # the one `dlviz train --out` wrote
    else:
        spec, params, info = load_weights(run.weights)
        save_weights(source, spec, params, info)
    out = tmp_path / target
    code, _, err = export(capsys, str(source), "-o", str(out))
    assert code == 0, err
    fmt = "onnx" if target.endswith(".onnx") else "numpy-code"
    got = outputs_of(out, fmt, run.inputs, run.trainer)
    np.testing.assert_allclose(got, run.expected, atol=ATOL, rtol=0)


def test_train_with_export_and_project_writes_both_and_they_agree(run):
    ort = pytest.importorskip("onnxruntime")
    assert run.project.is_file() and run.onnx.is_file()
    session = ort.InferenceSession(str(run.onnx), providers=["CPUExecutionProvider"])
    got = session.run(None, {"x": run.inputs})[0]
    np.testing.assert_allclose(got, run.expected, atol=ATOL, rtol=0)
    spec, params, _ = load_weights(run.weights)
    assert spec == run.trainer.spec
    np.testing.assert_array_equal(params, run.trainer.params)


# ---------------------------------------------------------------- mistakes


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (["-o", "{dir}/model.bin"], "cannot tell the export format from 'model.bin'"),
        (["-o", "{dir}/model"], "cannot tell the export format"),
        (["-o", "{dir}/model.pt"], ".torch.py"),  # the message lists the names that work
        (["--format", "keras", "-o", "{dir}/model.onnx"], "invalid choice: 'keras'"),
        (["--format", "ONNX", "-o", "{dir}/model.onnx"], "invalid choice"),
        (["-o", "{dir}/missing/model.onnx"], "cannot write"),
    ],
)
def test_bad_output_exits_2_with_one_line_and_writes_nothing(run, tmp_path, capsys, args, phrase):
    code, stdout, err = export(capsys, str(run.project), *(a.format(dir=tmp_path) for a in args))
    assert code == 2
    assert err.startswith("dlviz: error:") and phrase in err, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert stdout == "" and list(tmp_path.iterdir()) == []  # no file, no temporary left


@pytest.mark.parametrize(
    ("source", "phrase"),
    [("nope.dlviz", "does not exist"), ("model.onnx", "dlviz reads weights from")],
)
def test_a_source_that_is_no_project_or_weights_exits_2(run, tmp_path, capsys, source, phrase):
    src = run.onnx if source == "model.onnx" else tmp_path / source
    out = tmp_path / "out.py"
    code, _, err = export(capsys, str(src), "-o", str(out))
    assert code == 2 and phrase in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not out.exists()


def test_console_script_export_mistake_prints_no_traceback(tmp_path):
    project = tmp_path / "p.dlviz"
    assert main(["train", "--dataset", "xor", "--points", "40", "--epochs", "1", "--hidden",
                 "3", "--project", str(project)]) == 0  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "dlviz", "export", str(project), "-o", str(tmp_path / "m.bin")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("dlviz: error: cannot tell") and "Traceback" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.dlviz"]


@pytest.mark.parametrize(
    ("option", "name", "phrase"),
    [
        ("--export", "model.bin", "cannot tell"),
        ("--out", "weights.onnx", "weights files end in"),
        ("--project", "run.zip", "project files end in"),
        ("--export", "no/such/folder/model.onnx", "does not exist"),
    ],
)
def test_train_refuses_an_output_it_cannot_write_before_training(
    tmp_path, capsys, option, name, phrase
):
    project = tmp_path / "p.dlviz"
    code = main(["train", "--dataset", "xor", "--epochs", "2", option, str(tmp_path / name),
                 "--project" if option != "--project" else "--out",
                 str(project if option != "--project" else tmp_path / "w.npz")])  # fmt: skip
    assert code == 2
    err = capsys.readouterr().err
    assert phrase in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not project.exists() and not (tmp_path / "w.npz").exists()  # nothing trained
