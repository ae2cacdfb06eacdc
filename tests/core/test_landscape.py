"""The loss landscape: the compiled grid against NumPy, and linear regression's exact bowl."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from dlviz.core.data import make_dataset
from dlviz.core.errors import DlvizError
from dlviz.core.landscape import (
    compute_landscape,
    loss_grid,
    loss_grid_reference,
    path_slice,
    random_slice,
)
from dlviz.core.network import LayerSpec, ParamLayout, build_spec
from dlviz.core.optim import OptimizerConfig
from dlviz.core.trainer import TrainConfig, Trainer


def trained(preset: str, hidden, loss=None, classes=2, epochs=3, **kw) -> Trainer:
    data = make_dataset(preset, n=80, noise=0.1, classes=classes, seed=2)
    feats = ("x1",) if data.kind == "curve" else ("x1", "x2")
    spec = build_spec(kind=data.kind, n_classes=data.n_classes, features=feats, hidden=hidden,
                      loss=loss)  # fmt: skip
    trainer = Trainer(data, spec, TrainConfig(OptimizerConfig("adam", lr=0.02)), seed=1, **kw)
    trainer.run(samples=epochs * trainer.n_train)
    return trainer


def rows(trainer: Trainer):
    return trainer.x[trainer.train_idx], trainer.y[trainer.train_idx]


@pytest.mark.parametrize(
    ("preset", "loss", "classes"),
    [("spiral", "bce", 2), ("blobs", "ce", 3), ("blobs", "mse", 3), ("plane", None, 2)],
)
def test_compiled_grid_matches_the_numpy_reference(preset, loss, classes):
    trainer = trained(preset, (LayerSpec(5, "tanh"), LayerSpec(4, "relu")), loss, classes)
    x, y = rows(trainer)
    plane = random_slice(trainer.spec, trainer.params, seed=4)
    alphas, betas = np.linspace(-1, 1, 5), np.linspace(-0.5, 1.5, 4)
    fast = loss_grid(trainer.spec, plane, alphas, betas, x, y)
    slow = loss_grid_reference(trainer.spec, plane, alphas, betas, x, y)
    np.testing.assert_allclose(fast, slow, rtol=2e-5, atol=1e-7)
    assert np.ptp(fast) > 1e-3  # the slice is not flat: the grid measures something
    # the centre is the current weights: the loss training reports for them
    centre = compute_landscape(trainer.spec, trainer.params, x, y, plane=plane, res=3)
    assert centre.losses[1, 1] == pytest.approx(trainer.evaluate()[0].loss, rel=1e-5)


@pytest.mark.parametrize(("preset", "loss", "classes"), [("spiral", "bce", 2), ("blobs", "ce", 3)])
def test_far_out_the_landscape_shows_the_loss_training_reports_not_a_capped_one(
    preset, loss, classes
):
    """Far from the weights the network is sure and wrong on many points: the loss there
    grows with the logits (what the loss curves show), it does not level off where a
    clipped probability would cap each point's loss (16 for bce, 28 for ce)."""
    trainer = trained(preset, (LayerSpec(5, "tanh"),), loss, classes)
    x, y = rows(trainer)
    plane = random_slice(trainer.spec, trainer.params, seed=4)
    alpha = 400.0  # 400 times the weights' own size along the first direction
    far = plane.point(alpha, 0.0)
    trainer.load_params(far)
    reported = trainer.evaluate()[0].loss
    fast = loss_grid(trainer.spec, plane, np.array([alpha]), np.array([0.0]), x, y)[0, 0]
    slow = loss_grid_reference(trainer.spec, plane, np.array([alpha]), np.array([0.0]), x, y)
    assert reported > 30  # saturated: past what a clipped probability could show
    assert fast == pytest.approx(reported, rel=1e-4)
    assert slow[0, 0] == pytest.approx(reported, rel=1e-4)


