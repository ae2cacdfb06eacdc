"""The main window: menus, toolbar, status bar, docked panels and views, the frame timer.

The window is the controller between the :class:`~dlviz.ui.session.Session`
(what the user sees and edits), the panels, the views (registered in
:data:`dlviz.ui.views.VIEWS`) and the :class:`~dlviz.ui.worker.TrainingWorker`.

* Edits in the panels become a ``TrainConfig`` or a ``NetworkSpec`` and go to
  the worker as commands; a structural network change rebuilds the network
  (the worker says so in the status bar).
* Snapshots arrive by a queued signal and are only stored; a 60 Hz timer
  draws the newest one in the visible views.
"""

from __future__ import annotations

import random
import time

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QScrollArea,
    QTabBar,
    QToolBar,
    QWidget,
)

from dlviz import __version__
from dlviz.core.data import Dataset
from dlviz.core.errors import DlvizError
from dlviz.core.network import LayerSpec, NetworkSpec, ParamLayout, build_spec
from dlviz.core.optim import lowered_learning_rate
from dlviz.core.snapshot import Snapshot
from dlviz.ui import icons
from dlviz.ui.files import FileController
from dlviz.ui.panels.data_panel import DataPanel
from dlviz.ui.panels.network_panel import NetworkPanel
from dlviz.ui.panels.training_panel import TrainingPanel
from dlviz.ui.session import DataSettings, Session
from dlviz.ui.theme import DARK, LIGHT, Scale, apply_to_app
from dlviz.ui.timeline_bar import TimelineBar
from dlviz.ui.views import CENTRAL_VIEW, VIEWS, View
from dlviz.ui.worker import TrainingWorker

FRAME_MS = 16
#: One frame draws the central view and at most this many others (and stops early
#: after FRAME_BUDGET_S); the views not reached draw first at the next tick, 16 ms
#: later.  With every view open a new snapshot is spread over a few frames instead
#: of making one long one: drawing, and above all Qt's painting of what was drawn.
VIEWS_PER_FRAME = 2
FRAME_BUDGET_S = 0.008
SETTINGS_VERSION = 2  # 2: the settings panel's dock became "network-panel"
ENGINE_LABELS = {
    "cpu": "engine: Numba CPU",
    "cuda": "engine: CUDA GPU",
    "reference": "engine: NumPy reference",
}
#: Train > Engine: what the user may choose (core/engines.py), in menu order.
ENGINE_MENU = {
    "auto": "&Automatic (CUDA where faster, else CPU)",
    "cpu": "&CPU (Numba)",
    "cuda": "C&UDA (GPU)",
    "reference": "&NumPy reference (slow, readable)",
}


