"""The list's story mode (View ▸ Group by story): one row per story under the sidebar's choice and the filters,
expanded to its reports earliest first, sorted by the story columns, the story's timeline in the reader and a
report opened as the list opens an article; every store read on the task runner (the guard is armed)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt

from monitor.core.service import VigieCore
from monitor.ui.main_window import MainWindow
from monitor.ui.sidebar import Target
from monitor.ui.story_mode import StoryMode
from monitor.ui.story_model import COL_LANGUAGES, COL_OUTLETS, COL_REPORTS, COL_TITLE, STORY_COLUMNS
from tests.core.stories import reports as r
from tests.ui.conftest import GuiThreadGuard, Wiring, poll_story_reports, settle


@pytest.fixture
def core(guarded_core: VigieCore) -> VigieCore:
    return guarded_core  # the window's store and matcher guarded against reads on the GUI thread


@pytest.fixture
def mode(qtbot, wired: Wiring, httpserver, guard: GuiThreadGuard) -> StoryMode:  # type: ignore[no-untyped-def]
    window = wired.window
    poll_story_reports(qtbot, window, httpserver, guard)
    story_mode: StoryMode = window.story_mode  # type: ignore[attr-defined]
    with qtbot.waitSignal(story_mode.model.page_shown, timeout=10000):
        story_mode.action.trigger()
    settle(qtbot, window)
    return story_mode


def titles(mode: StoryMode) -> list[str]:
    model = mode.model
    return [model.index(row, COL_TITLE).data() for row in range(model.rowCount())]


def row_of(mode: StoryMode, title: str) -> int:
    return titles(mode).index(title)


def expand(qtbot, mode: StoryMode, title: str):  # type: ignore[no-untyped-def]
    """Expand a story and wait for its reports; returns its index."""
    story = mode.model.index(row_of(mode, title), 0)
    with qtbot.waitSignal(mode.model.reports_shown, timeout=10000):
        mode.tree.expand(story)
    return story


def shown(qtbot, window: MainWindow, mode: StoryMode, change) -> None:  # type: ignore[no-untyped-def]
    """Run `change` and wait for the story view's new page and count."""
    with qtbot.waitSignals([mode.model.page_shown, mode.model.counted], timeout=10000):
        change()
    settle(qtbot, window)


def test_one_row_per_story_expanded_to_its_reports_earliest_first(
    qtbot, wired: Wiring, mode: StoryMode, guard
) -> None:  # type: ignore[no-untyped-def]
    window, model = wired.window, mode.model
    assert mode.tree.isVisible() and not window.view.isVisible()
    assert window.story_mode.action.shortcut().toString() == "Ctrl+Shift+S"  # type: ignore[attr-defined]
    row = row_of(mode, r.ORIGINAL[3])
    cells = [model.index(row, column).data() for column in (COL_REPORTS, COL_OUTLETS, COL_LANGUAGES)]
    assert cells == ["4", "2", "en, fr"]
    assert model.index(row_of(mode, r.WEEK_LATER[3]), COL_REPORTS).data() == "1"
    assert window.filters.title.text().endswith(f"· {model.rowCount()} stories")
    story = expand(qtbot, mode, r.ORIGINAL[3])
    reports = [model.index(i, COL_TITLE, story).data() for i in range(model.rowCount(story))]
    assert reports == [r.ORIGINAL[3], r.REPRINT[3], r.TRANSLATION[3], r.UPDATE[3]]
    assert model.index(1, COL_OUTLETS, story).data() == "daily"
    settle(qtbot, window)
    assert guard.calls == []


def test_a_story_shows_its_timeline_and_a_report_opens_in_the_reader(
    qtbot, wired: Wiring, mode: StoryMode, guard
) -> None:  # type: ignore[no-untyped-def]
    window, model = wired.window, mode.model
    mode.select_story_row(row_of(mode, r.ORIGINAL[3]))
    qtbot.waitUntil(lambda: "First report" in window.reader.toPlainText(), timeout=10000)
    text = window.reader.toPlainText()
    assert "a reprint: nothing an earlier report did not say" in text
    assert "First in en" in text
    assert "Un passant de 52 ans a été blessé" in text.split("adds:")[1]  # what the update adds
    story = expand(qtbot, mode, r.ORIGINAL[3])
    window.resize(1500, 760)
    window.grab().save("/tmp/vigie-story-mode.png")  # the README's picture (docs/stories.png)
    update = model.report_at(model.index(3, 0, story))
    with qtbot.waitSignal(window.articles.article_shown, timeout=10000):
        mode.tree.setCurrentIndex(model.index(3, 0, story))
    assert window.reader.article is not None and window.reader.article.id == update.id
    assert model.index(3, 0, story).data(Qt.ItemDataRole.FontRole) is None  # read once opened
    settle(qtbot, window)
    assert guard.calls == []


