"""One MNIST-shaped epoch, dlviz's CPU engine vs PyTorch CPU, in the same run.

60,000 images of 28×28 (784 inputs in [0, 1]), a 784-128-10 ReLU/softmax
network, cross-entropy, Adam (lr 0.001), batches of 64: the course's set-up.
The inputs are synthetic but shaped like MNIST's (about a fifth of the pixels
lit, in strokes, the rest exactly 0), generated from a seed, so the benchmark
needs no download.  Both engines start from the same weights and train the
same shuffled batches; each epoch is timed whole (after one warm-up epoch),
the engines interleaved, and the median of the repeats is reported.

    python benchmarks/mnist_epoch.py            # 3 timed epochs each
    python benchmarks/mnist_epoch.py --quick    # a smoke run on 6,000 images

Prints one JSON line per engine and one with the ratio (>1: dlviz is faster).
This is the large-matrix regime: both spend their time in BLAS matrix products.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

import numpy as np

from dlviz.core.kernels.cpu import NumbaEngine
from dlviz.core.network import LayerSpec, NetworkSpec, ParamLayout, init_params
from dlviz.core.optim import OptimizerConfig, OptimizerState, learning_rates

BATCH = 64
LR = 0.001


def mnist_shaped(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(n, 784) float32 pixels in [0, 1] and labels 0..9: ten stroke templates, shifted,
    thickened and faded at random, so the pixel statistics resemble MNIST's."""
    rng = np.random.default_rng(seed)
    templates = np.zeros((10, 28, 28), np.float32)
    for k in range(10):  # a few random strokes per class, in the central 20×20 box
        for _ in range(3):
            r0, c0, r1, c1 = rng.integers(4, 24, 4)
            t = np.linspace(0, 1, 40)
            templates[k, np.round(r0 + (r1 - r0) * t).astype(int),
                      np.round(c0 + (c1 - c0) * t).astype(int)] = 1.0  # fmt: skip
        # thicken: a stroke is ~2-3 pixels wide, as MNIST's pen is
        t = templates[k]
        templates[k] = np.maximum.reduce([t, np.roll(t, 1, 0), np.roll(t, 1, 1)])
    labels = rng.integers(0, 10, n)
    x = np.zeros((n, 28, 28), np.float32)
    shifts = rng.integers(-2, 3, (n, 2))
    for i in range(n):
        x[i] = np.roll(templates[labels[i]], tuple(shifts[i]), (0, 1))
    x *= rng.uniform(0.6, 1.0, (n, 1, 1)).astype(np.float32)
    return x.reshape(n, 784), labels.astype(np.int64)


def spec() -> NetworkSpec:
    return NetworkSpec(features=(), hidden=(LayerSpec(128, "relu"),), n_outputs=10,
                       output="softmax", loss="ce", init="he", n_inputs=784,
                       image_shape=(28, 28))  # fmt: skip


def dlviz_epoch(x: np.ndarray, labels: np.ndarray, params: np.ndarray, order: np.ndarray):
    s = spec()
    engine = NumbaEngine(s, BATCH)
    y = np.eye(10, dtype=np.float32)[labels]
    p, g = params.copy(), np.zeros_like(params)
    state = OptimizerState.zeros(p.size)
    cfg = OptimizerConfig("adam", lr=LR)
    n_batches = len(x) // BATCH
    lrs = learning_rates(cfg, 0, n_batches)

    def epoch() -> float:
        t0 = time.perf_counter()
        engine.train_batches(p, g, state, cfg, x, y, order, 0, n_batches, BATCH, lrs, 0.0,
                             0.0, 1, 0)  # fmt: skip
        return time.perf_counter() - t0

    return epoch


def torch_epoch(x: np.ndarray, labels: np.ndarray, params: np.ndarray, order: np.ndarray):
    import torch

    layout = ParamLayout.of(spec().sizes)
    model = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(),
                                torch.nn.Linear(128, 10))  # fmt: skip
    with torch.no_grad():  # the same initial weights as dlviz's
        for i, lin in enumerate((model[0], model[2])):
            lin.weight.copy_(torch.from_numpy(layout.weight(params, i).T.copy()))
            lin.bias.copy_(torch.from_numpy(layout.bias(params, i).copy()))
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    loss_fn = torch.nn.CrossEntropyLoss()
    xs = torch.from_numpy(x[order])
    ys = torch.from_numpy(labels[order])
    n = (len(x) // BATCH) * BATCH

    def epoch() -> float:
        t0 = time.perf_counter()
        for i in range(0, n, BATCH):
            opt.zero_grad(set_to_none=True)
            loss_fn(model(xs[i : i + BATCH]), ys[i : i + BATCH]).backward()
            opt.step()
        return time.perf_counter() - t0

    return epoch


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    n, repeats = (6_000, 2) if quick else (60_000, 3)
    x, labels = mnist_shaped(n)
    params = init_params(spec(), np.random.default_rng(1))
    order = np.random.default_rng(2).permutation(n).astype(np.int64)
    runners: dict[str, Any] = {"dlviz": dlviz_epoch(x, labels, params, order)}
    try:
        import torch

        runners["torch"] = torch_epoch(x, labels, params, order)
        threads: int | None = torch.get_num_threads()
    except ImportError:
        threads = None
        print(json.dumps({"note": "PyTorch is not installed: pip install -e .[bench]"}))
    for run in runners.values():
        run()  # warm-up epoch: compilation, BLAS start-up, allocator
    times: dict[str, list[float]] = {name: [] for name in runners}
    for _ in range(repeats):
        for name, run in runners.items():
            times[name].append(run())
    medians = {}
    for name, ts in times.items():
        medians[name] = float(np.median(ts))
        print(json.dumps({"case": "mnist-epoch 784-128-10 adam batch 64", "engine": name,
                          "images": n, "epoch_s": round(medians[name], 3),
                          "min_s": round(min(ts), 3), "max_s": round(max(ts), 3),
                          "samples_per_second": round(n / medians[name]),
                          "repeats": repeats, "quick": quick}))  # fmt: skip
    if "torch" in medians:
        print(json.dumps({"case": "mnist-epoch", "dlviz_vs_torch":
                          round(medians["torch"] / medians["dlviz"], 2),
                          "torch_threads": threads, "cpus": os.cpu_count(),
                          "quick": quick}))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
