"""The lesson panel: a lesson's steps one at a time, and the frame that points at a control.

:class:`LessonPanel` shows the lesson's title, "Step k of n", the step's
text (rich text) and Back / Next / Restart step.  It does not touch the
training itself: it says what should happen through signals, and whoever
owns the window (the lesson controller) applies the set-up:

* ``step_entered(index, setup)``: a step became current.  ``setup`` is what
  to apply: the step's own changes when the user walked on with Next (the
  run goes on where the last step left it), the whole folded set-up of steps
  1..k when the step is restarted, opened directly or reached with Back;
* ``highlight_changed(name)``: the step's control to point at ("" for none).

The owner reports what happens in the app with :meth:`play_pressed`,
:meth:`setting_changed` and :meth:`progress`; when the step's condition to
go on is met the panel says so and emphasises Next.  It never walks on by
itself: the teacher decides when the class has seen enough.

:class:`Highlight` draws a thick frame over a widget of the window (it lets
the mouse through) and follows it as the layout changes.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from dlviz.core.lessons import Lesson, Setup
from dlviz.ui.i18n import translate

#: The frame's colour: Okabe–Ito vermillion, visible on light and dark themes alike.
HIGHLIGHT_COLOUR = QColor(213, 94, 0)
HIGHLIGHT_WIDTH = 4
#: The step's text size relative to the app's font.
TEXT_SCALE = 1.25


class LessonPanel(QWidget):
    """One lesson, one step at a time; see the module docstring."""

    step_entered = Signal(int, object)  # step index (0-based), Setup to apply
    highlight_changed = Signal(str)

    def __init__(self, lesson: Lesson, language: str = "en", parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("lesson-panel")
        self.lesson = lesson
        self.language = language
        self.index = 0
        #: The current step's condition to go on has been met.
        self.ready = False

        self.title = QLabel(self)
        self.title.setObjectName("lesson-title")
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title.setFont(font)
        self.counter = QLabel(self)
        self.counter.setObjectName("lesson-counter")
        self.text = QTextBrowser(self)
        self.text.setObjectName("lesson-text")
        self.text.setOpenExternalLinks(True)
        self.text.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.text.setMinimumSize(260, 160)
        # the text is read from the back of a room: larger than the controls around it
        text_font = self.text.font()
        text_font.setPointSizeF(text_font.pointSizeF() * TEXT_SCALE)
        self.text.setFont(text_font)
        self.status = QLabel(self)
        self.status.setObjectName("lesson-status")
        self.status.setWordWrap(True)

        self.back = QPushButton(self)
        self.back.setObjectName("lesson-back")
        self.restart = QPushButton(self)
        self.restart.setObjectName("lesson-restart")
        self.next = QPushButton(self)
        self.next.setObjectName("lesson-next")
        self.back.clicked.connect(self.go_back)
        self.next.clicked.connect(self.go_next)
        self.restart.clicked.connect(self.restart_step)

        buttons = QHBoxLayout()
        buttons.addWidget(self.back)
        buttons.addWidget(self.restart)
        buttons.addStretch(1)
        buttons.addWidget(self.next)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.counter)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self._show()

    # ------------------------------------------------------------ navigation

    @property
    def n_steps(self) -> int:
        return len(self.lesson.steps)

    def open_step(self, index: int) -> None:
        """Make step ``index`` current with everything set up from scratch."""
        self.index = max(0, min(index, self.n_steps - 1))
        self._enter(self.lesson.setup_at(self.index))

    def restart_step(self) -> None:
        self.open_step(self.index)

    def go_back(self) -> None:
        if self.index > 0:
            # going back undoes what later steps changed: set the earlier step up in full
            self.open_step(self.index - 1)

    def go_next(self) -> None:
        if self.index + 1 < self.n_steps:
            self.index += 1
            self._enter(self.lesson.steps[self.index].setup)

    def _enter(self, setup: Setup) -> None:
        self.ready = False
        self._show()
        self.step_entered.emit(self.index, setup)
        self.highlight_changed.emit(self.lesson.steps[self.index].highlight or "")

    # ------------------------------------------------------------ conditions

    def play_pressed(self) -> None:
        self._check("play")

    def setting_changed(self, name: str) -> None:
        """``name`` as set-ups spell it: ``training.lr``, ``network.hidden``, ``speed``..."""
        self._check("setting", setting=name)

    def progress(self, epoch: int, test_accuracy: float | None) -> None:
        self._check("epoch", value=float(epoch))
        if test_accuracy is not None:
            self._check("test_accuracy", value=test_accuracy)

    def _check(self, kind: str, setting: str | None = None, value: float | None = None) -> None:
        condition = self.lesson.steps[self.index].next_when
        if self.ready or condition is None or condition.kind != kind:
            return
        if kind == "setting" and condition.setting != setting:
            return
        if condition.at_least is not None and (value is None or value < condition.at_least):
            return
        self.ready = True
        self._show()

    # ------------------------------------------------------------ drawing

    def set_language(self, language: str) -> None:
        self.language = language
        self._show()

    def _show(self) -> None:
        lesson, k = self.lesson, self.index
        self.title.setText(lesson.title_in(self.language))
        self.counter.setText(
            translate("LessonPanel", "Step {0} of {1}").format(k + 1, self.n_steps)
        )
        self.text.setHtml(lesson.text(k, self.language))
        self.back.setText(translate("LessonPanel", "Back"))
        self.restart.setText(translate("LessonPanel", "Restart step"))
        last = k + 1 == self.n_steps
        self.next.setText(translate("LessonPanel", "Next"))
        self.back.setEnabled(k > 0)
        self.next.setEnabled(not last)
        condition = lesson.steps[k].next_when
        if self.ready and not last:
            self.status.setText(translate("LessonPanel", "✓ Done: go on with Next."))
            self.next.setDefault(True)
            self.next.setFocus()
        elif condition is not None and not last:
            self.status.setText(self._waiting_for(condition.kind, condition.at_least))
            self.next.setDefault(False)
        else:
            self.status.setText(translate("LessonPanel", "Last step.") if last else "")
            self.next.setDefault(False)

    def _waiting_for(self, kind: str, at_least: float | None) -> str:
        if kind == "play":
            return translate("LessonPanel", "Next step after pressing Play.")
        if kind == "setting":
            return translate("LessonPanel", "Next step after changing the setting.")
        if kind == "test_accuracy":
            return translate(
                "LessonPanel", "Next step once the test accuracy reaches {0:.0%}."
            ).format(at_least)
        return translate("LessonPanel", "Next step at epoch {0:g}.").format(at_least)


class Highlight(QWidget):
    """A frame drawn over ``target`` on its window; mouse events pass through it."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("lesson-highlight")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.target: QWidget | None = None
        self._watched: list[QObject] = []
        self.hide()

    def point_at(self, target: QWidget | None) -> None:
        for obj in self._watched:
            obj.removeEventFilter(self)
        self._watched = []
        if self.target is not None:
            self.target.destroyed.disconnect(self._target_gone)
        self.target = target
        if target is None:
            self.hide()
            return
        # the target and every parent up to the window: any of them moving moves the frame
        widget: QWidget | None = target
        while widget is not None and widget is not self.parentWidget():
            widget.installEventFilter(self)
            self._watched.append(widget)
            widget = widget.parentWidget()
        target.destroyed.connect(self._target_gone)
        self._follow()

    def _target_gone(self) -> None:
        self._watched = []
        self.target = None
        self.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802  (Qt API)
        if event.type() in (
            QEvent.Type.Move,
            QEvent.Type.Resize,
            QEvent.Type.Show,
            QEvent.Type.Hide,
        ):
            self._follow()
        return False

    def _follow(self) -> None:
        window = self.parentWidget()
        target = self.target
        if target is None or window is None or not target.isVisibleTo(window):
            self.hide()
            return
        pad = HIGHLIGHT_WIDTH
        corner = target.mapTo(window, target.rect().topLeft())
        self.setGeometry(
            QRect(
                corner.x() - pad,
                corner.y() - pad,
                target.width() + 2 * pad,
                target.height() + 2 * pad,
            )  # fmt: skip
        )
        self.raise_()
        self.show()

    def paintEvent(self, event) -> None:  # noqa: N802  (Qt API)
        painter = QPainter(self)
        pen = QPen(HIGHLIGHT_COLOUR, HIGHLIGHT_WIDTH)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        half = HIGHLIGHT_WIDTH // 2
        painter.drawRoundedRect(self.rect().adjusted(half, half, -half, -half), 6, 6)
