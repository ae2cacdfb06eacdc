"""Weight files (npz, JSON, safetensors): write, read back, and fit into a network.

All three carry the network spec, so a file alone says how to compute with
it.  Layer ``l`` has ``W{l}`` (fan_in, fan_out) and ``b{l}`` (fan_out,), float32;
the model computes ``a = f_l(a @ W_l + b_l)`` from the input features (after
``(x - input_shift) / input_scale`` when those are set).  The README's *File
formats* section documents each layout.

Files are written with :func:`dlviz.core.fileio.atomic_write` and read with
the bounded readers of :mod:`dlviz.core.fileio`; safetensors files are read and
written by the safetensors library.
"""

from __future__ import annotations

import io
import json
import os
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

import numpy as np
import safetensors
import safetensors.numpy

from dlviz.core.errors import DlvizError
from dlviz.core.fields import Fields
from dlviz.core.fileio import (
    MAX_ARRAY_BYTES,
    atomic_write,
    json_document,
    npy_array,
    read_bytes,
    zip_member,
)
from dlviz.core.network import LayerSpec, NetworkSpec, ParamLayout

WEIGHTS_FORMAT = "dlviz-weights"
WEIGHTS_VERSION = 1
MAX_WEIGHTS_BYTES = 256 * 1024 * 1024
FLOAT32_MAX = float(np.finfo(np.float32).max)
# ---------------------------------------------------------------- spec <-> dict


def spec_to_dict(spec: NetworkSpec) -> dict[str, Any]:
    d = asdict(spec)
    d["hidden"] = [asdict(h) for h in spec.hidden]
    d["features"] = list(spec.features)
    d["input_shift"] = list(spec.input_shift)
    d["input_scale"] = list(spec.input_scale)
    d["image_shape"] = list(spec.image_shape)
    return d


def spec_from_dict(d: Any, kind: Any = None, where: str = "the network description") -> NetworkSpec:
    """Rebuild a spec from JSON; a malformed one raises :class:`DlvizError` naming ``where``.

    Files written before the spec recorded ``n_inputs`` get it from the data kind
    saved beside it (``kind``): a curve's x alone, else x1 and x2.
    """
    f = Fields(d, where)
    absent = f.doc.get("n_inputs") is None
    n_inputs = (1 if kind == "curve" else 2) if absent else f.integer("n_inputs")
    hidden = tuple(
        LayerSpec(h.integer("width"), h.text("activation"), h.number("dropout", 0.0))
        for h in f.objects("hidden")
    )
    return NetworkSpec(
        features=tuple(f.texts("features")),
        hidden=hidden,
        n_outputs=f.integer("n_outputs"),
        output=f.text("output"),
        loss=f.text("loss"),
        init=f.text("init", "xavier"),
        input_shift=tuple(f.numbers("input_shift", [])),
        input_scale=tuple(f.numbers("input_scale", [])),
        n_inputs=n_inputs,
        image_shape=tuple(_whole(v, where) for v in f.items("image_shape", [])),
    )


