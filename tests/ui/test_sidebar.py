"""The sidebar updates its rows in place when only counts and health change, and rebuilds when feeds come
or go, keeping the selected row either way."""

from __future__ import annotations

import dataclasses

from pytestqt.qtbot import QtBot

from monitor.core.models import Feed
from monitor.core.watchlist import load_default_watchlist
from monitor.ui.sidebar import Sidebar, Target


def _feeds(n: int) -> list[Feed]:
    return [Feed(id=i, url=f"https://feed{i}.example/rss", title=f"Feed {i}", last_fetched="2026-11-23T10:00:00+00:00",
                 last_status=200) for i in range(1, n + 1)]


def test_counts_and_health_change_in_place_and_new_feeds_rebuild(qtbot: QtBot) -> None:
    sidebar = Sidebar()
    qtbot.addWidget(sidebar)
    entries = load_default_watchlist().entries
    feeds = _feeds(3)
    sidebar.populate({"all": 5}, feeds, {1: 1, 2: 2}, entries, {})
    second = Target("feed", view="feed", feed_id=2)
    assert sidebar.select(second)
    item = sidebar.item_for(second)

    failing = dataclasses.replace(feeds[1], last_error="HTTP 503", consecutive_failures=2)
    sidebar.populate({"all": 4}, [feeds[0], failing, feeds[2]], {1: 1, 2: 7}, entries, {})
    assert sidebar.item_for(second) is item  # the same row, updated
    assert item.text(1) == "7" and "Failing (2× in a row): HTTP 503" in item.toolTip(0)
    assert sidebar.item_for(Target("view", view="all")).text(1) == "4"
    assert sidebar.item_for(Target("feed", view="feed", feed_id=1)).text(1) == "1"
    assert sidebar.current_target() == second

    sidebar.populate({"all": 4}, [*feeds, *_feeds(4)[3:]], {4: 3}, entries, {})
    assert sidebar.item_for(second) is not item  # rebuilt
    assert sidebar.item_for(second).text(1) == ""
    assert sidebar.item_for(Target("feed", view="feed", feed_id=4)).text(1) == "3"
    assert sidebar.current_target() == second
