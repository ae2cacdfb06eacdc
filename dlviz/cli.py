"""Command line: ``dlviz train``, ``predict``, ``export``, ``bench``, ``lessons``,
``explain`` and ``race``.

User mistakes (bad names, bad files, impossible networks) print one line on
stderr and exit with status 2; nothing here prints a traceback for them.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
from tqdm import tqdm

from dlviz.core.data import (
    PRESETS,
    Dataset,
    check_seed,
    data_info,
    dataset_notes,
    make_dataset,
    read_csv,
    read_points_csv,
)
from dlviz.core.errors import DlvizError
from dlviz.core.export import FORMATS, export_model, format_for, format_suffix, suffix_format
from dlviz.core.features import parse_features
from dlviz.core.fileio import check_writable
from dlviz.core.images import (
    DIGITS,
    has_test_part,
    load_digits,
    read_image_folder,
    read_png,
    subset,
)
from dlviz.core.lessons import Example, discover, load_examples
from dlviz.core.metrics import predicted_classes
from dlviz.core.network import LOSSES, NetworkSpec, build_spec, line_of, parse_hidden
from dlviz.core.optim import (
    OPTIMIZERS,
    SCHEDULES,
    OptimizerConfig,
    default_lr,
    default_optimizer,
)
from dlviz.core.project import PROJECT_SUFFIX, load_project, save_project
from dlviz.core.snapshot import Snapshot
from dlviz.core.threads import limit_blas_threads
from dlviz.core.trainer import ENGINES, TrainConfig, Trainer, train_epochs
from dlviz.core.weights import WEIGHT_SUFFIXES, load_weights, save_weights

SUBCOMMANDS = ("train", "predict", "export", "bench", "lessons", "explain", "race")
#: Most epochs one run trains (a million epochs of the largest data set take days).
MAX_EPOCHS = 1_000_000


class Parser(argparse.ArgumentParser):
    """argparse that raises DlvizError rather than exiting, so main() reports it once."""

    def error(self, message: str) -> Any:  # noqa: D401
        raise DlvizError(f"{self.prog}: {message} (see --help)")


def train_parser(sub: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(
        "train", help="train a network headless and print its metrics"
    )
    p.add_argument(
        "--example",
        metavar="NAME",
        help="start from one of the textbook's examples ("
        + ", ".join(load_examples())
        + "); options given beside it win",
    )
    src = p.add_mutually_exclusive_group()
    src.add_argument(
        "--dataset", default=None, help=f"preset: {', '.join(PRESETS)}, or {DIGITS} (8×8 images)"
    )
    src.add_argument(
        "--data",
        metavar="FILE.csv|DIR",
        help="CSV: x1,x2,label | x1,x2,value | x,y; or a folder of images: MNIST IDX files "
        "(t10k-* is the test set) or class folders 0/ 1/ ... of PNGs",
    )
    p.add_argument("--classes", type=int, default=None, help="classes for blobs/spiral/rings/...")
    p.add_argument(
        "--points", type=int, default=None, help="points of a preset; images: a seeded subset"
    )
    p.add_argument("--noise", type=float, default=None, help="noise 0..1 (default 0)")
    p.add_argument(
        "--test-ratio",
        type=float,
        default=None,
        help="held-out fraction (0.5; image data: 0.2, unless it has its own test part)",
    )
    p.add_argument("--features", default=None, help="x1,x2,x1sq,x2sq,x1x2,sinx1,sinx2")
    p.add_argument("--normalise", action="store_true", help="standardise inputs first")
    p.add_argument(
        "--hidden", default=None, help="widths, e.g. 8,8 (or 'none'); default 8,8, images 128"
    )
    p.add_argument("--activation", default="tanh", help="one for all, or per layer: relu,tanh")
    p.add_argument("--dropout", default="0", help="rate for all hidden layers, or per layer")
    p.add_argument("--init", default="xavier", choices=("xavier", "he", "uniform"))
    p.add_argument("--loss", default=None, help=f"{', '.join(LOSSES)} (chosen from the data)")
    p.add_argument(
        "--output",
        default=None,
        type=str.lower,
        choices=("identity", "sigmoid"),
        help="regression output: identity (default) or sigmoid (targets in [0, 1])",
    )
    p.add_argument(
        "--optimizer",
        default=None,
        help=", ".join(OPTIMIZERS) + " (default adam; sgd for a model without hidden layers)",
    )
    p.add_argument("--lr", type=float, default=None, help="learning rate (adam 0.01, else 0.1)")
    opt, train = OptimizerConfig(), TrainConfig()  # one home for the defaults
    p.add_argument("--schedule", default=opt.schedule, help=", ".join(SCHEDULES))
    p.add_argument("--decay-steps", type=int, default=opt.decay_steps)
    p.add_argument("--decay-rate", type=float, default=opt.decay_rate)
    p.add_argument("--momentum", type=float, default=opt.momentum)
    p.add_argument("--batch-size", type=int, default=train.batch_size)
    p.add_argument("--epochs", type=int, default=100)
    p.add_argument("--l1", type=float, default=train.l1)
    p.add_argument("--l2", type=float, default=train.l2)
    p.add_argument(
        "--patience", type=int, default=train.patience, help="early stopping (epochs, 0 = off)"
    )
    p.add_argument("--seed", type=int, default=0)
    engine_option(p)
    p.add_argument("--out", metavar="WEIGHTS.npz", help="save the trained weights (.npz)")
    p.add_argument(
        "--export",
        metavar="FILE",
        help="export the model; format from the name: .onnx .npz .json .safetensors "
        ".py (NumPy code) .torch.py (PyTorch code)",
    )
    p.add_argument("--project", metavar="FILE.dlviz", help="save the whole session as a project")
    p.add_argument("--json", action="store_true", help="print final metrics as one JSON object")
    return p


def example_defaults(example: Example) -> dict[str, Any]:
    """``dlviz train`` option values that reproduce an example's set-up."""
    data, network, training = example.setup.data, example.setup.network, example.setup.training
    if data.get("seed", 0) != training.get("engine_seed", 0):
        raise DlvizError(f"example '{example.name}': the CLI uses one --seed for data and weights")
    hidden = network.get("hidden", (8, 8))
    values: dict[str, Any] = {
        "dataset": data["preset"],
        "points": data.get("points"),
        "noise": data.get("noise", 0.0),
        "classes": data.get("classes", 2),
        "test_ratio": data.get("test_ratio", 0.5),
        "seed": data.get("seed", 0),
        "hidden": ",".join(str(w) for w in hidden) or "none",
        "loss": network.get("loss"),
        "output": network.get("output"),
        "init": network.get("init", "xavier"),
        "normalise": network.get("normalise", False),
        "optimizer": training.get("optimizer"),
        "lr": training.get("lr"),
        "epochs": max((e.epochs for e in example.expect), default=100),
    }
    if "features" in network:
        values["features"] = ",".join(network["features"])
    for key in ("activation", "dropout"):
        if key in network:
            value = network[key]
            values[key] = value if isinstance(value, str | float) else ",".join(map(str, value))
    for key in ("momentum", "batch_size", "l1", "l2", "patience", "schedule", "decay_steps",
                "decay_rate"):  # fmt: skip
        if key in training:
            values[key] = training[key]
    return values


