"""Colour maps behind the views (Qt-free)."""

from __future__ import annotations

import numpy as np
import pytest

from dlviz.core.colors import (
    CLASS_RGB,
    MAX_CLASSES,
    NEGATIVE_RGB,
    OKABE_ITO_HEX,
    POSITIVE_RGB,
    boundary_image,
    class_color,
    class_probabilities,
    classify_image,
    confidence,
    grid_rect,
    hex_to_rgb,
    point_colors,
    signed_colors,
    value_limit,
)

WHITE = (255, 255, 255)


def test_palette_is_okabe_ito_and_class_colors_are_stable():
    assert OKABE_ITO_HEX[:3] == ("#E69F00", "#56B4E9", "#009E73")
    assert MAX_CLASSES == 8
    assert class_color(0) == (230, 159, 0)
    assert class_color(4) == (0, 114, 178)
    np.testing.assert_array_equal(hex_to_rgb("#0072B2"), [0, 114, 178])
    with pytest.raises(ValueError):
        class_color(8)
    with pytest.raises(ValueError):
        hex_to_rgb("blue")


def test_one_sigmoid_output_means_two_classes():
    p = class_probabilities(np.array([[0.0], [0.25], [1.0]]))
    np.testing.assert_allclose(p, [[1, 0], [0.75, 0.25], [0, 1]])


def test_several_outputs_are_normalised_and_zero_rows_are_uniform():
    p = class_probabilities(np.array([[2.0, 2.0, 0.0], [0.0, 0.0, 0.0]]))
    np.testing.assert_allclose(p, [[0.5, 0.5, 0.0], [1 / 3, 1 / 3, 1 / 3]])


def test_confidence_zero_when_undecided_one_when_certain():
    c = confidence(np.array([[0.5, 0.5], [1.0, 0.0], [1 / 3, 1 / 3, 1 / 3][:2]]))
    assert c[0] == 0.0 and c[1] == 1.0
    c3 = confidence(np.array([[1 / 3, 1 / 3, 1 / 3], [0.0, 0.0, 1.0]]))
    np.testing.assert_allclose(c3, [0.0, 1.0], atol=1e-12)


def test_binary_map_diverges_from_class0_through_background_to_class1():
    out = np.array([[[0.0]], [[0.5]], [[1.0]]]).reshape(1, 3, 1)
    img = classify_image(out, background=WHITE, strength=1.0)
    assert img.shape == (1, 3, 4) and img.dtype == np.uint8
    np.testing.assert_array_equal(img[0, 0, :3], CLASS_RGB[0].astype(np.uint8))
    np.testing.assert_array_equal(img[0, 1, :3], [255, 255, 255])  # undecided: the background
    np.testing.assert_array_equal(img[0, 2, :3], CLASS_RGB[1].astype(np.uint8))
    assert (img[..., 3] == 255).all()


def test_boundary_is_paler_than_the_points():
    img = classify_image(np.array([[[1.0]]]), background=WHITE)
    assert (img[0, 0, :3].astype(int) >= CLASS_RGB[1].astype(int)).all()
    assert (img[0, 0, :3] != CLASS_RGB[1].astype(np.uint8)).any()


def test_dark_background_is_the_neutral_colour():
    dark = (20, 20, 20)
    img = classify_image(np.array([[[0.5]]]), background=dark)
    np.testing.assert_array_equal(img[0, 0, :3], dark)


def test_multiclass_blends_class_colours_and_discrete_picks_the_winner():
    probs = np.zeros((1, 2, 3))
    probs[0, 0] = [0.0, 0.0, 1.0]
    probs[0, 1] = [0.6, 0.4, 0.0]
    img = classify_image(probs, strength=1.0)
    np.testing.assert_array_equal(img[0, 0, :3], CLASS_RGB[2].astype(np.uint8))
    discrete = classify_image(probs, strength=1.0, discrete=True)
    np.testing.assert_array_equal(discrete[0, 1, :3], CLASS_RGB[0].astype(np.uint8))
    with pytest.raises(ValueError):
        classify_image(np.ones((1, 1, 9)))


def test_signed_map_orange_negative_blue_positive_and_clipped():
    img = signed_colors(np.array([-2.0, 0.0, 1.0]), 1.0, background=WHITE)
    np.testing.assert_array_equal(img[0, :3], NEGATIVE_RGB.astype(np.uint8))
    np.testing.assert_array_equal(img[1, :3], [255, 255, 255])
    np.testing.assert_array_equal(img[2, :3], POSITIVE_RGB.astype(np.uint8))


def test_discrete_signed_map_has_few_levels():
    values = np.linspace(-1, 1, 101)
    img = signed_colors(values, 1.0, discrete=True)
    assert len(np.unique(img[:, :3], axis=0)) == 9  # 4 levels each side and zero


