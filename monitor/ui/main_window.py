"""The main window: sidebar | filter bar over the article list | reader; menus, shortcuts, status bar."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QAction, QCloseEvent, QShowEvent
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox, QSplitter, QVBoxLayout, QWidget

from monitor import __version__
from monitor.core.models import ArticleQuery
from monitor.core.polling.health import failing_count
from monitor.core.polling.poller import PollResult
from monitor.core.service import VigieCore
from monitor.ui import opml_files
from monitor.ui.article_controller import ArticleController
from monitor.ui.article_model import COL_PUBLISHED, ArticleTableModel
from monitor.ui.article_view import ArticleView
from monitor.ui.bridge import Bridge
from monitor.ui.filter_bar import FilterBar
from monitor.ui.icons import app_icon
from monitor.ui.notifier import Notifier
from monitor.ui.reader import ReaderView
from monitor.ui.sidebar import Sidebar, Target
from monitor.ui.sidebar_commands import SidebarCommands
from monitor.ui.sidebar_counts import SidebarCounter, SidebarCounts, target_label
from monitor.ui.status import StatusPanel
from monitor.ui.uistate import UiState
from monitor.ui.window_actions import build_actions, build_menus, build_shortcuts

log = logging.getLogger(__name__)

EMPTY_MESSAGES = {
    "all": "No articles yet. Press F5 to poll the feeds.",
    "new": "Nothing new: every article here has been read.",
    "highlighted": "No highlighted articles. Poll the feeds (F5), or widen the watchlist (Watchlist ▸ Edit).",
    "starred": "No starred articles. Press S to star the selected article.",
    "revised": "No revised articles: no outlet has changed an item it published since it was stored.",
    "seeds": "The seed corpus is empty.",
    "feed": "Nothing from this feed yet. Press F5 to poll it, or see its health in Feeds ▸ Manage feeds.",
    "folder": "Nothing from the feeds of this folder yet (right-click it: Poll now).",
    "entry": "No article mentions this watchlist entry yet.",
}


class MainWindow(QMainWindow):
    """The analyst's window. It reads the visible page of the list; everything else goes through the bridge.

    What a script or the bench drives: select_row, move, toggle_read, toggle_star, open_article, rerender,
    reload_list, refresh_sidebar, poll_now; `articles.article_shown` says when an opened article is shown.
    """

    # The actions, made by window_actions.build_actions.
    act_add_feed: QAction
    act_import_opml: QAction
    act_export_opml: QAction
    act_export_csv: QAction
    act_export_jsonl: QAction
    act_quit: QAction
    act_search: QAction
    act_clear_filters: QAction
    act_original: QAction
    act_next: QAction
    act_previous: QAction
    act_open_link: QAction
    act_toggle_read: QAction
    act_toggle_star: QAction
    act_mark_all: QAction
    act_poll: QAction
    act_stop: QAction
    act_feeds: QAction
    act_follow_words: QAction
    act_feed_health: QAction
    act_watchlist: QAction
    act_settings: QAction
    act_keys: QAction
    act_about: QAction

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
        self._shown = False
        self._feeds_dialog: QWidget | None = None
        self.notifier: Notifier | None = None  # set by the app: tray or in-window alerts
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
        self.counter = SidebarCounter(bridge, self)
        self.sidebar_commands = SidebarCommands.for_window(self)

        build_actions(self)
        build_menus(self)
        build_shortcuts(self)
        self.articles = ArticleController(
            bridge, self.model, self.view, self.reader, self.status, self.act_original, self
        )
        self._connect()
        self._restore_state()
        self.view.setSortingEnabled(True)

        self.refresh_sidebar()
        self.sidebar.select(self._target)
        self.apply_query()
        bridge.load_last_poll(self.status.set_last_poll)
        self.show_welcome()
        self.view.setFocus()
        if core.watchlist_error:
            self.status.show_error(f"{core.watchlist_error}; using the default watchlist")

    # -- building -------------------------------------------------------------------------------------------

    def _connect(self) -> None:
        self.sidebar.target_selected.connect(self.select_target)
        self.sidebar.follow_requested.connect(lambda name: self.follow_in_news_search(name, entry=True))
        self.filters.changed.connect(self.apply_query)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self.articles.selection_changed())
        self.view.star_clicked.connect(self.articles.star_clicked)
        # Enter opens the link from the list or the reader (in the search box it runs the search).
        self.view.open_requested.connect(self.open_current_link)
        self.reader.open_requested.connect(self.open_current_link)
        self.model.query_failed.connect(lambda text: self.status.show_error(f"Search: {text}"))
        self.reader.highlighted.connect(lambda url: self.statusBar().showMessage(url.toString(), 4000))
        self.status.failing_clicked.connect(self.show_feed_health)
        b = self.bridge
        b.poll_started.connect(self._on_poll_started)
        b.poll_progress.connect(self.status.poll_progress)
        b.poll_progress.connect(lambda _step: self.counter.later.start())
        b.poll_finished.connect(self._on_poll_finished)
        b.rescore_started.connect(self.status.rescore_started)
        b.rescore_progress.connect(self.status.rescore_progress)
        b.rescore_finished.connect(self.status.rescore_finished)
        b.articles_changed.connect(self.reload_list)
        b.states_changed.connect(self.counter.later.start)
        b.feeds_changed.connect(self.refresh_sidebar)
        b.watchlist_changed.connect(self.refresh_sidebar)
        b.message.connect(self.status.show_message)
        b.error.connect(self._on_error)
        self.counter.counted.connect(self._show_counts)

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
            feed_ids=self.sidebar_commands.folder_feed_ids(t),
            entry=t.entry,
            sort=current.sort,
            descending=current.descending,
        )

    def apply_query(self) -> None:
        """Show what the sidebar and the filter bar select."""
        query = self.filters.apply(self.base_query())
        self.model.set_query(query)
        self._show_title()
        if self.filters.active():
            self.view.empty_message = "No articles match this search and these filters."
        else:
            key = self._target.kind if self._target.kind in ("entry", "folder") else self._target.view
            self.view.empty_message = EMPTY_MESSAGES.get(key, "No articles here.")
        self.view.viewport().update()
        if self.current_article_id() is None:
            self.show_welcome()

    def _show_title(self) -> None:
        if self.story_mode.enabled:  # the story view titles the list with its own count
            self.story_mode.retitle()
            return
        count = self.model.rowCount()
        label = target_label(self._target, self.counter.counts)
        # A broad search stops counting at the store's cap: "1,000+ articles" (docs/BENCHMARKS.md 22).
        shown = f"{count:,}+ articles" if self.model.capped else f"{count} article{'s' if count != 1 else ''}"
        self.filters.title.setText(f"{label} · {shown}")

    def reload_list(self) -> None:
        """Read the list again after a poll or a re-score, keeping the selected article selected."""
        current = self.view.currentIndex()
        article_id = self.current_article_id()
        self.articles.restoring = True
        try:
            self.apply_query()
            if article_id is not None:
                row = self.model.find_row(article_id, current.row())
                if row is not None:
                    self.articles.select_row(row)
        finally:
            self.articles.restoring = False
        self.refresh_sidebar()
        if self.reader.article is not None:
            self.rerender()

    def clear_filters(self) -> None:
        self.filters.clear()

    def escape_search(self) -> None:
        if self.filters.search.text():
            self.filters.search.clear()
            self.filters.flush()
        else:
            self.view.setFocus()

    # -- the sidebar ----------------------------------------------------------------------------------------

    def refresh_sidebar(self) -> None:
        """Recount the sidebar on a worker; the numbers land in `_show_counts`."""
        self.counter.refresh()

    def _show_counts(self, counts: SidebarCounts) -> None:
        self.sidebar.show_rows(counts.rows)
        self.status.set_failing(failing_count(counts.feeds))
        if self.model.query.feed_ids != self.sidebar_commands.folder_feed_ids(self._target):
            self.apply_query()  # feeds came into the selected folder or left it
        elif self._target.kind in ("feed", "folder"):
            self._show_title()
        if self.current_article_id() is None:
            self.show_welcome()

    # -- the current article (monitor/ui/article_controller.py) ---------------------------------------------

    def current_article_id(self) -> int | None:
        return self.articles.current_article_id()

    def select_row(self, row: int) -> None:
        """Select (and so open, on a worker) the article at `row` of the list."""
        self.articles.select_row(row)

    def selected_row(self) -> int | None:
        return self.articles.selected_row()

    def move(self, step: int) -> None:
        """Next (+1) or previous (-1) article, or story in the list's story mode."""
        (self.story_mode.move if self.story_mode.enabled else self.articles.move)(step)

    def open_article(self, article_id: int, source_label: str = "") -> None:
        """Open an article by id (marked read now, shown when read from the store on a worker)."""
        self.articles.open_article(article_id, source_label)

    def rerender(self) -> None:
        """Show the current article again (the layout switched, or its matches changed)."""
        self.articles.rerender()

    def toggle_read(self) -> None:
        self.articles.toggle_read()

    def toggle_star(self) -> None:
        self.articles.toggle_star()

    def judge(self, judgement: str | None) -> None:
        self.articles.judge(judgement)

    def show_welcome(self, first_run: bool | None = None) -> None:
        """The reader's welcome page, with the figures of the last sidebar count (shown when it lands)."""
        counts = self.counter.counts
        if counts is None or self.story_mode.shows_story():  # a story's timeline stays
            return
        self.reader.show_welcome(
            first_run=self.first_run if first_run is None else first_run,
            articles=counts.views.get("total", 0),
            feeds=len(counts.feeds),
            highlighted=counts.views.get("highlighted_total", 0),
        )

    # -- commands -------------------------------------------------------------------------------------------

    def space(self) -> None:
        if not self.reader.page_down():
            self.move(1)

    def open_current_link(self) -> None:
        article = self.reader.article
        if article is None:
            selected = self.selected_row()
            row = self.model.row_at(selected) if selected is not None else None
            link = row.link if row is not None else None  # the list's row: the article may be on its way
            if row is None:
                return
        else:
            link = article.link
        if not link or not self.reader.open_link(link):
            self.status.show_message("This article has no web link to open.")

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

    def follow_in_news_search(self, words: str, entry: bool) -> None:  # entry: the words name an entry
        self.bridge.follow_in_news_search(words, entry=entry)

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

    def show_feed_health(self):
        from monitor.ui.feed_health_view import open_feed_health

        return open_feed_health(self)

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
        self.articles.forget()  # an article on its way must not replace the page asked for
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