def apply_example(train: argparse.ArgumentParser, argv: Sequence[str]) -> None:
    """With ``train --example NAME``, make the example's values the defaults of ``train``.

    Defaults, not values: an option given beside ``--example`` still wins.
    """
    probe = argparse.ArgumentParser(add_help=False)
    probe.add_argument("--example")
    known, _ = probe.parse_known_args(list(argv)[1:])
    if not known.example:
        return
    examples = load_examples()
    example = examples.get(known.example.strip().lower())
    if example is None:
        raise DlvizError(f"unknown example '{known.example}'; choose from {', '.join(examples)}")
    train.set_defaults(**example_defaults(example))


def lessons_parser(sub: Any) -> None:
    sub.add_parser(
        "lessons",
        help="list the lessons: the name dlviz --lesson takes, a tab, the English title",
    )


def cmd_lessons(args: argparse.Namespace) -> int:
    for entry in discover():
        if entry.lesson is not None:
            print(f"{entry.name}\t{entry.lesson.title['en']}")
        else:  # a teacher's broken file: said on stderr, the others are still listed
            print(f"dlviz: skipped {entry.error}", file=sys.stderr)
    return 0


#: Options that only mean something for points (a preset's shape, the feature map).
POINT_OPTIONS = (("features", "--features"), ("noise", "--noise"), ("classes", "--classes"))


