"""Files: trained weights (``.npz``) that the CLI writes and reads back.

Weights ``.npz`` layout (format version 1), loadable with
``np.load(path, allow_pickle=False)``:

``format``      ``"dlviz-weights"``; ``version``: 1
``spec``        the network as JSON text (features, hidden layers, output, loss,
                input normalisation) -- see :func:`spec_to_dict`
``data``        JSON text: ``kind`` (classify/regress/curve), ``n_classes``, ``bounds``
``W0``, ``b0``  first layer weights (fan_in, fan_out) and bias (fan_out,), float32
``W1``, ``b1``  ... one pair per layer, the last pair is the output layer

The model computes ``a = f_l(a @ W_l + b_l)`` from the input features.
"""

from __future__ import annotations

import json
import os
import zipfile
from dataclasses import asdict
from typing import Any

import numpy as np

from dlviz.core.errors import DlvizError
from dlviz.core.network import LayerSpec, NetworkSpec, ParamLayout

WEIGHTS_FORMAT = "dlviz-weights"
WEIGHTS_VERSION = 1


def spec_to_dict(spec: NetworkSpec) -> dict[str, Any]:
    d = asdict(spec)
    d["hidden"] = [asdict(h) for h in spec.hidden]
    return d


def spec_from_dict(d: dict[str, Any]) -> NetworkSpec:
    """Rebuild a spec from JSON; a malformed one raises :class:`DlvizError`."""
    try:
        hidden = tuple(
            LayerSpec(int(h["width"]), str(h["activation"]), float(h.get("dropout", 0.0)))
            for h in d["hidden"]
        )
        return NetworkSpec(
            features=tuple(str(f) for f in d["features"]),
            hidden=hidden,
            n_outputs=int(d["n_outputs"]),
            output=str(d["output"]),
            loss=str(d["loss"]),
            init=str(d.get("init", "xavier")),
            input_shift=tuple(float(v) for v in d.get("input_shift", ())),
            input_scale=tuple(float(v) for v in d.get("input_scale", ())),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise DlvizError(f"the network description is incomplete or malformed ({exc})") from exc


def save_weights_npz(
    path: str | os.PathLike[str],
    spec: NetworkSpec,
    params: np.ndarray,
    data_info: dict[str, Any],
) -> None:
    layout = ParamLayout.of(spec.sizes)
    arrays: dict[str, np.ndarray] = {
        "format": np.array(WEIGHTS_FORMAT),
        "version": np.array(WEIGHTS_VERSION),
        "spec": np.array(json.dumps(spec_to_dict(spec))),
        "data": np.array(json.dumps(data_info)),
    }
    for layer in range(layout.n_layers):
        arrays[f"W{layer}"] = layout.weight(params, layer).astype(np.float32)
        arrays[f"b{layer}"] = layout.bias(params, layer).astype(np.float32)
    try:
        with open(path, "wb") as fh:
            np.savez(fh, **arrays)  # type: ignore[arg-type]
    except OSError as exc:
        raise DlvizError(f"cannot write {path}: {exc.strerror or exc}") from exc


def load_weights_npz(
    path: str | os.PathLike[str],
) -> tuple[NetworkSpec, np.ndarray, dict[str, Any]]:
    """Read a weights file; returns (spec, flat params, data info)."""
    name = os.fspath(path)
    try:
        with np.load(name, allow_pickle=False) as z:
            files = set(z.files)
            if "format" not in files or str(z["format"]) != WEIGHTS_FORMAT:
                raise DlvizError(f"{name} is not a dlviz weights file (no 'format' entry)")
            version = int(z["version"])
            if version > WEIGHTS_VERSION:
                raise DlvizError(
                    f"{name} was written by a newer dlviz (format {version}); upgrade dlviz"
                )
            spec = spec_from_dict(json.loads(str(z["spec"])))
            info = json.loads(str(z["data"]))
            layout = ParamLayout.of(spec.sizes)
            params = np.zeros(layout.size, np.float32)
            for layer in range(layout.n_layers):
                for key, view in (
                    (f"W{layer}", layout.weight(params, layer)),
                    (f"b{layer}", layout.bias(params, layer)),
                ):
                    if key not in files:
                        raise DlvizError(f"{name} has no array '{key}'")
                    arr = z[key]
                    if arr.shape != view.shape:
                        raise DlvizError(
                            f"{name}: layer {layer} {key} has shape {arr.shape}, "
                            f"the network needs {view.shape}"
                        )
                    view[...] = arr
    except FileNotFoundError as exc:
        raise DlvizError(f"{name} does not exist") from exc
    except IsADirectoryError as exc:
        raise DlvizError(f"{name} is a folder, not a weights file") from exc
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError) as exc:
        raise DlvizError(f"{name} is not a readable .npz weights file ({exc})") from exc
    if not np.isfinite(params).all():
        raise DlvizError(f"{name} contains NaN or infinite weights")
    if not isinstance(info, dict):
        raise DlvizError(f"{name}: the 'data' entry is malformed")
    return spec, params, info
