"""One training point through the four phases of backpropagation, with every number kept.

The course teaches a training step as forward pass, loss, backward pass and
update.  :func:`explain_point` does exactly that for one point (a batch of
one), layer by layer, in readable NumPy and float64, and keeps every
intermediate: pre-activations ``z``, activations ``a``, the loss, the deltas
``δ = ∂L/∂z``, the gradients ``∂L/∂W = a_inᵀ·δ`` and ``∂L/∂b = δ``, and the
optimizer's state before and after its step.  The step-through panel shows
these numbers and ``dlviz explain`` prints them.

The arithmetic is the reference engine's (:mod:`dlviz.core.kernels.reference`),
written out per layer; dropout is off (one point, one deterministic pass).
The optimizer rules are :func:`dlviz.core.optim.update`'s, written out with
every named quantity (Adam's m̂ and v̂ included).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dlviz.core.errors import DlvizError
from dlviz.core.features import compute_features
from dlviz.core.kernels.reference import activate, activate_grad
from dlviz.core.metrics import mean_loss
from dlviz.core.network import NetworkSpec, ParamLayout
from dlviz.core.optim import OptimizerConfig, OptimizerState, learning_rates
from dlviz.core.trainer import Trainer

#: The state each optimizer keeps, by the names the course uses (GD and SGD keep none).
STATE_NAMES: dict[str, tuple[str, ...]] = {
    "gd": (),
    "sgd": (),
    "momentum": ("m",),
    "nesterov": ("m",),
    "adagrad": ("v",),
    "rmsprop": ("v",),
    "adam": ("m", "v"),
    "adamw": ("m", "v"),
}

#: The loss of one point, as a formula a slide would show.
LOSS_FORMULAS = {
    "mse": "L = (1/k) Σ (a − y)²",
    "bce": "L = −(1/k) Σ [y·log a + (1−y)·log(1−a)]",
    "ce": "L = −Σ y·log a",
}

#: Each optimizer's update rule (g = ∂L/∂w, η = learning rate), as the panel prints it.
UPDATE_RULES = {
    "gd": "w ← w − η·g",
    "sgd": "w ← w − η·g",
    "momentum": "m ← μ·m + g;  w ← w − η·m",
    "nesterov": "m ← μ·m + g;  w ← w − η·(g + μ·m)",
    "adagrad": "v ← v + g²;  w ← w − η·g / (√v + ε)",
    "rmsprop": "v ← ρ·v + (1−ρ)·g²;  w ← w − η·g / (√v + ε)",
    "adam": "m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  m̂ = m/(1−β₁ᵗ);  v̂ = v/(1−β₂ᵗ);  "
    "w ← w − η·m̂ / (√v̂ + ε)",
    "adamw": "w ← w − η·λ·w;  then Adam's step",
}


@dataclass
class LayerStep:
    """One weight layer's numbers for the point: forward, backward and update."""

    w: np.ndarray  # W before the step, (fan_in, fan_out)
    b: np.ndarray  # b before the step
    z: np.ndarray  # pre-activation z = a_in·W + b
    a: np.ndarray  # activation a = f(z)
    delta: np.ndarray = field(default_factory=lambda: np.zeros(0))  # ∂L/∂z
    d_w: np.ndarray = field(default_factory=lambda: np.zeros(0))  # ∂L/∂W (with L1/L2)
    d_b: np.ndarray = field(default_factory=lambda: np.zeros(0))  # ∂L/∂b
    new_w: np.ndarray = field(default_factory=lambda: np.zeros(0))
    new_b: np.ndarray = field(default_factory=lambda: np.zeros(0))