def load_training_data(args: argparse.Namespace) -> Dataset:
    images = (args.dataset or "").strip().lower() == DIGITS or bool(
        args.data and os.path.isdir(args.data)
    )
    if images:
        if args.example:
            raise DlvizError(
                f"--example {args.example} sets up point data; leave it out for image data"
            )
        for attr, option in POINT_OPTIONS:
            if getattr(args, attr) is not None:
                raise DlvizError(
                    f"{option} is for points; image data is read as its pixels (leave {option} out)"
                )
        ratio = 0.2 if args.test_ratio is None else args.test_ratio
        if args.data:
            data = read_image_folder(args.data, test_ratio=ratio, seed=args.seed)
        else:
            data = load_digits(test_ratio=ratio, seed=args.seed)
        if args.points is not None:
            data = subset(data, args.points, args.seed)
            if not (args.data and has_test_part(args.data)):  # exactly the ratio held out
                data = data.with_test_ratio(ratio, args.seed)
        return data
    ratio = 0.5 if args.test_ratio is None else args.test_ratio
    if args.data:
        return read_csv(args.data, test_ratio=ratio, seed=args.seed)
    return make_dataset(
        args.dataset or "circle",
        n=args.points,
        noise=0.0 if args.noise is None else args.noise,
        classes=2 if args.classes is None else args.classes,
        test_ratio=ratio,
        seed=args.seed,
    )


def build_trainer(args: argparse.Namespace, data: Dataset) -> Trainer:
    default_features = "x1" if data.kind == "curve" else "x1,x2"
    features = () if data.is_image else parse_features(args.features or default_features)
    widths = args.hidden if args.hidden is not None else ("128" if data.is_image else "8,8")
    hidden = parse_hidden(widths, args.activation, args.dropout)
    spec = build_spec(
        kind=data.kind,
        n_classes=data.n_classes,
        features=features,
        hidden=hidden,
        loss=args.loss.lower() if args.loss else None,
        init=args.init,
        output=args.output,
        image_shape=data.image_shape,
    )
    optimizer = (args.optimizer or default_optimizer(spec)).lower()
    if optimizer not in OPTIMIZERS:
        raise DlvizError(f"unknown optimizer '{optimizer}'; choose from {', '.join(OPTIMIZERS)}")
    lr = args.lr if args.lr is not None else default_lr(optimizer)
    config = TrainConfig(
        optimizer=OptimizerConfig(
            optimizer,
            lr=lr,
            momentum=args.momentum,
            schedule=args.schedule,
            decay_steps=args.decay_steps,
            decay_rate=args.decay_rate,
        ),
        batch_size=args.batch_size,
        l1=args.l1,
        l2=args.l2,
        patience=args.patience,
    )
    return Trainer(data, spec, config, seed=args.seed, engine=args.engine, normalise=args.normalise)


def progress_bar(total: int, what: str, *, leave: bool = True) -> tqdm[Any]:
    """A progress bar on stderr when it is a terminal; off a terminal it prints nothing, so a
    script sees on stderr only what went wrong."""
    return tqdm(total=total, desc=what, unit=what, file=sys.stderr, disable=None,
                dynamic_ncols=True, leave=leave)  # fmt: skip


def linear_fit(trainer: Trainer) -> dict[str, float] | None:
    """Slope and intercept in the data's units for a 1-D model y = w·x + b."""
    if trainer.dataset.kind != "curve":
        return None
    line = line_of(trainer.spec, trainer.params)
    return None if line is None else {"slope": line[0], "intercept": line[1]}


