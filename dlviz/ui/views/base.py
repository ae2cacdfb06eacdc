"""What every live view provides (see :mod:`dlviz.ui.views` for the registry)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar, TypeVar

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QPixmapCache
from PySide6.QtWidgets import (
    QApplication,
    QGraphicsItem,
    QGraphicsScene,
    QLabel,
    QMenu,
    QScrollArea,
    QStackedLayout,
    QWidget,
)

from dlviz.core.snapshot import Snapshot
from dlviz.ui.i18n import translate
from dlviz.ui.session import Session
from dlviz.ui.theme import plot_font

#: Room in Qt's pixmap cache for the cached axes (kB): every view open, on a HiDPI
#: screen, holds about 30 axes of a few MB each (an axis with a grid caches its whole plot).
AXIS_CACHE_KB = 256 * 1024


class RateLimit:
    """At most ``hz`` draws a second on average, without losing frames to their timing.

    The next draw is due one period after the last one was *due*, not after it
    happened: frames come every ~16 ms, so a draw is usually a few milliseconds
    late, and timing from the draw itself pushed each next one a whole frame
    further (a 20 Hz limit drew 14-16 times a second with snapshots arriving
    17-20 a second).  After a pause the next draw may come at once and the one
    after it half a period later; the average stays at most ``hz``.  A draw the
    view forces (an option changed) never puts the next one more than a period
    away.
    """

    def __init__(self, hz: float) -> None:
        self.period = 1.0 / hz
        self._due = -math.inf

    def ready(self, now: float) -> bool:
        return now >= self._due

    def drew(self, now: float) -> None:
        self._due = min(max(self._due, now - self.period / 2), now) + self.period

    def release(self) -> None:
        """Let the next draw come at once (the view was just shown or rebuilt)."""
        self._due = -math.inf


class StepMarker:
    """A vertical line at the step on screen while the timeline shows a past one.

    Curves over the whole run (loss, distributions) keep every step; this line
    says which of them the other views are showing.
    """

    def __init__(self) -> None:
        self.lines: list[pg.InfiniteLine] = []
        self.step: int | None = None

    def attach(self, plots: list[pg.PlotItem], color: str) -> None:
        """Put a line on each of ``plots`` (again after the plots were made anew)."""
        pen = pg.mkPen(color, width=2, style=Qt.PenStyle.DashLine)
        self.lines = []
        for plot in plots:
            line = pg.InfiniteLine(angle=90, movable=False, pen=pen)
            line.setZValue(20)
            plot.addItem(line, ignoreBounds=True)
            self.lines.append(line)
        self.place(self.step)

    def follow(self, session: Session, snap: Snapshot) -> None:
        """Show the line at ``snap``'s step when it is older than the run's newest."""
        steps = session.history.column("step")
        past = steps.size > 0 and snap.step < steps[-1]
        self.place(snap.step if past else None)

    def place(self, step: int | None) -> None:
        self.step = step
        for line in self.lines:
            if step is None:
                line.hide()
            else:
                line.setPos(step)
                line.show()


PlotWidgetT = TypeVar("PlotWidgetT", bound=pg.GraphicsView)


def unindexed(widget: PlotWidgetT) -> PlotWidgetT:
    """``widget`` (a pyqtgraph plot widget, as created) with its scene left unindexed.

    Qt's default index of a scene, a BSP tree, stays right only if every item calls
    ``prepareGeometryChange`` before its bounding rect changes.  pyqtgraph's TextItem
    does not (its text child resizes it: the loss curves' readout, every draw), and
    the tree kept an item that was gone: painting crashed in the tree's walk (a
    segmentation fault in ``QGraphicsView::paintEvent`` under the UI tests'
    random walk, one full UI run in two or three).  A scene of a few dozen items
    that change with every snapshot is what Qt's NoIndex is for.
    """
    widget.scene().setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
    return widget


class View(QWidget):
    """A live view of the session.

    Subclasses set ``name`` (the registry key and ``--view`` value), ``title``
    (dock and menu text, English inside ``QT_TRANSLATE_NOOP("views", ...)``:
    :meth:`display_title` translates it) and implement :meth:`update_snapshot`.  The main
    window calls :meth:`refresh` on every frame; it forwards the newest
    snapshot only when the view is visible and has not drawn it yet, so a
    hidden view costs nothing.
    """

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    #: Its tab's text when it shares a dock area with others (short: six views share one).
    short_title: ClassVar[str] = ""
    #: Where the main window docks it (ignored for the central view).
    default_area: ClassVar[str] = "right"
    #: The data it is for: "points" (2-D points and curves), "images" (pixels), or both.
    #: The main window shows a view only for the data it is for; built for other data
    #: (a ``--view`` screenshot) it says what it needs instead of drawing.
    data_kinds: ClassVar[frozenset[str]] = frozenset({"points", "images"})

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName(f"view-{self.name}")
        self._drawn = -1  # session.snapshot_count last drawn
        self.draws = 0  # snapshots drawn (benchmarks: each view's refresh rate)

    @contextmanager
    def owning_new_menus(self) -> Iterator[None]:
        """Give the view the context menus pyqtgraph creates without a parent.

        pyqtgraph's plots and view boxes build their menus as parentless
        ``QMenu`` objects that live until Python collects the plot; parented to
        the view they are deleted with it, so a closed window leaves nothing behind.
        """
        before = {id(w) for w in QApplication.topLevelWidgets()}
        yield
        for widget in QApplication.topLevelWidgets():
            if id(widget) not in before and isinstance(widget, QMenu) and widget.parent() is None:
                widget.setParent(self, widget.windowFlags())

    def scrolling_plots(self, object_name: str) -> tuple[pg.GraphicsLayoutWidget, QScrollArea]:
        """A grid of plots (one row per layer, say) that scrolls vertically when it is tall."""
        with self.owning_new_menus():
            graphics = unindexed(pg.GraphicsLayoutWidget())
        graphics.setObjectName(object_name)
        scroll = QScrollArea(self)
        scroll.setWidget(graphics)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        return graphics, scroll

    def page_or_message(self, page: QWidget, object_name: str, text: str = "") -> None:
        """Lay the view out as ``page`` (``self.pages`` index 0) or, in its place, a centred
        wrapped message (index 1, ``self.message``): what the view says when it has nothing
        to draw (no hidden layer, no image data)."""
        self.message = QLabel(text, self)
        self.message.setObjectName(object_name)
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setContentsMargins(30, 30, 30, 30)
        self.pages = QStackedLayout(self)
        self.pages.addWidget(page)
        self.pages.addWidget(self.message)

    @staticmethod
    def prepare_axes(plot_item) -> None:
        """Plain numbers on the axes (no SI prefix), drawn from a cached pixmap.

        Call it before any label is set: pyqtgraph 0.14 computes a prefix
        scale while *disabling* the prefix if the label is already shown, and
        then keeps it (a loss of 0.7 was drawn as 700).

        pyqtgraph replays each axis's QPicture (tick labels, grid lines) whenever
        anything under it repaints, and its inward ticks overlap the data area,
        so every new boundary image or curve point repainted every axis: about
        2 ms each, most of the GUI thread's time while training.  A cached axis
        is redrawn only when its range or style changes.
        """
        # the cached pixmaps live in Qt's one QPixmapCache (10 MB by default): with every
        # view open, axes whose range moved pushed the others' pictures out, and every
        # repaint drew them again (the loss view's painting cost 3x what it does with room)
        if QPixmapCache.cacheLimit() < AXIS_CACHE_KB:
            QPixmapCache.setCacheLimit(AXIS_CACHE_KB)
        for name in ("left", "bottom", "right", "top"):
            axis = plot_item.getAxis(name)
            axis.enableAutoSIPrefix(False)
            axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def style_axes(self, plot: pg.PlotItem, sides: tuple[str, ...] = ("left", "bottom")) -> None:
        """The theme's axis colour and the scale's tick font on ``plot``'s axes (build, theme)."""
        pen = pg.mkPen(self.session.theme.plot_foreground)
        font = plot_font(self.session.scale)
        for side in sides:
            axis = plot.getAxis(side)
            axis.setPen(pen)
            axis.setTextPen(pen)
            axis.setStyle(tickFont=font)

    @staticmethod
    def set_axis_label(plot: pg.PlotItem, side: str, text: str, **style: str) -> None:
        """``plot.setLabel`` when the text or style differ from what the axis shows.

        Each ``setLabel`` resizes the axis and re-lays out the plot, so every
        axis of the view redraws its ticks (a millisecond or two each): a view
        that sets its labels on every frame must not pay that when they are the same.
        """
        axis = plot.getAxis(side)
        if (
            axis.isVisible()
            and axis.label.isVisible()
            and axis.labelText == text
            and not axis.labelUnits
            and (not style or axis.labelStyle == style)
        ):
            return
        plot.setLabel(side, text, **style)

    @classmethod
    def set_plot_title(cls, plot: pg.PlotItem, text: str, **style: str) -> None:
        """``plot.setTitle``, skipped when the text and style are what it shows already, and
        without laying the plot out again when only the text changed and still fits.

        Setting a title re-lays out its plot (and redraws its axes) even when
        nothing changed; views call this with every snapshot.  A title whose
        number changes with every snapshot (a layer's share of flat ReLUs) laid
        out its whole view each time: with every view open, freezing the titles
        raised every view's redraw rate by about a third.
        """
        label = plot.titleLabel
        same_style = all(label.opts.get(k) == v for k, v in style.items())
        if label.isVisible() and same_style:
            if label.text == text or cls._retitle_in_place(label, text):
                return
        # A title that asked for no width (its text overflowing a narrow plot) crashed
        # the app in Qt's painting, after a view rebuilt its plots in a small dock: the
        # title keeps pyqtgraph's own size hints, so a new text that does not fit still
        # moves the plots.
        plot.setTitle(text, **style)

    @staticmethod
    def _retitle_in_place(label: pg.LabelItem, text: str) -> bool:
        """Give the title ``label`` its new ``text`` (pyqtgraph's own markup and centring)
        without asking for a new layout; False when the text is wider than the title's
        place, for the caller to lay the plot out again.

        The size hints keep the old text's until the title is next resized: pyqtgraph
        then takes the new text's and asks for a layout again.
        """
        label.updateMin = lambda: None  # what asks the layout to run (setText calls it)
        label.updateGeometry = lambda: None
        try:
            label.setText(text)
        finally:
            del label.updateMin, label.updateGeometry
        return label.itemRect().width() <= label.rect().width()

    def scaled_font(self, factor: float, bold: bool = False) -> QFont:
        """The view's font at ``factor`` times the body size of the current scale
        (presentation mode's large type included)."""
        font = QFont(self.font())
        font.setPointSizeF(self.session.scale.font_pt * factor)
        font.setBold(bold)
        return font

    @classmethod
    def display_title(cls, short: bool = False) -> str:
        """The title in the app's language (``title`` is English, marked for lupdate)."""
        title = (cls.short_title or cls.title) if short else cls.title
        return translate("views", title)

    def fits_data(self) -> bool:
        """Whether the session's data is of a kind this view draws (see ``data_kinds``).

        The window hides a view that does not fit, but its signals still arrive:
        a points view returns early on image data instead of drawing pixels as points.
        """
        return self.session.data_kind in self.data_kinds

    def extras(self) -> dict[str, Any]:
        """What this view needs the snapshots to carry while it is shown.

        Keys are :data:`dlviz.ui.worker.EXTRAS` (``Trainer.run`` keywords), e.g.
        ``{"neuron_grid": 24}`` or ``{"hidden": (layer, i, j)}``.  The main
        window merges the requests of the visible views and sends them to the
        worker, so a closed view costs the trainer nothing.
        """
        return {}

    def is_active(self) -> bool:
        """On screen: not a closed dock, not a tab behind another.

        A dock in a tab behind another stays ``isVisible()`` to Qt (offscreen and
        under X alike) with nothing of it on screen, so the visible region decides.
        """
        return self.isVisible() and not self.visibleRegion().isEmpty()

    def has_new(self, active: bool | None = None) -> bool:
        """Whether :meth:`refresh` would draw now: shown, with a snapshot not drawn yet.

        ``active``: :meth:`is_active` as the caller found it this frame (asking Qt for the
        visible region of a dozen views several times a frame cost ~2 % of the GUI thread).
        """
        return (
            self.session.latest is not None
            and self._drawn != self.session.snapshot_count
            and (self.is_active() if active is None else active)
        )

    def refresh(self, active: bool | None = None) -> bool:
        """Draw the session's newest snapshot if it is new and the view is shown; True if drawn.
        ``active`` as for :meth:`has_new`."""
        snap = self.session.latest
        if snap is None or self._drawn == self.session.snapshot_count:
            return False
        if not (self.is_active() if active is None else active):
            return False
        self._drawn = self.session.snapshot_count
        self.update_snapshot(snap)
        self.draws += 1
        return True

    def invalidate(self) -> None:
        """Make the next :meth:`refresh` redraw (options or theme changed)."""
        self._drawn = -1

    def update_snapshot(self, snap: Snapshot) -> None:
        raise NotImplementedError

    def prepare_screenshot(self) -> None:
        """Start what the view computes only when asked (a --view screenshot renders it)."""

    def ready(self) -> bool:
        """False while the view is still computing what it shows (a screenshot waits)."""
        return True

    def shutdown(self) -> None:
        """Stop any background work of the view (its window is closing)."""

    def showEvent(self, event) -> None:  # noqa: N802  (Qt API)
        super().showEvent(event)
        self.refresh()  # catch up with what happened while hidden
