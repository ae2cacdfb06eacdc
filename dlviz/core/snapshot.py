"""Immutable pictures of a training run, handed from the trainer to whoever draws them.

A :class:`Snapshot` owns copies of everything it carries (its arrays are
read-only), so the GUI thread can keep one while the worker trains on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from dlviz.core.network import NetworkSpec, ParamLayout

HIST_BINS = 32
#: Percentiles of the distribution bands (TensorBoard's distributions view).
PERCENTILES = (0, 7, 16, 31, 50, 69, 84, 93, 100)


def frozen(a: np.ndarray) -> np.ndarray:
    """A read-only copy (or the array itself when it is already a private copy)."""
    a = np.array(a, copy=True)
    a.flags.writeable = False
    return a


#: Why training stopped itself: the loss diverged, or early stopping.
StopReason = Literal["diverged", "early_stop"] | None


@dataclass(frozen=True)
class Distribution:
    """Summary of a set of numbers: moments, norm and a histogram on symmetric edges."""

    mean: float
    std: float
    min: float
    max: float
    norm: float
    counts: np.ndarray  # int64 (HIST_BINS,)
    edges: np.ndarray  # float32 (HIST_BINS + 1,)
    percentiles: np.ndarray  # float64, at PERCENTILES

    @classmethod
    def of(cls, values: np.ndarray) -> Distribution:
        v = np.asarray(values).ravel()
        if v.size == 0:
            edges = np.linspace(-1, 1, HIST_BINS + 1, dtype=np.float32)
            zeros = frozen(np.zeros(len(PERCENTILES)))
            return cls(0.0, 0.0, 0.0, 0.0, 0.0, frozen(np.zeros(HIST_BINS, np.int64)), edges, zeros)
        # One sort gives everything: the extremes, the percentiles (NumPy's default
        # "linear" method) and the histogram counts, which np.histogram and
        # np.percentile would each find with a pass of their own (3x slower here).
        # float32 values (weights, activations) sort twice as fast as float64, and
        # widening them afterwards is exact, so the figures are those of float64.
        if v.dtype != np.float32:
            v = v.astype(np.float64)
        s = np.sort(v).astype(np.float64, copy=False)
        lo, hi = float(s[0]), float(s[-1])
        lim = max(abs(lo), abs(hi)) or 1.0
        bounds = np.linspace(-lim, lim, HIST_BINS + 1)
        # bins are [a, b) except the last, [a, b], as in np.histogram
        cuts = np.searchsorted(s, bounds, side="left")
        cuts[-1] = s.size
        return cls(
            mean=float(s.mean()),
            std=float(s.std()),
            min=lo,
            max=hi,
            norm=float(np.sqrt(np.dot(s, s))),
            counts=frozen(np.diff(cuts).astype(np.int64)),
            edges=frozen(bounds.astype(np.float32)),
            percentiles=frozen(_sorted_percentiles(s, PERCENTILES)),
        )


def _sorted_percentiles(s: np.ndarray, qs: tuple[int, ...]) -> np.ndarray:
    """np.percentile(s, qs) for an already sorted ``s`` (linear interpolation)."""
    pos = np.asarray(qs, np.float64) / 100.0 * (s.size - 1)
    below = np.floor(pos).astype(np.int64)
    above = np.minimum(below + 1, s.size - 1)
    frac = pos - below
    return s[below] + (s[above] - s[below]) * frac


@dataclass(frozen=True)
class LayerStats:
    """Per weight layer: its weights, its last-batch gradients and its output activations."""

    weights: Distribution
    grads: Distribution
    activations: Distribution


def layer_stats(
    layout: ParamLayout, params: np.ndarray, grads: np.ndarray, activations: np.ndarray
) -> tuple[LayerStats, ...]:
    """Per weight layer: its weights', gradients' and output activations' distributions.

    ``activations`` (rows, Σ widths after the inputs) are every neuron's
    activation for some sample of rows, as ``forward(..., keep_all=True)`` gives them.
    """
    stats = []
    col = 0
    for layer in range(layout.n_layers):
        width = layout.sizes[layer + 1]
        stats.append(
            LayerStats(
                weights=Distribution.of(layout.weight(params, layer)),
                grads=Distribution.of(layout.weight(grads, layer)),
                activations=Distribution.of(activations[:, col : col + width]),
            )
        )
        col += width
    return tuple(stats)


@dataclass(frozen=True)
class HiddenSpace:
    """Where the data and the input plane land in the space of two neurons of a layer."""

    layer: int  # 1 = first hidden layer
    neurons: tuple[int, int]
    points: np.ndarray  # (n, 2) activations of the two neurons for each data point
    grid_lines: np.ndarray  # (lines, samples, 2): images of the plane's grid lines


@dataclass(frozen=True)
class Gallery:
    """Some test images in the gallery's order, with what the network makes of them.

    ``rows`` index the dataset's rows; ``pixels`` are copies of those rows, so a
    gallery stays right after the data changed.  ``wrong`` and ``total`` count
    the whole split that was evaluated (the trainer's sample of up to
    ``EVAL_LIMIT`` rows), not only the images kept.
    """

    rows: np.ndarray  # (m,) int64
    pixels: np.ndarray  # (m, height x width) float32 in [0, 1]
    probabilities: np.ndarray  # (m, k) float32, each row sums to 1
    labels: np.ndarray  # (m,) int64, the true classes
    split: str  # "test", or "train" when the data has no test images
    wrong: int
    total: int

    @property
    def predicted(self) -> np.ndarray:
        """The most probable class of each image kept."""
        return np.asarray(self.probabilities.argmax(axis=1), np.int64)


@dataclass(frozen=True)
class Snapshot:
    """The state of a run after one slice of training."""

    step: int  # optimizer steps (mini-batches) taken since the last reset
    epoch: int  # full passes over the training set completed
    samples: int  # training samples processed since the last reset
    train_loss: float | None
    test_loss: float | None
    train_accuracy: float | None  # classification only
    test_accuracy: float | None
    train_r2: float | None  # regression and curves only
    test_r2: float | None
    batch_loss: float | None  # mean loss of the batches trained in this slice
    samples_per_second: float
    spec: NetworkSpec
    params: np.ndarray  # flat float32, read-only
    grads: np.ndarray  # last batch's gradient, flat float32, read-only
    #: Per weight layer; empty when the snapshot was taken without them (``stats=False``).
    layer_stats: tuple[LayerStats, ...]
    #: Network output over the input plane: (res, res, k) rows bottom-to-top
    #: for 2-D data, (res, k) for a 1-D curve; None when not asked for.
    grid: np.ndarray | None
    grid_bounds: tuple[float, float, float, float]
    #: Every neuron's activation over the plane, (res, res, Σ widths) hidden
    #: layers first then outputs; None when not asked for.
    neuron_grids: np.ndarray | None
    message: str | None = None  # divergence, early stop, nothing to train on
    stopped: bool = False  # training cannot go on until something changes
    stop_reason: StopReason = None  # why it stopped itself (no need to read the message)
    #: Classification: (k, k) counts on the test points (training points when
    #: there are none), rows = true class, columns = predicted.
    confusion: np.ndarray | None = None
    confusion_split: str = "test"
    hidden: HiddenSpace | None = None  # when asked for
    gallery: Gallery | None = None  # image data, when asked for
    engine: str = "cpu"  # the engine that trained (``Trainer.engine_name``)
    engine_choice: str = "cpu"  # what the user chose (``Trainer.engine_choice``), e.g. auto

    @property
    def nbytes(self) -> int:
        """Memory held by this snapshot's arrays (for the timeline's cap)."""
        arrays = [self.params, self.grads, self.grid, self.neuron_grids, self.confusion]
        if self.hidden is not None:
            arrays += [self.hidden.points, self.hidden.grid_lines]
        if self.gallery is not None:
            g = self.gallery
            arrays += [g.rows, g.pixels, g.probabilities, g.labels]
        for layer in self.layer_stats:
            for d in (layer.weights, layer.grads, layer.activations):
                arrays += [d.counts, d.edges, d.percentiles]
        total = sum(a.nbytes for a in arrays if a is not None)
        # the Python objects around the arrays: about 100 bytes each
        return total + 400 + 100 * len(arrays)

    @property
    def layout(self) -> ParamLayout:
        return ParamLayout.of(self.spec.sizes)

    def weight(self, layer: int) -> np.ndarray:
        return self.layout.weight(self.params, layer)

    def bias(self, layer: int) -> np.ndarray:
        return self.layout.bias(self.params, layer)

    def weight_grad(self, layer: int) -> np.ndarray:
        return self.layout.weight(self.grads, layer)

    def bias_grad(self, layer: int) -> np.ndarray:
        return self.layout.bias(self.grads, layer)

    def neuron_grid(self, layer: int, neuron: int) -> np.ndarray:
        """Activation of neuron ``neuron`` of layer ``layer`` (1 = first hidden) over the plane."""
        if self.neuron_grids is None:
            raise ValueError("this snapshot carries no neuron grids")
        sizes = self.spec.sizes
        col = sum(sizes[1:layer]) + neuron
        return self.neuron_grids[..., col]
