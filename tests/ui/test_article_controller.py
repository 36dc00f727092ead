"""Walking down the article list: the list scrolls only when the next article is out of sight."""

from __future__ import annotations

from PySide6.QtCore import QUrl

from monitor.ui.main_window import MainWindow
from monitor.ui.reader_html import WHOLE_SCHEME
from tests.ui.conftest import item, open_row, settle, store_items


def _long_list(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    """Sixty articles in a list a dozen rows high."""
    store = window.core.store
    feed, _ = store.add_feed("http://127.0.0.1:9/feed.xml", "Feed")
    store_items(store, [item(n, title=f"Article {n}") for n in range(60)], source=feed.url, feed_id=feed.id)
    window.reload_list()
    settle(qtbot, window)
    window.resize(900, 420)
    qtbot.waitUntil(lambda: window.view.verticalScrollBar().maximum() > 0)


def _visible(window: MainWindow, row: int) -> bool:
    rect = window.view.visualRect(window.model.index(row, 0))
    return rect.isValid() and window.view.viewport().rect().contains(rect)


def test_walking_down_the_list_scrolls_half_a_page_at_a_time(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    _long_list(qtbot, window)
    bar = window.view.verticalScrollBar()
    rows = window.model.rowCount()
    window.view.setFocus()
    window.select_row(0)
    steps = 0
    while bar.value() == 0:  # walk until the list first has to scroll
        window.move(1)
        steps += 1
        assert steps < rows, "the list never scrolled"
    first_scroll = bar.value()
    row = window.articles.selected_row()
    assert row is not None and _visible(window, row)
    # The article just reached sits mid-list: the following ones are opened without scrolling again.
    for _ in range(3):
        window.move(1)
        row = window.articles.selected_row()
        assert row is not None and _visible(window, row)
        assert bar.value() == first_scroll


def test_a_long_article_shows_its_first_part_then_the_whole_on_request(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    # Qt lays a page out on the GUI thread in one step: a 500 KB article is shown in two
    paragraphs = [f"Paragraph {n}: " + "la saisie de cocaïne au port " * 40 for n in range(500)]
    store = window.core.store
    feed, _ = store.add_feed("http://127.0.0.1:9/feed.xml", "Feed")
    store_items(store, [item(1, content="\n".join(paragraphs))], source=feed.url, feed_id=feed.id)
    window.reload_list()
    settle(qtbot, window)
    row = next(r for r in range(window.model.rowCount()) if window.model.row_at(r).title == "Article 0001")
    open_row(qtbot, window, row)
    shown = window.reader.toPlainText()
    assert "Paragraph 0:" in shown and "Paragraph 499:" not in shown
    assert "Show the whole article" in shown
    article_id = window.model.row_at(row).id
    with qtbot.waitSignal(
        window.articles.article_shown, check_params_cb=lambda shown: shown == article_id, timeout=10000
    ):
        window.reader.anchorClicked.emit(QUrl(f"{WHOLE_SCHEME}:article"))
    whole = window.reader.toPlainText()
    assert "Paragraph 499:" in whole and "Show the whole article" not in whole
