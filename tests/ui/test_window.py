"""The main window: presets, layer editor, layout memory, themes, launch options, screenshots."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox

from dlviz.core.data import PRESETS, make_dataset, write_csv
from dlviz.core.images import IMAGE_PRESETS
from dlviz.core.lessons import load_examples
from dlviz.ui.app import main
from dlviz.ui.main_window import MainWindow
from dlviz.ui.session import DataSettings
from dlviz.ui.views import CENTRAL_VIEW, VIEWS, View


def test_every_preset_can_be_chosen(window, qtbot):
    combo = window.data_panel.preset
    names = [combo.itemData(i) for i in range(combo.count()) if combo.itemData(i)]
    presets = [name for name in names if not name.startswith(("example:", "images:"))]
    assert tuple(presets) == PRESETS  # then the image presets, then the textbook's examples
    images = ["images:" + name for name in IMAGE_PRESETS]  # tests/ui/test_image_projects
    assert names[len(presets) : len(presets) + len(images)] == images
    assert names[len(presets) + len(images) :] == ["example:" + n for n in load_examples()]
    window.data_panel.select_preset("spiral")
    assert window.session.dataset.name == "spiral"
    assert "spiral" in window.windowTitle()
    train = window.views["boundary"].train_points
    assert len(train.data) == int((~window.session.dataset.is_test).sum())
    classes = window.data_panel.classes
    assert classes.isEnabled()
    classes.setValue(4)
    assert window.session.dataset.n_classes == 4
    qtbot.waitUntil(lambda: window.session.latest.spec.n_outputs == 4, timeout=10_000)
    for name in ("xor", "multigauss", "line"):
        window.data_panel.select_preset(name)
        assert window.session.dataset.name == name
        kind = make_dataset(name).kind
        qtbot.waitUntil(
            lambda kind=kind: (
                (window.session.latest.spec.output == "identity") == (kind != "classify")
            ),
            timeout=10_000,
        )


def test_data_panel_controls(window, qtbot):
    panel = window.data_panel
    points = window.session.dataset.points.copy()
    qtbot.mouseClick(panel.regenerate, Qt.MouseButton.LeftButton)
    assert not np.array_equal(window.session.dataset.points, points)
    panel.test_ratio.setValue(20)
    assert abs(window.session.dataset.is_test.mean() - 0.2) < 0.01
    panel.noise.setValue(40)
    assert window.session.data_settings.noise == 0.4
    qtbot.mouseClick(panel.show_test, Qt.MouseButton.LeftButton, pos=QPoint(8, 8))
    assert not window.session.options.show_test
    assert len(window.views["boundary"].test_points.data) == 0
    QTest.keyClick(window, Qt.Key.Key_T)
    assert window.session.options.show_test and panel.show_test.isChecked()
    QTest.keyClick(window, Qt.Key.Key_D)
    assert window.session.options.discrete and panel.discrete.isChecked()
    qtbot.mouseClick(panel.clear, Qt.MouseButton.LeftButton)
    assert window.session.dataset.n == 0


def test_add_remove_and_reorder_layers(window, qtbot):
    panel = window.network_panel
    assert len(panel.rows) == 2
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    assert len(panel.rows) == 3
    qtbot.waitUntil(lambda: len(window.session.latest.spec.hidden) == 3, timeout=10_000)
    qtbot.waitUntil(lambda: "rebuilt" in window.statusBar().currentMessage(), timeout=5_000)
    assert "177 parameters" in panel.summary.text()
    panel.rows[0].width_box.setValue(16)
    panel.rows[0].activation.setCurrentIndex(panel.rows[0].activation.findData("relu"))
    qtbot.mouseClick(panel.rows[0].down, Qt.MouseButton.LeftButton)
    assert [r.spec().width for r in panel.rows] == [8, 16, 8]
    qtbot.waitUntil(
        lambda: [h.width for h in window.session.latest.spec.hidden] == [8, 16, 8],
        timeout=10_000,
    )
    assert window.session.latest.spec.hidden[1].activation == "relu"
    qtbot.mouseClick(panel.rows[1].remove, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(window.session.latest.spec.hidden) == 2, timeout=10_000)
    QTest.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert len(panel.rows) == 3


def test_activation_change_keeps_the_weights(window, qtbot):
    window.actions["epoch"].trigger()
    qtbot.waitUntil(lambda: window.session.latest.epoch == 1, timeout=5_000)
    step = window.session.latest.step
    row = window.network_panel.rows[0]
    row.activation.setCurrentIndex(row.activation.findData("relu"))
    qtbot.waitUntil(
        lambda: window.session.latest.spec.hidden[0].activation == "relu", timeout=5_000
    )
    assert window.session.latest.step == step  # same run: not rebuilt


def test_features_and_losses_follow_the_data(window, qtbot):
    panel = window.network_panel
    qtbot.mouseClick(panel.feature_boxes["x1sq"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "x1sq" in window.session.latest.spec.features, timeout=5_000)
    for name in ("x1", "x2", "x1sq"):
        panel.feature_boxes[name].setChecked(False)
    assert panel.features()  # the last input cannot be switched off
    losses = [panel.loss.itemData(i) for i in range(panel.loss.count())]
    assert losses == ["bce", "ce", "mse"]
    window.data_panel.select_preset("plane")
    assert [panel.loss.itemData(i) for i in range(panel.loss.count())] == ["mse", "mse:sigmoid"]


def test_curve_data_gets_curve_inputs_whatever_was_ticked(window, qtbot):
    """x2 and x2² ticked, x1 not: 1-D data then trains on x1, and clearing it breaks nothing."""
    panel = window.network_panel
    qtbot.mouseClick(panel.feature_boxes["x2sq"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.feature_boxes["x1"], Qt.MouseButton.LeftButton)
    assert panel.features() == ("x2", "x2sq")
    failures = []
    window.worker.failed.connect(lambda message, details: failures.append(message))
    window.data_panel.select_preset("sine")
    assert panel.features() == ("x1",)
    qtbot.waitUntil(lambda: window.session.latest.spec.features == ("x1",), timeout=10_000)
    qtbot.mouseClick(window.data_panel.clear, Qt.MouseButton.LeftButton)
    window.actions["step"].trigger()
    qtbot.wait(300)
    assert not failures
    assert window.message_box() is None  # no error to explain


def test_every_panel_and_view_can_be_reopened_from_the_view_menu(window, qtbot):
    texts = [a.text() for a in window.panels_menu.actions()]
    for name, dock in window.docks.items():
        assert dock.toggleViewAction() in window.panels_menu.actions(), name
    assert "Timeline" in texts
    window.docks["timeline"].close()
    window.docks["timeline"].toggleViewAction().trigger()
    assert window.docks["timeline"].isVisible()


def test_typing_a_layer_width_rebuilds_once(window, qtbot):
    changes = []
    window.network_panel.changed.connect(lambda: changes.append(1))
    box = window.network_panel.rows[0].width_box
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, "128")
    assert changes == []  # not at 1, 12 and 128
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert changes == [1]
    qtbot.waitUntil(lambda: window.session.latest.spec.hidden[0].width == 128, timeout=10_000)


def test_the_status_bar_names_the_engine_that_trains(window, qtbot):
    from dlviz.core.trainer import Trainer

    assert window.status_bar.engine_label.text() == "engine: Numba CPU"
    old = window.worker.trainer
    window.worker.replace_trainer(
        Trainer(old.dataset, old.spec, old.config, seed=1, engine="reference")
    )
    qtbot.waitUntil(lambda: window.session.latest.engine == "reference", timeout=5_000)
    qtbot.waitUntil(
        lambda: window.status_bar.engine_label.text() == "engine: NumPy reference", timeout=5_000
    )
    window.network_panel.add_layer()  # a rebuild keeps the engine
    qtbot.waitUntil(lambda: len(window.session.latest.spec.hidden) == 3, timeout=10_000)
    assert window.session.latest.engine == "reference"
    # the menu follows the trainer
    qtbot.waitUntil(lambda: window.actions["engine_reference"].isChecked(), timeout=5_000)


def test_the_engine_menu_switches_engines_and_keeps_the_weights(window, qtbot):
    """Train > Engine: the trainer changes engine between slices; weights and step stay."""
    from dlviz.core.engines import cuda_problem

    menu = window.findChild(QMenu, "menu-engine")
    assert [a.objectName() for a in menu.actions()] == [
        "action-engine_auto", "action-engine_cpu", "action-engine_cuda", "action-engine_reference"
    ]  # fmt: skip
    assert window.actions["engine_cpu"].isChecked()
    qtbot.waitUntil(lambda: window.session.latest is not None, timeout=10_000)
    before = window.session.latest.params.copy()
    window.actions["engine_reference"].trigger()
    qtbot.waitUntil(lambda: window.session.latest.engine == "reference", timeout=5_000)
    assert np.array_equal(window.session.latest.params, before)
    # the status bar and the menu follow at the next draw
    qtbot.waitUntil(
        lambda: window.status_bar.engine_label.text() == "engine: NumPy reference", timeout=5_000
    )
    window.actions["engine_auto"].trigger()  # no GPU here, or not worth one: the CPU engine
    qtbot.waitUntil(lambda: window.session.latest.engine_choice == "auto", timeout=5_000)
    if cuda_problem() is None:
        return  # a GPU (or the simulator) is here: no fallback to show
    assert window.session.latest.engine == "cpu"
    window.actions["engine_cuda"].trigger()
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "message-box") is not None, timeout=5_000)
    box = window.findChild(QMessageBox, "message-box")
    assert box.text().startswith("CUDA engine unavailable") and "pip install" in box.text()
    qtbot.waitUntil(lambda: window.session.latest.engine_choice == "cuda", timeout=5_000)
    assert window.session.latest.engine == "cpu"  # and training goes on on the CPU
    qtbot.waitUntil(
        lambda: (
            window.status_bar.engine_label.text() == "engine: Numba CPU"
            and window.actions["engine_cuda"].isChecked()
        ),
        timeout=5_000,
    )
    box.close()


def test_layout_and_view_options_are_remembered(make_window, qtbot):
    first = make_window(restore_layout=True)
    first.docks["loss"].close()
    first.actions["log_loss"].trigger()
    first.actions["dark"].trigger()
    assert QApplication.instance().palette().window().color().name() == "#232427"
    first.close()
    second = make_window(restore_layout=True)
    assert not second.docks["loss"].isVisible()
    assert second.session.options.log_loss
    assert second.actions["dark"].isChecked()
    second.actions["reset_layout"].trigger()
    assert second.docks["loss"].isVisible()


def test_presentation_mode_enlarges_the_type(window, qtbot):
    base = QApplication.instance().font().pointSize()
    assert base >= 11
    QTest.keyClick(window, Qt.Key.Key_F11)
    assert window.actions["presentation"].isChecked()
    assert QApplication.instance().font().pointSize() > base
    assert window.session.scale.point_px > 9
    QTest.keyClick(window, Qt.Key.Key_F11)
    assert QApplication.instance().font().pointSize() == base


def test_views_are_registered_and_hidden_views_do_no_work(window, qtbot):
    assert CENTRAL_VIEW in VIEWS and "loss" in VIEWS
    for name, cls in VIEWS.items():
        assert issubclass(cls, View) and cls.name == name and cls.title
    loss = window.views["loss"]
    window.docks["loss"].close()
    redraws = loss.redraws
    window.actions["step"].trigger()
    qtbot.waitUntil(lambda: window.session.latest.step == 1, timeout=5_000)
    window.draw_frame()
    assert loss.redraws == redraws
    window.docks["loss"].show()  # shown again: it catches up at the next frame
    window.docks["loss"].raise_()
    qtbot.waitUntil(lambda: loss.redraws > redraws, timeout=2_000)
    # a view in a tab behind another is still "visible" to Qt, but draws nothing
    matrices = window.views["matrices"]
    assert window.tabifiedDockWidgets(window.docks["loss"])
    assert matrices.isVisible() and not matrices.is_active()
    drawn = matrices._drawn
    window.actions["step"].trigger()
    qtbot.waitUntil(lambda: window.session.latest.step == 2, timeout=5_000)
    window.draw_frame()
    assert matrices._drawn == drawn and "neuron_grid" not in window.requested_extras
    window.docks["network"].raise_()  # brought to the front: it draws and asks for its grids
    qtbot.waitUntil(lambda: window.views["network"].is_active(), timeout=2_000)
    qtbot.waitUntil(lambda: "neuron_grid" in window.requested_extras, timeout=2_000)


def test_help_dialogs(window, qtbot):
    QTest.keyClick(window, Qt.Key.Key_F1)
    box = window.message_box()
    assert box is not None and "Space" in box.text()
    window.actions["about"].trigger()
    assert "dlviz" in window.message_box().text()
    window.message_box().close()


def test_screenshot_option_writes_a_png(tmp_path, capsys):
    path = tmp_path / "shot.png"
    code = main(["--screenshot", str(path), "--preset", "xor", "--train-steps", "300",
                 "--size", "1280x800"])  # fmt: skip
    assert code == 0
    image = QImage(str(path))
    assert (image.width(), image.height()) == (1280, 800)
    assert "step 300" in capsys.readouterr().out


def test_screenshot_of_one_view_and_of_a_csv(tmp_path):
    data = tmp_path / "points.csv"
    write_csv(make_dataset("moons", n=120), data)
    path = tmp_path / "loss.png"
    code = main([str(data), "--screenshot", str(path), "--view", "loss", "--train-steps", "50",
                 "--size", "500x400", "--hidden", "4", "--dark"])  # fmt: skip
    assert code == 0
    assert QImage(str(path)).width() == 500


@pytest.mark.parametrize("name", tuple(VIEWS))
def test_screenshot_of_each_view_alone_is_a_drawn_picture(tmp_path, capsys, name):
    path = tmp_path / f"{name}.png"
    code = main(["--screenshot", str(path), "--view", name, "--preset", "spiral",
                 "--classes", "3", "--hidden", "6,5", "--train-steps", "60",
                 "--size", "480x360"])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    assert "step 60" in capsys.readouterr().out
    image = QImage(str(path)).convertToFormat(QImage.Format.Format_RGB32)
    assert (image.width(), image.height()) == (480, 360)
    if "points" not in VIEWS[name].data_kinds:
        return  # an image view on points says what it needs (tests/ui/test_view_images.py)
    pixels = np.frombuffer(image.constBits(), np.uint8, 480 * 360 * 4).reshape(-1, 4)
    rgb = pixels[:, :3].astype(int)
    # drawn data is in colour (classes, signed maps, curves); axes, text and an empty plot
    # are grey: the loss curves, the sparsest view, colour about 2 % of the picture
    coloured = float(((rgb.max(axis=1) - rgb.min(axis=1)) > 60).mean())
    assert coloured > 0.01, f"{name}: only {coloured:.2%} of the picture is in colour"


def test_a_window_opened_with_layers_starts_on_them_without_a_rebuild(make_window, qtbot):
    from dlviz.core.network import LayerSpec

    window = make_window(hidden=(LayerSpec(5, "relu"), LayerSpec(3, "tanh")))
    notices: list[str] = []
    window.worker.notice.connect(notices.append)
    assert window.session.latest.spec.sizes == (2, 5, 3, 1)
    assert [row.width_box.value() for row in window.network_panel.rows] == [5, 3]
    qtbot.wait(300)
    assert notices == [] and "rebuilt" not in window.statusBar().currentMessage()


def test_bad_launch_options_exit_with_status_2(tmp_path, capsys):
    assert main(["--preset", "nope"]) == 2
    assert main(["--screenshot", str(tmp_path / "x.png"), "--size", "12"]) == 2
    assert main([str(tmp_path / "missing.csv")]) == 2
    assert main(["project.dlviz"]) == 2
    assert main(["--hidden", "8,x"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "missing.csv does not exist" in err


def test_main_window_from_a_dataset_object(qtbot):
    window = MainWindow(data=make_dataset("gauss"), restore_layout=False, start_worker=False)
    qtbot.addWidget(window)
    assert window.session.dataset.name == "gauss"
    window.close()


def test_engine_warm_up_shows_its_progress(qtbot):
    """The status bar names each kernel being compiled, then says the engine is ready."""
    release = threading.Event()
    seen: list[str] = []

    def slow_warm_up(progress):
        progress(0, 2, "training kernel")
        release.wait(30)
        progress(1, 2, "prediction kernel")
        progress(2, 2, "ready")

    window = MainWindow(data=DataSettings(preset="circle"), restore_layout=False,
                        warm_up=slow_warm_up)  # fmt: skip
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(
        lambda: "training kernel" in window.status_bar.state_label.text(), timeout=10_000
    )
    seen.append(window.status_bar.state_label.text())
    assert not window.status_bar.progress.isHidden()
    assert (window.status_bar.progress.minimum(), window.status_bar.progress.maximum()) == (0, 2)
    assert window.status_bar.progress.value() == 0
    release.set()
    qtbot.waitUntil(lambda: window.session.latest is not None, timeout=60_000)
    qtbot.waitUntil(lambda: window.status_bar.progress.isHidden(), timeout=10_000)
    assert "Compiling" not in window.status_bar.state_label.text()
    assert window.statusBar().currentMessage().startswith("Training engine ready in")
    assert seen == ["Compiling the training engine: training kernel (1 of 2)…"]
    window.close()


def test_readme_lists_every_keyboard_shortcut(window):
    """The README's shortcut table is the front door: every shortcut the window has is in it."""
    import re
    from pathlib import Path

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Keyboard shortcuts", 1)[1].split("\n#", 1)[0]
    keys_column = [line.split("|")[1] for line in section.splitlines() if line.startswith("| ")]
    documented = {k.strip() for cell in keys_column for k in re.split(r" / |[(),]", cell)}
    documented |= {str(n) for n in range(1, 9)}  # "1 – 8"
    missing = [
        f"{s.toString()} ({action.text().replace('&', '')})"
        for action in window.actions.values()
        for s in action.shortcuts()
        if s.toString() not in documented
    ]
    assert not missing, f"README lacks: {missing}"


