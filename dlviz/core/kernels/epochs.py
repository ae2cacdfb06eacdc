"""Epoch planning's compiled part: how a call's rows split into epochs, and their shuffles.

:func:`epoch_segments` is :func:`dlviz.core.epochs.plan_call`'s arithmetic:
which part of which epoch each segment of a call trains.  :func:`shuffle_epochs`
draws the shuffles of every epoch a call spans in one pass, with exactly the
numbers NumPy's ``Generator.shuffle`` draws from the default bit generator,
PCG64, so a run is the same whichever draws them.  NumPy took ~34 µs per
shuffle of 4096 rows plus Python's per-epoch work, while the tiny 2-8-8-1 net
trains such an epoch in ~0.6 ms: 7 % of a call.  (Numba's own ``shuffle``
draws the same numbers but six times slower than NumPy.)

What is reproduced, as NumPy documents its generator:

* PCG64's state is a 128-bit LCG state ``s`` and an odd increment ``inc``;
  each 64-bit draw first steps ``s = s * MULTIPLIER + inc`` (mod 2**128), then
  outputs XSL-RR: the two 64-bit halves of ``s`` xor-ed, rotated right by the
  top six bits of ``s``.
* A 32-bit draw hands out the low half of a 64-bit draw and keeps the high half
  for the next 32-bit draw (the state's ``has_uint32`` and ``uinteger``).
* A bounded draw in ``[0, max]`` masks 32-bit draws (``max`` fits 32 bits here)
  with the smallest all-ones mask that covers ``max`` until one is ``<= max``.
* ``shuffle`` swaps element ``i`` with a bounded draw in ``[0, i]``, ``i`` from the
  last index down to 1 (Fisher–Yates).

The generator's state travels as six uint64 words (:data:`STATE_WORDS`).
"""

from __future__ import annotations

import numpy as np

from dlviz.core.jit import jit, jit_exact, jit_inline

#: PCG64's 128-bit LCG multiplier, high and low 64-bit halves.
MULTIPLIER_HI = np.uint64(0x2360ED051FC65DA4)
MULTIPLIER_LO = np.uint64(0x4385DF649FCCF645)
#: The six uint64 words of a PCG64 state: LCG state (high, low), increment (high, low),
#: whether a 32-bit half is kept (0 or 1), and that half.
STATE_WORDS = ("state_hi", "state_lo", "inc_hi", "inc_lo", "has_uint32", "uinteger")
#: The words that change as numbers are drawn (the increment stays): what
#: :func:`shuffle_epochs` records before each epoch's shuffle, in STATE_WORDS order.
MOVING_WORDS = (0, 1, 4, 5)

LOW32 = np.uint64(0xFFFFFFFF)
U0, U1 = np.uint64(0), np.uint64(1)
S32, S58, S63, S64 = np.uint64(32), np.uint64(58), np.uint64(63), np.uint64(64)


@jit_inline
def _mul_high(a, b):
    """The high 64 bits of the 128-bit product of two uint64."""
    a_lo, a_hi = a & LOW32, a >> S32
    b_lo, b_hi = b & LOW32, b >> S32
    lo_lo = a_lo * b_lo
    hi_lo = a_hi * b_lo
    lo_hi = a_lo * b_hi
    middle = (lo_lo >> S32) + (hi_lo & LOW32) + (lo_hi & LOW32)
    return a_hi * b_hi + (hi_lo >> S32) + (lo_hi >> S32) + (middle >> S32)


@jit_inline
def _step(hi, lo, inc_hi, inc_lo):
    """The LCG's next state: (hi, lo) * MULTIPLIER + (inc_hi, inc_lo), mod 2**128."""
    p_lo = lo * MULTIPLIER_LO  # uint64 products wrap: the low half
    p_hi = _mul_high(lo, MULTIPLIER_LO) + hi * MULTIPLIER_LO + lo * MULTIPLIER_HI
    new_lo = p_lo + inc_lo
    carry = U1 if new_lo < p_lo else U0
    return p_hi + inc_hi + carry, new_lo


@jit_inline
def _output(hi, lo):
    """XSL-RR: the state's halves xor-ed, rotated right by its top six bits."""
    x = hi ^ lo
    rot = hi >> S58
    return (x >> rot) | (x << ((S64 - rot) & S63))


@jit_inline
def _mask(bound):
    """The smallest all-ones number >= ``bound``."""
    m = bound
    m |= m >> U1
    m |= m >> np.uint64(2)
    m |= m >> np.uint64(4)
    m |= m >> np.uint64(8)
    m |= m >> np.uint64(16)
    m |= m >> S32
    return m


#: 64-bit draws made at a time into the buffer the shuffles read their 32-bit draws from.
CHUNK = 64


@jit
def _fill(buf, hi, lo, inc_hi, inc_lo):
    """CHUNK draws from (hi, lo) into ``buf`` as 32-bit halves, low half first; the state after."""
    for k in range(CHUNK):
        hi, lo = _step(hi, lo, inc_hi, inc_lo)
        out = _output(hi, lo)
        buf[2 * k] = out & LOW32
        buf[2 * k + 1] = out >> S32
    return hi, lo


