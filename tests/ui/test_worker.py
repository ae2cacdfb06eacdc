"""The training worker's command table: typed commands, coalescing by type, jobs and their ends."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt

from dlviz.core.data import make_dataset
from dlviz.core.errors import DlvizError
from dlviz.core.network import LayerSpec, build_spec
from dlviz.core.optim import OptimizerConfig
from dlviz.core.still import Still
from dlviz.core.trainer import TrainConfig, Trainer
from dlviz.ui.commands import Play, SetConfig
from dlviz.ui.snapshots import Order, SnapshotThread
from dlviz.ui.worker import Pacing, TrainingWorker

JOB_MS = 30_000


@pytest.fixture
def worker(qtbot):
    data = make_dataset("circle", n=60)
    spec = build_spec(
        kind="classify", n_classes=2, features=("x1", "x2"), hidden=(LayerSpec(4, "tanh"),)
    )
    worker = TrainingWorker(data, spec, TrainConfig())
    worker.start()
    yield worker
    assert worker.stop()
    worker.deleteLater()


def test_only_the_newest_queued_setting_is_applied(worker, qtbot):
    applied = []
    trainer = worker.run_job(lambda t: t).result(timeout=JOB_MS / 1000)
    original = trainer.set_config

    def counting(config):
        applied.append(config.optimizer.lr)
        original(config)

    trainer.set_config = counting
    gate = threading.Event()
    worker.run_job(lambda t: gate.wait(20))  # the worker is busy: the next commands queue up
    base = TrainConfig()
    for lr in (0.1, 0.2, 0.3):
        worker.set_config(replace(base, optimizer=OptimizerConfig(lr=lr)))
    worker.play()  # another type of command in between does not stop the coalescing
    worker.pause()
    gate.set()
    lr = worker.run_job(lambda t: t.config.optimizer.lr).result(timeout=JOB_MS / 1000)
    assert lr == 0.3
    assert applied == [0.3]  # 0.1 and 0.2 were never applied


def test_a_job_ends_in_the_gui_thread_with_its_result_or_its_error(worker, qtbot):
    ended = []

    def done(result, error):
        ended.append((result, error, threading.current_thread() is threading.main_thread()))

    worker.run_job(lambda t: t.step + 41 + 1, done)
    qtbot.waitUntil(lambda: len(ended) == 1, timeout=JOB_MS)
    assert ended[0] == (42, None, True)

    def fail(trainer):
        raise DlvizError("disk full")

    worker.run_job(fail, done)
    qtbot.waitUntil(lambda: len(ended) == 2, timeout=JOB_MS)
    result, error, in_gui = ended[1]
    assert result is None and isinstance(error, DlvizError) and in_gui


def test_a_failing_job_nobody_waits_for_is_reported_not_lost(worker, qtbot):
    with qtbot.waitSignal(worker.failed, timeout=JOB_MS) as blocker:
        worker.run_job(lambda t: t.set_weight(0, 0, 0, float("nan")))
    assert blocker.args == ["a weight must be a finite number", ""]  # a user message


def test_only_commands_are_accepted(worker):
    with pytest.raises(TypeError):
        worker.send(("play", None))  # the old stringly form
    worker.send(Play())
    worker.send(SetConfig(TrainConfig()))


def test_full_speed_slices_take_statistics_at_5_hz_or_within_5_percent_of_the_time():
    """Statistics come often enough for the distributions view's 5 Hz, never much more
    often, and a network whose statistics are slow gets them less often."""
    data = make_dataset("circle", n=60)
    spec = build_spec(
        kind="classify", n_classes=2, features=("x1", "x2"), hidden=(LayerSpec(4, "tanh"),)
    )
    trainer = Trainer(data, spec, TrainConfig())
    pacing = Pacing()
    first = pacing.slice(trainer, 100.0)
    assert first["stats"] and first["grid"] and first["seconds"] > 0
    assert not pacing.slice(trainer, 100.1)["stats"]
    assert pacing.slice(trainer, 100.21)["stats"]
    trainer.stats_seconds = 0.05  # slow statistics: at most 5 % of the time, every 1 s
    assert not pacing.slice(trainer, 100.9)["stats"]
    assert pacing.slice(trainer, 101.22)["stats"]


def test_open_views_ask_for_live_statistics_and_pay_for_their_extras(worker):
    """The distributions view, shown, asks for statistics with every snapshot (up to 30 Hz);
    views that ask for extras (neuron pictures, the hidden space) get VIEWS_SNAPSHOT_HZ
    snapshots a second: slices shorten, so a medium network's 12 ms snapshot still comes
    24 times a second; a slow snapshot keeps to its share, however many views are open."""
    from dlviz.ui.worker import (
        AHEAD_SHARE,
        LIVE_STATS_HZ,
        SLICE_SECONDS,
        SNAPSHOT_SHARE,
        STATS_HZ,
        VIEWS_SNAPSHOT_HZ,
        VIEWS_SNAPSHOT_SHARE,
        ahead_slice_seconds,
        slice_seconds,
    )

    def pacing():
        return worker.run_job(
            lambda t: (worker._pacing.stats_hz, worker._pacing.share, worker._pacing.hz)
        ).result(timeout=JOB_MS / 1000)

    assert pacing() == (STATS_HZ, SNAPSHOT_SHARE, 0.0)
    worker.set_extras({"stats_hz": 1000.0})
    assert pacing() == (LIVE_STATS_HZ, SNAPSHOT_SHARE, 0.0)  # capped; no extras to pay for
    worker.set_extras({"stats_hz": 30.0, "neuron_grid": 24})
    assert pacing() == (30.0, VIEWS_SNAPSHOT_SHARE, VIEWS_SNAPSHOT_HZ)
    worker.set_extras({})
    assert pacing() == (STATS_HZ, SNAPSHOT_SHARE, 0.0)  # the views closed
    with pytest.raises(ValueError, match="unknown snapshot extras"):
        worker.set_extras({"stats_per_second": 30.0})
    assert slice_seconds(0.007) > 0.06  # 10 %: fewer pictures than 20 a second
    assert slice_seconds(0.007, SNAPSHOT_SHARE, 0.0) > 0.06  # no views: the same pacing
    # views open: slice + snapshot is one VIEWS_SNAPSHOT_HZ period
    views = (VIEWS_SNAPSHOT_SHARE, VIEWS_SNAPSHOT_HZ)
    assert slice_seconds(0.012, *views) + 0.012 == pytest.approx(1 / VIEWS_SNAPSHOT_HZ)
    slow = slice_seconds(0.2, *views)  # a wide network: snapshots keep to their share
    assert 0.2 / (slow + 0.2) == pytest.approx(VIEWS_SNAPSHOT_SHARE)
    # taken beside training (the snapshot thread): the slice is the whole period, and a
    # slow snapshot keeps to its share of the snapshot thread's time
    assert ahead_slice_seconds(0.003) == SLICE_SECONDS
    slow = ahead_slice_seconds(0.2)  # the snapshot overlaps the next slice
    assert 0.2 / slow == pytest.approx(AHEAD_SHARE)


def test_live_statistics_come_with_each_slice_up_to_their_rate():
    data = make_dataset("circle", n=60)
    spec = build_spec(
        kind="classify", n_classes=2, features=("x1", "x2"), hidden=(LayerSpec(4, "tanh"),)
    )
    trainer = Trainer(data, spec, TrainConfig())
    pacing = Pacing()
    pacing.stats_hz = 30.0
    assert pacing.slice(trainer, 100.0)["stats"]
    assert not pacing.slice(trainer, 100.02)["stats"]
    assert pacing.slice(trainer, 100.034)["stats"]
    trainer.stats_seconds = 0.01  # slow statistics: still at most 5 % of the time
    assert not pacing.slice(trainer, 100.1)["stats"]
    assert pacing.slice(trainer, 100.235)["stats"]


def test_full_speed_snapshots_are_taken_beside_training_in_order_and_finished_by_a_pause(
    worker, qtbot, monkeypatch
):
    """At full speed each slice's snapshot is taken on the snapshot thread while the next
    slice trains; the GUI gets them in the order of training, the one in hand arrives
    before the pause's news, and the trainer's history and the timeline hold each at its
    own step."""
    original = Still.snapshot

    def slow(self, **options):  # so that one is in hand whenever the pause comes
        if threading.current_thread().name == "dlviz-snapshots":
            time.sleep(0.03)
        return original(self, **options)

    monkeypatch.setattr(Still, "snapshot", slow)
    events: list[tuple] = []  # in the order they were emitted, from whichever thread

    def seen(snap):
        events.append(("snapshot", threading.current_thread().name, snap.step))

    worker.snapshot_ready.connect(seen, Qt.ConnectionType.DirectConnection)
    worker.state_changed.connect(
        lambda state: events.append(("state", state)), Qt.ConnectionType.DirectConnection
    )
    worker.set_speed(None)
    worker.play()
    qtbot.waitUntil(
        lambda: sum(e[:2] == ("snapshot", "dlviz-snapshots") for e in list(events)) > 10,
        timeout=JOB_MS,
    )
    worker.pause()
    last, history, timeline = worker.run_job(
        lambda t: (t.step, [h.step for h in t.history], worker.timeline_entries())
    ).result(timeout=JOB_MS / 1000)
    got = list(events)
    steps = [e[2] for e in got if e[0] == "snapshot"]
    assert steps == sorted(steps) and steps[-1] == last  # the pause's own picture is the last
    paused = max(i for i, e in enumerate(got) if e == ("state", "paused"))
    ahead = [i for i, e in enumerate(got) if e[:2] == ("snapshot", "dlviz-snapshots")]
    assert ahead and max(ahead) < paused
    assert history == sorted(set(history)) and history[-1] == last
    assert len(history) > 10  # every full-speed snapshot was recorded
    assert timeline and all(e.snapshot.step == e.state.step for e in timeline)


def test_a_failing_snapshot_is_reported_and_the_commands_behind_it_still_apply(
    worker, qtbot, monkeypatch
):
    """A snapshot that raises on the snapshot thread is a bug: it reaches the user with its
    traceback, training pauses, and a command that came while it was taken still applies."""
    original_snapshot, original_train = Still.snapshot, Trainer.train_still

    def failing(self, **options):
        if threading.current_thread().name == "dlviz-snapshots":
            raise ZeroDivisionError("a bug in a snapshot")
        return original_snapshot(self, **options)

    sent: list[bool] = []

    def train_then_command(self, **budget):
        still = original_train(self, **budget)
        if budget.get("seconds") is not None and not sent:  # the first full-speed slice
            sent.append(True)
            worker.set_speed(1.0)  # comes while this slice's snapshot is being taken
        return still

    monkeypatch.setattr(Still, "snapshot", failing)
    monkeypatch.setattr(Trainer, "train_still", train_then_command)
    failures = []
    worker.failed.connect(lambda message, details: failures.append((message, details)))
    worker.set_speed(None)
    worker.play()
    qtbot.waitUntil(lambda: bool(failures), timeout=JOB_MS)
    message, details = failures[0]
    assert "ZeroDivisionError" in message and "a bug in a snapshot" in details
    assert worker.run_job(lambda t: worker._speed).result(timeout=JOB_MS / 1000) == 1.0
    qtbot.waitUntil(lambda: not worker._playing, timeout=JOB_MS)


def test_the_snapshot_thread_takes_one_snapshot_at_a_time():
    data = make_dataset("circle", n=60)
    spec = build_spec(
        kind="classify", n_classes=2, features=("x1", "x2"), hidden=(LayerSpec(4, "tanh"),)
    )
    trainer = Trainer(data, spec, TrainConfig())
    published = []
    thread = SnapshotThread(published.append)
    try:
        first = trainer.train_still(samples=10)
        thread.offer(Order(trainer, first, {"grid": 8}, None))
        with pytest.raises(RuntimeError, match="finish it first"):
            thread.offer(Order(trainer, trainer.train_still(samples=10), {}, None))
        order = thread.finish()
        assert order is not None and order.record() is published[0]
        assert published[0].step == first.step and published[0].grid.shape == (8, 8, 1)
        assert trainer.history[-1].step == first.step
        assert thread.finish() is None  # nothing in hand
    finally:
        thread.close()


def test_with_views_asking_for_extras_the_worker_takes_its_snapshots_in_line(worker, qtbot):
    """Views that ask for extras keep the GUI thread drawing most of the time on the other
    core: the snapshots are then the worker's own, and the pictures come first."""
    threads: set[str] = set()
    count = [0]

    def seen(snap):
        threads.add(threading.current_thread().name)
        count[0] += 1

    worker.set_extras({"neuron_grid": 8})
    worker.snapshot_ready.connect(seen, Qt.ConnectionType.DirectConnection)
    worker.set_speed(None)
    worker.play()
    qtbot.waitUntil(lambda: count[0] > 20, timeout=JOB_MS)
    worker.pause()
    assert threads == {"dlviz-trainer"}
