"""Epoch planning's compiled part: how a call's rows split into epochs, and their shuffles.

:func:`epoch_segments` is :func:`dlviz.core.epochs.plan_call`'s arithmetic:
which part of which epoch each segment of a call trains.  :func:`shuffle_epochs`
draws the shuffles of every epoch a call spans in one call, with exactly the
numbers NumPy's ``Generator.shuffle`` draws from the default bit generator,
PCG64, so a run is the same whichever draws them.  NumPy took ~34 µs per
shuffle of 4096 rows plus Python's per-epoch work, while the tiny 2-8-8-1 net
trains such an epoch in ~0.6 ms: 7 % of a call; this takes ~12 µs.  (Numba's
own ``shuffle`` draws the same numbers but six times slower than NumPy.)

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

from typing import Any

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

from dlviz.core.jit import jit, jit_exact, jit_inline

#: PCG64's 128-bit LCG multiplier.
MULTIPLIER = 0x2360ED051FC65DA44385DF649FCCF645
#: The six uint64 words of a PCG64 state: LCG state (high, low), increment (high, low),
#: whether a 32-bit half is kept (0 or 1), and that half.
STATE_WORDS = ("state_hi", "state_lo", "inc_hi", "inc_lo", "has_uint32", "uinteger")
#: The words that change as numbers are drawn (the increment stays): what
#: :func:`shuffle_epochs` records before each epoch's shuffle, in STATE_WORDS order.
MOVING_WORDS = (0, 1, 4, 5)

U0, U1, U2 = np.uint64(0), np.uint64(1), np.uint64(2)
S32, S58, S63, S64 = np.uint64(32), np.uint64(58), np.uint64(63), np.uint64(64)


@intrinsic
def _step_compiled(typingctx, hi, lo, inc_hi, inc_lo):
    """The LCG's next state, (hi, lo) * MULTIPLIER + (inc_hi, inc_lo) mod 2**128, in LLVM's
    128-bit integers: three multiplications (emulating the high half of a 64-bit product
    with 32-bit pieces took twice as long, and drawing is most of a shuffle's time)."""
    if not all(arg == types.uint64 for arg in (hi, lo, inc_hi, inc_lo)):
        return None
    signature = types.UniTuple(types.uint64, 2)(hi, lo, inc_hi, inc_lo)

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        wide, half = ir.IntType(128), ir.IntType(64)
        shift = ir.Constant(wide, 64)

        def join(high: Any, low: Any) -> Any:
            return builder.or_(
                builder.shl(builder.zext(high, wide), shift), builder.zext(low, wide)
            )

        state = builder.mul(join(args[0], args[1]), ir.Constant(wide, MULTIPLIER))
        state = builder.add(state, join(args[2], args[3]))
        high = builder.trunc(builder.lshr(state, shift), half)
        return context.make_tuple(builder, sig.return_type, (high, builder.trunc(state, half)))

    return signature, codegen


def _step_python(hi: Any, lo: Any, inc_hi: Any, inc_lo: Any) -> tuple[np.uint64, np.uint64]:
    """:func:`_step_compiled` for the interpreter (``NUMBA_DISABLE_JIT=1``)."""
    state = ((int(hi) << 64 | int(lo)) * MULTIPLIER + (int(inc_hi) << 64 | int(inc_lo))) % (
        1 << 128
    )
    return np.uint64(state >> 64), np.uint64(state & ((1 << 64) - 1))


_step: Any = _step_python if numba.config.DISABLE_JIT else _step_compiled  # type: ignore[attr-defined]


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
    m |= m >> U2
    m |= m >> np.uint64(4)
    m |= m >> np.uint64(8)
    m |= m >> np.uint64(16)
    m |= m >> S32
    return m


@jit_inline
def _take(partner, draw, bound, mask, low):
    """One 32-bit draw for element ``bound`` (masked by ``mask``, ``low`` = ``mask >> 1``):
    its partner is written, and taken when it is <= ``bound`` (else the next draw for the
    same element overwrites it); returns (bound, mask, low) for the next draw."""
    draw &= mask
    partner[bound] = draw
    bound -= np.uint64(draw <= bound)
    if bound <= low:
        mask = low
        low = mask >> U1
    return bound, mask, low


@jit
def shuffle_epochs(words, rows, laid, first, count, before):
    """``count`` epochs' shuffles of ``rows`` into ``laid``, one after another from ``first``.

    Epoch ``e`` lies in ``laid[first + e*n : first + (e+1)*n]`` (``n = rows.size``,
    at most 2**32), as ``laid[...] = rows`` then ``Generator.shuffle`` of that would
    leave it; ``before[e]`` gets the generator's moving words (MOVING_WORDS) before
    that shuffle, and ``words`` (STATE_WORDS) is left as after the last one.

    Each shuffle is two passes: each element's swap partner, then the swaps.  The
    partners' pass takes both 32-bit halves of each 64-bit draw under one mask
    while the element stays two or more above a power of two: no branch there
    but the loop's (a rejected draw is simply overwritten by the next one for the
    same element), so it runs at the speed of the 128-bit steps, ~2 ns a draw.
    The draws near a power of two go one at a time.  (One pass with a branch per
    rejected draw and per kept half, as the plain algorithm has, ran at NumPy's
    speed, ~8 ns an element.)
    """
    hi, lo, inc_hi, inc_lo = words[0], words[1], words[2], words[3]
    has32, kept = words[4], words[5]
    n = rows.size
    partner = np.empty(n, np.uint64)
    perm = np.empty(n, np.int64)
    for e in range(count):
        before[e, 0], before[e, 1], before[e, 2], before[e, 3] = hi, lo, has32, kept
        bound = np.uint64(max(n - 1, 0))
        mask = _mask(bound)
        low = mask >> U1
        if bound > U0 and has32 != U0:  # the half kept from the last draw comes first
            has32 = U0
            bound, mask, low = _take(partner, kept, bound, mask, low)
        while bound > U0:
            while bound >= low + U2:  # both halves fall under this mask
                hi, lo = _step(hi, lo, inc_hi, inc_lo)
                out = _output(hi, lo)
                kept = out >> S32
                draw = out & mask
                partner[bound] = draw
                bound -= np.uint64(draw <= bound)
                draw = kept & mask
                partner[bound] = draw
                bound -= np.uint64(draw <= bound)
            if bound <= low:  # the last pair passed a power of two
                mask = low
                low = mask >> U1
                continue
            # the last element above a power of two: the halves may need two masks
            hi, lo = _step(hi, lo, inc_hi, inc_lo)
            out = _output(hi, lo)
            kept = out >> S32
            bound, mask, low = _take(partner, out, bound, mask, low)
            if bound == U0:  # the shuffle ends on the low half: the high one is kept
                has32 = U1
                break
            bound, mask, low = _take(partner, kept, bound, mask, low)
        # the swaps on positions (a small array that stays in cache), then the rows
        # gathered into place: one pass over ``laid``, where copying the rows in and
        # swapping them there was two
        for i in range(n):
            perm[i] = i
        for i in range(n - 1, 0, -1):
            j = partner[i]
            swap = perm[i]
            perm[i] = perm[j]
            perm[j] = swap
        base = first + e * n
        for i in range(n):
            laid[base + i] = rows[perm[i]]
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
