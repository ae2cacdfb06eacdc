"""Lessons and the textbook's examples: reading, checking and resolving their set-ups (no Qt).

A lesson is a TOML file (see ``docs/lessons.md``): a title in English and
Simplified Chinese and a list of steps.  Each step has text in both
languages, a set-up (data, network, training settings, speed, which views
and panels show, which view is in front), and optionally a condition to go
on, a widget to highlight and checks of what training it should show.

Everything a file says is checked when it is read, and a problem raises
:class:`DlvizError` naming the file and the field.  The names of views,
panels and widgets belong to the app: the app passes them in
(:class:`Names`), so that a lesson naming a view that does not exist is
refused without this module importing Qt.

A step's set-up changes only what it names; :meth:`Lesson.setup_at` folds
the set-ups of the steps up to one, which is what "restart step k" or
``--lesson-step K`` applies.  :func:`resolve` turns a folded set-up into the
dataset, network spec and training settings that core trains with.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from dlviz.core.activations import ACTIVATIONS
from dlviz.core.data import PRESETS, Dataset, make_dataset
from dlviz.core.errors import DlvizError
from dlviz.core.features import FEATURES, parse_features
from dlviz.core.network import (
    INITS,
    LOSSES,
    OUTPUTS,
    LayerSpec,
    NetworkSpec,
    build_spec,
)
from dlviz.core.optim import (
    OPTIMIZERS,
    SCHEDULES,
    OptimizerConfig,
    default_lr,
    default_optimizer,
)
from dlviz.core.trainer import TrainConfig, Trainer

FORMAT = 1
LANGUAGES = ("en", "zh_CN")
LESSON_SUFFIX = ".toml"
#: Lesson files are a few kilobytes; anything far larger is not a lesson.
MAX_LESSON_BYTES = 256 * 1024

#: Settings a set-up may give, with the type each must have.  ``number`` takes
#: integers and reals; ``list`` values are checked item by item below.
DATA_KEYS: dict[str, str] = {
    "preset": "str",
    "points": "int",
    "noise": "number",
    "classes": "int",
    "test_ratio": "number",
    "seed": "int",
}
NETWORK_KEYS: dict[str, str] = {
    "hidden": "int list",
    "activation": "str or str list",
    "dropout": "number or number list",
    "features": "str list",
    "loss": "str",
    "output": "str",
    "init": "str",
    "normalise": "bool",
}
TRAINING_KEYS: dict[str, str] = {
    "optimizer": "str",
    "lr": "number",
    "momentum": "number",
    "batch_size": "int",
    "l1": "number",
    "l2": "number",
    "patience": "int",
    "schedule": "str",
    "decay_steps": "int",
    "decay_rate": "number",
    "engine_seed": "int",
}
SETUP_KEYS = ("example", "data", "network", "training", "speed", "views", "panels", "front")
#: What a step can wait for before it goes on.
CONDITIONS: dict[str, tuple[str, ...]] = {
    "play": (),  # Play pressed
    "setting": ("setting",),  # a setting changed ("training.lr", "network.hidden", ...)
    "test_accuracy": ("at_least",),
    "epoch": ("at_least",),
}
#: Results a step's ``expect`` can claim after training its set-up ``epochs`` epochs.
EXPECT_NUMBERS = (
    "train_loss_at_most",
    "train_loss_at_least",
    "test_loss_at_most",
    "train_accuracy_at_least",
    "train_accuracy_at_most",
    "test_accuracy_at_least",
    "test_accuracy_at_most",
    "r2_at_least",
    "tolerance",
)
EXPECT_FLAGS = ("diverges", "test_loss_rises")


@dataclass(frozen=True)
class Names:
    """The app's names a lesson may use; an empty collection leaves that kind unchecked."""

    views: Collection[str] = ()
    panels: Collection[str] = ()
    widgets: Collection[str] = ()


