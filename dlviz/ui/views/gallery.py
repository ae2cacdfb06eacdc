"""The test gallery: test images with what the network calls them, its mistakes first.

Thumbnails in the order of :func:`dlviz.core.image_views.gallery_order`:
misclassified images first (the worst mistakes lead), then the correct ones
least confident first, so the interesting ones are always in view.  Each
shows the predicted class; a mistake also shows the true class, a ✗ and a
vermillion frame (a symbol as well as a colour, for colour-blind eyes).
Clicking one shows its class probabilities beside it; "Load into pad" (or a
double click) puts it on the drawing pad through the session.

The predictions come with the snapshots (the ``gallery`` extra, computed in
the trainer from the outputs its metrics already needed: no forward pass of
the test set in the GUI thread), and only while this view is shown.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QT_TRANSLATE_NOOP, QEvent, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from dlviz.core.colors import OKABE_ITO_HEX
from dlviz.core.snapshot import Gallery, Snapshot
from dlviz.ui.i18n import translate
from dlviz.ui.session import Session
from dlviz.ui.theme import BASE_POINT_SIZE
from dlviz.ui.views.base import View
from dlviz.ui.views.image_parts import NOT_IMAGES, ProbabilityBars, ink_image, set_font_size

#: Thumbnails the snapshots carry (MNIST at 97 % still has ~120 mistakes in the 4,096
#: test images evaluated, so the first screens are all mistakes).  As many columns as
#: the dock's width holds.
GALLERY_SIZE = 48
#: A mistake's frame: Okabe–Ito vermillion.
WRONG_HEX = OKABE_ITO_HEX[5]
#: Side of a thumbnail's picture, pixels at the normal font size.
THUMB_PX = 64


class Thumbnail(QWidget):
    """One test image, its predicted class and, when wrong, ✗ and the true class."""

    clicked = Signal(int)
    double_clicked = Signal(int)

    def __init__(self, index: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.index = index
        self.setObjectName(f"gallery-thumb-{index}")
        self.caption = ""
        self.wrong = False
        self.selected = False
        self.image = None
        self.text_colour = QColor("#1A1A1A")
        self.select_colour = QColor("#0072B2")
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def _side(self) -> int:
        """The picture's side: THUMB_PX at the normal font, larger in presentation mode."""
        return max(THUMB_PX, round(THUMB_PX * self.font().pointSizeF() / BASE_POINT_SIZE))

    def sizeHint(self) -> QSize:  # noqa: N802  (Qt API)
        bold = QFont(self.font())
        bold.setBold(True)  # a mistake's caption is bold: the widest
        metrics = QFontMetrics(bold)
        caption = translate("GalleryView", "✗ {predicted} · true {true}").format(
            predicted=8, true=8
        )
        width = max(self._side(), metrics.horizontalAdvance(caption) + 8)
        return QSize(width + 8, self._side() + metrics.height() + 12)

    def minimumSizeHint(self) -> QSize:  # noqa: N802  (Qt API)
        return self.sizeHint()

    def show_image(self, pixels: np.ndarray, caption: str, wrong: bool, tooltip: str) -> None:
        self.image = ink_image(pixels)
        self.caption, self.wrong = caption, wrong
        self.setToolTip(tooltip)
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802  (Qt API)
        if self.image is None:
            return
        painter = QPainter(self)
        line = self.fontMetrics().height()
        side = min(self.width() - 8, self.height() - line - 12)
        left = (self.width() - side) / 2
        area = QRectF(left, 4, side, side)
        painter.drawImage(area, self.image)
        if self.wrong:
            painter.setPen(QPen(QColor(WRONG_HEX), 4))
            painter.drawRect(area.adjusted(-2, -2, 2, 2))
        if self.selected:
            painter.setPen(QPen(self.select_colour, 2, Qt.PenStyle.DashLine))
            painter.drawRect(QRectF(1, 1, self.width() - 2, self.height() - 2))
        font = QFont(self.font())
        font.setBold(self.wrong)
        painter.setFont(font)
        painter.setPen(QColor(WRONG_HEX) if self.wrong else self.text_colour)
        text_rect = QRectF(0, area.bottom() + 4, self.width(), line + 4)
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignHCenter, self.caption)
        painter.end()

    def mousePressEvent(self, event) -> None:  # noqa: N802  (Qt API)
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.index)

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802  (Qt API)
        if event.button() == Qt.MouseButton.LeftButton:
            self.double_clicked.emit(self.index)


