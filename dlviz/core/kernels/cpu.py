"""Numba CPU engine: float32 kernels over preallocated buffers, one call per time slice.

The arithmetic is that of :mod:`dlviz.core.kernels.reference` (tests compare
them step for step).  Kernels are pure functions over arrays: parameters,
optimizer state and scratch buffers come in, nothing is global.  All of them
release the GIL so the GUI keeps drawing while one runs.

Layer activations live in flat buffers: layer ``l`` of a batch of ``B`` rows
occupies ``buf[B*col[l] : B*(col[l]+size[l])]`` viewed as (B, size[l]).

The entry points (:func:`train_batches`, :func:`forward_rows`) take their
arrays grouped (:class:`Net`, :class:`Optimizer`, :class:`Batches`,
:class:`Buffers`); the activations are built from the table in
:mod:`dlviz.core.activations`, and every code the kernels branch on is named.
"""

from __future__ import annotations

import platform
from collections.abc import Callable
from typing import Any, NamedTuple

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic
from numba.np.arrayobj import make_array, populate_array

from dlviz.core import activations, picture
from dlviz.core.activations import LINEAR_CODE, SOFTMAX_CODE, kernel_code
from dlviz.core.jit import jit, jit_inline
from dlviz.core.kernels import epochs as epoch_kernels
from dlviz.core.kernels import freshness
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

LOSS_MSE, LOSS_BCE, LOSS_CE = LOSS_CODE["mse"], LOSS_CODE["bce"], LOSS_CODE["ce"]
GD, SGD, MOMENTUM = OPTIMIZER_CODE["gd"], OPTIMIZER_CODE["sgd"], OPTIMIZER_CODE["momentum"]
NESTEROV, ADAGRAD = OPTIMIZER_CODE["nesterov"], OPTIMIZER_CODE["adagrad"]
RMSPROP, ADAM, ADAMW = OPTIMIZER_CODE["rmsprop"], OPTIMIZER_CODE["adam"], OPTIMIZER_CODE["adamw"]

#: Below this many weights a layer is multiplied with hand loops: BLAS call
#: overhead dominates for the narrow layers of classroom nets ...
BLAS_MIN_WEIGHTS = 1024
#: ... unless the call multiplies this many products (a prediction grid's chunk through
#: a 64-3 output layer): the hand loops run over the output width, and a width of 3
#: leaves them scalar, where BLAS still multiplies at speed.
BLAS_MIN_PRODUCTS = 32768

F0 = np.float32(0.0)
F1 = np.float32(1.0)
GOLDEN = np.uint64(DROPOUT_GOLDEN)
MIX1, MIX2 = np.uint64(DROPOUT_MIX1), np.uint64(DROPOUT_MIX2)
SHIFT1, SHIFT2, SHIFT3 = (np.uint64(s) for s in DROPOUT_SHIFTS)
#: Dropout compares the top DROPOUT_HASH_BITS of a 64-bit hash with its threshold.
HASH_SHIFT = np.uint64(64 - DROPOUT_HASH_BITS)


class Net(NamedTuple):
    """A network's shape and per-layer settings, as the kernels read them."""

    layers: np.ndarray  # (n_layers, 4) int64 rows [fan_in, fan_out, w_offset, b_offset]
    codes: np.ndarray  # int64 activation code of each weight layer's output
    cols: np.ndarray  # int64 first column of each layer (inputs first) in the flat buffers
    loss: int  # LOSS_CODE
    wmask: np.ndarray  # float32: 1 where params holds a weight, 0 where a bias
    drop_thr: np.ndarray  # int64 dropout threshold per weight layer (0: none)
    drop_scale: np.ndarray  # float32 scale of kept units, 1 / (1 - rate)
    flush: int  # FLUSH_SUBNORMALS, or 0 to compute on subnormal floats (see there)


class Buffers(NamedTuple):
    """Preallocated float32 scratch: activations, pre-activations, deltas, dropout masks
    (flat, see the module docstring) and one batch's targets (rows, outputs)."""

    a: np.ndarray
    z: np.ndarray
    d: np.ndarray
    m: np.ndarray
    y: np.ndarray


class Optimizer(NamedTuple):
    """The optimizer's code, hyperparameters (OptimizerConfig.hyper) and state."""

    code: int
    hyper: np.ndarray
    m: np.ndarray
    v: np.ndarray
    t0: int  # optimizer steps already taken (Adam's bias correction counts from it)


