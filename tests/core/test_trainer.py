"""The Trainer: slices, snapshots, determinism, settings changes, divergence, early stopping."""

from __future__ import annotations

import numpy as np
import pytest

from dlviz.core.data import make_dataset
from dlviz.core.errors import DlvizError
from dlviz.core.network import LayerSpec, build_spec
from dlviz.core.optim import OptimizerConfig
from dlviz.core.trainer import TrainConfig, Trainer


def spiral_trainer(seed=1, engine="numba", **config):
    data = make_dataset("spiral", noise=0.0, seed=seed)
    spec = build_spec(
        kind=data.kind,
        n_classes=data.n_classes,
        features=("x1", "x2"),
        hidden=(LayerSpec(8, "tanh"), LayerSpec(8, "tanh")),
    )
    return Trainer(data, spec, TrainConfig(**config), seed=seed, engine=engine)


def test_same_seed_same_run_and_other_seed_differs():
    a, b, c = spiral_trainer(1), spiral_trainer(1), spiral_trainer(2)
    for t in (a, b, c):
        t.run(samples=5000)
    np.testing.assert_array_equal(a.params, b.params)
    assert a.step == b.step and a.epoch == b.epoch
    assert not np.allclose(a.params, c.params)


def test_numba_and_reference_engines_agree_through_the_trainer():
    a, b = spiral_trainer(engine="numba"), spiral_trainer(engine="reference")
    a.run(samples=600)
    b.run(samples=600)
    np.testing.assert_allclose(a.params, b.params, rtol=1e-4, atol=1e-5)


def test_snapshot_carries_copies_and_grid():
    t = spiral_trainer()
    snap = t.run(samples=400, grid=32, neuron_grid=8)
    assert snap.step == 40 and snap.epoch == 2 and snap.samples == 400  # 200 train points, batch 10
    assert snap.grid.shape == (32, 32, 1)
    assert snap.neuron_grids.shape == (8, 8, 8 + 8 + 1)
    assert not snap.params.flags.writeable
    before = snap.params.copy()
    t.run(samples=400)
    np.testing.assert_array_equal(
        snap.params, before
    )  # the worker kept training, the copy did not move
    # the grid is the network's output at the grid points
    expected = t.engine.forward(before, t.features(t.grid_inputs(32)))
    np.testing.assert_allclose(snap.grid.reshape(-1, 1), expected, rtol=1e-6)
    assert len(snap.layer_stats) == 3
    assert snap.layer_stats[0].weights.counts.sum() == 2 * 8
    assert 0 <= snap.train_accuracy <= 1 and snap.train_loss > 0


def test_one_batch_and_one_epoch_steps():
    t = spiral_trainer(batch_size=25)
    t.run(samples=25)
    assert t.step == 1 and t.samples == 25
    t.run(until_epoch_end=True)
    assert t.epoch == 1 and t.samples == t.n_train


def test_changing_settings_keeps_weights():
    t = spiral_trainer()
    t.run(samples=1000)
    before = t.params.copy()
    t.set_config(TrainConfig(OptimizerConfig("sgd", lr=0.3), batch_size=5, l2=0.01))
    np.testing.assert_array_equal(t.params, before)
    t.run(samples=50)
    assert t.step > 100
    spec = t.spec
    relu = build_spec(
        kind="classify",
        n_classes=2,
        features=spec.features,
        hidden=(LayerSpec(8, "relu"), LayerSpec(8, "relu")),
    )
    kept_params = t.params.copy()
    assert t.set_spec(relu) is True
    np.testing.assert_array_equal(t.params, kept_params)
    wider = build_spec(
        kind="classify", n_classes=2, features=spec.features, hidden=(LayerSpec(16, "tanh"),)
    )
    assert t.set_spec(wider) is False
    assert t.step == 0 and t.params.size == 2 * 16 + 16 + 16 + 1


def test_reset_restores_the_same_initial_weights_and_reinit_changes_them():
    t = spiral_trainer()
    first = t.params.copy()
    t.run(samples=500)
    t.reset()
    np.testing.assert_array_equal(t.params, first)
    t.reset(seed=99)
    assert not np.allclose(t.params, first)


