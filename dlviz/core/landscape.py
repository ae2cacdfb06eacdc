"""The loss landscape: the training loss over a 2-D slice of weight space.

A slice is a centre ``θ₀`` and two directions ``d₁, d₂``; the landscape is
``L(θ₀ + α·d₁ + β·d₂)`` on a grid of (α, β).  Which slice:

* a model with exactly two parameters (1-D linear regression ``y = w·x + b``)
  has its whole loss surface in the plane: the axes are w and b themselves;
* any other model is cut along two filter-normalised random directions (Li
  et al. 2018, "Visualizing the Loss Landscape of Neural Nets"): Gaussian
  directions whose part feeding each neuron is rescaled to the norm of that
  neuron's incoming weights, zero on biases, so that the picture does not
  depend on how large the weights happen to be;
* or the two principal directions of one or more training paths (what a
  race's racers walked), so the paths lie in the picture.

The loss is the one training reports (:meth:`Trainer.evaluate`'s formulas,
without the L1/L2 term).  :func:`loss_grid` is the compiled version, one
forward pass per grid point through the engine's own kernel;
:func:`loss_grid_reference` is the NumPy version it is tested against.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from dlviz.core.errors import DlvizError
from dlviz.core.kernels.cpu import NumbaEngine
from dlviz.core.kernels.landscape import loss_row
from dlviz.core.kernels.reference import forward
from dlviz.core.metrics import mean_loss
from dlviz.core.network import NetworkSpec, ParamLayout

#: Grid points per side of the picture by default: 41² forward passes over at most
#: EVAL_LIMIT training points.
DEFAULT_RES = 41


@dataclass(frozen=True)
class Slice:
    """A plane through weight space: ``θ = centre + α·d1 + β·d2``."""

    centre: np.ndarray
    d1: np.ndarray
    d2: np.ndarray
    #: True when the axes are the model's two parameters themselves (α = w, β = b).
    exact: bool
    axis_names: tuple[str, str]

    def coords(self, params: np.ndarray) -> tuple[float, float]:
        """(α, β) of the point of the plane nearest to ``params`` (least squares)."""
        basis = np.column_stack([self.d1, self.d2]).astype(np.float64)
        offset = params.astype(np.float64) - self.centre
        (alpha, beta), *_ = np.linalg.lstsq(basis, offset, rcond=None)
        return float(alpha), float(beta)

    def point(self, alpha: float, beta: float) -> np.ndarray:
        return (self.centre + alpha * self.d1 + beta * self.d2).astype(np.float32)


@dataclass(frozen=True)
class Landscape:
    """Training loss on a grid of the slice: ``losses[j, i]`` at ``(alphas[i], betas[j])``."""

    plane: Slice
    alphas: np.ndarray
    betas: np.ndarray
    losses: np.ndarray

    def minimum(self) -> tuple[float, float, float]:
        """(α, β, loss) of the grid point with the lowest loss."""
        j, i = np.unravel_index(np.nanargmin(self.losses), self.losses.shape)
        return float(self.alphas[i]), float(self.betas[j]), float(self.losses[j, i])


# ---------------------------------------------------------------- slices


def two_parameter_slice(spec: NetworkSpec, params: np.ndarray) -> Slice | None:
    """The exact (w, b) plane of a model with two parameters; None for any other model."""
    if params.size != 2:
        return None
    zero = np.zeros(2)
    names = ("w", "b") if spec.sizes == (1, 1) else ("parameter 1", "parameter 2")
    return Slice(zero, np.array([1.0, 0.0]), np.array([0.0, 1.0]), True, names)


def random_slice(spec: NetworkSpec, params: np.ndarray, seed: int = 0) -> Slice:
    """Two filter-normalised Gaussian directions through ``params`` (Li et al. 2018)."""
    layout = ParamLayout.of(spec.sizes)
    rng = np.random.default_rng(seed)
    p = params.astype(np.float64)
    directions = []
    for _ in range(2):
        d = np.zeros(layout.size)
        for layer in range(layout.n_layers):
            w = layout.weight(p, layer)
            dw = rng.normal(size=w.shape)
            # each neuron's incoming weights are a column: give the direction its norm
            norms = np.linalg.norm(w, axis=0) / np.maximum(np.linalg.norm(dw, axis=0), 1e-12)
            layout.weight(d, layer)[...] = dw * norms
        directions.append(d)
    return Slice(p, directions[0], directions[1], False, ("direction 1", "direction 2"))


def path_slice(paths: Sequence[Sequence[np.ndarray]]) -> Slice:
    """The plane of the two principal directions of the weight paths, through their end.

    The directions are scaled to the spread of the paths along them, so α and β
    of ±1 span the walk.
    """
    points = np.array([np.asarray(p, np.float64) for path in paths for p in path])
    if points.shape[0] < 3:
        raise DlvizError("the training path is too short for its principal directions")
    centre = np.mean([np.asarray(path[-1], np.float64) for path in paths], axis=0)
    _, sing, vt = np.linalg.svd(points - centre, full_matrices=False)
    if sing.size < 2 or sing[1] <= 1e-12 * max(sing[0], 1e-30):
        raise DlvizError("the training path moved along one direction only")
    spread = np.abs((points - centre) @ vt[:2].T).max(axis=0)
    d1, d2 = vt[0] * spread[0], vt[1] * spread[1]
    return Slice(centre, d1, d2, False, ("path direction 1", "path direction 2"))


def default_span(plane: Slice, params: np.ndarray) -> float:
    """Half-width of the picture: ±1 direction for random slices, wider for exact ones."""
    if not plane.exact:
        return 1.0
    return float(max(1.0, 1.5 * np.abs(params).max()))


def least_squares(spec: NetworkSpec, x: np.ndarray, y: np.ndarray) -> np.ndarray | None:
    """(w, b) of the least-squares line for a linear MSE model with one input; else None."""
    if spec.sizes != (1, 1) or spec.output != "identity" or spec.loss != "mse":
        return None
    design = np.column_stack([x[:, 0], np.ones(len(x))]).astype(np.float64)
    solution, *_ = np.linalg.lstsq(design, y[:, 0].astype(np.float64), rcond=None)
    return np.asarray(solution)


# ---------------------------------------------------------------- the NumPy oracle


def loss_grid_reference(
    spec: NetworkSpec,
    plane: Slice,
    alphas: np.ndarray,
    betas: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
) -> np.ndarray:
    """NumPy: the loss at every (α, β), one reference forward pass each, by the formulas of
    :func:`dlviz.core.metrics.mean_loss` (the loss curves')."""
    losses = np.empty((betas.size, alphas.size))
    for j, beta in enumerate(betas):
        for i, alpha in enumerate(alphas):
            tape = forward(spec, plane.point(alpha, beta), x.astype(np.float32))
            losses[j, i] = mean_loss(spec.loss, tape.z[-1], tape.a[-1], y)
    return losses


def loss_grid(
    spec: NetworkSpec,
    plane: Slice,
    alphas: np.ndarray,
    betas: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    *,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> np.ndarray | None:
    """Compiled: the loss at every (α, β), row by row (None when ``cancelled`` says so)."""
    engine = NumbaEngine(spec, 0)
    xs = np.ascontiguousarray(x, np.float32)
    ys = np.ascontiguousarray(y, np.float32)
    out = np.empty((xs.shape[0], spec.n_outputs), np.float32)
    losses = np.empty((betas.size, alphas.size))
    alphas64 = np.ascontiguousarray(alphas, np.float64)
    for j, beta in enumerate(betas):
        if cancelled is not None and cancelled():
            return None
        loss_row(
            plane.centre.astype(np.float64), plane.d1.astype(np.float64),
            plane.d2.astype(np.float64), alphas64, float(beta), engine.net, xs, ys, out,
            engine.bufs, engine.CHUNK, losses[j],
        )  # fmt: skip
        if progress is not None:
            progress(j + 1, betas.size)
    return losses


def compute_landscape(
    spec: NetworkSpec,
    params: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    *,
    plane: Slice | None = None,
    res: int = DEFAULT_RES,
    span: float | None = None,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Landscape | None:
    """The landscape around ``params`` (the exact plane when the model has two parameters).

    ``x``/``y``: training features and encoded targets.  The grid is centred
    on ``params``: α, β ∈ [a₀ − span, a₀ + span] where (a₀, b₀) are its coordinates.
    """
    if x.shape[0] == 0:
        raise DlvizError("no training points: the loss landscape needs some")
    if res < 3:
        raise DlvizError("the landscape needs at least 3 points per side")
    if plane is None:
        plane = two_parameter_slice(spec, params) or random_slice(spec, params, seed)
    half = default_span(plane, params) if span is None else span
    a0, b0 = plane.coords(params)
    best = least_squares(spec, x, y) if plane.exact and span is None else None
    if best is not None:  # frame both the weights and the bottom of the bowl
        a0, b0 = (a0 + best[0]) / 2, (b0 + best[1]) / 2
        half = max(half, 0.6 * float(np.abs(best - plane.coords(params)).max()) + 0.5)
    alphas = np.linspace(a0 - half, a0 + half, res)
    betas = np.linspace(b0 - half, b0 + half, res)
    losses = loss_grid(spec, plane, alphas, betas, x, y, progress=progress, cancelled=cancelled)
    if losses is None:
        return None
    return Landscape(plane, alphas, betas, losses)
