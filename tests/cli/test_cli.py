"""`dlviz train / predict` as a user runs them: the issue's acceptance runs and the error paths."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from dlviz.cli import main


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


def test_console_script_reports_errors_without_traceback():
    out = subprocess.run(
        [sys.executable, "-m", "dlviz", "train", "--dataset", "nope"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 2
    assert out.stderr.startswith("dlviz: error:") and "Traceback" not in out.stderr
