"""The app with image data: projects, File ▸ Open image data, the image presets, and
which views and controls a user sees for images and for points.

Tiny IDX folders come from ``tests/image_files.py`` (core's ``write_idx``).
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication, QFileDialog

import dlviz.ui.main_window
from dlviz.core.colors import IMAGE_CLASS_HEX, class_hex
from dlviz.core.images import load_digits, subset, write_idx
from dlviz.core.network import LayerSpec, build_spec
from dlviz.core.project import load_project, save_project
from dlviz.core.trainer import Trainer
from dlviz.ui.app import main
from dlviz.ui.views import CENTRAL_VIEW, IMAGE_CENTRAL_VIEW, VIEWS
from tests.image_files import write_mnist_folder

#: Docked views that draw the input plane or single points: hidden for image data.
POINT_VIEWS = sorted(
    n for n, cls in VIEWS.items() if "images" not in cls.data_kinds and n != CENTRAL_VIEW
)
#: Docked views only for images (the pad is in the middle of the window instead).
IMAGE_VIEWS = sorted(
    n for n, cls in VIEWS.items() if "points" not in cls.data_kinds and n != IMAGE_CENTRAL_VIEW
)


def _image_project(tmp_path):
    d = subset(load_digits(), 60, 0)
    spec = build_spec(kind="classify", n_classes=10, features=(),
                      hidden=(LayerSpec(8, "relu"),), image_shape=(8, 8))  # fmt: skip
    path = tmp_path / "digits.dlviz"
    save_project(path, Trainer(d, spec, seed=0))
    return path


def _shown(window, names):
    """Of ``names``, the docks the window shows or lists in View ▸ Panels and views."""
    docks = [window.docks[n] for n in names]
    listed = sorted(
        n for n, d in zip(names, docks, strict=True) if d.toggleViewAction().isVisible()
    )
    shown = sorted(n for n, d in zip(names, docks, strict=True) if not d.isHidden())
    return sorted(set(listed) | set(shown))


def _all_shown(window, names):
    """Whether every dock of ``names`` is shown and listed in the View menu."""
    return all(
        not window.docks[n].isHidden() and window.docks[n].toggleViewAction().isVisible()
        for n in names
    )


def _open_folder(qtbot, window, monkeypatch, folder):
    """File ▸ Open image data… with the folder dialog answered; waits for the reading."""
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    ended = []
    window.project.job_finished.connect(lambda what, error: ended.append((what, error)))
    window.actions["open_images"].trigger()
    qtbot.waitUntil(lambda: bool(ended), timeout=30_000)
    return ended[0]


def test_an_image_project_opens_trains_and_saves(window, qtbot, tmp_path):
    path = _image_project(tmp_path)
    assert window.project.open_project(str(path)) is True
    assert window.session.dataset.is_image and window.session.dataset.image_shape == (8, 8)
    qtbot.waitUntil(lambda: window.session.latest.spec.is_image, timeout=10_000)
    assert window.central_name() == IMAGE_CENTRAL_VIEW
    assert _shown(window, POINT_VIEWS) == []
    assert window.network_panel.pixels_label.isVisible()
    assert "64 pixels (8×8" in window.network_panel.pixels_label.text()
    start = window.session.latest.step
    window.play()
    qtbot.waitUntil(lambda: window.session.latest.step > start + 50, timeout=30_000)
    window.actions["play"].setChecked(False)
    saved = []
    window.project.job_finished.connect(lambda what, error: saved.append(error))
    out = tmp_path / "again.dlviz"
    assert window.project.save_as(str(out))
    qtbot.waitUntil(lambda: bool(saved), timeout=10_000)
    assert saved == [""]
    trainer, _ = load_project(out)
    assert trainer.dataset.image_shape == (8, 8) and trainer.step > start + 50
    np.testing.assert_array_equal(trainer.dataset.targets, window.session.dataset.targets)


def test_open_image_data_then_undo_brings_the_points_and_their_views_back(
    window, qtbot, monkeypatch, tmp_path
):
    folder = tmp_path / "mnist"
    write_mnist_folder(folder, n_train=120, n_test=30, side=12)
    points = window.session.dataset
    assert _all_shown(window, POINT_VIEWS)  # every point view is there to start
    assert _shown(window, IMAGE_VIEWS) == []
    assert _open_folder(qtbot, window, monkeypatch, folder) == ("open_images", "")
    ds = window.session.dataset
    assert ds.is_image and ds.image_shape == (12, 12) and ds.n == 150
    assert int(ds.is_test.sum()) == 30  # the t10k files are the test set
    assert _shown(window, POINT_VIEWS) == []
    assert _shown(window, IMAGE_VIEWS) == IMAGE_VIEWS
    assert not window.actions["paint"].isEnabled() and not window.actions["clear"].isEnabled()
    assert not window.data_panel.noise.isEnabled() and not window.data_panel.clear.isEnabled()
    assert not window.data_panel.test_ratio.isEnabled()  # the folder brings its own split
    qtbot.waitUntil(lambda: window.session.latest.spec.n_inputs == 144, timeout=10_000)
    # the pixels are held once (MNIST: 188 MB): the trainer reads the session's array
    shared = window.worker.run_job(lambda t: (t.dataset.points is ds.points, t.x is ds.points))
    qtbot.waitUntil(shared.done, timeout=10_000)
    assert shared.result() == (True, True)
    window.actions["undo"].trigger()
    assert window.session.dataset is not ds and not window.session.dataset.is_image
    assert window.session.dataset.n == points.n
    assert window.central_name() == "boundary"
    assert _all_shown(window, POINT_VIEWS)
    assert _shown(window, IMAGE_VIEWS) == []
    assert window.actions["paint"].isEnabled() and window.data_panel.noise.isEnabled()


def test_a_malformed_idx_folder_is_one_dialog_and_the_data_stays(
    window, qtbot, monkeypatch, tmp_path
):
    folder = tmp_path / "bad"
    write_mnist_folder(folder, n_train=20, n_test=5, gz=False, side=8)
    labels = folder / "train-labels-idx1-ubyte"
    labels.write_bytes(labels.read_bytes()[:-3])  # truncated: 3 labels short
    before = window.session.dataset
    what, error = _open_folder(qtbot, window, monkeypatch, folder)
    assert what == "open_images" and "truncated" in error
    box = window.message_box()
    assert box is not None and "train-labels-idx1-ubyte is truncated" in box.text()
    assert window.session.dataset is before and window.central_name() == "boundary"
    box.close()


def test_a_folder_of_no_images_is_one_dialog(window, qtbot, monkeypatch, tmp_path):
    (tmp_path / "empty").mkdir()
    what, error = _open_folder(qtbot, window, monkeypatch, tmp_path / "empty")
    assert "neither MNIST IDX files" in error
    window.message_box().close()


def test_digits_preset_trains_to_high_accuracy_with_the_course_network(window, qtbot):
    window.data_panel.select_preset("digits")
    qtbot.waitUntil(lambda: window.session.latest.spec.is_image, timeout=10_000)
    snap = window.session.latest
    assert snap.spec.describe().startswith("64-32(relu)-10 softmax/ce")
    assert window.training_panel.config().optimizer.name == "adam"
    assert window.session.dataset.n == 1797 and window.session.dataset.n_classes == 10
    first = snap.test_accuracy
    assert first is not None and first < 0.5  # fresh weights guess
    window.actions["max_speed"].setChecked(True)
    window.play()
    qtbot.waitUntil(lambda: window.session.latest.test_accuracy >= 0.9, timeout=60_000)
    # the timeline keeps points of the run to scrub back to (image snapshots have no grid)
    qtbot.waitUntil(lambda: len(window.worker.timeline_entries()) >= 3, timeout=30_000)
    window.actions["play"].setChecked(False)
    assert all(e.snapshot.spec.is_image for e in window.worker.timeline_entries())
    # the confusion matrix has a row and a column per digit, named as the digits
    confusion = window.views["confusion"]
    window.docks["confusion"].show()
    window.docks["confusion"].raise_()
    qtbot.waitUntil(lambda: len(confusion.cells) == 10, timeout=5_000)
    assert confusion._name(0) == 0 and confusion._name(9) == 9
    qtbot.waitUntil(lambda: "test images" in confusion.heading.text(), timeout=5_000)


def test_switching_from_images_back_to_a_point_preset_restores_the_views(window, qtbot):
    window.docks["hidden-space"].show()
    window.data_panel.select_preset("digits")
    assert window.docks["hidden-space"].isHidden()
    assert not window.docks["hidden-space"].toggleViewAction().isVisible()
    window.data_panel.select_preset("spiral")
    assert not window.session.dataset.is_image and window.central_name() == "boundary"
    assert not window.docks["hidden-space"].isHidden()
    assert window.docks["hidden-space"].toggleViewAction().isVisible()
    assert window.central_stack.currentWidget() is window.views["boundary"]
    assert window.network_panel.features_box.isVisible()


def test_the_network_graph_draws_the_input_as_a_picture_and_the_strongest_units(window, qtbot):
    window.data_panel.select_preset("digits")
    window.network_panel.set_hidden((LayerSpec(40, "relu"),))
    view = window.views["network"]
    window.docks["network"].show()
    window.docks["network"].raise_()
    qtbot.waitUntil(
        lambda: view._snap is not None and view._snap.spec.sizes[1] == 40, timeout=10_000
    )
    snap = view._snap
    assert view._shown[0] == 1 and view.input_picture.isVisible()  # one picture, not 64 nodes
    norms = np.linalg.norm(snap.layout.weight(snap.params, 1), axis=1)
    strongest = np.sort(np.argsort(-norms)[:16])
    np.testing.assert_array_equal(view._units[1], strongest)
    texts = [label.textItem.toPlainText() for label in view._labels]
    assert "16 of 40 (strongest)" in texts and "64 pixels (8×8)" in texts
    assert " 0 " in texts and " 9 " in texts  # the output classes named as digits


def test_image_classes_have_ten_distinct_colour_blind_aware_colours():
    assert class_hex(True) == IMAGE_CLASS_HEX and len(set(IMAGE_CLASS_HEX)) == 10
    assert len(class_hex(False)) == 8


@pytest.mark.parametrize("gz", [True, False])
def test_dlviz_folder_opens_the_images(qapp, tmp_path, capsys, monkeypatch, gz):
    folder = tmp_path / "mnist"
    write_mnist_folder(folder, n_train=60, n_test=20, gz=gz, side=10)
    seen = []

    class Recording(dlviz.ui.main_window.MainWindow):
        def closeEvent(self, event):  # noqa: N802  (Qt API)
            seen.append((self.session.dataset.image_shape, self.central_name()))
            super().closeEvent(event)

    monkeypatch.setattr(dlviz.ui.main_window, "MainWindow", Recording)
    shot = tmp_path / "shot.png"
    argv = [str(folder), "--screenshot", str(shot), "--train-steps", "5", "--size", "640x480"]
    assert main(argv) == 0, capsys.readouterr().err
    assert seen == [((10, 10), IMAGE_CENTRAL_VIEW)]


def test_dlviz_folder_of_no_images_is_one_line_and_status_2(qapp, tmp_path, capsys):
    write_idx(tmp_path / "labels-only-idx1-ubyte", np.zeros(3, np.uint8))
    assert main([str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "neither MNIST IDX files" in err


def test_an_image_session_autosaves_and_exports_its_model(window, qtbot, tmp_path):
    window.autosave.start(offer_restore=False, directory=str(tmp_path / "data"))
    window.data_panel.select_preset("digits")
    qtbot.waitUntil(lambda: window.session.latest.spec.is_image, timeout=10_000)
    window.actions["step"].trigger()  # a change: the autosave has something to keep
    qtbot.waitUntil(window.isWindowModified, timeout=5_000)
    with qtbot.waitSignal(
        window.autosave.job_finished, timeout=30_000, check_params_cb=lambda w, e: w == "autosave"
    ) as blocker:
        window.autosave.timer.timeout.emit()
    assert blocker.args[1] == ""
    trainer, _ = load_project(window.autosave.path())
    np.testing.assert_array_equal(trainer.dataset.points, window.session.dataset.points)
    # File ▸ Export weights: the NumPy code of the image model reads (n, 64) pixel rows
    ended = []
    window.project.job_finished.connect(lambda what, error: ended.append((what, error)))
    target = tmp_path / "digits.py"
    assert window.project.export_weights(str(target))
    qtbot.waitUntil(lambda: bool(ended), timeout=10_000)
    assert ended == [("export_weights", "")]
    scope: dict = {}
    exec(compile(target.read_text(encoding="utf-8"), str(target), "exec"), scope)
    probs = scope["predict"](window.session.dataset.points[:5])
    assert probs.shape == (5, 10)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    window.autosave.shutdown()


def test_the_pads_answer_is_large_in_the_window_and_in_presentation(window, qtbot):
    """The class the pad reads must be legible from the back of a room, and the window's
    style sheet once reset it to body size (a test image is on the pad from the start)."""
    window.data_panel.select_preset("digits")
    pad = window.views["pad"]
    qtbot.waitUntil(lambda: pad.reading() is not None, timeout=10_000)
    assert pad.answer.text() == str(pad.reading())
    for presentation in (False, True):
        window.actions["presentation"].setChecked(presentation)
        qtbot.waitUntil(pad.answer.isVisible, timeout=5_000)
        body = QApplication.font().pointSizeF()
        assert pad.answer.fontInfo().pointSizeF() >= 4 * body
    window.actions["presentation"].setChecked(False)
