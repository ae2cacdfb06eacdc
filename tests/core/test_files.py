"""Project files, weight files and exports: round trips in the tools that read them, bad input."""

from __future__ import annotations

import io
import json
import os
import runpy
import signal
import subprocess
import sys
import textwrap
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlviz.core.data import make_dataset
from dlviz.core.errors import DlvizError
from dlviz.core.export import export_model, format_for
from dlviz.core.io import fit_weights, load_weights, save_weights
from dlviz.core.network import LayerSpec, build_spec
from dlviz.core.optim import OptimizerConfig
from dlviz.core.project import load_project, project_bytes, save_project
from dlviz.core.trainer import TrainConfig, Trainer

FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip


def trained(kind="spiral", normalise=True, **kw):
    data = make_dataset(kind, noise=0.1, seed=1, **kw)
    features = ("x1", "x1sq", "sinx1") if data.kind == "curve" else ("x1", "x2", "x1x2", "sinx2")
    spec = build_spec(kind=data.kind, n_classes=data.n_classes, features=features,
                      hidden=(LayerSpec(8, "gelu"), LayerSpec(6, "elu", 0.1)))  # fmt: skip
    config = TrainConfig(OptimizerConfig("adam", lr=0.02), batch_size=9)
    t = Trainer(data, spec, config, seed=3, normalise=normalise)
    t.run(samples=3001)  # stops mid-epoch, mid-batch-boundary
    return t


def info(t):
    return {"kind": t.dataset.kind, "n_classes": t.dataset.n_classes,
            "bounds": list(t.dataset.bounds)}  # fmt: skip


# ---------------------------------------------------------------- projects


def test_project_saved_mid_training_resumes_bit_for_bit(tmp_path):
    t = trained()
    path = tmp_path / "run.dlviz"
    save_project(path, t, ui={"theme": "dark"})
    saved_step, saved_epoch = t.step, t.epoch
    t.run(samples=2000)
    expected = t.params.copy()
    loaded, ui = load_project(path)
    assert ui == {"theme": "dark"}
    assert (loaded.step, loaded.epoch) == (saved_step, saved_epoch)
    loaded.run(samples=2000)
    np.testing.assert_array_equal(loaded.params, expected)
    np.testing.assert_array_equal(loaded.dataset.points, t.dataset.points)
    assert [h.step for h in loaded.history] == [h.step for h in t.history]


def test_project_archive_holds_no_pickle(tmp_path):
    data = project_bytes(trained())
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        meta = json.loads(z.read("project.json"))
        assert meta["format"] == "dlviz-project" and meta["version"] == 1
        for name in z.namelist():
            if name.endswith(".npy"):
                np.load(io.BytesIO(z.read(name)), allow_pickle=False)  # raises on pickled data


def _project_with(meta_change=None, drop=None):
    data = project_bytes(trained())
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name in src.namelist():
            if name == drop:
                continue
            content = src.read(name)
            if name == "project.json" and meta_change:
                meta = json.loads(content)
                meta_change(meta)
                content = json.dumps(meta).encode()
            z.writestr(name, content)
    return out.getvalue()


@pytest.mark.parametrize(
    ("change", "drop", "phrase"),
    [
        (lambda m: m.update(version=2), None, "newer dlviz"),
        (lambda m: m.update(format="other"), None, "not a dlviz project"),
        (lambda m: m["spec"].update(n_outputs=3), None, "does not fit"),
        (lambda m: m["spec"]["hidden"][0].update(width=999), None, "1 to 256"),
        (lambda m: m.pop("trainer"), None, "damaged"),
        (None, "params.npy", "params.npy' is missing"),
    ],
)
def test_newer_or_damaged_projects_are_refused_clearly(tmp_path, change, drop, phrase):
    path = tmp_path / "p.dlviz"
    path.write_bytes(_project_with(change, drop))
    with pytest.raises(DlvizError, match=phrase):
        load_project(path)


