"""The story view's model: one row per story, expanded to its reports earliest first, read by the page on the
task runner.

Nothing here reads the store on the GUI thread. A new query asks the runner for its first page, then, once it is
shown, for its count: the page is shown as soon as it lands (a few ms: an indexed walk, storage/story_pages.py);
the count, which for a broad filter reads every selected article's story, only sets the list's title when it
comes. The
model holds the pages read so far and asks for the next when the view scrolls to their end (Qt's
canFetchMore/fetchMore): a QTreeView lays out every row its model has, calling the model a few times per row,
so 120,000 rows at once held the GUI thread for seconds. A story's reports are read when it is expanded.
Answers for an older query are dropped (each query has a number).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont

from monitor.core.models import ArticleRow, StoryQuery, StoryRow
from monitor.ui.style import HIGHLIGHT_ROW, format_score, short_date

log = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex
# (story sort key, header)
STORY_COLUMNS: list[tuple[str, str]] = [
    ("title", "Story"),
    ("reports", "Reports"),
    ("outlets", "Outlets"),
    ("languages", "Languages"),
    ("score", "Score"),
    ("first_seen", "First seen"),
    ("last_updated", "Last updated"),
]
COL_TITLE, COL_REPORTS, COL_OUTLETS, COL_LANGUAGES, COL_SCORE, COL_FIRST, COL_LAST = range(len(STORY_COLUMNS))
TOP = 0  # the internal id of a story row; a report's is its story's row + 1
KEPT_ROWS = 2_000  # at most this many rows read again at once when the same selection is reloaded

# Reads the model asks for: (query, offset, limit, on_page), (query, on_count), (story id, on_reports).
PageRead = Callable[[StoryQuery, int, int, Callable[[list[StoryRow]], None]], None]
CountRead = Callable[[StoryQuery, Callable[[int], None]], None]
ReportsRead = Callable[[int, Callable[[list[ArticleRow]], None]], None]


class StoryTreeModel(QAbstractItemModel):
    """Stories (top level) and their reports (children), paged from the store through the given reads.

    Signals:
        page_shown: the first page of the current query is in the model (the bench and tests wait on it).
        counted(int): the current query's count landed.
        reports_shown(int): the reports of this story are in the model.
    """

    page_shown = Signal()
    counted = Signal(int)
    reports_shown = Signal(int)

    def __init__(
        self,
        read_page: PageRead,
        read_count: CountRead,
        read_reports: ReportsRead,
        page_size: int = 200,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self._read_page, self._read_count, self._read_reports = read_page, read_count, read_reports
        self.page_size = page_size
        # Whether the view may ask for more rows: a QTreeView not laid out (hidden, or before its first layout)
        # has no scroll range and asks for page after page; the story mode says when its tree really is at the end.
        self.rows_wanted: Callable[[], bool] = lambda: True
        self.query = StoryQuery()
        self._number = 0  # of the current query: older answers are dropped
        self._rows = 0
        self.count: int | None = None  # None until the count lands
        self._pages: dict[int, list[StoryRow]] = {}
        self._asked: set[int] = set()
        self._reports: dict[int, list[ArticleRow]] = {}  # by story id
        self._asked_reports: set[int] = set()
        self._texts: dict[
            int, tuple[str, ...]
        ] = {}  # a story's display texts, by story id, made once a reset
        self._bold = QFont()
        self._bold.setBold(True)
        self._tint = QBrush(QColor(HIGHLIGHT_ROW))

    # -- the query ------------------------------------------------------------------------------------------

    def set_query(self, query: StoryQuery, *, keep_rows: bool = False) -> None:
        """Show another selection of stories: its first page and its count are asked for at once.

        `keep_rows` (the same selection read again after a poll or a re-score): as many rows as are read now
        come back in the first read (up to KEPT_ROWS), so that the rows the analyst scrolled to, and the
        selection among them, are still there."""
        self._number += 1
        number = self._number
        wanted = self.page_size
        if keep_rows and self._rows > wanted:
            wanted = min(KEPT_ROWS, -(-self._rows // self.page_size) * self.page_size)
        self.query = query
        self.count = None
        self._asked = set(range(wanted // self.page_size))
        self._read_page(query, 0, wanted, lambda rows: self._first_page(number, rows))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if 0 <= column < len(STORY_COLUMNS):
            descending = order == Qt.SortOrder.DescendingOrder
            key = STORY_COLUMNS[column][0]
            if (key, descending) != (self.query.sort, self.query.descending):
                self.set_query(dataclasses.replace(self.query, sort=key, descending=descending))

    def _first_page(self, number: int, rows: list[StoryRow]) -> None:
        if number != self._number:
            return
        self.beginResetModel()
        size = self.page_size
        self._pages = {start // size: rows[start : start + size] for start in range(0, len(rows), size)}
        self._reports.clear()
        self._asked_reports.clear()
        self._texts.clear()
        self._rows = len(rows)
        self.endResetModel()
        self.page_shown.emit()
        # The count only now: asked with the page, it took the cores the page's read needed (a broad filter's
        # count reads every selected article's story).
        self._read_count(self.query, lambda count: self._counted(number, count))

    def _counted(self, number: int, count: int) -> None:
        """The count sets the list's title; the rows themselves come a page at a time (fetchMore)."""
        if number != self._number:
            return
        self.count = count
        self.counted.emit(count)

    def _more_rows(self) -> bool:
        """More stories than the pages read so far: the count says so, or (before it lands) a full last page."""
        if self.count is not None:
            return self._rows < self.count
        return self._rows > 0 and self._rows % self.page_size == 0

    def _page_read(self, number: int, page: int, rows: list[StoryRow]) -> None:
        if number != self._number or not rows or page * self.page_size != self._rows:
            return
        self.beginInsertRows(QModelIndex(), self._rows, self._rows + len(rows) - 1)
        self._pages[page] = rows
        self._rows += len(rows)
        self.endInsertRows()

    # -- rows -----------------------------------------------------------------------------------------------

    def story_at(self, row: int) -> StoryRow | None:
        """The story at `row` of the pages read (None outside them)."""
        if not 0 <= row < self._rows:
            return None
        page, offset = divmod(row, self.page_size)
        rows = self._pages.get(page, [])
        return rows[offset] if offset < len(rows) else None

    def report_at(self, index: Index) -> ArticleRow | None:
        """The report a child index stands for (None for a story row)."""
        if not index.isValid() or index.internalId() == TOP:
            return None
        story = self.story_at(index.internalId() - 1)
        reports = self._reports.get(story.id, []) if story is not None else []
        return reports[index.row()] if index.row() < len(reports) else None

    def row_of_story(self, story_id: int) -> int | None:
        for page, rows in self._pages.items():
            for offset, row in enumerate(rows):
                if row.id == story_id:
                    return page * self.page_size + offset
        return None

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        # Bounds checked here rather than by hasIndex, which calls rowCount and columnCount back in Python: the
        # view asks for an index per visible cell at each repaint.
        if row < 0 or not 0 <= column < len(STORY_COLUMNS):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, TOP) if row < self._rows else QModelIndex()
        if row >= self.rowCount(parent):
            return QModelIndex()
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid() or index.internalId() == TOP:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, TOP)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return self._rows
        if parent.internalId() != TOP or parent.column() != 0:
            return 0
        story = self.story_at(parent.row())
        return len(self._reports.get(story.id, [])) if story is not None else 0

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(STORY_COLUMNS)

    def hasChildren(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        if not parent.isValid():
            return self._rows > 0
        return parent.internalId() == TOP and parent.column() == 0

    def canFetchMore(self, parent: Index) -> bool:
        if not parent.isValid():
            return (
                self._more_rows() and (self._rows // self.page_size) not in self._asked and self.rows_wanted()
            )
        if parent.internalId() != TOP:
            return False
        story = self.story_at(parent.row())
        return story is not None and story.id not in self._asked_reports

    def fetchMore(self, parent: Index) -> None:
        """Scrolling to the end of the rows read asks for the next page; expanding a story reads its reports (both
        on the runner)."""
        if not parent.isValid():
            page, number = self._rows // self.page_size, self._number
            if self.canFetchMore(parent):
                self._asked.add(page)
                self._read_page(
                    self.query, self._rows, self.page_size, lambda got: self._page_read(number, page, got)
                )
            return
        story = self.story_at(parent.row())
        if story is None or story.id in self._asked_reports:
            return
        self._asked_reports.add(story.id)
        number = self._number
        self._read_reports(story.id, lambda reports: self._reports_read(number, story.id, reports))

    def _reports_read(self, number: int, story_id: int, reports: list[ArticleRow]) -> None:
        row = self.row_of_story(story_id)
        if number != self._number or row is None or not reports:
            return
        parent = self.index(row, 0)
        self.beginInsertRows(parent, 0, len(reports) - 1)
        self._reports[story_id] = reports
        self.endInsertRows()
        self.reports_shown.emit(story_id)

    def mark_read(self, article_id: int) -> None:
        """An opened report shows read (not bold) without reading its story again."""
        for story_id, reports in self._reports.items():
            for position, report in enumerate(reports):
                if report.id == article_id and not report.read:
                    reports[position] = dataclasses.replace(report, read=True)
                    row = self.row_of_story(story_id)
                    if row is not None:
                        parent = self.index(row, 0)
                        self.dataChanged.emit(
                            self.index(position, 0, parent), self.index(position, 6, parent)
                        )

    # -- display --------------------------------------------------------------------------------------------

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(STORY_COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return STORY_COLUMNS[section][1]
            if role == Qt.ItemDataRole.ToolTipRole and section == COL_SCORE:
                return "The story's highest report's score; tinted when a report is highlighted"
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """A cell. A repaint asks for every visible cell in a dozen roles: the roles no cell uses are answered
        first, and a row's texts are made once (its dates formatting was most of a page's time on the GUI
        thread: 2,400 calls a page, about 90 ms under load)."""
        if role not in _ROLES or not index.isValid():
            return None
        if index.internalId() != TOP:
            report = self.report_at(index)
            return _report_data(report, index.column(), role, self._bold) if report is not None else None
        story = self.story_at(index.row())
        if story is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            texts = self._texts.get(story.id)
            if texts is None:
                texts = self._texts[story.id] = _story_texts(story)
            return texts[column]
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._tint if story.highlighted else None
        if role == Qt.ItemDataRole.ToolTipRole and column == COL_TITLE:
            return story.title
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (COL_REPORTS, COL_OUTLETS, COL_SCORE):
            return int(Qt.AlignmentFlag.AlignCenter)
        return None


_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.BackgroundRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.TextAlignmentRole,
        Qt.ItemDataRole.FontRole,
    }
)


def _story_texts(story: StoryRow) -> tuple[str, ...]:
    return (
        story.title or "(untitled)",
        str(story.reports),
        str(story.outlets),
        story.languages,
        format_score(story.score) if story.score else "",
        short_date(story.first_seen),
        short_date(story.last_updated),
    )


def _report_data(report: ArticleRow, column: int, role: int, bold: QFont) -> Any:
    """A report's cells: its title, its outlet (under Outlets), language, score and date (under First seen)."""
    if role == Qt.ItemDataRole.DisplayRole:
        if column == COL_TITLE:
            return report.title or "(untitled)"
        if column == COL_OUTLETS:
            return report.source_label
        if column == COL_LANGUAGES:
            return report.lang.upper() if report.lang in ("fr", "en") else (report.lang or "")
        if column == COL_SCORE:
            return format_score(report.score) if report.score else ""
        return short_date(report.published) if column == COL_FIRST else ""
    if role == Qt.ItemDataRole.FontRole:
        return bold if not report.read else None
    if role == Qt.ItemDataRole.ToolTipRole and column == COL_TITLE:
        return f"{report.source_label}: {report.title}"
    return None
