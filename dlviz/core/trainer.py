"""The trainer: owns a network's parameters, optimizer state and RNG, trains in bounded slices.

A :class:`Trainer` is a plain object: no threads, no callbacks.  The GUI's
worker calls :meth:`Trainer.run` again and again and forwards the returned
:class:`~dlviz.core.snapshot.Snapshot`; the CLI calls it in a loop with a
progress bar.  Settings change between slices through ``set_*`` methods.

Determinism: one seeded ``np.random.Generator`` draws the initial weights,
the dropout seed and every epoch's shuffle, so the same seed, data and spec
give the same run.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np

from dlviz.core.data import MAX_POINTS, Dataset, check_seed
from dlviz.core.engines import ENGINE_CHOICES, Engine, canonical, resolve
from dlviz.core.epochs import Plan, advance, batch_rows, plan_call
from dlviz.core.errors import DlvizError
from dlviz.core.kernels.cpu import NumbaEngine
from dlviz.core.kernels.reference import ReferenceEngine
from dlviz.core.metrics import Metrics, mean_loss
from dlviz.core.network import NetworkSpec, ParamLayout, init_params, spec_features
from dlviz.core.optim import (
    OptimizerConfig,
    OptimizerState,
    divergence_advice,
    learning_rates,
)
from dlviz.core.snapshot import Snapshot, StopReason, frozen
from dlviz.core.still import GridCache, Still

#: The engines a user may choose (``numba`` is read as ``cpu``; see core/engines.py).
ENGINES = ENGINE_CHOICES
#: What :meth:`Trainer.adopt` kept of the run.
Adoption = Literal["data", "weights", "rebuilt"]
#: Snapshots measure loss and accuracy on at most this many points per split;
#: :meth:`Trainer.evaluate` measures all of them.
EVAL_LIMIT = 4096
#: A loss this many times above the untrained network's (or 1) counts as diverged: weights
#: can grow for many steps before they overflow, and restoring those helps nobody.
DIVERGENCE_FACTOR = 1e4
#: Training points the weights a slice ends on are judged on (a forward pass on these
#: after every compiled call; the batch losses alone judge the weights *before* each update).
SANITY_SAMPLE = 128
#: A timed slice's main compiled call is planned for this share of the time left, at the
#: speed the last call measured: the rest absorbs a call that runs slower than that, and a
#: second call follows only when one ran faster (>= 20 % of the slice left).
SLICE_FILL = 0.9
#: `dlviz train` reports its progress (and measures the loss) about this often: a
#: snapshot's loss on EVAL_LIMIT points costs a wide net ~5 % of 0.1 s of training.
PROGRESS_SECONDS = 0.25
#: Loss history entries kept; past this the history is thinned by half.
HISTORY_LIMIT = 20_000


@dataclass(frozen=True)
class TrainConfig:
    """Everything about training that can change without rebuilding the network."""

    optimizer: OptimizerConfig = field(default_factory=OptimizerConfig)
    batch_size: int = 10
    l1: float = 0.0
    l2: float = 0.0
    #: Stop when the test loss has not improved for this many epochs (0: never).
    patience: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.batch_size <= MAX_POINTS:  # the engine allocates a batch's buffers
            raise DlvizError(f"batch size {self.batch_size} is out of range; use 1 to {MAX_POINTS}")
        for name, value in (("L1", self.l1), ("L2", self.l2)):
            if not (math.isfinite(value) and 0 <= value <= 10):
                raise DlvizError(f"{name} rate {value} is out of range; use 0 to 10")
        if self.patience < 0:
            raise DlvizError("early-stopping patience must be 0 (off) or more epochs")


@dataclass
class HistoryEntry:
    step: int
    epoch: int
    train_loss: float | None
    test_loss: float | None
    train_accuracy: float | None
    test_accuracy: float | None


def encode_targets(dataset: Dataset, spec: NetworkSpec) -> np.ndarray:
    """Targets in the network's output encoding, float32 (n, n_outputs)."""
    t = dataset.targets
    n = dataset.n
    if dataset.kind != "classify":
        return np.asarray(t, dtype=np.float32).reshape(n, 1)
    labels = np.asarray(t, dtype=np.int64)
    if spec.n_outputs == 1:
        if labels.size and labels.max() > 1:
            raise DlvizError("a network with one output separates 2 classes; rebuild it")
        return labels.astype(np.float32).reshape(n, 1)
    if labels.size and labels.max() >= spec.n_outputs:
        raise DlvizError(
            f"the data has {labels.max() + 1} classes but the network {spec.n_outputs} outputs"
        )
    onehot = np.zeros((n, spec.n_outputs), np.float32)
    onehot[np.arange(n), labels] = 1.0
    return onehot


