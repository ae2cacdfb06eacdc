"""The activation table: each entry's forms agree, and every engine and export reads it."""

from __future__ import annotations

import importlib.util
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


def _cuda_compiler():
    """numba-cuda's PTX compiler, or a reason to skip (it needs NVVM, not a GPU)."""
    if importlib.util.find_spec("numba_cuda") is None:
        pytest.skip('numba-cuda is not installed (pip install -e ".[test,cuda12]")')
    from numba import config, cuda, float32

    if config.ENABLE_CUDASIM:
        pytest.skip("the simulator compiles nothing")
    try:
        cuda.compile_ptx(lambda z: z, (float32,), device=True, cc=(8, 0))
    except Exception as exc:  # only the probe: no NVVM/NVRTC libraries (the cu12/cu13 extra)
        pytest.skip(f"numba-cuda cannot compile here: {type(exc).__name__}")
    return cuda.compile_ptx


@pytest.mark.parametrize("name", NAMES)
def test_the_scalar_forms_compile_as_cuda_device_functions_in_float32(name):
    """The CUDA engine compiles these same forms; the simulator runs them as Python and
    would accept a NumPy function numba-cuda lacks (np.expm1 was one)."""
    compile_ptx = _cuda_compiler()
    from numba import float32

    act = activation(name)
    for f, sig in ((act.scalar, (float32,)), (act.scalar_derivative, (float32, float32))):
        ptx, returns = compile_ptx(f, sig, device=True, cc=(8, 0))
        assert returns == float32
        assert ".f64" not in ptx  # no float64 arithmetic on the device either


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
