"""Engine benchmark, side by side in one run: Numba vs the NumPy reference vs PyTorch CPU,
then the CUDA engine vs the CPU engine vs PyTorch CUDA (:mod:`dlviz.benchmark_cuda`).

Prints JSON lines (``dlviz bench --json`` or ``python benchmarks/engine.py``):
first the threads each contender uses; one per (case, optimizer, engine) with
training samples/s, the engines being the bare kernel (``numba``), the NumPy
reference, the user paths (``cli``: `dlviz train`'s own loop; ``app``: the
app worker's full-speed loop without Qt) and PyTorch CPU; then one per (case,
optimizer) with the ratios (``cli_vs_numba``, ``app_vs_numba`` against
``user_path_target``), the kernel's GFLOP/s (:func:`training_flops`) and
whether the PyTorch target is met by the kernel (``numba_vs_torch``, ``met``) and
by `dlviz train` (``cli_vs_torch``, ``cli_met``); then the wide kernel with one BLAS thread
against one per core; the kernel on networks trained until they are sure of their
answers, with subnormal floats flushed and without (``subnormals``, see
:func:`subnormal_lines`); the float32 peak assumed (a measured sgemm), the
200×200 prediction-grid time and the JIT cold/cached start times.

Every figure is the median of repeated timings (``min``/``max`` give their
spread): five repeats of 0.4 s per engine, the engines interleaved (A, B, C,
A, B, C...) so that whatever else the machine does hits them alike; the
grid is timed 20 times.  Ratios are of the medians.

With ``tfp`` (``benchmarks/engine.py --tfp PATH/nn.ts``) TensorFlow Playground's own
engine is a column on the tiny net (:mod:`dlviz.benchmark_tfp`): its line has engine
``tfp`` and the ratio line ``cli_vs_tfp`` against ``tfp_target``.  ``cases`` times only
the shapes named.  ``benchmarks/table.py`` makes the README's table from these lines.

``quick`` (``dlviz bench --quick``) is a smoke run of a few seconds: 256
points, five repeats of 0.01 s per engine, the grid timed five times, and only the start from the
existing kernel cache (``cold_s`` is null); its figures are noisy and say
nothing about the targets.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

import numpy as np

# the cases live apart so that the CUDA column (benchmark_cuda) shares them without a cycle
from dlviz.benchmark_cases import CASES, N_POINTS, OPTIMIZERS, Case, problem
from dlviz.benchmark_tfp import TFP_TARGET, TfpRunner
from dlviz.core.data import Dataset
from dlviz.core.kernels.cpu import NumbaEngine
from dlviz.core.kernels.reference import ReferenceEngine
from dlviz.core.network import init_params
from dlviz.core.optim import OptimizerConfig, OptimizerState, learning_rates
from dlviz.core.threads import BLAS_THREADS, limit_blas_threads, set_blas_threads
from dlviz.core.trainer import TrainConfig, Trainer, TrainerState, train_epochs

QUICK_POINTS = 256
#: `dlviz train` and the app's worker train at least this share of the bare kernel's speed.
USER_PATH_TARGET = 0.9
GRID_TARGET_MS = 15.0  # issue 19: the medium net over 200x200 points
CACHED_START_TARGET_S = 1.5


#: Timed repeats per engine and case, interleaved (engine A, B, C, A, B, C...): machine
#: noise then hits every engine alike, and the median of the repeats is reported.
REPEATS = 5

#: A trainer for one (engine, case, optimizer): ``run(seconds)`` trains whole epochs for
#: about that long and returns the samples per second it reached.
Runner = Callable[[float], float]


def _timed_epochs(epoch: Callable[[], int], seconds: float) -> float:
    done, start = 0, time.perf_counter()
    while True:
        done += epoch()
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return done / elapsed


def ours(engine_name: str, case: Case, optimizer: str, n_points: int = N_POINTS) -> Runner:
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

    def epoch() -> int:
        engine.train_batches(
            params, grad, state, cfg, x, y, order, 0, n_batches, case.batch, lrs, 0.0, 0.0, 1, 0
        )
        return n_batches * case.batch

    return lambda seconds: _timed_epochs(epoch, seconds)


def _trainer(case: Case, optimizer: str, n_points: int) -> Trainer:
    """A Trainer on the benchmark's problem, every point a training point."""
    x, _, labels = problem(case, n_points)
    data = Dataset(x, labels, "classify", max(case.n_out, 2), np.zeros(n_points, bool), "bench")
    config = TrainConfig(OptimizerConfig(optimizer, lr=0.01), batch_size=case.batch)
    return Trainer(data, case.spec(), config, seed=1)