@dataclass(frozen=True)
class Setup:
    """What one step (or example) sets; ``None`` or an empty table means "leave as it is"."""

    example: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)
    network: Mapping[str, Any] = field(default_factory=dict)
    training: Mapping[str, Any] = field(default_factory=dict)
    #: mini-batches per second, ``"max"``, or None (unchanged)
    speed: float | str | None = None
    views: tuple[str, ...] | None = None
    panels: tuple[str, ...] | None = None
    front: str | None = None

    def then(self, later: Setup) -> Setup:
        """This set-up followed by ``later``: what ``later`` names wins, key by key.

        Naming an example starts again from it: the example replaces the data,
        network and training settings that came before.
        """
        base = self
        if later.example is not None:
            base = Setup(
                example=later.example,
                speed=self.speed,
                views=self.views,
                panels=self.panels,
                front=self.front,
            )
        return Setup(
            example=base.example,
            data={**base.data, **later.data},
            network={**base.network, **later.network},
            training={**base.training, **later.training},
            speed=later.speed if later.speed is not None else base.speed,
            views=later.views if later.views is not None else base.views,
            panels=later.panels if later.panels is not None else base.panels,
            front=later.front if later.front is not None else base.front,
        )

    @property
    def is_empty(self) -> bool:
        return self == Setup()


@dataclass(frozen=True)
class Condition:
    """When a step goes on by itself: ``kind`` is a key of :data:`CONDITIONS`."""

    kind: str
    setting: str | None = None
    at_least: float | None = None


@dataclass(frozen=True)
class Expect:
    """A result the step's set-up reaches after ``epochs`` epochs (checked by the tests)."""

    epochs: int
    numbers: Mapping[str, float] = field(default_factory=dict)
    flags: frozenset[str] = frozenset()
    params_near: tuple[float, ...] | None = None


@dataclass(frozen=True)
class Step:
    text: Mapping[str, str]
    setup: Setup
    next_when: Condition | None = None
    highlight: str | None = None
    expect: tuple[Expect, ...] = ()


@dataclass(frozen=True)
class Lesson:
    name: str
    title: Mapping[str, str]
    steps: tuple[Step, ...]
    order: int = 1000
    source: str = ""

    def setup_at(self, index: int) -> Setup:
        """Everything in force at step ``index`` (0-based): the set-ups of steps 0..index."""
        if not 0 <= index < len(self.steps):
            raise DlvizError(
                f"lesson '{self.name}' has steps 1 to {len(self.steps)}, not {index + 1}"
            )
        setup = Setup()
        for step in self.steps[: index + 1]:
            setup = setup.then(step.setup)
        return setup

    def text(self, index: int, language: str) -> str:
        return pick(self.steps[index].text, language)

    def title_in(self, language: str) -> str:
        return pick(self.title, language)


@dataclass(frozen=True)
class Example:
    """One of the textbook's examples: a named set-up that one click (or ``--example``) loads."""

    name: str
    title: Mapping[str, str]
    setup: Setup
    expect: tuple[Expect, ...] = ()


def pick(texts: Mapping[str, str], language: str) -> str:
    """The text in ``language`` (``zh_CN``, ``zh`` or ``en``...), English when there is none."""
    if language in texts:
        return texts[language]
    if language.startswith("zh") and "zh_CN" in texts:
        return texts["zh_CN"]
    return texts["en"]


# ---------------------------------------------------------------- checking


