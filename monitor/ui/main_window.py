"""The main window: sidebar | filter bar over the article list | reader; menus, shortcuts, status bar."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, QUrl
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from monitor import __version__
from monitor.core.models import Article, ArticleQuery, Feed
from monitor.core.polling.health import failing_count
from monitor.core.polling.poller import PollResult
from monitor.core.service import VigieCore
from monitor.ui import opml_files
from monitor.ui.article_model import COL_PUBLISHED, ArticleTableModel
from monitor.ui.article_view import ArticleView
from monitor.ui.bridge import Bridge
from monitor.ui.filter_bar import FilterBar
from monitor.ui.icons import app_icon
from monitor.ui.notifier import Notifier
from monitor.ui.reader import ReaderView
from monitor.ui.sidebar import FIXED_VIEWS, Sidebar, SidebarRows, Target, sidebar_rows
from monitor.ui.status import StatusPanel
from monitor.ui.uistate import UiState

log = logging.getLogger(__name__)

COUNTS_DELAY_MS = 150

EMPTY_MESSAGES = {
    "all": "No articles yet. Press F5 to poll the feeds.",
    "new": "Nothing new: every article here has been read.",
    "highlighted": "No highlighted articles. Poll the feeds (F5), or widen the watchlist (Watchlist ▸ Edit).",
    "starred": "No starred articles. Press S to star the selected article.",
    "seeds": "The seed corpus is empty.",
    "feed": "Nothing from this feed yet. Press F5 to poll it, or see its health in Feeds ▸ Manage feeds.",
    "entry": "No article mentions this watchlist entry yet.",
}


@dataclasses.dataclass(frozen=True)
class SidebarCounts:
    """The sidebar's numbers, counted on a worker thread."""

    views: Mapping[str, int]
    feeds: list[Feed]
    rows: SidebarRows  # what the sidebar shows, worked out with the counts