def test_the_sidebar_and_the_filters_select_stories_by_any_report(
    qtbot, wired: Wiring, mode: StoryMode, guard
) -> None:  # type: ignore[no-untyped-def]
    window, model = wired.window, mode.model
    everything = titles(mode)
    guard.armed = False  # the test's own look-up
    daily = next(f for f in window.core.store.list_feeds() if f.title == "daily")
    guard.armed = True
    shown(qtbot, window, mode, lambda: window.sidebar.select(Target("feed", feed_id=daily.id)))
    assert titles(mode) == [r.ORIGINAL[3]]  # the daily feed has a reprint and the update of the event
    assert model.index(0, COL_REPORTS).data() == "4"  # the whole story, not only that feed's reports
    assert window.filters.title.text().endswith("· 1 story")
    shown(qtbot, window, mode, lambda: window.sidebar.select(Target("view", view="all")))
    assert sorted(titles(mode)) == sorted(everything)
    shown(qtbot, window, mode, lambda: (window.filters.search.setText("passant"), window.filters.flush()))
    assert titles(mode) == [r.ORIGINAL[3]]  # only its update names the passer-by
    shown(
        qtbot, window, mode, lambda: (window.filters.search.setText("zzzunknownword"), window.filters.flush())
    )
    assert titles(mode) == []
    settle(qtbot, window)
    assert guard.calls == []


@pytest.mark.parametrize("column", range(len(STORY_COLUMNS)))
def test_each_story_column_sorts_the_rows(qtbot, wired: Wiring, mode: StoryMode, column: int) -> None:  # type: ignore[no-untyped-def]
    model, window = mode.model, wired.window
    key = STORY_COLUMNS[column][0]

    def value(story):  # type: ignore[no-untyped-def]
        found = getattr(story, key)
        return (found.lower() if key == "title" else found), story.id

    for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
        if (model.query.sort, model.query.descending) == (
            STORY_COLUMNS[column][0],
            order == Qt.SortOrder.DescendingOrder,
        ):
            continue
        shown(qtbot, window, mode, lambda order=order: mode.tree.sortByColumn(column, order))
        rows = [model.story_at(row) for row in range(model.rowCount())]
        assert rows == sorted(rows, key=value, reverse=order == Qt.SortOrder.DescendingOrder)
        assert len(rows) > 2


def test_switching_back_shows_the_articles(qtbot, wired: Wiring, mode: StoryMode) -> None:  # type: ignore[no-untyped-def]
    window = wired.window
    mode.action.trigger()
    assert window.view.isVisible() and not mode.tree.isVisible()
    assert "article" in window.filters.title.text()
    assert window.ui_state.flag("list/group_by_story") is False


def test_the_rows_come_a_page_at_a_time_as_the_view_reaches_their_end(
    qtbot, wired: Wiring, mode: StoryMode
) -> None:  # type: ignore[no-untyped-def]
    window, model = wired.window, mode.model
    every = titles(mode)
    model.page_size = 3
    model.rows_wanted = lambda: False  # the first page alone
    shown(qtbot, window, mode, lambda: model.set_query(model.query))
    assert titles(mode) == every[:3] and model.count == len(every) > 3
    model.rows_wanted = lambda: True  # as when the analyst has scrolled to the end of the rows read
    assert window.filters.title.text().endswith(f"· {len(every)} stories")  # the count, not the rows read
    while model.rowCount() < len(every):
        before = model.rowCount()
        if model.canFetchMore(QModelIndex()):  # else the view, not filled yet, has asked for it already
            model.fetchMore(QModelIndex())
        qtbot.waitUntil(lambda before=before: model.rowCount() > before, timeout=10000)
    assert titles(mode) == every and not model.canFetchMore(QModelIndex())


