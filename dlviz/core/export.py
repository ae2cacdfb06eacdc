"""Exports other tools load: ONNX, a standalone NumPy script, a PyTorch ``nn.Module`` script.

Each takes raw inputs (x1, x2 -- or x for curves) and does everything dlviz
does: input normalisation, the feature map, every layer, the output
activation.  Tests run each in the tool that reads it and compare with
dlviz's own predictions.
"""

from __future__ import annotations

import json
import os
import shlex
from collections.abc import Callable
from typing import Any

import numpy as np

from dlviz.core.activations import HIDDEN, OUTPUT_ACTIVATIONS, SOFTMAX, Activation, activation
from dlviz.core.errors import DlvizError
from dlviz.core.fileio import atomic_write
from dlviz.core.network import NetworkSpec, ParamLayout
from dlviz.core.weights import WEIGHT_LABELS, WRITERS, Writer, spec_to_dict

ONNX_OPSET = 17


def suffix_format(path: str) -> str | None:
    """The export format a file name's suffix names, or None."""
    lower = path.lower()
    for suffix, fmt in SUFFIX_FORMAT.items():
        if lower.endswith(suffix):
            return fmt
    return None


def format_suffix(fmt: str) -> str:
    """The file-name ending of an export format (``torch-code``: ``.torch.py``)."""
    return next(suffix for suffix, known in SUFFIX_FORMAT.items() if known == fmt)


def format_for(path: str) -> str:
    """The export format a file name asks for (``model.torch.py`` is PyTorch code)."""
    fmt = suffix_format(path)
    if fmt is not None:
        return fmt
    raise DlvizError(
        f"cannot tell the export format from '{os.path.basename(path)}'; use a name ending in "
        + ", ".join(SUFFIX_FORMAT)
    )


def _floats(values: np.ndarray) -> str:
    """Python literal of float32 values, exact (repr of each as a float)."""
    return json.dumps(np.asarray(values, np.float32).tolist())


# ---------------------------------------------------------------- ONNX


def _onnx_point_features(
    spec: NetworkSpec, x: str, op: Callable[..., str], inits: list[Any]
) -> list[str]:
    """The feature columns of a points network (x1, x1², sin x2 ...) as ONNX nodes."""
    from onnx import numpy_helper

    cols = {}
    for i in range(spec.n_inputs):
        name_s = f"start{i}"
        inits.append(numpy_helper.from_array(np.array([i], np.int64), name_s))
        inits.append(numpy_helper.from_array(np.array([i + 1], np.int64), f"end{i}"))
        if i == 0:
            inits.append(numpy_helper.from_array(np.array([1], np.int64), "axis1"))
        cols[f"x{i + 1}"] = op("Slice", x, name_s, f"end{i}", "axis1")
    x1 = cols["x1"]
    x2 = cols.get("x2", x1)
    feature_ops: dict[str, Callable[[], str]] = {
        "x1": lambda: x1,
        "x2": lambda: x2,
        "x1sq": lambda: op("Mul", x1, x1),
        "x2sq": lambda: op("Mul", x2, x2),
        "x1x2": lambda: op("Mul", x1, x2),
        "sinx1": lambda: op("Sin", x1),
        "sinx2": lambda: op("Sin", x2),
    }
    feats = [feature_ops[f]() for f in spec.features]
    return feats


def onnx_bytes(spec: NetworkSpec, params: np.ndarray, info: dict[str, Any]) -> bytes:
    try:
        import onnx
        from onnx import TensorProto, helper, numpy_helper
    except ImportError:
        raise DlvizError("ONNX export needs the onnx package: pip install onnx") from None
    nodes: list[Any] = []
    inits: list[Any] = []
    counter = iter(range(10**6))

    def const(value: np.ndarray | float, label: str = "c") -> str:
        name = f"{label}_{next(counter)}"
        inits.append(numpy_helper.from_array(np.asarray(value, np.float32), name))
        return name

    def op(kind: str, *inputs: str, **attrs: Any) -> str:
        out = f"{kind.lower()}_{next(counter)}"
        nodes.append(helper.make_node(kind, list(inputs), [out], **attrs))
        return out

    n_in = spec.n_inputs
    x = "x"
    if spec.input_shift:
        x = op("Div", op("Sub", x, const(np.array(spec.input_shift))), const(
            np.array(spec.input_scale)))  # fmt: skip
    if spec.is_image:  # the pixels are the first layer's inputs: no columns to slice
        feats = [x]
    else:
        feats = _onnx_point_features(spec, x, op, inits)
    a = feats[0] if len(feats) == 1 else op("Concat", *feats, axis=1)
    layout = ParamLayout.of(spec.sizes)
    for layer, act in enumerate(spec.activations):
        w = const(layout.weight(params, layer), f"W{layer}")
        b = const(layout.bias(params, layer), f"b{layer}")
        z = op("Add", op("MatMul", a, w), b)
        a = activation(act).onnx(z, op, const)
    nodes[-1].output[0] = "y"  # the output activation's node names the graph output
    graph = helper.make_graph(
        nodes,
        "dlviz",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", n_in])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", spec.n_outputs])],
        inits,
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", ONNX_OPSET)],
        producer_name="dlviz",
        doc_string=json.dumps({"spec": spec_to_dict(spec), "data": info}),
    )
    model.ir_version = 8
    onnx.checker.check_model(model)
    data: bytes = model.SerializeToString()
    return data


