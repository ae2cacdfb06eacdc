"""Autosave and crash restore: each window's own slot file, and what crashed sessions left.

Each running window writes its own slot file ``autosave-N.dlviz`` in the data
folder, held with a :class:`QLockFile` for as long as it runs.  A slot file
whose lock nobody holds was left by a session that did not close (a crash, a
kill): a plain start offers those, newest first.  A start with a file leaves
them for a later start; no window ever writes into another's slot or a
leftover's.

:class:`Autosave` is given the worker (the write is a job between two
training slices), the project actions (what to save, and where a restored
session goes) and a notifier; never the window.
"""

from __future__ import annotations

import os
import re
import threading
import time
from dataclasses import dataclass, field

from PySide6.QtCore import QLockFile, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QMessageBox

from dlviz.core.errors import DlvizError
from dlviz.core.fileio import atomic_write
from dlviz.core.project import load_project, project_bytes
from dlviz.core.trainer import Trainer
from dlviz.ui.i18n import core_text, translate
from dlviz.ui.notifier import Notifier, user_message
from dlviz.ui.project_actions import ProjectActions
from dlviz.ui.worker import TrainingWorker

AUTOSAVE_MS = 60_000
#: The single autosave file of earlier versions: still offered after a crash, never written.
AUTOSAVE_NAME = "autosave.dlviz"
#: Slot files, one per running window: ``autosave-1.dlviz``, ``autosave-2.dlviz``...
AUTOSAVE_SLOT = "autosave-{}.dlviz"
AUTOSAVE_RE = re.compile(r"^autosave(-\d+)?\.dlviz$")
MAX_SLOTS = 64
#: Temporary files of an interrupted write (``atomic_write``) older than this are removed.
STALE_TEMP_S = 300.0
TEMP_RE = re.compile(r"^\.dlviz-.*\.tmp$")


