"""The dataset canvas with the decision boundary behind the points (the window's centre).

Mouse: left click or drag paints points of the selected class (or, for
regression, of the selected target value; for a 1-D curve, the (x, y) under
the mouse); right click or right drag erases; the move tool (or Shift+drag)
drags a point.  Every edit goes to the session, which tells the worker, so
painting works while training.

Items are created once; a frame only calls ``setImage``/``setData``.  The
heatmap colours come from :func:`dlviz.core.colors.boundary_image`.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, QEvent, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QButtonGroup,
    QDoubleSpinBox,
    QGraphicsItem,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from dlviz.core.colors import (
    MAX_CLASSES,
    OKABE_ITO_HEX,
    boundary_image,
    classifier_picture,
    grid_rect,
    point_colors,
    smooth_output,
)
from dlviz.core.network import line_of
from dlviz.core.snapshot import Snapshot
from dlviz.ui import icons
from dlviz.ui.core_texts import colour_name
from dlviz.ui.i18n import translate
from dlviz.ui.session import NeuronPicture, Session
from dlviz.ui.views.base import View, unindexed

#: Screen distances (pixels) for the tools.
ERASE_RADIUS_PX = 14.0
PICK_RADIUS_PX = 12.0
STROKE_SPACING_PX = 11.0
CURVE_COLOR = "#0072B2"


class CanvasViewBox(pg.ViewBox):
    """A ViewBox whose mouse paints instead of panning and zooming."""

    def __init__(self, canvas: BoundaryView) -> None:
        super().__init__(enableMenu=False)
        self.canvas = canvas
        self.setMouseEnabled(False, False)

    def mouseClickEvent(self, ev) -> None:  # noqa: N802  (pyqtgraph API)
        self.canvas.on_click(ev)

    def mouseDragEvent(self, ev, axis=None) -> None:  # noqa: N802
        self.canvas.on_drag(ev)

    def wheelEvent(self, ev, axis=None) -> None:  # noqa: N802
        ev.ignore()


class _Passive:
    """Mix-in for items drawn on the canvas that must leave the mouse to the canvas."""

    def mouseClickEvent(self, ev) -> None:  # noqa: N802
        ev.ignore()

    def mouseDragEvent(self, ev) -> None:  # noqa: N802
        ev.ignore()


class PassiveScatter(_Passive, pg.ScatterPlotItem):
    pass


class PassiveImage(_Passive, pg.ImageItem):
    pass


def swatch_icon(color: str, text: str, size: int = 40) -> QIcon:
    """A filled rounded square with a number on it: the class legend doubles as its picker.

    Drawn at the screen's pixel ratio, so it stays sharp on a high-DPI screen.
    """
    app = QGuiApplication.instance()
    ratio = app.devicePixelRatio() if isinstance(app, QGuiApplication) else 1.0
    pixmap = QPixmap(round(size * ratio), round(size * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setBrush(QColor(color))
    p.setPen(QColor("#202020"))
    p.drawRoundedRect(QRectF(2, 2, size - 4, size - 4), 7, 7)
    font = p.font()
    font.setPixelSize(int(size * 0.5))
    font.setBold(True)
    p.setFont(font)
    bright = QColor(color).lightness() > 140
    p.setPen(QColor("#000000" if bright else "#FFFFFF"))
    p.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, text)
    p.end()
    return QIcon(pixmap)


class SquareBox(QWidget):
    """Keeps its child square and centred (the plane is square), or lets it fill (curves)."""

    def __init__(self, child: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.child = child
        child.setParent(self)
        self.square = True
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_square(self, square: bool) -> None:
        self.square = square
        self._place()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._place()

    def _place(self) -> None:
        w, h = self.width(), self.height()
        if not self.square:
            self.child.setGeometry(0, 0, w, h)
            return
        # the axes take about the same room on the left as at the bottom, so a square
        # widget leaves a square plotting area
        side = min(w, h)
        self.child.setGeometry((w - side) // 2, (h - side) // 2, side, side)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(600, 600)


class CanvasToolbar(QWidget):
    """Tools (paint, erase, move), class swatches 1-8 or a target value, and the legend."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(4)
        self.tool_group = QButtonGroup(self)
        self.tool_buttons: dict[str, QToolButton] = {}
        for tool, tip in (
            (
                "paint",
                translate("BoundaryView", "Paint points (B): click or drag; right-drag erases"),
            ),
            (
                "erase",
                translate("BoundaryView", "Eraser (E): click or drag over points to remove them"),
            ),
            (
                "move",
                translate(
                    "BoundaryView", "Move points (M): drag a point (or Shift+drag with any tool)"
                ),
            ),
        ):
            button = QToolButton(self)
            button.setCheckable(True)
            button.setToolTip(tip)
            button.setObjectName(f"tool-{tool}")
            button.setIconSize(QSize(24, 24))
            button.clicked.connect(self._tool_clicked)
            self.tool_group.addButton(button)
            self.tool_buttons[tool] = button
            layout.addWidget(button)
        layout.addSpacing(10)
        self.class_label = QLabel(translate("BoundaryView", "Class:"), self)
        layout.addWidget(self.class_label)
        self.swatch_group = QButtonGroup(self)
        self.swatches: list[QToolButton] = []
        for i in range(MAX_CLASSES):
            button = QToolButton(self)
            button.setCheckable(True)
            button.setIcon(swatch_icon(OKABE_ITO_HEX[i], str(i + 1)))
            button.setIconSize(QSize(26, 26))
            button.setToolTip(
                translate("BoundaryView", "Paint class {n} ({colour}); key {n}").format(
                    n=i + 1, colour=colour_name(i)
                )
            )
            button.setObjectName(f"class-{i + 1}")
            button.setAutoRaise(True)
            button.clicked.connect(self._swatch_clicked)
            self.swatch_group.addButton(button, i)
            self.swatches.append(button)
            layout.addWidget(button)
        self.value_label = QLabel(translate("BoundaryView", "Target value:"), self)
        self.value = QDoubleSpinBox(self)
        self.value.setObjectName("paint-value")
        self.value.setDecimals(2)
        self.value.setSingleStep(0.1)
        self.value.setRange(-100.0, 100.0)
        self.value.setToolTip(
            translate(
                "BoundaryView",
                "The value a click gives a new point (orange negative, blue positive)",
            )
        )
        self.value.valueChanged.connect(session.set_paint_value)
        layout.addWidget(self.value_label)
        layout.addWidget(self.value)
        self.curve_label = QLabel(translate("BoundaryView", "Click to add (x, y) points"), self)
        layout.addWidget(self.curve_label)
        layout.addStretch(1)
        self.legend = QLabel(translate("BoundaryView", "●  train    ○  test"), self)
        self.legend.setToolTip(
            translate("BoundaryView", "Training points are filled, test points are rings")
        )
        layout.addWidget(self.legend)
        session.tool_changed.connect(self.sync)
        session.dataset_changed.connect(self._dataset_changed)
        session.options_changed.connect(self.sync)
        session.theme_changed.connect(self.apply_theme)
        self.apply_theme()
        self._dataset_changed("new")

    def apply_theme(self) -> None:
        color = self.session.theme.text
        for tool, button in self.tool_buttons.items():
            button.setIcon(icons.icon({"paint": "brush", "erase": "eraser"}.get(tool, tool), color))

    def _tool_clicked(self) -> None:
        for tool, button in self.tool_buttons.items():
            if button.isChecked():
                self.session.set_tool(tool)

    def _swatch_clicked(self) -> None:
        self.session.set_paint_class(self.swatch_group.checkedId())

    def _dataset_changed(self, reason: str) -> None:
        if reason != "new":
            return
        kind = self.session.kind
        limit = self.session.value_limit
        self.value.blockSignals(True)
        self.value.setRange(-4 * limit, 4 * limit)
        self.value.setValue(max(-limit, min(limit, self.session.paint_value)))
        self.value.blockSignals(False)
        self.session.paint_value = self.value.value()
        for widget in self.swatches:
            widget.setVisible(kind == "classify")
        self.value_label.setVisible(kind == "regress")
        self.value.setVisible(kind == "regress")
        self.curve_label.setVisible(kind == "curve")
        self.sync()

    def sync(self) -> None:
        s = self.session
        for tool, button in self.tool_buttons.items():
            button.setChecked(tool == s.tool)
        self.swatches[s.paint_class].setChecked(True)
        self._fit()

    def _fit(self) -> None:
        """Drop the words before the swatches, then the legend, when the row is too narrow
        (a 1280-pixel laptop screen with both side panels open): never cut a label in half."""
        self.class_label.setVisible(self.session.kind == "classify")
        self.legend.setVisible(self.session.options.show_test)
        layout = self.layout()
        for widget in (self.class_label, self.legend):
            layout.invalidate()
            if not widget.isHidden() and layout.sizeHint().width() > self.width():
                widget.setVisible(False)

    def resizeEvent(self, event) -> None:  # noqa: N802  (Qt API)
        super().resizeEvent(event)
        self._fit()


