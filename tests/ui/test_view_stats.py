"""Inside the network: weight/gradient heatmaps, distributions over time, confusion matrix.

Every test drives a real window whose worker trains a real network, and
checks that what the view draws equals the snapshot's (or the session's
statistics') numbers.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF
from ui_helpers import train

from dlviz.core.metrics import per_class_accuracy
from dlviz.core.network import LayerSpec
from dlviz.ui.session import DataSettings
from dlviz.ui.views.matrices import HOLD, symmetric_limit


def show_view(qtbot, window, name):
    """Bring a view's dock to the front and wait until it drew the newest snapshot."""
    dock = window.docks[name]
    dock.show()
    dock.raise_()
    view = window.views[name]
    qtbot.waitUntil(view.is_active, timeout=5_000)
    return view


def drawn_newest(view, window):
    return view._drawn == window.session.snapshot_count


def drew_statistics(view, window, quantity="weights"):
    return view._drawn_key == (window.session.stats_version, quantity)


def set_network(qtbot, window, layers):
    window.network_panel.set_hidden(layers)
    sizes = (2, *(layer.width for layer in layers))
    qtbot.waitUntil(lambda: window.session.latest.spec.sizes[:-1] == sizes, timeout=10_000)


# ------------------------------------------------------------ weights & gradients


def test_matrices_show_each_layers_weights_and_gradient(window, qtbot):
    set_network(qtbot, window, (LayerSpec(8, "tanh"), LayerSpec(5, "tanh")))
    view = show_view(qtbot, window, "matrices")
    train(qtbot, window, 50)
    qtbot.waitUntil(lambda: drawn_newest(view, window), timeout=5_000)
    snap = window.session.latest
    assert len(view.rows) == 3
    assert [t.text for t in view.titles] == [
        "Layer 1: 2 -> 8",
        "Layer 2: 8 -> 5",
        "Layer 3: 5 -> 1",
    ]
    for layer, (weights, grads) in enumerate(view.rows):
        np.testing.assert_array_equal(weights.image.image, snap.weight(layer))
        np.testing.assert_array_equal(grads.image.image, snap.weight_grad(layer))
        # symmetric colour scale around zero, a round number above the largest |value|
        # (held while the values stay within HOLD of it)
        for panel, values in ((weights, snap.weight(layer)), (grads, snap.weight_grad(layer))):
            low, high = panel.image.getLevels()
            biggest = float(np.abs(values).max())
            assert low == -high and biggest <= high <= HOLD * biggest
            assert f"±{high:.3g}" in panel.title
    assert np.any(snap.weight_grad(1) != 0)

    # hovering a cell prints that cell's value
    weights = view.rows[1][0]
    viewbox = weights.plot.getViewBox()
    expected = f"{float(snap.weight(1)[2, 3]):.4g}"

    def hover_the_cell():
        # where the cell is now: the dock may still be laying out (and the rows scroll in a
        # short dock), so a position taken once, then a fixed wait, can miss the cell
        scene = viewbox.mapViewToScene(QPointF(4.0, 3.0))  # to neuron 4, from neuron 3
        widget_pos = view.graphics.mapFromScene(scene)
        view.scroll.ensureVisible(widget_pos.x(), widget_pos.y())
        qtbot.mouseMove(view.graphics.viewport(), view.graphics.mapFromScene(scene))
        return expected in view.hover.text()

    qtbot.waitUntil(hover_the_cell, timeout=5_000)
    assert "Layer 2 weight, neuron 3 -> 4" in view.hover.text()


