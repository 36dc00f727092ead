"""The GUI thread never waits: beyond the list's visible page, no store call and no matching runs on it.

A guard wraps the profile's store and matcher before the window is built and records every call made on the
main thread; the window, wired as the app wires it, is then driven through what the analyst does.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from monitor.core.service import VigieCore
from tests.ui.conftest import GuiThreadGuard, Wiring, open_row, settle


@pytest.fixture
def core(guarded_core: VigieCore) -> VigieCore:
    return guarded_core


def add_feed_articles(core: VigieCore, count: int) -> None:
    from tests.ui.conftest import item, store_items

    feed, _ = core.store.add_feed("http://127.0.0.1:9/feed.xml", "Feed")
    items = [item(n, title=f"Amine Kessaci, épisode {n}" if n % 2 else f"Météo {n}") for n in range(count)]
    store_items(core.store, items, source=feed.url, feed_id=feed.id)


def test_start_up_reads_nothing_on_the_gui_thread(qtbot, wired: Wiring, guard: GuiThreadGuard) -> None:  # type: ignore[no-untyped-def]
    settle(qtbot, wired.window)
    assert guard.calls == []


def test_reading_marking_and_starring_stay_off_the_gui_thread(  # type: ignore[no-untyped-def]
    qtbot, wired: Wiring, guard: GuiThreadGuard, monkeypatch
) -> None:
    from monitor.ui import article_controller

    monkeypatch.setattr(article_controller, "article_html", article_controller.article_html)
    guard.wrap(article_controller, "article_html", "article_html")  # building the page (and sanitising)
    window = wired.window
    guard.armed = False
    add_feed_articles(window.core, 12)
    guard.armed = True
    window.reload_list()
    settle(qtbot, window)
    window.view.setFocus()
    open_row(qtbot, window, 0)
    for _ in range(5):  # one after another, faster than the answers come
        window.move(1)
    last = window.model.row_at(5).id
    qtbot.waitUntil(lambda: window.reader.article is not None and window.reader.article.id == last)
    window.toggle_read()
    window.toggle_star()
    window.articles.star_clicked(2)
    with qtbot.waitSignal(window.articles.article_shown):
        window.act_original.trigger()  # re-renders the article, read afresh
    qtbot.keyClick(window.view, Qt.Key.Key_Return)
    settle(qtbot, window)
    assert guard.calls == []
    guard.armed = False
    store = window.core.store
    assert store.article(last).starred and not store.article(last).read
    assert store.article(window.model.row_at(2).id).starred
    guard.armed = True
    window.mark_all_read()
    settle(qtbot, window)
    assert guard.calls == []


def test_alerts_polls_and_the_feeds_dialog_stay_off_the_gui_thread(  # type: ignore[no-untyped-def]
    qtbot, wired: Wiring, guard: GuiThreadGuard
) -> None:
    window, notifier = wired.window, wired.notifier
    notifier.pause_alerts_requested.emit(30)
    qtbot.waitUntil(lambda: notifier.alerts_paused_text is not None)
    notifier.resume_alerts_requested.emit()
    qtbot.waitUntil(lambda: notifier.alerts_paused_text is None)
    notifier.refresh_unread()
    with qtbot.waitSignal(window.bridge.message):
        window.poll_now()  # no feeds: said so, after a count on the runner
    dialog = window.show_feeds_dialog()
    dialog.refresh()
    settle(qtbot, window)
    assert guard.calls == []
    assert not window.core.alerts.paused
