"""Scheduled polls reach the GUI thread: the relay turns the scheduler's worker callbacks into signals."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from monitor.core.models import Assessment, Match, ParsedItem
from monitor.core.polling.alerts import AlertPolicy, Notification
from monitor.core.polling.poller import FeedReport, PollResult
from monitor.core.settings import Settings
from monitor.core.storage.store import Store
from monitor.core.support.clock import iso, utc_now
from monitor.ui.bridge import PollProgress
from monitor.ui.polling import PollRelay


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store.open(tmp_path / "vigie.sqlite3")
    yield store
    store.close()


def _alerting_poll(store: Store, poll_id: int) -> PollResult:
    """Store two highlighted new items under `poll_id`, as the poller would, and return its result."""
    feed, _ = store.add_feed("https://a.example/rss")
    items = [
        ParsedItem(guid=g, link=None, title=t, summary="", content="", content_html="", published=None)
        for g, t in (("1", "Amine Kessaci reçu à l'Élysée"), ("2", "Le PNACO ouvre une enquête"))
    ]
    pending = store.prepare(feed.url, items)
    assessed = [
        (p, Assessment(matches=(Match(name, "person", "title", 0, 3, "x"),), score=5.0 - i, highlighted=True))
        for i, (p, name) in enumerate(zip(pending, ("Amine Kessaci", "PNACO"), strict=True))
    ]
    store.save_items(
        source=feed.url, feed_id=feed.id, items=assessed, fetched_at=iso(utc_now()), poll_id=poll_id
    )
    result = PollResult(poll_id=poll_id, started=iso(utc_now()), finished=iso(utc_now()))
    result.reports.append(FeedReport(feed.id, feed.url, "", "ok", new=2))
    result.alert_ids = [a.id for a in store.alert_articles(poll_id)]
    return result


def test_worker_callbacks_arrive_as_signals_on_the_gui_thread(qtbot: QtBot, store: Store) -> None:
    relay = PollRelay(AlertPolicy(store, Settings()))
    callbacks = relay.callbacks()
    result = _alerting_poll(store, 5)
    seen: list[tuple[str, object, bool]] = []
    gui = QApplication.instance().thread()  # type: ignore[union-attr]
    for name in ("poll_started", "poll_progress", "poll_finished", "notification", "error"):
        getattr(relay, name).connect(
            lambda value, name=name: seen.append((name, value, QThread.currentThread() is gui))
        )

    def worker() -> None:  # what the scheduler's worker does during one poll
        assert callbacks.on_poll_started and callbacks.on_progress and callbacks.on_poll_finished
        assert callbacks.on_error
        callbacks.on_poll_started([1])
        callbacks.on_progress(1, 1, result.reports[0])
        callbacks.on_poll_finished(result)
        callbacks.on_error("the poll failed: disk full")
        store.release_thread()

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: len(seen) == 5, timeout=5000)

    assert [name for name, _, _ in seen] == [
        "poll_started",
        "poll_progress",
        "poll_finished",
        "notification",
        "error",
    ]
    assert all(on_gui for _, _, on_gui in seen)
    assert seen[0][1] == 1
    assert seen[1][1] == PollProgress(1, 1, result.reports[0])
    assert seen[2][1] is result
    note = seen[3][1]
    assert isinstance(note, Notification) and note.title == "2 new items: Amine Kessaci, PNACO"
    assert note.article_ids == result.alert_ids


def test_a_poll_without_alerts_gives_no_notification(qtbot: QtBot, store: Store) -> None:
    relay = PollRelay(AlertPolicy(store, Settings()))
    notes: list[object] = []
    relay.notification.connect(notes.append)
    with qtbot.waitSignal(relay.poll_finished):
        relay.callbacks().on_poll_finished(PollResult(poll_id=9, started=iso(utc_now())))  # type: ignore[misc]
    assert notes == []


def test_the_notifier_pauses_alerts_and_counts_the_unread_through_the_bridge(qtbot: QtBot, wired) -> None:  # type: ignore[no-untyped-def]
    """The tray's pause menu and unread count reach the store on the task runner, not the GUI thread."""
    core, notifier = wired.window.core, wired.notifier
    result = _alerting_poll(core.store, 3)
    assert core.alerts.notification_for(result) is not None
    notifier.refresh_unread()
    qtbot.waitUntil(lambda: notifier.unread_alerts == 2)

    notifier.pause_alerts_requested.emit(60)
    qtbot.waitUntil(lambda: notifier.alerts_paused_text is not None)
    until = core.alerts.paused_until()
    assert until is not None and timedelta(minutes=59) < until - utc_now() <= timedelta(minutes=60)
    assert notifier.alerts_paused_text.startswith("until ")
    notifier.resume_alerts_requested.emit()
    qtbot.waitUntil(lambda: notifier.alerts_paused_text is None)
    assert not core.alerts.paused
    notifier.pause_alerts_requested.emit(0)
    qtbot.waitUntil(lambda: notifier.alerts_paused_text == "until resumed")

    core.store.set_read(result.alert_ids[:1])
    notifier.refresh_unread()
    qtbot.waitUntil(lambda: notifier.unread_alerts == 1)
