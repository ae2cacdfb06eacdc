"""The network panel: input features, a stack of hidden layers, the output and loss.

Emits ``changed`` after every edit by the user; :meth:`NetworkPanel.build_spec`
turns the panel's state into a :class:`~dlviz.core.network.NetworkSpec` (with
:func:`~dlviz.core.network.build_spec`, which also checks it), and
:meth:`NetworkPanel.show_spec` is the one way in from outside (an opened
project): it shows a spec without emitting ``changed``.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from dlviz.core.activations import HIDDEN
from dlviz.core.features import CURVE_FEATURES, FEATURE_LABELS, FEATURES
from dlviz.core.network import (
    ACTIVATIONS,
    INITS,
    MAX_HIDDEN_LAYERS,
    MAX_WIDTH,
    LayerSpec,
    NetworkSpec,
    ParamLayout,
    build_spec,
    default_loss,
)
from dlviz.ui import icons
from dlviz.ui.core_texts import activation_label
from dlviz.ui.i18n import translate
from dlviz.ui.session import Session

#: The activations' names (core/activations.py), translated where shown (core_texts).
ACTIVATION_LABELS = {act.name: act.label for act in HIDDEN}
#: The Output choices: a loss, or ``loss:output`` where the output is not the loss's
#: natural one (a sigmoid under the squared error of regression, as the textbook's
#: 2-4-1 example fits values in [0, 1]).
LOSS_LABELS = {
    "bce": QT_TRANSLATE_NOOP("NetworkPanel", "Sigmoid + binary CE"),
    "ce": QT_TRANSLATE_NOOP("NetworkPanel", "Softmax + CE"),
    "mse": QT_TRANSLATE_NOOP("NetworkPanel", "Squared error"),
    "mse:sigmoid": QT_TRANSLATE_NOOP("NetworkPanel", "Sigmoid + squared error"),
}
LOSS_TIPS = {
    "bce": QT_TRANSLATE_NOOP(
        "NetworkPanel", "Sigmoid output, binary cross-entropy loss (two classes)"
    ),
    "ce": QT_TRANSLATE_NOOP(
        "NetworkPanel", "Softmax output, cross-entropy loss (one output per class)"
    ),
    "mse": QT_TRANSLATE_NOOP("NetworkPanel", "Mean squared error on the output"),
    "mse:sigmoid": QT_TRANSLATE_NOOP(
        "NetworkPanel",
        "A sigmoid output (values in 0..1) and the mean squared error, as in the "
        "textbook's 2-4-1 example",
    ),
}
INIT_LABELS = {
    "xavier": QT_TRANSLATE_NOOP("NetworkPanel", "Xavier / Glorot"),
    "he": QT_TRANSLATE_NOOP("NetworkPanel", "He"),
    "uniform": QT_TRANSLATE_NOOP("NetworkPanel", "Uniform ±0.5"),
}


def _label(table: dict[str, str], name: str) -> str:
    """A table's text for ``name`` in the app's language (the name itself if it has none)."""
    text = table.get(name)
    return translate("NetworkPanel", text) if text else name


DEFAULT_LAYERS = (LayerSpec(8, "tanh"), LayerSpec(8, "tanh"))


def losses_for(kind: str, n_classes: int) -> tuple[str, ...]:
    """The losses that fit the data, the default first."""
    if kind != "classify":
        return ("mse", "mse:sigmoid")
    if n_classes <= 2:
        return ("bce", "ce", "mse")
    return ("ce", "bce", "mse")


class LayerRow(QFrame):
    """One hidden layer: its number, width, activation, and move/remove buttons."""

    changed = Signal()

    def __init__(self, panel: NetworkPanel, layer: LayerSpec) -> None:
        super().__init__(panel)
        self.panel = panel
        self.dropout = layer.dropout
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.label = QLabel(self)
        self.width_box = QSpinBox(self)
        self.width_box.setRange(1, MAX_WIDTH)
        self.width_box.setValue(layer.width)
        self.width_box.setToolTip(
            translate("NetworkPanel", "Neurons in this layer (1 to {most})").format(most=MAX_WIDTH)
        )
        # typing "128" is one change (on Enter or leaving the box), not rebuilds at 1, 12, 128
        self.width_box.setKeyboardTracking(False)
        self.activation = QComboBox(self)
        for name in ACTIVATIONS:
            label = ACTIVATION_LABELS.get(name)
            self.activation.addItem(activation_label(label) if label else name, name)
        self.activation.setCurrentIndex(ACTIVATIONS.index(layer.activation))
        self.activation.setToolTip(translate("NetworkPanel", "Activation function of this layer"))
        self.activation.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.activation.setMinimumContentsLength(6)
        color = panel.palette().windowText().color().name()
        self.up = self._button(
            "up",
            translate("NetworkPanel", "Move this layer towards the input"),
            color,
        )
        self.down = self._button(
            "down",
            translate("NetworkPanel", "Move this layer towards the output"),
            color,
        )
        self.remove = self._button(
            "remove",
            translate("NetworkPanel", "Remove this layer"),
            color,
        )
        row = QHBoxLayout(self)
        row.setContentsMargins(4, 2, 4, 2)
        row.addWidget(self.label)
        row.addWidget(self.width_box)
        row.addWidget(self.activation, 1)
        row.addWidget(self.up)
        row.addWidget(self.down)
        row.addWidget(self.remove)
        self.width_box.valueChanged.connect(self.changed)
        self.activation.currentIndexChanged.connect(self.changed)

    def _button(self, glyph: str, tip: str, color: str) -> QToolButton:
        button = QToolButton(self)
        button.setIcon(icons.icon(glyph, color))
        button.setIconSize(QSize(16, 16))
        button.setToolTip(tip)
        button.setObjectName(f"layer-{glyph}")
        button.setAutoRaise(True)
        return button

    def spec(self) -> LayerSpec:
        return LayerSpec(self.width_box.value(), self.activation.currentData(), self.dropout)


class NetworkPanel(QWidget):
    changed = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("network-panel")
        self._kind = ""
        self._n_classes = 0
        self._image_shape: tuple[int, ...] = ()

        self.feature_boxes: dict[str, QCheckBox] = {}
        features = QGridLayout()
        features.setHorizontalSpacing(10)
        for i, name in enumerate(FEATURES):
            box = QCheckBox(FEATURE_LABELS[name], self)
            box.setObjectName(f"feature-{name}")
            box.setToolTip(
                translate("NetworkPanel", "Feed {feature} to the first layer").format(
                    feature=FEATURE_LABELS[name]
                )
            )
            box.setChecked(name in ("x1", "x2"))
            box.toggled.connect(self._feature_toggled)
            self.feature_boxes[name] = box
            features.addWidget(box, i // 4, i % 4)

        # image data: the first layer reads every pixel; the feature boxes are for points
        self.pixels_label = QLabel(self)
        self.pixels_label.setObjectName("input-pixels")
        self.pixels_label.setWordWrap(True)
        self.pixels_label.hide()
        self.features_box = QWidget(self)
        self.features_box.setLayout(features)

        self.rows: list[LayerRow] = []
        self.layers_box = QVBoxLayout()
        self.layers_box.setSpacing(3)
        self.add_button = QPushButton(translate("NetworkPanel", "Add layer"), self)
        self.add_button.setObjectName("add-layer")
        self.add_button.setToolTip(
            translate("NetworkPanel", "Add a hidden layer (up to {most}); Ctrl+L").format(
                most=MAX_HIDDEN_LAYERS
            )
        )
        self.add_button.clicked.connect(self.add_layer)
        self.empty_label = QLabel(
            translate("NetworkPanel", "No hidden layers: a linear model"), self
        )

        self.loss = QComboBox(self)
        self.loss.setObjectName("loss")
        self.loss.setToolTip(
            translate("NetworkPanel", "Output layer and loss; the choices fit the data")
        )
        self.loss.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.loss.setMinimumContentsLength(12)
        self.loss.currentIndexChanged.connect(self._emit)
        self.init = QComboBox(self)
        self.init.setObjectName("init")
        for name in INITS:
            self.init.addItem(_label(INIT_LABELS, name), name)
        self.init.setToolTip(
            translate(
                "NetworkPanel", "How new weights are drawn (used at the next reset or rebuild)"
            )
        )
        self.init.currentIndexChanged.connect(self._emit)
        self.summary = QLabel(self)
        self.summary.setObjectName("network-summary")
        self.summary.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(translate("NetworkPanel", "<b>Inputs</b>"), self))
        layout.addWidget(self.features_box)
        layout.addWidget(self.pixels_label)
        layers_title = QLabel(
            translate("NetworkPanel", "<b>Hidden layers</b> (neurons, activation)"), self
        )
        layers_title.setWordWrap(True)  # large type on a narrow screen: two lines, not a wider dock
        layout.addWidget(layers_title)
        layout.addLayout(self.layers_box)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.add_button)
        form = QFormLayout()
        form.addRow(translate("NetworkPanel", "Output"), self.loss)
        form.addRow(translate("NetworkPanel", "Initialiser"), self.init)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addStretch(1)

        self._building = True
        for layer in DEFAULT_LAYERS:
            self.add_layer(layer)
        self._building = False
        self.set_data_kind(session.kind, session.dataset.n_classes, session.dataset.image_shape)
        self._renumber()

    # ------------------------------------------------------------ state

    def features(self) -> tuple[str, ...]:
        return tuple(n for n, box in self.feature_boxes.items() if box.isChecked())

    def hidden(self) -> tuple[LayerSpec, ...]:
        return tuple(row.spec() for row in self.rows)

    def loss_name(self) -> str:
        choice = self.loss.currentData() or default_loss(self._kind, self._n_classes)  # type: ignore[arg-type]
        return choice.partition(":")[0]

    def output_name(self) -> str | None:
        """The output activation chosen with the loss, or None for the loss's natural one."""
        return (self.loss.currentData() or "").partition(":")[2] or None

    def _show_output(self, loss: str, output: str) -> None:
        """Select the Output entry of a spec's loss and output activation."""
        index = self.loss.findData(f"{loss}:{output}")
        if index < 0:
            index = self.loss.findData(loss)
        if index >= 0:
            self.loss.setCurrentIndex(index)

    def init_name(self) -> str:
        return self.init.currentData()

    def set_dropout(self, rate: float) -> None:
        for row in self.rows:
            row.dropout = rate

    def build_spec(
        self, kind: str, n_classes: int, dropout: float, image_shape: tuple[int, ...] = ()
    ) -> NetworkSpec:
        """The network the panel shows, for data of ``kind`` with ``n_classes``
        (images of ``image_shape``: the first layer reads their pixels).

        Raises :class:`~dlviz.core.errors.DlvizError` naming what to change.
        """
        self.set_data_kind(kind, n_classes, image_shape)
        self.set_dropout(dropout)
        return build_spec(
            kind=kind,  # type: ignore[arg-type]
            n_classes=n_classes,
            features=() if image_shape else self.features(),
            image_shape=image_shape,
            hidden=self.hidden(),
            loss=self.loss_name(),
            init=self.init_name(),
            output=self.output_name(),
        )

    def show_spec(self, spec: NetworkSpec, kind: str, n_classes: int) -> None:
        """Show ``spec`` (an opened project's network) without emitting ``changed``."""
        was_building, self._building = self._building, True
        try:
            self.set_data_kind(kind, n_classes, spec.image_shape)
            for name, box in self.feature_boxes.items():
                box.setChecked(name in spec.features)
            self.set_hidden(spec.hidden)
            self._show_output(spec.loss, spec.output)
            index = self.init.findData(spec.init)
            if index >= 0:
                self.init.setCurrentIndex(index)
        finally:
            self._building = was_building
        self.show_summary(spec)

    def show_summary(self, spec: NetworkSpec) -> None:
        """The line under the layers: the shape and the number of parameters."""
        n = ParamLayout.of(spec.sizes).size
        self.summary.setText(
            translate("NetworkPanel", "{network}  ·  {n:,} parameters").format(
                network=spec.describe(), n=n
            )
        )

    # ------------------------------------------------------------ data kind

    def set_data_kind(self, kind: str, n_classes: int, image_shape: tuple[int, ...] = ()) -> None:
        """Offer the features and losses that fit the data (keeps the user's choice if it fits).

        Image data has no features to choose: the panel names the pixels the first layer reads.
        """
        image_shape = tuple(image_shape)
        if (kind, n_classes, image_shape) == (self._kind, self._n_classes, self._image_shape):
            return
        self._kind, self._n_classes, self._image_shape = kind, n_classes, image_shape
        self.features_box.setVisible(not image_shape)
        self.pixels_label.setVisible(bool(image_shape))
        if image_shape:
            h, w = image_shape
            self.pixels_label.setText(
                translate(
                    "NetworkPanel", "{n} pixels ({h}×{w} images): one input per pixel"
                ).format(n=h * w, h=h, w=w)
            )
        was_building, self._building = self._building, True
        for name, box in self.feature_boxes.items():
            usable = kind != "curve" or name in CURVE_FEATURES
            box.setEnabled(usable)
            if not usable:
                box.setChecked(False)
        if not self.features():
            self.feature_boxes["x1"].setChecked(True)
            if kind != "curve":
                self.feature_boxes["x2"].setChecked(True)
        current = self.loss.currentData()
        choices = losses_for(kind, n_classes)
        self.loss.clear()
        for name in choices:
            self.loss.addItem(_label(LOSS_LABELS, name), name)
            self.loss.setItemData(
                self.loss.count() - 1, _label(LOSS_TIPS, name), Qt.ItemDataRole.ToolTipRole
            )
        keep = current if current in choices and kind == "classify" else choices[0]
        if current == "bce" and n_classes > 2 or current == "ce" and n_classes <= 2:
            keep = choices[0]  # the natural loss follows the class count
        self.loss.setCurrentIndex(choices.index(keep))
        self._building = was_building

    # ------------------------------------------------------------ layers

    def add_layer(self, layer: LayerSpec | None = None) -> None:
        if len(self.rows) >= MAX_HIDDEN_LAYERS:
            return
        if not isinstance(layer, LayerSpec):
            last = self.rows[-1].spec() if self.rows else LayerSpec(8, "tanh")
            layer = LayerSpec(last.width, last.activation, last.dropout)
        row = LayerRow(self, layer)
        row.changed.connect(self._emit)
        row.up.clicked.connect(lambda: self.move_layer(row, -1))
        row.down.clicked.connect(lambda: self.move_layer(row, +1))
        row.remove.clicked.connect(lambda: self.remove_layer(row))
        self.rows.append(row)
        self.layers_box.addWidget(row)
        self._renumber()
        self._emit()

    def set_hidden(self, layers: tuple[LayerSpec, ...]) -> None:
        """Replace the whole stack (the command line's ``--hidden``); one ``changed`` signal."""
        was_building, self._building = self._building, True
        while self.rows:
            self.remove_layer(self.rows[-1])
        for layer in layers[:MAX_HIDDEN_LAYERS]:
            self.add_layer(layer)
        self._building = was_building
        self._emit()

    def remove_layer(self, row: LayerRow | None = None) -> None:
        if not self.rows:
            return
        row = row or self.rows[-1]
        self.rows.remove(row)
        self.layers_box.removeWidget(row)
        row.hide()
        row.deleteLater()
        self._renumber()
        self._emit()

    def move_layer(self, row: LayerRow, offset: int) -> None:
        i = self.rows.index(row)
        j = i + offset
        if not 0 <= j < len(self.rows):
            return
        self.rows[i], self.rows[j] = self.rows[j], self.rows[i]
        self.layers_box.removeWidget(row)
        self.layers_box.insertWidget(j, row)
        self._renumber()
        self._emit()

    def _renumber(self) -> None:
        for i, row in enumerate(self.rows):
            row.label.setText(f"{i + 1}")
            row.up.setEnabled(i > 0)
            row.down.setEnabled(i < len(self.rows) - 1)
        self.add_button.setEnabled(len(self.rows) < MAX_HIDDEN_LAYERS)
        self.empty_label.setVisible(not self.rows)

    def toggle_feature(self, name: str) -> None:
        """Feed feature ``name`` in or take it out, as a click on its box would (the last
        one stays: the network needs an input)."""
        box = self.feature_boxes[name]
        if box.isEnabled():
            box.click()

    def _feature_toggled(self, on: bool) -> None:
        if self._building:
            return  # set_data_kind() is choosing the features for new data
        if not on and not self.features():
            box = self.sender()
            box.blockSignals(True)
            box.setChecked(True)  # the network needs at least one input
            box.blockSignals(False)
            return
        self._emit()

    def _emit(self) -> None:
        if not self._building:
            self.changed.emit()
