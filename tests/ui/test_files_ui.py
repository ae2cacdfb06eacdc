"""The File menu through a real window: projects resume exactly, errors, exports, autosave."""

from __future__ import annotations

import os

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QImage
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton
from ui_helpers import drag, train

from dlviz.core.data import make_dataset, write_csv
from dlviz.core.network import LayerSpec
from dlviz.core.project import load_project
from dlviz.ui.files import AUTOSAVE_NAME
from dlviz.ui.session import DataSettings


def params(window):
    return window.worker.submit(lambda t: t.params.copy()).result(timeout=10)


def setup_network(qtbot, window):
    window.network_panel.set_hidden((LayerSpec(6, "tanh"), LayerSpec(4, "relu")))
    window.training_panel.batch.setValue(7)
    window.training_panel.set_learning_rate(0.05)
    qtbot.waitUntil(
        lambda: window.worker.submit(lambda t: t.spec.sizes).result(timeout=10) == (2, 6, 4, 1),
        timeout=10_000,
    )


def test_project_resumes_bit_for_bit(qtbot, make_window, tmp_path):
    a = make_window("spiral")
    setup_network(qtbot, a)
    train(qtbot, a, 37)  # mid-epoch: the shuffle order and position matter
    path = str(tmp_path / "lesson.dlviz")
    assert a.files.save_as(path)
    assert os.path.exists(path)
    assert not a.isWindowModified()
    assert a.windowTitle() == "lesson.dlviz[*] — dlviz"

    b = make_window("circle")
    assert b.files.open(path)
    qtbot.waitUntil(lambda: b.session.latest.step == a.session.latest.step, timeout=10_000)
    np.testing.assert_array_equal(params(b), params(a))
    # the panels show the project's settings
    assert [layer.width for layer in b.network_panel.hidden()] == [6, 4]
    assert b.training_panel.batch.value() == 7
    assert b.training_panel.lr.value() == pytest.approx(0.05)
    np.testing.assert_array_equal(b.session.dataset.points, a.session.dataset.points)
    qtbot.waitUntil(
        lambda: (
            b.session.history.size >= len(a.worker.submit(lambda t: t.history).result(timeout=10))
        ),
        timeout=5_000,
    )  # the loss curve came along
    assert not b.isWindowModified()

    train(qtbot, a, 50)
    train(qtbot, b, 50)
    np.testing.assert_array_equal(params(b), params(a))


def test_modified_marker_after_painting_cleared_on_save(qtbot, window, tmp_path):
    assert not window.isWindowModified()
    drag(qtbot, window, [(0.2, 0.3)])
    qtbot.waitUntil(window.isWindowModified, timeout=2_000)
    assert window.files.save_as(str(tmp_path / "p.dlviz"))
    assert not window.isWindowModified()


def test_corrupt_project_shows_error_and_keeps_session(qtbot, window, tmp_path):
    bad = tmp_path / "broken.dlviz"
    bad.write_bytes(b"PK\x03\x04 this is not a zip archive")
    before = window.session.dataset
    title = window.windowTitle()
    assert not window.files.open(str(bad))
    box = window.message_box()
    assert box is not None and "broken.dlviz" in box.text()
    box.close()
    assert window.session.dataset is before
    assert window.windowTitle() == title
    assert bad.read_bytes() == b"PK\x03\x04 this is not a zip archive"


def test_unwritable_path_shows_error(qtbot, window, tmp_path):
    target = tmp_path / "no" / "such" / "dir" / "x.dlviz"
    assert not window.files.save_as(str(target))
    assert window.message_box() is not None
    window.message_box().close()
    assert window.files.path is None


def test_export_onnx_matches_predictions(qtbot, window, tmp_path):
    ort = pytest.importorskip("onnxruntime")
    train(qtbot, window, 20)
    path = str(tmp_path / "model.onnx")
    assert window.files.export_weights(path)
    x = window.session.dataset.points[:50].astype(np.float32)
    want = window.worker.submit(lambda t: t.predict(x)).result(timeout=10)
    sess = ort.InferenceSession(path)
    got = sess.run(None, {sess.get_inputs()[0].name: x})[0]
    np.testing.assert_allclose(got, want, atol=1e-5)


def test_import_weights_round_trip_and_mismatch(qtbot, make_window, tmp_path):
    a = make_window("circle")
    train(qtbot, a, 20)
    path = str(tmp_path / "w.npz")
    assert a.files.export_weights(path)
    b = make_window("circle")
    assert b.files.import_weights(path)
    np.testing.assert_array_equal(params(b), params(a))

    b.network_panel.set_hidden((LayerSpec(8, "tanh"), LayerSpec(3, "tanh")))
    qtbot.waitUntil(
        lambda: b.worker.submit(lambda t: t.spec.sizes).result(timeout=10) == (2, 8, 3, 1),
        timeout=10_000,
    )
    before = params(b)
    assert not b.files.import_weights(path)
    text = b.message_box().text()
    b.message_box().close()
    assert "layer 2" in text and "(8, 8)" in text and "(8, 3)" in text, text
    np.testing.assert_array_equal(params(b), before)


