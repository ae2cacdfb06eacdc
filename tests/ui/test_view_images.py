"""The image-data views: the drawing pad, the first-layer weight images, the test gallery.

A session holds the built-in digits and the snapshot of a real 64-32-10
network trained a few epochs; each view is built on it as the main window
builds it, and driven with the mouse.  What the views show is compared with
independent computations: the reference forward pass, the parameter
layout's weights, a plain sort of the test predictions.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from dlviz.core.colors import class_probabilities
from dlviz.core.data import make_dataset
from dlviz.core.image_views import mosaic_rgba
from dlviz.core.images import load_digits, subset
from dlviz.core.kernels.reference import forward
from dlviz.core.network import LayerSpec, ParamLayout, build_spec
from dlviz.core.optim import OptimizerConfig
from dlviz.core.trainer import TrainConfig, Trainer
from dlviz.ui.session import Session
from dlviz.ui.theme import DARK, LIGHT, Scale
from dlviz.ui.views import IMAGE_CENTRAL_VIEW, VIEWS
from dlviz.ui.views.gallery import GALLERY_SIZE, WRONG_HEX, GalleryView
from dlviz.ui.views.matrices import symmetric_limit
from dlviz.ui.views.network import NetworkView
from dlviz.ui.views.pad import PadView
from dlviz.ui.views.weight_images import WeightImagesView, gap_colour
from dlviz.ui.worker import EXTRAS, TrainingWorker

IMAGE_VIEWS = ("pad", "weights", "gallery")


@pytest.fixture(scope="module")
def digits_run():
    """The digits and a trained 64-32-10 network's trainer and snapshot (with a gallery)."""
    data = load_digits()
    spec = build_spec(kind="classify", n_classes=10, features=(),
                      hidden=(LayerSpec(32, "relu"),), image_shape=(8, 8))  # fmt: skip
    config = TrainConfig(optimizer=OptimizerConfig("adam", 0.01), batch_size=32)
    trainer = Trainer(data, spec, config, seed=0)
    snap = trainer.run(samples=3 * trainer.n_train, gallery=GALLERY_SIZE)
    return data, trainer, snap


@pytest.fixture
def session(digits_run):
    data, _, snap = digits_run
    s = Session()
    s.replace_dataset(data.copy(), undoable=False)
    s.receive(snap)
    return s


def build(qtbot, cls, session):
    view = cls(session)
    qtbot.addWidget(view)
    view.resize(1000, 650)
    view.show()
    qtbot.waitUntil(view.is_active, timeout=5_000)
    view.refresh()
    return view


def reference_probabilities(snap, pixels):
    """The network's probabilities for one image by the NumPy reference forward pass."""
    return class_probabilities(forward(snap.spec, snap.params, pixels.reshape(1, -1)).a[-1])[0]


# ---------------------------------------------------------------- registry


def test_the_image_views_are_registered_for_image_data_only():
    for name in IMAGE_VIEWS:
        assert VIEWS[name].data_kinds == frozenset({"images"})
    assert IMAGE_CENTRAL_VIEW == "pad"
    others = [cls for name, cls in VIEWS.items() if name not in IMAGE_VIEWS]
    # the rest draw points; some are for points only (tests/ui/test_image_projects.py)
    assert all("points" in cls.data_kinds for cls in others)
    assert "gallery" in EXTRAS


@pytest.mark.parametrize("name", IMAGE_VIEWS)
def test_built_for_point_data_an_image_view_says_what_it_needs(qtbot, name):
    s = Session()  # the circle preset's points
    trainer = Trainer(s.dataset, build_spec(kind="classify", n_classes=2, features=("x1", "x2"),
                                            hidden=(LayerSpec(4, "tanh"),)))  # fmt: skip
    s.receive(trainer.run(samples=20, grid=16))
    view = build(qtbot, VIEWS[name], s)
    assert view.pages.currentWidget() is view.message
    assert "image data" in view.message.text()
    assert view.extras() == {}


# ---------------------------------------------------------------- pad


def pad_point(view, x, y):
    """The canvas position of pad pixel coordinates (x across, y down)."""
    area = view.canvas.square()
    h, w = view.canvas.pixels.shape
    return QPoint(
        round(area.left() + x * area.width() / w), round(area.top() + y * area.height() / h)
    )


