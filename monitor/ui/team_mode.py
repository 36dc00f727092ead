"""The window on a team's shared PostgreSQL database (issue 19, docs/TEAM.md).

What only a local profile can do (backup and restore, SQLite's own) is greyed out with a tooltip that says why
(cases, signals and stories work on the server; cases are each analyst's own);
the status bar names the analyst; a server lost while the window runs gives a banner over the list with a Retry
button (the check runs on the task runner: the GUI thread never waits on the network). The profile's files
(settings, the watchlist's copy, the window's state) stay where they are: nothing local is lost.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QMenu, QPushButton, QWidget

from monitor.core.errors import describe_error

if TYPE_CHECKING:
    from PySide6.QtGui import QAction

    from monitor.core.polling.alerts import Notification
    from monitor.ui.main_window import MainWindow
    from monitor.ui.notifier import Notifier

log = logging.getLogger(__name__)

SQLITE_ONLY = (
    "Not available on a shared PostgreSQL database yet (team mode): "
    "open a local profile (no --database) for it"
)

SERVER_LOST_LIST = (
    "The team's database cannot be reached: the list will be read again once it answers (Retry)."
)


class ServerBanner(QFrame):
    """ "The database server cannot be reached" over the list, with Retry."""

    retry = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("vigie-server-banner")
        self.setStyleSheet(
            "#vigie-server-banner { background: #fde8e8; border: 1px solid #d05050; border-radius: 4px; }"
            "#vigie-server-banner QLabel { color: #4a0d0d; }"
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.button = QPushButton("&Retry", self)
        self.button.setToolTip("Check the server again and reload the list")
        self.button.clicked.connect(self.retry.emit)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.button)
        self.hide()

    def show_lost(self, reason: str) -> None:
        self.label.setText(
            "<b>The team's database server cannot be reached.</b> What you see may be out of date; marks and "
            "changes made now are not saved. Your profile folder is untouched. "
            f"<br><small>{_escape(reason)}</small>"
        )
        self.button.setEnabled(True)
        self.button.setText("&Retry")
        self.show()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class TeamMode(QObject):
    """Wires the window for a shared database (app.build_window makes one when the core is on PostgreSQL).

    Signals:
        reachable(bool): after each check, whether the server answered.
        pushed(list, bool): alerted article ids another client's poll announced (LISTEN/NOTIFY, on the
            listener's thread, delivered on the GUI thread), and whether a catch-up delivered them.
        pushed_notification(Notification): the notification shown for them, if any.
    """

    reachable = Signal(bool)
    pushed = Signal(list, bool)
    pushed_notification = Signal(object)
    _channel = Signal(bool, str)  # the listener's channel up or lost (emitted on its thread)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.core = window.core
        self.lost = False
        self._checking = False
        self.disabled: list[QAction] = []
        self._grey_out()
        self.banner = ServerBanner(window)
        pane = window.findChild(QWidget, "listPane")
        if pane is not None and pane.layout() is not None:
            pane.layout().insertWidget(0, self.banner)
        self.banner.retry.connect(self.retry)
        self.who = QLabel(f"Team database · {self.core.analyst}", window)
        self.who.setToolTip(
            "Read, starred and judgements are yours on this shared database; feeds and the watchlist are the "
            "team's (every change is audited: vigie audit)"
        )
        window.statusBar().addPermanentWidget(self.who)
        window.setWindowTitle(f"{window.windowTitle()} — {self.core.analyst} (team)")
        # Any failure may be the server gone: a check on the runner tells.
        window.model.query_failed.connect(lambda _text: self.check())
        window.bridge.error.connect(lambda _text: self.check())

    def _grey_out(self) -> None:
        w = self.window
        actions = [w.act_backup, w.act_restore]  # cases, signals and stories work on the server
        for action in actions:
            action.setEnabled(False)
            action.setToolTip(SQLITE_ONLY)
            action.setStatusTip(SQLITE_ONLY)
            self.disabled.append(action)
        for menu in w.menuBar().findChildren(QMenu):  # a menu shows its actions' tooltips only when told
            menu.setToolTipsVisible(True)

    # -- alerts pushed by the other clients' polls --------------------------------------------------------------

    def push_alerts(self, notifier: Notifier) -> None:
        """Start listening for alerts; each batch becomes a notification under this analyst's rules (read on
        the runner) and reloads the list and counts."""
        self._notifier = notifier
        self.pushed.connect(self._on_pushed, Qt.ConnectionType.QueuedConnection)
        self._channel.connect(self._on_channel, Qt.ConnectionType.QueuedConnection)
        self.listener = self.core.alert_listener(
            lambda ids, caught_up: self.pushed.emit(ids, caught_up),
            lambda up, why: self._channel.emit(up, why),
        )
        self.listener.start()

    def _on_pushed(self, ids: list[int], caught_up: bool) -> None:
        log.info("%d alerts pushed%s", len(ids), " (caught up)" if caught_up else "")
        self.window.bridge.articles_changed.emit()
        self.window.bridge.states_changed.emit()
        self.window.bridge.runner.submit(
            lambda _p: self.core.pushed_notification(ids),
            on_result=self._show_pushed,
            on_error=lambda exc: log.warning("pushed alerts %s: %s", ids[:10], exc),
            name="pushed_alerts",
        )

    def _show_pushed(self, notification: Notification | None) -> None:
        if notification is None:
            return
        self._notifier.notify(notification)
        self.pushed_notification.emit(notification)

    def _on_channel(self, up: bool, why: str) -> None:
        if not up and not self.lost:
            self._show_lost(why)
        elif up and self.lost:
            self.check()  # the listener is back: the store too, most likely; the check hides the banner

    # -- the server ------------------------------------------------------------------------------------------

    def check(self) -> None:
        """Ask the server on the runner; the banner follows the answer."""
        if self._checking:
            return
        self._checking = True
        self.window.bridge.runner.submit(
            lambda _p: self.core.check_database(),
            on_result=lambda _r: self._answered(None),
            on_error=self._answered,
            name="check_database",
        )

    def retry(self) -> None:
        self.banner.button.setEnabled(False)
        self.banner.button.setText("Checking…")
        self.check()

    def _show_lost(self, reason: str) -> None:
        self.lost = True
        self.banner.show_lost(reason)
        self.window.view.empty_message = SERVER_LOST_LIST  # not "no articles yet": the list could not be read
        self.window.view.viewport().update()
        self.reachable.emit(False)

    def _answered(self, error: BaseException | None) -> None:
        self._checking = False
        if error is not None:
            log.warning("the database does not answer: %s", error)
            self._show_lost(describe_error(error))
            return
        if self.lost:
            self.lost = False
            self.banner.hide()
            self.window.status.show_message("The database server answers again: the list is current.")
            self.window.reload_list()
            self.window.refresh_sidebar()
        self.reachable.emit(True)
