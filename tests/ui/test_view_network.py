"""The network graph: what it draws is the snapshot's weights, gradients and neuron pictures,
and its inspector shows (and edits) the real numbers of the model."""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor

from dlviz.core.analysis import feature_grid
from dlviz.core.colors import NEGATIVE_HEX, POSITIVE_HEX, signed_colors
from dlviz.core.network import LayerSpec
from dlviz.ui.views.network import GRAD_BINS, MAX_EDGES, MAX_NODES, WIDTH_BINS, weight_width
from dlviz.ui.views.network_inspector import EdgeRef, NodeRef

TWO_LAYERS = (LayerSpec(8, "tanh"), LayerSpec(8, "tanh"))


def open_view(window, qtbot, layers=TWO_LAYERS):
    window.network_panel.set_hidden(layers)
    window.docks["network"].raise_()
    view = window.views["network"]
    qtbot.waitUntil(view.is_active, timeout=5_000)
    return view


def drawn_latest(view, window, sizes) -> bool:
    snap = window.session.latest
    return (
        snap is not None
        and snap.spec.sizes == sizes
        and snap.neuron_grids is not None
        and view._snap is snap
    )


def train_epoch(window, qtbot, view, sizes):
    before = window.session.latest.epoch
    qtbot.mouseClick(window.training_panel.buttons["epoch"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.session.latest.epoch > before, timeout=20_000)
    qtbot.waitUntil(lambda: drawn_latest(view, window, sizes), timeout=20_000)
    return window.session.latest


def click(qtbot, view, scene_pos):
    pos = view.plot.mapFromScene(scene_pos)
    qtbot.mouseClick(view.plot.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def type_value(qtbot, spin, text):
    spin.setFocus()
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), text)
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Enter)


def drawn_edges(view) -> list[tuple[int, int, int, str, float]]:
    """Every edge on screen as (layer, source, target, pen colour #rrggbbaa, pen width).

    Read back from the edge curves' data and pens; each end is matched to the
    nearest node (an edge runs from a node's right side to the next one's left).
    """
    sizes = view._snap.spec.sizes
    centres = []  # (column, index, x, y) in the graph's own coordinates
    for col, n in enumerate(sizes):
        for i in range(min(n, MAX_NODES)):
            p = view.viewbox.mapSceneToView(view.node_scene_pos(col, i))
            centres.append((col, i, p.x(), p.y()))
    where = np.array([(x, y) for *_, x, y in centres])

    def node(x: float, y: float) -> tuple[int, int]:
        k = int(np.argmin(np.hypot(where[:, 0] - x, where[:, 1] - y)))
        assert np.hypot(*(where[k] - (x, y))) < 1e-6, "an edge end is not at a node"
        return centres[k][0], centres[k][1]

    found = []
    for curve in view.edge_curves.values():
        xs, ys = curve.getData()
        if xs is None or len(xs) == 0:
            continue
        pen = curve.opts["pen"]
        color = pen.color().name(QColor.NameFormat.HexArgb)
        for k in range(0, len(xs), 2):
            col, src = node(float(xs[k]) - 0.5, float(ys[k]))
            col2, dst = node(float(xs[k + 1]) + 0.5, float(ys[k + 1]))
            assert col2 == col + 1
            found.append((col, src, dst, color, pen.widthF()))
    return found


def rgb(color: str) -> str:
    return "#" + color[-6:].upper()


