"""Lessons in the real window: a step's set-up reaches the worker, the views and panels it
names are the ones shown, the conditions follow what the user does, Help ▸ Lessons lists
every lesson (broken ones greyed with the reason), and ``dlviz --lesson`` opens one."""

from __future__ import annotations

import re

import numpy as np
import pytest
from PySide6.QtWidgets import QWidget
from ui_helpers import train

from dlviz.core.lessons import load_lesson
from dlviz.ui.app import main
from dlviz.ui.panels.training_panel import speed_index
from dlviz.ui.worker import SPEEDS

SNAPSHOT_MS = 60_000


def spec_of(window) -> str:
    snap = window.session.latest
    return snap.spec.describe() if snap is not None else ""


@pytest.fixture
def lessons(window, monkeypatch, tmp_path):
    monkeypatch.setattr("dlviz.core.lessons.user_lessons_dir", lambda: str(tmp_path))
    return window.lessons


def test_a_step_sets_up_data_network_views_panels_speed_and_highlight(window, lessons, qtbot):
    lessons.open(load_lesson("xor", extra_dirs=()))
    qtbot.waitUntil(lambda: spec_of(window) == "2-1 sigmoid/bce", timeout=SNAPSHOT_MS)
    assert window.session.dataset.name == "xor" and window.session.data_settings.preset == "xor"
    config = window.training_panel.config()
    assert (config.optimizer.name, config.optimizer.lr, config.batch_size) == ("sgd", 0.3, 10)
    # the step's 100 mini-batches a second, on the slider in epochs: 200 points in 10s
    assert window.training_panel.speed_value() == SPEEDS[speed_index(100 / 20)]
    docks = window.docks
    assert docks["loss"].isVisible() and docks["network"].isVisible()
    assert not docks["matrices"].isVisible() and not docks["distributions"].isVisible()
    assert docks["training"].isVisible() and not docks["data"].isVisible()
    assert lessons.dock.isVisible() and lessons.panel.counter.text() == "Step 1 of 3"
    play = window.findChild(QWidget, "button-play")
    frame = lessons.highlight
    assert frame.isVisible() and frame.target is play
    corner = play.mapTo(window, play.rect().topLeft())
    assert frame.geometry().contains(corner)

    lessons.panel.next.click()  # step 2: the textbook's 2-10-1 network
    qtbot.waitUntil(lambda: spec_of(window) == "2-10(sigmoid)-1 sigmoid/bce", timeout=SNAPSHOT_MS)
    assert [layer.width for layer in window.network_panel.hidden()] == [10]


def test_play_and_a_changed_setting_meet_the_steps_conditions(window, lessons, qtbot):
    lessons.open(load_lesson("batch-size", extra_dirs=()))
    assert not lessons.panel.ready
    window.actions["play"].setChecked(True)
    assert lessons.panel.ready
    window.actions["play"].setChecked(False)
    lessons.panel.open_step(2)  # waits for the batch size to change
    qtbot.waitUntil(lambda: window.training_panel.config().batch_size == 1)
    window.training_panel.lr.setValue(0.05)
    assert not lessons.panel.ready
    window.training_panel.batch.setValue(32)
    assert lessons.panel.ready


def test_a_step_that_changes_only_the_view_keeps_the_run(window, lessons, qtbot):
    lessons.open(load_lesson("one-neuron", extra_dirs=()))
    qtbot.waitUntil(lambda: spec_of(window) == "1-1 identity/mse", timeout=SNAPSHOT_MS)
    window.worker.train_steps(40)
    qtbot.waitUntil(lambda: window.session.latest.step >= 40, timeout=SNAPSHOT_MS)
    lessons.panel.go_next()  # only the loss view comes to the front
    # one more step, queued behind whatever the new step sent the worker: its snapshot
    # says whether the run went on (41) or began again (0, then 1)
    window.worker.train_steps(1)
    qtbot.waitUntil(lambda: window.session.latest.step != 40, timeout=SNAPSHOT_MS)
    assert window.session.latest.step == 41
    lessons.panel.restart_step()  # the whole set-up again: a fresh run
    qtbot.waitUntil(lambda: window.session.latest.step == 0, timeout=SNAPSHOT_MS)


def test_help_lessons_lists_every_lesson_and_greys_a_broken_one(window, lessons, tmp_path):
    (tmp_path / "mine.toml").write_text("format = 1\ntitle = 3\n", encoding="utf-8")
    lessons.menu.aboutToShow.emit()
    actions = lessons.menu.actions()
    enabled = [a.text() for a in actions if a.isEnabled()]
    assert len(enabled) >= 10 and "XOR: one neuron fails, one hidden layer succeeds" in enabled
    broken = [a for a in actions if not a.isEnabled()]
    assert len(broken) == 1
    assert broken[0].text().startswith("mine: ")
    assert "title: expected a table" in broken[0].text()
    next(a for a in actions if a.text().startswith("Hidden layers")).trigger()
    assert lessons.panel.lesson.name == "hidden-space"


