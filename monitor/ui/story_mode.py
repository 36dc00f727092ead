"""The list's story mode (View ▸ Group by story, Ctrl+Shift+S): the article list shows one row per story instead of
one per article, under the same sidebar choice, search and filters (a story shows when any of its reports
matches them). A story expands to its reports, earliest first; selecting a story shows its timeline in the
reader (who reported first, what each later report adds), selecting a report opens it as the list would.

Every read goes through VigieCore on the task runner (story_rows, story_count, story_reports, story_timeline);
the GUI thread only fills the model and the reader from the answers.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QToolButton, QTreeView, QWidget

from monitor.core.errors import describe_error
from monitor.core.models import ArticleRow, StoryQuery, StoryRow
from monitor.ui.sidebar_counts import target_label
from monitor.ui.stories_view import timeline_html
from monitor.ui.story_model import COL_LAST, COL_TITLE, STORY_COLUMNS, StoryTreeModel

if TYPE_CHECKING:
    from monitor.ui.main_window import MainWindow

log = logging.getLogger(__name__)

SHORTCUT = "Ctrl+Shift+S"
STATE_KEY = "list/group_by_story"


@dataclasses.dataclass(frozen=True)
class _Kept:
    """What the story view showed before its model was reset (a reload): kept to be restored."""

    story: int | None
    report: int | None
    expanded: tuple[int, ...]
    scroll: int


class StoryTreeView(QTreeView):
    """The story rows and their reports, sorted by the model (in SQL), rows of one height (120,000 stories)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("storyList")
        self.setUniformRowHeights(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setAllColumnsShowFocus(True)

    def setup_columns(self) -> None:
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(COL_TITLE, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(STORY_COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, 80 if column == 3 else 66 if column < 5 else 104)
        header.setSortIndicator(COL_LAST, Qt.SortOrder.DescendingOrder)
        self.setSortingEnabled(True)


class StoryMode(QObject):
    """Switches the window's list between articles and stories, and keeps the story view in step with it."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.core, self.bridge = window.core, window.bridge
        self._wanted_story: int | None = None  # the timeline asked for last; older answers are dropped
        self.model = StoryTreeModel(self._read_page, self._read_count, self._read_reports, parent=self)
        self.tree = StoryTreeView(window)
        self.model.rows_wanted = self._scrolled_to_the_end
        self.tree.setModel(self.model)
        self.tree.setup_columns()
        self.tree.hide()
        window.view.parentWidget().layout().addWidget(self.tree, 1)
        self.action = QAction("Group by &story", window)
        self.action.setCheckable(True)
        self.action.setShortcut(QKeySequence(SHORTCUT))
        self.action.setStatusTip(
            "One row per story (reprints and rewrites together), expanded to its reports"
        )
        window.addAction(self.action)
        button = QToolButton(window.filters)
        button.setObjectName("groupByStory")
        button.setDefaultAction(self.action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        window.filters.layout().itemAt(0).layout().addWidget(button)
        self.action.toggled.connect(self.set_enabled)
        window.model.reloaded.connect(self._follow_list)
        window.counter.counted.connect(lambda _counts: self.retitle())
        self.model.page_shown.connect(self.retitle)
        self.model.counted.connect(lambda _count: self.retitle())
        self.tree.selectionModel().currentChanged.connect(self._current_changed)
        self._kept: _Kept | None = None  # what was selected and expanded before the model's reset
        self._restoring = False
        self._pending_report: int | None = None  # a report to select again once its story's reports land
        self.model.modelAboutToBeReset.connect(self._keep)
        self.model.modelReset.connect(self._restore)
        self.model.reports_shown.connect(self._report_shown)
        self.tree.activated.connect(self._activated)
        if window.ui_state.flag(
            STATE_KEY
        ):  # left in story mode: the window's first apply_query reads the stories
            self.action.blockSignals(True)
            self.action.setChecked(True)
            self.action.blockSignals(False)
            window.model.paused = True
            self.tree.show()
            window.view.hide()

    def _scrolled_to_the_end(self) -> bool:
        """The tree is shown, laid out and scrolled to within two screens of the rows read: the next page is
        wanted. (Qt asks whenever the last row looks visible, which a tree not laid out yet always says.)"""
        bar = self.tree.verticalScrollBar()
        return (
            self.tree.isVisible() and bar.maximum() > 0 and bar.value() >= bar.maximum() - 2 * bar.pageStep()
        )

    @property
    def enabled(self) -> bool:
        return self.action.isChecked()

    def shows_story(self) -> bool:
        """The reader shows (or is about to show) a story's timeline: a reload must not replace it."""
        return self.enabled and self._wanted_story is not None

    def set_enabled(self, on: bool) -> None:
        """Show stories (on) or articles in the list pane, under the same sidebar choice and filters."""
        self.window.ui_state.set_flag(STATE_KEY, on)
        self.window.model.paused = on  # hidden, the article list reads nothing
        self.tree.setVisible(on)
        self.window.view.setVisible(not on)
        if on:
            self._follow_list()
            self.tree.setFocus()
        else:
            self.window.apply_query()
            self.window.view.setFocus()

    def _follow_list(self) -> None:
        """The list's query changed (sidebar, search, filters) or was read again (a poll, a re-score): the
        stories follow it; read again, they keep the rows read so far (and so the selection)."""
        if self.enabled:
            query = dataclasses.replace(self.model.query, articles=self.window.model.query)
            self.model.set_query(query, keep_rows=query == self.model.query)

    def retitle(self) -> None:
        if not self.enabled:
            return
        window = self.window
        count = self.model.count
        shown = f"{count:,}" if count is not None else f"{self.model.rowCount():,}+"
        plural = "y" if count == 1 else "ies"
        window.filters.title.setText(
            f"{target_label(window._target, window.counter.counts)} · {shown} stor{plural}"
        )

    # -- reads on the runner --------------------------------------------------------------------------------

    def _submit(
        self, name: str, task: Callable[[], Any], done: Callable[[Any], None], *, urgent: bool = False
    ) -> None:
        """`urgent`: a page or a story's reports, which the analyst waits for (the runner's own thread at the
        window's priority); counts and timelines go to its pool."""
        self.bridge.runner.submit(
            lambda _progress: task(), on_result=done, on_error=self._failed, urgent=urgent, name=name
        )

    def _failed(self, exc: BaseException) -> None:
        self.window.status.show_error(f"Stories: {describe_error(exc)}")

    def _read_page(
        self, query: StoryQuery, offset: int, limit: int, done: Callable[[list[StoryRow]], None]
    ) -> None:
        self._submit("story page", lambda: self.core.story_rows(query, offset, limit), done, urgent=True)

    def _read_count(self, query: StoryQuery, done: Callable[[int], None]) -> None:
        self._submit("story count", lambda: self.core.story_count(query), done)

    def _read_reports(self, story: int, done: Callable[[list[ArticleRow]], None]) -> None:
        self._submit("story reports", lambda: self.core.story_reports(story), done, urgent=True)

    # -- the selection --------------------------------------------------------------------------------------

    def select_story_row(self, row: int) -> None:
        """Select (and so show the timeline of) the story at `row`."""
        self.tree.setCurrentIndex(self.model.index(row, 0))

    def move(self, step: int) -> None:
        """J / K: the next (+1) or previous (-1) story, from the current story or report."""
        rows = self.model.rowCount()
        if not rows:
            return
        current = self.tree.currentIndex()
        if current.isValid() and current.parent().isValid():
            current = current.parent()  # on a report: move from its story
        row = current.row() + step if current.isValid() else (0 if step > 0 else rows - 1)
        row = max(0, min(rows - 1, row))
        self.select_story_row(row)
        self.tree.scrollTo(self.model.index(row, 0))

    def _keep(self) -> None:
        """Before the model's reset: the selected story or report and the expanded stories."""
        model, current = self.model, self.tree.currentIndex()
        report = model.report_at(current)
        story = model.story_at(current.parent().row() if report is not None else current.row())
        expanded = []
        for row in range(model.rowCount()):
            if self.tree.isExpanded(model.index(row, 0)):
                found = model.story_at(row)
                if found is not None:
                    expanded.append(found.id)
        self._kept = _Kept(
            story.id if story is not None and current.isValid() else None,
            report.id if report is not None else None,
            tuple(expanded),
            self.tree.verticalScrollBar().value(),
        )

    def _restore(self) -> None:
        """After the reset: the same story selected (its reader left as it is), its stories expanded again
        (their reports are read again, and a selected report is selected once they land), the scroll kept."""
        kept, self._kept = self._kept, None
        if kept is None:
            return
        self._restoring = True
        try:
            for story in kept.expanded:
                row = self.model.row_of_story(story)
                if row is not None:
                    self.tree.expand(self.model.index(row, 0))
            row = self.model.row_of_story(kept.story) if kept.story is not None else None
            if row is not None:
                self.tree.setCurrentIndex(self.model.index(row, 0))
            self.tree.verticalScrollBar().setValue(kept.scroll)
        finally:
            self._restoring = False
        self._pending_report = kept.report if row is not None else None

    def _report_shown(self, story: int) -> None:
        """A story's reports landed: the report selected before a reload is selected again."""
        wanted = self._pending_report
        row = self.model.row_of_story(story)
        if wanted is None or row is None:
            return
        parent = self.model.index(row, 0)
        for position in range(self.model.rowCount(parent)):
            index = self.model.index(position, 0, parent)
            report = self.model.report_at(index)
            if report is not None and report.id == wanted:
                self._pending_report = None
                self._restoring = True
                try:
                    self.tree.setCurrentIndex(index)
                finally:
                    self._restoring = False
                return

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._restoring:
            return  # the same story or report selected again after a reload: the reader shows it already
        report = self.model.report_at(current)
        if report is not None:
            self._wanted_story = None
            self.window.articles.open_article(report.id, report.source_label, report)
            self.model.mark_read(report.id)
            return
        story = self.model.story_at(current.row()) if current.isValid() else None
        if story is not None:
            self.show_timeline(story.id)

    def show_timeline(self, story: int) -> None:
        """The story's timeline in the reader, made on a worker (the timeline compares the reports' sentences)."""
        self._wanted_story = story
        self.window.articles.forget()  # an article on its way must not replace the timeline

        def make() -> str | None:
            timeline = self.core.story_timeline(story)
            return timeline_html(timeline) if timeline is not None else None

        self._submit("story timeline", make, lambda page: self._show_timeline(story, page))

    def _show_timeline(self, story: int, page: str | None) -> None:
        if story != self._wanted_story:
            return
        reader = self.window.reader
        reader.clear_article()
        reader.setHtml(page or "<p>This story has no stored report any more.</p>")
        reader.verticalScrollBar().setValue(0)

    def _activated(self, index: QModelIndex) -> None:
        """Enter or a double click: a report's link opens in the browser; a story expands or folds."""
        if self.model.report_at(index) is not None:
            self.window.open_current_link()
        elif index.isValid():
            top = self.model.index(index.row(), 0)
            self.tree.setExpanded(top, not self.tree.isExpanded(top))
