"""The drawing pad: draw a digit with the mouse and watch the network read it, live.

The pad has the data set's size (8×8 for the built-in digits, 28×28 for
MNIST) drawn large.  The brush is soft (:func:`dlviz.core.image_views.apply_stroke`:
a stroke's edge fades over a pixel), so a digit drawn here has the grey edges
of the scanned ones.  The left button draws, the right button erases (or the
Erase mode makes the left one erase), Clear empties the pad.

After every stroke segment the pad's pixels go through the newest snapshot's
network (the reference forward pass, :func:`dlviz.core.kernels.reference.predict`:
one image costs well under a millisecond even for 784-128-10), so the class
probabilities, drawn as bars, follow the pen; they also follow training, since
each new snapshot asks again.  ``pixels()`` gives the pad's image; the
gallery's "Load into pad" puts one on it through
:meth:`dlviz.ui.session.Session.load_into_pad`.

The pad does not start empty: it shows the data's first test image, said so
above the bars, so a first look (or a screenshot) shows the network reading a
digit.  New image data bring their own first test image, until the user draws,
erases, clears or loads an image: from then on the pad is the user's and new
data leave it alone (unless its size changes, which empties it).  An empty pad
shows no class as its reading, only the bars for a blank image.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QT_TRANSLATE_NOOP, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dlviz.core.colors import class_probabilities
from dlviz.core.image_views import apply_stroke, brush_radius, eraser_radius
from dlviz.core.kernels.reference import predict
from dlviz.core.network import spec_features
from dlviz.core.snapshot import Snapshot
from dlviz.ui.i18n import translate
from dlviz.ui.session import Session
from dlviz.ui.views.base import View
from dlviz.ui.views.image_parts import NOT_IMAGES, ProbabilityBars, ink_image, set_font_size

#: Smallest side of the drawing area in pixels (a 28×28 pad: 10 screen pixels per pixel).
MIN_PAD_PX = 280


class PadCanvas(QWidget):
    """The pixels drawn large, with a faint grid; the mouse draws on them.

    ``stroked`` is emitted after every change the mouse makes.
    """

    stroked = Signal()

    def __init__(self, shape: tuple[int, int], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pad-canvas")
        self.setMinimumSize(MIN_PAD_PX, MIN_PAD_PX)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.erase_mode = False
        self.grid_colour = QColor("#C8C8C8")
        self._last: tuple[float, float] | None = None
        self._erasing = False
        self.set_shape(shape)

    def set_shape(self, shape: tuple[int, int]) -> None:
        self.pixels = np.zeros(shape, np.float32)
        self.radius = brush_radius(shape)
        self.eraser = eraser_radius(shape)
        self.update()

    def square(self) -> QRectF:
        """Where the image is drawn: the largest square that fits, centred, whole screen
        pixels per image pixel so every pixel is drawn the same size."""
        h, w = self.pixels.shape
        cell = max(1, min((self.width() - 2) // w, (self.height() - 2) // h))
        left = (self.width() - cell * w) // 2
        top = (self.height() - cell * h) // 2
        return QRectF(left, top, cell * w, cell * h)

    def to_pixels(self, pos: QPointF) -> tuple[float, float]:
        """A widget position in the image's pixel units (x across, y down)."""
        area = self.square()
        h, w = self.pixels.shape
        return (
            (pos.x() - area.left()) * w / area.width(),
            (pos.y() - area.top()) * h / area.height(),
        )

    def paintEvent(self, event) -> None:  # noqa: N802  (Qt API)
        painter = QPainter(self)
        area = self.square()
        painter.drawImage(area, ink_image(self.pixels))
        h, w = self.pixels.shape
        painter.setPen(QPen(self.grid_colour, 1))
        for i in range(1, h):
            y = area.top() + i * area.height() / h
            painter.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
        for j in range(1, w):
            x = area.left() + j * area.width() / w
            painter.drawLine(QPointF(x, area.top()), QPointF(x, area.bottom()))
        painter.setPen(QPen(QColor("#606060"), 2))
        painter.drawRect(area)
        painter.end()

    def mousePressEvent(self, event) -> None:  # noqa: N802  (Qt API)
        button = event.button()
        if button not in (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton):
            return
        self._erasing = button == Qt.MouseButton.RightButton or self.erase_mode
        self._last = self.to_pixels(event.position())
        self._stroke(self._last)  # a click leaves a dot

    def mouseMoveEvent(self, event) -> None:  # noqa: N802  (Qt API)
        if self._last is not None:
            self._stroke(self.to_pixels(event.position()))

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802  (Qt API)
        self._last = None

    def contextMenuEvent(self, event) -> None:  # noqa: N802  (Qt API)
        event.accept()  # the right button erases; no menu

    def _stroke(self, to: tuple[float, float]) -> None:
        start = self._last if self._last is not None else to
        radius = self.eraser if self._erasing else self.radius
        apply_stroke(self.pixels, start, to, radius, erase=self._erasing)
        self._last = to
        self.update()
        self.stroked.emit()