def test_an_older_project_is_migrated_on_load(tmp_path, monkeypatch):
    """Format 1 is the first released format, so no real older file exists yet; this runs
    the migration chain as the next format change will: a format-1 file opened by a dlviz
    whose format 2 renamed a field loads through MIGRATIONS[1]."""
    import dlviz.core.project as project

    t = trained()
    path = tmp_path / "v1.dlviz"
    save_project(path, t)

    def rename_history(meta):  # what a format-2 change could look like
        meta = dict(meta, version=2)
        meta["curves"] = meta.pop("history")
        return meta

    original_build = project._build

    def build_v2(meta, arrays, name):  # a format-2 reader expects the new name
        meta = dict(meta)
        meta["history"] = meta.pop("curves")
        return original_build(meta, arrays, name)

    monkeypatch.setattr(project, "PROJECT_VERSION", 2)
    monkeypatch.setitem(project.MIGRATIONS, 1, rename_history)
    monkeypatch.setattr(project, "_build", build_v2)
    loaded, _ = load_project(path)
    np.testing.assert_array_equal(loaded.params, t.params)
    assert loaded.history and [h.step for h in loaded.history] == [h.step for h in t.history]


@FUZZ
@given(cut=st.integers(min_value=0, max_value=100_000), flip=st.integers(0, 255))
def test_fuzzed_projects_fail_cleanly(tmp_path, cut, flip):
    data = bytearray(project_bytes(trained()))
    if cut < len(data):
        data[cut] ^= flip or 1
    for blob in (bytes(data), bytes(data[: cut % len(data)])):
        path = tmp_path / "f.dlviz"
        path.write_bytes(blob)
        try:
            t, _ = load_project(path)
        except DlvizError:
            continue
        assert np.isfinite(t.params).all()


