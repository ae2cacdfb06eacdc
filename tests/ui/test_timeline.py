"""The timeline bar: scrub back while paused, resume from a past step exactly, the memory cap."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest

from dlviz.core.trainer import Trainer
from dlviz.ui.timeline_bar import MB, SETTINGS_KEY


def click(qtbot, widget):
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def wait_state(qtbot, window, state):
    qtbot.waitUntil(lambda: window.state == state, timeout=10_000)


def step_to(qtbot, window, step):
    """Press Step until the run is at ``step``, one batch at a time."""
    while window.session.latest.step < step:
        before = window.session.latest.step
        click(qtbot, window.training_panel.buttons["step"])
        qtbot.waitUntil(lambda b=before: window.session.latest.step == b + 1, timeout=5_000)


def slide_back(qtbot, bar, clicks):
    bar.slider.setFocus()
    for _ in range(clicks):
        qtbot.keyClick(bar.slider, Qt.Key.Key_Left)


def test_scrubbing_back_shows_the_older_step_everywhere_until_play(make_window, qtbot):
    window = make_window("spiral")
    bar = window.timeline_bar
    window.docks["hidden-space"].raise_()
    hidden = window.views["hidden-space"]
    boundary = window.views["boundary"]
    assert not bar.slider.isEnabled()
    assert bar.slider.minimum() < bar.slider.value() == bar.slider.maximum()  # present: right end
    # full speed: the timeline keeps a point every 0.2 s, so the points scrubbed back to
    # come after the hidden-space view's request reached the worker (at a room's pace
    # every snapshot is a point, the first ones from before the request)
    window.training_panel.set_max_speed(True)
    QTest.keyClick(window, Qt.Key.Key_Space)
    wait_state(qtbot, window, "playing")
    qtbot.waitUntil(lambda: len(window.worker.timeline_entries()) >= 6, timeout=20_000)
    assert not bar.slider.isEnabled()  # no scrubbing while training
    QTest.keyClick(window, Qt.Key.Key_Space)
    wait_state(qtbot, window, "paused")
    live = window.session.latest
    qtbot.waitUntil(lambda: window.worker.timeline_entries()[-1].step == live.step)
    qtbot.waitUntil(bar.slider.isEnabled, timeout=5_000)
    entries = window.worker.timeline_entries()
    assert bar.slider.maximum() == len(entries) - 1
    assert bar.slider.value() == bar.slider.maximum()

    slide_back(qtbot, bar, 3)
    past = entries[-4]
    assert past.step < live.step
    assert window.session.latest is past.snapshot
    qtbot.waitUntil(lambda: boundary._last_snap is past.snapshot, timeout=5_000)
    qtbot.waitUntil(lambda: hidden._space is past.snapshot.hidden, timeout=5_000)
    assert past.snapshot.hidden is not None
    assert window.status_bar.step_label.text() == f"step {past.step:,}"
    assert bar.info.text().startswith(f"step {past.step:,} of {live.step:,} · ")
    assert bar.resume.isEnabled()

    # a live snapshot of the present (the hidden view asks for other neurons) waits
    hidden.neuron_x.setValue(3)
    qtbot.waitUntil(
        lambda: bar._live.hidden is not None and bar._live.hidden.neurons[0] == 2, timeout=5_000
    )
    for _ in range(5):
        window.draw_frame()
    assert window.session.latest is past.snapshot
    assert boundary._last_snap is past.snapshot

    # the curves keep the whole run and mark the step on screen
    loss = window.views["loss"]
    window.docks["loss"].raise_()
    qtbot.waitUntil(lambda: loss.marker.step == past.step, timeout=5_000)
    assert all(line.isVisible() and line.value() == past.step for line in loss.marker.lines)

    # Play goes back to the present first, then trains on from there
    QTest.keyClick(window, Qt.Key.Key_Space)
    wait_state(qtbot, window, "playing")
    qtbot.waitUntil(lambda: window.session.latest.step > live.step, timeout=10_000)
    assert bar.showing_past() is None
    qtbot.waitUntil(lambda: loss.marker.step is None, timeout=5_000)
    assert not any(line.isVisible() for line in loss.marker.lines)
    assert not bar.slider.isEnabled()
    QTest.keyClick(window, Qt.Key.Key_Space)
    wait_state(qtbot, window, "paused")


def test_resume_from_here_then_stepping_repeats_the_run_exactly(make_window, qtbot):
    window = make_window("circle")
    bar = window.timeline_bar
    step_to(qtbot, window, 10)
    qtbot.waitUntil(bar.slider.isEnabled, timeout=5_000)
    entries = window.worker.timeline_entries()
    assert [e.step for e in entries][-11:] == list(range(11))
    later = entries[-1].snapshot.params.copy()

    slide_back(qtbot, bar, 6)
    assert window.session.latest.step == 4
    click(qtbot, bar.resume)
    qtbot.waitUntil(
        lambda: bar.showing_past() is None and window.session.latest.step == 4, timeout=5_000
    )
    assert [e.step for e in window.worker.timeline_entries()][-1] == 4  # later points gone
    # the loss curves keep the steps that led here (not cleared as after a reset)
    assert list(window.session.history.column("step")) == [0, 1, 2, 3, 4]
    np.testing.assert_array_equal(window.session.latest.params, entries[-7].snapshot.params)

    step_to(qtbot, window, 10)
    np.testing.assert_array_equal(window.session.latest.params, later)
    assert list(window.session.history.column("step")) == list(range(11))
    # and the same as a fresh run that never left: same data, network, settings and seed
    trainer = window.worker.trainer
    fresh = Trainer(
        trainer.dataset,
        trainer.spec,
        window.training_panel.config(),
        seed=window.training_panel.seed.value(),
    )
    for _ in range(10):
        fresh.run(samples=min(fresh.config.batch_size, fresh.n_train))
    np.testing.assert_array_equal(fresh.params, later)


def test_resume_from_a_step_a_reset_has_forgotten_changes_nothing(make_window, qtbot):
    """Reset, then Resume before the bar heard of it: a notice, no error, the reset stands."""
    window = make_window("circle")
    bar = window.timeline_bar
    step_to(qtbot, window, 5)
    qtbot.waitUntil(bar.slider.isEnabled, timeout=5_000)
    slide_back(qtbot, bar, 2)
    assert window.session.latest.step == 3
    failures, notices = [], []
    window.worker.failed.connect(lambda message, details: failures.append(message))
    window.worker.notice.connect(notices.append)
    window.actions["reset"].trigger()
    click(qtbot, bar.resume)  # queued behind the reset
    qtbot.waitUntil(lambda: any("no longer on the timeline" in n for n in notices), timeout=5_000)
    qtbot.waitUntil(lambda: window.session.latest.step == 0, timeout=5_000)
    assert not failures
    assert bar.showing_past() is None


def test_memory_cap_holds_and_is_remembered(make_window, qtbot):
    window = make_window("spiral")
    bar = window.timeline_bar
    bar.cap.setFocus()
    bar.cap.selectAll()
    qtbot.keyClicks(bar.cap, "1")
    qtbot.keyClick(bar.cap, Qt.Key.Key_Return)
    assert bar.cap_bytes() == 1 * MB
    settings = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "dlviz", "dlviz")
    assert int(settings.value(SETTINGS_KEY)) == 1
    # 1000 batches a second: every snapshot (30 a second, each with a grid) is kept
    window.actions["slower"].trigger()
    QTest.keyClick(window, Qt.Key.Key_Space)
    wait_state(qtbot, window, "playing")
    qtbot.waitUntil(lambda: window.worker.timeline_entries()[0].step > 0, timeout=30_000)
    QTest.keyClick(window, Qt.Key.Key_Space)
    wait_state(qtbot, window, "paused")
    entries = window.worker.timeline_entries()
    assert len(entries) > 5
    assert window.worker.timeline_nbytes() == sum(e.nbytes for e in entries)
    assert window.worker.timeline_nbytes() <= 1 * MB
    qtbot.waitUntil(lambda: "of 1 MB" in bar.info.text(), timeout=5_000)
