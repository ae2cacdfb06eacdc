"""Presentation mode on a projector, a pace a room can follow, and TF Playground's hovers.

Each test drives the real window (clicks, hovers, keys through qtbot) and
checks what a teacher relies on: what is on screen at 1280 x 720 and
1920 x 1080, how fast Play goes, what the canvas shows under a neuron.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtWidgets import QApplication, QLabel, QStatusBar
from ui_helpers import train

from dlviz.core.errors import DlvizError
from dlviz.ui.theme import PRESENTATION_POINT_SIZE
from dlviz.ui.views.loss import fractional_epochs
from dlviz.ui.views.network_inspector import NodeRef
from dlviz.ui.worker import DEFAULT_SPEED, SPEEDS, slow_slice


def present(window, qtbot, size):
    window.actions["presentation"].trigger()
    window.showNormal()  # offscreen "full screen" is the virtual screen's size: pick one
    window.resize(*size)
    qtbot.waitUntil(lambda: window.stage_bar.isVisible(), timeout=5_000)
    qtbot.wait(50)  # the resize's layout and the column sizing queued after it
    graph = window.views["network"]
    qtbot.waitUntil(graph.is_active, timeout=5_000)


def on_screen(widget, window) -> bool:
    """Shown and wholly inside the window."""
    if not widget.isVisible():
        return False
    top_left = widget.mapTo(window, QPoint(0, 0))
    return (
        top_left.x() >= 0
        and top_left.y() >= 0
        and top_left.x() + widget.width() <= window.width()
        and top_left.y() + widget.height() <= window.height()
    )


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_presentation_shows_canvas_graph_and_loss_large_with_the_transport(window, qtbot, size):
    present(window, qtbot, size)
    w, h = size
    canvas = window.views["boundary"].plot
    graph = window.views["network"].plot
    loss = window.views["loss"].graphics
    for widget in (canvas, graph, loss):
        assert on_screen(widget, window)
    # side by side, not tabs: both in front
    assert window.views["network"].is_active() and window.views["loss"].is_active()
    # large: the canvas a good half of the height, graph and loss each a third of the width
    assert canvas.height() >= 0.6 * h
    assert graph.width() >= 0.33 * w and loss.width() >= 0.33 * w
    assert graph.height() >= 0.2 * h and loss.height() >= 0.2 * h
    # the transport, in view and clickable
    for name in ("play", "step", "reset", "slower", "faster", "max_speed", "controls"):
        button = window.stage_bar.widgetForAction(window.actions[name])
        assert button is not None and on_screen(button, window), name
    assert on_screen(window.stage_speed, window)
    assert window.stage_speed.text() == "3 epochs/s"
    # the panels are hidden, not squeezed
    for name in ("data", "network-panel", "training", "timeline"):
        assert window.docks[name].isHidden()
    assert QApplication.font().pointSize() >= PRESENTATION_POINT_SIZE >= 18


def test_presentation_status_bar_fields_do_not_run_into_each_other(window, qtbot):
    present(window, qtbot, (1280, 720))
    train(qtbot, window, 50)
    window.draw_frame()
    QApplication.processEvents()
    bar: QStatusBar = window.statusBar()
    labels = [lab for lab in bar.findChildren(QLabel) if lab.isVisible() and lab.text()]
    boxes = sorted((lab.geometry() for lab in labels), key=lambda r: r.x())
    for a, b in zip(boxes, boxes[1:], strict=False):
        assert a.right() < b.left(), "status fields overlap"
    for lab in labels:  # each says all it has to say
        assert lab.fontMetrics().horizontalAdvance(lab.text()) <= lab.width() + 1, lab.text()
    # news and the state never drawn over each other
    # (news that came while the bar was hidden, as at start-up, showed through the state)
    bar.hide()
    window.status_bar.show_ready(0.8)
    window.status_bar.show_state("paused")
    bar.show()
    assert bar.currentMessage() and not window.status_bar.state_label.isVisible()
    bar.clearMessage()
    assert window.status_bar.state_label.isVisible()
    # the news on the left ends before the first permanent field starts
    news = bar.fontMetrics().horizontalAdvance("Training engine ready in 0.8 s") + 20
    first = min(lab.geometry().left() for lab in labels if lab is not window.status_bar.state_label)
    assert news < first


def test_controls_come_back_with_one_click_and_fit_without_scrolling(window, qtbot):
    present(window, qtbot, (1280, 720))
    button = window.stage_bar.widgetForAction(window.actions["controls"])
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.docks["training"].isVisible(), timeout=5_000)
    QApplication.processEvents()
    scroll = window._scrolls[2]  # the Training panel's
    assert on_screen(window.training_panel.optimizer, window)
    assert scroll.verticalScrollBar().maximum() == 0, "the Training panel scrolls"
    assert on_screen(window.timeline_bar, window)
    # the canvas, the graph and the loss stay on screen beside them
    for widget in (window.views["boundary"].plot, window.views["loss"].graphics):
        assert on_screen(widget, window)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window.docks["training"].isHidden()


def test_leaving_presentation_puts_the_docks_back(window, qtbot):
    shown = window.shown_panels()
    present(window, qtbot, (1280, 720))
    window.actions["presentation"].trigger()
    assert window.shown_panels() == shown
    assert window.toolbar.isVisible() and not window.stage_bar.isVisible()
    assert QApplication.font().pointSize() < PRESENTATION_POINT_SIZE


def test_a_project_says_which_panels_are_shown(window, qtbot, tmp_path):
    window.show_panels(["loss", "training"], front="loss")
    assert window.shown_panels() == ["training", "loss"]
    assert not window.actions["controls"].isChecked() or window.docks["training"].isVisible()
    path = str(tmp_path / "lesson.dlviz")
    assert window.project.ui_state()["panels"] == ["training", "loss"]
    saved = []
    window.project.job_finished.connect(lambda *a: saved.append(a))
    window.project.save_as(path)
    qtbot.waitUntil(lambda: bool(saved), timeout=20_000)
    window.show_panels(["data", "network-panel", "training", "timeline", "network", "loss"])
    assert window.project.open(path)
    qtbot.waitUntil(lambda: window.shown_panels() == ["training", "loss"], timeout=10_000)
    with pytest.raises(DlvizError, match="unknown panel nope"):
        window.show_panels(["nope"])


# ---------------------------------------------------------------- pace


def test_slow_slice_trains_the_asked_epochs_per_second():
    # 200 points in batches of 10: 20 batches an epoch
    per_slice, seconds = slow_slice(3, 200, 10)
    assert per_slice / seconds == pytest.approx(60)  # 3 epochs/s = 60 batches/s
    assert seconds >= 1 / 30 - 1e-9  # no more pictures than a screen shows
    per_slice, seconds = slow_slice(0.1, 200, 200)  # full batch: one step per 10 s
    assert (per_slice, seconds) == (1, pytest.approx(10.0))


def test_default_pace_is_watchable_and_max_is_one_click(window, qtbot):
    panel = window.training_panel
    assert panel.speed_value() == DEFAULT_SPEED == 3
    assert panel.speed_label.text() == "3 epochs/s"
    assert window.speed_readout.text() == "3 epochs/s"
    qtbot.mouseClick(panel.max_button, Qt.MouseButton.LeftButton)
    assert panel.speed_value() is None
    assert panel.speed_label.text() == "max" and window.speed_readout.text() == "max"
    assert window.actions["max_speed"].isChecked()
    qtbot.mouseClick(panel.max_button, Qt.MouseButton.LeftButton)
    assert panel.speed_value() == DEFAULT_SPEED
    qtbot.keyClick(window, Qt.Key.Key_BracketLeft)  # slower
    assert panel.speed_label.text() == "1 epoch/s"
    panel.speed.setValue(SPEEDS.index(None))
    assert window.actions["max_speed"].isChecked()


def test_play_at_the_default_pace_trains_a_few_epochs_per_second(window, qtbot):
    # the worker hears the panel's pace at start: a third of an epoch per 0.1 s, not a burst
    steps = []
    window.worker.snapshot_ready.connect(lambda snap: steps.append(snap.step))
    window.actions["play"].trigger()
    qtbot.waitUntil(lambda: len(steps) >= 10, timeout=20_000)
    window.actions["play"].trigger()
    gaps = np.diff(steps[2:10])
    # 3 epochs/s of 20 batches at 30 pictures a second: 2 batches a picture
    assert gaps.max() <= 4


# ---------------------------------------------------------------- curves in epochs


def test_fractional_epochs_between_and_beyond_the_knots():
    steps = np.array([0, 10, 20, 30, 40, 50])
    epochs = np.array([0, 0, 1, 1, 2, 2])
    x = fractional_epochs(steps, epochs, steps_per_epoch=20)
    np.testing.assert_allclose(x, [0, 0.5, 1, 1.5, 2, 2.5])


def test_loss_curve_reads_in_epochs_and_answers_a_hover(window, qtbot):
    view = window.views["loss"]
    window.docks["loss"].raise_()
    qtbot.waitUntil(view.is_active, timeout=5_000)
    train(qtbot, window, 100)  # 100 batches of 10 on 200 points: 5 epochs
    view._draw(force=True)
    curve = view.curves["loss-train"]
    assert curve.getData()[0].max() == pytest.approx(100)
    qtbot.mouseClick(view.epochs_box, Qt.MouseButton.LeftButton)
    assert view.epochs_box.isChecked()
    view._draw(force=True)
    assert curve.getData()[0].max() == pytest.approx(5, abs=0.05)
    assert "epoch" in view.metric_plot.getAxis("bottom").labelText
    # hover: the row under the pointer, with step, epoch and value
    box = view.loss_plot.getViewBox()
    scene = box.mapViewToScene(QPointF(2.5, 0.3))
    pos = view.graphics.mapFromScene(scene)
    qtbot.mouseMove(view.graphics.viewport(), pos)
    text = view.readout.toPlainText()
    assert "step 50" in text and "epoch 2.5" in text
    history = window.session.history
    k = int(np.flatnonzero(history.column("step") == 50)[0])
    assert f"{history.column('train_loss')[k]:.4g}" in text


# ---------------------------------------------------------------- the graph's hover


def test_hovering_a_neuron_shows_its_output_on_the_canvas(window, qtbot):
    view = window.views["network"]
    window.docks["network"].raise_()
    qtbot.waitUntil(view.is_active, timeout=5_000)
    qtbot.waitUntil(lambda: bool(view._node_rgba), timeout=10_000)
    canvas = window.views["boundary"]
    before = canvas.boundary_pixels()
    node = NodeRef(1, 2)
    pos = view.plot.mapFromScene(view.node_scene_pos(node.column, node.index))
    qtbot.mouseMove(view.plot.viewport(), pos)
    shown = canvas.boundary_pixels()
    np.testing.assert_array_equal(shown, view._node_rgba[(1, 2)])
    assert canvas.neuron_caption.isVisible()
    assert canvas.neuron_caption.text().startswith("layer 1 neuron 3")
    # off the neuron: the network's output again
    corner = view.plot.mapFromScene(view.viewbox.sceneBoundingRect().topLeft() + QPointF(3, 3))
    qtbot.mouseMove(view.plot.viewport(), corner)
    np.testing.assert_array_equal(canvas.boundary_pixels(), before)
    assert not canvas.neuron_caption.isVisible()
    # leaving the graph altogether (the pointer off to the canvas) restores it too
    qtbot.mouseMove(view.plot.viewport(), pos)
    assert canvas.neuron_caption.isVisible()
    QApplication.sendEvent(view.plot.viewport(), QEvent(QEvent.Type.Leave))
    np.testing.assert_array_equal(canvas.boundary_pixels(), before)
    assert window.session.neuron is None
    # leave the pointer off the nodes: Qt sends no move to where the pointer already is,
    # and a later test hovering the same node would wait for one
    qtbot.mouseMove(view.plot.viewport(), corner)


# ---------------------------------------------------------------- the dataset picker


def test_the_preset_list_shows_pictures_of_the_real_points(window, qtbot):
    from dlviz.core.colors import CLASS_RGB
    from dlviz.core.data import make_dataset
    from dlviz.ui.preset_pictures import SIDE, preset_pixmap

    combo = window.data_panel.preset
    qtbot.mouseClick(combo, Qt.MouseButton.LeftButton)  # open the list as a user would
    qtbot.waitUntil(combo.view().isVisible, timeout=5_000)
    from dlviz.core.data import PRESETS

    rows = [r for r in range(combo.count()) if combo.itemData(r) in PRESETS]
    assert len(rows) == len(PRESETS)
    assert all(not combo.itemIcon(r).isNull() for r in rows)
    combo.hidePopup()
    circle = preset_pixmap("circle", window.session.theme).toImage()
    assert preset_pixmap("circle", window.session.theme) is preset_pixmap(
        "circle", window.session.theme
    )  # cached
    # the picture's class-coloured pixels sit where the preset's points are: class 0 (inner
    # disc) near the middle, class 1 (the ring) out at the edge
    ds = make_dataset("circle")
    inner = CLASS_RGB[int(ds.targets[np.argmin(np.hypot(*ds.points.T))])]
    centre = circle.pixelColor(SIDE // 2, SIDE // 2)
    near = [
        circle.pixelColor(SIDE // 2 + dx, SIDE // 2 + dy)
        for dx in range(-6, 7)
        for dy in range(-6, 7)
    ]
    assert any(np.abs(np.array(c.getRgb()[:3]) - inner).sum() < 60 for c in near), centre
    spiral = preset_pixmap("spiral", window.session.theme).toImage()
    assert spiral != circle


def test_each_neuron_has_its_bias_drawn_beside_it(window, qtbot):
    from dlviz.core.colors import NEGATIVE_RGB, POSITIVE_RGB

    view = window.views["network"]
    window.docks["network"].raise_()
    qtbot.waitUntil(view.is_active, timeout=5_000)
    train(qtbot, window, 30)
    qtbot.waitUntil(lambda: view._snap is window.session.latest, timeout=5_000)
    snap = view._snap
    spots = view.bias_marks.points()
    hidden_and_output = sum(snap.spec.sizes[1:])
    assert len(spots) == hidden_and_output  # 8 + 8 + 1, each beside its node
    biases = np.concatenate([snap.bias(k) for k in range(len(snap.spec.sizes) - 1)])
    for spot, bias, (col, i) in zip(
        spots,
        biases,
        [(c, i) for c in range(1, len(snap.spec.sizes)) for i in range(snap.spec.sizes[c])],
        strict=True,
    ):
        x, y = view._pos[col][i]
        assert abs(spot.pos().x() - (x - 0.5)) < 1e-6 and abs(spot.pos().y() - (y + 0.5)) < 1e-6
        colour = np.array(spot.brush().color().getRgb()[:3], float)
        if abs(bias) > 0.5 * np.abs(biases).max():  # a clear colour: its sign's
            to_pos = np.abs(colour - POSITIVE_RGB).sum()
            to_neg = np.abs(colour - NEGATIVE_RGB).sum()
            assert (to_pos < to_neg) == (bias > 0), (bias, colour)


def test_clicking_an_input_node_takes_it_out_and_a_faded_one_feeds_it_in(window, qtbot):
    view = window.views["network"]
    window.docks["network"].raise_()
    qtbot.waitUntil(view.is_active, timeout=5_000)
    qtbot.waitUntil(lambda: view._snap is not None and bool(view._ghosts), timeout=10_000)
    boxes = window.network_panel.feature_boxes
    assert window.session.latest.spec.features == ("x1", "x2")
    # x1² is not fed in: its faded node is under the inputs; a click feeds it in
    pos = view.plot.mapFromScene(view.ghost_scene_pos("x1sq"))
    qtbot.mouseClick(view.plot.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert boxes["x1sq"].isChecked()
    qtbot.waitUntil(
        lambda: window.session.latest.spec.features == ("x1", "x2", "x1sq"), timeout=10_000
    )
    qtbot.waitUntil(lambda: view._snap is window.session.latest, timeout=10_000)
    assert "x1sq" not in [name for name, _, _ in view._ghosts]
    # a click on the x1 input takes it out
    pos = view.plot.mapFromScene(view.node_scene_pos(0, 0))
    qtbot.mouseClick(view.plot.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert not boxes["x1"].isChecked()
    qtbot.waitUntil(lambda: window.session.latest.spec.features == ("x2", "x1sq"), timeout=10_000)
    assert view.selected() is None  # a click on an input toggles it; it selects nothing


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_a_lesson_beside_the_stage_leaves_the_canvas_room(window, qtbot, size):
    """The lesson panel, the canvas and the graph/loss column share the width: at
    1280 x 720 a lesson beside a full-size column once left the canvas 90 px (the
    column's controls need about 570 px there, so the canvas gets a quarter)."""
    from dlviz.core.lessons import load_lesson

    present(window, qtbot, size)
    window.lessons.open(load_lesson("one-neuron", extra_dirs=()))
    lesson = window.lessons.dock
    qtbot.waitUntil(lambda: lesson is not None and lesson.isVisible(), timeout=5_000)
    canvas = window.views["boundary"].plot
    w = size[0]
    qtbot.waitUntil(lambda: canvas.width() >= 0.25 * w, timeout=5_000)
    for widget in (canvas, window.views["network"].plot, window.views["loss"].graphics):
        assert on_screen(widget, window)
    assert on_screen(lesson, window) and lesson.width() >= 0.15 * w
