"""A still of a training run, and the snapshot computed from it.

A :class:`Still` holds one instant of a :class:`~dlviz.core.trainer.Trainer`:
copies of its weights and gradients, its counters and message, and the data
it trains on (shared: the trainer never writes into those arrays; new data
replaces them).  :meth:`Still.snapshot` computes everything a
:class:`~dlviz.core.snapshot.Snapshot` shows from it (the loss and accuracy
of both splits, the confusion matrix, the decision grid, the per-layer
statistics, the hidden space, the gallery) with the engine the still was
given; the trainer's own evaluations (``evaluate``, ``decision_grid``,
``activations``) use the same code on its live weights.

At full speed the app takes the snapshot on a thread of its own, with an
engine of its own, while the next slice trains (``dlviz/ui/snapshots.py``):
a still holds copies, so the trainer may go on.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from dlviz.core.analysis import hidden_space
from dlviz.core.colors import class_probabilities
from dlviz.core.data import Dataset
from dlviz.core.engines import Engine
from dlviz.core.features import grid_inputs
from dlviz.core.image_views import gallery_order
from dlviz.core.metrics import (
    NO_POINTS,
    Metrics,
    confusion_matrix,
    evaluate,
    predicted_classes,
)
from dlviz.core.network import NetworkSpec, ParamLayout, spec_features
from dlviz.core.snapshot import Gallery, LayerStats, Snapshot, StopReason, frozen, layer_stats

#: Activation statistics are taken on this many training points.
ACTIVATION_SAMPLE = 256

#: Decision-grid inputs by (resolution, bounds), kept by the trainer across stills.
GridCache = dict[tuple[int, tuple[float, ...]], np.ndarray]


def _owned(a: np.ndarray) -> np.ndarray:
    """``a`` if it is already a read-only copy (a still's own), else a frozen copy of it."""
    return a if not a.flags.writeable and a.base is None else frozen(a)


@dataclass
class Still:
    """One instant of a run (see the module docstring); ``params`` and ``grads`` are the
    still's own unless it was taken to evaluate the trainer's live weights at once."""

    spec: NetworkSpec
    layout: ParamLayout
    dataset: Dataset
    engine: Engine
    #: the data's features and encoded targets, all rows (shared with the trainer)
    x: np.ndarray
    y: np.ndarray
    train_idx: np.ndarray
    #: the rows a snapshot measures loss and accuracy on (at most EVAL_LIMIT per split)
    eval_train: np.ndarray
    eval_test: np.ndarray
    params: np.ndarray
    grads: np.ndarray
    grid_cache: GridCache
    step: int = 0
    epoch: int = 0
    samples: int = 0
    samples_per_second: float = 0.0
    batch_loss: float | None = None
    message: str | None = None
    stopped: bool = False
    stop_reason: StopReason = None
    engine_name: str = ""
    engine_choice: str = ""
    # what :meth:`snapshot` measured, for the trainer's history and its callers' pacing
    train: Metrics = NO_POINTS
    test: Metrics = NO_POINTS
    #: seconds the snapshot took (its forward passes, statistics and copies)
    seconds: float = 0.0
    #: seconds its per-layer statistics took; None when it took none
    stats_seconds: float | None = None

    # ------------------------------------------------------------ evaluation

    def features(self, inputs: np.ndarray) -> np.ndarray:
        """Input features (float32) of raw input rows, normalised as the network expects."""
        return spec_features(self.spec, inputs)

    def outputs(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(logits, outputs) of rows ``idx`` of the data, in evaluation mode (no dropout)."""
        return self.engine.outputs(self.params, self.x[idx])

    def metrics(
        self, idx: np.ndarray, outputs: tuple[np.ndarray, np.ndarray] | None = None
    ) -> Metrics:
        """Loss and accuracy (or R²) on rows ``idx``; ``outputs``: their (logits, outputs)
        if known.  The loss is the one the engine trains with, without the L1/L2 penalty."""
        if idx.size == 0:
            return NO_POINTS
        logits, out = self.outputs(idx) if outputs is None else outputs
        labels = np.asarray(self.dataset.targets)[idx]
        return evaluate(self.spec.loss, self.dataset.kind, logits, out, self.y[idx], labels)

    def grid_inputs(self, res: int) -> np.ndarray:
        """Raw inputs of a res×res grid over the bounds (rows bottom-to-top); curves: res x's."""
        return grid_inputs(self.dataset.bounds, res, curve=self.dataset.kind == "curve")

    def grid_features(self, res: int) -> np.ndarray:
        """Features of :meth:`grid_inputs`, kept in the trainer's cache."""
        key = (res, tuple(float(b) for b in self.dataset.bounds))
        feats = self.grid_cache.get(key)
        if feats is None:
            feats = self.features(self.grid_inputs(res))
            self.grid_cache[key] = feats
        return feats

    def decision_grid(self, res: int, *, neurons: bool = False) -> np.ndarray:
        """Network output (or every neuron's activation) over the plane at ``res``."""
        out = self.engine.forward(self.params, self.grid_features(res), keep_all=neurons)
        if self.dataset.kind == "curve":
            return out
        return out.reshape(res, res, out.shape[1])

    def activations(self, inputs: np.ndarray) -> np.ndarray:
        """Every neuron's activation (n, Σ widths) for raw input rows, hidden layers first."""
        return self.engine.forward(self.params, self.features(inputs), keep_all=True)

    def _shown_split(
        self, train_out: np.ndarray, test_out: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, str]:
        """(rows, their outputs, split name) the confusion matrix and the gallery show: the
        evaluated test rows, or the training rows when there are none."""
        if self.eval_test.size:
            return self.eval_test, test_out, "test"
        return self.eval_train, train_out, "train"

    def confusion(
        self, train_out: np.ndarray, test_out: np.ndarray
    ) -> tuple[np.ndarray | None, str]:
        """Confusion matrix on the test rows (the training rows when there are none)."""
        if self.dataset.kind != "classify":
            return None, "test"
        idx, out, split = self._shown_split(train_out, test_out)
        truth = np.asarray(self.dataset.targets)[idx]
        k = max(self.dataset.n_classes, 2)
        return confusion_matrix(truth, predicted_classes(out), k), split

    def gallery(self, train_out: np.ndarray, test_out: np.ndarray, count: int) -> Gallery | None:
        """The first ``count`` evaluated test images (training images when there are none) in
        the gallery's order; the outputs are the snapshot's own, so it costs no forward pass."""
        if not self.dataset.is_image or self.dataset.kind != "classify":
            return None
        idx, out, split = self._shown_split(train_out, test_out)
        probs = class_probabilities(out)
        truth = np.asarray(self.dataset.targets)[idx]
        order = gallery_order(probs, truth)
        keep = order[:count]
        rows = idx[keep]
        return Gallery(
            rows=frozen(rows.astype(np.int64)),
            pixels=frozen(np.asarray(self.dataset.points, np.float32)[rows]),
            probabilities=frozen(probs[keep]),
            labels=frozen(truth[keep].astype(np.int64)),
            split=split,
            wrong=int(np.count_nonzero(probs.argmax(axis=1) != truth)) if idx.size else 0,
            total=int(idx.size),
        )

    def layer_stats(self) -> tuple[LayerStats, ...]:
        """Per-layer statistics of the weights, gradients and activations (on the first
        ACTIVATION_SAMPLE training points); records how long they took."""
        t0 = time.perf_counter()
        sample = self.train_idx[:ACTIVATION_SAMPLE]
        acts = self.engine.forward(self.params, self.x[sample], keep_all=True)
        stats = layer_stats(self.layout, self.params, self.grads, acts)
        self.stats_seconds = time.perf_counter() - t0
        return stats

    # ------------------------------------------------------------ the snapshot

    def snapshot(
        self,
        *,
        grid: int = 0,
        neuron_grid: int = 0,
        hidden: tuple[int, int, int] | None = None,
        stats: bool = True,
        gallery: int = 0,
    ) -> Snapshot:
        """Everything this still shows.  ``grid``/``neuron_grid``: the output or every
        neuron's activation over the input plane at that resolution (0: none);
        ``hidden=(layer, i, j)``: that neuron pair's hidden space; ``stats=False`` leaves
        out the per-layer statistics; ``gallery``: that many images for the gallery."""
        t0 = time.perf_counter()
        # one forward pass per split serves the metrics and the confusion matrix
        train_out = self.outputs(self.eval_train)
        test_out = self.outputs(self.eval_test)
        self.train = self.metrics(self.eval_train, train_out)
        self.test = self.metrics(self.eval_test, test_out)
        confusion, split = self.confusion(train_out[1], test_out[1])
        space = None
        # a request made for the previous network (a layer or neurons gone) is skipped:
        # the view asks again once it sees the new shape
        layers = self.spec.hidden
        if self.dataset.is_image:  # pictures over the plane mean nothing for images
            grid = neuron_grid = 0
            hidden = None
        if (
            hidden is not None
            and 1 <= hidden[0] <= len(layers)
            and all(0 <= n < layers[hidden[0] - 1].width for n in hidden[1:])
        ):
            space = hidden_space(
                self.activations, self.spec.sizes, hidden[0], (hidden[1], hidden[2]),
                self.dataset.inputs, self.dataset.bounds,
            )  # fmt: skip
        snap = Snapshot(
            step=self.step,
            epoch=self.epoch,
            samples=self.samples,
            train_loss=self.train.loss,
            test_loss=self.test.loss,
            train_accuracy=self.train.accuracy,
            test_accuracy=self.test.accuracy,
            train_r2=self.train.r2,
            test_r2=self.test.r2,
            batch_loss=self.batch_loss,
            samples_per_second=self.samples_per_second,
            spec=self.spec,
            params=_owned(self.params),
            grads=_owned(self.grads),
            layer_stats=self.layer_stats() if stats else (),
            grid=frozen(self.decision_grid(grid)) if grid else None,
            grid_bounds=tuple(float(b) for b in self.dataset.bounds),  # type: ignore[arg-type]
            neuron_grids=(
                frozen(self.decision_grid(neuron_grid, neurons=True)) if neuron_grid else None
            ),
            message=self.message,
            stopped=self.stopped,
            stop_reason=self.stop_reason,
            confusion=None if confusion is None else frozen(confusion),
            confusion_split=split,
            hidden=space,
            gallery=self.gallery(train_out[1], test_out[1], gallery) if gallery else None,
            engine=self.engine_name,
            engine_choice=self.engine_choice,
        )
        self.seconds = time.perf_counter() - t0
        return snap
