"""First-layer weights as images: what each hidden neuron looks for in a picture.

Each neuron of the first hidden layer takes one weight from every pixel; laid
out as the input's height × width, those weights are a picture of the pattern
that excites it (blue, positive: ink here raises its input; orange, negative:
ink here lowers it).  All neurons' pictures are tiled in one mosaic
(:func:`dlviz.core.image_views.weight_mosaic`) coloured on the project's
diverging map with one symmetric scale, printed above it, so tiles compare.
A network with no hidden layer shows its output layer instead: one template
per class.

The mosaic is one RGBA ``ImageItem`` updated with ``setImage`` per snapshot
(128 tiles of 28×28 are 348×319 pixels: well under a millisecond), not one
item per neuron.  Hovering a tile names its neuron and its weights' range; a
click keeps that neuron outlined.

The one-pixel gaps between tiles grow with the picture (an 8×8 tile drawn
80 pixels wide makes them 10 pixels), so they take a light neutral colour, a
little off the background in either theme, and the empty places after the last
tile are background: no dark bars or blocks compete with the weights.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, QRectF, Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from dlviz.core.colors import NEGATIVE_HEX, POSITIVE_HEX
from dlviz.core.image_views import MosaicLayout, mosaic_rgba, weight_mosaic
from dlviz.core.snapshot import Snapshot
from dlviz.ui.i18n import translate
from dlviz.ui.session import Session
from dlviz.ui.views.base import View, unindexed
from dlviz.ui.views.image_parts import NOT_IMAGES, set_font_size
from dlviz.ui.views.matrices import symmetric_limit

#: How far the gaps' colour goes from the background towards the plots' ink.
GAP_TINT = 0.18


def gap_colour(background: tuple[int, int, int], ink: tuple[int, int, int]) -> tuple[int, ...]:
    """The colour between tiles: the background tinted a little towards the ink (light grey
    on white, dark grey on the dark theme's near-black)."""
    return tuple(round(b + GAP_TINT * (i - b)) for b, i in zip(background, ink, strict=True))


def blank_unused(rgba: np.ndarray, tiles: MosaicLayout, background: tuple[int, int, int]) -> None:
    """Paint the last row's unused places (and the gaps around them) in ``background``."""
    if tiles.count >= tiles.rows * tiles.columns:
        return
    r, c = tiles.origin(tiles.count)
    rgba[max(r - tiles.gap, 0) :, max(c - tiles.gap, 0) :, :3] = background


class WeightImagesView(View):
    """Every first-layer neuron's incoming weights as a small image, tiled, updated live."""

    name = "weights"
    title = QT_TRANSLATE_NOOP("views", "First-layer weights as images")
    short_title = QT_TRANSLATE_NOOP("views", "Weight images")
    default_area = "right"
    data_kinds = frozenset({"images"})

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        #: The mosaic's weights (NaN between tiles) and where each tile lies; None before
        #: the first image network.
        self.mosaic: np.ndarray | None = None
        self.tiles: MosaicLayout | None = None
        self.limit = 1.0
        self.selected: int | None = None
        self._snap: Snapshot | None = None

        self.heading = QLabel(self)
        self.heading.setObjectName("weights-heading")
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.hover = QLabel(self)
        self.hover.setObjectName("weights-hover")
        self.hover.setWordWrap(True)
        self.hover.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        with self.owning_new_menus():
            self.graphics = unindexed(pg.GraphicsLayoutWidget(self))
        self.graphics.setObjectName("weights-plot")
        self.box = self.graphics.addViewBox()
        self.box.setAspectLocked(True)
        self.box.invertY(True)  # row 0 (the image's top) on top
        self.box.setMouseEnabled(False, False)
        self.box.setMenuEnabled(False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.box.addItem(self.image)
        self.outline = pg.QtWidgets.QGraphicsRectItem()
        self.outline.setZValue(10)
        self.outline.hide()
        self.box.addItem(self.outline)
        self.graphics.scene().sigMouseMoved.connect(self._mouse_moved)
        self.graphics.scene().sigMouseClicked.connect(self._mouse_clicked)

        page = QWidget(self)
        column = QVBoxLayout(page)
        column.setContentsMargins(6, 4, 6, 4)
        column.addWidget(self.heading)
        column.addWidget(self.graphics, 1)
        column.addWidget(self.hover)
        self.page_or_message(page, "weights-message", translate("ImageViews", NOT_IMAGES))

        session.dataset_changed.connect(self._dataset_changed)
        session.theme_changed.connect(self.apply_theme)
        self.apply_theme()
        self._dataset_changed("new")

    # ------------------------------------------------------------ appearance

    def apply_theme(self) -> None:
        theme = self.session.theme
        self.graphics.setBackground(theme.plot_background)
        set_font_size(self.heading, self.session.scale.font_pt * 1.15)
        set_font_size(self.hover, self.session.scale.font_pt * 1.1)
        set_font_size(self.message, self.session.scale.font_pt * 1.4)
        pen = pg.mkPen(theme.text, width=3)
        pen.setCosmetic(True)
        self.outline.setPen(pen)
        self._show_hover(None)
        self.invalidate()
        self.refresh()

    def _dataset_changed(self, reason: str) -> None:
        self.pages.setCurrentIndex(0 if self.session.dataset.is_image else 1)
        self.invalidate()

    # ------------------------------------------------------------ drawing

    def _by_class(self) -> bool:
        """No hidden layer: the first weight layer is the output layer, one tile per class."""
        return self._snap is not None and not self._snap.spec.hidden

    def update_snapshot(self, snap: Snapshot) -> None:
        if not snap.spec.is_image or not self.session.dataset.is_image:
            return
        shape = tuple(int(v) for v in snap.spec.image_shape)
        first = snap.weight(0)
        mosaic, tiles = weight_mosaic(first, shape)
        if tiles != self.tiles:
            self.selected = None
            self.outline.hide()
        self._snap, self.mosaic, self.tiles = snap, mosaic, tiles
        self.limit = symmetric_limit(first)
        theme = self.session.theme
        background = theme.rgb("plot_background")
        gap = gap_colour(background, theme.rgb("plot_foreground"))
        rgba = mosaic_rgba(mosaic, self.limit, background=background, gap=gap)
        blank_unused(rgba, tiles, background)
        self.image.setImage(
            rgba, rect=QRectF(0, 0, tiles.width, tiles.height), autoLevels=False, levels=(0, 255)
        )
        self.box.setRange(QRectF(0, 0, tiles.width, tiles.height), padding=0.01)
        self.heading.setText(self._heading_text(shape, first.shape[1]))
        self._show_hover(self.selected)

    def _heading_text(self, shape: tuple[int, ...], count: int) -> str:
        if self._by_class():
            what = translate(
                "WeightImagesView",
                "No hidden layer: each class's {h}×{w} weights from the pixels, {n} images.",
            )
        else:
            what = translate(
                "WeightImagesView",
                "Each neuron of hidden layer 1: its {h}×{w} weights from the pixels, {n} images.",
            )
        scale = translate(
            "WeightImagesView",
            "Colour scale ±{limit}: <b style='color:{neg}'>orange −{limit}</b> · 0 · "
            "<b style='color:{pos}'>blue +{limit}</b>",
        ).format(limit=f"{self.limit:.3g}", neg=NEGATIVE_HEX, pos=POSITIVE_HEX)
        return what.format(h=shape[0], w=shape[1], n=count) + "<br>" + scale

    # ------------------------------------------------------------ pointer

    def tile_at_scene(self, scene_pos) -> int | None:
        """The neuron (0-based) whose tile is under a scene position, or None."""
        if self.tiles is None or not self.box.sceneBoundingRect().contains(scene_pos):
            return None
        p = self.box.mapSceneToView(scene_pos)
        return self.tiles.tile_at(p.y(), p.x())

    def _mouse_moved(self, scene_pos) -> None:
        tile = self.tile_at_scene(scene_pos)
        self._show_hover(tile if tile is not None else self.selected)

    def _mouse_clicked(self, event) -> None:
        tile = self.tile_at_scene(event.scenePos())
        self.select(tile)

    def select(self, tile: int | None) -> None:
        """Outline neuron ``tile``'s image and name it below (None: no neuron)."""
        self.selected = tile
        if tile is None or self.tiles is None:
            self.outline.hide()
        else:
            r, c = self.tiles.origin(tile)
            self.outline.setRect(QRectF(c, r, self.tiles.tile_w, self.tiles.tile_h))
            self.outline.show()
        self._show_hover(tile)

    def _show_hover(self, tile: int | None) -> None:
        if tile is None or self._snap is None:
            self.hover.setText(
                translate("WeightImagesView", "Hover or click an image to see which neuron it is")
            )
            return
        w = self._snap.weight(0)[:, tile]
        template = (
            translate("WeightImagesView", "Class {n}: weights from {low:.3g} to {high:.3g}")
            if self._by_class()
            else translate(
                "WeightImagesView", "Neuron {n} of layer 1: weights from {low:.3g} to {high:.3g}"
            )
        )
        # neurons count from 1 as in the network graph; classes from 0 as the digits do
        n = tile if self._by_class() else tile + 1
        self.hover.setText(template.format(n=n, low=float(w.min()), high=float(w.max())))