def test_readme_documents_every_view_and_its_screenshot_option():
    """A teacher reads the README to find `--view NAME`: every registered view is named there."""
    from pathlib import Path

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    option = readme.split("with `--view NAME` it renders one view", 1)[1].split("\n\n", 1)[0]
    section = readme.split("### Views", 1)[1].split("\n### ", 1)[0]
    for name in VIEWS:
        assert f"`{name}`" in option, f"the --view line lacks {name}"
        if name not in ("boundary", "loss"):  # those two are described under Using the app
            assert f"(`{name}`)" in section, f"the Views section lacks {name}"


def test_with_every_view_open_a_snapshot_is_drawn_over_a_few_frames(window, qtbot):
    """Drawing every view in one frame made long frames; each frame draws a few, in turn."""
    # every view of the data shown (points); the image views are for image data
    docked = [n for n in window.views if n in window.docks and "points" in VIEWS[n].data_kinds]
    for i, name in enumerate(docked):
        dock = window.docks[name]
        dock.setFloating(True)
        dock.resize(400, 300)
        dock.move(30 * i, 30 * i)
        dock.show()
    views = [window.views[n] for n in docked]
    qtbot.waitUntil(lambda: all(v.is_active() for v in views), timeout=5_000)
    window.frame_timer.stop()  # frames by hand from here
    window.actions["step"].trigger()
    qtbot.waitUntil(lambda: window.session.latest.step == 1, timeout=5_000)
    shown = [window.views[CENTRAL_VIEW], *views]
    before = {v.name: v.draws for v in shown}
    window.draw_frame()
    drawn = [v.name for v in shown if v.draws > before[v.name]]
    assert CENTRAL_VIEW in drawn and len(drawn) <= 3
    for _ in range(len(views)):
        window.draw_frame()
    stale = [v.name for v in shown if v.draws == before[v.name]]
    assert not stale, f"not drawn after {len(views) + 1} frames: {stale}"


