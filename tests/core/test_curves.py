"""Curve maths behind the loss and distribution views (Qt-free)."""

from __future__ import annotations

import numpy as np
import pytest

from dlviz.core.curves import CurveHistory, ema, sticky_range, sticky_reach


def naive_ema(values, weight):
    last, count, out = 0.0, 0, []
    for v in values:
        if not np.isfinite(v):
            out.append(np.nan)
            continue
        last = last * weight + (1 - weight) * v
        count += 1
        out.append(last / (1 - weight**count))
    return np.array(out)


@pytest.mark.parametrize("weight", [0.0, 0.3, 0.6, 0.9, 0.99, 0.999])
def test_ema_matches_tensorboard_smoothing(weight):
    values = np.random.default_rng(1).uniform(0, 2, 3000)
    values[[5, 100, 101]] = np.nan
    np.testing.assert_allclose(ema(values, weight), naive_ema(values, weight), rtol=1e-9)


def test_ema_edge_cases():
    assert ema(np.array([]), 0.5).shape == (0,)
    assert np.isnan(ema(np.array([np.nan, np.nan]), 0.5)).all()
    assert ema(np.array([4.0, 2.0]), 0.6)[0] == 4.0
    with pytest.raises(ValueError):
        ema(np.array([1.0]), 1.0)


def test_curve_history_stays_bounded_and_spans_the_run():
    h = CurveHistory(capacity=64)
    for step in range(10_000):
        h.append(step, step // 100, 1.0 / (step + 1), None, 0.5, None)
    steps = h.column("step")
    assert h.size <= 64
    assert steps[0] == 0 and steps[-1] > 9_000
    assert np.all(np.diff(steps) > 0)
    assert np.isnan(h.column("test_loss")).all()
    assert not h.column("step").flags.writeable


def test_curve_history_skips_repeats_and_restarts_after_a_reset():
    h = CurveHistory(capacity=16)
    assert h.append(0, 0, 1.0, 1.0, 0.5, 0.5)
    assert not h.append(0, 0, 1.0, 1.0, 0.5, 0.5)  # same step: nothing new
    h.append(10, 1, 0.5, 0.6, 0.7, 0.6)
    version = h.version
    h.append(3, 0, 0.9, 0.9, 0.5, 0.5)  # a reset: the step went back
    assert h.size == 1 and h.column("step")[0] == 3 and h.version > version
    with pytest.raises(ValueError):
        CurveHistory(capacity=2)


def test_curve_history_rewinds_to_a_step_and_continues_from_it():
    h = CurveHistory(capacity=16)
    for step in range(10):
        h.append(step, 0, float(step), None, None, None)
    h.rewind(4)  # resume from step 4 of the timeline
    assert list(h.column("step")) == [0, 1, 2, 3, 4]
    assert h.append(5, 0, 50.0, None, None, None)  # continues: not taken for a reset
    assert list(h.column("train_loss")) == [0, 1, 2, 3, 4, 50]
    h.rewind(-1)
    assert h.size == 0 and h.append(0, 0, 1.0, None, None, None)


def test_sticky_reach_holds_what_is_needed_and_changes_only_now_and_then():
    """A symmetric axis (the activations' z, the regression error) always holds the data,
    keeps its reach while the data need half of it or more, and then moves with room to grow."""
    r = sticky_reach(5.0, None, least=4.0, most=50.0)
    assert r == pytest.approx(6.5)  # 1.3x what is needed
    for needed in (3.3, 4.6, 5.0, 6.4, 6.5):  # still fits and fills >= half: unchanged
        assert sticky_reach(needed, r, least=4.0, most=50.0) == r
    grown = sticky_reach(6.6, r, least=4.0, most=50.0)
    assert grown >= 6.6 and grown == pytest.approx(1.3 * 6.6)
    shrunk = sticky_reach(4.2, grown, least=4.0, most=50.0)  # needs < half of it: shrink
    assert 4.2 <= shrunk < grown
    assert sticky_reach(1.0, None, least=4.0, most=50.0) == 4.0  # never below the least
    assert sticky_reach(3.0, 4.0, least=4.0, most=50.0) == 4.0
    assert sticky_reach(90.0, 6.5, least=4.0, most=50.0) == 50.0  # never above the most
    assert sticky_reach(float("nan"), 6.5, least=4.0) == 6.5  # nothing finite: as it was
    assert sticky_reach(float("nan"), None, least=4.0) == 4.0
    rng = np.random.default_rng(0)
    reach, changes = None, 0
    for needed in np.abs(rng.normal(10.0, 1.0, 500)):  # noisy data around 10
        new = sticky_reach(float(needed), reach, least=1.0)
        assert new >= needed
        changes += new != reach
        reach = new
    assert changes <= 5  # a handful of new axes, not one per frame


def test_sticky_range_changes_only_when_the_data_leaves_or_shrinks():
    r = sticky_range(None, 0.0, 100.0)
    assert r == (0.0, 125.0)
    assert sticky_range(r, 0.0, 120.0) == r  # still inside: unchanged
    grown = sticky_range(r, 0.0, 130.0)
    assert grown[1] > 130.0
    assert sticky_range(grown, 0.0, 10.0) == (0.0, 12.5)  # data fills too little: shrink
    down = sticky_range(None, -2.0, 0.0, grow_low=0.5, grow_high=0.0)
    assert down == (-3.0, 0.0)
    assert sticky_range(r, float("nan"), 1.0) == r
    assert sticky_range(None, 5.0, 5.0)[1] > 5.0  # a flat line still gets a range
