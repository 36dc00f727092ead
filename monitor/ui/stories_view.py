"""The story view: one row per story (its first report's title, reports, outlets, languages, score, first seen,
last updated), expanded to its reports earliest first, and the story's timeline beside it: which outlet
reported first and what each later report adds, so an update stands out from a reprint.

Everything it shows is read on the task runner through VigieCore (stories, story_timeline); the GUI thread only
fills widgets from the results.
"""

from __future__ import annotations

import html
import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from monitor.core.errors import describe_error
from monitor.core.models import StorySummary
from monitor.core.service import VigieCore
from monitor.core.stories.timeline import StoryTimeline
from monitor.ui.bridge import Bridge
from monitor.ui.style import format_date

if TYPE_CHECKING:
    from monitor.ui.main_window import MainWindow

log = logging.getLogger(__name__)

PERIODS = [("Last 2 days", 2), ("Last 7 days", 7), ("Last 30 days", 30), ("Everything", None)]
MAX_ROWS = 2_000  # stories shown at once, most recently updated first
COLUMNS = ["Story", "Reports", "Outlets", "Languages", "Score", "First seen", "Last updated"]
ID_ROLE = Qt.ItemDataRole.UserRole
SORT_ROLE = Qt.ItemDataRole.UserRole + 1


class _Row(QTreeWidgetItem):
    """A row that sorts numbers and dates by value, not by their text."""

    def __lt__(self, other: QTreeWidgetItem) -> bool:
        column = self.treeWidget().sortColumn() if self.treeWidget() else 0
        mine, theirs = self.data(column, SORT_ROLE), other.data(column, SORT_ROLE)
        if mine is not None and theirs is not None:
            return bool(mine < theirs)
        return self.text(column).lower() < other.text(column).lower()


