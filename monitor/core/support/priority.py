"""Background work yields the cores to the window.

Polling parses and matches on worker threads while the GUI thread must answer within a few tens of
milliseconds; on a two-core machine they compete for the CPUs. Linux gives each thread its own niceness, so
every background thread lowers its own when it starts. Elsewhere this does nothing.

Worker processes go further (`background_process`): Linux's SCHED_IDLE policy, under which a thread of normal
policy that wakes up takes the core at once. Niceness alone was not enough: on a 2-core machine with both
cores busy re-scoring at niceness 19, the window's thread waited up to 130 ms to be scheduled after its timer
fired (`perf sched timehist`; docs/BENCHMARKS.md section 17). The window's own threads keep the normal policy
with a niceness: they share its interpreter lock, and a thread holding it must not wait for a free core.
"""

from __future__ import annotations

import logging
import os
import sys
import threading

log = logging.getLogger(__name__)

BACKGROUND_NICENESS = 10  # added to the niceness the thread starts with (19 at most)


def lower_thread_priority() -> None:
    """Make the calling thread nicer (Linux only: there setpriority on a thread id touches that thread alone)."""
    if sys.platform != "linux":
        return
    thread = threading.get_native_id()
    try:
        current = os.getpriority(os.PRIO_PROCESS, thread)
        os.setpriority(os.PRIO_PROCESS, thread, min(19, current + BACKGROUND_NICENESS))
    except OSError as exc:  # a sandbox may forbid it; the work still runs
        log.debug("could not lower the priority of %s: %s", threading.current_thread().name, exc)


def background_process() -> None:
    """Make the calling thread, and the threads it starts, the last to run: niceness (as
    `lower_thread_priority`) and, on Linux, the SCHED_IDLE policy. For worker processes' main threads only,
    never for a thread that shares the window's interpreter."""
    lower_thread_priority()
    if sys.platform != "linux":
        return
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (OSError, AttributeError) as exc:  # a sandbox may forbid it; niceness still applies
        log.debug("could not make a worker process SCHED_IDLE: %s", exc)
