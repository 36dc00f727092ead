"""The system-tray icon: unread-alert badge and tooltip, the context menu, and balloon messages."""

from __future__ import annotations

import logging
from functools import cache

from PySide6.QtCore import QObject, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QAction, QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from monitor.paths import resources_dir

log = logging.getLogger(__name__)

ICON_SIZES = (16, 22, 24, 32, 48, 64)
MESSAGE_MSECS = 10_000
PAUSE_MINUTES = 60


@cache
def _base_icon(alert: bool) -> QIcon:
    """tray.svg or tray-alert.svg; a plain painted tile when the SVG cannot be read (no svg plugin)."""
    icon = QIcon(str(resources_dir() / "icons" / ("tray-alert.svg" if alert else "tray.svg")))
    if icon.isNull() or icon.pixmap(16, 16).isNull():
        log.warning("the tray icon SVG could not be loaded; drawing a plain one")
        icon = QIcon()
        for size in ICON_SIZES:
            pixmap = QPixmap(size, size)
            pixmap.fill(QColor("#b35900" if alert else "#1f4e79"))
            icon.addPixmap(pixmap)
    return icon


def badge_icon(count: int) -> QIcon:
    """The tray icon: plain without unread alerts; the alert icon with the count in a red badge otherwise."""
    if count <= 0:
        return _base_icon(False)
    base = _base_icon(True)
    label = str(count) if count < 100 else "99+"
    icon = QIcon()
    for size in ICON_SIZES:
        pixmap = base.pixmap(size, size)
        if pixmap.isNull():
            continue
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        side = pixmap.width() * (0.62 if len(label) > 1 else 0.55)
        badge = QRectF(pixmap.width() - side, 0, side, side)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#d32f2f"))
        painter.drawEllipse(badge)
        if size >= 22:  # below that the digits would be a smudge: the red dot says enough
            font = QFont()
            font.setBold(True)
            font.setPixelSize(max(6, int(side * (0.62 if len(label) == 1 else 0.46))))
            painter.setFont(font)
            painter.setPen(QColor("white"))
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, label)
        painter.end()
        icon.addPixmap(pixmap)
    return icon


class TrayIcon(QObject):
    """A QSystemTrayIcon with Vigie's menu. It only says what the user asked; the Notifier acts on it.

    Signals:
        clicked: the icon was clicked (left button, or its platform's "trigger").
        open_requested, poll_requested, quit_requested: menu choices.
        pause_alerts_requested(minutes): "Pause alerts for 1 hour" (60) or "until resumed" (0).
        resume_alerts_requested: "Resume alerts".
        message_clicked: the last balloon message was clicked.
    """

    clicked = Signal()
    open_requested = Signal()
    poll_requested = Signal()
    pause_alerts_requested = Signal(int)
    resume_alerts_requested = Signal()
    quit_requested = Signal()
    message_clicked = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._unread = 0
        self._paused_text: str | None = None
        self.icon = QSystemTrayIcon(badge_icon(0), self)
        self.menu = QMenu()
        self.menu.setObjectName("vigie-tray-menu")
        self.status_action = self._action("No unread alerts", None)
        self.status_action.setEnabled(False)
        self.menu.addSeparator()
        self.open_action = self._action("&Open Vigie", self.open_requested.emit)
        self.poll_action = self._action("&Poll now", self.poll_requested.emit)
        self.menu.addSeparator()
        self.pause_hour_action = self._action(
            "Pause alerts for 1 &hour", lambda: self.pause_alerts_requested.emit(PAUSE_MINUTES)
        )
        self.pause_action = self._action(
            "Pause alerts until &resumed", lambda: self.pause_alerts_requested.emit(0)
        )
        self.resume_action = self._action("&Resume alerts", self.resume_alerts_requested.emit)
        self.resume_action.setVisible(False)
        self.menu.addSeparator()
        self.quit_action = self._action("&Quit", self.quit_requested.emit)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        self.icon.messageClicked.connect(self.message_clicked.emit)
        self._refresh()

    def _action(self, text: str, slot: object) -> QAction:
        action = QAction(text, self.menu)
        if slot is not None:
            action.triggered.connect(slot)
        self.menu.addAction(action)
        return action

    # -- state -----------------------------------------------------------------------------------------------

    def show(self) -> None:
        self.icon.show()

    def hide(self) -> None:
        self.icon.hide()

    def dispose(self) -> None:
        """Take the icon off the tray and free it (the tray went away, or the app quits)."""
        self.icon.hide()
        self.icon.setContextMenu(None)  # type: ignore[arg-type]
        self.menu.deleteLater()
        self.deleteLater()

    def set_unread_alerts(self, count: int) -> None:
        if count != self._unread:
            self._unread = max(0, count)
            self.icon.setIcon(badge_icon(self._unread))
            self._refresh()

    def set_alerts_paused(self, paused_text: str | None) -> None:
        """None when alerts are on; otherwise how long they are paused ("until 14:30", "until resumed")."""
        self._paused_text = paused_text
        self._refresh()

    def geometry(self) -> QRect:
        """Where the icon is on the screen (empty when the platform does not say)."""
        return self.icon.geometry()

    def supports_messages(self) -> bool:
        return QSystemTrayIcon.supportsMessages()

    def show_message(self, title: str, body: str, msecs: int = MESSAGE_MSECS) -> None:
        self.icon.showMessage(title, body, self.icon.icon(), msecs)

    def _refresh(self) -> None:
        if self._unread == 0:
            status = "No unread alerts"
        else:
            status = f"{self._unread} unread alert{'s' if self._unread != 1 else ''}"
        paused = self._paused_text is not None
        if paused:
            status += f" (alerts paused {self._paused_text})"
        self.status_action.setText(status)
        self.icon.setToolTip(f"Vigie: {status[0].lower()}{status[1:]}")
        self.pause_hour_action.setVisible(not paused)
        self.pause_action.setVisible(not paused)
        self.resume_action.setVisible(paused)

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        # Trigger only: a double click also brings a Trigger first, and toggling twice would undo it.
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self.clicked.emit()
        elif reason == QSystemTrayIcon.ActivationReason.MiddleClick:
            self.open_requested.emit()