@pytest.mark.parametrize(("epochs", "span"), [(60, None), (0, None), (0, 4.0)])
def test_linear_regression_landscape_has_its_minimum_at_least_squares(epochs, span):
    trainer = trained("line", (), loss="mse", epochs=epochs)
    x, y = rows(trainer)
    assert trainer.params.size == 2
    design = np.column_stack([x[:, 0], np.ones(len(x))]).astype(np.float64)
    (w, b), *_ = np.linalg.lstsq(design, y[:, 0].astype(np.float64), rcond=None)
    assert (w, b) == pytest.approx((3, 2), abs=0.1)  # the preset's y = 3x + 2
    land = compute_landscape(trainer.spec, trainer.params, x, y, res=81, span=span)
    assert land.plane.exact and land.plane.axis_names == ("w", "b")
    assert land.alphas[0] < w < land.alphas[-1] and land.betas[0] < b < land.betas[-1]
    cell_w, cell_b = np.diff(land.alphas)[0], np.diff(land.betas)[0]
    w_min, b_min, lowest = land.minimum()
    assert abs(w_min - w) <= cell_w and abs(b_min - b) <= cell_b, (w_min, b_min, w, b)
    # least squares is the bottom of the bowl: below every grid point
    residual = float(np.mean((design @ [w, b] - y[:, 0]) ** 2))
    assert residual <= lowest + 1e-6
    # the grid's axes are w and b: (w, b) maps to itself
    assert land.plane.coords(np.array([w, b])) == pytest.approx((w, b))


def test_a_path_slice_contains_the_path():
    trainer = trained("spiral", (LayerSpec(4, "tanh"),), epochs=0)
    path = [trainer.params.copy()]
    for _ in range(6):
        trainer.run(samples=trainer.n_train)
        path.append(trainer.params.copy())
    plane = path_slice([path])
    # a 2-D plane cannot hold 7 points exactly, but the two main directions hold most
    offsets = np.array(path) - plane.centre
    inside = np.array([plane.point(*plane.coords(p)) for p in path]) - plane.centre
    assert np.linalg.norm(inside) ** 2 >= 0.9 * np.linalg.norm(offsets) ** 2


def test_filter_normalised_directions_match_each_neurons_weights():
    trainer = trained("spiral", (LayerSpec(6, "relu"),), epochs=1)
    plane = random_slice(trainer.spec, trainer.params, seed=0)
    layout = ParamLayout.of(trainer.spec.sizes)
    for layer in range(layout.n_layers):
        w = layout.weight(trainer.params.astype(np.float64), layer)
        d = layout.weight(plane.d1, layer)
        np.testing.assert_allclose(np.linalg.norm(d, axis=0), np.linalg.norm(w, axis=0))
        assert not np.any(layout.bias(plane.d1, layer))  # biases stay put


def test_cancelling_stops_between_rows():
    trainer = trained("spiral", (LayerSpec(4, "tanh"),), epochs=1)
    x, y = rows(trainer)
    calls = []
    result = compute_landscape(trainer.spec, trainer.params, x, y, res=9,
                               progress=lambda done, total: calls.append(done),
                               cancelled=lambda: len(calls) >= 2)  # fmt: skip
    assert result is None and calls == [1, 2]


def test_no_training_points_is_a_user_message():
    trainer = trained("spiral", (LayerSpec(4, "tanh"),), epochs=1)
    with pytest.raises(DlvizError, match="no training points"):
        compute_landscape(trainer.spec, trainer.params, np.zeros((0, 2)), np.zeros((0, 1)))


def test_the_kernel_also_matches_as_plain_python():
    """The reference comparison with NUMBA_DISABLE_JIT=1: the kernel source itself, run."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    out = subprocess.run(
        [sys.executable, "-m", "pytest", __file__, "-q", "-p", "no:cacheprovider",
         "-k", "compiled_grid_matches and spiral"],
        env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert "1 passed" in out.stdout, out.stdout[-3000:]


def test_landscape_kernels_compiled_from_another_engine_are_dropped(tmp_path):
    """The cached loss_row has cpu.forward_rows inside it; Numba checks only landscape.py's
    time stamp, so an edited cpu.py must drop it."""
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path))
    script = textwrap.dedent(
        """
        import glob, os, sys
        import dlviz.core.kernels.landscape as landscape
        if sys.argv[1] == "edited":  # as if cpu.py had changed since the last run
            landscape.KERNEL_FINGERPRINT += 1
            print(landscape._drop_stale_kernels())
        print(len(glob.glob(os.path.join(os.environ["NUMBA_CACHE_DIR"], "**", "landscape.*.nb*"),
                            recursive=True)))
        """
    )

    def run(mode: str) -> list[str]:
        out = subprocess.run([sys.executable, "-c", script, mode], env=env, capture_output=True,
                             text=True, check=True)  # fmt: skip
        return out.stdout.split()

    assert int(run("same")[-1]) >= 2  # the fingerprint kernel is cached (index + code)
    assert int(run("same")[-1]) >= 2
    dropped, left = run("edited")
    assert dropped == "True" and left == "0"
