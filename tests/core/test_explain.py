"""One point explained: checked against NumPy written independently, finite differences,
and the trainer's own step on a batch of one (every optimizer)."""

from __future__ import annotations

import numpy as np
import pytest

from dlviz.core.data import Dataset
from dlviz.core.errors import DlvizError
from dlviz.core.explain import (
    apply_explanation,
    encode_target,
    explain_for_trainer,
    explain_point,
)
from dlviz.core.network import ACTIVATIONS, LayerSpec, NetworkSpec, ParamLayout, init_params
from dlviz.core.optim import OPTIMIZERS, OptimizerConfig, learning_rates
from dlviz.core.trainer import TrainConfig, Trainer

# (output, loss, n_outputs): every output head the app builds
HEADS = [
    ("identity", "mse", 1),
    ("sigmoid", "mse", 1),
    ("sigmoid", "mse", 3),
    ("sigmoid", "bce", 1),
    ("sigmoid", "bce", 3),
    ("softmax", "ce", 3),
]


# ------------------------------------------------------------ the oracle, written from scratch


def f(name: str, z: np.ndarray) -> np.ndarray:
    """Each activation from its textbook definition (not the engine's stable forms)."""
    if name in ("linear", "identity"):
        return z
    if name == "sigmoid":
        return 1 / (1 + np.exp(-z))
    if name == "tanh":
        return (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))
    if name == "relu":
        return np.where(z > 0, z, 0.0)
    if name == "leakyrelu":
        return np.where(z > 0, z, 0.01 * z)
    if name == "elu":
        return np.where(z > 0, z, np.exp(z) - 1)
    if name == "gelu":
        return 0.5 * z * (1 + np.tanh(np.sqrt(2 / np.pi) * (z + 0.044715 * z**3)))
    if name == "softmax":
        return np.exp(z) / np.exp(z).sum()
    raise AssertionError(name)


def oracle(spec: NetworkSpec, params: np.ndarray, features: np.ndarray, y: np.ndarray):
    """(zs, as, loss) of one point from the weights file's layout, in float64."""
    p = params.astype(np.float64)
    sizes, pos = spec.sizes, 0
    zs, acts = [], [features]
    for i, name in enumerate(spec.activations):
        fi, fo = sizes[i], sizes[i + 1]
        w = p[pos : pos + fi * fo].reshape(fi, fo)
        b = p[pos + fi * fo : pos + fi * fo + fo]
        pos += fi * fo + fo
        z = acts[-1] @ w + b
        zs.append(z)
        acts.append(f(name, z))
    a = acts[-1]
    if spec.loss == "mse":
        loss = np.mean((a - y) ** 2)
    elif spec.loss == "bce":
        loss = -np.mean(y * np.log(a) + (1 - y) * np.log(1 - a))
    else:
        loss = -np.sum(y * np.log(a))
    return zs, acts, float(loss)


def make_net(activation: str, head: tuple[str, str, int], seed: int = 0):
    output, loss, k = head
    spec = NetworkSpec(
        features=("x1", "x2", "x1x2"),
        hidden=(LayerSpec(4, activation), LayerSpec(3, activation)),
        n_outputs=k,
        output=output,
        loss=loss,
        input_shift=(0.5, -0.25),
        input_scale=(2.0, 1.5),
    )
    rng = np.random.default_rng(seed)
    params = init_params(spec, rng) + rng.normal(0, 0.3, ParamLayout.of(spec.sizes).size)
    return spec, params.astype(np.float32)


def target_for(spec: NetworkSpec) -> np.ndarray:
    if spec.output == "identity":
        return encode_target(spec, "regress", 0.7, 0)
    return encode_target(spec, "classify", 1, 2 if spec.n_outputs == 1 else spec.n_outputs)


