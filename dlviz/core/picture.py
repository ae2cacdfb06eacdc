"""The decision boundary's picture in one compiled pass: network output grid -> RGBA pixels.

The canvas redraws its heatmap up to 30 times a second on the GUI thread.  In
NumPy that is a dozen passes over a 240 x 240 x k array (about 7 ms, a frame's
budget gone); fused per pixel it is well under a millisecond.  The readable
NumPy forms, :func:`dlviz.core.colors.smooth_output` followed by
:func:`dlviz.core.colors.classify_image`, are the oracle the tests compare
this kernel with.
"""

from __future__ import annotations

import numpy as np

from dlviz.core.jit import jit

F0 = np.float32(0.0)
F1 = np.float32(1.0)
HALF = np.float32(0.5)
BYTE = np.float32(255.0)


@jit
def classify_picture(t, size, softmax, class_rgb, bg, strength, discrete, out):
    """Fill ``out`` (size, size, 4) uint8 from ``t`` (h, w, k) float32.

    ``t`` holds the output transformed to where it is smooth: logits of the
    sigmoid outputs, or log-probabilities of a softmax (``softmax`` True).
    Each pixel interpolates ``t`` bilinearly (corner samples stay in the
    corners), maps it back to probabilities, blends the class colours by them
    and moves from the background ``bg`` towards that blend by
    ``strength`` x confidence, as ``classify_image`` does.
    """
    h, w, k = t.shape
    n_cls = 2 if k == 1 else k
    probs = np.empty(n_cls, np.float32)
    vals = np.empty(k, np.float32)
    uniform = F1 / np.float32(n_cls)
    for i in range(size):
        py = np.float32(i * (h - 1)) / np.float32(size - 1)
        y0 = min(int(py), h - 2)
        fy = py - np.float32(y0)
        for j in range(size):
            px = np.float32(j * (w - 1)) / np.float32(size - 1)
            x0 = min(int(px), w - 2)
            fx = px - np.float32(x0)
            for c in range(k):
                top = (F1 - fx) * t[y0, x0, c] + fx * t[y0, x0 + 1, c]
                bottom = (F1 - fx) * t[y0 + 1, x0, c] + fx * t[y0 + 1, x0 + 1, c]
                vals[c] = (F1 - fy) * top + fy * bottom
            if softmax:
                most = vals[0]
                for c in range(1, k):
                    most = max(most, vals[c])
                for c in range(k):
                    vals[c] = np.exp(vals[c] - most)
            else:
                for c in range(k):
                    vals[c] = F1 / (F1 + np.exp(-vals[c]))
            if k == 1:
                p = min(max(vals[0], F0), F1)
                probs[0] = F1 - p
                probs[1] = p
            else:
                total = F0
                for c in range(k):
                    vals[c] = max(vals[c], F0)
                    total += vals[c]
                for c in range(k):
                    probs[c] = vals[c] / total if total > F0 else uniform
            best = 0
            for c in range(1, n_cls):
                if probs[c] > probs[best]:
                    best = c
            if discrete:
                for c in range(n_cls):
                    probs[c] = F1 if c == best else F0
            conf = (probs[best] - uniform) / (F1 - uniform)
            amount = strength * min(max(conf, F0), F1)
            for ch in range(3):
                blend = F0
                for c in range(n_cls):
                    blend += probs[c] * class_rgb[c, ch]
                v = bg[ch] + (blend - bg[ch]) * amount
                out[i, j, ch] = np.uint8(min(max(v, F0), BYTE) + HALF)
            out[i, j, 3] = 255


def warm_up() -> None:
    """Compile (or load from the cache) the picture kernel on a tiny grid."""
    out = np.empty((4, 4, 4), np.uint8)
    rgb = np.zeros((2, 3), np.float32)
    classify_picture(np.zeros((2, 2, 1), np.float32), 4, False, rgb, rgb[0], F1, False, out)
