"""Products that go to BLAS for their size, not their weights, against the NumPy reference.

A narrow layer (64 -> 3) is multiplied with hand loops in small batches, and
through BLAS when a call multiplies many rows (a prediction grid's chunks, a
large batch): both must give the reference's numbers.
"""

from __future__ import annotations

import numpy as np

from dlviz.core.kernels.cpu import NumbaEngine
from dlviz.core.kernels.reference import ReferenceEngine
from dlviz.core.network import LayerSpec, NetworkSpec, init_params
from dlviz.core.optim import OptimizerConfig, OptimizerState, learning_rates

SPEC = NetworkSpec(
    features=("x1", "x2"),
    hidden=(LayerSpec(64, "relu"), LayerSpec(64, "tanh")),
    n_outputs=3,
    output="softmax",
    loss="ce",
)


def problem(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    x = rng.normal(size=(n, 2)).astype(np.float32)
    y = np.eye(3, dtype=np.float32)[rng.integers(0, 3, n)]
    params = init_params(SPEC, rng)
    params += rng.normal(scale=0.1, size=params.size).astype(np.float32)  # biases too
    return x, y, params


def test_a_grid_of_many_rows_through_a_narrow_output_layer_matches_the_reference():
    x, _, params = problem(1000)  # chunks of 256 rows: 256 * 64 * 3 products per call
    ours = NumbaEngine(SPEC, 32)
    reference = ReferenceEngine(SPEC)
    np.testing.assert_allclose(ours.forward(params, x), reference.forward(params, x), atol=2e-6)
    np.testing.assert_allclose(
        ours.forward(params, x, keep_all=True),
        reference.forward(params, x, keep_all=True),
        atol=2e-5,
    )


def test_training_large_batches_through_a_narrow_layer_matches_the_reference():
    x, y, params = problem(1024)
    cfg = OptimizerConfig("sgd", lr=0.1)
    order = np.arange(1024, dtype=np.int64)
    lrs = learning_rates(cfg, 0, 2)
    results = []
    for engine in (NumbaEngine(SPEC, 512), ReferenceEngine(SPEC)):
        p = params.copy()
        grad = np.zeros_like(p)
        loss = engine.train_batches(
            p, grad, OptimizerState.zeros(p.size), cfg, x, y, order, 0, 2, 512, lrs,
            0.0, 0.0, 0, 0,
        )  # fmt: skip
        results.append((p, grad, loss))
    (p1, g1, l1), (p2, g2, l2) = results
    np.testing.assert_allclose(p1, p2, atol=1e-5)
    np.testing.assert_allclose(g1, g2, atol=1e-5)
    assert abs(l1 - l2) < 1e-4 * max(1.0, abs(l2))
