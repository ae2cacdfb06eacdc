"""Fixtures for the app's tests: offscreen Qt, isolated settings, and a leak check.

Every test fails if it leaves a thread running or a top-level widget alive.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import gc  # noqa: E402
import threading  # noqa: E402

import pyqtgraph as pg  # noqa: E402
import pytest  # noqa: E402
from PySide6.QtCore import QEvent, QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from dlviz.ui.main_window import MainWindow  # noqa: E402
from dlviz.ui.session import DataSettings  # noqa: E402
from dlviz.ui.theme import LIGHT, Scale, apply_to_app  # noqa: E402
from dlviz.ui.threads import apply_thread_policy, collect_on_gui_thread  # noqa: E402

apply_thread_policy()  # as the app runs: BLAS on one thread, painting on the GUI thread
# QTest sends mouse moves faster than a hand; pyqtgraph would drop most of them.
pg.setConfigOptions(mouseRateLimit=-1)

#: How long to wait for the worker (JIT cache load, first snapshot) before failing.
START_TIMEOUT_MS = 60_000


def _flush_deletes() -> None:
    """Run pending deleteLater()s, then collect Python cycles: pyqtgraph's context menus are
    parentless QMenus owned by Python objects, freed only when those are collected."""
    for _ in range(3):
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        QApplication.processEvents()
        gc.collect()


@pytest.fixture(autouse=True)
def gc_on_gui_thread(qapp):
    """As the app does: Python's cycle collector runs on the GUI thread alone (else a widget
    in a cycle, collected by the worker, is destroyed on the wrong thread; a CI run once
    ended in a segmentation fault while the worker allocated).  Per test: tests outside
    tests/ui keep Python's own collector, whatever the order."""
    collector = collect_on_gui_thread(qapp)
    yield collector
    collector.stop()


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path):
    """QSettings go to a fresh folder per test (never the user's own)."""
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))
    yield tmp_path


@pytest.fixture(autouse=True)
def no_leaks(qapp):
    """Fail a test that leaves a thread running or a top-level widget alive."""
    apply_to_app(qapp, LIGHT, Scale())
    threads = set(threading.enumerate())
    widgets = {id(w) for w in QApplication.topLevelWidgets()}
    # What lives now (~200 000 objects: Qt, pyqtgraph, Numba) is not this test's: frozen,
    # the collections below and during the test skip it (a full one took ~0.12 s, three
    # per test: ~0.35 s of every UI test's teardown).
    gc.freeze()
    try:
        yield
        _flush_deletes()
    finally:
        gc.unfreeze()
    apply_to_app(qapp, LIGHT, Scale())
    leaked_threads = [t.name for t in threading.enumerate() if t not in threads and t.is_alive()]
    leaked_widgets = [
        type(w).__name__ for w in QApplication.topLevelWidgets() if id(w) not in widgets
    ]
    assert not leaked_threads, f"threads left running: {leaked_threads}"
    assert not leaked_widgets, f"top-level widgets left alive: {leaked_widgets}"


@pytest.fixture
def make_window(qtbot):
    """Open a real main window on a preset and wait for the worker's first snapshot."""

    def make(preset: str = "circle", **kwargs) -> MainWindow:
        kwargs.setdefault("restore_layout", False)
        window = MainWindow(data=DataSettings(preset=preset), **kwargs)
        qtbot.addWidget(window)
        window.resize(1400, 900)
        window.show()
        qtbot.waitUntil(lambda: window.session.latest is not None, timeout=START_TIMEOUT_MS)
        return window

    return make


@pytest.fixture
def window(make_window):
    return make_window()
