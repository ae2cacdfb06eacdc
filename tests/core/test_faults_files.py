"""Outputs that cannot be written are refused before work; killed saves leave nothing behind.

The kill test forks a writer that saves a project over a good one again and again and
kills it (SIGKILL) at random moments: the file on disk always opens, and the next save
there removes what the killed writer left.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from dlviz import cli
from dlviz.core import fileio
from dlviz.core import weights as weights_io
from dlviz.core.data import make_dataset
from dlviz.core.errors import DlvizError
from dlviz.core.fileio import atomic_write, check_writable, remove_stale_temporaries
from dlviz.core.network import build_spec
from dlviz.core.project import load_project, project_bytes, save_project
from dlviz.core.trainer import Trainer

ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def temporaries(folder) -> list[str]:
    return sorted(n for n in os.listdir(folder) if n.startswith(".dlviz-") and n.endswith(".tmp"))


def dead_pid() -> int:
    """The id of a process that has exited (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def small_trainer(points: int = 200) -> Trainer:
    data = make_dataset("circle", n=points, seed=0)
    spec = build_spec(kind="classify", n_classes=2, features=("x1", "x2"), hidden=())
    return Trainer(data, spec)


# ---------------------------------------------------------------- writability, before work


def test_check_writable_refuses_folders_and_missing_folders(tmp_path):
    (tmp_path / "adir.npz").mkdir()
    (tmp_path / "afile").write_text("x")
    for bad in ("adir.npz", "missing/w.npz", "afile/w.npz", "w.npz/"):
        with pytest.raises(DlvizError):
            check_writable(str(tmp_path / bad) + ("/" if bad.endswith("/") else ""))
    check_writable(tmp_path / "w.npz")
    assert sorted(os.listdir(tmp_path)) == ["adir.npz", "afile"]  # the probe file is gone


@pytest.mark.skipif(ROOT, reason="root writes into read-only folders")
def test_check_writable_refuses_a_read_only_folder(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        with pytest.raises(DlvizError, match="cannot write"):
            check_writable(ro / "p.dlviz")
    finally:
        ro.chmod(0o755)


@pytest.mark.parametrize(
    "outputs",
    [
        ["--out", "w.npz", "--project", "afile/p.dlviz"],  # the issue: --out written, project lost
        ["--out", "adir.npz"],  # a folder named like a weights file
        ["--export", "adir.npz"],
        ["--out", "w.npz", "--export", "w.npz"],  # two outputs, one file
    ],
)
def test_train_refuses_an_unwritable_output_before_any_work(outputs, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "adir.npz").mkdir()
    (tmp_path / "afile").write_text("not a folder")

    def no_work(args):
        raise AssertionError("training data was loaded before the outputs were checked")

    monkeypatch.setattr(cli, "load_training_data", no_work)
    assert cli.main(["train", "--epochs", "1", *outputs]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    assert not (tmp_path / "w.npz").exists()


def test_export_refuses_an_unwritable_output_before_reading(tmp_path, capsys):
    (tmp_path / "adir.npz").mkdir()
    missing_source = str(tmp_path / "nothing.dlviz")
    # the output is judged first: the message is about it, not about the missing source
    assert cli.main(["export", missing_source, "-o", str(tmp_path / "adir.npz")]) == 2
    assert "folder" in capsys.readouterr().err


def test_export_refuses_a_format_under_another_formats_suffix(tmp_path, capsys):
    trainer = small_trainer()
    save_project(tmp_path / "p.dlviz", trainer)
    out = tmp_path / "x.npz"
    assert cli.main(["export", str(tmp_path / "p.dlviz"), "--format", "onnx", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert ".onnx" in err and err.count("\n") == 1
    assert not out.exists()


# ---------------------------------------------------------------- stale temporaries


def test_temporary_files_carry_the_writers_process_id(tmp_path):
    with atomic_write(tmp_path / "p.dlviz") as fh:
        names = temporaries(tmp_path)
        fh.write(b"x")
    assert len(names) == 1 and names[0].startswith(f".dlviz-{os.getpid()}-")
    assert temporaries(tmp_path) == []


def test_the_next_save_removes_a_dead_writers_and_old_temporaries_only(tmp_path):
    dead = tmp_path / f".dlviz-{dead_pid()}-abc123.tmp"
    live = tmp_path / f".dlviz-{os.getppid()}-def456.tmp"  # a live process's save under way
    ours = tmp_path / f".dlviz-{os.getpid()}-ghi789.tmp"  # another save of this process
    old_style_fresh = tmp_path / ".dlviz-k2j3h4.tmp"  # older naming: age alone tells
    old_style_old = tmp_path / ".dlviz-x9y8z7.tmp"
    unrelated = tmp_path / ".dlviz-notes.txt"
    for path in (dead, live, ours, old_style_fresh, old_style_old, unrelated):
        path.write_bytes(b"\0" * 1000)
    hour_ago = time.time() - fileio.STALE_TEMP_SECONDS - 60
    os.utime(old_style_old, (hour_ago, hour_ago))
    save_project(tmp_path / "p.dlviz", small_trainer())
    left = set(os.listdir(tmp_path))
    assert dead.name not in left and old_style_old.name not in left
    assert {live.name, ours.name, old_style_fresh.name, unrelated.name, "p.dlviz"} == left


def test_removing_stale_temporaries_skips_what_is_not_a_plain_file(tmp_path):
    folder = tmp_path / f".dlviz-{dead_pid()}-abc.tmp"
    folder.mkdir()
    assert remove_stale_temporaries(str(tmp_path)) == []
    assert folder.is_dir()


# ---------------------------------------------------------------- kill -9 while saving


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forks a writer to kill")
def test_kill_9_during_saves_never_loses_the_old_project_or_leaves_temporaries(tmp_path):
    target = tmp_path / "p.dlviz"
    good = small_trainer()
    save_project(target, good)
    # a bigger project (about 0.5 MB), so kills land in writes, fsyncs and renames alike
    big = project_bytes(small_trainer(points=20_000))
    rng = random.Random(20)
    kills = left_behind = 0
    for _ in range(30):
        pid = os.fork()
        if pid == 0:  # the writer: save over the target until killed
            try:
                while True:
                    with atomic_write(target) as fh:
                        fh.write(big)
            finally:
                os._exit(0)
        time.sleep(rng.uniform(0.0, 0.03))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        kills += 1
        left_behind += len(temporaries(tmp_path))
        trainer, _ = load_project(target)  # the old file or the new one, whole
        assert trainer.params.shape == good.params.shape
        save_project(target, good)  # the next save cleans up after the killed writer
        assert temporaries(tmp_path) == []
    assert kills == 30
    assert np.array_equal(load_project(target)[0].params, good.params)
    # the kills did land mid-save (else this test would prove nothing)
    assert left_behind > 0


# ---------------------------------------------------------------- special files (found probing)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs a FIFO")
def test_a_pipe_is_neither_read_nor_replaced(tmp_path, capsys):
    """A FIFO named like a weights file was replaced by a regular file (as root, --out
    /dev/null would have replaced the device); a FIFO or /dev/zero as --data hung."""
    fifo = tmp_path / "fifo.npz"
    os.mkfifo(fifo)
    with pytest.raises(DlvizError, match="device, pipe or socket"):
        check_writable(fifo)
    with pytest.raises(DlvizError, match="device, pipe or socket"), atomic_write(fifo):
        pass
    assert fifo.is_fifo()
    os.mkfifo(tmp_path / "fifo.csv")
    for data in (str(tmp_path / "fifo.csv"), "/dev/zero"):
        if os.path.exists(data):
            assert cli.main(["train", "--data", data, "--epochs", "1"]) == 2
            assert "device or pipe" in capsys.readouterr().err


def test_a_save_through_a_symbolic_link_writes_its_target_and_keeps_the_link(tmp_path):
    real = tmp_path / "runs" / "run42.npz"
    real.parent.mkdir()
    link = tmp_path / "latest.npz"
    link.symlink_to(real)
    spec = build_spec(kind="classify", n_classes=2, features=("x1", "x2"), hidden=())
    weights_io.save_weights(link, spec, np.zeros(3, np.float32), {"kind": "classify"})
    assert link.is_symlink() and real.is_file()
    assert weights_io.load_weights(link)[0] == spec


def test_a_name_too_long_for_the_folder_is_refused_before_work(tmp_path):
    with pytest.raises(DlvizError, match="longer than"):
        check_writable(tmp_path / ("a" * 300 + ".npz"))
