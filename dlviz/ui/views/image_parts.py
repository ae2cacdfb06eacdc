"""Pieces the image-data views share: class-probability bars, pixels as a picture, the
message shown when the data are points.

Images are drawn as ink on paper (pixel value 1 is dark ink, 0 the white page)
in the pad, the gallery and the bars' views alike, whatever the theme, so a
digit looks the same everywhere.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from dlviz.core.colors import IMAGE_CLASS_HEX
from dlviz.ui.i18n import translate
from dlviz.ui.session import Session
from dlviz.ui.theme import plot_font
from dlviz.ui.views.base import unindexed

#: Said by an image view built for point data (a ``--view`` screenshot of a points session).
NOT_IMAGES = QT_TRANSLATE_NOOP(
    "ImageViews",
    "This view is for image data (handwritten digits).\n\n"
    "The data now are 2-D points. Load image data, the built-in digits or a folder "
    "of MNIST files, to use it.",
)
#: Ink (value 1) and paper (value 0), as grey levels.
INK_GREY = 20
PAPER_GREY = 255


def ink_image(pixels: np.ndarray) -> QImage:
    """(height, width) pixels in [0, 1] as a grey QImage of the same size, ink dark on white."""
    p = np.clip(np.asarray(pixels, np.float64), 0.0, 1.0)
    grey = np.round(PAPER_GREY + p * (INK_GREY - PAPER_GREY)).astype(np.uint8)
    grey = np.ascontiguousarray(grey)
    h, w = grey.shape
    return QImage(grey.data, w, h, w, QImage.Format.Format_Grayscale8).copy()


def class_colour(label: int) -> str:
    """Hex colour of image class ``label`` (0-based; the colour-blind-aware 10-colour set)."""
    return IMAGE_CLASS_HEX[label % len(IMAGE_CLASS_HEX)]


def set_font_size(widget: QWidget, points: float, *, bold: bool = False, colour: str = "") -> None:
    """Give a widget's text this size (and weight, colour) through its own style sheet.

    ``setFont`` is not enough: the app's style sheet (the check boxes' size) makes Qt
    polish each widget again when it is first shown, and that resets a font set before
    to the app's, so the pad's large answer came out in body size in the main window.
    """
    rules = [f"font-size: {points:.1f}pt", f"font-weight: {'bold' if bold else 'normal'}"]
    if colour:
        rules.append(f"color: {colour}")
    widget.setStyleSheet("; ".join(rules) + ";")


class ProbabilityBars(QWidget):
    """One bar per class: the network's probability for it, in the class's colour.

    One ``BarGraphItem`` updated with ``setOpts``; the x axis names the classes
    by their digit (image classes count from 0, as the digits do).  What the
    bars are is said in a caption above the plot, not on the vertical axis:
    a rotated axis label squeezes Chinese text into an unreadable column.
    """

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.values: np.ndarray | None = None
        self._k = 0
        self.plot_widget = unindexed(pg.PlotWidget(self))
        self.plot_widget.setObjectName("probability-bars")
        self.plot = self.plot_widget.getPlotItem()
        for side in ("left", "bottom"):
            self.plot.getAxis(side).enableAutoSIPrefix(False)
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(False, False)
        self.plot.setYRange(0.0, 1.05, padding=0)  # room for the top tick's label
        self.plot.getAxis("left").setTicks([[(0.0, "0"), (0.5, "0.5"), (1.0, "1")]])
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.8)
        self.plot.addItem(self.bars)
        self.caption = QLabel(self)
        self.caption.setObjectName("probability-caption")
        self.caption.setWordWrap(True)
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.caption)
        layout.addWidget(self.plot_widget, 1)
        self.setMinimumHeight(160)
        session.theme_changed.connect(self.apply_theme)
        self.apply_theme()

    def apply_theme(self) -> None:
        theme, scale = self.session.theme, self.session.scale
        self.plot_widget.setBackground(theme.plot_background)
        pen = pg.mkPen(theme.plot_foreground)
        for side in ("left", "bottom"):
            axis = self.plot.getAxis(side)
            axis.setPen(pen)
            axis.setTextPen(pen)
            axis.setStyle(tickFont=plot_font(scale))
        self.caption.setText(translate("ImageViews", "Probability of each class"))
        self.plot.setLabel("bottom", translate("ImageViews", "class"), size=f"{scale.font_pt}pt")

    def set_classes(self, k: int) -> None:
        """Name classes 0..k-1 on the x axis, bars or not (an empty plot still says what
        it will show, rather than a bare 0..1 axis)."""
        if k > 0 and k != self._k:
            self._k = k
            self.plot.setXRange(-0.6, k - 0.4, padding=0)
            self.plot.getAxis("bottom").setTicks([[(float(i), str(i)) for i in range(k)]])

    def set_values(self, probabilities: np.ndarray | None, classes: int = 0) -> None:
        """Show these class probabilities (None: no answer to show, no bars; the axis still
        names ``classes`` classes when given)."""
        self.values = None if probabilities is None else np.asarray(probabilities, np.float64)
        if self.values is None:
            self.bars.setOpts(x=[], height=[])
            self.set_classes(classes)
            return
        k = self.values.size
        self.set_classes(k)
        self.bars.setOpts(
            x=np.arange(k),
            height=self.values,
            width=0.8,
            brushes=[pg.mkBrush(class_colour(i)) for i in range(k)],
            pens=[pg.mkPen(self.session.theme.plot_foreground, width=1) for _ in range(k)],
        )
