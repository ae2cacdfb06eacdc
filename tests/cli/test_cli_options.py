"""Any value of any option of every subcommand: success, or exit 2 with one line.

Hypothesis draws each option's value from what a user might type (sensible values,
edges, negatives, huge numbers, NaN, words, quotes, paths into folders that do not
exist or cannot be written) with small bounds on work (a few epochs, a few hundred
points).  A traceback is a test failure: the exception reaches pytest.
"""

from __future__ import annotations

import contextlib
import os
import tempfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlviz import cli
from dlviz.cli import MAX_EPOCHS
from dlviz.core.data import MAX_POINTS, PRESETS
from dlviz.core.network import build_spec
from dlviz.core.weights import save_weights

#: Examples per property.  CI draws the same ones every run (derandomised); set
#: DLVIZ_FUZZ_EXAMPLES=2000 for a long hunt with fresh random draws.
HUNT = os.environ.get("DLVIZ_FUZZ_EXAMPLES")
EXAMPLES = int(HUNT or "150")
#: capsys is reset by hand in each example; a run may take a second (the reference engine)
SLOW_OK = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
HOSTILE_TEXT = st.sampled_from(
    ["", " ", "-1", "0", "1e999", "nan", "inf", "-inf", "abc", "1,2,3", "'\"", "\x00", "ü",
     "--json", "1" * 40, "0x10", "1_000", " 3 ", "2.5"]
)  # fmt: skip
INTS = st.one_of(st.integers(-3, 12).map(str), st.integers(-(2**70), 2**70).map(str))
FLOATS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(-2, 2).map(lambda v: f"{v:.3g}"),
)


def value(*good: str) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(good), HOSTILE_TEXT)


def number(*good: str) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(good), HOSTILE_TEXT, INTS, FLOATS)


#: Output names: fine ones, a folder, a missing folder, a read-only folder, odd suffixes.
OUTPUT_NAMES = ["w.npz", "w.json", "w.safetensors", "m.onnx", "m.py", "m.torch.py", "p.dlviz",
                "adir.npz", "adir", "missing/w.npz", "ro/w.npz", "ro/p.dlviz", "w.txt", "",
                "w.NPZ", ".npz", "w.npz/", "m\"\"\"'.py", "p.dlviz.npz", "afile/w.npz"]  # fmt: skip

#: option -> values a user means (the test combines these freely with one drawn from all)
TRAIN_GOOD = {
    "--dataset": [*PRESETS],
    "--classes": ["2", "3", "8"],
    "--points": ["20", "60", "200"],
    "--noise": ["0", "0.2", "1"],
    "--test-ratio": ["0", "0.3", "0.5"],
    "--features": ["x1", "x1,x2", "x1,x2,x1sq,x2sq,x1x2,sinx1,sinx2"],
    "--hidden": ["none", "8", "4,4"],
    "--activation": ["tanh", "relu", "gelu"],
    "--dropout": ["0", "0.5", "0.9"],
    "--init": ["xavier", "he", "uniform"],
    "--loss": ["mse", "bce", "ce"],
    "--optimizer": ["sgd", "adam", "gd", "momentum", "nesterov", "adagrad", "rmsprop"],
    "--lr": ["0.1", "0.01", "10"],
    "--schedule": ["constant", "step", "exponential", "cosine"],
    "--decay-steps": ["1", "10", "1000"],
    "--decay-rate": ["0.5", "1"],
    "--momentum": ["0", "0.9", "0.99"],
    "--batch-size": ["1", "10", "1000000"],
    "--epochs": ["1", "2", "3"],
    "--l1": ["0", "0.001", "10"],
    "--l2": ["0", "0.001", "10"],
    "--patience": ["0", "1", "5"],
    "--seed": ["0", "1", "4294967295"],
    "--engine": ["numba", "cpu", "reference", "auto", "cuda"],
    "--out": ["w.npz", "w.json", "w.safetensors"],
    "--export": ["m.onnx", "m.py", "m.torch.py", "w.npz"],
    "--project": ["p.dlviz"],
}
#: options whose values set the work done: never drawn beyond these (a few epochs and points)
WORK = {
    "--epochs": ["1", "2", "3", "0", "-1", "1.5", "", "x", str(2**70)],
    "--points": ["1", "2", "20", "200", "0", "-5", "100001", str(2**70), "1.5", "", "x", "nan"],
}
OUTPUTS = ("--out", "--export", "--project")


def any_value(option: str) -> st.SearchStrategy[str]:
    if option in WORK:
        return st.sampled_from(WORK[option])
    if option in OUTPUTS:
        return st.sampled_from(OUTPUT_NAMES)
    return st.one_of(st.sampled_from(TRAIN_GOOD[option]), HOSTILE_TEXT, INTS, FLOATS)


FLAGS = ["--normalise", "--json"]
#: Without these a run trains 100 epochs of a preset's hundreds of points.
BOUNDS = {"--epochs": "2", "--points": "200"}


@contextlib.contextmanager
def playground():
    """A fresh working folder with a folder named like a file and a read-only folder."""
    old = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        os.mkdir("adir.npz")
        os.mkdir("adir")
        os.mkdir("ro")
        os.chmod("ro", 0o555)  # root writes into it anyway: "afile/" is unwritable for all
        with open("afile", "w") as fh:
            fh.write("a file, not a folder")
        try:
            yield tmp
        finally:
            os.chmod("ro", 0o755)
            os.chdir(old)