class _Reader:
    """Checks one parsed file; every message starts with the file and the field."""

    def __init__(self, source: str, names: Names) -> None:
        self.source = source
        self.names = names

    def fail(self, where: str, problem: str) -> DlvizError:
        return DlvizError(f"{self.source}: {where}: {problem}")

    def table(self, value: Any, where: str, allowed: Iterable[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, f"expected a table, found {_kind(value)}")
        allowed = tuple(allowed)
        for key in value:
            if key not in allowed:
                raise self.fail(
                    f"{where}.{key}" if where else key,
                    f"unknown field; use {', '.join(allowed)}",
                )
        return value

    def texts(self, value: Any, where: str) -> dict[str, str]:
        table = self.table(value, where, LANGUAGES)
        for language in LANGUAGES:
            text = table.get(language)
            if not isinstance(text, str) or not text.strip():
                raise self.fail(
                    f"{where}.{language}", "missing: give the text in both en and zh_CN"
                )
        return {
            k: _unwrap(table[k].strip()) if k == "zh_CN" else table[k].strip() for k in LANGUAGES
        }

    def typed(self, value: Any, kind: str, where: str) -> Any:
        if kind == "str" and isinstance(value, str) and value.strip():
            return value.strip().lower()
        if kind == "int" and isinstance(value, int) and not isinstance(value, bool):
            return value
        if kind == "bool" and isinstance(value, bool):
            return value
        if kind == "number" and isinstance(value, int | float) and not isinstance(value, bool):
            if not math.isfinite(value):
                raise self.fail(where, f"{value} is not a finite number")
            return float(value)
        if kind.endswith(" list") and " or " not in kind and isinstance(value, list):
            item = kind.removesuffix(" list")
            return tuple(self.typed(v, item, f"{where}[{i + 1}]") for i, v in enumerate(value))
        if " or " in kind:
            first, second = kind.split(" or ")
            wanted = second if isinstance(value, list) else first
            return self.typed(value, wanted, where)
        raise self.fail(where, f"expected {_article(kind)}, found {_kind(value)}")

    def settings(self, value: Any, where: str, keys: Mapping[str, str]) -> dict[str, Any]:
        table = self.table(value, where, keys)
        return {k: self.typed(v, keys[k], f"{where}.{k}") for k, v in table.items()}

    def known(self, value: str, where: str, allowed: Collection[str], what: str) -> str:
        if allowed and value not in allowed:
            raise self.fail(where, f"unknown {what} '{value}'; choose from {', '.join(allowed)}")
        return value

    def setup(self, value: Any, where: str) -> Setup:
        table = self.table(value, where, SETUP_KEYS)
        data = self.settings(table.get("data", {}), f"{where}.data", DATA_KEYS)
        network = self.settings(table.get("network", {}), f"{where}.network", NETWORK_KEYS)
        training = self.settings(table.get("training", {}), f"{where}.training", TRAINING_KEYS)
        self._names(data, network, training, where)
        example = None
        if "example" in table:
            example = self.typed(table["example"], "str", f"{where}.example")
        speed: float | str | None = None
        if "speed" in table:
            raw = table["speed"]
            if raw == "max":
                speed = "max"
            else:
                rate: float = self.typed(raw, "number", f"{where}.speed")
                speed = rate
                if not 0 < rate <= 1e6:
                    raise self.fail(
                        f"{where}.speed", 'give mini-batches per second (above 0) or "max"'
                    )
        views = panels = None
        if "views" in table:
            views = self.typed(table["views"], "str list", f"{where}.views")
            for i, view in enumerate(views):
                self.known(view, f"{where}.views[{i + 1}]", self.names.views, "view")
        if "panels" in table:
            panels = self.typed(table["panels"], "str list", f"{where}.panels")
            for i, panel in enumerate(panels):
                self.known(panel, f"{where}.panels[{i + 1}]", self.names.panels, "panel")
        front = None
        if "front" in table:
            front = self.typed(table["front"], "str", f"{where}.front")
            self.known(front, f"{where}.front", self.names.views, "view")
            if views is not None and front not in views:
                raise self.fail(f"{where}.front", f"'{front}' is not among this step's views")
        return Setup(example, data, network, training, speed, views, panels, front)

    def _names(
        self,
        data: dict[str, Any],
        network: dict[str, Any],
        training: dict[str, Any],
        where: str,
    ) -> None:
        """Names that are core's own are checked here, so a typo never reaches a run."""
        if "preset" in data:
            self.known(data["preset"], f"{where}.data.preset", PRESETS, "preset")
        choices = {
            "loss": LOSSES,
            "output": OUTPUTS,
            "init": INITS,
        }
        for key, allowed in choices.items():
            if key in network:
                self.known(network[key], f"{where}.network.{key}", allowed, key)
        activation = network.get("activation")
        for act in (activation,) if isinstance(activation, str) else activation or ():
            self.known(act, f"{where}.network.activation", ACTIVATIONS, "activation")
        for i, feature in enumerate(network.get("features", ())):
            self.known(feature, f"{where}.network.features[{i + 1}]", FEATURES, "feature")
        if "optimizer" in training:
            self.known(
                training["optimizer"], f"{where}.training.optimizer", OPTIMIZERS, "optimizer"
            )
        if "schedule" in training:
            self.known(training["schedule"], f"{where}.training.schedule", SCHEDULES, "schedule")

    def condition(self, value: Any, where: str) -> Condition:
        if not isinstance(value, dict):
            raise self.fail(
                where, f'expected a table such as {{ on = "play" }}, found {_kind(value)}'
            )
        kind = self.typed(value.get("on"), "str", f"{where}.on") if "on" in value else None
        if kind is None:
            raise self.fail(f"{where}.on", f"missing; choose from {', '.join(CONDITIONS)}")
        self.known(kind, f"{where}.on", CONDITIONS, "condition")
        self.table(value, where, ("on", *CONDITIONS[kind]))
        for key in CONDITIONS[kind]:
            if key not in value:
                raise self.fail(f"{where}.{key}", f"missing; '{kind}' needs it")
        if kind == "setting":
            setting = self.typed(value["setting"], "str", f"{where}.setting")
            group, _, key = setting.partition(".")
            groups = {"data": DATA_KEYS, "network": NETWORK_KEYS, "training": TRAINING_KEYS}
            if group not in groups or key not in groups[group]:
                if setting != "speed":
                    raise self.fail(
                        f"{where}.setting",
                        f"unknown setting '{setting}'; use speed or data.KEY, network.KEY, "
                        "training.KEY with a key a set-up takes",
                    )
            return Condition(kind, setting=setting)
        if kind in ("test_accuracy", "epoch"):
            at_least = self.typed(value["at_least"], "number", f"{where}.at_least")
            top = 1.0 if kind == "test_accuracy" else 1e9
            if not 0 <= at_least <= top:
                raise self.fail(f"{where}.at_least", f"use a value from 0 to {top:g}")
            return Condition(kind, at_least=at_least)
        return Condition(kind)

    def expect(self, value: Any, where: str) -> Expect:
        table = self.table(value, where, ("epochs", "params_near", *EXPECT_NUMBERS, *EXPECT_FLAGS))
        if "epochs" not in table:
            raise self.fail(f"{where}.epochs", "missing: how many epochs to train before checking")
        epochs = self.typed(table["epochs"], "int", f"{where}.epochs")
        if not 1 <= epochs <= 100_000:
            raise self.fail(f"{where}.epochs", "use 1 to 100000 epochs")
        numbers = {
            k: self.typed(table[k], "number", f"{where}.{k}") for k in EXPECT_NUMBERS if k in table
        }
        flags = frozenset(
            k for k in EXPECT_FLAGS if k in table and self.typed(table[k], "bool", f"{where}.{k}")
        )
        near = None
        if "params_near" in table:
            near = self.typed(table["params_near"], "number list", f"{where}.params_near")
        if not (set(numbers) - {"tolerance"}) and not flags and near is None:
            raise self.fail(where, "says no result to check; add e.g. test_accuracy_at_least")
        return Expect(epochs, numbers, flags, near)

    def expects(self, value: Any, where: str) -> tuple[Expect, ...]:
        items = value if isinstance(value, list) else [value]
        return tuple(self.expect(v, f"{where}[{i + 1}]") for i, v in enumerate(items))

    def step(self, value: Any, where: str) -> Step:
        table = self.table(value, where, ("text", "setup", "next_when", "highlight", "expect"))
        if "text" not in table:
            raise self.fail(f"{where}.text", "missing: every step needs its text in en and zh_CN")
        text = self.texts(table["text"], f"{where}.text")
        setup = self.setup(table.get("setup", {}), f"{where}.setup")
        next_when = None
        if "next_when" in table:
            next_when = self.condition(table["next_when"], f"{where}.next_when")
        highlight = None
        if "highlight" in table:
            raw = self.typed(table["highlight"], "str", f"{where}.highlight")
            known = {*self.names.widgets, *self.names.views, *self.names.panels}
            highlight = self.known(raw, f"{where}.highlight", sorted(known), "widget")
        expect = self.expects(table["expect"], f"{where}.expect") if "expect" in table else ()
        return Step(text, setup, next_when, highlight, expect)


#: A line break next to a CJK character (or CJK punctuation) in a source file.
_CJK_BREAK = re.compile(
    r"(?<=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])[ \t]*\n\s*"
    r"|[ \t]*\n\s*(?=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])"
)


def _unwrap(text: str) -> str:
    """Join Chinese lines wrapped in the file: rich text turns a line break into a space,
    which Chinese does not put between characters."""
    return _CJK_BREAK.sub("", text)


def _kind(value: Any) -> str:
    names = {bool: "true/false", int: "a whole number", float: "a number", str: "text"}
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return names.get(type(value), type(value).__name__)


def _article(kind: str) -> str:
    words = {
        "str": "a name (text)",
        "int": "a whole number",
        "number": "a number",
        "bool": "true or false",
        "str list": "a list of names",
        "int list": "a list of whole numbers",
        "number list": "a list of numbers",
    }
    return words.get(kind, kind)


def _parse_toml(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DlvizError(f"{source}: not valid TOML: {exc}") from None


def parse_lesson(text: str, *, name: str, source: str = "", names: Names | None = None) -> Lesson:
    """Check and read one lesson's TOML text; problems raise :class:`DlvizError`."""
    source = source or f"{name}{LESSON_SUFFIX}"
    reader = _Reader(source, names or Names())
    doc = _parse_toml(text, source)
    reader.table(doc, "", ("format", "order", "title", "steps"))
    if doc.get("format") != FORMAT:
        raise reader.fail("format", f"must be {FORMAT} (this dlviz reads lesson format {FORMAT})")
    order = reader.typed(doc.get("order", 1000), "int", "order")
    if "title" not in doc:
        raise reader.fail("title", "missing: give the title in en and zh_CN")
    title = reader.texts(doc["title"], "title")
    steps = doc.get("steps")
    if not isinstance(steps, list) or not steps:
        raise reader.fail("steps", "missing: a lesson needs at least one [[steps]] table")
    read = tuple(reader.step(s, f"step {i + 1}") for i, s in enumerate(steps))
    lesson = Lesson(name, title, read, order, source)
    if read[0].setup.example is None and "preset" not in read[0].setup.data:
        raise reader.fail("step 1.setup", "the first step must name an example or a data preset")
    for i in range(len(read)):
        setup = lesson.setup_at(i)
        if setup.front is not None and setup.views is not None and setup.front not in setup.views:
            raise reader.fail(f"step {i + 1}.setup.front", f"'{setup.front}' is not a shown view")
    return lesson


# ---------------------------------------------------------------- resolving


@dataclass(frozen=True)
class Resolved:
    """A set-up turned into what core trains with, plus what the app shows."""

    dataset: Dataset
    spec: NetworkSpec
    config: TrainConfig
    #: the data settings in force (an example's included), as ``setup.data`` names them
    data: Mapping[str, Any]
    seed: int
    normalise: bool
    speed: float | str | None
    views: tuple[str, ...] | None
    panels: tuple[str, ...] | None
    front: str | None


def _layers(network: Mapping[str, Any]) -> tuple[LayerSpec, ...]:
    widths = network.get("hidden", (8, 8))
    acts = network.get("activation", "tanh")
    acts = (acts,) * len(widths) if isinstance(acts, str) else acts
    rates = network.get("dropout", 0.0)
    rates = (rates,) * len(widths) if isinstance(rates, float) else rates
    if len(acts) != len(widths):
        raise DlvizError(f"{len(acts)} activations for {len(widths)} hidden layers")
    if len(rates) != len(widths):
        raise DlvizError(f"{len(rates)} dropout rates for {len(widths)} hidden layers")
    return tuple(LayerSpec(w, a, r) for w, a, r in zip(widths, acts, rates, strict=True))


def resolve(setup: Setup, where: str = "set-up") -> Resolved:
    """Build the dataset, spec and settings; an impossible combination names ``where``."""
    if setup.example is not None:
        examples = load_examples()
        if setup.example not in examples:
            raise DlvizError(
                f"{where}: unknown example '{setup.example}'; choose from {', '.join(examples)}"
            )
        setup = examples[setup.example].setup.then(
            Setup(
                data=setup.data,
                network=setup.network,
                training=setup.training,
                speed=setup.speed,
                views=setup.views,
                panels=setup.panels,
                front=setup.front,
            )
        )
    data, network, training = setup.data, setup.network, setup.training
    try:
        dataset = make_dataset(
            data.get("preset", "circle"),
            n=data.get("points"),
            noise=data.get("noise", 0.0),
            classes=data.get("classes", 2),
            test_ratio=data.get("test_ratio", 0.5),
            seed=data.get("seed", 0),
        )
    except DlvizError as exc:
        raise DlvizError(f"{where}.data: {exc}") from None
    try:
        default = "x1" if dataset.kind == "curve" else "x1,x2"
        features = parse_features(",".join(network.get("features", ())) or default)
        spec = build_spec(
            kind=dataset.kind,
            n_classes=dataset.n_classes,
            features=features,
            hidden=_layers(network),
            loss=network.get("loss"),
            init=network.get("init", "xavier"),
            output=network.get("output"),
        )
    except DlvizError as exc:
        raise DlvizError(f"{where}.network: {exc}") from None
    try:
        # as dlviz train
        name = training.get("optimizer", default_optimizer(spec))
        opt, train = OptimizerConfig(), TrainConfig()  # the defaults of what is not given
        optimizer = OptimizerConfig(
            name,
            lr=training.get("lr", default_lr(name)),
            momentum=training.get("momentum", opt.momentum),
            schedule=training.get("schedule", opt.schedule),
            decay_steps=training.get("decay_steps", opt.decay_steps),
            decay_rate=training.get("decay_rate", opt.decay_rate),
        )
        config = TrainConfig(
            optimizer=optimizer,
            batch_size=training.get("batch_size", train.batch_size),
            l1=training.get("l1", train.l1),
            l2=training.get("l2", train.l2),
            patience=training.get("patience", train.patience),
        )
    except DlvizError as exc:
        raise DlvizError(f"{where}.training: {exc}") from None
    return Resolved(
        dataset,
        spec,
        config,
        dict(data),
        training.get("engine_seed", 0),
        bool(network.get("normalise", False)),
        setup.speed,
        setup.views,
        setup.panels,
        setup.front,
    )


def trainer_for(resolved: Resolved, engine: str = "cpu") -> Trainer:
    """A headless trainer for a resolved set-up (the CLI and the tests use it)."""
    return Trainer(
        resolved.dataset,
        resolved.spec,
        resolved.config,
        seed=resolved.seed,
        engine=engine,
        normalise=resolved.normalise,
    )


def train_and_check(resolved: Resolved, expect: Expect, engine: str = "cpu") -> list[str]:
    """Train a fresh trainer ``expect.epochs`` epochs; what the step claims but did not happen."""
    trainer = trainer_for(resolved, engine)
    n_train = max(trainer.n_train, 1)
    # in up to 50 slices: each slice's snapshot is a point of the loss history
    slices = min(expect.epochs, 50)
    for i in range(slices):
        target = expect.epochs * n_train * (i + 1) // slices
        trainer.run(samples=target - trainer.samples)
        if trainer.stopped or trainer.message:
            break
    problems: list[str] = []
    diverged = trainer.stop_reason == "diverged"
    if "diverges" in expect.flags:
        if not diverged:
            problems.append("expected the run to diverge, it did not")
        return problems
    if diverged:
        return [f"the run diverged: {trainer.message}"]
    train, test = trainer.evaluate()
    measured = {
        "train_loss": train.loss,
        "test_loss": test.loss,
        "train_accuracy": train.accuracy,
        "test_accuracy": test.accuracy,
        "r2": test.r2 if test.r2 is not None else train.r2,
    }
    for key, bound in expect.numbers.items():
        if key == "tolerance":
            continue
        metric, _, side = key.rpartition("_at_")
        value = measured[metric]
        if value is None:
            problems.append(f"{metric} cannot be measured on this data")
        elif (side == "most" and value > bound) or (side == "least" and value < bound):
            problems.append(f"{metric} is {value:.4g}, expected at {side} {bound:g}")
    if "test_loss_rises" in expect.flags:
        losses = [h.test_loss for h in trainer.history if h.test_loss is not None]
        if not losses or losses[-1] < 1.2 * min(losses):
            problems.append("the test loss did not rise 20% above its lowest point")
    if expect.params_near is not None:
        tolerance = expect.numbers.get("tolerance", 0.1)
        params = [float(v) for v in trainer.params]
        if len(params) != len(expect.params_near) or any(
            abs(p - q) > tolerance for p, q in zip(params, expect.params_near, strict=False)
        ):
            shown = ", ".join(f"{p:.3f}" for p in params[:8])
            problems.append(f"parameters are [{shown}], expected near {list(expect.params_near)}")
    return problems


# ---------------------------------------------------------------- finding lessons


def shipped_lessons() -> Traversable:
    """The lessons folder inside the installed package."""
    return resources.files("dlviz").joinpath("resources", "lessons")


def user_lessons_dir() -> str:
    """Where a teacher's own lessons go: ``<user data>/dlviz/lessons``."""
    from platformdirs import user_data_dir

    return os.path.join(user_data_dir("dlviz"), "lessons")


@dataclass(frozen=True)
class LessonEntry:
    """A lesson file found on disk: its lesson, or why it could not be read."""

    name: str
    source: str
    lesson: Lesson | None
    error: str | None


def _read_entry(name: str, source: str, read: Any, names: Names) -> LessonEntry:
    try:
        raw: bytes = read()
        if len(raw) > MAX_LESSON_BYTES:
            raise DlvizError(f"{source}: {len(raw)} bytes is too large for a lesson file")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise DlvizError(f"{source}: not UTF-8 text") from None
        return LessonEntry(
            name, source, parse_lesson(text, name=name, source=source, names=names), None
        )
    except OSError as exc:
        return LessonEntry(name, source, None, f"{source}: cannot read: {exc.strerror or exc}")
    except DlvizError as exc:
        return LessonEntry(name, source, None, str(exc))


def discover(
    names: Names | None = None, extra_dirs: Iterable[str] | None = None
) -> list[LessonEntry]:
    """Every lesson shipped or in the user's folder, sorted; broken files come with the reason.

    A user's lesson with the name of a shipped one replaces it.
    """
    names = names or Names()
    found: dict[str, LessonEntry] = {}
    for item in shipped_lessons().iterdir():
        if item.name.endswith(LESSON_SUFFIX):
            name = item.name.removesuffix(LESSON_SUFFIX)
            found[name] = _read_entry(name, item.name, item.read_bytes, names)
    folders = [user_lessons_dir()] if extra_dirs is None else list(extra_dirs)
    for folder in folders:
        if not os.path.isdir(folder):
            continue
        for file in sorted(os.listdir(folder)):
            if file.endswith(LESSON_SUFFIX):
                path = os.path.join(folder, file)
                name = file.removesuffix(LESSON_SUFFIX)
                found[name] = _read_entry(name, path, _reader_of(path), names)

    def key(entry: LessonEntry) -> tuple[int, str]:
        return (entry.lesson.order if entry.lesson else 10_000, entry.name)

    return sorted(found.values(), key=key)


def _reader_of(path: str) -> Any:
    def read() -> bytes:
        with open(path, "rb") as fh:
            return fh.read(MAX_LESSON_BYTES + 1)

    return read


def load_lesson(
    name: str, names: Names | None = None, extra_dirs: Iterable[str] | None = None
) -> Lesson:
    """The lesson called ``name`` (as ``dlviz lessons`` lists it), or one line saying why not."""
    entries = {e.name: e for e in discover(names, extra_dirs)}
    entry = entries.get(name.strip())
    if entry is None:
        raise DlvizError(f"unknown lesson '{name}'; choose from {', '.join(entries)}")
    if entry.lesson is None:
        raise DlvizError(entry.error or f"lesson '{name}' cannot be read")
    return entry.lesson


# ---------------------------------------------------------------- examples

EXAMPLES_FILE = "examples.toml"


def parse_examples(
    text: str, source: str = EXAMPLES_FILE, names: Names | None = None
) -> dict[str, Example]:
    """Read the examples file: one table per example with ``title``, ``setup`` and ``expect``."""
    reader = _Reader(source, names or Names())
    doc = _parse_toml(text, source)
    examples: dict[str, Example] = {}
    for name, body in doc.items():
        table = reader.table(body, name, ("title", "setup", "expect"))
        if "title" not in table:
            raise reader.fail(f"{name}.title", "missing: give the title in en and zh_CN")
        title = reader.texts(table["title"], f"{name}.title")
        setup = reader.setup(table.get("setup", {}), f"{name}.setup")
        if setup.example is not None:
            raise reader.fail(f"{name}.setup.example", "an example cannot start from another")
        if "preset" not in setup.data:
            raise reader.fail(f"{name}.setup.data.preset", "missing: an example names its data")
        expect = reader.expects(table["expect"], f"{name}.expect") if "expect" in table else ()
        examples[name] = Example(name, title, setup, expect)
    return examples


def load_examples() -> dict[str, Example]:
    """The textbook's examples shipped with dlviz, in file order."""
    text = resources.files("dlviz").joinpath("resources", EXAMPLES_FILE).read_text("utf-8")
    return parse_examples(text)
