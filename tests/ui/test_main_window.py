"""The main window on a real profile: reading, searching, filtering, keyboard, and a layout that persists."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from monitor.core.models import ArticleQuery
from monitor.ui.article_model import COL_TITLE, ROW_ROLE
from monitor.ui.main_window import MainWindow
from monitor.ui.sidebar import Target
from tests.ui.conftest import item, open_row, settle, store_items


def add_feed_articles(window: MainWindow, count: int = 30, qtbot=None) -> int:  # type: ignore[no-untyped-def]
    """Articles from one feed, scored by the real matcher; returns the feed id."""
    store = window.core.store
    feed, _ = store.add_feed("http://127.0.0.1/test.xml", "Le Courrier de test")
    items = [
        item(
            n,
            title=f"Marseille : Amine Kessaci témoigne, épisode {n}" if n % 3 == 0 else f"Météo du jour {n}",
        )
        for n in range(count)
    ]
    matcher = window.core.matcher
    scored = [matcher.assess(i.title, i.summary, i.content) for i in items]
    store_items(store, items, source=feed.url, feed_id=feed.id, assessments=scored)
    window.reload_list()
    if qtbot is not None:
        settle(qtbot, window)  # the sidebar's count of the new feed has landed
    return feed.id


def test_the_window_opens_on_the_seeds_with_their_highlights(window: MainWindow) -> None:
    seeds = window.core.store.count(ArticleQuery(view="seeds"))
    assert seeds == 5
    assert window.model.rowCount() == seeds
    assert "5 articles" in window.filters.title.text()
    rows = [window.model.index(r, 0).data(ROW_ROLE) for r in range(seeds)]
    assert any(r.highlighted for r in rows)
    assert window.reader.article is None  # nothing opened (so nothing marked read) before the analyst chooses


def test_the_search_box_finds_word_forms_and_keeps_phrases_exact(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    store = window.core.store
    feed, _ = store.add_feed("http://127.0.0.1/forms.xml", "Formes")
    titles = ["Deux élues menacées après le scrutin", "Le maire a été menacé", "Two men arrested in the port"]
    items = [item(n, title=t, lang="en" if "Two" in t else "fr") for n, t in enumerate(titles)]
    store_items(store, items, source=feed.url, feed_id=feed.id)
    window.reload_list()
    settle(qtbot, window)

    def shown() -> set[str]:  # of these titles: the seed articles are in the list too
        return {window.model.index(r, COL_TITLE).data() for r in range(window.model.rowCount())} & set(titles)

    for typed, expected in (
        ("menace", set(titles[:2])),
        ('"menacées"', {titles[0]}),
        ("arrest", {titles[2]}),
    ):
        window.filters.search.setText(typed)
        window.filters.flush()
        assert shown() == expected, typed


def test_opening_an_article_marks_it_read(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    before = window.core.store.view_counts()["new"]
    window.view.setFocus()
    open_row(qtbot, window, 0)
    row = window.model.index(0, 0).data(ROW_ROLE)
    assert window.reader.article is not None and window.reader.article.id == row.id
    assert row.read
    settle(qtbot, window)
    assert window.core.store.article(row.id).read
    assert window.model.index(0, COL_TITLE).data(Qt.ItemDataRole.FontRole) is None  # no longer bold
    qtbot.waitUntil(lambda: window.sidebar.item_for(Target("view", view="new")).text(1) == str(before - 1))
    assert row.title in window.reader.toPlainText()


def test_the_search_box_filters_the_list(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    add_feed_articles(window)
    total = window.model.rowCount()
    qtbot.keyClicks(window.filters.search, "meteo")  # typed without the accents
    qtbot.waitUntil(lambda: window.model.rowCount() < total)  # after the search box's short pause
    expected = window.core.store.count(ArticleQuery(search="Météo"))
    assert 0 < expected < total
    assert window.model.rowCount() == expected
    titles = [window.model.index(r, COL_TITLE).data() for r in range(expected)]
    assert all(t.startswith("Météo") for t in titles)
    window.filters.search.setText("Météo")
    window.filters.flush()
    assert window.model.rowCount() == expected
    window.filters.search.setText("zzzunknownword")
    window.filters.flush()
    assert window.model.rowCount() == 0
    assert "No articles match" in window.view.empty_message


def test_filters_highlighted_unread_and_dates(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    add_feed_articles(window)
    window.filters.highlighted.setChecked(True)
    assert window.model.rowCount() == window.core.store.count(ArticleQuery(highlighted_only=True))
    assert all(window.model.index(r, 0).data(ROW_ROLE).highlighted for r in range(window.model.rowCount()))
    window.filters.highlighted.setChecked(False)
    open_row(qtbot, window, 0)
    settle(qtbot, window)  # opening marks the article read on the runner: the count below must see it
    window.filters.unread.setChecked(True)
    assert window.model.rowCount() == window.core.store.count(ArticleQuery(unread_only=True))
    window.filters.unread.setChecked(False)
    window.filters.dates.setCurrentIndex(window.filters.dates.findData("custom"))
    window.filters.since.setDate(window.filters.since.date().fromString("2025-11-05", "yyyy-MM-dd"))
    window.filters.until.setDate(window.filters.until.date().fromString("2025-11-06", "yyyy-MM-dd"))
    expected = window.core.store.count(ArticleQuery(since="2025-11-05", until="2025-11-07"))
    assert 0 < expected == window.model.rowCount()


def test_sidebar_feeds_and_watchlist_entries_filter_the_list(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    feed_id = add_feed_articles(window, count=12, qtbot=qtbot)
    assert window.sidebar.select(Target("feed", view="feed", feed_id=feed_id))
    assert window.model.rowCount() == 12
    assert window.sidebar.select(Target("entry", entry="Amine Kessaci"))
    expected = window.core.store.count(ArticleQuery(entry="Amine Kessaci"))
    assert expected > 4  # four feed articles and the seeds that name him
    assert window.model.rowCount() == expected
    counts = window.core.store.unread_by_entry()
    assert window.sidebar.item_for(Target("entry", entry="Amine Kessaci")).text(1) == str(
        counts["Amine Kessaci"]
    )


def test_keyboard_moves_reads_stars_and_opens(qtbot, window: MainWindow, opened_urls: list[str]) -> None:  # type: ignore[no-untyped-def]
    feed_id = add_feed_articles(window, count=6, qtbot=qtbot)
    window.sidebar.select(Target("feed", view="feed", feed_id=feed_id))
    window.view.setFocus()
    with qtbot.waitSignal(window.articles.article_shown):
        qtbot.keyClick(window.view, Qt.Key.Key_J)
    first = window.reader.article
    assert first is not None and window.view.currentIndex().row() == 0
    qtbot.keyClick(window.view, Qt.Key.Key_J)
    assert window.view.currentIndex().row() == 1
    with qtbot.waitSignal(window.articles.article_shown):
        qtbot.keyClick(window.view, Qt.Key.Key_K)
    assert window.view.currentIndex().row() == 0
    store = window.core.store
    qtbot.keyClick(window.view, Qt.Key.Key_M)
    settle(qtbot, window)
    assert not store.article(first.id).read
    qtbot.keyClick(window.view, Qt.Key.Key_S)
    settle(qtbot, window)
    assert store.article(first.id).starred
    assert window.model.index(0, 0).data() == "★"
    qtbot.keyClick(window.view, Qt.Key.Key_Return)
    assert opened_urls == [first.link]
    # Ctrl+F goes to the search box, where letters are typed, not taken as shortcuts.
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is window.filters.search
    qtbot.keyClicks(window.filters.search, "jk")
    assert window.filters.search.text() == "jk"
    assert window.view.currentIndex().row() == 0


def test_space_pages_the_reader_then_moves_on(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.view.setFocus()
    open_row(qtbot, window, 0)
    bar = window.reader.verticalScrollBar()
    assert bar.maximum() > 0  # a seed is longer than the pane
    qtbot.keyClick(window.view, Qt.Key.Key_Space)
    assert bar.value() > 0
    while bar.value() < bar.maximum():
        qtbot.keyClick(window.view, Qt.Key.Key_Space)
    qtbot.keyClick(window.view, Qt.Key.Key_Space)
    assert window.view.currentIndex().row() == 1


def test_mark_all_read(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    add_feed_articles(window, count=6, qtbot=qtbot)
    window.act_mark_all.trigger()
    settle(qtbot, window)
    qtbot.waitUntil(lambda: window.sidebar.item_for(Target("view", view="new")).text(1) == "")
    assert window.core.store.view_counts()["new"] == 0
    row = window.model.index(0, 0).data(ROW_ROLE)
    assert row.read


def test_layout_persists_in_the_profile(qtbot, wired, core) -> None:  # type: ignore[no-untyped-def]
    """The fixture's window is the first run; a second window on the same profile finds its layout."""
    from monitor.app import build_window

    first = wired.window
    first.resize(780, 560)  # the offscreen screen is 800 x 600
    first.show()
    first.splitter.setSizes([200, 300, 250])
    first.view.setColumnWidth(3, 201)
    sizes = first.splitter.sizes()
    first.close()
    assert (core.paths.data_dir / "ui.ini").exists()
    second = build_window(core, wired.runner)
    qtbot.addWidget(second)
    second.show()
    settle(qtbot, second)
    assert second.splitter.sizes() == sizes
    assert second.view.columnWidth(3) == 201
    assert second.size().width() == 780