class Batches(NamedTuple):
    """What one call trains: the data, the rows in order, and the steps' settings."""

    x: np.ndarray  # (n, features) float32
    y: np.ndarray  # (n, outputs) float32, encoded targets
    order: np.ndarray  # int64 rows of x, epochs' shuffles laid end to end
    pos: int  # first position in order
    ends: np.ndarray  # int64 positions where an epoch ends (ascending, last: order's end)
    n_batches: int
    batch_size: int
    lrs: np.ndarray  # float32 learning rate of each step
    l1: np.float32
    l2: np.float32
    seed: np.uint64  # dropout seed
    step0: int  # the trainer's step count (picks the dropout masks)


# ------------------------------------------------------------------ dense algebra


@jit_inline
def _blas(rows, fan_in, fan_out):
    """Whether a (rows, fan_in) x (fan_in, fan_out) product goes to BLAS (else hand loops)."""
    if rows < 8:
        return False
    weights = fan_in * fan_out
    return weights >= BLAS_MIN_WEIGHTS or (fan_in >= 16 and rows * weights >= BLAS_MIN_PRODUCTS)


@jit
def _affine(a, w, b, z):
    """z = a @ w + b."""
    rows, fan_in = a.shape
    fan_out = w.shape[1]
    if _blas(rows, fan_in, fan_out):
        np.dot(a, w, z)
        for i in range(rows):
            for j in range(fan_out):
                z[i, j] += b[j]
        return
    for i in range(rows):
        for j in range(fan_out):
            z[i, j] = b[j]
        for k in range(fan_in):
            aik = a[i, k]
            for j in range(fan_out):
                z[i, j] += aik * w[k, j]


@jit
def _grad_weights(a, dz, gw, gb):
    """gw = a.T @ dz, gb = column sums of dz."""
    rows, fan_in = a.shape
    fan_out = dz.shape[1]
    if _blas(rows, fan_in, fan_out):
        np.dot(a.T, dz, gw)
    else:
        gw[:, :] = F0
        for i in range(rows):
            for k in range(fan_in):
                aik = a[i, k]
                for j in range(fan_out):
                    gw[k, j] += aik * dz[i, j]
    gb[:] = F0
    for i in range(rows):
        for j in range(fan_out):
            gb[j] += dz[i, j]


@jit
def _grad_inputs(dz, w, da):
    """da = dz @ w.T."""
    rows, fan_out = dz.shape
    fan_in = w.shape[0]
    if _blas(rows, fan_in, fan_out):
        np.dot(dz, w.T, da)
        return
    for i in range(rows):
        for k in range(fan_in):
            s = F0
            for j in range(fan_out):
                s += dz[i, j] * w[k, j]
            da[i, k] = s


# ------------------------------------------------------------------ activations
# Built from the table in dlviz.core.activations: one branch per activation, each
# with its own loop, so the choice is made once per layer and each loop compiles
# (and vectorises) like a hand-written one.  A chain of closures rather than a
# tuple of functions: Numba types a tuple of functions as experimental
# "first-class functions" (a warning, and calls it cannot inline).


@jit_inline
def _no_activation(code, z, a):
    """Past the table's end: no code reaches it (kernel_code knows every name)."""


@jit_inline
def _unit_slope(code, z, a_in, d, m, dropout):
    """Past the table's end: the slope of an identity, 1 (no change)."""


def _elementwise_chain(entries: tuple[tuple[int, Any], ...]) -> Any:
    if not entries:
        return _no_activation
    (code, f), rest = entries[0], _elementwise_chain(entries[1:])

    def apply(c, z, a):
        if c == code:
            rows, cols = z.shape
            for i in range(rows):
                for j in range(cols):
                    a[i, j] = f(z[i, j])
        else:
            rest(c, z, a)

    return jit_inline(apply)


def _slope_chain(entries: tuple[tuple[int, Any], ...]) -> Any:
    if not entries:
        return _unit_slope
    (code, slope), rest = entries[0], _slope_chain(entries[1:])

    def scale(c, z, a_in, d, m, dropout):
        if c != code:
            rest(c, z, a_in, d, m, dropout)
            return
        rows, cols = z.shape
        if dropout:  # dropped units pass nothing back; kept ones were scaled by m
            for i in range(rows):
                for j in range(cols):
                    f = m[i, j]
                    if f == F0:
                        d[i, j] = F0
                    else:
                        d[i, j] *= f * slope(z[i, j], a_in[i, j] / f)
        else:
            for i in range(rows):
                for j in range(cols):
                    d[i, j] *= slope(z[i, j], a_in[i, j])

    return jit_inline(scale)


