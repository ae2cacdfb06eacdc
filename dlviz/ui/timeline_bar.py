"""The timeline bar: scrub back through the run while paused, and resume from a past step.

The worker keeps a memory-capped ring of timeline points
(:class:`dlviz.core.timeline.Timeline`: a snapshot plus the trainer's full
state).  While training is paused the slider walks through them; every view
then draws that point's snapshot, because the bar puts it in the session as
the newest one (without adding it to the loss curves, which keep the whole
run).  Live snapshots that arrive meanwhile for the same step (a view asked
for other extras) are kept aside, so they do not jump the picture back to
the present; a snapshot of another step (Step, Reset, Resume from here) or
pressing Play returns to the present first.  Play and Step always continue
the live run: only "Resume from here" goes back, and it forgets the later
points (the worker restores weights, optimizer and shuffle state, so the
steps that follow are the very same ones the run took the first time).
"""

from __future__ import annotations

import time

from PySide6.QtCore import QSettings, Qt, Slot
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QWidget,
)

from dlviz.core.snapshot import Snapshot
from dlviz.core.timeline import DEFAULT_CAP_BYTES, TimelineEntry
from dlviz.ui.i18n import translate
from dlviz.ui.session import Session
from dlviz.ui.worker import TrainingWorker

MB = 1024 * 1024
#: Largest memory cap offered (MB).
MAX_CAP_MB = 8192
SETTINGS_KEY = "timeline/cap_mb"
#: While training, the memory figure is updated at most this often (seconds).
LABEL_INTERVAL_S = 0.25


def _settings() -> QSettings:
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "dlviz", "dlviz")


def megabytes(nbytes: int) -> str:
    mb = nbytes / MB
    return f"{mb:.1f} MB" if mb < 9.95 else f"{mb:.0f} MB"


def describe(step: int, last: int, nbytes: int, cap: int) -> str:
    return translate("TimelineBar", "step {step:,} of {last:,} · {used} of {cap} MB").format(
        step=step, last=last, used=megabytes(nbytes), cap=cap // MB
    )


