"""Full-speed snapshots, taken on a thread of their own while the worker trains on.

At full speed the worker trains a slice (~40 ms), hands the still of where it
got to (:meth:`~dlviz.core.trainer.Trainer.train_still`) to a
:class:`SnapshotThread` and trains the next slice while the snapshot is taken
(for the medium network ~3 ms of forward passes, loss and statistics, on the
other core).  One at a time: before it hands over the next still, and before
anything else the GUI could see (a command, a halt), the worker waits for the
one in hand (:meth:`SnapshotThread.finish`), so snapshots reach the GUI in the
order they were taken and before whatever followed them.  Each snapshot goes
to the GUI from this thread as soon as it is ready (``publish``); the worker
records it in the trainer's history and the timeline when it finishes it.

The thread computes with an engine of its own (the trainer's keeps its
buffers), a CPU engine for the still's network; stills of other engines are
the worker's to take in line (:func:`takes`), and so are all of them while
views ask for extras (``Pacing.ahead`` in :mod:`dlviz.ui.worker`).  What it
gave and why not always: docs/ARCHITECTURE.md ("Full-speed snapshots beside
training").
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dlviz.core.kernels.cpu import NumbaEngine
from dlviz.core.snapshot import Snapshot
from dlviz.core.still import Still
from dlviz.core.trainer import Trainer, TrainerState


def takes(trainer: Trainer) -> bool:
    """Whether :class:`SnapshotThread` can take the snapshots of ``trainer``'s stills: those
    of the CPU engine (a CUDA engine's passes run on the GPU, and the NumPy reference is
    slow enough that its snapshots cost little beside its training)."""
    return isinstance(trainer.engine, NumbaEngine)


@dataclass
class Order:
    """One snapshot to take: the still, ``Still.snapshot``'s keywords, and what the worker
    keeps with it (its trainer, and the trainer's state at the still for the timeline)."""

    trainer: Trainer
    still: Still
    options: dict[str, Any]
    state: TrainerState | None
    snapshot: Snapshot | None = None
    error: BaseException | None = None
    done: bool = False

    def record(self) -> Snapshot:
        """On the trainer's thread, once finished: note the snapshot in the trainer's history
        (:meth:`Trainer.record`) and return it; raises the error taking it raised."""
        if self.error is not None:
            raise self.error
        assert self.snapshot is not None
        self.trainer.record(self.still)
        return self.snapshot


class SnapshotThread:
    """The thread that takes full-speed snapshots (see the module docstring)."""

    def __init__(self, publish: Callable[[Snapshot], None]) -> None:
        self._publish = publish
        self._cond = threading.Condition()
        self._order: Order | None = None
        self._quit = False
        self._engine: NumbaEngine | None = None  # this thread's own
        self._thread = threading.Thread(target=self._main, name="dlviz-snapshots", daemon=True)
        self._thread.start()

    def offer(self, order: Order) -> None:
        """Take ``order``'s snapshot now, on this thread.  :meth:`finish` the previous first."""
        with self._cond:
            if self._order is not None:
                raise RuntimeError("a snapshot is still in hand: finish it first")
            self._order = order
            self._cond.notify_all()

    def finish(self) -> Order | None:
        """Wait for the snapshot in hand, if any, and give back its order (with the snapshot,
        published already, or the error taking it raised)."""
        with self._cond:
            while self._order is not None and not self._order.done:
                self._cond.wait()
            order, self._order = self._order, None
        return order

    def close(self) -> None:
        """End the thread, once the snapshot in hand (if any) is taken."""
        self.finish()
        with self._cond:
            self._quit = True
            self._cond.notify_all()
        self._thread.join()

    def _main(self) -> None:
        while True:
            with self._cond:
                while not self._quit and (self._order is None or self._order.done):
                    self._cond.wait()
                if self._quit:
                    return
                order = self._order
            assert order is not None
            try:
                still = dataclasses.replace(order.still, engine=self._engine_for(order.still))
                order.snapshot = still.snapshot(**order.options)
                order.still = still  # what it measured, for Trainer.record
                self._publish(order.snapshot)
            except BaseException as exc:  # noqa: BLE001  (the worker raises it on its thread)
                order.error = exc
            with self._cond:
                order.done = True
                self._cond.notify_all()

    def _engine_for(self, still: Still) -> NumbaEngine:
        if self._engine is None or self._engine.spec != still.spec:
            self._engine = NumbaEngine(still.spec, 0)
        return self._engine