class Autosave(QObject):
    """One window's autosave: a timer, its slot, and the offer to restore leftovers."""

    #: An autosave job ended: ("autosave", "" or the error message shown).
    job_finished = Signal(str, str)

    def __init__(self, worker: TrainingWorker, project: ProjectActions, notifier: Notifier) -> None:
        super().__init__(project)
        self.worker = worker
        self.project = project
        self.notifier = notifier
        self.directory: str | None = None
        self._slot: AutosaveSlot | None = None
        self._dirty = False
        self._busy = False
        self._engine_ready = False
        self._offers: list[Leftover] = []
        #: Leftovers restored into this window: removed once this window's autosave holds them.
        self._restored: list[Leftover] = []
        self.timer = QTimer(self)
        self.timer.setInterval(AUTOSAVE_MS)
        self.timer.timeout.connect(self.autosave)
        project.modified_changed.connect(self._modified)
        project.opened.connect(self._opened)
        worker.ready.connect(self._worker_ready, Qt.ConnectionType.QueuedConnection)

    @Slot(bool)
    def _modified(self, on: bool) -> None:
        if on:
            self._dirty = True

    @Slot()
    def _opened(self) -> None:
        self._dirty = False  # the file just opened holds it all

    @Slot(float)
    def _worker_ready(self, seconds: float) -> None:
        self._engine_ready = True
        if self._restored:
            self.autosave()  # a restored session goes into this window's slot at once

    def busy(self) -> bool:
        """Whether an autosave is being written."""
        return self._busy

    def path(self) -> str | None:
        """This window's own autosave file (None while autosave is off)."""
        return None if self._slot is None else self._slot.path

    def enable(self, directory: str | None = None) -> None:
        """Autosave to a slot of its own in ``directory`` (default :func:`default_data_dir`).

        Also removes temporary files that an interrupted write left there.
        """
        self.directory = directory or default_data_dir()
        try:
            os.makedirs(self.directory, exist_ok=True)
            remove_stale_temp_files(self.directory)
            self._slot = claim_slot(self.directory)
        except (OSError, DlvizError) as exc:
            self.notifier.status(user_message(exc, translate("Autosave", "start autosave")), 10_000)
            return
        self.timer.start()

    def start(self, offer_restore: bool, directory: str | None = None) -> None:
        """What the app does at start: autosave; a plain start offers what crashed sessions left.

        A start with a file (``offer_restore`` False) leaves those for a later
        plain start and only says they are there.
        """
        self.enable(directory)
        if self.directory is None or self._slot is None:
            return
        if offer_restore:
            self.offer_restore()
            return
        waiting = self.leftovers()
        if waiting:
            self.notifier.status(
                translate(
                    "Autosave",
                    "{n} automatically saved session(s) of an earlier run are kept: "
                    "start dlviz without a file to restore them",
                ).format(n=len(waiting)),
                10_000,
            )

    @Slot()
    def autosave(self) -> bool:
        """Start writing the autosave if anything changed since the last one.

        True when a write was handed to the worker.  Skipped (False, silently)
        while the engine warms up, while the last autosave is still under way,
        or with nothing new to save.
        """
        slot = self._slot
        if slot is None or not self._dirty or not self._engine_ready or self._busy:
            return False
        ui = self.project.ui_state()
        restored = list(self._restored)
        self._busy = True
        self._dirty = False  # a change from now on marks it again

        def write(trainer: Trainer) -> bool:
            return slot.write(project_bytes(trainer, ui))

        def done(written: bool | None, exc: BaseException | None) -> None:
            self._busy = False
            error = "" if exc is None else user_message(exc, translate("Autosave", "autosave"))
            try:
                if error:
                    self._dirty = True
                    self.notifier.status(
                        translate("Autosave", "autosave failed: {error}").format(error=error), 6000
                    )
                elif written:
                    for leftover in restored:  # now safe in this window's own slot
                        if leftover in self._restored:
                            self._restored.remove(leftover)
                            self._discard(leftover)
            finally:
                self.job_finished.emit("autosave", error)

        self.worker.run_job(write, done)
        return True

    def leftovers(self) -> list[str]:
        """Autosaves that sessions which did not close left (not this window's, none in use)."""
        if self.directory is None:
            return []
        offered = {f.path for f in (*self._offers, *self._restored)}
        found = find_leftovers(self.directory, exclude=self.path())
        for leftover in found:
            leftover.keep()
        return [f.path for f in found if f.path not in offered]

    def offer_restore(self) -> None:
        """After a crash: ask (without blocking) whether to bring the autosaved work back.

        Each leftover is offered in turn, newest first, with when it was saved.
        Restore or Discard removes it; Later (or closing the question) keeps it
        for the next start.
        """
        if self.directory is None:
            return
        self._offers = find_leftovers(self.directory, exclude=self.path())
        self._offer_next()

    def _offer_next(self) -> None:
        if not self._offers:
            return
        leftover = self._offers[0]
        more = len(self._offers) - 1
        text = translate(
            "Autosave",
            "dlviz did not close properly. A session was saved automatically {when}. Restore it?",
        ).format(when=saved_when(leftover.saved))
        if more:
            text += "\n\n" + translate(
                "Autosave", "({n} more automatically saved session(s) follow.)"
            ).format(n=more)
        box = self.notifier.box(
            QMessageBox.Icon.Question, translate("Autosave", "Restore unsaved work?"), text
        )
        box.setObjectName("restore-question")
        box.addButton(QMessageBox.StandardButton.Yes).setText(translate("Autosave", "Restore"))
        box.addButton(QMessageBox.StandardButton.No).setText(translate("Autosave", "Discard"))
        later = box.addButton(translate("Autosave", "Later"), QMessageBox.ButtonRole.RejectRole)
        later.setToolTip(translate("Autosave", "Keep it for the next start"))
        box.setEscapeButton(later)
        box.finished.connect(lambda result: self._restore_answer(leftover, box))
        box.open()

    def _restore_answer(self, leftover: Leftover, box: QMessageBox) -> None:
        if leftover not in self._offers:
            return  # already answered (or the window closed)
        clicked = box.clickedButton()
        button = box.standardButton(clicked) if clicked is not None else None
        if button == QMessageBox.StandardButton.Yes:
            self._offers.remove(leftover)
            try:
                trainer, ui = load_project(leftover.path)
            except DlvizError as exc:
                self._set_aside(leftover)
                self.notifier.error(
                    core_text(str(exc))
                    + "\n\n"
                    + translate("Autosave", "The damaged autosave is kept as {path}").format(
                        path=leftover.path + ".damaged"
                    )
                )
                self._keep_offers()
                return
            self.project.restore(trainer, ui)
            # the leftover goes once this window's own autosave holds its work
            self._restored.append(leftover)
            self.autosave()
            news = translate("Autosave", "restored the session saved {when}").format(
                when=saved_when(leftover.saved)
            )
            if self._offers:
                n = len(self._offers)
                self._keep_offers()
                news += translate(
                    "Autosave",
                    "; {n} more automatically saved session(s) are kept for the next start",
                ).format(n=n)
            self.notifier.status(news, 10_000)
        elif button == QMessageBox.StandardButton.No:
            self._offers.remove(leftover)
            self._discard(leftover)
            self._offer_next()
        else:  # Later, Escape, or the question was closed by another message
            self._keep_offers()

    def _keep_offers(self) -> None:
        offers, self._offers = self._offers, []
        for leftover in offers:
            leftover.keep()

    def _discard(self, leftover: Leftover) -> None:
        try:
            leftover.discard()
        except OSError as exc:
            self.notifier.status(
                translate("Autosave", "could not remove {path}: {reason}").format(
                    path=leftover.path, reason=exc
                ),
                6000,
            )
            leftover.keep()

    def _set_aside(self, leftover: Leftover) -> None:
        try:
            os.replace(leftover.path, leftover.path + ".damaged")
        except OSError:
            pass
        leftover.keep()

    def remove(self) -> None:
        """Remove this window's own autosave (a clean exit); never another session's."""
        slot = self._slot
        if slot is not None:
            self._slot = None
            try:
                slot.close()
            except OSError as exc:
                self.notifier.status(
                    translate("Autosave", "could not remove {path}: {reason}").format(
                        path=slot.path, reason=exc
                    ),
                    6000,
                )
                slot.lock.unlock()

    def shutdown(self) -> None:
        """A clean exit: this window's autosave goes.

        Leftovers it restored go too (their work was saved or discarded at the
        close); ones not answered yet stay for the next start.
        """
        self.timer.stop()
        self._keep_offers()
        restored, self._restored = self._restored, []
        for leftover in restored:
            self._discard(leftover)
        self.remove()


