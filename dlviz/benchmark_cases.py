"""The engine benchmark's problems: network shapes, optimizers and the data they train on."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dlviz.core.data import MAX_CLASSES, make_dataset
from dlviz.core.network import LayerSpec, NetworkSpec


@dataclass(frozen=True)
class Case:
    name: str
    hidden: tuple[int, ...]
    activation: str
    n_out: int
    batch: int
    target: float  # Numba / PyTorch samples-per-second ratio to reach

    def spec(self) -> NetworkSpec:
        layers = tuple(LayerSpec(w, self.activation) for w in self.hidden)
        if self.n_out == 1:
            return NetworkSpec(("x1", "x2"), layers, 1, "sigmoid", "bce")
        return NetworkSpec(("x1", "x2"), layers, self.n_out, "softmax", "ce")


CASES = (
    Case("tiny 2-8-8-1 tanh", (8, 8), "tanh", 1, 10, 50.0),
    Case("medium 2-64-64-64-3 relu", (64, 64, 64), "relu", 3, 32, 5.0),
    Case("wide 2-256-256-10 relu", (256, 256), "relu", 10, 64, 1.0),
)
OPTIMIZERS = ("sgd", "adam")
N_POINTS = 4096


def problem(
    case: Case, n_points: int = N_POINTS, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(inputs float32, encoded targets float32, labels): the spiral preset with one arm
    per class (two for one output; TensorFlow Playground's column trains on the same),
    or for more classes than the preset has, bands of |x1·x2| over a uniform square."""
    k = max(case.n_out, 2)
    if k <= MAX_CLASSES:
        data = make_dataset("spiral", n=n_points, classes=k, seed=seed)
        x = np.ascontiguousarray(data.inputs, np.float32)
        labels = np.asarray(data.targets, np.int64)
    else:
        rng = np.random.default_rng(seed)
        x = rng.uniform(-6, 6, size=(n_points, 2)).astype(np.float32)
        labels = (np.abs(x[:, 0] * x[:, 1]) // 6).astype(np.int64) % k
    if case.n_out == 1:
        y = labels.astype(np.float32).reshape(-1, 1)
    else:
        y = np.eye(case.n_out, dtype=np.float32)[labels]
    return x, y, labels
