"""The training worker: one background thread owns the Trainer; the GUI sends it commands.

Design (the threads and their rules: docs/ARCHITECTURE.md):

* The :class:`~dlviz.core.trainer.Trainer` is created, trained and changed
  only in the worker thread.  The GUI never touches it.
* The GUI sends commands (play, pause, step, reset, new settings, new data...)
  through a thread-safe queue; the worker applies them *between* slices, so a
  change never lands in the middle of a compiled kernel call.  A command is a
  frozen dataclass of :mod:`dlviz.ui.commands` with one handler each; of the
  settings in ``COALESCED`` only the newest queued value is applied.
  Anything else that needs the trainer (file jobs, weight edits) is a
  :meth:`TrainingWorker.run_job`, whose ``done`` comes back to the GUI thread.
* Each slice trains ``SLICE_SECONDS`` (longer for a network whose snapshots
  are slow, see :func:`slice_seconds`); its immutable
  :class:`~dlviz.core.snapshot.Snapshot` goes to the GUI through a queued
  signal.  The GUI keeps only the newest and draws on its own timer.  At full
  speed on the CPU engine the snapshot is taken on the snapshot thread while
  the next slice trains (:mod:`dlviz.ui.snapshots`); steps, slow motion and
  edits take theirs in line.
* Paused, the thread blocks on the queue (no CPU).  Slow motion trains a few
  batches per slice and waits on the queue between slices, so a command
  still takes effect at once.

Why a plain ``threading.Thread`` rather than superqt's ``thread_worker``: the
loop has to block on its command queue while paused and wake on the next
command, coalesce commands, and be joined deterministically when the window
closes.  ``thread_worker`` runs generators on Qt's global thread pool, whose
idle threads outlive the worker (the leak fixture would flag them) and whose
pause is a sleep-poll.  Signals are emitted from this thread on a QObject
that lives in the GUI thread; Qt queues them to the GUI's slots.
"""

from __future__ import annotations

import math
import queue
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot

from dlviz.core.data import Dataset
from dlviz.core.errors import DlvizError
from dlviz.core.network import NetworkSpec
from dlviz.core.snapshot import Snapshot
from dlviz.core.timeline import DEFAULT_CAP_BYTES, Timeline, TimelineEntry
from dlviz.core.trainer import TrainConfig, Trainer, TrainerState
from dlviz.ui.commands import (
    COALESCED,
    Command,
    Job,
    Pause,
    Play,
    Quit,
    ReplaceTrainer,
    Reset,
    ResumeFrom,
    SetConfig,
    SetDataset,
    SetEngine,
    SetExtras,
    SetProblem,
    SetSpec,
    SetSpeed,
    SetTimelineCap,
    StepBatch,
    StepEpoch,
    TrainSteps,
)
from dlviz.ui.i18n import translate
from dlviz.ui.snapshots import Order, SnapshotThread, takes
from dlviz.ui.threads import limit_blas_threads