class MainWindow(QMainWindow):
    """The analyst's window. It reads from the store; everything slow goes through the bridge."""

    def __init__(
        self,
        core: VigieCore,
        bridge: Bridge,
        ui_state: UiState,
        *,
        first_run: bool = False,
        open_url: Callable[[QUrl], object] | None = None,
        confirm: Callable[[str], bool] | None = None,
    ) -> None:
        super().__init__()
        self.confirm = confirm  # asks the analyst a yes/no question; None: a message box (tests pass a stub)
        self.core = core
        self.bridge = bridge
        self.ui_state = ui_state
        self.first_run = first_run
        self.setWindowTitle("Vigie")
        self.setWindowIcon(app_icon())
        self.resize(1400, 860)
        self._target = Target("view", view="all")
        self._restoring = False
        self._shown = False
        self._feeds_dialog: QWidget | None = None
        self.notifier: Notifier | None = None  # set by the app: tray or in-window alerts
        self._counting = False
        self._count_again = False
        self._counts: SidebarCounts | None = None  # the last sidebar count, also shown on the welcome page
        self._watchlist_editor: QWidget | None = None

        self.model = ArticleTableModel(core.pages, parent=self)
        self.sidebar = Sidebar(self)
        self.filters = FilterBar(self)
        self.view = ArticleView(self)
        self.view.setModel(self.model)
        self.view.setup_columns()
        self.view.horizontalHeader().setSortIndicator(COL_PUBLISHED, Qt.SortOrder.DescendingOrder)
        self.reader = ReaderView(self, open_url=open_url)

        center = QWidget(self)
        center.setObjectName("listPane")
        column = QVBoxLayout(center)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.filters)
        column.addWidget(self.view, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(center)
        self.splitter.addWidget(self.reader)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 1)
        self.splitter.setSizes([270, 650, 480])
        self.setCentralWidget(self.splitter)
        self.status = StatusPanel(self.statusBar(), self)

        self._counts_timer = QTimer(self)
        self._counts_timer.setSingleShot(True)
        self._counts_timer.setInterval(COUNTS_DELAY_MS)
        self._counts_timer.timeout.connect(self.refresh_sidebar)

        self._build_actions()
        self._build_menus()
        self._build_shortcuts()
        self._connect()
        self._restore_state()
        self.view.setSortingEnabled(True)

        self.refresh_sidebar()
        self.sidebar.select(self._target)
        self.apply_query()
        self.status.set_last_poll(core.store.get_meta("last_poll"))
        self.show_welcome()
        self.view.setFocus()
        if core.watchlist_error:
            self.status.show_error(f"{core.watchlist_error}; using the default watchlist")

    # -- building -------------------------------------------------------------------------------------------

    def _action(
        self,
        text: str,
        slot: Callable[[], object],
        shortcut: str | QKeySequence | list | None = None,
        tip: str = "",
    ) -> QAction:
        action = QAction(text, self)
        action.triggered.connect(lambda _checked=False: slot())
        if isinstance(shortcut, list):
            action.setShortcuts([QKeySequence(s) for s in shortcut])
        elif shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
        self.addAction(action)  # shortcuts work even when the menu bar is hidden
        return action

    def _build_actions(self) -> None:
        a = self._action
        self.act_add_feed = a(
            "&Add feed…", self.add_feed, "Ctrl+N", "Subscribe to a feed or a page that links one"
        )
        self.act_import_opml = a("&Import OPML…", self.import_opml)
        self.act_export_opml = a("&Export OPML…", self.export_opml)
        self.act_export_csv = a("Export current list as &CSV…", lambda: self.export_list("csv"))
        self.act_export_jsonl = a("Export current list as &JSONL…", lambda: self.export_list("jsonl"))
        self.act_quit = a("&Quit", self.close, QKeySequence.StandardKey.Quit)
        self.act_search = a("&Search", self.filters.focus_search, QKeySequence.StandardKey.Find)
        self.act_clear_filters = a("&Clear search and filters", self.clear_filters)
        self.act_original = a(
            "Show &original layout",
            self.rerender,
            None,
            "Show the article's own HTML (images stay blocked) instead of the text with highlights",
        )
        self.act_original.setCheckable(True)
        self.act_next = a("&Next article", lambda: self.move(1), "J")
        self.act_previous = a("&Previous article", lambda: self.move(-1), "K")
        self.act_open_link = a("&Open link in browser (Enter)", self.open_current_link)
        self.act_toggle_read = a("Toggle &read", self.toggle_read, "M")
        self.act_toggle_star = a("Toggle &star", self.toggle_star, "S")
        self.act_mark_all = a(
            "Mark &all read",
            self.mark_all_read,
            "Ctrl+Shift+A",
            "Mark every article of the current list read",
        )
        self.act_poll = a("&Poll now", self.poll_now, ["F5", "Ctrl+R"], "Fetch every feed now")
        self.act_stop = a("S&top polling", self.bridge.cancel_poll)
        self.act_stop.setEnabled(False)
        self.act_feeds = a("&Manage feeds…", self.show_feeds_dialog)
        self.act_watchlist = a("&Edit watchlist…", self.show_watchlist_editor, "Ctrl+E")
        self.act_settings = a("&Preferences…", self.show_settings, QKeySequence.StandardKey.Preferences)
        self.act_keys = a("&Keyboard shortcuts", self.show_keys)
        self.act_about = a("&About Vigie", self.show_about)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        for action in (
            self.act_add_feed,
            self.act_import_opml,
            self.act_export_opml,
            None,
            self.act_export_csv,
            self.act_export_jsonl,
            None,
            self.act_quit,
        ):
            file.addSeparator() if action is None else file.addAction(action)
        view = bar.addMenu("&View")
        for action in (self.act_search, self.act_clear_filters, None, self.act_original):
            view.addSeparator() if action is None else view.addAction(action)
        articles = bar.addMenu("&Articles")
        for action in (
            self.act_next,
            self.act_previous,
            self.act_open_link,
            None,
            self.act_toggle_read,
            self.act_toggle_star,
            self.act_mark_all,
        ):
            articles.addSeparator() if action is None else articles.addAction(action)
        feeds = bar.addMenu("F&eeds")
        for action in (self.act_poll, self.act_stop, None, self.act_feeds):
            feeds.addSeparator() if action is None else feeds.addAction(action)
        bar.addMenu("&Watchlist").addAction(self.act_watchlist)
        bar.addMenu("&Settings").addAction(self.act_settings)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.act_keys)
        help_menu.addAction(self.act_about)

    def _build_shortcuts(self) -> None:
        # Space pages the reader from anywhere but text fields (they take Space for themselves).
        QShortcut(QKeySequence(Qt.Key.Key_Space), self, self.space)
        QShortcut(
            QKeySequence(Qt.Key.Key_Escape),
            self.filters.search,
            self._escape_search,
            context=Qt.ShortcutContext.WidgetShortcut,
        )

    def _connect(self) -> None:
        self.sidebar.target_selected.connect(self.select_target)
        self.filters.changed.connect(self.apply_query)
        self.view.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.view.star_clicked.connect(self._on_star_clicked)
        # Enter opens the link from the list or the reader (in the search box it runs the search).
        self.view.open_requested.connect(self.open_current_link)
        self.reader.open_requested.connect(self.open_current_link)
        self.model.query_failed.connect(lambda text: self.status.show_error(f"Search: {text}"))
        self.reader.highlighted.connect(lambda url: self.statusBar().showMessage(url.toString(), 4000))
        self.status.failing_clicked.connect(self.show_feeds_dialog)
        b = self.bridge
        b.poll_started.connect(self._on_poll_started)
        b.poll_progress.connect(self.status.poll_progress)
        b.poll_progress.connect(lambda _step: self._counts_timer.start())
        b.poll_finished.connect(self._on_poll_finished)
        b.rescore_started.connect(self.status.rescore_started)
        b.rescore_progress.connect(self.status.rescore_progress)
        b.rescore_finished.connect(self.status.rescore_finished)
        b.articles_changed.connect(self.reload_list)
        b.states_changed.connect(self._counts_timer.start)
        b.feeds_changed.connect(self.refresh_sidebar)
        b.watchlist_changed.connect(self.refresh_sidebar)
        b.message.connect(self.status.show_message)
        b.error.connect(self._on_error)

    # -- window state ---------------------------------------------------------------------------------------

    def _restore_state(self) -> None:
        state = self.ui_state
        geometry = state.bytes("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        header = state.bytes("list/header")
        if header is not None and not self.view.horizontalHeader().restoreState(header):
            log.info("ignored a saved column layout that no longer fits")
        self.act_original.setChecked(state.flag("reader/original_layout"))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown:
            # Splitter sizes are restored once the window has its real width, so they come back exactly.
            self._shown = True
            splitter = self.ui_state.bytes("window/splitter")
            if splitter is not None:
                self.centralWidget().resize(self.centralWidget().size())
                self.splitter.restoreState(splitter)

    def save_state(self) -> None:
        state = self.ui_state
        state.set_bytes("window/geometry", self.saveGeometry())
        state.set_bytes("window/splitter", self.splitter.saveState())
        state.set_bytes("list/header", self.view.horizontalHeader().saveState())
        state.set_flag("reader/original_layout", self.act_original.isChecked())
        state.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.notifier is not None and self.notifier.handle_close(event):
            self.save_state()  # hidden to the tray, not closed
            return
        self.save_state()
        self.bridge.cancel_poll()
        for dialog in (self._feeds_dialog, self._watchlist_editor):
            if dialog is not None:
                dialog.close()
        super().closeEvent(event)

    # -- the list -------------------------------------------------------------------------------------------

    def select_target(self, target: Target) -> None:
        self._target = target
        self.apply_query()

    def base_query(self) -> ArticleQuery:
        """The sidebar's choice, in the list's current order."""
        t = self._target
        current = self.model.query
        return ArticleQuery(
            view=t.view if t.kind != "entry" else "all",
            feed_id=t.feed_id,
            entry=t.entry,
            sort=current.sort,
            descending=current.descending,
        )

    def apply_query(self) -> None:
        """Show what the sidebar and the filter bar select."""
        query = self.filters.apply(self.base_query())
        self.model.set_query(query)
        count = self.model.rowCount()
        self.filters.title.setText(f"{self._target_label()} · {count} article{'s' if count != 1 else ''}")
        if self.filters.active():
            self.view.empty_message = "No articles match this search and these filters."
        else:
            key = "entry" if self._target.kind == "entry" else self._target.view
            self.view.empty_message = EMPTY_MESSAGES.get(key, "No articles here.")
        self.view.viewport().update()
        if self.reader.article is None:
            self.show_welcome()

    def _target_label(self) -> str:
        t = self._target
        if t.kind == "entry":
            return f"Watchlist: {t.entry}"
        if t.kind == "feed":
            feed = self.core.store.get_feed(t.feed_id or 0)
            return (feed.title or feed.url) if feed else "Feed"
        return dict((v, label) for v, label, _ in FIXED_VIEWS).get(t.view, "Articles")

    def reload_list(self) -> None:
        """Read the list again after a poll or a re-score, keeping the selected article selected."""
        current = self.view.currentIndex()
        article_id = self.current_article_id()
        self._restoring = True
        try:
            self.apply_query()
            if article_id is not None:
                row = self.model.find_row(article_id, current.row())
                if row is not None:
                    self._select_row(row)
        finally:
            self._restoring = False
        self.refresh_sidebar()
        if self.reader.article is not None:
            self.rerender()

    def clear_filters(self) -> None:
        self.filters.clear()

    def _escape_search(self) -> None:
        if self.filters.search.text():
            self.filters.search.clear()
            self.filters.flush()
        else:
            self.view.setFocus()

    # -- the sidebar ----------------------------------------------------------------------------------------

    def refresh_sidebar(self) -> None:
        """Recount the sidebar on a worker: at 200,000 articles the counts take a few hundred milliseconds."""
        if self._counting:
            self._count_again = True  # one more count when this one lands: it may predate the change
            return
        self._counting = True
        store = self.core.store
        entries = self.core.watchlist.entries

        def count(_progress: object) -> SidebarCounts:
            feeds = store.list_feeds()
            views, by_feed, by_entry = store.view_counts(), store.unread_by_feed(), store.unread_by_entry()
            return SidebarCounts(views, feeds, sidebar_rows(views, feeds, by_feed, entries, by_entry))

        self.bridge.runner.submit(
            count, on_result=self._show_counts, on_error=self._counting_failed, name="sidebar_counts"
        )

    def _show_counts(self, counts: SidebarCounts) -> None:
        self._counting = False
        self._counts = counts
        self.sidebar.show_rows(counts.rows)
        self.status.set_failing(failing_count(counts.feeds))
        if self.reader.article is None:
            self.show_welcome()
        if self._count_again:
            self._count_again = False
            self.refresh_sidebar()

    def _counting_failed(self, exc: BaseException) -> None:
        self._counting = False
        self._count_again = False
        log.error("could not count the articles for the sidebar: %s", exc)

    # -- the current article --------------------------------------------------------------------------------

    def current_article_id(self) -> int | None:
        article = self.reader.article
        return article.id if article is not None else None

    def _select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )
        self.view.scrollTo(index)

    def select_row(self, row: int) -> None:
        """Select (and so open) the article at `row` of the list."""
        if 0 <= row < self.model.rowCount():
            self._select_row(row)

    def selected_row(self) -> int | None:
        """The row the analyst chose; None when none is (the view's focus alone makes a row current)."""
        current = self.view.currentIndex()
        if current.isValid() and self.view.selectionModel().isRowSelected(current.row()):
            return current.row()
        return None

    def _on_selection_changed(self, *_args: object) -> None:
        # Focus alone makes row 0 current without selecting it: that must not open (and mark read) anything.
        if self._restoring:
            return
        selected = self.selected_row()
        row = self.model.row_at(selected) if selected is not None else None
        if row is None or (self.reader.article is not None and self.reader.article.id == row.id):
            return
        self.open_article(row.id, row.source_label)

    def open_article(self, article_id: int, source_label: str) -> Article | None:
        article = self.core.store.article(article_id)
        if article is None:
            self.reader.clear_article("This article is no longer stored.")
            return None
        self._show(article, source_label)
        if not article.read:
            article.read = True
            self.model.update_article(article.id, read=True)
            self.bridge.set_read([article.id], True)
        return article

    def _show(self, article: Article, source_label: str) -> None:
        explanation = ""
        try:
            explanation = self.core.matcher.assess(
                article.title, article.summary, article.content
            ).explanation
        except Exception:  # the explanation is a courtesy: never let it hide the article
            log.exception("could not explain the score of article %s", article.id)
        self._source_label = source_label
        self.reader.show_article(
            article,
            source_label=source_label,
            explanation=explanation,
            original_layout=self.act_original.isChecked(),
        )

    def rerender(self) -> None:
        """Show the current article again (the layout switched, or its matches changed)."""
        current = self.reader.article
        if current is None:
            return
        article = self.core.store.article(current.id)
        if article is not None:
            bar = self.reader.verticalScrollBar()
            position = bar.value()
            self._show(article, getattr(self, "_source_label", ""))
            bar.setValue(position)

    def show_welcome(self, first_run: bool | None = None) -> None:
        """The reader's welcome page, with the figures of the last sidebar count (shown when it lands)."""
        counts = self._counts
        if counts is None:
            return
        self.reader.show_welcome(
            first_run=self.first_run if first_run is None else first_run,
            articles=counts.views.get("total", 0),
            feeds=len(counts.feeds),
            highlighted=counts.views.get("highlighted_total", 0),
        )

    # -- commands -------------------------------------------------------------------------------------------

    def move(self, step: int) -> None:
        """Next (+1) or previous (-1) article."""
        count = self.model.rowCount()
        if not count:
            return
        selected = self.selected_row()
        row = selected + step if selected is not None else (0 if step > 0 else count - 1)
        self.select_row(max(0, min(count - 1, row)))

    def space(self) -> None:
        if not self.reader.page_down():
            self.move(1)

    def open_current_link(self) -> None:
        article = self.reader.article
        if article is None:
            self._on_selection_changed()
            article = self.reader.article
        if article is None:
            return
        if not article.link or not self.reader.open_link(article.link):
            self.status.show_message("This article has no web link to open.")

    def toggle_read(self) -> None:
        article = self.reader.article
        if article is None:
            return
        article.read = not article.read
        self.model.update_article(article.id, read=article.read)
        self.bridge.set_read([article.id], article.read)
        self.status.show_message("Marked read." if article.read else "Marked unread.")

    def toggle_star(self) -> None:
        article = self.reader.article
        if article is None:
            return
        article.starred = not article.starred
        self.model.update_article(article.id, starred=article.starred)
        self.bridge.set_starred(article.id, article.starred)

    def _on_star_clicked(self, row: int) -> None:
        found = self.model.row_at(row)
        if found is None:
            return
        starred = not found.starred
        self.model.update_article(found.id, starred=starred)
        if self.reader.article is not None and self.reader.article.id == found.id:
            self.reader.article.starred = starred
        self.bridge.set_starred(found.id, starred)

    def mark_all_read(self) -> None:
        self.bridge.mark_all_read(self.model.query)

    def show_articles(self, article_ids: list[int]) -> None:
        """Show the items of a clicked alert: the Highlighted view, its first item selected and open."""
        if not article_ids:
            return
        self.filters.clear()
        target = Target("view", view="highlighted")
        self.sidebar.select(target)
        self.select_target(target)
        row = self.model.find_row(article_ids[0], 0)
        if row is not None:
            self.select_row(row)
        else:
            self.open_article(article_ids[0], "")

    def poll_now(self) -> None:
        self.bridge.poll_now()

    def _on_poll_started(self, total: int) -> None:
        self.status.poll_started(total)
        self.act_poll.setEnabled(False)
        self.act_stop.setEnabled(True)

    def _on_poll_finished(self, result: PollResult) -> None:
        self.status.poll_finished(result)
        self.act_poll.setEnabled(True)
        self.act_stop.setEnabled(False)

    def _on_error(self, text: str) -> None:
        if not self.bridge.polling:
            self.status.poll_stopped()
            self.act_poll.setEnabled(True)
            self.act_stop.setEnabled(False)
        self.status.show_error(text)

    # -- files ----------------------------------------------------------------------------------------------

    def import_opml(self, path: Path | None = None) -> None:
        opml_files.import_opml(self, self.bridge, path)

    def export_opml(self, path: Path | None = None) -> None:
        opml_files.export_opml(self, self.bridge, path)

    def export_list(self, fmt: str, path: Path | None = None) -> None:
        """Export the articles of the current list (sidebar choice, search and filters) as CSV or JSONL."""
        if path is None:
            name, _ = QFileDialog.getSaveFileName(
                self,
                f"Export the current list as {fmt.upper()}",
                str(Path.home() / f"vigie-articles.{fmt}"),
                f"{fmt.upper()} files (*.{fmt})",
            )
            if not name:
                return
            path = Path(name)
        self.bridge.export_articles(path, fmt, dataclasses.replace(self.model.query))

    # -- dialogs --------------------------------------------------------------------------------------------

    def add_feed(self) -> None:
        dialog = self.show_feeds_dialog()
        dialog.focus_add()

    def show_feeds_dialog(self):
        from monitor.ui.feeds_dialog import FeedsDialog

        if self._feeds_dialog is None:
            self._feeds_dialog = FeedsDialog(self.core, self.bridge, self, confirm=self.confirm)
        dialog = self._feeds_dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def show_watchlist_editor(self):
        from monitor.ui.watchlist_editor import WatchlistEditor

        if self._watchlist_editor is None:
            self._watchlist_editor = WatchlistEditor(
                self.core,
                self.bridge,
                self,
                current_article=lambda: self.reader.article,
                confirm=self.confirm,
            )
        editor = self._watchlist_editor
        editor.show()
        editor.raise_()
        editor.activateWindow()
        return editor

    def show_settings(self) -> None:
        from monitor.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.core, self.bridge, self)
        dialog.open()

    def show_keys(self) -> None:
        self.show_welcome(first_run=False)

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            "About Vigie",
            f"<h3>Vigie {__version__}</h3><p>A private desktop media monitor: the seed corpus and new "
            "articles "
            "from RSS and Atom feeds, with a watchlist of people, organisations, places and topics that "
            "highlights what concerns them.</p><p>Your data stays in "
            f"<tt>{self.core.paths.data_dir}</tt>.</p>",
        )