#: ``_elementwise(code, z, a)``: a = f(z) for a hidden activation's code.
_elementwise = _elementwise_chain(
    tuple((i, jit(act.scalar)) for i, act in enumerate(activations.HIDDEN))
)
#: ``_times_slope(code, z, a, d, m, dropout)``: d *= f'(z) elementwise, ``a`` = f(z) after
#: dropout, ``m`` the dropout factors when ``dropout`` (chosen once per layer, like f).
_times_slope = _slope_chain(
    tuple((i, jit(act.scalar_derivative)) for i, act in enumerate(activations.HIDDEN))
)


@jit
def _activate(code, z, a):
    if code != SOFTMAX_CODE:
        _elementwise(code, z, a)
        return
    rows, cols = z.shape
    for i in range(rows):  # softmax, row by row
        zmax = z[i, 0]
        for j in range(1, cols):
            zmax = max(zmax, z[i, j])
        s = F0
        for j in range(cols):
            e = np.exp(z[i, j] - zmax)
            a[i, j] = e
            s += e
        for j in range(cols):
            a[i, j] /= s


# ------------------------------------------------------------------ dropout


@jit
def _mix64(z):
    z = (z ^ (z >> SHIFT1)) * MIX1
    z = (z ^ (z >> SHIFT2)) * MIX2
    return z ^ (z >> SHIFT3)


@jit
def _dropout(a, mask, seed, step, layer, threshold, scale):
    """Zero the units the hash drops, scale the kept ones; ``mask`` keeps the factor."""
    key = _mix64(np.uint64(seed) + GOLDEN * np.uint64(step + 1))
    key = _mix64(key ^ (np.uint64(layer + 1) * GOLDEN))
    rows, cols = a.shape
    for i in range(rows):
        for j in range(cols):
            bits = _mix64(key + np.uint64(i * cols + j) * GOLDEN) >> HASH_SHIFT
            f = scale if bits >= np.uint64(threshold) else F0
            mask[i, j] = f
            a[i, j] *= f


# ------------------------------------------------------------------ passes


# Reference counting.  Every array a compiled function receives or makes (a slice, a view)
# has its count raised and lowered: an atomic instruction each time, and a batch of a
# small network passed arrays and views around ~60 times.  On 2-8-8-1 with batches of
# 10, these atomics took most of the time of a batch (gdb on the running kernel: in
# NRT_incref/NRT_decref 64 % of the time with batches of 1).  The entry points hold their
# arrays for the whole call, so inside they pass them on *borrowed*: the same data with
# no reference count (Numba skips counting an array whose meminfo is null).  A borrowed
# array must not outlive the call: the kernels never return or keep one.


def _borrowed_codegen(context, builder, src, dst, data, shape, strides):
    populate_array(
        dst,
        data=data,
        shape=cgutils.pack_array(builder, shape),
        strides=cgutils.pack_array(builder, strides),
        itemsize=src.itemsize,
        meminfo=cgutils.get_null_value(src.meminfo.type),
        parent=cgutils.get_null_value(src.parent.type),
    )
    return dst._getvalue()


@intrinsic
def _borrow_compiled(typingctx, array):
    """``array`` without a reference count (see above)."""
    if not isinstance(array, types.Array):
        return None

    def codegen(context, builder, sig, args):
        src = make_array(sig.args[0])(context, builder, args[0])
        dst = make_array(sig.return_type)(context, builder)
        shape = cgutils.unpack_tuple(builder, src.shape)
        strides = cgutils.unpack_tuple(builder, src.strides)
        return _borrowed_codegen(context, builder, src, dst, src.data, shape, strides)

    return array(array), codegen


@intrinsic
def _as_matrix_compiled(typingctx, flat, offset, rows, cols):
    """``flat[offset : offset + rows * cols]`` as a (rows, cols) C-contiguous matrix, borrowed:
    a slice and ``reshape`` would count references and call Numba's general reshape helper
    (~23 ns a view).  The caller makes sure ``flat`` holds those values."""
    if not (isinstance(flat, types.Array) and flat.ndim == 1 and flat.layout == "C"):
        return None
    matrix = flat.copy(ndim=2, layout="C")

    def codegen(context, builder, sig, args):
        src = make_array(sig.args[0])(context, builder, args[0])
        dst = make_array(sig.return_type)(context, builder)
        o, r, c = (
            context.cast(builder, value, ty, types.intp)
            for value, ty in zip(args[1:], sig.args[1:], strict=True)
        )
        data = builder.gep(src.data, [o])
        strides = [builder.mul(c, src.itemsize), src.itemsize]
        return _borrowed_codegen(context, builder, src, dst, data, [r, c], strides)

    return matrix(flat, offset, rows, cols), codegen


def _borrow_python(array):
    """:func:`_borrow_compiled` for the interpreter (``NUMBA_DISABLE_JIT=1``)."""
    return array


