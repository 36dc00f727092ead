"""Who appears with whom in the window: the matrix opens from the Watchlist menu's action and its shortcut, its
cells are the core's counts, and an activated cell filters the list to the articles naming both. The counts are
read off the GUI thread (the guard fails the test otherwise)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt

from monitor.core.models import ArticleQuery, ParsedItem
from monitor.core.service import VigieCore
from monitor.core.support.clock import iso, utc_now
from monitor.ui.main_window import MainWindow
from tests.ui.conftest import GuiThreadGuard, settle

RECENT = [
    "Amine Kessaci and the lawyer met on Monday in Marseille. The DZ Mafia threatened him.",
    "Amine Kessaci spoke in Marseille about the DZ Mafia, which the Ofast is after.",
    "The Ofast seized cocaine in Marseille; the DZ Mafia is suspected.",
]


@pytest.fixture
def core(guarded_core: VigieCore, guard: GuiThreadGuard) -> VigieCore:
    """The guarded profile with three recent items naming watched entries together; its signals guarded."""
    guard.armed = False
    items = [
        ParsedItem(
            guid=f"w{i}",
            link=f"https://news.example/w{i}",
            title=text.split(". ")[0][:80],
            summary="",
            content=text,
            content_html="",
            published=iso(utc_now() - timedelta(hours=3 + i)),
        )
        for i, text in enumerate(RECENT)
    ]
    store = guarded_core.store
    feed, _ = store.add_feed("https://news.example/rss")
    pending = store.prepare(feed.url, items)
    assessed = [(p, guarded_core.matcher.assess(p.item.title, "", p.item.content)) for p in pending]
    store.save_items(source=feed.url, feed_id=feed.id, items=assessed, fetched_at=iso(utc_now()), poll_id=1)
    guard.wrap(guarded_core.signals, "cooccurrence", "signals.cooccurrence")
    guard.armed = True
    return guarded_core


def test_the_matrix_shows_the_cores_counts_and_a_cell_filters_the_list(
    qtbot, window: MainWindow, guard: GuiThreadGuard
) -> None:
    assert window.signals.act_cooccurrence.shortcut().toString() == "Ctrl+Shift+W"
    window.signals.act_cooccurrence.trigger()
    dialog = window.signals.cooccurrence
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.found is not None, timeout=10000)
    assert dialog.since is not None  # the last 30 days: the recent items, not the seeds
    dialog.span.setCurrentIndex(dialog.span.count() - 1)  # all time
    qtbot.waitUntil(lambda: dialog.found is not None and dialog.since is None, timeout=10000)
    settle(qtbot, window)
    guard.armed = False
    expected = window.core.signals.cooccurrence()
    guard.armed = True
    model = dialog.model
    assert model.entries == [e for e, _ in expected.mentions][: model.rowCount()]
    for row in range(model.rowCount()):
        for column in range(model.columnCount()):
            a, b, count = model.pair(model.index(row, column))
            assert count == (dict(expected.mentions)[a] if a == b else expected.count(a, b))
            shown = model.data(model.index(row, column))
            assert shown == (str(count) if count else "")
    top = expected.pairs[0]
    cell = model.index(model.entries.index(top.a), model.entries.index(top.b))
    assert model.data(cell, Qt.ItemDataRole.BackgroundRole) is not None
    dialog.table.setFocus()
    dialog.table.setCurrentIndex(cell)
    with qtbot.waitSignal(dialog.pair_chosen, timeout=5000):
        qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
    query = window.model.query
    assert set(query.entries_all) == {top.a, top.b} and query.since is None and query.entry is None
    assert window.model.rowCount() == top.articles
    guard.armed = False
    assert window.core.store.count(ArticleQuery(entries_all=(top.a, top.b))) == top.articles
    guard.armed = True
    # The diagonal says what it is instead of filtering.
    diagonal = model.index(0, 0)
    dialog.choose(diagonal)
    assert "pick a cell off the diagonal" in dialog.note.text()
    settle(qtbot, window)
    assert guard.calls == []
