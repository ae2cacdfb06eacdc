"""Rows of controls above a view's plots that never force the dock wider.

In presentation mode (16 pt type) a row of buttons or a grid of fields can
be wider than the side column; inside this strip it scrolls sideways instead
of widening the column and squeezing the canvas.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLayout, QScrollArea, QSizePolicy, QVBoxLayout, QWidget


class ControlStrip(QScrollArea):
    """The given layouts stacked; as tall as they are, as narrow as the dock allows."""

    def __init__(self, parent: QWidget, *layouts: QLayout) -> None:
        super().__init__(parent)
        inner = QWidget(self)
        column = QVBoxLayout(inner)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        for layout in layouts:
            column.addLayout(layout)
        self.setWidget(inner)
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self._inner = inner

    def sizeHint(self):  # noqa: N802  (Qt API)
        hint = self._inner.sizeHint()
        return hint.expandedTo(self._inner.minimumSizeHint())

    def minimumSizeHint(self):  # noqa: N802  (Qt API)
        hint = self.sizeHint()
        bar = self.horizontalScrollBar().sizeHint().height()
        hint.setHeight(hint.height() + bar)  # room for the scroll bar when it shows
        hint.setWidth(80)
        return hint