def test_saving_over_a_project_never_leaves_a_partial_file(tmp_path):
    """Kill a process while it writes a big project: the previous file stays whole."""
    path = tmp_path / "p.dlviz"
    save_project(path, trained())
    before = path.read_bytes()
    script = textwrap.dedent(f"""
        import os, sys
        import dlviz.core.io as dio
        real = os.fsync
        def slow_fsync(fd):
            print("writing", flush=True)
            import time; time.sleep(30)
        os.fsync = slow_fsync
        with dio.atomic_write({str(path)!r}) as fh:
            fh.write(b"x" * 10_000_000)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "writing"  # data written, not yet renamed
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stdout.close()
    assert path.read_bytes() == before
    load_project(path)
    leftovers = [p for p in os.listdir(tmp_path) if p != "p.dlviz"]
    assert all(p.startswith(".dlviz-") for p in leftovers)  # a temp file, never the target


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_written_files_get_ordinary_permissions_not_the_temp_files(tmp_path):
    """An exported model is for sharing: 0644 under the usual umask, not mkstemp's 0600."""
    import stat

    import dlviz.core.io as dio

    t = trained()
    new = tmp_path / "w.npz"
    save_weights(new, t.spec, t.params, info(t))
    assert stat.S_IMODE(new.stat().st_mode) == 0o666 & ~dio._UMASK
    kept = tmp_path / "p.dlviz"
    kept.write_bytes(b"old")
    kept.chmod(0o640)  # replacing a file keeps its permissions
    save_project(kept, t)
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640


# ---------------------------------------------------------------- weights and exports


@pytest.mark.parametrize("suffix", [".npz", ".json", ".safetensors"])
@pytest.mark.parametrize("kind", ["spiral", "sine"])
def test_weight_files_round_trip(tmp_path, suffix, kind):
    t = trained(kind)
    path = tmp_path / f"w{suffix}"
    save_weights(path, t.spec, t.params, info(t))
    spec, params, data = load_weights(path)
    assert spec == t.spec and data == info(t)
    np.testing.assert_array_equal(params, t.params)


def test_safetensors_file_loads_in_safetensors(tmp_path):
    safetensors = pytest.importorskip("safetensors.numpy")
    t = trained()
    path = tmp_path / "w.safetensors"
    save_weights(path, t.spec, t.params, info(t))
    tensors = safetensors.load_file(str(path))
    np.testing.assert_array_equal(tensors["W0"], t.layout.weight(t.params, 0))
    np.testing.assert_array_equal(tensors["b2"], t.layout.bias(t.params, 2))


def grid_of(t):
    return t.grid_inputs(40)


def test_onnx_export_classifies_the_grid_like_dlviz(tmp_path):
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    for kind in ("spiral", "sine"):
        t = trained(kind)
        path = tmp_path / f"{kind}.onnx"
        export_model(path, t.spec, t.params, info(t))
        session = ort.InferenceSession(str(path))
        got = session.run(None, {"x": grid_of(t)})[0]
        np.testing.assert_allclose(got, t.predict(grid_of(t)), atol=1e-5)


def test_numpy_code_export_runs_standalone(tmp_path):
    t = trained()
    path = tmp_path / "model.py"
    export_model(path, t.spec, t.params, info(t))
    ns = runpy.run_path(str(path))
    np.testing.assert_allclose(ns["predict"](grid_of(t)), t.predict(grid_of(t)), atol=1e-5)
    pts = tmp_path / "pts.csv"
    np.savetxt(pts, grid_of(t)[:5], delimiter=",")
    out = subprocess.run([sys.executable, str(path), str(pts)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    printed = np.loadtxt(io.StringIO(out.stdout), delimiter=",").reshape(5, -1)
    np.testing.assert_allclose(printed, t.predict(grid_of(t)[:5]), atol=1e-5)


def test_torch_code_export_reproduces_predictions(tmp_path):
    torch = pytest.importorskip("torch")
    t = trained()
    path = tmp_path / "net.torch.py"
    export_model(path, t.spec, t.params, info(t))
    model = runpy.run_path(str(path))["DlvizNet"]()
    with torch.no_grad():
        got = model(torch.tensor(grid_of(t))).numpy()
    np.testing.assert_allclose(got, t.predict(grid_of(t)), atol=1e-5)


def test_export_format_from_the_name():
    assert format_for("a.onnx") == "onnx" and format_for("m.torch.py") == "torch-code"
    assert format_for("m.py") == "numpy-code" and format_for("W.SAFETENSORS") == "safetensors"
    with pytest.raises(DlvizError, match="cannot tell"):
        format_for("model.bin")


def test_weights_into_a_mismatched_network_name_the_layer(tmp_path):
    t = trained()
    other = build_spec(kind="classify", n_classes=2, features=t.spec.features,
                       hidden=(LayerSpec(8, "tanh"), LayerSpec(5, "tanh")))  # fmt: skip
    with pytest.raises(DlvizError, match=r"layer 2 has weights of shape \(8, 6\).*\(8, 5\)"):
        fit_weights(other, t.spec, t.params, "w.npz")
    fit_weights(t.spec, t.spec, t.params, "w.npz")


@pytest.mark.parametrize("suffix", [".npz", ".json", ".safetensors"])
@FUZZ
@given(data=st.binary(max_size=300))
def test_fuzzed_weight_files_fail_cleanly(tmp_path, suffix, data):
    path = tmp_path / f"w{suffix}"
    path.write_bytes(data)
    with pytest.raises(DlvizError):
        load_weights(path)


@pytest.mark.parametrize("suffix", [".npz", ".json", ".safetensors"])
@FUZZ
@given(cut=st.integers(min_value=0, max_value=5000), flip=st.integers(0, 255))
def test_damaged_weight_files_fail_cleanly(tmp_path, suffix, cut, flip):
    t = trained()
    path = tmp_path / f"w{suffix}"
    save_weights(path, t.spec, t.params, info(t))
    data = bytearray(path.read_bytes())
    data[cut % len(data)] ^= flip or 1
    for blob in (bytes(data), bytes(data[: cut % len(data)])):
        path.write_bytes(blob)
        try:
            spec, params, _ = load_weights(path)
        except DlvizError:
            continue
        assert params.size == spec_size(spec) and np.isfinite(params).all()


def spec_size(spec):
    from dlviz.core.network import ParamLayout

    return ParamLayout.of(spec.sizes).size


def test_writing_into_a_missing_folder_is_a_clear_error(tmp_path):
    t = trained()
    with pytest.raises(DlvizError, match="cannot write"):
        save_project(tmp_path / "no" / "p.dlviz", t)
