"""Painting on the dataset canvas with real mouse and key events."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from ui_helpers import canvas_pos, drag, viewport


def test_click_paints_a_point_of_the_selected_class(window, qtbot):
    ds = window.session.dataset
    n = ds.n
    QTest.keyClick(window, Qt.Key.Key_2)  # number keys pick the class
    assert window.session.paint_class == 1
    assert window.views["boundary"].toolbar.swatches[1].isChecked()
    qtbot.mouseClick(viewport(window), Qt.MouseButton.LeftButton, pos=canvas_pos(window, 5.5, 5.5))
    ds = window.session.dataset
    assert ds.n == n + 1
    assert ds.targets[-1] == 1
    np.testing.assert_allclose(ds.points[-1], (5.5, 5.5), atol=0.1)


def test_drag_paints_a_stroke_and_a_new_class_rebuilds_the_network(window, qtbot):
    n = window.session.dataset.n
    QTest.keyClick(window, Qt.Key.Key_3)
    drag(qtbot, window, [(-5.5 + 0.25 * i, -5.5) for i in range(30)])
    ds = window.session.dataset
    assert ds.n >= n + 10
    assert set(ds.targets[n:]) == {2}
    assert ds.n_classes == 3
    # the third class needs three outputs: the network was rebuilt (softmax + cross-entropy)
    qtbot.waitUntil(lambda: window.session.latest.spec.n_outputs == 3, timeout=10_000)
    assert window.network_panel.loss_name() == "ce"


def test_right_drag_and_eraser_remove_points(window, qtbot):
    ds = window.session.dataset
    n = ds.n
    near = int(np.sum(np.hypot(ds.points[:, 0] - 4, ds.points[:, 1]) < 1.0))
    assert near > 0
    drag(qtbot, window, [(4.0, -0.6), (4.0, 0.0), (4.0, 0.6)], Qt.MouseButton.RightButton)
    after_drag = window.session.dataset.n
    assert after_drag < n
    QTest.keyClick(window, Qt.Key.Key_E)
    assert window.session.tool == "erase"
    assert window.views["boundary"].toolbar.tool_buttons["erase"].isChecked()
    qtbot.mouseClick(viewport(window), Qt.MouseButton.LeftButton, pos=canvas_pos(window, 0, 0))
    assert window.session.dataset.n < after_drag
    window.actions["undo"].trigger()
    assert window.session.dataset.n == after_drag
    window.actions["redo"].trigger()
    assert window.session.dataset.n < after_drag


def test_points_can_be_dragged(window, qtbot):
    qtbot.mouseClick(viewport(window), Qt.MouseButton.LeftButton, pos=canvas_pos(window, 5.6, 5.6))
    index = window.session.dataset.n - 1
    QTest.keyClick(window, Qt.Key.Key_M)
    assert window.session.tool == "move"
    drag(qtbot, window, [(5.6, 5.6), (5.0, 5.0), (4.0, 4.5)])
    np.testing.assert_allclose(window.session.dataset.points[index], (4.0, 4.5), atol=0.1)
    # Shift+drag moves with the paint tool too
    QTest.keyClick(window, Qt.Key.Key_B)
    drag(qtbot, window, [(4.0, 4.5), (3.0, 4.5)], modifier=Qt.KeyboardModifier.ShiftModifier)
    np.testing.assert_allclose(window.session.dataset.points[index], (3.0, 4.5), atol=0.1)


def test_painting_while_training_reaches_the_trainer(window, qtbot):
    window.play()
    qtbot.waitUntil(lambda: window.state == "playing", timeout=5_000)
    n = window.session.dataset.n
    drag(qtbot, window, [(-5.5, 5.5 - 0.3 * i) for i in range(20)])
    assert window.session.dataset.n > n
    step = window.session.latest.step
    qtbot.waitUntil(lambda: window.session.latest.step > step + 50, timeout=10_000)
    window.actions["play"].trigger()
    qtbot.waitUntil(lambda: window.state == "paused", timeout=5_000)
    assert window.worker.trainer.dataset.n == window.session.dataset.n


def test_erasing_as_the_first_edit_while_training_breaks_nothing(window, qtbot):
    """The trainer has its own copy of the points: erasing them under it is safe."""
    failures = []
    window.worker.failed.connect(lambda message, details: failures.append(message))
    window.play()
    qtbot.waitUntil(lambda: window.state == "playing", timeout=5_000)
    n = window.session.dataset.n
    drag(qtbot, window, [(x / 2, 0.0) for x in range(-8, 9)], button=Qt.MouseButton.RightButton)
    assert window.session.dataset.n < n
    step = window.session.latest.step
    qtbot.waitUntil(lambda: window.session.latest.step > step + 50, timeout=10_000)
    window.actions["play"].trigger()
    qtbot.waitUntil(lambda: window.state == "paused", timeout=5_000)
    assert not failures
    assert window.worker.trainer.dataset.n == window.session.dataset.n
    assert window.worker.trainer.dataset is not window.session.dataset


def test_clear_then_paint_from_scratch(window, qtbot):
    window.actions["clear"].trigger()
    assert window.session.dataset.n == 0
    qtbot.mouseClick(viewport(window), Qt.MouseButton.LeftButton, pos=canvas_pos(window, 1, 1))
    QTest.keyClick(window, Qt.Key.Key_2)
    qtbot.mouseClick(viewport(window), Qt.MouseButton.LeftButton, pos=canvas_pos(window, -1, -1))
    assert window.session.dataset.n == 2
    assert list(window.session.dataset.targets) == [0, 1]


def test_regression_click_sets_the_target_value(make_window, qtbot):
    window = make_window("plane")
    toolbar = window.views["boundary"].toolbar
    assert toolbar.value.isVisible() and not toolbar.swatches[0].isVisible()
    toolbar.value.setValue(-0.5)
    qtbot.mouseClick(viewport(window), Qt.MouseButton.LeftButton, pos=canvas_pos(window, 2, 2))
    assert window.session.dataset.targets[-1] == np.float32(-0.5)
    assert window.network_panel.loss_name() == "mse"


def test_curve_click_adds_xy_points_and_draws_the_fit(make_window, qtbot):
    window = make_window("sine")
    assert not window.network_panel.feature_boxes["x2"].isEnabled()
    window.actions["epoch"].trigger()
    qtbot.waitUntil(lambda: window.session.latest.grid.ndim == 2, timeout=10_000)
    qtbot.waitUntil(lambda: window.views["boundary"].curve.xData is not None, timeout=5_000)
    n = window.session.dataset.n
    qtbot.mouseClick(viewport(window), Qt.MouseButton.LeftButton, pos=canvas_pos(window, 0.5, 0.8))
    ds = window.session.dataset
    assert ds.n == n + 1
    np.testing.assert_allclose(ds.points[-1], (0.5, 0.8), atol=0.05)
    assert ds.targets[-1] == ds.points[-1, 1]