class StoriesView(QDialog):
    def __init__(self, core: VigieCore, bridge: Bridge, window: MainWindow | None = None) -> None:
        super().__init__(window)
        self.core, self.bridge, self.window_ = core, bridge, window
        self._reading = 0  # the number of the latest list read asked for (see reload)
        self.setWindowTitle("Stories")
        self.resize(1100, 640)
        self.period = QComboBox()
        for label, days in PERIODS:
            self.period.addItem(label, days)
        self.period.setCurrentIndex(1)
        self.highlighted = QCheckBox("&Highlighted only")
        self.status = QLabel("")
        top = QHBoxLayout()
        top.addWidget(QLabel("&Period:"))
        top.itemAt(0).widget().setBuddy(self.period)  # type: ignore[union-attr]
        top.addWidget(self.period)
        top.addWidget(self.highlighted)
        top.addStretch(1)
        top.addWidget(self.status)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(COLUMNS)
        self.tree.setColumnWidth(0, 330)
        for column in (1, 2, 4):
            self.tree.setColumnWidth(column, 64)
        self.tree.setSortingEnabled(True)
        self.tree.sortByColumn(6, Qt.SortOrder.DescendingOrder)
        self.timeline = QTextBrowser()
        self.timeline.setOpenLinks(False)
        split = QSplitter()
        split.addWidget(self.tree)
        split.addWidget(self.timeline)
        split.setSizes([640, 460])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        self.period.currentIndexChanged.connect(self.reload)
        self.highlighted.toggled.connect(self.reload)
        self.tree.currentItemChanged.connect(self._selected)
        self.tree.itemExpanded.connect(lambda item: self._load_timeline(item.data(0, ID_ROLE)))
        self.tree.itemActivated.connect(self._activated)
        QShortcut(QKeySequence.StandardKey.Refresh, self, self.reload)
        bridge.poll_finished.connect(lambda _r: self.reload() if self.isVisible() else None)
        self._shown_timeline: int | None = None
        self.reload()

    # -- the list ---------------------------------------------------------------------------------------------

    def since(self) -> str | None:
        days = self.period.currentData()
        if days is None:
            return None
        return (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")

    def reload(self) -> None:
        self.status.setText("Reading the stories…")
        since, highlighted = self.since(), self.highlighted.isChecked()
        # Reads run in parallel on the runner: only the latest one may fill the list, or a slower read of an
        # earlier period (the view opens on the last 7 days) would overwrite the one asked for after it.
        self._reading += 1
        reading = self._reading
        self.bridge.runner.submit(
            lambda _p: self.core.stories(since=since, highlighted_only=highlighted),
            on_result=lambda stories: self._show_stories(stories) if reading == self._reading else None,
            on_error=self._failed,
            name="stories",
        )

    def _failed(self, exc: BaseException) -> None:
        self.status.setText("")
        self.bridge.error.emit(f"Could not read the stories: {describe_error(exc)}")

    def _show_stories(self, stories: list[StorySummary]) -> None:
        current = self.tree.currentItem()
        keep = current.data(0, ID_ROLE) if current is not None else None
        self.tree.setSortingEnabled(False)
        self.tree.clear()
        for story in stories[:MAX_ROWS]:
            row = _Row(
                [
                    story.title,
                    str(story.reports),
                    str(story.outlets),
                    ", ".join(story.languages),
                    f"{story.score:.1f}",
                    format_date(story.first_seen),
                    format_date(story.last_updated),
                ]
            )
            for column, value in enumerate(
                [None, story.reports, story.outlets, None, story.score, story.first_seen, story.last_updated]
            ):
                if value is not None:
                    row.setData(column, SORT_ROLE, value)
            row.setData(0, ID_ROLE, story.story)
            if story.highlighted:
                font = row.font(0)
                font.setBold(True)
                row.setFont(0, font)
            if story.reports > 1:  # expandable: its reports come with the timeline
                row.setChildIndicatorPolicy(QTreeWidgetItem.ChildIndicatorPolicy.ShowIndicator)
            self.tree.addTopLevelItem(row)
            if story.story == keep:
                self.tree.setCurrentItem(row)
        self.tree.setSortingEnabled(True)
        shown = min(len(stories), MAX_ROWS)
        reports = sum(s.reports for s in stories[:MAX_ROWS])
        more = f" (the {MAX_ROWS:,} most recent)" if len(stories) > MAX_ROWS else ""
        self.status.setText(f"{shown:,} stories{more}, {reports:,} reports")

    # -- one story --------------------------------------------------------------------------------------------

    def _selected(self, item: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None) -> None:
        if item is None:
            return
        top = item.parent() or item
        self._load_timeline(top.data(0, ID_ROLE))

    def _load_timeline(self, story: int | None) -> None:
        if story is None:
            return
        self.bridge.runner.submit(
            lambda _p: self.core.story_timeline(story),
            on_result=self._show_timeline,
            on_error=self._failed,
            name="story timeline",
        )

    def _row_of(self, story: int) -> QTreeWidgetItem | None:
        for i in range(self.tree.topLevelItemCount()):
            row = self.tree.topLevelItem(i)
            if row.data(0, ID_ROLE) == story:
                return row
        return None

    def _show_timeline(self, timeline: StoryTimeline | None) -> None:
        if timeline is None:
            return
        row = self._row_of(timeline.summary.story)
        if row is not None and row.childCount() == 0:
            for report in timeline.reports:
                child = QTreeWidgetItem(
                    [
                        f"{report.outlet}: {report.title}",
                        "",
                        "",
                        report.lang or "",
                        "",
                        format_date(report.at),
                        "",
                    ]
                )
                child.setData(0, ID_ROLE, report.article_id)
                row.addChild(child)
        current = self.tree.currentItem()
        selected = current.parent() or current if current is not None else None
        if selected is None or selected.data(0, ID_ROLE) == timeline.summary.story:
            self.timeline.setHtml(timeline_html(timeline))

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        """Enter or a double click on a report opens it in the window's reader."""
        if item.parent() is not None and self.window_ is not None:
            self.window_.open_article(int(item.data(0, ID_ROLE)))


def timeline_html(timeline: StoryTimeline) -> str:
    """The story's timeline: each report with its outlet and time, and the sentences it adds."""
    s = timeline.summary
    outlets = f"{s.outlets} outlet{'s' if s.outlets != 1 else ''}"
    parts = [
        f"<h3>{html.escape(s.title)}</h3>",
        f"<p>{s.reports} report{'s' if s.reports != 1 else ''}, {outlets}, "
        f"{html.escape(', '.join(s.languages) or '-')}; score {s.score:.1f}</p>",
    ]
    if timeline.related is not None:
        shared = ", ".join(timeline.related.shared[:8])
        parts.append(
            f"<p><b>Related seed:</b> {html.escape(timeline.related_title)}"
            f"<br/><small>shared: {html.escape(shared)}</small></p>"
        )
    for index, report in enumerate(timeline.reports):
        when = html.escape(format_date(report.at, long=True))
        head = (
            "First report"
            if index == 0
            else ("First in " + (report.lang or "?"))
            if report.first_in_language
            else ""
        )
        parts.append(
            f"<p><b>{when}</b> · {html.escape(report.outlet)}"
            + (f" · <i>{head}</i>" if head else "")
            + f"<br/>{html.escape(report.title)}</p>"
        )
        if index == 0 or report.first_in_language:
            continue
        if report.adds:
            items = "".join(f"<li>{html.escape(sentence)}</li>" for sentence in report.adds)
            parts.append(f"<p><small>adds:</small></p><ul>{items}</ul>")
        else:
            parts.append("<p><small>a reprint: nothing an earlier report did not say</small></p>")
    return "".join(parts)


def open_stories(window: MainWindow) -> StoriesView:
    """Show the window's story view (made once, then raised and re-read)."""
    view = window.findChild(StoriesView)
    if view is None:
        view = StoriesView(window.core, window.bridge, window)
    else:
        view.reload()
    view.show()
    view.raise_()
    view.activateWindow()
    return view