def test_a_heatmaps_title_shows_a_new_scale_and_the_same_title_moves_nothing(window, qtbot):
    """The titles print each matrix's colour scale: a new one shows at once, and a title
    set again with the same text (every snapshot) re-lays out nothing."""
    view = show_view(qtbot, window, "matrices")
    train(qtbot, window, 20)
    qtbot.waitUntil(lambda: drawn_newest(view, window), timeout=5_000)
    qtbot.wait(50)  # the layout settles
    panels = [panel for row in view.rows for panel in row]
    grads = view.rows[0][1]
    text = "gradient, last batch  (±0.000123)"
    view.set_plot_title(grads.plot, text, size="11pt", color="#123456")
    qtbot.wait(50)
    assert grads.plot.titleLabel.text == text and grads.plot.titleLabel.isVisible()
    places = [panel.plot.getViewBox().sceneBoundingRect() for panel in panels]
    calls = []
    grads.plot.titleLabel.setText = lambda *a, **k: calls.append(a)  # would re-lay out
    view.set_plot_title(grads.plot, text, size="11pt", color="#123456")
    qtbot.wait(50)
    assert calls == []
    assert [panel.plot.getViewBox().sceneBoundingRect() for panel in panels] == places


def test_a_new_title_that_fits_is_drawn_in_place_and_one_that_does_not_gets_room(window, qtbot):
    """A title's new number (every snapshot, in some views) must not lay out the view again
    when the text still fits; a text too wide for its place does get a new layout."""
    view = show_view(qtbot, window, "matrices")
    train(qtbot, window, 20)
    qtbot.waitUntil(lambda: drawn_newest(view, window), timeout=5_000)
    qtbot.wait(100)  # the layout settles
    panels = [panel for row in view.rows for panel in row]
    plot = view.rows[0][1].plot
    label = plot.titleLabel
    style = {k: label.opts[k] for k in ("size", "color")}
    places = [panel.plot.getViewBox().sceneBoundingRect() for panel in panels]
    asked = label.minimumWidth()  # what the title asks of the layout: its text's width
    view.set_plot_title(plot, "gradient  (±0.5)", **style)
    qtbot.wait(50)
    assert label.text == "gradient  (±0.5)" and "±0.5" in label.item.toPlainText()
    assert label.itemRect().width() < asked - 5  # a shorter text ...
    assert label.minimumWidth() == asked  # ... asked nothing of the layout
    assert [panel.plot.getViewBox().sceneBoundingRect() for panel in panels] == places
    centre = label.mapRectToScene(label.itemRect()).center().x()
    assert abs(centre - label.sceneBoundingRect().center().x()) < 1.5  # still centred
    wide = "gradient " * 30
    view.set_plot_title(plot, wide, **style)
    qtbot.wait(100)
    assert label.text == wide
    assert label.minimumWidth() >= label.itemRect().width() - 1  # the layout was asked


def test_a_heatmap_keeps_its_scale_while_the_values_stay_near_it(window, qtbot):
    """A scale that followed every batch's largest gradient changed the title's width, and
    the row was laid out and painted again with nearly every snapshot."""
    assert symmetric_limit(np.array([0.9, -0.2])) == 1.0
    assert symmetric_limit(np.array([0.011])) == pytest.approx(0.015)
    held = symmetric_limit(np.array([0.45]), previous=1.0)  # within HOLD below: kept
    assert held == 1.0
    assert symmetric_limit(np.array([-0.3]), previous=1.0) == pytest.approx(0.3)  # a new one
    assert symmetric_limit(np.array([1.2]), previous=1.0) == 1.5  # above: at once
    assert symmetric_limit(np.array([np.nan, 0.5]), previous=1.0) == 1.0
    assert symmetric_limit(np.zeros(3), previous=0.5) == 1.0
    # a heatmap's panel: its first matrix gets its own scale, the next ones keep it
    view = show_view(qtbot, window, "matrices")
    qtbot.waitUntil(lambda: bool(view.rows), timeout=5_000)
    panel = view.rows[0][1]
    panel.values = None  # as a panel starts
    lut = view._lut
    for biggest, limit in ((0.12, 0.15), (0.07, 0.15), (0.049, 0.05), (0.29, 0.3)):
        panel.set_matrix(np.array([[biggest, -0.01]], np.float32), lut)
        assert panel.limit == pytest.approx(limit)
        assert panel.image.getLevels() == pytest.approx((-limit, limit))


