"""How Vigie taps the analyst on the shoulder: tray icon and messages where the desktop has a tray, an
in-window banner and the taskbar attention flag where it has none, switching when a tray comes or goes.

The app wires one :class:`Notifier` to its main window::

    notifier = Notifier(window, banner_layout=layout, alert_policy=policy)  # no layout: the banner floats
    notifier.open_articles.connect(window.show_articles)      # ids of a notification that was clicked
    notifier.poll_requested.connect(scheduler.poll_now)
    notifier.quit_requested.connect(app.quit)
    relay.notification.connect(notifier.notify)              # one per poll, on the GUI thread
    relay.poll_finished.connect(notifier.refresh_unread)     # and whenever articles are marked read
    notifier.show_initial(minimized=minimized)

and the window's closeEvent starts with ``if self.notifier.handle_close(event): return``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QBoxLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QSizePolicy,
    QSystemTrayIcon,
    QToolButton,
    QWidget,
)

from monitor.core.polling.alerts import Notification
from monitor.core.support.clock import utc_now
from monitor.ui.tray import TrayIcon

log = logging.getLogger(__name__)

TRAY_CHECK_MS = 5000
# `vigie --minimized` at login may start before the desktop's tray: wait this long for one to appear.
TRAY_GRACE_MS = 10_000
_GRACE_CHECK_MS = 500
HIDDEN_HINT = "Vigie keeps watching in the system tray. Use Quit in the tray icon's menu to stop it."
_MAX_TIMER_MS = 2**31 - 1
# A click on the tray icon while Qt's balloon covers it reaches both: the balloon shows the window, then the
# icon's click would hide it again. A hide asked for this soon after a show is that echo, and is ignored.
_SHOW_ECHO_SECONDS = 0.6


def pause_phrase(until: datetime, now: datetime | None = None) -> str:
    """How long alerts are paused, for the menu: "until 14:30", "until Tue 09:00", "until resumed"."""
    if until.year >= 9999:
        return "until resumed"
    local, today = until.astimezone(), (now or utc_now()).astimezone()
    if local.date() == today.date():
        return f"until {local:%H:%M}"
    return f"until {local:%a %H:%M}"


def _window_attention(window: QWidget) -> None:
    QApplication.alert(window, 0)


class AlertControl(Protocol):
    """Pausing alerts and counting the unread ones, answered later on the GUI thread (the Bridge does it on a
    worker: these read and write the store)."""

    def pause_alerts(self, minutes: int, then: Callable[[datetime | None], None]) -> None: ...

    def resume_alerts(self, then: Callable[[datetime | None], None]) -> None: ...

    def alerts_paused_until(self, then: Callable[[datetime | None], None]) -> None: ...

    def unread_alert_count(self, then: Callable[[int], None]) -> None: ...


class _ElidedLabel(QLabel):
    """A one-line label that ends its text with "…" when it does not fit."""

    def __init__(self) -> None:
        super().__init__()
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def set_full_text(self, text: str) -> None:
        self._full = " ".join(text.split())
        self.setToolTip(self._full)
        self._elide()

    def full_text(self) -> str:
        return self._full

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        self.setText(self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, self.width()))


class AlertBanner(QFrame):
    """The in-window alert of a desktop without a tray: the notification's text, Show and a dismiss button."""

    show_clicked = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("vigie-alert-banner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setStyleSheet(
            "#vigie-alert-banner { background: #fff4e5; border: 1px solid #e0a040; border-radius: 4px; }"
            "#vigie-alert-banner QLabel { color: #3d2a00; }"
        )
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.title_label = QLabel()
        font = self.title_label.font()
        font.setBold(True)
        self.title_label.setFont(font)
        self.body_label = _ElidedLabel()
        self.body_label.setTextFormat(Qt.TextFormat.PlainText)
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        self.show_button = QPushButton("Show")
        self.show_button.setDefault(False)
        self.show_button.clicked.connect(self._show)
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setToolTip("Dismiss")
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self.title_label)
        layout.addWidget(self.body_label, 1)
        layout.addWidget(self.show_button)
        layout.addWidget(self.close_button)
        self.article_ids: list[int] = []
        self.hide()

    def show_notification(self, notification: Notification) -> None:
        self.title_label.setText(notification.title)
        self.body_label.set_full_text(notification.body)
        self.article_ids = list(notification.article_ids)
        self.show()
        self.raise_()

    def _show(self) -> None:
        self.hide()
        self.show_clicked.emit(list(self.article_ids))


