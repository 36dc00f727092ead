"""Polling without a window (`vigie serve`, issue 19): the same scheduler as the window's, run while this process
holds the poller lease (storage/lease.py), a standby otherwise.

The life of a serving process:

1. **Standby.** It tries the lease; held elsewhere, it says so once (naming the holder when it can; again when
   the holder it reads every `holder_seconds` is another) and tries again every `retry_seconds`. The holder's
   death frees the lease (the kernel drops a dead process's flock; the server ends a dead client's session and
   its advisory lock), so the next try takes it over.
2. **Holder.** It starts a PollScheduler (the window's: one APScheduler job per feed, one poll worker, the
   overdue feeds polled at once). Every `check_seconds` it checks the lease is still its own, and every
   `resync_seconds` it re-reads the feeds, so that feeds added by `vigie feeds add` or by an analyst's window
   get their jobs (a new feed is due at once). Each poll first asks the lease again (`LeaseGate`): a holder
   that lost the lease's connection does not start a poll another process may be running.
3. **Stop.** `stop` set (SIGTERM, SIGINT): the scheduler is shut down, which lets the poll in flight start no
   new fetch and waits for it. What it fetched is stored, each feed in one transaction that happens whole or
   not at all; the lease is released, and the next standby takes over within its retry period.

The desktop window runs the same loop on a thread of its own (monitor/ui/poll_standby.py): `StandbyHooks` tell
it when it stands by (and for whom), takes over or stops polling, so its status bar can say so. Every other poll
respects the lease too: VigieCore.poll takes it for the poll's length (or refuses in words, naming the holder),
so `vigie poll` polls nothing while a service or a window holds it. The lease and the scheduler do not know who
runs them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from monitor.core.errors import StoreError, UserError
from monitor.core.polling.scheduler import PollFunction, PollScheduler, SchedulerCallbacks

if TYPE_CHECKING:
    from monitor.core.polling.alerts import AlertPolicy, Notification
    from monitor.core.polling.poller import FeedReport, PollResult
    from monitor.core.storage.lease import Lease

log = logging.getLogger(__name__)


class LeaseLost(UserError):
    """The poller lease was lost between two checks: the poll does not start."""


class LeaseGate:
    """A PollFunction that polls only while `lease` is held (it asks before each poll)."""

    def __init__(self, lease: Lease, poll: PollFunction) -> None:
        self._lease = lease
        self._poll = poll

    def __call__(
        self,
        feed_ids: Sequence[int],
        *,
        on_progress: Callable[[int, int, FeedReport], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> PollResult:
        if not self._lease.still_held():
            raise LeaseLost("the poller lease is lost: this process polls no more until it takes it again")
        return self._poll(feed_ids, on_progress=on_progress, cancel=cancel)


def logging_callbacks(
    alerts: AlertPolicy | None = None, spikes: Callable[[], list[Notification]] | None = None
) -> SchedulerCallbacks:
    """What a headless poll says, on stderr for the journal: failed feeds, each poll's summary and its alert.

    `spikes` (VigieCore.signals.check_spikes) decides the spike alerts after each poll: each new spike is logged,
    and kept in the store (its mark in every window's sidebar, its line in `vigie alerts list`)."""

    def progress(_done: int, _total: int, report: FeedReport) -> None:
        if report.status == "error":
            log.warning("%s", report.line())
        else:
            log.debug("%s", report.line())

    def finished(result: PollResult) -> None:
        notes = [alerts.notification_for(result)] if alerts is not None else []
        if spikes is not None:
            try:
                notes += spikes()
            except (StoreError, UserError) as exc:  # a spike check failing must not stop the polls
                log.warning("the spike alerts after poll %s were not decided: %s", result.poll_id, exc)
        for note in notes:
            if note is not None:
                log.info(
                    "alert: %s: %s (articles %s)", note.title, note.body, " ".join(map(str, note.article_ids))
                )

    return SchedulerCallbacks(
        on_progress=progress, on_poll_finished=finished, on_error=lambda message: log.error("%s", message)
    )


@dataclass
class StandbyHooks:
    """What the standby loop tells its owner (the window; `vigie serve` logs instead). All are called on the
    loop's thread, never the GUI's.

    Attributes:
        on_standby: (holder) another process holds the lease: this one stands by. `holder` names it in words
            ("vigie on HOST (pid N)"; "" when unknown). Told when standing by starts, and again when the holder
            read every `holder_seconds` is another.
        on_takeover: (scheduler) this process took the lease; its scheduler has started (overdue feeds first).
        on_released: (scheduler) polling stopped (the lease was lost, or the loop stops); the scheduler is shut
            down, the poll in flight ended.
        on_error: (message) the lease could not be asked for (the server is down): the loop tries again.
    """

    on_standby: Callable[[str], None] | None = None
    on_takeover: Callable[[PollScheduler], None] | None = None
    on_released: Callable[[PollScheduler], None] | None = None
    on_error: Callable[[str], None] | None = None


def _tell(hook: Callable[[Any], None] | None, value: Any) -> None:
    if hook is None:
        return
    try:
        hook(value)
    except Exception:  # the owner's bug must not stop polling or the standby
        log.exception("a standby hook failed")


class HeadlessPoller:
    """Scheduled polling while this process holds the lease; a standby while another does.

    Args:
        lease: the store's poller lease (storage.lease.lease_for).
        poll: polls feeds by id (service.core_poll_function); it runs only while the lease is held.
        make_scheduler: builds a fresh PollScheduler around the PollFunction it is given (`poll` behind the
            lease's gate); a scheduler starts once, so each takeover builds a new one.
        retry_seconds: how often a standby tries the lease.
        check_seconds: how often the holder checks the lease is still its own.
        resync_seconds: how often the holder re-reads the feeds (new feeds, changed intervals).
        hooks: what to tell the owner (the window) as the loop stands by, takes over and stops polling.
        holder_seconds: how often a standby reads again who holds the lease (on PostgreSQL, one connection).
    """

    def __init__(
        self,
        lease: Lease,
        poll: PollFunction,
        make_scheduler: Callable[[PollFunction], PollScheduler],
        *,
        retry_seconds: float = 5.0,
        check_seconds: float = 5.0,
        resync_seconds: float = 60.0,
        hooks: StandbyHooks | None = None,
        holder_seconds: float = 60.0,
    ) -> None:
        self._lease = lease
        self._hooks = hooks or StandbyHooks()
        self._poll = poll
        self._make_scheduler = make_scheduler
        self._retry = max(0.05, retry_seconds)
        self._check = max(0.05, check_seconds)
        self._resync = max(0.05, resync_seconds)
        self._holder_every = max(0.05, holder_seconds)
        self.takeovers = 0  # how many times this process took the lease

    def run(self, stop: threading.Event) -> None:
        """Stand by or poll until `stop` is set; returns once the lease is released."""
        told: str | None = None  # the holder told, while standing by
        read_at = 0.0
        while not stop.is_set():
            try:
                taken = self._lease.try_acquire()
            except StoreError as exc:  # the server is down: a standby waits for it as for the lease
                log.warning("%s; trying again in %g s", exc, self._retry)
                _tell(self._hooks.on_error, str(exc))
                stop.wait(self._retry)
                told = None
                continue
            if not taken:
                if told is None or time.monotonic() - read_at >= self._holder_every:
                    holder, read_at = self._lease.holder(), time.monotonic()
                    if holder != told:
                        log.info(
                            "standby: the poller lease is held by %s; trying again every %g s",
                            holder or "another process",
                            self._retry,
                        )
                        _tell(self._hooks.on_standby, holder)
                        told = holder
                stop.wait(self._retry)
                continue
            told = None
            self.takeovers += 1
            log.info("took the poller lease: this process polls now")
            try:
                self._poll_while_held(stop)
            finally:
                self._lease.release()
        log.info("stopped")

    def _poll_while_held(self, stop: threading.Event) -> None:
        scheduler = self._make_scheduler(LeaseGate(self._lease, self._poll))
        scheduler.start()
        _tell(self._hooks.on_takeover, scheduler)
        try:
            last_sync = time.monotonic()
            while not stop.wait(self._check):
                if not self._lease.still_held():
                    log.warning("lost the poller lease: polling stops; standing by")
                    return
                if time.monotonic() - last_sync >= self._resync:
                    scheduler.sync()  # feeds added or changed by other processes get their jobs
                    last_sync = time.monotonic()
            log.info("stopping: the poll in flight (if any) ends its writes")
        finally:
            scheduler.shutdown(wait=True)
            _tell(self._hooks.on_released, scheduler)
