"""The task runner: work off the GUI thread, its result, error and progress back on the GUI thread.

The window never waits on the network, the disk or the CPU: it hands a task to a :class:`Runner` and is called
back, on the GUI thread, with plain data. :class:`TaskRunner` is the app's (a thread pool, and one serial
thread for writes that must land in order); :class:`ImmediateRunner` runs each task at once on the calling
thread, for scripts that want a window without threads (the screenshot script). Anki's taskman and Picard's
run_task are the models.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

from PySide6.QtCore import QObject, Qt, Signal, Slot

from monitor.core.errors import describe_error, is_expected
from monitor.core.support.priority import lower_thread_priority

log = logging.getLogger(__name__)

Progress = Callable[[object], None]
Task = Callable[[Progress], Any]
ResultCallback = Callable[[Any], None]
ErrorCallback = Callable[[BaseException], None]
ProgressCallback = Callable[[Any], None]


@dataclass
class _Callbacks:
    on_result: ResultCallback | None
    on_error: ErrorCallback | None
    on_progress: ProgressCallback | None
    name: str


class Runner(Protocol):
    """What the window needs of a runner; TaskRunner and ImmediateRunner both fit."""

    def submit(
        self,
        task: Task,
        *,
        on_result: ResultCallback | None = None,
        on_error: ErrorCallback | None = None,
        on_progress: ProgressCallback | None = None,
        serial: bool = False,
        urgent: bool = False,
        name: str = "",
    ) -> int: ...

    def pending(self) -> int: ...

    def shutdown(self, wait: bool = True) -> None: ...


class TaskRunner(QObject):
    """Runs `task(progress)` on a worker thread; its result, error and progress come back as queued signals.

    `serial=True` tasks run one at a time, in order, on their own thread: the small writes that follow user
    actions (read, star) must reach the database in the order they were made.

    `urgent=True` tasks are the short reads the analyst waits for (a page of the list's story view): they run,
    in order, on a thread of their own that keeps the window's priority. The pool's threads are nicer than the
    window so that background work yields to it, but on a loaded machine a page read of 2 ms took 30-100 ms
    there, waiting for a core behind every process of normal priority (docs/BENCHMARKS.md section 17).

    Args:
        max_workers: threads for the parallel pool (polls, re-scoring, feed checks, exports).
        thread_done: called on a worker thread when it finishes a task (e.g. to release a DB connection).
    """

    _done = Signal(int, bool, object)
    _progress = Signal(int, object)

    def __init__(self, parent: QObject | None = None, *, max_workers: int = 4) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(
            max_workers=max_workers, thread_name_prefix="vigie-task", initializer=lower_thread_priority
        )
        self._serial = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="vigie-write", initializer=lower_thread_priority
        )
        self._urgent = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vigie-read")
        self._callbacks: dict[int, _Callbacks] = {}
        self._ids = itertools.count(1)
        self._closed = False
        # Queued: the slots run on the thread this object lives in (the GUI thread), whoever emits.
        self._done.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._progress.connect(self._deliver_progress, Qt.ConnectionType.QueuedConnection)

    def submit(
        self,
        task: Task,
        *,
        on_result: ResultCallback | None = None,
        on_error: ErrorCallback | None = None,
        on_progress: ProgressCallback | None = None,
        serial: bool = False,
        urgent: bool = False,
        name: str = "",
    ) -> int:
        """Queue `task`; returns its id (0: dropped, the runner is shut down). Callbacks run later on the GUI
        thread."""
        if self._closed:
            # Quitting: a timer or a late signal may still ask for work; there is no one left to answer.
            log.debug("task %s dropped: the runner is shut down", name)
            return 0
        task_id = next(self._ids)
        self._callbacks[task_id] = _Callbacks(
            on_result, on_error, on_progress, name or getattr(task, "__name__", "")
        )
        executor = self._serial if serial else self._urgent if urgent else self._pool
        executor.submit(self._run, task_id, task)
        return task_id

    def _run(self, task_id: int, task: Task) -> None:
        def progress(value: object) -> None:
            self._progress.emit(task_id, value)

        try:
            result = task(progress)
        except BaseException as exc:  # handed to the GUI thread, which decides what to say
            self._done.emit(task_id, False, exc)
        else:
            self._done.emit(task_id, True, result)

    @Slot(int, bool, object)
    def _deliver(self, task_id: int, ok: bool, payload: object) -> None:
        callbacks = self._callbacks.pop(task_id, None)
        if callbacks is None:
            return
        _call(callbacks, ok, payload)

    @Slot(int, object)
    def _deliver_progress(self, task_id: int, value: object) -> None:
        callbacks = self._callbacks.get(task_id)
        if callbacks is not None and callbacks.on_progress is not None:
            callbacks.on_progress(value)

    def pending(self) -> int:
        """Tasks submitted whose result has not been delivered yet."""
        return len(self._callbacks)

    def shutdown(self, wait: bool = True) -> None:
        """Stop taking tasks; drop queued ones; wait for running ones (their results are discarded)."""
        self._closed = True
        self._callbacks.clear()
        self._pool.shutdown(wait=wait, cancel_futures=True)
        self._serial.shutdown(wait=wait, cancel_futures=True)
        self._urgent.shutdown(wait=wait, cancel_futures=True)


class ImmediateRunner:
    """Runs each task at once on the calling thread and calls back before returning: for scripts that want a
    window without threads (scripts/screenshots.py), never for the app."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self.submitted: list[str] = []

    def submit(
        self,
        task: Task,
        *,
        on_result: ResultCallback | None = None,
        on_error: ErrorCallback | None = None,
        on_progress: ProgressCallback | None = None,
        serial: bool = False,
        urgent: bool = False,
        name: str = "",
    ) -> int:
        callbacks = _Callbacks(on_result, on_error, on_progress, name)
        self.submitted.append(name)

        def progress(value: object) -> None:
            if on_progress is not None:
                on_progress(value)

        try:
            result = task(progress)
        except Exception as exc:
            _call(callbacks, False, exc)
        else:
            _call(callbacks, True, result)
        return next(self._ids)

    def pending(self) -> int:
        return 0

    def shutdown(self, wait: bool = True) -> None:
        return None


def _call(callbacks: _Callbacks, ok: bool, payload: object) -> None:
    if ok:
        if callbacks.on_result is not None:
            callbacks.on_result(payload)
        return
    assert isinstance(payload, BaseException)
    if not is_expected(payload):
        log.error("task %s failed", callbacks.name, exc_info=payload)
    if callbacks.on_error is not None:
        callbacks.on_error(payload)
    else:
        log.warning("task %s failed: %s", callbacks.name, describe_error(payload))
