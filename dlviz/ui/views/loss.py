"""Loss and accuracy (or R²) curves, train and test, with log scale and smoothing.

The rows come from the session's :class:`~dlviz.core.curves.CurveHistory`,
which stays under a fixed number of rows however long the run, and the
curves downsample and clip to the visible range: a frame costs the same at
step 100 and at step 10 million.  Smoothing is TensorBoard's debiased EMA
(:func:`dlviz.core.curves.ema`); the raw curve stays faintly behind it.
"""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QSlider, QVBoxLayout, QWidget

from dlviz.core.curves import ema, sticky_range
from dlviz.core.snapshot import Snapshot
from dlviz.ui.i18n import translate
from dlviz.ui.session import Session
from dlviz.ui.theme import plot_font
from dlviz.ui.views.base import StepMarker, View

TRAIN_COLOR = "#0072B2"
TEST_COLOR = "#D55E00"
#: Curves are recomputed at most this often (the boundary gets the rest of the frame budget).
MAX_HZ = 20.0
#: The legend's names of the two curves.
SPLITS = {
    "train": QT_TRANSLATE_NOOP("LossView", "train"),
    "test": QT_TRANSLATE_NOOP("LossView", "test"),
}


def compact_number(value: float) -> str:
    """Tick text for step counts: 950, 5k, 12.5k, 1.2M."""
    v = abs(value)
    if v >= 1e6:
        text = f"{value / 1e6:.4g}M"
    elif v >= 1e3:
        text = f"{value / 1e3:.4g}k"
    else:
        text = f"{value:.4g}"
    return text


class StepAxis(pg.AxisItem):
    """A bottom axis whose labels stay short however long the run (5k, 1M)."""

    def tickStrings(self, values, scale, spacing):  # noqa: N802  (pyqtgraph API)
        return [compact_number(v * scale) for v in values]


