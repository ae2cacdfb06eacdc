"""A seeded random walk through the app's controls, as a restless student would click them.

Any exception in a slot (pytest-qt fails the test), any worker failure, or an
app that no longer trains afterwards is a bug.  Dialogs the walk provokes (a
diverged loss...) are closed as a user would.
"""

from __future__ import annotations

import random

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog

ACTIONS_PER_WALK = 250


def _walk(window, qtbot, rng: random.Random) -> list[str]:
    data, net, train = window.data_panel, window.network_panel, window.training_panel
    canvas = window.views["boundary"].plot.viewport()

    def combo(box):
        box.setCurrentIndex(rng.randrange(box.count()))

    def click(widget):
        if widget.isEnabled() and widget.isVisible():
            qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)

    def spot(widget) -> QPoint:
        return QPoint(rng.randrange(widget.width()), rng.randrange(widget.height()))

    def paint():
        button = rng.choice([Qt.MouseButton.LeftButton] * 2 + [Qt.MouseButton.RightButton])
        qtbot.mouseClick(canvas, button, pos=spot(canvas))

    def drag():
        at = spot(canvas)
        qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=at)
        for _ in range(4):
            at += QPoint(rng.randrange(-20, 21), rng.randrange(-20, 21))
            qtbot.mouseMove(canvas, at)
        qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=at)

    def edit_layer():
        if net.rows:
            row = rng.choice(net.rows)
            if rng.random() < 0.5:
                row.width_box.setValue(rng.choice([1, 3, 8, 32, 128]))
            else:
                combo(row.activation)

    def scrub():
        if window.actions["play"].isChecked():
            return
        slider = window.timeline_bar.slider
        slider.setValue(rng.randrange(slider.minimum(), slider.maximum() + 1))
        if rng.random() < 0.5:
            click(window.timeline_bar.resume)

    def inspect():
        graph = window.views["network"].plot.viewport()
        qtbot.mouseClick(graph, Qt.MouseButton.LeftButton, pos=spot(graph))

    def trigger(name):
        return lambda: window.actions[name].trigger()

    actions = {
        "preset": lambda: combo(data.preset),
        "classes": lambda: data.classes.setValue(rng.randrange(2, 9)),
        "noise": lambda: data.noise.setValue(rng.randrange(0, 101)),
        "test ratio": lambda: data.test_ratio.setValue(rng.randrange(0, 91)),
        "regenerate": lambda: click(data.regenerate),
        "clear": lambda: click(data.clear),
        "paint": paint,
        "drag": drag,
        "tool": lambda: trigger(rng.choice(["paint", "erase", "move"]))(),
        "class": lambda: trigger(f"class{rng.randrange(1, 9)}")(),
        "add layer": lambda: click(net.add_button),
        "remove layer": trigger("remove_layer"),
        "edit layer": edit_layer,
        "feature": lambda: click(rng.choice(list(net.feature_boxes.values()))),
        "loss": lambda: combo(net.loss),
        "optimizer": lambda: combo(train.optimizer),
        "learning rate": lambda: train.lr.setValue(10 ** rng.uniform(-4, 0.5)),
        "schedule": lambda: combo(train.schedule),
        "batch": lambda: train.batch.setValue(rng.randrange(1, 300)),
        "dropout": lambda: train.dropout.setValue(rng.choice([0.0, 0.3])),
        "speed": lambda: train.speed.setValue(rng.randrange(train.speed.maximum() + 1)),
        "play": trigger("play"),
        "step": trigger("step"),
        "epoch": trigger("epoch"),
        "reset": trigger("reset"),
        "reinit": trigger("reinit"),
        "undo": trigger("undo"),
        "redo": trigger("redo"),
        "view": lambda: window.docks[rng.choice(list(window.docks))].raise_(),
        "toggle": lambda: trigger(rng.choice(["log_loss", "discrete", "show_test", "dark"]))(),
        "scrub": scrub,
        "inspect": inspect,
    }
    names = list(actions)
    done = []
    for _ in range(ACTIONS_PER_WALK):
        name = rng.choice(names)
        actions[name]()
        done.append(name)
        qtbot.wait(rng.choice([0, 5, 30]))
    return done


@pytest.mark.parametrize("seed", [6, 7, 15])
def test_a_random_walk_through_the_controls_breaks_nothing(make_window, qtbot, seed):
    window = make_window("spiral")
    failures: list[str] = []
    window.worker.failed.connect(lambda message, details: failures.append(message))

    def close_dialogs():
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QDialog) and widget.isVisible():
                widget.reject()

    closer = QTimer()
    closer.timeout.connect(close_dialogs)
    closer.start(20)
    done = _walk(window, qtbot, random.Random(seed))
    closer.stop()
    assert not failures, f"worker failed after {done[-10:]}: {failures}"

    # and the app still trains: pause, fresh points (the walk may have cleared them), then Step
    if window.actions["play"].isChecked():
        window.actions["play"].trigger()
    qtbot.waitUntil(lambda: not window.actions["play"].isChecked(), timeout=10_000)
    window.data_panel.preset.setCurrentIndex(window.data_panel.preset.findData("circle"))
    window.data_panel.test_ratio.setValue(50)
    qtbot.mouseClick(window.data_panel.regenerate, Qt.MouseButton.LeftButton)
    window.training_panel.lr.setValue(0.01)
    qtbot.wait(200)
    close_dialogs()
    before = window.session.latest.step
    window.actions["step"].trigger()
    qtbot.waitUntil(lambda: window.session.latest.step > before, timeout=60_000)