def test_divergence_stops_with_a_message_and_finite_weights():
    data = make_dataset("plane", seed=0)
    spec = build_spec(kind="regress", n_classes=0, features=("x1", "x2"), hidden=())
    t = Trainer(data, spec, TrainConfig(OptimizerConfig("sgd", lr=10.0), batch_size=50))
    snap = t.run(samples=20000)
    assert snap.stopped
    assert "diverged" in snap.message and "lower the learning rate" in snap.message
    assert snap.stop_reason == "diverged"  # what the app and the CLI act on, not the words
    assert np.isfinite(snap.params).all()
    assert np.isfinite(snap.grads).all()  # the views draw them: no NaN after a divergence
    # training stays stopped until a setting changes; then it goes on
    step = t.step
    t.run(samples=100)
    assert t.step == step
    t.set_config(TrainConfig(OptimizerConfig("sgd", lr=0.001), batch_size=50))
    snap = t.run(samples=100)
    assert not snap.stopped and t.step > step and snap.stop_reason is None


def test_early_stopping_says_when_and_why():
    data = make_dataset("gauss", noise=0.5, seed=0)
    spec = build_spec(kind="classify", n_classes=2, features=("x1", "x2"),
                      hidden=(LayerSpec(32, "relu"),) * 2)  # fmt: skip
    t = Trainer(data, spec, TrainConfig(OptimizerConfig("adam", lr=0.05), patience=5))
    snap = t.run(samples=10**7)
    assert snap.stopped and "early stopping" in snap.message
    assert snap.stop_reason == "early_stop"
    assert t.epoch < 10**7 // t.n_train


def test_edited_data_is_seen_at_once_and_weights_kept():
    t = spiral_trainer()
    t.run(samples=200)
    before = t.params.copy()
    data = t.dataset.copy()
    n = data.n
    data.add_point(0.5, 0.5, 1, np.random.default_rng(0), 0.0)
    t.set_dataset(data)
    np.testing.assert_array_equal(t.params, before)
    assert t.x.shape[0] == n + 1 and t.n_train == int((~data.is_test).sum())


def test_no_training_points_gives_a_message():
    data = make_dataset("circle", seed=0)
    data.is_test[:] = True
    spec = build_spec(kind="classify", n_classes=2, features=("x1", "x2"), hidden=())
    snap = Trainer(data, spec).run(samples=100)
    assert "no training points" in snap.message and snap.step == 0


def test_impossible_networks_are_refused_with_clear_messages():
    with pytest.raises(DlvizError, match="1 to 256"):
        build_spec(kind="classify", n_classes=2, features=("x1",), hidden=(LayerSpec(300),))
    with pytest.raises(DlvizError, match="0 to 10"):
        build_spec(kind="classify", n_classes=2, features=("x1",), hidden=(LayerSpec(2),) * 11)
    with pytest.raises(DlvizError, match="regression"):
        build_spec(kind="regress", n_classes=0, features=("x1",), hidden=(), loss="ce")
    with pytest.raises(DlvizError, match="only x1"):
        build_spec(kind="curve", n_classes=0, features=("x1", "x2"), hidden=())


def test_capture_and_restore_resume_exactly_mid_epoch():
    t = spiral_trainer(optimizer=OptimizerConfig("adam", lr=0.02), batch_size=7)
    t.run(samples=333)  # stops mid-epoch
    saved = t.capture()
    t.run(samples=1000)
    after_a = t.params.copy()
    t.restore(saved)
    t.run(samples=1000)
    np.testing.assert_array_equal(t.params, after_a)
    # and into a brand-new trainer on the same data and spec
    fresh = Trainer(t.dataset, t.spec, t.config, seed=5)  # other initial weights and RNG
    fresh.restore(saved)
    fresh.run(samples=1000)
    np.testing.assert_array_equal(fresh.params, after_a)


