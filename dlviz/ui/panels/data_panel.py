"""The data panel: preset, classes, noise, number of points, train/test split, display toggles."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QT_TRANSLATE_NOOP, QSize, Qt, Signal
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from dlviz.core.data import (
    CLASSIFY_PRESETS,
    CURVE_PRESETS,
    MAX_CLASSES,
    MAX_IMAGE_CLASSES,
    MAX_POINTS,
    MULTICLASS_PRESETS,
    REGRESS_PRESETS,
    preset_kind,
)
from dlviz.core.images import IMAGE_PRESETS
from dlviz.core.lessons import load_examples, pick
from dlviz.ui.i18n import current_language, translate
from dlviz.ui.preset_pictures import preset_icon
from dlviz.ui.session import Session

#: The combo box's data of an entry that loads a textbook example (data, network and
#: training together) rather than points alone.
EXAMPLE_PREFIX = "example:"
#: ... and of an image preset (dlviz.core.images.IMAGE_PRESETS: images and their network).
IMAGE_PREFIX = "images:"
#: The image presets' names as the Data panel shows them (a test holds it to IMAGE_PRESETS).
IMAGE_PRESET_LABELS = {
    "digits": QT_TRANSLATE_NOOP("presets", "Digits (8×8)"),
    "mnist": QT_TRANSLATE_NOOP("presets", "MNIST (28×28)…"),
}

#: The presets' names as the Data panel shows them (dlviz.core.data.PRESETS; a test holds
#: this table to that list).
PRESET_LABELS = {
    "circle": QT_TRANSLATE_NOOP("presets", "Circle"),
    "xor": QT_TRANSLATE_NOOP("presets", "XOR"),
    "gauss": QT_TRANSLATE_NOOP("presets", "Gaussians"),
    "spiral": QT_TRANSLATE_NOOP("presets", "Spiral"),
    "moons": QT_TRANSLATE_NOOP("presets", "Moons"),
    "rings": QT_TRANSLATE_NOOP("presets", "Rings"),
    "checkerboard": QT_TRANSLATE_NOOP("presets", "Checkerboard"),
    "blobs": QT_TRANSLATE_NOOP("presets", "Blobs"),
    "plane": QT_TRANSLATE_NOOP("presets", "Plane"),
    "multigauss": QT_TRANSLATE_NOOP("presets", "Multigauss"),
    "hill": QT_TRANSLATE_NOOP("presets", "Hill"),
    "line": QT_TRANSLATE_NOOP("presets", "Line"),
    "sine": QT_TRANSLATE_NOOP("presets", "Sine"),
    "step": QT_TRANSLATE_NOOP("presets", "Step"),
    "textbook-line": QT_TRANSLATE_NOOP("presets", "Textbook line"),
}


def preset_label(name: str) -> str:
    """A preset's name in the app's language."""
    label = PRESET_LABELS.get(name)
    return translate("presets", label) if label else name.capitalize()


GROUPS = (
    (QT_TRANSLATE_NOOP("DataPanel", "Classification"), CLASSIFY_PRESETS),
    (QT_TRANSLATE_NOOP("DataPanel", "Regression"), REGRESS_PRESETS),
    (QT_TRANSLATE_NOOP("DataPanel", "1-D curve"), CURVE_PRESETS),
)


class DataPanel(QWidget):
    """Edits the session's data settings; every change regenerates the points at once."""

    #: A textbook example was chosen in the preset list (its name); its owner loads it.
    example_chosen = Signal(str)
    #: An image preset was chosen (its name in IMAGE_PRESETS); its owner sets it up.
    image_preset_chosen = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("data-panel")

        self.preset = QComboBox(self)
        self.preset.setObjectName("preset")
        self.preset.setToolTip(
            translate("DataPanel", "A ready-made dataset; paint on the canvas to change it")
        )
        model = QStandardItemModel(self.preset)
        self.preset.setModel(model)
        for title, names in GROUPS:
            self.preset.addItem("— {} —".format(translate("DataPanel", title)))
            header = model.item(self.preset.count() - 1)
            header.setEnabled(False)
            header.setSelectable(False)
            for name in names:
                self.preset.addItem("  " + preset_label(name), name)
        self.preset.addItem("— {} —".format(translate("DataPanel", "Images")))
        header = model.item(self.preset.count() - 1)
        header.setEnabled(False)
        header.setSelectable(False)
        for name in IMAGE_PRESETS:
            label = translate("presets", IMAGE_PRESET_LABELS[name])
            self.preset.addItem("  " + label, IMAGE_PREFIX + name)
        self.preset.addItem("— {} —".format(translate("DataPanel", "Textbook examples")))
        header = model.item(self.preset.count() - 1)
        header.setEnabled(False)
        header.setSelectable(False)
        for name, example in load_examples().items():
            # the examples carry their own titles in each language (lesson files)
            self.preset.addItem(
                f"  {pick(example.title, current_language())}", EXAMPLE_PREFIX + name
            )
        # the examples' long titles show in the open list; they must not widen the panel
        self.preset.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.preset.setMinimumContentsLength(14)
        self._draw_preset_pictures()
        session.theme_changed.connect(self._draw_preset_pictures)

        self.classes = QSpinBox(self)
        self.classes.setObjectName("classes")
        self.classes.setRange(2, MAX_CLASSES)
        self.classes.setToolTip(
            translate(
                "DataPanel",
                "Number of classes (2 to {most}) for spiral, rings, checkerboard and blobs",
            ).format(most=MAX_CLASSES)
        )

        self.noise = QSlider(Qt.Orientation.Horizontal, self)
        self.noise.setObjectName("noise")
        self.noise.setRange(0, 100)
        self.noise.setToolTip(translate("DataPanel", "Noise added to the points, 0 to 100 %"))
        self.noise_label = QLabel(self)
        self.noise_label.setMinimumWidth(44)

        self.points = QSpinBox(self)
        self.points.setObjectName("points")
        self.points.setRange(0, MAX_POINTS)
        self.points.setSingleStep(100)
        self.points.setSpecialValueText(translate("DataPanel", "preset"))
        self.points.setToolTip(
            translate(
                "DataPanel", "How many points to generate (“preset”: the preset's own number)"
            )
        )

        self.test_ratio = QSlider(Qt.Orientation.Horizontal, self)
        self.test_ratio.setObjectName("test-ratio")
        self.test_ratio.setRange(0, 90)
        self.test_ratio.setSingleStep(5)
        self.test_ratio.setPageStep(10)
        self.test_ratio.setToolTip(
            translate("DataPanel", "Share of points held out as test data (0 to 90 %)")
        )
        self.test_label = QLabel(self)
        self.test_label.setMinimumWidth(44)

        self.regenerate = QPushButton(translate("DataPanel", "Regenerate"), self)
        self.regenerate.setObjectName("regenerate")
        self.regenerate.setToolTip(
            translate("DataPanel", "New random points from the same preset (Ctrl+G)")
        )
        self.clear = QPushButton(translate("DataPanel", "Clear"), self)
        self.clear.setObjectName("clear")
        self.clear.setToolTip(
            translate("DataPanel", "Remove every point, then paint your own (Ctrl+K)")
        )

        self.show_test = QCheckBox(translate("DataPanel", "Show test data"), self)
        self.show_test.setObjectName("show-test")
        self.show_test.setToolTip(
            translate("DataPanel", "Draw the held-out test points as rings (T)")
        )
        self.discrete = QCheckBox(translate("DataPanel", "Discretise output"), self)
        self.discrete.setObjectName("discrete")
        self.discrete.setToolTip(
            translate(
                "DataPanel", "Show only the predicted class (or rounded value), no shading (D)"
            )
        )

        self.summary = QLabel(self)
        self.summary.setObjectName("data-summary")
        self.summary.setWordWrap(True)
        self.image_note = QLabel(
            translate(
                "DataPanel",
                "Image data: the classes and the images come from the data; draw on the pad.",
            ),
            self,
        )
        self.image_note.setObjectName("image-note")
        self.image_note.setWordWrap(True)
        self.image_note.hide()

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(translate("DataPanel", "Preset"), self.preset)
        form.addRow(translate("DataPanel", "Classes"), self.classes)
        self._form = form
        noise_row = self.noise_row = QHBoxLayout()
        noise_row.addWidget(self.noise, 1)
        noise_row.addWidget(self.noise_label)
        form.addRow(translate("DataPanel", "Noise"), noise_row)
        form.addRow(translate("DataPanel", "Points"), self.points)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_ratio, 1)
        test_row.addWidget(self.test_label)
        form.addRow(translate("DataPanel", "Test data"), test_row)
        buttons = QHBoxLayout()
        buttons.addWidget(self.regenerate)
        buttons.addWidget(self.clear)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.show_test)
        layout.addWidget(self.discrete)
        layout.addWidget(self.summary)
        layout.addWidget(self.image_note)
        layout.addStretch(1)

        self.sync()
        self.preset.currentIndexChanged.connect(self._settings_edited)
        self.classes.valueChanged.connect(self._settings_edited)
        self.noise.valueChanged.connect(self._noise_moved)
        self.noise.sliderReleased.connect(self._settings_edited)
        self.points.editingFinished.connect(self._settings_edited)
        self.test_ratio.valueChanged.connect(self._test_moved)
        self.test_ratio.sliderReleased.connect(self._test_released)
        self.regenerate.clicked.connect(self.regenerate_points)
        self.clear.clicked.connect(session.clear)
        self.show_test.toggled.connect(lambda on: session.set_options(show_test=on))
        self.discrete.toggled.connect(lambda on: session.set_options(discrete=on))
        session.dataset_changed.connect(self._dataset_changed)
        session.options_changed.connect(self.sync)

    # ------------------------------------------------------------ session -> widgets

    def sync(self) -> None:
        """Show the session's points: their preset and settings, or a file's name and classes.

        Points opened from a file (a CSV, a project written by ``dlviz train``)
        came from no preset, or from another than the one last chosen here:
        the panel shows what they are, never the settings of earlier points.
        """
        s = self.session.data_settings
        ds = self.session.dataset
        from_settings = self.session.from_settings
        for w in (
            self.preset,
            self.classes,
            self.noise,
            self.points,
            self.test_ratio,
            self.show_test,
            self.discrete,
        ):
            w.blockSignals(True)
        made = IMAGE_PREFIX + s.preset if s.preset in IMAGE_PRESETS else s.preset
        index = self.preset.findData(made) if from_settings else -1
        # no preset made these points: the combo shows their name and selects nothing
        self.preset.setPlaceholderText(
            translate("DataPanel", "{name} (from a file)").format(name=ds.name)
        )
        self.preset.setCurrentIndex(index)
        self.classes.setMaximum(MAX_IMAGE_CLASSES if ds.is_image else MAX_CLASSES)
        self.classes.setValue(
            ds.n_classes if ds.is_image else s.classes if from_settings else max(ds.n_classes, 2)
        )
        self.classes.setEnabled(from_settings and s.preset in MULTICLASS_PRESETS)
        self._form.setRowVisible(self.classes, ds.kind == "classify")
        # image data: its classes, size and pixels come with the images; a split is all
        # there is to choose, and only for images dlviz makes (a folder brings its own)
        images = ds.is_image
        for w in (self.noise, self.points, self.clear, self.show_test, self.discrete):
            w.setEnabled(not images)
        # the canvas's settings and options leave the panel (the note says why); the
        # classes stay, read-only, and the split, which digits made here can change
        for row in (self.noise_row, self.points):
            self._form.setRowVisible(row, not images)
        self.show_test.setVisible(not images)
        self.discrete.setVisible(not images)
        self.test_ratio.setEnabled(not images or from_settings)
        self.regenerate.setEnabled(not images or from_settings)
        self.image_note.setVisible(images)
        self.noise.setValue(round(s.noise * 100))
        self.points.setValue(s.n or 0)
        self.test_ratio.setValue(round(s.test_ratio * 100))
        self.show_test.setChecked(self.session.options.show_test)
        self.discrete.setChecked(self.session.options.discrete)
        for w in (
            self.preset,
            self.classes,
            self.noise,
            self.points,
            self.test_ratio,
            self.show_test,
            self.discrete,
        ):
            w.blockSignals(False)
        self.noise_label.setText(f"{self.noise.value()} %")
        self.test_label.setText(f"{self.test_ratio.value()} %")
        self._summarise()

    def _summarise(self) -> None:
        ds = self.session.dataset
        n_test = int(ds.is_test.sum())
        if ds.is_image:
            h, w = ds.image_shape
            self.summary.setText(
                translate(
                    "DataPanel",
                    "{n:,} images of {h}×{w} pixels ({train:,} train, {test:,} test), {k} classes",
                ).format(n=ds.n, h=h, w=w, train=ds.n - n_test, test=n_test, k=ds.n_classes)
            )
            return
        kind = {
            "classify": translate("DataPanel", "{n} classes").format(n=ds.n_classes),
            "regress": translate("DataPanel", "regression"),
            "curve": translate("DataPanel", "1-D curve"),
        }[ds.kind]
        self.summary.setText(
            translate("DataPanel", "{n} points ({train} train, {test} test), {kind}").format(
                n=ds.n, train=ds.n - n_test, test=n_test, kind=kind
            )
        )

    def _dataset_changed(self, reason: str) -> None:
        if reason == "new":
            self.sync()
        else:
            self._summarise()

    # ------------------------------------------------------------ widgets -> session

    def current_settings(self):
        s = self.session.data_settings
        preset = (self.preset.currentData() or s.preset).removeprefix(IMAGE_PREFIX)
        # the spin box shows an image set's own classes (10), which no point preset makes
        points = not self.session.dataset.is_image
        classes = self.classes.value() if preset in MULTICLASS_PRESETS and points else 2
        return replace(
            s,
            preset=preset,
            classes=classes,
            noise=self.noise.value() / 100.0,
            n=self.points.value() or None,
        )

    def _settings_edited(self) -> None:
        if self.noise.isSliderDown():
            return
        chosen = self.preset.currentData()
        if isinstance(chosen, str) and chosen.startswith(EXAMPLE_PREFIX):
            self.sync()  # the list shows the data preset again; the example's owner sets it
            self.example_chosen.emit(chosen.removeprefix(EXAMPLE_PREFIX))
            return
        if isinstance(chosen, str) and chosen.startswith(IMAGE_PREFIX):
            self.sync()  # as an example: the owner sets up data and network together
            self.image_preset_chosen.emit(chosen.removeprefix(IMAGE_PREFIX))
            return
        settings = self.current_settings()
        if settings == self.session.data_settings and self.session.dataset.name == settings.preset:
            return
        self.session.new_data(settings)

    def _noise_moved(self, value: int) -> None:
        self.noise_label.setText(f"{value} %")
        if not self.noise.isSliderDown():  # keyboard or click on the groove
            self._settings_edited()

    def _test_moved(self, value: int) -> None:
        self.test_label.setText(f"{value} %")
        if not self.test_ratio.isSliderDown():
            self._test_released()

    def _test_released(self) -> None:
        ratio = self.test_ratio.value() / 100.0
        if ratio != self.session.data_settings.test_ratio:
            self.session.set_test_ratio(ratio)

    def regenerate_points(self) -> None:
        settings = self.current_settings()
        self.session.new_data(replace(settings, seed=settings.seed + 1))

    def _draw_preset_pictures(self) -> None:
        """Each preset with a small picture of its points (drawn once per theme, cached)."""
        side = round(self.fontMetrics().height() * 2)
        self.preset.setIconSize(QSize(side, side))
        for row in range(self.preset.count()):
            name = self.preset.itemData(row)
            if name and not name.startswith((EXAMPLE_PREFIX, IMAGE_PREFIX)):  # points
                self.preset.setItemIcon(row, preset_icon(name, self.session.theme))

    def select_preset(self, name: str) -> None:
        """Choose a preset as the user would (used by the command line and tests)."""
        index = self.preset.findData(name)
        if index < 0:
            index = self.preset.findData(IMAGE_PREFIX + name)
        if index < 0:
            raise ValueError(f"no preset {name!r}")
        self.preset.setCurrentIndex(index)

    @staticmethod
    def kind_of(name: str) -> str:
        return preset_kind(name)
