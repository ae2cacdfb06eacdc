"""Divergence from every way into training: it ends paused on sane weights, then goes on.

Sane: finite, with a loss on the training points no worse than the divergence ceiling
(DIVERGENCE_FACTOR times the untrained network's).  Every entry point is driven the way
its caller drives it: Step (one batch a call), Play (timed slices), Epoch (to the epoch's
end), a project opened from disk, a point of the timeline resumed, and the CLI.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from dlviz import cli
from dlviz.core.data import make_dataset
from dlviz.core.network import LayerSpec, build_spec
from dlviz.core.optim import MIN_LEARNING_RATE, OptimizerConfig
from dlviz.core.project import load_project, save_project
from dlviz.core.trainer import DIVERGENCE_FACTOR, TrainConfig, Trainer

#: (preset, loss, optimizer): each diverges at lr 10 from every entry point
CASES = [
    ("plane", None, "sgd"),
    ("plane", None, "momentum"),
    ("plane", None, "adam"),
    ("plane", None, "rmsprop"),
    ("circle", "bce", "momentum"),
    ("circle", "bce", "rmsprop"),
    ("spiral", "ce", "nesterov"),
    ("spiral", "ce", "adam"),
]


def make(preset: str, loss: str | None, optimizer: str, lr: float = 10.0) -> Trainer:
    classes = 3 if preset == "spiral" else 2
    data = make_dataset(preset, n=200, classes=classes, seed=0)
    hidden = (LayerSpec(16, "relu"), LayerSpec(16, "relu"))
    spec = build_spec(
        kind=data.kind, n_classes=data.n_classes, features=("x1", "x2"), hidden=hidden, loss=loss
    )
    return Trainer(data, spec, TrainConfig(OptimizerConfig(optimizer, lr=lr)))


def ceiling(t: Trainer) -> float:
    """The divergence ceiling, from a fresh trainer's untrained loss (the same seed)."""
    fresh = Trainer(t.dataset, t.spec, t.config, seed=t.seed)
    return DIVERGENCE_FACTOR * max(1.0, fresh.evaluate()[0].loss or 1.0)


def assert_paused_on_sane_weights(t: Trainer) -> None:
    assert t.stopped and t.message is not None and "diverged" in t.message
    assert "lower the learning rate" in t.message
    assert np.isfinite(t.params).all() and np.isfinite(t.grads).all()
    loss = t.evaluate()[0].loss
    assert loss is not None and math.isfinite(loss) and loss <= ceiling(t)


def assert_a_lower_rate_goes_on(t: Trainer) -> None:
    """What "Lower learning rate and continue" does, at a rate that does not diverge."""
    step = t.step
    t.set_config(replace(t.config, optimizer=replace(t.config.optimizer, lr=1e-3)))
    snap = t.run(samples=400)
    assert not snap.stopped and snap.message is None
    assert t.step > step
    assert np.isfinite(t.params).all()


def wreck(t: Trainer) -> np.ndarray:
    """Weights as a divergence leaves them: finite, far too large."""
    return (t.params * 1e30).astype(np.float32)


@pytest.mark.parametrize(("preset", "loss", "optimizer"), CASES)
def test_step_by_step(preset, loss, optimizer):
    t = make(preset, loss, optimizer)
    for _ in range(50):
        t.run(samples=1)
        if t.stopped:
            break
    assert_paused_on_sane_weights(t)
    assert_a_lower_rate_goes_on(t)


@pytest.mark.parametrize(("preset", "loss", "optimizer"), CASES)
def test_a_step_then_play(preset, loss, optimizer):
    """The issue's recipe: Step once at lr 10, then Play (timed slices)."""
    t = make(preset, loss, optimizer)
    t.run(samples=1)
    for _ in range(100):
        if t.stopped:
            break
        t.run(seconds=0.01)
    assert_paused_on_sane_weights(t)
    assert_a_lower_rate_goes_on(t)