def warm_up_with_progress() -> None:
    """Compile (or load) the engine before training is timed.

    On a terminal a line says how far the first start's compilation has got
    (when it takes more than half a second); elsewhere nothing is printed, so
    a script sees on stderr only what went wrong.
    """
    from dlviz.core.kernels.cpu import warm_up

    if not sys.stderr.isatty():
        warm_up()
        return
    stage = ["", 0, 0]  # what, done, total: written by the warm-up thread, read here

    def note(done: int, total: int, what: str) -> None:
        stage[:] = [what, done, total]

    worker = threading.Thread(target=warm_up, args=(note,), daemon=True)
    worker.start()
    worker.join(0.5)
    if not worker.is_alive():
        return
    with progress_bar(0, "kernel", leave=False) as bar:
        bar.set_description("compiling the engine (first run only)")
        while worker.is_alive():
            what, done, total = stage
            bar.total = int(total)
            bar.n = int(done)
            bar.set_postfix_str(str(what))
            worker.join(0.25)
        bar.n = bar.total or 0


def check_outputs(args: argparse.Namespace) -> None:
    """Refuse an output name that cannot be written before training, not after it."""
    outputs = [(args.out, "--out"), (args.export, "--export"), (args.project, "--project")]
    named = [(path, option) for path, option in outputs if path is not None]
    for path, option in named:
        check_writable(path, option)
    seen: dict[str, str] = {}
    for path, option in named:
        key = os.path.realpath(path)
        if key in seen:
            raise DlvizError(f"{seen[key]} and {option} name the same file {path}; give two names")
        seen[key] = option
    if args.out and os.path.splitext(args.out)[1].lower() not in WEIGHT_SUFFIXES:
        raise DlvizError(f"--out {args.out}: weights files end in {', '.join(WEIGHT_SUFFIXES)}")
    if args.export:
        format_for(args.export)  # raises, naming the suffixes it knows
    if args.project and not args.project.lower().endswith(PROJECT_SUFFIX):
        raise DlvizError(f"--project {args.project}: project files end in {PROJECT_SUFFIX}")


def cmd_train(args: argparse.Namespace) -> int:
    if not 1 <= args.epochs <= MAX_EPOCHS:
        raise DlvizError(f"--epochs {args.epochs} is out of range; use 1 to {MAX_EPOCHS:,}")
    check_seed(args.seed)
    # every argument is checked (data read, network and optimizer built) before the
    # engine is compiled: a mistake is reported at once, and on its own line
    check_outputs(args)
    data = load_training_data(args)
    trainer = build_trainer(args, data)
    report_engine(trainer)
    # an example's own test ratio of 0 is its design (textbook-line), not a slip to point out
    example = load_examples().get(args.example.strip().lower()) if args.example else None
    by_design = (
        example is not None
        and not args.data
        and example.setup.data.get("test_ratio") == 0 == args.test_ratio
    )
    for note in dataset_notes(data, test_split_expected=not by_design):
        print(f"dlviz: note: {note}", file=sys.stderr)
    if trainer.engine_name == "cpu":
        warm_up_with_progress()
    progress = progress_bar(args.epochs, "epoch")
    start = time.perf_counter()

    def report(snap: Snapshot) -> None:
        if snap.train_loss is not None:
            progress.set_postfix_str(f"loss {snap.train_loss:.4f}", refresh=False)
        progress.update(trainer.epoch - progress.n)

    train_epochs(trainer, args.epochs, report)
    progress.close()
    seconds = time.perf_counter() - start
    if trainer.message:
        print(f"dlviz: {trainer.message}", file=sys.stderr)
        if trainer.n_train == 0 or trainer.stop_reason == "diverged":
            return 2
    train, test = trainer.evaluate()
    result: dict[str, Any] = {
        "dataset": data.name,
        "network": trainer.spec.describe(),
        "train_loss": train.loss,
        "test_loss": test.loss,
        "train_accuracy": train.accuracy,
        "test_accuracy": test.accuracy,
        "epochs": trainer.epoch,
        "steps": trainer.step,
        "engine": trainer.engine_name,
        "seconds": round(seconds, 4),
        "samples_per_second": round(trainer.samples / seconds) if seconds > 0 else None,
    }
    if data.kind != "classify":
        result["r2"] = test.r2 if test.r2 is not None else train.r2
        result["train_r2"], result["test_r2"] = train.r2, test.r2
        fit = linear_fit(trainer)
        if fit:
            result.update(fit)
    if args.out:
        save_weights(args.out, trainer.spec, trainer.params, data_info(data))
    if args.export:
        export_model(args.export, trainer.spec, trainer.params, data_info(data))
    if args.project:
        save_project(args.project, trainer)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            if value is not None:
                shown = f"{value:.4f}" if isinstance(value, float) else value
                print(f"{key:>20}: {shown}")
        for label, path in (("weights", args.out), ("export", args.export),
                            ("project", args.project)):  # fmt: skip
            if path:
                print(f"{label:>20}: {path}")
    return 0


