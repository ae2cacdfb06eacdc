"""Engine benchmark, side by side in one run: Numba vs the NumPy reference vs PyTorch CPU,
then the CUDA engine vs the CPU engine vs PyTorch CUDA (:mod:`dlviz.benchmark_cuda`).

Prints JSON lines (``dlviz bench --json`` or ``python benchmarks/engine.py``):
one per (case, optimizer, engine) with training samples/s, then one per
(case, optimizer) with the ratios and whether the target is met, then the
200×200 prediction-grid time and the JIT cold/cached start times.

``quick`` (``dlviz bench --quick``) is a smoke run of a few seconds: 256
points, 0.05 s per engine, and only the start from the existing kernel cache
(``cold_s`` is null); its figures are noisy and say nothing about the targets.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from dlviz.core.kernels.cpu import NumbaEngine
from dlviz.core.kernels.reference import ReferenceEngine
from dlviz.core.network import LayerSpec, NetworkSpec, init_params
from dlviz.core.optim import OptimizerConfig, OptimizerState, learning_rates


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
QUICK_POINTS = 256
GRID_TARGET_MS = 30.0
CACHED_START_TARGET_S = 1.5


def problem(
    case: Case, n_points: int = N_POINTS, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(-6, 6, size=(n_points, 2)).astype(np.float32)
    labels = (np.abs(x[:, 0] * x[:, 1]) // 6).astype(np.int64) % max(case.n_out, 2)
    if case.n_out == 1:
        y = labels.astype(np.float32).reshape(-1, 1)
    else:
        y = np.eye(case.n_out, dtype=np.float32)[labels]
    return x, y, labels


def time_ours(
    engine_name: str, case: Case, optimizer: str, seconds: float, n_points: int = N_POINTS
) -> float:
    spec = case.spec()
    x, y, _ = problem(case, n_points)
    engine: NumbaEngine | ReferenceEngine
    engine = NumbaEngine(spec, case.batch) if engine_name == "numba" else ReferenceEngine(spec)
    params = init_params(spec, np.random.default_rng(1))
    grad = np.zeros_like(params)
    state = OptimizerState.zeros(params.size)
    cfg = OptimizerConfig(optimizer, lr=0.01)
    order = np.random.default_rng(2).permutation(n_points).astype(np.int64)
    n_batches = n_points // case.batch
    lrs = learning_rates(cfg, 0, n_batches)
    engine.train_batches(params, grad, state, cfg, x, y, order, 0, 2, case.batch, lrs, 0, 0, 1, 0)
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        engine.train_batches(
            params, grad, state, cfg, x, y, order, 0, n_batches, case.batch, lrs, 0.0, 0.0, 1, 0
        )
        done += n_batches * case.batch
    return done / (time.perf_counter() - start)


def time_torch(
    case: Case, optimizer: str, seconds: float, n_points: int = N_POINTS
) -> float | None:
    try:
        import torch
    except ImportError:
        return None
    x_np, _, labels = problem(case, n_points)
    torch.manual_seed(0)
    act = {"tanh": torch.nn.Tanh, "relu": torch.nn.ReLU}[case.activation]
    layers: list[Any] = []
    fan_in = 2
    for width in case.hidden:
        layers += [torch.nn.Linear(fan_in, width), act()]
        fan_in = width
    layers.append(torch.nn.Linear(fan_in, case.n_out))
    model = torch.nn.Sequential(*layers)
    x = torch.from_numpy(x_np)
    if case.n_out == 1:
        y = torch.from_numpy(labels.astype(np.float32)).reshape(-1, 1)
        loss_fn: Any = torch.nn.BCEWithLogitsLoss()
    else:
        y = torch.from_numpy(labels)
        loss_fn = torch.nn.CrossEntropyLoss()
    opt_cls = torch.optim.SGD if optimizer == "sgd" else torch.optim.Adam
    opt = opt_cls(model.parameters(), lr=0.01)
    perm = torch.randperm(n_points)
    xs, ys = x[perm], y[perm]
    b = case.batch

    def epoch() -> int:
        n = 0
        for i in range(0, n_points - b + 1, b):
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xs[i : i + b]), ys[i : i + b])
            loss.backward()
            opt.step()
            n += b
        return n

    epoch()
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        done += epoch()
    return done / (time.perf_counter() - start)


def grid_time_ms(res: int = 200, repeats: int = 10) -> float:
    case = CASES[1]
    spec = case.spec()
    engine = NumbaEngine(spec, case.batch)
    params = init_params(spec, np.random.default_rng(1))
    xs = np.linspace(-6, 6, res, dtype=np.float32)
    gx, gy = np.meshgrid(xs, xs)
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    engine.forward(params, grid[:10])
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        engine.forward(params, grid)
        best = min(best, time.perf_counter() - t0)
    return float(best * 1000)


WARM_CODE = (
    "import time; t=time.perf_counter(); "
    "from dlviz.core.kernels.cpu import warm_up; warm_up(); "
    "print(time.perf_counter()-t)"
)


def warm_start_seconds(env: dict[str, str]) -> float:
    """Seconds a fresh interpreter takes to import and compile (or load) every kernel."""
    out = subprocess.run([sys.executable, "-c", WARM_CODE], env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    return float(out.stdout.strip().splitlines()[-1])


def jit_start_times() -> tuple[float, float]:
    """Seconds to import and compile all kernels with an empty cache, then from the cache."""
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        cold = warm_start_seconds(env)
        return cold, warm_start_seconds(env)


def run_engine_benchmark(*, as_json: bool = False, quick: bool = False) -> list[dict[str, Any]]:
    seconds = 0.05 if quick else 1.5
    n_points = QUICK_POINTS if quick else N_POINTS
    lines: list[dict[str, Any]] = []

    def emit(line: dict[str, Any]) -> None:
        if quick:  # a smoke run: the figures are not comparable with the targets
            line["quick"] = True
        lines.append(line)
        if as_json:
            print(json.dumps(line), flush=True)
        else:
            print("  ".join(f"{k}={v}" for k, v in line.items()), flush=True)

    for case in CASES:
        for optimizer in OPTIMIZERS:
            rates: dict[str, float | None] = {}
            # interleave the engines so machine noise hits them alike
            rates["numba"] = time_ours("numba", case, optimizer, seconds, n_points)
            rates["reference"] = time_ours("reference", case, optimizer, seconds / 2, n_points)
            rates["torch"] = time_torch(case, optimizer, seconds, n_points)
            for engine, rate in rates.items():
                if rate is not None:
                    emit(
                        {
                            "case": case.name,
                            "optimizer": optimizer,
                            "engine": engine,
                            "samples_per_second": round(rate),
                        }
                    )
            numba_rate = rates["numba"] or 0.0
            ref_rate = rates["reference"] or 1.0
            ratio: dict[str, Any] = {
                "case": case.name,
                "optimizer": optimizer,
                "numba_vs_reference": round(numba_rate / ref_rate, 2),
            }
            if rates["torch"]:
                vs_torch = numba_rate / rates["torch"]
                ratio.update(
                    numba_vs_torch=round(vs_torch, 2),
                    target=case.target,
                    met=bool(vs_torch >= case.target),
                )
            emit(ratio)
    ms = grid_time_ms(repeats=3 if quick else 10)
    emit({"grid": "200x200 medium net", "ms": round(ms, 2), "target_ms": GRID_TARGET_MS,
          "met": bool(ms <= GRID_TARGET_MS)})  # fmt: skip
    # quick: only the start from the kernel cache already in use (it may be cold too)
    cold: float | None
    if quick:
        cold, cached = None, warm_start_seconds(dict(os.environ))
    else:
        cold, cached = jit_start_times()
    met = bool(cached <= CACHED_START_TARGET_S)
    emit({"jit": "all kernels", "cold_s": None if cold is None else round(cold, 2),
          "cached_s": round(cached, 2),
          "target_cached_s": CACHED_START_TARGET_S, "met": met})  # fmt: skip
    from dlviz.benchmark_cuda import cuda_benchmark  # the CUDA column (a line without a GPU)

    cuda_benchmark(emit, quick=quick)
    return lines
