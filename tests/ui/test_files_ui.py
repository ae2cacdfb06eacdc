"""The File menu through a real window: projects resume exactly, errors, exports, autosave."""

from __future__ import annotations

import os
import shutil
import threading

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QImage, QPainter
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QPushButton
from ui_helpers import drag, train

from dlviz.core.data import make_dataset, read_csv, write_csv
from dlviz.core.export import EXPORT_FORMATS
from dlviz.core.network import LayerSpec
from dlviz.core.project import load_project
from dlviz.core.weights import WEIGHT_FORMATS
from dlviz.ui.session import DataSettings

JOB_MS = 30_000
START_MS = 60_000  # the JIT warm-up (as conftest's START_TIMEOUT_MS)


def params(window):
    return window.worker.run_job(lambda t: t.params.copy()).result(timeout=10)


def run_job(qtbot, window, what, action):
    """Start a file job for the worker (``action()`` returns True) and wait for its end.

    Returns the error message ("" when it worked).
    """
    with qtbot.waitSignal(
        window.project.job_finished, timeout=JOB_MS, check_params_cb=lambda w, _e: w == what
    ) as blocker:
        assert action()
    return blocker.args[1]


def save_as(qtbot, window, path):
    error = run_job(qtbot, window, "save", lambda: window.project.save_as(str(path)))
    assert error == ""


def setup_network(qtbot, window):
    window.network_panel.set_hidden((LayerSpec(6, "tanh"), LayerSpec(4, "relu")))
    window.training_panel.batch.setValue(7)
    window.training_panel.set_learning_rate(0.05)
    qtbot.waitUntil(
        lambda: window.worker.run_job(lambda t: t.spec.sizes).result(timeout=10) == (2, 6, 4, 1),
        timeout=10_000,
    )


def test_project_resumes_bit_for_bit(qtbot, make_window, tmp_path):
    a = make_window("spiral")
    setup_network(qtbot, a)
    train(qtbot, a, 37)  # mid-epoch: the shuffle order and position matter
    path = str(tmp_path / "lesson.dlviz")
    save_as(qtbot, a, path)
    assert os.path.exists(path)
    assert not a.isWindowModified()
    assert a.windowTitle() == "lesson.dlviz[*] — dlviz"

    b = make_window("circle")
    assert b.project.open(path)
    qtbot.waitUntil(lambda: b.session.latest.step == a.session.latest.step, timeout=10_000)
    np.testing.assert_array_equal(params(b), params(a))
    # the panels show the project's settings
    assert [layer.width for layer in b.network_panel.hidden()] == [6, 4]
    assert b.training_panel.batch.value() == 7
    assert b.training_panel.lr.value() == pytest.approx(0.05)
    np.testing.assert_array_equal(b.session.dataset.points, a.session.dataset.points)
    qtbot.waitUntil(
        lambda: (
            b.session.history.size >= len(a.worker.run_job(lambda t: t.history).result(timeout=10))
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
    save_as(qtbot, window, tmp_path / "p.dlviz")
    assert not window.isWindowModified()


def test_corrupt_project_shows_error_and_keeps_session(qtbot, window, tmp_path):
    bad = tmp_path / "broken.dlviz"
    bad.write_bytes(b"PK\x03\x04 this is not a zip archive")
    before = window.session.dataset
    title = window.windowTitle()
    assert not window.project.open(str(bad))
    box = window.message_box()
    assert box is not None and "broken.dlviz" in box.text()
    box.close()
    assert window.session.dataset is before
    assert window.windowTitle() == title
    assert bad.read_bytes() == b"PK\x03\x04 this is not a zip archive"


def test_unwritable_path_shows_error(qtbot, window, tmp_path):
    target = tmp_path / "no" / "such" / "dir" / "x.dlviz"
    error = run_job(qtbot, window, "save", lambda: window.project.save_as(str(target)))
    assert "x.dlviz" in error
    assert window.message_box() is not None and window.message_box().text() == error
    window.message_box().close()
    assert window.project.path is None


def test_export_onnx_matches_predictions(qtbot, window, tmp_path):
    ort = pytest.importorskip("onnxruntime")
    train(qtbot, window, 20)
    path = str(tmp_path / "model.onnx")
    assert (
        run_job(qtbot, window, "export_weights", lambda: window.project.export_weights(path)) == ""
    )
    x = window.session.dataset.points[:50].astype(np.float32)
    want = window.worker.run_job(lambda t: t.predict(x)).result(timeout=10)
    sess = ort.InferenceSession(path)
    got = sess.run(None, {sess.get_inputs()[0].name: x})[0]
    np.testing.assert_allclose(got, want, atol=1e-5)


def patch_dialogs(monkeypatch, *, open_path=None, save_path=None, save_filter=""):
    """The file dialogs answer at once (a modal dialog would block the test)."""
    if open_path is not None:
        monkeypatch.setattr(
            QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(open_path), ""))
        )
    if save_path is not None:
        monkeypatch.setattr(
            QFileDialog,
            "getSaveFileName",
            staticmethod(lambda *a, **k: (str(save_path), save_filter)),
        )


