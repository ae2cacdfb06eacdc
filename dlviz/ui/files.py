"""The File menu's work: projects, recent files, weights, the modified marker and autosave.

The main window owns one :class:`FileController`.  Every action takes an optional
path: ``None`` asks with a file dialog, a path does it straight away (tests, the
command line, drag and drop).  Errors a user can cause arrive as
:class:`DlvizError` and are shown in a message box; nothing is overwritten then.

Anything that needs the trainer (save, save as, autosave, export and import of
weights) is a job for the worker thread (:meth:`TrainingWorker.submit`): the
GUI hands it over and goes on; the job's end comes back through a queued
signal to this GUI-thread object, which finishes the action (title, status
bar, error box) and emits :attr:`FileController.job_finished`.  The GUI never
waits for the worker, not even during the JIT warm-up, when the worker has no
trainer yet and a save simply completes once it has one.

Autosave: each running window writes its own slot file
``autosave-N.dlviz`` in the data folder, held with a :class:`QLockFile` for as
long as it runs.  A slot file whose lock nobody holds was left by a session
that did not close (a crash, a kill): a plain start offers those, newest first.
A start with a file leaves them for a later start; no window ever writes into
another's slot or a leftover's.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import (
    QBuffer,
    QIODevice,
    QLockFile,
    QObject,
    QPoint,
    QSettings,
    QSize,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QPainter, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QGraphicsItem,
    QGraphicsView,
    QInputDialog,
    QMessageBox,
    QProgressDialog,
    QWidget,
)

from dlviz.core.animation import MAX_FRAMES, Cancelled, write_gif
from dlviz.core.data import Dataset, data_info, dataset_notes, read_csv, write_csv
from dlviz.core.errors import DlvizError
from dlviz.core.export import export_model
from dlviz.core.fileio import atomic_write
from dlviz.core.project import PROJECT_SUFFIX, load_project, project_bytes
from dlviz.core.trainer import Trainer
from dlviz.core.weights import fit_weights, load_weights

if TYPE_CHECKING:
    from dlviz.core.snapshot import Snapshot
    from dlviz.ui.main_window import MainWindow

MAX_RECENT = 8
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
PROJECT_FILTER = "dlviz projects (*.dlviz)"
OPEN_FILTER = "Projects and data (*.dlviz *.csv);;dlviz projects (*.dlviz);;CSV data (*.csv)"
WEIGHT_FILTERS = {
    "NumPy weights (*.npz)": ".npz",
    "JSON weights (*.json)": ".json",
    "safetensors (*.safetensors)": ".safetensors",
    "ONNX model (*.onnx)": ".onnx",
    "NumPy code (*.py)": ".py",
    "PyTorch code (*.torch.py)": ".torch.py",
}


def default_data_dir() -> str:
    """Where autosaves live: ``$DLVIZ_DATA_DIR`` or the user data folder."""
    env = os.environ.get("DLVIZ_DATA_DIR")
    if env:
        return env
    import platformdirs

    return platformdirs.user_data_dir("dlviz")


# ---------------------------------------------------------------- autosave slots


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
    when = time.strftime("at %H:%M today" if same_day else "at %H:%M on %d %b %Y", stamp)
    age = max(0.0, now - seconds)
    if age < 90:
        ago = "just now"
    elif age < 90 * 60:
        ago = f"{round(age / 60)} minutes ago"
    elif age < 36 * 3600:
        ago = f"{round(age / 3600)} hours ago"
    else:
        ago = f"{round(age / 86400)} days ago"
    return f"{when} ({ago})"


def _message(exc: BaseException, what: str) -> str:
    """A clear line for the user: a DlvizError as it is, anything else named."""
    if isinstance(exc, DlvizError):
        return str(exc)
    if isinstance(exc, OSError):
        return f"could not {what}: {exc.strerror or exc}"
    return f"could not {what}: {type(exc).__name__}: {exc}"


class FileController(QObject):
    """Project and file actions for one main window."""

    #: A job for the worker ended: (what, "" or the error message shown).  ``what`` is
    #: "save", "export_weights", "import_weights" or "autosave".
    job_finished = Signal(str, str)
    #: (what, done callback, future), emitted by the worker thread; queued to the GUI thread.
    _job_done = Signal(object)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.path: str | None = None
        self.modified = False
        self._autosave_dirty = False
        self._loading = False
        self._expect_step: int | None = None
        self._history: list[Any] | None = None
        self._saved_step = 0
        #: Bumped by every change: a save that ends clears the marker only if none came since.
        self._changes = 0
        self._engine_ready = False
        self._jobs = 0
        self._autosave_busy = False
        self._close_now = False
        self.autosave_dir: str | None = None
        self._slot: AutosaveSlot | None = None
        self._offers: list[Leftover] = []
        #: Leftovers restored into this window: removed once this window's autosave holds them.
        self._restored: list[Leftover] = []
        #: Ask "save changes?" when the window closes (the app sets it; tests do not).
        self.ask_on_close = False
        self.gif_job: GifJob | None = None
        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(AUTOSAVE_MS)
        self.autosave_timer.timeout.connect(self.autosave)
        self._job_done.connect(self._job_ended, Qt.ConnectionType.QueuedConnection)

    def connect(self) -> None:
        """Watch everything that makes the session differ from its file."""
        w = self.window
        w.session.dataset_changed.connect(self._changed)
        w.network_panel.changed.connect(self._changed)
        w.training_panel.changed.connect(self._changed)
        w.training_panel.seed_changed.connect(self._changed)
        w.worker.snapshot_ready.connect(self._snapshot, Qt.ConnectionType.QueuedConnection)
        w.worker.ready.connect(self._worker_ready, Qt.ConnectionType.QueuedConnection)
        self.update_title()

    # ------------------------------------------------------------ modified marker

    @Slot()
    def _changed(self, *args: object) -> None:
        if not self._loading:
            self.set_modified(True)

    @Slot(object)
    def _snapshot(self, snap: Snapshot) -> None:
        if self._expect_step is not None:
            if snap.step != self._expect_step:
                return  # a late snapshot of the previous session
            self._expect_step = None
            if self._history is not None:
                self._restore_history(self._history)
                self._history = None
            return
        if snap.step != self._saved_step:
            self._saved_step = snap.step
            self.set_modified(True)

    def set_modified(self, on: bool) -> None:
        self.modified = on
        if on:
            self._autosave_dirty = True
            self._changes += 1
        self.window.setWindowModified(on)

    def display_name(self) -> str:
        if self.path:
            return os.path.basename(self.path)
        return self.window.session.dataset.name

    def update_title(self) -> None:
        self.window.setWindowTitle(f"{self.display_name()}[*] — dlviz")
        self.window.setWindowModified(self.modified)

    # ------------------------------------------------------------ dialogs

    def _ask_open(self, title: str, filters: str) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self.window, title, "", filters)
        return path or None

    def _ask_save(self, title: str, name: str, filters: str) -> tuple[str | None, str]:
        path, chosen = QFileDialog.getSaveFileName(self.window, title, name, filters)
        return (path or None), chosen

    def _error(self, exc: BaseException | str) -> None:
        self.window.show_error(str(exc))

    def confirm_discard(self, then: Callable[[], Any] | None = None) -> bool:
        """Ask before throwing away unsaved work: True when it is fine to go on now.

        *Save* starts the save and returns False: the save ends later (the
        worker writes it), and ``then()`` runs once the file is written.  A
        failed or cancelled save never calls it, so nothing is lost.
        """
        if not self.modified:
            return True
        answer = QMessageBox.question(
            self.window,
            "Unsaved changes",
            f"Save the changes to {self.display_name()}?",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Save:
            self.save(then=then)
            return False
        return answer == QMessageBox.StandardButton.Discard

    # ------------------------------------------------------------ jobs for the worker

    @Slot(float)
    def _worker_ready(self, seconds: float) -> None:
        self._engine_ready = True
        if self._restored:
            self.autosave()  # a restored session goes into this window's slot at once

    def busy(self) -> bool:
        """Whether a job for the worker (save, autosave, weights) has not come back yet."""
        return self._jobs > 0

    def _submit(
        self, what: str, fn: Callable[[Trainer], Any], done: Callable[[Any, str], None]
    ) -> None:
        """Run ``fn(trainer)`` in the worker thread; ``done(result, error)`` later in this one.

        ``error`` is "" on success, else the message for the user.  Nothing here
        waits: the future's callback (worker thread) emits a queued signal.
        """

        def guarded(trainer: Trainer | None) -> Any:
            if trainer is None:
                raise DlvizError("the training engine did not start, so there is nothing to use")
            return fn(trainer)

        self._jobs += 1
        future = self.window.worker.submit(guarded)
        future.add_done_callback(lambda f: self._relay(what, done, f))

    def _relay(self, what: str, done: Callable[[Any, str], None], future: Future[Any]) -> None:
        # the worker thread (or this one, if the job is already done): only a queued emit
        try:
            self._job_done.emit((what, done, future))
        except RuntimeError:
            pass  # the window is gone

    @Slot(object)
    def _job_ended(self, item: tuple[str, Callable[[Any, str], None], Future[Any]]) -> None:
        what, done, future = item
        self._jobs -= 1
        exc = future.exception()
        verb = {"export_weights": "export the weights", "import_weights": "import the weights"}
        error = "" if exc is None else _message(exc, verb.get(what, what))
        try:
            done(None if exc is not None else future.result(), error)
        finally:
            self.job_finished.emit(what, error)

    def _waiting_note(self, what: str) -> None:
        if not self._engine_ready:
            self.window.statusBar().showMessage(
                f"{what} as soon as the training engine has finished compiling…", 10_000
            )

    def ui_state(self) -> dict[str, Any]:
        tp = self.window.training_panel
        return {
            "seed": tp.seed.value(),
            "dropout": tp.dropout.value(),
            "data_settings": {
                k: getattr(self.window.session.data_settings, k)
                for k in ("preset", "classes", "noise", "test_ratio", "n", "seed")
            },
        }

    # ------------------------------------------------------------ projects

    def new(self) -> None:
        """A new, unsaved session: the default data and fresh weights, no file.

        The layer stack and training settings stay as they are: a teacher
        starting the next example usually keeps the set-up of the last one.
        """
        if self.confirm_discard(then=self._new_session):
            self._new_session()

    def _new_session(self) -> None:
        from dlviz.ui.session import DataSettings

        self._loading = True
        try:
            self.window.session.new_data(DataSettings())
        finally:
            self._loading = False
        self.window.reinitialise()
        self.path = None
        self.set_modified(False)
        self.update_title()

    def open(self, path: str | None = None) -> bool:
        """Open a project (.dlviz) or data (.csv); ``None`` asks for a file."""
        if path is None:
            if not self.confirm_discard(then=self.open):
                return False
            path = self._ask_open("Open", OPEN_FILTER)
            if path is None:
                return False
        if path.lower().endswith(".csv"):
            return self.import_csv(path)
        return self.open_project(path)

    def open_dropped(self, path: str) -> bool:
        """A file dropped on the window: ask about unsaved work, then open it."""
        if self.confirm_discard(then=lambda: self.open(path)):
            return self.open(path)
        return False

    def open_project(self, path: str) -> bool:
        try:
            trainer, ui = load_project(path)
        except DlvizError as exc:
            self._error(exc)
            return False
        self.adopt(path, trainer, ui)
        return True

    def adopt(self, path: str, trainer: Trainer, ui: dict[str, Any]) -> None:
        """Make a loaded project the running session (``path`` becomes the save target)."""
        self._apply_project(trainer, ui)
        self.path = os.path.abspath(path)
        self.set_modified(False)
        self._autosave_dirty = False
        self.update_title()
        self.add_recent(self.path)
        self.window.statusBar().showMessage(f"opened {path}", 4000)

    def _apply_project(self, trainer: Trainer, ui: dict[str, Any]) -> None:
        """Show the project's settings in the panels, then train its trainer."""
        w = self.window
        spec, config = trainer.spec, trainer.config
        self._loading = True
        np_, tp = w.network_panel, w.training_panel
        np_.blockSignals(True)
        tp.blockSignals(True)
        try:
            np_.set_data_kind(trainer.dataset.kind, trainer.dataset.n_classes)
            for name, box in np_.feature_boxes.items():
                box.setChecked(name in spec.features)
            np_.set_hidden(spec.hidden)
            _select(np_.loss, spec.loss)
            _select(np_.init, spec.init)
            opt = config.optimizer
            _select(tp.optimizer, opt.name)
            tp.lr.setValue(opt.lr)
            _select(tp.schedule, opt.schedule)
            tp.decay_steps.setValue(opt.decay_steps)
            tp.decay_rate.setValue(opt.decay_rate)
            tp.batch.setValue(config.batch_size)
            tp.l1.setValue(config.l1)
            tp.l2.setValue(config.l2)
            dropouts = [layer.dropout for layer in spec.hidden]
            tp.dropout.setValue(float(ui.get("dropout", dropouts[0] if dropouts else 0.0)))
            tp.set_seed(int(trainer.seed))
            tp.keep_settings(config)  # momentum, betas, patience...: no field shows them
        finally:
            np_.blockSignals(False)
            tp.blockSignals(False)
        try:
            # the worker applies commands in order: the new points reach the old trainer,
            # then the project's trainer takes over with its own state untouched
            settings = ui.get("data_settings")
            if isinstance(settings, dict):
                from dlviz.ui.session import DataSettings

                try:
                    w.session.data_settings = DataSettings(**settings)
                except TypeError:
                    pass  # settings of another version: the points themselves are what counts
            # a copy: the canvas edits the session's points in place, the trainer has its own
            w.session.replace_dataset(trainer.dataset.copy(), undoable=False)
            w.network_panel.set_summary(w._describe(spec))
            self._expect_step = trainer.step
            self._saved_step = trainer.step
            self._history = list(trainer.history)
            w.worker.replace_trainer(trainer)
        finally:
            self._loading = False

    def _restore_history(self, entries: list[Any]) -> None:
        session = self.window.session
        session.history.clear()
        session.stats_history.clear()
        for h in entries:
            session.history.append(
                h.step, h.epoch, h.train_loss, h.test_loss, h.train_accuracy, h.test_accuracy
            )

    def save(self, then: Callable[[], Any] | None = None) -> bool:
        """Save to the project's file (asks for a name the first time); see :meth:`save_as`."""
        if self.path is None:
            return self.save_as(then=then)
        return self._write_project(self.path, then)

    def save_as(self, path: str | None = None, then: Callable[[], Any] | None = None) -> bool:
        """Start saving the project; True when the save is under way.

        The worker writes the file between two training slices; when it is
        written the title and the recent files follow, :attr:`job_finished`
        says ``("save", "")`` and ``then()`` runs.  A failure shows its message
        and leaves the session as it was (still marked modified).
        """
        if path is None:
            name = self.path or f"{self.window.session.dataset.name}{PROJECT_SUFFIX}"
            path, _ = self._ask_save("Save project", name, PROJECT_FILTER)
            if path is None:
                return False
            if not path.lower().endswith(PROJECT_SUFFIX):
                path += PROJECT_SUFFIX
        return self._write_project(path, then)

    def _write_project(self, path: str, then: Callable[[], Any] | None = None) -> bool:
        ui = self.ui_state()
        target = os.path.abspath(path)
        changes = self._changes

        def write(trainer: Trainer) -> int:
            data = project_bytes(trainer, ui)
            with atomic_write(target) as fh:
                fh.write(data)
            return trainer.step

        def done(step: int | None, error: str) -> None:
            if error:
                self._error(error)
                return
            self.path = target
            if self._changes == changes:  # nothing changed while it was being written
                self.set_modified(False)
                self._saved_step = step if step is not None else self._saved_step
            self.update_title()
            self.add_recent(target)
            self.window.statusBar().showMessage(f"saved {path}", 4000)
            if then is not None:
                then()

        self._submit("save", write, done)
        self._waiting_note(f"saving {os.path.basename(path)}")
        return True

    # ------------------------------------------------------------ recent files

    def recent(self) -> list[str]:
        value = QSettings().value("files/recent", [])
        if isinstance(value, str):
            value = [value]
        return [str(p) for p in (value or [])]

    def add_recent(self, path: str) -> None:
        paths = [path, *(p for p in self.recent() if p != path)][:MAX_RECENT]
        QSettings().setValue("files/recent", paths)

    def open_recent(self, path: str) -> bool:
        if not os.path.exists(path):
            QSettings().setValue("files/recent", [p for p in self.recent() if p != path])
            self.window.show_error(f"{path} no longer exists; removed it from the recent files")
            return False
        if not self.confirm_discard(then=lambda: self.open_recent(path)):
            return False
        return self.open(path)

    def fill_recent_menu(self) -> None:
        menu = self.window.recent_menu
        menu.clear()
        paths = self.recent()
        for path in paths:
            action = menu.addAction(os.path.basename(path))
            action.setToolTip(path)
            action.triggered.connect(lambda _=False, p=path: self.open_recent(p))
        if not paths:
            menu.addAction("(none yet)").setEnabled(False)

    # ------------------------------------------------------------ data (CSV)

    def import_csv(self, path: str | None = None) -> bool:
        if path is None:
            path = self._ask_open("Import data", "CSV files (*.csv);;All (*)")
            if path is None:
                return False
        try:
            dataset = read_csv(path, test_ratio=self.window.session.data_settings.test_ratio)
        except DlvizError as exc:
            self._error(exc)
            return False
        self.window.session.replace_dataset(dataset)
        notes = dataset_notes(dataset)
        if notes:  # it trains, but the user should know what it can teach
            self.window.show_error(f"{os.path.basename(path)}: " + "\n".join(notes))
        return True

    def export_csv(self, path: str | None = None) -> bool:
        if path is None:
            path, _ = self._ask_save("Export data", "data.csv", "CSV files (*.csv)")
            if path is None:
                return False
        try:
            write_csv(self.window.session.dataset, path)
        except DlvizError as exc:
            self._error(exc)
            return False
        self.window.statusBar().showMessage(
            f"wrote {self.window.session.dataset.n} points to {path}", 4000
        )
        return True

    # ------------------------------------------------------------ weights

    def export_weights(self, path: str | None = None) -> bool:
        """Start writing the current model (format from the name or the dialog's filter).

        True when the export is under way; :attr:`job_finished` says how it ended.
        """
        if path is None:
            path, chosen = self._ask_save("Export weights", "model.onnx", ";;".join(WEIGHT_FILTERS))
            if path is None:
                return False
            suffix = WEIGHT_FILTERS.get(chosen, "")
            if suffix and not path.lower().endswith(suffix):
                path += suffix
        target = path

        def export(trainer: Trainer) -> str:
            return export_model(
                target, trainer.spec, trainer.params.copy(), data_info(trainer.dataset)
            )

        def done(fmt: str | None, error: str) -> None:
            if error:
                self._error(error)
            else:
                self.window.statusBar().showMessage(f"exported {fmt} to {target}", 4000)

        self._submit("export_weights", export, done)
        self._waiting_note("exporting the weights")
        return True

    def import_weights(self, path: str | None = None) -> bool:
        """Start loading weights into the current network; True when the import is under way.

        The file must fit the network: the same shapes, and the same input
        features, normalisation, activations and output
        (:func:`dlviz.core.weights.fit_weights` names what differs otherwise).  The
        optimizer starts afresh (its moments belonged to the old weights).
        """
        if path is None:
            path = self._ask_open("Import weights", "Weights (*.npz *.json *.safetensors)")
            if path is None:
                return False
        try:
            source, params, _ = load_weights(path)
        except DlvizError as exc:
            self._error(exc)
            return False
        name = os.path.basename(path)
        weights = params.astype(np.float32)

        def put(trainer: Trainer) -> list[str]:
            notes = fit_weights(trainer.spec, source, weights, name)
            trainer.load_params(weights)
            return notes

        def done(notes: list[str] | None, error: str) -> None:
            if error:
                self._error(error)
                return
            self.set_modified(True)
            self.window.worker.set_extras(dict(self.window._extras))  # redraw with the new weights
            extra = f" ({'; '.join(notes)})" if notes else ""
            self.window.statusBar().showMessage(
                f"loaded weights from {path}; the optimizer starts afresh{extra}", 6000
            )

        self._submit("import_weights", put, done)
        self._waiting_note("importing the weights")
        return True

    @staticmethod
    def dropped_path(mime: Any) -> str | None:
        """The first local .dlviz or .csv file in dropped data, if any."""
        if not mime.hasUrls():
            return None
        for url in mime.urls():
            path = url.toLocalFile()
            if path.lower().endswith((PROJECT_SUFFIX, ".csv")):
                return str(path)
        return None

    # ------------------------------------------------------------ images

    def view_widget(self, name: str) -> QWidget:
        """The widget of view ``name`` (``"window"``: the whole window)."""
        if name == "window":
            return self.window
        return self.window.views[name]

    def export_view_image(self, name: str = "window", path: str | None = None) -> bool:
        """Save a view as PNG (pixels) or SVG (vector, through Qt's SVG generator)."""
        widget = self.view_widget(name)
        if path is None:
            path, chosen = self._ask_save(
                "Export image", f"dlviz-{name}.png", "PNG image (*.png);;SVG drawing (*.svg)"
            )
            if path is None:
                return False
            if "svg" in chosen and not path.lower().endswith(".svg"):
                path += ".svg"
        try:
            if path.lower().endswith(".svg"):
                _write_svg(widget, path)
            else:
                image = widget.grab()
                with atomic_write(path) as fh:
                    fh.write(_png_bytes(image))
        except (DlvizError, OSError) as exc:
            self._error(exc if isinstance(exc, DlvizError) else DlvizError(f"{path}: {exc}"))
            return False
        self.window.statusBar().showMessage(f"saved {path}", 4000)
        return True

    def copy_view(self, name: str = "window") -> None:
        QApplication.clipboard().setPixmap(self.view_widget(name).grab())
        self.window.statusBar().showMessage("copied the image to the clipboard", 3000)

    def fill_image_menus(self) -> None:
        w = self.window
        for menu, slot in ((w.image_menu, self.export_view_image), (w.copy_menu, self.copy_view)):
            menu.clear()
            for name in ("window", *w.views):
                title = "Whole window" if name == "window" else w.views[name].title
                action = menu.addAction(title)
                action.triggered.connect(lambda _=False, n=name, f=slot: f(n))

    # ------------------------------------------------------------ training GIF

    def export_gif(
        self, path: str | None = None, frames: int | None = None, fps: float = 10.0
    ) -> bool:
        """Animate the timeline's snapshots into a GIF in the background, with progress."""
        if self.gif_job is not None:
            return False
        snaps = [e.snapshot for e in self.window.worker.timeline_entries()]
        snaps = [s for s in snaps if s.grid is not None]
        if len(snaps) < 2:
            self.window.show_error("nothing to animate yet: train for a while first")
            return False
        if path is None:
            path, _ = self._ask_save("Export training GIF", "training.gif", "GIF (*.gif)")
            if path is None:
                return False
            if not path.lower().endswith(".gif"):
                path += ".gif"
            n, ok = QInputDialog.getInt(
                self.window, "Training GIF", "Frames:", min(len(snaps), 120), 2, MAX_FRAMES
            )
            if not ok:
                return False
            frames = n
        if frames is not None and frames < len(snaps):
            pick = np.linspace(0, len(snaps) - 1, max(2, frames)).round().astype(int)
            snaps = [snaps[i] for i in pick]
        self.gif_job = GifJob(self.window, path, snaps, self.window.session.dataset, fps)
        self.gif_job.finished.connect(self._gif_done)
        self.gif_job.start()
        return True

    def _gif_done(self, error: str) -> None:
        job, self.gif_job = self.gif_job, None
        if job is None:
            return
        if error:
            self.window.show_error(error)
        elif not job.cancelled:
            self.window.statusBar().showMessage(f"wrote {job.count} frames to {job.path}", 4000)

    # ------------------------------------------------------------ autosave

    def autosave_path(self) -> str | None:
        """This window's own autosave file (None while autosave is off)."""
        return None if self._slot is None else self._slot.path

    def enable_autosave(self, directory: str | None = None) -> None:
        """Autosave to a slot of its own in ``directory`` (default :func:`default_data_dir`).

        Also removes temporary files that an interrupted write left there.
        """
        self.autosave_dir = directory or default_data_dir()
        try:
            os.makedirs(self.autosave_dir, exist_ok=True)
            remove_stale_temp_files(self.autosave_dir)
            self._slot = claim_slot(self.autosave_dir)
        except (OSError, DlvizError) as exc:
            self.window.statusBar().showMessage(_message(exc, "start autosave"), 10_000)
            return
        self.autosave_timer.start()

    def start_autosave(self, offer_restore: bool, directory: str | None = None) -> None:
        """What the app does at start: autosave; a plain start offers what crashed sessions left.

        A start with a file (``offer_restore`` False) leaves those for a later
        plain start and only says they are there.
        """
        self.enable_autosave(directory)
        if self.autosave_dir is None or self._slot is None:
            return
        if offer_restore:
            self.offer_restore()
            return
        waiting = self.leftover_autosaves()
        if waiting:
            self.window.statusBar().showMessage(
                f"{len(waiting)} automatically saved session(s) of an earlier run are kept: "
                "start dlviz without a file to restore them",
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
        if slot is None or not self._autosave_dirty or not self._engine_ready:
            return False
        if self._autosave_busy:
            return False
        ui = self.ui_state()
        restored = list(self._restored)
        self._autosave_busy = True
        self._autosave_dirty = False  # a change from now on marks it again

        def write(trainer: Trainer) -> bool:
            return slot.write(project_bytes(trainer, ui))

        def done(written: bool | None, error: str) -> None:
            self._autosave_busy = False
            if error:
                self._autosave_dirty = True
                self.window.statusBar().showMessage(f"autosave failed: {error}", 6000)
                return
            if written:
                for leftover in restored:  # now safe in this window's own slot
                    if leftover in self._restored:
                        self._restored.remove(leftover)
                        self._discard(leftover)

        self._submit("autosave", write, done)
        return True

    def leftover_autosaves(self) -> list[str]:
        """Autosaves that sessions which did not close left (not this window's, none in use)."""
        if self.autosave_dir is None:
            return []
        offered = {f.path for f in (*self._offers, *self._restored)}
        found = find_leftovers(self.autosave_dir, exclude=self.autosave_path())
        for leftover in found:
            leftover.keep()
        return [f.path for f in found if f.path not in offered]

    def offer_restore(self) -> None:
        """After a crash: ask (without blocking) whether to bring the autosaved work back.

        Each leftover is offered in turn, newest first, with when it was saved.
        Restore or Discard removes it; Later (or closing the question) keeps it
        for the next start.
        """
        if self.autosave_dir is None:
            return
        self._offers = find_leftovers(self.autosave_dir, exclude=self.autosave_path())
        self._offer_next()

    def _offer_next(self) -> None:
        if not self._offers:
            return
        leftover = self._offers[0]
        more = len(self._offers) - 1
        text = (
            "dlviz did not close properly. A session was saved automatically "
            f"{saved_when(leftover.saved)}. Restore it?"
        )
        if more:
            text += f"\n\n({more} more automatically saved session(s) follow.)"
        box = self.window._new_message_box(QMessageBox.Icon.Question, "Restore unsaved work?", text)
        box.setObjectName("restore-question")
        box.addButton(QMessageBox.StandardButton.Yes).setText("Restore")
        box.addButton(QMessageBox.StandardButton.No).setText("Discard")
        later = box.addButton("Later", QMessageBox.ButtonRole.RejectRole)
        later.setToolTip("Keep it for the next start")
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
                self._error(f"{exc}\n\nThe damaged autosave is kept as {leftover.path}.damaged")
                self._keep_offers()
                return
            self._apply_project(trainer, ui)
            self.path = None
            self.set_modified(True)
            self.update_title()
            # the leftover goes once this window's own autosave holds its work
            self._restored.append(leftover)
            self.autosave()
            if self._offers:
                n = len(self._offers)
                self._keep_offers()
                self.window.statusBar().showMessage(
                    f"restored; {n} more automatically saved session(s) are kept for the next "
                    "start",
                    10_000,
                )
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
            self.window.statusBar().showMessage(f"could not remove {leftover.path}: {exc}", 6000)
            leftover.keep()

    def _set_aside(self, leftover: Leftover) -> None:
        try:
            os.replace(leftover.path, leftover.path + ".damaged")
        except OSError:
            pass
        leftover.keep()

    def remove_autosave(self) -> None:
        """Remove this window's own autosave (a clean exit); never another session's."""
        slot = self._slot
        if slot is not None:
            self._slot = None
            try:
                slot.close()
            except OSError as exc:
                self.window.statusBar().showMessage(f"could not remove {slot.path}: {exc}", 6000)
                slot.lock.unlock()

    def close_ok(self) -> bool:
        """May the window close?  Asks about unsaved work only in the real app.

        *Save* starts the save and keeps the window open; it closes once the
        file is written (a failed save leaves it open, with the work).
        """
        if not self.ask_on_close or self._close_now:
            return True
        return self.confirm_discard(then=self._close_after_save)

    def _close_after_save(self) -> None:
        self._close_now = True
        self.window.close()

    def shutdown(self) -> None:
        """A clean exit: this window's autosave goes, no export is left running.

        Leftovers it restored go too (their work was saved or discarded at the
        close); ones not answered yet stay for the next start.
        """
        if self.gif_job is not None:
            self.gif_job.cancel()
            self.gif_job.wait()
        self.autosave_timer.stop()
        self._keep_offers()
        restored, self._restored = self._restored, []
        for leftover in restored:
            self._discard(leftover)
        self.remove_autosave()


def _select(combo: Any, data: str) -> None:
    index = combo.findData(data)
    if index >= 0:
        combo.setCurrentIndex(index)


def _png_bytes(image: QPixmap) -> bytes:
    buf = QBuffer()
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buf, "PNG"):
        raise DlvizError("could not encode the image as PNG")
    return bytes(buf.data().data())


