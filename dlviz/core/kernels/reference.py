"""Readable NumPy forward and backward passes: the teaching text and the test oracle.

Every function works in float32 or float64 (the dtype of the inputs), so the
same code checks the compiled float32 engine step for step and, in float64,
is itself checked against central finite differences.

Conventions (shared with :mod:`dlviz.core.kernels.cpu`):

* ``A[0]`` is the batch of input features; layer ``l`` computes
  ``Z[l+1] = A[l] @ W[l] + b[l]`` and ``A[l+1] = f(Z[l+1])``.
* Losses are means over the batch (and over outputs for mse/bce), so the
  gradient of a batch does not grow with its size.
* L1/L2 act on weights, never biases: ``loss += l1·Σ|w| + l2/2·Σw²``.
* Dropout is "inverted": kept activations are scaled by ``1/(1-rate)``; which
  units drop is a hash of (seed, step, layer, row, unit), so both engines drop
  the same units.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dlviz.core.activations import activation
from dlviz.core.network import (
    DROPOUT_GOLDEN,
    DROPOUT_HASH_BITS,
    DROPOUT_MIX1,
    DROPOUT_MIX2,
    DROPOUT_SHIFTS,
    NetworkSpec,
    ParamLayout,
    dropout_threshold,
)
from dlviz.core.optim import OptimizerConfig, OptimizerState, update

# ---------------------------------------------------------------- activations


def activate(name: str, z: np.ndarray) -> np.ndarray:
    """f(z) for a hidden or output activation (softmax works row by row).

    The formulas live in :mod:`dlviz.core.activations`, one entry per function.
    """
    return activation(name).forward(z)


def activate_grad(name: str, z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """f'(z), using the already computed a = f(z) where that is cheaper."""
    return activation(name).derivative(z, a)


# ---------------------------------------------------------------- loss


def loss_and_output_grad(
    spec: NetworkSpec, z_out: np.ndarray, a_out: np.ndarray, y: np.ndarray
) -> tuple[float, np.ndarray]:
    """Mean loss of a batch and dL/dZ of the output layer.

    ``y`` is encoded like the outputs: one-hot rows for ce (and for bce/mse
    with one output per class), a 0/1 column for binary, values for regression.
    """
    batch, k = a_out.shape
    if spec.loss == "ce":  # softmax + cross-entropy, via log-sum-exp
        zmax = z_out.max(axis=1, keepdims=True)
        logsumexp = zmax[:, 0] + np.log(np.exp(z_out - zmax).sum(axis=1))
        loss = float(np.mean(logsumexp - (z_out * y).sum(axis=1)))
        return loss, (a_out - y) / batch
    if spec.loss == "bce":  # sigmoid + binary cross-entropy on the logits
        per = np.maximum(z_out, 0) - z_out * y + np.log1p(np.exp(-np.abs(z_out)))
        return float(per.mean()), (a_out - y) / (batch * k)
    diff = a_out - y  # mse
    d_a = 2 * diff / (batch * k)
    return float(np.mean(diff * diff)), d_a * activate_grad(spec.output, z_out, a_out)


# ---------------------------------------------------------------- dropout masks

_GOLDEN = np.uint64(DROPOUT_GOLDEN)
_MIX1, _MIX2 = np.uint64(DROPOUT_MIX1), np.uint64(DROPOUT_MIX2)
_S1, _S2, _S3 = (np.uint64(s) for s in DROPOUT_SHIFTS)


