"""The Chinese UI: a complete, current catalogue, and a language switch that keeps the work.

The catalogue tests run ``pyside6-lupdate`` over the code into a temporary
file and ``pyside6-lrelease`` over the repository's ``.ts``: a text in the
code that the ``.ts`` lacks, or a ``.qm`` not compiled from the ``.ts``,
fails them, as does a message without a translation.
"""

from __future__ import annotations

import string
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication, QLabel

from dlviz.ui import i18n
from dlviz.ui.i18n import translate

ROOT = Path(__file__).resolve().parents[2]
TOOL = ROOT / "tools" / "update_translations.py"
TS = ROOT / "dlviz" / "resources" / "translations" / "dlviz_zh_CN.ts"


def messages(path: Path) -> list[tuple[str, str, ET.Element]]:
    """(context, source, translation element) of every message in a .ts file."""
    found = []
    for context in ET.parse(path).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            found.append((name, message.findtext("source") or "", message.find("translation")))
    return found


def fields(text: str) -> list[str]:
    return sorted({f for _, f, _, _ in string.Formatter().parse(text) if f is not None})


@pytest.fixture
def english():
    """Leave the app in English whatever a test switched to (the other tests read English)."""
    yield
    i18n.install("en")


def test_the_catalogue_is_current_with_the_code_and_compiled():
    """lupdate over the code finds no text the .ts lacks; lrelease of the .ts is the .qm."""
    run = subprocess.run(
        [sys.executable, str(TOOL), "--check"], capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr


def test_every_text_has_a_chinese_translation_with_the_same_fields():
    found = messages(TS)
    assert len(found) > 300  # the whole UI, not a sample
    untranslated = [
        (ctx, src)
        for ctx, src, tr in found
        if tr is None or tr.get("type") in ("unfinished", "vanished", "obsolete") or not tr.text
    ]
    assert not untranslated, f"texts without a zh_CN translation: {untranslated}"
    # a translation that loses or invents a {field} shows wrong numbers or raises KeyError
    wrong = [(src, tr.text) for _, src, tr in found if fields(src) != fields(tr.text or "")]
    assert not wrong, f"translations whose {{fields}} differ from the source: {wrong}"


def test_names_the_core_defines_are_all_marked_for_translation():
    """A preset, optimizer, activation or colour added to the core without a line here stays
    English."""
    from dlviz.core.colors import OKABE_ITO_NAMES
    from dlviz.core.data import PRESETS
    from dlviz.core.images import IMAGE_PRESETS
    from dlviz.core.optim import OPTIMIZER_LABELS
    from dlviz.ui import core_texts
    from dlviz.ui.panels.data_panel import IMAGE_PRESET_LABELS, PRESET_LABELS

    assert set(OPTIMIZER_LABELS.values()) <= set(core_texts.OPTIMIZERS)
    assert tuple(OKABE_ITO_NAMES) == core_texts.COLOURS
    assert set(PRESET_LABELS) == set(PRESETS)
    assert set(IMAGE_PRESET_LABELS) == set(IMAGE_PRESETS)
    from dlviz.core.activations import HIDDEN

    assert {act.label for act in HIDDEN} <= set(core_texts.ACTIVATIONS)
    from dlviz.core.export import EXPORT_FORMATS

    assert {label for label, _, _ in EXPORT_FORMATS.values()} <= set(core_texts.EXPORT_LABELS)


def test_the_command_line_offers_the_languages_the_app_has():
    from dlviz.ui import app

    assert tuple(app.LANGUAGES) == tuple(i18n.LANGUAGES)


def test_an_unknown_language_on_the_command_line_is_one_line_and_status_2(capsys):
    from dlviz.ui.app import main

    assert main(["--lang", "fr"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "fr" in err and "zh_CN" in err


def test_installing_chinese_translates_dlviz_and_qt_texts(qapp, english):
    i18n.install("zh_CN")
    assert translate("views", "Decision boundary") == "决策边界"
    assert translate("TrainingPanel", "Learning rate") == "学习率"
    # Qt's own catalogue: the standard buttons of every dialog
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox()
    box.setStandardButtons(QMessageBox.StandardButton.Cancel)
    assert box.buttons()[0].text() == "取消"
    box.deleteLater()
    i18n.install("en")
    assert translate("views", "Decision boundary") == "Decision boundary"


def test_view_language_switches_to_chinese_and_keeps_the_work(make_window, qtbot, english):
    window = make_window("xor")
    window.worker.train_steps(30)
    qtbot.waitUntil(lambda: window.session.latest.step >= 30, timeout=60_000)
    window.worker.pause()
    qtbot.waitUntil(lambda: window.state == "paused", timeout=10_000)
    before = window.session.latest
    assert window.menus["file"].title() == "&File"
    assert window.actions["lang_en"].isChecked()

    window.actions["lang_zh_CN"].trigger()
    new = next(
        w
        for w in QApplication.topLevelWidgets()
        if w.objectName() == "dlviz-main" and w.isVisible()
    )
    qtbot.addWidget(new)
    assert new is not window
    assert i18n.saved_language() == "zh_CN"  # remembered for the next start
    assert new.actions["lang_zh_CN"].isChecked()
    # menus, dock titles and panel labels in Chinese
    assert new.menus["file"].title() == "文件(&F)"
    assert new.menus["language"].title() == "语言(&L)"
    assert new.docks["training"].windowTitle() == "训练"
    labels = {label.text() for label in new.training_panel.findChildren(QLabel)}
    assert {"学习率", "批大小", "优化器"} <= labels
    assert new.views["boundary"].display_title() == "决策边界"
    # the same run goes on: its step, data and weights
    qtbot.waitUntil(lambda: new.session.latest is not None, timeout=60_000)
    qtbot.waitUntil(lambda: new.session.latest.step == before.step, timeout=60_000)
    after = new.session.latest
    assert new.session.dataset.name == "xor"
    for layer in range(len(before.spec.sizes) - 1):
        np.testing.assert_array_equal(after.weight(layer), before.weight(layer))

    # and back: English again, also remembered
    new.actions["lang_en"].trigger()
    back = next(
        w
        for w in QApplication.topLevelWidgets()
        if w.objectName() == "dlviz-main" and w.isVisible() and w is not new
    )
    qtbot.addWidget(back)
    assert back.menus["file"].title() == "&File"
    assert i18n.saved_language() == "en"


def test_an_open_lesson_follows_the_language_switch(make_window, qtbot, english):
    """The lesson stays open at its step; its panel's buttons and its own text turn Chinese."""
    from dlviz.core.lessons import load_lesson

    window = make_window("xor")
    lesson = load_lesson("xor", window.lessons.names())
    window.lessons.open(lesson, 1)
    assert window.lessons.panel.next.text() == "Next"

    window.actions["lang_zh_CN"].trigger()
    new = next(
        w
        for w in QApplication.topLevelWidgets()
        if w.objectName() == "dlviz-main" and w.isVisible()
    )
    qtbot.addWidget(new)
    panel = new.lessons.panel
    assert panel is not None and panel.lesson.name == lesson.name and panel.index == 1
    assert panel.next.text() == "下一步" and panel.back.text() == "上一步"
    assert panel.counter.text() == f"第 2 步，共 {panel.n_steps} 步"
    assert panel.title.text() == lesson.title_in("zh_CN") != lesson.title_in("en")
    assert new.lessons.dock.windowTitle() == "课程"
    assert new.menus["lessons"].title() == "课程(&L)"
