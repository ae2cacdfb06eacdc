"""The activation table: each entry's forms agree, and every engine and export reads it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from dlviz.core import activations
from dlviz.core.activations import HIDDEN, SOFTMAX, activation, kernel_code
from dlviz.core.jit import jit
from dlviz.core.network import ACTIVATIONS, OUTPUTS

Z = np.concatenate([np.linspace(-6, 6, 241), [-30.0, -1e-3, 1e-3, 30.0]])
NAMES = [a.name for a in HIDDEN]


@pytest.mark.parametrize("name", NAMES)
def test_the_derivative_is_the_forwards_slope(name):
    """Oracle: central finite differences of the NumPy forward, in float64."""
    act = activation(name)
    z = Z[np.abs(Z) > 1e-2]  # away from ReLU's kink
    h = 1e-6
    numeric = (act.forward(z + h) - act.forward(z - h)) / (2 * h)
    np.testing.assert_allclose(act.derivative(z, act.forward(z)), numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("compiled", [False, True])
@pytest.mark.parametrize("name", NAMES)
def test_the_scalar_forms_compute_the_numpy_forms_in_float32(name, compiled):
    act = activation(name)
    f, df = act.scalar, act.scalar_derivative
    if compiled:
        f, df = jit(f), jit(df)
    z = Z.astype(np.float32)
    a = act.forward(z)
    assert a.dtype == np.float32  # the NumPy form keeps float32 float32
    got = np.array([f(v) for v in z])
    slope = np.array([df(v, w) for v, w in zip(z, a, strict=True)])
    if compiled:  # no float64 literal crept in: Numba typed them float32 -> float32
        from numba import float32

        assert [sig.return_type for sig in f.nopython_signatures] == [float32]
        assert [sig.return_type for sig in df.nopython_signatures] == [float32]
    else:
        assert got.dtype == np.float32 and slope.dtype == np.float32
    # absolute 2e-6: float32 cancels in GELU's slope where tanh -> -1 (|f'| ~ 1e-6 there)
    np.testing.assert_allclose(got, a, rtol=2e-6, atol=2e-6)
    np.testing.assert_allclose(slope, act.derivative(z, a), rtol=2e-6, atol=2e-6)


def test_the_network_offers_the_table_and_the_kernels_know_every_name():
    assert ACTIVATIONS == tuple(NAMES)
    assert len(set(kernel_code(n) for n in (*NAMES, "softmax"))) == len(NAMES) + 1
    for out in OUTPUTS:  # every output activation is an entry of the table
        assert activation(out) in (*HIDDEN, SOFTMAX)
    assert kernel_code("identity") == kernel_code("linear") == activations.LINEAR_CODE
    with pytest.raises(ValueError, match="swish"):
        activation("swish")


def test_kernels_compiled_from_another_table_are_dropped(tmp_path):
    """Numba's cache sees only cpu.py's time stamp; an edited table must not run stale code."""
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path))
    script = textwrap.dedent(
        """
        import glob, os, sys
        import dlviz.core.kernels.cpu as cpu
        if sys.argv[1] == "edited":  # as if a frozen constant had changed since the last run
            cpu.KERNEL_FINGERPRINT += 1
            print(cpu._drop_stale_kernels())
        print(len(glob.glob(os.path.join(os.environ["NUMBA_CACHE_DIR"], "**", "cpu.*.nb*"),
                            recursive=True)))
        """
    )

    def run(mode: str) -> list[str]:
        out = subprocess.run([sys.executable, "-c", script, mode], env=env, capture_output=True,
                             text=True, check=True)  # fmt: skip
        return out.stdout.split()

    assert int(run("same")[-1]) >= 2  # the fingerprint kernel is cached (index + code)
    assert int(run("same")[-1]) >= 2  # and still there when nothing changed
    dropped, left = run("edited")
    assert dropped == "True" and left == "0"