def test_edges_and_node_pictures_are_the_snapshots_numbers(make_window, qtbot):
    window = make_window("spiral")
    view = open_view(window, qtbot)
    sizes = (2, 8, 8, 1)
    snap = train_epoch(window, qtbot, view, sizes)

    # every edge of the small net is drawn once, coloured by sign, wider for a larger |w|
    drawn = drawn_edges(view)
    assert len(drawn) == 2 * 8 + 8 * 8 + 8
    assert len({(k, s, t) for k, s, t, _, _ in drawn}) == len(drawn)
    w_max = max(float(np.abs(snap.weight(k)).max()) for k in range(3))
    line = window.session.scale.line_px
    for layer, src, dst, color, width in drawn:
        w = float(snap.weight(layer)[src, dst])
        assert rgb(color) == (POSITIVE_HEX if w >= 0 else NEGATIVE_HEX)
        expected_bin = min(max(int(np.ceil(abs(w) / w_max * WIDTH_BINS)) - 1, 0), WIDTH_BINS - 1)
        assert width == weight_width(expected_bin, line)
    by_size = sorted(drawn, key=lambda e: abs(float(snap.weight(e[0])[e[1], e[2]])))
    widths = [e[4] for e in by_size]
    assert widths == sorted(widths) and widths[-1] > 2.5 * widths[0]

    # node pictures: each neuron's activation over the plane, rows top-down on screen
    background = window.session.theme.rgb("plot_background")
    for i in range(8):
        g = snap.neuron_grid(1, i).astype(np.float64)
        expected = signed_colors(g / np.abs(g).max(), 1.0, background=background)[::-1]
        np.testing.assert_array_equal(view.node_picture(1, i), expected)
    out = snap.neuron_grid(3, 0).astype(np.float64)  # the sigmoid output: 0.5 is the middle
    expected = signed_colors((out - 0.5) / 0.5, 1.0, background=background)[::-1]
    np.testing.assert_array_equal(view.node_picture(3, 0), expected)
    res = snap.neuron_grids.shape[0]
    x1 = feature_grid(snap.spec, snap.grid_bounds, res)[..., 0].astype(np.float64)
    expected = signed_colors(x1 / np.abs(x1).max(), 1.0, background=background)[::-1]
    np.testing.assert_array_equal(view.node_picture(0, 0), expected)
    # x1 grows to the right: the picture's right column is the positive colour
    assert view.node_picture(0, 0)[0, -1, 2] > view.node_picture(0, 0)[0, 0, 2]
    # and each picture is painted on its own node: the screen there shows its tile
    shot = view.plot.viewport().grab().toImage()
    for col, n in enumerate(sizes):
        for i in range(n):
            centre = view.viewbox.mapSceneToView(view.node_scene_pos(col, i))
            tile = view.node_picture(col, i)
            side = tile.shape[0]
            # a screen pixel a quarter in from the node's top left (away from the edges'
            # ends and the bias square), and the tile pixel its centre falls in
            corner = QPointF(centre.x() - 0.25, centre.y() - 0.25)  # y grows downwards
            at = view.plot.mapFromScene(view.viewbox.mapViewToScene(corner))
            p = view.viewbox.mapSceneToView(QPointF(at.x() + 0.5, at.y() + 0.5))
            r = int((p.y() - centre.y() + 0.5) * side)
            c = int((p.x() - centre.x() + 0.5) * side)
            pixel = QColor(shot.pixel(at))
            got = np.array([pixel.red(), pixel.green(), pixel.blue()])
            # Qt's nearest-pixel scaling may round to a neighbour of that tile pixel
            near = tile[r - 1 : r + 2, c - 1 : c + 2, :3].astype(int)
            assert np.abs(near - got).max(axis=2).min() <= 1, (col, i, got, tile[r, c])


def test_gradients_toggle_draws_gradient_magnitudes_and_animates_only_when_shown(
    make_window, qtbot
):
    window = make_window("spiral")
    view = open_view(window, qtbot)
    sizes = (2, 8, 8, 1)
    train_epoch(window, qtbot, view, sizes)
    assert not view.flow_timer.isActive()
    qtbot.mouseClick(view.gradients, Qt.MouseButton.LeftButton)
    assert view.gradients.isChecked() and view.flow_timer.isActive()
    snap = view._snap
    drawn = drawn_edges(view)
    assert len(drawn) == 88
    g_max = max(float(np.abs(snap.weight_grad(k)).max()) for k in range(3))
    alphas = {}
    for layer, src, dst, color, width in drawn:
        g = abs(float(snap.weight_grad(layer)[src, dst]))
        expected_bin = min(max(int(np.ceil(g / g_max * GRAD_BINS)) - 1, 0), GRAD_BINS - 1)
        alphas[expected_bin] = (int(color[1:3], 16), width)
    # larger |dL/dw| -> more opaque and wider
    ordered = [alphas[b] for b in sorted(alphas)]
    assert ordered == sorted(ordered) and len(ordered) >= 3
    start = view.dash_offset()
    qtbot.waitUntil(lambda: view.dash_offset() > start + 1, timeout=2_000)
    # behind another tab the animation stops (and no neuron grids are asked for)
    window.docks["loss"].raise_()
    qtbot.waitUntil(lambda: not view.is_active(), timeout=5_000)
    qtbot.waitUntil(lambda: not view.flow_timer.isActive(), timeout=2_000)
    qtbot.waitUntil(lambda: "neuron_grid" not in window.requested_extras, timeout=2_000)
    window.docks["network"].raise_()
    qtbot.waitUntil(view.flow_timer.isActive, timeout=5_000)
    # a closed view stops it too
    window.docks["network"].close()
    qtbot.waitUntil(lambda: not view.isVisible(), timeout=5_000)
    assert not view.flow_timer.isActive()
    window.docks["network"].show()
    window.docks["network"].raise_()
    qtbot.waitUntil(view.flow_timer.isActive, timeout=5_000)
    qtbot.mouseClick(view.gradients, Qt.MouseButton.LeftButton)
    assert not view.flow_timer.isActive()
    assert all(rgb(c) in (POSITIVE_HEX, NEGATIVE_HEX) for *_, c, _ in drawn_edges(view))


