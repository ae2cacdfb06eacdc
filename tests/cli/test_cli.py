"""`dlviz train / predict` as a user runs them: the issue's acceptance runs and the error paths."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time

import numpy as np
import pytest

from dlviz.cli import main
from dlviz.core.weights import load_weights

#: What README says ``--json`` prints for every run.
JSON_KEYS = {"train_loss", "test_loss", "train_accuracy", "test_accuracy", "epochs", "steps",
             "engine", "seconds", "samples_per_second"}  # fmt: skip
REGRESSION_KEYS = {"r2", "train_r2", "test_r2"}


def train_json(capsys, *args: str) -> dict:
    assert main(["train", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_spiral_reaches_95_percent(capsys):
    r = train_json(capsys, "--dataset", "spiral", "--hidden", "16,16", "--activation", "tanh",
                   "--epochs", "300", "--seed", "1")  # fmt: skip
    assert r["test_accuracy"] >= 0.95, r
    assert r["epochs"] == 300 and r["samples_per_second"] > 0


def test_xor_with_the_textbook_2_10_1_sigmoid_net_and_sgd(capsys):
    r = train_json(capsys, "--dataset", "xor", "--hidden", "10", "--activation", "sigmoid",
                   "--loss", "bce", "--optimizer", "sgd", "--lr", "0.5",
                   "--epochs", "200")  # fmt: skip
    assert r["test_accuracy"] >= 0.9, r


def test_line_recovers_slope_and_intercept(capsys):
    r = train_json(capsys, "--dataset", "line", "--hidden", "none", "--loss", "mse",
                   "--noise", "0.1", "--epochs", "200")  # fmt: skip
    assert r["slope"] == pytest.approx(3, abs=0.1) and r["intercept"] == pytest.approx(2, abs=0.1)
    assert r["r2"] > 0.9


def test_line_with_every_default_recovers_slope_and_intercept(capsys):
    """The issue's command as written: no epochs, optimizer or noise given."""
    r = train_json(capsys, "--dataset", "line", "--hidden", "none", "--loss", "mse")
    assert r["slope"] == pytest.approx(3, abs=0.1) and r["intercept"] == pytest.approx(2, abs=0.1)


def test_five_class_spiral(capsys):
    r = train_json(capsys, "--dataset", "spiral", "--classes", "5", "--hidden", "32,32",
                   "--activation", "relu", "--epochs", "300", "--seed", "1")  # fmt: skip
    assert r["test_accuracy"] >= 0.9, r


