"""The File menu's work: projects, recent files, weights, the modified marker and autosave.

The main window owns one :class:`FileController`.  Every action takes an optional
path: ``None`` asks with a file dialog, a path does it straight away (tests, the
command line, drag and drop).  Errors a user can cause arrive as
:class:`DlvizError` and are shown in a message box; nothing is overwritten then.
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import (
    QBuffer,
    QIODevice,
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
    QInputDialog,
    QMessageBox,
    QProgressDialog,
    QWidget,
)

from dlviz.core.animation import MAX_FRAMES, Cancelled, write_gif
from dlviz.core.data import Dataset, read_csv, write_csv
from dlviz.core.errors import DlvizError
from dlviz.core.export import export_model
from dlviz.core.io import atomic_write, fit_weights, load_weights
from dlviz.core.project import PROJECT_SUFFIX, load_project, project_bytes
from dlviz.core.trainer import Trainer

if TYPE_CHECKING:
    from dlviz.core.snapshot import Snapshot
    from dlviz.ui.main_window import MainWindow

MAX_RECENT = 8
AUTOSAVE_MS = 60_000
AUTOSAVE_NAME = "autosave.dlviz"
WAIT_S = 30.0  # the worker answers between slices; a slice is a fraction of a second
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


def data_info(data: Dataset) -> dict[str, Any]:
    """What an exported model needs to know about its data (same as the CLI writes)."""
    return {"kind": data.kind, "n_classes": data.n_classes, "bounds": list(data.bounds)}


def default_data_dir() -> str:
    """Where autosaves live: ``$DLVIZ_DATA_DIR`` or the user data folder."""
    env = os.environ.get("DLVIZ_DATA_DIR")
    if env:
        return env
    import platformdirs

    return platformdirs.user_data_dir("dlviz")


class FileController(QObject):
    """Project and file actions for one main window."""

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
        self.autosave_dir: str | None = None
        #: Ask "save changes?" when the window closes (the app sets it; tests do not).
        self.ask_on_close = False
        self.gif_job: GifJob | None = None
        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(AUTOSAVE_MS)
        self.autosave_timer.timeout.connect(self.autosave)

    def connect(self) -> None:
        """Watch everything that makes the session differ from its file."""
        w = self.window
        w.session.dataset_changed.connect(self._changed)
        w.network_panel.changed.connect(self._changed)
        w.training_panel.changed.connect(self._changed)
        w.training_panel.seed_changed.connect(self._changed)
        w.worker.snapshot_ready.connect(self._snapshot, Qt.ConnectionType.QueuedConnection)
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

    def _error(self, exc: BaseException) -> None:
        self.window.show_error(str(exc))

    def confirm_discard(self) -> bool:
        """Ask before throwing away unsaved work: True when it is fine to go on."""
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
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    # ------------------------------------------------------------ the worker's trainer

    def _call(self, fn: Any) -> Any:
        return self.window.worker.submit(fn).result(timeout=WAIT_S)

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
        if not self.confirm_discard():
            return
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
            if not self.confirm_discard():
                return False
            path = self._ask_open("Open", OPEN_FILTER)
            if path is None:
                return False
        if path.lower().endswith(".csv"):
            return self.import_csv(path)
        return self.open_project(path)

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
            w.session.replace_dataset(trainer.dataset, undoable=False)
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

    def save(self) -> bool:
        if self.path is None:
            return self.save_as()
        return self._write_project(self.path)

    def save_as(self, path: str | None = None) -> bool:
        if path is None:
            name = self.path or f"{self.window.session.dataset.name}{PROJECT_SUFFIX}"
            path, _ = self._ask_save("Save project", name, PROJECT_FILTER)
            if path is None:
                return False
            if not path.lower().endswith(PROJECT_SUFFIX):
                path += PROJECT_SUFFIX
        return self._write_project(path)

    def project_data(self) -> bytes:
        ui = self.ui_state()
        return self._call(lambda trainer: project_bytes(trainer, ui))  # type: ignore[no-any-return]

    def _write_project(self, path: str) -> bool:
        try:
            data = self.project_data()
            with atomic_write(path) as fh:
                fh.write(data)
        except (DlvizError, OSError) as exc:
            self._error(exc if isinstance(exc, DlvizError) else DlvizError(f"{path}: {exc}"))
            return False
        self.path = os.path.abspath(path)
        self.set_modified(False)
        self.update_title()
        self.add_recent(self.path)
        self.window.statusBar().showMessage(f"saved {path}", 4000)
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
        if not self.confirm_discard():
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
        """Write the current model; the format follows the file name (or the dialog's filter)."""
        if path is None:
            path, chosen = self._ask_save("Export weights", "model.onnx", ";;".join(WEIGHT_FILTERS))
            if path is None:
                return False
            suffix = WEIGHT_FILTERS.get(chosen, "")
            if suffix and not path.lower().endswith(suffix):
                path += suffix
        try:
            spec, params, dataset = self._call(lambda t: (t.spec, t.params.copy(), t.dataset))
            fmt = export_model(path, spec, params, data_info(dataset))
        except DlvizError as exc:
            self._error(exc)
            return False
        self.window.statusBar().showMessage(f"exported {fmt} to {path}", 4000)
        return True

    def import_weights(self, path: str | None = None) -> bool:
        """Load weights into the current network (the shapes must fit)."""
        if path is None:
            path = self._ask_open("Import weights", "Weights (*.npz *.json *.safetensors)")
            if path is None:
                return False
        try:
            source, params, _ = load_weights(path)

            def put(trainer: Trainer) -> None:
                fit_weights(trainer.spec, source, params, os.path.basename(path))
                trainer.restore(replace(trainer.capture(), params=params.astype(np.float32)))

            self._call(put)
        except DlvizError as exc:
            self._error(exc)
            return False
        self.set_modified(True)
        self.window.worker.set_extras(dict(self.window._extras))  # redraw with the new weights
        self.window.statusBar().showMessage(f"loaded weights from {path}", 4000)
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
        if self.autosave_dir is None:
            return None
        return os.path.join(self.autosave_dir, AUTOSAVE_NAME)

    def enable_autosave(self, directory: str | None = None) -> None:
        """Autosave to ``directory`` (default :func:`default_data_dir`) every minute."""
        self.autosave_dir = directory or default_data_dir()
        self.autosave_timer.start()

    @Slot()
    def autosave(self) -> bool:
        """Write the autosave file if anything changed since the last one."""
        path = self.autosave_path()
        if path is None or not self._autosave_dirty:
            return False
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            data = self.project_data()
            with atomic_write(path) as fh:
                fh.write(data)
        except (DlvizError, OSError) as exc:
            self.window.statusBar().showMessage(f"autosave failed: {exc}", 6000)
            return False
        self._autosave_dirty = False
        return True

    def leftover_autosave(self) -> str | None:
        path = self.autosave_path()
        return path if path is not None and os.path.exists(path) else None

    def offer_restore(self) -> None:
        """After a crash: ask (without blocking) whether to bring the autosaved work back."""
        path = self.leftover_autosave()
        if path is None:
            return
        box = self.window._new_message_box(
            QMessageBox.Icon.Question,
            "Restore unsaved work?",
            "dlviz did not close properly last time. Restore the automatically saved session?",
        )
        box.addButton(QMessageBox.StandardButton.Yes)
        box.addButton(QMessageBox.StandardButton.No)
        box.finished.connect(lambda result: self._restore_answer(path, box, result))
        box.open()

    def _restore_answer(self, path: str, box: QMessageBox, result: int) -> None:
        clicked = box.clickedButton()
        yes = clicked is not None and box.standardButton(clicked) == QMessageBox.StandardButton.Yes
        if yes:
            try:
                trainer, ui = load_project(path)
            except DlvizError as exc:
                self._error(exc)
                return
            self._apply_project(trainer, ui)
            self.path = None
            self.set_modified(True)
            self.update_title()
        else:
            self.remove_autosave()

    def remove_autosave(self) -> None:
        path = self.autosave_path()
        if path is not None and os.path.exists(path):
            os.remove(path)

    def close_ok(self) -> bool:
        """May the window close?  Asks about unsaved work only in the real app."""
        return not self.ask_on_close or self.confirm_discard()

    def shutdown(self) -> None:
        """A clean exit: no autosave is left behind, no export left running."""
        if self.gif_job is not None:
            self.gif_job.cancel()
            self.gif_job.wait()
        self.autosave_timer.stop()
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
    painter = QPainter(generator)
    try:
        widget.render(painter, QPoint())
    finally:
        painter.end()
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