def default_data_dir() -> str:
    """Where autosaves live: ``$DLVIZ_DATA_DIR`` or the user data folder."""
    env = os.environ.get("DLVIZ_DATA_DIR")
    if env:
        return env
    import platformdirs

    return platformdirs.user_data_dir("dlviz")


def _lock_for(path: str) -> QLockFile:
    lock = QLockFile(path + ".lock")
    # stale only when the process that took it is gone, however long a session runs
    lock.setStaleLockTime(0)
    return lock


@dataclass
class AutosaveSlot:
    """This window's own autosave file and the lock that says a live session owns it.

    ``io`` guards the write (in the worker thread) against the removal at a
    clean exit (in the GUI thread), so a late write never brings the file back.
    """

    path: str
    lock: QLockFile
    closed: bool = False
    io: threading.Lock = field(default_factory=threading.Lock)

    def write(self, data: bytes) -> bool:
        """Write the autosave atomically (any thread); False once the slot is closed."""
        with self.io:
            if self.closed:
                return False
            with atomic_write(self.path) as fh:
                fh.write(data)
            return True

    def close(self) -> None:
        """A clean exit: remove the file, then give up the slot."""
        with self.io:
            self.closed = True
            if os.path.exists(self.path):
                os.remove(self.path)
        self.lock.unlock()


@dataclass
class Leftover:
    """An autosave of a session that did not close, locked while this window offers it."""

    path: str
    lock: QLockFile
    saved: float  # modification time (seconds since the epoch)

    def discard(self) -> None:
        if os.path.exists(self.path):
            os.remove(self.path)
        self.lock.unlock()

    def keep(self) -> None:
        """Leave it for a later start."""
        self.lock.unlock()


def claim_slot(directory: str) -> AutosaveSlot:
    """Take the first slot no live session holds and no leftover fills."""
    os.makedirs(directory, exist_ok=True)
    for i in range(1, MAX_SLOTS + 1):
        path = os.path.join(directory, AUTOSAVE_SLOT.format(i))
        lock = _lock_for(path)
        if not lock.tryLock(0):
            if lock.error() == QLockFile.LockError.PermissionError:
                raise DlvizError(f"autosave is off: cannot write in {directory}")
            continue  # another running window's slot
        if os.path.exists(path):
            lock.unlock()  # a crashed session's work: keep it for a start that offers it
            continue
        return AutosaveSlot(path, lock)
    raise DlvizError(f"autosave is off: all {MAX_SLOTS} autosave slots in {directory} are taken")


def find_leftovers(directory: str, exclude: str | None = None) -> list[Leftover]:
    """Autosaves whose session is gone, newest first, each locked (``keep``/``discard`` it)."""
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    found = []
    for name in names:
        path = os.path.join(directory, name)
        if not AUTOSAVE_RE.match(name) or path == exclude:
            continue
        lock = _lock_for(path)
        if not lock.tryLock(0):
            continue  # a running window's own autosave, or another window offers it now
        try:
            saved = os.path.getmtime(path)
        except OSError:
            lock.unlock()  # gone meanwhile (its owner closed cleanly)
            continue
        found.append(Leftover(path, lock, saved))
    found.sort(key=lambda f: f.saved, reverse=True)
    return found


def remove_stale_temp_files(directory: str, older_than: float = STALE_TEMP_S) -> list[str]:
    """Remove ``.dlviz-*.tmp`` files an interrupted write left (older than ``older_than`` s)."""
    removed = []
    now = time.time()
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    for name in names:
        if not TEMP_RE.match(name):
            continue
        path = os.path.join(directory, name)
        try:
            if now - os.path.getmtime(path) > older_than:
                os.remove(path)
                removed.append(path)
        except OSError:
            pass  # another process removed or renamed it meanwhile
    return removed


def saved_when(seconds: float, now: float | None = None) -> str:
    """``"at 14:05 today (3 minutes ago)"``: when an autosave was written."""
    now = time.time() if now is None else now
    stamp = time.localtime(seconds)
    same_day = time.localtime(now)[:3] == stamp[:3]
    when = time.strftime(
        translate("Autosave", "at %H:%M today")
        if same_day
        else translate("Autosave", "at %H:%M on %d %b %Y"),
        stamp,
    )
    age = max(0.0, now - seconds)
    if age < 90:
        ago = translate("Autosave", "just now")
    elif age < 90 * 60:
        ago = translate("Autosave", "{n} minutes ago").format(n=round(age / 60))
    elif age < 36 * 3600:
        ago = translate("Autosave", "{n} hours ago").format(n=round(age / 3600))
    else:
        ago = translate("Autosave", "{n} days ago").format(n=round(age / 86400))
    return translate("Autosave", "{when} ({ago})").format(when=when, ago=ago)
