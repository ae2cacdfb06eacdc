"""The engine benchmark's CUDA column: the CUDA engine against the CPU engine and PyTorch CUDA.

Part of ``dlviz bench`` / ``python benchmarks/engine.py``; it prints JSON lines:

* per (case, optimizer): samples/s of ``cpu``, ``cuda`` and ``torch-cuda``
  (medians of interleaved repeats), then the ratios and whether the CUDA
  target is met (at or above PyTorch CUDA on the playground shapes);
* the MNIST-shaped epoch (60 000 images of 784 inputs, 784-128-10, batches of
  128) in seconds on the CUDA engine and PyTorch CUDA (target: under 1 s);
* a 512x512 prediction grid of the medium net: ms on each engine.

Without a GPU numba-cuda can use (the simulator does not count: it is ~10^5
times slower) it prints one line saying why and measures nothing.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from dlviz.benchmark_cases import CASES, OPTIMIZERS, Case, problem
from dlviz.core import engines
from dlviz.core.kernels.cpu import NumbaEngine
from dlviz.core.network import LayerSpec, NetworkSpec, init_params
from dlviz.core.optim import OptimizerConfig, OptimizerState, learning_rates

#: CUDA engine / PyTorch CUDA samples-per-second ratio to reach on the playground shapes.
CUDA_TARGET = 1.0
MNIST_ROWS, MNIST_BATCH, MNIST_TARGET_S = 60_000, 128, 1.0
GRID_RES = 512
REPEATS = 5


@dataclass(frozen=True)
class ImageSpec:
    """784-128-10 as the engines read a network (NetworkSpec holds only the plane's features)."""

    n_inputs: int = 784
    hidden: tuple[LayerSpec, ...] = (LayerSpec(128, "relu"),)
    n_outputs: int = 10
    output: str = "softmax"
    loss: str = "ce"

    @property
    def sizes(self) -> tuple[int, ...]:
        return (self.n_inputs, *(h.width for h in self.hidden), self.n_outputs)

    @property
    def dropouts(self) -> tuple[float, ...]:
        return (*(h.dropout for h in self.hidden), 0.0)

    def init(self, rng: np.random.Generator) -> np.ndarray:
        """He-normal weights, zero biases, in the engines' flat layout."""
        parts = []
        for fan_in, fan_out in zip(self.sizes, self.sizes[1:], strict=False):
            parts.append(rng.normal(0, np.sqrt(2 / fan_in), fan_in * fan_out))
            parts.append(np.zeros(fan_out))
        return np.concatenate(parts).astype(np.float32)


def median_rates(runners: dict[str, Callable[[], float]], repeats: int) -> dict[str, float]:
    """Samples/s of each runner: the median of ``repeats`` rounds, the runners interleaved."""
    seen: dict[str, list[float]] = {name: [] for name in runners}
    for _ in range(repeats):
        for name, run in runners.items():
            seen[name].append(run())
    return {name: statistics.median(values) for name, values in seen.items()}


def engine_runner(
    engine: Any, spec: Any, params: np.ndarray, x: np.ndarray, y: np.ndarray, batch: int,
    optimizer: str, seconds: float,
) -> Callable[[], float]:  # fmt: skip
    """One round: whole passes over ``x`` for about ``seconds``; returns samples/s."""
    n = x.shape[0]
    grad = np.zeros_like(params)
    state = OptimizerState.zeros(params.size)
    cfg = OptimizerConfig(optimizer, lr=0.01)
    order = np.random.default_rng(2).permutation(n).astype(np.int64)
    n_batches = -(-n // batch)
    lrs = learning_rates(cfg, 0, n_batches)

    def one_pass() -> None:
        engine.train_batches(params, grad, state, cfg, x, y, order, 0, n_batches, batch, lrs,
                             0.0, 0.0, 1, 0)  # fmt: skip

    one_pass()  # compile, and put the data on the device

    def run() -> float:
        done, start = 0, time.perf_counter()
        while True:
            one_pass()
            done += n
            took = time.perf_counter() - start
            if took >= seconds:
                return done / took

    return run


def torch_runner(
    sizes: tuple[int, ...], x_np: np.ndarray, labels: np.ndarray, batch: int, optimizer: str,
    seconds: float,
) -> Callable[[], float] | None:  # fmt: skip
    """The same network and data in PyTorch on the GPU (None without torch or CUDA)."""
    try:
        import torch
    except ImportError:
        return None
    if not torch.cuda.is_available():
        return None
    dev = torch.device("cuda")
    torch.manual_seed(0)
    layers: list[Any] = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=False):
        layers += [torch.nn.Linear(fan_in, fan_out), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1]).to(dev)
    x = torch.from_numpy(x_np).to(dev)
    if sizes[-1] == 1:
        y = torch.from_numpy(labels.astype(np.float32)).reshape(-1, 1).to(dev)
        loss_fn: Any = torch.nn.BCEWithLogitsLoss()
    else:
        y = torch.from_numpy(labels).to(dev)
        loss_fn = torch.nn.CrossEntropyLoss()
    opt_cls = torch.optim.SGD if optimizer == "sgd" else torch.optim.Adam
    opt = opt_cls(model.parameters(), lr=0.01)
    n = x_np.shape[0]

    def one_pass() -> None:
        perm = torch.randperm(n, device=dev)
        for i in range(0, n, batch):
            rows = perm[i : i + batch]
            opt.zero_grad(set_to_none=True)
            loss_fn(model(x[rows]), y[rows]).backward()
            opt.step()
        torch.cuda.synchronize()

    one_pass()

    def run() -> float:
        done, start = 0, time.perf_counter()
        while True:
            one_pass()
            done += n
            took = time.perf_counter() - start
            if took >= seconds:
                return done / took

    return run