def _as_matrix_python(flat, offset, rows, cols):
    """:func:`_as_matrix_compiled` for the interpreter (``NUMBA_DISABLE_JIT=1``)."""
    return flat[offset : offset + rows * cols].reshape(rows, cols)


_interpreted = bool(numba.config.DISABLE_JIT)  # type: ignore[attr-defined]
_borrow: Any = _borrow_python if _interpreted else _borrow_compiled
_as_matrix: Any = _as_matrix_python if _interpreted else _as_matrix_compiled


# ------------------------------------------------------------------ subnormal floats
# A network that has become sure of its answers gives the other classes softmax
# probabilities below float32's normal range; the output gradients, the deltas
# backpropagated from them and the weight gradients then hold subnormal floats, on
# which x86 computes ~100x slower.  The medium net on the spiral (Adam) fell from
# ~880k samples/s early in training to ~660k once converged (seed 1, 114k steps).
# So each entry point sets the processor's flush-to-zero (FTZ: a result below the
# normal floats becomes 0) and denormals-are-zero (DAZ: such an input reads as 0)
# modes for its call, as TensorFlow does on CPU, and puts the caller's mode back:
# NumPy in the same thread keeps IEEE subnormals.  The values lost are below 1.2e-38.
# On other processors the modes are left alone (the optimizer state is still flushed
# by hand, :func:`_flushed`).

#: x86 MXCSR bits: FTZ (bit 15) and DAZ (bit 6).  ``Net.flush`` holds them, or 0 to
#: compute on subnormals (the engine benchmark's comparison).
FLUSH_SUBNORMALS = 0x8040
_X86 = platform.machine().lower() in ("x86_64", "amd64")


def _mxcsr_instruction(builder: Any, name: str) -> Any:
    i8p = ir.IntType(8).as_pointer()
    fnty = ir.FunctionType(ir.VoidType(), [i8p])
    return builder.module.declare_intrinsic(f"llvm.x86.sse.{name}", fnty=fnty)


@intrinsic
def _read_mode_compiled(typingctx):
    """The thread's floating-point control word (x86 MXCSR); 0 on other processors."""

    def codegen(context, builder, sig, args):
        if not _X86:
            return context.get_constant(types.int64, 0)
        slot = cgutils.alloca_once(builder, ir.IntType(32))
        i8p = ir.IntType(8).as_pointer()
        builder.call(_mxcsr_instruction(builder, "stmxcsr"), [builder.bitcast(slot, i8p)])
        return builder.zext(builder.load(slot), ir.IntType(64))

    return types.int64(), codegen


@intrinsic
def _write_mode_compiled(typingctx, mode):
    """Set the thread's floating-point control word (x86 MXCSR); elsewhere nothing."""
    if not isinstance(mode, types.Integer):
        return None

    def codegen(context, builder, sig, args):
        if _X86:
            slot = cgutils.alloca_once(builder, ir.IntType(32))
            value = context.cast(builder, args[0], sig.args[0], types.int64)
            builder.store(builder.trunc(value, ir.IntType(32)), slot)
            i8p = ir.IntType(8).as_pointer()
            builder.call(_mxcsr_instruction(builder, "ldmxcsr"), [builder.bitcast(slot, i8p)])
        return context.get_dummy_value()

    return types.none(mode), codegen


def _read_mode_python():
    """:func:`_read_mode_compiled` for the interpreter (``NUMBA_DISABLE_JIT=1``)."""
    return 0


def _write_mode_python(mode):
    """:func:`_write_mode_compiled` for the interpreter: the interpreter keeps its mode."""


_read_mode: Any = _read_mode_python if _interpreted else _read_mode_compiled
_write_mode: Any = _write_mode_python if _interpreted else _write_mode_compiled


@jit_inline
def _flush_subnormals(flush):
    """Set the modes ``flush`` (FLUSH_SUBNORMALS or 0) for a call; returns the caller's
    mode, for :func:`_restore_mode` at the call's end."""
    caller = _read_mode()
    if flush != 0:
        _write_mode(caller | flush)
    return caller


@jit_inline
def _restore_mode(flush, caller):
    if flush != 0:
        _write_mode(caller)


@jit
def _view(buf, rows, col, width):
    """Layer ``col``..``col + width`` of a batch of ``rows`` rows in a flat buffer (rows, width)."""
    return _as_matrix(buf, rows * col, rows, width)


@jit
def _weights(params, offset, fan_in, fan_out):
    """A layer's (fan_in, fan_out) weights at ``offset`` in the flat ``params``."""
    return _as_matrix(params, offset, fan_in, fan_out)


# The passes below take plain arrays, not the Net and Buffers tuples: they run once per
# batch, and arrays inside tuples passed down cost reference counting per call (small
# networks trained 10 % slower that way); the entry points unpack the tuples once.


