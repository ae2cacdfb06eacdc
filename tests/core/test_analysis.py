"""Numbers behind the inside-the-network views, against direct computations."""

from __future__ import annotations

import numpy as np
import pytest

from dlviz.core.analysis import (
    StatsHistory,
    feature_grid,
    neuron_values,
    shown_edges,
    strongest_edges,
)
from dlviz.core.data import make_dataset
from dlviz.core.kernels import reference as ref
from dlviz.core.network import LayerSpec, ParamLayout, build_spec
from dlviz.core.optim import OptimizerConfig
from dlviz.core.snapshot import HIST_BINS, PERCENTILES, Distribution
from dlviz.core.timeline import Timeline
from dlviz.core.trainer import TrainConfig, Trainer

SMALL = (LayerSpec(6, "tanh"), LayerSpec(4, "tanh"))


def trainer(name="blobs", hidden=SMALL, **kw):
    data = make_dataset(name, classes=3 if name == "blobs" else 2, seed=0, **kw)
    spec = build_spec(kind=data.kind, n_classes=data.n_classes, features=("x1", "x2"),
                      hidden=hidden)  # fmt: skip
    return Trainer(data, spec, TrainConfig(OptimizerConfig("adam", lr=0.03)), seed=0)


@pytest.mark.parametrize(
    "values",
    [
        np.random.default_rng(0).standard_normal(5000),
        np.maximum(np.random.default_rng(1).standard_normal((256, 64)), 0),  # ReLU: many ties
        np.linspace(-2.0, 2.0, 33),  # values exactly on the bin edges
        np.array([3.5]),
        np.zeros(7),
    ],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_distribution_matches_numpys_histogram_and_percentiles(values, dtype):
    d = Distribution.of(values.astype(dtype))
    v = values.astype(dtype).astype(np.float64).ravel()
    lim = float(np.abs(v).max()) or 1.0
    counts, edges = np.histogram(v, bins=HIST_BINS, range=(-lim, lim))
    np.testing.assert_array_equal(d.counts, counts)
    np.testing.assert_allclose(d.edges, edges.astype(np.float32))
    np.testing.assert_allclose(d.percentiles, np.percentile(v, PERCENTILES), rtol=1e-12)
    assert (d.min, d.max) == (v.min(), v.max())
    assert d.mean == pytest.approx(v.mean()) and d.std == pytest.approx(v.std())
    assert d.norm == pytest.approx(np.linalg.norm(v))


def test_snapshot_confusion_matches_its_accuracy():
    t = trainer()
    snap = t.run(samples=3000)
    m = snap.confusion
    assert m.shape == (3, 3) and m.sum() == t.dataset.is_test.sum()
    assert np.trace(m) / m.sum() == pytest.approx(snap.test_accuracy)


def test_hidden_space_is_the_neurons_activation():
    t = trainer()
    t.run(samples=1000)
    snap = t.snapshot(hidden=(2, 1, 3))
    space = snap.hidden
    # oracle: the NumPy reference's activations of layer 2, neurons 1 and 3
    tape = ref.forward(
        t.spec, t.params.astype(np.float64), t.features(t.dataset.inputs).astype(np.float64)
    )
    np.testing.assert_allclose(space.points, tape.a[2][:, [1, 3]], atol=1e-5)
    assert space.grid_lines.shape == (22, 60, 2)
    # the first grid line is the bottom edge of the plane, mapped
    xmin, xmax, ymin, _ = t.dataset.bounds
    edge = np.column_stack([np.linspace(xmin, xmax, 60), np.full(60, ymin)])
    tape = ref.forward(t.spec, t.params.astype(np.float64), t.features(edge).astype(np.float64))
    np.testing.assert_allclose(space.grid_lines[0], tape.a[2][:, [1, 3]], atol=1e-5)


def test_a_hidden_space_request_for_a_gone_layer_or_neuron_is_skipped():
    # the view's request can be one snapshot behind a network change: no crash, no space
    t = trainer()  # hidden widths 6, 4
    assert t.snapshot(hidden=(3, 0, 1)).hidden is None  # no third hidden layer
    assert t.snapshot(hidden=(2, 1, 4)).hidden is None  # layer 2 has neurons 0..3
    assert t.snapshot(hidden=(0, 0, 1)).hidden is None
    assert t.snapshot(hidden=(2, 0, 3)).hidden is not None


def test_strongest_edges_keeps_the_largest_weights():
    layout = ParamLayout.of((2, 64, 64, 3))
    flat = np.random.default_rng(0).normal(size=layout.size).astype(np.float32)
    edges = strongest_edges(layout, flat, 500)
    assert edges.total == 2 * 64 + 64 * 64 + 64 * 3 and edges.value.size == 500
    threshold = np.sort(np.abs(np.concatenate([layout.weight(flat, i).ravel() for i in range(3)])))[
        -500
    ]
    assert np.abs(edges.value).min() >= threshold
    for lay, s, d, v in zip(edges.layer, edges.source, edges.target, edges.value, strict=True):
        assert layout.weight(flat, lay)[s, d] == v
    small = strongest_edges(ParamLayout.of((2, 3, 1)), np.ones(13, np.float32), 500)
    assert small.value.size == 9


def test_editing_a_weight_changes_predictions():
    t = trainer()
    t.run(samples=500)
    pts = t.dataset.inputs[:20]
    before = t.predict(pts)
    t.set_weight(0, 0, 2, 5.0)
    assert t.layout.weight(t.params, 0)[0, 2] == 5.0
    assert not np.allclose(t.predict(pts), before)
    t.set_weight(1, -1, 0, -2.0)
    assert t.layout.bias(t.params, 1)[0] == -2.0


def test_deep_sigmoid_net_shows_vanishing_gradients():
    """The lesson the gradient-norm view must show: early layers learn far more slowly."""
    t = trainer("circle", hidden=tuple(LayerSpec(8, "sigmoid") for _ in range(8)))
    history = StatsHistory()
    for _ in range(5):
        history.add(t.run(samples=200))
    steps, norms, *_ = history.arrays()
    assert norms.shape == (5, 9)
    assert norms[-1, 0] < norms[-1, -1] / 100  # first layer's gradient ≪ output layer's


def test_stats_history_stays_bounded_and_spans_the_run():
    t = trainer()
    history = StatsHistory(limit=16)
    for _ in range(40):
        history.add(t.run(samples=20))
    steps, norms, w_pct, g_pct, a_pct = history.arrays()
    assert len(steps) <= 16 and steps[0] == 2 and steps[-1] == t.step
    assert w_pct.shape == (len(steps), 3, 9)
    np.testing.assert_allclose(
        w_pct[-1, 0],
        np.percentile(t.layout.weight(t.params, 0), [0, 7, 16, 31, 50, 69, 84, 93, 100]),
    )


def test_stats_history_skips_snapshots_taken_without_statistics():
    t = trainer()
    history = StatsHistory()
    history.add(t.run(samples=20))
    history.add(t.run(samples=20, stats=False))  # a paced full-speed slice
    last = t.run(samples=20)
    history.add(last)
    steps, norms, *_ = history.arrays()
    assert list(steps) == [2, 6] and steps[-1] == last.step
    assert norms.shape == (2, 3)


def test_stats_history_rewinds_to_a_resumed_step_and_continues():
    t = trainer()
    history = StatsHistory()
    snaps = [t.run(samples=20) for _ in range(6)]
    for snap in snaps:
        history.add(snap)
    history.rewind(snaps[2].step)
    assert list(history.arrays()[0]) == [s.step for s in snaps[:3]]
    history.add(snaps[4])  # a later step after the rewind: appended, not a reset
    assert list(history.arrays()[0]) == [s.step for s in (*snaps[:3], snaps[4])]


def test_timeline_resume_from_here_repeats_the_same_steps():
    t = trainer()
    timeline = Timeline()
    for _ in range(5):
        timeline.add(t.run(samples=100), t.capture())
    t.run(samples=300)
    future = t.params.copy()
    entry = timeline[2]  # scrub back to an earlier point
    t.restore(entry.state)
    timeline.truncate_after(2)
    np.testing.assert_array_equal(t.params, entry.snapshot.params)
    t.run(samples=200 + 300)  # what happened after entry 2: two more slices of 100, then 300
    np.testing.assert_array_equal(t.params, future)
    assert len(timeline) == 3


def test_timeline_memory_cap_holds():
    t = trainer(hidden=(LayerSpec(64, "relu"), LayerSpec(64, "relu")))
    snap = t.run(samples=10, grid=64)
    one = snap.nbytes + t.capture().nbytes
    timeline = Timeline(cap_bytes=10 * one)
    for _ in range(50):
        timeline.add(t.run(samples=10, grid=64), t.capture())
    assert timeline.nbytes <= 10 * one and len(timeline) >= 9
    assert timeline.steps == sorted(timeline.steps) and timeline.steps[-1] == t.step
    timeline.set_cap(3 * one)  # a smaller cap from the settings applies at once
    assert timeline.nbytes <= 3 * one and timeline.steps[-1] == t.step


def test_shown_edges_are_the_strongest_among_the_shown_neurons():
    layout = ParamLayout.of((3, 20, 5, 1))
    flat = np.random.default_rng(1).normal(size=layout.size).astype(np.float32)
    edges = shown_edges(layout, flat, limit=30, max_neurons=4)
    # shown: 3 inputs, 4 of 20, 4 of 5, 1 output -> 12 + 16 + 4 edges among them
    assert edges.total == 32
    assert edges.value.size == 30
    shown = (3, 4, 4, 1)
    candidates = []
    for layer in range(3):
        w = layout.weight(flat, layer)
        for i in range(shown[layer]):
            for j in range(shown[layer + 1]):
                candidates.append((abs(float(w[i, j])), layer, i, j))
    expected = sorted(candidates, reverse=True)[:30]
    got = set(zip(edges.layer.tolist(), edges.source.tolist(), edges.target.tolist(), strict=True))
    assert got == {(layer, i, j) for _, layer, i, j in expected}
    for layer, i, j, v in zip(edges.layer, edges.source, edges.target, edges.value, strict=True):
        assert v == layout.weight(flat, int(layer))[i, j]


def test_neuron_values_match_the_trainers_activations_and_output():
    t = trainer("spiral")
    t.run(samples=2000)
    points = np.array([[0.3, -1.2], [2.0, 0.5]], np.float32)
    z, a = neuron_values(t.spec, t.params, points)
    assert len(a) == len(t.spec.sizes)
    np.testing.assert_allclose(a[0], t.features(points), rtol=1e-6)
    np.testing.assert_allclose(np.concatenate(a[1:], axis=1), t.activations(points), atol=1e-5)
    np.testing.assert_allclose(a[-1], t.predict(points), atol=1e-5)
    # pre-activations: z = a_prev @ W + b
    layout = ParamLayout.of(t.spec.sizes)
    z1 = a[0] @ layout.weight(t.params, 0) + layout.bias(t.params, 0)
    np.testing.assert_allclose(z[1], z1, atol=1e-5)


def test_feature_grid_is_the_features_of_the_trainers_grid():
    plain = trainer("spiral")
    t = Trainer(plain.dataset, plain.spec, plain.config, seed=0, normalise=True)
    assert t.spec.input_shift  # the features use the network's input normalisation
    grid = feature_grid(t.spec, t.dataset.bounds, 12)
    assert grid.shape == (12, 12, 2)
    np.testing.assert_allclose(grid.reshape(-1, 2), t.features(t.grid_inputs(12)), rtol=1e-6)
    xmin, _, ymin, _ = t.dataset.bounds
    raw = t.features(np.array([[xmin, ymin]], np.float32))[0]
    np.testing.assert_allclose(grid[0, 0], raw, rtol=1e-6)  # row 0 is the bottom row


def test_node_mosaic_tiles_are_each_nodes_picture_top_row_first():
    """Each tile is the node's picture as the graph drew it one image per node: centred on
    0 (0.5 for a probability), scaled to its own largest distance from the centre (a
    probability's to 0.5; a flat node's to 1), rows flipped so the plane's top is first."""
    from dlviz.core.analysis import node_mosaic
    from dlviz.core.colors import signed_colors

    rng = np.random.default_rng(3)
    values = rng.normal(size=(4, 5, 6))
    values[1] = 0.0  # a dead neuron: background everywhere, no division by zero
    values[2] = rng.uniform(0.3, 0.6, size=(5, 6))  # a sigmoid output
    values[3] *= 0.01  # small but structured: still full colour
    centres = np.array([0.0, 0.0, 0.5, 0.0])
    background = (250, 250, 245)
    mosaic = node_mosaic(values, centres, background)
    assert mosaic.shape == (4 * 5, 6, 4) and mosaic.dtype == np.uint8
    for k, (v, c) in enumerate(zip(values, centres, strict=True)):
        limit = 0.5 if c == 0.5 else (float(np.abs(v - c).max()) or 1.0)
        expected = signed_colors((v - c) / limit, 1.0, background=background)[::-1]
        np.testing.assert_array_equal(mosaic[5 * k : 5 * (k + 1)], expected)
    assert (mosaic[5:10, :, :3] == background).all()
    # curve data: one row a node, scaled to that row
    strip = node_mosaic(values[:, :1, :], centres, background)
    assert strip.shape == (4, 6, 4)
    v = values[0, 0]
    expected = signed_colors(v / np.abs(v).max(), 1.0, background=background)
    np.testing.assert_array_equal(strip[0], expected)