def test_deep_sigmoid_net_shows_faint_gradients_in_early_layers(make_window, qtbot):
    window = make_window("spiral")
    layers = tuple(LayerSpec(8, "sigmoid") for _ in range(6))
    view = open_view(window, qtbot, layers)
    sizes = (2, 8, 8, 8, 8, 8, 8, 1)
    train_epoch(window, qtbot, view, sizes)
    qtbot.mouseClick(view.gradients, Qt.MouseButton.LeftButton)
    by_layer: dict[int, list[float]] = {}
    for layer, *_, width in drawn_edges(view):
        by_layer.setdefault(layer, []).append(width)
    print({k: round(max(v), 2) for k, v in sorted(by_layer.items())})
    # the gradient reaching the first layers is far smaller than the output layer's
    assert max(by_layer[0]) < max(by_layer[6])
    assert max(by_layer[1]) < max(by_layer[6])


def test_clicking_a_neuron_shows_its_bias_weights_and_value_at_a_point(make_window, qtbot):
    window = make_window("spiral")
    view = open_view(window, qtbot)
    sizes = (2, 8, 8, 1)
    snap = train_epoch(window, qtbot, view, sizes)
    # hovering reads the neuron
    pos = view.plot.mapFromScene(view.node_scene_pos(1, 2))
    qtbot.mouseMove(view.plot.viewport(), pos)
    qtbot.waitUntil(lambda: "layer 1 neuron 3" in view.hover.text(), timeout=2_000)
    bias = float(snap.bias(0)[2])
    assert f"{abs(bias):.4g}" in view.hover.text()

    assert not view.inspector.isVisible()  # nothing picked yet: the graph has all the room
    click(qtbot, view, view.node_scene_pos(1, 2))
    assert view.selected() == NodeRef(1, 2)
    assert view.inspector.isVisible() and view.inspector.currentIndex() == 1
    assert "tanh" in view.inspector.neuron_text.text()
    assert f"{abs(bias):.4g}" in view.inspector.neuron_text.text()
    table = view.inspector.weights_table
    assert table.rowCount() == 2
    for r in range(2):
        shown = float(table.item(r, 1).text().replace("−", "-"))
        np.testing.assert_allclose(shown, snap.weight(0)[r, 2], rtol=1e-3)
    assert table.item(0, 0).text() == "input x₁"

    # a typed point: the value is the network's own forward pass on that point
    type_value(qtbot, view.inspector.point_x, "0.5")
    type_value(qtbot, view.inspector.point_y, "-1.25")
    point = np.array([[0.5, -1.25]], np.float32)
    trainer = window.worker.trainer  # paused: reading it is safe
    _, value = view.inspector.point_values()
    np.testing.assert_allclose(value, trainer.activations(point)[0, 2], atol=1e-5)
    assert f"{abs(value):.4g}" in view.inspector.point_value.text()
    # hovering the data canvas sets the point: the value of the point under the mouse
    canvas = window.views["boundary"]
    target = canvas.viewbox.mapViewToScene(QPointF(1.5, -2.0))
    qtbot.mouseMove(canvas.plot.viewport(), canvas.plot.mapFromScene(target))
    pixel = max(abs(v) for v in canvas.viewbox.viewPixelSize())
    qtbot.waitUntil(lambda: abs(view.inspector.point_x.value() - 1.5) < 2 * pixel, timeout=2_000)
    assert abs(view.inspector.point_y.value() + 2.0) < 2 * pixel
    hovered = np.array(
        [[view.inspector.point_x.value(), view.inspector.point_y.value()]], np.float32
    )
    _, value = view.inspector.point_values()
    np.testing.assert_allclose(value, trainer.activations(hovered)[0, 2], atol=1e-5)
    assert f"{abs(value):.4g}" in view.inspector.point_value.text()
    # the output neuron too
    click(qtbot, view, view.node_scene_pos(3, 0))
    assert view.selected() == NodeRef(3, 0)
    _, value = view.inspector.point_values()
    np.testing.assert_allclose(value, trainer.predict(hovered)[0, 0], atol=1e-5)
    # an empty spot clears the selection
    empty = view.viewbox.mapViewToScene(QPointF(-1.8, float(view._pos[1][-1][1])))
    click(qtbot, view, empty)
    assert view.selected() is None and not view.inspector.isVisible()