@jit
def _forward(params, layers, codes, cols, rows, abuf, zbuf, mbuf, drop_thr, drop_scale, seed,
             step, train):  # fmt: skip
    """Forward through all layers; ``abuf`` layer 0 must already hold the input rows."""
    for layer in range(layers.shape[0]):
        fan_in, fan_out = layers[layer, 0], layers[layer, 1]
        wo, bo = layers[layer, 2], layers[layer, 3]
        w = _weights(params, wo, fan_in, fan_out)
        b = params[bo : bo + fan_out]
        a_in = _view(abuf, rows, cols[layer], fan_in)
        z = _view(zbuf, rows, cols[layer + 1], fan_out)
        a = _view(abuf, rows, cols[layer + 1], fan_out)
        _affine(a_in, w, b, z)
        _activate(codes[layer], z, a)
        if train and drop_thr[layer] > 0:
            m = _view(mbuf, rows, cols[layer + 1], fan_out)
            _dropout(a, m, seed, step, layer, drop_thr[layer], drop_scale[layer])


@jit
def _output_grad(loss_code, out_code, z, a, y, dz):
    """dL/dZ of the output layer into ``dz``; returns the batch's mean loss (float64)."""
    rows, k = a.shape
    total = 0.0
    if loss_code == LOSS_CE:
        inv = F1 / np.float32(rows)
        for i in range(rows):
            zmax = z[i, 0]
            for j in range(1, k):
                zmax = max(zmax, z[i, j])
            s = F0
            zy = F0
            for j in range(k):
                s += np.exp(z[i, j] - zmax)
                zy += z[i, j] * y[i, j]
                dz[i, j] = (a[i, j] - y[i, j]) * inv
            total += zmax + np.log(s) - zy
        return total / rows
    inv = F1 / np.float32(rows * k)
    if loss_code == LOSS_BCE:
        for i in range(rows):
            for j in range(k):
                v = z[i, j]
                total += max(v, F0) - v * y[i, j] + np.log1p(np.exp(-abs(v)))
                dz[i, j] = (a[i, j] - y[i, j]) * inv
        return total / (rows * k)
    two = np.float32(2.0) * inv
    for i in range(rows):
        for j in range(k):
            d = a[i, j] - y[i, j]
            total += d * d
            dz[i, j] = two * d
    if out_code != LINEAR_CODE:
        _times_slope(out_code, z, a, dz, dz, False)
    return total / (rows * k)


@jit
def _backward(params, grad, layers, codes, cols, rows, abuf, zbuf, dbuf, mbuf, drop_thr):
    """Backpropagate from the output dZ already in ``dbuf`` to every gradient in ``grad``."""
    for layer in range(layers.shape[0] - 1, -1, -1):
        fan_in, fan_out = layers[layer, 0], layers[layer, 1]
        wo, bo = layers[layer, 2], layers[layer, 3]
        dz = _view(dbuf, rows, cols[layer + 1], fan_out)
        a_in = _view(abuf, rows, cols[layer], fan_in)
        gw = _weights(grad, wo, fan_in, fan_out)
        _grad_weights(a_in, dz, gw, grad[bo : bo + fan_out])
        if layer == 0:
            break
        w = _weights(params, wo, fan_in, fan_out)
        da = _view(dbuf, rows, cols[layer], fan_in)
        _grad_inputs(dz, w, da)
        z = _view(zbuf, rows, cols[layer], fan_in)
        code = codes[layer - 1]
        dropout = drop_thr[layer - 1] > 0
        if dropout or code != LINEAR_CODE:
            m = _view(mbuf, rows, cols[layer], fan_in)
            _times_slope(code, z, a_in, da, m, dropout)


#: The smallest normal float32.  Optimizer state below it is set to 0: a state that decays
#: while its gradient stays 0 (a dead ReLU unit's weights, Adam's m times 0.9 per step)
#: sinks into the subnormal floats and stays there (0.9 times the smallest subnormal
#: rounds back up to it), and arithmetic on subnormals takes ~100x longer on x86.
#: Measured on the wide net with Adam: 47 000 of 69 000 m values subnormal after 15
#: epochs, training 155k -> 60k samples/s; with the flush it keeps its speed.
NORMAL_MIN = np.float32(np.finfo(np.float32).tiny)


@jit_inline
def _flushed(x):
    """``x``, or 0 where it is below the normal floats (see NORMAL_MIN)."""
    return x if abs(x) >= NORMAL_MIN else F0