def cli_runner(case: Case, optimizer: str, n_points: int = N_POINTS) -> Runner:
    """`dlviz train`'s own loop (:func:`dlviz.core.trainer.train_epochs`): snapshots and all."""
    trainer = _trainer(case, optimizer, n_points)
    train_epochs(trainer, 1)
    rate = [0.0]

    def run(seconds: float) -> float:
        # as many epochs as fill ``seconds`` at the last rate: one train_epochs call, as
        # one `dlviz train --epochs N` would make
        epochs = max(1, round(seconds * rate[0] / n_points))
        samples, start = trainer.samples, time.perf_counter()
        train_epochs(trainer, trainer.epoch + epochs)
        rate[0] = (trainer.samples - samples) / (time.perf_counter() - start)
        return rate[0]

    return run


def app_runner(case: Case, optimizer: str, n_points: int = N_POINTS) -> Runner | None:
    """The app's worker loop at full speed (its Pacing: slices, grids, statistics), no Qt."""
    try:
        from dlviz.ui.worker import Pacing
    except ImportError:  # the app's dependencies are not installed
        return None
    trainer = _trainer(case, optimizer, n_points)
    trainer.run(samples=case.batch)
    return paced(trainer, Pacing())


def paced(trainer: Trainer, pacing: Any) -> Runner:
    """``run(seconds, samples=None)``: ``trainer`` at full speed as the app's worker trains
    it, without Qt: slices as ``pacing`` (a ``dlviz.ui.worker.Pacing``) sizes them, each
    slice's snapshot taken on a snapshot thread while the next trains
    (``dlviz.ui.snapshots``) where ``pacing.ahead`` says so, for ``seconds`` or until it
    has trained ``samples`` more (the slice that gets there ends the run); returns
    samples/s."""
    from dlviz.ui.snapshots import Order, SnapshotThread

    def finish(thread: SnapshotThread) -> None:
        order = thread.finish()
        if order is not None:
            order.record()
            pacing.ran(trainer)

    def run(seconds: float, samples: int | None = None) -> float:
        first, start = trainer.samples, time.perf_counter()
        target = math.inf if samples is None else first + samples
        thread = SnapshotThread(lambda snapshot: None)
        try:
            while True:
                now = time.perf_counter()
                if now - start >= seconds or trainer.samples >= target or trainer.stopped:
                    finish(thread)
                    return (trainer.samples - first) / (now - start)
                ahead = pacing.ahead(trainer)
                options = pacing.slice(trainer, now, ahead=ahead)
                if not ahead:  # in line, as the worker takes it then
                    finish(thread)
                    trainer.run(**options)
                    pacing.ran(trainer)
                    continue
                still = trainer.train_still(seconds=options.pop("seconds"))
                finish(thread)
                thread.offer(Order(trainer, still, options, None))
        finally:
            thread.close()

    return run


def torch_runner(case: Case, optimizer: str, n_points: int = N_POINTS) -> Runner | None:
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
    return lambda seconds: _timed_epochs(epoch, seconds)


def interleaved(
    runners: dict[str, tuple[Runner, float]], repeats: int = REPEATS
) -> dict[str, list[float]]:
    """Samples/s of each runner (given its seconds per repeat), ``repeats`` times in turn."""
    rates: dict[str, list[float]] = {name: [] for name in runners}
    for _ in range(repeats):
        for name, (run, seconds) in runners.items():
            rates[name].append(run(seconds))
    return rates


def summary(values: list[float], digits: int = 0) -> dict[str, Any]:
    """Median and spread (lowest, highest) of repeated measurements."""
    lo, med, hi = (round(float(v), digits) for v in np.percentile(values, [0, 50, 100]))
    if digits == 0:
        lo, med, hi = int(lo), int(med), int(hi)
    return {"median": med, "min": lo, "max": hi, "repeats": len(values)}


def thread_line() -> dict[str, Any]:
    """How many threads each contender uses in this run (the policy: dlviz/core/threads.py)."""
    line: dict[str, Any] = {
        "threads": "numba kernel, cli, app: 1 training thread",
        "blas_threads": int(os.environ.get("OPENBLAS_NUM_THREADS", BLAS_THREADS)),
        "cores": os.cpu_count(),
    }
    try:
        import torch

        line["torch_threads"] = torch.get_num_threads()
    except ImportError:
        line["torch_threads"] = None
    return line