def engine_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--engine",
        default="cpu",
        type=str.lower,
        choices=(*ENGINES, "numba"),
        help="cpu (Numba, the default; numba is another name for it), cuda (GPU), "
        "reference (NumPy), auto (CUDA where a GPU is expected to be faster)",
    )


def report_engine(trainer: Trainer) -> None:
    """Say once on stderr why the chosen engine is not the one that runs."""
    if trainer.engine_note:
        print(f"dlviz: {trainer.engine_note}", file=sys.stderr)


def predict_parser(sub: Any) -> None:
    p = sub.add_parser("predict", help="apply saved weights to points from a CSV file")
    p.add_argument("--weights", required=True, metavar="W.npz", help="weights file or project")
    p.add_argument(
        "--data",
        required=True,
        metavar="POINTS.csv",
        help="x1,x2 (or x) per row; an image model: pixel rows in [0, 1], or one PNG image",
    )
    engine_option(p)


def cmd_predict(args: argparse.Namespace) -> int:
    spec, params, info = load_model(args.weights)
    kind = info.get("kind", "classify")
    n_inputs = spec.n_inputs
    if spec.is_image and args.data.lower().endswith(".png"):
        h, w = spec.image_shape
        points = read_png(args.data, (h, w)).reshape(1, h * w).astype(np.float32) / 255
    else:
        points = read_points_csv(args.data, n_inputs)
    data = Dataset(
        points=np.zeros((0, n_inputs), np.float32),
        targets=np.zeros(0, np.float32),
        kind="curve" if n_inputs == 1 else "regress",  # no points: only the width counts
        n_classes=0,
        is_test=np.zeros(0, bool),
        image_shape=spec.image_shape,
    )
    # normalise: keep the saved input shift/scale (a Trainer without it drops them)
    trainer = Trainer(data, spec, engine=args.engine, normalise=bool(spec.input_shift))
    report_engine(trainer)
    trainer.params[...] = params
    out = trainer.predict(points)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    in_cols = ["x"] if n_inputs == 1 else ["x1", "x2"]
    if spec.is_image:  # hundreds of pixels per row: the probabilities alone
        in_cols, points = [], points[:, :0]
    if kind == "classify":
        probs = out if out.shape[1] > 1 else np.column_stack([1 - out[:, 0], out[:, 0]])
        writer.writerow([*in_cols, *(f"p{k}" for k in range(probs.shape[1])), "label"])
        labels = predicted_classes(out)
        for row, p, lab in zip(points, probs, labels, strict=True):
            writer.writerow([*(f"{v:.6g}" for v in row), *(f"{v:.6f}" for v in p), int(lab)])
    else:
        writer.writerow([*in_cols, "y"])
        for row, y in zip(points, out[:, 0], strict=True):
            writer.writerow([*(f"{v:.6g}" for v in row), f"{y:.6g}"])
    return 0


def export_parser(sub: Any) -> None:
    p = sub.add_parser("export", help="export a project's (or weights file's) model")
    p.add_argument("source", metavar="PROJECT", help="a .dlviz project or a weights file")
    p.add_argument("--format", choices=FORMATS, default=None, help="default: from -o's name")
    p.add_argument("-o", "--output", required=True, metavar="FILE")


def load_model(path: str) -> tuple[NetworkSpec, np.ndarray, dict[str, Any]]:
    """(spec, params, data info) from a project or a weights file."""
    if path.lower().endswith(PROJECT_SUFFIX):
        trainer, _ = load_project(path)
        return trainer.spec, trainer.params, data_info(trainer.dataset)
    return load_weights(path)