#: Seconds of training per slice at full speed (one snapshot per slice).
SLICE_SECONDS = 0.04
#: Largest share of full-speed training time that snapshots may take: the app trains at
#: >= 90 % of the engine's own speed, and a network whose snapshots are slow (wide
#: layers, a fine grid) gets fewer of them rather than slower training.  Less than 10 %:
#: each slice also plans its epochs (a shuffle each) and checks the weights it ends on,
#: ~2-3 % more (profiled on the wide 2-256-256-10 net, where 10 % left the app at 0.87).
#: Pacing by all of a slice's time outside its compiled calls instead (8 %, wall clock)
#: was measured and dropped (2026-12-02, alternating runs): the wide net's loop without a
#: GUI ran at 0.935-0.965 of the kernel with Adam against 0.90-0.965 (SGD: 0.87-0.98
#: against 0.885-0.98), and in the window, where that time includes waits for the GIL,
#: the boundary got 11-15 pictures a second instead of 15-18 for no training gain beyond
#: noise (the worker's CPU time instead: no gain either).
SNAPSHOT_SHARE = 0.07
#: A snapshot taken on the snapshot thread while the next slice trains (Pacing.ahead)
#: costs the training little: the slices lengthen only so that it keeps that thread busy
#: at most this share of the time, on the core the GUI thread draws on.
AHEAD_SHARE = 0.25
#: Decision-grid resolution while training, and when paused or stepping.
LIVE_GRID = 64
STILL_GRID = 160
#: A small network (the classroom's 2-16-16-1 has 337 weights) gets a finer live grid:
#: its 128 x 128 grid costs well under a millisecond, and its sharp boundary no longer
#: shows the grid's steps.
SMALL_NET_PARAMS = 1500
SMALL_NET_LIVE_GRID = 128
#: Full-speed slices compute a grid at most this often (the rest carry none).
GRID_HZ = 30.0
#: Speed choices in epochs (passes over the training points) per second; ``None`` is as
#: fast as the machine goes.  Epochs, not batches: the same choice looks the same
#: whatever the batch size and the number of points.
SPEEDS: tuple[float | None, ...] = (0.1, 0.3, 1, 3, 10, 30, 100, None)
#: The app's starting pace: a room can follow it.  The circle preset's default network
#: (8-8 tanh, Adam, batch 10) settles in 20-30 epochs, about ten seconds at 3 epochs/s;
#: at "max" it is over in under a second, faster than a teacher can talk.
DEFAULT_SPEED = 3
#: Snapshots published along a ``train_steps`` request (points on the loss curves).
CURVE_POINTS = 300
#: Slow motion publishes at most this many snapshots per second.
SLOW_SNAPSHOT_HZ = 30.0
#: At full speed the timeline keeps a point at most this often (seconds).
TIMELINE_S = 0.2
#: At full speed the per-layer statistics (sorting every layer's weights, gradients and
#: activations) are taken at most this often, whether or not the distributions view is
#: open, so its history has no gaps when it is opened late ...
STATS_HZ = 5.0
#: ... and at most this often while a view shows them live (the view asks, see
#: PACING_EXTRAS): with every snapshot (VIEWS_SNAPSHOT_HZ).  A medium network's statistics
#: take about a millisecond ...
LIVE_STATS_HZ = 30.0
#: ... and they take at most this share of the time, however wide the network.
STATS_SHARE = 0.05
#: Extras a view may ask the snapshots to carry (keyword arguments of ``Trainer.run``).
EXTRAS = ("neuron_grid", "hidden", "gallery")
#: What a view may ask of the full-speed pacing: ``stats_hz``, how often it wants the
#: per-layer statistics (at most LIVE_STATS_HZ).
PACING_EXTRAS = ("stats_hz",)
#: Snapshots a second at full speed while open views ask for extras (neuron pictures, the
#: hidden space, a gallery): every open view redraws with each snapshot, so this is their
#: rate.  A medium network's snapshot with every extra takes ~5 ms of CPU but ~12 ms of
#: wall time (the GUI thread holds the GIL part of it), so 40 ms slices gave only ~16 a
#: second; slices now shorten so that slice + snapshot is 1/24 s.  Training pays for what
#: is shown: about 70 % of the time trains (77 % with 40 ms slices).  Below GRID_HZ, so
#: each of these snapshots carries its grid (and with it the extras).
VIEWS_SNAPSHOT_HZ = 24.0
#: ... but snapshots take at most this share of the time (a wide network gets fewer).
VIEWS_SNAPSHOT_SHARE = 0.35


def live_grid(trainer: Trainer) -> int:
    """The decision-grid resolution while ``trainer`` trains at speed."""
    return SMALL_NET_LIVE_GRID if trainer.params.size <= SMALL_NET_PARAMS else LIVE_GRID


def slow_slice(epochs_per_second: float, n_train: int, batch_rows: int) -> tuple[int, float]:
    """(batches per slice, seconds per slice) that train ``epochs_per_second``.

    A slice is a whole number of batches and comes at most SLOW_SNAPSHOT_HZ
    times a second, so a fast pace trains several batches per picture.
    """
    per_epoch = math.ceil(max(n_train, 1) / max(batch_rows, 1))
    batches_per_second = epochs_per_second * per_epoch
    per_slice = max(1, math.ceil(batches_per_second / SLOW_SNAPSHOT_HZ))
    return per_slice, per_slice / batches_per_second