def _write_svg(widget: QWidget, path: str) -> None:
    from PySide6.QtSvg import QSvgGenerator

    buf = QBuffer()
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buf)
    generator.setSize(QSize(widget.width(), widget.height()))
    generator.setViewBox(widget.rect())
    generator.setTitle("dlviz")
    # items that repaint from a cached pixmap (the canvas's points) would go into the SVG
    # as one picture: drawn afresh they stay shapes a slide editor can scale
    cached = [
        (item, item.cacheMode())
        for view in [widget, *widget.findChildren(QGraphicsView)]
        if isinstance(view, QGraphicsView) and view.scene() is not None
        for item in view.scene().items()
        if item.cacheMode() != QGraphicsItem.CacheMode.NoCache
    ]
    for item, _ in cached:
        item.setCacheMode(QGraphicsItem.CacheMode.NoCache)
    painter = QPainter(generator)
    try:
        widget.render(painter, QPoint())
    finally:
        painter.end()
        for item, mode in cached:
            item.setCacheMode(mode)
    with atomic_write(path) as fh:
        fh.write(bytes(buf.data().data()))


class GifJob(QObject):
    """``write_gif`` in a background thread; a progress dialog with a working Cancel.

    The thread only writes plain attributes; a GUI timer reads them, so no Qt
    object is touched from the thread.
    """

    finished = Signal(str)  # "" or the error message

    def __init__(
        self, window: QWidget, path: str, snaps: list[Any], dataset: Dataset, fps: float
    ) -> None:
        super().__init__(window)
        import threading

        self.path, self.count = path, 0
        self.cancelled = False
        self.done, self.total = 0, len(snaps)
        self._error = ""
        self._finished = False
        self.dialog = QProgressDialog("Writing the training GIF…", "Cancel", 0, self.total, window)
        self.dialog.setObjectName("gif-progress")
        self.dialog.setWindowTitle("Export training GIF")
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(0)
        self.dialog.canceled.connect(self.cancel)
        self._thread = threading.Thread(
            target=self._run, args=(snaps, dataset, fps), name="dlviz-gif", daemon=True
        )
        self._poll = QTimer(self)
        self._poll.setInterval(50)
        self._poll.timeout.connect(self._tick)

    def start(self) -> None:
        self.dialog.setValue(0)
        self.dialog.show()
        self._thread.start()
        self._poll.start()

    def cancel(self) -> None:
        self.cancelled = True

    def wait(self) -> None:
        self._thread.join()
        self._tick()

    def _progress(self, done: int, total: int) -> None:
        self.done = done

    def _run(self, snaps: list[Any], dataset: Dataset, fps: float) -> None:
        try:
            self.count = write_gif(
                self.path,
                snaps,
                dataset,
                fps=fps,
                progress=self._progress,
                cancelled=lambda: self.cancelled,
            )
        except Cancelled:
            pass
        except DlvizError as exc:
            self._error = str(exc)
        except OSError as exc:
            self._error = f"{self.path}: {exc}"
        self._finished = True

    def _tick(self) -> None:
        if not self._finished:
            if not self.cancelled:
                self.dialog.setValue(min(self.done, self.total - 1))
            return
        if self._thread.is_alive():
            return
        self._poll.stop()
        self.dialog.canceled.disconnect(self.cancel)
        self.dialog.close()
        self.dialog.deleteLater()
        self.finished.emit(self._error)
        self.deleteLater()
