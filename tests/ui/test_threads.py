"""The app's thread policy (dlviz/ui/threads.py): Qt paints, and Python's cycle collector
destroys Qt objects, on the GUI thread alone."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import threading

from PySide6.QtWidgets import QWidget


def test_the_app_keeps_qts_painting_on_the_gui_thread():
    """`dlviz` sets QT_NO_GUI_THREADPOOL before Qt paints (Qt's painting threads would wait
    for the core the trainer uses); a user's own setting stays."""
    code = (
        "import os, sys\n"
        "from dlviz.ui.threads import apply_thread_policy\n"
        "apply_thread_policy()\n"
        "print(os.environ.get('QT_NO_GUI_THREADPOOL'))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "QT_NO_GUI_THREADPOOL"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "1", out.stderr
    env["QT_NO_GUI_THREADPOOL"] = "yes"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "yes", out.stderr


def test_the_app_applies_the_policy_before_its_window(monkeypatch, tmp_path):
    """`dlviz`'s main applies the policy (BLAS and painting) before Qt starts, and moves the
    cycle collector to the GUI thread as soon as the application exists."""
    import dlviz.ui.app as app
    import dlviz.ui.threads as threads

    calls: list[str] = []
    monkeypatch.setattr(threads, "apply_thread_policy", lambda: calls.append("policy"))
    monkeypatch.setattr(app, "_application", lambda offscreen: calls.append("qt") or "the app")

    def collector(qt_app):
        calls.append(f"gc on {qt_app}")
        raise SystemExit(0)

    monkeypatch.setattr(threads, "collect_on_gui_thread", collector)
    try:
        app.main(["--screenshot", str(tmp_path / "shot.png")])
    except SystemExit:
        pass
    assert calls == ["policy", "qt", "gc on the app"]


class _Cycle:
    """A widget held by an object in a reference cycle: only the cycle collector frees it."""

    def __init__(self, destroyed_in: list[str]) -> None:
        self.widget = QWidget()
        self.me = self
        self.destroyed_in = destroyed_in

    def __del__(self) -> None:
        self.destroyed_in.append(threading.current_thread().name)


def test_a_widget_in_a_cycle_is_destroyed_on_the_gui_thread_not_by_the_worker(qapp, qtbot):
    """A thread that allocates (the worker, a view's background job) used to run the collector
    and destroy the GUI thread's widgets there; the app's collector runs on the GUI thread."""
    from dlviz.ui.threads import collect_on_gui_thread

    collect_on_gui_thread(qapp)  # as `dlviz` does (the tests' conftest started it already)
    destroyed_in: list[str] = []
    gc.collect()
    for _ in range(20):
        _Cycle(destroyed_in)

    def allocate():  # ~100 times the automatic collector's first threshold, in cycles
        for _ in range(gc.get_threshold()[0] * 100):
            junk: list = []
            junk.append(junk)

    worker = threading.Thread(target=allocate, name="dlviz-worker")
    worker.start()
    worker.join()
    assert destroyed_in == []  # the worker collected nothing
    qtbot.waitUntil(lambda: len(destroyed_in) == 20, timeout=5_000)
    assert set(destroyed_in) == {threading.main_thread().name}


def test_one_gui_thread_collector_runs_at_a_time_and_stopping_it_gives_collection_back(qapp):
    from dlviz.ui.threads import GuiThreadCollector, collect_on_gui_thread

    first = collect_on_gui_thread(qapp)  # the one this test's fixture started
    assert collect_on_gui_thread(qapp) is first and not gc.isenabled()
    first.stop()
    assert gc.isenabled()
    again = collect_on_gui_thread(qapp)
    try:
        assert again is not first and collect_on_gui_thread(qapp) is again
        running = [c for c in qapp.findChildren(GuiThreadCollector) if c.running]
        assert running == [again] and not gc.isenabled()
    finally:
        again.stop()