def import_through_menu(qtbot, window, monkeypatch, path):
    """File ▸ Import weights, the dialog answering ``path``; the error text ("" if it worked)."""
    patch_dialogs(monkeypatch, open_path=path)
    return run_job(
        qtbot, window, "import_weights", lambda: window.actions["import_weights"].trigger() or True
    )


def set_layers(qtbot, window, layers):
    window.network_panel.set_hidden(layers)
    want = window._build_spec(quiet=True)
    qtbot.waitUntil(
        lambda: window.worker.run_job(lambda t: t.spec).result(timeout=10) == want, timeout=10_000
    )


def optimizer_state(window):
    return window.worker.run_job(lambda t: (t.state.m.copy(), t.state.v.copy(), t.state.t)).result(
        timeout=10
    )


def test_import_weights_round_trip_resets_the_optimizer(qtbot, make_window, tmp_path, monkeypatch):
    a = make_window("circle")
    train(qtbot, a, 20)
    path = tmp_path / "w.npz"
    patch_dialogs(monkeypatch, save_path=tmp_path / "w", save_filter="NumPy weights (*.npz)")
    export = lambda: a.actions["export_weights"].trigger() or True  # noqa: E731
    assert run_job(qtbot, a, "export_weights", export) == ""
    assert path.exists()  # the filter chose the suffix
    b = make_window("circle")
    train(qtbot, b, 15)
    m, v, t = optimizer_state(b)
    assert t > 0 and np.abs(m).max() > 0  # Adam's moments of b's own weights
    assert import_through_menu(qtbot, b, monkeypatch, path) == ""
    np.testing.assert_array_equal(params(b), params(a))
    m, v, t = optimizer_state(b)
    assert t == 0 and not m.any() and not v.any()  # they belonged to the old weights
    assert b.isWindowModified()
    assert "loaded weights" in b.statusBar().currentMessage()
    qtbot.waitUntil(lambda: np.array_equal(b.session.latest.params, params(a)), timeout=5_000)
    train(qtbot, b, 5)  # and it trains on from there
    assert np.isfinite(params(b)).all()


def test_import_weights_of_another_shape_names_the_layer(qtbot, make_window, tmp_path, monkeypatch):
    a = make_window("circle")
    path = str(tmp_path / "w.npz")
    assert run_job(qtbot, a, "export_weights", lambda: a.project.export_weights(path)) == ""
    b = make_window("circle")
    set_layers(qtbot, b, (LayerSpec(8, "tanh"), LayerSpec(3, "tanh")))
    before = params(b)
    text = import_through_menu(qtbot, b, monkeypatch, path)
    assert b.message_box().text() == text
    b.message_box().close()
    assert "layer 2" in text and "(8, 8)" in text and "(8, 3)" in text, text
    np.testing.assert_array_equal(params(b), before)


