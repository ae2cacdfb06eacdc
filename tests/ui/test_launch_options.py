"""Any value of any launch option of the app: a screenshot (success), or exit 2 with one line.

The app's own launch runs an event loop until the user quits, so the property drives
``--screenshot`` (which trains a few steps, draws and exits) with every other option;
work stays small (at most 20 training steps, small images).
"""

from __future__ import annotations

import contextlib
import os
import tempfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlviz.core.data import PRESETS
from dlviz.ui.app import main
from dlviz.ui.views import VIEWS

#: The same draws every run unless DLVIZ_FUZZ_EXAMPLES_UI asks for a random hunt.
HUNT = os.environ.get("DLVIZ_FUZZ_EXAMPLES_UI")
EXAMPLES = int(HUNT or "20")
HOSTILE = ["", " ", "-1", "0", "nan", "1e999", "abc", "'\"", "\x1b[2J", "ü", str(2**70), "2.5"]


def value(*good: str) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(good), st.sampled_from(HOSTILE))


OPTIONS = {
    "--preset": value(*PRESETS, "Spiral", "nope"),
    "--classes": value("2", "3", "8", "9", "1"),
    "--hidden": value("none", "4", "3,3", "300", "0,2", "4," * 11),
    "--activation": value("tanh", "relu", "gelu", "softmax", "TANH"),
    "--train-steps": value("0", "1", "20", "10000001"),
    "--size": value("320x240", "200x200", "199x300", "8001x300", "320 x 240", "x"),
    "--view": value(*VIEWS, "nope"),
    "--lesson": value("xor", "features", "nope"),
    "--lesson-step": value("1", "3", "9"),
    "--lang": value("en", "zh_CN", "fr"),
}
FLAGS = ["--play", "--gradients", "--dark", "--presentation"]
#: The positional file: data, projects, and what is neither.
FILES = ["good.csv", "bad.csv", "nul.csv", "missing.csv", "folder.csv", "broken.dlviz",
         "notes.txt", ""]  # fmt: skip
#: Where the screenshot goes: fine names and names that cannot be written.
SHOTS = ["shot.png", "shot.jpg", "folder.csv", "missing/shot.png", "afile/shot.png", "shot.txt"]


@contextlib.contextmanager
def playground():
    old = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        with open("good.csv", "w") as fh:
            fh.write("x1,x2,label\n" + "".join(f"{i % 5},{i % 3},{i % 2}\n" for i in range(20)))
        with open("bad.csv", "w") as fh:
            fh.write("x1,x2,label\n0,1,zero\n")
        with open("nul.csv", "wb") as fh:
            fh.write(b"0,1,0\n\x00,1,1\n")
        with open("broken.dlviz", "wb") as fh:
            fh.write(b"PK\x03\x04 not really a zip")
        with open("notes.txt", "w") as fh:
            fh.write("hello")
        with open("afile", "w") as fh:
            fh.write("a file, not a folder")
        os.mkdir("folder.csv")
        try:
            yield
        finally:
            os.chdir(old)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=HUNT is None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    chosen=st.dictionaries(st.sampled_from(sorted(OPTIONS)), st.just(None), max_size=3),
    data=st.data(),
    flags=st.lists(st.sampled_from(FLAGS), unique=True, max_size=2),
    path=st.sampled_from(FILES),
    shot=st.sampled_from(SHOTS),
)
def test_launch_options(chosen, data, flags, path, shot, qapp, capsys):
    argv = [path] if path else []
    argv += ["--screenshot", shot, "--size", "320x240", "--train-steps", "5"]
    for option in chosen:  # later values win: the drawn ones replace the bounds above
        argv += [option, data.draw(OPTIONS[option], label=option)]
    argv += flags
    with playground():
        capsys.readouterr()
        code = main(argv)
        err = capsys.readouterr().err
        assert code in (0, 2), (argv, code, err)
        if code == 2:
            assert err.count("\n") == 1 and "Traceback" not in err, (argv, err)
            assert err.startswith("dlviz: ") and not err.startswith("dlviz: dlviz:"), err
        else:
            assert os.path.getsize(shot) > 0


def test_an_unwritable_screenshot_is_refused_before_the_window_is_built(
    qapp, tmp_path, capsys, monkeypatch
):
    import dlviz.ui.main_window

    def no_window(*args, **kwargs):
        raise AssertionError("the window was built before the screenshot name was checked")

    monkeypatch.setattr(dlviz.ui.main_window, "MainWindow", no_window)
    (tmp_path / "afile").write_text("x")
    (tmp_path / "dir.png").mkdir()
    for shot, phrase in [
        (tmp_path / "missing" / "x.png", "does not exist"),
        (tmp_path / "afile" / "x.png", "cannot write"),
        (tmp_path / "dir.png", "folder"),
        (tmp_path / "x.txt", ".png"),
    ]:
        capsys.readouterr()
        assert main(["--screenshot", str(shot), "--train-steps", "5"]) == 2
        err = capsys.readouterr().err
        assert phrase in err and err.count("\n") == 1


@pytest.mark.parametrize(
    "argv", [["--hidden", "8,abc"], ["--preset", "blobs", "--classes", "99"], ["--no-such"]]
)
def test_a_launch_mistake_is_one_line_that_says_it_is_dlvizs(argv, qapp, capsys):
    capsys.readouterr()
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("dlviz: ") and not err.startswith("dlviz: dlviz:")
    assert err.count("\n") == 1
