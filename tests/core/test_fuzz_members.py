"""Fuzzing past the container: valid zips and CSV text whose contents are mutated.

Byte flips and truncations mostly end in the zip or UTF-8 layer.  These
tests keep the container valid and mutate what is inside it: each ``.npy``
member of a project or weights archive replaced by a valid array of another
dtype, shape or values, ``.npy`` headers rewritten field by field, and CSV
tables that parse.  A file either loads into something that works (the
trainer trains, the weights are finite and fit their spec) or is refused
with a :class:`DlvizError`; any other exception is a bug in dlviz (the
loaders do not turn TypeError/KeyError/AttributeError/IndexError into a
message, so these tests see them).
"""

from __future__ import annotations

import io
import json
import os
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dlviz.core.data import Dataset, make_dataset, parse_csv_text
from dlviz.core.errors import DlvizError
from dlviz.core.network import LayerSpec, ParamLayout, build_spec
from dlviz.core.optim import OptimizerConfig
from dlviz.core.project import ARRAYS, load_project, project_bytes
from dlviz.core.trainer import TrainConfig, Trainer
from dlviz.core.weights import load_weights, save_weights

#: Examples per property. CI draws the same ones every run (derandomised: a landing is
#: never blocked by a new random draw); DLVIZ_FUZZ_EXAMPLES=5000 starts a random hunt.
HUNT = os.environ.get("DLVIZ_FUZZ_EXAMPLES")
EXAMPLES = int(HUNT or "100")
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=HUNT is None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])  # fmt: skip


def _trainer() -> Trainer:
    data = make_dataset("spiral", n=60, noise=0.1, seed=1)
    spec = build_spec(kind=data.kind, n_classes=data.n_classes, features=("x1", "x2"),
                      hidden=(LayerSpec(4, "tanh", 0.1),))  # fmt: skip
    t = Trainer(data, spec, TrainConfig(OptimizerConfig("adam", lr=0.02), batch_size=7), seed=3)
    t.run(samples=100)  # mid-epoch: a shuffle order and a position are saved
    return t


_T = _trainer()
_PROJECT = project_bytes(_T)
_ARRAYS = {
    key: np.load(io.BytesIO(zipfile.ZipFile(io.BytesIO(_PROJECT)).read(f"{key}.npy")))
    for key in ARRAYS
}


def _npy(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=False)
    return buf.getvalue()


def _replace(archive: bytes, member: str, content: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(archive))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name in src.namelist():
            z.writestr(name, content if name == member else src.read(name))
    return out.getvalue()


#: Plain numbers of each kind, and what a hostile file could hold instead.
DTYPES = ["<f4", "<f8", ">f8", "<f2", "<i8", "<i4", "|u1", "<u8", "|b1", "<c8", "<U3", "|S2",
          "<m8[s]", "<M8[D]"]  # fmt: skip


@st.composite
def replacement(draw, like: np.ndarray):
    """A valid array to put where ``like`` was: its shape or another, any dtype, any values."""
    dtype = np.dtype(draw(st.sampled_from([like.dtype.str, *DTYPES])))
    shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5)
    shape = draw(st.one_of(st.just(like.shape), shapes))
    if dtype.kind in "fc" and draw(st.booleans()):
        # the saved values with a few replaced by extremes (NaN, inf, huge, negative zero)
        arr = np.resize(like.astype(dtype) if like.dtype.kind in "biuf" else 0, shape).astype(dtype)
        extremes = st.sampled_from([np.nan, np.inf, -np.inf, 1e300, -0.0, 3.5e38, 1e-45])
        for _ in range(draw(st.integers(0, 3))):
            if arr.size:
                with np.errstate(all="ignore"):  # 1e300 as float16 is inf: wanted here
                    arr.flat[draw(st.integers(0, arr.size - 1))] = dtype.type(draw(extremes))
        return arr
    return draw(hnp.arrays(dtype, shape))


def _trains(t: Trainer) -> None:
    """What a user does next with a loaded project: train on, and the numbers stay sane."""
    t.run(samples=30)
    assert np.isfinite(t.params).all()
    assert 0 <= t.pos <= t.order.size


