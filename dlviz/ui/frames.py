"""Which views a frame draws: scheduled by time and by what changed, not by a count.

Every FRAME_MS the window hands :class:`FrameScheduler` its views.  A frame
draws the central view, then the other views that have a new snapshot to
draw, the longest-waiting first, for as long as each one's expected drawing
time (learnt per view) fits in FRAME_BUDGET_S: the rest of the tick is left to
Qt's painting of what was drawn.  The longest-waiting one always draws; views
not reached draw first at the next tick; a view with nothing new costs
nothing.  A tick that came late (the last frame's painting ran over) halves
the budget, so with every view open a new snapshot is spread over a few
frames instead of making long ones, however many views there are.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from typing import Protocol

#: The window's frame timer interval (ms).
FRAME_MS = 16
#: Drawing time a frame may spend on views besides the central one (seconds).
FRAME_BUDGET_S = 0.008
#: Weight of the newest measurement in a view's expected drawing time.
DRAW_COST_SMOOTHING = 0.3


class Drawable(Protocol):
    """What the scheduler needs of a view (see :class:`dlviz.ui.views.base.View`)."""

    name: str

    def has_new(self, active: bool | None = None) -> bool: ...

    def refresh(self, active: bool | None = None) -> bool: ...


class FrameScheduler:
    """Per view, when it last drew and how long it takes; which views each frame draws."""

    def __init__(self, clock: Callable[[], float] = time.perf_counter) -> None:
        self._clock = clock
        #: per view name: when it last drew (the clock's seconds)
        self.drew_at: dict[str, float] = {}
        #: per view name: its expected drawing time (seconds), learnt as it draws
        self.draw_cost: dict[str, float] = {}
        self._last_tick = 0.0

    def draw(
        self, views: Mapping[str, Drawable], active: Iterable[str], central: str | None
    ) -> None:
        """One frame: ``views`` by name, ``active`` the names on screen now (asked of Qt
        once a frame), ``central`` the window's central view (drawn first, if any)."""
        active = set(active)
        start = self._clock()
        late = start - self._last_tick > 1.5 * FRAME_MS / 1000
        self._last_tick = start
        deadline = start + (FRAME_BUDGET_S / 2 if late else FRAME_BUDGET_S)
        if central is not None:
            self._draw(views[central], central in active)
        # the others by time and by what changed: those with something new, stalest first
        others = sorted(
            (v for name, v in views.items() if name in active - {central} and v.has_new(True)),
            key=lambda v: self.drew_at.get(v.name, 0.0),
        )
        for i, view in enumerate(others):
            # the stalest always draws (a view dearer than the budget still gets its turn);
            # one never drawn counts as the whole budget until its time is known
            cost = self.draw_cost.get(view.name, FRAME_BUDGET_S)
            if i > 0 and self._clock() + cost > deadline:
                continue  # a cheaper one may still fit; this one is among the first next frame
            self._draw(view, True)

    def _draw(self, view: Drawable, active: bool) -> None:
        """Refresh ``view`` (``active``: on screen this frame), learning its drawing time
        when it drew."""
        t0 = self._clock()
        if view.refresh(active):
            took = self._clock() - t0
            cost = self.draw_cost.get(view.name, took)
            self.draw_cost[view.name] = cost + DRAW_COST_SMOOTHING * (took - cost)
            self.drew_at[view.name] = t0
