"""Pictures of the app: a view or the whole window as PNG or SVG, to the clipboard, a training GIF.

:class:`ImageExport` is given the widgets it may picture (by name), the
worker (whose timeline the GIF animates), the session (its points) and a
notifier; nothing else.  PNG is the widget's pixels; SVG is drawn afresh
through Qt's ``QSvgGenerator`` (pyqtgraph 0.14's own SVG exporter raises on
these plots), so a slide editor can scale it.  The GIF is written in a
background thread with a progress dialog whose Cancel works.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

import numpy as np
from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QBuffer,
    QIODevice,
    QObject,
    QPoint,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QPainter, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QGraphicsItem,
    QGraphicsView,
    QInputDialog,
    QMenu,
    QProgressDialog,
    QWidget,
)

from dlviz.core.animation import MAX_FRAMES, Cancelled, write_gif
from dlviz.core.data import Dataset
from dlviz.core.errors import DlvizError
from dlviz.core.fileio import atomic_write
from dlviz.ui.i18n import core_text, translate
from dlviz.ui.notifier import Notifier
from dlviz.ui.session import Session
from dlviz.ui.worker import TrainingWorker

IMAGE_FILTER = QT_TRANSLATE_NOOP("ImageExport", "PNG image (*.png);;SVG drawing (*.svg)")


class ImageExport(QObject):
    """Export and copy pictures of named widgets; animate the timeline into a GIF."""

    def __init__(
        self,
        targets: Mapping[str, tuple[str, QWidget]],
        worker: TrainingWorker,
        session: Session,
        notifier: Notifier,
        dialog_parent: QWidget,
    ) -> None:
        super().__init__(dialog_parent)
        #: name -> (title for the menus, widget); "window" is the whole window.
        self.targets = dict(targets)
        self.worker = worker
        self.session = session
        self.notifier = notifier
        self._parent = dialog_parent
        self.gif_job: GifJob | None = None

    def fill_menus(self, image_menu: QMenu, copy_menu: QMenu) -> None:
        """One entry per target in File ▸ Export view image and ▸ Copy view to clipboard."""
        for menu, slot in ((image_menu, self.export_view_image), (copy_menu, self.copy_view)):
            menu.clear()
            for name, (title, _) in self.targets.items():
                action = menu.addAction(title)
                action.triggered.connect(lambda _=False, n=name, f=slot: f(n))

    def export_view_image(self, name: str = "window", path: str | None = None) -> bool:
        """Save a view as PNG (pixels) or SVG (vector); ``None`` asks for the file."""
        widget = self.targets[name][1]
        if path is None:
            path, chosen = QFileDialog.getSaveFileName(
                self._parent,
                translate("ImageExport", "Export image"),
                f"dlviz-{name}.png",
                translate("ImageExport", IMAGE_FILTER),
            )
            if not path:
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
        except DlvizError as exc:
            self.notifier.error(core_text(str(exc)))
            return False
        except OSError as exc:
            self.notifier.error(f"{path}: {exc}")  # the system's own words
            return False
        self.notifier.status(translate("ImageExport", "saved {path}").format(path=path), 4000)
        return True

    def copy_view(self, name: str = "window") -> None:
        QApplication.clipboard().setPixmap(self.targets[name][1].grab())
        self.notifier.status(translate("ImageExport", "copied the image to the clipboard"), 3000)

    # ------------------------------------------------------------ training GIF

    def export_gif(
        self, path: str | None = None, frames: int | None = None, fps: float = 10.0
    ) -> bool:
        """Animate the timeline's snapshots into a GIF in the background, with progress."""
        if self.gif_job is not None:
            return False
        snaps = [e.snapshot for e in self.worker.timeline_entries()]
        snaps = [s for s in snaps if s.grid is not None]
        if len(snaps) < 2:
            self.notifier.error(
                translate("ImageExport", "nothing to animate yet: train for a while first")
            )
            return False
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self._parent,
                translate("ImageExport", "Export training GIF"),
                "training.gif",
                translate("ImageExport", "GIF (*.gif)"),
            )
            if not path:
                return False
            if not path.lower().endswith(".gif"):
                path += ".gif"
            n, ok = QInputDialog.getInt(
                self._parent,
                translate("ImageExport", "Training GIF"),
                translate("ImageExport", "Frames:"),
                min(len(snaps), 120),
                2,
                MAX_FRAMES,
            )
            if not ok:
                return False
            frames = n
        if frames is not None and frames < len(snaps):
            pick = np.linspace(0, len(snaps) - 1, max(2, frames)).round().astype(int)
            snaps = [snaps[i] for i in pick]
        self.gif_job = GifJob(self._parent, path, snaps, self.session.dataset, fps)
        self.gif_job.finished.connect(self._gif_done)
        self.gif_job.start()
        return True

    def _gif_done(self, error: str) -> None:
        job, self.gif_job = self.gif_job, None
        if job is None:
            return
        if error:
            self.notifier.error(error)
        elif not job.cancelled:
            self.notifier.status(
                translate("ImageExport", "wrote {n} frames to {path}").format(
                    n=job.count, path=job.path
                ),
                4000,
            )

    def shutdown(self) -> None:
        """The window closes: no GIF is left being written."""
        if self.gif_job is not None:
            self.gif_job.cancel()
            self.gif_job.wait()


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
        self.path, self.count = path, 0
        self.cancelled = False
        self.done, self.total = 0, len(snaps)
        self._error = ""
        self._finished = False
        self.dialog = QProgressDialog(
            translate("ImageExport", "Writing the training GIF…"),
            translate("ImageExport", "Cancel"),
            0,
            self.total,
            window,
        )
        self.dialog.setObjectName("gif-progress")
        self.dialog.setWindowTitle(translate("ImageExport", "Export training GIF"))
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
            self._error = core_text(str(exc))
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