def blas_threads_line(seconds: float, n_points: int) -> dict[str, Any]:
    """The wide kernel with one BLAS thread (the policy) against one per core, interleaved:
    what more threads would give on this machine now."""
    case = CASES[-1]
    cores = os.cpu_count() or 1
    base = ours("numba", case, "sgd", n_points)

    def with_threads(n: int) -> Runner:
        def run(s: float) -> float:
            set_blas_threads(n)
            try:
                return base(s)
            finally:
                set_blas_threads(int(os.environ.get("OPENBLAS_NUM_THREADS", BLAS_THREADS)))

        return run

    rates = interleaved({"1": (with_threads(1), seconds), "all": (with_threads(cores), seconds)})
    one, every = summary(rates["1"])["median"], summary(rates["all"])["median"]
    return {"case": case.name, "optimizer": "sgd", "blas_1_thread": one,
            f"blas_{cores}_threads": every, "all_vs_1": round(every / max(one, 1), 2)}  # fmt: skip


#: Where a converged network's gradients fill with subnormal floats: (case, optimizer,
#: samples trained first), about 1,500 and 340 epochs of the benchmark's 4,096 points.
SUBNORMAL_CASES = (("medium", "adam", 6_000_000), ("wide", "sgd", 1_400_000))


def _resumed(trainer: Trainer, state: TrainerState, engine: Any) -> Runner:
    """``run(seconds)``: ``trainer`` on ``engine``, from ``state`` each time."""

    def run(seconds: float) -> float:
        trainer.engine = engine
        trainer.restore(state)
        start, t0 = trainer.samples, time.perf_counter()
        trainer.run(seconds=seconds, stats=False)
        return (trainer.samples - start) / (time.perf_counter() - t0)

    return run


def subnormal_lines(seconds: float, n_points: int, quick: bool) -> list[dict[str, Any]]:
    """The kernel on a network trained until it is sure of its answers, with subnormal
    floats flushed (the engine's mode, see kernels/cpu.py) and computed on as IEEE says,
    interleaved, each repeat resuming the same trained state: the same work."""
    lines = []
    for first_word, optimizer, samples in SUBNORMAL_CASES:
        case = next(c for c in CASES if c.name.split()[0] == first_word)
        trainer = _trainer(case, optimizer, n_points)
        trainer.run(samples=n_points if quick else samples, stats=False)
        trained = trainer.capture()
        engines = {
            "flushed": trainer.engine,
            "ieee": NumbaEngine(case.spec(), case.batch, flush_subnormals=False),
        }
        runners = {name: (_resumed(trainer, trained, e), seconds) for name, e in engines.items()}
        rates = interleaved(runners)
        flushed, ieee = summary(rates["flushed"])["median"], summary(rates["ieee"])["median"]
        lines.append({"subnormals": case.name, "optimizer": optimizer,
                      "trained_epochs": trained.epoch, "flushed": flushed, "ieee": ieee,
                      "flushed_vs_ieee": round(flushed / max(ieee, 1), 2)})  # fmt: skip
    return lines


def training_flops(case: Case) -> int:
    """Floating-point operations of one training sample through ``case``'s network: the
    multiply-adds of the forward pass, the weight gradients and the input gradients (all
    layers but the first), 2 each; activations, biases and the update are left out."""
    sizes = (2, *case.hidden, case.n_out)
    weights = [a * b for a, b in zip(sizes, sizes[1:], strict=False)]
    return 2 * (2 * sum(weights) + sum(weights[1:]))


