"""Above the article list: the search box (FTS5) and the filters (highlighted, unread, revised, date range)."""

from __future__ import annotations

import dataclasses
import logging
from datetime import date, timedelta

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from monitor.core.models import ArticleQuery

log = logging.getLogger(__name__)

SEARCH_DELAY_MS = 250
DATE_RANGES = [
    ("any", "Any time"),
    ("today", "Today"),
    ("7", "Last 7 days"),
    ("30", "Last 30 days"),
    ("custom", "Between…"),
]


class FilterBar(QWidget):
    """Emits `changed` when the search text (after a short pause) or a filter changes."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("filterBar")
        self.search = QLineEdit(self)
        self.search.setObjectName("searchBox")
        self.search.setClearButtonEnabled(True)
        shortcut = QKeySequence(QKeySequence.StandardKey.Find).toString(
            QKeySequence.SequenceFormat.NativeText
        )
        self.search.setPlaceholderText(
            f'Search titles and text: words (any form), "a phrase", prefix*, -exclude  ({shortcut})'
        )
        self.search.setToolTip(
            "Full-text search, accents and case ignored.\nwords: all of them, in any French or English form "
            '(menace finds menacées, arrest finds arrested) · "exact phrase": as written · narco*: any ending · '
            "a OR b · -word: without it"
        )
        self.highlighted = QCheckBox("Highlighted", self)
        self.highlighted.setToolTip("Only articles the watchlist highlights")
        self.unread = QCheckBox("Unread", self)
        self.unread.setToolTip("Only articles you have not opened")
        self.revised = QCheckBox("Revised", self)
        self.revised.setToolTip("Only articles their outlet changed after publishing (more than one version)")
        self.dates = QComboBox(self)
        for key, label in DATE_RANGES:
            self.dates.addItem(label, key)
        self.dates.setToolTip("Publication date")
        today = QDate.currentDate()
        self.since = QDateEdit(today.addDays(-7), self)
        self.until = QDateEdit(today, self)
        for edit in (self.since, self.until):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("d MMM yyyy")
            edit.setVisible(False)
        self.title = QLabel(self)
        self.title.setObjectName("listTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.search, 1)
        bottom = QHBoxLayout()
        bottom.setContentsMargins(0, 0, 0, 0)
        bottom.setSpacing(10)
        bottom.addWidget(self.title, 1)
        bottom.addWidget(self.highlighted)
        bottom.addWidget(self.unread)
        bottom.addWidget(self.revised)
        bottom.addWidget(self.dates)
        self._to = QLabel("to", self)
        self._to.setVisible(False)
        bottom.addWidget(self.since)
        bottom.addWidget(self._to)
        bottom.addWidget(self.until)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 6)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addLayout(bottom)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.changed)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.search.returnPressed.connect(self.flush)
        self.highlighted.toggled.connect(lambda _c: self.changed.emit())
        self.unread.toggled.connect(lambda _c: self.changed.emit())
        self.revised.toggled.connect(lambda _c: self.changed.emit())
        self.dates.currentIndexChanged.connect(self._on_dates)
        self.since.dateChanged.connect(lambda _d: self.changed.emit())
        self.until.dateChanged.connect(lambda _d: self.changed.emit())

    def flush(self) -> None:
        """Apply a pending search now (Enter in the box, or a test that does not want to wait)."""
        if self._timer.isActive():
            self._timer.stop()
            self.changed.emit()

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _on_dates(self, _index: int) -> None:
        custom = self.dates.currentData() == "custom"
        for widget in (self.since, self._to, self.until):
            widget.setVisible(custom)
        self.changed.emit()

    def date_range(self, today: date | None = None) -> tuple[str | None, str | None]:
        """(since, until) as ISO dates for the store: since inclusive, until exclusive."""
        today = today or date.today()
        key = self.dates.currentData()
        if key == "today":
            return today.isoformat(), None
        if key in ("7", "30"):
            return (today - timedelta(days=int(key))).isoformat(), None
        if key == "custom":
            since = self.since.date().toPython()
            until = self.until.date().toPython()
            if until < since:
                since, until = until, since
            return since.isoformat(), (until + timedelta(days=1)).isoformat()
        return None, None

    def apply(self, query: ArticleQuery) -> ArticleQuery:
        """`query` with this bar's search text and filters."""
        since, until = self.date_range()
        text = self.search.text().strip()
        return dataclasses.replace(
            query,
            search=text or None,
            highlighted_only=self.highlighted.isChecked(),
            unread_only=self.unread.isChecked(),
            revised_only=self.revised.isChecked(),
            since=since,
            until=until,
        )

    def active(self) -> bool:
        """Whether anything narrows the list beyond the sidebar's choice."""
        return bool(
            self.search.text().strip()
            or self.highlighted.isChecked()
            or self.unread.isChecked()
            or self.revised.isChecked()
            or self.dates.currentData() != "any"
        )

    def clear(self) -> None:
        for widget in (self.search, self.highlighted, self.unread, self.revised, self.dates):
            widget.blockSignals(True)
        self.search.clear()
        self.highlighted.setChecked(False)
        self.unread.setChecked(False)
        self.revised.setChecked(False)
        self.dates.setCurrentIndex(0)
        for widget in (self.search, self.highlighted, self.unread, self.revised, self.dates):
            widget.blockSignals(False)
        self._on_dates(0)
