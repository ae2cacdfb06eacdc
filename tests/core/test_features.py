"""Input features against their formulas."""

import numpy as np
import pytest

from dlviz.core.errors import DlvizError
from dlviz.core.features import FEATURES, compute_features, parse_features


def test_each_feature_is_its_formula():
    x = np.array([[0.5, -2.0], [3.0, 1.5]], np.float32)
    f = compute_features(x, FEATURES)
    x1, x2 = x[:, 0], x[:, 1]
    expected = np.column_stack([x1, x2, x1**2, x2**2, x1 * x2, np.sin(x1), np.sin(x2)])
    np.testing.assert_allclose(f, expected, rtol=1e-6)
    assert f.dtype == np.float32 and f.flags.c_contiguous


def test_normalisation_applies_before_features():
    x = np.array([[2.0, 4.0]])
    f = compute_features(x, ("x1", "x2sq"), np.array([1.0, 2.0]), np.array([0.5, 2.0]))
    np.testing.assert_allclose(f, [[2.0, 1.0]])


def test_parse_features():
    assert parse_features("x1, X2,x1sq,x1") == ("x1", "x2", "x1sq")
    with pytest.raises(DlvizError, match="unknown feature 'x3'"):
        parse_features("x1,x3")
    with pytest.raises(DlvizError, match="no input features"):
        parse_features(" , ")


def test_x2_features_need_two_dimensional_inputs():
    with pytest.raises(DlvizError, match="only x1"):
        compute_features(np.zeros((3, 1)), ("x1", "x2"))
