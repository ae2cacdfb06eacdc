"""Autosave through real windows: one slot per running window, leftovers of crashed sessions.

A "crashed session" is a real process: it takes a slot the way a window does,
autosaves, starts a second autosave and is killed (SIGKILL) between writing
and renaming, the way the core test kills a process mid-save.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QMessageBox
from ui_helpers import drag

from dlviz.core.project import load_project
from dlviz.ui.autosave import AUTOSAVE_NAME, saved_when

JOB_MS = 30_000
CRASHED_POINTS = 77

pytestmark = pytest.mark.skipif(os.name != "posix", reason="kills a process with SIGKILL")


def crashed_session(folder) -> tuple[str, bytes]:
    """A process that autosaves, then is killed mid-autosave: (its slot file, the bytes there)."""
    script = textwrap.dedent(f"""
        import os
        from dlviz.core.data import make_dataset
        from dlviz.core.network import LayerSpec, build_spec
        from dlviz.core.project import project_bytes
        from dlviz.core.trainer import Trainer
        from dlviz.ui.autosave import claim_slot

        slot = claim_slot({str(folder)!r})
        data = make_dataset("moons", n={CRASHED_POINTS}, seed=5)
        spec = build_spec(kind="classify", n_classes=2, features=("x1", "x2"),
                          hidden=(LayerSpec(5, "tanh"),))
        trainer = Trainer(data, spec, seed=1, engine="reference")
        assert slot.write(project_bytes(trainer, {{}}))
        print(slot.path, flush=True)

        def slow_fsync(fd):  # the next autosave: written, not yet renamed over the slot
            print("writing", flush=True)
            import time; time.sleep(60)

        os.fsync = slow_fsync
        slot.write(b"x" * 5_000_000)
    """)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        path = proc.stdout.readline().strip()
        first = Path(path).read_bytes()
        assert proc.stdout.readline().strip() == "writing"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()
    return path, first


def autosave_now(qtbot, window):
    """Make a change and let the autosave timer fire; wait until the worker has written it."""
    drag(qtbot, window, [(0.25, -0.4)])
    qtbot.waitUntil(window.isWindowModified, timeout=2_000)
    with qtbot.waitSignal(
        window.autosave.job_finished, timeout=JOB_MS, check_params_cb=lambda w, e: w == "autosave"
    ) as blocker:
        window.autosave.timer.timeout.emit()
    assert blocker.args[1] == ""
    return window.autosave.path()


def autosave_files(folder):
    return sorted(n for n in os.listdir(folder) if n.endswith(".dlviz"))


def test_two_windows_autosave_to_their_own_files(qtbot, make_window, tmp_path):
    folder = str(tmp_path / "data")
    a = make_window("circle")
    a.autosave.start(offer_restore=True, directory=folder)
    assert a.message_box() is None  # nothing to restore
    b = make_window("xor")
    b.autosave.start(offer_restore=True, directory=folder)
    assert b.message_box() is None  # a's slot is in use: no "crash" to restore
    assert a.autosave.path() != b.autosave.path()
    path_a, path_b = autosave_now(qtbot, a), autosave_now(qtbot, b)
    np.testing.assert_array_equal(load_project(path_a)[0].dataset.points, a.session.dataset.points)
    np.testing.assert_array_equal(load_project(path_b)[0].dataset.points, b.session.dataset.points)

    c = make_window("moons")  # a third window, started while both run
    c.autosave.start(offer_restore=True, directory=folder)
    assert c.message_box() is None
    assert c.autosave.leftovers() == []

    a.close()  # a clean exit removes its own autosave only
    assert not os.path.exists(path_a)
    np.testing.assert_array_equal(load_project(path_b)[0].dataset.points, b.session.dataset.points)
    b.close()
    c.close()
    assert autosave_files(folder) == []


def test_a_killed_autosave_leaves_the_previous_one_whole_and_a_later_start_offers_it(
    qtbot, make_window, tmp_path
):
    folder = tmp_path / "data"
    leftover, first = crashed_session(folder)
    assert Path(leftover).read_bytes() == first  # the killed write never reached it
    assert load_project(leftover)[0].dataset.n == CRASHED_POINTS
    temps = [n for n in os.listdir(folder) if n.startswith(".dlviz-") and n.endswith(".tmp")]
    assert len(temps) == 1  # what the kill left behind

    # a start with a file: the leftover is kept (not offered, not written, not removed)
    opened = make_window("circle")
    opened.autosave.start(offer_restore=False, directory=str(folder))
    assert opened.message_box() is None
    assert "start dlviz without a file" in opened.statusBar().currentMessage()
    assert opened.autosave.path() != leftover
    assert os.path.exists(folder / temps[0])  # fresh: maybe another instance is writing it
    assert temps[0].startswith(".dlviz-") and str(os.getpid()) not in temps[0]
    autosave_now(qtbot, opened)
    # the name carries the killed writer's process id: gone, so the next save there removes it
    assert not os.path.exists(folder / temps[0])
    opened.close()
    assert Path(leftover).read_bytes() == first
    assert autosave_files(folder) == [os.path.basename(leftover)]

    # a plain start offers it and says when it was saved
    window = make_window("xor")
    window.autosave.start(offer_restore=True, directory=str(folder))
    box = window.message_box()
    assert box is not None and "Restore" in box.windowTitle()
    assert saved_when(os.path.getmtime(leftover)) in box.text()

    # unanswered (as with --play) while this window autosaves: the leftover stays as it was
    own = autosave_now(qtbot, window)
    assert own != leftover and Path(leftover).read_bytes() == first

    notices = []
    window.worker.notice.connect(notices.append)
    box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: window.session.dataset.n == CRASHED_POINTS, timeout=5_000)
    assert window.isWindowModified() and window.project.path is None
    # the restored weights train (the crashed session's engine), and the status bar says
    # so: nothing rebuilt the old network for the restored points on the way
    qtbot.waitUntil(lambda: window.session.latest.engine == "reference", timeout=10_000)
    assert notices == []
    assert "restored the session saved" in window.statusBar().currentMessage()
    # once this window's own autosave holds the restored work, the leftover goes
    qtbot.waitUntil(lambda: not os.path.exists(leftover), timeout=JOB_MS)
    assert load_project(own)[0].dataset.n == CRASHED_POINTS
    window.close()
    assert autosave_files(folder) == []


def test_leftovers_are_offered_newest_first_discard_removes_later_keeps(
    qtbot, make_window, tmp_path
):
    folder = tmp_path / "data"
    older, _ = crashed_session(folder)
    newer = str(folder / AUTOSAVE_NAME)  # the single file of earlier versions counts too
    with open(newer, "wb") as fh:
        fh.write(Path(older).read_bytes())
    day = 86_400
    os.utime(older, (time.time() - 2 * day, time.time() - 2 * day))

    window = make_window("circle")
    window.autosave.start(offer_restore=True, directory=str(folder))
    box = window.message_box()
    assert saved_when(os.path.getmtime(newer)) in box.text() and "1 more" in box.text()
    box.button(QMessageBox.StandardButton.No).click()  # Discard: that one goes
    assert not os.path.exists(newer)
    box = window.message_box()
    assert box is not None and saved_when(os.path.getmtime(older)) in box.text()
    assert "days ago" in box.text()
    box.reject()  # Later / Escape: kept for the next start
    assert os.path.exists(older)
    window.close()
    assert autosave_files(folder) == [os.path.basename(older)]

    again = make_window("circle")
    again.autosave.start(offer_restore=True, directory=str(folder))
    assert again.message_box() is not None  # offered again
    points = again.session.dataset.points.copy()
    again.message_box().button(QMessageBox.StandardButton.No).click()
    assert autosave_files(folder) == []
    np.testing.assert_array_equal(again.session.dataset.points, points)  # nothing replaced
