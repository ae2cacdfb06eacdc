"""Optimizers and learning-rate schedules.

An optimizer is a name, a few hyperparameters and two state vectors ``m`` and
``v`` shaped like the flat parameters (what each holds depends on the
optimizer).  :func:`update` is the readable NumPy form; the compiled engine
has the same arithmetic in :func:`dlviz.core.kernels.cpu.apply_update` and the
tests compare them.  The update rules follow PyTorch's ``torch.optim`` so that
runs can be checked against it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from dlviz.core.errors import DlvizError

if TYPE_CHECKING:
    from dlviz.core.network import NetworkSpec

OPTIMIZERS = ("gd", "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw")
SCHEDULES = ("constant", "step", "exponential", "cosine")
OPTIMIZER_CODE = {name: i for i, name in enumerate(OPTIMIZERS)}

OPTIMIZER_LABELS = {
    "gd": "Gradient descent (full batch)",
    "sgd": "SGD (mini-batch)",
    "momentum": "Momentum",
    "nesterov": "Nesterov momentum",
    "adagrad": "AdaGrad",
    "rmsprop": "RMSprop",
    "adam": "Adam",
    "adamw": "AdamW",
}


@dataclass(frozen=True)
class OptimizerConfig:
    """Which optimizer, its learning rate and schedule, and its hyperparameters."""

    name: str = "adam"
    lr: float = 0.01
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    rho: float = 0.9  # RMSprop's decay of the squared-gradient average
    weight_decay: float = 0.01  # AdamW only (decoupled)
    schedule: str = "constant"
    decay_rate: float = 0.5  # step: factor per decay_steps; exponential: factor per decay_steps
    decay_steps: int = 1000  # step/exponential: steps per decay; cosine: steps to reach min_lr
    min_lr: float = 0.0

    def __post_init__(self) -> None:
        if self.name not in OPTIMIZERS:
            raise DlvizError(
                f"unknown optimizer '{self.name}'; choose from {', '.join(OPTIMIZERS)}"
            )
        if self.schedule not in SCHEDULES:
            raise DlvizError(
                f"unknown schedule '{self.schedule}'; choose from {', '.join(SCHEDULES)}"
            )
        if not (math.isfinite(self.lr) and 0 < self.lr <= 10):
            raise DlvizError(f"learning rate {self.lr} is out of range; use a value in (0, 10]")
        if not 0 <= self.momentum < 1:
            raise DlvizError("momentum must be at least 0 and below 1")
        if not (0 <= self.beta1 < 1 and 0 <= self.beta2 < 1 and 0 <= self.rho < 1):
            raise DlvizError("beta1, beta2 and rho must be at least 0 and below 1")
        if not (math.isfinite(self.eps) and 0 < self.eps <= 1):
            raise DlvizError(f"epsilon {self.eps} is out of range; use a value in (0, 1]")
        if not (math.isfinite(self.weight_decay) and 0 <= self.weight_decay <= 10):
            raise DlvizError(f"weight decay {self.weight_decay} is out of range; use 0 to 10")
        if not (math.isfinite(self.min_lr) and 0 <= self.min_lr <= self.lr):
            raise DlvizError("the smallest learning rate must be from 0 up to the learning rate")
        if self.decay_steps < 1:
            raise DlvizError("decay steps must be at least 1")
        if not 0 < self.decay_rate <= 1:
            raise DlvizError("decay rate must be in (0, 1]")

    @property
    def code(self) -> int:
        return OPTIMIZER_CODE[self.name]

    def hyper(self) -> np.ndarray:
        """Hyperparameters in the order the kernels read them."""
        return np.array(
            [self.momentum, self.beta1, self.beta2, self.eps, self.rho, self.weight_decay],
            dtype=np.float32,
        )


def default_optimizer(spec: NetworkSpec) -> str:
    """The optimizer ``dlviz train`` and lessons use when none is named.

    A model without hidden layers is the textbook convex case: plain SGD solves it in a
    few epochs, where Adam's small steps would still be walking towards the answer.
    """
    return "adam" if spec.hidden else "sgd"


def default_lr(name: str) -> float:
    """The learning rate used with optimizer ``name`` when none is given."""
    return 0.01 if name.startswith("adam") else 0.1


#: Smallest learning rate the app offers (its slider's lower end).
MIN_LEARNING_RATE = 1e-5


def lowered_learning_rate(lr: float) -> float:
    """What to try after the loss diverged: a tenth of ``lr``, no lower than MIN_LEARNING_RATE."""
    return max(lr / 10, MIN_LEARNING_RATE)


def divergence_advice(lr: float) -> str:
    """What a divergence message tells the user to do at learning rate ``lr``."""
    lower = lowered_learning_rate(lr)
    if lower < lr:
        return f"lower the learning rate (now {lr:g}; try {lower:g})"
    # a tenth would go below what the app offers: lowering again would loop
    return (
        f"the learning rate is already the lowest dlviz offers ({lr:g}): reset the weights, "
        "or choose another optimizer, activation or a smaller network"
    )


def learning_rates(cfg: OptimizerConfig, first_step: int, count: int) -> np.ndarray:
    """Learning rate (float32) for each of ``count`` steps starting at step ``first_step``."""
    t = np.arange(first_step, first_step + count, dtype=np.float64)
    if cfg.schedule == "constant":
        lr = np.full(count, cfg.lr)
    elif cfg.schedule == "step":
        lr = cfg.lr * cfg.decay_rate ** np.floor(t / cfg.decay_steps)
    elif cfg.schedule == "exponential":
        lr = cfg.lr * cfg.decay_rate ** (t / cfg.decay_steps)
    else:  # cosine annealing to min_lr over decay_steps, then held
        frac = np.minimum(t, cfg.decay_steps) / cfg.decay_steps
        lr = cfg.min_lr + 0.5 * (cfg.lr - cfg.min_lr) * (1 + np.cos(np.pi * frac))
    return lr.astype(np.float32)


@dataclass
class OptimizerState:
    """Per-parameter state (momentum/velocity, squared-gradient averages) and the step count."""

    m: np.ndarray
    v: np.ndarray
    t: int = 0

    @classmethod
    def zeros(cls, size: int) -> OptimizerState:
        return cls(np.zeros(size, np.float32), np.zeros(size, np.float32), 0)

    def copy(self) -> OptimizerState:
        return OptimizerState(self.m.copy(), self.v.copy(), self.t)


def update(
    cfg: OptimizerConfig,
    params: np.ndarray,
    grad: np.ndarray,
    state: OptimizerState,
    lr: float,
    weights_mask: np.ndarray,
) -> None:
    """One optimizer step in place (NumPy); ``state.t`` counts steps taken, 1 after the first."""
    state.t += 1
    m, v, dt = state.m, state.v, params.dtype.type
    g = grad
    if cfg.name in ("gd", "sgd"):
        params -= dt(lr) * g
    elif cfg.name == "momentum":
        m[...] = dt(cfg.momentum) * m + g
        params -= dt(lr) * m
    elif cfg.name == "nesterov":
        m[...] = dt(cfg.momentum) * m + g
        params -= dt(lr) * (g + dt(cfg.momentum) * m)
    elif cfg.name == "adagrad":
        v += g * g
        params -= dt(lr) * g / (np.sqrt(v) + dt(cfg.eps))
    elif cfg.name == "rmsprop":
        v[...] = dt(cfg.rho) * v + dt(1 - cfg.rho) * g * g
        params -= dt(lr) * g / (np.sqrt(v) + dt(cfg.eps))
    else:  # adam, adamw
        if cfg.name == "adamw":  # decoupled weight decay, weights only
            params -= dt(lr * cfg.weight_decay) * weights_mask * params
        m[...] = dt(cfg.beta1) * m + dt(1 - cfg.beta1) * g
        v[...] = dt(cfg.beta2) * v + dt(1 - cfg.beta2) * g * g
        m_hat = m / dt(1 - cfg.beta1**state.t)
        v_hat = v / dt(1 - cfg.beta2**state.t)
        params -= dt(lr) * m_hat / (np.sqrt(v_hat) + dt(cfg.eps))
