"""Worker processes for CPU-bound work: parsing a large poll's feeds, re-scoring a large store.

One Python process cannot use more than one core for Python code, and while its threads parse, the window's
thread waits for the interpreter. Workers are spawned, never forked (the caller may be a Qt application with
threads running), yield the cores to the window (SCHED_IDLE: core.support.priority.background_process), and
exit by themselves when their parent dies (a SIGKILL leaves no orphans behind).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from monitor.core.support.collector import tune_collector
from monitor.core.support.priority import background_process

log = logging.getLogger(__name__)

ORPHAN_CHECK_SECONDS = 1.0


def cores() -> int:
    return os.cpu_count() or 1


def start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker, which the first process pool needs, now.

    It is a process of its own, started by the first pool from whatever thread makes it; the start holds the
    interpreter long enough (about 50 ms on a 2-core machine) to stall a window whose thread waits for it, so
    an app that knows a pool is coming starts the tracker before its window shows.
    """
    from multiprocessing import resource_tracker

    resource_tracker.ensure_running()


def process_pool(
    workers: int, initializer: Callable[..., None] | None = None, initargs: tuple[Any, ...] = ()
) -> ProcessPoolExecutor:
    """A pool of `workers` spawned processes; `initializer(*initargs)` runs once in each.

    All the processes start now rather than one by one on later submissions, which narrows the window of the
    race `close_pool` deals with. Close it with `close_pool`."""
    pool = ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start,
        initargs=(os.getpid(), initializer, initargs),
    )
    for _ in range(workers):  # no worker is idle yet, so each submission spawns one
        pool.submit(_ready)
    return pool


def _ready() -> None:
    """The task that makes the pool start a process."""


def close_pool(pool: ProcessPoolExecutor) -> None:
    """Shut the pool down, waiting for its processes, and cancel what has not started.

    When a worker died, the pool is broken and terminates the others itself, but in Python 3.11 a process it
    spawned while breaking escapes that and the shutdown then waits for it forever
    (tests/core/polling/test_parallel_poll.py caught it): so the processes of a broken pool are killed here first."""
    if getattr(pool, "_broken", False):
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            if process.is_alive():
                log.warning("killing worker process %s of a broken pool", process.pid)
                process.kill()
    pool.shutdown(wait=True, cancel_futures=True)


def _start(parent: int, initializer: Callable[..., None] | None, initargs: tuple[Any, ...]) -> None:
    background_process()
    tune_collector()  # a spawned process starts with the defaults
    threading.Thread(
        target=_exit_when_orphaned, args=(parent,), name="vigie-orphan-watch", daemon=True
    ).start()
    if initializer is not None:
        initializer(*initargs)


def _exit_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(ORPHAN_CHECK_SECONDS)
    os._exit(0)
