"""Tray checks on a real X server with a real tray host; run by test_tray.py in its own pytest process.

Not collected by the normal run (the file name does not start with test_): test_tray.py starts Xvfb and
trayer, then runs ``python -m pytest tests/system/tray_session.py`` with DISPLAY pointing at them and
QT_QPA_PLATFORM=xcb, so Qt talks to that server from its first line. Clicks are real X events (xdotool).
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, SignalInstance
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QSystemTrayIcon, QWidget
from pytest_httpserver import HTTPServer
from pytestqt.qtbot import QtBot

from monitor.core.matching.matcher import Matcher
from monitor.core.matching.watchlist import load_default_watchlist
from monitor.core.polling.alerts import AlertPolicy, Notification
from monitor.core.polling.poller import FeedReport, PollResult, poll_once
from monitor.core.polling.scheduler import PollScheduler
from monitor.core.settings import Settings
from monitor.core.storage.store import Store
from monitor.core.web.fetch import Fetcher, FetchSettings
from monitor.ui.notifier import Notifier
from monitor.ui.polling import PollRelay
from monitor.ui.tray import TrayIcon

pytestmark = pytest.mark.system

WAIT_MS = 15_000
SCREENSHOTS = Path(os.environ.get("VIGIE_SCREENSHOTS", Path(__file__).resolve().parents[2] / "screenshots"))

FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Local news</title><link>http://127.0.0.1/</link>
<item><guid>a</guid><title>Marseille : le frère d'Amine Kessaci tué par balles</title>
<link>http://127.0.0.1/a</link>
<description>Amine Kessaci, militant contre le narcotrafic à Marseille, a perdu son frère Mehdi.</description>
</item>
<item><guid>b</guid><title>Le PNACO saisi de l'assassinat de Mehdi Kessaci</title><link>http://127.0.0.1/b</link>
<description>Le parquet national anticriminalité organisée (PNACO) se saisit de l'enquête.</description>
</item>
<item><guid>c</guid><title>La météo du week-end</title><link>http://127.0.0.1/c</link>
<description>Du soleil sur toute la région.</description></item>
</channel></rss>"""


class Window(QMainWindow):
    """A stand-in main window, closing through the notifier as the real one does."""

    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("Vigie (tray test)")
        self.setCentralWidget(QLabel("articles"))
        self.resize(500, 300)
        self.notifier: Notifier | None = None

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.notifier is not None and self.notifier.handle_close(event):
            return
        super().closeEvent(event)


def xdo(*args: str) -> None:
    subprocess.run(["xdotool", *args], check=True, timeout=20)


def click(point: QPoint, button: int = 1) -> None:
    """A real click at a global position (XTEST through xdotool)."""
    # No --sync: it waits for the pointer to move, forever when it is already there. The X server handles
    # the motion and the click in order anyway.
    xdo("mousemove", str(point.x()), str(point.y()), "click", str(button))


def tray_children() -> list[tuple[int, int, int, int]]:
    """(x, y, width, height) on the screen of every window embedded in trayer's panel, from xwininfo."""
    tree = subprocess.run(
        ["xwininfo", "-root", "-tree"], capture_output=True, text=True, check=True, timeout=20
    ).stdout
    found, inside, depth = [], False, 0
    geometry = re.compile(r"^(\s*)0x[0-9a-f]+ .*?\s(\d+)x(\d+)[+-]-?\d+[+-]-?\d+\s+\+(-?\d+)\+(-?\d+)\s*$")
    for line in tree.splitlines():
        match = geometry.match(line)
        if not match:
            continue
        indent = len(match.group(1))
        if '("panel" "trayer")' in line:
            inside, depth = True, indent
            continue
        if inside and indent <= depth:
            inside = False
        if inside:
            w, h, x, y = (int(match.group(i)) for i in (2, 3, 4, 5))
            if w > 1 and h > 1:
                found.append((x, y, w, h))
    return found


@pytest.fixture
def window(qtbot: QtBot) -> Iterator[Window]:
    qtbot.waitUntil(QSystemTrayIcon.isSystemTrayAvailable, timeout=WAIT_MS)  # trayer may still be starting
    window = Window()
    qtbot.addWidget(window)
    yield window
    if window.notifier is not None and window.notifier.tray is not None:
        window.notifier.tray.dispose()
    QApplication.setQuitOnLastWindowClosed(True)