@pytest.mark.parametrize("engine", ["numba", "reference"])
def test_restoring_a_state_from_before_points_were_erased_trains_on_the_points_left(engine):
    t = spiral_trainer(engine=engine, batch_size=7)
    t.run(samples=333)  # mid-epoch: the shuffle order names the points of then
    saved = t.capture()
    data = t.dataset.copy()
    data.remove_near(0.0, 0.0, 3.0)  # the canvas eraser takes most points
    t.set_dataset(data)
    assert 0 < t.n_train < saved.order.size
    assert t.restore(saved) is False  # not an exact continuation: its epoch starts afresh
    np.testing.assert_array_equal(t.params, saved.params)
    assert t.step == saved.step
    t.run(samples=200)
    assert set(t.order) <= set(t.train_idx) and t.step > saved.step
    assert np.isfinite(t.params).all()
    # on unchanged points the same state continues exactly
    t.set_dataset(spiral_trainer(batch_size=7).dataset)
    assert t.restore(saved) is True
    np.testing.assert_array_equal(t.order, saved.order)


def test_deep_sigmoid_net_shows_vanishing_gradients_in_its_snapshot():
    """Per-layer gradient norms (what the views plot): deep sigmoid stacks starve early layers."""
    data = make_dataset("spiral")

    def norms(activation: str) -> np.ndarray:
        hidden = tuple(LayerSpec(8, activation) for _ in range(6))
        spec = build_spec(kind="classify", n_classes=2, features=("x1", "x2"), hidden=hidden)
        trainer = Trainer(data, spec, TrainConfig(OptimizerConfig("sgd", lr=0.1)), seed=0)
        snap = trainer.run(samples=2000)
        return np.array([s.grads.norm for s in snap.layer_stats])

    sigmoid, relu = norms("sigmoid"), norms("relu")
    assert sigmoid[-1] / sigmoid[0] > 50  # orders of magnitude from output back to input
    assert relu[-1] / relu[0] < 5  # the same depth with ReLU keeps them comparable


class FakeClock:
    """``time`` for the trainer: only the engine's calls move it, by a set cost per batch."""

    def __init__(self, per_batch: float) -> None:
        self.now, self.per_batch = 0.0, per_batch

    def perf_counter(self) -> float:
        return self.now

    def charge(self, engine) -> None:
        real = engine.train_batches

        def timed(*args, **kwargs):
            loss = real(*args, **kwargs)
            self.now += args[8] * self.per_batch  # n_batches
            return loss

        engine.train_batches = timed


def test_a_timed_slice_returns_and_makes_progress():
    """``run(seconds=...)`` (the GUI worker's slice) trains something and comes back."""
    t = spiral_trainer()
    t.run(samples=10)  # the kernels are loaded before anything is timed
    samples = []
    for _ in range(3):
        snap = t.run(seconds=0.05)
        samples.append(snap.samples)
    assert 10 < samples[0] < samples[1] < samples[2]  # every slice trained on
    assert snap.step == t.step > 1 and np.isfinite(t.params).all()


@pytest.mark.parametrize("per_batch", [1e-4, 1e-3, 2e-2])
def test_a_timed_slice_stays_within_its_time_on_any_speed(monkeypatch, per_batch):
    """A slice measures the speed on one batch, then trains what fits in the time left: it
    never overruns its time, however fast or slow the engine, and stops mid-epoch when the
    epoch would take longer (the clock is the trainer's, moved only by the engine's work)."""
    import dlviz.core.trainer as trainer_module

    data = make_dataset("spiral", n=20_000, test_ratio=0.5)  # 10 000 training points
    spec = build_spec(kind=data.kind, n_classes=2, features=("x1", "x2"),
                      hidden=(LayerSpec(8, "relu"),))  # fmt: skip
    t = Trainer(data, spec, TrainConfig(batch_size=10))
    clock = FakeClock(per_batch)
    monkeypatch.setattr(trainer_module, "time", clock)
    clock.charge(t.engine)
    seconds = 0.04
    snap = t.run(seconds=seconds)
    batches = snap.samples // 10
    assert batches >= 1 and clock.now <= seconds + per_batch  # the measuring batch may overrun
    if per_batch < seconds:
        # and it used most of its time: SLICE_FILL of what was left after the measuring batch
        assert clock.now >= trainer_module.SLICE_FILL * (seconds - per_batch)
    assert t.epoch == 0  # an epoch is 1 000 batches: far more than any of these slices


