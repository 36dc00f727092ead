"""The story view: one row per story, expanded to its reports earliest first, the timeline of what each later
report adds, and a report opened in the reader; every read on the task runner."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from monitor.core.service import VigieCore
from monitor.ui.stories_view import StoriesView
from tests.conftest import ServedFeed, serve_feed
from tests.core.stories import reports as r
from tests.ui.conftest import GuiThreadGuard, Wiring, settle


@pytest.fixture
def guard() -> GuiThreadGuard:
    calls = GuiThreadGuard()
    calls.armed = False
    return calls


@pytest.fixture
def core(guarded_core: VigieCore) -> VigieCore:
    return guarded_core


@pytest.fixture
def view(qtbot, wired: Wiring, httpserver, guard: GuiThreadGuard) -> StoriesView:  # type: ignore[no-untyped-def]
    window = wired.window
    feeds = {"wire": [r.ORIGINAL, r.TRANSLATION, r.WEEK_LATER], "daily": [r.REPRINT, r.UPDATE]}
    for name, items in feeds.items():
        body = r.rss(items, f"https://{name}.example.org")
        window.core.store.add_feed(serve_feed(httpserver, f"/{name}.xml", ServedFeed(body)), name)
    with qtbot.waitSignal(window.bridge.poll_finished, timeout=30000):
        window.bridge.poll_now()
    settle(qtbot, window)
    guard.armed = True
    window.act_stories.trigger()
    found = window.findChild(StoriesView)
    assert found is not None and found.isVisible()
    found.period.setCurrentIndex(found.period.count() - 1)  # everything: the reports are from February
    qtbot.waitUntil(lambda: _row(found, r.ORIGINAL[3]) is not None, timeout=10000)
    settle(qtbot, window)
    return found


def _row(view: StoriesView, title: str):  # type: ignore[no-untyped-def]
    for i in range(view.tree.topLevelItemCount()):
        item = view.tree.topLevelItem(i)
        if item.text(0) == title:
            return item
    return None


def test_a_story_row_counts_its_reports_and_expands_to_them_earliest_first(
    qtbot, wired: Wiring, view: StoriesView, guard
) -> None:  # type: ignore[no-untyped-def]
    row = _row(view, r.ORIGINAL[3])
    assert (row.text(1), row.text(2), row.text(3)) == ("4", "2", "en, fr")
    assert _row(view, r.WEEK_LATER[3]).text(1) == "1"
    view.tree.setCurrentItem(row)
    qtbot.waitUntil(lambda: row.childCount() == 4, timeout=10000)
    assert [row.child(i).text(0).split(": ", 1)[1] for i in range(4)] == [
        r.ORIGINAL[3], r.REPRINT[3], r.TRANSLATION[3], r.UPDATE[3]
    ]  # fmt: skip
    qtbot.waitUntil(lambda: "First report" in view.timeline.toPlainText(), timeout=10000)
    text = view.timeline.toPlainText()
    assert "a reprint: nothing an earlier report did not say" in text  # the reprint
    assert "First in en" in text
    assert "Un passant de 52 ans a été blessé" in text.split("adds:")[1]  # what the update adds
    row.setExpanded(True)
    view.grab().save("/tmp/vigie-stories-view.png")
    with qtbot.waitSignal(wired.window.articles.article_shown, timeout=10000):
        view.tree.itemActivated.emit(row.child(3), 0)
    settle(qtbot, wired.window)
    assert guard.calls == []


def test_the_menu_and_shortcut_open_one_view(qtbot, wired: Wiring, view: StoriesView) -> None:  # type: ignore[no-untyped-def]
    window = wired.window
    view.close()
    window.act_stories.trigger()
    assert view.isVisible() and window.findChildren(StoriesView) == [view]
    assert window.act_stories.shortcut().toString() == "Ctrl+Shift+S"
    view.highlighted.setChecked(True)
    qtbot.waitUntil(lambda: "stories" in view.status.text(), timeout=10000)
    settle(qtbot, window)
    assert (
        view.tree.sortColumn() == 6
        and view.tree.header().sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    )
