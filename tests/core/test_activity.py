"""Activation curves and layer pre-activations for the activation view (core.activity)."""

from __future__ import annotations

import numpy as np
import pytest

from dlviz.core.activity import curve, layer_activity
from dlviz.core.network import ACTIVATIONS, LayerSpec, NetworkSpec, ParamLayout, init_params


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_slope_curve_is_the_derivative_of_the_curve(name):
    z = np.linspace(-4, 4, 801) + 1e-3  # off the kinks at 0
    f, slope = curve(name, z)
    h = 1e-6
    numeric = (curve(name, z + h)[0] - curve(name, z - h)[0]) / (2 * h)
    np.testing.assert_allclose(slope, numeric, rtol=1e-5, atol=1e-8)


def test_softmax_curve_is_one_class_against_the_others_at_zero():
    p, slope = curve("softmax", np.array([0.0, np.log(2.0)]), n_classes=3)
    np.testing.assert_allclose(p, [1 / 3, 2 / 4])
    np.testing.assert_allclose(slope, p * (1 - p))


def test_pre_activations_and_dead_relus():
    spec = NetworkSpec(("x1", "x2"), (LayerSpec(3, "relu"), LayerSpec(2, "sigmoid")), 1,
                       "sigmoid", "bce", input_shift=(1.0, 0.0),
                       input_scale=(2.0, 1.0))  # fmt: skip
    layout = ParamLayout.of(spec.sizes)
    params = init_params(spec, np.random.default_rng(0))
    layout.bias(params, 0)[2] = -100.0  # neuron 3 of the first layer never fires: dead
    layout.weight(params, 1)[...] = 40.0  # the sigmoid layer is pushed into its flat top
    inputs = np.random.default_rng(1).uniform(-1, 1, (50, 2)).astype(np.float32)
    first, second, out = layer_activity(spec, params, inputs)
    x = (inputs - [1.0, 0.0]) / [2.0, 1.0]
    z1 = x @ layout.weight(params, 0) + layout.bias(params, 0)
    np.testing.assert_allclose(first.z, z1, rtol=1e-5, atol=1e-5)
    assert first.flat_neurons >= 1 and first.flat_share >= 1 / 3
    a1 = np.maximum(z1, 0)
    z2 = a1 @ layout.weight(params, 1) + layout.bias(params, 1)
    np.testing.assert_allclose(second.z, z2, rtol=1e-4, atol=1e-4)
    assert second.flat_share == pytest.approx(float(np.mean(np.abs(z2) > 2.887)), abs=0.02)
    assert out.flat_share is not None and out.activation == "sigmoid"
