"""The optimizer race: loss and accuracy curves of several optimizers overlaid, and each
racer's decision boundary, trained from the same start on the same batches.

The racers (:mod:`dlviz.core.race`) take the current points, network, training
settings and seed, each with its own optimizer and learning rate, and train in
a background job epoch by epoch in lockstep; the view draws the newest epoch
on its timer.  A racer that diverges stops and is marked.  *Start race* runs
the checked racers (again after a change of data or network, say); opening
the view starts nothing, since a race takes the CPU from the training.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, QRectF, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from dlviz.core.colors import boundary_image, point_colors, value_limit
from dlviz.core.errors import DlvizError
from dlviz.core.optim import OPTIMIZERS, default_lr
from dlviz.core.race import OPTIMIZER_COLORS, Race
from dlviz.core.snapshot import Snapshot
from dlviz.ui.core_texts import optimizer_label
from dlviz.ui.i18n import core_line, translate
from dlviz.ui.session import Session
from dlviz.ui.views.background import BackgroundJob, JobControl
from dlviz.ui.views.base import View, unindexed
from dlviz.ui.views.boundary import swatch_icon
from dlviz.ui.views.controls import ControlStrip

#: Racers checked when the view opens: the course's comparison in three curves.
DEFAULT_RACERS = ("sgd", "momentum", "adam")
DEFAULT_EPOCHS = 60
SHORT_NAMES = {"gd": "GD", "sgd": "SGD", "momentum": "Momentum", "nesterov": "Nesterov",
               "adagrad": "AdaGrad", "rmsprop": "RMSprop", "adam": "Adam",
               "adamw": "AdamW"}  # fmt: skip
PICTURE_RES = 32


@dataclass(frozen=True)
class RacerState:
    """One racer as the GUI sees it after an epoch (copies only)."""

    optimizer: str
    label: str
    color: str
    epochs: np.ndarray
    train_loss: np.ndarray
    metric: np.ndarray  # accuracy, or R² for regression
    picture: np.ndarray | None  # (res, res, 4) uint8 boundary, or (res,) curve values
    diverged_at: int | None
    epoch: int
    params: np.ndarray  # the weights after this epoch (a copy), for the landscape's paths
    start: np.ndarray  # the shared initial weights


def racer_states(race: Race, kind: str, limit: float) -> list[RacerState]:
    """Curves per epoch and a small picture of each racer, computed in the race's thread."""
    states = []
    for racer in race.racers:
        t = racer.trainer
        hist = [h for h in t.history if h.train_loss is not None]
        epochs = np.array([h.epoch for h in hist], float)
        loss = np.array([h.train_loss for h in hist], float)
        metric = np.array(
            [np.nan if h.test_accuracy is None else h.test_accuracy for h in hist], float
        )
        if kind != "classify":  # history holds no R²: the curve view shows loss only
            metric = np.full(len(hist), np.nan)
        grid = t.decision_grid(PICTURE_RES)
        if kind == "curve":
            picture = np.asarray(grid[:, 0], np.float32).copy()
        else:
            picture = boundary_image(grid, kind, limit=limit)
        states.append(
            RacerState(
                racer.optimizer,
                f"{optimizer_label(racer.optimizer)} η={racer.lr:g}",  # racer.label, translated
                racer.color,
                epochs,
                loss,
                metric,
                picture,
                t.diverged_at,
                t.epoch,
                t.params.copy(),
                racer.path[0],
            )
        )
    return states


