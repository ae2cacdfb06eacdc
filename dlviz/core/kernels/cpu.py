"""Numba CPU engine: float32 kernels over preallocated buffers, one call per time slice.

The arithmetic is that of :mod:`dlviz.core.kernels.reference` (tests compare
them step for step).  Kernels are pure functions over arrays: parameters,
optimizer state and scratch buffers come in, nothing is global.  All of them
release the GIL so the GUI keeps drawing while one runs.

Layer activations live in flat buffers: layer ``l`` of a batch of ``B`` rows
occupies ``buf[B*col[l] : B*(col[l]+size[l])]`` viewed as (B, size[l]).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from dlviz.core import picture
from dlviz.core.jit import jit
from dlviz.core.network import (
    ACTIVATION_CODE,
    DROPOUT_HASH_BITS,
    LEAKY_SLOPE,
    LOSS_CODE,
    OUTPUT_CODE,
    NetworkSpec,
    ParamLayout,
    dropout_threshold,
)
from dlviz.core.optim import OptimizerConfig, OptimizerState

# Hidden activations use ACTIVATION_CODE 0..6; the output layer uses these.
OUT_IDENTITY = 100 + OUTPUT_CODE["identity"]
OUT_SIGMOID = 100 + OUTPUT_CODE["sigmoid"]
OUT_SOFTMAX = 100 + OUTPUT_CODE["softmax"]
LOSS_MSE, LOSS_BCE, LOSS_CE = LOSS_CODE["mse"], LOSS_CODE["bce"], LOSS_CODE["ce"]

#: Below this many weights a layer is multiplied with hand loops: BLAS call
#: overhead dominates for the narrow layers of classroom nets.
BLAS_MIN_WEIGHTS = 1024

F0 = np.float32(0.0)
F1 = np.float32(1.0)
HALF = np.float32(0.5)
LEAKY = np.float32(LEAKY_SLOPE)
GELU_C = np.float32(math.sqrt(2.0 / math.pi))
GELU_K = np.float32(0.044715)
GOLDEN = np.uint64(0x9E3779B97F4A7C15)
#: Dropout compares the top DROPOUT_HASH_BITS of a 64-bit hash with its threshold.
HASH_SHIFT = np.uint64(64 - DROPOUT_HASH_BITS)


# ------------------------------------------------------------------ dense algebra


@jit
def _affine(a, w, b, z):
    """z = a @ w + b."""
    rows, fan_in = a.shape
    fan_out = w.shape[1]
    if fan_in * fan_out >= BLAS_MIN_WEIGHTS and rows >= 8:
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
    if fan_in * fan_out >= BLAS_MIN_WEIGHTS and rows >= 8:
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
    if fan_in * fan_out >= BLAS_MIN_WEIGHTS and rows >= 8:
        np.dot(dz, w.T, da)
        return
    for i in range(rows):
        for k in range(fan_in):
            s = F0
            for j in range(fan_out):
                s += dz[i, j] * w[k, j]
            da[i, k] = s


# ------------------------------------------------------------------ activations


@jit
def _activate(code, z, a):
    rows, cols = z.shape
    if code == 0 or code == OUT_IDENTITY:  # linear
        a[:, :] = z
    elif code == 1 or code == OUT_SIGMOID:
        for i in range(rows):
            for j in range(cols):
                a[i, j] = HALF * (np.tanh(HALF * z[i, j]) + F1)
    elif code == 2:
        for i in range(rows):
            for j in range(cols):
                a[i, j] = np.tanh(z[i, j])
    elif code == 3:
        for i in range(rows):
            for j in range(cols):
                a[i, j] = max(z[i, j], F0)
    elif code == 4:
        for i in range(rows):
            for j in range(cols):
                v = z[i, j]
                a[i, j] = v if v > F0 else LEAKY * v
    elif code == 5:
        for i in range(rows):
            for j in range(cols):
                v = z[i, j]
                a[i, j] = v if v > F0 else np.expm1(v)
    elif code == 6:
        for i in range(rows):
            for j in range(cols):
                v = z[i, j]
                a[i, j] = HALF * v * (F1 + np.tanh(GELU_C * (v + GELU_K * v * v * v)))
    else:  # softmax, row by row
        for i in range(rows):
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


@jit
def _activation_grad(code, z, a_pre):
    """f'(z) for one element; ``a_pre`` is f(z) before dropout."""
    if code == 1 or code == OUT_SIGMOID:
        return a_pre * (F1 - a_pre)
    if code == 2:
        return F1 - a_pre * a_pre
    if code == 3:
        return F1 if z > F0 else F0
    if code == 4:
        return F1 if z > F0 else LEAKY
    if code == 5:
        return F1 if z > F0 else a_pre + F1
    if code == 6:
        t = np.tanh(GELU_C * (z + GELU_K * z * z * z))
        return HALF * (F1 + t) + HALF * z * (F1 - t * t) * GELU_C * (
            F1 + np.float32(3.0) * GELU_K * z * z
        )
    return F1