@FUZZ
@given(data=st.data(), member=st.sampled_from(ARRAYS))
def test_projects_with_any_valid_array_in_a_member_load_or_fail_cleanly(tmp_path, data, member):
    arr = data.draw(replacement(_ARRAYS[member]))
    path = tmp_path / "m.dlviz"
    path.write_bytes(_replace(_PROJECT, f"{member}.npy", _npy(arr)))
    try:
        t, _ = load_project(path)
    except DlvizError:
        return
    _trains(t)


def _npy_with_header(header: str, body: bytes) -> bytes:
    """A version 1.0 .npy file with a header dict written verbatim (NumPy pads it)."""
    raw = header.encode("latin1")
    raw += b" " * (-(len(raw) + 11) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + len(raw).to_bytes(2, "little") + raw + body


HEADER_VALUES = st.one_of(
    st.sampled_from(
        [
            "'<f4'",
            "'<f8'",
            "'|O'",
            "'<U2'",
            "[('a', '<f4')]",
            "'V8'",
            "'<f4",
            "1",
            "True",
            "False",
            "None",
            "()",
            "(3,)",
            "(-1,)",
            "(10**20,)",
            "(2, 3)",
            "(2.5,)",
            "'x'",
            "{}",
            "[]",
        ]
    ),  # fmt: skip
    st.text(alphabet="'()[]{}:,<>|0123456789fiuUSOV -", max_size=12),
)


@FUZZ
@given(
    member=st.sampled_from(["params.npy", "points.npy", "order.npy", "targets.npy"]),
    descr=HEADER_VALUES,
    fortran=HEADER_VALUES,
    shape=HEADER_VALUES,
    body=st.sampled_from([b"", bytes(7), bytes(64), bytes(4096)]),
    extra=st.sampled_from(["", "'extra': 1, "]),
)
# an empty tuple as the dtype: NumPy's header parser itself raised IndexError
@example(member="params.npy", descr="()", fortran="True", shape="()", body=b"", extra="")
def test_npy_headers_with_any_field_fail_cleanly(tmp_path, member, descr, fortran, shape, body,
                                                 extra):  # fmt: skip
    header = f"{{'descr': {descr}, 'fortran_order': {fortran}, {extra}'shape': {shape}, }}"
    path = tmp_path / "h.dlviz"
    path.write_bytes(_replace(_PROJECT, member, _npy_with_header(header, body)))
    try:
        t, _ = load_project(path)
    except DlvizError:
        return
    _trains(t)


_WEIGHT_MEMBERS = ["W0.npy", "b0.npy", "W1.npy", "b1.npy", "spec.npy", "format.npy",
                   "version.npy", "data.npy"]  # fmt: skip


def _weights_npz(tmp_path) -> bytes:
    path = tmp_path / "w.npz"
    save_weights(path, _T.spec, _T.params, {"kind": "classify"})
    return path.read_bytes()


SPEC_JSON = json.dumps(
    {
        "features": ["x1", "x2"],
        "hidden": [{"width": 4, "activation": "tanh", "dropout": 0.1}],
        "n_outputs": 1,
        "output": "sigmoid",
        "loss": "bce",
    }  # fmt: skip
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**20), 10**20) | st.floats() | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),  # fmt: skip
    max_leaves=5,
)


@st.composite
def weights_member(draw, member: str, original: np.ndarray):
    if member in ("spec.npy", "data.npy") and draw(st.booleans()):
        # JSON text that parses: the spec with one field replaced, or any JSON value
        doc = json.loads(SPEC_JSON)
        if draw(st.booleans()):
            doc[draw(st.sampled_from([*doc, "init", "input_shift", "input_scale"]))] = draw(
                JSON_VALUES
            )
        else:
            doc = draw(JSON_VALUES)
        return np.array(json.dumps(doc))
    return draw(replacement(original))


@FUZZ
@given(data=st.data(), member=st.sampled_from(_WEIGHT_MEMBERS))
def test_weights_npz_with_any_valid_member_loads_or_fails_cleanly(tmp_path, data, member):
    archive = _weights_npz(tmp_path)
    original = np.load(io.BytesIO(zipfile.ZipFile(io.BytesIO(archive)).read(member)))
    arr = data.draw(weights_member(member, original))
    path = tmp_path / "m.npz"
    path.write_bytes(_replace(archive, member, _npy(arr)))
    try:
        spec, params, info = load_weights(path)
    except DlvizError:
        return
    assert params.dtype == np.float32 and params.size == ParamLayout.of(spec.sizes).size
    assert np.isfinite(params).all() and isinstance(info, dict)


