"""The network as a graph: neurons as pictures over the input plane, weights as lines.

Columns of nodes, inputs on the left, each hidden layer, the outputs on the
right.  Each node is a small image of what that neuron outputs over the input
plane (inputs: the feature itself), on the signed map of
:mod:`dlviz.core.colors` (see :func:`node_centre`: probabilities centred on
0.5, everything else on zero and scaled to the node's own largest |value|).  Edges are
blue for a positive weight and orange for a negative one, wider for a larger
|w|.  With **Gradients** on, the edges show |dL/dw| of the last mini-batch
instead, all on one scale for the whole network (so vanishing gradients in the
first layers of a deep sigmoid net are faint and thin), with dashes that flow
from the output back to the inputs while the view is shown.

Bounded for big networks: at most :data:`MAX_NODES` nodes a column (with a
"+N more" label) and the :data:`MAX_EDGES` strongest edges among them
(:func:`dlviz.core.analysis.shown_edges`).  An image network's input is one
picture (the mean of its images), not hundreds of pixel nodes, and its wider
layers show their strongest neurons (largest outgoing weight norm,
:func:`dlviz.core.analysis.strongest_units`), chosen again at every snapshot.
Edges are binned by sign and width into a few ``PlotCurveItem(connect="pairs")``,
never one item per edge.

Hover a node or an edge to read it; click one to inspect it in the side
panel (:mod:`dlviz.ui.views.network_inspector`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, QEvent, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QImage, QPen
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from dlviz.core.analysis import (
    Edges,
    edges_among,
    feature_grid,
    node_mosaic,
    shown_edges,
    strongest_units,
)
from dlviz.core.colors import NEGATIVE_HEX, POSITIVE_HEX, class_hex, signed_colors
from dlviz.core.features import CURVE_FEATURES, FEATURE_LABELS, FEATURES
from dlviz.core.network import NetworkSpec
from dlviz.core.snapshot import Snapshot
from dlviz.ui.i18n import translate
from dlviz.ui.session import NeuronPicture, Session
from dlviz.ui.theme import plot_font
from dlviz.ui.views.base import View, unindexed
from dlviz.ui.views.network_inspector import (
    GRADIENT_HEX,
    EdgeRef,
    NetworkInspector,
    NodeRef,
    Ref,
    edge_facts,
    neuron_name,
    signed,
)

#: Nodes drawn per column at most; wider layers show their first ones and "+N more".
MAX_NODES = 16
#: Edges drawn at most (the strongest among the drawn nodes).
MAX_EDGES = 300
#: Resolution of each node's picture (the ``neuron_grid`` extra).
NODE_RES = 24
#: Smallest side of an image network's input picture, in graph units (a node is 1 x 1).
INPUT_SIDE = 2.6
#: Geometry in graph units: a node is 1 x 1.
COL_GAP = 4.0
ROW_GAP = 1.35
#: Side of a neuron's bias square, in graph units (a node is 1 x 1).
BIAS_SIZE = 0.34
#: The smallest scale (screen pixels per graph unit) the headers' fitting may choose.
MIN_PPU = 8.0
#: Presentation mode: a wide, low place beside the canvas, and large type in the headers.
STAGE_COL_GAP = 6.5
STAGE_HEAD = 5.4
STAGE_SIDE = 3.6
#: Width bins of the weight edges and of the gradient edges.
WIDTH_BINS = 5
GRAD_BINS = 6
#: Gradient edges: one colour (Okabe–Ito reddish purple), alpha and width grow with |dL/dw|.
#: Snapshots an edge's history plot keeps.
#: Milliseconds between two steps of the backward-flow animation.
FLOW_MS = 50
#: How close (pixels) a click or hover must come to an edge to pick it.
PICK_PX = 6.0


def magnitude_bins(values: np.ndarray, scale: float, bins: int) -> np.ndarray:
    """Bin 0..bins-1 of |value| / scale (scale: the largest |value| of the whole network)."""
    if not scale > 0 or not np.isfinite(scale):
        return np.zeros(np.shape(values), np.int64)
    t = np.abs(np.asarray(values, np.float64)) / scale
    return np.clip(np.ceil(t * bins).astype(np.int64) - 1, 0, bins - 1)


def weight_width(bin_index: int, line_px: float) -> float:
    """Pen width of a weight edge in bin ``bin_index`` (thin to about 3x the normal line)."""
    return line_px * (0.35 + 0.65 * bin_index)


def gradient_style(bin_index: int, line_px: float) -> tuple[float, int]:
    """(pen width, alpha 0..255) of a gradient edge in bin ``bin_index``: faint and thin at 0."""
    t = (bin_index + 1) / GRAD_BINS
    return line_px * (0.3 + 2.7 * t), round(25 + 230 * t)


def layer_name(column: int, spec: NetworkSpec) -> str:
    if column == 0:
        return translate("NetworkView", "Inputs")
    if column == len(spec.sizes) - 1:
        return translate("NetworkView", "Output")
    return translate("NetworkView", "Layer {n}").format(n=column)


def header_budget(widths: list[float], room: float) -> float:
    """The widest a header may stay so that all of them, each cut to it, take ``room``
    pixels at most (inf when they fit as they are)."""
    if sum(widths) <= room:
        return float("inf")
    ordered = sorted(widths)
    for k, w in enumerate(ordered):
        # the headers from the k-th on are cut to a common width, the narrower ones stay
        cut = (room - sum(ordered[:k])) / (len(ordered) - k)
        if cut <= w:
            return max(cut, 0.0)
    return float("inf")


@dataclass(frozen=True)
class ColumnFit:
    """Where the columns go and what the view shows, in graph units."""

    x: tuple[float, ...]  # each column's centre
    rect: QRectF  # the range to show: the graph, its headers and labels
    top: float  # the top of the columns' drawing (the headers sit above it)
    ppu: float  # screen pixels per graph unit at that range


def fit_columns(
    *,
    widths: list[float],
    base_gap: float,
    first_gap: float,
    side: float,
    edge_px: float,
    head_px: float,
    foot_px: float,
    top: float,
    bottom: float,
    place: tuple[float, float],
) -> ColumnFit:
    """Space the columns so their headers (``widths``, pixels) never overlap, in a place of
    ``place`` pixels.

    The drawing keeps square nodes, so one scale (pixels per unit) serves both
    directions: the largest at which the columns' body (``top`` to ``bottom``
    units, with ``head_px`` above and ``foot_px`` below) fits the height and the
    row of headers, each gap at least ``base_gap`` units (``first_gap`` after the
    inputs) and wide enough for its two half headers, fits the width.  Text keeps
    its pixel size whatever the scale, hence the search over it.
    """
    width_px, height_px = place
    pad = edge_px  # the least room between two headers
    need = [(a + b) / 2 + pad for a, b in zip(widths, widths[1:], strict=False)]
    least = [first_gap] + [base_gap] * (len(need) - 1)
    body = bottom - top

    def total(ppu: float) -> float:
        left = max(side * ppu, widths[0] / 2 + pad / 2)
        right = max(side * ppu, widths[-1] / 2 + pad / 2)
        return left + right + sum(max(g * ppu, n) for g, n in zip(least, need, strict=True))

    ppu = max((height_px - head_px - foot_px) / max(body, 1e-6), 1.0)
    if total(ppu) > width_px:  # the width decides: the largest scale that fits it
        low, high = 0.0, ppu
        for _ in range(40):
            mid = (low + high) / 2
            low, high = (mid, high) if total(mid) <= width_px else (low, mid)
        # headers elided as far as they go may still not fit a very narrow place: let them
        # touch rather than shrink the graph to nothing
        ppu = max(low, min(ppu, MIN_PPU))
    gaps = [max(g, n / ppu) for g, n in zip(least, need, strict=True)]
    x = tuple(float(v) for v in np.concatenate([[0.0], np.cumsum(gaps)]))
    left = max(side, (widths[0] / 2 + pad / 2) / ppu)
    right = max(side, (widths[-1] / 2 + pad / 2) / ppu)
    head, foot = head_px / ppu, foot_px / ppu
    rect = QRectF(-left, top - head, x[-1] + left + right, body + head + foot)
    return ColumnFit(x, rect, top, ppu)


def node_centre(column: int, spec: NetworkSpec) -> float:
    """The value drawn as the background colour in a node's picture.

    Sigmoid and softmax outputs are probabilities: 0.5 is the undecided middle
    and the picture spans 0..1.  Every other node is centred on zero and scaled
    to its own largest |value| (so a small but structured neuron still shows).
    """
    if column > 0 and spec.activations[column - 1] in ("sigmoid", "softmax"):
        return 0.5
    return 0.0


#: The smallest type an output's class name shrinks to before names are skipped.
MIN_LABEL_PT = 7


def output_label_font(font: QFont, row_px: float) -> tuple[QFont, int]:
    """The font for the output nodes' class names and which of them to name (every k-th).

    A name taller than the rows it labels piles onto its neighbours (ten digits in a
    low dock left only "9" readable): the type shrinks to fit the row, down to
    ``MIN_LABEL_PT``; below that every second (third, ...) class is named instead.
    """
    fitted = QFont(font)
    height = QFontMetrics(fitted).height()
    if height <= row_px:
        return fitted, 1
    size = fitted.pointSizeF()
    # a font's height is not proportional to its size (leading, rounding): step down
    while height > row_px and size > MIN_LABEL_PT:
        size = max(size - 0.5, float(MIN_LABEL_PT))
        fitted.setPointSizeF(size)
        height = QFontMetrics(fitted).height()
    every = max(1, int(np.ceil(height / max(row_px, 1.0))))
    return fitted, every


class NodeMosaic(pg.GraphicsObject):
    """Every node's picture from one image (:func:`~dlviz.core.analysis.node_mosaic`).

    One item and one QImage a snapshot instead of an ImageItem per node (53 for
    a 2-64-64-64-3 net, each converting, placing and painting its own image):
    tile k of the mosaic is drawn into ``rects[k]``, as that node's ImageItem
    drew it (scaled to the square, no smoothing).
    """

    def __init__(self) -> None:
        super().__init__()
        self.mosaic = np.zeros((0, 0, 4), np.uint8)
        self.rects: list[QRectF] = []
        self._sources: list[QRectF] = []
        self._qimage: QImage | None = None
        self._bounds = QRectF()

    def set_rects(self, rects: list[QRectF]) -> None:
        """Where each node's tile goes (graph units); the layout changed."""
        self.prepareGeometryChange()
        self.rects = rects
        bounds = QRectF()
        for rect in rects:
            bounds = bounds.united(rect)
        self._bounds = bounds
        self.set_mosaic(np.zeros((0, 0, 4), np.uint8))

    def set_mosaic(self, mosaic: np.ndarray) -> None:
        """The tiles, stacked top to bottom, one per rect (a new snapshot's pictures)."""
        self.mosaic = np.ascontiguousarray(mosaic, np.uint8)
        rows, cols = self.mosaic.shape[:2]
        n = len(self.rects)
        self._qimage = None
        if rows and n:
            # the QImage reads self.mosaic's memory: kept alive by the reference above
            self._qimage = pg.functions.ndarray_to_qimage(
                self.mosaic, QImage.Format.Format_RGBA8888
            )
            side = rows // n
            self._sources = [QRectF(0, k * side, cols, side) for k in range(n)]
        self.update()

    def tile(self, k: int) -> np.ndarray:
        """Node ``k``'s picture as drawn: rows top to bottom on screen."""
        side = self.mosaic.shape[0] // max(len(self.rects), 1)
        return self.mosaic[k * side : (k + 1) * side]

    def boundingRect(self) -> QRectF:  # noqa: N802  (Qt API)
        return self._bounds

    def paint(self, painter, *args) -> None:  # noqa: ANN001  (Qt API)
        if self._qimage is None:
            return
        for target, source in zip(self.rects, self._sources, strict=True):
            painter.drawImage(target, self._qimage, source)


