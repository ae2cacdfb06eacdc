"""What the GUI thread asks of the training worker: one frozen dataclass per command.

Frozen, so a command queued now reads the same when the worker takes it
between two slices.  :class:`~dlviz.ui.worker.TrainingWorker` has one handler
per type; of the settings in :data:`COALESCED` only the newest queued value
is applied.  A new command is a dataclass here, a handler in the worker's
table and, usually, a small method that sends it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from dlviz.core.data import Dataset
from dlviz.core.network import NetworkSpec
from dlviz.core.trainer import TrainConfig, Trainer


@dataclass(frozen=True)
class Quit:
    pass


@dataclass(frozen=True)
class Play:
    pass


@dataclass(frozen=True)
class Pause:
    pass


@dataclass(frozen=True)
class StepBatch:
    pass


@dataclass(frozen=True)
class StepEpoch:
    pass


@dataclass(frozen=True)
class Reset:
    """Fresh weights: the initial ones again (``seed`` None) or drawn from ``seed``."""

    seed: int | None = None


@dataclass(frozen=True)
class SetConfig:
    config: TrainConfig


@dataclass(frozen=True)
class SetDataset:
    dataset: Dataset  # the worker's own copy: the canvas edits the session's in place


@dataclass(frozen=True)
class SetProblem:
    """New data and network together (a new data kind or class count needs both at once)."""

    dataset: Dataset
    spec: NetworkSpec


@dataclass(frozen=True)
class SetSpec:
    spec: NetworkSpec


@dataclass(frozen=True)
class SetSpeed:
    epochs_per_second: float | None


@dataclass(frozen=True)
class SetEngine:
    choice: str  # see core/engines.py


@dataclass(frozen=True)
class SetExtras:
    extras: Mapping[str, Any]


@dataclass(frozen=True)
class ReplaceTrainer:
    trainer: Trainer


@dataclass(frozen=True)
class SetTimelineCap:
    cap_bytes: int


@dataclass(frozen=True)
class ResumeFrom:
    step: int


@dataclass(frozen=True)
class TrainSteps:
    steps: int


@dataclass(frozen=True)
class Job:
    """``fn(trainer)`` between two slices; its result goes to ``future`` (and ``done``)."""

    fn: Callable[[Trainer], Any]
    future: Future[Any]
    done: Callable[[Any, BaseException | None], None] | None = None
    changes: bool = False  # it changes what a snapshot shows: publish one after it


Command = (
    Quit
    | Play
    | Pause
    | StepBatch
    | StepEpoch
    | Reset
    | SetConfig
    | SetDataset
    | SetProblem
    | SetSpec
    | SetSpeed
    | SetEngine
    | SetExtras
    | ReplaceTrainer
    | SetTimelineCap
    | ResumeFrom
    | TrainSteps
    | Job
)
#: Settings where only the newest queued value counts: older ones are skipped unapplied.
COALESCED = (SetDataset, SetSpec, SetConfig, SetSpeed)