# ------------------------------------------------------------------ dropout


@jit
def _mix64(z):
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


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


@jit
def _view(buf, rows, col, width):
    return buf[rows * col : rows * (col + width)].reshape(rows, width)


@jit
def _forward(
    params, layers, codes, cols, rows, abuf, zbuf, mbuf, drop_thr, drop_scale, seed, step, train
):  # noqa: E501
    """Forward through all layers; ``abuf`` layer 0 must already hold the input rows."""
    n_layers = layers.shape[0]
    for layer in range(n_layers):
        fan_in, fan_out, wo, bo = (
            layers[layer, 0],
            layers[layer, 1],
            layers[layer, 2],
            layers[layer, 3],
        )
        w = params[wo : wo + fan_in * fan_out].reshape(fan_in, fan_out)
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
            dz[i, j] = two * d * _activation_grad(out_code, z[i, j], a[i, j])
    return total / (rows * k)


@jit
def _backward(params, grad, layers, codes, cols, rows, abuf, zbuf, dbuf, mbuf, drop_thr):  # noqa: E501
    """Backpropagate from the output dZ already in ``dbuf`` to every gradient in ``grad``."""
    for layer in range(layers.shape[0] - 1, -1, -1):
        fan_in, fan_out, wo, bo = (
            layers[layer, 0],
            layers[layer, 1],
            layers[layer, 2],
            layers[layer, 3],
        )
        dz = _view(dbuf, rows, cols[layer + 1], fan_out)
        a_in = _view(abuf, rows, cols[layer], fan_in)
        gw = grad[wo : wo + fan_in * fan_out].reshape(fan_in, fan_out)
        _grad_weights(a_in, dz, gw, grad[bo : bo + fan_out])
        if layer == 0:
            break
        w = params[wo : wo + fan_in * fan_out].reshape(fan_in, fan_out)
        da = _view(dbuf, rows, cols[layer], fan_in)
        _grad_inputs(dz, w, da)
        z = _view(zbuf, rows, cols[layer], fan_in)
        code = codes[layer - 1]
        if drop_thr[layer - 1] > 0:
            m = _view(mbuf, rows, cols[layer], fan_in)
            for i in range(rows):
                for j in range(fan_in):
                    f = m[i, j]
                    if f == F0:
                        da[i, j] = F0
                    else:
                        da[i, j] *= f * _activation_grad(code, z[i, j], a_in[i, j] / f)
        elif code != 0:
            for i in range(rows):
                for j in range(fan_in):
                    da[i, j] *= _activation_grad(code, z[i, j], a_in[i, j])


