"""Helpers the UI tests share: where a data point is on screen, mouse strokes, training."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt


def canvas_pos(window, x: float, y: float) -> QPoint:
    """Viewport pixel of data point (x, y) on the canvas."""
    view = window.views["boundary"]
    scene = view.viewbox.mapViewToScene(QPointF(x, y))
    return view.plot.mapFromScene(scene)


def viewport(window):
    return window.views["boundary"].plot.viewport()


def drag(qtbot, window, points, button=Qt.MouseButton.LeftButton, modifier=None):
    """Press at the first point, move through the others, release at the last."""
    vp = viewport(window)
    mods = modifier or Qt.KeyboardModifier.NoModifier
    qtbot.mousePress(vp, button, mods, canvas_pos(window, *points[0]))
    for x, y in points[1:]:
        qtbot.mouseMove(vp, canvas_pos(window, x, y))
    qtbot.mouseRelease(vp, button, mods, canvas_pos(window, *points[-1]))


def train(qtbot, window, steps):
    """Train ``steps`` mini-batches at once (Train ▸ steps) and wait for their snapshot."""
    done = []
    window.worker.steps_done.connect(done.append)
    start = window.session.latest.step
    window.worker.train_steps(steps)
    qtbot.waitUntil(lambda: bool(done), timeout=30_000)
    qtbot.waitUntil(lambda: window.session.latest.step >= start + steps, timeout=5_000)
