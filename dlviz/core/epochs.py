"""Epoch planning: which training rows the next compiled call trains on, in which batches.

Each epoch trains on a fresh shuffle of the training rows.  To keep a slice to
one compiled call, the shuffles of the epochs a budget spans are drawn in
turn from the one RNG (as they would be one epoch at a time) and laid end to
end; the engine is told where each epoch ends, so no batch reaches across
one.  When the call trains fewer batches than planned (it diverged, the time
ran out), :func:`advance` moves the position on by what was trained and gives
back to the RNG the shuffles of epochs that were never reached, so the next
call draws them again: the run is the same as one call per epoch.

The arithmetic of the plan and, for NumPy's default bit generator (PCG64),
the shuffles themselves are compiled (:mod:`dlviz.core.kernels.epochs`): they
draw exactly the numbers ``Generator.shuffle`` draws, several times faster and
for all of a call's epochs at once.  Any other bit generator shuffles through
NumPy, epoch by epoch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from dlviz.core.kernels.epochs import MOVING_WORDS, epoch_segments, shuffle_epochs

#: Most rows one compiled call trains (bounds the shuffles laid end to end).
MAX_CALL_ROWS = 1 << 18


def batch_rows(optimizer: str, batch_size: int, n_train: int) -> int:
    """Rows in one optimizer step: every training row for full-batch ``gd``, else the
    batch size (no more than there are rows; at least 1)."""
    n = max(n_train, 1)
    return n if optimizer == "gd" else min(batch_size, n)


@dataclass(frozen=True)
class DrawnFrom:
    """The RNG's state before each new epoch's shuffle of a plan, as the generator takes it
    back: NumPy's state dicts, or for PCG64 the words that moved
    (:data:`~dlviz.core.kernels.epochs.MOVING_WORDS`, one row per epoch) and the fixed
    increment, made into a dict only when one is given back."""

    dicts: tuple[dict[str, Any], ...] = ()
    moving: np.ndarray | None = None
    inc: int = 0

    def state(self, epoch: int) -> dict[str, Any]:
        """The state before the shuffle of new epoch ``epoch`` (0: the plan's first)."""
        if self.moving is None:
            return self.dicts[epoch]
        hi, lo, has_uint32, uinteger = (int(w) for w in self.moving[epoch])
        return _pcg64_state(hi, lo, self.inc, has_uint32, uinteger)


NOTHING_DRAWN = DrawnFrom()
NO_ORDER = np.empty(0, np.int64)
_LOW64 = (1 << 64) - 1


def _pcg64_state(hi: int, lo: int, inc: int, has_uint32: int, uinteger: int) -> dict[str, Any]:
    return {
        "bit_generator": "PCG64",
        "state": {"state": (hi << 64) | lo, "inc": inc},
        "has_uint32": has_uint32,
        "uinteger": uinteger,
    }


@dataclass(frozen=True)
class Plan:
    """One compiled call: its segments (each part of one epoch) in training order.

    The first segment may finish the epoch under way (``under_way`` from
    ``start``); every later one is a new epoch, whose whole shuffle lies in
    ``laid`` after the rows of the epoch under way (those are copied in only when
    new epochs follow).  ``drawn_from`` gives back the new epochs' shuffles.
    """

    under_way: np.ndarray  # the shuffle of the epoch under way (empty: the plan starts one)
    start: int  # the first position in ``under_way`` the call trains
    laid: np.ndarray  # the call's rows end to end (see above)
    seg_rows: np.ndarray  # int64 rows each segment trains
    seg_batches: np.ndarray  # int64 batches each segment trains
    batches: int  # in all
    epoch_rows: int  # rows of a new epoch (the training rows)
    carried: int  # rows of the epoch under way laid before the new epochs' shuffles
    drawn_from: DrawnFrom

    @property
    def first_new(self) -> int:
        """The first segment that is a new epoch: 1 when the plan finishes one under way."""
        return 1 if self.under_way.size else 0

    @property
    def new_epochs(self) -> int:
        return self.seg_rows.size - self.first_new

    def order_of(self, segment: int) -> np.ndarray:
        """The whole shuffle of the epoch that ``segment`` trains part of."""
        new = segment - self.first_new
        if new < 0:
            return self.under_way
        first = self.carried + new * self.epoch_rows
        return self.laid[first : first + self.epoch_rows]

    def laid_end_to_end(self) -> tuple[np.ndarray, int, np.ndarray]:
        """(order, first position, epoch ends) as the engines' ``train_batches`` takes them."""
        if self.seg_rows.size == 1:
            order = self.order_of(0)
            start = self.start if self.under_way.size else 0
            return order, start, np.array([start + int(self.seg_rows[0])], np.int64)
        ends = np.cumsum(self.seg_rows)
        return self.laid[: int(ends[-1])], 0, ends


def plan_call(
    rng: np.random.Generator,
    train_idx: np.ndarray,
    order: np.ndarray,
    pos: int,
    batch: int,
    rows_left: float,
    batches_left: float,
    one_epoch: bool,
) -> Plan:
    """The epochs' shuffles the next call trains on, drawn now from ``rng`` in their turn.

    ``order``/``pos`` are the epoch under way and the position in it (a
    finished or empty ``order`` starts a new epoch).  The plan ends when
    ``rows_left`` or ``batches_left`` (``math.inf``: no bound) is used up,
    at the end of the first epoch when ``one_epoch``, or at
    :data:`MAX_CALL_ROWS`.
    """
    n = train_idx.size
    under_way = order if pos < order.size else NO_ORDER
    if n == 0 and not under_way.size:
        raise ValueError("no training rows to plan an epoch of")
    seg_rows, seg_batches = epoch_segments(
        max(n, 1), int(order.size - pos) if under_way.size else n, int(batch),
        float(rows_left), float(batches_left), bool(one_epoch), MAX_CALL_ROWS,
    )  # fmt: skip
    start = int(pos) if under_way.size else 0
    new = seg_rows.size - (1 if under_way.size else 0)
    carried = int(seg_rows[0]) if under_way.size and new else 0
    laid, drawn_from = NO_ORDER, NOTHING_DRAWN
    if new:
        laid = np.empty(carried + new * n, np.int64)
        laid[:carried] = under_way[start : start + carried]
        rows = np.ascontiguousarray(train_idx, np.int64)
        drawn_from = _shuffle_into(rng, rows, laid, carried, new)
    return Plan(under_way, start, laid, seg_rows, seg_batches, int(seg_batches.sum()), n,
                carried, drawn_from)  # fmt: skip


def _shuffle_into(
    rng: np.random.Generator, rows: np.ndarray, laid: np.ndarray, first: int, count: int
) -> DrawnFrom:
    """``count`` shuffles of ``rows`` from ``rng`` in turn, into ``laid`` from ``first`` on,
    as ``rng.shuffle`` would draw them one epoch at a time."""
    n = rows.size
    state = rng.bit_generator.state
    # the compiled draws are PCG64's 32-bit ones (NumPy draws 64-bit ones past 2**32 rows)
    if state.get("bit_generator") == "PCG64" and n - 1 <= 0xFFFFFFFF:
        lcg = state["state"]
        words = np.array(
            [lcg["state"] >> 64, lcg["state"] & _LOW64, lcg["inc"] >> 64, lcg["inc"] & _LOW64,
             state["has_uint32"], state["uinteger"]],
            np.uint64,
        )  # fmt: skip
        moving = np.empty((count, len(MOVING_WORDS)), np.uint64)
        shuffle_epochs(words, rows, laid, first, count, moving)
        hi, lo, has_uint32, uinteger = (int(words[w]) for w in MOVING_WORDS)
        rng.bit_generator.state = _pcg64_state(hi, lo, lcg["inc"], has_uint32, uinteger)
        return DrawnFrom(moving=moving, inc=lcg["inc"])
    dicts: list[dict[str, Any]] = []
    for e in range(count):
        dicts.append(dict(state if e == 0 else rng.bit_generator.state))
        epoch = laid[first + e * n : first + (e + 1) * n]
        epoch[:] = rows
        rng.shuffle(epoch)
    return DrawnFrom(dicts=tuple(dicts))


def advance(
    plan: Plan,
    batches: int,
    batch: int,
    rng: np.random.Generator,
    order: np.ndarray,
    pos: int,
) -> tuple[np.ndarray, int, int, int]:
    """Where training stands after the first ``batches`` of ``plan``, from ``order``/``pos``:
    (order, position, steps taken, epochs finished).

    A shuffle drawn for an epoch that was not reached goes back to ``rng``
    (its state is set to before that draw), so the next plan draws it again.
    """
    steps = epochs = 0
    last = -1  # the last segment trained (in part)
    if batches > 0 and plan.seg_batches.size:
        done = np.cumsum(plan.seg_batches)
        steps = min(int(batches), int(done[-1]))
        last = int(np.searchsorted(done, steps))
        used = steps - (int(done[last - 1]) if last else 0)
        order = plan.order_of(last)
        first = plan.start if last == 0 and plan.under_way.size else 0
        pos = first + min(int(plan.seg_rows[last]), used * batch)
        # every segment before the last ended its epoch (a plan goes on only past an end)
        epochs = last + (1 if pos >= order.size else 0)
    unreached = max(last + 1 - plan.first_new, 0)  # as a new epoch
    if unreached < plan.new_epochs:
        rng.bit_generator.state = plan.drawn_from.state(unreached)
    return order, pos, steps, epochs
