"""Which training engine runs: the names a user may give, whether CUDA can run, and `auto`'s rule.

The engines themselves live in :mod:`dlviz.core.kernels`.  A user (CLI
``--engine``, the app's Train > Engine menu, a project file) chooses one of
:data:`ENGINE_CHOICES`; :func:`resolve` turns the choice into the engine that
actually runs (``cpu``, ``cuda`` or ``reference``, never ``auto``) and, when
it had to fall back, a one-line note saying what to install.

numba-cuda is imported only here and in :mod:`dlviz.core.kernels.cuda`, and
only when CUDA is asked for, so the CPU-only install never needs it.
"""

from __future__ import annotations

import functools
import importlib.util
from typing import Protocol

import numpy as np

from dlviz.core.errors import DlvizError
from dlviz.core.kernels import INSTALL_HINT
from dlviz.core.network import NetworkSpec
from dlviz.core.optim import OptimizerConfig, OptimizerState


class Engine(Protocol):
    """What the trainer calls on an engine (kernels/cpu.py documents the contract)."""

    name: str

    def train_batches(
        self, params: np.ndarray, grad: np.ndarray, state: OptimizerState,
        cfg: OptimizerConfig, x: np.ndarray, y: np.ndarray, order: np.ndarray, pos: int,
        n_batches: int, batch_size: int, lrs: np.ndarray, l1: float, l2: float, seed: int,
        step: int, epoch_ends: np.ndarray | None = None,
    ) -> float: ...  # fmt: skip

    def forward(self, params: np.ndarray, x: np.ndarray, keep_all: bool = False) -> np.ndarray: ...

    def outputs(self, params: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]: ...


#: What a user may choose.  ``numba`` (the CPU engine's old name) is read as ``cpu``.
ENGINE_CHOICES = ("auto", "cpu", "cuda", "reference")
ALIASES = {"numba": "cpu"}
ENGINE_HELP = {
    "auto": "the CUDA engine where a GPU is expected to be faster, else the CPU engine",
    "cpu": "the Numba-compiled CPU engine",
    "cuda": "the numba-cuda GPU engine (falls back to the CPU engine without a GPU)",
    "reference": "the readable NumPy engine (slow; the tests' oracle)",
}


#: ``auto`` picks CUDA on a real GPU when a batch needs at least this many
#: multiply-adds (batch rows x the network's weights).  PROVISIONAL: no GPU has
#: measured the crossover yet, so this is a guess from arithmetic (a launch costs
#: ~10 us; the CPU engine does ~1e9 multiply-adds/s), not a measurement.  Run
#: ``python benchmarks/engine.py`` on a GPU machine and set it from the ratios.
AUTO_MIN_WORK = 1 << 16


def canonical(choice: str) -> str:
    """The engine choice ``choice`` names (``numba`` -> ``cpu``); DlvizError if none."""
    name = ALIASES.get(choice.strip().lower(), choice.strip().lower())
    if name not in ENGINE_CHOICES:
        raise DlvizError(f"unknown engine '{choice}'; choose from {', '.join(ENGINE_CHOICES)}")
    return name


def simulated() -> bool:
    """Whether numba-cuda runs kernels in its CPU simulator (NUMBA_ENABLE_CUDASIM=1)."""
    from numba import config

    return bool(getattr(config, "ENABLE_CUDASIM", 0))


@functools.cache
def cuda_problem() -> str | None:
    """Why the CUDA engine cannot run here, with what to install; None when it can.

    Under the simulator the engine runs (slowly), so there is no problem; on a
    real machine :func:`dlviz.core.kernels.cuda.probe` launches a tiny kernel once.
    """
    if importlib.util.find_spec("numba_cuda") is None:
        return f"numba-cuda is not installed: {INSTALL_HINT}"
    from dlviz.core.kernels.cuda import probe

    return probe()


def auto_prefers_cuda(spec: NetworkSpec, batch_size: int) -> bool:
    """`auto`'s provisional rule (see AUTO_MIN_WORK), for a real GPU."""
    sizes = spec.sizes
    weights = sum(sizes[i] * sizes[i + 1] for i in range(len(sizes) - 1))
    return batch_size * weights >= AUTO_MIN_WORK


def resolve(choice: str, spec: NetworkSpec, batch_size: int) -> tuple[str, str | None]:
    """(the engine that runs, a note for the user or None) for the user's ``choice``.

    ``auto`` never picks the simulator: it is correct but ~10^5 times slower.
    """
    name = canonical(choice)
    if name in ("cpu", "reference"):
        return name, None
    if name == "auto":
        if importlib.util.find_spec("numba_cuda") is None or simulated():
            return "cpu", None
        if cuda_problem() is None and auto_prefers_cuda(spec, batch_size):
            return "cuda", None
        return "cpu", None
    problem = cuda_problem()
    if problem is not None:
        return "cpu", f"CUDA engine unavailable: {problem}; training on the CPU engine"
    if simulated():
        return "cuda", "CUDA engine in numba's simulator (NUMBA_ENABLE_CUDASIM=1): exact but slow"
    return "cuda", None
