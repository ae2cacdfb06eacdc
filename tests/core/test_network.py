"""The network's options as a user types them, and the shared rules around them."""

from __future__ import annotations

import numpy as np
import pytest

from dlviz.core.data import data_info, make_dataset
from dlviz.core.errors import DlvizError
from dlviz.core.features import grid_inputs
from dlviz.core.network import LayerSpec, NetworkSpec, parse_hidden, spec_features
from dlviz.core.optim import MIN_LEARNING_RATE, lowered_learning_rate


def test_parse_hidden_one_rule_for_cli_and_app():
    assert parse_hidden("none") == () and parse_hidden(" 0 ") == () and parse_hidden("") == ()
    assert parse_hidden("8,4") == (LayerSpec(8, "tanh"), LayerSpec(4, "tanh"))
    assert parse_hidden("8, 4", "ReLU,tanh", "0.1,0") == (
        LayerSpec(8, "relu", 0.1),
        LayerSpec(4, "tanh", 0.0),
    )
    assert parse_hidden("3,3,3", "elu", "0.2") == (LayerSpec(3, "elu", 0.2),) * 3


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("8,x",), "give widths like 8,8"),
        (("300",), "1 to 256 neurons"),
        (("0,4",), "1 to 256 neurons"),
        ((",".join(["2"] * 11),), "up to 10 layers"),
        (("8", "swish"), "unknown activation 'swish'"),
        (("none", "swish"), "unknown activation 'swish'"),  # a typo is a typo with no layers
        (("8,8", "relu,tanh,elu"), "3 activations for 2 hidden layers"),
        (("8", "tanh", "x"), "give a rate like 0.2"),
        (("8,8", "tanh", "0.1,0.1,0.1"), "one rate for all hidden layers or one per layer"),
    ],
)
def test_parse_hidden_says_what_to_fix(args, says):
    with pytest.raises(DlvizError, match=says):
        parse_hidden(*args)


def test_lowered_learning_rate_is_a_tenth_with_a_floor():
    assert lowered_learning_rate(0.3) == pytest.approx(0.03)
    assert lowered_learning_rate(5e-5) == MIN_LEARNING_RATE == 1e-5


def test_data_info_is_what_a_model_file_records():
    data = make_dataset("spiral", classes=3, seed=1)
    assert data_info(data) == {"kind": "classify", "n_classes": 3, "bounds": list(data.bounds)}


def test_grid_inputs_run_x_fastest_then_y_upwards():
    grid = grid_inputs((-1, 1, 0, 2), 3)
    np.testing.assert_allclose(grid[:3], [[-1, 0], [0, 0], [1, 0]])
    np.testing.assert_allclose(grid[-1], [1, 2])
    np.testing.assert_allclose(grid_inputs((-1, 1, 0, 2), 3, curve=True)[:, 0], [-1, 0, 1])


def test_spec_features_normalise_then_compute_features():
    spec = NetworkSpec(("x1", "x1x2"), (), 1, "identity", "mse",
                       input_shift=(1.0, 2.0), input_scale=(2.0, 4.0))  # fmt: skip
    feats = spec_features(spec, np.array([[3.0, 6.0]]))
    assert feats.dtype == np.float32
    np.testing.assert_allclose(feats, [[1.0, 1.0]])
