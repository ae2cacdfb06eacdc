"""The optimizer race: one start, one data order, each racer exactly its plain run."""

from __future__ import annotations

import numpy as np
import pytest

from dlviz.core.data import make_dataset
from dlviz.core.errors import DlvizError
from dlviz.core.network import LayerSpec, build_spec
from dlviz.core.optim import OptimizerConfig
from dlviz.core.race import Race
from dlviz.core.trainer import TrainConfig, Trainer


def setup(dropout: float = 0.2):
    data = make_dataset("spiral", n=60, noise=0.1, seed=4)
    hidden = (LayerSpec(6, "tanh", dropout), LayerSpec(5, "relu", dropout))
    spec = build_spec(kind="classify", n_classes=2, features=("x1", "x2"), hidden=hidden)
    config = TrainConfig(
        OptimizerConfig("sgd", schedule="exponential", decay_steps=7, decay_rate=0.8),
        batch_size=7, l2=0.001,
    )  # fmt: skip
    return data, spec, config


ENTRIES = [("gd", None), ("sgd", 0.2), ("momentum", None), ("adam", None), ("adamw", 0.02),
           ("adam", 0.05)]  # fmt: skip


def test_every_racer_equals_a_plain_run_with_the_same_seed_step_for_step():
    data, spec, config = setup()
    race = Race.build(data, spec, config, ENTRIES, seed=3, normalise=True)
    race.run(4)
    assert all(np.array_equal(r.path[0], race.racers[0].path[0]) for r in race.racers)
    for racer in race.racers:
        assert racer.trainer.epoch == 4 and len(racer.path) == 5
        cfg = TrainConfig(OptimizerConfig(racer.optimizer, lr=racer.lr, schedule="exponential",
                                          decay_steps=7, decay_rate=0.8),
                          batch_size=7, l2=0.001)  # fmt: skip
        plain = Trainer(data, spec, cfg, seed=3, normalise=True)
        batch = plain.n_train if racer.optimizer == "gd" else 7
        epoch = 0
        while plain.epoch < 4:  # one optimizer step per call, unlike the race's epochs
            plain.run(samples=min(batch, plain.n_train - plain.pos % plain.n_train))
            if plain.epoch > epoch:
                epoch = plain.epoch
                assert np.array_equal(plain.params, racer.path[epoch]), (racer.label, epoch)
        assert plain.step == racer.trainer.step
        assert np.array_equal(plain.state.m, racer.trainer.state.m)
    # and the racers really differ: the race compares something
    assert not np.array_equal(race.racers[1].path[-1], race.racers[3].path[-1])


def test_a_diverging_racer_stops_and_the_others_go_on():
    data = make_dataset("plane", n=80, seed=1)
    spec = build_spec(kind="regress", n_classes=0, features=("x1", "x2"),
                      hidden=(LayerSpec(8, "tanh"),))  # fmt: skip
    race = Race.build(data, spec, TrainConfig(), [("sgd", 0.01), ("sgd", 3.0), ("adam", None)])
    race.run(6)
    calm, wild, adam = race.racers
    assert wild.diverged and wild.trainer.stopped and wild.trainer.diverged_at is not None
    assert f"step {wild.trainer.diverged_at}" in wild.trainer.message
    assert wild.trainer.epoch < 6 and np.isfinite(wild.trainer.params).all()
    assert not calm.diverged and calm.trainer.epoch == 6 and adam.trainer.epoch == 6


@pytest.mark.parametrize("entries", [[("adam", None)], [("sgd", None)] * 9])
def test_a_race_needs_two_to_eight_racers(entries):
    data, spec, config = setup(0.0)
    with pytest.raises(DlvizError, match="2 to 8 racers"):
        Race.build(data, spec, config, entries)
