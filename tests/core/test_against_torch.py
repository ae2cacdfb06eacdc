"""A third, independent oracle: PyTorch (installed with the `bench` extra).

Both engines (the NumPy reference and the compiled Numba engine) train from
the same initial weights as a PyTorch model built from ``torch.nn.functional``
and ``torch.optim``: every optimizer with hyperparameters away from their
defaults (a swapped or ignored one shows), L1 and L2 on the weights only,
dropout with the engines' own masks, each learning-rate schedule as PyTorch's
own scheduler, over several epochs of mini-batches with a partial last batch.
Biases start non-zero so that a decay or penalty wrongly applied to them shows.
"""

from __future__ import annotations

import numpy as np
import pytest

from dlviz.core.activations import LEAKY_SLOPE
from dlviz.core.kernels import reference as ref
from dlviz.core.kernels.cpu import NumbaEngine
from dlviz.core.network import (
    ACTIVATIONS,
    LayerSpec,
    NetworkSpec,
    ParamLayout,
    init_params,
)
from dlviz.core.optim import OPTIMIZERS, SCHEDULES, OptimizerConfig, OptimizerState, learning_rates

torch = pytest.importorskip("torch")
F = torch.nn.functional

ENGINES = {
    "numba": lambda spec, batch: NumbaEngine(spec, batch),
    "reference": lambda spec, batch: ref.ReferenceEngine(spec, batch, dtype=np.float32),
}

TORCH_ACT = {
    "linear": lambda z: z,
    "identity": lambda z: z,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": F.relu,
    "leakyrelu": lambda z: F.leaky_relu(z, LEAKY_SLOPE),
    "elu": F.elu,
    "gelu": lambda z: F.gelu(z, approximate="tanh"),
    "softmax": lambda z: torch.softmax(z, dim=1),
}

#: Every hyperparameter away from its default, so one read from the wrong slot shows.
HYPER = dict(momentum=0.8, beta1=0.85, beta2=0.95, eps=1e-6, rho=0.8, weight_decay=0.3)
#: Rates that move every parameter well past the tolerance in a few steps without diverging.
LR = {"gd": 0.2, "sgd": 0.2, "momentum": 0.1, "nesterov": 0.1, "adagrad": 0.05}
#: 20 points in batches of 8: three batches an epoch, the last one partial (4 rows).
N_POINTS, BATCH, EPOCHS = 20, 8, 3
L1, L2, DROPOUT, SEED = 0.01, 0.05, 0.3, 11


def config(optimizer: str, **kwargs) -> OptimizerConfig:
    return OptimizerConfig(optimizer, lr=LR.get(optimizer, 0.02), **{**HYPER, **kwargs})


def problem(activation="tanh", head=("softmax", "ce", 3), dropout=0.0, n=N_POINTS, seed=0):
    output, loss, k = head
    spec = NetworkSpec(("x1", "x2", "x1x2"),
                       (LayerSpec(5, activation, dropout), LayerSpec(4, activation, dropout)),
                       k, output, loss)  # fmt: skip
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)).astype(np.float32)
    if loss == "ce" or (loss == "bce" and k > 1):
        y = np.eye(k, dtype=np.float32)[rng.integers(0, k, n)]
    elif output == "sigmoid":
        y = rng.integers(0, 2, (n, 1)).astype(np.float32)
    else:
        y = rng.normal(size=(n, 1)).astype(np.float32)
    params = init_params(spec, rng)
    layout = ParamLayout.of(spec.sizes)
    for layer in range(layout.n_layers):  # non-zero biases: decaying them would show
        layout.bias(params, layer)[...] = rng.uniform(-0.5, 0.5, spec.sizes[layer + 1])
    return spec, x, y, params


def shuffles(n: int, epochs: int) -> tuple[np.ndarray, np.ndarray]:
    """Epoch shuffles laid end to end and where each epoch ends, as the Trainer passes them."""
    rng = np.random.default_rng(1)
    order = np.concatenate([rng.permutation(n) for _ in range(epochs)]).astype(np.int64)
    return order, np.arange(1, epochs + 1, dtype=np.int64) * n


def batches(n: int, batch: int, epochs: int) -> list[np.ndarray]:
    """The rows of each optimizer step: batches never reach across an epoch's end."""
    order, _ = shuffles(n, epochs)
    out = []
    for e in range(epochs):
        epoch = order[e * n : (e + 1) * n]
        out += [epoch[i : i + batch] for i in range(0, n, batch)]
    return out