def embedded(tray: TrayIcon) -> bool:
    """Whether trayer holds a window exactly where Qt says the icon is (before embedding Qt says 0,0)."""
    where = tray.geometry()
    return not where.isEmpty() and (where.x(), where.y(), where.width(), where.height()) in tray_children()


class PolicyAlerts:
    """The Notifier's AlertControl straight over an AlertPolicy, answering at once (the app's Bridge answers
    from its task runner; here only the tray host is under test)."""

    def __init__(self, policy: AlertPolicy) -> None:
        self.policy = policy

    def pause_alerts(self, minutes: int, then: Callable[[datetime | None], None]) -> None:
        then(self.policy.pause(timedelta(minutes=minutes) if minutes > 0 else None))

    def resume_alerts(self, then: Callable[[datetime | None], None]) -> None:
        self.policy.resume()
        then(None)

    def alerts_paused_until(self, then: Callable[[datetime | None], None]) -> None:
        then(self.policy.paused_until())

    def unread_alert_count(self, then: Callable[[int], None]) -> None:
        then(len(self.policy.unread_alert_ids()))


def make_notifier(
    qtbot: QtBot, window: Window, policy: AlertPolicy | None = None
) -> tuple[Notifier, TrayIcon]:
    notifier = Notifier(window, alerts=PolicyAlerts(policy) if policy is not None else None)
    window.notifier = notifier
    tray = notifier.tray
    assert isinstance(tray, TrayIcon), "the desktop has a tray, so the notifier must use it"
    qtbot.waitUntil(lambda: embedded(tray), timeout=WAIT_MS)
    return notifier, tray


def test_the_icon_is_embedded_in_the_tray_host(qtbot: QtBot, window: Window) -> None:
    notifier, tray = make_notifier(qtbot, window)  # waits until xwininfo shows it inside trayer's panel
    assert tray.icon.isVisible()
    notifier.set_unread_alerts(3)
    assert tray.icon.toolTip() == "Vigie: 3 unread alerts"
    SCREENSHOTS.mkdir(exist_ok=True)
    qtbot.wait(200)  # let the new icon paint before the screenshot (not an assertion)
    QApplication.primaryScreen().grabWindow(0).copy(tray.geometry().adjusted(-120, 0, 10, 60)).save(
        str(SCREENSHOTS / "tray-embedded.png")
    )


def test_a_click_on_the_icon_shows_the_window(qtbot: QtBot, window: Window) -> None:
    notifier, tray = make_notifier(qtbot, window)
    notifier.show_initial(minimized=True)
    assert not window.isVisible()

    click(tray.geometry().center())
    qtbot.waitUntil(window.isVisible, timeout=WAIT_MS)

    window.close()  # hides to the tray
    assert not window.isVisible()


def balloons() -> list[QWidget]:
    """Qt's own balloon messages on screen (used when no notification service answers on D-Bus)."""
    return [w for w in QApplication.topLevelWidgets() if w.metaObject().className() == "QBalloonTip"]


def test_a_click_on_the_icon_while_a_balloon_shows_opens_the_alert_and_keeps_the_window(
    qtbot: QtBot, window: Window
) -> None:
    notifier, tray = make_notifier(qtbot, window)
    notifier.show_initial(minimized=True)
    opened: list[list[int]] = []
    notifier.open_articles.connect(opened.append)
    notifier.notify(Notification("1 new item: PNACO", "Le PNACO saisi de l'enquête", [42]))
    qtbot.waitUntil(lambda: any(b.isVisible() for b in balloons()), timeout=WAIT_MS)

    click(tray.geometry().center())  # the balloon's arrow covers the icon: both hear this click

    qtbot.waitUntil(lambda: opened == [[42]], timeout=WAIT_MS)
    qtbot.wait(800)  # let any second reaction to the same click arrive (not a timing assertion)
    assert window.isVisible()