@jit
def apply_update(opt, params, grad, m, v, t, lr, hyper, wmask):
    """One optimizer step in place; ``t`` is the 1-based step number (see optim.update)."""
    mom, b1, b2, eps, rho, wd = hyper[0], hyper[1], hyper[2], hyper[3], hyper[4], hyper[5]
    n = params.shape[0]
    if opt <= 1:  # gd, sgd
        for i in range(n):
            params[i] -= lr * grad[i]
    elif opt == 2:  # momentum
        for i in range(n):
            m[i] = mom * m[i] + grad[i]
            params[i] -= lr * m[i]
    elif opt == 3:  # nesterov
        for i in range(n):
            m[i] = mom * m[i] + grad[i]
            params[i] -= lr * (grad[i] + mom * m[i])
    elif opt == 4:  # adagrad
        for i in range(n):
            v[i] += grad[i] * grad[i]
            params[i] -= lr * grad[i] / (np.sqrt(v[i]) + eps)
    elif opt == 5:  # rmsprop
        for i in range(n):
            v[i] = rho * v[i] + (F1 - rho) * grad[i] * grad[i]
            params[i] -= lr * grad[i] / (np.sqrt(v[i]) + eps)
    else:  # adam, adamw
        if opt == 7:  # decoupled weight decay, weights only
            decay = lr * wd
            for i in range(n):
                params[i] -= decay * wmask[i] * params[i]
        # bias corrections folded into two scalars keep the loop free of divisions by them
        step_size = lr / np.float32(1.0 - float(b1) ** t)
        inv_c2 = F1 / np.float32(1.0 - float(b2) ** t)
        for i in range(n):
            g = grad[i]
            mi = b1 * m[i] + (F1 - b1) * g
            vi = b2 * v[i] + (F1 - b2) * g * g
            m[i] = mi
            v[i] = vi
            params[i] -= step_size * mi / (np.sqrt(vi * inv_c2) + eps)


@jit
def train_batches(
    params, grad, m, v, t0, layers, codes, cols, loss_code,
    x, y, order, pos, n_batches, batch_size, lrs, opt, hyper, wmask, l1, l2,
    drop_thr, drop_scale, seed, step0, abuf, zbuf, dbuf, mbuf, ybuf, ends,
):  # fmt: skip
    """Train ``n_batches`` mini-batches taken from ``order[pos:]``.

    Returns (Σ batch loss × rows, batches trained).  ``ends`` are the
    positions in ``order`` where an epoch ends (ascending, the last one
    ``order.shape[0]``): a batch never reaches across one, so several epochs'
    shuffles laid end to end train in one call exactly as one call per epoch
    would, the last batch of an epoch holding what is left of it.
    ``t0`` is the number of optimizer steps already taken (Adam's bias
    correction counts from it); ``step0`` is the trainer's step count, which
    picks the dropout masks.  ``grad`` ends holding the last batch's gradient.
    """
    n_in = x.shape[1]
    n_layers = layers.shape[0]
    k = layers[n_layers - 1, 1]
    out_code = codes[n_layers - 1]
    regularise = l1 != F0 or l2 != F0
    loss_sum = 0.0
    start = pos
    e = 0
    done = 0
    for bi in range(n_batches):
        while e < ends.shape[0] and start >= ends[e]:
            e += 1
        if e == ends.shape[0]:
            break
        rows = min(batch_size, ends[e] - start)
        a0 = _view(abuf, rows, 0, n_in)
        yb = ybuf[:rows]
        for i in range(rows):
            r = order[start + i]
            for j in range(n_in):
                a0[i, j] = x[r, j]
            for j in range(k):
                yb[i, j] = y[r, j]
        step = step0 + bi
        _forward(
            params,
            layers,
            codes,
            cols,
            rows,
            abuf,
            zbuf,
            mbuf,
            drop_thr,
            drop_scale,
            seed,
            step,
            True,
        )  # noqa: E501
        c_out = cols[n_layers]
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
        apply_update(opt, params, grad, m, v, t0 + bi + 1, lrs[bi], hyper, wmask)
        start += rows
        done += 1
    return loss_sum, done


