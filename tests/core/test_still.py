"""Stills and the snapshot thread: a snapshot taken on another thread, while training goes on
with a twin engine, is exactly the one taken in line at that instant."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from dlviz.core.data import make_dataset
from dlviz.core.network import LayerSpec, build_spec
from dlviz.core.optim import OptimizerConfig
from dlviz.core.still import SnapshotThread
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
def test_snapshots_taken_alongside_training_are_the_ones_taken_in_line(engine):
    """Trainer A takes each slice's snapshot in line (``run``); B trains the same slices and
    takes each on the snapshot thread with its twin engine while the next slice trains."""
    a, b = trainer(engine), trainer(engine)
    twin = b.twin_engine()
    assert twin is not None and twin is not b.engine
    inline, alongside = [], []
    threads = set()
    snapshots = SnapshotThread()

    def taken(still, snap):
        threads.add(threading.current_thread().name)
        b.record(still)
        alongside.append(snap)

    for i in range(9):
        shots = SHOTS[i % len(SHOTS)]
        snap = a.run(samples=160, **shots)
        # the rate is the one thing that differs: it is a measurement
        inline.append(snap)
        b.train(samples=160)
        snapshots.take(b.still(snap.samples_per_second, engine=twin), taken, **shots)
    snapshots.close()
    assert threads == {"dlviz-snapshots_0"}
    assert len(alongside) == len(inline) == 9
    for x, y in zip(inline, alongside, strict=True):
        same(x, y)
    np.testing.assert_array_equal(a.params, b.params)
    assert [vars(h) for h in a.history] == [vars(h) for h in b.history]
    assert a.snapshot_seconds > 0 and b.snapshot_seconds > 0
    assert b.stats_seconds > 0


def test_a_still_owns_its_weights_while_the_trainer_trains_on():
    t = trainer()
    t.run(samples=200)
    still = t.still()
    before = t.params.copy()
    t.train(samples=2000)
    assert not np.array_equal(t.params, before)
    snap = still.snapshot(grid=16, stats=False)
    np.testing.assert_array_equal(snap.params, before)
    # the grid and the loss are those of the weights at the still's instant
    t2 = trainer()
    t2.params[...] = before
    np.testing.assert_array_equal(snap.grid, t2.decision_grid(16))
    assert snap.train_loss == t2.still().snapshot(stats=False).train_loss


def test_the_snapshot_threads_errors_reach_the_caller():
    t = trainer()
    snapshots = SnapshotThread()

    def taken(still, snap):
        raise RuntimeError("a bug in a view's request")

    snapshots.take(t.still(), taken, grid=8)
    with pytest.raises(RuntimeError, match="a bug"):
        snapshots.wait()
    assert not snapshots.busy
    snapshots.close()


def test_cuda_takes_its_snapshots_in_line(monkeypatch):
    t = trainer()
    monkeypatch.setattr(t, "engine_name", "cuda")
    assert t.twin_engine() is None
