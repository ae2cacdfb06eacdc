"""The compiled engine against the NumPy reference, and the reference against finite differences.

One helper per oracle, parametrised over activations, losses, regularisers
and optimizers (tinygrad's helper_test_op habit).
"""

from __future__ import annotations

import numpy as np
import pytest

from dlviz.core.kernels import reference as ref
from dlviz.core.kernels.cpu import NumbaEngine
from dlviz.core.network import ACTIVATIONS, LayerSpec, NetworkSpec, ParamLayout, init_params
from dlviz.core.optim import OPTIMIZERS, OptimizerConfig, OptimizerState, learning_rates

# (output, loss, n_outputs): every head the app can build
HEADS = [
    ("identity", "mse", 1),
    ("sigmoid", "mse", 1),
    ("sigmoid", "bce", 1),
    ("sigmoid", "bce", 3),
    ("softmax", "ce", 3),
]
REGS = ["none", "l1", "l2", "dropout"]


def make_problem(activation: str, head: tuple[str, str, int], reg: str, n: int = 24, seed: int = 0):
    output, loss, k = head
    dropout = 0.3 if reg == "dropout" else 0.0
    spec = NetworkSpec(
        features=("x1", "x2", "x1x2"),
        hidden=(LayerSpec(5, activation, dropout), LayerSpec(4, activation, dropout)),
        n_outputs=k,
        output=output,
        loss=loss,
    )
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)).astype(np.float32)
    if loss == "ce" or (loss == "bce" and k > 1):
        y = np.eye(k, dtype=np.float32)[rng.integers(0, k, n)]
    elif output == "sigmoid":
        y = rng.integers(0, 2, (n, 1)).astype(np.float32)
    else:
        y = rng.normal(size=(n, 1)).astype(np.float32)
    params = init_params(spec, rng)
    l1 = 0.01 if reg == "l1" else 0.0
    l2 = 0.05 if reg == "l2" else 0.0
    return spec, x, y, params, l1, l2


def total_loss(spec, params, x, y, l1, l2, seed, step):
    """Batch loss + regularisation, float64, with the same dropout masks as training."""
    tape = ref.forward(spec, params, x, dropout_seed=seed, step=step)
    loss, _ = ref.loss_and_output_grad(spec, tape.z[-1], tape.a[-1], y)
    mask = ParamLayout.of(spec.sizes).weights_mask().astype(np.float64)
    return loss + ref.regularisation(params, mask, l1, l2)


def check_gradient_against_finite_differences(spec, x, y, params, l1, l2, seed=7, step=3):
    p = params.astype(np.float64)
    xd, yd = x.astype(np.float64), y.astype(np.float64)
    tape = ref.forward(spec, p, xd, dropout_seed=seed, step=step)
    _, grad = ref.backward(spec, p, tape, yd)
    mask = ParamLayout.of(spec.sizes).weights_mask().astype(np.float64)
    ref.add_regularisation_grad(grad, p, mask, l1, l2)
    h = 1e-6
    numeric = np.empty_like(p)
    for i in range(p.size):
        e = np.zeros_like(p)
        e[i] = h
        up = total_loss(spec, p + e, xd, yd, l1, l2, seed, step)
        down = total_loss(spec, p - e, xd, yd, l1, l2, seed, step)
        numeric[i] = (up - down) / (2 * h)
    # ReLU kinks and L1's sign make a few entries non-differentiable: compare in bulk
    np.testing.assert_allclose(
        grad, numeric, rtol=1e-4, atol=1e-6 * max(1.0, np.abs(numeric).max())
    )


@pytest.mark.parametrize("reg", REGS)
@pytest.mark.parametrize("head", HEADS, ids=lambda h: f"{h[0]}-{h[1]}-{h[2]}")
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_reference_gradient_matches_finite_differences(activation, head, reg):
    spec, x, y, params, l1, l2 = make_problem(activation, head, reg, n=10)
    if activation in ("relu", "leakyrelu") or reg == "l1":
        # keep weights away from kinks so central differences stay valid
        params = np.where(np.abs(params) < 0.05, 0.1, params).astype(np.float32)
    check_gradient_against_finite_differences(spec, x, y, params, l1, l2)


#: Learning rates small enough that no combination diverges within the compared steps,
#: large enough that every parameter moves far beyond the tolerance (>= 4e-3 here).
LEARNING_RATES = {"gd": 0.05, "sgd": 0.05, "momentum": 0.02, "nesterov": 0.02}
#: 30 points in batches of 8: four batches an epoch, the last one partial (6 rows).
N_POINTS, BATCH, STEPS = 30, 8, 12


