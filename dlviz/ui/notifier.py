"""How the app tells the user something: a status-bar line, or one message box at a time.

Controllers get a :class:`Notifier`, never the window: short news goes to
:meth:`Notifier.status`, a user's mistake to :meth:`Notifier.error` (one
warning with its message and OK), and a question or a report with buttons to
:meth:`Notifier.box`.  At most one box is open: a new one closes the last,
so a burst of errors never stacks dialogs.  Boxes are window-modal and
non-blocking (``open()``, not ``exec()``): the GUI keeps drawing while one is
shown, and tests can find it through :meth:`Notifier.current`.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QMessageBox, QStatusBar, QWidget

from dlviz.core.errors import DlvizError
from dlviz.ui.i18n import core_text, translate

#: How long a status line stays (ms) unless the caller says otherwise.
STATUS_MS = 6000


def user_message(exc: BaseException, what: str) -> str:
    """One clear line for the user: a DlvizError as it is, an OSError with what failed.

    ``what`` is a translated verb phrase ("save the project").

    Anything else is a programming error: it is named as such (with its type),
    never dressed up as the user's mistake.
    """
    if isinstance(exc, DlvizError):
        return core_text(str(exc))
    template = translate("Notifier", "could not {what}: {reason}")
    if isinstance(exc, OSError):
        return template.format(what=what, reason=exc.strerror or exc)
    return template.format(what=what, reason=f"{type(exc).__name__}: {exc}")


class Notifier(QObject):
    """Status lines and message boxes for one window."""

    def __init__(self, status_bar: QStatusBar, dialog_parent: QWidget) -> None:
        super().__init__(dialog_parent)
        self._status_bar = status_bar
        self._parent = dialog_parent
        self._box: QMessageBox | None = None

    def status(self, text: str, ms: int = STATUS_MS) -> None:
        """Short news in the status bar, gone after ``ms`` milliseconds."""
        self._status_bar.showMessage(text, ms)

    def box(self, icon: QMessageBox.Icon, title: str, text: str) -> QMessageBox:
        """A new message box (closing the one shown); add buttons, then ``open()`` it."""
        self.close()
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.NoButton, self._parent)
        box.setObjectName("message-box")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.destroyed.connect(self._gone)
        self._box = box
        return box

    def error(self, text: str) -> None:
        """A mistake the user can fix: its one message, and OK."""
        box = self.box(QMessageBox.Icon.Warning, translate("Notifier", "dlviz"), text)
        box.addButton(QMessageBox.StandardButton.Ok)
        box.open()

    def current(self) -> QMessageBox | None:
        """The message box now shown, if any: a closed one waits for its deferred deletion,
        and answering it then would act on a dialog the user no longer sees."""
        box = self._box
        return box if box is not None and box.isVisible() else None

    def close(self) -> None:
        box, self._box = self._box, None
        if box is not None:
            # its deferred deletion must not forget the box shown after it
            box.destroyed.disconnect(self._gone)
            box.close()

    def _gone(self) -> None:
        self._box = None