def test_import_weights_with_other_activations_or_output_is_refused(
    qtbot, make_window, tmp_path, monkeypatch
):
    a = make_window("circle")
    set_layers(qtbot, a, (LayerSpec(6, "tanh"), LayerSpec(4, "tanh")))
    path = str(tmp_path / "w.npz")
    assert run_job(qtbot, a, "export_weights", lambda: a.project.export_weights(path)) == ""

    b = make_window("circle")
    set_layers(qtbot, b, (LayerSpec(6, "relu"), LayerSpec(4, "tanh")))  # same shapes
    before = params(b)
    text = import_through_menu(qtbot, b, monkeypatch, path)
    b.message_box().close()
    assert "w.npz was trained with tanh in hidden layer 1" in text, text
    assert "this network uses relu" in text and "set layer 1 to tanh" in text, text
    np.testing.assert_array_equal(params(b), before)

    # the same shapes and activations, another output: mse on an identity output (regression)
    set_layers(qtbot, b, (LayerSpec(6, "tanh"), LayerSpec(4, "tanh")))
    c = make_window("plane")  # regression data: an identity output, one value
    set_layers(qtbot, c, (LayerSpec(6, "tanh"), LayerSpec(4, "tanh")))
    before = params(c)
    text = import_through_menu(qtbot, c, monkeypatch, path)
    c.message_box().close()
    assert "sigmoid output" in text and "identity output" in text, text
    np.testing.assert_array_equal(params(c), before)

    # weights that fit load, and the network then predicts what the file's network did
    assert import_through_menu(qtbot, b, monkeypatch, path) == ""
    x = a.session.dataset.points[:20]
    want = a.worker.run_job(lambda t: t.predict(x)).result(timeout=10)
    got = b.worker.run_job(lambda t: t.predict(x)).result(timeout=10)
    np.testing.assert_allclose(got, want, atol=1e-6)

    # two inputs still, but other ones: x1 and x1·x2 instead of x1 and x2
    boxes = b.network_panel.feature_boxes
    boxes["x1x2"].click()
    boxes["x2"].click()
    qtbot.waitUntil(
        lambda: b.worker.run_job(lambda t: t.spec.features).result(timeout=10) == ("x1", "x1x2"),
        timeout=10_000,
    )
    text = import_through_menu(qtbot, b, monkeypatch, path)
    b.message_box().close()
    assert "trained on the input features x1, x2" in text and "uses x1, x1x2" in text, text


def test_import_weights_trained_on_normalised_inputs_is_refused(
    qtbot, window, tmp_path, monkeypatch
):
    from dlviz.core.data import make_dataset as make
    from dlviz.core.trainer import Trainer
    from dlviz.core.weights import save_weights

    spec = window.worker.run_job(lambda t: t.spec).result(timeout=10)
    cli = Trainer(make("circle", n=60, seed=1), spec, seed=2, engine="reference", normalise=True)
    assert cli.spec.input_shift  # what `dlviz train --normalise` makes
    path = tmp_path / "cli.safetensors"
    save_weights(path, cli.spec, cli.params, {})
    before = params(window)
    text = import_through_menu(qtbot, window, monkeypatch, path)
    window.message_box().close()
    assert "normalised" in text and "raw inputs" in text, text
    np.testing.assert_array_equal(params(window), before)


def test_export_csv_from_the_menu_reads_back_exactly(qtbot, make_window, tmp_path, monkeypatch):
    window = make_window("spiral")
    drag(qtbot, window, [(0.3, -0.2)])  # a painted point goes along
    qtbot.waitUntil(lambda: window.isWindowModified(), timeout=2_000)
    path = tmp_path / "points.csv"
    patch_dialogs(monkeypatch, save_path=path)
    window.actions["save_csv"].trigger()
    assert path.exists()
    assert "points" in window.statusBar().currentMessage()
    data, back = window.session.dataset, read_csv(path)
    assert back.kind == data.kind and back.n == data.n
    np.testing.assert_array_equal(back.points, data.points)
    np.testing.assert_array_equal(back.targets, data.targets)
    np.testing.assert_array_equal(back.is_test, data.is_test)  # the split came along
    assert data.is_test.any() and (~data.is_test).any()