@dataclass
class Explanation:
    """Everything :func:`explain_point` computed for one point."""

    spec: NetworkSpec
    inputs: np.ndarray  # the raw point
    features: np.ndarray  # what the first layer sees (normalised, feature-mapped)
    target: np.ndarray  # the target, encoded like the outputs
    layers: list[LayerStep]
    loss: float  # the data loss, averaged as training averages it
    regularisation: float  # l1·Σ|w| + l2/2·Σw² (not part of ``loss``, as in training)
    optimizer: OptimizerConfig
    lr: float
    l1: float
    l2: float
    state_before: OptimizerState
    state_after: OptimizerState
    #: Adam's bias-corrected moments of this step (flat, like the parameters); else None.
    m_hat: np.ndarray | None = None
    v_hat: np.ndarray | None = None

    @property
    def gradient(self) -> np.ndarray:
        """∂L/∂θ of the point (L1/L2 included), flat float32 like the trainer's gradients."""
        layout = ParamLayout.of(self.spec.sizes)
        flat = np.zeros(layout.size, np.float32)
        for i, layer in enumerate(self.layers):
            layout.weight(flat, i)[...] = layer.d_w
            layout.bias(flat, i)[...] = layer.d_b
        return flat

    @property
    def new_params(self) -> np.ndarray:
        """The parameters after the step, flat float32 as a trainer keeps them."""
        layout = ParamLayout.of(self.spec.sizes)
        flat = np.zeros(layout.size, np.float32)
        for i, layer in enumerate(self.layers):
            layout.weight(flat, i)[...] = layer.new_w
            layout.bias(flat, i)[...] = layer.new_b
        return flat

    def to_json(self) -> dict[str, Any]:
        """The object ``dlviz explain --json`` prints (see the README)."""
        layout = ParamLayout.of(self.spec.sizes)
        out: dict[str, Any] = {
            "network": self.spec.describe(),
            "point": _floats(self.inputs),
            "target": _floats(self.target),
            "forward": [{"a": _floats(self.features)}]
            + [{"z": _floats(s.z), "a": _floats(s.a)} for s in self.layers],
            "loss_function": self.spec.loss,
            "loss": self.loss,
            "regularisation": self.regularisation,
            "backward": [
                {"delta": _floats(s.delta), "dW": _rows(s.d_w), "db": _floats(s.d_b)}
                for s in self.layers
            ],
            "optimizer": self.optimizer.name,
            "lr": self.lr,
            "l1": self.l1,
            "l2": self.l2,
            "new": [{"W": _rows(s.new_w), "b": _floats(s.new_b)} for s in self.layers],
        }
        names = STATE_NAMES[self.optimizer.name]
        if names:
            before: dict[str, Any] = {"t": self.state_before.t}
            after: dict[str, Any] = {"t": self.state_after.t}
            for name in names:
                before[name] = _per_layer(layout, getattr(self.state_before, name))
                after[name] = _per_layer(layout, getattr(self.state_after, name))
            if self.m_hat is not None and self.v_hat is not None:
                after["m_hat"] = _per_layer(layout, self.m_hat)
                after["v_hat"] = _per_layer(layout, self.v_hat)
            out["optimizer_state"] = {"before": before, "after": after}
        return out


def _floats(arr: np.ndarray) -> list[float]:
    return [float(v) for v in np.ravel(arr)]


def _rows(arr: np.ndarray) -> list[list[float]]:
    return [[float(v) for v in row] for row in arr]


def _per_layer(layout: ParamLayout, flat: np.ndarray) -> list[dict[str, Any]]:
    return [
        {"W": _rows(layout.weight(flat, i)), "b": _floats(layout.bias(flat, i))}
        for i in range(layout.n_layers)
    ]


def encode_target(spec: NetworkSpec, kind: str, target: float, n_classes: int) -> np.ndarray:
    """The target as the outputs encode it: 0/1 for one sigmoid output, one-hot for
    several outputs, the value itself for regression.  Out of range raises."""
    if kind != "classify":
        if not np.isfinite(target):
            raise DlvizError(f"target {target} is not a finite number")
        return np.array([target], np.float64)
    classes = 2 if spec.n_outputs == 1 else spec.n_outputs
    if n_classes >= 2:
        classes = min(classes, n_classes)
    if not (np.isfinite(target) and target == int(target) and 0 <= target < classes):
        raise DlvizError(
            f"target {target:g} is not a class of this model; give a class index 0 to {classes - 1}"
        )
    if spec.n_outputs == 1:
        return np.array([float(target)])
    onehot = np.zeros(spec.n_outputs)
    onehot[int(target)] = 1.0
    return onehot


