"""What the CPU kernel's fast paths must keep: the compiled tanh's accuracy, optimizer state
that never sinks into subnormal floats, subnormals flushed inside the kernels and nowhere
else, and the caller's arrays untouched by the kernel's borrowed (uncounted) views.  Speed
itself lives in benchmarks/engine.py."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from numba import njit

from dlviz.core.activations import activation
from dlviz.core.jit import jit
from dlviz.core.kernels import cpu
from dlviz.core.kernels.cpu import NumbaEngine, apply_update
from dlviz.core.network import LayerSpec, NetworkSpec, init_params
from dlviz.core.optim import OptimizerConfig, OptimizerState, learning_rates

_TANH = jit(activation("tanh").scalar)


@njit  # not cached: a cached copy would keep an edited tanh compiled in
def _tanh_all(z, out):
    for i in range(z.shape[0]):
        out[i] = _TANH(z[i])


def test_the_compiled_tanh_is_within_a_few_ulp_and_saturates_at_one():
    """Oracle: float64 tanh.  The kernels' tanh is a rational approximation (no libm call)."""
    z = np.concatenate([np.linspace(-20, 20, 400_001), np.geomspace(1e-30, 20, 100_000)]).astype(
        np.float32
    )
    z = np.concatenate([z, -z])
    got = np.empty_like(z)
    _tanh_all(z, got)
    truth = np.tanh(z.astype(np.float64))
    ulp = np.spacing(np.abs(truth).astype(np.float32)).astype(np.float64)
    assert (np.abs(got - truth) <= 8 * ulp).all()
    half = z.size // 2
    np.testing.assert_array_equal(got[half:], -got[:half])  # odd, exactly
    assert np.abs(got).max() <= 1.0
    big = np.array([9.010914, 20.0, 1e30, np.inf], np.float32)  # float32 tanh: 1
    out = np.empty_like(big)
    _tanh_all(big, out)
    np.testing.assert_array_equal(out, 1.0)


#: Optimizers whose state decays while the gradient is 0, and which state vectors.
DECAYING = {"momentum": "m", "nesterov": "m", "rmsprop": "v", "adam": "mv", "adamw": "mv"}


@pytest.mark.parametrize("name", DECAYING)
def test_decaying_optimizer_state_reaches_zero_not_the_subnormals(name):
    """A dead unit's gradient stays 0; its state shrinks every step.  In float32, 0.9 times
    the smallest subnormal rounds back up to it: without a flush the state would stay
    subnormal forever, and subnormal arithmetic is ~100x slower on x86."""
    cfg = OptimizerConfig(name, lr=0.01)
    n = 64
    params = np.ones(n, np.float32)
    grad = np.zeros(n, np.float32)
    # small but normal, so that both Adam's m (x0.9 a step) and v (x0.999) pass the
    # subnormal range within the steps below
    m = np.full(n, 1e-30, np.float32)
    v = np.full(n, 1e-30, np.float32)
    tiny = np.finfo(np.float32).tiny
    for t in range(1, 20_001):
        apply_update(cfg.code, params, grad, m, v, t, np.float32(0.01), cfg.hyper(),
                     np.ones(n, np.float32))  # fmt: skip
    for which in DECAYING[name]:
        state = {"m": m, "v": v}[which]
        assert not ((state != 0) & (np.abs(state) < tiny)).any(), f"{which} is subnormal"
        np.testing.assert_array_equal(state, 0.0)
    assert np.isfinite(params).all()


def test_training_leaves_the_callers_arrays_as_it_found_them():
    """The kernel passes the caller's arrays on without counting references: the count of
    every array it was given is the same after many calls (a missing or extra decrement
    would free them under the caller, or leak them)."""
    spec = NetworkSpec(("x1", "x2"), (LayerSpec(8, "tanh"), LayerSpec(8, "tanh")), 1,
                       "sigmoid", "bce")  # fmt: skip
    engine = NumbaEngine(spec, 10)
    rng = np.random.default_rng(0)
    x = rng.uniform(-5, 5, (100, 2)).astype(np.float32)
    y = (x[:, :1] * x[:, 1:] > 0).astype(np.float32)
    params = init_params(spec, rng)
    grad = np.zeros_like(params)
    state = OptimizerState.zeros(params.size)
    cfg = OptimizerConfig("adam", lr=0.01)
    order = rng.permutation(100).astype(np.int64)
    lrs = learning_rates(cfg, 0, 10)
    arrays = (params, grad, state.m, state.v, x, y, order, lrs, *engine.bufs, *engine.net[:3])
    engine.train_batches(params, grad, state, cfg, x, y, order, 0, 10, 10, lrs, 0, 0, 1, 0)
    before = [sys.getrefcount(a) for a in arrays]
    for _ in range(200):
        engine.train_batches(params, grad, state, cfg, x, y, order, 0, 10, 10, lrs, 0, 0, 1, 0)
        engine.forward(params, x, keep_all=True)
    assert [sys.getrefcount(a) for a in arrays] == before
    assert np.isfinite(params).all()


SUBNORMAL = np.float32(2e-39)  # below float32's normal range (1.18e-38)


def _numpy_keeps_subnormals() -> bool:
    """NumPy in this thread still computes a subnormal result (the IEEE default)."""
    return bool(np.multiply(SUBNORMAL, np.float32(0.5)) != 0)


@pytest.mark.skipif(
    not cpu._X86 or cpu._interpreted, reason="the flush modes are set by compiled x86 code only"
)
def test_the_kernels_flush_subnormals_and_hand_the_caller_its_mode_back():
    """Once a network is sure, its gradients fill with subnormals, which x86 computes ~100x
    slower (benchmarks/engine.py's ``subnormals`` line).  Inside a compiled call a
    subnormal input reads as 0; after it, NumPy in the same thread computes on
    subnormals as before.  Without the flush (the benchmark's comparison) the kernel
    computes on them as IEEE says."""
    spec = NetworkSpec(("x1",), (), 1, "identity", "mse")  # out = w * x + b
    assert _numpy_keeps_subnormals()
    for flush in (True, False):
        engine = NumbaEngine(spec, 1, flush_subnormals=flush)
        params = np.array([1.0, 0.0], np.float32)  # w, b
        out = engine.forward(params, np.array([[SUBNORMAL]], np.float32))
        assert _numpy_keeps_subnormals()
        assert out[0, 0] == (0.0 if flush else SUBNORMAL)
        # training: a subnormal target reads as 0 in the flushed kernel, so the zero
        # weights fit it exactly and the gradient is 0
        x, y = np.ones((1, 1), np.float32), np.array([[SUBNORMAL]], np.float32)
        params = np.zeros(2, np.float32)
        grad = np.ones(2, np.float32)
        state, cfg = OptimizerState.zeros(2), OptimizerConfig("sgd")
        order = np.zeros(1, np.int64)
        no_steps = np.zeros(1, np.float32)  # learning rate 0: only the gradient is taken
        engine.train_batches(params, grad, state, cfg, x, y, order, 0, 1, 1, no_steps, 0, 0, 1, 0)
        assert _numpy_keeps_subnormals()
        if flush:
            np.testing.assert_array_equal(grad, 0.0)
        else:
            assert (grad != 0).all()