@jit
def apply_update(opt, params, grad, m, v, t, lr, hyper, wmask):
    """One optimizer step in place; ``t`` is the 1-based step number (see optim.update)."""
    mom, b1, b2, eps, rho, wd = hyper[0], hyper[1], hyper[2], hyper[3], hyper[4], hyper[5]
    n = params.shape[0]
    if opt == GD or opt == SGD:
        for i in range(n):
            params[i] -= lr * grad[i]
    elif opt == MOMENTUM:
        for i in range(n):
            m[i] = _flushed(mom * m[i] + grad[i])
            params[i] -= lr * m[i]
    elif opt == NESTEROV:
        for i in range(n):
            m[i] = _flushed(mom * m[i] + grad[i])
            params[i] -= lr * (grad[i] + mom * m[i])
    elif opt == ADAGRAD:
        for i in range(n):
            v[i] += grad[i] * grad[i]
            params[i] -= lr * grad[i] / (np.sqrt(v[i]) + eps)
    elif opt == RMSPROP:
        for i in range(n):
            v[i] = _flushed(rho * v[i] + (F1 - rho) * grad[i] * grad[i])
            params[i] -= lr * grad[i] / (np.sqrt(v[i]) + eps)
    else:  # ADAM, ADAMW
        if opt == ADAMW:  # decoupled weight decay, weights only
            decay = lr * wd
            for i in range(n):
                params[i] -= decay * wmask[i] * params[i]
        # bias corrections folded into two scalars keep the loop free of divisions by them
        step_size = lr / np.float32(1.0 - float(b1) ** t)
        inv_c2 = F1 / np.float32(1.0 - float(b2) ** t)
        for i in range(n):
            g = grad[i]
            mi = _flushed(b1 * m[i] + (F1 - b1) * g)
            vi = _flushed(b2 * v[i] + (F1 - b2) * g * g)
            m[i] = mi
            v[i] = vi
            params[i] -= step_size * mi / (np.sqrt(vi * inv_c2) + eps)


@jit
def train_batches(params, grad, net, opt, run, bufs):
    """Train ``run.n_batches`` mini-batches taken from ``run.order[run.pos:]``.

    Returns (Σ batch loss × rows, batches trained).  ``run.ends`` are the
    positions in ``run.order`` where an epoch ends (ascending, the last one
    ``order.shape[0]``): a batch never reaches across one, so several epochs'
    shuffles laid end to end train in one call exactly as one call per epoch
    would, the last batch of an epoch holding what is left of it.
    ``opt.t0`` is the number of optimizer steps already taken (Adam's bias
    correction counts from it); ``run.step0`` is the trainer's step count,
    which picks the dropout masks.  ``grad`` ends holding the last batch's gradient.
    """
    # every array borrowed for the call: no reference counting below (see _borrow)
    params, grad = _borrow(params), _borrow(grad)
    x, y, order = _borrow(run.x), _borrow(run.y), _borrow(run.order)
    ends, lrs = _borrow(run.ends), _borrow(run.lrs)
    layers, codes, cols = _borrow(net.layers), _borrow(net.codes), _borrow(net.cols)
    wmask, drop_thr, drop_scale = _borrow(net.wmask), _borrow(net.drop_thr), _borrow(net.drop_scale)
    abuf, zbuf, dbuf = _borrow(bufs.a), _borrow(bufs.z), _borrow(bufs.d)
    mbuf, ybuf = _borrow(bufs.m), _borrow(bufs.y)
    m, v, hyper, opt_code = _borrow(opt.m), _borrow(opt.v), _borrow(opt.hyper), opt.code
    seed, step0, l1, l2, loss_code = run.seed, run.step0, run.l1, run.l2, net.loss
    n_in = x.shape[1]
    n_layers = layers.shape[0]
    k = layers[n_layers - 1, 1]
    out_code = codes[n_layers - 1]
    c_out = cols[n_layers]
    regularise = l1 != F0 or l2 != F0
    caller_mode = _flush_subnormals(net.flush)
    loss_sum = 0.0
    start = run.pos
    e = 0
    done = 0
    for bi in range(run.n_batches):
        while e < ends.shape[0] and start >= ends[e]:
            e += 1
        if e == ends.shape[0]:
            break
        rows = min(run.batch_size, ends[e] - start)
        a0 = _view(abuf, rows, 0, n_in)
        yb = ybuf[:rows]
        for i in range(rows):
            r = order[start + i]
            for j in range(n_in):
                a0[i, j] = x[r, j]
            for j in range(k):
                yb[i, j] = y[r, j]
        _forward(params, layers, codes, cols, rows, abuf, zbuf, mbuf, drop_thr, drop_scale,
                 seed, step0 + bi, True)  # fmt: skip
        loss = _output_grad(
            loss_code,
            out_code,
            _view(zbuf, rows, c_out, k),
            _view(abuf, rows, c_out, k),
            yb,
            _view(dbuf, rows, c_out, k),
        )
        loss_sum += loss * rows
        _backward(params, grad, layers, codes, cols, rows, abuf, zbuf, dbuf, mbuf, drop_thr)
        if regularise:
            for i in range(params.shape[0]):
                p = params[i]
                sign = F1 if p > F0 else (-F1 if p < F0 else F0)
                grad[i] += wmask[i] * (l1 * sign + l2 * p)
        apply_update(opt_code, params, grad, m, v, opt.t0 + bi + 1, lrs[bi], hyper, wmask)
        start += rows
        done += 1
    _restore_mode(net.flush, caller_mode)
    return loss_sum, done


