"""`dlviz race` as a user runs it: each racer reports what `dlviz train` reports."""

from __future__ import annotations

import json

import pytest

from dlviz.cli import main

COMMON = ["--dataset", "moons", "--points", "120", "--hidden", "6", "--activation", "relu",
          "--dropout", "0.1", "--batch-size", "8", "--l2", "0.001", "--schedule", "step",
          "--decay-steps", "30", "--normalise", "--seed", "5", "--epochs", "6"]  # fmt: skip
METRICS = ("train_loss", "test_loss", "train_accuracy", "test_accuracy", "epochs", "steps")


def run_json(capsys, *args: str) -> dict:
    assert main([*args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_each_racer_reports_the_metrics_of_the_plain_train_run(capsys):
    race = run_json(capsys, "race", *COMMON, "--optimizers", "gd,nesterov,rmsprop,adam,adam",
                    "--lrs", "0.5,0.05,0.01,0.01,0.1")  # fmt: skip
    racers = race["racers"]
    assert [(r["optimizer"], r["lr"]) for r in racers] == [
        ("gd", 0.5),
        ("nesterov", 0.05),
        ("rmsprop", 0.01),
        ("adam", 0.01),
        ("adam", 0.1),
    ]
    for racer in racers:
        plain = run_json(capsys, "train", *COMMON, "--optimizer", racer["optimizer"],
                         "--lr", str(racer["lr"]))  # fmt: skip
        assert {k: racer[k] for k in METRICS} == {k: plain[k] for k in METRICS}
        assert racer["diverged"] is False
    assert racers[0]["steps"] == 6 and racers[1]["steps"] == 6 * 8  # 60 training points


def test_default_rates_are_dlviz_trains(capsys):
    race = run_json(capsys, "race", *COMMON, "--optimizers", "sgd,adamw")
    assert [r["lr"] for r in race["racers"]] == [0.1, 0.01]


def test_a_diverging_racer_is_reported_and_the_others_finish(capsys):
    race = run_json(capsys, "race", "--dataset", "plane", "--optimizers", "sgd,sgd",
                    "--lrs", "0.01,3", "--epochs", "10")  # fmt: skip
    calm, wild = race["racers"]
    assert wild["diverged"] is True and wild["diverged_at_step"] >= 1
    assert calm["diverged"] is False and calm["epochs"] == 10 and calm["r2"] > 0.5


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (["--optimizers", "adam"], "2 to 8 racers"),
        (["--optimizers", "sgd,sgd,sgd,sgd,sgd,sgd,sgd,sgd,sgd"], "2 to 8 racers"),
        (["--optimizers", "sgd,adamx"], "unknown optimizer"),
        (["--optimizers", "sgd,adam", "--lrs", "0.1,0.1,0.1"], "3 rates for 2 racers"),
        (["--optimizers", "sgd,adam", "--lrs", "0.1,x"], "--lrs"),
        (["--optimizers", "sgd,adam", "--lrs", "0.1,-1"], "learning rate"),
        (["--optimizers", "sgd,adam", "--lr", "0.1"], "use --lrs"),
        (["--optimizers", "sgd,adam", "--out", "w.npz"], "not a race option"),
        (["--optimizers", "sgd,adam", "--dataset", "nope"], "unknown dataset"),
        (["--optimizers", "sgd,adam", "--epochs", "0"], "--epochs"),
    ],
)
def test_user_mistakes_exit_2_with_one_line(capsys, args, phrase):
    assert main(["race", *args]) == 2
    err = capsys.readouterr().err
    assert phrase in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