def point_features(spec: NetworkSpec, point: np.ndarray) -> np.ndarray:
    """The first layer's input for one raw point: normalised, then feature-mapped."""
    shift = np.array(spec.input_shift) if spec.input_shift else None
    scale = np.array(spec.input_scale) if spec.input_scale else None
    raw = np.asarray(point, np.float64).reshape(1, -1)
    return compute_features(raw, spec.features, shift, scale)[0]


def point_loss(spec: NetworkSpec, z_out: np.ndarray, a_out: np.ndarray, y: np.ndarray) -> float:
    """The loss of one point, averaged over the outputs for MSE and BCE as training does
    (:func:`dlviz.core.metrics.mean_loss` on one row: from the logits, never overflowing)."""
    row = (1, -1)
    return mean_loss(spec.loss, z_out.reshape(row), a_out.reshape(row), np.reshape(y, row))


def output_delta(spec: NetworkSpec, z_out: np.ndarray, a_out: np.ndarray, y: np.ndarray) -> Any:
    """δ of the output layer, ∂L/∂z.  Softmax + CE and sigmoid + BCE collapse to a − y."""
    k = a_out.size
    if spec.loss == "ce":
        return a_out - y
    if spec.loss == "bce":
        return (a_out - y) / k
    return 2 * (a_out - y) / k * activate_grad(spec.output, z_out, a_out)


def explain_point(
    spec: NetworkSpec,
    params: np.ndarray,
    point: np.ndarray,
    target: np.ndarray,
    optimizer: OptimizerConfig,
    *,
    state: OptimizerState | None = None,
    lr: float | None = None,
    l1: float = 0.0,
    l2: float = 0.0,
) -> Explanation:
    """Forward, loss, backward and one optimizer step for one raw ``point``.

    ``target`` is encoded like the outputs (:func:`encode_target`).  ``state``
    is the optimizer's state before the step (fresh when None) and is not
    changed; ``lr`` defaults to the optimizer's own rate.
    """
    layout = ParamLayout.of(spec.sizes)
    p = params.astype(np.float64)
    y = np.asarray(target, np.float64)
    x = point_features(spec, point)

    # 1. forward: z = a_in·W + b, a = f(z), layer after layer
    layers: list[LayerStep] = []
    a_in = x
    for i, name in enumerate(spec.activations):
        w, b = layout.weight(p, i).copy(), layout.bias(p, i).copy()
        z = a_in @ w + b
        a = activate(name, z.reshape(1, -1))[0]  # softmax works on rows
        layers.append(LayerStep(w, b, z, a))
        a_in = a

    # 2. loss
    out = layers[-1]
    loss = point_loss(spec, out.z, out.a, y)
    weights = [s.w for s in layers]
    reg = float(l1 * sum(np.abs(w).sum() for w in weights))
    reg += float(0.5 * l2 * sum((w * w).sum() for w in weights))

    # 3. backward: δ of the output, then δ_in = (δ·Wᵀ) ⊙ f'(z_in) right to left
    delta = output_delta(spec, out.z, out.a, y)
    for i in reversed(range(len(layers))):
        s = layers[i]
        a_prev = x if i == 0 else layers[i - 1].a
        s.delta = delta
        s.d_w = np.outer(a_prev, delta) + l1 * np.sign(s.w) + l2 * s.w  # ∂L/∂W = a_inᵀ·δ
        s.d_b = delta.copy()  # ∂L/∂b = δ
        if i > 0:
            prev = layers[i - 1]
            delta = (delta @ s.w.T) * activate_grad(spec.activations[i - 1], prev.z, prev.a)

    # 4. update: the optimizer's rule on the flat vectors, every quantity kept
    grad = np.zeros(layout.size)
    for i, s in enumerate(layers):
        layout.weight(grad, i)[...] = s.d_w
        layout.bias(grad, i)[...] = s.d_b
    before = state.copy() if state is not None else OptimizerState.zeros(layout.size)
    rate = optimizer.lr if lr is None else float(lr)
    new, after, m_hat, v_hat = optimizer_step(
        optimizer, p, grad, before, rate, layout.weights_mask().astype(np.float64)
    )
    for i, s in enumerate(layers):
        s.new_w = layout.weight(new, i).copy()
        s.new_b = layout.bias(new, i).copy()
    return Explanation(
        spec, np.asarray(point, np.float64).ravel(), x, y, layers, loss, reg, optimizer,
        rate, l1, l2, before, after, m_hat, v_hat,
    )  # fmt: skip


