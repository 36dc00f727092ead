"""Composition root of the desktop app: the core services, the worker pool, the bridge and the main window."""

from __future__ import annotations

import gc
import logging
import signal
import sqlite3
import sys
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QTimer, QUrl
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from monitor import APP_NAME
from monitor.core.errors import UserError, describe_error
from monitor.core.service import VigieCore
from monitor.core.support.workers import start_resource_tracker
from monitor.core.web.fetch import tls_context
from monitor.paths import AppPaths
from monitor.ui.bridge import Bridge
from monitor.ui.icons import app_icon
from monitor.ui.main_window import MainWindow
from monitor.ui.notifier import Notifier
from monitor.ui.poll_standby import WindowPoller
from monitor.ui.polling import PollRelay
from monitor.ui.style import stylesheet
from monitor.ui.tasks import Runner, TaskRunner
from monitor.ui.team_mode import TeamMode
from monitor.ui.uistate import UiState

log = logging.getLogger(__name__)
# The start-up re-score and the gazetteer's load begin this long after the event loop (start_background_work).
BACKGROUND_WORK_DELAY_MS = 1000


def setup_application(app: QApplication) -> None:
    """Names, icon, the Fusion style (the same look everywhere) and our style sheet."""
    app.setOrganizationName(APP_NAME)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setDesktopFileName("io.github.vigie.Vigie")  # the desktop entry's id (Wayland matches on it)
    app.setWindowIcon(app_icon())
    app.setStyle("Fusion")
    font = QFont(app.font())
    if font.pointSizeF() < 10:
        font.setPointSizeF(10)
        app.setFont(font)
    app.setStyleSheet(stylesheet())
    # The GUI thread shares the GIL with the poll's threads: a 1 ms switch interval (5 ms by default) bounds
    # its wait for the interpreter (docs/BENCHMARKS.md has the stall it saves during a 500-feed poll).
    sys.setswitchinterval(0.001)


def build_window(
    core: VigieCore,
    runner: Runner,
    *,
    first_run: bool = False,
    open_url: Callable[[QUrl], object] | None = None,
    confirm: Callable[[str], bool] | None = None,
) -> MainWindow:
    """The window over `core`, its background work going through `runner` (the app's TaskRunner)."""
    bridge = Bridge(core, runner)
    window = MainWindow(
        core, bridge, UiState(core.paths.data_dir), first_run=first_run, open_url=open_url, confirm=confirm
    )
    bridge.setParent(window)
    if (
        core.on_shared_database
    ):  # a team's PostgreSQL database: SQLite-only features greyed, the server watched
        window.team = TeamMode(window)
    return window


def settle_startup() -> None:
    """Once the window is built, do what would otherwise stall it during the first poll.

    The GUI thread shares the interpreter with the poll's threads, and two pieces of work hold the interpreter
    for tens of milliseconds in one go: building the TLS context (it reads the CA bundle) and a full pass of
    the cyclic garbage collector, which scanned everything start-up had allocated (docs/BENCHMARKS.md has
    the pass it cost during a 500-feed poll). The context is built now, and start-up's objects, which live as
    long as the app, are moved out of the collector's sight (`gc.freeze`); they are still freed by reference
    counting.
    """
    tls_context()
    gc.freeze()


def run_app(
    paths: AppPaths, minimized: bool = False, *, database: str | None = None, analyst: str | None = None
) -> int:
    """Open the window on the profile at `paths`; returns the exit code.

    A first start (an empty data folder) subscribes to the default feeds and shows what to do next. The
    scheduler polls overdue feeds at once and each feed on its interval after that; F5 polls now. While
    another process holds the poller lease (a `vigie serve`, another window) the window stands by instead.
    """
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    setup_application(app)
    try:
        # A re-score runs after the window shows. `database`: the team's shared store (docs/TEAM.md).
        core = VigieCore(paths, rescore_at_start=False, database=database, analyst=analyst)
    except (UserError, OSError, sqlite3.Error) as exc:
        what = "the team's database" if database else "its data folder"
        log.error("cannot open %s: %s", what, exc)
        QMessageBox.critical(None, APP_NAME, f"Vigie cannot open {what}:\n\n{describe_error(exc)}")
        return 2
    first_run = core.first_run
    if first_run:
        try:
            added = core.install_default_feeds()
            log.info("first start: subscribed to %d default feeds", added)
        except Exception:  # the window is still useful on the seeds alone
            log.exception("could not install the default feeds")
    runner = TaskRunner()
    window = build_window(core, runner, first_run=first_run)
    settle_startup()
    if core.rescore_pending:  # the re-score's worker processes come at once: their tracker starts before show
        start_resource_tracker()
    if first_run:
        window.status.show_message(
            "Welcome: the seeds, the default watchlist and feeds are ready. Polling the feeds now (F5 polls again)."
        )
    app.aboutToQuit.connect(window.save_state)  # quitting (from a tray menu, say) closes no window
    poller, notifier = wire_scheduling(core, window, app)
    notifier.show_initial(minimized=minimized)
    QTimer.singleShot(BACKGROUND_WORK_DELAY_MS, lambda: start_background_work(core, window))
    poller.start()  # the lease free, overdue feeds (all of them on a first start) are polled at once
    quit_on_signals(notifier)
    try:
        return app.exec()
    finally:
        poller.shutdown(wait=True)  # the poll in progress ends its writes; the lease is released
        window.bridge.cancel_poll()
        runner.shutdown(wait=True)
        core.close()


