"""The issue's smaller faults (item 7) that are not the app's labels: each as a user meets it."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from dlviz import cli
from dlviz.core.data import dataset_notes, make_dataset, parse_csv_text, read_csv
from dlviz.core.errors import DlvizError
from dlviz.core.network import build_spec
from dlviz.core.project import load_project, project_bytes
from dlviz.core.trainer import Trainer


def test_a_nul_byte_in_a_csv_is_shown_escaped_not_raw(tmp_path):
    path = tmp_path / "nul.csv"
    path.write_bytes(b"x1,x2,label\n0,1,0\n0.5,\x00\x1b[31m,1\n")
    with pytest.raises(DlvizError) as err:
        read_csv(path)
    message = str(err.value)
    assert "\x00" not in message and "\x1b" not in message
    assert "\\x00" in message and "line 3" in message


def test_quoted_numbers_read_like_a_quoted_header():
    data = parse_csv_text('"x1","x2","label"\n"0.1","0.2","1"\n\'0.3\',0.4,0\n')
    assert data.kind == "classify" and data.n == 2
    assert data.points[0].tolist() == pytest.approx([0.1, 0.2])
    assert data.targets.tolist() == [1, 0]


def test_a_project_with_an_out_of_range_setting_names_the_file(tmp_path):
    data = make_dataset("circle", n=40, seed=0)
    spec = build_spec(kind="classify", n_classes=2, features=("x1", "x2"), hidden=())
    raw = project_bytes(Trainer(data, spec))
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        members = {n: z.read(n) for n in z.namelist()}
    meta = json.loads(members["project.json"])
    meta["config"]["optimizer"]["lr"] = 1000.0
    members["project.json"] = json.dumps(meta).encode()
    path = tmp_path / "fast.dlviz"
    with zipfile.ZipFile(path, "w") as z:
        for n, b in members.items():
            z.writestr(n, b)
    with pytest.raises(DlvizError, match="fast.dlviz: learning rate 1000"):
        load_project(path)


@pytest.mark.parametrize(
    ("text", "phrases"),
    [
        ("x1,x2,label\n0.5,1,1\n", ["no test points", "every point is class 1"]),
        ("x1,x2,label\n0,0,0\n1,1,0\n2,2,0\n3,3,0\n4,4,0\n", ["trivial classifier"]),
    ],
)
def test_a_one_row_or_one_class_csv_trains_and_says_what_the_user_gets(
    text, phrases, tmp_path, capsys
):
    path = tmp_path / "tiny.csv"
    path.write_text(text)
    notes = " ".join(dataset_notes(read_csv(path)))
    assert all(p in notes for p in phrases), notes
    assert cli.main(["train", "--data", str(path), "--epochs", "2", "--json"]) == 0
    err = capsys.readouterr().err
    assert all(p in err for p in phrases) and err.startswith("dlviz: note:")


def test_ordinary_data_has_no_notes():
    assert dataset_notes(make_dataset("spiral", n=100, seed=0)) == []