def test_frames_are_scheduled_by_time_not_by_a_count_of_views(window, qtbot, monkeypatch):
    """With time to spare one frame draws every view that has something new (the old
    scheduler drew at most two besides the central one); a view with nothing new is
    skipped, and the longest-waiting view draws first."""
    import dlviz.ui.frames as frames

    # every view of the data shown (points); the image views are for image data
    docked = [n for n in window.views if n in window.docks and "points" in VIEWS[n].data_kinds]
    for i, name in enumerate(docked):
        dock = window.docks[name]
        dock.setFloating(True)
        dock.resize(400, 300)
        dock.move(30 * i, 30 * i)
        dock.show()
    views = [window.views[n] for n in docked]
    shown = [window.views[CENTRAL_VIEW], *views]
    qtbot.waitUntil(lambda: all(v.is_active() for v in views), timeout=5_000)
    window.frame_timer.stop()
    window._sync_extras()  # the open views' requests go out now, not after the next frame
    window.actions["step"].trigger()
    qtbot.waitUntil(lambda: window.session.latest.step == 1, timeout=5_000)
    qtbot.wait(500)  # the snapshot with the views' extras has arrived
    monkeypatch.setattr(frames, "FRAME_BUDGET_S", 60.0)  # all the time in the world
    window.scheduler.draw_cost.update({v.name: 0.001 for v in views})  # each known to draw in 1 ms
    before = {v.name: v.draws for v in shown}
    count = window.session.snapshot_count
    window.draw_frame()
    assert all(v.draws == before[v.name] + 1 for v in shown)
    assert window.session.snapshot_count == count
    window.draw_frame()  # nothing new: nothing drawn
    assert all(v.draws == before[v.name] + 1 for v in shown)
    # a tight budget: the longest-waiting view goes first
    monkeypatch.setattr(frames, "FRAME_BUDGET_S", 0.0)
    window.scheduler.drew_at[views[-1].name] = 0.0  # waited longest
    window.actions["step"].trigger()
    qtbot.waitUntil(lambda: window.session.latest.step == 2, timeout=5_000)
    window.draw_frame()
    drawn = [v.name for v in views if v.draws == before[v.name] + 2]
    assert drawn == [views[-1].name]