def _whole(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise DlvizError(f"{where}: 'image_shape' must hold whole numbers, not {value!r}")
    return value


# ---------------------------------------------------------------- writers


def _layer_arrays(spec: NetworkSpec, params: np.ndarray) -> dict[str, np.ndarray]:
    layout = ParamLayout.of(spec.sizes)
    out: dict[str, np.ndarray] = {}
    for layer in range(layout.n_layers):
        out[f"W{layer}"] = np.ascontiguousarray(layout.weight(params, layer), np.float32)
        out[f"b{layer}"] = np.ascontiguousarray(layout.bias(params, layer), np.float32)
    return out


def _header(spec: NetworkSpec, info: dict[str, Any]) -> dict[str, Any]:
    return {
        "format": WEIGHTS_FORMAT,
        "version": WEIGHTS_VERSION,
        "spec": spec_to_dict(spec),
        "data": info,
    }


def npz_bytes(spec: NetworkSpec, params: np.ndarray, info: dict[str, Any]) -> bytes:
    arrays: dict[str, np.ndarray] = {
        "format": np.array(WEIGHTS_FORMAT),
        "version": np.array(WEIGHTS_VERSION),
        "spec": np.array(json.dumps(spec_to_dict(spec))),
        "data": np.array(json.dumps(info)),
        **_layer_arrays(spec, params),
    }
    buf = io.BytesIO()
    np.savez(buf, **arrays)  # type: ignore[arg-type]
    return buf.getvalue()


def json_bytes(spec: NetworkSpec, params: np.ndarray, info: dict[str, Any]) -> bytes:
    arrays = _layer_arrays(spec, params)
    layers = [
        {
            "activation": spec.activations[i],
            "W": [[float(v) for v in row] for row in arrays[f"W{i}"]],
            "b": [float(v) for v in arrays[f"b{i}"]],
        }
        for i in range(spec.n_layers)
    ]
    doc = {**_header(spec, info), "layers": layers}
    return (json.dumps(doc, indent=1) + "\n").encode()


def safetensors_bytes(spec: NetworkSpec, params: np.ndarray, info: dict[str, Any]) -> bytes:
    """The safetensors layout (written by the safetensors library): one F32 tensor per
    array, the header and spec as string metadata."""
    metadata = {
        "format": WEIGHTS_FORMAT,
        "version": str(WEIGHTS_VERSION),
        "spec": json.dumps(spec_to_dict(spec)),
        "data": json.dumps(info),
    }
    data: bytes = safetensors.numpy.save(_layer_arrays(spec, params), metadata=metadata)
    return data


def save_weights(
    path: str | os.PathLike[str], spec: NetworkSpec, params: np.ndarray, info: dict[str, Any]
) -> None:
    """Write weights in the format the file name's suffix names (.npz, .json, .safetensors)."""
    suffix = os.path.splitext(os.fspath(path))[1].lower()
    writer = WRITERS.get(suffix)
    if writer is None:
        raise DlvizError(
            f"cannot tell the weights format from '{suffix or os.fspath(path)}'; "
            f"use {', '.join(WEIGHT_SUFFIXES)}"
        )
    data = writer(spec, params, info)
    with atomic_write(path) as fh:
        fh.write(data)


# ---------------------------------------------------------------- readers


def _fill(spec: NetworkSpec, arrays: dict[str, Any], name: str) -> np.ndarray:
    """Flat params from named layer arrays, naming the layer and shapes on a mismatch."""
    layout = ParamLayout.of(spec.sizes)
    params = np.zeros(layout.size, np.float32)
    for layer in range(layout.n_layers):
        for key, view in (
            (f"W{layer}", layout.weight(params, layer)),
            (f"b{layer}", layout.bias(params, layer)),
        ):
            if key not in arrays:
                raise DlvizError(f"{name} has no array '{key}' (layer {layer + 1})")
            given = arrays[key]
            if isinstance(given, np.ndarray) and given.dtype.kind not in "biuf":
                # text, dates, complex: NumPy would parse, cast or drop a part without a word
                raise DlvizError(f"{name}: '{key}' holds {given.dtype}, not real numbers")
            try:
                # a signalling NaN (a damaged file's bytes) raises the "invalid" flag as it
                # is widened: it is refused just below, with the file's name, not warned of
                with np.errstate(invalid="ignore"):
                    wide = np.asarray(given, dtype=np.float64)
            except (TypeError, ValueError, OverflowError):
                raise DlvizError(f"{name}: '{key}' is not an array of numbers") from None
            if not np.all(np.abs(wide) <= FLOAT32_MAX):  # NaN fails too
                raise DlvizError(f"{name}: '{key}' holds NaN, infinite or too large weights")
            arr = wide.astype(np.float32)
            if arr.shape != view.shape:
                raise DlvizError(
                    f"{name}: layer {layer + 1} {key} has shape {arr.shape}, "
                    f"the network needs {view.shape}"
                )
            view[...] = arr
    if not np.isfinite(params).all():
        raise DlvizError(f"{name} contains NaN or infinite weights")
    return params


def _check_header(fmt: Any, version: Any, name: str) -> None:
    if fmt != WEIGHTS_FORMAT:
        raise DlvizError(f"{name} is not a dlviz weights file (format '{fmt}')")
    try:
        if isinstance(version, bool):
            raise TypeError("a truth value is no version")
        v = int(version)
    except (TypeError, ValueError, OverflowError):  # OverflowError: int(inf)
        raise DlvizError(f"{name}: the format version '{version}' is not a number") from None
    if v > WEIGHTS_VERSION:
        raise DlvizError(f"{name} was written by a newer dlviz (format {v}); upgrade dlviz")


def _parse_npz(data: bytes, name: str) -> tuple[NetworkSpec, np.ndarray, dict[str, Any]]:
    files: dict[str, np.ndarray] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for member in z.namelist():
            if member.endswith(".npy"):
                key = member[: -len(".npy")]
                raw = zip_member(z, member, MAX_ARRAY_BYTES, name)
                files[key] = npy_array(raw, f"{name}: '{key}'")
    for key in ("format", "spec"):
        if key not in files:
            raise DlvizError(f"{name} is not a dlviz weights file (no '{key}' entry)")
    _check_header(str(files["format"]), files.get("version"), name)
    info = _info(json_document(str(files.get("data", "{}")), f"{name}: 'data'"), name)
    spec = spec_from_dict(json_document(str(files["spec"]), f"{name}: 'spec'"), info.get("kind"))
    return spec, _fill(spec, files, name), info


def _parse_json(data: bytes, name: str) -> tuple[NetworkSpec, np.ndarray, dict[str, Any]]:
    doc = json_document(data, name)
    if not isinstance(doc, dict):
        raise DlvizError(f"{name} is not a dlviz weights file (not a JSON object)")
    _check_header(doc.get("format"), doc.get("version"), name)
    info = _info(doc.get("data") or {}, name)
    spec = spec_from_dict(doc.get("spec"), info.get("kind"))
    layers = doc.get("layers")
    if not isinstance(layers, list):
        raise DlvizError(f"{name} has no 'layers' list")
    arrays: dict[str, Any] = {}
    for i, layer in enumerate(layers):
        if not isinstance(layer, dict):
            raise DlvizError(f"{name}: layer {i + 1} is not an object with W and b")
        arrays[f"W{i}"], arrays[f"b{i}"] = layer.get("W"), layer.get("b")
    return spec, _fill(spec, arrays, name), info


def _parse_safetensors(data: bytes, name: str) -> tuple[NetworkSpec, np.ndarray, dict[str, Any]]:
    # the library checks the layout (header size, dtypes, shapes, offsets inside the file)
    # before anything is read from it
    arrays = safetensors.numpy.load(data)
    (size,) = struct.unpack("<Q", data[:8])  # valid: the library has just read it
    header = json_document(data[8 : 8 + size], f"{name}: the safetensors header")
    meta = header.get("__metadata__") or {}
    if not isinstance(meta, dict):
        raise DlvizError(f"{name}: the safetensors metadata is malformed")
    _check_header(meta.get("format"), meta.get("version"), name)
    for key in ("spec", "data"):
        if not isinstance(meta.get(key, ""), str):
            raise DlvizError(f"{name}: the safetensors metadata '{key}' is not JSON text")
    info = _info(json_document(meta.get("data", "{}"), f"{name}: 'data'"), name)
    spec = spec_from_dict(
        json_document(meta.get("spec", "null"), f"{name}: 'spec'"), info.get("kind")
    )
    for key, arr in arrays.items():
        if arr.dtype != np.float32:
            raise DlvizError(f"{name}: tensor '{key}' is {arr.dtype}; dlviz reads float32 weights")
    return spec, _fill(spec, arrays, name), info


#: The kinds of data a weights file can say it was trained on.
DATA_KINDS = ("classify", "regress", "curve")


def _info(info: Any, name: str) -> dict[str, Any]:
    """The file's description of its data, checked: its kind decides how outputs read."""
    if not isinstance(info, dict):
        raise DlvizError(f"{name}: the 'data' entry is malformed")
    kind = info.setdefault("kind", "classify")
    if kind not in DATA_KINDS:
        raise DlvizError(
            f"{name}: unknown data kind {kind!r} (dlviz writes {', '.join(DATA_KINDS)}); "
            "the file is damaged"
        )
    return info


Writer = Callable[[NetworkSpec, np.ndarray, dict[str, Any]], bytes]
Reader = Callable[[bytes, str], tuple[NetworkSpec, np.ndarray, dict[str, Any]]]

#: Every weights format: file suffix -> (label for file dialogs, writer, reader).  Adding a
#: format is one entry here (the CLI's --out, export and the app's import/export dialogs
#: read this table) and a round trip in tests/core/test_files.py's parametrised tests; add
#: a hostile-file case (fuzz and damaged files) there too, and the layout to the README's
#: File formats.
WEIGHT_FORMATS: dict[str, tuple[str, Writer, Reader]] = {
    ".npz": ("NumPy weights", npz_bytes, _parse_npz),
    ".json": ("JSON weights", json_bytes, _parse_json),
    ".safetensors": ("safetensors", safetensors_bytes, _parse_safetensors),
}
WEIGHT_SUFFIXES = tuple(WEIGHT_FORMATS)
WRITERS = {suffix: write for suffix, (_, write, _) in WEIGHT_FORMATS.items()}
READERS = {suffix: read for suffix, (_, _, read) in WEIGHT_FORMATS.items()}
WEIGHT_LABELS = {suffix: label for suffix, (label, _, _) in WEIGHT_FORMATS.items()}


def load_weights(
    path: str | os.PathLike[str],
) -> tuple[NetworkSpec, np.ndarray, dict[str, Any]]:
    """Read a weights file (.npz, .json, .safetensors): (spec, flat params, data info)."""
    name = os.fspath(path)
    suffix = os.path.splitext(name)[1].lower()
    reader = READERS.get(suffix)
    if reader is None:
        raise DlvizError(f"{name}: dlviz reads weights from {', '.join(WEIGHT_SUFFIXES)} files")
    data = read_bytes(name, MAX_WEIGHTS_BYTES, "weights file")
    try:
        spec, params, info = reader(data, name)
    except DlvizError:
        raise
    # What damaged bytes raise in zipfile, zlib, struct and safetensors (JSON and .npy
    # text is checked where it is read). Not ValueError, TypeError, KeyError,
    # AttributeError or IndexError: the readers check each field (Fields), so one of
    # those is a bug in dlviz and must surface as one.
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError,
            struct.error, zlib.error, NotImplementedError,
            safetensors.SafetensorError) as exc:  # fmt: skip
        raise DlvizError(f"{name} is damaged or not a dlviz weights file ({exc})") from None
    width = 1 if info.get("kind") == "curve" else 2
    if spec.is_image:
        width = spec.n_inputs  # checked against the image's shape by the spec itself
        if info.get("image_shape") not in (None, list(spec.image_shape)):
            raise DlvizError(f"{name}: its network and its data disagree on the image size; "
                             "the file is damaged")  # fmt: skip
    if spec.n_inputs != width:
        raise DlvizError(
            f"{name}: its network reads {spec.n_inputs} inputs per point, but {info['kind']} "
            f"data has {width}; the file is damaged"
        )
    return spec, params, info


