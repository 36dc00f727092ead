"""The current article: choosing it in the list, opening it (read on a worker), showing it, read and star."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QObject, QUrl, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractItemView

from monitor.core.models import Article, ArticleRow
from monitor.core.service import ReaderArticle
from monitor.ui.article_model import ArticleTableModel
from monitor.ui.article_view import ArticleView
from monitor.ui.bridge import Bridge, ReaderPage
from monitor.ui.reader import ReaderView
from monitor.ui.reader_html import WHOLE_SCHEME, article_html
from monitor.ui.status import StatusPanel

log = logging.getLogger(__name__)


class ArticleController(QObject):
    """Opens what the analyst selects and keeps the list, the reader and the store in step.

    The GUI thread reads only the list's visible page: the article itself, the explanation of its score (the
    matcher) and its page (HTML, sanitised again in the original layout) are made on a worker, and the answer
    for an article the analyst has already left is dropped; the GUI thread only lays the page out.
    Read and star changes show at once and are written on the runner's serial thread.

    Signals:
        article_shown(int): the article with this id is in the reader (tests and the bench wait on it).
    """

    article_shown = Signal(int)

    def __init__(
        self,
        bridge: Bridge,
        model: ArticleTableModel,
        view: ArticleView,
        reader: ReaderView,
        status: StatusPanel,
        original_layout: QAction,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.model = model
        self.view = view
        self.reader = reader
        self.status = status
        self.original_layout = original_layout
        self.restoring = False  # the list is being re-read: selection changes open nothing
        self._wanted: int | None = None  # the article asked for last; older answers are dropped
        self._pending: int | None = None  # asked for, not shown yet
        self._source_label = ""
        self._marked_read: int | None = None  # marked read on opening, before its answer came
        self._whole: int | None = None  # the article whose whole text the analyst asked for
        reader.anchorClicked.connect(self._anchor)

    # -- the selection --------------------------------------------------------------------------------------

    def current_article_id(self) -> int | None:
        """The article on its way to the reader, else the one in it."""
        if self._pending is not None:
            return self._pending
        article = self.reader.article
        return article.id if article is not None else None

    def select_row(self, row: int) -> None:
        """Select (and so open) the article at `row` of the list."""
        if 0 <= row < self.model.rowCount():
            index = self.model.index(row, 0)
            flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
            self._bring_into_view(index)  # before the view's own auto-scroll, which scrolls one row at a time
            self.view.selectionModel().setCurrentIndex(index, flags)

    def _bring_into_view(self, index: QModelIndex) -> None:
        """Scroll only when the row is out of sight, and then put it in the middle.

        Scrolling repaints the whole list (every visible row asks the model for its cells): scrolling by one
        row at each step, as `EnsureVisible` does when the analyst walks down the list, made that repaint part
        of every article opened. Centring leaves half a page of rows to walk before the list scrolls again."""
        viewport = self.view.viewport().rect()
        shown = self.view.visualRect(index)
        if shown.isValid() and viewport.contains(shown):
            return
        self.view.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)

    def selected_row(self) -> int | None:
        """The row the analyst chose; None when none is (the view's focus alone makes a row current)."""
        current = self.view.currentIndex()
        if current.isValid() and self.view.selectionModel().isRowSelected(current.row()):
            return current.row()
        return None

    def move(self, step: int) -> None:
        """Next (+1) or previous (-1) article."""
        count = self.model.rowCount()
        if not count:
            return
        selected = self.selected_row()
        row = selected + step if selected is not None else (0 if step > 0 else count - 1)
        self.select_row(max(0, min(count - 1, row)))

    def selection_changed(self) -> None:
        # Focus alone makes row 0 current without selecting it: that must not open (and mark read) anything.
        if self.restoring:
            return
        selected = self.selected_row()
        row = self.model.row_at(selected) if selected is not None else None
        if row is None or row.id == self.current_article_id():
            return
        self.open_article(row.id, row.source_label, row)

    # -- opening and showing --------------------------------------------------------------------------------

    def open_article(self, article_id: int, source_label: str, row: ArticleRow | None = None) -> None:
        """Open an article: marked read at once, shown when the worker has read it."""
        self._wanted = self._pending = article_id
        self._source_label = source_label
        self._marked_read = None
        if row is None or not row.read:
            self._marked_read = article_id
            self.model.update_article(article_id, read=True)
            self.bridge.set_read([article_id], True)
        self.bridge.load_article(
            article_id, lambda page: self._loaded(article_id, page, keep_scroll=False), self._renderer()
        )

    def _anchor(self, url: QUrl) -> None:
        """ "Show the whole article" under a long article's first part."""
        article = self.reader.article
        if url.scheme() == WHOLE_SCHEME and article is not None:
            self._whole = article.id
            self.rerender()

    def rerender(self) -> None:
        """Show the current article again (the layout switched, or its matches changed), read afresh."""
        article = self.reader.article
        if article is not None and self._pending is None:  # one on its way is read afresh anyway
            self._wanted = article.id
            self.bridge.load_article(
                article.id, lambda page: self._loaded(article.id, page, keep_scroll=True), self._renderer()
            )

    def _renderer(self) -> Callable[[ReaderArticle], str]:
        """The page builder for a worker: it captures the label and layout chosen now, not widgets."""
        source_label = self._source_label
        original_layout = self.original_layout.isChecked()
        whole = self._whole

        def render(loaded: ReaderArticle) -> str:
            return article_html(
                loaded.article,
                source_label=source_label,
                explanation=loaded.explanation,
                original_layout=original_layout,
                whole=loaded.article.id == whole,
            )

        return render

    def _loaded(self, article_id: int, page: ReaderPage | None, *, keep_scroll: bool) -> None:
        if article_id != self._wanted:
            return  # the analyst has moved on
        self._pending = None
        if page is None:
            self.reader.clear_article("This article is no longer stored.")
            return
        article = page.loaded.article
        # The list holds the latest read and star states: a write may not have landed when this was read.
        if self._marked_read == article.id:
            article.read = True
        row_index = self.model.row_of(article.id)
        row = self.model.row_at(row_index) if row_index is not None else None
        if row is not None:
            article.read, article.starred = row.read, row.starred
        bar = self.reader.verticalScrollBar()
        position = bar.value()
        self.reader.show_page(article, page.html)
        if keep_scroll:
            bar.setValue(position)
        self.article_shown.emit(article.id)

    def forget(self) -> None:
        """Nothing is open any more (the reader shows its welcome page): answers on their way are dropped."""
        self._wanted = self._pending = None

    # -- read and star --------------------------------------------------------------------------------------

    def _target(self) -> tuple[int, bool, bool] | None:
        """(id, read, starred) of the article the analyst is on: the list's row, else the reader's."""
        selected = self.selected_row()
        row = self.model.row_at(selected) if selected is not None else None
        if row is not None:
            return row.id, row.read, row.starred
        article: Article | None = self.reader.article
        if article is not None:
            return article.id, article.read, article.starred
        return None

    def toggle_read(self) -> None:
        target = self._target()
        if target is None:
            return
        article_id, read, _ = target
        self._set_state(article_id, read=not read)
        self.bridge.set_read([article_id], not read)
        self.status.show_message("Marked unread." if read else "Marked read.")

    def toggle_star(self) -> None:
        target = self._target()
        if target is not None:
            article_id, _, starred = target
            self._set_state(article_id, starred=not starred)
            self.bridge.set_starred(article_id, not starred)

    def judge(self, judgement: str | None) -> None:
        """Judge the current article relevant or not (None withdraws); the reader shows it once it is stored."""
        target = self._target()
        if target is None:
            return
        learn = " Watchlist ▸ Propose a watchlist change… (Ctrl+Shift+P) learns from your judgements."
        words = {
            "relevant": "Judged relevant." + learn,
            "not-relevant": "Judged not relevant." + learn,
            None: "Judgement withdrawn.",
        }

        def stored(_article: Article) -> None:
            self.status.show_message(words[judgement])
            self.rerender()

        self.bridge.judge(target[0], judgement, stored)

    def star_clicked(self, row_number: int) -> None:
        row = self.model.row_at(row_number)
        if row is not None:
            self._set_state(row.id, starred=not row.starred)
            self.bridge.set_starred(row.id, not row.starred)

    def _set_state(self, article_id: int, **changes: bool) -> None:
        self.model.update_article(article_id, **changes)
        article = self.reader.article
        if article is not None and article.id == article_id:
            for name, value in changes.items():
                setattr(article, name, value)