def test_the_speed_slider_takes_the_nearest_speed():
    assert SPEEDS[speed_index("max")] is None
    assert SPEEDS[speed_index(100.0)] == 100 and SPEEDS[speed_index(20.0)] in (10, 30)


def test_lesson_screenshot_in_both_languages(qapp, tmp_path, capsys):
    for language in ("en", "zh_CN"):
        shot = tmp_path / f"{language}.png"
        argv = ["--lesson", "features", "--lesson-step", "2", "--lang", language,
                "--screenshot", str(shot), "--size", "1280x720",
                "--train-steps", "200"]  # fmt: skip
        assert main(argv) == 0, capsys.readouterr().err
        assert shot.stat().st_size > 0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--lang", "fr"], "dlviz: argument --lang: 'fr' is not a language dlviz has; use en "
         "or zh_CN (see dlviz --help)"),
        (["--lesson", "nope"], "dlviz: --lesson nope: unknown lesson 'nope'; choose from "),
        (["--lesson", "xor", "--lesson-step", "4"],
         "dlviz: --lesson xor: lesson 'xor' has steps 1 to 3, not 4"),
        (["--lesson-step", "2"], "dlviz: --lesson-step needs --lesson NAME"),
    ],
)  # fmt: skip
def test_lesson_and_language_mistakes_are_one_line_and_status_2(qapp, capsys, argv, message):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("\n") == 1


@pytest.mark.parametrize(
    ("name", "spec", "preset"),
    [
        ("textbook-line", "1-1 identity/mse", "textbook-line"),
        ("textbook-2-10-1", "2-10(sigmoid)-1 sigmoid/bce", "xor"),
        ("textbook-2-4-1", "2-4(sigmoid)-1 sigmoid/mse", "hill"),
    ],
)
def test_a_textbook_example_is_one_click_in_the_preset_list(window, lessons, qtbot, name, spec,
                                                           preset):  # fmt: skip
    combo = window.data_panel.preset
    index = combo.findData("example:" + name)
    assert index >= 0 and combo.itemText(index).strip()
    combo.setCurrentIndex(index)  # the click
    qtbot.waitUntil(lambda: spec_of(window) == spec, timeout=SNAPSHOT_MS)
    assert window.session.data_settings.preset == preset
    assert combo.currentData() == preset  # the list shows the data the example loaded


