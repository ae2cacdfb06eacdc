"""The app's thread policy: BLAS on one thread and Qt's painting on the GUI thread alone.

The BLAS part, and the policy's reasons, live in :mod:`dlviz.core.threads`.

Qt's painting: Qt 6's raster engine hands a large fill, image draw or
scaling to its own "GUI thread pool" and waits on a latch until the pool's
threads are done.  On the 2 cores the app is made for, the worker trains on
one of them, so those threads wait for a core while the GUI thread waits for
them: with every view open, a quarter of the painting time was spent in that
wait (sampled with py-spy), and without the pool each view redrew about 15 %
more often (``benchmarks/gui.py``, four runs alternating with and without).
``QT_NO_GUI_THREADPOOL`` (read by Qt at the first paint that would use the
pool) keeps every fill on the thread that paints.
"""

from __future__ import annotations

import os

from dlviz.core.threads import limit_blas_threads

__all__ = ["apply_thread_policy", "limit_blas_threads", "paint_on_gui_thread"]


def paint_on_gui_thread() -> None:
    """Keep Qt's raster painting off its thread pool (call before the first paint)."""
    os.environ.setdefault("QT_NO_GUI_THREADPOOL", "1")


def apply_thread_policy() -> None:
    """The whole policy, as the app starts: BLAS on one thread, painting on the GUI thread."""
    limit_blas_threads()
    paint_on_gui_thread()