# ---------------------------------------------------------------- code


_NUMPY_DOC = """dlviz model exported as standalone NumPy code: {describe}.

Usage: python {shell_name} points.csv   (rows of {columns}; prints the outputs)
The CSV may have a header line, # comments and extra columns (a label): they are skipped.
In Python, call predict(x) with raw inputs of shape (n, {n_in}):

    import runpy
    predict = runpy.run_path({python_name})["predict"]
    y = predict(points)
"""

_NUMPY_TEMPLATE = '''
import sys

import numpy as np

FEATURES = {features}
INPUT_SHIFT = {shift}
INPUT_SCALE = {scale}
ACTIVATIONS = {activations}
WEIGHTS = [
{weights}
]


def activate(name, z):
{numpy_activations}
    raise ValueError(name)


def features(x):
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 1:  # x values of a curve
        x = x[:, None]
    if INPUT_SHIFT:
        x = (x - np.float32(INPUT_SHIFT)) / np.float32(INPUT_SCALE)
    if not FEATURES:  # an image network reads its pixels as they are
        return x.astype(np.float32)
    x1 = x[:, 0]
    x2 = x[:, 1] if x.shape[1] > 1 else x1
    table = {{"x1": x1, "x2": x2, "x1sq": x1 * x1, "x2sq": x2 * x2, "x1x2": x1 * x2,
             "sinx1": np.sin(x1), "sinx2": np.sin(x2)}}
    return np.stack([table[f] for f in FEATURES], axis=1).astype(np.float32)


def predict(x):
    a = features(x)
    for (w, b), name in zip(WEIGHTS, ACTIVATIONS):
        a = activate(name, a @ np.asarray(w, np.float32) + np.asarray(b, np.float32))
    return a


def read_points(lines):
    """Rows of {columns} from CSV lines: a first line that holds no numbers is a header;
    # comments and the columns after the inputs (a label) are skipped."""
    rows = []
    first = True
    for number, line in enumerate(lines, start=1):
        text = line.split("#")[0].strip()
        if not text:
            continue
        try:
            values = [float(cell) for cell in text.split(",")[:{n_in}]]
        except ValueError:
            values = []
        if len(values) == {n_in}:
            rows.append(values)
        elif not first:
            sys.exit(f"line {{number}}: expected {columns} (numbers), got {{text!r}}")
        first = False
    return np.array(rows, dtype=np.float64).reshape(len(rows), {n_in})


if __name__ == "__main__":
    if len(sys.argv) > 1:
        with open(sys.argv[1]) as fh:
            points = read_points(fh)
    else:
        points = read_points(sys.stdin)
    # 9 significant digits give back every float32 exactly
    np.savetxt(sys.stdout, predict(points), delimiter=",", fmt="%.9g")
'''

_TORCH_DOC = """dlviz model exported as a PyTorch nn.Module: {describe}.

Load the class by this file's path (`import` cannot find a file named like net.torch.py);
points are raw inputs, an array of shape (n, {n_in}) with rows of {columns}:

    import runpy
    import torch
    DlvizNet = runpy.run_path({python_name})["DlvizNet"]
    model = DlvizNet()  # the weights are built in
    y = model(torch.tensor(points))
"""

_TORCH_TEMPLATE = """
import torch
from torch import nn

FEATURES = {features}
INPUT_SHIFT = {shift}
INPUT_SCALE = {scale}
ACTIVATIONS = {activations}
WEIGHTS = [
{weights}
]


def activation(name):
{torch_activations}
    raise ValueError(name)


class DlvizNet(nn.Module):
    def __init__(self):
        super().__init__()
        layers = []
        for (w, b), name in zip(WEIGHTS, ACTIVATIONS):
            w = torch.tensor(w, dtype=torch.float32)
            linear = nn.Linear(w.shape[0], w.shape[1])
            with torch.no_grad():
                linear.weight.copy_(w.T)
                linear.bias.copy_(torch.tensor(b, dtype=torch.float32))
            layers += [linear, activation(name)]
        self.layers = nn.Sequential(*layers)
        self.register_buffer("shift", torch.tensor(INPUT_SHIFT or [0.0], dtype=torch.float32))
        self.register_buffer("scale", torch.tensor(INPUT_SCALE or [1.0], dtype=torch.float32))

    def features(self, x):
        x = (x - self.shift) / self.scale
        if not FEATURES:  # an image network reads its pixels as they are
            return x
        x1 = x[:, 0]
        x2 = x[:, 1] if x.shape[1] > 1 else x1
        table = {{"x1": lambda: x1, "x2": lambda: x2, "x1sq": lambda: x1 * x1,
                 "x2sq": lambda: x2 * x2, "x1x2": lambda: x1 * x2,
                 "sinx1": lambda: torch.sin(x1), "sinx2": lambda: torch.sin(x2)}}
        return torch.stack([table[f]() for f in FEATURES], dim=1)

    def forward(self, x):
        # the weights are float32; points read with NumPy are float64
        return self.layers(self.features(torch.as_tensor(x, dtype=torch.float32)))
"""


