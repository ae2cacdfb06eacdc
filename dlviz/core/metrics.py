"""How well a network does: the loss, accuracy, R², predicted classes and confusion matrix.

The one home of these formulas; the trainer's snapshots, ``Trainer.evaluate``,
the CLI's ``--json``, early stopping and the confusion view all use them.

The loss is the training objective itself, computed from the output layer's
pre-activations (logits) exactly as the engines train with it
(:func:`dlviz.core.kernels.reference.loss_and_output_grad`, which the tests
compare it with): cross-entropy through log-sum-exp, binary cross-entropy
through ``softplus``, never ``log`` of a clipped probability, so a saturated
wrong prediction reports its true (large) loss.  The L1/L2 penalty is not part
of it: it is a property of the weights, not of how the data is fitted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Metrics:
    """Loss and accuracy (classification) or R² (regression) on one set of points."""

    loss: float | None
    accuracy: float | None
    r2: float | None


NO_POINTS = Metrics(None, None, None)


def mean_loss(loss: str, logits: np.ndarray, outputs: np.ndarray, targets: np.ndarray) -> float:
    """Mean loss over rows (and over outputs for mse/bce), in float64.

    ``targets`` are encoded like the outputs (one-hot rows for ``ce``, 0/1
    columns for ``bce``, values for ``mse``).
    """
    z = np.asarray(logits, np.float64)
    y = np.asarray(targets, np.float64)
    if loss == "ce":
        zmax = z.max(axis=1, keepdims=True)
        logsumexp = zmax[:, 0] + np.log(np.exp(z - zmax).sum(axis=1))
        return float(np.mean(logsumexp - (z * y).sum(axis=1)))
    if loss == "bce":
        return float(np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))))
    if loss == "mse":
        diff = np.asarray(outputs, np.float64) - y
        return float(np.mean(diff * diff))
    raise ValueError(f"unknown loss {loss!r}")


def predicted_classes(outputs: np.ndarray) -> np.ndarray:
    """Class per row from network outputs (one sigmoid column or one column per class)."""
    if outputs.shape[1] == 1:
        return (outputs[:, 0] > 0.5).astype(np.int64)
    return np.asarray(outputs.argmax(axis=1), np.int64)


def accuracy(outputs: np.ndarray, labels: np.ndarray) -> float:
    """Share of rows whose predicted class is the label."""
    return float(np.mean(predicted_classes(outputs) == np.asarray(labels, np.int64)))


def r_squared(outputs: np.ndarray, targets: np.ndarray) -> float | None:
    """Coefficient of determination (1 - SS_res / SS_tot); None when the targets are constant."""
    out = np.asarray(outputs, np.float64)
    y = np.asarray(targets, np.float64)
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    if ss_tot <= 0:
        return None
    return 1.0 - float(np.sum((out - y) ** 2)) / ss_tot


def confusion_matrix(truth: np.ndarray, predicted: np.ndarray, k: int) -> np.ndarray:
    """(k, k) int64 counts: row = true class, column = predicted class."""
    m = np.zeros((k, k), np.int64)
    np.add.at(m, (np.asarray(truth, np.int64), np.asarray(predicted, np.int64)), 1)
    return m


def per_class_accuracy(matrix: np.ndarray) -> np.ndarray:
    """Recall of each class (NaN for a class with no points)."""
    totals = matrix.sum(axis=1).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, np.diag(matrix) / totals, np.nan)


def evaluate(
    loss: str,
    kind: str,
    logits: np.ndarray,
    outputs: np.ndarray,
    targets: np.ndarray,
    labels: np.ndarray,
) -> Metrics:
    """All metrics of one set of points: ``targets`` encoded like the outputs, ``labels``
    the raw targets (class numbers, or values)."""
    if outputs.shape[0] == 0:
        return NO_POINTS
    value = mean_loss(loss, logits, outputs, targets)
    if kind == "classify":
        return Metrics(value, accuracy(outputs, labels), None)
    return Metrics(value, None, r_squared(outputs, targets))
