"""Training curves as numbers: bounded histories, TensorBoard's smoothing, stable axis ranges.

Qt-free so the loss view's arithmetic is tested headless
(``tests/core/test_curves.py``); the views hand the arrays to pyqtgraph.
"""

from __future__ import annotations

import numpy as np


def ema(values: np.ndarray, weight: float) -> np.ndarray:
    """TensorBoard's debiased exponential moving average; NaNs stay NaN and are skipped.

    ``weight`` 0 returns the values, 0.99 smooths strongly.  The first
    smoothed value equals the first value (the debiasing).
    """
    v = np.asarray(values, dtype=np.float64)
    if not 0.0 <= weight < 1.0:
        raise ValueError("smoothing weight must be at least 0 and below 1")
    out = np.full(v.shape, np.nan)
    finite = np.flatnonzero(np.isfinite(v))
    if finite.size == 0:
        return out
    if weight == 0.0:
        out[finite] = v[finite]
        return out
    x = v[finite]
    n = np.arange(1, x.size + 1, dtype=np.float64)
    # s_n = (1-w) Σ_{i<=n} w^(n-i) x_i, computed blockwise to keep w^-i finite
    block = max(1, int(50 / -np.log(weight)))
    block = min(block, x.size)
    smoothed = np.empty_like(x)
    carry = 0.0
    for start in range(0, x.size, block):
        seg = x[start : start + block]
        i = np.arange(seg.size, dtype=np.float64)
        scale = weight ** (-i)
        acc = np.cumsum(seg * scale) * (weight**i)
        smoothed[start : start + seg.size] = (1 - weight) * acc + carry * weight ** (i + 1)
        carry = smoothed[start + seg.size - 1]
    out[finite] = smoothed / (1.0 - weight**n)
    return out


def sticky_range(
    current: tuple[float, float] | None,
    lo: float,
    hi: float,
    *,
    grow_low: float = 0.0,
    grow_high: float = 0.25,
    min_fill: float = 0.4,
) -> tuple[float, float]:
    """An axis range holding [lo, hi] that changes only now and then.

    Keeps ``current`` while it holds the data and the data fills at least
    ``min_fill`` of it; otherwise returns a new range with headroom
    (``grow_low``/``grow_high`` times the data's span) on the side the data
    grows towards.  Redrawing axes costs frames, so a live plot should not
    change its range on every new point.
    """
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return current if current is not None else (0.0, 1.0)
    if hi < lo:
        lo, hi = hi, lo
    span = hi - lo if hi > lo else max(abs(hi), 1.0) * 1e-3
    if current is not None:
        c_lo, c_hi = current
        if c_lo <= lo and hi <= c_hi and (hi - lo) >= min_fill * (c_hi - c_lo):
            return current
    return lo - grow_low * span, hi + grow_high * span


def sticky_reach(
    needed: float,
    current: float | None,
    *,
    least: float,
    most: float = float("inf"),
    keep: float = 0.5,
    grow: float = 1.3,
) -> float:
    """The half-width of a symmetric axis (−r to r) that must hold ``needed``, changing
    only now and then.

    Keeps ``current`` while ``needed`` fits in it and needs at least ``keep``
    of it; otherwise a new reach with ``grow`` times the room, within
    [``least``, ``most``].  A new reach redraws the axes (and whatever is
    computed over it), so a live plot should not change it every frame.
    """
    want = min(max(least, needed), most) if np.isfinite(needed) else least
    if current is not None and keep * current <= want <= current:
        return current
    return min(grow * want, most) if want > least else least


class CurveHistory:
    """Training curves kept at a bounded size so drawing them costs the same at any length.

    Rows are appended per snapshot; when ``capacity`` rows are held every
    other row is dropped and later rows are kept only every ``stride`` steps,
    so the history always spans the whole run with at most ``capacity`` rows.
    """

    COLUMNS = ("step", "epoch", "train_loss", "test_loss", "train_metric", "test_metric")

    def __init__(self, capacity: int = 4096) -> None:
        if capacity < 4:
            raise ValueError("capacity must be at least 4")
        self.capacity = capacity
        self.version = 0  # grows whenever the rows change (never goes back, even on clear)
        self.clear()

    def clear(self) -> None:
        self._data = np.full((self.capacity, len(self.COLUMNS)), np.nan)
        self.size = 0
        self.stride = 1
        self._last_step = -1
        self.version += 1

    def append(
        self,
        step: int,
        epoch: int,
        train_loss: float | None,
        test_loss: float | None,
        train_metric: float | None,
        test_metric: float | None,
    ) -> bool:
        """Add one row; returns False when the row was skipped (same step, or thinned out)."""
        if step <= self._last_step:
            if step < self._last_step:  # a reset: start again
                self.clear()
            else:
                return False
        if self.size and step - self._data[self.size - 1, 0] < self.stride:
            return False
        if self.size == self.capacity:
            keep = self._data[: self.size : 2].copy()
            self._data[:] = np.nan
            self._data[: keep.shape[0]] = keep
            self.size = keep.shape[0]
            self.stride *= 2
        row = (step, epoch, train_loss, test_loss, train_metric, test_metric)
        self._data[self.size] = [np.nan if v is None else float(v) for v in row]
        self.size += 1
        self._last_step = step
        self.version += 1
        return True

    def rewind(self, step: int) -> None:
        """Forget the rows after ``step``: the run went back there (resume from the timeline).

        The next row of a later step continues the curves instead of starting
        them again, as a row of an older step without a rewind would.
        """
        keep = int(np.searchsorted(self._data[: self.size, 0], step, side="right"))
        self._data[keep : self.size] = np.nan
        self.size = keep
        self._last_step = int(self._data[keep - 1, 0]) if keep else -1
        self.version += 1

    def column(self, name: str) -> np.ndarray:
        """A read-only view of one column's filled rows."""
        view = self._data[: self.size, self.COLUMNS.index(name)]
        view = view.view()
        view.flags.writeable = False
        return view
