"""The notifier without a system tray (offscreen has none), and switching when a tray comes or goes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QObject, QRect, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from monitor.core.polling.alerts import FOREVER, Notification
from monitor.ui import notifier as notifier_module
from monitor.ui.notifier import Notifier
from monitor.ui.tray import badge_icon

NOTE = Notification(
    "3 new items: Amine Kessaci, PNACO", "Marseille : le frère d'Amine Kessaci tué", [12, 7, 3]
)


class Window(QMainWindow):
    """A stand-in main window that lets the notifier decide what closing means, as the real one does."""

    def __init__(self) -> None:
        super().__init__()
        self.setCentralWidget(QLabel("articles"))
        self.resize(640, 400)
        self.notifier: Notifier | None = None

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.notifier is not None and self.notifier.handle_close(event):
            return
        super().closeEvent(event)


class FakeTray(QObject):
    """What the Notifier needs of a TrayIcon, recording what it was asked to show."""

    clicked = Signal()
    open_requested = Signal()
    poll_requested = Signal()
    pause_alerts_requested = Signal(int)
    resume_alerts_requested = Signal()
    quit_requested = Signal()
    message_clicked = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.messages: list[tuple[str, str]] = []
        self.visible = False
        self.unread = 0
        self.paused: str | None = None
        self.disposed = False

    def show(self) -> None:
        self.visible = True

    def hide(self) -> None:
        self.visible = False

    def dispose(self) -> None:
        self.visible = False
        self.disposed = True

    def set_unread_alerts(self, count: int) -> None:
        self.unread = count

    def set_alerts_paused(self, text: str | None) -> None:
        self.paused = text

    def supports_messages(self) -> bool:
        return True

    def show_message(self, title: str, body: str, msecs: int = 0) -> None:
        self.messages.append((title, body))

    def geometry(self) -> QRect:
        return QRect()


@pytest.fixture(autouse=True)
def _restore_quit_flag() -> Iterator[None]:
    yield
    QApplication.setQuitOnLastWindowClosed(True)


@pytest.fixture
def attention(monkeypatch: pytest.MonkeyPatch) -> list[QWidget]:
    """Records QApplication.alert (the taskbar attention flag) instead of raising it."""
    calls: list[QWidget] = []
    monkeypatch.setattr(QApplication, "alert", lambda widget, msecs=0: calls.append(widget))
    return calls


@pytest.fixture
def window(qtbot: QtBot) -> Window:
    window = Window()
    qtbot.addWidget(window)
    return window


def test_offscreen_has_no_tray_so_an_alert_shows_a_banner_and_flags_the_taskbar(
    qtbot: QtBot, window: Window, attention: list[QWidget]
) -> None:
    notifier = Notifier(window)
    window.notifier = notifier
    notifier.show_initial()
    qtbot.waitExposed(window)
    assert not notifier.has_tray

    with qtbot.waitSignal(notifier.notification_shown) as shown:
        notifier.notify(NOTE)

    assert shown.args == [NOTE.title, NOTE.body]
    assert notifier.banner.isVisible()
    assert notifier.banner.title_label.text() == NOTE.title
    assert notifier.banner.body_label.full_text() == NOTE.body
    assert attention == [window]
    banner = notifier.banner.geometry()
    assert window.rect().contains(banner) and banner.top() < window.height() // 4  # floats across the top
    window.grab().save(str(qtbot_screenshot_path(qtbot, "banner")))


def qtbot_screenshot_path(qtbot: QtBot, name: str) -> str:
    """screenshots/<name>.png at the top of the checkout (ignored by git) for a person to look at."""
    from tests.conftest import REPO

    folder = REPO / "screenshots"
    folder.mkdir(exist_ok=True)
    return str(folder / f"notifier-{name}.png")


def test_show_on_the_banner_opens_the_items_of_the_alert(
    qtbot: QtBot, window: Window, attention: list[QWidget]
) -> None:
    notifier = Notifier(window)
    notifier.show_initial()
    notifier.notify(NOTE)

    with qtbot.waitSignal(notifier.open_articles) as opened:
        notifier.banner.show_button.click()

    assert opened.args == [[12, 7, 3]]
    assert not notifier.banner.isVisible()


def test_the_banner_goes_into_the_window_layout_when_given_one(
    qtbot: QtBot, attention: list[QWidget]
) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    layout = QVBoxLayout(window)
    layout.addWidget(QLabel("articles"))
    notifier = Notifier(window, banner_layout=layout)
    notifier.show_initial()
    notifier.notify(NOTE)
    assert layout.indexOf(notifier.banner) == 0 and notifier.banner.isVisible()


def test_reading_every_alert_clears_the_banner(
    qtbot: QtBot, window: Window, attention: list[QWidget]
) -> None:
    notifier = Notifier(window)
    notifier.show_initial()
    notifier.notify(NOTE)
    notifier.set_unread_alerts(0)
    assert not notifier.banner.isVisible()


def test_without_a_tray_closing_the_window_quits_rather_than_hides(
    qtbot: QtBot, window: Window, attention: list[QWidget]
) -> None:
    notifier = Notifier(window)
    window.notifier = notifier
    notifier.show_initial()
    qtbot.waitExposed(window)

    event = QCloseEvent()
    assert notifier.handle_close(event) is False
    assert event.isAccepted()
    assert QApplication.quitOnLastWindowClosed()  # so Qt quits once this last window has closed
    assert window.close() and not window.isVisible()


def test_with_a_tray_closing_the_window_hides_it_saying_so_once(qtbot: QtBot, window: Window) -> None:
    trays: list[FakeTray] = []
    notifier = Notifier(
        window, tray_available=lambda: True, tray_factory=lambda p: trays.append(FakeTray(p)) or trays[-1]
    )
    window.notifier = notifier
    notifier.show_initial()
    qtbot.waitExposed(window)
    assert notifier.has_tray and trays[0].visible
    assert not QApplication.quitOnLastWindowClosed()  # closing a dialog while hidden must not quit

    window.close()
    assert not window.isVisible()
    notifier.show_window()
    window.close()
    assert [title for title, _ in trays[0].messages] == ["Vigie is still running"]

    with qtbot.waitSignal(notifier.quit_requested):
        trays[0].quit_requested.emit()
    assert window.close()  # quitting: the window may close for real


def test_a_tray_that_appears_while_running_takes_over_the_alerts(
    qtbot: QtBot, window: Window, attention: list[QWidget]
) -> None:
    available = False
    trays: list[FakeTray] = []

    def factory(parent: QObject) -> FakeTray:
        trays.append(FakeTray(parent))
        return trays[-1]

    notifier = Notifier(window, tray_available=lambda: available, tray_factory=factory, check_interval_ms=20)
    notifier.set_unread_alerts(2)
    notifier.show_initial()
    assert not notifier.has_tray

    available = True
    with qtbot.waitSignal(notifier.tray_changed, timeout=5000) as changed:
        pass  # the timer looks again
    assert changed.args == [True] and len(trays) == 1 and trays[0].unread == 2

    notifier.notify(NOTE)
    assert trays[0].messages == [(NOTE.title, NOTE.body)]
    assert not notifier.banner.isVisible() and attention == []

    with qtbot.waitSignal(notifier.open_articles) as opened:
        trays[0].message_clicked.emit()
    assert opened.args == [[12, 7, 3]]


def test_a_tray_that_disappears_brings_back_a_hidden_window_and_the_banner(
    qtbot: QtBot, window: Window, attention: list[QWidget]
) -> None:
    available = True
    notifier = Notifier(window, tray_available=lambda: available, tray_factory=FakeTray, check_interval_ms=20)
    notifier.show_initial(minimized=True)
    assert not window.isVisible()
    tray = notifier.tray
    assert isinstance(tray, FakeTray)

    available = False
    qtbot.waitUntil(lambda: not notifier.has_tray, timeout=5000)
    assert tray.disposed
    qtbot.waitExposed(window)
    assert QApplication.quitOnLastWindowClosed()
    notifier.notify(NOTE)
    assert notifier.banner.isVisible() and attention == [window]


def test_a_click_on_the_tray_icon_toggles_the_window_and_opens_pending_alerts(
    qtbot: QtBot, window: Window, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(notifier_module, "_SHOW_ECHO_SECONDS", 0.0)  # clicks here follow at once
    notifier = Notifier(window, tray_available=lambda: True, tray_factory=FakeTray)
    notifier.show_initial(minimized=True)
    tray = notifier.tray
    assert isinstance(tray, FakeTray) and not window.isVisible()

    tray.clicked.emit()
    assert window.isVisible()
    tray.clicked.emit()
    assert not window.isVisible()

    notifier.notify(NOTE)
    with qtbot.waitSignal(notifier.open_articles) as opened:
        tray.clicked.emit()
    assert window.isVisible() and opened.args == [[12, 7, 3]]


def test_a_click_through_the_balloon_onto_the_icon_leaves_the_window_shown(
    qtbot: QtBot, window: Window
) -> None:
    notifier = Notifier(window, tray_available=lambda: True, tray_factory=FakeTray)
    notifier.show_initial(minimized=True)
    tray = notifier.tray
    assert isinstance(tray, FakeTray)
    notifier.notify(NOTE)

    with qtbot.waitSignal(notifier.open_articles):
        tray.message_clicked.emit()  # the balloon sits over the icon: one click reaches both
    tray.clicked.emit()

    assert window.isVisible()


def test_tray_menu_requests_reach_the_app(qtbot: QtBot, window: Window) -> None:
    notifier = Notifier(window, tray_available=lambda: True, tray_factory=FakeTray)
    tray = notifier.tray
    assert isinstance(tray, FakeTray)
    with qtbot.waitSignal(notifier.poll_requested):
        tray.poll_requested.emit()
    with qtbot.waitSignal(notifier.pause_alerts_requested) as paused:
        tray.pause_alerts_requested.emit(60)
    assert paused.args == [60]
    notifier.set_alerts_paused(FOREVER)
    assert tray.paused == "until resumed"
    with qtbot.waitSignal(notifier.resume_alerts_requested):
        tray.resume_alerts_requested.emit()


def test_a_minimized_start_without_a_tray_shows_the_window_once_the_grace_is_over(
    qtbot: QtBot, window: Window, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(notifier_module, "TRAY_GRACE_MS", 50)
    notifier = Notifier(window, tray_available=lambda: False)
    notifier.show_initial(minimized=True)
    assert not window.isVisible()
    qtbot.waitUntil(window.isVisible, timeout=5000)


def test_a_minimized_start_waits_for_a_late_tray_and_stays_hidden(
    qtbot: QtBot, window: Window, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(notifier_module, "_GRACE_CHECK_MS", 10)
    available = False
    notifier = Notifier(window, tray_available=lambda: available, tray_factory=FakeTray)
    notifier.show_initial(minimized=True)
    available = True
    qtbot.waitUntil(lambda: notifier.has_tray, timeout=5000)
    assert not window.isVisible()


def test_the_tray_icon_carries_a_badge_only_with_unread_alerts(qtbot: QtBot) -> None:
    plain, badged = badge_icon(0).pixmap(32, 32).toImage(), badge_icon(3).pixmap(32, 32).toImage()
    assert not plain.isNull() and not badged.isNull()
    corner = badged.pixelColor(26, 5)
    assert corner.red() > 180 and corner.green() < 90  # the red badge, top right
    assert plain.pixelColor(26, 5) != corner
    badged.save(qtbot_screenshot_path(qtbot, "tray-badge"))
