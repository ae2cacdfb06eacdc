"""Play, pause, step, reset, settings while running, faults, closing: through the real widgets."""

from __future__ import annotations

import threading
import time

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from dlviz.core.optim import MIN_LEARNING_RATE
from dlviz.core.still import Still
from dlviz.ui.worker import AHEAD_SHARE, SLICE_SECONDS, SPEEDS


def wait_state(qtbot, window, state):
    qtbot.waitUntil(lambda: window.state == state, timeout=10_000)


def click(qtbot, window, name):
    qtbot.mouseClick(window.training_panel.buttons[name], Qt.MouseButton.LeftButton)


def test_play_wait_pause_advances_and_changes_the_boundary(window, qtbot):
    view = window.views["boundary"]
    qtbot.waitUntil(lambda: view.boundary_pixels() is not None, timeout=5_000)
    before = view.boundary_pixels()
    updates = view.image_updates
    window.training_panel.set_max_speed(True)  # 500 steps at full speed, not at a room's pace
    click(qtbot, window, "play")
    wait_state(qtbot, window, "playing")
    assert window.actions["play"].isChecked()
    qtbot.waitUntil(lambda: window.session.latest.step > 500, timeout=20_000)
    qtbot.waitUntil(lambda: view.image_updates > updates + 3, timeout=10_000)
    rate = window.status_bar.rate_label.text()
    assert rate.endswith(" samples/s") and int(rate.split()[0].replace(",", "")) > 0
    QTest.keyClick(window, Qt.Key.Key_Space)  # Space pauses
    wait_state(qtbot, window, "paused")
    qtbot.wait(100)
    step = window.session.latest.step
    qtbot.wait(200)
    assert window.session.latest.step == step  # paused means paused
    assert window.status_bar.rate_label.text() == ""  # no "0 samples/s" beside "Paused"
    after = view.boundary_pixels()
    assert after.shape == before.shape
    assert np.abs(after.astype(int) - before.astype(int)).mean() > 1.0
    assert window.views["loss"].redraws > 1
    assert "step" in window.status_bar.step_label.text()


def test_step_batch_and_step_epoch(window, qtbot):
    start = window.session.latest
    click(qtbot, window, "step")
    qtbot.waitUntil(lambda: window.session.latest.step == start.step + 1, timeout=5_000)
    QTest.keyClick(window, Qt.Key.Key_N)
    qtbot.waitUntil(lambda: window.session.latest.step == start.step + 2, timeout=5_000)
    QTest.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: window.session.latest.epoch == start.epoch + 1, timeout=5_000)
    click(qtbot, window, "epoch")
    qtbot.waitUntil(lambda: window.session.latest.epoch == start.epoch + 2, timeout=5_000)
    assert window.state == "paused"


def test_reset_returns_to_the_same_weights_and_reinit_draws_new_ones(window, qtbot):
    first = window.session.latest.params.copy()
    click(qtbot, window, "epoch")
    qtbot.waitUntil(lambda: window.session.latest.epoch >= 1, timeout=5_000)
    assert not np.array_equal(window.session.latest.params, first)
    click(qtbot, window, "reset")
    qtbot.waitUntil(lambda: window.session.latest.step == 0, timeout=5_000)
    np.testing.assert_array_equal(window.session.latest.params, first)
    seed = window.training_panel.seed.value()
    click(qtbot, window, "reinit")
    qtbot.waitUntil(lambda: not np.array_equal(window.session.latest.params, first), timeout=5_000)
    assert window.training_panel.seed.value() != seed
    assert window.session.latest.step == 0


def test_change_learning_rate_while_running(window, qtbot):
    click(qtbot, window, "play")
    wait_state(qtbot, window, "playing")
    field = window.training_panel.lr.field
    field.selectAll()
    qtbot.keyClicks(field, "0.002")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert window.training_panel.lr.value() == 0.002
    step = window.session.latest.step
    qtbot.waitUntil(lambda: window.session.latest.step > step + 200, timeout=10_000)
    assert window.state == "playing"  # no restart: still training
    window.actions["play"].trigger()
    wait_state(qtbot, window, "paused")
    assert window.worker.trainer.config.optimizer.lr == 0.002
    assert window.session.latest.step > step  # same run, not reset