def test_matrices_do_no_work_while_hidden(window, qtbot):
    view = show_view(qtbot, window, "matrices")
    qtbot.waitUntil(lambda: view.image_updates > 0, timeout=5_000)
    window.docks["matrices"].close()
    qtbot.waitUntil(lambda: not view.is_active(), timeout=2_000)
    before = view.image_updates
    train(qtbot, window, 200)
    qtbot.wait(100)
    assert view.image_updates == before  # hidden: no setImage at all
    view = show_view(qtbot, window, "matrices")
    qtbot.waitUntil(lambda: view.image_updates == before + 1, timeout=2_000)  # catches up once
    np.testing.assert_array_equal(view.rows[0][0].image.image, window.session.latest.weight(0))


# ------------------------------------------------------------ distributions


def test_distribution_bands_and_norms_equal_the_statistics(window, qtbot):
    view = show_view(qtbot, window, "distributions")
    train(qtbot, window, 300)
    latest = window.session.latest
    history = window.session.stats_history
    qtbot.waitUntil(lambda: history.steps and history.steps[-1] == latest.step, timeout=5_000)
    qtbot.waitUntil(lambda: drew_statistics(view, window), timeout=5_000)
    steps, norms, w_pct, g_pct, a_pct = history.arrays()
    assert len(steps) >= 2

    # gradient-norm curves: one per layer, equal to each snapshot's layer_stats norms
    curves = view.norm_data()
    assert len(curves) == latest.spec.n_layers
    for layer, (x, y) in enumerate(curves):
        np.testing.assert_array_equal(x, steps)
        # a zero norm (before the first step) is a gap on the log axis, not a point
        np.testing.assert_allclose(y, np.where(norms[:, layer] > 0, norms[:, layer], np.nan))
        assert y[-1] == latest.layer_stats[layer].grads.norm
    assert view.norm_plot.getAxis("left").logMode  # log y axis

    for choice, pct in (("weights", w_pct), ("gradients", g_pct), ("activations", a_pct)):
        view.quantity.setCurrentIndex(view.quantity.findData(choice))
        qtbot.waitUntil(lambda c=choice: view._drawn_key[1] == c, timeout=5_000)
        for layer, band_plot in enumerate(view.band_plots):
            bands = band_plot.bands()
            assert len(bands) == 4
            for (x, lo, hi), (i, j) in zip(bands, ((0, 8), (1, 7), (2, 6), (3, 5)), strict=True):
                np.testing.assert_array_equal(x, steps)
                np.testing.assert_allclose(lo, pct[:, layer, i])
                np.testing.assert_allclose(hi, pct[:, layer, j])
            np.testing.assert_allclose(band_plot.median.getData()[1], pct[:, layer, 4])
    # the newest row is the newest snapshot's own numbers
    np.testing.assert_allclose(
        w_pct[-1, 0], np.percentile(latest.weight(0), [0, 7, 16, 31, 50, 69, 84, 93, 100])
    )
    np.testing.assert_allclose(a_pct[-1, 1], latest.layer_stats[1].activations.percentiles)


def test_deep_sigmoid_net_shows_vanishing_gradients_in_the_norm_curve(make_window, qtbot):
    window = make_window("spiral")
    set_network(qtbot, window, tuple(LayerSpec(8, "sigmoid") for _ in range(6)))
    view = show_view(qtbot, window, "distributions")
    train(qtbot, window, 300)
    qtbot.waitUntil(lambda: len(window.session.stats_history.steps) >= 3, timeout=5_000)
    qtbot.waitUntil(lambda: drew_statistics(view, window), timeout=5_000)
    curves = view.norm_data()
    assert len(curves) == 7
    ratio = curves[0][1] / curves[-1][1]  # first layer's gradient norm / last layer's
    assert np.isfinite(ratio).sum() >= 2
    # early layers' gradients are orders of magnitude smaller (about 1/1000 here)
    assert np.nanmedian(ratio) < 1 / 20


def test_statistics_are_kept_while_the_distributions_view_is_closed(window, qtbot):
    view = window.views["distributions"]
    window.docks["distributions"].close()
    qtbot.waitUntil(lambda: not view.is_active(), timeout=2_000)
    redraws = view.redraws
    train(qtbot, window, 300)
    qtbot.wait(300)
    assert view.redraws == redraws  # hidden: nothing drawn
    assert len(window.session.stats_history.steps) >= 2  # but the history has no gap
    view = show_view(qtbot, window, "distributions")
    qtbot.waitUntil(lambda: view.redraws > redraws, timeout=2_000)
    x, _ = view.norm_data()[0]
    assert x[0] <= 10 and x[-1] >= 290  # the whole run, from the start


