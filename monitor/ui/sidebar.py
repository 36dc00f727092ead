"""The sidebar: sources (fixed views, then each feed and its health) and watchlist entries, with counts."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from PySide6.QtCore import QEvent, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QShowEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from monitor.core.matching.watchlist import Entry
from monitor.core.models import Feed
from monitor.core.polling.health import Health, feed_health
from monitor.ui.icons import dot_icon
from monitor.ui.style import HEALTH_COLOURS, KIND_DOTS, TEXT_MUTED

log = logging.getLogger(__name__)

TARGET_ROLE = Qt.ItemDataRole.UserRole + 1
# Rows filled per pass of the event loop when a group is rebuilt: a slice short enough that the GUI thread
# stays responsive (docs/BENCHMARKS.md has what one costs).
SYNC_SLICE_ROWS = 400

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


@dataclass(frozen=True)
class SidebarRow:
    """What one sidebar row shows."""

    target: Target
    label: str
    count: int
    tip: str
    bold: bool = False
    dot: tuple[str, bool] | None = None  # (colour, hollow)
    muted: bool = False


@dataclass(frozen=True)
class SidebarRows:
    """The rows of both groups: plain data, worked out on a worker thread by `sidebar_rows`."""

    sources: list[SidebarRow]
    watched: list[SidebarRow]


def sidebar_rows(
    view_counts: Mapping[str, int],
    feeds: Sequence[Feed],
    unread_by_feed: Mapping[int | None, int],
    entries: Sequence[Entry],
    unread_by_entry: Mapping[str, int],
) -> SidebarRows:
    """The fixed views, then each feed with its health; the watchlist entries, most unread first."""
    sources = [
        SidebarRow(Target("view", view=view), label, view_counts.get(view, 0), tip, bold=True)
        for view, label, tip in FIXED_VIEWS
    ]
    for feed in feeds:
        health = feed_health(feed)
        sources.append(
            SidebarRow(
                Target("feed", view="feed", feed_id=feed.id),
                feed.title or feed.url,
                unread_by_feed.get(feed.id, 0),
                f"{feed.url}\n{health.words}",
                dot=(HEALTH_COLOURS[health.state], health.state is Health.NEVER),
                muted=health.state is Health.DISABLED,
            )
        )
    watched = []
    for entry in sorted(entries, key=lambda e: (-unread_by_entry.get(e.name, 0), e.name.casefold())):
        count = unread_by_entry.get(entry.name, 0)
        watched.append(
            SidebarRow(
                Target("entry", entry=entry.name),
                entry.name,
                count,
                f"{entry.name} ({entry.kind}, weight {entry.weight:g})\n{count} unread matching articles"
                + (f"\n{entry.note}" if entry.note else ""),
                dot=(KIND_DOTS.get(entry.kind, TEXT_MUTED), False),
                muted=not count,
            )
        )
    return SidebarRows(sources, watched)


@dataclass
class _Rebuild:
    """A group's new items, filled a slice at a time before they replace its rows."""

    group: QTreeWidgetItem
    rows: list[SidebarRow]
    items: list[QTreeWidgetItem] = field(default_factory=list)


