"""The numbers behind the image-data views: the pad's brush, the weight mosaic, the gallery.

Qt-free so each is tested headless (``tests/core/test_image_views.py``):

* the drawing pad's soft brush: a stroke from one pointer position to the
  next is a capsule (a disc swept along the segment) whose edge fades over
  about a pixel, so strokes drawn at the data set's size get grey edges like
  the scanned digits (:func:`apply_stroke`);
* the first-layer weight images: each neuron's incoming weights reshaped to
  the input's height × width and tiled in one mosaic with a gap between tiles
  (:func:`weight_mosaic`, :func:`mosaic_rgba`, :class:`MosaicLayout` says
  which neuron a mosaic pixel belongs to);
* the test gallery's order: misclassified images first (the most wrong
  first), then the correct ones least confident first (:func:`gallery_order`).

Pixels are in [0, 1] like the data sets' (0 paper, 1 ink); positions on the
pad are (x, y) in pixel units from the image's top-left corner, x across the
columns and y down the rows, so pixel (row i, column j) has its centre at
(j + 0.5, i + 0.5).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from dlviz.core.colors import signed_colors

#: Brush radius in pixels, as a share of the image's longer side (28 px: a 1.4 px radius,
#: about MNIST's pen), never under MIN_BRUSH_RADIUS (the 8x8 digits' strokes are ~2 px wide).
BRUSH_RADIUS_SHARE = 0.05
MIN_BRUSH_RADIUS = 0.7
#: Width in pixels of the brush's edge, where ink fades from full to none: anti-aliasing,
#: so a stroke between two pixel centres inks both half rather than one fully.
BRUSH_SOFTNESS = 1.0
#: The eraser's radius exceeds the brush's by this many pixels: its fully erasing core
#: (radius - softness/2) then reaches past the brush's faintest edge (radius + softness/2)
#: with a quarter pixel to spare, so one pass along a line takes it all; an eraser of the
#: brush's size left the edge pixels a fifth inked.
ERASER_MARGIN = 1.25 * BRUSH_SOFTNESS
#: Pixels between the tiles of the weight mosaic.
MOSAIC_GAP = 1
#: Steps of the mosaic's colour table (odd: zero is a step of its own, the background).
MOSAIC_LEVELS = 1023


# ---------------------------------------------------------------- the brush


def brush_radius(shape: Sequence[int]) -> float:
    """The pad's brush radius in pixels for images of ``shape`` (height, width)."""
    return max(MIN_BRUSH_RADIUS, BRUSH_RADIUS_SHARE * max(int(shape[0]), int(shape[1])))


def eraser_radius(shape: Sequence[int]) -> float:
    """The pad's eraser radius in pixels (the right button, or Erase mode)."""
    return brush_radius(shape) + ERASER_MARGIN


def stroke_coverage(
    shape: Sequence[int],
    start: tuple[float, float],
    end: tuple[float, float],
    radius: float,
    softness: float = BRUSH_SOFTNESS,
) -> np.ndarray:
    """The ink (0..1, float32, (height, width)) of a brush stroke from ``start`` to ``end``.

    Each pixel's ink falls linearly from 1 to 0 as the distance ``d`` from its
    centre to the segment goes from ``radius - softness/2`` to
    ``radius + softness/2``: the usual one-pixel anti-aliased edge, whose
    total ink is the area the pen swept (π r² + 2 r L, plus π s²/12).
    """
    h, w = int(shape[0]), int(shape[1])
    cy, cx = np.mgrid[0:h, 0:w].astype(np.float64) + 0.5
    ax, ay = float(start[0]), float(start[1])
    dx, dy = float(end[0]) - ax, float(end[1]) - ay
    length2 = dx * dx + dy * dy
    if length2 > 0:
        t = np.clip(((cx - ax) * dx + (cy - ay) * dy) / length2, 0.0, 1.0)
    else:
        t = np.zeros_like(cx)
    dist = np.hypot(cx - (ax + t * dx), cy - (ay + t * dy))
    soft = max(float(softness), 1e-6)
    return np.clip((radius + soft / 2 - dist) / soft, 0.0, 1.0).astype(np.float32)


def apply_stroke(
    pixels: np.ndarray,
    start: tuple[float, float],
    end: tuple[float, float],
    radius: float,
    *,
    erase: bool = False,
) -> None:
    """Ink (or erase) a stroke into ``pixels`` (height, width) in place.

    Ink takes the larger of what is there and the stroke's coverage, so going
    over a line again does not darken it past the pen's own ink; erasing takes
    the smaller of what is there and the coverage's complement.
    """
    cover = stroke_coverage(pixels.shape, start, end, radius)
    if erase:
        np.minimum(pixels, 1.0 - cover, out=pixels)
    else:
        np.maximum(pixels, cover, out=pixels)


# ---------------------------------------------------------------- weight mosaic


