"""The loss landscape's compiled kernel: one row of the grid of training losses.

Each grid point is one forward pass through :func:`dlviz.core.kernels.cpu.forward_rows`
(the engine's own kernel), then the loss as training computes it (``_output_grad``).
:func:`dlviz.core.landscape.loss_grid_reference` is its NumPy oracle.
"""

from __future__ import annotations

import numpy as np

from dlviz.core.jit import jit
from dlviz.core.kernels import cpu, freshness
from dlviz.core.kernels.cpu import _flush_subnormals, _output_grad, _restore_mode, forward_rows


@jit
def loss_row(centre, d1, d2, alphas, beta, net, x, y, out, bufs, chunk, row):
    """One row of the grid (fixed β): a forward pass and the mean loss per α, into ``row``.

    The loss is the training kernel's own (``cpu._output_grad``, from the logits), so
    a sure and wrong network shows its whole loss, not one capped by a clipped
    probability; the output gradient it also writes is not used.
    """
    n, k = y.shape
    none = np.empty((0, 0), np.float32)  # no hidden activations wanted
    logits = np.empty((n, k), np.float32)
    unused = np.empty((n, k), np.float32)
    out_code = net.codes[net.codes.size - 1]
    p = np.empty(centre.size, np.float32)
    caller_mode = _flush_subnormals(net.flush)  # as training computes (see cpu.py)
    for i in range(alphas.size):
        for q in range(centre.size):
            p[q] = np.float32(centre[q] + alphas[i] * d1[q] + beta * d2[q])
        forward_rows(p, net, x, out, logits, none, bufs, chunk)
        row[i] = _output_grad(net.loss, out_code, logits, out, y, unused)
    _restore_mode(net.flush, caller_mode)


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
