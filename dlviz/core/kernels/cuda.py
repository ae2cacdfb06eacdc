"""CUDA engine (numba-cuda): the arithmetic of :mod:`dlviz.core.kernels.reference` on a GPU.

Importing this module imports ``numba.cuda``; nothing else in dlviz does so
until the CUDA engine is asked for (see :mod:`dlviz.core.engines`), so the
CPU-only install never needs numba-cuda.

Layout, as in :mod:`dlviz.core.kernels.cpu`: layer ``l`` of a batch of
``B`` rows occupies ``buf[B*col[l] : B*(col[l]+size[l])]`` of a flat buffer,
row-major; parameters are one flat float32 vector (:class:`ParamLayout`).

One training step is a short sequence of *stages*; inside a stage every
work item is independent, between stages all of them must have finished::

    gather  forward(0) .. forward(L-1)  output  backward(L-1) .. backward(-1)

``output`` computes the loss and dL/dZ of the output layer row by row.
``backward(s)`` computes dL/dA of layer ``s``'s input (from layer ``s``'s
weights, not yet updated) and, alongside, the gradient of layer ``s+1``'s
parameters with the optimizer update fused in (its weights are no longer
read by then).  Each stage is one device function over a strided range of
work items, driven in one of two ways:

* **fused**: one block runs every stage of every batch of a slice in one
  launch, separated by ``syncthreads``; the parameters sit in shared memory
  when they fit.  Small networks are launch-bound, so this is their path.
* **grid**: each stage is its own kernel launch over many blocks, all queued
  on one stream without waiting for the host; for wide layers and big batches.

Which path a network takes is :func:`use_fused` (a provisional rule: no GPU
has measured it yet).  Per :meth:`CudaEngine.train_batches` call the data
stays on the device (copied once per dataset), and the parameters and
optimizer state go up once and come back once, so the trainer's host copy
stays the one truth that snapshots, exports and divergence checks read.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numba import config as numba_config
from numba import cuda, float32, float64, uint64

from dlviz.core import activations
from dlviz.core.activations import LINEAR_CODE, SOFTMAX_CODE, kernel_code
from dlviz.core.kernels import INSTALL_HINT, freshness
from dlviz.core.network import (
    DROPOUT_GOLDEN,
    DROPOUT_HASH_BITS,
    DROPOUT_MIX1,
    DROPOUT_MIX2,
    DROPOUT_SHIFTS,
    LOSS_CODE,
    NetworkSpec,
    ParamLayout,
    dropout_threshold,
)
from dlviz.core.optim import OPTIMIZER_CODE, OptimizerConfig, OptimizerState

# Activation codes as every compiled engine sees them (dlviz.core.activations.kernel_code:
# the output layer's identity is linear's code, its softmax SOFTMAX_CODE).
LINEAR = LINEAR_CODE
LOSS_MSE, LOSS_BCE, LOSS_CE = LOSS_CODE["mse"], LOSS_CODE["bce"], LOSS_CODE["ce"]
OPT_MOMENTUM = OPTIMIZER_CODE["momentum"]
OPT_NESTEROV = OPTIMIZER_CODE["nesterov"]
OPT_ADAGRAD = OPTIMIZER_CODE["adagrad"]
OPT_RMSPROP = OPTIMIZER_CODE["rmsprop"]
OPT_ADAMW = OPTIMIZER_CODE["adamw"]

#: Parameters held in shared memory by the fused kernel: 10240 float32 = 40 KiB, under
#: the 48 KiB a block may declare statically (2-64-64-64-3 has 8 707 parameters).
SHARED_PARAMS = 10240
#: Threads per block.  A guess (a common default), not a measurement: no GPU has run
#: this engine yet; ``benchmarks/engine.py`` is where to measure it.
THREADS = 256
#: Threads per block in numba's simulator, where each is a Python thread.
SIMULATOR_THREADS = 32
#: The fused kernel runs one block, so its throughput is one multiprocessor's.  Up to
#: this many multiply-adds per batch (rows x the widest layer's weights) it is assumed
#: to beat a launch sequence; past it the grid path spreads a batch over the GPU.
#: Provisional, like THREADS: chosen from arithmetic (one SM does ~2e11 multiply-adds
#: per second, one launch from Python costs ~10-20 us), not yet measured.
FUSED_MAX_WORK = 1 << 21
#: Rows a prediction launch sequence covers at a time (bounds the device buffers).
FORWARD_FLOATS = 1 << 24
#: Arrays of rows kept on the device for prediction: a snapshot predicts on three
#: fresh subsets, then on the boundary's and the neurons' grids, which come back.
ROWS_KEPT = 6

#: Kernels: machine code cached on disk (compiling them all takes ~10 s; the cache
#: folder follows the CPU engine's, see dlviz/core/jit.py).  Device functions are
#: compiled into the kernels that call them.  No fastmath: its approximate division,
#: square root and exp would leave the reference's float32 tolerance.
kernel = cuda.jit(cache=True)

F0 = np.float32(0.0)
F1 = np.float32(1.0)
NAN = np.float32(np.nan)
GOLDEN = np.uint64(DROPOUT_GOLDEN)
MIX1, MIX2 = np.uint64(DROPOUT_MIX1), np.uint64(DROPOUT_MIX2)
SHIFT1, SHIFT2, SHIFT3 = (np.uint64(s) for s in DROPOUT_SHIFTS)
#: Dropout compares the top DROPOUT_HASH_BITS of a 64-bit hash with its threshold.
HASH_SHIFT = np.uint64(64 - DROPOUT_HASH_BITS)


# ------------------------------------------------------------------ element maths
# The activations are the table's own float32 scalar forms, compiled as device
# functions; ``_act(code, z)`` and ``_act_grad(code, z, a)`` are chains of tests on
# the code built from the table, as in kernels/cpu.py.  Past the chain's end is a
# code the table does not have: CudaEngine refuses such a network when it is built,
# and should one slip through, NaN (not a silent linear unit) reaches the loss.


@cuda.jit(device=True)
def _unknown_code(code, z):
    return NAN


@cuda.jit(device=True)
def _unknown_code_slope(code, z, a):
    return NAN


def _forward_chain(entries: tuple[tuple[int, Any], ...]) -> Any:
    if not entries:
        return _unknown_code
    (code, f), rest = entries[0], _forward_chain(entries[1:])

    def act(c, z):
        if c == code:
            return f(z)
        return rest(c, z)

    return cuda.jit(device=True)(act)


def _slope_chain(entries: tuple[tuple[int, Any], ...]) -> Any:
    if not entries:
        return _unknown_code_slope
    (code, slope), rest = entries[0], _slope_chain(entries[1:])

    def act_grad(c, z, a):
        if c == code:
            return slope(z, a)
        return rest(c, z, a)

    return cuda.jit(device=True)(act_grad)


#: ``_act(code, z)``: f(z) for a hidden activation's code (softmax is done row by row).
_act = _forward_chain(
    tuple((i, cuda.jit(device=True)(act.scalar)) for i, act in enumerate(activations.HIDDEN))
)
#: ``_act_grad(code, z, a)``: f'(z), ``a`` = f(z) before dropout.
_act_grad = _slope_chain(
    tuple(
        (i, cuda.jit(device=True)(act.scalar_derivative))
        for i, act in enumerate(activations.HIDDEN)
    )
)
#: The activation codes the chains above know, and softmax (computed by the stages).
KNOWN_CODES = frozenset(range(len(activations.HIDDEN))) | {SOFTMAX_CODE}


@cuda.jit(device=True)
def _mix64(z):
    z = (z ^ (z >> SHIFT1)) * MIX1
    z = (z ^ (z >> SHIFT2)) * MIX2
    return z ^ (z >> SHIFT3)


@cuda.jit(device=True)
def _keep_factor(seed, step, layer, index, threshold, scale):
    """Dropout's factor for one unit: the reference's hash of (seed, step, layer, unit)."""
    key = _mix64(seed + GOLDEN * uint64(step + 1))
    key = _mix64(key ^ (uint64(layer + 1) * GOLDEN))
    bits = _mix64(key + uint64(index) * GOLDEN) >> HASH_SHIFT
    return scale if bits >= uint64(threshold) else F0


@cuda.jit(device=True)
def _softmax_row(zbuf, abuf, base, k):
    zmax = zbuf[base]
    for j in range(1, k):
        zmax = max(zmax, zbuf[base + j])
    s = F0
    for j in range(k):
        e = math.exp(zbuf[base + j] - zmax)
        abuf[base + j] = e
        s += e
    for j in range(k):
        abuf[base + j] /= s


@cuda.jit(device=True)
def _update_one(opt, params, i, g, m, v, lr, step_size, inv_c2, hyper, wmask):
    """One optimizer step of parameter ``i`` with gradient ``g`` (optim.update's maths)."""
    if opt == OPT_MOMENTUM:
        m[i] = hyper[0] * m[i] + g
        params[i] -= lr * m[i]
    elif opt == OPT_NESTEROV:
        m[i] = hyper[0] * m[i] + g
        params[i] -= lr * (g + hyper[0] * m[i])
    elif opt == OPT_ADAGRAD:
        v[i] += g * g
        params[i] -= lr * g / (math.sqrt(v[i]) + hyper[3])
    elif opt == OPT_RMSPROP:
        rho = hyper[4]
        v[i] = rho * v[i] + (F1 - rho) * g * g
        params[i] -= lr * g / (math.sqrt(v[i]) + hyper[3])
    elif opt > OPT_RMSPROP:  # adam, adamw
        if opt == OPT_ADAMW:  # decoupled weight decay, weights only
            params[i] -= lr * hyper[5] * wmask[i] * params[i]
        b1, b2 = hyper[1], hyper[2]
        mi = b1 * m[i] + (F1 - b1) * g
        vi = b2 * v[i] + (F1 - b2) * g * g
        m[i] = mi
        v[i] = vi
        params[i] -= step_size * mi / (math.sqrt(vi * inv_c2) + hyper[3])
    else:  # gd, sgd
        params[i] -= lr * g


# ------------------------------------------------------------------ stages
#
# Each stage does items tid, tid + nt, tid + 2 nt, ... of its work; the drivers
# below give it (thread in block, block size) or (thread in grid, grid size).


@cuda.jit(device=True)
def _stage_gather(tid, nt, x, y, order, start, rows, abuf, ybuf):
    """The batch's input rows into layer 0 of ``abuf``, its targets into ``ybuf``."""
    n_in = x.shape[1]
    k = y.shape[1]
    for idx in range(tid, rows * (n_in + k), nt):
        i = idx // (n_in + k)
        j = idx - i * (n_in + k)
        r = order[start + i]
        if j < n_in:
            abuf[i * n_in + j] = x[r, j]
        else:
            ybuf[i * k + j - n_in] = y[r, j - n_in]


@cuda.jit(device=True)
def _stage_rows(tid, nt, x, start, rows, abuf):
    """Rows ``start .. start+rows`` of ``x`` into layer 0 of ``abuf`` (prediction)."""
    n_in = x.shape[1]
    for idx in range(tid, rows * n_in, nt):
        i = idx // n_in
        abuf[idx] = x[start + i, idx - i * n_in]


@cuda.jit(device=True)
def _stage_forward(
    tid, nt, layer, params, layers, codes, cols, rows, abuf, zbuf, mbuf,
    drop_thr, drop_scale, seed, step, train,
):  # fmt: skip
    """Z = A_in W + b and A = f(Z) (softmax: Z only), then dropout when training."""
    fan_in, fan_out, wo, bo = layers[layer, 0], layers[layer, 1], layers[layer, 2], layers[layer, 3]
    in_base = rows * cols[layer]
    out_base = rows * cols[layer + 1]
    code = codes[layer]
    dropout = train and drop_thr[layer] > 0
    for idx in range(tid, rows * fan_out, nt):
        i = idx // fan_out
        j = idx - i * fan_out
        s = params[bo + j]
        for kk in range(fan_in):
            s += abuf[in_base + i * fan_in + kk] * params[wo + kk * fan_out + j]
        zbuf[out_base + idx] = s
        if code != SOFTMAX_CODE:
            a = _act(code, s)
            if dropout:
                f = _keep_factor(seed, step, layer, idx, drop_thr[layer], drop_scale[layer])
                mbuf[out_base + idx] = f
                a *= f
            abuf[out_base + idx] = a


@cuda.jit(device=True)
def _stage_softmax(tid, nt, layers, codes, cols, rows, abuf, zbuf):
    n_layers = layers.shape[0]
    if codes[n_layers - 1] != SOFTMAX_CODE:
        return
    k = layers[n_layers - 1, 1]
    base = rows * cols[n_layers]
    for i in range(tid, rows, nt):
        _softmax_row(zbuf, abuf, base + i * k, k)


@cuda.jit(device=True)
def _stage_output(tid, nt, loss_code, layers, codes, cols, rows, abuf, zbuf, dbuf, ybuf, rowloss):
    """Softmax if the head has it, then each row's loss (into ``rowloss``) and dL/dZ."""
    n_layers = layers.shape[0]
    k = layers[n_layers - 1, 1]
    out_code = codes[n_layers - 1]
    base = rows * cols[n_layers]
    if loss_code == LOSS_CE:
        inv = F1 / float32(rows)
    else:
        inv = F1 / float32(rows * k)
    for i in range(tid, rows, nt):
        row = base + i * k
        total = float64(0.0)
        if out_code == SOFTMAX_CODE:
            _softmax_row(zbuf, abuf, row, k)
        if loss_code == LOSS_CE:
            zmax = zbuf[row]
            for j in range(1, k):
                zmax = max(zmax, zbuf[row + j])
            s = F0
            zy = F0
            for j in range(k):
                s += math.exp(zbuf[row + j] - zmax)
                zy += zbuf[row + j] * ybuf[i * k + j]
                dbuf[row + j] = (abuf[row + j] - ybuf[i * k + j]) * inv
            total += zmax + math.log(s) - zy
        elif loss_code == LOSS_BCE:
            for j in range(k):
                v = zbuf[row + j]
                yv = ybuf[i * k + j]
                total += max(v, F0) - v * yv + math.log1p(math.exp(-abs(v)))
                dbuf[row + j] = (abuf[row + j] - yv) * inv
        else:
            two = float32(2.0) * inv
            for j in range(k):
                d = abuf[row + j] - ybuf[i * k + j]
                total += d * d
                dbuf[row + j] = two * d * _act_grad(out_code, zbuf[row + j], abuf[row + j])
        rowloss[i] = total


@cuda.jit(device=True)
def _stage_backward(
    tid, nt, s, params, grad, m, v, layers, codes, cols, rows, abuf, zbuf, dbuf, mbuf,
    drop_thr, opt, lr, step_size, inv_c2, hyper, wmask, l1, l2,
):  # fmt: skip
    """dL/dZ of layer ``s``'s input (s >= 1), and the update of layer ``s+1`` (s+1 < L).

    Both read dL/dZ of layers already finished; neither touches what the other
    reads, so they share one stage.  ``s`` runs from L-1 down to -1.
    """
    n_layers = layers.shape[0]
    fan_in = fan_out = wo = u_in = u_out = u_wo = u_bo = 0
    n_da = 0
    if s >= 1:
        fan_in, fan_out, wo = layers[s, 0], layers[s, 1], layers[s, 2]
        n_da = rows * fan_in
    n_up = 0
    u = s + 1
    if u < n_layers:
        u_in, u_out, u_wo, u_bo = layers[u, 0], layers[u, 1], layers[u, 2], layers[u, 3]
        n_up = u_in * u_out + u_out
    for idx in range(tid, n_da + n_up, nt):
        if idx < n_da:  # dL/dA_in = dZ W^T, times f' of the layer below (and its dropout)
            i = idx // fan_in
            kk = idx - i * fan_in
            dz_row = rows * cols[s + 1] + i * fan_out
            acc = F0
            for j in range(fan_out):
                acc += dbuf[dz_row + j] * params[wo + kk * fan_out + j]
            at = rows * cols[s] + idx
            code = codes[s - 1]
            if drop_thr[s - 1] > 0:
                f = mbuf[at]
                if f == F0:
                    acc = F0
                else:
                    acc *= f * _act_grad(code, zbuf[at], abuf[at] / f)
            elif code != LINEAR:
                acc *= _act_grad(code, zbuf[at], abuf[at])
            dbuf[at] = acc
        else:  # dL/dW = A_in^T dZ, dL/db = sum of dZ; regularise; update
            w = idx - n_da
            dz_base = rows * cols[u + 1]
            g = F0
            if w < u_in * u_out:
                kk = w // u_out
                j = w - kk * u_out
                a_base = rows * cols[u]
                for i in range(rows):
                    g += abuf[a_base + i * u_in + kk] * dbuf[dz_base + i * u_out + j]
                p = u_wo + w
            else:
                j = w - u_in * u_out
                for i in range(rows):
                    g += dbuf[dz_base + i * u_out + j]
                p = u_bo + j
            if l1 != F0 or l2 != F0:
                pv = params[p]
                sign = F1 if pv > F0 else (-F1 if pv < F0 else F0)
                g += wmask[p] * (l1 * sign + l2 * pv)
            grad[p] = g
            _update_one(opt, params, p, g, m, v, lr, step_size, inv_c2, hyper, wmask)


# ------------------------------------------------------------------ fused driver


@cuda.jit(device=True)
def _train_slice(
    tid, nt, params, grad, m, v, layers, codes, cols, loss_code, x, y, order, batches,
    rates, opt, hyper, wmask, l1, l2, drop_thr, drop_scale, seed, abuf, zbuf, dbuf, mbuf,
    ybuf, rowloss,
):  # fmt: skip
    n_layers = layers.shape[0]
    for bi in range(batches.shape[0]):
        start, rows, step = batches[bi, 0], batches[bi, 1], batches[bi, 2]
        _stage_gather(tid, nt, x, y, order, start, rows, abuf, ybuf)
        cuda.syncthreads()
        for layer in range(n_layers):
            _stage_forward(tid, nt, layer, params, layers, codes, cols, rows, abuf, zbuf, mbuf,
                           drop_thr, drop_scale, seed, step, True)  # fmt: skip
            cuda.syncthreads()
        _stage_output(tid, nt, loss_code, layers, codes, cols, rows, abuf, zbuf, dbuf, ybuf,
                      rowloss[start:])  # fmt: skip
        cuda.syncthreads()
        for s in range(n_layers - 1, -2, -1):
            _stage_backward(
                tid, nt, s, params, grad, m, v, layers, codes, cols, rows, abuf, zbuf, dbuf,
                mbuf, drop_thr, opt, rates[bi, 0], rates[bi, 1], rates[bi, 2], hyper, wmask,
                l1, l2,
            )  # fmt: skip
            cuda.syncthreads()


@kernel
def fused_train(
    params, grad, m, v, layers, codes, cols, loss_code, x, y, order, batches, rates, opt,
    hyper, wmask, l1, l2, drop_thr, drop_scale, seed, abuf, zbuf, dbuf, mbuf, ybuf, rowloss,
    in_shared,
):  # fmt: skip
    """One block trains every batch of ``batches`` (rows: start in ``order``, rows, step)."""
    tid = cuda.threadIdx.x
    nt = cuda.blockDim.x
    if in_shared:  # the weights every thread reads again and again: keep them on chip
        local = cuda.shared.array(SHARED_PARAMS, float32)
        for i in range(tid, params.shape[0], nt):
            local[i] = params[i]
        cuda.syncthreads()
        _train_slice(tid, nt, local, grad, m, v, layers, codes, cols, loss_code, x, y, order,
                     batches, rates, opt, hyper, wmask, l1, l2, drop_thr, drop_scale, seed,
                     abuf, zbuf, dbuf, mbuf, ybuf, rowloss)  # fmt: skip
        for i in range(tid, params.shape[0], nt):
            params[i] = local[i]
    else:
        _train_slice(tid, nt, params, grad, m, v, layers, codes, cols, loss_code, x, y, order,
                     batches, rates, opt, hyper, wmask, l1, l2, drop_thr, drop_scale, seed,
                     abuf, zbuf, dbuf, mbuf, ybuf, rowloss)  # fmt: skip


# ------------------------------------------------------------------ grid driver: one launch a stage


@kernel
def grid_gather(x, y, order, start, rows, abuf, ybuf):
    _stage_gather(cuda.grid(1), cuda.gridsize(1), x, y, order, start, rows, abuf, ybuf)


@kernel
def grid_rows(x, start, rows, abuf):
    _stage_rows(cuda.grid(1), cuda.gridsize(1), x, start, rows, abuf)


@kernel
def grid_forward(
    layer, params, layers, codes, cols, rows, abuf, zbuf, mbuf, drop_thr, drop_scale, seed,
    step, train,
):  # fmt: skip
    _stage_forward(cuda.grid(1), cuda.gridsize(1), layer, params, layers, codes, cols, rows,
                   abuf, zbuf, mbuf, drop_thr, drop_scale, seed, step, train)  # fmt: skip


@kernel
def grid_softmax(layers, codes, cols, rows, abuf, zbuf):
    _stage_softmax(cuda.grid(1), cuda.gridsize(1), layers, codes, cols, rows, abuf, zbuf)


@kernel
def grid_output(loss_code, layers, codes, cols, rows, abuf, zbuf, dbuf, ybuf, rowloss):
    _stage_output(cuda.grid(1), cuda.gridsize(1), loss_code, layers, codes, cols, rows, abuf,
                  zbuf, dbuf, ybuf, rowloss)  # fmt: skip


@kernel
def grid_backward(
    s, params, grad, m, v, layers, codes, cols, rows, abuf, zbuf, dbuf, mbuf, drop_thr, opt,
    lr, step_size, inv_c2, hyper, wmask, l1, l2,
):  # fmt: skip
    _stage_backward(cuda.grid(1), cuda.gridsize(1), s, params, grad, m, v, layers, codes, cols,
                    rows, abuf, zbuf, dbuf, mbuf, drop_thr, opt, lr, step_size, inv_c2, hyper,
                    wmask, l1, l2)  # fmt: skip


# ------------------------------------------------------------------ cache freshness
# numba-cuda's disk cache, like Numba's, knows only this file's time stamp, so kernels
# cached before an edit of a frozen constant in another file (the activation table,
# optimizer and loss codes, dropout's hash) would load and run the old ones.  Reading
# a fingerprint back from a kernel would need a GPU at import, so the cache folder
# holds a stamp of the fingerprint (kernels/freshness.py) instead: a cache without
# the current stamp is deleted before any kernel loads from it.


def cache_folder() -> str | None:
    """Where numba-cuda caches this file's kernels; None in the simulator (no cache)."""
    if numba_config.ENABLE_CUDASIM:
        return None
    from numba.cuda.dispatcher import CUDACacheImpl

    return str(CUDACacheImpl(cache_folder).locator.get_cache_path())


def _drop_stale_kernels() -> bool:
    """Delete this file's cached kernels unless they were compiled from today's constants."""
    folder = cache_folder()
    return folder is not None and freshness.refresh_stamped(folder, __file__)


_drop_stale_kernels()


# ------------------------------------------------------------------ engine object


@cuda.jit
def _fill_one(out):
    out[0] = F1


def probe() -> str | None:
    """Why kernels cannot run on this machine's GPU (what to install), or None.

    Compiling and launching a one-thread kernel finds a missing driver, a
    missing GPU and CUDA libraries that do not match the driver.
    """
    if numba_config.ENABLE_CUDASIM:
        return None
    from numba.cuda.cudadrv.driver import driver
    from numba.cuda.cudadrv.error import CudaDriverError, CudaRuntimeError, NvrtcError, NvvmError

    try:
        major, minor = driver.get_version()
    except ImportError:  # CudaSupportError: the driver library cannot be loaded
        return f"no NVIDIA GPU driver found; install the driver, then {INSTALL_HINT}"
    try:
        if not cuda.is_available() or len(cuda.gpus) == 0:
            return f"no CUDA GPU found (driver CUDA {major}.{minor})"
        out = cuda.device_array(1, np.float32)
        _fill_one[1, 1](out)
        out.copy_to_host()
    except (ImportError, RuntimeError, OSError, CudaDriverError, CudaRuntimeError, NvrtcError,
            NvvmError) as exc:  # fmt: skip
        text = str(exc).strip()
        first = text.splitlines()[0] if text else type(exc).__name__
        return (
            f"numba-cuda cannot use the CUDA {major}.{minor} driver ({first}): "
            f'pip install "dlviz[cuda{major}]"'
        )
    return None


def use_fused(spec: NetworkSpec, batch_size: int) -> bool:
    """Whether a batch is small enough for the one-block fused kernel (see FUSED_MAX_WORK)."""
    sizes = spec.sizes
    widest = max(sizes[i] * sizes[i + 1] for i in range(len(sizes) - 1))
    return batch_size * widest <= FUSED_MAX_WORK


def batch_table(
    order_size: int, pos: int, n_batches: int, batch_size: int, ends: np.ndarray, step: int
) -> np.ndarray:
    """(batches, 3) int64 rows [start in order, rows, trainer step]: the CPU engine's
    batching (a batch never crosses an epoch's end), worked out on the host."""
    rows_list: list[tuple[int, int, int]] = []
    start, e = pos, 0
    for bi in range(n_batches):
        while e < ends.size and start >= ends[e]:
            e += 1
        if e == ends.size:
            break
        rows = min(batch_size, int(ends[e]) - start)
        rows_list.append((start, rows, step + bi))
        start += rows
    return np.array(rows_list, np.int64).reshape(len(rows_list), 3)


def step_rates(cfg: OptimizerConfig, lrs: np.ndarray, t0: int, n: int) -> np.ndarray:
    """(n, 3) float32 [lr, Adam's step size, 1 / its second bias correction] per batch,
    computed as the CPU engine computes them (float64 powers, then float32)."""
    out = np.zeros((n, 3), np.float32)
    b1, b2 = float(np.float32(cfg.beta1)), float(np.float32(cfg.beta2))
    for i in range(n):
        t = t0 + i + 1
        lr = np.float32(lrs[i])
        out[i, 0] = lr
        out[i, 1] = lr / np.float32(1.0 - b1**t)
        out[i, 2] = np.float32(1.0) / np.float32(1.0 - b2**t)
    return out


class CudaEngine:
    """Trains and evaluates one network shape on the GPU; the CPU engine's interface.

    One difference: arrays of rows (``x``, ``y``, rows to predict on) are copied to
    the device when an array not seen before is given, so an array must not be
    changed in place between calls (the trainer makes new ones when data changes).
    """

    name = "cuda"

    def __init__(
        self,
        spec: NetworkSpec,
        max_batch: int,
        *,
        fused: bool | None = None,
        threads: int | None = None,
    ) -> None:
        """``fused``: force a driver (None: :func:`use_fused`); ``threads``: per block."""
        self.spec = spec
        self.layout = ParamLayout.of(spec.sizes)
        self.fused = fused
        if threads is None:
            threads = SIMULATOR_THREADS if numba_config.ENABLE_CUDASIM else THREADS
        self.threads = threads
        self.n_cols = int(sum(spec.sizes))
        codes = [kernel_code(name) for name in spec.activations]
        unknown = sorted(set(codes) - KNOWN_CODES)
        if unknown:  # an activation code with no device form: refuse, never compute linear
            raise ValueError(f"the CUDA engine has no device form of activation code {unknown}")
        rates = spec.dropouts
        self.loss_code = LOSS_CODE[spec.loss]
        host = {
            "layers": self.layout.offsets_array(),
            "codes": np.array(codes, np.int64),
            "cols": np.concatenate([[0], np.cumsum(spec.sizes)]).astype(np.int64),
            "wmask": self.layout.weights_mask(),
            "drop_thr": np.array([dropout_threshold(r) for r in rates], np.int64),
            "drop_scale": np.array([1.0 / (1.0 - r) for r in rates], np.float32),
        }
        self.const = {key: cuda.to_device(value) for key, value in host.items()}
        self._data: dict[str, tuple[np.ndarray, object]] = {}
        #: Arrays predicted on, newest last: the trainer predicts on fresh subsets for
        #: its metrics and on the same cached grid features every snapshot.
        self._rows: list[tuple[np.ndarray, object]] = []
        self._alloc(max_batch)
        self._fwd_rows = 0

    def _alloc(self, rows: int) -> None:
        self.max_rows = max(rows, 1)
        size = self.max_rows * self.n_cols
        self.bufs = [cuda.device_array(size, np.float32) for _ in range(4)]  # a, z, dL/dz, mask
        self.ybuf = cuda.device_array(self.max_rows * self.spec.n_outputs, np.float32)

    def _resident(self, key: str, array: np.ndarray) -> object:
        """``array`` on the device, copied only when another array is given.

        The trainer hands the same feature arrays back on every call until the
        data changes (then new arrays): identity is the cheap test.  The host
        array is kept, so its id cannot be reused by another one.
        """
        held = self._data.get(key)
        if held is None or held[0] is not array:
            held = (array, cuda.to_device(np.ascontiguousarray(array)))
            self._data[key] = held
        return held[1]

    def _rows_on_device(self, x: np.ndarray) -> object:
        """Rows to predict on, on the device; the last few arrays (the grids) stay there."""
        for i, (host, device) in enumerate(self._rows):
            if host is x:
                self._rows.append(self._rows.pop(i))
                return device
        self._rows.append((x, cuda.to_device(x)))
        del self._rows[:-ROWS_KEPT]
        return self._rows[-1][1]

    def _launch(self, items: int) -> tuple[int, int]:
        blocks = max(1, min(-(-items // self.threads), 4096))
        return blocks, self.threads

    def train_batches(
        self,
        params: np.ndarray,
        grad: np.ndarray,
        state: OptimizerState,
        cfg: OptimizerConfig,
        x: np.ndarray,
        y: np.ndarray,
        order: np.ndarray,
        pos: int,
        n_batches: int,
        batch_size: int,
        lrs: np.ndarray,
        l1: float,
        l2: float,
        seed: int,
        step: int,
        epoch_ends: np.ndarray | None = None,
    ) -> float:
        """Same contract as :meth:`dlviz.core.kernels.cpu.NumbaEngine.train_batches`."""
        if batch_size > self.max_rows:
            self._alloc(batch_size)
        ends = (
            np.array([order.shape[0]], np.int64)
            if epoch_ends is None
            else np.asarray(epoch_ends, np.int64)
        )
        table = batch_table(order.shape[0], pos, n_batches, batch_size, ends, step)
        n = table.shape[0]
        if n == 0:
            return 0.0
        first, last = int(table[0, 0]), int(table[-1, 0] + table[-1, 1])
        table[:, 0] -= first  # the device gets only the rows it trains on
        rates = step_rates(cfg, lrs, state.t, n)
        stream = cuda.stream()
        d_params = cuda.to_device(params, stream=stream)
        d_grad = cuda.to_device(grad, stream=stream)
        d_m = cuda.to_device(state.m, stream=stream)
        d_v = cuda.to_device(state.v, stream=stream)
        d_order = cuda.to_device(np.ascontiguousarray(order[first:last]), stream=stream)
        d_x, d_y = self._resident("x", x), self._resident("y", y)
        rowloss = cuda.device_array(last - first, np.float64, stream=stream)
        c = self.const
        abuf, zbuf, dbuf, mbuf = self.bufs
        hyper = cuda.to_device(cfg.hyper(), stream=stream)
        f1, f2, useed = np.float32(l1), np.float32(l2), np.uint64(seed)
        fused = use_fused(self.spec, batch_size) if self.fused is None else self.fused
        if fused:
            fused_train[1, self.threads, stream](
                d_params, d_grad, d_m, d_v, c["layers"], c["codes"], c["cols"], self.loss_code,
                d_x, d_y, d_order, cuda.to_device(table, stream=stream),
                cuda.to_device(rates, stream=stream), cfg.code, hyper, c["wmask"], f1, f2,
                c["drop_thr"], c["drop_scale"], useed, abuf, zbuf, dbuf, mbuf, self.ybuf,
                rowloss, params.shape[0] <= SHARED_PARAMS,
            )  # fmt: skip
        else:
            self._grid_train(stream, d_params, d_grad, d_m, d_v, d_x, d_y, d_order, table, rates,
                             cfg, hyper, f1, f2, useed, rowloss)  # fmt: skip
        d_params.copy_to_host(params, stream=stream)
        d_grad.copy_to_host(grad, stream=stream)
        d_m.copy_to_host(state.m, stream=stream)
        d_v.copy_to_host(state.v, stream=stream)
        per_row = rowloss.copy_to_host(stream=stream)
        stream.synchronize()
        state.t += n
        # the CPU engine's sum: each batch's mean loss times its rows, in float64
        totals = np.add.reduceat(per_row, table[:, 0])
        per_value = table[:, 1] * (1 if self.loss_code == LOSS_CE else self.spec.n_outputs)
        return float(np.sum(totals / per_value * table[:, 1]))

    def _grid_train(
        self, stream, params, grad, m, v, x, y, order, table, rates, cfg, hyper, l1, l2, seed,
        rowloss,
    ):  # fmt: skip
        """Every stage of every batch as its own launch, queued on ``stream``."""
        c = self.const
        abuf, zbuf, dbuf, mbuf = self.bufs
        sizes = self.spec.sizes
        n_layers = len(sizes) - 1
        n_in, k = sizes[0], sizes[-1]
        for bi in range(table.shape[0]):
            start, rows, step = (int(value) for value in table[bi])
            lr, step_size, inv_c2 = (np.float32(value) for value in rates[bi])
            grid_gather[self._launch(rows * (n_in + k)) + (stream,)](
                x, y, order, start, rows, abuf, self.ybuf
            )
            for layer in range(n_layers):
                grid_forward[self._launch(rows * sizes[layer + 1]) + (stream,)](
                    layer, params, c["layers"], c["codes"], c["cols"], rows, abuf, zbuf, mbuf,
                    c["drop_thr"], c["drop_scale"], seed, step, True,
                )  # fmt: skip
            grid_output[self._launch(rows) + (stream,)](
                self.loss_code, c["layers"], c["codes"], c["cols"], rows, abuf, zbuf, dbuf,
                self.ybuf, rowloss[start : start + rows],
            )  # fmt: skip
            for s in range(n_layers - 1, -2, -1):
                items = rows * sizes[s] if s >= 1 else 0
                if s + 1 < n_layers:
                    items += (sizes[s + 1] + 1) * sizes[s + 2]
                grid_backward[self._launch(items) + (stream,)](
                    s, params, grad, m, v, c["layers"], c["codes"], c["cols"], rows, abuf, zbuf,
                    dbuf, mbuf, c["drop_thr"], cfg.code, lr, step_size, inv_c2, hyper,
                    c["wmask"], l1, l2,
                )  # fmt: skip

    def forward(self, params: np.ndarray, x: np.ndarray, keep_all: bool = False) -> np.ndarray:
        """Outputs for rows ``x``; with ``keep_all`` every neuron's activation, hidden first."""
        return self._predict(params, x, keep_all, logits=False)[0]

    def outputs(self, params: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(logits, outputs) for rows ``x``: the output layer before and after its activation."""
        out, logits = self._predict(params, x, False, logits=True)
        assert logits is not None
        return logits, out

    def _predict(
        self, params: np.ndarray, x: np.ndarray, keep_all: bool, *, logits: bool
    ) -> tuple[np.ndarray, np.ndarray | None]:
        x = np.ascontiguousarray(x, np.float32)
        n = x.shape[0]
        sizes = self.spec.sizes
        n_layers = len(sizes) - 1
        cols = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        k = sizes[-1]
        out = np.empty((n, int(cols[-1]) - sizes[0] if keep_all else k), np.float32)
        z_out = np.empty((n, k), np.float32) if logits else None
        if n == 0:
            return out, z_out
        chunk = max(1, min(n, FORWARD_FLOATS // self.n_cols))
        if chunk > self._fwd_rows:  # grown once to what the prediction grid needs
            self._fwd_rows = chunk
            self._fwd = [cuda.device_array(chunk * self.n_cols, np.float32) for _ in range(2)]
        abuf, zbuf = self._fwd
        c = self.const
        stream = cuda.stream()
        d_params = cuda.to_device(params, stream=stream)
        d_x = self._rows_on_device(x)
        for start in range(0, n, chunk):
            rows = min(chunk, n - start)
            grid_rows[self._launch(rows * sizes[0]) + (stream,)](d_x, start, rows, abuf)
            for layer in range(n_layers):
                grid_forward[self._launch(rows * sizes[layer + 1]) + (stream,)](
                    layer, d_params, c["layers"], c["codes"], c["cols"], rows, abuf, zbuf, abuf,
                    c["drop_thr"], c["drop_scale"], np.uint64(0), 0, False,
                )  # fmt: skip
            grid_softmax[self._launch(rows) + (stream,)](
                c["layers"], c["codes"], c["cols"], rows, abuf, zbuf
            )
            first = rows * (int(cols[1]) if keep_all else int(cols[n_layers]))
            acts = abuf[first : rows * int(cols[-1])].copy_to_host(stream=stream)
            if z_out is not None:
                head = zbuf[rows * int(cols[n_layers]) : rows * int(cols[-1])]
                z_host = head.copy_to_host(stream=stream)
            stream.synchronize()
            if z_out is not None:
                z_out[start : start + rows] = z_host.reshape(rows, k)
            if keep_all:  # layer by layer, each (rows, width), side by side
                c0 = 0
                for layer in range(1, n_layers + 1):
                    at = rows * int(cols[layer]) - first
                    block = acts[at : at + rows * sizes[layer]].reshape(rows, sizes[layer])
                    out[start : start + rows, c0 : c0 + sizes[layer]] = block
                    c0 += sizes[layer]
            else:
                out[start : start + rows] = acts.reshape(rows, k)
        return out, z_out
