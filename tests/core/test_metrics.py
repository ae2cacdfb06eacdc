"""The one home of loss, accuracy, R², predicted classes and confusion, against the oracle."""

from __future__ import annotations

import numpy as np
import pytest

from dlviz.core.data import make_dataset
from dlviz.core.kernels import reference as ref
from dlviz.core.metrics import (
    accuracy,
    confusion_matrix,
    mean_loss,
    per_class_accuracy,
    predicted_classes,
    r_squared,
)
from dlviz.core.network import LayerSpec, NetworkSpec, build_spec
from dlviz.core.optim import OptimizerConfig
from dlviz.core.trainer import TrainConfig, Trainer, encode_targets

CASES = [  # (loss, output, outputs)
    ("ce", "softmax", 4),
    ("bce", "sigmoid", 1),
    ("bce", "sigmoid", 3),
    ("mse", "sigmoid", 1),
    ("mse", "identity", 1),
]


def _spec(loss: str, output: str, k: int) -> NetworkSpec:
    return NetworkSpec(("x1", "x2"), (), k, output, loss)


def _targets(rng: np.random.Generator, loss: str, output: str, n: int, k: int) -> np.ndarray:
    if loss == "ce":
        return np.eye(k)[rng.integers(0, k, n)]
    if output == "sigmoid":
        return rng.integers(0, 2, (n, k)).astype(np.float64)
    return rng.normal(0, 2, (n, k))


@pytest.mark.parametrize(("loss", "output", "k"), CASES)
@pytest.mark.parametrize("scale", [1.0, 60.0])  # 60: outputs saturated far past float32's 1
def test_the_loss_is_the_engines_training_loss(loss, output, k, scale):
    """Oracle: the reference engine's loss_and_output_grad, in float64, on the same logits."""
    rng = np.random.default_rng(3)
    z = rng.normal(0, scale, (50, k))
    a = ref.activate(output, z)
    y = _targets(rng, loss, output, 50, k)
    want, _ = ref.loss_and_output_grad(_spec(loss, output, k), z, a, y)
    assert mean_loss(loss, z, a, y) == pytest.approx(want, rel=1e-12)


def test_a_confidently_wrong_prediction_reports_its_whole_loss():
    """From clipped probabilities a logit of 40 on the wrong class would cost ~16, not 40."""
    z = np.array([[40.0]])
    p = ref.activate("sigmoid", z).astype(np.float32)  # exactly 1.0 in float32
    assert mean_loss("bce", z, p, np.array([[0.0]])) == pytest.approx(40.0, rel=1e-9)
    zc = np.array([[0.0, 50.0]])
    pc = ref.activate("softmax", zc).astype(np.float32)
    assert mean_loss("ce", zc, pc, np.array([[1.0, 0.0]])) == pytest.approx(50.0, rel=1e-9)


def test_predicted_classes_accuracy_and_r2():
    one = np.array([[0.2], [0.7], [0.5], [0.51]])
    np.testing.assert_array_equal(predicted_classes(one), [0, 1, 0, 1])
    many = np.array([[0.1, 0.7, 0.2], [0.5, 0.2, 0.3]])
    np.testing.assert_array_equal(predicted_classes(many), [1, 0])
    assert accuracy(many, np.array([1, 2])) == 0.5
    y = np.array([[1.0], [2.0], [3.0], [4.0]])
    assert r_squared(y, y) == 1.0
    assert r_squared(np.full((4, 1), 2.5), y) == pytest.approx(0.0)
    assert r_squared(y + 1, y) == pytest.approx(1 - 4 / 5)
    assert r_squared(y, np.ones((4, 1))) is None  # constant targets: R² is undefined


def test_confusion_matrix_counts_and_recall():
    m = confusion_matrix(np.array([0, 0, 1, 2, 2, 2]), np.array([0, 1, 1, 2, 0, 2]), 3)
    np.testing.assert_array_equal(m, [[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    np.testing.assert_allclose(per_class_accuracy(m), [0.5, 1.0, 2 / 3])


@pytest.mark.parametrize("engine", ["numba", "reference"])
@pytest.mark.parametrize(
    ("preset", "classes", "loss"),
    [("spiral", 3, "ce"), ("xor", 2, "bce"), ("spiral", 3, "mse"), ("plane", 0, None)],
)
def test_evaluate_reports_the_eval_mode_loss_on_all_points(engine, preset, classes, loss):
    """``--json``'s losses: every point, no dropout, no L1/L2, the training formula.

    Oracle: the reference forward pass without a dropout seed and its loss
    function, on all training (and test) rows, in float64.
    """
    data = make_dataset(preset, n=300, noise=0.2, classes=classes or 2, test_ratio=0.3, seed=1)
    spec = build_spec(
        kind=data.kind, n_classes=data.n_classes, features=("x1", "x2"),
        hidden=(LayerSpec(8, "relu", dropout=0.5), LayerSpec(5, "tanh")), loss=loss,
    )  # fmt: skip
    cfg = TrainConfig(OptimizerConfig("adam", lr=0.02), batch_size=16, l1=0.01, l2=0.05)
    t = Trainer(data, spec, cfg, seed=2, engine=engine)
    t.run(samples=2000)
    train, test = t.evaluate()
    y = encode_targets(data, t.spec)
    for idx, got in ((t.train_idx, train), (t.test_idx, test)):
        tape = ref.forward(t.spec, t.params.astype(np.float64), t.x[idx].astype(np.float64))
        want, _ = ref.loss_and_output_grad(t.spec, tape.z[-1], tape.a[-1], y[idx])
        assert got.loss == pytest.approx(want, rel=1e-4)
        if data.kind == "classify":
            labels = data.targets[idx]
            assert got.accuracy == pytest.approx(
                np.mean(tape.a[-1].argmax(1) == labels)
                if tape.a[-1].shape[1] > 1
                else np.mean((tape.a[-1][:, 0] > 0.5) == labels)
            )
        else:
            assert got.r2 == pytest.approx(r_squared(tape.a[-1], y[idx]), rel=1e-4)
