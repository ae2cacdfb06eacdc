"""Every weight layer's weight matrix and last-batch gradient as heatmaps, side by side.

One row per weight layer ("Layer 1: 2 -> 8"): the weights on the left, the
gradient of the loss on the last mini-batch on the right.  Rows of a matrix
are the neurons a layer reads from, columns the neurons it feeds.  Both use
the signed map of :mod:`dlviz.core.colors` (orange negative, background zero,
blue positive), symmetric around zero with its own round scale (just above
the largest |value|, and kept while the values stay near it: see HOLD)
printed in the plot's title, so a matrix of tiny gradients still shows its
pattern.
Hovering a cell prints its value.

Each matrix is one ``ImageItem`` fed the float matrix with fixed levels and
a lookup table: a frame is 2 ``setImage`` calls per layer (a 256x256 one
costs well under a millisecond), and none at all while the view is hidden.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from dlviz.core.colors import signed_colors
from dlviz.core.snapshot import Snapshot
from dlviz.ui.i18n import translate
from dlviz.ui.session import Session
from dlviz.ui.theme import plot_font
from dlviz.ui.views.base import View

#: Height of one layer's row (two heatmaps), pixels at the normal font size.
ROW_PX = 250
LUT_SIZE = 256
#: Colour-scale limits (times a power of ten): round, and never more than 1.5x the data.
ROUND_STEPS = (1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)
#: A heatmap keeps its scale while its largest |value| stays at or below it and no more
#: than this factor below it.  A last batch's gradient jumps up and down from one batch
#: to the next, and each new scale changed its title's width, which re-laid out the row:
#: every heatmap repainted twice and its axes were drawn again (with every view open,
#: the matrices cost 7 ms a snapshot in painting instead of 2.5).
HOLD = 2.5


def symmetric_limit(values: np.ndarray, previous: float | None = None) -> float:
    """Half-range of the colour scale: max |value| rounded up to a ROUND_STEPS value, or
    ``previous`` while the values still fit under it and reach 1/HOLD of it.

    A round scale changes only now and then, so colours stay comparable from
    frame to frame and the printed scale is easy to read (1 when all are zero).
    """
    v = np.abs(np.asarray(values, dtype=np.float64))
    v = v[np.isfinite(v)]
    m = float(v.max()) if v.size else 0.0
    if previous is not None and m <= previous <= HOLD * m:
        return previous
    if m <= 0:
        return 1.0
    power = 10.0 ** np.floor(np.log10(m))
    for step in ROUND_STEPS:
        if m <= step * power * (1 + 1e-9):
            return float(step * power)
    return float(10.0 * power)


def neuron_ticks(count: int) -> list[tuple[float, str]]:
    """Tick marks on whole neurons (1-based): every one for a few, a round step for many."""
    step = 1
    for candidate in (1, 2, 4, 8, 16, 32, 64):
        step = candidate
        if count / candidate <= 10:
            break
    marks = [1, *range(step, count + 1, step)] if step > 1 else list(range(1, count + 1))
    return [(float(i), str(i)) for i in sorted(set(marks))]


class MatrixPanel:
    """One heatmap: a plot holding one ImageItem, and its title with the colour scale."""

    def __init__(self, plot: pg.PlotItem, what: str) -> None:
        self.plot = plot
        self.what = what  # "weights" or "gradient"
        self.image = pg.ImageItem(axisOrder="row-major")
        plot.addItem(self.image)
        plot.invertY(True)  # row 1 (the first source neuron) on top, like a printed matrix
        plot.hideButtons()
        plot.setMenuEnabled(False)
        plot.setMouseEnabled(False, False)
        self.limit = 1.0
        self.values: np.ndarray | None = None
        self.title = ""

    def set_matrix(self, values: np.ndarray, lut: np.ndarray) -> None:
        fan_in, fan_out = values.shape
        # the first matrix gets its own scale; later ones keep it while it fits (HOLD)
        self.limit = symmetric_limit(values, None if self.values is None else self.limit)
        self.values = values
        # pixel centres on 1..fan_out and 1..fan_in: the axes count neurons from 1
        self.image.setImage(
            values,
            rect=QRectF(0.5, 0.5, fan_out, fan_in),
            levels=(-self.limit, self.limit),
            lut=lut,
            autoLevels=False,
        )

    def value_at(self, scene_pos) -> tuple[int, int, float] | None:
        """(source neuron, target neuron, value), 1-based, under a scene position."""
        if self.values is None or not self.plot.sceneBoundingRect().contains(scene_pos):
            return None
        p = self.plot.getViewBox().mapSceneToView(scene_pos)
        row, col = int(np.floor(p.y() - 0.5)), int(np.floor(p.x() - 0.5))
        fan_in, fan_out = self.values.shape
        if not (0 <= row < fan_in and 0 <= col < fan_out):
            return None
        return row + 1, col + 1, float(self.values[row, col])


class MatricesView(View):
    """Weights and last-batch gradients of every layer as signed heatmaps, updated live."""

    name = "matrices"
    title = QT_TRANSLATE_NOOP("views", "Weights & gradients")
    short_title = QT_TRANSLATE_NOOP("views", "Weights")
    default_area = "right"

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self._sizes: tuple[int, ...] = ()
        self.rows: list[tuple[MatrixPanel, MatrixPanel]] = []
        self.titles: list[pg.LabelItem] = []
        self.image_updates = 0
        self._lut = np.zeros((LUT_SIZE, 4), np.uint8)

        self.legend = QLabel(self)
        self.legend.setObjectName("matrices-legend")
        self.hover = QLabel(translate("MatricesView", "Hover a cell to read its value"), self)
        self.hover.setObjectName("matrices-hover")
        self.hover.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # long hover texts must not make the dock (and so the window) wider
        self.hover.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        top = QHBoxLayout()
        top.setContentsMargins(6, 2, 6, 2)
        top.addWidget(self.legend)
        top.addSpacing(12)
        top.addWidget(self.hover, 1)

        self.graphics, self.scroll = self.scrolling_plots("matrices-plot")
        self.graphics.scene().sigMouseMoved.connect(self._mouse_moved)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(top)
        layout.addWidget(self.scroll, 1)

        session.theme_changed.connect(self.apply_theme)
        self.apply_theme()

    # ------------------------------------------------------------ appearance

    def apply_theme(self) -> None:
        theme = self.session.theme
        background = theme.rgb("plot_background")
        self._lut = signed_colors(np.linspace(-1.0, 1.0, LUT_SIZE), 1.0, background=background)
        self.graphics.setBackground(theme.plot_background)
        self.legend.setPixmap(self._legend_pixmap())
        self.legend.setToolTip(
            translate("MatricesView", "Colour scale of every heatmap: negative, zero, positive")
        )
        self._build(self._sizes, force=True)
        self.invalidate()
        self.refresh()

    def _legend_pixmap(self) -> QPixmap:
        """A strip from the negative colour through zero to the positive colour, with − 0 +."""
        scale = self.session.scale
        height = round(scale.font_pt * 2.2)
        width = height * 8
        strip = np.ascontiguousarray(
            np.repeat(
                signed_colors(
                    np.linspace(-1, 1, width), 1.0, background=self.session.theme.rgb("base")
                )[None],
                height,
                axis=0,
            )
        )
        image = QImage(strip.data, width, height, 4 * width, QImage.Format.Format_RGBA8888).copy()
        painter = QPainter(image)
        font = QFont(plot_font(scale, bold=True))
        font.setPixelSize(round(height * 0.7))
        painter.setFont(font)
        painter.setPen(QColor(self.session.theme.text))
        for text, align, x in (
            ("−", Qt.AlignmentFlag.AlignLeft, 6),
            ("0", Qt.AlignmentFlag.AlignHCenter, 0),
            ("+", Qt.AlignmentFlag.AlignRight, -6),
        ):
            rect = QRectF(x, 0, width, height)
            painter.drawText(rect, align | Qt.AlignmentFlag.AlignVCenter, text)
        painter.end()
        return QPixmap.fromImage(image)

    def _build(self, sizes: tuple[int, ...], force: bool = False) -> None:
        """One row of two heatmaps per weight layer (rebuilt only when the network changes)."""
        if sizes == self._sizes and not force:
            return
        self._sizes = sizes
        theme, scale = self.session.theme, self.session.scale
        self.graphics.clear()
        self.rows.clear()
        self.titles.clear()
        size = f"{scale.font_pt}pt"
        row = 0
        with self.owning_new_menus():
            for layer in range(len(sizes) - 1):
                title = self.graphics.addLabel(
                    self.layer_title(layer, sizes),
                    row=row,
                    col=0,
                    colspan=2,
                    color=theme.plot_foreground,
                    size=f"{scale.font_pt + 2}pt",
                    bold=True,
                )
                self.titles.append(title)
                panels = []
                for col, what in enumerate(("weights", "gradient")):
                    plot = self.graphics.addPlot(row=row + 1, col=col)
                    self.prepare_axes(plot)
                    self.style_axes(plot)
                    plot.setLabel(
                        "left",
                        translate("MatricesView", "from neuron ({layer})").format(
                            layer=self._layer_name(layer)
                        ),
                        size=size,
                    )
                    plot.setLabel(
                        "bottom",
                        translate("MatricesView", "to neuron ({layer})").format(
                            layer=self._layer_name(layer + 1)
                        ),
                        size=size,
                    )
                    plot.getAxis("left").setTicks([neuron_ticks(sizes[layer])])
                    plot.getAxis("bottom").setTicks([neuron_ticks(sizes[layer + 1])])
                    viewbox = plot.getViewBox()
                    viewbox.disableAutoRange()
                    viewbox.setRange(
                        xRange=(0.5, sizes[layer + 1] + 0.5),
                        yRange=(0.5, sizes[layer] + 0.5),
                        padding=0,
                    )
                    panels.append(MatrixPanel(plot, what))
                self.rows.append((panels[0], panels[1]))
                row += 2
        n = len(self.rows)
        self.graphics.setMinimumHeight(max(n, 1) * round(ROW_PX * scale.font_pt / 11))

    def _layer_name(self, index: int) -> str:
        if index == 0:
            return translate("MatricesView", "inputs")
        if index == len(self._sizes) - 1:
            return translate("MatricesView", "outputs")
        return translate("MatricesView", "hidden {n}").format(n=index)

    @staticmethod
    def layer_title(layer: int, sizes: tuple[int, ...]) -> str:
        return translate("MatricesView", "Layer {n}: {inputs} -> {outputs}").format(
            n=layer + 1, inputs=sizes[layer], outputs=sizes[layer + 1]
        )

    # ------------------------------------------------------------ data

    def update_snapshot(self, snap: Snapshot) -> None:
        self._build(snap.spec.sizes)
        size = f"{self.session.scale.font_pt}pt"
        color = self.session.theme.plot_foreground
        for layer, (weights, grads) in enumerate(self.rows):
            weights.set_matrix(snap.weight(layer), self._lut)
            grads.set_matrix(snap.weight_grad(layer), self._lut)
            for panel, label in (
                (weights, translate("MatricesView", "weights")),
                (grads, translate("MatricesView", "gradient, last batch")),
            ):
                text = f"{label}  (±{panel.limit:.3g})"
                if text != panel.title:
                    panel.title = text
                    self.set_plot_title(panel.plot, text, size=size, color=color)
        self.image_updates += 1

    def _mouse_moved(self, scene_pos) -> None:
        for layer, panels in enumerate(self.rows):
            for panel in panels:
                hit = panel.value_at(scene_pos)
                if hit is not None:
                    source, target, value = hit
                    template = (
                        translate(
                            "MatricesView", "Layer {n} weight, neuron {source} -> {target}: {value}"
                        )
                        if panel.what == "weights"
                        else translate(
                            "MatricesView",
                            "Layer {n} gradient, neuron {source} -> {target}: {value}",
                        )
                    )
                    self.hover.setText(
                        template.format(
                            n=layer + 1, source=source, target=target, value=f"{value:.4g}"
                        )
                    )
                    return
