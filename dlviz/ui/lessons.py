"""The lesson controller: opens a lesson in its dock and puts the window in each step's state.

It owns the Help ▸ Lessons menu, the lesson dock (a
:class:`~dlviz.ui.lesson_panel.LessonPanel`) and the highlight frame.  When
the panel enters a step, the controller builds the step's trainer with core
(:func:`dlviz.core.lessons.resolve`), shows it in the panels and hands it to
the worker the way an opened project is, then shows the step's views and
panels, brings its view to the front and sets the speed.  It tells the
panel what the user does (Play, a changed setting, the epoch and the test
accuracy of the newest snapshot) so that the step's condition to go on can
be met.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QMenu, QWidget

from dlviz.core.errors import DlvizError
from dlviz.core.lessons import Lesson, Resolved, Setup, discover, resolve, trainer_for
from dlviz.ui.lesson_panel import Highlight, LessonPanel, names_in
from dlviz.ui.views import CENTRAL_VIEW, VIEWS
from dlviz.ui.worker import SPEEDS

#: How often the step's condition looks at the newest snapshot (ms).
PROGRESS_MS = 200
#: Share of the window's height the lesson dock takes when panels share its column.
LESSON_HEIGHT = 0.6


def speed_index(speed: float | str) -> int:
    """The Speed slider position nearest to ``speed`` (mini-batches per second, or "max")."""
    if speed == "max":
        return SPEEDS.index(None)
    assert isinstance(speed, float | int)
    finite = [(i, s) for i, s in enumerate(SPEEDS) if s is not None]
    return min(finite, key=lambda item: abs(math.log(item[1]) - math.log(speed)))[0]


class LessonController(QObject):
    """Lessons in one main window; see the module docstring."""

    def __init__(self, window: Any, language: str = "en") -> None:
        super().__init__(window)
        self.window = window
        self.language = language
        self.panel: LessonPanel | None = None
        self.dock: QDockWidget | None = None
        self.highlight = Highlight(window)
        self._applying = False
        self._settings: dict[str, Any] = {}
        self._settings = self._current_settings()
        self.menu = self._make_menu()
        window.actions["play"].toggled.connect(self._play_toggled)
        window.training_panel.changed.connect(self._settings_maybe_changed)
        window.training_panel.speed_changed.connect(self._settings_maybe_changed)
        window.network_panel.changed.connect(self._settings_maybe_changed)
        window.session.dataset_changed.connect(self._settings_maybe_changed)
        window.data_panel.example_chosen.connect(self.load_example)
        self.timer = QTimer(self)
        self.timer.setInterval(PROGRESS_MS)
        self.timer.timeout.connect(self._progress)

    # ------------------------------------------------------------ Help ▸ Lessons

    def _make_menu(self) -> QMenu:
        help_menu = self.window.findChild(QMenu, "menu-help")
        menu = QMenu(self.tr("&Lessons"), self.window)
        menu.setObjectName("menu-lessons")
        menu.setToolTipsVisible(True)
        menu.aboutToShow.connect(self._fill_menu)
        first = help_menu.actions()[0] if help_menu.actions() else None
        help_menu.insertMenu(first, menu)
        help_menu.insertSeparator(first)
        return menu

    def _fill_menu(self) -> None:
        """The lessons on disk now (a teacher may have added one); broken ones greyed."""
        self.menu.clear()
        for entry in discover(names_in(self.window)):
            if entry.lesson is None:
                action = QAction(f"{entry.name}: {entry.error}", self.menu)
                action.setToolTip(entry.error or "")
                action.setEnabled(False)
            else:
                lesson = entry.lesson
                action = QAction(lesson.title_in(self.language), self.menu)
                action.setToolTip(entry.name)
                action.triggered.connect(lambda _=False, lesson=lesson: self.open(lesson))
            self.menu.addAction(action)

    # ------------------------------------------------------------ opening

    def open(self, lesson: Lesson, step: int = 0) -> None:
        """Show ``lesson`` in the lesson dock and set up step ``step`` (0-based)."""
        panel = LessonPanel(lesson, self.language)
        panel.step_entered.connect(self._enter)
        panel.highlight_changed.connect(self._point_at)
        if self.dock is None:
            self.dock = QDockWidget(self.tr("Lesson"), self.window)
            self.dock.setObjectName("dock-lesson")
            # on the left, above the data and network panels (which most steps hide): the
            # text has the height of the window beside the canvas, not a corner of it
            self.window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.dock)
            for name in ("data", "network-panel"):
                self.window.splitDockWidget(
                    self.dock, self.window.docks[name], Qt.Orientation.Vertical
                )
        old = self.panel
        self.panel = panel
        self.dock.setWidget(panel)
        if old is not None:
            old.deleteLater()
        self.dock.show()
        self.dock.raise_()
        self.timer.start()
        panel.open_step(step)

    # ------------------------------------------------------------ the textbook's examples

    def load_example(self, name: str) -> None:
        """Set up one of the textbook's examples: its data, network, training and speed."""
        setup = Setup(example=name)
        try:
            resolved = resolve(setup, f"example {name}")
        except DlvizError as exc:
            self.window.show_error(str(exc))
            return
        self._applying = True
        try:
            self._load(resolved)
            if resolved.speed is not None:
                self.window.training_panel.speed.setValue(speed_index(resolved.speed))
        finally:
            self._settings = self._current_settings()
            self._applying = False

    # ------------------------------------------------------------ applying a step

    def _enter(self, index: int, setup: Setup) -> None:
        assert self.panel is not None
        lesson = self.panel.lesson
        self._applying = True
        try:
            if setup.example is not None or setup.data or setup.network or setup.training:
                # a new network or new data: the run starts again from the folded set-up
                where = f"{lesson.source}: step {index + 1}.setup"
                try:
                    resolved = resolve(lesson.setup_at(index), where)
                except DlvizError as exc:
                    self.window.show_error(str(exc))
                    return
                self._load(resolved)
            self._arrange(setup)
        finally:
            self._settings = self._current_settings()
            self._applying = False

    def _load(self, resolved: Resolved) -> None:
        window = self.window
        if window.actions["play"].isChecked():
            window.actions["play"].setChecked(False)  # a step starts paused: Play is the cue
        latest = window.session.latest
        trainer = trainer_for(resolved, latest.engine_choice if latest is not None else "cpu")
        data = resolved.data
        settings = {
            "preset": resolved.dataset.name,
            "classes": max(resolved.dataset.n_classes, 2),
            "noise": data.get("noise", 0.0),
            "test_ratio": data.get("test_ratio", 0.5),
            "n": data.get("points"),
            "seed": data.get("seed", 0),
        }
        window.files._apply_project(trainer, {"data_settings": settings})

    def _arrange(self, setup: Setup) -> None:
        window = self.window
        if setup.speed is not None:
            window.training_panel.speed.setValue(speed_index(setup.speed))
        if setup.views is not None:
            for name in VIEWS:
                if name != CENTRAL_VIEW:
                    window.docks[name].setVisible(name in setup.views)
        if setup.panels is not None:
            for name, dock in window.docks.items():
                if name not in VIEWS:
                    dock.setVisible(name in setup.panels)
        if setup.front is not None and setup.front != CENTRAL_VIEW:
            window.docks[setup.front].show()
            window.docks[setup.front].raise_()
        # after the layout has taken the docks shown and hidden (and a new window size)
        QTimer.singleShot(0, self, self._fit_dock)

    def _fit_dock(self) -> None:
        """The step's text first: a panel sharing the lesson's column gets what is left."""
        if self.dock is not None:
            height = int(self.window.height() * LESSON_HEIGHT)
            self.window.resizeDocks([self.dock], [height], Qt.Orientation.Vertical)

    def _point_at(self, name: str) -> None:
        window = self.window
        target: QWidget | None = None
        if name in window.docks:
            window.docks[name].show()
            window.docks[name].raise_()
            target = window.docks[name]
        elif name:
            target = window.findChild(QWidget, name)
            dock = _dock_of(target)
            if dock is not None:
                dock.show()
                dock.raise_()
        self.highlight.point_at(target)

    # ------------------------------------------------------------ what the user does

    def _play_toggled(self, on: bool) -> None:
        if on and self.panel is not None and not self._applying:
            self.panel.play_pressed()

    def _current_settings(self) -> dict[str, Any]:
        """Every setting a lesson can wait for, as set-ups name them."""
        w = self.window
        values: dict[str, Any] = {}
        data = w.session.data_settings
        values.update({"data.preset": data.preset, "data.classes": data.classes,
                       "data.noise": data.noise, "data.test_ratio": data.test_ratio,
                       "data.points": data.n, "data.seed": data.seed})  # fmt: skip
        hidden = w.network_panel.hidden()
        values["network.hidden"] = tuple(layer.width for layer in hidden)
        values["network.activation"] = tuple(layer.activation for layer in hidden)
        values["network.dropout"] = w.training_panel.dropout.value()
        values["network.features"] = w.network_panel.features()
        values["network.loss"] = w.network_panel.loss_name()
        values["network.output"] = w.network_panel.output_name()
        values["network.init"] = w.network_panel.init_name()
        values["speed"] = w.training_panel.speed_value()
        try:
            config = w.training_panel.config()
        except DlvizError:  # a field being typed: the training settings stay as they were
            return {**self._settings, **values}
        opt = config.optimizer
        values.update({"training.optimizer": opt.name, "training.lr": opt.lr,
                       "training.momentum": opt.momentum, "training.schedule": opt.schedule,
                       "training.decay_steps": opt.decay_steps,
                       "training.decay_rate": opt.decay_rate,
                       "training.batch_size": config.batch_size, "training.l1": config.l1,
                       "training.l2": config.l2, "training.patience": config.patience})  # fmt: skip
        return values

    def _settings_maybe_changed(self, *args: object) -> None:
        now = self._current_settings()
        before, self._settings = self._settings, now
        if self._applying or self.panel is None:
            return
        for key, value in now.items():
            if before.get(key) != value:
                self.panel.setting_changed(key)

    def _progress(self) -> None:
        snap = self.window.session.latest
        if self.panel is not None and snap is not None:
            self.panel.progress(snap.epoch, snap.test_accuracy)


def _dock_of(widget: QWidget | None) -> QDockWidget | None:
    while widget is not None and not isinstance(widget, QDockWidget):
        widget = widget.parentWidget()
    return widget