class Notifier(QObject):
    """Tray icon or in-window banner, whichever the desktop allows; the window's close and show behaviour.

    Args:
        window: the main window.
        banner_layout: where to put the banner (inserted first); without one it floats over the window's top.
        tray_factory: makes the tray icon (tests pass a fake); default TrayIcon.
        tray_available: whether the desktop has a tray now; default QSystemTrayIcon.isSystemTrayAvailable.
        attention: raises the taskbar attention flag; default QApplication.alert(window).
        check_interval_ms: how often to look for a tray that came or went.
        alerts: when given (the app's Bridge), the tray's pause and resume act through it, and
            refresh_unread() asks it for the unread-alert count; it answers later, from a worker.

    Signals:
        open_articles(list[int]): show these articles (a notification or the banner was clicked).
        poll_requested: "Poll now" in the tray menu.
        pause_alerts_requested(int): minutes (0: until resumed).
        resume_alerts_requested: "Resume alerts".
        quit_requested: "Quit" in the tray menu; the app stops its scheduler and quits.
        notification_shown(str, str): title and body, each time a notification is shown (tray or banner).
        tray_changed(bool): a tray came (True) or went (False).
    """

    open_articles = Signal(list)
    poll_requested = Signal()
    pause_alerts_requested = Signal(int)
    resume_alerts_requested = Signal()
    quit_requested = Signal()
    notification_shown = Signal(str, str)
    tray_changed = Signal(bool)

    def __init__(
        self,
        window: QWidget,
        *,
        banner_layout: QBoxLayout | None = None,
        tray_factory: Callable[[QObject], TrayIcon] | None = None,
        tray_available: Callable[[], bool] | None = None,
        attention: Callable[[QWidget], None] | None = None,
        check_interval_ms: int = TRAY_CHECK_MS,
        alerts: AlertControl | None = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        self._tray_factory = tray_factory or TrayIcon
        self._tray_available = tray_available or QSystemTrayIcon.isSystemTrayAvailable
        self._attention = attention or _window_attention
        self._check_interval_ms = check_interval_ms
        self.tray: TrayIcon | None = None
        self._unread = 0
        self._paused_text: str | None = None
        self._pending_ids: list[int] = []
        self._hint_shown = False
        self._quitting = False
        self._awaiting_tray = False
        self._shown_at = float("-inf")  # monotonic time of the last show_window()
        self._alerts = alerts
        self._pause_end = QTimer(self)
        self._pause_end.setSingleShot(True)
        self._pause_end.timeout.connect(self._pause_over)

        self.banner = AlertBanner(window)
        self.banner.show_clicked.connect(self._open)
        self._floating = banner_layout is None
        if banner_layout is not None:
            banner_layout.insertWidget(0, self.banner)
        else:
            window.installEventFilter(self)

        self._timer = QTimer(self)
        self._timer.setInterval(check_interval_ms)
        self._timer.timeout.connect(self.check_tray)
        self._grace = QTimer(self)
        self._grace.setSingleShot(True)
        self._grace.timeout.connect(self._grace_over)
        self.check_tray()
        self._timer.start()
        if alerts is not None:
            self.pause_alerts_requested.connect(self._pause_alerts)
            self.resume_alerts_requested.connect(self._resume_alerts)
            alerts.alerts_paused_until(self.set_alerts_paused)
            self.refresh_unread()

    # -- state -----------------------------------------------------------------------------------------------

    @property
    def has_tray(self) -> bool:
        return self.tray is not None

    @property
    def unread_alerts(self) -> int:
        return self._unread

    @property
    def alerts_paused_text(self) -> str | None:
        """How long alerts are paused ("until 14:30"), or None when they are on."""
        return self._paused_text

    def check_tray(self) -> bool:
        """Look for a tray now (the timer does it every few seconds); switch modes when it came or went."""
        try:
            available = bool(self._tray_available())
        except Exception:  # a broken platform plugin must not take the app down
            log.exception("cannot tell whether the desktop has a system tray")
            available = False
        if available and self.tray is None:
            self._make_tray()
        elif not available and self.tray is not None:
            self._drop_tray()
        return available

    def _make_tray(self) -> None:
        log.info("the desktop has a system tray: alerts go to the tray icon")
        tray = self._tray_factory(self)
        tray.clicked.connect(self._tray_clicked)
        tray.open_requested.connect(self.show_window)
        tray.poll_requested.connect(self.poll_requested.emit)
        tray.pause_alerts_requested.connect(self.pause_alerts_requested.emit)
        tray.resume_alerts_requested.connect(self.resume_alerts_requested.emit)
        tray.quit_requested.connect(self.quit)
        tray.message_clicked.connect(self._message_clicked)
        tray.set_unread_alerts(self._unread)
        tray.set_alerts_paused(self._paused_text)
        tray.show()
        self.tray = tray
        # A hidden main window is the normal state now: closing a dialog must not quit the app.
        QApplication.setQuitOnLastWindowClosed(False)
        if self._awaiting_tray:
            self._end_grace()
        self.tray_changed.emit(True)

    def _drop_tray(self) -> None:
        log.info("the system tray went away: alerts go to the window")
        tray, self.tray = self.tray, None
        if tray is not None:
            tray.dispose()
        QApplication.setQuitOnLastWindowClosed(True)
        if not self._awaiting_tray and not self.window.isVisible() and not self._quitting:
            self.show_window()  # otherwise nothing would be left to reach Vigie by
        self.tray_changed.emit(False)

    def set_unread_alerts(self, count: int) -> None:
        """How many alerts are unread (the icon's badge and tooltip); 0 also clears the banner."""
        self._unread = max(0, count)
        if self.tray is not None:
            self.tray.set_unread_alerts(self._unread)
        if self._unread == 0:
            self._pending_ids = []
            self.banner.hide()

    def refresh_unread(self) -> None:
        """Ask for the unread-alert count (after a poll, or when articles were read); it lands later."""
        if self._alerts is not None:
            self._alerts.unread_alert_count(self.set_unread_alerts)

    def set_alerts_paused(self, until: datetime | None) -> None:
        """None when alerts are on; else when the pause ends (year 9999: until resumed). The menu and the
        tooltip say so, and flip back by themselves when the pause ends."""
        self._pause_end.stop()
        self._paused_text = None if until is None else pause_phrase(until)
        if until is not None and until.year < 9999:
            msecs = int((until - utc_now()).total_seconds() * 1000)
            if msecs <= 0:
                self._paused_text = None
            else:
                self._pause_end.start(min(msecs + 500, _MAX_TIMER_MS))
        if self.tray is not None:
            self.tray.set_alerts_paused(self._paused_text)

    def _pause_over(self) -> None:
        if self._alerts is not None:
            self._alerts.alerts_paused_until(self.set_alerts_paused)
        else:
            self.set_alerts_paused(None)

    def _pause_alerts(self, minutes: int) -> None:
        assert self._alerts is not None
        self._alerts.pause_alerts(minutes, self.set_alerts_paused)

    def _resume_alerts(self) -> None:
        assert self._alerts is not None
        self._alerts.resume_alerts(self.set_alerts_paused)

    # -- showing ---------------------------------------------------------------------------------------------

    def notify(self, notification: Notification) -> None:
        """Show one notification: a tray message, or the banner and the taskbar flag without a tray."""
        self._pending_ids = list(notification.article_ids)
        if self.tray is not None and self.tray.supports_messages():
            self.tray.show_message(notification.title, notification.body)
        else:
            self.banner.show_notification(notification)
            self._place_banner()
            self._attention(self.window)
        log.info("notified: %s (%s)", notification.title, notification.body)
        self.notification_shown.emit(notification.title, notification.body)

    def show_initial(self, minimized: bool = False) -> None:
        """Show the window at start-up, or (minimized) leave it hidden when there is a tray to reach it by.

        Without a tray yet, a minimized start waits a few seconds for one (a login session may start Vigie
        before its panel), then shows the window.
        """
        if not minimized:
            self.show_window()
        elif self.tray is None:
            self._awaiting_tray = True
            self._timer.setInterval(_GRACE_CHECK_MS)
            self._grace.start(TRAY_GRACE_MS)

    def _grace_over(self) -> None:
        self._end_grace()
        if self.tray is None:
            log.info("no system tray appeared: showing the window")
            self.show_window()

    def _end_grace(self) -> None:
        self._awaiting_tray = False
        self._grace.stop()
        self._timer.setInterval(self._check_interval_ms)

    def show_window(self) -> None:
        self._shown_at = time.monotonic()
        window = self.window
        if window.isMinimized():
            window.showNormal()
        else:
            window.show()
        window.raise_()
        window.activateWindow()

    def toggle_window(self) -> None:
        """Hide a visible window to the tray, or bring it up."""
        if self.window.isVisible() and not self.window.isMinimized() and self.tray is not None:
            if time.monotonic() - self._shown_at < _SHOW_ECHO_SECONDS:
                return  # the same click already showed it (through the balloon)
            self.window.hide()
        else:
            self.show_window()

    def _tray_clicked(self) -> None:
        if self._pending_ids and not self.window.isVisible():
            self._open(self._pending_ids)
        else:
            self.toggle_window()

    def _message_clicked(self) -> None:
        self._open(self._pending_ids)

    def _open(self, article_ids: list[int]) -> None:
        self.show_window()
        self.banner.hide()
        self._pending_ids = []
        if article_ids:
            self.open_articles.emit(list(article_ids))

    # -- closing and quitting -------------------------------------------------------------------------------

    def handle_close(self, event: QCloseEvent) -> bool:
        """Call from the window's closeEvent. With a tray, hides the window instead (saying so once) and
        returns True: the event is handled. Without one (or when quitting) returns False: let it close, and
        the app quits with its last window."""
        if self._quitting or self.tray is None:
            return False
        event.ignore()
        self.window.hide()
        if not self._hint_shown:
            self._hint_shown = True
            if self.tray.supports_messages():
                self.tray.show_message("Vigie is still running", HIDDEN_HINT)
        return True

    def quit(self) -> None:
        """Quit for real (the tray's Quit): the window may close, the tray icon goes, quit_requested fires."""
        self._quitting = True
        self._timer.stop()
        self._grace.stop()
        if self.tray is not None:
            self.tray.hide()
        self.quit_requested.emit()

    # -- the floating banner ---------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() in (QEvent.Type.Resize, QEvent.Type.LayoutRequest):
            self._place_banner()
        return False

    def _place_banner(self) -> None:
        """Without a layout slot, float the banner across the top of the window's content."""
        if not self._floating or not self.banner.isVisible():
            return
        area = self.window.rect()
        if isinstance(self.window, QMainWindow) and self.window.centralWidget() is not None:
            area = self.window.centralWidget().geometry()
        height = self.banner.sizeHint().height()
        self.banner.setGeometry(area.left() + 8, area.top() + 8, max(0, area.width() - 16), height)
        self.banner.raise_()
