"""The main window: it builds the parts, connects them, and draws on the frame timer.

What the window owns itself: the docks and their layout, settings, theme and
presentation mode, the frame timer (a 60 Hz tick draws the newest snapshot
in the visible views), and the wiring between the parts:

* the :class:`~dlviz.ui.session.Session` (what the user sees and edits) and
  the panels, views (registered in :data:`dlviz.ui.views.VIEWS`) that observe it;
* the :class:`~dlviz.ui.worker.TrainingWorker`: edits in the panels become a
  ``TrainConfig`` or a ``NetworkSpec`` and go to it as commands; snapshots come
  back by a queued signal and are only stored;
* the actions (:mod:`dlviz.ui.actions`, one table), the status bar
  (:mod:`dlviz.ui.status_bar`) and the notifier (:mod:`dlviz.ui.notifier`);
* the controllers, each given narrow collaborators, never the window:
  :mod:`~dlviz.ui.project_actions`, :mod:`~dlviz.ui.autosave`,
  :mod:`~dlviz.ui.image_export`, :mod:`~dlviz.ui.recent_files`.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QStackedWidget,
    QTabBar,
    QToolBar,
    QWidget,
)

from dlviz import __version__
from dlviz.core.data import Dataset
from dlviz.core.errors import DlvizError
from dlviz.core.network import LayerSpec, NetworkSpec, build_spec
from dlviz.core.optim import lowered_learning_rate
from dlviz.core.snapshot import Snapshot
from dlviz.ui import actions as action_table
from dlviz.ui import icons
from dlviz.ui.autosave import Autosave
from dlviz.ui.frames import FRAME_MS, FrameScheduler
from dlviz.ui.i18n import LANGUAGES, core_text, current_language, translate
from dlviz.ui.image_export import ImageExport
from dlviz.ui.lessons import LessonController
from dlviz.ui.notifier import Notifier
from dlviz.ui.panels.data_panel import DataPanel
from dlviz.ui.panels.network_panel import NetworkPanel
from dlviz.ui.panels.training_panel import TrainingPanel
from dlviz.ui.project_actions import ProjectActions, dropped_path
from dlviz.ui.recent_files import RecentFiles
from dlviz.ui.session import DataSettings, Session
from dlviz.ui.status_bar import StatusFields
from dlviz.ui.theme import DARK, LIGHT, Scale, apply_to_app
from dlviz.ui.timeline_bar import TimelineBar
from dlviz.ui.views import CENTRAL_VIEW, IMAGE_CENTRAL_VIEW, VIEWS, View
from dlviz.ui.worker import TrainingWorker

SETTINGS_VERSION = 2  # 2: the settings panel's dock became "network-panel"
#: Presentation mode with a dock on the left (a lesson, the controls): its share of the
#: width, and the network/loss column's; the canvas gets the rest (about 40 %).
STAGE_LEFT_SHARE = 0.24
STAGE_SIDE_SHARE = 0.36
#: The docks presentation mode shows beside the canvas.
STAGE_DOCKS = ("network", "loss")
#: The docks "Show the controls" (F10) shows or hides.
CONTROL_DOCKS = ("data", "network-panel", "training", "timeline")


class MainWindow(QMainWindow):
    def __init__(
        self,
        *,
        data: DataSettings | Dataset | None = None,
        restore_layout: bool = True,
        warm_up=None,
        start_worker: bool = True,
        hidden: tuple[LayerSpec, ...] | None = None,
    ) -> None:
        super().__init__()
        self.setObjectName("dlviz-main")
        self.setWindowIcon(icons.app_icon())
        self.setDockOptions(
            QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowTabbedDocks
        )
        self._restore = restore_layout
        self._closing = False
        #: What the worker last said it does: "warming", "paused", "playing" or "stopped".
        self.state = "warming"
        self.frames = 0
        #: What the shown views asked the worker's snapshots to carry (see _sync_extras).
        self.requested_extras: dict[str, object] = {}
        #: which views each frame draws (see draw_frame)
        self.scheduler = FrameScheduler()
        #: Views shown outside the window (a ``--view`` screenshot) whose extras count too.
        self.extra_views: list[View] = []

        if isinstance(data, Dataset):
            self.session = Session(DataSettings(), self)
            self.session.replace_dataset(data, undoable=False)
        else:
            self.session = Session(data or DataSettings(), self)

        self.status_bar = StatusFields(self.statusBar())
        self.notifier = Notifier(self.statusBar(), self)
        self.actions: dict[str, QAction] = action_table.make_actions(self, self._slots())
        self.data_panel = DataPanel(self.session)
        self.network_panel = NetworkPanel(self.session)
        if hidden is not None:  # the first network has these layers: no rebuild notice
            self.network_panel.set_hidden(hidden)
        self.training_panel = TrainingPanel(self.actions)
        self.views: dict[str, View] = {}
        self.docks: dict[str, QDockWidget] = {}
        self._make_views_and_docks()
        self.menus = action_table.fill_menu_bar(self.menuBar(), self.actions)
        self.panels_menu = self.menus["panels"]
        for dock in self.docks.values():
            self.panels_menu.addAction(dock.toggleViewAction())
        self._make_toolbar()
        self.sync_language_menu()

        spec = self._build_spec(quiet=True) or self._fallback_spec()
        self.network_panel.show_summary(spec)
        if warm_up is None:
            from dlviz.core.kernels.cpu import warm_up as core_warm_up

            warm_up = core_warm_up
        #: The data kind and class count of the network the worker trains.
        self._problem = self._problem_of(self.session.dataset)
        self.worker = TrainingWorker(
            self.session.dataset,
            spec,
            self.training_panel.config(),
            seed=self.training_panel.seed_value(),
            warm_up=warm_up,
            parent=self,
        )
        self.session.past = lambda: [e.snapshot for e in self.worker.timeline_entries()]
        self.session.training_settings = lambda: (
            self.training_panel.config(),
            self.training_panel.seed.value(),
        )
        self.session.on_trainer = self.worker.run_job
        self._make_controllers()
        self._connect()
        self.setAcceptDrops(True)
        self.timeline_bar = TimelineBar(self.session, self.worker)
        # under the canvas: the bottom corners belong to the side columns
        bottom = Qt.DockWidgetArea.BottomDockWidgetArea
        self._dock("timeline", translate("MainWindow", "Timeline"), self.timeline_bar, bottom)
        self.panels_menu.addAction(self.docks["timeline"].toggleViewAction())
        self._layout_restored = False
        self._shown = False
        #: The dock layout before presentation mode (put back when it ends).
        self._normal_state: QByteArray | None = None
        self._normal_controls = True
        self._load_settings()
        self.resize(1440, 900)
        if self._restore:
            self._restore_layout()
        self._apply_data_kind()

        self.frame_timer = QTimer(self)
        self.frame_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.frame_timer.setInterval(FRAME_MS)
        self.frame_timer.timeout.connect(self.draw_frame)
        self.frame_timer.start()
        self.project.update_title()
        if start_worker:
            self.worker.start()

    # ------------------------------------------------------------ construction

    def _slots(self) -> dict[str, Callable[..., Any]]:
        """What each action of :data:`dlviz.ui.actions.ACTIONS` does.

        Lambdas, because most targets (the controllers, the worker) are made
        after the actions, which the training panel's buttons need first.
        """
        s = self.session
        slots: dict[str, Callable[..., Any]] = {
            # File
            "new": lambda: self.project.new(),
            "open": lambda: self.project.open(),
            "save": lambda: self.project.save(),
            "save_as": lambda: self.project.save_as(),
            "export_weights": lambda: self.project.export_weights(),
            "import_weights": lambda: self.project.import_weights(),
            "export_gif": lambda: self.images.export_gif(),
            "open_csv": lambda: self.project.import_csv(),
            "open_images": lambda: self.project.open_image_data(),
            "save_csv": lambda: self.project.export_csv(),
            # Ctrl+E: the whole window (File ▸ Export view image ▸ Whole window)
            "export_image": lambda: self.images.export_view_image("window"),
            "quit": self.close,
            # Edit
            "undo": s.undo,
            "redo": s.redo,
            "paint": lambda on: on and s.set_tool("paint"),
            "erase": lambda on: on and s.set_tool("erase"),
            "move": lambda on: on and s.set_tool("move"),
            "regenerate": lambda: self.data_panel.regenerate_points(),
            "clear": s.clear,
            "add_layer": lambda: self.network_panel.add_layer(),
            "remove_layer": lambda: self.network_panel.remove_layer(),
            # View
            "show_test": lambda on: s.set_options(show_test=on),
            "discrete": lambda on: s.set_options(discrete=on),
            "log_loss": lambda on: s.set_options(log_loss=on),
            "dark": self.set_dark,
            "presentation": self.set_presentation,
            "controls": self.show_controls,
            "reset_layout": self.reset_layout,
            # Train
            "play": self._play_toggled,
            "step": lambda: self.worker.step_batch(),
            "epoch": lambda: self.worker.step_epoch(),
            "reset": self.reset_weights,
            "reinit": self.reinitialise,
            "slower": lambda: self.training_panel.change_speed(-1),
            "faster": lambda: self.training_panel.change_speed(+1),
            "max_speed": lambda on: self.training_panel.set_max_speed(on),
            "lower_lr": lambda: self.training_panel.set_learning_rate(
                lowered_learning_rate(self.training_panel.learning_rate())
            ),
            # Train ▸ Engine (picked_only: the check mark also follows the snapshots)
            # Help
            "shortcuts": self.show_shortcuts,
            "about": self.show_about,
        }
        for i in range(1, 9):
            slots[f"class{i}"] = lambda _=False, i=i: s.set_paint_class(i - 1)
        for choice in action_table.ENGINE_MENU:
            slots[f"engine_{choice}"] = lambda _=False, c=choice: self.worker.set_engine(c)
        for code in LANGUAGES:
            slots[f"lang_{code}"] = lambda _=False, c=code: self.set_language(c)
        return slots

    def _make_controllers(self) -> None:
        self.recent = RecentFiles(self.menus["recent"], self.notifier)
        self.project = ProjectActions(
            self.session,
            self.worker,
            self.notifier,
            self.network_panel,
            self.training_panel,
            self.recent,
            self.reinitialise,
            self,
        )
        self.project.shown_panels = self.shown_panels
        self.project.show_panels = self.show_panels
        self.autosave = Autosave(self.worker, self.project, self.notifier)
        targets: dict[str, tuple[str, QWidget]] = {
            "window": (translate("MainWindow", "Whole window"), self)
        }
        targets.update({name: (view.display_title(), view) for name, view in self.views.items()})
        self.images = ImageExport(targets, self.worker, self.session, self.notifier, self)
        self.images.fill_menus(self.menus["view-image"], self.menus["copy-view"])
        self.lessons = LessonController(
            self.session,
            self.project,
            self.notifier,
            self.data_panel,
            self.network_panel,
            self.training_panel,
            self.actions["play"],
            self.docks,
            self.menus["lessons"],
            self,
            language=current_language(),  # the lessons' own texts follow the app's language
        )
        self.lessons.arranged.connect(self._size_stage)
        self.data_panel.image_preset_chosen.connect(self.project.choose_image_preset)

    def _fit_panels(self) -> None:
        """Panels are never clipped sideways: their docks are at least as wide as they need."""
        for scroll in self._scrolls:
            widget = scroll.widget()
            widget.adjustSize()
            scroll.setMinimumWidth(widget.minimumSizeHint().width() + 18)
        # the top dock of each column gets the height its panel asks for, the rest goes below
        d = self.docks
        tops = [d["data"], d["training"]]
        heights = [self.data_panel.sizeHint().height(), self.training_panel.sizeHint().height()]
        self.resizeDocks(tops, [h + 40 for h in heights], Qt.Orientation.Vertical)
        if self.actions["presentation"].isChecked():
            # large type widens the side columns: keep them as narrow as their panels allow,
            # so the canvas, what the room looks at, gets the rest of the screen
            widths = [self._scrolls[0].minimumWidth(), self._scrolls[2].minimumWidth()]
            self.resizeDocks(tops, widths, Qt.Orientation.Horizontal)

    def _make_views_and_docks(self) -> None:
        self._scrolls: list[QScrollArea] = []
        left, right = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea
        panels = (
            ("data", translate("MainWindow", "Data"), self.data_panel, left),
            ("network-panel", translate("MainWindow", "Network"), self.network_panel, left),
            ("training", translate("MainWindow", "Training"), self.training_panel, right),
        )
        for name, title, widget, area in panels:
            scroll = QScrollArea()
            scroll.setWidget(widget)
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QScrollArea.Shape.NoFrame)
            scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            self._scrolls.append(scroll)
            self._dock(name, title, scroll, area)
        self._fit_panels()
        # the middle of the window: the canvas for points, the drawing pad for image data
        #: data kind -> the view in the middle of the window (None: none, the docks fill it)
        self.central_names: dict[str, str | None] = {
            "points": CENTRAL_VIEW,
            "images": IMAGE_CENTRAL_VIEW if IMAGE_CENTRAL_VIEW in VIEWS else None,
        }
        self.central_stack = QStackedWidget(self)
        self.central_stack.setObjectName("central-views")
        self.setCentralWidget(self.central_stack)
        #: "points" or "images": the data kind the docks and menus are arranged for
        self.data_kind = "points"
        #: Docks hidden because they do not fit the data: shown again when it fits again.
        self._hidden_for_kind: set[str] = set()
        for name, cls in VIEWS.items():
            view = cls(self.session)
            self.views[name] = view
            if name in self.central_names.values():
                self.central_stack.addWidget(view)
            else:
                area = (
                    Qt.DockWidgetArea.LeftDockWidgetArea
                    if cls.default_area == "left"
                    else Qt.DockWidgetArea.BottomDockWidgetArea
                    if cls.default_area == "bottom"
                    else Qt.DockWidgetArea.RightDockWidgetArea
                )
                self._dock(name, view.display_title(short=True), view, area)
                # the View menu has the room for the whole name
                self.docks[name].toggleViewAction().setText(view.display_title())
        # the inside-the-network views share the loss curves' place as tabs (drag a tab
        # out to see several at once); the first one registered stays in front
        side = [self.docks[name] for name in VIEWS if name in self.docks]
        for dock in side[1:]:
            if self.dockWidgetArea(dock) == self.dockWidgetArea(side[0]):
                self.tabifyDockWidget(side[0], dock)
        if side:
            side[0].raise_()
        d = self.docks
        self.resizeDocks([d["data"], d["training"]], [350, 430], Qt.Orientation.Horizontal)
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self._default_state = None

    def _dock(self, name: str, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> None:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock-{name}")
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.addDockWidget(area, dock)
        self.docks[name] = dock
        # Qt makes a tab bar when docks are stacked, also by a user's drag: style it then
        dock.dockLocationChanged.connect(self._tabs_may_have_changed)
        dock.topLevelChanged.connect(self._tabs_may_have_changed)

    def _tabs_may_have_changed(self, *args: object) -> None:
        QTimer.singleShot(0, self, self._style_tab_bars)

    def _style_tab_bars(self) -> None:
        """Whole tab names, with scroll arrows when they do not fit, not "Loss a…" "D…"."""
        for bar in self.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly):
            bar.setElideMode(Qt.TextElideMode.ElideNone)
            bar.setUsesScrollButtons(True)

    def _make_toolbar(self) -> None:
        bar = QToolBar(translate("MainWindow", "Toolbar"), self)
        bar.setObjectName("toolbar-main")
        bar.setIconSize(QSize(26, 26))
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        action_table.fill_toolbar(bar, self.actions)
        # the pace in words between Slower and Faster: the transport says what it does
        self.speed_readout = QLabel(self.training_panel.speed_label.text(), bar)
        self.speed_readout.setObjectName("toolbar-speed")
        self.speed_readout.setToolTip(self.training_panel.speed.toolTip())
        self.speed_readout.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.speed_readout.setContentsMargins(6, 0, 6, 0)
        bar.insertWidget(self.actions["faster"], self.speed_readout)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        self.toolbar = bar
        # presentation mode's toolbar: the transport and the pace only, in large type
        stage = QToolBar(translate("MainWindow", "Presentation toolbar"), self)
        stage.setObjectName("toolbar-stage")
        stage.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        stage.setMovable(False)
        action_table.fill_stage_toolbar(stage, self.actions)
        self.stage_speed = QLabel(self.speed_readout.text(), stage)
        self.stage_speed.setObjectName("stage-speed")
        self.stage_speed.setToolTip(self.speed_readout.toolTip())
        self.stage_speed.setContentsMargins(10, 0, 10, 0)
        stage.insertWidget(self.actions["faster"], self.stage_speed)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, stage)
        stage.hide()
        self.stage_bar = stage
        self._tint_icons()

    def _show_speed(self, speed: float | None) -> None:
        text = self.training_panel.speed_text(speed)
        self.speed_readout.setText(text)
        self.stage_speed.setText(text)

    def _tint_icons(self) -> None:
        action_table.tint(self.actions, self.session.theme.text)
        self._sync_play_action()

    def _connect(self) -> None:
        s, w, queued = self.session, self.worker, Qt.ConnectionType.QueuedConnection
        w.snapshot_ready.connect(self.receive_snapshot, queued)
        w.state_changed.connect(self._worker_state, queued)
        w.warming.connect(self._worker_warming, queued)
        w.ready.connect(self._worker_ready, queued)
        w.notice.connect(self._notice, queued)
        w.halted.connect(self._halted, queued)
        w.engine_note.connect(self._engine_note, queued)
        w.failed.connect(self._failed, queued)
        s.dataset_changed.connect(self._dataset_changed)
        s.tool_changed.connect(self._sync_tools)
        s.options_changed.connect(self._sync_options)
        s.undo_changed.connect(self._sync_undo)
        s.weight_edit_requested.connect(self._edit_weight)
        s.feature_toggle_requested.connect(self.network_panel.toggle_feature)
        self.network_panel.changed.connect(self._network_changed)
        self.training_panel.changed.connect(self._training_changed)
        self.training_panel.seed_changed.connect(self._seed_edited)
        self.training_panel.speed_changed.connect(w.set_speed)
        self.training_panel.speed_changed.connect(self._show_speed)
        w.set_speed(self.training_panel.speed_value())  # the worker alone would start at max
        p = self.project
        p.title_changed.connect(self._show_title)
        p.modified_changed.connect(self.setWindowModified)
        p.close_requested.connect(self.close)
        self._sync_tools()
        self._sync_undo()

    def _show_title(self, title: str) -> None:
        self.setWindowTitle(title)
        self.setWindowModified(self.project.modified)

    # ------------------------------------------------------------ settings and layout

    def _settings(self) -> QSettings:
        # explicit INI format: QSettings.setPath() then moves it (tests, portable setups)
        return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "dlviz", "dlviz")

    def _load_settings(self) -> None:
        self._default_state = self.saveState(SETTINGS_VERSION)
        if not self._restore:
            return
        st = self._settings()
        options = {}
        for key, kind in (("show_test", bool), ("log_loss", bool), ("discrete", bool)):
            if st.contains(f"view/{key}"):
                options[key] = st.value(f"view/{key}", type=kind)
        if st.contains("view/smoothing"):
            options["smoothing"] = min(max(float(st.value("view/smoothing")), 0.0), 0.99)
        if options:
            self.session.set_options(**options)
        if st.value("view/dark", False, type=bool):
            self.actions["dark"].setChecked(True)

    def _restore_layout(self) -> None:
        st = self._settings()
        geometry = st.value("window/geometry")
        state = st.value("window/state")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        if isinstance(state, QByteArray):
            self._layout_restored = self.restoreState(state, SETTINGS_VERSION)

    def _save_settings(self) -> None:
        if not self._restore:
            return
        st = self._settings()
        if not self.actions["presentation"].isChecked():
            st.setValue("window/geometry", self.saveGeometry())
            st.setValue("window/state", self.saveState(SETTINGS_VERSION))
        opts = self.session.options
        st.setValue("view/show_test", opts.show_test)
        st.setValue("view/log_loss", opts.log_loss)
        st.setValue("view/discrete", opts.discrete)
        st.setValue("view/smoothing", opts.smoothing)
        st.setValue("view/dark", self.actions["dark"].isChecked())
        st.sync()

    def showEvent(self, event) -> None:  # noqa: N802  (Qt API)
        super().showEvent(event)
        if not self._shown:
            self._shown = True
            self._style_tab_bars()
            if not self._layout_restored:
                # dock heights only stick once the window has its real size
                self._fit_panels()
                self._default_state = self.saveState(SETTINGS_VERSION)

    def reset_layout(self) -> None:
        if self._default_state is not None:
            self.restoreState(self._default_state, SETTINGS_VERSION)
        self._hidden_for_kind.clear()
        for name, dock in self.docks.items():
            if self._fits(name):
                dock.show()
            else:
                dock.hide()
                self._hidden_for_kind.add(name)

    # ------------------------------------------------------------ data kind

    def _fits(self, name: str) -> bool:
        """Whether dock ``name`` means something for the data now shown (panels always do)."""
        view = self.views.get(name)
        return view is None or self.data_kind in type(view).data_kinds

    def central_name(self) -> str | None:
        """The view in the middle of the window for the data now shown."""
        return self.central_names[self.data_kind]

    def _apply_data_kind(self) -> None:
        """Arrange the window for points or image data: the views that fit, the middle view,
        and the tools that draw points.

        A view that does not fit leaves the window and the View menu; one the user had
        open comes back when data of its kind does.
        """
        kind = self.session.data_kind
        changed = kind != self.data_kind
        self.data_kind = kind
        for name, dock in self.docks.items():
            fits = self._fits(name)
            dock.toggleViewAction().setVisible(fits)
            if not fits and not dock.isHidden():
                self._hidden_for_kind.add(name)
                dock.hide()
            elif fits and changed and name in self._hidden_for_kind:
                self._hidden_for_kind.discard(name)
                dock.show()
        central = self.central_name()
        if central is not None:
            self.central_stack.setCurrentWidget(self.views[central])
        self.central_stack.setVisible(central is not None)
        # without a middle view the two columns meet; the timeline then spans the window
        # (under the empty middle it would be squeezed to nothing)
        corners = (
            (Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea)
            if central is not None
            else (Qt.DockWidgetArea.BottomDockWidgetArea,) * 2
        )
        self.setCorner(Qt.Corner.BottomLeftCorner, corners[0])
        self.setCorner(Qt.Corner.BottomRightCorner, corners[1])
        points = kind == "points"
        reason = translate("MainWindow", "Image data has no points to draw or edit")
        for name in ("paint", "erase", "move", "clear", "show_test", "discrete", "save_csv",
                     *(f"class{i}" for i in range(1, 9))):  # fmt: skip
            action = self.actions[name]
            action.setEnabled(points)
            action.setStatusTip("" if points else reason)
        self.actions["regenerate"].setEnabled(points or self.session.from_settings)

    # ------------------------------------------------------------ language

    def set_language(self, language: str) -> None:
        """View ▸ Language: this window is replaced by one in ``language`` (language_switch)."""
        from dlviz.ui.language_switch import switch_language

        switch_language(self, language)

    def sync_language_menu(self) -> None:
        """View ▸ Language's check mark on the language in use."""
        action = self.actions.get(f"lang_{current_language()}")
        if action is not None:
            action.setChecked(True)

    # ------------------------------------------------------------ theme and presentation

    def set_dark(self, dark: bool) -> None:
        self._apply_look()

    def set_presentation(self, on: bool) -> None:
        """Full screen, large type, and the stage layout (see :meth:`_stage_layout`).

        Leaving it puts back the docks as they were before.
        """
        if on:
            self._normal_state = self.saveState(SETTINGS_VERSION)
            self._normal_controls = self.actions["controls"].isChecked()
            self.showFullScreen()
        else:
            self.showNormal()
        self.toolbar.setVisible(not on)
        self.stage_bar.setVisible(on)
        self.training_panel.show_transport(not on)  # the stage toolbar has it
        self.status_bar.set_compact(on)
        self._apply_look()
        if on:
            self._stage_layout()
        else:
            self.views["loss"].set_compact(False)
            self.views["network"].set_compact(False)
            if self._normal_state is not None:
                self.restoreState(self._normal_state, SETTINGS_VERSION)
            self._set_checked("controls", self._normal_controls)

    def _stage_layout(self) -> None:
        """What a room looks at: the canvas, the network graph above the loss curves.

        The two views leave their tab group for a column of their own beside the
        canvas; every other dock is hidden.  The controls come back, as tabs in
        one column, with View ▸ Show the controls (F10).
        """
        right = Qt.DockWidgetArea.RightDockWidgetArea
        network, loss = self.docks["network"], self.docks["loss"]
        for name, dock in self.docks.items():
            if name not in STAGE_DOCKS:
                dock.hide()
        for dock in (network, loss):
            dock.setFloating(False)
            self.addDockWidget(right, dock)
        self.splitDockWidget(network, loss, Qt.Orientation.Vertical)
        network.show()
        loss.show()
        self._set_checked("controls", False)
        self.views["loss"].set_compact(True)
        self.views["network"].set_compact(True)
        QTimer.singleShot(0, self._size_stage)  # once full screen has its size

    def _size_stage(self) -> None:
        """The canvas is square: the column beside it gets what its height leaves over."""
        if not self.actions["presentation"].isChecked() or self.docks["network"].isHidden():
            return
        canvas = self.centralWidget().height() - 40  # less the canvas's own tool row
        side = max(self.width() - canvas - 20, int(self.width() * 0.42))
        left = [
            dock
            for dock in self.findChildren(QDockWidget)
            if dock.isVisible()
            and not dock.isFloating()
            and self.dockWidgetArea(dock) == Qt.DockWidgetArea.LeftDockWidgetArea
        ]
        if left:
            # a lesson (or the controls) on the left: three columns share the width, so
            # the room still sees the data (at 1280 x 720 a lesson
            # beside a full-size column left the canvas 90 px)
            width = int(self.width() * STAGE_LEFT_SHARE)
            self.resizeDocks(left[:1], [width], Qt.Orientation.Horizontal)
            side = int(self.width() * STAGE_SIDE_SHARE)
        self.resizeDocks([self.docks["network"]], [side], Qt.Orientation.Horizontal)
        half = self.docks["network"].height() + self.docks["loss"].height()
        self.resizeDocks(
            [self.docks["network"], self.docks["loss"]],
            [half * 11 // 20, half - half * 11 // 20],
            Qt.Orientation.Vertical,
        )

    def resizeEvent(self, event) -> None:  # noqa: N802  (Qt API)
        super().resizeEvent(event)
        if self.actions["presentation"].isChecked():
            QTimer.singleShot(0, self, self._size_stage)  # full screen came, or a new screen

    def show_controls(self, on: bool) -> None:
        """Show or hide the panels (TF Playground's "hide controls"); in presentation
        mode they come as tabs of one column, so each has the full height."""
        left = Qt.DockWidgetArea.LeftDockWidgetArea
        panels = [self.docks[name] for name in CONTROL_DOCKS]
        if on and self.actions["presentation"].isChecked():
            for dock in panels[:3]:
                dock.setFloating(False)
                self.addDockWidget(left, dock)
            for dock in panels[1:3]:
                self.tabifyDockWidget(panels[0], dock)
            self.docks["timeline"].setFloating(False)
            self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.docks["timeline"])
        for dock in panels:
            dock.setVisible(on)
        if on and self.actions["presentation"].isChecked():
            self.docks["training"].raise_()
            width = self._scrolls[2].minimumWidth()
            self.resizeDocks([panels[0]], [width], Qt.Orientation.Horizontal)

    def show_panels(self, names: Iterable[str], front: str | None = None) -> None:
        """Show exactly the docks ``names`` (panels and views), ``front`` in front of its tabs.

        A project's ``ui.panels`` (and a lesson's set-up) come here.  Names are
        dock names: ``data``, ``network-panel``, ``training``, ``timeline`` and the
        views of :data:`dlviz.ui.views.VIEWS` but the canvas, which is always shown.
        """
        wanted = set(names) - {CENTRAL_VIEW, *filter(None, self.central_names.values())}
        unknown = sorted(wanted - set(self.docks))
        if unknown or (front is not None and front not in self.docks):
            bad = ", ".join(unknown) if unknown else str(front)
            raise DlvizError(
                translate("MainWindow", "unknown panel {names}; panels are: {known}").format(
                    names=bad, known=", ".join(self.docks)
                )
            )
        self._hidden_for_kind = {name for name in wanted if not self._fits(name)}
        for name, dock in self.docks.items():
            dock.setVisible(name in wanted and self._fits(name))
        if front is not None and self._fits(front):
            self.docks[front].show()
            self.docks[front].raise_()
        self._set_checked("controls", any(self.docks[n].isVisible() for n in CONTROL_DOCKS))

    def shown_panels(self) -> list[str]:
        """The docks now shown, by name (what a saved project keeps as ``ui.panels``)."""
        return [name for name, dock in self.docks.items() if not dock.isHidden()]

    def _set_checked(self, name: str, on: bool) -> None:
        """Set an action's check mark without running its slot (the state is already so)."""
        action = self.actions[name]
        action.blockSignals(True)
        action.setChecked(on)
        action.blockSignals(False)

    def _apply_look(self) -> None:
        theme = DARK if self.actions["dark"].isChecked() else LIGHT
        scale = Scale.for_mode(self.actions["presentation"].isChecked())
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_to_app(app, theme, scale)
        self.session.set_theme(theme, scale)
        self._tint_icons()
        size = 34 if scale.font_pt > 11 else 26
        self.toolbar.setIconSize(QSize(size, size))
        QTimer.singleShot(0, self._fit_panels)  # after the new font has reached every layout

    # ------------------------------------------------------------ spec and config

    def _build_spec(self, *, quiet: bool = False) -> NetworkSpec | None:
        ds = self.session.dataset
        try:
            return self.network_panel.build_spec(
                ds.kind, ds.n_classes, self.training_panel.dropout_rate(), ds.image_shape
            )
        except DlvizError as exc:
            if not quiet:
                self.notifier.error(core_text(str(exc)))
            return None

    def _fallback_spec(self) -> NetworkSpec:
        ds = self.session.dataset
        features = () if ds.is_image else ("x1",) if ds.kind == "curve" else ("x1", "x2")
        return build_spec(kind=ds.kind, n_classes=ds.n_classes, features=features, hidden=(),
                          image_shape=ds.image_shape)  # fmt: skip

    def _network_changed(self) -> None:
        spec = self._build_spec()
        if spec is None:
            return
        self.network_panel.show_summary(spec)
        self._send_problem(spec)

    def _send_problem(self, spec: NetworkSpec) -> None:
        ds = self.session.dataset
        self._problem = self._problem_of(ds)
        self.worker.set_problem(ds, spec)

    def _training_changed(self) -> None:
        try:
            config = self.training_panel.config()
        except DlvizError as exc:
            self.notifier.error(core_text(str(exc)))
            return
        self.worker.set_config(config)
        dropout = self.training_panel.dropout_rate()
        if any(layer.dropout != dropout for layer in self.network_panel.hidden()):
            self._network_changed()

    def _edit_weight(self, layer: int, source: int, target: int, value: float) -> None:
        """Set one weight (source -1: a bias) in the trainer, between two slices."""
        past = self.timeline_bar.showing_past()
        if past is not None:  # the numbers on screen are not the trainer's: say so, change nothing
            self._notice(
                translate(
                    "MainWindow",
                    "step {step:,} on screen is from the timeline: press Resume from here "
                    "(or drag to the present) before setting a weight",
                ).format(step=past.step)
            )
            return
        # changes: a paused worker publishes a snapshot showing the new weight
        self.worker.run_job(lambda t: t.set_weight(layer, source, target, value), changes=True)

    def _seed_edited(self, seed: int) -> None:
        self.worker.reset(seed)
        self._notice(translate("MainWindow", "re-initialised with seed {seed}").format(seed=seed))

    def reset_weights(self) -> None:
        self.worker.reset(None)
        self._notice(translate("MainWindow", "reset to the initial weights (same seed)"))

    def reinitialise(self) -> None:
        seed = random.randrange(1, 2**31 - 1)
        self.training_panel.set_seed(seed)
        self.worker.reset(seed)
        self._notice(
            translate("MainWindow", "re-initialised with new random weights (seed {seed})").format(
                seed=seed
            )
        )

    # ------------------------------------------------------------ session -> worker

    @staticmethod
    def _problem_of(ds: Dataset) -> tuple[str, int, tuple[int, ...]]:
        """What the network's shape follows: the data's kind, classes and image size."""
        return (ds.kind, ds.n_classes, ds.image_shape)

    def _dataset_changed(self, reason: str) -> None:
        ds = self.session.dataset
        if reason == "new":
            self._apply_data_kind()
        if self.project.loading:
            # an opened project's points come with its own trainer: rebuilding the old
            # one for them would only say "network rebuilt" about weights never shown
            self._problem = self._problem_of(ds)
            self._show_summary_quietly()
            return
        # points of another kind than the trainer's network (its rebuild failed with a
        # message) go with a new network, never alone
        if reason == "new" or self._problem_of(ds) != self._problem:
            spec = self._build_spec()
            if spec is not None:
                self.network_panel.show_summary(spec)
                self._send_problem(spec)
            self.project.update_title()
        else:
            self.worker.set_dataset(self.session.dataset)

    def _show_summary_quietly(self) -> None:
        spec = self._build_spec(quiet=True)
        if spec is not None:
            self.network_panel.show_summary(spec)

    def _sync_tools(self) -> None:
        for tool in ("paint", "erase", "move"):
            action = self.actions[tool]
            action.blockSignals(True)
            action.setChecked(self.session.tool == tool)
            action.blockSignals(False)

    def _sync_options(self) -> None:
        opts = self.session.options
        for name in ("show_test", "discrete", "log_loss"):
            action = self.actions[name]
            action.blockSignals(True)
            action.setChecked(getattr(opts, name))
            action.blockSignals(False)
        for view in self.views.values():
            view.invalidate()

    def _sync_undo(self) -> None:
        self.actions["undo"].setEnabled(self.session.can_undo())
        self.actions["redo"].setEnabled(self.session.can_redo())

    # ------------------------------------------------------------ worker -> GUI

    @Slot(object)
    def receive_snapshot(self, snap: Snapshot) -> None:
        """Store the newest snapshot; drawing happens on the frame timer."""
        if self.timeline_bar.hold(snap):
            return  # a past step is on screen (the timeline bar)
        self.session.receive(snap)

    @Slot(str)
    def _worker_state(self, state: str) -> None:
        self.state = state
        self._sync_play_action()
        self.status_bar.show_state(state)

    def _sync_play_action(self) -> None:
        action = self.actions["play"]
        playing = self.state == "playing"
        action.blockSignals(True)
        action.setChecked(playing)
        action.blockSignals(False)
        text = translate("MainWindow", "&Pause") if playing else translate("actions", "&Play")
        action.setText(text)
        action.setIconText(action_table.plain(text))  # set once, the button's text stays put
        action.setIcon(icons.icon("pause" if playing else "play", self.session.theme.text))

    @Slot(int, int, str)
    def _worker_warming(self, done: int, total: int, what: str) -> None:
        self.status_bar.show_warming(done, total, what)

    @Slot(float)
    def _worker_ready(self, seconds: float) -> None:
        self.status_bar.show_ready(seconds)

    @Slot(str)
    def _notice(self, text: str) -> None:
        self.notifier.status(text)

    @Slot(str)
    def _engine_note(self, message: str) -> None:
        box = self.notifier.box(
            QMessageBox.Icon.Information,
            translate("MainWindow", "Training engine"),
            core_text(message),
        )
        box.addButton(QMessageBox.StandardButton.Close)
        box.open()

    @Slot(str, str)
    def _halted(self, message: str, reason: str) -> None:
        if reason == "early_stop":
            # the run did what it was asked to: news for the status bar (kept there until
            # the next), not a dialog in the middle of a lesson; short, as the status bar
            # shares its row with the step counter, and the loss curve shows the rest
            epoch = self.session.latest.epoch if self.session.latest is not None else 0
            self.notifier.status(
                translate("MainWindow", "Paused: early stopping at epoch {epoch}").format(
                    epoch=epoch
                ),
                0,
            )
            self.statusBar().setToolTip(
                translate(
                    "MainWindow",
                    "{reason}.\nTo train on, raise the patience (Training ▸ Early stopping) "
                    "or turn it off.",
                ).format(reason=core_text(message))
            )
            return
        # the trainer's message is the core's English sentence, in a translated frame
        title = translate("MainWindow", "Training stopped")
        text = core_text(message) if message else title
        box = self.notifier.box(QMessageBox.Icon.Warning, title, text)
        lower = lowered_learning_rate(self.training_panel.learning_rate())
        # at the lowest rate the button would offer the same rate again: the message says
        # what else to do
        if reason == "diverged" and lower < self.training_panel.learning_rate():
            button = box.addButton(
                translate("MainWindow", "Lower learning rate to {lr} and continue").format(
                    lr=f"{lower:g}"
                ),
                QMessageBox.ButtonRole.AcceptRole,
            )
            button.setObjectName("lower-lr")
            button.clicked.connect(lambda: self._lower_and_continue(lower))
        box.addButton(QMessageBox.StandardButton.Close)
        box.open()

    def _lower_and_continue(self, lr: float) -> None:
        self.training_panel.set_learning_rate(lr)
        self.worker.play()

    @Slot(str, str)
    def _failed(self, message: str, details: str) -> None:
        if details:
            title = translate("MainWindow", "Something went wrong in training")
            text = translate(
                "MainWindow", "{message}\n\nTraining is paused; the app keeps running."
            ).format(message=message)
            box = self.notifier.box(QMessageBox.Icon.Critical, title, text)
            box.setDetailedText(details)
        else:
            box = self.notifier.box(
                QMessageBox.Icon.Warning, translate("Notifier", "dlviz"), core_text(message)
            )
        box.addButton(QMessageBox.StandardButton.Ok)
        box.open()

    def message_box(self) -> QMessageBox | None:
        """The dialog now shown (the screenshot mode closes it; tests answer it)."""
        return self.notifier.current()

    def show_error(self, text: str) -> None:
        self.notifier.error(text)

    # ------------------------------------------------------------ frames

    @Slot()
    def draw_frame(self) -> None:
        """Timer tick: draw the newest snapshot in the visible views (as many as the frame's
        time allows, :mod:`dlviz.ui.frames`), update the status bar."""
        self.frames += 1
        active = self._views_on_screen()  # asked of Qt once a frame
        self._sync_extras(active)
        snap = self.session.latest
        if snap is None:
            return
        self.scheduler.draw(self.views, active, self.central_name())
        for view in self.extra_views:  # a view shown alone (a --view screenshot)
            view.refresh()
        self.status_bar.show_snapshot(snap)
        # Train ▸ Engine follows the trainer (a project or a rebuild may choose another)
        self.actions[f"engine_{snap.engine_choice}"].setChecked(True)

    def _views_on_screen(self) -> set[str]:
        """The names of the views on screen now (View.is_active)."""
        return {name for name, view in self.views.items() if view.is_active()}

    def _sync_extras(self, active: set[str] | None = None) -> None:
        """Ask the worker for what the views on screen (``active``: their names, found now
        when not given) need (the largest neuron grid wins)."""
        if active is None:
            active = self._views_on_screen()
        extras: dict[str, object] = {}
        for view in [*self.views.values(), *self.extra_views]:
            if view.name in active or view in self.extra_views:
                for key, value in view.extras().items():
                    if key == "neuron_grid":
                        value = max(value, extras.get(key, 0))  # type: ignore[call-overload]
                    extras[key] = value
        if extras != self.requested_extras:
            self.requested_extras = extras
            self.worker.set_extras(extras)

    # ------------------------------------------------------------ files

    def load_data_file(self, path: str) -> None:
        """Open a project (.dlviz) or data (.csv) given by name (command line, drop)."""
        self.project.open(path)

    def dragEnterEvent(self, event) -> None:  # noqa: N802  (Qt API)
        if dropped_path(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802  (Qt API)
        path = dropped_path(event.mimeData())
        if path is not None:
            event.acceptProposedAction()
            self.project.open_asking(path)

    # ------------------------------------------------------------ help

    def show_shortcuts(self) -> None:
        rows = "".join(
            f"<tr><td><b>{keys}</b></td><td>{what}</td></tr>"
            for keys, what in action_table.shortcut_rows(self.actions)
        )
        text = f"<table cellspacing=6>{rows}</table>"
        box = self.notifier.box(
            QMessageBox.Icon.NoIcon, translate("MainWindow", "Keyboard shortcuts"), text
        )
        box.addButton(QMessageBox.StandardButton.Close)
        box.open()

    def show_about(self) -> None:
        box = self.notifier.box(
            QMessageBox.Icon.NoIcon,
            translate("MainWindow", "About dlviz"),
            f"<b>dlviz {__version__}</b><br>"
            + translate(
                "MainWindow",
                "A desktop neural-network playground: draw data, "
                "stack layers, press Play and watch a Numba-compiled network learn.",
            ),
        )
        box.setIconPixmap(icons.app_icon().pixmap(64, 64))
        box.addButton(QMessageBox.StandardButton.Close)
        box.open()

    # ------------------------------------------------------------ transport

    def _play_toggled(self, on: bool) -> None:
        if on:
            self.worker.play()
        else:
            self.worker.pause()

    def play(self) -> None:
        self.actions["play"].setChecked(True)

    # ------------------------------------------------------------ closing

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if not self._closing:
            if not self.project.close_ok():
                event.ignore()
                return
            self._closing = True
            self.images.shutdown()
            self.autosave.shutdown()
            self._save_settings()
            self.frame_timer.stop()
            self.worker.stop()
            for view in [*self.views.values(), *self.extra_views]:
                view.shutdown()
            self.notifier.close()
        super().closeEvent(event)