def _format_metric(value: float | None, percent: bool = False) -> str:
    if value is None:
        return "–"
    text = f"{100 * value:.1f} %" if percent else f"{value:.4f}"
    # a loss of -0.0 (log 1 of a certain prediction) or -1e-9 reads as 0, not "-0.0000"
    return text[1:] if text.startswith("-") and not any(c in text for c in "123456789") else text


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
        self._message_box: QMessageBox | None = None
        self._state = "warming"
        self._rate = 0.0
        self._rate_mark: tuple[float, int] | None = None
        self.frames = 0
        self._extras: dict[str, object] = {}
        self._next_view = 0  # the first non-central view the next frame draws (see draw_frame)
        #: Views shown outside the window (a ``--view`` screenshot) whose extras count too.
        self.extra_views: list[View] = []

        if isinstance(data, Dataset):
            self.session = Session(DataSettings(), self)
            self.session.replace_dataset(data, undoable=False)
        else:
            self.session = Session(data or DataSettings(), self)

        self.actions: dict[str, QAction] = {}
        self.files = FileController(self)
        self._make_actions()
        self.data_panel = DataPanel(self.session)
        self.network_panel = NetworkPanel(self.session)
        if hidden is not None:  # the first network has these layers: no rebuild notice
            self.network_panel.set_hidden(hidden)
        self.training_panel = TrainingPanel(self.actions)
        self.views: dict[str, View] = {}
        self.docks: dict[str, QDockWidget] = {}
        self._make_views_and_docks()
        self._make_menus()
        self._make_toolbar()
        self._make_status_bar()

        spec = self._build_spec(quiet=True) or self._fallback_spec()
        self.network_panel.set_summary(self._describe(spec))
        if warm_up is None:
            from dlviz.core.kernels.cpu import warm_up as core_warm_up

            warm_up = core_warm_up
        #: The data kind and class count of the network the worker trains.
        self._problem = (self.session.dataset.kind, self.session.dataset.n_classes)
        self.worker = TrainingWorker(
            self.session.dataset,
            spec,
            self.training_panel.config(),
            seed=self.training_panel.seed.value(),
            warm_up=warm_up,
            parent=self,
        )
        self.session.past = lambda: [e.snapshot for e in self.worker.timeline_entries()]
        self._connect()
        self.files.connect()
        self.setAcceptDrops(True)
        self.timeline_bar = TimelineBar(self.session, self.worker)
        # under the canvas: the bottom corners belong to the side columns
        bottom = Qt.DockWidgetArea.BottomDockWidgetArea
        self._dock("timeline", "Timeline", self.timeline_bar, bottom)
        self.panels_menu.addAction(self.docks["timeline"].toggleViewAction())
        self._layout_restored = False
        self._shown = False
        self._load_settings()
        self.resize(1440, 900)
        if self._restore:
            self._restore_layout()

        self.frame_timer = QTimer(self)
        self.frame_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.frame_timer.setInterval(FRAME_MS)
        self.frame_timer.timeout.connect(self.draw_frame)
        self.frame_timer.start()
        self._update_title()
        if start_worker:
            self.worker.start()

    # ------------------------------------------------------------ construction

    def _action(
        self,
        name: str,
        text: str,
        shortcut: str | QKeySequence.StandardKey | None = None,
        *,
        tip: str = "",
        glyph: str | None = None,
        checkable: bool = False,
        slot=None,
        short: str = "",
    ) -> QAction:
        action = QAction(text, self)
        action.setObjectName(f"action-{name}")
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setToolTip(f"{tip} ({action.shortcut().toString()})" if shortcut else tip)
            action.setStatusTip(tip)
        action.setCheckable(checkable)
        if slot is not None:
            (action.toggled if checkable else action.triggered).connect(slot)
        action.setData(glyph)
        if short:
            action.setIconText(short)
        self.addAction(action)  # shortcuts work even when the menu bar is hidden (fullscreen)
        self.actions[name] = action
        return action

    def _make_actions(self) -> None:
        a = self._action
        s = self.session
        # File
        f = self.files
        a("new", "&New", QKeySequence.StandardKey.New, slot=f.new, tip="Start afresh")
        a(
            "open",
            "&Open…",
            QKeySequence.StandardKey.Open,
            slot=lambda: f.open(),
            tip="Open a project (.dlviz) or data (.csv)",
        )
        a("save", "&Save", QKeySequence.StandardKey.Save, slot=lambda: f.save())
        a(
            "save_as",
            "Save &as…",
            "Ctrl+Shift+S",
            slot=lambda: f.save_as(),
            tip="Save the whole session: data, network, settings, weights, history",
        )
        a(
            "export_weights",
            "Export &weights…",
            None,
            slot=lambda: f.export_weights(),
            tip="Write the model as .npz, .json, .safetensors, .onnx or Python code",
        )
        a(
            "import_weights",
            "&Import weights…",
            None,
            slot=lambda: f.import_weights(),
            tip="Load weights (.npz, .json, .safetensors) into the current network",
        )
        a(
            "export_gif",
            "Export training &GIF…",
            None,
            slot=lambda: f.export_gif(),
            tip="Animate the decision boundary and loss over the timeline",
        )
        a(
            "open_csv",
            "Import &data (CSV)…",
            None,
            slot=self.open_csv,
            tip="Load points from a CSV file (x1,x2,label | x1,x2,value | x,y)",
        )
        a(
            "save_csv",
            "&Export data (CSV)…",
            "Ctrl+Shift+E",
            slot=self.save_csv,
            tip="Write the points to a CSV file",
        )
        a(
            "export_image",
            "Export window &image…",
            "Ctrl+E",
            slot=self.export_image,
            tip="Save a picture of the window (PNG or SVG)",
        )
        a("quit", "&Quit", QKeySequence.StandardKey.Quit, slot=self.close)
        # Edit
        a("undo", "&Undo point edit", QKeySequence.StandardKey.Undo, slot=s.undo)
        a("redo", "&Redo point edit", "Ctrl+Shift+Z", slot=s.redo)
        self.actions["redo"].setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        a(
            "paint",
            "&Paint points",
            "B",
            glyph="brush",
            checkable=True,
            tip="Paint: click or drag to add points; right-drag erases",
            short="Paint",
            slot=lambda on: on and s.set_tool("paint"),
        )
        a(
            "erase",
            "&Eraser",
            "E",
            glyph="eraser",
            checkable=True,
            tip="Eraser: click or drag to remove points",
            slot=lambda on: on and s.set_tool("erase"),
        )
        a(
            "move",
            "&Move points",
            "M",
            glyph="move",
            checkable=True,
            tip="Move: drag a point (Shift+drag works with any tool)",
            short="Move",
            slot=lambda on: on and s.set_tool("move"),
        )
        for i in range(8):
            a(
                f"class{i + 1}",
                f"Class &{i + 1}",
                str(i + 1),
                slot=lambda _=False, i=i: s.set_paint_class(i),
            )
        a(
            "regenerate",
            "Re&generate data",
            "Ctrl+G",
            glyph="regenerate",
            tip="New random points from the same preset",
            short="Regenerate",
            slot=lambda: self.data_panel.regenerate_points(),
        )
        a(
            "clear",
            "&Clear points",
            "Ctrl+K",
            glyph="clear",
            tip="Remove every point",
            short="Clear",
            slot=s.clear,
        )
        a("add_layer", "&Add hidden layer", "Ctrl+L", slot=lambda: self.network_panel.add_layer())
        a(
            "remove_layer",
            "Remo&ve last hidden layer",
            "Ctrl+Shift+L",
            slot=lambda: self.network_panel.remove_layer(),
        )
        # View
        a(
            "show_test",
            "Show &test data",
            "T",
            checkable=True,
            slot=lambda on: s.set_options(show_test=on),
        )
        a(
            "discrete",
            "&Discretise output",
            "D",
            checkable=True,
            slot=lambda on: s.set_options(discrete=on),
        )
        a(
            "log_loss",
            "&Log-scale loss",
            "L",
            checkable=True,
            slot=lambda on: s.set_options(log_loss=on),
        )
        a("dark", "Dar&k theme", "Ctrl+Shift+T", checkable=True, slot=self.set_dark)
        a(
            "presentation",
            "&Presentation mode",
            "F11",
            glyph="screen",
            checkable=True,
            tip="Full screen with large type",
            short="Present",
            slot=self.set_presentation,
        )
        a("reset_layout", "&Reset layout", slot=self.reset_layout)
        # Train
        a(
            "play",
            "&Play",
            "Space",
            glyph="play",
            checkable=True,
            tip="Play / pause training",
            slot=self._play_toggled,
        )
        a(
            "step",
            "Step &batch",
            "N",
            glyph="step",
            tip="Train one mini-batch",
            short="Step",
            slot=lambda: self.worker.step_batch(),
        )
        a(
            "epoch",
            "Step &epoch",
            "Shift+N",
            glyph="epoch",
            tip="Train to the end of the epoch",
            short="Epoch",
            slot=lambda: self.worker.step_epoch(),
        )
        a(
            "reset",
            "&Reset",
            "Ctrl+R",
            glyph="reset",
            tip="Start again from the same initial weights (same seed)",
            slot=self.reset_weights,
        )
        a(
            "reinit",
            "Re-&initialise",
            "Ctrl+Shift+R",
            glyph="dice",
            tip="Start again from new random weights (new seed)",
            short="Re-init",
            slot=self.reinitialise,
        )
        a(
            "slower",
            "&Slower",
            "[",
            glyph="slower",
            tip="Slow training down",
            slot=lambda: self.training_panel.change_speed(-1),
        )
        a(
            "faster",
            "&Faster",
            "]",
            glyph="faster",
            tip="Speed training up",
            slot=lambda: self.training_panel.change_speed(+1),
        )
        a(
            "lower_lr",
            "&Lower learning rate ÷10",
            "Ctrl+Down",
            slot=lambda: self.training_panel.set_learning_rate(
                lowered_learning_rate(self.training_panel.lr.value())
            ),
        )
        engines = QActionGroup(self)
        engines.setExclusive(True)
        for choice, text in ENGINE_MENU.items():
            action = a(f"engine_{choice}", text, checkable=True)
            # triggered, not toggled: only the user's pick goes to the worker, not the
            # check mark set to follow a snapshot
            action.triggered.connect(lambda _=False, c=choice: self.worker.set_engine(c))
            engines.addAction(action)
        self.actions["engine_cpu"].setChecked(True)
        # Help
        a("shortcuts", "&Keyboard shortcuts", "F1", slot=self.show_shortcuts)
        a("about", "&About dlviz", slot=self.show_about)
        self.actions["show_test"].setChecked(True)
        tools = QActionGroup(self)
        tools.setExclusive(True)
        for name in ("paint", "erase", "move"):
            tools.addAction(self.actions[name])
        self.actions["paint"].setChecked(True)

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
        panels = (
            ("data", "Data", self.data_panel, Qt.DockWidgetArea.LeftDockWidgetArea),
            ("network-panel", "Network", self.network_panel, Qt.DockWidgetArea.LeftDockWidgetArea),
            ("training", "Training", self.training_panel, Qt.DockWidgetArea.RightDockWidgetArea),
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
        for name, cls in VIEWS.items():
            view = cls(self.session)
            self.views[name] = view
            if name == CENTRAL_VIEW:
                self.setCentralWidget(view)
            else:
                area = (
                    Qt.DockWidgetArea.LeftDockWidgetArea
                    if cls.default_area == "left"
                    else Qt.DockWidgetArea.BottomDockWidgetArea
                    if cls.default_area == "bottom"
                    else Qt.DockWidgetArea.RightDockWidgetArea
                )
                self._dock(name, cls.short_title or cls.title, view, area)
                # the View menu has the room for the whole name
                self.docks[name].toggleViewAction().setText(cls.title)
        # the inside-the-network views share the loss curves' place as tabs (drag a tab
        # out to see several at once); the first one registered stays in front
        side = [self.docks[name] for name in VIEWS if name != CENTRAL_VIEW]
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

    def _make_menus(self) -> None:
        bar = self.menuBar()
        act = self.actions
        file = bar.addMenu("&File")
        file.setObjectName("menu-file")
        for name in ("new", "open"):
            file.addAction(act[name])
        self.recent_menu = file.addMenu("Open &recent")
        self.recent_menu.setObjectName("menu-recent")
        self.recent_menu.aboutToShow.connect(self.files.fill_recent_menu)
        for name in ("save", "save_as"):
            file.addAction(act[name])
        file.addSeparator()
        for name in ("export_weights", "import_weights"):
            file.addAction(act[name])
        file.addSeparator()
        for name in ("open_csv", "save_csv", "export_image"):
            file.addAction(act[name])
        self.image_menu = file.addMenu("Export &view image")
        self.image_menu.setObjectName("menu-view-image")
        self.copy_menu = file.addMenu("&Copy view to clipboard")
        self.copy_menu.setObjectName("menu-copy-view")
        self.files.fill_image_menus()
        file.addAction(act["export_gif"])
        file.addSeparator()
        file.addAction(act["quit"])
        edit = bar.addMenu("&Edit")
        edit.setObjectName("menu-edit")
        for name in ("undo", "redo"):
            edit.addAction(act[name])
        edit.addSeparator()
        for name in ("paint", "erase", "move"):
            edit.addAction(act[name])
        classes = edit.addMenu("Paint &class")
        for i in range(8):
            classes.addAction(act[f"class{i + 1}"])
        edit.addSeparator()
        for name in ("regenerate", "clear"):
            edit.addAction(act[name])
        edit.addSeparator()
        for name in ("add_layer", "remove_layer"):
            edit.addAction(act[name])
        view = bar.addMenu("&View")
        view.setObjectName("menu-view")
        self.view_menu = view
        self.panels_menu = view.addMenu("&Panels and views")
        self.panels_menu.setObjectName("menu-panels")
        for dock in self.docks.values():
            self.panels_menu.addAction(dock.toggleViewAction())
        view.addSeparator()
        for name in ("show_test", "discrete", "log_loss"):
            view.addAction(act[name])
        view.addSeparator()
        for name in ("dark", "presentation", "reset_layout"):
            view.addAction(act[name])
        train = bar.addMenu("&Train")
        train.setObjectName("menu-train")
        for name in ("play", "step", "epoch"):
            train.addAction(act[name])
        train.addSeparator()
        for name in ("reset", "reinit"):
            train.addAction(act[name])
        train.addSeparator()
        for name in ("slower", "faster", "lower_lr"):
            train.addAction(act[name])
        train.addSeparator()
        engine_menu = train.addMenu("&Engine")
        engine_menu.setObjectName("menu-engine")
        for choice in ENGINE_MENU:
            engine_menu.addAction(act[f"engine_{choice}"])
        help_menu = bar.addMenu("&Help")
        help_menu.setObjectName("menu-help")
        help_menu.addAction(act["shortcuts"])
        help_menu.addAction(act["about"])

    def _make_toolbar(self) -> None:
        bar = QToolBar("Toolbar", self)
        bar.setObjectName("toolbar-main")
        bar.setIconSize(QSize(26, 26))
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        groups = (
            ("play", "step", "epoch", "reset", "reinit"),
            ("slower", "faster"),
            ("paint", "erase", "move"),
            ("regenerate", "clear"),
            ("presentation",),
        )
        for i, group in enumerate(groups):
            if i:
                bar.addSeparator()
            for name in group:
                bar.addAction(self.actions[name])
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        self.toolbar = bar
        self._tint_icons()

    def _tint_icons(self) -> None:
        color = self.session.theme.text
        for action in self.actions.values():
            glyph = action.data()
            if glyph:
                action.setIcon(icons.icon(glyph, color))
        self._sync_play_action()

    def _make_status_bar(self) -> None:
        bar = self.statusBar()
        bar.setObjectName("status")
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)  # busy
        self.progress.setMaximumWidth(160)
        self.progress.setTextVisible(False)
        self.state_label = QLabel("Compiling the training engine…", self)
        self.step_label = QLabel("step 0", self)
        self.epoch_label = QLabel("epoch 0", self)
        self.loss_label = QLabel("loss –", self)
        self.metric_label = QLabel("", self)
        self.rate_label = QLabel("", self)  # samples/s while training
        self.engine_label = QLabel(ENGINE_LABELS["cpu"], self)
        for label in (self.step_label, self.epoch_label, self.rate_label):
            label.setMinimumWidth(90)
        bar.addWidget(self.progress)
        bar.addWidget(self.state_label)
        for label in (
            self.step_label,
            self.epoch_label,
            self.loss_label,
            self.metric_label,
            self.rate_label,
            self.engine_label,
        ):
            bar.addPermanentWidget(label)

    def _connect(self) -> None:
        s, w = self.session, self.worker
        w.snapshot_ready.connect(self.receive_snapshot, Qt.ConnectionType.QueuedConnection)
        w.state_changed.connect(self._worker_state, Qt.ConnectionType.QueuedConnection)
        w.warming.connect(self._worker_warming, Qt.ConnectionType.QueuedConnection)
        w.ready.connect(self._worker_ready, Qt.ConnectionType.QueuedConnection)
        w.notice.connect(self._notice, Qt.ConnectionType.QueuedConnection)
        w.halted.connect(self._halted, Qt.ConnectionType.QueuedConnection)
        w.engine_note.connect(self._engine_note, Qt.ConnectionType.QueuedConnection)
        w.failed.connect(self._failed, Qt.ConnectionType.QueuedConnection)
        s.dataset_changed.connect(self._dataset_changed)
        s.tool_changed.connect(self._sync_tools)
        s.options_changed.connect(self._sync_options)
        s.undo_changed.connect(self._sync_undo)
        s.weight_edit_requested.connect(self._edit_weight)
        self.network_panel.changed.connect(self._network_changed)
        self.training_panel.changed.connect(self._training_changed)
        self.training_panel.seed_changed.connect(self._seed_edited)
        self.training_panel.speed_changed.connect(w.set_speed)
        self._sync_tools()
        self._sync_undo()

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
        for dock in self.docks.values():
            dock.show()

    # ------------------------------------------------------------ theme and presentation

    def set_dark(self, dark: bool) -> None:
        self._apply_look()

    def set_presentation(self, on: bool) -> None:
        if on:
            self.showFullScreen()
        else:
            self.showNormal()
        self._apply_look()

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
        panel = self.network_panel
        panel.set_data_kind(ds.kind, ds.n_classes)
        panel.set_dropout(self.training_panel.dropout.value())
        try:
            return build_spec(
                kind=ds.kind,
                n_classes=ds.n_classes,
                features=panel.features(),
                hidden=panel.hidden(),
                loss=panel.loss_name(),
                init=panel.init_name(),
            )
        except DlvizError as exc:
            if not quiet:
                self.show_error(str(exc))
            return None

    def _fallback_spec(self) -> NetworkSpec:
        ds = self.session.dataset
        features = ("x1",) if ds.kind == "curve" else ("x1", "x2")
        return build_spec(kind=ds.kind, n_classes=ds.n_classes, features=features, hidden=())

    @staticmethod
    def _describe(spec: NetworkSpec) -> str:
        n = ParamLayout.of(spec.sizes).size
        return f"{spec.describe()}  ·  {n:,} parameters"

    def _network_changed(self) -> None:
        spec = self._build_spec()
        if spec is None:
            return
        self.network_panel.set_summary(self._describe(spec))
        self._send_problem(spec)

    def _send_problem(self, spec: NetworkSpec) -> None:
        ds = self.session.dataset
        self._problem = (ds.kind, ds.n_classes)
        self.worker.set_problem(ds, spec)

    def _training_changed(self) -> None:
        try:
            config = self.training_panel.config()
        except DlvizError as exc:
            self.show_error(str(exc))
            return
        self.worker.set_config(config)
        dropout = self.training_panel.dropout.value()
        if any(layer.dropout != dropout for layer in self.network_panel.hidden()):
            self._network_changed()

    def _edit_weight(self, layer: int, source: int, target: int, value: float) -> None:
        """Set one weight (source -1: a bias) in the trainer, between two slices."""
        past = self.timeline_bar.showing_past()
        if past is not None:  # the numbers on screen are not the trainer's: say so, change nothing
            self._notice(
                f"step {past.step:,} on screen is from the timeline: press Resume from here "
                "(or drag to the present) before setting a weight"
            )
            return
        self.worker.submit(lambda t: t.set_weight(layer, source, target, value))
        # a paused worker publishes only after a command that changes something: asking
        # again for the same extras makes it send a snapshot showing the new weight
        self.worker.set_extras(self._extras)

    def _seed_edited(self, seed: int) -> None:
        self.worker.reset(seed)
        self._notice(f"re-initialised with seed {seed}")

    def reset_weights(self) -> None:
        self.worker.reset(None)
        self._notice("reset to the initial weights (same seed)")

    def reinitialise(self) -> None:
        seed = random.randrange(1, 2**31 - 1)
        self.training_panel.set_seed(seed)
        self.worker.reset(seed)
        self._notice(f"re-initialised with new random weights (seed {seed})")

    # ------------------------------------------------------------ session -> worker

    def _dataset_changed(self, reason: str) -> None:
        ds = self.session.dataset
        # points of another kind than the trainer's network (its rebuild failed with a
        # message) go with a new network, never alone
        if reason == "new" or (ds.kind, ds.n_classes) != self._problem:
            spec = self._build_spec()
            if spec is not None:
                self.network_panel.set_summary(self._describe(spec))
                self._send_problem(spec)
            self._update_title()
        else:
            self.worker.set_dataset(self.session.dataset)

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

    def _update_title(self) -> None:
        self.files.update_title()

    # ------------------------------------------------------------ worker -> GUI

    @Slot(object)
    def receive_snapshot(self, snap: Snapshot) -> None:
        """Store the newest snapshot; drawing happens on the frame timer."""
        if self.timeline_bar.hold(snap):
            return  # a past step is on screen (the timeline bar)
        self.session.receive(snap)

    @Slot(str)
    def _worker_state(self, state: str) -> None:
        self._state = state
        self._sync_play_action()
        if state == "playing":
            self.state_label.setText("Training")
        elif state == "paused" and self.progress.isHidden():
            self.state_label.setText("Paused")

    def _sync_play_action(self) -> None:
        action = self.actions["play"]
        playing = self._state == "playing"
        action.blockSignals(True)
        action.setChecked(playing)
        action.blockSignals(False)
        action.setText("&Pause" if playing else "&Play")
        action.setIcon(icons.icon("pause" if playing else "play", self.session.theme.text))

    @Slot(int, int, str)
    def _worker_warming(self, done: int, total: int, what: str) -> None:
        if self.progress.isHidden():
            return  # already ready
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        if done < total:
            self.state_label.setText(
                f"Compiling the training engine: {what} ({done + 1} of {total})…"
            )

    @Slot(float)
    def _worker_ready(self, seconds: float) -> None:
        self.progress.hide()
        self.state_label.setText("Ready" if self._state != "playing" else "Training")
        self.statusBar().showMessage(f"Training engine ready in {seconds:.1f} s", 6000)

    @Slot(str)
    def _notice(self, text: str) -> None:
        self.statusBar().showMessage(text, 6000)

    @Slot(str)
    def _engine_note(self, message: str) -> None:
        box = self._new_message_box(QMessageBox.Icon.Information, "Training engine", message)
        box.addButton(QMessageBox.StandardButton.Close)
        box.open()

    @Slot(str)
    def _halted(self, message: str) -> None:
        box = self._new_message_box(QMessageBox.Icon.Warning, "Training stopped", message)
        if "diverged" in message:
            lower = lowered_learning_rate(self.training_panel.lr.value())
            button = box.addButton(
                f"Lower learning rate to {lower:g} and continue", QMessageBox.ButtonRole.AcceptRole
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
            title = "Something went wrong in training"
            text = f"{message}\n\nTraining is paused; the app keeps running."
            box = self._new_message_box(QMessageBox.Icon.Critical, title, text)
            box.setDetailedText(details)
        else:
            box = self._new_message_box(QMessageBox.Icon.Warning, "dlviz", message)
        box.addButton(QMessageBox.StandardButton.Ok)
        box.open()

    def _new_message_box(self, icon, title: str, text: str) -> QMessageBox:
        if self._message_box is not None:
            self._message_box.close()
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("message-box")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.destroyed.connect(self._message_box_gone)
        self._message_box = box
        return box

    def _message_box_gone(self) -> None:
        self._message_box = None

    def message_box(self) -> QMessageBox | None:
        """The dialog now shown (for tests)."""
        return self._message_box

    def show_error(self, text: str) -> None:
        box = self._new_message_box(QMessageBox.Icon.Warning, "dlviz", text)
        box.addButton(QMessageBox.StandardButton.Ok)
        box.open()

    # ------------------------------------------------------------ frames

    @Slot()
    def draw_frame(self) -> None:
        """Timer tick: draw the newest snapshot in every visible view, update the status bar."""
        self.frames += 1
        self._sync_extras()
        snap = self.session.latest
        if snap is None:
            return
        # the central view first, then the others in turn from where the last frame stopped
        others = [v for name, v in self.views.items() if name != CENTRAL_VIEW]
        k = self._next_view % max(len(others), 1)
        order = [self.views[CENTRAL_VIEW], *others[k:], *others[:k]]
        deadline = time.perf_counter() + FRAME_BUDGET_S
        drawn = 0
        for i, view in enumerate(order):
            if i > 0 and (drawn >= VIEWS_PER_FRAME or time.perf_counter() > deadline):
                self._next_view = (k + i - 1) % len(others)
                break
            if view.refresh() and i > 0:
                drawn += 1
        for view in self.extra_views:  # a view shown alone (a --view screenshot)
            view.refresh()
        self._update_status(snap)

    def _sync_extras(self) -> None:
        """Ask the worker for what the visible views need (the largest neuron grid wins)."""
        extras: dict[str, object] = {}
        for view in [*self.views.values(), *self.extra_views]:
            if view.is_active() or view in self.extra_views:
                for key, value in view.extras().items():
                    if key == "neuron_grid":
                        value = max(value, extras.get(key, 0))  # type: ignore[call-overload]
                    extras[key] = value
        if extras != self._extras:
            self._extras = extras
            self.worker.set_extras(extras)

    def _update_status(self, snap: Snapshot) -> None:
        now = time.perf_counter()
        if self._rate_mark is None or snap.samples < self._rate_mark[1]:
            self._rate_mark = (now, snap.samples)
        elif now - self._rate_mark[0] >= 0.5:
            t0, s0 = self._rate_mark
            rate = (snap.samples - s0) / (now - t0)
            self._rate = rate if self._state == "playing" else 0.0
            self._rate_mark = (now, snap.samples)
        self.step_label.setText(f"step {snap.step:,}")
        self.epoch_label.setText(f"epoch {snap.epoch:,}")
        self.loss_label.setText(
            f"loss {_format_metric(snap.train_loss)} / {_format_metric(snap.test_loss)}"
        )
        if snap.train_accuracy is not None:
            self.metric_label.setText(
                f"accuracy {_format_metric(snap.train_accuracy, True)}"
                f" / {_format_metric(snap.test_accuracy, True)}"
            )
        elif snap.train_r2 is not None:
            self.metric_label.setText(
                f"R² {_format_metric(snap.train_r2)} / {_format_metric(snap.test_r2)}"
            )
        else:
            self.metric_label.setText("")
        playing = self._state == "playing"
        rate = self._rate or snap.samples_per_second  # the first half second: the slice's own
        self.rate_label.setText(f"{rate:,.0f} samples/s" if playing else "")
        self.engine_label.setText(ENGINE_LABELS.get(snap.engine, f"engine: {snap.engine}"))
        self.actions[f"engine_{snap.engine_choice}"].setChecked(True)
        if snap.message and not snap.stopped and self._state == "playing":
            self.statusBar().showMessage(snap.message, 3000)

    # ------------------------------------------------------------ file actions

    def open_csv(self) -> None:
        self.files.import_csv()

    def load_data_file(self, path: str) -> None:
        """Open a project (.dlviz) or data (.csv) given by name (command line, drop)."""
        self.files.open(path)

    def save_csv(self) -> None:
        self.files.export_csv()

    def dragEnterEvent(self, event) -> None:  # noqa: N802  (Qt API)
        if self.files.dropped_path(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802  (Qt API)
        path = self.files.dropped_path(event.mimeData())
        if path is not None:
            event.acceptProposedAction()
            self.files.open_dropped(path)

    def export_image(self) -> None:
        """Ctrl+E: the whole window as PNG or SVG (File ▸ Export view image ▸ Whole window)."""
        self.files.export_view_image("window")

    # ------------------------------------------------------------ help

    def show_shortcuts(self) -> None:
        rows = []
        for action in self.actions.values():
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            if keys:
                rows.append(
                    f"<tr><td><b>{keys}</b></td><td>{action.text().replace('&', '')}</td></tr>"
                )
        rows.insert(0, "<tr><td><b>1 – 8</b></td><td>Paint class 1 to 8</td></tr>")
        rows = [r for r in rows if "Class " not in r]
        text = (
            "<table cellspacing=6>"
            + "".join(rows)
            + "<tr><td><b>Right-drag</b></td><td>Erase points</td></tr>"
            + "<tr><td><b>Shift+drag</b></td><td>Move a point</td></tr></table>"
        )
        box = self._new_message_box(QMessageBox.Icon.NoIcon, "Keyboard shortcuts", text)
        box.addButton(QMessageBox.StandardButton.Close)
        box.open()

    def show_about(self) -> None:
        box = self._new_message_box(
            QMessageBox.Icon.NoIcon,
            "About dlviz",
            f"<b>dlviz {__version__}</b><br>A desktop neural-network playground: draw data, "
            "stack layers, press Play and watch a Numba-compiled network learn.",
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
            if not self.files.close_ok():
                event.ignore()
                return
            self._closing = True
            self.files.shutdown()
            self._save_settings()
            self.frame_timer.stop()
            self.worker.stop()
            if self._message_box is not None:
                self._message_box.close()
        super().closeEvent(event)
