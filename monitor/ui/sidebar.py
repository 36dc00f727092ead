"""The sidebar: sources (fixed views, then each feed and its health) and watchlist entries, with counts."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from monitor.core.models import Feed
from monitor.core.watchlist import Entry
from monitor.ui.icons import dot_icon
from monitor.ui.style import HEALTH_COLOURS, KIND_DOTS, TEXT_MUTED

log = logging.getLogger(__name__)

TARGET_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole + 2

FIXED_VIEWS = [
    ("all", "All articles", "Every article: seeds and feeds (count: unread)"),
    ("new", "New", "Unread articles"),
    ("highlighted", "Highlighted", "Articles the watchlist highlights (count: unread)"),
    ("starred", "Starred", "Articles you starred"),
    ("seeds", "Seeds", "The seed corpus (count: unread)"),
]


@dataclass(frozen=True)
class Target:
    """What a sidebar row selects: a fixed view, a feed, or a watchlist entry."""

    kind: str  # "view" | "feed" | "entry"
    view: str = "all"
    feed_id: int | None = None
    entry: str | None = None

    @property
    def label_key(self) -> tuple[str, object]:
        return (
            self.kind,
            self.feed_id if self.kind == "feed" else self.entry if self.kind == "entry" else self.view,
        )


def feed_health(feed: Feed) -> tuple[str, str]:
    """(health, words): ok, failing, disabled or never polled."""
    if not feed.enabled:
        return "disabled", f"Disabled: {feed.disabled_reason or 'by you'}"
    if feed.last_fetched is None:
        return "never", "Never polled yet"
    if feed.last_error and feed.consecutive_failures:
        return "failing", f"Failing ({feed.consecutive_failures}× in a row): {feed.last_error}"
    return "ok", "OK" + (f" — {feed.last_error}" if feed.last_error else "")


@dataclass(frozen=True)
class _Row:
    """What one sidebar row shows."""

    target: Target
    label: str
    count: int
    tip: str
    bold: bool = False
    dot: tuple[str, bool] | None = None  # (colour, hollow)
    muted: bool = False


class Sidebar(QTreeWidget):
    """Two groups, Sources and Watchlist; selecting a row emits `target_selected`."""

    target_selected = Signal(object)  # Target

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sidebar")
        self.setColumnCount(2)
        self.setHeaderHidden(True)
        self.setRootIsDecorated(False)
        self.setIndentation(10)
        self.setUniformRowHeights(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self._sources = self._group("SOURCES")
        self._watchlist = self._group("WATCHLIST")
        self._muted = QBrush(QColor(TEXT_MUTED))
        self._bold = QFont(self.font())
        self._bold.setBold(True)
        self.currentItemChanged.connect(self._on_current)

    def _group(self, title: str) -> QTreeWidgetItem:
        item = QTreeWidgetItem(self, [title, ""])
        item.setFlags(Qt.ItemFlag.ItemIsEnabled)
        font = QFont(self.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 0.85)
        item.setFont(0, font)
        item.setForeground(0, QBrush(QColor(TEXT_MUTED)))
        item.setExpanded(True)
        return item

    # -- contents -------------------------------------------------------------------------------------------

    def populate(
        self,
        view_counts: Mapping[str, int],
        feeds: Sequence[Feed],
        unread_by_feed: Mapping[int | None, int],
        entries: Sequence[Entry],
        unread_by_entry: Mapping[str, int],
    ) -> None:
        """Show new contents and counts, keeping the current row selected. Rows are updated in place when a
        group keeps its rows in the same order (the common case after a poll: only counts change), which costs
        a fraction of rebuilding 500 feed rows."""
        sources = [
            _Row(Target("view", view=view), label, view_counts.get(view, 0), tip, bold=True)
            for view, label, tip in FIXED_VIEWS
        ]
        for feed in feeds:
            health, words = feed_health(feed)
            sources.append(
                _Row(
                    Target("feed", view="feed", feed_id=feed.id),
                    feed.title or feed.url,
                    unread_by_feed.get(feed.id, 0),
                    f"{feed.url}\n{words}",
                    dot=(HEALTH_COLOURS[health], health == "never"),
                    muted=health == "disabled",
                )
            )
        watched = []
        for entry in sorted(entries, key=lambda e: (-unread_by_entry.get(e.name, 0), e.name.casefold())):
            count = unread_by_entry.get(entry.name, 0)
            watched.append(
                _Row(
                    Target("entry", entry=entry.name),
                    entry.name,
                    count,
                    f"{entry.name} ({entry.kind}, weight {entry.weight:g})\n{count} unread matching articles"
                    + (f"\n{entry.note}" if entry.note else ""),
                    dot=(KIND_DOTS.get(entry.kind, TEXT_MUTED), False),
                    muted=not count,
                )
            )
        current = self.current_target()
        blocker = QSignalBlocker(self)
        header = self.header()
        # Sized once at the end: sizing the count column to its contents after each change is quadratic.
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        try:
            rebuilt = self._sync(self._sources, sources) | self._sync(self._watchlist, watched)
            self._sources.setExpanded(True)
            self._watchlist.setExpanded(True)
            if rebuilt and not self.select(current or Target("view", view="all")):
                self.select(Target("view", view="all"))
        finally:
            header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
            del blocker

    def _sync(self, group: QTreeWidgetItem, rows: list[_Row]) -> bool:
        """Make `group` show `rows`; returns True when it had to be rebuilt."""
        shown = [group.child(i).data(0, ROW_ROLE) for i in range(group.childCount())]
        if [r.target for r in shown] == [r.target for r in rows]:
            for index, (old, row) in enumerate(zip(shown, rows, strict=True)):
                if old != row:
                    self._fill(group.child(index), row, old)
            return False
        group.takeChildren()
        for row in rows:
            self._fill(QTreeWidgetItem(group), row)
        return True

    def _fill(self, item: QTreeWidgetItem, row: _Row, old: _Row | None = None) -> None:
        """Set what differs from `old` (everything for a new item): each change is a signal to the view."""
        item.setData(0, ROW_ROLE, row)
        if old is None:
            item.setData(0, TARGET_ROLE, row.target)
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setForeground(1, self._muted)
            if row.bold:
                item.setFont(0, self._bold)
        if old is None or old.label != row.label:
            item.setText(0, row.label)
        if old is None or old.count != row.count:
            item.setText(1, str(row.count) if row.count else "")
        if old is None or old.tip != row.tip:
            item.setToolTip(0, row.tip)
        if row.dot is not None and (old is None or old.dot != row.dot):
            item.setIcon(0, dot_icon(row.dot[0], hollow=row.dot[1]))
        if old is None or old.muted != row.muted:
            if row.muted:
                item.setForeground(0, self._muted)
            else:
                item.setData(0, Qt.ItemDataRole.ForegroundRole, None)  # the style's colour, selection included

    # -- selection ------------------------------------------------------------------------------------------

    def current_target(self) -> Target | None:
        item = self.currentItem()
        target = item.data(0, TARGET_ROLE) if item is not None else None
        return target if isinstance(target, Target) else None

    def items(self) -> list[QTreeWidgetItem]:
        return [
            group.child(i) for group in (self._sources, self._watchlist) for i in range(group.childCount())
        ]

    def item_for(self, target: Target) -> QTreeWidgetItem | None:
        for item in self.items():
            found = item.data(0, TARGET_ROLE)
            if isinstance(found, Target) and found.label_key == target.label_key:
                return item
        return None

    def select(self, target: Target) -> bool:
        """Make `target` current (emits target_selected unless signals are blocked). False when absent."""
        item = self.item_for(target)
        if item is None:
            return False
        self.setCurrentItem(item)
        return True

    def _on_current(self, current: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None) -> None:
        if current is None:
            return
        target = current.data(0, TARGET_ROLE)
        if isinstance(target, Target):
            self.target_selected.emit(target)