def mix64(z: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: a good 64-bit hash, identical in NumPy and Numba."""
    z = (z ^ (z >> _S1)) * _MIX1
    z = (z ^ (z >> _S2)) * _MIX2
    return z ^ (z >> _S3)


def dropout_keep(
    seed: int, step: int, layer: int, batch: int, width: int, rate: float
) -> np.ndarray:
    """Boolean (batch, width) mask of kept units for one layer at one training step."""
    with np.errstate(over="ignore"):
        key = mix64(np.array([seed], dtype=np.uint64) + _GOLDEN * np.uint64(step + 1))
        key = mix64(key ^ (np.uint64(layer + 1) * _GOLDEN))
        idx = np.arange(batch * width, dtype=np.uint64).reshape(batch, width)
        bits = mix64(key + idx * _GOLDEN) >> np.uint64(64 - DROPOUT_HASH_BITS)
    return bits >= np.uint64(dropout_threshold(rate))


# ---------------------------------------------------------------- passes


@dataclass
class Tape:
    """What the forward pass keeps for the backward pass."""

    z: list[np.ndarray]  # pre-activations, z[0] unused (inputs have none)
    a: list[np.ndarray]  # activations after dropout, a[0] = input features
    keep: list[np.ndarray | None]  # dropout scale per layer output, None when off


def forward(
    spec: NetworkSpec,
    params: np.ndarray,
    x: np.ndarray,
    *,
    dropout_seed: int | None = None,
    step: int = 0,
) -> Tape:
    """Run the network on feature rows ``x``; dropout only when a seed is given (training)."""
    layout = ParamLayout.of(spec.sizes)
    z: list[np.ndarray] = [x]
    a: list[np.ndarray] = [x]
    keep: list[np.ndarray | None] = [None]
    for layer, (name, rate) in enumerate(zip(spec.activations, spec.dropouts, strict=True)):
        w = layout.weight(params, layer).astype(x.dtype)
        b = layout.bias(params, layer).astype(x.dtype)
        zl = a[-1] @ w + b
        al = activate(name, zl)
        scale = None
        if dropout_seed is not None and rate > 0:
            kept = dropout_keep(dropout_seed, step, layer, al.shape[0], al.shape[1], rate)
            scale = kept.astype(x.dtype) / x.dtype.type(1 - rate)
            al = al * scale
        z.append(zl)
        a.append(al)
        keep.append(scale)
    return Tape(z, a, keep)


def backward(
    spec: NetworkSpec, params: np.ndarray, tape: Tape, y: np.ndarray
) -> tuple[float, np.ndarray]:
    """Mean loss of the batch and the gradient of every parameter (flat, like ``params``)."""
    layout = ParamLayout.of(spec.sizes)
    grad = np.zeros(layout.size, dtype=tape.a[0].dtype)
    loss, dz = loss_and_output_grad(spec, tape.z[-1], tape.a[-1], y)
    for layer in reversed(range(layout.n_layers)):
        layout.weight(grad, layer)[...] = tape.a[layer].T @ dz  # dL/dW = A_in^T · dZ
        layout.bias(grad, layer)[...] = dz.sum(axis=0)  # dL/db = Σ_batch dZ
        if layer == 0:
            break
        da = dz @ layout.weight(params, layer).astype(dz.dtype).T  # dL/dA_in = dZ · W^T
        scale = tape.keep[layer]
        a_pre = tape.a[layer]
        if scale is not None:  # undo dropout: dropped units pass no gradient
            da = da * scale
            a_pre = np.divide(a_pre, scale, out=np.zeros_like(a_pre), where=scale != 0)
        dz = da * activate_grad(spec.activations[layer - 1], tape.z[layer], a_pre)
    return loss, grad


def regularisation(params: np.ndarray, weights_mask: np.ndarray, l1: float, l2: float) -> float:
    w = params * weights_mask
    return float(l1 * np.abs(w).sum() + 0.5 * l2 * (w * w).sum())


def add_regularisation_grad(
    grad: np.ndarray, params: np.ndarray, weights_mask: np.ndarray, l1: float, l2: float
) -> None:
    grad += weights_mask * (l1 * np.sign(params) + l2 * params).astype(grad.dtype)


def predict(spec: NetworkSpec, params: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Network outputs (probabilities or values) for feature rows ``x``."""
    return forward(spec, params, x).a[-1]


class ReferenceEngine:
    """The NumPy passes behind the same interface as the compiled engine (slow, exact)."""

    name = "reference"

    def __init__(self, spec: NetworkSpec, max_batch: int = 0, dtype: type = np.float32) -> None:
        self.spec = spec
        self.layout = ParamLayout.of(spec.sizes)
        self.wmask = self.layout.weights_mask()
        self.dtype = dtype

    def train_batches(
        self,
        params: np.ndarray,
        grad: np.ndarray,
        state: OptimizerState,
        cfg: OptimizerConfig,
        x: np.ndarray,
        y: np.ndarray,
        order: np.ndarray,
        pos: int,
        n_batches: int,
        batch_size: int,
        lrs: np.ndarray,
        l1: float,
        l2: float,
        seed: int,
        step: int,
        epoch_ends: np.ndarray | None = None,
    ) -> float:
        """Same contract as :meth:`dlviz.core.kernels.cpu.NumbaEngine.train_batches`."""
        ends = [order.size] if epoch_ends is None else [int(e) for e in epoch_ends]
        loss_sum = 0.0
        start = pos
        for i in range(n_batches):
            end = next((e for e in ends if e > start), None)
            if end is None:
                break  # the shuffles given are used up
            rows = order[start : min(start + batch_size, end)]
            start += rows.size
            xb, yb = x[rows].astype(self.dtype), y[rows].astype(self.dtype)
            p: np.ndarray = params.astype(self.dtype)
            tape = forward(self.spec, p, xb, dropout_seed=seed, step=step + i)
            loss, g = backward(self.spec, p, tape, yb)
            add_regularisation_grad(g, p, self.wmask, l1, l2)
            grad[...] = g
            update(cfg, params, grad, state, float(lrs[i]), self.wmask)
            loss_sum += loss * rows.size
        return loss_sum

    def forward(self, params: np.ndarray, x: np.ndarray, keep_all: bool = False) -> np.ndarray:
        tape = forward(self.spec, params.astype(self.dtype), x.astype(self.dtype))
        if keep_all:
            return np.concatenate(tape.a[1:], axis=1).astype(np.float32)
        return tape.a[-1].astype(np.float32)

    def outputs(self, params: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(logits, outputs) for rows ``x``: the output layer before and after its activation."""
        tape = forward(self.spec, params.astype(self.dtype), x.astype(self.dtype))
        return tape.z[-1].astype(np.float32), tape.a[-1].astype(np.float32)
