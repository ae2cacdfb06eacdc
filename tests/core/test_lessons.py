"""Lessons and the textbook's examples: every shipped file reads, resolves and shows its point."""

from __future__ import annotations

import pytest

from dlviz import cli
from dlviz.core.errors import DlvizError
from dlviz.core.lessons import (
    Names,
    Setup,
    discover,
    load_examples,
    load_lesson,
    parse_lesson,
    resolve,
    train_and_check,
)

LESSONS = [e for e in discover(extra_dirs=()) if e.lesson is not None]
STEPS = [(e.lesson, i) for e in LESSONS for i in range(len(e.lesson.steps))]
EXPECTS = [
    pytest.param(lesson, i, k, id=f"{lesson.name}-step{i + 1}-{k + 1}")
    for lesson, i in STEPS
    for k in range(len(lesson.steps[i].expect))
]


def test_at_least_ten_lessons_ship_and_none_is_malformed():
    entries = discover(extra_dirs=())
    assert [e.error for e in entries if e.error] == []
    assert len(entries) >= 10
    names = [e.name for e in entries]
    for name in ("one-neuron", "xor", "activations", "vanishing-gradients", "learning-rate",
                 "batch-size", "overfitting", "softmax", "hidden-space", "features"):  # fmt: skip
        assert name in names


@pytest.mark.parametrize(
    ("lesson", "index"), [pytest.param(le, i, id=f"{le.name}-{i + 1}") for le, i in STEPS]
)
def test_every_step_sets_up_something_core_can_train(lesson, index):
    resolved = resolve(lesson.setup_at(index), f"{lesson.name} step {index + 1}")
    assert resolved.spec.n_layers >= 1 and resolved.dataset.n > 0
    step = lesson.steps[index]
    for language in ("en", "zh_CN"):
        assert step.text[language] and lesson.title[language]
    assert step.text["en"] != step.text["zh_CN"]


@pytest.mark.parametrize(("lesson", "index", "k"), EXPECTS)
def test_each_lesson_step_reaches_the_result_it_claims(lesson, index, k):
    expect = lesson.steps[index].expect[k]
    resolved = resolve(lesson.setup_at(index))
    assert train_and_check(resolved, expect) == []


EXAMPLES = load_examples()


def test_the_three_textbook_examples_ship():
    assert list(EXAMPLES) == ["textbook-line", "textbook-2-10-1", "textbook-2-4-1"]
    for example in EXAMPLES.values():
        assert example.expect, f"{example.name} claims no result"


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_each_textbook_example_reaches_its_result(name):
    example = EXAMPLES[name]
    resolved = resolve(example.setup, name)
    for expect in example.expect:
        assert train_and_check(resolved, expect) == []


def test_the_textbook_examples_are_what_the_course_describes():
    line = resolve(EXAMPLES["textbook-line"].setup)
    assert line.spec.describe() == "1-1 identity/mse" and line.config.optimizer.name == "gd"
    x = line.dataset.points[:, 0]
    assert x.min() >= 0 and x.max() <= 1
    assert abs(line.dataset.targets - (3 * x + 2)).max() <= 0.1 + 1e-6
    assert line.dataset.bounds[:2] == (-0.1, 1.1)  # the canvas shows x in [0, 1], not [-1, 1]
    assert resolve(EXAMPLES["textbook-2-10-1"].setup).spec.describe() == (
        "2-10(sigmoid)-1 sigmoid/bce"
    )
    hill = resolve(EXAMPLES["textbook-2-4-1"].setup)
    assert hill.spec.describe() == "2-4(sigmoid)-1 sigmoid/mse"
    assert hill.dataset.targets.min() >= 0 and hill.dataset.targets.max() <= 1


def test_a_failed_claim_is_reported():
    """The checker is not a rubber stamp: one neuron does not solve XOR."""
    lesson = load_lesson("xor", extra_dirs=())
    one_neuron = resolve(lesson.setup_at(0))
    solved = lesson.steps[1].expect[0]
    assert train_and_check(one_neuron, solved) != []


# ---------------------------------------------------------------- the format

GOOD = """
format = 1
title.en = "T"
title.zh_CN = "标题"
[[steps]]
text.en = "one"
text.zh_CN = "一"
setup.data = { preset = "xor" }
setup.network = { hidden = [4], activation = "tanh" }
setup.training = { lr = 0.1, optimizer = "sgd" }
setup.views = ["boundary", "loss"]
setup.front = "loss"
[[steps]]
text.en = "two"
text.zh_CN = "二"
setup.network = { activation = "relu" }
next_when = { on = "epoch", at_least = 10 }
"""
VIEWS = Names(views=("boundary", "loss", "network"), panels=("training",), widgets=("speed",))


