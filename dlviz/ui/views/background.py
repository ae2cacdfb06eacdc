"""Long computations of a view (a loss landscape, an optimizer race) off the GUI thread.

A :class:`BackgroundJob` runs one plain function in a Python thread (the
Numba kernels it calls release the GIL).  The function reports through the
:class:`JobControl` it is given: progress, partial results, and whether it
should stop.  Nothing crosses to Qt from that thread: the view reads the
newest state on its own timer (:meth:`BackgroundJob.poll`), as the views
read the training worker's snapshots.
"""

from __future__ import annotations

import queue
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
    """One function at a time in a daemon thread; start another to replace it.

    A one-off job (a landscape, a race, a folder of images) gets a thread of its
    own that ends with it.  With ``reuse_thread`` the thread stays between jobs
    and ends with :meth:`stop` (the view's ``shutdown``): views that compute
    with every snapshot start a job 20-30 times a second, and a new thread each
    time held the GUI thread up to 5 ms (Python's GIL switch interval) while
    ``Thread.start`` waited for the new thread, which had the GIL and was busy
    with the job; handing a job to a waiting thread returns at once.
    """

    def __init__(self, name: str, *, reuse_thread: bool = False) -> None:
        self.name = name
        self._reuse = reuse_thread
        self._thread: threading.Thread | None = None
        self._jobs: queue.SimpleQueue[tuple[Callable[[JobControl], Any], JobControl] | None] = (
            queue.SimpleQueue()
        )
        self._idle = threading.Event()  # no job queued or running
        self._idle.set()
        self._control = JobControl()
        self._result: Any = None
        self._error: BaseException | None = None
        self._done = False
        self._seen = -1

    def start(self, work: Callable[[JobControl], Any]) -> None:
        """Stop the job running (if any), then run ``work(control)``; its return is the result."""
        self._cancel()
        control = self._control = JobControl()
        self._result, self._error, self._done, self._seen = None, None, False, -1
        self._idle.clear()
        if not self._reuse:
            self._thread = threading.Thread(target=self._execute, args=(work, control),
                                            name=f"dlviz-{self.name}", daemon=True)  # fmt: skip
            self._thread.start()
            return
        if self._thread is None:
            self._thread = threading.Thread(target=self._serve, name=f"dlviz-{self.name}",
                                            daemon=True)  # fmt: skip
            self._thread.start()
        self._jobs.put((work, control))

    def _serve(self) -> None:
        """A reused thread: run each job handed over until :meth:`stop` sends None."""
        while (job := self._jobs.get()) is not None:
            self._execute(*job)

    def _execute(self, work: Callable[[JobControl], Any], control: JobControl) -> None:
        try:
            result = work(control)
        except Exception as exc:  # noqa: BLE001  (handed to the GUI thread, which re-raises)
            self._error = exc
        else:
            self._result = result
        finally:
            self._done = True
            self._idle.set()

    def _cancel(self) -> None:
        """Ask the running job to stop and wait for it (it checks between rows or epochs)."""
        if not self._idle.is_set():
            self._control._stop.set()
            self._idle.wait()

    def stop(self) -> None:
        """Stop the running job (waiting for it) and end the thread."""
        self._cancel()
        if self._thread is not None:
            if self._reuse:
                self._jobs.put(None)
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