def test_file_jobs_that_fail_show_a_message_not_an_exception(qtbot, window, tmp_path):
    bad = str(tmp_path / "no" / "dir" / "model.onnx")
    error = run_job(qtbot, window, "export_weights", lambda: window.project.export_weights(bad))
    assert "model.onnx" in error and window.message_box().text() == error
    window.message_box().close()
    missing = str(tmp_path / "nothing.npz")
    assert not window.project.import_weights(missing)  # read before anything is sent
    assert "does not exist" in window.message_box().text()
    window.message_box().close()


DROP = (Qt.DropAction.CopyAction,)
DROP_MOUSE = (Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)


def drag_onto(window, path) -> QMimeData | None:
    """Drag ``path`` over the window as a file manager would; its data if the window takes it."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    # QApplication.sendEvent drops drag events that no drag manager started: go to event()
    enter = QDragEnterEvent(QPoint(100, 100), *DROP, mime, *DROP_MOUSE)
    enter.setAccepted(False)
    window.event(enter)
    return mime if enter.isAccepted() else None


def drop_file(window, path):
    """Drag ``path`` onto the window and drop it."""
    mime = drag_onto(window, path)
    assert mime is not None
    window.event(QDropEvent(QPointF(100, 100), *DROP, mime, *DROP_MOUSE))


def test_drop_csv_opens_it(qtbot, window, tmp_path):
    data = make_dataset("xor", n=40, seed=3)
    path = tmp_path / "drop.csv"
    write_csv(data, str(path))
    drop_file(window, path)
    assert window.session.dataset.n == 40
    np.testing.assert_allclose(window.session.dataset.points, data.points, atol=1e-6)


def test_recent_files_drop_missing(qtbot, window, tmp_path):
    path = str(tmp_path / "r.dlviz")
    save_as(qtbot, window, path)
    assert window.recent.paths()[0] == os.path.abspath(path)
    os.remove(path)
    assert not window.recent.open(os.path.abspath(path))
    assert "no longer exists" in window.message_box().text()
    window.message_box().close()
    assert os.path.abspath(path) not in window.recent.paths()


def distinct_colours(image: QImage) -> np.ndarray:
    """The image's pixels as an (n, 3) array of RGB rows."""
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    w, h = image.width(), image.height()
    raw = np.frombuffer(image.constBits(), np.uint8, count=image.sizeInBytes())
    rows = raw.reshape(h, image.bytesPerLine())[:, : w * 4].reshape(h, w, 4)
    return rows[..., [2, 1, 0]].reshape(-1, 3).astype(int)  # BGRA in memory


def shows(pixels: np.ndarray, rgb, tol: int = 6, at_least: int = 20) -> bool:
    """Whether at least ``at_least`` pixels are within ``tol`` of colour ``rgb``."""
    near = np.abs(pixels - np.asarray(rgb, int)).max(axis=1) <= tol
    return int(near.sum()) >= at_least


def boundary_colours(window, k=2):
    """The ``k`` commonest colours of the heatmap the boundary view shows now."""
    heat = window.views["boundary"].boundary_pixels()
    assert heat is not None
    rgb = heat[..., :3].reshape(-1, 3).astype(int)
    colours, counts = np.unique(rgb, axis=0, return_counts=True)
    return colours[np.argsort(counts)[::-1][:k]]


