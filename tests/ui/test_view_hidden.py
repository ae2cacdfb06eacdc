"""The hidden-space view: what it plots is the snapshot's hidden space, and its controls ask
the worker for the neurons chosen."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from dlviz.core.network import LayerSpec

TWO_LAYERS = (LayerSpec(8, "tanh"), LayerSpec(6, "relu"))


def open_view(window, qtbot, layers=TWO_LAYERS):
    window.network_panel.set_hidden(layers)
    window.docks["hidden-space"].raise_()
    view = window.views["hidden-space"]
    qtbot.waitUntil(view.isVisible, timeout=5_000)
    # the rebuild is asynchronous: wait for a snapshot of the new network
    qtbot.waitUntil(lambda: window.session.latest.spec.hidden == tuple(layers), timeout=10_000)
    return view


def drawn_latest(view, window) -> bool:
    latest = window.session.latest
    return latest is not None and latest.hidden is not None and view._space is latest.hidden


def test_plots_the_snapshots_points_and_warped_grid(make_window, qtbot):
    window = make_window("spiral")
    view = open_view(window, qtbot)
    qtbot.mouseClick(window.training_panel.buttons["epoch"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.session.latest.epoch >= 1, timeout=10_000)
    qtbot.waitUntil(lambda: drawn_latest(view, window), timeout=10_000)
    space = window.session.latest.hidden
    # the last hidden layer is chosen first, neurons 1 and 2 (0 and 1 in the snapshot)
    assert (space.layer, space.neurons) == (2, (0, 1))
    assert view.layer_combo.currentText() == "Layer 2 (relu, 6)"
    assert view.layer_combo.count() == 2
    assert view.neuron_x.maximum() == 6
    np.testing.assert_array_equal(view.plotted_points(), space.points.astype(np.float64))
    np.testing.assert_array_equal(view.plotted_lines(), space.grid_lines.astype(np.float64))
    assert view.plot.getAxis("bottom").labelText == "neuron 1 of layer 2"
    assert view.plot.getAxis("left").labelText == "neuron 2 of layer 2"
    # test points are rings, training points filled, as on the canvas
    test = np.asarray(window.session.dataset.is_test, bool)
    assert len(view.test_points.data) == test.sum()
    assert len(view.train_points.data) == (~test).sum()


def test_choosing_neurons_and_layer_asks_the_worker_and_redraws(make_window, qtbot):
    window = make_window("circle")
    view = open_view(window, qtbot)
    qtbot.waitUntil(lambda: drawn_latest(view, window), timeout=10_000)
    before = view.plotted_points().copy()
    view.neuron_y.setFocus()
    for _ in range(3):
        qtbot.keyClick(view.neuron_y, Qt.Key.Key_Up)
    assert view.neuron_y.value() == 5
    qtbot.waitUntil(lambda: window.requested_extras == {"hidden": (2, 0, 4)}, timeout=5_000)
    qtbot.waitUntil(
        lambda: (
            window.session.latest.hidden is not None
            and window.session.latest.hidden.neurons == (0, 4)
        ),
        timeout=5_000,
    )
    qtbot.waitUntil(lambda: drawn_latest(view, window), timeout=5_000)
    after = view.plotted_points()
    np.testing.assert_array_equal(after, window.session.latest.hidden.points.astype(np.float64))
    assert not np.array_equal(after[:, 1], before[:, 1])
    np.testing.assert_array_equal(after[:, 0], before[:, 0])  # neuron 1 did not change
    assert view.plot.getAxis("left").labelText == "neuron 5 of layer 2"
    # the first layer has 8 neurons: the spin boxes follow its width
    view.layer_combo.setFocus()
    qtbot.keyClick(view.layer_combo, Qt.Key.Key_Up)
    assert view.layer_combo.currentIndex() == 0
    assert view.neuron_x.maximum() == 8
    qtbot.waitUntil(
        lambda: (
            window.session.latest.hidden is not None and window.session.latest.hidden.layer == 1
        ),
        timeout=5_000,
    )


def test_no_hidden_layer_says_what_to_do_and_asks_for_nothing(make_window, qtbot):
    window = make_window("circle")
    view = open_view(window, qtbot, layers=())
    qtbot.waitUntil(view.showing_message, timeout=5_000)
    assert "Add a hidden layer" in view.message.text()
    assert view.extras() == {}
    # adding one brings the plot back
    window.network_panel.set_hidden((LayerSpec(3, "tanh"),))
    qtbot.waitUntil(lambda: not view.showing_message(), timeout=5_000)
    qtbot.waitUntil(lambda: drawn_latest(view, window), timeout=5_000)
    assert view.neuron_x.maximum() == 3


def test_narrower_network_while_shown_does_not_fail(make_window, qtbot):
    window = make_window("circle")
    view = open_view(window, qtbot)
    qtbot.waitUntil(lambda: drawn_latest(view, window), timeout=10_000)
    view.neuron_y.setValue(6)  # neuron 6 of layer 2
    qtbot.waitUntil(
        lambda: (
            window.session.latest.hidden is not None
            and window.session.latest.hidden.neurons == (0, 5)
        ),
        timeout=5_000,
    )
    # layer 2 keeps its place but has no neuron 6 any more
    window.network_panel.set_hidden((LayerSpec(8, "tanh"), LayerSpec(3, "relu")))
    qtbot.waitUntil(lambda: view.neuron_y.maximum() == 3, timeout=5_000)
    qtbot.waitUntil(lambda: drawn_latest(view, window), timeout=5_000)
    assert window.message_box() is None
    assert view.neuron_y.value() == 3 and window.session.latest.hidden.neurons == (0, 2)


def test_regression_points_coloured_by_value_and_curve_line(make_window, qtbot):
    window = make_window("plane")
    view = open_view(window, qtbot)
    qtbot.waitUntil(lambda: drawn_latest(view, window), timeout=10_000)
    np.testing.assert_array_equal(
        view.plotted_points(), window.session.latest.hidden.points.astype(np.float64)
    )
    brushes = {b.color().name() for b in view.train_points.data["brush"]}
    assert len(brushes) > 5  # a colour scale, not one or two class colours
    window.data_panel.preset.setCurrentIndex(window.data_panel.preset.findData("sine"))
    qtbot.waitUntil(lambda: window.session.kind == "curve", timeout=5_000)
    qtbot.waitUntil(
        lambda: (
            drawn_latest(view, window)
            and window.session.latest.hidden.points.shape[0] == window.session.dataset.n
        ),
        timeout=10_000,
    )
    lines = view.plotted_lines()
    assert lines.shape[0] == 1  # the x axis, mapped: one curve
    np.testing.assert_array_equal(
        lines[0], window.session.latest.hidden.grid_lines[0].astype(np.float64)
    )


def test_a_view_behind_another_tab_does_no_work_on_data_edits(make_window, qtbot, monkeypatch):
    window = make_window("circle")
    view = open_view(window, qtbot)
    qtbot.waitUntil(lambda: drawn_latest(view, window), timeout=10_000)
    draws = []
    real_draw = view._draw
    monkeypatch.setattr(view, "_draw", lambda space: (draws.append(space), real_draw(space)))
    window.docks["confusion"].raise_()  # the same dock area: hidden space goes behind
    qtbot.waitUntil(lambda: not view.is_active(), timeout=5_000)
    for x in (-1.0, 0.0, 1.0):
        window.session.begin_stroke()
        window.session.add_point(x, 1.0)
        window.session.end_stroke()
    window.actions["show_test"].trigger()
    # Give a lazy view every chance to draw before looking: a snapshot of the edited data
    # (the worker takes commands in order, so the step comes after the edit) and a frame
    # tick for each view after it (a frame draws only a few of them, in turn).
    step = window.session.latest.step
    window.worker.step_batch()
    qtbot.waitUntil(lambda: window.session.latest.step > step, timeout=10_000)
    test = np.asarray(window.session.dataset.is_test, bool)
    confusion = window.session.latest.confusion  # the confusion view, in front, asks for it
    assert confusion is not None and confusion.sum() == (test.sum() or test.size)
    frames = window.frames
    qtbot.waitUntil(lambda: window.frames > frames + len(window.views), timeout=10_000)
    assert draws == []
    window.docks["hidden-space"].raise_()
    # Shown again, the view first restyles the space it kept, which predates the edit (its
    # points no longer match the data, so none are drawn); the space of the edited data
    # comes with the next snapshot. Wait for that one, not for any draw.
    n = window.session.dataset.n
    qtbot.waitUntil(lambda: any(space.points.shape[0] == n for space in draws), timeout=10_000)
    test = np.asarray(window.session.dataset.is_test, bool)
    assert len(view.train_points.data) == (~test).sum()  # the new points are on it
