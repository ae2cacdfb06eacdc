"""GUI benchmark: is the app smooth while the medium 2-64-64-64-3 network trains?

Runs offscreen in one process, side by side:

1. app: a real :class:`~dlviz.ui.main_window.MainWindow` (1600×1000) trains
   for ``--seconds`` while this script records

   * frame intervals: time between the window's 60 Hz frame ticks (each tick
     draws the newest snapshot), and the time each tick's drawing took;
   * event-loop lateness: how late a 5 ms probe timer fires;
   * the GUI thread's CPU time per second, and each view's drawing CPU time per
     draw (``time.thread_time``: what the views cost on a busy machine too);
   * boundary refresh rate: decision-boundary images drawn per second;
   * app training throughput: samples trained per second.

   The measurement starts at the end of a slice, where the worker captures its
   trainer's state (``Trainer.capture``, through ``Worker.run_job``).
2. headless, on the same work: a Trainer with the same data and settings,
   resumed from that state, trains as many samples as the app did, by
   ``Trainer.run`` in 1-second slices (what ``dlviz train`` does), then by the
   app worker's own loop without Qt (``headless(paced=True)``), then plainly
   again; the app is held against the mean of the two plain runs.  The same
   work matters: the kernel's speed changes as the network learns (more than
   the 10 % at stake here before subnormal floats were flushed), so a headless
   run over other steps of training says little.  ``throughput_parts`` says
   where the app's training time goes: the worker's own loop against plain
   training (``pacing``: what the snapshots the views draw take), then the
   window against that loop (``window``), each with the share of the time in
   compiled calls (``in_kernel``) and their speed (``kernel_samples_per_s``).

3. all views: the same app with every view open at once (each non-central
   view in its own floating 640×480 window, all visible).  What counts is
   each view's own redraw rate (``View.draws``: new snapshots it drew per
   second), not the frame timer: a frame draws the central view and as many
   others with a new snapshot as fit in its time budget, the longest-waiting
   first, so a fast tick says nothing about a view whose turn comes every
   third tick.  Every visible view must redraw at least ``VIEW_TARGET_HZ``
   times a second, or 80 % of its own cap where it caps its rate (the loss
   curves at 16 Hz, the distributions at 30 Hz); no view redraws faster than
   snapshots arrive (``snapshots_per_s``).

Prints one JSON object with the figures, the targets of the issues and
whether each is met (``views_met``: each view with every view open).
Usage: ``python benchmarks/gui.py [--seconds 10] [--points 4096]``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402

from dlviz.ui.threads import apply_thread_policy  # noqa: E402

apply_thread_policy()  # as `dlviz` starts (dlviz/ui/threads.py)

from PySide6.QtCore import QElapsedTimer, QEventLoop, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from dlviz.benchmark import paced as worker_loop  # noqa: E402
from dlviz.core.data import make_dataset  # noqa: E402
from dlviz.core.kernels.cpu import warm_up  # noqa: E402
from dlviz.core.network import LayerSpec, build_spec  # noqa: E402
from dlviz.core.optim import OptimizerConfig  # noqa: E402
from dlviz.core.trainer import TrainConfig, Trainer, TrainerState  # noqa: E402
from dlviz.ui.views import distributions as distributions_view  # noqa: E402
from dlviz.ui.views import loss as loss_view  # noqa: E402
from dlviz.ui.worker import Pacing  # noqa: E402

HIDDEN = (LayerSpec(64, "relu"), LayerSpec(64, "relu"), LayerSpec(64, "relu"))
BATCH = 32
LR = 0.003
TARGETS = {
    "frame_interval_p95_ms": 20.0,
    "lateness_p99_ms": 16.0,
    "boundary_hz": 15.0,
    "throughput_ratio": 0.90,  # issue 19: the app trains at >= 90 % of headless
    # every view open at once: the lowest of (a view's redraws per second / its target)
    "all_views_worst_view_ratio": 1.0,
}
AT_LEAST = ("boundary_hz", "throughput_ratio", "all_views_worst_view_ratio")
#: Each visible view's own redraw rate with every view open (see the docstring).
VIEW_TARGET_HZ = 20.0
#: Views that limit their own redraw rate (their MAX_HZ).
VIEW_CAPS_HZ = {"loss": loss_view.MAX_HZ, "distributions": distributions_view.MAX_HZ}


def view_target_hz(name: str) -> float:
    return min(VIEW_TARGET_HZ, 0.8 * VIEW_CAPS_HZ.get(name, float("inf")))


def redraws(view) -> int:
    """New pictures a view drew: its own count where it has one (a view that limits its rate
    is asked again each frame until it draws, and ``View.draws`` counts those asks)."""
    return int(getattr(view, "redraws", view.draws))


def percentiles(values: list[float], *qs: float) -> dict[str, float]:
    a = np.asarray(values, dtype=np.float64)
    if a.size == 0:
        return {f"p{q:g}": float("nan") for q in qs}
    out = {f"p{q:g}": round(float(np.percentile(a, q)), 2) for q in qs}
    out["max"] = round(float(a.max()), 2)
    out["count"] = int(a.size)
    return out


class KernelClock:
    """A trainer's samples and seconds in its compiled calls, from a start: how much of
    the wall clock trained (``in_kernel``) and how fast the kernel ran meanwhile."""

    def __init__(self, trainer: Trainer) -> None:
        self.trainer = trainer
        self.samples, self.kernel = trainer.samples, trainer.kernel_seconds
        self.t0 = time.perf_counter()

    def read(self) -> dict[str, float]:
        elapsed = time.perf_counter() - self.t0
        kernel = self.trainer.kernel_seconds - self.kernel
        samples = self.trainer.samples - self.samples
        return {
            "samples": samples,
            "samples_per_s": samples / elapsed,
            "in_kernel": kernel / elapsed,
            "kernel_samples_per_s": samples / kernel if kernel else 0.0,
        }


def headless(points: int, start: TrainerState, samples: int, *, paced: bool = False) -> dict:
    """The app's work without Qt: from the app's state ``start``, train ``samples`` by
    ``Trainer.run`` in 1-second slices, or with ``paced`` by the app worker's own
    full-speed loop (its slices, grids and statistics: the app minus Qt)."""
    data = make_dataset("spiral", n=points, classes=3, noise=0.1)
    spec = build_spec(kind="classify", n_classes=3, features=("x1", "x2"), hidden=HIDDEN)
    config = TrainConfig(OptimizerConfig("adam", lr=LR), batch_size=BATCH)
    trainer = Trainer(data, spec, config, seed=0)
    if not trainer.restore(start):
        raise RuntimeError("the app's training points differ from the headless run's")
    trainer.run(stats=False)  # the one-off checks of a resumed run, before the clock
    target = start.samples + samples
    clock = KernelClock(trainer)
    if paced:
        worker_loop(trainer, Pacing())(math.inf, samples)
    else:
        while trainer.samples < target and not trainer.stopped:
            trainer.run(samples=target - trainer.samples, seconds=1.0)
    return clock.read()


def wait(app: QApplication, condition, timeout_s: float) -> None:
    """Run the event loop (blocking, as ``app.exec()`` does) until ``condition()`` holds."""
    loop = QEventLoop()
    clock = QElapsedTimer()
    clock.start()
    poll = QTimer()
    poll.setInterval(10)

    def check() -> None:
        if condition() or clock.elapsed() > timeout_s * 1000:
            loop.quit()

    poll.timeout.connect(check)
    poll.start()
    check()
    if not condition():
        loop.exec()
    poll.stop()
    if not condition():
        raise TimeoutError("the app did not get there in time")


def show_all_views(app: QApplication, window) -> list[str]:
    """Float every dock view of this data in its own visible window, so all of them draw."""
    from dlviz.ui.views import CENTRAL_VIEW

    names = []
    for i, name in enumerate(window.views):
        if name == CENTRAL_VIEW or name not in window.docks or not window.views[name].fits_data():
            continue  # the canvas; the pad (the images' centre); views of image data only
        dock = window.docks[name]
        dock.setFloating(True)
        dock.resize(640, 480)
        dock.move(40 * i, 40 * i)
        dock.show()
        names.append(name)
    app.processEvents()
    hidden = [n for n in names if not window.views[n].is_active()]
    if hidden:
        raise RuntimeError(f"views not shown: {hidden}")
    return names


def in_app(
    app: QApplication, points: int, seconds: float, all_views: bool = False
) -> dict[str, object]:
    from dlviz.ui.main_window import MainWindow
    from dlviz.ui.threads import collect_on_gui_thread

    collector = collect_on_gui_thread(app)  # as `dlviz` does; headless runs keep Python's own
    data = make_dataset("spiral", n=points, classes=3, noise=0.1)
    window = MainWindow(data=data, restore_layout=False)
    window.network_panel.set_hidden(HIDDEN)
    panel = window.training_panel
    panel.batch.setValue(BATCH)
    panel.set_learning_rate(LR)
    window.resize(1600, 1000)
    window.show()
    sizes = (2, *(h.width for h in HIDDEN), 3)
    wait(app, lambda: window.session.latest is not None and window.session.latest.spec.sizes
         == sizes, 60)  # fmt: skip
    from dlviz.ui.app import freeze_startup_objects

    freeze_startup_objects()  # as `dlviz` does before its event loop

    frame_times: list[float] = []
    draw_ms: list[float] = []
    views = show_all_views(app, window) if all_views else ["loss"]
    window.frame_timer.timeout.disconnect(window.draw_frame)

    def timed_frame() -> None:
        t = time.perf_counter()
        window.draw_frame()
        draw_ms.append((time.perf_counter() - t) * 1000)
        frame_times.append(t)

    window.frame_timer.timeout.connect(timed_frame)

    probe_ms = 5
    probe_times: list[float] = []
    probe = QTimer()
    probe.setTimerType(Qt.TimerType.PreciseTimer)
    probe.setInterval(probe_ms)
    probe.timeout.connect(lambda: probe_times.append(time.perf_counter()))

    boundary = window.views["boundary"]
    loss = window.views["loss"]
    # the GUI thread's CPU time in each view's drawing: what the views cost, whatever the
    # machine's load does to the rates (painting comes later, in Qt's paint events)
    draw_cpu = {name: 0.0 for name in window.views}

    def timed_refresh(view, refresh):
        def run(*args) -> bool:
            t = time.thread_time()
            drew = refresh(*args)
            if drew:
                draw_cpu[view.name] += time.thread_time() - t
            return drew

        return run

    for view in window.views.values():
        view.refresh = timed_refresh(view, view.refresh)
    # throughput against headless training: at full speed, not the app's watchable default pace
    window.training_panel.set_max_speed(True)
    window.play()
    wait(app, lambda: window.state == "playing", 10)
    # settle for a second, then measure
    settle = time.perf_counter() + 1.0
    wait(app, lambda: time.perf_counter() > settle, 5)
    # the measurement starts where a slice ends, with the trainer's state: the headless
    # runs train the same samples from it (KernelClock reads the trainer across threads:
    # numbers only, for a benchmark)
    started = window.worker.run_job(lambda trainer: (trainer.capture(), KernelClock(trainer)))
    wait(app, started.done, 10)
    start_state, worker = started.result()
    frame_times.clear()
    draw_ms.clear()
    probe.start()
    images0, loss0, snaps0 = boundary.image_updates, loss.redraws, window.session.snapshot_count
    draws0 = {name: redraws(window.views[name]) for name in ["boundary", *views]}
    calls0 = {name: window.views[name].draws for name in draws0}
    for name in draw_cpu:
        draw_cpu[name] = 0.0
    cpu0 = time.thread_time()
    t0 = time.perf_counter()
    end = t0 + seconds
    wait(app, lambda: time.perf_counter() > end, seconds + 5)
    elapsed = time.perf_counter() - t0
    training = worker.read()
    gui_cpu = time.thread_time() - cpu0
    snap1 = window.session.latest
    images1, loss1, snaps1 = boundary.image_updates, loss.redraws, window.session.snapshot_count
    draws = {
        name: round((redraws(window.views[name]) - before) / elapsed, 1)
        for name, before in draws0.items()
    }
    calls = {name: window.views[name].draws - before for name, before in calls0.items()}
    probe.stop()
    window.close()
    window.deleteLater()
    app.processEvents()
    collector.stop()

    intervals = list(np.diff(frame_times) * 1000)
    lateness = [max(0.0, d * 1000 - probe_ms) for d in np.diff(probe_times)]
    return {
        "views": ["boundary", *views],
        "frames_per_s": round(len(frame_times) / elapsed, 1),
        "frame_interval_ms": percentiles(intervals, 50, 95, 99),
        "frame_draw_ms": percentiles(draw_ms, 50, 95, 99),
        "lateness_ms": percentiles(lateness, 50, 95, 99),
        "boundary_hz": round((images1 - images0) / elapsed, 1),
        "loss_redraw_hz": round((loss1 - loss0) / elapsed, 1),
        "snapshots_per_s": round((snaps1 - snaps0) / elapsed, 1),
        # how often each visible view drew a new snapshot: its own frame rate
        "view_draws_per_s": draws,
        "worst_view_ratio": round(min(hz / view_target_hz(n) for n, hz in draws.items()), 2),
        # GUI thread CPU seconds per second (1.0: the whole of one core), and each view's
        # update_snapshot CPU per call that drew (without Qt's painting afterwards)
        "gui_thread_cpu_per_s": round(gui_cpu / elapsed, 2),
        "view_update_cpu_ms": {
            name: round(1000 * draw_cpu[name] / n, 2) if n else None for name, n in calls.items()
        },
        "app_samples_per_s": round(training["samples_per_s"]),
        # the worker's share of the time in compiled training calls, and their speed
        "worker_in_kernel": round(training["in_kernel"], 3),
        "worker_kernel_samples_per_s": round(training["kernel_samples_per_s"]),
        "steps": [start_state.step, snap1.step],
        "final_train_accuracy": snap1.train_accuracy,
        # for the headless runs on the same work (not printed)
        "start": start_state,
        "trained_samples": int(training["samples"]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--points", type=int, default=4096)
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    warm_up()
    result = in_app(app, args.points, args.seconds)
    start, trained = result.pop("start"), result.pop("trained_samples")
    # the worker's loop between two plain runs, all on the app's work
    before = headless(args.points, start, trained)
    paced_run = headless(args.points, start, trained, paced=True)
    after = headless(args.points, start, trained)
    rate_headless = (before["samples_per_s"] + after["samples_per_s"]) / 2
    every = in_app(app, args.points, args.seconds, all_views=True)
    for unprinted in ("start", "trained_samples"):
        every.pop(unprinted)
    ratio = result["app_samples_per_s"] / rate_headless

    def mean(key: str) -> float:
        return (before[key] + after[key]) / 2

    # throughput_ratio = pacing x window: what the worker's own loop (short slices, each
    # snapshot with the grid and the loss the two views draw) gives up without Qt, then
    # what the window costs on top; each split into the share of the time in compiled
    # calls and their speed (a kernel slowed by work on the other core runs slower)
    why = {
        "in_kernel": {
            "headless": round(mean("in_kernel"), 3),
            "worker_loop": round(paced_run["in_kernel"], 3),
            "app": result["worker_in_kernel"],
        },
        "kernel_samples_per_s": {
            "headless": round(mean("kernel_samples_per_s")),
            "worker_loop": round(paced_run["kernel_samples_per_s"]),
            "app": result["worker_kernel_samples_per_s"],
        },
        "pacing": round(paced_run["samples_per_s"] / rate_headless, 3),
        "window": round(result["app_samples_per_s"] / paced_run["samples_per_s"], 3),
    }
    figures = {
        "frame_interval_p95_ms": result["frame_interval_ms"]["p95"],
        "lateness_p99_ms": result["lateness_ms"]["p99"],
        "boundary_hz": result["boundary_hz"],
        "throughput_ratio": round(ratio, 3),
        "all_views_worst_view_ratio": every["worst_view_ratio"],
    }
    met = {
        name: figures[name] >= target if name in AT_LEAST else figures[name] <= target
        for name, target in TARGETS.items()
    }
    report = {
        "case": f"spiral {args.points} points, 3 classes, 2-64-64-64-3 relu, adam, batch {BATCH}",
        "platform": os.environ.get("QT_QPA_PLATFORM", ""),
        "cpus": os.cpu_count(),
        "seconds": args.seconds,
        "headless_samples_per_s": round(rate_headless),
        # the two plain runs on the app's work, either side of the worker loop's
        "headless_runs": [round(before["samples_per_s"]), round(after["samples_per_s"])],
        "throughput_parts": why,
        **result,
        "all_views": every,
        "figures": figures,
        # each visible view's redraw rate held to the target, every view open
        "view_targets_hz": {name: view_target_hz(name) for name in every["view_draws_per_s"]},
        "views_met": {
            name: hz >= view_target_hz(name) for name, hz in every["view_draws_per_s"].items()
        },
        "targets": TARGETS,
        "met": met,
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