def start_background_work(core: VigieCore, window: MainWindow) -> None:
    """Start-up's long background work, once the window has painted its first page.

    Started with the window, the re-score's process pool and the gazetteer's load took the interpreter and the
    cores while the GUI thread read and painted the first page and the runner counted the sidebar: the first
    second's longest gap grew from about 40 to 54 ms (docs/BENCHMARKS.md section 24).
    """
    window.bridge.finish_startup_rescore()  # after a watchlist change; progress in the status bar
    # The gazetteer's cache file, built now when missing (once per version of its data), not while the analyst
    # opens the first article with a topic.
    if core.watchlist.scope:
        window.bridge.load_places()
    # The name index of emerging names, for articles stored before it: after the re-score, whose workers index
    # the articles they highlight, so that the two never share the cores (docs/BENCHMARKS.md section 17).
    when_rescored(window.bridge, window.signals.catch_up_names)


def when_rescored(bridge: Bridge, then: Callable[[], object]) -> None:
    """`then()` now, or when the re-score that runs ends (whether it succeeded or not)."""
    if not bridge.rescoring:
        then()
        return

    def once(_count: int) -> None:
        bridge.rescore_finished.disconnect(once)
        then()

    bridge.rescore_finished.connect(once)


def quit_on_signals(notifier: Notifier) -> None:
    """SIGTERM (a session logout, `kill`) and Ctrl+C quit like the tray's Quit: state saved, scheduler stopped.

    Through the notifier, because a plain app.quit() is refused while the window hides itself to the tray.
    """
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: notifier.quit())
    # Python runs signal handlers only between bytecodes; an idle timer gives it the chance inside Qt's loop.
    ticker = QTimer(notifier)
    ticker.timeout.connect(lambda: None)
    ticker.start(250)


def wire_scheduling(
    core: VigieCore, window: MainWindow, app: QApplication, **options: Any
) -> tuple[WindowPoller, Notifier]:
    """Scheduled polling and alerts: the poller lease decides whether this window polls (ui/poll_standby.py);
    while it does, scheduler -> relay (GUI thread) -> bridge signals and the notifier.

    `options` go to the WindowPoller (its standby timings) and through it to each PollScheduler (tests take the
    jitter out); the caller starts it.
    """
    relay = PollRelay(core.alerts, parent=window, spikes=core.signals.check_spikes)
    poller = WindowPoller(core, window, relay.callbacks(), **options)
    bridge = window.bridge
    relay.poll_started.connect(bridge.poll_started.emit)
    relay.poll_progress.connect(bridge.poll_progress.emit)
    relay.poll_finished.connect(bridge.poll_finished.emit)
    relay.poll_finished.connect(lambda _result: (bridge.articles_changed.emit(), bridge.feeds_changed.emit()))
    relay.error.connect(bridge.error.emit)
    pane = window.findChild(QWidget, "listPane")
    notifier = Notifier(window, banner_layout=pane.layout() if pane else None, alerts=bridge)
    window.notifier = notifier
    relay.notification.connect(notifier.notify)
    poller.notification.connect(notifier.notify)  # standing by on SQLite: the alerts of the holder's polls
    relay.poll_finished.connect(notifier.refresh_unread)
    bridge.states_changed.connect(notifier.refresh_unread)
    notifier.open_articles.connect(window.show_articles)
    notifier.poll_requested.connect(window.poll_now)
    notifier.quit_requested.connect(app.quit)
    if core.on_shared_database:  # the alerts of the other clients' polls, pushed by the server
        window.team.push_alerts(notifier)
    return poller, notifier
