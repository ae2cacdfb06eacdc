"""Every export, read by the tool that reads it, against dlviz's own predictions.

One small trained network per case (each hidden activation, each output head, each
input feature, no hidden layers), with and without input normalisation; each is
exported in every format and the file is run or read outside dlviz: ONNX in
onnxruntime, the NumPy script with ``runpy`` and as a program on a CSV file, the
PyTorch script in torch, the weight files with numpy / json / safetensors and a
forward pass written from the README's description of the layout.
"""

from __future__ import annotations

import ast
import io
import json
import runpy
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from dlviz.core.activations import LEAKY_SLOPE
from dlviz.core.data import data_info, make_dataset
from dlviz.core.export import export_model
from dlviz.core.features import FEATURES
from dlviz.core.images import load_digits, subset
from dlviz.core.network import ACTIVATIONS, LayerSpec, build_spec
from dlviz.core.optim import OptimizerConfig
from dlviz.core.trainer import TrainConfig, Trainer
from dlviz.core.weights import load_weights

ATOL = 1e-5


@dataclass(frozen=True)
class Case:
    dataset: str
    features: tuple[str, ...]
    hidden: tuple[LayerSpec, ...]
    classes: int = 2
    loss: str | None = None
    #: image data (the built-in digits): the inputs are 64 pixels, no feature map
    image: bool = False


SMALL = (LayerSpec(5, "tanh"),)
CASES: dict[str, Case] = {
    # every hidden activation, two layers, dropout on one (exports never apply it)
    **{
        f"hidden-{act}": Case(
            "circle", ("x1", "x2", "x1x2"), (LayerSpec(5, act, 0.2), LayerSpec(4, act))
        )
        for act in ACTIVATIONS
    },
    # every output head
    "sigmoid-bce-binary": Case("xor", ("x1", "x2"), SMALL),
    "softmax-ce-3": Case("spiral", ("x1", "x2", "sinx1"), SMALL, classes=3),
    "softmax-ce-8": Case("blobs", ("x1", "x2"), SMALL, classes=8),
    "sigmoid-mse-3": Case("spiral", ("x1", "x2"), SMALL, classes=3, loss="mse"),
    "identity-mse-plane": Case("plane", ("x1", "x2", "x1sq"), SMALL),
    "curve-sine": Case("sine", ("x1", "x1sq", "sinx1"), SMALL),
    # every input feature alone (no Concat in ONNX) and all together
    **{f"feature-{f}": Case("moons", (f,), SMALL) for f in FEATURES},
    "all-features": Case("spiral", FEATURES, SMALL),
    "curve-sinx1-only": Case("sine", ("sinx1",), SMALL),
    # no hidden layers: inputs straight to the output
    "no-hidden": Case("circle", ("x1sq", "x2sq"), ()),
    "no-hidden-curve": Case("line", ("x1",), ()),
    # an image model: (n, 64) pixel rows straight into the first layer, 10 classes
    "image-digits": Case("digits", (), (LayerSpec(16, "relu"),), classes=10, image=True),
    "image-no-hidden": Case("digits", (), (), classes=10, image=True),
}
NORMALISE = {"raw": False, "normalised": True}

_TRAINED: dict[tuple[str, bool], Trainer] = {}


def trained(case_id: str, normalise: bool) -> Trainer:
    """A few hundred samples of training, once per case for the whole module."""
    key = (case_id, normalise)
    if key not in _TRAINED:
        case = CASES[case_id]
        if case.image:
            data = subset(load_digits(seed=2), 300, 2)
        else:
            data = make_dataset(case.dataset, noise=0.1, seed=2, classes=case.classes, n=160)
        spec = build_spec(kind=data.kind, n_classes=data.n_classes, features=case.features,
                          hidden=case.hidden, loss=case.loss,
                          image_shape=data.image_shape)  # fmt: skip
        config = TrainConfig(OptimizerConfig("adam", lr=0.05), batch_size=8)
        t = Trainer(data, spec, config, seed=5, normalise=normalise)
        t.run(samples=400)
        # the check can only tell exports apart if the outputs vary over the plane
        assert np.ptp(t.predict(probe_inputs(t)), axis=0).max() > 1e-3
        _TRAINED[key] = t
    return _TRAINED[key]


def info(t: Trainer) -> dict[str, Any]:
    return data_info(t.dataset)


def probe_inputs(t: Trainer) -> np.ndarray:
    """A grid over the data's bounds, then the data points themselves (float32 raw inputs);
    for an image model, its images."""
    if t.dataset.is_image:
        return t.dataset.inputs.astype(np.float32)
    return np.concatenate([t.grid_inputs(24), t.dataset.inputs.astype(np.float32)])


# ---------------------------------------------------------------- readers, one per format