@pytest.mark.parametrize("head", HEADS, ids=lambda h: f"{h[0]}-{h[1]}-{h[2]}")
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_forward_loss_and_gradients_match_an_independent_computation(activation, head):
    spec, params = make_net(activation, head)
    point = np.array([1.3, -0.4])
    y = target_for(spec)
    l1, l2 = 0.01, 0.02
    e = explain_point(spec, params, point, y, OptimizerConfig("sgd", lr=0.1), l1=l1, l2=l2)

    # forward: the input after normalisation and the feature map, then z and a per layer
    u = (point - np.array([0.5, -0.25])) / np.array([2.0, 1.5])
    features = np.array([u[0], u[1], u[0] * u[1]])
    np.testing.assert_allclose(e.features, features, rtol=1e-12)
    zs, acts, loss = oracle(spec, params, features, y)
    for layer, z, a in zip(e.layers, zs, acts[1:], strict=True):
        np.testing.assert_allclose(layer.z, z, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(layer.a, a, rtol=1e-10, atol=1e-12)
    assert e.loss == pytest.approx(loss, rel=1e-10, abs=1e-12)

    # backward: every ∂L/∂W, ∂L/∂b (and so δ = ∂L/∂b for one point) by central differences
    layout = ParamLayout.of(spec.sizes)
    mask = layout.weights_mask().astype(np.float64)
    p = params.astype(np.float64)

    def total(q: np.ndarray) -> float:
        w = q * mask
        return oracle(spec, q, features, y)[2] + l1 * np.abs(w).sum() + 0.5 * l2 * (w * w).sum()

    h = 1e-6
    numeric = np.array(
        [(total(p + h * np.eye(p.size)[i]) - total(p - h * np.eye(p.size)[i])) / (2 * h)
         for i in range(p.size)]
    )  # fmt: skip
    for i, layer in enumerate(e.layers):
        np.testing.assert_allclose(layer.d_w, layout.weight(numeric, i), rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(layer.d_b, layout.bias(numeric, i), rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(layer.delta, layout.bias(numeric, i), rtol=1e-5, atol=1e-7)
        # ∂L/∂W = a_inᵀ·δ plus the regularisers' gradient
        a_in = acts[i]
        expected = np.outer(a_in, layer.delta) + l1 * np.sign(layer.w) + l2 * layer.w
        np.testing.assert_allclose(layer.d_w, expected, rtol=1e-12, atol=1e-15)


def one_point_trainer(spec, params, optimizer: OptimizerConfig, l1: float, l2: float) -> Trainer:
    """A trainer whose only training point is (1.3, -0.4) with class 1 (or value 0.7)."""
    classify = spec.output != "identity"
    data = Dataset(
        points=np.array([[1.3, -0.4], [0.0, 0.0]]),
        targets=np.array([1, 0] if classify else [0.7, 0.0]),
        kind="classify" if classify else "regress",
        n_classes=(2 if spec.n_outputs == 1 else spec.n_outputs) if classify else 0,
        is_test=np.array([False, True]),
    )
    trainer = Trainer(data, spec, TrainConfig(optimizer, batch_size=1, l1=l1, l2=l2),
                      normalise=True)  # fmt: skip
    trainer.params[...] = params
    return trainer


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_the_update_is_the_trainers_own_step_on_a_batch_of_one(name):
    spec, params = make_net("tanh", ("softmax", "ce", 3))
    optimizer = OptimizerConfig(name, lr=0.05, weight_decay=0.2, schedule="exponential",
                                decay_steps=3, decay_rate=0.5)  # fmt: skip
    trainer = one_point_trainer(spec, params, optimizer, l1=0.01, l2=0.02)
    trainer.run(samples=3)  # three steps first: the optimizer's state is no longer zero
    before = trainer.state.copy()
    assert before.t == 3
    lr = float(learning_rates(optimizer, trainer.step, 1)[0])
    e = explain_point(trainer.spec, trainer.params.copy(), np.array([1.3, -0.4]),
                      encode_target(spec, "classify", 1, 3), optimizer, state=trainer.state,
                      lr=lr, l1=0.01, l2=0.02)  # fmt: skip
    assert trainer.state.t == 3 and np.array_equal(trainer.state.m, before.m)  # left alone
    old = trainer.params.copy()
    trainer.run(samples=1)
    assert trainer.step == 4
    np.testing.assert_allclose(e.new_params, trainer.params, rtol=1e-5, atol=1e-6)
    assert not np.allclose(old, trainer.params, atol=1e-4)  # the step moved the weights
    np.testing.assert_allclose(e.state_after.m, trainer.state.m, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(e.state_after.v, trainer.state.v, rtol=1e-5, atol=1e-9)
    assert e.state_after.t == trainer.state.t == 4


def test_adamw_decay_is_in_the_new_weights():
    spec, params = make_net("relu", ("sigmoid", "bce", 1))
    y = encode_target(spec, "classify", 0, 2)
    point = np.array([0.2, 0.9])
    adam = explain_point(spec, params, point, y, OptimizerConfig("adam", lr=0.1))
    adamw = explain_point(spec, params, point, y, OptimizerConfig("adamw", lr=0.1,
                                                                  weight_decay=0.5))  # fmt: skip
    layer = 0
    w = adam.layers[layer].w
    # decoupled decay: AdamW's weights are Adam's minus η·λ·w, the biases are Adam's
    np.testing.assert_allclose(adamw.layers[layer].new_w, adam.layers[layer].new_w - 0.05 * w,
                               rtol=1e-12, atol=1e-12)  # fmt: skip
    np.testing.assert_allclose(adamw.layers[layer].new_b, adam.layers[layer].new_b, rtol=1e-12)


def test_adam_keeps_its_bias_corrected_moments():
    spec, params = make_net("tanh", ("identity", "mse", 1))
    e = explain_point(spec, params, np.array([0.1, 0.2]), target_for(spec),
                      OptimizerConfig("adam", lr=0.01, beta1=0.9, beta2=0.999))  # fmt: skip
    g = np.concatenate([np.concatenate([s.d_w.ravel(), s.d_b]) for s in e.layers])
    assert e.state_after.t == 1
    np.testing.assert_allclose(e.m_hat, g, rtol=1e-9)  # m̂ = g after the first step
    np.testing.assert_allclose(e.v_hat, g * g, rtol=1e-9)


@pytest.mark.parametrize(
    ("n_outputs", "target", "message"),
    [(1, 2, "class index 0 to 1"), (3, 3, "class index 0 to 2"), (1, 0.5, "class index"),
     (3, -1, "class index")],
)  # fmt: skip
def test_a_target_out_of_range_is_refused(n_outputs, target, message):
    output, loss = ("sigmoid", "bce") if n_outputs == 1 else ("softmax", "ce")
    spec = NetworkSpec(("x1", "x2"), (), n_outputs, output, loss)
    with pytest.raises(DlvizError, match=message):
        encode_target(spec, "classify", target, 2 if n_outputs == 1 else 3)


@pytest.mark.parametrize("name", ["sgd", "adam", "adamw", "rmsprop"])
def test_applying_the_explained_step_is_the_trainers_batch_of_one(name):
    spec, params = make_net("tanh", ("softmax", "ce", 3))
    optimizer = OptimizerConfig(name, lr=0.05, schedule="step", decay_steps=2, decay_rate=0.5)
    mine = one_point_trainer(spec, params, optimizer, l1=0.0, l2=0.01)
    theirs = one_point_trainer(spec, params, optimizer, l1=0.0, l2=0.01)
    for t in (mine, theirs):
        t.run(samples=3)
    e = explain_for_trainer(mine, np.array([1.3, -0.4]), 1)
    apply_explanation(mine, e, mine.params.copy())
    theirs.run(samples=1)
    np.testing.assert_allclose(mine.params, theirs.params, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(mine.state.v, theirs.state.v, rtol=1e-5, atol=1e-9)
    assert (mine.state.t, mine.step, mine.samples) == (theirs.state.t, theirs.step, 4)
    # training goes on from the result, as after any other step
    for t in (mine, theirs):
        t.run(samples=2)
    np.testing.assert_allclose(mine.params, theirs.params, rtol=1e-4, atol=1e-5)


def test_a_stale_step_is_refused_and_changes_nothing():
    spec, params = make_net("tanh", ("sigmoid", "bce", 1))
    trainer = one_point_trainer(spec, params, OptimizerConfig("sgd"), 0.0, 0.0)
    e = explain_for_trainer(trainer, np.array([0.3, 0.3]), 0)
    before = trainer.params.copy()
    trainer.run(samples=1)
    moved = trainer.params.copy()
    with pytest.raises(DlvizError, match="changed since"):
        apply_explanation(trainer, e, before)
    assert np.array_equal(trainer.params, moved) and trainer.step == 1