def _current_story(mode: StoryMode) -> int | None:
    current = mode.tree.currentIndex()
    if current.parent().isValid():
        current = current.parent()
    story = mode.model.story_at(current.row()) if current.isValid() else None
    return story.id if story is not None else None


def test_j_and_k_move_between_stories(qtbot, wired: Wiring, mode: StoryMode, guard) -> None:  # type: ignore[no-untyped-def]
    window, model = wired.window, mode.model
    stories = [model.story_at(row).id for row in range(model.rowCount())]  # type: ignore[union-attr]
    assert len(stories) >= 3
    start = row_of(mode, r.ORIGINAL[3])  # a story of four reports
    story = expand(qtbot, mode, r.ORIGINAL[3])
    with qtbot.waitSignal(window.articles.article_shown, timeout=10000):
        mode.tree.setCurrentIndex(model.index(1, 0, story))  # one of its reports
    step = 1 if start < len(stories) - 1 else -1
    (window.act_next if step == 1 else window.act_previous).trigger()  # J (K): the next story, not report
    assert not mode.tree.currentIndex().parent().isValid()
    assert _current_story(mode) == stories[start + step]
    qtbot.waitUntil(lambda: "First report" in window.reader.toPlainText(), timeout=10000)  # its timeline
    mode.select_story_row(0)
    window.act_previous.trigger()  # K on the first story: it stays there
    assert _current_story(mode) == stories[0]
    window.act_next.trigger()
    window.act_next.trigger()
    assert _current_story(mode) == stories[2]
    window.act_previous.trigger()
    assert _current_story(mode) == stories[1]
    for _ in range(len(stories) + 1):
        window.act_next.trigger()
    assert _current_story(mode) == stories[-1]
    settle(qtbot, window)
    assert guard.calls == []


def test_the_selection_and_the_expanded_stories_are_kept_across_reloads(
    qtbot, wired: Wiring, mode: StoryMode, guard
) -> None:  # type: ignore[no-untyped-def]
    window, model = wired.window, mode.model
    story = expand(qtbot, mode, r.ORIGINAL[3])
    update = model.report_at(model.index(3, 0, story))
    with qtbot.waitSignal(window.articles.article_shown, timeout=10000):
        mode.tree.setCurrentIndex(model.index(3, 0, story))
    shown_before = window.reader.toPlainText()
    with qtbot.waitSignals([model.page_shown, model.reports_shown], timeout=10000):
        window.reload_list()  # what a poll or a re-score does
    current = mode.tree.currentIndex()
    assert model.report_at(current) is not None and model.report_at(current).id == update.id  # type: ignore[union-attr]
    assert mode.tree.isExpanded(current.parent())
    assert window.reader.toPlainText() == shown_before  # the reader was left as it was
    mode.select_story_row(row_of(mode, r.ORIGINAL[3]))  # the story itself: its timeline
    qtbot.waitUntil(lambda: "First report" in window.reader.toPlainText(), timeout=10000)
    with qtbot.waitSignal(model.page_shown, timeout=10000):
        window.reload_list()
    settle(qtbot, window)  # the sidebar's count lands too, which used to show the welcome page
    assert "First report" in window.reader.toPlainText()
    # A story selected on a later page, after the view has read every page: still selected after a reload.
    model.page_size = 2
    model.rows_wanted = lambda: False
    shown(qtbot, window, mode, lambda: model.set_query(model.query))
    model.rows_wanted = lambda: True
    while model.rowCount() < (model.count or 0):
        before = model.rowCount()
        if model.canFetchMore(QModelIndex()):
            model.fetchMore(QModelIndex())
        qtbot.waitUntil(lambda before=before: model.rowCount() > before, timeout=10000)
    last = model.rowCount() - 1
    assert last >= 2
    mode.select_story_row(last)
    wanted = _current_story(mode)
    with qtbot.waitSignal(model.page_shown, timeout=10000):
        window.reload_list()
    assert model.rowCount() == last + 1 and _current_story(mode) == wanted
    settle(qtbot, window)
    assert guard.calls == []
