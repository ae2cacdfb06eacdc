"""`dlviz lessons` and `dlviz train --example`: the textbook's examples as one command each."""

from __future__ import annotations

import json

import pytest

from dlviz.cli import main
from dlviz.core.lessons import discover


def run_json(capsys, *args: str) -> dict:
    assert main(["train", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_lessons_prints_name_tab_english_title_one_a_line(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr("dlviz.core.lessons.user_lessons_dir", lambda: str(tmp_path))
    assert main(["lessons"]) == 0
    out = capsys.readouterr()
    lines = out.out.splitlines()
    assert len(lines) >= 10 and out.err == ""
    rows = [line.split("\t") for line in lines]
    assert all(len(row) == 2 and row[0] and row[1] for row in rows)
    assert rows[0] == ["one-neuron", "One neuron: fitting y = 3x + 2 by gradient descent"]
    assert [row[0] for row in rows] == [e.name for e in discover(extra_dirs=())]


def test_a_broken_user_lesson_is_named_on_stderr_and_the_rest_still_listed(
    capsys, monkeypatch, tmp_path
):
    (tmp_path / "mine.toml").write_text("format = 1\ntitle = 3\n", encoding="utf-8")
    monkeypatch.setattr("dlviz.core.lessons.user_lessons_dir", lambda: str(tmp_path))
    assert main(["lessons"]) == 0
    out = capsys.readouterr()
    assert len(out.out.splitlines()) >= 10
    assert out.err.strip() == "dlviz: skipped " + str(tmp_path / "mine.toml") + (
        ": title: expected a table, found a whole number"
    )


def test_example_textbook_line_recovers_w_3_and_b_2(capsys):
    r = run_json(capsys, "--example", "textbook-line")
    assert r["dataset"] == "textbook-line" and r["network"] == "1-1 identity/mse"
    assert r["slope"] == pytest.approx(3, abs=0.1) and r["intercept"] == pytest.approx(2, abs=0.1)


def test_example_2_10_1_sigmoid_classifier_converges(capsys):
    r = run_json(capsys, "--example", "textbook-2-10-1")
    assert r["network"] == "2-10(sigmoid)-1 sigmoid/bce" and r["test_accuracy"] >= 0.95


def test_example_2_4_1_sigmoid_mse_fits_the_hill(capsys):
    r = run_json(capsys, "--example", "textbook-2-4-1")
    assert r["network"] == "2-4(sigmoid)-1 sigmoid/mse" and r["r2"] >= 0.9


def test_an_option_beside_the_example_wins(capsys):
    r = run_json(capsys, "--example", "textbook-line", "--epochs", "3", "--lr", "0.01")
    assert r["epochs"] == 3 and abs(r["slope"] - 3) > 1  # three tiny steps: far from the answer


def test_an_unknown_example_is_one_line_and_status_2(capsys):
    assert main(["train", "--example", "nope"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == (
        "dlviz: error: unknown example 'nope'; choose from textbook-line, textbook-2-10-1, "
        "textbook-2-4-1"
    )


def test_a_sigmoid_output_on_regression_data_from_the_command_line(capsys):
    r = run_json(capsys, "--dataset", "hill", "--hidden", "4", "--activation", "sigmoid",
                 "--output", "sigmoid", "--optimizer", "sgd", "--lr", "0.5",
                 "--epochs", "300", "--test-ratio", "0.3")  # fmt: skip
    assert r["network"] == "2-4(sigmoid)-1 sigmoid/mse" and r["r2"] >= 0.9


def test_dlviz_lessons_is_a_subcommand_not_an_app_option(capsys, monkeypatch, tmp_path):
    from dlviz.__main__ import main as entry

    monkeypatch.setattr("dlviz.core.lessons.user_lessons_dir", lambda: str(tmp_path))
    assert entry(["lessons"]) == 0
    assert capsys.readouterr().out.startswith("one-neuron\t")


@pytest.mark.parametrize("name", ["textbook-line", "textbook-2-10-1", "textbook-2-4-1"])
def test_the_command_trains_exactly_what_the_app_sets_up(capsys, name):
    """`train --example` and the app's one click build the same run (the same losses)."""
    from dlviz.core.lessons import load_examples, resolve, trainer_for

    example = load_examples()[name]
    epochs = example.expect[0].epochs
    trainer = trainer_for(resolve(example.setup))
    trainer.run(samples=epochs * trainer.n_train)
    train, test = trainer.evaluate()
    r = run_json(capsys, "--example", name)
    assert r["epochs"] == epochs and r["network"] == trainer.spec.describe()
    assert r["train_loss"] == pytest.approx(train.loss, rel=1e-5)


def test_no_test_points_is_noted_for_the_users_choice_not_an_examples_design(capsys):
    assert main(["train", "--example", "textbook-line", "--epochs", "1", "--json"]) == 0
    assert "no test points" not in capsys.readouterr().err  # its design: all points train
    argv = ["train", "--example", "textbook-2-10-1", "--test-ratio", "0", "--epochs", "1"]
    assert main([*argv, "--json"]) == 0
    assert "no test points" in capsys.readouterr().err
