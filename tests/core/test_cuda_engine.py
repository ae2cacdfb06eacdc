"""The CUDA engine against the NumPy reference, step for step, on tiny shapes.

These run where numba-cuda can run kernels: on a GPU, or in numba's simulator
(``NUMBA_ENABLE_CUDASIM=1``, ~10^5 times slower, so the shapes are tiny and the
option grid is covered by a few combined cases rather than the full product).
Without a GPU the last test runs this file again under the simulator, so the
plain ``pytest`` run of the README and CI covers the kernels everywhere.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest
from test_engine import HEADS, N_POINTS, check_engine_against_reference, make_problem

from dlviz.core import engines
from dlviz.core.data import make_dataset
from dlviz.core.kernels import reference as ref
from dlviz.core.network import ACTIVATIONS, LayerSpec, NetworkSpec, build_spec, init_params
from dlviz.core.optim import OPTIMIZERS, SCHEDULES, OptimizerConfig
from dlviz.core.trainer import TrainConfig, Trainer

INSTALLED = importlib.util.find_spec("numba_cuda") is not None
#: Kernels can run in this process: the simulator, or a GPU numba-cuda can use.
RUNNABLE = INSTALLED and engines.cuda_problem() is None
needs_cuda = pytest.mark.skipif(
    not RUNNABLE, reason="no GPU: these run under the simulator in the last test"
)
# the dropout hash relies on uint64 wrap-around; the simulator's NumPy scalars warn about it
pytestmark = pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")

#: Threads per block: fewer than most stages' work items and more than some, so
#: both the strided loops and idle threads are exercised.
THREADS = 16
REGS = ["none", "l1", "l2", "dropout"]


def cuda_engine(fused: bool):
    from dlviz.core.kernels.cuda import CudaEngine

    return lambda spec, batch: CudaEngine(spec, batch, fused=fused, threads=THREADS)


def covering_cases():
    """23 combined cases instead of the CPU engine's full product (the simulator is slow).

    Every optimizer, activation, head, regulariser and schedule runs on both drivers
    (fused and grid); then dropout with every activation, since the backward pass
    through dropout reads the activation's pre-dropout value.
    """
    cases = []
    for i in range(2 * len(OPTIMIZERS)):
        cases.append(
            (ACTIVATIONS[i % len(ACTIVATIONS)], HEADS[i % len(HEADS)], REGS[(i // 2) % len(REGS)],
             OPTIMIZERS[i // 2], SCHEDULES[(i // 4) % len(SCHEDULES)], i % 2 == 0)
        )  # fmt: skip
    for j, activation in enumerate(ACTIVATIONS):
        cases.append(
            (activation, HEADS[(j + 2) % len(HEADS)], "dropout",
             OPTIMIZERS[(j + 3) % len(OPTIMIZERS)], SCHEDULES[j % len(SCHEDULES)], j % 2 == 1)
        )  # fmt: skip
    return cases


def case_id(case):
    act, head, reg, opt, schedule, fused = case
    return f"{act}-{head[0]}-{head[1]}-{head[2]}-{reg}-{opt}-{schedule}-" + (
        "fused" if fused else "grid"
    )


@needs_cuda
@pytest.mark.parametrize("case", covering_cases(), ids=case_id)
def test_cuda_matches_reference(case):
    """12 steps over 3 epochs (the last batch of each partial), every parameter,
    gradient, optimizer state, the summed loss and the predictions within float32
    tolerance of the reference (check_engine_against_reference's tolerances)."""
    activation, head, reg, optimizer, schedule, fused = case
    spec, x, y, params, l1, l2 = make_problem(activation, head, reg, n=N_POINTS)
    lr = {"gd": 0.05, "sgd": 0.05, "momentum": 0.02, "nesterov": 0.02}.get(optimizer, 0.01)
    decay = 9 if schedule == "cosine" else 3
    cfg = OptimizerConfig(optimizer, lr=lr, schedule=schedule, decay_steps=decay)
    batch = N_POINTS if optimizer == "gd" else 8
    changes = schedule != "constant"
    check_engine_against_reference(spec, x, y, params, l1, l2, cfg, batch=batch,
                                   lr_changes=changes, fast=cuda_engine(fused))  # fmt: skip


@needs_cuda
def test_parameters_outside_shared_memory(monkeypatch):
    """A network bigger than the fused kernel's shared-memory copy trains from global memory."""
    from dlviz.core.kernels import cuda

    monkeypatch.setattr(cuda, "SHARED_PARAMS", 16)  # read at launch: 16 < this net's 50
    spec, x, y, params, l1, l2 = make_problem("tanh", HEADS[2], "l2", n=N_POINTS)
    check_engine_against_reference(spec, x, y, params, l1, l2, OptimizerConfig("adam"),
                                   steps=4, fast=cuda_engine(True))  # fmt: skip


@needs_cuda
def test_forward_in_chunks_keeps_every_activation(monkeypatch):
    """Prediction over more rows than one launch sequence holds: outputs and every
    neuron's activation as the reference computes them."""
    from dlviz.core.kernels import cuda

    spec = NetworkSpec(("x1", "x2"), (LayerSpec(3, "relu"), LayerSpec(2, "sigmoid")), 3,
                       "softmax", "ce")  # fmt: skip
    rng = np.random.default_rng(4)
    params = init_params(spec, rng)
    x = rng.normal(size=(23, 2)).astype(np.float32)
    monkeypatch.setattr(cuda, "FORWARD_FLOATS", 10 * sum(spec.sizes))  # 10 rows a chunk
    engine = cuda.CudaEngine(spec, 4, threads=THREADS)
    reference = ref.ReferenceEngine(spec)
    for keep_all in (False, True):
        np.testing.assert_allclose(engine.forward(params, x, keep_all=keep_all),
                                   reference.forward(params, x, keep_all=keep_all),
                                   rtol=1e-5, atol=1e-6)  # fmt: skip


@needs_cuda
def test_every_table_activation_runs_on_the_device():
    """The device dispatch, code by code, computes the table's NumPy forward and slope
    (so a code routed to another formula, or to none, fails here by name)."""
    from numba import cuda

    from dlviz.core.activations import HIDDEN
    from dlviz.core.kernels import cuda as engine

    act, act_grad = engine._act, engine._act_grad

    @cuda.jit
    def apply(codes, z, out, slope):  # one thread: in the simulator a closure has no cuda.grid
        for i in range(z.size):
            out[i] = act(codes[i], z[i])
            slope[i] = act_grad(codes[i], z[i], out[i])

    z1 = np.array([-4.0, -1.0, -0.25, 0.5, 2.0, 5.0], np.float32)
    codes = np.repeat(np.arange(len(HIDDEN)), z1.size)
    z = np.tile(z1, len(HIDDEN))
    out, slope = np.zeros_like(z), np.zeros_like(z)
    apply[1, 1](codes, z, out, slope)
    for code, entry in enumerate(HIDDEN):
        at = codes == code
        a = entry.forward(z1)
        np.testing.assert_allclose(out[at], a, rtol=2e-6, atol=2e-6, err_msg=entry.name)
        np.testing.assert_allclose(slope[at], entry.derivative(z1, a), rtol=2e-6, atol=2e-6,
                                   err_msg=entry.name)  # fmt: skip


@needs_cuda
def test_an_activation_code_without_a_device_form_is_refused(monkeypatch):
    """A code past the table (an activation added to the kernels' codes but not
    compiled here) stops the engine being built, instead of training a linear unit."""
    from dlviz.core.kernels import cuda

    spec, *_ = make_problem("tanh", HEADS[0], "none", n=N_POINTS)
    monkeypatch.setattr(cuda, "kernel_code", lambda name: len(ACTIVATIONS))
    with pytest.raises(ValueError, match="no device form of activation code"):
        cuda.CudaEngine(spec, 4, threads=THREADS)


@needs_cuda
def test_trainer_on_cuda_runs_as_on_the_reference():
    """Through the Trainer: several epochs in one call (batches stop at each epoch's end),
    the engine named in the snapshot, the same weights and boundary as the reference run;
    then edited points (the engine must not train on its device copy of the old ones)."""
    data = make_dataset("xor", n=40, seed=3)
    spec = build_spec(kind=data.kind, n_classes=data.n_classes, features=("x1", "x2", "x1x2"),
                      hidden=(LayerSpec(4, "tanh"),))  # fmt: skip
    config = TrainConfig(OptimizerConfig("momentum", lr=0.05), batch_size=7)
    # other points over another part of the plane: new features, and a new boundary grid
    edited = replace(make_dataset("circle", n=30, seed=5), bounds=(-3.0, 5.0, -2.0, 4.0))
    runs, grids = {}, {}
    for engine in ("cuda", "reference"):
        trainer = Trainer(data, spec, config, seed=2, engine=engine)
        snap = trainer.run(samples=3 * trainer.n_train, grid=6)
        assert snap.engine == engine
        trainer.set_dataset(edited)
        trainer.run(samples=2 * trainer.n_train)
        grids[engine] = trainer.decision_grid(6)
        runs[engine] = trainer
    cuda_run, ref_run = runs["cuda"], runs["reference"]
    assert cuda_run.engine_name == "cuda" and cuda_run.epoch == ref_run.epoch == 5
    assert cuda_run.step == ref_run.step
    np.testing.assert_allclose(cuda_run.params, ref_run.params, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(grids["cuda"], grids["reference"], rtol=1e-5, atol=1e-6)


def test_cuda_engine_under_the_simulator():
    """Without a GPU, run this file's kernel tests again in numba's CUDA simulator."""
    if not INSTALLED:
        pytest.skip('numba-cuda is not installed (pip install -e ".[test,cuda]")')
    if engines.simulated():
        pytest.skip("already running under the simulator")
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1")
    out = subprocess.run(
        [sys.executable, "-m", "pytest", __file__, "-q", "-p", "no:cacheprovider",
         "-k", "not under_the_simulator"],
        env=env, capture_output=True, text=True, timeout=900, cwd=os.path.dirname(__file__),
    )  # fmt: skip
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-3000:]
    expected = len(covering_cases()) + 5
    assert f"{expected} passed" in out.stdout and "skipped" not in out.stdout, out.stdout[-3000:]