def measured_peak_gflops(n: int = 1024, repeats: int = 5) -> dict[str, Any]:
    """The float32 peak this benchmark assumes, measured here: the best of ``repeats``
    n×n×n sgemm calls through NumPy's OpenBLAS, with one thread (what the kernel, which
    trains on one, can reach) and with one per core (the machine's)."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    out = np.empty((n, n), np.float32)
    cores = os.cpu_count() or 1
    line: dict[str, Any] = {"peak": f"float32 sgemm {n}x{n}x{n}, best of {repeats}"}
    for threads, key in ((1, "gflops_1_thread"), (cores, f"gflops_{cores}_threads")):
        set_blas_threads(threads)
        np.dot(a, b, out)
        best = min(_seconds(lambda: np.dot(a, b, out)) for _ in range(repeats))
        line[key] = round(2 * n**3 / best / 1e9, 1)
    set_blas_threads(int(os.environ.get("OPENBLAS_NUM_THREADS", BLAS_THREADS)))
    return line


def _seconds(f: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    f()
    return time.perf_counter() - t0


def grid_times_ms(res: int = 200, repeats: int = 10) -> list[float]:
    """Each of ``repeats`` timings of the medium net over a ``res``² prediction grid (ms)."""
    case = CASES[1]
    spec = case.spec()
    engine = NumbaEngine(spec, case.batch)
    params = init_params(spec, np.random.default_rng(1))
    xs = np.linspace(-6, 6, res, dtype=np.float32)
    gx, gy = np.meshgrid(xs, xs)
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    engine.forward(params, grid[:10])
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        engine.forward(params, grid)
        times.append((time.perf_counter() - t0) * 1000)
    return times


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


def run_engine_benchmark(
    *,
    as_json: bool = False,
    quick: bool = False,
    tfp: str | None = None,
    cases: tuple[str, ...] = (),
) -> list[dict[str, Any]]:
    """Run the benchmark, printing its lines (see the module docstring) and returning them.

    ``tfp``: the path of TensorFlow Playground's ``nn.ts`` (or a compiled ``nn.js``) for
    its column, None for none.  ``cases``: the first words of the shapes to time (``tiny``,
    ``medium``, ``wide``), all when empty; a shorter run times only the shapes, without
    the lines after them.
    """
    seconds = 0.01 if quick else 0.4  # per repeat: 5 repeats, so 2 s an engine in all
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

    limit_blas_threads()  # as `dlviz train` and the app run (dlviz/core/threads.py)
    emit(thread_line())
    for case in CASES:
        if cases and case.name.split()[0] not in cases:
            continue
        for optimizer in OPTIMIZERS:
            # the reference is ~100x slower: half the time per repeat is plenty for it
            runners: dict[str, tuple[Runner, float]] = {
                "numba": (ours("numba", case, optimizer, n_points), seconds),
                "reference": (ours("reference", case, optimizer, n_points), seconds / 2),
            }
            runners["cli"] = (cli_runner(case, optimizer, n_points), seconds)
            app_run = app_runner(case, optimizer, n_points)
            if app_run is not None:
                runners["app"] = (app_run, seconds)
            torch_run = torch_runner(case, optimizer, n_points)
            if torch_run is not None:
                runners["torch"] = (torch_run, seconds)
            tfp_run = None
            if tfp is not None and case.n_out == 1 and optimizer == "sgd":
                tfp_run = TfpRunner(tfp, case, n_points)
                runners["tfp"] = (tfp_run, seconds)
            try:
                rates = {name: summary(r) for name, r in interleaved(runners).items()}
            finally:
                if tfp_run is not None:
                    tfp_run.close()
            for engine, stats in rates.items():
                emit(
                    {
                        "case": case.name,
                        "optimizer": optimizer,
                        "engine": engine,
                        "samples_per_second": stats["median"],
                        "min": stats["min"],
                        "max": stats["max"],
                        "repeats": stats["repeats"],
                    }
                )
            numba_rate = rates["numba"]["median"]
            ratio: dict[str, Any] = {
                "case": case.name,
                "optimizer": optimizer,
                "numba_vs_reference": round(numba_rate / max(rates["reference"]["median"], 1), 2),
                "kernel_gflops": round(numba_rate * training_flops(case) / 1e9, 1),
            }
            # the user paths against the bare kernel on the same work (issue 19: >= 90 %)
            for path in ("cli", "app"):
                if path in rates:
                    ratio[f"{path}_vs_numba"] = round(rates[path]["median"] / max(numba_rate, 1), 3)
            ratio["user_path_target"] = USER_PATH_TARGET
            if "torch" in rates:
                vs_torch = numba_rate / max(rates["torch"]["median"], 1)
                # the target holds for the kernel and for what users run, `dlviz train`
                cli_vs_torch = rates["cli"]["median"] / max(rates["torch"]["median"], 1)
                ratio.update(
                    numba_vs_torch=round(vs_torch, 2),
                    cli_vs_torch=round(cli_vs_torch, 2),
                    target=case.target,
                    met=bool(vs_torch >= case.target),
                    cli_met=bool(cli_vs_torch >= case.target),
                )
            if "tfp" in rates and tfp_run is not None:
                # issue 19: what users run, `dlviz train`, against Playground's engine
                vs_tfp = rates["cli"]["median"] / max(rates["tfp"]["median"], 1)
                ratio.update(
                    cli_vs_tfp=round(vs_tfp, 2),
                    numba_vs_tfp=round(numba_rate / max(rates["tfp"]["median"], 1), 2),
                    tfp_target=TFP_TARGET,
                    tfp_met=bool(vs_tfp >= TFP_TARGET),
                    tfp_mse=round(tfp_run.loss, 4),
                )
            emit(ratio)
    if cases:
        return lines
    emit(blas_threads_line(seconds, n_points))
    for line in subnormal_lines(seconds, n_points, quick):
        emit(line)
    emit(measured_peak_gflops())
    grid = summary(grid_times_ms(repeats=REPEATS if quick else 20), digits=2)
    emit({"grid": "200x200 medium net", "ms": grid["median"], "min_ms": grid["min"],
          "max_ms": grid["max"], "repeats": grid["repeats"], "target_ms": GRID_TARGET_MS,
          "met": bool(grid["median"] <= GRID_TARGET_MS)})  # fmt: skip
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
