"""The status bar: poll progress ("Polling 3 of 12 feeds…"), last poll, failing feeds, errors in words."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QWidget

from monitor.core.polling.poller import PollResult
from monitor.ui.bridge import PollProgress
from monitor.ui.style import format_date

log = logging.getLogger(__name__)

MESSAGE_MS = 8000
ERROR_MS = 30000


class _ClickableLabel(QLabel):
    clicked = Signal()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mouseReleaseEvent(event)


class StatusPanel(QObject):
    """Owns the permanent widgets of a QStatusBar and says what background work is doing."""

    failing_clicked = Signal()

    def __init__(self, bar: QStatusBar, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = bar
        self.error = QLabel(bar)
        self.error.setObjectName("statusError")
        self.error.setVisible(False)
        self.activity = QLabel(bar)
        self.activity.setObjectName("statusActivity")
        self.progress = QProgressBar(bar)
        self.progress.setMaximumWidth(140)
        self.progress.setMaximumHeight(14)
        self.progress.setTextVisible(False)
        self.progress.setVisible(False)
        self.last_poll = QLabel(bar)
        self.last_poll.setObjectName("statusLastPoll")
        self.standby = QLabel(bar)
        self.standby.setObjectName("statusStandby")
        self.standby.setToolTip(
            "Only one Vigie polls a store at a time (the poller lease): this window takes over when that one stops"
        )
        self.standby.setVisible(False)
        self.failing = _ClickableLabel(bar)
        self.failing.setObjectName("statusFailing")
        self.failing.setCursor(Qt.CursorShape.PointingHandCursor)
        self.failing.setToolTip("Open Feeds ▸ Feed health… to see why")
        self.failing.clicked.connect(self.failing_clicked)
        bar.addWidget(self.error, 1)
        bar.addPermanentWidget(self.activity)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.standby)
        bar.addPermanentWidget(self.failing)
        bar.addPermanentWidget(self.last_poll)
        self._error_timer = QTimer(self)
        self._error_timer.setSingleShot(True)
        self._error_timer.timeout.connect(lambda: self.error.setVisible(False))

    # -- polls ----------------------------------------------------------------------------------------------

    def poll_started(self, total: int) -> None:
        self.activity.setText(f"Polling {total} feed{'s' if total != 1 else ''}…")
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(0)
        self.progress.setVisible(True)

    def poll_progress(self, step: PollProgress) -> None:
        self.activity.setText(f"Polling {min(step.done + 1, step.total)} of {step.total} feeds…")
        self.progress.setRange(0, max(1, step.total))
        self.progress.setValue(step.done)

    def poll_finished(self, result: PollResult) -> None:
        self.activity.setText("")
        self.progress.setVisible(False)
        self.set_last_poll(result.finished)
        self.show_message(
            f"Poll done: {result.new} new, {result.updated} updated, {len(result.alert_ids)} new highlighted"
            + (f", {result.failed} feeds failed." if result.failed else ".")
        )

    def poll_stopped(self) -> None:
        self.activity.setText("")
        self.progress.setVisible(False)

    def set_last_poll(self, when: str | None) -> None:
        self.last_poll.setText(f"Last poll: {format_date(when)}" if when else "Never polled")

    def set_standby(self, words: str) -> None:
        """Say who polls while this window stands by ("" while it polls itself)."""
        self.standby.setText(words)
        self.standby.setVisible(bool(words))

    def set_failing(self, count: int) -> None:
        self.failing.setText(f"⚠ {count} failing feed{'s' if count != 1 else ''}" if count else "")
        self.failing.setVisible(bool(count))

    # -- re-scoring -----------------------------------------------------------------------------------------

    def rescore_started(self) -> None:
        self.activity.setText("Re-scoring articles…")
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)

    def rescore_progress(self, done: int, total: int) -> None:
        self.activity.setText(f"Re-scoring {done} of {total} articles…")
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(done)

    def rescore_finished(self, _count: int) -> None:
        self.activity.setText("")
        self.progress.setVisible(False)

    # -- other long work (backup, restore, reports, a watchlist proposal) ---------------------------------------

    def work_progress(self, text: str, done: int = 0, total: int = 0) -> None:
        """Say what runs; `total` 0 shows a busy bar."""
        self.activity.setText(text)
        self.progress.setRange(0, max(0, total))
        self.progress.setValue(min(done, total))
        self.progress.setVisible(True)

    def work_finished(self) -> None:
        self.activity.setText("")
        self.progress.setVisible(False)

    # -- words ----------------------------------------------------------------------------------------------

    def show_message(self, text: str) -> None:
        self.error.setVisible(False)
        self.bar.showMessage(text, MESSAGE_MS)

    def show_error(self, text: str) -> None:
        log.warning("shown to the user: %s", text)
        self.bar.clearMessage()
        self.error.setText(f"⚠ {text}")
        self.error.setToolTip(text)
        self.error.setVisible(True)
        self._error_timer.start(ERROR_MS)
