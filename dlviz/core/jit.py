"""The one Numba policy of dlviz's compiled kernels (engine and boundary picture).

Importing this module first picks where Numba caches machine code: next to
the source (``__pycache__``) when that folder is writable, else the user's
cache folder (a read-only or system-wide install), so later starts stay
fast.  Numba reads ``NUMBA_CACHE_DIR`` once, when it is first imported, so
every module with kernels takes :data:`jit` from here.
"""

from __future__ import annotations

import os


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

from numba import njit  # noqa: E402  (after the cache folder is chosen)

#: Every kernel: release the GIL (the GUI keeps drawing), cache the machine code on
#: disk (fast start), and let LLVM reorder float math (vectorised loops).  NumPy's
#: error model: a division by zero gives inf/nan as in NumPy instead of raising, so
#: divisions need no zero check and their loops vectorise (Adam's update over the
#: 68k parameters of the wide net: 196 -> 19 us per step).  Divergence is caught by
#: the trainer's finite-loss check.
jit = njit(nogil=True, cache=True, fastmath=True, error_model="numpy")
#: The same, inlined by Numba into every caller: the activation chains in kernels/cpu.py,
#: whose links would otherwise each be a call passing arrays (reference counts) per layer.
jit_inline = njit(nogil=True, cache=True, fastmath=True, error_model="numpy", inline="always")
#: The same without fastmath, for code that compares with ``inf`` (epoch planning's "no
#: bound"): fastmath lets LLVM assume no value is infinite, and it folded those tests away.
jit_exact = njit(nogil=True, cache=True, error_model="numpy")