@jit_inline
def _state_at(hi, lo, inc_hi, inc_lo, lead, kept, buf, used):
    """The generator (hi, lo, has_uint32, uinteger) once ``used`` draws of a buffer are taken:
    the buffer began at LCG state (hi, lo) with ``kept`` as its uinteger, and holds ``lead``
    (0 or 1) kept half first.  NumPy leaves a taken half in uinteger: so does this."""
    fresh = used - lead
    if fresh < 0:
        return hi, lo, U1, kept
    for _ in range((fresh + 1) // 2):
        hi, lo = _step(hi, lo, inc_hi, inc_lo)
    if fresh % 2 == 1:
        return hi, lo, U1, buf[lead + fresh]
    if fresh > 0:
        kept = buf[lead + fresh - 1]
    return hi, lo, U0, kept


@jit
def shuffle_epochs(words, rows, laid, first, count, before):
    """``count`` epochs' shuffles of ``rows`` into ``laid``, one after another from ``first``.

    Epoch ``e`` lies in ``laid[first + e*n : first + (e+1)*n]`` (``n = rows.size``,
    at most 2**32), as ``laid[...] = rows`` then ``Generator.shuffle`` of that would
    leave it; ``before[e]`` gets the generator's moving words (MOVING_WORDS) before
    that shuffle, and ``words`` (STATE_WORDS) is left as after the last one.

    Each shuffle is two passes: the swap partners first, then the swaps.  The
    partners' pass has one short chain per draw (is it <= i?) and no branch to
    mispredict: its mask is fixed between powers of two, and a rejected draw is
    written where the next draw for the same i overwrites it.  The 32-bit draws
    are made CHUNK at a time into a buffer; the state at a given draw is stepped
    again from the buffer's start.  (One pass with a branch per draw ran at
    NumPy's speed, ~8 ns an element; this, ~3.)
    """
    inc_hi, inc_lo = words[2], words[3]
    buf = np.empty(2 * CHUNK + 1, np.uint64)
    # the buffer: its LCG state and uinteger at the start, its kept half first (lead),
    # draws taken (used) of those it holds (avail)
    start_hi, start_lo, start_kept = words[0], words[1], words[5]
    lead = 1 if words[4] != U0 else 0
    buf[0] = start_kept
    run_hi, run_lo = start_hi, start_lo  # the state after the buffer's last draw
    if lead:
        used, avail = 0, 1
    else:
        run_hi, run_lo = _fill(buf, run_hi, run_lo, inc_hi, inc_lo)
        used, avail = 0, 2 * CHUNK
    n = rows.size
    partner = np.empty(n, np.uint64)
    for e in range(count):
        hi, lo, has32, kept = _state_at(
            start_hi, start_lo, inc_hi, inc_lo, lead, start_kept, buf, used
        )
        before[e, 0], before[e, 1], before[e, 2], before[e, 3] = hi, lo, has32, kept
        bound = np.uint64(max(n - 1, 0))
        while bound > U0:
            mask = _mask(bound)
            low = mask >> U1
            while bound > low:
                if used == avail:
                    start_hi, start_lo, start_kept, lead = run_hi, run_lo, buf[avail - 1], 0
                    run_hi, run_lo = _fill(buf, run_hi, run_lo, inc_hi, inc_lo)
                    used, avail = 0, 2 * CHUNK
                draw = buf[used] & mask
                used += 1
                partner[bound] = draw
                bound -= np.uint64(draw <= bound)
        base = first + e * n
        for i in range(n):
            laid[base + i] = rows[i]
        for i in range(n - 1, 0, -1):
            j = base + np.int64(partner[i])
            swap = laid[base + i]
            laid[base + i] = laid[j]
            laid[j] = swap
    hi, lo, has32, kept = _state_at(start_hi, start_lo, inc_hi, inc_lo, lead, start_kept, buf, used)
    words[0], words[1], words[4], words[5] = hi, lo, has32, kept


@jit_exact
def epoch_segments(n, left, batch, rows_left, batches_left, one_epoch, max_rows):
    """(rows, batches) of each segment of one call: int64 arrays, in training order.

    The first segment trains ``left`` rows (what is left of the epoch under way,
    or ``n`` for a new one), each later one a new epoch of ``n`` rows.  Batches
    stop at each epoch's end; the call ends when ``rows_left`` rows (rounded up
    to whole batches) or ``batches_left`` batches (``inf``: no bound) are
    planned, at the end of the first epoch when ``one_epoch``, or once it holds
    ``max_rows`` rows.  ``n`` and ``batch`` are at least 1.
    """
    bound = float(max_rows)
    if rows_left < bound:
        bound = rows_left
    if batches_left * batch < bound:
        bound = batches_left * batch
    # every segment but the first and the last is a whole epoch of n rows, and the
    # plan goes on only while it holds fewer than ``bound`` rows
    cap = int(max(bound, 0.0)) // n + 3
    seg_rows = np.empty(cap, np.int64)
    seg_batches = np.empty(cap, np.int64)
    rows_total = 0
    batches_total = 0
    k = 0
    while True:
        todo = (left + batch - 1) // batch
        if rows_left != np.inf:
            wanted = int(rows_left - rows_total)
            todo = min(todo, max(1, -(-wanted // batch)))
        if batches_left != np.inf:
            todo = min(todo, int(batches_left) - batches_total)
        rows = min(left, todo * batch)
        if k == cap:  # cannot happen (see cap): never write past the arrays
            raise AssertionError("epoch_segments: more segments than its bound")
        seg_rows[k] = rows
        seg_batches[k] = todo
        k += 1
        rows_total += rows
        batches_total += todo
        if rows < left or one_epoch:
            break  # the budget ends inside this epoch, or the epoch's end is wanted
        if rows_total >= rows_left or batches_total >= batches_left:
            break
        if rows_total >= max_rows:
            break
        left = n
    return seg_rows[:k], seg_batches[:k]


def warm_up() -> None:
    """Compile (or load from the cache) this file's kernels with the types planning uses."""
    words = np.zeros(len(STATE_WORDS), np.uint64)
    words[3] = 1
    rows = np.arange(3, dtype=np.int64)
    shuffle_epochs(words, rows, np.empty(3, np.int64), 0, 1, np.empty((1, 4), np.uint64))
    epoch_segments(3, 3, 2, np.inf, np.inf, False, 8)