def test_export_view_png_svg_and_clipboard_show_the_picture(qtbot, make_window, tmp_path):
    window = make_window("xor")
    train(qtbot, window, 200)  # a boundary with both classes' colours
    window.draw_frame()
    qtbot.wait(50)
    from dlviz.core.colors import OKABE_ITO_HEX, hex_to_rgb

    class_colours = [hex_to_rgb(c) for c in OKABE_ITO_HEX[:2]]
    heat = boundary_colours(window)

    def check(pixels):
        assert len(np.unique(pixels, axis=0)) > 50  # not a blank or flat image
        for rgb in heat:  # the heatmap's own colours...
            assert shows(pixels, rgb), rgb
        for rgb in class_colours:  # ...and the points' class colours
            assert shows(pixels, rgb, tol=12, at_least=5), rgb

    png = tmp_path / "boundary.png"
    assert window.images.export_view_image("boundary", str(png))
    image = QImage(str(png))
    view = window.views["boundary"]
    assert image.width() >= view.width() and image.height() >= view.height()
    check(distinct_colours(image))

    svg = tmp_path / "boundary.svg"
    assert window.images.export_view_image("boundary", str(svg))
    text = svg.read_text(encoding="utf-8")
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    # drawn elements: the heatmap and every point (pyqtgraph draws each point as a small
    # picture), the frame and the axis labels
    assert text.count("<image") > window.session.dataset.n // 2, text.count("<image")
    assert "<rect" in text and "<text" in text
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    assert renderer.isValid()
    drawn = QImage(view.width(), view.height(), QImage.Format.Format_RGB32)
    drawn.fill(0xFF000000)
    painter = QPainter(drawn)
    renderer.render(painter)
    painter.end()
    check(distinct_colours(drawn))  # drawn back, the SVG shows the same picture

    window.images.copy_view("boundary")
    pixmap = QApplication.clipboard().pixmap()
    assert not pixmap.isNull() and pixmap.size() == view.grab().size()
    check(distinct_colours(pixmap.toImage()))


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
    assert window.images.export_gif(str(path), frames=4)
    dialog = window.images.gif_job.dialog
    assert dialog.isVisible()
    qtbot.waitUntil(lambda: window.images.gif_job is None, timeout=30_000)
    assert gif_frames(path) == 4

    stopped = tmp_path / "stopped.gif"
    assert window.images.export_gif(str(stopped))
    job = window.images.gif_job
    job.dialog.findChild(QPushButton).click()  # the dialog's Cancel
    qtbot.waitUntil(lambda: window.images.gif_job is None, timeout=30_000)
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
    window.project.ask_on_close = True  # as the real app does
    path = tmp_path / "lesson.dlviz"
    save_as(qtbot, window, path)
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
    assert not window.close()  # Save: the worker writes the file; the window waits for it...
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=JOB_MS)  # ...then closes
    assert load_project(path)[0].dataset.n == points
    assert not window.worker.is_running()


def test_closing_when_the_save_fails_keeps_the_window_and_the_work(qtbot, window, tmp_path):
    window.project.ask_on_close = True
    folder = tmp_path / "gone"
    folder.mkdir()
    save_as(qtbot, window, folder / "lesson.dlviz")
    drag(qtbot, window, [(0.2, 0.3)])
    qtbot.waitUntil(window.isWindowModified, timeout=2_000)
    shutil.rmtree(folder)  # the file's folder is gone (a USB stick pulled out)
    answer_next_question(QMessageBox.StandardButton.Save)
    with qtbot.waitSignal(window.project.job_finished, timeout=JOB_MS) as blocker:
        assert not window.close()
    assert "lesson.dlviz" in blocker.args[1]
    assert window.isVisible() and window.isWindowModified()
    assert window.message_box() is not None
    window.message_box().close()
    window.project.ask_on_close = False  # the fixture closes it without asking


def test_file_new_starts_an_unsaved_session_with_default_data(qtbot, make_window, tmp_path):
    window = make_window("moons")
    path = tmp_path / "moons.dlviz"
    save_as(qtbot, window, path)
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
    assert window.project.path is None


def test_drop_project_opens_it(qtbot, make_window, tmp_path):
    a = make_window("moons")
    path = tmp_path / "dropped.dlviz"
    save_as(qtbot, a, path)
    b = make_window("circle")
    drop_file(b, path)
    assert b.project.path == os.path.abspath(path)
    assert b.windowTitle() == "dropped.dlviz[*] — dlviz"
    np.testing.assert_array_equal(b.session.dataset.points, a.session.dataset.points)
    qtbot.waitUntil(lambda: np.array_equal(b.session.latest.params, params(a)), timeout=10_000)

    assert drag_onto(b, tmp_path / "notes.txt") is None  # a file of another kind is not taken