@pytest.mark.parametrize(("preset", "loss", "optimizer"), CASES)
def test_epoch(preset, loss, optimizer):
    t = make(preset, loss, optimizer)
    for _ in range(20):
        t.run(until_epoch_end=True)
        if t.stopped:
            break
    assert_paused_on_sane_weights(t)
    assert_a_lower_rate_goes_on(t)


@pytest.mark.parametrize(("preset", "loss", "optimizer"), CASES)
def test_after_opening_a_project_saved_with_wrecked_weights(preset, loss, optimizer, tmp_path):
    saved = make(preset, loss, optimizer)
    initial = saved.params.copy()
    saved.load_params(wreck(saved))
    path = tmp_path / "div.dlviz"
    save_project(path, saved)
    t, _ = load_project(path)
    t.run(samples=50)
    assert_paused_on_sane_weights(t)
    np.testing.assert_array_equal(t.params, initial)  # no sane weights before: the seed's
    assert_a_lower_rate_goes_on(t)


@pytest.mark.parametrize(("preset", "loss", "optimizer"), CASES[::2])
def test_after_resuming_a_wrecked_point_of_the_timeline(preset, loss, optimizer):
    t = make(preset, loss, optimizer, lr=1e-3)
    t.run(samples=200)
    good = t.params.copy()
    wrecked = t.capture()
    wrecked = replace(wrecked, params=wreck(t))
    t.restore(wrecked)
    t.run(samples=50)
    assert_paused_on_sane_weights(t)
    # the weights judged sane just before the wrecked ones came in
    np.testing.assert_array_equal(t.params, good)
    assert_a_lower_rate_goes_on(t)


def test_an_edited_weight_that_wrecks_the_network_is_undone():
    t = make("plane", None, "sgd", lr=1e-3)
    t.run(samples=100)
    good = t.params.copy()
    t.set_weight(0, 0, 0, 1e30)
    t.run(samples=10)
    assert_paused_on_sane_weights(t)
    np.testing.assert_array_equal(t.params, good)
    assert_a_lower_rate_goes_on(t)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_headless_slices_of_any_size_recover(optimizer):
    """The issue's headless recipe: run(samples=10) then run(samples=2000), at any rate."""
    t = make("plane", None, optimizer)
    t.run(samples=10)
    t.run(samples=2000)
    assert_paused_on_sane_weights(t)
    assert_a_lower_rate_goes_on(t)


@pytest.mark.parametrize(("preset", "loss", "optimizer"), CASES[::3])
def test_cli_exits_2_with_one_line_and_a_lower_rate_trains(preset, loss, optimizer, capsys):
    args = ["train", "--dataset", preset, "--points", "200", "--hidden", "16,16"]
    args += ["--activation", "relu", "--optimizer", optimizer, "--epochs", "3"]
    args += ["--classes", "3" if preset == "spiral" else "2"]
    if loss:
        args += ["--loss", loss]
    assert cli.main([*args, "--lr", "10"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "diverged" in err
    assert cli.main([*args, "--lr", "0.001", "--json"]) == 0


def test_at_the_lowest_learning_rate_the_message_does_not_offer_the_same_rate_again():
    """ "Try 1e-05" at 1e-05 would send the user round in a loop: it says what else to do."""
    edited = make("plane", None, "sgd", lr=MIN_LEARNING_RATE)
    edited.set_weight(0, 0, 0, 1e30)  # judged before training from it
    edited.run(samples=10)
    assert edited.stopped and "diverged" in edited.message
    assert "try" not in edited.message and "lowest dlviz offers (1e-05)" in edited.message


def test_a_project_saved_after_a_divergence_keeps_why_it_stopped(tmp_path):
    t = make("plane", None, "sgd")
    t.run(samples=2000)
    assert t.stop_reason == "diverged"
    path = tmp_path / "stopped.dlviz"
    save_project(path, t)
    loaded, _ = load_project(path)
    assert loaded.stopped and loaded.stop_reason == "diverged"
