"""File ▸ Open recent: the last projects and data files opened or saved, kept in QSettings."""

from __future__ import annotations

import os

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import QMenu

from dlviz.ui.notifier import Notifier

MAX_RECENT = 8
KEY = "files/recent"


class RecentFiles(QObject):
    """The recent-files list and its menu; choosing an entry emits :attr:`chosen`."""

    #: A recent file the user picked that still exists (the project actions open it).
    chosen = Signal(str)

    def __init__(self, menu: QMenu, notifier: Notifier) -> None:
        super().__init__(menu)
        self.menu = menu
        self.notifier = notifier
        menu.aboutToShow.connect(self.fill_menu)

    def paths(self) -> list[str]:
        """Newest first."""
        value = QSettings().value(KEY, [])
        if isinstance(value, str):
            value = [value]
        return [str(p) for p in (value or [])]

    def add(self, path: str) -> None:
        paths = [path, *(p for p in self.paths() if p != path)][:MAX_RECENT]
        QSettings().setValue(KEY, paths)

    def open(self, path: str) -> bool:
        """Emit :attr:`chosen` for ``path``; a file gone since is dropped from the list, said so."""
        if not os.path.exists(path):
            QSettings().setValue(KEY, [p for p in self.paths() if p != path])
            self.notifier.error(f"{path} no longer exists; removed it from the recent files")
            return False
        self.chosen.emit(path)
        return True

    def fill_menu(self) -> None:
        self.menu.clear()
        paths = self.paths()
        for path in paths:
            action = self.menu.addAction(os.path.basename(path))
            action.setToolTip(path)
            action.triggered.connect(lambda _=False, p=path: self.open(p))
        if not paths:
            self.menu.addAction("(none yet)").setEnabled(False)