def drag(qtbot, view, points, button=Qt.MouseButton.LeftButton):
    canvas = view.canvas
    mods = Qt.KeyboardModifier.NoModifier
    qtbot.mousePress(canvas, button, mods, pad_point(view, *points[0]))
    for x, y in points[1:]:
        qtbot.mouseMove(canvas, pad_point(view, x, y))
    qtbot.mouseRelease(canvas, button, mods, pad_point(view, *points[-1]))


def test_drawing_on_the_pad_inks_it_and_the_bars_follow_the_pen(qtbot, session):
    view = build(qtbot, PadView, session)
    snap = session.latest
    view.clear_button.click()
    assert view.canvas.pixels.shape == (8, 8) and not view.pixels().any()
    blank = view.probabilities
    assert blank is not None  # the network's answer for an empty pad
    np.testing.assert_allclose(blank, reference_probabilities(snap, view.pixels()), atol=1e-5)

    seen = []
    # a "7": along the top, then down to the bottom left
    stroke = [(1.5, 1.5), (3.5, 1.4), (6.5, 1.5), (5.5, 3.5), (4.2, 5.5), (3.0, 7.0)]
    canvas = view.canvas
    mods = Qt.KeyboardModifier.NoModifier
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, mods, pad_point(view, *stroke[0]))
    for x, y in stroke[1:]:
        qtbot.mouseMove(canvas, pad_point(view, x, y))
        seen.append(view.probabilities.copy())
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, mods, pad_point(view, *stroke[-1]))

    pixels = view.pixels()
    assert pixels.max() == pytest.approx(1.0, abs=0.05) and 0 <= pixels.min()
    assert pixels[1, 3] > 0.5 and pixels[6, 3] > 0.2 and pixels[7, 7] == 0  # along the pen only
    # every move asked the network again: the bars changed as the digit grew
    assert not any(np.allclose(a, b) for a, b in zip(seen, seen[1:], strict=False))
    probs = view.probabilities
    assert probs.sum() == pytest.approx(1.0, abs=1e-5)
    np.testing.assert_allclose(probs, reference_probabilities(snap, pixels), atol=1e-5)
    np.testing.assert_allclose(view.bars.bars.opts["height"], probs)
    assert view.answer.text() == str(int(np.argmax(probs)))

    # the right button erases what it passes over
    drag(qtbot, view, [(0.5, 1.5), (7.5, 1.5)], button=Qt.MouseButton.RightButton)
    assert view.pixels()[1].max() < pixels[1].max() and view.pixels()[1, 3] < 0.05
    assert view.pixels()[6, 3] == pixels[6, 3]  # elsewhere untouched

    view.clear_button.click()
    assert not view.pixels().any()
    np.testing.assert_allclose(view.probabilities, blank, atol=1e-6)


def test_erase_mode_makes_the_left_button_erase(qtbot, session):
    view = build(qtbot, PadView, session)
    view.clear_button.click()  # off the test image it starts on
    drag(qtbot, view, [(1.0, 4.5), (7.0, 4.5)])  # along the centres of row 4
    assert view.pixels()[4, 1:7].min() > 0.9
    view.erase_button.click()
    drag(qtbot, view, [(0.0, 4.5), (8.0, 4.5)])
    assert view.pixels().max() < 0.05
    view.draw_button.click()
    drag(qtbot, view, [(3.5, 1.0), (3.5, 7.0)])
    assert view.pixels()[1:7, 3].min() > 0.9


def test_the_pad_starts_on_the_first_test_image_until_the_user_takes_it(qtbot, session):
    data = session.dataset
    view = build(qtbot, PadView, session)
    first = int(np.flatnonzero(data.is_test)[0])
    truth = int(data.targets[first])
    # a first look shows the network reading a real digit, and says what it is
    np.testing.assert_array_equal(view.pixels().ravel(), data.points[first])
    assert view.sample == (first, truth)
    assert f"A test image (true {truth})" in view.answer_note.text()
    probs = reference_probabilities(session.latest, view.pixels())
    np.testing.assert_allclose(view.probabilities, probs, atol=1e-5)
    assert view.reading() == int(np.argmax(probs))
    assert view.answer.text() == str(view.reading())

    # new image data of the same size bring their own first test image
    other = subset(load_digits(), 200, 1)
    session.replace_dataset(other, undoable=False)
    new_first = int(np.flatnonzero(other.is_test)[0])
    np.testing.assert_array_equal(view.pixels().ravel(), other.points[new_first])
    assert view.sample == (new_first, int(other.targets[new_first]))

    # once the user draws, the pad is theirs: new data leave the drawing alone
    drag(qtbot, view, [(3.5, 1.0), (3.5, 7.0)])
    drawn = view.pixels()
    assert view.sample is None and "A test image" not in view.answer_note.text()
    session.replace_dataset(data.copy(), undoable=False)
    np.testing.assert_array_equal(view.pixels(), drawn)
    # Clear empties it, and it stays empty with new data too
    view.clear_button.click()
    session.replace_dataset(other, undoable=False)
    assert not view.pixels().any()