def test_autosave_and_restore_after_crash(qtbot, make_window, tmp_path):
    data_dir = str(tmp_path / "data")
    a = make_window("circle")
    a.files.enable_autosave(data_dir)
    assert not a.files.autosave()  # nothing changed yet
    drag(qtbot, a, [(0.25, -0.4)])
    qtbot.waitUntil(a.isWindowModified, timeout=2_000)
    a.files.autosave_timer.timeout.emit()
    saved = os.path.join(data_dir, AUTOSAVE_NAME)
    assert os.path.exists(saved)
    points = a.session.dataset.points.copy()

    # a crash leaves the file; a new window offers to restore it
    b = make_window("xor")
    b.files.enable_autosave(data_dir)
    b.files.offer_restore()
    box = b.message_box()
    assert box is not None and "Restore" in box.windowTitle()
    box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: b.session.dataset.n == len(points), timeout=5_000)
    np.testing.assert_array_equal(b.session.dataset.points, points)

    # a clean exit removes it
    a.close()
    assert not os.path.exists(saved)


def test_drop_csv_opens_it(qtbot, window, tmp_path):
    data = make_dataset("xor", n=40, seed=3)
    path = tmp_path / "drop.csv"
    write_csv(data, str(path))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    action, button = Qt.DropAction.CopyAction, Qt.MouseButton.LeftButton
    no_mods = Qt.KeyboardModifier.NoModifier
    # QApplication.sendEvent drops drag events that no drag manager started: go to event()
    enter = QDragEnterEvent(QPoint(100, 100), action, mime, button, no_mods)
    window.event(enter)
    assert enter.isAccepted()
    window.event(QDropEvent(QPointF(100, 100), action, mime, button, no_mods))
    assert window.session.dataset.n == 40
    np.testing.assert_allclose(window.session.dataset.points, data.points, atol=1e-6)


def test_recent_files_drop_missing(qtbot, window, tmp_path):
    path = str(tmp_path / "r.dlviz")
    assert window.files.save_as(path)
    assert window.files.recent()[0] == os.path.abspath(path)
    os.remove(path)
    assert not window.files.open_recent(os.path.abspath(path))
    assert "no longer exists" in window.message_box().text()
    window.message_box().close()
    assert os.path.abspath(path) not in window.files.recent()


def test_export_view_png_and_svg(qtbot, window, tmp_path):
    png = tmp_path / "loss.png"
    assert window.files.export_view_image("boundary", str(png))
    image = QImage(str(png))
    view = window.views["boundary"]
    assert image.width() >= view.width() and image.height() >= view.height()
    svg = tmp_path / "boundary.svg"
    assert window.files.export_view_image("boundary", str(svg))
    text = svg.read_text(encoding="utf-8")
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    window.files.copy_view("boundary")
    assert not QApplication.clipboard().pixmap().isNull()


def gif_frames(path):
    from PIL import Image

    with Image.open(path) as im:
        return im.n_frames


def test_gif_export_and_cancel(qtbot, window, tmp_path):
    for i in range(12):  # each step is a timeline point with a decision grid
        window.worker.step_batch()
        qtbot.waitUntil(lambda i=i: window.session.latest.step == i + 1, timeout=5_000)
    assert len(window.worker.timeline_entries()) >= 12
    path = tmp_path / "run.gif"
    assert window.files.export_gif(str(path), frames=4)
    dialog = window.files.gif_job.dialog
    assert dialog.isVisible()
    qtbot.waitUntil(lambda: window.files.gif_job is None, timeout=30_000)
    assert gif_frames(path) == 4

    stopped = tmp_path / "stopped.gif"
    assert window.files.export_gif(str(stopped))
    job = window.files.gif_job
    job.dialog.findChild(QPushButton).click()  # the dialog's Cancel
    qtbot.waitUntil(lambda: window.files.gif_job is None, timeout=30_000)
    assert job.cancelled
    assert not stopped.exists()
    assert window.message_box() is None


def answer_next_question(button):
    """Click ``button`` on the next modal message box (QMessageBox.question blocks)."""

    def poll():
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            box.button(button).click()
        else:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(20, poll)


def test_closing_with_unsaved_work_asks_first(qtbot, window, tmp_path):
    window.files.ask_on_close = True  # as the real app does
    path = tmp_path / "lesson.dlviz"
    assert window.files.save_as(str(path))
    saved = load_project(path)[0].dataset.n
    drag(qtbot, window, [(0.2, 0.3)])
    qtbot.waitUntil(window.isWindowModified, timeout=2_000)
    points = window.session.dataset.n
    assert points == saved + 1

    answer_next_question(QMessageBox.StandardButton.Cancel)
    assert not window.close()  # Cancel: the window and the lesson stay
    assert window.isVisible() and window.worker.is_running()
    assert window.session.dataset.n == points and window.isWindowModified()

    answer_next_question(QMessageBox.StandardButton.Save)
    assert window.close()  # Save: written first, then closed
    assert load_project(path)[0].dataset.n == points


def test_file_new_starts_an_unsaved_session_with_default_data(qtbot, make_window, tmp_path):
    window = make_window("moons")
    path = tmp_path / "moons.dlviz"
    assert window.files.save_as(str(path))
    before = window.session.latest.params.copy()
    window.actions["new"].trigger()
    assert window.session.dataset.name == DataSettings().preset
    assert window.windowTitle() == f"{DataSettings().preset}[*] — dlviz"
    assert not window.isWindowModified()
    qtbot.waitUntil(
        lambda: (
            window.session.latest.step == 0
            and window.session.latest.params.shape == before.shape
            and not np.array_equal(window.session.latest.params, before)
        ),
        timeout=10_000,
    )  # fresh weights
    assert path.exists()  # the old file is untouched: Save now asks for a new name
    assert window.files.path is None