def train_ours(engine_name, spec, x, y, params, cfg, l1=0.0, l2=0.0, batch=BATCH, epochs=EPOCHS):
    """All epochs in one engine call, as the Trainer makes it; (params, Σ loss × rows, steps)."""
    n = x.shape[0]
    order, ends = shuffles(n, epochs)
    steps = len(batches(n, batch, epochs))
    engine = ENGINES[engine_name](spec, batch)
    p, st = params.copy(), OptimizerState.zeros(params.size)
    loss = engine.train_batches(p, np.zeros_like(p), st, cfg, x, y, order, 0, steps, batch,
                                learning_rates(cfg, 0, steps), l1, l2, SEED, 0, ends)  # fmt: skip
    assert st.t == steps
    return p, loss, engine


def leaves(layout: ParamLayout, params: np.ndarray, grad: bool = False):
    """Each layer's weight and bias as its own PyTorch tensor (copies)."""
    layers = range(layout.n_layers)
    ws = [torch.tensor(layout.weight(params, i), requires_grad=grad) for i in layers]
    bs = [torch.tensor(layout.bias(params, i), requires_grad=grad) for i in layers]
    return ws, bs


def torch_optimizer(cfg: OptimizerConfig, weights, biases):
    everything = [*weights, *biases]
    betas = (cfg.beta1, cfg.beta2)
    if cfg.name in ("gd", "sgd"):
        return torch.optim.SGD(everything, lr=cfg.lr)
    if cfg.name in ("momentum", "nesterov"):
        return torch.optim.SGD(everything, lr=cfg.lr, momentum=cfg.momentum,
                               nesterov=cfg.name == "nesterov")  # fmt: skip
    if cfg.name == "adagrad":
        return torch.optim.Adagrad(everything, lr=cfg.lr, eps=cfg.eps)
    if cfg.name == "rmsprop":
        return torch.optim.RMSprop(everything, lr=cfg.lr, alpha=cfg.rho, eps=cfg.eps)
    if cfg.name == "adam":
        return torch.optim.Adam(everything, lr=cfg.lr, betas=betas, eps=cfg.eps)
    # AdamW: decoupled decay on the weights; biases are not decayed
    groups = [{"params": weights, "weight_decay": cfg.weight_decay},
              {"params": biases, "weight_decay": 0.0}]  # fmt: skip
    return torch.optim.AdamW(groups, lr=cfg.lr, betas=betas, eps=cfg.eps)


def torch_scheduler(cfg: OptimizerConfig, opt):
    if cfg.schedule == "constant":
        return None
    if cfg.schedule == "step":
        return torch.optim.lr_scheduler.StepLR(opt, cfg.decay_steps, cfg.decay_rate)
    if cfg.schedule == "exponential":  # decay_rate per decay_steps, applied a little each step
        gamma = cfg.decay_rate ** (1 / cfg.decay_steps)
        return torch.optim.lr_scheduler.ExponentialLR(opt, gamma)
    return torch.optim.lr_scheduler.CosineAnnealingLR(opt, cfg.decay_steps, cfg.min_lr)


def train_torch(spec, x, y, params, cfg, l1=0.0, l2=0.0, batch=BATCH, epochs=EPOCHS):
    """The same steps in PyTorch; (flat params, Σ loss × rows)."""
    layout = ParamLayout.of(spec.sizes)
    ws, bs = leaves(layout, params, grad=True)
    opt = torch_optimizer(cfg, ws, bs)
    scheduler = torch_scheduler(cfg, opt)
    total = 0.0
    for step, rows in enumerate(batches(x.shape[0], batch, epochs)):
        a = torch.from_numpy(x[rows])
        for layer, (w, b) in enumerate(zip(ws, bs, strict=True)):
            z = a @ w + b
            a = TORCH_ACT[spec.activations[layer]](z)
            rate = spec.dropouts[layer]
            if rate > 0:  # the engines' masks (a hash of seed, step, layer, unit), inverted
                keep = ref.dropout_keep(SEED, step, layer, rows.size, a.shape[1], rate)
                a = a * torch.from_numpy(keep.astype(np.float32) / np.float32(1 - rate))
        loss = torch_loss(spec, z, a, torch.from_numpy(y[rows]))
        penalty = sum(l1 * w.abs().sum() + 0.5 * l2 * (w * w).sum() for w in ws)
        opt.zero_grad()
        (loss + penalty).backward()
        opt.step()
        # cosine anneals over decay_steps and then holds the floor (PyTorch's would rise again)
        if scheduler is not None and (cfg.schedule != "cosine" or step < cfg.decay_steps):
            scheduler.step()
        total += float(loss.detach()) * rows.size
    flat = np.zeros(layout.size, np.float32)
    for i, (w, b) in enumerate(zip(ws, bs, strict=True)):
        layout.weight(flat, i)[...] = w.detach().numpy()
        layout.bias(flat, i)[...] = b.detach().numpy()
    return flat, total


