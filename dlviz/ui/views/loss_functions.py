"""MSE, BCE and cross-entropy against the prediction, for a chosen target, with the
training points placed on the curve of the loss the network trains with.

Classification: the x axis is the probability the network gives the chosen
class (for one sigmoid output and class 0, that is 1 − a); a point of that
class sits at its prediction, on the height of its loss.  With two classes
BCE and cross-entropy are the same curve, −log p.  Regression: the x axis is
the error a − y and only MSE applies.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, QTimer
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from dlviz.core.colors import OKABE_ITO_HEX, class_hex
from dlviz.core.curves import sticky_reach
from dlviz.core.kernels.reference import predict
from dlviz.core.network import NetworkSpec, spec_features
from dlviz.core.snapshot import Snapshot
from dlviz.ui.i18n import translate
from dlviz.ui.session import Session
from dlviz.ui.views.background import BackgroundJob, JobControl
from dlviz.ui.views.base import View, unindexed

LOSS_COLORS = {"mse": "#0072B2", "bce": "#D55E00", "ce": "#CC79A7"}
LOSS_NAMES = {
    "mse": QT_TRANSLATE_NOOP("LossFunctionsView", "MSE (1 − p)²"),
    "bce": QT_TRANSLATE_NOOP("LossFunctionsView", "BCE −log p"),
    "ce": QT_TRANSLATE_NOOP("LossFunctionsView", "cross-entropy −log p"),
}
SAMPLE = 512
#: Probabilities are kept inside (ε, 1 − ε) so −log p stays on the plot.
EPS = 1e-3


class LossFunctionsView(View):
    """The three losses as curves, and the training points of one target on them."""

    name = "loss-functions"
    title = QT_TRANSLATE_NOOP("views", "Loss functions")
    short_title = QT_TRANSLATE_NOOP("views", "Losses")
    default_area = "right"

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.target = QComboBox(self)
        self.target.setObjectName("loss-functions-target")
        self.target.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.target.currentIndexChanged.connect(lambda _i: (self.invalidate(), self.refresh()))
        self.caption = QLabel(self)
        self.caption.setWordWrap(True)
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 2, 6, 2)
        bar.addWidget(QLabel(translate("LossFunctionsView", "Target"), self))
        bar.addWidget(self.target)
        bar.addWidget(self.caption, 1)
        with self.owning_new_menus():
            self.graphics = unindexed(pg.GraphicsLayoutWidget())
            self.plot = self.graphics.addPlot()
        self.graphics.setObjectName("loss-functions-plot")
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.prepare_axes(self.plot)
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.legend = self.plot.addLegend(offset=(-10, 10))
        self.curves = {name: self.plot.plot() for name in LOSS_COLORS}
        self._legend_for: bool | None = None
        self.points = pg.ScatterPlotItem()
        self.points.setZValue(5)
        self.plot.addItem(self.points)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.graphics, 1)
        self._targets_for: tuple[str, int, int] | None = None
        self._first = 1  # the number the first class is shown as
        #: What the loss curves, their pens and the axes show now: they change only with it.
        self._curves_for: tuple[object, ...] | None = None
        self._reach: float | None = None
        #: (x, loss) of the points drawn last (tests read them).
        self.drawn: tuple[np.ndarray, np.ndarray] = (np.zeros(0), np.zeros(0))
        self.job = BackgroundJob("loss-functions", reuse_thread=True)  # a job per snapshot
        self.timer = QTimer(self)
        self.timer.setInterval(30)
        self.timer.timeout.connect(self._poll)
        self._behind = False
        session.theme_changed.connect(self._restyle)
        session.dataset_changed.connect(lambda _reason: self.invalidate())
        self._restyle()

    def _restyle(self) -> None:
        theme, scale = self.session.theme, self.session.scale
        self.graphics.setBackground(theme.plot_background)
        self.style_axes(self.plot)
        self._curves_for = None
        self.legend.setLabelTextColor(theme.plot_foreground)
        self.legend.setLabelTextSize(f"{scale.font_pt}pt")
        self.plot.setLabel("left", translate("LossFunctionsView", "loss of the point"),
                           color=theme.plot_foreground,
                           size=f"{scale.font_pt}pt")  # fmt: skip
        self.invalidate()
        self.refresh()

    def _fill_targets(self, kind: str, classes: int) -> None:
        # image data's classes are named as their digits (0-9), points' from 1
        self._first = 0 if self.session.dataset.is_image else 1
        if self._targets_for == (kind, classes, self._first):
            return
        self._targets_for = (kind, classes, self._first)
        self.target.blockSignals(True)
        self.target.clear()
        if kind == "classify":
            for k in range(classes):
                self.target.addItem(
                    translate("LossFunctionsView", "class {n}").format(n=k + self._first), k
                )
            self.target.setCurrentIndex(min(1, classes - 1))
        else:
            self.target.addItem(translate("LossFunctionsView", "each point's value"), -1)
        self.target.blockSignals(False)

    def update_snapshot(self, snap: Snapshot) -> None:
        ds = self.session.dataset
        self._fill_targets(ds.kind, max(ds.n_classes, 2) if ds.kind == "classify" else 0)
        if self.job.running:  # the newest snapshot is asked for again once this one is drawn
            self._behind = True
            return
        self._behind = False
        spec, ds = snap.spec, self.session.dataset
        rows = np.flatnonzero(~ds.is_test)[:SAMPLE]
        inputs = ds.inputs[rows]
        targets = ds.targets[rows]
        params = np.asarray(snap.params)

        def work(_control: JobControl) -> tuple[NetworkSpec, np.ndarray, np.ndarray]:
            # a wide network's pass over 512 points takes a while: never on the GUI thread
            out = np.zeros((0, spec.n_outputs))
            if rows.size and inputs.shape[1] == spec.n_inputs:
                x = spec_features(spec, inputs)  # the feature map, or an image's pixels
                out = predict(spec, params, x).astype(np.float64)
            return spec, targets, out

        self.job.start(work)
        self.timer.start()

    def _poll(self) -> None:
        _partial, done = self.job.poll()
        if not done:
            return
        self.timer.stop()
        result = self.job.result()
        if result is not None:
            self._draw(*result)
        if self._behind:  # a newer snapshot came meanwhile: the next frame draws it
            self.invalidate()

    def ready(self) -> bool:
        return not self.job.running and not self._behind and not self.timer.isActive()

    def shutdown(self) -> None:
        self.timer.stop()
        self.job.stop()

    def _set_curves(self, key: tuple[object, ...]) -> bool:
        """Whether the curves must be drawn anew for ``key`` (their pens set here if so).

        Only the points move with training; the curves, pens and axis ranges
        change with the data's kind, the loss or the error's reach.
        """
        if key == self._curves_for:
            return False
        self._curves_for = key
        used, scale = key[1], self.session.scale
        for name, item in self.curves.items():
            width = scale.line_px * (1.8 if name == used else 0.9)
            style = Qt.PenStyle.SolidLine if name != "ce" else Qt.PenStyle.DashLine
            item.setPen(pg.mkPen(LOSS_COLORS[name], width=width, style=style))
        return True

    def _draw(self, spec: NetworkSpec, targets: np.ndarray, out: np.ndarray) -> None:
        ds = self.session.dataset
        classify = ds.kind == "classify"
        if classify != (spec.output != "identity"):
            return  # the data changed kind meanwhile: the next snapshot draws it
        classes = max(ds.n_classes, 2) if classify else 0
        self._fill_targets(ds.kind, classes)
        theme, scale = self.session.theme, self.session.scale
        used = spec.loss
        label = "bottom"
        style = {"color": theme.plot_foreground, "size": f"{scale.font_pt}pt"}
        if self._legend_for != classify:  # regression has one curve, and other words for it
            self._legend_for = classify
            self.legend.clear()
            if classify:
                for name, item in self.curves.items():
                    self.legend.addItem(item, translate("LossFunctionsView", LOSS_NAMES[name]))
            else:
                self.legend.addItem(
                    self.curves["mse"], translate("LossFunctionsView", "MSE (a − y)²")
                )
        if classify:
            k = int(self.target.currentData() or 0)
            if self._set_curves(("classify", used)):
                p = np.linspace(EPS, 1 - EPS, 400)
                self.curves["mse"].setData(p, (1 - p) ** 2)
                self.curves["bce"].setData(p, -np.log(p))
                self.curves["ce"].setData(p, -np.log(p))
                for name in ("bce", "ce"):
                    self.curves[name].setVisible(True)
                self.plot.setXRange(0, 1, padding=0.02)
                self.plot.setYRange(0, 4, padding=0.02)
            mine = targets == k
            if out.shape[1] == 1:
                prob = out[:, 0] if k == 1 else 1 - out[:, 0]
            else:
                prob = out[:, k] if out.shape[0] else np.zeros(0)
            prob = np.clip(prob[mine] if out.shape[0] else np.zeros(0), EPS, 1 - EPS)
            loss = (1 - prob) ** 2 if used == "mse" else -np.log(prob)
            color = class_hex(self.session.dataset.is_image)[k]
            self.points.setData(prob, loss, brush=pg.mkBrush(color),
                                pen=pg.mkPen(theme.point_outline), size=scale.point_px)  # fmt: skip
            self.drawn = (prob, loss)
            self.set_axis_label(self.plot, label, translate("LossFunctionsView",
                                "p = probability given to class {n}").format(n=k + self._first),
                                **style)  # fmt: skip
            same = (
                translate("LossFunctionsView", " (the same curve as BCE with two classes)")
                if classes == 2
                else ""
            )
            self.caption.setText(
                translate(
                    "LossFunctionsView",
                    "{n} training points of class {k} on the curve of this network's "
                    "loss ({used}); cross-entropy dashed{same}",
                ).format(n=prob.size, k=k + self._first, used=used, same=same)
            )
        else:
            err = (out[:, 0] - targets) if out.shape[0] else np.zeros(0)
            reach = sticky_reach(
                float(np.abs(err).max()) * 1.1 if err.size else 1.0,
                self._reach if self._curves_for and self._curves_for[0] == "regress" else None,
                least=1.0,
            )
            self._reach = reach
            if self._set_curves(("regress", used, reach)):
                e = np.linspace(-reach, reach, 400)
                self.curves["mse"].setData(e, e * e)
                for name in ("bce", "ce"):
                    self.curves[name].setVisible(False)
                self.plot.setXRange(-reach, reach, padding=0.02)
                self.plot.setYRange(0, reach * reach, padding=0.02)
            self.points.setData(err, err * err, brush=pg.mkBrush(OKABE_ITO_HEX[4]),
                                pen=pg.mkPen(theme.point_outline), size=scale.point_px)  # fmt: skip
            self.drawn = (err, err * err)
            self.set_axis_label(self.plot, label, translate("LossFunctionsView", "error a − y"),
                                **style)  # fmt: skip
            self.caption.setText(
                translate(
                    "LossFunctionsView",
                    "{n} training points at their error; regression trains with MSE "
                    "(BCE and cross-entropy are for classes)",
                ).format(n=err.size)
            )
