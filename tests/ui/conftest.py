"""Fixtures for the window tests: a real profile in tmp, the window wired as the app wires it."""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from PySide6.QtWidgets import QApplication

from monitor.core.models import Assessment, ParsedItem
from monitor.core.storage.store import Store
from monitor.core.support.clock import iso, utc_now
from monitor.paths import AppPaths

if TYPE_CHECKING:
    from monitor.core.polling.scheduler import PollScheduler
    from monitor.core.service import VigieCore
    from monitor.ui.main_window import MainWindow
    from monitor.ui.notifier import Notifier
    from monitor.ui.tasks import TaskRunner


@pytest.fixture
def core(data_dir: Path) -> Iterator[VigieCore]:
    """A fresh profile: the seeds and the default watchlist, no feeds."""
    from monitor.core.service import VigieCore

    vigie = VigieCore(AppPaths(data_dir))
    yield vigie
    vigie.close()


@pytest.fixture
def opened_urls() -> list[str]:
    return []


@dataclass
class Wiring:
    """The app's wiring around one window: the real task runner, scheduler and notifier."""

    window: MainWindow
    runner: TaskRunner
    scheduler: PollScheduler
    notifier: Notifier


@pytest.fixture
def wired(qtbot, qapp, core: VigieCore, opened_urls: list[str]) -> Iterator[Wiring]:  # type: ignore[no-untyped-def]
    """The window as run_app wires it: a real TaskRunner and its poller, which takes the free poller lease and
    starts a PollScheduler (no jitter), so tests see the cross-thread behaviour; links go to `opened_urls`,
    questions are answered yes."""
    from monitor.app import build_window, setup_application, wire_scheduling
    from monitor.ui.tasks import TaskRunner

    setup_application(qapp)
    runner = TaskRunner()
    win = build_window(
        core,
        runner,
        open_url=lambda url: opened_urls.append(url.toString()),
        confirm=lambda _q: True,
    )
    qtbot.addWidget(win)
    poller, notifier = wire_scheduling(core, win, qapp, jitter_seconds=0, gather_seconds=0)
    poller.start()  # nobody else polls this store: the window takes the poller lease and starts its scheduler
    qtbot.waitUntil(lambda: poller.scheduler is not None, timeout=30000)
    assert poller.scheduler is not None
    win.show()
    qtbot.waitExposed(win)
    settle(qtbot, win)
    try:
        yield Wiring(win, runner, poller.scheduler, notifier)
    finally:
        poller.shutdown(wait=True)
        win.counter.later.stop()
        runner.shutdown(wait=True)
        QApplication.setQuitOnLastWindowClosed(True)


@pytest.fixture
def window(wired: Wiring) -> MainWindow:
    """The main window over `core`, wired as in the app (see `wired`)."""
    return wired.window


def settle(qtbot, window: MainWindow, timeout: int = 10000) -> None:  # type: ignore[no-untyped-def]
    """Wait until the window's background work has landed (every task delivered, no poll running)."""
    runner = window.bridge.runner
    qtbot.waitUntil(lambda: runner.pending() == 0 and not window.bridge.polling, timeout=timeout)


def open_row(qtbot, window: MainWindow, row: int) -> None:  # type: ignore[no-untyped-def]
    """Select a row and wait until its article is in the reader."""
    article_id = window.model.row_at(row).id
    with qtbot.waitSignal(
        window.articles.article_shown, check_params_cb=lambda shown: shown == article_id, timeout=10000
    ):
        window.select_row(row)


def rss(items: list[dict[str, str]], title: str = "Test feed", link: str = "http://127.0.0.1/") -> bytes:
    """A small RSS 2.0 document; each item dict has title, link, description and optionally pubDate."""
    entries = "".join(
        "<item>"
        f"<title>{it['title']}</title><link>{it['link']}</link><guid>{it['link']}</guid>"
        f"<description><![CDATA[{it.get('description', '')}]]></description>"
        f"<pubDate>{it.get('pubDate', 'Thu, 13 Nov 2025 18:00:00 GMT')}</pubDate>"
        "</item>"
        for it in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>{link}</link><description>t</description>{entries}</channel></rss>"
    ).encode()