def torch_loss(spec, logits, out, y):
    if spec.loss == "ce":
        return F.cross_entropy(logits, y.argmax(1))
    if spec.loss == "bce":
        return F.binary_cross_entropy_with_logits(logits, y)
    return F.mse_loss(out, y)


def assert_same_run(spec, x, y, params, cfg, engine, l1=0.0, l2=0.0, batch=BATCH, epochs=EPOCHS):
    ours, our_loss, eng = train_ours(engine, spec, x, y, params, cfg, l1, l2, batch, epochs)
    theirs, their_loss = train_torch(spec, x, y, params, cfg, l1, l2, batch, epochs)
    moved = np.abs(theirs - params)  # (dead ReLUs leave a few parameters where they were)
    assert np.mean(moved > 1e-3) > 0.5 and moved.max() > 1e-2, "the run barely moved the weights"
    # float32 both sides; they differ only in summation order (and Numba's fastmath)
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-5)
    assert our_loss == pytest.approx(their_loss, rel=1e-5)
    return ours, eng


@pytest.mark.parametrize("reg", ["none", "l1", "l2", "dropout"])
@pytest.mark.parametrize("optimizer", OPTIMIZERS)
@pytest.mark.parametrize("engine", ENGINES)
def test_training_matches_pytorch(engine, optimizer, reg):
    """Each optimizer with its real hyperparameters, 9 mini-batch steps over 3 epochs."""
    spec, x, y, params = problem(dropout=DROPOUT if reg == "dropout" else 0.0)
    l1, l2 = (L1 if reg == "l1" else 0.0), (L2 if reg == "l2" else 0.0)
    # gd is full-batch gradient descent: the Trainer gives it the whole training set
    batch, epochs = (N_POINTS, 6) if optimizer == "gd" else (BATCH, EPOCHS)
    assert_same_run(spec, x, y, params, config(optimizer), engine, l1, l2, batch, epochs)


@pytest.mark.parametrize("schedule", SCHEDULES)
@pytest.mark.parametrize("optimizer", OPTIMIZERS)
@pytest.mark.parametrize("engine", ENGINES)
def test_schedules_match_pytorch(engine, optimizer, schedule):
    """PyTorch's own StepLR/ExponentialLR/CosineAnnealingLR; 15 steps see the rate change."""
    spec, x, y, params = problem()
    # step: halves at steps 4, 8, 12; cosine reaches its floor at step 6 and holds it
    steps = {"cosine": dict(decay_steps=6, min_lr=0.002)}.get(schedule, dict(decay_steps=4))
    cfg = config(optimizer, schedule=schedule, decay_rate=0.5, **steps)
    assert_same_run(spec, x, y, params, cfg, engine, l2=L2, epochs=5)


#: (output, loss, n_outputs): every head the app can build
HEADS = [("identity", "mse", 1), ("sigmoid", "mse", 1), ("sigmoid", "bce", 1),
         ("sigmoid", "bce", 3), ("softmax", "ce", 4)]  # fmt: skip


@pytest.mark.parametrize("head", HEADS, ids=lambda h: f"{h[0]}-{h[1]}-{h[2]}")
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("engine", ENGINES)
def test_every_activation_and_head_matches_pytorch(engine, activation, head):
    """Plain SGD over a full epoch (three batches), then predictions on every point."""
    spec, x, y, params = problem(activation, head)
    # a large rate (sigmoid layers under a squared error pass on small gradients), but not
    # for a linear regression, which it would send off to 1e17
    cfg = OptimizerConfig("sgd", lr=0.1 if head[0] == "identity" else 1.0)
    ours, eng = assert_same_run(spec, x, y, params, cfg, engine, epochs=1)
    a = torch.from_numpy(x)
    for name, w, b in zip(spec.activations, *leaves(ParamLayout.of(spec.sizes), ours), strict=True):
        a = TORCH_ACT[name](a @ w + b)
    np.testing.assert_allclose(eng.forward(ours, x), a.numpy(), rtol=1e-5, atol=1e-6)
