"""The training panel: optimizer, learning rate, schedule, batch, regularisation, seed, controls.

The transport buttons show the main window's actions (so the menu, the
toolbar, the keys and these buttons share one enabled/checked state).
Settings build a :class:`~dlviz.core.trainer.TrainConfig`; ``changed`` fires
after each edit by the user, ``seed_changed`` when the seed is edited by hand.
:meth:`TrainingPanel.show_config` is the one way in from outside (an opened
project): it shows a config without emitting either.
"""

from __future__ import annotations

import math
from dataclasses import replace

from PySide6.QtCore import QT_TRANSLATE_NOOP, QSize, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSlider,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from dlviz.core.optim import MIN_LEARNING_RATE, OPTIMIZERS, SCHEDULES
from dlviz.core.trainer import TrainConfig
from dlviz.ui.core_texts import optimizer_label
from dlviz.ui.i18n import translate
from dlviz.ui.widgets import LogSlider
from dlviz.ui.worker import DEFAULT_SPEED, SPEEDS

SCHEDULE_LABELS = {
    "constant": QT_TRANSLATE_NOOP("TrainingPanel", "Constant"),
    "step": QT_TRANSLATE_NOOP("TrainingPanel", "Step decay"),
    "exponential": QT_TRANSLATE_NOOP("TrainingPanel", "Exponential decay"),
    "cosine": QT_TRANSLATE_NOOP("TrainingPanel", "Cosine annealing"),
}
MAX_BATCH = 4096
DEFAULT_LR = 0.01
#: The learning-rate slider's range.
MIN_LR, MAX_LR = MIN_LEARNING_RATE, 10.0