@jit
def forward_rows(params, layers, codes, cols, x, out, logits, keep, abuf, zbuf, chunk):  # noqa: E501
    """Evaluate the network (no dropout) on every row of ``x`` in chunks of ``chunk`` rows.

    ``out`` (n, k) receives the outputs.  ``logits`` and ``keep`` are each
    either (0, 0) or full size: ``logits`` (n, k) then receives the output
    layer's pre-activations, ``keep`` (n, Σ hidden widths + k) every neuron's
    activation.
    """
    n, n_in = x.shape
    n_layers = layers.shape[0]
    k = layers[n_layers - 1, 1]
    total = cols[n_layers] + k
    dummy_thr = np.zeros(n_layers, dtype=np.int64)
    dummy_scale = np.zeros(n_layers, dtype=np.float32)
    for start in range(0, n, chunk):
        rows = min(chunk, n - start)
        a0 = _view(abuf, rows, 0, n_in)
        for i in range(rows):
            for j in range(n_in):
                a0[i, j] = x[start + i, j]
        _forward(
            params, layers, codes, cols, rows, abuf, zbuf, abuf, dummy_thr, dummy_scale, 0, 0, False
        )  # noqa: E501
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

    def __init__(self, spec: NetworkSpec, max_batch: int) -> None:
        self.spec = spec
        self.layout = ParamLayout.of(spec.sizes)
        self.layers = self.layout.offsets_array()
        self.codes = np.array(
            [ACTIVATION_CODE[h.activation] for h in spec.hidden] + [100 + OUTPUT_CODE[spec.output]],
            dtype=np.int64,
        )
        self.cols = np.concatenate([[0], np.cumsum(spec.sizes)]).astype(np.int64)
        self.loss_code = LOSS_CODE[spec.loss]
        self.wmask = self.layout.weights_mask()
        rates = spec.dropouts
        self.drop_thr = np.array([dropout_threshold(r) for r in rates], dtype=np.int64)
        self.drop_scale = np.array([1.0 / (1.0 - r) for r in rates], dtype=np.float32)
        self._alloc(max_batch)

    def _alloc(self, rows: int) -> None:
        self.max_rows = max(rows, self.CHUNK)
        size = self.max_rows * int(self.cols[-1])
        self.abuf = np.zeros(size, np.float32)
        self.zbuf = np.zeros(size, np.float32)
        self.dbuf = np.zeros(size, np.float32)
        self.mbuf = np.zeros(size, np.float32)
        self.ybuf = np.zeros((self.max_rows, self.spec.n_outputs), np.float32)

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
        ends = _epoch_ends(order, epoch_ends)
        loss, steps = train_batches(
            params, grad, state.m, state.v, state.t, self.layers, self.codes, self.cols,
            self.loss_code, x, y, order, pos, n_batches, batch_size, lrs, cfg.code,
            cfg.hyper(), self.wmask, np.float32(l1), np.float32(l2), self.drop_thr,
            self.drop_scale, np.uint64(seed), step, self.abuf, self.zbuf, self.dbuf, self.mbuf,
            self.ybuf, ends,
        )  # fmt: skip
        state.t += int(steps)
        return float(loss)

    def forward(self, params: np.ndarray, x: np.ndarray, keep_all: bool = False) -> np.ndarray:
        """Outputs for rows ``x``; with ``keep_all`` every neuron's activation, hidden first."""
        n = x.shape[0]
        k = self.spec.n_outputs
        out = np.empty((n, k), np.float32)
        width = int(self.cols[-1]) - self.spec.sizes[0]
        keep = np.empty((n, width) if keep_all else (0, 0), np.float32)
        forward_rows(
            params, self.layers, self.codes, self.cols, np.ascontiguousarray(x, np.float32),
            out, _NONE, keep, self.abuf, self.zbuf, self.CHUNK,
        )  # fmt: skip
        return keep if keep_all else out

    def outputs(self, params: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(logits, outputs) for rows ``x``: the output layer before and after its activation."""
        n, k = x.shape[0], self.spec.n_outputs
        out = np.empty((n, k), np.float32)
        logits = np.empty((n, k), np.float32)
        forward_rows(
            params, self.layers, self.codes, self.cols, np.ascontiguousarray(x, np.float32),
            out, logits, _NONE, self.abuf, self.zbuf, self.CHUNK,
        )  # fmt: skip
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
    stages: tuple[tuple[str, Callable[[], object]], ...] = (
        (
            "training kernel",
            lambda: engine.train_batches(
                params,
                np.zeros_like(params),
                state,
                cfg,
                x,
                y,
                order,
                0,
                1,
                4,
                np.ones(1, np.float32),
                0.0,
                0.0,
                0,
                0,
            ),  # fmt: skip
        ),
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
