"""The feeds dialog and the watchlist editor, against a real store and local HTTP servers."""

from __future__ import annotations

import dataclasses

from monitor.core.matching.watchlist import Entry
from monitor.core.models import ArticleQuery
from monitor.ui.feeds_dialog import COL_NAME, COL_STATUS, FeedsDialog
from monitor.ui.main_window import MainWindow
from monitor.ui.sidebar import Target
from monitor.ui.watchlist_editor import WatchlistEditor
from tests.ui.conftest import item, open_row, rss, settle, store_items

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


def editor_for(window: MainWindow) -> WatchlistEditor:
    editor = window.show_watchlist_editor()
    assert isinstance(editor, WatchlistEditor)
    return editor


def test_saving_the_watchlist_rescores_and_the_list_follows(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    store = window.core.store
    feed, _ = store.add_feed("http://127.0.0.1:9/feed.xml", "Feed")
    store_items(
        store,
        [item(1, title="Le préfet Zorglub visite le port", summary="Zorglub parle.")],
        source=feed.url,
        feed_id=feed.id,
    )
    window.reload_list()
    window.sidebar.select(Target("view", view="highlighted"))
    before = window.model.rowCount()
    editor = editor_for(window)
    editor.add_entry()
    editor.name.setText("Zorglub")
    editor.kind.setCurrentIndex(editor.kind.findData("person"))
    editor.weight.setValue(6)
    editor.aliases.setPlainText("Zorglub")
    assert editor.dirty
    with qtbot.waitSignal(window.bridge.rescore_finished, timeout=20000):
        assert editor.save()
    settle(qtbot, window)
    article = store.article(store.rows(ArticleQuery(search="Zorglub"))[0].id)
    assert article.highlighted
    assert {m.entry for m in article.matches} == {"Zorglub"}
    assert [m.field for m in article.matches] == ["title", "summary"]
    assert window.core.watchlist.get("Zorglub") is not None
    assert "Zorglub" in window.core.paths.watchlist.read_text(encoding="utf-8")
    # The list re-read the store: the article is now among the highlighted, and the sidebar lists the entry.
    assert window.model.rowCount() == before + 1
    assert window.sidebar.item_for(Target("entry", entry="Zorglub")).text(1) == "1"
    assert not editor.dirty and "re-scored" in editor.error.text()


def test_the_test_area_matches_live_with_the_edited_list(window: MainWindow) -> None:
    editor = editor_for(window)
    editor.test_input.setPlainText("Le narcotrafic gangrène le quartier, dit Amine Kessaci.")
    editor.run_test()
    found = editor.last_assessment
    assert found is not None and found.highlighted
    assert {"Amine Kessaci"} <= {m.entry for m in found.matches}
    assert "Amine Kessaci" in editor.test_result.toPlainText()
    # An alias added in the editor (not saved) matches at once.
    editor.test_input.setPlainText("Le quartier de la Tartempion est calme.")
    editor.run_test()
    assert editor.last_assessment is not None and not editor.last_assessment.matches
    editor.add_entry("Tartempion", "place")
    editor.aliases.setPlainText("Tartempion")
    editor.run_test()
    assert [m.text for m in editor.last_assessment.matches] == ["Tartempion"]
    assert window.core.watchlist.get("Tartempion") is None  # nothing saved yet


def test_the_test_area_can_use_the_selected_article(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    open_row(qtbot, window, 0)
    editor = editor_for(window)
    editor.test_selected_article()
    assert editor.last_assessment is not None
    assert window.reader.article is not None
    assert window.reader.article.title.split()[0] in editor.test_result.toPlainText()


def test_an_invalid_list_cannot_be_saved(window: MainWindow) -> None:
    editor = editor_for(window)
    first = editor.entries[0]
    editor.add_entry()
    editor.name.setText(first.name)  # a duplicate name
    assert not editor.save_button.isEnabled()
    assert "duplicate" in editor.error.text()
    assert not editor.save()
    editor.remove_entry()
    assert editor.save_button.isEnabled()


def test_renaming_an_entry_keeps_the_contexts_that_name_it(window: MainWindow) -> None:
    editor = editor_for(window)
    editor.entries = [
        Entry("Alpha", "topic", aliases=("alpha",)),
        Entry("Beta", "person", aliases=("beta",), context=("Alpha",)),
    ]
    editor._fill_list()
    editor.select("Alpha")
    editor.name.setText("Alpha prime")
    assert editor.entries[1] == dataclasses.replace(editor.entries[1], context=("Alpha prime",))
    assert editor.draft() is not None