def check_engine_against_reference(
    spec, x, y, params, l1, l2, cfg, steps=STEPS, batch=BATCH, lr_changes=False,
    fast=NumbaEngine,
):  # fmt: skip
    """Train ``steps`` batches with both engines, epoch by epoch as the Trainer does, and compare.

    ``fast(spec, batch)`` makes the engine under test (the CPU engine, or the CUDA
    one in ``test_cuda_engine.py``).

    Each epoch is one ``train_batches`` call over a fresh shuffle starting at its
    global step, so the step offset (dropout masks, schedules, Adam's bias
    correction up to t = ``steps``) is exercised, not only the first epoch.
    Both engines compute in float32 (the reference's ``dtype``); what separates
    them is summation order and fastmath (FMA, reordering).  Tolerances:
    parameters rel 1e-5 (+ 1e-5 × max |p| absolute), the last batch's gradient
    rel 1e-4 (+ 1e-5 × max |g|), the summed loss rel 1e-5, predictions rel 1e-5
    (+ 1e-6).  Adaptive optimizers divide by the gradient's own size, which
    turns the float32 rounding of near-zero gradients into parameter
    differences: the worst case measured here was 0.35 of the tolerance.
    """
    n = x.shape[0]
    per_epoch = -(-n // batch)
    results = []
    for engine in (fast(spec, batch), ref.ReferenceEngine(spec, batch, dtype=np.float32)):
        p = params.copy()
        g = np.zeros_like(p)
        st = OptimizerState.zeros(p.size)
        shuffles = np.random.default_rng(1)
        loss, step, all_lrs = 0.0, 0, []
        while step < steps:
            order = shuffles.permutation(n).astype(np.int64)
            count = min(per_epoch, steps - step)
            lrs = learning_rates(cfg, step, count)
            all_lrs.append(lrs)
            loss += engine.train_batches(
                p, g, st, cfg, x, y, order, 0, count, batch, lrs, l1, l2, 99, step
            )
            step += count
        assert st.t == steps, f"{engine.name} took {st.t} optimizer steps, not {steps}"
        results.append((p, g, st, loss))
    if lr_changes:  # the schedule really changed the rate within the compared steps
        assert np.unique(np.concatenate(all_lrs)).size > 1
    (p1, g1, s1, l_1), (p2, g2, s2, l_2) = results
    assert np.abs(p2 - params).max() > 1e-3, "training barely moved the weights"
    scale = max(1.0, float(np.abs(p2).max()))
    np.testing.assert_allclose(p1, p2, rtol=1e-5, atol=1e-5 * scale)
    np.testing.assert_allclose(g1, g2, rtol=1e-4, atol=1e-5 * max(1.0, float(np.abs(g2).max())))
    np.testing.assert_allclose(s1.m, s2.m, rtol=1e-4, atol=1e-5 * max(1.0, np.abs(s2.m).max()))
    np.testing.assert_allclose(s1.v, s2.v, rtol=1e-4, atol=1e-5 * max(1.0, np.abs(s2.v).max()))
    assert l_1 == pytest.approx(l_2, rel=1e-5)
    out1 = fast(spec, batch).forward(p1, x)
    out2 = ref.ReferenceEngine(spec).forward(p1, x)
    np.testing.assert_allclose(out1, out2, rtol=1e-5, atol=1e-6)


def optimizer_config(name: str, **kwargs) -> OptimizerConfig:
    return OptimizerConfig(name, lr=LEARNING_RATES.get(name, 0.01), **kwargs)


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
@pytest.mark.parametrize("reg", REGS)
@pytest.mark.parametrize("head", HEADS, ids=lambda h: f"{h[0]}-{h[1]}-{h[2]}")
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_numba_matches_reference(activation, head, reg, optimizer):
    """Every activation × output head/loss × regulariser × optimizer, 12 steps over 3 epochs."""
    spec, x, y, params, l1, l2 = make_problem(activation, head, reg, n=N_POINTS)
    # gd is full-batch gradient descent: the Trainer gives it the whole training set
    batch = N_POINTS if optimizer == "gd" else BATCH
    check_engine_against_reference(spec, x, y, params, l1, l2, optimizer_config(optimizer),
                                   batch=batch)  # fmt: skip


@pytest.mark.parametrize("schedule", ["constant", "step", "exponential", "cosine"])
@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_numba_matches_reference_per_schedule(optimizer, schedule):
    spec, x, y, params, l1, l2 = make_problem("tanh", HEADS[4], "l2", n=N_POINTS)
    # decay every 3 steps: 12 steps see the rate change (cosine reaches its floor at 9)
    cfg = optimizer_config(optimizer, schedule=schedule, decay_steps=9 if schedule == "cosine"
                           else 3)  # fmt: skip
    check_engine_against_reference(spec, x, y, params, l1, l2, cfg,
                                   lr_changes=schedule != "constant")  # fmt: skip


def test_wide_layers_use_blas_and_still_match():
    spec = NetworkSpec(
        features=("x1", "x2"),
        hidden=(LayerSpec(64, "relu"), LayerSpec(64, "relu")),
        n_outputs=3,
        output="softmax",
        loss="ce",
    )
    rng = np.random.default_rng(3)
    x = rng.normal(size=(64, 2)).astype(np.float32)
    y = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 64)]
    params = init_params(spec, rng)
    check_engine_against_reference(
        spec, x, y, params, 0.0, 0.0, OptimizerConfig("adam"), steps=4, batch=32
    )


