"""Numbers the "inside the network" views show, computed here so they are tested here.

* :func:`hidden_space`: data points and a warped grid of the input plane
  mapped into the activations of two neurons of one layer (ConvNetJS style);
* :func:`strongest_edges`: the edges a network graph can afford to draw;
  :func:`shown_edges` the same among the neurons a graph shows;
* :func:`neuron_values` and :func:`feature_grid`: every neuron's value for
  typed points and the input features over the plane (the network graph);
  :func:`node_mosaic` the graph's node pictures, all in one image;
* :class:`StatsHistory`: per-layer weight/gradient/activation statistics over
  training (percentile bands, gradient norms), bounded in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from dlviz.core.colors import signed_colors
from dlviz.core.features import grid_inputs
from dlviz.core.kernels.reference import forward
from dlviz.core.network import NetworkSpec, ParamLayout, spec_features
from dlviz.core.snapshot import HiddenSpace, Snapshot


def hidden_space(
    activations_of: Callable[[np.ndarray], np.ndarray],
    sizes: tuple[int, ...],
    layer: int,
    neurons: tuple[int, int],
    inputs: np.ndarray,
    bounds: tuple[float, float, float, float],
    lines: int = 11,
    samples: int = 60,
) -> HiddenSpace:
    """Map data and grid lines through ``activations_of`` (raw inputs -> all neuron activations).

    ``activations_of`` returns (n, Σ widths) activations, hidden layers first,
    as :meth:`dlviz.core.trainer.Trainer` computes them.
    """
    n_layers = len(sizes) - 1
    if not 1 <= layer <= n_layers:
        raise ValueError(f"layer {layer} is not in 1..{n_layers}")
    width = sizes[layer]
    i, j = neurons
    if not (0 <= i < width and 0 <= j < width):
        raise ValueError(f"neurons {neurons} are not in 0..{width - 1}")
    col = sum(sizes[1:layer])
    xmin, xmax, ymin, ymax = bounds
    t = np.linspace(0.0, 1.0, samples)
    levels = np.linspace(0.0, 1.0, lines)
    polylines = []
    for v in levels:  # horizontal lines then vertical lines of the input plane
        polylines.append(
            np.column_stack([xmin + t * (xmax - xmin), np.full(samples, ymin + v * (ymax - ymin))])
        )
    for v in levels:
        polylines.append(
            np.column_stack([np.full(samples, xmin + v * (xmax - xmin)), ymin + t * (ymax - ymin)])
        )
    grid = np.concatenate(polylines).astype(np.float32)
    if inputs.shape[1] == 1:  # curve data: the plane is the x axis only
        grid = grid[:, :1]
    acts_grid = activations_of(grid)
    acts_data = activations_of(inputs) if inputs.shape[0] else np.zeros((0, acts_grid.shape[1]))
    pick = [col + i, col + j]
    return HiddenSpace(
        layer=layer,
        neurons=(i, j),
        points=np.ascontiguousarray(acts_data[:, pick], np.float32),
        grid_lines=np.ascontiguousarray(acts_grid[:, pick], np.float32).reshape(
            2 * lines, samples, 2
        ),
    )


@dataclass(frozen=True)
class Edges:
    """A selection of a network's edges: layer, source neuron, target neuron, value."""

    layer: np.ndarray  # int64, weight layer index (0 = inputs -> first hidden)
    source: np.ndarray  # int64
    target: np.ndarray  # int64
    value: np.ndarray  # float32, the weight (or gradient) itself
    total: int  # edges in the whole network


def strongest_edges(layout: ParamLayout, flat: np.ndarray, limit: int) -> Edges:
    """The ``limit`` edges of largest |value| (all when there are fewer), in layer order.

    Dense layers have thousands of edges; drawing only the strongest keeps the
    graph fast and readable while showing where the signal flows.
    """
    return shown_edges(layout, flat, limit, max(layout.sizes))


