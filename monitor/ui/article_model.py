"""The article list's model: rows read from the store by the page, sorted and filtered in SQL.

No QSortFilterProxyModel: at 100,000 rows it sorts for seconds on the GUI thread. Here the store counts the
rows of the current query once, and `data()` reads the page a row falls in (indexed LIMIT/OFFSET, a few ms)
into a small page cache. Sorting replaces the query's order and drops the cache.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import OrderedDict
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont

from monitor.core.errors import StoreError
from monitor.core.models import ArticlePages, ArticleQuery, ArticleRow
from monitor.ui.style import HIGHLIGHT_ROW, STAR_OFF, STAR_ON, format_date, format_score, short_date

log = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex

# (sort key in the store, header)
COLUMNS: list[tuple[str, str]] = [
    ("starred", "★"),
    ("score", "Score"),
    ("title", "Title"),
    ("source", "Source"),
    ("published", "Published"),
    ("lang", "Lang"),
    ("revisions", "Rev."),  # last: a saved column layout keeps the other columns where they were
]
COL_STAR, COL_SCORE, COL_TITLE, COL_SOURCE, COL_PUBLISHED, COL_LANG, COL_REVISIONS = range(len(COLUMNS))
LANG_NAMES = {"fr": "French", "en": "English", "other": "another language (not stemmed as French or English)"}

ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the ArticleRow
ID_ROLE = Qt.ItemDataRole.UserRole + 2  # the article id


class ArticleTableModel(QAbstractTableModel):
    """A lazy table over `Store.count` / `Store.rows` for one ArticleQuery.

    Args:
        store: where rows come from (reads on the GUI thread: small indexed pages).
        page_size: rows read at once.
        max_pages: pages kept in memory; the least recently used is dropped first.
    """

    query_failed = Signal(str)  # a search the store could not run, in words
    reloaded = Signal()

    def __init__(
        self, store: ArticlePages, page_size: int = 200, max_pages: int = 30, parent: Any = None
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._query = ArticleQuery()
        self.page_size = page_size
        self.max_pages = max_pages
        self._count = 0
        # A search's count stops at the store's cap (SEARCH_COUNT_CAP): the list then holds that many rows, says
        # "1,000+", and grows by another cap's worth each time the view scrolls to its end (fetchMore).
        self.capped = False
        self._cap: int | None = None
        self._pages: OrderedDict[int, list[ArticleRow]] = OrderedDict()
        self.page_reads = 0  # pages read from the store since the last reset (tests look)
        self._bold = QFont()
        self._bold.setBold(True)
        self._tint = QBrush(QColor(HIGHLIGHT_ROW))
        self._star_on = QBrush(QColor(STAR_ON))
        self._star_off = QBrush(QColor(STAR_OFF))
        # While another view stands for the list (its story mode), the model keeps its query and reads nothing:
        # no count of a broad search on the GUI thread for a list no one sees. Resumed, set_query reads again.
        self.paused = False
        self._recount()

    # -- query ----------------------------------------------------------------------------------------------

    @property
    def query(self) -> ArticleQuery:
        return self._query

    def set_query(self, query: ArticleQuery) -> None:
        """Show another selection of articles (keeps nothing from the previous one)."""
        self.beginResetModel()
        self._query = query
        self._pages.clear()
        self._recount()
        self.endResetModel()
        self.reloaded.emit()

    def refresh(self) -> None:
        """Read the current query again (after a poll, a re-score, mark all read)."""
        self.set_query(self._query)

    def _recount(self) -> None:
        self.page_reads = 0
        self.capped = False
        self._cap = None
        if self.paused:
            self._count = 0
            return
        try:
            self._count, self.capped = self._store.count_capped(self._query)
        except StoreError as exc:
            self._count = 0
            self.query_failed.emit(str(exc))
        if self.capped:
            self._cap = self._count

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008 - Qt's signature
        return not parent.isValid() and self.capped

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        """Count a capped search further, another cap's worth of rows (the view asks at the list's end)."""
        if not self.canFetchMore(parent):
            return
        try:
            count, capped = self._store.count_capped(self._query, self._count + (self._cap or self.page_size))
        except StoreError as exc:
            self.capped = False
            self.query_failed.emit(str(exc))
            return
        self.capped = capped
        if count > self._count:
            self.beginInsertRows(QModelIndex(), self._count, count - 1)
            self._count = count
            self.endInsertRows()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        key = COLUMNS[column][0]
        descending = order == Qt.SortOrder.DescendingOrder
        if key == self._query.sort and descending == self._query.descending:
            return
        self.set_query(dataclasses.replace(self._query, sort=key, descending=descending))

    # -- rows -----------------------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def row_at(self, row: int) -> ArticleRow | None:
        """The row at `row`, read with its page if needed; None outside the list or when the store fails."""
        if not 0 <= row < self._count:
            return None
        number, offset = divmod(row, self.page_size)
        page = self._pages.get(number)
        if page is None:
            page = self._read_page(number)
        else:
            self._pages.move_to_end(number)
        return page[offset] if offset < len(page) else None

    def _read_page(self, number: int) -> list[ArticleRow]:
        try:
            page = self._store.rows(self._query, number * self.page_size, self.page_size)
        except StoreError as exc:
            self.query_failed.emit(str(exc))
            page = []
        self.page_reads += 1
        self._pages[number] = page
        while len(self._pages) > self.max_pages:
            self._pages.popitem(last=False)
        return page

    def row_of(self, article_id: int) -> int | None:
        """Where an article is among the pages in memory (None when not loaded or not in the list)."""
        for number, page in self._pages.items():
            for offset, row in enumerate(page):
                if row.id == article_id:
                    return number * self.page_size + offset
        return None

    def find_row(self, article_id: int, near: int) -> int | None:
        """Find an article around row `near` (after a reload the list may have shifted a little)."""
        found = self.row_of(article_id)
        if found is not None:
            return found
        for row in (near - self.page_size, near, near + self.page_size):
            if self.row_at(max(0, min(row, self._count - 1))) is None:
                continue
            found = self.row_of(article_id)
            if found is not None:
                return found
        return None

    def update_article(self, article_id: int, **changes: Any) -> None:
        """Change a loaded row in place (read, starred) without reloading the list."""
        for number, page in self._pages.items():
            for offset, row in enumerate(page):
                if row.id == article_id:
                    page[offset] = dataclasses.replace(row, **changes)
                    r = number * self.page_size + offset
                    self.dataChanged.emit(self.index(r, 0), self.index(r, len(COLUMNS) - 1))

    # -- display --------------------------------------------------------------------------------------------

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][1]
        if role == Qt.ItemDataRole.ToolTipRole:
            return {
                COL_STAR: "Starred (S toggles)",
                COL_SCORE: "Watchlist score; orange when the article is highlighted",
                COL_REVISIONS: "Stored versions of a revised article (blank when its outlet never changed it)",
            }.get(section)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.row_at(index.row())
        if row is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Qt.ItemDataRole.FontRole:
            return self._bold if not row.read else None
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._tint if row.highlighted else None
        if role == Qt.ItemDataRole.ForegroundRole and column == COL_STAR:
            return self._star_on if row.starred else self._star_off
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (
            COL_STAR,
            COL_SCORE,
            COL_LANG,
            COL_REVISIONS,
        ):
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        if role == ROW_ROLE:
            return row
        if role == ID_ROLE:
            return row.id
        return None

    @staticmethod
    def _display(row: ArticleRow, column: int) -> str:
        if column == COL_STAR:
            return "★" if row.starred else "☆"
        if column == COL_SCORE:
            return format_score(row.score) if row.score else ""
        if column == COL_TITLE:
            return row.title or "(untitled)"
        if column == COL_SOURCE:
            return row.source_label
        if column == COL_LANG:
            return row.lang.upper() if row.lang in ("fr", "en") else (row.lang or "")
        if column == COL_REVISIONS:
            return str(row.revisions + 1) if row.revisions else ""
        return short_date(row.published)

    @staticmethod
    def _tooltip(row: ArticleRow, column: int) -> str | None:
        if column == COL_TITLE:
            return row.title
        if column == COL_SCORE:
            state = "highlighted" if row.highlighted else "below the highlight threshold"
            return f"Score {row.score:.2f}: {state}" if row.score else "No watchlist match"
        if column == COL_PUBLISHED:
            return format_date(row.published, long=True) or "no date"
        if column == COL_SOURCE:
            return row.source
        if column == COL_LANG:
            return f"Language: {LANG_NAMES.get(row.lang or '', 'not known')}"
        if column == COL_REVISIONS and row.revisions:
            times = "once" if row.revisions == 1 else f"{row.revisions} times"
            return f"{row.revisions + 1} stored versions: revised {times} (Ctrl+Shift+D compares them)"
        return None