class TrainingPanel(QWidget):
    changed = Signal()
    seed_changed = Signal(int)
    speed_changed = Signal(object)  # epochs per second, or None for full speed

    def __init__(self, actions: dict[str, QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("training-panel")

        buttons = QGridLayout()
        buttons.setSpacing(4)
        self.buttons: dict[str, QToolButton] = {}
        for i, name in enumerate(("play", "step", "epoch", "reset", "reinit")):
            button = QToolButton(self)
            button.setDefaultAction(actions[name])
            button.setObjectName(f"button-{name}")
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
            button.setIconSize(QSize(28, 28) if name == "play" else QSize(22, 22))
            button.setMinimumWidth(64)
            self.buttons[name] = button
            buttons.addWidget(button, 0, i)

        self.speed = QSlider(Qt.Orientation.Horizontal, self)
        self.speed.setObjectName("speed")
        self.speed.setRange(0, len(SPEEDS) - 1)
        self.speed.setValue(SPEEDS.index(DEFAULT_SPEED))
        self.speed.setPageStep(1)
        self.speed.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.speed.setToolTip(
            translate(
                "TrainingPanel",
                "Training speed in epochs (passes over the training points) per second: "
                "slow for a room to follow, max for results ([ slower, ] faster)",
            )
        )
        self.speed_label = QLabel(self.speed_text(DEFAULT_SPEED), self)
        self.speed_label.setObjectName("speed-label")
        self.speed_label.setMinimumWidth(self.fontMetrics().horizontalAdvance("000 epochs/s"))
        #: The slider's place before "max" was clicked (clicking it again goes back there).
        self._before_max = self.speed.value()
        self._max_action = actions["max_speed"]
        self.max_button = QToolButton(self)
        self.max_button.setObjectName("button-max-speed")
        self.max_button.setDefaultAction(self._max_action)
        self.max_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.speed.valueChanged.connect(self._speed_moved)

        self.optimizer = QComboBox(self)
        self.optimizer.setObjectName("optimizer")
        for name in OPTIMIZERS:
            self.optimizer.addItem(optimizer_label(name), name)
        self.optimizer.setCurrentIndex(OPTIMIZERS.index("adam"))
        # as wide as "Nesterov momentum", not "Gradient descent (full batch)": on a
        # projector's 1280 x 720 the canvas needs the room more than the longest name
        self.optimizer.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.optimizer.setMinimumContentsLength(14)
        self.lr = LogSlider(MIN_LR, MAX_LR, DEFAULT_LR, self)
        self.lr.setObjectName("learning-rate")
        self.lr.field.setObjectName("learning-rate-field")
        self.lr.setToolTip(
            translate("TrainingPanel", "Learning rate, 0.00001 to 10 (logarithmic slider)")
        )
        self.schedule = QComboBox(self)
        self.schedule.setObjectName("schedule")
        for name in SCHEDULES:
            label = SCHEDULE_LABELS.get(name)
            self.schedule.addItem(translate("TrainingPanel", label) if label else name, name)
        self.decay_steps = QSpinBox(self)
        self.decay_steps.setRange(1, 1_000_000)
        self.decay_steps.setValue(1000)
        self.decay_steps.setSingleStep(100)
        self.decay_steps.setSuffix(translate("TrainingPanel", " steps"))
        self.decay_steps.setToolTip(
            translate(
                "TrainingPanel", "Step/exponential: steps per decay; cosine: steps to the end"
            )
        )
        self.decay_rate = QDoubleSpinBox(self)
        self.decay_rate.setRange(0.01, 1.0)
        self.decay_rate.setSingleStep(0.05)
        self.decay_rate.setValue(0.5)
        self.decay_rate.setToolTip(
            translate("TrainingPanel", "Factor the learning rate is multiplied by per decay")
        )
        self.batch = QSpinBox(self)
        self.batch.setObjectName("batch-size")
        self.batch.setRange(1, MAX_BATCH)
        self.batch.setValue(10)
        self.batch.setToolTip(
            translate("TrainingPanel", "Samples per optimizer step (1 to {most})").format(
                most=MAX_BATCH
            )
        )
        self.l1 = self._rate_box(
            "l1",
            translate("TrainingPanel", "L1 penalty on the weights (0 to 10)"),
        )
        self.l2 = self._rate_box(
            "l2",
            translate("TrainingPanel", "L2 penalty on the weights (0 to 10)"),
        )
        self.dropout = QDoubleSpinBox(self)
        self.dropout.setObjectName("dropout")
        self.dropout.setRange(0.0, 0.9)
        self.dropout.setSingleStep(0.05)
        self.dropout.setDecimals(2)
        self.dropout.setToolTip(
            translate(
                "TrainingPanel", "Dropout rate of every hidden layer while training (0 to 0.9)"
            )
        )
        # early stopping: pause once the test loss has not improved for this many epochs
        self.patience = QSpinBox(self)
        self.patience.setObjectName("patience")
        self.patience.setRange(0, 100_000)
        self.patience.setSpecialValueText(translate("TrainingPanel", "off"))
        self.patience.setSuffix(translate("TrainingPanel", " epochs"))
        self.patience.setToolTip(
            translate(
                "TrainingPanel",
                "Early stopping: pause when the test loss has not improved for this many "
                "epochs (off: never; needs test points)",
            )
        )
        self.seed = QSpinBox(self)
        self.seed.setObjectName("seed")
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setToolTip(
            translate(
                "TrainingPanel",
                "Seed of the initial weights and the shuffling; "
                "editing it re-initialises the network",
            )
        )

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        speed_row = QHBoxLayout()
        speed_row.addWidget(self.speed, 1)
        speed_row.addWidget(self.speed_label)
        speed_row.addWidget(self.max_button)
        form.addRow(translate("TrainingPanel", "Speed"), speed_row)
        form.addRow(translate("TrainingPanel", "Optimizer"), self.optimizer)
        form.addRow(translate("TrainingPanel", "Learning rate"), self.lr)
        form.addRow(translate("TrainingPanel", "Schedule"), self.schedule)
        self.decay_row = QHBoxLayout()
        self.decay_row.addWidget(self.decay_steps)
        self.decay_row.addWidget(QLabel("×", self))
        self.decay_row.addWidget(self.decay_rate)
        form.addRow(translate("TrainingPanel", "Decay"), self.decay_row)
        self._form = form
        self._decay_index = form.rowCount() - 1
        form.addRow(translate("TrainingPanel", "Batch size"), self.batch)
        form.addRow("L1", self.l1)
        form.addRow("L2", self.l2)
        form.addRow(translate("TrainingPanel", "Dropout"), self.dropout)
        form.addRow(translate("TrainingPanel", "Early stopping"), self.patience)
        form.addRow(translate("TrainingPanel", "Seed"), self.seed)

        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addLayout(form)
        layout.addStretch(1)

        self._sync_enabled()
        for signal in (
            self.optimizer.currentIndexChanged,
            self.schedule.currentIndexChanged,
            self.decay_steps.valueChanged,
            self.decay_rate.valueChanged,
            self.batch.valueChanged,
            self.l1.valueChanged,
            self.l2.valueChanged,
            self.dropout.valueChanged,
            self.patience.valueChanged,
            self.lr.valueChanged,
        ):
            signal.connect(self._edited)
        self._seed_applied = self.seed.value()
        self.seed.editingFinished.connect(self._seed_edited)
        #: What the panel does not show (momentum, betas, epsilon, weight decay...),
        #: kept from the project or command line that set them.
        self._base = TrainConfig()
        self._showing = False

    def _rate_box(self, name: str, tip: str) -> QDoubleSpinBox:
        box = QDoubleSpinBox(self)
        box.setObjectName(name)
        box.setRange(0.0, 10.0)
        box.setDecimals(5)
        box.setSingleStep(0.001)
        box.setStepType(QDoubleSpinBox.StepType.AdaptiveDecimalStepType)
        box.setSpecialValueText(translate("TrainingPanel", "off"))
        box.setToolTip(tip)
        return box

    def _sync_enabled(self) -> None:
        full_batch = self.optimizer.currentData() == "gd"
        self.batch.setEnabled(not full_batch)
        decays = self.schedule.currentData() != "constant"
        self._form.setRowVisible(self._decay_index, decays)
        self.decay_rate.setEnabled(self.schedule.currentData() in ("step", "exponential"))

    def _seed_edited(self) -> None:
        # editingFinished also fires when the box merely loses focus: only a new seed resets
        if self.seed.value() != self._seed_applied:
            self._seed_applied = self.seed.value()
            self.seed_changed.emit(self._seed_applied)

    def _edited(self, *args: object) -> None:
        self._sync_enabled()
        if not self._showing:
            self.changed.emit()

    def show_transport(self, on: bool) -> None:
        """Show the Play/Step/... buttons (presentation mode has them in its toolbar)."""
        for button in self.buttons.values():
            button.setVisible(on)

    def speed_text(self, speed: float | None) -> str:
        """The speed in words: "3 epochs/s", "max"."""
        if speed is None:
            return translate("TrainingPanel", "max")
        if speed == 1:
            return translate("TrainingPanel", "1 epoch/s")
        return translate("TrainingPanel", "{rate} epochs/s").format(rate=f"{speed:g}")

    def _speed_moved(self, index: int) -> None:
        speed = SPEEDS[index]
        self.speed_label.setText(self.speed_text(speed))
        # the Max button shows whether max is on, whichever control put it there
        self._max_action.setChecked(speed is None)
        self.speed_changed.emit(speed)

    def set_max_speed(self, on: bool) -> None:
        """Max on: as fast as the machine goes; off: back to the pace chosen before."""
        top = len(SPEEDS) - 1
        if on and self.speed.value() != top:
            self._before_max = self.speed.value()
            self.speed.setValue(top)
        elif not on and self.speed.value() == top:
            self.speed.setValue(self._before_max if self._before_max != top else top - 1)

    # ------------------------------------------------------------ values

    def config(self) -> TrainConfig:
        base = self._base
        optimizer = replace(
            base.optimizer,
            name=self.optimizer.currentData(),
            lr=self.lr.value(),
            schedule=self.schedule.currentData(),
            decay_steps=self.decay_steps.value(),
            decay_rate=self.decay_rate.value(),
            min_lr=min(base.optimizer.min_lr, self.lr.value()),
        )
        return replace(
            base,
            optimizer=optimizer,
            batch_size=self.batch.value(),
            l1=self.l1.value(),
            l2=self.l2.value(),
            patience=self.patience.value(),
        )

    def show_config(self, config: TrainConfig, *, seed: int, dropout: float) -> None:
        """Show a config (an opened project) without emitting ``changed`` or ``seed_changed``.

        What the panel has no field for (momentum, betas...) is kept
        from ``config`` for the configs it builds from now on.
        """
        self._showing = True
        try:
            opt = config.optimizer
            _select(self.optimizer, opt.name)
            self.lr.setValue(opt.lr)
            _select(self.schedule, opt.schedule)
            self.decay_steps.setValue(opt.decay_steps)
            self.decay_rate.setValue(opt.decay_rate)
            self.batch.setValue(config.batch_size)
            self.l1.setValue(config.l1)
            self.l2.setValue(config.l2)
            self.patience.setValue(config.patience)
            self.dropout.setValue(dropout)
            self.set_seed(seed)
            self._base = config
        finally:
            self._showing = False

    def learning_rate(self) -> float:
        return self.lr.value()

    def dropout_rate(self) -> float:
        return self.dropout.value()

    def seed_value(self) -> int:
        return self.seed.value()

    def speed_value(self) -> float | None:
        return SPEEDS[self.speed.value()]

    def change_speed(self, steps: int) -> None:
        self.speed.setValue(self.speed.value() + steps)

    def batches_per_epoch(self, n_train: int) -> int:
        """Optimizer steps in one pass over ``n_train`` points with these settings."""
        if self.optimizer.currentData() == "gd":
            return 1
        return max(1, math.ceil(max(n_train, 1) / self.batch.value()))

    def set_speed(self, speed: float | str, batches_per_epoch: int = 1) -> None:
        """The slider position nearest to ``speed``: mini-batches per second (as lesson
        files give it; ``batches_per_epoch`` turns it into the slider's epochs per
        second), or "max"."""
        if speed == "max":
            self.speed.setValue(speed_index("max"))
        else:
            self.speed.setValue(speed_index(float(speed) / max(batches_per_epoch, 1)))

    def set_learning_rate(self, lr: float) -> None:
        """Set the rate as if typed (emits ``changed`` when it differs)."""
        self.lr.setValue(lr)

    def set_seed(self, seed: int) -> None:
        self.seed.blockSignals(True)
        self.seed.setValue(seed)
        self.seed.blockSignals(False)
        self._seed_applied = self.seed.value()


def speed_index(speed: float | str) -> int:
    """The Speed slider position nearest to ``speed`` (epochs per second, or "max")."""
    if speed == "max":
        return SPEEDS.index(None)
    rate = float(speed)
    finite = [(i, s) for i, s in enumerate(SPEEDS) if s is not None]
    return min(finite, key=lambda item: abs(math.log(item[1]) - math.log(rate)))[0]


def _select(combo: QComboBox, data: str) -> None:
    index = combo.findData(data)
    if index >= 0:
        combo.setCurrentIndex(index)
