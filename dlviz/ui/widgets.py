"""Small editors the panels share; each one can only hold a valid value."""

from __future__ import annotations

import math

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtGui import QDoubleValidator
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QSlider, QWidget


def format_number(value: float) -> str:
    """Short text for a rate: 0.03, 0.0001 -> 1e-04, 3."""
    if value == 0:
        return "0"
    if 1e-3 <= abs(value) < 1e4:
        return f"{value:.4g}"
    return f"{value:.1e}"


class _RangeValidator(QDoubleValidator):
    """Accepts numbers in range; ``fixup`` puts back the last good value (never left invalid)."""

    def __init__(self, owner: LogSlider, minimum: float, maximum: float) -> None:
        super().__init__(minimum, maximum, 8, owner.field)
        self.owner = owner
        self.setNotation(QDoubleValidator.Notation.ScientificNotation)
        self.setLocale(QLocale.c())

    def fixup(self, text: str) -> str:
        return format_number(self.owner.value())


class LogSlider(QWidget):
    """A logarithmic slider with a text field beside it (learning rates and other rates).

    The field accepts only numbers in range (a validator); anything else is
    put back to the current value when editing ends.
    """

    valueChanged = Signal(float)  # noqa: N815  (Qt naming)

    STEPS_PER_DECADE = 20

    def __init__(
        self, minimum: float, maximum: float, value: float, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        if not 0 < minimum < maximum:
            raise ValueError("a log slider needs 0 < minimum < maximum")
        self._min, self._max = minimum, maximum
        self._value = value
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        decades = math.log10(maximum) - math.log10(minimum)
        self.slider.setRange(0, round(decades * self.STEPS_PER_DECADE))
        self.slider.setPageStep(self.STEPS_PER_DECADE // 2)
        self.field = QLineEdit(self)
        self.field.setMaximumWidth(90)
        self.field.setMinimumWidth(70)
        self.field.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.field.setValidator(_RangeValidator(self, minimum, maximum))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.field)
        self.slider.valueChanged.connect(self._slider_moved)
        self.field.editingFinished.connect(self._field_edited)
        self.setValue(value)

    def value(self) -> float:
        return self._value

    def setValue(self, value: float) -> None:  # noqa: N802
        """Set the value (clamped to the range); ``valueChanged`` fires if it changed, as in Qt."""
        self._set(float(value), move_slider=True)

    def _position(self, value: float) -> int:
        return round((math.log10(value) - math.log10(self._min)) * self.STEPS_PER_DECADE)

    def _slider_moved(self, position: int) -> None:
        raw = 10 ** (math.log10(self._min) + position / self.STEPS_PER_DECADE)
        value = float(f"{raw:.2g}")  # round to two significant digits: 0.003, 0.0045
        self._set(value, move_slider=False)

    def _field_edited(self) -> None:
        try:
            value = float(self.field.text())
        except ValueError:
            value = self._value
        if not (math.isfinite(value) and self._min <= value <= self._max):
            value = self._value
        self._set(value, move_slider=True)

    def _set(self, value: float, *, move_slider: bool) -> None:
        value = min(max(value, self._min), self._max)
        changed = value != self._value
        self._value = value
        if move_slider:
            self.slider.blockSignals(True)
            self.slider.setValue(self._position(value))
            self.slider.blockSignals(False)
        self.field.setText(format_number(value))
        if changed:
            self.valueChanged.emit(value)
