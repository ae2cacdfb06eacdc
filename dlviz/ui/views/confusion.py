"""The confusion matrix and per-class accuracy of a classifier, live.

A k x k grid: rows are the true classes, columns the predicted ones, each
cell the number of points in large type, shaded by its share of the row (so
a class's mistakes stand out whatever its size).  Each row and column
carries its class's colour swatch (the same Okabe–Ito colours as the
canvas); each row ends with that class's accuracy (recall), and the title
gives the overall accuracy and which points were counted.  The counts come
with the snapshot (:attr:`dlviz.core.snapshot.Snapshot.confusion`), the
accuracies from :func:`dlviz.core.metrics.per_class_accuracy`.

Regression and curve data have no classes: the view then says so.  Labels
change only when the counts do, so a paused run costs nothing.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from dlviz.core.colors import class_hex
from dlviz.core.metrics import per_class_accuracy
from dlviz.core.snapshot import Snapshot
from dlviz.ui.core_texts import colour_name
from dlviz.ui.i18n import translate
from dlviz.ui.session import Session
from dlviz.ui.views.base import View

#: Shading of a cell holding a whole row's points (blended into the background by share).
CELL_HEX = "#0072B2"
NOT_CLASSIFICATION = QT_TRANSLATE_NOOP(
    "ConfusionView",
    "The confusion matrix is for classification.\n\n"
    "These data are {what}: the network predicts a number, not a class, "
    "so there is nothing to count. Pick a classification preset "
    "(circle, xor, spiral, blobs...) to see it.",
)


def mix(background: QColor, color: QColor, amount: float) -> QColor:
    t = min(max(amount, 0.0), 1.0)
    return QColor(
        round(background.red() + t * (color.red() - background.red())),
        round(background.green() + t * (color.green() - background.green())),
        round(background.blue() + t * (color.blue() - background.blue())),
    )


def percent(value: float) -> str:
    return "–" if not np.isfinite(value) else f"{100 * value:.1f} %"


class ConfusionView(View):
    """Counts of (true class, predicted class) on the test points, with per-class accuracy."""

    name = "confusion"
    title = QT_TRANSLATE_NOOP("views", "Confusion matrix")
    short_title = QT_TRANSLATE_NOOP("views", "Confusion")
    default_area = "right"

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self._k = 0
        self._images = False  # image data's classes are named 0-9, points' 1-8
        self._shown: tuple[bytes, str] | None = None
        self.cells: list[list[QLabel]] = []
        self.row_accuracy: list[QLabel] = []
        self.matrix: np.ndarray | None = None

        self.heading = QLabel(self)
        self.heading.setObjectName("confusion-title")
        self.heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.heading.setWordWrap(True)
        self.grid_box = QWidget(self)
        self.grid = QGridLayout(self.grid_box)
        self.grid.setSpacing(3)
        self.grid.setContentsMargins(8, 8, 8, 8)
        matrix_page = QWidget(self)
        page = QVBoxLayout(matrix_page)
        page.addWidget(self.heading)
        page.addWidget(self.grid_box, 1)

        self.page_or_message(matrix_page, "confusion-message")

        session.dataset_changed.connect(self._dataset_changed)
        session.theme_changed.connect(self.apply_theme)
        self.apply_theme()
        self._dataset_changed("new")

    # ------------------------------------------------------------ appearance

    def apply_theme(self) -> None:
        self.heading.setFont(self.scaled_font(1.3, bold=True))
        self.message.setFont(self.scaled_font(1.4))
        self._build(self._k, force=True)
        self.invalidate()
        self.refresh()

    def _dataset_changed(self, reason: str) -> None:
        kind = self.session.kind
        if kind == "classify":
            self.pages.setCurrentIndex(0)
        else:
            what = (
                translate("ConfusionView", "a 1-D curve")
                if kind == "curve"
                else translate("ConfusionView", "regression data")
            )
            self.message.setText(translate("ConfusionView", NOT_CLASSIFICATION).format(what=what))
            self.pages.setCurrentIndex(1)
        self.invalidate()

    def showing_message(self) -> bool:
        return self.pages.currentIndex() == 1

    def _name(self, label: int) -> int:
        """A class as the user knows it: a digit is itself (0-9), points count from 1."""
        return label if self._images else label + 1

    def _build(self, k: int, force: bool = False) -> None:
        """Labels for a k-class grid, made again only when k (or the data's kind) changes."""
        images = self.session.dataset.is_image
        if k == self._k and images == self._images and not force:
            return
        self._k, self._images = k, images
        self._shown = None
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.deleteLater()
        self.cells = []
        self.row_accuracy = []
        if k == 0:
            return
        header = self.scaled_font(1.3, bold=True)
        corner = QLabel(translate("ConfusionView", "true ↓   predicted →"), self.grid_box)
        corner.setFont(self.scaled_font(1.0))
        corner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.grid.addWidget(corner, 0, 0)
        for j in range(k):
            self.grid.addWidget(self._swatch(j, header), 0, j + 1)
        acc_header = QLabel(translate("ConfusionView", "accuracy"), self.grid_box)
        acc_header.setFont(header)
        acc_header.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.grid.addWidget(acc_header, 0, k + 1)
        count_font = self.scaled_font(2.0 if k <= 4 else 1.5, bold=True)
        for i in range(k):
            self.grid.addWidget(self._swatch(i, header), i + 1, 0)
            row = []
            for j in range(k):
                cell = QLabel("", self.grid_box)
                cell.setObjectName(f"confusion-{i + 1}-{j + 1}")
                cell.setAlignment(Qt.AlignmentFlag.AlignCenter)
                cell.setFont(count_font)
                cell.setAutoFillBackground(True)
                cell.setMinimumSize(48, 40)
                cell.setToolTip(
                    translate(
                        "ConfusionView",
                        "Points of class {true} the network calls class {predicted}",
                    ).format(true=self._name(i), predicted=self._name(j))
                    + (translate("ConfusionView", " (correct)") if i == j else "")
                )
                self.grid.addWidget(cell, i + 1, j + 1)
                row.append(cell)
            self.cells.append(row)
            acc = QLabel("", self.grid_box)
            acc.setObjectName(f"confusion-accuracy-{i + 1}")
            acc.setFont(self.scaled_font(1.3, bold=True))
            acc.setAlignment(Qt.AlignmentFlag.AlignCenter)
            acc.setToolTip(
                translate(
                    "ConfusionView", "Share of class {n}'s points classified correctly"
                ).format(n=self._name(i))
            )
            self.grid.addWidget(acc, i + 1, k + 1)
            self.row_accuracy.append(acc)
        for idx in range(1, k + 1):
            self.grid.setRowStretch(idx, 1)
            self.grid.setColumnStretch(idx, 1)

    def _swatch(self, label: int, font: QFont) -> QLabel:
        """The class number on its own colour, as on the canvas's class buttons."""
        color = QColor(class_hex(self._images)[label])
        swatch = QLabel(str(self._name(label)), self.grid_box)
        swatch.setFont(font)
        swatch.setAlignment(Qt.AlignmentFlag.AlignCenter)
        swatch.setMinimumSize(36, 32)
        swatch.setToolTip(
            translate("ConfusionView", "class {n}").format(n=label)
            if self._images
            else translate("ConfusionView", "class {n} ({colour})").format(
                n=label + 1, colour=colour_name(label)
            )
        )
        text = "#000000" if color.lightness() > 140 else "#FFFFFF"
        swatch.setStyleSheet(
            f"background: {color.name()}; color: {text}; border-radius: 6px; padding: 2px 8px;"
        )
        return swatch

    # ------------------------------------------------------------ data

    def update_snapshot(self, snap: Snapshot) -> None:
        if snap.confusion is None or self.session.kind != "classify":
            return  # regression or curve data: the message page is showing
        matrix = np.asarray(snap.confusion)
        k = matrix.shape[0]
        if k != self.session.dataset.n_classes:
            return  # an older network's answer to data that has been replaced
        self._build(k)
        key = (matrix.tobytes(), snap.confusion_split)
        if key == self._shown:
            return
        self._shown = key
        self.matrix = matrix
        total = int(matrix.sum())
        correct = int(np.trace(matrix))
        overall = correct / total if total else float("nan")
        where = "test" if snap.confusion_split == "test" else "training"
        is_test = np.asarray(self.session.dataset.is_test, bool)
        in_split = int(is_test.sum() if where == "test" else (~is_test).sum())
        images = self.session.dataset.is_image
        if total < in_split:
            template = (
                translate(
                    "ConfusionView",
                    "Accuracy {accuracy}  ({correct:,} of {total:,} {split} images, "
                    "a sample of the {all:,})",
                )
                if images
                else translate(
                    "ConfusionView",
                    "Accuracy {accuracy}  ({correct:,} of {total:,} {split} points, "
                    "a sample of the {all:,})",
                )
            )
        elif images:
            template = translate(
                "ConfusionView", "Accuracy {accuracy}  ({correct:,} of {total:,} {split} images)"
            )
        else:
            template = translate(
                "ConfusionView", "Accuracy {accuracy}  ({correct:,} of {total:,} {split} points)"
            )
        split = (
            translate("ConfusionView", "test")
            if where == "test"
            else translate("ConfusionView", "training")
        )
        self.heading.setText(
            template.format(
                accuracy=percent(overall), correct=correct, total=total, split=split, all=in_split
            )
        )
        theme = self.session.theme
        background = QColor(theme.plot_background)
        shade = QColor(CELL_HEX)
        rows = matrix.sum(axis=1)
        for i in range(k):
            for j in range(k):
                share = matrix[i, j] / rows[i] if rows[i] else 0.0
                fill = mix(background, shade, 0.9 * share)
                text = QColor("#FFFFFF") if fill.lightness() < 128 else QColor("#1A1A1A")
                if matrix[i, j] == 0:
                    text = QColor(theme.muted)  # the mistakes that did happen stand out
                cell = self.cells[i][j]
                pal = cell.palette()
                pal.setColor(QPalette.ColorRole.Window, fill)
                pal.setColor(QPalette.ColorRole.WindowText, text)
                cell.setPalette(pal)
                cell.setText(str(int(matrix[i, j])))
        for i, value in enumerate(per_class_accuracy(matrix)):
            self.row_accuracy[i].setText(percent(float(value)))
