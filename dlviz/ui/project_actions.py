"""The File menu's work on the session: projects, data (CSV), weights, the modified marker.

Every action takes an optional path: ``None`` asks with a file dialog, a
path does it straight away (tests, the command line, drag and drop).  Errors
a user can cause arrive as :class:`DlvizError` and are shown by the notifier;
nothing is overwritten then.

Anything that needs the trainer (save, save as, export and import of
weights) is a job for the worker thread (:meth:`TrainingWorker.run_job`):
the GUI hands it over and goes on; the job's ``done`` comes back in the GUI
thread, finishes the action (title, status bar, error box) and emits
:attr:`ProjectActions.job_finished`.  The GUI never waits for the worker,
not even during the JIT warm-up, when the worker has no trainer yet and a
save simply completes once it has one.

:class:`ProjectActions` is given the session, the worker, the notifier, the
two panels it shows an opened project in (through ``show_spec`` /
``show_config``) and the recent-files list; never the window.  The window
follows its :attr:`~ProjectActions.title_changed` signal.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

import numpy as np
from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog, QWidget

from dlviz.core.data import Dataset, data_info, dataset_notes, read_csv, write_csv
from dlviz.core.errors import DlvizError
from dlviz.core.export import EXPORT_FORMATS, export_model
from dlviz.core.fileio import atomic_write
from dlviz.core.images import IMAGE_PRESETS, read_image_folder
from dlviz.core.project import PROJECT_SUFFIX, load_project, project_bytes
from dlviz.core.snapshot import Snapshot
from dlviz.core.trainer import Trainer
from dlviz.core.weights import WEIGHT_FORMATS, fit_weights, load_weights
from dlviz.ui.i18n import core_text, translate
from dlviz.ui.notifier import Notifier, user_message
from dlviz.ui.panels.network_panel import NetworkPanel
from dlviz.ui.panels.training_panel import TrainingPanel
from dlviz.ui.recent_files import RecentFiles
from dlviz.ui.session import DataSettings, Session
from dlviz.ui.views.background import BackgroundJob
from dlviz.ui.worker import TrainingWorker

PROJECT_FILTER = QT_TRANSLATE_NOOP("ProjectActions", "dlviz projects (*.dlviz)")
OPEN_FILTER = QT_TRANSLATE_NOOP(
    "ProjectActions",
    "Projects and data (*.dlviz *.csv);;dlviz projects (*.dlviz);;CSV data (*.csv)",
)


def export_filters() -> dict[str, str]:
    """The export dialog's filters (in the app's language) -> the suffix each adds.

    From core's one table of formats; the labels are translated (ui/core_texts.py).
    """
    return {
        f"{translate('formats', label)} (*{suffix})": suffix
        for label, suffix, _ in EXPORT_FORMATS.values()
    }


def import_filter() -> str:
    patterns = " ".join("*" + suffix for suffix in WEIGHT_FORMATS)
    return translate("ProjectActions", "Weights ({patterns})").format(patterns=patterns)


JOB_VERBS = {
    "save": QT_TRANSLATE_NOOP("ProjectActions", "save the project"),
    "export_weights": QT_TRANSLATE_NOOP("ProjectActions", "export the weights"),
    "import_weights": QT_TRANSLATE_NOOP("ProjectActions", "import the weights"),
}


def dropped_path(mime: Any) -> str | None:
    """The first local .dlviz or .csv file in dropped data, if any."""
    if not mime.hasUrls():
        return None
    for url in mime.urls():
        path = url.toLocalFile()
        if path.lower().endswith((PROJECT_SUFFIX, ".csv")):
            return str(path)
    return None


class ProjectActions(QObject):
    """Projects, data files and weights for one window's session."""

    #: A job ended: (what, "" or the error message shown).  ``what`` is "save",
    #: "export_weights", "import_weights" (the worker's) or "open_images" (a folder read
    #: in the background).
    job_finished = Signal(str, str)
    #: The session now differs from its file (True) or matches it (False).
    modified_changed = Signal(bool)
    #: The window title ("name[*] — dlviz": ``[*]`` is where Qt shows the modified mark).
    title_changed = Signal(str)
    #: A project was opened: the session is its file's again.
    opened = Signal()
    #: The user chose Save at the close and the save is written: close now.
    close_requested = Signal()

    def __init__(
        self,
        session: Session,
        worker: TrainingWorker,
        notifier: Notifier,
        network_panel: NetworkPanel,
        training_panel: TrainingPanel,
        recent: RecentFiles,
        reinitialise: Callable[[], None],
        dialog_parent: QWidget,
    ) -> None:
        super().__init__(dialog_parent)
        self.session = session
        self.worker = worker
        self.notifier = notifier
        self.network_panel = network_panel
        self.training_panel = training_panel
        self.recent = recent
        self._reinitialise = reinitialise
        self._parent = dialog_parent
        self.path: str | None = None
        self.modified = False
        self._loading = False
        self._expect_step: int | None = None
        self._history: list[Any] | None = None
        self._saved_step = 0
        #: Bumped by every change: a save that ends clears the marker only if none came since.
        self._changes = 0
        self._engine_ready = False
        self._jobs = 0
        self._close_now = False
        #: Image data being read from a folder: (the job, its folder, the preset to apply).
        self._image_load: tuple[BackgroundJob, str, str | None] | None = None
        self._image_timer = QTimer(self)
        self._image_timer.setInterval(50)
        self._image_timer.timeout.connect(self._poll_images)
        self._image_progress: QProgressDialog | None = None
        #: The window's docks: which are shown (saved as ``ui.panels``) and how to show a set.
        #: The window sets them; without, a project keeps no panels.
        self.shown_panels: Callable[[], list[str]] | None = None
        self.show_panels: Callable[[list[str]], None] | None = None
        #: Ask "save changes?" when the window closes (the app sets it; tests do not).
        self.ask_on_close = False
        session.dataset_changed.connect(self._changed)
        network_panel.changed.connect(self._changed)
        training_panel.changed.connect(self._changed)
        training_panel.seed_changed.connect(self._changed)
        recent.chosen.connect(self.open_asking)
        worker.snapshot_ready.connect(self._snapshot, Qt.ConnectionType.QueuedConnection)
        worker.ready.connect(self._worker_ready, Qt.ConnectionType.QueuedConnection)

    @property
    def loading(self) -> bool:
        """A project is being put in place: its own trainer comes with it (send no other)."""
        return self._loading

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
            self._changes += 1
        self.modified_changed.emit(on)

    def display_name(self) -> str:
        if self.path:
            return os.path.basename(self.path)
        return self.session.dataset.name

    def update_title(self) -> None:
        self.title_changed.emit(f"{self.display_name()}[*] — dlviz")

    # ------------------------------------------------------------ dialogs

    def _ask_open(self, title: str, filters: str) -> str | None:
        """A file to open (``title`` and ``filters`` are translated here)."""
        path, _ = QFileDialog.getOpenFileName(
            self._parent,
            translate("ProjectActions", title),
            "",
            translate("ProjectActions", filters),
        )
        return path or None

    def _ask_save(self, title: str, name: str, filters: str) -> tuple[str | None, str]:
        path, chosen = QFileDialog.getSaveFileName(
            self._parent,
            translate("ProjectActions", title),
            name,
            translate("ProjectActions", filters),
        )
        return (path or None), chosen

    def _error(self, exc: BaseException | str) -> None:
        """A user's message (``str``, already in the app's language) or the core's error."""
        self.notifier.error(exc if isinstance(exc, str) else core_text(str(exc)))

    def confirm_discard(self, then: Callable[[], Any] | None = None) -> bool:
        """Ask before throwing away unsaved work: True when it is fine to go on now.

        *Save* starts the save and returns False: the save ends later (the
        worker writes it), and ``then()`` runs once the file is written.  A
        failed or cancelled save never calls it, so nothing is lost.
        """
        if not self.modified:
            return True
        answer = QMessageBox.question(
            self._parent,
            translate("ProjectActions", "Unsaved changes"),
            translate("ProjectActions", "Save the changes to {name}?").format(
                name=self.display_name()
            ),
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

    def busy(self) -> bool:
        """Whether a job for the worker (save, weights) has not come back yet."""
        return self._jobs > 0

    def _submit(
        self,
        what: str,
        fn: Callable[[Trainer], Any],
        done: Callable[[Any, str], None],
        *,
        changes: bool = False,
    ) -> None:
        """Run ``fn(trainer)`` in the worker thread; ``done(result, error)`` later in this one.

        ``error`` is "" on success, else the message for the user.
        """

        def ended(result: Any, exc: BaseException | None) -> None:
            self._jobs -= 1
            verb = translate("ProjectActions", JOB_VERBS[what])
            error = "" if exc is None else user_message(exc, verb)
            try:
                done(result, error)
            finally:
                self.job_finished.emit(what, error)

        self._jobs += 1
        self.worker.run_job(fn, ended, changes=changes)

    def _waiting_note(self, what: str) -> None:
        if not self._engine_ready:
            self.notifier.status(
                translate(
                    "ProjectActions",
                    "{what} as soon as the training engine has finished compiling…",
                ).format(what=what),
                10_000,
            )

    def ui_state(self) -> dict[str, Any]:
        """What a project keeps besides the trainer: the panels' extra fields, the data
        settings, and which panels and views are shown."""
        state: dict[str, Any] = {
            "seed": self.training_panel.seed_value(),
            "dropout": self.training_panel.dropout_rate(),
            "data_settings": {
                k: getattr(self.session.data_settings, k)
                for k in ("preset", "classes", "noise", "test_ratio", "n", "seed")
            },
        }
        if self.shown_panels is not None:
            state["panels"] = self.shown_panels()
        return state

    # ------------------------------------------------------------ projects

    def new(self) -> None:
        """A new, unsaved session: the default data and fresh weights, no file.

        The layer stack and training settings stay as they are: a teacher
        starting the next example usually keeps the set-up of the last one.
        """
        if self.confirm_discard(then=self._new_session):
            self._new_session()

    def _new_session(self) -> None:
        self._loading = True
        try:
            self.session.new_data(DataSettings())
        finally:
            self._loading = False
        self._reinitialise()
        self.path = None
        self.set_modified(False)
        self.update_title()

    def open(self, path: str | None = None) -> bool:
        """Open a project (.dlviz) or data (.csv); ``None`` asks for a file."""
        if path is None:
            if not self.confirm_discard(then=self.open):
                return False
            path = self._ask_open(QT_TRANSLATE_NOOP("ProjectActions", "Open"), OPEN_FILTER)
            if path is None:
                return False
        if path.lower().endswith(".csv"):
            return self.import_csv(path)
        return self.open_project(path)

    def open_asking(self, path: str) -> bool:
        """Open ``path`` (a dropped or recent file) once unsaved work is saved or given up."""
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
        self.opened.emit()
        self.update_title()
        self.recent.add(self.path)
        self.notifier.status(translate("ProjectActions", "opened {path}").format(path=path), 4000)

    def restore(self, trainer: Trainer, ui: dict[str, Any]) -> None:
        """Make an autosaved session the running one: unsaved, with no file of its own."""
        self._apply_project(trainer, ui)
        self.path = None
        self.set_modified(True)
        self.update_title()

    def start_setup(self, trainer: Trainer, data_settings: DataSettings) -> None:
        """Make a lesson step's or a textbook example's trainer the running session.

        Like a new session it has no file; nothing is unsaved yet (the set-up
        can always be made again).
        """
        self._apply_project(trainer, {"data_settings": asdict(data_settings)})
        self.path = None
        self.set_modified(False)
        self.update_title()

    def _apply_project(
        self, trainer: Trainer, ui: dict[str, Any], *, undoable: bool = False
    ) -> None:
        """Show the project's settings in the panels, then train its trainer.

        ``undoable``: Edit ▸ Undo brings the data before it back (new data, not a project).
        """
        spec, config, data = trainer.spec, trainer.config, trainer.dataset
        self._loading = True
        try:
            self.network_panel.show_spec(spec, data.kind, data.n_classes)
            dropouts = [layer.dropout for layer in spec.hidden]
            self.training_panel.show_config(
                config,
                seed=int(trainer.seed),
                dropout=float(ui.get("dropout", dropouts[0] if dropouts else 0.0)),
            )
            settings = None
            if isinstance(ui.get("data_settings"), dict):
                try:
                    settings = DataSettings(**ui["data_settings"])
                except TypeError:
                    pass  # settings of another version: the points themselves are what counts
            # a copy: the canvas edits the session's points in place, the trainer has its own
            # (image data, never edited in place, is shared); the window sends the worker
            # nothing for it (see `loading`): the project's trainer takes over untouched
            self.session.replace_dataset(data.working_copy(), undoable=undoable, settings=settings)
            self._expect_step = trainer.step
            self._saved_step = trainer.step
            self._history = list(trainer.history)
            self.worker.replace_trainer(trainer)
        finally:
            self._loading = False
        self._apply_panels(ui.get("panels"))

    def _apply_panels(self, panels: object) -> None:
        """Show the panels a project names; a list that is not one of names is ignored,
        with a word in the status bar (the project itself opened)."""
        if panels is None or self.show_panels is None:
            return
        if not isinstance(panels, list) or not all(isinstance(p, str) for p in panels):
            self.notifier.status(
                translate("ProjectActions", "the project's ui.panels is not a list of names"), 8000
            )
            return
        try:
            self.show_panels(panels)
        except DlvizError as exc:
            self.notifier.status(
                translate("ProjectActions", "the project's panels: {error}").format(error=exc), 8000
            )

    def _restore_history(self, entries: list[Any]) -> None:
        session = self.session
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
            name = self.path or f"{self.session.dataset.name}{PROJECT_SUFFIX}"
            path, _ = self._ask_save(
                QT_TRANSLATE_NOOP("ProjectActions", "Save project"), name, PROJECT_FILTER
            )
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
            self.recent.add(target)
            self.notifier.status(
                translate("ProjectActions", "saved {path}").format(path=path), 4000
            )
            if then is not None:
                then()

        self._submit("save", write, done)
        self._waiting_note(
            translate("ProjectActions", "saving {name}").format(name=os.path.basename(path))
        )
        return True

    # ------------------------------------------------------------ image data

    def open_image_data(self, path: str | None = None, preset: str | None = None) -> bool:
        """Read a folder of images (MNIST's IDX files or PNG class folders) in the background.

        ``None`` asks for the folder.  True when the reading is under way: the
        images replace the data when it ends (Edit ▸ Undo brings the old data
        back), with ``preset``'s network if one is named; a folder that is not
        image data shows its message and changes nothing.  A progress dialog
        shows when the reading takes more than a moment (MNIST: a few seconds).
        """
        if path is None:
            path = QFileDialog.getExistingDirectory(
                self._parent, translate("ProjectActions", "Open image data (a folder)")
            )
            if not path:
                return False
        if self._image_load is not None:
            self._image_load[0].stop()  # the newer choice wins; the older result is dropped
        job = BackgroundJob("image-data")
        job.start(lambda _control: read_image_folder(path))
        self._image_load = (job, path, preset)
        self._image_timer.start()
        QTimer.singleShot(300, self, self._show_image_progress)
        return True

    def _show_image_progress(self) -> None:
        if self._image_load is None or self._image_progress is not None:
            return
        folder = self._image_load[1]
        dialog = QProgressDialog(
            translate("ProjectActions", "Reading the images in {folder}…").format(folder=folder),
            translate("ProjectActions", "Cancel"),
            0,
            0,  # a busy bar: the readers cannot say how far they are
            self._parent,
        )
        dialog.setObjectName("image-progress")
        dialog.setWindowTitle(translate("ProjectActions", "Open image data"))
        dialog.setMinimumDuration(0)
        dialog.canceled.connect(self._cancel_images)
        self._image_progress = dialog
        dialog.show()

    def _close_image_progress(self) -> None:
        if self._image_progress is not None:
            self._image_progress.canceled.disconnect(self._cancel_images)
            self._image_progress.close()
            self._image_progress.deleteLater()
            self._image_progress = None

    def _cancel_images(self) -> None:
        """The reading goes on in its thread (it cannot stop midway); its result is dropped."""
        self._image_load = None
        self._image_timer.stop()
        self._close_image_progress()

    def loading_images(self) -> bool:
        return self._image_load is not None

    def _poll_images(self) -> None:
        if self._image_load is None:
            self._image_timer.stop()
            return
        job, path, preset = self._image_load
        try:
            _partial, done = job.poll()
        except DlvizError as exc:  # the folder's own problem; anything else is a bug
            self._image_load = None
            self._image_timer.stop()
            self._close_image_progress()
            self._error(exc)
            self.job_finished.emit("open_images", core_text(str(exc)))
            return
        if not done:
            return
        self._image_load = None
        self._image_timer.stop()
        self._close_image_progress()
        dataset = job.result()
        if preset is not None:
            self.start_image_preset(preset, dataset, None)
        else:
            self.session.replace_dataset(dataset)
        h, w = dataset.image_shape
        self.notifier.status(
            translate("ProjectActions", "opened {n:,} images of {h}×{w} pixels from {path}").format(
                n=dataset.n, h=h, w=w, path=path
            ),
            6000,
        )
        self.job_finished.emit("open_images", "")

    def choose_image_preset(self, name: str) -> None:
        """An image preset picked in the preset list: asks about unsaved work, then sets it up."""
        if self.confirm_discard(then=lambda: self.use_image_preset(name)):
            self.use_image_preset(name)

    def use_image_preset(self, name: str) -> None:
        """An image preset: its data (built in, or a folder the user picks) with its network.

        MNIST is not shipped: with 28×28 images open already its network is set
        up for them, otherwise the user is asked for the folder.
        """
        preset = IMAGE_PRESETS[name]
        if preset.builtin:
            settings = DataSettings(preset=name, classes=10, test_ratio=preset.test_ratio)
            self.start_image_preset(name, settings.make(), settings)
            return
        ds = self.session.dataset
        if ds.is_image and ds.image_shape == preset.shape:
            self.start_image_preset(name, ds, None)
        else:
            self.open_image_data(preset=name)

    def start_image_preset(
        self, name: str, dataset: Dataset, settings: DataSettings | None
    ) -> None:
        """Train the preset's network and optimizer on ``dataset``, from fresh weights."""
        preset = IMAGE_PRESETS[name]
        latest = self.session.latest
        trainer = Trainer(
            dataset,
            preset.spec(max(dataset.n_classes, 2)),
            preset.config(),
            seed=self.training_panel.seed_value(),
            engine=latest.engine_choice if latest is not None else "cpu",
        )
        ui: dict[str, Any] = {"dropout": 0.0}
        if settings is not None:
            ui["data_settings"] = asdict(settings)
        self._apply_project(trainer, ui, undoable=dataset is not self.session.dataset)
        self.path = None
        self.set_modified(False)
        self.update_title()

    # ------------------------------------------------------------ data (CSV)

    def import_csv(self, path: str | None = None) -> bool:
        if path is None:
            path = self._ask_open(
                QT_TRANSLATE_NOOP("ProjectActions", "Import data"),
                QT_TRANSLATE_NOOP("ProjectActions", "CSV files (*.csv);;All (*)"),
            )
            if path is None:
                return False
        try:
            dataset = read_csv(path, test_ratio=self.session.data_settings.test_ratio)
        except DlvizError as exc:
            self._error(exc)
            return False
        self.session.replace_dataset(dataset)
        notes = dataset_notes(dataset)
        if notes:  # it trains, but the user should know what it can teach
            self.notifier.error(core_text(f"{os.path.basename(path)}: " + "\n".join(notes)))
        return True

    def export_csv(self, path: str | None = None) -> bool:
        if path is None:
            path, _ = self._ask_save(
                QT_TRANSLATE_NOOP("ProjectActions", "Export data"),
                "data.csv",
                QT_TRANSLATE_NOOP("ProjectActions", "CSV files (*.csv)"),
            )
            if path is None:
                return False
        try:
            write_csv(self.session.dataset, path)
        except DlvizError as exc:
            self._error(exc)
            return False
        self.notifier.status(
            translate("ProjectActions", "wrote {n} points to {path}").format(
                n=self.session.dataset.n, path=path
            ),
            4000,
        )
        return True

    # ------------------------------------------------------------ weights

    def export_weights(self, path: str | None = None) -> bool:
        """Start writing the current model (format from the name or the dialog's filter).

        True when the export is under way; :attr:`job_finished` says how it ended.
        """
        if path is None:
            shown = export_filters()
            path, chosen = QFileDialog.getSaveFileName(
                self._parent,
                translate("ProjectActions", "Export weights"),
                "model.onnx",
                ";;".join(shown),
            )
            if not path:
                return False
            suffix = shown.get(chosen, "")
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
                self.notifier.status(
                    translate("ProjectActions", "exported {format} to {path}").format(
                        format=fmt, path=target
                    ),
                    4000,
                )

        self._submit("export_weights", export, done)
        self._waiting_note(translate("ProjectActions", "exporting the weights"))
        return True

    def import_weights(self, path: str | None = None) -> bool:
        """Start loading weights into the current network; True when the import is under way.

        The file must fit the network: the same shapes, and the same input
        features, normalisation, activations and output
        (:func:`dlviz.core.weights.fit_weights` names what differs otherwise).  The
        optimizer starts afresh (its moments belonged to the old weights).
        """
        if path is None:
            path = self._ask_open(
                QT_TRANSLATE_NOOP("ProjectActions", "Import weights"),
                import_filter(),  # translated already: _ask_open's lookup leaves it as it is
            )
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
            extra = f" ({'; '.join(notes)})" if notes else ""
            self.notifier.status(
                translate(
                    "ProjectActions", "loaded weights from {path}; the optimizer starts afresh"
                ).format(path=path)
                + extra,
                6000,
            )

        # changes: the worker publishes a snapshot with the new weights, even paused
        self._submit("import_weights", put, done, changes=True)
        self._waiting_note(translate("ProjectActions", "importing the weights"))
        return True

    # ------------------------------------------------------------ closing

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
        self.close_requested.emit()