class TrainingWorker(QObject):
    """Owns the training thread.  Methods are called from the GUI thread; signals arrive there."""

    #: The newest snapshot (a :class:`Snapshot`).
    snapshot_ready = Signal(object)
    #: "warming", "paused", "playing", "stopped".
    state_changed = Signal(str)
    #: JIT warm-up progress: (kernels done, kernels in all, what is compiling now).
    warming = Signal(int, int, str)
    #: Seconds the JIT warm-up took; emitted once the engine is ready.
    ready = Signal(float)
    #: Short news for the status bar ("network rebuilt: new weights").
    notice = Signal(str)
    #: Training stopped itself: the trainer's message and its stop_reason ("diverged",
    #: "early_stop", or "" for none).
    halted = Signal(str, str)
    #: Something went wrong: (message, details); details is a traceback or "" for user mistakes.
    failed = Signal(str, str)
    #: Why the chosen training engine is not the one that runs (what to install), or a
    #: note about it; sent once per choice.
    engine_note = Signal(str)
    #: A ``train_steps`` request finished (the screenshot mode waits for it).
    steps_done = Signal(int)
    #: (job, its future): emitted by the worker thread, queued to :meth:`_job_ended`.
    _job_done = Signal(object)

    def __init__(
        self,
        dataset: Dataset,
        spec: NetworkSpec,
        config: TrainConfig,
        *,
        seed: int = 0,
        engine: str = "cpu",
        warm_up: Callable[[Callable[[int, int, str], None]], None] | None = None,
        timeline_cap: int = DEFAULT_CAP_BYTES,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._commands: queue.Queue[Command] = queue.Queue()
        # its own copy: the canvas edits the session's points in place
        self._initial = (dataset.working_copy(), spec, config, seed)
        self._engine = engine
        self._warm_up = warm_up
        self._thread: threading.Thread | None = None
        # worker-thread state (touched only by the worker thread once started)
        self._trainer: Trainer | None = None
        self._playing = False
        self._speed: float | None = None
        self._pacing = Pacing()
        self._extras: dict[str, Any] = {}
        self._timeline = Timeline(timeline_cap)
        self._timeline_lock = threading.Lock()
        self._last_record = 0.0
        self._snapshots: SnapshotThread | None = None  # full speed's (made in the thread)
        self._next_slice = 0.0
        self._quit = False
        self._stopping = threading.Event()
        # each handler applies one command in the worker thread; True: publish a snapshot
        self._handlers: dict[type, Callable[[Any], bool]] = {
            Quit: self._on_quit,
            Play: self._on_play,
            Pause: self._on_pause,
            SetSpeed: self._on_speed,
            SetProblem: self._on_problem,
            SetExtras: self._on_extras,
            SetTimelineCap: self._on_timeline_cap,
            ReplaceTrainer: self._on_replace_trainer,
            Job: self._on_job,
            StepBatch: self._on_step_batch,
            StepEpoch: self._on_step_epoch,
            Reset: self._on_reset,
            ResumeFrom: self._on_resume_from,
            SetConfig: self._on_config,
            SetEngine: self._on_engine,
            SetDataset: self._on_dataset,
            SetSpec: self._on_spec,
            TrainSteps: self._on_train_steps,
        }
        self._job_done.connect(self._job_ended, Qt.ConnectionType.QueuedConnection)

    # ------------------------------------------------------------ GUI-thread API

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("the worker is already running")
        limit_blas_threads()
        self._thread = threading.Thread(target=self._main, name="dlviz-trainer", daemon=True)
        self._thread.start()

    @property
    def trainer(self) -> Trainer | None:
        """The worker's trainer, for tests and benchmarks: read it only while paused."""
        return self._trainer

    def is_running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self, timeout: float = 30.0) -> bool:
        """Ask the thread to finish and wait for it; True when it has ended."""
        if self._thread is None:
            return True
        self._stopping.set()  # a long train_steps request ends at its next chunk
        self._commands.put(Quit())
        self._thread.join(timeout)
        alive = self._thread.is_alive()
        if not alive:
            self._thread = None
        return not alive

    def send(self, command: Command) -> None:
        """Queue a command; it is applied between slices, in order."""
        if type(command) not in self._handlers:
            raise TypeError(f"not a worker command: {command!r}")
        self._commands.put(command)

    def play(self) -> None:
        self.send(Play())

    def pause(self) -> None:
        self.send(Pause())

    def step_batch(self) -> None:
        self.send(StepBatch())

    def step_epoch(self) -> None:
        self.send(StepEpoch())

    def reset(self, seed: int | None = None) -> None:
        """Fresh weights: the same as at the start (``seed`` None) or drawn from ``seed``."""
        self.send(Reset(seed))

    def set_config(self, config: TrainConfig) -> None:
        self.send(SetConfig(config))

    def set_dataset(self, dataset: Dataset) -> None:
        """New or edited points (the worker gets its own copy; image data is shared, as
        nothing edits it in place); weights are kept."""
        self.send(SetDataset(dataset.working_copy()))

    def set_problem(self, dataset: Dataset, spec: NetworkSpec) -> None:
        """New data and network together (a new data kind or class count needs both at once)."""
        self.send(SetProblem(dataset.working_copy(), spec))

    def set_spec(self, spec: NetworkSpec) -> None:
        self.send(SetSpec(spec))

    def set_speed(self, epochs_per_second: float | None) -> None:
        """Train this many epochs per second while playing (``None``: as fast as it goes)."""
        self.send(SetSpeed(epochs_per_second))

    def set_engine(self, choice: str) -> None:
        """Train on engine ``choice`` (see core/engines.py) from the next slice; weights stay."""
        self.send(SetEngine(choice))

    def set_extras(self, extras: Mapping[str, Any]) -> None:
        """What the open views need in each drawn snapshot, e.g. ``{"neuron_grid": 24}``.

        Keys are :data:`EXTRAS` and :data:`PACING_EXTRAS`; a view that is
        hidden asks for nothing, so nothing is computed for it.
        """
        unknown = set(extras) - set(EXTRAS) - set(PACING_EXTRAS)
        if unknown:
            raise ValueError(f"unknown snapshot extras {sorted(unknown)}")
        self.send(SetExtras(dict(extras)))

    def run_job(
        self,
        fn: Callable[[Trainer], Any],
        done: Callable[[Any, BaseException | None], None] | None = None,
        *,
        changes: bool = False,
    ) -> Future[Any]:
        """Run ``fn(trainer)`` in the worker thread between two slices.

        The one way to read or change the trainer from the GUI (save a
        project, import or edit weights) without racing the training loop.
        ``done(result, error)`` runs later in the GUI thread (``error`` is the
        exception ``fn`` raised, else None); nothing waits for it.  A job
        without ``done`` that fails is reported like any worker error.  Before
        the engine has started (the JIT warm-up) the job waits in the queue;
        if the engine failed to start, ``fn`` is not called and the error says
        so.  ``changes``: the job changes what the views show (weights), so a
        snapshot follows it even while paused.  The returned future is for
        code that may block (tests, scripts).
        """
        future: Future[Any] = Future()
        self.send(Job(fn, future, done, changes))
        return future

    def replace_trainer(self, trainer: Trainer) -> None:
        """Train this trainer from now on (an opened project); the timeline starts afresh."""
        self.send(ReplaceTrainer(trainer))

    def timeline_entries(self) -> list[TimelineEntry]:
        """The timeline's points, oldest first (a copy; the entries are immutable)."""
        with self._timeline_lock:
            return [self._timeline[i] for i in range(len(self._timeline))]

    def timeline_nbytes(self) -> int:
        with self._timeline_lock:
            return self._timeline.nbytes

    def set_timeline_cap(self, cap_bytes: int) -> None:
        self.send(SetTimelineCap(int(cap_bytes)))

    def resume_from(self, step: int) -> None:
        """Go back to the timeline point at ``step``: weights, optimizer and shuffle state.

        Later points are forgotten; training on from there gives the same steps
        as if it had never gone further.
        """
        self.send(ResumeFrom(int(step)))

    def train_steps(self, steps: int) -> None:
        """Train ``steps`` more optimizer steps at once, then emit ``steps_done``."""
        self.send(TrainSteps(int(steps)))

    # ------------------------------------------------------------ worker thread

    def _main(self) -> None:
        self.state_changed.emit("warming")
        started = time.perf_counter()
        try:
            if self._warm_up is not None:
                self._warm_up(self.warming.emit)
        except Exception as exc:  # noqa: BLE001  (reported to the user, the app keeps running)
            self._report(exc)
        try:
            dataset, spec, config, seed = self._initial
            self._trainer = Trainer(dataset, spec, config, seed=seed, engine=self._engine)
            self._tell_engine(self._trainer)
        except Exception as exc:  # noqa: BLE001
            self._report(exc)
        self.ready.emit(time.perf_counter() - started)
        self._set_playing(False)
        self._publish(STILL_GRID)
        self._snapshots = SnapshotThread(self.snapshot_ready.emit)
        try:
            self._loop()
        finally:
            self._snapshots.close()

    def _loop(self) -> None:
        while not self._quit:
            try:
                changed = self._take_commands()
                if self._quit:
                    self._finish_snapshot()
                    break
                if self._playing and self._trainer is not None:
                    self._train_slice()
                elif changed:
                    self._publish(STILL_GRID)
            except Exception as exc:  # noqa: BLE001
                try:  # the snapshot in hand reaches the GUI before the news
                    self._finish_snapshot()
                except Exception as other:  # noqa: BLE001
                    self._report(other)
                self._set_playing(False)
                self._report(exc)

    def _report(self, exc: BaseException) -> None:
        if isinstance(exc, DlvizError):
            self.failed.emit(str(exc), "")
        else:
            details = "".join(traceback.format_exception(exc))
            self.failed.emit(f"{type(exc).__name__}: {exc}", details)

    def _set_playing(self, playing: bool) -> None:
        self._playing = playing
        self.state_changed.emit("playing" if playing else "paused")

    def _wait_seconds(self) -> float | None:
        """How long to block on the queue: forever when paused, until the next slow slice."""
        if not self._playing or self._trainer is None:
            return None
        return max(0.0, self._next_slice - time.perf_counter())

    def _take_commands(self) -> bool:
        """Apply every queued command; True when something changed that the GUI should see."""
        wait = self._wait_seconds()
        batch: list[Command] = []
        try:
            if wait is None:
                batch.append(self._commands.get())
            elif wait > 0:
                batch.append(self._commands.get(timeout=wait))
        except queue.Empty:
            return False
        while True:
            try:
                batch.append(self._commands.get_nowait())
            except queue.Empty:
                break
        if not batch:
            return False
        # the snapshot in hand reaches the GUI before anything the commands change
        changed = False
        try:
            self._finish_snapshot()
        except Exception as exc:  # noqa: BLE001  (reported; the commands still apply)
            self._set_playing(False)
            self._report(exc)
            changed = True
        for i, command in enumerate(batch):
            if isinstance(command, COALESCED) and any(
                type(later) is type(command) for later in batch[i + 1 :]
            ):
                continue  # a newer value of the same setting is already queued
            try:
                changed |= self._handlers[type(command)](command)
            except Exception as exc:  # noqa: BLE001
                self._set_playing(False)
                self._report(exc)
                changed = True
            if self._quit:
                break
        return changed

    # each handler: one command, in the worker thread; True when the GUI should see a change

    def _on_quit(self, _: Quit) -> bool:
        self._quit = True
        return False

    def _on_play(self, _: Play) -> bool:
        if self._trainer is not None and not self._playing:
            self._next_slice = time.perf_counter()
            self._set_playing(True)
        return False

    def _on_pause(self, _: Pause) -> bool:
        if self._playing:
            self._set_playing(False)
        return True

    def _on_speed(self, command: SetSpeed) -> bool:
        self._speed = command.epochs_per_second
        self._next_slice = time.perf_counter()
        return False

    def _on_problem(self, command: SetProblem) -> bool:
        return self._apply_problem(command.dataset, command.spec)

    def _on_extras(self, command: SetExtras) -> bool:
        extras = dict(command.extras)
        self._pacing.stats_hz = min(float(extras.pop("stats_hz", STATS_HZ)), LIVE_STATS_HZ)
        self._pacing.views_extras = bool(extras)
        self._extras = extras
        return True

    def _on_timeline_cap(self, command: SetTimelineCap) -> bool:
        with self._timeline_lock:
            self._timeline.set_cap(command.cap_bytes)
        return False

    def _on_replace_trainer(self, command: ReplaceTrainer) -> bool:
        self._trainer = command.trainer
        self._forget_timeline()
        self._tell_engine(command.trainer)
        return True

    def _on_job(self, job: Job) -> bool:
        future = job.future
        if not future.set_running_or_notify_cancel():
            return False
        try:
            if self._trainer is None:
                raise DlvizError(
                    translate(
                        "TrainingWorker",
                        "the training engine did not start, so there is nothing to use",
                    )
                )
            future.set_result(job.fn(self._trainer))
        except Exception as exc:  # noqa: BLE001  (goes to done, or reported below)
            future.set_exception(exc)
        if job.done is not None:
            try:
                self._job_done.emit((job, future))  # queued: done runs in the GUI thread
            except RuntimeError:
                pass  # the window is gone
        elif future.exception() is not None:
            self._report(future.exception())  # type: ignore[arg-type]
        return job.changes

    @Slot(object)
    def _job_ended(self, item: tuple[Job, Future[Any]]) -> None:
        job, future = item
        assert job.done is not None
        error = future.exception()
        job.done(None if error is not None else future.result(), error)

    def _on_step_batch(self, _: StepBatch) -> bool:
        trainer = self._trainer
        if trainer is None:
            return False
        self._pause_quietly()
        self._run(trainer, samples=trainer.rows_per_step)
        self._check_halt(trainer)
        return True

    def _on_step_epoch(self, _: StepEpoch) -> bool:
        trainer = self._trainer
        if trainer is None:
            return False
        self._pause_quietly()
        self._run(trainer, until_epoch_end=True)
        self._check_halt(trainer)
        return True

    def _on_reset(self, command: Reset) -> bool:
        if self._trainer is None:
            return False
        self._trainer.reset(command.seed)
        self._forget_timeline()
        return True

    def _on_resume_from(self, command: ResumeFrom) -> bool:
        trainer = self._trainer
        if trainer is None:
            return False
        step = command.step
        self._pause_quietly()
        with self._timeline_lock:
            steps = self._timeline.steps
            if step not in steps:
                # the network was rebuilt or reset after the user chose that point
                self.notice.emit(
                    translate(
                        "TrainingWorker",
                        "step {step} is no longer on the timeline (the network was "
                        "rebuilt or reset since); training stays where it is",
                    ).format(step=step)
                )
                return True
            index = steps.index(step)
            exact = trainer.restore(self._timeline[index].state)
            self._timeline.truncate_after(index)
        if not exact:
            self.notice.emit(
                translate(
                    "TrainingWorker",
                    "back at step {step}: the points changed since then, so its "
                    "epoch starts afresh on the points you see",
                ).format(step=step)
            )
        return True

    def _on_config(self, command: SetConfig) -> bool:
        if self._trainer is None:
            return False
        self._trainer.set_config(command.config)
        return True

    def _on_engine(self, command: SetEngine) -> bool:
        if self._trainer is None:
            return False
        self._trainer.set_engine(command.choice)
        self._tell_engine(self._trainer)
        return True

    def _on_dataset(self, command: SetDataset) -> bool:
        if self._trainer is None:
            return False
        self._trainer.set_dataset(command.dataset)
        return True

    def _on_spec(self, command: SetSpec) -> bool:
        if self._trainer is None:
            return False
        self._apply_problem(self._trainer.dataset, command.spec)
        return True

    def _on_train_steps(self, command: TrainSteps) -> bool:
        trainer = self._trainer
        if trainer is None:
            return False
        # in up to CURVE_POINTS chunks, each published, so the curves have points
        target = trainer.step + command.steps
        chunk = max(1, -(-command.steps // CURVE_POINTS))
        while (
            trainer.step < target
            and not trainer.stopped
            and trainer.n_train
            and not self._stopping.is_set()
        ):
            steps = min(chunk, target - trainer.step)
            snap = self._run(trainer, samples=steps * trainer.rows_per_step)
            if snap is not None:
                self.snapshot_ready.emit(snap)
        self._check_halt(trainer)
        self._publish(STILL_GRID)
        self.steps_done.emit(trainer.step)
        return False

    def _apply_problem(self, dataset: Dataset, spec: NetworkSpec) -> bool:
        trainer = self._trainer
        if trainer is None:
            _, _, config, seed = self._initial
            self._trainer = Trainer(dataset, spec, config, seed=seed, engine=self._engine)
            return True
        kept = trainer.adopt(dataset, spec)
        if kept == "weights":
            self.notice.emit(
                translate(
                    "TrainingWorker", "network changed; training goes on with the same weights"
                )
            )
        elif kept == "rebuilt":
            self._forget_timeline()
            self.notice.emit(translate("TrainingWorker", "network rebuilt with new weights"))
        return True

    def _tell_engine(self, trainer: Trainer) -> None:
        """Remember the trainer's engine choice for new trainers; pass on its note, if any."""
        self._engine = trainer.engine_choice
        if trainer.engine_note:
            self.engine_note.emit(trainer.engine_note)

    def _forget_timeline(self) -> None:
        with self._timeline_lock:
            self._timeline.clear()

    def _pause_quietly(self) -> None:
        if self._playing:
            self._set_playing(False)

    def _check_halt(self, trainer: Trainer) -> bool:
        if trainer.stopped:
            self._pause_quietly()
            # the window frames the core's English message (and says "stopped" without one)
            self.halted.emit(trainer.message or "", trainer.stop_reason or "")
            return True
        return False

    def _train_slice(self) -> None:
        trainer = self._trainer
        assert trainer is not None
        now = time.perf_counter()
        snap: Snapshot | None = None
        if self._speed is None and self._snapshots is not None and self._pacing.ahead(trainer):
            self._train_ahead(trainer, self._snapshots, now)
        elif self._speed is None:
            snap = self._run(trainer, **self._pacing.slice(trainer, now))
            self._pacing.ran(trainer)
        else:
            rows = trainer.rows_per_step
            per_slice, interval = slow_slice(self._speed, trainer.n_train, rows)
            # a few pictures a second have time for the fine grid
            grid = STILL_GRID if interval >= 0.1 else live_grid(trainer)
            snap = self._run(trainer, samples=per_slice * rows, grid=grid)
            self._next_slice = max(self._next_slice + interval, now)
        if snap is not None:
            self.snapshot_ready.emit(snap)
        if trainer.stopped:
            try:
                self._finish_snapshot()  # the last picture before the news
            finally:
                self._check_halt(trainer)
        elif trainer.n_train == 0:
            # nothing to train on yet: stay in "playing" and wait for points (or a command)
            self._next_slice = time.perf_counter() + 0.1

    def _train_ahead(self, trainer: Trainer, snapshots: SnapshotThread, now: float) -> None:
        """A full-speed slice whose snapshot is taken on the snapshot thread while the next
        slice trains (dlviz/ui/snapshots.py)."""
        options = self._pacing.slice(trainer, now, ahead=True)
        still = trainer.train_still(seconds=options.pop("seconds"))
        self._finish_snapshot()  # the last slice's: usually taken while this one trained
        drawn = self._with_extras(options)
        state = trainer.capture() if self._timeline_due(still.step, drawn=drawn) else None
        snapshots.offer(Order(trainer, still, options, state))

    def _finish_snapshot(self) -> None:
        """Wait for the snapshot thread's snapshot in hand, if any, and record it: the
        trainer's history and cost figures, the timeline, the pacing."""
        order = None if self._snapshots is None else self._snapshots.finish()
        if order is None:
            return
        snap = order.record()
        if order.state is not None:
            self._keep(snap, order.state)
        self._pacing.ran(order.trainer)

    def _publish(self, grid: int) -> None:
        if self._trainer is None:
            return
        snap = self._run(self._trainer, grid=grid)
        if snap is not None:
            self.snapshot_ready.emit(snap)

    def _run(self, trainer: Trainer, **kwargs: Any) -> Snapshot:
        """``trainer.run``; a snapshot with a grid also carries what the open views asked for."""
        drawn = self._with_extras(kwargs)
        snap = trainer.run(**kwargs)
        self._record(trainer, snap, drawn=drawn)
        return snap

    def _with_extras(self, options: dict[str, Any]) -> bool:
        """Add what the open views asked for to ``options`` of a snapshot made to be drawn
        (one with a grid); returns whether it is one."""
        drawn = bool(options.get("grid"))
        if drawn:
            options.update(self._extras)
        return drawn

    def _record(self, trainer: Trainer, snap: Snapshot, *, drawn: bool) -> None:
        """Keep a timeline point (snapshot + full trainer state) every so often, and each step.

        Only snapshots made to be drawn (those that asked for a grid; an image network's
        carry none, as images have no plane) are points of the timeline.
        """
        if self._timeline_due(snap.step, drawn=drawn):
            self._keep(snap, trainer.capture())

    def _timeline_due(self, step: int, *, drawn: bool) -> bool:
        """Whether the snapshot of ``step`` is to be a timeline point (see :meth:`_record`)."""
        with self._timeline_lock:
            last = self._timeline[-1].step if len(self._timeline) else None
        if not drawn or step == last:
            return False
        full_speed = self._playing and self._speed is None
        return not full_speed or time.perf_counter() - self._last_record >= TIMELINE_S

    def _keep(self, snap: Snapshot, state: TrainerState) -> None:
        with self._timeline_lock:
            self._timeline.add(snap, state)
        self._last_record = time.perf_counter()


class Pacing:
    """What each full-speed slice takes besides training: how long it trains, and whether
    its snapshot carries a decision grid (GRID_HZ) and the per-layer statistics (stats_due).

    Steps, slow motion and edits take everything with every snapshot; only full
    speed is paced.  The engine benchmark times this same loop as the app's user path.
    """

    def __init__(self) -> None:
        self.last_grid = -math.inf
        self.last_stats = -math.inf  # when a slice last took the layer statistics
        self.snapshot_s = 0.0  # recent snapshot cost, smoothed
        self.stats_hz = STATS_HZ  # LIVE_STATS_HZ while a view shows the statistics
        self.views_extras = False  # open views ask the snapshots for extras

    @property
    def share(self) -> float:
        """Most of the time snapshots may take: VIEWS_SNAPSHOT_SHARE while views ask for
        extras, else SNAPSHOT_SHARE."""
        return VIEWS_SNAPSHOT_SHARE if self.views_extras else SNAPSHOT_SHARE

    @property
    def hz(self) -> float:
        """Snapshots a second wanted: VIEWS_SNAPSHOT_HZ while views ask for extras, else 0
        (slices of SLICE_SECONDS)."""
        return VIEWS_SNAPSHOT_HZ if self.views_extras else 0.0

    def ahead(self, trainer: Trainer) -> bool:
        """Whether the next slice's snapshot is taken on the snapshot thread while the slice
        after it trains: on the CPU engine (dlviz/ui/snapshots.py's ``takes``), unless views
        ask for extras.  Then the GUI thread draws most of the time on the other core, and
        a snapshot thread there took its time from the views: with every view open, measured
        (2026-12-02, alternating runs of benchmarks/gui.py's every-view window), the views
        redrew at 0.72-0.80 of their targets instead of 0.96-1.03, while training ran
        ~40 % faster.  With views open, the pictures come first."""
        return takes(trainer) and not self.views_extras

    def slice(self, trainer: Trainer, now: float, *, ahead: bool = False) -> dict[str, Any]:
        """``Trainer.run`` arguments of the next full-speed slice, starting at ``now``;
        ``ahead``: its snapshot is taken beside the next slice (see :func:`slice_seconds`)."""
        grid_due = now - self.last_grid >= 1.0 / GRID_HZ
        stats = stats_due(now - self.last_stats, trainer.stats_seconds, self.stats_hz)
        if grid_due:
            self.last_grid = now
        if stats:
            self.last_stats = now
        return {
            "seconds": (
                ahead_slice_seconds(self.snapshot_s)
                if ahead
                else slice_seconds(self.snapshot_s, self.share, self.hz)
            ),
            "grid": live_grid(trainer) if grid_due else 0,
            "stats": stats,
        }

    def ran(self, trainer: Trainer) -> None:
        """Learn the snapshot cost of the slice just run."""
        self.snapshot_s += 0.3 * (trainer.snapshot_seconds - self.snapshot_s)


def stats_due(since_last: float, stats_seconds: float, hz: float = STATS_HZ) -> bool:
    """Whether a full-speed slice takes the per-layer statistics, ``since_last`` seconds after
    the last ones, which took ``stats_seconds``: at ``hz``, slower when they are costly."""
    return since_last >= max(1.0 / hz, stats_seconds / STATS_SHARE)


def slice_seconds(snapshot_seconds: float, share: float = SNAPSHOT_SHARE, hz: float = 0.0) -> float:
    """Training seconds of a full-speed slice whose snapshot takes ``snapshot_seconds``.

    SLICE_SECONDS for most networks; for a big one (ten 256-wide layers: a
    snapshot with its grid takes ~0.2 s on 2 cores) the slice grows so that
    snapshots keep to ``share`` of the time (SNAPSHOT_SHARE: training goes on
    at >= 90 % of its headless speed), with fewer but still regular pictures.
    With ``hz`` (open views ask for extras: VIEWS_SNAPSHOT_HZ) the slice is
    what is left of 1/hz after the snapshot, so the views get ``hz`` pictures a
    second where ``share`` allows it.
    """
    least = 1.0 / hz - snapshot_seconds if hz else SLICE_SECONDS
    return max(least, snapshot_seconds * (1.0 - share) / share)


def ahead_slice_seconds(snapshot_seconds: float) -> float:
    """Training seconds of a full-speed slice whose snapshot, ``snapshot_seconds`` long, is
    taken beside the next slice (:meth:`Pacing.ahead`): SLICE_SECONDS, or for a slow
    snapshot as long as keeps the snapshot thread busy AHEAD_SHARE of the time (a
    snapshot comes once a slice, as it overlaps the next one)."""
    return max(SLICE_SECONDS, snapshot_seconds / AHEAD_SHARE)