class RaceView(View):
    """Overlaid curves in the optimizers' colours and one small boundary per racer."""

    name = "race"
    title = QT_TRANSLATE_NOOP("views", "Optimizer race")
    short_title = QT_TRANSLATE_NOOP("views", "Race")
    default_area = "right"
    #: Points only: each racer's decision boundary over the plane.
    data_kinds = frozenset({"points"})

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.checks: dict[str, QCheckBox] = {}
        self.rates: dict[str, QDoubleSpinBox] = {}
        choose = QGridLayout()
        choose.setContentsMargins(6, 2, 6, 2)
        for i, name in enumerate(OPTIMIZERS):
            box = QCheckBox(SHORT_NAMES[name], self)
            box.setToolTip(optimizer_label(name))
            box.setObjectName(f"race-{name}")
            box.setChecked(name in DEFAULT_RACERS)
            box.setIcon(swatch_icon(OPTIMIZER_COLORS[name], ""))
            rate = QDoubleSpinBox(self)
            rate.setObjectName(f"race-lr-{name}")
            rate.setDecimals(4)
            rate.setRange(0.0001, 10.0)
            rate.setSingleStep(0.001 if name.startswith("adam") else 0.01)
            rate.setValue(default_lr(name))
            rate.setToolTip(translate("RaceView", "learning rate η of this racer"))
            row, col = divmod(i, 2)
            choose.addWidget(box, row, col * 2)
            choose.addWidget(rate, row, col * 2 + 1)
            self.checks[name], self.rates[name] = box, rate
        choose.setColumnStretch(4, 1)
        self.epochs = QSpinBox(self)
        self.epochs.setObjectName("race-epochs")
        self.epochs.setRange(1, 100_000)
        self.epochs.setValue(DEFAULT_EPOCHS)
        self.start_button = QPushButton(translate("RaceView", "Start race"), self)
        self.start_button.setObjectName("race-start")
        self.start_button.clicked.connect(self.start)
        self.stop_button = QPushButton(translate("RaceView", "Stop"), self)
        self.stop_button.clicked.connect(self.stop)
        self.status = QLabel(
            translate(
                "RaceView",
                "Check two to eight optimizers, set their rates and press Start race: they "
                "start from the same weights and see the same batches.",
            ),
            self,
        )
        self.status.setObjectName("race-status")
        self.status.setWordWrap(True)
        run = QHBoxLayout()
        run.setContentsMargins(6, 2, 6, 2)
        run.addWidget(QLabel(translate("RaceView", "Epochs"), self))
        run.addWidget(self.epochs)
        run.addWidget(self.start_button)
        run.addWidget(self.stop_button)
        run.addStretch(1)
        self.status.setContentsMargins(6, 0, 6, 2)

        with self.owning_new_menus():
            self.curves_area = unindexed(pg.GraphicsLayoutWidget())
            self.loss_plot = self.curves_area.addPlot(row=0, col=0)
            self.metric_plot = self.curves_area.addPlot(row=1, col=0)
            self.pictures_area = unindexed(pg.GraphicsLayoutWidget())
        self.curves_area.setObjectName("race-curves")
        self.pictures_area.setObjectName("race-pictures")
        self.metric_plot.setXLink(self.loss_plot)
        for plot in (self.loss_plot, self.metric_plot):
            plot.hideButtons()
            plot.setMenuEnabled(False)
            self.prepare_axes(plot)
            plot.showGrid(x=True, y=True, alpha=0.25)
        self.legend = self.loss_plot.addLegend(offset=(-10, 10))
        split = QSplitter(self)
        split.addWidget(self.curves_area)
        split.addWidget(self.pictures_area)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(ControlStrip(self, choose, run))
        layout.addWidget(self.status)
        layout.addWidget(split, 1)

        self.job = BackgroundJob("race")
        self.states: list[RacerState] = []
        self._lines: list[tuple[pg.PlotDataItem, pg.PlotDataItem]] = []
        self._pictures: list[tuple[pg.PlotItem, pg.ImageItem, pg.PlotDataItem]] = []
        self._started = False
        self._kind = "classify"
        self.timer = QTimer(self)
        self.timer.setInterval(100)
        self.timer.timeout.connect(self._poll)
        session.theme_changed.connect(self._restyle)
        self._restyle()

    # ------------------------------------------------------------ running

    def entries(self) -> list[tuple[str, float]]:
        return [(n, self.rates[n].value()) for n in OPTIMIZERS if self.checks[n].isChecked()]

    def start(self) -> None:
        """A new race of the checked racers on the current points, network and settings."""
        snap = self.session.latest
        if snap is None:
            return
        entries = self.entries()
        if len(entries) < 2:
            self.status.setText(translate("RaceView", "Check at least two optimizers to race."))
            return
        self._started = True
        dataset = self.session.dataset.copy()
        config, seed = self.session.training_settings()
        spec, epochs = snap.spec, self.epochs.value()
        kind = self._kind = dataset.kind
        limit = value_limit(dataset.targets) if kind != "classify" else 1.0

        def work(control: JobControl) -> None:
            race = Race.build(dataset, spec, config, entries, seed=seed,
                              normalise=bool(spec.input_shift))  # fmt: skip
            while race.running and race.epoch < epochs and not control.cancelled():
                race.step_epoch()
                control.publish(racer_states(race, kind, limit))
                control.progress(race.epoch, epochs)

        self._build(len(entries))
        self.session.race_paths = []
        self.session.race_changed.emit()
        self.status.setText(translate("RaceView", "racing…"))
        self.job.start(work)
        self.timer.start()

    def stop(self) -> None:
        self.job.stop()
        self.timer.stop()
        self._poll()

    def ready(self) -> bool:
        """No race is running, or the last one has finished and its last epoch is drawn."""
        return not self.job.running and not self.timer.isActive()

    def shutdown(self) -> None:
        self.timer.stop()
        self.job.stop()

    def _poll(self) -> None:
        try:
            states, done = self.job.poll()
        except DlvizError as exc:
            self.status.setText(core_line(str(exc)))
            self.timer.stop()
            return
        if states is not None:
            self.states = states
            self._draw()
            self._follow_paths(states)
        epoch, total = self.job.progress()
        gone = [s.label for s in self.states if s.diverged_at is not None]
        text = translate("RaceView", "epoch {epoch} of {total}").format(epoch=epoch, total=total)
        if done:
            text += translate("RaceView", ", done")
        if gone:
            text += translate("RaceView", "; diverged: ") + ", ".join(gone)
        self.status.setText(text + translate("RaceView", " · same start, same batches"))
        if done:
            self.timer.stop()

    def _follow_paths(self, states: list[RacerState]) -> None:
        """Hand the racers' walks to the landscape (one point per epoch, the start first)."""
        paths = self.session.race_paths
        if len(paths) != len(states) or any(
            p[0] != s.label for p, s in zip(paths, states, strict=True)
        ):
            paths = [(s.label, s.color, [s.start]) for s in states]
        for (_label, _color, walk), state in zip(paths, states, strict=True):
            if len(walk) <= state.epoch and not np.array_equal(walk[-1], state.params):
                walk.append(state.params)
        self.session.race_paths = paths
        self.session.race_changed.emit()

    # ------------------------------------------------------------ drawing

    def _restyle(self) -> None:
        theme, scale = self.session.theme, self.session.scale
        style = {"color": theme.plot_foreground, "size": f"{scale.font_pt}pt"}
        for area in (self.curves_area, self.pictures_area):
            area.setBackground(theme.plot_background)
        for plot in (self.loss_plot, self.metric_plot):
            self.style_axes(plot)
        self.loss_plot.setLabel("left", translate("RaceView", "training loss"), **style)
        self.metric_plot.setLabel("left", translate("RaceView", "test accuracy"), **style)
        self.metric_plot.setLabel("bottom", translate("RaceView", "epoch"), **style)
        self.legend.setLabelTextColor(theme.plot_foreground)
        self.legend.setLabelTextSize(f"{scale.font_pt}pt")
        if self.states:
            self._draw()

    def _build(self, n: int) -> None:
        for loss, metric in self._lines:
            self.loss_plot.removeItem(loss)
            self.metric_plot.removeItem(metric)
        self.legend.clear()
        self._lines = []
        for _ in range(n):
            self._lines.append((self.loss_plot.plot(), self.metric_plot.plot()))
        self.pictures_area.clear()
        self._pictures = []
        self._points: list[pg.ScatterPlotItem] = []
        ds = self.session.dataset
        train = ~ds.is_test
        limit = value_limit(ds.targets) if ds.kind != "classify" else 1.0
        colours = None
        if ds.kind != "curve":
            kind = "classify" if ds.kind == "classify" else "regress"
            colours = point_colors(ds.targets[train], kind, limit=limit)
        for i in range(n):
            with self.owning_new_menus():
                plot = self.pictures_area.addPlot(row=i // 2, col=i % 2)
            plot.hideAxis("left")
            plot.hideAxis("bottom")
            plot.hideButtons()
            plot.setMenuEnabled(False)
            plot.setMouseEnabled(x=False, y=False)
            image = pg.ImageItem()
            plot.addItem(image)
            line = plot.plot()
            points = pg.ScatterPlotItem(size=4, pen=pg.mkPen(None))
            points.setZValue(5)
            plot.addItem(points)
            self._pictures.append((plot, image, line))
            self._points.append(points)
            pts = ds.points[train]
            if colours is None:
                points.setData(pts[:, 0], pts[:, 1], brush=pg.mkBrush(120, 120, 120))
            else:
                points.setData(pts[:, 0], pts[:, 1], brush=[pg.mkBrush(*c) for c in colours])
        self.states = []

    def _draw(self) -> None:
        scale = self.session.scale
        if len(self.states) != len(self._lines):
            return
        self.legend.clear()
        ds = self.session.dataset
        xmin, xmax, ymin, ymax = ds.bounds
        for state, (loss, metric), (plot, image, line) in zip(
            self.states, self._lines, self._pictures, strict=True
        ):
            pen = pg.mkPen(state.color, width=scale.line_px)
            loss.setPen(pen)
            metric.setPen(pen)
            loss.setData(state.epochs, state.train_loss)
            metric.setData(state.epochs, state.metric)
            label = state.label
            if state.diverged_at is not None:
                label += translate("RaceView", " (diverged at step {step})").format(
                    step=state.diverged_at
                )
            self.legend.addItem(loss, label)
            if state.picture is None:
                continue
            if state.picture.ndim == 3:
                rect = QRectF(xmin, ymin, xmax - xmin, ymax - ymin)
                image.setImage(np.transpose(state.picture, (1, 0, 2)), rect=rect)
                line.setData([], [])
            else:
                xs = np.linspace(xmin, xmax, state.picture.size)
                image.clear()
                line.setData(xs, state.picture, pen=pen)
            plot.setXRange(xmin, xmax, padding=0)
            plot.setYRange(ymin, ymax, padding=0)
            title = translate("RaceView", "{name} · epoch {epoch}").format(
                name=SHORT_NAMES[state.optimizer], epoch=state.epoch
            )
            plot.setTitle(title, color=state.color, size=f"{scale.font_pt}pt")
        self.loss_plot.enableAutoRange()
        self.metric_plot.enableAutoRange()
        self.metric_plot.setVisible(self._kind == "classify")

    def prepare_screenshot(self) -> None:
        self.start()

    def update_snapshot(self, snap: Snapshot) -> None:
        """Nothing: a race takes the CPU from the training, so it starts when asked."""
