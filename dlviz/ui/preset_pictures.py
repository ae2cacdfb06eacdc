"""Small pictures of the preset datasets for the data panel's list.

Each is drawn from the preset's real points (``make_dataset`` with its own
default seed, as the app makes them), in the class colours or the value
colours the canvas uses; pictures are cached per preset and theme, so the
list costs the drawing once.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap

from dlviz.core.colors import point_colors, value_limit
from dlviz.core.data import make_dataset
from dlviz.ui.theme import Theme

#: Side of a picture in pixels (the list shows it at the icon size it is given).
SIDE = 48
_CACHE: dict[tuple[str, str], QPixmap] = {}


def preset_pixmap(name: str, theme: Theme) -> QPixmap:
    """The preset's points on the theme's plot background, ``SIDE`` pixels square."""
    key = (name, theme.name)
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    ds = make_dataset(name)
    background = theme.rgb("plot_background")
    limit = value_limit(ds.targets) if ds.kind != "classify" else 1.0
    colors = point_colors(ds.targets, ds.kind, limit=limit, background=background)
    pixmap = QPixmap(SIDE, SIDE)
    pixmap.fill(QColor(theme.plot_background))
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(QPen(QColor(theme.muted), 1))
    painter.drawRect(0, 0, SIDE - 1, SIDE - 1)
    painter.setPen(Qt.PenStyle.NoPen)
    xmin, xmax, ymin, ymax = ds.bounds
    pts = np.asarray(ds.points, np.float64)
    if ds.kind == "curve":  # (x, y) points: the curve's own vertical range
        ymin, ymax = float(pts[:, 1].min()), float(pts[:, 1].max())
        ymin, ymax = ymin - 0.1 * (ymax - ymin + 1e-9), ymax + 0.1 * (ymax - ymin + 1e-9)
    margin = 3.0
    sx = (SIDE - 2 * margin) / max(xmax - xmin, 1e-9)
    sy = (SIDE - 2 * margin) / max(ymax - ymin, 1e-9)
    for (x, y), rgba in zip(pts, colors, strict=True):
        painter.setBrush(QColor(int(rgba[0]), int(rgba[1]), int(rgba[2])))
        centre = QPointF(margin + (x - xmin) * sx, SIDE - margin - (y - ymin) * sy)
        painter.drawEllipse(centre, 1.6, 1.6)
    painter.end()
    _CACHE[key] = pixmap
    return pixmap


def preset_icon(name: str, theme: Theme) -> QIcon:
    return QIcon(preset_pixmap(name, theme))
