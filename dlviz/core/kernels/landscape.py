"""The loss landscape's compiled kernel: one row of the grid of training losses.

Each grid point is one forward pass through :func:`dlviz.core.kernels.cpu.forward_rows`
(the engine's own kernel), then the loss as training reports it.
:func:`dlviz.core.landscape.loss_grid_reference` is its NumPy oracle.
"""

from __future__ import annotations

import numpy as np

from dlviz.core.jit import jit
from dlviz.core.kernels import cpu, freshness
from dlviz.core.kernels.cpu import forward_rows
from dlviz.core.network import LOSS_CODE

CE = LOSS_CODE["ce"]
BCE = LOSS_CODE["bce"]


@jit
def loss_row(centre, d1, d2, alphas, beta, net, x, y, out, bufs, chunk, row):
    """One row of the grid (fixed β): a forward pass and the mean loss per α, into ``row``."""
    n, k = y.shape
    loss_code = net.loss
    none = np.empty((0, 0), np.float32)  # no logits, no hidden activations wanted
    p = np.empty(centre.size, np.float32)
    for i in range(alphas.size):
        for q in range(centre.size):
            p[q] = np.float32(centre[q] + alphas[i] * d1[q] + beta * d2[q])
        forward_rows(p, net, x, out, none, none, bufs, chunk)
        total = 0.0
        for r in range(n):
            for c in range(k):
                a = np.float64(out[r, c])
                t = np.float64(y[r, c])
                if loss_code == CE:
                    total -= t * np.log(min(max(a, 1e-12), 1.0))
                elif loss_code == BCE:
                    clipped = min(max(a, 1e-7), 1 - 1e-7)
                    total -= t * np.log(clipped) + (1 - t) * np.log(1 - clipped)
                else:  # mse
                    total += (a - t) * (a - t)
        row[i] = total / n if loss_code == CE else total / (n * k)


# The cached loss_row carries cpu.forward_rows compiled into it, but Numba checks only
# this file's time stamp: an edit of cpu.py (or of a frozen constant) would leave it
# running the old engine.  As in cpu.py, a compiled fingerprint tells a stale cache.
KERNEL_FINGERPRINT = freshness.with_sources(cpu.__file__)


@jit
def _compiled_fingerprint():
    return KERNEL_FINGERPRINT


def _drop_stale_kernels() -> bool:
    """Delete this file's cached kernels if they were compiled from another engine."""
    return freshness.drop_if_stale(_compiled_fingerprint, KERNEL_FINGERPRINT, __file__)


_drop_stale_kernels()
