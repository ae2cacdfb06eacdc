"""The status bar's permanent fields: engine warm-up, state, step, epoch, loss, metric, speed.

:class:`StatusFields` fills the window's ``QStatusBar`` with its labels and
keeps them current from what the worker says (its state, the JIT warm-up)
and from the newest snapshot, which the frame timer hands it.  Passing
news (``Notifier.status``) shares the bar's left side with the state label.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar

from dlviz.core.snapshot import Snapshot
from dlviz.ui.i18n import core_line, translate

ENGINE_LABELS = {
    "cpu": QT_TRANSLATE_NOOP("StatusFields", "engine: Numba CPU"),
    "cuda": QT_TRANSLATE_NOOP("StatusFields", "engine: CUDA GPU"),
    "reference": QT_TRANSLATE_NOOP("StatusFields", "engine: NumPy reference"),
}
#: The samples/s figure averages over at least this many seconds (steadier than one slice).
RATE_WINDOW_S = 0.5


def _engine_label(engine: str) -> str:
    label = ENGINE_LABELS.get(engine)
    if label is None:
        return translate("StatusFields", "engine: {name}").format(name=engine)
    return translate("StatusFields", label)


def format_metric(value: float | None, percent: bool = False) -> str:
    if value is None:
        return "–"
    text = f"{100 * value:.1f} %" if percent else f"{value:.4f}"
    # a loss of -0.0 (log 1 of a certain prediction) or -1e-9 reads as 0, not "-0.0000"
    return text[1:] if text.startswith("-") and not any(c in text for c in "123456789") else text


class StatusFields:
    """The labels of one window's status bar (GUI thread only)."""

    def __init__(self, bar: QStatusBar) -> None:
        self.bar = bar
        bar.setObjectName("status")
        self.progress = QProgressBar(bar)
        self.progress.setRange(0, 0)  # busy
        self.progress.setMaximumWidth(160)
        self.progress.setTextVisible(False)
        self.state_label = QLabel(translate("StatusFields", "Compiling the training engine…"), bar)
        self.step_label = QLabel(translate("StatusFields", "step {n:,}").format(n=0), bar)
        self.epoch_label = QLabel(translate("StatusFields", "epoch {n:,}").format(n=0), bar)
        self.loss_label = QLabel(translate("StatusFields", "loss –"), bar)
        self.metric_label = QLabel("", bar)
        self.rate_label = QLabel("", bar)  # samples/s while training
        self.engine_label = QLabel(_engine_label("cpu"), bar)
        for label in (self.step_label, self.epoch_label, self.rate_label):
            label.setMinimumWidth(90)
        bar.addWidget(self.progress)
        bar.addWidget(self.state_label)
        for label in (
            self.step_label,
            self.epoch_label,
            self.loss_label,
            self.metric_label,
            self.rate_label,
            self.engine_label,
        ):
            bar.addPermanentWidget(label)
        # news (showMessage) and the state share the left side: one at a time, never drawn
        # over each other (Qt's own hiding of the state let it show through after a change)
        bar.messageChanged.connect(lambda text: self.state_label.setVisible(not text))
        self._playing = False
        self._compact = False
        self._rate = 0.0
        self._rate_mark: tuple[float, int] | None = None

    def set_compact(self, on: bool) -> None:
        """Presentation mode: large type leaves no room for the engine and the sample rate
        (Train ▸ Engine names the engine)."""
        self.engine_label.setVisible(not on)
        self.rate_label.setVisible(not on)
        self._compact = on

    # ------------------------------------------------------------ what the worker says

    def show_state(self, state: str) -> None:
        """The worker's state: "warming", "paused", "playing" or "stopped"."""
        self._playing = state == "playing"
        if self._playing:
            self.state_label.setText(translate("StatusFields", "Training"))
        elif state == "paused" and self.progress.isHidden():
            self.state_label.setText(translate("StatusFields", "Paused"))

    def show_warming(self, done: int, total: int, what: str) -> None:
        if self.progress.isHidden():
            return  # already ready
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        if done < total:
            self.state_label.setText(
                translate(
                    "StatusFields", "Compiling the training engine: {what} ({n} of {total})…"
                ).format(what=translate("warm-up", what), n=done + 1, total=total)
            )

    def show_ready(self, seconds: float) -> None:
        self.progress.hide()
        self.state_label.setText(
            translate("StatusFields", "Training")
            if self._playing
            else translate("StatusFields", "Ready")
        )
        self.bar.showMessage(
            translate("StatusFields", "Training engine ready in {seconds} s").format(
                seconds=f"{seconds:.1f}"
            ),
            6000,
        )

    # ------------------------------------------------------------ the newest snapshot

    def show_snapshot(self, snap: Snapshot) -> None:
        now = time.perf_counter()
        if self._rate_mark is None or snap.samples < self._rate_mark[1]:
            self._rate_mark = (now, snap.samples)
        elif now - self._rate_mark[0] >= RATE_WINDOW_S:
            t0, s0 = self._rate_mark
            rate = (snap.samples - s0) / (now - t0)
            self._rate = rate if self._playing else 0.0
            self._rate_mark = (now, snap.samples)
        self.step_label.setText(translate("StatusFields", "step {n:,}").format(n=snap.step))
        self.epoch_label.setText(translate("StatusFields", "epoch {n:,}").format(n=snap.epoch))
        self.loss_label.setText(
            translate("StatusFields", "loss {train} / {test}").format(
                train=format_metric(snap.train_loss), test=format_metric(snap.test_loss)
            )
        )
        if snap.train_accuracy is not None:
            self.metric_label.setText(
                translate("StatusFields", "accuracy {train} / {test}").format(
                    train=format_metric(snap.train_accuracy, True),
                    test=format_metric(snap.test_accuracy, True),
                )
            )
        elif snap.train_r2 is not None:
            self.metric_label.setText(
                f"R² {format_metric(snap.train_r2)} / {format_metric(snap.test_r2)}"
            )
        else:
            self.metric_label.setText("")
        rate = self._rate or snap.samples_per_second  # the first half second: the slice's own
        self.rate_label.setText(
            translate("StatusFields", "{rate:,.0f} samples/s").format(rate=rate)
            if self._playing
            else ""
        )
        self.engine_label.setText(_engine_label(snap.engine))
        if snap.message and not snap.stopped and self._playing:
            self.bar.showMessage(core_line(snap.message), 3000)