def test_last_partial_batch_is_trained():
    spec, x, y, params, l1, l2 = make_problem("tanh", HEADS[2], "none", n=21)
    check_engine_against_reference(spec, x, y, params, l1, l2, OptimizerConfig("sgd"), steps=3)


def test_learning_rate_schedules():
    cfg = OptimizerConfig("sgd", lr=0.1, schedule="step", decay_rate=0.5, decay_steps=10)
    np.testing.assert_allclose(learning_rates(cfg, 0, 25)[[0, 9, 10, 20]], [0.1, 0.1, 0.05, 0.025])
    cos = OptimizerConfig("sgd", lr=1.0, schedule="cosine", decay_steps=100, min_lr=0.0)
    lrs = learning_rates(cos, 0, 201)
    assert lrs[0] == 1.0 and lrs[50] == pytest.approx(0.5) and lrs[100] == 0 and lrs[200] == 0
    exp = OptimizerConfig("sgd", lr=1.0, schedule="exponential", decay_rate=0.5, decay_steps=10)
    assert learning_rates(exp, 20, 1)[0] == pytest.approx(0.25)


def test_dropout_masks_drop_the_requested_fraction_and_match_between_engines():
    keep = ref.dropout_keep(seed=5, step=2, layer=1, batch=200, width=50, rate=0.3)
    assert abs(1 - keep.mean() - 0.3) < 0.02
    assert not np.array_equal(keep, ref.dropout_keep(5, 3, 1, 200, 50, 0.3))


def test_kernels_also_match_as_plain_python():
    """A subset with NUMBA_DISABLE_JIT=1: the kernel source itself, run by the interpreter."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    selection = (
        "numba_matches_reference_per_schedule and constant"
        " or numba_matches_reference and tanh and dropout and adam"
    )
    # the dropout hash relies on uint64 wrap-around: compiled code wraps silently,
    # NumPy scalars in plain Python warn about it
    wrap = "ignore:overflow encountered:RuntimeWarning"
    out = subprocess.run(
        [sys.executable, "-m", "pytest", __file__, "-q", "-p", "no:cacheprovider", "-W", wrap,
         "-k", selection],
        env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    # 8 optimizers with a constant rate; tanh × 5 heads × dropout × {adam, adamw}
    assert "18 passed" in out.stdout and "failed" not in out.stdout, out.stdout[-3000:]


#: Adam is compared at 64 inputs only: at 784 the two engines' float32 sums differ in
#: the last bits for weights whose gradient is ~0, and Adam's g/sqrt(v) turns those into
#: full-size steps of either sign (measured: 6e-4 on a few of 100 000 weights).
IMAGE_CASES = {
    "digits-64-32-10-adam": ((8, 8), 32, "adam"),
    "digits-64-32-10-sgd": ((8, 8), 32, "sgd"),
    "mnist-784-128-10-sgd": ((28, 28), 128, "sgd"),
    "mnist-784-128-10-momentum": ((28, 28), 128, "momentum"),
}


@pytest.mark.parametrize("case", IMAGE_CASES)
def test_image_widths_match_the_reference(case):
    """Pixel rows of any width (64, 784) straight into the first layer, softmax + CE."""
    shape, hidden, optimizer = IMAGE_CASES[case]
    n_in = shape[0] * shape[1]
    spec = NetworkSpec(features=(), hidden=(LayerSpec(hidden, "relu"),), n_outputs=10,
                       output="softmax", loss="ce", n_inputs=n_in, image_shape=shape)  # fmt: skip
    assert spec.sizes == (n_in, hidden, 10)
    rng = np.random.default_rng(4)
    x = rng.random((96, n_in), dtype=np.float32)  # pixels in [0, 1]
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 96)]
    params = init_params(spec, rng)
    check_engine_against_reference(spec, x, y, params, 0.0, 0.0, optimizer_config(optimizer),
                                   steps=6, batch=32)  # fmt: skip
