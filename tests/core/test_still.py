"""Stills: a snapshot computed from a still, however much later, is exactly the one the trainer
would have taken at the still's instant."""

from __future__ import annotations

import numpy as np
import pytest

from dlviz.core.data import make_dataset
from dlviz.core.network import LayerSpec, build_spec
from dlviz.core.optim import OptimizerConfig
from dlviz.core.trainer import TrainConfig, Trainer

ARRAYS = ("params", "grads", "grid", "neuron_grids", "confusion")
VALUES = (
    "step", "epoch", "samples", "train_loss", "test_loss", "train_accuracy", "test_accuracy",
    "batch_loss", "samples_per_second", "message", "stopped", "engine",
)  # fmt: skip


def trainer(engine: str = "cpu", points: int = 600) -> Trainer:
    data = make_dataset("spiral", n=points, classes=3, noise=0.1, seed=3)
    spec = build_spec(
        kind="classify",
        n_classes=3,
        features=("x1", "x2"),
        hidden=(LayerSpec(16, "relu"), LayerSpec(16, "tanh")),
    )
    config = TrainConfig(OptimizerConfig("adam", lr=0.01), batch_size=16)
    return Trainer(data, spec, config, seed=5, engine=engine)


def same(a, b) -> None:
    for name in VALUES:
        assert getattr(a, name) == getattr(b, name), name
    for name in ARRAYS:
        x, y = getattr(a, name), getattr(b, name)
        if x is None or y is None:
            assert x is y, name
        else:
            np.testing.assert_array_equal(x, y, err_msg=name)
    assert len(a.layer_stats) == len(b.layer_stats)
    for s, t in zip(a.layer_stats, b.layer_stats, strict=True):
        np.testing.assert_array_equal(s.weights.percentiles, t.weights.percentiles)
        np.testing.assert_array_equal(s.activations.counts, t.activations.counts)
    assert (a.hidden is None) == (b.hidden is None)
    if a.hidden is not None:
        np.testing.assert_array_equal(a.hidden.points, b.hidden.points)


SHOTS = [
    {"grid": 24, "stats": False},
    {"grid": 24, "neuron_grid": 8, "hidden": (1, 0, 3), "stats": True},
    {"grid": 0, "stats": False},
]


@pytest.mark.parametrize("engine", ["cpu", "reference"])
def test_a_still_snapshot_taken_later_is_the_one_taken_at_its_instant(engine):
    """Trainer A takes each slice's snapshot at once (``run``); B takes a still at the same
    instant, trains the next slice, and only then takes the still's snapshot."""
    a, b = trainer(engine), trainer(engine)
    inline, later = [], []
    pending = None
    for i in range(9):
        shots = SHOTS[i % len(SHOTS)]
        snap = a.run(samples=160, **shots)
        inline.append(snap)
        b.run(samples=160, stats=False)  # trains the same slice (its own snapshot unused)
        if pending is not None:
            later.append(pending[0].snapshot(**pending[1]))
        # the rate is the one thing that differs: it is a measurement
        pending = (b.still(snap.samples_per_second), shots)
    later.append(pending[0].snapshot(**pending[1]))
    assert len(later) == len(inline) == 9
    for x, y in zip(inline, later, strict=True):
        same(x, y)
    np.testing.assert_array_equal(a.params, b.params)


def test_a_still_owns_its_weights_while_the_trainer_trains_on():
    t = trainer()
    t.run(samples=200)
    still = t.still()
    before = t.params.copy()
    t.run(samples=2000, stats=False)
    assert not np.array_equal(t.params, before)
    snap = still.snapshot(grid=16, stats=False)
    np.testing.assert_array_equal(snap.params, before)
    # the grid and the loss are those of the weights at the still's instant
    t2 = trainer()
    t2.params[...] = before
    np.testing.assert_array_equal(snap.grid, t2.decision_grid(16))
    assert snap.train_loss == t2.still().snapshot(stats=False).train_loss


def test_record_keeps_one_history_point_per_step_and_the_snapshots_cost():
    t = trainer()
    t.run(samples=320, stats=True)
    assert [h.step for h in t.history] == [t.step]
    assert t.snapshot_seconds > 0 and t.stats_seconds > 0
    t.snapshot(stats=False)  # the same step again: no second point
    assert [h.step for h in t.history] == [t.step]
    h = t.history[-1]
    still = t.still()
    still.snapshot(stats=False)
    assert (h.train_loss, h.test_loss, h.train_accuracy) == (
        still.train.loss,
        still.test.loss,
        still.train.accuracy,
    )