# ---------------------------------------------------------------- CSV tables that parse

NUMBERS = st.one_of(
    st.floats(-1e15, 1e15, allow_nan=False, width=64),
    st.integers(-9, 9).map(float),
    st.sampled_from([0.0, -0.0, 1e-300, 1e15, -1e15, 5e-324]),
)


@st.composite
def csv_tables(draw):
    kind = draw(st.sampled_from(["classify", "regress", "curve"]))
    n = draw(st.integers(1, 25))
    xs = draw(st.lists(st.tuples(NUMBERS, NUMBERS), min_size=n, max_size=n))
    if kind == "classify":
        third = [str(v) for v in draw(st.lists(st.integers(0, 7), min_size=n, max_size=n))]
    else:
        third = [repr(v) for v in draw(st.lists(NUMBERS, min_size=n, max_size=n))]
    split = draw(st.booleans())
    splits = draw(st.lists(st.sampled_from(["train", "test", "TEST"]), min_size=n, max_size=n))
    rows = []
    for i, (x1, x2) in enumerate(xs):
        cells = [repr(x1), repr(x2)] if kind == "curve" else [repr(x1), repr(x2), third[i]]
        rows.append(",".join(cells + ([splits[i]] if split else [])))
    header = draw(st.sampled_from(["", "x1,x2,label", "x1,x2,value", "x,y", "# comment", "a,b"]))
    return kind, "\n".join(([header] if header else []) + rows) + "\n"


@settings(max_examples=EXAMPLES, deadline=None, derandomize=HUNT is None)
@given(table=csv_tables(), seed=st.integers(0, 3))
def test_csv_tables_that_parse_train_or_fail_cleanly(table, seed):
    """Well-formed tables of any size and value: a dataset that a network trains on."""
    _, text = table
    try:
        d = parse_csv_text(text, source="t.csv", seed=seed)
    except DlvizError:
        return
    assert isinstance(d, Dataset) and d.n > 0 and np.isfinite(d.points).all()
    features = ("x1",) if d.kind == "curve" else ("x1", "x2")
    spec = build_spec(kind=d.kind, n_classes=d.n_classes, features=features,
                      hidden=(LayerSpec(3, "tanh"),))  # fmt: skip
    try:
        t = Trainer(d, spec, TrainConfig(OptimizerConfig("sgd", lr=0.1), batch_size=4), seed=seed,
                    normalise=True)  # fmt: skip
    except DlvizError:  # e.g. every point in the test split: nothing to train on
        return
    t.run(samples=12)
    assert np.isfinite(t.params).all()  # a divergence is undone, never kept


def test_the_fuzzed_members_start_from_files_that_load(tmp_path):
    """The fuzzers mutate working files: unmutated, each loads and trains."""
    path = tmp_path / "ok.dlviz"
    path.write_bytes(_PROJECT)
    t, _ = load_project(path)
    _trains(t)
    path = tmp_path / "ok.npz"
    path.write_bytes(_weights_npz(tmp_path))
    spec, params, _ = load_weights(path)
    np.testing.assert_array_equal(params, _T.params)


# ---------------------------------------------------------------- bugs stay bugs


@pytest.mark.parametrize("error", [AttributeError, TypeError, IndexError, KeyError, ValueError])
def test_a_bug_in_a_loader_is_not_reported_as_a_damaged_file(tmp_path, monkeypatch, error):
    """The loaders turn what damaged bytes raise into a message, never a programming error:
    a bug (here one planted in a step every load takes) must reach the tests and the crash
    report, not tell the user that a good file is damaged."""
    import dlviz.core.project as project_module
    import dlviz.core.weights as weights_module

    def bug(*args, **kwargs):
        raise error("a bug in dlviz")

    project = tmp_path / "ok.dlviz"
    project.write_bytes(_PROJECT)
    weights = tmp_path / "ok.npz"
    weights.write_bytes(_weights_npz(tmp_path))
    monkeypatch.setattr(project_module, "_history_entry", bug)
    monkeypatch.setattr(weights_module, "_fill", bug)
    with pytest.raises(error, match="a bug in dlviz"):
        load_project(project)
    with pytest.raises(error, match="a bug in dlviz"):
        load_weights(weights)
