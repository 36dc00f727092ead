"""Follow in news search from the window: the watchlist editor's button and Feeds ▸ Follow words in news search…,
through the task runner to the store, the new feeds polled by the scheduler. The provider's base points at a
local server, so no search reaches the internet; its request log says what the scheduler polled."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog
from werkzeug import Request, Response

from monitor.core.models import ArticleQuery
from monitor.core.service import VigieCore
from monitor.paths import AppPaths
from tests.ui.conftest import GuiThreadGuard, Wiring, rss, settle

ITEMS = [
    {"title": "Amine Kessaci reçu à l'Élysée", "link": "https://news.example/a1"},
    {"title": "Marseille : la mobilisation continue", "link": "https://news.example/a2"},
]


@pytest.fixture
def guard() -> GuiThreadGuard:
    return GuiThreadGuard()


@pytest.fixture
def searched_once() -> threading.Event:
    """Set when the local news search answers its first request."""
    return threading.Event()


@pytest.fixture
def core(  # type: ignore[no-untyped-def]
    data_dir: Path, guard: GuiThreadGuard, httpserver, searched_once: threading.Event
) -> Iterator[VigieCore]:
    """The profile with its store guarded (no store call on the GUI thread) and the news search's base on
    the local server."""
    vigie = VigieCore(AppPaths(data_dir))
    vigie.news_search_base = httpserver.url_for("/rss/search")

    def answer(_request: Request) -> Response:
        searched_once.set()
        return Response(rss(ITEMS, "Google News"), content_type="application/rss+xml")

    httpserver.expect_request("/rss/search").respond_with_handler(answer)
    guard.watch(vigie)
    guard.wrap(vigie, "follow_in_news_search", "follow_in_news_search")
    yield vigie
    guard.armed = False
    vigie.close()


def searched(httpserver) -> list[dict[str, list[str]]]:  # type: ignore[no-untyped-def]
    """The query strings of the search requests the scheduler made, in order."""
    return [parse_qs(request.query_string.decode()) for request, _ in httpserver.log]


def test_the_editors_button_follows_the_entry_as_shown_and_polls_the_new_feeds(  # type: ignore[no-untyped-def]
    qtbot, wired: Wiring, guard: GuiThreadGuard, httpserver
) -> None:
    window = wired.window
    # Paused, the scheduler's re-sync polls nothing: only the follow's own poll_now can poll the new feeds.
    wired.scheduler.pause()
    editor = window.show_watchlist_editor()
    assert editor.select("Amine Kessaci")
    # An unsaved edit counts: the search is built from what the form shows.
    editor.form.aliases.setPlainText("Amine Kessaci\nKessaci Amine")
    message = "Following 'Amine Kessaci' in news search: 2 feeds added to Searches."
    with (
        qtbot.waitSignal(window.bridge.message, check_params_cb=lambda text: text == message),
        qtbot.waitSignal(window.bridge.poll_finished, timeout=20000),
    ):
        qtbot.mouseClick(editor.form.follow_button, Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    assert guard.calls == []
    guard.armed = False  # the test's own reads below
    assert editor.form.follow_status.text() == message
    feeds = window.core.feeds_in_folder(("Searches",))
    assert sorted(f.title for f in feeds) == [
        "News search (en): Amine Kessaci",
        "News search (fr): Amine Kessaci",
    ]
    query = ['"Amine Kessaci" OR "Kessaci Amine"']
    assert sorted(searched(httpserver), key=lambda q: q["hl"]) == [
        {"q": query, "hl": ["en-GB"], "gl": ["GB"], "ceid": ["GB:en"]},
        {"q": query, "hl": ["fr"], "gl": ["FR"], "ceid": ["FR:fr"]},
    ]
    # Polled by the scheduler: the search's items are stored under each new feed.
    for feed in feeds:
        assert window.core.store.count(ArticleQuery(view="feed", feed_id=feed.id)) == 2

    # Again: nothing is added and nothing is polled.
    again = "Following 'Amine Kessaci' in news search: already followed (2 feeds in Searches)."
    guard.armed = True
    with qtbot.waitSignal(window.bridge.message, check_params_cb=lambda text: text == again):
        editor.follow_in_news_search()
    settle(qtbot, window)
    assert guard.calls == []
    guard.armed = False
    assert len(httpserver.log) == 2
    assert len(window.core.store.list_feeds()) == 2
    editor.dirty = False  # leave without the discard question


def test_the_feeds_menu_follows_words_typed_in_a_small_dialog(  # type: ignore[no-untyped-def]
    qtbot, wired: Wiring, guard: GuiThreadGuard, httpserver, searched_once: threading.Event
) -> None:
    window = wired.window

    def scheduler_started_polling() -> None:
        # After the scheduler's own re-sync (connected first), hold the GUI thread until its worker has
        # fetched: a poll_now asked only after feeds_changed would then be a second poll of the same feeds.
        assert searched_once.wait(10)

    window.bridge.feeds_changed.connect(scheduler_started_polling)
    feeds_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "F&eeds")
    assert window.act_follow_words in feeds_menu.actions()
    window.act_follow_words.trigger()
    dialog = window.findChild(QInputDialog, "followWordsDialog")
    assert dialog is not None and dialog.isVisible()
    dialog.setTextValue("DZ Mafia, Yoda")
    message = "Following 'DZ Mafia, Yoda' in news search: 2 feeds added to Searches."
    with (
        qtbot.waitSignal(window.bridge.message, check_params_cb=lambda text: text == message),
        qtbot.waitSignal(window.bridge.poll_finished, timeout=20000),
    ):
        dialog.accept()
    settle(qtbot, window)
    assert guard.calls == []
    guard.armed = False  # the test's own reads below
    assert sorted(f.title for f in window.core.feeds_in_folder(("Searches",))) == [
        "News search (en): DZ Mafia, Yoda",
        "News search (fr): DZ Mafia, Yoda",
    ]
    window.bridge.feeds_changed.disconnect(scheduler_started_polling)
    # Each new feed polled once, though the scheduler also re-read the feeds.
    assert sorted(q["hl"][0] for q in searched(httpserver)) == ["en-GB", "fr"]
    assert all(q["q"] == ['"DZ Mafia" OR Yoda'] for q in searched(httpserver))


def test_an_unknown_entry_name_says_the_close_ones_in_the_status_bar(  # type: ignore[no-untyped-def]
    qtbot, wired: Wiring, httpserver
) -> None:
    window = wired.window
    with qtbot.waitSignal(window.bridge.error) as caught:
        window.follow_in_news_search("Amine Kesaci", entry=True)
    assert caught.args[0].startswith(
        "Could not follow in news search: no watchlist entry 'Amine Kesaci'; did you mean 'Amine Kessaci'"
    )
    settle(qtbot, window)
    assert window.core.store.list_feeds() == []
    assert httpserver.log == []
