"""Training engines: the readable NumPy reference and the compiled Numba kernels.

Numba caches compiled kernels next to their source (``__pycache__``).  When
that folder is not writable (a read-only or system-wide install), the cache
goes to the user's cache directory instead, so later starts stay fast.
"""

from __future__ import annotations

import os

#: What to install for the CUDA engine.  Here, in the package both
#: :mod:`dlviz.core.engines` and :mod:`dlviz.core.kernels.cuda` import, so that
#: neither imports the other's module for it (no import cycle).
INSTALL_HINT = (
    'pip install "dlviz[cuda12]" for a CUDA 12 driver or "dlviz[cuda13]" for CUDA 13 '
    "(nvidia-smi shows the driver's CUDA version)"
)


def _choose_cache_dir() -> None:
    if os.environ.get("NUMBA_CACHE_DIR"):
        return
    here = os.path.dirname(os.path.abspath(__file__))
    pycache = os.path.join(here, "__pycache__")
    target = pycache if os.path.isdir(pycache) else here
    if os.access(target, os.W_OK):
        return
    from platformdirs import user_cache_dir

    os.environ["NUMBA_CACHE_DIR"] = os.path.join(user_cache_dir("dlviz"), "numba")


_choose_cache_dir()