def playground_lines(case: Case, optimizer: str, seconds: float, n_points: int) -> list[dict]:
    from dlviz.core.kernels.cuda import CudaEngine

    spec = case.spec()
    x, y, labels = problem(case, n_points)
    runners: dict[str, Callable[[], float]] = {}
    for name, engine in (("cpu", NumbaEngine(spec, case.batch)),
                         ("cuda", CudaEngine(spec, case.batch))):  # fmt: skip
        params = init_params(spec, np.random.default_rng(1))
        runners[name] = engine_runner(engine, spec, params, x, y, case.batch, optimizer, seconds)
    torch_run = torch_runner(spec.sizes, x, labels, case.batch, optimizer, seconds)
    if torch_run is not None:
        runners["torch-cuda"] = torch_run
    rates = median_rates(runners, REPEATS)
    lines: list[dict[str, Any]] = [
        {"case": case.name, "optimizer": optimizer, "engine": name,
         "samples_per_second": round(rate)}
        for name, rate in rates.items()
    ]  # fmt: skip
    ratio: dict[str, Any] = {"case": case.name, "optimizer": optimizer,
                             "cuda_vs_cpu": round(rates["cuda"] / rates["cpu"], 2)}  # fmt: skip
    if "torch-cuda" in rates:
        vs = rates["cuda"] / rates["torch-cuda"]
        ratio.update(
            cuda_vs_torch_cuda=round(vs, 2), target=CUDA_TARGET, met=bool(vs >= CUDA_TARGET)
        )
    lines.append(ratio)
    return lines


def mnist_lines(rows: int, seconds: float) -> list[dict[str, Any]]:
    from dlviz.core.kernels.cuda import CudaEngine

    rng = np.random.default_rng(0)
    spec = ImageSpec()
    x = rng.random((rows, spec.n_inputs), dtype=np.float32)
    labels = rng.integers(0, spec.n_outputs, rows)
    y = np.eye(spec.n_outputs, dtype=np.float32)[labels]
    params = spec.init(rng)
    runners: dict[str, Callable[[], float]] = {
        name: engine_runner(make(spec, MNIST_BATCH), spec, params.copy(), x, y, MNIST_BATCH,
                            "adam", seconds)
        for name, make in (("cpu", NumbaEngine), ("cuda", CudaEngine))
    }  # fmt: skip
    torch_run = torch_runner(spec.sizes, x, labels, MNIST_BATCH, "adam", seconds)
    if torch_run is not None:
        runners["torch-cuda"] = torch_run
    rates = median_rates(runners, 3)
    out: dict[str, Any] = {"case": "mnist-shaped 784-128-10 relu, adam, batch 128",
                           "rows": rows}  # fmt: skip
    for name, rate in rates.items():
        out[f"{name}_epoch_s"] = round(MNIST_ROWS / rate, 3)
    out.update(target_epoch_s=MNIST_TARGET_S, met=bool(out["cuda_epoch_s"] < MNIST_TARGET_S))
    return [out]


def grid_line(res: int) -> dict[str, Any]:
    from dlviz.core.kernels.cuda import CudaEngine

    case = CASES[1]
    spec: NetworkSpec = case.spec()
    params = init_params(spec, np.random.default_rng(1))
    xs = np.linspace(-6, 6, res, dtype=np.float32)
    gx, gy = np.meshgrid(xs, xs)
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    line: dict[str, Any] = {"grid": f"{res}x{res} {case.name}"}
    for name, engine in (("cpu", NumbaEngine(spec, case.batch)),
                         ("cuda", CudaEngine(spec, case.batch))):  # fmt: skip
        engine.forward(params, grid)  # compile; the grid goes to the device once
        times = []
        for _ in range(REPEATS):
            t0 = time.perf_counter()
            engine.forward(params, grid)
            times.append(time.perf_counter() - t0)
        line[f"{name}_ms"] = round(statistics.median(times) * 1000, 2)
    return line


def cuda_benchmark(emit: Callable[[dict[str, Any]], None], *, quick: bool) -> None:
    """Emit the CUDA column's lines, or one line saying why there is none."""
    problem_text = engines.cuda_problem()
    if problem_text is None and engines.simulated():
        problem_text = "numba's CUDA simulator is on (NUMBA_ENABLE_CUDASIM=1): it times nothing"
    if problem_text is not None:
        emit({"cuda": "no GPU", "reason": problem_text})
        return
    seconds = 0.05 if quick else 1.0
    n_points = 256 if quick else 4096
    for case in CASES:
        for optimizer in OPTIMIZERS:
            for line in playground_lines(case, optimizer, seconds, n_points):
                emit(line)
    for line in mnist_lines(2048 if quick else MNIST_ROWS, seconds):
        emit(line)
    emit(grid_line(64 if quick else GRID_RES))
