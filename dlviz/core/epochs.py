"""Epoch planning: which training rows the next compiled call trains on, in which batches.

Each epoch trains on a fresh shuffle of the training rows.  To keep a slice to
one compiled call, the shuffles of the epochs a budget spans are drawn in
turn from the one RNG (as they would be one epoch at a time) and laid end to
end; the engine is told where each epoch ends, so no batch reaches across
one.  When the call trains fewer batches than planned (it diverged, the time
ran out), :func:`advance` moves the position on by what was trained and gives
back to the RNG the shuffles of epochs that were never reached, so the next
call draws them again: the run is the same as one call per epoch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

#: Most rows one compiled call trains (bounds the shuffles laid end to end).
MAX_CALL_ROWS = 1 << 18


def batch_rows(optimizer: str, batch_size: int, n_train: int) -> int:
    """Rows in one optimizer step: every training row for full-batch ``gd``, else the
    batch size (no more than there are rows; at least 1)."""
    n = max(n_train, 1)
    return n if optimizer == "gd" else min(batch_size, n)


@dataclass(frozen=True)
class Segment:
    """Part of one epoch's shuffle that a compiled call trains on."""

    order: np.ndarray  # the epoch's shuffle of the training rows
    start: int  # its first row this call trains
    rows: int
    batches: int
    drawn: bool  # shuffled for this call (else it is the epoch under way)
    rng_before: dict[str, Any]  # the RNG before this shuffle was drawn


@dataclass(frozen=True)
class Plan:
    """The segments of one compiled call, in training order, and their rows laid end to end
    (``laid``, as they were drawn: no copy to make when the call starts)."""

    segments: tuple[Segment, ...]
    laid: np.ndarray

    @property
    def batches(self) -> int:
        return sum(seg.batches for seg in self.segments)

    def laid_end_to_end(self) -> tuple[np.ndarray, int, np.ndarray]:
        """(order, first position, epoch ends) as the engines' ``train_batches`` takes them."""
        segs = self.segments
        if len(segs) == 1:
            seg = segs[0]
            return seg.order, seg.start, np.array([seg.start + seg.rows], np.int64)
        ends = np.cumsum([seg.rows for seg in segs]).astype(np.int64)
        return self.laid[: int(ends[-1])], 0, ends


def _room(laid: np.ndarray, used: int, need: int) -> np.ndarray:
    """``laid`` with room for ``need`` rows, its first ``used`` kept (rarely a new array:
    plan_call sizes it for the whole call up front)."""
    if need <= laid.size:
        return laid
    grown = np.empty(max(need, 2 * laid.size), np.int64)
    grown[:used] = laid[:used]
    return grown


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
    plan: list[Segment] = []
    rows_total = batches_total = 0
    # Each epoch's shuffle is drawn in place into one array, where the call's rows lie end
    # to end (the same numbers as rng.permutation: it copies, then shuffles the copy): a
    # tiny network trains an epoch of 4096 points in ~0.6 ms, and concatenating the
    # shuffles afterwards cost a few % of that.  Sized for the rows the budget allows.
    n = train_idx.size
    bound = min(float(MAX_CALL_ROWS), rows_left + batch, batches_left * batch)
    laid = np.empty(int(bound) + 2 * n + batch, np.int64)
    while True:
        drawn = pos >= order.size
        rng_before = dict(rng.bit_generator.state) if drawn else {}
        if drawn:
            laid = _room(laid, rows_total, rows_total + n)
            order, pos = laid[rows_total : rows_total + n], 0
            order[:] = train_idx
            rng.shuffle(order)
        left = order.size - pos
        n_batches = -(-left // batch)
        if rows_left != math.inf:
            n_batches = min(n_batches, max(1, -(-int(rows_left - rows_total) // batch)))
        if batches_left != math.inf:
            n_batches = min(n_batches, int(batches_left) - batches_total)
        rows = min(left, n_batches * batch)
        if not drawn:  # the epoch under way: its rows are copied in
            laid = _room(laid, rows_total, rows_total + rows)
            laid[rows_total : rows_total + rows] = order[pos : pos + rows]
        plan.append(Segment(order, pos, rows, n_batches, drawn, rng_before))
        rows_total += rows
        batches_total += n_batches
        pos += rows
        if pos < order.size or one_epoch:
            break  # the budget ends inside this epoch, or the epoch's end is wanted
        if rows_total >= rows_left or batches_total >= batches_left:
            break
        if rows_total >= MAX_CALL_ROWS:
            break
    return Plan(tuple(plan), laid)


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
    for k, seg in enumerate(plan.segments):
        used = min(batches, seg.batches)
        if used == 0:
            first = next((later for later in plan.segments[k:] if later.drawn), None)
            if first is not None:
                rng.bit_generator.state = first.rng_before
            break
        batches -= used
        order, pos = seg.order, seg.start + min(seg.rows, used * batch)
        steps += used
        if pos >= order.size:
            epochs += 1
    return order, pos, steps, epochs