def test_view_tabs_show_whole_short_names_and_the_menu_the_long_ones(window, qtbot):
    from PySide6.QtWidgets import QTabBar

    bars = window.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly)
    tabs = {bar.tabText(i): bar for bar in bars for i in range(bar.count())}
    for name, cls in VIEWS.items():
        if name in window.docks and "points" in cls.data_kinds:  # the data shown: points
            bar = tabs[cls.short_title]  # "Loss", not "Loss and accuracy" cut to "Loss a…"
            assert bar.elideMode() == Qt.TextElideMode.ElideNone and bar.usesScrollButtons()
            assert window.docks[name].toggleViewAction().text() == cls.title


def test_screenshot_of_the_graph_with_gradients_draws_them(tmp_path):
    from dlviz.ui.views.network import GRADIENT_HEX

    pink = QColor(GRADIENT_HEX)

    def pink_share(extra):
        path = tmp_path / "graph.png"
        assert main(["--screenshot", str(path), "--view", "network", "--preset", "circle",
                     "--hidden", "6,6", "--train-steps", "30", "--size", "600x400",
                     *extra]) == 0  # fmt: skip
        image = QImage(str(path)).convertToFormat(QImage.Format.Format_RGB32)
        px = np.frombuffer(image.constBits(), np.uint8, 600 * 400 * 4).reshape(-1, 4)
        rgb = px[:, [2, 1, 0]].astype(int)  # BGRA in memory
        close = np.abs(rgb - [pink.red(), pink.green(), pink.blue()]).sum(axis=1) < 60
        return close.mean()

    assert pink_share(["--gradients"]) > 0.002
    assert pink_share([]) < 0.0005  # weights are blue and orange


