"""A third, independent oracle: PyTorch (only when installed, e.g. via the `bench` extra)."""

from __future__ import annotations

import numpy as np
import pytest

from dlviz.core.kernels.cpu import NumbaEngine
from dlviz.core.network import ACTIVATIONS, LayerSpec, NetworkSpec, ParamLayout, init_params
from dlviz.core.optim import OPTIMIZERS, OptimizerConfig, OptimizerState, learning_rates

torch = pytest.importorskip("torch")

TORCH_ACT = {
    "linear": lambda: torch.nn.Identity(),
    "sigmoid": lambda: torch.nn.Sigmoid(),
    "tanh": lambda: torch.nn.Tanh(),
    "relu": lambda: torch.nn.ReLU(),
    "leakyrelu": lambda: torch.nn.LeakyReLU(0.01),
    "elu": lambda: torch.nn.ELU(),
    "gelu": lambda: torch.nn.GELU(approximate="tanh"),
}


def torch_model(spec: NetworkSpec, params: np.ndarray):
    layout = ParamLayout.of(spec.sizes)
    layers = []
    for i in range(layout.n_layers):
        lin = torch.nn.Linear(spec.sizes[i], spec.sizes[i + 1])
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(layout.weight(params, i).T.copy()))
            lin.bias.copy_(torch.from_numpy(layout.bias(params, i).copy()))
        layers.append(lin)
        if i < len(spec.hidden):
            layers.append(TORCH_ACT[spec.hidden[i].activation]())
    return torch.nn.Sequential(*layers)


def torch_loss(spec, logits, y):
    if spec.loss == "ce":
        return torch.nn.functional.cross_entropy(logits, y.argmax(1))
    if spec.loss == "bce":
        return torch.nn.functional.binary_cross_entropy_with_logits(logits, y)
    out = torch.sigmoid(logits) if spec.output == "sigmoid" else logits
    return torch.nn.functional.mse_loss(out, y)


def flat_params(spec, model) -> np.ndarray:
    layout = ParamLayout.of(spec.sizes)
    flat = np.zeros(layout.size, np.float32)
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    for i, lin in enumerate(linears):
        layout.weight(flat, i)[...] = lin.weight.detach().numpy().T
        layout.bias(flat, i)[...] = lin.bias.detach().numpy()
    return flat


def problem(activation, output, loss, k, seed=0):
    spec = NetworkSpec(("x1", "x2"), (LayerSpec(6, activation), LayerSpec(5, activation)), k,
                       output, loss)  # fmt: skip
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(32, 2)).astype(np.float32)
    if loss == "ce":
        y = np.eye(k, dtype=np.float32)[rng.integers(0, k, 32)]
    elif output == "sigmoid":
        y = rng.integers(0, 2, (32, k)).astype(np.float32)
    else:
        y = rng.normal(size=(32, 1)).astype(np.float32)
    return spec, x, y, init_params(spec, rng)


def train_both(spec, x, y, params, cfg, steps, batch=32):
    engine = NumbaEngine(spec, batch)
    p = params.copy()
    g = np.zeros_like(p)
    st = OptimizerState.zeros(p.size)
    order = np.arange(x.shape[0], dtype=np.int64)
    losses = []
    for i in range(steps):
        lrs = learning_rates(cfg, i, 1)
        losses.append(engine.train_batches(p, g, st, cfg, x, y, order, 0, 1, batch, lrs,
                                           0.0, 0.0, 0, i) / batch)  # fmt: skip
    model = torch_model(spec, params)
    opt = {
        "gd": lambda ps: torch.optim.SGD(ps, lr=cfg.lr),
        "sgd": lambda ps: torch.optim.SGD(ps, lr=cfg.lr),
        "momentum": lambda ps: torch.optim.SGD(ps, lr=cfg.lr, momentum=cfg.momentum),
        "nesterov": lambda ps: torch.optim.SGD(ps, lr=cfg.lr, momentum=cfg.momentum,
                                               nesterov=True),
        "adagrad": lambda ps: torch.optim.Adagrad(ps, lr=cfg.lr, eps=cfg.eps),
        "rmsprop": lambda ps: torch.optim.RMSprop(ps, lr=cfg.lr, alpha=cfg.rho, eps=cfg.eps),
        "adam": lambda ps: torch.optim.Adam(ps, lr=cfg.lr, betas=(cfg.beta1, cfg.beta2),
                                            eps=cfg.eps),
        "adamw": lambda ps: torch.optim.AdamW(ps, lr=cfg.lr, betas=(cfg.beta1, cfg.beta2),
                                              eps=cfg.eps, weight_decay=0.0),
    }[cfg.name](model.parameters())  # fmt: skip
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)
    t_losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = torch_loss(spec, model(tx), ty)
        loss.backward()
        opt.step()
        t_losses.append(float(loss.detach()))
    return p, losses, flat_params(spec, model), t_losses


@pytest.mark.parametrize(
    "head",
    [
        ("identity", "mse", 1),
        ("sigmoid", "mse", 1),
        ("sigmoid", "bce", 1),
        ("sigmoid", "bce", 3),
        ("softmax", "ce", 4),
    ],  # fmt: skip
    ids=lambda h: f"{h[0]}-{h[1]}-{h[2]}",
)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_one_sgd_step_matches_pytorch(activation, head):
    spec, x, y, params = problem(activation, *head)
    ours, our_losses, theirs, their_losses = train_both(
        spec, x, y, params, OptimizerConfig("sgd", lr=0.5), steps=1
    )
    assert our_losses[0] == pytest.approx(their_losses[0], rel=1e-5)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_optimizers_match_pytorch_over_twenty_steps(optimizer):
    # AdamW's decoupled decay differs in scope (PyTorch decays biases too), so it runs
    # with weight_decay 0 here; the decay itself is checked against the NumPy reference.
    spec, x, y, params = problem("tanh", "softmax", "ce", 3)
    cfg = OptimizerConfig(optimizer, lr=0.01, weight_decay=0.0)
    ours, our_losses, theirs, their_losses = train_both(spec, x, y, params, cfg, steps=20)
    np.testing.assert_allclose(our_losses, their_losses, rtol=1e-4)
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-5)