class TimelineBar(QWidget):
    """Slider over the timeline's points, its position and memory, Resume, the memory cap."""

    def __init__(self, session: Session, worker: TrainingWorker, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("timeline-bar")
        self.session = session
        self.worker = worker
        self._entries: list[TimelineEntry] = []
        self._live: Snapshot | None = None  # the run's newest snapshot
        self._scrubbed: TimelineEntry | None = None  # the past point on screen, if any
        self._playing = False
        self._label_due = 0.0

        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setObjectName("timeline-slider")
        self.slider.setToolTip(
            translate(
                "TimelineBar",
                "While paused, drag to look back at earlier steps (every view follows)",
            )
        )
        self.slider.setMinimumWidth(150)
        self.slider.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.slider.setRange(0, 0)
        self.slider.setPageStep(10)
        self.slider.setEnabled(False)
        self.slider.valueChanged.connect(self._slider_moved)
        self.info = QLabel(describe(0, 0, 0, DEFAULT_CAP_BYTES), self)
        self.info.setObjectName("timeline-info")
        self.info.setContentsMargins(8, 0, 0, 0)
        self.info.setToolTip(
            translate(
                "TimelineBar", "The step shown, the newest step, and the memory the timeline holds"
            )
        )
        self.resume = QPushButton(translate("TimelineBar", "Resume from here"), self)
        self.resume.setObjectName("timeline-resume")
        self.resume.setToolTip(
            translate(
                "TimelineBar",
                "Go back to the step shown: weights and optimizer as they were then; "
                "the later steps are forgotten",
            )
        )
        self.resume.setEnabled(False)
        self.resume.clicked.connect(self.resume_here)
        cap_label = QLabel(translate("TimelineBar", "Keep up to"), self)
        self.cap = QSpinBox(self)
        self.cap.setObjectName("timeline-cap")
        self.cap.setRange(1, MAX_CAP_MB)
        self.cap.setSuffix(" MB")
        self.cap.setToolTip(
            translate("TimelineBar", "Memory the timeline may use; the oldest points go first")
        )
        stored = _settings().value(SETTINGS_KEY, DEFAULT_CAP_BYTES // MB)
        try:
            cap_mb = int(stored)  # type: ignore[call-overload]
        except (TypeError, ValueError):
            cap_mb = DEFAULT_CAP_BYTES // MB
        self.cap.setValue(min(max(cap_mb, 1), MAX_CAP_MB))
        self.cap.valueChanged.connect(self._cap_changed)
        if self.cap.value() * MB != DEFAULT_CAP_BYTES:
            worker.set_timeline_cap(self.cap.value() * MB)
        # two rows: it sits under the canvas, in the narrow middle column
        grid = QGridLayout(self)
        grid.setContentsMargins(6, 2, 6, 4)
        grid.setVerticalSpacing(4)
        grid.addWidget(self.slider, 0, 0)
        grid.addWidget(self.info, 0, 1)
        row = QHBoxLayout()
        row.addWidget(self.resume)
        row.addStretch(1)
        row.addWidget(cap_label)
        row.addWidget(self.cap)
        grid.addLayout(row, 1, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        # never widen the window: on a narrow screen the row is clipped, not the window forced
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        worker.state_changed.connect(self._worker_state, Qt.ConnectionType.QueuedConnection)

    # ------------------------------------------------------------ state

    def showing_past(self) -> TimelineEntry | None:
        """The timeline point on screen instead of the present, if any."""
        return self._scrubbed

    def cap_bytes(self) -> int:
        return self.cap.value() * MB

    def hold(self, snap: Snapshot) -> bool:
        """Called with every live snapshot; True when it must wait (a past step is on screen).

        A snapshot of the step already reached is only a redraw (new extras):
        it waits.  Any other step means the run moved (Step, Reset, Resume
        from here): back to the present, and the snapshot goes through.
        """
        if self._scrubbed is not None:
            if not self._playing and self._live is not None and snap.step == self._live.step:
                self._live = snap
                return True
            self._scrubbed = None
        self._live = snap
        now = time.perf_counter()
        if not self._playing or now >= self._label_due:
            self._label_due = now + LABEL_INTERVAL_S
            self._refresh()
        return False

    def _show(self, snap: Snapshot) -> None:
        """Put ``snap`` on screen in every view (not in the curves: they keep the whole run)."""
        self.session.latest = snap
        self.session.snapshot_count += 1

    def back_to_present(self) -> None:
        if self._scrubbed is not None:
            self._scrubbed = None
            if self._live is not None:
                self._show(self._live)
        self._refresh()

    @Slot(str)
    def _worker_state(self, state: str) -> None:
        self._playing = state == "playing"
        if self._playing:
            self.back_to_present()  # Play continues the live run, so show it
        self._refresh()

    # ------------------------------------------------------------ slider

    def _positions(self) -> list[int]:
        """The steps the slider stops at: the timeline's points, then the present."""
        steps = [e.step for e in self._entries]
        if self._live is not None and (not steps or self._live.step > steps[-1]):
            steps.append(self._live.step)
        return steps

    def _refresh(self) -> None:
        self._entries = self.worker.timeline_entries()
        steps = self._positions()
        shown = self._scrubbed.step if self._scrubbed is not None else None
        position = steps.index(shown) if shown in steps else len(steps) - 1
        self.slider.blockSignals(True)
        if len(steps) > 1:
            self.slider.setRange(0, len(steps) - 1)
            self.slider.setValue(max(position, 0))
        else:  # only the present: the handle at the right end, where the present is
            self.slider.setRange(0, 1)
            self.slider.setValue(1)
        self.slider.blockSignals(False)
        paused = not self._playing and self._live is not None
        self.slider.setEnabled(paused and len(steps) > 1)
        self.resume.setEnabled(paused and self._scrubbed is not None)
        self._update_label()

    def _update_label(self) -> None:
        last = self._live.step if self._live is not None else 0
        step = self._scrubbed.step if self._scrubbed is not None else last
        self.info.setText(describe(step, last, self.worker.timeline_nbytes(), self.cap_bytes()))

    def _slider_moved(self, position: int) -> None:
        steps = self._positions()
        if not 0 <= position < len(steps) or self._playing:
            return
        entry = self._entries[position] if position < len(self._entries) else None
        if entry is None or (self._live is not None and entry.step == self._live.step):
            self.back_to_present()
            return
        self._scrubbed = entry
        self._show(entry.snapshot)
        self.resume.setEnabled(True)
        self._update_label()

    # ------------------------------------------------------------ actions

    def resume_here(self) -> None:
        """Go back to the step on screen; the next snapshot (of that step) ends the scrub."""
        if self._scrubbed is not None and not self._playing:
            self.session.rewind(self._scrubbed.step)
            self.worker.resume_from(self._scrubbed.step)
            self.resume.setEnabled(False)

    def _cap_changed(self, mb: int) -> None:
        self.worker.set_timeline_cap(mb * MB)
        settings = _settings()
        settings.setValue(SETTINGS_KEY, mb)
        settings.sync()
        self._update_label()