def _inputs_text(spec: NetworkSpec) -> str:
    """How a network sees its inputs: raw, or shifted and scaled first."""
    if not spec.input_shift:
        return "the raw inputs"
    shift = ", ".join(f"{v:.4g}" for v in spec.input_shift)
    scale = ", ".join(f"{v:.4g}" for v in spec.input_scale)
    return f"inputs normalised by shift ({shift}) and scale ({scale})"


def _same_normalisation(a: NetworkSpec, b: NetworkSpec) -> bool:
    if bool(a.input_shift) != bool(b.input_shift):
        return False
    if not a.input_shift:
        return True
    return bool(
        len(a.input_shift) == len(b.input_shift)
        and np.allclose(a.input_shift, b.input_shift, rtol=1e-6, atol=1e-9)
        and np.allclose(a.input_scale, b.input_scale, rtol=1e-6, atol=1e-9)
    )


def weights_mismatch(target: NetworkSpec, source: NetworkSpec, name: str) -> list[str]:
    """What makes weights made for ``source`` compute something else in ``target``.

    The shapes are assumed equal; each entry names the difference and the
    change to the target network that fixes it.
    """
    problems: list[str] = []
    if target.n_inputs != source.n_inputs:
        problems.append(
            f"{name} reads {source.n_inputs} inputs per point; this network reads "
            f"{target.n_inputs}: open data of the kind it was trained on"
        )
    if target.features != source.features:
        want, have = ", ".join(source.features), ", ".join(target.features)
        problems.append(
            f"{name} was trained on the input features {want}; this network uses {have}: "
            f"select the features {want}"
        )
    if not _same_normalisation(target, source):
        problems.append(
            f"{name} expects {_inputs_text(source)}; this network takes {_inputs_text(target)}: "
            "open the project it was trained in, or train it again without --normalise"
        )
    pairs = zip(source.hidden, target.hidden, strict=True)  # same shapes: same layer count
    for i, (want_layer, have_layer) in enumerate(pairs, start=1):
        want, have = want_layer.activation, have_layer.activation
        if want != have:
            problems.append(
                f"{name} was trained with {want} in hidden layer {i}; this network uses "
                f"{have}: set layer {i} to {want}"
            )
    if target.output != source.output:
        problems.append(
            f"{name} was trained with a {source.output} output ({source.loss} loss); this "
            f"network has a {target.output} output ({target.loss} loss): set Output to "
            f"{source.output} with the {source.loss} loss (on data of the kind it was made for)"
        )
    return problems