class NetworkView(View):
    """The network graph with a neuron/weight inspector at its side."""

    name = "network"
    title = QT_TRANSLATE_NOOP("views", "Network graph")
    short_title = QT_TRANSLATE_NOOP("views", "Network")
    default_area = "right"

    #: Emitted after a snapshot was drawn (for tests).
    drawn = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self._snap: Snapshot | None = None
        self._structure: tuple[Any, ...] | None = None
        self._shown: tuple[int, ...] = ()
        self._pos: list[np.ndarray] = []  # per column: (shown, 2) node centres
        #: Per column: the neurons drawn, in drawing order (None: an image's pixels, drawn
        #: as one picture); ``_slot`` maps a neuron to its place in ``_pos``.
        self._units: list[np.ndarray | None] = []
        self._slot: list[dict[int, int]] = []
        self._image = False  # an image network: the input is a picture
        self._input_side = INPUT_SIDE  # its side in graph units
        self._mean_of: int | None = None  # id of the pixels the input picture averages
        self._edges: Edges | None = None
        self._edge_xy = np.empty((0, 4))
        self._node_values: dict[tuple[int, int], np.ndarray] = {}
        #: Each node's picture as the canvas draws it (rows bottom-to-top), 2-D data only.
        self._node_rgba: dict[tuple[int, int], np.ndarray] = {}
        self._hovered: NodeRef | None = None  # the node whose picture the canvas shows
        self._dash = 0.0
        self._dock: QDockWidget | None = None
        self._labels: list[pg.TextItem] = []
        #: Per column: its (title, subtitle) labels, spaced so they never overlap.
        self.headers: list[tuple[pg.TextItem, pg.TextItem]] = []
        self._compact = False
        self.bias_values = np.empty(0)  # the biases the squares show, in drawing order
        #: Every node's picture, one image (the input column's pixels of an image network
        #: are not nodes: ``input_picture``); ``_tile[(col, i)]`` is its tile's index.
        self.node_pictures = NodeMosaic()
        self.node_pictures.setZValue(2)
        self._tile: dict[tuple[int, int], int] = {}
        self._brushes: dict[tuple[int, ...], QBrush] = {}  # see _brush

        # ---- top bar: gradients toggle, legend, hover read-out
        self.gradients = QPushButton(translate("NetworkView", "Gradients"), self)
        self.gradients.setObjectName("network-gradients")
        self.gradients.setCheckable(True)
        self.gradients.setToolTip(
            translate(
                "NetworkView",
                "Show |dL/dw| of the last mini-batch on every edge (one scale for the whole "
                "network) flowing back from the output to the inputs",
            )
        )
        self.gradients.toggled.connect(self._gradients_toggled)
        self.legend = QLabel(self)
        self.legend.setObjectName("network-legend")
        self.legend.setWordWrap(True)  # two lines in large type, not a wider dock
        self.hover = QLabel(self, text=self._hint())
        self.hover.setObjectName("network-hover")
        self.hover.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        top = QHBoxLayout()
        top.setContentsMargins(6, 4, 6, 2)
        top.addWidget(self.gradients)
        top.addSpacing(8)
        top.addWidget(self.legend)
        top.addSpacing(12)
        top.addWidget(self.hover, 1)

        # ---- the graph
        with self.owning_new_menus():
            self.plot = unindexed(pg.PlotWidget())
        self.plot.setObjectName("network-plot")
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        self.plot.setMinimumSize(260, 220)
        item = self.plot.getPlotItem()
        for side in ("left", "bottom"):
            item.hideAxis(side)
        self.viewbox = item.getViewBox()
        self.viewbox.setMouseEnabled(False, False)
        self.viewbox.setAspectLocked(True)
        self.viewbox.invertY(True)  # neuron 1 on top
        self.viewbox.disableAutoRange()
        # the layout is redone once the resize is over, not inside it: sigResized comes
        # while Qt lays the scene out, and removing and adding items then crashed the app
        # in QGraphicsView.paintEvent (the inspector opening beside the graph)
        self._resized = QTimer(self)
        self._resized.setSingleShot(True)
        self._resized.setInterval(0)
        self._resized.timeout.connect(self._place_resized)
        self.viewbox.sigResized.connect(self._resized.start)
        self.edge_curves: dict[tuple[str, int], pg.PlotCurveItem] = {}
        for sign in ("+", "-"):
            for b in range(WIDTH_BINS):
                self.edge_curves[(sign, b)] = pg.PlotCurveItem(connect="pairs", antialias=True)
        for b in range(GRAD_BINS):
            self.edge_curves[("grad", b)] = pg.PlotCurveItem(connect="pairs", antialias=True)
        for curve in self.edge_curves.values():
            curve.setZValue(1)
            self.plot.addItem(curve)
        self.frames = pg.PlotCurveItem(connect="finite")
        self.frames.setZValue(3)
        self.selection = pg.PlotCurveItem(connect="finite", antialias=True)
        self.selection.setZValue(4)
        self.plot.addItem(self.frames)
        self.plot.addItem(self.selection)
        # each neuron's bias: a small square at its lower left corner, coloured as the edges
        # (blue positive, orange negative, paler when small), as TF Playground draws it
        self.bias_marks = pg.ScatterPlotItem(pxMode=False, symbol="s", size=BIAS_SIZE)
        self.bias_marks.setZValue(3.5)
        self.plot.addItem(self.bias_marks)
        self.ghost_marks = pg.ScatterPlotItem(pxMode=False, symbol="s", size=1.0)
        self.ghost_marks.setZValue(3)
        self.plot.addItem(self.ghost_marks)
        self._ghosts: list[tuple[str, float, float]] = []  # features not fed in: name, x, y
        self.input_picture = pg.ImageItem(axisOrder="row-major")
        self.input_picture.setZValue(2)
        self.input_picture.hide()
        self.plot.addItem(self.input_picture)
        self.plot.addItem(self.node_pictures)
        self.flow_timer = QTimer(self)
        self.flow_timer.setInterval(FLOW_MS)
        self.flow_timer.timeout.connect(self._advance_flow)
        scene = self.plot.scene()
        scene.sigMouseMoved.connect(self._mouse_moved)
        scene.sigMouseClicked.connect(self._mouse_clicked)
        self.plot.viewport().installEventFilter(self)

        graph = QWidget(self)
        column = QVBoxLayout(graph)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addLayout(top)
        column.addWidget(self.plot, 1)

        self.inspector = NetworkInspector(session, self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(graph, 1)
        layout.addWidget(self.inspector)
        self.inspector.hide()  # shown once something is clicked: until then the graph has the room

        session.theme_changed.connect(self.apply_theme)
        session.pointer_moved.connect(self._follow_pointer)
        self.apply_theme()

    # ------------------------------------------------------------ what to ask for

    def extras(self) -> dict[str, Any]:
        return {"neuron_grid": NODE_RES}

    # ------------------------------------------------------------ appearance

    def apply_theme(self) -> None:
        theme, scale = self.session.theme, self.session.scale
        self.plot.setBackground(theme.plot_background)
        line = scale.line_px
        for (sign, b), curve in self.edge_curves.items():
            if sign == "grad":
                width, alpha = gradient_style(b, line)
                color = QColor(GRADIENT_HEX)
                color.setAlpha(alpha)
                pen = QPen(color)
                pen.setWidthF(width)
                pen.setStyle(Qt.PenStyle.CustomDashLine)
                pen.setDashPattern([2.5, 2.5])
                pen.setCapStyle(Qt.PenCapStyle.FlatCap)  # square caps would fill the gaps
                pen.setCosmetic(True)
            else:
                pen = pg.mkPen(POSITIVE_HEX if sign == "+" else NEGATIVE_HEX)
                pen.setWidthF(weight_width(b, line))
            curve.setPen(pen)
        self.frames.setPen(pg.mkPen(theme.muted, width=1))
        self.ghost_marks.setPen(pg.mkPen(theme.muted, width=1, style=Qt.PenStyle.DashLine))
        self.ghost_marks.setBrush(pg.mkBrush(theme.plot_background))
        self.selection.setPen(pg.mkPen(theme.text, width=max(2.5, line * 1.5)))
        self.inspector.apply_theme()
        self._set_legend()
        self._structure = None  # labels and node pictures take the new colours
        self.invalidate()
        self.refresh()

    def _hint(self) -> str:
        if getattr(self, "_compact", False):  # large type: the short form fits
            return translate("NetworkView", "Hover a neuron")
        return translate("NetworkView", "Hover a neuron or an edge; click to inspect it")

    def set_compact(self, on: bool) -> None:
        """Presentation mode: a one-line legend, so the graph keeps the height."""
        self._compact = on
        self.hover.setText(self._hint())
        self.legend.setWordWrap(not on)
        self._set_legend()
        self._structure = None
        self.invalidate()
        self.refresh()

    def _set_legend(self) -> None:
        if self._compact:
            if self.gradients.isChecked():
                text = f"<span style='color:{GRADIENT_HEX}'>━</span> |dL/dw|"
            else:
                text = (
                    f"<span style='color:{POSITIVE_HEX}'>━</span> +  "
                    f"<span style='color:{NEGATIVE_HEX}'>━</span> −"
                )
            self.legend.setText(text)
            return
        if self.gradients.isChecked():
            text = translate(
                "NetworkView",
                "{line} |dL/dw| of the last batch (wider, darker = larger; one scale for the net)",
            ).format(line=f"<span style='color:{GRADIENT_HEX}'>━</span>")
        else:
            text = translate(
                "NetworkView", "{plus} positive  {minus} negative weight (width = |w|)"
            ).format(
                plus=f"<span style='color:{POSITIVE_HEX}'>━</span>",
                minus=f"<span style='color:{NEGATIVE_HEX}'>━</span>",
            )
        self.legend.setText(text)

    # ------------------------------------------------------------ structure

    def _sync_structure(self, snap: Snapshot) -> None:
        spec = snap.spec
        curve = snap.neuron_grids is not None and snap.neuron_grids.ndim == 2
        base_gap = self._stage_gap(spec) if self._compact else COL_GAP
        # the layout fits the headers' text to the place, so it follows the place's size
        place = self._place()
        key = (spec.sizes, spec.features, spec.activations, curve, base_gap, spec.image_shape,
               place)  # fmt: skip
        if key == self._structure:
            return
        self._structure = key
        for label in self._labels:
            self.plot.removeItem(label)
        self._labels.clear()
        self._node_values.clear()
        self._node_rgba.clear()
        self._show_on_canvas(None)
        sizes = spec.sizes
        self._image = spec.is_image
        # an image's pixels are one picture in the input column
        self._shown = tuple(
            1 if self._image and col == 0 else min(n, MAX_NODES) for col, n in enumerate(sizes)
        )
        self._units = [
            None if self._image and col == 0 else np.arange(shown, dtype=np.int64)
            for col, shown in enumerate(self._shown)
        ]
        self._slot = [
            {} if units is None else {int(u): k for k, u in enumerate(units)}
            for units in self._units
        ]
        theme, scale = self.session.theme, self.session.scale
        font = plot_font(scale)
        bold = plot_font(scale, bold=True)
        top = -(max(self._shown) - 1) * ROW_GAP / 2
        bottom = -top
        span = bottom - top + 1.0
        # an image network's input picture: a good part of the column's height, so the
        # digit reads from afar (the columns make room for it below)
        self._input_side = min(max(INPUT_SIDE, 0.55 * span), 12.0) if self._image else 0.0

        # ---- the headers: made first, so the columns can be spaced by their width
        headers: list[tuple[pg.TextItem, pg.TextItem]] = []
        widths = []
        line_px = 0.0
        for col, n in enumerate(sizes):
            activation = spec.activations[col - 1] if col else None
            title = layer_name(col, spec)
            sub = f"{n} · {activation}" if activation else f"{n}"
            if self._image and col == 0:
                h, w = spec.image_shape
                sub = translate("NetworkView", "{n} pixels ({h}×{w})").format(n=n, h=h, w=w)
            pair = []
            for text, anchor, label_font in ((title, 2.0, bold), (sub, 1.0, font)):
                label = pg.TextItem(text, anchor=(0.5, anchor))
                label.setFont(label_font)
                label.setColor(theme.plot_foreground)
                label.setToolTip(text)  # the whole text, should it be elided below
                pair.append(label)
                # drawn size: a Chinese title is drawn in a CJK fallback font, taller than
                # the bold font's own metrics say
                box = label.boundingRect()
                line_px = max(line_px, box.height())
            headers.append((pair[0], pair[1]))
            widths.append(max(p.boundingRect().width() for p in pair))
        metrics = QFontMetrics(font)
        pad = 1.5 * metrics.averageCharWidth()  # the least room between two headers
        # headers too wide for the place side by side (many columns, a narrow dock) are
        # elided, the widest first, or no scale could fit them
        budget = header_budget(widths, 0.95 * (self._place()[0] - 4) - len(sizes) * pad)
        budget = max(budget, 2.5 * pad)
        if max(widths) > budget:
            for pair in headers:
                for label in pair:
                    text = label.textItem.toPlainText()
                    label_metrics = QFontMetrics(label.textItem.font())
                    label.setText(
                        label_metrics.elidedText(text, Qt.TextElideMode.ElideRight, int(budget))
                    )
            widths = [max(p.boundingRect().width() for p in pair) for pair in headers]

        # the features not fed to the network: faded nodes under the inputs; a click on
        # one feeds it in, a click on an input takes it out (TF Playground's inputs)
        usable = () if self._image else CURVE_FEATURES if spec.n_inputs == 1 else FEATURES
        off = [f for f in usable if f not in spec.features]
        y0 = float((np.arange(self._shown[0]) - (self._shown[0] - 1) / 2)[-1]) * ROW_GAP
        self._ghosts = [(name, 0.0, y0 + (k + 1) * ROW_GAP) for k, name in enumerate(off)]
        if self._ghosts:
            bottom = max(bottom, self._ghosts[-1][2])
        has_more = any(s < n for s, n in zip(self._shown, sizes, strict=True))
        half = self._input_side / 2
        fit = fit_columns(
            widths=widths,
            base_gap=base_gap,
            first_gap=half + 2.5 if self._image else base_gap,
            side=STAGE_SIDE if self._compact else 2.7,
            edge_px=pad,
            head_px=2 * line_px + 6,
            foot_px=(metrics.height() + 12) if has_more else 6.0,
            top=min(top - 0.5, -half),
            bottom=max(bottom + 0.5, half),
            place=(place[0] - 4, place[1] - 4),
        )
        xs = fit.x
        self.headers = headers

        self._pos = []
        rects = []
        self._tile = {}
        for col, shown in enumerate(self._shown):
            x = xs[col]
            ys = (np.arange(shown) - (shown - 1) / 2) * ROW_GAP
            self._pos.append(np.column_stack([np.full(shown, x), ys]))
            for i in range(0 if self._units[col] is None else shown):
                self._tile[(col, i)] = len(rects)
                rects.append(QRectF(float(x) - 0.5, float(ys[i]) - 0.5, 1.0, 1.0))
            # two lines, each centred on its column: the title sits one line above
            for label in headers[col]:
                label.setPos(x, fit.top - 3 / fit.ppu)
                self._add_label(label)
            n = sizes[col]
            if shown < n and self._units[col] is not None:
                text = (
                    translate("NetworkView", "{shown} of {n} (strongest)").format(shown=shown, n=n)
                    if self._image
                    else translate("NetworkView", "+{n} more").format(n=n - shown)
                )
                more = pg.TextItem(text, anchor=(0.5, 0.0))
                more.setFont(font)
                more.setColor(theme.muted)
                more.setPos(x, ys[-1] + 0.6)
                self._add_label(more)
        self.node_pictures.set_rects(rects)
        for name, x, y in self._ghosts:
            label = pg.TextItem(FEATURE_LABELS.get(name, name), anchor=(1.0, 0.5))
            label.setFont(font)
            label.setColor(theme.muted)
            label.setPos(x - 0.65, y)
            self._add_label(label)
        for i, (x, y) in enumerate([] if self._image else self._pos[0]):
            name = spec.features[i]
            label = pg.TextItem(FEATURE_LABELS.get(name, name), anchor=(1.0, 0.5))
            label.setFont(bold)
            label.setColor(theme.plot_foreground)
            label.setPos(x - 0.65, y)
            self._add_label(label)
        # outputs: a class's number on its colour, as on the canvas swatches; else ŷ
        classes = spec.output == "softmax"
        palette = class_hex(self._image)
        out_font, every = output_label_font(bold, ROW_GAP * fit.ppu)
        for i, (x, y) in enumerate(self._pos[-1]):
            if i % every:
                continue  # too many classes for the height: every other one is named
            if classes:
                fill = QColor(palette[i % len(palette)])
                ink = "#000000" if fill.lightness() > 140 else "#FFFFFF"
                number = i if self._image else i + 1  # a digit is itself; points count from 1
                label = pg.TextItem(f" {number} ", color=ink, fill=fill, anchor=(0.0, 0.5))
            else:
                label = pg.TextItem("ŷ", color=theme.plot_foreground, anchor=(0.0, 0.5))
            label.setFont(out_font)
            label.setPos(x + 0.65, y)
            self._add_label(label)
        # outlines of every node, one curve
        outlines = []
        for pos in self._pos:
            for x, y in pos:
                d = half if self._image and pos is self._pos[0] else 0.5
                outlines.append(
                    [(x - d, y - d), (x + d, y - d), (x + d, y + d), (x - d, y + d),
                     (x - d, y - d), (np.nan, np.nan)]
                )  # fmt: skip
        xy = np.asarray(outlines, np.float64).reshape(-1, 2)
        self.frames.setData(xy[:, 0], xy[:, 1])
        ghost_xy = np.array([(x, y) for _, x, y in self._ghosts]).reshape(-1, 2)
        self.ghost_marks.setData(x=ghost_xy[:, 0], y=ghost_xy[:, 1])
        self.viewbox.setRange(fit.rect, padding=0.0)
        self.input_picture.setVisible(self._image)
        self._mean_of = None  # drawn again at the next snapshot
        self.inspector.curve = curve
        selected = self.inspector.selected
        if selected is not None and not self._valid(selected):
            self._select(None)

    def _stage_gap(self, spec: NetworkSpec) -> float:
        """Presentation mode's column gap: the graph fills its wide, low place.

        The drawing keeps square nodes, so a graph narrower than its place is
        scaled by its height: columns spread to the place's shape give the large
        headers the room between them.
        """
        rows = max(min(n, MAX_NODES) for n in spec.sizes)
        usable = len(CURVE_FEATURES if spec.n_inputs == 1 else FEATURES)
        # the input column with its faded features hangs below the centred layers
        below = max(usable - (rows + spec.sizes[0]) / 2, 0.0)
        height = (rows - 1 + below) * ROW_GAP + STAGE_HEAD + 2.0
        aspect = self.plot.width() / max(self.plot.height(), 1)
        cols = max(len(spec.sizes) - 1, 1)
        gap = 0.85 * (aspect * height - 2 * STAGE_SIDE) / cols
        return round(min(max(gap, STAGE_COL_GAP), 14.0), 1)

    def _place(self) -> tuple[int, int]:
        """The graph's drawing area in pixels (what the headers are fitted to)."""
        rect = self.viewbox.rect()
        return (max(round(rect.width()), 40), max(round(rect.height()), 40))

    def _place_resized(self) -> None:
        """The drawing area changed (the window, the dock, the inspector opening): fit the
        headers to the new size (just after the resize: see ``_resized``)."""
        if self._snap is not None and self._structure is not None:
            if self._structure[-1] != self._place():
                self.update_snapshot(self._snap)

    def _add_label(self, label: pg.TextItem) -> None:
        label.setZValue(5)
        self.plot.addItem(label)
        self._labels.append(label)

    def _valid(self, ref: Ref) -> bool:
        slots = self._slot
        if isinstance(ref, NodeRef):
            return ref.column < len(slots) and ref.index in slots[ref.column]
        return (
            ref.layer + 1 < len(slots)
            and ref.source in slots[ref.layer]
            and ref.target in slots[ref.layer + 1]
        )

    def _at(self, col: int, neuron: int) -> np.ndarray:
        """Where neuron ``neuron`` of column ``col`` is drawn (graph units)."""
        return self._pos[col][self._slot[col][neuron]]

    def _choose_units(self, snap: Snapshot) -> None:
        """An image network's wide layers: the strongest neurons of this snapshot."""
        layout = snap.layout
        for col in range(1, len(self._units)):
            units = strongest_units(layout, snap.params, col, MAX_NODES)
            self._units[col] = units
            self._slot[col] = {int(u): k for k, u in enumerate(units)}

    def _draw_input_picture(self) -> None:
        """The mean of the data's images, in grey: what the first layer reads, on average."""
        ds = self.session.dataset
        if not ds.is_image or self._mean_of == id(ds.points) or not self._pos:
            return
        self._mean_of = id(ds.points)
        h, w = ds.image_shape
        mean = ds.points.mean(axis=0, dtype=np.float64).reshape(h, w) if ds.n else np.zeros((h, w))
        grey = (255 * (1.0 - np.clip(mean, 0, 1))).astype(np.uint8)  # ink dark on paper
        x, y = self._pos[0][0]
        side = self._input_side
        self.input_picture.setImage(
            grey, rect=QRectF(x - side / 2, y - side / 2, side, side), levels=(0, 255)
        )

    # ------------------------------------------------------------ drawing

    def update_snapshot(self, snap: Snapshot) -> None:
        self._snap = snap
        self._sync_structure(snap)
        if self._image:
            self._choose_units(snap)
            self._draw_input_picture()
        self._draw_edges(snap)
        self._draw_biases(snap)
        if snap.neuron_grids is not None:
            self._draw_nodes(snap)
        self.inspector.update_snapshot(snap)
        self.drawn.emit()

    def node_picture(self, col: int, i: int) -> np.ndarray:
        """Node ``i`` of column ``col``'s picture as drawn (rows top to bottom on screen)."""
        return self.node_pictures.tile(self._tile[(col, i)])

    def gradient_mode(self) -> bool:
        return self.gradients.isChecked()

    def _draw_edges(self, snap: Snapshot) -> None:
        layout = snap.layout
        flat = snap.grads if self.gradient_mode() else snap.params
        if self._image:
            edges = edges_among(layout, flat, MAX_EDGES, self._units)
        else:
            edges = shown_edges(layout, flat, MAX_EDGES, MAX_NODES)
        # one scale for the whole network (every weight, drawn or not)
        scale = max(
            (float(np.abs(layout.weight(flat, k)).max()) for k in range(layout.n_layers)),
            default=0.0,
        )
        start = self._places(edges.layer, edges.source) + [0.5, 0.0]
        end = self._places(edges.layer + 1, edges.target) - [0.5, 0.0]
        if self.gradient_mode():
            bins = magnitude_bins(edges.value, scale, GRAD_BINS)
            signs = np.full(bins.shape, "grad")
        else:
            bins = magnitude_bins(edges.value, scale, WIDTH_BINS)
            signs = np.where(edges.value >= 0, "+", "-")
        self._edges = edges
        self._edge_xy = np.hstack([start, end])
        for (sign, b), curve in self.edge_curves.items():
            mask = (bins == b) & (signs == sign)
            if not mask.any():
                curve.setData([], [])
                continue
            xs = np.column_stack([start[mask, 0], end[mask, 0]]).ravel()
            ys = np.column_stack([start[mask, 1], end[mask, 1]]).ravel()
            curve.setData(xs, ys)

    def _places(self, columns: np.ndarray, neurons: np.ndarray) -> np.ndarray:
        """Where each (column, neuron) is drawn, (n, 2) graph units: :meth:`_at` for many."""
        out = np.empty((len(columns), 2))
        for col in np.unique(columns):
            pick = columns == col
            slot = self._slot[int(col)]
            table = np.full(max(slot, default=-1) + 1, -1, np.int64)
            table[list(slot)] = list(slot.values())
            slots = table[neurons[pick]]
            if (slots < 0).any():
                raise KeyError(f"a neuron of column {col} that is not drawn has an edge")
            out[pick] = self._pos[int(col)][slots]
        return out

    def _draw_biases(self, snap: Snapshot) -> None:
        # the squares sit at each shown node's lower left corner (y grows downwards here);
        # the slots stay, only an image network's neurons in them change
        units = self._units[1:]
        values = [snap.bias(col)[u] for col, u in enumerate(units) if u is not None]
        v = np.concatenate(values).astype(np.float64) if values else np.empty(0)
        if not v.size:
            self.bias_marks.setData([])
            return
        xy = np.concatenate([pos[: len(u)] for pos, u in zip(self._pos[1:], units, strict=True)
                             if u is not None]) + [-0.5, 0.5]  # fmt: skip
        scale = float(np.abs(v).max()) or 1.0
        background = self.session.theme.rgb("plot_background")
        rgba = signed_colors(v, scale, background=background)
        pen = pg.mkPen(self.session.theme.muted, width=1)
        self.bias_marks.setData(
            x=xy[:, 0], y=xy[:, 1], brush=[self._brush(c) for c in map(tuple, rgba)], pen=pen
        )
        self.bias_values = v

    def _brush(self, rgba: tuple[int, ...]) -> QBrush:
        """One brush per colour, made once: ~50 mkBrush calls a snapshot cost more than
        the squares' drawing.  Bounded: colours drift as training goes."""
        brush = self._brushes.get(rgba)
        if brush is None:
            if len(self._brushes) >= 4096:
                self._brushes.clear()
            brush = self._brushes[rgba] = pg.mkBrush(*rgba)
        return brush

    def _draw_nodes(self, snap: Snapshot) -> None:
        grids = snap.neuron_grids
        assert grids is not None
        curve = grids.ndim == 2
        res = grids.shape[0]
        features = feature_grid(snap.spec, snap.grid_bounds, res, curve=curve)
        values = []
        keys = []
        offset = 0
        sizes = snap.spec.sizes
        for col, shown in enumerate(self._shown):
            for i in range(shown):
                if col == 0:
                    v = features[..., i]
                else:
                    v = grids[..., offset + i]
                values.append(v.reshape(1, -1) if curve else v)
                keys.append((col, i))
            if col:
                offset += sizes[col]
        stack = np.asarray(values, np.float64)
        centres = np.array([node_centre(col, snap.spec) for col, _ in keys])
        mosaic = node_mosaic(stack, centres, self.session.theme.rgb("plot_background"))
        self.node_pictures.set_mosaic(mosaic)
        for k, key in enumerate(keys):
            self._node_values[key] = stack[k]
            if not curve:  # the canvas draws rows bottom-to-top, as the plane runs
                self._node_rgba[key] = self.node_pictures.tile(k)[::-1]
        if self._hovered is not None:
            self._show_on_canvas(self._hovered)  # the canvas follows the training

    # ------------------------------------------------------------ gradients flow

    def _gradients_toggled(self, on: bool) -> None:
        self._set_legend()
        if self._snap is not None:
            self._draw_edges(self._snap)
        self._sync_flow()

    def _sync_flow(self) -> None:
        """The dash animation runs only while the view is on screen and gradients are on."""
        if self.is_active() and self.gradient_mode():
            if not self.flow_timer.isActive():
                self.flow_timer.start()
        else:
            self.flow_timer.stop()

    def _advance_flow(self) -> None:
        if not self.is_active():  # went behind another tab since the last tick
            self.flow_timer.stop()
            return
        # a growing dash offset moves the dashes towards each line's start: the source
        # neuron, on the left, so the gradient flows from the output back to the inputs
        self._dash = (self._dash + 0.5) % 1000.0
        for (sign, _), curve in self.edge_curves.items():
            if sign == "grad":
                pen = QPen(curve.opts["pen"])
                pen.setDashOffset(self._dash)
                curve.setPen(pen)

    def dash_offset(self) -> float:
        return self._dash

    def _watch_dock(self) -> None:
        """Follow the dock's tab switches (a tab brought to the front gets no show event)."""
        widget = self.parentWidget()
        while widget is not None and not isinstance(widget, QDockWidget):
            widget = widget.parentWidget()
        if widget is not None and widget is not self._dock:
            self._dock = widget
            widget.visibilityChanged.connect(self._dock_visibility)

    def _dock_visibility(self, visible: bool) -> None:
        # the tab's new geometry is set after the signal: check once the layout has run
        QTimer.singleShot(0, self, self._sync_flow)

    def showEvent(self, event) -> None:  # noqa: N802  (Qt API)
        super().showEvent(event)
        self._watch_dock()
        self._sync_flow()

    def hideEvent(self, event) -> None:  # noqa: N802  (Qt API)
        super().hideEvent(event)
        self._sync_flow()

    # ------------------------------------------------------------ picking

    def _pick(self, scene_pos: QPointF) -> Ref | None:
        """The node or edge under a scene position."""
        if not self._pos or not self.viewbox.sceneBoundingRect().contains(scene_pos):
            return None
        p = self.viewbox.mapSceneToView(scene_pos)
        px, py = p.x(), p.y()
        for col, pos in enumerate(self._pos):
            units = self._units[col]
            if units is None:
                continue  # an image's pixels: the picture is not one neuron
            hit = np.flatnonzero((np.abs(pos[:, 0] - px) <= 0.5) & (np.abs(pos[:, 1] - py) <= 0.5))
            if hit.size:
                return NodeRef(col, int(units[hit[0]]))
        if self._edges is None or not len(self._edge_xy):
            return None
        units_per_px = self.viewbox.viewPixelSize()[0]
        x0, y0, x1, y1 = self._edge_xy.T
        dx, dy = x1 - x0, y1 - y0
        length2 = dx * dx + dy * dy
        t = np.clip(((px - x0) * dx + (py - y0) * dy) / np.where(length2 > 0, length2, 1), 0, 1)
        dist = np.hypot(x0 + t * dx - px, y0 + t * dy - py)
        k = int(np.argmin(dist))
        if dist[k] > PICK_PX * units_per_px:
            return None
        e = self._edges
        return EdgeRef(int(e.layer[k]), int(e.source[k]), int(e.target[k]))

    def node_scene_pos(self, col: int, i: int) -> QPointF:
        """Scene position of a node's centre (for tests and hit checks)."""
        x, y = self._at(col, i)
        return self.viewbox.mapViewToScene(QPointF(float(x), float(y)))

    def edge_scene_pos(self, layer: int, src: int, dst: int, t: float = 0.5) -> QPointF:
        """Scene position of a point ``t`` along a drawn edge."""
        (x0, y0), (x1, y1) = self._at(layer, src) + [0.5, 0], self._at(layer + 1, dst) - [0.5, 0]
        return self.viewbox.mapViewToScene(
            QPointF(float(x0 + t * (x1 - x0)), float(y0 + t * (y1 - y0)))
        )

    def _show_on_canvas(self, node: NodeRef | None) -> None:
        """TF Playground's hover: the big canvas shows this neuron's output (None: stop)."""
        rgba = None if node is None else self._node_rgba.get((node.column, node.index))
        snap = self._snap
        if node is None or rgba is None or snap is None:
            self._hovered = None
            self.session.show_neuron(None)
            return
        self._hovered = node
        name = neuron_name(node.column, node.index, snap.spec)
        bounds = tuple(float(b) for b in snap.grid_bounds)
        picture = NeuronPicture(name, np.ascontiguousarray(rgba), bounds)  # type: ignore[arg-type]
        self.session.show_neuron(picture)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802  (Qt API)
        if event.type() == QEvent.Type.Leave:  # the pointer left the graph: back to the output
            self._show_on_canvas(None)
        return False

    def _mouse_moved(self, scene_pos: QPointF) -> None:
        picked = self._pick(scene_pos)
        self._show_on_canvas(picked if isinstance(picked, NodeRef) else None)
        ghost = self.ghost_at(scene_pos)
        if ghost is not None:
            text = translate(
                "NetworkView", "{name}: not fed in (click to feed it to the network)"
            ).format(name=FEATURE_LABELS.get(ghost, ghost))
            self.hover.setText(text)
            self.plot.setToolTip(text)
            return
        text = self._hint()
        if picked is not None and self._snap is not None:
            text = self._describe(picked, self._snap)
        self.hover.setText(text)
        self.plot.setToolTip(text if picked is not None else "")

    def ghost_at(self, scene_pos: QPointF) -> str | None:
        """The feature not fed in whose faded node is under ``scene_pos``."""
        if not self._ghosts or not self.viewbox.sceneBoundingRect().contains(scene_pos):
            return None
        p = self.viewbox.mapSceneToView(scene_pos)
        for name, x, y in self._ghosts:
            if abs(p.x() - x) <= 0.5 and abs(p.y() - y) <= 0.5:
                return name
        return None

    def ghost_scene_pos(self, name: str) -> QPointF:
        """Scene position of a feature's faded node (for tests)."""
        x, y = next((x, y) for n, x, y in self._ghosts if n == name)
        return self.viewbox.mapViewToScene(QPointF(x, y))

    def _mouse_clicked(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        ghost = self.ghost_at(event.scenePos())
        picked = self._pick(event.scenePos())
        if ghost is not None:
            self.session.toggle_feature(ghost)
        elif isinstance(picked, NodeRef) and picked.column == 0 and self._snap is not None:
            self.session.toggle_feature(self._snap.spec.features[picked.index])
        else:
            self._select(picked)

    def _describe(self, picked: Ref, snap: Snapshot) -> str:
        spec = snap.spec
        if isinstance(picked, EdgeRef):
            source, target, w, g = edge_facts(picked, snap)
            return translate("NetworkView", "{source} → {target}:  weight {w},  dL/dw {g}").format(
                source=source, target=target, w=signed(w), g=signed(g)
            )
        col, i = picked.column, picked.index
        name = neuron_name(col, i, spec)
        if col == 0:
            return translate("NetworkView", "{name}: input feature (click to take it out)").format(
                name=name
            )
        bias = float(snap.bias(col - 1)[i])
        text = translate("NetworkView", "{name} ({activation}): bias {bias}").format(
            name=name, activation=spec.activations[col - 1], bias=signed(bias)
        )
        values = self._node_values.get((col, i))
        if values is not None:
            text += translate("NetworkView", ",  output {low} … {high} over the plane").format(
                low=f"{values.min():.3g}", high=f"{values.max():.3g}"
            )
        return text.replace("-", "−")

    # ------------------------------------------------------------ selection

    def _select(self, picked: Ref | None) -> None:
        """Outline what was clicked and show it in the inspector (None: neither)."""
        snap = self._snap
        if picked is None or snap is None:
            self.selection.setData([], [])
        elif isinstance(picked, NodeRef):
            x, y = self._at(picked.column, picked.index)
            d = 0.62
            self.selection.setData(
                [x - d, x + d, x + d, x - d, x - d], [y - d, y - d, y + d, y + d, y - d]
            )
        else:
            (x0, y0) = self._at(picked.layer, picked.source)
            (x1, y1) = self._at(picked.layer + 1, picked.target)
            self.selection.setData([x0 + 0.5, x1 - 0.5], [y0, y1])
        self.inspector.inspect(picked, snap)

    def selected(self) -> Ref | None:
        return self.inspector.selected

    def _follow_pointer(self, x: float, y: float) -> None:
        self.inspector.follow_pointer(x, y, show=self.is_active())