def make_engine(name: str, spec: NetworkSpec, max_batch: int) -> Engine:
    """The engine ``name`` (``cpu``, ``cuda`` or ``reference``, as :func:`resolve` gives)."""
    if name == "cuda":  # imports numba-cuda: only when asked for
        from dlviz.core.kernels.cuda import CudaEngine

        return CudaEngine(spec, max_batch)
    if name == "reference":
        return ReferenceEngine(spec, max_batch)
    if canonical(name) == "cpu":
        return NumbaEngine(spec, max_batch)
    raise DlvizError(f"engine '{name}' must be resolved first (see engines.resolve)")


class Trainer:
    """Trains one network on one dataset; see the module docstring."""

    def __init__(
        self,
        dataset: Dataset,
        spec: NetworkSpec,
        config: TrainConfig | None = None,
        *,
        seed: int = 0,
        engine: str = "cpu",
        normalise: bool = False,
    ) -> None:
        check_seed(seed)
        self.config = config or TrainConfig()
        #: Seconds spent inside compiled training calls, all told (what a benchmark holds
        #: against the wall clock: the share of a loop's time that trains).
        self.kernel_seconds = 0.0
        #: The user's choice (saved in projects); ``engine_name`` is the engine that runs.
        self.engine_choice = canonical(engine)
        self.engine_name = "cpu"
        #: Why the chosen engine could not run (what to install), or None.
        self.engine_note: str | None = None
        self.normalise = normalise
        self.seed = seed
        self.dataset = dataset
        self.spec = spec
        self._build(reinit=True)

    # ------------------------------------------------------------ setup

    def _build(self, *, reinit: bool) -> None:
        """(Re)derive everything that depends on spec and data; new weights when ``reinit``."""
        spec = self.spec
        if reinit:
            if not self.normalise:
                spec = spec.without_normalisation()
            elif not spec.input_shift:  # fixed once, so edits to the data keep its meaning
                shift, scale = self.dataset.normalisation()
                spec = spec.with_normalisation(shift, scale)
            self.spec = spec
            self.rng = np.random.default_rng(self.seed)
            self.params = init_params(spec, self.rng)
            #: the seed's initial weights: what divergence is judged against, and where
            #: training goes back to when no later weights are sane
            self._initial = self.params.copy()
            self.dropout_seed = int(self.rng.integers(0, 2**62))
            self.state = OptimizerState.zeros(self.params.size)
            self.grads = np.zeros_like(self.params)
            self.step = 0
            self.epoch = 0
            self.samples = 0
            self.history: list[HistoryEntry] = []
            self._best_test = math.inf
            self._best_epoch = 0
            self.message: str | None = None
            self.stopped = False
            self.stop_reason: StopReason = None  # why training stopped itself
            self._batch_loss_sum, self._batch_rows = 0.0, 0
            self._loss_ceiling: float | None = None
            #: whether the weights were judged sane (finite, loss under the ceiling) since
            #: they last came from outside training (loaded, restored, edited, new data)
            self._checked = True
            #: the last weights judged sane before ones from outside replaced them
            self._good: tuple[np.ndarray, np.ndarray, OptimizerState] | None = None
            #: The step whose update made the loss diverge (training stopped before it).
            self.diverged_at: int | None = None
        #: (rows per batch, seconds per batch) of this network, learned while training: a
        #: timed slice plans its batches by it (None, or another batch size: not known yet).
        self._speed: tuple[int, float] | None = None
        self.layout = ParamLayout.of(spec.sizes)
        self._make_engine()
        #: Seconds the last snapshot took (a caller may pace itself by it): see :meth:`record`.
        self.snapshot_seconds = 0.0
        #: Seconds the last per-layer statistics took (a caller may pace them by it).
        self.stats_seconds = 0.0
        self._load_data()
        self._grid_cache: GridCache = {}

    def _load_data(self) -> None:
        ds = self.dataset
        if ds.inputs.shape[1] != self.spec.n_inputs:
            raise DlvizError(
                f"the network reads {self.spec.n_inputs} inputs per point; this data has "
                f"{ds.inputs.shape[1]}: build the network for this data"
            )
        self.x = self.features(ds.inputs)
        self.y = encode_targets(ds, self.spec)
        self.train_idx = np.flatnonzero(~ds.is_test).astype(np.int64)
        self.test_idx = np.flatnonzero(ds.is_test).astype(np.int64)
        pick = np.random.default_rng(12345)
        self.eval_train = self._subset(self.train_idx, pick)
        self.eval_test = self._subset(self.test_idx, pick)
        sample = self.eval_train[:SANITY_SAMPLE]
        #: the rows divergence is judged on: one array kept for the data's lifetime (the
        #: CUDA engine keeps the arrays it last predicted on, by identity, on the device)
        self._sanity_rows = (
            np.ascontiguousarray(self.x[sample], np.float32),
            self.y[sample].astype(np.float64),
        )
        self.order = np.empty(0, np.int64)
        self.pos = 0
        self._epoch_loss = 0.0

    @staticmethod
    def _subset(idx: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        if idx.size <= EVAL_LIMIT:
            return idx
        return np.sort(rng.choice(idx, EVAL_LIMIT, replace=False))

    def features(self, inputs: np.ndarray) -> np.ndarray:
        """Input features (float32) of raw input rows, normalised as this network expects."""
        return spec_features(self.spec, inputs)

    # ------------------------------------------------------------ changes between slices

    def set_config(self, config: TrainConfig) -> None:
        """New optimizer settings, batch size or regularisation; weights are kept.

        Switching to another optimizer starts its state (momentum, averages)
        from zero, since the old one's state means something else.
        """
        if config.optimizer.name != self.config.optimizer.name:
            self.state = OptimizerState.zeros(self.params.size)
        batch_changed = config.batch_size != self.config.batch_size
        self.config = config
        if batch_changed:
            self._make_engine()
        self.stopped = False
        self.message = None
        self.stop_reason = None

    def set_engine(self, choice: str) -> None:
        """Train on another engine from the next slice on; weights and optimizer state stay
        (they live on the host).  ``engine_note`` says if the choice could not run."""
        self.engine_choice = canonical(choice)
        self._make_engine()
        self._speed = None  # learnt on the other engine

    def _make_engine(self) -> None:
        self.engine_name, self.engine_note = resolve(
            self.engine_choice, self.spec, self.config.batch_size
        )
        self.engine = make_engine(self.engine_name, self.spec, self.config.batch_size)

    def set_dataset(self, dataset: Dataset) -> None:
        """New or edited points; weights are kept (the epoch restarts on the new data)."""
        self._outside_change()
        self._loss_ceiling = None  # judged against the untrained network on these points
        self.dataset = dataset
        self._load_data()
        self._grid_cache.clear()
        self.stopped = False
        self.message = None
        self.stop_reason = None

    def set_spec(self, spec: NetworkSpec) -> bool:
        """Change the network. Returns True when weights were kept (same shapes)."""
        keep = spec.same_shapes(self.spec)
        if keep:
            self._outside_change()
            self._loss_ceiling = None  # another activation or loss: another untrained loss
            spec = replace(
                spec, input_shift=self.spec.input_shift, input_scale=self.spec.input_scale
            )
            self.spec = spec
            self._build(reinit=False)
            self.stopped = False
            self.message = None
            self.stop_reason = None
        else:
            self.spec = spec
            self._build(reinit=True)
        return keep

    def adopt(self, dataset: Dataset, spec: NetworkSpec) -> Adoption:
        """New data and network together, keeping whatever still fits; says what was kept.

        * ``"data"``: the network is the same (its input normalisation aside):
          only the points change, as :meth:`set_dataset`;
        * ``"weights"``: the weights fit the new network (same layer sizes, data
          of the same kind: another activation, dropout or loss) and are kept;
        * ``"rebuilt"``: new weights for new shapes or another kind of data, with
          the same settings, seed and engine.
        """
        if spec.without_normalisation() == self.spec.without_normalisation():
            self.set_dataset(dataset)
            return "data"
        same_kind = dataset.kind == self.dataset.kind
        self.dataset = dataset
        if same_kind and spec.same_shapes(self.spec):
            self.set_spec(spec)
            return "weights"
        self.spec = spec
        self._build(reinit=True)
        return "rebuilt"

    def reset(self, seed: int | None = None) -> None:
        """Fresh weights: the same ones again, or new ones for a new ``seed``."""
        if seed is not None:
            check_seed(seed)
            self.seed = seed
        self._build(reinit=True)

    # ------------------------------------------------------------ training

    @property
    def n_train(self) -> int:
        return int(self.train_idx.size)

    @property
    def rows_per_step(self) -> int:
        """Training rows one optimizer step takes (all of them for full-batch gd)."""
        return batch_rows(self.config.optimizer.name, self.config.batch_size, self.n_train)

    def seconds_per_epoch(self) -> float | None:
        """Training seconds an epoch takes, as the last compiled call measured them (None
        before one has, or when it trained with another batch size or engine)."""
        speed = self._speed
        if speed is None or speed[0] != self.rows_per_step:
            return None
        return math.ceil(max(self.n_train, 1) / speed[0]) * speed[1]

    def run(
        self,
        *,
        samples: int | None = None,
        seconds: float | None = None,
        until_epoch_end: bool = False,
        grid: int = 0,
        neuron_grid: int = 0,
        hidden: tuple[int, int, int] | None = None,
        stats: bool = True,
        gallery: int = 0,
    ) -> Snapshot:
        """Train for about ``samples`` samples or ``seconds`` seconds, then take a snapshot.

        With neither, trains nothing (a snapshot of the current state).
        ``grid``/``neuron_grid`` ask for the output or per-neuron activation
        over the input plane at that resolution (0: none).  ``stats=False``
        leaves the per-layer statistics out (``layer_stats`` is empty): they
        sort every layer's weights, gradients and activations, which costs more
        than the training itself on wide networks when slices are short.
        ``gallery`` (image data) keeps that many test images in the gallery's
        order with their predictions (:class:`~dlviz.core.snapshot.Gallery`).
        """
        still = self.train_still(samples=samples, seconds=seconds, until_epoch_end=until_epoch_end)
        return self._snapshot_of(
            still, grid=grid, neuron_grid=neuron_grid, hidden=hidden, stats=stats, gallery=gallery
        )

    def train_still(
        self,
        *,
        samples: int | None = None,
        seconds: float | None = None,
        until_epoch_end: bool = False,
    ) -> Still:
        """Train as :meth:`run` does; returns the still of where training got to, whose
        snapshot may be taken later or on another thread (with an engine of its own), and
        then :meth:`record`-ed here, on the trainer's thread."""
        t_start = time.perf_counter()
        done = self._train(samples, seconds, until_epoch_end)
        elapsed = time.perf_counter() - t_start
        return self.still(done / elapsed if elapsed > 0 and done else 0.0)

    def _train(self, samples: int | None, seconds: float | None, until_epoch_end: bool) -> int:
        """Train within the budget; returns the samples trained.

        Usually one compiled call: the epochs the budget spans are shuffled
        (in turn, from the one RNG, as they would be one at a time) and laid end
        to end.  A call stops at an epoch's end only when something must be
        checked there (early stopping) or the caller asked for the epoch's end.
        """
        if self.stopped:
            return 0
        if self.n_train == 0:
            self.message = "no training points: draw some points or lower the test ratio"
            return 0
        if self._loss_ceiling is None:
            self._loss_ceiling = DIVERGENCE_FACTOR * max(1.0, self._sample_loss(self._initial))
        if not self._checked and not self._start_is_sane():
            return 0
        cfg = self.config
        batch = self.rows_per_step
        deadline = time.perf_counter() + seconds if seconds is not None else math.inf
        budget = samples if samples is not None else (0 if seconds is None else math.inf)
        if until_epoch_end:
            budget = math.inf
        one_epoch = until_epoch_end or (cfg.patience > 0 and self.test_idx.size > 0)
        done = 0
        self._batch_loss_sum, self._batch_rows = 0.0, 0
        while done < budget:
            batches: float = math.inf
            if seconds is not None:
                remaining = deadline - time.perf_counter()
                # unknown speed (a new network or batch size): one batch first, to measure it
                speed = self._speed
                if speed is not None and speed[0] == batch:
                    batches = max(1, int(remaining / speed[1] * SLICE_FILL))
                else:
                    batches = 1
            plan = plan_call(
                self.rng, self.train_idx, self.order, self.pos, batch, budget - done, batches,
                one_epoch,
            )  # fmt: skip
            rows, ok = self._train_plan(plan, batch)
            done += rows
            if not ok:
                break
            if one_epoch and self.pos >= self.order.size:
                if self._end_of_epoch() or until_epoch_end:
                    break
            # what is left of the slice after its main call is not worth another one
            if seconds is not None and deadline - time.perf_counter() < 0.2 * seconds:
                break
        return done

    def _train_plan(self, plan: Plan, batch: int) -> tuple[int, bool]:
        """One compiled call over ``plan``: (rows trained, True), or if the loss diverges
        (0, False) with the weights as the call found them and a message naming the step.

        The call's end weights are judged too, not only its batches' losses (each taken
        before its update): else a one-batch slice (Step) would keep wrecked weights, and
        the next slice could only go back to those.
        """
        order, pos, ends = plan.laid_end_to_end()
        n_batches = plan.batches
        rows = int(ends[-1]) - pos
        backup = (self.params.copy(), self.grads.copy(), self.state.copy())
        lrs = learning_rates(self.config.optimizer, self.step, n_batches)
        t0 = time.perf_counter()
        loss_sum = self._call(order, pos, n_batches, batch, lrs, ends, self.step)
        # the kernel's own time: with the checks around it counted, a short call looked
        # slower per batch, the next slice's main call was planned short, and most slices
        # needed a second call (and its checks) to fill their time
        took = time.perf_counter() - t0
        self.kernel_seconds += took
        self._speed = (batch, max(took / n_batches, 1e-7))
        if self._diverged(loss_sum, rows) or not self._sane():
            self._restore(backup)
            good = self._replay_until_divergence(order, pos, ends, batch, lrs)
            if good < n_batches:
                # back to where this call began (the steps just before a divergence have
                # usually run far off already); the message names the step that diverged
                self._restore(backup)
                self._commit(plan, 0, batch)
                lr = float(lrs[good])
                self.diverged_at = self.step + good + 1
                self.message = (
                    f"loss diverged at step {self.step + good + 1}: {divergence_advice(lr)}"
                )
                self.stopped, self.stop_reason = True, "diverged"
                return 0, False
            # every batch passes alone (the replay left the same numbers): go on
        self._commit(plan, n_batches, batch)
        self.samples += rows
        self._batch_loss_sum += loss_sum
        self._batch_rows += rows
        return rows, True

    def _restore(self, backup: tuple[np.ndarray, np.ndarray, OptimizerState]) -> None:
        self.params[...], self.grads[...] = backup[0], backup[1]
        self.state = backup[2].copy()  # the engine updates the state in place

    def _call(
        self,
        order: np.ndarray,
        pos: int,
        n_batches: int,
        batch: int,
        lrs: np.ndarray,
        ends: np.ndarray,
        step: int,
    ) -> float:
        return self.engine.train_batches(
            self.params, self.grads, self.state, self.config.optimizer, self.x, self.y,
            order, pos, n_batches, batch, lrs, self.config.l1, self.config.l2,
            self.dropout_seed, step, ends,
        )  # fmt: skip

    def _diverged(self, loss_sum: float, rows: int) -> bool:
        ceiling = math.inf if self._loss_ceiling is None else self._loss_ceiling
        if not math.isfinite(loss_sum) or loss_sum / max(rows, 1) > ceiling:
            return True
        return not np.isfinite(self.params).all()

    def _sample_loss(self, params: np.ndarray) -> float:
        """Training loss of ``params`` on a few training points, as the engine measures it
        (from the logits: a probability clipped near 0 would hide how far off they are);
        inf when not finite, 1 without points.

        One compiled forward pass (every slice pays it), the loss of :mod:`dlviz.core.metrics`.
        """
        x, y = self._sanity_rows
        if x.shape[0] == 0:
            return 1.0
        if not np.isfinite(params).all():
            return math.inf
        with np.errstate(all="ignore"):  # wrecked weights overflow: that is the finding
            logits, out = self.engine.outputs(params, x)
            loss = mean_loss(self.spec.loss, logits, out, y)
        return loss if math.isfinite(loss) else math.inf

    def _sane(self) -> bool:
        """Whether the current weights are finite with a loss under the divergence ceiling."""
        ceiling = math.inf if self._loss_ceiling is None else self._loss_ceiling
        return self._sample_loss(self.params) <= ceiling

    def _outside_change(self) -> None:
        """The weights, or what they are judged on, are about to change outside training:
        keep the current ones if they were judged sane, and judge the new ones before a
        slice trains from them."""
        if self._checked:
            self._good = (self.params.copy(), self.grads.copy(), self.state.copy())
        self._checked = False

    def _start_is_sane(self) -> bool:
        """Judge weights that came from outside training before training from them.

        Wrecked ones (a project saved after a divergence, a weight edited to 1e30) are
        replaced by the last sane weights, else by the seed's initial ones, and training
        stops with a message: training from them would only diverge again at once.
        """
        self._checked = True
        loss = self._sample_loss(self.params)
        if loss <= (self._loss_ceiling or math.inf):
            return True
        fresh = (
            self._initial.copy(),
            np.zeros_like(self.grads),
            OptimizerState.zeros(self.params.size),
        )
        back, where = fresh, "the initial weights"
        if self._good is not None:
            self._restore(self._good)
            if self._sane():
                back, where = self._good, "the last weights that were not diverged"
        self._restore(back)
        self._good = None
        lr = self.config.optimizer.lr
        shown = f"{loss:.3g}" if math.isfinite(loss) else "not a number"
        self.message = (
            f"loss diverged before step {self.step + 1} (loss {shown} on the training points): "
            f"the weights went back to {where}; {divergence_advice(lr)}"
        )
        self.stopped, self.stop_reason = True, "diverged"
        return False

    def _replay_until_divergence(
        self, order: np.ndarray, pos: int, ends: np.ndarray, batch: int, lrs: np.ndarray
    ) -> int:
        """Train the same batches again one at a time (the same arithmetic, so the same
        numbers) and return how many pass before the one that diverges (the one whose
        loss overflows or whose update leaves weights that are not sane)."""
        start = pos
        for i in range(lrs.size):
            end = int(ends[np.searchsorted(ends, start, side="right")])
            rows = min(batch, end - start)
            loss = self._call(order, start, 1, batch, lrs[i : i + 1], ends, self.step + i)
            if self._diverged(loss, rows) or not self._sane():
                return i
            start += rows
        return int(lrs.size)

    def _commit(self, plan: Plan, batches: int, batch: int) -> None:
        """Move the epoch, position and step counters on by the first ``batches`` of ``plan``."""
        self.order, self.pos, steps, epochs = advance(
            plan, batches, batch, self.rng, self.order, self.pos
        )
        self.step += steps
        self.epoch += epochs

    def _end_of_epoch(self) -> bool:
        """Early stopping; True when training should stop."""
        if self.config.patience <= 0 or self.test_idx.size == 0:
            return False
        test = self._metrics(self.eval_test).loss
        if test is None:
            return False
        if test < self._best_test - 1e-7:
            self._best_test, self._best_epoch = test, self.epoch
            return False
        if self.epoch - self._best_epoch >= self.config.patience:
            self.stopped, self.stop_reason = True, "early_stop"
            self.message = (
                f"early stopping at epoch {self.epoch}: the test loss has not improved for "
                f"{self.config.patience} epochs (best {self._best_test:.4g} at epoch "
                f"{self._best_epoch})"
            )
            return True
        return False

    # ------------------------------------------------------------ evaluation

    def still(self, samples_per_second: float = 0.0) -> Still:
        """This instant of the run, with copies of the weights and gradients, to take a
        snapshot of; :meth:`record` notes what its snapshot measured."""
        rows = self._batch_rows
        return self._still(
            frozen(self.params),
            frozen(self.grads),
            step=self.step,
            epoch=self.epoch,
            samples=self.samples,
            samples_per_second=samples_per_second,
            batch_loss=self._batch_loss_sum / rows if rows else None,
            message=self.message,
            stopped=self.stopped,
            stop_reason=self.stop_reason,
            engine_name=self.engine_name,
            engine_choice=self.engine_choice,
        )

    def _still(self, params: np.ndarray, grads: np.ndarray, **counters: Any) -> Still:
        return Still(
            spec=self.spec,
            layout=self.layout,
            dataset=self.dataset,
            engine=self.engine,
            x=self.x,
            y=self.y,
            train_idx=self.train_idx,
            eval_train=self.eval_train,
            eval_test=self.eval_test,
            params=params,
            grads=grads,
            grid_cache=self._grid_cache,
            **counters,
        )

    def _live(self) -> Still:
        """The live weights, to evaluate at once (no copies)."""
        return self._still(self.params, self.grads)

    def predict(self, inputs: np.ndarray) -> np.ndarray:
        """Outputs (probabilities or values) for raw input rows."""
        return self.engine.forward(self.params, self.features(inputs))

    def _metrics(self, idx: np.ndarray) -> Metrics:
        """Loss and accuracy (or R²) of the live weights on rows ``idx``."""
        return self._live().metrics(idx)

    def evaluate(self) -> tuple[Metrics, Metrics]:
        """Loss and accuracy (or R²) on all training and all test points (no dropout, no
        L1/L2 penalty: :mod:`dlviz.core.metrics`)."""
        return self._metrics(self.train_idx), self._metrics(self.test_idx)

    def grid_inputs(self, res: int) -> np.ndarray:
        """Raw inputs of a res×res grid over the bounds (rows bottom-to-top); curves: res x's."""
        return self._live().grid_inputs(res)

    def decision_grid(self, res: int, *, neurons: bool = False) -> np.ndarray:
        """Network output (or every neuron's activation) over the plane at ``res``."""
        return self._live().decision_grid(res, neurons=neurons)

    def set_weight(self, layer: int, source: int, target: int, value: float) -> None:
        """Set the weight ``source`` -> ``target`` of weight layer ``layer`` (source -1: bias)."""
        if not math.isfinite(value):
            raise DlvizError("a weight must be a finite number")
        self._outside_change()
        if source < 0:
            self.layout.bias(self.params, layer)[target] = value
        else:
            self.layout.weight(self.params, layer)[source, target] = value

    def load_params(self, params: np.ndarray) -> None:
        """Other weights for this network (imported), with the optimizer starting afresh.

        Momentum, squared-gradient averages, the last gradients, early stopping's
        best loss and the divergence guard all belonged to the old weights; the
        step count, the position in the epoch and the RNG stay, so the curves go on.
        """
        if params.shape != self.params.shape:
            raise DlvizError(
                f"{params.size} weights do not fit this network ({self.params.size} values)"
            )
        self._outside_change()
        self.params[...] = params
        self.grads[...] = 0
        self.state = OptimizerState.zeros(self.params.size)
        self._best_test, self._best_epoch = math.inf, self.epoch
        self.message, self.stopped, self.stop_reason = None, False, None
        self.diverged_at = None

    def activations(self, inputs: np.ndarray) -> np.ndarray:
        """Every neuron's activation (n, Σ widths) for raw input rows, hidden layers first."""
        return self._live().activations(inputs)

    def snapshot(
        self,
        *,
        grid: int = 0,
        neuron_grid: int = 0,
        samples_per_second: float = 0.0,
        hidden: tuple[int, int, int] | None = None,
        stats: bool = True,
        gallery: int = 0,
    ) -> Snapshot:
        """The current state; ``hidden=(layer, i, j)`` adds that neuron pair's hidden space,
        ``stats=False`` leaves out the per-layer statistics, ``gallery`` keeps that many
        images for the gallery (see :meth:`run` and :meth:`Still.snapshot`)."""
        return self._snapshot_of(
            self.still(samples_per_second),
            grid=grid,
            neuron_grid=neuron_grid,
            hidden=hidden,
            stats=stats,
            gallery=gallery,
        )

    def _snapshot_of(self, still: Still, **options: Any) -> Snapshot:
        """``still``'s snapshot (``options``: :meth:`Still.snapshot`'s keywords), recorded."""
        snap = still.snapshot(**options)
        self.record(still)
        return snap

    def record(self, still: Still) -> None:
        """Note what the snapshot of ``still`` (one of this trainer's) measured: a point of
        the loss history, and what it cost (:attr:`snapshot_seconds`, :attr:`stats_seconds`)."""
        self.snapshot_seconds = still.seconds
        if still.stats_seconds is not None:
            self.stats_seconds = still.stats_seconds
        if self.history and self.history[-1].step == still.step:
            return
        self.history.append(
            HistoryEntry(
                still.step,
                still.epoch,
                still.train.loss,
                still.test.loss,
                still.train.accuracy,
                still.test.accuracy,
            )
        )
        if len(self.history) > HISTORY_LIMIT:
            self.history = self.history[::2]

    # ------------------------------------------------------------ exact save / resume

    def capture(self) -> TrainerState:
        """Everything needed to continue this run exactly (copies)."""
        return TrainerState(
            params=self.params.copy(),
            grads=self.grads.copy(),
            opt_m=self.state.m.copy(),
            opt_v=self.state.v.copy(),
            opt_t=self.state.t,
            order=self.order.copy(),
            pos=self.pos,
            step=self.step,
            epoch=self.epoch,
            samples=self.samples,
            rng_state=dict(self.rng.bit_generator.state),
            dropout_seed=self.dropout_seed,
            best_test=self._best_test,
            best_epoch=self._best_epoch,
            loss_ceiling=self._loss_ceiling,
            epoch_loss=self._epoch_loss,
            message=self.message,
            stopped=self.stopped,
            stop_reason=self.stop_reason,
        )

    def restore(self, state: TrainerState) -> bool:
        """Go back to (or resume from) a captured state of this network.

        Returns True when the run continues exactly as it would have from that
        state.  When the training points changed since it was captured (painted,
        erased), its shuffle order no longer names them: the weights, optimizer
        and counters come back, and the epoch starts afresh on the current points.
        """
        if state.params.shape != self.params.shape:
            raise DlvizError(
                f"the saved weights ({state.params.size} values) do not fit this network "
                f"({self.params.size} values)"
            )
        self._outside_change()
        self.params[...] = state.params
        self.grads[...] = state.grads
        self.state = OptimizerState(state.opt_m.copy(), state.opt_v.copy(), state.opt_t)
        exact = self.order_fits(state.order)
        if exact:
            self.order = state.order.copy()
            self.pos = state.pos
            self._epoch_loss = state.epoch_loss
        else:
            self.order = np.empty(0, np.int64)
            self.pos = 0
            self._epoch_loss = 0.0
        self.step, self.epoch, self.samples = state.step, state.epoch, state.samples
        self.rng = np.random.default_rng()
        self.rng.bit_generator.state = state.rng_state
        self.dropout_seed = state.dropout_seed
        self._best_test, self._best_epoch = state.best_test, state.best_epoch
        # not the saved ceiling: one taken from wrecked weights (older files) would pass them;
        # it is derived again from the seed's initial weights on these points
        self._loss_ceiling = None
        self.message, self.stopped = state.message, state.stopped
        self.stop_reason = state.stop_reason
        self.diverged_at = None
        self.history = [h for h in self.history if h.step <= state.step]
        return exact

    def order_fits(self, order: np.ndarray) -> bool:
        """Whether ``order`` is an epoch's shuffle of the current training points (or empty)."""
        return order.size == 0 or (
            order.size == self.train_idx.size and np.array_equal(np.sort(order), self.train_idx)
        )


def train_epochs(
    trainer: Trainer, epochs: int, report: Callable[[Snapshot], None] | None = None
) -> None:
    """Train until ``trainer.epoch`` reaches ``epochs`` or training stops: `dlviz train`'s
    loop (the engine benchmark times it as the CLI's user path).

    Slices of whole epochs, sized for ~PROGRESS_SECONDS between ``report(snapshot)`` calls
    (each slice's snapshot measures the loss on up to EVAL_LIMIT points).  Each
    snapshot carries the losses a progress line shows and nothing else: no per-layer
    statistics (the CLI prints none) and no grids.
    """
    n_train = max(trainer.n_train, 1)
    while trainer.epoch < epochs and not trainer.stopped:
        # one epoch while the speed is not known (it measures it), then PROGRESS_SECONDS'
        # worth: a slice of a wide net's 1, 2, 4... epochs took a snapshot (~5 ms) per
        # 17 ms epoch while doubling up
        per_epoch = trainer.seconds_per_epoch()
        chunk_epochs = 1 if per_epoch is None else max(1, int(PROGRESS_SECONDS / per_epoch))
        todo = min(chunk_epochs, epochs - trainer.epoch)
        before = trainer.samples
        # whole epochs: pos is n_train right after an epoch ends, 0 before one starts
        snap = trainer.run(samples=todo * n_train - trainer.pos % n_train, stats=False)
        if trainer.samples == before:  # stopped, diverged or nothing to train on
            break
        if report is not None:
            report(snap)


@dataclass(frozen=True)
class TrainerState:
    """A trainer's full mutable state: weights, optimizer, RNG, position in the epoch."""

    params: np.ndarray
    grads: np.ndarray
    opt_m: np.ndarray
    opt_v: np.ndarray
    opt_t: int
    order: np.ndarray
    pos: int
    step: int
    epoch: int
    samples: int
    rng_state: dict[str, Any]
    dropout_seed: int
    best_test: float
    best_epoch: int
    loss_ceiling: float | None
    epoch_loss: float
    message: str | None
    stopped: bool
    stop_reason: StopReason = None

    @property
    def nbytes(self) -> int:
        arrays = (self.params, self.grads, self.opt_m, self.opt_v, self.order)
        return sum(a.nbytes for a in arrays) + 512