def test_dlviz_train_reports_about_every_progress_interval_once_the_speed_is_known(monkeypatch):
    """`dlviz train`'s loop trains one epoch while the speed is unknown, then slices of
    PROGRESS_SECONDS' worth of epochs (the clock moves only by the engine's work)."""
    import dlviz.core.trainer as trainer_module

    t = spiral_trainer(batch_size=10)
    assert t.n_train == 200  # 20 batches an epoch
    clock = FakeClock(2.0**-9)  # 0.039 s an epoch (a power of two: the clock's sums are exact)
    monkeypatch.setattr(trainer_module, "time", clock)
    clock.charge(t.engine)
    assert t.seconds_per_epoch() is None
    reported = []
    trainer_module.train_epochs(t, 23, lambda snap: reported.append(snap.epoch))
    # 1 epoch to measure, then 0.25 s / 0.039 s = 6.4: 6 epochs a slice, the last what is left
    assert trainer_module.PROGRESS_SECONDS == 0.25
    assert reported == [1, 7, 13, 19, 23]
    assert t.seconds_per_epoch() == 20 * 2.0**-9
    # known for one batch size: another is measured afresh
    t.set_config(TrainConfig(batch_size=25))
    assert t.seconds_per_epoch() is None


def test_the_speed_slices_are_planned_by_is_the_kernels_own(monkeypatch):
    """The checks around a compiled call (the end weights judged) do not count as training
    time: counted, a short call looked slower per batch and the next slice planned short."""
    import dlviz.core.trainer as trainer_module

    t = spiral_trainer(batch_size=10)  # 20 batches an epoch
    clock = FakeClock(2.0**-10)
    monkeypatch.setattr(trainer_module, "time", clock)
    clock.charge(t.engine)
    judge = t._sane

    def slow_judge() -> bool:
        clock.now += 0.01
        return judge()

    monkeypatch.setattr(t, "_sane", slow_judge)
    t.run(samples=3 * t.n_train)
    assert t.seconds_per_epoch() == 20 * 2.0**-10
    # kernel_seconds (what the GUI benchmark holds against the wall clock) counts the
    # compiled calls alone: 60 batches, not the checks' 10 ms each
    assert t.kernel_seconds == 60 * 2.0**-10
    t.run()  # a snapshot alone trains nothing
    assert t.kernel_seconds == 60 * 2.0**-10


@pytest.mark.parametrize("engine", ["numba", "reference"])
def test_how_training_is_sliced_changes_nothing(engine):
    """Many epochs in one compiled call, a batch at a time, or timed slices: the same run."""

    def fresh():
        data = make_dataset("spiral", n=90, seed=2)  # 45 training points: 5 batches of 10
        spec = build_spec(kind=data.kind, n_classes=2, features=("x1", "x2"),
                          hidden=(LayerSpec(6, "tanh", 0.2),))  # fmt: skip
        config = TrainConfig(OptimizerConfig("adam", lr=0.01, schedule="step", decay_steps=7))
        return Trainer(data, spec, config, seed=4, engine=engine)

    whole = fresh()
    whole.run(samples=45 * 12 + 17)  # twelve epochs and a bit
    by_batch = fresh()
    while by_batch.samples < whole.samples:
        by_batch.run(samples=1)  # one batch per call
    timed = fresh()
    while timed.samples < whole.samples:
        timed.run(samples=min(45 * 3 + 5, whole.samples - timed.samples))
    for other in (by_batch, timed):
        assert (other.step, other.epoch, other.pos) == (whole.step, whole.epoch, whole.pos)
        np.testing.assert_array_equal(other.params, whole.params)
        np.testing.assert_array_equal(other.order, whole.order)
        assert other.rng.bit_generator.state == whole.rng.bit_generator.state


def test_a_slice_over_many_epochs_is_one_compiled_call(monkeypatch):
    t = spiral_trainer()
    calls = []
    real = t.engine.train_batches
    monkeypatch.setattr(t.engine, "train_batches", lambda *a, **k: calls.append(a) or real(*a, **k))
    epochs = t.epoch
    t.run(samples=t.n_train * 40)
    assert t.epoch == epochs + 40
    assert len(calls) == 1


