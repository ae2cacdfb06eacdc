"""Animated GIF of a training run: the decision boundary over the data, and the loss so far.

Frames are drawn with Pillow from snapshots (the app passes its timeline),
so this runs headless and is tested here.  Long exports report progress and
can be cancelled; a cancelled or failed export writes nothing.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

import numpy as np

from dlviz.core.colors import boundary_image, point_colors, smooth_output, value_limit
from dlviz.core.data import Dataset
from dlviz.core.errors import DlvizError
from dlviz.core.fileio import atomic_write
from dlviz.core.snapshot import Snapshot

PLOT = 360  # pixels per side of the boundary panel
CURVE_H = 110  # pixels of the loss panel under it
MAX_FRAMES = 600


class Cancelled(Exception):
    """The user stopped the export."""


def _to_pixels(xy: np.ndarray, bounds: Sequence[float], size: int) -> np.ndarray:
    xmin, xmax, ymin, ymax = bounds
    px = (xy[:, 0] - xmin) / (xmax - xmin) * (size - 1)
    py = (1 - (xy[:, 1] - ymin) / (ymax - ymin)) * (size - 1)
    return np.column_stack([px, py])


def render_frame(
    snap: Snapshot,
    dataset: Dataset,
    losses: tuple[np.ndarray, np.ndarray],
    loss_range: tuple[float, float],
) -> np.ndarray:
    """One frame as an RGB uint8 array (PLOT + CURVE_H, PLOT, 3)."""
    from PIL import Image, ImageDraw

    if snap.grid is None:
        raise DlvizError("a frame needs snapshots that carry the decision grid")
    bounds = snap.grid_bounds
    limit = value_limit(dataset.targets)
    frame = Image.new("RGB", (PLOT, PLOT + CURVE_H), (255, 255, 255))
    if dataset.kind == "curve":
        draw = ImageDraw.Draw(frame)
        xs = np.linspace(bounds[0], bounds[1], snap.grid.shape[0])
        curve = _to_pixels(np.column_stack([xs, snap.grid[:, 0]]), bounds, PLOT)
        draw.line([tuple(p) for p in curve], fill=(0, 114, 178), width=3)
    else:
        smooth = smooth_output(np.asarray(snap.grid), snap.spec.output, PLOT)
        rgba = boundary_image(smooth, dataset.kind, limit=limit)
        # grid rows run bottom-to-top; images top-to-bottom
        heat = Image.fromarray(np.ascontiguousarray(rgba[::-1, :, :3]), "RGB")
        frame.paste(heat.resize((PLOT, PLOT), Image.Resampling.BILINEAR), (0, 0))
        draw = ImageDraw.Draw(frame)
    colors = point_colors(dataset.targets, dataset.kind, limit=limit)
    if dataset.kind == "curve":
        colors[:, :3] = (40, 40, 40)
    for (px, py), color, test in zip(
        _to_pixels(dataset.points, bounds, PLOT), colors, dataset.is_test, strict=True
    ):
        box = (px - 3.5, py - 3.5, px + 3.5, py + 3.5)
        fill = None if test else tuple(int(c) for c in color[:3])
        draw.ellipse(box, fill=fill, outline=(30, 30, 30) if not test else tuple(color[:3]))
    steps, values = losses
    top = PLOT + 8
    draw.line([(0, PLOT), (PLOT, PLOT)], fill=(200, 200, 200))
    if steps.size >= 2 and steps[-1] > steps[0]:
        lo, hi = loss_range
        span = max(hi - lo, 1e-12)
        x = (steps - steps[0]) / max(float(steps[-1] - steps[0]), 1.0) * (PLOT - 16) + 8
        y = top + (1 - (values - lo) / span) * (CURVE_H - 30)
        draw.line(list(zip(x.tolist(), y.tolist(), strict=True)), fill=(0, 114, 178), width=2)
    label = f"step {snap.step}   epoch {snap.epoch}   train loss"
    if snap.train_loss is not None:
        label += f" {snap.train_loss:.4g}"
    draw.text((8, PLOT + CURVE_H - 18), label, fill=(0, 0, 0))
    return np.asarray(frame)


def write_gif(
    path: str | os.PathLike[str],
    snapshots: Sequence[Snapshot],
    dataset: Dataset,
    *,
    fps: float = 10.0,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> int:
    """Write the run as an animated GIF; returns the number of frames.

    ``progress(done, total)`` is called after each frame; when ``cancelled()``
    turns true the export stops with :class:`Cancelled` and no file is written.
    """
    from PIL import Image

    usable = [s for s in snapshots if s.grid is not None]
    if not usable:
        raise DlvizError("nothing to animate yet: train for a while first")
    if len(usable) > MAX_FRAMES:  # keep the file small: evenly spaced frames
        pick = np.linspace(0, len(usable) - 1, MAX_FRAMES).round().astype(int)
        usable = [usable[i] for i in pick]
    steps = np.array([s.step for s in usable], dtype=np.float64)
    losses = np.array(
        [np.nan if s.train_loss is None else s.train_loss for s in usable], dtype=np.float64
    )
    finite = losses[np.isfinite(losses)]
    loss_range = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    frames = []
    for i, snap in enumerate(usable):
        if cancelled is not None and cancelled():
            raise Cancelled()
        ok = np.isfinite(losses[: i + 1])
        frames.append(
            Image.fromarray(
                render_frame(snap, dataset, (steps[: i + 1][ok], losses[: i + 1][ok]), loss_range)
            ).quantize(colors=128)
        )
        if progress is not None:
            progress(i + 1, len(usable))
    with atomic_write(path) as fh:
        frames[0].save(
            fh,
            format="GIF",
            save_all=True,
            append_images=frames[1:],
            duration=int(1000 / fps),
            loop=0,
        )
    return len(frames)
