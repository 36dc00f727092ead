"""The window's signals (issue 17): the timeline, emerging-names and who-appears-with-whom windows, opened from
the Watchlist menu, from a watchlist entry's context menu in the sidebar and from the reader's match chips; a
clicked bar filters the article list to that entry and period, a matrix cell to the articles naming both. Wired
by window_actions.build_actions, so the main window holds no code of its own for them."""

from __future__ import annotations

import dataclasses
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, QUrl
from PySide6.QtGui import QAction, QKeySequence

from monitor.ui.reader_html import ENTRY_SCHEME
from monitor.ui.sidebar_rows import Target

if TYPE_CHECKING:
    from monitor.ui.cooccurrence_dialog import CoOccurrenceDialog
    from monitor.ui.emerging_dialog import EmergingDialog
    from monitor.ui.main_window import MainWindow
    from monitor.ui.timeline_dialog import TimelineDialog

log = logging.getLogger(__name__)


class SignalsController(QObject):
    """Opens the signals' windows for `window` and applies what is clicked in them to its list."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.timeline: TimelineDialog | None = None
        self.emerging: EmergingDialog | None = None
        self.cooccurrence: CoOccurrenceDialog | None = None
        self._quitting = False  # the app quits: a background catch-up stops
        self.act_timeline = self._action(
            "&Timeline…", self.open_timeline, "Ctrl+Shift+T", "How many articles name each entry, over time"
        )
        self.act_emerging = self._action(
            "E&merging names…", self.open_emerging, "Ctrl+Shift+E", "Names rising in highlighted items"
        )
        self.act_cooccurrence = self._action(
            "Who appears &with whom…",
            self.open_cooccurrence,
            "Ctrl+Shift+W",
            "Which watched entries are named together, and how often",
        )
        window.sidebar.timeline_requested.connect(self.open_timeline)
        window.reader.anchorClicked.connect(self._anchor)

    def _action(self, text: str, slot: object, shortcut: str, tip: str) -> QAction:
        action = QAction(text, self.window)
        action.triggered.connect(lambda _checked=False: slot())  # type: ignore[operator]
        action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip)
        self.window.addAction(action)
        return action

    def open_timeline(self, entry: str | None = None) -> TimelineDialog:
        """Show the timeline with `entry` ticked (or the entries ticked before, or the first one)."""
        from monitor.ui.timeline_dialog import TimelineDialog  # pyqtgraph and numpy load on first use

        names = [e.name for e in self.window.core.watchlist.entries]
        if self.timeline is None:
            self.timeline = TimelineDialog(self.window.bridge, self.window)
            self.timeline.period_chosen.connect(self.show_period)
            checked = [entry] if entry else names[:1]
        else:
            checked = [entry] if entry else self.timeline.checked()
        self.timeline.set_entries(names, [c for c in checked if c in names])
        self.timeline.show()
        self.timeline.raise_()
        self.timeline.activateWindow()
        return self.timeline

    def open_emerging(self) -> EmergingDialog:
        from monitor.ui.emerging_dialog import EmergingDialog

        if self.emerging is None:
            self.emerging = EmergingDialog(self.window.bridge, self.window)
            self.emerging.show_articles.connect(self.window.show_articles)
        self.emerging.reload()
        self.emerging.show()
        self.emerging.raise_()
        self.emerging.activateWindow()
        return self.emerging

    def open_cooccurrence(self) -> CoOccurrenceDialog:
        from monitor.ui.cooccurrence_dialog import CoOccurrenceDialog

        if self.cooccurrence is None:
            self.cooccurrence = CoOccurrenceDialog(self.window.bridge, self.window)
            self.cooccurrence.pair_chosen.connect(self.show_pair)
        self.cooccurrence.reload()
        self.cooccurrence.show()
        self.cooccurrence.raise_()
        self.cooccurrence.activateWindow()
        return self.cooccurrence

    def show_pair(self, a: str, b: str, since: str | None) -> None:
        """The list shows the articles naming both `a` and `b`, published since `since` (None: any date)."""
        w = self.window
        w.filters.clear()
        target = Target("entry", entry=a)
        w.sidebar.select(target)
        w.select_target(target)
        query = dataclasses.replace(w.model.query, entry=None, entries_all=(a, b), since=since, until=None)
        w.model.set_query(query)
        count = w.model.rowCount()
        w.filters.title.setText(f"{a} + {b} · {count} articles")
        w.status.show_message(f"{count} articles name both {a} and {b}")

    def show_period(self, entry: str, start: str, end: str) -> None:
        """The list shows the articles naming `entry` published in [start, end)."""
        w = self.window
        w.filters.clear()
        target = Target("entry", entry=entry)
        w.sidebar.select(target)
        w.select_target(target)
        w.model.set_query(dataclasses.replace(w.model.query, since=start, until=end))
        count = w.model.rowCount()
        w.filters.title.setText(f"{entry} · {start[:16].replace('T', ' ')} UTC · {count} articles")
        w.status.show_message(f"{count} articles name {entry} in that period")

    def catch_up_names(self) -> int:
        """Index, on the task runner, the highlighted articles the name index of emerging names lacks (those
        stored before it existed), newest first, with progress in the status bar; stops when the app quits.
        Returns the task's id."""
        signals = self.window.core.signals
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self._quit)
        status = self.window.status

        def progress(value: object) -> None:
            done, total = value  # type: ignore[misc]
            status.show_message(
                f"Indexing names for emerging names: {done:,} of {total:,} highlighted articles"
            )

        def finished(count: int) -> None:
            if count:
                status.show_message(f"Names indexed for emerging names: {count:,} articles")

        return self.window.bridge.runner.submit(
            lambda report: signals.index_names(
                lambda done, total: report((done, total)), lambda: self._quitting
            ),
            on_result=finished,
            on_error=lambda exc: status.show_message(f"Indexing names for emerging names failed: {exc}"),
            on_progress=progress,
            name="index names",
        )

    def _quit(self) -> None:
        self._quitting = True

    def _anchor(self, url: QUrl) -> None:
        if url.scheme() == ENTRY_SCHEME:
            self.open_timeline(QUrl.fromPercentEncoding(url.path().encode()))
