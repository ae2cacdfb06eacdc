"""The app's thread policy: BLAS on one thread, Qt's painting and Python's cycle collector
on the GUI thread alone.

The BLAS part, and the policy's reasons, live in :mod:`dlviz.core.threads`.

Qt's painting: Qt 6's raster engine hands a large fill, image draw or
scaling to its own "GUI thread pool" and waits on a latch until the pool's
threads are done.  On the 2 cores the app is made for, the worker trains on
one of them, so those threads wait for a core while the GUI thread waits for
them: with every view open, a quarter of the painting time was spent in that
wait (sampled with py-spy), and without the pool each view redrew about 15 %
more often (``benchmarks/gui.py``, four runs alternating with and without).
``QT_NO_GUI_THREADPOOL`` (read by Qt at the first paint that would use the
pool) keeps every fill on the thread that paints.

Python's cycle collector: it runs in whichever thread's allocation crosses its
threshold.  A Qt object caught in a reference cycle (a pyqtgraph context menu,
a closed dialog's wrapper) could then be destroyed by the training worker or
a view's background thread, from the wrong thread: a crash that comes and
goes (without this, the scenario of ``tests/ui/test_threads.py`` destroys
every one of its widgets on the Python thread; a CI run of the UI tests once
ended in a segmentation fault while the worker built an engine).
:class:`GuiThreadCollector` turns the automatic collector off and runs
generational collections from a timer on the GUI thread, so every Qt object is
destroyed where it lives.
"""

from __future__ import annotations

import gc
import os

from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer

from dlviz.core.threads import limit_blas_threads

__all__ = [
    "GuiThreadCollector",
    "apply_thread_policy",
    "collect_on_gui_thread",
    "limit_blas_threads",
    "paint_on_gui_thread",
]


def paint_on_gui_thread() -> None:
    """Keep Qt's raster painting off its thread pool (call before the first paint)."""
    os.environ.setdefault("QT_NO_GUI_THREADPOOL", "1")


def apply_thread_policy() -> None:
    """The whole policy, as the app starts: BLAS on one thread, painting on the GUI thread."""
    limit_blas_threads()
    paint_on_gui_thread()


class GuiThreadCollector(QObject):
    """Python's cyclic garbage collection, done by a GUI-thread timer instead of by any thread.

    Each tick collects the oldest generation whose count passed Python's threshold
    for it (:func:`gc.get_threshold`) and the younger ones: at most one collection
    a tick, so a busy second has at most five young collections, and a full one
    comes after 11 x 11 of them (CPython also waits until the long-lived objects
    grew by a quarter; with the start-up objects frozen, a full collection after
    20 s of training with every view open took ~2 ms).  :meth:`stop` gives
    collection back to Python.
    """

    #: How often the counts are looked at: a tick that finds nothing to do costs ~0.6 µs.
    INTERVAL_MS = 200

    def __init__(self, app: QCoreApplication) -> None:
        if QThread.currentThread() is not app.thread():
            raise RuntimeError("the GUI-thread collector must be made on the GUI thread")
        super().__init__(app)
        self._thresholds = gc.get_threshold()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.collect)
        gc.disable()
        self._timer.start(self.INTERVAL_MS)

    def collect(self) -> int:
        """Collect the oldest generation that is due (and the younger ones); the objects freed."""
        counts = gc.get_count()
        due = -1
        for generation, (count, threshold) in enumerate(zip(counts, self._thresholds, strict=True)):
            if threshold <= 0 or count <= threshold:
                break
            due = generation
        return gc.collect(due) if due >= 0 else 0

    @property
    def running(self) -> bool:
        return self._timer.isActive()

    def stop(self) -> None:
        """Hand collection back to Python's automatic collector (and leave the application)."""
        self._timer.stop()
        self.setParent(None)
        gc.enable()


def collect_on_gui_thread(app: QCoreApplication) -> GuiThreadCollector:
    """Start the app's GUI-thread collector (one at a time: while one runs, it is returned)."""
    for collector in app.findChildren(GuiThreadCollector):
        if collector.running:
            return collector
    return GuiThreadCollector(app)