def test_boundary_image_dispatches_on_kind():
    grid = np.random.default_rng(0).uniform(size=(5, 5, 1))
    np.testing.assert_array_equal(boundary_image(grid, "classify"), classify_image(grid))
    reg = boundary_image(grid - 0.5, "regress", limit=0.5)
    assert reg.shape == (5, 5, 4)
    with pytest.raises(ValueError):
        boundary_image(grid[..., 0], "classify")


def test_point_colours_follow_labels_or_values():
    cols = point_colors(np.array([0, 1, 7]), "classify")
    np.testing.assert_array_equal(cols[:, :3], CLASS_RGB[[0, 1, 7]].astype(np.uint8))
    vals = point_colors(np.array([-1.0, 0.0, 1.0]), "regress", limit=1.0)
    np.testing.assert_array_equal(vals[0, :3], NEGATIVE_RGB.astype(np.uint8))
    assert tuple(vals[1, :3]) == (150, 150, 150)  # zero stays visible on the background
    with pytest.raises(ValueError):
        point_colors(np.array([8]), "classify")


def test_value_limit():
    assert value_limit(np.array([-3.0, 2.0])) == 3.0
    assert value_limit(np.array([])) == 1.0
    assert value_limit(np.array([0.0, np.nan])) == 1.0


def test_grid_rect_puts_pixel_centres_on_the_grid_points():
    x, y, w, h = grid_rect((-6, 6, -6, 6), 5)
    assert (x, w) == (-7.5, 15.0)  # spacing 3: the first pixel spans -7.5..-4.5
    assert (y, h) == (-7.5, 15.0)


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def test_smooth_output_draws_a_sharp_boundary_where_it_is_not_a_staircase():
    """A saturated classifier sampled on a coarse grid: interpolating its logits gives the
    true probabilities on the fine grid; interpolating the probabilities gives steps."""
    from dlviz.core.colors import smooth_output, upsample

    def field(res):  # logit linear in the plane, steep: p goes 0 -> 1 within one coarse cell
        x, y = np.meshgrid(np.linspace(-1, 1, res), np.linspace(-1, 1, res))
        return (200 * (0.8 * x + 0.6 * y))[..., None]

    coarse, fine = _sigmoid(field(40)), _sigmoid(field(240))
    smooth = smooth_output(coarse, "sigmoid", size=240)
    assert smooth.shape == (240, 240, 1) and smooth.dtype == np.float32
    np.testing.assert_allclose(smooth, fine, atol=2e-3)
    assert np.abs(upsample(coarse, 240) - fine).max() > 0.1  # the staircase it replaces

    # softmax: log-probabilities interpolated, rows still sum to 1
    def three(res):  # three classes, log-probabilities above float32's tiniest
        z = field(res) / 8
        return np.concatenate([z, -z, np.zeros_like(z)], axis=-1)

    logits, fine_logits = three(40), three(240)
    probs = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    fine_probs = np.exp(fine_logits) / np.exp(fine_logits).sum(-1, keepdims=True)
    out = smooth_output(probs, "softmax", size=240)
    np.testing.assert_allclose(out.sum(-1), 1, atol=1e-5)
    np.testing.assert_allclose(out, fine_probs, atol=2e-3)
    # values (regression) are interpolated as they are
    np.testing.assert_array_equal(
        smooth_output(field(40), "identity", 240), upsample(field(40), 240)
    )


@pytest.mark.parametrize(
    ("output", "k"), [("sigmoid", 1), ("sigmoid", 3), ("softmax", 3), ("softmax", 8)]
)
@pytest.mark.parametrize("discrete", [False, True])
def test_the_compiled_boundary_picture_equals_the_numpy_pipeline(output, k, discrete):
    from dlviz.core.colors import classifier_picture, classify_image, smooth_output

    rng = np.random.default_rng(k)
    logits = rng.normal(0, 4, (30, 30, k)).astype(np.float32)
    if output == "softmax":
        e = np.exp(logits - logits.max(-1, keepdims=True))
        grid = e / e.sum(-1, keepdims=True)
    else:
        grid = 1 / (1 + np.exp(-logits))
    background = (35, 36, 39)
    expected = classify_image(smooth_output(grid, output, 100), background=background,
                              discrete=discrete)  # fmt: skip
    got = classifier_picture(grid, output, 100, background=background, discrete=discrete)
    assert got.shape == expected.shape == (100, 100, 4) and got.dtype == np.uint8
    diff = np.abs(got.astype(int) - expected.astype(int))
    assert diff.max() <= 1, f"{(diff > 1).sum()} channels differ by more than 1"
    if discrete:  # one colour per class, as the NumPy form picks them
        assert (diff[..., :3] == 0).mean() > 0.99