class Sidebar(QTreeWidget):
    """Two groups, Sources and Watchlist; selecting a row emits `target_selected`.

    It is updated on the GUI thread while polls run, and with 500 feeds and 1,500 watchlist entries a full
    rebuild there stalled it (docs/BENCHMARKS.md). So its rows are worked out on a worker (`sidebar_rows`); a
    few changed rows are updated in place, and a group that changes more is rebuilt off-screen,
    SYNC_SLICE_ROWS rows per pass of the event loop, then swapped in at once.
    """

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
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)  # sized by _fit_count_column
        self._sources = self._group("SOURCES")
        self._watchlist = self._group("WATCHLIST")
        self._shown: dict[int, list[SidebarRow]] = {id(self._sources): [], id(self._watchlist): []}
        self._rebuilding: list[_Rebuild] = []
        self._next_slice = QTimer(self)
        self._next_slice.setSingleShot(True)
        self._next_slice.setInterval(0)
        self._next_slice.timeout.connect(self._build_slice)
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

    def show_rows(self, rows: SidebarRows) -> None:
        """Show `rows`, keeping the current row selected. A group whose rows keep their order and of which at
        most SYNC_SLICE_ROWS rows changed (after a poll, say) is updated now; any other is rebuilt in slices
        (see `rebuilding`). A rebuild still under way is dropped: these rows are newer."""
        self._next_slice.stop()
        self._rebuilding = []
        with self._bulk_change():
            for group, new in ((self._sources, rows.sources), (self._watchlist, rows.watched)):
                shown = self._shown[id(group)]
                if len(shown) == len(new) and all(
                    a.target == b.target for a, b in zip(shown, new, strict=True)
                ):
                    changed = [
                        (i, old, row)
                        for i, (old, row) in enumerate(zip(shown, new, strict=True))
                        if old != row
                    ]
                    if len(changed) <= SYNC_SLICE_ROWS:
                        for index, old, row in changed:
                            self._fill(group.child(index), row, old)
                        self._shown[id(group)] = new
                        continue
                self._rebuilding.append(_Rebuild(group, new))
        self._build_slice()

    @property
    def rebuilding(self) -> bool:
        """True while a rebuild is being prepared; the rows shown are the previous ones until it ends."""
        return bool(self._rebuilding)

    def flush(self) -> None:
        """End the rebuild under way now."""
        self._next_slice.stop()
        while self._rebuilding:
            self._build_slice(everything=True)

    def _build_slice(self, everything: bool = False) -> None:
        budget = None if everything else SYNC_SLICE_ROWS
        for rebuild in self._rebuilding:
            while len(rebuild.items) < len(rebuild.rows):
                if budget is not None:
                    if budget == 0:
                        self._next_slice.start()
                        return
                    budget -= 1
                item = QTreeWidgetItem()  # filled before it joins the tree: no signal to the view per field
                self._fill(item, rebuild.rows[len(rebuild.items)])
                rebuild.items.append(item)
        if self._rebuilding:
            self._swap_in()

    def _swap_in(self) -> None:
        current = self.current_target()
        with self._bulk_change():
            for rebuild in self._rebuilding:
                rebuild.group.takeChildren()
                rebuild.group.addChildren(rebuild.items)
                rebuild.group.setExpanded(True)
                self._shown[id(rebuild.group)] = rebuild.rows
            self._rebuilding = []
            if not self.select(current or Target("view", view="all")):
                self.select(Target("view", view="all"))

    @contextmanager
    def _bulk_change(self) -> Iterator[None]:
        """No target_selected while rows change, and the count column sized once at the end."""
        blocker = QSignalBlocker(self)
        try:
            yield
        finally:
            self._fit_count_column()
            del blocker

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit_count_column()  # the style sheet's padding counts from now on

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.StyleChange, QEvent.Type.FontChange):
            self._fit_count_column()

    def _fit_count_column(self) -> None:
        """Make the count column as wide as its widest count. Qt's ResizeToContents measures up to 1,000
        rows after each change (slow with thousands of rows); the widest count is the one with the most
        digits."""
        widest: QTreeWidgetItem | None = None
        digits = 0
        for group in (self._sources, self._watchlist):
            for index, row in enumerate(self._shown[id(group)]):
                if row.count and len(str(row.count)) > digits:
                    digits, widest = len(str(row.count)), group.child(index)
        header = self.header()
        width = self.sizeHintForIndex(self.indexFromItem(widest, 1)).width() if widest is not None else 0
        header.resizeSection(1, max(width, header.minimumSectionSize()))

    def _fill(self, item: QTreeWidgetItem, row: SidebarRow, old: SidebarRow | None = None) -> None:
        """Set what differs from `old` (everything for a new item): each change is a signal to the view."""
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
                item.setData(
                    0, Qt.ItemDataRole.ForegroundRole, None
                )  # the style's colour, selection included

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
