"""Scheduled polling: APScheduler 3.x owns the plan, one job per enabled feed, feeding one poll worker thread.

How it fits together:

- The store keeps facts about each feed's fetches (last attempt, failures in a row, a server's Retry-After
  deadline); one rule turns them into the time the feed is due (monitor.core.polling.due: the interval after a
  success, an exponential backoff capped at 6 hours after failures, never before Retry-After).
- Each enabled feed has an APScheduler interval job (monitor.core.polling.plan; coalesced, one instance at a
  time, a misfire grace time, jitter) armed at that time: the jobs are the plan, and :meth:`next_run` reads it.
  A job does not poll by itself: it puts the feed on the *due* list and wakes the worker.
- One worker thread (``vigie-poll``) drains the due list and calls the injected ``poll_feeds(feed_ids)`` once
  for everything that is due (plus the feeds whose job runs within ``gather_seconds``), so feeds that come due
  together give one poll, hence one notification, and polls never overlap. After every poll the worker
  re-reads the feeds and re-arms each job from the rule, so backoff and recovery follow the facts the poll
  recorded, and disabled or removed feeds lose their job.
- At start-up, when resumed, after :meth:`sync` and after a clock jump (suspend and resume: the wall clock
  moved much more than the monotonic clock between two ticks of the watchdog job), the feeds the rule finds
  overdue are polled at once (Vorta's lesson: a job that missed its run while the laptop slept must not wait
  for its next interval).

The worker and APScheduler's threads never touch Qt; results leave through plain callbacks, called on the
worker thread. Tests drive the same logic without threads through :meth:`PollScheduler.tick`.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from monitor.core.models import Feed
from monitor.core.polling.due import MINUTE, due_time, interval_of, is_overdue
from monitor.core.polling.plan import FeedJobs
from monitor.core.storage.lease import LeaseHeldError
from monitor.core.support.clock import Clock, utc_now
from monitor.core.support.priority import lower_thread_priority

if TYPE_CHECKING:
    from monitor.core.polling.poller import FeedReport, PollResult
    from monitor.core.storage.store import Store

log = logging.getLogger(__name__)

_WATCHDOG_JOB = "vigie-watchdog"


class PollFunction(Protocol):
    """Polls the given feeds once and returns what happened (in the app: VigieCore.poll for those feeds)."""

    def __call__(
        self,
        feed_ids: Sequence[int],
        *,
        on_progress: Callable[[int, int, FeedReport], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> PollResult: ...


@dataclass
class SchedulerCallbacks:
    """What the scheduler tells the outside world. All are called on the poll worker thread, never the GUI's.

    Attributes:
        on_poll_started: the feed ids about to be polled.
        on_progress: (done, total, report) after each feed of a poll.
        on_poll_finished: the PollResult of a poll that ran to its end, once the polled feeds' jobs are re-armed.
        on_error: a sentence, when a poll failed as a whole (a bug, a full disk): the schedule goes on.
    """

    on_poll_started: Callable[[list[int]], None] | None = None
    on_progress: Callable[[int, int, FeedReport], None] | None = None
    on_poll_finished: Callable[[PollResult], None] | None = None
    on_error: Callable[[str], None] | None = None


@dataclass
class _Requests:
    """Work waiting for the poll worker."""

    feed_ids: set[int] = field(default_factory=set)
    all_feeds: bool = False
    catch_up: bool = False  # poll every overdue feed
    resync: bool = False  # re-read the feeds and re-arm their jobs

    def __bool__(self) -> bool:
        return bool(self.feed_ids or self.all_feeds or self.catch_up or self.resync)


class PollScheduler:
    """Polls each enabled feed on its own schedule, on one background worker thread.

    Args:
        store: where the feeds and the facts of their fetches are read; only the worker thread (or the thread
            that calls tick/run_pending) reads it.
        poll_feeds: polls a list of feed ids and returns a PollResult (see PollFunction).
        callbacks: what to call when polls start, progress, end or fail.
        clock: the wall clock (UTC), the same the poller records the attempts with. The jobs' run times are on
            this clock; a started scheduler runs them on APScheduler's, the real wall clock, so a clock other
            than the real one is for stepping the scheduler by hand (tick, run_pending).
        monotonic: a clock that does not jump (suspend does not advance it on Linux).
        jitter_seconds: up to this many seconds are added at random to each scheduled run.
        gather_seconds: a poll also takes the feeds due within this many seconds, so they share one poll.
        misfire_grace_seconds: a run this late is skipped by APScheduler (the watchdog catches up instead).
        watchdog_seconds: how often the clock-jump watchdog ticks.
        clock_jump_seconds: a wall clock that moved this much more (or less) than the monotonic clock between
            two watchdog ticks counts as a jump.
        minute: the length of one interval minute; a test hook (e.g. timedelta(seconds=1)) for a real run.
        rng: the random source of the jitter.
    """

    def __init__(
        self,
        store: Store,
        poll_feeds: PollFunction,
        callbacks: SchedulerCallbacks | None = None,
        *,
        clock: Clock = utc_now,
        monotonic: Callable[[], float] = time.monotonic,
        jitter_seconds: float = 30.0,
        gather_seconds: float = 60.0,
        misfire_grace_seconds: int = 600,
        watchdog_seconds: float = 30.0,
        clock_jump_seconds: float = 120.0,
        minute: timedelta = MINUTE,
        rng: random.Random | None = None,
    ) -> None:
        self._store = store
        self._poll_feeds = poll_feeds
        self.callbacks = callbacks or SchedulerCallbacks()
        self._clock = clock
        self._monotonic = monotonic
        self._jitter = max(0.0, jitter_seconds)
        self._gather = timedelta(seconds=max(0.0, gather_seconds))
        self._watchdog_seconds = watchdog_seconds
        self._jump = clock_jump_seconds
        self._minute = minute
        self._rng = rng or random.Random()

        self._cond = threading.Condition()
        self._requests = _Requests()
        self._in_flight: set[int] = set()  # the feeds of the poll being served, until their jobs are re-armed
        self._polling = False
        self._paused = False
        self._stopping = False
        self._poll_cancel: threading.Event | None = None  # the running poll's
        self._worker: threading.Thread | None = None
        self._last_tick: tuple[datetime, float] | None = None
        self._armed = False  # the jobs were armed from the store at least once
        self._disabled: set[int] | None = None  # disabled feeds at the last look (None: not looked yet)
        # The plan lives in APScheduler's jobs from the start: before start() they wait as its pending jobs.
        self._aps = BackgroundScheduler(
            timezone=UTC,
            executors={"default": ThreadPoolExecutor(max_workers=2)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": misfire_grace_seconds},
        )
        self._jobs = FeedJobs(
            self._aps,
            self._feed_due,
            misfire_grace_seconds=misfire_grace_seconds,
            jitter_seconds=self._jitter,
        )

    # -- lifecycle ----------------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """True between start() and shutdown()."""
        return self._aps.running and not self._stopping

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def busy(self) -> bool:
        """True while a poll runs."""
        with self._cond:
            return self._polling

    def start(self) -> None:
        """Start APScheduler and the poll worker; overdue feeds are polled at once. A scheduler starts once."""
        if self._aps.running or self._stopping:
            raise RuntimeError("the scheduler was already started")
        self._aps.add_job(
            self.watchdog,
            IntervalTrigger(seconds=self._watchdog_seconds, timezone=UTC),
            id=_WATCHDOG_JOB,
            name="clock-jump watchdog",
        )
        self._worker = threading.Thread(target=self._work, name="vigie-poll", daemon=True)
        self._worker.start()
        self._aps.start(paused=self._paused)
        self.watchdog()  # first tick: remembers both clocks
        self._request(catch_up=True, resync=True)
        log.info("scheduler started%s", " (paused)" if self._paused else "")

    def shutdown(self, wait: bool = True) -> None:
        """Stop scheduling and the worker. A poll in progress stops starting new fetches and, with `wait`,
        is waited for: its writes are short transactions that either happen whole or not at all."""
        with self._cond:
            self._stopping = True
            self._requests = _Requests()
            self._cond.notify_all()
            if self._poll_cancel is not None:
                self._poll_cancel.set()
        if self._aps.running:
            self._aps.shutdown(wait=wait)
        worker, self._worker = self._worker, None
        if worker is not None and wait:
            worker.join()
        log.info("scheduler stopped")

    # -- what the user asks ----------------------------------------------------------------------------------

    def poll_now(self, feeds: int | Iterable[int] | None = None) -> None:
        """Poll one feed, some (ids), or every enabled feed (None) as soon as the worker is free, paused or
        not. Feeds asked for together are polled together."""
        if feeds is None:
            self._request(all_feeds=True)
        else:
            self._request(feed_ids={feeds} if isinstance(feeds, int) else set(feeds))

    def cancel_poll(self) -> None:
        """Stop the running poll: no new fetch starts; what was fetched is stored. The schedule goes on."""
        with self._cond:
            if self._poll_cancel is not None:
                self._poll_cancel.set()

    def pause(self) -> None:
        """Stop scheduled polls (Poll now still works) until resume()."""
        self._paused = True
        if self._aps.running:
            self._aps.pause()
        log.info("scheduled polling paused")

    def resume(self) -> None:
        """Resume scheduled polls; feeds that came due meanwhile are polled at once."""
        self._paused = False
        self._last_tick = None  # the pause is no clock jump
        if self._aps.running:
            self._aps.resume()
        self._request(catch_up=True, resync=True)
        log.info("scheduled polling resumed")

    def sync(self) -> None:
        """Re-read the feeds (after the user added, removed, enabled or re-timed some) and re-arm their jobs.
        A new feed, being due at once, is polled at once."""
        self._request(catch_up=True, resync=True)

    # -- reading the schedule -----------------------------------------------------------------------------

    def due_feeds(self, now: datetime | None = None) -> list[int]:
        """Ids of the enabled feeds the rule finds due at `now` (a never-polled feed is): what a catch-up polls."""
        moment = now or self._clock()
        return [f.id for f in self._store.list_feeds() if is_overdue(f, moment, minute=self._minute)]

    def next_run(self, feed_id: int) -> datetime | None:
        """When the feed's job runs next (on the injected clock), or None when it has none (a disabled feed,
        or before the scheduler first read the feeds)."""
        return self._jobs.next_run(feed_id)

    def scheduled_feeds(self) -> list[int]:
        """Ids of the feeds that have a job."""
        return self._jobs.feed_ids()

    # -- driving it by hand (tests) ------------------------------------------------------------------------

    def tick(self) -> PollResult | None:
        """One deterministic step on the calling thread, for a scheduler that was not started: the watchdog
        looks at the clocks; unless paused, the jobs whose run time has come on the clock run (the first step
        also polls the overdue feeds and arms the jobs, as start() does); then every request is served.

        Returns the PollResult, or None when nothing was polled.
        """
        self.watchdog()
        if not self._paused:
            if not self._armed:
                self._request(catch_up=True, resync=True)
            for feed_id in sorted(self._jobs.due_by(self._clock())):
                self._feed_due(feed_id)
        return self.run_pending()

    def run_pending(self) -> PollResult | None:
        """Serve the waiting requests (Poll now, catch-up, resync) on the calling thread, as the worker would.
        Only for a scheduler that was not started."""
        if self._worker is not None:
            raise RuntimeError("the scheduler is started: its worker serves the requests")
        with self._cond:
            requests, self._requests = self._requests, _Requests()
        if not requests:
            return None
        return self._serve(requests)

    # -- jobs (APScheduler threads: cheap, no store, no Qt) ------------------------------------------------

    def watchdog(self) -> bool:
        """Compare the wall and monotonic clocks since the last tick; after a jump, poll overdue feeds now.

        Returns True when a jump was seen.
        """
        wall, mono = self._clock(), self._monotonic()
        last, self._last_tick = self._last_tick, (wall, mono)
        if last is None:
            return False
        drift = (wall - last[0]).total_seconds() - (mono - last[1])
        if abs(drift) < self._jump:
            return False
        log.info("the clock jumped by %+.0f s (suspend and resume?): polling overdue feeds", drift)
        self._request(catch_up=True, resync=True)
        return True

    def _feed_due(self, feed_id: int) -> None:
        with self._cond:
            if feed_id in self._in_flight:
                return  # it is being polled right now; the poll re-arms its job
        self._request(feed_ids={feed_id})

    # -- the worker ------------------------------------------------------------------------------------------

    def _request(
        self,
        feed_ids: Iterable[int] = (),
        *,
        all_feeds: bool = False,
        catch_up: bool = False,
        resync: bool = False,
    ) -> None:
        with self._cond:
            if self._stopping:
                return
            self._requests.feed_ids.update(feed_ids)
            self._requests.all_feeds |= all_feeds
            self._requests.catch_up |= catch_up
            self._requests.resync |= resync
            self._cond.notify_all()

    def _work(self) -> None:
        lower_thread_priority()
        try:
            while True:
                with self._cond:
                    while not self._stopping and not self._requests:
                        self._cond.wait()
                    if self._stopping:
                        return
                    requests, self._requests = self._requests, _Requests()
                try:
                    self._serve(requests)
                except Exception:  # the worker must outlive any surprise, or polling silently stops
                    log.exception("the poll worker failed")
                    self._report_error("scheduled polling hit an internal error (see the log)")
        finally:
            self._store.release_thread()

    def _serve(self, requests: _Requests) -> PollResult | None:
        now = self._clock()
        feeds = {f.id: f for f in self._store.list_feeds()}
        enabled = {i for i, f in feeds.items() if f.enabled}
        targets: set[int] = set(requests.feed_ids) & enabled
        if requests.all_feeds:
            targets |= enabled
        if requests.catch_up and not self._paused:
            targets |= {i for i in enabled if is_overdue(feeds[i], now, minute=self._minute)}
        if self._disabled is not None:
            targets |= enabled & self._disabled  # the user switched a feed back on: try it now
        if targets and not self._paused:
            # Company: feeds whose job runs within the gather window join this poll rather than make their own.
            targets |= self._jobs.due_by(now + self._gather) & enabled
        with self._cond:
            self._in_flight = set(targets)
        result: PollResult | None = None
        try:
            if targets:
                result = self._poll(sorted(targets))
                feeds = {f.id: f for f in self._store.list_feeds()}
            self._arm(feeds, polled=targets)
        finally:
            with self._cond:
                self._in_flight = set()
        self._disabled = {i for i, f in feeds.items() if not f.enabled}
        if (
            result is not None
        ):  # told once the jobs are re-armed, so a listener reading next_run sees the new plan
            self._call(self.callbacks.on_poll_finished, result)
        return result

    def _poll(self, feed_ids: list[int]) -> PollResult | None:
        with self._cond:
            if self._stopping:
                return None
            self._polling = True
            cancel = self._poll_cancel = threading.Event()
        log.info("polling %d feeds", len(feed_ids))
        self._call(self.callbacks.on_poll_started, list(feed_ids))
        try:
            result = self._poll_feeds(feed_ids, on_progress=self._progress, cancel=cancel)
        except LeaseHeldError as exc:  # another process polls this store: said in words, no traceback
            log.warning("no poll of %d feeds: %s", len(feed_ids), exc)
            self._report_error(str(exc))
            return None
        except Exception as exc:
            log.exception("a poll of %d feeds failed", len(feed_ids))
            self._report_error(f"the poll failed: {exc}")
            return None
        finally:
            with self._cond:
                self._polling = False
                self._poll_cancel = None
        log.info("poll %s finished: %s", result.poll_id, result.summary())
        return result

    def _progress(self, done: int, total: int, report: FeedReport) -> None:
        callback = self.callbacks.on_progress
        if callback is not None:
            try:
                callback(done, total, report)
            except Exception:
                log.exception("the progress callback failed")

    def _report_error(self, message: str) -> None:
        self._call(self.callbacks.on_error, message)

    @staticmethod
    def _call(callback: Callable[[Any], None] | None, value: object) -> None:
        if callback is None:
            return
        try:
            callback(value)
        except Exception:  # a listener's bug must not stop the schedule
            log.exception("a scheduler callback failed")

    # -- arming the jobs -------------------------------------------------------------------------------------

    def _arm(self, feeds: dict[int, Feed], polled: set[int]) -> None:
        """Arm each enabled feed's job at the time the rule gives, and drop the jobs of disabled or removed
        feeds. An overdue feed runs now; a polled feed whose poll recorded nothing (it raised, or was cancelled
        before its fetch) waits one interval, so a broken poll cannot spin."""
        if self._stopping:
            return
        now = self._clock()
        for feed_id in set(self._jobs.feed_ids()) - {i for i, f in feeds.items() if f.enabled}:
            self._jobs.drop(feed_id)
        for feed_id, feed in feeds.items():
            if not feed.enabled:
                continue
            interval = interval_of(feed, self._minute)
            when = due_time(feed, now, minute=self._minute)
            if when is None or when <= now:
                when = now + interval if feed_id in polled else now
            planned = self._jobs.next_run(feed_id)
            if (
                feed_id not in polled
                and planned is not None
                and self._jobs.interval(feed_id) == interval
                and abs((planned - when).total_seconds()) <= self._jitter
            ):
                continue  # unchanged: it keeps the jitter it already has
            if when > now and self._jitter:
                when += timedelta(seconds=self._rng.uniform(0, self._jitter))
            self._jobs.arm(feed_id, interval, when)
        self._armed = True