def test_unread_rows_are_bold_in_the_view(window: MainWindow) -> None:
    font = window.model.index(0, COL_TITLE).data(Qt.ItemDataRole.FontRole)
    assert isinstance(font, QFont) and font.bold()


def test_poll_now_with_no_feeds_says_what_to_do(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(window.bridge.message) as said:
        window.poll_now()
    assert said.args[0].startswith("No feeds to poll")
    assert window.act_poll.isEnabled() and not window.bridge.polling


def test_export_the_current_list(qtbot, window: MainWindow, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    add_feed_articles(window, count=9)
    window.filters.highlighted.setChecked(True)
    target = tmp_path / "list.jsonl"
    with qtbot.waitSignal(window.bridge.message):
        window.export_list("jsonl", target)
    records = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert len(records) == window.model.rowCount()
    assert all(r["highlighted"] for r in records)
    with qtbot.waitSignal(window.bridge.message):
        window.export_list("csv", tmp_path / "list.csv")
    assert (tmp_path / "list.csv").read_text(encoding="utf-8").startswith("id,")


def test_highlighted_rows_are_tinted_on_screen(window: MainWindow) -> None:
    from PySide6.QtGui import QColor

    from monitor.ui.style import HIGHLIGHT_ROW

    add_feed_articles(window, count=6)
    rows = [window.model.index(r, 0).data(ROW_ROLE) for r in range(window.model.rowCount())]
    hot = next(r for r, row in enumerate(rows) if row.highlighted)
    cold = next(r for r, row in enumerate(rows) if not row.highlighted)
    image = window.view.viewport().grab().toImage()

    def colour_at(row: int) -> str:
        rect = window.view.visualRect(window.model.index(row, COL_TITLE))
        return image.pixelColor(rect.right() - 2, rect.center().y()).name()

    assert colour_at(hot) == QColor(HIGHLIGHT_ROW).name()
    assert colour_at(cold) != QColor(HIGHLIGHT_ROW).name()


def test_every_shortcut_the_welcome_page_lists_is_bound(window: MainWindow) -> None:
    from PySide6.QtGui import QAction, QKeySequence, QShortcut

    from monitor.ui.reader_html import welcome_html

    listed = set(
        re.findall(
            r"<b>((?:Ctrl|Shift)\+[^<]+)</b>",
            welcome_html(first_run=False, articles=0, feeds=0, highlighted=0),
        )
    )
    bound = {
        QKeySequence(key).toString() for action in window.findChildren(QAction) for key in action.shortcuts()
    } | {shortcut.key().toString() for shortcut in window.findChildren(QShortcut)}
    assert listed and listed <= bound, sorted(listed - bound)