@jit
def forward_rows(params, net, x, out, logits, keep, bufs, chunk):
    """Evaluate the network (no dropout) on every row of ``x`` in chunks of ``chunk`` rows.

    ``out`` (n, k) receives the outputs.  ``logits`` and ``keep`` are each
    either (0, 0) or full size: ``logits`` (n, k) then receives the output
    layer's pre-activations, ``keep`` (n, Σ hidden widths + k) every neuron's
    activation.
    """
    n, n_in = x.shape
    params, x, out = _borrow(params), _borrow(x), _borrow(out)
    logits, keep = _borrow(logits), _borrow(keep)
    layers, codes, cols = _borrow(net.layers), _borrow(net.codes), _borrow(net.cols)
    abuf, zbuf = _borrow(bufs.a), _borrow(bufs.z)
    drop_thr, drop_scale = _borrow(net.drop_thr), _borrow(net.drop_scale)
    n_layers = layers.shape[0]
    k = layers[n_layers - 1, 1]
    total = cols[n_layers] + k
    caller_mode = _flush_subnormals(net.flush)
    for start in range(0, n, chunk):
        rows = min(chunk, n - start)
        a0 = _view(abuf, rows, 0, n_in)
        for i in range(rows):
            for j in range(n_in):
                a0[i, j] = x[start + i, j]
        _forward(params, layers, codes, cols, rows, abuf, zbuf, abuf, drop_thr, drop_scale,
                 np.uint64(0), 0, False)  # fmt: skip
        a_out = _view(abuf, rows, cols[n_layers], k)
        for i in range(rows):
            for j in range(k):
                out[start + i, j] = a_out[i, j]
        if logits.shape[0] > 0:
            z_out = _view(zbuf, rows, cols[n_layers], k)
            for i in range(rows):
                for j in range(k):
                    logits[start + i, j] = z_out[i, j]
        if keep.shape[0] > 0:
            a_all = abuf[: rows * total]
            for layer in range(1, n_layers + 1):
                width = layers[layer - 1, 1]
                a_l = _view(a_all, rows, cols[layer], width)
                c0 = cols[layer] - n_in
                for i in range(rows):
                    for j in range(width):
                        keep[start + i, c0 + j] = a_l[i, j]
    _restore_mode(net.flush, caller_mode)


# ------------------------------------------------------------------ cache freshness
# Numba's on-disk cache knows only this file's time stamp: kernels cached before an
# edit of the activation table or of another frozen constant (another file) would load
# and run the old ones.  Their fingerprint (kernels/freshness.py) is compiled into one
# kernel; when the cached one disagrees, this file's cached kernels are deleted and
# compile afresh.

KERNEL_FINGERPRINT = freshness.FINGERPRINT


@jit
def _compiled_fingerprint():
    return KERNEL_FINGERPRINT


def _drop_stale_kernels() -> bool:
    """Delete this file's cached kernels if they were compiled from other constants."""
    return freshness.drop_if_stale(_compiled_fingerprint, KERNEL_FINGERPRINT, __file__)


_drop_stale_kernels()


# ------------------------------------------------------------------ engine object


#: An output a forward pass is not asked for.
_NONE = np.empty((0, 0), np.float32)


def _epoch_ends(order: np.ndarray, epoch_ends: np.ndarray | None) -> np.ndarray:
    if epoch_ends is None:
        return np.array([order.shape[0]], np.int64)
    return np.ascontiguousarray(epoch_ends, np.int64)