class BoundaryView(View):
    """Decision boundary heatmap behind the data points, and the painting canvas."""

    name = "boundary"
    title = QT_TRANSLATE_NOOP("views", "Decision boundary")
    default_area = "center"
    #: Points only: the plane of two inputs: image data has no plane to draw.
    data_kinds = frozenset({"points"})

    #: Emitted after the boundary image (or fitted curve) was redrawn: for tests and benchmarks.
    boundary_updated = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.image_updates = 0
        self._drag_mode: str | None = None
        self._drag_index: int | None = None
        self._last_stroke: tuple[float, float] | None = None
        self._last_snap: Snapshot | None = None

        self.toolbar = CanvasToolbar(session, self)
        # a narrow window clips the swatch row rather than forcing the window wider
        self.toolbar.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        with self.owning_new_menus():
            self.viewbox = CanvasViewBox(self)
            self.plot = unindexed(pg.PlotWidget(viewBox=self.viewbox))
        self.plot.setObjectName("boundary-plot")
        self.plot.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        self.plot.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.plot.setMinimumSize(240, 240)
        self.plot.hideButtons()
        self.viewbox.disableAutoRange()
        self.prepare_axes(self.plot.getPlotItem())

        self.image = PassiveImage(axisOrder="row-major")
        self.image.setZValue(-10)
        self.curve = pg.PlotCurveItem()
        self.curve.setZValue(5)
        self.train_points = PassiveScatter(pxMode=True, symbol="o")
        self.train_points.setZValue(10)
        self.test_points = PassiveScatter(pxMode=True, symbol="o")
        self.test_points.setZValue(11)
        for points in (self.train_points, self.test_points):
            # the heatmap under them changes 20 times a second, the points rarely: repaint
            # them from a cached picture (4096 points took 3 ms to draw each time)
            points.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        for item in (self.image, self.curve, self.train_points, self.test_points):
            self.plot.addItem(item)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self._press_modifiers = Qt.KeyboardModifier.NoModifier
        self.plot.viewport().installEventFilter(self)
        self.plot.scene().sigMouseMoved.connect(self._pointer_moved)
        self.square = SquareBox(self.plot, self)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.square, 1)

        session.dataset_changed.connect(self._dataset_changed)
        session.options_changed.connect(self._options_changed)
        session.theme_changed.connect(self.apply_theme)
        session.neuron_shown.connect(self._show_neuron)
        # names the neuron the canvas shows while the pointer is on it in the network graph
        self.neuron_caption = QLabel(self.plot)
        self.neuron_caption.setObjectName("canvas-neuron")
        self.neuron_caption.move(70, 8)
        self.neuron_caption.hide()
        # a network that is the line y = w·x + b has its equation, with the current w and b,
        # written on the canvas: the number a lesson on linear regression talks about
        self.equation = QLabel(self.plot)
        self.equation.setObjectName("canvas-equation")
        self.equation.hide()
        self.apply_theme()
        self._dataset_changed("new")

    # ------------------------------------------------------------ drawing

    def apply_theme(self) -> None:
        theme, scale = self.session.theme, self.session.scale
        self.plot.setBackground(theme.plot_background)
        self.style_axes(self.plot.getPlotItem())
        self.curve.setPen(pg.mkPen(CURVE_COLOR, width=scale.line_px * 1.5))
        # larger than the axes' text: it is what the room reads
        self._equation_pt = round(scale.font_pt * 1.6)
        self._style_equation(self._equation_pt)
        self._set_axis_labels()
        self._draw_points()
        self._redraw_last()

    def _set_axis_labels(self) -> None:
        style = {
            "color": self.session.theme.plot_foreground,
            "font-size": f"{self.session.scale.font_pt}pt",
        }
        if self.session.kind == "curve":
            self.plot.setLabel("bottom", "x", **style)
            self.plot.setLabel("left", "y", **style)
        else:
            self.plot.setLabel("bottom", "x₁", **style)
            self.plot.setLabel("left", "x₂", **style)

    def _dataset_changed(self, reason: str) -> None:
        if not self.fits_data():
            return  # hidden for image data; points coming back arrive as "new"
        if reason == "new":
            ds = self.session.dataset
            xmin, xmax, ymin, ymax = (float(b) for b in ds.bounds)
            self.viewbox.setAspectLocked(ds.kind != "curve")
            self.square.set_square(ds.kind != "curve")
            self.viewbox.setRange(xRange=(xmin, xmax), yRange=(ymin, ymax), padding=0.02)
            self.image.setVisible(ds.kind != "curve")
            self.curve.setVisible(ds.kind == "curve")
            if self._last_snap is not None and self._kind_of(self._last_snap) != ds.kind:
                self.image.clear()
                self.curve.setData([], [])
                self._last_snap = None
                self.equation.hide()
            self._set_axis_labels()
        self._draw_points()

    def _options_changed(self) -> None:
        self._draw_points()
        self._redraw_last()

    def _draw_points(self) -> None:
        if not self.fits_data():
            return
        s = self.session
        ds = s.dataset
        theme, scale = s.theme, s.scale
        background = theme.rgb("plot_background")
        if ds.kind == "curve":
            colors = np.tile(np.array([[0xE6, 0x9F, 0x00, 255]], np.uint8), (ds.n, 1))
        else:
            colors = point_colors(ds.targets, ds.kind, limit=s.value_limit, background=background)
        test = np.asarray(ds.is_test, bool)
        train = ~test
        pts = np.asarray(ds.points, np.float64)
        outline = pg.mkPen(theme.point_outline, width=max(1.0, scale.point_px / 8))
        brushes = _brushes(colors[train])
        self.train_points.setData(pos=pts[train], brush=brushes, pen=outline, size=scale.point_px)
        if s.options.show_test and test.any():
            ring_fill = QColor(theme.plot_background)
            ring_fill.setAlpha(150)
            pens = _pens(colors[test], width=max(2.0, scale.point_px / 4))
            self.test_points.setData(
                pos=pts[test], pen=pens, brush=pg.mkBrush(ring_fill), size=scale.point_px
            )
        else:
            self.test_points.setData(pos=np.empty((0, 2)))

    @staticmethod
    def _kind_of(snap: Snapshot) -> str:
        if snap.grid is not None and snap.grid.ndim == 2:
            return "curve"
        return "regress" if snap.spec.output == "identity" else "classify"

    def update_snapshot(self, snap: Snapshot) -> None:
        if snap.grid is None:
            return  # a slice without a fresh grid: keep the last picture
        kind = self._kind_of(snap)
        if kind != self.session.kind:
            return  # an older network's answer to data that has been replaced
        self._last_snap = snap
        s = self.session
        if s.neuron is not None and kind != "curve":
            return  # a neuron from the network graph is on show: drawn when it leaves
        if kind == "curve":
            xmin, xmax = snap.grid_bounds[0], snap.grid_bounds[1]
            xs = np.linspace(xmin, xmax, snap.grid.shape[0])
            self.curve.setData(xs, np.asarray(snap.grid[:, 0], np.float64))
            self._show_equation(line_of(snap.spec, snap.params))
        else:
            # interpolate the output (as logits), then colour it: a smooth p = 0.5 line
            background = s.theme.rgb("plot_background")
            if kind == "classify":
                rgba = classifier_picture(
                    snap.grid, snap.spec.output, background=background,
                    discrete=s.options.discrete,
                )  # fmt: skip
            else:
                rgba = boundary_image(
                    smooth_output(snap.grid, snap.spec.output),
                    kind,
                    limit=s.value_limit,
                    background=background,
                    discrete=s.options.discrete,
                )
            rect = QRectF(*grid_rect(snap.grid_bounds, rgba.shape[0]))
            self.image.setImage(rgba, rect=rect, autoLevels=False, levels=(0, 255))
        self.image_updates += 1
        self.boundary_updated.emit()

    def _style_equation(self, pt: int) -> None:
        theme = self.session.theme
        self._equation_shown_pt = pt
        self.equation.setStyleSheet(
            f"background: {theme.base}; color: {theme.text}; padding: 4px 10px;"
            f"border: 1px solid {theme.muted}; font-size: {pt}pt;"
        )

    def _fit_equation(self) -> None:
        """As large as the theme says, smaller where the canvas is narrow (a lesson beside
        it in presentation mode): the whole equation, never a clipped one."""
        self.equation.adjustSize()
        room = self.plot.width() - 90
        width = self.equation.width()
        if width > room or self._equation_shown_pt < self._equation_pt:
            pt = self._equation_shown_pt
            fitting = max(8, min(self._equation_pt, int(pt * room / max(width, 1))))
            if fitting != pt:
                self._style_equation(fitting)
                self.equation.adjustSize()

    def _show_equation(self, line: tuple[float, float] | None) -> None:
        if line is None:
            self.equation.hide()
            return
        w, b = line
        sign = "−" if b < 0 else "+"
        self.equation.setText(
            translate("BoundaryView", "y = {w}·x {sign} {b}").format(
                w=f"{w:.2f}", sign=sign, b=f"{abs(b):.2f}"
            )
        )
        self._fit_equation()
        self.equation.move(70, 8)
        self.equation.show()
        self.equation.raise_()

    def _show_neuron(self, picture: NeuronPicture | None) -> None:
        if picture is None:
            self.neuron_caption.hide()
            self._redraw_last()
            return
        rect = QRectF(*grid_rect(picture.bounds, picture.rgba.shape[0]))
        self.image.setImage(picture.rgba, rect=rect, autoLevels=False, levels=(0, 255))
        theme = self.session.theme
        self.neuron_caption.setText(
            translate("BoundaryView", "{name}: its output over the plane").format(name=picture.name)
        )
        self.neuron_caption.setStyleSheet(
            f"background: {theme.base}; color: {theme.text}; padding: 4px 8px;"
            f"border: 1px solid {theme.muted};"
        )
        self.neuron_caption.adjustSize()
        self.neuron_caption.show()
        self.neuron_caption.raise_()
        self.boundary_updated.emit()

    def _redraw_last(self) -> None:
        if self._last_snap is not None:
            self.update_snapshot(self._last_snap)

    def boundary_pixels(self) -> np.ndarray | None:
        """The RGBA heatmap now shown (for tests)."""
        img = self.image.image
        return None if img is None else np.array(img)

    # ------------------------------------------------------------ mouse

    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        # remember the modifiers at the press: the drag starts on a later move event
        if event.type() == QEvent.Type.MouseButtonPress:
            self._press_modifiers = event.modifiers()
        return False

    def _data_pos(self, scene_pos) -> tuple[float, float]:
        p = self.viewbox.mapSceneToView(scene_pos)
        xmin, xmax, ymin, ymax = (float(b) for b in self.session.dataset.bounds)
        return min(max(p.x(), xmin), xmax), min(max(p.y(), ymin), ymax)

    def _pointer_moved(self, scene_pos) -> None:
        """Tell the other views which point of the plane the mouse is over (the inspector)."""
        if not self.viewbox.sceneBoundingRect().contains(scene_pos):
            return
        p = self.viewbox.mapSceneToView(scene_pos)
        xmin, xmax, ymin, ymax = (float(b) for b in self.session.dataset.bounds)
        if xmin <= p.x() <= xmax and ymin <= p.y() <= ymax:
            self.session.pointer_moved.emit(p.x(), p.y())

    def _px(self) -> float:
        """Data units per screen pixel (the larger of x and y)."""
        sx, sy = self.viewbox.viewPixelSize()
        return max(abs(sx), abs(sy))

    def on_click(self, ev) -> None:
        button = ev.button()
        x, y = self._data_pos(ev.scenePos())
        s = self.session
        picker = s.point_picker
        if button == Qt.MouseButton.LeftButton and picker is not None:
            index = s.nearest_point(x, y, PICK_RADIUS_PX * self._px())
            if index is not None:  # a click beside every point paints as usual
                picker(index)
                ev.accept()
                return
        if button == Qt.MouseButton.LeftButton and s.tool == "paint":
            s.begin_stroke()
            s.add_point(x, y)
            s.end_stroke()
        elif button == Qt.MouseButton.RightButton or (
            button == Qt.MouseButton.LeftButton and s.tool == "erase"
        ):
            s.begin_stroke()
            s.erase(x, y, ERASE_RADIUS_PX * self._px())
            s.end_stroke()
        else:
            ev.ignore()
            return
        ev.accept()

    def on_drag(self, ev) -> None:
        s = self.session
        if ev.isStart():
            button = ev.button()
            modifiers = ev.modifiers() | self._press_modifiers
            shift = bool(modifiers & Qt.KeyboardModifier.ShiftModifier)
            if button == Qt.MouseButton.LeftButton:
                mode = "move" if shift else s.tool
            elif button == Qt.MouseButton.RightButton:
                mode = "erase"
            else:
                ev.ignore()
                return
            self._drag_mode = mode
            s.begin_stroke()
            x0, y0 = self._data_pos(ev.buttonDownScenePos())
            self._drag_index = None
            self._last_stroke = None
            if mode == "move":
                self._drag_index = s.nearest_point(x0, y0, PICK_RADIUS_PX * self._px())
            else:
                self._stroke_to(x0, y0)
        if self._drag_mode is None:
            ev.ignore()
            return
        ev.accept()
        x, y = self._data_pos(ev.scenePos())
        if self._drag_mode == "move":
            if self._drag_index is not None:
                s.move_point(self._drag_index, x, y)
        else:
            self._stroke_to(x, y)
        if ev.isFinish():
            self._drag_mode = None
            self._drag_index = None
            s.end_stroke()

    def _stroke_to(self, x: float, y: float) -> None:
        s = self.session
        if self._drag_mode == "erase":
            s.erase(x, y, ERASE_RADIUS_PX * self._px())
            return
        last = self._last_stroke
        if last is not None and np.hypot(x - last[0], y - last[1]) < STROKE_SPACING_PX * self._px():
            return
        self._last_stroke = (x, y)
        s.add_point(x, y)


def _brushes(colors: np.ndarray) -> list:
    """One QBrush per row of RGBA ``colors``, shared between equal colours."""
    if colors.shape[0] == 0:
        return []
    unique, inverse = np.unique(colors, axis=0, return_inverse=True)
    table = [pg.mkBrush(*map(int, c)) for c in unique]
    return [table[i] for i in inverse.ravel()]


def _pens(colors: np.ndarray, width: float) -> list:
    if colors.shape[0] == 0:
        return []
    unique, inverse = np.unique(colors, axis=0, return_inverse=True)
    table = [pg.mkPen(tuple(int(v) for v in c), width=width) for c in unique]
    return [table[i] for i in inverse.ravel()]
