"""`dlviz train / predict / export` on image data: the built-in digits, IDX folders, PNGs."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest
from PIL import Image

from dlviz.cli import main
from dlviz.core.images import load_digits, write_idx
from dlviz.core.weights import load_weights
from tests.image_files import mnist_like, write_mnist_folder


def train_json(capsys, *args: str) -> dict:
    assert main(["train", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_digits_learn_in_a_few_epochs(capsys):
    """The issue's done-when run, shortened (30 epochs of 128 units reach >= 0.95)."""
    r = train_json(capsys, "--dataset", "digits", "--hidden", "32", "--activation", "relu",
                   "--optimizer", "adam", "--epochs", "5", "--batch-size", "16")  # fmt: skip
    assert r["network"] == "64-32(relu)-10 softmax/ce"
    assert r["test_accuracy"] >= 0.9, r


def test_image_data_defaults_to_one_hidden_layer_of_128_and_a_fifth_held_out(capsys):
    r = train_json(capsys, "--dataset", "digits", "--epochs", "1", "--points", "200")
    assert r["network"].startswith("64-128(tanh)-10 ")
    assert r["dataset"] == "digits" and r["steps"] == -(-160 // 10)  # 200 - 20 % held out


@pytest.mark.parametrize(
    "option", [("--features", "x1,x2"), ("--noise", "0.1"), ("--classes", "3")]
)
def test_options_for_points_are_refused_for_images(capsys, tmp_path, option):
    assert main(["train", "--dataset", "digits", *option]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{option[0]} is for points" in err
    write_mnist_folder(tmp_path / "m", n_train=10, n_test=2)
    assert main(["train", "--data", str(tmp_path / "m"), *option]) == 2


def test_784_128_10_trains_from_an_idx_folder_and_tests_on_t10k(capsys, tmp_path):
    write_mnist_folder(tmp_path / "mnist", n_train=400, n_test=100)
    r = train_json(capsys, "--data", str(tmp_path / "mnist"), "--hidden", "128",
                   "--activation", "relu", "--optimizer", "adam", "--lr", "0.001",
                   "--batch-size", "64", "--epochs", "5")  # fmt: skip
    assert r["network"] == "784-128(relu)-10 softmax/ce"
    assert r["steps"] == 5 * -(-400 // 64)  # trained on the 400 train images only
    assert r["test_accuracy"] >= 0.9, r


def test_points_takes_a_seeded_subset_and_test_ratio_splits_data_without_a_test_part(
    capsys, tmp_path
):
    folder = tmp_path / "m"
    folder.mkdir()
    images, labels = mnist_like(100, 1)
    write_idx(folder / "train-images-idx3-ubyte", images)
    write_idx(folder / "train-labels-idx1-ubyte", labels)
    r = train_json(capsys, "--data", str(folder), "--points", "50", "--test-ratio", "0.4",
                   "--epochs", "1", "--batch-size", "5")  # fmt: skip
    assert r["steps"] == 6  # 30 training images in batches of 5


def test_a_malformed_idx_folder_is_one_line_and_exit_2(capsys, tmp_path):
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "train-images-idx3-ubyte").write_bytes(b"\0\0\x08\x01" + b"\0" * 8)
    (folder / "train-labels-idx1-ubyte").write_bytes(b"\0\0\x08\x01" + b"\0" * 4)
    assert main(["train", "--data", str(folder)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "magic number 0x00000801, expected 0x00000803" in err


def _predict_rows(capsys, *args: str) -> list[list[str]]:
    assert main(["predict", *args]) == 0
    return list(csv.reader(io.StringIO(capsys.readouterr().out)))


def test_predict_reads_pixel_rows_or_a_png_and_prints_probabilities_only(capsys, tmp_path):
    w = tmp_path / "w.npz"
    train_json(capsys, "--dataset", "digits", "--hidden", "32", "--activation", "relu",
               "--epochs", "3", "--batch-size", "16", "--out", str(w))  # fmt: skip
    d = load_digits(test_ratio=0.2, seed=0)
    rows = d.test_inputs[:6]
    pixels = tmp_path / "pixels.csv"
    np.savetxt(pixels, rows, delimiter=",", fmt="%.9g")
    out = _predict_rows(capsys, "--weights", str(w), "--data", str(pixels))
    assert out[0] == [*(f"p{k}" for k in range(10)), "label"]
    assert len(out) == 7 and all(len(r) == 11 for r in out[1:])  # no pixels echoed
    probs = np.array([[float(v) for v in r[:10]] for r in out[1:]])
    np.testing.assert_allclose(probs.sum(axis=1), 1, atol=1e-5)
    # the same network in NumPy from the weights file (softmax(relu(x W0 + b0) W1 + b1))
    spec, params, _ = load_weights(w)
    w0, b0 = params[: 64 * 32].reshape(64, 32), params[64 * 32 : 64 * 32 + 32]
    rest = params[64 * 32 + 32 :]
    w1, b1 = rest[: 32 * 10].reshape(32, 10), rest[32 * 10 :]
    z = np.maximum(rows @ w0 + b0, 0) @ w1 + b1
    expected = np.exp(z - z.max(1, keepdims=True))
    expected /= expected.sum(1, keepdims=True)
    np.testing.assert_allclose(probs, expected, atol=2e-6)
    assert [int(r[10]) for r in out[1:]] == expected.argmax(1).tolist()
    # one PNG: the first row drawn as an 8×8 grey image (0..16 scaled to 0..255 and back)
    png = tmp_path / "digit.png"
    Image.fromarray(np.round(rows[0].reshape(8, 8) * 255).astype(np.uint8)).save(png)
    out = _predict_rows(capsys, "--weights", str(w), "--data", str(png))
    assert len(out) == 2 and int(out[1][10]) == int(expected[0].argmax())


def test_predict_refuses_rows_with_too_few_pixels(capsys, tmp_path):
    w = tmp_path / "w.npz"
    train_json(capsys, "--dataset", "digits", "--epochs", "1", "--points", "50", "--out", str(w))
    bad = tmp_path / "bad.csv"
    bad.write_text("0.1,0.2,0.3\n")
    assert main(["predict", "--weights", str(w), "--data", str(bad)]) == 2
    assert "expected 64 values (pixels, row by row), found 3" in capsys.readouterr().err


def test_an_image_project_exports_onnx_that_takes_pixel_rows(capsys, tmp_path):
    ort = pytest.importorskip("onnxruntime")
    project, onnx_path = tmp_path / "d.dlviz", tmp_path / "d.onnx"
    train_json(capsys, "--dataset", "digits", "--epochs", "1", "--points", "200",
               "--project", str(project))  # fmt: skip
    assert main(["export", str(project), "-o", str(onnx_path)]) == 0
    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    assert session.get_inputs()[0].shape == ["n", 64]
    x = load_digits().points[:4]
    y = session.run(None, {"x": x})[0]
    pixels = tmp_path / "p.csv"
    np.savetxt(pixels, x, delimiter=",", fmt="%.9g")
    out = _predict_rows(capsys, "--weights", str(project), "--data", str(pixels))
    np.testing.assert_allclose(np.array([[float(v) for v in r[:10]] for r in out[1:]]), y,
                               atol=2e-6)  # fmt: skip


def test_an_example_of_point_data_is_refused_with_image_data(capsys):
    assert main(["train", "--example", "textbook-line", "--dataset", "digits"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "sets up point data; leave it out for image data" in err