def optimizer_step(
    cfg: OptimizerConfig,
    params: np.ndarray,
    g: np.ndarray,
    state: OptimizerState,
    lr: float,
    weights_mask: np.ndarray,
) -> tuple[np.ndarray, OptimizerState, np.ndarray | None, np.ndarray | None]:
    """One step in float64 without touching the inputs: (new params, new state, m̂, v̂).

    The rules are those of :func:`dlviz.core.optim.update` (PyTorch's).
    """
    t = state.t + 1
    m = state.m.astype(np.float64)
    v = state.v.astype(np.float64)
    w = params.copy()
    m_hat = v_hat = None
    name = cfg.name
    if name in ("gd", "sgd"):
        w = w - lr * g
    elif name == "momentum":
        m = cfg.momentum * m + g
        w = w - lr * m
    elif name == "nesterov":
        m = cfg.momentum * m + g
        w = w - lr * (g + cfg.momentum * m)
    elif name == "adagrad":
        v = v + g * g
        w = w - lr * g / (np.sqrt(v) + cfg.eps)
    elif name == "rmsprop":
        v = cfg.rho * v + (1 - cfg.rho) * g * g
        w = w - lr * g / (np.sqrt(v) + cfg.eps)
    else:  # adam, adamw
        if name == "adamw":  # decoupled weight decay, on weights only, before Adam's step
            w = w - lr * cfg.weight_decay * weights_mask * w
        m = cfg.beta1 * m + (1 - cfg.beta1) * g
        v = cfg.beta2 * v + (1 - cfg.beta2) * g * g
        m_hat = m / (1 - cfg.beta1**t)
        v_hat = v / (1 - cfg.beta2**t)
        w = w - lr * m_hat / (np.sqrt(v_hat) + cfg.eps)
    after = OptimizerState(m.astype(np.float32), v.astype(np.float32), t)
    return w, after, m_hat, v_hat


def explain_for_trainer(trainer: Trainer, point: np.ndarray, target: float) -> Explanation:
    """The point's step with the trainer's optimizer, state, scheduled rate and L1/L2."""
    ds = trainer.dataset
    y = encode_target(trainer.spec, ds.kind, target, ds.n_classes)
    cfg = trainer.config
    lr = float(learning_rates(cfg.optimizer, trainer.step, 1)[0])
    return explain_point(trainer.spec, trainer.params.copy(), point, y, cfg.optimizer,
                         state=trainer.state, lr=lr, l1=cfg.l1, l2=cfg.l2)  # fmt: skip


def apply_explanation(trainer: Trainer, e: Explanation, params_before: np.ndarray) -> None:
    """Take the explained step in ``trainer``: a batch of one, counted as one optimizer step.

    ``params_before`` are the weights the point was explained with; if the
    trainer has moved on since, nothing changes and :class:`DlvizError` says so.
    """
    if trainer.params.shape != params_before.shape or not np.array_equal(
        trainer.params, params_before
    ):
        raise DlvizError("the network has changed since this step was worked out; start again")
    # weights set from outside a training call: the trainer judges them before it trains
    # from them (a step at a huge rate can wreck them) and can fall back on these
    trainer._outside_change()
    trainer.params[...] = e.new_params
    trainer.grads[...] = e.gradient
    trainer.state = e.state_after.copy()
    trainer.step += 1
    trainer.samples += 1