def store_items(
    store: Store,
    items: list[ParsedItem],
    *,
    source: str = "http://127.0.0.1/feed.xml",
    feed_id: int | None = None,
    assessments: list[Assessment] | None = None,
) -> None:
    """Put parsed items straight into the store (no HTTP, no matcher) with the given assessments."""
    pending = store.prepare(source, items)
    scored = assessments or [Assessment() for _ in pending]
    store.save_items(
        source=source,
        feed_id=feed_id,
        items=list(zip(pending, scored, strict=True)),
        fetched_at=iso(utc_now()),
        poll_id=1,
    )


def item(n: int, **overrides: object) -> ParsedItem:
    values: dict[str, object] = {
        "guid": f"guid-{n}",
        "link": f"https://example.org/{n}",
        "title": f"Article {n:04d}",
        "summary": f"Summary of article {n}.",
        "content": "",
        "content_html": "",
        "published": f"2025-11-{1 + n % 28:02d}T{n % 24:02d}:00:00+00:00",
    }
    values.update(overrides)
    return ParsedItem(**values)  # type: ignore[arg-type]


# What the article list reads on the GUI thread: the count and the visible page (VigieCore.pages).
PAGE_READS = {"count", "count_capped", "rows"}
PLUMBING = {"close", "close_all", "close_current", "release_thread", "conn", "connect"}


class GuiThreadGuard:
    """Records the calls that reach the store or the matcher on the main thread."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.armed = True

    def wrap(self, owner: object, name: str, label: str) -> None:
        method: Callable[..., Any] = getattr(owner, name)

        @functools.wraps(method)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if self.armed and threading.current_thread() is threading.main_thread():
                self.calls.append(label)
            return method(*args, **kwargs)

        setattr(owner, name, guarded)

    def watch(self, core: VigieCore) -> None:
        """Guard the store's public methods (but the page reads) and the matcher of `core`."""
        store = core.store
        for name, _member in inspect.getmembers(type(store), inspect.isfunction):
            if not name.startswith("_") and name not in PAGE_READS | PLUMBING:
                self.wrap(store, name, f"store.{name}")
        self.wrap(core.matcher, "assess", "matcher.assess")


@pytest.fixture
def guard() -> GuiThreadGuard:
    """The GUI-thread guard of a test; a module that wants it disarmed during set-up overrides this."""
    return GuiThreadGuard()


@pytest.fixture
def guarded_core(data_dir: Path, guard: GuiThreadGuard) -> Iterator[VigieCore]:
    """The profile with its store and matcher guarded before the window exists (start-up counts too); a module
    whose window must be guarded names it as its `core`."""
    from monitor.core.service import VigieCore

    vigie = VigieCore(AppPaths(data_dir))
    guard.watch(vigie)
    yield vigie
    guard.armed = False
    vigie.close()


def poll_story_reports(qtbot, window: MainWindow, httpserver, guard: GuiThreadGuard) -> None:  # type: ignore[no-untyped-def]
    """Serve the stories tests' reports (tests/core/stories/reports.py) as two feeds and poll them through the
    window, the GUI-thread guard disarmed for the set-up's own store calls and armed again after."""
    from tests.conftest import ServedFeed, serve_feed
    from tests.core.stories import reports as r

    guard.armed = False
    feeds = {"wire": [r.ORIGINAL, r.TRANSLATION, r.WEEK_LATER], "daily": [r.REPRINT, r.UPDATE]}
    for name, items in feeds.items():
        body = r.rss(items, f"https://{name}.example.org")
        window.core.store.add_feed(serve_feed(httpserver, f"/{name}.xml", ServedFeed(body)), name)
    with qtbot.waitSignal(window.bridge.poll_finished, timeout=30000):
        window.bridge.poll_now()
    settle(qtbot, window)
    guard.armed = True
