"""Background work for the window: a task runner, and the bridge whose signals carry core results to the GUI.

Widgets never wait on the network, the disk or the CPU. They ask the :class:`Bridge` to do something; the
bridge runs the core call on a worker thread through a :class:`TaskRunner` and, back on the GUI thread,
emits a signal with plain data. Tests swap the runner for an :class:`ImmediateRunner`, which runs every task
at once, so background work is deterministic.
"""

from __future__ import annotations

import itertools
import logging
import sqlite3
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QObject, Qt, Signal, Slot

from monitor.core.errors import StoreError, UserError
from monitor.core.matching.watchlist import Watchlist, WatchlistError
from monitor.core.models import ArticleQuery, Feed
from monitor.core.polling.discovery import FoundFeed, discover_feed
from monitor.core.polling.poller import FeedReport, PollResult
from monitor.core.polling.scheduler import PollScheduler
from monitor.core.service import VigieCore
from monitor.core.support.files import atomic_write
from monitor.core.support.priority import lower_thread_priority

log = logging.getLogger(__name__)

Progress = Callable[[object], None]
Task = Callable[[Progress], Any]
ResultCallback = Callable[[Any], None]
ErrorCallback = Callable[[BaseException], None]
ProgressCallback = Callable[[Any], None]

KNOWN_ERRORS = (UserError, StoreError, WatchlistError, OSError, sqlite3.Error)


def describe_error(exc: BaseException) -> str:
    """An error in words for the status bar: known errors as they say themselves, bugs as 'internal error'."""
    if isinstance(exc, UserError | StoreError | WatchlistError):
        return str(exc)
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        return f"{where}{exc.strerror or exc}"
    if isinstance(exc, sqlite3.Error):
        return f"database error: {exc} (is the disk full or the folder read-only?)"
    return f"internal error: {type(exc).__name__}: {exc}"


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
        name: str = "",
    ) -> int: ...

    def pending(self) -> int: ...

    def shutdown(self, wait: bool = True) -> None: ...