def small_work(argv: list[str]) -> bool:
    """Whether a run stays small (a few epochs of a few hundred points)."""
    opts = dict(zip(argv[1::2], argv[2::2], strict=False))
    try:
        epochs = int(opts.get("--epochs", "100"))
        points = int(opts.get("--points", "400"))
    except ValueError:
        return True  # refused before any work
    return (epochs <= 3 or epochs > MAX_EPOCHS) and (points <= 400 or points > MAX_POINTS)


def assert_success_or_one_line(argv: list[str], capsys) -> None:
    capsys.readouterr()
    code = cli.main(argv)
    err = capsys.readouterr().err
    assert code in (0, 2), (argv, code, err)
    if code == 2:
        assert err.startswith("dlviz") and err.count("\n") == 1, (argv, err)
        assert "Traceback" not in err


@settings(
    max_examples=EXAMPLES, deadline=None, derandomize=HUNT is None, suppress_health_check=SLOW_OK
)
@given(
    option=st.sampled_from(sorted(TRAIN_GOOD)),
    others=st.dictionaries(st.sampled_from(sorted(TRAIN_GOOD)), st.integers(0, 10), max_size=3),
    data=st.data(),
    flags=st.lists(st.sampled_from(FLAGS), unique=True),
)
def test_train_options(option, others, data, flags, capsys):
    """One option with any value, up to three others with values a user means."""
    chosen = {name: TRAIN_GOOD[name][i % len(TRAIN_GOOD[name])] for name, i in others.items()}
    chosen[option] = data.draw(any_value(option), label=option)
    for name, bound in BOUNDS.items():
        chosen.setdefault(name, bound)
    argv = ["train"]
    for name, text in chosen.items():
        argv += [name, text]
    assert small_work(argv)
    argv += flags
    with playground():
        assert_success_or_one_line(argv, capsys)


@pytest.fixture(scope="module")
def model_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("models")
    spec = build_spec(kind="classify", n_classes=2, features=("x1", "x2"), hidden=())
    params = np.arange(3, dtype=np.float32)
    info = {"kind": "classify", "n_classes": 2, "bounds": [-6, 6, -6, 6]}
    save_weights(folder / "w.npz", spec, params, info)
    (folder / "points.csv").write_text("x1,x2\n0,1\n2,3\n")
    (folder / "bad.csv").write_text("x1,x2\n0,a\n")
    (folder / "nul.csv").write_bytes(b"0,1\n\x00,2\n")
    return folder


def model_path(folder, name):
    return name if name in ("", "missing.npz", "nope") else str(folder / name)


@settings(
    max_examples=EXAMPLES // 2,
    deadline=None,
    derandomize=HUNT is None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    weights=st.sampled_from(["w.npz", "points.csv", "missing.npz", "", "nope"]),
    points=st.sampled_from(["points.csv", "bad.csv", "nul.csv", "w.npz", "missing.csv", ""]),
    engine=st.one_of(st.none(), value("cpu", "numba", "reference", "auto", "cuda")),
    extra=st.lists(HOSTILE_TEXT, max_size=2),
)
def test_predict_options(model_files, weights, points, engine, extra, capsys):
    argv = ["predict", "--weights", model_path(model_files, weights)]
    argv += ["--data", model_path(model_files, points), *extra]
    if engine is not None:
        argv += ["--engine", engine]
    assert_success_or_one_line(argv, capsys)


@settings(
    max_examples=EXAMPLES // 2,
    deadline=None,
    derandomize=HUNT is None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    source=st.sampled_from(["w.npz", "points.csv", "missing.npz", ""]),
    output=st.sampled_from(OUTPUT_NAMES),
    fmt=st.one_of(
        st.none(), value("onnx", "npz", "json", "safetensors", "numpy-code", "torch-code")
    ),  # fmt: skip
)
def test_export_options(model_files, source, output, fmt, capsys):
    argv = ["export", model_path(model_files, source), "-o", output]
    if fmt is not None:
        argv += ["--format", fmt]
    with playground():
        assert_success_or_one_line(argv, capsys)


@given(extra=st.lists(HOSTILE_TEXT.filter(lambda t: t != "--json"), min_size=1, max_size=2))
@settings(max_examples=20, deadline=None, derandomize=HUNT is None, suppress_health_check=SLOW_OK)
def test_bench_refuses_what_it_does_not_know(extra, capsys):
    """bench's options are flags: anything else is refused before it benchmarks."""
    argv = ["bench", *extra]
    if all(not t.strip() for t in extra):
        argv.append("--nope")
    capsys.readouterr()
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("option", "text"),
    [
        ("--seed", "-1"),
        ("--seed", str(2**64)),
        ("--batch-size", "332578912"),
        ("--epochs", str(2**70)),
    ],  # fmt: skip
)
def test_values_that_once_crashed_or_hung_are_refused_before_work(option, text, capsys):
    """Found by the property above: a NumPy traceback (seed), a 23 GiB allocation (batch
    size), a run of 10^21 epochs."""
    capsys.readouterr()
    assert cli.main(["train", "--epochs", "1", "--points", "20", option, text]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and option.strip("-").replace("-", " ") in err
