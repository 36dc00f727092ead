"""Background work yields the cores to the window.

Polling parses and matches on worker threads while the GUI thread must answer within a few tens of
milliseconds; on a two-core machine they compete for the CPUs. Linux gives each thread its own niceness, so
every background thread lowers its own when it starts. Elsewhere this does nothing.
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