def cmd_export(args: argparse.Namespace) -> int:
    named = format_for(args.output) if args.format is None else args.format
    # a name whose suffix names another kind of file is refused; either code format is .py
    python = args.format is not None and args.format.endswith("-code")
    if (
        args.format is not None
        and suffix_format(args.output) not in (None, args.format)
        and not (python and args.output.lower().endswith(".py"))
    ):
        raise DlvizError(
            f"-o {args.output}: a {args.format} file ends in {format_suffix(args.format)}; "
            "rename it, or leave out --format"
        )
    check_writable(args.output, "-o")
    spec, params, info = load_model(args.source)
    fmt = export_model(args.output, spec, params, info, named)
    print(f"wrote {args.output} ({fmt}, {spec.describe()})", file=sys.stderr)
    return 0


def bench_parser(sub: Any) -> None:
    p = sub.add_parser("bench", help="engine benchmark: Numba vs NumPy reference vs PyTorch")
    p.add_argument("--json", action="store_true", help="JSON lines only")
    p.add_argument(
        "--quick",
        action="store_true",
        help="a smoke run of a few seconds: tiny sizes, noisy figures, no cold-start timing",
    )


def cmd_bench(args: argparse.Namespace) -> int:
    from dlviz.benchmark import run_engine_benchmark

    run_engine_benchmark(as_json=args.json, quick=args.quick)
    return 0


# ---------------------------------------------------------------- dlviz explain


def explain_parser(sub: Any) -> None:
    p = sub.add_parser(
        "explain", help="one training point through forward, loss, backward and update"
    )
    p.add_argument("source", metavar="WEIGHTS_OR_PROJECT", help="a weights file or a .dlviz")
    p.add_argument(
        "--point",
        required=True,
        metavar="X1,X2",
        help="the raw point (one value for a 1-D curve model); write --point=-1,2",
    )
    p.add_argument(
        "--target",
        required=True,
        type=float,
        help="class index (classification) or value (regression)",
    )
    p.add_argument("--optimizer", default=None, help=", ".join(OPTIMIZERS))
    p.add_argument("--lr", type=float, default=None, help="learning rate of this step")
    p.add_argument("--l1", type=float, default=None, help="default: the project's, else 0")
    p.add_argument("--l2", type=float, default=None, help="default: the project's, else 0")
    p.add_argument("--json", action="store_true", help="print the numbers as one JSON object")


def parse_point(text: str, n_inputs: int) -> np.ndarray:
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        raise DlvizError(f"--point '{text}': give numbers like --point=0.5,-1") from None
    if len(values) != n_inputs or not all(np.isfinite(values)):
        shape = {1: "one value (x)", 2: "two values (x1,x2)"}.get(n_inputs, f"{n_inputs} values")
        raise DlvizError(f"--point '{text}': this model takes {shape}")
    return np.array(values, np.float64)


def cmd_explain(args: argparse.Namespace) -> int:
    from dlviz.core.explain import encode_target, explain_point
    from dlviz.core.optim import OptimizerState, learning_rates

    state: OptimizerState | None = None
    if args.source.lower().endswith(PROJECT_SUFFIX):
        trainer, _ = load_project(args.source)
        spec, params = trainer.spec, trainer.params
        kind, n_classes = trainer.dataset.kind, trainer.dataset.n_classes
        base = trainer.config.optimizer
        name = (args.optimizer or base.name).lower()
        if name == base.name:  # the run's own state and scheduled rate
            state = trainer.state
            lr = float(learning_rates(base, trainer.step, 1)[0])
        else:  # another optimizer starts from a fresh state, as in the app
            lr = default_lr(name)
        l1, l2 = trainer.config.l1, trainer.config.l2
    else:
        spec, params, info = load_weights(args.source)
        kind = str(info.get("kind", "classify" if spec.loss != "mse" else "regress"))
        n_classes = int(info.get("n_classes", 0) or 0)
        base = OptimizerConfig()
        name = (args.optimizer or default_optimizer(spec)).lower()
        lr = default_lr(name)
        l1 = l2 = 0.0
    if name not in OPTIMIZERS:
        raise DlvizError(f"unknown optimizer '{name}'; choose from {', '.join(OPTIMIZERS)}")
    if args.lr is not None:
        lr = args.lr
    # one step at one rate: the schedule has already given it (checks the rate's range)
    optimizer = replace(base, name=name, lr=lr, schedule="constant", min_lr=0.0)
    l1 = l1 if args.l1 is None else args.l1
    l2 = l2 if args.l2 is None else args.l2
    TrainConfig(l1=l1, l2=l2)  # the same range checks as training
    point = parse_point(args.point, spec.n_inputs)
    target = encode_target(spec, kind, args.target, n_classes)
    result = explain_point(spec, params, point, target, optimizer, state=state, lr=lr,
                           l1=l1, l2=l2)  # fmt: skip
    if args.json:
        print(json.dumps(result.to_json()))
    else:
        print_explanation(result)
    return 0