class LossView(View):
    """Two stacked plots over training steps: loss above, accuracy (or R²) below."""

    name = "loss"
    title = QT_TRANSLATE_NOOP("views", "Loss and accuracy")
    short_title = QT_TRANSLATE_NOOP("views", "Loss")
    default_area = "right"

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self._version = -1
        self._last_draw = 0.0
        self._follow = True
        self._just_shown = False
        self._ranges: dict[str, tuple[float, float]] = {}
        self.redraws = 0

        self.log_box = QCheckBox(translate("LossView", "Log scale"), self)
        self.log_box.setObjectName("loss-log")
        self.log_box.setToolTip(translate("LossView", "Loss on a logarithmic axis (L)"))
        self.log_box.toggled.connect(lambda on: session.set_options(log_loss=on))
        self.smooth_slider = QSlider(Qt.Orientation.Horizontal, self)
        self.smooth_slider.setObjectName("loss-smoothing")
        self.smooth_slider.setRange(0, 99)
        self.smooth_slider.setToolTip(
            translate("LossView", "Exponential smoothing of the curves (0: raw)")
        )
        self.smooth_slider.valueChanged.connect(lambda v: session.set_options(smoothing=v / 100.0))
        self.smooth_label = QLabel(self)
        self.smooth_label.setMinimumWidth(40)
        self.follow_box = QCheckBox(translate("LossView", "Follow"), self)
        self.follow_box.setToolTip(
            translate("LossView", "Keep the whole run in view (off after you zoom or pan)")
        )
        self.follow_box.setChecked(True)
        self.follow_box.toggled.connect(self._set_follow)

        controls = QHBoxLayout()
        controls.setContentsMargins(6, 2, 6, 2)
        controls.addWidget(self.log_box)
        controls.addSpacing(8)
        controls.addWidget(QLabel(translate("LossView", "Smoothing"), self))
        controls.addWidget(self.smooth_slider, 1)
        controls.addWidget(self.smooth_label)
        controls.addWidget(self.follow_box)

        with self.owning_new_menus():
            self.graphics = pg.GraphicsLayoutWidget()
            self.loss_plot = self.graphics.addPlot(
                row=0, col=0, axisItems={"bottom": StepAxis("bottom")}
            )
            self.metric_plot = self.graphics.addPlot(
                row=1, col=0, axisItems={"bottom": StepAxis("bottom")}
            )
        self.graphics.setObjectName("loss-plot")
        self.graphics.setMinimumSize(220, 200)
        self.metric_plot.setXLink(self.loss_plot)
        self.curves: dict[str, pg.PlotDataItem] = {}
        for plot, prefix in ((self.loss_plot, "loss"), (self.metric_plot, "metric")):
            plot.setClipToView(True)
            plot.setDownsampling(auto=True, mode="peak")
            plot.showGrid(x=True, y=True, alpha=0.25)
            plot.hideButtons()
            plot.setMenuEnabled(False)
            self.prepare_axes(plot)
            plot.getViewBox().disableAutoRange()
            plot.getViewBox().sigRangeChangedManually.connect(self._user_moved)
            for split in ("train", "test"):
                raw = plot.plot(connect="finite")
                raw.setZValue(1)
                smooth = plot.plot(connect="finite", name=split)
                smooth.setZValue(2)
                self.curves[f"{prefix}-{split}-raw"] = raw
                self.curves[f"{prefix}-{split}"] = smooth
        self.marker = StepMarker()
        self.legend = self.loss_plot.addLegend(offset=(-10, 10))
        for split in ("train", "test"):
            self.legend.addItem(self.curves[f"loss-{split}"], translate("LossView", SPLITS[split]))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(controls)
        layout.addWidget(self.graphics, 1)

        session.options_changed.connect(self._options_changed)
        session.theme_changed.connect(self.apply_theme)
        session.dataset_changed.connect(self._dataset_changed)
        self._options_changed()
        self.apply_theme()

    # ------------------------------------------------------------ appearance

    def apply_theme(self) -> None:
        theme, scale = self.session.theme, self.session.scale
        self.graphics.setBackground(theme.plot_background)
        font = plot_font(scale)
        style = {"color": theme.plot_foreground, "font-size": f"{scale.font_pt}pt"}
        labels = {
            self.loss_plot: self._loss_label(self.session.options.log_loss),
            self.metric_plot: self.metric_name(),
        }
        for plot, ylabel in labels.items():
            for side in ("left", "bottom"):
                axis = plot.getAxis(side)
                axis.setPen(pg.mkPen(theme.plot_foreground))
                axis.setTextPen(pg.mkPen(theme.plot_foreground))
                axis.setStyle(tickFont=font)
                plot.setLabel("left", ylabel, **style)
        self.metric_plot.setLabel("bottom", translate("LossView", "step (mini-batches)"), **style)
        self.marker.attach([self.loss_plot, self.metric_plot], theme.plot_foreground)
        self.loss_plot.getAxis("bottom").setStyle(showValues=False)
        width = scale.line_px
        for split, color in (("train", TRAIN_COLOR), ("test", TEST_COLOR)):
            dash = Qt.PenStyle.SolidLine if split == "train" else Qt.PenStyle.DashLine
            faint = pg.mkColor(color)
            faint.setAlpha(70)
            for prefix in ("loss", "metric"):
                self.curves[f"{prefix}-{split}"].setPen(pg.mkPen(color, width=width, style=dash))
                self.curves[f"{prefix}-{split}-raw"].setPen(pg.mkPen(faint, width=1))
        # labels take the style they are added with: add them again
        self.legend.clear()
        self.legend.setLabelTextColor(theme.plot_foreground)
        self.legend.setLabelTextSize(f"{scale.font_pt}pt")
        for split in ("train", "test"):
            self.legend.addItem(self.curves[f"loss-{split}"], translate("LossView", SPLITS[split]))
        self._version = -1
        self._draw(force=True)

    def metric_name(self) -> str:
        """What the lower plot shows: accuracy for classes, R² for values."""
        return translate("LossView", "accuracy") if self.session.kind == "classify" else "R²"

    @staticmethod
    def _loss_label(log: bool) -> str:
        return translate("LossView", "loss (log)") if log else translate("LossView", "loss")

    def _dataset_changed(self, reason: str) -> None:
        if reason == "new":  # another kind of data (a preset, a file, a project)
            style = {
                "color": self.session.theme.plot_foreground,
                "font-size": f"{self.session.scale.font_pt}pt",
            }
            self.metric_plot.setLabel("left", self.metric_name(), **style)

    def _options_changed(self) -> None:
        opts = self.session.options
        self.log_box.blockSignals(True)
        self.log_box.setChecked(opts.log_loss)
        self.log_box.blockSignals(False)
        self.smooth_slider.blockSignals(True)
        self.smooth_slider.setValue(round(opts.smoothing * 100))
        self.smooth_slider.blockSignals(False)
        self.smooth_label.setText(f"{opts.smoothing:.2f}")
        self.loss_plot.setLogMode(x=False, y=opts.log_loss)
        style = {"color": self.session.theme.plot_foreground}
        self.loss_plot.setLabel("left", self._loss_label(opts.log_loss), **style)
        self._version = -1
        self._draw(force=True)

    def _set_follow(self, on: bool) -> None:
        self._follow = on
        if on:
            self._version = -1
            self._draw(force=True)

    def _user_moved(self, *args) -> None:
        self.follow_box.setChecked(False)

    # ------------------------------------------------------------ data

    def update_snapshot(self, snap: Snapshot) -> None:
        self.marker.follow(self.session, snap)
        self._draw()

    def showEvent(self, event) -> None:  # noqa: N802
        self._just_shown = True  # catch up at once, whatever the rate limit says
        super().showEvent(event)

    def _draw(self, force: bool = False) -> None:
        history = self.session.history
        now = time.perf_counter()
        throttled = now - self._last_draw < 1.0 / MAX_HZ and not self._just_shown
        self._just_shown = False
        if not force and (history.version == self._version or throttled):
            if history.version != self._version:
                self.invalidate()  # come back next frame for the rows skipped now
            return
        if force:
            self._ranges.clear()
        self._version = history.version
        self._last_draw = now
        self.redraws += 1
        steps = history.column("step")
        weight = self.session.options.smoothing
        log = self.session.options.log_loss
        bounds: dict[str, list[float]] = {"loss": [], "metric": []}
        for prefix, column in (("loss", "loss"), ("metric", "metric")):
            for split in ("train", "test"):
                raw = history.column(f"{split}_{column}")
                if log:
                    raw = np.where(raw > 0, raw, np.nan)
                smooth = ema(raw, weight) if weight > 0 else raw
                self.curves[f"{prefix}-{split}-raw"].setData(steps, raw)
                self.curves[f"{prefix}-{split}"].setData(steps, smooth)
                finite = smooth[np.isfinite(smooth)]
                if finite.size:
                    bounds[prefix] += [float(finite.min()), float(finite.max())]
        if self._follow and steps.size:
            self._fit(steps, bounds, log)

    def _fit(self, steps: np.ndarray, bounds: dict[str, list[float]], log: bool) -> None:
        """Follow the run with ranges that change only now and then (axes redraw is costly)."""
        x = sticky_range(self._ranges.get("x"), float(steps[0]), max(float(steps[-1]), 1.0))
        self._set_range("x", self.loss_plot.getViewBox(), x)
        if bounds["loss"]:
            lo, hi = min(bounds["loss"]), max(bounds["loss"])
            if log:
                lo, hi = np.log10(max(lo, 1e-12)), np.log10(max(hi, 1e-12))
                y = sticky_range(self._ranges.get("loss"), lo, hi, grow_low=0.3, grow_high=0.05)
            else:
                y = sticky_range(self._ranges.get("loss"), min(lo, 0.0), hi, grow_high=0.05)
            self._set_range("loss", self.loss_plot.getViewBox(), y)
        if self.session.kind == "classify":
            metric = (0.0, 1.02)
        elif bounds["metric"]:
            lo = min(min(bounds["metric"]), 0.0)
            metric = sticky_range(self._ranges.get("metric"), lo, 1.0, grow_low=0.1, grow_high=0.02)
        else:
            return
        self._set_range("metric", self.metric_plot.getViewBox(), metric)

    def _set_range(self, key: str, viewbox, new: tuple[float, float]) -> None:
        if self._ranges.get(key) == new:
            return
        self._ranges[key] = new
        if key == "x":
            viewbox.setXRange(*new, padding=0)
        else:
            viewbox.setYRange(*new, padding=0)
