"""The sidebar updates its rows in place when only a few counts and health change, and rebuilds when feeds
come or go (in slices, off-screen, when there are many rows), keeping the selected row either way."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from monitor.core.matching.watchlist import Entry, load_default_watchlist
from monitor.core.models import Feed
from monitor.ui import sidebar as sidebar_module
from monitor.ui.sidebar import FIXED_VIEWS, Sidebar, Target, sidebar_rows


def _populate(sidebar: Sidebar, *counts_and_contents: Any) -> None:
    """Show these counts and contents at once, as the window does with what its worker counted."""
    sidebar.show_rows(sidebar_rows(*counts_and_contents))
    sidebar.flush()


def _feeds(n: int) -> list[Feed]:
    return [
        Feed(
            id=i,
            url=f"https://feed{i}.example/rss",
            title=f"Feed {i}",
            last_fetched="2026-11-23T10:00:00+00:00",
            last_status=200,
        )
        for i in range(1, n + 1)
    ]


def test_counts_and_health_change_in_place_and_new_feeds_rebuild(qtbot: QtBot) -> None:
    sidebar = Sidebar()
    qtbot.addWidget(sidebar)
    entries = load_default_watchlist().entries
    feeds = _feeds(3)
    _populate(sidebar, {"all": 5}, feeds, {1: 1, 2: 2}, entries, {})
    second = Target("feed", view="feed", feed_id=2)
    assert sidebar.select(second)
    item = sidebar.item_for(second)

    failing = dataclasses.replace(feeds[1], last_error="HTTP 503", consecutive_failures=2)
    _populate(sidebar, {"all": 4}, [feeds[0], failing, feeds[2]], {1: 1, 2: 7}, entries, {})
    assert sidebar.item_for(second) is item  # the same row, updated
    assert item.text(1) == "7" and "Failing (2× in a row): HTTP 503" in item.toolTip(0)
    assert sidebar.item_for(Target("view", view="all")).text(1) == "4"
    assert sidebar.item_for(Target("feed", view="feed", feed_id=1)).text(1) == "1"
    assert sidebar.current_target() == second

    _populate(sidebar, {"all": 4}, [*feeds, *_feeds(4)[3:]], {4: 3}, entries, {})
    assert sidebar.item_for(second) is not item  # rebuilt
    assert sidebar.item_for(second).text(1) == ""
    assert sidebar.item_for(Target("feed", view="feed", feed_id=4)).text(1) == "3"
    assert sidebar.current_target() == second


def _entries(n: int) -> list[Entry]:
    return [Entry(name=f"Person {i:03}", kind="person", aliases=(f"Person {i:03}",)) for i in range(n)]


def test_a_large_change_is_rebuilt_in_slices_then_swapped_in_keeping_the_selection(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sidebar_module, "SYNC_SLICE_ROWS", 7)
    sidebar = Sidebar()
    qtbot.addWidget(sidebar)
    entries = _entries(40)
    _populate(sidebar, {"all": 1}, _feeds(20), {}, entries, {})
    chosen = Target("entry", entry="Person 005")
    assert sidebar.select(chosen)

    # Two sources change: updated at once. Every entry gets a count and the entries' order changes: more
    # than a slice, so the watchlist group is rebuilt.
    unread = {e.name: i % 9 + 1 for i, e in enumerate(entries)}
    sidebar.show_rows(sidebar_rows({"all": 9}, _feeds(20), {3: 4}, entries, unread))
    assert sidebar.item_for(Target("view", view="all")).text(1) == "9"
    assert sidebar.item_for(Target("feed", view="feed", feed_id=3)).text(1) == "4"
    assert sidebar.rebuilding
    assert sidebar.item_for(chosen).text(1) == ""  # the old rows until the swap
    qtbot.waitUntil(lambda: not sidebar.rebuilding)
    assert sidebar.item_for(chosen).text(1) == str(unread["Person 005"])
    watchlist = sidebar.topLevelItem(2)
    watched = [watchlist.child(i) for i in range(watchlist.childCount())]
    assert [int(item.text(1)) for item in watched] == sorted(unread.values(), reverse=True)
    assert sidebar.current_target() == chosen


def test_newer_rows_replace_a_rebuild_under_way(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sidebar_module, "SYNC_SLICE_ROWS", 5)
    sidebar = Sidebar()
    qtbot.addWidget(sidebar)
    _populate(sidebar, {"all": 1}, _feeds(3), {}, _entries(30), {})
    sidebar.show_rows(sidebar_rows({"all": 2}, _feeds(30), {}, _entries(30), {}))
    assert sidebar.rebuilding
    sidebar.show_rows(sidebar_rows({"all": 3}, _feeds(12), {12: 5}, _entries(30), {}))
    qtbot.waitUntil(lambda: not sidebar.rebuilding)
    assert sidebar.topLevelItem(0).childCount() == len(FIXED_VIEWS)
    assert sidebar.topLevelItem(1).childCount() == 12  # the feeds, none in a folder
    assert sidebar.item_for(Target("view", view="all")).text(1) == "3"
    assert sidebar.item_for(Target("feed", view="feed", feed_id=12)).text(1) == "5"


@pytest.mark.parametrize("largest", [0, 7, 42, 200_000, 12_345_678])
def test_the_count_column_fits_the_widest_count(qtbot: QtBot, largest: int) -> None:
    sidebar = Sidebar()
    qtbot.addWidget(sidebar)
    _populate(sidebar, {"all": largest, "new": 3}, _feeds(3), {1: 12}, _entries(5), {"Person 001": 1})
    sidebar.show()  # polished: the application's style sheet pads the items from now on
    qtbot.waitExposed(sidebar)
    header = sidebar.header()
    assert header.sectionSize(1) == max(sidebar.sizeHintForColumn(1), header.minimumSectionSize())