def test_editing_an_edge_weight_changes_the_model(make_window, qtbot):
    window = make_window("spiral")
    view = open_view(window, qtbot)
    sizes = (2, 8, 8, 1)
    snap = train_epoch(window, qtbot, view, sizes)
    qtbot.mouseMove(view.plot.viewport(), view.plot.mapFromScene(view.edge_scene_pos(2, 3, 0, 0.3)))
    qtbot.waitUntil(lambda: "layer 2 neuron 4 → output 1" in view.hover.text(), timeout=2_000)
    assert f"weight {float(snap.weight(2)[3, 0]):+.4g}".replace("-", "−") in view.hover.text()
    click(qtbot, view, view.edge_scene_pos(2, 3, 0, t=0.3))
    assert view.selected() == EdgeRef(2, 3, 0)
    assert view.inspector.currentIndex() == 2
    w = float(snap.weight(2)[3, 0])
    assert f"{abs(w):.4g}" in view.inspector.edge_text.text()
    assert view.inspector.weight_edit.value() == round(w, 4)
    # the history starts with what the timeline kept of the run so far
    past = [
        e.snapshot
        for e in window.worker.timeline_entries()
        if e.step < snap.step and e.snapshot.spec.sizes == sizes
    ]
    assert past, "the epoch left points on the timeline"
    expected = [(s.step, s.weight(2)[3, 0], s.weight_grad(2)[3, 0]) for s in (*past, snap)]
    np.testing.assert_array_equal(view.inspector.edge_history(), np.array(expected, np.float64))
    n = len(expected)
    grid_before = np.array(snap.grid)

    type_value(qtbot, view.inspector.weight_edit, "4.5")
    qtbot.mouseClick(view.inspector.weight_apply, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: float(window.session.latest.weight(2)[3, 0]) == 4.5, timeout=10_000)
    after = window.session.latest
    assert after.step == snap.step  # paused: the edit alone made the new snapshot
    assert after.grid is not None and not np.array_equal(after.grid, grid_before)
    qtbot.waitUntil(lambda: view._snap is after, timeout=5_000)
    assert "+4.5" in view.inspector.edge_text.text()
    assert view.inspector.edge_history()[-1, 1] == 4.5  # same step: the row is replaced
    # the edge history grows with training
    train_epoch(window, qtbot, view, sizes)
    assert view.inspector.edge_history().shape[0] == n + 1

    # a neuron's bias through the same signal (source -1)
    click(qtbot, view, view.node_scene_pos(2, 5))
    type_value(qtbot, view.inspector.bias_edit, "-2")
    qtbot.mouseClick(view.inspector.bias_apply, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: float(window.session.latest.bias(1)[5]) == -2.0, timeout=10_000)

    # looking at a past step: an edit would change the present run unseen, so it waits
    bar = window.timeline_bar
    qtbot.waitUntil(bar.slider.isEnabled, timeout=5_000)
    bar.slider.setFocus()
    qtbot.keyClick(bar.slider, Qt.Key.Key_Left)
    assert bar.showing_past() is not None
    present = window.worker.trainer.params.copy()
    type_value(qtbot, view.inspector.bias_edit, "3")
    qtbot.mouseClick(view.inspector.bias_apply, Qt.MouseButton.LeftButton)
    status = window.statusBar()
    qtbot.waitUntil(lambda: "Resume from here" in status.currentMessage(), timeout=2_000)
    qtbot.wait(100)
    np.testing.assert_array_equal(window.worker.trainer.params, present)


