"""Divergence in the app: the dialog's "Lower learning rate and continue" gets out of it.

The issue's recipe (fault 1): a ReLU net on the plane at learning rate 10, Step once,
then Play; and a project saved with wrecked weights, opened and played.  Each must end
paused on finite weights with the dialog, and a few lower rates later train on.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from dlviz.core.data import make_dataset
from dlviz.core.network import LayerSpec, build_spec
from dlviz.core.optim import OptimizerConfig
from dlviz.core.project import save_project
from dlviz.core.trainer import TrainConfig, Trainer

RELU = (LayerSpec(16, "relu"), LayerSpec(16, "relu"))
#: Generous: the first run in a fresh checkout compiles the engine while the test waits.
WAIT_MS = 30_000


def click(qtbot, window, name):
    qtbot.mouseClick(window.training_panel.buttons[name], Qt.MouseButton.LeftButton)


def lower_until_it_trains(qtbot, window, most: int = 4) -> int:
    """Press "Lower learning rate and continue" until training goes on; returns the presses."""
    for presses in range(1, most + 1):
        qtbot.waitUntil(lambda: window.message_box() is not None, timeout=WAIT_MS)
        box = window.message_box()
        assert "diverged" in box.text()
        qtbot.waitUntil(lambda: window.state == "paused", timeout=WAIT_MS)
        assert np.isfinite(window.session.latest.params).all()
        step = window.session.latest.step
        button = next(b for b in box.buttons() if b.objectName() == "lower-lr")
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda box=box: window.message_box() is not box, timeout=WAIT_MS)

        def trained_on_or_stopped(step=step):
            return window.session.latest.step > step + 100 or window.message_box() is not None

        qtbot.waitUntil(trained_on_or_stopped, timeout=WAIT_MS)
        if window.message_box() is None:
            assert np.isfinite(window.session.latest.params).all()
            window.actions["play"].trigger()
            qtbot.waitUntil(lambda: window.state == "paused", timeout=WAIT_MS)
            return presses
    raise AssertionError(f"still diverging after {most} lower learning rates")


def test_step_at_a_huge_rate_then_play_recovers_by_lowering_the_rate(make_window, qtbot):
    window = make_window("plane", hidden=RELU)
    panel = window.training_panel
    panel.optimizer.setCurrentIndex(panel.optimizer.findData("sgd"))
    panel.set_learning_rate(10.0)
    click(qtbot, window, "step")
    qtbot.waitUntil(lambda: window.message_box() is not None, timeout=WAIT_MS)
    window.message_box().close()
    click(qtbot, window, "play")
    assert lower_until_it_trains(qtbot, window) <= 3


def test_epoch_at_a_huge_rate_recovers_by_lowering_the_rate(make_window, qtbot):
    window = make_window("plane", hidden=RELU)
    panel = window.training_panel
    panel.optimizer.setCurrentIndex(panel.optimizer.findData("adam"))
    panel.set_learning_rate(10.0)
    click(qtbot, window, "epoch")
    assert lower_until_it_trains(qtbot, window) <= 4


def test_a_project_saved_with_wrecked_weights_opens_and_recovers(make_window, qtbot, tmp_path):
    data = make_dataset("plane", n=200, seed=0)
    spec = build_spec(kind="regress", n_classes=0, features=("x1", "x2"), hidden=RELU)
    saved = Trainer(data, spec, TrainConfig(OptimizerConfig("sgd", lr=10.0)))
    saved.load_params(saved.params * np.float32(1e6))  # what Step at lr 10 used to leave
    path = tmp_path / "div.dlviz"
    save_project(path, saved)
    window = make_window("plane")
    assert window.project.open(str(path))
    click(qtbot, window, "play")
    assert lower_until_it_trains(qtbot, window) <= 3
