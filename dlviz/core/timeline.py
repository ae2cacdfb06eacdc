"""The timeline: recent points of a run kept in memory, to scrub back to and resume from.

Each entry pairs the snapshot a view draws with the trainer's full state, so
"resume from here" continues exactly as if training had never left that point.
The buffer is bounded by memory, not by count: when a new entry would pass
the cap, the oldest entries go.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from dlviz.core.snapshot import Snapshot
from dlviz.core.trainer import TrainerState

DEFAULT_CAP_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class TimelineEntry:
    snapshot: Snapshot
    state: TrainerState

    @property
    def nbytes(self) -> int:
        return self.snapshot.nbytes + self.state.nbytes

    @property
    def step(self) -> int:
        return self.snapshot.step


class Timeline:
    """A memory-capped ring of (snapshot, state) entries in step order."""

    def __init__(self, cap_bytes: int = DEFAULT_CAP_BYTES) -> None:
        self.cap_bytes = cap_bytes
        self._entries: deque[TimelineEntry] = deque()
        self.nbytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    def __getitem__(self, index: int) -> TimelineEntry:
        return self._entries[index]

    @property
    def steps(self) -> list[int]:
        return [e.step for e in self._entries]

    def add(self, snapshot: Snapshot, state: TrainerState) -> None:
        """Append a point; an older step than the last (after a reset) starts a new timeline."""
        if self._entries and snapshot.step <= self._entries[-1].step:
            if snapshot.step < self._entries[-1].step:
                self.clear()
            else:
                return
        entry = TimelineEntry(snapshot, state)
        self._entries.append(entry)
        self.nbytes += entry.nbytes
        self._trim()

    def set_cap(self, cap_bytes: int) -> None:
        """A new memory cap; the oldest entries go at once if the buffer is over it."""
        self.cap_bytes = cap_bytes
        self._trim()

    def _trim(self) -> None:
        while self.nbytes > self.cap_bytes and len(self._entries) > 1:
            self.nbytes -= self._entries.popleft().nbytes

    def truncate_after(self, index: int) -> None:
        """Forget the entries after ``index`` (training resumes from there)."""
        while len(self._entries) > index + 1:
            self.nbytes -= self._entries.pop().nbytes

    def clear(self) -> None:
        self._entries.clear()
        self.nbytes = 0