def test_an_empty_pad_shows_no_class_as_its_reading(qtbot, session):
    view = build(qtbot, PadView, session)
    assert view.reading() is not None  # the test image is read
    view.clear_button.click()
    assert view.reading() is None
    assert not any(ch.isdigit() for ch in view.answer.text())  # no class drawn big
    assert "The pad is empty" in view.answer_note.text()
    # the bars stay: the network's answer to a blank image, as the note says
    assert view.probabilities is not None and "blank image" in view.answer_note.text()
    np.testing.assert_allclose(view.bars.bars.opts["height"], view.probabilities)
    drag(qtbot, view, [(3.5, 1.0), (3.5, 7.0)])
    assert view.answer.text() == str(view.reading())


def test_the_probability_bars_say_what_they_are_in_a_horizontal_caption(qtbot, session):
    for cls in (PadView, GalleryView):
        view = build(qtbot, cls, session)
        # a rotated axis title squeezes Chinese text: the caption is a plain line above
        assert view.bars.plot.getAxis("left").labelText == ""
        assert "Probability of each class" in view.bars.caption.text()
        assert view.bars.caption.isVisible()


def test_before_a_click_the_gallerys_plot_names_the_classes(qtbot, session):
    view = build(qtbot, GalleryView, session)
    assert view.chosen is None
    (x0, x1), _ = view.bars.plot.viewRange()
    assert x0 == pytest.approx(-0.6) and x1 == pytest.approx(9.6)  # 0..9, not 0.2..0.8
    assert len(view.bars.bars.opts["height"]) == 0


def test_the_pads_answer_follows_training(qtbot, session, digits_run):
    data, trainer, _ = digits_run
    view = build(qtbot, PadView, session)
    image = data.points[np.flatnonzero(data.is_test)[3]]
    view.set_pixels(image)
    before = view.probabilities.copy()
    new = trainer.run(samples=trainer.n_train)  # one more epoch, a new snapshot
    session.receive(new)
    assert view.refresh()
    np.testing.assert_allclose(view.probabilities, reference_probabilities(new, image), atol=1e-5)
    assert not np.allclose(view.probabilities, before)


# ---------------------------------------------------------------- weight images


def test_each_weight_tile_is_its_neurons_incoming_weights(qtbot, session):
    view = build(qtbot, WeightImagesView, session)
    snap = session.latest
    first = ParamLayout.of(snap.spec.sizes).weight(np.asarray(snap.params), 0)  # (64, 32)
    tiles = view.tiles
    assert tiles is not None and tiles.count == 32
    for neuron in (0, 7, 31):
        r, c = tiles.origin(neuron)
        np.testing.assert_array_equal(
            view.mosaic[r : r + 8, c : c + 8], first[:, neuron].reshape(8, 8)
        )
    # one image item holds the whole mosaic, on a symmetric scale shown above it
    assert view.image.image.shape == (tiles.height, tiles.width, 4)
    biggest = float(np.abs(first).max())
    assert biggest <= view.limit <= 1.5 * biggest
    assert view.limit == symmetric_limit(first)  # the weight matrices' round scale
    assert f"±{view.limit:.3g}" in view.heading.text()
    # the colours are drawn on the scale printed: the extreme weight at full strength
    theme = session.theme
    background = theme.rgb("plot_background")
    drawn = view.image.image
    inside = np.isfinite(view.mosaic)
    np.testing.assert_array_equal(
        drawn[inside], mosaic_rgba(view.mosaic, view.limit, background=background)[inside]
    )

    # hovering a tile names its neuron (1-based, as the network graph counts)
    neuron = 9
    r, c = tiles.origin(neuron)
    scene = view.box.mapViewToScene(QPointF(c + 4.0, r + 4.0))
    qtbot.mouseMove(view.graphics.viewport(), view.graphics.mapFromScene(scene))
    qtbot.waitUntil(lambda: "Neuron 10 of layer 1" in view.hover.text(), timeout=2_000)
    w = first[:, neuron]
    assert f"{w.min():.3g} to {w.max():.3g}" in view.hover.text()
    # a click outlines it
    qtbot.mouseClick(
        view.graphics.viewport(), Qt.MouseButton.LeftButton, pos=view.graphics.mapFromScene(scene)
    )
    qtbot.waitUntil(lambda: view.selected == neuron, timeout=2_000)
    assert view.outline.isVisible() and view.outline.rect().topLeft() == QPointF(c, r)


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "dark"])
def test_the_weight_tiles_gaps_are_light_and_unused_places_are_background(qtbot, session, theme):
    session.set_theme(theme, Scale())
    view = build(qtbot, WeightImagesView, session)
    tiles = view.tiles  # 32 neurons: 6 columns, the last row has 2 tiles and 4 empty places
    assert tiles.count < tiles.rows * tiles.columns
    rgb = view.image.image[..., :3].astype(int)
    background = np.array(theme.rgb("plot_background"))
    r, c = tiles.origin(0)
    between = rgb[r : r + tiles.tile_h, c + tiles.tile_w]  # the gap right of tile 0
    gap = between[0]
    assert (between == gap).all() and tuple(gap) == gap_colour(
        theme.rgb("plot_background"), theme.rgb("plot_foreground")
    )
    # a light touch off the background, in either theme: no dark bars between the tiles
    assert 0 < np.abs(gap - background).max() <= 50
    r, c = tiles.origin(tiles.count)
    assert (rgb[r:, c:] == background).all()  # the empty places are background
    assert (rgb[r:, c - tiles.gap : c] == background).all()


