"""GIF export of a run: frames show the snapshots, progress is reported, cancel writes nothing."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from dlviz.core.animation import Cancelled, render_frame, write_gif
from dlviz.core.colors import boundary_image
from dlviz.core.data import make_dataset
from dlviz.core.errors import DlvizError
from dlviz.core.network import LayerSpec, build_spec
from dlviz.core.trainer import Trainer


def run(name="spiral", frames=6):
    data = make_dataset(name, seed=0)
    features = ("x1",) if data.kind == "curve" else ("x1", "x2")
    spec = build_spec(kind=data.kind, n_classes=data.n_classes, features=features,
                      hidden=(LayerSpec(8, "tanh"),))  # fmt: skip
    t = Trainer(data, spec)
    return data, [t.run(samples=400, grid=40) for _ in range(frames)]


def test_gif_has_one_frame_per_snapshot_and_reports_progress(tmp_path):
    data, snaps = run()
    seen = []
    n = write_gif(tmp_path / "run.gif", snaps, data, progress=lambda d, t: seen.append((d, t)))
    assert n == 6 and seen[-1] == (6, 6) and len(seen) == 6
    with Image.open(tmp_path / "run.gif") as gif:
        assert gif.n_frames == 6 and gif.size == (360, 470)


def test_frame_shows_the_snapshot_boundary():
    data, snaps = run()
    frame = render_frame(snaps[-1], data, (np.zeros(0), np.zeros(0)), (0, 1))
    expected = boundary_image(np.asarray(snaps[-1].grid), "classify")[::-1, :, :3]
    # sample the frame's centre of a grid cell far from any point: same colour as the grid cell
    cell = expected[20, 5].astype(int)
    pixel = frame[int((20 + 0.5) / 40 * 360), int((5 + 0.5) / 40 * 360)].astype(int)
    assert np.abs(pixel - cell).max() <= 40


def test_curve_runs_animate_too(tmp_path):
    data, snaps = run("sine", frames=3)
    assert write_gif(tmp_path / "c.gif", snaps, data) == 3


def test_cancel_writes_nothing(tmp_path):
    data, snaps = run()
    calls = iter([False, False, True])
    with pytest.raises(Cancelled):
        write_gif(tmp_path / "x.gif", snaps, data, cancelled=lambda: next(calls))
    assert list(tmp_path.iterdir()) == []


def test_nothing_to_animate_is_a_clear_error(tmp_path):
    data, _ = run(frames=0)
    with pytest.raises(DlvizError, match="train for a while"):
        write_gif(tmp_path / "x.gif", [], data)
