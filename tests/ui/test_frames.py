"""The frame scheduler (dlviz/ui/frames.py): by time and by what changed, stalest first."""

from __future__ import annotations

import pytest

from dlviz.ui import frames
from dlviz.ui.frames import FrameScheduler


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class FakeView:
    """A view that takes ``cost`` seconds of the clock to draw, when it has something new."""

    def __init__(self, name: str, clock: Clock, cost: float) -> None:
        self.name, self.clock, self.cost = name, clock, cost
        self.new = True
        self.draws = 0

    def has_new(self, active: bool | None = None) -> bool:
        return self.new and bool(active)

    def refresh(self, active: bool | None = None) -> bool:
        if not (self.new and active):
            return False
        self.clock.now += self.cost
        self.new = False
        self.draws += 1
        return True


def make(costs: dict[str, float]) -> tuple[Clock, FrameScheduler, dict[str, FakeView]]:
    clock = Clock()
    views = {name: FakeView(name, clock, cost) for name, cost in costs.items()}
    return clock, FrameScheduler(clock), views


def tick(clock: Clock, scheduler: FrameScheduler, views, active=None, central="boundary"):
    clock.now += frames.FRAME_MS / 1000  # on time
    scheduler.draw(views, views.keys() if active is None else active, central)


def test_a_frame_draws_every_view_with_something_new_while_the_budget_lasts():
    clock, scheduler, views = make({"boundary": 0.002, "loss": 0.003, "network": 0.003})
    scheduler.draw_cost.update(loss=0.003, network=0.003)  # 6 ms: they fit in 8
    tick(clock, scheduler, views, active=set())  # the first tick (late: none came before)
    tick(clock, scheduler, views)
    assert [v.draws for v in views.values()] == [1, 1, 1]
    tick(clock, scheduler, views)  # nothing new: nothing drawn, no time spent
    assert [v.draws for v in views.values()] == [1, 1, 1]
    views["loss"].new = views["network"].new = True
    tick(clock, scheduler, views, active={"boundary", "loss"})  # the graph is hidden
    assert (views["loss"].draws, views["network"].draws) == (2, 1)


def test_with_a_tight_budget_the_longest_waiting_view_draws_first_and_the_rest_next():
    costs = {"boundary": 0.001, **{f"v{i}": 0.005 for i in range(4)}}
    clock, scheduler, views = make(costs)
    order = []
    for _ in range(6):
        for v in views.values():
            v.new = True  # a snapshot a frame
        before = {n: v.draws for n, v in views.items()}
        tick(clock, scheduler, views)
        order.append([n for n, v in views.items() if v.draws > before[n] and n != "boundary"])
    # 5 ms each against 8 ms: one besides the central view each frame, in turn
    assert all(len(drawn) == 1 for drawn in order)
    assert sorted(sum(order[2:6], [])) == ["v0", "v1", "v2", "v3"]
    assert views["boundary"].draws == 6  # the central view, every frame


def test_a_late_tick_halves_the_budget():
    clock, scheduler, views = make({"boundary": 0.0, "a": 0.003, "b": 0.003})
    scheduler.draw_cost.update(a=0.003, b=0.003)
    tick(clock, scheduler, views, active=set())  # the first tick (late: none came before)
    tick(clock, scheduler, views)
    assert views["a"].draws == views["b"].draws == 1  # 6 ms fit in 8
    views["a"].new = views["b"].new = True
    clock.now += 0.050  # the last frame's painting ran over
    scheduler.draw(views, views.keys(), "boundary")
    assert views["a"].draws + views["b"].draws == 3  # 4 ms: the stalest one alone


def test_a_views_drawing_time_is_learnt_as_it_draws():
    clock, scheduler, views = make({"boundary": 0.0, "a": 0.004})
    tick(clock, scheduler, views)
    assert scheduler.draw_cost["a"] == pytest.approx(0.004)
    views["a"].cost, views["a"].new = 0.002, True
    tick(clock, scheduler, views)
    assert scheduler.draw_cost["a"] == pytest.approx(0.004 + frames.DRAW_COST_SMOOTHING * -0.002)
    assert scheduler.drew_at["a"] == pytest.approx(clock.now - 0.002)