def test_the_weight_images_follow_training(qtbot, session, digits_run):
    _, trainer, _ = digits_run
    view = build(qtbot, WeightImagesView, session)
    before = view.mosaic.copy()
    new = trainer.run(samples=trainer.n_train)
    session.receive(new)
    assert view.refresh()
    first = new.weight(0)
    r, c = view.tiles.origin(5)
    np.testing.assert_array_equal(view.mosaic[r : r + 8, c : c + 8], first[:, 5].reshape(8, 8))
    assert not np.array_equal(view.mosaic, before, equal_nan=True)


# ---------------------------------------------------------------- gallery


def test_the_gallery_shows_the_mistakes_first_then_the_least_sure(qtbot, session, digits_run):
    data, _, snap = digits_run
    view = build(qtbot, GalleryView, session)
    assert view.extras() == {"gallery": GALLERY_SIZE}
    # an independent ranking of every test image by the reference forward pass
    test_rows = np.flatnonzero(data.is_test)
    out = forward(snap.spec, snap.params, data.points[test_rows]).a[-1]
    probs = class_probabilities(out)
    truth = data.targets[test_rows]
    predicted = probs.argmax(axis=1)
    wrong = predicted != truth
    p_true = probs[np.arange(truth.size), truth]
    mistakes = test_rows[wrong][np.argsort(p_true[wrong], kind="stable")]
    unsure = test_rows[~wrong][np.argsort(p_true[~wrong], kind="stable")]
    expected = np.concatenate([mistakes, unsure])[:GALLERY_SIZE]
    np.testing.assert_array_equal(view.gallery.rows, expected)
    assert 0 < wrong.sum() < GALLERY_SIZE  # the test covers both parts

    n_wrong = int(wrong.sum())
    for i, thumb in enumerate(view.thumbs):
        row = int(expected[i])
        k = int(np.flatnonzero(test_rows == row)[0])
        assert thumb.isVisible() and thumb.wrong == bool(wrong[k]) == (i < n_wrong)
        if thumb.wrong:  # a symbol and the true class, besides the colour
            assert thumb.caption.startswith("✗") and f"true {truth[k]}" in thumb.caption
        else:
            assert thumb.caption.startswith(f"{predicted[k]} ·") and "✗" not in thumb.caption
    assert f"{n_wrong:,} of {test_rows.size:,} test images misclassified" in view.heading.text()
    # the mistake's frame is drawn in vermillion
    grab = view.thumbs[0].grab().toImage()
    colours = {grab.pixelColor(x, 6).name() for x in range(grab.width())}
    assert WRONG_HEX.lower() in colours


