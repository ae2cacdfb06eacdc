"""Small image files in MNIST's formats, written for tests (IDX, optionally gzipped)."""

from __future__ import annotations

import numpy as np

from dlviz.core.images import write_idx


def mnist_like(n: int, seed: int, side: int = 28) -> tuple[np.ndarray, np.ndarray]:
    """Images of a bright bar whose position is the label (a learnable MNIST-shaped set)."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n).astype(np.uint8)
    images = rng.integers(0, 40, (n, side, side)).astype(np.uint8)
    for i, label in enumerate(labels):
        row = 2 + int(label) * (side - 4) // 10
        images[i, row : row + 2, 4:-4] = 255
    return images, labels


def write_mnist_folder(folder, n_train=200, n_test=50, gz=True, side=28):
    folder.mkdir(exist_ok=True)
    ext = ".gz" if gz else ""
    tr, trl = mnist_like(n_train, 1, side)
    te, tel = mnist_like(n_test, 2, side)
    write_idx(folder / f"train-images-idx3-ubyte{ext}", tr)
    write_idx(folder / f"train-labels-idx1-ubyte{ext}", trl)
    write_idx(folder / f"t10k-images-idx3-ubyte{ext}", te)
    write_idx(folder / f"t10k-labels-idx1-ubyte{ext}", tel)
    return (tr, trl), (te, tel)
