"""The thread policy: how many threads training, BLAS and PyTorch use, and setting it.

* The engine trains on **one thread**: the CLI's main thread, or the app's
  worker thread (the app's GUI thread draws on the other core).  Its kernels
  are not ``parallel=True`` (that hurts small nets, and two threads calling
  parallel kernels can abort Numba's work queue).
* **BLAS gets one thread** in the CLI, the app and the benchmark.  Wide
  layers multiply through BLAS (``np.dot`` in the kernels calls SciPy's
  OpenBLAS), and OpenBLAS starts a thread per core for every call it thinks
  is large enough.  The engine's calls are small (a 64-row batch times a
  256×256 layer: ~0.1 ms), and the threads must meet after each: measured on
  2 shared cores, the 2-256-256-10 kernel ran **6–8× slower** with two BLAS
  threads than with one (with one it reaches ~70 % of a core's own sgemm
  rate), and in the app the spinning threads steal the cores the worker and the
  GUI need (a snapshot's statistics took 14 ms with them, 2.2 ms without).
  ``dlviz bench`` times one thread against every core on the wide net, so a
  quiet machine shows what more threads would give.
* **Qt's painting** stays on the app's GUI thread (``dlviz/ui/threads.py``):
  Qt's own pool of painting threads would wait for the core the worker trains on.
* **PyTorch** (the benchmark's comparison only) keeps its default, one thread
  per core, which is what a PyTorch user gets; the benchmark prints it.

A user's explicit ``OPENBLAS_NUM_THREADS`` is respected.  The environment
variable works only before NumPy loads, and ``dlviz`` imports NumPy first, so
:func:`limit_blas_threads` also calls each loaded OpenBLAS's
``set_num_threads`` through ctypes (what threadpoolctl does).
"""

from __future__ import annotations

import ctypes
import os

#: Threads BLAS runs with in the CLI, the app and the benchmark (see the module docstring).
BLAS_THREADS = 1

_SYMBOLS = (
    "openblas_set_num_threads",
    "openblas_set_num_threads64_",
    "scipy_openblas_set_num_threads",
    "scipy_openblas_set_num_threads64_",
)
_done = False


def _loaded_openblas() -> list[str]:
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower()}
    except OSError:  # not Linux: the environment variables below still reach child processes
        return []
    return sorted(p for p in paths if os.path.isfile(p))


def set_blas_threads(threads: int) -> int:
    """Set every loaded OpenBLAS (NumPy's, SciPy's) to ``threads`` threads, whatever the
    environment says; returns how many libraries were set."""
    import numpy  # noqa: F401  (make sure NumPy's BLAS is loaded before looking for it)

    try:
        import scipy.linalg  # noqa: F401  (Numba's np.dot calls BLAS through SciPy)
    except ImportError:
        pass
    count = 0
    for path in _loaded_openblas():
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for name in _SYMBOLS:
            fn = getattr(lib, name, None)
            if fn is not None:
                fn.argtypes = [ctypes.c_int]
                fn(threads)
                count += 1
                break
    return count


def limit_blas_threads(threads: int = BLAS_THREADS) -> int:
    """The policy: every loaded OpenBLAS to ``threads`` threads unless the user set
    ``OPENBLAS_NUM_THREADS``; returns how many libraries were set.  Safe to call often."""
    global _done
    if "OPENBLAS_NUM_THREADS" in os.environ and not _done:
        return 0
    os.environ.setdefault("OPENBLAS_NUM_THREADS", str(threads))
    _done = True
    return set_blas_threads(threads)