def run_onnx(path: Path, inputs: np.ndarray) -> np.ndarray:
    ort = pytest.importorskip("onnxruntime")
    onnx = pytest.importorskip("onnx")
    onnx.checker.check_model(onnx.load(str(path)), full_check=True)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (x,), (y,) = session.get_inputs(), session.get_outputs()
    assert (x.name, x.type, x.shape[1]) == ("x", "tensor(float)", inputs.shape[1])
    assert y.name == "y"
    one = session.run(None, {"x": inputs[:1]})[0]  # the batch size is free
    out: np.ndarray = session.run(None, {"x": inputs})[0]
    np.testing.assert_array_equal(one, out[:1])
    return out


def run_numpy_code(path: Path, inputs: np.ndarray) -> np.ndarray:
    out: np.ndarray = runpy.run_path(str(path))["predict"](inputs)
    return out


def run_numpy_script(path: Path, inputs: np.ndarray) -> np.ndarray:
    """``python model.py points.csv`` as the script's docstring says."""
    points = path.parent / "points.csv"
    np.savetxt(points, inputs, delimiter=",", fmt="%.9g")  # %.9g: float32 exactly
    done = subprocess.run([sys.executable, str(path), str(points)], capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return np.loadtxt(io.StringIO(done.stdout), delimiter=",", ndmin=2)


def run_torch_code(path: Path, inputs: np.ndarray) -> np.ndarray:
    torch = pytest.importorskip("torch")
    model = runpy.run_path(str(path))["DlvizNet"]()
    model.eval()
    with torch.no_grad():
        out: np.ndarray = model(torch.from_numpy(inputs)).numpy()
    return out


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


#: What each activation name means, written from its textbook formula.
DOCUMENTED_ACTIVATIONS = {
    "linear": lambda z: z,
    "identity": lambda z: z,
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0),
    "leakyrelu": lambda z: np.where(z > 0, z, LEAKY_SLOPE * z),
    "elu": lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0))),
    # the tanh form, as PyTorch's GELU(approximate="tanh")
    "gelu": lambda z: 0.5 * z * (1 + np.tanh(np.sqrt(2 / np.pi) * (z + 0.044715 * z**3))),
    "softmax": _softmax,
}


def documented_forward(spec: dict[str, Any], layers: list[tuple[Any, Any]], x: np.ndarray):
    """The model as the README's *File formats* section describes it, in float64."""
    x = np.asarray(x, np.float64)
    if spec["input_shift"]:
        x = (x - np.array(spec["input_shift"])) / np.array(spec["input_scale"])
    x1 = x[:, 0]
    x2 = x[:, 1] if x.shape[1] > 1 else x1
    table = {"x1": x1, "x2": x2, "x1sq": x1**2, "x2sq": x2**2, "x1x2": x1 * x2,
             "sinx1": np.sin(x1), "sinx2": np.sin(x2)}  # fmt: skip
    if spec.get("image_shape"):  # an image model reads its pixels
        assert spec["features"] == [] and x.shape[1] == spec["n_inputs"]
        a = x
    else:
        a = np.stack([table[f] for f in spec["features"]], axis=1)
    names = [h["activation"] for h in spec["hidden"]] + [spec["output"]]
    assert len(layers) == len(names)
    for (w, b), name in zip(layers, names, strict=True):
        z = a @ np.asarray(w, np.float64) + np.asarray(b, np.float64)
        a = DOCUMENTED_ACTIVATIONS[name](z)
    return a


def run_npz(path: Path, inputs: np.ndarray) -> np.ndarray:
    with np.load(path, allow_pickle=False) as z:
        assert str(z["format"]) == "dlviz-weights" and int(z["version"]) == 1
        spec = json.loads(str(z["spec"]))
        n = len(spec["hidden"]) + 1
        layers = [(z[f"W{i}"], z[f"b{i}"]) for i in range(n)]
    assert all(w.dtype == np.float32 and b.dtype == np.float32 for w, b in layers)
    return documented_forward(spec, layers, inputs)


def run_json(path: Path, inputs: np.ndarray) -> np.ndarray:
    doc = json.loads(path.read_text())
    assert (doc["format"], doc["version"]) == ("dlviz-weights", 1)
    spec = doc["spec"]
    assert [layer["activation"] for layer in doc["layers"]] == [
        *(h["activation"] for h in spec["hidden"]),
        spec["output"],
    ]
    return documented_forward(spec, [(la["W"], la["b"]) for la in doc["layers"]], inputs)


def run_safetensors(path: Path, inputs: np.ndarray) -> np.ndarray:
    safetensors = pytest.importorskip("safetensors")
    with safetensors.safe_open(str(path), framework="np") as f:
        meta = f.metadata()
        tensors = {k: f.get_tensor(k) for k in f.keys()}  # noqa: SIM118 (not a dict)
    assert (meta["format"], meta["version"]) == ("dlviz-weights", "1")
    spec = json.loads(meta["spec"])
    n = len(spec["hidden"]) + 1
    assert set(tensors) == {f"{p}{i}" for p in "Wb" for i in range(n)}
    return documented_forward(spec, [(tensors[f"W{i}"], tensors[f"b{i}"]) for i in range(n)],
                              inputs)  # fmt: skip


