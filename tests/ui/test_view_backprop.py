"""The step-through backpropagation view in a real window: mouse, keys, Apply, Discard."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from ui_helpers import train

from dlviz.core.explain import explain_point
from dlviz.core.network import LayerSpec
from dlviz.core.optim import learning_rates


def open_view(qtbot, window):
    dock = window.docks["backprop"]
    dock.show()
    dock.raise_()
    view = window.views["backprop"]
    qtbot.waitUntil(view.is_active, timeout=5_000)
    qtbot.waitUntil(view.ready, timeout=20_000)  # it works out a first point at once
    return view


def current_params(window):
    return window.worker.run_job(lambda t: t.params.copy()).result(timeout=20)


def test_walk_with_keys_and_apply_takes_exactly_the_explained_step(make_window, qtbot):
    window = make_window("xor", hidden=(LayerSpec(3, "tanh"),))
    train(qtbot, window, 40)
    view = open_view(qtbot, window)
    qtbot.mouseClick(view.next_point, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(view.ready, timeout=20_000)
    e = view.explanation
    # 1 input stage + 4 forward + loss + 4 backward + 4 update for a 2-3-1 network
    assert len(view.stages) == 14 and view.heading.text().count("Forward pass") == 1
    # the numbers are the engine's: the same point worked out independently of the view
    before = current_params(window)
    state = window.worker.run_job(lambda t: t.state.copy()).result(timeout=20)
    np.testing.assert_array_equal(view.params_before, before)
    assert e.state_before.t == state.t > 0  # the trainer's own optimizer state
    cfg = window.training_panel.config()
    lr = float(learning_rates(cfg.optimizer, view.explained_step, 1)[0])
    point, target = view.point()
    y = np.array([target])
    again = explain_point(e.spec, before, point, y, cfg.optimizer, state=state, lr=lr,
                          l1=cfg.l1, l2=cfg.l2)  # fmt: skip
    np.testing.assert_allclose(again.new_params, e.new_params)
    window.activateWindow()  # keys reach the view as they do for a user: through the focus
    view.setFocus()
    qtbot.waitUntil(lambda: window.isActiveWindow() and view.hasFocus(), timeout=5_000)
    for _ in range(5):  # the input, 3 hidden neurons, the output neuron, then the loss
        QTest.keyClick(view, Qt.Key.Key_Right)
    assert view.index == 5 and view.stages[5].phase == "loss"
    assert "L = " in view.equation.text()
    QTest.keyClick(view, Qt.Key.Key_Left)
    assert view.index == 4 and view.stages[4].phase == "forward"
    qtbot.mouseClick(view.phase_buttons["backward"], Qt.MouseButton.LeftButton)
    assert view.stages[view.index].phase == "backward" and "δ" in view.equation.text()
    assert "batch of one" in view.notice.text()
    qtbot.mouseClick(view.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Applied" in view.status.text(), timeout=20_000)
    np.testing.assert_allclose(current_params(window), e.new_params, rtol=1e-6, atol=1e-7)
    qtbot.waitUntil(lambda: window.session.latest.step == view.explained_step + 1,
                    timeout=20_000)  # fmt: skip
    np.testing.assert_allclose(window.session.latest.params, e.new_params, rtol=1e-6, atol=1e-7)
    # training goes on from the result
    train(qtbot, window, 5)
    assert window.session.latest.step == view.explained_step + 6


def test_discard_leaves_the_network_as_it_was(make_window, qtbot):
    window = make_window("circle")
    view = open_view(qtbot, window)
    before = current_params(window)
    qtbot.mouseClick(view.discard_button, Qt.MouseButton.LeftButton)
    assert view.explanation is None and "Discarded" in view.status.text()
    assert not view.apply_button.isEnabled()
    np.testing.assert_array_equal(current_params(window), before)


def test_a_large_network_walks_layer_by_layer_for_the_chosen_neuron(make_window, qtbot):
    window = make_window("spiral", hidden=(LayerSpec(16, "relu"), LayerSpec(16, "relu")))
    view = open_view(qtbot, window)
    # per layer: input + 3 forward + loss + 3 backward + 3 update
    assert len(view.stages) == 11 and view.neuron.isVisible()
    view.neuron.setValue(5)
    view.jump("forward")
    view.go(1)
    assert "neuron 5" in view.heading.text()
    e = view.explanation
    assert f"<b>{e.layers[0].z[4]:.4g}</b>" in view.equation.text()


def test_pick_on_canvas_takes_the_clicked_point_and_paints_nothing(make_window, qtbot):
    from ui_helpers import canvas_pos, viewport

    window = make_window("xor")
    view = open_view(qtbot, window)
    ds = window.session.dataset
    n = ds.n
    index = int(np.flatnonzero(~ds.is_test)[7])
    qtbot.mouseClick(view.pick_button, Qt.MouseButton.LeftButton)
    assert window.session.point_picker is not None
    x, y = ds.points[index]
    qtbot.mouseClick(viewport(window), Qt.MouseButton.LeftButton, pos=canvas_pos(window, x, y))
    qtbot.waitUntil(view.ready, timeout=20_000)
    assert window.session.dataset.n == n  # the click picked, it did not paint
    np.testing.assert_allclose(view.explanation.inputs, ds.points[index], rtol=1e-6)
    assert view.target.currentData() == int(ds.targets[index])
    assert not view.pick_button.isChecked() and window.session.point_picker is None
    # picking is over: the next click paints again
    qtbot.mouseClick(viewport(window), Qt.MouseButton.LeftButton, pos=canvas_pos(window, 0, 0))
    qtbot.waitUntil(lambda: window.session.dataset.n == n + 1, timeout=5_000)