# ------------------------------------------------------------ confusion matrix


def test_confusion_cells_equal_the_snapshots_counts(window, qtbot):
    window.session.new_data(DataSettings(preset="blobs", classes=4))
    qtbot.waitUntil(
        lambda: (
            window.session.latest.confusion is not None
            and window.session.latest.confusion.shape == (4, 4)
        ),
        timeout=10_000,
    )
    view = show_view(qtbot, window, "confusion")
    train(qtbot, window, 300)
    qtbot.waitUntil(lambda: drawn_newest(view, window), timeout=5_000)
    snap = window.session.latest
    matrix = snap.confusion
    assert not view.showing_message()
    texts = [[int(cell.text()) for cell in row] for row in view.cells]
    np.testing.assert_array_equal(texts, matrix)
    recall = per_class_accuracy(matrix)
    for label, value in zip(view.row_accuracy, recall, strict=True):
        assert label.text() == f"{100 * value:.1f} %"
    assert f"{100 * np.trace(matrix) / matrix.sum():.1f} %" in view.heading.text()
    assert "test points" in view.heading.text()
    # a correct cell holding most of its row is shaded darker than an empty one
    i = int(np.argmax(np.diag(matrix) / matrix.sum(axis=1)))
    j = (i + 1) % 4
    if matrix[i, j] == 0:
        dark = view.cells[i][i].palette().window().color().lightness()
        light = view.cells[i][j].palette().window().color().lightness()
        assert dark < light


def test_confusion_says_it_is_for_classification_on_regression_data(window, qtbot):
    view = show_view(qtbot, window, "confusion")
    assert not view.showing_message()
    window.session.new_data(DataSettings(preset="plane"))
    assert view.showing_message()
    assert view.message.isVisible()
    assert "for classification" in view.message.text()
    window.session.new_data(DataSettings(preset="circle"))
    assert not view.showing_message()


def _draws_per_second(limit, snapshots_hz: float, busy: float = 0.0) -> float:
    """Frames every 16.7 ms (each up to 3 ms late); snapshots ``snapshots_hz`` a second,
    each up to 30 % early or late; a frame draws the newest one when there is one and the
    limit allows, unless it is busy with other views (a ``busy`` share of frames)."""
    rng = np.random.default_rng(0)
    frame, next_snapshot, waiting, draws = 0.0, 0.0, False, 0
    while frame < 30.0:
        while next_snapshot <= frame:
            waiting = True
            next_snapshot += rng.uniform(0.7, 1.3) / snapshots_hz
        if waiting and limit.ready(frame) and rng.random() >= busy:
            limit.drew(frame)
            waiting, draws = False, draws + 1
        frame += 1 / 60 + rng.uniform(0.0, 0.003)
    return draws / 30.0


def test_a_rate_limited_view_draws_each_snapshot_up_to_its_rate_whatever_the_frames_timing():
    """The loss curves (20 Hz) drew 14-16 times a second with 17-20 snapshots a second:
    each draw was timed from the one before, a few ms late, so the next waited a frame more
    (timed that way, this model gives 18.4 and 16.0 where the test asks for 20 and 17.5)."""
    from dlviz.ui.views.base import RateLimit

    assert _draws_per_second(RateLimit(20.0), 24.0) == pytest.approx(20, abs=0.2)
    assert _draws_per_second(RateLimit(20.0), 20.0, busy=0.3) >= 17.5
    assert _draws_per_second(RateLimit(20.0), 60.0) <= 20.05  # never more than the limit
    limit = RateLimit(20.0)
    limit.drew(1.0)
    assert not limit.ready(1.01)
    limit.release()  # shown again: at once
    assert limit.ready(1.01)
    for k in range(60):  # forced draws (a slider dragged for a second) ...
        limit.drew(2.0 + k / 60)
    assert limit.ready(2.0 + 59 / 60 + 0.05)  # ... hold the next one a period at most
