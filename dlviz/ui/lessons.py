"""The lesson controller: opens a lesson in its dock and puts the session in each step's state.

It fills Help ▸ Lessons, owns the lesson dock (a
:class:`~dlviz.ui.lesson_panel.LessonPanel`) and the highlight frame, and
loads the textbook's examples chosen in the Data panel's preset list.  When
the panel enters a step, the controller builds the step's trainer with core
(:func:`dlviz.core.lessons.resolve`) and hands it to the project actions
(:meth:`~dlviz.ui.project_actions.ProjectActions.start_setup`: the panels
show it, the worker trains it), then shows the step's views and panels,
brings its view to the front and sets the speed.  It tells the panel what the
user does (Play, a changed setting, the epoch and the test accuracy of the
newest snapshot) so that the step's condition to go on can be met.

Like the other controllers it works through the window's parts (session,
panels, project actions, notifier, the docks); the window itself is only the
host the lesson dock and the highlight frame are placed on.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QScrollArea, QWidget

from dlviz.core.errors import DlvizError
from dlviz.core.lessons import Lesson, Names, Resolved, Setup, discover, resolve, trainer_for
from dlviz.ui.i18n import core_text, translate
from dlviz.ui.lesson_panel import Highlight, LessonPanel
from dlviz.ui.notifier import Notifier
from dlviz.ui.panels.data_panel import DataPanel
from dlviz.ui.panels.network_panel import NetworkPanel
from dlviz.ui.panels.training_panel import TrainingPanel
from dlviz.ui.project_actions import ProjectActions
from dlviz.ui.session import DataSettings, Session
from dlviz.ui.views import CENTRAL_VIEW, VIEWS

#: How often the step's condition looks at the newest snapshot (ms).
PROGRESS_MS = 200
#: Share of the window's height the lesson dock takes when panels share its column.
LESSON_HEIGHT = 0.6


def names_in(host: QWidget, docks: Mapping[str, QDockWidget]) -> Names:
    """The names a lesson may use here: the views, the panels and the named controls."""
    widgets = {w.objectName() for w in host.findChildren(QWidget) if w.objectName()}
    panels = tuple(name for name in docks if name not in VIEWS)
    return Names(views=tuple(VIEWS), panels=panels, widgets=tuple(sorted(widgets)))


class LessonController(QObject):
    """Lessons and examples in one window; see the module docstring."""

    #: The lesson dock has taken its place (the window fits its stage around it).
    arranged = Signal()

    def __init__(
        self,
        session: Session,
        project: ProjectActions,
        notifier: Notifier,
        data_panel: DataPanel,
        network_panel: NetworkPanel,
        training_panel: TrainingPanel,
        play: QAction,
        docks: Mapping[str, QDockWidget],
        menu: QMenu,
        host: QMainWindow,
        language: str = "en",
    ) -> None:
        super().__init__(host)
        self.session = session
        self.project = project
        self.notifier = notifier
        self.data_panel = data_panel
        self.network_panel = network_panel
        self.training_panel = training_panel
        self.play = play
        self.docks = docks
        self.menu = menu
        self.host = host
        self.language = language
        self.panel: LessonPanel | None = None
        self.dock: QDockWidget | None = None
        self.highlight = Highlight(host)
        self._applying = False
        self._settings: dict[str, Any] = {}
        self._settings = self._current_settings()
        menu.setToolTipsVisible(True)
        menu.aboutToShow.connect(self._fill_menu)
        play.toggled.connect(self._play_toggled)
        training_panel.changed.connect(self._settings_maybe_changed)
        training_panel.speed_changed.connect(self._settings_maybe_changed)
        network_panel.changed.connect(self._settings_maybe_changed)
        session.dataset_changed.connect(self._settings_maybe_changed)
        data_panel.example_chosen.connect(self.choose_example)
        self.timer = QTimer(self)
        self.timer.setInterval(PROGRESS_MS)
        self.timer.timeout.connect(self._progress)

    def names(self) -> Names:
        return names_in(self.host, self.docks)

    # ------------------------------------------------------------ Help ▸ Lessons

    def _fill_menu(self) -> None:
        """The lessons on disk now (a teacher may have added one); broken ones greyed."""
        self.menu.clear()
        for entry in discover(self.names()):
            if entry.lesson is None:
                action = QAction(f"{entry.name}: {entry.error}", self.menu)
                action.setToolTip(entry.error or "")
                action.setEnabled(False)
            else:
                lesson = entry.lesson
                action = QAction(lesson.title_in(self.language), self.menu)
                action.setToolTip(entry.name)
                action.triggered.connect(lambda _=False, lesson=lesson: self.choose(lesson))
            self.menu.addAction(action)

    def choose(self, lesson: Lesson) -> None:
        """Open ``lesson`` as the user asked, after asking about unsaved work."""
        if self.project.confirm_discard(then=lambda: self.open(lesson)):
            self.open(lesson)

    def set_language(self, language: str) -> None:
        self.language = language
        if self.panel is not None:
            self.panel.set_language(language)

    # ------------------------------------------------------------ opening

    def open(self, lesson: Lesson, step: int = 0) -> None:
        """Show ``lesson`` in the lesson dock and set up step ``step`` (0-based)."""
        panel = LessonPanel(lesson, self.language)
        panel.step_entered.connect(self._enter)
        panel.highlight_changed.connect(self._point_at)
        if self.dock is None:
            self.dock = QDockWidget(translate("LessonController", "Lesson"), self.host)
            self.dock.setObjectName("dock-lesson")
            # on the left, above the data and network panels (which most steps hide): the
            # text has the height of the window beside the canvas, not a corner of it
            self.host.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.dock)
            for name in ("data", "network-panel"):
                self.host.splitDockWidget(self.dock, self.docks[name], Qt.Orientation.Vertical)
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

    def choose_example(self, name: str) -> None:
        """An example picked in the preset list: asks about unsaved work, then loads it."""
        if self.project.confirm_discard(then=lambda: self.load_example(name)):
            self.load_example(name)

    def load_example(self, name: str) -> None:
        """Set up one of the textbook's examples: its data, network, training and speed."""
        try:
            resolved = resolve(Setup(example=name), f"example {name}")
        except DlvizError as exc:
            self.notifier.error(core_text(str(exc)))
            return
        self._applying = True
        try:
            self._load(resolved)
            if resolved.speed is not None:
                self.training_panel.set_speed(resolved.speed, self._batches_per_epoch())
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
                    self.notifier.error(core_text(str(exc)))
                    return
                self._load(resolved)
            self._arrange(setup)
        finally:
            self._settings = self._current_settings()
            self._applying = False

    def _load(self, resolved: Resolved) -> None:
        if self.play.isChecked():
            self.play.setChecked(False)  # a set-up starts paused: Play is the cue
        latest = self.session.latest
        trainer = trainer_for(resolved, latest.engine_choice if latest is not None else "cpu")
        data = resolved.data
        settings = DataSettings(
            preset=resolved.dataset.name,
            classes=max(resolved.dataset.n_classes, 2),
            noise=data.get("noise", 0.0),
            test_ratio=data.get("test_ratio", 0.5),
            n=data.get("points"),
            seed=data.get("seed", 0),
        )
        self.project.start_setup(trainer, settings)

    def _batches_per_epoch(self) -> int:
        """A set-up's speed is in mini-batches per second; the slider's is in epochs."""
        n_train = int((~self.session.dataset.is_test).sum())
        return self.training_panel.batches_per_epoch(n_train)

    def _arrange(self, setup: Setup) -> None:
        if setup.speed is not None:
            self.training_panel.set_speed(setup.speed, self._batches_per_epoch())
        if setup.views is not None:
            for name in VIEWS:
                if name in self.docks:  # the middle views (canvas, pad) are no docks
                    self.docks[name].setVisible(name in setup.views)
        if setup.panels is not None:
            for name, dock in self.docks.items():
                if name not in VIEWS:
                    dock.setVisible(name in setup.panels)
        if setup.front is not None and setup.front != CENTRAL_VIEW:
            self.docks[setup.front].show()
            self.docks[setup.front].raise_()
        # after the layout has taken the docks shown and hidden (and a new window size)
        QTimer.singleShot(0, self, self._fit_dock)

    def _fit_dock(self) -> None:
        """The step's text first: a panel sharing the lesson's column gets what is left."""
        if self.dock is not None:
            height = int(self.host.height() * LESSON_HEIGHT)
            self.host.resizeDocks([self.dock], [height], Qt.Orientation.Vertical)
        self.arranged.emit()

    def _point_at(self, name: str) -> None:
        target: QWidget | None = None
        if name in self.docks:
            self.docks[name].show()
            self.docks[name].raise_()
            target = self.docks[name]
        elif name:
            target = self.host.findChild(QWidget, name)
            dock = _dock_of(target)
            if dock is not None:
                dock.show()
                dock.raise_()
            # a panel that scrolls (the Training panel at 1280 × 720) brings the widget
            # into view: a frame around a hidden row points at nothing
            area = target.parentWidget() if target is not None else None
            while area is not None and not isinstance(area, QScrollArea):
                area = area.parentWidget()
            if area is not None and target is not None:
                area.ensureWidgetVisible(target)
                # and again once the window has laid itself out (a lesson opened before
                # the window takes its size, as --screenshot does)
                QTimer.singleShot(0, target, lambda: area.ensureWidgetVisible(target))
        self.highlight.point_at(target)

    # ------------------------------------------------------------ what the user does

    def _play_toggled(self, on: bool) -> None:
        if on and self.panel is not None and not self._applying:
            self.panel.play_pressed()

    def _current_settings(self) -> dict[str, Any]:
        """Every setting a lesson can wait for, as set-ups name them."""
        data = self.session.data_settings
        values: dict[str, Any] = {
            "data.preset": data.preset,
            "data.classes": data.classes,
            "data.noise": data.noise,
            "data.test_ratio": data.test_ratio,
            "data.points": data.n,
            "data.seed": data.seed,
        }
        hidden = self.network_panel.hidden()
        values["network.hidden"] = tuple(layer.width for layer in hidden)
        values["network.activation"] = tuple(layer.activation for layer in hidden)
        values["network.dropout"] = self.training_panel.dropout_rate()
        values["network.features"] = self.network_panel.features()
        values["network.loss"] = self.network_panel.loss_name()
        values["network.output"] = self.network_panel.output_name()
        values["network.init"] = self.network_panel.init_name()
        values["speed"] = self.training_panel.speed_value()
        try:
            config = self.training_panel.config()
        except DlvizError:  # a field being typed: the training settings stay as they were
            return {**self._settings, **values}
        opt = config.optimizer
        values.update(
            {
                "training.optimizer": opt.name,
                "training.lr": opt.lr,
                "training.momentum": opt.momentum,
                "training.schedule": opt.schedule,
                "training.decay_steps": opt.decay_steps,
                "training.decay_rate": opt.decay_rate,
                "training.batch_size": config.batch_size,
                "training.l1": config.l1,
                "training.l2": config.l2,
                "training.patience": config.patience,
            }
        )
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
        snap = self.session.latest
        if self.panel is not None and snap is not None:
            self.panel.progress(snap.epoch, snap.test_accuracy)


def _dock_of(widget: QWidget | None) -> QDockWidget | None:
    while widget is not None and not isinstance(widget, QDockWidget):
        widget = widget.parentWidget()
    return widget
