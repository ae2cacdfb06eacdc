"""The hidden-layer space (ConvNetJS style): the data seen through two neurons of a layer.

Each data point is placed at the outputs of the two chosen neurons (class
colours; training points filled, test points as rings, as on the canvas), and
a grid of lines over the input plane is pushed through the same neurons: the
mesh shows how the network bends and folds the plane until the classes can be
cut apart by a straight line.  The numbers come with the snapshot
(:attr:`dlviz.core.snapshot.Snapshot.hidden`, computed by
:func:`dlviz.core.analysis.hidden_space`), asked for through :meth:`extras`
only while the view is shown.

Neurons are numbered from 1 here, as a student counts them; the snapshot
request uses 0-based indices.  Regression data colour the points by their
target value; for a 1-D curve the input line becomes one curve in the plane.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from dlviz.core.colors import point_colors
from dlviz.core.network import LayerSpec
from dlviz.core.snapshot import HiddenSpace, Snapshot
from dlviz.ui.i18n import translate
from dlviz.ui.session import Session
from dlviz.ui.theme import Scale
from dlviz.ui.views.base import View, unindexed
from dlviz.ui.views.boundary import CURVE_COLOR, _brushes, _pens

NO_HIDDEN = QT_TRANSLATE_NOOP(
    "HiddenView",
    "This network has no hidden layer.\n\n"
    "Add a hidden layer (Network panel, or Ctrl+L) to see how it moves "
    "the data around before the output layer draws its line.",
)
PAD = 0.06


def layer_label(index: int, layer: LayerSpec) -> str:
    return translate("HiddenView", "Layer {index} ({activation}, {width})").format(
        index=index, activation=layer.activation, width=layer.width
    )


class HiddenSpaceView(View):
    """Data points and the input plane's grid mapped into two neurons' outputs."""

    name = "hidden-space"
    title = QT_TRANSLATE_NOOP("views", "Hidden space")
    short_title = QT_TRANSLATE_NOOP("views", "Hidden space")
    default_area = "right"
    #: Points only: the input plane's grid bent through two neurons; images have no plane.
    data_kinds = frozenset({"points"})

    #: Emitted after a new hidden space was drawn (for tests).
    drawn = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self._layers: tuple[LayerSpec, ...] | None = None
        self._space: HiddenSpace | None = None
        self._range: tuple[float, float, float, float] | None = None
        self._style: tuple[int, int, bool] | None = None  # what the points were styled for

        controls = QWidget(self)
        row = QGridLayout(controls)
        row.setContentsMargins(6, 4, 6, 2)
        row.setColumnStretch(3, 1)
        self.layer_combo = QComboBox(controls)
        self.layer_combo.setObjectName("hidden-layer")
        self.layer_combo.setToolTip(translate("HiddenView", "Which hidden layer's space to show"))
        self.layer_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.layer_combo.setMinimumContentsLength(8)  # "Layer 2 (tanh, 16)" elides in large type
        self.neuron_x = QSpinBox(controls)
        self.neuron_x.setObjectName("hidden-neuron-x")
        self.neuron_x.setToolTip(
            translate("HiddenView", "The neuron whose output is the horizontal axis")
        )
        self.neuron_y = QSpinBox(controls)
        self.neuron_y.setObjectName("hidden-neuron-y")
        self.neuron_y.setToolTip(
            translate("HiddenView", "The neuron whose output is the vertical axis")
        )
        for box in (self.neuron_x, self.neuron_y):
            box.setRange(1, 1)
            box.valueChanged.connect(self._choice_changed)
        self.layer_combo.currentIndexChanged.connect(self._layer_changed)
        row.addWidget(QLabel(translate("HiddenView", "Layer:"), controls), 0, 0)
        row.addWidget(self.layer_combo, 0, 1)
        # the neuron choice is its own group: in large type it takes a second line
        # (apply_theme), so the view, and the dock column it shares, stay narrow
        neurons = QWidget(controls)
        pair = QHBoxLayout(neurons)
        pair.setContentsMargins(6, 0, 0, 0)
        pair.addWidget(QLabel(translate("HiddenView", "Neuron →"), neurons))
        pair.addWidget(self.neuron_x)
        pair.addWidget(QLabel("↑", neurons))
        pair.addWidget(self.neuron_y)
        self._neuron_group = neurons
        self._controls = row
        self.caption = QLabel(
            translate(
                "HiddenView",
                "Each dot is a data point placed by what the two neurons output; "
                "the mesh is the input plane's grid, bent by the network.",
            ),
            self,
        )
        self.caption.setWordWrap(True)
        self.caption.setContentsMargins(8, 0, 8, 2)

        with self.owning_new_menus():
            self.plot = unindexed(pg.PlotWidget())
        self.plot.setObjectName("hidden-plot")
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        self.plot.setMinimumSize(220, 220)
        self.plot.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.viewbox = self.plot.getPlotItem().getViewBox()
        self.viewbox.disableAutoRange()
        self.prepare_axes(self.plot.getPlotItem())
        # horizontal and vertical lines of the input plane, each one curve broken between lines
        self.rows_curve = pg.PlotCurveItem(connect="finite")
        self.cols_curve = pg.PlotCurveItem(connect="finite")
        self.train_points = pg.ScatterPlotItem(pxMode=True, symbol="o")
        self.test_points = pg.ScatterPlotItem(pxMode=True, symbol="o")
        for z, item in enumerate(
            (self.rows_curve, self.cols_curve, self.train_points, self.test_points)
        ):
            item.setZValue(z)
            self.plot.addItem(item)

        plot_page = QWidget(self)
        page = QVBoxLayout(plot_page)
        page.setContentsMargins(0, 0, 0, 0)
        page.setSpacing(0)
        page.addWidget(controls)
        page.addWidget(self.caption)
        page.addWidget(self.plot, 1)

        self.page_or_message(plot_page, "hidden-message", translate("HiddenView", NO_HIDDEN))

        session.dataset_changed.connect(self._dataset_changed)
        session.options_changed.connect(self._redraw)
        session.theme_changed.connect(self.apply_theme)
        self.apply_theme()

    # ------------------------------------------------------------ what to ask for

    def choice(self) -> tuple[int, int, int] | None:
        """(layer, neuron i, neuron j) as the snapshot wants it (layer from 1, neurons from 0)."""
        if not self._layers:
            return None
        layer = self.layer_combo.currentIndex() + 1
        return layer, self.neuron_x.value() - 1, self.neuron_y.value() - 1

    def extras(self) -> dict[str, Any]:
        choice = self.choice()
        return {} if choice is None else {"hidden": choice}

    def showing_message(self) -> bool:
        return self.pages.currentIndex() == 1

    def _sync_layers(self, layers: tuple[LayerSpec, ...]) -> None:
        """Fill the layer combo for this network, keeping the choice where it still fits."""
        if layers == self._layers:
            return
        old = self.choice()
        self._layers = layers
        self.pages.setCurrentIndex(0 if layers else 1)
        combo = self.layer_combo
        combo.blockSignals(True)
        combo.clear()
        for i, layer in enumerate(layers, start=1):
            combo.addItem(layer_label(i, layer))
        # start on the last hidden layer: the one the output layer has to separate
        index = old[0] - 1 if old is not None and old[0] <= len(layers) else len(layers) - 1
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)
        if layers:
            self._set_neuron_ranges(keep=old)

    def _set_neuron_ranges(self, keep: tuple[int, int, int] | None = None) -> None:
        assert self._layers
        width = self._layers[self.layer_combo.currentIndex()].width
        wanted = (keep[1] + 1, keep[2] + 1) if keep is not None else (1, 2)
        for box, value in zip((self.neuron_x, self.neuron_y), wanted, strict=True):
            box.blockSignals(True)
            box.setRange(1, width)
            box.setValue(min(value, width))
            box.blockSignals(False)

    def _layer_changed(self, index: int) -> None:
        if self._layers and index >= 0:
            self._set_neuron_ranges()
            self._choice_changed()

    def _choice_changed(self) -> None:
        # the worker sends a snapshot with the new pair at once; until it comes, keep the old one
        self.invalidate()

    # ------------------------------------------------------------ drawing

    def apply_theme(self) -> None:
        theme, scale = self.session.theme, self.session.scale
        self._controls.removeWidget(self._neuron_group)
        if scale.font_pt > Scale().font_pt:
            self._controls.addWidget(self._neuron_group, 1, 0, 1, 4)
        else:
            self._controls.addWidget(self._neuron_group, 0, 2)
        self.plot.setBackground(theme.plot_background)
        self.style_axes(self.plot.getPlotItem())
        mesh = QColor(theme.muted)
        mesh.setAlpha(210)
        self._mesh_pen = pg.mkPen(mesh, width=max(1.2, scale.line_px * 0.7))
        self._line_pen = pg.mkPen(CURVE_COLOR, width=scale.line_px * 1.5)
        self.rows_curve.setPen(self._mesh_pen)
        self.cols_curve.setPen(self._mesh_pen)
        big = QFont(self.font())
        big.setPointSizeF(scale.font_pt * 1.4)
        self.message.setFont(big)
        self._set_axis_labels()
        self._redraw()

    def _set_axis_labels(self) -> None:
        style = {
            "color": self.session.theme.plot_foreground,
            "font-size": f"{self.session.scale.font_pt}pt",
        }
        space = self._space
        if space is None:
            bottom = left = translate("HiddenView", "neuron output")
        else:
            i, j = space.neurons
            template = translate("HiddenView", "neuron {n} of layer {layer}")
            bottom = template.format(n=i + 1, layer=space.layer)
            left = template.format(n=j + 1, layer=space.layer)
        # every frame sets them: only a change re-lays out the plot
        self.set_axis_label(self.plot.getPlotItem(), "bottom", bottom, **style)
        self.set_axis_label(self.plot.getPlotItem(), "left", left, **style)

    def _dataset_changed(self, reason: str) -> None:
        self._redraw()

    def _redraw(self) -> None:
        if not self.fits_data():
            return
        self._style = None
        if self._space is None:
            return
        if self.is_active():
            self._draw(self._space)
        else:
            self.invalidate()  # a closed view does no work: it redraws when shown

    def update_snapshot(self, snap: Snapshot) -> None:
        self._sync_layers(snap.spec.hidden)
        if not snap.spec.hidden or snap.hidden is None:
            # a slice without extras (full speed): keep the last picture, restyled if the
            # data or options changed while the view was closed
            if self._style is None and self._space is not None:
                self._draw(self._space)
            return
        space = snap.hidden
        if space.layer > len(snap.spec.hidden):
            return
        self._space = space
        self._draw(space)
        self.drawn.emit()

    def _draw(self, space: HiddenSpace) -> None:
        s = self.session
        ds = s.dataset
        lines = np.asarray(space.grid_lines, np.float64)
        if ds.kind == "curve":
            # the input is a line: all "horizontal" lines are that same line; draw it once
            self.rows_curve.setData(*_polylines(lines[:1]))
            self.cols_curve.setData([], [])
        else:
            half = lines.shape[0] // 2
            self.rows_curve.setData(*_polylines(lines[:half]))
            self.cols_curve.setData(*_polylines(lines[half:]))
        points = np.asarray(space.points, np.float64)
        if points.shape[0] != ds.n:
            points = np.empty((0, 2))  # the points were edited since: wait for the next one
        test = np.asarray(ds.is_test, bool) if points.shape[0] else np.zeros(0, bool)
        train = ~test
        show_test = s.options.show_test and bool(test.any())
        # Colours change only with the data, theme or options, but the positions with
        # every snapshot: styling 4096 points costs ~15 ms, moving them well under 1 ms.
        style = (id(ds), points.shape[0], show_test)
        if style != self._style:  # (data, theme and option changes also reset it: _redraw)
            self._style = style
            self._style_points(points, train, test, show_test)
        else:
            _move(self.train_points, points[train])
            if show_test:
                _move(self.test_points, points[test])
        self.rows_curve.setPen(self._line_pen if ds.kind == "curve" else self._mesh_pen)
        self._set_axis_labels()
        self._fit_range(points, lines)

    def _style_points(
        self, points: np.ndarray, train: np.ndarray, test: np.ndarray, show_test: bool
    ) -> None:
        s = self.session
        ds = s.dataset
        if points.shape[0]:
            kind = "regress" if ds.kind == "curve" else ds.kind
            background = s.theme.rgb("plot_background")
            colors = point_colors(ds.targets, kind, limit=s.value_limit, background=background)
        else:
            colors = np.empty((0, 4), np.uint8)
        scale, theme = s.scale, s.theme
        outline = pg.mkPen(theme.point_outline, width=max(1.0, scale.point_px / 8))
        self.train_points.setData(
            pos=points[train], brush=_brushes(colors[train]), pen=outline, size=scale.point_px
        )
        if show_test:
            ring_fill = QColor(theme.plot_background)
            ring_fill.setAlpha(150)
            self.test_points.setData(
                pos=points[test],
                pen=_pens(colors[test], width=max(2.0, scale.point_px / 4)),
                brush=pg.mkBrush(ring_fill),
                size=scale.point_px,
            )
        else:
            self.test_points.setData(pos=np.empty((0, 2)))

    def _fit_range(self, points: np.ndarray, lines: np.ndarray) -> None:
        """Axes that follow the data and the mesh, without jittering every frame."""
        xy = np.concatenate([points.reshape(-1, 2), lines.reshape(-1, 2)])
        xy = xy[np.isfinite(xy).all(axis=1)]
        if xy.size == 0:
            return
        (x0, y0), (x1, y1) = (float(v) for v in xy.min(axis=0)), (float(v) for v in xy.max(axis=0))
        if self._range is not None:
            # keep the axes while the content fits and still fills more than half of them
            rx0, rx1, ry0, ry1 = self._range
            inside = rx0 <= x0 and x1 <= rx1 and ry0 <= y0 and y1 <= ry1
            big = (x1 - x0) > 0.5 * (rx1 - rx0) and (y1 - y0) > 0.5 * (ry1 - ry0)
            if inside and big:
                return
        span_x = max(x1 - x0, 1e-3)
        span_y = max(y1 - y0, 1e-3)
        self._range = (
            x0 - PAD * span_x,
            x1 + PAD * span_x,
            y0 - PAD * span_y,
            y1 + PAD * span_y,
        )
        rx0, rx1, ry0, ry1 = self._range
        self.viewbox.setRange(xRange=(rx0, rx1), yRange=(ry0, ry1), padding=0)

    # ------------------------------------------------------------ for tests

    def plotted_points(self) -> np.ndarray:
        """Every drawn data point, in the dataset's order (train and test merged back)."""
        ds = self.session.dataset
        test = np.asarray(ds.is_test, bool)
        train_xy = np.column_stack(self.train_points.getData())
        test_xy = np.column_stack(self.test_points.getData())
        out = np.full((ds.n, 2), np.nan)
        out[~test] = train_xy
        if test_xy.shape[0]:
            out[test] = test_xy
        return out

    def plotted_lines(self) -> np.ndarray:
        """The drawn mesh as (lines, samples, 2), horizontal lines first."""
        found = []
        for curve in (self.rows_curve, self.cols_curve):
            x, y = curve.getData()
            if x is None or len(x) == 0:
                continue
            xy = np.column_stack([x, y])
            for piece in np.split(xy, np.flatnonzero(~np.isfinite(xy[:, 0]))):
                piece = piece[np.isfinite(piece[:, 0])]
                if piece.size:
                    found.append(piece)
        return np.stack(found) if found else np.empty((0, 0, 2))


def _move(item: pg.ScatterPlotItem, xy: np.ndarray) -> None:
    """Move an item's points without restyling them (same count, same order).

    ``setData`` rebuilds every point's pen, brush and symbol-atlas key; here
    only the coordinates change, then the item does what ``setData`` does after
    it (new bounds, repaint).
    """
    if len(item.data) != xy.shape[0]:
        raise ValueError("a moved scatter must keep its number of points")
    item.data["x"] = xy[:, 0]
    item.data["y"] = xy[:, 1]
    item.prepareGeometryChange()
    item.informViewBoundsChanged()
    item.bounds = [None, None]
    item.invalidate()
    item.sigPlotChanged.emit(item)


def _polylines(lines: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(lines, samples, 2) -> x, y of one curve with a NaN break after each line."""
    if lines.size == 0:
        return np.empty(0), np.empty(0)
    n, samples, _ = lines.shape
    padded = np.full((n, samples + 1, 2), np.nan)
    padded[:, :samples] = lines
    flat = padded.reshape(-1, 2)[:-1]
    return flat[:, 0], flat[:, 1]