def test_open_recent_from_the_menu(qtbot, make_window, tmp_path):
    a = make_window("moons")
    first, second = tmp_path / "first.dlviz", tmp_path / "second.dlviz"
    save_as(qtbot, a, first)
    drag(qtbot, a, [(0.1, 0.1)])
    qtbot.waitUntil(a.isWindowModified, timeout=2_000)
    save_as(qtbot, a, second)
    b = make_window("circle")
    menu = b.menus["recent"]
    menu.popup(b.mapToGlobal(QPoint(50, 50)))  # aboutToShow fills it
    qtbot.waitUntil(menu.isVisible, timeout=2_000)
    names = [act.text() for act in menu.actions()]
    assert names == ["second.dlviz", "first.dlviz"]  # the newest first
    [entry] = [act for act in menu.actions() if act.text() == "first.dlviz"]
    assert entry.toolTip() == os.path.abspath(first)
    menu.setActiveAction(entry)
    qtbot.keyClick(menu, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: b.project.path == os.path.abspath(first), timeout=5_000)
    assert not menu.isVisible()
    assert b.session.dataset.n == load_project(first)[0].dataset.n
    assert b.windowTitle() == "first.dlviz[*] — dlviz"
    assert b.recent.paths()[0] == os.path.abspath(first)


def test_erasing_points_while_an_opened_project_trains(qtbot, make_window, tmp_path):
    a = make_window("circle")
    path = tmp_path / "lesson.dlviz"
    save_as(qtbot, a, path)
    b = make_window("moons")
    failures = []
    b.worker.failed.connect(lambda message, details: failures.append(message))
    assert b.project.open(str(path))
    # the canvas edits its own points, never the trainer's
    trainer_data = b.worker.run_job(lambda t: t.dataset).result(timeout=10)
    assert trainer_data is not b.session.dataset
    before = b.session.dataset.n
    b.play()
    qtbot.waitUntil(lambda: b.session.latest.step > 0, timeout=10_000)
    for y in (-0.6, -0.2, 0.2, 0.6):  # right-drag erases
        drag(qtbot, b, [(-1.0, y), (0.0, y), (1.0, y)], button=Qt.MouseButton.RightButton)
    qtbot.waitUntil(lambda: b.session.dataset.n < before, timeout=2_000)
    step = b.session.latest.step
    qtbot.waitUntil(lambda: b.session.latest.step > step + 5, timeout=10_000)
    b.actions["play"].setChecked(False)
    n = b.worker.run_job(lambda t: t.dataset.n).result(timeout=10)
    assert n == b.session.dataset.n
    assert failures == []
    assert b.message_box() is None


def test_the_event_loop_runs_while_a_save_waits_on_a_busy_worker(qtbot, window, tmp_path):
    gate = threading.Event()
    window.worker.run_job(lambda t: gate.wait(20))  # the worker is busy (a long slice)
    ticks = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    path = tmp_path / "busy.dlviz"
    ended = []
    window.project.job_finished.connect(lambda what, error: ended.append((what, error)))
    try:
        assert window.project.save_as(str(path))
        # it hands the save over and returns: the busy worker has not written the file
        assert not path.exists() and ended == []
        # the GUI keeps running (a blocked event loop would never get there)...
        qtbot.waitUntil(lambda: len(ticks) >= 15, timeout=10_000)
        assert not path.exists() and ended == []  # ...while the worker has not got to it
        drag(qtbot, window, [(0.4, 0.4)])  # and it still answers the mouse
        assert window.isWindowModified()
    finally:
        gate.set()
        timer.stop()
    qtbot.waitUntil(lambda: bool(ended), timeout=JOB_MS)
    assert ended == [("save", "")]
    assert load_project(path)[0].dataset.n == window.session.dataset.n - 1
    assert window.isWindowModified()  # painted after Save: not in the file, still unsaved


