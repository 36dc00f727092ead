"""The feed health view over feeds served on 127.0.0.1: figures, numeric sorts, mute, re-poll, remove, entry points."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from PySide6.QtCore import QPoint, Qt

from monitor.core.service import VigieCore
from monitor.ui.feed_health_view import (
    COL_FAILURES,
    COL_FEED,
    COL_HEALTH,
    COL_MUTED,
    COL_PER_DAY,
    COL_SHARE,
    ROW_ROLE,
    FeedHealthView,
)
from tests.conftest import ServedFeed, serve_feed
from tests.ui.conftest import GuiThreadGuard, Wiring, rss, settle

HOT = "Mehdi Kessaci"  # highlights with the default watchlist


def _items(prefix: str, count: int, hot: int, age: timedelta) -> list[dict[str, str]]:
    when = format_datetime(datetime.now(UTC) - age)
    return [
        {"title": f"{HOT} {prefix} {n}" if n < hot else f"{prefix} météo {n}", "link": f"https://x.example/{prefix}/{n}",
         "pubDate": when}
        for n in range(count)
    ]  # fmt: skip


@pytest.fixture
def guard() -> GuiThreadGuard:
    """Records store and matcher calls on the GUI thread once armed (the setup's own calls do not count)."""
    calls = GuiThreadGuard()
    calls.armed = False
    return calls


@pytest.fixture
def core(guarded_core: VigieCore) -> VigieCore:
    return guarded_core


@pytest.fixture
def health(qtbot, wired: Wiring, httpserver) -> FeedHealthView:  # type: ignore[no-untyped-def]
    """Four feeds polled once through the scheduler, then the view opened from the Feeds menu:
    busy (30 items, all highlighted), mixed (4 items, 1 highlighted), quiet (items 20 days old), down (500)."""
    window = wired.window
    store = window.core.store
    hour = timedelta(hours=1)
    served = {
        "busy": rss(_items("busy", 30, 30, hour)),
        "mixed": rss(_items("mixed", 4, 1, hour)),
        "quiet": rss(_items("quiet", 3, 0, timedelta(days=20))),
    }
    for name, body in served.items():
        store.add_feed(serve_feed(httpserver, f"/{name}.xml", ServedFeed(body)), name)
    httpserver.expect_request("/down.xml").respond_with_data("no", status=500)
    store.add_feed(httpserver.url_for("/down.xml"), "down")
    with qtbot.waitSignal(window.bridge.poll_finished, timeout=30000):
        window.bridge.poll_now()
    settle(qtbot, window)
    window.act_feed_health.trigger()
    view = window.findChild(FeedHealthView)
    assert view is not None and view.isVisible()
    qtbot.waitUntil(lambda: view.model.rowCount() == 4, timeout=10000)
    settle(qtbot, window)
    return view


def _column(view: FeedHealthView, column: int, role: int = Qt.ItemDataRole.DisplayRole) -> list[object]:
    return [view.proxy.index(r, column).data(role) for r in range(view.proxy.rowCount())]


def _names(view: FeedHealthView) -> list[str]:
    return [str(name) for name in _column(view, COL_FEED)]


def _row_of(view: FeedHealthView, name: str) -> int:
    return _names(view).index(name)


def test_the_view_shows_each_feed_s_figures_worst_first(health: FeedHealthView) -> None:
    assert _names(health)[:2] == ["down", "quiet"]  # failing, then quiet, then the rest
    assert _column(health, COL_HEALTH)[:2] == ["Failing", "Quiet"]
    rows = {row.feed.title: row for row in _column(health, 0, ROW_ROLE)}  # type: ignore[union-attr]
    assert rows["busy"].activity.recent == 30 and rows["busy"].highlighted_share == 1.0
    assert rows["mixed"].highlighted_share == 0.25
    assert rows["quiet"].activity.items == 3 and rows["quiet"].activity.recent == 0
    assert rows["down"].feed.consecutive_failures == 1 and rows["down"].feed.last_success is None
    assert health.proxy.index(_row_of(health, "mixed"), COL_SHARE).data() == "25%"
    assert health.summary.text().startswith("4 feeds · 1 failing · 1 quiet")


def test_numeric_columns_sort_as_numbers(qtbot, health: FeedHealthView) -> None:  # type: ignore[no-untyped-def]
    """As text, "25%" sorts above "100%" and "2.1" above "0.3" below "10": the sort role keeps the numbers."""
    health.table.sortByColumn(COL_SHARE, Qt.SortOrder.DescendingOrder)
    assert _names(health) == ["busy", "mixed", "quiet", "down"]  # 100 %, 25 %, 0 %, no item
    health.table.sortByColumn(COL_PER_DAY, Qt.SortOrder.DescendingOrder)
    assert _names(health)[:2] == ["busy", "mixed"]  # 2.1 a day, then 0.3
    health.table.sortByColumn(COL_FAILURES, Qt.SortOrder.DescendingOrder)
    assert _names(health)[0] == "down"


def test_one_click_on_muted_reaches_the_store(qtbot, wired: Wiring, health: FeedHealthView) -> None:  # type: ignore[no-untyped-def]
    store = wired.window.core.store
    row = _row_of(health, "mixed")
    index = health.proxy.index(row, COL_MUTED)
    feed_id = index.data(ROW_ROLE).feed.id
    cell = health.table.visualRect(index)
    with qtbot.waitSignal(health.refreshed, timeout=10000):
        qtbot.mouseClick(
            health.table.viewport(),
            Qt.MouseButton.LeftButton,
            pos=QPoint(cell.left() + 10, cell.center().y()),
        )
    assert store.get_feed(feed_id).muted  # type: ignore[union-attr]
    row = _row_of(health, "mixed")
    assert health.proxy.index(row, COL_MUTED).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    settle(qtbot, wired.window)


def test_poll_now_goes_through_the_scheduler_and_the_view_follows(
    qtbot, wired: Wiring, health: FeedHealthView, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    asked: list[object] = []
    original = wired.scheduler.poll_now
    monkeypatch.setattr(
        wired.scheduler, "poll_now", lambda feeds=None: (asked.append(feeds), original(feeds))
    )
    health.table.selectRow(_row_of(health, "down"))
    down_id = health.selected_feeds()[0].id
    with (
        qtbot.waitSignal(health.refreshed, timeout=30000),
        qtbot.waitSignal(wired.window.bridge.poll_finished, timeout=30000) as finished,
    ):
        health.poll_button.click()
    assert asked == [[down_id]]
    assert [r.feed_id for r in finished.args[0].reports] == [down_id]
    qtbot.waitUntil(
        lambda: health.proxy.index(_row_of(health, "down"), COL_FAILURES).data() == "2", timeout=10000
    )
    assert health.selected_feeds()[0].id == down_id  # the selection survives the refresh
    settle(qtbot, wired.window)


def test_remove_asks_first_then_the_feed_is_gone(qtbot, wired: Wiring, health: FeedHealthView) -> None:  # type: ignore[no-untyped-def]
    questions: list[str] = []
    answer = [False]
    health.confirm = lambda q: (questions.append(q), answer[0])[1]
    health.table.selectRow(_row_of(health, "quiet"))
    quiet_id = health.selected_feeds()[0].id
    health.remove_button.click()
    assert questions == ["Remove quiet and the articles they brought?"]
    settle(qtbot, wired.window)
    assert wired.window.core.store.get_feed(quiet_id) is not None  # "no" keeps it
    answer[0] = True
    with qtbot.waitSignal(health.refreshed, timeout=10000):
        health.remove_button.click()
    qtbot.waitUntil(lambda: "quiet" not in _names(health), timeout=10000)
    assert wired.window.core.store.get_feed(quiet_id) is None
    settle(qtbot, wired.window)


def test_the_failing_label_and_the_menu_open_the_view(qtbot, wired: Wiring, health: FeedHealthView) -> None:  # type: ignore[no-untyped-def]
    window = wired.window
    health.close()
    qtbot.waitUntil(lambda: window.status.failing.isVisible(), timeout=10000)
    assert window.status.failing.text() == "⚠ 1 failing feed"
    qtbot.mouseClick(window.status.failing, Qt.MouseButton.LeftButton)
    assert health.isVisible() and window.findChildren(FeedHealthView) == [health]
    assert window.act_feed_health.shortcut().toString() == "Ctrl+Shift+H"
    feeds_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "F&eeds")
    assert window.act_feed_health in feeds_menu.actions()
    settle(qtbot, window)


def test_the_view_reads_and_acts_off_the_gui_thread(
    qtbot, wired: Wiring, health: FeedHealthView, guard
) -> None:  # type: ignore[no-untyped-def]
    guard.armed = True
    health.close()
    with qtbot.waitSignal(health.refreshed, timeout=10000):
        wired.window.act_feed_health.trigger()
        health.refresh()
    health.table.selectRow(_row_of(health, "busy"))
    with qtbot.waitSignal(health.refreshed, timeout=10000):
        health.mute_button.click()
    with qtbot.waitSignal(health.refreshed, timeout=30000):
        health.poll_button.click()
    with qtbot.waitSignal(health.refreshed, timeout=10000):
        health.remove_button.click()
    settle(qtbot, wired.window)
    assert guard.calls == []
    assert "busy" not in _names(health)
