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
from PySide6.QtCore import QT_TRANSLATE_NOOP, QEvent, Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QSlider, QVBoxLayout, QWidget

from dlviz.core.curves import ema, sticky_range
from dlviz.core.snapshot import Snapshot
from dlviz.ui.i18n import translate
from dlviz.ui.session import Session
from dlviz.ui.theme import plot_font
from dlviz.ui.views.base import RateLimit, StepMarker, View, unindexed

TRAIN_COLOR = "#0072B2"
TEST_COLOR = "#D55E00"
#: Curves are recomputed at most this often (the boundary gets the rest of the frame budget;
#: views.base.RateLimit keeps this average without losing frames).  20 here, when the
#: limit was timed from each draw, gave ~16 redraws a second with ~17-20 snapshots; kept
#: exactly, 20 redrew them with nearly every snapshot, and the default window's frames came
#: later (six alternating pairs of benchmarks/gui.py: p95 frame interval 17.0-20.9 ms
#: against 17.0-18.3, p99 event-loop lateness 12.1-22.8 ms against 11.4-16.0).
MAX_HZ = 16.0
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


def fractional_epochs(steps: np.ndarray, epochs: np.ndarray, steps_per_epoch: float) -> np.ndarray:
    """Each row's place in epochs (12.5: half way through the 13th pass).

    The rows where the epoch count changes are the knots (that many epochs done
    at that step); between knots the place grows with the steps, and before the
    first and after the last knot at ``steps_per_epoch`` steps an epoch.
    """
    steps = np.asarray(steps, np.float64)
    epochs = np.asarray(epochs, np.float64)
    if steps.size == 0:
        return steps.copy()
    knots = np.flatnonzero(np.diff(epochs) != 0) + 1
    rate = 1.0 / max(steps_per_epoch, 1e-12)
    if knots.size == 0:
        return epochs[-1] + (steps - steps[-1]) * rate
    ks, ke = steps[knots], epochs[knots]
    out = np.interp(steps, ks, ke)
    before, after = steps < ks[0], steps > ks[-1]
    out[before] = ke[0] + (steps[before] - ks[0]) * rate
    out[after] = ke[-1] + (steps[after] - ks[-1]) * rate
    return np.maximum(out, 0.0)


