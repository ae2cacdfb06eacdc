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
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dlviz.core.data import make_dataset
from dlviz.core.errors import DlvizError
from dlviz.core.export import export_model, format_for
from dlviz.core.network import LayerSpec, build_spec
from dlviz.core.optim import OptimizerConfig
from dlviz.core.project import load_project, project_bytes, save_project
from dlviz.core.trainer import TrainConfig, Trainer
from dlviz.core.weights import fit_weights, load_weights, save_weights

#: The same draws every run (derandomised, as in test_fuzz_members.py: a landing is never
#: blocked by a new random draw); DLVIZ_FUZZ_EXAMPLES=5000 starts a random, deeper hunt.
HUNT = os.environ.get("DLVIZ_FUZZ_EXAMPLES")
FUZZ = settings(max_examples=int(HUNT or "150"), deadline=None, derandomize=HUNT is None,
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
        import dlviz.core.fileio as dio
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

    import dlviz.core.fileio as dio

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
@example(cut=4663, flip=0)  # .npz: a local header's offset made zipfile seek before the start
@example(cut=4999, flip=65)  # .safetensors: a signalling NaN warned as it was widened
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


# ---------------------------------------------------------------- hostile files


def _npy_header_claiming(shape, dtype="<f4"):
    """A .npy file whose header declares ``shape`` but that holds 16 bytes of data."""
    header = {"descr": dtype, "fortran_order": False, "shape": shape}
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, header)
    return buf.getvalue() + bytes(16)


def _replace_member(data: bytes, member: str, content: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name in src.namelist():
            z.writestr(name, content if name == member else src.read(name))
    return out.getvalue()


@pytest.mark.parametrize("member", ["params.npy", "points.npy", "order.npy"])
def test_a_project_array_declaring_a_huge_shape_is_refused_before_allocating(tmp_path, member):
    path = tmp_path / "huge.dlviz"
    path.write_bytes(
        _replace_member(project_bytes(trained()), member, _npy_header_claiming((10**13,)))
    )
    with pytest.raises(DlvizError, match="promises more data"):
        load_project(path)


def test_a_weights_npz_declaring_a_huge_shape_is_refused_before_allocating(tmp_path):
    t = trained()
    path = tmp_path / "huge.npz"
    save_weights(path, t.spec, t.params, info(t))
    path.write_bytes(
        _replace_member(path.read_bytes(), "W0.npy", _npy_header_claiming((10**7, 10**6)))
    )
    with pytest.raises(DlvizError, match="promises more data"):
        load_weights(path)


def test_a_project_json_that_unpacks_to_gigabytes_is_refused(tmp_path):
    """A zip bomb: a few MB on disk, 100 MB of whitespace once unpacked."""
    bomb = b"{" + b" " * (100 * 1024 * 1024) + b"}"
    path = tmp_path / "bomb.dlviz"
    path.write_bytes(_replace_member(project_bytes(trained()), "project.json", bomb))
    assert path.stat().st_size < 2 * 1024 * 1024
    with pytest.raises(DlvizError, match="unpacks to"):
        load_project(path)


def test_pickled_arrays_are_refused(tmp_path):
    raw = io.BytesIO()
    np.save(raw, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    path = tmp_path / "pickle.dlviz"
    path.write_bytes(_replace_member(project_bytes(trained()), "targets.npy", raw.getvalue()))
    with pytest.raises(DlvizError, match="Python objects"):
        load_project(path)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**12), 10**12) | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(doc, prefix=()):
    """Every (path to a value) inside a JSON document."""
    yield prefix
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            yield from _paths(value, (*prefix, i))


def _set(doc, path, value):
    for key in path[:-1]:
        doc = doc[key]
    doc[path[-1]] = value


_PROJECT = project_bytes(trained())
_META = json.loads(zipfile.ZipFile(io.BytesIO(_PROJECT)).read("project.json"))
_META_PATHS = [p for p in _paths(_META) if p]


@FUZZ
@given(which=st.integers(0, len(_META_PATHS) - 1), value=JSON_VALUES)
def test_projects_with_a_field_of_the_wrong_type_fail_cleanly(tmp_path, which, value):
    """Any one field of project.json (versions, spec, counters, RNG state, history...) replaced
    by any JSON value: the project opens and trains, or a DlvizError says what is wrong."""
    meta = json.loads(json.dumps(_META))
    _set(meta, _META_PATHS[which], value)
    path = tmp_path / "typed.dlviz"
    path.write_bytes(_replace_member(_PROJECT, "project.json", json.dumps(meta).encode()))
    try:
        t, _ = load_project(path)
    except DlvizError:
        return
    snap = t.run(samples=20)
    assert np.isfinite(t.params).all() and snap.step >= t.step - 1


@pytest.mark.parametrize("version", [True, 1.5, "1", -1, 0, None, [1], 99])
def test_project_versions_that_are_not_a_known_number_are_refused(tmp_path, version):
    meta = json.loads(json.dumps(_META), parse_constant=None)
    meta["version"] = version
    path = tmp_path / "v.dlviz"
    path.write_bytes(_replace_member(_PROJECT, "project.json", json.dumps(meta).encode()))
    with pytest.raises(DlvizError, match="version|newer"):
        load_project(path)


@FUZZ
@given(data=st.data())
def test_weights_json_with_a_field_of_the_wrong_type_fails_cleanly(tmp_path, data):
    t = trained()
    path = tmp_path / "w.json"
    save_weights(path, t.spec, t.params, info(t))
    doc = json.loads(path.read_bytes())
    paths = [p for p in _paths(doc) if p and len(p) < 5]  # not every single weight
    _set(doc, data.draw(st.sampled_from(paths)), data.draw(JSON_VALUES))
    path.write_text(json.dumps(doc))
    try:
        spec, params, _ = load_weights(path)
    except DlvizError:
        return
    assert params.size == spec_size(spec) and np.isfinite(params).all()


def _safetensors_of(t, **replace):
    """A dlviz safetensors file whose arrays are replaced (dtype, shape) by ``replace``."""
    import safetensors.numpy

    from dlviz.core.weights import safetensors_bytes

    data = safetensors_bytes(t.spec, t.params, info(t))
    size = int.from_bytes(data[:8], "little")
    meta = json.loads(data[8 : 8 + size])["__metadata__"]
    arrays = {**safetensors.numpy.load(data), **replace}
    return safetensors.numpy.save(arrays, metadata=meta)


def test_safetensors_of_another_dtype_or_lying_offsets_are_refused(tmp_path):
    t = trained()
    path = tmp_path / "w.safetensors"
    w0 = t.layout.weight(t.params, 0)
    path.write_bytes(_safetensors_of(t, W0=w0.astype(np.float64)))
    with pytest.raises(DlvizError, match="'W0' is float64; dlviz reads float32"):
        load_weights(path)
    path.write_bytes(_safetensors_of(t, W0=w0.T.copy()))
    with pytest.raises(DlvizError, match=r"layer 1 W0 has shape"):
        load_weights(path)
    # a header whose offsets point past the end of the file
    good = _safetensors_of(t)
    size = int.from_bytes(good[:8], "little")
    header = json.loads(good[8 : 8 + size])
    header["W0"]["data_offsets"][1] += 10**6
    text = json.dumps(header).encode()
    path.write_bytes(len(text).to_bytes(8, "little") + text + good[8 + size :])
    with pytest.raises(DlvizError, match="damaged or not a dlviz weights file"):
        load_weights(path)