class PadView(View):
    """A pad at the data's image size and the network's class probabilities for it, live."""

    name = "pad"
    title = QT_TRANSLATE_NOOP("views", "Drawing pad")
    short_title = QT_TRANSLATE_NOOP("views", "Pad")
    default_area = "right"
    data_kinds = frozenset({"images"})

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        #: The class probabilities for the pad's pixels (None: no image network yet).
        self.probabilities: np.ndarray | None = None
        self.predictions = 0  # forward passes made (tests: the bars follow the pen)
        #: (row of the data, its true class) of the data's image on the pad; None when
        #: the pad holds the user's own drawing (or is empty).
        self.sample: tuple[int, int] | None = None
        #: The user has drawn, erased, cleared or loaded an image: new data keep the pad.
        self.user_owned = False

        self.canvas = PadCanvas(self._shape(), self)
        self.canvas.stroked.connect(self._stroked)
        self.draw_button = QPushButton(translate("PadView", "Draw"), self)
        self.draw_button.setObjectName("pad-draw")
        self.erase_button = QPushButton(translate("PadView", "Erase"), self)
        self.erase_button.setObjectName("pad-erase")
        for button in (self.draw_button, self.erase_button):
            button.setCheckable(True)
        self.draw_button.setChecked(True)
        self.draw_button.setToolTip(translate("PadView", "The left button draws"))
        self.erase_button.setToolTip(
            translate("PadView", "The left button erases (the right button always does)")
        )
        modes = QButtonGroup(self)
        modes.addButton(self.draw_button)
        modes.addButton(self.erase_button)
        self.erase_button.toggled.connect(self._set_erase)
        self.clear_button = QPushButton(translate("PadView", "Clear"), self)
        self.clear_button.setObjectName("pad-clear")
        self.clear_button.setToolTip(translate("PadView", "Empty the pad"))
        self.clear_button.clicked.connect(self.clear)
        self.hint = QLabel(
            translate("PadView", "Draw a digit: left button draws, right button erases"), self
        )
        self.hint.setObjectName("pad-hint")
        self.hint.setWordWrap(True)
        tools = QHBoxLayout()
        tools.addWidget(self.draw_button)
        tools.addWidget(self.erase_button)
        tools.addWidget(self.clear_button)
        tools.addStretch(1)
        left = QVBoxLayout()
        left.addWidget(self.canvas, 1)
        left.addLayout(tools)
        left.addWidget(self.hint)

        self.answer = QLabel(self)
        self.answer.setObjectName("pad-answer")
        self.answer.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.answer_note = QLabel(self)
        self.answer_note.setObjectName("pad-answer-note")
        self.answer_note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.answer_note.setWordWrap(True)
        with self.owning_new_menus():
            self.bars = ProbabilityBars(session, self)
        right = QVBoxLayout()
        right.addWidget(self.answer)
        right.addWidget(self.answer_note)
        right.addWidget(self.bars, 1)

        pad_page = QWidget(self)
        row = QHBoxLayout(pad_page)
        row.addLayout(left, 3)
        row.addLayout(right, 2)
        self.page_or_message(pad_page, "pad-message", translate("ImageViews", NOT_IMAGES))

        session.dataset_changed.connect(self._dataset_changed)
        session.theme_changed.connect(self.apply_theme)
        session.pad_image_requested.connect(self.set_pixels)
        self.apply_theme()
        self._dataset_changed("new")

    # ------------------------------------------------------------ appearance

    def apply_theme(self) -> None:
        pt = self.session.scale.font_pt
        set_font_size(self.answer_note, pt * 1.3)
        set_font_size(self.message, pt * 1.4)
        set_font_size(self.hint, pt * 1.0)
        self.canvas.grid_colour = QColor("#D0D0D0")
        self._show_answer()

    # ------------------------------------------------------------ data

    def _shape(self) -> tuple[int, int]:
        shape = self.session.dataset.image_shape
        return (int(shape[0]), int(shape[1])) if shape else (8, 8)

    def _dataset_changed(self, reason: str) -> None:
        images = self.session.dataset.is_image
        self.pages.setCurrentIndex(0 if images else 1)
        if images:
            if self.canvas.pixels.shape != self._shape():
                self.canvas.set_shape(self._shape())  # a drawing of the old size is gone
                self.user_owned = False
            if not self.user_owned:
                self._show_sample()
            self.predict()
        self.invalidate()

    def _show_sample(self) -> None:
        """The data's first test image on the pad (the first image when none is for testing)."""
        ds = self.session.dataset
        rows = np.flatnonzero(ds.is_test)
        if rows.size == 0:
            rows = np.arange(ds.n)
        if rows.size == 0:
            self.sample = None
            self.canvas.pixels[...] = 0.0
        else:
            row = int(rows[0])
            self.sample = (row, int(ds.targets[row]))
            self.canvas.pixels[...] = np.clip(ds.points[row], 0.0, 1.0).reshape(self._shape())
        self.canvas.update()

    def pixels(self) -> np.ndarray:
        """The pad's image: (height, width) float32 in [0, 1], a copy."""
        return self.canvas.pixels.copy()

    def set_pixels(self, pixels: np.ndarray) -> None:
        """Put an image on the pad (flat or (height, width), values in [0, 1]); the pad is
        the user's from now on."""
        image = np.clip(np.asarray(pixels, np.float32), 0.0, 1.0).reshape(self._shape())
        if image.shape != self.canvas.pixels.shape:
            self.canvas.set_shape(image.shape)
        self.canvas.pixels[...] = image
        self._take_over()
        self.canvas.update()
        self.predict()

    def clear(self) -> None:
        self.canvas.pixels[...] = 0.0
        self._take_over()
        self.canvas.update()
        self.predict()

    def _stroked(self) -> None:
        self._take_over()
        self.predict()

    def _take_over(self) -> None:
        """The user changed the pad: it is no longer the data's image, and stays."""
        self.user_owned = True
        self.sample = None

    def _set_erase(self, on: bool) -> None:
        self.canvas.erase_mode = on

    def _network(self, snap: Snapshot | None) -> Snapshot | None:
        """The snapshot whose network reads images of the pad's size, if there is one."""
        if snap is None or not snap.spec.is_image:
            return None
        if tuple(snap.spec.image_shape) != self.canvas.pixels.shape:
            return None
        return snap

    def predict(self) -> None:
        """Run the pad's pixels through the newest network and show its answer."""
        snap = self._network(self.session.latest)
        if snap is None:
            self.probabilities = None
        else:
            x = spec_features(snap.spec, self.canvas.pixels.reshape(1, -1))
            out = predict(snap.spec, snap.params, x)
            self.probabilities = class_probabilities(out)[0]
            self.predictions += 1
        self._show_answer()

    def reading(self) -> int | None:
        """The class the big digit shows as the pad's reading (None: no network, or an
        empty pad, which has nothing to read)."""
        if self.probabilities is None or not self.canvas.pixels.any():
            return None
        return int(np.argmax(self.probabilities))

    def _show_answer(self) -> None:
        ds = self.session.dataset
        self.bars.set_values(self.probabilities, ds.n_classes if ds.is_image else 0)
        best = self.reading()
        # large enough to read from the back of a room in both modes
        size = self.session.scale.font_pt * 5.0
        if best is None:
            self.answer.setText("–")
            set_font_size(self.answer, size, bold=True, colour=self.session.theme.muted)
        else:
            self.answer.setText(str(best))
            # the text colour, not the class's: some class colours (light yellow) are too
            # faint for a digit on the page; the bar under it carries the class colour
            set_font_size(self.answer, size, bold=True, colour=self.session.theme.text)
        if self.probabilities is None:
            note = translate("PadView", "No network for images yet: train one to read the pad.")
        elif best is None:
            note = translate(
                "PadView",
                "The pad is empty: draw a digit. The bars: the network's answer to a blank image.",
            )
        elif self.sample is not None:
            note = translate(
                "PadView", "A test image (true {digit}): draw over it or Clear"
            ).format(digit=self.sample[1])
        else:
            note = translate("PadView", "the network reads {digit} ({p:.0%} sure)").format(
                digit=best, p=float(self.probabilities[best])
            )
        self.answer_note.setText(note)

    def update_snapshot(self, snap: Snapshot) -> None:
        self.predict()  # new weights: the same drawing may now read differently