def test_clicking_a_thumbnail_shows_it_and_loads_it_into_the_pad(qtbot, session):
    pad = build(qtbot, PadView, session)
    view = build(qtbot, GalleryView, session)
    g = view.gallery
    index = 2
    thumb = view.thumbs[index]
    view.scroll.ensureWidgetVisible(thumb)
    qtbot.mouseClick(thumb, Qt.MouseButton.LeftButton, pos=thumb.rect().center())
    assert view.chosen is not None and view.chosen[0] == int(g.rows[index])
    assert thumb.selected and not view.thumbs[0].selected
    np.testing.assert_allclose(view.bars.bars.opts["height"], g.probabilities[index])
    assert f"A {g.labels[index]}, read as {g.predicted[index]}" in view.detail_text.text()

    qtbot.mouseClick(view.load_button, Qt.MouseButton.LeftButton)
    np.testing.assert_array_equal(pad.pixels(), g.pixels[index].reshape(8, 8))
    np.testing.assert_allclose(pad.probabilities, g.probabilities[index], atol=1e-5)

    # a double click loads another at once
    other = view.thumbs[5]
    qtbot.mouseDClick(other, Qt.MouseButton.LeftButton, pos=other.rect().center())
    np.testing.assert_array_equal(pad.pixels(), g.pixels[5].reshape(8, 8))


def test_the_worker_sends_the_gallery_while_a_view_asks_for_it(qtbot):
    data = make_dataset("circle", n=10)  # replaced below: the worker starts on points
    spec = build_spec(kind="classify", n_classes=2, features=("x1", "x2"),
                      hidden=(LayerSpec(4, "tanh"),))  # fmt: skip
    worker = TrainingWorker(data, spec, TrainConfig())
    snaps = []
    worker.snapshot_ready.connect(snaps.append)
    worker.start()
    try:
        digits = load_digits()
        image_spec = build_spec(kind="classify", n_classes=10, features=(),
                                hidden=(LayerSpec(16, "relu"),), image_shape=(8, 8))  # fmt: skip
        worker.set_problem(digits, image_spec)
        worker.set_extras({"gallery": 12})
        worker.step_batch()
        qtbot.waitUntil(lambda: bool(snaps) and snaps[-1].gallery is not None, timeout=60_000)
        g = snaps[-1].gallery
        assert len(g.rows) == 12 and g.split == "test" and digits.is_test[g.rows].all()
        worker.set_extras({})
        count = len(snaps)
        worker.step_batch()
        qtbot.waitUntil(lambda: len(snaps) > count, timeout=30_000)
        assert snaps[-1].gallery is None  # nobody asks: nothing computed
    finally:
        assert worker.stop()
        worker.deleteLater()


# ---------------------------------------------------------------- network graph headers


def _headers_fit(view):
    """Every column header inside the graph's area and clear of its neighbours'."""
    view.grab()  # a paint places the text items (they keep their pixel size)
    area = view.viewbox.sceneBoundingRect()
    boxes = []
    for title, sub in view.headers:
        for label in (title, sub):
            box = label.sceneBoundingRect()
            assert area.contains(box), (label.textItem.toPlainText(), box, area)
        boxes.append(title.sceneBoundingRect().united(sub.sceneBoundingRect()))
    for a, b in zip(boxes, boxes[1:], strict=False):
        assert a.right() <= b.left(), (a, b)
    return True


@pytest.mark.parametrize(("size", "compact"), [((900, 600), False), ((420, 330), False),
                                                ((820, 300), True)])  # fmt: skip
def test_the_network_graphs_headers_fit_and_the_input_picture_is_large(
    qtbot, session, size, compact
):
    view = NetworkView(session)
    qtbot.addWidget(view)
    if compact:  # presentation mode's wide, low place and large type
        session.set_theme(LIGHT, Scale.for_mode(True))
        view.set_compact(True)
    view.resize(*size)
    view.show()
    qtbot.waitUntil(view.is_active, timeout=5_000)
    view.refresh()
    assert [t.textItem.toPlainText() for t, _ in view.headers] == ["Inputs", "Layer 1", "Output"]
    assert _headers_fit(view)
    # the mean digit is drawn large: at least a fifth of the graph's height
    picture = view.input_picture.sceneBoundingRect()
    assert picture.height() >= view.viewbox.sceneBoundingRect().height() / 5
    # the titles follow the place's size
    view.resize(size[0] - 120, size[1])
    qtbot.waitUntil(lambda: view._structure[-1] == view._place(), timeout=2_000)
    assert _headers_fit(view)