class GalleryView(View):
    """Test images with their predicted class, misclassified first; click for probabilities."""

    name = "gallery"
    title = QT_TRANSLATE_NOOP("views", "Test gallery")
    short_title = QT_TRANSLATE_NOOP("views", "Gallery")
    default_area = "right"
    data_kinds = frozenset({"images"})

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.gallery: Gallery | None = None
        #: The clicked image: (dataset row, pixels, probabilities, true class), kept when
        #: it leaves the gallery so the details do not vanish under the pointer.
        self.chosen: tuple[int, np.ndarray, np.ndarray, int] | None = None

        self.heading = QLabel(self)
        self.heading.setObjectName("gallery-heading")
        self.heading.setWordWrap(True)
        grid_box = QWidget(self)
        self.grid = QGridLayout(grid_box)
        self.grid.setSpacing(4)
        self.grid.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.columns = 0
        self.thumbs: list[Thumbnail] = []
        for i in range(GALLERY_SIZE):
            thumb = Thumbnail(i, grid_box)
            thumb.clicked.connect(self.choose)
            thumb.double_clicked.connect(self._load_thumb)
            thumb.hide()
            self.thumbs.append(thumb)
        self.scroll = QScrollArea(self)
        self.scroll.setWidget(grid_box)
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._lay_out(4)
        self.scroll.viewport().installEventFilter(self)

        self.detail_image = QLabel(self)
        self.detail_image.setObjectName("gallery-detail-image")
        self.detail_image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail_text = QLabel(self)
        self.detail_text.setObjectName("gallery-detail")
        self.detail_text.setWordWrap(True)
        self.detail_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        with self.owning_new_menus():
            self.bars = ProbabilityBars(session, self)
        self.load_button = QPushButton(translate("GalleryView", "Load into pad"), self)
        self.load_button.setObjectName("gallery-load")
        self.load_button.setToolTip(
            translate("GalleryView", "Put this image on the drawing pad to change it")
        )
        self.load_button.clicked.connect(self.load_chosen)
        detail = QVBoxLayout()
        detail.addWidget(self.detail_image)
        detail.addWidget(self.detail_text)
        detail.addWidget(self.bars, 1)
        detail.addWidget(self.load_button)

        page = QWidget(self)
        body = QHBoxLayout()
        body.addWidget(self.scroll, 3)
        body.addLayout(detail, 2)
        column = QVBoxLayout(page)
        column.addWidget(self.heading)
        column.addLayout(body, 1)
        self.page_or_message(page, "gallery-message", translate("ImageViews", NOT_IMAGES))

        session.dataset_changed.connect(self._dataset_changed)
        session.theme_changed.connect(self.apply_theme)
        self.apply_theme()
        self._dataset_changed("new")

    # ------------------------------------------------------------ appearance

    def apply_theme(self) -> None:
        theme = self.session.theme
        set_font_size(self.heading, self.session.scale.font_pt * 1.15)
        set_font_size(self.detail_text, self.session.scale.font_pt * 1.2)
        set_font_size(self.message, self.session.scale.font_pt * 1.4)
        for thumb in self.thumbs:
            thumb.setFont(self.scaled_font(1.0))
            thumb.text_colour = QColor(theme.text)
            thumb.select_colour = QColor(theme.highlight)
            thumb.updateGeometry()
        self._reflow()  # a larger font (presentation mode) makes wider thumbnails
        self._show_chosen()
        self.invalidate()
        self.refresh()

    def _lay_out(self, columns: int) -> None:
        """Put the thumbnails in ``columns`` columns (again only when the number changes)."""
        columns = max(1, columns)
        if columns == self.columns:
            return
        self.columns = columns
        for thumb in self.thumbs:
            self.grid.removeWidget(thumb)
        for i, thumb in enumerate(self.thumbs):
            self.grid.addWidget(thumb, i // columns, i % columns)

    def _reflow(self) -> None:
        width = self.scroll.viewport().width() - 8
        self._lay_out(width // (self.thumbs[0].sizeHint().width() + self.grid.spacing()))

    def eventFilter(self, watched, event) -> bool:  # noqa: N802  (Qt API)
        if watched is self.scroll.viewport() and event.type() == QEvent.Type.Resize:
            self._reflow()
        return super().eventFilter(watched, event)

    def _dataset_changed(self, reason: str) -> None:
        self.pages.setCurrentIndex(0 if self.session.dataset.is_image else 1)
        if reason == "new":
            self.gallery, self.chosen = None, None
            for thumb in self.thumbs:
                thumb.hide()
            self.heading.setText(
                translate("GalleryView", "The test images appear here once the network runs.")
            )
            self._show_chosen()
        self.invalidate()

    def extras(self) -> dict[str, Any]:
        return {"gallery": GALLERY_SIZE} if self.session.dataset.is_image else {}

    # ------------------------------------------------------------ drawing

    def update_snapshot(self, snap: Snapshot) -> None:
        g = snap.gallery
        if g is None or not self.session.dataset.is_image:
            return  # a slice without extras: keep the last gallery
        shape = tuple(self.session.dataset.image_shape)
        if g.pixels.shape[1] != shape[0] * shape[1]:
            return  # an older network's answer to data that has been replaced
        self.gallery = g
        predicted = g.predicted
        for i, thumb in enumerate(self.thumbs):
            if i >= len(g.rows):
                thumb.hide()
                continue
            wrong = bool(predicted[i] != g.labels[i])
            p = float(g.probabilities[i, predicted[i]])
            if wrong:
                caption = translate("GalleryView", "✗ {predicted} · true {true}").format(
                    predicted=int(predicted[i]), true=int(g.labels[i])
                )
                tip = translate(
                    "GalleryView", "Wrong: the network says {predicted} ({p:.0%}); it is a {true}"
                )
            else:
                caption = translate("GalleryView", "{predicted} · {p:.0%}").format(
                    predicted=int(predicted[i]), p=p
                )
                tip = translate("GalleryView", "Right: the network says {predicted} ({p:.0%})")
            thumb.show_image(
                g.pixels[i].reshape(shape),
                caption,
                wrong,
                tip.format(predicted=int(predicted[i]), p=p, true=int(g.labels[i])),
            )
            thumb.selected = self.chosen is not None and int(g.rows[i]) == self.chosen[0]
            thumb.show()
        split = (
            translate("GalleryView", "test")
            if g.split == "test"
            else translate("GalleryView", "training")
        )
        self.heading.setText(
            translate(
                "GalleryView",
                "{wrong:,} of {total:,} {split} images misclassified (marked ✗, shown first), "
                "then the least sure. Click one for its probabilities.",
            ).format(wrong=g.wrong, total=g.total, split=split)
        )
        if self.chosen is not None:  # the chosen image's probabilities follow training
            hits = np.flatnonzero(g.rows == self.chosen[0])
            if hits.size:
                i = int(hits[0])
                self.chosen = (self.chosen[0], g.pixels[i], g.probabilities[i], int(g.labels[i]))
                self._show_chosen()

    # ------------------------------------------------------------ choosing

    def choose(self, index: int) -> None:
        """Show thumbnail ``index``'s image and probabilities beside the gallery."""
        g = self.gallery
        if g is None or index >= len(g.rows):
            return
        self.chosen = (
            int(g.rows[index]),
            g.pixels[index],
            g.probabilities[index],
            int(g.labels[index]),
        )
        for i, thumb in enumerate(self.thumbs):
            thumb.selected = i == index
            thumb.update()
        self._show_chosen()

    def _show_chosen(self) -> None:
        self.load_button.setEnabled(self.chosen is not None)
        if self.chosen is None:
            self.detail_image.clear()
            self.detail_text.setText(translate("GalleryView", "Click an image"))
            classes = self.session.dataset.n_classes if self.session.dataset.is_image else 0
            self.bars.set_values(None, classes)
            return
        _, pixels, probs, truth = self.chosen
        shape = tuple(self.session.dataset.image_shape) or (8, 8)
        side = round(self.session.scale.font_pt * 9)
        image = ink_image(pixels.reshape(shape)).scaled(
            side, side, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation
        )
        self.detail_image.setPixmap(QPixmap.fromImage(image))
        best = int(np.argmax(probs))
        if best == truth:
            text = translate("GalleryView", "A {true}, read as {predicted} ({p:.0%})")
        else:
            text = translate("GalleryView", "✗ A {true}, read as {predicted} ({p:.0%})")
        self.detail_text.setText(text.format(true=truth, predicted=best, p=float(probs[best])))
        self.bars.set_values(probs)

    def load_chosen(self) -> None:
        """Put the chosen image on the drawing pad."""
        if self.chosen is not None:
            self.session.load_into_pad(self.chosen[1])

    def _load_thumb(self, index: int) -> None:
        self.choose(index)
        self.load_chosen()