@dataclass(frozen=True)
class MosaicLayout:
    """Where each tile of a mosaic lies: ``count`` tiles of (tile_h, tile_w), row by row."""

    count: int
    rows: int
    columns: int
    tile_h: int
    tile_w: int
    gap: int = MOSAIC_GAP

    @classmethod
    def of(cls, count: int, shape: Sequence[int], gap: int = MOSAIC_GAP) -> MosaicLayout:
        """A near-square grid: ⌈√count⌉ columns and as many rows as needed."""
        columns = max(1, math.ceil(math.sqrt(count)))
        rows = max(1, math.ceil(count / columns))
        return cls(count, rows, columns, int(shape[0]), int(shape[1]), gap)

    @property
    def height(self) -> int:
        return self.rows * self.tile_h + (self.rows - 1) * self.gap

    @property
    def width(self) -> int:
        return self.columns * self.tile_w + (self.columns - 1) * self.gap

    def origin(self, tile: int) -> tuple[int, int]:
        """(row, column) of the mosaic pixel at tile ``tile``'s top-left corner."""
        r, c = divmod(tile, self.columns)
        return r * (self.tile_h + self.gap), c * (self.tile_w + self.gap)

    def tile_at(self, row: float, column: float) -> int | None:
        """The tile under mosaic position (row, column), or None (a gap, an empty slot, outside)."""
        if not (0 <= row < self.height and 0 <= column < self.width):
            return None
        r, inside_r = divmod(int(math.floor(row)), self.tile_h + self.gap)
        c, inside_c = divmod(int(math.floor(column)), self.tile_w + self.gap)
        if inside_r >= self.tile_h or inside_c >= self.tile_w:
            return None
        tile = r * self.columns + c
        return tile if tile < self.count else None


def weight_mosaic(weights: np.ndarray, shape: Sequence[int]) -> tuple[np.ndarray, MosaicLayout]:
    """A weight layer's (inputs, neurons) matrix as one picture: one tile per neuron.

    Tile ``j`` is column ``j`` (neuron ``j``'s incoming weights) reshaped to
    ``shape`` row by row, as the images were flattened; gaps and empty slots
    are NaN.
    """
    w = np.asarray(weights, dtype=np.float32)
    h, wd = int(shape[0]), int(shape[1])
    if w.ndim != 2 or w.shape[0] != h * wd:
        raise ValueError(f"weights of shape {w.shape} do not come from {h}x{wd} images")
    layout = MosaicLayout.of(w.shape[1], (h, wd))
    out = np.full((layout.height, layout.width), np.nan, dtype=np.float32)
    tiles = w.T.reshape(w.shape[1], h, wd)
    for j in range(w.shape[1]):
        r, c = layout.origin(j)
        out[r : r + h, c : c + wd] = tiles[j]
    return out, layout


def mosaic_rgba(
    values: np.ndarray,
    limit: float,
    *,
    background: Sequence[float] = (255, 255, 255),
    gap: Sequence[float] = (128, 128, 128),
) -> np.ndarray:
    """The mosaic on the diverging map (orange negative, background 0, blue positive); NaN gaps
    take the ``gap`` colour, so a weight of zero and the space between tiles look different.

    The colours come from a table of MOSAIC_LEVELS steps of :func:`signed_colors` (off by at
    most one unit of 255 from computing each pixel's colour): a 128-neuron 28×28 mosaic
    took 11 ms per frame computed pixel by pixel, 1.2 ms looked up.
    """
    table = signed_colors(np.linspace(-1.0, 1.0, MOSAIC_LEVELS), 1.0, background=background)
    t = np.asarray(values, dtype=np.float32) / np.float32(signed_limit(limit))
    empty = ~np.isfinite(t)
    t[empty] = 0.0
    np.clip(t, -1.0, 1.0, out=t)
    index = np.rint((t + 1.0) * np.float32((MOSAIC_LEVELS - 1) / 2)).astype(np.intp)
    rgba = np.take(table, index, axis=0)  # 20x faster than table[index] here
    rgba[empty, :3] = np.asarray(gap, dtype=np.float64).round().astype(np.uint8)
    return rgba


def signed_limit(limit: float) -> float:
    """The colour scale's half-range as :func:`signed_colors` takes it (1 when not usable)."""
    return float(limit) if limit and np.isfinite(limit) and limit > 0 else 1.0


# ---------------------------------------------------------------- gallery


def gallery_order(probabilities: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Row order of a gallery: misclassified first, then least confident first.

    Misclassified rows (whose most probable class is not ``truth``) come by
    the probability they give the true class, lowest first (the worst
    mistakes lead); then the correct rows by the probability of their answer,
    lowest first.  Ties keep the rows' order.
    """
    p = np.asarray(probabilities, dtype=np.float64)
    y = np.asarray(truth, dtype=np.int64)
    n = p.shape[0]
    rows = np.arange(n)
    predicted = p.argmax(axis=1) if n else np.zeros(0, np.int64)
    correct = predicted == y
    # misclassified: key p[true]; correct: key p[predicted] (= p[true] too)
    key = p[rows, y] if n else np.zeros(0)
    return np.lexsort((rows, key, correct)).astype(np.int64)