class TaskRunner(QObject):
    """Runs `task(progress)` on a worker thread; its result, error and progress come back as queued signals.

    `serial=True` tasks run one at a time, in order, on their own thread: the small writes that follow user
    actions (read, star) must reach the database in the order they were made.

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
        name: str = "",
    ) -> int:
        """Queue `task`; returns its id. Callbacks run later on the GUI thread."""
        if self._closed:
            raise RuntimeError("the task runner is shut down")
        task_id = next(self._ids)
        self._callbacks[task_id] = _Callbacks(
            on_result, on_error, on_progress, name or getattr(task, "__name__", "")
        )
        executor = self._serial if serial else self._pool
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


class ImmediateRunner:
    """A runner for tests: runs each task at once on the calling thread and calls back before returning."""

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
    if not isinstance(payload, KNOWN_ERRORS):
        log.error("task %s failed", callbacks.name, exc_info=payload)
    if callbacks.on_error is not None:
        callbacks.on_error(payload)
    else:
        log.warning("task %s failed: %s", callbacks.name, describe_error(payload))


@dataclass(frozen=True)
class PollProgress:
    """One feed done during a poll."""

    done: int
    total: int
    report: FeedReport


class Bridge(QObject):
    """Asks the core to act on a worker thread and tells the window what came of it, through signals.

    Signals carry plain data only. Every long operation reports failure through `error` (a sentence).
    """

    poll_started = Signal(int)  # how many feeds
    poll_progress = Signal(object)  # PollProgress
    poll_finished = Signal(object)  # PollResult
    rescore_started = Signal()
    rescore_progress = Signal(int, int)  # done, total
    rescore_finished = Signal(int)  # articles scored
    articles_changed = Signal()  # stored articles or their scores changed: lists should reload
    states_changed = Signal()  # read/star states changed: counts should refresh
    feeds_changed = Signal()
    watchlist_changed = Signal()
    message = Signal(str)  # something done, in words
    error = Signal(str)  # something failed, in words

    def __init__(self, core: VigieCore, runner: Runner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.core = core
        self.runner = runner
        self._poll_cancel: threading.Event | None = None
        self._rescoring = False
        self._scheduler: PollScheduler | None = None

    def attach_scheduler(self, scheduler: PollScheduler) -> None:
        """From now on polls run on the scheduler's worker (one at a time; alerts decided there); the app
        forwards the scheduler's PollRelay signals to poll_started/poll_progress/poll_finished."""
        self._scheduler = scheduler

    # -- state ----------------------------------------------------------------------------------------------

    @property
    def polling(self) -> bool:
        return self._poll_cancel is not None or (self._scheduler is not None and self._scheduler.busy)

    @property
    def rescoring(self) -> bool:
        return self._rescoring

    def _fail(self, what: str) -> ErrorCallback:
        def report(exc: BaseException) -> None:
            self.error.emit(f"{what}: {describe_error(exc)}")

        return report

    def _store_write(
        self, name: str, write: Callable[[], Any], then: Callable[[Any], None], failure: str
    ) -> None:
        """A small write that follows a user action: in order with the others, off the GUI thread; `then(result)`
        on the GUI thread, `failure` (what could not be done) in the status bar."""
        self.runner.submit(
            lambda _p: write(), on_result=then, on_error=self._fail(failure), serial=True, name=name
        )

    # -- polling --------------------------------------------------------------------------------------------

    def poll_now(self, feeds: Sequence[Feed] | None = None) -> bool:
        """Start a poll of `feeds` (default: every enabled feed). False when one is already running."""
        if self._poll_cancel is not None:
            self.message.emit("A poll is already running.")
            return False
        targets = list(feeds) if feeds is not None else [f for f in self.core.store.list_feeds() if f.enabled]
        if not targets:
            self.message.emit("No feeds to poll: add one with Feeds ▸ Manage feeds….")
            return False
        if self._scheduler is not None:
            self._scheduler.poll_now(None if feeds is None else [f.id for f in targets])
            return True
        cancel = threading.Event()
        self._poll_cancel = cancel
        core = self.core

        def task(progress: Progress) -> PollResult:
            return core.poll(
                None if feeds is None else targets,
                on_progress=lambda done, total, report: progress(PollProgress(done, total, report)),
                cancel=cancel,
            )

        def finished(result: PollResult) -> None:
            self._poll_cancel = None
            self.poll_finished.emit(result)
            self.articles_changed.emit()
            self.feeds_changed.emit()

        def failed(exc: BaseException) -> None:
            self._poll_cancel = None
            self.error.emit(f"The poll failed: {describe_error(exc)}")
            self.feeds_changed.emit()

        self.poll_started.emit(len(targets))
        self.runner.submit(
            task, on_result=finished, on_error=failed, on_progress=self.poll_progress.emit, name="poll"
        )
        return True

    def cancel_poll(self) -> None:
        if self._scheduler is not None:
            self._scheduler.cancel_poll()
        if self._poll_cancel is not None:
            self._poll_cancel.set()

    # -- watchlist and scores -------------------------------------------------------------------------------

    def replace_watchlist(self, watchlist: Watchlist) -> bool:
        """Save the watchlist and re-score every article in the background. False when a re-score runs."""
        return self._rescore(
            lambda progress: self.core.replace_watchlist(watchlist, progress), "Saving the watchlist"
        )

    def rescore(self) -> bool:
        """Re-score every article with the current matcher (after a threshold change)."""
        return self._rescore(lambda progress: self.core.rebuild_matcher(progress), "Re-scoring")

    def _rescore(self, work: Callable[[Callable[[int, int], None]], int], what: str) -> bool:
        if self._rescoring:
            self.message.emit("Re-scoring is already running.")
            return False
        self._rescoring = True

        def task(progress: Progress) -> int:
            return work(lambda done, total: progress((done, total)))

        def finished(count: int) -> None:
            self._rescoring = False
            self.rescore_finished.emit(count)
            self.watchlist_changed.emit()
            self.articles_changed.emit()
            self.message.emit(f"Watchlist saved; {count} articles re-scored.")

        def failed(exc: BaseException) -> None:
            self._rescoring = False
            self.error.emit(f"{what} failed: {describe_error(exc)}")
            self.rescore_finished.emit(-1)

        def progress(value: object) -> None:
            done, total = value  # type: ignore[misc]
            self.rescore_progress.emit(done, total)

        self.rescore_started.emit()
        self.runner.submit(task, on_result=finished, on_error=failed, on_progress=progress, name="rescore")
        return True

    # -- reading state (small writes, in order, off the GUI thread) ------------------------------------------

    def set_read(self, article_ids: Sequence[int], read: bool) -> None:
        ids = list(article_ids)
        store = self.core.store
        self._store_write(
            "set_read",
            lambda: store.set_read(ids, read),
            lambda _r: self.states_changed.emit(),
            "Could not change the read state",
        )

    def set_starred(self, article_id: int, starred: bool) -> None:
        store = self.core.store
        self._store_write(
            "set_starred",
            lambda: store.set_starred(article_id, starred),
            lambda _r: self.states_changed.emit(),
            "Could not change the star",
        )

    def mark_all_read(self, query: ArticleQuery) -> None:
        store = self.core.store

        def done(count: int) -> None:
            self.message.emit(f"Marked {count} articles read.")
            self.articles_changed.emit()

        self._store_write(
            "mark_all_read", lambda: store.mark_all_read(query), done, "Could not mark the articles read"
        )

    # -- feeds ----------------------------------------------------------------------------------------------

    def add_feed(
        self,
        url: str,
        on_done: Callable[[Feed | None, str], None] | None = None,
        *,
        poll: bool = True,
    ) -> None:
        """Check `url` (a page leads to its feed link), subscribe, then poll the new feed.

        `on_done(feed, message)` runs on the GUI thread; feed is None when nothing was added.
        """
        core = self.core

        def task(_progress: Progress) -> tuple[Feed, bool, FoundFeed]:
            with core.fetcher() as fetcher:
                found = discover_feed(url, fetcher)
            feed, created = core.add_feed(found.url, found.title)
            return feed, created, found

        def finished(result: tuple[Feed, bool, FoundFeed]) -> None:
            feed, created, found = result
            name = feed.title or feed.url
            if not created:
                text = f"Already subscribed to {name}."
            elif found.via_page:
                text = f"Added {name}: found its feed on that page ({found.items} items)."
            else:
                text = f"Added {name} ({found.items} items)."
            self.feeds_changed.emit()
            self.message.emit(text)
            if on_done is not None:
                on_done(feed, text)
            if created and poll:
                self.poll_now([feed])

        def failed(exc: BaseException) -> None:
            text = f"Could not add {url.strip()}: {describe_error(exc)}"
            self.error.emit(text)
            if on_done is not None:
                on_done(None, text)

        self.runner.submit(task, on_result=finished, on_error=failed, name="add_feed")

    def remove_feed(self, feed_id: int) -> None:
        store = self.core.store

        def done(_r: object) -> None:
            self.feeds_changed.emit()
            self.articles_changed.emit()

        self._store_write(
            "remove_feed", lambda: store.remove_feed(feed_id), done, "Could not remove the feed"
        )

    def update_feed(
        self, feed_id: int, *, interval_minutes: int | None = None, enabled: bool | None = None
    ) -> None:
        store = self.core.store
        self._store_write(
            "update_feed",
            lambda: store.update_feed_settings(feed_id, interval_minutes=interval_minutes, enabled=enabled),
            lambda _r: self.feeds_changed.emit(),
            "Could not change the feed",
        )

    def import_opml(self, path: Path) -> None:
        core = self.core

        def done(result: tuple[int, int, list[str]]) -> None:
            added, existing, skipped = result
            text = f"Imported {added} feeds from {path.name} ({existing} already subscribed"
            text += f", {len(skipped)} skipped: not http or https)." if skipped else ")."
            self.feeds_changed.emit()
            self.message.emit(text)

        self.runner.submit(
            lambda _p: core.import_opml(path),
            on_result=done,
            on_error=self._fail(f"Could not import {path.name}"),
            name="import_opml",
        )

    def export_opml(self, path: Path) -> None:
        core = self.core

        def task(_p: Progress) -> int:
            data = core.export_opml()
            with atomic_write(path, "wb") as out:
                out.write(data)
            return len(core.store.list_feeds())

        self.runner.submit(
            task,
            on_result=lambda n: self.message.emit(f"Exported {n} feeds to {path}."),
            on_error=self._fail(f"Could not export to {path}"),
            name="export_opml",
        )

    # -- articles -------------------------------------------------------------------------------------------

    def export_articles(self, path: Path, fmt: str, query: ArticleQuery) -> None:
        """Write the articles of `query` (the current list) as CSV or JSONL."""
        core = self.core

        def task(_p: Progress) -> int:
            with atomic_write(path) as out:
                return core.export_articles(out, fmt, query)

        self.runner.submit(
            task,
            on_result=lambda n: self.message.emit(f"Exported {n} articles to {path}."),
            on_error=self._fail(f"Could not export to {path}"),
            name="export_articles",
        )