def test_saving_during_the_jit_warm_up_keeps_the_window_responsive(qtbot, tmp_path):
    from dlviz.ui.main_window import MainWindow

    gate = threading.Event()
    window = MainWindow(
        data=DataSettings(preset="circle"),
        restore_layout=False,
        warm_up=lambda progress: gate.wait(20),  # compiling, no trainer yet
    )
    qtbot.addWidget(window)
    window.show()
    try:
        window.autosave.enable(str(tmp_path / "data"))
        window.project.set_modified(True)
        assert not window.autosave.autosave()  # skipped silently while the engine warms up
        assert window.message_box() is None
        path = tmp_path / "early.dlviz"
        assert window.project.save_as(str(path))
        # it returns at once with the save queued: the engine is still compiling
        assert not path.exists() and window.project.busy()
        assert "compiling" in window.statusBar().currentMessage()
        qtbot.wait(200)
        assert not path.exists() and window.project.busy()
    finally:
        gate.set()
    qtbot.waitUntil(lambda: path.exists() and not window.project.busy(), timeout=START_MS)
    assert not window.isWindowModified()
    assert window.windowTitle() == "early.dlviz[*] — dlviz"
    assert window.autosave.autosave()  # the engine is ready now
    qtbot.waitUntil(lambda: not window.autosave.busy(), timeout=JOB_MS)
    assert os.path.exists(window.autosave.path())
    window.close()
    assert not os.path.exists(str(tmp_path / "data" / "autosave-1.dlviz"))


def test_settings_no_field_shows_survive_opening_a_project_and_editing(qtbot, window, tmp_path):
    """A project made on the command line with momentum and patience keeps them when the
    learning rate is edited in the app."""
    from dlviz.core.network import build_spec
    from dlviz.core.optim import OptimizerConfig
    from dlviz.core.project import save_project
    from dlviz.core.trainer import TrainConfig, Trainer

    data = make_dataset("circle", seed=3)
    spec = build_spec(kind=data.kind, n_classes=2, features=("x1", "x2"),
                      hidden=(LayerSpec(5, "tanh"),))  # fmt: skip
    config = TrainConfig(OptimizerConfig("momentum", lr=0.05, momentum=0.5), patience=4)
    path = tmp_path / "cli.dlviz"
    save_project(path, Trainer(data, spec, config, seed=2))
    assert window.project.open(str(path))
    qtbot.waitUntil(lambda: window.session.latest.spec == spec, timeout=10_000)
    field = window.training_panel.lr.field
    field.selectAll()
    qtbot.keyClicks(field, "0.02")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: window.worker.run_job(lambda t: t.config).result(timeout=10).optimizer.lr == 0.02,
        timeout=10_000,
    )
    trained = window.worker.run_job(lambda t: t.config).result(timeout=10)
    assert trained.optimizer.momentum == 0.5 and trained.patience == 4
    assert window.training_panel.patience.value() == 4  # the panel shows the project's


def test_early_stopping_set_in_the_panel_round_trips_through_a_project(qtbot, window, tmp_path):
    window.training_panel.patience.setValue(7)
    qtbot.waitUntil(
        lambda: window.worker.run_job(lambda t: t.config).result(timeout=10).patience == 7,
        timeout=10_000,
    )
    path = tmp_path / "patient.dlviz"
    assert run_job(qtbot, window, "save", lambda: window.project.save_as(str(path))) == ""
    window.training_panel.patience.setValue(0)
    qtbot.waitUntil(
        lambda: window.worker.run_job(lambda t: t.config).result(timeout=10).patience == 0,
        timeout=10_000,
    )
    assert window.project.open(str(path))
    qtbot.waitUntil(lambda: window.training_panel.patience.value() == 7, timeout=10_000)
    qtbot.waitUntil(
        lambda: window.worker.run_job(lambda t: t.config).result(timeout=10).patience == 7,
        timeout=10_000,
    )


