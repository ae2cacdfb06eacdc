"""The activations, each declared once: its formula for every engine and every export.

One :class:`Activation` per function holds everything that differs between
them: the NumPy forward and derivative (the reference engine, in any float
dtype), the scalar forms the compiled engines build their kernels from
(float32 in, float32 out), and the forms the exports write (an ONNX node,
a NumPy expression, a PyTorch module).  The engines and exporters only read
:data:`HIDDEN` and :func:`activation`; nothing else names an activation.

To add one (see docs/ARCHITECTURE.md, "Add an activation"): append an
``Activation`` to :data:`HIDDEN`; the network's choices, the engines, the
exports and the app's menus follow.  ``tests/core/test_engine.py`` then
checks it against finite differences and the compiled engine against the
reference (both parametrised over ``ACTIVATIONS``), ``tests/core/test_exports.py``
checks each export with the tool that reads it (add the function's formula to
that test's own independent table), and ``tests/core/test_activations.py``
checks the scalar forms against the NumPy ones.

Scalar forms are plain Python written for Numba, CPU and CUDA alike: float32
constants (a bare ``0.5`` would turn the float32 kernels float64), no objects,
and only functions numba-cuda also compiles (``np.expm1`` it does not: use
``math.expm1``); ``tests/core/test_activations.py`` compiles them for both.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

#: Slope of leaky ReLU for negative inputs (PyTorch's default, and ONNX's).
LEAKY_SLOPE = 0.01
#: GELU's tanh approximation (PyTorch's ``approximate="tanh"``): sqrt(2/pi) and the cubic's weight.
GELU_C = math.sqrt(2.0 / math.pi)
GELU_K = 0.044715

F0 = np.float32(0.0)
F1 = np.float32(1.0)
HALF = np.float32(0.5)
LEAKY = np.float32(LEAKY_SLOPE)
GELU_C32 = np.float32(GELU_C)
GELU_K32 = np.float32(GELU_K)
THREE = np.float32(3.0)

#: ``op(kind, *inputs, **attributes) -> output name`` and ``const(value) -> name``: how an
#: activation adds its nodes to an ONNX graph (see :func:`dlviz.core.export.onnx_bytes`).
OnnxOp = Callable[..., str]
OnnxConst = Callable[..., str]


@dataclass(frozen=True)
class Activation:
    """One activation function in all the forms dlviz computes or writes it."""

    name: str
    #: What the app's menus call it.
    label: str
    #: f(z) on NumPy arrays of any float dtype: the reference engine.
    forward: Callable[[np.ndarray], np.ndarray]
    #: f'(z), given z and a = f(z) (whichever is cheaper): the reference's backward pass.
    derivative: Callable[[np.ndarray, np.ndarray], np.ndarray]
    #: f(z) of one float32, compiled into the Numba kernels.
    scalar: Callable[[Any], Any]
    #: f'(z) of one float32 given z and a = f(z), compiled into the Numba kernels.
    scalar_derivative: Callable[[Any, Any], Any]
    #: Adds f(z) to an ONNX graph: (z, op, const) -> the output's name.
    onnx: Callable[[str, OnnxOp, OnnxConst], str]
    #: f(z) as a NumPy expression of ``z`` (the exported NumPy script).
    numpy_code: str
    #: The ``torch.nn`` module computing f (the exported PyTorch script).
    torch_code: str


# ---------------------------------------------------------------- the table's formulas
# Each function's NumPy form and its scalar form sit side by side.


def _linear(z: np.ndarray) -> np.ndarray:
    return z.copy()


def _linear_slope(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return np.ones_like(z)


def _linear_scalar(z: Any) -> Any:
    return z


def _linear_scalar_slope(z: Any, a: Any) -> Any:
    return F1


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (np.tanh(0.5 * z) + 1.0)  # = 1/(1+e^-z), without overflow


def _sigmoid_slope(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return a * (1 - a)


def _sigmoid_scalar(z: Any) -> Any:
    return HALF * (np.tanh(HALF * z) + F1)


def _sigmoid_scalar_slope(z: Any, a: Any) -> Any:
    return a * (F1 - a)


def _tanh(z: np.ndarray) -> np.ndarray:
    return np.tanh(z)


def _tanh_slope(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return 1 - a * a


# The compiled tanh: Eigen's float32 rational approximation (odd 13th over even 6th degree,
# its input clamped to ±7.9), within 6 ulp of the true tanh (measured over [-20, 20];
# np.tanh in float32: 2 ulp), exactly ±1 where float32 rounds tanh to ±1.  libm's tanhf
# is a call per value (~7-15 ns, most of a small network's time: 16 per sample for
# 2-8-8-1); this is plain arithmetic that vectorises, ~0.6 ns a value.
TANH_CLAMP = np.float32(7.90531110763549805)
TANH_LINEAR_BELOW = np.float32(0.0004)  # tanh(z) rounds to z below this
TANH_ONE_FROM = np.float32(9.010914)  # ... and to ±1 from here on (the first such float32)
TANH_P = tuple(
    np.float32(c)
    for c in (
        -2.76076847742355e-16,
        2.00018790482477e-13,
        -8.60467152213735e-11,
        5.12229709037114e-08,
        1.48572235717979e-05,
        6.37261928875436e-04,
        4.89352455891786e-03,
    )
)
TANH_Q = tuple(
    np.float32(c)
    for c in (
        1.19825839466702e-06,
        1.18534705686654e-04,
        2.26843463243900e-03,
        4.89352518554385e-03,
    )
)
P13, P11, P9, P7, P5, P3, P1 = TANH_P
Q6, Q4, Q2, Q0 = TANH_Q


def _tanh_scalar(z: Any) -> Any:
    x = min(max(z, -TANH_CLAMP), TANH_CLAMP)
    x2 = x * x
    p = x * (((((((P13 * x2 + P11) * x2 + P9) * x2 + P7) * x2 + P5) * x2 + P3) * x2) + P1)
    q = ((Q6 * x2 + Q4) * x2 + Q2) * x2 + Q0
    r = p / q
    r = z if abs(z) < TANH_LINEAR_BELOW else r
    return (F1 if z > F0 else -F1) if abs(z) >= TANH_ONE_FROM else r


def _tanh_scalar_slope(z: Any, a: Any) -> Any:
    return F1 - a * a


def _relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0)


def _relu_slope(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return (z > 0).astype(z.dtype)


def _relu_scalar(z: Any) -> Any:
    return max(z, F0)


def _relu_scalar_slope(z: Any, a: Any) -> Any:
    return F1 if z > F0 else F0


def _leakyrelu(z: np.ndarray) -> np.ndarray:
    return np.where(z > 0, z, LEAKY_SLOPE * z)


def _leakyrelu_slope(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return np.where(z > 0, 1.0, LEAKY_SLOPE).astype(z.dtype)


def _leakyrelu_scalar(z: Any) -> Any:
    return z if z > F0 else LEAKY * z


def _leakyrelu_scalar_slope(z: Any, a: Any) -> Any:
    return F1 if z > F0 else LEAKY


def _elu(z: np.ndarray) -> np.ndarray:
    return np.where(z > 0, z, np.expm1(np.minimum(z, 0)))


def _elu_slope(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return np.where(z > 0, 1.0, a + 1.0).astype(z.dtype)


def _elu_scalar(z: Any) -> Any:
    # math.expm1, not np.expm1: numba-cuda has no NumPy expm1 in device code
    return z if z > F0 else np.float32(math.expm1(z))


def _elu_scalar_slope(z: Any, a: Any) -> Any:
    return F1 if z > F0 else a + F1


def _gelu(z: np.ndarray) -> np.ndarray:
    return 0.5 * z * (1.0 + np.tanh(GELU_C * (z + GELU_K * z**3)))


def _gelu_slope(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    t = np.tanh(GELU_C * (z + GELU_K * z**3))
    return 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * GELU_C * (1 + 3 * GELU_K * z * z)


def _gelu_scalar(z: Any) -> Any:
    return HALF * z * (F1 + np.tanh(GELU_C32 * (z + GELU_K32 * z * z * z)))


def _gelu_scalar_slope(z: Any, a: Any) -> Any:
    t = np.tanh(GELU_C32 * (z + GELU_K32 * z * z * z))
    return HALF * (F1 + t) + HALF * z * (F1 - t * t) * GELU_C32 * (F1 + THREE * GELU_K32 * z * z)


def _onnx_gelu(z: str, op: OnnxOp, const: OnnxConst) -> str:
    # 0.5·z·(1 + tanh(√(2/π)·(z + 0.044715·z³)))
    cube = op("Mul", op("Mul", z, z), z)
    inner = op("Mul", op("Add", z, op("Mul", cube, const(GELU_K))), const(GELU_C))
    return op("Mul", op("Mul", z, const(0.5)), op("Add", op("Tanh", inner), const(1.0)))


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _no_scalar(*args: Any) -> Any:
    raise TypeError("softmax works on whole rows; the engines compute it themselves")


#: The hidden layers' activations, in the order the app lists them.  Their index is
#: the code the compiled kernels dispatch on.
HIDDEN: tuple[Activation, ...] = (
    Activation(
        name="linear",
        label="Linear",
        forward=_linear,
        derivative=_linear_slope,
        scalar=_linear_scalar,
        scalar_derivative=_linear_scalar_slope,
        onnx=lambda z, op, const: op("Identity", z),
        numpy_code="z",
        torch_code="nn.Identity()",
    ),
    Activation(
        name="sigmoid",
        label="Sigmoid",
        forward=_sigmoid,
        derivative=_sigmoid_slope,
        scalar=_sigmoid_scalar,
        scalar_derivative=_sigmoid_scalar_slope,
        onnx=lambda z, op, const: op("Sigmoid", z),
        numpy_code="0.5 * (np.tanh(0.5 * z) + 1.0)",
        torch_code="nn.Sigmoid()",
    ),
    Activation(
        name="tanh",
        label="Tanh",
        forward=_tanh,
        derivative=_tanh_slope,
        scalar=_tanh_scalar,
        scalar_derivative=_tanh_scalar_slope,
        onnx=lambda z, op, const: op("Tanh", z),
        numpy_code="np.tanh(z)",
        torch_code="nn.Tanh()",
    ),
    Activation(
        name="relu",
        label="ReLU",
        forward=_relu,
        derivative=_relu_slope,
        scalar=_relu_scalar,
        scalar_derivative=_relu_scalar_slope,
        onnx=lambda z, op, const: op("Relu", z),
        numpy_code="np.maximum(z, 0)",
        torch_code="nn.ReLU()",
    ),
    Activation(
        name="leakyrelu",
        label="Leaky ReLU",
        forward=_leakyrelu,
        derivative=_leakyrelu_slope,
        scalar=_leakyrelu_scalar,
        scalar_derivative=_leakyrelu_scalar_slope,
        onnx=lambda z, op, const: op("LeakyRelu", z, alpha=LEAKY_SLOPE),
        numpy_code=f"np.where(z > 0, z, {LEAKY_SLOPE!r} * z)",
        torch_code=f"nn.LeakyReLU({LEAKY_SLOPE!r})",
    ),
    Activation(
        name="elu",
        label="ELU",
        forward=_elu,
        derivative=_elu_slope,
        scalar=_elu_scalar,
        scalar_derivative=_elu_scalar_slope,
        onnx=lambda z, op, const: op("Elu", z, alpha=1.0),
        numpy_code="np.where(z > 0, z, np.expm1(np.minimum(z, 0)))",
        torch_code="nn.ELU()",
    ),
    Activation(
        name="gelu",
        label="GELU",
        forward=_gelu,
        derivative=_gelu_slope,
        scalar=_gelu_scalar,
        scalar_derivative=_gelu_scalar_slope,
        onnx=_onnx_gelu,
        numpy_code=f"0.5 * z * (1 + np.tanh({GELU_C!r} * (z + {GELU_K!r} * z**3)))",
        torch_code='nn.GELU(approximate="tanh")',
    ),
)

#: The output layer's row-wise softmax (trained with cross-entropy only).  Its derivative
#: is never needed: softmax + cross-entropy give dL/dz = a - y directly.
SOFTMAX = Activation(
    name="softmax",
    label="Softmax",
    forward=_softmax,
    derivative=_no_scalar,
    scalar=_no_scalar,
    scalar_derivative=_no_scalar,
    onnx=lambda z, op, const: op("Softmax", z, axis=1),
    numpy_code="np.exp(z - z.max(axis=1, keepdims=True)) / "
    "np.exp(z - z.max(axis=1, keepdims=True)).sum(axis=1, keepdims=True)",
    torch_code="nn.Softmax(dim=1)",
)

#: Names of the hidden activations a network may use.
ACTIVATIONS = tuple(a.name for a in HIDDEN)
#: Output activations: the output layer's names for the table's functions.
OUTPUT_ACTIVATIONS = {"identity": "linear", "sigmoid": "sigmoid", "softmax": "softmax"}

_BY_NAME = {a.name: a for a in (*HIDDEN, SOFTMAX)}

#: Codes of the compiled kernels: a hidden activation's index in HIDDEN, softmax -1.
SOFTMAX_CODE = -1
LINEAR_CODE = ACTIVATIONS.index("linear")


def activation(name: str) -> Activation:
    """The activation a hidden layer or the output layer (``identity`` too) names."""
    found = _BY_NAME.get(OUTPUT_ACTIVATIONS.get(name, name))
    if found is None:
        raise ValueError(f"unknown activation {name!r}")
    return found


def kernel_code(name: str) -> int:
    """The integer the compiled kernels know activation ``name`` by."""
    act = activation(name)
    return SOFTMAX_CODE if act is SOFTMAX else ACTIVATIONS.index(act.name)