def test_the_menu_works(qtbot: QtBot, window: Window) -> None:
    notifier, tray = make_notifier(qtbot, window)
    notifier.show_initial(minimized=True)

    def choose(action: QAction, signal: SignalInstance) -> list[object]:
        """Right-click the icon, then click `action` in the menu; returns the arguments `signal` carried."""
        click(tray.geometry().center(), button=3)
        qtbot.waitUntil(tray.menu.isVisible, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: not tray.menu.actionGeometry(action).isEmpty(), timeout=WAIT_MS)
        target = tray.menu.mapToGlobal(tray.menu.actionGeometry(action).center())
        with qtbot.waitSignal(signal, timeout=WAIT_MS) as blocker:
            click(target)
        qtbot.waitUntil(lambda: not tray.menu.isVisible(), timeout=WAIT_MS)
        return list(blocker.args or [])

    assert choose(tray.poll_action, notifier.poll_requested) == []
    assert choose(tray.pause_hour_action, notifier.pause_alerts_requested) == [60]
    notifier.set_alerts_paused(datetime.now(UTC) + timedelta(hours=1))
    assert tray.resume_action.isVisible() and not tray.pause_hour_action.isVisible()
    assert choose(tray.resume_action, notifier.resume_alerts_requested) == []
    notifier.set_alerts_paused(None)
    choose(tray.open_action, tray.open_requested)
    qtbot.waitUntil(window.isVisible, timeout=WAIT_MS)
    assert choose(tray.quit_action, notifier.quit_requested) == []


def test_a_poll_with_new_highlighted_items_shows_exactly_one_notification(
    qtbot: QtBot, window: Window, tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[tuple[str, str]] = []
    original = QSystemTrayIcon.showMessage

    def counting(icon: QSystemTrayIcon, title: str, body: str, *args: object) -> None:
        shown.append((title, body))
        original(icon, title, body, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(QSystemTrayIcon, "showMessage", counting)
    httpserver.expect_request("/news.xml").respond_with_data(FEED, content_type="application/rss+xml")
    store = Store.open(tmp_path / "vigie.sqlite3")
    store.add_feed(httpserver.url_for("/news.xml"), "Local news", 15)
    matcher = Matcher(load_default_watchlist())
    policy = AlertPolicy(store, Settings())
    notifier, tray = make_notifier(qtbot, window, policy)
    notifier.show_initial(minimized=True)

    def poll(
        feed_ids: Sequence[int],
        *,
        on_progress: Callable[[int, int, FeedReport], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> PollResult:
        feeds = [f for f in (store.get_feed(i) for i in feed_ids) if f is not None]
        with Fetcher(FetchSettings()) as fetcher:
            return poll_once(
                feeds, store, fetcher, matcher, on_progress=on_progress, cancel=cancel, full_poll=False
            )

    # Wired as the app wires them: scheduler -> relay (worker to GUI thread) -> notifier.
    relay = PollRelay(policy, parent=window)
    results: list[PollResult] = []
    relay.poll_finished.connect(results.append)
    relay.poll_finished.connect(notifier.refresh_unread)
    relay.notification.connect(notifier.notify)
    opened: list[list[int]] = []
    notifier.open_articles.connect(opened.append)
    scheduler = PollScheduler(store, poll, relay.callbacks())
    scheduler.start()  # the feed was never polled: it is polled at once
    try:
        qtbot.waitUntil(lambda: len(results) == 1, timeout=WAIT_MS)
        assert len(results[0].alert_ids) == 2
        qtbot.waitUntil(lambda: len(shown) == 1, timeout=WAIT_MS)
        assert tray.icon.toolTip() == "Vigie: 2 unread alerts"
        title, body = shown[0]
        assert title.startswith("2 new items: ") and "PNACO" in title
        assert body in (
            "Marseille : le frère d'Amine Kessaci tué par balles",
            "Le PNACO saisi de l'assassinat de Mehdi Kessaci",
        )

        balloon = balloons()
        # Without a notification service on D-Bus, Qt shows its own balloon by the icon: click it for real.
        assert len(balloon) == 1, "Qt's balloon message should be on screen"
        qtbot.waitUntil(balloon[0].isVisible, timeout=WAIT_MS)
        SCREENSHOTS.mkdir(exist_ok=True)
        QApplication.primaryScreen().grabWindow(0).copy(
            balloon[0].geometry().adjusted(-10, -40, 40, 10)
        ).save(str(SCREENSHOTS / "tray-balloon.png"))
        click(balloon[0].mapToGlobal(balloon[0].rect().center()))
        qtbot.waitUntil(lambda: opened == [results[0].alert_ids], timeout=WAIT_MS)
        assert window.isVisible()

        scheduler.poll_now()  # nothing new this time: no second notification
        qtbot.waitUntil(lambda: len(results) == 2, timeout=WAIT_MS)
        assert results[1].alert_ids == []
        assert len(shown) == 1
        assert tray.icon.toolTip() == "Vigie: 2 unread alerts"  # still unread, though no longer new
    finally:
        scheduler.shutdown(wait=True)
        store.close()
