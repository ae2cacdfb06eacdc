"""How each layer's numbers spread over training, and each layer's gradient norm.

On top, the gradient norm of every weight layer over the steps, on a log
axis, one line per layer (dark for the first layer, light for the last):
in a deep sigmoid network the first layers' lines sit orders of magnitude
below the last ones' — the vanishing-gradient problem, visible.

Below, one plot per layer in TensorBoard's "distributions" style: filled
bands between the percentile pairs of :data:`dlviz.core.snapshot.PERCENTILES`
(min–max, 7–93, 16–84, 31–69, darker inward) and the median as a line, for
the weights, the last batch's gradients or the activations (a combo box
picks which).

The rows come from the session's :class:`~dlviz.core.analysis.StatsHistory`,
which the session feeds from every snapshot even while this view is closed
(so the history has no gaps) and which stays under a fixed number of rows:
a frame costs the same at step 100 and at step one million.  The trainer
takes the statistics a few times a second while the view is closed, and
:data:`MAX_HZ` times a second while it is shown (it asks through
:meth:`extras`); redraws are limited to the same rate.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtGui import QPen
from PySide6.QtWidgets import (
    QComboBox,
    QGraphicsPathItem,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from dlviz.core.curves import sticky_range
from dlviz.core.snapshot import PERCENTILES, Snapshot
from dlviz.ui.i18n import translate
from dlviz.ui.session import Session
from dlviz.ui.views.base import RateLimit, StepMarker, View
from dlviz.ui.views.loss import StepAxis

#: Redraws and, while the view is shown, statistics per second at most (the worker's
#: LIVE_STATS_HZ: with every full-speed snapshot).
MAX_HZ = 30.0
#: (what the combo box says, StatsHistory.arrays() index, y-axis label, band colour)
QUANTITIES = {
    "weights": (
        QT_TRANSLATE_NOOP("DistributionsView", "Weights"),
        2,
        QT_TRANSLATE_NOOP("DistributionsView", "weight"),
        "#0072B2",
    ),
    "gradients": (
        QT_TRANSLATE_NOOP("DistributionsView", "Gradients (last batch)"),
        3,
        QT_TRANSLATE_NOOP("DistributionsView", "gradient"),
        "#D55E00",
    ),
    "activations": (
        QT_TRANSLATE_NOOP("DistributionsView", "Activations"),
        4,
        QT_TRANSLATE_NOOP("DistributionsView", "activation"),
        "#009E73",
    ),
}
#: Index pairs into PERCENTILES bounding each band, outermost first.
BAND_PAIRS = tuple((i, len(PERCENTILES) - 1 - i) for i in range(len(PERCENTILES) // 2))
MEDIAN = len(PERCENTILES) // 2
BAND_ALPHA = (45, 70, 95, 125)
NORM_PX = 320
BAND_PX = 190


def layer_colors(n: int, dark: bool) -> list[str]:
    """One colour per layer along viridis, first layer to last: dark to light on a light
    background (never the pale yellow end), kept off the darkest end on a dark one."""
    lo, hi = (0.25, 1.0) if dark else (0.0, 0.82)
    cmap = pg.colormap.get("viridis")
    return [cmap.map(t, mode="qcolor").name() for t in np.linspace(lo, hi, max(n, 1))][:n]


class BandPlot:
    """One layer's percentile bands and median line over training steps.

    Each band is one filled polygon (lower edge forward, upper edge back): a
    single path per band is several times cheaper to update than a
    FillBetweenItem between two curves.
    """

    def __init__(self, plot: pg.PlotItem) -> None:
        self.plot = plot
        self.fills: list[QGraphicsPathItem] = []
        for _ in BAND_PAIRS:
            fill = QGraphicsPathItem()
            fill.setPen(QPen(Qt.PenStyle.NoPen))
            plot.addItem(fill)
            self.fills.append(fill)
        self.median = pg.PlotCurveItem()
        self.median.setZValue(5)
        plot.addItem(self.median)
        self.range: dict[str, tuple[float, float]] = {}

    def set_color(self, color: str, line_px: float, dark: bool) -> None:
        for fill, alpha in zip(self.fills, BAND_ALPHA, strict=True):
            c = pg.mkColor(color)
            c.setAlpha(min(255, round(alpha * (1.5 if dark else 1.0))))
            fill.setBrush(pg.mkBrush(c))
        self.median.setPen(pg.mkPen("#FFFFFF" if dark else "#000000", width=line_px / 2))

    def set_data(self, steps: np.ndarray, pct: np.ndarray) -> None:
        """``pct``: (t, len(PERCENTILES)) of this layer."""
        x = np.concatenate([steps, steps[::-1]])
        for fill, (lo, hi) in zip(self.fills, BAND_PAIRS, strict=True):
            y = np.concatenate([pct[:, lo], pct[::-1, hi]])
            path = pg.arrayToQPath(x, y, connect="all")
            path.closeSubpath()
            fill.setPath(path)
        self.median.setData(steps, pct[:, MEDIAN])

    def bands(self) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """(steps, lower, upper) of every band as drawn, outermost first (for tests)."""
        out = []
        for fill in self.fills:
            path = fill.path()
            n = path.elementCount()
            xy = np.array([(path.elementAt(i).x, path.elementAt(i).y) for i in range(n)])
            t = len(xy) // 2
            out.append((xy[:t, 0], xy[:t, 1], xy[t : 2 * t][::-1, 1]))
        return out


class DistributionsView(View):
    """Gradient norm per layer (log) and percentile bands of one quantity per layer."""

    name = "distributions"
    title = QT_TRANSLATE_NOOP("views", "Distributions")
    short_title = QT_TRANSLATE_NOOP("views", "Distributions")
    default_area = "right"

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self._sizes: tuple[int, ...] = ()
        self._drawn_key: tuple[int, str] | None = None
        self._rate = RateLimit(MAX_HZ)
        self._norm_range: dict[str, tuple[float, float]] = {}
        self.redraws = 0
        self.norm_curves: list[pg.PlotDataItem] = []
        self.band_plots: list[BandPlot] = []
        self.marker = StepMarker()

        self.quantity = QComboBox(self)
        self.quantity.setObjectName("distributions-quantity")
        for key, (text, *_rest) in QUANTITIES.items():
            self.quantity.addItem(translate("DistributionsView", text), key)
        self.quantity.setToolTip(
            translate("DistributionsView", "Which numbers the percentile bands show")
        )
        self.quantity.currentIndexChanged.connect(self._quantity_changed)
        controls = QHBoxLayout()
        controls.setContentsMargins(6, 2, 6, 2)
        controls.addWidget(QLabel(translate("DistributionsView", "Bands of"), self))
        controls.addWidget(self.quantity)
        self.note = QLabel(self)
        self.note.setObjectName("distributions-note")
        self.note.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        controls.addSpacing(12)
        controls.addWidget(self.note, 1)

        self.graphics, self.scroll = self.scrolling_plots("distributions-plot")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(controls)
        layout.addWidget(self.scroll, 1)

        session.theme_changed.connect(self.apply_theme)
        self.apply_theme()

    # ------------------------------------------------------------ appearance

    @property
    def quantity_key(self) -> str:
        return str(self.quantity.currentData())

    def apply_theme(self) -> None:
        self.graphics.setBackground(self.session.theme.plot_background)
        self._build(self._sizes, force=True)
        self.refresh()

    def _quantity_changed(self) -> None:
        self._build(self._sizes, force=True)
        self.refresh()

    def _style(self, plot: pg.PlotItem, ylabel: str, xlabel: bool = True) -> None:
        theme, scale = self.session.theme, self.session.scale
        style = {"color": theme.plot_foreground, "font-size": f"{scale.font_pt}pt"}
        self.prepare_axes(plot)
        self.style_axes(plot)
        plot.setLabel("left", ylabel, **style)
        if xlabel:
            plot.setLabel("bottom", translate("DistributionsView", "step (mini-batches)"), **style)
        plot.showGrid(x=True, y=True, alpha=0.25)
        plot.hideButtons()
        plot.setMenuEnabled(False)
        plot.setMouseEnabled(False, False)
        plot.getViewBox().disableAutoRange()

    def _build(self, sizes: tuple[int, ...], force: bool = False) -> None:
        """The norm plot and one band plot per layer (made again when the network changes)."""
        if sizes == self._sizes and not force:
            return
        self._sizes = sizes
        self._drawn_key = None
        self._norm_range.clear()
        theme, scale = self.session.theme, self.session.scale
        self.graphics.clear()
        self.norm_curves = []
        self.band_plots = []
        n = len(sizes) - 1
        if n < 1:
            return
        columns = 1 if n <= 3 else 2
        title_size = f"{scale.font_pt + 1}pt"
        colors = layer_colors(n, theme.dark)
        with self.owning_new_menus():
            self.norm_plot = self.graphics.addPlot(
                row=0, col=0, colspan=columns, axisItems={"bottom": StepAxis("bottom")}
            )
            self._style(self.norm_plot, translate("DistributionsView", "gradient norm (log)"))
            self.norm_plot.setTitle(
                translate("DistributionsView", "Gradient norm per layer"),
                size=title_size,
                color=theme.plot_foreground,
            )
            self.norm_plot.setLogMode(x=False, y=True)
            # label the powers of ten only: minor labels of a log axis overlap
            self.norm_plot.getAxis("left").setStyle(maxTextLevel=0)
            backdrop = pg.mkColor(theme.plot_background)
            backdrop.setAlpha(215)  # the curves pass behind the legend: keep its text legible
            legend = self.norm_plot.addLegend(
                offset=(-10, 10), colCount=1 if n <= 5 else 2, labelTextSize=f"{scale.font_pt}pt",
                brush=pg.mkBrush(backdrop), pen=pg.mkPen(theme.muted),
            )  # fmt: skip
            legend.setLabelTextColor(theme.plot_foreground)
            for layer in range(n):
                curve = self.norm_plot.plot(
                    connect="finite", pen=pg.mkPen(colors[layer], width=scale.line_px)
                )
                legend.addItem(
                    curve, translate("DistributionsView", "layer {n}").format(n=layer + 1)
                )
                self.norm_curves.append(curve)
            text, _, ylabel, color = QUANTITIES[self.quantity_key]
            for layer in range(n):
                plot = self.graphics.addPlot(
                    row=1 + layer // columns,
                    col=layer % columns,
                    axisItems={"bottom": StepAxis("bottom")},
                )
                self._style(plot, translate("DistributionsView", ylabel))
                plot.setTitle(
                    translate("DistributionsView", "Layer {n}: {inputs} -> {outputs}").format(
                        n=layer + 1, inputs=sizes[layer], outputs=sizes[layer + 1]
                    ),
                    size=title_size,
                    color=theme.plot_foreground,
                )
                band = BandPlot(plot)
                band.set_color(color, scale.line_px, theme.dark)
                self.band_plots.append(band)
        self.marker.attach([self.norm_plot, *(b.plot for b in self.band_plots)],
                           theme.plot_foreground)  # fmt: skip
        rows = 1 + (n + columns - 1) // columns
        grow = scale.font_pt / 11
        self.graphics.setMinimumHeight(round((NORM_PX + (rows - 1) * BAND_PX) * grow))
        self.note.setText(
            translate(
                "DistributionsView", "bands: min–max, 7–93, 16–84, 31–69 percentiles; line: median"
            )
        )
        self._rate.release()  # draw the new plots at once, whatever the rate limit says
        self.invalidate()

    # ------------------------------------------------------------ data

    def extras(self) -> dict[str, Any]:
        return {"stats_hz": MAX_HZ}  # statistics live while shown (sorting ~1 ms a layer set)

    def update_snapshot(self, snap: Snapshot) -> None:
        self._build(snap.spec.sizes)
        self.marker.follow(self.session, snap)
        self._draw()

    def showEvent(self, event) -> None:  # noqa: N802  (Qt API)
        self._rate.release()
        super().showEvent(event)

    def _draw(self) -> None:
        now = time.perf_counter()
        if not self._rate.ready(now):
            self.invalidate()  # come back on a later frame
            return
        history = self.session.stats()
        key = (self.session.stats_version, self.quantity_key)
        if key == self._drawn_key:
            return
        steps, norms, *percentiles = history.arrays()
        if steps.size == 0 or norms.shape[1] != len(self.norm_curves):
            return
        self._drawn_key = key
        self._rate.drew(now)
        self.redraws += 1
        steps = steps.astype(np.float64)
        shown = np.where(norms > 0, norms, np.nan)  # log axis: a zero norm leaves a gap
        for layer, curve in enumerate(self.norm_curves):
            curve.setData(steps, shown[:, layer])
        x = sticky_range(self._norm_range.get("x"), float(steps[0]), max(float(steps[-1]), 1.0))
        finite = shown[np.isfinite(shown)]
        self._set_range(self.norm_plot, "x", x)
        if finite.size:
            lo, hi = np.log10(finite.min()), np.log10(finite.max())
            if hi - lo < 2:  # at least two decades: a log axis then labels powers of ten only
                mid = (lo + hi) / 2
                lo, hi = mid - 1, mid + 1
            y = sticky_range(self._norm_range.get("y"), lo, hi, grow_low=0.1, grow_high=0.1)
            self._set_range(self.norm_plot, "y", y)
        pct = percentiles[QUANTITIES[self.quantity_key][1] - 2]
        for layer, band in enumerate(self.band_plots):
            band.set_data(steps, pct[:, layer])
            lo, hi = float(np.nanmin(pct[:, layer, 0])), float(np.nanmax(pct[:, layer, -1]))
            pad = 0.05 * (hi - lo) if hi > lo else max(abs(hi), 1e-12) * 0.1
            y = sticky_range(band.range.get("y"), lo - pad, hi + pad, grow_high=0.1, grow_low=0.1)
            self._set_range(band.plot, "x", x, band.range)
            self._set_range(band.plot, "y", y, band.range)

    def _set_range(self, plot, key: str, new: tuple[float, float], ranges=None) -> None:
        """Change an axis range only when it moved (axes redraw is costly)."""
        ranges = self._norm_range if ranges is None else ranges
        if ranges.get(key) == new:
            return
        ranges[key] = new
        if key == "x":
            plot.getViewBox().setXRange(*new, padding=0)
        else:
            plot.getViewBox().setYRange(*new, padding=0)

    def norm_data(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """(steps, gradient norms) of every layer's curve as plotted, before the log (for tests)."""
        return [tuple(np.asarray(a) for a in c.getOriginalDataset()) for c in self.norm_curves]