def _code_table(form: Callable[[Activation], str]) -> str:
    """The body of the exported ``activate``/``activation`` function: one ``if`` per
    activation of the table, in the form ``form`` picks (names as the file's ACTIVATIONS)."""
    lines = []
    for act in (*HIDDEN, SOFTMAX):
        names = (act.name, *(out for out, same in OUTPUT_ACTIVATIONS.items() if same == act.name))
        unique = tuple(dict.fromkeys(names))
        test = f"name == {unique[0]!r}" if len(unique) == 1 else f"name in {unique!r}"
        lines.append(f"    if {test}:\n        return {form(act)}")
    return "\n".join(lines)


def _docstring(text: str) -> str:
    """``text`` as a module docstring literal: a quote or backslash in it (a file name's)
    stays text and cannot end the string early."""
    return '"""' + text.replace("\\", "\\\\").replace('"', '\\"') + '"""\n'


def _code(template: str, doc: str, spec: NetworkSpec, params: np.ndarray,
          info: dict[str, Any], path: str) -> bytes:  # fmt: skip
    layout = ParamLayout.of(spec.sizes)
    weights = ",\n".join(
        f"    ({_floats(layout.weight(params, i))},\n     {_floats(layout.bias(params, i))})"
        for i in range(layout.n_layers)
    )
    n_in = spec.n_inputs
    # a name that is not valid UTF-8 (bytes from the file system) is shown escaped
    base = os.path.basename(path).encode("utf-8", "backslashreplace").decode("utf-8")
    columns = {1: "x", 2: "x1,x2"}.get(n_in, f"{n_in} pixels")
    header = doc.format(
        describe=spec.describe(),
        shell_name=shlex.quote(base),
        python_name=repr(base),
        columns=columns,
        n_in=n_in,
    )
    text = _docstring(header) + template.format(
        columns=columns,
        n_in=n_in,
        features=repr(list(spec.features)),
        shift=_floats(np.array(spec.input_shift)),
        scale=_floats(np.array(spec.input_scale)),
        activations=repr(list(spec.activations)),
        weights=weights,
        numpy_activations=_code_table(lambda act: act.numpy_code),
        torch_activations=_code_table(lambda act: act.torch_code),
    )
    return text.encode()


# ---------------------------------------------------------------- the formats

#: ``write(spec, params, data info, file name) -> bytes`` of one export format.
ExportWriter = Callable[[NetworkSpec, np.ndarray, dict[str, Any], str], bytes]


def _weights_file(write: Writer) -> ExportWriter:
    return lambda spec, params, info, path: write(spec, params, info)


#: Every export format: name (``--format``) -> (label for file dialogs, file suffix,
#: writer).  Adding a format is one entry here (plus, for a weights format, its entry in
#: weights.WEIGHT_FORMATS) and a test that loads the file in the tool that reads it
#: (tests/core/test_exports.py); the app's export dialog reads this table too.  A suffix
#: that ends another (``.torch.py``, ``.py``) comes first.
EXPORT_FORMATS: dict[str, tuple[str, str, ExportWriter]] = {
    "onnx": (
        "ONNX model",
        ".onnx",
        lambda spec, params, info, path: onnx_bytes(spec, params, info),
    ),
    **{
        suffix[1:]: (WEIGHT_LABELS[suffix], suffix, _weights_file(write))
        for suffix, write in WRITERS.items()
    },
    "torch-code": (
        "PyTorch code",
        ".torch.py",
        lambda spec, params, info, path: _code(
            _TORCH_TEMPLATE, _TORCH_DOC, spec, params, info, path
        ),
    ),
    "numpy-code": (
        "NumPy code",
        ".py",
        lambda spec, params, info, path: _code(
            _NUMPY_TEMPLATE, _NUMPY_DOC, spec, params, info, path
        ),
    ),
}
FORMATS = tuple(EXPORT_FORMATS)
SUFFIX_FORMAT = {suffix: fmt for fmt, (_, suffix, _) in EXPORT_FORMATS.items()}


def export_bytes(
    fmt: str, spec: NetworkSpec, params: np.ndarray, info: dict[str, Any], path: str = "model"
) -> bytes:
    entry = EXPORT_FORMATS.get(fmt)
    if entry is None:
        raise DlvizError(f"unknown export format '{fmt}'; choose from {', '.join(FORMATS)}")
    return entry[2](spec, params, info, path)


def export_model(
    path: str | os.PathLike[str],
    spec: NetworkSpec,
    params: np.ndarray,
    info: dict[str, Any],
    fmt: str | None = None,
) -> str:
    """Write the model in ``fmt`` (default: from the file name); returns the format used."""
    name = os.fspath(path)
    fmt = fmt or format_for(name)
    data = export_bytes(fmt, spec, params, info, name)
    with atomic_write(name) as fh:
        fh.write(data)
    return fmt
