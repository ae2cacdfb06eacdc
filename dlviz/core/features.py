"""Input features: what the first layer sees, computed from the raw input coordinates.

Also the grid of raw inputs over the plane that every picture of the
network's output is computed on (:func:`grid_inputs`).

TensorFlow Playground's seven toggles: x1, x2, their squares, their product and
their sines.  Curve data (x -> y) has only x1, so only the x1 features apply.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from dlviz.core.errors import DlvizError

FEATURES = ("x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2")
FEATURE_LABELS = {
    "x1": "x₁",
    "x2": "x₂",
    "x1sq": "x₁²",
    "x2sq": "x₂²",
    "x1x2": "x₁·x₂",
    "sinx1": "sin x₁",
    "sinx2": "sin x₂",
}
CURVE_FEATURES = ("x1", "x1sq", "sinx1")


def parse_features(text: str) -> tuple[str, ...]:
    """``"x1,x2,x1sq"`` -> ("x1", "x2", "x1sq"); unknown names raise :class:`DlvizError`."""
    names: list[str] = []
    for raw in text.split(","):
        name = raw.strip().lower()
        if not name:
            continue
        if name not in FEATURES:
            raise DlvizError(f"unknown feature '{name}'; choose from {', '.join(FEATURES)}")
        if name not in names:
            names.append(name)
    if not names:
        raise DlvizError(f"no input features given; choose from {', '.join(FEATURES)}")
    return tuple(names)


def _feature(name: str, x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    if name == "x1":
        return x1
    if name == "x2":
        return x2
    if name == "x1sq":
        return x1 * x1
    if name == "x2sq":
        return x2 * x2
    if name == "x1x2":
        return x1 * x2
    return np.sin(x1 if name == "sinx1" else x2)


def compute_features(
    inputs: np.ndarray,
    features: Sequence[str],
    shift: np.ndarray | None = None,
    scale: np.ndarray | None = None,
) -> np.ndarray:
    """Feature columns (n, len(features)) in the given order, same float dtype as ``inputs``.

    When ``shift``/``scale`` are given the inputs are standardised first, so
    the features of a normalised network are features of normalised inputs.
    """
    x = np.asarray(inputs)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    if shift is not None and scale is not None:
        x = (x - shift.astype(x.dtype)) / scale.astype(x.dtype)
    dims = x.shape[1] if x.ndim == 2 else 0
    cols: list[np.ndarray] = []
    for name in features:
        if name not in FEATURES:
            raise DlvizError(f"unknown feature '{name}'; choose from {', '.join(FEATURES)}")
        if "x2" in name and dims < 2:
            raise DlvizError(f"feature {name} needs 2-D inputs; 1-D curve data has only x1")
        cols.append(_feature(name, x[:, 0], x[:, 1] if dims >= 2 else x[:, 0]))
    out = np.empty((x.shape[0], len(cols)), dtype=x.dtype)
    for j, col in enumerate(cols):
        out[:, j] = col
    return out


def grid_inputs(bounds: Sequence[float], res: int, *, curve: bool = False) -> np.ndarray:
    """Raw inputs (float32) of a res×res grid over ``bounds`` (xmin, xmax, ymin, ymax).

    Rows run x fastest, then y from bottom to top, so ``reshape(res, res, ...)``
    gives an image with row 0 at the bottom.  For 1-D curve data: (res, 1), the
    x range alone.
    """
    xmin, xmax, ymin, ymax = (float(b) for b in bounds)
    xs = np.linspace(xmin, xmax, res, dtype=np.float32)
    if curve:
        return xs.reshape(res, 1)
    gx, gy = np.meshgrid(xs, np.linspace(ymin, ymax, res, dtype=np.float32))
    return np.column_stack([gx.ravel(), gy.ravel()])
