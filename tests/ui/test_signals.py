"""Regression tests for the PySide6 6.12.0 crash (docs/ARCHITECTURE.md, Qt traps): every emit
dropped a reference to ``True`` and Python 3.11 aborted after ~500 emits."""

from __future__ import annotations

import sys
import threading

from dlviz.core.data import make_dataset
from dlviz.core.network import LayerSpec, build_spec
from dlviz.core.trainer import TrainConfig
from dlviz.ui.worker import TrainingWorker


def test_emit_does_not_drop_references_to_true(qapp):
    data = make_dataset("circle")
    spec = build_spec(kind="classify", n_classes=2, features=("x1", "x2"), hidden=())
    worker = TrainingWorker(data, spec, TrainConfig())  # not started: no thread

    def emit_all() -> None:
        worker.snapshot_ready.emit(None)
        worker.state_changed.emit("paused")
        worker.failed.emit("message", "")

    def hundred() -> None:
        for _ in range(100):
            emit_all()

    hundred()  # the first round creates lasting state (lazy signal data)
    before = sys.getrefcount(True)
    hundred()
    after = sys.getrefcount(True)  # outside the assert: pytest's rewrite holds a reference
    assert after == before  # 6.12.0 lost 300 references here
    worker.deleteLater()


def test_5000_cross_thread_snapshot_signals_arrive(window, qtbot):
    snap = window.session.latest
    start = window.session.snapshot_count

    def flood() -> None:
        for _ in range(5000):
            window.worker.snapshot_ready.emit(snap)

    thread = threading.Thread(target=flood, name="test-flood")
    thread.start()
    qtbot.waitUntil(lambda: window.session.snapshot_count >= start + 5000, timeout=30_000)
    thread.join()
    window.draw_frame()  # drawing after the flood still works
    assert window.session.latest is snap


def test_real_training_emits_many_snapshots(window, qtbot):
    """A few hundred real cross-thread snapshots while the app draws them."""
    spec = build_spec(
        kind="classify", n_classes=2, features=("x1", "x2"), hidden=(LayerSpec(4, "tanh"),)
    )
    assert spec.n_outputs == 1
    start = window.session.snapshot_count
    window.play()
    qtbot.waitUntil(lambda: window.session.snapshot_count >= start + 200, timeout=30_000)
    window.actions["play"].trigger()
    qtbot.waitUntil(lambda: window.state == "paused", timeout=5_000)
