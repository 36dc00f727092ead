"""The window's polling behind the poller lease (issue 19): it polls while it holds the lease and stands by while
another process (a `vigie serve`, another window) does, as `vigie serve` does: the same standby loop
(core/polling/headless.py's HeadlessPoller), run on a thread of its own.

- **Standing by.** No scheduler runs. The status bar says "Polling is done by vigie on HOST (pid N); this window
  stands by", and so does Poll now (a message, not an error). Every `watch_seconds` a cheap read on the task
  runner (the newest article's id and the last poll's end, VigieCore.store_mark) tells whether the holder's polls
  stored something; then the list, the counts and "Last poll" are read again, and on SQLite the alerts its poll
  flagged give a notification under this analyst's rules (on PostgreSQL they are pushed: team_mode.py), and so
  do the spikes the holder logged after the window's first look (on both engines; read at every look, since the
  holder logs them after its poll's articles).
- **Taking over.** The holder dies or stops: the loop takes the lease at its next try (`retry_seconds`) and starts
  the window's scheduler (the overdue feeds polled at once); the bridge polls through it; the status bar says so.
- **Quitting.** shutdown() stops the loop: the poll in flight ends its writes, then the lease is released.

The lease's checks run on the loop's thread and the watch's reads on the task runner: the GUI thread never waits.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from monitor.core.polling.headless import HeadlessPoller, StandbyHooks
from monitor.core.polling.scheduler import PollFunction, PollScheduler, SchedulerCallbacks
from monitor.core.service import core_poll_function

if TYPE_CHECKING:
    from monitor.core.polling.alerts import Notification
    from monitor.core.service import VigieCore
    from monitor.ui.main_window import MainWindow

log = logging.getLogger(__name__)

STANDBY_WORDS = "Polling is done by {holder}; this window stands by"
SERVER_WORDS = "Polling waits for the database server; this window stands by"
ROLE_WORDS = "Polling is left to the team's service (this database role does not store articles)"
TAKEN_OVER = "The poller lease is free again: this window polls now (overdue feeds first)."
STARTING_WORDS = "Polling starts…"


class WindowPoller(QObject):
    """Scheduled polling for one window while it holds the poller lease; a standby while another process does.

    Signals (on the GUI thread):
        standing_by(str): the window stands by; the words the status bar shows.
        took_over(): the window holds the lease and its scheduler runs.
        store_moved(): standing by, the watch saw the holder's polls store something; the list was reloaded.
        notification(Notification): standing by on SQLite, the notification of the holder's poll's alerts.

    Args:
        core: the window's core (its poller lease, its store).
        window: the main window (its bridge and status bar).
        callbacks: the scheduler's callbacks (the PollRelay's, which reach the window through signals).
        retry_seconds: how often a standby tries the lease.
        check_seconds: how often the holder checks the lease is still its own.
        resync_seconds: how often the holder re-reads the feeds (changed by other processes).
        watch_seconds: how often a standby looks for the holder's new articles.
        holder_seconds: how often a standby reads again who holds the lease (another may have taken it).
        scheduler_options: given to each PollScheduler (tests take the jitter out).
    """

    standing_by = Signal(str)
    took_over = Signal()
    store_moved = Signal()
    notification = Signal(object)
    _event = Signal(str, object)  # from the loop's thread, delivered on the GUI thread

    def __init__(
        self,
        core: VigieCore,
        window: MainWindow,
        callbacks: SchedulerCallbacks,
        *,
        retry_seconds: float = 5.0,
        check_seconds: float = 5.0,
        resync_seconds: float = 60.0,
        watch_seconds: float = 10.0,
        holder_seconds: float = 60.0,
        **scheduler_options: Any,
    ) -> None:
        super().__init__(window)
        self.core = core
        self.window = window
        self.bridge = window.bridge
        self.scheduler: PollScheduler | None = None
        self.words = ""  # what the status bar says while the window does not poll
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._mark: tuple[int, str | None, int] | None = None
        self._spikes_seen: str | None = None  # the newest spike `at` of the holder's log this window has seen
        self._following = False  # a look at the spike log is on the runner
        self._looking = False
        self._stood_by = False
        self._event.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._watch = QTimer(self)
        self._watch.setInterval(max(50, int(watch_seconds * 1000)))
        self._watch.timeout.connect(self._look)
        self.bridge.not_polling = STARTING_WORDS
        self.bridge.feeds_changed.connect(self._sync)  # added, removed, re-timed or re-enabled feeds

        def make_scheduler(gated: PollFunction) -> PollScheduler:
            return PollScheduler(core.store, gated, callbacks, **scheduler_options)

        hooks = StandbyHooks(
            on_standby=lambda holder: self._event.emit("standby", holder),
            on_takeover=lambda scheduler: self._event.emit("takeover", scheduler),
            on_released=lambda scheduler: self._event.emit("released", scheduler),
            on_error=lambda message: self._event.emit("error", message),
        )
        self._loop = HeadlessPoller(
            core.poller_lease,
            core_poll_function(core),
            make_scheduler,
            retry_seconds=retry_seconds,
            check_seconds=check_seconds,
            resync_seconds=resync_seconds,
            hooks=hooks,
            holder_seconds=holder_seconds,
        )

    @property
    def standing_by_now(self) -> bool:
        """True while another process polls (or the lease cannot be asked for)."""
        return bool(self.words)

    @property
    def watching(self) -> bool:
        """True once a standby's watch has read the store's mark: what the holder stores from then on reloads
        the list."""
        return bool(self.words) and self._mark is not None

    def start(self) -> None:
        """Ask for the lease on the loop's thread: the window polls at once when it is free."""
        if self._thread is not None:
            raise RuntimeError("the window's poller was already started")
        self._thread = threading.Thread(target=self._run, name="vigie-lease", daemon=True)
        self._thread.start()

    def shutdown(self, wait: bool = True) -> None:
        """Stop polling or standing by: the poll in flight ends its writes; the lease is released (with `wait`,
        before this returns)."""
        self._watch.stop()
        self._stop.set()
        thread = self._thread
        if thread is not None and wait:
            thread.join()
        self.scheduler = None
        self.bridge.attach_scheduler(None)

    def _run(self) -> None:
        if not self._may_poll():
            return  # never takes the lease: a window that cannot store articles must not keep the service out
        try:
            self._loop.run(self._stop)
        except Exception:  # the window goes on without polling rather than crash
            log.exception("the window's poller loop failed")
            self._event.emit("error", "the poller loop failed (see the log)")

    def _may_poll(self) -> bool:
        """On the loop's thread: whether this login may store articles (on PostgreSQL, an analyst's may not)."""
        store = self.core.store
        try:
            allowed = store.may_store_articles()
        except Exception as exc:  # the server down: the loop waits for it as for the lease
            log.warning("could not ask whether this login may poll: %s", exc)
            return True
        finally:
            store.release_thread()
        if not allowed:
            self._event.emit("refused", ROLE_WORDS)
        return allowed

    # -- on the GUI thread ------------------------------------------------------------------------------------

    @Slot(str, object)
    def _deliver(self, kind: str, payload: Any) -> None:
        if self._stop.is_set():
            return
        if kind == "standby":
            self._stand_by(STANDBY_WORDS.format(holder=payload or "another Vigie"))
        elif kind == "refused":
            self._stand_by(payload)
        elif kind == "error":
            log.warning("the poller lease: %s", payload)
            self._stand_by(SERVER_WORDS)
        elif kind == "takeover":
            self._take_over(payload)
        elif kind == "released" and self.scheduler is payload:
            self.scheduler = None
            self.bridge.attach_scheduler(None)

    def _stand_by(self, words: str) -> None:
        if words == self.words:
            return  # still standing by for the same reason (a server down is told at every try)
        log.info("%s", words)
        self.words = words
        self.bridge.not_polling = words
        self.window.status.set_standby(words)
        self._stood_by = True
        self._mark = None  # the first look sets the baseline
        self._look()
        self._watch.start()
        self.standing_by.emit(words)

    def _take_over(self, scheduler: PollScheduler) -> None:
        self._watch.stop()
        self.scheduler = scheduler
        self.bridge.attach_scheduler(scheduler)
        self.words = ""
        self.window.status.set_standby("")
        if self._stood_by:
            self.window.status.show_message(TAKEN_OVER)
        log.info("this window polls now")
        self.took_over.emit()

    def _sync(self) -> None:
        if self.scheduler is not None:
            self.scheduler.sync()

    def _look(self) -> None:
        """Read the store's mark on the runner; the list follows when it moved."""
        if self._looking or not self.words:
            return
        self._looking = True
        self.bridge.runner.submit(
            lambda _p: self.core.store_mark(),
            on_result=self._seen,
            on_error=self._not_seen,
            name="store_mark",
        )

    def _seen(self, mark: tuple[int, str | None, int]) -> None:
        self._looking = False
        last, self._mark = self._mark, mark
        if not self.words:
            return
        self._follow_spikes(baseline=last is None)  # at every look: the holder logs its spikes after its poll
        if last is None or mark == last:
            return
        log.info("the poller's polls stored articles up to id %d: reloading the list", mark[0])
        self.window.status.set_last_poll(mark[1])
        self.bridge.articles_changed.emit()
        self.bridge.feeds_changed.emit()
        self.bridge.states_changed.emit()
        self.store_moved.emit()
        if mark[2] > last[2] and not self.core.on_shared_database:  # PostgreSQL pushes its alerts itself
            self._notify(mark[2])

    def _notify(self, poll_id: int) -> None:
        """The notification of the holder's poll `poll_id`, decided on the runner."""
        self.bridge.runner.submit(
            lambda _p: self.core.poll_notification(poll_id),
            on_result=self._notified,
            on_error=lambda exc: log.warning("the alerts of poll %s: %s", poll_id, exc),
            name="poll_notification",
        )

    def _follow_spikes(self, *, baseline: bool) -> None:
        """The spikes the holder's polls logged since the last look, as notifications (decided on the runner);
        the first look of a stand-by only notes the newest, so a spike already shown is not shown again."""
        if self._following:
            return
        self._following = True
        since = None if baseline else self._spikes_seen
        self.bridge.runner.submit(
            lambda _p: self.core.signals.spike_notes_since(since),
            on_result=self._spikes_found,
            on_error=self._spikes_not_found,
            name="spike_notes",
        )

    def _spikes_not_found(self, exc: BaseException) -> None:
        self._following = False
        log.warning("the holder's spikes: %s", exc)

    def _spikes_found(self, found: tuple[str | None, list[Notification]]) -> None:
        self._following = False
        self._spikes_seen, notes = found
        for note in notes:
            self._notified(note)

    def _notified(self, note: Notification | None) -> None:
        if note is not None and self.words:
            self.notification.emit(note)

    def _not_seen(self, exc: BaseException) -> None:
        self._looking = False
        log.debug("the standby's look at the store failed: %s", exc)
