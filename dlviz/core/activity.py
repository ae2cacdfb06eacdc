"""Activation functions as curves, and where a layer's pre-activations fall on them.

The activation view plots f(z) and f′(z) of each layer's activation with the
distribution of that layer's current pre-activations z under the curve, so
a sigmoid's flat tails or a dead ReLU can be seen.  The curves are the
reference engine's own functions; the pre-activations come from the
reference forward pass on the given points.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dlviz.core.kernels.reference import activate, activate_grad, forward
from dlviz.core.network import NetworkSpec, spec_features

#: Below this |f′(z)| a unit passes (almost) no gradient back: saturated, or dead for ReLU.
FLAT_SLOPE = 0.05


def curve(name: str, z: np.ndarray, n_classes: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """(f(z), f′(z)) over the values ``z``.

    Softmax is a function of all the logits; its curve is one class's
    probability as its own logit varies with the others at 0, and the slope
    ∂p/∂z of that class, p(1 − p).
    """
    z = np.asarray(z, np.float64)
    if name == "softmax":
        p = np.exp(z) / (np.exp(z) + (n_classes - 1))
        return p, p * (1 - p)
    a = activate(name, z)
    return a, activate_grad(name, z, a)


@dataclass(frozen=True)
class LayerActivity:
    """One weight layer's pre-activations on the sample and how many of them are flat."""

    activation: str
    z: np.ndarray  # (points, neurons)
    #: Share of (point, neuron) pairs where |f′(z)| < FLAT_SLOPE (softmax/identity: None).
    flat_share: float | None
    #: Neurons flat for every point of the sample (a dead ReLU, a saturated sigmoid).
    flat_neurons: int


def layer_activity(
    spec: NetworkSpec, params: np.ndarray, inputs: np.ndarray
) -> list[LayerActivity]:
    """Pre-activations of every layer for raw input rows (normalised and mapped as in training)."""
    x = spec_features(spec, inputs)  # the feature map, or an image's pixels
    tape = forward(spec, params.astype(np.float32), x.astype(np.float32))
    out = []
    for layer, name in enumerate(spec.activations, start=1):
        z = tape.z[layer].astype(np.float64)
        if name in ("softmax", "identity", "linear") or z.size == 0:
            out.append(LayerActivity(name, z, None, 0))
            continue
        slope = np.abs(activate_grad(name, z, activate(name, z)))
        flat = slope < FLAT_SLOPE
        out.append(LayerActivity(name, z, float(flat.mean()), int(flat.all(axis=0).sum())))
    return out
