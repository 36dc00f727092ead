"""Background threads lower their own priority, and only their own (Linux)."""

from __future__ import annotations

import os
import sys
import threading

import pytest

from monitor.core.support.priority import BACKGROUND_NICENESS, background_process, lower_thread_priority

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="per-thread niceness is a Linux feature")


def _niceness() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


def test_a_background_thread_is_nicer_and_the_gui_thread_is_not() -> None:
    before = _niceness()
    seen: list[int] = []

    def background() -> None:
        lower_thread_priority()
        seen.append(_niceness())

    thread = threading.Thread(target=background)
    thread.start()
    thread.join()
    assert seen == [min(19, before + BACKGROUND_NICENESS)]
    assert _niceness() == before


def test_a_worker_process_runs_only_when_the_window_does_not() -> None:
    """SCHED_IDLE: a thread of normal policy that wakes up takes the core from it at once."""
    seen: list[tuple[int, int]] = []
    before = _niceness()

    def worker() -> None:
        background_process()
        seen.append((os.sched_getscheduler(0), _niceness()))

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen == [(os.SCHED_IDLE, min(19, before + BACKGROUND_NICENESS))]
    assert os.sched_getscheduler(0) == os.SCHED_OTHER  # the caller's thread keeps its policy