def test_a_later_step_changes_only_what_it_names():
    lesson = parse_lesson(GOOD, name="t", names=VIEWS)
    first, second = lesson.setup_at(0), lesson.setup_at(1)
    assert second.network == {"hidden": (4,), "activation": "relu"}
    assert second.training == first.training and second.views == ("boundary", "loss")
    assert second.front == "loss"
    assert resolve(second).spec.describe() == "2-4(relu)-1 sigmoid/bce"
    assert lesson.steps[1].next_when is not None and lesson.steps[1].next_when.at_least == 10
    with pytest.raises(DlvizError, match="steps 1 to 2, not 3"):
        lesson.setup_at(2)


def test_naming_an_example_starts_again_from_it():
    base = Setup(data={"preset": "circle", "noise": 0.5}, network={"hidden": (3,)})
    after = base.then(Setup(example="textbook-line", training={"lr": 0.01}))
    assert after.data == {} and after.network == {} and after.training == {"lr": 0.01}
    resolved = resolve(after)
    assert resolved.dataset.name == "textbook-line" and resolved.config.optimizer.lr == 0.01
    assert resolved.config.optimizer.name == "gd"  # the example's, not overwritten


FIRST = 'setup.front = "loss"\n'
#: (text in GOOD, what replaces it, what the message must say)
BAD = [
    ("format = 1", "format = 2", "t.toml: format: must be 1"),
    ('title.zh_CN = "标题"', "", "t.toml: title.zh_CN: missing"),
    ('preset = "xor"', 'preset = "xyz"', "step 1.setup.data.preset: unknown preset 'xyz'"),
    ('preset = "xor"', 'preset = "xor", colour = 1', "step 1.setup.data.colour: unknown field"),
    ('activation = "tanh"', 'activation = "relux"', "step 1.setup.network.activation: unknown"),
    ("hidden = [4]", "hidden = '4'", "step 1.setup.network.hidden: expected a list of whole"),
    ("lr = 0.1", "lr = 'fast'", "step 1.setup.training.lr: expected a number, found text"),
    ('optimizer = "sgd"', 'optimiser = "sgd"', "step 1.setup.training.optimiser: unknown field"),
    ('"boundary", "loss"]', '"boundary", "loss", "land"]', "step 1.setup.views[3]: unknown view"),
    ('setup.front = "loss"', 'setup.front = "network"', "step 1.setup.front: 'network' is not"),
    (FIRST, FIRST + "setup.panels = ['data']\n", "step 1.setup.panels[1]: unknown panel 'data'"),
    (FIRST, FIRST + "setup.speed = -3\n", "step 1.setup.speed: give mini-batches per second"),
    ("on = \"epoch\", at_least = 10", "on = 'click'", "step 2.next_when.on: unknown condition"),
    ("on = \"epoch\", at_least = 10", "on = 'epoch'", "step 2.next_when.at_least: missing"),
    ("on = \"epoch\", at_least = 10", "on = 'setting', setting = 'training.zz'",
     "step 2.next_when.setting: unknown setting 'training.zz'"),
    (FIRST, FIRST + "highlight = 'nowhere'\n", "step 1.highlight: unknown widget 'nowhere'"),
    (FIRST, FIRST + "expect = { epochs = 10 }\n", "step 1.expect[1]: says no result to check"),
    (FIRST, FIRST + "expect = { r2_at_least = 0.9 }\n", "step 1.expect[1].epochs: missing"),
    (FIRST, FIRST + "colour = 'red'\n", "step 1.colour: unknown field"),
    ('text.zh_CN = "二"', "", "step 2.text.zh_CN: missing"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "message"), BAD)
def test_a_malformed_lesson_names_the_file_and_the_field(old, new, message):
    assert old in GOOD
    with pytest.raises(DlvizError) as info:
        parse_lesson(GOOD.replace(old, new, 1), name="t", names=VIEWS)
    assert str(info.value).startswith("t.toml: ")
    assert message in str(info.value)


def test_the_app_names_are_only_checked_when_the_app_gives_them():
    """Core cannot import the view registry; without names a view is taken on trust."""
    text = GOOD.replace('"boundary", "loss"]', '"boundary", "loss", "race"]')
    assert parse_lesson(text, name="t").setup_at(0).views == ("boundary", "loss", "race")


def test_not_toml_and_no_steps_are_reported_with_the_file():
    with pytest.raises(DlvizError, match=r"^bad.toml: not valid TOML"):
        parse_lesson("title = [", name="bad")
    with pytest.raises(DlvizError, match=r"^bad.toml: steps: missing"):
        parse_lesson('format = 1\ntitle = { en = "a", zh_CN = "b" }', name="bad")
    with pytest.raises(DlvizError, match="first step must name an example or a data preset"):
        parse_lesson(GOOD.replace('setup.data = { preset = "xor" }', ""), name="bad")


def test_an_impossible_combination_is_reported_when_resolved():
    lesson = parse_lesson(GOOD.replace("hidden = [4]", 'output = "softmax"'), name="t")
    with pytest.raises(DlvizError, match=r"^step 1.network: output 'softmax' does not fit"):
        resolve(lesson.setup_at(0), "step 1")


