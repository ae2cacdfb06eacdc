"""Training engines: the readable NumPy reference and the compiled Numba (CPU, CUDA) kernels.

Every engine has the same interface (:class:`dlviz.core.engines.Engine`); the
Numba policy (GIL release, on-disk cache and where it lives) is
:mod:`dlviz.core.jit`, imported here first so that every engine's cache
follows it.
"""

from dlviz.core import jit as _jit  # noqa: F401  (chooses Numba's cache folder first)