def fit_weights(
    target: NetworkSpec, source: NetworkSpec, params: np.ndarray, name: str
) -> list[str]:
    """Check that weights made for ``source`` compute the same in a network built as ``target``.

    The shapes must match, and so must everything that changes the network's
    predictions: input features, input normalisation, every activation and
    the output.  A mismatch raises :class:`DlvizError` naming each difference
    and what to change (e.g. ``w.npz was trained with tanh in hidden layer 1;
    this network uses relu: set layer 1 to tanh``): loading would otherwise
    succeed and silently predict something else.  Returns notes on differences
    that leave the predictions alone (the loss) for the caller to show.
    """
    if target.sizes != source.sizes:
        if len(target.sizes) != len(source.sizes):
            raise DlvizError(
                f"{name} has {source.n_layers} weight layers ({source.describe()}); "
                f"this network has {target.n_layers} ({target.describe()})"
            )
        for layer in range(target.n_layers):
            want = (target.sizes[layer], target.sizes[layer + 1])
            have = (source.sizes[layer], source.sizes[layer + 1])
            if want != have:
                raise DlvizError(
                    f"{name}: layer {layer + 1} has weights of shape {have}, "
                    f"this network needs {want}"
                )
    problems = weights_mismatch(target, source, name)
    if len(problems) == 1:
        raise DlvizError(f"{problems[0]}, or train this network afresh")
    if problems:
        raise DlvizError(
            f"{name} was made for another network ({source.describe()}; this one is "
            f"{target.describe()}), so it would predict something else here:\n- "
            + "\n- ".join(problems)
            + "\nChange the network to match, or train it afresh."
        )
    notes: list[str] = []
    if target.loss != source.loss:
        notes.append(
            f"it was trained with the {source.loss} loss; this network trains with {target.loss}"
        )
    return notes