def test_divergence_names_the_step_and_goes_back_to_the_slice_start():
    data = make_dataset("plane", seed=0)
    spec = build_spec(kind="regress", n_classes=0, features=("x1", "x2"), hidden=())
    config = TrainConfig(OptimizerConfig("sgd", lr=0.1), batch_size=20)  # diverges slowly
    # where it diverges, found a batch at a time
    probe = Trainer(data, spec, config)
    while not probe.stopped:
        probe.run(samples=1)
    assert "diverged" in probe.message
    failing = probe.step + 1
    t = Trainer(data, spec, config)
    before = t.params.copy()
    snap = t.run(samples=20 * (failing + 50))  # one call over the whole way
    assert snap.stopped and f"diverged at step {failing}:" in snap.message
    assert t.step == 0 and t.samples == 0  # this slice is undone...
    np.testing.assert_array_equal(t.params, before)  # ...to the weights it started from
    assert failing > 10  # not at once: the message names a step inside the slice


def test_loading_other_weights_starts_the_optimizer_afresh_and_keeps_the_run():
    t = spiral_trainer(optimizer=OptimizerConfig("adam", lr=0.02))
    t.run(samples=500)
    step, epoch, pos = t.step, t.epoch, t.pos
    weights = np.random.default_rng(9).normal(size=t.params.shape).astype(np.float32)
    t.load_params(weights)
    np.testing.assert_array_equal(t.params, weights)
    assert t.state.t == 0 and not t.state.m.any() and not t.state.v.any()
    assert not t.grads.any()
    assert (t.step, t.epoch, t.pos) == (step, epoch, pos)  # the curves go on
    with pytest.raises(DlvizError, match="do not fit"):
        t.load_params(weights[:-1])


def test_adopt_keeps_what_still_fits():
    """The keep-or-rebuild rule the app applies when data and network change together."""
    t = spiral_trainer()
    t.run(samples=400)
    params = t.params.copy()
    data = make_dataset("spiral", noise=0.1, seed=4)
    # the same network: only the points change, the run goes on
    assert t.adopt(data, t.spec.without_normalisation()) == "data"
    assert t.dataset is data and t.step == 40
    np.testing.assert_array_equal(t.params, params)
    # another activation and loss, same shapes and kind: the weights are kept
    relu = build_spec(kind="classify", n_classes=2, features=("x1", "x2"),
                      hidden=(LayerSpec(8, "relu"), LayerSpec(8, "relu")), loss="mse")  # fmt: skip
    assert t.adopt(data, relu) == "weights"
    assert t.spec.activations[:2] == ("relu", "relu") and t.spec.loss == "mse"
    np.testing.assert_array_equal(t.params, params)
    # the same shapes on regression data: a sigmoid's weights mean nothing there
    plane = make_dataset("plane", seed=1)
    regress = build_spec(kind="regress", n_classes=0, features=("x1", "x2"),
                         hidden=(LayerSpec(8, "relu"), LayerSpec(8, "relu")))  # fmt: skip
    assert regress.sizes == relu.sizes
    assert t.adopt(plane, regress) == "rebuilt"
    assert t.step == 0 and t.dataset is plane and t.spec.output == "identity"
    # new widths: new weights of the new shapes, the same seed, settings and engine
    wide = build_spec(kind="regress", n_classes=0, features=("x1", "x2"),
                      hidden=(LayerSpec(5, "tanh"),))  # fmt: skip
    assert t.adopt(plane, wide) == "rebuilt"
    fresh = Trainer(plane, wide, t.config, seed=1, engine="numba")
    np.testing.assert_array_equal(t.params, fresh.params)


def test_rows_per_step_follows_the_optimizer_and_the_data():
    t = spiral_trainer(batch_size=32)
    assert t.rows_per_step == 32
    t.set_config(TrainConfig(OptimizerConfig("gd", lr=0.1), batch_size=32))
    assert t.rows_per_step == t.n_train == 200


def test_a_snapshot_without_statistics_trains_and_measures_the_same():
    """`dlviz train` and paced app slices leave the per-layer statistics out: only those."""
    a, b = spiral_trainer(1), spiral_trainer(1)
    with_stats, without = a.run(samples=600), b.run(samples=600, stats=False)
    np.testing.assert_array_equal(a.params, b.params)
    assert without.layer_stats == ()
    assert len(with_stats.layer_stats) == a.spec.n_layers
    assert (without.step, without.train_loss, without.test_loss, without.train_accuracy) == (
        with_stats.step,
        with_stats.train_loss,
        with_stats.test_loss,
        with_stats.train_accuracy,
    )
