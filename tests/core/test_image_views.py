"""The image views' maths: the pad's brush, the weight mosaic, the gallery's order.

Each is checked against an independent computation: the brush against a
brute-force distance to points along the stroke and against the area the
pen sweeps, the mosaic against the parameter layout's weights reshaped, the
gallery order against a plain Python sort, the trainer's gallery against a
forward pass of its own.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from dlviz.core.colors import class_probabilities, signed_colors
from dlviz.core.image_views import (
    BRUSH_SOFTNESS,
    MosaicLayout,
    apply_stroke,
    brush_radius,
    eraser_radius,
    gallery_order,
    mosaic_rgba,
    stroke_coverage,
    weight_mosaic,
)
from dlviz.core.images import load_digits, subset
from dlviz.core.network import LayerSpec, ParamLayout, build_spec
from dlviz.core.optim import OptimizerConfig
from dlviz.core.trainer import TrainConfig, Trainer

# ---------------------------------------------------------------- brush


def brute_force_coverage(shape, start, end, radius, softness=BRUSH_SOFTNESS):
    """Distance from each pixel centre to many points along the stroke, then the same ramp."""
    h, w = shape
    t = np.linspace(0.0, 1.0, 4001)
    xs = start[0] + t * (end[0] - start[0])
    ys = start[1] + t * (end[1] - start[1])
    out = np.zeros(shape)
    for i in range(h):
        for j in range(w):
            d = np.min(np.hypot(j + 0.5 - xs, i + 0.5 - ys))
            out[i, j] = min(max((radius + softness / 2 - d) / softness, 0.0), 1.0)
    return out


@pytest.mark.parametrize(
    ("shape", "start", "end", "radius"),
    [
        ((8, 8), (1.2, 1.7), (6.3, 5.1), 0.7),
        ((28, 28), (3.0, 20.0), (24.5, 4.25), 1.4),
        ((28, 28), (14.0, 14.0), (14.0, 14.0), 1.4),  # a dab: the pointer did not move
        ((6, 10), (-1.0, 2.0), (11.0, 2.5), 2.0),  # runs off both edges
    ],
)
def test_stroke_coverage_is_the_distance_to_the_stroke_on_a_soft_edge(shape, start, end, radius):
    got = stroke_coverage(shape, start, end, radius)
    assert got.dtype == np.float32 and got.shape == shape
    np.testing.assert_allclose(got, brute_force_coverage(shape, start, end, radius), atol=2e-3)


def test_a_stroke_leaves_the_ink_of_the_area_the_pen_swept():
    radius, length = 3.0, 30.0
    ink = stroke_coverage((64, 64), (17.0, 31.3), (17.0 + length, 31.3), radius).sum()
    swept = math.pi * radius**2 + 2 * radius * length + math.pi * BRUSH_SOFTNESS**2 / 12
    assert ink == pytest.approx(swept, rel=0.01)


def test_ink_takes_the_darker_and_erasing_the_lighter():
    pixels = np.zeros((28, 28), np.float32)
    r = brush_radius((28, 28))
    apply_stroke(pixels, (5.0, 5.0), (20.0, 22.0), r)
    once = pixels.copy()
    assert once.max() == 1.0 and once.min() == 0.0 and 20 < once.sum() < 120
    apply_stroke(pixels, (5.0, 5.0), (20.0, 22.0), r)  # over the same line: no darker
    np.testing.assert_array_equal(pixels, once)
    apply_stroke(pixels, (5.0, 5.0), (20.0, 22.0), r + 1.0, erase=True)  # a wider eraser
    np.testing.assert_array_equal(pixels, np.zeros_like(pixels))
    # erasing a part keeps the rest: 1 - coverage, never below 0
    apply_stroke(pixels, (5.0, 5.0), (20.0, 22.0), r)
    apply_stroke(pixels, (0.0, 0.0), (28.0, 0.0), 1.0, erase=True)
    np.testing.assert_array_equal(
        pixels, np.minimum(once, 1 - stroke_coverage((28, 28), (0.0, 0.0), (28.0, 0.0), 1.0))
    )


def test_the_brush_follows_the_images_size():
    assert brush_radius((28, 28)) == pytest.approx(1.4)
    assert brush_radius((8, 8)) == pytest.approx(0.7)  # the floor: ~2-pixel strokes


@pytest.mark.parametrize("shape", [(8, 8), (28, 28)])
def test_one_pass_of_the_eraser_takes_a_whole_line(shape):
    h, w = shape
    pixels = np.zeros(shape, np.float32)
    for y in (h / 2 + 0.5, h / 2, h / 2 + 0.3):  # on pixel centres, between two rows, anywhere
        apply_stroke(pixels, (1.0, y), (w - 1.0, y), brush_radius(shape))
        assert pixels.max() >= 0.7
        apply_stroke(pixels, (0.0, y), (float(w), y), eraser_radius(shape), erase=True)
        assert not pixels.any()


# ---------------------------------------------------------------- mosaic


@pytest.mark.parametrize(("shape", "neurons"), [((8, 8), 32), ((28, 28), 128), ((5, 7), 3)])
def test_each_tile_is_its_neurons_weights_reshaped(shape, neurons):
    spec = build_spec(kind="classify", n_classes=10, features=(),
                      hidden=(LayerSpec(neurons, "relu"),), image_shape=shape)  # fmt: skip
    layout = ParamLayout.of(spec.sizes)
    params = np.random.default_rng(3).normal(size=layout.size).astype(np.float32)
    first = layout.weight(params, 0)  # (pixels, neurons): first[p, j] is pixel p -> neuron j
    mosaic, tiles = weight_mosaic(first, shape)
    h, w = shape
    assert tiles.count == neurons and tiles.columns * tiles.rows >= neurons
    assert mosaic.shape == (tiles.height, tiles.width)
    seen = np.zeros(mosaic.shape, bool)
    for j in range(neurons):
        r, c = tiles.origin(j)
        expected = np.array([[first[i * w + k, j] for k in range(w)] for i in range(h)])
        np.testing.assert_array_equal(mosaic[r : r + h, c : c + w], expected)
        seen[r : r + h, c : c + w] = True
        # every pixel of the tile names this neuron, for hover and click
        assert {tiles.tile_at(r + i + 0.5, c + k + 0.5) for i in range(h) for k in range(w)} == {j}
    assert np.isnan(mosaic[~seen]).all()  # gaps and empty slots hold no weight
    gaps = np.argwhere(~seen)
    assert all(tiles.tile_at(i + 0.5, k + 0.5) is None for i, k in gaps)
    assert tiles.tile_at(-0.5, 0.5) is None and tiles.tile_at(0.5, tiles.width + 0.5) is None


def test_mosaic_layout_is_near_square():
    assert (MosaicLayout.of(128, (28, 28)).columns, MosaicLayout.of(128, (28, 28)).rows) == (12, 11)
    assert (MosaicLayout.of(32, (8, 8)).columns, MosaicLayout.of(32, (8, 8)).rows) == (6, 6)
    assert (MosaicLayout.of(1, (8, 8)).columns, MosaicLayout.of(1, (8, 8)).rows) == (1, 1)


def test_mosaic_colours_are_the_diverging_map_and_gaps_stand_apart():
    first = np.random.default_rng(0).normal(size=(64, 5)).astype(np.float32)
    mosaic, tiles = weight_mosaic(first, (8, 8))
    mosaic[0, 0], mosaic[0, 1] = 0.0, 7.0  # zero is the background; past the limit, full
    rgba = mosaic_rgba(mosaic, 2.0, background=(255, 255, 255), gap=(90, 90, 90))
    filled = np.isfinite(mosaic)
    exact = signed_colors(mosaic[filled], 2.0)  # each pixel's colour worked out on its own
    assert np.abs(rgba[filled].astype(int) - exact).max() <= 1
    assert (rgba[0, 0] == [255, 255, 255, 255]).all() and (rgba[0, 1] == exact[1]).all()
    assert (rgba[~filled] == [90, 90, 90, 255]).all()


def test_weights_of_another_shape_are_refused():
    with pytest.raises(ValueError, match="8x8"):
        weight_mosaic(np.zeros((63, 4)), (8, 8))


# ---------------------------------------------------------------- gallery


def python_gallery_order(probs, truth):
    """Misclassified by p(true) ascending, then correct by p(answer) ascending; ties by row."""

    def key(i):
        row = list(probs[i])
        predicted = row.index(max(row))
        wrong = predicted != truth[i]
        return (0 if wrong else 1, row[truth[i]] if wrong else row[predicted], i)

    return sorted(range(len(truth)), key=key)


def test_gallery_order_is_misclassified_first_then_least_confident():
    rng = np.random.default_rng(5)
    logits = rng.normal(size=(300, 10)) * 2
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    probs[7] = probs[3]  # a tie keeps the rows' order
    truth = rng.integers(0, 10, 300)
    truth[:120] = probs[:120].argmax(axis=1)  # some correct, most of the rest wrong
    order = gallery_order(probs, truth)
    assert order.tolist() == python_gallery_order(probs, truth)
    wrong = (probs.argmax(axis=1) != truth)[order]
    assert wrong[: wrong.sum()].all() and not wrong[wrong.sum() :].any()
    assert gallery_order(np.zeros((0, 10)), np.zeros(0, np.int64)).size == 0


def test_the_trainers_gallery_is_its_test_images_with_their_predictions():
    data = subset(load_digits(), 400, 0)
    spec = build_spec(kind="classify", n_classes=10, features=(),
                      hidden=(LayerSpec(32, "relu"),), image_shape=(8, 8))  # fmt: skip
    config = TrainConfig(optimizer=OptimizerConfig("adam", 0.01), batch_size=32)
    trainer = Trainer(data, spec, config, seed=0)
    snap = trainer.run(samples=3 * 320, gallery=24)
    g = snap.gallery
    assert g is not None and g.split == "test" and len(g.rows) == 24
    test_rows = np.flatnonzero(data.is_test)
    assert set(g.rows.tolist()) <= set(test_rows.tolist())
    np.testing.assert_array_equal(g.pixels, data.points[g.rows])
    np.testing.assert_array_equal(g.labels, data.targets[g.rows])
    # the network's own forward pass on the same pixels, independently of the snapshot
    probs = class_probabilities(trainer.predict(data.points[test_rows]))
    np.testing.assert_allclose(
        g.probabilities, probs[np.searchsorted(test_rows, g.rows)], rtol=1e-5, atol=1e-6
    )
    truth = data.targets[test_rows]
    expected = test_rows[python_gallery_order(probs, truth)[:24]]
    np.testing.assert_array_equal(g.rows, expected)
    wrong = int((probs.argmax(axis=1) != truth).sum())
    assert g.wrong == wrong == snap.confusion.sum() - np.trace(snap.confusion)
    assert g.total == test_rows.size and 0 < wrong < test_rows.size
    assert trainer.run(samples=0).gallery is None  # only when asked for
