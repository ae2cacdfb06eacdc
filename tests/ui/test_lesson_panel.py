"""The lesson panel driven as a teacher would, the highlight frame, and the shipped lessons
checked against the names of the real window (views, panels, controls)."""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton, QWidget

from dlviz.core.lessons import discover, load_lesson
from dlviz.ui.lesson_panel import Highlight, LessonPanel


def make_panel(qtbot, name: str = "xor", language: str = "en") -> tuple[LessonPanel, list]:
    panel = LessonPanel(load_lesson(name, extra_dirs=()), language)
    qtbot.addWidget(panel)
    entered: list = []
    panel.step_entered.connect(lambda index, setup: entered.append((index, setup)))
    panel.highlight_changed.connect(lambda name: entered.append(("highlight", name)))
    return panel, entered


def test_next_applies_the_steps_own_changes_back_and_restart_the_whole_set_up(qtbot):
    panel, entered = make_panel(qtbot)
    lesson = panel.lesson
    assert panel.counter.text() == "Step 1 of 3" and not panel.back.isEnabled()
    assert "one straight line" in panel.text.toPlainText()
    panel.open_step(0)
    assert entered == [(0, lesson.setup_at(0)), ("highlight", "button-play")]
    entered.clear()
    panel.next.click()
    assert panel.counter.text() == "Step 2 of 3" and panel.back.isEnabled()
    assert entered[0] == (1, lesson.steps[1].setup)  # only what step 2 changes
    entered.clear()
    panel.restart.click()
    assert entered[0] == (1, lesson.setup_at(1))  # everything, from scratch
    panel.next.click()
    assert not panel.next.isEnabled() and panel.status.text() == "Last step."
    entered.clear()
    panel.back.click()
    assert panel.index == 1 and entered[0] == (1, lesson.setup_at(1))


def test_a_condition_met_says_so_and_never_walks_on_by_itself(qtbot):
    panel, _ = make_panel(qtbot)
    assert panel.status.text() == "Next step after pressing Play."
    panel.progress(50, 0.99)  # not what step 1 waits for
    assert not panel.ready
    panel.play_pressed()
    assert panel.ready and panel.status.text().startswith("✓") and panel.index == 0
    panel.go_next()  # step 2 waits for 95% test accuracy
    assert not panel.ready and "95%" in panel.status.text()
    panel.progress(10, 0.9)
    assert not panel.ready
    panel.progress(11, 0.96)
    assert panel.ready and panel.index == 1


def test_a_setting_condition_waits_for_that_setting(qtbot):
    panel, _ = make_panel(qtbot, "batch-size")
    panel.open_step(2)
    panel.setting_changed("training.lr")
    assert not panel.ready
    panel.setting_changed("training.batch_size")
    assert panel.ready


def test_the_panel_shows_the_lesson_in_chinese(qtbot):
    panel, _ = make_panel(qtbot, language="zh_CN")
    assert panel.title.text().startswith("异或") and "一条直线" in panel.text.toPlainText()
    panel.set_language("en")
    assert panel.title.text().startswith("XOR")


def test_the_highlight_frames_its_target_and_follows_it(qtbot):
    window = QWidget()
    qtbot.addWidget(window)
    window.resize(400, 300)
    button = QPushButton("Play", window)
    button.setGeometry(50, 60, 80, 30)
    window.show()
    frame = Highlight(window)
    frame.point_at(button)
    assert frame.isVisible() and frame.geometry().contains(button.geometry())
    button.move(200, 150)
    assert frame.geometry().contains(button.geometry())
    button.hide()
    assert not frame.isVisible()
    button.show()
    assert frame.isVisible()
    frame.point_at(None)
    assert not frame.isVisible()


def test_every_shipped_lesson_names_only_views_panels_and_controls_the_window_has(window):
    names = window.lessons.names()
    assert "hidden-space" in names.views and "training" in names.panels
    assert "button-play" in names.widgets and "learning-rate" in names.widgets
    entries = discover(names, extra_dirs=())
    assert [e.error for e in entries if e.error] == []
    assert len(entries) >= 10