def test_a_wide_deep_net_draws_a_bounded_graph_quickly(make_window, qtbot):
    window = make_window("spiral")
    layers = tuple(LayerSpec(256, "relu") for _ in range(10))
    view = open_view(window, qtbot, layers)
    sizes = (2, *([256] * 10), 1)
    qtbot.waitUntil(lambda: drawn_latest(view, window, sizes), timeout=30_000)
    snap = window.session.latest
    assert len(drawn_edges(view)) == MAX_EDGES
    assert len(view.node_pictures.rects) <= MAX_NODES * len(sizes)
    items = view.plot.getPlotItem().items
    assert len(items) < 400, len(items)
    more = [item.toPlainText() for item in view._labels if "more" in item.toPlainText()]
    assert more == [f"+{256 - MAX_NODES} more"] * 10
    viewport = view.plot.viewport()
    costs = []
    for _ in range(5):
        start = time.perf_counter()
        view.update_snapshot(snap)
        viewport.repaint()
        costs.append(time.perf_counter() - start)
    print(f"10 x 256 network graph frame: {1000 * min(costs):.1f} ms (best of 5)")
    qtbot.mouseClick(view.gradients, Qt.MouseButton.LeftButton)
    assert len(drawn_edges(view)) == MAX_EDGES


def test_an_edges_history_keeps_the_run_while_scrubbing_and_marks_the_step(make_window, qtbot):
    window = make_window("circle")
    view = open_view(window, qtbot)
    sizes = (2, 8, 8, 1)
    train_epoch(window, qtbot, view, sizes)
    click(qtbot, view, view.edge_scene_pos(1, 2, 3, t=0.3))
    assert view.selected() == EdgeRef(1, 2, 3)
    snap = train_epoch(window, qtbot, view, sizes)
    history = view.inspector.edge_history().copy()
    assert history[-1, 0] == snap.step and len(history) > 2
    bar = window.timeline_bar
    qtbot.waitUntil(bar.slider.isEnabled, timeout=5_000)
    bar.slider.setFocus()
    for _ in range(2):
        qtbot.keyClick(bar.slider, Qt.Key.Key_Left)
    past = bar.showing_past()
    qtbot.waitUntil(lambda: view.inspector.marker.step == past.step, timeout=5_000)
    np.testing.assert_array_equal(view.inspector.edge_history(), history)  # nothing forgotten
    assert all(line.isVisible() for line in view.inspector.marker.lines)
    # resuming from there forgets the later rows, as the run does
    qtbot.mouseClick(bar.resume, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bar.showing_past() is None, timeout=5_000)
    qtbot.waitUntil(lambda: view.inspector.edge_history()[-1, 0] == past.step, timeout=5_000)
    assert view.inspector.marker.step is None


def test_output_class_names_never_pile_onto_each_other(qapp):
    """Ten classes in a low dock: each name fits its row, shrunk or every k-th one."""
    from PySide6.QtGui import QFont, QFontMetrics

    from dlviz.ui.views.network import MIN_LABEL_PT, output_label_font

    font = QFont(qapp.font())
    font.setPointSize(14)
    font.setBold(True)
    tall = QFontMetrics(font).height()
    same, every = output_label_font(font, tall + 5)
    assert every == 1 and same.pointSizeF() == font.pointSizeF()  # room: untouched
    for row_px in (tall * 0.8, tall * 0.5, 6.0, 3.0):
        fitted, every = output_label_font(font, row_px)
        assert fitted.pointSizeF() >= MIN_LABEL_PT
        # the names that are drawn are at least one name's height apart
        assert QFontMetrics(fitted).height() <= every * row_px + 0.5
        assert every == 1 or fitted.pointSizeF() == MIN_LABEL_PT  # skip only when shrunk out
