"""Backpropagation step by step: one training point through forward, loss, backward and
update, with the network's real numbers in each equation.

The numbers are :func:`dlviz.core.explain.explain_for_trainer`'s, worked out
on the worker's trainer (its weights, optimizer state, scheduled learning
rate, L1/L2) for the chosen point.  *Next* and *Back* (or → and ←) walk
through the stages: forward left to right, one neuron at a time for networks
up to 3 hidden layers of 8 (larger ones: one layer at a time, showing the
chosen neuron's numbers), the loss, backward right to left, and the update.
The drawing highlights the layer, neuron and edges of the stage.  *Apply*
takes the step in the trainer (a batch of one: this point's gradient alone,
counted as one optimizer step), *Discard* forgets it; training goes on from
whichever.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from dlviz.core.colors import NEGATIVE_HEX, POSITIVE_HEX
from dlviz.core.errors import DlvizError
from dlviz.core.explain import (
    LOSS_FORMULAS,
    STATE_NAMES,
    UPDATE_RULES,
    Explanation,
    apply_explanation,
    encode_target,
    explain_for_trainer,
    explain_point,
)
from dlviz.core.kernels.reference import activate_grad
from dlviz.core.optim import learning_rates
from dlviz.core.snapshot import Snapshot
from dlviz.core.trainer import Trainer
from dlviz.ui.core_texts import optimizer_label
from dlviz.ui.i18n import core_line, translate
from dlviz.ui.session import Session
from dlviz.ui.views.base import View, unindexed
from dlviz.ui.views.controls import ControlStrip

PHASES = ("forward", "loss", "backward", "update")
PHASE_TITLES = {
    "forward": QT_TRANSLATE_NOOP("BackpropView", "1 · Forward pass"),
    "loss": QT_TRANSLATE_NOOP("BackpropView", "2 · Loss"),
    "backward": QT_TRANSLATE_NOOP("BackpropView", "3 · Backward pass"),
    "update": QT_TRANSLATE_NOOP("BackpropView", "4 · Update"),
}
FORWARD_COLOR = "#0072B2"
BACKWARD_COLOR = "#D55E00"
LOSS_COLOR = "#CC79A7"
UPDATE_COLOR = "#009E73"
PHASE_COLORS = {
    "forward": FORWARD_COLOR,
    "loss": LOSS_COLOR,
    "backward": BACKWARD_COLOR,
    "update": UPDATE_COLOR,
}
#: Networks up to this size show every neuron's numbers (the issue's 3 × 8).
SMALL_LAYERS, SMALL_WIDTH = 3, 8
#: Neurons drawn per column; terms written out per sum.
DRAWN, TERMS = 8, 8
BATCH_OF_ONE = QT_TRANSLATE_NOOP(
    "BackpropView", "A batch of one: Apply moves the network by this point's gradient alone."
)


def num(v: float) -> str:
    return f"{v:.4g}"


def term(v: float) -> str:
    """A number inside a sum: negative ones in brackets."""
    return f"({num(v)})" if v < 0 else num(v)


@dataclass(frozen=True)
class Stage:
    """One step of the walk: which phase, layer (weight layer; -1 the inputs) and neuron."""

    phase: str
    layer: int
    neuron: int | None
    html: str


def small(e: Explanation) -> bool:
    return len(e.spec.hidden) <= SMALL_LAYERS and all(h.width <= SMALL_WIDTH for h in e.spec.hidden)


def _sum_text(coeffs: np.ndarray, values: np.ndarray) -> str:
    parts = [f"{term(w)}·{term(a)}" for w, a in zip(coeffs[:TERMS], values[:TERMS], strict=True)]
    more = len(coeffs) - TERMS
    rest = translate("BackpropView", " + … ({n} more)").format(n=more) if more > 0 else ""
    return " + ".join(parts) + rest


def forward_html(e: Explanation, layer: int, j: int) -> str:
    s = e.layers[layer]
    a_in = e.features if layer == 0 else e.layers[layer - 1].a
    act = e.spec.activations[layer]
    out = f"z = Σ wᵢ·aᵢ + b = {_sum_text(s.w[:, j], a_in)} + {term(s.b[j])} = <b>{num(s.z[j])}</b>"
    if act == "softmax":
        f = f"a = softmax(z)ⱼ = e^zⱼ / Σₖ e^zₖ = <b>{num(s.a[j])}</b>"
    else:
        f = f"a = {act}(z) = {act}({num(s.z[j])}) = <b>{num(s.a[j])}</b>"
    return f"{out}<br>{f}"


def loss_html(e: Explanation) -> str:
    a, y, loss = e.layers[-1].a, e.target, e.spec.loss
    if loss == "ce":
        k = int(np.argmax(y))
        body = f"L = −log a<sub>{k + 1}</sub> = −log {num(a[k])}"
    elif loss == "bce":
        parts = [
            f"{num(t)}·log {num(p)} + {num(1 - t)}·log {num(1 - p)}"
            for p, t in zip(a, y, strict=True)
        ]
        body = "L = −" + (" + ".join(f"[{p}]" for p in parts))
        if len(a) > 1:
            body = f"L = −(1/{len(a)})·Σ[…] " + translate(
                "BackpropView", "over {n} outputs"
            ).format(n=len(a))
    else:
        parts = [f"({num(p)} − {num(t)})²" for p, t in zip(a, y, strict=True)]
        body = "L = " + (
            " + ".join(parts) if len(a) == 1 else f"(1/{len(a)})·[" + " + ".join(parts) + "]"
        )
    text = f"{LOSS_FORMULAS[loss]}<br>{body} = <b>{num(e.loss)}</b>"
    if e.l1 or e.l2:
        text += "<br>" + translate(
            "BackpropView", "(L1/L2 add {value} to the objective; training reports L)"
        ).format(value=num(e.regularisation))
    return text


def backward_html(e: Explanation, layer: int, j: int) -> str:
    s = e.layers[layer]
    last = layer == len(e.layers) - 1
    k = len(s.a)
    if last:
        if e.spec.loss == "ce":
            d = f"δ = ∂L/∂z = a − y = {num(s.a[j])} − {num(e.target[j])}"
        elif e.spec.loss == "bce":
            d = f"δ = ∂L/∂z = (a − y)/{k} = ({num(s.a[j])} − {num(e.target[j])})/{k}"
        else:
            d = (f"δ = ∂L/∂z = 2(a − y)/{k} · f′(z) = 2·({num(s.a[j])} − {num(e.target[j])})/{k}"
                 f" · f′({num(s.z[j])})")  # fmt: skip
    else:
        nxt = e.layers[layer + 1]
        act = e.spec.activations[layer]
        slope = activate_grad(act, s.z[j : j + 1], s.a[j : j + 1])[0]
        d = (f"δ = (Σₖ wⱼₖ·δₖ) · f′(z) = ({_sum_text(nxt.w[j], nxt.delta)}) · "
             f"{act}′({num(s.z[j])}) = {num(nxt.w[j] @ nxt.delta)} · {num(slope)}")  # fmt: skip
    a_in = e.features if layer == 0 else e.layers[layer - 1].a
    rows = [
        f"∂L/∂w<sub>{i + 1},{j + 1}</sub> = a<sub>{i + 1}</sub>·δ = {term(a_in[i])}·"
        f"{term(s.delta[j])}{_reg(e, s.w[i, j])} = <b>{num(s.d_w[i, j])}</b>"
        for i in range(min(len(a_in), TERMS))
    ]
    if len(a_in) > TERMS:
        rows.append(translate("BackpropView", "… ({n} more edges)").format(n=len(a_in) - TERMS))
    return (f"{d} = <b>{num(s.delta[j])}</b><br>" + "<br>".join(rows)
            + f"<br>∂L/∂b = δ = <b>{num(s.d_b[j])}</b>")  # fmt: skip


def _reg(e: Explanation, w: float) -> str:
    text = ""
    if e.l1:
        text += f" + {num(e.l1)}·sign(w)"
    if e.l2:
        text += f" + {num(e.l2)}·{term(w)}"
    return text


def update_html(e: Explanation, layer: int, j: int) -> str:
    s = e.layers[layer]
    name = e.optimizer.name
    lines = [f"{optimizer_label(name)}, η = {num(e.lr)}: {UPDATE_RULES[name]}"]
    fan_in = s.w.shape[0]
    shown = list(range(min(fan_in, TERMS - 2)))
    for i in [*shown, -1]:
        old = s.b[j] if i < 0 else s.w[i, j]
        new = s.new_b[j] if i < 0 else s.new_w[i, j]
        g = s.d_b[j] if i < 0 else s.d_w[i, j]
        label = "b" if i < 0 else f"w<sub>{i + 1},{j + 1}</sub>"
        detail = _state_text(e, layer, i, j)
        lines.append(f"{label}: {num(old)} → <b>{num(new)}</b>  (g = {num(g)}{detail})")
    if fan_in > len(shown):
        lines.append(
            translate("BackpropView", "… ({n} more weights)").format(n=fan_in - len(shown))
        )
    return "<br>".join(lines)


def _state_text(e: Explanation, layer: int, i: int, j: int) -> str:
    names = STATE_NAMES[e.optimizer.name]
    if not names:
        return ""
    from dlviz.core.network import ParamLayout

    layout = ParamLayout.of(e.spec.sizes)

    def at(flat: np.ndarray) -> float:
        return float((layout.bias(flat, layer)[j]) if i < 0 else layout.weight(flat, layer)[i, j])

    parts = [f"{n} = {num(at(getattr(e.state_after, n)))}" for n in names]
    if e.m_hat is not None and e.v_hat is not None:
        parts += [f"m̂ = {num(at(e.m_hat))}", f"v̂ = {num(at(e.v_hat))}"]
    return ", " + ", ".join(parts)


def build_stages(e: Explanation, chosen: int = 0) -> list[Stage]:
    """The walk through the four phases; per neuron for small nets, else per layer."""
    per_neuron = small(e)
    stages: list[Stage] = []

    def neurons(layer: int) -> list[int]:
        width = e.spec.sizes[layer + 1]
        return list(range(width)) if per_neuron else [min(chosen, width - 1)]

    inputs = ", ".join(num(v) for v in e.features)
    stages.append(
        Stage(
            "forward",
            -1,
            None,
            translate("BackpropView", "the input a⁰ = [{inputs}]").format(inputs=inputs),
        )
    )
    for layer in range(len(e.layers)):
        for j in neurons(layer):
            stages.append(Stage("forward", layer, j, forward_html(e, layer, j)))
    stages.append(Stage("loss", len(e.layers) - 1, None, loss_html(e)))
    for layer in reversed(range(len(e.layers))):
        for j in neurons(layer):
            stages.append(Stage("backward", layer, j, backward_html(e, layer, j)))
    for layer in range(len(e.layers)):
        for j in neurons(layer):
            stages.append(Stage("update", layer, j, update_html(e, layer, j)))
    return stages


class BackpropView(View):
    """The four phases of one training step, with the numbers, and Apply / Discard."""

    name = "backprop"
    title = QT_TRANSLATE_NOOP("views", "Backpropagation step by step")
    short_title = QT_TRANSLATE_NOOP("views", "Backprop")
    default_area = "right"
    #: Points only: every number of one point's step (784 pixels make tables no one
    #: reads), and the point is picked on the canvas.
    data_kinds = frozenset({"points"})

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.x1 = self._coordinate("backprop-x1")
        self.x2 = self._coordinate("backprop-x2")
        self.target = QComboBox(self)
        self.target.setObjectName("backprop-target")
        self.value = QDoubleSpinBox(self)
        self.value.setObjectName("backprop-value")
        self.value.setRange(-1e6, 1e6)
        self.value.setDecimals(3)
        self.next_point = QPushButton(translate("BackpropView", "Next point"), self)
        self.next_point.setToolTip(translate("BackpropView", "the next training point, in turn"))
        self.next_point.setObjectName("backprop-next-point")
        self.next_point.clicked.connect(self.pick_next_point)
        self.pick_button = QPushButton(translate("BackpropView", "Pick on canvas"), self)
        self.pick_button.setObjectName("backprop-pick")
        self.pick_button.setCheckable(True)
        self.pick_button.setToolTip(
            translate("BackpropView", "then click a point of the data canvas")
        )
        self.pick_button.toggled.connect(self._picking)
        self.neuron = QSpinBox(self)
        self.neuron.setObjectName("backprop-neuron")
        self.neuron.setPrefix(translate("BackpropView", "neuron "))
        self.neuron.setMinimum(1)
        self.neuron.setToolTip(translate("BackpropView", "whose numbers a large network shows"))
        for box in (self.x1, self.x2, self.value):
            box.editingFinished.connect(self.explain)
        self.target.activated.connect(lambda _i: self.explain())
        self.neuron.valueChanged.connect(lambda _v: self._restage())
        pick = QHBoxLayout()
        pick.setContentsMargins(6, 2, 6, 2)
        pick.addWidget(QLabel(translate("BackpropView", "Point"), self))
        pick.addWidget(self.x1)
        pick.addWidget(self.x2)
        pick.addWidget(QLabel(translate("BackpropView", "target"), self))
        pick.addWidget(self.target)
        pick.addWidget(self.value)
        pick.addWidget(self.neuron)
        pick.addStretch(1)

        self.back = QPushButton(translate("BackpropView", "◀ Back"), self)
        self.back.setObjectName("backprop-back")
        self.back.setToolTip(translate("BackpropView", "previous stage (←)"))
        self.back.clicked.connect(lambda: self.go(-1))
        self.forward_button = QPushButton(translate("BackpropView", "Next ▶"), self)
        self.forward_button.setObjectName("backprop-next")
        self.forward_button.setToolTip(translate("BackpropView", "next stage (→)"))
        self.forward_button.clicked.connect(lambda: self.go(1))
        self.phase_buttons: dict[str, QPushButton] = {}
        walk = QHBoxLayout()
        walk.setContentsMargins(6, 2, 6, 2)
        walk.addWidget(self.next_point)
        walk.addWidget(self.pick_button)
        walk.addWidget(self.back)
        walk.addWidget(self.forward_button)
        walk.addStretch(1)
        phases = QHBoxLayout()
        phases.setContentsMargins(6, 2, 6, 2)
        for phase in PHASES:
            # "1 · Forward pass" -> "Forward pass" (the translation keeps the " · ")
            title = translate("BackpropView", PHASE_TITLES[phase])
            button = QPushButton(title.split(" · ")[-1], self)
            button.setObjectName(f"backprop-phase-{phase}")
            button.setCheckable(True)
            button.clicked.connect(lambda _c, p=phase: self.jump(p))
            self.phase_buttons[phase] = button
            phases.addWidget(button)
        phases.addStretch(1)
        self.apply_button = QPushButton(translate("BackpropView", "Apply step"), self)
        self.apply_button.setObjectName("backprop-apply")
        self.apply_button.setToolTip(
            translate("BackpropView", "take this point's step in the network (a batch of one)")
        )
        self.apply_button.clicked.connect(self.apply)
        self.discard_button = QPushButton(translate("BackpropView", "Discard"), self)
        self.discard_button.setObjectName("backprop-discard")
        self.discard_button.clicked.connect(self.discard)
        walk.addWidget(self.apply_button)
        walk.addWidget(self.discard_button)

        self.notice = QLabel(translate("BackpropView", BATCH_OF_ONE), self)
        self.notice.setObjectName("backprop-batch-of-one")
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("font-weight: bold;")
        self.heading = QLabel(self)
        self.heading.setObjectName("backprop-heading")
        self.heading.setWordWrap(True)
        self.equation = QLabel(self)
        self.equation.setObjectName("backprop-equation")
        self.equation.setTextFormat(Qt.TextFormat.RichText)
        self.equation.setWordWrap(True)
        self.equation.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.equation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.equation.setMinimumHeight(40)
        self.status = QLabel(self)
        self.status.setObjectName("backprop-status")
        self.status.setWordWrap(True)

        with self.owning_new_menus():
            self.graphics = unindexed(pg.GraphicsLayoutWidget())
            self.plot = self.graphics.addPlot()
        self.graphics.setObjectName("backprop-graph")
        self.graphics.setMinimumHeight(70)
        for side in ("left", "bottom"):
            self.plot.hideAxis(side)
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        # the edges in the weights' colours (blue positive, orange negative, as elsewhere)
        self.edges = pg.PlotCurveItem(connect="pairs")
        self.negative_edges = pg.PlotCurveItem(connect="pairs")
        self.hot_edges = pg.PlotCurveItem(connect="pairs")
        self.hot_edges.setZValue(2)
        self.nodes = pg.ScatterPlotItem(size=24)
        self.nodes.setZValue(3)
        for item in (self.edges, self.negative_edges, self.hot_edges, self.nodes):
            self.plot.addItem(item)
        self.labels: list[pg.TextItem] = []

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(ControlStrip(self, pick, walk, phases))
        layout.addWidget(self.notice)
        layout.addWidget(self.graphics, 2)
        # the equations scroll: a long update stage never forces the view wider or taller
        text = QWidget(self)
        text_layout = QVBoxLayout(text)
        text_layout.setContentsMargins(6, 2, 6, 2)
        text_layout.addWidget(self.heading)
        text_layout.addWidget(self.equation, 1)
        text_layout.addWidget(self.status)
        scroll = QScrollArea(self)
        scroll.setWidget(text)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout.addWidget(scroll, 2)

        for key, step in ((Qt.Key.Key_Right, 1), (Qt.Key.Key_Left, -1)):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda s=step: self.go(s))

        self._exact: tuple[np.ndarray, float] | None = None
        self.explanation: Explanation | None = None
        self.params_before: np.ndarray | None = None
        self.explained_step = -1
        self.stages: list[Stage] = []
        self.index = 0
        self._point_index = -1
        #: A job on the trainer is under way (working a step out, or applying it).
        self._pending = False
        self._kind: tuple[str, int] | None = None
        session.dataset_changed.connect(lambda _r: self._data_changed())
        session.theme_changed.connect(self._restyle)
        self._restyle()
        self.neuron.setVisible(False)  # only large networks need it
        self.value.setMaximumWidth(110)
        self._data_changed()
        self._sync_buttons()

    def _coordinate(self, name: str) -> QDoubleSpinBox:
        box = QDoubleSpinBox(self)
        box.setObjectName(name)
        box.setRange(-1e4, 1e4)
        box.setDecimals(3)
        box.setSingleStep(0.1)
        box.setMaximumWidth(110)
        return box

    def _restyle(self) -> None:
        theme = self.session.theme
        self.graphics.setBackground(theme.plot_background)
        for item, hex_color in ((self.edges, POSITIVE_HEX), (self.negative_edges, NEGATIVE_HEX)):
            faint = pg.mkColor(hex_color)
            faint.setAlpha(110)  # the stage's own edges, full strength, stand out over these
            item.setPen(pg.mkPen(faint, width=1.5))
        font = self.font()
        font.setPointSizeF(self.session.scale.font_pt * 1.15)
        self.equation.setFont(font)
        self._draw_stage()

    # ------------------------------------------------------------ the point

    def _data_changed(self) -> None:
        if not self.fits_data():
            return
        ds = self.session.dataset
        kind = (ds.kind, ds.n_classes)
        if kind != self._kind:
            self._kind = kind
            self.target.clear()
            for k in range(max(ds.n_classes, 2)):
                self.target.addItem(translate("BackpropView", "class {n}").format(n=k + 1), k)
            classify = ds.kind == "classify"
            self.target.setVisible(classify)
            self.value.setVisible(not classify)
            self.x2.setVisible(ds.kind != "curve")
        self.discard(quiet=True)
        self._point_index = -1
        self._exact = None

    def point(self) -> tuple[np.ndarray, float]:
        ds = self.session.dataset
        coords = [self.x1.value()] if ds.kind == "curve" else [self.x1.value(), self.x2.value()]
        target = (
            float(self.target.currentData() or 0) if ds.kind == "classify" else self.value.value()
        )
        exact = self._exact
        if exact is not None and np.allclose(exact[0], coords, atol=1e-3) and exact[1] == target:
            return exact  # a data point: its own coordinates, not the fields' rounding
        return np.array(coords), target

    def pick_next_point(self) -> None:
        """The next training point (in the data's order), then work out its step."""
        ds = self.session.dataset
        rows = np.flatnonzero(~ds.is_test)
        if rows.size == 0:
            self.status.setText(
                translate("BackpropView", "There are no training points: draw some first.")
            )
            return
        self._point_index = (self._point_index + 1) % rows.size
        row = rows[self._point_index]
        self.set_point(ds.inputs[row], float(ds.targets[row]))

    def _picking(self, on: bool) -> None:
        self.session.point_picker = self._picked if on else None
        if on:
            self.status.setText(translate("BackpropView", "Click a point of the data canvas."))

    def _picked(self, index: int) -> None:
        """A point clicked on the canvas (picking ends with it)."""
        ds = self.session.dataset
        self.pick_button.setChecked(False)
        rows = np.flatnonzero(~ds.is_test)
        where = np.flatnonzero(rows == index)
        self._point_index = int(where[0]) if where.size else self._point_index
        self.set_point(ds.inputs[index], float(ds.targets[index]))

    def set_point(self, coords: np.ndarray, target: float) -> None:
        if self._kind is None:
            self._data_changed()
        for box, v in zip((self.x1, self.x2), coords, strict=False):
            box.setValue(float(v))
        if self.session.dataset.kind == "classify":
            self.target.setCurrentIndex(int(target))
        else:
            self.value.setValue(target)
        self._exact = (np.asarray(coords, np.float64).copy(), float(target))
        self.explain()

    # ------------------------------------------------------------ working it out

    def explain(self) -> None:
        """Work out the point's step on the trainer (its weights, optimizer state, rate)."""
        point, target = self.point()
        if self.session.on_trainer is None:  # no worker: the newest snapshot, a fresh optimizer
            self._explain_locally(point, target)
            return

        def work(trainer: Trainer) -> tuple[Explanation, np.ndarray, int]:
            return explain_for_trainer(trainer, point, target), trainer.params.copy(), trainer.step

        self._pending = True
        self.session.on_trainer(work, self._explain_done)
        self.status.setText(translate("BackpropView", "working out the step…"))

    def _explain_locally(self, point: np.ndarray, target: float) -> None:
        snap = self.session.latest
        if snap is None:
            return
        config, _seed = self.session.training_settings()
        ds = self.session.dataset
        try:
            y = encode_target(snap.spec, ds.kind, target, ds.n_classes)
        except DlvizError as exc:
            self.status.setText(core_line(str(exc)))
            return
        lr = float(learning_rates(config.optimizer, snap.step, 1)[0])
        e = explain_point(snap.spec, np.asarray(snap.params), point, y, config.optimizer, lr=lr,
                          l1=config.l1, l2=config.l2)  # fmt: skip
        self._explained(e, np.asarray(snap.params).copy(), snap.step)

    def _explained(self, e: Explanation, params: np.ndarray, step: int) -> None:
        self.explanation, self.params_before, self.explained_step = e, params, step
        width = max(e.spec.sizes[1:])
        self.neuron.setMaximum(width)
        self.neuron.setVisible(not small(e))
        self.stages = build_stages(e, self.neuron.value() - 1)
        self.index = 0
        self.status.setText(
            translate(
                "BackpropView",
                "step {step} worked out for the point ({point}): {n} stages; "
                "Next ▶ or → to walk through them",
            ).format(step=step + 1, point=", ".join(num(v) for v in e.inputs), n=len(self.stages))
        )
        self._sync_buttons()
        self._draw_graph()
        self._draw_stage()

    def _restage(self) -> None:
        if self.explanation is not None:
            self.stages = build_stages(self.explanation, self.neuron.value() - 1)
            self.index = min(self.index, len(self.stages) - 1)
            self._draw_stage()

    def _explain_done(self, result: Any, error: BaseException | None) -> None:
        """The worker worked the step out (called in the GUI thread)."""
        self._pending = False
        if error is not None:
            if isinstance(error, DlvizError):  # a user's situation: say it
                self.status.setText(core_line(str(error)))
                return
            raise error
        self._explained(*result)

    def _apply_done(self, _result: Any, error: BaseException | None) -> None:
        """The trainer took the step, or refused it (the network moved on)."""
        self._pending = False
        if error is not None:
            if isinstance(error, DlvizError):
                self.status.setText(core_line(str(error)))
                return
            raise error
        self.status.setText(
            translate(
                "BackpropView",
                "Applied: the network took this point's step (step {step}, "
                "a batch of one). Training goes on from here.",
            ).format(step=self.explained_step + 1)
        )
        self.explanation = None
        self.stages = []
        self._sync_buttons()
        self._draw_graph()
        self._draw_stage()

    # ------------------------------------------------------------ walking and applying

    def go(self, step: int) -> None:
        if not self.stages:
            if step > 0:
                self.pick_next_point() if self._point_index < 0 else self.explain()
            return
        self.index = min(max(self.index + step, 0), len(self.stages) - 1)
        self._draw_stage()

    def jump(self, phase: str) -> None:
        for i, stage in enumerate(self.stages):
            if stage.phase == phase:
                self.index = i
                break
        self._draw_stage()

    def apply(self) -> None:
        e, before = self.explanation, self.params_before
        if e is None or before is None:
            return
        if self.session.on_trainer is None:
            self.status.setText(
                translate("BackpropView", "There is no training to apply the step to.")
            )
            return
        self._pending = True
        # changes: the worker sends a snapshot with the new weights even while paused
        self.session.on_trainer(
            lambda t: apply_explanation(t, e, before), self._apply_done, changes=True
        )

    def discard(self, quiet: bool = False) -> None:
        self.explanation, self.params_before, self.stages = None, None, []
        if not quiet:
            self.status.setText(translate("BackpropView", "Discarded: the network is as it was."))
        self._sync_buttons()
        self._draw_graph()
        self._draw_stage()

    def _sync_buttons(self) -> None:
        have = self.explanation is not None
        for button in (self.back, self.apply_button, self.discard_button):
            button.setEnabled(have)
        for button in self.phase_buttons.values():
            button.setEnabled(have)

    # ------------------------------------------------------------ drawing

    def _positions(self) -> list[np.ndarray]:
        sizes = self.explanation.spec.sizes if self.explanation else ()
        cols = []
        for c, n in enumerate(sizes):
            shown = min(n, DRAWN)
            ys = (np.arange(shown) - (shown - 1) / 2)[::-1]
            cols.append(np.column_stack([np.full(shown, float(c)), ys]))
        return cols

    def _draw_graph(self) -> None:
        for label in self.labels:
            self.plot.removeItem(label)
        self.labels = []
        cols = self._positions()
        if not cols:
            for item in (self.edges, self.negative_edges, self.hot_edges):
                item.setData([], [])
            self.nodes.setData([])
            return
        e = self.explanation
        assert e is not None
        signed: dict[bool, list[np.ndarray]] = {True: [], False: []}
        for layer, (a, b) in enumerate(zip(cols[:-1], cols[1:], strict=False)):
            w = e.layers[layer].w
            for i, p in enumerate(a):
                for j, q in enumerate(b):
                    signed[bool(w[i, j] >= 0)] += [p, q]
        for item, points in ((self.edges, signed[True]), (self.negative_edges, signed[False])):
            xy = np.array(points).reshape(-1, 2)
            item.setData(xy[:, 0], xy[:, 1])
        every = np.vstack(cols)
        self.plot.setXRange(-0.5, len(cols) - 0.5, padding=0.05)
        self.plot.setYRange(every[:, 1].min() - 0.8, every[:, 1].max() + 0.8, padding=0)

    def _draw_stage(self) -> None:
        theme = self.session.theme
        for phase, button in self.phase_buttons.items():
            button.setChecked(bool(self.stages) and self.stages[self.index].phase == phase)
        if not self.stages or self.explanation is None:
            self.heading.setText("")
            self.equation.setText(
                translate(
                    "BackpropView",
                    "Pick a point (<b>Next point</b>, <b>Pick on canvas</b>, or type one) to work "
                    "out its forward pass, loss, backward pass and update with this network's "
                    "numbers.",
                )
            )
            self.nodes.setData([])
            self.hot_edges.setData([], [])
            return
        stage = self.stages[self.index]
        color = PHASE_COLORS[stage.phase]
        where = (
            translate("BackpropView", "inputs")
            if stage.layer < 0
            else self._layer_name(stage.layer)
        )
        neuron = (
            ""
            if stage.neuron is None
            else translate("BackpropView", ", neuron {n}").format(n=stage.neuron + 1)
        )
        arrow = {
            "forward": translate("BackpropView", "left → right"),
            "backward": translate("BackpropView", "right → left"),
        }.get(stage.phase, "")
        phase = translate("BackpropView", PHASE_TITLES[stage.phase])
        counter = translate("BackpropView", "stage {n} of {total}").format(
            n=self.index + 1, total=len(self.stages)
        )
        self.heading.setText(
            f"<b style='color:{color}'>{phase}</b> · {where}{neuron}"
            f"{'  (' + arrow + ')' if arrow else ''} · {counter}"
        )
        self.equation.setText(stage.html)
        cols = self._positions()
        brushes, points = [], []
        for c, col in enumerate(cols):
            for r, pt in enumerate(col):
                points.append(pt)
                hot = self._is_hot(stage, c, r)
                brushes.append(pg.mkBrush(color if hot else theme.plot_background))
        pts = np.array(points)
        self.nodes.setData(pts[:, 0], pts[:, 1], brush=brushes,
                           pen=pg.mkPen(theme.plot_foreground, width=1.5))  # fmt: skip
        self.hot_edges.setPen(pg.mkPen(color, width=3))
        hot = self._hot_edges(stage, cols)
        if hot:
            xy = np.array([p for pair in hot for p in pair])
            self.hot_edges.setData(xy[:, 0], xy[:, 1])
        else:
            self.hot_edges.setData([], [])
        self._draw_values(stage, cols)

    def _layer_name(self, layer: int) -> str:
        e = self.explanation
        assert e is not None
        if layer == len(e.layers) - 1:
            return translate("BackpropView", "output layer ({activation})").format(
                activation=e.spec.activations[layer]
            )
        return translate("BackpropView", "hidden layer {n} ({activation})").format(
            n=layer + 1, activation=e.spec.activations[layer]
        )

    @staticmethod
    def _is_hot(stage: Stage, column: int, row: int) -> bool:
        if stage.phase == "loss":
            return column == stage.layer + 1
        if column != stage.layer + 1:
            return False
        return stage.neuron is None or stage.neuron == row

    @staticmethod
    def _hot_edges(stage: Stage, cols: list[np.ndarray]) -> list[tuple[np.ndarray, np.ndarray]]:
        """Edges into the stage's neuron (forward, update) or along its gradient (backward)."""
        if stage.layer < 0 or stage.phase == "loss" or stage.neuron is None:
            return []
        c = stage.layer + 1
        if stage.neuron >= len(cols[c]):
            return []
        target = cols[c][stage.neuron]
        edges = [(src, target) for src in cols[c - 1]]
        if stage.phase == "backward" and c + 1 < len(cols):
            edges = [(target, dst) for dst in cols[c + 1]] + edges
        return edges

    def _draw_values(self, stage: Stage, cols: list[np.ndarray]) -> None:
        """The stage's numbers beside the neurons: a in the forward pass, δ backward."""
        for label in self.labels:
            self.plot.removeItem(label)
        self.labels = []
        e = self.explanation
        if e is None or not small(e):
            return
        done = self.stages[: self.index + 1]
        theme = self.session.theme
        for c, col in enumerate(cols):
            for r, pt in enumerate(col):
                value = None
                if c == 0:
                    value = e.features[r]
                elif stage.phase == "forward":
                    if any(s.layer == c - 1 and s.neuron == r for s in done):
                        value = e.layers[c - 1].a[r]
                elif stage.phase in ("loss",):
                    value = e.layers[c - 1].a[r]
                elif stage.phase == "backward":
                    if any(s.phase == "backward" and s.layer == c - 1 and s.neuron == r
                           for s in done):  # fmt: skip
                        value = e.layers[c - 1].delta[r]
                elif stage.phase == "update":
                    value = e.layers[c - 1].delta[r]
                if value is None:
                    continue
                prefix = "δ=" if stage.phase in ("backward", "update") and c > 0 else ""
                label = pg.TextItem(prefix + num(float(value)), color=theme.plot_foreground,
                                    anchor=(0.5, -0.4))  # fmt: skip
                label.setPos(float(pt[0]), float(pt[1]))
                self.plot.addItem(label)
                self.labels.append(label)

    # ------------------------------------------------------------ snapshots

    def ready(self) -> bool:
        return not self._pending and self.explanation is not None

    def shutdown(self) -> None:
        self.pick_button.setChecked(False)

    def update_snapshot(self, snap: Snapshot) -> None:
        if self._kind is None:
            self._data_changed()
        if self.explanation is None and not self._pending and self._point_index < 0:
            self.pick_next_point()  # something to look at from the first moment
        elif (
            self.explanation is not None
            and not self._pending
            and snap.spec.sizes != self.explanation.spec.sizes
        ):
            self.discard(quiet=True)
            self.status.setText(
                translate("BackpropView", "The network changed: pick a point again.")
            )
