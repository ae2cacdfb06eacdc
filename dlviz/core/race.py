"""The optimizer race: several trainers, one start, one data order, trained in lockstep.

Every racer is a plain :class:`~dlviz.core.trainer.Trainer` built from the same
dataset, network, training settings and seed, so all start from the same
weights and draw the same shuffle every epoch (GD racers take the whole
training set per step); only the optimizer and its learning rate differ.  A
race advances epoch by epoch, each live racer training one whole epoch in
turn, so a racer's run is exactly the plain run of its settings.  A racer
whose loss diverges stops (the trainer's own guard) and the others go on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from dlviz.core.colors import OKABE_ITO_HEX
from dlviz.core.data import Dataset
from dlviz.core.errors import DlvizError
from dlviz.core.metrics import Metrics
from dlviz.core.network import NetworkSpec
from dlviz.core.optim import OPTIMIZER_LABELS, OPTIMIZERS, default_lr
from dlviz.core.trainer import TrainConfig, Trainer

MIN_RACERS, MAX_RACERS = 2, 8
#: One colour per optimizer (Okabe–Ito), the same in every view that shows a racer.
OPTIMIZER_COLORS = dict(zip(OPTIMIZERS, OKABE_ITO_HEX, strict=True))
#: Weight vectors kept per racer for drawing its path on the loss landscape.
PATH_LIMIT = 2000


@dataclass
class Racer:
    """One optimizer in the race: its trainer and how its run ended."""

    optimizer: str
    lr: float
    trainer: Trainer
    #: Weights after every epoch, the start first (thinned by half past PATH_LIMIT).
    path: list[np.ndarray] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{OPTIMIZER_LABELS[self.optimizer]} η={self.lr:g}"

    @property
    def color(self) -> str:
        return OPTIMIZER_COLORS[self.optimizer]

    @property
    def diverged(self) -> bool:
        return self.trainer.diverged_at is not None

    @property
    def running(self) -> bool:
        return not self.trainer.stopped and self.trainer.n_train > 0


class Race:
    """Two to eight racers trained in lockstep, one epoch at a time."""

    def __init__(self, racers: Sequence[Racer]) -> None:
        if not MIN_RACERS <= len(racers) <= MAX_RACERS:
            raise DlvizError(
                f"a race needs {MIN_RACERS} to {MAX_RACERS} racers, not {len(racers)}; "
                "give them as --optimizers sgd,adam"
            )
        first = racers[0].trainer
        for racer in racers[1:]:
            t = racer.trainer
            # the same start and the same batches, or the race compares nothing
            if t.spec != first.spec or t.seed != first.seed or t.dataset is not first.dataset:
                raise DlvizError("racers must share the data, the network and the seed")
            if not np.array_equal(t.params, first.params):
                raise DlvizError("racers must start from the same weights")
        self.racers = list(racers)
        for racer in self.racers:
            racer.path = [racer.trainer.params.copy()]

    @classmethod
    def build(
        cls,
        dataset: Dataset,
        spec: NetworkSpec,
        config: TrainConfig,
        entries: Sequence[tuple[str, float | None]],
        *,
        seed: int = 0,
        engine: str = "cpu",
        normalise: bool = False,
    ) -> Race:
        """Racers ``(optimizer, learning rate or None for the default)`` sharing the rest."""
        racers = []
        for name, lr in entries:
            if name not in OPTIMIZERS:
                raise DlvizError(f"unknown optimizer '{name}'; choose from {', '.join(OPTIMIZERS)}")
            rate = default_lr(name) if lr is None else lr
            cfg = replace(config, optimizer=replace(config.optimizer, name=name, lr=rate))
            trainer = Trainer(dataset, spec, cfg, seed=seed, engine=engine, normalise=normalise)
            racers.append(Racer(name, rate, trainer))
        return cls(racers)

    @property
    def epoch(self) -> int:
        """Epochs the race has run (the furthest racer's)."""
        return max(r.trainer.epoch for r in self.racers)

    @property
    def running(self) -> bool:
        return any(r.running for r in self.racers)

    def step_epoch(self) -> None:
        """Every racer still running trains one whole epoch."""
        for racer in self.racers:
            if not racer.running:
                continue
            racer.trainer.run(until_epoch_end=True)
            racer.path.append(racer.trainer.params.copy())
            if len(racer.path) > PATH_LIMIT:
                racer.path = racer.path[::2]

    def run(self, epochs: int) -> None:
        """Train until every racer has had ``epochs`` epochs or stopped."""
        while self.running and self.epoch < epochs:
            self.step_epoch()

    def results(self) -> list[tuple[Racer, Metrics, Metrics]]:
        """(racer, training-set metrics, test-set metrics) on all points, for each racer."""
        return [(r, *r.trainer.evaluate()) for r in self.racers]