def test_leaving_the_seed_box_unchanged_keeps_the_run(window, qtbot):
    click(qtbot, window, "epoch")
    qtbot.waitUntil(lambda: window.session.latest.epoch >= 1, timeout=5_000)
    step = window.session.latest.step
    seed = window.training_panel.seed
    seed.setFocus()
    window.training_panel.batch.setFocus()  # Tab away: Qt says editingFinished
    qtbot.wait(200)
    assert window.session.latest.step == step  # not reset
    seed.setFocus()
    seed.selectAll()
    qtbot.keyClicks(seed, "77")
    qtbot.keyClick(seed, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.session.latest.step == 0, timeout=5_000)
    assert window.worker.trainer.seed == 77


def test_settings_without_a_field_survive_an_edit(window, qtbot):
    """Momentum or patience from a project (the panel has no field for them) stay when the
    learning rate is edited."""
    from dataclasses import replace

    panel = window.training_panel
    config = panel.config()
    panel.show_config(
        replace(config, patience=7, optimizer=replace(config.optimizer, momentum=0.5)),
        seed=panel.seed_value(),
        dropout=panel.dropout_rate(),
    )
    field = panel.lr.field
    field.selectAll()
    qtbot.keyClicks(field, "0.03")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.worker.trainer.config.optimizer.lr == 0.03, timeout=5_000)
    trained = window.worker.trainer.config
    assert trained.patience == 7 and trained.optimizer.momentum == 0.5


def test_editors_reject_invalid_values(window, qtbot):
    lr = window.training_panel.lr
    field = lr.field
    for text in ("100", "abc", "0", "1e9"):  # out of range or not a number: the old value
        field.selectAll()
        qtbot.keyClicks(field, text)
        qtbot.keyClick(field, Qt.Key.Key_Return)
        assert lr.value() == 0.01, text
        assert float(field.text()) == 0.01, text
    field.selectAll()
    qtbot.keyClicks(field, "-0.5")  # the minus sign is refused as it is typed
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert lr.value() == 0.5
    batch = window.training_panel.batch
    batch.setFocus()
    batch.selectAll()
    qtbot.keyClicks(batch, "999999")
    assert batch.value() <= batch.maximum()
    dropout = window.training_panel.dropout
    dropout.setValue(5.0)
    assert dropout.value() == 0.9


def test_divergence_pauses_offers_a_lower_rate_and_continues(make_window, qtbot):
    window = make_window("plane")
    panel = window.training_panel
    panel.optimizer.setCurrentIndex(panel.optimizer.findData("sgd"))
    panel.set_learning_rate(0.5)  # diverges on the plane; 0.05 does not
    click(qtbot, window, "play")
    qtbot.waitUntil(lambda: window.message_box() is not None, timeout=10_000)
    box = window.message_box()
    assert "diverged at step" in box.text()
    wait_state(qtbot, window, "paused")
    assert np.isfinite(window.session.latest.params).all()
    step = window.session.latest.step
    button = next(b for b in box.buttons() if b.objectName() == "lower-lr")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert panel.lr.value() == 0.05
    qtbot.waitUntil(lambda: window.session.latest.step > step + 100, timeout=10_000)
    assert window.state == "playing" and window.message_box() is None
    window.actions["play"].trigger()
    wait_state(qtbot, window, "paused")


def test_an_exception_in_the_worker_is_shown_and_the_app_keeps_running(window, qtbot, monkeypatch):
    trainer = window.worker.trainer
    calls = []

    def broken(config):
        calls.append(config)
        raise RuntimeError("boom in the worker")

    monkeypatch.setattr(trainer, "set_config", broken)
    window.training_panel.batch.setValue(20)  # sends a new config to the worker
    qtbot.waitUntil(lambda: window.message_box() is not None, timeout=5_000)
    box = window.message_box()
    assert "RuntimeError: boom in the worker" in box.text()
    assert "Traceback" in box.detailedText()
    box.close()
    monkeypatch.undo()
    step = window.session.latest.step
    click(qtbot, window, "play")
    qtbot.waitUntil(lambda: window.session.latest.step > step + 10, timeout=10_000)
    window.actions["play"].trigger()
    wait_state(qtbot, window, "paused")


def test_slow_motion_trains_a_few_batches_per_second(window, qtbot):
    panel = window.training_panel
    # 0.1 epochs per second: 200 training points in batches of 10 make 2 batches a second
    panel.speed.setValue(SPEEDS.index(0.1))
    assert panel.speed_label.text() == "0.1 epochs/s"
    step = window.session.latest.step
    click(qtbot, window, "play")
    wait_state(qtbot, window, "playing")
    t0 = time.perf_counter()
    qtbot.waitUntil(lambda: window.session.latest.step >= step + 2, timeout=5_000)
    assert time.perf_counter() - t0 > 0.3  # not at full speed
    QTest.keyClick(window, Qt.Key.Key_BracketRight)  # faster
    assert panel.speed_value() == SPEEDS[SPEEDS.index(0.1) + 1]
    window.actions["play"].trigger()
    wait_state(qtbot, window, "paused")