def _value(v: float) -> str:
    return "–" if not np.isfinite(v) else f"{v:.4g}"


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
        self._rate = RateLimit(MAX_HZ)
        self._follow = True
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

        self.epochs_box = QCheckBox(translate("LossView", "Epochs"), self)
        self.epochs_box.setObjectName("loss-epochs")
        self.epochs_box.setToolTip(
            translate(
                "LossView", "Read the curves in epochs (passes over the training points), not steps"
            )
        )
        self.epochs_box.toggled.connect(self._x_toggled)
        self._compact = False

        controls = QHBoxLayout()
        controls.setContentsMargins(6, 2, 6, 2)
        controls.addWidget(self.log_box)
        controls.addWidget(self.epochs_box)
        controls.addSpacing(8)
        controls.addWidget(QLabel(translate("LossView", "Smoothing"), self))
        controls.addWidget(self.smooth_slider, 1)
        controls.addWidget(self.smooth_label)
        controls.addWidget(self.follow_box)

        with self.owning_new_menus():
            self.graphics = unindexed(pg.GraphicsLayoutWidget())
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
        # the hover read-out: step, epoch and the values under the pointer
        self.readout = pg.TextItem(anchor=(0.0, 0.0))
        self.readout.setParentItem(self.loss_plot.getViewBox())
        self.readout.setPos(8, 4)
        self.readout.setZValue(30)
        self.hover_line = pg.InfiniteLine(angle=90, movable=False)
        self.hover_line.setZValue(25)
        self.loss_plot.addItem(self.hover_line, ignoreBounds=True)
        self.hover_line.hide()
        self.graphics.scene().sigMouseMoved.connect(self._hovered)
        self.graphics.viewport().installEventFilter(self)
        self._xs = np.empty(0)
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

    def set_compact(self, on: bool) -> None:
        """Presentation mode: the loss plot alone, tall enough to read from the back
        (the accuracy is in the status bar)."""
        self.metric_plot.setVisible(not on)
        self.loss_plot.getAxis("bottom").setStyle(showValues=on)
        style = {
            "color": self.session.theme.plot_foreground,
            "font-size": f"{self.session.scale.font_pt}pt",
        }
        self.loss_plot.setLabel("bottom", self.x_label() if on else "", **style)
        self.loss_plot.showAxis("bottom")
        self._compact = on

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
            self.style_axes(plot)
            plot.setLabel("left", ylabel, **style)
        self.metric_plot.setLabel("bottom", self.x_label(), **style)
        if self._compact:
            self.loss_plot.setLabel("bottom", self.x_label(), **style)
        self.readout.setColor(theme.plot_foreground)
        self.readout.fill = pg.mkBrush(theme.plot_background)
        self.readout.setFont(font)
        self.hover_line.setPen(pg.mkPen(theme.muted, width=1))
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

    def x_label(self) -> str:
        if self.epochs_box.isChecked():
            return translate("LossView", "epoch (passes over the training points)")
        return translate("LossView", "step (mini-batches)")

    def in_epochs(self) -> bool:
        return self.epochs_box.isChecked()

    def _x_toggled(self, on: bool) -> None:
        self._ranges.clear()
        self.apply_theme()

    def _steps_per_epoch(self) -> float:
        """Steps per epoch of the newest snapshot (its batches), for rows between knots."""
        snap = self.session.latest
        n_train = int(np.count_nonzero(~self.session.dataset.is_test))
        if snap is None or snap.samples <= 0 or n_train <= 0:
            return 1.0
        return max(snap.step * n_train / snap.samples, 1.0)

    def x_values(self) -> np.ndarray:
        """The rows' places on the x axis: steps, or epochs."""
        history = self.session.history
        steps = history.column("step")
        if not self.in_epochs():
            return steps
        return fractional_epochs(steps, history.column("epoch"), self._steps_per_epoch())

    def eventFilter(self, obj, event) -> bool:  # noqa: N802  (Qt API)
        if event.type() == QEvent.Type.Leave:
            self.readout.setText("")
            self.hover_line.hide()
        return False

    def _hovered(self, scene_pos) -> None:
        """Step, epoch and values of the row nearest the pointer (TF Playground's users asked)."""
        box = self.loss_plot.getViewBox()
        if not box.sceneBoundingRect().contains(scene_pos) or self._xs.size == 0:
            self.readout.setText("")
            self.hover_line.hide()
            return
        x = box.mapSceneToView(scene_pos).x()
        k = int(np.nanargmin(np.abs(self._xs - x)))
        history = self.session.history
        steps = history.column("step")
        epochs = fractional_epochs(steps, history.column("epoch"), self._steps_per_epoch())
        train = history.column("train_loss")[k]
        test = history.column("test_loss")[k]
        text = translate(
            "LossView", "step {step}  ·  epoch {epoch}\ntrain loss {train}  ·  test loss {test}"
        )
        self.readout.setText(
            text.format(
                step=f"{int(steps[k]):,}",
                epoch=f"{epochs[k]:.1f}",
                train=_value(train),
                test=_value(test),
            )
        )
        self.hover_line.setPos(float(self._xs[k]))
        self.hover_line.show()

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
        if self.in_epochs() and self.marker.step is not None:
            steps = self.session.history.column("step")
            x = np.interp(self.marker.step, steps, self.x_values()) if steps.size else 0.0
            for line in self.marker.lines:
                line.setPos(float(x))
        self._draw()

    def showEvent(self, event) -> None:  # noqa: N802
        self._rate.release()  # catch up at once, whatever the rate limit says
        super().showEvent(event)

    def _draw(self, force: bool = False) -> None:
        history = self.session.history
        now = time.perf_counter()
        throttled = not self._rate.ready(now)
        if not force and (history.version == self._version or throttled):
            if history.version != self._version:
                self.invalidate()  # come back next frame for the rows skipped now
            return
        if force:
            self._ranges.clear()
        self._version = history.version
        self._rate.drew(now)
        self.redraws += 1
        steps = self.x_values()
        self._xs = steps
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
