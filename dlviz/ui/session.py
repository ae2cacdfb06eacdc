"""The GUI thread's model of a session: the data being drawn, display options, newest snapshot.

Panels and views observe a :class:`Session` (napari style: the model is
plain state plus change signals; widgets read it and call its methods).  The
main window forwards its changes to the training worker.  Nothing here runs
training maths: the dataset edits are the core ``Dataset`` methods and the
curves come from :class:`dlviz.core.curves.CurveHistory`.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Signal

from dlviz.core.analysis import StatsHistory
from dlviz.core.colors import MAX_CLASSES, value_limit
from dlviz.core.curves import CurveHistory
from dlviz.core.data import Dataset, empty_dataset, make_dataset
from dlviz.core.images import DIGITS, load_digits
from dlviz.core.snapshot import Snapshot
from dlviz.core.trainer import TrainConfig
from dlviz.ui.theme import LIGHT, Scale, Theme

UNDO_LIMIT = 50
TOOLS = ("paint", "erase", "move")


@dataclass(frozen=True)
class DataSettings:
    """How the current points were generated (the data panel's fields)."""

    preset: str = "circle"
    classes: int = 2
    noise: float = 0.0
    test_ratio: float = 0.5
    n: int | None = None
    seed: int = 0

    def make(self) -> Dataset:
        if self.preset == DIGITS:  # the built-in images: a seeded split is all there is to choose
            return load_digits(test_ratio=self.test_ratio, seed=self.seed)
        return make_dataset(
            self.preset,
            n=self.n,
            noise=self.noise,
            classes=self.classes,
            test_ratio=self.test_ratio,
            seed=self.seed,
        )


@dataclass(frozen=True)
class DisplayOptions:
    show_test: bool = True
    discrete: bool = False
    log_loss: bool = False
    smoothing: float = 0.6


@dataclass(frozen=True)
class NeuronPicture:
    """One neuron's output over the input plane, coloured as the network graph draws it."""

    name: str  # "Layer 1, neuron 3"
    rgba: np.ndarray  # (res, res, 4) uint8, rows bottom-to-top over the plane
    bounds: tuple[float, float, float, float]  # xmin, xmax, ymin, ymax of the pixel centres


class Session(QObject):
    """State shared by the panels and views of one window (GUI thread only)."""

    #: The points changed.  ``reason`` is "edit" (painted, erased, moved, undone)
    #: or "new" (a preset, regenerated, cleared, loaded): then kind or classes may differ.
    dataset_changed = Signal(str)
    options_changed = Signal()
    theme_changed = Signal()
    tool_changed = Signal()
    undo_changed = Signal()
    #: A view asks to set one weight: (weight layer, source neuron, target neuron, value);
    #: source -1 sets the target's bias.  The main window hands it to the trainer.
    weight_edit_requested = Signal(int, int, int, float)
    #: The mouse is over this point of the data canvas (x1, x2; for curves x, y).
    pointer_moved = Signal(float, float)
    #: The optimizer race drew another epoch (``race_paths`` has the racers' walks).
    race_changed = Signal()
    #: The pointer is on a neuron of the network graph: the canvas shows that neuron's
    #: output over the plane (a :class:`NeuronPicture`), or None when it left.
    neuron_shown = Signal(object)
    #: A view asks to feed a feature to the network, or take it out (its name, e.g. "x1sq").
    feature_toggle_requested = Signal(str)
    #: An image goes onto the drawing pad (the gallery's "Load into pad"): its pixels,
    #: (height, width) float32 in [0, 1].
    pad_image_requested = Signal(object)

    def __init__(self, settings: DataSettings | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.data_settings = settings or DataSettings()
        self.dataset: Dataset = self.data_settings.make()
        #: Whether ``data_settings`` made the points (False: they came from a file).
        self.from_settings = True
        self.history = CurveHistory()
        #: The neuron the canvas shows instead of the network's output (see neuron_shown).
        self.neuron: NeuronPicture | None = None
        #: Per-layer percentiles and gradient norms over the run (the distributions view).
        self.stats_history = StatsHistory()
        self.stats_version = 0  # grows with every row added
        self.latest: Snapshot | None = None
        #: The run's earlier snapshots kept by the timeline, oldest first (the main
        #: window points it at the worker's timeline; empty without one).
        self.past: Callable[[], list[Snapshot]] = list
        #: The training settings and seed the panels hold now (the main window points it at
        #: them): what a view that trains on its own (the optimizer race) starts from.
        self.training_settings: Callable[[], tuple[TrainConfig, int]] = lambda: (TrainConfig(), 0)
        #: ``on_trainer(fn, done, changes=False)`` runs ``fn(trainer)`` in the worker between
        #: slices and ``done(result, error)`` back in the GUI thread (the main window points
        #: it at the worker's ``run_job``; None without a worker).
        self.on_trainer: Callable[..., Future[Any]] | None = None
        #: Each racer of the last race: (label, colour, weights after every epoch, start first).
        self.race_paths: list[tuple[str, str, list[np.ndarray]]] = []
        #: While set, a left click on the canvas near a point picks that point (its index)
        #: for this function instead of painting (the step-through's *Pick on canvas*).
        self.point_picker: Callable[[int], None] | None = None
        self.snapshot_count = 0  # snapshots received, to tell views there is a new one
        self.options = DisplayOptions()
        self.theme: Theme = LIGHT
        self.scale = Scale()
        self.tool = "paint"
        self.paint_class = 0
        self.paint_value = 1.0
        self._rng = np.random.default_rng(self.data_settings.seed + 1)
        # (points, whether the data settings made them)
        self._undo: list[tuple[Dataset, bool]] = []
        self._redo: list[tuple[Dataset, bool]] = []
        self._stroke_open = False

    # ------------------------------------------------------------ data

    @property
    def kind(self) -> str:
        return self.dataset.kind

    @property
    def data_kind(self) -> str:
        """ "images" or "points": which views and controls apply (``View.data_kinds``)."""
        return "images" if self.dataset.is_image else "points"

    @property
    def value_limit(self) -> float:
        """Half-range of the signed colour map for regression targets."""
        if self.dataset.kind == "classify":
            return 1.0
        return value_limit(self.dataset.targets)

    def new_data(self, settings: DataSettings) -> None:
        """Generate points from ``settings`` (a preset, other noise, regenerate)."""
        self.replace_dataset(settings.make(), settings=settings)

    def replace_dataset(
        self, dataset: Dataset, *, undoable: bool = True, settings: DataSettings | None = None
    ) -> None:
        """New points: made from ``settings``, or (None) from a file, which no settings made."""
        if undoable:
            self._push_undo()
        if settings is not None:
            self.data_settings = settings
        self.from_settings = settings is not None
        self.dataset = dataset
        if dataset.kind == "classify":
            self.paint_class = min(self.paint_class, MAX_CLASSES - 1)
        self.dataset_changed.emit("new")

    def set_test_ratio(self, ratio: float) -> None:
        self.data_settings = replace(self.data_settings, test_ratio=ratio)
        self._push_undo()
        self.dataset = self.dataset.with_test_ratio(ratio, self.data_settings.seed)
        self.dataset_changed.emit("edit")

    def clear(self) -> None:
        """Remove every point (the kind and the number of classes stay)."""
        self._push_undo()
        old = self.dataset
        ds = empty_dataset(old.kind, old.n_classes)
        ds.bounds = old.bounds  # the canvas keeps its place
        self.dataset = ds
        self.dataset_changed.emit("edit")

    # edits from the canvas: begin_stroke() once, then any number of edits, then end_stroke()

    def begin_stroke(self) -> None:
        if not self._stroke_open:
            self._push_undo()
            self._stroke_open = True

    def end_stroke(self) -> None:
        self._stroke_open = False

    def add_point(self, x: float, y: float) -> None:
        ds = self.dataset
        if ds.kind == "classify":
            label: float = self.paint_class
        elif ds.kind == "curve":
            label = y
        else:
            label = self.paint_value
        before = ds.n_classes
        ds.add_point(float(x), float(y), label, self._rng, self.data_settings.test_ratio)
        self.dataset_changed.emit("new" if ds.n_classes != before else "edit")

    def erase(self, x: float, y: float, radius: float) -> int:
        removed = int(self.dataset.remove_near(float(x), float(y), float(radius)) or 0)
        if removed:
            self.dataset_changed.emit("edit")
        return removed

    def nearest_point(self, x: float, y: float, radius: float) -> int | None:
        return self.dataset.nearest(float(x), float(y), float(radius))

    def move_point(self, index: int, x: float, y: float) -> None:
        self.dataset.move_point(index, float(x), float(y))
        self.dataset_changed.emit("edit")

    # ------------------------------------------------------------ undo

    def _push_undo(self) -> None:
        self._undo.append((self.dataset.working_copy(), self.from_settings))
        del self._undo[:-UNDO_LIMIT]
        # image data is shared, not copied, but a stack of MNIST loads would still hold
        # 188 MB each: undo keeps the newest image data only
        images = [i for i, (ds, _) in enumerate(self._undo) if ds.is_image]
        for i in reversed(images[:-1]):
            del self._undo[i]
        self._redo.clear()
        self.undo_changed.emit()

    def can_undo(self) -> bool:
        return bool(self._undo)

    def can_redo(self) -> bool:
        return bool(self._redo)

    def undo(self) -> None:
        if self._undo:
            self._redo.append((self.dataset, self.from_settings))
            self._swap(*self._undo.pop())

    def redo(self) -> None:
        if self._redo:
            self._undo.append((self.dataset, self.from_settings))
            self._swap(*self._redo.pop())

    def _swap(self, dataset: Dataset, from_settings: bool) -> None:
        old = self.dataset
        self.dataset = dataset
        self.undo_changed.emit()
        same = (
            old.kind == dataset.kind
            and old.n_classes == dataset.n_classes
            and from_settings == self.from_settings
        )
        self.from_settings = from_settings
        self.dataset_changed.emit("edit" if same else "new")

    # ------------------------------------------------------------ painting tools

    def set_tool(self, tool: str) -> None:
        if tool not in TOOLS:
            raise ValueError(f"unknown tool {tool!r}")
        self.tool = tool
        self.tool_changed.emit()

    def set_paint_class(self, label: int) -> None:
        self.paint_class = max(0, min(int(label), MAX_CLASSES - 1))
        if self.tool != "paint":
            self.tool = "paint"
        self.tool_changed.emit()

    def set_paint_value(self, value: float) -> None:
        self.paint_value = float(value)
        self.tool_changed.emit()

    # ------------------------------------------------------------ snapshots and display

    def rewind(self, step: int) -> None:
        """The run goes back to ``step`` (resume from the timeline): curves keep what led there."""
        self.history.rewind(step)
        self.stats_history.rewind(step)
        self.stats_version += 1

    def receive(self, snap: Snapshot) -> None:
        """Keep the newest snapshot and record its metrics (cheap: called for every snapshot)."""
        self.latest = snap
        self.snapshot_count += 1
        classify = snap.spec.output != "identity"
        self.history.append(
            snap.step,
            snap.epoch,
            snap.train_loss,
            snap.test_loss,
            snap.train_accuracy if classify else snap.train_r2,
            snap.test_accuracy if classify else snap.test_r2,
        )
        # every snapshot, not only those a view draws, so the history has no gaps
        # while the view is closed; a row reuses the snapshot's percentiles (~25 µs)
        self.stats_history.add(snap)
        self.stats_version += 1

    def stats(self) -> StatsHistory:
        """Per-layer statistics of every snapshot received since the network was built."""
        return self.stats_history

    def set_options(self, **changes: object) -> None:
        new = replace(self.options, **changes)  # type: ignore[arg-type]
        if new != self.options:
            self.options = new
            self.options_changed.emit()

    def toggle_feature(self, name: str) -> None:
        """Ask for input feature ``name`` to be fed in, or taken out (the network panel does)."""
        self.feature_toggle_requested.emit(name)

    def load_into_pad(self, pixels: np.ndarray) -> None:
        """Put an image (its pixels in [0, 1], flat or (height, width)) on the drawing pad."""
        shape = self.dataset.image_shape
        if not shape:
            return  # point data has no pad
        self.pad_image_requested.emit(np.array(pixels, np.float32).reshape(shape))

    def show_neuron(self, picture: NeuronPicture | None) -> None:
        """Show a neuron's output on the canvas (None: the network's output again)."""
        if picture is None and self.neuron is None:
            return
        self.neuron = picture
        self.neuron_shown.emit(picture)

    def set_theme(self, theme: Theme, scale: Scale) -> None:
        self.theme, self.scale = theme, scale
        self.theme_changed.emit()
