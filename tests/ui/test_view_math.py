"""The maths views in a real window: the race, the loss landscape, activations, losses.

Each test checks that what the view shows are the engine's numbers: the race's
curves are those of core racers with the same settings, the landscape's centre is
the training loss of the weights it was cut through, and so on.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from ui_helpers import train

from dlviz.core.activity import curve, layer_activity
from dlviz.core.features import compute_features
from dlviz.core.kernels.reference import predict
from dlviz.core.race import Race


def show_view(qtbot, window, name):
    dock = window.docks[name]
    dock.show()
    dock.raise_()
    view = window.views[name]
    qtbot.waitUntil(view.is_active, timeout=5_000)
    return view


def test_race_curves_are_those_of_core_racers_with_the_panels_settings(window, qtbot):
    view = show_view(qtbot, window, "race")
    assert view.job.running is False and "Start race" in view.status.text()  # on request only
    view.epochs.setValue(4)
    view.checks["gd"].setChecked(True)
    view.rates["adam"].setValue(0.05)
    snap = window.session.latest
    view.start()
    qtbot.waitUntil(view.ready, timeout=120_000)
    view._poll()
    assert [s.optimizer for s in view.states] == ["gd", "sgd", "momentum", "adam"]
    config, seed = window.training_panel.config(), window.training_panel.seed.value()
    race = Race.build(window.session.dataset, snap.spec, config,
                      [("gd", 0.1), ("sgd", 0.1), ("momentum", 0.1), ("adam", 0.05)],
                      seed=seed)  # fmt: skip
    race.run(4)
    for state, racer in zip(view.states, race.racers, strict=True):
        losses = [h.train_loss for h in racer.trainer.history]
        np.testing.assert_allclose(state.train_loss, losses, rtol=1e-12)
        assert state.epoch == 4 and state.diverged_at is None
    drawn = view._lines[3][0].getData()[1]
    np.testing.assert_allclose(drawn, view.states[3].train_loss)
    assert "epoch 4 of 4, done" in view.status.text()


def test_race_needs_two_racers(window, qtbot):
    view = show_view(qtbot, window, "race")
    for name in ("sgd", "momentum"):
        view.checks[name].setChecked(False)
    view.start()
    assert "at least two" in view.status.text()


def test_landscape_is_cut_through_the_current_weights_and_the_path_follows(window, qtbot):
    train(qtbot, window, 100)
    view = show_view(qtbot, window, "landscape")
    qtbot.waitUntil(view.ready, timeout=120_000)
    snap = window.session.latest
    land = view.landscape
    centre = land.plane.coords(np.asarray(snap.params))
    i = int(np.argmin(np.abs(land.alphas - centre[0])))
    j = int(np.argmin(np.abs(land.betas - centre[1])))
    assert (land.alphas[i], land.betas[j]) == pytest.approx(centre, abs=1e-9)
    assert land.losses[j, i] == pytest.approx(snap.train_loss, rel=1e-5)
    before = len(view._path)
    train(qtbot, window, 100)
    qtbot.waitUntil(lambda: len(view._path) > before, timeout=10_000)
    newest = window.session.latest
    qtbot.waitUntil(lambda: view._path[-1][0] == window.session.latest.step, timeout=10_000)
    assert view._path[-1][1:] == pytest.approx(land.plane.coords(np.asarray(newest.params)))
    xs, ys = view.path.getData()
    assert xs[-1] == pytest.approx(view._path[-1][1])


def test_activation_view_shows_each_layers_pre_activations(window, qtbot):
    view = show_view(qtbot, window, "activations")
    train(qtbot, window, 50)
    qtbot.waitUntil(lambda: view._drawn == window.session.snapshot_count, timeout=10_000)
    qtbot.waitUntil(view.ready, timeout=10_000)  # computed off the GUI thread
    snap = window.session.latest
    np.testing.assert_array_equal(view.shown_params, snap.params)  # the newest weights
    assert len(view.plots) == snap.spec.n_layers
    ds = window.session.dataset
    activity = layer_activity(snap.spec, np.asarray(snap.params), ds.train_inputs[:256])

    def check_drawn(activity):
        for layer, (f, slope, bars) in zip(activity, view.items, strict=True):
            heights = bars.opts["height"]
            assert np.count_nonzero(heights) > 0
            reach = float(np.max(np.abs(bars.opts["x"]))) + bars.opts["width"] / 2
            counts, _ = np.histogram(np.clip(layer.z.ravel(), -reach, reach),
                                     bins=len(heights), range=(-reach, reach))  # fmt: skip
            np.testing.assert_allclose(heights / heights.max(), counts / counts.max())
            # the axis holds the z as it always did (1.15 x the 99.5th percentile of |z|,
            # within 4..50), and the curves, kept from frame to frame while the axis stays,
            # are f and f' over that same reach
            needed = 1.15 * float(np.percentile(np.abs(layer.z), 99.5))
            assert min(max(4.0, needed), 50.0) <= reach + 1e-9
            grid = np.linspace(-reach, reach, 301)
            fz, dz = curve(layer.activation, grid, max(snap.spec.n_outputs, 2))
            np.testing.assert_allclose(f.getData()[0], grid)
            np.testing.assert_allclose(f.getData()[1], fz)
            np.testing.assert_allclose(slope.getData()[1], dz)
            assert (-reach, reach) == pytest.approx(tuple(bars.getViewBox().viewRange()[0]),
                                                    rel=0.05)  # fmt: skip

    check_drawn(activity)
    # z four times as wide (as a diverging run's): a new axis, and curves over it
    wider = [dataclasses.replace(layer, z=4 * layer.z) for layer in activity]
    view._draw(snap.spec, wider)
    check_drawn(wider)
    view._draw(snap.spec, activity)  # and back
    check_drawn(activity)
    assert view.titles[-1].startswith("output: sigmoid")
    assert [p.titleLabel.text for p in view.plots] == view.titles


def test_loss_functions_view_puts_each_point_at_its_prediction(window, qtbot):
    view = show_view(qtbot, window, "loss-functions")
    train(qtbot, window, 50)
    qtbot.waitUntil(lambda: view._drawn == window.session.snapshot_count, timeout=10_000)
    view.target.setCurrentIndex(0)  # class 1: probability 1 − a of one sigmoid output
    qtbot.waitUntil(view.ready, timeout=10_000)  # computed off the GUI thread
    snap, ds = window.session.latest, window.session.dataset
    train_rows = np.flatnonzero(~ds.is_test)
    x = compute_features(ds.inputs[train_rows], snap.spec.features)
    out = predict(snap.spec, np.asarray(snap.params), x.astype(np.float32))[:, 0]
    expected = np.clip(1 - out[ds.targets[train_rows] == 0], 1e-3, 1 - 1e-3)
    prob, loss = view.drawn
    np.testing.assert_allclose(prob, expected, rtol=1e-6)
    np.testing.assert_allclose(loss, -np.log(expected), rtol=1e-6)  # the circle trains with BCE


def test_the_racers_walks_are_drawn_on_the_landscape(window, qtbot):
    race = show_view(qtbot, window, "race")
    race.epochs.setValue(5)
    race.start()
    qtbot.waitUntil(race.ready, timeout=120_000)
    view = show_view(qtbot, window, "landscape")
    qtbot.waitUntil(view.ready, timeout=120_000)
    paths = window.session.race_paths
    assert [label for label, _c, _w in paths] == [s.label for s in race.states]
    plane = view.landscape.plane
    for (_label, _color, walk), state, item in zip(paths, race.states, view.racer_paths,
                                                   strict=False):  # fmt: skip
        assert np.array_equal(walk[-1], state.params) and np.array_equal(walk[0], state.start)
        xs, ys = item.getData()
        assert len(xs) == len(walk)
        assert (xs[-1], ys[-1]) == pytest.approx(plane.coords(state.params))