def print_explanation(e: Any) -> None:
    """The four phases as text: what the step-through panel shows, layer by layer."""
    from dlviz.core.explain import LOSS_FORMULAS, UPDATE_RULES

    def nums(arr: np.ndarray) -> str:
        return "[" + ", ".join(f"{v:.4g}" for v in np.ravel(arr)) + "]"

    print(f"network: {e.spec.describe()}   point: {nums(e.inputs)}   target: {nums(e.target)}")
    print("1. forward   z = a_in·W + b,  a = f(z)")
    print(f"   input a: {nums(e.features)}")
    for i, s in enumerate(e.layers, start=1):
        print(f"   layer {i} ({e.spec.activations[i - 1]}): z = {nums(s.z)}  a = {nums(s.a)}")
    print(f"2. loss      {LOSS_FORMULAS[e.spec.loss]} = {e.loss:.6g}")
    print("3. backward  δ = ∂L/∂z,  ∂L/∂W = a_inᵀ·δ,  ∂L/∂b = δ")
    for i in reversed(range(len(e.layers))):
        s = e.layers[i]
        print(f"   layer {i + 1}: δ = {nums(s.delta)}  ∂L/∂b = {nums(s.d_b)}")
        print(f"            ∂L/∂W = {nums(s.d_w)}")
    print(f"4. update    {e.optimizer.name}, η = {e.lr:g}: {UPDATE_RULES[e.optimizer.name]}")
    for i, s in enumerate(e.layers, start=1):
        print(f"   layer {i}: W = {nums(s.new_w)}  b = {nums(s.new_b)}")
    print("   (one point: a batch of one)")


# ---------------------------------------------------------------- dlviz race

#: ``dlviz train`` options a race has no use for: each racer has its own optimizer and
#: rate (--optimizers, --lrs), and a race saves nothing.
RACE_SKIPS = {"optimizer": "--optimizers", "lr": "--lrs", "out": None, "export": None,
              "project": None}  # fmt: skip


def race_parser(sub: Any) -> None:
    # every other option of `dlviz train` applies to every racer: take them from its parser
    p = sub.add_parser(
        "race",
        parents=[sub.choices["train"]],
        add_help=False,
        help="train several optimizers from the same start on the same batches",
        description="Race 2 to 8 optimizers; every dlviz train option applies to every racer "
        "except --optimizer, --lr (use --optimizers, --lrs), --out, --export and --project.",
    )
    p.add_argument(
        "--optimizers",
        required=True,
        metavar="A,B,...",
        help=f"2 to 8 racers from {', '.join(OPTIMIZERS)} (one may race itself at two rates)",
    )
    p.add_argument(
        "--lrs",
        default=None,
        metavar="R1,R2,...",
        help="a learning rate per racer, or one for all (default: dlviz train's per optimizer)",
    )


def race_entries(args: argparse.Namespace) -> list[tuple[str, float | None]]:
    from dlviz.core.race import MAX_RACERS, MIN_RACERS

    names = [n.strip().lower() for n in args.optimizers.split(",") if n.strip()]
    for name in names:
        if name not in OPTIMIZERS:
            raise DlvizError(f"unknown optimizer '{name}'; choose from {', '.join(OPTIMIZERS)}")
    if not MIN_RACERS <= len(names) <= MAX_RACERS:
        raise DlvizError(
            f"--optimizers '{args.optimizers}': a race needs {MIN_RACERS} to {MAX_RACERS} racers"
        )
    if args.lrs is None:
        return [(name, None) for name in names]
    try:
        rates = [float(r) for r in args.lrs.split(",")]
    except ValueError:
        raise DlvizError(f"--lrs '{args.lrs}': give rates like 0.1,0.01") from None
    if len(rates) == 1:
        rates = rates * len(names)
    if len(rates) != len(names):
        raise DlvizError(
            f"--lrs gives {len(rates)} rates for {len(names)} racers; give one for all or one each"
        )
    return list(zip(names, rates, strict=True))