#: format -> (file name the format is chosen from, reader)
READERS = {
    "onnx": ("model.onnx", run_onnx),
    "numpy-code": ("model.py", run_numpy_code),
    "numpy-script": ("model.py", run_numpy_script),
    "torch-code": ("net.torch.py", run_torch_code),
    "npz": ("w.npz", run_npz),
    "json": ("w.json", run_json),
    "safetensors": ("w.safetensors", run_safetensors),
}


@pytest.mark.parametrize("normalise", NORMALISE.values(), ids=NORMALISE.keys())
@pytest.mark.parametrize("case_id", CASES)
@pytest.mark.parametrize("reader", READERS)
def test_export_computes_what_dlviz_computes(tmp_path, reader, case_id, normalise):
    t = trained(case_id, normalise)
    name, read = READERS[reader]
    path = tmp_path / name
    fmt = export_model(path, t.spec, t.params, info(t))
    assert fmt == reader.replace("numpy-script", "numpy-code")
    inputs = probe_inputs(t)
    got = read(path, inputs)
    assert got.shape == (len(inputs), t.spec.n_outputs)
    np.testing.assert_allclose(got, t.predict(inputs), atol=ATOL, rtol=0)


@pytest.mark.parametrize("normalise", NORMALISE.values(), ids=NORMALISE.keys())
@pytest.mark.parametrize("case_id", CASES)
@pytest.mark.parametrize("suffix", [".npz", ".json", ".safetensors"])
def test_weight_files_load_back_exactly(tmp_path, suffix, case_id, normalise):
    t = trained(case_id, normalise)
    path = tmp_path / f"w{suffix}"
    export_model(path, t.spec, t.params, info(t))
    spec, params, data = load_weights(path)
    assert spec == t.spec and data == info(t)
    np.testing.assert_array_equal(params, t.params)


# ---------------------------------------------------------------- what the scripts promise


@pytest.mark.parametrize("name", ["model.py", "net.torch.py"])
def test_the_usage_in_a_scripts_docstring_runs_as_written(tmp_path, monkeypatch, name):
    """A file named like ``net.torch.py`` cannot be imported, so ``from net import`` is wrong."""
    if name.endswith(".torch.py"):
        pytest.importorskip("torch")
    t = trained("softmax-ce-3", True)
    path = tmp_path / name
    export_model(path, t.spec, t.params, info(t))
    doc = ast.get_docstring(ast.parse(path.read_text()), clean=False)
    assert doc is not None
    usage = textwrap.dedent("\n".join(line for line in doc.splitlines() if line.startswith("    ")))
    assert name in usage
    points = np.loadtxt(io.StringIO("0.5,-1\n2,3\n-4,0.25\n"), delimiter=",")  # float64
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {"points": points}
    exec(usage, namespace)  # noqa: S102 (our own generated text)
    y = namespace["y"]
    y = y.detach().numpy() if hasattr(y, "detach") else y
    np.testing.assert_allclose(y, t.predict(points), atol=ATOL)


def test_numpy_script_reads_a_dataset_csv_with_a_header_and_labels(tmp_path):
    """The CSV the app writes (header, label column) is what a user will hand the script."""
    t = trained("softmax-ce-8", False)
    path = tmp_path / "model.py"
    export_model(path, t.spec, t.params, info(t))
    points = t.dataset.inputs[:6].astype(np.float32)
    csv = tmp_path / "data.csv"
    rows = [f"{x1:.9g},{x2:.9g},{label}" for (x1, x2), label in zip(points, range(6), strict=True)]
    csv.write_text("# my points\nx1,x2,label\n" + "\n".join(rows) + "\n")
    done = subprocess.run([sys.executable, str(path), str(csv)], capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    printed = np.loadtxt(io.StringIO(done.stdout), delimiter=",", ndmin=2)
    np.testing.assert_allclose(printed, t.predict(points), atol=ATOL)
    csv.write_text("x1,x2\n1,2\n3,oops\n")
    done = subprocess.run([sys.executable, str(path), str(csv)], capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert done.returncode != 0 and "line 3" in done.stderr and "Traceback" not in done.stderr


def test_numpy_script_prints_regression_values_to_float32_precision(tmp_path):
    """Large values printed with 6 digits would be off by more than 1e-5."""
    t = trained("identity-mse-plane", False)
    params = t.params.copy()
    last = t.layout.n_layers - 1
    t.layout.weight(params, last)[...] *= 100  # outputs in the tens and hundreds
    t.layout.bias(params, last)[...] *= 100
    path = tmp_path / "model.py"
    export_model(path, t.spec, params, info(t))
    inputs = probe_inputs(t)
    got = run_numpy_script(path, inputs)
    expected = runpy.run_path(str(path))["predict"](inputs)
    assert np.abs(expected).max() > 50
    np.testing.assert_allclose(got, expected, atol=ATOL, rtol=0)
