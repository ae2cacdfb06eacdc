"""Long computations of a view (a loss landscape, an optimizer race) off the GUI thread.

A :class:`BackgroundJob` runs one plain function in a Python thread (the
Numba kernels it calls release the GIL).  The function reports through the
:class:`JobControl` it is given: progress, partial results, and whether it
should stop.  Nothing crosses to Qt from that thread: the view reads the
newest state on its own timer (:meth:`BackgroundJob.poll`), as the views
read the training worker's snapshots.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


class JobControl:
    """What the running function sees: a stop flag, and a place for progress and results."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._progress: tuple[int, int] = (0, 0)
        self._partial: Any = None
        self._version = 0

    def cancelled(self) -> bool:
        return self._stop.is_set()

    def progress(self, done: int, total: int) -> None:
        with self._lock:
            self._progress = (done, total)

    def publish(self, partial: Any) -> None:
        """Hand the GUI an immutable piece of the result so far (a copy, never a live buffer)."""
        with self._lock:
            self._partial = partial
            self._version += 1


class BackgroundJob:
    """One function running in a daemon thread; start it again to replace it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._thread: threading.Thread | None = None
        self._control = JobControl()
        self._result: Any = None
        self._error: BaseException | None = None
        self._done = False
        self._seen = -1

    def start(self, work: Callable[[JobControl], Any]) -> None:
        """Stop the job running (if any), then run ``work(control)``; its return is the result."""
        self.stop()
        control = self._control = JobControl()
        self._result, self._error, self._done, self._seen = None, None, False, -1

        def run() -> None:
            try:
                result = work(control)
            except Exception as exc:  # noqa: BLE001  (handed to the GUI thread, which re-raises)
                self._error = exc
            else:
                self._result = result
            finally:
                self._done = True

        self._thread = threading.Thread(target=run, name=f"dlviz-{self.name}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Ask the job to stop and wait for it (it checks between rows or epochs)."""
        if self._thread is not None:
            self._control._stop.set()
            self._thread.join()
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and not self._done

    def progress(self) -> tuple[int, int]:
        with self._control._lock:
            return self._control._progress

    def poll(self) -> tuple[Any, bool]:
        """(newest partial result if new since the last poll, else None; whether it finished).

        A finished job's error is raised here, in the GUI thread.
        """
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        with self._control._lock:
            version, partial = self._control._version, self._control._partial
        fresh = None
        if version != self._seen:
            self._seen, fresh = version, partial
        return fresh, self._done

    def result(self) -> Any:
        return self._result
