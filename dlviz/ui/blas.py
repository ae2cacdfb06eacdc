"""The app keeps BLAS to one thread: the policy and its setter live in :mod:`dlviz.core.threads`."""

from dlviz.core.threads import limit_blas_threads

__all__ = ["limit_blas_threads"]
