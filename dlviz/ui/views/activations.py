"""Each layer's activation function f(z) and its slope f′(z), with the layer's current
pre-activations z as a histogram under the curves.

Saturation shows: sigmoid and tanh units whose z sit in the flat tails pass
almost no gradient back, ReLU units whose z are all negative are dead.  Each
plot's title counts them (|f′(z)| < 0.05).  The numbers come from
:func:`dlviz.core.activations.layer_activity` on up to 256 training points.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, QTimer
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from dlviz.core.activity import FLAT_SLOPE, LayerActivity, curve, layer_activity
from dlviz.core.curves import sticky_reach
from dlviz.core.network import NetworkSpec
from dlviz.core.snapshot import Snapshot
from dlviz.ui.i18n import translate
from dlviz.ui.session import Session
from dlviz.ui.views.background import BackgroundJob
from dlviz.ui.views.base import View

F_COLOR = "#0072B2"
SLOPE_COLOR = "#D55E00"
HIST_COLOR = (0, 158, 115, 110)  # bluish green, translucent: the curves stay on top
SAMPLE = 256
BINS = 40


#: The z axis spans at least ±REACH_MIN and at most ±REACH_MAX, and 1.15x the 99.5th
#: percentile of |z| (kept while it fits: see sticky_reach).
REACH_MIN, REACH_MAX = 4.0, 50.0


class ActivationsView(View):
    """One plot per weight layer: f, f′ and the histogram of z."""

    name = "activations"
    title = QT_TRANSLATE_NOOP("views", "Activation functions")
    short_title = QT_TRANSLATE_NOOP("views", "Activations")
    default_area = "right"

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.graphics, scroll = self.scrolling_plots("activations-plots")
        self.caption = QLabel(
            translate(
                "ActivationsView",
                "f(z) blue, f′(z) orange, this layer's z on {n} training points green; "
                "'flat': |f′(z)| < {slope} (no gradient passes)",
            ).format(n=SAMPLE, slope=FLAT_SLOPE),
            self,
        )
        self.caption.setWordWrap(True)
        self.caption.setContentsMargins(6, 2, 6, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.caption)
        layout.addWidget(scroll, 1)
        self.plots: list[pg.PlotItem] = []
        self.items: list[tuple[pg.PlotDataItem, pg.PlotDataItem, pg.BarGraphItem]] = []
        self._shape: tuple[str, ...] = ()
        #: Per plot: the (activation, reach, outputs) its f and f′ curves and its axes show.
        self._curves: list[tuple[str, float, int] | None] = []
        #: What the titles say now, per layer (tests and screenshots read it).
        self.titles: list[str] = []
        self.job = BackgroundJob("activations", reuse_thread=True)  # a job per snapshot
        self.timer = QTimer(self)
        self.timer.setInterval(30)
        self.timer.timeout.connect(self._poll)
        self._behind = False
        #: The weights whose pre-activations are drawn (tests compare against them).
        self.shown_params: np.ndarray | None = None
        session.theme_changed.connect(self._restyle)
        session.dataset_changed.connect(lambda _reason: self.invalidate())

    def _build(self, activations: tuple[str, ...]) -> None:
        self.graphics.clear()
        self.plots, self.items = [], []
        for i, _name in enumerate(activations):
            with self.owning_new_menus():
                plot = self.graphics.addPlot(row=i, col=0)
            plot.hideButtons()
            plot.setMenuEnabled(False)
            plot.setMouseEnabled(x=False, y=False)
            self.prepare_axes(plot)
            plot.showGrid(x=True, y=True, alpha=0.2)
            bars = pg.BarGraphItem(x=[0.0], height=[0.0], width=1.0, brush=pg.mkBrush(HIST_COLOR),
                                   pen=pg.mkPen(None))  # fmt: skip
            plot.addItem(bars)
            f = plot.plot()
            slope = plot.plot()
            f.setZValue(2)
            slope.setZValue(3)
            self.plots.append(plot)
            self.items.append((f, slope, bars))
        self.graphics.setMinimumHeight(190 * len(activations))
        self._shape = activations
        self._restyle()

    def _restyle(self) -> None:
        theme, scale = self.session.theme, self.session.scale
        self.graphics.setBackground(theme.plot_background)
        for plot, (f, slope, _bars) in zip(self.plots, self.items, strict=True):
            self.style_axes(plot)
            plot.setLabel("bottom", translate("ActivationsView", "pre-activation z"),
                          color=theme.plot_foreground,
                          size=f"{scale.font_pt}pt")  # fmt: skip
            f.setPen(pg.mkPen(F_COLOR, width=scale.line_px))
            slope.setPen(pg.mkPen(SLOPE_COLOR, width=scale.line_px, style=Qt.PenStyle.DashLine))
        self._curves = [None] * len(self.plots)
        self.invalidate()
        self.refresh()

    def update_snapshot(self, snap: Snapshot) -> None:
        spec = snap.spec
        if spec.activations != self._shape:
            self._build(spec.activations)
        ds = self.session.dataset
        # the first rows alone: train_inputs would copy the whole training set (MNIST: 150 MB)
        inputs = ds.inputs[np.flatnonzero(~ds.is_test)[:SAMPLE]]
        if inputs.shape[0] == 0 or inputs.shape[1] != spec.n_inputs:
            return
        if self.job.running:  # the newest snapshot is asked for again once this one is drawn
            self._behind = True
            return
        params = np.asarray(snap.params)
        self._behind = False
        # a wide network's forward pass takes a while (10 × 256 neurons: ~0.2 s on 2 busy
        # cores): never on the GUI thread
        self.job.start(lambda _control: (spec, params, layer_activity(spec, params, inputs)))
        self.timer.start()

    def _poll(self) -> None:
        _partial, done = self.job.poll()
        if not done:
            return
        self.timer.stop()
        result = self.job.result()
        if result is None:
            return
        spec, params, activity = result
        if spec.activations != self._shape:
            return  # the network changed meanwhile: its own result follows
        self.shown_params = params
        self._draw(spec, activity)
        if self._behind:  # a newer snapshot came meanwhile: the next frame draws it
            self.invalidate()

    def ready(self) -> bool:
        """The newest snapshot's pre-activations are drawn (or there is nothing to draw)."""
        return not self.job.running and not self._behind and not self.timer.isActive()

    def shutdown(self) -> None:
        self.timer.stop()
        self.job.stop()

    def _draw(self, spec: NetworkSpec, activity: list[LayerActivity]) -> None:
        theme = self.session.theme
        self.titles = []
        for i, (layer, plot, (f, slope, bars)) in enumerate(
            zip(activity, self.plots, self.items, strict=True)
        ):
            z = layer.z.ravel()
            shown = self._curves[i]
            reach = sticky_reach(
                1.15 * float(np.percentile(np.abs(z), 99.5)) if z.size else 0.0,
                None if shown is None or shown[0] != layer.activation else shown[1],
                least=REACH_MIN,
                most=REACH_MAX,
            )
            key = (layer.activation, reach, max(spec.n_outputs, 2))
            grid = np.linspace(-reach, reach, 301)
            fz, dz = curve(layer.activation, grid, key[2])
            if key != shown:  # the curves and the axes change only with the reach
                self._curves[i] = key
                f.setData(grid, fz)
                slope.setData(grid, dz)
            low, high = float(min(fz.min(), dz.min(), 0.0)), float(max(fz.max(), dz.max(), 1.0))
            clipped = np.clip(z, -reach, reach)
            counts, edges = np.histogram(clipped, bins=BINS, range=(-reach, reach))
            # the tallest bar reaches 60 % of the curves' height: a shape, not a second axis
            heights = counts / max(counts.max(), 1) * 0.6 * (high - low)
            bars.setOpts(x=(edges[:-1] + edges[1:]) / 2, height=heights, y0=low,
                         width=edges[1] - edges[0])  # fmt: skip
            if key != shown:
                plot.setXRange(-reach, reach, padding=0.02)
                plot.setYRange(low, high, padding=0.05)
            kind = (
                translate("ActivationsView", "output")
                if i == len(activity) - 1
                else translate("ActivationsView", "hidden layer {n}").format(n=i + 1)
            )
            text = translate("ActivationsView", "{kind}: {activation}").format(
                kind=kind, activation=layer.activation
            )
            last = i == len(activity) - 1
            if last and spec.loss in ("bce", "ce"):
                # with its own loss the output's δ is a − y: its slope does not stop gradients
                text += translate("ActivationsView", "  ·  δ = a − y (no slope in the way)")
            elif layer.flat_share is not None:
                text += translate("ActivationsView", "  ·  flat {share} % of z").format(
                    share=f"{100 * layer.flat_share:.0f}"
                )
                if layer.flat_neurons:
                    template = (
                        translate("ActivationsView", ", {n} neuron(s) dead on every point")
                        if layer.activation == "relu"
                        else translate(
                            "ActivationsView", ", {n} neuron(s) saturated on every point"
                        )
                    )
                    text += template.format(n=layer.flat_neurons)
            self.titles.append(text)
            self.set_plot_title(plot, text, color=theme.plot_foreground,
                                size=f"{self.session.scale.font_pt}pt")  # fmt: skip
