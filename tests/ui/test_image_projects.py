"""The app and image projects: until the app has an image mode, it refuses them clearly.

`dlviz train --dataset digits --project p.dlviz` writes a project the app's
views (which draw points) cannot show; opening one says so and loses nothing.
"""

from __future__ import annotations

from dlviz.core.images import load_digits, subset
from dlviz.core.network import LayerSpec, build_spec
from dlviz.core.project import save_project
from dlviz.core.trainer import Trainer
from dlviz.ui.app import main


def _image_project(tmp_path):
    d = subset(load_digits(), 60, 0)
    spec = build_spec(kind="classify", n_classes=10, features=(),
                      hidden=(LayerSpec(8, "relu"),), image_shape=(8, 8))  # fmt: skip
    path = tmp_path / "digits.dlviz"
    save_project(path, Trainer(d, spec, seed=0))
    return path


def test_opening_an_image_project_is_refused_and_the_session_stays(window, tmp_path):
    path = _image_project(tmp_path)
    before = (window.session.dataset.name, window.session.dataset.n)
    assert window.project.open_project(str(path)) is False
    box = window.message_box()
    assert box is not None and "holds image data (8×8 pixels, 10 classes)" in box.text()
    assert (window.session.dataset.name, window.session.dataset.n) == before
    box.close()


def test_launching_with_an_image_project_is_one_line_and_status_2(tmp_path, capsys):
    assert main([str(_image_project(tmp_path))]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "holds image data" in err