def shown_edges(layout: ParamLayout, flat: np.ndarray, limit: int, max_neurons: int) -> Edges:
    """The ``limit`` strongest edges between the first ``max_neurons`` neurons of every layer.

    A network graph draws at most ``max_neurons`` nodes per column; edges to a
    node it does not draw are left out.  ``total`` counts the edges among the
    shown neurons, so a view can say how many it skipped.
    """
    shown = tuple(min(n, max_neurons) for n in layout.sizes)
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    for layer in range(layout.n_layers):
        w = layout.weight(flat, layer)[: shown[layer], : shown[layer + 1]]
        rows, cols = np.indices(w.shape)
        parts.append((np.full(w.size, layer), rows.ravel(), cols.ravel(), w.ravel()))
    lay, src, dst, val = (np.concatenate([p[i] for p in parts]) for i in range(4))
    total = int(val.size)
    if total > limit:
        keep = np.sort(np.argpartition(np.abs(val), total - limit)[total - limit :])
        lay, src, dst, val = lay[keep], src[keep], dst[keep], val[keep]
    return Edges(lay.astype(np.int64), src.astype(np.int64), dst.astype(np.int64),
                 val.astype(np.float32), total)  # fmt: skip


def strongest_units(layout: ParamLayout, flat: np.ndarray, column: int, limit: int) -> np.ndarray:
    """The neurons of ``column`` a graph draws when it can draw ``limit``: all, if that
    many; otherwise those with the largest outgoing weight norm (ascending indices).

    A hidden neuron whose outgoing weights are all small changes the next layer
    little, so the strongest are the ones worth a place.  The output column has
    no outgoing weights: its first ``limit`` neurons.
    """
    n = layout.sizes[column]
    if n <= limit or column >= layout.n_layers:
        return np.arange(min(n, limit), dtype=np.int64)
    norms = np.linalg.norm(layout.weight(flat, column).astype(np.float64), axis=1)
    return np.sort(np.argsort(-norms, kind="stable")[:limit]).astype(np.int64)


def edges_among(
    layout: ParamLayout, flat: np.ndarray, limit: int, units: Sequence[np.ndarray | None]
) -> Edges:
    """The ``limit`` strongest edges between the neurons ``units[c]`` of each column ``c``.

    A column whose entry is None (an image's pixels, drawn as one picture) has no
    edges drawn to or from it.  Sources and targets are the neurons' own indices.
    """
    parts = []
    for layer in range(layout.n_layers):
        src_units, dst_units = units[layer], units[layer + 1]
        if src_units is None or dst_units is None:
            continue
        w = layout.weight(flat, layer)[np.ix_(src_units, dst_units)]
        rows, cols = np.indices(w.shape)
        parts.append((np.full(w.size, layer), src_units[rows.ravel()], dst_units[cols.ravel()],
                      w.ravel()))  # fmt: skip
    if not parts:
        empty = np.zeros(0, np.int64)
        return Edges(empty, empty, empty, np.zeros(0, np.float32), 0)
    lay, src, dst, val = (np.concatenate([p[i] for p in parts]) for i in range(4))
    total = int(val.size)
    if total > limit:
        keep = np.sort(np.argpartition(np.abs(val), total - limit)[total - limit :])
        lay, src, dst, val = lay[keep], src[keep], dst[keep], val[keep]
    return Edges(lay.astype(np.int64), src.astype(np.int64), dst.astype(np.int64),
                 val.astype(np.float32), total)  # fmt: skip


