"""dlviz: a desktop neural-network playground with a Numba-compiled engine."""

__version__ = "0.1.0"