def test_slow_snapshots_get_longer_slices_so_training_keeps_its_speed(window, qtbot, monkeypatch):
    # a big network's snapshot (metrics, stats, grid) can take 0.2 s.  At full speed it is
    # taken on the snapshot thread while the next slice trains, so training goes on; the
    # slices lengthen so that snapshots keep that thread (on the GUI's core) busy at most
    # AHEAD_SHARE of the time: with SLICE_SECONDS slices it would never rest
    slow = 0.05
    original = Still.confusion  # one of the things each snapshot computes (and times)

    def slow_part(self, *args):
        time.sleep(slow)
        return original(self, *args)

    monkeypatch.setattr(Still, "confusion", slow_part)
    times: list[float] = []
    window.worker.snapshot_ready.connect(lambda snap: times.append(time.perf_counter()))
    window.training_panel.set_max_speed(True)  # slices are timed at full speed only
    started = time.perf_counter()
    click(qtbot, window, "play")
    wait_state(qtbot, window, "playing")
    qtbot.waitUntil(lambda: len(times) >= 14, timeout=60_000)
    window.actions["play"].trigger()
    wait_state(qtbot, window, "paused")
    elapsed = time.perf_counter() - started
    # the worker's estimate of the cost moves 30 % of the way to each new one, and learns
    # it when it finishes the snapshot, a slice later: after 10 it holds ~95 %; a slice
    # trains SLICE_FILL of its time in its main call
    gaps = np.diff(times[10:14])
    bound = slow / AHEAD_SHARE
    assert SLICE_SECONDS < 0.5 * bound
    assert np.median(gaps) > 0.7 * bound
    # and the worker trained most of the time, not waiting for the snapshots
    trainer = window.worker.trainer
    assert trainer is not None and trainer.kernel_seconds > 0.5 * elapsed


def test_close_while_training_stops_the_worker(make_window, qtbot):
    window = make_window()
    window.play()
    wait_state(qtbot, window, "playing")
    qtbot.waitUntil(lambda: window.session.latest.step > 100, timeout=10_000)
    assert any(t.name == "dlviz-trainer" for t in threading.enumerate())
    window.close()
    assert not window.worker.is_running()
    assert not any(t.name == "dlviz-trainer" for t in threading.enumerate())


def test_a_new_user_trains_spiral_with_an_extra_layer_to_90_percent(window, qtbot):
    """Pick Spiral in the preset list, click Add layer, press Play: a clean boundary.

    How soon is the benchmarks' business (no wall-clock asserts here); the timeout only
    keeps a hang from stalling the run."""
    combo = window.data_panel.preset
    combo.setFocus()
    qtbot.mouseClick(combo, Qt.MouseButton.LeftButton)  # open the list, pick with the keyboard
    popup = combo.view()
    qtbot.waitUntil(popup.isVisible, timeout=5_000)
    row = combo.findData("spiral")
    popup.setCurrentIndex(combo.model().index(row, 0))
    QTest.keyClick(popup, Qt.Key.Key_Return)
    assert window.session.dataset.name == "spiral"
    qtbot.mouseClick(window.network_panel.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(window.session.latest.spec.hidden) == 3, timeout=10_000)
    # the default pace is for a room to watch; a user after results clicks Max
    qtbot.mouseClick(window.training_panel.max_button, Qt.MouseButton.LeftButton)
    click(qtbot, window, "play")
    qtbot.waitUntil(lambda: (window.session.latest.test_accuracy or 0) >= 0.9, timeout=120_000)
    click(qtbot, window, "play")  # pause
    wait_state(qtbot, window, "paused")
    assert "accuracy" in window.status_bar.metric_label.text()


def test_a_divergence_at_the_lowest_rate_offers_no_lower_one(window):
    panel = window.training_panel
    panel.set_learning_rate(MIN_LEARNING_RATE)
    window._halted(
        "loss diverged at step 3: the learning rate is already the lowest ...", "diverged"
    )
    box = window.message_box()
    assert "lowest" in box.text()
    assert not [b for b in box.buttons() if b.objectName() == "lower-lr"]  # it would loop
