"""Keep the BLAS library that NumPy and SciPy load to one thread.

OpenBLAS starts a thread per core for every call it thinks is large enough
and lets those threads spin afterwards.  In the app that steals the cores the
training worker and the GUI thread need: measured on 2 cores, a training
snapshot (histograms, norms) took 14 ms with OpenBLAS threads and 2.2 ms
with one.  The environment variable works only before NumPy loads, and
``dlviz`` imports NumPy before the app starts, so this also calls each
loaded OpenBLAS's ``set_num_threads`` through ctypes (what threadpoolctl does).
"""

from __future__ import annotations

import ctypes
import os

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


def limit_blas_threads(threads: int = 1) -> int:
    """Set every loaded OpenBLAS to ``threads`` threads; returns how many libraries were set.

    Respects a user's explicit ``OPENBLAS_NUM_THREADS``.  Safe to call often.
    """
    global _done
    if "OPENBLAS_NUM_THREADS" in os.environ and not _done:
        return 0
    os.environ.setdefault("OPENBLAS_NUM_THREADS", str(threads))
    _done = True
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
