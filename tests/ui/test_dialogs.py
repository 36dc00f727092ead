"""The feeds dialog, against a real store and local HTTP servers (the watchlist editor and the preferences
have their own files)."""

from __future__ import annotations

from monitor.core.models import ArticleQuery
from monitor.ui.feeds_dialog import COL_NAME, COL_STATUS, FeedsDialog
from monitor.ui.main_window import MainWindow
from monitor.ui.sidebar import Target
from tests.ui.conftest import rss, settle

ITEMS = [
    {
        "title": "Marseille : nouvelle fusillade liée au narcotrafic",
        "link": "https://news.example/1",
        "description": "<p>Un homme a été tué par balles dans un point de deal.</p>",
    },
    {"title": "La météo du week-end", "link": "https://news.example/2", "description": "<p>Du soleil.</p>"},
]


def test_adding_a_page_subscribes_to_the_feed_it_links_and_polls_it(
    qtbot, window: MainWindow, httpserver
) -> None:  # type: ignore[no-untyped-def]
    feed_url = httpserver.url_for("/feed.xml")
    httpserver.expect_request("/feed.xml").respond_with_data(
        rss(ITEMS, "Le Courrier"), content_type="application/rss+xml"
    )
    httpserver.expect_request("/").respond_with_data(
        "<html><head><title>Le Courrier</title>"
        f'<link rel="alternate" type="application/rss+xml" href="{feed_url}">'
        "</head><body>Accueil</body></html>",
        content_type="text/html",
    )
    dialog = window.show_feeds_dialog()
    assert isinstance(dialog, FeedsDialog)
    dialog.url.setText(httpserver.url_for("/"))
    with qtbot.waitSignal(window.bridge.poll_finished, timeout=20000):
        dialog.add()
    settle(qtbot, window)
    qtbot.waitUntil(lambda: dialog.table.item(0, COL_STATUS).text().startswith("OK"))
    feeds = window.core.store.list_feeds()
    assert [f.url for f in feeds] == [feed_url]
    assert "found its feed on that page" in dialog.add_status.text()
    assert dialog.table.rowCount() == 1
    assert dialog.table.item(0, COL_NAME).text() == "Le Courrier"
    assert dialog.table.item(0, COL_STATUS).text().startswith("OK")
    # The new feed was polled: its articles are stored, scored and in the sidebar.
    assert window.core.store.count(ArticleQuery(view="feed", feed_id=feeds[0].id)) == 2
    assert window.sidebar.item_for(Target("feed", view="feed", feed_id=feeds[0].id)).text(1) == "2"
    assert "Last poll" in window.status.last_poll.text()


def test_a_bad_address_is_refused_in_words(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    dialog = window.show_feeds_dialog()
    for url in ("file:///etc/passwd", "javascript:alert(1)"):
        dialog.url.setText(url)
        with qtbot.waitSignal(window.bridge.error):
            dialog.add()
        assert "only http and https" in dialog.add_status.text()
    assert window.core.store.list_feeds() == []


def test_an_unreachable_feed_is_refused_and_nothing_is_added(qtbot, window: MainWindow, httpserver) -> None:  # type: ignore[no-untyped-def]
    httpserver.expect_request("/gone.xml").respond_with_data("no", status=404)
    dialog = window.show_feeds_dialog()
    dialog.url.setText(httpserver.url_for("/gone.xml"))
    with qtbot.waitSignal(window.bridge.error):
        dialog.add()
    assert "404" in dialog.add_status.text()
    assert window.core.store.list_feeds() == []
    assert window.status.error.isVisibleTo(window)


def test_remove_and_change_interval(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    store = window.core.store
    feed, _ = store.add_feed("http://127.0.0.1:9/feed.xml", "Feed to drop")
    dialog = FeedsDialog(window.core, window.bridge, window, confirm=lambda _q: True)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1)
    dialog.select_feed(feed.id)
    dialog.interval.setValue(45)
    dialog.apply_interval.click()
    qtbot.waitUntil(lambda: dialog.table.item(0, 1).text() == "45 min")
    assert store.get_feed(feed.id).interval_minutes == 45
    dialog.enable_button.click()
    qtbot.waitUntil(lambda: dialog.enable_button.text() == "Enable")
    assert not store.get_feed(feed.id).enabled
    dialog.remove_button.click()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 0)
    assert store.list_feeds() == []
    assert dialog.table.rowCount() == 0


def test_opml_round_trip(qtbot, window: MainWindow, tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = window.core.store
    store.add_feed("http://127.0.0.1:9/a.xml", "A")
    store.add_feed("http://127.0.0.1:9/b.xml", "B")
    dialog = window.show_feeds_dialog()
    target = tmp_path / "feeds.opml"
    with qtbot.waitSignal(window.bridge.message):
        dialog.export_opml(target)
    assert b"http://127.0.0.1:9/a.xml" in target.read_bytes()
    for feed in store.list_feeds():
        store.remove_feed(feed.id)
    with qtbot.waitSignal(window.bridge.message, check_params_cb=lambda text: text.startswith("Imported")):
        dialog.import_opml(target)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 2)
    assert sorted(f.url for f in store.list_feeds()) == [
        "http://127.0.0.1:9/a.xml",
        "http://127.0.0.1:9/b.xml",
    ]
    assert dialog.table.rowCount() == 2
