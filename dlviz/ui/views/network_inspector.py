"""The network graph's side panel: what one clicked neuron or weight is, and setting it.

:class:`NetworkInspector` has two pages.  A neuron's: its activation, bias
(editable), incoming weights and gradients, and its value for the point the
mouse is over on the data canvas (or one typed), from the core's reference
forward pass on the snapshot's parameters.  A weight's: its value and
gradient over the snapshots seen (the timeline's, then every one drawn since),
with the timeline's step marked, and a field to set it.  Edits go out as
:attr:`Session.weight_edit_requested`; the trainer applies them between slices.

What is picked is a :class:`NodeRef` or an :class:`EdgeRef`, never a bare tuple.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dlviz.core.analysis import neuron_values
from dlviz.core.colors import POSITIVE_HEX
from dlviz.core.features import FEATURE_LABELS
from dlviz.core.network import NetworkSpec
from dlviz.core.snapshot import Snapshot
from dlviz.ui.i18n import translate
from dlviz.ui.session import Session
from dlviz.ui.theme import plot_font
from dlviz.ui.views.base import StepMarker, View, unindexed

#: Edge gradients: reddish purple (Okabe–Ito), apart from the two weight signs.
GRADIENT_HEX = "#CC79A7"
#: Rows of a selected edge's history kept (one per snapshot seen).
HISTORY = 500
#: Inspector pages, in the stack's order.
HINT_PAGE, NEURON_PAGE, EDGE_PAGE = 0, 1, 2


@dataclass(frozen=True)
class NodeRef:
    """A neuron: ``column`` 0 is the inputs, the last the outputs; ``index`` from the top."""

    column: int
    index: int


@dataclass(frozen=True)
class EdgeRef:
    """The weight from neuron ``source`` of column ``layer`` to ``target`` of ``layer + 1``."""

    layer: int
    source: int
    target: int


Ref = NodeRef | EdgeRef


def signed(value: float) -> str:
    return f"{value:+.4g}".replace("-", "−")


def neuron_name(col: int, i: int, spec: NetworkSpec) -> str:
    if col == 0:
        name = spec.features[i]
        return translate("NetworkInspector", "input {feature}").format(
            feature=FEATURE_LABELS.get(name, name)
        )
    if col == len(spec.sizes) - 1:
        return translate("NetworkInspector", "output {n}").format(n=i + 1)
    return translate("NetworkInspector", "layer {layer} neuron {n}").format(layer=col, n=i + 1)


def edge_facts(edge: EdgeRef, snap: Snapshot) -> tuple[str, str, float, float]:
    """(source name, target name, weight, last-batch gradient) of an edge."""
    return (
        neuron_name(edge.layer, edge.source, snap.spec),
        neuron_name(edge.layer + 1, edge.target, snap.spec),
        float(snap.weight(edge.layer)[edge.source, edge.target]),
        float(snap.weight_grad(edge.layer)[edge.source, edge.target]),
    )


class NetworkInspector(QStackedWidget):
    """The inspector pages of one network view (GUI thread only)."""

    def __init__(self, session: Session, view: View) -> None:
        super().__init__(view)
        self.session = session
        self.setObjectName("network-inspector")
        self.setMinimumWidth(300)
        self.setMaximumWidth(380)
        self.selected: Ref | None = None
        self._snap: Snapshot | None = None
        self._history: deque[tuple[int, float, float]] = deque(maxlen=HISTORY)
        #: Curve data (one input): the typed point has no x₂.
        self.curve = False

        hint = QLabel(
            translate("NetworkInspector", "Click a neuron or an edge to inspect it."), self
        )
        hint.setWordWrap(True)
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.addWidget(hint)

        # neuron page
        neuron, box, self.neuron_title, self.neuron_text = _page(self, "neuron")
        point = QHBoxLayout()
        self.point_x = QDoubleSpinBox(neuron)
        self.point_x.setObjectName("network-point-x")
        self.point_y = QDoubleSpinBox(neuron)
        self.point_y.setObjectName("network-point-y")
        for spin, what in ((self.point_x, "x₁"), (self.point_y, "x₂")):
            spin.setRange(-1000.0, 1000.0)
            spin.setDecimals(3)
            spin.setSingleStep(0.1)
            spin.setToolTip(
                translate(
                    "NetworkInspector",
                    "{what} of the point whose value is shown; hover the data canvas to set it",
                ).format(what=what)
            )
            spin.valueChanged.connect(self._show_point_value)
        point.addWidget(QLabel(translate("NetworkInspector", "Point x₁"), neuron))
        point.addWidget(self.point_x)
        point.addWidget(QLabel("x₂", neuron))
        point.addWidget(self.point_y)
        self.point_value = QLabel(neuron)
        self.point_value.setObjectName("network-point-value")
        self.point_value.setWordWrap(True)
        self.weights_table = QTableWidget(0, 3, neuron)
        self.weights_table.setObjectName("network-weights")
        self.weights_table.setHorizontalHeaderLabels(
            [
                translate("NetworkInspector", "from"),
                translate("NetworkInspector", "weight"),
                translate("NetworkInspector", "gradient"),
            ]
        )
        self.weights_table.verticalHeader().setVisible(False)
        self.weights_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.weights_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        bias_row = QHBoxLayout()
        self.bias_edit = QDoubleSpinBox(neuron)
        self.bias_edit.setObjectName("network-bias-edit")
        self.bias_apply = QPushButton(translate("NetworkInspector", "Set bias"), neuron)
        self.bias_apply.setObjectName("network-bias-apply")
        self.bias_apply.clicked.connect(self._apply_bias)
        bias_row.addWidget(QLabel(translate("NetworkInspector", "Bias"), neuron))
        bias_row.addWidget(self.bias_edit, 1)
        bias_row.addWidget(self.bias_apply)
        box.addWidget(self.neuron_title)
        box.addWidget(self.neuron_text)
        box.addLayout(point)
        box.addWidget(self.point_value)
        box.addLayout(bias_row)
        box.addWidget(self.weights_table, 1)
        self.addWidget(neuron)

        # edge page
        edge, box, self.edge_title, self.edge_text = _page(self, "edge")
        with view.owning_new_menus():
            self.history_plots = unindexed(pg.GraphicsLayoutWidget())
            self.weight_plot = self.history_plots.addPlot(row=0, col=0)
            self.grad_plot = self.history_plots.addPlot(row=1, col=0)
            self.weight_curve = self.weight_plot.plot()
            self.grad_curve = self.grad_plot.plot()
        self.history_plots.setParent(edge)
        self.history_plots.setObjectName("network-history")
        self.history_plots.setMinimumHeight(220)
        for plot in (self.weight_plot, self.grad_plot):
            View.prepare_axes(plot)
            plot.hideButtons()
            plot.setMenuEnabled(False)
            plot.setMouseEnabled(False, False)
        self.weight_plot.setXLink(self.grad_plot)
        self.marker = StepMarker()  # the timeline's step on the edge's history
        edit_row = QHBoxLayout()
        self.weight_edit = QDoubleSpinBox(edge)
        self.weight_edit.setObjectName("network-weight-edit")
        self.weight_apply = QPushButton(translate("NetworkInspector", "Set weight"), edge)
        self.weight_apply.setObjectName("network-weight-apply")
        self.weight_apply.clicked.connect(self._apply_weight)
        for spin in (self.weight_edit, self.bias_edit):
            spin.setRange(-1e4, 1e4)  # wide enough for any weight a run reaches
            spin.setDecimals(4)
            spin.setSingleStep(0.1)
        edit_row.addWidget(QLabel(translate("NetworkInspector", "Weight"), edge))
        edit_row.addWidget(self.weight_edit, 1)
        edit_row.addWidget(self.weight_apply)
        box.addWidget(self.edge_title)
        box.addWidget(self.edge_text)
        box.addWidget(self.history_plots, 1)
        box.addLayout(edit_row)
        self.addWidget(edge)

    # ------------------------------------------------------------ appearance

    def apply_theme(self) -> None:
        theme, scale = self.session.theme, self.session.scale
        self.history_plots.setBackground(theme.plot_background)
        self.marker.attach([self.weight_plot, self.grad_plot], theme.plot_foreground)
        fg = pg.mkPen(theme.plot_foreground)
        font = plot_font(scale)
        for plot, name in (
            (self.weight_plot, translate("NetworkInspector", "weight")),
            (self.grad_plot, "dL/dw"),
        ):
            for side in ("left", "bottom"):
                axis = plot.getAxis(side)
                axis.setPen(fg)
                axis.setTextPen(fg)
                axis.setStyle(tickFont=font)
            plot.setLabel("left", name, color=theme.plot_foreground, size=f"{scale.font_pt}pt")
            plot.setLabel(
                "bottom",
                translate("NetworkInspector", "step"),
                color=theme.plot_foreground,
                size=f"{scale.font_pt}pt",
            )
        line = scale.line_px
        self.weight_curve.setPen(pg.mkPen(POSITIVE_HEX, width=line))
        self.grad_curve.setPen(pg.mkPen(GRADIENT_HEX, width=line))
        big = QFont(self.font())
        big.setPointSizeF(scale.font_pt * 1.15)
        big.setBold(True)
        self.neuron_title.setFont(big)
        self.edge_title.setFont(big)

    # ------------------------------------------------------------ what is inspected

    def inspect(self, ref: Ref | None, snap: Snapshot | None) -> None:
        """Show ``ref`` (None: nothing picked, the inspector hides)."""
        self.selected = ref
        self._snap = snap
        self._history.clear()
        if ref is None or snap is None:
            self.setCurrentIndex(HINT_PAGE)
            self.hide()
            return
        self.show()
        if isinstance(ref, NodeRef):
            has_bias = ref.column > 0
            for w in (self.bias_edit, self.bias_apply):
                w.setEnabled(has_bias)
            if has_bias:
                self.bias_edit.setValue(float(snap.bias(ref.column - 1)[ref.index]))
            self.setCurrentIndex(NEURON_PAGE)
        else:
            self.weight_edit.setValue(float(snap.weight(ref.layer)[ref.source, ref.target]))
            self.setCurrentIndex(EDGE_PAGE)
            # what led here, as far as the timeline remembers
            for past in self.session.past()[-HISTORY:]:
                if past.spec.sizes == snap.spec.sizes:
                    self._record_history(past, seeding=True)
        self._record_history(snap)
        self._show_selected()

    def update_snapshot(self, snap: Snapshot) -> None:
        self._snap = snap
        self.marker.follow(self.session, snap)
        self._record_history(snap)
        self._show_selected()

    def _record_history(self, snap: Snapshot, *, seeding: bool = False) -> None:
        """Add ``snap``'s row to the selected edge's history (``seeding``: from the timeline)."""
        ref = self.selected
        if not isinstance(ref, EdgeRef):
            return
        if not seeding and self.marker.step is not None:
            return  # a timeline step on screen: the history keeps the whole run
        row = (
            snap.step,
            float(snap.weight(ref.layer)[ref.source, ref.target]),
            float(snap.weight_grad(ref.layer)[ref.source, ref.target]),
        )
        while self._history and self._history[-1][0] > snap.step:
            self._history.pop()  # a reset, or resumed from an earlier step
        if self._history and self._history[-1][0] == snap.step:
            self._history[-1] = row  # the same step again (an edit while paused)
        else:
            self._history.append(row)

    def edge_history(self) -> np.ndarray:
        """(n, 3) rows of step, weight, gradient of the selected edge: the timeline's
        snapshots before it was picked, then every snapshot seen since."""
        return np.array(self._history, np.float64).reshape(-1, 3)

    def _show_selected(self) -> None:
        ref, snap = self.selected, self._snap
        if ref is None or snap is None:
            return
        spec = snap.spec
        if isinstance(ref, EdgeRef):
            source, target, w, g = edge_facts(ref, snap)
            self.edge_title.setText(f"{source[0].upper()}{source[1:]} → {target}")
            self.edge_text.setText(
                translate("NetworkInspector", "weight {w}\ndL/dw {g} (last batch)").format(
                    w=signed(w), g=signed(g)
                )
            )
            h = self.edge_history()
            symbol = "o" if len(h) < 2 else None
            self.weight_curve.setData(h[:, 0], h[:, 1], symbol=symbol, symbolBrush=POSITIVE_HEX)
            self.grad_curve.setData(h[:, 0], h[:, 2], symbol=symbol, symbolBrush=GRADIENT_HEX)
            return
        col, i = ref.column, ref.index
        self.neuron_title.setText(neuron_name(col, i, spec).capitalize())
        if col == 0:
            self.neuron_text.setText(
                translate("NetworkInspector", "Input feature: what the first layer reads.")
            )
            self.weights_table.setRowCount(0)
        else:
            bias = float(snap.bias(col - 1)[i])
            kind = (
                translate("NetworkInspector", "output")
                if col == len(spec.sizes) - 1
                else translate("NetworkInspector", "hidden layer {n}").format(n=col)
            )
            self.neuron_text.setText(
                translate(
                    "NetworkInspector",
                    "{kind}, activation {activation}\nbias {bias}   (dL/db {grad})",
                ).format(
                    kind=kind,
                    activation=spec.activations[col - 1],
                    bias=signed(bias),
                    grad=signed(float(snap.bias_grad(col - 1)[i])),
                )
            )
            w = snap.weight(col - 1)[:, i]
            g = snap.weight_grad(col - 1)[:, i]
            table = self.weights_table
            table.setRowCount(w.size)
            for r in range(w.size):
                cells = (neuron_name(col - 1, r, spec), signed(float(w[r])), signed(float(g[r])))
                for c, text in enumerate(cells):
                    item = table.item(r, c)
                    if item is None:
                        item = QTableWidgetItem()
                        table.setItem(r, c, item)
                    item.setText(text)
        self.point_y.setEnabled(len(snap.grid_bounds) == 4 and not self.curve)
        self._show_point_value()

    # ------------------------------------------------------------ a neuron's value at a point

    def point(self) -> np.ndarray:
        """The typed point as one raw input row ((1, 2), or (1, 1) for curve data)."""
        if self.curve:
            return np.array([[self.point_x.value()]], np.float32)
        return np.array([[self.point_x.value(), self.point_y.value()]], np.float32)

    def point_values(self) -> tuple[float, float] | None:
        """(pre-activation, output) of the selected neuron for the typed point."""
        ref, snap = self.selected, self._snap
        if not isinstance(ref, NodeRef) or snap is None:
            return None
        z, a = neuron_values(snap.spec, snap.params, self.point())
        return float(z[ref.column][0, ref.index]), float(a[ref.column][0, ref.index])

    def follow_pointer(self, x: float, y: float, *, show: bool) -> None:
        """The inspected neuron's value follows the point the mouse is over on the canvas."""
        if not isinstance(self.selected, NodeRef):
            return
        for spin, value in ((self.point_x, x), (self.point_y, y)):
            if spin.isEnabled():
                spin.blockSignals(True)
                spin.setValue(value)
                spin.blockSignals(False)
        if show:  # hidden, it shows the value when it next draws
            self._show_point_value()

    def _show_point_value(self) -> None:
        values = self.point_values()
        ref = self.selected
        if values is None or not isinstance(ref, NodeRef):
            return
        z, a = values
        if ref.column == 0:
            self.point_value.setText(
                translate("NetworkInspector", "feature value {a}").format(a=signed(a))
            )
        else:
            self.point_value.setText(
                translate("NetworkInspector", "output {a}   (weighted sum z {z})").format(
                    a=signed(a), z=signed(z)
                )
            )

    # ------------------------------------------------------------ edits

    def _apply_weight(self) -> None:
        ref = self.selected
        if isinstance(ref, EdgeRef):
            value = float(self.weight_edit.value())
            self.session.weight_edit_requested.emit(ref.layer, ref.source, ref.target, value)

    def _apply_bias(self) -> None:
        ref = self.selected
        if isinstance(ref, NodeRef) and ref.column > 0:
            value = float(self.bias_edit.value())
            self.session.weight_edit_requested.emit(ref.column - 1, -1, ref.index, value)


def _page(pages: QWidget, what: str) -> tuple[QWidget, QVBoxLayout, QLabel, QLabel]:
    """An inspector page: its column, a title and a selectable text (``network-<what>-...``)."""
    page = QWidget(pages)
    box = QVBoxLayout(page)
    box.setContentsMargins(8, 6, 8, 6)
    title = QLabel(page)
    title.setObjectName(f"network-{what}-title")
    text = QLabel(page)
    text.setObjectName(f"network-{what}-text")
    text.setWordWrap(True)
    text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return page, box, title, text
