"""`dlviz explain` as a user runs it: the JSON's layout and numbers, projects, mistakes."""

from __future__ import annotations

import json

import numpy as np
import pytest

from dlviz.cli import main
from dlviz.core.data import make_dataset
from dlviz.core.network import LayerSpec, NetworkSpec, ParamLayout, init_params
from dlviz.core.optim import OptimizerConfig
from dlviz.core.project import save_project
from dlviz.core.trainer import TrainConfig, Trainer
from dlviz.core.weights import save_weights


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


@pytest.fixture
def weights(tmp_path):
    """A 2-3-1 tanh/sigmoid classifier with known weights, saved as a weights file."""
    spec = NetworkSpec(("x1", "x2"), (LayerSpec(3, "tanh"),), 1, "sigmoid", "bce")
    params = init_params(spec, np.random.default_rng(3))
    params[ParamLayout.of(spec.sizes).b_offsets[0]] = 0.25  # a bias that is not zero
    path = tmp_path / "w.npz"
    save_weights(path, spec, params, {"kind": "classify", "n_classes": 2, "bounds": [-1, 1, -1, 1]})
    return str(path), params


def explain_json(capsys, *args: str) -> dict:
    assert main(["explain", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_holds_the_four_phases_with_an_independent_computations_numbers(capsys, weights):
    path, params = weights
    r = explain_json(capsys, path, "--point=-0.5,0.8", "--target", "1", "--optimizer", "sgd",
                     "--lr", "0.1")  # fmt: skip
    w0, b0 = params[:6].reshape(2, 3).astype(float), params[6:9].astype(float)
    w1, b1 = params[9:12].reshape(3, 1).astype(float), params[12:13].astype(float)
    x = np.array([-0.5, 0.8])
    z1 = x @ w0 + b0
    a1 = np.tanh(z1)
    z2 = a1 @ w1 + b1
    a2 = sigmoid(z2)
    assert [set(e) for e in r["forward"]] == [{"a"}, {"z", "a"}, {"z", "a"}]
    np.testing.assert_allclose(r["forward"][0]["a"], x)
    np.testing.assert_allclose(r["forward"][1]["z"], z1, rtol=1e-6)
    np.testing.assert_allclose(r["forward"][1]["a"], a1, rtol=1e-6)
    np.testing.assert_allclose(r["forward"][2]["a"], a2, rtol=1e-6)
    assert r["loss"] == pytest.approx(-np.log(a2[0]), rel=1e-6)
    d2 = a2 - 1.0  # sigmoid + BCE: δ = a − y
    d1 = (d2 @ w1.T) * (1 - a1**2)
    np.testing.assert_allclose(r["backward"][1]["delta"], d2, rtol=1e-6)
    np.testing.assert_allclose(r["backward"][0]["delta"], d1, rtol=1e-6)
    np.testing.assert_allclose(r["backward"][0]["dW"], np.outer(x, d1), rtol=1e-6)
    assert np.shape(r["backward"][0]["dW"]) == (2, 3)  # fan_in × fan_out, as in W
    np.testing.assert_allclose(r["new"][0]["W"], w0 - 0.1 * np.outer(x, d1), rtol=1e-6)
    np.testing.assert_allclose(r["new"][1]["b"], b1 - 0.1 * d2, rtol=1e-6)
    assert "optimizer_state" not in r  # plain SGD keeps none


def test_adam_from_a_weights_file_starts_from_a_fresh_state(capsys, weights):
    path, _ = weights
    r = explain_json(capsys, path, "--point=0.3,0.3", "--target", "0", "--optimizer", "adam")
    state = r["optimizer_state"]
    assert state["before"]["t"] == 0 and state["after"]["t"] == 1
    assert np.all(np.asarray(state["before"]["m"][0]["W"]) == 0)
    g = np.asarray(r["backward"][0]["dW"])
    np.testing.assert_allclose(state["after"]["m"][0]["W"], 0.1 * g, rtol=1e-5, atol=1e-12)
    np.testing.assert_allclose(state["after"]["v"][0]["W"], 0.001 * g * g, rtol=1e-4, atol=1e-12)
    assert r["lr"] == 0.01  # dlviz train's default for Adam


def test_a_project_uses_its_own_optimizer_state_and_scheduled_rate(tmp_path, capsys):
    data = make_dataset("xor", n=40, seed=1)
    spec = NetworkSpec(("x1", "x2"), (LayerSpec(4, "relu"),), 1, "sigmoid", "bce")
    opt = OptimizerConfig("rmsprop", lr=0.05, schedule="step", decay_steps=5, decay_rate=0.5)
    trainer = Trainer(data, spec, TrainConfig(opt, batch_size=4, l2=0.01), seed=2)
    trainer.run(samples=24)  # 6 steps: the rate has halved once
    path = tmp_path / "p.dlviz"
    save_project(path, trainer)
    r = explain_json(capsys, str(path), "--point=0.1,-0.2", "--target", "1")
    assert r["optimizer"] == "rmsprop" and r["lr"] == pytest.approx(0.025) and r["l2"] == 0.01
    assert r["optimizer_state"]["before"]["t"] == 6
    layout = ParamLayout.of(trainer.spec.sizes)
    np.testing.assert_allclose(r["optimizer_state"]["before"]["v"][0]["W"],
                               layout.weight(trainer.state.v, 0), rtol=1e-6)  # fmt: skip
    # another optimizer starts afresh, at its own default rate
    r = explain_json(capsys, str(path), "--point=0.1,-0.2", "--target", "1", "--optimizer",
                     "momentum")  # fmt: skip
    assert r["optimizer_state"]["before"]["t"] == 0 and r["lr"] == 0.1


def test_curve_model_takes_one_value(tmp_path, capsys):
    spec = NetworkSpec(("x1",), (), 1, "identity", "mse", n_inputs=1)
    path = tmp_path / "line.json"
    save_weights(
        path,
        spec,
        np.array([2.0, 1.0], np.float32),
        {"kind": "curve", "n_classes": 0, "bounds": [0, 1, 0, 1]},
    )
    r = explain_json(capsys, str(path), "--point=-1.5", "--target", "0.5", "--lr", "0.1")
    assert r["forward"][1]["a"] == [pytest.approx(-2.0)]
    assert r["loss"] == pytest.approx(6.25)  # (−2 − 0.5)²
    assert r["backward"][0]["dW"] == [[pytest.approx(2 * -2.5 * -1.5)]]
    assert r["new"][0]["b"] == [pytest.approx(1.0 - 0.1 * 2 * -2.5)]


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (["--point=0,0", "--target", "2"], "class index 0 to 1"),
        (["--point=0", "--target", "1"], "two values"),
        (["--point=0,0,0", "--target", "1"], "two values"),
        (["--point=a,0", "--target", "1"], "give numbers"),
        (["--point=0,0", "--target", "1", "--optimizer", "adamx"], "unknown optimizer"),
        (["--point=0,0", "--target", "1", "--lr", "0"], "learning rate"),
    ],
)
def test_user_mistakes_exit_2_with_one_line(capsys, weights, args, phrase):
    assert main(["explain", weights[0], *args]) == 2
    err = capsys.readouterr().err
    assert phrase in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_unreadable_files_exit_2_with_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip")
    for path in (str(bad), str(tmp_path / "missing.npz"), str(tmp_path / "x.dlviz")):
        assert main(["explain", path, "--point=0,0", "--target", "1"]) == 2
        err = capsys.readouterr().err
        assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_text_output_names_the_four_phases(capsys, weights):
    assert main(["explain", weights[0], "--point=0.5,0.5", "--target", "1"]) == 0
    out = capsys.readouterr().out
    for phase in ("1. forward", "2. loss", "3. backward", "4. update", "batch of one"):
        assert phase in out
