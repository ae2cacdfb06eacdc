"""What the views show, as colours: colour maps, point colours, the boundary picture.

Qt-free and pure NumPy so the arithmetic behind every picture is tested
headless (``tests/core/test_colors.py``).  The UI only hands the resulting
arrays to pyqtgraph.

Visual language:

* classes use the colour-blind-safe Okabe–Ito palette, class ``i`` always the
  same colour (canvas, boundary, legend, later the confusion matrix);
* a binary output is drawn on a diverging map from the class-0 colour through
  the background to the class-1 colour, so confidence reads as saturation;
* signed values (regression targets and outputs, weights) use the diverging
  orange (negative) – background – blue (positive) map;
* the boundary heatmap is paler than the points (``strength`` < 1).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from dlviz.core.picture import classify_picture

#: Okabe & Ito (2008): orange, sky blue, bluish green, yellow, blue, vermillion,
#: reddish purple, grey (grey instead of black so it shows on a dark theme too).
OKABE_ITO_HEX = (
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
    "#7F7F7F",
)
OKABE_ITO_NAMES = (
    "orange",
    "sky blue",
    "bluish green",
    "yellow",
    "blue",
    "vermillion",
    "reddish purple",
    "grey",
)
MAX_CLASSES = len(OKABE_ITO_HEX)
#: Image data (digits) has 10 classes: Paul Tol's "muted" scheme, designed to stay
#: distinct under the common colour-vision deficiencies (9 colours), with grey as the
#: tenth (grey rather than Tol's pale grey so it shows on a light background too).
IMAGE_CLASS_HEX = (
    "#CC6677",
    "#332288",
    "#DDCC77",
    "#117733",
    "#88CCEE",
    "#882255",
    "#44AA99",
    "#999933",
    "#AA4499",
    "#7F7F7F",
)

#: Ends of the signed-value map (negative, positive): Okabe–Ito orange and blue.
NEGATIVE_HEX = "#E69F00"
POSITIVE_HEX = "#0072B2"

#: How far the boundary heatmap goes from the background towards a full colour.
BOUNDARY_STRENGTH = 0.62
#: Steps of a discretised regression map (levels per side of zero).
DISCRETE_LEVELS = 4


def hex_to_rgb(color: str) -> np.ndarray:
    """``"#E69F00"`` -> float array ``[230, 159, 0]``."""
    text = color.lstrip("#")
    if len(text) != 6:
        raise ValueError(f"expected a colour like #RRGGBB, got {color!r}")
    return np.array([int(text[i : i + 2], 16) for i in (0, 2, 4)], dtype=np.float64)


CLASS_RGB = np.stack([hex_to_rgb(c) for c in OKABE_ITO_HEX])  # (8, 3) float64 0..255
IMAGE_CLASS_RGB = np.stack([hex_to_rgb(c) for c in IMAGE_CLASS_HEX])  # (10, 3)
NEGATIVE_RGB = hex_to_rgb(NEGATIVE_HEX)
POSITIVE_RGB = hex_to_rgb(POSITIVE_HEX)


def image_class_color(label: int) -> tuple[int, int, int]:
    """RGB 0..255 of class ``label`` of image data (0-based, up to 10 classes)."""
    if not 0 <= label < len(IMAGE_CLASS_HEX):
        raise ValueError(f"class {label} has no colour; image data has 1 to 10 classes")
    r, g, b = IMAGE_CLASS_RGB[label]
    return int(r), int(g), int(b)


def class_hex(is_image: bool) -> tuple[str, ...]:
    """The class colours of a dataset: image data's 10, else the points' Okabe–Ito 8."""
    return IMAGE_CLASS_HEX if is_image else OKABE_ITO_HEX


def class_color(label: int) -> tuple[int, int, int]:
    """RGB 0..255 of class ``label`` (0-based)."""
    if not 0 <= label < MAX_CLASSES:
        raise ValueError(f"class {label} has no colour; dlviz draws 1 to {MAX_CLASSES} classes")
    r, g, b = CLASS_RGB[label]
    return int(r), int(g), int(b)


def _rgba(rgb: np.ndarray) -> np.ndarray:
    """float RGB (..., 3) 0..255 -> uint8 RGBA (..., 4), opaque, rounded to nearest."""
    out = np.empty((*rgb.shape[:-1], 4), dtype=np.uint8)
    rgb = np.clip(rgb, 0.0, 255.0)
    rgb += 0.5  # the cast below truncates: +0.5 rounds to nearest
    out[..., :3] = rgb
    out[..., 3] = 255
    return out


def class_probabilities(output: np.ndarray) -> np.ndarray:
    """Network output (..., k) of a classifier -> probabilities (..., K) that sum to 1 (float32).

    One sigmoid output means two classes ``[1 - p, p]``; several sigmoid
    outputs (binary cross-entropy per class) are normalised by their sum.
    """
    out = np.asarray(output, dtype=np.float32)
    if out.shape[-1] == 1:
        p = np.clip(out[..., 0], 0.0, 1.0)
        return np.stack([1.0 - p, p], axis=-1)
    out = np.maximum(out, np.float32(0.0))
    k = out.shape[-1]
    total = out[..., 0].copy()
    for j in range(1, k):  # faster than sum(axis=-1) over a short last axis
        total += out[..., j]
    empty = total <= 0
    total[empty] = 1.0
    out /= total[..., None]
    out[empty] = np.float32(1.0 / k)
    return out


def confidence(probs: np.ndarray) -> np.ndarray:
    """0 where all classes are equally likely, 1 where one class is certain."""
    k = probs.shape[-1]
    top = probs[..., 0].copy()
    for j in range(1, k):  # faster than max(axis=-1) over a short last axis
        np.maximum(top, probs[..., j], out=top)
    return np.clip((top - 1.0 / k) / (1.0 - 1.0 / k), 0.0, 1.0)


def classify_image(
    output: np.ndarray,
    *,
    background: Sequence[float] = (255, 255, 255),
    strength: float = BOUNDARY_STRENGTH,
    discrete: bool = False,
) -> np.ndarray:
    """RGBA uint8 picture of a classifier's output over the plane.

    The colour is the probability-weighted blend of the class colours, moved
    from the background towards it by the confidence; with ``discrete`` every
    pixel takes its most likely class at full strength.  For two classes this
    is the diverging class-0 – background – class-1 map.
    """
    probs = class_probabilities(output)
    k = probs.shape[-1]
    if k > MAX_CLASSES:
        raise ValueError(f"{k} classes: dlviz draws 1 to {MAX_CLASSES}")
    if discrete:
        probs = np.eye(k, dtype=np.float32)[probs.argmax(axis=-1)]
    bg = np.asarray(background, dtype=np.float32)
    blend = probs @ CLASS_RGB[:k].astype(np.float32)
    amount = np.float32(strength) * confidence(probs)
    blend -= bg
    blend *= amount[..., None]
    blend += bg
    return _rgba(blend)


def signed_amount(values: np.ndarray, limit: float, *, discrete: bool = False) -> np.ndarray:
    """Values scaled to [-1, 1] by ``limit``; ``discrete`` rounds to DISCRETE_LEVELS steps."""
    limit = float(limit) if limit and np.isfinite(limit) and limit > 0 else 1.0
    t = np.clip(np.asarray(values, dtype=np.float64) / limit, -1.0, 1.0)
    if discrete:
        t = np.round(t * DISCRETE_LEVELS) / DISCRETE_LEVELS
    return t


def signed_colors(
    values: np.ndarray,
    limit: float,
    *,
    background: Sequence[float] = (255, 255, 255),
    strength: float = 1.0,
    discrete: bool = False,
) -> np.ndarray:
    """Diverging map: negative orange, zero the background, positive blue (RGBA uint8)."""
    t = signed_amount(values, limit, discrete=discrete)
    bg = np.asarray(background, dtype=np.float64)
    amount = strength * np.abs(t)
    negative = t < 0
    # channel by channel, the same arithmetic as bg + amount * (end - bg) on (..., 3)
    # arrays, without them: the network graph colours ~30 000 values a snapshot
    out = np.empty((*t.shape, 4), dtype=np.uint8)
    for ch in range(3):
        towards = np.where(negative, NEGATIVE_RGB[ch] - bg[ch], POSITIVE_RGB[ch] - bg[ch])
        channel = np.clip(bg[ch] + amount * towards, 0.0, 255.0)
        channel += 0.5  # the cast below truncates: +0.5 rounds to nearest
        out[..., ch] = channel
    out[..., 3] = 255
    return out


def value_limit(targets: np.ndarray) -> float:
    """Symmetric range of the signed-value map for regression data: max |target| (1 if none)."""
    t = np.asarray(targets, dtype=np.float64)
    t = t[np.isfinite(t)]
    if t.size == 0:
        return 1.0
    m = float(np.max(np.abs(t)))
    return m if m > 0 else 1.0


def boundary_image(
    grid: np.ndarray,
    kind: str,
    *,
    limit: float = 1.0,
    background: Sequence[float] = (255, 255, 255),
    strength: float = BOUNDARY_STRENGTH,
    discrete: bool = False,
) -> np.ndarray:
    """The heatmap behind the points: (res, res, k) network output -> (res, res, 4) uint8.

    ``kind`` is the data kind: ``classify`` uses :func:`classify_image`,
    ``regress`` the signed map over ``[-limit, limit]``.
    """
    grid = np.asarray(grid)
    if grid.ndim != 3:
        raise ValueError(f"expected a (res, res, k) grid, got shape {grid.shape}")
    if kind == "classify":
        return classify_image(grid, background=background, strength=strength, discrete=discrete)
    return signed_colors(
        grid[..., 0], limit, background=background, strength=strength, discrete=discrete
    )


def point_colors(
    targets: np.ndarray, kind: str, *, limit: float = 1.0, background: Sequence[float] = (255,) * 3
) -> np.ndarray:
    """Fill colour of each data point, RGBA uint8 (n, 4): class colour or signed value."""
    t = np.asarray(targets)
    if kind == "classify":
        labels = t.astype(np.int64)
        if labels.size and (labels.min() < 0 or labels.max() >= MAX_CLASSES):
            raise ValueError(f"class labels must be 0 to {MAX_CLASSES - 1}")
        return _rgba(CLASS_RGB[labels].reshape(-1, 3))
    # full strength, but never fully the background: a zero target stays visible as grey
    rgba = signed_colors(t.astype(np.float64), limit, background=background, strength=1.0)
    zero = np.abs(signed_amount(t, limit)) < 0.15
    rgba[zero, :3] = 150
    return rgba


#: Pixels per side the boundary heatmap is interpolated to before colouring.
SMOOTH_SIZE = 240


def _interpolation_matrix(n: int, size: int) -> np.ndarray:
    """(size, n) float32 weights of linear interpolation from n samples to size samples."""
    weights = np.zeros((size, n), np.float32)
    if n == 1:
        weights[:, 0] = 1.0
        return weights
    pos = np.linspace(0.0, n - 1.0, size)
    i0 = np.minimum(pos.astype(np.int64), n - 2)
    frac = (pos - i0).astype(np.float32)
    rows = np.arange(size)
    weights[rows, i0] = 1.0 - frac
    weights[rows, i0 + 1] += frac
    return weights


def upsample(grid: np.ndarray, size: int = SMOOTH_SIZE) -> np.ndarray:
    """Bilinear interpolation of a (h, w, k) grid to (size, size, k), float32.

    The corner samples stay where they were, so :func:`grid_rect` of the new
    size covers the same plane.  Interpolating the network's *output* before
    the colour map keeps the p = 0.5 line a thin continuous curve instead of
    a staircase of coloured squares.  Two matrix products per output, < 1 ms.
    """
    g = np.asarray(grid, dtype=np.float32)
    h, w, _ = g.shape
    if size <= max(h, w):
        return g
    return np.ascontiguousarray(np.moveaxis(_upsample_planes(np.moveaxis(g, -1, 0), size), 0, -1))


def _upsample_planes(planes: np.ndarray, size: int) -> np.ndarray:
    """(k, h, w) -> (k, size, size): each plane ``rows @ plane @ cols.T`` (BLAS, fast)."""
    _, h, w = planes.shape
    rows = _interpolation_matrix(h, size)
    cols_t = np.ascontiguousarray(_interpolation_matrix(w, size).T)
    return np.stack([rows @ np.ascontiguousarray(p) @ cols_t for p in planes])


def _smooth_space(g: np.ndarray, output: str) -> np.ndarray:
    """Classifier outputs where they vary gently: logits of sigmoid outputs, log-probabilities
    of a softmax (clipped so a certain prediction stays finite)."""
    if output == "sigmoid":
        p = np.clip(g, np.float32(1e-6), np.float32(1 - 1e-6))
        return np.log(p) - np.log1p(-p)
    return np.log(np.clip(g, np.float32(1e-30), np.float32(1)))


def smooth_output(grid: np.ndarray, output: str, size: int = SMOOTH_SIZE) -> np.ndarray:
    """A network's output grid upsampled for display, interpolated where it is smooth.

    A trained classifier's probabilities jump from 0 to 1 within one grid
    cell, so interpolating them draws the boundary as a staircase of cells.
    Its logits (sigmoid) or log-probabilities (softmax) vary gently: they are
    interpolated and mapped back, and the p = 0.5 line becomes a smooth curve
    (exact where the logit is linear across a cell).  Values (identity) are
    interpolated as they are.
    """
    g = np.asarray(grid, dtype=np.float32)
    h, w, _ = g.shape
    if size <= max(h, w) or output not in ("sigmoid", "softmax"):
        return upsample(g, size)
    # (k, h, w): every step below works on whole planes
    t = _upsample_planes(np.moveaxis(_smooth_space(g, output), -1, 0), size)
    if output == "sigmoid":
        out = np.float32(1) / (np.float32(1) + np.exp(-t))
    else:
        lp = t - np.maximum.reduce(t, axis=0)
        e = np.exp(lp)
        out = e / np.add.reduce(e, axis=0)
    return np.ascontiguousarray(np.moveaxis(out.astype(np.float32, copy=False), 0, -1))


def classifier_picture(
    grid: np.ndarray,
    output: str,
    size: int = SMOOTH_SIZE,
    *,
    background: Sequence[float] = (255, 255, 255),
    strength: float = BOUNDARY_STRENGTH,
    discrete: bool = False,
) -> np.ndarray:
    """``classify_image(smooth_output(grid, output, size))`` in one compiled pass, (size,
    size, 4) uint8: what the canvas draws up to 30 times a second."""
    g = np.asarray(grid, dtype=np.float32)
    h, w, k = g.shape
    if output not in ("sigmoid", "softmax") or min(h, w) < 2 or size <= max(h, w):
        return classify_image(smooth_output(g, output, size), background=background,
                              strength=strength, discrete=discrete)  # fmt: skip
    if k > MAX_CLASSES:
        raise ValueError(f"{k} classes: dlviz draws 1 to {MAX_CLASSES}")
    out = np.empty((size, size, 4), np.uint8)
    classify_picture(
        np.ascontiguousarray(_smooth_space(g, output), np.float32), size, output == "softmax",
        CLASS_RGB[: max(k, 2)].astype(np.float32), np.asarray(background, np.float32),
        np.float32(strength), discrete, out,
    )  # fmt: skip
    return out


def grid_rect(bounds: Sequence[float], res: int) -> tuple[float, float, float, float]:
    """(x, y, width, height) of an image whose pixel centres are ``linspace(bounds, res)``."""
    xmin, xmax, ymin, ymax = (float(b) for b in bounds)
    if res < 2:
        return xmin, ymin, xmax - xmin, ymax - ymin
    dx = (xmax - xmin) / (res - 1)
    dy = (ymax - ymin) / (res - 1)
    return xmin - dx / 2, ymin - dy / 2, xmax - xmin + dx, ymax - ymin + dy