def cmd_race(args: argparse.Namespace) -> int:
    from dlviz.core.race import Race, Racer

    for dest, instead in RACE_SKIPS.items():
        if getattr(args, dest, None) is not None:
            use = f"; use {instead}" if instead else ""
            raise DlvizError(f"--{dest} is not a race option{use}")
    if not 1 <= args.epochs <= MAX_EPOCHS:
        raise DlvizError(f"--epochs {args.epochs} is out of range; use 1 to {MAX_EPOCHS:,}")
    check_seed(args.seed)
    entries = race_entries(args)
    data = load_training_data(args)
    racers = []
    for name, lr in entries:  # each racer is exactly what `dlviz train` would build
        trainer = build_trainer(
            argparse.Namespace(**{**vars(args), "optimizer": name, "lr": lr}), data
        )
        racers.append(Racer(name, trainer.config.optimizer.lr, trainer))
    race = Race(racers)
    report_engine(racers[0].trainer)  # the racers share the engine choice and its fate
    for note in dataset_notes(data):
        print(f"dlviz: note: {note}", file=sys.stderr)
    if racers[0].trainer.engine_name == "cpu":
        warm_up_with_progress()
    progress = progress_bar(args.epochs, "epoch")
    start = time.perf_counter()
    while race.running and race.epoch < args.epochs:
        race.step_epoch()
        progress.update(race.epoch - progress.n)
    progress.close()
    seconds = time.perf_counter() - start
    rows = []
    for racer, train, test in race.results():
        t = racer.trainer
        row: dict[str, Any] = {
            "optimizer": racer.optimizer,
            "lr": racer.lr,
            "train_loss": train.loss,
            "test_loss": test.loss,
            "train_accuracy": train.accuracy,
            "test_accuracy": test.accuracy,
            "epochs": t.epoch,
            "steps": t.step,
            "diverged": racer.diverged,
        }
        if racer.diverged:
            row["diverged_at_step"] = t.diverged_at
        if data.kind != "classify":
            row["r2"] = test.r2 if test.r2 is not None else train.r2
            row["train_r2"], row["test_r2"] = train.r2, test.r2
        if t.message:
            row["message"] = t.message
        rows.append(row)
    result = {
        "dataset": data.name,
        "network": racers[0].trainer.spec.describe(),
        "engine": racers[0].trainer.engine_name,
        "epochs": race.epoch,
        "seconds": round(seconds, 4),
        "racers": rows,
    }
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"{data.name}, {result['network']}, {race.epoch} epochs, {seconds:.2f} s")
    metric = "test_accuracy" if data.kind == "classify" else "r2"
    for row in rows:
        score = row.get(metric)
        shown = "-" if score is None else f"{score:.4f}"
        end = f"diverged at step {row['diverged_at_step']}" if row["diverged"] else ""
        loss = "-" if row["train_loss"] is None else f"{row['train_loss']:.4f}"
        print(f"{row['optimizer']:>9} lr {row['lr']:<8g} train loss {loss:>8}  "
              f"{metric} {shown:>7}  {end}")  # fmt: skip
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = Parser(prog="dlviz", description="dlviz command line")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    train = train_parser(sub)
    predict_parser(sub)
    export_parser(sub)
    bench_parser(sub)
    lessons_parser(sub)
    explain_parser(sub)
    race_parser(sub)
    try:
        if argv is None:
            argv = sys.argv[1:]
        if argv and argv[0] == "train":
            apply_example(train, argv)
        args = parser.parse_args(argv)
        limit_blas_threads()  # the thread policy: see dlviz/core/threads.py
        handler = {
            "train": cmd_train,
            "predict": cmd_predict,
            "export": cmd_export,
            "bench": cmd_bench,
            "lessons": cmd_lessons,
            "explain": cmd_explain,
            "race": cmd_race,
        }
        return handler[args.command](args)
    except DlvizError as exc:
        print(f"dlviz: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("dlviz: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
