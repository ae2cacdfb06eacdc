"""Crafted weights files: every length in the spec is checked against its raw input width.

Fault 3: three input shifts for two inputs crashed ``dlviz predict`` with a traceback,
one shift was silently accepted, and ``dlviz export`` wrote a broken model from either.
"""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

from dlviz import cli
from dlviz.core.data import make_dataset
from dlviz.core.errors import DlvizError
from dlviz.core.network import LayerSpec, NetworkSpec, build_spec
from dlviz.core.project import load_project, project_bytes
from dlviz.core.trainer import Trainer
from dlviz.core.weights import json_bytes, load_weights, npz_bytes, save_weights, spec_to_dict

INFO = {"kind": "classify", "n_classes": 2, "bounds": [-6, 6, -6, 6]}


def normalised_spec() -> NetworkSpec:
    spec = build_spec(
        kind="classify", n_classes=2, features=("x1", "x2"), hidden=(LayerSpec(3, "tanh"),)
    )
    return spec.with_normalisation(np.array([0.5, -1.0]), np.array([2.0, 3.0]))


def crafted_json(tmp_path, edit, info=INFO) -> str:
    spec = normalised_spec()
    params = np.linspace(-1, 1, 13, dtype=np.float32)
    doc = json.loads(json_bytes(spec, params, info))
    edit(doc["spec"])
    path = tmp_path / "crafted.json"
    path.write_text(json.dumps(doc))
    return str(path)


def crafted_npz(tmp_path, edit) -> str:
    spec = normalised_spec()
    params = np.linspace(-1, 1, 13, dtype=np.float32)
    with np.load(io.BytesIO(npz_bytes(spec, params, INFO))) as z:
        arrays = {k: z[k] for k in z.files}
    d = json.loads(str(arrays["spec"]))
    edit(d)
    arrays["spec"] = np.array(json.dumps(d))
    path = tmp_path / "crafted.npz"
    np.savez(path, **arrays)
    return str(path)


def three_shifts(d):
    d["input_shift"] = [0.5, -1.0, 7.0]
    d["input_scale"] = [2.0, 3.0, 1.0]


def one_shift(d):
    d["input_shift"] = [0.5]
    d["input_scale"] = [2.0]


@pytest.mark.parametrize("craft", [crafted_json, crafted_npz])
@pytest.mark.parametrize(("edit", "count"), [(three_shifts, 3), (one_shift, 1)])
def test_a_normalisation_of_the_wrong_length_is_refused_by_every_command(
    craft, edit, count, tmp_path, capsys
):
    path = craft(tmp_path, edit)
    with pytest.raises(DlvizError, match=f"{count} shifts for 2 inputs"):
        load_weights(path)
    points = tmp_path / "points.csv"
    points.write_text("x1,x2\n0,1\n")
    capsys.readouterr()
    assert cli.main(["predict", "--weights", path, "--data", str(points)]) == 2
    for out in ("m.onnx", "m.py", "m.torch.py"):
        assert cli.main(["export", path, "-o", str(tmp_path / out)]) == 2
        assert not (tmp_path / out).exists()
    err = capsys.readouterr().err
    assert err.count("\n") == 4 and "Traceback" not in err


def test_the_spec_records_its_input_width_and_round_trips(tmp_path):
    curve = build_spec(kind="curve", n_classes=0, features=("x1", "sinx1"), hidden=())
    assert curve.n_inputs == 1 and spec_to_dict(curve)["n_inputs"] == 1
    plane = build_spec(kind="regress", n_classes=0, features=("x1",), hidden=())
    assert plane.n_inputs == 2
    info = {"kind": "curve", "n_classes": 0, "bounds": [-1, 1, -1, 1]}
    for suffix in (".npz", ".json", ".safetensors"):
        save_weights(tmp_path / f"c{suffix}", curve, np.zeros(3, np.float32), info)
        assert load_weights(tmp_path / f"c{suffix}")[0] == curve


@pytest.mark.parametrize(("kind", "width"), [("curve", 1), ("classify", 2), ("regress", 2)])
def test_files_written_before_the_field_get_the_width_of_their_data_kind(kind, width, tmp_path):
    info = {**INFO, "kind": kind, "n_classes": 2 if kind == "classify" else 0}
    spec = build_spec(kind=kind, n_classes=2, features=("x1",), hidden=())
    if kind == "curve":
        spec = spec.with_normalisation(np.array([0.5]), np.array([2.0]))
    doc = json.loads(json_bytes(spec, np.ones(spec.n_outputs * 2, np.float32), info))
    del doc["spec"]["n_inputs"]
    path = tmp_path / "old.json"
    path.write_text(json.dumps(doc))
    assert load_weights(path)[0].n_inputs == width


def test_an_old_project_without_the_field_opens(tmp_path):
    data = make_dataset("sine", n=40, seed=0)
    spec = build_spec(kind="curve", n_classes=0, features=("x1",), hidden=(LayerSpec(3),))
    trainer = Trainer(data, spec, normalise=True)
    raw = project_bytes(trainer)
    import zipfile

    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        members = {n: z.read(n) for n in z.namelist()}
    meta = json.loads(members["project.json"])
    del meta["spec"]["n_inputs"]
    members["project.json"] = json.dumps(meta).encode()
    path = tmp_path / "old.dlviz"
    with zipfile.ZipFile(path, "w") as z:
        for n, b in members.items():
            z.writestr(n, b)
    loaded, _ = load_project(path)
    assert loaded.spec == trainer.spec and loaded.spec.n_inputs == 1


def test_a_feature_of_x2_on_one_input_is_refused():
    with pytest.raises(DlvizError, match="needs 2 inputs"):
        NetworkSpec(("x1", "x2"), (), 1, "identity", "mse", n_inputs=1)
    with pytest.raises(DlvizError, match="1 to 2 raw inputs"):
        NetworkSpec(("x1",), (), 1, "identity", "mse", n_inputs=0)


def test_a_weights_file_of_an_unknown_data_kind_is_refused(tmp_path, capsys):
    """It was read as regression: a classifier's outputs printed as values."""
    path = crafted_json(tmp_path, lambda d: None, info={**INFO, "kind": "bogus"})
    with pytest.raises(DlvizError, match="unknown data kind 'bogus'"):
        load_weights(path)


def test_a_width_that_contradicts_the_data_kind_is_refused(tmp_path):
    def one_input(d):
        d["n_inputs"] = 1
        d["features"] = ["x1"]
        d["input_shift"], d["input_scale"] = [0.5], [2.0]

    with pytest.raises(DlvizError):
        load_weights(crafted_json(tmp_path, one_input))