def _run_app(argv, check, timeout_ms=60_000):
    """``main(argv)`` with its real event loop; ``check(window)`` polls until it returns True,
    then the window closes (which ends the loop).  Returns main's status and the window."""
    from PySide6.QtCore import QElapsedTimer, QTimer

    clock = QElapsedTimer()
    clock.start()
    found = {}

    def poll():
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
        if windows and windows[0].isVisible() and windows[0].session.latest is not None:
            window = found.setdefault("window", windows[0])
            if check(window) or clock.elapsed() > timeout_ms:
                found["ok"] = clock.elapsed() <= timeout_ms
                window.project.ask_on_close = False
                timer.stop()
                window.close()

    timer = QTimer()
    timer.timeout.connect(poll)
    timer.start(50)
    code = main(argv)
    timer.stop()
    import gc

    gc.unfreeze()  # main froze the start-up objects for the app's lifetime; a test goes on
    return code, found


def test_launch_with_a_preset_and_play_trains_at_once(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("DLVIZ_DATA_DIR", str(tmp_path))
    code, found = _run_app(
        ["--preset", "moons", "--hidden", "5", "--play"],
        lambda w: w.session.latest.step > 200 and w.state == "playing",
    )
    assert code == 0 and found.get("ok"), "the window never trained on its own"
    window = found["window"]
    assert window.session.dataset.name == "moons"
    assert window.session.latest.spec.hidden[0].width == 5
    window.deleteLater()


def test_launch_with_a_project_opens_it(qtbot, tmp_path, monkeypatch):
    from dlviz.core.network import LayerSpec, build_spec
    from dlviz.core.project import save_project
    from dlviz.core.trainer import Trainer

    monkeypatch.setenv("DLVIZ_DATA_DIR", str(tmp_path))
    data = make_dataset("xor", seed=5)
    spec = build_spec(kind=data.kind, n_classes=2, features=("x1", "x2"),
                      hidden=(LayerSpec(7, "relu"),))  # fmt: skip
    trainer = Trainer(data, spec, seed=3)
    trainer.run(samples=500)
    path = tmp_path / "lesson.dlviz"
    save_project(path, trainer)
    code, found = _run_app([str(path)], lambda w: w.session.latest.step == trainer.step)
    assert code == 0 and found.get("ok")
    window = found["window"]
    assert "lesson.dlviz" in window.windowTitle()
    np.testing.assert_array_equal(window.session.latest.params, trainer.params)
    assert window.state != "playing"  # no --play: it waits for the teacher
    window.deleteLater()


def test_menus_and_toolbar(window):
    titles = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert titles == ["File", "Edit", "View", "Train", "Help"]
    toolbar = [a for a in window.toolbar.actions() if not a.isSeparator()]
    for name in ("play", "step", "epoch", "reset", "paint", "erase", "presentation"):
        assert window.actions[name] in toolbar, name


def test_status_bar_numbers_never_read_minus_zero():
    from dlviz.ui.status_bar import format_metric

    assert format_metric(-0.0) == "0.0000"
    assert format_metric(-1e-9) == "0.0000"
    assert format_metric(-0.25) == "-0.2500"  # R² can be negative
    assert format_metric(0.9512, percent=True) == "95.1 %"
    assert format_metric(None) == "–"


def test_presentation_mode_on_a_small_projector_leaves_the_canvas_room(window, qtbot):
    """Large type widens every panel; on 1280 x 720 the canvas still gets a third of the
    width (it got under a quarter when the side columns kept their widest contents)."""
    window.actions["presentation"].setChecked(True)
    window.showNormal()  # offscreen "full screen" is the virtual screen's size: pick ours
    window.resize(1280, 720)
    qtbot.wait(200)
    window._fit_panels()
    qtbot.wait(100)
    canvas = window.views["boundary"].plot
    assert QApplication.instance().font().pointSize() > 11
    assert canvas.width() >= 0.33 * window.width(), (canvas.width(), window.width())
    window.actions["presentation"].setChecked(False)


def test_a_new_message_replaces_the_last_and_stays_findable(window, qtbot):
    """One box at a time: the second closes the first, and the first one's deletion
    (which Qt runs later) does not make the window forget the box now shown."""
    from PySide6.QtCore import QEvent

    window.notifier.error("first")
    first = window.message_box()
    window.notifier.error("second")
    second = window.message_box()
    assert second is not first and second.text() == "second"
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # the first is deleted now
    QApplication.processEvents()
    assert window.message_box() is second and second.isVisible()
    second.close()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QApplication.processEvents()
    assert window.message_box() is None


def test_every_plot_in_the_window_leaves_its_scene_unindexed(window):
    """Qt's BSP index of a scene went wrong when an item changed size without telling it
    (pyqtgraph's TextItem: the loss readout), and painting then crashed walking it: every
    plot of every view (image views included, built for any data) is unindexed."""
    from PySide6.QtWidgets import QGraphicsScene, QGraphicsView

    plots = window.findChildren(QGraphicsView)
    assert len(plots) >= len(window.views)  # each view has one or more
    indexed = [
        f"{p.objectName() or type(p).__name__} in {p.parent().objectName()}"
        for p in plots
        if p.scene().itemIndexMethod() != QGraphicsScene.ItemIndexMethod.NoIndex
    ]
    assert not indexed, f"scenes with Qt's BSP index: {indexed}"