def test_a_teachers_lesson_naming_a_view_the_app_lacks_is_refused_at_launch(
    qapp, capsys, monkeypatch, tmp_path
):
    text = (
        'format = 1\ntitle = { en = "Mine", zh_CN = "我的" }\n[[steps]]\n'
        'text = { en = "a", zh_CN = "甲" }\nsetup.data = { preset = "xor" }\n'
        'setup.views = ["boundary", "embedding"]\n'
    )
    (tmp_path / "mine.toml").write_text(text, encoding="utf-8")
    monkeypatch.setattr("dlviz.core.lessons.user_lessons_dir", lambda: str(tmp_path))
    shot = tmp_path / "shot.png"
    assert main(["--lesson", "mine", "--screenshot", str(shot)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and not shot.exists()
    assert "mine.toml: step 1.setup.views[2]: unknown view 'embedding'; choose from boundary" in err


def test_regression_keeps_a_sigmoid_output_chosen_in_the_network_panel(window, lessons, qtbot):
    """The 2-4-1 example's sigmoid output survives an edit of the network, and can be chosen."""
    lessons.load_example("textbook-2-4-1")
    qtbot.waitUntil(lambda: spec_of(window) == "2-4(sigmoid)-1 sigmoid/mse", timeout=SNAPSHOT_MS)
    panel = window.network_panel
    assert panel.loss.currentData() == "mse:sigmoid"
    panel.add_layer()  # an edit rebuilds the spec from the panel
    qtbot.waitUntil(lambda: len(window.session.latest.spec.hidden) == 2, timeout=SNAPSHOT_MS)
    assert window.session.latest.spec.output == "sigmoid"
    panel.loss.setCurrentIndex(panel.loss.findData("mse"))
    qtbot.waitUntil(lambda: spec_of(window).endswith("-1 identity/mse"), timeout=SNAPSHOT_MS)


def test_opening_a_lesson_over_unsaved_work_asks_first(window, lessons, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    answers = [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Discard]
    asked: list[str] = []

    def question(parent, title, text, buttons):
        asked.append(title)
        return answers.pop(0)

    monkeypatch.setattr(QMessageBox, "question", question)
    window.project.set_modified(True)
    lesson = load_lesson("xor", extra_dirs=())
    lessons.choose(lesson)
    assert asked == ["Unsaved changes"] and lessons.panel is None  # cancelled: nothing lost
    lessons.choose(lesson)
    assert lessons.panel is not None and lessons.panel.lesson.name == "xor"
    assert not window.project.modified and window.project.path is None


def test_the_line_examples_equation_on_the_canvas_is_the_models_own(window, lessons, qtbot):
    """y = 3x + 2: the canvas writes y = w·x + b with the model's w and b, in the raw x."""
    lessons.load_example("textbook-line")
    qtbot.waitUntil(lambda: spec_of(window) == "1-1 identity/mse", timeout=SNAPSHOT_MS)
    train(qtbot, window, 300)
    view = window.views["boundary"]
    snap = window.session.latest
    qtbot.waitUntil(lambda: view._last_snap is not None and view._last_snap.step == snap.step)
    # the line the canvas draws, read off its own grid: an oracle that knows nothing of
    # the parameters' layout or of the normalisation
    x0, x1 = snap.grid_bounds[0], snap.grid_bounds[1]
    y = np.asarray(snap.grid[:, 0], np.float64)
    w = (y[-1] - y[0]) / (x1 - x0)
    b = y[0] - w * x0
    assert abs(w - 3) < 0.5 and abs(b - 2) < 0.5  # it has learned the rule
    assert view.equation.isVisible()
    shown = re.fullmatch(r"y = (-?\d+\.\d\d)·x ([+−]) (\d+\.\d\d)", view.equation.text())
    assert shown is not None, view.equation.text()
    shown_b = float(shown[3]) * (-1 if shown[2] == "−" else 1)
    # 2 decimals: within half a unit of the last place, and float32 grid's rounding
    assert abs(float(shown[1]) - w) < 0.006 and abs(shown_b - b) < 0.006
    window.network_panel.add_layer()  # a hidden layer: no longer a line
    qtbot.waitUntil(lambda: len(window.session.latest.spec.hidden) == 1, timeout=SNAPSHOT_MS)
    qtbot.waitUntil(lambda: not view.equation.isVisible(), timeout=SNAPSHOT_MS)


def test_early_stopping_from_the_training_panel_pauses_and_says_why(window, lessons, qtbot):
    """The overfitting set-up with patience typed into the Training panel: training pauses
    itself once the test loss stops improving, and the status bar says so (no dialog)."""
    lesson = load_lesson("overfitting", extra_dirs=())
    lessons.open(lesson)  # a big network on 20 noisy training points
    qtbot.waitUntil(lambda: spec_of(window).startswith("2-32(relu)"), timeout=SNAPSHOT_MS)
    panel = window.training_panel
    assert panel.patience.value() == 0 and panel.patience.text() == "off"
    panel.patience.setValue(5)
    qtbot.waitUntil(
        lambda: window.worker.run_job(lambda t: t.config).result(timeout=10).patience == 5,
        timeout=10_000,
    )
    panel.set_max_speed(True)
    window.worker.play()
    qtbot.waitUntil(lambda: window.state == "paused" and window.session.latest.epoch > 5,
                    timeout=SNAPSHOT_MS)  # fmt: skip
    epoch = window.session.latest.epoch
    assert window.statusBar().currentMessage() == f"Paused: early stopping at epoch {epoch}"
    assert "has not improved for 5 epochs" in window.statusBar().toolTip()
    assert not window.actions["play"].isChecked() and window.notifier.current() is None
    assert window.worker.run_job(lambda t: t.stopped).result(timeout=10)
    # turned off, training goes on from where it stopped
    panel.patience.setValue(0)
    qtbot.waitUntil(
        lambda: window.worker.run_job(lambda t: not t.stopped).result(timeout=10),
        timeout=10_000,
    )
    window.worker.play()
    qtbot.waitUntil(lambda: window.session.latest.epoch > epoch + 5, timeout=SNAPSHOT_MS)
    window.worker.pause()


def test_the_overfitting_lessons_early_stopping_step_shows_its_patience_in_the_panel(
    window, lessons, qtbot
):
    lesson = load_lesson("overfitting", extra_dirs=())
    step = next(i for i, s in enumerate(lesson.steps) if s.highlight == "patience")
    window.resize(1280, 720)  # the projector's size: the Training panel scrolls
    lessons.open(lesson, step)
    field = window.training_panel.patience
    qtbot.waitUntil(lambda: field.value() == 10, timeout=SNAPSHOT_MS)
    # the highlighted field has been scrolled into view
    qtbot.waitUntil(lambda: field.visibleRegion().boundingRect().height() == field.height())
    qtbot.waitUntil(
        lambda: window.worker.run_job(lambda t: t.config).result(timeout=10).patience == 10,
        timeout=10_000,
    )
