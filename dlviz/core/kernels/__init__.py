"""Training engines: the readable NumPy reference and the compiled Numba (CPU, CUDA) kernels.

Every engine has the same interface (:class:`dlviz.core.engines.Engine`); the
Numba policy (GIL release, on-disk cache and where it lives) is
:mod:`dlviz.core.jit`, imported here first so that every engine's cache
follows it.
"""

from dlviz.core import jit as _jit  # noqa: F401  (chooses Numba's cache folder first)

#: What to install for the CUDA engine.  Here, in the package both
#: :mod:`dlviz.core.engines` and :mod:`dlviz.core.kernels.cuda` import, so that
#: neither imports the other's module for it (no import cycle).
INSTALL_HINT = (
    'pip install "dlviz[cuda12]" for a CUDA 12 driver or "dlviz[cuda13]" for CUDA 13 '
    "(nvidia-smi shows the driver's CUDA version)"
)