def neuron_values(
    spec: NetworkSpec, params: np.ndarray, inputs: np.ndarray
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Pre-activations and activations of every layer for raw input rows (n, 1 or 2).

    Index 0 is the input features (their own pre-activation), then each weight
    layer's output, the network output last: what the graph's inspector shows
    for a point the user types.  Computed with the reference forward pass.
    """
    tape = forward(spec, np.asarray(params, np.float32), spec_features(spec, inputs))
    return tape.z, tape.a


def feature_grid(
    spec: NetworkSpec, bounds: tuple[float, float, float, float], res: int, *, curve: bool = False
) -> np.ndarray:
    """The input features over the plane, laid out like ``Snapshot.neuron_grids``.

    (res, res, features) with rows bottom-to-top over ``bounds``; for 1-D curve
    data (res, features) over the x range.
    """
    feats = spec_features(spec, grid_inputs(bounds, res, curve=curve))
    return feats if curve else feats.reshape(res, res, feats.shape[1])


def node_mosaic(values: np.ndarray, centres: np.ndarray, background: Sequence[float]) -> np.ndarray:
    """The network graph's node pictures, one tile each, stacked in one RGBA image.

    ``values`` (nodes, rows, columns): each node's value over the plane, rows
    bottom-to-top as in ``Snapshot.neuron_grids`` (one row for curve data);
    ``centres`` (nodes,): the value each picture shows as ``background`` (0.5
    for probabilities, else 0).  A probability's picture spans 0..1 around its
    middle; any other is scaled to its own largest distance from the centre
    (so a small but structured neuron still shows), blue above, orange below.
    Returns (nodes * rows, columns, 4) uint8: node k's tile is rows
    ``k * rows`` to ``(k + 1) * rows``, top row first as drawn on screen.
    One image, so the view hands Qt one picture a snapshot rather than one per node.
    """
    stack = np.asarray(values, np.float64)
    if stack.ndim != 3:
        raise ValueError(f"values must be (nodes, rows, columns), not {stack.shape}")
    k, rows, cols = stack.shape
    centres = np.asarray(centres, np.float64).reshape(k)
    limits = np.abs(stack - centres[:, None, None]).reshape(k, -1).max(axis=1, initial=0.0)
    limits[~(limits > 0)] = 1.0
    limits[centres == 0.5] = 0.5
    rgba = signed_colors(
        (stack - centres[:, None, None]) / limits[:, None, None], 1.0, background=background
    )
    # rows run bottom-to-top over the plane; a picture's top row is drawn first
    return np.ascontiguousarray(rgba[:, ::-1]).reshape(k * rows, cols, 4)


class StatsHistory:
    """Per-layer statistics over training steps, for distribution bands and norm curves.

    Holds at most ``limit`` rows; when full, every other row is dropped, so
    the history always spans the whole run at a coarser spacing and a frame's
    cost never grows with training length.
    """

    def __init__(self, limit: int = 1000) -> None:
        self.limit = limit
        self.clear()

    def clear(self) -> None:
        self.steps: list[int] = []
        self.grad_norms: list[np.ndarray] = []  # per snapshot: (n_layers,)
        self.weight_pct: list[np.ndarray] = []  # per snapshot: (n_layers, len(PERCENTILES))
        self.grad_pct: list[np.ndarray] = []
        self.act_pct: list[np.ndarray] = []
        self._sizes: tuple[int, ...] | None = None

    def add(self, snap: Snapshot) -> None:
        if self._sizes != snap.spec.sizes or (self.steps and snap.step < self.steps[-1]):
            self.clear()  # a new network, or a reset: start a new history
            self._sizes = snap.spec.sizes
        if not snap.layer_stats or (self.steps and snap.step == self.steps[-1]):
            return  # taken without statistics (see Trainer.run), or already recorded
        # the snapshot's layer statistics are over the same weight matrices: reuse them
        self.steps.append(snap.step)
        self.grad_norms.append(np.array([s.grads.norm for s in snap.layer_stats]))
        self.weight_pct.append(np.array([s.weights.percentiles for s in snap.layer_stats]))
        self.grad_pct.append(np.array([s.grads.percentiles for s in snap.layer_stats]))
        self.act_pct.append(np.array([s.activations.percentiles for s in snap.layer_stats]))
        if len(self.steps) > self.limit:
            for seq in (self.steps, self.grad_norms, self.weight_pct, self.grad_pct, self.act_pct):
                del seq[1::2]

    def rewind(self, step: int) -> None:
        """Forget the rows after ``step`` (the run went back there); later rows continue."""
        keep = int(np.searchsorted(np.asarray(self.steps), step, side="right"))
        for seq in (self.steps, self.grad_norms, self.weight_pct, self.grad_pct, self.act_pct):
            del seq[keep:]

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(steps, grad norms (t, L), weight/grad/activation percentiles (t, L, P))."""
        if not self.steps:
            empty = np.zeros((0, 0))
            return np.zeros(0), empty, empty, empty, empty
        return (
            np.array(self.steps),
            np.stack(self.grad_norms),
            np.stack(self.weight_pct),
            np.stack(self.grad_pct),
            np.stack(self.act_pct),
        )