class NumbaEngine:
    """Trains and evaluates one network shape with the compiled kernels."""

    name = "numba"
    CHUNK = 256

    def __init__(self, spec: NetworkSpec, max_batch: int, *, flush_subnormals: bool = True) -> None:
        self.spec = spec
        self.layout = ParamLayout.of(spec.sizes)
        rates = spec.dropouts
        self.net = Net(
            layers=self.layout.offsets_array(),
            codes=np.array([kernel_code(name) for name in spec.activations], np.int64),
            cols=np.concatenate([[0], np.cumsum(spec.sizes)]).astype(np.int64),
            loss=LOSS_CODE[spec.loss],
            wmask=self.layout.weights_mask(),
            drop_thr=np.array([dropout_threshold(r) for r in rates], np.int64),
            drop_scale=np.array([1.0 / (1.0 - r) for r in rates], np.float32),
            flush=FLUSH_SUBNORMALS if flush_subnormals else 0,
        )
        self._alloc(max_batch)

    def _alloc(self, rows: int) -> None:
        self.max_rows = max(rows, self.CHUNK)
        size = self.max_rows * int(self.net.cols[-1])
        self.bufs = Buffers(
            a=np.zeros(size, np.float32),
            z=np.zeros(size, np.float32),
            d=np.zeros(size, np.float32),
            m=np.zeros(size, np.float32),
            y=np.zeros((self.max_rows, self.spec.n_outputs), np.float32),
        )

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
        """Run ``n_batches`` optimizer steps; returns the sum of batch loss × batch rows.

        ``epoch_ends``: where in ``order`` each epoch ends (default: one epoch,
        ending at ``order``'s end); batches stop at each, as in one call per epoch.
        """
        if batch_size > self.max_rows:
            self._alloc(batch_size)
        # plain ints and fixed dtypes: another type in a field would compile the kernel again
        run = Batches(
            x=x, y=y, order=order, pos=int(pos), ends=_epoch_ends(order, epoch_ends),
            n_batches=int(n_batches), batch_size=int(batch_size), lrs=lrs,
            l1=np.float32(l1), l2=np.float32(l2), seed=np.uint64(seed), step0=int(step),
        )  # fmt: skip
        opt = Optimizer(cfg.code, cfg.hyper(), state.m, state.v, int(state.t))
        loss, steps = train_batches(params, grad, self.net, opt, run, self.bufs)
        state.t += int(steps)
        return float(loss)

    def forward(self, params: np.ndarray, x: np.ndarray, keep_all: bool = False) -> np.ndarray:
        """Outputs for rows ``x``; with ``keep_all`` every neuron's activation, hidden first."""
        n = x.shape[0]
        out = np.empty((n, self.spec.n_outputs), np.float32)
        width = int(self.net.cols[-1]) - self.spec.sizes[0]
        keep = np.empty((n, width) if keep_all else (0, 0), np.float32)
        forward_rows(params, self.net, np.ascontiguousarray(x, np.float32), out, _NONE, keep,
                     self.bufs, self.CHUNK)  # fmt: skip
        return keep if keep_all else out

    def outputs(self, params: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(logits, outputs) for rows ``x``: the output layer before and after its activation."""
        n, k = x.shape[0], self.spec.n_outputs
        out = np.empty((n, k), np.float32)
        logits = np.empty((n, k), np.float32)
        forward_rows(params, self.net, np.ascontiguousarray(x, np.float32), out, logits, _NONE,
                     self.bufs, self.CHUNK)  # fmt: skip
        return logits, out


def warm_up(progress: Callable[[int, int, str], None] | None = None) -> None:
    """Compile (or load from the cache) every kernel, on a throwaway tiny network.

    ``progress(done, total, what)`` is called before each kernel and once at the end
    (``done == total``), so a caller can show how far the first start has got.
    """
    spec = NetworkSpec(("x1", "x2"), (), 1, "sigmoid", "bce")
    engine = NumbaEngine(spec, 4)
    params = np.zeros(engine.layout.size, np.float32)
    x = np.zeros((4, 2), np.float32)
    y = np.zeros((4, 1), np.float32)
    order = np.arange(4, dtype=np.int64)
    cfg = OptimizerConfig("sgd")
    state = OptimizerState.zeros(params.size)

    def train() -> None:
        # the epochs' shuffles belong to training: planned and drawn before each call
        epoch_kernels.warm_up()
        engine.train_batches(params, np.zeros_like(params), state, cfg, x, y, order, 0, 1, 4,
                             np.ones(1, np.float32), 0.0, 0.0, 0, 0)  # fmt: skip

    stages: tuple[tuple[str, Callable[[], object]], ...] = (
        ("training kernel", train),
        ("prediction kernel", lambda: engine.forward(params, x)),
        ("boundary picture kernel", picture.warm_up),
        ("activation kernel", lambda: engine.forward(params, x, keep_all=True)),
    )
    for done, (what, compile_it) in enumerate(stages):
        if progress is not None:
            progress(done, len(stages), what)
        compile_it()
    if progress is not None:
        progress(len(stages), len(stages), "ready")
