"""Scheduled polls reach the GUI: the scheduler's callbacks (on its worker thread) become GUI-thread signals.

The alert decision is made on the worker thread too (it reads and writes the store), so the GUI thread only
shows what it is handed::

    relay = PollRelay(alert_policy, parent=window)
    scheduler = PollScheduler(core.store, core_poll_function(core), relay.callbacks())
    relay.poll_finished.connect(...)      # PollResult, on the GUI thread
    relay.notification.connect(notifier.notify)
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal, Slot

from monitor.core.polling.alerts import AlertPolicy, Notification
from monitor.core.polling.poller import FeedReport, PollResult
from monitor.core.polling.scheduler import SchedulerCallbacks
from monitor.ui.bridge import PollProgress

log = logging.getLogger(__name__)


class PollRelay(QObject):
    """Signals on the GUI thread for what the scheduler reports on its worker.

    Signals:
        poll_started(int): how many feeds.
        poll_progress(PollProgress): one feed done.
        poll_finished(PollResult): a poll ended.
        notification(Notification): the poll's notification, if any (emitted after poll_finished).
        error(str): a poll failed as a whole.
    """

    poll_started = Signal(int)
    poll_progress = Signal(object)
    poll_finished = Signal(object)
    notification = Signal(object)
    error = Signal(str)
    # Emitted on the worker, delivered on the GUI thread: a queued connection to a bound slot.
    _event = Signal(str, object)

    def __init__(
        self,
        alert_policy: AlertPolicy | None = None,
        parent: QObject | None = None,
        spikes: Callable[[], list[Notification]] | None = None,
    ) -> None:
        super().__init__(parent)
        self._policy = alert_policy
        self._spikes = spikes  # VigieCore.signals.check_spikes: a notification per new spike
        self._event.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def callbacks(self) -> SchedulerCallbacks:
        """The callbacks to give the PollScheduler."""
        return SchedulerCallbacks(
            on_poll_started=lambda ids: self._event.emit("started", len(ids)),
            on_progress=self._progress,
            on_poll_finished=self._finished,
            on_error=lambda message: self._event.emit("error", message),
        )

    def _progress(self, done: int, total: int, report: FeedReport) -> None:
        self._event.emit("progress", PollProgress(done, total, report))

    def _finished(self, result: PollResult) -> None:
        notification = None
        if self._policy is not None:
            try:
                notification = self._policy.notification_for(result)
            except Exception:  # an alert bug must not hide the poll's result
                log.exception("deciding the alerts of poll %s failed", result.poll_id)
        spikes: list[Notification] = []
        if self._spikes is not None:
            try:
                spikes = self._spikes()
            except Exception:  # nor may a spike bug
                log.exception("deciding the spikes after poll %s failed", result.poll_id)
        self._event.emit("finished", result)
        for note in [notification, *spikes]:
            if note is not None:
                self._event.emit("notification", note)

    @Slot(str, object)
    def _deliver(self, kind: str, payload: object) -> None:
        if kind == "started":
            self.poll_started.emit(payload)
        elif kind == "progress":
            self.poll_progress.emit(payload)
        elif kind == "finished":
            self.poll_finished.emit(payload)
        elif kind == "notification":
            self.notification.emit(payload)
        elif kind == "error":
            self.error.emit(payload)