def test_weights_round_trip_through_predict(tmp_path, capsys):
    weights = tmp_path / "w.npz"
    r = train_json(capsys, "--dataset", "circle", "--hidden", "6", "--epochs", "50",
                   "--out", str(weights))  # fmt: skip
    pts = tmp_path / "pts.csv"
    pts.write_text("x1,x2\n0,0\n5.5,0\n-5,-4\n")
    assert main(["predict", "--weights", str(weights), "--data", str(pts)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "x1,x2,p0,p1,label"
    rows = [line.split(",") for line in lines[1:]]
    assert len(rows) == 3
    assert [int(r[-1]) for r in rows] == [0, 1, 1]  # circle: inside class 0, outside class 1
    assert r["test_accuracy"] > 0.9
    for row in rows:
        assert float(row[2]) + float(row[3]) == pytest.approx(1, abs=1e-5)
    with np.load(weights, allow_pickle=False) as z:
        assert z["W0"].shape == (2, 6) and z["b1"].shape == (1,)


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (["--dataset", "spirals"], "unknown dataset"),
        (["--optimizer", "adamm"], "unknown optimizer"),
        (["--hidden", "8,x"], "--hidden"),
        (["--hidden", "300"], "1 to 256"),
        (["--activation", "relu,tanh,elu"], "activations for 2 hidden layers"),
        (["--features", "x3"], "x3"),
        (["--dataset", "xor", "--classes", "3"], "2 classes"),
        (["--lr", "-1"], "learning rate"),
        (["--data", "/nonexistent.csv"], "nonexistent"),
        (["--epochs", "0"], "--epochs"),
        (["--dropout", "0.95"], "use a rate from 0 to 0.9"),
        (["--dropout", "1"], "use a rate from 0 to 0.9"),
        (["--dropout", "0.1,0.2,0.3"], "one rate for all hidden layers or one per layer"),
        (["--schedule", "linear"], "unknown schedule"),
        (["--patience", "-1"], "patience"),
        (["--engine", "gpu"], "invalid choice: 'gpu'"),
    ],
)
def test_user_mistakes_exit_2_with_one_line(capsys, args, phrase):
    assert main(["train", *args]) == 2
    err = capsys.readouterr().err
    assert phrase in err.lower() or phrase in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_bad_csv_names_the_line(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("x1,x2,label\n0,0,1\n1,abc,0\n")
    assert main(["train", "--data", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "line 3" in err and "abc" in err


def run_dlviz(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``python -m dlviz ARGS`` with stderr a pipe, as a script or CI job runs it."""
    return subprocess.run(
        [sys.executable, "-m", "dlviz", *args],
        capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip


def test_console_script_reports_errors_without_traceback():
    out = run_dlviz("train", "--dataset", "nope")
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.startswith("dlviz: error:") and "Traceback" not in out.stderr
    assert len(out.stderr.splitlines()) == 1, out.stderr


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def slow_warm_up(monkeypatch):
    """The engine's warm-up as a first start (empty kernel cache) feels: 0.8 s; calls recorded."""
    import dlviz.core.kernels.cpu as cpu

    calls = []
    real = cpu.warm_up

    def warm_up(progress=None):
        calls.append(progress)
        time.sleep(0.8)
        real(progress)

    monkeypatch.setattr(cpu, "warm_up", warm_up)
    return calls


def test_mistakes_are_reported_before_the_engine_compiles(capsys, slow_warm_up):
    for args in (["--dataset", "nope"], ["--optimizer", "adamm"], ["--l2", "-1"],
                 ["--hidden", "8", "--activation", "relu,tanh"]):  # fmt: skip
        assert main(["train", *args]) == 2
        assert capsys.readouterr().err.count("\n") == 1
    assert slow_warm_up == []  # nothing was compiled for a mistake


def test_a_slow_first_start_prints_nothing_off_a_terminal(capsys, slow_warm_up):
    r = train_json(capsys, "--dataset", "circle", "--hidden", "3", "--epochs", "2")
    assert r["epochs"] == 2 and len(slow_warm_up) == 1
    assert capsys.readouterr().err == ""  # stderr is a pipe or file: no progress text


def test_a_slow_first_start_shows_progress_on_a_terminal(monkeypatch, capsys, slow_warm_up):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["train", "--dataset", "circle", "--hidden", "3", "--epochs", "2"]) == 0
    shown = terminal.getvalue()
    assert "compiling the engine (first run only)" in shown
    assert "2/2" in shown.split("compiling")[-1]  # and the epochs' progress bar afterwards
    assert capsys.readouterr().out.count("test_accuracy") == 1


def predict(capsys, source, points) -> tuple[str, list[list[float]]]:
    assert main(["predict", "--weights", str(source), "--data", str(points)]) == 0
    header, *rows = capsys.readouterr().out.strip().splitlines()
    return header, [[float(v) for v in row.split(",")] for row in rows]


def test_predict_uses_the_saved_input_normalisation(tmp_path, capsys):
    """A model trained with --normalise predicts in the data's units, from weights or project."""
    weights, project = tmp_path / "line.npz", tmp_path / "line.dlviz"
    r = train_json(capsys, "--dataset", "line", "--hidden", "none", "--loss", "mse",
                   "--normalise", "--out", str(weights), "--project", str(project))  # fmt: skip
    assert r["slope"] == pytest.approx(3, abs=0.01) and r["intercept"] == pytest.approx(2, abs=0.01)
    spec, _, _ = load_weights(weights)
    assert spec.input_shift and spec.input_scale  # the normalisation travels with the weights
    points = tmp_path / "x.csv"
    points.write_text("x\n0\n1\n-1\n")
    for source in (weights, project):
        header, rows = predict(capsys, source, points)
        assert header == "x,y"
        assert [row[1] for row in rows] == pytest.approx([2, 5, -1], abs=0.01)  # y = 3x + 2


def test_predict_on_a_2d_regression_prints_y(tmp_path, capsys):
    weights = tmp_path / "plane.npz"
    r = train_json(capsys, "--dataset", "plane", "--hidden", "none", "--loss", "mse",
                   "--normalise", "--out", str(weights))  # fmt: skip
    assert JSON_KEYS | REGRESSION_KEYS <= r.keys() and r["test_r2"] > 0.99
    assert "slope" not in r  # a slope and intercept only for a 1-D model
    points = tmp_path / "pts.csv"
    points.write_text("x1,x2,value\n0,0,9\n6,6,9\n-6,0,9\n")  # the value column is ignored
    header, rows = predict(capsys, weights, points)
    assert header == "x1,x2,y"
    assert [row[2] for row in rows] == pytest.approx([0, 1, -0.5], abs=0.02)  # (x1 + x2) / 12


def test_json_has_every_documented_key(capsys):
    r = train_json(capsys, "--dataset", "circle", "--hidden", "4", "--epochs", "3")
    assert JSON_KEYS <= r.keys() and not REGRESSION_KEYS & r.keys()
    assert r["epochs"] == 3 and r["steps"] == 3 * 20  # 200 training points, batches of 10
    assert 0 <= r["train_accuracy"] <= 1 and 0 <= r["test_accuracy"] <= 1
    assert r["train_loss"] > 0 and r["seconds"] > 0 and r["samples_per_second"] > 0
    line = train_json(capsys, "--dataset", "line", "--hidden", "none", "--loss", "mse",
                      "--epochs", "5")  # fmt: skip
    assert JSON_KEYS | REGRESSION_KEYS | {"slope", "intercept"} <= line.keys()
    assert line["train_accuracy"] is None and line["train_r2"] is not None


def test_per_layer_activations_and_dropout_reach_the_network(tmp_path, capsys):
    weights = tmp_path / "w.npz"
    args = ["--dataset", "circle", "--hidden", "8,6", "--activation", "relu,tanh",
            "--epochs", "40"]  # fmt: skip
    r = train_json(capsys, *args, "--dropout", "0.2,0.1", "--out", str(weights))
    assert r["network"] == "2-8(relu)-6(tanh)-1 sigmoid/bce"
    assert r["test_accuracy"] > 0.85
    spec, with_dropout, _ = load_weights(weights)
    assert [(h.activation, h.dropout) for h in spec.hidden] == [("relu", 0.2), ("tanh", 0.1)]
    train_json(capsys, *args, "--out", str(weights))
    _, without, _ = load_weights(weights)
    assert not np.allclose(with_dropout, without)  # dropout changed the training


def weights_of(path) -> np.ndarray:
    """Every weight-matrix entry of a weights file (biases are not regularised)."""
    with np.load(path, allow_pickle=False) as z:
        return np.concatenate([z[k].ravel() for k in z.files if k.startswith("W")])


def test_l1_and_l2_shrink_the_weights(tmp_path, capsys):
    args = ["--dataset", "circle", "--hidden", "8", "--epochs", "40"]
    weights, accuracy = {}, {}
    for name, extra in (("none", []), ("l1", ["--l1", "0.03"]), ("l2", ["--l2", "0.05"])):
        path = tmp_path / f"{name}.npz"
        accuracy[name] = train_json(capsys, *args, *extra, "--out", str(path))["test_accuracy"]
        weights[name] = weights_of(path)
    plain, l1, l2 = weights["none"], weights["l1"], weights["l2"]
    assert np.abs(l1).sum() < 0.5 * np.abs(plain).sum()
    assert (np.abs(l1) < 0.01).sum() > 3 * max((np.abs(plain) < 0.01).sum(), 1)  # L1: sparse
    assert (l2**2).sum() < 0.5 * (plain**2).sum()
    assert min(accuracy.values()) > 0.9  # mild rates: the circle is still learnt


@pytest.mark.parametrize("schedule", ["step", "cosine"])
def test_a_schedule_that_ends_learning_early_stops_the_fit(capsys, schedule):
    """The line fit needs more than a few steps: a rate decayed (step, ×0.01 every 2 steps)
    or annealed to 0 (cosine over 2 steps) leaves it unfitted, where constant fits it."""
    args = ["--dataset", "line", "--hidden", "none", "--loss", "mse", "--epochs", "60"]
    fitted = train_json(capsys, *args)
    assert fitted["slope"] == pytest.approx(3, abs=0.1)
    r = train_json(capsys, *args, "--schedule", schedule, "--decay-steps", "2",
                   "--decay-rate", "0.01")  # fmt: skip
    assert r["steps"] == fitted["steps"] == 60 * 3  # it kept stepping, with a tiny rate
    assert abs(r["slope"] - 3) > 0.5 and r["train_loss"] > 100 * fitted["train_loss"]


def test_patience_stops_training_early_with_a_note(capsys):
    args = ["train", "--dataset", "line", "--hidden", "none", "--loss", "mse", "--patience", "3",
            "--epochs", "5000", "--json"]  # fmt: skip
    assert main(args) == 0
    out, err = capsys.readouterr()
    r = json.loads(out)
    assert r["epochs"] < 5000 and r["slope"] == pytest.approx(3, abs=0.01)
    assert err.startswith("dlviz: early stopping at epoch") and err.count("\n") == 1


def test_bench_quick_prints_json_lines_with_their_keys(capsys):
    from dlviz.benchmark import CASES, OPTIMIZERS

    assert main(["bench", "--json", "--quick"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.strip().splitlines()]
    assert all(line["quick"] is True for line in lines)
    rates = [line for line in lines if "engine" in line]
    expected = {(c.name, o) for c in CASES for o in OPTIMIZERS}
    for engine in ("numba", "reference", "cli", "app"):  # the kernel and the user paths
        assert {(r["case"], r["optimizer"]) for r in rates if r["engine"] == engine} == expected
    assert all(r["samples_per_second"] > 0 for r in rates)
    ratios = [line for line in lines if "numba_vs_reference" in line]
    assert {(r["case"], r["optimizer"]) for r in ratios} == expected
    assert all(r["numba_vs_reference"] > 0 for r in ratios)
    for r in ratios:
        assert r["cli_vs_numba"] > 0 and r["app_vs_numba"] > 0 and r["kernel_gflops"] > 0
        assert r["user_path_target"] == 0.9
    (threads,) = [line for line in lines if "blas_threads" in line]
    assert threads["blas_threads"] >= 1 and threads["cores"] >= 1
    (blas,) = [line for line in lines if "all_vs_1" in line]
    assert blas["blas_1_thread"] > 0 and blas["all_vs_1"] > 0
    (peak,) = [line for line in lines if "peak" in line]
    assert peak["gflops_1_thread"] > 0
    subnormals = [line for line in lines if "subnormals" in line]
    assert [(s["subnormals"].split()[0], s["optimizer"]) for s in subnormals] == [
        ("medium", "adam"),
        ("wide", "sgd"),
    ]
    assert all(s["flushed"] > 0 and s["ieee"] > 0 and s["flushed_vs_ieee"] > 0 for s in subnormals)
    if any(r["engine"] == "torch" for r in rates):  # PyTorch installed (the bench extra)
        keys = {"numba_vs_torch", "cli_vs_torch", "target", "met", "cli_met"}
        assert all(keys <= r.keys() for r in ratios)
    (grid,) = [line for line in lines if "grid" in line]
    assert grid["ms"] > 0 and grid["target_ms"] == 15.0 and isinstance(grid["met"], bool)
    (jit,) = [line for line in lines if "jit" in line]
    assert jit["cached_s"] > 0 and jit["cold_s"] is None and jit["target_cached_s"] == 1.5


@pytest.mark.parametrize("engine", ["cpu", "numba", "reference", "auto", "CPU"])
def test_json_names_the_engine_that_ran(capsys, engine):
    """`numba` is the CPU engine's old name; `auto` never reports itself, and picks the
    CPU engine for this tiny network (and on any machine without a GPU)."""
    r = train_json(capsys, "--dataset", "xor", "--hidden", "4", "--epochs", "1",
                   "--engine", engine)  # fmt: skip
    assert r["engine"] == {"numba": "cpu", "CPU": "cpu", "auto": "cpu"}.get(engine, engine)
    assert capsys.readouterr().err == ""


def test_cuda_without_a_gpu_is_one_line_and_a_cpu_run(capsys, tmp_path):
    """`--engine cuda` where CUDA cannot run: one line naming what to install, then the
    CPU engine trains (train and predict); the project keeps the user's choice."""
    from dlviz.core.engines import cuda_problem
    from dlviz.core.project import load_project

    if cuda_problem() is None:
        pytest.skip("CUDA runs here (a GPU, or the simulator)")
    project = tmp_path / "run.dlviz"
    assert main(["train", "--dataset", "xor", "--hidden", "4", "--epochs", "2", "--engine", "cuda",
                 "--project", str(project), "--json"]) == 0  # fmt: skip
    out, err = capsys.readouterr()
    assert json.loads(out)["engine"] == "cpu"
    assert err.count("\n") == 1 and err.startswith("dlviz: CUDA engine unavailable: ")
    assert "pip install" in err and "training on the CPU engine" in err
    trainer, _ = load_project(str(project))
    assert trainer.engine_choice == "cuda" and trainer.engine_name == "cpu"
    pts = tmp_path / "pts.csv"
    pts.write_text("x1,x2\n0,0\n")
    assert main(["predict", "--weights", str(project), "--data", str(pts), "--engine", "cuda"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("x1,x2,p0,p1,label") and err.startswith("dlviz: CUDA engine unavailable")


def test_train_takes_no_layer_statistics_it_never_prints(monkeypatch, capsys):
    """The per-layer statistics sort every layer's weights each slice: on a wide network
    they cost more than the training; `dlviz train` prints none, so it takes none."""
    import dlviz.core.still as still_module

    def no_stats(*_):
        raise AssertionError("dlviz train took per-layer statistics")

    monkeypatch.setattr(still_module, "layer_stats", no_stats)
    r = train_json(capsys, "--dataset", "xor", "--hidden", "4", "--epochs", "20")
    assert r["epochs"] == 20 and r["train_loss"] is not None