def test_a_broken_user_lesson_is_listed_with_its_reason_and_replaces_nothing_else(tmp_path):
    (tmp_path / "mine.toml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "broken.toml").write_text(GOOD.replace("format = 1", "format = 9"), "utf-8")
    (tmp_path / "notes.txt").write_text("not a lesson", encoding="utf-8")
    entries = {e.name: e for e in discover(extra_dirs=[str(tmp_path)])}
    assert entries["mine"].lesson is not None and entries["mine"].error is None
    assert entries["broken"].lesson is None
    assert "broken.toml: format: must be 1" in (entries["broken"].error or "")
    assert "notes" not in entries and "xor" in entries
    with pytest.raises(DlvizError, match="broken.toml: format"):
        load_lesson("broken", extra_dirs=[str(tmp_path)])
    with pytest.raises(DlvizError, match="unknown lesson 'nope'; choose from one-neuron, xor"):
        load_lesson("nope", extra_dirs=())


def test_regression_may_ask_for_a_sigmoid_output_and_a_classifier_follows_its_loss():
    from dlviz.core.network import LayerSpec, build_spec

    hidden = (LayerSpec(4, "sigmoid"),)
    spec = build_spec(kind="regress", n_classes=0, features=("x1", "x2"), hidden=hidden,
                      output="sigmoid")  # fmt: skip
    assert (spec.output, spec.loss) == ("sigmoid", "mse")
    plain = build_spec(kind="curve", n_classes=0, features=("x1",), hidden=())
    assert plain.output == "identity"
    with pytest.raises(DlvizError, match="output 'softmax' does not fit regression"):
        build_spec(kind="regress", n_classes=0, features=("x1",), hidden=(), output="softmax")
    with pytest.raises(DlvizError, match="output 'identity' does not fit loss 'bce'"):
        build_spec(kind="classify", n_classes=2, features=("x1",), hidden=(), output="identity")


def test_chinese_lines_wrapped_in_the_file_join_without_a_space():
    """Rich text turns a line break into a space; Chinese puts none between characters."""
    text = GOOD.replace(
        'text.zh_CN = "一"', "text.zh_CN = '''<p>按下\n  <b>播放</b>，\n看 loss\nx</p>'''"
    )
    lesson = parse_lesson(text, name="t")
    assert lesson.text(0, "zh_CN") == "<p>按下<b>播放</b>，看 loss\nx</p>"  # Latin keeps it
    assert lesson.text(0, "en") == "one"


def test_lessons_for_tools_still_to_come_fit_the_format_unchanged():
    """A backprop-phases lesson and an optimizer race need only names the app will register."""
    future = Names(
        views=("boundary", "loss", "network", "race"),
        panels=("training", "backprop"),
        widgets=("backprop-next-phase",),
    )
    text = """
format = 1
title = { en = "Backprop and the race", zh_CN = "反向传播与优化器比赛" }
[[steps]]
text = { en = "Phase 1: forward.", zh_CN = "第一阶段：前向传播。" }
setup.data = { preset = "xor", points = 4 }
setup.network = { hidden = [2], activation = "sigmoid" }
setup.panels = ["backprop", "training"]
setup.views = ["network"]
setup.front = "network"
highlight = "backprop-next-phase"
next_when = { on = "setting", setting = "training.lr" }
[[steps]]
text = { en = "Six optimizers race.", zh_CN = "六种优化器比赛。" }
setup.views = ["race", "loss"]
setup.front = "race"
"""
    lesson = parse_lesson(text, name="future", names=future)
    assert lesson.setup_at(1).front == "race" and lesson.setup_at(1).panels == (
        "backprop",
        "training",
    )
    with pytest.raises(DlvizError, match="unknown panel 'backprop'"):
        parse_lesson(text, name="future", names=VIEWS)  # today's app has no such panel


@pytest.mark.parametrize(("widths", "hidden"), [("none", ()), ("8,8", (8, 8))])
def test_a_set_up_without_training_settings_trains_as_dlviz_train_does(widths, hidden):
    """A lesson and ``dlviz train`` given no training options pick the same optimizer,
    learning rate and settings (SGD 0.1 without hidden layers, Adam 0.01 with them)."""
    parser = cli.Parser(prog="dlviz")
    train = cli.train_parser(parser.add_subparsers(dest="command"))
    args = train.parse_args(["--dataset", "circle", "--hidden", widths])
    from_cli = cli.build_trainer(args, cli.load_training_data(args)).config
    lesson = resolve(Setup(data={"preset": "circle"}, network={"hidden": hidden}))
    assert lesson.config == from_cli
    assert (from_cli.optimizer.name, from_cli.optimizer.lr) == (
        ("sgd", 0.1) if not hidden else ("adam", 0.01)
    )
