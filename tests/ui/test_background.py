"""Background jobs: one job at a time, in a thread of its own or one reused for the next."""

from __future__ import annotations

import threading
import time

import pytest

from dlviz.ui.views.background import BackgroundJob, JobControl


def wait_done(job: BackgroundJob, timeout: float = 10.0):
    end = time.monotonic() + timeout
    while True:
        partial, done = job.poll()
        if done:
            return partial
        assert time.monotonic() < end, "the job did not finish"
        time.sleep(0.005)


def test_jobs_run_one_after_another_in_one_reused_thread_that_stop_ends():
    job = BackgroundJob("test", reuse_thread=True)
    threads = []

    def work(value):
        def run(control: JobControl):
            threads.append(threading.current_thread())
            control.publish(value)
            return value * 2

        return run

    for value in (1, 2, 3):
        job.start(work(value))
        partial = wait_done(job)
        assert job.result() == value * 2 and partial == value
        assert not job.running
    assert len(set(threads)) == 1 and threads[0] is not threading.current_thread()
    assert threads[0].is_alive()  # waits for the next job
    job.stop()
    assert not threads[0].is_alive() and not job.running


@pytest.mark.parametrize("reuse", [False, True])
def test_a_new_job_stops_the_running_one_first(reuse):
    job = BackgroundJob("test", reuse_thread=reuse)
    began, seen_cancel = threading.Event(), threading.Event()

    def slow(control: JobControl):
        began.set()
        while not control.cancelled():
            time.sleep(0.001)
        seen_cancel.set()
        return "slow"

    job.start(slow)
    assert began.wait(10)
    assert job.running
    job.start(lambda control: "quick")
    assert seen_cancel.is_set()  # start waited until the running job had stopped
    wait_done(job)
    assert job.result() == "quick"
    job.stop()


@pytest.mark.parametrize("reuse", [False, True])
def test_a_jobs_error_is_raised_in_the_thread_that_polls(reuse):
    job = BackgroundJob("test", reuse_thread=reuse)

    def broken(control: JobControl):
        raise ValueError("no such layer")

    job.start(broken)
    with pytest.raises(ValueError, match="no such layer"):
        wait_done(job)
    job.start(lambda control: 7)  # the thread survives a failed job
    wait_done(job)
    assert job.result() == 7
    job.stop()


@pytest.mark.parametrize("reuse", [False, True])
def test_stop_without_a_job_and_twice_is_harmless(reuse):
    job = BackgroundJob("test", reuse_thread=reuse)
    job.stop()
    job.start(lambda control: 1)
    wait_done(job)
    job.stop()
    job.stop()
    assert not job.running


def test_a_one_off_jobs_thread_ends_with_the_job():
    """A job started once and never stopped (a folder of images read) leaves no thread."""
    job = BackgroundJob("test")
    threads = []
    job.start(lambda control: threads.append(threading.current_thread()) or 5)
    wait_done(job)
    assert job.result() == 5
    threads[0].join(10)
    assert not threads[0].is_alive()
