"""The loss landscape around the current weights, as a contour map, with the training path.

The grid of losses is computed in core (:mod:`dlviz.core.landscape`, Numba)
in a background thread, with progress, when the view is first shown and
when *Recompute here* is pressed; meanwhile and afterwards the run's weights
are projected onto the plane and drawn as a path that grows live.  A model
with two parameters (1-D linear regression) shows its whole (w, b) surface,
the least-squares minimum marked; any other model a plane through the
current weights along two filter-normalised random directions, or along the
two principal directions of the path walked so far.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, QRectF, QTimer
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from dlviz.core.errors import DlvizError
from dlviz.core.features import compute_features
from dlviz.core.landscape import Landscape, Slice, compute_landscape, least_squares, path_slice
from dlviz.core.network import NetworkSpec
from dlviz.core.snapshot import Snapshot
from dlviz.core.trainer import encode_targets
from dlviz.ui.i18n import core_line, translate
from dlviz.ui.session import Session
from dlviz.ui.views.background import BackgroundJob, JobControl
from dlviz.ui.views.base import View, unindexed
from dlviz.ui.views.controls import ControlStrip

#: 31² forward passes over at most 512 points: a few seconds of one core for a 2-64-64-64-3
#: network, the picture's cost while training goes on beside it.
RES = 31
#: Training points the loss is measured on (the first ones, for large data sets).
SAMPLE = 512
PATH_COLOR = "#D55E00"
LEVELS = 12


class LandscapeView(View):
    """Contour map of the training loss on a 2-D slice, and the run's path across it."""

    name = "landscape"
    title = QT_TRANSLATE_NOOP("views", "Loss landscape")
    short_title = QT_TRANSLATE_NOOP("views", "Landscape")
    default_area = "right"
    #: Points only: the loss over the whole training set at each grid cell's weights
    #: (over MNIST, minutes of work for one picture).
    data_kinds = frozenset({"points"})

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.directions = QComboBox(self)
        self.directions.setObjectName("landscape-directions")
        self.directions.addItem(
            translate("LandscapeView", "random directions (filter-normalised)"), "random"
        )
        self.directions.addItem(
            translate("LandscapeView", "principal directions of the path"), "path"
        )
        self.directions.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.directions.setMinimumContentsLength(14)
        self.recompute = QPushButton(translate("LandscapeView", "Recompute here"), self)
        self.recompute.setObjectName("landscape-recompute")
        self.recompute.setToolTip(
            translate("LandscapeView", "A new slice through the current weights")
        )
        self.recompute.clicked.connect(self.compute)
        self.status = QLabel(self)
        self.status.setObjectName("landscape-status")
        self.status.setWordWrap(True)
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 2, 6, 2)
        bar.addWidget(self.directions, 1)
        bar.addWidget(self.recompute)
        self.status.setContentsMargins(6, 0, 6, 2)
        with self.owning_new_menus():
            self.graphics = unindexed(pg.GraphicsLayoutWidget())
            self.plot = self.graphics.addPlot()
        self.graphics.setObjectName("landscape-plot")
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        self.prepare_axes(self.plot)
        self.plot.setAspectLocked(False)
        self.image = pg.ImageItem()
        self.plot.addItem(self.image)
        self.isocurves: list[pg.IsocurveItem] = []
        self.path = self.plot.plot(symbol=None)
        self.path.setZValue(10)
        self.head = pg.ScatterPlotItem(size=12, symbol="o")
        self.head.setZValue(11)
        self.plot.addItem(self.head)
        self.bottom = pg.ScatterPlotItem(size=16, symbol="star")
        self.bottom.setZValue(12)
        self.plot.addItem(self.bottom)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(ControlStrip(self, bar))
        layout.addWidget(self.status)
        layout.addWidget(self.graphics, 1)

        self.job = BackgroundJob("landscape")
        self.landscape: Landscape | None = None
        self._minimum: np.ndarray | None = None
        self._sizes: tuple[int, ...] = ()
        self._path: list[tuple[int, float, float]] = []  # (step, α, β)
        self.timer = QTimer(self)
        self.timer.setInterval(100)
        self.timer.timeout.connect(self._poll)
        self.racer_paths: list[pg.PlotDataItem] = []
        session.theme_changed.connect(self._restyle)
        session.dataset_changed.connect(self._data_changed)
        session.race_changed.connect(self._draw_racers)
        self._restyle()

    # ------------------------------------------------------------ appearance

    def _restyle(self) -> None:
        theme, scale = self.session.theme, self.session.scale
        self.graphics.setBackground(theme.plot_background)
        self.style_axes(self.plot)
        self.path.setPen(pg.mkPen(PATH_COLOR, width=scale.line_px))
        self.head.setBrush(pg.mkBrush(PATH_COLOR))
        self.head.setPen(pg.mkPen(theme.point_outline))
        self.bottom.setBrush(pg.mkBrush("#F0E442"))
        self.bottom.setPen(pg.mkPen(theme.point_outline))
        self._label_axes()

    def _label_axes(self) -> None:
        theme, scale = self.session.theme, self.session.scale
        names = self.landscape.plane.axis_names if self.landscape else ("α", "β")
        style = {"color": theme.plot_foreground, "size": f"{scale.font_pt}pt"}
        # the core's names ("w", "b", "direction 1"...), translated where they are words
        self.plot.setLabel("bottom", translate("landscape", names[0]), **style)
        self.plot.setLabel("left", translate("landscape", names[1]), **style)

    # ------------------------------------------------------------ computing

    def ready(self) -> bool:
        return self.landscape is not None and not self.job.running

    def shutdown(self) -> None:
        self.timer.stop()
        self.job.stop()

    def _data_changed(self, reason: str) -> None:
        if reason == "new":
            self._sizes = ()  # recompute on the next snapshot shown
        self.invalidate()

    def _training_rows(self, snap: Snapshot) -> tuple[np.ndarray, np.ndarray]:
        ds, spec = self.session.dataset, snap.spec
        rows = np.flatnonzero(~ds.is_test)[:SAMPLE]
        shift = np.array(spec.input_shift, np.float32) if spec.input_shift else None
        scale = np.array(spec.input_scale, np.float32) if spec.input_scale else None
        x = compute_features(ds.inputs[rows].astype(np.float32), spec.features, shift, scale)
        return x, encode_targets(ds, spec)[rows]

    def _snapshots(self) -> list[Snapshot]:
        """The run so far as the timeline keeps it, and the newest snapshot."""
        snaps = list(self.session.past())
        latest = self.session.latest
        if latest is not None and (not snaps or snaps[-1] is not latest):
            snaps.append(latest)
        return [s for s in snaps if s.spec.sizes == (latest.spec.sizes if latest else ())]

    def compute(self) -> None:
        """A new slice through the newest weights, computed off the GUI thread."""
        snap = self.session.latest
        if snap is None:
            return
        try:
            x, y = self._training_rows(snap)
        except DlvizError as exc:
            self.status.setText(str(exc))
            return
        spec, params = snap.spec, np.asarray(snap.params).copy()
        plane: Slice | None = None
        if self.directions.currentData() == "path" and params.size != 2:
            walks = [[np.asarray(s.params) for s in self._snapshots()], *self._racer_walks(spec)]
            try:
                plane = path_slice([w for w in walks if w])
            except DlvizError as exc:
                self.status.setText(
                    translate("LandscapeView", "{error}: using random directions").format(
                        error=core_line(str(exc))
                    )
                )
        self._sizes = spec.sizes
        self.landscape = None
        self._path = []
        self.status.setText(translate("LandscapeView", "computing the landscape…"))

        def work(control: JobControl) -> Landscape | None:
            return compute_landscape(spec, params, x, y, plane=plane, res=RES, seed=1,
                                     progress=control.progress,
                                     cancelled=control.cancelled)  # fmt: skip

        self._minimum = least_squares(spec, x, y)
        self.job.start(work)
        self.timer.start()

    def _poll(self) -> None:
        try:
            _partial, done = self.job.poll()
        except DlvizError as exc:
            self.status.setText(str(exc))
            self.timer.stop()
            return
        if not done:
            rows, total = self.job.progress()
            self.status.setText(
                translate("LandscapeView", "computing the landscape… {rows}/{total} rows").format(
                    rows=rows, total=total
                )
            )
            return
        self.timer.stop()
        land = self.job.result()
        if land is None:
            return
        self.landscape = land
        self._draw_map(land)
        for snap in self._snapshots():
            self._add_to_path(snap)
        self._draw_path()
        self._draw_racers()

    # ------------------------------------------------------------ drawing

    def _draw_map(self, land: Landscape) -> None:
        a, b = land.alphas, land.betas
        # log of the loss: a bowl's floor and walls both keep their contours
        shown = np.log10(np.maximum(land.losses, 1e-12)).T  # ImageItem's first axis is x
        lo, hi = float(np.nanmin(shown)), float(np.nanmax(shown))
        # grid points are the pixels' centres: the picture reaches half a cell beyond them
        da, db = a[1] - a[0], b[1] - b[0]
        rect = QRectF(a[0] - da / 2, b[0] - db / 2, a[-1] - a[0] + da, b[-1] - b[0] + db)
        self.image.setImage(shown, levels=(lo, hi), rect=rect)
        self.image.setColorMap(pg.colormap.get("viridis"))
        for item in self.isocurves:
            self.plot.removeItem(item)
        self.isocurves = []
        pen = pg.mkPen(self.session.theme.plot_background, width=1)
        for level in np.linspace(lo, hi, LEVELS + 2)[1:-1]:
            iso = pg.IsocurveItem(data=shown, level=float(level), pen=pen)
            iso.setParentItem(self.image)  # in the image's coordinates, scaled with it
            self.isocurves.append(iso)
        self.plot.setXRange(a[0] - da / 2, a[-1] + da / 2, padding=0)
        self.plot.setYRange(b[0] - db / 2, b[-1] + db / 2, padding=0)
        if self._minimum is not None:
            self.bottom.setData([float(self._minimum[0])], [float(self._minimum[1])])
        else:
            self.bottom.setData([], [])
        kind = (
            translate("LandscapeView", "exact (w, b) surface")
            if land.plane.exact
            else translate("LandscapeView", "2-D slice")
        )
        star = translate("LandscapeView", ", ★ least squares") if self._minimum is not None else ""
        self.status.setText(
            translate(
                "LandscapeView",
                "{kind}: training loss {low} to {high}, colours on a log scale; "
                "path of the run in orange{star}",
            ).format(kind=kind, low=f"{10**lo:.3g}", high=f"{10**hi:.3g}", star=star)
        )
        self.directions.setEnabled(not land.plane.exact)  # two parameters: one plane only
        self._label_axes()

    def _add_to_path(self, snap: Snapshot) -> None:
        land = self.landscape
        if land is None or snap.spec.sizes != self._sizes:
            return
        if self._path and self._path[-1][0] >= snap.step:
            self._path = [p for p in self._path if p[0] < snap.step]  # rewound
        alpha, beta = land.plane.coords(np.asarray(snap.params))
        self._path.append((snap.step, alpha, beta))

    def _draw_path(self) -> None:
        if not self._path:
            self.path.setData([], [])
            self.head.setData([], [])
            return
        pts = np.array([(a, b) for _, a, b in self._path])
        self.path.setData(pts[:, 0], pts[:, 1])
        self.head.setData([pts[-1, 0]], [pts[-1, 1]])

    def _racer_walks(self, spec: NetworkSpec) -> list[list[np.ndarray]]:
        size = sum(a * b + b for a, b in zip(spec.sizes[:-1], spec.sizes[1:], strict=True))
        return [walk for _l, _c, walk in self.session.race_paths if walk[0].size == size]

    def _draw_racers(self) -> None:
        """The race's walks on the map, in the optimizers' colours (same network only)."""
        land = self.landscape
        paths = self.session.race_paths if land is not None else []
        size = land.plane.centre.size if land is not None else -1
        paths = [p for p in paths if p[2][0].size == size]
        while len(self.racer_paths) < len(paths):
            item = self.plot.plot()
            item.setZValue(9)
            self.racer_paths.append(item)
        for i, item in enumerate(self.racer_paths):
            if i >= len(paths) or land is None:
                item.setData([], [])
                continue
            _label, color, walk = paths[i]
            pts = np.array([land.plane.coords(p) for p in walk])
            pen = pg.mkPen(color, width=self.session.scale.line_px)
            item.setData(pts[:, 0], pts[:, 1], pen=pen, symbol="o", symbolSize=4,
                         symbolBrush=color, symbolPen=None)  # fmt: skip

    def update_snapshot(self, snap: Snapshot) -> None:
        if snap.spec.sizes != self._sizes:
            self.compute()
            return
        if self.landscape is not None:
            self._add_to_path(snap)
            self._draw_path()