def _cli_project(path, data, hidden, engine="numba"):
    """A project as ``dlviz train --project`` writes it: no app settings (ui) inside."""
    from dlviz.core.network import build_spec
    from dlviz.core.project import save_project
    from dlviz.core.trainer import Trainer

    spec = build_spec(kind=data.kind, n_classes=data.n_classes, features=("x1", "x2"),
                      hidden=hidden)  # fmt: skip
    save_project(path, Trainer(data, spec, seed=2, engine=engine))
    return spec


def test_opening_a_project_takes_its_network_without_rebuilding_the_old_one(
    qtbot, window, tmp_path
):
    """The worker is told nothing about the project's points before its trainer arrives: no
    "network rebuilt with new weights" about weights nobody will see."""
    path = tmp_path / "other-shape.dlviz"
    _cli_project(path, make_dataset("moons", n=90, seed=4), (LayerSpec(3, "relu"),), "reference")
    notices = []
    window.worker.notice.connect(notices.append)
    assert window.project.open(str(path))
    qtbot.waitUntil(lambda: window.session.latest.engine == "reference", timeout=10_000)
    assert notices == []
    assert "opened" in window.statusBar().currentMessage()


def test_the_data_panel_shows_the_opened_points_not_the_last_preset(qtbot, window, tmp_path):
    panel = window.data_panel
    assert panel.preset.currentData() == "circle" and panel.classes.value() == 2
    csv = tmp_path / "flowers.csv"
    write_csv(make_dataset("blobs", classes=4, n=120, seed=1), str(csv))
    assert window.project.open(str(csv))
    assert panel.preset.currentIndex() == -1  # no preset made these points
    assert panel.preset.placeholderText().startswith("flowers")
    assert panel.classes.value() == 4 and not panel.classes.isEnabled()
    assert "4 classes" in panel.summary.text()
    window.session.undo()  # the preset's points again, and the panel says so
    assert panel.preset.currentData() == "circle" and panel.classes.value() == 2
    window.session.redo()
    assert panel.preset.currentIndex() == -1 and panel.classes.value() == 4

    path = tmp_path / "spiral3.dlviz"
    _cli_project(path, make_dataset("spiral", classes=3, n=90, seed=4), (LayerSpec(4, "tanh"),))
    assert window.project.open(str(path))
    assert panel.preset.currentIndex() == -1 and panel.classes.value() == 3
    panel.select_preset("xor")  # choosing a preset makes points from it again
    assert panel.preset.currentData() == "xor" and window.session.dataset.name == "xor"


def test_a_regression_project_labels_the_lower_loss_plot_r2(qtbot, window, tmp_path):
    loss = window.views["loss"]
    assert loss.metric_plot.getAxis("left").labelText == "accuracy"
    path = tmp_path / "plane.dlviz"
    _cli_project(path, make_dataset("plane", n=90, seed=4), (LayerSpec(4, "tanh"),))
    assert window.project.open(str(path))
    assert loss.metric_plot.getAxis("left").labelText == "R²"
    window.data_panel.select_preset("circle")
    assert loss.metric_plot.getAxis("left").labelText == "accuracy"


def test_the_weights_dialogs_offer_every_format_dlviz_writes_and_reads(window, monkeypatch):
    """The dialogs' filters come from core's tables: a format added there is offered."""
    asked = {}

    def answer(kind):
        return staticmethod(lambda parent, title, *a: asked.setdefault(kind, a[-1]) and ("", ""))

    monkeypatch.setattr(QFileDialog, "getSaveFileName", answer("save"))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", answer("open"))
    window.actions["export_weights"].trigger()
    window.actions["import_weights"].trigger()
    offered = asked["save"].split(";;")
    for label, suffix, _ in EXPORT_FORMATS.values():
        assert f"{label} (*{suffix})" in offered
    assert set(asked["open"].split("(")[1].rstrip(")").split()) == {
        f"*{suffix}" for suffix in WEIGHT_FORMATS
    }
